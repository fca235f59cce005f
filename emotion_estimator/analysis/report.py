# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The metrics of an emotion report, as pure functions of a per-frame sequence.

Every metric is computed twice, over two label sequences:

* ``label`` (3-class): the published, temporally filtered happy / sad / unknown label, exactly what
  the node publishes. Its *emotions* are happy and sad; unknown (which includes "no face") is the
  neutral state.
* ``emotion`` (7-class): the argmax of the seven FER2013 class scores of each frame, unfiltered.
  Frames without a face get :data:`NO_FACE`. Its *emotions* are the seven classes (neutral
  included, as in Kulagic et al. 2024); neutral and no-face are the neutral states.

Time: frame ``i`` lasts from its time until the next frame's time; the last frame lasts the median
interval between frames (0 for a single frame). Durations, averages and segment votes are weighted
by these frame durations, so a recording with a variable frame rate is not biased towards its
fast parts. The analysed duration is the sum of the frame durations.

Faces: a recording analysed with more than one face has one :class:`FrameRecord` per face per
frame (and one without a face for a frame without any). The records marked ``main`` are the
main-face timeline, one per frame, which :func:`summarize` reads; :func:`face_timeline` gives
each face a timeline of the same frames (a frame without that face counts as no face), so the
per-face summaries of :func:`summarize_recording` are :func:`summarize` of those timelines.
"""

from dataclasses import asdict, dataclass
import math
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np

from emotion_estimator.contract import BLENDSHAPE_NAMES, CLASS_NAMES, DECISION_LABELS

#: The 7-class label of a frame where no face was found.
NO_FACE = 'no_face'
#: Names of the five equal time segments, first to last.
SEGMENT_NAMES: Tuple[str, ...] = ('First', 'First-Mid', 'Mid', 'Mid-Last', 'Last')
#: Emotions and neutral states of the 3-class published label.
LABEL_EMOTIONS: Tuple[str, ...] = ('happy', 'sad')
LABEL_NEUTRAL_STATES: Tuple[str, ...] = ('unknown',)
#: Neutral states of the 7-class argmax (its emotions are all seven classes).
EMOTION_NEUTRAL_STATES: Tuple[str, ...] = ('neutral', NO_FACE)

_BLINK_LEFT = BLENDSHAPE_NAMES.index('eyeBlinkLeft')
_BLINK_RIGHT = BLENDSHAPE_NAMES.index('eyeBlinkRight')


@dataclass
class FrameRecord:
    """What the analysis keeps of one processed frame."""

    time_s: float
    face_found: bool
    #: The seven class scores by name (all 0 without a face).
    scores: Dict[str, float]
    #: The published 3-class label (temporally filtered).
    label: str
    #: The 3-class label of this frame alone.
    instant_label: str
    #: The 52 blendshape scores in BLENDSHAPE_NAMES order, None without a face.
    blendshapes: Optional[Sequence[float]] = None
    #: The face's id ('face1', ...; kept while the face is tracked), '' without a face.
    face_id: str = ''
    #: The face's box in frame pixels (x, y, width, height), None without a face.
    box: Optional[Tuple[int, int, int, int]] = None
    #: True for the main face of its frame and for a frame without any face: the records with
    #: ``main`` set are the main-face timeline, exactly one per frame.
    main: bool = True


@dataclass(frozen=True)
class Run:
    """A maximal stretch of consecutive frames with the same label."""

    label: str
    start_s: float
    duration_s: float
    frames: int


@dataclass(frozen=True)
class Transitions:
    """Counts of label changes (see :func:`count_transitions`)."""

    hard: int
    soft: int
    changes: int

    @property
    def total(self) -> int:
        """Return hard + soft transitions."""
        return self.hard + self.soft


@dataclass(frozen=True)
class BlinkSettings:
    """When a closure of both eyes counts as a blink.

    Args:
        close_threshold: both eyeBlinkLeft and eyeBlinkRight >= this closes the eyes.
        open_threshold: the smaller of the two < this opens them again (hysteresis; <= close).
        min_closure_s: shorter closures are ignored (noise).
        max_closure_s: longer closures are eyes held shut, not blinks.

    """

    close_threshold: float = 0.5
    open_threshold: float = 0.35
    min_closure_s: float = 0.05
    max_closure_s: float = 0.5

    def __post_init__(self) -> None:
        """Reject settings that cannot describe a blink."""
        if not 0.0 <= self.open_threshold <= self.close_threshold <= 1.0:
            raise ValueError('blink thresholds must satisfy 0 <= open <= close <= 1, got '
                             f'open={self.open_threshold} close={self.close_threshold}')
        if not 0.0 <= self.min_closure_s <= self.max_closure_s:
            raise ValueError('blink closure times must satisfy 0 <= min <= max, got '
                             f'min={self.min_closure_s} max={self.max_closure_s}')


@dataclass(frozen=True)
class Blink:
    """One blink: when both eyes closed and for how long."""

    start_s: float
    duration_s: float


def frame_durations(times: Sequence[float]) -> np.ndarray:
    """Return how long each frame lasts: until the next frame; the last one the median interval.

    Raises:
        ValueError: the times do not strictly increase.

    """
    times = np.asarray(times, dtype=np.float64)
    if times.size == 0:
        return times.copy()
    intervals = np.diff(times)
    if np.any(intervals <= 0):
        raise ValueError('frame times must strictly increase')
    last = float(np.median(intervals)) if intervals.size else 0.0
    return np.append(intervals, last)


def emotion_labels(records: Sequence[FrameRecord],
                   class_names: Sequence[str] = CLASS_NAMES) -> List[str]:
    """Return the 7-class argmax label of each frame (:data:`NO_FACE` without a face).

    Ties go to the class that comes first in ``class_names``.
    """
    labels = []
    for record in records:
        if not record.face_found:
            labels.append(NO_FACE)
        else:
            labels.append(max(class_names, key=lambda name: record.scores[name]))
    return labels


def average_scores(records: Sequence[FrameRecord], durations: Sequence[float],
                   class_names: Sequence[str] = CLASS_NAMES) -> Dict[str, Optional[float]]:
    """Return the duration-weighted mean score of each class over the frames with a face.

    Frames without a face are left out (their scores are not a measurement). A recording without
    any face gives None for every class.
    """
    weights = np.array([d for r, d in zip(records, durations) if r.face_found], np.float64)
    if weights.size == 0:
        return {name: None for name in class_names}
    scores = np.array([[r.scores[name] for name in class_names]
                       for r in records if r.face_found], np.float64)
    if weights.sum() <= 0:
        weights = np.ones_like(weights)
    mean = weights @ scores / weights.sum()
    return {name: float(value) for name, value in zip(class_names, mean)}


def segment_indices(times: Sequence[float], durations: Sequence[float],
                    segments: int = len(SEGMENT_NAMES)) -> List[int]:
    """Return the index of the equal time segment each frame starts in.

    The analysed span [first time, last time + last duration) is cut into ``segments`` equal
    parts; a frame belongs to the part its time falls in.
    """
    if len(times) == 0:
        return []
    start = float(times[0])
    span = float(times[-1]) + float(durations[-1]) - start
    if span <= 0:
        return [0] * len(times)
    return [min(int(math.floor((t - start) / span * segments)), segments - 1) for t in times]


def dominant_emotion_per_segment(
        records: Sequence[FrameRecord], durations: Sequence[float],
        class_names: Sequence[str] = CLASS_NAMES) -> Dict[str, Optional[str]]:
    """Return, per segment, the class with the highest mean score over its frames with a face.

    This is :func:`average_scores` restricted to one of the five equal time segments
    (:data:`SEGMENT_NAMES`), then its argmax; None for a segment without a face.
    """
    indices = segment_indices([r.time_s for r in records], durations)
    result: Dict[str, Optional[str]] = {}
    for number, name in enumerate(SEGMENT_NAMES):
        chosen = [i for i, index in enumerate(indices) if index == number]
        means = average_scores([records[i] for i in chosen], [durations[i] for i in chosen],
                               class_names)
        if any(value is None for value in means.values()):
            result[name] = None
        else:
            result[name] = max(class_names, key=lambda c: means[c])
    return result


def dominant_label_per_segment(labels: Sequence[str], times: Sequence[float],
                               durations: Sequence[float],
                               order: Sequence[str] = DECISION_LABELS) -> Dict[str, Optional[str]]:
    """Return, per segment, the label held for the longest total time (ties: first in order).

    Used for the 3-class published label, where unknown competes like any other label.
    """
    indices = segment_indices(times, durations)
    result: Dict[str, Optional[str]] = {}
    for number, name in enumerate(SEGMENT_NAMES):
        totals: Dict[str, float] = {}
        for label, index, duration in zip(labels, indices, durations):
            if index == number:
                totals[label] = totals.get(label, 0.0) + float(duration)
        if not totals:
            result[name] = None
            continue
        rank = {label: i for i, label in enumerate(order)}
        result[name] = max(totals, key=lambda k: (totals[k], -rank.get(k, len(rank))))
    return result


def find_runs(labels: Sequence[str], times: Sequence[float],
              durations: Sequence[float]) -> List[Run]:
    """Split a label sequence into runs: maximal stretches of consecutive equal labels."""
    runs: List[Run] = []
    start = 0
    for i in range(1, len(labels) + 1):
        if i == len(labels) or labels[i] != labels[start]:
            runs.append(Run(labels[start], float(times[start]),
                            float(np.sum(durations[start:i])), i - start))
            start = i
    return runs


def longest_and_shortest_run(runs: Iterable[Run],
                             emotions: Iterable[str]) -> Tuple[Optional[Run], Optional[Run]]:
    """Return the longest and the shortest run of an emotion (ties: the earlier run).

    Runs of labels that are not in ``emotions`` (unknown, no face) are ignored.
    """
    emotions = set(emotions)
    candidates = [run for run in runs if run.label in emotions]
    if not candidates:
        return None, None
    longest = max(candidates, key=lambda run: run.duration_s)
    shortest = min(candidates, key=lambda run: run.duration_s)
    return longest, shortest


def count_transitions(labels: Sequence[str], neutral_states: Iterable[str]) -> Transitions:
    """Count hard and soft transitions between emotions in a label sequence.

    Walk the runs of the sequence, remembering the last emotion (a label not in
    ``neutral_states``). When a run of emotion B follows emotion A with B != A:

    * it is a **hard** transition if B directly follows A (no frame in between);
    * it is a **soft** transition if A and B are separated by one or more neutral-state runs
      (for the 3-class label: unknown or no face; for the 7-class argmax: neutral or no face).

    A -> neutral -> A is no transition, and neither is the first emotion after the start.
    ``changes`` counts every change of the label, neutral states included.
    """
    neutral_states = set(neutral_states)
    hard = soft = changes = 0
    last_emotion: Optional[str] = None
    through_neutral = False
    previous: Optional[str] = None
    for label in labels:
        if label == previous:
            continue
        if previous is not None:
            changes += 1
        previous = label
        if label in neutral_states:
            through_neutral = True
            continue
        if last_emotion is not None and label != last_emotion:
            if through_neutral:
                soft += 1
            else:
                hard += 1
        last_emotion = label
        through_neutral = False
    return Transitions(hard=hard, soft=soft, changes=changes)


def per_minute(count: float, duration_s: float) -> float:
    """Return ``count`` per minute of ``duration_s`` (0 for an empty duration)."""
    return float(count) * 60.0 / duration_s if duration_s > 0 else 0.0


def observed_emotions(labels: Iterable[str], emotions: Iterable[str]) -> List[str]:
    """Return the emotions that label at least one frame, in the order of ``emotions``."""
    seen = set(labels)
    return [emotion for emotion in emotions if emotion in seen]


def detect_blinks(times: Sequence[float], left: Sequence[Optional[float]],
                  right: Sequence[Optional[float]],
                  settings: BlinkSettings = BlinkSettings()
                  ) -> Tuple[List[Optional[bool]], List[Blink]]:
    """Find blinks in the eyeBlinkLeft / eyeBlinkRight scores of a frame sequence.

    The eyes *close* at the first frame where both scores are >= ``close_threshold`` and *open*
    again at the first later frame where either score is < ``open_threshold`` (hysteresis). The
    closure lasts from the closing frame's time to the opening frame's time; it is a blink if
    ``min_closure_s <= closure <= max_closure_s``. A frame without a face (score None) abandons a
    closure in progress, and a closure still open at the end is not counted.

    Returns:
        The eye state of each frame (True closed, False open, None no face) and the blinks.

    """
    states: List[Optional[bool]] = []
    blinks: List[Blink] = []
    closed_since: Optional[float] = None
    for time_s, left_score, right_score in zip(times, left, right):
        if left_score is None or right_score is None:
            closed_since = None
            states.append(None)
            continue
        closure = min(float(left_score), float(right_score))
        if closed_since is None and closure >= settings.close_threshold:
            closed_since = float(time_s)
        elif closed_since is not None and closure < settings.open_threshold:
            duration = float(time_s) - closed_since
            if settings.min_closure_s <= duration <= settings.max_closure_s:
                blinks.append(Blink(closed_since, duration))
            closed_since = None
        states.append(closed_since is not None)
    return states, blinks


def eye_scores(records: Sequence[FrameRecord]
               ) -> Tuple[List[Optional[float]], List[Optional[float]]]:
    """Return the eyeBlinkLeft and eyeBlinkRight scores of each frame (None without a face)."""
    left = [None if r.blendshapes is None else float(r.blendshapes[_BLINK_LEFT]) for r in records]
    right = [None if r.blendshapes is None else float(r.blendshapes[_BLINK_RIGHT])
             for r in records]
    return left, right


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


def main_records(records: Sequence[FrameRecord]) -> List[FrameRecord]:
    """Return the main-face timeline: the record marked ``main`` of each frame."""
    return [r for r in records if r.main]


def face_ids(records: Iterable[FrameRecord]) -> List[str]:
    """Return the ids of the faces in ``records``, in the order they first appear."""
    return list(dict.fromkeys(r.face_id for r in records if r.face_found))


def face_timeline(records: Sequence[FrameRecord], face_id: str) -> List[FrameRecord]:
    """Return one record per frame for one face: its own where it was seen, else no face.

    The frames are those of :func:`main_records`; a frame without the face gets a record without
    a face (zero scores, label and instant label unknown), so the face's summary spans the whole
    recording like the main face's.
    """
    seen = {r.time_s: r for r in records if r.face_found and r.face_id == face_id}
    zeros = {name: 0.0 for name in next(iter(seen.values())).scores} if seen else {}
    return [seen.get(frame.time_s) or FrameRecord(frame.time_s, False, zeros, 'unknown',
                                                  'unknown', None, main=False)
            for frame in main_records(records)]


def eyes_closed_per_record(records: Sequence[FrameRecord],
                           settings: BlinkSettings = BlinkSettings()) -> List[Optional[bool]]:
    """Return the blink detector's eye state of each record, each face's detector apart.

    See :func:`detect_blinks`; None for a record without a face.
    """
    states: Dict[Tuple[str, float], Optional[bool]] = {}
    for face_id in face_ids(records):
        timeline = face_timeline(records, face_id)
        left, right = eye_scores(timeline)
        closed, _ = detect_blinks([r.time_s for r in timeline], left, right, settings)
        states.update({(face_id, r.time_s): state for r, state in zip(timeline, closed)})
    return [states.get((r.face_id, r.time_s)) if r.face_found else None for r in records]


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
