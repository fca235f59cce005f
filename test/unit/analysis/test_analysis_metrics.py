# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Each report metric on hand-made sequences whose answer is known."""

import json

import numpy as np
import pytest

from emotion_estimator.analysis.blink import BlinkSettings, detect_blinks, \
    eyes_closed_per_record
from emotion_estimator.analysis.metrics import average_scores, count_transitions, \
    dominant_emotion_per_segment, dominant_label_per_segment, emotion_labels, \
    EMOTION_NEUTRAL_STATES, find_runs, LABEL_EMOTIONS, LABEL_NEUTRAL_STATES, \
    longest_and_shortest_run, NO_FACE, observed_emotions, per_minute, Run, segment_indices, \
    SEGMENT_NAMES
from emotion_estimator.analysis.report import processing_speed, summarize, summarize_recording
from emotion_estimator.analysis.timeline import face_ids, face_timeline, frame_durations, \
    FrameRecord, main_records
from emotion_estimator.contract import BLENDSHAPE_NAMES, CLASS_NAMES

FPS = 10.0


def scores_for(winner, confidence=0.7):
    """Return seven scores where ``winner`` has ``confidence`` and the rest share the remainder."""
    rest = (1.0 - confidence) / (len(CLASS_NAMES) - 1)
    return {name: (confidence if name == winner else rest) for name in CLASS_NAMES}


def record(index, winner, label=None, eyes=0.0):
    """Return a frame at ``index / FPS`` whose argmax is ``winner`` (None: no face)."""
    if winner is None:
        return FrameRecord(index / FPS, False, {n: 0.0 for n in CLASS_NAMES}, label or 'unknown',
                           'unknown', None)
    blendshapes = np.zeros(len(BLENDSHAPE_NAMES))
    blendshapes[BLENDSHAPE_NAMES.index('eyeBlinkLeft')] = eyes
    blendshapes[BLENDSHAPE_NAMES.index('eyeBlinkRight')] = eyes
    return FrameRecord(index / FPS, True, scores_for(winner), label or 'unknown', 'unknown',
                       blendshapes.tolist())


def test_frame_durations_last_frame_gets_median_interval():
    durations = frame_durations([0.0, 0.1, 0.3, 0.4])
    np.testing.assert_allclose(durations, [0.1, 0.2, 0.1, 0.1])
    assert frame_durations([5.0]).tolist() == [0.0]
    with pytest.raises(ValueError):
        frame_durations([0.0, 0.0])


def test_average_scores_skip_frames_without_face_and_weigh_by_duration():
    records = [record(0, 'happy'), record(1, None), record(2, 'sad'), record(3, 'sad')]
    averages = average_scores(records, frame_durations([r.time_s for r in records]))
    assert averages['sad'] == pytest.approx((0.7 + 0.7 + 0.05) / 3)
    assert averages['happy'] == pytest.approx((0.7 + 0.05 + 0.05) / 3)
    assert average_scores([record(0, None)], [0.1]) == {name: None for name in CLASS_NAMES}


def test_segments_are_five_equal_time_parts():
    times = [i / FPS for i in range(10)]
    assert segment_indices(times, frame_durations(times)) == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]
    # Uneven frame rate: segments follow time, not frame count.
    times = [0.0, 0.1, 0.2, 0.3, 0.4, 5.0]
    assert segment_indices(times, frame_durations(times)) == [0, 0, 0, 0, 0, 4]


def test_dominant_emotion_per_segment():
    winners = ['happy'] * 4 + ['neutral'] * 2 + [None] * 2 + ['sad'] * 2
    records = [record(i, w) for i, w in enumerate(winners)]
    dominant = dominant_emotion_per_segment(records, frame_durations([r.time_s for r in records]))
    assert list(dominant) == list(SEGMENT_NAMES)
    assert dominant == {'First': 'happy', 'First-Mid': 'happy', 'Mid': 'neutral',
                        'Mid-Last': None, 'Last': 'sad'}


def test_dominant_label_per_segment_counts_time_and_breaks_ties_by_order():
    labels = ['happy', 'happy', 'sad', 'happy', 'unknown', 'unknown', 'sad', 'unknown',
              'sad', 'sad']
    times = [i * 0.125 for i in range(10)]  # exact in binary: ties stay ties
    dominant = dominant_label_per_segment(labels, times, frame_durations(times))
    assert dominant == {'First': 'happy', 'First-Mid': 'happy', 'Mid': 'unknown',
                        'Mid-Last': 'sad', 'Last': 'sad'}


