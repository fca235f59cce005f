# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""``emotion-estimator analyze`` on real recordings of FER2013 faces: happy for 3 s, then sad.

Each input kind (image folder, FFV1 video, mcap bag of raw Image, sqlite3 bag of jpeg
CompressedImage) must give a complete report that tells the known story.
"""

import csv
import json
from pathlib import Path

from analysis_inputs import BAG_START_S, FPS, write_bag
import numpy as np
import pytest

from emotion_estimator.analysis.cli import DEFAULT_MAX_FACES
from emotion_estimator.analysis.metrics import SEGMENT_NAMES
from emotion_estimator.analysis.output import CHART_FILENAMES, CSV_FILENAME, HTML_FILENAME, \
    JSONL_FILENAME, SUMMARY_FILENAME
from emotion_estimator.cli import main
from emotion_estimator.contract import ModelSpec

FRAMES = 60


def analyze(input_path: Path, output: Path, *extra: str) -> int:
    """Run the sub-command in process."""
    return main(['analyze', str(input_path), '-o', str(output), '--no-progress', *extra])


def leftovers(folder: Path):
    """Return hidden partial/old folders the atomic writer may have left behind."""
    return [p.name for p in folder.iterdir() if p.name.startswith('.')]


def check_report(output: Path) -> dict:
    """Check the files of a report and the story of happy-then-sad; return the summary."""
    for name in [SUMMARY_FILENAME, CSV_FILENAME, JSONL_FILENAME, HTML_FILENAME,
                 *CHART_FILENAMES.values()]:
        assert (output / name).is_file(), name
    assert leftovers(output.parent) == []
    summary = json.loads((output / SUMMARY_FILENAME).read_text())
    assert summary['frames'] == FRAMES
    # One person: one face id (a face lost for longer than the forget time may get a new one).
    assert summary['most_faces_in_a_frame'] == 1 and 1 <= summary['face_count'] <= 2
    assert sum(face['frames_with_face'] for face in summary['faces']) == \
        summary['frames_with_face']
    assert summary['duration_s'] == pytest.approx(FRAMES / FPS, abs=0.02)
    # The detector may miss the first frame after each switch of face (6 faces).
    assert summary['frames_with_face'] >= FRAMES - 6
    segments = summary['dominant_emotion_per_segment']
    assert list(segments) == list(SEGMENT_NAMES)
    assert segments['First'] == 'happy'
    # The sad half: sad is its most frequent 7-class argmax (the last of its three faces reads
    # fear by argmax for its 0.6 s with the round-10 model, while the label published on it is
    # sad, checked below), so the check is over the half, not the last segment.
    assert segments['Mid-Last'] == 'sad'
    assert max(('sad', 'fear', 'angry', 'neutral', 'surprise', 'disgust'),
               key=lambda name: summary['emotion_7class']['time_per_label_s'].get(name, 0.0)) \
        == 'sad'
    seven = summary['emotion_7class']
    assert seven['transitions'] >= 1
    assert {'happy', 'sad'} <= set(seven['observed_emotions'])
    three = summary['label_3class']
    assert summary['dominant_label_per_segment']['First-Mid'] == 'happy'
    assert summary['dominant_label_per_segment']['Last'] == 'sad'
    assert three['observed_emotions'] == ['happy', 'sad']
    assert three['transitions'] >= 1
    assert three['longest_observed_emotion'] in ('happy', 'sad')
    assert summary['processing']['fps'] > 0
    assert summary['average_scores']['happy'] > 0.1 and summary['average_scores']['sad'] > 0.1

    spec = ModelSpec.load()
    with open(output / CSV_FILENAME, newline='') as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == FRAMES
    for name in spec.feature_names + tuple(f'score_{c}' for c in spec.class_names) + (
            'time_s', 'elapsed_s', 'face_found', 'face_id', 'main', 'box_x', 'box_y', 'box_width',
            'box_height', 'label', 'instant_label', 'emotion', 'eyes_closed'):
        assert name in rows[0], name
    lines = (output / JSONL_FILENAME).read_text().splitlines()
    assert len(lines) == FRAMES
    first = json.loads(lines[0])
    assert first['label'] == rows[0]['label'] and first['elapsed_s'] == 0.0
    html = (output / HTML_FILENAME).read_text()
    assert html.count('data:image/png;base64,') == len(CHART_FILENAMES)
    return summary


@pytest.mark.parametrize('max_faces', [DEFAULT_MAX_FACES, 1])
def test_image_folder_agrees_frame_for_frame_with_the_estimator(
        image_folder, happy_then_sad, tmp_path, max_faces):
    output = tmp_path / 'report'
    assert analyze(image_folder, output, '--fps', str(FPS), '--max-faces', str(max_faces)) == 0
    summary = check_report(output)
    assert summary['max_faces'] == max_faces
    from emotion_estimator.estimator import EmotionEstimator
    with EmotionEstimator(max_faces=max_faces) as estimator:
        expected = [estimator.process(frame, index / FPS)
                    for index, frame in enumerate(happy_then_sad)]
    rows = [json.loads(line) for line in (output / JSONL_FILENAME).read_text().splitlines()]
    assert all(r['main'] for r in rows)
    assert [r['face_id'] for r in rows if r['face_found']] == [
        e.face_id for e in expected if e.face_found]
    assert [r['label'] for r in rows] == [e.label for e in expected]
    assert [r['instant_label'] for r in rows] == [e.instant_label for e in expected]
    scores = np.array([[r[f'score_{c}'] for c in estimator.class_names] for r in rows])
    np.testing.assert_allclose(
        scores, [[e.scores[c] for c in estimator.class_names] for e in expected], atol=1e-5)


def test_video(video_file, tmp_path, capsys):
    output = tmp_path / 'video_report'
    assert analyze(video_file, output) == 0
    summary = check_report(output)
    assert summary['source'].startswith('video')
    assert str(output) in capsys.readouterr().out


def test_default_output_folder_is_beside_the_working_directory(video_file, tmp_path,
                                                               monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(['analyze', str(video_file), '--no-progress']) == 0
    assert (tmp_path / f'{video_file.stem}_report' / SUMMARY_FILENAME).is_file()
    # A second run replaces the previous report.
    assert main(['analyze', str(video_file), '--no-progress']) == 0
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize('bag', ['mcap_bag', 'sqlite_bag'])
def test_bags(bag, request, tmp_path):
    output = tmp_path / 'bag_report'
    assert analyze(request.getfixturevalue(bag), output) == 0
    summary = check_report(output)
    assert summary['start_time_s'] == pytest.approx(BAG_START_S)


def assert_failed_cleanly(code: int, output: Path, capsys, message: str):
    """Check a non-zero exit, an error on stderr and no report (not even a partial one)."""
    assert code != 0
    assert message in capsys.readouterr().err
    assert not output.exists()
    assert leftovers(output.parent) == []


def test_bad_inputs_exit_non_zero_without_report(tmp_path, capsys):
    output = tmp_path / 'out'
    broken = tmp_path / 'broken.avi'
    broken.write_bytes(b'not a video at all' * 50)
    assert_failed_cleanly(analyze(broken, output), output, capsys, 'error:')
    empty = tmp_path / 'empty'
    empty.mkdir()
    assert_failed_cleanly(analyze(empty, output), output, capsys, 'holds no image')
    assert_failed_cleanly(analyze(tmp_path / 'missing.mp4', output), output, capsys,
                          'does not exist')
    bag = write_bag(tmp_path / 'chatter', [], 'mcap',
                    extra_topics={'/chatter': 'std_msgs/msg/String'}, with_camera=False)
    assert_failed_cleanly(analyze(bag, output), output, capsys, 'no sensor_msgs/Image')
    assert_failed_cleanly(analyze(empty, output, '--blink-threshold', '0.1'), output, capsys,
                          'blink thresholds')


def test_unknown_encoding_mid_bag_leaves_no_partial_report(
        analysis_face_model, happy_then_sad, tmp_path, capsys):
    bag = write_bag(tmp_path / 'float_bag', happy_then_sad[:3], 'sqlite3', encoding='32FC1')
    output = tmp_path / 'out'
    assert_failed_cleanly(analyze(bag, output), output, capsys, '32FC1')


def test_refuses_to_overwrite_a_folder_that_is_not_a_report(tmp_path, capsys):
    output = tmp_path / 'precious'
    output.mkdir()
    (output / 'thesis.tex').write_text('do not delete')
    assert analyze(tmp_path / 'clip.mp4', output) != 0
    assert 'not empty' in capsys.readouterr().err
    assert (output / 'thesis.tex').read_text() == 'do not delete'
