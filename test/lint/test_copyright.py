# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Check that every Python file starts with the project's copyright and SPDX header."""

import re

from lint_paths import python_files, REPO_ROOT

COPYRIGHT = re.compile(r'^# Copyright (\d{4})(-\d{4})? The emotion_estimator authors\.$')
SPDX = '# SPDX-License-Identifier: Apache-2.0'


def header_problem(text: str) -> str:
    """Return what is wrong with a file's header, or an empty string."""
    lines = text.splitlines()
    if lines and lines[0].startswith('#!'):
        lines = lines[1:]
    if not lines or not COPYRIGHT.match(lines[0]):
        return 'first line is not "# Copyright <year> The emotion_estimator authors."'
    if len(lines) < 2 or lines[1] != SPDX:
        return f'second line is not "{SPDX}"'
    return ''


def test_header_check_itself():
    good = '# Copyright 2026 The emotion_estimator authors.\n' + SPDX + '\n"""Doc."""\n'
    assert header_problem(good) == ''
    assert header_problem('#!/usr/bin/env python3\n' + good) == ''
    assert header_problem('"""Doc."""\n') != ''
    assert header_problem(good.replace('Apache-2.0', 'MIT')) != ''


def test_copyright_headers():
    files = python_files()
    assert any(path.name == 'estimator.py' for path in files)
    problems = [f'{path.relative_to(REPO_ROOT)}: {problem}' for path in files
                if (problem := header_problem(path.read_text(encoding='utf-8')))]
    assert not problems, 'files without the header:\n' + '\n'.join(problems)
