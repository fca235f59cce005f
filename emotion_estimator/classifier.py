# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Run the TFLite emotion model with ai-edge-litert (or tflite_runtime where that is missing)."""

import os
from pathlib import Path
from typing import Optional

import numpy as np

try:
    from ai_edge_litert.interpreter import Interpreter
except ImportError:  # pragma: no cover - only on platforms without ai-edge-litert wheels
    from tflite_runtime.interpreter import Interpreter


class EmotionClassifier:
    """Map a ``(window_length, features)`` window of blendshape scores to class probabilities."""

    def __init__(self, model_path: os.PathLike, num_threads: Optional[int] = 1):
        """Load a TFLite model whose input is ``[1, T, F]`` float32 and output ``[1, C]``."""
        self.model_path = Path(model_path)
        if not self.model_path.is_file():
            raise FileNotFoundError(
                f'emotion model {self.model_path} not found; it ships in the package models/ '
                'folder, or rebuild it with the training package (see models/MODEL_CARD.md)')
        try:
            self._interpreter = Interpreter(model_path=str(self.model_path),
                                            num_threads=num_threads)
            self._interpreter.allocate_tensors()
        except (RuntimeError, ValueError) as error:
            raise ValueError(
                f'{self.model_path} is not a loadable TFLite model: {error}') from error
        input_detail = self._interpreter.get_input_details()[0]
        output_detail = self._interpreter.get_output_details()[0]
        self.input_shape = tuple(int(n) for n in input_detail['shape'])
        self.num_classes = int(output_detail['shape'][-1])
        if len(self.input_shape) != 3 or self.input_shape[0] != 1:
            raise ValueError(f'{self.model_path}: expected an input of shape [1, T, F], '
                             f'got {list(self.input_shape)}')
        self._input_index = input_detail['index']
        self._output_index = output_detail['index']

    @property
    def window_length(self) -> int:
        """Return T, the number of frames the model reads."""
        return self.input_shape[1]

    @property
    def num_features(self) -> int:
        """Return F, the number of blendshapes per frame."""
        return self.input_shape[2]

    def predict(self, window: np.ndarray) -> np.ndarray:
        """Return the class probabilities (float32, shape ``[C]``) for one window."""
        window = np.asarray(window, dtype=np.float32)
        if window.shape != self.input_shape[1:]:
            raise ValueError(f'window shape {window.shape} does not match the model input '
                             f'{self.input_shape[1:]}')
        # A fused LSTM op keeps its state in variable tensors: start every window from zero.
        self._interpreter.reset_all_variables()
        self._interpreter.set_tensor(self._input_index, window[np.newaxis])
        self._interpreter.invoke()
        return self._interpreter.get_tensor(self._output_index)[0].copy()
