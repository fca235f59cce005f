# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""``emotion-estimator analyze-corpus INPUT... -o DIR``: every recording under the inputs, on Ray.

Each video, folder of images and ROS 2 bag under the inputs is one Ray task running ``analyze``
(:func:`emotion_estimator.analysis.cli.analyze_source`) with a fresh estimator, writing its report
under ``DIR/reports/``; the driver writes ``DIR/corpus.csv``, ``corpus.parquet`` and
``corpus.html``. A report's ``corpus_manifest.json`` makes a rerun skip it, a
``<report>.failed.json`` a recording whose content failed. Why and what it costs:
``docs/analysis.md``.
"""

import argparse
from dataclasses import asdict, dataclass
import json
import logging
import os
from pathlib import Path
import shutil
import socket
import sys
import tempfile
import time
from typing import Dict, Iterator, List, Optional, Sequence

from emotion_estimator.analysis.blink import BlinkSettings
from emotion_estimator.analysis.cli import add_analysis_options, analyze_source, blink_settings, \
    DEFAULT_MAX_FACES, EXIT_BAD_INPUT, EXIT_INTERRUPTED
from emotion_estimator.analysis.corpus_inputs import CorpusError, file_identity, \
    find_recordings, fingerprint, Recording
from emotion_estimator.analysis.corpus_table import failed_row, now_utc, per_minute_seconds, \
    report_row, STATUS_FAILED, STATUS_OK, STATUS_SKIPPED, STATUSES, write_corpus
from emotion_estimator.analysis.output import HTML_FILENAME, SUMMARY_FILENAME
from emotion_estimator.analysis.sources import open_source, SourceError
from emotion_estimator.analysis.timeline import FrameRecord, main_records
from emotion_estimator.contract import ModelSpec, ModelSpecError
from emotion_estimator.frames import FrameError
from emotion_estimator.model_files import find_face_model, ModelFileError

#: How to get the optional packages this sub-command needs.
INSTALL_HINT = "pip install 'emotion_estimator[corpus]'"
#: Exit status when every recording was analysed (or skipped), and when some failed.
EXIT_OK, EXIT_SOME_FAILED = 0, 1
#: The reports' folder under DIR, and the suffix of each report folder.
REPORTS_DIRNAME = 'reports'
REPORT_SUFFIX = '_report'
#: Written last into a report folder: what was analysed, with which settings.
MANIFEST_FILENAME = 'corpus_manifest.json'
#: Beside a report folder: the failure of a recording whose content cannot be read.
FAILURE_SUFFIX = '.failed.json'
#: Version of the manifest format; a manifest of another version is not trusted.
MANIFEST_VERSION = 1


@dataclass(frozen=True)
class AnalysisJob:
    """What a worker needs to analyse one recording (plain data, sent to the Ray task)."""

    recording: Recording
    #: The report folder to write.
    output: Path
    fingerprint: dict
    settings: dict
    fps: float
    topic: Optional[str]
    max_seconds: Optional[float]
    blink: dict
    model: Path
    face_model: Path
    variant: Optional[str]
    max_faces: int = DEFAULT_MAX_FACES

    @property
    def failure_path(self) -> Path:
        """Return the file that remembers a failure of this recording's content."""
        return self.output.with_name(self.output.name + FAILURE_SUFFIX)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``analyze-corpus`` to ``parser``."""
    parser.add_argument('inputs', metavar='INPUT', nargs='+', type=Path,
                        help='video files, folders of images, ROS 2 bags, or folders searched '
                             'recursively for them')
    parser.add_argument('-o', '--output', type=Path, required=True,
                        help='corpus folder: reports/, corpus.csv, corpus.parquet, corpus.html')
    parser.add_argument('--ray-address', default=None,
                        help="Ray cluster to run on ('auto': the one started on this machine "
                             "with 'ray start'; or HOST:PORT); default: a local Ray instance")
    parser.add_argument('--num-cpus', type=int, default=None,
                        help='recordings analysed at once by the local Ray instance (default: '
                             'every core of this machine); not with --ray-address')
    parser.add_argument('--retry-failed', action='store_true',
                        help='analyse again recordings that failed before and have not changed')
    add_analysis_options(parser)
    parser.add_argument('--no-progress', action='store_true', help='hide the progress bar')


# ---------------------------------------------------------------------------------------------
# Resuming.

def analysis_settings(args: argparse.Namespace, spec: ModelSpec, face_model: Path) -> dict:
    """Return everything besides the input that decides a report (compared when resuming)."""
    return {
        'fps': args.fps,
        'topic': args.topic,
        'max_seconds': args.max_seconds,
        'blink': asdict(blink_settings(args)),
        'model': file_identity(spec.path),
        'model_file': file_identity(spec.model_file(args.variant)),
        'variant': args.variant or spec.default_variant,
        'face_model': file_identity(face_model),
        'max_faces': args.max_faces,
    }


def report_link(job: AnalysisJob) -> str:
    """Return the job's ``report.html`` relative to the corpus folder (DIR)."""
    return (Path(REPORTS_DIRNAME) / (job.recording.name + REPORT_SUFFIX)
            / HTML_FILENAME).as_posix()


