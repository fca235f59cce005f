# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Unit tests of the valence/arousal mapping (no ROS, no model)."""

import math
from pathlib import Path

import pytest

from emotion_estimator.affect import (CLASS_VALENCE_AROUSAL, rescale_rating, valence_arousal,
                                      WARRINER_2013)
from emotion_estimator.contract import CLASS_NAMES

README = Path(__file__).resolve().parents[2] / 'README.md'


def test_every_model_class_has_coordinates_in_range():
    assert set(CLASS_VALENCE_AROUSAL) == set(CLASS_NAMES)
    for valence, arousal in CLASS_VALENCE_AROUSAL.values():
        assert -1.0 <= valence <= 1.0 and -1.0 <= arousal <= 1.0


def test_coordinates_are_the_published_norms_rescaled():
    # Warriner et al. (2013): happy 8.47 / 6.05, sad 2.10 / 3.49 (V.Mean.Sum / A.Mean.Sum).
    assert WARRINER_2013['happy'] == ('happy', 8.47, 6.05)
    assert WARRINER_2013['sad'] == ('sad', 2.10, 3.49)
    assert CLASS_VALENCE_AROUSAL['happy'] == pytest.approx((0.8675, 0.2625))
    assert CLASS_VALENCE_AROUSAL['sad'] == pytest.approx((-0.725, -0.3775))
    assert [rescale_rating(r) for r in (1.0, 5.0, 9.0)] == [-1.0, 0.0, 1.0]


def test_rated_words_are_the_ros4hri_expression_names():
    words = {word for word, _, _ in WARRINER_2013.values()}
    assert words == {'angry', 'disgusted', 'scared', 'happy', 'sad', 'surprised', 'neutral'}


def test_the_circumplex_is_ordered_as_expected():
    coordinates = CLASS_VALENCE_AROUSAL
    # Pleasant classes are happy and surprise; the rest are unpleasant (neutral slightly pleasant).
    assert coordinates['happy'][0] > coordinates['surprise'][0] > coordinates['neutral'][0] > 0
    for name in ('angry', 'disgust', 'fear', 'sad'):
        assert coordinates[name][0] < 0
    # Sad is the least pleasant and, with neutral, the calmest; anger and fear the most aroused.
    assert min(coordinates, key=lambda n: coordinates[n][0]) == 'sad'
    assert max(coordinates['sad'][1], coordinates['neutral'][1]) < coordinates['disgust'][1]
    assert min(coordinates['angry'][1], coordinates['fear'][1]) > coordinates['happy'][1]


def test_one_hot_scores_give_the_class_coordinates():
    for name in CLASS_NAMES:
        scores = {other: 0.0 for other in CLASS_NAMES}
        scores[name] = 1.0
        assert valence_arousal(scores) == pytest.approx(CLASS_VALENCE_AROUSAL[name])


def test_mixture_is_the_probability_weighted_mean():
    scores = {'happy': 0.6, 'sad': 0.3, 'neutral': 0.1}
    expected = tuple(sum(p * CLASS_VALENCE_AROUSAL[n][i] for n, p in scores.items())
                     for i in (0, 1))
    assert valence_arousal(scores) == pytest.approx(expected)
    # Weights are normalised: the same mixture at twice the scale gives the same point.
    assert valence_arousal({n: 2 * p for n, p in scores.items()}) == pytest.approx(expected)


def test_uniform_scores_give_the_mean_of_the_table():
    uniform = {name: 1.0 / len(CLASS_NAMES) for name in CLASS_NAMES}
    valence, arousal = valence_arousal(uniform)
    assert valence == pytest.approx(sum(v for v, _ in CLASS_VALENCE_AROUSAL.values()) / 7)
    assert arousal == pytest.approx(sum(a for _, a in CLASS_VALENCE_AROUSAL.values()) / 7)


def test_no_face_gives_zero():
    assert valence_arousal({name: 0.0 for name in CLASS_NAMES}) == (0.0, 0.0)
    assert valence_arousal({}) == (0.0, 0.0)


@pytest.mark.parametrize('scores, message', [
    ({'contempt': 1.0}, 'contempt'),
    ({'happy': -0.1, 'sad': 1.1}, '>= 0'),
    ({'happy': math.nan}, '>= 0'),
    ({'happy': math.inf}, '>= 0'),
])
def test_bad_scores_raise(scores, message):
    with pytest.raises(ValueError, match=message):
        valence_arousal(scores)


def test_readme_table_is_the_mapping():
    text = README.read_text(encoding='utf-8')
    for name, (word, valence, arousal) in WARRINER_2013.items():
        v, a = CLASS_VALENCE_AROUSAL[name]
        row = f'| `{name}` | {word} | {valence:.2f} | {arousal:.2f} | {v:+.4f} | {a:+.4f} |'
        assert row in text, f'README.md lacks the row {row}'
