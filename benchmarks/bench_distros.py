# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The installed node on ROS 2 Kilted and Jazzy: 640x480 best effort at 30 Hz, another process.

For each distribution's virtual environment (``.venv``: the ros-kilted-* wheels, Fast DDS 3;
``.venv-jazzy``: the ros-jazzy-* wheels, Fast DDS 2.14), this script starts itself again with
that interpreter (``--one``), which runs ``node_harness``: the node through its entry point in
a clean environment (no Fast DDS, RMW or discovery variable: it applies its own profile), and
this process as the camera, publishing scikit-image's astronaut photo (a smiling face) as 640x480
bgr8, best effort like a camera driver, at ``--rate`` Hz. The rows alternate distributions
(``--repeats`` rounds), so that the machine's load falls on both alike. Per row: output rate,
frames lost before the node, the node's counters, the labels published, the load.

    python benchmarks/bench_distros.py --duration 30 --repeats 2   # -> results/node_distros.*
"""

import argparse
import datetime
import json
import os
from pathlib import Path
import subprocess
import sys
import tempfile
import time
from typing import Dict, List

from emotion_estimator import provenance

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
RESULTS = HERE / 'results'
VENVS = {'kilted': REPO_ROOT / '.venv', 'jazzy': REPO_ROOT / '.venv-jazzy'}
#: ROS domains of this benchmark: 95-99 (bench_node.py uses 60-94 at most; within 0-101).
DOMAIN_ID = 95 + os.getpid() % 5


def one_row(args) -> Dict[str, object]:
    """Run the node of this interpreter's distribution once; return its measurements."""
    sys.path.insert(0, str(HERE))
    import node_harness as harness
    harness.use_default_environment(DOMAIN_ID)  # the camera, in this process
    env = harness.default_environment(DOMAIN_ID)
    if args.old_variable:  # the node before issue 18: the profile in the Fast DDS 3 name only
        from emotion_estimator.dds_profile import packaged_profile_path, PROFILE_ENV
        env[PROFILE_ENV] = str(packaged_profile_path())
    log_path = Path(tempfile.mkdtemp(prefix='bench_distros_')) / 'node.log'
    message = harness.raw_message(harness.one_face_frame())
    process = harness.start_node(['processing_time_warn_ms:=1000.0'], env, log_path)
    load_start = harness.load_average()
    try:
        with harness.CameraSession() as camera:
            harness.wait_for_node(camera, process, log_path)
            harness.stream(camera, message, args.warmup, args.rate)
            since = time.time()
            harness.stream(camera, message, args.duration, args.rate)
            until = time.time() + 0.5  # the outputs of the last frames
            time.sleep(2.5)  # the last outputs and a diagnostics message with the final counts
            with camera.lock:
                measured = harness.summary(camera.recording, since)
                # (Not the 'unknown' the node publishes when the camera has stopped for 2 s.)
                labels = [label for t, label in camera.recording.labels if since <= t <= until]
                sent_total = len(camera.recording.sent)
            counters = camera.last_counters()
    finally:
        exit_code = harness.stop_process(process)
    log = log_path.read_text(errors='replace')
    return {
        'python': sys.executable, 'load_average_at_start': load_start,
        'load_average_at_end': harness.load_average(), **measured,
        'labels': {label: labels.count(label) for label in sorted(set(labels))},
        'frames_sent_total_with_warmup': sent_total,
        'frames_lost_before_the_node': sent_total - counters.get('frames_received', 0),
        'node_counters_total_with_warmup': counters,
        'dds_line': next((line.strip() for line in log.splitlines() if 'DDS:' in line), ''),
        'node_exit_code': exit_code,
    }


def child_environment() -> Dict[str, str]:
    """Return this environment without what the ROS wheels' start-up hook put there.

    The hook of the wheels in this interpreter's venv sets ``LD_LIBRARY_PATH`` to its libraries
    and marks itself done; another venv's interpreter must run its own hook.
    """
    return {key: value for key, value in os.environ.items()
            if key not in ('LD_LIBRARY_PATH', '_ROS_WHEELS_BOOTSTRAP_COMPLETE')}


def distribution_versions(python: Path) -> Dict[str, str]:
    """Return the rclpy and Fast DDS wheel versions installed for an interpreter."""
    code = ('import importlib.metadata as m, json, sys; d = sys.argv[1]; out = {}\n'
            'for name in ("rclpy", "fastdds", "fastrtps"):\n'
            '    try: out[name] = m.version(f"ros-{d}-{name}")\n'
            '    except m.PackageNotFoundError: pass\n'
            'print(json.dumps(out))')
    distro = 'jazzy' if python.parent.parent.name == '.venv-jazzy' else 'kilted'
    result = subprocess.run([str(python), '-c', code, distro], capture_output=True, text=True,
                            env=child_environment())
    return json.loads(result.stdout) if result.returncode == 0 else {}


