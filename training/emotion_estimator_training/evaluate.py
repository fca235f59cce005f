# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Metrics with the runtime's own decision rule, on detected faces and on every image."""

from dataclasses import dataclass
from itertools import product
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, \
    precision_recall_fscore_support

from emotion_estimator.contract import CLASS_NAMES, DECISION_LABELS, DecisionSettings

from emotion_estimator_training.labels import decide_three_class, to_three_class, UNKNOWN_INDEX
from emotion_estimator_training.talking import talking_report


def every_image(answers: np.ndarray, detected: np.ndarray, no_face: int) -> np.ndarray:
    """Spread the answers for the detected images over all images; the rest get ``no_face``.

    ``no_face`` is -1 for 7 classes (always wrong) and ``UNKNOWN_INDEX`` for 3 classes (what a
    deployed system publishes without a face).
    """
    full = np.full(len(detected), no_face, dtype=np.int64)
    full[detected] = answers
    return full


def class_metrics(y_true: np.ndarray, y_pred: np.ndarray,
                  names: Sequence[str]) -> Dict[str, object]:
    """Return accuracy, macro-F1, per-class precision, recall, F1 and support, and confusion."""
    labels = list(range(len(names)))
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0)
    return {
        'accuracy': float(accuracy_score(y_true, y_pred)),
        'macro_f1': float(f1_score(y_true, y_pred, labels=labels, average='macro',
                                   zero_division=0)),
        'per_class': {name: {'precision': float(p), 'recall': float(r), 'f1': float(f),
                             'support': int(s)}
                      for name, p, r, f, s in zip(names, precision, recall, f1, support)},
        'confusion': confusion_matrix(y_true, y_pred, labels=labels).tolist()}


def evaluate(probabilities: np.ndarray, labels: np.ndarray, detected: np.ndarray,
             settings: DecisionSettings) -> Dict[str, Dict[str, object]]:
    """Return 7-class and 3-class metrics on detected faces and on all images.

    Args:
        probabilities: ``[D, 7]`` model outputs for the detected images, in order.
        labels: ``[N]`` true class indices of all images.
        detected: ``[N]`` booleans, a face was found.
        settings: the decision settings (gains, min_confidence).

    Without a face an image counts as wrong for 7 classes and as 'unknown' for 3 classes.

    """
    pred7 = np.argmax(probabilities, axis=1)
    pred3 = decide_three_class(probabilities, settings)
    all7 = every_image(pred7, detected, -1)
    all3 = every_image(pred3, detected, UNKNOWN_INDEX)
    true3 = to_three_class(labels)
    return {
        'detected_7': class_metrics(labels[detected], pred7, CLASS_NAMES),
        'detected_3': class_metrics(true3[detected], pred3, DECISION_LABELS),
        'all_7': class_metrics(labels, all7, CLASS_NAMES),
        'all_3': class_metrics(true3, all3, DECISION_LABELS),
        'images': int(len(labels)), 'detected_images': int(detected.sum())}


def tune_gains(probabilities: np.ndarray, labels: np.ndarray, detected: np.ndarray,
               base: DecisionSettings) -> DecisionSettings:
    """Choose happy/sad gains on the validation split (all images), never on the test split.

    The objective is 3-class accuracy + macro-F1: macro-F1 alone buys recall of the rare sad
    class with many false alarms, which costs a robot more than it gains (unknown is 59%).
    """
    grid = np.round(np.arange(0.6, 3.01, 0.1), 2)
    best, best_score = base, -1.0
    for happy, sad in product(grid, grid):
        settings = DecisionSettings(**{**base.__dict__, 'happy_gain': float(happy),
                                       'sad_gain': float(sad)})
        metrics = evaluate(probabilities, labels, detected, settings)['all_3']
        score = metrics['accuracy'] + metrics['macro_f1']
        if score > best_score + 1e-9:
            best, best_score = settings, score
    return best


