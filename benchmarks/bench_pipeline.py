# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Per-frame cost of EmotionEstimator.process against MediaPipe FaceLandmarker alone.

Both run on the same 640x480 BGR frames with a real face (the scikit-image astronaut and
upscaled FER2013 test faces, each held for a few frames as in a video), in the same process,
frame by frame in a seeded random order (A then B, or B then A) so that CPU contention from
other jobs hits both alike. MediaPipe alone is :class:`BlendshapeExtractor` in VIDEO mode on
a pre-converted RGB frame, so the overhead covers everything the pipeline adds (colour
conversion, window, TFLite model, decision, result). The TFLite model is also timed alone for
every variant named in ``emotion_model.json``.

Run single-threaded, pinned to one core::

    taskset -c 0 python benchmarks/bench_pipeline.py --output benchmarks/results/pipeline.md
"""

import argparse
import cProfile
import datetime
import io
import os
from pathlib import Path
import pstats
import sys
import time
from typing import Dict, List, Sequence

import cv2
import numpy as np

from emotion_estimator import provenance
from emotion_estimator.blendshapes import BlendshapeExtractor
from emotion_estimator.classifier import EmotionClassifier
from emotion_estimator.contract import ModelSpec, shared_dir
from emotion_estimator.estimator import EmotionEstimator
from emotion_estimator.model_files import default_shared_face_model, FACE_MODEL_ENV

FRAME_WIDTH, FRAME_HEIGHT = 640, 480
FER_CLASSES = ('happy', 'sad', 'neutral', 'surprise', 'angry', 'fear', 'disgust')


def place(face_bgr: np.ndarray, side: int, shift: int) -> np.ndarray:
    """Centre an upscaled face on a grey 640x480 BGR frame, moved right by ``shift`` px."""
    scaled = cv2.resize(face_bgr, (side, side), interpolation=cv2.INTER_CUBIC)
    frame = np.full((FRAME_HEIGHT, FRAME_WIDTH, 3), 128, np.uint8)
    top, left = (FRAME_HEIGHT - side) // 2, (FRAME_WIDTH - side) // 2 + shift
    frame[top:top + side, left:left + side] = scaled
    return frame


def build_frames(faces_per_class: int, frames_per_face: int) -> List[np.ndarray]:
    """Return the frame sequence: the astronaut, then FER faces, each for a few frames."""
    from skimage import data
    sources = [(cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR), FRAME_HEIGHT)]
    fer = shared_dir() / 'datasets' / 'fer2013' / 'test'
    for class_name in FER_CLASSES:
        for path in sorted((fer / class_name).glob('*.jpg'))[:faces_per_class]:
            grey = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
            sources.append((cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR), 240))
    return [place(face, side, shift=2 * i) for face, side in sources
            for i in range(frames_per_face)]


def stats_ms(seconds: Sequence[float]) -> Dict[str, float]:
    """Return min / median / p90 / mean of durations, in milliseconds."""
    ms = np.asarray(seconds) * 1000.0
    return {'min': float(ms.min()), 'median': float(np.median(ms)),
            'p90': float(np.percentile(ms, 90)), 'mean': float(ms.mean()), 'n': int(ms.size)}


def bench_pipeline(frames: List[np.ndarray], rounds: int, variant: str, seed: int):
    """Time the pipeline and MediaPipe alone, frame by frame in random A/B order."""
    rgb_frames = [cv2.cvtColor(f, cv2.COLOR_BGR2RGB) for f in frames]
    estimator = EmotionEstimator(variant=variant)
    extractor = BlendshapeExtractor(video=True)
    rng = np.random.default_rng(seed)
    times = {'pipeline': [], 'mediapipe': [], 'pipeline_mediapipe_part': [],
             'pipeline_model_part': [], 'pipeline_rest': [], 'pipeline_face': [],
             'mediapipe_face': []}
    faces = 0
    clock = time.perf_counter
    step = 1.0 / 15.0
    t = 0.0
    warmup = 30
    for round_index in range(rounds):
        for index, (frame, rgb) in enumerate(zip(frames, rgb_frames)):
            t += step
            order = (0, 1) if rng.random() < 0.5 else (1, 0)
            for which in order:
                if which == 0:
                    start = clock()
                    result = estimator.process(frame, t)
                    elapsed = clock() - start
                else:
                    start = clock()
                    extractor.extract(rgb, t)
                    elapsed_mp = clock() - start
            if round_index == 0 and index < warmup:
                continue
            times['pipeline'].append(elapsed)
            times['mediapipe'].append(elapsed_mp)
            times['pipeline_mediapipe_part'].append(result.timings['mediapipe_s'])
            times['pipeline_model_part'].append(result.timings['model_s'])
            times['pipeline_rest'].append(
                elapsed - result.timings['mediapipe_s'] - result.timings['model_s'])
            if result.face_found:
                times['pipeline_face'].append(elapsed)
                times['mediapipe_face'].append(elapsed_mp)
            faces += result.face_found
    estimator.close()
    extractor.close()
    return {name: stats_ms(values) for name, values in times.items()}, faces


def bench_models(spec: ModelSpec, repeats: int) -> Dict[str, Dict[str, float]]:
    """Time each TFLite variant alone on deterministic windows."""
    rng = np.random.default_rng(0)
    windows = (rng.random((64, spec.window_length, len(spec.feature_names))) ** 3).astype(
        np.float32)
    results = {}
    for variant in spec.variants:
        classifier = EmotionClassifier(spec.model_file(variant), num_threads=1)
        for window in windows:
            classifier.predict(window)
        durations = []
        for i in range(repeats):
            start = time.perf_counter()
            classifier.predict(windows[i % len(windows)])
            durations.append(time.perf_counter() - start)
        results[variant] = dict(stats_ms(durations),
                                bytes=spec.model_file(variant).stat().st_size)
    return results


def profile_pipeline(frames: List[np.ndarray], variant: str, top: int = 12) -> str:
    """Return cProfile's top functions (by own time) over one pass of the pipeline."""
    estimator = EmotionEstimator(variant=variant)
    for i, frame in enumerate(frames[:30]):
        estimator.process(frame, i / 15.0)
    profiler = cProfile.Profile()
    profiler.enable()
    for i, frame in enumerate(frames):
        estimator.process(frame, 10.0 + i / 15.0)
    profiler.disable()
    estimator.close()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats('tottime').print_stats(top)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if 'ncalls' in line)
    return '\n'.join(lines[start:start + top + 1])


