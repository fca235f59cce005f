# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The library's values in ROS messages: the face box, the /diagnostics levels."""

from diagnostic_msgs.msg import DiagnosticStatus

from emotion_estimator.health import ERROR, OK, WARN
from emotion_estimator.ros.ros_outputs import box_message, time_message


def test_box_in_pixels():
    box = box_message((10, 20, 30, 40))
    assert (box.x_offset, box.y_offset, box.width, box.height) == (10, 20, 30, 40)
    assert box_message(None).width == 0
    assert box_message((-3, 5, 30, 40)).x_offset == 0


def test_time_in_seconds_and_nanoseconds():
    stamp = time_message(12.25)
    assert (stamp.sec, stamp.nanosec) == (12, 250_000_000)
    assert (time_message(-1.0).sec, time_message(-1.0).nanosec) == (0, 0)


def test_health_levels_are_those_of_the_diagnostic_message():
    assert (bytes([OK]), bytes([WARN]), bytes([ERROR])) == (
        DiagnosticStatus.OK, DiagnosticStatus.WARN, DiagnosticStatus.ERROR)
