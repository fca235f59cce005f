# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Old name of :mod:`emotion_estimator.ros.node`, kept for scripts that import or run it.

``import emotion_estimator.node`` gives the very module ``emotion_estimator.ros.node`` (so a
change of its globals, e.g. ``PENDING_FRAMES``, takes effect), and ``python -m
emotion_estimator.node`` runs the node.
"""

import sys

from emotion_estimator.ros import node as _node

if __name__ == '__main__':
    sys.exit(_node.main())
sys.modules[__name__] = _node
