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
    # 1-4 people in 1280x720 (max_faces 4, and 1 face with max_faces 1): node_faces.{md,json}
    python benchmarks/bench_node.py --faces --duration 30

``--faces`` (rows ``FACE_ROWS``): 1280x720 bgr8 frames of 1, 2, 3 and 4 real people (faces of
240 px, the scenes of ``bench_faces.py``'s estimator table, built by its ``compose``), the node
at ``max_faces:=4``; one face at ``max_faces:=1``; and the two people of the node and face tests
(``test/face_frames.py``: ``people_scene(two_people(), ...)``, 440 px photos). It also records
the faces per ``emotion/faces`` message, so it restarts itself once in the colcon workspace's
environment (``node_harness.run_in_workspace``, sources first on ``PYTHONPATH``) where that is
built; the processing time per frame comes from the node's diagnostics (per-second means) and
its CPU time per output from ``/proc``, and the cost per extra face is derived from them.
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
from emotion_estimator.model_files import default_shared_face_model, FACE_MODEL_ENV

HERE = Path(__file__).resolve().parent
RESULTS = HERE / 'results'
BASELINE = HERE / 'baseline_2hz_node.py'
#: A hand-written part of a report after this line is kept when the report is written again.
NOTES_MARK = '<!-- notes below: written by hand, kept when the script rewrites this file -->'

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
#: The ``--faces`` rows: 1280x720 scenes of real people (see the module docstring).
FACE_ROWS = {
    'people-1': ('node', 'raw', 1, {'scene': 'people', 'max_faces': 4}),
    'people-2': ('node', 'raw', 2, {'scene': 'people', 'max_faces': 4}),
    'people-3': ('node', 'raw', 3, {'scene': 'people', 'max_faces': 4}),
    'people-4': ('node', 'raw', 4, {'scene': 'people', 'max_faces': 4}),
    'people-1-max1': ('node', 'raw', 1, {'scene': 'people', 'max_faces': 1}),
    'two-people-440': ('node', 'raw', 2, {'scene': 'two_people', 'max_faces': 4}),
}
ALL_ROWS = {**ROWS, **FACE_ROWS}
#: Face size (px, the face box's larger side) of the ``people`` scenes.
PEOPLE_FACE_PX = 240


def frames_by_faces() -> Dict[int, np.ndarray]:
    """Return the 1-face and the 3-face frame."""
    return {1: harness.one_face_frame(),
            3: harness.three_faces_frame(shared_dir() / 'datasets' / 'fer2013' / 'test')}


def frame_key(name: str) -> tuple:
    """Return which frame a row sends: (scene, people)."""
    _, _, faces, options = ALL_ROWS[name]
    return options.get('scene', 'fer'), faces


def people_frames(counts) -> Dict[tuple, np.ndarray]:
    """Return 1280x720 BGR frames of ``counts`` people, each adding one to the one before.

    The people are real faces cropped around the face by ``bench_faces.load_sources`` (the
    astronaut, FER2013, muxspace and Yale), placed in a row by ``bench_faces.compose`` with faces
    of PEOPLE_FACE_PX.
    """
    import cv2
    import bench_faces
    with BlendshapeExtractor(video=False) as finder:
        sources = bench_faces.load_sources(finder, 2)
    people = [sources[(3 + 5 * k) % len(sources)] for k in range(max(counts))]
    return {('people', count): cv2.cvtColor(bench_faces.compose(
        (1280, 720), (PEOPLE_FACE_PX,) * count, people[:count], 0)[0], cv2.COLOR_RGB2BGR)
        for count in counts}


def two_people_frame() -> np.ndarray:
    """Return the node and face tests' frame of two people (test/face_frames.py)."""
    sys.path.insert(0, str(HERE.parent / 'test'))
    from face_frames import people_scene, two_people
    return people_scene(two_people(), [150, 690])


def frames_for(rows: List[str]) -> Dict[tuple, np.ndarray]:
    """Return the frames the rows send, by :func:`frame_key`."""
    keys = {frame_key(row) for row in rows}
    frames: Dict[tuple, np.ndarray] = {}
    if keys & {('fer', 1), ('fer', 3)}:
        frames.update({('fer', faces): frame for faces, frame in frames_by_faces().items()})
    people = sorted(count for scene, count in keys if scene == 'people')
    if people:
        frames.update(people_frames(people))
    if ('two_people', 2) in keys:
        frames[('two_people', 2)] = two_people_frame()
    return frames


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


def run_row(name: str, frames: Dict[tuple, np.ndarray], args, domain: int) -> dict:
    """Run one end-to-end row and return its measurements."""
    what, source, faces, options = ALL_ROWS[name]
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
        if 'max_faces' in options:
            parameters.append(f"max_faces:={options['max_faces']}")
        command = harness.node_command(parameters)
        process = harness.start_node(parameters, env, log_path)
        node_name = '/emotion_estimator'
    frame = frames[frame_key(name)]
    message = harness.jpeg_message(frame) if compressed else harness.raw_message(frame)
    samples = []
    load_at_start = harness.load_average()
    record_faces = what == 'node' and harness.faces_message_usable()
    try:
        with harness.CameraSession(compressed=compressed, reliable=options.get('reliable', False),
                                   node_name=node_name, record_faces=record_faces) as camera:
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
            until = time.time()
            samples.append({'t_s': round(time.monotonic() - start, 1),
                            'load_1min': os.getloadavg()[0], **harness.proc_sample(process.pid)})
            time.sleep(2.5)  # the last outputs and a diagnostics message with the final counts
            with camera.lock:
                measured = harness.summary(camera.recording, since)
                sent_total = len(camera.recording.sent)
                processing = harness.processing_summary(camera.recording, since, until + 1.2)
                faces_per_message = (harness.faces_summary(camera.recording, since)
                                     if record_faces else None)
            counters = camera.last_counters()
    finally:
        exit_code = harness.stop_process(process)
    loads = [sample['load_1min'] for sample in samples]
    cpu_s = samples[-1]['cpu_s'] - samples[0]['cpu_s']
    cpu = 100.0 * cpu_s / max(samples[-1]['t_s'] - samples[0]['t_s'], 1e-9)
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
        'node_cpu_ms_per_output': (round(1000.0 * cpu_s / measured['outputs'], 2)
                                   if measured['outputs'] else None),
        'processing_ms': processing,
        'faces_per_message': faces_per_message,
        'node_rss_mib': {'start': round(samples[0]['rss_mib'], 1),
                         'end': round(samples[-1]['rss_mib'], 1),
                         'max': round(max(s['rss_mib'] for s in samples), 1)},
        'samples': samples,
        'node_exit_code': exit_code,
    }


