# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Tests of frame checks and conversions on real face images."""

from face_frames import fer_faces
import numpy as np
import pytest

from emotion_estimator.contract import STILL_FACE_PREPROCESSING
from emotion_estimator.frames import (
    bgr_to_rgb, check_bgr_frame, FrameError, MAX_FRAME_PIXELS, still_face_to_rgb)


def test_bgr_to_rgb_swaps_channels_of_a_real_frame(astronaut_frame):
    rgb = bgr_to_rgb(astronaut_frame)
    assert rgb.shape == astronaut_frame.shape and rgb.dtype == np.uint8
    assert rgb.flags['C_CONTIGUOUS']
    np.testing.assert_array_equal(rgb, astronaut_frame[..., ::-1])
    assert not np.shares_memory(rgb, astronaut_frame)


def test_bgr_to_rgb_accepts_a_non_contiguous_view(astronaut_frame):
    view = astronaut_frame[::2, ::2]
    np.testing.assert_array_equal(bgr_to_rgb(view), view[..., ::-1])


@pytest.mark.parametrize('frame, message', [
    ([[0, 0, 0]], 'numpy array, got list'),
    (np.zeros((4, 4, 3), np.float32), 'must be uint8, got float32'),
    (np.zeros((4, 4), np.uint8), r'HxWx3 \(BGR\), got shape \(4, 4\)'),
    (np.zeros((4, 4, 4), np.uint8), r'got shape \(4, 4, 4\)'),
    (np.zeros((0, 4, 3), np.uint8), 'frame is empty'),
])
def test_bad_frames_are_refused(frame, message):
    with pytest.raises(FrameError, match=message):
        check_bgr_frame(frame)
    with pytest.raises(FrameError):
        bgr_to_rgb(frame)


def test_oversized_frame_is_refused_without_reading_it():
    # A broadcast view: huge shape, no memory.
    frame = np.broadcast_to(np.zeros((1, 1, 3), np.uint8), (8193, 8192, 3))
    assert frame.shape[0] * frame.shape[1] > MAX_FRAME_PIXELS
    with pytest.raises(FrameError, match='exceeds'):
        check_bgr_frame(frame)


def test_frame_error_is_a_value_error():
    assert issubclass(FrameError, ValueError)


def test_still_face_is_centred_on_a_grey_canvas(shared_dir):
    face = fer_faces('happy', 1)[0]
    assert face.shape == (48, 48)
    rgb = still_face_to_rgb(face)
    canvas = STILL_FACE_PREPROCESSING['canvas_size_px']
    size = STILL_FACE_PREPROCESSING['face_size_px']
    grey = STILL_FACE_PREPROCESSING['canvas_grey_level']
    assert rgb.shape == (canvas, canvas, 3) and rgb.dtype == np.uint8
    offset = (canvas - size) // 2
    assert (rgb[:offset] == grey).all() and (rgb[offset + size:] == grey).all()
    assert (rgb[:, :offset] == grey).all() and (rgb[:, offset + size:] == grey).all()
    inner = rgb[offset:offset + size, offset:offset + size]
    assert (inner[..., 0] == inner[..., 1]).all()
    assert abs(float(inner.mean()) - float(face.mean())) < 3.0


def test_still_face_from_bgr_equals_from_grey(shared_dir):
    face = fer_faces('sad', 1)[0]
    bgr = np.repeat(face[..., np.newaxis], 3, axis=2)
    np.testing.assert_array_equal(still_face_to_rgb(bgr), still_face_to_rgb(face))


def test_still_face_follows_the_settings(shared_dir):
    face = fer_faces('neutral', 1)[0]
    rgb = still_face_to_rgb(face, {'face_size_px': 48, 'canvas_size_px': 64,
                                   'canvas_grey_level': 0})
    assert rgb.shape == (64, 64, 3)
    np.testing.assert_array_equal(rgb[8:56, 8:56, 0], face)
    assert rgb[:8].max() == 0


@pytest.mark.parametrize('face', [
    np.zeros((0, 0), np.uint8), np.zeros((48, 48), np.float32), np.zeros((4, 4, 4), np.uint8)])
def test_bad_still_faces_are_refused(face):
    with pytest.raises(FrameError):
        still_face_to_rgb(face)


def test_face_larger_than_canvas_is_refused():
    with pytest.raises(FrameError, match='face_size_px 200'):
        still_face_to_rgb(np.zeros((48, 48), np.uint8),
                          {'face_size_px': 200, 'canvas_size_px': 160, 'canvas_grey_level': 1})
