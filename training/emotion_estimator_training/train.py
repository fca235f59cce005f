# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Train the LSTM on windows built from the extracted blendshapes."""

import os
from pathlib import Path
import random
from typing import Dict, List, Optional, Sequence, Tuple

import keras
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from emotion_estimator.contract import CLASS_NAMES

from emotion_estimator_training.extract import BlendshapeTable
from emotion_estimator_training.features import ALL51, Crosses, crosses_for
from emotion_estimator_training.hyperparameters import HParams, PAPER_CLASS_COUNTS
from emotion_estimator_training.model import compile_model, copy_weights, crosses_of, \
    lstm_inputs_of, make_model, set_regression
from emotion_estimator_training.windows import build_windows, filled_views


def set_seeds(seed: int) -> None:
    """Make numpy, Python and Keras/TensorFlow deterministic for a seed."""
    os.environ['PYTHONHASHSEED'] = str(seed)
    random.seed(seed)
    np.random.seed(seed)
    keras.utils.set_random_seed(seed)


def paper_subsample(table: BlendshapeTable, seed: int) -> BlendshapeTable:
    """Keep at most the paper's Table 2 count of images per class (random, seeded)."""
    rng = np.random.default_rng(seed)
    keep = np.zeros(len(table.labels), bool)
    for index, name in enumerate(CLASS_NAMES):
        rows = np.flatnonzero(table.labels == index)
        chosen = rng.permutation(rows)[:PAPER_CLASS_COUNTS[name]]
        keep[chosen] = True
    return table.subset(keep)


def class_weights(labels: np.ndarray) -> Dict[int, float]:
    """Return 'balanced' class weights: n / (classes * count of the class).

    Talker windows (``windows.TALKER_LABEL``) belong to no class and are not counted.
    """
    labels = labels[labels >= 0]
    counts = np.bincount(labels, minlength=len(CLASS_NAMES)).astype(np.float64)
    weights = len(labels) / (len(CLASS_NAMES) * np.maximum(counts, 1))
    return {i: float(w) for i, w in enumerate(weights)}


def training_faces(hp: HParams, train_table: BlendshapeTable) -> BlendshapeTable:
    """Return the training faces the model learns from (a subsample for ``paper_subsample``)."""
    if hp.balancing == 'paper_subsample':
        return paper_subsample(train_table, hp.seed)
    return train_table


def fit_weights(labels: np.ndarray, balancing: str
                ) -> Tuple[Optional[Dict[int, float]], Optional[np.ndarray]]:
    """Return Keras's ``class_weight`` and ``sample_weight`` for the training windows.

    With ``class_weights`` balancing and talker windows, every window is weighed here (1 for a
    talker window): Keras would weigh a talker window's all-zero row as class 0.
    """
    if balancing != 'class_weights':
        return None, None
    weights = class_weights(labels)
    if not (labels < 0).any():
        return weights, None
    return None, np.array([weights.get(int(label), 1.0) for label in labels])


def validation_windows(hp: HParams, val_table: BlendshapeTable, indices: List[int]
                       ) -> Tuple[np.ndarray, np.ndarray]:
    """Return the windows and labels ``train`` validates and early-stops on (one per face)."""
    return build_windows(filled_views(val_table, indices), val_table.labels, hp,
                         np.random.default_rng(hp.seed + 1), per_image=1)


def targets(labels: np.ndarray) -> np.ndarray:
    """Return one-hot targets ``[N, classes]``; a talker window's row is all zeros.

    ``model.WithTalkers`` reads an all-zero row as "not sad".
    """
    one_hot = np.zeros((len(labels), len(CLASS_NAMES)))  # float64, as to_categorical gives
    labelled = np.flatnonzero(labels >= 0)
    one_hot[labelled, labels[labelled]] = 1.0
    return one_hot


