# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Tests of the whole ROS-free pipeline on real frames with the packaged model."""

import json
from pathlib import Path

import numpy as np
import pytest

import emotion_estimator
from emotion_estimator.contract import DECISION_LABELS, MODEL_SPEC_FILENAME, ModelSpecError
from emotion_estimator.decision import three_class_scores
from emotion_estimator.estimator import EmotionEstimator, EmotionResult
from emotion_estimator.frames import FrameError

RATE_HZ = 15.0


@pytest.fixture()
def spec_path(emotion_model_spec: Path) -> Path:
    """Return the packaged model metadata (see conftest; fails without it)."""
    return emotion_model_spec


@pytest.fixture()
def estimator(spec_path, face_model_path):
    """Return an estimator on the packaged model and the shared face model."""
    with EmotionEstimator(spec_path) as created:
        yield created


@pytest.fixture()
def happy_biased(spec_path, face_model_path):
    """Return an estimator whose decision favours happy, for tests of the temporal mechanics.

    These tests check restarts, grace and dwell, not the model's accuracy (tested above), so a
    large happy gain makes the label on the smiling astronaut independent of model quality.
    """
    with EmotionEstimator(spec_path, decision={'happy_gain': 1000.0,
                                               'min_confidence': 0.0}) as created:
        yield created


def run(estimator: EmotionEstimator, frame: np.ndarray, start_s: float, seconds: float):
    """Feed one frame repeatedly at 15 Hz for ``seconds``; return the results."""
    count = int(round(seconds * RATE_HZ))
    return [estimator.process(frame, start_s + i / RATE_HZ) for i in range(count)]


def blank() -> np.ndarray:
    """Return a grey 640x480 frame with no face."""
    return np.full((480, 640, 3), 128, np.uint8)


def test_package_exports_the_estimator():
    assert emotion_estimator.EmotionEstimator is EmotionEstimator
    assert emotion_estimator.EmotionResult is EmotionResult
    with pytest.raises(AttributeError):
        emotion_estimator.NoSuchThing


def test_the_models_and_settings_are_the_pipelines_read_only(estimator):
    assert estimator.faces_from == 'frames'
    pipeline = estimator.pipeline
    assert estimator.spec is pipeline.spec and estimator.classifier is pipeline.classifier
    assert estimator.max_gap_s == pipeline.max_gap_s == 0.5
    assert estimator.resting_prior is pipeline.resting_prior is not None
    assert estimator.resting_settings is pipeline.resting_settings
    for name in ('faces_from', 'spec', 'classifier', 'max_gap_s', 'resting_prior',
                 'resting_settings', 'settings'):
        with pytest.raises(AttributeError):
            setattr(estimator, name, None)


def test_smiling_astronaut_becomes_and_stays_happy(estimator, astronaut_frame):
    results = run(estimator, astronaut_frame, 100.0, 2.0)
    assert len(results) == 30
    labels = [r.label for r in results]
    assert labels[0] == 'unknown'  # the dwell time applies to the first label too
    assert 'happy' in labels, labels
    first = labels.index('happy')
    assert labels[first:] == ['happy'] * (len(labels) - first), labels
    assert first <= RATE_HZ  # within a second
    for result in results:
        assert result.face_found
        assert set(result.scores) == set(estimator.class_names)
        assert sum(result.scores.values()) == pytest.approx(1.0, abs=1e-3)
        assert result.blendshapes.shape == (52,)
        assert set(result.timings) == {'mediapipe_s', 'model_s'}
    assert results[-1].instant_label == 'happy'
    assert max(results[-1].scores, key=results[-1].scores.get) == 'happy'
    assert not any(r.window_restarted for r in results)


def test_smoothed_scores_are_what_the_label_filter_decides_on(estimator, astronaut_frame):
    assert estimator.smoothed_scores('face1') is None
    first = estimator.process(astronaut_frame, 50.0)
    probabilities = np.array([first.scores[name] for name in estimator.class_names])
    # The first frame's smoothed scores are that frame's three-class scores.
    np.testing.assert_allclose(
        estimator.smoothed_scores(first.face_id),
        three_class_scores(probabilities, estimator.settings, estimator.class_names), atol=1e-6)
    last = run(estimator, astronaut_frame, 50.1, 1.0)[-1]
    smoothed = estimator.smoothed_scores(last.face_id)
    assert last.label == 'happy' and DECISION_LABELS[int(np.argmax(smoothed))] == 'happy'
    smoothed[:] = 0.0  # a copy: the filter is not changed through it
    assert estimator.smoothed_scores(last.face_id).max() > 0.0
    assert estimator.smoothed_scores('no such face') is None


def test_sad_fer_face_is_not_happy(estimator, fer_frame):
    results = run(estimator, fer_frame('sad', 0), 0.0, 2.0)
    assert all(r.face_found for r in results)
    assert results[-1].label != 'happy'


def test_blank_frames_lose_the_face_after_grace(happy_biased, astronaut_frame):
    estimator = happy_biased
    results = run(estimator, astronaut_frame, 0.0, 2.0)
    assert results[-1].label == 'happy'
    last_face_s = results[-1].time_s
    grace = estimator.settings.face_lost_grace_s
    lost = run(estimator, blank(), last_face_s + 1 / RATE_HZ, 1.5)
    for result in lost:
        assert not result.face_found
        assert result.blendshapes is None and result.instant_label == 'unknown'
        assert set(result.scores.values()) == {0.0}
        expected = 'happy' if result.time_s - last_face_s <= grace else 'unknown'
        assert result.label == expected, (result.time_s, result.label)
    assert lost[-1].label == 'unknown'
    # Losing the face restarts the window, once.
    assert lost[0].window_restarted and not any(r.window_restarted for r in lost[1:])


