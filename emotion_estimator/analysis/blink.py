# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Blinks: closures of both eyes found in the eyeBlinkLeft / eyeBlinkRight blendshapes."""

from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

from emotion_estimator.analysis.timeline import face_ids, face_timeline, FrameRecord
from emotion_estimator.contract import BLENDSHAPE_NAMES

_BLINK_LEFT = BLENDSHAPE_NAMES.index('eyeBlinkLeft')
_BLINK_RIGHT = BLENDSHAPE_NAMES.index('eyeBlinkRight')


@dataclass(frozen=True)
class BlinkSettings:
    """When a closure of both eyes counts as a blink.

    Args:
        close_threshold: both eyeBlinkLeft and eyeBlinkRight >= this closes the eyes.
        open_threshold: the smaller of the two < this opens them again (hysteresis; <= close).
        min_closure_s: shorter closures are ignored (noise).
        max_closure_s: longer closures are eyes held shut, not blinks.

    """

    close_threshold: float = 0.5
    open_threshold: float = 0.35
    min_closure_s: float = 0.05
    max_closure_s: float = 0.5

    def __post_init__(self) -> None:
        """Reject settings that cannot describe a blink."""
        if not 0.0 <= self.open_threshold <= self.close_threshold <= 1.0:
            raise ValueError('blink thresholds must satisfy 0 <= open <= close <= 1, got '
                             f'open={self.open_threshold} close={self.close_threshold}')
        if not 0.0 <= self.min_closure_s <= self.max_closure_s:
            raise ValueError('blink closure times must satisfy 0 <= min <= max, got '
                             f'min={self.min_closure_s} max={self.max_closure_s}')


@dataclass(frozen=True)
class Blink:
    """One blink: when both eyes closed and for how long."""

    start_s: float
    duration_s: float


def detect_blinks(times: Sequence[float], left: Sequence[Optional[float]],
                  right: Sequence[Optional[float]],
                  settings: BlinkSettings = BlinkSettings()
                  ) -> Tuple[List[Optional[bool]], List[Blink]]:
    """Find blinks in the eyeBlinkLeft / eyeBlinkRight scores of a frame sequence.

    The eyes *close* at the first frame where both scores are >= ``close_threshold`` and *open*
    again at the first later frame where either score is < ``open_threshold`` (hysteresis). The
    closure lasts from the closing frame's time to the opening frame's time; it is a blink if
    ``min_closure_s <= closure <= max_closure_s``. A frame without a face (score None) abandons a
    closure in progress, and a closure still open at the end is not counted.

    Returns:
        The eye state of each frame (True closed, False open, None no face) and the blinks.

    """
    states: List[Optional[bool]] = []
    blinks: List[Blink] = []
    closed_since: Optional[float] = None
    for time_s, left_score, right_score in zip(times, left, right):
        if left_score is None or right_score is None:
            closed_since = None
            states.append(None)
            continue
        closure = min(float(left_score), float(right_score))
        if closed_since is None and closure >= settings.close_threshold:
            closed_since = float(time_s)
        elif closed_since is not None and closure < settings.open_threshold:
            duration = float(time_s) - closed_since
            if settings.min_closure_s <= duration <= settings.max_closure_s:
                blinks.append(Blink(closed_since, duration))
            closed_since = None
        states.append(closed_since is not None)
    return states, blinks


def eye_scores(records: Sequence[FrameRecord]
               ) -> Tuple[List[Optional[float]], List[Optional[float]]]:
    """Return the eyeBlinkLeft and eyeBlinkRight scores of each frame (None without a face)."""
    left = [None if r.blendshapes is None else float(r.blendshapes[_BLINK_LEFT]) for r in records]
    right = [None if r.blendshapes is None else float(r.blendshapes[_BLINK_RIGHT])
             for r in records]
    return left, right


def eyes_closed_per_record(records: Sequence[FrameRecord],
                           settings: BlinkSettings = BlinkSettings()) -> List[Optional[bool]]:
    """Return the blink detector's eye state of each record, each face's detector apart.

    See :func:`detect_blinks`; None for a record without a face.
    """
    states: Dict[Tuple[str, float], Optional[bool]] = {}
    for face_id in face_ids(records):
        timeline = face_timeline(records, face_id)
        left, right = eye_scores(timeline)
        closed, _ = detect_blinks([r.time_s for r in timeline], left, right, settings)
        states.update({(face_id, r.time_s): state for r, state in zip(timeline, closed)})
    return [states.get((r.face_id, r.time_s)) if r.face_found else None for r in records]
