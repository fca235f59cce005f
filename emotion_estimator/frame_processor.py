# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""One frame through the estimator as the node uses it: stream order, main face (no ROS).

Camera frames go through :meth:`EmotionEstimator.process_faces` (every face of the frame);
ROS4HRI's aligned images of one face each through
:meth:`EmotionEstimator.process_face_image`. Not thread-safe: the node calls it under one lock.
"""

import math
from typing import Callable, Dict, List, NamedTuple, Optional, Union

import numpy as np

from emotion_estimator.estimator import EmotionEstimator, EmotionResult
from emotion_estimator.frames import FrameError
from emotion_estimator.stream_order import JUMPED_BACK, LATE, StreamOrder


class ProcessedFrame(NamedTuple):
    """What one processed frame gave."""

    #: A result per face of this frame (ROS4HRI: the one face of the image), the main face first.
    faces: List[EmotionResult]
    #: The main face's result (camera: also when no face was found), or this face's (ROS4HRI).
    result: EmotionResult
    #: Whether ``result`` is the main face's (the one on the std_msgs topics).
    main: bool
    #: A face unseen for this long is dropped from the ROS4HRI outputs (inf: ROS4HRI's list says).
    drop_after_s: float


class FrameProcessor:
    """Process frames of the camera (stream None) or of ROS4HRI faces (stream = face id).

    Args:
        estimator: Made with ``faces_from='frames'`` for the camera, ``'face_images'`` for
            ROS4HRI.
        order: The streams' stamps (kept by the node across configure and cleanup).
        warn: Called with a message when a frame cannot be used or time went back.

    """

    def __init__(self, estimator: EmotionEstimator, order: StreamOrder,
                 warn: Callable[[str], None]):
        """Start with no face; remember the model's tuned decision settings."""
        self.estimator = estimator
        self.order = order
        self._warn = warn
        self._tuned = estimator.spec.decision
        #: The face on the std_msgs topics ('' when none).
        self.main_face_id = ''

    def process(self, frame: np.ndarray, stamp_s: float,
                stream: Optional[str] = None) -> Union[str, ProcessedFrame]:
        """Process one frame; return what it gave, or why it was dropped (late, bad)."""
        order = self.order.check(stream, stamp_s)
        if order == LATE:
            return 'late'
        if order == JUMPED_BACK:
            self._warn(f'image stamp went back from {self.order.last(stream):.3f} s to '
                       f'{stamp_s:.3f} s (bag loop or clock reset?); restarting the emotion '
                       'window')
        try:
            if stream is None:
                faces = self.estimator.process_faces(frame, stamp_s)
            else:
                faces = [self.estimator.process_face_image(stream, frame, stamp_s)]
        except FrameError as error:
            self._warn(f'dropping frame: {error}')
            return 'bad'
        self.order.processed(stream, stamp_s)
        if stream is None:
            if faces:
                result, self.main_face_id = faces[0], faces[0].face_id
            else:
                result = self.estimator.no_face_result(stamp_s)
            return ProcessedFrame(faces, result, True, self.estimator.settings.face_lost_grace_s)
        # One face of ROS4HRI's: the main face is the one tracked longest.
        self.main_face_id = self.estimator.main_face_id
        return ProcessedFrame(faces, faces[0], stream == self.main_face_id, math.inf)

    def update_decision(self, values: Dict[str, float]) -> None:
        """Change decision settings; a negative value means the model's tuned setting."""
        self.estimator.update_decision(**{
            name: getattr(self._tuned, name) if value < 0 else float(value)
            for name, value in values.items()})

    def forget(self, face_ids: List[str]) -> bool:
        """Forget faces that left; return whether the main face left and none replaces it."""
        for face_id in face_ids:
            self.estimator.forget_face(face_id)
        self.order.forget(face_ids)
        main_gone = self.main_face_id in face_ids
        self.main_face_id = self.estimator.main_face_id
        return main_gone and not self.main_face_id

    def reset(self) -> None:
        """Forget every face and stream."""
        self.estimator.reset()
        self.order.clear()
        self.main_face_id = ''
