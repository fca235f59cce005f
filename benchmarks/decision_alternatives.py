# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""What the decision can do about happy read on faces that do not smile, and sad on smiles.

Two confusions of the shipped model, measured on the robot's view of the validation faces
(``robot_tuning``: the faces shown once to ``EmotionEstimator``, the runtime's ``LabelFilter``
replayed on the records for each setting; the test split is never used):

1. a disgusted talking clip that reads ``happy`` (issue 16's acted videos ask happy precision
   >= 0.75): every happy gain and dwell of a grid, with what each costs where happy faces
   are many;
2. happy faces read ``sad`` (the sad gain lifts sad past happy as well as past the other five):
   a rule that lets ``sad`` win only where the sad probability is at least ``ratio`` times the
   happy one, at the shipped sad gain and a higher one. The rule is not in the runtime; this
   script swaps ``decision.three_class_scores`` for it while replaying.

    .venv-train/bin/python benchmarks/decision_alternatives.py --records /tmp/records.pkl
        --output benchmarks/results/decision_alternatives.md

Recording the faces takes about 20 minutes on two cores (kept in ``--records`` for later runs
with the same model file).
"""

import argparse
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
import sys
import time
from typing import List

import numpy as np

from emotion_estimator import decision, provenance
from emotion_estimator.contract import CLASS_NAMES, DECISION_LABELS, ModelSpec, shared_dir

from emotion_estimator_training.evaluate import decision_objective
from emotion_estimator_training.pipeline import SET_WEIGHTS
from emotion_estimator_training.robot_tuning import recorded_once, replay_frames, replayed, \
    talking_replayed, validation_jobs
from emotion_estimator_training.talking import clip_label, late_shares, talking_report

REPO = Path(__file__).resolve().parents[1]
STILLS = ('fer_val', 'muxspace', 'yale', 'yale_met')
HAPPY_GAINS = (0.5, 0.7, 0.9, 1.0, 1.2)
DWELLS = (0.35, 0.5, 0.75, 1.0)
RATIOS = (None, 1.0, 0.6)
SAD_INDEX = DECISION_LABELS.index('sad')


@contextmanager
def sad_needs_happy_ratio(ratio):
    """Replay with ``sad`` allowed only where p_sad >= ratio * p_happy (None: the runtime's)."""
    original = decision.three_class_scores

    def scores(probabilities, settings, class_names=CLASS_NAMES):
        # The runtime's scores, with sad's taken away where the rule forbids it.
        p = np.asarray(probabilities, dtype=np.float64)
        out = original(p, settings, class_names)
        allowed = p[..., class_names.index('sad')] >= ratio * p[..., class_names.index('happy')]
        out[..., SAD_INDEX] = np.where(allowed, out[..., SAD_INDEX], 0.0)
        return out / np.clip(out.sum(axis=-1, keepdims=True), 1e-12, None)

    if ratio is not None:
        decision.three_class_scores = scores
    try:
        yield
    finally:
        decision.three_class_scores = original


def _shown(path: Path) -> str:
    """Return ``path`` relative to the repository where it lies inside it."""
    path = path.resolve()
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)


def _f(value) -> str:
    return '-' if value is None else f'{value:.3f}'


def happy_grid(records, labels, names, shipped) -> List[str]:
    """Rows of the happy gain x dwell grid."""
    talking = list(zip(names, labels['talking'], records['talking']))
    rows = []
    for gain in sorted(set(HAPPY_GAINS) | {shipped.happy_gain}):
        for dwell in sorted(set(DWELLS) | {shipped.min_dwell_s}):
            settings = replace(shipped, happy_gain=gain, min_dwell_s=dwell)
            frames = {name: replay_frames(record, settings) for name, _, record in talking}
            happy = [f'{name} {late_shares(frames[name])["happy"]:.2f}'
                     for name, label, _ in talking if CLASS_NAMES[label] == 'happy']
            wrong = [f'{name} {late_shares(frames[name])["happy"]:.2f}'
                     for name, label, _ in talking if CLASS_NAMES[label] != 'happy'
                     and clip_label(frames[name]) == 'happy']
            _, detail = decision_objective(
                {n: (labels[n], replayed(records[n], settings)) for n in STILLS[:3]},
                SET_WEIGHTS, talking_report([(label, frames[name])
                                             for name, label, _ in talking]))
            mark = ' (shipped)' if settings == shipped else ''
            rows.append(f'| {gain}{mark} | {dwell} | {", ".join(happy)} | '
                        f'{", ".join(wrong) or "none"} | '
                        f'{_f(detail["talking"]["happy_precision"])} | '
                        + ' | '.join(f'{_f(detail[n]["macro_f1"])} / '
                                     f'{_f(detail[n]["happy_precision"])}'
                                     for n in STILLS[:3]) + ' |')
    return rows


