# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Start the node the way users do and check it with the ros2 command line.

``ros2 launch emotion_estimator emotion_estimator.launch.py`` runs from the colcon-built workspace
(``build_ros/``, see ``ros_workspace.py``) in a subprocess, on a ROS domain of its own. This
process publishes a real face (the astronaut photo) on the node's ``image`` topic with rclpy;
``ros2 node``, ``ros2 topic``, ``ros2 param`` and ``ros2 service`` (the lifecycle services;
without a daemon) check the running node, and a test stops it with Ctrl-C (SIGINT to the launch
process). The tests share one launch and run in file order; the last one launches again with
``autostart:=false``.
"""

import os
from pathlib import Path
import re
import signal
import subprocess
import threading
import time
from typing import Callable, Iterator

import numpy as np
import pytest
import rclpy
from rclpy.context import Context
from rclpy.executors import SingleThreadedExecutor
from rclpy.qos import QoSProfile, ReliabilityPolicy
from rclpy.signals import SignalHandlerOptions
from ros_workspace import (current_workspace_env, DOMAIN_ID, ros2, ros2_until, SPIN_TIME_S,
                           start_launch, stop_launch, WORKSPACE)
from sensor_msgs.msg import Image
from std_msgs.msg import String
import yaml

from emotion_estimator.model_files import FACE_MODEL_ENV

NODE = '/emotion_estimator'
#: The topics the node creates (its own names; the launch file remaps nothing by default).
NODE_TOPICS = {'/image', '/emotion', '/emotion/scores', '/diagnostics'}
DISCOVERY = ('--no-daemon', '--spin-time', SPIN_TIME_S)
START_TIMEOUT_S = 120.0
CAMERA_RATE_HZ = 10.0


class LaunchedNode:
    """The ``ros2 launch`` process and its output file."""

    def __init__(self, process: subprocess.Popen, log_path: Path):
        """Keep the process and where its output goes."""
        self.process = process
        self.log_path = log_path

    def output(self) -> str:
        """Return everything the launch (and the node through it) printed so far."""
        return self.log_path.read_text(errors='replace')


def _wait_for(condition: Callable[[], bool], timeout_s: float, launched: LaunchedNode,
              what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if launched.process.poll() is not None:
            pytest.fail(f'ros2 launch exited ({launched.process.returncode}) before {what}:\n'
                        f'{launched.output()[-4000:]}')
        if time.monotonic() > deadline:
            pytest.fail(f'no {what} within {timeout_s:.0f} s; launch output:\n'
                        f'{launched.output()[-4000:]}')
        time.sleep(0.5)


@pytest.fixture(scope='module')
def ros_env(face_model_path: Path) -> dict:
    """Return the workspace environment with the face model (fail when missing or stale)."""
    env = current_workspace_env()
    env[FACE_MODEL_ENV] = str(face_model_path)
    return env


@pytest.fixture(scope='module')
def launched(ros_env: dict, tmp_path_factory) -> Iterator[LaunchedNode]:
    """Start ``ros2 launch emotion_estimator emotion_estimator.launch.py``; wait for the node."""
    log_path = tmp_path_factory.mktemp('ros_launch') / 'launch.log'
    process = start_launch(ros_env, log_path)
    node = LaunchedNode(process, log_path)
    try:
        _wait_for(lambda: NODE in ros2(ros_env, 'node', 'list', *DISCOVERY).stdout.split(),
                  START_TIMEOUT_S, node, f'{NODE} in `ros2 node list`')
        # The node lists its topics once it has loaded the models and created them.
        _wait_for(lambda: NODE_TOPICS <= set(
                      ros2(ros_env, 'topic', 'list', *DISCOVERY).stdout.split()),
                  START_TIMEOUT_S, node, f'the topics {sorted(NODE_TOPICS)} in `ros2 topic list`')
        yield node
    finally:
        stop_launch(process)


@pytest.fixture(scope='module')
def camera(launched: LaunchedNode, astronaut_frame: np.ndarray) -> Iterator[None]:
    """Publish the astronaut photo on ``image`` at 10 Hz (rclpy, reliable); yield the labels.

    The labels are ``(monotonic time, label)`` of every ``/emotion`` message this process gets.
    """
    context = Context()
    rclpy.init(context=context, domain_id=DOMAIN_ID,
               signal_handler_options=SignalHandlerOptions.NO)
    node = rclpy.create_node('test_camera', context=context)
    publisher = node.create_publisher(
        Image, 'image', QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE))
    labels = []  # (monotonic time, label) of every /emotion message
    node.create_subscription(String, 'emotion',
                             lambda msg: labels.append((time.monotonic(), msg.data)), 10)
    stop = threading.Event()

    def publish() -> None:
        while not stop.wait(1.0 / CAMERA_RATE_HZ):
            msg = Image(height=astronaut_frame.shape[0], width=astronaut_frame.shape[1],
                        encoding='bgr8', step=astronaut_frame.shape[1] * 3)
            msg.header.stamp = node.get_clock().now().to_msg()
            msg.header.frame_id = 'test_camera'
            msg.data = astronaut_frame.tobytes()
            publisher.publish(msg)

    executor = SingleThreadedExecutor(context=context)
    executor.add_node(node)

    def spin() -> None:
        while not stop.is_set():
            executor.spin_once(timeout_sec=0.1)

    threads = [threading.Thread(target=publish, daemon=True),
               threading.Thread(target=spin, daemon=True)]
    for thread in threads:
        thread.start()
    yield labels
    stop.set()
    for thread in threads:
        thread.join(timeout=5)
    executor.shutdown()
    node.destroy_node()
    context.try_shutdown()


def test_node_is_listed(launched, ros_env):
    result = ros2_until(ros_env, 'node', 'list', *DISCOVERY,
                        done=lambda r: NODE in r.stdout.split())
    assert NODE in result.stdout.split(), result.stdout


def test_node_topics_are_listed(launched, ros_env):
    result = ros2_until(ros_env, 'topic', 'list', *DISCOVERY,
                        done=lambda r: NODE_TOPICS <= set(r.stdout.split()))
    assert NODE_TOPICS <= set(result.stdout.split()), result.stdout
    result = ros2_until(ros_env, 'node', 'info', NODE, *DISCOVERY,
                        done=lambda r: all(f'{topic}:' in r.stdout for topic in NODE_TOPICS))
    for topic in NODE_TOPICS:
        assert f'{topic}:' in result.stdout, result.stdout + result.stderr


def _answer_line(output: str, marker: str) -> str:
    """Return the line of a ``ros2 param`` answer that holds ``marker``.

    Fast DDS may print its own error lines to stdout (a shared-memory port left locked by an
    earlier process on this machine); they are not the command's answer.
    """
    lines = [line.strip() for line in output.splitlines() if marker in line.lower()]
    assert len(lines) == 1, output
    return lines[0]


def _param_get(ros_env: dict, name: str) -> str:
    result = ros2_until(ros_env, 'param', 'get', *DISCOVERY, NODE, name,
                        done=lambda r: r.returncode == 0 and 'value is' in r.stdout)
    assert result.returncode == 0, result.stdout + result.stderr
    return _answer_line(result.stdout, 'value is')


def _param_set(ros_env: dict, name: str, value: str) -> str:
    result = ros2_until(ros_env, 'param', 'set', *DISCOVERY, NODE, name, value,
                        done=lambda r: 'parameter' in r.stdout.lower())
    return _answer_line(result.stdout + result.stderr, 'parameter')


def test_param_get_reports_the_launch_file_parameters(launched, ros_env):
    installed = WORKSPACE / 'install' / 'share' / 'emotion_estimator' / 'config'
    params = yaml.safe_load((installed / 'emotion_estimator.yaml').read_text())
    expected = params['emotion_estimator']['ros__parameters']['min_dwell_s']
    assert _param_get(ros_env, 'min_dwell_s') == f'Double value is: {float(expected)}'


def test_param_set_changes_a_decision_parameter(launched, ros_env):
    assert _param_set(ros_env, 'min_dwell_s', '0.25') == 'Set parameter successful'
    assert _param_get(ros_env, 'min_dwell_s') == 'Double value is: 0.25'
    # Outside the declared range (seconds, up to 10): refused, and the value stays.
    assert _param_set(ros_env, 'min_dwell_s', '99.0').startswith('Setting parameter failed')
    assert _param_get(ros_env, 'min_dwell_s') == 'Double value is: 0.25'


def test_emotion_echo_reads_happy_for_the_smiling_face(launched, ros_env, camera):
    result = ros2(ros_env, 'topic', 'echo', *DISCOVERY, '--once', '--filter', "m.data == 'happy'",
                  '/emotion', 'std_msgs/msg/String', timeout=90)
    assert result.returncode == 0, result.stdout + result.stderr + launched.output()[-3000:]
    assert result.stdout.split('\n')[0] == 'data: happy', result.stdout
    result = ros2(ros_env, 'topic', 'echo', *DISCOVERY, '--once', '/emotion/scores',
                  'std_msgs/msg/Float32MultiArray', timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    scores = yaml.safe_load(result.stdout.split('---')[0])
    assert len(scores['data']) == 7 and abs(sum(scores['data']) - 1.0) < 1e-3, scores


#: Standard endpoints of every (managed) rclpy node, not in the README's topic table.
STANDARD_ENDPOINTS = re.compile(
    r'^(/parameter_events|/rosout|/emotion_estimator/transition_event|/emotion_estimator/'
    r'(describe_parameters|get_parameters|get_parameter_types|list_parameters|set_parameters|'
    r'set_parameters_atomically)|/emotion_estimator/get_available_'
    r'(states|transitions)|/emotion_estimator/get_transition_graph|/emotion_estimator/'
    r'get_type_description)$')
#: README rows the launched node (face_source camera, use_compressed false) does not have.
NOT_IN_THIS_MODE = {'/image/compressed'}


def _readme_topic_rows() -> list:
    """Return (names, kind, mode, types) for each row of the README's topic table."""
    text = (Path(__file__).resolve().parents[2] / 'README.md').read_text()
    section = text.split('<!-- section: node (node helper) -->')[1]
    table = section.split('| topic | type | QoS | notes |')[1].split('\n\n')[0]
    rows = []
    for line in table.strip().splitlines()[1:]:
        cells = line.split('|')[1:-1]
        names = re.findall(r'`([^`]+)`', cells[0])
        tags = re.search(r'\(([^)]*)\)', cells[0]).group(1).split(', ')
        types = re.findall(r'`([a-z_]+/)?([A-Za-z]+)`', cells[1])
        rows.append((names, tags[0], tags[1] if len(tags) > 1 else None, types))
    return rows


