# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Load the estimator for the node, with an error that says how to fix it (no ROS)."""

from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional

from emotion_estimator.contract import ModelSpecError
from emotion_estimator.estimator import EmotionEstimator
from emotion_estimator.model_files import FETCH_HINT, find_face_model, user_cache_dir
from emotion_estimator.native_log import captured_native_stderr, worth_showing


class NodeStartError(RuntimeError):
    """The node cannot be configured; the message says why and how to fix it."""


class ModelLoadError(NodeStartError):
    """The emotion model or the face model cannot be loaded; the message says how to fix it.

    ``native_lines`` holds all that MediaPipe and TFLite printed while loading.
    """

    def __init__(self, message: str, native_lines: Optional[List[str]] = None):
        """Keep the message and the native lines."""
        super().__init__(message)
        self.native_lines = list(native_lines or [])


@dataclass
class LoadedEstimator:
    """An estimator with the files it was loaded from."""

    estimator: EmotionEstimator
    face_model_file: Path
    model_variant: str
    model_file: Path
    #: What MediaPipe printed while loading that is worth showing (see ``native_log``).
    native_lines: List[str]


def load_estimator(spec_path: Optional[str], face_path: Optional[str], variant: Optional[str],
                   **options) -> LoadedEstimator:
    """Load the face model and the emotion model; ``options`` go to :class:`EmotionEstimator`.

    Raises:
        ModelLoadError: a file is missing or broken; the message names the fix.

    """
    native_lines: List[str] = []
    try:
        face_model_file = find_face_model(face_path)
        # MediaPipe and TFLite print start-up chatter from C++; keep only what matters.
        with captured_native_stderr() as native_lines:
            estimator = EmotionEstimator(model_spec_path=spec_path,
                                         face_model_path=face_model_file, variant=variant,
                                         **options)
    except FileNotFoundError as error:  # includes ModelFileError, which names its fix
        fix = ('' if 'fetch-models' in str(error) else
               f' Fix: {FETCH_HINT.format(cache=user_cache_dir())} for the face model;')
        raise ModelLoadError(f'{error}.{fix} For the emotion model, set model_spec_path.'
                             .replace('..', '.'), native_lines) from None
    except (ModelSpecError, ValueError, RuntimeError) as error:
        raise ModelLoadError(
            f'cannot load the emotion model: {error}. Fix: set model_spec_path to a valid '
            'emotion_model.json (or reinstall the package), model_variant to one of its '
            'variants, and for the face model '
            + FETCH_HINT.format(cache=user_cache_dir()), native_lines) from None
    variant = variant or estimator.spec.default_variant
    return LoadedEstimator(estimator, face_model_file, variant,
                           estimator.spec.model_file(variant),
                           [line for line in native_lines if worth_showing(line)])