def _json_equal(a: object, b: object) -> bool:
    """Compare two JSON-like values as they would be after a round trip through a file."""
    return json.loads(json.dumps(a)) == json.loads(json.dumps(b))


def _read_json(path: Path) -> Optional[dict]:
    try:
        return json.loads(Path(path).read_text(encoding='utf-8'))
    except (OSError, ValueError):
        return None


def previous_row(job: AnalysisJob, retry_failed: bool = False) -> Optional[dict]:
    """Return the row of an earlier run of ``job`` that still holds, or None to analyse it.

    A report holds if its manifest names the same files (sizes, times) and settings; a remembered
    failure holds likewise unless ``retry_failed``.
    """
    manifest = _read_json(job.output / MANIFEST_FILENAME)
    if (manifest is not None and manifest.get('version') == MANIFEST_VERSION
            and _json_equal(manifest.get('fingerprint'), job.fingerprint)
            and _json_equal(manifest.get('settings'), job.settings)):
        summary = _read_json(job.output / SUMMARY_FILENAME)
        if summary is not None:
            return report_row(job.recording, report_link(job), summary, manifest,
                              STATUS_SKIPPED, from_earlier_run=True)
    if retry_failed:
        return None
    failure = _read_json(job.failure_path)
    if (failure is not None and failure.get('version') == MANIFEST_VERSION
            and _json_equal(failure.get('fingerprint'), job.fingerprint)
            and _json_equal(failure.get('settings'), job.settings)):
        return failed_row(job.recording, failure.get('error', ''), from_earlier_run=True,
                          analysed_at=failure.get('analysed_at'))
    return None


def _worker_name() -> str:
    return f'{socket.gethostname()}:{os.getpid()}'


def _write_json_atomically(path: Path, content: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f'.{path.name}.partial-', dir=path.parent)
    try:
        with os.fdopen(handle, 'w', encoding='utf-8') as stream:
            json.dump(content, stream, indent=2)
            stream.write('\n')
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------------------------------------
# One recording (runs in a Ray worker, or anywhere).

