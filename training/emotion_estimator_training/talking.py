# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Talking faces over time: how a clip reads, and how often a talker is called happy or sad.

A clip *reads* ``happy`` or ``sad`` when that label is published on at least
:data:`CLIP_SHARE` of its frames after the first third (the more frequent of the two), else
``unknown``. A robot acts on what it hears for a while, so the share of a neutral talker's
frames published ``happy`` or ``sad`` is the false-alarm rate that counts.

:func:`replay_clip` runs the runtime's own per-face pieces (resting face, frame window, label
filter) on a clip's recorded blendshapes with any ``predict`` function, so that a model can be
scored on talking video before it is exported (the build's selection and decision tuning).
"""

from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
from sklearn.metrics import f1_score

from emotion_estimator.contract import CLASS_NAMES, DECISION_LABELS, DecisionSettings
from emotion_estimator.decision import LabelFilter
from emotion_estimator.resting_face import RestingFace, RestingFacePrior
from emotion_estimator.window import BlendshapeWindow

from emotion_estimator_training.labels import to_three_class

#: Share of the frames after the first third that makes a clip read happy or sad.
CLIP_SHARE = 0.2
HAPPY, SAD, UNKNOWN = (DECISION_LABELS.index(name) for name in ('happy', 'sad', 'unknown'))


def late_shares(labels: Sequence[str]) -> Dict[str, float]:
    """Return the share of a clip's frames after its first third published happy, and sad."""
    late = list(labels)[len(labels) // 3:]
    return {name: late.count(name) / len(late) if late else 0.0 for name in ('happy', 'sad')}


def clip_label(labels: Sequence[str]) -> str:
    """Return what a clip reads from its published labels (see the module docstring)."""
    shares = late_shares(labels)
    best = max(shares, key=lambda name: (shares[name], name == 'sad'))
    return best if shares[best] >= CLIP_SHARE else 'unknown'


def clip_windows(blendshapes: np.ndarray, fps: float, indices: Sequence[int], length: int,
                 prior: Optional[RestingFacePrior], stride: int = 1
                 ) -> Tuple[np.ndarray, np.ndarray]:
    """Return the runtime's window at every frame with a face, and which frames had one.

    ``blendshapes`` ``[N, 52]`` (NaN rows: no face) are read as the estimator reads a camera
    stream: through the face's :class:`RestingFace` (when ``prior`` is given) into a
    :class:`BlendshapeWindow` (every ``stride``-th frame) that restarts when the face is missing.
    """
    window = BlendshapeWindow(length, stride=stride)
    resting = RestingFace(prior) if prior is not None else None
    windows, has_face = [], np.zeros(len(blendshapes), bool)
    indices = list(indices)
    for index, row in enumerate(blendshapes):
        time_s = index / fps
        if np.isnan(row[0]):
            window.reset()
            if resting is not None:
                resting.face_lost(time_s)
            continue
        features = resting.update(row, time_s) if resting is not None else row
        window.push(features[indices], time_s)
        windows.append(window.as_array())
        has_face[index] = True
    shape = (0, length, len(indices))
    return (np.array(windows, np.float32) if windows else np.zeros(shape, np.float32)), has_face


def replay_labels(probabilities: np.ndarray, has_face: np.ndarray, times_s: Sequence[float],
                  settings: DecisionSettings) -> List[str]:
    """Return the label the runtime's ``LabelFilter`` publishes at every frame.

    ``probabilities`` holds the frames with a face (``has_face``), in order; ``times_s`` the
    time of every frame.
    """
    label_filter = LabelFilter(settings, CLASS_NAMES)
    rows = iter(probabilities)
    return [label_filter.update(next(rows) if face else None, float(time_s))
            for face, time_s in zip(has_face, times_s)]


def replay_clip(blendshapes: np.ndarray, fps: float, indices: Sequence[int], length: int,
                prior: Optional[RestingFacePrior],
                predict: Callable[[np.ndarray], np.ndarray],
                stride: int = 1) -> Tuple[np.ndarray, np.ndarray]:
    """Return the 7 class probabilities at every frame with a face, and the face mask."""
    windows, has_face = clip_windows(blendshapes, fps, indices, length, prior, stride)
    probabilities = predict(windows) if len(windows) else np.zeros((0, len(CLASS_NAMES)))
    return np.asarray(probabilities, np.float64), has_face


def talking_report(clips: Sequence[Tuple[int, Sequence[str]]]) -> Dict[str, object]:
    """Score clips given as ``(FER2013 class index, published label per frame)``.

    Returns the per-clip 3-class macro-F1, the clips found per class (recall) and the share of
    the clips read as a class that are of it (precision, for the classes some clip read as),
    the share of the neutral talkers' frames published happy and sad, and the same share for
    every true class.
    """
    true3 = to_three_class(np.array([label for label, _ in clips], dtype=np.int64))
    read = np.array([DECISION_LABELS.index(clip_label(labels)) for _, labels in clips])
    per_class = {}
    for index, name in enumerate(CLASS_NAMES):
        frames = [frame for label, labels in clips if label == index for frame in labels]
        if frames:
            per_class[name] = {'clips': sum(label == index for label, _ in clips),
                               'frames': len(frames),
                               'happy_share': round(frames.count('happy') / len(frames), 4),
                               'sad_share': round(frames.count('sad') / len(frames), 4),
                               'clips_read': {d: int(sum(DECISION_LABELS[r] == d for (label, _),
                                                         r in zip(clips, read) if label == index))
                                              for d in DECISION_LABELS}}
    found = {name: round(float(np.mean(read[true3 == i] == i)), 4)
             for i, name in enumerate(DECISION_LABELS) if (true3 == i).any()}
    precision = {name: round(float(np.mean(true3[read == i] == i)), 4)
                 for i, name in enumerate(DECISION_LABELS) if (read == i).any()}
    neutral = per_class.get('neutral', {})
    return {'clips': len(clips),
            'clip_macro_f1': round(float(f1_score(true3, read, labels=[0, 1, 2],
                                                  average='macro', zero_division=0)), 4),
            'clips_found': found,
            'clips_precision': precision,
            'neutral_talkers_happy_share': neutral.get('happy_share'),
            'neutral_talkers_sad_share': neutral.get('sad_share'),
            'per_class': per_class}
