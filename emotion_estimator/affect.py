# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Valence and arousal derived from the 7 class probabilities (no ROS, no model).

The emotion model is a classifier: it does not measure valence or arousal. This module derives
them from its class probabilities so that a message can carry them (``Emotion.msg``, and the
``valence``/``arousal`` of ROS4HRI's ``hri_msgs/Expression``): each class has a fixed
(valence, arousal) coordinate, and a face's valence and arousal are the probability-weighted mean
of those coordinates.

Source of the coordinates: the valence and arousal norms of Warriner, A. B., Kuperman, V. and
Brysbaert, M. (2013), "Norms of valence, arousal, and dominance for 13,915 English lemmas",
Behavior Research Methods 45(4), 1191-1207, doi:10.3758/s13428-012-0314-x (the columns
``V.Mean.Sum`` and ``A.Mean.Sum`` of its supplementary file ``Ratings_Warriner_et_al.csv``:
mean ratings of all raters on 1-9 scales, valence 1 = unhappy .. 9 = happy, arousal 1 = calm ..
9 = excited, 5 = neutral on both).

How the numbers were chosen:

* One published table of numbers for all seven classes, rather than points read off a figure
  (Russell's 1980 circumplex, or the per-category valence/arousal distributions of the AffectNet
  paper, Mollahosseini et al. 2017).
* For each FER2013 class, the norm of the word that ROS4HRI's ``hri_msgs/Expression`` uses for it
  (``angry``, ``disgusted``, ``scared``, ``happy``, ``sad``, ``surprised``, ``neutral``), so that
  the derived values agree with the expression names the ROS4HRI topics carry. The values are
  copied unchanged (see :data:`WARRINER_2013`).
* Rescaled linearly from 1..9 to -1..+1 with ``(x - 5) / 4``, the range of
  ``hri_msgs/Expression``, so that the scales' neutral point 5 becomes 0.

These are ratings of words, not of faces: "neutral" lands at (+0.13, -0.39), slightly pleasant and
calm, and disgust at arousal -0.03. The derived values say where the class mix lies on these
norms; they are not a valence/arousal regression and are not checked against faces.
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
