# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""What the node publishes: its publishers, created at configure and destroyed at cleanup.

The main face on ``emotion``, ``emotion/scores``, ``emotion/header`` (and the debug image on a
thread of its own); every face on ``emotion/faces`` and the ROS4HRI topics, where their message
packages are installed.
"""

from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
from rclpy.qos import QoSPolicyKind, QoSProfile
from rclpy.qos_overriding_options import QoSOverridingOptions
from sensor_msgs.msg import Image
from std_msgs.msg import Float32MultiArray, Header, MultiArrayDimension, String

from emotion_estimator.debug_overlay import draw_overlay, NewestJobThread
from emotion_estimator.decision import UNKNOWN
from emotion_estimator.estimator import EmotionEstimator, EmotionResult
from emotion_estimator.frame_processor import ProcessedFrame
from emotion_estimator.label_hold import LabelHold
from emotion_estimator.message_fields import label_confidence
from emotion_estimator.ros import ros_outputs
from emotion_estimator.ros.node_parameters import CAMERA, ROS4HRI
from emotion_estimator.ros_image import bgr_to_image_fields

#: Publishers of the node, by attribute name (all lifecycle publishers).
PUBLISHERS = ('emotion_pub', 'scores_pub', 'debug_pub', 'header_pub', 'faces_pub')


class NodeOutputs:
    """The node's publishers and what they need to remember between frames.

    Args:
        node: A lifecycle node, configuring.
        class_names: The model's 7 classes, in the order of ``emotion/scores``.
        face_source: ``camera`` (the faces of one frame make one array) or ``ros4hri`` (one
            face per image: the array holds every tracked face's latest result).
        on_debug_error: Called with an exception that stopped a debug image.

    """

    def __init__(self, node, class_names: Sequence[str], face_source: str,
                 on_debug_error: Callable[[Exception], None]):
        """Create the publishers and the debug image's thread."""
        self._node = node
        self.class_names = tuple(class_names)
        self.face_source = face_source
        self.emotion_pub = node.create_lifecycle_publisher(String, 'emotion', 10)
        self.scores_pub = node.create_lifecycle_publisher(
            Float32MultiArray, 'emotion/scores', 10)
        # Reliable, depth 1: large images sent best effort between processes are mostly lost with
        # Fast DDS (measured); a reliable publisher also serves best-effort subscribers.
        self.debug_pub = node.create_lifecycle_publisher(
            Image, 'emotion/debug_image', QoSProfile(depth=1),
            qos_overriding_options=QoSOverridingOptions(
                policy_kinds=(QoSPolicyKind.RELIABILITY, QoSPolicyKind.DEPTH)))
        self.header_pub = node.create_lifecycle_publisher(Header, 'emotion/header', 10)
        # Typed and ROS4HRI outputs where their message packages are installed (colcon).
        self.faces_pub = (node.create_lifecycle_publisher(
            ros_outputs.EmotionArray, 'emotion/faces', 10)
            if ros_outputs.HAVE_EMOTION_MSGS else None)
        # With ROS4HRI's detector, /humans/faces/tracked is its topic, not ours.
        self.hri_faces = (ros_outputs.Ros4HriFaces(node, publish_tracked=face_source == CAMERA)
                          if ros_outputs.HAVE_HRI_MSGS else None)
        #: ROS4HRI mode: face id -> (its last result, header, confidence).
        self._latest: Dict[str, Tuple[EmotionResult, Header, float]] = {}
        #: Since when each face's label has held (emotion/faces label_since, label_held_s).
        self._label_holds = LabelHold()
        # The debug image is drawn and published by a thread of its own, so that a 900 KB image
        # (slow to send, more so to a busy subscriber) never delays the outputs of the next frame.
        self._debug_thread = NewestJobThread(
            lambda job: self.debug_pub.publish(self.debug_image(*job)), on_debug_error,
            name='emotion_estimator_debug_image')

    def publish_main(self, result: EmotionResult, msg, frame: np.ndarray) -> None:
        """Publish the main face's std_msgs outputs (and hand the debug image over)."""
        self.emotion_pub.publish(String(data=result.label))
        self.scores_pub.publish(self.scores_message(result.scores))
        self.header_pub.publish(Header(stamp=msg.header.stamp, frame_id=msg.header.frame_id))
        if self.debug_pub.get_subscription_count() > 0:
            self._debug_thread.submit((result, msg, frame))  # newest only: it is for people

    def publish_unknown(self) -> None:
        """Publish the label ``unknown`` (stopped, timed out, the main face gone)."""
        self.emotion_pub.publish(String(data=UNKNOWN))

    def publish_faces(self, processed: ProcessedFrame, header: Header, stamp_s: float,
                      estimator: EmotionEstimator, main_face_id: str) -> None:
        """Publish emotion/faces and the ROS4HRI topics of one frame (where available).

        Call under the lock of ``estimator``, right after the frame was processed.
        """
        faces = processed.faces
        confidences = [label_confidence(
            face, estimator.settings, estimator.smoothed_scores(face.face_id))
            for face in faces]
        if self.face_source == ROS4HRI:
            for face, confidence in zip(faces, confidences):
                self._latest[face.face_id] = (face, header, confidence)
        if self.faces_pub is not None:
            if self.face_source == ROS4HRI:
                for face in faces:
                    self._label_holds.update(face.face_id, face.label, face.time_s)
                order = sorted(self._latest, key=lambda face_id: face_id != main_face_id)
                self.faces_pub.publish(ros_outputs.EmotionArray(header=header, faces=[
                    ros_outputs.emotion_message(*self._latest[face_id][:2], self.class_names,
                                                self._latest[face_id][2],
                                                self._label_holds.since(face_id))
                    for face_id in order]))
            else:
                self.faces_pub.publish(ros_outputs.emotion_array_message(
                    faces, header, self.class_names, confidences, self._label_holds))
        if self.hri_faces is not None:
            self.hri_faces.update(faces, header, stamp_s, confidences, processed.drop_after_s)

    def forget(self, face_ids: List[str]) -> None:
        """Forget faces that are no longer tracked (ROS4HRI)."""
        for face_id in face_ids:
            self._latest.pop(face_id, None)
        if self.hri_faces is not None:
            self.hri_faces.forget(face_ids)

    def forget_all(self, publish: bool = True) -> None:
        """Forget every face; with ``publish``, empty ROS4HRI's tracked list too."""
        self._latest.clear()
        self._label_holds.clear()
        if self.hri_faces is not None:
            if publish:
                self.hri_faces.clear()
            else:
                self.hri_faces.forget(self.hri_faces.face_ids())

    def scores_message(self, scores: Dict[str, float]) -> Float32MultiArray:
        """Return the 7 probabilities in the model's class order (all 0 without a face)."""
        out = Float32MultiArray()
        out.layout.dim.append(MultiArrayDimension(
            label=','.join(self.class_names), size=len(self.class_names),
            stride=len(self.class_names)))
        out.data = [float(scores[name]) for name in self.class_names]
        return out

    def debug_image(self, result: EmotionResult, msg, frame: np.ndarray) -> Image:
        """Return the debug image of a frame: the overlay, with the input's header."""
        canvas = draw_overlay(frame, result.label, result.face_found, result.scores,
                              self.class_names)
        image = Image(header=msg.header, encoding='bgr8')
        image.height, image.width, image.step, image.data = bgr_to_image_fields(canvas)
        return image

    def destroy(self) -> None:
        """Stop the debug image's thread and destroy every publisher."""
        self._debug_thread.stop()
        if self.hri_faces is not None:
            self.hri_faces.destroy()
            self.hri_faces = None
        for name in PUBLISHERS:
            publisher: Optional[object] = getattr(self, name)
            if publisher is not None:
                self._node.destroy_lifecycle_publisher(publisher)
                setattr(self, name, None)
