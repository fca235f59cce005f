# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Export to TFLite: one fused LSTM op per layer, the Keras model's outputs, the default rule."""

from pathlib import Path
import re

import numpy as np
import pytest
import tensorflow as tf

from emotion_estimator.classifier import EmotionClassifier
from emotion_estimator_training.export import choose_default, export_all
from emotion_estimator_training.hyperparameters import HParams
from emotion_estimator_training.model import make_model


def operators(path: Path, capfd) -> list:
    """Return the operator names of a TFLite file (what TensorFlow's analyzer lists)."""
    capfd.readouterr()
    tf.lite.experimental.Analyzer.analyze(model_path=str(path))
    return re.findall(r'Op#\d+ (\w+)\(', capfd.readouterr().out)


@pytest.mark.parametrize('linear_head', [False, True])
def test_export_fuses_each_lstm_and_keeps_the_keras_outputs(tmp_path, capfd, linear_head):
    hp = HParams(window_length=6, lstm_units=(16, 8), linear_head=linear_head)
    rng = np.random.default_rng(7)
    features = 5
    model = make_model(hp, features, rng.random(features) * 0.1, rng.random(features) * 0.05)
    windows = (rng.random((20, hp.window_length, features)) * 0.5).astype(np.float32)
    expected = model.predict(windows, verbose=0)
    paths = export_all(model, hp, features, tmp_path)
    ops = operators(paths['fp32'], capfd)
    assert ops.count('UNIDIRECTIONAL_SEQUENCE_LSTM') == len(hp.lstm_units), ops
    assert len(ops) < 15, f'an unrolled LSTM has hundreds of ops: {len(ops)}'
    classifier = EmotionClassifier(paths['fp32'])
    got = np.stack([classifier.predict(window) for window in windows])
    # Each window starts from a zero state (the classifier resets the fused op's state).
    np.testing.assert_allclose(got, expected, atol=1e-5)
    for preset in ('fp16', 'int8_dynamic'):
        variant = EmotionClassifier(paths[preset])
        assert np.abs(np.stack([variant.predict(w) for w in windows]) - expected).max() < 0.05


def check(agreement: float, accuracy: float, median_ms: float) -> dict:
    return {'agreement': agreement, 'accuracy': accuracy, 'median_ms': median_ms, 'bytes': 1}


def test_the_default_is_the_most_exact_good_preset_unless_another_is_clearly_faster():
    same_speed = {'fp32': check(1.0, 0.50, 0.150), 'fp16': check(0.999, 0.50, 0.143),
                  'int8_dynamic': check(0.98, 0.50, 0.100)}
    assert choose_default(same_speed) == 'fp32'  # 5% faster is timing noise; int8 disagrees
    faster = dict(same_speed, int8_dynamic=check(0.995, 0.499, 0.100))
    assert choose_default(faster) == 'int8_dynamic'
    worse = dict(faster, int8_dynamic=check(0.995, 0.49, 0.100))
    assert choose_default(worse) == 'fp32'  # accuracy fell by more than 0.005
