# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Valence and arousal derived from the 7 class probabilities (no ROS, no model).

The model classifies; it does not measure valence or arousal. Each class gets a fixed point, the
word norms of Warriner et al. (2013) for the word ``hri_msgs/Expression`` uses, rescaled to
-1..+1, and a face's values are the probability-weighted mean (why and its limits:
``docs/node.md``). Ratings of words, not of faces: not checked against annotated faces.
"""

from typing import Dict, Mapping, Tuple

#: Per FER2013 class: the word rated, its mean valence and mean arousal (1-9), Warriner et al.
#: (2013), ``V.Mean.Sum`` and ``A.Mean.Sum``.
WARRINER_2013: Dict[str, Tuple[str, float, float]] = {
    'angry': ('angry', 2.53, 6.20),
    'disgust': ('disgusted', 2.68, 4.89),
    'fear': ('scared', 2.80, 6.10),
    'happy': ('happy', 8.47, 6.05),
    'sad': ('sad', 2.10, 3.49),
    'surprise': ('surprised', 6.57, 5.95),
    'neutral': ('neutral', 5.50, 3.45),
}


def rescale_rating(rating: float) -> float:
    """Map a 1-9 rating to -1..+1 (5, the scales' neutral point, maps to 0)."""
    return (rating - 5.0) / 4.0


#: Per FER2013 class: (valence, arousal) in -1..+1, from :data:`WARRINER_2013`.
CLASS_VALENCE_AROUSAL: Dict[str, Tuple[float, float]] = {
    name: (rescale_rating(valence), rescale_rating(arousal))
    for name, (_, valence, arousal) in WARRINER_2013.items()
}


def valence_arousal(scores: Mapping[str, float]) -> Tuple[float, float]:
    """Return (valence, arousal) in -1..+1: the probability-weighted mean of the class coordinates.

    Args:
        scores: Probability per FER2013 class name (any subset of :data:`CLASS_VALENCE_AROUSAL`);
            weights that do not sum to 1 are normalised by their sum.

    Returns:
        ``(0.0, 0.0)`` when every score is 0 (no face, nothing to derive), else the weighted mean
        ``sum(p_c * v_c) / sum(p_c)`` and the same for arousal.

    Raises:
        ValueError: A class name without a coordinate, or a negative or non-finite score.

    """
    unknown = sorted(set(scores) - set(CLASS_VALENCE_AROUSAL))
    if unknown:
        raise ValueError(f'no valence/arousal coordinates for classes {unknown}; '
                         f'known classes: {sorted(CLASS_VALENCE_AROUSAL)}')
    bad = {name: p for name, p in scores.items() if not 0.0 <= float(p) < float('inf')}
    if bad:
        raise ValueError(f'class scores must be finite and >= 0, got {bad}')
    total = float(sum(scores.values()))
    if total == 0.0:
        return 0.0, 0.0
    valence = sum(float(p) * CLASS_VALENCE_AROUSAL[name][0] for name, p in scores.items())
    arousal = sum(float(p) * CLASS_VALENCE_AROUSAL[name][1] for name, p in scores.items())
    return valence / total, arousal / total
