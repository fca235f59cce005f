# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Tests of the sliding window of blendshape features."""

import numpy as np
import pytest

from emotion_estimator.window import BlendshapeWindow


def frame(value: float, features: int = 3) -> np.ndarray:
    """Return one frame's features, all equal to ``value``."""
    return np.full(features, value, np.float32)


def test_empty_window_has_no_array():
    window = BlendshapeWindow(4)
    assert len(window) == 0 and not window.full
    with pytest.raises(ValueError, match='empty'):
        window.as_array()


def test_start_up_window_is_front_padded_with_its_oldest_frame():
    window = BlendshapeWindow(4)
    assert window.push(frame(1), 0.0) is False
    np.testing.assert_array_equal(window.as_array()[:, 0], [1, 1, 1, 1])
    window.push(frame(2), 0.1)
    array = window.as_array()
    assert array.shape == (4, 3) and array.dtype == np.float32
    np.testing.assert_array_equal(array[:, 0], [1, 1, 1, 2])
    assert len(window) == 2 and not window.full


def test_full_window_slides():
    window = BlendshapeWindow(3)
    for i in range(5):
        window.push(frame(i), i * 0.1)
    assert window.full and len(window) == 3
    np.testing.assert_array_equal(window.as_array()[:, 0], [2, 3, 4])


def test_gap_restarts_the_window():
    window = BlendshapeWindow(3, max_gap_s=0.5)
    window.push(frame(1), 0.0)
    assert window.push(frame(2), 0.5) is False  # exactly max_gap_s: same stream
    assert window.push(frame(3), 1.01) is True
    assert len(window) == 1
    np.testing.assert_array_equal(window.as_array()[:, 0], [3, 3, 3])


@pytest.mark.parametrize('later_time', [0.2, 0.1])
def test_repeated_or_earlier_time_restarts_the_window(later_time):
    window = BlendshapeWindow(3)
    window.push(frame(1), 0.1)
    window.push(frame(2), 0.2)
    assert window.push(frame(9), later_time) is True
    np.testing.assert_array_equal(window.as_array()[:, 0], [9, 9, 9])


def test_reset():
    window = BlendshapeWindow(2)
    window.push(frame(1), 0.0)
    window.reset()
    assert len(window) == 0
    assert window.push(frame(2), 0.0) is False


def test_pushed_features_are_copied_as_float32():
    window = BlendshapeWindow(2)
    features = np.array([0.5, 0.25], dtype=np.float64)
    window.push(features, 0.0)
    features[:] = 0
    np.testing.assert_array_equal(window.as_array()[-1], [0.5, 0.25])


def test_strided_window_reads_every_stride_th_frame_back_from_the_newest():
    window = BlendshapeWindow(3, stride=2)
    window.push(frame(0), 0.0)
    np.testing.assert_array_equal(window.as_array()[:, 0], [0, 0, 0])
    window.push(frame(1), 0.1)
    np.testing.assert_array_equal(window.as_array()[:, 0], [1, 1, 1])  # frame 0 is skipped
    for i in range(2, 4):
        window.push(frame(i), i * 0.1)
    np.testing.assert_array_equal(window.as_array()[:, 0], [1, 1, 3])
    assert not window.full and len(window) == 4
    for i in range(4, 8):
        window.push(frame(i), i * 0.1)
    assert window.full and len(window) == 5  # (3 - 1) * 2 + 1 camera frames
    np.testing.assert_array_equal(window.as_array()[:, 0], [3, 5, 7])


def test_stride_one_is_the_plain_window():
    plain, strided = BlendshapeWindow(4), BlendshapeWindow(4, stride=1)
    for i in range(6):
        plain.push(frame(i), i * 0.1)
        strided.push(frame(i), i * 0.1)
        np.testing.assert_array_equal(plain.as_array(), strided.as_array())


@pytest.mark.parametrize('length, gap, stride', [(0, 0.5, 1), (3, 0.0, 1), (3, -1.0, 1),
                                                 (3, 0.5, 0)])
def test_invalid_arguments(length, gap, stride):
    with pytest.raises(ValueError):
        BlendshapeWindow(length, gap, stride)
