# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The per-frame records of a recording, how long each frame lasts, and each face's timeline.

Frame ``i`` lasts until the next frame's time, the last one the median interval, so metrics
weighted by these durations are not biased by a variable frame rate. With several faces there is
one :class:`FrameRecord` per face per frame; the records marked ``main`` are the main-face
timeline, and :func:`face_timeline` gives each face a timeline of the same frames.
"""

from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np


@dataclass
class FrameRecord:
    """What the analysis keeps of one processed frame."""

    time_s: float
    face_found: bool
    #: The seven class scores by name (all 0 without a face).
    scores: Dict[str, float]
    #: The published 3-class label (temporally filtered).
    label: str
    #: The 3-class label of this frame alone.
    instant_label: str
    #: The 52 blendshape scores in BLENDSHAPE_NAMES order, None without a face.
    blendshapes: Optional[Sequence[float]] = None
    #: The face's id ('face1', ...; kept while the face is tracked), '' without a face.
    face_id: str = ''
    #: The face's box in frame pixels (x, y, width, height), None without a face.
    box: Optional[Tuple[int, int, int, int]] = None
    #: True for the main face of its frame and for a frame without any face: the records with
    #: ``main`` set are the main-face timeline, exactly one per frame.
    main: bool = True


def frame_durations(times: Sequence[float]) -> np.ndarray:
    """Return how long each frame lasts: until the next frame; the last one the median interval.

    Raises:
        ValueError: the times do not strictly increase.

    """
    times = np.asarray(times, dtype=np.float64)
    if times.size == 0:
        return times.copy()
    intervals = np.diff(times)
    if np.any(intervals <= 0):
        raise ValueError('frame times must strictly increase')
    last = float(np.median(intervals)) if intervals.size else 0.0
    return np.append(intervals, last)


def main_records(records: Sequence[FrameRecord]) -> List[FrameRecord]:
    """Return the main-face timeline: the record marked ``main`` of each frame."""
    return [r for r in records if r.main]


def face_ids(records: Iterable[FrameRecord]) -> List[str]:
    """Return the ids of the faces in ``records``, in the order they first appear."""
    return list(dict.fromkeys(r.face_id for r in records if r.face_found))


def face_timeline(records: Sequence[FrameRecord], face_id: str) -> List[FrameRecord]:
    """Return one record per frame for one face: its own where it was seen, else no face.

    The frames are those of :func:`main_records`; a frame without the face gets a record without
    a face (zero scores, label and instant label unknown), so the face's summary spans the whole
    recording like the main face's.
    """
    seen = {r.time_s: r for r in records if r.face_found and r.face_id == face_id}
    zeros = {name: 0.0 for name in next(iter(seen.values())).scores} if seen else {}
    return [seen.get(frame.time_s) or FrameRecord(frame.time_s, False, zeros, 'unknown',
                                                  'unknown', None, main=False)
            for frame in main_records(records)]
