# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""``emotion-estimator analyze-corpus`` on a local two-worker Ray instance over real recordings.

The corpus is made in the test from the FER2013 recording of the other analysis tests (happy for
3 s, then sad): that recording as a lossless video, reversed as a second video, as a folder of
PNG frames three folders deep, and as an mcap bag, plus a corrupt video and a text file. Every
report must agree frame for frame with ``emotion-estimator analyze`` of the same input (so the
corpus runs the same analysis, and no recording inherits a worker's state from the one before),
and a second run must skip everything.
"""

import csv
import json
import os
from pathlib import Path
import shutil
import sys
from typing import Dict, List

from analysis_inputs import FPS, write_ffv1
import pytest

from emotion_estimator.analysis.cli import DEFAULT_MAX_FACES
from emotion_estimator.analysis.corpus import AnalysisJob, FAILURE_SUFFIX, INSTALL_HINT, \
    MANIFEST_FILENAME, previous_row, REPORT_SUFFIX, REPORTS_DIRNAME
from emotion_estimator.analysis.corpus_inputs import CorpusError, find_recordings, fingerprint
from emotion_estimator.analysis.corpus_table import CORPUS_HTML, table_columns, TABLE_CSV, \
    TABLE_PARQUET
from emotion_estimator.analysis.output import HTML_FILENAME, JSONL_FILENAME, SUMMARY_FILENAME
from emotion_estimator.cli import main
from emotion_estimator.contract import ModelSpec

FRAMES = 60
FORWARD = 'corpus/session_a/happy_then_sad.avi'
FRAMES_DIR = 'corpus/session_a/nested/deeper/frames'
REVERSED = 'corpus/session_b/sad_then_happy.avi'
BAG = 'corpus/session_b/raw_mcap'
BROKEN = 'corpus/session_b/broken.mp4'
GOOD = [FORWARD, FRAMES_DIR, BAG, REVERSED]


@pytest.fixture(scope='module')
def corpus(tmp_path_factory, video_file, image_folder, mcap_bag, happy_then_sad) -> Path:
    """Lay out the corpus: two sessions, one nested image folder, one corrupt file."""
    root = tmp_path_factory.mktemp('corpus_inputs') / 'corpus'
    session_a, session_b = root / 'session_a', root / 'session_b'
    session_a.mkdir(parents=True)
    session_b.mkdir()
    shutil.copy2(video_file, session_a / 'happy_then_sad.avi')
    shutil.copytree(image_folder, session_a / 'nested' / 'deeper' / 'frames')
    write_ffv1(session_b / 'sad_then_happy.avi', happy_then_sad[::-1])
    shutil.copytree(mcap_bag, session_b / 'raw_mcap')
    (session_b / 'broken.mp4').write_bytes(b'this is not a video\n' * 200)
    (session_b / 'notes.txt').write_text('not a recording: ignored\n')
    return root


def analyze_corpus(corpus: Path, output: Path, *extra: str) -> int:
    """Run the sub-command in process on a local Ray instance of two workers."""
    return main(['analyze-corpus', str(corpus), '-o', str(output), '--num-cpus', '2',
                 '--fps', str(FPS), '--no-progress', *extra])


def read_rows(output: Path) -> Dict[str, dict]:
    """Return the Parquet table's rows by recording, checking the CSV says the same."""
    from pyarrow import parquet
    table = parquet.read_table(output / TABLE_PARQUET)
    rows = {row['recording']: row for row in table.to_pylist()}
    with open(output / TABLE_CSV, newline='', encoding='utf-8') as stream:
        csv_rows = list(csv.DictReader(stream))
    assert [r['recording'] for r in csv_rows] == list(rows)
    for csv_row in csv_rows:
        row = rows[csv_row['recording']]
        assert csv_row['status'] == row['status']
        assert (csv_row['frames'] or None) == (None if row['frames'] is None
                                               else str(row['frames']))
    return rows


def report_dir(output: Path, name: str) -> Path:
    """Return the report folder of a recording."""
    return output / REPORTS_DIRNAME / (name + REPORT_SUFFIX)


def hidden_leftovers(output: Path) -> List[str]:
    """Return partial files or folders anywhere under the output."""
    return [str(p) for p in output.rglob('.*')]


def file_times(output: Path) -> Dict[str, int]:
    """Return the modification time of every file under the reports folder."""
    return {str(p): p.stat().st_mtime_ns for p in (output / REPORTS_DIRNAME).rglob('*')
            if p.is_file()}


@pytest.fixture(scope='module')
def first_run(corpus, tmp_path_factory, analysis_face_model):
    """Run analyze-corpus once; return the output folder, exit status and printed lines."""
    pytest.importorskip('ray', reason=f'analyze-corpus needs Ray: {INSTALL_HINT}')
    pytest.importorskip('pyarrow', reason=f'analyze-corpus needs pyarrow: {INSTALL_HINT}')
    output = tmp_path_factory.mktemp('corpus_out') / 'study'
    code = analyze_corpus(corpus, output)
    return output, code


def test_table_has_one_row_per_recording_and_the_failure(first_run):
    output, code = first_run
    assert code == 1  # one recording failed
    rows = read_rows(output)
    assert sorted(rows) == sorted(GOOD + [BROKEN])
    from pyarrow import parquet
    columns = [f.name for f in parquet.read_schema(output / TABLE_PARQUET)]
    assert columns == [name for name, _ in table_columns(ModelSpec.load().class_names)]

    broken = rows[BROKEN]
    assert broken['status'] == 'failed'
    assert 'OpenCV cannot open' in broken['error']
    assert broken['duration_s'] is None and broken['report'] is None
    assert not report_dir(output, BROKEN).exists()
    failure = json.loads(report_dir(output, BROKEN).with_name(
        Path(BROKEN).name + REPORT_SUFFIX + FAILURE_SUFFIX).read_text())
    assert 'OpenCV cannot open' in failure['error']

    kinds = {FORWARD: 'video', REVERSED: 'video', FRAMES_DIR: 'images', BAG: 'bag'}
    for name in GOOD:
        row = rows[name]
        assert row['status'] == 'ok', row
        assert row['error'] is None and row['from_earlier_run'] is False
        assert row['kind'] == kinds[name]
        assert row['frames'] == FRAMES
        assert row['duration_s'] == pytest.approx(FRAMES / FPS, abs=0.02)
        assert row['frames_with_face'] >= FRAMES - 6
        assert row['x_real_time'] > 0 and row['fps'] > 0 and row['wall_s'] > 0
        labels = [row[f'label_share_{k}'] for k in ('happy', 'sad', 'unknown')]
        assert sum(labels) == pytest.approx(1.0)
        emotions = [v for k, v in row.items() if k.startswith('emotion_share_')]
        assert len(emotions) == 8 and sum(emotions) == pytest.approx(1.0)
        assert row['label_share_happy'] > 0.1 and row['label_share_sad'] > 0.1
        assert row['transitions_per_minute'] > 0
        assert row['blinks_per_minute'] >= 0
        assert row['max_faces'] == DEFAULT_MAX_FACES
        assert row['most_faces_in_a_frame'] == 1 and 1 <= row['faces'] <= 2
    assert rows[FORWARD]['dominant_label'] == rows[BAG]['dominant_label']
    # Each worker paid for loading the libraries and models once: the second recording a
    # worker analysed built its estimator in well under a second.
    by_worker: Dict[str, List[dict]] = {}
    for name in GOOD:
        by_worker.setdefault(rows[name]['worker'], []).append(rows[name])
    assert len(by_worker) <= 2
    later = [r for group in by_worker.values()
             for r in sorted(group, key=lambda r: r['analysed_at'])[1:]]
    assert later and min(r['model_load_s'] for r in later) < 1.0
    assert hidden_leftovers(output) == []


def test_reports_are_the_analyze_reports(first_run, corpus, tmp_path):
    output, _ = first_run
    rows = read_rows(output)
    for name in GOOD:
        folder = report_dir(output, name)
        assert (folder / HTML_FILENAME).is_file() and (folder / SUMMARY_FILENAME).is_file()
        assert rows[name]['report'] == (folder / HTML_FILENAME).relative_to(output).as_posix()
        manifest = json.loads((folder / MANIFEST_FILENAME).read_text())
        assert manifest['recording'] == name
        assert manifest['fingerprint']['bytes'] == sum(
            p.stat().st_size for p in ([corpus.parent / name] if name.endswith('.avi')
                                       else (corpus.parent / name).iterdir())
            if p.suffix != '.txt')
        single = tmp_path / Path(name).name
        assert main(['analyze', str(corpus.parent / name), '-o', str(single), '--fps', str(FPS),
                     '--no-progress']) == 0
        expected = [json.loads(line)
                    for line in (single / JSONL_FILENAME).read_text().splitlines()]
        got = [json.loads(line) for line in (folder / JSONL_FILENAME).read_text().splitlines()]
        assert [r['label'] for r in got] == [r['label'] for r in expected], name
        assert [r['score_sad'] for r in got] == pytest.approx(
            [r['score_sad'] for r in expected], abs=1e-5), name
    forward = json.loads((report_dir(output, FORWARD) / SUMMARY_FILENAME).read_text())
    backward = json.loads((report_dir(output, REVERSED) / SUMMARY_FILENAME).read_text())
    # The published label follows the recording both ways. One of the three sad faces reads
    # fear by 7-class argmax (the round-10 model): last in the forward recording, where the
    # label stays sad (the two sad faces before it set it), and first in the reversed one,
    # where, met cold, it is published unknown until the next sad face (from 2 s on).
    labels = {'forward': forward['dominant_label_per_segment'],
              'backward': backward['dominant_label_per_segment']}
    assert (labels['forward']['First'], labels['forward']['Last']) == ('happy', 'sad')
    assert (labels['backward']['Mid'], labels['backward']['Last']) == ('sad', 'happy')
    assert 'happy' not in (labels['backward']['First'], labels['backward']['First-Mid'])
    assert backward['label_3class']['time_per_label_s']['sad'] >= 1.5
    assert forward['dominant_emotion_per_segment']['First'] == 'happy'
    assert forward['dominant_emotion_per_segment']['Mid-Last'] == 'sad'
    assert backward['dominant_emotion_per_segment']['First-Mid'] == 'sad'
    assert backward['dominant_emotion_per_segment']['Last'] == 'happy'

    page = (output / CORPUS_HTML).read_text()
    assert page.count('data:image/png;base64,') == 2
    for name in GOOD:
        assert f'href="{rows[name]["report"]}"' in page
    assert 'broken.mp4' in page and 'OpenCV cannot open' in page


def test_second_run_skips_everything_and_a_change_is_analysed_again(first_run, corpus, capsys):
    output, _ = first_run
    before = file_times(output)
    capsys.readouterr()
    assert analyze_corpus(corpus, output) == 1
    assert '0 analysed, 4 skipped (unchanged), 1 failed' in capsys.readouterr().out
    rows = read_rows(output)
    assert {name: row['status'] for name, row in rows.items()} == dict(
        {name: 'skipped' for name in GOOD}, **{BROKEN: 'failed'})
    assert all(row['from_earlier_run'] for row in rows.values())
    assert rows[BROKEN]['error'] and rows[FORWARD]['frames'] == FRAMES
    assert file_times(output) == before

    # A changed recording, one whose report is missing (a run stopped before it), a leftover of
    # a killed worker, and --retry-failed: only those are analysed again.
    reversed_video = corpus.parent / REVERSED
    stat = reversed_video.stat()
    os.utime(reversed_video, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    shutil.rmtree(report_dir(output, BAG))
    leftover = report_dir(output, BAG).with_name('.raw_mcap_report.partial-killed')
    leftover.mkdir()
    (leftover / 'frames.csv').write_text('time_s\n0.0\n')
    assert analyze_corpus(corpus, output, '--retry-failed') == 1
    rows = read_rows(output)
    assert {name: row['status'] for name, row in rows.items()} == {
        FORWARD: 'skipped', FRAMES_DIR: 'skipped', REVERSED: 'ok', BAG: 'ok', BROKEN: 'failed'}
    assert rows[BROKEN]['from_earlier_run'] is False
    assert hidden_leftovers(output) == []
    after = file_times(output)
    for name in (FORWARD, FRAMES_DIR):
        for path, mtime in before.items():
            if path.startswith(str(report_dir(output, name)) + os.sep):
                assert after[path] == mtime, path


def test_changed_settings_are_not_skipped(first_run, corpus):
    output, _ = first_run
    [recording] = [r for r in find_recordings([corpus]) if r.name == FORWARD]
    manifest = json.loads((report_dir(output, FORWARD) / MANIFEST_FILENAME).read_text())

    def job(**settings) -> AnalysisJob:
        return AnalysisJob(recording=recording, output=report_dir(output, FORWARD),
                           fingerprint=fingerprint(recording),
                           settings=dict(manifest['settings'], **settings), fps=FPS, topic=None,
                           max_seconds=None, blink={}, model=Path(), face_model=Path(),
                           variant=None)

    assert previous_row(job())['status'] == 'skipped'
    assert previous_row(job(max_seconds=2.0)) is None
    assert manifest['settings']['max_faces'] == DEFAULT_MAX_FACES
    assert previous_row(job(max_faces=1)) is None
    assert previous_row(job(blink=dict(manifest['settings']['blink'],
                                       close_threshold=0.6))) is None


def test_find_recordings(tmp_path):
    study = tmp_path / 'study'
    (study / 'bag' / 'sub').mkdir(parents=True)
    (study / 'bag' / 'metadata.yaml').write_text('rosbag2_bagfile_information: {}\n')
    (study / 'bag' / 'bag_0.mcap').write_bytes(b'x')
    (study / 'frames' / 'more').mkdir(parents=True)
    (study / 'frames' / 'a.png').write_bytes(b'x')
    (study / 'frames' / 'more' / 'b.JPG').write_bytes(b'x')
    (study / 'frames' / 'clip.MP4').write_bytes(b'x')
    (study / 'loose.db3').write_bytes(b'x')
    (study / 'readme.md').write_text('x')
    (study / '.hidden').mkdir()
    (study / '.hidden' / 'secret.mp4').write_bytes(b'x')
    old_report = study / 'clip_report'
    old_report.mkdir()
    for name in (SUMMARY_FILENAME, HTML_FILENAME, 'timeline.png'):
        (old_report / name).write_text('x')
    output = study / 'out'
    (output / 'reports').mkdir(parents=True)
    (output / 'reports' / 'chart.png').write_bytes(b'x')
    other = tmp_path / 'other' / 'study'
    other.mkdir(parents=True)
    (other / 'loose.db3').write_bytes(b'x')

    found = find_recordings([study], exclude=[output])
    assert [(r.name, r.kind) for r in found] == [
        ('study/bag', 'bag'), ('study/frames', 'images'), ('study/frames/clip.MP4', 'video'),
        ('study/frames/more', 'images'), ('study/loose.db3', 'bag')]
    both = find_recordings([study, other], exclude=[output])
    assert 'other/study/loose.db3' in [r.name for r in both]
    assert 'study/loose.db3' in [r.name for r in both]
    assert [r.name for r in find_recordings([study / 'frames' / 'clip.MP4'])] == ['clip.MP4']
    with pytest.raises(CorpusError, match='does not exist'):
        find_recordings([tmp_path / 'missing'])
    # A sum of the images' sizes and times; another image changes it.
    frames = [r for r in found if r.kind == 'images'][0]
    first = fingerprint(frames)
    (study / 'frames' / 'c.png').write_bytes(b'xy')
    assert fingerprint(frames)['files'] == first['files'] + 1
    assert fingerprint(frames)['sha256'] != first['sha256']


def test_without_ray_says_how_to_install_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, 'ray', None)  # import ray raises ImportError
    assert main(['analyze-corpus', str(tmp_path), '-o', str(tmp_path / 'out')]) == 2
    error = capsys.readouterr().err.strip()
    assert INSTALL_HINT in error and len(error.splitlines()) == 1
    assert not (tmp_path / 'out').exists()
