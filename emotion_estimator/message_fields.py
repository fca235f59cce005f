# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""What the node's messages say, worked out without ROS (no rclpy, no message package).

ROS4HRI's topic names, the ``hri_msgs/Expression`` constant of a label, the confidence of a label,
the face ids of a tracked list and the log line of a node without its message packages.
``emotion_estimator.ros`` puts these values into messages.
"""

from typing import Dict, Iterable, List, Mapping, Optional, Sequence

import numpy as np

from emotion_estimator.contract import DECISION_LABELS, DecisionSettings
from emotion_estimator.decision import three_class_scores, UNKNOWN
from emotion_estimator.face_pipeline import EmotionResult

#: ROS4HRI's topics (REP-155): the tracked faces, each face's expression (published by the node)
#: and each face's aligned image (read with ``face_source: ros4hri``).
TRACKED_TOPIC = '/humans/faces/tracked'
EXPRESSION_TOPIC = '/humans/faces/{face_id}/expression'
ALIGNED_TOPIC = '/humans/faces/{face_id}/aligned'

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


def tracked_ids(ids: Iterable[str]) -> List[str]:
    """Return the face ids of a tracked list once each, in order, without empty ones."""
    return [face_id for face_id in dict.fromkeys(ids) if face_id]


def fallback_message(have_emotion_msgs: bool, have_hri_msgs: bool) -> Optional[str]:
    """Return the one log line saying what the node falls back to, or None with both packages.

    The line names the fix of each missing package: without a system ROS,
    ``scripts/build_ros_workspace.sh`` (which ``scripts/demo.sh`` runs) builds
    ``emotion_estimator_msgs`` from PyPI wheels with cmake and a C/C++ compiler, and ``hri_msgs``
    only from the shared ROS sources (it skips it without them); with a system ROS, rosdep
    installs ``hri_msgs`` and colcon builds ``emotion_estimator_msgs`` beside the node.

    Args:
        have_emotion_msgs: Whether ``emotion_estimator_msgs`` can be imported.
        have_hri_msgs: Whether ``hri_msgs`` can be imported.

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
