# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The runtime's requirements as ``setup.py`` states them, for a given target machine.

A plain module (not a test file) shared by ``test_aarch64_install.py`` and
``test_interpreter_versions.py``: ``install_requires`` is read from ``setup.py`` itself (its
syntax tree, without running it), so the tests check the one list that pip installs, never a copy.
"""

import ast
from pathlib import Path
from typing import Dict, List

from packaging.requirements import Requirement

SETUP_PY = Path(__file__).resolve().parent.parent / 'setup.py'


def install_requires(setup_py: Path = SETUP_PY) -> List[Requirement]:
    """Return the ``install_requires`` list of the ``setup()`` call in ``setup.py``."""
    tree = ast.parse(setup_py.read_text(encoding='utf-8'), filename=str(setup_py))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, 'id', None) == 'setup':
            for keyword in node.keywords:
                if keyword.arg == 'install_requires':
                    return [Requirement(text) for text in ast.literal_eval(keyword.value)]
    raise AssertionError(f'no setup(install_requires=[...]) literal in {setup_py}')


def linux_environment(machine: str, python_version: str) -> Dict[str, str]:
    """Return the environment markers of CPython ``python_version`` on Linux on ``machine``."""
    return {
        'implementation_name': 'cpython',
        'implementation_version': f'{python_version}.0',
        'os_name': 'posix',
        'platform_machine': machine,
        'platform_python_implementation': 'CPython',
        'platform_release': '',
        'platform_system': 'Linux',
        'platform_version': '',
        'python_full_version': f'{python_version}.0',
        'python_version': python_version,
        'sys_platform': 'linux',
    }


def requirements_for(machine: str, python_version: str) -> List[Requirement]:
    """Return the requirements that apply on that machine (markers evaluated, then dropped)."""
    environment = linux_environment(machine, python_version)
    chosen = []
    for requirement in install_requires():
        if requirement.marker is None or requirement.marker.evaluate(environment):
            requirement = Requirement(str(requirement))
            requirement.marker = None
            chosen.append(requirement)
    return chosen


def pinned_version(name: str, machine: str, python_version: str = '3.11') -> str:
    """Return the exact version (``==``) that ``setup.py`` pins for ``name`` on that machine."""
    matches = [req for req in requirements_for(machine, python_version) if req.name == name]
    assert len(matches) == 1, f'{name} on {machine}: {len(matches)} requirements apply'
    pins = [spec.version for spec in matches[0].specifier if spec.operator == '==']
    assert len(pins) == 1, f'{matches[0]}: not one exact pin'
    return pins[0]
