# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Drive the real node, started as its own process, from a camera in another process.

Lives with the node process tests that use it; the benchmarks (``bench_node.py``,
``soak_node.py``, ``drops_ab.py``, ``bench_distros.py``) import it through the shim
``benchmarks/node_harness.py``. The node is started
through its entry point (the ``emotion_estimator_node`` console script, else
``python -m emotion_estimator.ros.node``), so its own Fast DDS profile choice is exercised, with
a clean environment: no Fast DDS profile, builtin transport, RMW or discovery range variable.
The camera (the only thing not real: a program that publishes photos with wall-clock stamps)
publishes best effort like a camera driver, and records what the node publishes:

* ``emotion/header``: the input header of each processed frame, so the latency of each frame
  is ``arrival - header.stamp`` exactly (published right after ``emotion`` and
  ``emotion/scores`` for that frame, on the same reliable QoS);
* ``emotion``: the labels, with arrival times;
* ``/diagnostics``: the node's frame counters;
* ``emotion/faces`` (``record_faces``, where ``emotion_estimator_msgs`` is usable): how many
  faces each frame's message holds.

The message package comes from the colcon workspace (``build_ros/``):
:func:`run_in_workspace` starts a script again with its environment, with this checkout first
on ``PYTHONPATH`` so that the node under test is the source tree, not the workspace's copy.
"""

from dataclasses import dataclass, field
import os
from pathlib import Path
import subprocess
import sys
import threading
import time
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import cv2
from diagnostic_msgs.msg import DiagnosticArray
import numpy as np
import rclpy
from rclpy.context import Context
from rclpy.executors import SingleThreadedExecutor
from rclpy.node import Node
from rclpy.qos import qos_profile_sensor_data, QoSProfile
from sensor_msgs.msg import CompressedImage, Image
from std_msgs.msg import Header, String

from emotion_estimator import provenance

try:  # the colcon workspace's interface package (see run_in_workspace)
    from emotion_estimator_msgs.msg import EmotionArray
except ImportError:
    EmotionArray = None

FRAME_WIDTH, FRAME_HEIGHT = 640, 480
REPO_ROOT = Path(__file__).resolve().parents[2]
#: ``EMOTION_ESTIMATOR_ROS_DISTRO=jazzy``: the Jazzy workspace (scripts/build_ros_workspace.sh).
WORKSPACE_ENV_FILE = REPO_ROOT / ('build_ros_jazzy' if os.environ.get(
    'EMOTION_ESTIMATOR_ROS_DISTRO') == 'jazzy' else 'build_ros') / 'env.sh'
#: Set in the environment of a script started again by run_in_workspace (so it happens once).
WORKSPACE_MARK = 'EMOTION_BENCH_IN_WORKSPACE'
#: Variables that choose DDS transports or discovery: removed for a "default environment".
TRANSPORT_VARIABLES = ('FASTDDS_DEFAULT_PROFILES_FILE', 'FASTRTPS_DEFAULT_PROFILES_FILE',
                       'FASTDDS_BUILTIN_TRANSPORTS', 'RMW_IMPLEMENTATION',
                       'ROS_AUTOMATIC_DISCOVERY_RANGE', 'ROS_LOCALHOST_ONLY',
                       'ROS_STATIC_PEERS')


def default_environment(domain_id: int, base: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    """Return ``base`` (default: this process's) without transport choices, on ``domain_id``."""
    env = {key: value for key, value in (base or os.environ).items()
           if key not in TRANSPORT_VARIABLES}
    env['ROS_DOMAIN_ID'] = str(domain_id)
    env.setdefault('PYTHONUNBUFFERED', '1')
    return env


def use_default_environment(domain_id: int) -> None:
    """Make this process's environment the default one (before ``rclpy.init``)."""
    for key in TRANSPORT_VARIABLES:
        os.environ.pop(key, None)
    os.environ['ROS_DOMAIN_ID'] = str(domain_id)


def faces_message_usable() -> bool:
    """Return whether ``emotion_estimator_msgs/EmotionArray`` can be subscribed to here.

    Importing it is not enough: its C type support is found through ``LD_LIBRARY_PATH``, which
    the dynamic loader reads when the process starts.
    """
    if EmotionArray is None:
        return False
    try:
        EmotionArray.__class__.__import_type_support__()
    except Exception:  # noqa: B902 - rosidl raises its own UnsupportedTypeSupport and others
        return False
    return EmotionArray.__class__._TYPE_SUPPORT is not None


def workspace_environment(base: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    """Return ``base`` (default: this process's) with ``build_ros/env.sh`` applied.

    This checkout goes first on ``PYTHONPATH``, before the workspace's installed copy of the
    package, so that the sources are what runs; the message packages come from the workspace.

    Raises:
        FileNotFoundError: the workspace is not built (``scripts/build_ros_workspace.sh``).

    """
    if not WORKSPACE_ENV_FILE.is_file():
        raise FileNotFoundError(f'{WORKSPACE_ENV_FILE} is missing: run '
                                'scripts/build_ros_workspace.sh to build the message packages')
    dump = subprocess.run(['bash', '-c', 'source "$0" && env -0', str(WORKSPACE_ENV_FILE)],
                          capture_output=True, check=True, env=dict(base or os.environ)).stdout
    env = dict(item.split('=', 1) for item in dump.decode().split('\0') if '=' in item)
    env['PYTHONPATH'] = os.pathsep.join([str(REPO_ROOT), env.get('PYTHONPATH', '')]).rstrip(
        os.pathsep)
    env[WORKSPACE_MARK] = '1'
    return env


def run_in_workspace(argv: Sequence[str]) -> None:
    """Start this script again (``os.execve``) in the workspace environment, if needed.

    Does nothing where ``emotion/faces`` can be subscribed to already, after one restart, or
    without a built workspace (then the faces per message are not measured).
    """
    if faces_message_usable() or os.environ.get(WORKSPACE_MARK) or \
            not WORKSPACE_ENV_FILE.is_file():
        return
    env = workspace_environment()
    sys.stdout.flush()
    os.execve(sys.executable, [sys.executable, *argv], env)


def node_command(parameters: Sequence[str] = ()) -> List[str]:
    """Return the command that starts the node through its entry point with ``-p`` parameters."""
    script = Path(os.path.normpath(sys.executable)).with_name('emotion_estimator_node')
    command = [str(script)] if script.is_file() else [
        sys.executable, '-m', 'emotion_estimator.ros.node']
    command.append('--ros-args')
    for parameter in parameters:
        command += ['-p', parameter]
    return command


def start_node(parameters: Sequence[str], env: Dict[str, str], log_path: Path):
    """Start the node process; its stdout and stderr go to ``log_path``."""
    log = open(log_path, 'w')
    return subprocess.Popen(node_command(parameters), env=env, stdout=log,
                            stderr=subprocess.STDOUT, text=True)


def stop_process(process: subprocess.Popen, timeout: float = 20.0) -> Optional[int]:
    """Stop a process with SIGINT (like Ctrl-C), then SIGKILL; return its exit code."""
    if process.poll() is None:
        process.send_signal(2)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5.0)
    return process.returncode


def proc_sample(pid: int) -> Dict[str, float]:
    """Return the CPU seconds (user + system) and RSS (MiB) of a process."""
    fields = Path(f'/proc/{pid}/stat').read_text().rsplit(')', 1)[1].split()
    ticks = os.sysconf('SC_CLK_TCK')
    cpu_s = (int(fields[11]) + int(fields[12])) / ticks
    rss_kib = next(int(line.split()[1]) for line in
                   Path(f'/proc/{pid}/status').read_text().splitlines()
                   if line.startswith('VmRSS:'))
    return {'cpu_s': cpu_s, 'rss_mib': rss_kib / 1024.0}


def astronaut_face() -> np.ndarray:
    """Return scikit-image's astronaut photo (a smiling face), BGR."""
    from skimage import data
    return cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)


