# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The ROS 2 glue: the lifecycle node, its parameters, inputs and outputs, and the demo.

Everything here imports rclpy or ROS messages; the modules one level up do not.
"""
