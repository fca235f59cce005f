# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Train the emotion_estimator LSTM from FER2013 (needs TensorFlow; the runtime does not)."""
