# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Turn images into the RGB frames MediaPipe reads, with clear errors for bad ones."""

from typing import Mapping

import cv2
import numpy as np

from emotion_estimator.contract import STILL_FACE_PREPROCESSING

#: Frames larger than this (in pixels) are refused rather than risking memory on a bad header.
MAX_FRAME_PIXELS = 8192 * 8192


class FrameError(ValueError):
    """An image cannot be used as a frame (wrong type, shape or size)."""


def check_bgr_frame(frame: np.ndarray) -> None:
    """Raise :class:`FrameError` unless ``frame`` is a non-empty uint8 HxWx3 array."""
    if not isinstance(frame, np.ndarray):
        raise FrameError(f'frame must be a numpy array, got {type(frame).__name__}')
    if frame.dtype != np.uint8:
        raise FrameError(f'frame must be uint8, got {frame.dtype}')
    if frame.ndim != 3 or frame.shape[2] != 3:
        raise FrameError(f'frame must be HxWx3 (BGR), got shape {frame.shape}')
    if frame.shape[0] == 0 or frame.shape[1] == 0:
        raise FrameError(f'frame is empty: shape {frame.shape}')
    if frame.shape[0] * frame.shape[1] > MAX_FRAME_PIXELS:
        raise FrameError(
            f'frame of {frame.shape[1]}x{frame.shape[0]} exceeds {MAX_FRAME_PIXELS} px')


def bgr_to_rgb(frame: np.ndarray) -> np.ndarray:
    """Return a contiguous RGB copy of a checked BGR frame."""
    check_bgr_frame(frame)
    return cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)


def still_face_to_rgb(
        face: np.ndarray,
        preprocessing: Mapping[str, int] = STILL_FACE_PREPROCESSING) -> np.ndarray:
    """Place a small face crop (FER2013: 48x48 grey) on a grey canvas the detector can read.

    The crop is upscaled to ``face_size_px`` and centred on a ``canvas_size_px`` square of
    ``canvas_grey_level``: measured on FER2013, this finds 93.6% of faces against 83% as is.

    Args:
        face: HxW grey or HxWx3 BGR uint8 crop of a face.
        preprocessing: the settings, as stored in the model metadata.

    Returns:
        An RGB uint8 canvas.

    """
    if face.ndim == 3:
        check_bgr_frame(face)
        face = cv2.cvtColor(face, cv2.COLOR_BGR2GRAY)
    if face.ndim != 2 or face.size == 0 or face.dtype != np.uint8:
        raise FrameError(
            f'face crop must be a non-empty uint8 image, got {face.dtype} {face.shape}')
    size = int(preprocessing['face_size_px'])
    canvas_size = int(preprocessing['canvas_size_px'])
    if not 0 < size <= canvas_size:
        raise FrameError(f'face_size_px {size} must be in (0, canvas_size_px={canvas_size}]')
    height, width = face.shape
    scale = size / max(height, width)
    new_w, new_h = max(1, int(round(width * scale))), max(1, int(round(height * scale)))
    scaled = cv2.resize(face, (new_w, new_h), interpolation=cv2.INTER_CUBIC)
    canvas = np.full((canvas_size, canvas_size), int(preprocessing['canvas_grey_level']), np.uint8)
    top, left = (canvas_size - new_h) // 2, (canvas_size - new_w) // 2
    canvas[top:top + new_h, left:left + new_w] = scaled
    return cv2.cvtColor(canvas, cv2.COLOR_GRAY2RGB)


def still_photo_to_rgb(
        photo: np.ndarray,
        preprocessing: Mapping[str, int] = STILL_FACE_PREPROCESSING) -> np.ndarray:
    """Turn a face photo of any size into the RGB frame MediaPipe reads.

    A photo smaller than the canvas on both sides (a face crop such as FER2013's 48x48) goes
    through :func:`still_face_to_rgb`; a larger one (a portrait, a camera frame) is used as it
    is, grey photos as three equal channels.
    """
    if photo.ndim == 2:
        photo = cv2.cvtColor(photo, cv2.COLOR_GRAY2BGR)
    check_bgr_frame(photo)
    canvas_size = int(preprocessing['canvas_size_px'])
    if photo.shape[0] < canvas_size and photo.shape[1] < canvas_size:
        return still_face_to_rgb(photo, preprocessing)
    return cv2.cvtColor(photo, cv2.COLOR_BGR2RGB)
