# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The label filter tuned on the robot's view (``robot_tuning``).

The records come from real faces (Yale and FER2013 validation photos of ``../shared``) shown to
``EmotionEstimator`` with the packaged model and real MediaPipe; the replay is the runtime's own
``LabelFilter``. Two tests feed hand-made probability records to the replay and the search: they
check the filter's arithmetic and the flicker budget, where a real face could not be made to
sit exactly between two labels.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from emotion_estimator.contract import CLASS_NAMES, DecisionSettings, ModelSpec, shared_dir

from emotion_estimator_training import api_eval
from emotion_estimator_training import robot_tuning as rt

SAD, NEUTRAL = CLASS_NAMES.index('sad'), CLASS_NAMES.index('neutral')
STEP = 1.0 / api_eval.FPS


def _record(probabilities, steps=None) -> np.ndarray:
    probabilities = np.asarray(probabilities, np.float32)
    steps = np.full(len(probabilities), STEP, np.float32) if steps is None else steps
    return np.column_stack([steps, probabilities]).astype(np.float32)


def _sad_then(p_sad: float, seconds: float) -> np.ndarray:
    """Return a face read as sad for 2 s, then with sad probability ``p_sad`` for ``seconds``."""
    def frame(p):
        row = np.full(len(CLASS_NAMES), 0.0)
        row[SAD], row[NEUTRAL] = p, 1.0 - p
        return row
    return _record([frame(0.6)] * 30 + [frame(p_sad)] * int(seconds * api_eval.FPS))


@pytest.fixture(scope='module')
def recorded(face_model):
    """Two subjects met on Yale, and six FER2013 validation faces held, through the estimator."""
    crossval = shared_dir() / 'datasets' / 'crossval'
    sets = rt.validation_jobs(shared_dir() / 'datasets' / 'fer2013', crossval, limit=6)
    sets = {'yale_met': sets['yale_met'], 'fer_val': sets['fer_val'],
            'flicker': (sets['flicker'][0][:2], sets['flicker'][1][:2])}
    return sets, rt.record_sets(sets, None, str(face_model), workers=1)


def test_replaying_the_record_gives_what_the_estimator_published(recorded):
    sets, records = recorded
    spec = ModelSpec.load()
    settings = spec.decision
    for name, (published, traces) in records.items():
        assert len(traces) == len(sets[name][0]) > 0
        for label, trace in zip(published, traces):
            assert trace.shape[1] == 1 + len(CLASS_NAMES) + len(spec.feature_names)
            assert rt.replay(trace, settings)[0] == label, name
    # A met Yale job: 10 s of the neutral photo, then 1.5 s of the expression, face always found.
    trace = records['yale_met'][1][0]
    assert len(trace) == int(round(api_eval.MEET_NEUTRAL_S * api_eval.FPS)) + \
        int(round(api_eval.MEET_EXPRESSION_S * api_eval.FPS))
    assert not np.isnan(trace[:, 1:]).any()
    # The flicker faces are held with new camera noise on every frame.
    noisy = records['flicker'][1][0]
    assert len(noisy) == int(rt.FLICKER_HOLD_S * api_eval.FPS)
    assert np.ptp(noisy[:, 1 + SAD]) > 0


def test_a_wide_hysteresis_keeps_a_first_sad_that_the_evidence_has_left():
    # sad 0.19 x gain 3.9 = 0.74 against unknown 0.81: unknown leads by 0.045 of the normalised
    # score, less than the hand-set margin of 0.1, so the first "sad" sticks for ever.
    record = _sad_then(0.19, seconds=20.0)
    hand_set = DecisionSettings(sad_gain=3.9, min_confidence=0.0)
    assert rt.replay(record, hand_set) == ('sad', 1)
    narrow = DecisionSettings(sad_gain=3.9, min_confidence=0.0, switch_margin=0.02)
    assert rt.replay(record, narrow) == ('unknown', 2)


def _steady(p_sad: np.ndarray) -> np.ndarray:
    """Return a steady neutral face whose sad probability per frame is ``p_sad``."""
    frames = np.zeros((len(p_sad), len(CLASS_NAMES)))
    frames[:, SAD], frames[:, NEUTRAL] = p_sad, 1.0 - p_sad
    return _record(frames)