def _absolute(name: str) -> str:
    return name.replace('~/', f'{NODE}/') if name.startswith('~/') else '/' + name.lstrip('/')


def test_readme_topic_table_is_what_the_running_node_has(launched, ros_env, camera):
    sections = {'sub': 'Subscribers:', 'pub': 'Publishers:', 'service': 'Service Servers:'}

    def endpoints(info: str) -> dict:
        found, kind = {}, None
        for line in info.splitlines():
            stripped = line.strip()
            kinds = [key for key, title in sections.items() if stripped == title]
            if kinds or stripped.endswith(':') and not stripped.startswith('/'):
                kind = kinds[0] if kinds else None
            elif kind and ': ' in stripped:
                name, type_name = stripped.split(': ', 1)
                found[name] = (kind, type_name)
        return found

    documented, required = set(), []
    for names, kind, mode, types in _readme_topic_rows():
        for index, name in enumerate(names):
            pattern = re.compile('^' + re.escape(_absolute(name)).replace('<id>', '[^/]+') + '$')
            documented.add(pattern)
            if mode != 'ros4hri' and _absolute(name) not in NOT_IN_THIS_MODE:
                typed = types[index] if len(types) == len(names) else None
                required.append((name, pattern, kind, typed))

    def complete(info: str) -> bool:
        names = list(endpoints(info))
        return all(any(pattern.match(n) for n in names) for _, pattern, _, _ in required)

    # Wait until discovery shows every documented endpoint and the ROS4HRI expression topic
    # (the camera shows a face), not only the first one: discovery is slow on a busy graph.
    result = ros2_until(ros_env, 'node', 'info', NODE, *DISCOVERY,
                        done=lambda r: complete(r.stdout) and '/expression:' in r.stdout)
    have = endpoints(result.stdout)
    for name, pattern, kind, typed in required:
        matches = [n for n in have if pattern.match(n)]
        assert matches, f'README names {kind} {name}, the node has none: {sorted(have)}'
        for match in matches:
            assert have[match][0] == kind, (name, have[match])
            if typed is not None:
                package, type_name = typed
                assert have[match][1].endswith('/' + type_name), (name, have[match])
                assert not package or have[match][1].startswith(package), (name, have[match])
    undocumented = [name for name in have if not STANDARD_ENDPOINTS.match(name)
                    and not any(pattern.match(name) for pattern in documented)]
    assert not undocumented, f'not in the README topic table: {undocumented}'


