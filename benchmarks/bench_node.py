# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Side by side in one run: MediaPipe alone, EmotionEstimator.process, and the node end to end.

In this process, per frame on the same 640x480 frames (1 face, and 3 faces side by side):
MediaPipe FaceLandmarker alone (VIDEO mode), ``EmotionEstimator.process`` and the per-frame
baseline's work (IMAGE mode + one still window), interleaved frame by frame.

End to end, each row with a fresh node process started through its entry point in a clean
environment (``node_harness``: no Fast DDS, RMW or discovery variable, so the node applies its
own profile), fed by this process as the camera at ``--rate`` Hz, best effort like a camera
driver: raw bgr8 and JPEG on ``image/compressed`` (``use_compressed:=true``), 1 and 3 faces.
The in-process rows use ``EmotionEstimator()``'s defaults (one face: FaceLandmarker alone); the
node follows up to its ``max_faces`` parameter (default 4: a face detector, then FaceLandmarker
per face), so its 3-face rows estimate all three faces (``emotion/faces``; ``emotion`` and
``emotion/header`` carry the main face). Also:

* ``round1``: round 1's setup (reliable camera, the node subscribed reliably through
  ``qos_overrides``, and this process subscribed to ``emotion/debug_image``), to show where
  round 1's dropped frames and its latency came from;
* ``baseline``: a frame-by-frame node in the manner of ROS4HRI's emotion node
  (``baseline_2hz_node.py``: a 2 Hz timer classifies the newest frame alone, no window).

Per row: output rate, the node's frame counters (received, processed, dropped per reason),
frames lost before the node (sent - received), latency from the frame's publish stamp to the
arrival of its ``emotion/header`` (exact per frame, no debug image in the path), node CPU and RSS
sampled every 5 s.

    python benchmarks/bench_node.py                      # all rows, 60 s each
    # X = node_30hz_10min: the 10-minute 30 Hz run
    python benchmarks/bench_node.py --rows raw-1 --duration 600 --skip-inprocess --output X
"""

import argparse
import datetime
import json
import os
from pathlib import Path
import random
import subprocess
import sys
import tempfile
import time
from typing import Dict, List

import node_harness as harness
import numpy as np
from rclpy.qos import QoSProfile
from sensor_msgs.msg import Image

from emotion_estimator.blendshapes import BlendshapeExtractor
from emotion_estimator.classifier import EmotionClassifier
from emotion_estimator.contract import ModelSpec, shared_dir
from emotion_estimator.estimator import EmotionEstimator
from emotion_estimator.frames import bgr_to_rgb

HERE = Path(__file__).resolve().parent
RESULTS = HERE / 'results'
BASELINE = HERE / 'baseline_2hz_node.py'

#: name -> (what, input, faces, options).
ROWS = {
    'raw-1': ('node', 'raw', 1, {}),
    'raw-3': ('node', 'raw', 3, {}),
    'jpeg-1': ('node', 'jpeg', 1, {}),
    'jpeg-3': ('node', 'jpeg', 3, {}),
    'round1-raw-1': ('node', 'raw', 1, {'reliable': True, 'debug_image': True}),
    'baseline-raw-1': ('baseline', 'raw', 1, {}),
    'baseline-raw-3': ('baseline', 'raw', 3, {}),
}


def frames_by_faces() -> Dict[int, np.ndarray]:
    """Return the 1-face and the 3-face frame."""
    return {1: harness.one_face_frame(),
            3: harness.three_faces_frame(shared_dir() / 'datasets' / 'fer2013' / 'test')}


def in_process(frames: Dict[int, np.ndarray], count: int, seed: int = 0) -> Dict[str, dict]:
    """Time MediaPipe alone, EmotionEstimator.process and the per-frame baseline's work."""
    spec = ModelSpec.load()
    classifier = EmotionClassifier(spec.model_file())
    features = np.array(spec.feature_indices)
    results = {}
    for faces, frame in frames.items():
        rgb = bgr_to_rgb(frame)
        video = BlendshapeExtractor(video=True)
        still = BlendshapeExtractor(video=False)
        estimator = EmotionEstimator()
        times: Dict[str, List[float]] = {'mediapipe': [], 'process': [], 'per_frame': []}
        found = {'mediapipe': 0, 'process': 0, 'per_frame': 0}
        order = random.Random(seed)

        def mediapipe(t: float) -> bool:
            return video.extract(rgb, t) is not None

        def process(t: float) -> bool:
            return estimator.process(frame, t).face_found

        def per_frame(t: float) -> bool:
            blendshapes = still.extract(bgr_to_rgb(frame))
            if blendshapes is None:
                return False
            classifier.predict(np.repeat(blendshapes[features][np.newaxis],
                                         spec.window_length, axis=0))
            return True
        steps = {'mediapipe': mediapipe, 'process': process, 'per_frame': per_frame}
        for index in range(count + 10):
            names = list(steps)
            order.shuffle(names)
            for name in names:
                started = time.perf_counter()
                face = steps[name](index / 30.0)
                if index >= 10:  # the first frames warm the caches up
                    times[name].append(time.perf_counter() - started)
                    found[name] += int(face)
        for extractor in (video, still):
            extractor.close()
        estimator.close()
        for name, values in times.items():
            results[f'{name}-{faces}'] = {**harness.percentiles_ms(values),
                                          'face_found': found[name]}
    return results


