# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The order of each image stream's stamps: drop a late frame, notice time going back (no ROS)."""

from typing import Dict, Hashable, Iterable, Optional

#: A frame at most this much older than the last processed one is taken as delivered out of
#: order and dropped; a larger jump back (a bag that loops, a clock reset) restarts the window.
OUT_OF_ORDER_S = 1.0

#: What :meth:`StreamOrder.check` returns.
IN_ORDER, LATE, JUMPED_BACK = 'in_order', 'late', 'jumped_back'


class StreamOrder:
    """The stamp of the last processed frame of each stream (None: the camera, else a face id).

    Not thread-safe: the node calls it from its worker (and the transitions) under one lock.

    Args:
        out_of_order_s: A frame up to this much older than the last processed one is late.

    """

    def __init__(self, out_of_order_s: float = OUT_OF_ORDER_S):
        """Start with no stream seen."""
        self.out_of_order_s = float(out_of_order_s)
        self._last: Dict[Optional[Hashable], float] = {}
        #: Times a stream's stamps went back by ``out_of_order_s`` or more, since the start.
        self.jumps_back = 0

    def check(self, stream: Optional[Hashable], stamp_s: float) -> str:
        """Return :data:`LATE` (drop it), :data:`JUMPED_BACK` (restart) or :data:`IN_ORDER`."""
        previous = self._last.get(stream)
        if previous is None or stamp_s > previous:
            return IN_ORDER
        if previous - stamp_s < self.out_of_order_s:
            # A frame delivered late (executor threads can swap two callbacks) or twice: it
            # is older than what was shown already, so drop it rather than restart.
            return LATE
        self.jumps_back += 1
        return JUMPED_BACK

    def processed(self, stream: Optional[Hashable], stamp_s: float) -> None:
        """Note the stamp of a processed frame."""
        self._last[stream] = stamp_s

    def last(self, stream: Optional[Hashable] = None) -> Optional[float]:
        """Return the stamp of the stream's last processed frame (None: none yet)."""
        return self._last.get(stream)

    def forget(self, streams: Iterable[Hashable]) -> None:
        """Forget streams that ended (faces that left)."""
        for stream in streams:
            self._last.pop(stream, None)

    def clear(self) -> None:
        """Forget every stream (reset, deactivate, camera timeout)."""
        self._last.clear()
