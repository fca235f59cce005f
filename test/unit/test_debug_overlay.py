# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The debug overlay and its newest-only thread (no ROS)."""

import threading

import numpy as np

from emotion_estimator.contract import CLASS_NAMES
from emotion_estimator.debug_overlay import draw_overlay, LABEL_COLOURS, NewestJobThread


def test_overlay_draws_on_a_copy_in_the_label_colour(astronaut_frame):
    scores = {name: 1.0 / len(CLASS_NAMES) for name in CLASS_NAMES}
    before = astronaut_frame.copy()
    canvas = draw_overlay(astronaut_frame, 'happy', True, scores, CLASS_NAMES)
    assert np.array_equal(astronaut_frame, before)  # the frame itself is untouched
    assert canvas.shape == astronaut_frame.shape and canvas.dtype == np.uint8
    changed = np.any(canvas != astronaut_frame, axis=2)
    assert changed.any()
    # The label is written in its colour in the top-left corner, nowhere near the bottom.
    top = canvas[:60, :200].reshape(-1, 3)
    assert np.any(np.all(top == LABEL_COLOURS['happy'], axis=1))
    assert not changed[-100:].any()


def test_overlay_says_when_no_face_was_found(astronaut_frame):
    scores = {name: 0.0 for name in CLASS_NAMES}
    with_face = draw_overlay(astronaut_frame, 'unknown', True, scores, CLASS_NAMES)
    without = draw_overlay(astronaut_frame, 'unknown', False, scores, CLASS_NAMES)
    assert np.any(with_face != without)  # ' (no face)' written after the label


def test_newest_job_thread_skips_to_the_newest_and_survives_errors():
    done, errors = [], []
    busy, release, finished = threading.Event(), threading.Event(), threading.Event()

    def work(job):
        busy.set()
        release.wait(5.0)
        if job == 'bad':
            raise ValueError('bad job')
        done.append(job)
        finished.set()
    thread = NewestJobThread(work, errors.append, name='test_newest')
    thread.submit('bad')
    assert busy.wait(5.0)  # the thread works on 'bad' while three more jobs come
    for job in ('old', 'older', 'newest'):
        thread.submit(job)
    release.set()
    assert finished.wait(5.0)
    thread.stop()
    assert done == ['newest']
    assert [str(error) for error in errors] == ['bad job']
    thread.submit('after stop')
    finished.clear()
    assert not finished.wait(0.2) and done == ['newest']
