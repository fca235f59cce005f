# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The robot's view: the shipped model run through ``EmotionEstimator`` on frames over time.

The protocol (:data:`PROTOCOL`, written into every record) shows held stills, Yale subjects
met and cold, and any labelled folder of photos, clips and frames, as a camera would.
"""

from dataclasses import dataclass
import itertools
import multiprocessing
import os
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Tuple
import zlib

import numpy as np

from emotion_estimator.contract import CLASS_NAMES, DECISION_LABELS
from emotion_estimator.estimator import EmotionEstimator
from emotion_estimator.provenance import machine, today

from emotion_estimator_training.crossval import load_still_set
from emotion_estimator_training.evaluate import alarm_rates, class_metrics
from emotion_estimator_training.labels import to_three_class
from emotion_estimator_training.media import clip_frames, FPS, Item, load_items, read_photo, \
    SUBJECT_PATTERN
from emotion_estimator_training.talking import talking_report

#: How every set is shown and scored (written into the record as ``protocol``).
PROTOCOL = """\
The robot's view: the shipped model run through ``EmotionEstimator`` on frames over time.

Every number here comes from the public API with its default settings, frame by frame, the way
the node sees a camera, not from windows fed to the network:

* **held stills** (FER2013 PrivateTest, the crossval stills): each photo is shown for 12 frames
  at 15 fps after a 5 s gap (so every photo is a new person: a cold start); the published label
  and the 7-class argmax of the last frame are scored. No face on the last frame = the
  published label (unknown once the grace time is over) and a wrong 7-class answer.
* **meeting a person** (Yale, per subject): the subject's neutral photo for 10 s, then one of
  their expressions for 1.5 s, scored at its last frame ("met"); the same expression alone for
  1.5 s after a gap is the cold start.
