# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Send the interface messages from one process and check them in another (test_ros_messages.py).

Runs with the workspace's environment (``build_ros/env.sh``), where ``emotion_estimator_msgs``
and ``hri_msgs`` are importable. ``publish`` sends one filled-in message of each type
(``Emotion``, ``EmotionArray``, ``hri_msgs/Expression``, ``hri_msgs/IdsList``) on its own topic
until it is stopped; ``receive`` subscribes, compares every field with the same messages built
here, and prints one JSON object: type name -> ``"equal"`` or what differed (``"missing"`` when
nothing arrived in time). Both use reliable, transient-local QoS, so the receiver may start late.
"""

import json
import sys
import time
from typing import Dict

from emotion_estimator_msgs.msg import Emotion, EmotionArray
from hri_msgs.msg import Expression, IdsList
import rclpy
from rclpy.executors import SingleThreadedExecutor
from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy
from sensor_msgs.msg import RegionOfInterest
from std_msgs.msg import Header

from emotion_estimator.contract import CLASS_NAMES

QOS = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE,
                 durability=DurabilityPolicy.TRANSIENT_LOCAL)
RECEIVE_TIMEOUT_S = 60.0


def _header() -> Header:
    header = Header(frame_id='camera_optical_frame')
    header.stamp.sec, header.stamp.nanosec = 1796000000, 123456789
    return header


def _emotion(face_id: str, label: str) -> Emotion:
    # Values exact in float32, so that equality after the round trip is exact.
    return Emotion(
        header=_header(), face_id=face_id, label=label, confidence=0.75,
        class_names=list(CLASS_NAMES),
        scores=[0.5, 0.25, 0.125, 0.0625, 0.03125, 0.015625, 0.015625],
        valence=0.5, arousal=-0.25,
        box=RegionOfInterest(x_offset=320, y_offset=120, height=240, width=200),
        resting_face_settled=1.0)


def expected_messages() -> Dict[str, object]:
    """Return topic name -> the message sent on it."""
    return {
        'emotion_face': _emotion('face_a', Emotion.LABEL_HAPPY),
        'emotion_faces': EmotionArray(header=_header(), faces=[
            _emotion('face_a', Emotion.LABEL_HAPPY), _emotion('face_b', Emotion.LABEL_SAD)]),
        'hri_expression': Expression(header=_header(), expression=Expression.HAPPY,
                                     valence=0.5, arousal=0.25, confidence=0.75),
        'hri_tracked': IdsList(header=_header(), ids=['face_a', 'face_b']),
    }


def publish() -> None:
    """Publish each message until this process is stopped."""
    node = rclpy.create_node('roundtrip_publisher')
    publishers = {topic: node.create_publisher(type(msg), topic, QOS)
                  for topic, msg in expected_messages().items()}
    while rclpy.ok():
        for topic, msg in expected_messages().items():
            publishers[topic].publish(msg)
        time.sleep(0.2)


def receive() -> Dict[str, str]:
    """Return topic -> 'equal', 'missing' or the received message's repr."""
    node = rclpy.create_node('roundtrip_receiver')
    expected = expected_messages()
    received: Dict[str, object] = {}
    for topic, msg in expected.items():
        node.create_subscription(type(msg), topic,
                                 lambda m, t=topic: received.setdefault(t, m), QOS)
    executor = SingleThreadedExecutor()
    executor.add_node(node)
    deadline = time.monotonic() + RECEIVE_TIMEOUT_S
    while len(received) < len(expected) and time.monotonic() < deadline:
        executor.spin_once(timeout_sec=0.2)
    return {topic: ('missing' if topic not in received
                    else 'equal' if received[topic] == msg else repr(received[topic]))
            for topic, msg in expected.items()}


def main() -> int:
    """Run ``publish`` or ``receive`` (the first argument)."""
    rclpy.init()
    try:
        if sys.argv[1] == 'publish':
            publish()
            return 0
        print(json.dumps(receive()))
        return 0
    except KeyboardInterrupt:
        return 0
    finally:
        rclpy.try_shutdown()


if __name__ == '__main__':
    sys.exit(main())
