# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The decision and the label filter tuned on the robot's view of validation faces.

The validation faces are shown once to ``EmotionEstimator`` with the new model and the
runtime's ``LabelFilter`` is replayed on the record for every candidate setting (see
:func:`tune_on_robot_view`). The test split is never used.
"""

from dataclasses import dataclass
from itertools import product
import multiprocessing
import os
from pathlib import Path
import pickle
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from emotion_estimator.contract import CLASS_NAMES, DECISION_LABELS, DecisionSettings, ModelSpec
from emotion_estimator.model_files import sha256_of

from emotion_estimator_training import api_eval
from emotion_estimator_training.crossval import load_still_set
from emotion_estimator_training.evaluate import decision_objective
from emotion_estimator_training.features import Crosses
from emotion_estimator_training.media import FPS, load_items, TALKING_SUBJECT_PATTERN
from emotion_estimator_training.talking import replay_labels, talking_report

#: Seconds each face of the flicker set is held, and every how many-th PublicTest face is used.
FLICKER_HOLD_S = 4.0
FLICKER_EVERY = 12
#: Candidate filter settings: hysteresis margin, minimum dwell, smoothing time constant (no
#: dwell a whole number of frames at 15 fps, where rounding would decide between two frames).
MARGINS = (0.0, 0.02, 0.05, 0.1)
DWELLS = (0.25, 0.35, 0.5)
SMOOTHINGS = (0.15, 0.3)
#: Gains tried around the still-window ones (steps of 0.1 for happy, 0.2 for sad).
HAPPY_STEPS = tuple(np.round(np.arange(-0.3, 0.31, 0.1), 2))
SAD_STEPS = tuple(np.round(np.arange(-1.0, 1.01, 0.2), 2))

Record = np.ndarray
#: The columns of a record (``api_eval._trace``) that hold the 7 class probabilities.
PROBABILITIES = slice(1, 1 + len(CLASS_NAMES))


def validation_jobs(fer_root: Path, crossval_root: Path, limit: Optional[int] = None,
                    talking_root: Optional[Path] = None
                    ) -> Dict[str, Tuple[list, np.ndarray]]:
    """Return ``{set: (jobs, FER2013 class labels)}`` of the validation faces (no test split).

    ``limit`` keeps about that many items of each set (smoke runs; the talking clips are
    always all played).
    """
    thin = api_eval.thin
    paths, labels = api_eval.fer_test_set(fer_root, 'val')
    sets = {'fer_val': thin(api_eval.held_still_jobs(paths), labels, limit)}
    mux = load_still_set(crossval_root / 'muxspace', 'muxspace')
    sets['muxspace'] = thin(api_eval.held_still_jobs([str(p) for p in mux.paths]), mux.labels,
                            limit)
    met, cold, yale_labels = api_eval.meeting_jobs(crossval_root / 'yale')
    sets['yale'] = thin(cold, yale_labels, limit)
    sets['yale_met'] = thin(met, yale_labels, limit)
    noisy = [(api_eval.Segment(path, FLICKER_HOLD_S, 'noisy_photo'),) for path in paths]
    sets['flicker'] = thin(noisy, labels, limit, FLICKER_EVERY)
    if talking_root is not None:
        items = [item for item in load_items(talking_root, TALKING_SUBJECT_PATTERN)
                 if item.kind == 'clip']
        sets['talking'] = ([(api_eval.Segment(item.path, 0.0, 'clip'),) for item in items],
                           np.array([item.label for item in items], dtype=np.int64))
    return sets


def record_sets(sets: Dict[str, Tuple[list, np.ndarray]], model_spec: Optional[str],
                face_model: Optional[str], workers: int = 1) -> Dict[str, Tuple[list, list]]:
    """Run every job through ``EmotionEstimator``: ``{set: (published labels, records)}``."""
    recorded = {}
    for name, (jobs, _) in sets.items():
        results = api_eval.run_jobs(jobs, model_spec, face_model, workers, name, trace=True)
        recorded[name] = ([label for label, _ in results], [record for _, record in results])
    return recorded


def recorded_once(sets: Dict[str, Tuple[list, np.ndarray]], model_spec: str, face_model: str,
                  workers: int, path: Path) -> Dict[str, Tuple[list, list]]:
    """Return :func:`record_sets` of ``sets``, kept in ``path`` for later runs (benchmarks).

    The file names the checksum of the model file that made it and the spec's frame stride
    (the same file read at another stride sees other windows); a file made with another model
    or stride is refused (``ValueError``) rather than replayed: remove it, or give another path.
    """
    spec = ModelSpec.load(Path(model_spec))
    made_with = {'model_sha256': sha256_of(spec.model_file()), 'frame_stride': spec.frame_stride}
    if path.is_file():
        kept = pickle.loads(path.read_bytes())
        kept.setdefault('frame_stride', 1)  # files from before strides were read at 1
        if {key: kept[key] for key in made_with} != made_with:
            raise ValueError(f'{path} holds the faces recorded with another model or frame '
                             f'stride; remove it or give another path')
        return kept['recorded']
    recorded = record_sets(sets, model_spec, face_model, workers)
    path.write_bytes(pickle.dumps({**made_with, 'recorded': recorded}))
    return recorded


def replay(record: Record, settings: DecisionSettings) -> Tuple[str, int]:
    """Replay the runtime's ``LabelFilter`` on a record: the last label and the changes."""
    labels = replay_frames(record, settings)
    changes = sum(new != old for old, new in zip(['unknown'] + labels, labels))
    return labels[-1], changes


