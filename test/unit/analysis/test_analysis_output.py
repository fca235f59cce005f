# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Report writing without a model: atomic replacement, refusals, tables, charts and HTML."""

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from emotion_estimator.analysis.cli import default_output_dir
from emotion_estimator.analysis.output import atomic_output_dir, CHART_FILENAMES, \
    check_output_dir, CSV_FILENAME, HTML_FILENAME, JSONL_FILENAME, OutputError, \
    SUMMARY_FILENAME, write_report
from emotion_estimator.analysis.report import summarize
from emotion_estimator.analysis.timeline import FrameRecord
from emotion_estimator.cli import build_parser
from emotion_estimator.contract import BLENDSHAPE_NAMES, CLASS_NAMES

FEATURES = ('eyeBlinkLeft', 'eyeBlinkRight', 'mouthSmileLeft')


def synthetic_records(count: int = 40):
    """Return happy frames, two without a face, then sad frames, with one blink."""
    records = []
    for index in range(count):
        if index in (18, 19):
            records.append(FrameRecord(index / 10, False, {n: 0.0 for n in CLASS_NAMES},
                                       'unknown', 'unknown', None))
            continue
        winner = 'happy' if index < 18 else 'sad'
        scores = {n: (0.7 if n == winner else 0.05) for n in CLASS_NAMES}
        shapes = np.zeros(len(BLENDSHAPE_NAMES), np.float32)
        eyes = 0.9 if index in (5, 6) else 0.1
        shapes[BLENDSHAPE_NAMES.index('eyeBlinkLeft')] = eyes
        shapes[BLENDSHAPE_NAMES.index('eyeBlinkRight')] = eyes
        records.append(FrameRecord(index / 10, True, scores, winner, winner, shapes))
    return records


def test_write_report_files(tmp_path: Path):
    records = synthetic_records()
    summary = summarize(records)
    summary['input'] = 'synthetic.mp4'
    write_report(tmp_path, records, summary, FEATURES)
    assert json.loads((tmp_path / SUMMARY_FILENAME).read_text())['blinks']['count'] == 1
    with open(tmp_path / CSV_FILENAME, newline='') as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == len(records)
    assert list(rows[0])[-4:] == list(FEATURES) + ['eyes_closed']
    assert [r['eyes_closed'] for r in rows[4:8]] == ['False', 'True', 'True', 'False']
    assert rows[18]['face_found'] == 'False' and rows[18]['mouthSmileLeft'] == ''
    assert rows[18]['emotion'] == 'no_face' and rows[30]['emotion'] == 'sad'
    lines = [json.loads(line) for line in (tmp_path / JSONL_FILENAME).read_text().splitlines()]
    assert lines[18]['eyeBlinkLeft'] is None and lines[0]['score_happy'] == 0.7
    for name in CHART_FILENAMES.values():
        assert (tmp_path / name).read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    page = (tmp_path / HTML_FILENAME).read_text()
    assert page.count('data:image/png;base64,') == len(CHART_FILENAMES)
    assert 'synthetic.mp4' in page and 'First-Mid' in page


def test_atomic_output_replaces_a_report_only_on_success(tmp_path: Path):
    destination = tmp_path / 'report'
    with atomic_output_dir(destination) as folder:
        (folder / SUMMARY_FILENAME).write_text('{"run": 1}')
    with pytest.raises(RuntimeError):
        with atomic_output_dir(destination) as folder:
            (folder / SUMMARY_FILENAME).write_text('{"run": 2}')
            raise RuntimeError('failed half way')
    assert json.loads((destination / SUMMARY_FILENAME).read_text()) == {'run': 1}
    with atomic_output_dir(destination) as folder:
        (folder / SUMMARY_FILENAME).write_text('{"run": 3}')
    assert json.loads((destination / SUMMARY_FILENAME).read_text()) == {'run': 3}
    assert sorted(p.name for p in tmp_path.iterdir()) == ['report']


def test_check_output_dir_refuses_files_and_foreign_folders(tmp_path: Path):
    check_output_dir(tmp_path / 'new')
    empty = tmp_path / 'empty'
    empty.mkdir()
    check_output_dir(empty)
    (tmp_path / 'file').write_text('x')
    with pytest.raises(OutputError, match='not a folder'):
        check_output_dir(tmp_path / 'file')
    (empty / 'notes.txt').write_text('mine')
    with pytest.raises(OutputError, match='not empty'):
        check_output_dir(empty)


def test_default_output_dir_names(tmp_path: Path):
    video = tmp_path / 'session_3.mp4'
    video.write_bytes(b'')
    bag = tmp_path / 'rosbag2_2026_11_23'
    bag.mkdir()
    assert default_output_dir(str(video)) == Path('session_3_report')
    assert default_output_dir(str(bag) + '/') == Path('rosbag2_2026_11_23_report')
    assert default_output_dir('0') == Path('webcam0_report')


def test_analyze_options_reach_the_parser():
    args = build_parser(['analyze']).parse_args(
        ['analyze', 'in.mp4', '--blink-threshold', '0.6', '--fps', '12', '--topic', '/cam'])
    assert (args.blink_threshold, args.fps, args.topic, args.output) == (0.6, 12.0, '/cam', None)
