# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The runtime installs on a Raspberry Pi: pip resolves it for linux aarch64 from binary wheels.

CI runs on x86_64, so nothing else would notice a requirement without an aarch64 wheel (as
``ai-edge-litert==2.3.0`` was: its aarch64 wheels stop at 1.4.0). pip is asked, as a Pi would ask
it, to resolve ``setup.py``'s ``install_requires`` with their dependencies, binary wheels only,
for Raspberry Pi OS bookworm (Python 3.11, glibc 2.36) and Ubuntu 24.04 (Python 3.12, glibc
2.39). It needs the package registry; ``--dry-run`` downloads only the wheels' metadata.

pip evaluates environment markers against the machine it runs on, not ``--platform``, so the
markers of ``setup.py``'s own requirements are evaluated here for aarch64 first; those of their
dependencies are evaluated by pip for this machine (mediapipe's and numpy's depend only on the
Python version).
"""

import json
from pathlib import Path
import subprocess
import sys
from typing import List

from packaging.requirements import Requirement
import pytest
from runtime_requirements import install_requires, requirements_for

#: The aarch64 systems a Pi runs: (Python version, glibc minor version), as (3.11, 36).
TARGETS = {'raspberry_pi_os_bookworm': ('3.11', 36), 'ubuntu_24_04': ('3.12', 39)}


def platforms(glibc_minor: int) -> List[str]:
    """Return pip --platform tags of every manylinux wheel that glibc 2.<minor> on aarch64 runs."""
    tags = ['manylinux2014_aarch64']
    tags += [f'manylinux_2_{minor}_aarch64' for minor in range(17, glibc_minor + 1)]
    return tags


def pip_resolve(requirements: List[Requirement], python_version: str, glibc_minor: int,
                folder: Path) -> dict:
    """Return pip's installation report for the requirements on linux aarch64, wheels only."""
    command = [sys.executable, '-m', 'pip', 'install', '--dry-run', '--ignore-installed',
               '--quiet', '--disable-pip-version-check', '--only-binary=:all:',
               '--python-version', python_version, '--implementation', 'cp',
               '--target', str(folder / 'target'), '--report', str(folder / 'report.json')]
    for tag in platforms(glibc_minor):
        command += ['--platform', tag]
    command += [str(requirement) for requirement in requirements]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, (
        f'pip cannot install the runtime on linux aarch64, Python {python_version} '
        f'(binary wheels only):\n{" ".join(command)}\n{done.stderr[-3000:]}')
    return json.loads((folder / 'report.json').read_text())


def test_setup_py_states_the_runtime_once_per_machine():
    names = {requirement.name for requirement in install_requires()}
    assert {'mediapipe', 'numpy', 'ai-edge-litert'} <= names
    for machine in ('x86_64', 'aarch64'):
        for python_version, _ in TARGETS.values():
            chosen = [req.name for req in requirements_for(machine, python_version)]
            assert sorted(chosen) == sorted(names), (machine, python_version, chosen)


@pytest.mark.parametrize('system', sorted(TARGETS))
def test_the_runtime_resolves_to_aarch64_wheels(system, tmp_path):
    python_version, glibc_minor = TARGETS[system]
    requirements = requirements_for('aarch64', python_version)
    report = pip_resolve(requirements, python_version, glibc_minor, tmp_path)
    installed = {item['metadata']['name'].lower(): item for item in report['install']}
    for requirement in requirements:
        item = installed.get(requirement.name.lower())
        assert item is not None, f'{requirement} is not in the resolution for {system}'
        assert requirement.specifier.contains(item['metadata']['version']), (requirement, item)
    for name, item in installed.items():
        wheel = item['download_info']['url'].rsplit('/', 1)[-1]
        assert wheel.endswith('.whl'), (name, wheel)
        platform_tag = wheel[:-len('.whl')].rsplit('-', 1)[-1]
        assert platform_tag == 'any' or 'aarch64' in platform_tag, (name, wheel)
