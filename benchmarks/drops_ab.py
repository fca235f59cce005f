# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Where round 1's dropped frames went: A/B runs of the node at 30 Hz, raw 640x480.

Two experiments, each printing one JSON line per node:

* ``round1``: round 1's node (``emotion_estimator/node.py`` at commit ``2107c6b``, run from a
  temporary copy against today's library) and today's node, one after the other, both in round
  1's setup: reliable camera, the node's subscription overridden to reliable, the camera process
  subscribed to ``emotion/debug_image``, ``ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST``; round 1's
  node also without the debug image subscription;
* ``pending``: today's node with ``PENDING_FRAMES`` 1 (round 1's keep-newest slot) and 2, at the
  same time on two ROS domains, each with its own best-effort camera, so both see the same load.

    python benchmarks/drops_ab.py round1 --duration 60
    python benchmarks/drops_ab.py pending --duration 90
"""

import argparse
import json
import os
from pathlib import Path
import subprocess
import sys
import tempfile
import threading
import time
from typing import Dict, List

import node_harness as harness
from rclpy.qos import QoSProfile
from sensor_msgs.msg import Image

ROUND1_COMMIT = '2107c6b'
ROOT = Path(__file__).resolve().parent.parent
#: Runs today's node with another PENDING_FRAMES (argument 1), then its main().
PENDING_WRAPPER = ('import sys\nimport emotion_estimator.ros.node as node\n'
                   'node.PENDING_FRAMES = int(sys.argv.pop(1))\nsys.exit(node.main())\n')


def run_node(command: List[str], env: Dict[str, str], args, reliable: bool = False,
             debug_image: bool = False, label: str = '') -> dict:
    """Feed one node process for ``args.duration`` s; return what it did."""
    log = Path(tempfile.mkdtemp(prefix='drops_ab_')) / 'node.log'
    process = subprocess.Popen(command, env=env, stdout=open(log, 'w'),
                               stderr=subprocess.STDOUT)
    try:
        with harness.CameraSession(reliable=reliable) as camera:
            debug = []
            if debug_image:
                camera.create_subscription(Image, 'emotion/debug_image',
                                           lambda msg: debug.append(1), QoSProfile(depth=5))
            deadline = time.monotonic() + 90.0
            while camera.publisher.get_subscription_count() == 0 or camera.count_publishers(
                    'emotion/scores') == 0:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError('the node did not start:\n' + log.read_text()[-3000:])
                time.sleep(0.1)
            time.sleep(1.0)
            message = harness.raw_message(harness.one_face_frame())
            harness.stream(camera, message, 5.0, args.rate)
            since = time.time()
            with camera.lock:
                before = dict(camera.recording.diagnostics[-1][1])
            harness.stream(camera, message, args.duration, args.rate)
            time.sleep(2.5)
            with camera.lock:
                after = dict(camera.recording.diagnostics[-1][1])
                result = harness.summary(camera.recording, since)
    finally:
        harness.stop_process(process)
    result.pop('latency_ms')  # round 1's node publishes no emotion/header
    return {'node': label, 'debug_image_subscribed': debug_image, 'reliable': reliable,
            **result,
            'node_dropped_frames_in_window': int(after['dropped_frames'])
            - int(before['dropped_frames']),
            'by_reason_since_start': {k: v for k, v in after.items() if k.startswith('dropped_')
                                      and k != 'dropped_frames_in_period'},
            'load_average_at_end': harness.load_average()}


def round1(args) -> None:
    """Round 1's node and today's in round 1's setup, one after the other."""
    folder = Path(tempfile.mkdtemp(prefix='round1_node_'))
    old = folder / 'round1_node.py'
    old.write_text(subprocess.run(['git', 'show', f'{ROUND1_COMMIT}:emotion_estimator/node.py'],
                                  cwd=ROOT, capture_output=True, text=True, check=True).stdout)
    domain = 1 + os.getpid() % 9
    harness.use_default_environment(domain)
    os.environ['ROS_AUTOMATIC_DISCOVERY_RANGE'] = 'LOCALHOST'  # as round 1's benchmark
    env = {**harness.default_environment(domain), 'ROS_AUTOMATIC_DISCOVERY_RANGE': 'LOCALHOST'}
    params = ['-p', 'processing_time_warn_ms:=1000.0',
              '-p', 'qos_overrides./image.subscription.reliability:=reliable']
    runs = [([sys.executable, str(old), '--ros-args'] + params, True, 'round 1 node'),
            ([sys.executable, str(old), '--ros-args'] + params, False, 'round 1 node'),
            (harness.node_command()[:-1] + ['--ros-args'] + params, True, 'this node')]
    for command, debug_image, label in runs:
        print(json.dumps(run_node(command, env, args, reliable=True, debug_image=debug_image,
                                  label=label)), flush=True)


def pending(args) -> None:
    """PENDING_FRAMES 1 and 2 side by side, each on its own domain with its own camera."""
    folder = Path(tempfile.mkdtemp(prefix='pending_node_'))
    wrapper = folder / 'pending_node.py'
    wrapper.write_text(PENDING_WRAPPER)
    base = 1 + os.getpid() % 8
    outputs = {}

    def one(frames: int, domain: int) -> None:
        env = harness.default_environment(domain)
        command = [sys.executable, str(wrapper), str(frames), '--ros-args',
                   '-p', 'processing_time_warn_ms:=1000.0']
        code = ('import json, sys\nsys.path.insert(0, %r)\nimport drops_ab, node_harness\n'
                'node_harness.use_default_environment(%d)\n'
                'print(json.dumps(drops_ab.run_node(%r, %r, drops_ab.parse_args(%r), '
                'label=%r)))\n') % (str(Path(__file__).parent), domain, command, env,
                                    ['pending', '--duration', str(args.duration)],
                                    f'PENDING_FRAMES={frames}')
        done = subprocess.run([sys.executable, '-c', code], env=env, capture_output=True,
                              text=True)
        outputs[frames] = done.stdout.strip().splitlines()[-1:] or [done.stderr[-2000:]]
    threads = [threading.Thread(target=one, args=(frames, base + frames - 1))
               for frames in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for frames in (1, 2):
        print(outputs[frames][0], flush=True)


def parse_args(argv=None):
    """Return the command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('experiment', choices=('round1', 'pending'))
    parser.add_argument('--duration', type=float, default=60.0, help='seconds per node (60)')
    parser.add_argument('--rate', type=float, default=30.0, help='camera rate in Hz (30)')
    return parser.parse_args(argv)


def main() -> int:
    """Run one experiment."""
    args = parse_args()
    print(json.dumps({'experiment': args.experiment, 'machine': harness.machine()}), flush=True)
    (round1 if args.experiment == 'round1' else pending)(args)
    return 0


if __name__ == '__main__':
    sys.exit(main())