def one_face_frame() -> np.ndarray:
    """Return the astronaut photo as a 640x480 BGR frame (the demo's frame)."""
    from emotion_estimator.ros.demo import astronaut_frame
    return astronaut_frame()


def three_faces_frame(fer_dir: Path) -> np.ndarray:
    """Return a 640x480 frame with 3 faces side by side: the astronaut and 2 FER2013 happy faces.

    The estimator tracks one face (the first MediaPipe returns); the other two cost detection
    only where MediaPipe looks for more than one.
    """
    photo = astronaut_face()[20:260, 130:370]  # the astronaut's face and hair, 240x240
    files = sorted((fer_dir / 'happy').glob('*.jpg'))[:2]
    if len(files) < 2:
        raise FileNotFoundError(f'fewer than 2 FER2013 happy faces under {fer_dir}')
    faces = [photo] + [cv2.cvtColor(cv2.imread(str(path), cv2.IMREAD_GRAYSCALE),
                                    cv2.COLOR_GRAY2BGR) for path in files]
    frame = np.full((FRAME_HEIGHT, FRAME_WIDTH, 3), 128, np.uint8)
    side = 200
    for index, face in enumerate(faces):
        left = 13 + index * (side + 13)
        top = (FRAME_HEIGHT - side) // 2
        frame[top:top + side, left:left + side] = cv2.resize(
            face, (side, side), interpolation=cv2.INTER_CUBIC)
    return frame


