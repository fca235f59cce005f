# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The sliding window of per-frame features that the LSTM reads."""

from collections import deque
from typing import Optional

import numpy as np


def camera_frames(length: int, stride: int = 1) -> int:
    """Return how many camera frames a window of ``length`` frames, ``stride`` apart, spans."""
    return (length - 1) * stride + 1


class BlendshapeWindow:
    """Keep the features of the last ``length`` frames of one face, every ``stride``-th frame.

    With ``stride`` s the model reads the newest frame and every s-th frame before it: ``length``
    frames spanning ``(length - 1) * s + 1`` camera frames (a lower rate, a longer time at the
    same cost); the model's metadata says which stride it was trained for (``frame_stride``).

    The window starts over when frames arrive more than ``max_gap_s`` apart or out of order, so a
    window never mixes a face seen now with one seen long ago. A window that is not yet full is
    padded at the front with its oldest frame (the model is trained with such start-up windows).
    """

    def __init__(self, length: int, max_gap_s: float = 0.5, stride: int = 1):
        """Create an empty window of ``length`` frames, ``stride`` camera frames apart."""
        if length < 1:
            raise ValueError(f'window length must be >= 1, got {length}')
        if stride < 1:
            raise ValueError(f'stride must be >= 1, got {stride}')
        if max_gap_s <= 0:
            raise ValueError(f'max_gap_s must be > 0, got {max_gap_s}')
        self.length = length
        self.stride = stride
        self.max_gap_s = max_gap_s
        self._frames = deque(maxlen=camera_frames(length, stride))
        self._last_time: Optional[float] = None

    def __len__(self) -> int:
        """Return the number of camera frames held (up to :func:`camera_frames`)."""
        return len(self._frames)

    @property
    def full(self) -> bool:
        """Return whether the window spans all the camera frames it reads from."""
        return len(self._frames) == self._frames.maxlen

    def reset(self) -> None:
        """Forget every frame."""
        self._frames.clear()
        self._last_time = None

    def push(self, features: np.ndarray, time_s: float) -> bool:
        """Add one frame's features; return True if the window was reset first (gap, jump back)."""
        restarted = False
        if self._last_time is not None and not 0 < time_s - self._last_time <= self.max_gap_s:
            self.reset()
            restarted = True
        self._frames.append(np.asarray(features, dtype=np.float32))
        self._last_time = time_s
        return restarted

    def as_array(self) -> np.ndarray:
        """Return a ``(length, features)`` float32 array, front-padded while not full.

        The newest frame and every ``stride``-th before it, oldest first; while fewer than
        ``length`` are held, the oldest of them fills the front.
        """
        if not self._frames:
            raise ValueError('the window is empty')
        frames = list(self._frames)[::-self.stride][::-1]
        frames = [frames[0]] * (self.length - len(frames)) + frames
        return np.stack(frames)
