# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""What each ``sad_gain`` costs and buys on the robot's view of the validation faces.

A behaviour tree that comforts on ``sad`` may want fewer false alarms than the tuned default
gives, at the price of sad faces it misses. The node's ``sad_gain`` parameter sets that trade;
this module measures it: the validation faces are shown once to ``EmotionEstimator`` with the
shipped model (exactly as ``robot_tuning`` shows them to a new model), and the runtime's
``LabelFilter`` is replayed on the record for every gain, the other settings as shipped. The
test split is never used.
"""

from dataclasses import replace
import os
from pathlib import Path
from typing import Dict, Optional, Sequence

import numpy as np

from emotion_estimator.contract import DECISION_LABELS, DecisionSettings, ModelSpec
from emotion_estimator.provenance import machine, today

from emotion_estimator_training.evaluate import alarm_rates
from emotion_estimator_training.robot_tuning import record_sets, replayed, talking_replayed, \
    validation_jobs

#: The gains measured besides the tuned one (0: the robot never says sad).
SAD_GAINS = (0.0, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0)
#: The sets replayed (``robot_tuning.validation_jobs``; its noisy flicker faces are not needed).
SETS = ('fer_val', 'muxspace', 'yale', 'yale_met', 'talking')
SAD = DECISION_LABELS.index('sad')


def gains_with(tuned: float, gains: Sequence[float] = SAD_GAINS) -> list:
    """Return ``gains`` and the tuned gain, sorted, each once."""
    return sorted({round(float(g), 4) for g in gains} | {round(float(tuned), 4)})


def point(records: Dict[str, list], labels: Dict[str, np.ndarray],
          settings: DecisionSettings) -> Dict[str, Dict[str, object]]:
    """Return every set's sad precision, recall and false alarms under ``settings``."""
    row = {}
    for name, set_records in records.items():
        if name == 'talking':
            report = talking_replayed(set_records, labels[name], settings)
            row[name] = {'clip_macro_f1': report['clip_macro_f1'],
                         'sad_clips_found': report['clips_found'].get('sad'),
                         'neutral_talkers_sad_share': report['neutral_talkers_sad_share'],
                         'neutral_talkers_happy_share': report['neutral_talkers_happy_share'],
                         'clips_read_sad': sum(
                             counts['clips_read']['sad']
                             for counts in report['per_class'].values())}
        else:
            predicted = replayed(set_records, settings)
            row[name] = {**alarm_rates(labels[name], predicted),
                         'faces': len(set_records),
                         'read_sad': int(np.sum(predicted == SAD))}
    return row


def operating_points(records: Dict[str, list], labels: Dict[str, np.ndarray],
                     tuned: DecisionSettings,
                     gains: Sequence[float] = SAD_GAINS) -> list:
    """Return ``[{'sad_gain': g, 'tuned': bool, 'sets': point(...)}]`` for every gain."""
    return [{'sad_gain': gain, 'tuned': gain == round(tuned.sad_gain, 4),
             'sets': point(records, labels, replace(tuned, sad_gain=gain))}
            for gain in gains_with(tuned.sad_gain, gains)]


def measure(model_spec: Path, face_model: Path, fer_root: Path, crossval_root: Path,
            talking_root: Optional[Path], command: str, workers: Optional[int] = None,
            limit: Optional[int] = None, gains: Sequence[float] = SAD_GAINS) -> Dict[str, object]:
    """Record the validation faces through ``EmotionEstimator`` once; replay every gain."""
    spec = ModelSpec.load(model_spec)
    sets = validation_jobs(fer_root, crossval_root, limit, talking_root)
    sets = {name: value for name, value in sets.items() if name in SETS}
    recorded = record_sets(sets, str(model_spec), str(face_model), workers or os.cpu_count() or 1)
    records = {name: recorded[name][1] for name in sets}
    truth = {name: labels for name, (_, labels) in sets.items()}
    return {'command': command, 'date': today(), 'machine': machine(),
            'model_spec': str(model_spec), 'decision': dict(spec.decision.__dict__),
            'limit': limit,
            'faces': {name: len(records[name]) for name in records},
            'points': operating_points(records, truth, spec.decision, gains)}