def markdown(result: dict) -> str:
    """Return the report."""
    lines = [
        '# The node on ROS 2 Kilted and Jazzy: 640x480 best effort at 30 Hz from another process',
        '',
        f'- Command: `{result["command"]}` (commit {result["commit"]})',
        f'- Date: {result["date"]}; machine: {result["machine"]}',
        f'- `uptime` at start: {result["uptime_start"]}; at end: {result["uptime_end"]}',
        '- Each row: a fresh node process started through its entry point with no Fast DDS, RMW'
        ' or discovery variable (it applies its own profile), the astronaut photo (a smiling'
        ' face) as 640x480 bgr8 at the rate below, best effort, from the benchmark process;'
        ' rows alternate the distributions. Labels: those published while the camera sent.',
    ]
    if result.get('old_variable'):
        lines.append('- **As before issue 18**: the node given its profile in'
                     ' `FASTDDS_DEFAULT_PROFILES_FILE` only (what it set itself then), which'
                     " Jazzy's Fast DDS 2.14 does not read.")
    lines += [
        '',
        '| distribution | rclpy / Fast DDS wheels | output Hz | outputs / frames sent |'
        ' lost before the node (with warm-up) | dropped by the node: keep-newest (with warm-up) |'
        ' labels | 1-min load start / end |',
        '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ]
    for row in result['rows']:
        versions = ', '.join(f'{name} {version}' for name, version
                             in result['versions'][row['distribution']].items())
        labels = ', '.join(f'{k} {v}' for k, v in row['labels'].items())
        lines.append(
            f'| {row["distribution"]} | {versions} | {row["output_rate_hz"]} | '
            f'{row["outputs"]} / {row["frames_sent"]} | {row["frames_lost_before_the_node"]} of '
            f'{row["frames_sent_total_with_warmup"]} | '
            f'{row["node_counters_total_with_warmup"].get("dropped_keep_newest")} | {labels} | '
            f'{row["load_average_at_start"].split()[0]} / '
            f'{row["load_average_at_end"].split()[0]} |')
    lines += ['', 'Frames lost before the node are what the transport loses (what the profile'
              ' is for); frames dropped by keep-newest reached the node, which had no CPU for'
              ' them in time (the load of the machine).', '',
              "The node's DDS line, per distribution:", '']
    for distro in result['versions']:
        line = next(row['dds_line'] for row in result['rows'] if row['distribution'] == distro)
        lines.append(f'- {distro}: `{line}`')
    return '\n'.join(lines) + '\n'


def main() -> int:
    """Run the rows and write benchmarks/results/<output>.{json,md}."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--duration', type=float, default=30.0, help='seconds per row (30)')
    parser.add_argument('--rate', type=float, default=30.0, help='camera rate in Hz (30)')
    parser.add_argument('--warmup', type=float, default=5.0, help='seconds sent, not measured')
    parser.add_argument('--repeats', type=int, default=2, help='rounds of both (2)')
    parser.add_argument('--output', default='node_distros')
    parser.add_argument('--distros', default='kilted,jazzy', help='kilted,jazzy')
    parser.add_argument('--old-variable', action='store_true',
                        help='name the profile in FASTDDS_DEFAULT_PROFILES_FILE only, as the node '
                             "did before (Jazzy's Fast DDS 2.14 does not read it)")
    parser.add_argument('--one', action='store_true', help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_row(args)))
        return 0
    command = 'python benchmarks/bench_distros.py ' + ' '.join(sys.argv[1:])
    uptime_start = subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()
    rows: List[dict] = []
    for _ in range(args.repeats):
        for distro in args.distros.split(','):
            python = VENVS[distro] / 'bin' / 'python'
            print(f'{distro} ...', flush=True)
            run = subprocess.run([str(python), __file__, '--one', '--duration',
                                  str(args.duration), '--rate', str(args.rate), '--warmup',
                                  str(args.warmup)] + (['--old-variable'] if args.old_variable
                                                       else []),
                                 capture_output=True, text=True,
                                 env=child_environment())
            if run.returncode != 0:
                print(run.stdout[-3000:], run.stderr[-3000:], file=sys.stderr)
                return 1
            rows.append({'distribution': distro,
                         **json.loads(run.stdout.strip().splitlines()[-1])})
    commit = subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], cwd=REPO_ROOT,
                            capture_output=True, text=True).stdout.strip()
    cpu = provenance.cpu_model()
    result = {
        'command': command, 'commit': commit,
        'date': subprocess.run(['date'], capture_output=True, text=True).stdout.strip(),
        'date_iso': datetime.datetime.now().isoformat(timespec='seconds'),
        'machine': f'{os.cpu_count()}-core x86 VM ({cpu})',
        'uptime_start': uptime_start,
        'uptime_end': subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip(),
        'versions': {distro: distribution_versions(VENVS[distro] / 'bin' / 'python')
                     for distro in args.distros.split(',')},
        'old_variable': args.old_variable,
        'rows': rows,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f'{args.output}.json').write_text(json.dumps(result, indent=1) + '\n')
    (RESULTS / f'{args.output}.md').write_text(markdown(result))
    print(markdown(result))
    return 0


if __name__ == '__main__':
    sys.exit(main())