def test_runs_and_longest_shortest_emotion():
    labels = ['unknown', 'happy', 'happy', 'happy', 'sad', 'unknown', 'unknown', 'sad', 'sad']
    times = [i / FPS for i in range(len(labels))]
    runs = find_runs(labels, times, frame_durations(times))
    assert [(r.label, r.frames) for r in runs] == [
        ('unknown', 1), ('happy', 3), ('sad', 1), ('unknown', 2), ('sad', 2)]
    assert runs[1] == Run('happy', 0.1, pytest.approx(0.3), 3)
    longest, shortest = longest_and_shortest_run(runs, LABEL_EMOTIONS)
    assert (longest.label, longest.frames) == ('happy', 3)
    assert (shortest.label, shortest.frames, shortest.start_s) == ('sad', 1, 0.4)
    assert longest_and_shortest_run(runs[:1], LABEL_EMOTIONS) == (None, None)
    assert find_runs([], [], []) == []


@pytest.mark.parametrize('labels, hard, soft, changes', [
    (['happy', 'sad'], 1, 0, 1),
    (['happy', 'unknown', 'sad'], 0, 1, 2),
    (['happy', 'unknown', 'unknown', 'happy'], 0, 0, 2),        # interruption, no transition
    (['unknown', 'happy', 'happy', 'unknown'], 0, 0, 2),        # first emotion is no transition
    (['happy', 'sad', 'unknown', 'happy', 'sad', 'sad'], 2, 1, 4),
    ([], 0, 0, 0),
])
def test_hard_and_soft_transitions_3class(labels, hard, soft, changes):
    transitions = count_transitions(labels, LABEL_NEUTRAL_STATES)
    assert (transitions.hard, transitions.soft, transitions.changes) == (hard, soft, changes)
    assert transitions.total == hard + soft


def test_transitions_7class_treat_neutral_and_no_face_as_neutral_states():
    labels = ['happy', 'neutral', NO_FACE, 'fear', 'angry', 'neutral', 'angry']
    transitions = count_transitions(labels, EMOTION_NEUTRAL_STATES)
    assert (transitions.hard, transitions.soft, transitions.changes) == (1, 1, 6)


def test_per_minute():
    assert per_minute(3, 30.0) == 6.0
    assert per_minute(3, 0.0) == 0.0


def test_emotion_labels_and_observed_emotions():
    records = [record(0, 'fear'), record(1, None), record(2, 'fear'), record(3, 'happy')]
    labels = emotion_labels(records)
    assert labels == ['fear', NO_FACE, 'fear', 'happy']
    assert observed_emotions(labels, CLASS_NAMES) == ['fear', 'happy']


def test_blinks_with_hysteresis_and_closure_limits():
    # 30 fps; eyes closed (0.9) for 3 frames = 0.1 s: a blink; a 0.4 dip never closes;
    # 0.45 keeps the eyes closed (above the open threshold); a 1 s closure is too long; a
    # single-frame closure (0.033 s) is too short; a closure at the end is never counted.
    pattern = ([0.1] * 5 + [0.9] * 3 + [0.1] * 5 + [0.4] * 3 + [0.1] * 5
               + [0.9, 0.45, 0.9] + [0.1] * 5 + [0.9] * 30 + [0.1] * 5 + [0.9] + [0.1] * 5
               + [0.9] * 2)
    times = [i / 30.0 for i in range(len(pattern))]
    states, blinks = detect_blinks(times, pattern, pattern, BlinkSettings())
    assert len(blinks) == 2
    assert blinks[0].start_s == pytest.approx(5 / 30.0)
    assert blinks[0].duration_s == pytest.approx(0.1)
    assert blinks[1].duration_s == pytest.approx(0.1)
    assert states[5:8] == [True] * 3 and states[8] is False
    assert states[-1] is True


def test_blinks_need_both_eyes_and_a_face():
    times = [i / 30.0 for i in range(12)]
    left = [0.1, 0.9, 0.9, 0.9, 0.1, 0.1, 0.9, 0.9, None, 0.1, 0.1, 0.1]
    right = [0.1, 0.2, 0.2, 0.2, 0.1, 0.1, 0.9, 0.9, None, 0.1, 0.1, 0.1]
    states, blinks = detect_blinks(times, left, right)
    assert blinks == []
    assert states[8] is None


