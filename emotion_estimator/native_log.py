# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Keep MediaPipe's and TFLite's start-up chatter off the terminal (no ROS).

Their C++ code writes to file descriptor 2 (``GLOG_minloglevel`` and ``TF_CPP_MIN_LOG_LEVEL``
do not change that: checked); :func:`captured_native_stderr` sends it to a file while the models
load, and :func:`worth_showing` keeps the lines a user should see, for the caller's logger.
"""

import contextlib
import os
import re
import sys
import tempfile
from typing import Callable, Iterator, List, TypeVar

T = TypeVar('T')

#: absl / glog line prefix: severity letter, MMDD (``I0000``, ``W1201``, ...).
_ABSL_PREFIX = re.compile(r'^([IWEF])\d{4} ')
#: Plain start-up lines of TFLite and absl (informational).
_PLAIN_CHATTER = ('INFO: Created TensorFlow Lite', 'INFO: Initialized TensorFlow Lite',
                  'WARNING: Logging before InitGoogle()',
                  'WARNING: All log messages before absl::InitializeLog()')


def worth_showing(line: str) -> bool:
    """Return whether a native log line should reach the user (not informational chatter)."""
    stripped = line.strip()
    if not stripped or stripped.startswith(_PLAIN_CHATTER):
        return False
    match = _ABSL_PREFIX.match(stripped)
    return match is None or match.group(1) in 'EF'


@contextlib.contextmanager
def captured_native_stderr() -> Iterator[List[str]]:
    """Send file descriptor 2 to a temporary file in the block; yield its lines (after it).

    The yielded list is filled when the block ends (also when it raises), with every line
    written to descriptor 2 in the meantime, by any thread or library.
    """
    lines: List[str] = []
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile(mode='w+b') as capture:
        os.dup2(capture.fileno(), 2)
        try:
            yield lines
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            lines.extend(capture.read().decode(errors='replace').splitlines())


def call_quietly(function: Callable[..., T], *args, **kwargs) -> T:
    """Return ``function(*args, **kwargs)``, keeping its native start-up chatter off stderr.

    For models loaded while running (e.g. one more FaceLandmarker for one more face): descriptor
    2 is captured for the call, as by :func:`captured_native_stderr`, then every captured line
    worth showing is written back to stderr; all of them when the call raises. Lines other
    threads write meanwhile are captured too and written back in the same way, so nothing but
    the known chatter is lost.
    """
    lines: List[str] = []
    failed = True
    try:
        with captured_native_stderr() as lines:
            result = function(*args, **kwargs)
        failed = False
        return result
    finally:
        shown = [line for line in lines if failed or worth_showing(line)]
        if shown:
            sys.stderr.write(''.join(line + '\n' for line in shown))
            sys.stderr.flush()
