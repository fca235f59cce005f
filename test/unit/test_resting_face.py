# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Tests of the per-person resting face: the pure estimate, and in the estimator on real faces."""

import json
from pathlib import Path

import numpy as np
import pytest

from emotion_estimator.contract import BLENDSHAPE_NAMES
from emotion_estimator.estimator import EmotionEstimator
from emotion_estimator.resting_face import prior_from_neutral_faces, RestingFace, \
    RestingFacePrior, RestingFaceSettings, shift_features

SMILE = [BLENDSHAPE_NAMES.index('mouthSmileLeft'), BLENDSHAPE_NAMES.index('mouthSmileRight')]
FROWN = BLENDSHAPE_NAMES.index('mouthFrownLeft')
RATE_HZ = 15.0


@pytest.fixture()
def prior() -> RestingFacePrior:
    """Return a prior: everything rests at 0.1 and may shift by up to 0.15."""
    return RestingFacePrior(np.full(52, 0.1, np.float32), np.full(52, 0.15, np.float32))


def feed(resting: RestingFace, face: np.ndarray, start_s: float, seconds: float) -> np.ndarray:
    """Feed one face at 15 Hz for ``seconds``; return the last shifted frame."""
    shifted = None
    for i in range(int(round(seconds * RATE_HZ))):
        shifted = resting.update(face, start_s + i / RATE_HZ)
    return shifted


def test_cold_start_is_the_raw_face(prior):
    resting = RestingFace(prior)
    face = np.random.default_rng(1).uniform(0, 1, 52).astype(np.float32)
    assert resting.settled == 0.0
    np.testing.assert_array_equal(resting.shift(face), face)
    # The first frame is learnt but barely trusted: almost the raw face.
    first = resting.update(face, 0.0)
    assert resting.settled == pytest.approx(0.2 / 10.0)
    assert np.abs(first - face).max() <= 0.15 * 0.02 + 1e-6


def test_a_person_who_rests_with_low_mouth_corners_reads_as_the_average_face(prior):
    resting = RestingFace(prior)
    own_rest = np.full(52, 0.1, np.float32)
    own_rest[FROWN] = 0.22  # this person's mouth corners hang a little at rest
    shifted = feed(resting, own_rest, 0.0, 12.0)
    assert resting.settled == 1.0
    assert shifted[FROWN] == pytest.approx(0.1, abs=1e-5)
    # A real frown of the same person still shows as a frown, relative to their rest.
    frown = own_rest.copy()
    frown[FROWN] = 0.6
    assert resting.shift(frown)[FROWN] == pytest.approx(0.48, abs=1e-5)


def test_a_long_smile_cannot_become_neutral(prior):
    resting = RestingFace(prior)
    smile = np.full(52, 0.1, np.float32)
    smile[SMILE] = 0.8
    shifted = feed(resting, smile, 0.0, 60.0)
    assert resting.settled == 1.0
    # The estimate is a smile, but its pull is bounded by how far resting faces differ.
    np.testing.assert_allclose(shifted[SMILE], 0.8 - 0.15, atol=1e-5)


def test_a_short_expression_does_not_move_the_estimate(prior):
    resting = RestingFace(prior)
    neutral = np.full(52, 0.12, np.float32)
    feed(resting, neutral, 0.0, 10.0)
    smile = neutral.copy()
    smile[SMILE] = 0.9
    feed(resting, smile, 10.0, 3.0)
    np.testing.assert_allclose(resting.resting, neutral, atol=1e-6)


def test_forgets_after_the_face_is_lost_for_long(prior):
    settings = RestingFaceSettings(forget_after_s=2.0)
    resting = RestingFace(prior, settings)
    feed(resting, np.full(52, 0.2, np.float32), 0.0, 5.0)
    assert resting.settled > 0.4
    resting.face_lost(6.0)  # 1 s without the face: kept
    assert resting.settled > 0.4
    resting.face_lost(7.5)
    assert resting.settled == 0.0
    # A frame after a long gap (no frames in between) also starts over.
    feed(resting, np.full(52, 0.2, np.float32), 20.0, 1.0)
    resting.update(np.full(52, 0.2, np.float32), 40.0)
    assert resting.settled == pytest.approx(0.02)


