# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Start the emotion_estimator node with the package's parameter file.

``ros2 launch emotion_estimator emotion_estimator.launch.py image_topic:=/camera/image_raw``.
The node is a lifecycle node: launch configures it, then activates it once it is inactive
(``autostart:=false`` leaves that to a lifecycle manager; the node's own ``autostart`` is set
false here). The Fast DDS profile is chosen by the node's entry point
(``emotion_estimator.dds_profile``), not here.
"""

import os

from ament_index_python.packages import get_package_share_directory
from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, EmitEvent, OpaqueFunction, RegisterEventHandler
from launch.conditions import IfCondition
from launch.events import matches_action
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import LifecycleNode
from launch_ros.event_handlers import OnStateTransition
from launch_ros.events.lifecycle import ChangeState
from lifecycle_msgs.msg import Transition


def generate_launch_description() -> LaunchDescription:
    """Return the node with params_file, image_topic, face_source and autostart arguments."""
    share = get_package_share_directory('emotion_estimator')
    default_params = os.path.join(share, 'config', 'emotion_estimator.yaml')

    def node_with_overrides(context):
        overrides = {'autostart': False}
        face_source = context.launch_configurations.get('face_source', '')
        if face_source:  # '' = as in params_file
            overrides['face_source'] = face_source
        node = LifecycleNode(
            package='emotion_estimator',
            executable='emotion_estimator_node',
            name='emotion_estimator',
            namespace='',
            parameters=[LaunchConfiguration('params_file'), overrides],
            remappings=[
                ('image', LaunchConfiguration('image_topic')),
                ('image/compressed', [LaunchConfiguration('image_topic'), '/compressed']),
            ],
            output='screen',
            emulate_tty=True,
        )
        autostart = IfCondition(LaunchConfiguration('autostart'))
        return [
            # Activate once, after configuring: a later deactivate (by a user or a manager)
            # is not undone.
            RegisterEventHandler(OnStateTransition(
                target_lifecycle_node=node, start_state='configuring', goal_state='inactive',
                entities=[EmitEvent(event=ChangeState(
                    lifecycle_node_matcher=matches_action(node),
                    transition_id=Transition.TRANSITION_ACTIVATE))]),
                condition=autostart),
            node,
            EmitEvent(event=ChangeState(lifecycle_node_matcher=matches_action(node),
                                        transition_id=Transition.TRANSITION_CONFIGURE),
                      condition=autostart),
        ]

    return LaunchDescription([
        DeclareLaunchArgument(
            'params_file', default_value=default_params,
            description='YAML file with the emotion_estimator node parameters'),
        DeclareLaunchArgument(
            'image_topic', default_value='image',
            description='camera topic remapped to the node input "image" (with '
                        'use_compressed: true the node reads <image_topic>/compressed)'),
        DeclareLaunchArgument(
            'face_source', default_value='',
            description='camera (faces found in image_topic) or ros4hri (the faces that '
                        'ROS4HRI hri_face_detect publishes); empty = as in params_file'),
        DeclareLaunchArgument(
            'autostart', default_value='true',
            description='bring the lifecycle node to active (configure, then activate); '
                        'false = leave it unconfigured for a lifecycle manager'),
        OpaqueFunction(function=node_with_overrides),
    ])
