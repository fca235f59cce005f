# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The behaviour-tree example against the launched node on real faces (issue 18).

``ros2 launch emotion_estimator emotion_estimator.launch.py`` runs from the colcon workspace on
a ROS domain of its own; ``behaviour_tree_probe.py`` (workspace environment) starts
``examples/emotion_behaviour_tree.py`` twice (reading ``emotion/faces``, and ``emotion`` +
``emotion/header`` with ``--std-msgs``) and shows the node no face, a smiling person, no face, a
sad person, no face, the smile again, then deactivates the node. The smiling and the sad person
are muxspace (LFW) photos from the shared data, chosen here as the first of a few that the
library, in this process, reads as happy / sad: the test is about the tree and the outputs, not
about the model, which may change. Without a photo read as sad the comfort checks are skipped.
"""

import os
from pathlib import Path
from typing import List, Optional, Tuple

import cv2
from face_frames import face_in_frame
import numpy as np
import pytest
from ros_workspace import current_workspace_env, launch_and_probe

from emotion_estimator.estimator import EmotionEstimator
from emotion_estimator.model_files import FACE_MODEL_ENV

pytest.importorskip('py_trees', reason="the example's py-trees (pip install -e '.[test]')")

PROBE = Path(__file__).resolve().parent / 'behaviour_tree_probe.py'
#: This file's ROS domains: 100-101 (the other tests and benchmarks use 10-99; within 0-101).
DOMAIN_ID = 100 + os.getpid() % 2
HAPPY = ['AJ_Lamas_0001.jpg', 'Abba_Eban_0001.jpg', 'Abdullah_Gul_0005.jpg']
SAD = ['Alain_Cervantes_0001.jpg', 'Alessandra_Cerna_0001.jpg', 'Amber_Frey_0001.jpg',
       'Anette_Hosoi_0001.jpg', 'Anna_Jones_0001.jpg']
#: The example's thresholds (its defaults) and how late a response may come (s): the node's
#: dwell and smoothing, the tree's 10 Hz tick, a loaded machine.
GREET_AFTER_S, COMFORT_AFTER_S, SILENCE_S, SLACK_S = 1.0, 2.0, 1.0, 2.5
TREES = ('behaviour', 'behaviour_std')


def _read_as(estimator: EmotionEstimator, frame: np.ndarray, label: str) -> bool:
    """Return whether the library reads a still frame as ``label`` after 1.5 s at 15 Hz."""
    estimator.reset()
    labels = [estimator.process(frame, 1000.0 + i / 15.0).label for i in range(60)]
    return labels[22:].count(label) >= 0.9 * len(labels[22:])


def _first_read_as(estimator: EmotionEstimator, folder: Path, names: List[str],
                   label: str) -> Optional[np.ndarray]:
    for name in names:
        photo = cv2.imread(str(folder / label / name), cv2.IMREAD_COLOR)
        if photo is None:
            continue
        frame = face_in_frame(photo, side=400)
        if _read_as(estimator, frame, label):
            return frame
    return None


@pytest.fixture(scope='module')
def record(shared_dir: Path, face_model_path: Path, tmp_path_factory) -> dict:
    """Launch the node, run the probe through the phases, stop the node; return the record."""
    folder = shared_dir / 'datasets' / 'crossval' / 'muxspace'
    estimator = EmotionEstimator(face_model_path=face_model_path)
    try:
        smile = _first_read_as(estimator, folder, HAPPY, 'happy')
        sad = _first_read_as(estimator, folder, SAD, 'sad')
    finally:
        estimator.close()
    assert smile is not None, f'none of {HAPPY} reads as happy: the test needs a smiling face'
    frames = {'smile': smile, 'none': np.full_like(smile, 128)}
    if sad is not None:
        frames['sad'] = sad
    data = tmp_path_factory.mktemp('behaviour_tree')
    np.savez(data / 'frames.npz', **frames)
    env = current_workspace_env()
    env.update({FACE_MODEL_ENV: str(face_model_path), 'ROS_DOMAIN_ID': str(DOMAIN_ID)})
    result = launch_and_probe(env, data, PROBE, data / 'frames.npz', timeout_s=300)
    result['have_sad'] = sad is not None
    return result


def _phase(record: dict, name: str) -> Tuple[float, float]:
    names = [phase[0] for phase in record['phases']]
    index = names.index(name)
    return record['phases'][index][1], record['phases'][index + 1][1]


def _changes(record: dict, tree: str, start: float, end: float) -> List[Tuple[float, str]]:
    return [(t - start, what) for t, what in record['behaviours'][tree] if start <= t < end]


def _behaviour_at(record: dict, tree: str, t: float) -> str:
    before = [what for when, what in record['behaviours'][tree] if when <= t]
    return before[-1] if before else ''


@pytest.mark.parametrize('tree', TREES)
def test_idle_without_a_face_then_greets_a_smile_held_for_a_moment(record, tree):
    start, _ = _phase(record, 'none')
    assert _behaviour_at(record, tree, start) == 'idle', record['behaviours'][tree]
    start, end = _phase(record, 'smile')
    greets = [t for t, what in _changes(record, tree, start, end) if what == 'greet']
    assert greets, (_changes(record, tree, start, end), record['tree_output'][tree][-2000:])
    # Not before the smile held for GREET_AFTER_S (the node's dwell comes on top), not late.
    assert GREET_AFTER_S <= greets[0] <= GREET_AFTER_S + SLACK_S, greets
    assert 'comfort' not in [what for _, what in _changes(record, tree, start, end)]
    assert _behaviour_at(record, tree, end) == 'greet'


def test_the_node_says_how_long_the_label_has_held(record):
    start, end = _phase(record, 'smile')
    happy = [(t, held) for t, label, held, _ in record['faces']
             if start <= t < end and label == 'happy']
    assert happy, record['faces'][-20:]
    helds = [held for _, held in happy]
    # One run of 'happy': label_held_s grows with the frames' stamps, from about 0.
    assert helds[0] < 0.5 and all(b >= a for a, b in zip(helds, helds[1:])), helds
    elapsed = happy[-1][0] - happy[0][0]
    assert abs((helds[-1] - helds[0]) - elapsed) < 0.5, (helds[0], helds[-1], elapsed)
    # The tree greeted when the node's label_held_s passed GREET_AFTER_S, not before. The probe
    # takes the node's and the tree's messages from one executor, in either order when both
    # wait (it publishes frames between spins), so the greeting may be recorded a moment before
    # the message that caused it (CI: 0.9998 s held on the last face recorded before the greet).
    # Slack: one tree tick and one probe frame; a tree greeting at 0.8 s still fails.
    greet = next(t for t, what in record['behaviours']['behaviour']
                 if what == 'greet' and t >= start)
    passed = next(t for t, held in happy if held >= GREET_AFTER_S)
    assert greet >= passed - (0.1 + 1.0 / 15.0), (greet - start, passed - start)


@pytest.mark.parametrize('tree', TREES)
def test_idle_soon_after_the_face_leaves(record, tree):
    start, end = _phase(record, 'left')
    idles = [t for t, what in _changes(record, tree, start, end) if what == 'idle']
    assert idles and idles[0] <= SLACK_S, _changes(record, tree, start, end)
    assert _behaviour_at(record, tree, end) == 'idle'


@pytest.mark.parametrize('tree', TREES)
def test_comforts_a_sadness_held_for_longer(record, tree):
    if not record['have_sad']:
        pytest.skip('no photo of the candidates reads as sad with the shipped model')
    start, end = _phase(record, 'sad')
    changes = _changes(record, tree, start, end)
    comforts = [t for t, what in changes if what == 'comfort']
    assert comforts, (changes, record['tree_output'][tree][-2000:])
    assert COMFORT_AFTER_S <= comforts[0] <= COMFORT_AFTER_S + SLACK_S, changes
    assert 'greet' not in [what for _, what in changes]


@pytest.mark.parametrize('tree', TREES)
def test_idle_when_the_node_stops(record, tree):
    assert record['deactivated'], record['launch_output'][-3000:]
    start, _ = _phase(record, 'smile_again')
    start_stop, end = _phase(record, 'stop')
    assert _behaviour_at(record, tree, start_stop) == 'greet', _changes(record, tree, start, end)
    idles = [t for t, what in _changes(record, tree, start_stop, end) if what == 'idle']
    # emotion/faces stops: idle after SILENCE_S; std_msgs gets 'unknown' at once.
    assert idles and idles[0] <= SILENCE_S + SLACK_S, _changes(record, tree, start_stop, end)


def test_the_trees_exit_cleanly_on_ctrl_c(record):
    assert record['tree_exit_codes'] == {tree: 0 for tree in TREES}, record['tree_output']
    assert 'reading emotion/faces' in record['tree_output']['behaviour']
    assert 'reading emotion and emotion/header' in record['tree_output']['behaviour_std']
