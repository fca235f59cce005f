# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Shared fixtures: the read-only shared data, the face model and real face frames.

The shared folder (datasets, face model) is ``../shared`` next to the repository, or the folder
named by ``$EMOTION_ESTIMATOR_SHARED``; it is never copied into the repository.
"""

import os
from pathlib import Path
from typing import Callable, List

import cv2
import numpy as np
import pytest

from emotion_estimator.contract import shared_dir as contract_shared_dir
from emotion_estimator.model_files import FACE_MODEL_ENV, FACE_MODEL_FILENAME

#: Size of the frames a robot camera gives (width, height).
FRAME_WIDTH, FRAME_HEIGHT = 640, 480
#: Side of an upscaled FER2013 face inside a frame (measured: almost every face is found).
FACE_SIDE_PX = 240
#: Grey level of the background around a placed face.
BACKGROUND_GREY = 128

# A ROS 2 domain of its own for each test session (node tests start real nodes), so that test
# runs in parallel on one machine do not hear each other; only this host takes part in discovery.
os.environ.setdefault('ROS_DOMAIN_ID', str(101 + os.getpid() % 100))
os.environ.setdefault('ROS_AUTOMATIC_DISCOVERY_RANGE', 'LOCALHOST')


def fer_dir() -> Path:
    """Return the FER2013 PrivateTest folder (one sub-folder per class)."""
    return contract_shared_dir() / 'datasets' / 'fer2013' / 'test'


def fer_faces(class_name: str, count: int) -> List[np.ndarray]:
    """Return the first ``count`` FER2013 test faces of a class (48x48 grey), in name order."""
    files = sorted((fer_dir() / class_name).glob('*.jpg'))[:count]
    if len(files) < count:
        pytest.skip(f'fewer than {count} FER2013 {class_name} faces under {fer_dir()}')
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


@pytest.fixture(scope='session')
def shared_dir() -> Path:
    """Return the shared data folder, skipping the test where it is not available."""
    path = contract_shared_dir()
    if not path.is_dir():
        pytest.skip(f'shared data folder {path} not found (set EMOTION_ESTIMATOR_SHARED)')
    return path


@pytest.fixture(scope='session')
def face_model_path(shared_dir: Path) -> Path:
    """Return the shared MediaPipe face model and export it in $EMOTION_ESTIMATOR_FACE_MODEL."""
    path = shared_dir / 'models' / FACE_MODEL_FILENAME
    if not path.is_file():
        pytest.skip(f'face model {path} not found')
    previous = os.environ.get(FACE_MODEL_ENV)
    os.environ[FACE_MODEL_ENV] = str(path)
    yield path
    if previous is None:
        os.environ.pop(FACE_MODEL_ENV, None)
    else:
        os.environ[FACE_MODEL_ENV] = previous


@pytest.fixture(scope='session')
def astronaut_frame() -> np.ndarray:
    """Return the astronaut photo as a 640x480 BGR frame (read-only)."""
    frame = astronaut_bgr_frame()
    frame.setflags(write=False)
    return frame


@pytest.fixture(scope='session')
def fer_frame(shared_dir: Path) -> Callable[[str, int], np.ndarray]:
    """Return a function ``(class_name, index) -> 640x480 BGR frame`` of a FER2013 test face."""
    def make(class_name: str, index: int = 0) -> np.ndarray:
        return face_in_frame(fer_faces(class_name, index + 1)[index])
    return make


@pytest.fixture(scope='session')
def emotion_model_spec(face_model_path: Path) -> Path:
    """Return the packaged emotion_model.json, skipping the test until the model is built.

    ``$EMOTION_ESTIMATOR_TEST_MODEL_SPEC`` may name another metadata file (e.g. a model still in
    training) to test against.
    """
    from emotion_estimator.contract import default_model_spec_path
    override = os.environ.get('EMOTION_ESTIMATOR_TEST_MODEL_SPEC')
    path = Path(override) if override else default_model_spec_path()
    if not path.is_file():
        pytest.skip(f'emotion model metadata {path} not found (the model is not built yet)')
    return path
