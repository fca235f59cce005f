# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Real face frames for tests: FER2013 test faces and the scikit-image astronaut in 640x480.

A plain module (not ``conftest``) so that test files can import these helpers even though
``test/`` and ``test/unit/analysis/`` each have a ``conftest.py``; every test layer
(``unit/``, ``ros/``, ``lint/``) imports it from ``test/``.
"""

from pathlib import Path
from typing import List

import cv2
import numpy as np
import pytest

from emotion_estimator.contract import shared_dir

#: Size of the frames a robot camera gives (width, height).
FRAME_WIDTH, FRAME_HEIGHT = 640, 480
#: Side of an upscaled FER2013 face inside a frame (measured: almost every face is found).
FACE_SIDE_PX = 240
#: Grey level of the background around a placed face.
BACKGROUND_GREY = 128


def fer_dir() -> Path:
    """Return the FER2013 PrivateTest folder (one sub-folder per class)."""
    return shared_dir() / 'datasets' / 'fer2013' / 'test'


def fer_faces(class_name: str, count: int) -> List[np.ndarray]:
    """Return the first ``count`` FER2013 test faces of a class (48x48 grey), in name order."""
    files = sorted((fer_dir() / class_name).glob('*.jpg'))[:count]
    if len(files) < count:
        pytest.fail(f'fewer than {count} FER2013 {class_name} faces under {fer_dir()}')
    faces = [cv2.imread(str(path), cv2.IMREAD_GRAYSCALE) for path in files]
    assert all(face is not None for face in faces)
    return faces


def face_in_frame(face: np.ndarray, side: int = FACE_SIDE_PX) -> np.ndarray:
    """Upscale a grey or BGR face crop and centre it on a grey 640x480 BGR frame."""
    if face.ndim == 2:
        face = cv2.cvtColor(face, cv2.COLOR_GRAY2BGR)
    scaled = cv2.resize(face, (side, side), interpolation=cv2.INTER_CUBIC)
    frame = np.full((FRAME_HEIGHT, FRAME_WIDTH, 3), BACKGROUND_GREY, np.uint8)
    top, left = (FRAME_HEIGHT - side) // 2, (FRAME_WIDTH - side) // 2
    frame[top:top + side, left:left + side] = scaled
    return frame


def astronaut_bgr_frame() -> np.ndarray:
    """Return scikit-image's astronaut photo (a smiling face) as a 640x480 BGR frame."""
    from skimage import data
    photo = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)
    return face_in_frame(photo, side=FRAME_HEIGHT)


#: Two people side by side in a 1280x720 frame (each photo 440 px: shared/PEERS.md's case).
SCENE_WIDTH, SCENE_HEIGHT, PHOTO_PX, SCENE_TOP = 1280, 720, 440, 140


def two_people() -> List[np.ndarray]:
    """Return two real people as 440 px BGR photos: the astronaut and a muxspace (LFW) photo."""
    from skimage import data
    astronaut = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)
    path = shared_dir() / 'datasets' / 'crossval' / 'muxspace' / 'happy' / 'AJ_Lamas_0001.jpg'
    other = cv2.imread(str(path), cv2.IMREAD_COLOR)
    assert other is not None, path
    return [cv2.resize(photo, (PHOTO_PX, PHOTO_PX), interpolation=cv2.INTER_AREA)
            for photo in (astronaut, other)]


def people_scene(photos: List[np.ndarray], lefts: List[int], top: int = SCENE_TOP,
                 hidden: tuple = ()) -> np.ndarray:
    """Place photos on a grey 1280x720 BGR frame at the given x positions (hidden: left out)."""
    frame = np.full((SCENE_HEIGHT, SCENE_WIDTH, 3), BACKGROUND_GREY, np.uint8)
    for index, (photo, left) in enumerate(zip(photos, lefts)):
        if index not in hidden:
            frame[top:top + PHOTO_PX, left:left + PHOTO_PX] = photo
    return frame


#: Side of an aligned face image as ROS4HRI's ``hri_face_detect`` publishes it (pixels).
ALIGNED_PX = 128


def aligned_faces(photos: List[np.ndarray], face_model_path: Path,
                  margin: float = 1.2) -> List[np.ndarray]:
    """Return each photo's face as a tight square BGR crop of 128 px, like ROS4HRI's ``/aligned``.

    The face is found by MediaPipe in the photo; the crop is ``margin`` times its larger side.
    """
    from emotion_estimator.blendshapes import BlendshapeExtractor
    crops = []
    with BlendshapeExtractor(face_model_path, video=False, num_faces=1) as extractor:
        for photo in photos:
            faces = extractor.extract_faces(cv2.cvtColor(photo, cv2.COLOR_BGR2RGB))
            assert faces, 'no face in the photo'
            x, y, w, h = faces[0].box
            half = margin * max(w, h) / 2.0
            cx, cy = x + w / 2.0, y + h / 2.0
            crop = photo[max(0, int(cy - half)):int(cy + half),
                         max(0, int(cx - half)):int(cx + half)]
            crops.append(cv2.resize(crop, (ALIGNED_PX, ALIGNED_PX),
                                    interpolation=cv2.INTER_AREA))
    return crops