def test_the_search_takes_the_better_filter_only_within_the_flicker_budget():
    # Faces that read sad at first and then settle at unknown: the margin must shrink.
    sticky = [_sad_then(0.19, seconds=3.0) for _ in range(20)]
    labels = {'a': np.full(20, NEUTRAL), 'flicker': np.full(10, NEUTRAL)}
    start = DecisionSettings(sad_gain=3.9, min_confidence=0.0)
    calm = [_steady(np.full(60, 0.1)) for _ in range(10)]
    best, detail = rt.tune({'a': ([], sticky), 'flicker': ([], calm)}, labels, start,
                           {'a': 1.0})
    assert detail['per_set']['a']['macro_f1'] > detail['start']['per_set']['a']['macro_f1']
    assert best.switch_margin < start.switch_margin
    assert (best.min_dwell_s, best.smoothing_time_s) == (min(rt.DWELLS), min(rt.SMOOTHINGS))
    assert detail['flicker_per_min'] == detail['flicker_budget_per_min'] == 0.0
    # The same, but the steady faces' sad probability swings across the decision line every
    # 0.4 s: the quickest filters would publish every swing, so only a long dwell is allowed.
    swinging = [_steady(np.where(np.arange(60) // 6 % 2, 0.15, 0.26)) for _ in range(10)]
    best, detail = rt.tune({'a': ([], sticky), 'flicker': ([], swinging)}, labels, start,
                           {'a': 1.0})
    assert best.switch_margin < start.switch_margin
    assert best.min_dwell_s > min(rt.DWELLS)
    assert detail['flicker_per_min'] <= detail['flicker_budget_per_min']
    quick = DecisionSettings(**{**best.__dict__, 'min_dwell_s': min(rt.DWELLS),
                                'smoothing_time_s': min(rt.SMOOTHINGS)})
    assert rt.flicker_per_minute(swinging, quick) > detail['flicker_budget_per_min']


def test_flicker_counts_changes_after_the_first_per_minute():
    record = _sad_then(0.0, seconds=2.0)  # unknown -> sad -> unknown: one change after the first
    settings = DecisionSettings(sad_gain=3.9, min_confidence=0.0)
    assert rt.replay(record, settings) == ('unknown', 2)
    minutes = float(record[:, 0].sum() + STEP) / 60.0
    assert rt.flicker_per_minute([record], settings) == pytest.approx(1.0 / minutes)


def test_validation_jobs_never_use_the_test_split():
    sets = rt.validation_jobs(shared_dir() / 'datasets' / 'fer2013',
                              shared_dir() / 'datasets' / 'crossval', limit=50)
    assert set(sets) == {'fer_val', 'muxspace', 'yale', 'yale_met', 'flicker'}
    for jobs, labels in sets.values():
        assert len(jobs) == len(labels) > 0
        for job in jobs:
            for segment in job:
                assert f'{Path("fer2013") / "test"}' not in segment.path


def test_a_face_reads_the_same_whatever_the_worker_showed_before(face_model):
    # Without the grey frame between jobs, MediaPipe would go on tracking the previous face
    # where the next one appears, and a job's numbers would depend on its neighbours.
    paths, _ = api_eval.fer_test_set(shared_dir() / 'datasets' / 'fer2013', 'val')
    first, second = (api_eval.held_still_jobs([paths[i]])[0] for i in (11, 2000))
    _, alone = api_eval.run_jobs([first], None, str(face_model), trace=True)[0]
    _, after = api_eval.run_jobs([second, first], None, str(face_model), trace=True)[1]
    assert not np.isnan(alone[:, 1:]).any()
    np.testing.assert_allclose(after, alone, atol=1e-6)


def test_talking_clips_are_played_whole_and_limit_the_sad_gain():
    talking = shared_dir() / 'datasets' / 'talking'
    sets = rt.validation_jobs(shared_dir() / 'datasets' / 'fer2013',
                              shared_dir() / 'datasets' / 'crossval', limit=4,
                              talking_root=talking)
    jobs, labels = sets['talking']
    assert len(jobs) == len(labels) == len(list(talking.rglob('*_*.*'))) > 10
    assert all(len(job) == 1 and job[0].kind == 'clip' for job in jobs)
    # A neutral talker whose sad probability sits at 0.2 reads sad at a sad gain of 4.5 (0.9
    # against 0.8 of the rest) on every frame without hysteresis: the tuner must quiet the
    # talker (a lower gain, or a margin that unknown keeps), as a sad talker (0.5) stays found.
    talker = _steady(np.full(60, 0.2))
    sad_talker = _steady(np.full(60, 0.5))
    records = {'talking': ([], [talker, sad_talker]),
               'flicker': ([], [_steady(np.full(60, 0.1))])}
    labels = {'talking': np.array([NEUTRAL, SAD]), 'flicker': np.array([NEUTRAL])}
    start = DecisionSettings(sad_gain=4.5, min_confidence=0.0, switch_margin=0.0)
    best, detail = rt.tune(records, labels, start, {'talking': 1.0})
    assert detail['start']['per_set']['talking']['neutral_talkers_sad_share'] > 0.5
    assert detail['per_set']['talking']['neutral_talkers_sad_share'] <= 0.05
    assert detail['talking']['clips_found']['sad'] == 1.0
    assert best != start


def _softmax(logits: np.ndarray) -> np.ndarray:
    exp = np.exp(logits - logits.max(axis=1, keepdims=True))
    return exp / exp.sum(axis=1, keepdims=True)


def test_a_record_holds_the_mean_of_the_window_the_model_read(face_model, monkeypatch):
    # The regression of a blended model reads the window's mean: the record must hold exactly
    # the mean of what the model was given on that frame, or a re-blended replay is not the
    # model at the other weight.
    from emotion_estimator.classifier import EmotionClassifier
    given = []
    predict = EmotionClassifier.predict

    def spy(self, window):
        given.append(np.array(window, np.float64))
        return predict(self, window)

    monkeypatch.setattr(EmotionClassifier, 'predict', spy)
    crossval = shared_dir() / 'datasets' / 'crossval'
    jobs = rt.validation_jobs(shared_dir() / 'datasets' / 'fer2013', crossval,
                              limit=2)['yale'][0][:1]
    _, record = api_eval.run_jobs(jobs, None, str(face_model), trace=True)[0]
    face = ~np.isnan(record[:, 1])
    assert face.sum() == len(given) > 10
    means = record[face, rt.PROBABILITIES.stop:]
    np.testing.assert_allclose(means, [window.mean(axis=0) for window in given], atol=1e-6)
    assert np.isnan(record[~face, 1:]).all()


def test_reblending_recovers_the_lstm_and_blends_it_at_another_weight():
    rng = np.random.default_rng(0)
    frames, features = 40, 5
    lstm = rng.normal(0, 2, (frames, len(CLASS_NAMES)))
    means = rng.uniform(0, 1, (frames, features))
    blend = rt.LinearBlend(rng.normal(0, 3, (features, len(CLASS_NAMES))),
                           rng.normal(0, 1, len(CLASS_NAMES)), 0.3)
    linear = means @ blend.kernel + blend.bias
    record = np.column_stack([np.full(frames, STEP), _softmax(0.7 * lstm + 0.3 * linear),
                              means])
    record[5] = np.nan  # a frame without a face
    record[5, 0] = STEP
    again = rt.reblended(record, blend, 0.7)
    expected = _softmax(0.3 * lstm + 0.7 * linear)
    face = np.arange(frames) != 5
    np.testing.assert_allclose(again[face, rt.PROBABILITIES], expected[face], atol=1e-9)
    assert np.isnan(again[5, 1:]).all() and again[5, 0] == STEP
    np.testing.assert_array_equal(again[:, rt.PROBABILITIES.stop:],
                                  record[:, rt.PROBABILITIES.stop:])
    np.testing.assert_array_equal(rt.reblended(record, blend, 0.3), record)
    assert not np.shares_memory(rt.reblended(record, blend, 0.3), record)
    # Another regression in place of the recorded one, at the recorded weight or another.
    kernel, bias = rng.normal(0, 3, (features, len(CLASS_NAMES))), rng.normal(0, 1, 7)
    other = means @ kernel + bias
    for weight in (0.3, 0.5):
        swapped = rt.reblended(record, blend, weight, rt.LinearBlend(kernel, bias, 0.0))
        np.testing.assert_allclose(swapped[face, rt.PROBABILITIES],
                                   _softmax((1 - weight) * lstm + weight * other)[face],
                                   atol=1e-9)


def test_the_blend_weight_whose_tuned_decision_scores_best_is_chosen():
    # The LSTM reads every face as neutral; the regression reads the sad faces' window means
    # as sad and the neutral faces' as neutral: the higher the regression's weight, the more
    # sad faces are found without false alarms (within the gains searched, only at 0.7).
    features = 2
    blend = rt.LinearBlend(np.zeros((features, len(CLASS_NAMES))), np.zeros(len(CLASS_NAMES)),
                           0.3)
    blend.kernel[0, SAD], blend.kernel[1, NEUTRAL] = 3.0, 6.0

    def face(sad: bool, count: int = 30) -> np.ndarray:
        means = np.tile([1.0, 0.0] if sad else [0.0, 1.0], (count, 1))
        lstm = np.zeros((count, len(CLASS_NAMES)))
        lstm[:, NEUTRAL] = 3.0
        probabilities = _softmax(0.7 * lstm + 0.3 * (means @ blend.kernel + blend.bias))
        return np.column_stack([np.full(count, STEP), probabilities, means])

    faces = [face(True) for _ in range(10)] + [face(False) for _ in range(10)]
    labels = {'a': np.array([SAD] * 10 + [NEUTRAL] * 10), 'flicker': np.array([NEUTRAL])}
    recorded = {'a': ([], faces), 'flicker': ([], [face(False, 60)])}
    start = DecisionSettings(sad_gain=1.0, happy_gain=1.0, min_confidence=0.0)
    weight, _, detail = rt.choose_blend(recorded, labels, start, {'a': 1.0}, blend,
                                        (0.3, 0.5, 0.7))
    assert weight == detail['blend']['weight'] == 0.7
    assert detail['blend']['recorded_weight'] == 0.3
    scores = detail['blend']['objective_per_weight']
    assert set(scores) == {'0.3', '0.5', '0.7'} and scores['0.7'] > scores['0.3']
    assert detail['objective'] == scores['0.7']
    assert detail['per_set']['a']['sad_recall'] == 1.0


def test_records_are_kept_for_their_model_and_refused_for_another(recorded, face_model,
                                                                  tmp_path, monkeypatch):
    sets, _ = recorded
    few = {'fer_val': (sets['fer_val'][0][:2], sets['fer_val'][1][:2])}
    model = str(ModelSpec.load().path)
    path = tmp_path / 'records.pkl'
    first = rt.recorded_once(few, model, str(face_model), 1, path)
    assert path.is_file() and len(first['fer_val'][1]) == 2

    def no_recording(*args, **kwargs):
        raise AssertionError('recorded again although the file holds this model')

    monkeypatch.setattr(rt, 'record_sets', no_recording)
    again = rt.recorded_once(few, model, str(face_model), 1, path)
    assert all(np.array_equal(a, b, equal_nan=True)
               for a, b in zip(first['fer_val'][1], again['fer_val'][1]))
    # The same file claimed for another model file: refused, never replayed.
    other = tmp_path / 'emotion_model.json'
    spec_text = Path(model).read_text()
    other.write_text(spec_text)
    for variant in (Path(model).parent).glob('emotion_model_*.tflite'):
        (tmp_path / variant.name).write_bytes(variant.read_bytes()[:-1] + b'\0')
    with pytest.raises(ValueError, match='another model'):
        rt.recorded_once(few, str(other), str(face_model), 1, path)
    # The same model file read at another frame stride sees other windows: refused too.
    strided = tmp_path / 'strided' / 'emotion_model.json'
    strided.parent.mkdir()
    strided.write_text(json.dumps({**json.loads(spec_text), 'frame_stride': 2}))
    for variant in (Path(model).parent).glob('emotion_model_*.tflite'):
        (strided.parent / variant.name).write_bytes(variant.read_bytes())
    with pytest.raises(ValueError, match='frame stride'):
        rt.recorded_once(few, str(strided), str(face_model), 1, path)
