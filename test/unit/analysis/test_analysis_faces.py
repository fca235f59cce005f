# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""``emotion-estimator analyze`` reports every face: a real two-people recording.

The recording (``analysis_inputs.two_people_recording``): the astronaut and a second real
person side by side for 1.5 s, then the second one alone for 1 s, then nobody for 0.3 s. With
the default ``--max-faces`` it must give two face ids with their own summaries and one row per
face per frame, agreeing with ``EmotionEstimator.process_faces``; with ``--max-faces 1``, one.
"""

import csv
import json
from pathlib import Path

from analysis_inputs import BOTH_FRAMES, FPS, NOBODY_FRAMES, ONE_FRAMES
import pytest

from emotion_estimator.analysis.cli import DEFAULT_MAX_FACES
from emotion_estimator.analysis.corpus_inputs import Recording
from emotion_estimator.analysis.corpus_table import report_row, STATUS_OK
from emotion_estimator.analysis.output import CSV_FILENAME, HTML_FILENAME, JSONL_FILENAME, \
    SUMMARY_FILENAME
from emotion_estimator.cli import main

FRAMES = BOTH_FRAMES + ONE_FRAMES + NOBODY_FRAMES


def analyze(input_path: Path, output: Path, *extra: str) -> dict:
    """Run the sub-command in process; return the summary."""
    assert main(['analyze', str(input_path), '-o', str(output), '--no-progress', *extra]) == 0
    return json.loads((output / SUMMARY_FILENAME).read_text())


def read_rows(output: Path):
    """Return the CSV rows, checking the JSONL has the same ones."""
    with open(output / CSV_FILENAME, newline='') as stream:
        rows = list(csv.DictReader(stream))
    lines = [json.loads(line) for line in (output / JSONL_FILENAME).read_text().splitlines()]
    assert [(r['time_s'], r['face_id']) for r in lines] == [
        (float(r['time_s']), r['face_id']) for r in rows]
    return rows, lines


def test_every_face_gets_its_rows_and_its_summary(two_people_video, two_people_frames,
                                                  analysis_face_model, tmp_path, capsys):
    output = tmp_path / 'two_people_report'
    summary = analyze(two_people_video, output)
    assert '2 face id(s)' in capsys.readouterr().out
    assert summary['max_faces'] == DEFAULT_MAX_FACES
    assert summary['frames'] == FRAMES
    assert summary['face_count'] == 2 and summary['most_faces_in_a_frame'] == 2
    big, small = summary['faces']
    # The second person's face is the larger, so it is the main face throughout.
    assert big['frames_as_main'] == big['frames_with_face'] == summary['frames_with_face']
    assert small['frames_as_main'] == 0
    # The detector may need a frame to find a face; no face is seen where it is hidden.
    assert BOTH_FRAMES - 2 <= small['frames_with_face'] <= BOTH_FRAMES
    assert BOTH_FRAMES + ONE_FRAMES - 2 <= big['frames_with_face'] <= BOTH_FRAMES + ONE_FRAMES
    assert small['last_seen_s'] < big['last_seen_s']
    for face in (big, small):
        # Each face's summary spans the whole recording, like the main face's.
        assert face['frames'] == FRAMES
        assert face['duration_s'] == pytest.approx(summary['duration_s'])
        assert face['seconds_with_face'] == pytest.approx(face['frames_with_face'] / FPS, abs=0.01)
        assert face['dominant_emotion'] in summary['class_names']
        assert sum(face['label_3class']['time_per_label_s'].values()) == pytest.approx(
            face['duration_s'])
    assert big['face_id'] != small['face_id']
    assert summary['dominant_emotion'] == big['dominant_emotion']
    assert summary['average_scores'] == pytest.approx(big['average_scores'])

    rows, lines = read_rows(output)
    seen = big['frames_with_face'] + small['frames_with_face']
    no_face = FRAMES - big['frames_with_face']
    assert len(rows) == seen + no_face
    main_rows = [r for r in lines if r['main']]
    assert len(main_rows) == FRAMES
    assert all(r['face_id'] == big['face_id'] for r in main_rows if r['face_found'])
    blank = [r for r in lines if not r['face_found']]
    assert len(blank) == no_face >= NOBODY_FRAMES
    assert all(r['main'] and r['face_id'] == '' and r['box_x'] is None for r in blank)
    for row in lines:
        if row['face_found']:
            assert row['box_width'] > 0 and row['box_height'] > 0
    assert sum(r['face_id'] == small['face_id'] for r in lines) == small['frames_with_face']
    # The corpus table's row of this report counts its faces.
    row = report_row(Recording(two_people_video, 'video', two_people_video.name), 'x.html',
                     summary, {}, STATUS_OK, from_earlier_run=False)
    assert (row['max_faces'], row['faces'], row['most_faces_in_a_frame']) == (
        DEFAULT_MAX_FACES, 2, 2)
    page = (output / HTML_FILENAME).read_text()
    assert '<h2>Faces</h2>' in page
    assert f"<td>{big['face_id']}</td>" in page and f"<td>{small['face_id']}</td>" in page

    # The rows are what the library gives, face for face and frame for frame.
    from emotion_estimator.estimator import EmotionEstimator
    with EmotionEstimator(max_faces=DEFAULT_MAX_FACES) as estimator:
        expected = [r for index, frame in enumerate(two_people_frames)
                    for r in estimator.process_faces(frame, index / FPS)]
    got = [r for r in lines if r['face_found']]
    assert [(r['face_id'], r['label']) for r in got] == [(e.face_id, e.label) for e in expected]
    assert [r['score_happy'] for r in got] == pytest.approx(
        [e.scores['happy'] for e in expected], abs=1e-5)
    assert [[r['box_x'], r['box_y'], r['box_width'], r['box_height']] for r in got] == [
        list(e.box) for e in expected]


def test_max_faces_1_follows_one_face(two_people_video, analysis_face_model, tmp_path):
    output = tmp_path / 'one_face_report'
    summary = analyze(two_people_video, output, '--max-faces', '1')
    assert summary['max_faces'] == 1
    assert summary['face_count'] == 1 and summary['most_faces_in_a_frame'] == 1
    [face] = summary['faces']
    assert face['frames_with_face'] == summary['frames_with_face'] >= BOTH_FRAMES
    rows, lines = read_rows(output)
    assert len(rows) == FRAMES
    assert all(r['main'] for r in lines)
    assert {r['face_id'] for r in lines if r['face_found']} == {face['face_id']}


@pytest.mark.parametrize('value', ['0', '17', 'two'])
def test_max_faces_out_of_range_is_refused(value, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(['analyze', str(tmp_path), '-o', str(tmp_path / 'out'), '--max-faces', value])
    assert exit_info.value.code == 2
    assert '--max-faces' in capsys.readouterr().err
    assert not (tmp_path / 'out').exists()
