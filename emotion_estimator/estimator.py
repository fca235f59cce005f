# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The whole pipeline without ROS: frame -> faces -> per-face window -> LSTM -> steady label.

:class:`EmotionEstimator` is the library's one entry point. It loads the models and hands the
frames to a front-end (``front_ends``: camera frames, or face images found elsewhere), which
tracks the faces (``tracking``) and feeds each through the per-face pipeline
(``face_pipeline``).
"""

import os
from typing import Dict, List, Optional

import numpy as np

from emotion_estimator.blendshapes import BlendshapeExtractor, MultiFaceExtractor
from emotion_estimator.classifier import EmotionClassifier
from emotion_estimator.contract import DecisionSettings, ModelSpec
from emotion_estimator.decision import LabelFilter
from emotion_estimator.face_pipeline import EmotionResult, FacePipeline, FaceTrack
from emotion_estimator.front_ends import (
    CameraFrames, FACE_IMAGES, FACE_SOURCES, FaceImages, FRAMES, FrontEnd)
from emotion_estimator.resting_face import RestingFacePrior, RestingFaceSettings
from emotion_estimator.tracking import MAIN_FACE_KEEP_RATIO
from emotion_estimator.window import BlendshapeWindow

__all__ = ['EmotionEstimator', 'EmotionResult', 'FaceTrack', 'MAIN_FACE_KEEP_RATIO']


class EmotionEstimator:
    """Estimate the emotion of every face (up to ``max_faces``) in a stream of BGR frames.

    :meth:`process` returns the main face (the largest); :meth:`process_faces` returns all.

    Args:
        model_spec_path: ``emotion_model.json`` (default: the packaged model).
        face_model_path: MediaPipe ``face_landmarker.task`` (default: see ``find_face_model``).
        variant: TFLite variant named in the metadata (default: its ``default_variant``).
        decision: overrides of the metadata's decision settings.
        max_gap_s: frames further apart than this start a new window.
        num_threads: threads for the TFLite interpreter.
        resting_face: learn each person's resting face and read expressions relative to it
            (needs a model trained for it: ``resting_face`` in its metadata).
        max_faces: faces tracked at once; above 1 a separate face detector finds them and
            FaceLandmarker runs per face (about one FaceLandmarker run per extra face).
        faces_from: ``'frames'`` (camera frames: :meth:`process` and :meth:`process_faces`
            find the faces) or ``'face_images'`` (one image per face, found and tracked by
            someone else: :meth:`process_face_image`).

    """

    #: The values of ``faces_from``.
    FACE_SOURCES = FACE_SOURCES

    def __init__(self, model_spec_path: Optional[os.PathLike] = None,
                 face_model_path: Optional[os.PathLike] = None,
                 variant: Optional[str] = None,
                 decision: Optional[Dict[str, float]] = None,
                 max_gap_s: float = 0.5,
                 num_threads: Optional[int] = 1,
                 resting_face: bool = True,
                 max_faces: int = 1,
                 faces_from: str = FRAMES):
        """Load the emotion model and the face model."""
        if faces_from not in FACE_SOURCES:
            raise ValueError(f'faces_from must be one of {FACE_SOURCES}, got {faces_from!r}')
        self.pipeline = FacePipeline(model_spec_path, variant=variant, decision=decision,
                                     max_gap_s=max_gap_s, num_threads=num_threads,
                                     resting_face=resting_face)
        if max_faces < 1:
            raise ValueError(f'max_faces must be >= 1, got {max_faces}')
        self.max_faces = max_faces
        if faces_from == FACE_IMAGES:
            # One face per image, and the images of different faces interleave: IMAGE mode.
            self._front_end: FrontEnd = FaceImages(
                self.pipeline, BlendshapeExtractor(face_model_path, video=False, num_faces=1))
        elif max_faces == 1:
            self._front_end = CameraFrames(
                self.pipeline, BlendshapeExtractor(face_model_path, video=True, num_faces=1))
        else:
            self._front_end = CameraFrames(
                self.pipeline, MultiFaceExtractor(face_model_path, max_faces=max_faces,
                                                  num_threads=num_threads or 1))

    # ------------------------------------------------------------------ state, read-only
    @property
    def faces_from(self) -> str:
        """Return where the faces come from: ``'frames'`` or ``'face_images'``."""
        return self._front_end.name

    @property
    def spec(self) -> ModelSpec:
        """Return the model's metadata (``emotion_model.json``)."""
        return self.pipeline.spec

    @property
    def classifier(self) -> EmotionClassifier:
        """Return the TFLite emotion model."""
        return self.pipeline.classifier

    @property
    def max_gap_s(self) -> float:
        """Return the gap (s) between frames above which a face's window starts over."""
        return self.pipeline.max_gap_s

    @property
    def resting_prior(self) -> Optional[RestingFacePrior]:
        """Return the model's resting-face prior (None: the resting face is off)."""
        return self.pipeline.resting_prior

    @property
    def resting_settings(self) -> RestingFaceSettings:
        """Return the resting-face settings (its ``forget_after_s`` is also the tracker's)."""
        return self.pipeline.resting_settings

    @property
    def settings(self) -> DecisionSettings:
        """Return the decision settings in use (see :meth:`update_decision`)."""
        return self.pipeline.settings

    @property
    def extractor(self):
        """Return MediaPipe's extractor of the faces' blendshapes."""
        return self._front_end.extractor

    @extractor.setter
    def extractor(self, extractor) -> None:
        self._front_end.extractor = extractor

    @property
    def tracks(self) -> Dict[str, FaceTrack]:
        """Return the tracked faces by id (each: window, label filter, resting face)."""
        return self._front_end.tracker.tracks

    @property
    def resting_face_enabled(self) -> bool:
        """Return whether expressions are read relative to each person's resting face."""
        return self.resting_prior is not None

    @property
    def window(self) -> BlendshapeWindow:
        """Return the frame window of the main face (an empty one when no face is tracked)."""
        track = self._front_end.tracker.main_track()
        return track.window if track else BlendshapeWindow(
            self.spec.window_length, self.max_gap_s, self.spec.frame_stride)

    @property
    def filter(self) -> LabelFilter:
        """Return the label filter of the main face (a fresh one when no face is tracked)."""
        track = self._front_end.tracker.main_track()
        return track.filter if track else LabelFilter(self.settings, self.spec.class_names)

    @property
    def class_names(self):
        """Return the class names in the order of the model's output."""
        return self.spec.class_names

    @property
    def main_face_id(self) -> str:
        """Return the id of the main face ('' when no face is tracked)."""
        return self._front_end.tracker.main_face_id

    def smoothed_scores(self, face_id: str) -> Optional[np.ndarray]:
        """Return a face's smoothed ``[happy, sad, unknown]`` scores (None: no such face yet).

        They are what its label filter decides on; read them right after the frame that
        updated them (under the same lock, if threads share the estimator).
        """
        track = self.tracks.get(face_id)
        if track is None or track.filter.smoothed is None:
            return None
        return np.array(track.filter.smoothed, dtype=np.float64)

    # ------------------------------------------------------------------ processing
    def update_decision(self, **changes: float) -> None:
        """Change decision settings at run time (e.g. from a ROS parameter)."""
        self.pipeline.update_decision(self.tracks.values(), **changes)

    def process(self, frame_bgr: np.ndarray, time_s: float) -> EmotionResult:
        """Process one frame taken at ``time_s`` seconds and return the main face.

        The main face is the largest one, kept while another is not clearly larger (see
        :meth:`process_faces`).

        Without a face the result keeps the last main face's id and its label for the label
        filter's grace time. A time that repeats or goes back restarts every face (a new
        stream).

        Raises:
            FrameError: the frame is not a non-empty uint8 HxWx3 array.

        """
        results = self.process_faces(frame_bgr, time_s)
        return results[0] if results else self._front_end.no_face_result(time_s)

    def no_face_result(self, time_s: float) -> EmotionResult:
        """Return the main-face result of a frame at ``time_s`` in which no face was found.

        It is what :meth:`process` returns then: the last main face's id and its label for
        the label filter's grace time, scores all 0. Call it right after
        :meth:`process_faces` returned no face.
        """
        return self._front_end.no_face_result(time_s)

    def process_faces(self, frame_bgr: np.ndarray, time_s: float) -> List[EmotionResult]:
        """Process one frame and return a result per face found, the main face first.

        The main face is the largest, except that the previous main face stays main while its
        box is at least :data:`MAIN_FACE_KEEP_RATIO` of the largest one's; the others follow
        by size.

        Raises:
            FrameError: the frame is not a non-empty uint8 HxWx3 array.
            RuntimeError: the estimator reads face images (``faces_from='face_images'``).

        """
        front_end = self._front_end
        if not isinstance(front_end, CameraFrames):
            raise RuntimeError('this estimator reads face images: use process_face_image')
        return front_end.process_faces(frame_bgr, time_s)

    def process_face_image(self, face_id: str, face_bgr: np.ndarray,
                           time_s: float) -> EmotionResult:
        """Process one image of one face, found and tracked by someone else under ``face_id``.

        The image is a crop of the face (e.g. ROS4HRI's ``/humans/faces/<id>/aligned``, grey
        or BGR): it goes through :func:`~emotion_estimator.frames.still_face_to_rgb`, the
        pre-processing of the FER2013 crops the model was trained on. Each id has its own
        window, label filter and resting face; a time that repeats or goes back restarts that
        face only. When no face is found in the image the face counts as not seen at
        ``time_s`` (its label goes to unknown after the grace time) and the result has
        ``face_found`` False. Forget a face that has left with :meth:`forget_face`. The main
        face (:attr:`main_face_id`) is the one seen first among those still tracked.
        ``box`` is None: the image is the face.

        Raises:
            FrameError: the image is not a non-empty uint8 HxW or HxWx3 array.
            RuntimeError: the estimator reads camera frames (``faces_from='frames'``).
            ValueError: ``face_id`` is empty.

        """
        front_end = self._front_end
        if not isinstance(front_end, FaceImages):
            raise RuntimeError('this estimator reads camera frames: create it with '
                               'faces_from="face_images" to read face images')
        return front_end.process_face_image(face_id, face_bgr, time_s)

    def forget_face(self, face_id: str) -> None:
        """Forget one face (window, label, resting face), e.g. when its tracker dropped it.

        With face images the main face then becomes the next one seen first; unknown ids
        are ignored.
        """
        self._front_end.tracker.forget(face_id)

    def reset(self) -> None:
        """Start over: forget every face (window, label, resting face); the label is unknown."""
        self._front_end.reset()

    def close(self) -> None:
        """Release MediaPipe."""
        self._front_end.extractor.close()

    def __enter__(self) -> 'EmotionEstimator':
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
