#!/usr/bin/env bash
# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
#
# Run the node on a bundled face photo and print what it publishes; no camera, no system ROS.
# Installs the runtime (ROS 2 Kilted wheels from PyPI, mediapipe, ai-edge-litert; no TensorFlow)
# into .venv on first use and gets the MediaPipe face model once (download with sha256 check, or
# the shared copy where one is present). Arguments go to `emotion-estimator demo`
# (e.g. --duration 0, --webcam 0, --video clip.mp4).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
SHARED=${EMOTION_ESTIMATOR_SHARED:-$(cd .. && pwd)/shared}

if [ ! -x .venv/bin/emotion-estimator ]; then
    [ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e '.[ros,demo]'
fi
if [ -z "${EMOTION_ESTIMATOR_FACE_MODEL:-}" ] && [ -f "$SHARED/models/face_landmarker.task" ]; then
    export EMOTION_ESTIMATOR_FACE_MODEL="$SHARED/models/face_landmarker.task"
fi
.venv/bin/python -c 'from emotion_estimator.model_files import find_face_model; find_face_model()' \
    2>/dev/null || .venv/bin/emotion-estimator fetch-models
exec .venv/bin/emotion-estimator demo "$@"
