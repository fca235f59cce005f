# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Tests of the happy / sad / unknown decision and of the temporal label filter."""

import numpy as np
import pytest

from emotion_estimator.contract import CLASS_NAMES, DecisionSettings
from emotion_estimator.decision import (
    decide_label, label_from_scores, LabelFilter, three_class_scores)

RATE_HZ = 15.0
STEP_S = 1.0 / RATE_HZ


def probabilities(happy: float = 0.0, sad: float = 0.0, neutral: float = 0.0,
                  **others: float) -> np.ndarray:
    """Return 7-class probabilities in CLASS_NAMES order, the rest spread over 'angry'."""
    values = dict(happy=happy, sad=sad, neutral=neutral, **others)
    vector = np.array([values.get(name, 0.0) for name in CLASS_NAMES], dtype=np.float32)
    vector[CLASS_NAMES.index('angry')] += 1.0 - vector.sum()
    return vector


HAPPY = probabilities(happy=0.9, neutral=0.1)
SAD = probabilities(sad=0.85, neutral=0.15)
NEUTRAL = probabilities(happy=0.05, sad=0.05, neutral=0.9)


def feed(label_filter: LabelFilter, probs, start_s: float, frames: int):
    """Feed the same probabilities for ``frames`` frames at 15 Hz; return (labels, next time)."""
    labels = []
    for i in range(frames):
        labels.append(label_filter.update(probs, start_s + i * STEP_S))
    return labels, start_s + frames * STEP_S


def test_three_class_scores_sum_the_other_classes():
    probs = probabilities(happy=0.5, sad=0.2, neutral=0.1, surprise=0.1, fear=0.05)
    scores = three_class_scores(probs, DecisionSettings())
    np.testing.assert_allclose(scores, [0.5, 0.2, 0.3], atol=1e-6)
    assert scores.dtype == np.float64


def test_three_class_scores_apply_gains_then_normalise():
    probs = probabilities(happy=0.2, sad=0.2, neutral=0.6)
    scores = three_class_scores(probs, DecisionSettings(happy_gain=2.0, sad_gain=0.5))
    np.testing.assert_allclose(scores, np.array([0.4, 0.1, 0.6]) / 1.1, atol=1e-6)
    assert scores.sum() == pytest.approx(1.0)


def test_three_class_scores_on_a_batch_and_another_class_order():
    order = tuple(reversed(CLASS_NAMES))
    batch = np.stack([HAPPY[::-1], SAD[::-1], NEUTRAL[::-1]])
    scores = three_class_scores(batch, DecisionSettings(), order)
    assert scores.shape == (3, 3)
    np.testing.assert_allclose(scores[0], [0.9, 0.0, 0.1], atol=1e-6)
    np.testing.assert_allclose(scores[1], [0.0, 0.85, 0.15], atol=1e-6)
    np.testing.assert_allclose(scores.sum(axis=1), 1.0)


def test_three_class_scores_of_all_zero_do_not_divide_by_zero():
    scores = three_class_scores(np.zeros(7), DecisionSettings())
    assert np.isfinite(scores).all()


def test_decide_label_single_observation():
    settings = DecisionSettings(min_confidence=0.4)
    assert decide_label(HAPPY, settings) == 'happy'
    assert decide_label(SAD, settings) == 'sad'
    assert decide_label(NEUTRAL, settings) == 'unknown'


def test_gain_changes_the_decision():
    probs = probabilities(happy=0.3, sad=0.0, neutral=0.7)
    assert decide_label(probs, DecisionSettings(min_confidence=0.0)) == 'unknown'
    assert decide_label(probs, DecisionSettings(happy_gain=3.0, min_confidence=0.0)) == 'happy'
    sad_probs = probabilities(sad=0.4, neutral=0.6)
    assert decide_label(sad_probs, DecisionSettings(sad_gain=2.0, min_confidence=0.0)) == 'sad'


def test_min_confidence_turns_an_unsure_winner_into_unknown():
    scores = np.array([0.45, 0.3, 0.25])
    assert label_from_scores(scores, DecisionSettings(min_confidence=0.4)) == 'happy'
    assert label_from_scores(scores, DecisionSettings(min_confidence=0.5)) == 'unknown'
    # 'unknown' itself is never subject to the threshold.
    assert label_from_scores(np.array([0.2, 0.3, 0.5]),
                             DecisionSettings(min_confidence=0.9)) == 'unknown'


def test_bonus_favours_the_current_label():
    scores = np.array([0.42, 0.48, 0.10])
    settings = DecisionSettings(min_confidence=0.0)
    assert label_from_scores(scores, settings) == 'sad'
    assert label_from_scores(scores, settings, bonus_for='happy', bonus=0.1) == 'happy'
    np.testing.assert_array_equal(scores, [0.42, 0.48, 0.10])  # input unchanged


