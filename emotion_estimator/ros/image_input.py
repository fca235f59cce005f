# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The node's input: the camera's image topic, or ROS4HRI's tracked faces and their images.

Every message received goes into the node's :class:`~emotion_estimator.frame_queue.FrameQueue`
(stream None for the camera, the face id for a face's aligned image).
"""

from typing import Callable, List, Optional

import numpy as np
from rclpy.event_handler import QoSMessageLostInfo, SubscriptionEventCallbacks
from rclpy.qos import qos_profile_sensor_data, QoSPolicyKind
from rclpy.qos_overriding_options import QoSOverridingOptions
from sensor_msgs.msg import CompressedImage, Image

from emotion_estimator.frame_queue import FrameQueue
from emotion_estimator.frames import FrameError
from emotion_estimator.message_fields import ALIGNED_TOPIC, tracked_ids, TRACKED_TOPIC
from emotion_estimator.ros import ros_outputs
from emotion_estimator.ros.node_parameters import ROS4HRI
from emotion_estimator.ros.ros4hri_input import Ros4HriInput
from emotion_estimator.ros_image import compressed_to_bgr, image_to_bgr, ImageConversionError


class ImageInput:
    """Subscribe (activate) and unsubscribe (deactivate) the node's input.

    Best effort (``qos_profile_sensor_data``): camera drivers and hri_face_detect publish either
    way, and a best-effort subscription matches both. Reliability, depth and history of the
    image topic can be overridden with the standard ``qos_overrides.<topic>.subscription.*``
    parameters.

    Args:
        node: The node that owns the subscriptions.
        queue: Where the messages go.
        face_source: ``camera`` or ``ros4hri``.
        use_compressed: Read ``image/compressed`` instead of ``image`` (camera only).
        max_faces: The faces followed at once (for the description).
        on_faces_gone: Called with the ids that ROS4HRI stopped tracking.
        warn: Called with a message about an unusable face id, frame or stamp (throttled by
            the caller).

    """

    def __init__(self, node, queue: FrameQueue, face_source: str, use_compressed: bool,
                 max_faces: int, on_faces_gone: Callable[[List[str]], None],
                 warn: Callable[[str], None]):
        """Resolve the input topic; subscribe to nothing yet."""
        self._node, self._queue = node, queue
        self.face_source, self.use_compressed = face_source, use_compressed
        self._on_faces_gone = on_faces_gone
        self._warn = warn
        self.subscription = None
        self._faces = Ros4HriInput(node, self._on_image, warn)
        self._relative_topic = 'image/compressed' if use_compressed else 'image'
        #: The topic read (ROS4HRI: the tracked list), as resolved by the node.
        self.topic = (TRACKED_TOPIC if face_source == ROS4HRI
                      else node.resolve_topic_name(self._relative_topic))
        self._max_faces = max_faces

    @property
    def description(self) -> str:
        """Return what is read, for the log."""
        if self.face_source == ROS4HRI:
            return (f'ROS4HRI: {TRACKED_TOPIC} and each '
                    f'{ALIGNED_TOPIC.format(face_id="<id>")} (Image)')
        return (f'{self.topic} ({"CompressedImage" if self.use_compressed else "Image"}, '
                f'max_faces {self._max_faces})')

    def __contains__(self, face_id: Optional[str]) -> bool:
        """Return whether frames of this face are still wanted (always for the camera)."""
        return face_id is None or face_id in self._faces

    @property
    def subscribed(self) -> bool:
        """Return whether the input is subscribed to."""
        return self.subscription is not None

    def subscribe(self) -> None:
        """Subscribe to the camera topic or to ROS4HRI's tracked list."""
        if self.face_source == ROS4HRI:
            self.subscription = self._node.create_subscription(
                ros_outputs.IdsList, TRACKED_TOPIC, self._on_tracked,
                qos_profile_sensor_data)
            return
        overrides = QoSOverridingOptions(policy_kinds=(
            QoSPolicyKind.RELIABILITY, QoSPolicyKind.DEPTH, QoSPolicyKind.HISTORY))
        self.subscription = self._node.create_subscription(
            CompressedImage if self.use_compressed else Image, self._relative_topic,
            self._on_image, qos_profile_sensor_data, qos_overriding_options=overrides,
            event_callbacks=SubscriptionEventCallbacks(message_lost=self._on_message_lost))

    def unsubscribe(self) -> None:
        """Destroy every subscription (also each face's)."""
        if self.subscription is not None:
            self._node.destroy_subscription(self.subscription)
            self.subscription = None
        self._faces.destroy()

    def frame(self, msg) -> Optional[np.ndarray]:
        """Return the BGR frame of an Image or CompressedImage (None and counted if it cannot)."""
        try:
            if isinstance(msg, CompressedImage):
                frame = compressed_to_bgr(msg.format, msg.data)
            else:
                frame = image_to_bgr(msg.encoding, msg.height, msg.width, msg.step, msg.data)
        except (ImageConversionError, FrameError) as error:
            self._queue.conversion_failed(str(error))
            self._warn(f'dropping a frame that cannot be converted: {error}')
            return None
        self._queue.conversion_succeeded()
        return frame

    def stamp_seconds(self, msg, now_s: Callable[[], float]) -> float:
        """Return the header stamp of ``msg`` in seconds (``now_s()`` when the stamp is zero)."""
        stamp = msg.header.stamp
        seconds = stamp.sec + stamp.nanosec * 1e-9
        if seconds == 0.0:
            self._warn('image header stamp is zero; using the node clock (set header.stamp in '
                       'the camera driver)')
            seconds = now_s()
        return seconds

    def _on_image(self, msg, face_id: Optional[str] = None) -> None:
        self._queue.put(face_id, msg)

    def _on_tracked(self, msg) -> None:
        """Follow ROS4HRI's tracked faces: subscribe to new faces' images, forget gone ones."""
        ids = tracked_ids(msg.ids)
        self._queue.note_faces_listed(bool(ids))
        gone = self._faces.update(ids)
        if gone:
            self._queue.drop_streams(gone, 'face_gone')
            self._on_faces_gone(gone)

    def _on_message_lost(self, info: QoSMessageLostInfo) -> None:
        """Count the frames DDS says were sent but never arrived."""
        self._queue.lost_in_transport(info.total_count_change, info.total_count)
