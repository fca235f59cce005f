# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""``ablate --seeds``: a design is summarised over its seeds, not judged on one draw."""

import pytest

from emotion_estimator_training.ablation import across_seeds


def _row(objective, fer_f1, talking_sad=None):
    per_set = {'fer_val': {'macro_f1': fer_f1}}
    if talking_sad is not None:
        per_set['talking'] = {'neutral_talkers_sad_share': talking_sad}
    return {'tuned_objective': objective, 'tuned_per_set': per_set}


def test_designs_are_averaged_over_their_seeds():
    runs = {'base,seed=1': _row(0.2, 0.60, 0.0), 'base,seed=2': _row(0.4, 0.64, 0.1),
            'base,seed=3': _row(0.3, 0.62, 0.05),
            'dropout=0.4,seed=1': _row(0.5, 0.61),  # one seed only: not summarised
            'seed=7': _row(0.9, 0.9)}               # no design name: not summarised
    summary = across_seeds(runs)
    assert list(summary) == ['base']
    base = summary['base']
    assert base['seeds'] == 3
    assert base['tuned_objective'] == {'mean': pytest.approx(0.3), 'sd': pytest.approx(0.1)}
    assert base['fer_val_macro_f1']['mean'] == pytest.approx(0.62)
    assert base['neutral_talkers_sad_share']['mean'] == pytest.approx(0.05)
    # a metric one seed lacks is left out rather than averaged over fewer seeds
    runs['base,seed=3'] = _row(0.3, 0.62)
    assert 'neutral_talkers_sad_share' not in across_seeds(runs)['base']