* **any labelled folder** (``--dataset NAME=DIR``: the data sets of other people the team
  holds, posed sequences, stills, talking-face videos): ``DIR/<class>/<item>``, where an item
  is a photo (held 12 frames at 15 fps, as above), a video file (every frame, at its own frame
  rate) or a folder of frames (a sequence, every frame at 15 fps). Cold: each item alone after
  a gap. Met: first 10 s of the person's neutral face, that is a ``neutral`` item of the same
  subject (photo held, video or sequence looped), else, for a video or a sequence, its own
  first frame held (a posed sequence starts neutral); a photo without a neutral item of its
  subject has no met run. Every item is scored at its last frame; clips are also scored over
  all their frames (``clips``: how each clip reads, ``talking.clip_label``, and the share of
  neutral talkers' frames published happy or sad).

Every set reports per-class recall and precision, sad precision, the share of angry,
disgusted and neutral faces read sad, and which true classes the sad answers came from.
"""

HELD_FRAMES = 12
GAP_S = 5.0
MEET_NEUTRAL_S = 10.0
MEET_EXPRESSION_S = 1.5
#: Grey levels of Gaussian sensor noise on every frame of a ``noisy_photo`` (a webcam in a lit
#: room is about 2-5 at 8 bits).
CAMERA_NOISE_STD = 4.0


@dataclass(frozen=True)
class Segment:
    """What is shown: a photo for ``seconds`` (at :data:`FPS`), or a clip.

    ``kind`` ``photo``: the photo held for ``seconds``; ``noisy_photo``: the same with camera
    sensor noise, new on every frame (:data:`CAMERA_NOISE_STD`); ``clip``: a video file or a
    folder of frames played once (``seconds`` 0) or looped for ``seconds``; ``first_frame``: a
    clip's first frame held for ``seconds``.
    """

    path: str
    seconds: float
    kind: str = 'photo'


#: One job: segments shown one after another (after a gap), scored at the end of the last one.
Job = Tuple[Segment, ...]
#: ``run(jobs, desc)``: ``run_jobs`` with the model, face model, workers and resting face bound.
Runner = Callable[[Sequence[Job], str], List[tuple]]

_WORKER: Dict[str, object] = {}


def _start(model_spec: Optional[str], face_model: Optional[str],
           resting_face: bool = True) -> None:
    os.environ.setdefault('GLOG_minloglevel', '2')
    _WORKER['estimator'] = EmotionEstimator(model_spec_path=model_spec,
                                            face_model_path=face_model,
                                            resting_face=resting_face)
    _WORKER['time'] = 0.0


def segment_frames(segment: Segment) -> Iterator[Tuple[np.ndarray, float]]:
    """Yield ``(frame, seconds until the next one)`` for everything a segment shows."""
    if segment.kind in ('photo', 'noisy_photo'):
        frame = read_photo(segment.path)
        rng = np.random.default_rng(zlib.crc32(segment.path.encode()))
        for _ in range(max(1, int(round(segment.seconds * FPS)))):
            if segment.kind == 'noisy_photo':
                noise = rng.normal(0.0, CAMERA_NOISE_STD, frame.shape)
                yield np.clip(frame + noise, 0, 255).astype(np.uint8), 1.0 / FPS
            else:
                yield frame, 1.0 / FPS
        return
    frames, fps = clip_frames(segment.path)
    if segment.kind == 'first_frame':
        for _ in range(max(1, int(round(segment.seconds * FPS)))):
            yield frames[0], 1.0 / FPS
        return
    shown = 0
    while shown == 0 or shown < segment.seconds * fps:
        for frame in frames:
            yield frame, 1.0 / fps
            shown += 1


def _show(job: Job) -> Iterator[Tuple[object, float, bool]]:
    """Show a job on this worker's estimator after a gap.

    Yields ``(result, seconds since the frame before, the frame is of the job's last segment)``.

    Every job is a new face, whatever this worker ran before, so that the numbers do not
    depend on how the jobs were shared among the workers: a grey frame first ends MediaPipe's
    tracking of the previous job's face, and the gap is longer than the estimator keeps a face
    it no longer sees (``forget_after_s``).
    """
    estimator = _WORKER['estimator']
    last = len(job) - 1
    frames = itertools.chain.from_iterable(
        ((frame, step_s, index == last) for frame, step_s in segment_frames(segment))
        for index, segment in enumerate(job))
    first = next(frames)
    estimator.process(np.full_like(first[0], 128), _WORKER['time'] + 1.0 / FPS)
    gap_s = max(GAP_S, estimator.resting_settings.forget_after_s + 1.0)
    time_s, step_before = _WORKER['time'] + gap_s, 0.0
    for frame, step_s, scored in itertools.chain([first], frames):
        yield estimator.process(frame, time_s), step_before, scored
        time_s += step_s
        step_before = step_s
    _WORKER['time'] = time_s


def _run(job: Job) -> Tuple[str, int, float, List[str]]:
    """Show a job's segments; return the last frame's label, 7-class argmax and settledness.

    The fourth value is the label published at every frame of the job's last segment (what
    is scored; a meeting segment before it is not).
    """
    labels = []
    for result, _, scored in _show(job):
        if scored:
            labels.append(result.label)
    scores = [result.scores[name] for name in CLASS_NAMES]
    argmax = int(np.argmax(scores)) if result.face_found else -1
    return result.label, argmax, result.resting_face_settled, labels


def _trace(job: Job) -> Tuple[str, np.ndarray]:
    """Show a job's segments; return the last published label and every frame's record.

    The record is ``[F, 8 + features]``: the seconds since the frame before, the 7 class
    probabilities the label filter was given, then the mean over the window the model read
    (the input of the model's linear blend), NaN without a face; so that the runtime's
    :class:`~emotion_estimator.decision.LabelFilter` can be replayed with other settings, and
    the probabilities blended again with another weight (``robot_tuning.reblended``).
    """
    estimator = _WORKER['estimator']
    no_face = [np.nan] * (len(CLASS_NAMES) + len(estimator.spec.feature_indices))
    rows = []
    for result, step_before, _ in _show(job):
        if result.face_found:
            mean = estimator.window.as_array().mean(axis=0)
            rows.append([step_before] + [result.scores[name] for name in CLASS_NAMES]
                        + mean.tolist())
        else:
            rows.append([step_before] + no_face)
    return result.label, np.array(rows, dtype=np.float64)


def run_jobs(jobs: Sequence[Job], model_spec: Optional[str], face_model: Optional[str],
             workers: int = 1, desc: str = '', trace: bool = False,
             resting_face: bool = True) -> List[tuple]:
    """Run jobs on ``workers`` processes (each its own estimator), results in job order.

    Each result is ``_run``'s (label, 7-class argmax, settledness, labels of the scored frames),
    or with ``trace`` ``_trace``'s (label, per-frame record). ``resting_face`` False runs the
    estimators without the person's resting face (``EmotionEstimator(resting_face=False)``).
    """
    from tqdm import tqdm

    work = _trace if trace else _run
    if workers <= 1:
        _start(model_spec, face_model, resting_face)
        try:
            return [work(job) for job in tqdm(jobs, desc=desc, unit='face', leave=False)]
        finally:
            _WORKER.pop('estimator').close()
    context = multiprocessing.get_context('spawn')
    with context.Pool(workers, _start, (model_spec, face_model, resting_face)) as pool:
        return list(tqdm(pool.imap(work, jobs, chunksize=16), total=len(jobs), desc=desc,
                         unit='face', leave=False))


def score(labels7: np.ndarray, results: Sequence[Tuple[str, int, float, List[str]]]
          ) -> Dict[str, object]:
    """Return 3-class (published label) and 7-class (argmax) metrics of a run.

    Beside accuracy, macro-F1 and per-class recall and precision: the false alarms
    (``evaluate.alarm_rates``: sad precision, the share of angry, disgusted and neutral faces
    read sad) and which true classes the ``sad`` and ``happy`` answers came from.
    """
    labels7 = np.asarray(labels7)
    true3 = to_three_class(labels7)
    pred3 = np.array([DECISION_LABELS.index(result[0]) for result in results])
    pred7 = np.array([result[1] for result in results])
    three = class_metrics(true3, pred3, DECISION_LABELS)
    seven = class_metrics(labels7, pred7, CLASS_NAMES)
    answers_from = {
        answer: {name: int(np.sum((pred3 == DECISION_LABELS.index(answer))
                                  & (labels7 == index)))
                 for index, name in enumerate(CLASS_NAMES)}
        for answer in ('happy', 'sad')}
    return {'images': int(len(labels7)),
            'three_class': {k: three[k] for k in ('accuracy', 'macro_f1', 'per_class',
                                                  'confusion')},
            'seven_class': {'accuracy': seven['accuracy'], 'macro_f1': seven['macro_f1']},
            'alarms': alarm_rates(labels7, pred3), 'answers_from': answers_from,
            'mean_resting_face_settled': round(float(np.mean([r[2] for r in results])), 3)}


def clip_score(labels7: np.ndarray, items: Sequence['Item'],
               results: Sequence[Tuple[str, int, float, List[str]]]
               ) -> Optional[Dict[str, object]]:
    """Return ``talking.talking_report`` of the clips of a run (None without clips).

    Every clip is scored by the labels published over its frames (how a clip reads, how often
    neutral talkers are called happy or sad), not only at its last frame.
    """
    clips = [(int(label), result[3]) for label, item, result in zip(labels7, items, results)
             if item.kind == 'clip']
    return talking_report(clips) if clips else None


def held_still_jobs(paths: Sequence[str]) -> List[Job]:
    """Return one job per photo: the photo for 12 frames after a gap."""
    return [(Segment(str(path), HELD_FRAMES / FPS),) for path in paths]


def fer_test_set(fer_root: Path, split: str = 'test') -> Tuple[List[str], np.ndarray]:
    """Return the photo paths and labels of a split (PrivateTest by default), sorted."""
    paths, labels = [], []
    for index, name in enumerate(CLASS_NAMES):
        for path in sorted((fer_root / split / name).glob('*')):
            paths.append(str(path))
            labels.append(index)
    if not paths:
        raise ValueError(f'no FER2013 {split} images under {fer_root}/{split}/<class>/')
    return paths, np.array(labels, dtype=np.int64)


def meeting_jobs(yale_root: Path) -> Tuple[List[Job], List[Job], np.ndarray]:
    """Return Yale's met jobs (neutral 10 s, then the expression), cold jobs and labels."""
    stills = load_still_set(yale_root, 'yale')
    neutral = {subject: path for path, subject, label in
               zip(stills.paths, stills.subjects, stills.labels)
               if label == CLASS_NAMES.index('neutral')}
    met, cold, labels = [], [], []
    for path, subject, label in zip(stills.paths, stills.subjects, stills.labels):
        if subject not in neutral:
            continue
        met.append((Segment(str(neutral[subject]), MEET_NEUTRAL_S),
                    Segment(str(path), MEET_EXPRESSION_S)))
        cold.append((Segment(str(path), MEET_EXPRESSION_S),))
        labels.append(label)
    return met, cold, np.array(labels, dtype=np.int64)


def dataset_jobs(items: Sequence[Item]) -> Dict[str, object]:
    """Return the cold and met jobs of a ``--dataset`` (see :data:`PROTOCOL`)."""
    neutral_class = CLASS_NAMES.index('neutral')
    neutral: Dict[str, Item] = {}
    for item in items:
        if item.label == neutral_class and item.subject:
            neutral.setdefault(item.subject, item)

    def shown(item: Item, seconds: float = 0.0) -> Segment:
        if item.kind == 'photo':
            return Segment(item.path, seconds or HELD_FRAMES / FPS)
        return Segment(item.path, seconds, 'clip')

    cold = [(shown(item),) for item in items]
    met, met_items, met_from = [], [], {'subject_neutral': 0, 'first_frame': 0, 'none': 0}
    for item in items:
        if item.subject in neutral:
            meeting = shown(neutral[item.subject], MEET_NEUTRAL_S)
            met_from['subject_neutral'] += 1
        elif item.kind == 'clip':
            meeting = Segment(item.path, MEET_NEUTRAL_S, 'first_frame')
            met_from['first_frame'] += 1
        else:
            met_from['none'] += 1
            continue
        met.append((meeting, shown(item)))
        met_items.append(item)
    return {'cold': cold, 'labels': np.array([item.label for item in items], dtype=np.int64),
            'met': met, 'met_items': met_items,
            'met_labels': np.array([item.label for item in met_items], dtype=np.int64),
            'met_from': met_from}


def evaluate_dataset(name: str, root: os.PathLike, run: Runner,
                     subject_pattern: str = SUBJECT_PATTERN) -> Dict[str, object]:
    """Return ``{NAME: cold scores, NAME_met: met scores}`` of a ``--dataset`` folder."""
    items = load_items(root, subject_pattern)
    jobs = dataset_jobs(items)
    kinds = {kind: sum(item.kind == kind for item in items) for kind in ('photo', 'clip')}
    cold = run(jobs['cold'], name)
    sets = {name: dict(score(jobs['labels'], cold), items=kinds, folder=str(root),
                       clips=clip_score(jobs['labels'], items, cold))}
    if jobs['met']:
        met = run(jobs['met'], f'{name} met')
        sets[f'{name}_met'] = dict(
            score(jobs['met_labels'], met), met_from=jobs['met_from'], folder=str(root),
            clips=clip_score(jobs['met_labels'], jobs['met_items'], met))
    return sets


def thin(items: Sequence, labels: np.ndarray, limit: Optional[int],
         every: int = 1) -> Tuple[list, np.ndarray]:
    """Keep every ``every``-th item, or more sparsely so that about ``limit`` remain."""
    step = max(every, int(np.ceil(len(items) / limit)) if limit else every)
    return list(items)[::step], np.asarray(labels)[::step]


def builtin_sets(fer_root: Path, crossval_root: Path, run: Runner,
                 limit: Optional[int]) -> Dict[str, object]:
    """Return the scores of FER2013 test, the crossval stills and Yale cold and met."""
    sets: Dict[str, object] = {}
    fer_paths, fer_labels = thin(*fer_test_set(fer_root), limit)
    sets['fer2013_test'] = score(fer_labels, run(held_still_jobs(fer_paths), 'fer2013_test'))
    for name in ('muxspace', 'yale'):
        stills = load_still_set(crossval_root / name, name)
        paths, labels = thin([str(p) for p in stills.paths], stills.labels, limit)
        sets[f'{name}_stills'] = score(labels, run(held_still_jobs(paths), name))
    met, cold, labels = meeting_jobs(crossval_root / 'yale')
    (met, _), (cold, labels) = thin(met, labels, limit), thin(cold, labels, limit)
    sets['yale_cold'] = score(labels, run(cold, 'cold'))
    sets['yale_met'] = score(labels, run(met, 'met'))
    return sets


def evaluate_api(fer_root: Path, crossval_root: Path, model_spec: Optional[str] = None,
                 face_model: Optional[str] = None, workers: int = 1,
                 limit: Optional[int] = None, command: str = '',
                 datasets: Sequence[Tuple[str, os.PathLike]] = (), builtin: bool = True,
                 subject_pattern: str = SUBJECT_PATTERN,
                 resting_face: bool = True) -> Dict[str, object]:
    """Run every protocol and return the record (see :data:`PROTOCOL`).

    ``limit`` keeps every ``k``-th photo (or Yale expression) of each set so that about
    ``limit`` remain (smoke runs). ``datasets`` are ``(name, folder)`` pairs of labelled
    folders run after the built-in sets (FER2013 test and crossval; ``builtin`` False skips
    those). ``resting_face`` False measures the estimator without the person's resting face
    (what the feature buys: compare with the default run); the record says which.
    """
    def run(jobs: Sequence[Job], desc: str) -> List[tuple]:
        return run_jobs(jobs, model_spec, face_model, workers, desc, resting_face=resting_face)

    sets: Dict[str, object] = {}
    if builtin:
        sets.update(builtin_sets(fer_root, crossval_root, run, limit))
    for name, root in datasets:
        sets.update(evaluate_dataset(name, root, run, subject_pattern))
    return {'command': command, 'date': today(),
            'machine': machine(), 'model_spec': model_spec or 'packaged',
            'resting_face': resting_face, 'protocol': PROTOCOL.strip(), 'sets': sets}
