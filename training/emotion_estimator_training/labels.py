# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""FER2013 classes to the robot's three labels, and the runtime's decision on a batch."""

import numpy as np

from emotion_estimator.contract import CLASS_NAMES, DECISION_LABELS, DecisionSettings
from emotion_estimator.decision import label_indices, three_class_scores, UNKNOWN_INDEX


def to_three_class(labels7: np.ndarray) -> np.ndarray:
    """Map FER2013 class indices to happy=0 / sad=1 / unknown=2; negative (no face) stays."""
    labels7 = np.asarray(labels7, dtype=np.int64)
    mapping = np.full(len(CLASS_NAMES), UNKNOWN_INDEX)
    mapping[CLASS_NAMES.index('happy')] = DECISION_LABELS.index('happy')
    mapping[CLASS_NAMES.index('sad')] = DECISION_LABELS.index('sad')
    return np.where(labels7 < 0, labels7, mapping[np.clip(labels7, 0, None)])


def decide_three_class(probabilities: np.ndarray, settings: DecisionSettings,
                       unknown_bonus: float = 0.0) -> np.ndarray:
    """Apply the runtime decision (``decision.label_indices``) to a batch of probabilities.

    ``unknown_bonus`` is the label filter's hysteresis when it starts from unknown (a new face):
    happy or sad must then beat unknown by ``switch_margin``.
    """
    scores = three_class_scores(probabilities, settings)
    return label_indices(scores, settings, bonus_for='unknown',
                         bonus=unknown_bonus).astype(np.int64)
