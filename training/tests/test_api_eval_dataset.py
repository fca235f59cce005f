# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""``evaluate-api --dataset``: any labelled folder of photos, videos and frame sequences.

The folder is made here from real Yale faces of ``crossval`` (the team's own posed sequences and
talking-face videos have the same layout): photos, a posed sequence that starts neutral (a folder
of frames) and a video file, run through the packaged model with ``EmotionEstimator``.
"""

import argparse
import json
from pathlib import Path
import shutil

import cv2
import numpy as np
import pytest

from emotion_estimator.contract import CLASS_NAMES, shared_dir

from emotion_estimator_training.api_eval import dataset_jobs, evaluate_api, Segment, \
    segment_frames
from emotion_estimator_training.cli import _named_folder, main
from emotion_estimator_training.media import clip_frames, load_items, read_bgr

VIDEO_FPS = 25.0
VIDEO_FRAMES = 30


def _yale(subject: str, expression: str) -> Path:
    stem = 'normal' if expression == 'neutral' else expression  # Yale's word for neutral
    return shared_dir() / 'datasets' / 'crossval' / 'yale' / expression / \
        f'{subject}.{stem}.gif'


@pytest.fixture(scope='module')
def dataset(tmp_path_factory) -> Path:
    """Make a labelled folder: photos of two subjects, a sequence and a video of two more."""
    root = tmp_path_factory.mktemp('dataset')
    for subject in ('subject01', 'subject02'):
        for expression, folder in (('neutral', 'neutral'), ('happy', 'Happiness'),
                                   ('sad', 'sad')):
            (root / folder).mkdir(exist_ok=True)
            shutil.copy(_yale(subject, expression), root / folder / f'{subject}.{expression}.gif')
    # A posed sequence that starts neutral: 4 neutral frames, then 10 happy ones (no neutral
    # item of subject03, so meeting it shows the sequence's first frame).
    sequence = root / 'Happiness' / 'subject03_sequence'
    sequence.mkdir()
    frames = [read_bgr(_yale('subject03', 'neutral'))] * 4 + \
        [read_bgr(_yale('subject03', 'happy'))] * 10
    for index, frame in enumerate(frames):
        cv2.imwrite(str(sequence / f'{index:03d}.png'), frame)
    # A video of subject05 (with a neutral photo of subject05 to meet them by).
    shutil.copy(_yale('subject05', 'neutral'), root / 'neutral' / 'subject05.neutral.gif')
    sad = read_bgr(_yale('subject05', 'sad'))
    writer = cv2.VideoWriter(str(root / 'sad' / 'subject05-talking.avi'),
                             cv2.VideoWriter_fourcc(*'MJPG'), VIDEO_FPS,
                             (sad.shape[1], sad.shape[0]))
    for _ in range(VIDEO_FRAMES):
        writer.write(sad)
    writer.release()
    (root / 'sad' / 'notes.txt').write_text('not an item')
    return root


def test_the_folder_is_read_with_kinds_subjects_and_aliases(dataset):
    items = load_items(dataset)
    by_name = {Path(item.path).name: item for item in items}
    assert len(items) == 9 and 'notes.txt' not in by_name
    assert by_name['subject03_sequence'].kind == 'clip'
    assert by_name['subject03_sequence'].label == CLASS_NAMES.index('happy')  # 'Happiness'
    assert by_name['subject05-talking.avi'].kind == 'clip'
    assert by_name['subject05-talking.avi'].subject == 'subject05'
    assert by_name['subject01.happy.gif'].kind == 'photo'
    assert by_name['subject01.happy.gif'].subject == 'subject01'


def test_met_uses_the_subjects_neutral_item_else_the_clips_first_frame(dataset):
    jobs = dataset_jobs(load_items(dataset))
    assert jobs['met_from'] == {'subject_neutral': 8, 'first_frame': 1, 'none': 0}
    sequence_job = next(job for job in jobs['met'] if job[-1].path.endswith('sequence'))
    assert sequence_job[0] == Segment(sequence_job[1].path, 10.0, 'first_frame')
    video_job = next(job for job in jobs['met'] if job[-1].path.endswith('.avi'))
    assert video_job[0].path.endswith('subject05.neutral.gif') and video_job[0].seconds == 10.0


def test_clips_play_at_their_own_rate_and_loop_when_held(dataset):
    video = str(dataset / 'sad' / 'subject05-talking.avi')
    frames, fps = clip_frames(video)
    assert len(frames) == VIDEO_FRAMES and fps == pytest.approx(VIDEO_FPS)
    once = list(segment_frames(Segment(video, 0.0, 'clip')))
    assert len(once) == VIDEO_FRAMES and once[0][1] == pytest.approx(1 / VIDEO_FPS)
    looped = list(segment_frames(Segment(video, 2.0, 'clip')))
    assert len(looped) == 2 * VIDEO_FRAMES  # 50 frames needed: the clip plays twice
    sequence = list(segment_frames(Segment(str(dataset / 'Happiness' / 'subject03_sequence'),
                                           0.0, 'clip')))
    assert len(sequence) == 14 and sequence[0][1] == pytest.approx(1 / 15)
    held = list(segment_frames(Segment(video, 1.0, 'first_frame')))
    assert len(held) == 15 and all(np.array_equal(f, frames[0]) for f, _ in held)


def test_evaluate_api_scores_the_folder_cold_and_met(dataset, face_model):
    record = evaluate_api(Path('/nonexistent'), Path('/nonexistent'), face_model=str(face_model),
                          datasets=[('mini', dataset)], builtin=False)
    cold, met = record['sets']['mini'], record['sets']['mini_met']
    assert set(record['sets']) == {'mini', 'mini_met'}
    assert cold['images'] == 9 and met['images'] == 9
    assert cold['items'] == {'photo': 7, 'clip': 2}
    assert met['met_from']['first_frame'] == 1
    # Yale's smiles are clear: the happy items (two photos and the sequence) read happy.
    assert cold['three_class']['per_class']['happy']['recall'] >= 2 / 3
    assert met['mean_resting_face_settled'] > cold['mean_resting_face_settled']
    # The two clips are also scored over their frames, and every set says where its sad and
    # happy answers came from (one count per item).
    assert cold['clips']['clips'] == met['clips']['clips'] == 2
    assert sum(row['frames'] for row in cold['clips']['per_class'].values()) > 2
    for result in (cold, met):
        assert sum(sum(counts.values()) for counts in result['answers_from'].values()) <= 9
        assert set(result['alarms']) == {'macro_f1', 'sad_recall', 'sad_precision',
                                         'negatives_read_sad', 'happy_precision'}
        assert set(result['clips']['clips_precision']) <= {'happy', 'sad', 'unknown'}


def test_evaluate_api_can_measure_without_the_resting_face(dataset, face_model, tmp_path):
    """``--no-resting-face``: the same protocol with the feature off, and the record says so."""
    out = tmp_path / 'api_eval_no_resting_face.json'
    assert main(['evaluate-api', '--face-model', str(face_model), '--only-datasets',
                 '--dataset', f'mini={dataset}', '--no-resting-face', '--out', str(out)]) == 0
    record = json.loads(out.read_text())
    assert record['resting_face'] is False
    assert record['command'].endswith('--no-resting-face --out ' + str(out))
    # Met after 10 s of the person's neutral face, yet nothing was learnt of that face.
    assert record['sets']['mini_met']['images'] == 9
    assert record['sets']['mini_met']['mean_resting_face_settled'] == 0.0
    assert record['sets']['mini']['three_class']['per_class']['happy']['recall'] >= 2 / 3


def test_bad_folders_get_clear_errors(tmp_path):
    (tmp_path / 'bored').mkdir()
    with pytest.raises(ValueError, match='class folder must be one of'):
        load_items(tmp_path)
    with pytest.raises(ValueError, match='not a folder'):
        load_items(tmp_path / 'missing')
    with pytest.raises(argparse.ArgumentTypeError):
        _named_folder('no-equals-sign')
    with pytest.raises(argparse.ArgumentTypeError):
        _named_folder(f'x={tmp_path / "missing"}')
    assert _named_folder(f'posed_a={tmp_path}') == ('posed_a', tmp_path)
