# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The shipped TFLite variants: export them, check them against Keras, pick the default.

``build`` uses this after training; ``reexport`` runs it again on a build's checkpoint, for a
change of exporter that must not change the model.
"""

from dataclasses import replace
import json
import os
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import keras
import numpy as np

from emotion_estimator.contract import CLASS_NAMES, DecisionSettings, ModelSpec
from emotion_estimator.provenance import command_line, machine, today

from emotion_estimator_training.evaluate import evaluate, every_image, summary_line
from emotion_estimator_training.export import choose_default, export_all, tflite_predict, \
    time_tflite
from emotion_estimator_training.extract import BlendshapeTable
from emotion_estimator_training.features import lstm_indices
from emotion_estimator_training.hyperparameters import HParams
from emotion_estimator_training.train import restore_model
from emotion_estimator_training.windows import filled_views, still_windows

#: What ``test_metrics`` in emotion_model.json measures.
TEST_PROTOCOL = ('FER2013 PrivateTest; a still face = its unaugmented frame repeated '
                 'window_length times; no face = wrong (7-class) or unknown (3-class) in all_*')

#: The largest difference to the shipped fp32 file that ``reexport`` accepts.
REEXPORT_TOLERANCE = 1e-4


def check_windows(test_table: BlendshapeTable, indices: List[int], length: int) -> np.ndarray:
    """Return one still window per test face with a face found (the variants' check set)."""
    return still_windows(filled_views(test_table, indices), length)


def export_checked(model: keras.Model, hp: HParams, num_features: int, windows: np.ndarray,
                   keras_probs: np.ndarray, test_all: BlendshapeTable, models_dir: Path
                   ) -> Tuple[Dict[str, Path], Dict[str, Dict[str, float]],
                              Dict[str, np.ndarray]]:
    """Export every preset into ``models_dir`` and check it against Keras on ``windows``.

    ``keras_probs`` are the model's own probabilities of ``windows``. Returns the files, the
    checks (argmax agreement with Keras, 7-class accuracy on every test image, bytes,
    single-thread time) and each preset's probabilities.
    """
    paths = export_all(model, hp, num_features, models_dir)
    checks, probabilities = {}, {}
    for preset, path in paths.items():
        probs = probabilities[preset] = tflite_predict(path, windows)
        checks[preset] = {
            'agreement': float((probs.argmax(1) == keras_probs.argmax(1)).mean()),
            'accuracy': float(np.mean(every_image(probs.argmax(axis=1), test_all.detected, -1)
                                      == test_all.labels)),
            'bytes': path.stat().st_size, **time_tflite(path, windows[0])}
    return paths, checks, probabilities


def score_variants(probabilities: Dict[str, np.ndarray], checks: Dict[str, Dict[str, float]],
                   test_all: BlendshapeTable,
                   settings: DecisionSettings) -> Dict[str, Dict[str, object]]:
    """Evaluate every preset on the test split with the decision; add the summary to checks."""
    metrics = {}
    for preset, probs in probabilities.items():
        metrics[preset] = evaluate(probs, test_all.labels, test_all.detected, settings)
        checks[preset].update(summary_line(metrics[preset]))
    return metrics


def test_metrics_record(default: str, metrics: Dict[str, object]) -> Dict[str, object]:
    """Return emotion_model.json's ``test_metrics`` of the default variant."""
    return {'protocol': TEST_PROTOCOL, 'variant': default, **summary_line(metrics)}


def reexport(prepared, spec_path: Path, checkpoint: os.PathLike, results_dir: Path,
             command: Sequence[str]) -> Dict[str, object]:
    """Export a build's checkpoint again, beside ``spec_path``, checked as ``build`` checks it.

    For a new exporter only: the checkpoint (``training/runs/build/best.weights.h5``) must give
    the probabilities of the shipped fp32 file (within :data:`REEXPORT_TOLERANCE`; the
    quantised variants differ from the model by their rounding, up to about 0.03), else
    ``ValueError`` and nothing is written. The features, window, decision and resting face stay;
    the variants, their checks, the default and the test metrics are written again, in
    emotion_model.json and in ``results_dir/metrics.json``, with a ``reexport`` record.
    """
    spec = ModelSpec.load(spec_path)
    if list(spec.class_names) != list(CLASS_NAMES):
        raise ValueError(f'{spec_path}: class order {spec.class_names} is not {CLASS_NAMES}')
    hp = HParams.from_dict(spec.extra['hyperparameters'])
    indices = spec.feature_indices  # the model's input; its LSTM may read fewer of them
    model = restore_model(hp, prepared.split('train'), lstm_indices(spec), checkpoint,
                          prepared.speech)
    windows = check_windows(prepared.split('test'), indices, spec.window_length)
    keras_probs = model.predict(windows, batch_size=1024, verbose=0)
    difference = float(np.abs(keras_probs - tflite_predict(spec.model_file('fp32'),
                                                           windows)).max())
    if difference > REEXPORT_TOLERANCE:
        raise ValueError(
            f'{checkpoint} is not the model of {spec_path}: its probabilities differ from the '
            f'shipped fp32 file by up to {difference:.3g}; rebuild instead '
            '(emotion-estimator-train build)')
    shipped = tflite_predict(spec.model_file(), windows)
    test_all = prepared.split('test', False)
    paths, checks, probabilities = export_checked(model, hp, len(indices), windows, keras_probs,
                                                  test_all, Path(spec_path).parent)
    metrics = score_variants(probabilities, checks, test_all, spec.decision)
    default = choose_default(checks)
    record = {'command': command_line(command), 'date': today(), 'machine': machine(),
              'checkpoint': _shown(Path(checkpoint), Path(spec_path).resolve().parents[1]),
              'default_variant_before': spec.default_variant,
              'keras_vs_shipped_fp32_max_difference': difference,
              'default_variant_vs_shipped_max_difference':
                  float(np.abs(probabilities[default] - shipped).max())}
    replace(spec, variants={preset: path.name for preset, path in paths.items()},
            default_variant=default,
            extra={**spec.extra, 'variants_check': checks,
                   'test_metrics': test_metrics_record(default, metrics[default]),
                   'reexport': record}).save()
    metrics_path = Path(results_dir) / 'metrics.json'
    if metrics_path.is_file():
        results = json.loads(metrics_path.read_text())
        results.update({'variants_check': checks, 'test_variants': metrics,
                        'default_variant': default, 'reexport': record})
        metrics_path.write_text(json.dumps(results, indent=2) + '\n')
    return record


def _shown(path: Path, root: Path) -> str:
    """Return ``path`` relative to ``root`` where it lies inside (no home folder in records)."""
    try:
        return str(path.resolve().relative_to(root))
    except ValueError:
        return str(path)