def _lifecycle_state(ros_env: dict) -> str:
    result = ros2_until(ros_env, 'service', 'call', f'{NODE}/get_state',
                        'lifecycle_msgs/srv/GetState',
                        done=lambda r: r.returncode == 0 and 'label=' in r.stdout)
    assert 'label=' in result.stdout, result.stdout + result.stderr
    return result.stdout.split("label='")[1].split("'")[0]


def _change_state(ros_env: dict, transition: str) -> None:
    result = ros2_until(ros_env, 'service', 'call', f'{NODE}/change_state',
                        'lifecycle_msgs/srv/ChangeState',
                        f"{{transition: {{label: '{transition}'}}}}",
                        done=lambda r: r.returncode == 0 and 'success=' in r.stdout)
    assert 'success=True' in result.stdout, result.stdout + result.stderr


def _labels_between(labels: list, start: float, end: float) -> list:
    return [label for when, label in list(labels) if start <= when < end]


def test_launch_brings_the_lifecycle_node_to_active(launched, ros_env):
    assert _lifecycle_state(ros_env) == 'active'
    assert 'active: listening on' in launched.output(), launched.output()[-3000:]


def test_deactivate_stops_the_outputs_and_activate_resumes_them(launched, ros_env, camera):
    labels = camera
    deadline = time.monotonic() + 90
    while 'happy' not in _labels_between(labels, 0, time.monotonic()):
        assert time.monotonic() < deadline, 'no happy before deactivating'
        time.sleep(0.5)
    _change_state(ros_env, 'deactivate')
    assert _lifecycle_state(ros_env) == 'inactive'
    stopped = time.monotonic()
    time.sleep(3.0)
    # The camera goes on, the node publishes nothing: deactivating published unknown once.
    assert _labels_between(labels, stopped, time.monotonic()) == [], labels[-5:]
    assert 'unknown' in [label for _, label in labels[-3:]], labels[-5:]
    # Parameters and the reset service still work while inactive.
    assert _param_get(ros_env, 'min_dwell_s') == 'Double value is: 0.25'
    _change_state(ros_env, 'activate')
    assert _lifecycle_state(ros_env) == 'active'
    resumed = time.monotonic()
    deadline = resumed + 60
    while 'happy' not in _labels_between(labels, resumed, time.monotonic()):
        assert time.monotonic() < deadline, f'no happy after activating: {labels[-5:]}'
        time.sleep(0.5)