def run_row(name: str, frames: Dict[int, np.ndarray], args, domain: int) -> dict:
    """Run one end-to-end row and return its measurements."""
    what, source, faces, options = ROWS[name]
    compressed = source == 'jpeg'
    env = harness.default_environment(domain)
    log_path = Path(tempfile.mkdtemp(prefix=f'bench_{name}_')) / 'node.log'
    if what == 'baseline':
        command = [sys.executable, str(BASELINE)] + (['--compressed'] if compressed else [])
        process = subprocess.Popen(command, env=env, stdout=open(log_path, 'w'),
                                   stderr=subprocess.STDOUT, text=True)
        node_name = '/emotion_baseline'
    else:
        parameters = ['processing_time_warn_ms:=1000.0']
        if compressed:
            parameters.append('use_compressed:=true')
        if options.get('reliable'):
            parameters.append('qos_overrides./image.subscription.reliability:=reliable')
        command = harness.node_command(parameters)
        process = harness.start_node(parameters, env, log_path)
        node_name = '/emotion_estimator'
    frame = frames[faces]
    message = harness.jpeg_message(frame) if compressed else harness.raw_message(frame)
    samples = []
    load_at_start = harness.load_average()
    try:
        with harness.CameraSession(compressed=compressed, reliable=options.get('reliable', False),
                                   node_name=node_name) as camera:
            debug = []
            if options.get('debug_image'):
                camera.create_subscription(Image, 'emotion/debug_image',
                                           lambda msg: debug.append(time.time()),
                                           QoSProfile(depth=5))
            harness.wait_for_node(camera, process, log_path)
            harness.stream(camera, message, args.warmup, args.rate)
            since = time.time()
            start = time.monotonic()
            next_sample = [start]

            def sample(now: float) -> None:
                if now >= next_sample[0]:
                    next_sample[0] += 5.0
                    samples.append({'t_s': round(now - start, 1), 'load_1min': os.getloadavg()[0],
                                    **harness.proc_sample(process.pid)})
            harness.stream(camera, message, args.duration, args.rate, on_tick=sample)
            samples.append({'t_s': round(time.monotonic() - start, 1),
                            'load_1min': os.getloadavg()[0], **harness.proc_sample(process.pid)})
            time.sleep(2.5)  # the last outputs and a diagnostics message with the final counts
            with camera.lock:
                measured = harness.summary(camera.recording, since)
                sent_total = len(camera.recording.sent)
            counters = camera.last_counters()
    finally:
        exit_code = harness.stop_process(process)
    loads = [sample['load_1min'] for sample in samples]
    cpu = 100.0 * (samples[-1]['cpu_s'] - samples[0]['cpu_s']) / max(
        samples[-1]['t_s'] - samples[0]['t_s'], 1e-9)
    return {
        'row': name, 'what': what, 'input': source, 'faces': faces, 'options': options,
        'node_command': ' '.join(command), 'duration_s': args.duration,
        'load_average_at_start': load_at_start, 'load_average_at_end': harness.load_average(),
        'load_1min_during': {'min': round(min(loads), 2),
                             'mean': round(sum(loads) / len(loads), 2),
                             'max': round(max(loads), 2)},
        **measured,
        'frames_sent_total_with_warmup': sent_total,
        'node_counters_total_with_warmup': counters,
        'frames_lost_before_the_node': sent_total - counters.get('frames_received', 0),
        'debug_images_received': len(debug),
        'node_cpu_percent_of_one_core': round(cpu, 1),
        'node_rss_mib': {'start': round(samples[0]['rss_mib'], 1),
                         'end': round(samples[-1]['rss_mib'], 1),
                         'max': round(max(s['rss_mib'] for s in samples), 1)},
        'samples': samples,
        'node_exit_code': exit_code,
    }


