# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Every module of the runtime and the training package fits in a reader's head.

The house limits (issue 17): at most 500 lines per module and 400 per class.
"""

import ast
from pathlib import Path
from typing import List, Tuple

from lint_paths import REPO_ROOT

PACKAGES = (REPO_ROOT / 'emotion_estimator', REPO_ROOT / 'training' / 'emotion_estimator_training')
MAX_MODULE_LINES = 500
MAX_CLASS_LINES = 400


def modules() -> List[Path]:
    """Return every Python module of the two packages."""
    found = [path for package in PACKAGES for path in sorted(package.rglob('*.py'))
             if '__pycache__' not in path.parts]
    assert len(found) > 50, 'the packages were not found'
    return found


def long_classes(path: Path) -> List[Tuple[str, int]]:
    """Return the classes of a module longer than the limit, with their length in lines."""
    tree = ast.parse(path.read_text(), filename=str(path))
    return [(node.name, node.end_lineno - node.lineno + 1) for node in ast.walk(tree)
            if isinstance(node, ast.ClassDef)
            and node.end_lineno - node.lineno + 1 > MAX_CLASS_LINES]


def test_no_module_is_over_500_lines():
    long = {str(path.relative_to(REPO_ROOT)): lines for path in modules()
            if (lines := len(path.read_text().splitlines())) > MAX_MODULE_LINES}
    assert not long, f'split these modules along a seam: {long}'


def test_no_class_is_over_400_lines():
    long = {str(path.relative_to(REPO_ROOT)): classes for path in modules()
            if (classes := long_classes(path))}
    assert not long, f'move plain logic out of these classes: {long}'
