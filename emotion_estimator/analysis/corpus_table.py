# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The corpus table (one row per recording, CSV and Parquet) and the corpus page (HTML).

Rows are plain dicts with the columns of :func:`table_columns`; a recording with a report gets
its row from the report's ``summary.json`` (:func:`report_row`), so a row of a recording skipped
because it was analysed before is the same as when it was analysed.
"""

import base64
from dataclasses import dataclass
from datetime import datetime, timezone
import html
import io
import math
import os
from pathlib import Path
import tempfile
from typing import Dict, Iterable, List, Optional, Sequence, Tuple
from urllib.parse import quote

from emotion_estimator.analysis.corpus_inputs import Recording
from emotion_estimator.analysis.metrics import emotion_labels, NO_FACE
from emotion_estimator.analysis.output import CLASS_COLOURS, LABEL_COLOURS
from emotion_estimator.analysis.timeline import frame_durations, FrameRecord
from emotion_estimator.contract import DECISION_LABELS

TABLE_CSV = 'corpus.csv'
TABLE_PARQUET = 'corpus.parquet'
CORPUS_HTML = 'corpus.html'
#: ``status`` of a row: analysed in this run, unchanged since an earlier run, failed.
STATUS_OK, STATUS_SKIPPED, STATUS_FAILED = 'ok', 'skipped', 'failed'
STATUSES = (STATUS_OK, STATUS_SKIPPED, STATUS_FAILED)
#: Length of the bins of the per-minute shares, s.
MINUTE_S = 60.0


def per_minute_seconds(records: Sequence[FrameRecord], class_names: Sequence[str]) -> dict:
    """Return, per minute since the first frame, the seconds of each label and emotion.

    ``records``: one timeline, one record per frame (the main face's, ``report.main_records``).
    A frame counts in the minute it starts in, for its duration (see ``report.frame_durations``).
    ``label_s`` has the published 3-class labels, ``emotion_s`` the 7-class argmax and no_face.
    """
    times = [r.time_s for r in records]
    durations = frame_durations(times)
    emotions = emotion_labels(records, class_names)
    minutes = int(math.floor((times[-1] - times[0]) / MINUTE_S)) + 1 if records else 0
    label_s = [{name: 0.0 for name in DECISION_LABELS} for _ in range(minutes)]
    emotion_s = [{name: 0.0 for name in (*class_names, NO_FACE)} for _ in range(minutes)]
    for record, emotion, duration in zip(records, emotions, durations):
        minute = int(math.floor((record.time_s - times[0]) / MINUTE_S))
        label_s[minute][record.label] = label_s[minute].get(record.label, 0.0) + float(duration)
        emotion_s[minute][emotion] += float(duration)
    return {'label_s': label_s, 'emotion_s': emotion_s}


def table_columns(class_names: Sequence[str]) -> List[Tuple[str, str]]:
    """Return the corpus table's columns as ``(name, type)``, type one of str/int/float/bool."""
    columns = [('recording', 'str'), ('path', 'str'), ('kind', 'str'), ('status', 'str'),
               ('error', 'str'), ('from_earlier_run', 'bool'), ('report', 'str'),
               ('duration_s', 'float'), ('frames', 'int'), ('frames_with_face', 'int'),
               ('face_ratio', 'float'), ('dominant_emotion', 'str'), ('dominant_label', 'str')]
    columns += [(f'label_share_{name}', 'float') for name in DECISION_LABELS]
    columns += [(f'emotion_share_{name}', 'float') for name in (*class_names, NO_FACE)]
    columns += [('transitions_per_minute', 'float'), ('emotion_transitions_per_minute', 'float'),
                ('blinks_per_minute', 'float'), ('fps', 'float'), ('x_real_time', 'float'),
                ('model_load_s', 'float'), ('wall_s', 'float'), ('analysed_at', 'str'),
                ('worker', 'str'), ('max_faces', 'int'), ('faces', 'int'),
                ('most_faces_in_a_frame', 'int')]
    return columns


def _shares(seconds: Dict[str, float], names: Iterable[str], total: float) -> Dict[str, float]:
    return {name: (seconds.get(name, 0.0) / total if total > 0 else 0.0) for name in names}


def _base_row(recording: Recording, status: str, from_earlier_run: bool) -> dict:
    return {'recording': recording.name, 'path': str(recording.path), 'kind': recording.kind,
            'status': status, 'error': None, 'from_earlier_run': from_earlier_run}


def report_row(recording: Recording, report: str, summary: dict, manifest: dict, status: str,
               from_earlier_run: bool) -> dict:
    """Return the corpus row of a recording from its report's summary and corpus manifest.

    Args:
        recording: the recording.
        report: its ``report.html``, relative to the corpus folder.
        summary: the report's ``summary.json``.
        manifest: the report's corpus manifest (per-minute seconds, timings, worker).
        status: :data:`STATUS_OK` or :data:`STATUS_SKIPPED`.
        from_earlier_run: whether the report was written by an earlier run.

    """
    duration = float(summary['duration_s'])
    three, seven = summary['label_3class'], summary['emotion_7class']
    label_time = three['time_per_label_s']
    speed = summary.get('processing', {})
    row = _base_row(recording, status, from_earlier_run)
    row.update({
        'report': report,
        'duration_s': duration,
        'frames': summary['frames'],
        'frames_with_face': summary['frames_with_face'],
        'face_ratio': summary['face_ratio'],
        'dominant_emotion': summary['dominant_emotion'],
        'dominant_label': (max(DECISION_LABELS, key=lambda k: label_time.get(k, 0.0))
                           if label_time else None),
    })
    row.update({f'label_share_{k}': v for k, v in
                _shares(label_time, DECISION_LABELS, duration).items()})
    row.update({f'emotion_share_{k}': v for k, v in _shares(
        seven['time_per_label_s'], (*summary['class_names'], NO_FACE), duration).items()})
    row.update({
        'transitions_per_minute': three['transitions_per_minute'],
        'emotion_transitions_per_minute': seven['transitions_per_minute'],
        'blinks_per_minute': summary['blinks']['per_minute'],
        'fps': speed.get('fps'),
        'x_real_time': speed.get('x_real_time'),
        'model_load_s': manifest.get('model_load_s'),
        'wall_s': manifest.get('wall_s'),
        'analysed_at': manifest.get('analysed_at'),
        'worker': manifest.get('worker'),
        'max_faces': summary.get('max_faces'),
        'faces': summary.get('face_count'),
        'most_faces_in_a_frame': summary.get('most_faces_in_a_frame'),
    })
    return row


def failed_row(recording: Recording, error: str, from_earlier_run: bool = False,
               analysed_at: Optional[str] = None) -> dict:
    """Return the corpus row of a recording that could not be analysed."""
    row = _base_row(recording, STATUS_FAILED, from_earlier_run)
    row.update({'error': error, 'analysed_at': analysed_at or now_utc()})
    return row


def now_utc() -> str:
    """Return the current UTC time in ISO 8601, to the second."""
    return datetime.now(timezone.utc).isoformat(timespec='seconds')


def _arrow_table(rows: Sequence[dict], class_names: Sequence[str]):
    import pyarrow

    types = {'str': pyarrow.string(), 'int': pyarrow.int64(), 'float': pyarrow.float64(),
             'bool': pyarrow.bool_()}
    columns = table_columns(class_names)
    schema = pyarrow.schema([(name, types[kind]) for name, kind in columns])
    return pyarrow.Table.from_pylist([{name: row.get(name) for name, _ in columns}
                                      for row in rows], schema=schema)


@dataclass
class _AtomicFile:
    """A temporary file beside ``path`` that replaces it on :meth:`commit`."""

    path: Path

    def __post_init__(self) -> None:
        handle, name = tempfile.mkstemp(prefix=f'.{self.path.name}.partial-',
                                        dir=self.path.parent)
        os.close(handle)
        self.temporary = Path(name)

    def commit(self) -> None:
        os.replace(self.temporary, self.path)

    def discard(self) -> None:
        self.temporary.unlink(missing_ok=True)


def write_corpus(output: Path, rows: Sequence[dict], manifests: Dict[str, dict],
                 class_names: Sequence[str]) -> Dict[str, Path]:
    """Write ``corpus.csv``, ``corpus.parquet`` and ``corpus.html`` into ``output``.

    Each file is written under a temporary name and renamed into place, the page last, so none is
    ever seen half written.
    """
    from pyarrow import csv as arrow_csv
    from pyarrow import parquet

    output = Path(output)
    table = _arrow_table(rows, class_names)
    paths = {'csv': output / TABLE_CSV, 'parquet': output / TABLE_PARQUET,
             'html': output / CORPUS_HTML}
    files = {key: _AtomicFile(path) for key, path in paths.items()}
    try:
        arrow_csv.write_csv(table, files['csv'].temporary)
        parquet.write_table(table, files['parquet'].temporary)
        files['html'].temporary.write_text(render_corpus_html(rows, manifests, class_names),
                                           encoding='utf-8')
        for key in ('csv', 'parquet', 'html'):
            files[key].commit()
    finally:
        for file in files.values():
            file.discard()
    return paths


def _png(figure) -> str:
    from matplotlib import pyplot

    buffer = io.BytesIO()
    figure.savefig(buffer, format='png', dpi=80, bbox_inches='tight')
    pyplot.close(figure)
    return base64.b64encode(buffer.getvalue()).decode('ascii')


def corpus_charts(rows: Sequence[dict], manifests: Dict[str, dict],
                  class_names: Sequence[str]) -> Dict[str, str]:
    """Draw the corpus charts; return them as base64 PNG by title.

    * the share of each published label per recording (one stacked bar each);
    * the share of each label and of each 7-class emotion per minute since the start of the
      recordings, over every recording that lasts into that minute.
    """
    import matplotlib
    matplotlib.use('Agg')
    from matplotlib import pyplot
    from matplotlib.ticker import MaxNLocator

    done = [row for row in rows if row['status'] != STATUS_FAILED]
    charts: Dict[str, str] = {}
    if not done:
        return charts
    height = min(1.0 + 0.28 * len(done), 60.0)
    figure, axes = pyplot.subplots(figsize=(9, height))
    names = [row['recording'] for row in done]
    left = [0.0] * len(done)
    for label in DECISION_LABELS:
        values = [row[f'label_share_{label}'] or 0.0 for row in done]
        axes.barh(names, values, left=left, color=LABEL_COLOURS.get(label, '#888888'),
                  label=label)
        left = [a + b for a, b in zip(left, values)]
    axes.set_xlim(0, 1)
    axes.invert_yaxis()
    axes.set_xlabel('share of the recording')
    axes.set_title('Published label per recording')
    axes.legend(loc='upper left', bbox_to_anchor=(1.01, 1.0), fontsize='small')
    charts['Published label per recording'] = _png(figure)

    label_minutes: List[Dict[str, float]] = []
    emotion_minutes: List[Dict[str, float]] = []
    for row in done:
        per_minute = manifests.get(row['recording'], {}).get('per_minute', {})
        for target, series in ((label_minutes, per_minute.get('label_s', [])),
                               (emotion_minutes, per_minute.get('emotion_s', []))):
            for minute, seconds in enumerate(series):
                if minute == len(target):
                    target.append({})
                for name, value in seconds.items():
                    target[minute][name] = target[minute].get(name, 0.0) + value
    if not label_minutes:
        return charts
    figure, (top, bottom) = pyplot.subplots(2, 1, figsize=(9, 6), sharex=True)
    minutes = list(range(len(label_minutes)))
    for axes, series, order, colours, title in (
            (top, label_minutes, DECISION_LABELS, LABEL_COLOURS, 'published label'),
            (bottom, emotion_minutes, (*class_names, NO_FACE), CLASS_COLOURS, '7-class argmax')):
        totals = [sum(minute.values()) or 1.0 for minute in series]
        base = [0.0] * len(series)
        for name in order:
            values = [minute.get(name, 0.0) / total for minute, total in zip(series, totals)]
            axes.bar(minutes, values, bottom=base, width=0.9, label=name,
                     color=colours.get(name, '#dddddd'))
            base = [a + b for a, b in zip(base, values)]
        axes.set_ylim(0, 1)
        axes.set_ylabel('share of time')
        axes.set_title(f'Share per minute since the start of each recording: {title}')
        axes.legend(loc='upper left', bbox_to_anchor=(1.01, 1.0), fontsize='small')
    bottom.set_xlabel('minute of the recording (all recordings that last into it)')
    bottom.xaxis.set_major_locator(MaxNLocator(integer=True))
    charts['Share per minute'] = _png(figure)
    return charts


def _cell(value: object) -> str:
    if value is None:
        return '-'
    if isinstance(value, float):
        return f'{value:.3g}'
    return html.escape(str(value))


def render_corpus_html(rows: Sequence[dict], manifests: Dict[str, dict],
                       class_names: Sequence[str]) -> str:
    """Return the corpus page: counts, charts (embedded) and a table linking every report."""
    counts = {status: sum(row['status'] == status for row in rows)
              for status in STATUSES}
    hours = sum(row.get('duration_s') or 0.0 for row in rows) / 3600.0
    shown = ['status', 'duration_s', 'frames', 'faces', 'face_ratio', 'dominant_emotion',
             'dominant_label', *[f'label_share_{k}' for k in DECISION_LABELS],
             'transitions_per_minute', 'blinks_per_minute', 'x_real_time', 'error']
    header = ('<tr><th>recording</th>' + ''.join(f'<th>{html.escape(c)}</th>' for c in shown)
              + '</tr>')
    body = []
    for row in rows:
        name = html.escape(row['recording'])
        link = (f'<a href="{html.escape(quote(row["report"]))}">{name}</a>' if row.get('report')
                else name)
        style = ' class="failed"' if row['status'] == STATUS_FAILED else ''
        body.append(f'<tr{style}><td>{link}</td>'
                    + ''.join(f'<td>{_cell(row.get(c))}</td>' for c in shown) + '</tr>')
    figures = ''.join(f'<h2>{html.escape(title)}</h2><img alt="{html.escape(title)}" '
                      f'src="data:image/png;base64,{data}">'
                      for title, data in corpus_charts(rows, manifests, class_names).items())
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Emotion corpus report</title>
<style>body{{font-family:sans-serif;margin:1em 2em}}
table{{border-collapse:collapse;margin:1em 0;font-size:small}}
td,th{{border:1px solid #ccc;padding:2px 6px}}tr.failed td{{background:#fdd}}
img{{max-width:100%}}</style></head><body>
<h1>Emotion corpus report</h1>
<p>{len(rows)} recordings, {hours:.2f} h: {counts[STATUS_OK]} analysed in this run,
{counts[STATUS_SKIPPED]} unchanged since an earlier run, {counts[STATUS_FAILED]} failed.
Written {html.escape(now_utc())}. The full table: <a href="{TABLE_CSV}">{TABLE_CSV}</a>,
<a href="{TABLE_PARQUET}">{TABLE_PARQUET}</a>.</p>
{figures}
<h2>Recordings</h2>
<table>{header}{''.join(body)}</table>
<p>Metric definitions: see the analysis section of the emotion_estimator README.</p>
</body></html>
"""
