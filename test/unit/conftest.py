# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The unit layer runs without ROS: a test that loads rclpy fails.

``test/lint/test_layers.py`` reads the imports; this catches what a test loads as it runs (a
command's module imported by name, for instance).
"""

import sys

import pytest


@pytest.fixture(autouse=True)
def _rclpy_not_loaded():
    """Fail a test that loads rclpy (checked when rclpy was not loaded before it)."""
    loaded_before = 'rclpy' in sys.modules
    yield
    assert loaded_before or 'rclpy' not in sys.modules, (
        'this unit test loaded rclpy: test/unit is ROS-free; move the test to test/ros/')
