# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Export presets to TFLite (fp32, fp16, dynamic-range int8) and check them in ai-edge-litert."""

from pathlib import Path
import time
from typing import Dict, List

import keras
import numpy as np
import tensorflow as tf

from emotion_estimator.classifier import EmotionClassifier

from emotion_estimator_training.hyperparameters import HParams
from emotion_estimator_training.model import make_model

#: Preset name -> TFLite file suffix.
#: Full-integer int8 is left out: measured here it lost accuracy.
EXPORT_PRESETS = ('fp32', 'fp16', 'int8_dynamic')


def inference_model(trained: keras.Model, hp: HParams, num_features: int) -> keras.Model:
    """Rebuild the trained model with batch 1 and unrolled LSTMs (builtin TFLite ops only)."""
    normalize = trained.get_layer('normalize')
    model = make_model(hp, num_features, normalize.mean.numpy().ravel(),
                       normalize.variance.numpy().ravel(), batch_size=1, unroll=True)
    model.set_weights(trained.get_weights())
    return model


def convert(model: keras.Model, preset: str) -> bytes:
    """Return the TFLite flatbuffer of a preset."""
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
    if preset == 'fp16':
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.target_spec.supported_types = [tf.float16]
    elif preset == 'int8_dynamic':
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    elif preset != 'fp32':
        raise ValueError(f'unknown export preset {preset!r}; known: {EXPORT_PRESETS}')
    return converter.convert()


def export_all(trained: keras.Model, hp: HParams, num_features: int, out_dir: Path,
               stem: str = 'emotion_model') -> Dict[str, Path]:
    """Write every preset as ``<stem>_<preset>.tflite`` and return preset -> path."""
    model = inference_model(trained, hp, num_features)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {}
    for preset in EXPORT_PRESETS:
        path = out_dir / f'{stem}_{preset}.tflite'
        path.write_bytes(convert(model, preset))
        paths[preset] = path
    return paths


def tflite_predict(path: Path, windows: np.ndarray) -> np.ndarray:
    """Run a TFLite file in ai-edge-litert (the runtime's classifier) over windows, one by one."""
    classifier = EmotionClassifier(path)
    return np.stack([classifier.predict(window) for window in windows])


def time_tflite(path: Path, window: np.ndarray, repeats: int = 2000) -> Dict[str, float]:
    """Return min and median milliseconds of one inference (single thread)."""
    classifier = EmotionClassifier(path, num_threads=1)
    for _ in range(50):
        classifier.predict(window)
    samples: List[float] = []
    for _ in range(repeats):
        started = time.perf_counter()
        classifier.predict(window)
        samples.append((time.perf_counter() - started) * 1000.0)
    return {'min_ms': float(np.min(samples)), 'median_ms': float(np.median(samples))}


def choose_default(checks: Dict[str, Dict[str, float]], min_agreement: float = 0.99,
                   max_accuracy_drop: float = 0.005) -> str:
    """Pick the fastest preset whose argmax agrees with Keras and whose accuracy holds up."""
    reference = checks['fp32']['accuracy']
    good = [name for name, check in checks.items()
            if check['agreement'] >= min_agreement
            and check['accuracy'] >= reference - max_accuracy_drop]
    return min(good, key=lambda name: (checks[name]['median_ms'], checks[name]['bytes']))
