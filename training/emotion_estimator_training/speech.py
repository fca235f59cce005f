# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Real speech for training windows: what talking does to the blendshapes, from real clips.

``../shared/datasets/speech`` holds unlabelled clips of people talking to a camera. Each clip's
frames go through the runtime's own path (``media.clip_frames``, MediaPipe FaceLandmarker in
VIDEO mode, as a camera stream); each frame minus the clip's own running median is an
*articulation residual*: what the lips, jaw and cheeks do for speech, without the person's
resting face or a held expression. :class:`SpeechBank` adds stretches of these residuals to
training windows (label unchanged), resampled to the window's frame rate.
"""

from dataclasses import dataclass
import hashlib
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

import numpy as np

from emotion_estimator.blendshapes import BlendshapeExtractor
from emotion_estimator.contract import BLENDSHAPE_NAMES
from emotion_estimator.frames import bgr_to_rgb
from emotion_estimator.model_files import sha256_of

from emotion_estimator_training.media import clip_frames, load_items, \
    TALKING_SUBJECT_PATTERN, VIDEO_SUFFIXES

#: Seconds of the centred running median that is a clip's "held" face.
MEDIAN_S = 1.0
#: Frame periods of the cameras the windows stand for (15-30 fps).
FRAME_PERIOD_S = (1 / 30, 1 / 15)


def clip_blendshapes(path: Path, face_model: Path,
                     cache_dir: Optional[Path] = None) -> Tuple[np.ndarray, float]:
    """Return a clip's per-frame 52 blendshapes ``[F, 52]`` (NaN rows: no face) and its fps.

    The frames are read and pre-processed as ``evaluate-api`` reads clips and run through
    ``BlendshapeExtractor`` in VIDEO mode (the runtime's camera path). Cached by the clip's and
    the face model's sha256.
    """
    path = Path(path)
    key = hashlib.sha256((sha256_of(path) + sha256_of(Path(face_model))).encode())
    cached = Path(cache_dir) / 'clips' / f'{path.stem}_{key.hexdigest()[:16]}.npz' \
        if cache_dir else None
    if cached is not None and cached.is_file():
        data = np.load(cached)
        return data['blendshapes'], float(data['fps'])
    frames, fps = clip_frames(str(path))
    extractor = BlendshapeExtractor(face_model, video=True, num_faces=1)
    try:
        rows = []
        for index, frame in enumerate(frames):
            found = extractor.extract(bgr_to_rgb(frame), index / fps)
            rows.append(found if found is not None
                        else np.full(len(BLENDSHAPE_NAMES), np.nan, np.float32))
    finally:
        extractor.close()
    blendshapes = np.array(rows, dtype=np.float32)
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        np.savez(cached, blendshapes=blendshapes, fps=fps)
    return blendshapes, fps


def articulation_residuals(blendshapes: np.ndarray, fps: float,
                           median_s: float = MEDIAN_S) -> np.ndarray:
    """Return each frame minus the centred running median of the frames with a face.

    Rows without a face stay NaN; a frame whose median window holds fewer than three faces is
    NaN too (nothing to compare it with).
    """
    half = max(1, int(round(median_s * fps / 2)))
    residuals = np.full_like(blendshapes, np.nan)
    for index in range(len(blendshapes)):
        window = blendshapes[max(0, index - half):index + half + 1]
        window = window[~np.isnan(window[:, 0])]
        if len(window) >= 3 and not np.isnan(blendshapes[index, 0]):
            residuals[index] = blendshapes[index] - np.median(window, axis=0)
    return residuals


@dataclass
class SpeechClip:
    """The articulation residuals of one clip, at its frame rate, and its blendshapes as seen.

    ``blendshapes`` (``[F, 52]``, NaN rows: no face) is the talking face itself, resting face
    and articulation together: :meth:`SpeechBank.talker_windows` shows it to the model as a
    face that is talking and not sad. None: the clip gives residuals only.
    """

    name: str
    residuals: np.ndarray
    fps: float
    blendshapes: Optional[np.ndarray] = None

    @property
    def seconds(self) -> float:
        """Return the clip's length in seconds."""
        return len(self.residuals) / self.fps


class SpeechBank:
    """Articulation residuals of real talking clips, sampled as training-window additions."""

    def __init__(self, clips: Sequence[SpeechClip]):
        """Keep the clips that have at least one second of residuals."""
        self.clips = [clip for clip in clips if np.sum(~np.isnan(clip.residuals[:, 0]))
                      >= clip.fps]
        if not self.clips:
            raise ValueError('no speech clip with at least one second of face')

    @classmethod
    def from_folder(cls, folder: Path, face_model: Path,
                    cache_dir: Optional[Path] = None) -> 'SpeechBank':
        """Extract (or read from the cache) every video clip of ``folder``.

        Raises:
            ValueError: the folder holds no video clip, or none with a face.

        """
        paths = sorted(p for p in Path(folder).iterdir() if p.suffix.lower() in VIDEO_SUFFIXES)
        if not paths:
            raise ValueError(f'{folder} holds no video clip ({VIDEO_SUFFIXES})')
        clips = []
        for path in paths:
            blendshapes, fps = clip_blendshapes(path, face_model, cache_dir)
            clips.append(SpeechClip(path.stem, articulation_residuals(blendshapes, fps), fps,
                                    blendshapes))
        return cls(clips)

    def describe(self) -> dict:
        """Return what the bank holds, for the training record."""
        moving = np.concatenate([np.nanstd(c.residuals, axis=0)[None] for c in self.clips])
        spread = np.nanmedian(moving, axis=0)
        top = np.argsort(spread)[::-1][:8]
        return {'clips': len(self.clips),
                'seconds': round(float(sum(c.seconds for c in self.clips)), 1),
                'most_moved_by_speech': {BLENDSHAPE_NAMES[i]: round(float(spread[i]), 4)
                                         for i in top}}

    def sample(self, count: int, length: int, indices: Sequence[int],
               rng: np.random.Generator, scale: Tuple[float, float] = (0.7, 1.3),
               stride: int = 1) -> np.ndarray:
        """Return ``[count, length, F]`` residual stretches of the features ``indices``.

        Stretches of random clips as ``_stretches`` takes them (every ``stride``-th camera
        frame), times ``U(scale)``; frames without a face add nothing.
        """
        out = _stretches([c.residuals for c in self.clips], [c.fps for c in self.clips],
                         count, length, indices, rng, scale, stride)
        return np.nan_to_num(out, nan=0.0)

    def talker_windows(self, count: int, length: int, indices: Sequence[int],
                       rng: np.random.Generator, stride: int = 1) -> np.ndarray:
        """Return ``[count, length, F]`` stretches of the talking faces themselves.

        Sampled as :meth:`sample` samples residuals, from the clips' blendshapes (a frame
        without a face shows the last one with a face): what a camera sees of a person who
        talks to it. None of the clips shows sadness (``../shared/datasets/speech``: interviews,
        broadcasts, acted neutral, happy, surprised and disgusted speech), so these windows
        teach the model that a talking face is not a sad one (``model.WithTalkers``).

        Raises:
            ValueError: no clip kept its blendshapes.

        """
        clips = [c for c in self.clips if c.blendshapes is not None]
        if not clips:
            raise ValueError('the speech bank holds no clip blendshapes for talker windows')
        faces = [_fill_missing(c.blendshapes) for c in clips]
        return _stretches(faces, [c.fps for c in clips], count, length, indices, rng,
                          stride=stride)


def _fill_missing(blendshapes: np.ndarray) -> np.ndarray:
    """Return the rows with NaN (no face) replaced by the last row before them with a face.

    Rows before the first face take the first face.
    """
    found = ~np.isnan(blendshapes[:, 0])
    nearest = np.maximum.accumulate(np.where(found, np.arange(len(found)), -1))
    nearest = np.where(nearest < 0, np.argmax(found), nearest)
    return blendshapes[nearest]


def _stretches(sources: Sequence[np.ndarray], fps: Sequence[float], count: int, length: int,
               indices: Sequence[int], rng: np.random.Generator,
               scale: Optional[Tuple[float, float]] = None, stride: int = 1) -> np.ndarray:
    """Return ``[count, length, F]`` stretches of ``sources`` (``[frames, 52]`` each).

    Each stretch is a random source (weighted by its length in seconds) at a random start,
    sampled every ``stride`` frames of a 15-30 fps camera (every ``stride * U(FRAME_PERIOD_S)``
    seconds) by linear interpolation, times a random factor ``U(scale)`` when ``scale`` is given.
    """
    indices = list(indices)
    weights = np.array([len(source) / rate for source, rate in zip(sources, fps)])
    chosen = rng.choice(len(sources), size=count, p=weights / weights.sum())
    periods = stride * rng.uniform(*FRAME_PERIOD_S, count)
    factors = (rng.uniform(*scale, count) if scale is not None else np.ones(count)
               ).astype(np.float32)
    out = np.zeros((count, length, len(indices)), np.float32)
    steps = np.arange(length)
    for row in range(count):
        source, rate = sources[chosen[row]], fps[chosen[row]]
        span = (length - 1) * periods[row] * rate
        last = max(0.0, len(source) - 1 - span)
        positions = rng.uniform(0.0, last) + steps * periods[row] * rate
        positions = np.minimum(positions, len(source) - 1)
        low = np.floor(positions).astype(int)
        high = np.minimum(low + 1, len(source) - 1)
        weight = (positions - low)[:, None]
        values = (1 - weight) * source[low][:, indices] + weight * source[high][:, indices]
        out[row] = values * factors[row]
    return out


def load_talking(folder: Path, face_model: Path, cache_dir: Path) -> List[tuple]:
    """Return ``[(class, subject, blendshapes [F, 52], fps)]`` of a talking-clip folder.

    Raises:
        ValueError: the folder holds no clip (see ``media.load_items``).

    """
    clips = []
    for item in load_items(folder, TALKING_SUBJECT_PATTERN):
        if item.kind == 'clip':
            blendshapes, fps = clip_blendshapes(Path(item.path), face_model, cache_dir)
            clips.append((item.label, item.subject, blendshapes, fps))
    if not clips:
        raise ValueError(f'{folder} holds no video clip')
    return clips
