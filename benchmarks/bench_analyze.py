# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Speed of ``emotion-estimator analyze`` on a 640x480, 30 fps video (fps, multiple of real time).

The video (default 24 s, mp4v) is generated in a temporary folder from the scikit-image astronaut
photo and FER2013 test faces that move across the frame and switch every 3 s, with a 1 s stretch
without a face; nothing is written into the repository except the result table. The command is
run as a user would run it (a fresh process), and the report's own timings split the per-frame
cost into reading/decoding, MediaPipe, the emotion model and the rest.

Run::

    python benchmarks/bench_analyze.py --output benchmarks/results/analyze.md \
        --example docs/analysis_example.png
"""

import argparse
import datetime
import json
import os
from pathlib import Path
import shutil
import subprocess
import sys
import tempfile
import time
from typing import List

import cv2
import numpy as np

from emotion_estimator.contract import shared_dir
from emotion_estimator.model_files import FACE_MODEL_ENV
from emotion_estimator.provenance import describe

FRAME_WIDTH, FRAME_HEIGHT, FPS = 640, 480, 30.0
#: What is shown, 3 s each, in order (None: an empty grey frame, 1 s).
SCENES = ('astronaut', 'happy', 'sad', 'neutral', None, 'astronaut', 'surprise', 'happy', 'sad')


def _faces() -> dict:
    from skimage import data
    faces = {'astronaut': cv2.cvtColor(data.astronaut()[:400, 60:460], cv2.COLOR_RGB2BGR)}
    fer = shared_dir() / 'datasets' / 'fer2013' / 'test'
    for name in set(SCENES) - {'astronaut', None}:
        path = sorted((fer / name).glob('*.jpg'))[0]
        faces[name] = cv2.cvtColor(cv2.imread(str(path), cv2.IMREAD_GRAYSCALE),
                                   cv2.COLOR_GRAY2BGR)
    return faces


def write_video(path: Path, seconds: float, fourcc: str = 'mp4v') -> int:
    """Write the benchmark video; return its number of frames."""
    faces = _faces()
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), FPS,
                             (FRAME_WIDTH, FRAME_HEIGHT))
    if not writer.isOpened():
        raise RuntimeError(f'OpenCV cannot write {fourcc} to {path}')
    total = int(round(seconds * FPS))
    schedule: List[object] = []
    while len(schedule) < total:
        for scene in SCENES:
            schedule.extend([scene] * int(FPS * (1 if scene is None else 3)))
    side = 260
    for index, scene in enumerate(schedule[:total]):
        frame = np.full((FRAME_HEIGHT, FRAME_WIDTH, 3), 110, np.uint8)
        if scene is not None:
            phase = 2 * np.pi * index / (4 * FPS)
            left = int((FRAME_WIDTH - side) / 2 + 120 * np.sin(phase))
            top = int((FRAME_HEIGHT - side) / 2 + 40 * np.cos(phase))
            frame[top:top + side, left:left + side] = cv2.resize(
                faces[scene], (side, side), interpolation=cv2.INTER_CUBIC)
        writer.write(frame)
    writer.release()
    return total


def main() -> int:
    """Build the video, run analyze on it, and write the result table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--seconds', type=float, default=24.0)
    parser.add_argument('--fourcc', default='mp4v')
    parser.add_argument('--output', type=Path, default=None, help='markdown result file')
    parser.add_argument('--example', type=Path, default=None,
                        help='also copy the report timeline chart here (README example)')
    args = parser.parse_args()
    os.environ.setdefault(FACE_MODEL_ENV, str(shared_dir() / 'models' / 'face_landmarker.task'))
    with tempfile.TemporaryDirectory() as folder:
        video = Path(folder) / 'bench.mp4'
        frames = write_video(video, args.seconds, args.fourcc)
        report = Path(folder) / 'report'
        command = ['emotion-estimator', 'analyze', str(video), '-o', str(report), '--no-progress']
        load_before = os.getloadavg()[0]
        started = time.perf_counter()
        completed = subprocess.run(command, capture_output=True, text=True)
        process_s = time.perf_counter() - started
        load_after = os.getloadavg()[0]
        if completed.returncode != 0:
            print(completed.stderr, file=sys.stderr)
            return completed.returncode
        summary = json.loads((report / 'summary.json').read_text())
        if args.example is not None:
            args.example.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(report / 'timeline.png', args.example)
    speed = summary['processing']
    other_ms = (speed['mean_total_ms'] - speed['mean_read_wait_ms'] - speed['mean_mediapipe_ms']
                - speed['mean_model_ms'])
    lines = [
        '# `emotion-estimator analyze` speed',
        '',
        f'- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC',
        f'- machine: {describe()}; 1-minute load average {load_before:.1f} before, '
        f'{load_after:.1f} after (other jobs share the cores)',
        f'- command: `python benchmarks/bench_analyze.py --seconds {args.seconds:g} '
        f'--fourcc {args.fourcc}` (runs `emotion-estimator analyze bench.mp4 -o report '
        '--no-progress` in a fresh process)',
        f'- input: {FRAME_WIDTH}x{FRAME_HEIGHT}, {FPS:g} fps, {args.fourcc}, {frames} frames '
        f'({summary["duration_s"]:.1f} s); astronaut and FER2013 faces moving, switching every '
        '3 s, 1 s without a face per cycle',
        f'- model: {Path(summary["model"]).name}, variant {summary["variant"]}',
        '',
        '| measure | value |',
        '| --- | --- |',
        f'| processing fps (frame loop) | {speed["fps"]:.1f} |',
        f'| multiple of real time (frame loop) | {speed["x_real_time"]:.2f}x |',
        f'| whole command incl. start-up and report writing | {process_s:.2f} s = '
        f'{summary["duration_s"] / process_s:.2f}x real time |',
        f'| mean per frame: total | {speed["mean_total_ms"]:.2f} ms |',
        '| - waiting for the next decoded frame (decoded ahead in a prefetch thread) | '
        f'{speed["mean_read_wait_ms"]:.2f} ms |',
        f'| - MediaPipe FaceLandmarker | {speed["mean_mediapipe_ms"]:.2f} ms |',
        f'| - emotion model (TFLite) | {speed["mean_model_ms"]:.3f} ms |',
        f'| - rest (colour conversion, window, decision, records) | {other_ms:.2f} ms |',
        f'| frames with a face | {summary["frames_with_face"]} / {summary["frames"]} |',
        '',
        f'Goal: >= 3x real time, i.e. <= {1000 / FPS / 3:.1f} ms per frame at {FPS:g} fps.',
    ]
    text = '\n'.join(lines) + '\n'
    print(text)
    if args.output is not None:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text)
    return 0


if __name__ == '__main__':
    sys.exit(main())
