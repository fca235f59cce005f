# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The Python sources the linter tests check, found from this file's location."""

from pathlib import Path
from typing import List

REPO_ROOT = Path(__file__).resolve().parents[2]
#: Folders and files checked by flake8, pydocstyle and the copyright test.
LINTED = ('emotion_estimator', 'test', 'launch', 'training', 'benchmarks', 'examples',
          'setup.py')
#: Folder names never checked (build outputs, caches, virtual environments).
SKIPPED_DIRS = {'__pycache__', 'build', 'install', 'log', 'runs', 'cache', '.git',
                '.pytest_cache'}


def lint_targets() -> List[str]:
    """Return the existing entries of :data:`LINTED`, relative to the repository root."""
    return [name for name in LINTED if (REPO_ROOT / name).exists()]


def python_files() -> List[Path]:
    """Return every ``.py`` file under the linted folders, skipping build outputs."""
    files = []
    for name in lint_targets():
        path = REPO_ROOT / name
        candidates = [path] if path.is_file() else sorted(path.rglob('*.py'))
        for candidate in candidates:
            parts = candidate.relative_to(REPO_ROOT).parts
            if any(p in SKIPPED_DIRS or p.endswith('.egg-info') or p.startswith('.venv')
                   for p in parts):
                continue
            files.append(candidate)
    return files
