# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The health rules of /diagnostics (no ROS): each rule's level and message, the values."""

from dataclasses import replace

import pytest

from emotion_estimator.frame_queue import DROP_REASONS, FrameCounters, PeriodReport, PeriodStats
from emotion_estimator.health import (
    CONVERSION_ERROR_LIMIT, ERROR, LOST_WARN_RATIO, NodeState, OK, pipeline_health, WARN)

STATE = NodeState(lifecycle_state='active', configure_failure='', input_topic='/camera/image',
                  face_source='camera', label='happy', last_stamp_s=12.5, stamp_jumps_back=0,
                  camera_timeout_s=2.0, processing_time_warn_ms=50.0)


def report(**stats) -> PeriodReport:
    """Return a one-second period of 30 frames, 10 ms each, with ``stats`` changed."""
    period = PeriodStats(received=30, processed=30, faces=30, processing_s=[0.01] * 30,
                         stamp_age_s=[0.02] * 30)
    return PeriodReport(counters=FrameCounters(received=30, processed=30),
                        stats=replace(period, **stats), period_s=1.0, now=50.0,
                        last_receive=49.9, last_usable=49.9, timed_out=False)


def test_a_healthy_period_is_ok_with_its_rates_and_times():
    health = pipeline_health(report(), STATE)
    assert (health.level, health.message) == (OK, 'ok')
    values = health.values
    assert values['input_rate_hz'] == '30.00' and values['output_rate_hz'] == '30.00'
    assert values['processing_time_mean_ms'] == '10.00'
    assert values['stamp_to_output_ms_p50'] == '20.00'
    assert values['face_found_ratio'] == '1.000' and values['label'] == 'happy'
    assert values['last_stamp'] == '12.500000'
    assert {f'dropped_{reason}' for reason in DROP_REASONS} <= set(values)


def test_an_empty_period_has_no_times():
    health = pipeline_health(report(received=0, processed=0, faces=0, processing_s=[],
                                    stamp_age_s=[]), STATE)
    assert health.level == OK
    assert health.values['stamp_to_output_ms_p50'] == 'n/a'
    assert health.values['face_found_ratio'] == 'n/a'


def test_slow_processing_warns():
    health = pipeline_health(report(processing_s=[0.06] * 30), STATE)
    assert health.level == WARN and 'processing takes 60.0 ms' in health.message


def test_a_run_of_conversion_errors_is_an_error():
    below = pipeline_health(report(consecutive_conversion_errors=CONVERSION_ERROR_LIMIT - 1,
                                   last_error='16UC1'), STATE)
    assert below.level == OK
    health = pipeline_health(report(consecutive_conversion_errors=CONVERSION_ERROR_LIMIT,
                                    last_error='encoding 16UC1'), STATE)
    assert health.level == ERROR and '16UC1' in health.message


@pytest.mark.parametrize('lost,level', [(1, OK), (2, WARN)])
def test_frames_lost_before_the_node_warn_above_a_share(lost, level):
    # 30 received: 1 lost of 31 is under LOST_WARN_RATIO (5%), 2 of 32 is over.
    assert (lost / (30 + lost) >= LOST_WARN_RATIO) == (level == WARN)
    health = pipeline_health(report(lost_in_transport=lost), STATE)
    assert health.level == level
    assert ('lost before the node' in health.message) == (level == WARN)


def test_nothing_received_and_timeout_warn_only_while_active():
    nothing = replace(report(), last_receive=None, last_usable=None)
    assert pipeline_health(nothing, STATE).level == WARN
    assert 'nothing received yet on /camera/image' in pipeline_health(nothing, STATE).message
    timed_out = replace(report(), timed_out=True, last_usable=47.0)
    health = pipeline_health(timed_out, STATE)
    assert health.level == WARN and 'no usable image for 3.0 s' in health.message
    inactive = replace(STATE, lifecycle_state='inactive')
    assert pipeline_health(timed_out, inactive).level == OK
    assert pipeline_health(nothing, inactive).message == 'inactive'


def test_a_failed_configure_is_an_error_with_its_reason():
    state = replace(STATE, lifecycle_state='unconfigured',
                    configure_failure='face model not found. Fix: ...')
    health = pipeline_health(report(), state)
    assert health.level == ERROR
    assert health.message == 'unconfigured: face model not found. Fix: ...'
