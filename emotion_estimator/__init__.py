# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Real-time emotion estimation from MediaPipe blendshapes and a small LSTM.

``EmotionEstimator`` is imported lazily so that ``emotion_estimator.contract`` stays cheap to
import.
"""

__all__ = ['EmotionEstimator', 'EmotionResult']


def __getattr__(name):
    if name in __all__:
        from emotion_estimator import estimator
        return getattr(estimator, name)
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
