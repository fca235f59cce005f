# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Sliding-window training data from still images.

FER2013 has no video: a window of T frames is built from the extracted views of one face, with
the variation a robot sees that stills lack (see :func:`build_windows`).
"""

from typing import Optional, Sequence, Tuple

import numpy as np

from emotion_estimator.contract import BLENDSHAPE_NAMES

from emotion_estimator_training.extract import BlendshapeTable
from emotion_estimator_training.hyperparameters import HParams, MIN_FEATURE_STD

#: Blendshapes that speech moves, with their share of the jaw's movement (the lips follow the
#: jaw; rounding and pressing come and go with the sounds).
SPEECH_BLENDSHAPES = {
    'jawOpen': 1.0, 'mouthLowerDownLeft': 0.6, 'mouthLowerDownRight': 0.6,
    'mouthUpperUpLeft': 0.25, 'mouthUpperUpRight': 0.25, 'mouthFunnel': 0.3,
    'mouthPucker': 0.3, 'mouthRollLower': 0.2, 'mouthShrugLower': 0.2, 'mouthClose': -0.3,
    'mouthStretchLeft': 0.15, 'mouthStretchRight': 0.15}

#: Where the clips of people talking come from, for the errors that need them.
SPEECH_CLIPS = '(--speech, default $EMOTION_ESTIMATOR_SHARED/datasets/speech)'

#: The label of a talker window: a real person talking, known only not to be sad.
TALKER_LABEL = -1

#: Frame period assumed for simulated speech (15-30 fps cameras: 0.033-0.067 s).
SPEECH_FRAME_PERIOD_S = (1 / 30, 1 / 15)


def filled_views(table: BlendshapeTable, indices) -> np.ndarray:
    """Return ``[N, V, F]`` selected features, views without a face replaced by view 0.

    The table must hold detected images only (view 0 has a face).
    """
    if not table.detected.all():
        raise ValueError('filled_views needs detected images only; use table.subset(detected)')
    scores = table.scores[:, :, indices]
    missing = np.isnan(scores[..., 0])
    scores = np.where(missing[..., None], scores[:, :1, :], scores)
    return scores.astype(np.float32)


def build_windows(views: np.ndarray, labels: np.ndarray, hp: HParams, rng: np.random.Generator,
                  per_image: int = None, indices: Optional[Sequence[int]] = None,
                  person_offsets: Optional[np.ndarray] = None,
                  speech_bank=None) -> Tuple[np.ndarray, np.ndarray]:
    """Return windows ``[M, T, F]`` and labels ``[M]``, ``per_image`` windows per image.

    FER2013 has no video, so a window of T frames is built from the extracted views of one face
    (the face as is plus random flips and rotations), each frame with a little noise, as a camera
    sees a face that moves slightly. Four kinds of windows are mixed:

    * **views**: every frame a random view of the face;
    * **still**: one view repeated (a steady face, and the test protocol for still images);
    * **start-up**: front-padded with its oldest frame, like the runtime window before it is full;
    * **transition**: the first frames show another face with another label; the label is the face
      of the most recent frames, so the model follows a change of expression.

    On top, two kinds of variation a robot sees that FER2013 stills lack:

    * **person offsets** (off by default, ``person_offset_fraction``; see the model card):
      the whole window shifted by how another person's resting face differs from the population's
      (a neutral training face minus the median neutral), so the model does not take a face that
      rests with low mouth corners for sad (the runtime removes such offsets once it knows the
      person: ``emotion_estimator.resting_face``);
    * **speech**, with the label unchanged, so that a talking face is not read as an expression:
      ``real`` (the default of the shipped model) adds stretches of the articulation residuals of
      real people talking (``speech.SpeechBank``: every blendshape that moves while people talk,
      lips, jaw, blinks and gaze among them, at the window's frame rate); ``simulated`` adds the
      jaw and lower lip opening and closing at 3-6 Hz (amplitudes assumed: jawOpen up to
      ``speech_amplitude``).

    And, with ``hp.talker_fraction``, **talker windows**: stretches of the real
    people of the speech clips talking (``speech.SpeechBank.talker_windows``), labelled
    :data:`TALKER_LABEL` (not sad; FER2013's classes say nothing more of them), after the
    others, ``talker_fraction`` times as many. They draw from ``rng`` before the camera noise,
    so switching them on also changes the noise of the other windows.

    ``indices`` (the blendshapes behind the F features) enables speech: real with
    ``speech_bank`` (a ``speech.SpeechBank``, when ``hp.speech_source`` is ``real``), else
    simulated; ``person_offsets`` (``[P, F]`` resting-face offsets of other people) the person
    offsets.

    Raises:
        ValueError: ``hp.speech_source`` is ``real`` or ``hp.talker_fraction`` is set, but no
            ``speech_bank`` is given.

    """
    per_image = per_image or hp.windows_per_image
    count, num_views, _ = views.shape
    length = hp.window_length
    image = np.repeat(np.arange(count), per_image)
    rng.shuffle(image)
    total = len(image)
    view = rng.integers(0, num_views, size=(total, length))
    kind = rng.random(total)
    still = kind < hp.still_fraction
    view[still] = view[still, :1]
    windows = views[image[:, None], view]
    startup = (kind >= hp.still_fraction) & (kind < hp.still_fraction + hp.startup_fraction)
    transition = kind >= 1.0 - hp.transition_fraction
    if length > 1:
        for row in np.flatnonzero(startup):
            pad = rng.integers(1, length)
            windows[row, :pad] = windows[row, pad]
        other_faces = {label: np.flatnonzero(labels != label) for label in np.unique(labels)}
        for row in np.flatnonzero(transition):
            others = other_faces[labels[image[row]]]
            if others.size == 0:
                continue
            other = others[rng.integers(others.size)]
            switch = rng.integers(1, length // 2 + 1)
            windows[row, :switch] = views[other, rng.integers(0, num_views, switch)]
    if person_offsets is not None and len(person_offsets) and hp.person_offset_fraction > 0:
        shifted = rng.random(total) < hp.person_offset_fraction
        chosen = rng.integers(0, len(person_offsets), shifted.sum())
        scale = rng.uniform(0, hp.person_offset_scale, (shifted.sum(), 1, 1))
        windows[shifted] += scale * person_offsets[chosen][:, None, :]
    if indices is not None and hp.speech_fraction > 0 and hp.speech_source != 'none':
        talking = np.flatnonzero(rng.random(total) < hp.speech_fraction)
        if hp.speech_source == 'real':
            if speech_bank is None:
                raise ValueError(f'speech_source "real" needs the clips of people talking '
                                 f'{SPEECH_CLIPS}')
            windows[talking] += speech_bank.sample(len(talking), length, indices, rng,
                                                   stride=hp.frame_stride)
        else:
            windows[talking] += speech_motion(indices, len(talking), length,
                                              hp.speech_amplitude, rng, hp.frame_stride)
    labels = labels[image]
    if indices is not None and hp.talker_fraction > 0:
        if speech_bank is None:
            raise ValueError(f'talker windows (talker_fraction) need the clips of people '
                             f'talking {SPEECH_CLIPS}')
        extra = int(round(hp.talker_fraction * total))
        windows = np.concatenate([windows, speech_bank.talker_windows(
            extra, length, indices, rng, hp.frame_stride)])
        labels = np.concatenate([labels, np.full(extra, TALKER_LABEL, labels.dtype)])
    windows = windows + rng.normal(0.0, hp.noise_std, windows.shape).astype(np.float32)
    return np.clip(windows, 0.0, 1.0), labels


def speech_motion(indices: Sequence[int], count: int, length: int, amplitude: float,
                  rng: np.random.Generator, stride: int = 1) -> np.ndarray:
    """Return ``[count, length, F]`` additive blendshape changes of simulated speech.

    The jaw opens as ``a * |sin(pi * f * t + phase)|`` (``f`` 3-6 syllables per second,
    ``a`` up to ``amplitude``); the other speech blendshapes follow with their weights. The
    frames are ``stride`` camera frames apart.
    """
    weights = np.zeros(len(indices), np.float32)
    for name, weight in SPEECH_BLENDSHAPES.items():
        index = BLENDSHAPE_NAMES.index(name)
        if index in indices:
            weights[list(indices).index(index)] = weight
    period = stride * rng.uniform(*SPEECH_FRAME_PERIOD_S, (count, 1))
    rate = rng.uniform(3.0, 6.0, (count, 1))
    phase = rng.uniform(0, np.pi, (count, 1))
    jaw = rng.uniform(0.05, amplitude, (count, 1)) * np.abs(
        np.sin(np.pi * rate * period * np.arange(length)[None, :] + phase))
    return (jaw[..., None] * weights[None, None, :]).astype(np.float32)


def still_windows(views: np.ndarray, length: int) -> np.ndarray:
    """Return view 0 of every image repeated ``length`` times: a steady face (test protocol)."""
    return np.repeat(views[:, :1], length, axis=1)


def stream_windows(views: np.ndarray, length: int, frames: int, noise_std: float,
                   rng: np.random.Generator, stride: int = 1) -> np.ndarray:
    """Simulate ``frames`` camera frames per face and return the runtime's window at each frame.

    Returns ``[N, frames, length, F]``: at frame ``k`` the window holds frames ``k``, ``k - s``,
    ... (``s = stride``, ``length`` of them), front-padded with the oldest of those while there
    are fewer (as ``BlendshapeWindow`` does). The camera noise moves only the features that move
    across ``views`` (standard deviation at least ``MIN_FEATURE_STD``): MediaPipe leaves the
    cheek-squint and nose-sneer scores at about 1e-6 on every face, and noise of 0.02 there
    was a change no camera makes (it sank the regression on all 51 to a stream accuracy of 0.13).
    """
    count, num_views, features = views.shape
    view = rng.integers(0, num_views, size=(count, frames))
    stream = views[np.arange(count)[:, None], view]
    moving = views.reshape(-1, features).std(axis=0) >= MIN_FEATURE_STD
    noise = rng.normal(0, noise_std, stream.shape) * moving
    stream = np.clip(stream + noise, 0, 1).astype(np.float32)
    now = np.arange(frames)[:, None]
    positions = now - stride * np.arange(length)[::-1][None, :]
    positions = np.where(positions < 0, now % stride, positions)
    return stream[:, positions]
