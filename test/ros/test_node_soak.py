# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""A short run (60 s) of the node soak: the same script as the committed one-hour result.

``benchmarks/soak_node.py`` starts the node as its own process through its entry point, in a
default environment, and is the camera: 640x480 bgr8 best effort at 30 Hz, bad frames now and
then, two stops of the camera. It exits 0 when RSS stays flat after warm-up, the node is alive,
the label is back within a second of each return of the camera and every frame is accounted for.
"""

import json
import os
from pathlib import Path
import subprocess
import sys

ROOT = Path(__file__).resolve().parents[2]
SOAK = ROOT / 'benchmarks' / 'soak_node.py'


def test_soak_for_a_minute(tmp_path, face_model_path):
    command = [sys.executable, str(SOAK), '--duration', '60', '--pause', '5',
               '--bad-every', '5', '--sample-every', '5', '--results-dir', str(tmp_path),
               '--output', 'soak', '--domain', os.environ['ROS_DOMAIN_ID']]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    result = json.loads((tmp_path / 'soak.json').read_text())
    assert done.returncode == 0, (result['checks'], (tmp_path / 'soak.md').read_text())
    assert result['passed'] and all(result['checks'].values())
    counters = result['node_counters']
    assert counters['frames_received'] > 0.9 * result['frames_sent']
    assert len(result['recoveries']) == 2
