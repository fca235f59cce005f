# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The whole pipeline without ROS: frame -> faces -> per-face window -> LSTM -> steady label.

Every face has its own state (:class:`FaceTrack`): an id that stays while the face moves a
little from frame to frame or is hidden for less than the forget time, its frame window, its
label filter and its resting-face estimate.

With ``max_faces=1`` the faces come from one FaceLandmarker on the whole frame (VIDEO mode, as
before there was more than one face); with more, from :class:`MultiFaceExtractor`, a separate
face detector and FaceLandmarker per face crop (see ``benchmarks/results/faces.md``).

Where another program finds and tracks the faces (ROS4HRI's ``hri_face_detect`` publishes each
face's aligned crop under its own id), ``faces_from='face_images'`` makes the estimator read one
face image at a time under the caller's id (:meth:`EmotionEstimator.process_face_image`),
through the same pre-processing as the FER2013 crops the model was trained on.
"""

from dataclasses import dataclass, field, replace
import itertools
import os
import time
from typing import Dict, List, Optional, Tuple

import numpy as np

from emotion_estimator.blendshapes import (
    BlendshapeExtractor, FaceObservation, MultiFaceExtractor)
from emotion_estimator.classifier import EmotionClassifier
from emotion_estimator.contract import ModelSpec, ModelSpecError
from emotion_estimator.decision import LabelFilter
from emotion_estimator.frames import bgr_to_rgb, FrameError, still_face_to_rgb
from emotion_estimator.resting_face import RestingFace, RestingFacePrior, RestingFaceSettings
from emotion_estimator.window import BlendshapeWindow


#: The main face keeps its place while its box area is at least this share of the largest.
MAIN_FACE_KEEP_RATIO = 0.8


@dataclass
class EmotionResult:
    """What :meth:`EmotionEstimator.process` returns for one frame."""

    label: str
    scores: Dict[str, float]
    face_found: bool
    time_s: float
    #: The label of this frame alone (no temporal filter); 'unknown' without a face.
    instant_label: str = 'unknown'
    #: All 52 blendshape scores of the face (BLENDSHAPE_NAMES order), None without a face.
    blendshapes: Optional[np.ndarray] = None
    #: True when the window was restarted at this frame (face lost, gap or time jump back).
    window_restarted: bool = False
    #: Seconds spent in MediaPipe and in the emotion model for this frame.
    timings: Dict[str, float] = field(default_factory=dict)
    #: The face's id, kept while it is tracked ('' when no face has been seen).
    face_id: str = ''
    #: The face's box in pixels (x, y, width, height); None without a face in this frame.
    box: Optional[Tuple[int, int, int, int]] = None
    #: How well the person's resting face is known: 0 = not at all (a new face, or the feature
    #: is off), 1 = after ``settle_s`` seconds of the face (see ``resting_face.py``).
    resting_face_settled: float = 0.0


@dataclass
class FaceTrack:
    """The state of one tracked face: its id, window, label filter and resting face."""

    face_id: str
    window: BlendshapeWindow
    filter: LabelFilter
    resting: Optional[RestingFace]
    box: Tuple[int, int, int, int]
    last_seen_s: float

    def matches(self, box: Tuple[int, int, int, int]) -> float:
        """Return how far ``box`` is from this face's last box, in face sizes (< 1: same face)."""
        x, y, w, h = self.box
        nx, ny, nw, nh = box
        distance = np.hypot((nx + nw / 2) - (x + w / 2), (ny + nh / 2) - (y + h / 2))
        return float(distance / max(w, h, nw, nh, 1))


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
    FACE_SOURCES = ('frames', 'face_images')

    def __init__(self, model_spec_path: Optional[os.PathLike] = None,
                 face_model_path: Optional[os.PathLike] = None,
                 variant: Optional[str] = None,
                 decision: Optional[Dict[str, float]] = None,
                 max_gap_s: float = 0.5,
                 num_threads: Optional[int] = 1,
                 resting_face: bool = True,
                 max_faces: int = 1,
                 faces_from: str = 'frames'):
        """Load the emotion model and the face model."""
        if faces_from not in self.FACE_SOURCES:
            raise ValueError(f'faces_from must be one of {self.FACE_SOURCES}, got {faces_from!r}')
        self.spec = ModelSpec.load(model_spec_path)
        self.classifier = EmotionClassifier(self.spec.model_file(variant), num_threads=num_threads)
        if self.classifier.input_shape[1:] != (self.spec.window_length,
                                               len(self.spec.feature_names)):
            raise ModelSpecError(
                f'{self.classifier.model_path} reads {self.classifier.input_shape[1:]} but '
                f'{self.spec.path} says window {self.spec.window_length} x '
                f'{len(self.spec.feature_names)} features')
        if self.classifier.num_classes != len(self.spec.class_names):
            raise ModelSpecError(
                f'{self.classifier.model_path} returns {self.classifier.num_classes} scores but '
                f'{self.spec.path} names {len(self.spec.class_names)} classes')
        self.settings = self.spec.decision
        if decision:
            self.settings = replace(self.settings, **decision)
        if max_faces < 1:
            raise ValueError(f'max_faces must be >= 1, got {max_faces}')
        self.max_gap_s = max_gap_s
        self.max_faces = max_faces
        self.resting_prior: Optional[RestingFacePrior] = None
        self.resting_settings = RestingFaceSettings()
        if resting_face and self.spec.resting_face:
            try:
                self.resting_prior = RestingFacePrior.from_dict(self.spec.resting_face['prior'])
                self.resting_settings = RestingFaceSettings.from_dict(
                    self.spec.resting_face.get('settings', {}))
            except (KeyError, ValueError, TypeError) as error:
                raise ModelSpecError(f'{self.spec.path}: bad resting_face: {error}') from None
        self.faces_from = faces_from
        if faces_from == 'face_images':
            # One face per image, and the images of different faces interleave: IMAGE mode.
            self.extractor = BlendshapeExtractor(face_model_path, video=False, num_faces=1)
        elif max_faces == 1:
            self.extractor = BlendshapeExtractor(face_model_path, video=True, num_faces=1)
        else:
            self.extractor = MultiFaceExtractor(face_model_path, max_faces=max_faces,
                                                num_threads=num_threads or 1)
        self._feature_indices = np.array(self.spec.feature_indices)
        self._ids = itertools.count(1)
        self.tracks: Dict[str, FaceTrack] = {}
        self._main_id: Optional[str] = None
        self._main_lost = False
        self._timings: Dict[str, float] = {}
        self._last_time: Optional[float] = None

    @property
    def resting_face_enabled(self) -> bool:
        """Return whether expressions are read relative to each person's resting face."""
        return self.resting_prior is not None

    @property
    def window(self) -> BlendshapeWindow:
        """Return the frame window of the main face (an empty one when no face is tracked)."""
        track = self.tracks.get(self._main_id)
        return track.window if track else BlendshapeWindow(self.spec.window_length,
                                                           self.max_gap_s)

    @property
    def filter(self) -> LabelFilter:
        """Return the label filter of the main face (a fresh one when no face is tracked)."""
        track = self.tracks.get(self._main_id)
        return track.filter if track else LabelFilter(self.settings, self.spec.class_names)

    @property
    def class_names(self):
        """Return the class names in the order of the model's output."""
        return self.spec.class_names

    def update_decision(self, **changes: float) -> None:
        """Change decision settings at run time (e.g. from a ROS parameter)."""
        self.settings = replace(self.settings, **changes)
        for track in self.tracks.values():
            track.filter.settings = self.settings

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
        return results[0] if results else self.no_face_result(time_s)

    def no_face_result(self, time_s: float) -> EmotionResult:
        """Return the main-face result of a frame at ``time_s`` in which no face was found.

        It is what :meth:`process` returns then: the last main face's id and its label for
        the label filter's grace time, scores all 0. Call it right after
        :meth:`process_faces` returned no face.
        """
        track = self.tracks.get(self._main_id)
        return EmotionResult(track.filter.label if track else 'unknown', self._zero_scores(),
                             False, time_s, window_restarted=self._main_lost,
                             timings=dict(self._timings),
                             face_id=track.face_id if track else '',
                             resting_face_settled=self._settled(track))

    def process_faces(self, frame_bgr: np.ndarray, time_s: float) -> List[EmotionResult]:
        """Process one frame and return a result per face found, the main face first.

        The main face is the largest, except that the previous main face stays main while its
        box is at least :data:`MAIN_FACE_KEEP_RATIO` of the largest one's; the others follow
        by size.

        Raises:
            FrameError: the frame is not a non-empty uint8 HxWx3 array.
            RuntimeError: the estimator reads face images (``faces_from='face_images'``).

        """
        if self.faces_from != 'frames':
            raise RuntimeError('this estimator reads face images: use process_face_image')
        rgb = bgr_to_rgb(frame_bgr)
        restarted = False
        if self._last_time is not None and time_s <= self._last_time:
            self.reset()
            restarted = True
        self._last_time = time_s
        started = time.perf_counter()
        faces = self.extractor.extract_faces(rgb, time_s)
        self._timings = {'mediapipe_s': time.perf_counter() - started, 'model_s': 0.0}
        faces.sort(key=lambda face: face.area, reverse=True)
        main = self.tracks.get(self._main_id)
        main_had_frames = main is not None and len(main.window) > 0
        # A face not seen for longer than the resting face is kept (no frame came, e.g. a
        # paused camera) is gone: whoever appears where it was is a new face.
        for face_id, track in list(self.tracks.items()):
            if self._forgotten(track, time_s):
                del self.tracks[face_id]
        matched = self._match(faces, time_s)
        seen = {track.face_id for track, _ in matched}
        for face_id in list(self.tracks):
            if face_id not in seen:
                self._face_missing(self.tracks[face_id], time_s)
        # The window of the main face restarts at this frame: it was lost (or time jumped).
        self._main_lost = not matched and (restarted or main_had_frames)
        if not matched:
            return []
        results = [self._process_face(track, face, time_s, restarted)
                   for track, face in matched]
        # The main face stays main while it is nearly as large as the largest, so that two
        # people of about the same size do not make the main-face label flicker between them.
        main_index = 0
        for index, (track, face) in enumerate(matched):
            if track.face_id == self._main_id and \
                    face.area >= MAIN_FACE_KEEP_RATIO * matched[0][1].area:
                main_index = index
        results.insert(0, results.pop(main_index))
        self._main_id = results[0].face_id
        return results

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
        if self.faces_from != 'face_images':
            raise RuntimeError('this estimator reads camera frames: create it with '
                               'faces_from="face_images" to read face images')
        if not face_id:
            raise ValueError('face_id must be a non-empty string')
        if not isinstance(face_bgr, np.ndarray):
            raise FrameError(f'face image must be a numpy array, got {type(face_bgr).__name__}')
        rgb = still_face_to_rgb(face_bgr, self.spec.preprocessing)
        track = self.tracks.get(face_id)
        restarted = track is not None and time_s <= track.last_seen_s
        # Unseen for longer than the forget time: the id's label and resting face start over.
        if restarted or (track is not None and self._forgotten(track, time_s)):
            del self.tracks[face_id]
            track = None
        started = time.perf_counter()
        faces = self.extractor.extract_faces(rgb, time_s)
        self._timings = {'mediapipe_s': time.perf_counter() - started, 'model_s': 0.0}
        if track is None:
            track = self._new_track((0, 0, 0, 0), time_s, face_id)
        if self._main_id not in self.tracks:
            self._main_id = face_id
        if not faces:
            track.window.reset()
            track.filter.update(None, time_s)
            if track.resting is not None:
                track.resting.face_lost(time_s)
            return EmotionResult(track.filter.label, self._zero_scores(), False, time_s,
                                 window_restarted=restarted, timings=dict(self._timings),
                                 face_id=face_id, resting_face_settled=self._settled(track))
        result = self._process_face(track, faces[0], time_s, restarted)
        result.box = None
        return result

    @property
    def main_face_id(self) -> str:
        """Return the id of the main face ('' when no face is tracked)."""
        return self._main_id if self._main_id in self.tracks else ''

    def forget_face(self, face_id: str) -> None:
        """Forget one face (window, label, resting face), e.g. when its tracker dropped it.

        With face images the main face then becomes the next one seen first; unknown ids
        are ignored.
        """
        self.tracks.pop(face_id, None)
        if face_id == self._main_id:
            self._main_id = next(iter(self.tracks), None)

    def _match(self, faces: List[FaceObservation],
               time_s: float) -> List[Tuple[FaceTrack, FaceObservation]]:
        """Give every face the track it continues or a new one; return them in ``faces`` order.

        Pairs closer than a face size are taken nearest first (for the few faces in a frame
        this is the assignment an optimal matcher finds unless two people swap places within a
        frame), so a face next to another does not take its neighbour's id.
        """
        pairs = sorted((track.matches(face.box), index, track.face_id)
                       for index, face in enumerate(faces) for track in self.tracks.values())
        assigned: Dict[int, FaceTrack] = {}
        taken = set()
        for distance, index, face_id in pairs:
            if distance >= 1.0:
                break
            if index not in assigned and face_id not in taken:
                assigned[index] = self.tracks[face_id]
                taken.add(face_id)
        matched = []
        for index, face in enumerate(faces):
            track = assigned.get(index) or self._new_track(face.box, time_s)
            matched.append((track, face))
        return matched

    def _new_track(self, box: Tuple[int, int, int, int], time_s: float,
                   face_id: Optional[str] = None) -> FaceTrack:
        face_id = face_id or f'face{next(self._ids)}'
        resting = (RestingFace(self.resting_prior, self.resting_settings)
                   if self.resting_prior is not None else None)
        track = FaceTrack(face_id, BlendshapeWindow(self.spec.window_length, self.max_gap_s),
                          LabelFilter(self.settings, self.spec.class_names), resting,
                          box, time_s)
        self.tracks[face_id] = track
        return track

    def _face_missing(self, track: FaceTrack, time_s: float) -> None:
        """Update a track whose face is not in this frame (it is dropped once forgotten)."""
        track.window.reset()
        track.filter.update(None, time_s)
        if track.resting is not None:
            track.resting.face_lost(time_s)

    def _forgotten(self, track: FaceTrack, time_s: float) -> bool:
        """Return whether ``track``'s face has been unseen for longer than the forget time."""
        return time_s - track.last_seen_s > self.resting_settings.forget_after_s

    def _process_face(self, track: FaceTrack, face: FaceObservation, time_s: float,
                      restarted: bool) -> EmotionResult:
        blendshapes = face.blendshapes
        if track.resting is not None:
            features = track.resting.update(blendshapes, time_s)
        else:
            features = blendshapes
        track.box, track.last_seen_s = face.box, time_s
        restarted = track.window.push(features[self._feature_indices], time_s) or restarted
        started = time.perf_counter()
        probabilities = self.classifier.predict(track.window.as_array())
        model_s = time.perf_counter() - started
        label = track.filter.update(probabilities, time_s)
        return EmotionResult(
            label=label,
            scores=dict(zip(self.spec.class_names, probabilities.tolist())),
            face_found=True, time_s=time_s,
            instant_label=track.filter.instant_label,
            blendshapes=blendshapes, window_restarted=restarted,
            timings={'mediapipe_s': self._timings['mediapipe_s'], 'model_s': model_s},
            face_id=track.face_id, box=face.box,
            resting_face_settled=self._settled(track))

    @staticmethod
    def _settled(track: Optional[FaceTrack]) -> float:
        return track.resting.settled if track is not None and track.resting is not None else 0.0

    def reset(self) -> None:
        """Start over: forget every face (window, label, resting face); the label is unknown."""
        self.tracks.clear()
        self._main_id = None
        self._last_time = None
        if isinstance(self.extractor, MultiFaceExtractor):
            self.extractor.reset()

    def close(self) -> None:
        """Release MediaPipe."""
        self.extractor.close()

    def __enter__(self) -> 'EmotionEstimator':
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _zero_scores(self) -> Dict[str, float]:
        return {name: 0.0 for name in self.spec.class_names}
