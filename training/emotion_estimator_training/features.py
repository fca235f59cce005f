# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Which blendshapes the model reads: the paper's rule, the paper's list and a data-driven 27."""

from typing import Callable, Dict, List, Mapping, Optional, Tuple

import numpy as np

from emotion_estimator.contract import BLENDSHAPE_NAMES, CLASS_NAMES, PAPER_FEATURE_INDICES

from emotion_estimator_training.hyperparameters import LINEAR_CROSSES

#: Every blendshape but MediaPipe's own ``_neutral`` score: where the selection starts.
ALL51 = tuple(range(1, len(BLENDSHAPE_NAMES)))

#: A data set to score features on: ``[N, 52]`` blendshapes (NaN rows: no face), class indices.
ScoredSet = Tuple[np.ndarray, np.ndarray]


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


def three_class(labels: np.ndarray) -> np.ndarray:
    """Map FER2013 class indices to happy=0 / sad=1 / unknown=2."""
    mapping = np.full(len(CLASS_NAMES), 2)
    mapping[CLASS_NAMES.index('happy')], mapping[CLASS_NAMES.index('sad')] = 0, 1
    return mapping[np.asarray(labels, dtype=np.int64)]


class LinearProbe:
    """A class-balanced 3-class logistic regression: how much a feature subset carries.

    Trained once per subset on (a seeded sample of) FER2013 training faces and scored by
    3-class macro-F1 on each evaluation set; fast enough for a backward elimination.
    """

    def __init__(self, train: ScoredSet, evaluation: Mapping[str, ScoredSet],
                 max_train: int = 6000, seed: int = 2026):
        """Keep the detected faces of every set (a random ``max_train`` of the training ones)."""
        x, y = _detected(*train)
        rng = np.random.default_rng(seed)
        if len(y) > max_train:
            keep = rng.choice(len(y), max_train, replace=False)
            x, y = x[keep], y[keep]
        self.mean, self.std = x.mean(axis=0), np.maximum(x.std(axis=0), 1e-6)
        self.x, self.y = (x - self.mean) / self.std, three_class(y)
        self.evaluation = {name: ((ex - self.mean) / self.std, three_class(ey))
                           for name, (ex, ey) in (
                               (name, _detected(*data)) for name, data in evaluation.items())}
        self.seed = seed

    def scores(self, indices: List[int]) -> Dict[str, float]:
        """Return the 3-class macro-F1 on each evaluation set using only ``indices``."""
        from sklearn.linear_model import LogisticRegression
        from sklearn.metrics import f1_score

        model = LogisticRegression(max_iter=200, tol=1e-3, class_weight='balanced')
        model.fit(self.x[:, indices], self.y)
        return {name: float(f1_score(y, model.predict(x[:, indices]), labels=[0, 1, 2],
                                     average='macro', zero_division=0))
                for name, (x, y) in self.evaluation.items()}


def _detected(x: np.ndarray, y: np.ndarray) -> ScoredSet:
    keep = ~np.isnan(x).any(axis=1)
    return np.asarray(x[keep], dtype=np.float64), np.asarray(y)[keep]


def weighted_mean(values: Mapping[str, float],
                  weights: Optional[Mapping[str, float]] = None) -> float:
    """Return the mean of ``values`` with per-name weights (missing names weigh 1)."""
    weights = weights or {}
    total = sum(weights.get(name, 1.0) for name in values)
    return float(sum(weights.get(name, 1.0) * v for name, v in values.items()) / total)


def backward_elimination(probe: LinearProbe, count: int = 27, start: Tuple[int, ...] = ALL51,
                         progress: Optional[Callable[[str], None]] = None,
                         weights: Optional[Mapping[str, float]] = None
                         ) -> Dict[str, object]:
    """Drop, one at a time, the blendshape whose loss costs the least, down to ``count``.

    The objective is the (``weights``-weighted) mean 3-class macro-F1 over the probe's
    evaluation sets (FER2013 val and faces of other people), so a feature is kept for carrying
    emotion on every set, not on one. Deterministic: ties drop the higher index.

    Returns:
        ``{'indices', 'names', 'steps'}``, steps being the objective after each removal.

    """
    kept = list(start)
    steps = []
    while len(kept) > count:
        best, best_score = None, -1.0
        for candidate in sorted(kept, reverse=True):
            trial = [i for i in kept if i != candidate]
            score = weighted_mean(probe.scores(trial), weights)
            if score > best_score + 1e-9:
                best, best_score = candidate, score
        kept.remove(best)
        steps.append({'dropped': BLENDSHAPE_NAMES[best], 'kept': len(kept),
                      'objective': round(best_score, 4)})
        if progress:
            progress(f'{len(kept)} kept, dropped {BLENDSHAPE_NAMES[best]}: {best_score:.4f}')
    return {'indices': sorted(kept), 'names': names_of(sorted(kept)), 'steps': steps}


#: Every brow blendshape: sadness raises the inner brow alone (AU1 without AU2, oblique brows),
#: speakers raise inner and outer brows together for emphasis (``cross27brows`` adds them).
BROWS = ('browDownLeft', 'browDownRight', 'browInnerUp', 'browOuterUpLeft', 'browOuterUpRight')


