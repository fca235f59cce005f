# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""ROS4HRI input: one ``/humans/faces/<id>/aligned`` subscription per face that is tracked.

With ``face_source: ros4hri`` the node follows ``/humans/faces/tracked`` (``hri_msgs/IdsList``,
published by ROS4HRI's ``hri_face_detect``) and reads each tracked face's aligned image.
"""

import functools
from typing import Callable, Dict, List, Optional

from rclpy.exceptions import InvalidTopicNameException
from rclpy.qos import qos_profile_sensor_data
from sensor_msgs.msg import Image

from emotion_estimator.message_fields import ALIGNED_TOPIC, TRACKED_TOPIC


class Ros4HriInput:
    """Subscribe to each tracked face's aligned image; unsubscribe when it is no longer tracked.

    Args:
        node: The node that owns the subscriptions.
        on_image: Called with ``(msg, face_id)`` for each aligned image.
        warn: Called with a message for an id that makes no valid topic name.

    """

    def __init__(self, node, on_image: Callable[[Image, str], None],
                 warn: Callable[[str], None]):
        """Start with no face."""
        self._node = node
        self._on_image = on_image
        self._warn = warn
        #: face id -> its ``aligned`` subscription, in the order they appeared.
        self._subscriptions: Dict[str, object] = {}

    def __contains__(self, face_id: Optional[str]) -> bool:
        """Return whether ``face_id`` is followed now."""
        return face_id in self._subscriptions

    def face_ids(self) -> List[str]:
        """Return the faces followed now, in the order they appeared."""
        return list(self._subscriptions)

    def update(self, ids: List[str]) -> List[str]:
        """Follow exactly ``ids`` (from ``tracked_ids``); return the ids no longer followed."""
        for face_id in ids:
            if face_id in self._subscriptions:
                continue
            topic = ALIGNED_TOPIC.format(face_id=face_id)
            try:
                self._subscriptions[face_id] = self._node.create_subscription(
                    Image, topic, functools.partial(self._on_image, face_id=face_id),
                    qos_profile_sensor_data)
            except InvalidTopicNameException:
                self._warn(f'ignoring face id {face_id!r} of {TRACKED_TOPIC}: {topic} is not '
                           'a valid topic name')
        gone = [face_id for face_id in self._subscriptions if face_id not in ids]
        for face_id in gone:
            self._node.destroy_subscription(self._subscriptions.pop(face_id))
        return gone

    def destroy(self) -> None:
        """Unsubscribe from every face."""
        for subscription in self._subscriptions.values():
            self._node.destroy_subscription(subscription)
        self._subscriptions.clear()
