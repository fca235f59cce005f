# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The provenance of a result: command, machine, date and load, read from this machine."""

import datetime
import os
from pathlib import Path
import platform
import shlex

from emotion_estimator import provenance


def test_machine_names_this_machine_and_its_load():
    facts = provenance.machine()
    assert set(facts) == {'cpu', 'cores', 'cpus_usable', 'python', 'platform', 'load'}
    assert facts['cores'] == os.cpu_count()
    assert 1 <= facts['cpus_usable'] <= facts['cores']
    assert facts['python'] == platform.python_version()
    loads = [float(value) for value in facts['load'].split()]
    assert len(loads) == 3 and all(value >= 0 for value in loads)
    cpuinfo = Path('/proc/cpuinfo')
    if cpuinfo.is_file():
        models = [line.split(':', 1)[1].strip() for line in cpuinfo.read_text().splitlines()
                  if line.startswith('model name')]
        if models:
            assert facts['cpu'] == models[0]
    assert facts['cpu'] and facts['cpu'] != 'unknown'


def test_describe_is_one_line_with_the_cores():
    facts = {'cpu': 'Some CPU', 'cores': 4, 'cpus_usable': 2}
    assert provenance.describe(facts) == 'Some CPU, nproc=4 (usable: 2)'
    assert '\n' not in provenance.describe()


def test_command_line_quotes_what_a_shell_would_split():
    argv = ['emotion-estimator-train', 'build', '--out', 'a folder/x.json', "it's"]
    line = provenance.command_line(argv)
    assert shlex.split(line) == argv
    assert provenance.command_line(['a', 'b']) == 'a b'


def test_today_is_the_iso_date():
    assert datetime.date.fromisoformat(provenance.today()) == datetime.date.today()
