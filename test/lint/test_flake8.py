# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Run flake8 with the ament rules (configured in setup.cfg) over the package sources."""

import subprocess
import sys

from lint_paths import lint_targets, REPO_ROOT
import pytest


def test_flake8():
    pytest.importorskip('flake8', reason='install the test extras: pip install .[test]')
    version = subprocess.run([sys.executable, '-m', 'flake8', '--version'],
                             capture_output=True, text=True, check=True).stdout
    # Without these plugins flake8 passes silently on the quote and import-order rules.
    for plugin in ('flake8-quotes', 'flake8_import_order'):
        assert plugin in version, f'{plugin} is not installed: pip install .[test]'
    result = subprocess.run(
        [sys.executable, '-m', 'flake8', '--config', str(REPO_ROOT / 'setup.cfg'),
         *lint_targets()],
        cwd=REPO_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, f'flake8 found problems:\n{result.stdout}{result.stderr}'
