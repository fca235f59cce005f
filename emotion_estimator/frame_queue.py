# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The node's keep-newest frame queue and the account of every frame it received (no ROS).

The subscription :meth:`FrameQueue.put` s each message, the worker :meth:`~FrameQueue.take` s
them and reports each with :meth:`~FrameQueue.done`. A slower worker drops a stream's oldest
waiting frame; every frame is counted as processed, dropped (:data:`DROP_REASONS`) or in flight.
"""

from collections import deque
from dataclasses import asdict, dataclass, field, replace
import threading
import time
from typing import Callable, Deque, Dict, Hashable, Iterable, List, Optional, Tuple

#: Frames waiting for the worker at most, per stream. Two, so that a frame delayed by a
#: scheduling hiccup and the next one, delivered back to back, are both processed; when
#: processing stays slower than the camera, the oldest waiting frame is dropped (keep_newest).
PENDING_FRAMES = 2

#: Why a received frame was not processed (the keys of :meth:`FrameCounters.dropped_by_reason`).
DROP_REASONS = ('keep_newest', 'late', 'bad', 'error', 'stopped', 'face_gone')

#: What :meth:`FrameQueue.done` accepts: a frame was processed, or one of the drop reasons.
PROCESSED = 'processed'


@dataclass
class FrameCounters:
    """What became of every frame the node received, since it started.

    ``received == processed + dropped + in_flight`` holds at every moment (they are changed
    together under one lock); ``in_flight`` is at most ``PENDING_FRAMES + 1`` per stream
    (frames waiting and the one being processed).
    """

    received: int = 0
    processed: int = 0
    #: Pushed out by newer frames before the worker took it (processing slower than the camera).
    dropped_keep_newest: int = 0
    #: Up to ``OUT_OF_ORDER_S`` older than the last processed frame (delivered late or twice).
    dropped_late: int = 0
    #: Cannot be converted (encoding, step, size, corrupt compressed data) or not a usable image.
    dropped_bad: int = 0
    #: An unexpected error while processing (logged).
    dropped_error: int = 0
    #: Waiting when the node was deactivated.
    dropped_stopped: int = 0
    #: Of a face that ROS4HRI stopped tracking before it was processed (``face_source:
    #: ros4hri``).
    dropped_face_gone: int = 0
    in_flight: int = 0
    #: Not part of ``received``: frames the camera sent that never reached the node, as DDS
    #: reports them (gaps in a best-effort stream: too small a socket buffer, a lossy link).
    lost_in_transport: int = 0

    @property
    def dropped(self) -> int:
        """Return the frames dropped for any reason."""
        return sum(self.dropped_by_reason().values())

    def dropped_by_reason(self) -> Dict[str, int]:
        """Return ``{reason: frames}`` for each of :data:`DROP_REASONS`."""
        return {reason: getattr(self, f'dropped_{reason}') for reason in DROP_REASONS}

    def balanced(self) -> bool:
        """Return whether received = processed + dropped + in flight."""
        return self.received == self.processed + self.dropped + self.in_flight


@dataclass
class PeriodStats:
    """Counters of one diagnostics period (the conversion-error run carries over)."""

    received: int = 0
    processed: int = 0
    dropped: int = 0
    faces: int = 0
    processing_s: List[float] = field(default_factory=list)
    #: Node clock minus the input header stamp when the outputs of a frame were published.
    stamp_age_s: List[float] = field(default_factory=list)
    consecutive_conversion_errors: int = 0
    last_error: str = ''
    lost_in_transport: int = 0


@dataclass(frozen=True)
class PeriodReport:
    """What :meth:`FrameQueue.end_period` returns: one period's account, taken atomically."""

    counters: FrameCounters
    stats: PeriodStats
    period_s: float
    #: ``time.monotonic()`` when the period ended, when the last frame arrived and when the last
    #: usable one did (None: nothing yet since activation).
    now: float
    last_receive: Optional[float]
    last_usable: Optional[float]
    timed_out: bool


