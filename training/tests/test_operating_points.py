# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""What each sad gain costs and buys (``operating_points``, ``operating-points``).

The command runs real validation faces of ``../shared`` (FER2013 PublicTest, muxspace, Yale)
through ``EmotionEstimator`` with the packaged model and real MediaPipe. One test feeds hand-made
probability records to the replay, to pin the arithmetic of a talker that sits on the line.
"""

import json

import numpy as np

from emotion_estimator.contract import CLASS_NAMES, DecisionSettings, ModelSpec

from emotion_estimator_training import api_eval
from emotion_estimator_training import operating_points as op
from emotion_estimator_training.cli import main

SAD, NEUTRAL, ANGRY = (CLASS_NAMES.index(n) for n in ('sad', 'neutral', 'angry'))


def _steady(p_sad: float, other: int = NEUTRAL, frames: int = 45) -> np.ndarray:
    """Return a record of a face whose sad probability is ``p_sad`` on every frame."""
    probabilities = np.zeros((frames, len(CLASS_NAMES)), np.float32)
    probabilities[:, SAD], probabilities[:, other] = p_sad, 1.0 - p_sad
    return np.column_stack([np.full(frames, 1.0 / api_eval.FPS, np.float32), probabilities])


def test_a_lower_sad_gain_trades_sad_faces_found_for_fewer_false_alarms():
    # An angry face at p_sad 0.2 reads sad at gain 5 (1.0 against 0.8) but not at gain 3; a sad
    # face at 0.4 reads sad at both, and at neither with gain 0.
    records = {'fer_val': [_steady(0.2, ANGRY), _steady(0.4, SAD)],
               'talking': [_steady(0.2), _steady(0.4)]}
    labels = {'fer_val': np.array([ANGRY, SAD]), 'talking': np.array([NEUTRAL, SAD])}
    tuned = DecisionSettings(sad_gain=3.0, min_confidence=0.0, switch_margin=0.0)
    points = {row['sad_gain']: row for row in op.operating_points(records, labels, tuned,
                                                                  gains=(0.0, 5.0))}
    assert sorted(points) == [0.0, 3.0, 5.0]
    assert [points[g]['tuned'] for g in sorted(points)] == [False, True, False]
    strict, tuned_row, loose = (points[g]['sets'] for g in (0.0, 3.0, 5.0))
    assert strict['fer_val']['read_sad'] == 0 and strict['fer_val']['sad_recall'] == 0.0
    assert tuned_row['fer_val']['read_sad'] == 1
    assert tuned_row['fer_val']['sad_precision'] == 1.0
    assert tuned_row['fer_val']['negatives_read_sad'] == 0.0
    assert loose['fer_val']['sad_precision'] == 0.5
    assert loose['fer_val']['negatives_read_sad'] == 1.0
    assert tuned_row['talking']['neutral_talkers_sad_share'] == 0.0
    assert loose['talking']['neutral_talkers_sad_share'] > 0.5
    assert tuned_row['talking']['sad_clips_found'] == loose['talking']['sad_clips_found'] == 1.0
    assert strict['talking']['clips_read_sad'] == 0


def test_the_command_replays_real_validation_faces_for_every_gain(tmp_path, face_model):
    out = tmp_path / 'points.json'
    assert main(['operating-points', '--limit', '4', '--workers', '1', '--talking', 'none',
                 '--face-model', str(face_model), '--out', str(out)]) == 0
    record = json.loads(out.read_text())
    shipped = ModelSpec.load().decision
    assert record['decision'] == dict(shipped.__dict__)
    assert set(record['faces']) == {'fer_val', 'muxspace', 'yale', 'yale_met'}
    assert all(count > 0 for count in record['faces'].values())
    gains = [row['sad_gain'] for row in record['points']]
    assert gains == sorted(gains) and shipped.sad_gain in gains and 0.0 in gains
    for row in record['points']:
        for name, cells in row['sets'].items():
            assert cells['faces'] == record['faces'][name]
            if row['sad_gain'] == 0.0:
                assert cells['read_sad'] == 0, name
    # More gain never takes a sad answer away from these faces (the filter only sees more sad).
    read = [sum(cells['read_sad'] for cells in row['sets'].values()) for row in record['points']]
    assert read == sorted(read)
