# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""StreamOrder (no ROS): a late frame is dropped, a jump back restarts, streams apart."""

from emotion_estimator.stream_order import IN_ORDER, JUMPED_BACK, LATE, StreamOrder


def test_newer_stamps_are_in_order_and_a_slightly_older_one_is_late():
    order = StreamOrder(out_of_order_s=1.0)
    assert order.check(None, 10.0) == IN_ORDER
    order.processed(None, 10.0)
    assert order.check(None, 10.1) == IN_ORDER
    assert order.check(None, 10.0) == LATE  # delivered twice
    assert order.check(None, 9.2) == LATE  # delivered late
    assert order.jumps_back == 0 and order.last() == 10.0


def test_a_large_jump_back_restarts_and_is_counted():
    order = StreamOrder(out_of_order_s=1.0)
    order.processed(None, 100.0)
    assert order.check(None, 99.0) == JUMPED_BACK  # exactly out_of_order_s back
    assert order.check(None, 5.0) == JUMPED_BACK
    assert order.jumps_back == 2


def test_streams_are_apart_and_can_be_forgotten():
    order = StreamOrder()
    order.processed(None, 50.0)
    order.processed('face', 10.0)
    assert order.check('face', 10.5) == IN_ORDER
    assert order.check('other', 1.0) == IN_ORDER
    order.forget(['face', 'never seen'])
    assert order.last('face') is None and order.last() == 50.0
    order.clear()
    assert order.last() is None and order.check(None, 1.0) == IN_ORDER
