# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""MediaPipe FaceLandmarker as a function from an RGB frame to the 52 blendshape scores.

This is the one feature-extraction path: the node, the offline analysis and the training package
all call :meth:`BlendshapeExtractor.extract` (training in IMAGE mode on stills, the node in VIDEO
mode), so training and serving share the model file, pre-processing and score order.
"""

import os
from typing import List, Optional

import numpy as np

from emotion_estimator.contract import BLENDSHAPE_NAMES
from emotion_estimator.model_files import (
    FETCH_HINT, find_face_model, ModelFileError, user_cache_dir)


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
        image = self._image_class(image_format=self._image_format,
                                  data=np.ascontiguousarray(rgb))
        if self.video:
            timestamp_ms = max(int(round(timestamp_s * 1000.0)), self._last_timestamp_ms + 1)
            self._last_timestamp_ms = timestamp_ms
            result = self._landmarker.detect_for_video(image, timestamp_ms)
        else:
            result = self._landmarker.detect(image)
        return [scores_from_categories(face) for face in result.face_blendshapes]

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


def scores_from_categories(categories) -> np.ndarray:
    """Order MediaPipe's blendshape categories by :data:`BLENDSHAPE_NAMES` into a float32 array."""
    by_name = {category.category_name: category.score for category in categories}
    missing = [name for name in BLENDSHAPE_NAMES if name not in by_name]
    if missing:
        raise ValueError(f'MediaPipe returned no score for blendshapes {missing}')
    return np.array([by_name[name] for name in BLENDSHAPE_NAMES], dtype=np.float32)
