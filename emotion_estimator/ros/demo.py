# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""``emotion-estimator demo``: the node, an image source and a printer in one process.

The source publishes scikit-image's astronaut photo (a smiling face), a ``--video`` or the
``--webcam``; everything lives in the ``/emotion_demo`` namespace, away from a robot's topics.
"""

import argparse
import sys
import time
from typing import List, Optional

import cv2
import numpy as np
import rclpy
from rclpy.executors import ExternalShutdownException, SingleThreadedExecutor
from rclpy.node import Node
from rclpy.parameter import Parameter
from rclpy.qos import qos_profile_sensor_data
from sensor_msgs.msg import Image
from std_msgs.msg import Float32MultiArray, String

from emotion_estimator.ros_image import bgr_to_image_fields

NAMESPACE = '/emotion_demo'
FRAME_WIDTH, FRAME_HEIGHT = 640, 480


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the demo's options."""
    source = parser.add_mutually_exclusive_group()
    source.add_argument('--video', metavar='PATH', help='read frames from a video file (loops)')
    source.add_argument('--webcam', metavar='INDEX', type=int,
                        help='read frames from an OpenCV camera (e.g. 0)')
    parser.add_argument('--rate', type=float, default=15.0,
                        help='frames per second published by the source (default: 15)')
    parser.add_argument('--duration', type=float, default=10.0,
                        help='seconds to run; 0 = until Ctrl-C (default: 10)')
    parser.add_argument('--model-spec', default='',
                        help='emotion_model.json (default: the packaged model)')
    parser.add_argument('--variant', default='', help='model variant (default: the default one)')


def astronaut_frame() -> np.ndarray:
    """Return scikit-image's astronaut photo centred on a grey 640x480 BGR canvas."""
    from skimage import data
    photo = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)
    photo = cv2.resize(photo, (FRAME_HEIGHT, FRAME_HEIGHT), interpolation=cv2.INTER_AREA)
    frame = np.full((FRAME_HEIGHT, FRAME_WIDTH, 3), 128, np.uint8)
    left = (FRAME_WIDTH - FRAME_HEIGHT) // 2
    frame[:, left:left + FRAME_HEIGHT] = photo
    return frame


class FrameSource:
    """Give BGR frames from the astronaut photo, a video file (looped) or a webcam."""

    def __init__(self, video: Optional[str] = None, webcam: Optional[int] = None):
        """Open the source.

        Raises:
            RuntimeError: the video or camera cannot be opened.

        """
        self.still = None
        self.capture = None
        self.description = 'astronaut photo'
        if video is None and webcam is None:
            self.still = astronaut_frame()
            return
        self.capture = cv2.VideoCapture(video if video is not None else webcam)
        self.description = f'video {video}' if video is not None else f'webcam {webcam}'
        if not self.capture.isOpened():
            raise RuntimeError(f'cannot open {self.description}')
        self.looping = video is not None

    def read(self) -> Optional[np.ndarray]:
        """Return the next frame, or None when none is available right now."""
        if self.still is not None:
            return self.still
        ok, frame = self.capture.read()
        if not ok and self.looping:
            self.capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, frame = self.capture.read()
        return frame if ok else None

    def close(self) -> None:
        """Release the video or camera."""
        if self.capture is not None:
            self.capture.release()


class DemoSource(Node):
    """Publish frames on ``image`` (bgr8) at a fixed rate, stamped with the node clock."""

    def __init__(self, source: FrameSource, rate: float):
        """Create the publisher and the timer."""
        super().__init__('emotion_demo_source', namespace=NAMESPACE)
        self.source = source
        self.publisher = self.create_publisher(Image, 'image', qos_profile_sensor_data)
        self.timer = self.create_timer(1.0 / rate, self._publish)

    def _publish(self) -> None:
        frame = self.source.read()
        if frame is None:
            return
        msg = Image(encoding='bgr8')
        msg.header.stamp = self.get_clock().now().to_msg()
        msg.header.frame_id = 'demo_camera'
        msg.height, msg.width, msg.step, msg.data = bgr_to_image_fields(frame)
        self.publisher.publish(msg)


class DemoPrinter(Node):
    """Print the newest emotion and scores once per second."""

    def __init__(self, started: float):
        """Subscribe to ``emotion`` and ``emotion/scores``."""
        super().__init__('emotion_demo_printer', namespace=NAMESPACE)
        self.started = started
        self.label = None
        self.scores: Optional[Float32MultiArray] = None
        self.create_subscription(String, 'emotion', self._on_label, 10)
        self.create_subscription(Float32MultiArray, 'emotion/scores', self._on_scores, 10)
        self.timer = self.create_timer(1.0, self._print)

    def _on_label(self, msg: String) -> None:
        self.label = msg.data

    def _on_scores(self, msg: Float32MultiArray) -> None:
        self.scores = msg

    def _print(self) -> None:
        line = f't={time.monotonic() - self.started:.1f}s emotion={self.label or "(waiting)"}'
        if self.scores is not None and self.scores.layout.dim:
            names = self.scores.layout.dim[0].label.split(',')
            values = dict(zip(names, self.scores.data))
            if sum(values.values()) == 0:
                line += ' (no face)'
            else:
                order = ['happy', 'sad'] + [n for n in names if n not in ('happy', 'sad')]
                line += ' ' + ' '.join(f'{name}={values[name]:.2f}' for name in order
                                       if name in values)
        print(line, flush=True)


def run(args: argparse.Namespace) -> int:
    """Run the demo; return 0, or 1 with a message when a model or the source is missing."""
    from emotion_estimator.ros.node import EmotionEstimatorNode, NodeStartError
    if args.rate <= 0:
        print('--rate must be > 0', file=sys.stderr)
        return 2
    try:
        source = FrameSource(args.video, args.webcam)
    except RuntimeError as error:
        print(f'emotion-estimator demo: {error}', file=sys.stderr)
        return 1
    rclpy.init()
    nodes: List[Node] = []
    try:
        overrides = [Parameter('model_spec_path', value=args.model_spec),
                     Parameter('model_variant', value=args.variant)]
        try:
            nodes.append(EmotionEstimatorNode(namespace=NAMESPACE,
                                              parameter_overrides=overrides))
        except NodeStartError as error:
            print(f'emotion-estimator demo: {error}', file=sys.stderr)
            return 1
        started = time.monotonic()
        nodes.append(DemoSource(source, args.rate))
        nodes.append(DemoPrinter(started))
        print(f'emotion-estimator demo: {source.description} at {args.rate:g} Hz on '
              f'{NAMESPACE}/image, ' + (f'for {args.duration:g} s' if args.duration > 0
                                        else 'until Ctrl-C'), flush=True)
        # One thread, as the node's own main: the node works in threads of its own, and rclpy's
        # MultiThreadedExecutor can busy-spin holding the GIL, starving that work.
        executor = SingleThreadedExecutor()
        for node in nodes:
            executor.add_node(node)
        while rclpy.ok() and (args.duration <= 0
                              or time.monotonic() - started < args.duration):
            executor.spin_once(timeout_sec=0.1)
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    finally:
        for node in reversed(nodes):
            node.destroy_node()
        source.close()
        rclpy.try_shutdown()
    return 0
