# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The faces of other people: loading, subjects, and the person-relative view of Yale."""

import numpy as np
import pytest

from emotion_estimator.contract import CLASS_NAMES, shared_dir
from emotion_estimator.resting_face import RestingFacePrior
from emotion_estimator_training.crossval import load_crossval, load_still_set, person_relative


@pytest.fixture(scope='module')
def crossval():
    return load_crossval(shared_dir() / 'datasets' / 'crossval')


def test_sets_labels_and_subjects(crossval):
    assert len(crossval['muxspace']) == 2515 and len(crossval['yale']) == 59
    yale = crossval['yale']
    assert len(set(yale.subjects)) == 15 and '' not in yale.subjects
    assert set(np.array(CLASS_NAMES)[yale.labels]) == {'happy', 'neutral', 'sad', 'surprise'}
    assert set(crossval['muxspace'].subjects) == {''}
    photo = yale.read(0)  # a GIF
    assert photo.dtype == np.uint8 and photo.ndim == 3 and photo.shape[2] == 3


def test_person_relative_maps_each_neutral_face_to_the_population(crossval):
    yale = crossval['yale']
    rng = np.random.default_rng(0)
    scores = rng.uniform(0, 0.5, (len(yale), 52)).astype(np.float32)
    prior = RestingFacePrior(np.full(52, 0.2, np.float32), np.full(52, 1.0, np.float32))
    relative = person_relative(scores, yale, prior)
    neutral = yale.labels == CLASS_NAMES.index('neutral')
    np.testing.assert_allclose(relative[neutral], 0.2, atol=1e-6)
    assert not np.isnan(relative).any()
    assert person_relative(scores[:5], crossval['muxspace'], prior) is None


def test_bad_folders_say_what_is_wrong(tmp_path):
    with pytest.raises(ValueError, match='not a folder'):
        load_still_set(tmp_path / 'missing', 'x')
    (tmp_path / 'grumpy').mkdir()
    with pytest.raises(ValueError, match='class folder must be one of'):
        load_still_set(tmp_path, 'x')
