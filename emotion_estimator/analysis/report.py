# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The summary of a recording: every metric of the main face and of each face, as one dict.

:func:`summarize` reads one timeline (see :mod:`~emotion_estimator.analysis.timeline`) and
computes each metric of :mod:`~emotion_estimator.analysis.metrics` over both the 3-class label
and the 7-class argmax, plus the blinks; :func:`summarize_recording` adds a summary per face.
"""

from dataclasses import asdict
from typing import Dict, Optional, Sequence

import numpy as np

from emotion_estimator.analysis.blink import BlinkSettings, detect_blinks, eye_scores
from emotion_estimator.analysis.metrics import average_scores, count_transitions, \
    dominant_emotion_per_segment, dominant_label_per_segment, emotion_labels, \
    EMOTION_NEUTRAL_STATES, find_runs, LABEL_EMOTIONS, LABEL_NEUTRAL_STATES, \
    longest_and_shortest_run, observed_emotions, per_minute, Run
from emotion_estimator.analysis.timeline import face_ids, face_timeline, frame_durations, \
    FrameRecord, main_records
from emotion_estimator.contract import CLASS_NAMES


def processing_speed(frames: int, wall_s: float, media_s: float) -> Dict[str, Optional[float]]:
    """Return frames per second of processing and the multiple of real time it achieves."""
    return {
        'frames': frames,
        'wall_s': wall_s,
        'media_s': media_s,
        'fps': frames / wall_s if wall_s > 0 else None,
        'x_real_time': media_s / wall_s if wall_s > 0 else None,
    }


def _run_dict(run: Optional[Run]) -> Optional[dict]:
    return None if run is None else asdict(run)


def _sequence_summary(labels: Sequence[str], times: Sequence[float], durations: np.ndarray,
                      emotions: Sequence[str], neutral_states: Sequence[str],
                      duration_s: float) -> dict:
    runs = find_runs(labels, times, durations)
    longest, shortest = longest_and_shortest_run(runs, emotions)
    transitions = count_transitions(labels, neutral_states)
    time_per_label: Dict[str, float] = {}
    for label, duration in zip(labels, durations):
        time_per_label[label] = time_per_label.get(label, 0.0) + float(duration)
    observed = observed_emotions(labels, emotions)
    return {
        'time_per_label_s': time_per_label,
        'longest_observed_emotion': None if longest is None else longest.label,
        'shortest_observed_emotion': None if shortest is None else shortest.label,
        'longest_run': _run_dict(longest),
        'shortest_run': _run_dict(shortest),
        'runs': len(runs),
        'hard_transitions': transitions.hard,
        'soft_transitions': transitions.soft,
        'transitions': transitions.total,
        'label_changes': transitions.changes,
        'hard_transitions_per_minute': per_minute(transitions.hard, duration_s),
        'soft_transitions_per_minute': per_minute(transitions.soft, duration_s),
        'transitions_per_minute': per_minute(transitions.total, duration_s),
        'observed_emotions': observed,
        'number_of_observed_emotions': len(observed),
    }


def summarize(records: Sequence[FrameRecord], class_names: Sequence[str] = CLASS_NAMES,
              blink_settings: BlinkSettings = BlinkSettings()) -> dict:
    """Return every metric of one timeline (one record per frame) as a JSON-serialisable dict.

    Raises:
        ValueError: no frames, or frame times that do not strictly increase.

    """
    if not records:
        raise ValueError('no frames to summarise')
    times = [r.time_s for r in records]
    durations = frame_durations(times)
    duration_s = float(durations.sum())
    labels = [r.label for r in records]
    emotions = emotion_labels(records, class_names)
    left, right = eye_scores(records)
    _, blinks = detect_blinks(times, left, right, blink_settings)
    faces = sum(r.face_found for r in records)
    return {
        'start_time_s': float(times[0]),
        'duration_s': duration_s,
        'frames': len(records),
        'frames_with_face': faces,
        'seconds_with_face': float(sum(d for r, d in zip(records, durations) if r.face_found)),
        'face_ratio': faces / len(records),
        'class_names': list(class_names),
        'average_scores': average_scores(records, durations, class_names),
        'dominant_emotion': _argmax_or_none(average_scores(records, durations, class_names)),
        'dominant_emotion_per_segment': dominant_emotion_per_segment(
            records, durations, class_names),
        'dominant_label_per_segment': dominant_label_per_segment(labels, times, durations),
        'emotion_7class': _sequence_summary(emotions, times, durations, class_names,
                                            EMOTION_NEUTRAL_STATES, duration_s),
        'label_3class': _sequence_summary(labels, times, durations, LABEL_EMOTIONS,
                                          LABEL_NEUTRAL_STATES, duration_s),
        'blinks': {
            'count': len(blinks),
            'per_minute': per_minute(len(blinks), duration_s),
            'mean_closure_s': (float(np.mean([b.duration_s for b in blinks]))
                               if blinks else None),
            'settings': asdict(blink_settings),
            'events': [asdict(b) for b in blinks],
        },
    }


def _argmax_or_none(means: Dict[str, Optional[float]]) -> Optional[str]:
    if any(value is None for value in means.values()):
        return None
    return max(means, key=lambda name: means[name])


def summarize_recording(records: Sequence[FrameRecord], class_names: Sequence[str] = CLASS_NAMES,
                        blink_settings: BlinkSettings = BlinkSettings()) -> dict:
    """Return :func:`summarize` of the main face plus a summary per face (``faces``).

    ``records`` hold one record per face per frame (see :class:`FrameRecord`). Besides the
    main-face metrics the result has ``face_count`` (distinct face ids), ``most_faces_in_a_frame``
    and ``faces``: per face id, in order of first appearance, its ``face_id``, ``first_seen_s``,
    ``last_seen_s``, ``frames_as_main`` and :func:`summarize` of its :func:`face_timeline`
    (``frames_with_face`` and ``seconds_with_face`` are the frames and seconds it was seen).

    Raises:
        ValueError: no frames, or frame times that do not strictly increase.

    """
    summary = summarize(main_records(records), class_names, blink_settings)
    per_frame: Dict[float, int] = {}
    for record in records:
        per_frame[record.time_s] = per_frame.get(record.time_s, 0) + int(record.face_found)
    faces = []
    for face_id in face_ids(records):
        own = [r for r in records if r.face_found and r.face_id == face_id]
        face = {'face_id': face_id, 'first_seen_s': float(own[0].time_s),
                'last_seen_s': float(own[-1].time_s),
                'frames_as_main': sum(r.main for r in own)}
        face.update(summarize(face_timeline(records, face_id), class_names, blink_settings))
        faces.append(face)
    summary['face_count'] = len(faces)
    summary['most_faces_in_a_frame'] = max(per_frame.values(), default=0)
    summary['faces'] = faces
    return summary
