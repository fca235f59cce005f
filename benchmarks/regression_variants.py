# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Other regressions for the linear blend, scored on the robot's view of the validation faces.

The build's robot's-view step (``robot_tuning.tune_on_robot_view``) shows the validation faces
to ``EmotionEstimator`` once and replays the label filter on the records. A record holds the
window mean the blend's regression reads, so the LSTM's part can be recovered exactly and
blended with another regression (``robot_tuning.reblended``): this script fits the shipped
model's regression again and each variant (``HParams`` changes such as
``linear_speech_fraction``, ``linear_c`` or ``linear_crosses``, ``train.fit_regression``),
re-blends the records with each, tunes the decision as the build does and writes each
variant's objective and per-set scores. The LSTM stays the shipped one, so only the regression
is compared; the test split is never used.

    .venv-train/bin/python benchmarks/regression_variants.py --out
        training/results/alternatives/regression_variants.json --variant
        linear_speech_fraction=0.5 --variant linear_speech_fraction=1.0 --variant linear_c=0.01

Needs the blendshape cache of a build (``--cache``) and the shared data; recording the faces
takes about 20 minutes on two cores (kept in ``--records`` for later runs with the
same model file).
"""

import argparse
import json
from pathlib import Path
import sys
import time

from emotion_estimator.contract import ModelSpec, shared_dir
from emotion_estimator.provenance import command_line, machine, today

from emotion_estimator_training.features import crosses_for
from emotion_estimator_training.hyperparameters import HParams
from emotion_estimator_training.pipeline import load_dataset, prepare, SET_WEIGHTS
from emotion_estimator_training.robot_tuning import LinearBlend, reblended, recorded_once, \
    tune, validation_jobs
from emotion_estimator_training.train import fit_regression, training_faces
from emotion_estimator_training.windows import filled_views

REPO = Path(__file__).resolve().parents[1]


def _change(text: str):
    name, value = text.split('=', 1)
    try:
        return name, float(value)
    except ValueError:
        return name, value  # a choice such as linear_crosses=none


def main(argv=None) -> None:
    """Record (or load) the validation faces, then tune the decision with each regression."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--model', default=str(REPO / 'models' / 'emotion_model.json'))
    parser.add_argument('--cache', default=str(Path.home() / '.cache' / 'emotion_estimator'
                                               / 'training'))
    parser.add_argument('--records', default='/tmp/regression_variants_records.pkl')
    parser.add_argument('--variant', action='append', type=_change, default=[],
                        help='NAME=VALUE, an HParams change of the regression (repeatable)')
    parser.add_argument('--workers', type=int, default=2)
    parser.add_argument('--out', required=True)
    args = parser.parse_args(argv)
    started = time.time()
    data = shared_dir() / 'datasets'
    face_model = shared_dir() / 'models' / 'face_landmarker.task'
    spec = ModelSpec.load(Path(args.model))
    hp = HParams.from_dict(spec.extra['hyperparameters'])
    sets = validation_jobs(data / 'fer2013', data / 'crossval',
                           talking_root=data / 'talking')
    labels = {name: set_labels for name, (_, set_labels) in sets.items()}
    recorded = recorded_once(sets, args.model, str(face_model), args.workers,
                             Path(args.records))
    prepared = prepare(load_dataset(data=str(data / 'fer2013')), face_model, Path(args.cache),
                       workers=args.workers, progress=False, speech_dir=data / 'speech')
    faces = training_faces(hp, prepared.split('train'))
    views = filled_views(faces, spec.feature_indices)

    def regression_of(variant: HParams) -> LinearBlend:
        return LinearBlend(*fit_regression(variant, views, faces.labels, spec.feature_indices,
                                           prepared.speech), variant.linear_blend,
                           crosses_for(variant.linear_crosses, spec.feature_indices))

    shipped = regression_of(hp)
    results = {}
    for changes in [{}] + [dict([change]) for change in args.variant]:
        regression = regression_of(hp.with_changes(**changes)) if changes else shipped
        replayed = {name: ([], [reblended(record, shipped, hp.linear_blend, regression)
                                for record in traces])
                    for name, (_, traces) in recorded.items()}
        settings, detail = tune(replayed, labels, spec.decision, SET_WEIGHTS, args.workers)
        name = ','.join(f'{k}={v}' for k, v in changes.items()) or 'shipped'
        results[name] = {'objective': detail['objective'], 'decision': dict(settings.__dict__),
                         'per_set': detail['per_set'],
                         'flicker_per_min': detail['flicker_per_min'],
                         'talking': detail['talking']}
        print(name, results[name]['objective'], flush=True)
    record = {'command': command_line(['benchmarks/regression_variants.py']
                                      + list(sys.argv[1:] if argv is None else argv)),
              'date': today(), 'machine': machine(), 'model': args.model,
              'blend_weight': hp.linear_blend, 'weights': SET_WEIGHTS,
              'wall_time_s': round(time.time() - started, 1), 'variants': results}
    Path(args.out).write_text(json.dumps(record, indent=2) + '\n')


if __name__ == '__main__':
    main()
