# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The shipped TFLite models give the same outputs on the oldest and the newest interpreter.

The newest is this environment's ai-edge-litert (the version ``setup.py`` pins); the oldest
(ai-edge-litert 1.4.0, the last release with manylinux_2_17 aarch64 wheels, for systems that
cannot take the pinned one) lives in a venv of its own, ``.venv-litert-oldest``, made by
``scripts/run_tests.sh``, which names its Python in ``$EMOTION_ESTIMATOR_LITERT_OLDEST_PYTHON``.

Every model is read as it is: every ``models/*.tflite`` (described by ``emotion_model.json``)
and the face detector in ``emotion_estimator/data/``; the inputs are seeded arrays of the
shapes each interpreter reports, so a retrained model (another window length, other features)
needs no change here. The emotion models are loaded in the old interpreter through
``EmotionClassifier``, the runtime's own loading code.
"""

import importlib.metadata
import os
from pathlib import Path
import subprocess
from typing import Dict, List

from ai_edge_litert.interpreter import Interpreter
import numpy as np
import pytest
from runtime_requirements import pinned_version

from emotion_estimator.classifier import EmotionClassifier
from emotion_estimator.contract import MODEL_SPEC_FILENAME, ModelSpec

REPO = Path(__file__).resolve().parents[2]
MODELS_DIR = REPO / 'models'
OLDEST_ENV = 'EMOTION_ESTIMATOR_LITERT_OLDEST_PYTHON'
#: Largest difference allowed between the two interpreters' outputs.
TOLERANCE = 1e-4
#: Seeded inputs per model.
SAMPLES = 16

#: Run in the oldest interpreter's venv: each model's outputs on the given inputs.
OLD_SIDE = """
import importlib.metadata, sys
import numpy as np
from ai_edge_litert.interpreter import Interpreter
from emotion_estimator.classifier import EmotionClassifier
inputs = np.load(sys.argv[1])
outputs = {}
for key in inputs.files:
    kind, path = key.split(':', 1)
    if kind == 'emotion':
        classifier = EmotionClassifier(path, num_threads=1)
        outputs[key] = np.stack([classifier.predict(window) for window in inputs[key]])
    else:
        interpreter = Interpreter(model_path=path, num_threads=1)
        interpreter.allocate_tensors()
        index = interpreter.get_input_details()[0]['index']
        rows = []
        for sample in inputs[key]:
            interpreter.set_tensor(index, sample[np.newaxis])
            interpreter.invoke()
            rows.append(np.concatenate([interpreter.get_tensor(o['index']).ravel()
                                        for o in interpreter.get_output_details()]))
        outputs[key] = np.stack(rows)
np.savez(sys.argv[2], **outputs)
print(importlib.metadata.version('ai-edge-litert'))
"""


@pytest.fixture(scope='module')
def oldest_python() -> Path:
    """Return the Python of the oldest interpreter's venv (skip where it was not made)."""
    named = os.environ.get(OLDEST_ENV)
    path = Path(named) if named else REPO / '.venv-litert-oldest' / 'bin' / 'python'
    if not path.is_file():
        if named:
            pytest.fail(f'${OLDEST_ENV}={named} does not exist')
        pytest.skip('no .venv-litert-oldest: scripts/run_tests.sh makes it')
    return path


def shipped_models() -> Dict[str, Path]:
    """Return ``{kind:path: path}`` of every shipped TFLite model (emotion models, detector)."""
    spec = ModelSpec.load(MODELS_DIR / MODEL_SPEC_FILENAME)
    emotion = sorted(MODELS_DIR.glob('*.tflite'))
    described = {MODELS_DIR / name for name in spec.variants.values()}
    assert emotion and described == set(emotion), (
        f'models/*.tflite {[p.name for p in emotion]} are not the variants '
        f'{MODEL_SPEC_FILENAME} describes: {sorted(spec.variants.values())}')
    detector = sorted((REPO / 'emotion_estimator' / 'data').glob('*.tflite'))
    return {**{f'emotion:{path}': path for path in emotion},
            **{f'other:{path}': path for path in detector}}


def seeded_inputs(path: Path, kind: str, rng: np.random.Generator) -> np.ndarray:
    """Return ``SAMPLES`` seeded inputs of the shape and type the model's interpreter reports."""
    detail = Interpreter(model_path=str(path)).get_input_details()[0]
    assert detail['dtype'] == np.float32, (path, detail['dtype'])
    shape = (SAMPLES,) + tuple(int(n) for n in detail['shape'][1:])
    if kind == 'emotion':  # blendshape scores in [0, 1], mostly small, the first one all zero
        samples = rng.random(shape) ** 3
        samples[0] = 0.0
    else:  # an image scaled to [-1, 1]
        samples = rng.uniform(-1.0, 1.0, shape)
    return samples.astype(np.float32)


def newest_outputs(key: str, path: Path, samples: np.ndarray) -> np.ndarray:
    """Return the model's outputs in this environment's interpreter, as the old side does."""
    if key.startswith('emotion:'):
        classifier = EmotionClassifier(path, num_threads=1)
        return np.stack([classifier.predict(window) for window in samples])
    interpreter = Interpreter(model_path=str(path), num_threads=1)
    interpreter.allocate_tensors()
    index = interpreter.get_input_details()[0]['index']
    rows: List[np.ndarray] = []
    for sample in samples:
        interpreter.set_tensor(index, sample[np.newaxis])
        interpreter.invoke()
        rows.append(np.concatenate([interpreter.get_tensor(o['index']).ravel()
                                    for o in interpreter.get_output_details()]))
    return np.stack(rows)


def test_this_environment_has_the_pinned_interpreter():
    assert importlib.metadata.version('ai-edge-litert') == pinned_version(
        'ai-edge-litert', 'x86_64')


def test_the_oldest_and_newest_interpreter_agree(oldest_python, tmp_path):
    models = shipped_models()
    rng = np.random.default_rng(2026)
    inputs = {key: seeded_inputs(path, key.split(':')[0], rng) for key, path in models.items()}
    np.savez(tmp_path / 'inputs.npz', **inputs)
    done = subprocess.run(
        [str(oldest_python), '-c', OLD_SIDE, str(tmp_path / 'inputs.npz'),
         str(tmp_path / 'outputs.npz')],
        capture_output=True, text=True, timeout=600,
        env={**os.environ, 'PYTHONPATH': str(REPO)})
    assert done.returncode == 0, done.stderr[-3000:]
    old_version = done.stdout.split()[-1]
    new_version = importlib.metadata.version('ai-edge-litert')
    assert old_version != new_version, f'both sides run ai-edge-litert {new_version}'
    old = np.load(tmp_path / 'outputs.npz')
    for key, path in models.items():
        new = newest_outputs(key, path, inputs[key])
        assert old[key].shape == new.shape, (path.name, old[key].shape, new.shape)
        assert np.all(np.isfinite(new)), path.name
        difference = float(np.max(np.abs(old[key] - new)))
        assert difference <= TOLERANCE, (
            f'{path.name}: ai-edge-litert {old_version} and {new_version} differ by '
            f'{difference:.2e} (> {TOLERANCE})')
    emotion_keys = [key for key in models if key.startswith('emotion:')]
    for key in emotion_keys:  # probabilities that say something, not all-equal outputs
        assert np.allclose(old[key].sum(axis=1), 1.0, atol=1e-3), key
        assert len({int(np.argmax(row)) for row in old[key]}) >= 2, key
