# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The colcon-built ROS workspace (``build_ros/``) for the tests that run what users run.

``scripts/build_ros_workspace.sh`` builds it and writes ``build_ros/env.sh``;
``scripts/run_tests.sh`` runs the script before pytest. The tests start ``ros2`` and the
workspace's Python in subprocesses with that environment, so that this process keeps testing the
sources (the workspace holds its own installed copy of the package, brought up to date before the
tests use it). A plain module, like ``face_frames.py``.
"""

import json
import os
from pathlib import Path
import signal
import subprocess
import sys
import time
from typing import Callable, Dict, List, Sequence

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
#: ``EMOTION_ESTIMATOR_ROS_DISTRO=jazzy`` (scripts/run_tests.sh's Jazzy run): the Jazzy workspace
#: that ``scripts/build_ros_workspace.sh`` builds with that variable.
WORKSPACE = REPO_ROOT / ('build_ros_jazzy' if os.environ.get('EMOTION_ESTIMATOR_ROS_DISTRO')
                         == 'jazzy' else 'build_ros')
ENV_FILE = WORKSPACE / 'env.sh'
ROS2_EXECUTABLE = WORKSPACE / 'install' / 'bin' / 'ros2'
BUILD_COMMAND = 'scripts/build_ros_workspace.sh'
#: The ROS 2 domain of these tests: 55-59, apart from the in-process node tests (10-49, see
#: conftest.py) and the node benchmark (60-99), and within 0-101 like them.
DOMAIN_ID = 55 + os.getpid() % 5
#: Discovery of the ros2 command line without a daemon (seconds per call).
SPIN_TIME_S = '2'


def workspace_env() -> Dict[str, str]:
    """Return this process's environment with ``build_ros/env.sh`` applied, on DOMAIN_ID.

    Fails the test, with the command that builds it, when the workspace is not built.
    """
    if not ENV_FILE.is_file() or not ROS2_EXECUTABLE.is_file():
        pytest.fail(f'the ROS workspace is not built ({ENV_FILE} or {ROS2_EXECUTABLE} is '
                    f'missing): run {BUILD_COMMAND}')
    dump = subprocess.run(['bash', '-c', 'source "$0" && env -0', str(ENV_FILE)],
                          capture_output=True, check=True).stdout.decode()
    env = dict(item.split('=', 1) for item in dump.split('\0') if '=' in item)
    env.update(ROS_DOMAIN_ID=str(DOMAIN_ID), ROS_AUTOMATIC_DISCOVERY_RANGE='LOCALHOST',
               PYTHONUNBUFFERED='1')
    return env


def stale_files(env: Dict[str, str]) -> List[str]:
    """Return the package files whose installed copy in the workspace differs from the source."""
    site = Path(env['PYTHONPATH'].split(os.pathsep)[0])
    share = WORKSPACE / 'install' / 'share' / 'emotion_estimator'
    pairs = [(source, site / source.relative_to(REPO_ROOT))
             for source in (REPO_ROOT / 'emotion_estimator').rglob('*.py')
             if '__pycache__' not in source.parts]
    pairs += [(source, share / 'launch' / source.name)
              for source in (REPO_ROOT / 'launch').glob('*.launch.py')]
    for folder in ('launch', 'config'):
        pairs += [(REPO_ROOT / folder / installed.name, installed)
                  for installed in (share / folder).glob('*') if installed.is_file()]
    return sorted({str(source.relative_to(REPO_ROOT)) for source, installed in pairs
                  if not source.is_file() or not installed.is_file()
                  or source.read_bytes() != installed.read_bytes()})


def current_workspace_env() -> Dict[str, str]:
    """Return :func:`workspace_env` with the workspace's copy of the package up to date.

    When a source file changed since the last build, the build script runs again first (it then
    rebuilds only this package, in seconds); the test fails if that does not bring the copy up
    to date.
    """
    env = workspace_env()
    if stale_files(env):
        build = subprocess.run([str(REPO_ROOT / BUILD_COMMAND)], capture_output=True, text=True,
                               stdin=subprocess.DEVNULL, timeout=900)
        stale = stale_files(env)
        if build.returncode != 0 or stale:
            pytest.fail(f'{BUILD_COMMAND} did not bring the workspace copy of {stale} up to date '
                        f'(exit {build.returncode}):\n{build.stdout[-3000:]}\n'
                        f'{build.stderr[-3000:]}')
    return env


def ros2(env: Dict[str, str], *args: str, timeout: float = 60.0) -> subprocess.CompletedProcess:
    """Run ``ros2 ARGS`` in the workspace environment and return its result (text)."""
    return subprocess.run([str(ROS2_EXECUTABLE), *args], env=env, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def ros2_until(env: Dict[str, str], *args: str,
               done: Callable[[subprocess.CompletedProcess], bool],
               timeout_s: float = 30.0) -> subprocess.CompletedProcess:
    """Run ``ros2 ARGS`` until ``done(result)`` holds or ``timeout_s`` passed; return the last.

    Each ``ros2 ... --no-daemon`` call is a new DDS participant that first has to discover the
    graph, which can take longer than its spin time on a loaded machine: a call that has not yet
    seen the node is repeated, and the caller checks the last result.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        result = ros2(env, *args)
        if done(result) or time.monotonic() > deadline:
            return result
        time.sleep(0.5)


