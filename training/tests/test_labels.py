# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Training's batch decision is the runtime's, on real probabilities of the shipped model.

The same label as ``decision.label_from_scores`` row by row and as a new ``LabelFilter``.
"""

import numpy as np
import pytest

from emotion_estimator.contract import CLASS_NAMES, DECISION_LABELS, DecisionSettings, shared_dir
from emotion_estimator.decision import label_from_scores, LabelFilter, three_class_scores

from emotion_estimator_training import api_eval
from emotion_estimator_training.labels import decide_three_class, to_three_class, UNKNOWN_INDEX
from emotion_estimator_training.robot_tuning import PROBABILITIES

#: Decision settings around and away from the shipped ones: gains that favour happy, sad or
#: neither, with and without a confidence floor, and wide and narrow hysteresis.
SETTINGS = [DecisionSettings(happy_gain=h, sad_gain=s, min_confidence=c, switch_margin=m,
                             min_dwell_s=0.0)
            for h, s, c, m in ((0.8, 3.4, 0.0, 0.1), (1.0, 1.0, 0.4, 0.1), (2.5, 0.7, 0.0, 0.0),
                               (1.6, 2.2, 0.55, 0.3), (0.6, 4.0, 0.45, 0.05))]


@pytest.fixture(scope='module')
def probabilities(face_model) -> np.ndarray:
    """Return the 7 class probabilities of every frame of real faces through the estimator."""
    paths, labels = api_eval.fer_test_set(shared_dir() / 'datasets' / 'fer2013', 'val')
    # Happy, sad and other faces: both sides of every decision boundary.
    chosen = [paths[i] for name in ('happy', 'sad', 'neutral', 'angry', 'surprise')
              for i in np.flatnonzero(labels == CLASS_NAMES.index(name))[:3]]
    results = api_eval.run_jobs(api_eval.held_still_jobs(chosen), None, str(face_model),
                                trace=True)
    rows = np.concatenate([record[:, PROBABILITIES] for _, record in results])
    rows = rows[~np.isnan(rows).any(axis=1)]
    assert len(rows) >= 100, 'the estimator should find most of these faces'
    return rows


def test_the_batch_decision_is_the_runtimes_rule_row_by_row(probabilities):
    decided_any = set()
    for settings in SETTINGS:
        for bonus in (0.0, settings.switch_margin):
            batch = decide_three_class(probabilities, settings, bonus)
            one_by_one = [DECISION_LABELS.index(label_from_scores(
                three_class_scores(row, settings), settings, bonus_for='unknown', bonus=bonus))
                for row in probabilities]
            assert batch.tolist() == one_by_one
            decided_any.update(batch.tolist())
    assert decided_any == {0, 1, 2}, 'real faces should reach happy, sad and unknown'


def test_the_batch_decision_is_what_a_new_label_filter_publishes(probabilities):
    for settings in SETTINGS:
        filtered, instant = [], []
        for row in probabilities:
            label_filter = LabelFilter(settings)  # a face just met: starts at unknown
            filtered.append(DECISION_LABELS.index(label_filter.update(row, 0.0)))
            instant.append(DECISION_LABELS.index(label_filter.instant_label))
        assert decide_three_class(probabilities, settings,
                                  settings.switch_margin).tolist() == filtered
        assert decide_three_class(probabilities, settings).tolist() == instant


def test_no_rows_decide_nothing():
    assert decide_three_class(np.zeros((0, 7)), SETTINGS[0]).shape == (0,)


def test_three_classes_from_seven():
    labels = np.arange(len(CLASS_NAMES))
    expected = [DECISION_LABELS.index(name) if name in ('happy', 'sad') else UNKNOWN_INDEX
                for name in CLASS_NAMES]
    assert to_three_class(labels).tolist() == expected
    assert to_three_class(np.array([-1])).tolist() == [-1]
