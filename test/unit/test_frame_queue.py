# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""FrameQueue (no ROS): keep-newest per stream, every frame accounted for, the watchdog."""

import threading
import time

import pytest

from emotion_estimator.frame_queue import (
    DROP_REASONS, FrameCounters, FrameQueue, PENDING_FRAMES, PROCESSED)


class FakeClock:
    """Monotonic seconds that move only when told."""

    def __init__(self):
        """Start at 100 s."""
        self.now = 100.0

    def __call__(self) -> float:
        """Return the time."""
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def queue(clock) -> FrameQueue:
    frames = FrameQueue(clock=clock)
    frames.open()
    frames.start_accepting()
    return frames


def test_a_frame_goes_through_and_is_counted(queue):
    queue.put(None, 'frame 1')
    assert queue.counters().in_flight == 1
    assert queue.take() == (None, 'frame 1')
    assert queue.done(PROCESSED, face_found=True, processing_s=0.01, stamp_age_s=0.02) is False
    counters = queue.counters()
    assert (counters.received, counters.processed, counters.in_flight) == (1, 1, 0)
    assert counters.balanced() and counters.dropped == 0


def test_the_oldest_of_a_full_stream_is_dropped_and_other_streams_keep_theirs(queue):
    for index in range(PENDING_FRAMES + 3):
        queue.put(None, f'camera {index}')
    queue.put('face_a', 'face a 0')
    counters = queue.counters()
    assert counters.dropped_keep_newest == 3
    assert counters.in_flight == PENDING_FRAMES + 1
    assert counters.balanced()
    taken = [queue.take()[1] for _ in range(PENDING_FRAMES + 1)]
    for _ in taken:
        queue.done(PROCESSED)
    # Oldest first, and only the newest PENDING_FRAMES of the camera are left.
    assert taken == [f'camera {index}' for index in range(3, PENDING_FRAMES + 3)] + ['face a 0']
    assert queue.counters().balanced() and queue.counters().in_flight == 0


@pytest.mark.parametrize('reason', DROP_REASONS)
def test_each_drop_reason_has_its_counter(queue, reason):
    queue.put(None, 'frame')
    queue.take()
    queue.done(reason)
    counters = queue.counters()
    assert counters.dropped_by_reason()[reason] == 1
    assert counters.dropped == 1 and counters.balanced()
    assert queue.end_period().stats.dropped == 1


def test_an_unknown_outcome_is_refused(queue):
    queue.put(None, 'frame')
    queue.take()
    with pytest.raises(ValueError, match='unknown outcome'):
        queue.done('lost')


def test_stopping_drops_the_waiting_frames_and_later_ones(queue):
    queue.put(None, 'a')
    queue.put('face', 'b')
    queue.stop_accepting(wait_s=0.1)
    queue.put(None, 'c')
    counters = queue.counters()
    assert counters.dropped_stopped == 3 and counters.in_flight == 0 and counters.balanced()


def test_a_gone_face_loses_its_waiting_frames_only(queue):
    queue.put('a', 1)
    queue.put('b', 2)
    queue.put('a', 3)
    queue.drop_streams(['a'], 'face_gone')
    assert queue.counters().dropped_face_gone == 2
    assert queue.take() == ('b', 2)


def test_take_waits_for_a_frame_and_returns_none_once_closed(queue):
    got = []
    worker = threading.Thread(target=lambda: got.append(queue.take(poll_s=0.05)))
    worker.start()
    queue.put(None, 'late frame')
    worker.join(timeout=5.0)
    assert got == [(None, 'late frame')]
    queue.done(PROCESSED)
    worker = threading.Thread(target=lambda: got.append(queue.take(poll_s=0.05)))
    worker.start()
    queue.close()
    worker.join(timeout=5.0)
    assert not worker.is_alive() and got[-1] is None


def test_stop_accepting_waits_for_the_frame_in_work(queue):
    queue.put(None, 'frame')
    queue.take()
    finished = threading.Event()

    def finish_later():
        finished.wait(5.0)
        queue.done(PROCESSED)
    worker = threading.Thread(target=finish_later)
    worker.start()
    threading.Timer(0.1, finished.set).start()
    queue.stop_accepting(wait_s=5.0)
    assert queue.counters().processed == 1  # it waited for done()
    worker.join(timeout=5.0)


def test_watchdog_fires_once_and_a_processed_frame_ends_it(queue, clock):
    assert queue.check_timeout(1.0) is False  # nothing received yet: nothing to time out
    queue.put(None, 'frame')
    clock.now += 0.5
    assert queue.check_timeout(1.0) is False
    clock.now += 1.0
    assert queue.check_timeout(1.0) is True
    assert queue.check_timeout(1.0) is False and queue.timed_out
    queue.take()
    assert queue.done(PROCESSED) is True  # frames arrive again
    assert not queue.timed_out


def test_frames_that_all_fail_still_time_out(queue, clock):
    queue.put(None, 'bad')
    queue.take()
    queue.done('bad')
    clock.now += 2.0
    queue.put(None, 'bad again')  # frames arrive, but none is usable
    assert queue.check_timeout(1.0) is True


def test_a_tracked_list_without_faces_keeps_the_watchdog_quiet(queue, clock):
    queue.note_faces_listed(any_faces=True)
    clock.now += 2.0
    queue.note_faces_listed(any_faces=False)
    assert queue.check_timeout(1.0) is False
    clock.now += 2.0
    assert queue.check_timeout(1.0) is True


def test_period_report_resets_the_period_but_keeps_totals_and_the_error_run(queue, clock):
    for index in range(3):
        queue.put(None, index)
        queue.take()
        queue.conversion_failed(f'error {index}')
        queue.done('bad')
    queue.lost_in_transport(change=4, total=9)
    clock.now += 2.0
    report = queue.end_period()
    assert report.period_s == pytest.approx(2.0)
    assert (report.stats.received, report.stats.dropped, report.stats.lost_in_transport) == \
        (3, 3, 4)
    assert report.counters.dropped_bad == 3 and report.counters.lost_in_transport == 9
    assert report.last_receive == clock.now - 2.0
    second = queue.end_period()
    assert second.stats.received == 0 and second.counters.dropped_bad == 3
    assert second.stats.consecutive_conversion_errors == 3
    assert second.stats.last_error == 'error 2'
    queue.conversion_succeeded()
    assert queue.end_period().stats.consecutive_conversion_errors == 0


def test_counters_are_balanced_under_threads(queue):
    sent = 2000

    def camera(stream):
        for index in range(sent):
            queue.put(stream, index)
            time.sleep(0.0001)  # a camera's pace: the worker gets its turns

    def worker():
        while True:
            job = queue.take(poll_s=0.01)
            if job is None:
                return
            queue.done(PROCESSED if job[1] % 3 else 'late')
    workers = [threading.Thread(target=worker)]
    cameras = [threading.Thread(target=camera, args=(stream,)) for stream in (None, 'a')]
    for thread in workers + cameras:
        thread.start()
    for thread in cameras:
        thread.join()
    queue.stop_accepting(wait_s=5.0)
    queue.close()
    workers[0].join(timeout=5.0)
    counters = queue.counters()
    assert counters.received == 2 * sent and counters.in_flight == 0
    assert counters.balanced(), counters
    assert counters.processed > 0 and counters.dropped_late > 0


def test_counters_copy_is_independent(queue):
    copy = queue.counters()
    queue.put(None, 'frame')
    assert copy == FrameCounters() and queue.counters().received == 1
