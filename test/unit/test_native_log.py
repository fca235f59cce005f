# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""MediaPipe's native start-up chatter stays off stderr; errors and anything else get through."""

import os
from pathlib import Path

import pytest

from emotion_estimator.blendshapes import BlendshapeExtractor
from emotion_estimator.native_log import call_quietly, captured_native_stderr, worth_showing

CHATTER = ('inference_feedback_manager', 'XNNPACK', 'InitGoogle')


def _write(*lines: str) -> str:
    for line in lines:
        os.write(2, (line + '\n').encode())
    return 'done'


def test_worth_showing_keeps_errors_and_unknown_lines_only():
    assert not worth_showing('I0000 00:00:1.0 123 gl_context.cc:1] started')
    assert not worth_showing('W0000 00:00:1.0 123 inference_feedback_manager.cc:121] Feedback')
    assert not worth_showing('INFO: Created TensorFlow Lite XNNPACK delegate for CPU.')
    assert worth_showing('E0000 00:00:1.0 123 graph.cc:5] model file is broken')
    assert worth_showing('something nobody expected')
    assert not worth_showing('   ')


def test_call_quietly_passes_on_what_is_worth_showing(capfd):
    assert call_quietly(_write, 'I0000 00:00:1.0 1 x.cc:1] chatter', 'E0000 broken', 'other') \
        == 'done'
    err = capfd.readouterr().err
    assert 'chatter' not in err
    assert 'E0000 broken' in err and 'other' in err


def test_call_quietly_shows_everything_when_the_call_fails(capfd):
    def fail():
        _write('I0000 00:00:1.0 1 x.cc:1] context before the failure')
        raise RuntimeError('no model')
    with pytest.raises(RuntimeError, match='no model'):
        call_quietly(fail)
    assert 'context before the failure' in capfd.readouterr().err


def test_a_face_model_loaded_while_running_prints_no_chatter(face_model_path: Path, capfd):
    with captured_native_stderr() as control:
        BlendshapeExtractor(face_model_path, video=True, num_faces=1).close()
    # The control shows what loading prints without call_quietly (at least one known line).
    assert any(marker in line for line in control for marker in CHATTER), control
    extractor = call_quietly(BlendshapeExtractor, face_model_path, video=True, num_faces=1)
    extractor.close()
    err = capfd.readouterr().err
    assert not any(marker in err for marker in CHATTER), err
