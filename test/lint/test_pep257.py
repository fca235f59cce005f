# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Check docstrings with pydocstyle: pep257 convention and ament_pep257's ignore list."""

import subprocess
import sys

from lint_paths import python_files, REPO_ROOT
import pytest

#: ament_pep257's default ignore list (missing docstrings are left to review).
AMENT_IGNORE = 'D100,D101,D102,D103,D104,D105,D106,D107,D203,D212,D404'


def test_pep257():
    pytest.importorskip('pydocstyle', reason='install the test extras: pip install .[test]')
    files = [str(path.relative_to(REPO_ROOT)) for path in python_files()]
    assert files
    result = subprocess.run(
        [sys.executable, '-m', 'pydocstyle', '--convention=pep257',
         f'--add-ignore={AMENT_IGNORE}', r'--match=.*\.py', *files],
        cwd=REPO_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, f'pydocstyle found problems:\n{result.stdout}{result.stderr}'