def _default_sigint() -> None:
    # A shell without job control starts background jobs with SIGINT ignored, and the child
    # would inherit that: give ros2 launch the default disposition, as in a terminal.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_launch(env: Dict[str, str], log_path: Path, *arguments: str) -> subprocess.Popen:
    """Start ``ros2 launch emotion_estimator emotion_estimator.launch.py ARGUMENTS``.

    Its output (and the node's, through it) goes to ``log_path``; it runs in a session of its
    own, so that :func:`stop_launch` reaches the node too.
    """
    with open(log_path, 'wb') as log:
        return subprocess.Popen(
            [str(ROS2_EXECUTABLE), 'launch', 'emotion_estimator', 'emotion_estimator.launch.py',
             *arguments],
            env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            cwd=WORKSPACE, start_new_session=True, preexec_fn=_default_sigint)


def stop_launch(process: subprocess.Popen) -> None:
    """Stop a launch with Ctrl-C (SIGINT to its session), killing it if it does not exit."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGINT)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def stamp_seconds(header) -> float:
    """Return a ``std_msgs/Header`` stamp in seconds."""
    return header.stamp.sec + header.stamp.nanosec * 1e-9


def launch_and_probe(env: Dict[str, str], folder: Path, probe: Path, data: Path,
                     launch_arguments: Sequence[str] = (), timeout_s: float = 180.0) -> dict:
    """Launch the node, run ``python PROBE DATA OUT.json`` beside it, stop it; return OUT.json.

    The probe (a script of ``test/``) publishes to the node and records what it publishes;
    the record gets the launch output as ``launch_output``. Fails when the probe fails.
    """
    log_path, out_path = folder / 'launch.log', folder / 'out.json'
    launch = start_launch(env, log_path, *launch_arguments)
    try:
        result = subprocess.run(
            [sys.executable, str(probe), str(data), str(out_path)], env=env,
            capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=timeout_s)
        output = log_path.read_text(errors='replace')
        assert result.returncode == 0, result.stdout + result.stderr + output[-4000:]
    finally:
        stop_launch(launch)
    record = json.loads(out_path.read_text())
    record['launch_output'] = log_path.read_text(errors='replace')
    return record


def spin_until(node, condition: Callable[[], bool], timeout_s: float) -> bool:
    """Spin ``node`` (rclpy) until ``condition()`` holds; return False after ``timeout_s``."""
    import rclpy
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        rclpy.spin_once(node, timeout_sec=0.2)
    return True


def publishers_of(node, node_name: str) -> List[str]:
    """Return the sorted topic names that the node ``/node_name`` publishes, as ``node`` sees."""
    return sorted(name for name, _ in node.get_publisher_names_and_types_by_node(node_name, '/'))
