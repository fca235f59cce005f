# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Tests of the MediaPipe blendshape extractor on real faces (FER2013 and the astronaut)."""

from types import SimpleNamespace

import cv2
from face_frames import face_in_frame, fer_faces, FRAME_HEIGHT, FRAME_WIDTH
import numpy as np
import pytest

from emotion_estimator.blendshapes import BlendshapeExtractor, scores_from_categories
from emotion_estimator.contract import BLENDSHAPE_NAMES
from emotion_estimator.frames import still_face_to_rgb

SMILE = [BLENDSHAPE_NAMES.index('mouthSmileLeft'), BLENDSHAPE_NAMES.index('mouthSmileRight')]


def rgb(frame_bgr: np.ndarray) -> np.ndarray:
    """Return the RGB version of a BGR frame."""
    return cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2RGB)


@pytest.fixture(scope='module')
def image_extractor(face_model_path):
    """Return an IMAGE-mode extractor (each frame on its own)."""
    with BlendshapeExtractor(face_model_path, video=False) as extractor:
        yield extractor


@pytest.fixture()
def video_extractor(face_model_path):
    """Return a fresh VIDEO-mode extractor found through $EMOTION_ESTIMATOR_FACE_MODEL."""
    with BlendshapeExtractor() as extractor:
        assert extractor.model_path == face_model_path
        yield extractor


def assert_valid_scores(scores: np.ndarray) -> None:
    """Check the shape, type and range of one face's blendshape scores."""
    assert scores.shape == (len(BLENDSHAPE_NAMES),) == (52,)
    assert scores.dtype == np.float32
    assert np.isfinite(scores).all()
    assert scores.min() >= 0.0 and scores.max() <= 1.0


@pytest.mark.parametrize('class_name', ['happy', 'sad', 'neutral', 'surprise', 'angry'])
def test_real_fer_faces_give_52_scores_in_range(image_extractor, shared_dir, class_name):
    # Measured: 5/10 (angry) to 10/10 (happy) of these low-resolution faces are found.
    found = 0
    for face in fer_faces(class_name, 10):
        scores = image_extractor.extract(rgb(face_in_frame(face)))
        if scores is not None:
            assert_valid_scores(scores)
            found += 1
    assert found >= 5, f'{found}/10 {class_name} faces found'


def test_astronaut_smiles(image_extractor, astronaut_frame):
    scores = image_extractor.extract(rgb(astronaut_frame))
    assert scores is not None
    assert_valid_scores(scores)
    assert scores[SMILE].min() > 0.6
    assert scores[BLENDSHAPE_NAMES.index('mouthFrownLeft')] < 0.2


def test_happy_fer_face_smiles_more_than_a_neutral_one(image_extractor, shared_dir):
    happy = image_extractor.extract(rgb(face_in_frame(fer_faces('happy', 1)[0])))
    neutral = image_extractor.extract(rgb(face_in_frame(fer_faces('neutral', 1)[0])))
    assert happy is not None and neutral is not None
    assert happy[SMILE].mean() > 0.5 > 0.2 > neutral[SMILE].mean()


def test_still_face_canvas_is_readable(image_extractor, shared_dir):
    scores = image_extractor.extract(still_face_to_rgb(fer_faces('happy', 1)[0]))
    assert scores is not None
    assert_valid_scores(scores)


@pytest.mark.parametrize('grey', [0, 128, 255])
def test_blank_frame_has_no_face(image_extractor, grey):
    blank = np.full((FRAME_HEIGHT, FRAME_WIDTH, 3), grey, np.uint8)
    assert image_extractor.extract(blank) is None
    assert image_extractor.extract_all(blank) == []


def test_video_mode_tracks_over_frames(video_extractor, astronaut_frame):
    frame = rgb(astronaut_frame)
    results = [video_extractor.extract(frame, i / 15.0) for i in range(10)]
    assert all(r is not None for r in results)
    assert min(r[SMILE].min() for r in results) > 0.6


def test_video_mode_repeated_and_backward_timestamps_do_not_raise(
        video_extractor, astronaut_frame):
    frame = rgb(astronaut_frame)
    for t in (1.0, 1.0, 0.5, 0.0, 1.0005, 2.0):
        scores = video_extractor.extract(frame, t)
        assert scores is not None
        assert_valid_scores(scores)


def test_video_mode_face_disappears_and_returns(video_extractor, astronaut_frame):
    frame = rgb(astronaut_frame)
    blank = np.full_like(frame, 128)
    assert video_extractor.extract(frame, 0.0) is not None
    assert video_extractor.extract(blank, 0.1) is None
    assert video_extractor.extract(frame, 0.2) is not None


def test_non_contiguous_frame(image_extractor, astronaut_frame):
    view = rgb(astronaut_frame)[:, ::-1]  # mirrored view: negative strides
    assert not view.flags['C_CONTIGUOUS']
    assert image_extractor.extract(view) is not None


def test_two_faces(face_model_path, shared_dir):
    faces = fer_faces('happy', 2)
    frame = np.full((FRAME_HEIGHT, FRAME_WIDTH, 3), 128, np.uint8)
    for i, face in enumerate(faces):
        scaled = cv2.resize(cv2.cvtColor(face, cv2.COLOR_GRAY2BGR), (240, 240),
                            interpolation=cv2.INTER_CUBIC)
        frame[120:360, 40 + i * 320:280 + i * 320] = scaled
    with BlendshapeExtractor(face_model_path, video=False, num_faces=2) as extractor:
        all_faces = extractor.extract_all(rgb(frame))
    assert len(all_faces) == 2
    for scores in all_faces:
        assert_valid_scores(scores)


def test_close_is_idempotent(face_model_path):
    extractor = BlendshapeExtractor(face_model_path, video=False)
    extractor.close()
    extractor.close()


def test_scores_are_ordered_by_name_not_by_position():
    categories = [SimpleNamespace(category_name=name, score=i / 100.0)
                  for i, name in enumerate(BLENDSHAPE_NAMES)]
    np.testing.assert_allclose(scores_from_categories(list(reversed(categories))),
                               np.arange(52) / 100.0, rtol=1e-6)


def test_missing_category_is_an_error():
    categories = [SimpleNamespace(category_name=name, score=0.0) for name in BLENDSHAPE_NAMES[1:]]
    with pytest.raises(ValueError, match=r"\['_neutral'\]"):
        scores_from_categories(categories)


def test_faces_come_with_their_box_in_pixels(image_extractor, shared_dir):
    face = fer_faces('happy', 1)[0]
    frame = cv2.cvtColor(face_in_frame(face), cv2.COLOR_BGR2RGB)  # 240 px face, centred
    faces = image_extractor.extract_faces(frame)
    assert len(faces) == 1
    x, y, width, height = faces[0].box
    # The face oval lies inside the 240 px crop centred in the 640x480 frame.
    assert 200 - 10 <= x and x + width <= 440 + 10 and 120 - 10 <= y and y + height <= 360 + 10
    assert 120 <= width <= 250 and 120 <= height <= 250
    assert faces[0].area == width * height
    np.testing.assert_array_equal(faces[0].blendshapes, image_extractor.extract(frame))
    assert image_extractor.extract_faces(np.full_like(frame, 128)) == []
