# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Camera and listener for test_ros_faces.py: runs in the workspace environment (rclpy, msgs).

``python ros_faces_probe.py FRAMES.npz OUT.json``: publishes the frames of ``FRAMES.npz``
(``two``: frames with two people, ``one``: the same with one of them gone) on ``image`` at
``RATE_HZ``, first ``two`` for ``TWO_S`` seconds, then ``one`` for ``ONE_S`` seconds, and records
what the running node publishes: ``emotion/faces``, ``/humans/faces/tracked``, every
``/humans/faces/<id>/expression`` (subscribed as ids appear), ``emotion``, ``emotion/scores``,
``emotion/header``, and the node's publishers at the end of each phase
(``get_publisher_names_and_types_by_node``). Writes them to ``OUT.json``.
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
from std_msgs.msg import Float32MultiArray, Header, String

RATE_HZ = 10.0
TWO_S = 10.0
ONE_S = 4.0
NODE_NAME = 'emotion_estimator'
DISCOVERY_TIMEOUT_S = 120.0


def main() -> int:
    """Publish the two phases, record the outputs, write the JSON file."""
    frames = np.load(sys.argv[1])
    out_path = sys.argv[2]
    rclpy.init()
    node = rclpy.create_node('faces_probe')
    record = {'faces': [], 'tracked': [], 'expressions': {}, 'emotion': [], 'scores': [],
              'headers': [], 'publishers': {}, 'one_from': None}

    def on_faces(msg: EmotionArray) -> None:
        record['faces'].append({
            'stamp': stamp_seconds(msg.header), 'frame_id': msg.header.frame_id,
            'faces': [{'face_id': f.face_id, 'label': f.label, 'confidence': f.confidence,
                       'class_names': list(f.class_names), 'scores': list(f.scores),
                       'valence': f.valence, 'arousal': f.arousal,
                       'stamp': stamp_seconds(f.header),
                       'box': [f.box.x_offset, f.box.y_offset, f.box.width, f.box.height]}
                      for f in msg.faces]})

    subscriptions = {}

    def on_expression(face_id: str):
        def callback(msg: Expression) -> None:
            record['expressions'][face_id].append({
                'stamp': stamp_seconds(msg.header), 'frame_id': msg.header.frame_id,
                'expression': msg.expression, 'valence': msg.valence,
                'arousal': msg.arousal, 'confidence': msg.confidence})
        return callback

    def on_tracked(msg: IdsList) -> None:
        record['tracked'].append({'stamp': stamp_seconds(msg.header), 'ids': list(msg.ids)})
        for face_id in msg.ids:
            if face_id not in subscriptions:
                record['expressions'][face_id] = []
                subscriptions[face_id] = node.create_subscription(
                    Expression, f'/humans/faces/{face_id}/expression',
                    on_expression(face_id), 10)

    node.create_subscription(EmotionArray, 'emotion/faces', on_faces, 10)
    node.create_subscription(IdsList, '/humans/faces/tracked', on_tracked, 10)
    node.create_subscription(String, 'emotion', lambda m: record['emotion'].append(m.data), 10)
    node.create_subscription(Float32MultiArray, 'emotion/scores',
                             lambda m: record['scores'].append(list(m.data)), 10)
    node.create_subscription(Header, 'emotion/header',
                             lambda m: record['headers'].append(stamp_seconds(m)), 10)
    camera = node.create_publisher(
        Image, 'image', QoSProfile(depth=2, reliability=ReliabilityPolicy.RELIABLE))

    if not spin_until(node, lambda: camera.get_subscription_count() > 0
                      and node.count_publishers('/humans/faces/tracked') > 0,
                      DISCOVERY_TIMEOUT_S):
        print('the node did not appear', flush=True)
        return 1

    started = time.monotonic()
    sent = 0
    for phase, seconds in (('two', TWO_S), ('one', ONE_S)):
        phase_frames = frames[phase]
        phase_end = time.monotonic() + seconds
        index = 0
        while time.monotonic() < phase_end:
            due = started + sent / RATE_HZ
            while time.monotonic() < due:
                rclpy.spin_once(node, timeout_sec=max(due - time.monotonic(), 0.0))
            frame = phase_frames[index % len(phase_frames)]
            msg = Image(height=frame.shape[0], width=frame.shape[1], encoding='bgr8',
                        step=frame.shape[1] * 3, data=frame.tobytes())
            msg.header.stamp = node.get_clock().now().to_msg()
            msg.header.frame_id = 'faces_probe_camera'
            if phase == 'one' and record['one_from'] is None:
                record['one_from'] = stamp_seconds(msg.header)
            camera.publish(msg)
            sent += 1
            index += 1
        record['publishers'][phase] = publishers_of(node, NODE_NAME)
    # Let the last outputs arrive.
    settle = time.monotonic() + 1.0
    while time.monotonic() < settle:
        rclpy.spin_once(node, timeout_sec=0.05)
    record['sent'] = sent
    with open(out_path, 'w') as out:
        json.dump(record, out)
    node.destroy_node()
    rclpy.try_shutdown()
    return 0


if __name__ == '__main__':
    sys.exit(main())
