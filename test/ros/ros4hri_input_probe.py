# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""ROS4HRI's face detector, stood in for, for test_ros4hri_input.py (workspace environment).

``python ros4hri_input_probe.py FACES.npz OUT.json``: publishes what ``hri_face_detect``
publishes, at ``RATE_HZ``: ``/humans/faces/tracked`` (``hri_msgs/IdsList``, reliable as its
default) and each tracked face's ``/humans/faces/<id>/aligned`` (``sensor_msgs/Image`` bgr8, the
face images of ``FACES.npz``, one array per id), first both ids for ``TWO_S`` seconds, then the
first id alone for ``ONE_S`` seconds. It records what the node publishes: every
``/humans/faces/<id>/expression``, ``emotion/faces``, ``emotion``, and the node's publishers at
the end of each phase; writes them and the stamps sent to ``OUT.json``.
"""

import json
import sys
import time

from emotion_estimator_msgs.msg import EmotionArray
from hri_msgs.msg import Expression, IdsList
import numpy as np
import rclpy
from rclpy.qos import QoSProfile, ReliabilityPolicy
from ros_workspace import publishers_of, spin_until, stamp_seconds
from sensor_msgs.msg import Image
from std_msgs.msg import String

RATE_HZ = 10.0
TWO_S = 6.0
ONE_S = 3.0
NODE_NAME = 'emotion_estimator'
DISCOVERY_TIMEOUT_S = 120.0


def main() -> int:
    """Publish both phases, record the outputs, write the JSON file."""
    faces = dict(np.load(sys.argv[1]))
    ids = list(faces)
    out_path = sys.argv[2]
    rclpy.init()
    node = rclpy.create_node('ros4hri_probe')
    record = {'ids': ids, 'expressions': {face_id: [] for face_id in ids}, 'faces': [],
              'emotion': [], 'publishers': {}, 'sent': {face_id: [] for face_id in ids},
              'one_from': None}

    def on_expression(face_id: str):
        def callback(msg: Expression) -> None:
            record['expressions'][face_id].append({
                'stamp': stamp_seconds(msg.header), 'expression': msg.expression,
                'valence': msg.valence, 'arousal': msg.arousal, 'confidence': msg.confidence})
        return callback

    for face_id in ids:
        node.create_subscription(Expression, f'/humans/faces/{face_id}/expression',
                                 on_expression(face_id), 10)
    node.create_subscription(EmotionArray, 'emotion/faces', lambda msg: record['faces'].append(
        {'stamp': stamp_seconds(msg.header),
         'faces': [{'face_id': face.face_id, 'label': face.label,
                    'stamp': stamp_seconds(face.header)} for face in msg.faces]}), 10)
    node.create_subscription(String, 'emotion', lambda msg: record['emotion'].append(msg.data),
                             10)
    reliable = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE)
    tracked = node.create_publisher(IdsList, '/humans/faces/tracked', reliable)
    aligned = {face_id: node.create_publisher(Image, f'/humans/faces/{face_id}/aligned', reliable)
               for face_id in ids}

    if not spin_until(node, lambda: tracked.get_subscription_count() > 0, DISCOVERY_TIMEOUT_S):
        print('the node did not subscribe to /humans/faces/tracked', flush=True)
        return 1

    started = time.monotonic()
    sent = 0
    for phase, seconds, phase_ids in (('two', TWO_S, ids), ('one', ONE_S, ids[:1])):
        phase_end = time.monotonic() + seconds
        while time.monotonic() < phase_end:
            due = started + sent / RATE_HZ
            while time.monotonic() < due:
                rclpy.spin_once(node, timeout_sec=max(due - time.monotonic(), 0.0))
            stamp = node.get_clock().now().to_msg()
            message = IdsList(ids=phase_ids)
            message.header.stamp = stamp
            tracked.publish(message)
            if phase == 'one' and record['one_from'] is None:
                record['one_from'] = stamp.sec + stamp.nanosec * 1e-9
            for face_id in phase_ids:
                face = faces[face_id]
                image = Image(height=face.shape[0], width=face.shape[1], encoding='bgr8',
                              step=face.shape[1] * 3, data=face.tobytes())
                image.header.stamp = stamp
                image.header.frame_id = 'probe_camera'
                aligned[face_id].publish(image)
                record['sent'][face_id].append(stamp.sec + stamp.nanosec * 1e-9)
            sent += 1
        record['publishers'][phase] = publishers_of(node, NODE_NAME)
    settle = time.monotonic() + 1.0
    while time.monotonic() < settle:
        rclpy.spin_once(node, timeout_sec=0.05)
    with open(out_path, 'w') as out:
        json.dump(record, out)
    node.destroy_node()
    rclpy.try_shutdown()
    return 0


if __name__ == '__main__':
    sys.exit(main())