def gate_rows(records, labels, shipped) -> List[str]:
    """Rows of the sad-versus-happy rule at two sad gains."""
    rows = []
    for gain in (shipped.sad_gain, round(shipped.sad_gain + 0.4, 2)):
        for ratio in RATIOS:
            settings = replace(shipped, sad_gain=gain)
            with sad_needs_happy_ratio(ratio):
                predictions = {n: (labels[n], replayed(records[n], settings)) for n in STILLS}
                talking = talking_replayed(records['talking'], labels['talking'], settings)
            score, detail = decision_objective(predictions, SET_WEIGHTS, talking)
            cells = [f'{_f(detail[n]["macro_f1"])} / {_f(detail[n]["sad_recall"])} / '
                     f'{_f(detail[n]["sad_precision"])} / {_f(detail[n]["negatives_read_sad"])}'
                     for n in STILLS]
            t = detail['talking']
            rows.append(f'| {gain} | {"runtime" if ratio is None else ratio} | {score:.3f} | '
                        + ' | '.join(cells) + f' | {_f(t["macro_f1"])} / {_f(t["sad_recall"])}'
                        f' / {_f(t["neutral_talkers_sad_share"])} |')
    return rows


def main(argv=None) -> None:
    """Record (or load) the validation faces; write both tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--model', default=str(REPO / 'models' / 'emotion_model.json'))
    parser.add_argument('--records', default='/tmp/decision_alternatives_records.pkl')
    parser.add_argument('--workers', type=int, default=2)
    parser.add_argument('--output', required=True)
    args = parser.parse_args(argv)
    data = shared_dir() / 'datasets'
    sets = validation_jobs(data / 'fer2013', data / 'crossval', talking_root=data / 'talking')
    recorded = recorded_once(sets, args.model, str(shared_dir() / 'models'
                                                   / 'face_landmarker.task'),
                             args.workers, Path(args.records))
    records = {name: recorded[name][1] for name in recorded}
    labels = {name: set_labels for name, (_, set_labels) in sets.items()}
    names = [Path(job[0].path).stem for job in sets['talking'][0]]
    shipped = ModelSpec.load(Path(args.model)).decision
    lines = [
        "# What the decision can do about two confusions (robot's view, validation faces)", '',
        '- Command: `' + provenance.command_line(
            ['python', 'benchmarks/decision_alternatives.py']
            + list(sys.argv[1:] if argv is None else argv)) + '`',
        f'- Date: {provenance.today()}; machine: {provenance.describe()}; the faces recorded '
        f'{time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(Path(args.records).stat().st_mtime))}'
        ' (`--records`, kept with the checksum of the model file)',
        f'- Model: `{_shown(Path(args.model))}`, its decision {dict(shipped.__dict__)}; '
        'the faces shown once '
        "to `EmotionEstimator` (`robot_tuning.record_sets`), the runtime's `LabelFilter` "
        'replayed for each row. Validation sets only: they chose the shipped decision.', '',
        '## 1. Happy gain and dwell: the talking clips read `happy`', '',
        'Happy clips: the share of their frames published `happy` after the first third (a '
        'clip reads `happy` at 0.20). Other clips read `happy`: which, with that share. '
        'Stills: macro-F1 / happy precision.', '',
        '| happy_gain | min_dwell_s | happy clips | other clips read happy | per-clip happy '
        'precision | fer_val | muxspace | yale |', '|---|---|---|---|---|---|---|---|']
    lines += happy_grid(records, labels, names, shipped)
    lines += ['', '## 2. `sad` only where at least `ratio` times as likely as `happy`', '',
              'Cells: macro-F1 / sad recall / sad precision / angry, disgusted and neutral faces '
              "read sad; talking: per-clip macro-F1 / sad clips found / neutral talkers' "
              'frames sad. Objective: `evaluate.decision_objective` (what the build maximises).',
              '', '| sad_gain | ratio | objective | fer_val | muxspace | yale | yale_met | '
              'talking |', '|---|---|---|---|---|---|---|---|']
    lines += gate_rows(records, labels, shipped)
    Path(args.output).write_text('\n'.join(lines) + '\n')
    print('\n'.join(lines))


if __name__ == '__main__':
    main()
