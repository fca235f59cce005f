# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Where the faces come from: whole camera frames, or one image per face found elsewhere.

:class:`CameraFrames` finds and tracks the faces of each frame itself; :class:`FaceImages`
reads face crops that another program found and tracks under its own ids (ROS4HRI's
``/humans/faces/<id>/aligned``). Both feed each face through one :class:`FacePipeline`.
"""

import time
from typing import Dict, List, Optional, Union

import numpy as np

from emotion_estimator.blendshapes import BlendshapeExtractor, MultiFaceExtractor
from emotion_estimator.face_pipeline import EmotionResult, FacePipeline, FaceTrack
from emotion_estimator.frames import bgr_to_rgb, FrameError, still_face_to_rgb
from emotion_estimator.tracking import FaceTracker

#: ``EmotionEstimator(faces_from=...)``: camera frames, in which the estimator finds the faces.
FRAMES = 'frames'
#: ``EmotionEstimator(faces_from=...)``: face images, found and tracked by someone else.
FACE_IMAGES = 'face_images'
#: The values of ``faces_from``.
FACE_SOURCES = (FRAMES, FACE_IMAGES)

Extractor = Union[BlendshapeExtractor, MultiFaceExtractor]


class FrontEnd:
    """What both front-ends share: the pipeline, MediaPipe, the tracked faces, the main face."""

    #: The ``faces_from`` name of the front-end (``EmotionEstimator.faces_from`` reads it).
    name = ''

    def __init__(self, pipeline: FacePipeline, extractor: Extractor):
        """Start with no face."""
        self.pipeline = pipeline
        self.extractor = extractor
        self.tracker: FaceTracker[FaceTrack] = FaceTracker(
            pipeline.new_track, pipeline.resting_settings.forget_after_s)
        #: Seconds in MediaPipe for the last frame.
        self.timings: Dict[str, float] = {}
        #: Whether the main face's window restarted at the last frame without a face.
        self.main_lost = False

    def no_face_result(self, time_s: float) -> EmotionResult:
        """Return the main-face result of a frame at ``time_s`` in which no face was found."""
        return self.pipeline.no_face(self.tracker.main_track(), time_s, self.main_lost,
                                     self.timings)

    def _extract(self, rgb: np.ndarray, time_s: float):
        started = time.perf_counter()
        faces = self.extractor.extract_faces(rgb, time_s)
        self.timings = {'mediapipe_s': time.perf_counter() - started, 'model_s': 0.0}
        return faces

    def reset(self) -> None:
        """Forget every face (window, label, resting face)."""
        self.tracker.clear()
        if isinstance(self.extractor, MultiFaceExtractor):
            self.extractor.reset()


class CameraFrames(FrontEnd):
    """Find the faces of each camera frame, track them, and keep a main face."""

    name = FRAMES

    def __init__(self, pipeline: FacePipeline, extractor: Extractor):
        """Start with no face and no frame."""
        super().__init__(pipeline, extractor)
        self._last_time: Optional[float] = None

    def process_faces(self, frame_bgr: np.ndarray, time_s: float) -> List[EmotionResult]:
        """Process one frame and return a result per face found, the main face first.

        See :meth:`EmotionEstimator.process_faces`.
        """
        rgb = bgr_to_rgb(frame_bgr)
        restarted = False
        if self._last_time is not None and time_s <= self._last_time:
            self.reset()
            restarted = True
        self._last_time = time_s
        faces = self._extract(rgb, time_s)
        faces.sort(key=lambda face: face.area, reverse=True)
        tracker = self.tracker
        main = tracker.main_track()
        main_had_frames = main is not None and len(main.window) > 0
        # A face not seen for longer than the resting face is kept (no frame came, e.g. a
        # paused camera) is gone: whoever appears where it was is a new face.
        tracker.forget_unseen(time_s)
        tracks, missing = tracker.match([face.box for face in faces], time_s)
        for track in missing:
            self.pipeline.missing(track, time_s)
        # The window of the main face restarts at this frame: it was lost (or time jumped).
        self.main_lost = not tracks and (restarted or main_had_frames)
        if not tracks:
            return []
        mediapipe_s = self.timings['mediapipe_s']
        results = [self.pipeline.observe(track, face, time_s, restarted, mediapipe_s)
                   for track, face in zip(tracks, faces)]
        main_index = tracker.choose_main(tracks, [face.area for face in faces])
        results.insert(0, results.pop(main_index))
        return results

    def reset(self) -> None:
        """Start over: forget every face and the last frame's time."""
        super().reset()
        self._last_time = None


class FaceImages(FrontEnd):
    """Read one image per face, found and tracked by someone else under its own id."""

    name = FACE_IMAGES

    def process_face_image(self, face_id: str, face_bgr: np.ndarray,
                           time_s: float) -> EmotionResult:
        """Process one image of one face; see :meth:`EmotionEstimator.process_face_image`."""
        if not face_id:
            raise ValueError('face_id must be a non-empty string')
        if not isinstance(face_bgr, np.ndarray):
            raise FrameError(f'face image must be a numpy array, got {type(face_bgr).__name__}')
        rgb = still_face_to_rgb(face_bgr, self.pipeline.spec.preprocessing)
        tracker = self.tracker
        track = tracker.tracks.get(face_id)
        restarted = track is not None and time_s <= track.last_seen_s
        # Unseen for longer than the forget time: the id's label and resting face start over.
        if restarted or (track is not None and tracker.forgotten(track, time_s)):
            tracker.discard(face_id)
            track = None
        faces = self._extract(rgb, time_s)
        if track is None:
            track = tracker.add((0, 0, 0, 0), time_s, face_id)
        if tracker.main_id not in tracker.tracks:
            tracker.main_id = face_id
        if not faces:
            self.pipeline.missing(track, time_s)
            return self.pipeline.no_face(track, time_s, restarted, self.timings)
        result = self.pipeline.observe(track, faces[0], time_s, restarted,
                                       self.timings['mediapipe_s'])
        result.box = None
        return result
