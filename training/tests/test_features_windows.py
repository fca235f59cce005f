# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Feature selection rules and the construction of training windows, on hand-made data."""

import numpy as np
import pytest

from emotion_estimator.contract import BLENDSHAPE_NAMES, PAPER_FEATURE_INDICES
from emotion_estimator_training.extract import BlendshapeTable
from emotion_estimator_training.features import data_driven, feature_indices, paper_rule
from emotion_estimator_training.hyperparameters import HParams
from emotion_estimator_training.windows import build_windows, filled_views, still_windows, \
    stream_windows


def test_paper_rule_counts_images_above_threshold():
    scores = np.zeros((300, 52), np.float32)
    scores[:102, 3] = 0.5   # 101 images above 0.4 (row 5 has no face): kept
    scores[:101, 7] = 0.9   # only 100 with a face: dropped (the rule is "more than")
    scores[:200, 9] = 0.4   # not above the threshold: dropped
    scores[5] = np.nan      # a row without a face is ignored
    assert paper_rule(scores) == [3]
    assert paper_rule(scores, threshold=0.3, min_count=99) == [3, 7, 9]


def test_data_driven_prefers_features_that_separate_classes():
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(3), 200)
    scores = rng.uniform(0, 1, (600, 52)).astype(np.float32)
    scores[:, 10] = labels * 0.3 + rng.normal(0, 0.01, 600)
    scores[:, 20] = 0.0
    chosen = data_driven(scores, labels, count=5)
    assert 10 in chosen and 20 not in chosen and len(chosen) == 5


def test_named_feature_sets():
    assert feature_indices('paper27') == list(PAPER_FEATURE_INDICES)
    assert len(feature_indices('paper27')) == 27
    assert feature_indices('all52') == list(range(len(BLENDSHAPE_NAMES)))
    with pytest.raises(ValueError, match='needs training scores'):
        feature_indices('data27')


def _table(count=6, views=4):
    rng = np.random.default_rng(1)
    scores = rng.uniform(0, 1, (count, views, 52)).astype(np.float32)
    scores[1, 2] = np.nan
    labels = np.arange(count) % 2
    return BlendshapeTable([f'img{i}' for i in range(count)], np.array(['train'] * count),
                           labels, scores)


def test_filled_views_replace_missing_views_with_the_face_as_is():
    table = _table()
    views = filled_views(table, [0, 1, 2])
    assert views.shape == (6, 4, 3)
    assert np.array_equal(views[1, 2], views[1, 0])
    table.scores[0, 0] = np.nan
    with pytest.raises(ValueError, match='detected images only'):
        filled_views(table, [0])


def test_windows_have_the_window_shape_and_recent_labels():
    table = _table()
    views = filled_views(table, list(range(27)))
    hp = HParams(window_length=6, transition_fraction=0.5, still_fraction=0.3,
                 startup_fraction=0.1, noise_std=0.0)
    x, y = build_windows(views, table.labels, hp, np.random.default_rng(3), per_image=50)
    assert x.shape == (300, 6, 27) and y.shape == (300,)
    assert x.min() >= 0 and x.max() <= 1
    assert np.bincount(y).tolist() == [150, 150]
    # Every window's most recent frame is a view of a face with the window's label.
    last = x[:, -1]
    owners = [np.flatnonzero(np.isclose(views, frame).all(axis=2).any(axis=1)) for frame in last]
    assert all(any(table.labels[o] == label for o in owner) for owner, label in zip(owners, y))
    # Still windows repeat one frame.
    still = (x == x[:, :1]).all(axis=(1, 2))
    assert 0.2 < still.mean() < 0.45


def test_still_and_stream_windows_match_the_runtime_window():
    table = _table()
    views = filled_views(table, [0, 1])
    still = still_windows(views, 5)
    assert still.shape == (6, 5, 2) and (still == views[:, :1]).all()
    stream = stream_windows(views, 4, 6, 0.0, np.random.default_rng(0))
    assert stream.shape == (6, 6, 4, 2)
    # Frame 0: the window is the first frame repeated (front padding), as BlendshapeWindow does.
    assert (stream[:, 0] == stream[:, 0, :1]).all()
    # Frame 5: the last 4 frames of the stream, oldest first.
    assert np.array_equal(stream[:, 5, -1], stream[:, 5 - 0, -1])
    assert np.array_equal(stream[:, 5, :3], stream[:, 4, 1:])