def test_bonus_does_not_lower_the_confidence_threshold():
    scores = np.array([0.38, 0.30, 0.32])
    settings = DecisionSettings(min_confidence=0.4)
    # happy wins with the bonus (0.48) but its own score is below min_confidence.
    assert label_from_scores(scores, settings, bonus_for='happy', bonus=0.1) == 'unknown'


def test_steady_input_gives_a_steady_label():
    label_filter = LabelFilter(DecisionSettings())
    labels, _ = feed(label_filter, HAPPY, 0.0, 45)
    assert labels[0] == 'unknown'
    first_happy = labels.index('happy')
    assert labels[first_happy:] == ['happy'] * (45 - first_happy)
    # The dwell time of 0.5 s at 15 Hz: the 8th frame (t = 7/15 s) is too early, 0.53 s is not.
    assert first_happy == 8


def test_single_frame_flicker_does_not_change_the_label():
    for settings in (DecisionSettings(), DecisionSettings(smoothing_time_s=0.0)):
        label_filter = LabelFilter(settings)
        labels, t = feed(label_filter, HAPPY, 0.0, 20)
        assert labels[-1] == 'happy'
        assert label_filter.update(SAD, t) == 'happy'
        labels, _ = feed(label_filter, HAPPY, t + STEP_S, 20)
        assert set(labels) == {'happy'}


def test_dwell_time_before_a_new_label_is_published():
    # Times are exact binary fractions so that the dwell comparison is exact.
    settings = DecisionSettings(smoothing_time_s=0.0, switch_margin=0.0, min_dwell_s=0.5)
    label_filter = LabelFilter(settings)
    for t in (0.0, 0.5):
        label_filter.update(HAPPY, t)
    assert label_filter.label == 'happy'
    assert label_filter.update(SAD, 1.0) == 'happy'
    assert label_filter.update(SAD, 1.25) == 'happy'
    assert label_filter.update(SAD, 1.5) == 'sad'


def test_interrupted_candidate_restarts_its_dwell():
    settings = DecisionSettings(smoothing_time_s=0.0, switch_margin=0.0, min_dwell_s=0.5)
    label_filter = LabelFilter(settings)
    label_filter.update(SAD, 0.0)
    label_filter.update(HAPPY, 0.25)  # interrupts the sad candidate
    assert label_filter.update(SAD, 0.5) == 'unknown'
    assert label_filter.update(SAD, 0.75) == 'unknown'
    assert label_filter.update(SAD, 1.0) == 'sad'


def test_smoothing_follows_the_time_constant():
    settings = DecisionSettings(smoothing_time_s=1.0)
    label_filter = LabelFilter(settings)
    label_filter.update(HAPPY, 0.0)
    label_filter.update(SAD, 1.0)
    alpha = 1.0 - np.exp(-1.0)
    happy, sad = three_class_scores(np.stack([HAPPY, SAD]), settings)
    np.testing.assert_allclose(label_filter.smoothed, happy + alpha * (sad - happy))


def test_face_lost_within_grace_keeps_the_label_then_unknown():
    label_filter = LabelFilter(DecisionSettings(face_lost_grace_s=0.5))
    _, t = feed(label_filter, HAPPY, 0.0, 20)
    last_face = t - STEP_S
    assert label_filter.update(None, last_face + 0.3) == 'happy'
    assert label_filter.update(None, last_face + 0.5) == 'happy'
    assert label_filter.update(None, last_face + 0.6) == 'unknown'
    assert label_filter.smoothed is None
    # Back to a face: the dwell time applies again.
    assert label_filter.update(HAPPY, last_face + 0.7) == 'unknown'


def test_no_face_from_the_start_is_unknown():
    label_filter = LabelFilter(DecisionSettings())
    assert label_filter.update(None, 0.0) == 'unknown'
    assert label_filter.update(None, 10.0) == 'unknown'


def test_time_going_back_does_not_mix_old_scores():
    label_filter = LabelFilter(DecisionSettings())
    feed(label_filter, HAPPY, 10.0, 5)
    label_filter.update(SAD, 1.0)
    np.testing.assert_allclose(label_filter.smoothed,
                               three_class_scores(SAD, DecisionSettings()))


def test_reset():
    label_filter = LabelFilter(DecisionSettings())
    feed(label_filter, HAPPY, 0.0, 20)
    label_filter.reset()
    assert label_filter.label == 'unknown' and label_filter.smoothed is None
