# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""MediaPipe FaceLandmarker as a function from an RGB frame to the 52 blendshape scores.

This is the one feature-extraction path: the node, the offline analysis and the training package
all call :meth:`BlendshapeExtractor.extract` (training in IMAGE mode on stills, the node in VIDEO
mode), so training and serving share the model file, pre-processing and score order.
"""

from dataclasses import dataclass
import os
from typing import List, Optional, Tuple

import numpy as np

from emotion_estimator.contract import BLENDSHAPE_NAMES
from emotion_estimator.model_files import (
    FETCH_HINT, find_face_model, ModelFileError, user_cache_dir)


#: MediaPipe face-mesh landmarks of the face oval: their extent is the face's box.
FACE_OVAL_LANDMARKS = (
    10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377,
    152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109)


@dataclass
class FaceObservation:
    """One face in one frame: its 52 blendshape scores and its box in pixels."""

    #: float32 scores in :data:`BLENDSHAPE_NAMES` order
    blendshapes: np.ndarray
    #: (x, y, width, height) in pixels of the frame, clipped to it
    box: Tuple[int, int, int, int]

    @property
    def area(self) -> int:
        """Return the box area in pixels (the main face is the largest)."""
        return self.box[2] * self.box[3]


class BlendshapeExtractor:
    """Run MediaPipe FaceLandmarker and return blendshape scores in :data:`BLENDSHAPE_NAMES` order.

    In ``video`` mode MediaPipe tracks the face between frames, which needs strictly increasing
    timestamps; :meth:`extract` guarantees that by moving a repeated or earlier timestamp to one
    millisecond after the previous one (the caller decides what a jump back means for its state).
    """

    def __init__(self, face_model_path: Optional[os.PathLike] = None, video: bool = True,
                 num_faces: int = 1, min_detection_confidence: float = 0.5,
                 num_threads: Optional[int] = None):
        """Load the face model (see :func:`find_face_model` for the lookup order)."""
        # Imported here so that importing the package (e.g. for its constants) stays cheap.
        import mediapipe
        from mediapipe.tasks.python import BaseOptions, vision

        self.model_path = find_face_model(face_model_path)
        self.video = video
        options = vision.FaceLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(self.model_path)),
            running_mode=vision.RunningMode.VIDEO if video else vision.RunningMode.IMAGE,
            num_faces=num_faces,
            min_face_detection_confidence=min_detection_confidence,
            output_face_blendshapes=True)
        try:
            self._landmarker = vision.FaceLandmarker.create_from_options(options)
        except (RuntimeError, ValueError) as error:
            raise ModelFileError(
                f'MediaPipe could not load the face model {self.model_path} ({error}); it may be '
                'corrupt: delete it and ' + FETCH_HINT.format(cache=user_cache_dir())) from error
        self._image_class = mediapipe.Image
        self._image_format = mediapipe.ImageFormat.SRGB
        self._last_timestamp_ms = -1

    def extract_all(self, rgb: np.ndarray, timestamp_s: float = 0.0) -> List[np.ndarray]:
        """Return one float32 array of 52 scores per face found in an RGB uint8 frame."""
        return [scores_from_categories(face)
                for face in self._detect(rgb, timestamp_s).face_blendshapes]

    def extract_faces(self, rgb: np.ndarray,
                      timestamp_s: float = 0.0) -> List[FaceObservation]:
        """Return the blendshapes and box of every face found in an RGB uint8 frame."""
        result = self._detect(rgb, timestamp_s)
        height, width = rgb.shape[:2]
        return [FaceObservation(scores_from_categories(scores), box_of(landmarks, width, height))
                for scores, landmarks in zip(result.face_blendshapes, result.face_landmarks)]

    def _detect(self, rgb: np.ndarray, timestamp_s: float):
        image = self._image_class(image_format=self._image_format,
                                  data=np.ascontiguousarray(rgb))
        if self.video:
            timestamp_ms = max(int(round(timestamp_s * 1000.0)), self._last_timestamp_ms + 1)
            self._last_timestamp_ms = timestamp_ms
            return self._landmarker.detect_for_video(image, timestamp_ms)
        return self._landmarker.detect(image)

    def extract(self, rgb: np.ndarray, timestamp_s: float = 0.0) -> Optional[np.ndarray]:
        """Return the 52 scores of the first face, or None when no face is found."""
        faces = self.extract_all(rgb, timestamp_s)
        return faces[0] if faces else None

    def close(self) -> None:
        """Release MediaPipe's graph (safe to call twice)."""
        if self._landmarker is not None:
            self._landmarker.close()
            self._landmarker = None

    def __enter__(self) -> 'BlendshapeExtractor':
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def box_of(landmarks, width: int, height: int) -> Tuple[int, int, int, int]:
    """Return the pixel box (x, y, w, h) of a face from its normalised face-oval landmarks."""
    xs = [landmarks[i].x for i in FACE_OVAL_LANDMARKS]
    ys = [landmarks[i].y for i in FACE_OVAL_LANDMARKS]
    left, right = max(0, int(min(xs) * width)), min(width, int(round(max(xs) * width)))
    top, bottom = max(0, int(min(ys) * height)), min(height, int(round(max(ys) * height)))
    return left, top, max(0, right - left), max(0, bottom - top)


def scores_from_categories(categories) -> np.ndarray:
    """Order MediaPipe's blendshape categories by :data:`BLENDSHAPE_NAMES` into a float32 array."""
    by_name = {category.category_name: category.score for category in categories}
    missing = [name for name in BLENDSHAPE_NAMES if name not in by_name]
    if missing:
        raise ValueError(f'MediaPipe returned no score for blendshapes {missing}')
    return np.array([by_name[name] for name in BLENDSHAPE_NAMES], dtype=np.float32)
