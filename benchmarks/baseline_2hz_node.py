# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""A frame-by-frame baseline node in the manner of ROS4HRI's emotion node, for the benchmark.

ROS4HRI's ``hri_emotion_recognizer`` classifies each face of the newest image on a timer,
frame by frame, with no temporal model. This node does the same with our models: a 2 Hz timer
takes the newest frame, runs MediaPipe FaceLandmarker in IMAGE mode (no tracking), fills the
LSTM's window with that one frame's features (a still window: no history) and publishes the
arg-max class on ``emotion`` and the frame's header on ``emotion/header``. Frames the timer never
looks at are counted as ``dropped_not_sampled``; counters go to ``/diagnostics`` under hardware id
``/emotion_baseline`` with the node's key names, so ``node_harness.Camera`` can read them.

Like the node's entry point it applies the packaged Fast DDS profile before ``rclpy.init``.

    python benchmarks/baseline_2hz_node.py [--rate 2] [--compressed]
"""

import argparse
import sys
import threading
from typing import Optional, Sequence

from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue
import numpy as np
import rclpy
from rclpy.executors import ExternalShutdownException
from rclpy.node import Node
from rclpy.qos import qos_profile_sensor_data
from sensor_msgs.msg import CompressedImage, Image
from std_msgs.msg import Header, String

from emotion_estimator.blendshapes import BlendshapeExtractor
from emotion_estimator.classifier import EmotionClassifier
from emotion_estimator.contract import ModelSpec
from emotion_estimator.dds_profile import apply_transport_profile
from emotion_estimator.frames import bgr_to_rgb
from emotion_estimator.ros_image import compressed_to_bgr, image_to_bgr, ImageConversionError


class PerFrameEmotionNode(Node):
    """Classify the newest frame alone on a timer (no window, no label filter)."""

    def __init__(self, rate_hz: float, compressed: bool):
        """Load the models, subscribe to the camera and start the timer."""
        super().__init__('emotion_baseline')
        self.spec = ModelSpec.load()
        self.classifier = EmotionClassifier(self.spec.model_file())
        self.extractor = BlendshapeExtractor(video=False)
        self.features = np.array(self.spec.feature_indices)
        self.lock = threading.Lock()
        self.latest = None
        self.received = self.processed = self.not_sampled = self.bad = 0
        self.create_subscription(CompressedImage if compressed else Image,
                                 'image/compressed' if compressed else 'image', self._on_image,
                                 qos_profile_sensor_data)
        self.label_pub = self.create_publisher(String, 'emotion', 10)
        self.header_pub = self.create_publisher(Header, 'emotion/header', 10)
        self.diagnostics_pub = self.create_publisher(DiagnosticArray, '/diagnostics', 10)
        self.create_timer(1.0 / rate_hz, self._classify_newest)
        self.create_timer(1.0, self._publish_diagnostics)

    def _on_image(self, msg) -> None:
        with self.lock:
            self.received += 1
            if self.latest is not None:
                self.not_sampled += 1
            self.latest = msg

    def _classify_newest(self) -> None:
        with self.lock:
            msg, self.latest = self.latest, None
        if msg is None:
            return
        try:
            if isinstance(msg, CompressedImage):
                frame = compressed_to_bgr(msg.format, msg.data)
            else:
                frame = image_to_bgr(msg.encoding, msg.height, msg.width, msg.step, msg.data)
        except ImageConversionError:
            with self.lock:
                self.bad += 1
            return
        blendshapes = self.extractor.extract(bgr_to_rgb(frame))
        if blendshapes is None:
            label = 'unknown'
        else:
            window = np.repeat(blendshapes[self.features][np.newaxis],
                               self.spec.window_length, axis=0)
            label = self.spec.class_names[int(np.argmax(self.classifier.predict(window)))]
        self.label_pub.publish(String(data=label))
        self.header_pub.publish(Header(stamp=msg.header.stamp, frame_id=msg.header.frame_id))
        with self.lock:
            self.processed += 1

    def _publish_diagnostics(self) -> None:
        with self.lock:
            in_flight = int(self.latest is not None)
            values = {'frames_received': self.received, 'frames_processed': self.processed,
                      'frames_in_flight': in_flight,
                      'dropped_frames': self.not_sampled + self.bad,
                      'dropped_not_sampled': self.not_sampled, 'dropped_bad': self.bad}
        array = DiagnosticArray()
        array.header.stamp = self.get_clock().now().to_msg()
        array.status.append(DiagnosticStatus(
            level=DiagnosticStatus.OK, name='emotion_baseline: per-frame pipeline',
            hardware_id=self.get_fully_qualified_name(), message='ok',
            values=[KeyValue(key=key, value=str(value)) for key, value in values.items()]))
        self.diagnostics_pub.publish(array)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the baseline node until Ctrl-C."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--rate', type=float, default=2.0, help='timer rate, Hz (default 2)')
    parser.add_argument('--compressed', action='store_true', help='read image/compressed')
    args, ros_args = parser.parse_known_args(argv)
    transport = apply_transport_profile()
    rclpy.init(args=ros_args)
    node = PerFrameEmotionNode(args.rate, args.compressed)
    node.get_logger().info(f'DDS: {transport.description}; listening, {args.rate:g} Hz timer')
    try:
        rclpy.spin(node)
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    finally:
        node.extractor.close()
        node.destroy_node()
        rclpy.try_shutdown()
    return 0


if __name__ == '__main__':
    sys.exit(main())
