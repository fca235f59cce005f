# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The interface packages built by colcon: their types import and travel between processes.

``emotion_estimator_msgs`` (this repository) and ``hri_msgs`` (ROS4HRI, from the shared sources)
are built into ``build_ros/`` by ``scripts/build_ros_workspace.sh``. Two processes with the
workspace's environment send and check one message of each type over rclpy
(``ros_message_roundtrip.py``); ``ros2 interface show`` reads the definitions.
"""

import json
from pathlib import Path
import signal
import subprocess
import sys

import pytest
from ros_workspace import current_workspace_env, ros2

HELPER = Path(__file__).resolve().parent / 'ros_message_roundtrip.py'
TYPES = ('emotion_face', 'emotion_faces', 'hri_expression', 'hri_tracked')


@pytest.fixture(scope='module')
def ros_env() -> dict:
    """Return the workspace environment (failing with the build command when it is not built)."""
    return current_workspace_env()


def test_messages_arrive_unchanged_in_another_process(ros_env):
    publisher = subprocess.Popen([sys.executable, str(HELPER), 'publish'], env=ros_env,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL, text=True)
    try:
        receiver = subprocess.run([sys.executable, str(HELPER), 'receive'], env=ros_env,
                                  capture_output=True, text=True, timeout=120,
                                  stdin=subprocess.DEVNULL)
    finally:
        publisher.send_signal(signal.SIGINT)
        try:
            publisher_output, _ = publisher.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            publisher.kill()
            publisher_output, _ = publisher.communicate()
    assert receiver.returncode == 0, receiver.stdout + receiver.stderr + publisher_output
    results = json.loads(receiver.stdout.strip().splitlines()[-1])
    assert results == {name: 'equal' for name in TYPES}, results
    assert publisher.returncode == 0, publisher_output


@pytest.mark.parametrize('interface, fields', [
    ('emotion_estimator_msgs/msg/Emotion',
     ['std_msgs/Header header', 'string face_id', 'string label', 'float32 confidence',
      'string[] class_names', 'float32[] scores', 'float32 valence', 'float32 arousal',
      'sensor_msgs/RegionOfInterest box', 'float32 resting_face_settled',
      'string LABEL_HAPPY="happy"']),
    ('emotion_estimator_msgs/msg/EmotionArray', ['std_msgs/Header header', 'Emotion[] faces']),
    ('hri_msgs/msg/Expression', ['float32 valence', 'float32 arousal', 'string expression']),
    ('hri_msgs/msg/IdsList', ['string[] ids']),
])
def test_ros2_interface_show(ros_env, interface, fields):
    result = ros2(ros_env, 'interface', 'show', interface)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [line.split('#')[0].strip() for line in result.stdout.splitlines()]
    for field in fields:
        assert field in lines, result.stdout
