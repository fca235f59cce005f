# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Run ``emotion-estimator demo`` in process for a few seconds, as a fresh machine would."""

import re

from emotion_estimator.cli import build_parser, main

LINE = re.compile(r'^t=\d+\.\ds emotion=(happy|sad|unknown) happy=\d\.\d\d sad=\d\.\d\d ')


def test_demo_prints_emotion_and_scores_every_second(emotion_model_spec, capsys):
    assert main(['demo', '--duration', '3.5', '--model-spec', str(emotion_model_spec)]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith('t=')]
    assert len(lines) >= 2, lines
    assert LINE.match(lines[-1]), lines[-1]
    for name in ('angry', 'disgust', 'fear', 'surprise', 'neutral'):
        assert f' {name}=' in lines[-1]


def test_demo_defaults():
    args = build_parser().parse_args(['demo'])
    assert (args.rate, args.duration, args.video, args.webcam) == (15.0, 10.0, None, None)


def test_demo_missing_video_fails_cleanly(capsys):
    assert main(['demo', '--video', '/nonexistent/video.mp4', '--duration', '1']) == 1
    assert 'cannot open video' in capsys.readouterr().err


def test_demo_missing_model_says_how_to_fix(tmp_path, capsys, face_model_path):
    assert main(['demo', '--duration', '1', '--model-spec', str(tmp_path / 'none.json')]) == 1
    assert 'model_spec_path' in capsys.readouterr().err