def replay_frames(record: Record, settings: DecisionSettings) -> List[str]:
    """Replay the runtime's ``LabelFilter`` on a record: the label published at every frame."""
    has_face = ~np.isnan(record[:, 1])
    return replay_labels(record[has_face, PROBABILITIES], has_face, np.cumsum(record[:, 0]),
                         settings)


@dataclass(frozen=True)
class LinearBlend:
    """The logistic regression of a blended model (``model._blended``) and its weight.

    ``kernel`` ``[features (+ crossed), 7]`` and ``bias`` ``[7]`` read the mean of the window's
    raw scores and, with ``crosses``, their crossed features; ``weight`` is the blend weight
    the records were made with.
    """

    kernel: np.ndarray
    bias: np.ndarray
    weight: float
    crosses: Optional[Crosses] = None

    @classmethod
    def of(cls, model, weight: float) -> 'LinearBlend':
        """Return the regression of the blended Keras ``model``, made at ``weight``."""
        from emotion_estimator_training.model import crosses_of, regression_of  # Keras: lazily
        return cls(*regression_of(model), weight, crosses_of(model))

    def logits(self, means: np.ndarray) -> np.ndarray:
        """Return the regression's logits ``[N, 7]`` of window means ``[N, features]``."""
        read = means if self.crosses is None else self.crosses.expand(means)
        return read @ self.kernel + self.bias


def reblended(record: Record, blend: LinearBlend, weight: float,
              regression: Optional[LinearBlend] = None) -> Record:
    """Return ``record`` with its probabilities blended at ``weight`` instead of ``blend.weight``.

    The recorded probabilities are ``softmax((1 - w0) z_lstm + w0 z_linear)``, and the record
    holds the window mean that ``z_linear`` reads, so ``log p - w0 z_linear`` is
    ``(1 - w0) z_lstm`` up to a constant per frame, which the softmax removes: the LSTM's part
    is recovered exactly and blended again, with ``blend``'s regression or with another one
    (``regression``: its kernel, bias and crosses; its weight is not used). ``blend.weight``
    must be below 1.
    """
    out = np.array(record, dtype=np.float64, copy=True)
    face = ~np.isnan(out[:, 1])
    if (weight == blend.weight and regression is None) or not face.any():
        return out
    means = out[face, PROBABILITIES.stop:]
    linear = blend.logits(means)
    lstm = np.log(np.clip(out[face, PROBABILITIES], 1e-30, None)) - blend.weight * linear
    if regression is not None:
        linear = regression.logits(means)
    logits = lstm * (1.0 - weight) / (1.0 - blend.weight) + weight * linear
    logits -= logits.max(axis=1, keepdims=True)
    probabilities = np.exp(logits)
    out[face, PROBABILITIES] = probabilities / probabilities.sum(axis=1, keepdims=True)
    return out


def reblend_check(recorded: np.ndarray, exported: np.ndarray, windows: np.ndarray,
                  blend: LinearBlend, weight: float) -> float:
    """Return how far the model exported at ``weight`` is from re-blending the recorded one.

    ``recorded`` and ``exported`` are the two TFLite models' probabilities on ``windows``; the
    robot's-view records were re-blended the same way (:func:`reblended`).
    """
    rows = np.column_stack([np.zeros(len(windows)), recorded, windows.mean(axis=1)])
    return round(float(np.abs(reblended(rows, blend, weight)[:, PROBABILITIES]
                              - exported).max()), 7)


def talking_replayed(records: Sequence[Record], labels7: np.ndarray,
                     settings: DecisionSettings) -> Dict[str, object]:
    """Return ``talking.talking_report`` of the talking clips' records replayed."""
    return talking_report([(int(label), replay_frames(record, settings))
                           for label, record in zip(labels7, records)])


