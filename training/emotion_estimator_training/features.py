# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Which blendshapes the model reads: the paper's rule, the paper's list and a data-driven 27."""

from typing import List

import numpy as np

from emotion_estimator.contract import BLENDSHAPE_NAMES, PAPER_FEATURE_INDICES


def paper_rule(scores: np.ndarray, threshold: float = 0.4, min_count: int = 100) -> List[int]:
    """Keep a blendshape whose score exceeds ``threshold`` in more than ``min_count`` images.

    Args:
        scores: ``[N, 52]`` blendshape scores of the training images (NaN rows are ignored).
        threshold: the score a blendshape must exceed.
        min_count: in more than this many images.

    Returns:
        The kept indices in ascending order.

    """
    scores = scores[~np.isnan(scores).any(axis=1)]
    counts = (scores > threshold).sum(axis=0)
    return [int(i) for i in np.flatnonzero(counts > min_count)]


def data_driven(scores: np.ndarray, labels: np.ndarray, count: int = 27) -> List[int]:
    """Return the ``count`` blendshapes with the highest ANOVA F-score between classes.

    Features that never vary (zero variance) score zero; ties keep the lower index.
    """
    keep = ~np.isnan(scores).any(axis=1)
    scores, labels = scores[keep].astype(np.float64), labels[keep]
    grand = scores.mean(axis=0)
    classes = np.unique(labels)
    between = sum((labels == c).sum() * (scores[labels == c].mean(axis=0) - grand) ** 2
                  for c in classes) / max(len(classes) - 1, 1)
    within = sum(((scores[labels == c] - scores[labels == c].mean(axis=0)) ** 2).sum(axis=0)
                 for c in classes) / max(len(labels) - len(classes), 1)
    f_score = np.where(within > 1e-12, between / np.maximum(within, 1e-12), 0.0)
    order = np.argsort(-f_score, kind='stable')[:count]
    return sorted(int(i) for i in order)


def feature_indices(feature_set: str, scores: np.ndarray = None,
                    labels: np.ndarray = None) -> List[int]:
    """Return the indices of a named feature set (data27 needs the training scores and labels)."""
    if feature_set == 'paper27':
        return list(PAPER_FEATURE_INDICES)
    if feature_set == 'all52':
        return list(range(len(BLENDSHAPE_NAMES)))
    if feature_set == 'data27':
        if scores is None or labels is None:
            raise ValueError('the data27 feature set needs training scores and labels')
        return data_driven(scores, labels, 27)
    raise ValueError(f'unknown feature set {feature_set!r}')


def names_of(indices: List[int]) -> List[str]:
    """Return the blendshape names of indices."""
    return [BLENDSHAPE_NAMES[i] for i in indices]