@dataclass(frozen=True)
class AlarmLimits:
    """The false alarms a robot can live with: hard limits of every decision tuning.

    ``talker_share``: the share of a neutral talker's frames published happy, and the share
    published sad; ``negatives_sad``: the share of a set's angry, disgusted and neutral faces
    that read sad; ``sad_recall``: the least sad recall of every set.

    Happy precision is reported (``alarm_rates``; per clip, ``talking_report``) but not
    limited: on the talking clips (two happy clips) it turns on single clips, which would make
    every comparison of models a draw on one clip (round 16, the model card).
    """

    talker_share: float = 0.05
    negatives_sad: float = 0.20
    sad_recall: float = 0.45
    #: objective points lost per unit of a limit exceeded (large: the limits are hard)
    penalty: float = 10.0


#: The classes whose faces must rarely read sad (the robot would comfort anger and calm).
NEGATIVE_CLASSES = ('angry', 'disgust', 'neutral')


def alarm_rates(labels7: np.ndarray, pred3: np.ndarray) -> Dict[str, float]:
    """Return a set's 3-class macro-F1, sad recall, sad and happy precision, negatives read sad.

    A precision is None where nothing was read as that class.
    """
    true3 = to_three_class(labels7)
    sad, happy = DECISION_LABELS.index('sad'), DECISION_LABELS.index('happy')
    negatives = np.isin(labels7, [CLASS_NAMES.index(n) for n in NEGATIVE_CLASSES])
    said_sad, said_happy = pred3 == sad, pred3 == happy
    return {'macro_f1': round(float(f1_score(true3, pred3, labels=[0, 1, 2], average='macro',
                                             zero_division=0)), 4),
            'sad_recall': round(float(np.mean(said_sad[true3 == sad])), 4)
            if (true3 == sad).any() else None,
            'sad_precision': round(float(np.mean(true3[said_sad] == sad)), 4)
            if said_sad.any() else None,
            'negatives_read_sad': round(float(np.mean(said_sad[negatives])), 4)
            if negatives.any() else None,
            'happy_precision': round(float(np.mean(true3[said_happy] == happy)), 4)
            if said_happy.any() else None}


def decision_objective(predictions: Dict[str, Tuple[np.ndarray, np.ndarray]],
                       weights: Optional[Dict[str, float]] = None,
                       talking: Optional[Dict[str, object]] = None,
                       limits: AlarmLimits = AlarmLimits()
                       ) -> Tuple[float, Dict[str, Dict[str, float]]]:
    """Score decisions on several sets the way every decision tuning here does.

    ``predictions`` maps a set's name to ``(FER2013 class labels, decided 3-class labels)``;
    ``talking`` is ``talking.talking_report`` of the talking clips (its per-clip macro-F1 is
    one more set, named ``talking``). The score is the (``weights``-weighted) mean macro-F1
    less ``limits.penalty`` times every amount by which a limit of :class:`AlarmLimits` is
    exceeded: sad recall and negatives read sad on every set, the neutral talkers' happy and
    sad frame shares. Returns the score and ``{name: rates}`` (``alarm_rates``; for the talking
    clips also their per-clip happy precision).
    """
    detail, terms = {}, {}
    for name, (labels7, pred3) in predictions.items():
        rates = detail[name] = alarm_rates(np.asarray(labels7), np.asarray(pred3))
        excess = max(0.0, limits.sad_recall - (rates['sad_recall'] if rates['sad_recall']
                                               is not None else 1.0))
        excess += max(0.0, (rates['negatives_read_sad'] or 0.0) - limits.negatives_sad)
        terms[name] = rates['macro_f1'] - limits.penalty * excess
    if talking is not None:
        shares = [talking['neutral_talkers_happy_share'] or 0.0,
                  talking['neutral_talkers_sad_share'] or 0.0]
        found = talking['clips_found'].get('sad', 1.0)
        excess = sum(max(0.0, share - limits.talker_share) for share in shares)
        excess += max(0.0, limits.sad_recall - found)
        detail['talking'] = {'macro_f1': talking['clip_macro_f1'], 'sad_recall': found,
                             'happy_precision': talking['clips_precision'].get('happy'),
                             'neutral_talkers_happy_share': shares[0],
                             'neutral_talkers_sad_share': shares[1]}
        terms['talking'] = talking['clip_macro_f1'] - limits.penalty * excess
    weight = weights or {}
    score = sum(weight.get(n, 1.0) * t for n, t in terms.items()) / sum(
        weight.get(n, 1.0) for n in terms)
    return float(score), detail


