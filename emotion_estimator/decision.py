# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Turn seven class probabilities into a happy / sad / unknown label, once or over time."""

import math
from typing import Optional, Sequence

import numpy as np

from emotion_estimator.contract import CLASS_NAMES, DECISION_LABELS, DecisionSettings

HAPPY, SAD, UNKNOWN = DECISION_LABELS
UNKNOWN_INDEX = DECISION_LABELS.index(UNKNOWN)
_ONE_HOT = np.eye(len(DECISION_LABELS))


def three_class_scores(probabilities: np.ndarray, settings: DecisionSettings,
                       class_names: Sequence[str] = CLASS_NAMES) -> np.ndarray:
    """Return normalised [happy, sad, unknown] scores from 7-class probabilities.

    Unknown is the summed probability of every class other than happy and sad; happy and sad are
    scaled by their gains (tuned on the validation split) before the three are normalised.
    Works on one vector ``[C]`` or a batch ``[N, C]``.
    """
    probabilities = np.asarray(probabilities, dtype=np.float64)
    happy = probabilities[..., class_names.index(HAPPY)]
    sad = probabilities[..., class_names.index(SAD)]
    unknown = np.clip(probabilities.sum(axis=-1) - happy - sad, 0.0, None)
    scores = np.stack([happy * settings.happy_gain, sad * settings.sad_gain, unknown], axis=-1)
    return scores / np.clip(scores.sum(axis=-1, keepdims=True), 1e-12, None)


def label_indices(scores: np.ndarray, settings: DecisionSettings,
                  bonus_for: Optional[str] = None, bonus: float = 0.0) -> np.ndarray:
    """Return the label index (in ``DECISION_LABELS``) of ``[..., 3]`` happy/sad/unknown scores.

    The highest score wins, ``bonus_for`` getting ``bonus`` on top (the filter's hysteresis,
    which only breaks near-ties); a happy or sad winner whose own score is under
    ``min_confidence`` becomes unknown. One row or a batch (training applies it to thousands).
    """
    scores = np.asarray(scores, dtype=np.float64)
    if bonus_for is not None:
        best = (scores + bonus * _ONE_HOT[DECISION_LABELS.index(bonus_for)]).argmax(axis=-1)
    else:
        best = scores.argmax(axis=-1)
    chosen = (scores * _ONE_HOT[best]).sum(axis=-1)
    unsure = (best != UNKNOWN_INDEX) & (chosen < settings.min_confidence)
    return np.where(unsure, UNKNOWN_INDEX, best)


def label_from_scores(scores: np.ndarray, settings: DecisionSettings,
                      bonus_for: Optional[str] = None, bonus: float = 0.0) -> str:
    """Pick the label of the highest of [happy, sad, unknown]; unsure happy/sad become unknown."""
    return DECISION_LABELS[int(label_indices(scores, settings, bonus_for, bonus))]


def decide_label(probabilities: np.ndarray, settings: DecisionSettings,
                 class_names: Sequence[str] = CLASS_NAMES) -> str:
    """Return the label of a single observation (no temporal filtering): used for evaluation."""
    return label_from_scores(three_class_scores(probabilities, settings, class_names), settings)


class LabelFilter:
    """A steady label over time: smoothing, hysteresis and a minimum dwell time.

    Scores are smoothed exponentially with time constant ``smoothing_time_s``; the current label
    gets a ``switch_margin`` head start (hysteresis); a new label must be the winner for
    ``min_dwell_s`` before it is published. Without a face for ``face_lost_grace_s`` the label
    becomes unknown at once.
    """

    def __init__(self, settings: DecisionSettings, class_names: Sequence[str] = CLASS_NAMES):
        """Create a filter that starts at unknown."""
        self.settings = settings
        self.class_names = tuple(class_names)
        self.reset()

    def reset(self) -> None:
        """Forget the history: the label is unknown again."""
        self.label = UNKNOWN
        #: The label of the last frame alone (no smoothing, hysteresis or dwell).
        self.instant_label = UNKNOWN
        self.smoothed: Optional[np.ndarray] = None
        self._last_time: Optional[float] = None
        self._last_face_time: Optional[float] = None
        self._candidate: Optional[str] = None
        self._candidate_since = 0.0

    def update(self, probabilities: Optional[np.ndarray], time_s: float) -> str:
        """Feed one frame's probabilities (None: no face) and return the label to publish."""
        if probabilities is None:
            if (self._last_face_time is None
                    or time_s - self._last_face_time > self.settings.face_lost_grace_s):
                self.reset()
            return self.label
        scores = three_class_scores(probabilities, self.settings, self.class_names)
        self.instant_label = label_from_scores(scores, self.settings)
        if self.smoothed is None or self._last_time is None or time_s <= self._last_time:
            self.smoothed = scores
        else:
            tau = self.settings.smoothing_time_s
            alpha = 1.0 if tau <= 0 else 1.0 - math.exp(-(time_s - self._last_time) / tau)
            self.smoothed = self.smoothed + alpha * (scores - self.smoothed)
        self._last_time = self._last_face_time = time_s
        candidate = label_from_scores(self.smoothed, self.settings,
                                      bonus_for=self.label, bonus=self.settings.switch_margin)
        if candidate == self.label:
            self._candidate = None
        elif candidate != self._candidate:
            self._candidate, self._candidate_since = candidate, time_s
        if self._candidate is not None and \
                time_s - self._candidate_since >= self.settings.min_dwell_s:
            self.label, self._candidate = self._candidate, None
        return self.label
