# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""One face's blendshapes over time -> resting face -> window -> TFLite LSTM -> steady label.

:class:`FacePipeline` holds what all faces share (the model, its metadata, the decision
settings); each face's own state is a :class:`FaceTrack`. Both front-ends (``front_ends``) feed
their faces through it.
"""

from dataclasses import dataclass, field, replace
import os
import time
from typing import Dict, Optional, Tuple

import numpy as np

from emotion_estimator.blendshapes import FaceObservation
from emotion_estimator.classifier import EmotionClassifier
from emotion_estimator.contract import DecisionSettings, ModelSpec, ModelSpecError
from emotion_estimator.decision import LabelFilter
from emotion_estimator.resting_face import RestingFace, RestingFacePrior, RestingFaceSettings
from emotion_estimator.tracking import Box, TrackedFace
from emotion_estimator.window import BlendshapeWindow


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
class FaceTrack(TrackedFace):
    """One tracked face with its own window, label filter and resting face."""

    window: BlendshapeWindow
    filter: LabelFilter
    resting: Optional[RestingFace]

    @property
    def settled(self) -> float:
        """Return how well the person's resting face is known (0 when the feature is off)."""
        return self.resting.settled if self.resting is not None else 0.0


class FacePipeline:
    """The emotion model and the per-face steps after MediaPipe, shared by every face.

    Made by :class:`~emotion_estimator.estimator.EmotionEstimator`, whose arguments (and their
    defaults) these are.

    Args:
        model_spec_path: ``emotion_model.json`` (None: the packaged model).
        variant: TFLite variant named in the metadata (None: its ``default_variant``).
        decision: overrides of the metadata's decision settings (None: none).
        max_gap_s: frames further apart than this start a new window.
        num_threads: threads for the TFLite interpreter.
        resting_face: learn each person's resting face (if the model was trained for it).

    Raises:
        ModelSpecError: the metadata and the TFLite model do not agree.

    """

    def __init__(self, model_spec_path: Optional[os.PathLike], *,
                 variant: Optional[str],
                 decision: Optional[Dict[str, float]],
                 max_gap_s: float,
                 num_threads: Optional[int],
                 resting_face: bool):
        """Load the emotion model and check it against its metadata."""
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
        self.settings: DecisionSettings = self.spec.decision
        if decision:
            self.settings = replace(self.settings, **decision)
        self.max_gap_s = max_gap_s
        self.resting_prior: Optional[RestingFacePrior] = None
        self.resting_settings = RestingFaceSettings()
        if resting_face and self.spec.resting_face:
            try:
                self.resting_prior = RestingFacePrior.from_dict(self.spec.resting_face['prior'])
                self.resting_settings = RestingFaceSettings.from_dict(
                    self.spec.resting_face.get('settings', {}))
            except (KeyError, ValueError, TypeError) as error:
                raise ModelSpecError(f'{self.spec.path}: bad resting_face: {error}') from None
        self._feature_indices = np.array(self.spec.feature_indices)

    def new_track(self, face_id: str, box: Box, time_s: float) -> FaceTrack:
        """Return the state of a new face: an empty window, a fresh filter and resting face."""
        resting = (RestingFace(self.resting_prior, self.resting_settings)
                   if self.resting_prior is not None else None)
        return FaceTrack(face_id, box, time_s,
                         BlendshapeWindow(self.spec.window_length, self.max_gap_s,
                                          self.spec.frame_stride),
                         LabelFilter(self.settings, self.spec.class_names), resting)

    def update_decision(self, tracks, **changes: float) -> None:
        """Change decision settings for new faces and the ``tracks`` of the faces followed."""
        self.settings = replace(self.settings, **changes)
        for track in tracks:
            track.filter.settings = self.settings

    def observe(self, track: FaceTrack, face: FaceObservation, time_s: float, restarted: bool,
                mediapipe_s: float) -> EmotionResult:
        """Add the face seen at ``time_s`` to its track; return its scores and label.

        ``restarted``: the caller restarted the stream at this frame (e.g. time went back).
        """
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
            timings={'mediapipe_s': mediapipe_s, 'model_s': model_s},
            face_id=track.face_id, box=face.box,
            resting_face_settled=track.settled)

    @staticmethod
    def missing(track: FaceTrack, time_s: float) -> None:
        """Update a face that was not seen at ``time_s``: its window restarts, its label fades."""
        track.window.reset()
        track.filter.update(None, time_s)
        if track.resting is not None:
            track.resting.face_lost(time_s)

    def no_face(self, track: Optional[FaceTrack], time_s: float, restarted: bool,
                timings: Dict[str, float]) -> EmotionResult:
        """Return the result of a frame without ``track``'s face (no track: no face yet)."""
        return EmotionResult(track.filter.label if track else 'unknown', self.zero_scores(),
                             False, time_s, window_restarted=restarted, timings=dict(timings),
                             face_id=track.face_id if track else '',
                             resting_face_settled=track.settled if track else 0.0)

    def zero_scores(self) -> Dict[str, float]:
        """Return a score of 0 for every class."""
        return {name: 0.0 for name in self.spec.class_names}