def test_a_long_pause_without_frames_makes_a_new_face(happy_biased, astronaut_frame):
    # A paused camera sends nothing. A short pause keeps the face and its label; after the
    # forget time whoever appears is a new face: new id, unknown until the dwell time is over.
    estimator = happy_biased
    before = run(estimator, astronaut_frame, 0.0, 2.0)[-1]
    assert before.label == 'happy'
    forget = estimator.resting_settings.forget_after_s
    short = run(estimator, astronaut_frame, before.time_s + forget / 2, 2.0)
    assert {r.label for r in short} == {'happy'}
    assert {r.face_id for r in short} == {before.face_id}
    again = run(estimator, astronaut_frame, short[-1].time_s + forget + 1.0, 2.0)
    assert again[0].label == 'unknown' and again[-1].label == 'happy'
    assert again[0].face_id != before.face_id
    assert again[0].resting_face_settled < short[-1].resting_face_settled


def test_blank_frames_from_the_start(estimator):
    results = run(estimator, blank(), 0.0, 1.0)
    assert [r.face_found for r in results] == [False] * 15
    assert {r.label for r in results} == {'unknown'}


@pytest.mark.parametrize('frame', [
    None, [[1, 2, 3]], np.zeros((480, 640), np.uint8), np.zeros((480, 640, 3), np.float32),
    np.zeros((480, 640, 4), np.uint8), np.zeros((0, 640, 3), np.uint8)])
def test_bad_frames_raise_frame_error(estimator, frame):
    with pytest.raises(FrameError):
        estimator.process(frame, 0.0)


def test_bad_frame_does_not_disturb_the_stream(estimator, astronaut_frame):
    run(estimator, astronaut_frame, 0.0, 1.0)
    with pytest.raises(FrameError):
        estimator.process(np.zeros((4, 4), np.uint8), 1.0)
    result = estimator.process(astronaut_frame, 1.0)
    assert result.face_found and not result.window_restarted


def test_time_jump_back_restarts_the_window(happy_biased, astronaut_frame):
    estimator = happy_biased
    results = run(estimator, astronaut_frame, 50.0, 2.0)
    assert results[-1].label == 'happy'
    restarted = estimator.process(astronaut_frame, 1.0)
    assert restarted.window_restarted
    assert restarted.label == 'unknown'  # the label filter starts over too
    assert restarted.face_found
    assert len(estimator.window) == 1
    after = run(estimator, astronaut_frame, 1.0 + 1 / RATE_HZ, 2.0)
    assert not any(r.window_restarted for r in after)
    assert after[-1].label == 'happy'


def test_gap_restarts_the_window_but_keeps_the_label(happy_biased, astronaut_frame):
    estimator = happy_biased
    run(estimator, astronaut_frame, 0.0, 2.0)
    result = estimator.process(astronaut_frame, 2.0 + estimator.window.max_gap_s + 0.1)
    assert result.window_restarted and len(estimator.window) == 1
    assert result.label == 'happy'


def test_decision_overrides(spec_path, face_model_path, astronaut_frame):
    with EmotionEstimator(spec_path, decision={'min_dwell_s': 0.0, 'happy_gain': 0.0}) as est:
        assert est.settings.min_dwell_s == 0.0
        results = run(est, astronaut_frame, 0.0, 0.5)
        assert {r.label for r in results} != {'happy'}
        assert all(r.instant_label != 'happy' for r in results)
        est.update_decision(happy_gain=1000.0, min_confidence=0.0)
        assert est.filter.settings is est.settings
        result = est.process(astronaut_frame, 1.0)
        assert result.instant_label == 'happy' and result.label == 'happy'
    with pytest.raises(TypeError):
        EmotionEstimator(spec_path, decision={'no_such_setting': 1.0})


def test_every_variant_runs(spec_path, face_model_path, astronaut_frame):
    variants = json.loads(spec_path.read_text())['variants']
    for variant in variants:
        with EmotionEstimator(spec_path, variant=variant) as est:
            assert est.classifier.model_path.name == variants[variant]
            result = est.process(astronaut_frame, 0.0)
            assert result.face_found and result.instant_label == 'happy'


def test_a_strided_model_reads_every_other_frame(spec_path, face_model_path,
                                                 astronaut_frame, tmp_path):
    """A model trained on every second camera frame gets a window of every second frame."""
    data = json.loads(spec_path.read_text())
    data['frame_stride'] = 2
    data['variants'] = {k: str(spec_path.parent / v) for k, v in data['variants'].items()}
    strided = tmp_path / MODEL_SPEC_FILENAME
    strided.write_text(json.dumps(data))
    with EmotionEstimator(strided) as est:
        assert est.window.stride == 2
        run(est, astronaut_frame, 0.0, 3.0)
        window = est.window
        length = data['window_length']
        assert window.stride == 2 and window.full and len(window) == 2 * (length - 1) + 1
        assert est.process(astronaut_frame, 3.0).face_found


def test_spec_that_disagrees_with_the_model_is_refused(spec_path, face_model_path, tmp_path):
    data = json.loads(spec_path.read_text())
    data['window_length'] += 1
    data['variants'] = {k: str(spec_path.parent / v) for k, v in data['variants'].items()}
    wrong = tmp_path / MODEL_SPEC_FILENAME
    wrong.write_text(json.dumps(data))
    with pytest.raises(ModelSpecError, match='reads .* but .* says window'):
        EmotionEstimator(wrong)


def test_unknown_variant_is_refused(spec_path, face_model_path):
    with pytest.raises(ModelSpecError, match='available'):
        EmotionEstimator(spec_path, variant='int2')