def test_blink_settings_are_checked():
    with pytest.raises(ValueError):
        BlinkSettings(close_threshold=0.3, open_threshold=0.5)
    with pytest.raises(ValueError):
        BlinkSettings(min_closure_s=1.0, max_closure_s=0.5)


def test_processing_speed():
    speed = processing_speed(300, 2.0, 10.0)
    assert speed['fps'] == 150.0 and speed['x_real_time'] == 5.0


def test_summary_of_happy_then_sad_is_json_and_consistent():
    winners = ['happy'] * 20 + [None] * 5 + ['sad'] * 25
    labels = ['unknown'] * 5 + ['happy'] * 15 + ['unknown'] * 5 + ['sad'] * 25
    records = [record(i, w, label) for i, (w, label) in enumerate(zip(winners, labels))]
    summary = summarize(records)
    json.dumps(summary)
    assert summary['duration_s'] == pytest.approx(5.0)
    assert summary['frames_with_face'] == 45
    assert summary['dominant_emotion_per_segment']['First'] == 'happy'
    assert summary['dominant_emotion_per_segment']['Last'] == 'sad'
    three = summary['label_3class']
    assert (three['hard_transitions'], three['soft_transitions']) == (0, 1)
    assert three['transitions_per_minute'] == pytest.approx(12.0)
    assert three['longest_observed_emotion'] == 'sad'
    assert three['shortest_observed_emotion'] == 'happy'
    assert three['observed_emotions'] == ['happy', 'sad']
    seven = summary['emotion_7class']
    assert (seven['hard_transitions'], seven['soft_transitions']) == (0, 1)
    assert summary['blinks']['count'] == 0
    with pytest.raises(ValueError):
        summarize([])


def two_faces():
    """Return 20 frames of two faces, one record per face per frame.

    face1 (main, happy) in every frame but frame 15, which has no face at all; face2 (sad, one
    blink) in frames 0-9.
    """
    records = []
    for index in range(20):
        if index == 15:
            records.append(record(index, None))
            continue
        first = record(index, 'happy', 'happy')
        first.face_id, first.box = 'face1', (500, 100, 200, 200)
        records.append(first)
        if index < 10:
            second = record(index, 'sad', 'sad', eyes=0.9 if index in (3, 4) else 0.1)
            second.face_id, second.box, second.main = 'face2', (100, 100, 80, 80), False
            records.append(second)
    return records


def test_face_timelines_and_per_face_summaries():
    records = two_faces()
    assert len(main_records(records)) == 20
    assert face_ids(records) == ['face1', 'face2']
    second = face_timeline(records, 'face2')
    assert [r.time_s for r in second] == [r.time_s for r in main_records(records)]
    assert [r.face_found for r in second] == [True] * 10 + [False] * 10
    assert all(r.label == 'unknown' for r in second[10:])

    summary = summarize_recording(records)
    main = summarize(main_records(records))
    assert {k: v for k, v in summary.items()
            if k not in ('faces', 'face_count', 'most_faces_in_a_frame')} == main
    assert summary['face_count'] == 2 and summary['most_faces_in_a_frame'] == 2
    first, other = summary['faces']
    assert (first['face_id'], first['frames_as_main'], first['frames_with_face']) == \
        ('face1', 19, 19)
    assert (other['face_id'], other['frames_as_main'], other['frames_with_face']) == \
        ('face2', 0, 10)
    assert other['first_seen_s'] == 0.0 and other['last_seen_s'] == pytest.approx(0.9)
    assert other['frames'] == 20 and other['duration_s'] == pytest.approx(2.0)
    assert other['seconds_with_face'] == pytest.approx(1.0)
    assert other['face_ratio'] == pytest.approx(0.5)
    assert other['dominant_emotion'] == 'sad' and first['dominant_emotion'] == 'happy'
    assert other['label_3class']['time_per_label_s'] == pytest.approx(
        {'sad': 1.0, 'unknown': 1.0})
    assert other['blinks']['count'] == 1 and first['blinks']['count'] == 0
    assert summary['blinks']['count'] == 0  # the main face did not blink
    json.dumps(summary)

    states = eyes_closed_per_record(records)
    assert len(states) == len(records)
    closed = [(r.face_id, round(r.time_s, 1)) for r, state in zip(records, states) if state]
    assert closed == [('face2', 0.3), ('face2', 0.4)]
    assert states[[r.face_found for r in records].index(False)] is None