def analyze_recording(job: AnalysisJob) -> dict:
    """Analyse one recording, write its report with its manifest last, and return its row.

    An input that cannot be read (:class:`SourceError`, :class:`FrameError`) gives a ``failed``
    row and a failure record; any other error propagates (the driver records it without
    remembering it, so the next run tries again).
    """
    from emotion_estimator.estimator import EmotionEstimator

    started = time.perf_counter()
    recording = job.recording
    try:
        source = open_source(str(recording.path), fps=job.fps, topic=job.topic,
                             max_seconds=job.max_seconds)
        loading = time.perf_counter()
        estimator = EmotionEstimator(model_spec_path=job.model, face_model_path=job.face_model,
                                     variant=job.variant, max_faces=job.max_faces)
        model_load_s = time.perf_counter() - loading
        manifest: dict = {}

        def finish(folder: Path, records: List[FrameRecord], summary: dict) -> None:
            manifest.update({
                'version': MANIFEST_VERSION,
                'recording': recording.name,
                'path': str(recording.path),
                'kind': recording.kind,
                'fingerprint': job.fingerprint,
                'settings': job.settings,
                'per_minute': per_minute_seconds(main_records(records),
                                                 summary['class_names']),
                'model_load_s': model_load_s,
                'wall_s': time.perf_counter() - started,
                'analysed_at': now_utc(),
                'worker': _worker_name(),
            })
            (folder / MANIFEST_FILENAME).write_text(json.dumps(manifest, indent=2) + '\n',
                                                    encoding='utf-8')

        with estimator:
            summary = analyze_source(str(recording.path), source, estimator, job.output,
                                     BlinkSettings(**job.blink), job.variant, progress=False,
                                     finish=finish)
    except (SourceError, FrameError) as error:
        message = f'{type(error).__name__}: {error}'
        _write_json_atomically(job.failure_path, {
            'version': MANIFEST_VERSION, 'recording': recording.name,
            'path': str(recording.path), 'fingerprint': job.fingerprint,
            'settings': job.settings, 'error': message, 'analysed_at': now_utc()})
        return failed_row(job.recording, message)
    job.failure_path.unlink(missing_ok=True)
    return report_row(recording, report_link(job), summary, manifest, STATUS_OK,
                      from_earlier_run=False)


# ---------------------------------------------------------------------------------------------
# The driver.

def _error(message: str) -> None:
    print(f'emotion-estimator analyze-corpus: error: {message}', file=sys.stderr)


def remove_leftovers(reports: Path) -> int:
    """Delete the temporary files and folders a killed earlier run left; return how many."""
    removed = 0
    if not reports.is_dir():
        return removed
    for path in list(reports.rglob('.*')):
        if '.partial-' in path.name or '.old-' in path.name:
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            removed += 1
    return removed


def _start_ray(args: argparse.Namespace):
    """Connect to the cluster, or start a local instance; return whether this call started it."""
    import ray

    if ray.is_initialized():
        return False
    options = dict(include_dashboard=False, log_to_driver=False, logging_level=logging.WARNING)
    if args.ray_address:
        ray.init(address=args.ray_address, log_to_driver=False, logging_level=logging.WARNING)
    else:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') \
            else os.cpu_count()
        # 'local': a new instance even where 'ray start' runs a cluster on this machine.
        ray.init(address='local', num_cpus=args.num_cpus or cores,
                 object_store_memory=200 * 1024 ** 2, **options)
    return True


def _task_error(error: BaseException) -> str:
    cause = getattr(error, 'cause', None)
    if isinstance(cause, BaseException):
        return f'{type(cause).__name__}: {cause}'
    return f'{type(error).__name__}: {str(error).strip().splitlines()[-1] if str(error) else ""}'


def run_jobs(jobs: Sequence[AnalysisJob], progress: bool, done_before: int = 0
             ) -> Iterator[dict]:
    """Run ``jobs`` as Ray tasks (one per recording) and yield their rows as they finish.

    A task that raises, or whose worker dies, yields a ``failed`` row with the error; the others
    go on. Needs Ray to be initialised.
    """
    import ray
    from ray.exceptions import RayError
    from tqdm import tqdm

    task = ray.remote(num_cpus=1, max_retries=1)(analyze_recording)
    pending = {task.remote(job): job for job in jobs}
    media_s = 0.0
    failed = 0
    bar = tqdm(total=len(jobs) + done_before, initial=done_before, unit='recording',
               desc='analyze-corpus', disable=not progress, file=sys.stderr)
    try:
        while pending:
            ready, _ = ray.wait(list(pending), num_returns=1)
            job = pending.pop(ready[0])
            try:
                row = ray.get(ready[0])
            except RayError as error:
                row = failed_row(job.recording, _task_error(error))
            media_s += row.get('duration_s') or 0.0
            failed += row['status'] == STATUS_FAILED
            bar.set_postfix_str(f'{media_s / 3600:.2f} h of media analysed, {failed} failed',
                                refresh=False)
            bar.update(1)
            yield row
    finally:
        bar.close()
        for reference in pending:
            ray.cancel(reference)
        if pending:
            ray.wait(list(pending), num_returns=len(pending), timeout=10.0)


