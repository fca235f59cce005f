# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The node's parameters: rclpy enforces their descriptors; the checks across parameters.

The node has no set-parameters check of its own: these tests show, on a plain rclpy node with
the same declarations, that rclpy's parameter API refuses what the descriptors do not allow.
"""

import math

import pytest
import rclpy
from rclpy.exceptions import InvalidParameterValueException
from rclpy.node import Node
from rclpy.parameter import Parameter

from emotion_estimator.ros.node_parameters import (
    configuration_problem, DECISION_PARAMETERS, estimator_arguments, FRONT_END_OF_FACE_SOURCE,
    PARAMETERS)


@pytest.fixture(scope='module')
def node():
    context = rclpy.Context()
    rclpy.init(context=context)
    declared = Node('parameters_under_test', context=context)
    for name, (default, descriptor) in PARAMETERS.items():
        declared.declare_parameter(name, default, descriptor)
    yield declared
    declared.destroy_node()
    rclpy.shutdown(context=context)


@pytest.mark.parametrize('name,value,reason', [
    ('min_confidence', 1.5, 'out of range'),
    ('min_confidence', -1.5, 'out of range'),
    ('smoothing_time_s', 11.0, 'out of range'),
    ('camera_timeout_s', 0.0, 'out of range'),
    ('camera_timeout_s', math.inf, 'out of range'),
    ('processing_time_warn_ms', -5.0, 'out of range'),
    ('min_dwell_s', math.nan, 'out of range'),
    ('switch_margin', 1, 'Wrong parameter type'),
    ('min_confidence', 'high', 'Wrong parameter type'),
    ('face_lost_grace_s', True, 'Wrong parameter type'),
    ('max_faces', 2, 'read-only'),
    ('model_variant', 'int8', 'read-only'),
    ('face_source', 'ros4hri', 'read-only'),
])
def test_descriptors_refuse_wrong_types_ranges_and_read_only(node, name, value, reason):
    before = node.get_parameter(name).value
    result = node.set_parameters([Parameter(name, value=value)])[0]
    assert not result.successful and reason in result.reason
    assert node.get_parameter(name).value == before


@pytest.mark.parametrize('name,value', [
    ('min_confidence', 1.0), ('min_confidence', -1.0), ('smoothing_time_s', 0.0),
    ('camera_timeout_s', 0.1), ('processing_time_warn_ms', 900.0), ('switch_margin', 0.25)])
def test_values_in_range_are_accepted(node, name, value):
    assert node.set_parameters([Parameter(name, value=value)])[0].successful
    assert node.get_parameter(name).value == value


def test_an_out_of_range_override_stops_the_declaration():
    context = rclpy.Context()
    rclpy.init(context=context)
    try:
        other = Node('overridden', context=context,
                     parameter_overrides=[Parameter('camera_timeout_s', value=-1.0)])
        default, descriptor = PARAMETERS['camera_timeout_s']
        with pytest.raises(InvalidParameterValueException):
            other.declare_parameter('camera_timeout_s', default, descriptor)
        other.destroy_node()
    finally:
        rclpy.shutdown(context=context)


def test_every_parameter_has_a_description_and_decision_ones_a_range():
    for name, (_, descriptor) in PARAMETERS.items():
        assert descriptor.description, name
    for name in DECISION_PARAMETERS:
        (low, high) = (PARAMETERS[name][1].floating_point_range[0].from_value,
                       PARAMETERS[name][1].floating_point_range[0].to_value)
        assert low == -1.0 and high > 0, name


def _values(**changes):
    return {**{name: default for name, (default, _) in PARAMETERS.items()}, **changes}


def test_configuration_problems_name_the_fix():
    assert configuration_problem(_values(), have_hri_msgs=False) == ''
    assert 'must be one of' in configuration_problem(_values(face_source='kinect'), True)
    assert all(source in configuration_problem(_values(face_source='x'), True)
               for source in FRONT_END_OF_FACE_SOURCE)
    assert 'build_ros_workspace.sh' in configuration_problem(
        _values(face_source='ros4hri'), have_hri_msgs=False)
    assert 'use_compressed false' in configuration_problem(
        _values(face_source='ros4hri', use_compressed=True), have_hri_msgs=True)
    assert configuration_problem(_values(face_source='ros4hri'), have_hri_msgs=True) == ''


def test_estimator_arguments_follow_the_parameters():
    arguments = estimator_arguments(_values())
    assert arguments['spec_path'] is None and arguments['variant'] is None
    assert arguments['faces_from'] == 'frames' and arguments['num_threads'] == 1
    arguments = estimator_arguments(_values(face_source='ros4hri', model_variant='fp32',
                                            max_faces=3))
    assert arguments['faces_from'] == 'face_images' and arguments['variant'] == 'fp32'
    assert arguments['max_faces'] == 3