def replayed(records: Sequence[Record], settings: DecisionSettings) -> np.ndarray:
    """Return the 3-class label at the end of each record."""
    return np.array([DECISION_LABELS.index(replay(record, settings)[0]) for record in records],
                    dtype=np.int64)


def flicker_per_minute(records: Sequence[Record], settings: DecisionSettings) -> float:
    """Return the published changes after the first one, per minute of steady (noisy) face."""
    extra = sum(max(0, replay(record, settings)[1] - 1) for record in records)
    minutes = sum(float(record[:, 0].sum()) + 1.0 / FPS for record in records) / 60.0
    return extra / max(minutes, 1e-9)


_POOL: Dict[str, object] = {}


def _pool_start(records, truth, weights) -> None:
    _POOL.update(records=records, truth=truth, weights=weights)


def _score(settings: DecisionSettings) -> Tuple[float, Dict[str, Dict[str, float]], float]:
    records, truth = _POOL['records'], _POOL['truth']
    predictions = {name: (truth[name], replayed(records[name], settings))
                   for name in truth if name != 'talking'}
    talking = (talking_replayed(records['talking'], truth['talking'], settings)
               if 'talking' in truth else None)
    score, detail = decision_objective(predictions, _POOL['weights'], talking)
    return score, detail, flicker_per_minute(records['flicker'], settings)


def tune(recorded: Dict[str, Tuple[list, list]], labels: Dict[str, np.ndarray],
         start: DecisionSettings, weights: Dict[str, float],
         workers: int = 1) -> Tuple[DecisionSettings, Dict[str, object]]:
    """Choose gains and filter settings on the records (see the module docstring).

    ``start`` holds the still-window gains. Returns the settings and a record of the search:
    the start's and the result's objective, per-set scores and flicker, and the flicker budget.
    """
    records = {name: recorded[name][1] for name in recorded}
    truth = {name: labels[name] for name in weights if name in records}
    # Fresh processes (no TensorFlow or MediaPipe threads forked), each given the records once.
    context = multiprocessing.get_context('spawn')
    with context.Pool(max(1, workers), _pool_start, (records, truth, weights)) as pool:
        def evaluate_all(candidates: List[DecisionSettings]):
            return pool.map(_score, candidates)

        # The flicker budget: the hand-set filter (DecisionSettings' own) with the start's gains.
        hand_set = DecisionSettings(happy_gain=start.happy_gain, sad_gain=start.sad_gain,
                                    min_confidence=start.min_confidence)
        scored = evaluate_all([start] if hand_set == start else [start, hand_set])
        budget = scored[-1][2]
        best, (best_score, best_detail, best_flicker) = start, scored[0]
        first = {'objective': round(best_score, 4), 'per_set': best_detail,
                 'flicker_per_min': round(best_flicker, 3)}

        def improve(candidates: List[DecisionSettings]) -> None:
            nonlocal best, best_score, best_detail, best_flicker
            for candidate, (score, detail, flicker) in zip(candidates,
                                                           evaluate_all(candidates)):
                if flicker <= budget + 1e-9 and score > best_score + 1e-9:
                    best, best_score, best_detail, best_flicker = candidate, score, detail, \
                        flicker

        def filters():
            return [DecisionSettings(**{**best.__dict__, 'switch_margin': m, 'min_dwell_s': d,
                                        'smoothing_time_s': s})
                    for m, d, s in product(MARGINS, DWELLS, SMOOTHINGS)]

        improve(filters())
        improve([DecisionSettings(**{**best.__dict__,
                                     'happy_gain': round(max(0.1, start.happy_gain + h), 2),
                                     'sad_gain': round(max(0.1, start.sad_gain + s), 2)})
                 for h, s in product(HAPPY_STEPS, SAD_STEPS)])
        improve(filters())
    agreement = agrees_with_estimator(recorded, start)
    talking = (talking_replayed(records['talking'], labels['talking'], best)
               if 'talking' in records else None)
    return best, {
        'start': {**first, 'settings': dict(start.__dict__)},
        'objective': round(best_score, 4), 'per_set': best_detail,
        'flicker_per_min': round(best_flicker, 3), 'flicker_budget_per_min': round(budget, 3),
        'replay_agrees_with_estimator': {k: round(v, 4) for k, v in agreement.items()},
        'faces': {name: len(records[name]) for name in records},
        'talking': talking, 'weights': dict(weights)}


def agrees_with_estimator(recorded: Dict[str, Tuple[list, list]],
                          settings: DecisionSettings) -> Dict[str, float]:
    """Return per set the share of records whose replay ends on the label the estimator published.

    Sets recorded without published labels (re-blended records) are left out.
    """
    return {name: float(np.mean([DECISION_LABELS.index(published) == end for published, end
                                 in zip(recorded[name][0], replayed(recorded[name][1],
                                                                    settings))]))
            for name in recorded if recorded[name][0]}