def decided_talking(clips: Sequence[Tuple[int, np.ndarray, np.ndarray]],
                    settings: DecisionSettings, unknown_bonus: float = 0.0
                    ) -> List[Tuple[int, List[str]]]:
    """Return ``(class, label per frame)`` of clips decided frame by frame (no label filter).

    ``clips`` holds ``(FER2013 class, probabilities of the frames with a face, face mask)``;
    frames without a face are unknown.
    """
    decided = []
    for label, probabilities, has_face in clips:
        frames = every_image(decide_three_class(probabilities, settings, unknown_bonus)
                             if len(probabilities) else np.zeros(0, np.int64),
                             np.asarray(has_face, bool), UNKNOWN_INDEX)
        decided.append((label, [DECISION_LABELS[i] for i in frames]))
    return decided


def tune_decision(sets: Dict[str, tuple], base: DecisionSettings,
                  weights: Optional[Dict[str, float]] = None,
                  talking: Optional[Sequence[Tuple[int, np.ndarray, np.ndarray]]] = None,
                  limits: AlarmLimits = AlarmLimits()
                  ) -> Tuple[DecisionSettings, Dict[str, object]]:
    """Choose happy/sad gains for faces in general: FER2013 val and other people together.

    ``sets`` maps a name to ``(probabilities [D, 7], labels [N], detected [N])``, decided on
    still windows with the label filter's hysteresis from unknown (``switch_margin``), as for
    a face the robot has just met; ``talking`` (see :func:`decided_talking`) adds the talking
    clips, decided frame by frame. Scored by :func:`decision_objective` with ``limits``.
    Never given a test split. (``robot_tuning`` then refines these gains and the filter over
    time, with the label filter on every frame.)

    Returns:
        The settings and ``{'objective', 'per_set': {name: rates}, 'limits', 'weights'}``.

    """
    grid = np.round(np.arange(0.6, 4.01, 0.1), 2)
    best, best_score, best_detail = base, -np.inf, {}
    for happy, sad_gain in product(grid, grid):
        settings = DecisionSettings(**{**base.__dict__, 'happy_gain': float(happy),
                                       'sad_gain': float(sad_gain)})
        predictions = {}
        for name, (probabilities, labels, detected) in sets.items():
            pred3 = every_image(decide_three_class(probabilities, settings, base.switch_margin),
                                detected, UNKNOWN_INDEX)
            predictions[name] = (labels, pred3)
        report = (talking_report(decided_talking(talking, settings, base.switch_margin))
                  if talking else None)
        score, detail = decision_objective(predictions, weights, report, limits)
        if score > best_score + 1e-9:
            best, best_score, best_detail = settings, score, detail
    return best, {'objective': round(float(best_score), 4), 'per_set': best_detail,
                  'limits': dict(limits.__dict__), 'weights': dict(weights or {})}


def summary_line(metrics: Dict[str, Dict[str, object]]) -> Dict[str, float]:
    """Return the headline numbers of an evaluation."""
    return {f'{key}_{m}': round(float(metrics[key][m]), 4)
            for key in ('all_7', 'all_3', 'detected_7', 'detected_3')
            for m in ('accuracy', 'macro_f1')}


def plot_confusion(matrix: Sequence[Sequence[int]], names: Sequence[str], title: str,
                   path: Path, normalise: bool = True) -> Optional[Path]:
    """Save a confusion matrix (rows: truth) as a PNG."""
    import matplotlib  # here: matplotlib is slow to import and only plots need it
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    counts = np.asarray(matrix, dtype=np.float64)
    shown = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1) if normalise else counts
    figure, axes = plt.subplots(figsize=(1.1 * len(names) + 2, 1.0 * len(names) + 1.5))
    axes.imshow(shown, cmap='Blues', vmin=0, vmax=1 if normalise else None)
    axes.set_xticks(range(len(names)), names, rotation=45, ha='right')
    axes.set_yticks(range(len(names)), names)
    axes.set_xlabel('predicted')
    axes.set_ylabel('true')
    for (i, j), value in np.ndenumerate(counts):
        text = f'{shown[i, j]:.2f}\n({int(value)})' if normalise else f'{int(value)}'
        axes.text(j, i, text, ha='center', va='center', fontsize=7,
                  color='white' if shown[i, j] > 0.5 else 'black')
    axes.set_title(title)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path
