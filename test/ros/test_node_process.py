# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The node as its own process, fed 640x480 bgr8 at 30 Hz by a camera in another process.

Both processes run with a default environment (no Fast DDS profile, builtin transport, RMW or
discovery variable; only a ROS domain of this test session), and the node is started through its
entry point, so the node's own profile choice is what makes the best-effort images arrive. The
camera (``node_harness.py``, beside this file) is the only stand-in: a program that publishes the
astronaut photo with wall-clock stamps, as a camera driver would.
"""

import json
import os
from pathlib import Path
import subprocess
import sys
import time

import node_harness as harness
import pytest

HARNESS_FILE = Path(harness.__file__).resolve()

#: Required by the issue: frames out of the node per second for a 30 Hz camera.
MIN_OUTPUT_HZ = 29.0
#: A 1-minute load average above this means other work shares the 2 cores: the node and the
#: camera alone load about 0.6 here. Then a rate or a share of outputs below the requirement is
#: reported as an expected failure with the measured numbers (shown by pytest as XFAIL), never
#: as a pass.
BUSY_LOAD = 0.75 * (os.cpu_count() or 2)
CAMERA_SECONDS = 15.0


def _domain() -> int:
    return int(os.environ['ROS_DOMAIN_ID'])


def _wait_for_log(path: Path, text: str, process: subprocess.Popen, timeout: float = 90.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        log = path.read_text() if path.exists() else ''
        if text in log:
            return log
        if process.poll() is not None:
            break
        time.sleep(0.2)
    pytest.fail(f'no "{text}" in the node log:\n{path.read_text()[-3000:]}')


@pytest.fixture(scope='module')
def node_process(tmp_path_factory, face_model_path):
    """Start the node through its entry point in a default environment."""
    log = tmp_path_factory.mktemp('node') / 'node.log'
    env = harness.default_environment(_domain())
    process = harness.start_node(['processing_time_warn_ms:=1000.0'], env, log)
    _wait_for_log(log, 'listening on', process)
    yield process, log
    assert harness.stop_process(process) == 0, log.read_text()[-3000:]


def test_the_node_applies_and_logs_its_fast_dds_profile(node_process):
    _, log = node_process
    text = log.read_text()
    assert 'DDS: Fast DDS profile ' in text
    assert 'fastdds_large_images.xml (UDPv4 only, 4 MiB receive buffer' in text


@pytest.mark.parametrize('reliable', [False, True], ids=['best_effort', 'reliable'])
def test_camera_in_another_process_gets_29_hz_out(node_process, tmp_path, reliable):
    process, log = node_process
    out = tmp_path / 'camera.json'
    command = [sys.executable, str(HARNESS_FILE), '--seconds', str(CAMERA_SECONDS),
               '--json', str(out)] + (['--reliable'] if reliable else [])
    done = subprocess.run(command, env=harness.default_environment(_domain()),
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(out.read_text())
    load = os.getloadavg()[0]
    counters = result['node_counters']
    assert process.poll() is None, log.read_text()[-3000:]
    # Accounting holds whatever the load.
    assert counters['frames_received'] == (counters['frames_processed']
                                           + counters['dropped_frames']
                                           + counters['frames_in_flight']), counters
    report = (f"{result['output_rate_hz']} Hz out for {result['input_rate_hz']} Hz in, "
              f"{result['outputs']} outputs of {result['frames_sent']} frames, node counters "
              f'{counters}, 1-minute load {load:.2f}')
    kept_up = (result['output_rate_hz'] >= MIN_OUTPUT_HZ
               and result['outputs'] >= 0.99 * result['frames_sent'])
    if not kept_up and load > BUSY_LOAD:  # the rate and the share are one measurement
        pytest.xfail(f'machine busy (load above {BUSY_LOAD:g}): {report}')
    assert result['output_rate_hz'] >= MIN_OUTPUT_HZ, report
    assert result['outputs'] >= 0.99 * result['frames_sent'], report
    assert result['latency_ms']['p50'] < 66.0, result['latency_ms']


def test_a_users_transport_choice_is_kept_and_its_losses_counted(tmp_path, face_model_path):
    log = tmp_path / 'node.log'
    # Domain 100 or 101, apart from the module's node (this one must not take its frames).
    domain = 100 + _domain() % 2
    env = harness.default_environment(domain)
    env['FASTDDS_BUILTIN_TRANSPORTS'] = 'UDPv4'  # UDP with the system's receive buffer
    process = harness.start_node([], env, log)
    try:
        text = _wait_for_log(log, 'listening on', process)
        out = tmp_path / 'camera.json'
        done = subprocess.run([sys.executable, str(HARNESS_FILE), '--seconds', '5',
                               '--json', str(out)], env=harness.default_environment(domain),
                              capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, done.stderr[-3000:]
    finally:
        harness.stop_process(process)
    assert "FASTDDS_BUILTIN_TRANSPORTS=UDPv4: the user's Fast DDS transports" in text
    assert 'fastdds_large_images.xml (UDPv4 only' not in text
    # Whatever this transport delivers, every frame sent is received or reported lost by DDS.
    result = json.loads(out.read_text())
    counters, sent = result['node_counters'], result['frames_sent_total_with_warmup']
    arrived_or_lost = counters['frames_received'] + counters['frames_lost_in_transport']
    assert 0.97 * sent <= arrived_or_lost <= sent, (sent, counters)
