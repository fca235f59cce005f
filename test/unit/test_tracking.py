# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Face tracking by box alone: ids, matching, forgetting and the main face (no model)."""

import itertools
import random

import pytest

from emotion_estimator.tracking import (
    box_distance, FaceTracker, MAIN_FACE_KEEP_RATIO, MATCH_DISTANCE, TrackedFace)

FORGET_S = 3.0


@pytest.fixture
def tracker():
    return FaceTracker(TrackedFace, FORGET_S)


def test_a_box_continues_a_track_only_closer_than_the_match_distance(tracker):
    assert MATCH_DISTANCE == 1.0
    first, = tracker.match([(0, 0, 100, 100)], 0.0)[0]
    near = int(MATCH_DISTANCE * 100) - 1
    assert tracker.match([(near, 0, 100, 100)], 0.1)[0] == [first]
    tracks, missing = tracker.match([(2 * near + 1, 0, 100, 100)], 0.2)
    assert tracks[0] is not first and missing == [first]


def test_box_distance_is_in_face_sizes():
    assert box_distance((0, 0, 100, 100), (0, 0, 100, 100)) == 0.0
    assert box_distance((0, 0, 100, 100), (100, 0, 100, 100)) == pytest.approx(1.0)
    # The larger of the two faces sets the size.
    assert box_distance((0, 0, 100, 100), (0, 0, 200, 200)) == pytest.approx(
        (2 * 50 ** 2) ** 0.5 / 200)
    assert TrackedFace('a', (0, 0, 100, 100), 0.0).matches((30, 40, 100, 100)) == \
        pytest.approx(0.5)


def test_new_faces_get_new_ids_and_keep_them_while_they_move_a_little(tracker):
    tracks, missing = tracker.match([(0, 0, 100, 100), (400, 0, 100, 100)], 0.0)
    assert [track.face_id for track in tracks] == ['face1', 'face2'] and missing == []
    tracks, missing = tracker.match([(420, 10, 100, 100), (30, 0, 100, 100)], 0.1)
    assert [track.face_id for track in tracks] == ['face2', 'face1'] and missing == []
    # A face a whole face size away is someone else; the old one is missing this frame.
    tracks, missing = tracker.match([(130, 0, 100, 100)], 0.2)
    assert [track.face_id for track in tracks] == ['face3']
    assert {track.face_id for track in missing} == {'face1', 'face2'}


def test_a_face_next_to_another_does_not_take_its_neighbours_id(tracker):
    tracker.match([(0, 0, 100, 100), (110, 0, 100, 100)], 0.0)
    for track in tracker.tracks.values():
        track.box = {'face1': (0, 0, 100, 100), 'face2': (110, 0, 100, 100)}[track.face_id]
    # Both moved right by 40 px: face1's new box is nearer face2's old one than face2's new one
    # is, but nearest first gives each face its own id.
    tracks, _ = tracker.match([(150, 0, 100, 100), (40, 0, 100, 100)], 0.1)
    assert [track.face_id for track in tracks] == ['face2', 'face1']


def test_the_greedy_match_is_the_optimal_assignment_for_faces_that_move_less_than_apart():
    # Why no scipy.optimize.linear_sum_assignment: for faces that do not overlap and move less
    # than a third of a face between frames, nearest-first equals the least total distance.
    rng = random.Random(0)
    for _ in range(300):
        count = rng.randint(1, 5)
        boxes = [(index * 150 + rng.randint(0, 40), rng.randint(0, 40), 100, 100)
                 for index in range(count)]
        tracker = FaceTracker(TrackedFace, FORGET_S)
        tracker.match(boxes, 0.0)
        moved = [(x + rng.randint(-30, 30), y + rng.randint(-30, 30), w, h)
                 for x, y, w, h in boxes]
        rng.shuffle(moved)
        old = list(tracker.tracks.values())
        tracks, missing = tracker.match(moved, 0.1)
        assert missing == [] and len(tracker.tracks) == count
        best = min(itertools.permutations(old), key=lambda order: sum(
            track.matches(box) for track, box in zip(order, moved)))
        assert [track.face_id for track in tracks] == [track.face_id for track in best]


def test_a_face_unseen_longer_than_the_forget_time_is_forgotten(tracker):
    (track,), _ = tracker.match([(0, 0, 100, 100)], 10.0)
    assert not tracker.forgotten(track, 10.0 + FORGET_S)
    tracker.forget_unseen(10.0 + FORGET_S)
    assert 'face1' in tracker.tracks
    tracker.forget_unseen(10.0 + FORGET_S + 0.01)
    assert tracker.tracks == {}
    (track,), _ = tracker.match([(0, 0, 100, 100)], 20.0)
    assert track.face_id == 'face2'


def test_the_main_face_is_the_largest_and_keeps_its_place_within_the_keep_ratio(tracker):
    assert tracker.main_face_id == '' and tracker.main_track() is None
    tracks, _ = tracker.match([(0, 0, 100, 100), (400, 0, 90, 90)], 0.0)
    assert tracker.choose_main(tracks, [100 * 100, 90 * 90]) == 0
    assert tracker.main_face_id == 'face1' and tracker.main_track() is tracks[0]
    # face2 is now the largest, but face1 is at least MAIN_FACE_KEEP_RATIO of it: face1 stays.
    tracks, _ = tracker.match([(400, 0, 100, 100), (0, 0, 90, 90)], 0.1)
    assert [track.face_id for track in tracks] == ['face2', 'face1']
    assert tracker.choose_main(tracks, [100 * 100, 90 * 90]) == 1
    assert tracker.main_face_id == 'face1'
    small = int((MAIN_FACE_KEEP_RATIO * 100 * 100) ** 0.5) - 1
    tracks, _ = tracker.match([(400, 0, 100, 100), (0, 0, small, small)], 0.2)
    assert tracker.choose_main(tracks, [100 * 100, small * small]) == 0
    assert tracker.main_face_id == 'face2'


def test_forget_passes_the_main_face_on_and_discard_does_not(tracker):
    for face_id in ('a', 'b', 'c'):
        tracker.add((0, 0, 0, 0), 0.0, face_id)
    tracker.main_id = 'a'
    tracker.discard('a')
    assert tracker.main_id == 'a' and tracker.main_face_id == ''
    tracker.add((0, 0, 0, 0), 1.0, 'a')
    assert tracker.main_face_id == 'a'
    tracker.forget('a')
    assert tracker.main_face_id == 'b' and list(tracker.tracks) == ['b', 'c']
    tracker.forget('unknown id')
    assert tracker.main_face_id == 'b'
    tracker.clear()
    assert tracker.tracks == {} and tracker.main_face_id == ''
    (track,), _ = tracker.match([(0, 0, 100, 100)], 2.0)
    assert track.face_id == 'face1'


def test_new_ids_keep_counting_after_clear():
    tracker = FaceTracker(TrackedFace, FORGET_S, id_prefix='person')
    tracker.match([(0, 0, 100, 100)], 0.0)
    tracker.clear()
    (track,), _ = tracker.match([(0, 0, 100, 100)], 1.0)
    assert track.face_id == 'person2'