def machine() -> Dict[str, str]:
    """Return this machine and its load (``provenance.machine``) under the report's keys."""
    facts = provenance.machine()
    return {'nproc': str(facts['cores']), 'cpus_usable': str(facts['cpus_usable']),
            'model': facts['cpu'], 'load': facts['load'], 'python': facts['python']}


def table(rows: Dict[str, Dict[str, float]], names: Dict[str, str]) -> List[str]:
    """Return a markdown table of min / median / p90 / mean for the named rows."""
    lines = ['| stage | min ms | median ms | p90 ms | mean ms | frames |',
             '| --- | ---: | ---: | ---: | ---: | ---: |']
    for key, label in names.items():
        s = rows[key]
        lines.append(f"| {label} | {s['min']:.2f} | {s['median']:.2f} | {s['p90']:.2f} | "
                     f"{s['mean']:.2f} | {s['n']} |")
    return lines


def main(argv=None) -> int:
    """Run the benchmark and write the markdown report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--faces-per-class', type=int, default=6,
                        help='FER2013 test faces per class (7 classes) besides the astronaut')
    parser.add_argument('--frames-per-face', type=int, default=8,
                        help='consecutive frames each face is shown for')
    parser.add_argument('--rounds', type=int, default=2, help='passes over the frame sequence')
    parser.add_argument('--variant', default=None, help='TFLite variant (default: the default)')
    parser.add_argument('--model-repeats', type=int, default=3000)
    parser.add_argument('--seed', type=int, default=2026)
    parser.add_argument('--output', type=Path, default=None, help='markdown report to write')
    args = parser.parse_args(argv)

    if not os.environ.get(FACE_MODEL_ENV) and default_shared_face_model().is_file():
        os.environ[FACE_MODEL_ENV] = str(default_shared_face_model())
    spec = ModelSpec.load()
    variant = args.variant or spec.default_variant
    frames = build_frames(args.faces_per_class, args.frames_per_face)
    before = machine()
    started = datetime.datetime.now(datetime.timezone.utc)
    pipe, faces = bench_pipeline(frames, args.rounds, variant, args.seed)
    models = bench_models(spec, args.model_repeats)
    profile = profile_pipeline(frames, variant)
    after = machine()

    overhead = {k: 100.0 * (pipe['pipeline'][k] / pipe['mediapipe'][k] - 1.0)
                for k in ('min', 'median', 'p90', 'mean')}
    overhead_face = {k: 100.0 * (pipe['pipeline_face'][k] / pipe['mediapipe_face'][k] - 1.0)
                     for k in ('min', 'median', 'p90', 'mean')}
    timed = pipe['pipeline']['n']
    command = 'python ' + ' '.join([Path(sys.argv[0]).as_posix()] + sys.argv[1:])
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < (os.cpu_count() or 1):
        command = f"taskset -c {','.join(map(str, cpus))} {command}"
    single = os.environ.get('OMP_NUM_THREADS')
    if single:
        command = f'OMP_NUM_THREADS={single} {command}'
    report = [
        '# Pipeline benchmark: EmotionEstimator.process vs MediaPipe alone',
        '',
        f'- Command: `{command}`',
        f'- Date (UTC): {started:%Y-%m-%d %H:%M}',
        f"- Machine: nproc {before['nproc']} (usable by this run: {before['cpus_usable']}), "
        f"{before['model']}, Python {before['python']}",
        f"- Load average before / after: {before['load']} / {after['load']}",
        f'- Frames: {len(frames)} frames of 640x480 BGR (astronaut + '
        f'{args.faces_per_class} FER2013 test faces per class, upscaled to 240 px, each held '
        f'for {args.frames_per_face} frames, moving 2 px per frame), {args.rounds} rounds, '
        f'first 30 frames as warm-up; {timed} timed frames per side, a face found in '
        f'{faces}; model variant `{variant}`.',
        '- Pipeline and MediaPipe alone alternate frame by frame in a seeded random order; '
        'each has its own VIDEO-mode FaceLandmarker.',
        '',
        '## Per frame',
        '',
        *table(pipe, {'mediapipe': 'MediaPipe FaceLandmarker alone (VIDEO, RGB in)',
                      'pipeline': 'EmotionEstimator.process (BGR in, all stages)',
                      'pipeline_mediapipe_part': '  of which MediaPipe (as timed inside)',
                      'pipeline_model_part': '  of which TFLite model (as timed inside)',
                      'pipeline_rest': '  of which the rest (conversion, window, decision)',
                      'mediapipe_face': 'MediaPipe alone, frames with a face',
                      'pipeline_face': 'EmotionEstimator.process, frames with a face'}),
        '',
        '| overhead of the pipeline over MediaPipe alone | min | median | p90 | mean |',
        '| --- | ---: | ---: | ---: | ---: |',
        '| all frames, % | '
        + ' | '.join(f'{overhead[k]:+.1f}' for k in ('min', 'median', 'p90', 'mean')) + ' |',
        '| frames with a face, % | '
        + ' | '.join(f'{overhead_face[k]:+.1f}' for k in ('min', 'median', 'p90', 'mean'))
        + ' |',
        '',
        '## TFLite model alone (ai-edge-litert, 1 thread)',
        '',
        '| variant | bytes | min ms | median ms | p90 ms |',
        '| --- | ---: | ---: | ---: | ---: |',
        *[f"| {name} | {s['bytes']} | {s['min']:.3f} | {s['median']:.3f} | {s['p90']:.3f} |"
          for name, s in models.items()],
        '',
        '## Profile of one pass of EmotionEstimator.process (cProfile, by own time)',
        '',
        '```',
        profile,
        '```',
        '',
    ]
    text = '\n'.join(report)
    print(text)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text)
    return 0


if __name__ == '__main__':
    sys.exit(main())
