# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Face tracking by box: which face of this frame continues which track, and the main face.

No model and no image here: a track is an id, a box and the time it was last seen; the
estimator adds its per-face state (window, label filter, resting face) in a subclass.
"""

from dataclasses import dataclass
import itertools
import math
from typing import Callable, Dict, Generic, List, Optional, Sequence, Tuple, TypeVar

#: A face's box in pixels: (x, y, width, height).
Box = Tuple[int, int, int, int]

#: The main face keeps its place while its box area is at least this share of the largest.
MAIN_FACE_KEEP_RATIO = 0.8

#: A box continues a track only when its centre is closer than this to the track's last box,
#: in face sizes (:func:`box_distance`).
MATCH_DISTANCE = 1.0


def box_distance(box: Box, other: Box) -> float:
    """Return how far apart the centres of two boxes are, in face sizes.

    Below :data:`MATCH_DISTANCE` the two boxes can be the same face.
    """
    x, y, w, h = box
    nx, ny, nw, nh = other
    distance = math.hypot((nx + nw / 2) - (x + w / 2), (ny + nh / 2) - (y + h / 2))
    return distance / max(w, h, nw, nh, 1)


@dataclass
class TrackedFace:
    """One tracked face: its id, its last box and when it was last seen."""

    face_id: str
    box: Box
    last_seen_s: float

    def matches(self, box: Box) -> float:
        """Return how far ``box`` is from this face's last box, in face sizes (box_distance)."""
        return box_distance(self.box, box)


Track = TypeVar('Track', bound=TrackedFace)


class FaceTracker(Generic[Track]):
    """The tracked faces of one stream, by id, and which of them is the main face.

    Args:
        new_track: Makes the track of a new face from its id, box and time.
        forget_after_s: A face unseen for longer than this is gone (who appears where it was
            is a new face).
        id_prefix: New faces are called ``<id_prefix>1``, ``<id_prefix>2``, ...

    """

    def __init__(self, new_track: Callable[[str, Box, float], Track], forget_after_s: float,
                 id_prefix: str = 'face'):
        """Start with no face."""
        self._new_track = new_track
        self.forget_after_s = forget_after_s
        self._id_prefix = id_prefix
        self._ids = itertools.count(1)
        #: The tracked faces by id, in the order they were first seen.
        self.tracks: Dict[str, Track] = {}
        #: The main face's id; it may name a face no longer tracked (see :attr:`main_face_id`).
        self.main_id: Optional[str] = None

    @property
    def main_face_id(self) -> str:
        """Return the id of the main face ('' when no face is tracked as main)."""
        return self.main_id if self.main_id in self.tracks else ''

    def main_track(self) -> Optional[Track]:
        """Return the main face's track (None when it is not tracked)."""
        return self.tracks.get(self.main_id)

    def forgotten(self, track: Track, time_s: float) -> bool:
        """Return whether ``track``'s face has been unseen for longer than the forget time."""
        return time_s - track.last_seen_s > self.forget_after_s

    def forget_unseen(self, time_s: float) -> None:
        """Drop every face unseen for longer than the forget time at ``time_s``."""
        for face_id, track in list(self.tracks.items()):
            if self.forgotten(track, time_s):
                del self.tracks[face_id]

    def add(self, box: Box, time_s: float, face_id: Optional[str] = None) -> Track:
        """Track a new face (a new id unless ``face_id`` is given) and return its track."""
        face_id = face_id or f'{self._id_prefix}{next(self._ids)}'
        track = self._new_track(face_id, box, time_s)
        self.tracks[face_id] = track
        return track

    def match(self, boxes: Sequence[Box], time_s: float) -> Tuple[List[Track], List[Track]]:
        """Give every box the track it continues or a new one.

        Pairs closer than :data:`MATCH_DISTANCE` are taken nearest first, so a face next to
        another does not take its neighbour's id (for the few faces of a frame this is the
        assignment an optimal matcher finds unless two people swap places within a frame).

        Returns:
            The track of each box, in ``boxes`` order, and the tracks no box continued.

        """
        pairs = sorted((track.matches(box), index, track.face_id)
                       for index, box in enumerate(boxes) for track in self.tracks.values())
        assigned: Dict[int, Track] = {}
        taken = set()
        for distance, index, face_id in pairs:
            if distance >= MATCH_DISTANCE:
                break
            if index not in assigned and face_id not in taken:
                assigned[index] = self.tracks[face_id]
                taken.add(face_id)
        missing = [track for face_id, track in self.tracks.items() if face_id not in taken]
        matched = [assigned.get(index) or self.add(box, time_s)
                   for index, box in enumerate(boxes)]
        return matched, missing

    def choose_main(self, tracks: Sequence[Track], areas: Sequence[float]) -> int:
        """Make one of ``tracks`` (sorted largest first, with their box ``areas``) the main face.

        The main face stays main while its area is at least :data:`MAIN_FACE_KEEP_RATIO` of the
        largest, so that two people of about the same size do not make the main face flicker
        between them; otherwise the largest becomes main.

        Returns:
            The index of the main face in ``tracks``.

        """
        main_index = 0
        for index, track in enumerate(tracks):
            if track.face_id == self.main_id and areas[index] >= MAIN_FACE_KEEP_RATIO * areas[0]:
                main_index = index
        self.main_id = tracks[main_index].face_id
        return main_index

    def discard(self, face_id: str) -> None:
        """Drop one face without choosing another main face (its id may come back)."""
        self.tracks.pop(face_id, None)

    def forget(self, face_id: str) -> None:
        """Drop one face; if it was the main face, the one seen first of the rest becomes main."""
        self.tracks.pop(face_id, None)
        if face_id == self.main_id:
            self.main_id = next(iter(self.tracks), None)

    def clear(self) -> None:
        """Forget every face (new ids keep counting up)."""
        self.tracks.clear()
        self.main_id = None
