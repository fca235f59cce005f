# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The robot's view: the shipped model run through ``EmotionEstimator`` on frames over time.

Every number here comes from the public API with its default settings, frame by frame, the way
the node sees a camera, not from windows fed to the network:

* **held stills** (FER2013 PrivateTest, the crossval stills): each photo is shown for 12 frames
  at 15 fps after a 5 s gap (so every photo is a new person: a cold start); the published label
  and the 7-class argmax of the last frame are scored. No face on the last frame = the
  published label (unknown once the grace time is over) and a wrong 7-class answer.
* **meeting a person** (Yale, per subject): the subject's neutral photo for 10 s, then one of
  their expressions for 1.5 s, scored at its last frame ("met"); the same expression alone for
  1.5 s after a gap is the cold start.
"""

from dataclasses import dataclass
import datetime
import multiprocessing
import os
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np

from emotion_estimator.contract import CLASS_NAMES, DECISION_LABELS
from emotion_estimator.frames import still_photo_to_rgb

from emotion_estimator_training.crossval import load_still_set, read_bgr
from emotion_estimator_training.evaluate import _block, to_three_class

FPS = 15.0
HELD_FRAMES = 12
GAP_S = 5.0
MEET_NEUTRAL_S = 10.0
MEET_EXPRESSION_S = 1.5


@dataclass(frozen=True)
class Segment:
    """A photo shown for ``seconds`` (at :data:`FPS`)."""

    path: str
    seconds: float


#: One job: segments shown one after another (after a gap), scored at the end of the last one.
Job = Tuple[Segment, ...]

_WORKER: Dict[str, object] = {}


def read_photo(path: str) -> np.ndarray:
    """Return a photo as the BGR frame the estimator gets (the runtime's still pre-processing).

    Raises:
        ValueError: the file cannot be decoded.

    """
    return cv2.cvtColor(still_photo_to_rgb(read_bgr(path)), cv2.COLOR_RGB2BGR)


def _start(model_spec: Optional[str], face_model: Optional[str]) -> None:
    os.environ.setdefault('GLOG_minloglevel', '2')
    from emotion_estimator.estimator import EmotionEstimator
    _WORKER['estimator'] = EmotionEstimator(model_spec_path=model_spec,
                                            face_model_path=face_model)
    _WORKER['time'] = 0.0


def _run(job: Job) -> Tuple[str, int, float]:
    """Show a job's segments and return the last frame's label, 7-class argmax and settledness."""
    estimator = _WORKER['estimator']
    time_s = _WORKER['time'] + GAP_S
    result = None
    for segment in job:
        frame = read_photo(segment.path)
        for _ in range(max(1, int(round(segment.seconds * FPS)))):
            result = estimator.process(frame, time_s)
            time_s += 1.0 / FPS
    _WORKER['time'] = time_s
    scores = [result.scores[name] for name in CLASS_NAMES]
    argmax = int(np.argmax(scores)) if result.face_found else -1
    return result.label, argmax, result.resting_face_settled


def run_jobs(jobs: Sequence[Job], model_spec: Optional[str], face_model: Optional[str],
             workers: int = 1, desc: str = '') -> List[Tuple[str, int, float]]:
    """Run jobs on ``workers`` processes (each its own estimator), results in job order."""
    from tqdm import tqdm

    if workers <= 1:
        _start(model_spec, face_model)
        return [_run(job) for job in tqdm(jobs, desc=desc, unit='face', leave=False)]
    context = multiprocessing.get_context('spawn')
    with context.Pool(workers, _start, (model_spec, face_model)) as pool:
        return list(tqdm(pool.imap(_run, jobs, chunksize=16), total=len(jobs), desc=desc,
                         unit='face', leave=False))


def score(labels7: np.ndarray, results: Sequence[Tuple[str, int, float]]) -> Dict[str, object]:
    """Return 3-class (published label) and 7-class (argmax) metrics of a run."""
    true3 = to_three_class(labels7)
    pred3 = np.array([DECISION_LABELS.index(label) for label, _, _ in results])
    pred7 = np.array([argmax for _, argmax, _ in results])
    three = _block(true3, pred3, DECISION_LABELS)
    seven = _block(np.asarray(labels7), pred7, CLASS_NAMES)
    return {'images': int(len(labels7)),
            'three_class': {k: three[k] for k in ('accuracy', 'macro_f1', 'per_class',
                                                  'confusion')},
            'seven_class': {'accuracy': seven['accuracy'], 'macro_f1': seven['macro_f1']},
            'mean_resting_face_settled': round(float(np.mean([s for _, _, s in results])), 3)}


def held_still_jobs(paths: Sequence[str]) -> List[Job]:
    """Return one job per photo: the photo for 12 frames after a gap."""
    return [(Segment(str(path), HELD_FRAMES / FPS),) for path in paths]


def fer_test_set(fer_root: Path) -> Tuple[List[str], np.ndarray]:
    """Return the PrivateTest photo paths and labels in a sorted order."""
    paths, labels = [], []
    for index, name in enumerate(CLASS_NAMES):
        for path in sorted((fer_root / 'test' / name).glob('*')):
            paths.append(str(path))
            labels.append(index)
    if not paths:
        raise ValueError(f'no FER2013 test images under {fer_root}/test/<class>/')
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


def evaluate_api(fer_root: Path, crossval_root: Path, model_spec: Optional[str] = None,
                 face_model: Optional[str] = None, workers: int = 1,
                 limit: Optional[int] = None, command: str = '') -> Dict[str, object]:
    """Run every protocol and return the record (see the module docstring).

    ``limit`` keeps every ``k``-th photo (or Yale expression) of each set so that about
    ``limit`` remain (smoke runs).
    """
    from emotion_estimator_training.pipeline import machine

    def thin(paths, labels):
        if limit is None or len(paths) <= limit:
            return list(paths), labels
        step = int(np.ceil(len(paths) / limit))
        return list(paths)[::step], labels[::step]

    sets: Dict[str, object] = {}
    fer_paths, fer_labels = thin(*fer_test_set(fer_root))
    sets['fer2013_test'] = score(fer_labels, run_jobs(held_still_jobs(fer_paths), model_spec,
                                                      face_model, workers, 'fer2013_test'))
    for name in ('muxspace', 'yale'):
        stills = load_still_set(crossval_root / name, name)
        paths, labels = thin([str(p) for p in stills.paths], stills.labels)
        sets[f'{name}_stills'] = score(labels, run_jobs(held_still_jobs(paths), model_spec,
                                                        face_model, workers, name))
    met, cold, labels = meeting_jobs(crossval_root / 'yale')
    if limit is not None and len(met) > limit:
        step = int(np.ceil(len(met) / limit))
        met, cold, labels = met[::step], cold[::step], labels[::step]
    sets['yale_cold'] = score(labels, run_jobs(cold, model_spec, face_model, workers, 'cold'))
    sets['yale_met'] = score(labels, run_jobs(met, model_spec, face_model, workers, 'met'))
    return {'command': command, 'date': datetime.date.today().isoformat(),
            'machine': machine(), 'model_spec': model_spec or 'packaged',
            'protocol': __doc__.strip(), 'sets': sets}
