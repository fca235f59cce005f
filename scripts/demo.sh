#!/usr/bin/env bash
# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
#
# Run the node on a bundled face photo and print what it publishes; no camera, no system ROS.
# Installs the runtime (ROS 2 Kilted wheels from PyPI, mediapipe, ai-edge-litert; no TensorFlow)
# into .venv on first use and gets the MediaPipe face model once (download with sha256 check, or
# the shared copy where one is present). Arguments go to `emotion-estimator demo`
# (e.g. --duration 0, --webcam 0, --video clip.mp4).
#
# It also builds the interface package emotion_estimator_msgs with colcon into build_ros/
# (scripts/build_ros_workspace.sh: the rosidl and ament_cmake wheels into .venv, then cmake and the
# C/C++ compiler; with the shared ROS sources, hri_msgs, launch and the ros2 CLI as well) and runs
# the demo with build_ros/env.sh sourced, so that the node publishes emotion/faces too. The first
# build takes a few minutes, later runs skip it when nothing changed (its log:
# build_ros/demo_build.log). Without cmake, make or a compiler, or when the build fails, it says so
# in one line and the node publishes the std_msgs topics only.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PYTHON=${PYTHON:-python3}
. scripts/find_shared.sh

if [ ! -x .venv/bin/emotion-estimator ]; then
    [ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
    # (The filter drops pip's warnings about this machine's empty local package folders.)
    .venv/bin/python -m pip install --quiet --upgrade pip \
        2> >(grep -v 'is ignored: it is neither a file nor a directory' >&2)
    .venv/bin/python -m pip install --quiet -e '.[ros,demo]' \
        2> >(grep -v 'is ignored: it is neither a file nor a directory' >&2)
fi
if [ -z "${EMOTION_ESTIMATOR_FACE_MODEL:-}" ] \
        && [ -f "${EMOTION_ESTIMATOR_SHARED:-}/models/face_landmarker.task" ]; then
    export EMOTION_ESTIMATOR_FACE_MODEL="$EMOTION_ESTIMATOR_SHARED/models/face_landmarker.task"
fi
.venv/bin/python -c 'from emotion_estimator.model_files import find_face_model; find_face_model()' \
    2>/dev/null || .venv/bin/emotion-estimator fetch-models

# The typed messages: build (or bring up to date) build_ros/, then use it.
FALLBACK='going on without emotion_estimator_msgs (the node publishes the std_msgs topics only)'
LOG=build_ros/demo_build.log
if missing=$(./scripts/build_ros_workspace.sh --check 2>&1); then
    mkdir -p build_ros
    [ -f build_ros/env.sh ] || echo "demo.sh: building the ROS messages into build_ros/" \
        "(first time only, 1 to 3 min; log: $LOG)"
    if ./scripts/build_ros_workspace.sh > "$LOG" 2>&1; then
        . build_ros/env.sh
    else
        tail -n 20 "$LOG" >&2
        echo "demo.sh: building build_ros/ failed (above; all of it in $LOG): $FALLBACK" >&2
    fi
else
    echo "demo.sh: $missing: $FALLBACK" >&2
fi
exec .venv/bin/emotion-estimator demo "$@"
