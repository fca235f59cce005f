# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Old name of :mod:`emotion_estimator.ros.demo`, kept for scripts that import it."""

import sys

from emotion_estimator.ros import demo as _demo

sys.modules[__name__] = _demo