def frame_statistics(views: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Return the per-feature mean and variance of every frame: the model's input normalisation."""
    frames = views.reshape(-1, views.shape[-1])
    return frames.mean(axis=0), frames.var(axis=0)


def regression_frames(hp: HParams, views: np.ndarray, labels: np.ndarray,
                      indices: Optional[Sequence[int]] = None, speech_bank=None
                      ) -> Tuple[np.ndarray, np.ndarray]:
    """Return the linear blend's training frames ``[N * V, F]`` and their faces' labels.

    Every view of every face of ``views`` ``[N, V, F]``; with ``hp.linear_speech_fraction``,
    that share of them (seeded) moved by real speech as the regression sees it on a talking
    face: the mean of a window's length of articulation residuals (``speech_bank.sample``,
    the features ``indices``), label unchanged.

    Raises:
        ValueError: ``hp.linear_speech_fraction`` is set but no ``speech_bank`` or
            ``indices`` is given.

    """
    frames = views.reshape(-1, views.shape[-1]).astype(np.float64)
    frame_labels = np.repeat(labels, views.shape[1])
    if hp.linear_speech_fraction > 0:
        if speech_bank is None or indices is None:
            raise ValueError('linear_speech_fraction needs the clips of people talking '
                             '(a speech bank) and the feature indices')
        rng = np.random.default_rng(hp.seed + 2)
        talking = np.flatnonzero(rng.random(len(frames)) < hp.linear_speech_fraction)
        frames[talking] += speech_bank.sample(len(talking), hp.window_length, indices,
                                              rng, stride=hp.frame_stride).mean(axis=1)
    return frames, frame_labels


def fit_regression(hp: HParams, views: np.ndarray, labels: np.ndarray,
                   indices: Optional[Sequence[int]] = None, speech_bank=None
                   ) -> Tuple[np.ndarray, np.ndarray]:
    """Return the linear blend's logistic regression on raw scores: kernel ``[F + P, 7]``, bias.

    Standardised inputs, L2 of strength ``1 / hp.linear_c``, seeded solver; fitted on the
    frames of :func:`regression_frames` with their face's label, reading the F features and,
    with ``hp.linear_crosses``, their P crossed features (``features.crosses_for``; the
    ``indices`` of the features must be given), only those whose standard deviation there is
    at least ``hp.linear_min_std`` (the others get weight 0). The standardisation is folded
    into the kernel and bias.
    """
    frames, frame_labels = regression_frames(hp, views, labels, indices, speech_bank)
    if hp.linear_crosses != 'none':
        if indices is None:
            raise ValueError('crossed features need the indices of the features')
        crosses = crosses_for(hp.linear_crosses, list(indices))
        frames = frames if crosses is None else crosses.expand(frames)
    moving = frames.std(axis=0) >= hp.linear_min_std
    read = frames if moving.all() else frames[:, moving]  # a copy would round differently
    scaler = StandardScaler().fit(read)
    regression = LogisticRegression(C=hp.linear_c, max_iter=3000, random_state=hp.seed).fit(
        scaler.transform(read), frame_labels)
    if list(regression.classes_) != list(range(len(CLASS_NAMES))):
        raise ValueError(f'the linear blend needs training frames of every class, got '
                         f'{regression.classes_}')
    weights = regression.coef_.T / scaler.scale_[:, None]
    kernel = np.zeros((frames.shape[1], len(CLASS_NAMES)))
    kernel[moving] = weights
    return kernel, regression.intercept_ - scaler.mean_ @ weights


def model_inputs(hp: HParams, indices: Sequence[int]) -> List[int]:
    """Return the blendshapes the trained model reads, its LSTM reading ``indices``.

    With a linear blend that reads all 51 (``hp.linear_features``), all 51; else ``indices``.
    """
    if hp.linear_blend and hp.linear_features == 'all51':
        return list(ALL51)
    return list(indices)


def with_linear_blend(model: keras.Model, hp: HParams, faces: BlendshapeTable,
                      indices: Sequence[int], speech_bank=None) -> keras.Model:
    """Return ``model`` blended with a logistic regression (``hp.linear_blend``; 0: as is).

    The regression (:func:`fit_regression`) is fitted apart from the LSTM on the detected
    training ``faces``, reading :func:`model_inputs`; the LSTM (reading ``indices``) is copied
    unchanged into the blended model (``model.make_model(blend=True)``), whose input is then
    :func:`model_inputs`.
    """
    if not hp.linear_blend:
        return model
    inputs = model_inputs(hp, indices)
    kernel, bias = fit_regression(hp, filled_views(faces, inputs), faces.labels, inputs,
                                  speech_bank)
    picked = None if inputs == list(indices) else [inputs.index(i) for i in indices]
    blended = with_blend_weight(model, hp, len(inputs), picked,
                                crosses_for(hp.linear_crosses, inputs))
    set_regression(blended, kernel, bias)
    return blended


def with_blend_weight(model: keras.Model, hp: HParams, num_features: Optional[int] = None,
                      lstm_inputs: Optional[Sequence[int]] = None,
                      crosses: Optional[Crosses] = None) -> keras.Model:
    """Return a blended model at ``hp.linear_blend`` with every trained weight of ``model``.

    ``model`` is the LSTM alone (its regression is set afterwards; ``num_features``,
    ``lstm_inputs`` and ``crosses`` give the blended model's input, where the LSTM's features
    are in it, by default the LSTM's own, and the regression's crossed features) or a blended
    model (its input, crossed features and regression are kept: the same model at another
    weight).
    """
    normalize = model.get_layer('normalize')
    if lstm_inputs is None:
        lstm_inputs = lstm_inputs_of(model)
    blended = make_model(hp, num_features or model.input_shape[-1],
                         normalize.mean.numpy().ravel(), normalize.variance.numpy().ravel(),
                         blend=True, lstm_inputs=lstm_inputs,
                         crosses=crosses or crosses_of(model))
    copy_weights(model, blended)
    return blended


def restore_model(hp: HParams, train_table: BlendshapeTable, indices: List[int],
                  checkpoint: os.PathLike, speech_bank=None) -> keras.Model:
    """Return the model ``train`` left in ``checkpoint`` (its best weights).

    The checkpoint holds the LSTM's weights only; the input normalisation and the linear blend
    are computed again from the same training faces, as ``train`` computed them.
    """
    faces = training_faces(hp, train_table)
    model = make_model(hp, len(indices), *frame_statistics(filled_views(faces, indices)))
    model.load_weights(str(checkpoint))
    return with_linear_blend(model, hp, faces, indices, speech_bank)


def train(hp: HParams, train_table: BlendshapeTable, val_table: BlendshapeTable,
          indices: List[int], out_dir: Optional[Path] = None,
          verbose: int = 2, person_offsets: Optional[np.ndarray] = None,
          speech_bank=None) -> Tuple[keras.Model, Dict[str, List[float]]]:
    """Train on detected training faces, early-stop on the validation windows.

    Args:
        hp: hyper-parameters.
        train_table: blendshapes of the training split (detected faces only).
        val_table: blendshapes of the validation split (detected faces only).
        indices: the blendshapes the LSTM reads (the blended model reads
            :func:`model_inputs`).
        out_dir: where checkpoints and TensorBoard logs go (None: no files).
        verbose: Keras verbosity.
        person_offsets: ``[P, 52]`` resting-face offsets of other people for the person-offset
            windows (see ``windows.py``); None: none.
        speech_bank: the real articulation residuals (``speech.SpeechBank``) for
            ``hp.speech_source`` ``real``.

    Returns:
        The model with the best validation macro-F1 weights (blended with the linear model
        where ``hp.linear_blend``; the checkpoint holds the LSTM alone), and the history.

    """
    set_seeds(hp.seed)
    train_table = training_faces(hp, train_table)
    train_views = filled_views(train_table, indices)
    rng = np.random.default_rng(hp.seed)
    offsets = None if person_offsets is None else person_offsets[:, indices].astype(np.float32)
    x_train, y_train = build_windows(train_views, train_table.labels, hp, rng, indices=indices,
                                     person_offsets=offsets, speech_bank=speech_bank)
    x_val, y_val = validation_windows(hp, val_table, indices)
    model = make_model(hp, len(indices), *frame_statistics(train_views))
    compile_model(model, hp)
    callbacks = [keras.callbacks.EarlyStopping(monitor='val_macro_f1', mode='max',
                                               patience=hp.patience, restore_best_weights=True)]
    if hp.weight_ema > 0:
        # First in the list: validation, early stopping and the checkpoint see the averaged
        # weights, and the best epoch's averaged weights are the ones restored at the end.
        callbacks.insert(0, keras.callbacks.SwapEMAWeights(swap_on_epoch=True))
    if out_dir is not None:
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        callbacks += [
            keras.callbacks.ModelCheckpoint(str(out_dir / 'best.weights.h5'),
                                            monitor='val_macro_f1', mode='max',
                                            save_best_only=True, save_weights_only=True),
            keras.callbacks.TensorBoard(log_dir=str(out_dir / 'tensorboard')),
            keras.callbacks.CSVLogger(str(out_dir / 'history.csv'))]
    weights, per_window = fit_weights(y_train, hp.balancing)
    history = model.fit(
        x_train, targets(y_train), validation_data=(x_val, targets(y_val)),
        batch_size=hp.batch_size, epochs=hp.epochs, class_weight=weights,
        sample_weight=per_window, callbacks=callbacks, shuffle=True, verbose=verbose)
    return (with_linear_blend(model, hp, train_table, indices, speech_bank),
            {k: [float(v) for v in vs] for k, vs in history.history.items()})