def feature_indices(feature_set: str, scores: np.ndarray = None,
                    labels: np.ndarray = None,
                    selected: Optional[List[int]] = None) -> List[int]:
    """Return the indices of a named feature set.

    ``data27`` needs the training scores and labels; ``cross27`` needs the result of
    :func:`backward_elimination` (``selected``), which the pipeline computes and caches;
    ``cross27brows`` is that selection plus every brow blendshape (:data:`BROWS`).
    """
    if feature_set == 'paper27':
        return list(PAPER_FEATURE_INDICES)
    if feature_set == 'all52':
        return list(range(len(BLENDSHAPE_NAMES)))
    if feature_set == 'all51':
        return list(ALL51)
    if feature_set in ('cross27', 'cross27brows'):
        if selected is None:
            raise ValueError(f'the {feature_set} feature set needs the cross-dataset selection')
        if feature_set == 'cross27brows':
            selected = set(selected) | {BLENDSHAPE_NAMES.index(name) for name in BROWS}
        return sorted(selected)
    if feature_set == 'data27':
        if scores is None or labels is None:
            raise ValueError('the data27 feature set needs training scores and labels')
        return data_driven(scores, labels, 27)
    raise ValueError(f'unknown feature set {feature_set!r}')


def names_of(indices: List[int]) -> List[str]:
    """Return the blendshape names of indices."""
    return [BLENDSHAPE_NAMES[i] for i in indices]


def lstm_indices(spec) -> List[int]:
    """Return the blendshapes a shipped model's LSTM reads (``lstm_feature_names``, else all).

    Its input (``spec.feature_indices``) holds more when its regression reads all 51.
    """
    return [BLENDSHAPE_NAMES.index(name)
            for name in spec.extra.get('lstm_feature_names', spec.feature_names)]


#: Facial action units as the blendshapes that show them (a left/right pair averaged): what
#: the linear blend's crossed features multiply (``Crosses``). FACS describes an expression
#: as units moving together (sadness: inner brow raiser with brow lowerer and lip-corner
#: depressor, AU1+4+15; anger: brow lowerer, lid tightener, lip press, AU4+7+23/24; disgust:
#: upper-lip raiser, AU10), and a regression on the scores alone adds them up one by one.
ACTION_UNITS: Dict[str, Tuple[str, ...]] = {
    'brow_inner_up': ('browInnerUp',), 'brow_down': ('browDownLeft', 'browDownRight'),
    'brow_outer_up': ('browOuterUpLeft', 'browOuterUpRight'),
    'lip_corner_down': ('mouthFrownLeft', 'mouthFrownRight'),
    'lip_press': ('mouthPressLeft', 'mouthPressRight'),
    'smile': ('mouthSmileLeft', 'mouthSmileRight'),
    'upper_lip_up': ('mouthUpperUpLeft', 'mouthUpperUpRight'),
    'lid_tight': ('eyeSquintLeft', 'eyeSquintRight'), 'jaw_open': ('jawOpen',),
    'lip_stretch': ('mouthStretchLeft', 'mouthStretchRight'),
    'lower_lip_down': ('mouthLowerDownLeft', 'mouthLowerDownRight'),
    'dimple': ('mouthDimpleLeft', 'mouthDimpleRight'),
    'eye_wide': ('eyeWideLeft', 'eyeWideRight'), 'lower_lip_roll': ('mouthRollLower',),
    'chin_raise': ('mouthShrugLower',), 'pucker': ('mouthPucker',),
}


class Crosses:
    """The crossed features of a linear blend: products of action units of the window's mean.

    ``units`` ``[F, U]`` averages the model's inputs into :data:`ACTION_UNITS`; ``left`` and
    ``right`` ``[U, P]`` pick the two units of each of the P products. Fixed matrices, so that
    the TFLite model computes them with the same three matrix products (``model._blended``).
    """

    def __init__(self, units: np.ndarray, left: np.ndarray, right: np.ndarray):
        """Keep the three fixed matrices (``crosses_for`` makes them)."""
        self.units, self.left, self.right = units, left, right

    def matrices(self) -> Dict[str, np.ndarray]:
        """Return the three fixed matrices by name (the model's ``blend_cross_*`` layers)."""
        return {'units': self.units, 'left': self.left, 'right': self.right}

    def expand(self, means: np.ndarray) -> np.ndarray:
        """Return ``[N, F + P]``: the inputs ``means`` ``[N, F]`` and their products."""
        units = means @ self.units
        return np.concatenate([means, (units @ self.left) * (units @ self.right)], axis=1)


def crosses_for(kind: str, inputs: List[int]) -> Optional[Crosses]:
    """Return the crossed features ``kind`` of a model reading ``inputs`` (its input order).

    ``unit_pairs``: every two of the action units whose blendshapes ``inputs`` hold (all of
    them when the regression reads all 51) multiplied, and each with itself; ``none``, or no
    action unit read: None.

    Raises:
        ValueError: an unknown ``kind``.

    """
    if kind not in LINEAR_CROSSES:
        raise ValueError(f'linear crosses must be one of {LINEAR_CROSSES}, got {kind!r}')
    names = [BLENDSHAPE_NAMES[i] for i in inputs]
    read = [parts for parts in ACTION_UNITS.values() if all(part in names for part in parts)]
    if kind == 'none' or not read:
        return None
    units = np.zeros((len(names), len(read)), np.float32)
    for unit, parts in enumerate(read):
        for part in parts:
            units[names.index(part), unit] = 1.0 / len(parts)
    pairs = [(a, b) for a in range(len(read)) for b in range(a, len(read))]
    left = np.zeros((len(read), len(pairs)), np.float32)
    right = np.zeros_like(left)
    for column, (a, b) in enumerate(pairs):
        left[a, column] = right[b, column] = 1.0
    return Crosses(units, left, right)
