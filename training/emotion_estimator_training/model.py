# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The 4-layer LSTM: raw blendshape scores in, seven class probabilities out."""

from typing import List, Optional, Sequence, Tuple

import keras
import numpy as np

from emotion_estimator.contract import CLASS_NAMES

from emotion_estimator_training.features import Crosses
from emotion_estimator_training.hyperparameters import HParams


def make_model(hp: HParams, num_features: int, mean: np.ndarray, variance: np.ndarray,
               batch_size: Optional[int] = None, layers_from=keras,
               blend: bool = False, lstm_inputs: Optional[Sequence[int]] = None,
               crosses: Optional[Crosses] = None) -> keras.Model:
    """Build the LSTM; the input normalisation is part of the model (the TFLite input is raw).

    Args:
        hp: the hyper-parameters (window length, units, dropout).
        num_features: F, blendshapes per frame (the model's input).
        mean: per-feature mean of the training frames (of the LSTM's features).
        variance: per-feature variance of the training frames (of the LSTM's features).
        batch_size: a fixed batch (1 for export) or None (training).
        layers_from: the Keras that builds it: ``keras`` (Keras 3) to train, ``tf_keras``
            (Keras 2) to export, whose LSTM the TFLite converter fuses (see ``export``).
        blend: add the linear model of ``hp.linear_blend`` (see :func:`_blended`); its weights
            are set after training (``train.with_linear_blend``), never trained here.
        lstm_inputs: the positions in the input of the features the LSTM reads, when it reads
            fewer than the input holds (a linear blend that reads all 51 blendshapes, ``hp.
            linear_features``): a fixed 0/1 projection picks them (``lstm_inputs``); None: all.
        crosses: the crossed features the blend's regression also reads (``hp.linear_crosses``,
            ``features.crosses_for``), computed in the model by fixed matrices; None: none.

    """
    k = layers_from
    inputs = k.Input(shape=(hp.window_length, num_features), batch_size=batch_size,
                     name='blendshapes')
    x = inputs
    if lstm_inputs is not None:
        pick = k.layers.Dense(len(lstm_inputs), use_bias=False, trainable=False,
                              name='lstm_inputs')
        x = pick(x)
        pick.set_weights([_selection(num_features, lstm_inputs)])
    normalized = x = k.layers.Normalization(mean=mean, variance=np.maximum(variance, 1e-6),
                                            name='normalize')(x)
    for layer, units in enumerate(hp.lstm_units):
        last = layer == len(hp.lstm_units) - 1
        x = k.layers.LSTM(units, return_sequences=not last, name=f'lstm_{layer + 1}')(x)
        if hp.dropout and not last:
            x = k.layers.Dropout(hp.dropout, name=f'dropout_{layer + 1}')(x)
    x = k.layers.Dropout(hp.dropout, name='dropout_head')(x) if hp.dropout else x
    blended = blend and hp.linear_blend
    if not hp.linear_head:
        # Blended, the LSTM's logits go to the blend (the same weights, softmax applied there).
        outputs = k.layers.Dense(len(CLASS_NAMES), activation=None if blended else 'softmax',
                                 name='scores')(x)
    else:
        # Wide and deep: a linear read-out of the window's mean, added to the LSTM's logits.
        deep = k.layers.Dense(len(CLASS_NAMES), name='deep_logits')(x)
        mean_frame = k.layers.GlobalAveragePooling1D(name='window_mean')(normalized)
        wide = k.layers.Dense(len(CLASS_NAMES), name='wide_logits')(mean_frame)
        outputs = k.layers.Add(name='logits')([deep, wide])
        if not blended:
            outputs = k.layers.Softmax(name='scores')(outputs)
    if blended:
        outputs = _blended(k, hp.linear_blend, inputs, outputs, crosses)
    return k.Model(inputs, outputs, name='emotion_lstm')


