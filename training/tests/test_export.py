# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Export to TFLite: one fused LSTM op per layer, the Keras model's outputs, the default rule."""

import json
from pathlib import Path
import re

import numpy as np
import pytest
import tensorflow as tf

from emotion_estimator.classifier import EmotionClassifier
from emotion_estimator_training.export import choose_default, export_all
from emotion_estimator_training.hyperparameters import HParams, MIN_FEATURE_STD
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


def test_the_default_is_the_most_compact_good_preset_whatever_the_timing():
    good = {'fp32': check(1.0, 0.50, 0.150), 'fp16': check(0.999, 0.50, 0.143),
            'int8_dynamic': check(0.995, 0.499, 0.300)}
    assert choose_default(good) == 'int8_dynamic'  # slower here, but the build machine is not
    disagrees = dict(good, int8_dynamic=check(0.98, 0.50, 0.100))
    assert choose_default(disagrees) == 'fp16'  # int8's argmax agrees on fewer than 99%
    worse = dict(disagrees, fp16=check(0.995, 0.49, 0.100))
    assert choose_default(worse) == 'fp32'  # fp16's accuracy fell by more than 0.005
    with pytest.raises(ValueError, match='no exported variant'):
        choose_default(dict(worse, fp32=check(0.9, 0.50, 0.150)))


def blend_faces(faces: int = 140, views: int = 2):
    """Return training faces of 7 classes, as the extraction's table holds them.

    Their blendshapes' mean differs per class: the regression has something to fit.
    """
    from emotion_estimator_training.extract import BlendshapeTable
    rng = np.random.default_rng(7)
    labels = np.arange(faces) % 7
    scores = (rng.random((faces, views, 52)) * 0.3 + labels[:, None, None] / 10.0)
    return BlendshapeTable(['face.png'] * faces, np.array(['train'] * faces), labels,
                           scores.astype(np.float32))