class FrameQueue:
    """Keep the newest frames of each stream for one worker; count what becomes of each.

    A stream is ``None`` for the camera or a face id (ROS4HRI's aligned images). Thread-safe:
    one lock guards the queue, the counters and the watchdog times.

    Args:
        pending_per_stream: Frames of one stream kept waiting at most.
        clock: Monotonic seconds (``time.monotonic``; a test may pass its own).

    """

    def __init__(self, pending_per_stream: int = PENDING_FRAMES,
                 clock: Callable[[], float] = time.monotonic):
        """Start closed (no worker may take) and not accepting."""
        self.pending_per_stream = int(pending_per_stream)
        self._clock = clock
        self._wake = threading.Condition(threading.Lock())
        self._pending: Deque[Tuple[Optional[Hashable], object]] = deque()
        self._busy = False
        self._accepting = False
        self._closed = True
        self._counters = FrameCounters()
        self._stats = PeriodStats()
        self._period_started = clock()
        self._last_receive: Optional[float] = None
        # When the last frame was processed (or the first one arrived): the camera watchdog
        # also fires when frames keep coming but none can be used.
        self._last_usable: Optional[float] = None
        self._timed_out = False

    # ------------------------------------------------------------------ states
    def open(self) -> None:
        """Let workers take frames (configure)."""
        with self._wake:
            self._closed = False

    def close(self) -> None:
        """Make every waiting :meth:`take` return None (cleanup)."""
        with self._wake:
            self._closed = True
            self._wake.notify_all()

    def start_accepting(self) -> None:
        """Queue frames from now on and start the watchdog afresh (activate)."""
        with self._wake:
            self._accepting = True
            self._last_usable = None
            self._timed_out = False

    def stop_accepting(self, wait_s: float = 5.0) -> None:
        """Drop the waiting frames (``stopped``) and wait up to ``wait_s`` for the one in work."""
        with self._wake:
            self._accepting = False
            while self._pending:
                self._pending.popleft()
                self._count_dropped('stopped')
            self._wake.wait_for(lambda: not self._busy, timeout=wait_s)

    @property
    def accepting(self) -> bool:
        """Return whether frames are queued (the node is active)."""
        return self._accepting

    # ------------------------------------------------------------------ input
    def put(self, stream: Optional[Hashable], msg: object) -> None:
        """Count a received frame and queue it, dropping its stream's oldest if it is full."""
        with self._wake:
            self._counters.received += 1
            self._counters.in_flight += 1
            self._stats.received += 1
            self._last_receive = self._clock()
            if self._last_usable is None:
                self._last_usable = self._last_receive
            if not self._accepting:  # delivered while deactivating
                self._count_dropped('stopped')
                return
            same = [entry for entry in self._pending if entry[0] == stream]
            if len(same) >= self.pending_per_stream:
                self._pending.remove(same[0])
                self._count_dropped('keep_newest')
            self._pending.append((stream, msg))
            self._wake.notify_all()

    def drop_streams(self, streams: Iterable[Hashable], reason: str) -> None:
        """Drop the waiting frames of ``streams`` for ``reason`` (e.g. ``face_gone``)."""
        streams = set(streams)
        with self._wake:
            for entry in [entry for entry in self._pending if entry[0] in streams]:
                self._pending.remove(entry)
                self._count_dropped(reason)

    def note_faces_listed(self, any_faces: bool) -> None:
        """Note a list of tracked faces (ROS4HRI): input arrives, and no face is usable too."""
        with self._wake:
            now = self._clock()
            if not any_faces or self._last_usable is None:
                # No face to read is a usable state (the watchdog is about images that stop
                # while faces are tracked, or the face detector itself stopping).
                self._last_usable = now
            if self._last_receive is None:
                self._last_receive = now

    def lost_in_transport(self, change: int, total: int) -> None:
        """Count frames DDS says were sent but never arrived (``change`` new, ``total`` ever)."""
        with self._wake:
            self._stats.lost_in_transport += change
            self._counters.lost_in_transport = total

    # ------------------------------------------------------------------ worker
    def take(self, poll_s: float = 0.5) -> Optional[Tuple[Optional[Hashable], object]]:
        """Wait for the oldest waiting ``(stream, msg)``; return None once closed."""
        with self._wake:
            while not self._pending and not self._closed:
                self._wake.wait(poll_s)
            if self._closed:
                return None
            self._busy = True
            return self._pending.popleft()

    def done(self, outcome: str, face_found: bool = False, processing_s: float = 0.0,
             stamp_age_s: float = 0.0) -> bool:
        """Account the frame last taken: :data:`PROCESSED` or a drop reason.

        Returns:
            Whether a processed frame ended a camera timeout (frames arrive again).

        Raises:
            ValueError: ``outcome`` is neither processed nor one of :data:`DROP_REASONS`.

        """
        if outcome != PROCESSED and outcome not in DROP_REASONS:
            raise ValueError(f'unknown outcome {outcome!r}; expected {PROCESSED!r} or one of '
                             f'{DROP_REASONS}')
        recovered = False
        with self._wake:
            if outcome == PROCESSED:
                self._counters.processed += 1
                self._counters.in_flight -= 1
                self._stats.processed += 1
                self._stats.faces += int(face_found)
                self._stats.processing_s.append(processing_s)
                self._stats.stamp_age_s.append(stamp_age_s)
                self._last_usable = self._clock()
                recovered, self._timed_out = self._timed_out, False
            else:
                self._count_dropped(outcome)
            self._busy = False
            self._wake.notify_all()
        return recovered

    def conversion_failed(self, error: str) -> None:
        """Note a frame that cannot be converted (diagnostics turn ERROR after a run of them)."""
        with self._wake:
            self._stats.consecutive_conversion_errors += 1
            self._stats.last_error = error

    def conversion_succeeded(self) -> None:
        """End a run of conversion errors."""
        with self._wake:
            self._stats.consecutive_conversion_errors = 0

    # ------------------------------------------------------------------ reading
    def counters(self) -> FrameCounters:
        """Return a consistent copy of the frame counters."""
        with self._wake:
            return replace(self._counters)

    def check_timeout(self, timeout_s: float) -> bool:
        """Return True once when no usable frame came for ``timeout_s`` (then timed out)."""
        with self._wake:
            last = self._last_usable
            if last is None or self._timed_out or self._clock() - last <= timeout_s:
                return False
            self._timed_out = True
            return True

    @property
    def timed_out(self) -> bool:
        """Return whether the watchdog fired and no usable frame came since."""
        return self._timed_out

    def end_period(self) -> PeriodReport:
        """Return the period's account and start a new period."""
        with self._wake:
            now = self._clock()
            stats, self._stats = self._stats, PeriodStats(
                consecutive_conversion_errors=self._stats.consecutive_conversion_errors,
                last_error=self._stats.last_error)
            period, self._period_started = max(now - self._period_started, 1e-6), now
            return PeriodReport(
                counters=FrameCounters(**asdict(self._counters)), stats=stats, period_s=period,
                now=now, last_receive=self._last_receive, last_usable=self._last_usable,
                timed_out=self._timed_out)

    def _count_dropped(self, reason: str) -> None:
        """Count one frame in flight as dropped for ``reason`` (call with the lock)."""
        name = f'dropped_{reason}'
        setattr(self._counters, name, getattr(self._counters, name) + 1)
        self._counters.in_flight -= 1
        self._stats.dropped += 1
