# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The debug image: the label and the 7 scores drawn on the frame, and its own thread (no ROS).

A 900 KB image is slow to send, more so to a busy subscriber: :class:`NewestJobThread` draws and
publishes it apart from the frame worker, always the newest frame only (it is for people).
"""

import threading
from typing import Callable, Dict, Optional, Sequence

import cv2
import numpy as np

#: Text colour (BGR) of each label; others (unknown) are orange.
LABEL_COLOURS = {'happy': (0, 200, 0), 'sad': (200, 80, 0)}
OTHER_COLOUR = (0, 200, 255)


def draw_overlay(frame: np.ndarray, label: str, face_found: bool, scores: Dict[str, float],
                 class_names: Sequence[str]) -> np.ndarray:
    """Return a copy of the BGR ``frame`` with the label and each class's score written on it."""
    canvas = frame.copy()
    scale = max(canvas.shape[0] / 480.0, 0.4)
    colour = LABEL_COLOURS.get(label, OTHER_COLOUR)
    text = label if face_found else f'{label} (no face)'
    cv2.putText(canvas, text, (int(10 * scale), int(35 * scale)), cv2.FONT_HERSHEY_SIMPLEX,
                1.0 * scale, colour, max(1, int(2 * scale)), cv2.LINE_AA)
    for row, name in enumerate(class_names):
        y = int((60 + 20 * row) * scale)
        cv2.putText(canvas, f'{name:8s} {scores[name]:.2f}', (int(10 * scale), y),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.5 * scale, (255, 255, 255),
                    max(1, int(scale)), cv2.LINE_AA)
    return canvas


class NewestJobThread:
    """Run ``work(job)`` on a thread of its own for the newest job submitted; skip older ones.

    Args:
        work: Called with each job taken; an exception goes to ``on_error`` and the thread
            goes on.
        on_error: Called with the exception of a failed job.
        name: The thread's name.

    """

    def __init__(self, work: Callable[[object], None], on_error: Callable[[Exception], None],
                 name: str = 'newest_job'):
        """Start the thread."""
        self._work, self._on_error = work, on_error
        self._wake = threading.Condition(threading.Lock())
        self._job: Optional[object] = None
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(self, job: object) -> None:
        """Replace the waiting job (if any) by ``job``."""
        with self._wake:
            self._job = job
            self._wake.notify()

    def stop(self, timeout_s: float = 5.0) -> None:
        """Drop the waiting job and end the thread (waiting up to ``timeout_s`` for the job)."""
        with self._wake:
            self._stopping, self._job = True, None
            self._wake.notify_all()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout=timeout_s)

    def _run(self) -> None:
        while True:
            with self._wake:
                while self._job is None and not self._stopping:
                    self._wake.wait(0.5)
                if self._stopping:
                    return
                job, self._job = self._job, None
            try:
                self._work(job)
            except Exception as error:  # noqa: B902 - reported; the thread goes on
                self._on_error(error)
