# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Write an analysis report folder: per-frame tables, summary.json, PNG charts and one HTML page.

The folder is built under a temporary name beside the destination and renamed into place only
when every file is written, so an interrupted or failed run never leaves a report that looks
complete. ``summary.json`` is the marker of a complete report.
"""

import base64
import contextlib
import csv
import html
import io
import json
import os
from pathlib import Path
import shutil
import tempfile
from typing import Dict, Iterable, Iterator, List, Optional, Sequence

from emotion_estimator.analysis.blink import BlinkSettings, eyes_closed_per_record
from emotion_estimator.analysis.metrics import emotion_labels, SEGMENT_NAMES
from emotion_estimator.analysis.timeline import FrameRecord, main_records
from emotion_estimator.contract import BLENDSHAPE_NAMES

SUMMARY_FILENAME = 'summary.json'
CSV_FILENAME = 'frames.csv'
JSONL_FILENAME = 'frames.jsonl'
HTML_FILENAME = 'report.html'
CHART_FILENAMES = {'pie': 'scores_pie.png', 'bar': 'scores_bar.png',
                   'timeline': 'timeline.png'}
#: Colours of the labels in the timeline, and of the classes in every chart.
LABEL_COLOURS = {'happy': '#f2b01e', 'sad': '#3b6fb6', 'unknown': '#bbbbbb'}
CLASS_COLOURS = {'angry': '#d62728', 'disgust': '#6b8e23', 'fear': '#9467bd',
                 'happy': '#f2b01e', 'sad': '#3b6fb6', 'surprise': '#ff7f0e',
                 'neutral': '#7f7f7f'}


class OutputError(OSError):
    """The output folder cannot be written or would overwrite something that is not a report."""


def check_output_dir(path: Path) -> None:
    """Refuse a destination that exists and is neither empty nor a previous report.

    Raises:
        OutputError: ``path`` is a file, or a folder with other content than a report.

    """
    path = Path(path)
    if not path.exists():
        return
    if not path.is_dir():
        raise OutputError(f'output {path} exists and is not a folder')
    if any(path.iterdir()) and not (path / SUMMARY_FILENAME).is_file():
        raise OutputError(f'output folder {path} is not empty and holds no {SUMMARY_FILENAME}; '
                          'choose another folder with -o')


@contextlib.contextmanager
def atomic_output_dir(destination: Path) -> Iterator[Path]:
    """Yield a temporary folder that replaces ``destination`` only if the block succeeds."""
    destination = Path(destination)
    check_output_dir(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(prefix=f'.{destination.name}.partial-',
                                      dir=destination.parent))
    try:
        yield temporary
        if destination.exists():
            old = Path(tempfile.mkdtemp(prefix=f'.{destination.name}.old-',
                                        dir=destination.parent))
            os.replace(destination, old / 'report')
            os.replace(temporary, destination)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(temporary, destination)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise


def table_rows(records: Sequence[FrameRecord], class_names: Sequence[str],
               feature_names: Sequence[str], eyes_closed: Sequence[Optional[bool]]
               ) -> Iterator[Dict[str, object]]:
    """Yield one flat row per record: per face per frame, and per frame without a face.

    Columns: ``time_s`` (source time), ``elapsed_s`` (since the first frame), ``face_found``,
    ``face_id`` ('' without a face), ``main`` (the frame's main face, or the frame's only row
    when it has no face: ``main`` rows are the main-face timeline, one per frame), ``box_x``,
    ``box_y``, ``box_width``, ``box_height`` (frame pixels), ``score_<class>`` for the seven
    classes, ``label`` (published 3-class), ``instant_label``,
    ``emotion`` (7-class argmax or no_face), the model's blendshapes by name (None without a
    face) and ``eyes_closed`` (blink detector state; None without a face).
    """
    emotions = emotion_labels(records, class_names)
    indices = [BLENDSHAPE_NAMES.index(name) for name in feature_names]
    start = records[0].time_s if records else 0.0
    for record, emotion, closed in zip(records, emotions, eyes_closed):
        row: Dict[str, object] = {
            'time_s': round(record.time_s, 6),
            'elapsed_s': round(record.time_s - start, 6),
            'face_found': record.face_found,
            'face_id': record.face_id,
            'main': record.main,
        }
        box = record.box if record.box is not None else (None,) * 4
        for name, value in zip(('box_x', 'box_y', 'box_width', 'box_height'), box):
            row[name] = value
        for name in class_names:
            row[f'score_{name}'] = round(float(record.scores[name]), 6)
        row['label'] = record.label
        row['instant_label'] = record.instant_label
        row['emotion'] = emotion
        for name, index in zip(feature_names, indices):
            row[name] = (None if record.blendshapes is None
                         else round(float(record.blendshapes[index]), 6))
        row['eyes_closed'] = closed
        yield row


def write_tables(folder: Path, rows: Iterable[Dict[str, object]]) -> int:
    """Write ``frames.csv`` (empty cells for None) and ``frames.jsonl`` (null) in one pass.

    Returns:
        The number of rows written.

    """
    count = 0
    with open(folder / JSONL_FILENAME, 'w', encoding='utf-8') as jsonl, \
            open(folder / CSV_FILENAME, 'w', newline='', encoding='utf-8') as table:
        writer = None
        for row in rows:
            if writer is None:
                writer = csv.DictWriter(table, fieldnames=list(row))
                writer.writeheader()
            jsonl.write(json.dumps(row) + '\n')
            writer.writerow({k: ('' if v is None else v) for k, v in row.items()})
            count += 1
    return count


def write_charts(folder: Path, records: Sequence[FrameRecord], summary: dict) -> Dict[str, Path]:
    """Draw the score pie, the score bar chart and the timeline of the main face as PNG files.

    ``records``: the main-face timeline (one per frame, see ``report.main_records``).
    """
    import matplotlib
    matplotlib.use('Agg')
    from matplotlib import pyplot

    class_names = summary['class_names']
    averages = summary['average_scores']
    values = [averages[name] or 0.0 for name in class_names]
    paths = {key: folder / name for key, name in CHART_FILENAMES.items()}

    figure, axes = pyplot.subplots(figsize=(5, 5))
    if sum(values) > 0:
        shown = [(n, v) for n, v in zip(class_names, values) if v > 0]
        axes.pie([v for _, v in shown], labels=[n for n, _ in shown], autopct='%1.0f%%',
                 startangle=90, counterclock=False,
                 colors=[CLASS_COLOURS.get(n, '#cccccc') for n, _ in shown])
    else:
        axes.text(0.5, 0.5, 'no face found', ha='center', va='center')
        axes.axis('off')
    axes.set_title('Average score per emotion')
    figure.savefig(paths['pie'], dpi=80, bbox_inches='tight')
    pyplot.close(figure)

    figure, axes = pyplot.subplots(figsize=(6, 3.5))
    axes.bar(class_names, values, color=[CLASS_COLOURS.get(n, '#4c72b0') for n in class_names])
    axes.set_ylim(0, 1)
    axes.set_ylabel('mean score (frames with a face)')
    axes.set_title('Average score per emotion')
    figure.savefig(paths['bar'], dpi=80, bbox_inches='tight')
    pyplot.close(figure)

    start = records[0].time_s
    times = [r.time_s - start for r in records]
    figure, (top, bottom) = pyplot.subplots(
        2, 1, figsize=(9, 4.5), sharex=True, gridspec_kw={'height_ratios': [4, 1]})
    for name in class_names:
        top.plot(times, [r.scores[name] if r.face_found else float('nan') for r in records],
                 label=name, linewidth=1.2, color=CLASS_COLOURS.get(name))
    top.set_ylim(0, 1)
    top.set_ylabel('score')
    top.legend(loc='upper left', bbox_to_anchor=(1.01, 1.0), fontsize='small')
    top.set_title('Scores and published label over time')
    duration = summary['duration_s']
    edges = [duration * i / len(SEGMENT_NAMES) for i in range(1, len(SEGMENT_NAMES))]
    for edge in edges:
        top.axvline(edge, color='#888888', linewidth=0.6, linestyle=':')
    for blink in summary['blinks']['events']:
        top.axvline(blink['start_s'] - start, color='black', linewidth=0.6, alpha=0.5)
    ends = times[1:] + [duration]
    for begin, end, record in zip(times, ends, records):
        bottom.axvspan(begin, end, color=LABEL_COLOURS.get(record.label, '#bbbbbb'), linewidth=0)
    bottom.set_yticks([])
    bottom.set_xlabel('time since the first frame (s)')
    bottom.set_ylabel('label')
    handles = [matplotlib.patches.Patch(color=c, label=n) for n, c in LABEL_COLOURS.items()]
    bottom.legend(handles=handles, loc='upper left', bbox_to_anchor=(1.01, 1.2),
                  fontsize='small')
    figure.savefig(paths['timeline'], dpi=80, bbox_inches='tight')
    pyplot.close(figure)
    return paths


def _table(rows: Sequence[Sequence[object]]) -> str:
    body = ''.join('<tr>' + ''.join(f'<td>{html.escape(_text(c))}</td>' for c in row) + '</tr>'
                   for row in rows)
    return f'<table>{body}</table>'


def _text(value: object) -> str:
    if value is None:
        return '-'
    if isinstance(value, float):
        return f'{value:.3g}'
    return str(value)


def face_rows(summary: dict) -> List[Sequence[object]]:
    """Return the per-face table of the report page: a header, then one row per face id."""
    header = ('face', 'first seen (s)', 'last seen (s)', 'frames seen', 'seconds seen',
              'share of frames', 'frames as main', 'dominant emotion (7-class)',
              'happy share', 'sad share', 'unknown share', 'label transitions', 'blinks')
    rows: List[Sequence[object]] = [header]
    for face in summary.get('faces', []):
        time = face['label_3class']['time_per_label_s']
        duration = face['duration_s']
        shares = [time.get(label, 0.0) / duration if duration > 0 else None
                  for label in ('happy', 'sad', 'unknown')]
        rows.append((face['face_id'], face['first_seen_s'] - summary['start_time_s'],
                     face['last_seen_s'] - summary['start_time_s'], face['frames_with_face'],
                     face['seconds_with_face'], face['face_ratio'], face['frames_as_main'],
                     face['dominant_emotion'], *shares, face['label_3class']['transitions'],
                     face['blinks']['count']))
    return rows


def render_html(summary: dict, charts: Dict[str, Path], title: str) -> str:
    """Return a self-contained HTML page (charts embedded as base64 PNG) of a summary."""
    images = {key: base64.b64encode(Path(path).read_bytes()).decode('ascii')
              for key, path in charts.items()}
    seven, three = summary['emotion_7class'], summary['label_3class']
    speed = summary.get('processing', {})
    overview = [
        ('input', summary.get('input')),
        ('duration (s)', summary['duration_s']),
        ('frames / with a face', f"{summary['frames']} / {summary['frames_with_face']}"),
        ('faces (ids / most in a frame / --max-faces)',
         f"{summary.get('face_count', '-')} / {summary.get('most_faces_in_a_frame', '-')} / "
         f"{summary.get('max_faces', '-')}"),
        ('dominant emotion (7-class, main face)', summary['dominant_emotion']),
        ('blinks (per minute)',
         f"{summary['blinks']['count']} ({summary['blinks']['per_minute']:.1f})"),
        ('processing', f"{_text(speed.get('fps'))} fps, {_text(speed.get('x_real_time'))} x "
                       'real time'),
    ]
    segments = [('segment', '7-class dominant emotion', '3-class dominant label')] + [
        (name, summary['dominant_emotion_per_segment'][name],
         summary['dominant_label_per_segment'][name]) for name in SEGMENT_NAMES]
    keys = ['longest_observed_emotion', 'shortest_observed_emotion', 'hard_transitions',
            'soft_transitions', 'transitions_per_minute', 'hard_transitions_per_minute',
            'soft_transitions_per_minute', 'label_changes', 'number_of_observed_emotions']
    sequences = [('metric', '7-class argmax', '3-class published label')] + [
        (key.replace('_', ' '), seven[key], three[key]) for key in keys]
    averages = [(name, summary['average_scores'][name]) for name in summary['class_names']]
    faces = face_rows(summary)
    figures = ''.join(f'<img alt="{key}" src="data:image/png;base64,{data}">'
                      for key, data in images.items())
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:sans-serif;max-width:1000px;margin:auto}}
table{{border-collapse:collapse;margin:1em 0}}td{{border:1px solid #ccc;padding:2px 8px}}
img{{max-width:100%;margin:4px}}</style></head><body>
<h1>{html.escape(title)}</h1>
{_table(overview)}
<h2>Faces</h2><p>The rest of the page is about the main face of each frame; each face id:</p>
{_table(faces)}
<h2>Average score per emotion</h2>{_table(averages)}
<h2>Dominant emotion per segment</h2>{_table(segments)}
<h2>Runs and transitions</h2>{_table(sequences)}
<h2>Charts</h2>{figures}
<p>Metric definitions: see the analysis section of the emotion_estimator README.</p>
</body></html>
"""


def write_report(folder: Path, records: Sequence[FrameRecord], summary: dict,
                 feature_names: Sequence[str]) -> None:
    """Write every file of a report into ``folder``; ``summary.json`` last.

    ``records``: one per face per frame (see ``report.FrameRecord``); the tables get a row each,
    the charts show the main face.
    """
    folder = Path(folder)
    states = eyes_closed_per_record(records, BlinkSettings(**summary['blinks']['settings']))
    write_tables(folder, table_rows(records, summary['class_names'], feature_names, states))
    charts = write_charts(folder, main_records(records), summary)
    title = f"Emotion report: {Path(str(summary.get('input', ''))).name}"
    (folder / HTML_FILENAME).write_text(render_html(summary, charts, title), encoding='utf-8')
    buffer = io.StringIO()
    json.dump(summary, buffer, indent=2)
    (folder / SUMMARY_FILENAME).write_text(buffer.getvalue() + '\n', encoding='utf-8')
