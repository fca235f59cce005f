# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""LabelHold (no ROS): since when each face's label has held, for label_since / label_held_s."""

import pytest

from emotion_estimator.label_hold import LabelHold


def test_a_run_of_one_label_keeps_its_start_and_a_change_starts_a_new_one():
    holds = LabelHold()
    assert holds.update('1', 'unknown', 10.0) == 10.0
    assert holds.update('1', 'happy', 10.5) == 10.5
    assert holds.update('1', 'happy', 11.0) == 10.5
    assert holds.update('1', 'happy', 11.7) == 10.5
    assert holds.held_s('1', 11.7) == pytest.approx(1.2)
    assert holds.update('1', 'sad', 12.0) == 12.0
    assert holds.held_s('1', 12.0) == 0.0


def test_faces_are_kept_apart():
    holds = LabelHold()
    holds.update('1', 'happy', 1.0)
    holds.update('2', 'sad', 2.0)
    holds.update('1', 'happy', 3.0)
    assert holds.update('2', 'sad', 3.0) == 2.0
    assert holds.since('1') == 1.0
    assert holds.since('3') is None and holds.held_s('3', 3.0) == 0.0


def test_a_stamp_before_the_run_started_starts_it_again():
    holds = LabelHold()
    holds.update('1', 'happy', 100.0)
    assert holds.update('1', 'happy', 5.0) == 5.0  # clock reset (e.g. a bag played again)


def test_forget_clear_and_faces_that_left_long_ago():
    holds = LabelHold(forget_after_s=10.0)
    holds.update('1', 'happy', 0.0)
    holds.update('2', 'happy', 0.0)
    holds.forget(['1'])
    assert holds.update('1', 'happy', 1.0) == 1.0
    holds.update('3', 'sad', 20.0)  # '1' and '2' were last updated more than 10 s before
    assert holds.since('1') is None and holds.since('2') is None and holds.since('3') == 20.0
    holds.clear()
    assert holds.since('3') is None