def choose_blend(recorded: Dict[str, Tuple[list, list]], labels: Dict[str, np.ndarray],
                 start: DecisionSettings, weights: Dict[str, float], blend: LinearBlend,
                 choices: Sequence[float], workers: int = 1
                 ) -> Tuple[float, DecisionSettings, Dict[str, object]]:
    """Tune the decision at every blend weight of ``choices``; return the best weight's.

    The records (made at ``blend.weight``) are blended again at each weight
    (:func:`reblended`) and searched as :func:`tune` searches; the weight whose tuned objective
    is highest wins (the lower weight on a tie). Returns the weight, its settings and its search
    record, with ``blend``: the recorded weight, the weight chosen and each weight's objective.
    """
    best = None
    objectives = {}
    for weight in sorted(set(float(w) for w in choices)):
        # Without the published labels: the agreement with the estimator is checked once below.
        records = {name: ([], [reblended(record, blend, weight) for record in traces])
                   for name, (_, traces) in recorded.items()}
        settings, detail = tune(records, labels, start, weights, workers)
        objectives[weight] = detail['objective']
        if best is None or detail['objective'] > best[2]['objective'] + 1e-9:
            best = (weight, settings, detail)
    weight, settings, detail = best
    detail['replay_agrees_with_estimator'] = {
        name: round(value, 4) for name, value in agrees_with_estimator(recorded, start).items()}
    detail['blend'] = {'recorded_weight': blend.weight, 'weight': weight,
                       'objective_per_weight': {str(w): o for w, o in objectives.items()}}
    return weight, settings, detail


def tune_on_robot_view(model_spec: Path, face_model: Path, fer_root: Path, crossval_root: Path,
                       start: DecisionSettings, weights: Dict[str, float],
                       workers: Optional[int] = None, limit: Optional[int] = None,
                       talking_root: Optional[Path] = None,
                       blend: Optional[LinearBlend] = None, blend_choices: Sequence[float] = ()
                       ) -> Tuple[DecisionSettings, Dict[str, object]]:
    """Record the validation faces through ``EmotionEstimator`` with ``model_spec``, then tune.

    With ``blend`` (the model's linear blend) and ``blend_choices``, the blend weight is chosen
    too (:func:`choose_blend`): the search record's ``blend`` names it.

    ``model_spec`` must hold ``start`` as its decision, which the records' published labels
    are checked against (``replay_agrees_with_estimator``).

    ``evaluate.tune_decision`` chooses the happy/sad gains on still windows fed to the network, but
    what a robot gets is the label after the runtime's ``LabelFilter`` (smoothing, hysteresis,
    minimum dwell) has seen the faces over time. Two things only show over time: a held photo is
    scored after 0.8 s, so a slow filter never leaves unknown; and a person whose resting face
    first reads as sad stays "sad" when the hysteresis margin is wider than what the resting face
    then takes away (a neutral face published sad while every frame read unknown). So the build
    shows the validation faces to ``EmotionEstimator`` with the new model once, exactly as
    ``evaluate-api`` shows the test faces, records the class probabilities the filter was given
    on every frame, and replays the runtime's own ``LabelFilter`` on the record
    for each candidate setting:

    * ``fer_val`` (FER2013 PublicTest) and ``muxspace``: each photo held 12 frames at 15 fps;
    * ``yale``: each expression alone for 1.5 s; ``yale_met``: the subject's neutral photo for
      10 s, then the expression for 1.5 s;
    * ``flicker``: every 12th FER2013 PublicTest face held 4 s with camera noise on every frame,
      where every published change after the first is flicker;
    * ``talking`` (with the talking clips): every clip played once, cold, every frame's published
      label kept (``talking.talking_report``: how each clip reads, how often neutral talkers are
      called happy or sad).

    The objective is :func:`evaluate.decision_objective` (the same as on still windows: mean
    macro-F1 under the hard limits of :class:`evaluate.AlarmLimits`, Yale counted once); a setting
    may not flicker more on the noisy faces than the hand-set filter it replaces
    (``DecisionSettings()``'s). The search is a coordinate descent: filter, then gains around the
    still-window gains, then filter again. The test split is never used.
    """
    workers = workers or os.cpu_count() or 1
    sets = validation_jobs(fer_root, crossval_root, limit, talking_root)
    recorded = record_sets(sets, str(model_spec), str(face_model), workers)
    labels = {name: labels for name, (_, labels) in sets.items()}
    if blend is None or not blend_choices:
        return tune(recorded, labels, start, weights, workers)
    _, settings, detail = choose_blend(recorded, labels, start, weights, blend, blend_choices,
                                       workers)
    return settings, detail