def test_shift_works_on_batches(prior):
    faces = np.full((4, 8, 52), 0.3, np.float32)
    rest = np.full(52, 0.3, np.float32)
    shifted = shift_features(faces, rest, prior,
                             np.array([[0.0], [0.5], [1.0], [1.0]], np.float32))
    np.testing.assert_allclose(shifted[:, 0, 0], [0.3, 0.225, 0.15, 0.15], atol=1e-6)


def test_prior_from_neutral_faces():
    faces = np.random.default_rng(3).normal(0.2, 0.05, (500, 52)).clip(0, 1)
    faces[7] = np.nan  # a face without blendshapes is ignored
    prior = prior_from_neutral_faces(faces, spread=1.5, ceiling=0.25)
    assert prior.neutral[5] == pytest.approx(0.2, abs=0.01)
    # 1.5 x (90th percentile - median) of a normal with sigma 0.05: 1.5 x 1.28 x 0.05.
    assert prior.max_offset[5] == pytest.approx(0.096, abs=0.01)
    assert prior_from_neutral_faces(faces, spread=10.0).max_offset[5] == 0.25
    assert prior.max_offset[BLENDSHAPE_NAMES.index('_neutral')] == 0.0
    again = RestingFacePrior.from_dict(json.loads(json.dumps(prior.to_dict())))
    np.testing.assert_allclose(again.neutral, prior.neutral, atol=1e-4)
    with pytest.raises(ValueError, match='two neutral faces'):
        prior_from_neutral_faces(faces[:1])
    with pytest.raises(ValueError, match='unknown blendshapes'):
        RestingFacePrior.from_dict({'neutral': {'nose': 1.0}, 'max_offset': {}})
    with pytest.raises(ValueError, match='must be > 0'):
        RestingFaceSettings(settle_s=0)


@pytest.fixture()
def spec_with_resting_face(emotion_model_spec: Path, tmp_path: Path) -> Path:
    """Return the packaged model's metadata, with a resting-face prior if it lacks one."""
    data = json.loads(emotion_model_spec.read_text())
    if not data.get('resting_face'):
        data['resting_face'] = {'prior': RestingFacePrior(
            np.full(52, 0.05, np.float32), np.full(52, 0.1, np.float32)).to_dict()}
    for name, file in data['variants'].items():
        data['variants'][name] = str(emotion_model_spec.parent / file)
    path = tmp_path / 'emotion_model.json'
    path.write_text(json.dumps(data))
    return path


def test_estimator_learns_the_person_and_reset_forgets(spec_with_resting_face, face_model_path,
                                                       fer_frame):
    frame = fer_frame('neutral', 0)
    with EmotionEstimator(spec_with_resting_face) as estimator, \
            EmotionEstimator(spec_with_resting_face, resting_face=False) as plain:
        assert estimator.resting_face_enabled and not plain.resting_face_enabled
        first, first_plain = estimator.process(frame, 0.0), plain.process(frame, 0.0)
        # Cold start: the same scores as without the feature (no worse than before).
        assert first.face_found and first.resting_face_settled < 0.05
        for name in first.scores:
            assert first.scores[name] == pytest.approx(first_plain.scores[name], abs=0.02)
        results = [estimator.process(frame, i / RATE_HZ) for i in range(1, int(12 * RATE_HZ))]
        assert results[-1].resting_face_settled == 1.0
        assert {r.face_id for r in results} == {first.face_id}
        assert plain.process(frame, 12.0).resting_face_settled == 0.0
        estimator.reset()
        again = estimator.process(frame, 13.0)
        assert again.resting_face_settled < 0.05 and again.face_id != first.face_id


def test_another_person_after_a_long_absence_starts_cold(spec_with_resting_face,
                                                         face_model_path, fer_frame):
    with EmotionEstimator(spec_with_resting_face) as estimator:
        for i in range(int(11 * RATE_HZ)):
            result = estimator.process(fer_frame('neutral', 0), i / RATE_HZ)
        assert result.resting_face_settled == 1.0
        blank = np.full((480, 640, 3), 128, np.uint8)
        for i in range(int(4 * RATE_HZ)):  # nobody in view for 4 s (> forget_after_s)
            lost = estimator.process(blank, 11.0 + i / RATE_HZ)
        assert not lost.face_found
        other = estimator.process(fer_frame('sad', 0), 15.0)
        assert other.face_found and other.resting_face_settled < 0.05
        assert other.face_id != result.face_id