def _selection(num_features: int, positions: Sequence[int]) -> np.ndarray:
    """Return the ``[num_features, len(positions)]`` 0/1 matrix that picks ``positions``."""
    matrix = np.zeros((num_features, len(positions)), np.float32)
    matrix[list(positions), np.arange(len(positions))] = 1.0
    return matrix


def lstm_inputs_of(model) -> Optional[List[int]]:
    """Return the input positions ``model``'s LSTM reads (``make_model``'s ``lstm_inputs``)."""
    names = [layer.name for layer in model.layers]
    if 'lstm_inputs' not in names:
        return None
    return np.argmax(model.get_layer('lstm_inputs').get_weights()[0], axis=0).tolist()


def copy_weights(source, target) -> None:
    """Copy every trained layer's weights of ``source`` into the same-named layer of ``target``.

    The normalisation is left out: ``make_model`` builds it from the statistics it is given.
    """
    for layer in source.layers:
        if layer.weights and layer.name != 'normalize':
            target.get_layer(layer.name).set_weights(layer.get_weights())


def _blended(k, weight: float, inputs, lstm_logits, crosses: Optional[Crosses] = None):
    """Return ``p ∝ p_lstm^(1 - weight) * p_linear^weight`` (a product of experts).

    That is ``softmax((1 - weight) * lstm_logits + weight * linear_logits)``: a log-softmax
    differs from its logits by a constant per window, which the softmax removes.

    The linear model is a logistic regression fitted apart from the LSTM on the training frames
    (``train.with_linear_blend``), here reading the mean of the window's raw scores (its
    standardisation folded into the weights) and, with ``crosses``, the products of its action
    units (``features.Crosses.expand``: three fixed matrix products and a multiplication).
    Fitted apart, it keeps what made logistic regression carry to other people's faces better
    than the LSTM (``frontier.json``); trained jointly (``linear_head``), the LSTM takes over
    and the gain is lost.
    """
    mean_frame = k.layers.GlobalAveragePooling1D(name='blend_window_mean')(inputs)
    linear = k.layers.Dense(len(CLASS_NAMES), name='blend_logits', trainable=False)(mean_frame)
    if crosses is not None:
        # The products get a read-out of their own rather than one over [mean, products]: the
        # int8 variant quantizes a constant matrix of 1,024 elements or more per output, and
        # one of 7 x (51 + 136) would round the regression's weights away (kept below that,
        # both stay float; the 0/1 matrices of the products quantize exactly).
        fixed = {name: k.layers.Dense(matrix.shape[1], use_bias=False, trainable=False,
                                      name=f'blend_cross_{name}')
                 for name, matrix in crosses.matrices().items()}
        units = fixed['units'](mean_frame)
        products = k.layers.Multiply(name='blend_crosses')([fixed['left'](units),
                                                            fixed['right'](units)])
        crossed = k.layers.Dense(len(CLASS_NAMES), use_bias=False, trainable=False,
                                 name='blend_cross_logits')(products)
        linear = k.layers.Add(name='blend_linear')([linear, crossed])
        for name, matrix in crosses.matrices().items():
            fixed[name].set_weights([matrix.astype(np.float32)])
    lstm_part = k.layers.Rescaling(1.0 - weight, name='blend_lstm_weight')(lstm_logits)
    linear_part = k.layers.Rescaling(weight, name='blend_linear_weight')(linear)
    logits = k.layers.Add(name='blend_mix')([lstm_part, linear_part])
    return k.layers.Softmax(name='blended_scores')(logits)


def crosses_of(model) -> Optional[Crosses]:
    """Return the crossed features ``model``'s blend reads (``make_model``'s ``crosses``)."""
    names = [layer.name for layer in model.layers]
    if 'blend_cross_units' not in names:
        return None
    return Crosses(*(model.get_layer(f'blend_cross_{name}').get_weights()[0]
                     for name in ('units', 'left', 'right')))