def regression_probabilities(table, columns, windows_of_columns, seed):
    """Return what a logistic regression on ``columns`` of every view gives the windows."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler
    flat = table.scores[..., columns].reshape(-1, len(columns)).astype(np.float64)
    scaler = StandardScaler().fit(flat)
    linear = LogisticRegression(max_iter=3000, random_state=seed).fit(
        scaler.transform(flat), np.repeat(table.labels, table.scores.shape[1]))
    return linear.predict_proba(scaler.transform(windows_of_columns.mean(axis=1)))


def test_the_linear_blend_is_the_product_of_the_two_experts_and_exports(tmp_path, capfd):
    # The blend with the LSTM must be p_lstm^(1 - w) * p_linear^w, renormalised, in Keras and
    # in the TFLite file the runtime loads (here the regression reads the LSTM's features).
    from emotion_estimator_training.train import with_linear_blend
    hp = HParams(window_length=6, lstm_units=(16, 8), linear_blend=0.3, linear_features='lstm',
                 linear_crosses='none')
    table, indices = blend_faces(), [1, 2, 3, 4, 5]
    features = len(indices)
    frames = table.scores[..., indices]
    lstm = make_model(hp, features, frames.reshape(-1, features).mean(0),
                      frames.reshape(-1, features).var(0))
    blended = with_linear_blend(lstm, hp, table, indices)
    assert with_linear_blend(lstm, hp.with_changes(linear_blend=0.0), table, indices) is lstm
    windows = np.repeat(frames[:20, :1], hp.window_length, axis=1)
    windows[:, :3] = frames[20:40, 1:2]  # two faces in a window: the mean is what is read
    p_linear = regression_probabilities(table, indices, windows, hp.seed)
    p_lstm = lstm.predict(windows, verbose=0)
    expected = p_lstm ** 0.7 * p_linear ** 0.3
    expected /= expected.sum(axis=1, keepdims=True)
    got = blended.predict(windows, verbose=0)
    np.testing.assert_allclose(got, expected, atol=1e-4)
    assert np.abs(got - p_lstm).max() > 0.05  # the blend changes the answer
    paths = export_all(blended, hp, features, tmp_path)
    ops = operators(paths['fp32'], capfd)
    assert ops.count('UNIDIRECTIONAL_SEQUENCE_LSTM') == len(hp.lstm_units), ops
    classifier = EmotionClassifier(paths['fp32'])
    np.testing.assert_allclose(np.stack([classifier.predict(w) for w in windows]), got,
                               atol=1e-5)
    # The same LSTM and regression at another weight (the build's robot's-view choice): its
    # TFLite file gives what re-blending the first file's probabilities gives, which is how the
    # build scores the other weights on records made with the first model.
    from emotion_estimator_training.robot_tuning import LinearBlend, reblend_check
    from emotion_estimator_training.train import with_blend_weight
    heavier = with_blend_weight(blended, hp.with_changes(linear_blend=0.7))
    expected = p_lstm ** 0.3 * p_linear ** 0.7
    expected /= expected.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(heavier.predict(windows, verbose=0), expected, atol=1e-4)
    again = export_all(heavier, hp.with_changes(linear_blend=0.7), features, tmp_path / 'w07')
    blend = LinearBlend.of(blended, 0.3)
    first = np.stack([classifier.predict(w) for w in windows])
    heavier_file = EmotionClassifier(again['fp32'])
    second = np.stack([heavier_file.predict(w) for w in windows])
    assert np.abs(second - first).max() > 0.05
    assert reblend_check(first, second, windows, blend, 0.7) < 1e-5


def test_a_regression_on_all_51_reads_them_while_the_lstm_reads_its_own(tmp_path, capfd):
    # linear_features 'all51': the model's input is all 51 blendshapes, the regression reads
    # their window mean and the LSTM the features it was trained on, picked inside the model,
    # in Keras, in the TFLite files and at another blend weight.
    from emotion_estimator_training.features import ALL51
    from emotion_estimator_training.model import lstm_inputs_of
    from emotion_estimator_training.train import model_inputs, with_blend_weight, \
        with_linear_blend
    hp = HParams(window_length=6, lstm_units=(16, 8), linear_blend=0.3, linear_crosses='none')
    assert hp.linear_features == 'all51'
    table, indices = blend_faces(), [3, 8, 20, 44]
    inputs = model_inputs(hp, indices)
    assert inputs == list(ALL51)
    assert model_inputs(hp.with_changes(linear_blend=0.0), indices) == indices
    frames = table.scores[..., indices]
    lstm = make_model(hp, len(indices), frames.reshape(-1, len(indices)).mean(0),
                      frames.reshape(-1, len(indices)).var(0))
    blended = with_linear_blend(lstm, hp, table, indices)
    assert blended.input_shape[-1] == 51
    assert [inputs[i] for i in lstm_inputs_of(blended)] == indices
    windows = np.repeat(table.scores[:20, :1, inputs], hp.window_length, axis=1)
    windows[:, :3] = table.scores[20:40, 1:2, inputs]
    p_linear = regression_probabilities(table, inputs, windows, hp.seed)
    p_lstm = lstm.predict(windows[..., [inputs.index(i) for i in indices]], verbose=0)
    expected = p_lstm ** 0.7 * p_linear ** 0.3
    expected /= expected.sum(axis=1, keepdims=True)
    got = blended.predict(windows, verbose=0)
    np.testing.assert_allclose(got, expected, atol=1e-4)
    # A regression on the LSTM's 4 features alone answers otherwise: all 51 are read.
    only_four = regression_probabilities(table, indices, windows[..., [inputs.index(i)
                                                                       for i in indices]],
                                         hp.seed)
    assert np.abs(only_four - p_linear).max() > 0.05
    paths = export_all(blended, hp, len(inputs), tmp_path)
    ops = operators(paths['fp32'], capfd)
    assert ops.count('UNIDIRECTIONAL_SEQUENCE_LSTM') == len(hp.lstm_units), ops
    for preset, tolerance in (('fp32', 1e-5), ('int8_dynamic', 0.05)):
        classifier = EmotionClassifier(paths[preset])
        assert classifier.num_features == 51
        np.testing.assert_allclose(np.stack([classifier.predict(w) for w in windows]), got,
                                   atol=tolerance)
    heavier = with_blend_weight(blended, hp.with_changes(linear_blend=0.7))
    assert lstm_inputs_of(heavier) == lstm_inputs_of(blended)
    expected = p_lstm ** 0.3 * p_linear ** 0.7
    expected /= expected.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(heavier.predict(windows, verbose=0), expected, atol=1e-4)


def test_crossed_features_are_products_of_action_units_in_keras_and_in_tflite(tmp_path, capfd):
    # linear_crosses 'unit_pairs': the regression also reads products of the window mean's
    # action units, which the model computes with fixed matrices: in Keras, in the TFLite
    # files, at another blend weight, and in the records the build re-blends.
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler
    from emotion_estimator.contract import BLENDSHAPE_NAMES, CLASS_NAMES
    from emotion_estimator_training.features import ACTION_UNITS, crosses_for
    from emotion_estimator_training.model import crosses_of
    from emotion_estimator_training.robot_tuning import LinearBlend, reblend_check
    from emotion_estimator_training.train import model_inputs, with_blend_weight, \
        with_linear_blend
    hp = HParams(window_length=6, lstm_units=(16, 8), linear_blend=0.3)
    assert hp.linear_crosses == 'unit_pairs'
    table, indices = blend_faces(), [3, 8, 20, 44]
    inputs = model_inputs(hp, indices)
    crosses = crosses_for(hp.linear_crosses, inputs)
    means = table.scores[:5, 0, inputs].astype(np.float64)
    expanded = crosses.expand(means)
    units = len(ACTION_UNITS)
    assert expanded.shape == (5, 51 + units * (units + 1) // 2)
    np.testing.assert_array_equal(expanded[:, :51], means)
    # (brow_inner_up, lip_corner_down) is the 4th product: AU1 with AU15, sadness's pair.
    assert list(ACTION_UNITS)[:4:3] == ['brow_inner_up', 'lip_corner_down']
    names = [BLENDSHAPE_NAMES[i] for i in inputs]
    frown = means[:, [names.index('mouthFrownLeft'), names.index('mouthFrownRight')]].mean(1)
    np.testing.assert_allclose(expanded[:, 51 + 3], means[:, names.index('browInnerUp')] * frown,
                               rtol=1e-6)
    # A regression on fewer blendshapes crosses the action units it reads: here only
    # jawOpen and browInnerUp (jaw_open, brow_inner_up), so three products.
    assert [BLENDSHAPE_NAMES[i] for i in (3, 25)] == ['browInnerUp', 'jawOpen']
    assert crosses_for('unit_pairs', [3, 8, 25]).left.shape == (2, 3)
    assert crosses_for('unit_pairs', [8, 20]) is None and crosses_for('none', inputs) is None
    with pytest.raises(ValueError, match='linear crosses'):
        crosses_for('all', inputs)
    frames = table.scores[..., indices]
    lstm = make_model(hp, len(indices), frames.reshape(-1, len(indices)).mean(0),
                      frames.reshape(-1, len(indices)).var(0))
    blended = with_linear_blend(lstm, hp, table, indices)
    assert all(np.array_equal(crosses_of(blended).matrices()[name], matrix)
               for name, matrix in crosses.matrices().items())
    windows = np.repeat(table.scores[:20, :1, inputs], hp.window_length, axis=1)
    windows[:, :3] = table.scores[20:40, 1:2, inputs]
    flat = crosses.expand(table.scores[..., inputs].reshape(-1, 51).astype(np.float64))
    scaler = StandardScaler().fit(flat)
    regression = LogisticRegression(max_iter=3000, random_state=hp.seed).fit(
        scaler.transform(flat), np.repeat(table.labels, table.scores.shape[1]))
    p_linear = regression.predict_proba(scaler.transform(crosses.expand(
        windows.mean(axis=1).astype(np.float64))))
    p_lstm = lstm.predict(windows[..., [inputs.index(i) for i in indices]], verbose=0)
    expected = p_lstm ** 0.7 * p_linear ** 0.3
    expected /= expected.sum(axis=1, keepdims=True)
    got = blended.predict(windows, verbose=0)
    np.testing.assert_allclose(got, expected, atol=1e-4)
    # The products change the answer: the scores alone give another regression.
    alone = regression_probabilities(table, inputs, windows, hp.seed)
    assert np.abs(alone - p_linear).max() > 0.05
    paths = export_all(blended, hp, len(inputs), tmp_path)
    ops = operators(paths['fp32'], capfd)
    assert ops.count('UNIDIRECTIONAL_SEQUENCE_LSTM') == len(hp.lstm_units), ops
    # The int8 variant keeps the regression's read-outs float: quantized, their weights of
    # very different sizes (raw weights of standardised inputs) would round to 0.
    from ai_edge_litert.interpreter import Interpreter
    int8 = Interpreter(model_path=str(paths['int8_dynamic']))
    assert not [d['name'] for d in int8.get_tensor_details()
                if d['dtype'] == np.int8 and len(d['shape']) == 2
                and d['shape'][0] == len(CLASS_NAMES)]
    first = None
    for preset, tolerance in (('fp32', 1e-5), ('int8_dynamic', 0.05)):
        read = np.stack([EmotionClassifier(paths[preset]).predict(w) for w in windows])
        np.testing.assert_allclose(read, got, atol=tolerance)
        first = read if first is None else first
    heavier = with_blend_weight(blended, hp.with_changes(linear_blend=0.7))
    assert np.array_equal(crosses_of(heavier).units, crosses.units)
    again = export_all(heavier, hp.with_changes(linear_blend=0.7), len(inputs), tmp_path / 'w')
    second = np.stack([EmotionClassifier(again['fp32']).predict(w) for w in windows])
    assert np.abs(second - first).max() > 0.05
    assert reblend_check(first, second, windows, LinearBlend.of(blended, 0.3), 0.7) < 1e-5


def test_hyperparameters_come_back_from_the_dict_stored_with_a_model():
    hp = HParams(lstm_units=(16, 8), linear_blend_choices=(0.5,), linear_speech_fraction=0.5)
    assert HParams.from_dict(json.loads(json.dumps(hp.to_dict()))) == hp
    # A model stored before a field existed gets that field's default.
    older = {k: v for k, v in hp.to_dict().items()
             if k not in ('linear_blend_choices', 'linear_speech_fraction', 'linear_c')}
    assert HParams.from_dict(older) == hp.with_changes(
        linear_blend_choices=(), linear_speech_fraction=0.0)
    # Before linear_features, the regression read the LSTM's features.
    before = {k: v for k, v in hp.to_dict().items() if k != 'linear_features'}
    assert HParams.from_dict(before) == hp.with_changes(linear_features='lstm')
    # Before linear_min_std, it weighed every blendshape it read; before frame_stride, every
    # camera frame went into the window; before linear_crosses, it read the scores alone.
    before = {k: v for k, v in hp.to_dict().items()
              if k not in ('linear_min_std', 'frame_stride', 'linear_crosses')}
    assert HParams.from_dict(before) == hp.with_changes(linear_min_std=0.0,
                                                        linear_crosses='none')
    assert HParams.from_dict(hp.with_changes(linear_min_std=0.005).to_dict()).linear_min_std \
        == 0.005
    assert HParams.from_dict(before).frame_stride == 1


def test_the_regression_gives_no_weight_to_a_blendshape_that_never_moves():
    from emotion_estimator_training.train import fit_regression
    rng = np.random.default_rng(5)
    labels = np.arange(1400) % 7
    views = np.stack([rng.random(1400) * 0.2 + labels / 10,  # informative, moves
                      rng.random(1400) * 0.5,  # moves, uninformative
                      1e-6 * (labels + rng.random(1400))],  # tracks the label, never moves
                     axis=1)[:, None, :].astype(np.float32)
    kernel, bias = fit_regression(HParams(linear_min_std=0.0, linear_crosses='none'), views,
                                  labels)
    assert np.abs(kernel[2]).max() > 1e4  # 1e-6 standardised: a giant raw weight
    # With every feature read, bit for bit the regression of the models before the option.
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler
    frames = views[:, 0].astype(np.float64)
    scaler = StandardScaler().fit(frames)
    plain = LogisticRegression(max_iter=3000, random_state=HParams().seed).fit(
        scaler.transform(frames), labels)
    weights = plain.coef_.T / scaler.scale_[:, None]
    assert np.array_equal(kernel, weights)
    assert np.array_equal(bias, plain.intercept_ - scaler.mean_ @ weights)
    kernel, bias = fit_regression(HParams(linear_min_std=MIN_FEATURE_STD,
                                          linear_crosses='none'), views, labels)
    assert kernel.shape == (3, 7) and (kernel[2] == 0).all() and (kernel[:2] != 0).all()
    # The bias takes the standardisation of the features read, not of the one left out.
    logits = views[:, 0] @ kernel + bias
    assert (logits.argmax(axis=1) == labels).mean() > 0.5
    # Features that make up no action unit have no crossed features: the scores alone.
    from emotion_estimator.contract import BLENDSHAPE_NAMES
    no_unit = [BLENDSHAPE_NAMES.index(name)
               for name in ('cheekPuff', 'cheekSquintLeft', 'cheekSquintRight')]
    crossed, _ = fit_regression(HParams(linear_min_std=MIN_FEATURE_STD), views, labels, no_unit)
    assert np.array_equal(crossed, kernel)


def test_the_command_line_sets_what_the_linear_blend_reads():
    from emotion_estimator_training import cli
    parser = cli.build_parser()
    assert cli._hparams(parser.parse_args(['build'])).linear_features == 'all51'
    assert cli._hparams(parser.parse_args(['build'])).linear_crosses == 'unit_pairs'
    assert cli._hparams(parser.parse_args(['build', '--linear-crosses', 'none'])
                        ).linear_crosses == 'none'
    given = cli._hparams(parser.parse_args(['build', '--linear-features', 'lstm',
                                            '--linear-blend', '0.5']))
    assert (given.linear_features, given.linear_blend, given.linear_blend_choices) == \
        ('lstm', 0.5, ())
    with pytest.raises(SystemExit):
        parser.parse_args(['build', '--linear-features', 'all52'])
    with pytest.raises(ValueError, match='linear_features'):
        HParams(linear_features='all52')
