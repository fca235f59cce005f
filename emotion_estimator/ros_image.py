# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Turn the fields of ROS image messages into BGR frames, without ROS (cv_bridge is not needed).

``image_to_bgr`` reads the fields of a ``sensor_msgs/Image`` and ``compressed_to_bgr`` those of a
``sensor_msgs/CompressedImage``. Every malformed input raises an :class:`ImageConversionError`
subclass whose message says what was wrong, so the node can log it and go on.
"""

from array import array
from typing import Dict, Optional, Tuple, Union

import cv2
import numpy as np

from emotion_estimator.frames import MAX_FRAME_PIXELS

#: encoding -> (channels, OpenCV conversion to BGR or None when the data is BGR already)
ENCODINGS: Dict[str, Tuple[int, Optional[int]]] = {
    'bgr8': (3, None),
    'rgb8': (3, cv2.COLOR_RGB2BGR),
    'bgra8': (4, cv2.COLOR_BGRA2BGR),
    'rgba8': (4, cv2.COLOR_RGBA2BGR),
    'mono8': (1, cv2.COLOR_GRAY2BGR),
}

#: Compressed formats that ``compressed_to_bgr`` accepts (``format`` field, before any ';').
COMPRESSED_FORMATS = ('jpeg', 'jpg', 'png')

#: Compressed payloads larger than this are refused (a 8192x8192 PNG is far smaller).
MAX_COMPRESSED_BYTES = 64 * 1024 * 1024

#: What a message's ``data`` field can be: rclpy gives ``array.array('B')``, tests give bytes.
Buffer = Union[bytes, bytearray, memoryview, np.ndarray, array]


class ImageConversionError(ValueError):
    """An image message cannot be turned into a BGR frame."""


class UnsupportedEncodingError(ImageConversionError):
    """The encoding (or compressed format) is not one this package reads."""


class ImageSizeError(ImageConversionError):
    """Width, height or step are zero, inconsistent with the data, or too large."""


class ImageDecodeError(ImageConversionError):
    """Compressed data is empty or cannot be decoded."""


def _as_bytes(data: Buffer) -> np.ndarray:
    """Return the message data as a flat uint8 array without copying where possible."""
    if isinstance(data, np.ndarray):
        return data.reshape(-1).view(np.uint8)
    return np.frombuffer(memoryview(data), dtype=np.uint8)


def image_to_bgr(encoding: str, height: int, width: int, step: int,
                 data: Buffer) -> np.ndarray:
    """Return a contiguous HxWx3 uint8 BGR copy of a raw ``sensor_msgs/Image``.

    Args:
        encoding: one of :data:`ENCODINGS` (rgb8, bgr8, rgba8, bgra8, mono8).
        height: rows.
        width: columns.
        step: bytes per row, at least ``width * channels`` (rows may be padded).
        data: ``height * step`` bytes (a trailing pad after the last row may be missing).

    Raises:
        UnsupportedEncodingError: the encoding is not supported.
        ImageSizeError: zero or too large size, a step too small, or data of the wrong length.

    """
    if encoding not in ENCODINGS:
        raise UnsupportedEncodingError(
            f'unsupported image encoding {encoding!r}; supported: {", ".join(ENCODINGS)}')
    channels, conversion = ENCODINGS[encoding]
    height, width, step = int(height), int(width), int(step)
    if height <= 0 or width <= 0:
        raise ImageSizeError(f'image size {width}x{height} is empty')
    if height * width > MAX_FRAME_PIXELS:
        raise ImageSizeError(
            f'image of {width}x{height} exceeds the limit of {MAX_FRAME_PIXELS} pixels')
    row_bytes = width * channels
    if step < row_bytes:
        raise ImageSizeError(
            f'step {step} is smaller than width {width} x {channels} channels = {row_bytes} '
            f'bytes for {encoding}')
    buffer = _as_bytes(data)
    needed = (height - 1) * step + row_bytes
    if buffer.size < needed or buffer.size > height * step:
        raise ImageSizeError(
            f'{encoding} image {width}x{height} with step {step} needs {height * step} bytes of '
            f'data, got {buffer.size}')
    if buffer.size < height * step:
        buffer = np.concatenate([buffer, np.zeros(height * step - buffer.size, np.uint8)])
    rows = buffer.reshape(height, step)[:, :row_bytes]
    pixels = rows.reshape(height, width, channels)
    if conversion is None:
        return np.ascontiguousarray(pixels) if step != row_bytes else pixels.copy()
    if channels == 1:
        return cv2.cvtColor(np.ascontiguousarray(pixels[:, :, 0]), conversion)
    return cv2.cvtColor(np.ascontiguousarray(pixels), conversion)


def compressed_to_bgr(format: str, data: Buffer) -> np.ndarray:  # noqa: A002 - the msg field
    """Decode a ``sensor_msgs/CompressedImage`` (jpeg or png) into an HxWx3 uint8 BGR frame.

    ``format`` may be plain (``jpeg``) or as image_transport writes it (``bgr8; jpeg compressed
    bgr8``); only the compression matters since OpenCV reads the header of the data itself.

    Raises:
        UnsupportedEncodingError: the format names neither jpeg nor png.
        ImageDecodeError: the data is empty, too large, or not a decodable image.
        ImageSizeError: the decoded image exceeds the pixel limit.

    """
    text = (format or '').lower()
    if text and not any(name in text for name in COMPRESSED_FORMATS):
        raise UnsupportedEncodingError(
            f'unsupported compressed format {format!r}; supported: jpeg, png')
    buffer = _as_bytes(data)
    if buffer.size == 0:
        raise ImageDecodeError(f'compressed image ({format or "no format"}) has no data')
    if buffer.size > MAX_COMPRESSED_BYTES:
        raise ImageDecodeError(
            f'compressed image of {buffer.size} bytes exceeds {MAX_COMPRESSED_BYTES} bytes')
    frame = cv2.imdecode(buffer, cv2.IMREAD_COLOR)
    if frame is None or frame.size == 0:
        raise ImageDecodeError(
            f'cannot decode {buffer.size} bytes of compressed data as {format or "an image"} '
            '(corrupt or truncated)')
    if frame.shape[0] * frame.shape[1] > MAX_FRAME_PIXELS:
        raise ImageSizeError(
            f'decoded image of {frame.shape[1]}x{frame.shape[0]} exceeds {MAX_FRAME_PIXELS} px')
    return frame


def bgr_to_image_fields(frame: np.ndarray) -> Tuple[int, int, int, bytes]:
    """Return ``(height, width, step, data)`` of a BGR frame for a ``bgr8`` image message."""
    frame = np.ascontiguousarray(frame, dtype=np.uint8)
    height, width = frame.shape[:2]
    return height, width, width * 3, frame.tobytes()
