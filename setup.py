# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Build the emotion_estimator package with colcon (ament_python) or pip."""

from glob import glob

from setuptools import find_packages, setup

package_name = 'emotion_estimator'

setup(
    name=package_name,
    version='0.1.0',
    packages=find_packages(exclude=['test', 'test.*', 'training', 'training.*']),
    # The packages sit in the repository root: said so, `pip install -e .` is a plain .pth file
    # and setuptools prints no "Editable installation" banner on the demo's first run.
    package_dir={'': '.'},
    # The face detector for max_faces > 1 (MediaPipe's BlazeFace; see emotion_estimator/data/).
    package_data={package_name: ['data/*.tflite', 'data/*.md']},
    data_files=[
        ('share/ament_index/resource_index/packages', ['resource/' + package_name]),
        ('share/' + package_name, ['package.xml']),
        ('share/' + package_name + '/launch', glob('launch/*.launch.py')),
        ('share/' + package_name + '/config', glob('config/*.yaml') + glob('config/*.xml')),
        ('share/' + package_name + '/models',
         glob('models/*.json') + glob('models/*.tflite') + glob('models/*.md')),
    ],
    python_requires='>=3.10',
    install_requires=[
        'setuptools',
        'mediapipe==1.2.2',
        'numpy==2.4.6',
        'opencv-contrib-python==5.0.0.93',
        # The TFLite interpreter. Its linux aarch64 (Raspberry Pi) wheels are manylinux_2_27
        # (glibc 2.27 or later: Raspberry Pi OS bookworm, Ubuntu 22.04 and 24.04); every
        # requirement here is checked for aarch64 by test/lint/test_aarch64_install.py.
        'ai-edge-litert==2.3.0',
    ],
    extras_require={
        # ROS 2 from PyPI for machines without a system ROS (a robot uses its own ROS install).
        'ros': ['ros-kilted-rclpy', 'ros-kilted-std-msgs', 'ros-kilted-sensor-msgs',
                'ros-kilted-diagnostic-msgs', 'ros-kilted-std-srvs', 'ros-kilted-lifecycle-msgs',
                'ros-kilted-rmw-fastrtps-cpp'],
        # The same for ROS 2 Jazzy (the LTS); these wheels conflict with the Kilted ones, so
        # they go into a virtual environment of their own (scripts/run_tests.sh: .venv-jazzy).
        'ros-jazzy': ['ros-jazzy-rclpy', 'ros-jazzy-std-msgs', 'ros-jazzy-sensor-msgs',
                      'ros-jazzy-diagnostic-msgs', 'ros-jazzy-std-srvs',
                      'ros-jazzy-lifecycle-msgs', 'ros-jazzy-rmw-fastrtps-cpp'],
        # The behaviour-tree example (examples/emotion_behaviour_tree.py).
        'bt': ['py-trees==2.6.0'],
        'analysis': ['rosbags==0.11.9', 'matplotlib==3.11.2', 'tqdm==4.70.1'],
        # analyze-corpus: the analysis packages plus Ray and pyarrow (never needed by the node).
        'corpus': ['rosbags==0.11.9', 'matplotlib==3.11.2', 'tqdm==4.70.1', 'ray==2.60.0',
                   'pyarrow==26.0.1'],
        'demo': ['scikit-image==0.26.0'],
        'test': ['pytest==9.2.0', 'flake8==7.5.0', 'flake8-quotes==3.4.0',
                 'flake8-import-order==0.19.2', 'pydocstyle==6.3.0', 'scikit-image==0.26.0',
                 'py-trees==2.6.0'],
    },
    zip_safe=True,
    maintainer='emotion_estimator authors',
    maintainer_email='emotion-estimator@example.org',
    description='Real-time happy / sad / unknown emotion node from MediaPipe blendshapes and a '
                'small LSTM.',
    license='Apache-2.0',
    entry_points={
        'console_scripts': [
            'emotion_estimator_node = emotion_estimator.ros.node:main',
            'emotion-estimator = emotion_estimator.cli:main',
        ],
    },
)
