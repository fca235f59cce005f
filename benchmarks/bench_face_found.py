# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Faces found with ``max_faces`` 1 (FaceLandmarker alone) and 4 (face detector first).

300 FER2013 test faces (seeded sample), each held 6 frames at 15 fps after a 5 s gap, through
``EmotionEstimator.process``, two ways of showing them: on the 160 px canvas of the training
pre-processing (``still_photo_to_rgb``, as ``evaluate-api`` shows stills) and upscaled to 240 px
in a 640x480 frame (``test/face_frames.face_in_frame``, a face in front of a camera). Counts the
faces with a face found in any of their frames and in their last frame; writes
``benchmarks/results/face_found.md``::

    python benchmarks/bench_face_found.py
"""

import datetime
import os
from pathlib import Path
import platform
import random
import subprocess
import sys

import cv2

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / 'test'))

from face_frames import face_in_frame  # noqa: E402, I100

from emotion_estimator import provenance  # noqa: E402
from emotion_estimator.contract import shared_dir  # noqa: E402
from emotion_estimator.estimator import EmotionEstimator  # noqa: E402
from emotion_estimator.frames import still_photo_to_rgb  # noqa: E402

FACES, HELD, FPS, GAP_S, SEED = 300, 6, 15.0, 5.0, 0


def main() -> int:
    """Count the faces found both ways with both settings; write the result file."""
    files = sorted((shared_dir() / 'datasets' / 'fer2013' / 'test').glob('*/*.jpg'))
    random.Random(SEED).shuffle(files)
    files = files[:FACES]
    faces = [cv2.imread(str(path), cv2.IMREAD_GRAYSCALE) for path in files]
    shows = {'160 px canvas (training pre-processing)':
             lambda face: cv2.cvtColor(still_photo_to_rgb(face), cv2.COLOR_RGB2BGR),
             '240 px in a 640x480 frame': face_in_frame}
    rows = []
    for max_faces in (1, 4):
        with EmotionEstimator(max_faces=max_faces) as estimator:
            time_s = 0.0
            for show_name, show in shows.items():
                any_frame = last_frame = 0
                for face in faces:
                    frame = show(face)
                    time_s += GAP_S
                    found = []
                    for index in range(HELD):
                        found.append(estimator.process(frame, time_s + index / FPS).face_found)
                    any_frame += any(found)
                    last_frame += found[-1]
                rows.append(f'| {show_name} | {max_faces} | {any_frame} / {FACES} | '
                            f'{last_frame} / {FACES} |')
    commit = subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip()
    now = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds')
    machine = provenance.cpu_model()
    text = '\n'.join([
        '# Faces found: `max_faces` 1 against 4 on FER2013 test faces', '',
        f'- Command: `python benchmarks/bench_face_found.py` (commit {commit})',
        f'- Date (UTC): {now}',
        f'- Machine: {machine}, {os.cpu_count()} cores, Python {platform.python_version()}',
        f'- {FACES} FER2013 test faces (seed {SEED}), each held {HELD} frames at {FPS:g} fps '
        f'after a {GAP_S:g} s gap, through `EmotionEstimator.process` with default settings.',
        '',
        '| shown as | max_faces | faces found in any frame | found in the last frame |',
        '| --- | ---: | ---: | ---: |', *rows, ''])
    out = ROOT / 'benchmarks' / 'results' / 'face_found.md'
    out.write_text(text)
    print(text)
    return 0


if __name__ == '__main__':
    sys.exit(main())
