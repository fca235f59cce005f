# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Run the real node in process on a real ROS 2 graph and talk to it through topics and services.

One node reads ``image`` and a second one (namespace ``compressed``) reads ``image/compressed``;
both are shared by every test of this module. A probe node publishes real face frames and records
what the nodes publish. Stamps come from a fake camera clock that only moves forward (except in
the test that sends them backwards).
"""

import os
import subprocess
import sys
import threading
import time
from typing import Callable, List, Optional

import cv2
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
import numpy as np
import pytest
from rcl_interfaces.srv import GetParameters, SetParameters
import rclpy
from rclpy.executors import SingleThreadedExecutor
from rclpy.node import Node
from rclpy.parameter import Parameter
from rclpy.qos import qos_profile_sensor_data
from sensor_msgs.msg import CompressedImage, Image
from std_msgs.msg import Float32MultiArray, Header, String
from std_srvs.srv import Trigger

from emotion_estimator.contract import CLASS_NAMES
from emotion_estimator.ros.node import (
    CONVERSION_ERROR_LIMIT, DROP_REASONS, EmotionEstimatorNode, PENDING_FRAMES)

RATE_HZ = 15.0
TIMEOUT_S = 10.0
STATUS_NAME = 'emotion_estimator: emotion pipeline'


class CameraClock:
    """Stamps of a fake camera: strictly increasing, ``1 / RATE_HZ`` apart."""

    def __init__(self):
        """Start at 1000 s."""
        self.now = 1000.0
        self._lock = threading.Lock()

    def next(self, step: float = 1.0 / RATE_HZ) -> float:
        """Return the next stamp."""
        with self._lock:
            self.now += step
            return self.now


class Probe(Node):
    """Publish frames to one emotion node and record its outputs."""

    def __init__(self, name: str, namespace: str, clock: CameraClock):
        """Create publishers to and subscribers from the node in ``namespace``."""
        super().__init__(name, namespace=namespace)
        self.clock = clock
        self.image_pub = self.create_publisher(Image, 'image', qos_profile_sensor_data)
        self.compressed_pub = self.create_publisher(CompressedImage, 'image/compressed',
                                                    qos_profile_sensor_data)
        self.lock = threading.Lock()
        self.labels: List[String] = []
        self.scores: List[Float32MultiArray] = []
        self.diagnostics: List[DiagnosticStatus] = []
        self.debug: List[Image] = []
        self.headers: List[Header] = []
        self.create_subscription(String, 'emotion', self._keep(self.labels), 100)
        self.create_subscription(Float32MultiArray, 'emotion/scores', self._keep(self.scores), 100)
        self.create_subscription(Header, 'emotion/header', self._keep(self.headers), 100)
        self.create_subscription(DiagnosticArray, '/diagnostics', self._on_diagnostics, 100)
        self.debug_sub = None
        self.service_clients = {}

    def _keep(self, store: list) -> Callable:
        def callback(msg) -> None:
            with self.lock:
                store.append(msg)
        return callback

    def _on_diagnostics(self, msg: DiagnosticArray) -> None:
        with self.lock:
            self.diagnostics.extend(
                status for status in msg.status
                if status.name == STATUS_NAME and status.hardware_id == (
                    self.get_namespace().rstrip('/') + '/emotion_estimator'))

    def subscribe_debug(self) -> None:
        """Start listening to emotion/debug_image, from a node with an executor of its own.

        Destroying a subscription or client while another thread's executor waits on it kills
        that executor's thread in rclpy ('destruction was requested'), and with it every later
        test; this listener is stopped before it is destroyed.
        """
        node = rclpy.create_node('debug_listener', namespace=self.get_namespace())
        node.create_subscription(Image, 'emotion/debug_image', self._keep(self.debug),
                                 qos_profile_sensor_data)
        executor = SingleThreadedExecutor()
        executor.add_node(node)
        thread = threading.Thread(target=executor.spin, daemon=True)
        thread.start()
        self.debug_sub = (node, executor, thread)

    def unsubscribe_debug(self) -> None:
        """Stop listening to emotion/debug_image (stop the listener's executor, then destroy)."""
        node, executor, thread = self.debug_sub
        executor.shutdown()
        thread.join(timeout=5.0)
        node.destroy_node()
        self.debug_sub = None

    def client(self, service_type, name: str):
        """Return a service client kept for the module (see subscribe_debug for why)."""
        if (service_type, name) not in self.service_clients:
            self.service_clients[service_type, name] = self.create_client(service_type, name)
        return self.service_clients[service_type, name]

    def image(self, frame: np.ndarray, encoding: str = 'bgr8', padding: int = 0,
              stamp: Optional[float] = None) -> Image:
        """Return an Image message of a BGR frame in ``encoding`` with rows padded."""
        code = {'bgr8': None, 'rgb8': cv2.COLOR_BGR2RGB, 'bgra8': cv2.COLOR_BGR2BGRA,
                'rgba8': cv2.COLOR_BGR2RGBA, 'mono8': cv2.COLOR_BGR2GRAY}[encoding]
        pixels = frame if code is None else cv2.cvtColor(frame, code)
        rows = pixels.reshape(pixels.shape[0], -1)
        if padding:
            rows = np.concatenate([rows, np.zeros((rows.shape[0], padding), np.uint8)], axis=1)
        msg = Image(encoding=encoding, height=frame.shape[0], width=frame.shape[1],
                    step=rows.shape[1])
        msg.data = rows.tobytes()
        self.stamp(msg, stamp)
        return msg

    def compressed(self, frame: np.ndarray, fmt: str, stamp: Optional[float] = None):
        """Return a CompressedImage message of a BGR frame (``jpeg`` or ``png``)."""
        ok, encoded = cv2.imencode('.jpg' if fmt == 'jpeg' else '.png', frame)
        assert ok
        msg = CompressedImage(format=fmt)
        msg.data = encoded.tobytes()
        self.stamp(msg, stamp)
        return msg

    def stamp(self, msg, stamp: Optional[float] = None) -> None:
        """Set the header (camera clock stamp unless given, frame_id 'camera')."""
        seconds = self.clock.next() if stamp is None else stamp
        msg.header.stamp.sec = int(seconds)
        msg.header.stamp.nanosec = int(round((seconds - int(seconds)) * 1e9))
        msg.header.frame_id = 'camera'

    def send(self, msg) -> None:
        """Publish an Image or a CompressedImage."""
        (self.compressed_pub if isinstance(msg, CompressedImage) else self.image_pub).publish(msg)

    def count(self, store: list) -> int:
        """Return how many messages a store holds."""
        with self.lock:
            return len(store)

    def since(self, store: list, start: int) -> list:
        """Return the messages received after the first ``start`` ones."""
        with self.lock:
            return list(store[start:])

    def wait_for(self, predicate: Callable[[], bool], timeout: float = TIMEOUT_S) -> bool:
        """Poll ``predicate`` until it holds or ``timeout`` passes."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(0.02)
        return predicate()

    def feed(self, make: Callable[[], object], seconds: float, rate: float = RATE_HZ) -> int:
        """Publish ``make()`` at ``rate`` Hz for ``seconds``; return how many were sent."""
        count = int(round(seconds * rate))
        start = time.monotonic()
        for index in range(count):
            self.send(make())
            delay = start + (index + 1) / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        return count

    def outputs_after(self, make: Callable[[], object], expected: int = 1,
                      timeout: float = TIMEOUT_S) -> List[Float32MultiArray]:
        """Publish ``make()`` repeatedly until ``expected`` new scores arrive; return them."""
        start = self.count(self.scores)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.count(self.scores) - start < expected:
            self.send(make())
            time.sleep(1.0 / RATE_HZ)
        new = self.since(self.scores, start)
        assert len(new) >= expected, f'node published {len(new)} scores, expected {expected}'
        return new

    def statuses_after(self, start: int, predicate: Callable[[DiagnosticStatus], bool],
                       timeout: float = TIMEOUT_S) -> DiagnosticStatus:
        """Return the first status received after ``start`` that satisfies ``predicate``."""
        def found():
            return next((s for s in self.since(self.diagnostics, start) if predicate(s)), None)
        assert self.wait_for(lambda: found() is not None, timeout), \
            f'no matching diagnostics; last: {self.since(self.diagnostics, start)[-1:]}'
        return found()


def _values(status: DiagnosticStatus) -> dict:
    return {item.key: item.value for item in status.values}


@pytest.fixture(scope='module')
def graph(emotion_model_spec, face_model_path):
    """Start the raw-image node, the compressed-image node and their probes on one executor."""
    rclpy.init()
    overrides = [Parameter('model_spec_path', value=str(emotion_model_spec)),
                 Parameter('processing_time_warn_ms', value=1000.0),
                 Parameter('diagnostics_period_s', value=0.3),
                 # One face: these tests are about one camera stream; many faces are tested
                 # in test_faces.py and test_ros_faces.py.
                 Parameter('max_faces', value=1)]
    clock = CameraClock()
    raw = EmotionEstimatorNode(parameter_overrides=overrides)
    compressed = EmotionEstimatorNode(
        namespace='compressed',
        parameter_overrides=overrides + [
            Parameter('use_compressed', value=True),
            Parameter('qos_overrides./compressed/image/compressed.subscription.reliability',
                      value='reliable')])
    probes = {'raw': Probe('probe', '/', clock),
              'compressed': Probe('probe', '/compressed', clock)}
    # One thread, as rclpy.spin in the node's main: rclpy's MultiThreadedExecutor busy-spins for
    # seconds at a time (e.g. after the debug listener leaves: a ready entity of a busy mutually
    # exclusive group is offered again and again), and the GIL it holds starved the node's
    # worker to 7-16 of 45 frames (measured; the cause of these tests' flakiness).
    executor = SingleThreadedExecutor()
    for node in (raw, compressed, *probes.values()):
        executor.add_node(node)
    thread = threading.Thread(target=executor.spin, daemon=True)
    thread.start()
    for probe, node in ((probes['raw'], raw), (probes['compressed'], compressed)):
        assert probe.wait_for(lambda: node.input.subscription.get_publisher_count() > 0
                              and probe.count_subscribers('emotion/scores') > 0)
    yield {'raw': raw, 'compressed_node': compressed, 'clock': clock, 'probe': probes['raw'],
           'compressed': probes['compressed']}
    executor.shutdown()
    for node in (raw, compressed, *probes.values()):
        node.destroy_node()
    rclpy.try_shutdown()
    thread.join(timeout=5.0)


@pytest.fixture
def probe(graph) -> Probe:
    """Return the probe of the raw-image node."""
    return graph['probe']


def _face_found(scores: Float32MultiArray) -> bool:
    return abs(sum(scores.data) - 1.0) < 1e-3


def test_scores_layout_and_class_names_parameter(graph, probe, astronaut_frame):
    scores = probe.outputs_after(lambda: probe.image(astronaut_frame))[-1]
    node = graph['raw']
    names = tuple(node.get_parameter('class_names').value)
    assert sorted(names) == sorted(CLASS_NAMES)
    assert len(scores.layout.dim) == 1
    assert scores.layout.dim[0].label == ','.join(names)
    assert scores.layout.dim[0].size == 7 and len(scores.data) == 7
    assert all(0.0 <= value <= 1.0 for value in scores.data)


def _debug_image_of(probe: Probe, start: int, sent: list) -> Image:
    """Return the newest debug image made from one of the ``sent`` frames (matched by stamp).

    The debug image has a thread of its own, so one made from an earlier test's frame may
    still arrive after ``start``.
    """
    stamps = {(msg.header.stamp.sec, msg.header.stamp.nanosec) for msg in sent}

    def ours():
        return [msg for msg in probe.since(probe.debug, start)
                if (msg.header.stamp.sec, msg.header.stamp.nanosec) in stamps]
    assert probe.wait_for(lambda: bool(ours())), 'no debug image of the frames sent'
    return ours()[-1]


@pytest.mark.parametrize('encoding,padding', [
    ('bgr8', 0), ('rgb8', 0), ('rgba8', 0), ('bgra8', 0), ('mono8', 0),
    ('bgr8', 64), ('rgb8', 1), ('mono8', 3)])
def test_each_encoding_reaches_the_model_unchanged(graph, probe, astronaut_frame, encoding,
                                                   padding):
    probe.subscribe_debug()
    try:
        assert probe.wait_for(lambda: graph['raw'].outputs.debug_pub.get_subscription_count() > 0)
        start = probe.count(probe.debug)
        sent = []

        def make():
            sent.append(probe.image(astronaut_frame, encoding, padding))
            return sent[-1]
        scores = probe.outputs_after(make, 3)
        debug = _debug_image_of(probe, start, sent)
    finally:
        probe.unsubscribe_debug()
    assert any(_face_found(s) for s in scores), f'no face found in {encoding} frames'
    shown = np.frombuffer(bytes(debug.data), np.uint8).reshape(debug.height, debug.width, 3)
    expected = astronaut_frame
    if encoding == 'mono8':
        expected = cv2.cvtColor(cv2.cvtColor(astronaut_frame, cv2.COLOR_BGR2GRAY),
                                cv2.COLOR_GRAY2BGR)
    # The bottom half carries no annotation: it must be the input, pixel for pixel.
    np.testing.assert_array_equal(shown[300:], expected[300:])


@pytest.mark.parametrize('fmt', ['jpeg', 'png'])
def test_compressed_input(graph, astronaut_frame, fmt):
    probe = graph['compressed']
    scores = probe.outputs_after(lambda: probe.compressed(astronaut_frame, fmt), 3)
    assert any(_face_found(s) for s in scores)


def test_astronaut_is_steadily_happy_at_camera_rate(graph, probe, astronaut_frame):
    before = graph['raw'].frame_counters()
    start = probe.count(probe.labels)
    sent = probe.feed(lambda: probe.image(astronaut_frame), seconds=3.0)
    # Wait less than camera_timeout_s (2 s): after that the watchdog rightly says unknown.
    probe.wait_for(lambda: probe.count(probe.labels) - start >= sent * 0.8, 1.5)
    labels = [msg.data for msg in probe.since(probe.labels, start)]
    # In one process on 2 busy cores, best-effort 900 KB images are lost and keep-newest drops
    # more (the rate is measured by benchmarks/bench_node.py, not here), but many go through.
    after = graph['raw'].frame_counters()
    assert len(labels) >= 10, (f'{len(labels)} labels for {sent} frames; node counters '
                               f'before {before}, after {after}')
    # Once happy, always happy: no flicker, and happy at the end.
    first = labels.index('happy')
    assert labels[first:] == ['happy'] * (len(labels) - first), labels


def test_sad_face_is_not_happy(graph, probe, fer_frame):
    frame = fer_frame('sad', 0)
    start = probe.count(probe.scores)
    label_start = probe.count(probe.labels)
    probe.feed(lambda: probe.image(frame), seconds=3.0)
    assert probe.wait_for(lambda: probe.count(probe.scores) > start)
    scores = probe.since(probe.scores, start)
    assert sum(_face_found(s) for s in scores) >= len(scores) * 0.8
    labels = [msg.data for msg in probe.since(probe.labels, label_start)]
    # The label may start happy (the previous test's face); once it leaves, happy never returns.
    left = next(i for i, label in enumerate(labels) if label != 'happy')
    assert 'happy' not in labels[left:], labels
    names = list(graph['raw'].class_names)
    mean = np.mean([s.data for s in scores[-10:]], axis=0)
    assert mean[names.index('happy')] < 0.5


def _call(probe: Probe, service_type, name: str, request):
    client = probe.client(service_type, name)
    assert client.wait_for_service(timeout_sec=TIMEOUT_S)
    future = client.call_async(request)
    assert probe.wait_for(future.done)
    return future.result()


def _set(probe: Probe, **values) -> list:
    request = SetParameters.Request(
        parameters=[Parameter(name, value=value).to_parameter_msg()
                    for name, value in values.items()])
    return _call(probe, SetParameters, '/emotion_estimator/set_parameters', request).results


def test_decision_parameters_change_at_run_time(graph, probe):
    node = graph['raw']
    tuned = node.estimator.spec.decision
    results = _set(probe, happy_gain=0.0, sad_gain=1.5, min_confidence=0.9,
                   smoothing_time_s=0.05, min_dwell_s=0.2, switch_margin=0.0,
                   face_lost_grace_s=1.5, camera_timeout_s=3.0, processing_time_warn_ms=900.0)
    assert all(result.successful for result in results), results
    settings = node.estimator.settings
    assert (settings.happy_gain, settings.sad_gain, settings.min_confidence,
            settings.smoothing_time_s, settings.min_dwell_s, settings.switch_margin,
            settings.face_lost_grace_s) == (0.0, 1.5, 0.9, 0.05, 0.2, 0.0, 1.5)
    assert node.camera_timeout_s == 3.0 and node.processing_time_warn_ms == 900.0
    request = GetParameters.Request(names=['min_confidence', 'class_names'])
    values = _call(probe, GetParameters, '/emotion_estimator/get_parameters', request).values
    assert values[0].double_value == 0.9
    assert list(values[1].string_array_value) == list(node.class_names)
    # Negative: back to the values tuned with the model.
    results = _set(probe, happy_gain=-1.0, sad_gain=-1.0, min_confidence=-1.0,
                   smoothing_time_s=-1.0, min_dwell_s=-1.0, switch_margin=-1.0,
                   face_lost_grace_s=-1.0, camera_timeout_s=2.0, processing_time_warn_ms=1000.0)
    assert all(result.successful for result in results)
    assert node.estimator.settings == tuned


@pytest.mark.parametrize('name,value,reason', [
    ('min_confidence', 1.5, 'range'),
    ('sad_gain', 21.0, 'range'),
    ('smoothing_time_s', 11.0, 'range'),
    ('camera_timeout_s', 0.0, 'range'),
    ('processing_time_warn_ms', -5.0, 'range'),
    ('min_confidence', 'high', 'type'),
    ('min_dwell_s', float('nan'), 'range'),
    ('camera_timeout_s', float('inf'), 'range'),
    ('switch_margin', 1, 'type'),
    ('max_faces', 2, 'read-only'),
    ('class_names', ['a'], 'read-only'),
    ('model_variant', 'int8', 'read-only'),
    ('use_compressed', True, 'read-only'),
    ('resting_face', False, 'read-only'),
])
def test_invalid_parameters_are_rejected_with_a_reason(graph, probe, name, value, reason):
    # The node checks nothing itself: the parameter descriptors (types, ranges, read-only) do,
    # through rclpy's set_parameters service, before any callback of the node.
    node = graph['raw']
    before = node.get_parameter(name).value
    settings = node.estimator.settings
    results = _set(probe, **{name: value})
    assert not results[0].successful
    assert results[0].reason
    if reason:
        assert reason in results[0].reason.lower() or reason in results[0].reason
    assert node.get_parameter(name).value == before
    assert node.estimator.settings == settings


def test_diagnostics_content_and_warn_on_slow_processing(graph, probe, astronaut_frame):
    start = probe.count(probe.diagnostics)
    # Two diagnostics periods of the astronaut, so one period holds no frame of earlier tests.
    probe.feed(lambda: probe.image(astronaut_frame), seconds=2.2)
    status = probe.statuses_after(
        start, lambda s: float(_values(s)['output_rate_hz']) > 0
        and float(_values(s)['face_found_ratio']) > 0.5)
    values = _values(status)
    assert status.level == DiagnosticStatus.OK, status.message
    assert status.hardware_id == '/emotion_estimator'
    for key in ('input_rate_hz', 'output_rate_hz', 'processing_time_mean_ms',
                'processing_time_max_ms', 'dropped_frames', 'face_found_ratio', 'model_file',
                'model_variant', 'last_stamp', 'label', 'face_model_file'):
        assert key in values, key
    assert 0.0 < float(values['processing_time_mean_ms']) <= float(
        values['processing_time_max_ms'])
    assert float(values['face_found_ratio']) > 0.5
    assert values['model_file'].endswith('.tflite')
    assert float(values['last_stamp']) > 1000.0
    assert int(values['dropped_frames']) >= 0

    assert all(r.successful for r in _set(probe, processing_time_warn_ms=1.0))
    try:
        start = probe.count(probe.diagnostics)
        probe.feed(lambda: probe.image(astronaut_frame), seconds=1.0)
        status = probe.statuses_after(start, lambda s: s.level == DiagnosticStatus.WARN
                                      and 'processing takes' in s.message)
    finally:
        assert all(r.successful for r in _set(probe, processing_time_warn_ms=1000.0))


def _bad_images(probe: Probe, frame: np.ndarray) -> dict:
    def wrong_step():
        msg = probe.image(frame)
        msg.step = 100
        return msg

    def wrong_size():
        msg = probe.image(frame)
        msg.data = bytes(msg.data)[:-1000]
        return msg

    def unsupported():
        msg = probe.image(frame)
        msg.encoding = '16UC1'
        return msg

    def zero_size():
        msg = Image(encoding='bgr8', height=0, width=0, step=0)
        probe.stamp(msg)
        return msg

    def very_large():
        msg = Image(encoding='bgr8', height=100000, width=100000, step=300000)
        probe.stamp(msg)
        return msg

    return {'wrong_step': wrong_step, 'wrong_size': wrong_size, 'unsupported': unsupported,
            'zero_size': zero_size, 'very_large': very_large}


@pytest.mark.parametrize('kind', ['wrong_step', 'wrong_size', 'unsupported', 'zero_size',
                                  'very_large'])
def test_bad_raw_image_is_skipped_and_node_goes_on(graph, probe, astronaut_frame, kind):
    node = graph['raw']
    assert probe.wait_for(lambda: node.frame_counters().in_flight == 0)
    time.sleep(0.2)  # outputs of earlier frames still in flight
    errors = node.frame_counters().dropped_bad
    start = probe.count(probe.scores)
    bad = _bad_images(probe, astronaut_frame)[kind]
    # Sent until it arrives: a single best-effort message may be lost on a busy machine.
    assert probe.wait_for(lambda: probe.send(bad()) or time.sleep(0.1)
                          or node.frame_counters().dropped_bad > errors)
    assert probe.count(probe.scores) == start  # nothing published for a bad frame
    probe.outputs_after(lambda: probe.image(astronaut_frame))


@pytest.mark.parametrize('data', [b'', b'\xff\xd8\xff\xe0' + bytes(500)])
def test_bad_compressed_image_is_skipped_and_node_goes_on(graph, astronaut_frame, data):
    probe, node = graph['compressed'], graph['compressed_node']
    errors = node.frame_counters().dropped_bad
    msg = CompressedImage(format='jpeg')
    msg.data = data
    probe.stamp(msg)
    probe.send(msg)
    assert probe.wait_for(lambda: node.frame_counters().dropped_bad > errors)
    probe.outputs_after(lambda: probe.compressed(astronaut_frame, 'jpeg'))


def test_repeated_conversion_failures_give_error_diagnostics(graph, probe, astronaut_frame):
    bad = _bad_images(probe, astronaut_frame)['unsupported']
    start = probe.count(probe.diagnostics)
    probe.feed(bad, seconds=(CONVERSION_ERROR_LIMIT + 3) / RATE_HZ)
    status = probe.statuses_after(start, lambda s: s.level == DiagnosticStatus.ERROR)
    assert 'cannot be converted' in status.message and '16UC1' in status.message
    probe.outputs_after(lambda: probe.image(astronaut_frame))
    start = probe.count(probe.diagnostics)
    probe.feed(lambda: probe.image(astronaut_frame), seconds=0.5)
    probe.statuses_after(start, lambda s: s.level == DiagnosticStatus.OK)


def test_stamps_going_backwards_restart_and_node_goes_on(graph, probe, astronaut_frame):
    node = graph['raw']
    jumps = node.stamp_jumps_back
    probe.outputs_after(lambda: probe.image(astronaut_frame), 2)
    past = graph['clock'].now - 100.0
    probe.send(probe.image(astronaut_frame, stamp=past))
    assert probe.wait_for(lambda: node.stamp_jumps_back > jumps)
    probe.outputs_after(lambda: probe.image(astronaut_frame), 2)


def test_a_late_frame_is_dropped_without_restarting(graph, probe, astronaut_frame):
    node = graph['raw']
    probe.outputs_after(lambda: probe.image(astronaut_frame), 2)
    jumps, late = node.stamp_jumps_back, node.frame_counters().dropped_late
    # Wait until the worker is idle, so the late frame cannot be overwritten while pending.
    assert probe.wait_for(lambda: node.frame_counters().in_flight == 0)
    probe.send(probe.image(astronaut_frame, stamp=node.last_processed_stamp() - 0.05))
    assert probe.wait_for(lambda: node.frame_counters().dropped_late > late)
    assert node.stamp_jumps_back == jumps
    probe.outputs_after(lambda: probe.image(astronaut_frame), 2)


def test_camera_timeout_gives_unknown_and_warn(graph, probe, astronaut_frame):
    assert all(r.successful for r in _set(probe, camera_timeout_s=0.5))
    try:
        start = probe.count(probe.labels)
        probe.feed(lambda: probe.image(astronaut_frame), seconds=1.0)
        assert probe.wait_for(lambda: probe.count(probe.labels) > start)
        time.sleep(0.2)  # the outputs of frames still in flight (well below camera_timeout_s)
        labels, diagnostics = probe.count(probe.labels), probe.count(probe.diagnostics)
        assert probe.wait_for(lambda: any(
            m.data == 'unknown' for m in probe.since(probe.labels, labels)), 3.0)
        status = probe.statuses_after(diagnostics, lambda s: s.level == DiagnosticStatus.WARN
                                      and 'no usable image for' in s.message)
        assert _values(status)['label'] == 'unknown'
        time.sleep(0.5)
        # Published once, not at every check.
        assert [m.data for m in probe.since(probe.labels, labels)] == ['unknown']
    finally:
        assert all(r.successful for r in _set(probe, camera_timeout_s=2.0))
    probe.outputs_after(lambda: probe.image(astronaut_frame))


def test_frames_that_all_fail_also_time_out_to_unknown(graph, probe, astronaut_frame):
    def bad_step():
        msg = probe.image(astronaut_frame)
        msg.step = 100
        return msg
    assert all(r.successful for r in _set(probe, camera_timeout_s=0.5))
    try:
        probe.feed(lambda: probe.image(astronaut_frame), seconds=1.0)
        labels = probe.count(probe.labels)
        probe.feed(bad_step, seconds=1.5)  # frames keep coming, none can be used
        assert [m.data for m in probe.since(probe.labels, labels)][-1:] == ['unknown']
    finally:
        assert all(r.successful for r in _set(probe, camera_timeout_s=2.0))
    probe.outputs_after(lambda: probe.image(astronaut_frame))


def test_debug_image_only_while_subscribed_with_header_copied(
        graph, probe, astronaut_frame, monkeypatch):
    node = graph['raw']
    made = []
    original = node.outputs.debug_image

    def counting(*args):
        made.append(1)
        return original(*args)
    monkeypatch.setattr(node.outputs, 'debug_image', counting)
    assert probe.wait_for(lambda: node.outputs.debug_pub.get_subscription_count() == 0)
    probe.outputs_after(lambda: probe.image(astronaut_frame), 3)
    assert made == []

    probe.subscribe_debug()
    try:
        assert probe.wait_for(lambda: node.outputs.debug_pub.get_subscription_count() > 0)
        sent = []

        def make():
            sent.append(probe.image(astronaut_frame))
            return sent[-1]
        start = probe.count(probe.debug)
        probe.outputs_after(make, 3)
        debug = _debug_image_of(probe, start, sent)
    finally:
        probe.unsubscribe_debug()
    assert made
    assert debug.encoding == 'bgr8' and (debug.width, debug.height) == (640, 480)
    assert debug.header.frame_id == 'camera'
    stamps = [(m.header.stamp.sec, m.header.stamp.nanosec) for m in sent]
    assert (debug.header.stamp.sec, debug.header.stamp.nanosec) in stamps


def test_missing_face_model_exits_non_zero_with_a_fix(tmp_path):
    env = dict(os.environ, EMOTION_ESTIMATOR_FACE_MODEL=str(tmp_path / 'missing.task'),
               XDG_CACHE_HOME=str(tmp_path))
    done = subprocess.run(
        [sys.executable, '-m', 'emotion_estimator.ros.node', '--ros-args',
         '-p', f'face_model_path:={tmp_path / "missing.task"}'],
        env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert 'emotion-estimator fetch-models' in done.stderr
    assert 'Traceback' not in done.stderr


def test_each_output_comes_with_the_input_header(probe, astronaut_frame):
    sent = {}

    def make():
        msg = probe.image(astronaut_frame)
        sent[(msg.header.stamp.sec, msg.header.stamp.nanosec)] = msg
        return msg
    start = probe.count(probe.headers)
    probe.outputs_after(make, 5)
    assert probe.wait_for(lambda: probe.count(probe.headers) - start >= 5)
    headers = probe.since(probe.headers, start)
    assert all((h.stamp.sec, h.stamp.nanosec) in sent for h in headers)
    assert all(h.frame_id == 'camera' for h in headers)
    stamps = [h.stamp.sec + h.stamp.nanosec * 1e-9 for h in headers]
    assert stamps == sorted(stamps)


def test_every_frame_is_accounted_for(graph, probe, astronaut_frame):
    node = graph['raw']
    assert probe.wait_for(lambda: node.frame_counters().in_flight == 0)
    before = node.frame_counters()
    assert before.balanced()
    bad = _bad_images(probe, astronaut_frame)['wrong_step']
    seen = []

    def sample():
        counters = node.frame_counters()
        seen.append(counters)
        assert counters.balanced(), counters
        assert 0 <= counters.in_flight <= PENDING_FRAMES + 1, counters
    # Good frames, a bad one now and then, a late one, and bursts faster than processing.
    for index in range(60):
        if index % 10 == 3:
            probe.send(bad())
        elif index % 20 == 7:
            probe.send(probe.image(astronaut_frame, stamp=graph['clock'].now - 0.2))
        elif index % 15 == 0:
            for _ in range(4):  # a burst: keep-newest has to drop some
                probe.send(probe.image(astronaut_frame))
        else:
            probe.send(probe.image(astronaut_frame))
        sample()
        time.sleep(1.0 / RATE_HZ)
    assert probe.wait_for(lambda: node.frame_counters().in_flight == 0)
    after = node.frame_counters()
    assert after.balanced(), after
    assert after.received > before.received + 30
    assert after.dropped_bad > before.dropped_bad
    assert set(after.dropped_by_reason()) == set(DROP_REASONS)
    assert after.dropped == sum(after.dropped_by_reason().values())
    # The diagnostics carry the same totals, and they add up too.
    start = probe.count(probe.diagnostics)
    values = _values(probe.statuses_after(start, lambda s: True))
    received = int(values['frames_received'])
    assert received == after.received
    assert received == (int(values['frames_processed']) + int(values['dropped_frames'])
                        + int(values['frames_in_flight']))
    assert int(values['dropped_frames']) == sum(
        int(values[f'dropped_{reason}']) for reason in DROP_REASONS)
    assert int(values['frames_lost_in_transport']) == 0  # in one process nothing is lost
    # The fake camera clock is not the node clock here, so only the presence is checked.
    assert 'stamp_to_output_ms_p50' in values and 'stamp_to_output_ms_max' in values


def test_reset_service_starts_over(graph, probe, astronaut_frame):
    node = graph['raw']
    probe.feed(lambda: probe.image(astronaut_frame), seconds=1.5)
    assert probe.wait_for(lambda: node.frame_counters().in_flight == 0)
    time.sleep(0.2)
    assert probe.since(probe.labels, 0)[-1].data == 'happy'
    response = _call(probe, Trigger, '/emotion_estimator/reset', Trigger.Request())
    assert response.success
    assert 'window' in response.message
    start = probe.count(probe.labels)
    probe.feed(lambda: probe.image(astronaut_frame), seconds=2.0)
    assert probe.wait_for(lambda: probe.count(probe.labels) - start >= 5)
    labels = [m.data for m in probe.since(probe.labels, start)]
    # Started over: unknown until the label has won for min_dwell_s again, then happy.
    assert labels[0] == 'unknown', labels
    assert labels[-1] == 'happy', labels
