# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Real inputs for the analysis tests: FER2013 happy faces then sad faces, as files of each kind.

The faces are chosen once per session by running the packaged estimator over the first
candidates of each class and keeping the ones it scores highest, so the expected sequence is
one the model can see. Nothing from the shared folder is copied into the repository: the inputs
are written under pytest's temporary folder.
"""

from pathlib import Path
from typing import List, Optional, Tuple

from analysis_inputs import FPS, place_face, two_people_recording, write_bag, write_ffv1
import cv2
import numpy as np
import pytest

from emotion_estimator.contract import shared_dir

#: Faces per class, frames each face is held, candidates tried per class.
FACES_PER_CLASS, FRAMES_PER_FACE, CANDIDATES = 3, 10, 24


@pytest.fixture(scope='session')
def analysis_face_model(face_model_path: Path, emotion_model_spec: Path) -> Path:
    """Return the shared face model (exported by the root conftest) once the model exists."""
    return face_model_path


def _detected(estimator, frame: np.ndarray, start_s: float) -> Optional[list]:
    """Return the results with a face of a fresh ``estimator`` held on ``frame``, or None.

    As in the recording: held for FRAMES_PER_FACE frames after another face; the detector may
    miss the first frame after a switch, but no more, and the face must survive the JPEG
    compression of the CompressedImage bag, which can flip a borderline detection.
    """
    estimator.reset()
    results = [estimator.process(frame, start_s + index / FPS)
               for index in range(FRAMES_PER_FACE)]
    found = [r for r in results if r.face_found]
    if len(found) < FRAMES_PER_FACE - 1:
        return None
    ok, jpeg = cv2.imencode('.jpg', frame, [cv2.IMWRITE_JPEG_QUALITY, 90])
    assert ok
    lossy = cv2.imdecode(jpeg, cv2.IMREAD_COLOR)
    checks = [estimator.process(lossy, start_s + 1 + index / FPS) for index in range(3)]
    if not all(r.face_found for r in checks[1:]):
        return None
    return found


def _best_faces(estimators, class_name: str, count: int) -> List[np.ndarray]:
    """Return the ``count`` faces of ``class_name`` the first estimator scores highest for it.

    Only faces every estimator finds are taken (one per ``--max-faces`` path: FaceLandmarker
    alone, and the face detector the multi-face path runs first, which misses some small grey
    FER2013 faces that FaceLandmarker finds).
    """
    folder = shared_dir() / 'datasets' / 'fer2013' / 'test' / class_name
    files = sorted(folder.glob('*.jpg'))[:CANDIDATES]
    if len(files) < count:
        pytest.fail(f'fewer than {count} FER2013 faces in {folder}')
    ranked: List[Tuple[float, str, np.ndarray]] = []
    for number, path in enumerate(files):
        frame = place_face(cv2.imread(str(path), cv2.IMREAD_GRAYSCALE))
        found = [_detected(estimator, frame, 1000.0 * number) for estimator in estimators]
        if all(f is not None for f in found):
            ranked.append((float(np.mean([r.scores[class_name] for r in found[0]])), path.name,
                           frame))
    ranked.sort(key=lambda item: (-item[0], item[1]))
    if len(ranked) < count:
        pytest.fail(f'the face detector found fewer than {count} {class_name} faces')
    return [frame for _, _, frame in ranked[:count]]


@pytest.fixture(scope='session')
def happy_then_sad(analysis_face_model) -> List[np.ndarray]:
    """Return the frames of the test recording: 3 s of happy faces, then 3 s of sad faces."""
    from emotion_estimator.analysis.cli import DEFAULT_MAX_FACES
    from emotion_estimator.estimator import EmotionEstimator
    with EmotionEstimator() as single, EmotionEstimator(max_faces=DEFAULT_MAX_FACES) as multi:
        happy = _best_faces([single, multi], 'happy', FACES_PER_CLASS)
        sad = _best_faces([single, multi], 'sad', FACES_PER_CLASS)
    frames = []
    for face in happy + sad:
        frames.extend([face] * FRAMES_PER_FACE)
    return frames


@pytest.fixture(scope='session')
def inputs_dir(tmp_path_factory) -> Path:
    """Return a session folder for the generated inputs."""
    return tmp_path_factory.mktemp('analysis_inputs')


@pytest.fixture(scope='session')
def image_folder(happy_then_sad, inputs_dir) -> Path:
    """Write the recording as PNG frames named so that only natural order is right."""
    folder = inputs_dir / 'frames'
    folder.mkdir()
    for index, frame in enumerate(happy_then_sad):
        assert cv2.imwrite(str(folder / f'frame_{index}.png'), frame)
    (folder / 'notes.txt').write_text('not an image: ignored\n')
    return folder


@pytest.fixture(scope='session')
def video_file(happy_then_sad, inputs_dir) -> Path:
    """Write the recording as a lossless FFV1 .avi at 10 fps (see ``write_ffv1``)."""
    return write_ffv1(inputs_dir / 'happy_then_sad.avi', happy_then_sad)


@pytest.fixture(scope='session')
def mcap_bag(happy_then_sad, inputs_dir) -> Path:
    """Return an mcap bag of the recording as raw bgr8 Image messages."""
    return write_bag(inputs_dir / 'raw_mcap', happy_then_sad, 'mcap', compressed=False)


@pytest.fixture(scope='session')
def sqlite_bag(happy_then_sad, inputs_dir) -> Path:
    """Return a sqlite3 bag of the recording as jpeg CompressedImage messages."""
    return write_bag(inputs_dir / 'jpeg_sqlite3', happy_then_sad, 'sqlite3', compressed=True)


@pytest.fixture(scope='session')
def two_people_frames(shared_dir) -> List[np.ndarray]:
    """Return the frames of the two-people recording (``two_people_recording``)."""
    return two_people_recording()


@pytest.fixture(scope='session')
def two_people_video(two_people_frames, inputs_dir) -> Path:
    """Write the two-people recording as a lossless FFV1 .avi at 10 fps."""
    return write_ffv1(inputs_dir / 'two_people.avi', two_people_frames)
