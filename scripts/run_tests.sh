#!/usr/bin/env bash
# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
#
# Run every test of the repository from a clean clone: installs what it needs into virtual
# environments (.venv: the runtime on ROS 2 Kilted, with no TensorFlow; .venv-jazzy: the same on
# ROS 2 Jazzy; .venv-train: the training package), then runs the runtime tests (test/unit: the
# library and the analysis; test/ros: the node on a real ROS graph; test/lint: linters, packaging,
# README and docs), the ROS tests again on Jazzy, and the training tests (the whole pipeline on a
# tiny subset of real FER2013 images).
#
# Needs the shared data folder (FER2013 and the MediaPipe face model) at ../shared or at
# $EMOTION_ESTIMATOR_SHARED. Extra arguments are passed to both pytest runs.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
. scripts/find_shared.sh
if [ ! -d "${EMOTION_ESTIMATOR_SHARED:-}" ]; then
    echo "the shared data folder (FER2013, face model) was not found: set EMOTION_ESTIMATOR_SHARED" >&2
    exit 2
fi
export EMOTION_ESTIMATOR_SHARED
PYTHON=${PYTHON:-python3}

if [ -z "${EMOTION_ESTIMATOR_FACE_MODEL:-}" ] \
        && [ -f "$EMOTION_ESTIMATOR_SHARED/models/face_landmarker.task" ]; then
    # Where the face model can't be downloaded (CI, offline labs): use the shared copy.
    export EMOTION_ESTIMATOR_FACE_MODEL="$EMOTION_ESTIMATOR_SHARED/models/face_landmarker.task"
fi

[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[ros,analysis,test,corpus]'
if .venv/bin/python -c 'import tensorflow' 2>/dev/null; then
    echo 'TensorFlow must not be in the runtime environment' >&2
    exit 1
fi
[ -n "${EMOTION_ESTIMATOR_FACE_MODEL:-}" ] || .venv/bin/emotion-estimator fetch-models
# --- begin: oldest TFLite interpreter (test/unit/test_interpreter_versions.py) ---
# ai-edge-litert 1.4.0, the oldest interpreter the shipped models are tested on, with the
# runtime's numpy, in a venv of its own; the test compares its outputs with .venv's.
LITERT_OLDEST=1.4.0
if [ "$(.venv-litert-oldest/bin/python -c 'import importlib.metadata as m
print(m.version("ai-edge-litert"))' 2>/dev/null)" != "$LITERT_OLDEST" ]; then
    rm -rf .venv-litert-oldest
    "$PYTHON" -m venv .venv-litert-oldest
    .venv-litert-oldest/bin/python -m pip install --quiet "ai-edge-litert==$LITERT_OLDEST" \
        "numpy==$(.venv/bin/python -c 'import numpy; print(numpy.__version__)')"
fi
export EMOTION_ESTIMATOR_LITERT_OLDEST_PYTHON="$ROOT/.venv-litert-oldest/bin/python"
# --- end: oldest TFLite interpreter ---
# The colcon workspace build_ros/ (launch, the ros2 CLI, hri_msgs, emotion_estimator_msgs and this
# package) that the `ros2 launch` and message tests use; it skips what is already built.
./scripts/build_ros_workspace.sh
.venv/bin/python -m pytest test "$@"

# --- begin: ROS 2 Jazzy ---
# The ROS tests again on ROS 2 Jazzy (the LTS; rclpy 7, Fast DDS 2.14): the ros-jazzy-* wheels
# conflict with the Kilted ones, so they get .venv-jazzy and the workspace build_ros_jazzy/
# (scripts/build_ros_workspace.sh with EMOTION_ESTIMATOR_ROS_DISTRO=jazzy, which the tests'
# ros_workspace.py reads too). The library, analysis and linter tests do not depend on the
# distribution and run once, above.
JAZZY_TESTS=(test/unit/test_dds_profile.py test/ros/test_node.py test/ros/test_node_process.py
             test/ros/test_ros_launch.py test/ros/test_ros_messages.py test/ros/test_ros_faces.py
             test/ros/test_ros4hri_input.py test/ros/test_behaviour_tree.py)
[ -x .venv-jazzy/bin/python ] || "$PYTHON" -m venv .venv-jazzy
.venv-jazzy/bin/python -m pip install --quiet --upgrade pip
.venv-jazzy/bin/python -m pip install --quiet -e '.[ros-jazzy,test]'
EMOTION_ESTIMATOR_ROS_DISTRO=jazzy ./scripts/build_ros_workspace.sh
EMOTION_ESTIMATOR_ROS_DISTRO=jazzy .venv-jazzy/bin/python -m pytest "${JAZZY_TESTS[@]}" "$@"
# --- end: ROS 2 Jazzy ---

[ -x .venv-train/bin/python ] || "$PYTHON" -m venv .venv-train
.venv-train/bin/python -m pip install --quiet --upgrade pip
.venv-train/bin/python -m pip install --quiet -e . -e './training[test]'
.venv-train/bin/python -m pytest training/tests "$@"
