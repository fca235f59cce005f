# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The whole training pipeline on a tiny subset of real FER2013 images (what CI runs).

Load, clean (MediaPipe on real faces), extract with the cache, select, build windows, train a
couple of epochs, evaluate, export three TFLite variants, and run the result in the runtime.
"""

import json
import multiprocessing

import cv2
import numpy as np
import pytest

from emotion_estimator import EmotionEstimator
from emotion_estimator.classifier import EmotionClassifier
from emotion_estimator.contract import ModelSpec
from emotion_estimator_training import cli
from emotion_estimator_training.dataset import FerDataset
from emotion_estimator_training.extract import extract_blendshapes, ExtractionConfig


@pytest.fixture(scope='module')
def tiny(fer_root):
    return FerDataset.from_folder(fer_root, limit_per_class=3)


def test_extraction_is_cached_per_image(tiny, face_model, tmp_path, monkeypatch):
    first = extract_blendshapes(tiny, face_model, tmp_path, workers=1, progress=False)
    assert first.scores.shape == (len(tiny), ExtractionConfig().views, 52)
    assert first.detected.mean() > 0.7, 'MediaPipe should find most FER2013 faces'
    found = first.scores[first.found]
    assert found.min() >= 0 and found.max() <= 1
    # A second run, and a run on a subset, read the cache: no worker pool is started.
    monkeypatch.setattr(multiprocessing, 'get_context', pytest.fail)
    again = extract_blendshapes(tiny, face_model, tmp_path, workers=1, progress=False)
    np.testing.assert_array_equal(again.scores, first.scores)
    subset = FerDataset(tiny.images[:5])
    np.testing.assert_array_equal(
        extract_blendshapes(subset, face_model, tmp_path, progress=False).scores,
        first.scores[:5])


def test_build_end_to_end_gives_a_model_the_runtime_runs(fer_root, face_model, tmp_path,
                                                         tiny):
    models, results = tmp_path / 'models', tmp_path / 'results'
    code = cli.main(['build', '--smoke', '--data', str(fer_root), '--limit-per-class', '3',
                     '--face-model', str(face_model), '--cache', str(tmp_path / 'cache'),
                     '--workers', '1', '--window-length', '4', '--models', str(models),
                     '--results', str(results), '--work', str(tmp_path / 'work')])
    assert code == 0
    spec = ModelSpec.load(models / 'emotion_model.json')
    assert spec.window_length == 4 and len(spec.feature_names) == 27
    assert set(spec.variants) == {'fp32', 'fp16', 'int8_dynamic'}
    for variant in spec.variants:
        classifier = EmotionClassifier(spec.model_file(variant))
        assert classifier.input_shape == (1, 4, 27)
        probabilities = classifier.predict(np.full((4, 27), 0.2, np.float32))
        assert probabilities.shape == (7,) and abs(probabilities.sum() - 1) < 1e-3
    record = json.loads((results / 'metrics.json').read_text())
    assert record['default_variant'] == spec.default_variant
    for key in ('all_7', 'all_3', 'detected_7', 'detected_3'):
        assert 0 <= record['test_variants'][spec.default_variant][key]['accuracy'] <= 1
    assert (results / 'confusion_all_7.png').stat().st_size > 1000
    assert 'build' in spec.extra['reproduce']

    face = tiny.split('test').images[3 * 3].pixels  # a happy test face
    frame = np.full((480, 640, 3), 90, np.uint8)
    frame[120:360, 200:440] = cv2.cvtColor(cv2.resize(face, (240, 240)), cv2.COLOR_GRAY2BGR)
    with EmotionEstimator(models / 'emotion_model.json', face_model) as estimator:
        result = estimator.process(frame, 0.0)
    assert result.face_found and set(result.scores) == set(spec.class_names)
