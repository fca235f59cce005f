# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""A person's resting (neutral) face, learnt while the face is tracked, and the shift it gives.

:class:`RestingFace` keeps a bounded per-blendshape median of the person's recent samples and
shifts each frame by how far that rest lies from the population's (:class:`RestingFacePrior`),
weighted by how settled the estimate is; a new face is read as raw blendshapes. The training
package applies the same shift with :func:`shift_features`. Why and the settings:
``docs/library.md`` ("The resting face") and ``models/MODEL_CARD.md``.
"""

from dataclasses import dataclass
from typing import Dict, Mapping, Optional, Sequence

import numpy as np

from emotion_estimator.contract import BLENDSHAPE_NAMES


@dataclass(frozen=True)
class RestingFaceSettings:
    """How the resting face is sampled, trusted and forgotten (seconds)."""

    #: one sample of the face per this period (frames in between are not sampled)
    sample_period_s: float = 0.2
    #: samples older than this are dropped
    history_s: float = 60.0
    #: seconds of samples after which the estimate is fully trusted (settled = 1)
    settle_s: float = 10.0
    #: without the face for this long the estimate starts over (the person may have changed)
    forget_after_s: float = 3.0

    def __post_init__(self):
        """Reject settings that cannot work."""
        for name in ('sample_period_s', 'history_s', 'settle_s', 'forget_after_s'):
            if not getattr(self, name) > 0:
                raise ValueError(f'resting face {name} must be > 0, got {getattr(self, name)}')

    @classmethod
    def from_dict(cls, values: Mapping[str, float]) -> 'RestingFaceSettings':
        """Build settings from a mapping (the model metadata), rejecting unknown keys."""
        unknown = set(values) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f'unknown resting face settings {sorted(unknown)}')
        return cls(**{key: float(value) for key, value in values.items()})


@dataclass(frozen=True)
class RestingFacePrior:
    """The population's resting face and how far a person's may lie from it (52 blendshapes)."""

    #: median blendshapes of FER2013 training faces labelled neutral (BLENDSHAPE_NAMES order)
    neutral: np.ndarray
    #: per blendshape, the largest shift a person's resting face may apply
    max_offset: np.ndarray

    @classmethod
    def from_dict(cls, data: Mapping[str, Mapping[str, float]]) -> 'RestingFacePrior':
        """Read ``{'neutral': {name: value}, 'max_offset': {name: value}}`` (missing names: 0)."""
        arrays = {}
        for key in ('neutral', 'max_offset'):
            values = data[key]
            unknown = set(values) - set(BLENDSHAPE_NAMES)
            if unknown:
                raise ValueError(f'resting face {key} names unknown blendshapes {sorted(unknown)}')
            arrays[key] = np.array([float(values.get(name, 0.0)) for name in BLENDSHAPE_NAMES],
                                   dtype=np.float32)
        if (arrays['max_offset'] < 0).any():
            raise ValueError('resting face max_offset values must be >= 0')
        return cls(arrays['neutral'], arrays['max_offset'])

    def to_dict(self) -> Dict[str, Dict[str, float]]:
        """Return the JSON form (rounded to 4 decimals)."""
        return {key: {name: round(float(value), 4)
                      for name, value in zip(BLENDSHAPE_NAMES, getattr(self, key))}
                for key in ('neutral', 'max_offset')}


def shift_features(blendshapes: np.ndarray, resting: np.ndarray, prior: RestingFacePrior,
                   settled: np.ndarray) -> np.ndarray:
    """Return blendshapes as if the person rested like the population.

    ``blendshapes - settled * clip(resting - prior.neutral, -max_offset, max_offset)``, clipped
    to [0, 1]. Works on one frame ``[52]`` or batches ``[..., 52]``; ``settled`` is a scalar or
    broadcasts against ``blendshapes.shape[:-1]``.
    """
    offset = np.clip(resting - prior.neutral, -prior.max_offset, prior.max_offset)
    shifted = blendshapes - np.asarray(settled, dtype=np.float32)[..., None] * offset
    return np.clip(shifted, 0.0, 1.0).astype(np.float32)


class RestingFace:
    """The running resting-face estimate of one tracked face.

    Samples live in a preallocated ring of ``history_s / sample_period_s`` rows; the median and
    the shift it implies are recomputed only when a sample is taken (at most every
    ``sample_period_s``), so a frame costs one subtraction.
    """

    def __init__(self, prior: RestingFacePrior,
                 settings: RestingFaceSettings = RestingFaceSettings()):
        """Start with no history (cold start: the population's resting face)."""
        self.prior = prior
        self.settings = settings
        capacity = int(np.ceil(settings.history_s / settings.sample_period_s)) + 1
        self._ring = np.zeros((capacity, len(prior.neutral)), np.float32)
        self._ring_times = np.zeros(capacity)
        self.reset()

    def reset(self) -> None:
        """Forget the person: back to the population's resting face."""
        self._count = 0
        self._next = 0
        self._first_time: Optional[float] = None
        self._last_sample: Optional[float] = None
        self._estimate: Optional[np.ndarray] = None
        self._offset: Optional[np.ndarray] = None
        self._settled = 0.0
        self._last_seen: Optional[float] = None

    @property
    def settled(self) -> float:
        """Return how far the estimate is trusted, from 0 (no history) to 1."""
        return self._settled

    @property
    def resting(self) -> np.ndarray:
        """Return the current estimate of the 52 resting blendshapes."""
        return self.prior.neutral if self._estimate is None else self._estimate

    def update(self, blendshapes: np.ndarray, time_s: float) -> np.ndarray:
        """Learn from one frame of the face and return its shifted blendshapes."""
        if self._last_seen is not None and (
                time_s < self._last_seen
                or time_s - self._last_seen > self.settings.forget_after_s):
            self.reset()
        self._last_seen = time_s
        # (1 ms of slack: frames at 15 Hz are 0.2 s apart every third frame, up to rounding)
        if self._last_sample is None or \
                time_s - self._last_sample >= self.settings.sample_period_s - 1e-3:
            self._sample(np.asarray(blendshapes, dtype=np.float32), time_s)
        return self.shift(blendshapes)

    def _sample(self, blendshapes: np.ndarray, time_s: float) -> None:
        capacity = len(self._ring)
        self._ring[self._next] = blendshapes
        self._ring_times[self._next] = time_s
        self._next = (self._next + 1) % capacity
        self._count = min(self._count + 1, capacity)
        self._last_sample = time_s
        kept = self._ring[:self._count]
        times = self._ring_times[:self._count]
        recent = time_s - times <= self.settings.history_s
        if not recent.all():
            kept, times = kept[recent], times[recent]
        self._first_time = float(times.min())
        self._estimate = np.median(kept, axis=0).astype(np.float32)
        seconds = time_s - self._first_time + self.settings.sample_period_s
        self._settled = float(min(1.0, seconds / self.settings.settle_s))
        self._offset = (self._settled * np.clip(self._estimate - self.prior.neutral,
                                                -self.prior.max_offset,
                                                self.prior.max_offset)).astype(np.float32)

    def shift(self, blendshapes: np.ndarray) -> np.ndarray:
        """Return ``blendshapes`` shifted by the current estimate (no learning)."""
        if self._offset is None:
            return np.asarray(blendshapes, dtype=np.float32)
        return np.clip(blendshapes - self._offset, 0.0, 1.0, dtype=np.float32)

    def face_lost(self, time_s: float) -> None:
        """Note a frame without this face; the estimate is forgotten after ``forget_after_s``."""
        if self._last_seen is not None and time_s - self._last_seen > \
                self.settings.forget_after_s:
            self.reset()


def prior_from_neutral_faces(neutral_faces: np.ndarray, spread: float = 1.5,
                             ceiling: float = 0.25,
                             names: Sequence[str] = BLENDSHAPE_NAMES) -> RestingFacePrior:
    """Estimate the population prior from blendshapes ``[N, 52]`` of neutral faces.

    ``neutral`` is their per-blendshape median (a typical resting face; the scores are skewed,
    so the mean would sit above most faces). ``max_offset`` is ``spread`` times the larger of
    the distances from the median to the 10th and to the 90th percentile (how far apart most
    people's resting faces lie), at most ``ceiling``. ``_neutral`` (MediaPipe's own neutral
    score) is never shifted.
    """
    faces = np.asarray(neutral_faces, dtype=np.float64)
    faces = faces[~np.isnan(faces).any(axis=1)]
    if len(faces) < 2:
        raise ValueError('need at least two neutral faces to estimate the resting face prior')
    low, median, high = np.percentile(faces, [10, 50, 90], axis=0)
    max_offset = np.minimum(spread * np.maximum(high - median, median - low), ceiling)
    max_offset[list(names).index('_neutral')] = 0.0
    return RestingFacePrior(median.astype(np.float32), max_offset.astype(np.float32))
