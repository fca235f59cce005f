# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The node harness for the benchmarks: it lives with the tests, in ``test/ros/node_harness.py``.

``import node_harness`` in a benchmark loads that file under this name, so the benchmarks and the
node process tests drive the node with the same code.
"""

import importlib.util
from pathlib import Path
import sys

_HARNESS = Path(__file__).resolve().parents[1] / 'test' / 'ros' / 'node_harness.py'
_spec = importlib.util.spec_from_file_location(__name__, _HARNESS)
_module = importlib.util.module_from_spec(_spec)
sys.modules[__name__] = _module  # `import node_harness` returns the harness itself
_spec.loader.exec_module(_module)
