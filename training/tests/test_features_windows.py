# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Feature selection rules and the construction of training windows, on hand-made data."""

import numpy as np
import pytest

from emotion_estimator.contract import BLENDSHAPE_NAMES, CLASS_NAMES, PAPER_FEATURE_INDICES
from emotion_estimator.window import BlendshapeWindow
from emotion_estimator_training.extract import BlendshapeTable
from emotion_estimator_training.features import backward_elimination, data_driven, \
    feature_indices, LinearProbe, paper_rule, weighted_mean
from emotion_estimator_training.hyperparameters import HParams
from emotion_estimator_training.windows import build_windows, filled_views, speech_motion, \
    still_windows, stream_windows


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


def test_stream_noise_leaves_a_feature_that_never_moves_where_it_is():
    rng = np.random.default_rng(1)
    views = np.stack([rng.random((50, 4)) * 0.5, np.full((50, 4), 1e-6)], axis=-1)
    stream = stream_windows(views.astype(np.float32), 4, 6, 0.02, rng)
    assert (stream[..., 1] == np.float32(1e-6)).all()
    assert stream[..., 0].std() > 0.1


@pytest.mark.parametrize('stride', [1, 2, 3])
def test_strided_stream_windows_are_what_the_runtime_window_reads(stride):
    """At every frame, the simulated stream's window equals a strided ``BlendshapeWindow``'s."""
    views = filled_views(_table(), [0, 1])
    stream = stream_windows(views, 4, 12, 0.02, np.random.default_rng(0), stride)
    frames = stream[:, :, -1]  # the newest frame of each window is that frame of the stream
    for face in range(len(views)):
        window = BlendshapeWindow(4, stride=stride)
        for index in range(12):
            window.push(frames[face, index], index / 15)
            np.testing.assert_array_equal(stream[face, index], window.as_array())


def test_named_feature_sets_across_datasets():
    assert feature_indices('all51') == list(range(1, 52))
    assert feature_indices('cross27', selected=[9, 3, 5]) == [3, 5, 9]
    with pytest.raises(ValueError, match='cross-dataset selection'):
        feature_indices('cross27')


def _labelled_blendshapes(rng, count, informative):
    """Return blendshapes whose ``informative`` columns tell happy / sad / other apart."""
    labels = rng.choice([CLASS_NAMES.index(n) for n in ('happy', 'sad', 'neutral')], count)
    scores = rng.uniform(0, 1, (count, 52)).astype(np.float32)
    for column in informative:
        scores[:, column] = 0.1 + 0.3 * (labels == CLASS_NAMES.index('happy')) \
            + 0.6 * (labels == CLASS_NAMES.index('sad')) + rng.normal(0, 0.05, count)
    return scores, labels


def test_backward_elimination_keeps_what_carries_emotion_on_every_set():
    rng = np.random.default_rng(4)
    train = _labelled_blendshapes(rng, 600, informative=[3, 7, 11])
    # Column 20 also carries the label, but only in the training faces: on the other sets it
    # is noise, so a selection judged on several sets drops it.
    train[0][:, 20] = train[0][:, 3]
    others = {'a': _labelled_blendshapes(rng, 200, [3, 7, 11]),
              'b': _labelled_blendshapes(rng, 200, [3, 7, 11])}
    probe = LinearProbe(train, others, max_train=500)
    result = backward_elimination(probe, count=3, start=(3, 7, 11, 20, 30, 40))
    assert result['indices'] == [3, 7, 11]
    assert [step['kept'] for step in result['steps']] == [5, 4, 3]
    assert set(probe.scores([3, 7, 11])) == {'a', 'b'}


def test_speech_moves_only_the_mouth_and_jaw():
    names = ('jawOpen', 'mouthSmileLeft', 'browInnerUp', 'mouthLowerDownLeft')
    indices = [BLENDSHAPE_NAMES.index(n) for n in names]
    motion = speech_motion(indices, 500, 8, 0.35, np.random.default_rng(0))
    assert motion.shape == (500, 8, 4)
    assert np.all(motion[..., 1] == 0) and np.all(motion[..., 2] == 0)
    assert 0.05 < motion[..., 0].max() <= 0.35
    # The jaw opens and closes within a window (speech, not a held expression).
    assert np.median(motion[..., 0].max(axis=1) - motion[..., 0].min(axis=1)) > 0.05
    np.testing.assert_allclose(motion[..., 3], 0.6 * motion[..., 0], atol=1e-6)


def test_person_offsets_shift_whole_windows():
    hp = HParams(window_length=4, transition_fraction=0.0, still_fraction=1.0,
                 startup_fraction=0.0, noise_std=0.0, person_offset_fraction=1.0,
                 speech_fraction=0.0)
    views = np.full((10, 2, 3), 0.5, np.float32)
    offsets = np.array([[0.1, -0.1, 0.0]], np.float32)
    x, _ = build_windows(views, np.zeros(10, np.int64), hp, np.random.default_rng(1),
                         per_image=5, person_offsets=offsets)
    shift = x - 0.5
    # Every frame of a window is shifted alike, by a share of the offset.
    np.testing.assert_allclose(shift, np.broadcast_to(shift[:, :1], shift.shape), atol=1e-6)
    ratio = shift[:, 0, 0] / 0.1
    assert ratio.min() >= 0 and ratio.max() <= 1 and ratio.std() > 0.1
    np.testing.assert_allclose(shift[:, 0, 1], -shift[:, 0, 0], atol=1e-6)


def test_weighted_mean_counts_small_sets_less():
    assert weighted_mean({'a': 0.6, 'b': 0.8}) == pytest.approx(0.7)
    assert weighted_mean({'a': 0.6, 'y1': 1.0, 'y2': 0.0}, {'y1': 0.5, 'y2': 0.5}) == \
        pytest.approx(0.55)
