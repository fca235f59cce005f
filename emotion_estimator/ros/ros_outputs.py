# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The node's typed messages: ``emotion_estimator_msgs`` and ROS4HRI's ``hri_msgs``.

Both packages come from the colcon workspace; without them the node keeps its ``std_msgs``
topics (:func:`fallback_message`). ``confidence`` is the smoothed happy / sad / unknown score of
the published label (:func:`label_confidence`); ``label_since`` and ``label_held_s`` come from
:class:`emotion_estimator.label_hold.LabelHold`.
"""

import math
import threading
from typing import Dict, List, Mapping, Optional, Sequence

from builtin_interfaces.msg import Time
import numpy as np
from sensor_msgs.msg import RegionOfInterest

from emotion_estimator.affect import valence_arousal
from emotion_estimator.contract import DECISION_LABELS, DecisionSettings
from emotion_estimator.decision import three_class_scores, UNKNOWN
from emotion_estimator.face_pipeline import EmotionResult
from emotion_estimator.label_hold import LabelHold

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

#: ROS4HRI's topics (REP-155).
TRACKED_TOPIC = '/humans/faces/tracked'
EXPRESSION_TOPIC = '/humans/faces/{face_id}/expression'

#: The ``hri_msgs/Expression`` constant (its string value) of each FER2013 class.
CLASS_EXPRESSIONS: Dict[str, str] = {
    'angry': 'angry',
    'disgust': 'disgusted',
    'fear': 'scared',
    'happy': 'happy',
    'sad': 'sad',
    'surprise': 'surprised',
    'neutral': 'neutral',
}


def fallback_message(have_emotion_msgs: bool = HAVE_EMOTION_MSGS,
                     have_hri_msgs: bool = HAVE_HRI_MSGS) -> Optional[str]:
    """Return the one log line saying what the node falls back to, or None with both packages.

    The line names the fix of each missing package: without a system ROS,
    ``scripts/build_ros_workspace.sh`` (which ``scripts/demo.sh`` runs) builds
    ``emotion_estimator_msgs`` from PyPI wheels with cmake and a C/C++ compiler, and ``hri_msgs``
    only from the shared ROS sources (it skips it without them); with a system ROS, rosdep
    installs ``hri_msgs`` and colcon builds ``emotion_estimator_msgs`` beside the node.
    """
    missing = [name for name, have in (('emotion_estimator_msgs', have_emotion_msgs),
                                       ('hri_msgs', have_hri_msgs)) if not have]
    if not missing:
        return None
    lost = [topic for topic, have in (('emotion/faces', have_emotion_msgs),
                                      (f'{TRACKED_TOPIC} and /humans/faces/<id>/expression',
                                       have_hri_msgs)) if not have]
    working = 'emotion, emotion/scores and emotion/header (std_msgs)'
    if have_emotion_msgs:
        working = 'emotion, emotion/scores, emotion/header (std_msgs) and emotion/faces'
    hri_sources = 'its sources at ../shared/ros/src or $EMOTION_ESTIMATOR_SHARED/ros/src'
    if have_emotion_msgs:  # built without the shared sources (or a system ROS without it)
        fix = (f'scripts/build_ros_workspace.sh builds hri_msgs only from {hri_sources} (it '
               'skips it without them); with a system ROS, rosdep installs it')
    else:
        built = 'emotion_estimator_msgs (needs cmake, make and a C/C++ compiler)'
        if not have_hri_msgs:
            built += f' and hri_msgs (needs {hri_sources})'
        fix = (f'scripts/build_ros_workspace.sh builds {built}, then source build_ros/env.sh '
               'before starting the node; with a system ROS, rosdep and colcon')
    return (f'{" and ".join(missing)} cannot be imported: not publishing {" nor ".join(lost)}; '
            f'{working} work as usual. Without a system ROS, {fix} '
            '(README, "Build with colcon").')


def label_confidence(result: EmotionResult, settings: DecisionSettings,
                     smoothed: Optional[Sequence[float]] = None) -> float:
    """Return the confidence of ``result.label``: its smoothed happy / sad / unknown score.

    Args:
        result: One face's result.
        settings: The decision settings in use (their gains scale happy and sad).
        smoothed: The label filter's smoothed ``[happy, sad, unknown]`` scores of this face
            (``EmotionEstimator.smoothed_scores``); without them the unsmoothed scores of
            this frame's window.

    Returns:
        A score from 0 to 1; 0 when the face has no scores yet.

    """
    if smoothed is None:
        names = tuple(result.scores)
        probabilities = np.array([result.scores[name] for name in names], dtype=np.float64)
        if not probabilities.sum() > 0:
            return 0.0
        smoothed = three_class_scores(probabilities, settings, names)
    return float(np.clip(smoothed[DECISION_LABELS.index(result.label)], 0.0, 1.0))


def expression_name(label: str, scores: Mapping[str, float]) -> str:
    """Return the nearest ``hri_msgs/Expression`` constant for a label and its class scores.

    Happy and sad are the label's own constants. ``unknown`` is the summed probability of the
    other five classes, so it becomes the expression of the largest of those (``neutral``,
    ``surprised``, ``angry``, ``scared`` or ``disgusted``); without scores, ``neutral``.
    """
    if label != UNKNOWN:
        return CLASS_EXPRESSIONS[label]
    others = {name: score for name, score in scores.items() if name not in DECISION_LABELS}
    if not others or max(others.values()) <= 0.0:
        return CLASS_EXPRESSIONS['neutral']
    return CLASS_EXPRESSIONS[max(others, key=others.get)]


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
            confidences: One confidence per result (:func:`label_confidence`).
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
