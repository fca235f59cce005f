# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
#
# Sourced by the scripts: set EMOTION_ESTIMATOR_SHARED, unless it is set, to ../shared beside the
# checkout, or /work/shared where CI clones into a temporary folder (left empty if neither is).
if [ -z "${EMOTION_ESTIMATOR_SHARED:-}" ]; then
    for candidate in "$ROOT/../shared" /work/shared; do
        if [ -d "$candidate" ]; then
            EMOTION_ESTIMATOR_SHARED=$(cd "$candidate" && pwd)
            break
        fi
    done
fi
