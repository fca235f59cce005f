# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Old name of :mod:`emotion_estimator.ros.node`, kept for ``emotion_estimator_node`` scripts.

An install made before the node moved to ``ros/`` (a ``pip install -e .`` venv, until it is
installed again) has an ``emotion_estimator_node`` script that imports ``main`` from here.
``import emotion_estimator.node`` gives the very module ``emotion_estimator.ros.node``.
"""

import sys

from emotion_estimator.ros import node as _node

if __name__ == '__main__':
    sys.exit(_node.main())
sys.modules[__name__] = _node