def raw_message(frame: np.ndarray) -> Image:
    """Return a bgr8 Image of a BGR frame."""
    msg = Image(encoding='bgr8', height=frame.shape[0], width=frame.shape[1],
                step=frame.shape[1] * 3)
    msg.data = frame.tobytes()
    msg.header.frame_id = 'bench_camera'
    return msg


def jpeg_message(frame: np.ndarray, quality: int = 90) -> CompressedImage:
    """Return a JPEG CompressedImage of a BGR frame."""
    ok, encoded = cv2.imencode('.jpg', frame, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise RuntimeError('JPEG encoding failed')
    msg = CompressedImage(format='jpeg')
    msg.data = encoded.tobytes()
    msg.header.frame_id = 'bench_camera'
    return msg


def bad_message() -> Image:
    """Return a bgr8 Image whose step does not match its width (the node drops it as bad)."""
    msg = Image(encoding='bgr8', height=FRAME_HEIGHT, width=FRAME_WIDTH, step=100)
    msg.data = bytes(100 * FRAME_HEIGHT)
    msg.header.frame_id = 'bench_camera'
    return msg


@dataclass
class Recording:
    """What the camera sent and what came back (times are ``time.time()`` seconds)."""

    sent: List[float] = field(default_factory=list)
    bad_sent: List[float] = field(default_factory=list)
    #: (arrival, header stamp) of each emotion/header message.
    headers: List[Tuple[float, float]] = field(default_factory=list)
    #: (arrival, label) of each emotion message.
    labels: List[Tuple[float, str]] = field(default_factory=list)
    #: (arrival, values) of each status of the node on /diagnostics.
    diagnostics: List[Tuple[float, Dict[str, str]]] = field(default_factory=list)
    #: (arrival, header stamp, number of faces) of each emotion/faces message (record_faces).
    faces: List[Tuple[float, float, int]] = field(default_factory=list)


class Camera(Node):
    """Publish stamped frames to the node and record its outputs."""

    def __init__(self, context: Context, compressed: bool = False, reliable: bool = False,
                 node_name: str = '/emotion_estimator', record_faces: bool = False):
        """Create the camera publisher (best effort unless ``reliable``) and the listeners.

        ``record_faces`` also subscribes to ``emotion/faces`` (see :func:`faces_message_usable`).
        """
        super().__init__('bench_camera', context=context)
        self.compressed = compressed
        qos = QoSProfile(depth=5) if reliable else qos_profile_sensor_data
        self.publisher = self.create_publisher(
            CompressedImage if compressed else Image,
            'image/compressed' if compressed else 'image', qos)
        self.bad_publisher = (self.create_publisher(Image, 'image', qos)
                              if not compressed else None)
        self.node_name = node_name
        self.lock = threading.Lock()
        self.recording = Recording()
        self.create_subscription(Header, 'emotion/header', self._on_header, 100)
        self.create_subscription(String, 'emotion', self._on_label, 100)
        self.create_subscription(DiagnosticArray, '/diagnostics', self._on_diagnostics, 10)
        if record_faces:
            self.create_subscription(EmotionArray, 'emotion/faces', self._on_faces, 100)

    @staticmethod
    def _stamp(msg, now: float) -> None:
        msg.header.stamp.sec = int(now)
        msg.header.stamp.nanosec = int((now - int(now)) * 1e9)

    def publish(self, msg) -> None:
        """Publish a frame stamped with the wall clock now."""
        now = time.time()
        self._stamp(msg, now)
        self.publisher.publish(msg)
        with self.lock:
            self.recording.sent.append(now)

    def publish_bad(self, msg: Image) -> None:
        """Publish a frame the node cannot convert (raw input only)."""
        now = time.time()
        self._stamp(msg, now)
        self.bad_publisher.publish(msg)
        with self.lock:
            self.recording.bad_sent.append(now)

    def _on_header(self, msg: Header) -> None:
        now = time.time()
        with self.lock:
            self.recording.headers.append((now, msg.stamp.sec + msg.stamp.nanosec * 1e-9))

    def _on_label(self, msg: String) -> None:
        now = time.time()
        with self.lock:
            self.recording.labels.append((now, msg.data))

    def _on_faces(self, msg) -> None:
        now = time.time()
        with self.lock:
            self.recording.faces.append(
                (now, msg.header.stamp.sec + msg.header.stamp.nanosec * 1e-9, len(msg.faces)))

    def _on_diagnostics(self, msg: DiagnosticArray) -> None:
        now = time.time()
        for status in msg.status:
            if status.hardware_id == self.node_name:
                with self.lock:
                    self.recording.diagnostics.append(
                        (now, {kv.key: kv.value for kv in status.values}))

    def last_counters(self) -> Dict[str, int]:
        """Return the node's frame counters from its last diagnostics (empty before any)."""
        with self.lock:
            if not self.recording.diagnostics:
                return {}
            values = self.recording.diagnostics[-1][1]
        keys = [key for key in values if key.startswith(('frames_', 'dropped_'))
                and key != 'dropped_frames_in_period']
        return {key: int(values[key]) for key in keys}


class CameraSession:
    """rclpy context, camera node and a spinning executor thread (use as a context manager)."""

    def __init__(self, **camera_options):
        """Keep the options for :class:`Camera`."""
        self.camera_options = camera_options

    def __enter__(self) -> Camera:
        """Start rclpy, the camera and its executor thread."""
        self.context = Context()
        rclpy.init(context=self.context)
        self.camera = Camera(self.context, **self.camera_options)
        self.executor = SingleThreadedExecutor(context=self.context)
        self.executor.add_node(self.camera)
        self.thread = threading.Thread(target=self.executor.spin, daemon=True)
        self.thread.start()
        return self.camera

    def __exit__(self, *exc_info) -> None:
        """Stop the executor, destroy the camera and shut rclpy down."""
        self.executor.shutdown()
        self.thread.join(timeout=5.0)
        self.camera.destroy_node()
        rclpy.try_shutdown(context=self.context)


def wait_for_node(camera: Camera, process: subprocess.Popen, log_path: Path,
                  timeout: float = 90.0) -> None:
    """Wait until the node subscribes to the camera and publishes its outputs.

    Raises:
        RuntimeError: the node exited or did not appear within ``timeout`` (its log is quoted).

    """
    deadline = time.monotonic() + timeout
    while camera.publisher.get_subscription_count() == 0 or camera.count_publishers(
            'emotion/header') == 0:
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError('the node did not start:\n' + log_path.read_text()[-3000:])
        time.sleep(0.1)
    time.sleep(1.0)  # let the remaining endpoints match


def stream(camera: Camera, message, seconds: float, rate: float,
           bad_every_s: float = 0.0, on_tick: Optional[Callable[[float], None]] = None) -> int:
    """Publish ``message`` at ``rate`` Hz for ``seconds``; every ``bad_every_s`` one bad frame.

    A bad frame is sent in place of a good one (the camera rate stays the same).
    ``on_tick(monotonic_now)`` is called after every frame. Return the frames sent.
    """
    period = 1.0 / rate
    start = time.monotonic()
    count = int(round(seconds * rate))
    bad = bad_message()
    next_bad = start + bad_every_s if bad_every_s > 0 else float('inf')
    for index in range(count):
        now = time.monotonic()
        if now >= next_bad and camera.bad_publisher is not None:
            camera.publish_bad(bad)
            next_bad += bad_every_s
        else:
            camera.publish(message)
        if on_tick is not None:
            on_tick(now)
        delay = start + (index + 1) * period - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    return count


def percentiles_ms(seconds: Sequence[float]) -> Dict[str, float]:
    """Return n, mean, p50, p90, p95, p99 and max of durations in seconds, as milliseconds."""
    if not len(seconds):
        return {'n': 0}
    array = np.asarray(seconds) * 1000.0
    return {'n': int(array.size), 'mean': round(float(array.mean()), 2),
            'p50': round(float(np.percentile(array, 50)), 2),
            'p90': round(float(np.percentile(array, 90)), 2),
            'p95': round(float(np.percentile(array, 95)), 2),
            'p99': round(float(np.percentile(array, 99)), 2),
            'max': round(float(array.max()), 2)}


def machine() -> Dict[str, str]:
    """Return nproc, the CPU model, the Python version and the load average now."""
    facts = provenance.machine()
    return {'nproc': str(facts['cores']), 'cpu_model': facts['cpu'],
            'python': facts['python'], 'load_average': facts['load']}


def load_average() -> str:
    """Return the 1, 5 and 15 minute load averages as one string."""
    return provenance.load_average()


def uptime() -> str:
    """Return what ``uptime`` prints (load averages included), or '' without the command."""
    try:
        return subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()
    except OSError:
        return ''


def processing_summary(recording: Recording, since: float, until: float) -> Dict[str, object]:
    """Summarise the node's processing time per frame from its diagnostics in a time span.

    Each status carries the mean and max processing time of its period (1 s by default) and the
    running count of frames processed; the periods that ended within ``since``..``until``
    (``time.time()`` arrivals, the first one left out as it began before ``since``) give the
    mean per frame over the span (period means weighted by their frames) and the spread of the
    period means (``period_p50`` / ``period_p95``: of means of about 30 frames, not of frames).
    """
    periods = [values for arrival, values in recording.diagnostics
               if since <= arrival <= until and 'processing_time_mean_ms' in values]
    rows = []
    for previous, current in zip(periods, periods[1:]):
        frames = int(current['frames_processed']) - int(previous['frames_processed'])
        if frames > 0:
            rows.append((frames, float(current['processing_time_mean_ms']),
                         float(current['processing_time_max_ms'])))
    if not rows:
        return {'periods': 0}
    frames = np.array([r[0] for r in rows], float)
    means = np.array([r[1] for r in rows], float)
    return {'periods': len(rows), 'frames': int(frames.sum()),
            'mean': round(float((frames * means).sum() / frames.sum()), 2),
            'period_p50': round(float(np.percentile(means, 50)), 2),
            'period_p95': round(float(np.percentile(means, 95)), 2),
            'max': round(max(r[2] for r in rows), 2)}


def faces_summary(recording: Recording, since: float) -> Dict[str, object]:
    """Return how many faces the emotion/faces messages of frames sent from ``since`` held."""
    counts = [count for _, stamp, count in recording.faces if stamp >= since]
    if not counts:
        return {'messages': 0}
    values, occurrences = np.unique(counts, return_counts=True)
    return {'messages': len(counts), 'mean': round(float(np.mean(counts)), 3),
            'min': int(min(counts)), 'max': int(max(counts)),
            'histogram': {str(int(v)): int(n) for v, n in zip(values, occurrences)}}


def summary(recording: Recording, since: float) -> Dict[str, object]:
    """Return counts, output rate and latency of the frames sent from ``since`` (time.time())."""
    sent = [t for t in recording.sent if t >= since]
    headers = [(arrival, stamp) for arrival, stamp in recording.headers if stamp >= since]
    span = (sent[-1] - sent[0]) if len(sent) > 1 else 0.0
    stamps = [stamp for _, stamp in headers]
    return {
        'frames_sent': len(sent),
        'bad_frames_sent': len([t for t in recording.bad_sent if t >= since]),
        'outputs': len(headers),
        'input_rate_hz': round((len(sent) - 1) / span, 2) if span else 0.0,
        'output_rate_hz': (round((len(headers) - 1) / (max(stamps) - min(stamps)), 2)
                           if len(stamps) > 1 and max(stamps) > min(stamps) else 0.0),
        'latency_ms': percentiles_ms([arrival - stamp for arrival, stamp in headers]),
    }


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Be the camera for a node that is already running; write a JSON summary."""
    import argparse
    import json
    parser = argparse.ArgumentParser(description='publish 640x480 frames of a face to the node '
                                                 'at a rate and summarise its outputs')
    parser.add_argument('--seconds', type=float, default=15.0)
    parser.add_argument('--rate', type=float, default=30.0)
    parser.add_argument('--reliable', action='store_true', help='reliable, not best effort')
    parser.add_argument('--compressed', action='store_true', help='JPEG on image/compressed')
    parser.add_argument('--warmup', type=float, default=3.0, help='seconds sent, not measured')
    parser.add_argument('--json', required=True, help='where to write the summary')
    args = parser.parse_args(argv)
    frame = one_face_frame()
    message = jpeg_message(frame) if args.compressed else raw_message(frame)
    with CameraSession(compressed=args.compressed, reliable=args.reliable) as camera:
        deadline = time.monotonic() + 60.0
        while camera.publisher.get_subscription_count() == 0 or camera.count_publishers(
                'emotion/header') == 0:
            if time.monotonic() > deadline:
                raise RuntimeError('no node subscribed to the camera within 60 s')
            time.sleep(0.1)
        time.sleep(1.0)
        stream(camera, message, args.warmup, args.rate)
        since = time.time()
        stream(camera, message, args.seconds, args.rate)
        time.sleep(1.5)
        with camera.lock:
            result = summary(camera.recording, since)
            result['frames_sent_total_with_warmup'] = len(camera.recording.sent)
        result['node_counters'] = camera.last_counters()
    Path(args.json).write_text(json.dumps(result, indent=1) + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
