# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Unit tests of the ROS-free image message conversion (no rclpy)."""

from array import array

import cv2
import numpy as np
import pytest

from emotion_estimator.frames import MAX_FRAME_PIXELS
from emotion_estimator.ros_image import (
    bgr_to_image_fields, compressed_to_bgr, image_to_bgr, ImageConversionError, ImageDecodeError,
    ImageSizeError, UnsupportedEncodingError)


@pytest.fixture
def bgr() -> np.ndarray:
    """Return a small deterministic BGR frame with distinct channels."""
    rng = np.random.default_rng(7)
    return rng.integers(0, 256, size=(5, 7, 3), dtype=np.uint8)


def _encode(bgr: np.ndarray, encoding: str) -> np.ndarray:
    conversions = {'bgr8': None, 'rgb8': cv2.COLOR_BGR2RGB, 'bgra8': cv2.COLOR_BGR2BGRA,
                   'rgba8': cv2.COLOR_BGR2RGBA, 'mono8': cv2.COLOR_BGR2GRAY}
    code = conversions[encoding]
    return bgr.copy() if code is None else cv2.cvtColor(bgr, code)


@pytest.mark.parametrize('encoding', ['bgr8', 'rgb8', 'bgra8', 'rgba8'])
@pytest.mark.parametrize('padding', [0, 3])
def test_colour_encodings_round_trip(bgr, encoding, padding):
    pixels = _encode(bgr, encoding)
    height, width = pixels.shape[:2]
    row = pixels.reshape(height, -1)
    padded = np.concatenate([row, np.full((height, padding), 255, np.uint8)], axis=1)
    frame = image_to_bgr(encoding, height, width, row.shape[1] + padding,
                         array('B', padded.tobytes()))
    assert frame.shape == (height, width, 3) and frame.dtype == np.uint8
    assert frame.flags['C_CONTIGUOUS']
    np.testing.assert_array_equal(frame, bgr)


@pytest.mark.parametrize('padding', [0, 1])
def test_mono8_becomes_grey_bgr(bgr, padding):
    grey = _encode(bgr, 'mono8')
    padded = np.concatenate([grey, np.zeros((grey.shape[0], padding), np.uint8)], axis=1)
    frame = image_to_bgr('mono8', 5, 7, 7 + padding, padded.tobytes())
    assert frame.shape == (5, 7, 3)
    for channel in range(3):
        np.testing.assert_array_equal(frame[:, :, channel], grey)


def test_missing_pad_after_last_row_is_accepted(bgr):
    data = np.concatenate([bgr.reshape(5, -1), np.zeros((5, 4), np.uint8)], axis=1).tobytes()
    frame = image_to_bgr('bgr8', 5, 7, 25, data[:-4])
    np.testing.assert_array_equal(frame, bgr)


def test_result_does_not_alias_message_data(bgr):
    data = bytearray(bgr.tobytes())
    frame = image_to_bgr('bgr8', 5, 7, 21, data)
    data[0] = (data[0] + 1) % 256
    assert frame[0, 0, 0] == bgr[0, 0, 0]


@pytest.mark.parametrize('encoding', ['16UC1', 'yuv422', 'bayer_rggb8', '', 'BGR8'])
def test_unsupported_encoding(encoding):
    with pytest.raises(UnsupportedEncodingError, match='unsupported image encoding'):
        image_to_bgr(encoding, 2, 2, 6, bytes(12))


@pytest.mark.parametrize('height,width', [(0, 4), (4, 0), (0, 0), (-1, 4)])
def test_zero_size(height, width):
    with pytest.raises(ImageSizeError, match='empty'):
        image_to_bgr('bgr8', height, width, max(width, 0) * 3, b'')


def test_too_large():
    side = int(np.sqrt(MAX_FRAME_PIXELS)) + 1
    with pytest.raises(ImageSizeError, match='exceeds'):
        image_to_bgr('mono8', side, side, side, b'')


def test_step_too_small():
    with pytest.raises(ImageSizeError, match='step 5 is smaller'):
        image_to_bgr('bgr8', 2, 2, 5, bytes(10))


@pytest.mark.parametrize('size', [0, 11, 13, 100])
def test_data_of_wrong_length(size):
    with pytest.raises(ImageSizeError, match='needs 12 bytes'):
        image_to_bgr('bgr8', 2, 2, 6, bytes(size))


def test_errors_are_value_errors():
    assert issubclass(ImageConversionError, ValueError)
    for error in (UnsupportedEncodingError, ImageSizeError, ImageDecodeError):
        assert issubclass(error, ImageConversionError)


@pytest.mark.parametrize('extension,fmt', [('.png', 'png'), ('.png', 'bgr8; png compressed bgr8'),
                                           ('.jpg', 'jpeg'), ('.jpg', '')])
def test_compressed_round_trip(extension, fmt):
    frame = np.zeros((48, 64, 3), np.uint8)
    frame[:, :32] = (10, 120, 240)
    ok, encoded = cv2.imencode(extension, frame)
    assert ok
    decoded = compressed_to_bgr(fmt, array('B', encoded.tobytes()))
    assert decoded.shape == frame.shape
    error = np.abs(decoded.astype(int) - frame)
    if extension == '.png':
        assert error.max() == 0
    else:  # lossy: small mean error, ringing at the colour edge
        assert error.mean() < 4


def test_compressed_empty():
    with pytest.raises(ImageDecodeError, match='no data'):
        compressed_to_bgr('jpeg', b'')


def test_compressed_corrupt():
    with pytest.raises(ImageDecodeError, match='cannot decode'):
        compressed_to_bgr('jpeg', b'\xff\xd8\xff' + bytes(200))


def test_compressed_truncated():
    ok, encoded = cv2.imencode('.png', np.full((32, 32, 3), 90, np.uint8))
    assert ok
    with pytest.raises(ImageDecodeError):
        compressed_to_bgr('png', encoded.tobytes()[:20])


def test_compressed_unsupported_format():
    with pytest.raises(UnsupportedEncodingError, match='compressed format'):
        compressed_to_bgr('theora', b'123')


def test_bgr_to_image_fields_round_trip(bgr):
    height, width, step, data = bgr_to_image_fields(bgr)
    np.testing.assert_array_equal(image_to_bgr('bgr8', height, width, step, data), bgr)
