# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Where a measurement comes from: the command, the machine, the date and the load.

One helper for every result file (training records, benchmarks); standard library only.
"""

import datetime
import os
from pathlib import Path
import platform
import shlex
import subprocess
from typing import Dict, Optional, Sequence


def cpu_model() -> str:
    """Return the CPU model (``lscpu``'s, else ``/proc/cpuinfo``'s), or ``'unknown'``."""
    try:
        listing = subprocess.run(['lscpu'], capture_output=True, text=True,
                                 check=False).stdout
    except OSError:
        listing = ''
    for line in listing.splitlines():
        if line.startswith('Model name'):
            return line.split(':', 1)[1].strip()
    try:
        for line in Path('/proc/cpuinfo').read_text().splitlines():
            if line.startswith('model name'):
                return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or 'unknown'


def usable_cpus() -> int:
    """Return the number of CPUs this process may run on (its affinity where the OS tells)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def load_average() -> str:
    """Return the 1, 5 and 15 minute load averages as one string (``'0.52 0.61 0.70'``)."""
    return ' '.join(f'{value:.2f}' for value in os.getloadavg())


def machine() -> Dict[str, object]:
    """Return the machine and its load now, for the record of a result.

    Keys: ``cpu`` (model), ``cores`` (``os.cpu_count()``), ``cpus_usable``, ``python``,
    ``platform`` and ``load`` (:func:`load_average`).
    """
    return {'cpu': cpu_model(), 'cores': os.cpu_count(), 'cpus_usable': usable_cpus(),
            'python': platform.python_version(), 'platform': platform.platform(),
            'load': load_average()}


def describe(facts: Optional[Dict[str, object]] = None) -> str:
    """Return a machine (:func:`machine`'s, by default now's) as one line for a report."""
    facts = facts or machine()
    return f"{facts['cpu']}, nproc={facts['cores']} (usable: {facts['cpus_usable']})"


def command_line(argv: Sequence[str]) -> str:
    """Return a command as a shell would take it back (every argument quoted as needed)."""
    return ' '.join(shlex.quote(str(arg)) for arg in argv)


def today() -> str:
    """Return today's local date, ISO 8601 (``2026-12-06``)."""
    return datetime.date.today().isoformat()
