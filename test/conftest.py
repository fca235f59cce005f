# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Shared fixtures: the read-only shared data, the face model and real face frames.

The tests come in layers: ``unit/`` (the ROS-free runtime and the analysis, no rclpy),
``ros/`` (a real ROS 2 graph: the node in process or launched, the colcon workspace, with their
probes and harnesses beside them) and ``lint/`` (linters, packaging, the README and docs being
true). Helpers used by several layers (``face_frames.py``, ``runtime_requirements.py``) stay here.

The shared folder (datasets, face model) is ``../shared`` next to the repository, or the folder
named by ``$EMOTION_ESTIMATOR_SHARED``; it is never copied into the repository.
"""

import os
from pathlib import Path
from typing import Callable

from face_frames import astronaut_bgr_frame, face_in_frame, fer_faces
import numpy as np
import pytest

from emotion_estimator.contract import shared_dir as contract_shared_dir
from emotion_estimator.model_files import FACE_MODEL_ENV, FACE_MODEL_FILENAME

# A ROS 2 domain of its own for each test session (node tests start real nodes), so that test
# runs in parallel on one machine do not hear each other; only this host takes part in discovery.
# Domains 10-49 are the in-process tests', 50-54 test_ros_faces.py's, 55-59 the other ROS
# workspace tests', benchmarks/bench_node.py uses 60-99: all within 0-101, because
# Fast DDS ports of higher domains fall into Linux's ephemeral port range, where a port taken by
# any other socket silently cuts the node off (seen here as flaky node tests).
os.environ.setdefault('ROS_DOMAIN_ID', str(10 + os.getpid() % 40))
os.environ.setdefault('ROS_AUTOMATIC_DISCOVERY_RANGE', 'LOCALHOST')


@pytest.fixture(scope='session')
def shared_dir() -> Path:
    """Return the shared data folder, failing the test where it is not available."""
    path = contract_shared_dir()
    if not path.is_dir():
        pytest.fail(f'shared data folder {path} not found (set EMOTION_ESTIMATOR_SHARED)')
    return path


@pytest.fixture(scope='session')
def face_model_path(shared_dir: Path) -> Path:
    """Return the shared MediaPipe face model and export it in $EMOTION_ESTIMATOR_FACE_MODEL."""
    path = shared_dir / 'models' / FACE_MODEL_FILENAME
    if not path.is_file():
        pytest.fail(f'face model {path} not found')
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
    """Return the packaged emotion_model.json, failing the test without it.

    ``$EMOTION_ESTIMATOR_TEST_MODEL_SPEC`` may name another metadata file (e.g. a model still in
    training) to test against.
    """
    from emotion_estimator.contract import default_model_spec_path
    override = os.environ.get('EMOTION_ESTIMATOR_TEST_MODEL_SPEC')
    path = Path(override) if override else default_model_spec_path()
    if not path.is_file():
        pytest.fail(f'emotion model metadata {path} not found (the model is not built yet)')
    return path
