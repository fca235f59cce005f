# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The ROS4HRI input mode: faces that ROS4HRI's detector tracks get expressions under their ids.

``ros2 launch emotion_estimator emotion_estimator.launch.py face_source:=ros4hri`` runs from the
colcon workspace (``build_ros/``). ``ros4hri_input_probe.py`` stands in for ``hri_face_detect``
(the only stand-in: no ROS4HRI detector runs here): it publishes ``/humans/faces/tracked`` and
each face's ``/humans/faces/<id>/aligned`` image, tight 128 px crops of two real smiling people
(the astronaut and a muxspace photo), first both for 6 s, then one alone for 3 s. Domains 50-54,
as test_ros_faces.py (the two files run one after the other).
"""

import os
from pathlib import Path

from face_frames import aligned_faces, two_people
import numpy as np
import pytest
from ros_workspace import current_workspace_env, launch_and_probe

from emotion_estimator.model_files import FACE_MODEL_ENV

PROBE = Path(__file__).resolve().parent / 'ros4hri_input_probe.py'
DOMAIN_ID = 50 + os.getpid() % 5
IDS = ('anna1', 'bob22')
NODE_START_TIMEOUT_S = 120.0


@pytest.fixture(scope='module')
def record(face_model_path: Path, tmp_path_factory) -> dict:
    """Launch the node with face_source:=ros4hri, run the probe, stop the node."""
    env = current_workspace_env()
    env.update({FACE_MODEL_ENV: str(face_model_path), 'ROS_DOMAIN_ID': str(DOMAIN_ID)})
    folder = tmp_path_factory.mktemp('ros4hri_input')
    np.savez(folder / 'faces.npz', **dict(zip(IDS, aligned_faces(two_people(),
                                                                 face_model_path))))
    return launch_and_probe(env, folder, PROBE, folder / 'faces.npz', ['face_source:=ros4hri'],
                            timeout_s=NODE_START_TIMEOUT_S + 60)


def test_each_tracked_face_gets_expressions_under_its_own_id(record):
    for face_id in IDS:
        expressions = record['expressions'][face_id]
        two_phase = [e for e in expressions if e['stamp'] < record['one_from']]
        # Most of the 60 images of each face are answered (the first ones arrive before the
        # node has subscribed to that face's topic).
        assert len(two_phase) >= 30, (face_id, len(two_phase), record['launch_output'][-3000:])
        sent = set(record['sent'][face_id])
        assert all(e['stamp'] in sent for e in expressions), 'header not copied from /aligned'
        # Both people smile: their expression settles on happy, pleasant and confident.
        last = two_phase[-10:]
        assert [e['expression'] for e in last] == ['happy'] * len(last), last
        assert all(e['valence'] > 0.3 and 0.0 < e['confidence'] <= 1.0 for e in last), last


def test_emotion_faces_holds_every_tracked_face_main_first(record):
    both = [message for message in record['faces'] if message['stamp'] < record['one_from']
            and {face['face_id'] for face in message['faces']} == set(IDS)]
    assert len(both) >= 20, len(both)
    # The main face is the one tracked first; each face keeps its own image's header.
    assert all(message['faces'][0]['face_id'] == IDS[0] for message in both)
    assert 'happy' in record['emotion']


def test_a_face_ros4hri_drops_is_forgotten_and_its_publisher_destroyed(record):
    expression_topic = '/humans/faces/{}/expression'
    assert expression_topic.format(IDS[1]) in record['publishers']['two']
    assert expression_topic.format(IDS[1]) not in record['publishers']['one']
    assert expression_topic.format(IDS[0]) in record['publishers']['one']
    late = [message for message in record['faces'] if message['stamp'] > record['one_from'] + 0.5]
    assert late and all([face['face_id'] for face in message['faces']] == [IDS[0]]
                        for message in late), late[-3:]
    assert not [e for e in record['expressions'][IDS[1]] if e['stamp'] > record['one_from']]


def test_the_node_leaves_tracked_to_ros4hri(record):
    for phase in ('two', 'one'):
        assert '/humans/faces/tracked' not in record['publishers'][phase]
    assert 'faces from ROS4HRI' in record['launch_output'], record['launch_output'][-3000:]