def git_commit() -> str:
    """Return the checked-out commit (with '+changes (files)' when the tree differs)."""
    try:
        commit = subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], cwd=HERE,
                                capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(['git', 'status', '--porcelain', '--', 'emotion_estimator',
                                'test/ros/node_harness.py', 'benchmarks/bench_node.py',
                                'benchmarks/bench_faces.py', 'config'], cwd=HERE.parent,
                               capture_output=True, text=True).stdout.splitlines()
    except OSError:
        return 'unknown'
    files = ', '.join(line[3:] for line in dirty if line.strip())
    return commit + (f'+changes ({files})' if files else '')


def rewrite(path: Path) -> None:
    """Write the Markdown report of a result JSON again (after a change of its wording)."""
    write_report(path.with_suffix('.md'), json.loads(path.read_text()))


def main() -> int:
    """Run the benchmark and write benchmarks/results/<output>.{json,md}."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--duration', type=float, default=60.0, help='seconds per row (60)')
    parser.add_argument('--rate', type=float, default=30.0, help='camera rate in Hz (30)')
    parser.add_argument('--warmup', type=float, default=5.0, help='seconds sent, not measured')
    parser.add_argument('--rows', default=None,
                        help=f'comma-separated rows (default: {",".join(ROWS)}; with --faces '
                        f'{",".join(FACE_ROWS)})')
    parser.add_argument('--faces', action='store_true',
                        help='1-4 people in 1280x720 (FACE_ROWS), no in-process part, '
                        'report node_faces')
    parser.add_argument('--frames', type=int, default=300,
                        help='frames per in-process measurement (300)')
    parser.add_argument('--skip-inprocess', action='store_true')
    parser.add_argument('--output', default=None,
                        help='result name (node_bench; with --faces node_faces)')
    args = parser.parse_args()
    if not os.environ.get(FACE_MODEL_ENV) and default_shared_face_model().is_file():
        os.environ[FACE_MODEL_ENV] = str(default_shared_face_model())  # the node inherits it
    if args.faces:
        harness.run_in_workspace([str(Path(__file__).resolve()), *sys.argv[1:]])
        args.skip_inprocess = True
    args.output = args.output or ('node_faces' if args.faces else 'node_bench')
    rows = [row for row in (args.rows or ','.join(FACE_ROWS if args.faces else ROWS)).split(',')
            if row]
    unknown = set(rows) - set(ALL_ROWS)
    if unknown:
        parser.error(f'unknown rows {sorted(unknown)}; known: {", ".join(ALL_ROWS)}')
    # 60-99: apart from the tests' 10-59 and 100-101 and the soak's 1-9, below 102 (higher
    # domains put Fast DDS ports into the ephemeral range).
    domain = int(os.environ.get('ROS_DOMAIN_ID', 60 + os.getpid() % 40))
    harness.use_default_environment(domain)
    started_at = datetime.datetime.now(datetime.timezone.utc)
    info = harness.machine()
    uptime_at_start = harness.uptime()
    frames = frames_for(rows + ([] if args.skip_inprocess else ['raw-1', 'raw-3']))
    result = {
        'command': 'python benchmarks/bench_node.py ' + ' '.join(sys.argv[1:]),
        'commit': git_commit(),
        'date_utc': started_at.isoformat(timespec='seconds'),
        'machine': info, 'rate_hz': args.rate, 'warmup_s': args.warmup,
        'uptime_at_start': uptime_at_start,
        'emotion_faces_recorded': harness.faces_message_usable(),
        'in_process': {} if args.skip_inprocess else in_process(
            {1: frames[('fer', 1)], 3: frames[('fer', 3)]}, args.frames),
        'rows': [],
    }
    for row in rows:
        print(f'row {row} ...', flush=True)
        result['rows'].append(run_row(row, frames, args, domain))
    result['load_average_at_end'] = harness.load_average()
    result['uptime_at_end'] = harness.uptime()
    if args.faces:
        result['derived'] = derive_faces(result['rows'])
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f'{args.output}.json').write_text(json.dumps(result, indent=1) + '\n')
    write_report(RESULTS / f'{args.output}.md', result)
    print((RESULTS / f'{args.output}.md').read_text())
    return 0


def write_report(path: Path, result: dict) -> None:
    """Write the Markdown report, keeping the hand-written notes of the file it replaces."""
    text = faces_markdown(result) if 'derived' in result else markdown(result)
    if path.is_file() and NOTES_MARK in path.read_text():
        text += '\n' + NOTES_MARK + path.read_text().split(NOTES_MARK, 1)[1]
    path.write_text(text)


def derive_faces(rows: List[dict]) -> dict:
    """Return the cost per extra face and the frame rates derived from the ``--faces`` rows.

    Per-face cost: of the node's processing time per frame (diagnostics, mean over the row) and
    of its CPU time per output, against the faces per ``emotion/faces`` message (the people in
    the frame where that was not recorded), for the ``people`` rows at ``max_faces`` 4: the
    difference to one face divided by the extra faces, and the least-squares slope.
    """
    people = sorted((row for row in rows if row['options'].get('scene') == 'people'
                     and row['options'].get('max_faces') == 4
                     and row['processing_ms'].get('frames')), key=lambda row: row['faces'])
    derived: dict = {'per_row': [], 'fit': {}}
    one = next((row for row in people if row['faces'] == 1), None)

    def faces_of(row: dict) -> float:
        counted = row.get('faces_per_message') or {}
        return counted['mean'] if counted.get('messages') else float(row['faces'])
    for row in people:
        entry = {'row': row['row'], 'people': row['faces'], 'faces': faces_of(row),
                 'processing_mean_ms': row['processing_ms']['mean'],
                 'cpu_ms_per_output': row['node_cpu_ms_per_output'],
                 'output_rate_hz': row['output_rate_hz'],
                 'capacity_hz': round(1000.0 / row['processing_ms']['mean'], 1)}
        if one is not None and row is not one and entry['faces'] > faces_of(one):
            extra = entry['faces'] - faces_of(one)
            entry['ms_per_extra_face'] = round(
                (entry['processing_mean_ms'] - one['processing_ms']['mean']) / extra, 2)
            if entry['cpu_ms_per_output'] and one['node_cpu_ms_per_output']:
                entry['cpu_ms_per_extra_face'] = round(
                    (entry['cpu_ms_per_output'] - one['node_cpu_ms_per_output']) / extra, 2)
        derived['per_row'].append(entry)
    points = [(e['faces'], e['processing_mean_ms'], e['cpu_ms_per_output'])
              for e in derived['per_row']]
    if len({p[0] for p in points}) >= 2:
        x = np.array([p[0] for p in points], float)
        slope, intercept = np.polyfit(x, [p[1] for p in points], 1)
        derived['fit']['processing_ms'] = {'per_face': round(float(slope), 2),
                                           'intercept': round(float(intercept), 2)}
        if all(p[2] for p in points):
            slope, intercept = np.polyfit(x, [p[2] for p in points], 1)
            derived['fit']['cpu_ms'] = {'per_face': round(float(slope), 2),
                                        'intercept': round(float(intercept), 2)}
    two = [row for row in rows if row['faces'] == 2 and row['options'].get('max_faces') == 4]
    derived['two_faces'] = [{
        'row': row['row'], 'output_rate_hz': row['output_rate_hz'],
        'camera_rate_hz': row['input_rate_hz'],
        'capacity_hz': (round(1000.0 / row['processing_ms']['mean'], 1)
                        if row['processing_ms'].get('mean') else None),
        'dropped': row['node_counters_total_with_warmup'].get('dropped_frames')} for row in two]
    single = next((row for row in rows if row['row'] == 'people-1-max1'), None)
    if one is not None and single is not None and single['processing_ms'].get('mean'):
        derived['one_face_max4_minus_max1_ms'] = round(
            one['processing_ms']['mean'] - single['processing_ms']['mean'], 2)
        if one['node_cpu_ms_per_output'] and single['node_cpu_ms_per_output']:
            derived['one_face_max4_minus_max1_cpu_ms'] = round(
                one['node_cpu_ms_per_output'] - single['node_cpu_ms_per_output'], 2)
    return derived


def faces_markdown(r: dict) -> str:
    """Return the ``--faces`` result as a Markdown report."""
    m, d = r['machine'], r['derived']
    lines = [
        f"# Node with 1-4 faces: {r['rate_hz']:g} Hz camera in another process, 1280x720",
        '',
        f"- Command: `{r['command']}` (commit {r['commit']})",
        f"- Date (UTC): {r['date_utc']}",
        f"- Machine: nproc={m['nproc']}, {m['cpu_model']}, Python {m['python']}",
        f"- `uptime` at start: `{r.get('uptime_at_start', '')}`",
        f"- `uptime` at end: `{r.get('uptime_at_end', '')}`",
        f"- Per row: {r['rows'][0]['duration_s']:g} s measured after {r['warmup_s']:g} s of "
        'warm-up, a fresh node process started through its entry point (clean environment, '
        'its own Fast DDS profile), `processing_time_warn_ms:=1000.0` and `max_faces` as '
        'given; the camera publishes one static bgr8 frame best effort, stamped with the wall '
        'clock. The node and the camera alone load the 2 cores by about 0.6-1; more is other '
        'work (1-min load during each row in the last column).',
        '- `emotion/faces` recorded: ' + (
            'yes (colcon workspace messages, the sources first on `PYTHONPATH`)'
            if r.get('emotion_faces_recorded') else
            'no (emotion_estimator_msgs not built: faces per message are not measured)'),
        '',
        '## Per row', '',
        '| row | people in frame | max_faces | output Hz (camera Hz) | outputs / frames sent '
        '| node: received, processed, dropped (by reason) | processing ms per frame: mean / '
        'p50 / p95 of per-second means / max | node CPU ms per output | latency stamp -> '
        'output ms p50 / p95 / max | faces per `emotion/faces` message: mean (min-max) | '
        '1-min load during: min / mean / max |',
        '| --- | ---: | ---: | --- | --- | --- | --- | ---: | --- | --- | --- |']
    for row in r['rows']:
        c = row['node_counters_total_with_warmup']
        reasons = ', '.join(f'{k[len("dropped_"):]} {v}' for k, v in c.items()
                            if k.startswith('dropped_') and k != 'dropped_frames' and v)
        lat, load, pt = row['latency_ms'], row['load_1min_during'], row['processing_ms']
        faces = row.get('faces_per_message') or {}
        faces_text = (f"{faces['mean']:.2f} ({faces['min']}-{faces['max']})"
                      if faces.get('messages') else 'not recorded')
        scene = ('test scene, 440 px photos' if row['options'].get('scene') == 'two_people'
                 else f'{PEOPLE_FACE_PX} px faces')
        lines.append(
            f"| {row['row']} | {row['faces']} ({scene}) | {row['options'].get('max_faces')} | "
            f"{row['output_rate_hz']} ({row['input_rate_hz']}) | {row['outputs']} / "
            f"{row['frames_sent']} | {c.get('frames_received')}, {c.get('frames_processed')}, "
            f"{c.get('dropped_frames')} ({reasons or 'none'}) | {pt.get('mean')} / "
            f"{pt.get('period_p50')} / {pt.get('period_p95')} / {pt.get('max')} | "
            f"{row['node_cpu_ms_per_output']} | {lat.get('p50')} / {lat.get('p95')} / "
            f"{lat.get('max')} | {faces_text} | {load['min']} / {load['mean']} / "
            f"{load['max']} |")
    lines += [
        '',
        "Processing time: the node's `processing_time_mean_ms` / `_max_ms` diagnostics (one "
        'status a second): the mean is over every frame of the measured seconds (period means '
        'weighted by their frames), p50 / p95 are of the per-second means (the node reports no '
        'per-frame times), max is the largest single frame. It is wall time from the start of '
        "the frame's conversion to its results, before publishing, so other work on the "
        "cores adds to it; the node's CPU time per output (`/proc`, all its threads, "
        'receiving and publishing included) is less sensitive to that. Node counters are '
        "totals including the warm-up; latency is from the frame's stamp to the arrival of "
        'its `emotion/header`.',
        '',
        '## Cost per extra face and the two-face frame rate', '',
        '| row | faces per message | processing ms | ms per extra face (vs 1 face) | node CPU '
        'ms per output | CPU ms per extra face | output Hz | frames per second the '
        'processing time allows |',
        '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |']
    for e in d['per_row']:
        lines.append(f"| {e['row']} | {e['faces']:.2f} | {e['processing_mean_ms']} | "
                     f"{e.get('ms_per_extra_face', '')} | {e['cpu_ms_per_output']} | "
                     f"{e.get('cpu_ms_per_extra_face', '')} | {e['output_rate_hz']} | "
                     f"{e['capacity_hz']} |")
    fit = d.get('fit', {})
    lines.append('')
    if 'processing_ms' in fit:
        lines.append('- Least squares over the rows (ms = a + b x faces): processing '
                     f"b = **{fit['processing_ms']['per_face']} ms per face** "
                     f"(a = {fit['processing_ms']['intercept']})" + (
                         f"; CPU b = {fit['cpu_ms']['per_face']} ms per face "
                         f"(a = {fit['cpu_ms']['intercept']})" if 'cpu_ms' in fit else '') + '.')
    for two in d.get('two_faces', []):
        lines.append(f"- Two faces (`{two['row']}`): **{two['output_rate_hz']} Hz out** of a "
                     f"{two['camera_rate_hz']} Hz camera, {two['dropped']} frames dropped; the "
                     f"mean processing time allows {two['capacity_hz']} frames per second.")
    if 'one_face_max4_minus_max1_ms' in d:
        lines.append('- One face, `max_faces` 4 minus `max_faces` 1: '
                     f"{d['one_face_max4_minus_max1_ms']} ms processing per frame, "
                     f"{d.get('one_face_max4_minus_max1_cpu_ms', 'n/a')} ms CPU per output.")
    return '\n'.join(lines) + '\n'


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
