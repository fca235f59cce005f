# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The node's typed messages: ``emotion_estimator_msgs`` and ROS4HRI's ``hri_msgs``.

Both packages come from the colcon workspace; without them the node keeps its ``std_msgs``
topics (:func:`emotion_estimator.message_fields.fallback_message`). The values that need no
message package (the confidence, the expression constant, the ROS4HRI topic names) come from
:mod:`emotion_estimator.message_fields`; ``label_since`` and ``label_held_s`` from
:class:`emotion_estimator.label_hold.LabelHold`.
"""

import math
import threading
from typing import Dict, List, Optional, Sequence

from builtin_interfaces.msg import Time
from sensor_msgs.msg import RegionOfInterest

from emotion_estimator.affect import valence_arousal
from emotion_estimator.face_pipeline import EmotionResult
from emotion_estimator.label_hold import LabelHold
from emotion_estimator.message_fields import expression_name, EXPRESSION_TOPIC, TRACKED_TOPIC

try:
    from emotion_estimator_msgs.msg import Emotion, EmotionArray
except ImportError:  # a plain pip install: no colcon-built interface package
    Emotion = EmotionArray = None
try:
    from hri_msgs.msg import Expression, IdsList
except ImportError:
    Expression = IdsList = None

#: Whether ``emotion_estimator_msgs`` / ``hri_msgs`` can be imported here.
HAVE_EMOTION_MSGS = Emotion is not None
HAVE_HRI_MSGS = Expression is not None


def box_message(box) -> RegionOfInterest:
    """Return an (x, y, width, height) pixel box as a RegionOfInterest (all 0 for None)."""
    if box is None:
        return RegionOfInterest()
    x, y, width, height = (max(int(value), 0) for value in box)
    return RegionOfInterest(x_offset=x, y_offset=y, width=width, height=height,
                            do_rectify=False)


def time_message(seconds: float) -> Time:
    """Return a time in seconds as ``builtin_interfaces/Time`` (negative times as 0)."""
    nanoseconds = max(int(round(seconds * 1e9)), 0)
    return Time(sec=nanoseconds // 1_000_000_000, nanosec=nanoseconds % 1_000_000_000)


def emotion_message(result: EmotionResult, header, class_names: Sequence[str],
                    confidence: float, label_since_s: Optional[float] = None):
    """Return one face's ``emotion_estimator_msgs/Emotion`` with the input image's header.

    ``label_since_s``: the stamp (s) at which the face's current label started
    (:meth:`LabelHold.update`); None = this frame (``label_held_s`` 0).
    """
    valence, arousal = valence_arousal(result.scores)
    since_s = result.time_s if label_since_s is None else min(label_since_s, result.time_s)
    return Emotion(
        header=header, face_id=result.face_id, label=result.label,
        label_since=time_message(since_s), label_held_s=float(result.time_s - since_s),
        confidence=float(confidence), class_names=list(class_names),
        scores=[float(result.scores[name]) for name in class_names],
        valence=float(valence), arousal=float(arousal), box=box_message(result.box),
        resting_face_settled=float(result.resting_face_settled))


def emotion_array_message(results: List[EmotionResult], header, class_names: Sequence[str],
                          confidences: Sequence[float],
                          holds: Optional[LabelHold] = None):
    """Return the ``EmotionArray`` of one frame: every face found, the main face first.

    With ``holds``, each face's label run is updated with this frame (its ``time_s``) and
    ``label_since`` / ``label_held_s`` are filled from it.
    """
    return EmotionArray(header=header, faces=[
        emotion_message(result, header, class_names, confidence,
                        None if holds is None
                        else holds.update(result.face_id, result.label, result.time_s))
        for result, confidence in zip(results, confidences)])


def expression_message(result: EmotionResult, header, confidence: float):
    """Return one face's ``hri_msgs/Expression`` with the input image's header."""
    valence, arousal = valence_arousal(result.scores)
    return Expression(header=header, expression=expression_name(result.label, result.scores),
                      valence=float(valence), arousal=float(arousal),
                      confidence=float(confidence))


class Ros4HriFaces:
    """Publish ``/humans/faces/tracked`` and one ``/humans/faces/<id>/expression`` per face.

    A face's publisher is created when the face first appears and destroyed
    (``node.destroy_publisher``) once the face has not been seen for ``drop_after_s`` or is
    :meth:`forget`-ed; it is then left out of ``/humans/faces/tracked`` too. With
    ``publish_tracked`` False (the faces come from ROS4HRI's own detector, which publishes
    ``/humans/faces/tracked``) only the expressions are published. Thread-safe: frames (worker
    thread) and :meth:`clear` (reset service, camera watchdog) may come from different threads.
    """

    def __init__(self, node, qos_depth: int = 10, publish_tracked: bool = True):
        """Create the ``/humans/faces/tracked`` publisher on ``node`` (if ``publish_tracked``)."""
        self._node = node
        self._qos_depth = qos_depth
        self._lock = threading.Lock()
        self._publishers: Dict[str, object] = {}
        self._last_seen_s: Dict[str, float] = {}
        self.tracked_pub = (node.create_publisher(IdsList, TRACKED_TOPIC, qos_depth)
                            if publish_tracked else None)

    def face_ids(self) -> List[str]:
        """Return the ids that have an expression publisher now, in the order they appeared."""
        with self._lock:
            return list(self._publishers)

    def update(self, results: List[EmotionResult], header, time_s: float,
               confidences: Sequence[float], drop_after_s: float) -> List[str]:
        """Publish one frame's expressions and tracked ids; return the ids published as tracked.

        Args:
            results: The faces found in this frame (``process_faces``), the main face first.
            header: The input image's header (copied into every message).
            time_s: The frame's time (s), as given to ``process_faces``.
            confidences: One confidence per result
                (:func:`emotion_estimator.message_fields.label_confidence`).
            drop_after_s: A face unseen for longer than this (s) is dropped; ``math.inf``:
                only :meth:`forget` drops faces (their images come one face at a time).

        """
        with self._lock:
            for result, confidence in zip(results, confidences):
                face_id = result.face_id
                if face_id not in self._publishers:
                    self._publishers[face_id] = self._node.create_publisher(
                        Expression, EXPRESSION_TOPIC.format(face_id=face_id), self._qos_depth)
                self._last_seen_s[face_id] = time_s
                self._publishers[face_id].publish(expression_message(result, header, confidence))
            if math.isfinite(drop_after_s):  # else the caller forgets faces (ROS4HRI input)
                self._drop([face_id for face_id, seen in self._last_seen_s.items()
                            if not 0.0 <= time_s - seen <= drop_after_s])
            ids = list(self._publishers)
            if self.tracked_pub is not None:
                self.tracked_pub.publish(IdsList(header=header, ids=ids))
        return ids

    def forget(self, face_ids: Sequence[str]) -> None:
        """Drop these faces now (their tracker says they are gone)."""
        with self._lock:
            self._drop(list(face_ids))

    def clear(self, header=None) -> None:
        """Drop every face (reset, camera lost) and publish an empty tracked list."""
        with self._lock:
            self._drop(list(self._publishers))
            if self.tracked_pub is not None:
                self.tracked_pub.publish(IdsList(header=header or IdsList().header, ids=[]))

    def destroy(self) -> None:
        """Destroy every publisher of this manager (the node is shutting down)."""
        with self._lock:
            self._drop(list(self._publishers))
            if self.tracked_pub is not None:
                self._node.destroy_publisher(self.tracked_pub)
                self.tracked_pub = None

    def _drop(self, face_ids: List[str]) -> None:
        """Destroy the publishers of ``face_ids`` (a list, never the dict being changed)."""
        for face_id in face_ids:
            publisher = self._publishers.pop(face_id, None)
            self._last_seen_s.pop(face_id, None)
            if publisher is not None:
                self._node.destroy_publisher(publisher)
