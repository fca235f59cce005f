# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Fixtures for the training tests: the shared FER2013 folder and face model."""

from pathlib import Path

import pytest

from emotion_estimator.contract import shared_dir
from emotion_estimator.model_files import FACE_MODEL_FILENAME


@pytest.fixture(scope='session')
def fer_root() -> Path:
    """Return the FER2013 folder of the shared data."""
    root = shared_dir() / 'datasets' / 'fer2013'
    assert root.is_dir(), f'FER2013 not found at {root}; set EMOTION_ESTIMATOR_SHARED'
    return root


@pytest.fixture(scope='session')
def face_model() -> Path:
    """Return the MediaPipe face model of the shared data."""
    path = shared_dir() / 'models' / FACE_MODEL_FILENAME
    assert path.is_file(), f'face model not found at {path}; set EMOTION_ESTIMATOR_SHARED'
    return path