def test_ctrl_c_stops_launch_and_node_cleanly(launched, ros_env):
    launched.process.send_signal(signal.SIGINT)
    try:
        returncode = launched.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail(f'no exit within 30 s of SIGINT:\n{launched.output()[-3000:]}')
    output = launched.output()
    assert returncode == 0, output[-3000:]
    assert 'process has finished cleanly' in output, output[-3000:]
    assert 'Traceback' not in output, output[-3000:]
    # Nothing of the launch is left running (its session holds the node).
    with pytest.raises(ProcessLookupError):
        os.killpg(launched.process.pid, 0)


def test_autostart_false_leaves_the_node_unconfigured_for_a_manager(ros_env, tmp_path):
    log_path = tmp_path / 'launch.log'
    process = start_launch(ros_env, log_path, 'autostart:=false')
    launched = LaunchedNode(process, log_path)
    try:
        _wait_for(lambda: NODE in ros2(ros_env, 'node', 'list', *DISCOVERY).stdout.split(),
                  START_TIMEOUT_S, launched, f'{NODE} in `ros2 node list`')
        assert _lifecycle_state(ros_env) == 'unconfigured'
        # Unconfigured: no model loaded, no image subscription, no emotion publisher.
        topics = ros2(ros_env, 'node', 'info', NODE, *DISCOVERY).stdout
        assert '/emotion:' not in topics and '/image:' not in topics, topics
        _change_state(ros_env, 'configure')
        assert _lifecycle_state(ros_env) == 'inactive'
        assert 'configured: model' in launched.output(), launched.output()[-3000:]
    finally:
        stop_launch(process)
