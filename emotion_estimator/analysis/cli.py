# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""``emotion-estimator analyze INPUT``: an emotion report of a video, a folder of frames or a bag.

The frames go through the same :class:`~emotion_estimator.estimator.EmotionEstimator` the node
uses, so the offline labels agree with what the robot would have published frame for frame.
Every face is reported (up to ``--max-faces``, 4 by default like the node's ``max_faces``): one
record per face per frame, the main face's summary as the report's summary and one summary per
face id beside it.
"""

import argparse
from datetime import datetime, timezone
from pathlib import Path
import sys
import time
from typing import Callable, List, Optional, Tuple

import numpy as np

from emotion_estimator.analysis.blink import BlinkSettings
from emotion_estimator.analysis.output import atomic_output_dir, check_output_dir, OutputError, \
    write_report
from emotion_estimator.analysis.report import processing_speed, summarize_recording
from emotion_estimator.analysis.sources import FrameSource, open_source, prefetch, SourceError
from emotion_estimator.analysis.timeline import FrameRecord
from emotion_estimator.contract import DEFAULT_MAX_FACES, ModelSpecError, MOST_FACES
from emotion_estimator.frames import FrameError
from emotion_estimator.model_files import ModelFileError

#: Exit status for an input, option or model that cannot be used.
EXIT_BAD_INPUT = 2
#: Exit status when a run is interrupted with Ctrl-C (except a webcam, which then reports).
EXIT_INTERRUPTED = 130
#: Faces followed at once by default, and at most (as the node's ``max_faces`` parameter).


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``analyze`` to ``parser``."""
    parser.add_argument('input', metavar='INPUT',
                        help='video file, webcam index (0), folder of images, or ROS 2 bag '
                             '(folder with metadata.yaml, .mcap or .db3)')
    parser.add_argument('-o', '--output', type=Path, default=None,
                        help='report folder (default: ./<input name>_report); replaced only if '
                             'it holds a previous report')
    add_analysis_options(parser)
    parser.add_argument('--no-progress', action='store_true', help='hide the progress bar')


def add_analysis_options(parser: argparse.ArgumentParser) -> None:
    """Add the options that decide what a report holds (shared with ``analyze-corpus``)."""
    defaults = BlinkSettings()
    parser.add_argument('--fps', type=float, default=30.0,
                        help='frame rate of a folder of images (default: %(default)s)')
    parser.add_argument('--topic', default=None,
                        help='image topic of a bag (default: its only Image or CompressedImage '
                             'topic)')
    parser.add_argument('--max-seconds', type=float, default=None,
                        help='stop a video or webcam after this many seconds')
    parser.add_argument('--blink-threshold', type=float, default=defaults.close_threshold,
                        help='both eyeBlink scores >= this close the eyes (default: %(default)s)')
    parser.add_argument('--blink-open-threshold', type=float, default=defaults.open_threshold,
                        help='the smaller eyeBlink score < this opens them again '
                             '(default: %(default)s)')
    parser.add_argument('--blink-min-s', type=float, default=defaults.min_closure_s,
                        help='shortest closure counted as a blink, s (default: %(default)s)')
    parser.add_argument('--blink-max-s', type=float, default=defaults.max_closure_s,
                        help='longest closure counted as a blink, s (default: %(default)s)')
    parser.add_argument('--max-faces', type=max_faces_option, default=DEFAULT_MAX_FACES,
                        help=f'faces followed at once, 1-{MOST_FACES}; every one gets its rows '
                             'and summary, the main face the report summary; 1 = FaceLandmarker '
                             'alone on the whole frame, as the node with max_faces 1 '
                             '(default: %(default)s)')
    parser.add_argument('--model', type=Path, default=None,
                        help='emotion_model.json (default: the packaged model)')
    parser.add_argument('--face-model', type=Path, default=None,
                        help='MediaPipe face_landmarker.task (default: see fetch-models)')
    parser.add_argument('--variant', default=None,
                        help='TFLite variant of the model metadata (default: its default)')


def max_faces_option(text: str) -> int:
    """Parse ``--max-faces``: an integer from 1 to :data:`MOST_FACES`.

    Raises:
        argparse.ArgumentTypeError: not such an integer.

    """
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= MOST_FACES:
        raise argparse.ArgumentTypeError(f'must be an integer from 1 to {MOST_FACES}, '
                                         f'got {text!r}')
    return value


def blink_settings(args: argparse.Namespace) -> BlinkSettings:
    """Return the blink settings of the parsed options.

    Raises:
        ValueError: the thresholds or closure limits are inconsistent.

    """
    return BlinkSettings(close_threshold=args.blink_threshold,
                         open_threshold=args.blink_open_threshold,
                         min_closure_s=args.blink_min_s, max_closure_s=args.blink_max_s)


def default_output_dir(input_path: str) -> Path:
    """Return ``./<input name>_report`` (``webcam<N>_report`` for a webcam index)."""
    path = Path(input_path)
    if input_path.isdigit() and not path.exists():
        return Path(f'webcam{input_path}_report')
    name = path.stem if path.is_file() else path.resolve().name
    return Path(f'{name}_report')


def process_source(source: FrameSource, estimator, progress: bool = True
                   ) -> Tuple[List[FrameRecord], dict]:
    """Run every frame of ``source`` through ``estimator``; return the records and timings.

    A record per face found in a frame (:meth:`EmotionEstimator.process_faces`, the main face
    first and marked ``main``), or one without a face for a frame without any; that one has the
    label :meth:`EmotionEstimator.process` gives such a frame (the main face's filter, which
    holds its label for the grace time). Ctrl-C ends a webcam source normally; for other sources
    it propagates.
    """
    from tqdm import tqdm

    records: List[FrameRecord] = []
    frame_count = 0
    read_s = mediapipe_s = model_s = 0.0
    started = time.perf_counter()
    bar = tqdm(total=source.expected_frames, unit='frame', disable=not progress,
               desc='analyze', file=sys.stderr)
    frames = prefetch(source)
    try:
        while True:
            before = time.perf_counter()
            try:
                time_s, frame = next(frames)
            except StopIteration:
                break
            read_s += time.perf_counter() - before
            before = time.perf_counter()
            results = estimator.process_faces(frame, time_s)
            if not results:
                mediapipe_s += time.perf_counter() - before
                frame_records = [FrameRecord(
                    time_s=time_s, face_found=False,
                    scores={name: 0.0 for name in estimator.class_names},
                    label=estimator.filter.label, instant_label='unknown')]
            else:
                mediapipe_s += results[0].timings.get('mediapipe_s', 0.0)
                model_s += sum(result.timings.get('model_s', 0.0) for result in results)
                frame_records = [FrameRecord(
                    time_s=result.time_s, face_found=True, scores=dict(result.scores),
                    label=result.label, instant_label=result.instant_label,
                    blendshapes=(None if result.blendshapes is None
                                 else np.asarray(result.blendshapes, np.float32).copy()),
                    face_id=result.face_id,
                    box=None if result.box is None else tuple(int(v) for v in result.box),
                    main=index == 0) for index, result in enumerate(results)]
            # A frame's records are kept together (Ctrl-C on a webcam ends between frames).
            records.extend(frame_records)
            frame_count += 1
            bar.update(1)
    except KeyboardInterrupt:
        if source.kind != 'webcam':
            raise
    finally:
        frames.close()
        bar.close()
    wall_s = time.perf_counter() - started
    count = max(frame_count, 1)
    timings = {
        'wall_s': wall_s,
        'mean_read_wait_ms': 1000.0 * read_s / count,
        'mean_mediapipe_ms': 1000.0 * mediapipe_s / count,
        'mean_model_ms': 1000.0 * model_s / count,
        'mean_total_ms': 1000.0 * wall_s / count,
    }
    return records, timings


def _error(message: str) -> None:
    print(f'emotion-estimator analyze: error: {message}', file=sys.stderr)


def analyze_source(input_name: str, source: FrameSource, estimator, output: Path,
                   blink: BlinkSettings, variant: Optional[str] = None, progress: bool = True,
                   finish: Optional[Callable[[Path, List[FrameRecord], dict], None]] = None
                   ) -> dict:
    """Run ``source`` through ``estimator`` and write its report to ``output``; return the summary.

    The report is written atomically (see :func:`atomic_output_dir`); ``finish(folder, records,
    summary)``, when given, writes more files into the report folder after the report's own
    (``records``: one per face per frame, see :func:`process_source`).

    Raises:
        SourceError: the source gave no frame or a frame that cannot be read.
        FrameError: a frame is not a usable image.
        OutputError: the report folder cannot be written.

    """
    records, timings = process_source(source, estimator, progress)
    if not records:
        raise SourceError(f'{source.description} gave no frame')
    summary = {
        'input': input_name,
        'source': source.description,
        'created': datetime.now(timezone.utc).isoformat(timespec='seconds'),
        'model': str(estimator.spec.path),
        'variant': variant or estimator.spec.default_variant,
        'max_faces': estimator.max_faces,
    }
    summary.update(summarize_recording(records, estimator.class_names, blink))
    summary['processing'] = dict(
        processing_speed(summary['frames'], timings['wall_s'], summary['duration_s']),
        **{k: v for k, v in timings.items() if k != 'wall_s'})
    if getattr(source, 'skipped', 0):
        summary['skipped_messages'] = source.skipped
    with atomic_output_dir(output) as folder:
        write_report(folder, records, summary, estimator.spec.feature_names)
        if finish is not None:
            finish(folder, records, summary)
    return summary


def run(args: argparse.Namespace) -> int:
    """Analyse ``args.input`` and write the report; return the exit status."""
    try:
        blink = blink_settings(args)
    except ValueError as error:
        _error(str(error))
        return EXIT_BAD_INPUT
    output = args.output if args.output is not None else default_output_dir(args.input)
    try:
        check_output_dir(output)
        source = open_source(args.input, fps=args.fps, topic=args.topic,
                             max_seconds=args.max_seconds)
    except (SourceError, OutputError) as error:
        _error(str(error))
        return EXIT_BAD_INPUT
    from emotion_estimator.estimator import EmotionEstimator
    try:
        estimator = EmotionEstimator(model_spec_path=args.model, face_model_path=args.face_model,
                                     variant=args.variant, max_faces=args.max_faces)
    except (ModelSpecError, ModelFileError) as error:
        _error(str(error))
        return EXIT_BAD_INPUT
    try:
        with estimator:
            summary = analyze_source(str(args.input), source, estimator, output, blink,
                                     args.variant, not args.no_progress)
    except (SourceError, FrameError, OutputError) as error:
        _error(str(error))
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        _error('interrupted; no report written')
        return EXIT_INTERRUPTED
    speed = summary['processing']
    print(f"{output}: {summary['frames']} frames, {summary['duration_s']:.1f} s, "
          f"{summary['face_count']} face id(s), main face in "
          f"{100 * summary['face_ratio']:.0f}%, dominant {summary['dominant_emotion']}, "
          f"{summary['label_3class']['transitions']} happy/sad transitions, "
          f"{summary['blinks']['count']} blinks; {speed['fps'] or 0:.1f} fps = "
          f"{speed['x_real_time'] or 0:.1f}x real time")
    return 0
