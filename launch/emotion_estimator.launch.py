# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Start the emotion_estimator node with the package's parameter file.

Examples: ``ros2 launch emotion_estimator emotion_estimator.launch.py
image_topic:=/camera/image_raw`` or ``... params_file:=/path/to/my.yaml``.
"""

import os

from ament_index_python.packages import get_package_share_directory
from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import Node


def generate_launch_description() -> LaunchDescription:
    """Return the node with a params_file and an image_topic argument."""
    default_params = os.path.join(
        get_package_share_directory('emotion_estimator'), 'config', 'emotion_estimator.yaml')
    return LaunchDescription([
        DeclareLaunchArgument(
            'params_file', default_value=default_params,
            description='YAML file with the emotion_estimator node parameters'),
        DeclareLaunchArgument(
            'image_topic', default_value='image',
            description='camera topic remapped to the node input "image" (with '
                        'use_compressed: true the node reads <image_topic>/compressed)'),
        Node(
            package='emotion_estimator',
            executable='emotion_estimator_node',
            name='emotion_estimator',
            parameters=[LaunchConfiguration('params_file')],
            remappings=[
                ('image', LaunchConfiguration('image_topic')),
                ('image/compressed', [LaunchConfiguration('image_topic'), '/compressed']),
            ],
            output='screen',
            emulate_tty=True,
        ),
    ])
