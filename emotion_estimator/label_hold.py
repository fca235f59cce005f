# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""How long each face's published label has held: what a robot's behaviour waits on.

Fills ``label_since`` / ``label_held_s`` of ``emotion_estimator_msgs/Emotion`` (a behaviour
greets a smile that held for a moment, not every frame's label). No ROS: times are the frames'
stamps in seconds.
"""

from typing import Dict, Iterable, Optional, Tuple


class LabelHold:
    """The stamp at which each face's current label started (one run of the same label).

    Args:
        forget_after_s: A face not updated for this long (in its stream's stamps) is forgotten
            when another face is updated, so that ids that left do not pile up.

    """

    def __init__(self, forget_after_s: float = 60.0):
        """Start with no faces."""
        self.forget_after_s = float(forget_after_s)
        #: face id -> (label, stamp the label started, stamp of the last update).
        self._runs: Dict[str, Tuple[str, float, float]] = {}

    def update(self, face_id: str, label: str, stamp_s: float) -> float:
        """Record one frame's label of a face; return the stamp (s) its current label started.

        A new label, a new face, or a stamp earlier than the start of the run (a clock reset)
        starts a new run at ``stamp_s``.
        """
        run = self._runs.get(face_id)
        if run is None or run[0] != label or stamp_s < run[1]:
            since_s = stamp_s
        else:
            since_s = run[1]
        self._runs[face_id] = (label, since_s, stamp_s)
        self._forget_stale(stamp_s)
        return since_s

    def since(self, face_id: str) -> Optional[float]:
        """Return the stamp (s) the face's current label started, None for an unknown face."""
        run = self._runs.get(face_id)
        return None if run is None else run[1]

    def held_s(self, face_id: str, stamp_s: float) -> float:
        """Return how long (s) the face's label has held at ``stamp_s`` (0 for an unknown face)."""
        since_s = self.since(face_id)
        return 0.0 if since_s is None else max(stamp_s - since_s, 0.0)

    def forget(self, face_ids: Iterable[str]) -> None:
        """Forget these faces (their next label starts a new run)."""
        for face_id in list(face_ids):
            self._runs.pop(face_id, None)

    def clear(self) -> None:
        """Forget every face (reset, camera lost)."""
        self._runs.clear()

    def _forget_stale(self, now_s: float) -> None:
        stale = [face_id for face_id, (_, _, last_s) in self._runs.items()
                 if now_s - last_s > self.forget_after_s]
        self.forget(stale)