def regression_of(model) -> Tuple[np.ndarray, np.ndarray]:
    """Return the blend's regression of ``model``: kernel ``[F (+ P), 7]`` and bias."""
    kernel, bias = model.get_layer('blend_logits').get_weights()
    if crosses_of(model) is not None:
        kernel = np.concatenate([kernel, model.get_layer('blend_cross_logits').get_weights()[0]])
    return kernel, bias


def set_regression(model, kernel: np.ndarray, bias: np.ndarray) -> None:
    """Set the blend's regression of ``model`` (:func:`regression_of`'s form)."""
    features = model.get_layer('blend_logits').get_weights()[0].shape[0]
    model.get_layer('blend_logits').set_weights([kernel[:features].astype(np.float32),
                                                 bias.astype(np.float32)])
    if crosses_of(model) is not None:
        model.get_layer('blend_cross_logits').set_weights(
            [kernel[features:].astype(np.float32)])


class WithTalkers(keras.losses.Loss):
    """A classification loss that also learns from windows known only not to be sad.

    A row of one-hot targets is a labelled window and gets ``base``; an all-zero row is a
    talker window (``windows.TALKER_LABEL``: a real person talking, not sad) and gets
    ``alpha * p_sad^gamma * -log(1 - p_sad)``, which is 0 when the model gives sad nothing and
    leaves the other six classes free. With ``alpha`` 1 and ``gamma`` 0 (round 7's talker term,
    ``HParams.talker_loss`` ``plain``) a talker window weighs several times a labelled one under
    the focal loss; ``focal`` gives the term the focal loss's own alpha and gamma, so that talker
    windows already read as not sad count little, as easy labelled windows do. Only the weights
    are saved.
    """

    def __init__(self, base: keras.losses.Loss, alpha: float = 1.0, gamma: float = 0.0,
                 name: str = 'with_talkers', **kwargs):
        """Wrap ``base`` (it must return 0 for an all-zero target row, as cross-entropy does)."""
        super().__init__(name=name, **kwargs)
        self.base = base
        self.alpha = float(alpha)
        self.gamma = float(gamma)

    def call(self, y_true, y_pred):
        """Return the per-window loss."""
        ops = keras.ops
        y_true = ops.cast(y_true, y_pred.dtype)
        labelled = ops.sum(y_true, axis=-1)
        sad = y_pred[:, CLASS_NAMES.index('sad')]
        not_sad = -ops.log(ops.clip(1.0 - sad, keras.backend.epsilon(), 1.0))
        if self.gamma:
            not_sad = not_sad * ops.power(sad, self.gamma)
        return self.base.call(y_true, y_pred) + (1.0 - labelled) * self.alpha * not_sad


def compile_model(model: keras.Model, hp: HParams) -> None:
    """Attach AdamW, the loss of the balancing method and accuracy / macro-F1 metrics."""
    if hp.balancing == 'focal':
        loss = keras.losses.CategoricalFocalCrossentropy(gamma=hp.focal_gamma,
                                                         label_smoothing=hp.label_smoothing)
    else:
        loss = keras.losses.CategoricalCrossentropy(label_smoothing=hp.label_smoothing)
    if hp.talker_fraction > 0 and hp.talker_loss == 'focal':
        loss = WithTalkers(loss, alpha=loss.alpha if hp.balancing == 'focal' else 1.0,
                           gamma=hp.focal_gamma)
    elif hp.talker_fraction > 0:
        loss = WithTalkers(loss)
    model.compile(
        optimizer=keras.optimizers.AdamW(learning_rate=hp.learning_rate,
                                         weight_decay=hp.weight_decay, clipnorm=hp.clipnorm,
                                         use_ema=hp.weight_ema > 0,
                                         ema_momentum=hp.weight_ema or 0.99),
        loss=loss,
        metrics=[keras.metrics.CategoricalAccuracy(name='accuracy'),
                 keras.metrics.F1Score(average='macro', name='macro_f1')])
