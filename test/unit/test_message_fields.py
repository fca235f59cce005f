# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""What the node's messages say, without ROS: expression names, confidence, fallback, ids."""

from emotion_estimator.contract import CLASS_NAMES, DecisionSettings
from emotion_estimator.estimator import EmotionResult
from emotion_estimator.message_fields import (
    expression_name, fallback_message, label_confidence, tracked_ids)


def _scores(**values) -> dict:
    return {name: float(values.get(name, 0.0)) for name in CLASS_NAMES}


def test_expression_is_the_label_or_the_largest_other_class():
    assert expression_name('happy', _scores(happy=0.9)) == 'happy'
    assert expression_name('sad', _scores(sad=0.6, neutral=0.4)) == 'sad'
    assert expression_name('unknown', _scores(happy=0.5, surprise=0.3, fear=0.2)) == 'surprised'
    assert expression_name('unknown', _scores(fear=0.7, neutral=0.3)) == 'scared'
    assert expression_name('unknown', _scores()) == 'neutral'


def test_confidence_is_the_smoothed_score_of_the_label():
    result = EmotionResult('sad', _scores(sad=0.5, neutral=0.5), True, 1.0)
    assert label_confidence(result, DecisionSettings(), smoothed=[0.1, 0.7, 0.2]) == 0.7
    unsmoothed = label_confidence(result, DecisionSettings(happy_gain=1.0, sad_gain=1.0))
    assert abs(unsmoothed - 0.5) < 1e-9
    empty = EmotionResult('unknown', _scores(), False, 1.0)
    assert label_confidence(empty, DecisionSettings()) == 0.0


def test_fallback_is_one_line_naming_what_is_missing():
    assert fallback_message(True, True) is None
    line = fallback_message(False, False)
    assert '\n' not in line and 'emotion_estimator_msgs' in line and 'hri_msgs' in line
    assert 'emotion/faces' in line and 'emotion/scores' in line
    assert 'hri_msgs' not in fallback_message(False, True)


def test_fallback_names_the_fix_of_each_situation():
    # A plain pip install: the build script builds the messages (cmake and a compiler), and the
    # environment must be sourced.
    pip_only = fallback_message(False, False)
    assert 'scripts/build_ros_workspace.sh' in pip_only and 'source build_ros/env.sh' in pip_only
    assert 'cmake' in pip_only and 'compiler' in pip_only
    assert '../shared/ros/src' in pip_only and '$EMOTION_ESTIMATOR_SHARED/ros/src' in pip_only
    assert 'cmake' in fallback_message(False, True)
    assert 'shared' not in fallback_message(False, True)
    # Built without the shared sources: emotion/faces works; only hri_msgs' sources are missing.
    no_shared = fallback_message(True, False)
    assert '\n' not in no_shared
    assert 'emotion/faces work as usual' in no_shared
    assert 'not publishing emotion/faces' not in no_shared
    assert '../shared/ros/src' in no_shared and 'cmake' not in no_shared
    assert 'emotion_estimator_msgs' not in no_shared


def test_tracked_ids_once_each_in_order_without_empty_ones():
    assert tracked_ids(['b', '', 'a', 'b', 'c']) == ['b', 'a', 'c']