def git_commit() -> str:
    """Return the checked-out commit (with '+changes' when the tree differs)."""
    try:
        commit = subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], cwd=HERE,
                                capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(['git', 'status', '--porcelain', '--', 'emotion_estimator',
                                'benchmarks/node_harness.py', 'benchmarks/bench_node.py',
                                'config'], cwd=HERE.parent, capture_output=True,
                               text=True).stdout.strip()
    except OSError:
        return 'unknown'
    return commit + ('+changes' if dirty else '')


def rewrite(path: Path) -> None:
    """Write the Markdown report of a result JSON again (after a change of its wording)."""
    path.with_suffix('.md').write_text(markdown(json.loads(path.read_text())))


def main() -> int:
    """Run the benchmark and write benchmarks/results/<output>.{json,md}."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--duration', type=float, default=60.0, help='seconds per row (60)')
    parser.add_argument('--rate', type=float, default=30.0, help='camera rate in Hz (30)')
    parser.add_argument('--warmup', type=float, default=5.0, help='seconds sent, not measured')
    parser.add_argument('--rows', default=','.join(ROWS), help='comma-separated rows')
    parser.add_argument('--frames', type=int, default=300,
                        help='frames per in-process measurement (300)')
    parser.add_argument('--skip-inprocess', action='store_true')
    parser.add_argument('--output', default='node_bench', help='result name (node_bench)')
    args = parser.parse_args()
    rows = [row for row in args.rows.split(',') if row]
    unknown = set(rows) - set(ROWS)
    if unknown:
        parser.error(f'unknown rows {sorted(unknown)}; known: {", ".join(ROWS)}')
    # 60-99: apart from the tests' 10-59 and 100-101 and the soak's 1-9, below 102 (higher
    # domains put Fast DDS ports into the ephemeral range).
    domain = int(os.environ.get('ROS_DOMAIN_ID', 60 + os.getpid() % 40))
    harness.use_default_environment(domain)
    started_at = datetime.datetime.now(datetime.timezone.utc)
    info = harness.machine()
    frames = frames_by_faces()
    result = {
        'command': 'python benchmarks/bench_node.py ' + ' '.join(sys.argv[1:]),
        'commit': git_commit(),
        'date_utc': started_at.isoformat(timespec='seconds'),
        'machine': info, 'rate_hz': args.rate, 'warmup_s': args.warmup,
        'in_process': {} if args.skip_inprocess else in_process(frames, args.frames),
        'rows': [],
    }
    for row in rows:
        print(f'row {row} ...', flush=True)
        result['rows'].append(run_row(row, frames, args, domain))
    result['load_average_at_end'] = harness.load_average()
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f'{args.output}.json').write_text(json.dumps(result, indent=1) + '\n')
    (RESULTS / f'{args.output}.md').write_text(markdown(result))
    print(markdown(result))
    return 0


ROW_TITLES = {
    'node': 'node', 'baseline': 'frame-by-frame 2 Hz (ROS4HRI manner)',
}


def markdown(r: dict) -> str:
    """Return the result as a Markdown report."""
    m = r['machine']
    lines = [
        f"# Node benchmark: {r['rate_hz']:g} Hz camera in another process, 640x480",
        '',
        f"- Command: `{r['command']}` (commit {r['commit']})",
        f"- Date (UTC): {r['date_utc']}",
        f"- Machine: nproc={m['nproc']}, {m['cpu_model']}, Python {m['python']}; load average "
        f"(1, 5, 15 min) {m['load_average']} at start, {r['load_average_at_end']} at end; per "
        'row below. The node and the camera alone load about 0.6; more is other work.',
        '- Node: a fresh process per row, started through its entry point in a clean '
        'environment, so it applies its packaged Fast DDS profile; default parameters except '
        '`processing_time_warn_ms`. In-process rows: `EmotionEstimator()` defaults, one face '
        '(FaceLandmarker alone). The node follows up to `max_faces` faces (default 4: a face '
        'detector, then FaceLandmarker per face), so its 3-face rows estimate all three.',
        '',
    ]
    if r['in_process']:
        lines += ['## Per frame in one process (ms, interleaved frame by frame)', '',
                  '| work | faces in frame | n | p50 | p90 | p99 | frames with a face |',
                  '| --- | --- | --- | --- | --- | --- | --- |']
        names = {'mediapipe': 'MediaPipe FaceLandmarker alone (VIDEO mode)',
                 'process': '`EmotionEstimator.process`',
                 'per_frame': 'per-frame baseline work (IMAGE mode + still window)'}
        for key, stats in r['in_process'].items():
            name, faces = key.rsplit('-', 1)
            lines.append(f"| {names[name]} | {faces} | {stats['n']} | {stats['p50']} | "
                         f"{stats['p90']} | {stats['p99']} | {stats['face_found']} |")
        lines.append('')
    lines += ['## End to end: camera process -> node process', '',
              '| row | what | input | faces | output Hz | outputs / frames sent | node: received, '
              'processed, dropped by reason | lost before the node (DDS count) | latency ms '
              'p50 / p90 / p99 / max | node CPU % of a core | node RSS MiB start / end / max | '
              '1-min load during: min / mean / max |',
              '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |']
    for row in r['rows']:
        c = row['node_counters_total_with_warmup']
        reasons = ', '.join(f'{k[len("dropped_"):]} {v}' for k, v in c.items()
                            if k.startswith('dropped_') and k != 'dropped_frames' and v)
        lat, rss, load = row['latency_ms'], row['node_rss_mib'], row['load_1min_during']
        what = ROW_TITLES[row['what']] + (' (round 1 setup: reliable, debug image subscribed)'
                                          if row['options'].get('debug_image') else '')
        lines.append(
            f"| {row['row']} | {what} | {row['input']} | {row['faces']} | "
            f"{row['output_rate_hz']} | {row['outputs']} / {row['frames_sent']} | "
            f"{c.get('frames_received')}, {c.get('frames_processed')}, "
            f"{c.get('dropped_frames')} ({reasons or 'none'}) | "
            f"{row['frames_lost_before_the_node']} ({c.get('frames_lost_in_transport', '-')}) | "
            f"{lat.get('p50')} / {lat.get('p90')} / "
            f"{lat.get('p99')} / {lat.get('max')} | {row['node_cpu_percent_of_one_core']} | "
            f"{rss['start']} / {rss['end']} / {rss['max']} | {load['min']} / {load['mean']} / "
            f"{load['max']} |")
    lines += [
        '',
        'Output rate and latency are over the measured seconds; the node counters and '
        '"lost before the node" are totals of the row including its warm-up (the node process '
        'is new for each row), so `received = processed + dropped + in flight` can be checked '
        'in the table. Latency: publish stamp (wall clock) of each frame to the arrival of the '
        "node's `emotion/header` for that frame, published right after `emotion` and "
        '`emotion/scores`. For the 2 Hz baseline it is the latency of the frames it classified; '
        'the frames between two ticks are never looked at (`not_sampled`), so a change of '
        'expression waits up to 0.5 s for the next tick on top of that.',
        '',
        '## Node RSS (MiB) over time, every 5 s', '',
        '| row | RSS samples |', '| --- | --- |']
    for row in r['rows']:
        step = max(1, len(row['samples']) // 20)
        lines.append(f"| {row['row']} | " + ' '.join(
            f"{s['rss_mib']:.0f}" for s in row['samples'][::step]) + ' |')
    return '\n'.join(lines) + '\n'


if __name__ == '__main__':
    sys.exit(main())
