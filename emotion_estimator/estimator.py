# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The whole pipeline without ROS: frame -> blendshapes -> window -> LSTM -> steady label."""

from dataclasses import dataclass, field, replace
import os
import time
from typing import Dict, Optional

import numpy as np

from emotion_estimator.blendshapes import BlendshapeExtractor
from emotion_estimator.classifier import EmotionClassifier
from emotion_estimator.contract import ModelSpec, ModelSpecError
from emotion_estimator.decision import LabelFilter
from emotion_estimator.frames import bgr_to_rgb
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


class EmotionEstimator:
    """Estimate the emotion of the main face in a stream of BGR frames.

    Args:
        model_spec_path: ``emotion_model.json`` (default: the packaged model).
        face_model_path: MediaPipe ``face_landmarker.task`` (default: see ``find_face_model``).
        variant: TFLite variant named in the metadata (default: its ``default_variant``).
        decision: overrides of the metadata's decision settings.
        max_gap_s: frames further apart than this start a new window.
        num_threads: threads for the TFLite interpreter.

    """

    def __init__(self, model_spec_path: Optional[os.PathLike] = None,
                 face_model_path: Optional[os.PathLike] = None,
                 variant: Optional[str] = None,
                 decision: Optional[Dict[str, float]] = None,
                 max_gap_s: float = 0.5,
                 num_threads: Optional[int] = 1):
        """Load the emotion model and the face model."""
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
        self.extractor = BlendshapeExtractor(face_model_path, video=True)
        self.window = BlendshapeWindow(self.spec.window_length, max_gap_s)
        self.filter = LabelFilter(self.settings, self.spec.class_names)
        self._feature_indices = np.array(self.spec.feature_indices)
        self._last_time: Optional[float] = None

    @property
    def class_names(self):
        """Return the class names in the order of the model's output."""
        return self.spec.class_names

    def update_decision(self, **changes: float) -> None:
        """Change decision settings at run time (e.g. from a ROS parameter)."""
        self.settings = replace(self.settings, **changes)
        self.filter.settings = self.settings

    def process(self, frame_bgr: np.ndarray, time_s: float) -> EmotionResult:
        """Process one frame taken at ``time_s`` seconds.

        A time that repeats or goes back restarts the window and the label filter (a new stream).

        Raises:
            FrameError: the frame is not a non-empty uint8 HxWx3 array.

        """
        rgb = bgr_to_rgb(frame_bgr)
        restarted = False
        if self._last_time is not None and time_s <= self._last_time:
            self.reset()
            restarted = True
        self._last_time = time_s
        started = time.perf_counter()
        blendshapes = self.extractor.extract(rgb, time_s)
        mediapipe_s = time.perf_counter() - started
        if blendshapes is None:
            restarted = restarted or len(self.window) > 0  # the face was lost
            self.window.reset()
            label = self.filter.update(None, time_s)
            return EmotionResult(label, self._zero_scores(), False, time_s,
                                 window_restarted=restarted,
                                 timings={'mediapipe_s': mediapipe_s, 'model_s': 0.0})
        restarted = self.window.push(blendshapes[self._feature_indices], time_s) or restarted
        started = time.perf_counter()
        probabilities = self.classifier.predict(self.window.as_array())
        model_s = time.perf_counter() - started
        label = self.filter.update(probabilities, time_s)
        return EmotionResult(
            label=label,
            scores=dict(zip(self.spec.class_names, probabilities.tolist())),
            face_found=True, time_s=time_s,
            instant_label=self.filter.instant_label,
            blendshapes=blendshapes, window_restarted=restarted,
            timings={'mediapipe_s': mediapipe_s, 'model_s': model_s})

    def reset(self) -> None:
        """Start over: empty window, label unknown."""
        self.window.reset()
        self.filter.reset()
        self._last_time = None

    def close(self) -> None:
        """Release MediaPipe."""
        self.extractor.close()

    def __enter__(self) -> 'EmotionEstimator':
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _zero_scores(self) -> Dict[str, float]:
        return {name: 0.0 for name in self.spec.class_names}
