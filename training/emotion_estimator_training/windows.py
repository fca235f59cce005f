# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Sliding-window training data from still images.

FER2013 has no video, so a window of T frames is built from the extracted views of one face
(the face as is plus random flips and rotations), each frame with a little noise, as a camera
sees a face that moves slightly. Four kinds of windows are mixed:

* **views**: every frame a random view of the face;
* **still**: one view repeated (a steady face, and the test protocol for still images);
* **start-up**: front-padded with its oldest frame, like the runtime window before it is full;
* **transition**: the first frames show another face with another label; the label is the face
  of the most recent frames, so the model follows a change of expression.
"""

from typing import Tuple

import numpy as np

from emotion_estimator_training.extract import BlendshapeTable
from emotion_estimator_training.hyperparameters import HParams


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
                  per_image: int = None) -> Tuple[np.ndarray, np.ndarray]:
    """Return windows ``[M, T, F]`` and labels ``[M]``, ``per_image`` windows per image."""
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
    windows = windows + rng.normal(0.0, hp.noise_std, windows.shape).astype(np.float32)
    return np.clip(windows, 0.0, 1.0), labels[image]


def still_windows(views: np.ndarray, length: int) -> np.ndarray:
    """Return view 0 of every image repeated ``length`` times: a steady face (test protocol)."""
    return np.repeat(views[:, :1], length, axis=1)


def stream_windows(views: np.ndarray, length: int, frames: int, noise_std: float,
                   rng: np.random.Generator) -> np.ndarray:
    """Simulate ``frames`` camera frames per face and return the runtime's window at each frame.

    Returns ``[N, frames, length, F]``: at frame ``k`` the window holds the last ``length``
    frames, front-padded with the oldest while ``k < length`` (as ``BlendshapeWindow`` does).
    """
    count, num_views, features = views.shape
    view = rng.integers(0, num_views, size=(count, frames))
    stream = views[np.arange(count)[:, None], view]
    stream = np.clip(stream + rng.normal(0, noise_std, stream.shape), 0, 1).astype(np.float32)
    positions = np.arange(frames)[:, None] - np.arange(length)[::-1][None, :]
    positions = np.maximum(positions, 0)
    return stream[:, positions]
