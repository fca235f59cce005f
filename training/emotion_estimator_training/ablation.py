# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Comparison runs summarised over seeds: one training run is one draw, not a design's score.

Round 7 measured that the seed alone moves the tuned objective by about 0.1
(``training/results/ablations_generalise.json``), more than most designs differ, so
``ablate --seeds`` trains every design once per seed and :func:`across_seeds` reports the mean
and spread of what decides between them.
"""

from typing import Dict, List

import numpy as np

#: What ``across_seeds`` averages: (name, run key, per-set key or None, metric).
SEED_SUMMARY = (
    ('tuned_objective', 'tuned_objective', None, None),
    ('fer_val_macro_f1', 'tuned_per_set', 'fer_val', 'macro_f1'),
    ('fer_val_sad_precision', 'tuned_per_set', 'fer_val', 'sad_precision'),
    ('fer_val_negatives_read_sad', 'tuned_per_set', 'fer_val', 'negatives_read_sad'),
    ('muxspace_macro_f1', 'tuned_per_set', 'muxspace', 'macro_f1'),
    ('muxspace_sad_precision', 'tuned_per_set', 'muxspace', 'sad_precision'),
    ('muxspace_negatives_read_sad', 'tuned_per_set', 'muxspace', 'negatives_read_sad'),
    ('yale_macro_f1', 'tuned_per_set', 'yale', 'macro_f1'),
    ('yale_met_macro_f1', 'tuned_per_set', 'yale_met', 'macro_f1'),
    ('talking_macro_f1', 'tuned_per_set', 'talking', 'macro_f1'),
    ('neutral_talkers_sad_share', 'tuned_per_set', 'talking', 'neutral_talkers_sad_share'),
    ('all_7_accuracy', 'all_7_accuracy', None, None),
    ('all_3_macro_f1', 'all_3_macro_f1', None, None),
)


def across_seeds(runs: Dict[str, Dict[str, object]]) -> Dict[str, Dict[str, object]]:
    """Return each design's mean and standard deviation over its seeds (``NAME,seed=N`` runs).

    Only designs run with two seeds or more are summarised; a metric a run lacks (no faces of
    other people prepared) is left out.
    """
    groups: Dict[str, List[Dict[str, object]]] = {}
    for name, row in runs.items():
        design, _, seed = name.rpartition(',seed=')
        if design and seed.isdigit():
            groups.setdefault(design, []).append(row)
    summary = {}
    for design, rows in groups.items():
        if len(rows) < 2:
            continue
        entry: Dict[str, object] = {'seeds': len(rows)}
        for label, key, subset, metric in SEED_SUMMARY:
            values = [row.get(key) if subset is None
                      else row.get(key, {}).get(subset, {}).get(metric) for row in rows]
            if all(value is not None for value in values):
                entry[label] = {'mean': round(float(np.mean(values)), 4),
                                'sd': round(float(np.std(values, ddof=1)), 4)}
        summary[design] = entry
    return summary