def run(args: argparse.Namespace) -> int:
    """Analyse every recording under ``args.inputs`` and write the corpus; return the status."""
    try:
        import pyarrow  # noqa: F401
        import ray
    except ImportError as error:
        _error(f'needs Ray and pyarrow ({error.name or error} is missing): {INSTALL_HINT}')
        return EXIT_BAD_INPUT
    if args.ray_address and args.num_cpus:
        _error('--num-cpus sets the size of a local Ray instance; a cluster given with '
               '--ray-address has its own')
        return EXIT_BAD_INPUT
    if args.num_cpus is not None and args.num_cpus < 1:
        _error(f'--num-cpus must be at least 1, got {args.num_cpus}')
        return EXIT_BAD_INPUT
    output = Path(args.output)
    try:
        blink = blink_settings(args)
        spec = ModelSpec.load(args.model)
        face_model = find_face_model(args.face_model)
        settings = analysis_settings(args, spec, face_model)
        if output.exists() and not output.is_dir():
            raise CorpusError(f'output {output} exists and is not a folder')
        recordings = find_recordings(args.inputs, exclude=[output])
        if not recordings:
            raise CorpusError('no video, folder of images or ROS 2 bag found under '
                              + ', '.join(str(p) for p in args.inputs))
        output.mkdir(parents=True, exist_ok=True)
        reports = output / REPORTS_DIRNAME
        remove_leftovers(reports)
        jobs = [AnalysisJob(recording=r, output=reports / (r.name + REPORT_SUFFIX),
                            fingerprint=fingerprint(r), settings=settings, fps=args.fps,
                            topic=args.topic, max_seconds=args.max_seconds, blink=asdict(blink),
                            model=spec.path, face_model=face_model, variant=args.variant,
                            max_faces=args.max_faces)
                for r in recordings]
    except (ValueError, ModelSpecError, ModelFileError, OSError) as error:
        _error(str(error))
        return EXIT_BAD_INPUT

    rows: Dict[str, dict] = {}
    to_run = []
    for job in jobs:
        row = previous_row(job, args.retry_failed)
        if row is None:
            to_run.append(job)
        else:
            rows[job.recording.name] = row
    started_ray = False
    try:
        if to_run:
            started_ray = _start_ray(args)
            for row in run_jobs(to_run, not args.no_progress, done_before=len(rows)):
                rows[row['recording']] = row
    except ConnectionError as error:
        _error(f'cannot reach the Ray cluster at {args.ray_address}: {error}; start one with '
               "'ray start --head' or leave out --ray-address")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        _error(f'interrupted after {len(rows)} of {len(jobs)} recordings; their reports are '
               'complete: run the same command again to go on')
        return EXIT_INTERRUPTED
    finally:
        if started_ray:
            ray.shutdown()

    ordered = [rows[job.recording.name] for job in jobs]
    manifests = {job.recording.name: _read_json(job.output / MANIFEST_FILENAME) or {}
                 for job in jobs}
    try:
        paths = write_corpus(output, ordered, manifests, spec.class_names)
    except OSError as error:
        _error(f'cannot write the corpus table into {output}: {error}')
        return EXIT_BAD_INPUT
    counts = {status: sum(row['status'] == status for row in ordered)
              for status in STATUSES}
    hours = sum(row.get('duration_s') or 0.0 for row in ordered) / 3600.0
    print(f'{len(ordered)} recordings ({hours:.2f} h): {counts[STATUS_OK]} analysed, '
          f'{counts[STATUS_SKIPPED]} skipped (unchanged), {counts[STATUS_FAILED]} failed; '
          f"{paths['csv']}, {paths['parquet']}, {paths['html']}")
    for row in ordered:
        if row['status'] == STATUS_FAILED:
            print(f"failed: {row['recording']}: {row['error']}", file=sys.stderr)
    return EXIT_SOME_FAILED if counts[STATUS_FAILED] else EXIT_OK
