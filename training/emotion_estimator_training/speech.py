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
    """The articulation residuals of one clip, at its frame rate."""

    name: str
    residuals: np.ndarray
    fps: float

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
            clips.append(SpeechClip(path.stem, articulation_residuals(blendshapes, fps), fps))
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
               rng: np.random.Generator, scale: Tuple[float, float] = (0.7, 1.3)
               ) -> np.ndarray:
        """Return ``[count, length, F]`` residual stretches of the features ``indices``.

        Each stretch is a random clip (weighted by its length) at a random start, sampled every
        ``U(FRAME_PERIOD_S)`` seconds (a 15-30 fps camera) by linear interpolation, times a
        random factor ``U(scale)``; frames without a face add nothing.
        """
        indices = list(indices)
        weights = np.array([c.seconds for c in self.clips])
        chosen = rng.choice(len(self.clips), size=count, p=weights / weights.sum())
        periods = rng.uniform(*FRAME_PERIOD_S, count)
        factors = rng.uniform(*scale, count).astype(np.float32)
        out = np.zeros((count, length, len(indices)), np.float32)
        steps = np.arange(length)
        for row in range(count):
            clip = self.clips[chosen[row]]
            span = (length - 1) * periods[row] * clip.fps
            last = max(0.0, len(clip.residuals) - 1 - span)
            positions = rng.uniform(0.0, last) + steps * periods[row] * clip.fps
            positions = np.minimum(positions, len(clip.residuals) - 1)
            low = np.floor(positions).astype(int)
            high = np.minimum(low + 1, len(clip.residuals) - 1)
            weight = (positions - low)[:, None]
            values = (1 - weight) * clip.residuals[low][:, indices] \
                + weight * clip.residuals[high][:, indices]
            out[row] = np.nan_to_num(values, nan=0.0) * factors[row]
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
