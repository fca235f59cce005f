# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The README and the docs/ pages, and the marked sections the documentation tests read."""

from pathlib import Path
import re
from typing import Dict, List

REPO_ROOT = Path(__file__).resolve().parents[2]
README = REPO_ROOT / 'README.md'
#: The maximum length of the README (issue 17): the rest lives in docs/.
README_MAX_LINES = 300


def documents() -> List[Path]:
    """Return the README and every Markdown page under docs/."""
    return [README, *sorted((REPO_ROOT / 'docs').glob('*.md'))]


def texts() -> Dict[Path, str]:
    """Return ``{path: text}`` of :func:`documents`."""
    return {path: path.read_text(encoding='utf-8') for path in documents()}


def section(name: str) -> str:
    """Return the text of the section ``<!-- section: NAME ... -->`` of the README or docs/.

    The section ends at ``<!-- end: NAME -->`` (or at the next section marker); it must be
    marked in exactly one document.

    Raises:
        AssertionError: no document, or more than one, marks the section.
    """
    pattern = re.compile(rf'<!-- section: {re.escape(name)}\b[^>]*-->(.*?)'
                         rf'(?:<!-- end: {re.escape(name)} -->|<!-- section:|\Z)', re.S)
    found = [(path, match.group(1)) for path, text in texts().items()
             for match in pattern.finditer(text)]
    assert len(found) == 1, (f'section {name!r} must be marked once in README.md or docs/*.md, '
                             f'found in {[str(path) for path, _ in found]}')
    return found[0][1]
