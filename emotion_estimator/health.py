# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The health rules of the node's ``/diagnostics`` status: level, message and values (no ROS).

The node turns :class:`Health` into a ``diagnostic_msgs/DiagnosticStatus``; the levels are the
message's (OK 0, WARN 1, ERROR 2).
"""

from dataclasses import dataclass
from typing import Dict, List, Optional

import numpy as np

from emotion_estimator.frame_queue import PeriodReport

OK, WARN, ERROR = 0, 1, 2

#: Consecutive frames that fail to convert before diagnostics turn ERROR.
CONVERSION_ERROR_LIMIT = 5

#: Diagnostics warn when at least this share of the frames sent in a period were lost on the way.
LOST_WARN_RATIO = 0.05


@dataclass(frozen=True)
class NodeState:
    """What the node is and reads, beside the frame account of :class:`PeriodReport`."""

    lifecycle_state: str
    #: Why the last configure failed ('' when it did not).
    configure_failure: str
    input_topic: str
    face_source: str
    label: str
    last_stamp_s: Optional[float]
    stamp_jumps_back: int
    camera_timeout_s: float
    processing_time_warn_ms: float
    model_file: str = 'none'
    model_variant: str = 'none'
    face_model_file: str = 'none'


@dataclass(frozen=True)
class Health:
    """The pipeline status: a level (:data:`OK`, :data:`WARN`, :data:`ERROR`) and why."""

    level: int
    message: str
    values: Dict[str, str]


def pipeline_health(report: PeriodReport, state: NodeState) -> Health:
    """Return the status of one diagnostics period.

    ERROR: configure failed, or :data:`CONVERSION_ERROR_LIMIT` frames in a row could not be
    converted. WARN (while active): nothing received yet, no usable image for
    ``camera_timeout_s``, at least :data:`LOST_WARN_RATIO` of the frames sent lost before the
    node, or a mean processing time over ``processing_time_warn_ms``.
    """
    stats = report.stats
    times_ms = np.array(stats.processing_s) * 1000.0
    mean_ms = float(times_ms.mean()) if times_ms.size else 0.0
    level = OK
    messages: List[str] = []
    active = state.lifecycle_state == 'active'
    if not active:
        failure = state.configure_failure
        messages.append(state.lifecycle_state + (f': {failure}' if failure else ''))
        if failure:
            level = ERROR
    if stats.consecutive_conversion_errors >= CONVERSION_ERROR_LIMIT:
        level = ERROR
        messages.append(f'{stats.consecutive_conversion_errors} frames in a row cannot be '
                        f'converted: {stats.last_error}')
    if report.last_receive is None and active:
        level = max(level, WARN)
        messages.append(f'nothing received yet on {state.input_topic}')
    elif report.timed_out and active:
        level = max(level, WARN)
        messages.append(f'no usable image for {report.now - report.last_usable:.1f} s '
                        f'(camera_timeout_s={state.camera_timeout_s:g})')
    sent = stats.received + stats.lost_in_transport
    if stats.lost_in_transport and stats.lost_in_transport >= LOST_WARN_RATIO * sent:
        level = max(level, WARN)
        messages.append(f'{stats.lost_in_transport} of {sent} frames lost before the node '
                        '(net.core.rmem_max too small for large images? see the README, or '
                        'set use_compressed)')
    if mean_ms > state.processing_time_warn_ms:
        level = max(level, WARN)
        messages.append(f'processing takes {mean_ms:.1f} ms per frame '
                        f'(> processing_time_warn_ms={state.processing_time_warn_ms:g})')
    return Health(level, '; '.join(messages) if messages else 'ok',
                  _values(report, state, times_ms))


def _values(report: PeriodReport, state: NodeState, times_ms: np.ndarray) -> Dict[str, str]:
    """Return the key-values of the status (rates, times, counters, inputs, models)."""
    stats, counters, period = report.stats, report.counters, report.period_s
    ages_ms = np.array(stats.stamp_age_s) * 1000.0
    return {
        'label': state.label,
        'input_rate_hz': f'{stats.received / period:.2f}',
        'output_rate_hz': f'{stats.processed / period:.2f}',
        'processing_time_mean_ms': f'{times_ms.mean():.2f}' if times_ms.size else '0.00',
        'processing_time_max_ms': f'{times_ms.max():.2f}' if times_ms.size else '0.00',
        'stamp_to_output_ms_p50': f'{np.percentile(ages_ms, 50):.2f}' if ages_ms.size else 'n/a',
        'stamp_to_output_ms_max': f'{ages_ms.max():.2f}' if ages_ms.size else 'n/a',
        'frames_received': str(counters.received),
        'frames_processed': str(counters.processed),
        'frames_in_flight': str(counters.in_flight),
        'frames_lost_in_transport': str(counters.lost_in_transport),
        'dropped_frames': str(counters.dropped),
        **{f'dropped_{reason}': str(count)
           for reason, count in counters.dropped_by_reason().items()},
        'dropped_frames_in_period': str(stats.dropped),
        'face_found_ratio': (f'{stats.faces / stats.processed:.3f}'
                             if stats.processed else 'n/a'),
        'conversion_errors': str(counters.dropped_bad),
        'consecutive_conversion_errors': str(stats.consecutive_conversion_errors),
        'last_conversion_error': stats.last_error,
        'stamp_jumps_back': str(state.stamp_jumps_back),
        'last_stamp': f'{state.last_stamp_s:.6f}' if state.last_stamp_s is not None else 'none',
        'input_topic': state.input_topic,
        'face_source': state.face_source,
        'lifecycle_state': state.lifecycle_state,
        'model_file': state.model_file,
        'model_variant': state.model_variant,
        'face_model_file': state.face_model_file,
    }
