# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The evaluation protocol on hand-made predictions, and the baselines on a tiny real subset."""

import importlib.util

import numpy as np
import pytest

from emotion_estimator.contract import CLASS_NAMES

from emotion_estimator_training import baselines
from emotion_estimator_training.baselines import HAPPY3, NO_FACE, SAD3, UNKNOWN3
from emotion_estimator_training.dataset import FerDataset
from emotion_estimator_training.extract import extract_blendshapes

ANGRY, HAPPY, SAD, NEUTRAL = (CLASS_NAMES.index(name)
                              for name in ('angry', 'happy', 'sad', 'neutral'))


def test_to_three_class_maps_every_other_class_to_unknown():
    labels = np.arange(len(CLASS_NAMES))
    expected = [UNKNOWN3] * len(CLASS_NAMES)
    expected[HAPPY], expected[SAD] = HAPPY3, SAD3
    assert baselines.to_three_class(labels).tolist() == expected
    assert baselines.to_three_class(np.array([NO_FACE])).tolist() == [NO_FACE]


def test_three_class_sums_the_other_probabilities():
    happy_top = np.full(len(CLASS_NAMES), 0.12)
    happy_top[HAPPY], happy_top[SAD] = 0.4, 0.0   # happy is the 7-class argmax ...
    sad_wins = np.full(len(CLASS_NAMES), 0.02)
    sad_wins[SAD], sad_wins[HAPPY] = 0.8, 0.1
    no_face = np.full(len(CLASS_NAMES), np.nan)
    predicted = baselines.three_class_from_probabilities(np.stack([happy_top, sad_wins, no_face]))
    assert predicted.tolist() == [UNKNOWN3, SAD3, NO_FACE]   # ... but the other five sum to 0.6
    seven = baselines.predictions_from_probabilities(np.stack([happy_top, sad_wins, no_face]))
    assert seven['predicted7'].tolist() == [HAPPY, SAD, NO_FACE]


def test_no_face_is_wrong_for_seven_classes_and_unknown_for_three():
    labels = np.array([HAPPY, SAD, ANGRY, NEUTRAL])
    predicted7 = np.array([HAPPY, NO_FACE, ANGRY, SAD])
    predicted3 = np.array([HAPPY3, NO_FACE, UNKNOWN3, SAD3])
    result = baselines.evaluate(labels, predicted7, predicted3)
    detected, everything = result['detected'], result['all']
    assert detected['images'] == 3 and everything['images'] == 4
    assert detected['coverage'] == pytest.approx(0.75)
    assert detected['seven_class']['accuracy'] == pytest.approx(2 / 3)
    assert everything['seven_class']['accuracy'] == pytest.approx(2 / 4)
    assert detected['three_class']['accuracy'] == pytest.approx(2 / 3)
    # The sad face without a face found is published as unknown: wrong here.
    assert everything['three_class']['accuracy'] == pytest.approx(2 / 4)
    # A no-face image whose truth is unknown becomes right in the 3-class "all" view.
    result = baselines.evaluate(np.array([NEUTRAL, HAPPY]), predicted3=np.array([NO_FACE, HAPPY3]))
    assert result['all']['three_class'] == {'accuracy': 1.0, 'macro_f1': pytest.approx(2 / 3)}


def test_seven_class_macro_f1_has_no_no_face_class():
    labels = np.array([HAPPY, HAPPY, SAD, SAD])
    predicted7 = np.array([HAPPY, NO_FACE, SAD, SAD])
    everything = baselines.evaluate(labels, predicted7)['all']['seven_class']
    # happy: precision 1, recall 1/2 -> F1 2/3; sad: F1 1; five absent classes: F1 0.
    assert everything['macro_f1'] == pytest.approx((2 / 3 + 1) / len(CLASS_NAMES))


def test_evaluate_rejects_inconsistent_predictions():
    labels = np.array([HAPPY, SAD])
    with pytest.raises(ValueError):
        baselines.evaluate(labels)
    with pytest.raises(ValueError):
        baselines.evaluate(labels, np.array([HAPPY, NO_FACE]), np.array([HAPPY3, SAD3]))
    with pytest.raises(ValueError):
        baselines.evaluate(labels, np.array([HAPPY]))


def test_always_unknown_floor():
    labels = np.array([HAPPY, SAD, ANGRY, NEUTRAL, ANGRY])
    result = baselines.always_unknown(labels)
    assert result['all']['images'] == 5
    assert result['all']['three_class']['accuracy'] == pytest.approx(3 / 5)
    unknown_f1 = 2 * (3 / 5) / (1 + 3 / 5)
    assert result['all']['three_class']['macro_f1'] == pytest.approx(unknown_f1 / 3)


@pytest.fixture(scope='module')
def tiny_table(tmp_path_factory, fer_root, face_model):
    """Blendshapes of 5 train and 5 test images per class, extracted into a fresh cache."""
    dataset = FerDataset.from_folder(fer_root, splits=('train', 'test'), limit_per_class=5)
    cache = tmp_path_factory.mktemp('blendshapes')
    return extract_blendshapes(dataset, face_model, cache, workers=1, progress=False)


def test_logistic_regression_on_a_tiny_real_subset(tiny_table):
    result = baselines.logistic_regression_baselines(tiny_table, max_iter=500)
    test = tiny_table.split('test')
    assert set(result) == {'lr_7class_mapped', 'lr_3class_direct'}
    mapped, direct = result['lr_7class_mapped'], result['lr_3class_direct']
    for scores in (mapped, direct):
        assert scores['all']['images'] == len(test.labels) == 5 * len(CLASS_NAMES)
        assert scores['detected']['images'] == int(test.detected.sum()) > 0
        for view in ('detected', 'all'):
            for value in scores[view]['three_class'].values():
                assert 0.0 <= value <= 1.0
    assert 'seven_class' in mapped['all'] and 'seven_class' not in direct['all']
    assert mapped['argmax_then_mapped']['all']['images'] == len(test.labels)
    assert mapped['details']['train_faces_used'] == int(tiny_table.split('train').detected.sum())
    report = {'command': 'test', 'date': 'today', 'machine': {'nproc': '1', 'cpu': 'cpu'},
              'systems': {**result, 'always_unknown': baselines.always_unknown(test.labels)}}
    table = baselines.markdown(report)
    assert '| lr_7class_mapped |' in table and '| always_unknown |' in table


@pytest.mark.skipif(importlib.util.find_spec('fer') is None, reason='fer is not installed')
def test_fer_runs_its_pipeline_on_real_faces(fer_root):
    dataset = FerDataset.from_folder(fer_root, splits=('test',), limit_per_class=1)
    faces = [image.pixels for image in dataset.images]
    try:
        runner = baselines.FerRunner()
    except ImportError as error:
        pytest.skip(f'fer cannot import: {error}')
    for protocol in baselines.FER_PROTOCOLS:
        result = baselines.fer_baseline(faces, dataset.labels, protocol, runner)
        assert result['all']['images'] == len(faces)
        assert result['ms_per_image']['min'] > 0
    # fer's minimum face size is 50 px: a 48x48 crop as is never has a face.
    as_is = baselines.fer_baseline(faces, dataset.labels, 'as_is', runner)
    assert as_is['detected']['images'] == 0
    given = baselines.fer_baseline(faces, dataset.labels, 'given_box', runner)
    assert given['detected']['images'] == len(faces)
    probabilities = runner.probabilities(baselines.FER_PROTOCOLS['given_box']['frame'](faces[0]),
                                         use_detector=False)
    assert probabilities.shape == (len(CLASS_NAMES),)
    assert probabilities.sum() == pytest.approx(1.0, abs=1e-3)
