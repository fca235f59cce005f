# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Speed of ``emotion-estimator analyze-corpus`` with 1 and 2 local Ray workers.

The corpus (default 6 videos of 20 s, 640x480, 30 fps, mp4v) is generated in a temporary folder
with the video of ``bench_analyze.py`` (the astronaut photo and FER2013 test faces moving across
the frame); each video starts at another point of that video's scene cycle. For each number of
workers the command runs as a user would run it (a fresh process, a fresh output folder), and a
last run of the 2-worker command over its own output measures how long skipping a finished corpus
takes. Results: recordings per minute and multiple of real time of the whole command (Ray
start-up included), the mean frame-loop speed of one recording, and the load average.

Run::

    python benchmarks/bench_corpus.py --output benchmarks/results/corpus.md
"""

import argparse
import datetime
import os
from pathlib import Path
import subprocess
import sys
import tempfile
import time
from typing import Dict, List

from bench_analyze import FPS, FRAME_HEIGHT, FRAME_WIDTH, write_video
import cv2

from emotion_estimator import provenance
from emotion_estimator.contract import shared_dir
from emotion_estimator.model_files import FACE_MODEL_ENV


def cpu_model() -> str:
    """Return the CPU model, the number of processors and how many this process may use."""
    return (f'{provenance.cpu_model()} x {os.cpu_count()} '
            f'(usable: {provenance.usable_cpus()})')


def make_corpus(folder: Path, videos: int, seconds: float) -> float:
    """Write ``videos`` clips of ``seconds`` each into ``folder``; return the total seconds."""
    folder.mkdir(parents=True, exist_ok=True)
    source = folder.parent / 'cycle.mp4'
    total = write_video(source, seconds * 2)
    per_clip = int(round(seconds * FPS))
    for index in range(videos):
        session = folder / f'session_{index // 2 + 1}'
        session.mkdir(parents=True, exist_ok=True)
        writer = cv2.VideoWriter(str(session / f'camera_{index % 2}.mp4'),
                                 cv2.VideoWriter_fourcc(*'mp4v'), FPS,
                                 (FRAME_WIDTH, FRAME_HEIGHT))
        start = (index * int(FPS * 3)) % max(total - per_clip, 1)
        capture = cv2.VideoCapture(str(source))
        for number in range(start + per_clip):
            ok, frame = capture.read()
            if not ok:
                raise RuntimeError(f'{source} ended at frame {number}')
            if number >= start:
                writer.write(frame)
        capture.release()
        writer.release()
    source.unlink()
    return videos * per_clip / FPS


def run_corpus(corpus: Path, output: Path, workers: int) -> Dict[str, object]:
    """Run analyze-corpus in a fresh process; return its wall time, loads and table."""
    from pyarrow import parquet

    # The emotion-estimator command of this Python (python -m runs the same entry point).
    command = [sys.executable, '-m', 'emotion_estimator.cli', 'analyze-corpus', str(corpus),
               '-o', str(output), '--num-cpus', str(workers), '--no-progress']
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, text=True)
    wall_s = time.perf_counter() - started
    load_after = os.getloadavg()[0]
    if completed.returncode != 0:
        raise RuntimeError(f'{" ".join(command)} exited {completed.returncode}:\n'
                           f'{completed.stderr[-3000:]}')
    rows = parquet.read_table(output / 'corpus.parquet').to_pylist()
    return {'wall_s': wall_s, 'load_before': load_before, 'load_after': load_after,
            'rows': rows}


def main() -> int:
    """Build the corpus, run it with 1 and 2 workers, and write the result table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--videos', type=int, default=6)
    parser.add_argument('--seconds', type=float, default=20.0)
    parser.add_argument('--output', type=Path, default=None, help='markdown result file')
    args = parser.parse_args()
    os.environ.setdefault(FACE_MODEL_ENV, str(shared_dir() / 'models' / 'face_landmarker.task'))
    results: List[Dict[str, object]] = []
    with tempfile.TemporaryDirectory() as folder:
        corpus = Path(folder) / 'corpus'
        media_s = make_corpus(corpus, args.videos, args.seconds)
        for workers in (1, 2):
            result = run_corpus(corpus, Path(folder) / f'out_{workers}', workers)
            result['workers'] = workers
            results.append(result)
        resume = run_corpus(corpus, Path(folder) / 'out_2', 2)
    lines = [
        '# `emotion-estimator analyze-corpus` speed (local Ray, 1 and 2 workers)',
        '',
        f'- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC',
        f'- machine: {cpu_model()}; the cores are shared with other '
        'jobs (other developers train models on this machine): see the load averages',
        f'- command: `python benchmarks/bench_corpus.py --videos {args.videos} --seconds '
        f'{args.seconds:g}` (runs `emotion-estimator analyze-corpus corpus -o out --num-cpus N '
        '--no-progress` in a fresh process, N = 1 then 2, each into an empty output folder)',
        f'- corpus: {args.videos} videos x {args.seconds:g} s = {media_s:.0f} s, {FRAME_WIDTH}x'
        f'{FRAME_HEIGHT}, {FPS:g} fps, mp4v, in {args.videos // 2 + args.videos % 2} session '
        'folders; the astronaut and FER2013 faces of `bench_analyze.py`, moving',
        '',
        '| workers | whole command | recordings / min | x real time | mean frame loop per '
        'recording | mean model load per recording (first per worker) | 1-min load average '
        'before / after |',
        '| --- | --- | --- | --- | --- | --- | --- |',
    ]
    for result in results:
        rows = result['rows']
        assert all(row['status'] == 'ok' for row in rows), rows
        wall_s = float(result['wall_s'])
        loads = sorted(rows, key=lambda row: row['analysed_at'])
        first: Dict[str, float] = {}
        for row in loads:
            first.setdefault(row['worker'], row['model_load_s'])
        lines.append(
            f"| {result['workers']} | {wall_s:.1f} s | {60 * len(rows) / wall_s:.1f} | "
            f'{media_s / wall_s:.2f}x | '
            f"{sum(r['x_real_time'] for r in rows) / len(rows):.2f}x real time | "
            f"{sum(r['model_load_s'] for r in rows) / len(rows):.2f} s "
            f"({', '.join(f'{v:.1f} s' for v in first.values())}) | "
            f"{result['load_before']:.1f} / {result['load_after']:.1f} |")
    skipped = sum(row['status'] == 'skipped' for row in resume['rows'])
    lines += [
        '',
        f'Second run of the 2-worker command over its finished output: {skipped} of '
        f"{len(resume['rows'])} recordings skipped in {resume['wall_s']:.1f} s (no Ray start).",
    ]
    text = '\n'.join(lines) + '\n'
    print(text)
    if args.output is not None:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text)
    return 0


if __name__ == '__main__':
    sys.exit(main())
