# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Metrics of a label sequence: time per label, segments, runs, transitions, average scores.

Each runs over two sequences: ``label``, the published 3-class label (emotions happy and sad;
unknown, which includes no face, is the neutral state), and ``emotion``, the unfiltered argmax of
the seven FER2013 scores (all seven are emotions; neutral and :data:`NO_FACE` are neutral states).
"""

from dataclasses import dataclass
import math
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np

from emotion_estimator.analysis.timeline import FrameRecord
from emotion_estimator.contract import CLASS_NAMES, DECISION_LABELS

#: The 7-class label of a frame where no face was found.
NO_FACE = 'no_face'
#: Names of the five equal time segments, first to last.
SEGMENT_NAMES: Tuple[str, ...] = ('First', 'First-Mid', 'Mid', 'Mid-Last', 'Last')
#: Emotions and neutral states of the 3-class published label.
LABEL_EMOTIONS: Tuple[str, ...] = ('happy', 'sad')
LABEL_NEUTRAL_STATES: Tuple[str, ...] = ('unknown',)
#: Neutral states of the 7-class argmax (its emotions are all seven classes).
EMOTION_NEUTRAL_STATES: Tuple[str, ...] = ('neutral', NO_FACE)


@dataclass(frozen=True)
class Run:
    """A maximal stretch of consecutive frames with the same label."""

    label: str
    start_s: float
    duration_s: float
    frames: int


@dataclass(frozen=True)
class Transitions:
    """Counts of label changes (see :func:`count_transitions`)."""

    hard: int
    soft: int
    changes: int

    @property
    def total(self) -> int:
        """Return hard + soft transitions."""
        return self.hard + self.soft


def emotion_labels(records: Sequence[FrameRecord],
                   class_names: Sequence[str] = CLASS_NAMES) -> List[str]:
    """Return the 7-class argmax label of each frame (:data:`NO_FACE` without a face).

    Ties go to the class that comes first in ``class_names``.
    """
    labels = []
    for record in records:
        if not record.face_found:
            labels.append(NO_FACE)
        else:
            labels.append(max(class_names, key=lambda name: record.scores[name]))
    return labels


def average_scores(records: Sequence[FrameRecord], durations: Sequence[float],
                   class_names: Sequence[str] = CLASS_NAMES) -> Dict[str, Optional[float]]:
    """Return the duration-weighted mean score of each class over the frames with a face.

    Frames without a face are left out (their scores are not a measurement). A recording without
    any face gives None for every class.
    """
    weights = np.array([d for r, d in zip(records, durations) if r.face_found], np.float64)
    if weights.size == 0:
        return {name: None for name in class_names}
    scores = np.array([[r.scores[name] for name in class_names]
                       for r in records if r.face_found], np.float64)
    if weights.sum() <= 0:
        weights = np.ones_like(weights)
    mean = weights @ scores / weights.sum()
    return {name: float(value) for name, value in zip(class_names, mean)}


def segment_indices(times: Sequence[float], durations: Sequence[float],
                    segments: int = len(SEGMENT_NAMES)) -> List[int]:
    """Return the index of the equal time segment each frame starts in.

    The analysed span [first time, last time + last duration) is cut into ``segments`` equal
    parts; a frame belongs to the part its time falls in.
    """
    if len(times) == 0:
        return []
    start = float(times[0])
    span = float(times[-1]) + float(durations[-1]) - start
    if span <= 0:
        return [0] * len(times)
    return [min(int(math.floor((t - start) / span * segments)), segments - 1) for t in times]


def dominant_emotion_per_segment(
        records: Sequence[FrameRecord], durations: Sequence[float],
        class_names: Sequence[str] = CLASS_NAMES) -> Dict[str, Optional[str]]:
    """Return, per segment, the class with the highest mean score over its frames with a face.

    This is :func:`average_scores` restricted to one of the five equal time segments
    (:data:`SEGMENT_NAMES`), then its argmax; None for a segment without a face.
    """
    indices = segment_indices([r.time_s for r in records], durations)
    result: Dict[str, Optional[str]] = {}
    for number, name in enumerate(SEGMENT_NAMES):
        chosen = [i for i, index in enumerate(indices) if index == number]
        means = average_scores([records[i] for i in chosen], [durations[i] for i in chosen],
                               class_names)
        if any(value is None for value in means.values()):
            result[name] = None
        else:
            result[name] = max(class_names, key=lambda c: means[c])
    return result


def dominant_label_per_segment(labels: Sequence[str], times: Sequence[float],
                               durations: Sequence[float],
                               order: Sequence[str] = DECISION_LABELS) -> Dict[str, Optional[str]]:
    """Return, per segment, the label held for the longest total time (ties: first in order).

    Used for the 3-class published label, where unknown competes like any other label.
    """
    indices = segment_indices(times, durations)
    result: Dict[str, Optional[str]] = {}
    for number, name in enumerate(SEGMENT_NAMES):
        totals: Dict[str, float] = {}
        for label, index, duration in zip(labels, indices, durations):
            if index == number:
                totals[label] = totals.get(label, 0.0) + float(duration)
        if not totals:
            result[name] = None
            continue
        rank = {label: i for i, label in enumerate(order)}
        result[name] = max(totals, key=lambda k: (totals[k], -rank.get(k, len(rank))))
    return result


def find_runs(labels: Sequence[str], times: Sequence[float],
              durations: Sequence[float]) -> List[Run]:
    """Split a label sequence into runs: maximal stretches of consecutive equal labels."""
    runs: List[Run] = []
    start = 0
    for i in range(1, len(labels) + 1):
        if i == len(labels) or labels[i] != labels[start]:
            runs.append(Run(labels[start], float(times[start]),
                            float(np.sum(durations[start:i])), i - start))
            start = i
    return runs


def longest_and_shortest_run(runs: Iterable[Run],
                             emotions: Iterable[str]) -> Tuple[Optional[Run], Optional[Run]]:
    """Return the longest and the shortest run of an emotion (ties: the earlier run).

    Runs of labels that are not in ``emotions`` (unknown, no face) are ignored.
    """
    emotions = set(emotions)
    candidates = [run for run in runs if run.label in emotions]
    if not candidates:
        return None, None
    longest = max(candidates, key=lambda run: run.duration_s)
    shortest = min(candidates, key=lambda run: run.duration_s)
    return longest, shortest


def count_transitions(labels: Sequence[str], neutral_states: Iterable[str]) -> Transitions:
    """Count hard and soft transitions between emotions in a label sequence.

    Walk the runs of the sequence, remembering the last emotion (a label not in
    ``neutral_states``). When a run of emotion B follows emotion A with B != A:

    * it is a **hard** transition if B directly follows A (no frame in between);
    * it is a **soft** transition if A and B are separated by one or more neutral-state runs
      (for the 3-class label: unknown or no face; for the 7-class argmax: neutral or no face).

    A -> neutral -> A is no transition, and neither is the first emotion after the start.
    ``changes`` counts every change of the label, neutral states included.
    """
    neutral_states = set(neutral_states)
    hard = soft = changes = 0
    last_emotion: Optional[str] = None
    through_neutral = False
    previous: Optional[str] = None
    for label in labels:
        if label == previous:
            continue
        if previous is not None:
            changes += 1
        previous = label
        if label in neutral_states:
            through_neutral = True
            continue
        if last_emotion is not None and label != last_emotion:
            if through_neutral:
                soft += 1
            else:
                hard += 1
        last_emotion = label
        through_neutral = False
    return Transitions(hard=hard, soft=soft, changes=changes)


def per_minute(count: float, duration_s: float) -> float:
    """Return ``count`` per minute of ``duration_s`` (0 for an empty duration)."""
    return float(count) * 60.0 / duration_s if duration_s > 0 else 0.0


def observed_emotions(labels: Iterable[str], emotions: Iterable[str]) -> List[str]:
    """Return the emotions that label at least one frame, in the order of ``emotions``."""
    seen = set(labels)
    return [emotion for emotion in emotions if emotion in seen]
