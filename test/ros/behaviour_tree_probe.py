# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Camera and observer for test_behaviour_tree.py: runs in the workspace environment.

``python behaviour_tree_probe.py FRAMES.npz OUT.json``: starts the behaviour-tree example twice
(``examples/emotion_behaviour_tree.py``: once reading ``emotion/faces``, publishing
``behaviour``; once with ``--std-msgs``, publishing ``behaviour_std``), waits for them and the
running node, then publishes the phases of ``PHASES`` on ``image`` at ``RATE_HZ`` (each phase a
frame of ``FRAMES.npz``: ``smile``, ``sad`` where given, ``none``), and at the end deactivates
the node (``/emotion_estimator/change_state``) while frames keep coming: the node stops. Records
each tree's behaviour changes, the main face of every ``emotion/faces`` message and when each
phase began (monotonic seconds), and writes them to ``OUT.json``.
"""

import json
from pathlib import Path
import signal
import subprocess
import sys
import time

from emotion_estimator_msgs.msg import EmotionArray
from lifecycle_msgs.msg import Transition
from lifecycle_msgs.srv import ChangeState
import numpy as np
import rclpy
from rclpy.qos import DurabilityPolicy, qos_profile_sensor_data, QoSProfile
from ros_workspace import spin_until
from sensor_msgs.msg import Image
from std_msgs.msg import String

EXAMPLE = Path(__file__).resolve().parents[2] / 'examples' / 'emotion_behaviour_tree.py'
RATE_HZ = 15.0
#: (phase name, frame, seconds); 'stop' deactivates the node at its start.
PHASES = [('none', 'none', 3.0), ('smile', 'smile', 5.0), ('left', 'none', 3.0),
          ('sad', 'sad', 6.0), ('left_again', 'none', 3.0), ('smile_again', 'smile', 4.0),
          ('stop', 'smile', 3.0)]
TREES = {'behaviour': [], 'behaviour_std': ['--std-msgs', '--ros-args', '-r',
                                            'behaviour:=behaviour_std']}
DISCOVERY_TIMEOUT_S = 120.0


def main() -> int:
    """Run the trees and the phases, write the record."""
    frames = np.load(sys.argv[1])
    out_path = sys.argv[2]
    trees = {topic: subprocess.Popen([sys.executable, str(EXAMPLE), *arguments],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, text=True)
             for topic, arguments in TREES.items()}
    rclpy.init()
    node = rclpy.create_node('behaviour_probe')
    record = {'behaviours': {topic: [] for topic in TREES}, 'faces': [], 'phases': [],
              'deactivated': None}
    for topic in TREES:
        node.create_subscription(
            String, topic,
            lambda msg, t=topic: record['behaviours'][t].append([time.monotonic(), msg.data]),
            QoSProfile(depth=10, durability=DurabilityPolicy.TRANSIENT_LOCAL))

    def on_faces(msg: EmotionArray) -> None:
        main = msg.faces[0] if msg.faces else None
        record['faces'].append([time.monotonic(), main.label if main else None,
                                main.label_held_s if main else None,
                                main.face_id if main else None])

    node.create_subscription(EmotionArray, 'emotion/faces', on_faces, QoSProfile(depth=50))
    camera = node.create_publisher(Image, 'image', qos_profile_sensor_data)
    change_state = node.create_client(ChangeState, '/emotion_estimator/change_state')
    try:
        ready = spin_until(node, lambda: camera.get_subscription_count() > 0
                           and all(record['behaviours'][topic] for topic in TREES),
                           DISCOVERY_TIMEOUT_S)
        assert ready, f'node or trees not up: {record["behaviours"]}'
        index = 0
        for name, frame_name, seconds in PHASES:
            if frame_name not in frames.files:
                continue
            if name == 'stop':
                future = change_state.call_async(ChangeState.Request(
                    transition=Transition(id=Transition.TRANSITION_DEACTIVATE)))
                rclpy.spin_until_future_complete(node, future, timeout_sec=10.0)
                record['deactivated'] = bool(future.done() and future.result().success)
            record['phases'].append([name, time.monotonic()])
            frame = frames[frame_name]
            end = time.monotonic() + seconds
            next_frame = time.monotonic()
            while time.monotonic() < end:
                msg = Image(height=frame.shape[0], width=frame.shape[1], encoding='bgr8',
                            is_bigendian=0, step=frame.shape[1] * 3, data=frame.tobytes())
                msg.header.frame_id = 'camera'
                msg.header.stamp = node.get_clock().now().to_msg()
                camera.publish(msg)
                index += 1
                next_frame += 1.0 / RATE_HZ
                while time.monotonic() < next_frame:
                    rclpy.spin_once(node, timeout_sec=max(next_frame - time.monotonic(), 0.0))
        record['phases'].append(['end', time.monotonic()])
        record['sent'] = index
    finally:
        outputs = {}
        for topic, tree in trees.items():
            tree.send_signal(signal.SIGINT)
            try:
                outputs[topic] = tree.communicate(timeout=20)[0]
            except subprocess.TimeoutExpired:
                tree.kill()
                outputs[topic] = tree.communicate()[0]
        record['tree_output'] = outputs
        record['tree_exit_codes'] = {topic: tree.returncode for topic, tree in trees.items()}
        Path(out_path).write_text(json.dumps(record))
        node.destroy_node()
        rclpy.try_shutdown()
    return 0


if __name__ == '__main__':
    sys.exit(main())
