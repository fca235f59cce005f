# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The label filter tuned on the robot's view (``robot_tuning``).

The records come from real faces (Yale and FER2013 validation photos of ``../shared``) shown to
``EmotionEstimator`` with the packaged model and real MediaPipe; the replay is the runtime's own
``LabelFilter``. Two tests feed hand-made probability records to the replay and the search: they
check the filter's arithmetic and the flicker budget, where a real face could not be made to
sit exactly between two labels.
"""

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
    settings = ModelSpec.load().decision
    for name, (published, traces) in records.items():
        assert len(traces) == len(sets[name][0]) > 0
        for label, trace in zip(published, traces):
            assert trace.shape[1] == 1 + len(CLASS_NAMES)
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
