# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""``emotion-estimator-train``: every pipeline step from the command line.

``build`` rebuilds the shipped model from FER2013 in one command; ``ablate`` reruns the
comparisons of the model card; the other sub-commands run one step each.
"""

import argparse
import json
import os
from pathlib import Path
import sys
import time
from typing import List, Optional

import numpy as np

from emotion_estimator.contract import CLASS_NAMES, ModelSpec, shared_dir
from emotion_estimator.model_files import find_face_model, user_cache_dir

from emotion_estimator_training.card import update_card
from emotion_estimator_training.hyperparameters import BALANCING, FEATURE_SETS, HParams, \
    LINEAR_CROSSES, LINEAR_FEATURES, SMOKE, SPEECH_SOURCES, TALKER_LOSSES
from emotion_estimator_training.media import SUBJECT_PATTERN

# The steps are imported inside the commands that run them: the pipeline, export and frontier
# import TensorFlow, the others MediaPipe and scikit-learn, none of which ``--help``, ``card``
# or a command that runs another step needs to load.

REPO = Path(__file__).resolve().parents[2]


def _common(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group()
    source.add_argument('--data', help='FER2013 folder <split>/<class>/*.jpg '
                        '(default: $EMOTION_ESTIMATOR_SHARED/datasets/fer2013)')
    source.add_argument('--csv', help='the original fer2013.csv instead of a folder')
    parser.add_argument('--face-model', help='face_landmarker.task (default: the usual lookup, '
                        'then the shared folder)')
    parser.add_argument('--cache', default=str(user_cache_dir() / 'training'),
                        help='blendshape cache folder (default: %(default)s)')
    parser.add_argument('--workers', type=int, default=os.cpu_count(),
                        help='extraction processes (default: all cores)')
    parser.add_argument('--limit-per-class', type=int,
                        help='use at most N images per class and split (smoke runs)')
    parser.add_argument('--ray-address',
                        help='extract blendshapes on a Ray cluster (auto or HOST:PORT), or '
                             '"local" for a local Ray instance of --workers CPUs; needs the '
                             'ray extra')
    parser.add_argument('--crossval',
                        help='faces of other people for every choice (feature selection, '
                             'decision), never for training (default: '
                             '$EMOTION_ESTIMATOR_SHARED/datasets/crossval; "none" to skip)')
    parser.add_argument('--speech',
                        help='clips of people talking, for the real speech in training windows '
                             '(default: $EMOTION_ESTIMATOR_SHARED/datasets/speech; "none" to '
                             'skip, then the model trains with simulated speech)')
    parser.add_argument('--talking',
                        help='talking clips of other people by class, for every choice (decision '
                             'limits on talkers), never for training (default: '
                             '$EMOTION_ESTIMATOR_SHARED/datasets/talking; "none" to skip)')


def _face_model(args) -> Path:
    if args.face_model:
        return find_face_model(args.face_model)
    try:
        return find_face_model()
    except FileNotFoundError:
        return find_face_model(shared_dir() / 'models' / 'face_landmarker.task')


def _dataset(args):
    from emotion_estimator_training.pipeline import load_dataset
    data = args.data if args.data or args.csv else str(shared_dir() / 'datasets' / 'fer2013')
    return load_dataset(data=data if not args.csv else None, csv=args.csv,
                        limit_per_class=args.limit_per_class)


def _named_folder(value: str):
    """Parse ``NAME=DIR`` (``--dataset``): a set name and an existing folder."""
    name, _, folder = value.partition('=')
    if not name or not folder or not name.replace('_', '').isalnum():
        raise argparse.ArgumentTypeError(f'expected NAME=DIR with a plain NAME, got {value!r}')
    if not Path(folder).is_dir():
        raise argparse.ArgumentTypeError(f'{folder} is not a folder')
    return name, Path(folder)


def _crossval_dir(args) -> Optional[Path]:
    if args.crossval == 'none':
        return None
    return Path(args.crossval) if args.crossval else shared_dir() / 'datasets' / 'crossval'


def _optional_dir(args, name: str) -> Optional[Path]:
    """Return ``--NAME`` as a folder: the shared one by default, None for "none" or missing."""
    value = getattr(args, name, None)
    if value == 'none':
        return None
    folder = Path(value) if value else shared_dir() / 'datasets' / name
    if not folder.is_dir():
        if value:
            raise SystemExit(f'--{name} {folder} is not a folder')
        print(f'{folder} not found: going on without it (--{name})', file=sys.stderr)
        return None
    return folder


def _prepare(args):
    from emotion_estimator_training.pipeline import prepare
    return prepare(_dataset(args), _face_model(args), Path(args.cache), workers=args.workers,
                   crossval_dir=_crossval_dir(args), ray_address=args.ray_address,
                   speech_dir=_optional_dir(args, 'speech'),
                   talking_dir=_optional_dir(args, 'talking'))


def _hparams(args):
    hp = SMOKE if getattr(args, 'smoke', False) else HParams()
    changes = {}
    for name in ('window_length', 'frame_stride', 'feature_set', 'balancing', 'epochs', 'seed',
                 'speech_source', 'talker_fraction', 'talker_loss', 'weight_ema',
                 'label_smoothing', 'linear_blend', 'linear_speech_fraction', 'linear_c',
                 'linear_features', 'linear_min_std', 'linear_crosses'):
        value = getattr(args, name, None)
        if value is not None:
            changes[name] = value
    if changes.get('linear_blend') is not None:
        changes['linear_blend_choices'] = ()  # a weight given is the weight used
    if getattr(args, 'linear_head', None) is not None:
        changes['linear_head'] = args.linear_head == 'on'
    return hp.with_changes(**changes)


def cmd_load(args) -> int:
    """Print the class counts of each split."""
    dataset = _dataset(args)
    for split in ('train', 'val', 'test'):
        print(split, json.dumps(dataset.split(split).class_counts()))
    return 0


def cmd_extract(args) -> int:
    """Extract blendshapes (cached) and print the images without a face per split and class."""
    prepared = _prepare(args)
    print(json.dumps(prepared.drops, indent=2))
    return 0


def cmd_select(args) -> int:
    """Print the paper's selection rule result and the chosen feature set."""
    from emotion_estimator_training.pipeline import select_features
    print(json.dumps(select_features(_prepare(args), args.feature_set or 'cross27'), indent=2))
    return 0


def cmd_windows(args) -> int:
    """Build the training windows and print their shapes and label counts."""
    from emotion_estimator_training.pipeline import select_features, speech_available
    from emotion_estimator_training.windows import build_windows, filled_views, TALKER_LABEL
    prepared = _prepare(args)
    hp = speech_available(_hparams(args), prepared)
    table = prepared.split('train')
    indices = select_features(prepared, hp.feature_set)['indices']
    x, y = build_windows(filled_views(table, indices), table.labels, hp,
                         np.random.default_rng(hp.seed), indices=indices,
                         speech_bank=prepared.speech)
    print(json.dumps({'windows': list(x.shape),
                      'labels': np.bincount(y[y >= 0], minlength=7).tolist(),
                      'talker_windows': int(np.sum(y == TALKER_LABEL)),
                      'min': float(x.min()), 'max': float(x.max())}))
    return 0


def cmd_build(args) -> int:
    """Rebuild the model end to end and write it into --models."""
    from emotion_estimator_training.pipeline import build
    started = time.time()
    prepared = _prepare(args)
    crossval = _crossval_dir(args)
    robot_view = None
    if crossval is not None and not args.csv and args.robot_view_limit != 0:
        robot_view = (Path(args.data) if args.data else shared_dir() / 'datasets' / 'fer2013',
                      crossval)
    record = build(prepared, _hparams(args), Path(args.models), Path(args.results),
                   _face_model(args), Path(args.work), ['emotion-estimator-train'] + args.argv,
                   started, robot_view=robot_view, robot_view_limit=args.robot_view_limit,
                   workers=args.workers)
    print(json.dumps({'default_variant': record['default_variant'],
                      'test': record['variants_check'][record['default_variant']],
                      'wall_time_s': round(time.time() - started, 1)}, indent=2))
    return 0


def cmd_export(args) -> int:
    """Export a build's checkpoint again (new exporter, same model), checked as build does."""
    from emotion_estimator_training.variants import reexport
    record = reexport(_prepare(args), Path(args.model), Path(args.checkpoint),
                      Path(args.results), ['emotion-estimator-train'] + args.argv)
    print(json.dumps(record, indent=2))
    return 0


def cmd_evaluate(args) -> int:
    """Evaluate a shipped model (any variant) on the test split with the model's own settings."""
    from emotion_estimator_training.evaluate import evaluate, summary_line
    from emotion_estimator_training.export import tflite_predict
    from emotion_estimator_training.windows import filled_views, still_windows
    spec = ModelSpec.load(args.model)
    prepared = _prepare(args)
    test, test_all = prepared.split('test'), prepared.split('test', False)
    windows = still_windows(filled_views(test, spec.feature_indices), spec.window_length)
    probs = tflite_predict(spec.model_file(args.variant), windows)
    probs = probs[:, [spec.class_names.index(name) for name in CLASS_NAMES]]  # metrics order
    metrics = evaluate(probs, test_all.labels, test_all.detected, spec.decision)
    print(json.dumps(summary_line(metrics), indent=2))
    return 0


def cmd_evaluate_api(args) -> int:
    """Run the shipped model through EmotionEstimator on frames over time (the robot's view)."""
    from emotion_estimator_training.api_eval import evaluate_api
    data = Path(args.data) if args.data else shared_dir() / 'datasets' / 'fer2013'
    crossval = _crossval_dir(args) or shared_dir() / 'datasets' / 'crossval'
    record = evaluate_api(data, crossval, model_spec=args.model, face_model=str(_face_model(args)),
                          workers=args.workers, limit=args.limit,
                          command=' '.join(['emotion-estimator-train'] + args.argv),
                          datasets=args.dataset, builtin=not args.only_datasets,
                          subject_pattern=args.subject_pattern,
                          resting_face=not args.no_resting_face)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=2) + '\n')
    print(json.dumps({name: {'3-class macro-F1': round(s['three_class']['macro_f1'], 3),
                             '3-class acc': round(s['three_class']['accuracy'], 3),
                             'sad recall': round(
                                 s['three_class']['per_class']['sad']['recall'], 3),
                             '7-class acc': round(s['seven_class']['accuracy'], 3)}
                      for name, s in record['sets'].items()}, indent=2))
    return 0


def cmd_operating_points(args) -> int:
    """Measure sad precision, recall and false alarms of every sad_gain (validation faces)."""
    from emotion_estimator_training.operating_points import measure
    data = Path(args.data) if args.data else shared_dir() / 'datasets' / 'fer2013'
    crossval = _crossval_dir(args)
    if crossval is None:
        raise SystemExit('operating-points needs the crossval faces (--crossval)')
    record = measure(Path(args.model), _face_model(args), data, crossval,
                     _optional_dir(args, 'talking'),
                     command=' '.join(['emotion-estimator-train'] + args.argv),
                     workers=args.workers, limit=args.limit)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=2) + '\n')
    for row in record['points']:
        print(row['sad_gain'], json.dumps({name: {key: value for key, value in cells.items()
                                                  if 'sad' in key}
                                           for name, cells in row['sets'].items()}))
    return 0


def cmd_frontier(args) -> int:
    """Measure how far blendshapes go: other classifiers, and ceilings tuned on each set."""
    from emotion_estimator_training.frontier import measure
    record = measure(_prepare(args), ModelSpec.load(args.model),
                     command=' '.join(['emotion-estimator-train'] + args.argv))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=2) + '\n')
    print(json.dumps({name: {key: value['val_tuned'] for key, value in system.items()
                             if key == 'fer_test'} for name, system in record['systems'].items()},
                     indent=1))
    return 0


def cmd_ablate(args) -> int:
    """Train the comparison runs (features, window, balancing, speech) on a reduced budget."""
    from emotion_estimator_training.pipeline import ablate
    base = _hparams(args).with_changes(epochs=args.epochs or 30, windows_per_image=2)
    runs = {'base': base}
    for feature_set in FEATURE_SETS:
        if feature_set != base.feature_set:
            runs[f'features={feature_set}'] = base.with_changes(feature_set=feature_set)
    for length in args.window_lengths:
        if length != base.window_length:
            runs[f'T={length}'] = base.with_changes(window_length=length)
    for stride in args.frame_strides:
        if stride != base.frame_stride:
            runs[f'stride={stride}'] = base.with_changes(frame_stride=stride)
    for balancing in BALANCING:
        if balancing != base.balancing:
            runs[f'balancing={balancing}'] = base.with_changes(balancing=balancing)
    runs['units=128-128-64-64'] = base.with_changes(lstm_units=(128, 128, 64, 64))
    runs['units=32-32-16-16'] = base.with_changes(lstm_units=(32, 32, 16, 16))
    runs['dropout=0.4'] = base.with_changes(dropout=0.4)
    runs['seed=7'] = base.with_changes(seed=7)
    for share in (0.1, 0.2):
        runs[f'talker_fraction={share}'] = base.with_changes(talker_fraction=share)
    runs['talker_fraction=0.1,seed=7'] = base.with_changes(talker_fraction=0.1, seed=7)
    runs['talker_fraction=0.1,dropout=0.4'] = base.with_changes(talker_fraction=0.1,
                                                                dropout=0.4)
    for momentum in (0.0, 0.99, 0.999):
        if momentum != base.weight_ema:
            runs[f'weight_ema={momentum}'] = base.with_changes(weight_ema=momentum)
    runs['weight_ema=0.999,dropout=0.4'] = base.with_changes(weight_ema=0.999, dropout=0.4)
    runs['label_smoothing=0.1'] = base.with_changes(label_smoothing=0.1)
    runs['talker_fraction=0.1,talker_loss=focal'] = base.with_changes(talker_fraction=0.1,
                                                                      talker_loss='focal')
    # the frontier's best carrier to other people (a linear model on all 51) beside the LSTM
    runs['linear_head=on,features=all51'] = base.with_changes(
        linear_head=True, feature_set='all51')
    for weight in (0.0, 0.3, 0.5):
        if weight != base.linear_blend:
            runs[f'linear_blend={weight}'] = base.with_changes(linear_blend=weight)
    crosses = 'none' if base.linear_crosses != 'none' else 'unit_pairs'
    runs[f'linear_crosses={crosses}'] = base.with_changes(linear_crosses=crosses)
    runs['person_offset_fraction=0.3'] = base.with_changes(person_offset_fraction=0.3)
    runs['speech_fraction=0'] = base.with_changes(speech_fraction=0.0)
    runs['speech_fraction=0.4'] = base.with_changes(speech_fraction=0.4)
    for source in SPEECH_SOURCES:
        if source != base.speech_source:
            runs[f'speech={source}'] = base.with_changes(speech_source=source)
    runs[f'linear_head={"off" if base.linear_head else "on"}'] = base.with_changes(
        linear_head=not base.linear_head)
    selected = set(args.only) if args.only else None
    runs = {k: v for k, v in runs.items() if selected is None or k in selected}
    if args.seeds:
        # every run once per seed: a design is judged on its mean, not on one draw
        runs = {f'{name},seed={seed}': hp.with_changes(seed=seed)
                for name, hp in runs.items() if 'seed=' not in name for seed in args.seeds}
    ablate(_prepare(args), base, runs, Path(args.out),
           ['emotion-estimator-train'] + args.argv)
    return 0


def cmd_card(args) -> int:
    """Regenerate the tables of the model card from the committed result files."""
    update_card(Path(args.card), Path(args.results))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser."""
    parser = argparse.ArgumentParser(prog='emotion-estimator-train', description=__doc__)
    commands = parser.add_subparsers(dest='command', required=True)
    for name, function in (('load', cmd_load), ('extract', cmd_extract), ('select', cmd_select),
                           ('windows', cmd_windows), ('build', cmd_build),
                           ('export', cmd_export),
                           ('evaluate', cmd_evaluate), ('evaluate-api', cmd_evaluate_api),
                           ('operating-points', cmd_operating_points),
                           ('ablate', cmd_ablate), ('frontier', cmd_frontier),
                           ('card', cmd_card)):
        sub = commands.add_parser(name, help=function.__doc__.splitlines()[0])
        sub.set_defaults(function=function)
        _common(sub)
        if name in ('select', 'windows', 'build', 'ablate'):
            sub.add_argument('--feature-set', dest='feature_set', choices=FEATURE_SETS)
            sub.add_argument('--window-length', dest='window_length', type=int)
            sub.add_argument('--frame-stride', dest='frame_stride', type=int,
                             help='the window reads every N-th camera frame (default 1)')
            sub.add_argument('--balancing', choices=('class_weights', 'focal',
                                                     'paper_subsample', 'none'))
            sub.add_argument('--speech-source', dest='speech_source',
                             choices=SPEECH_SOURCES)
            sub.add_argument('--linear-head', dest='linear_head', choices=('on', 'off'))
            sub.add_argument('--talker-fraction', dest='talker_fraction', type=float,
                             help='talker windows (target "not sad") as a share of the '
                                  'training windows; 0: none')
            sub.add_argument('--talker-loss', dest='talker_loss', choices=TALKER_LOSSES,
                             help='the talker windows\' "not sad" term: plain or focal')
            sub.add_argument('--linear-blend', dest='linear_blend', type=float,
                             help='weight of a logistic regression fitted apart, blended with '
                                  'the LSTM (p_lstm^(1-w) p_linear^w); 0: off (default: build '
                                  "chooses 0.3, 0.5 or 0.7 on the robot's view; 0.3 elsewhere)")
            sub.add_argument('--linear-speech-fraction', dest='linear_speech_fraction',
                             type=float, help="share of the linear blend's training frames "
                                              'moved by real speech; 0: none')
            sub.add_argument('--linear-c', dest='linear_c', type=float,
                             help="inverse L2 strength of the linear blend's regression "
                                  '(default 1)')
            sub.add_argument('--linear-features', dest='linear_features',
                             choices=LINEAR_FEATURES,
                             help="the blendshapes the linear blend's regression reads: all51 "
                                  "(default; the model's input is then all 51) or lstm (the "
                                  "LSTM's features)")
            sub.add_argument('--linear-min-std', dest='linear_min_std', type=float,
                             help='the regression weighs only blendshapes whose standard '
                                  'deviation on its training frames is at least this '
                                  "(0.005: the selection's rule; default 0: all)")
            sub.add_argument('--linear-crosses', dest='linear_crosses', choices=LINEAR_CROSSES,
                             help='the regression also reads products of facial action units '
                                  '(unit_pairs, default) or the scores alone (none)')
            sub.add_argument('--weight-ema', dest='weight_ema', type=float,
                             help='momentum of a moving average of the weights; 0: off')
            sub.add_argument('--label-smoothing', dest='label_smoothing', type=float,
                             help='targets softened towards uniform by this much; 0: off')
            sub.add_argument('--epochs', type=int)
            sub.add_argument('--seed', type=int)
            sub.add_argument('--smoke', action='store_true',
                             help='tiny training budget (CI)')
    build_cmd = commands.choices['build']
    build_cmd.add_argument('--models', default=str(REPO / 'models'),
                           help='where the model and emotion_model.json go')
    build_cmd.add_argument('--results', default=str(REPO / 'training' / 'results'),
                           help='metrics.json and confusion matrices')
    build_cmd.add_argument('--work', default=str(REPO / 'training' / 'runs' / 'build'),
                           help='checkpoints and TensorBoard logs')
    build_cmd.add_argument('--robot-view-limit', type=int,
                           help='tune the label filter on about this many validation faces '
                                'per set (smoke runs; 0 skips that tuning, which needs the '
                                'FER2013 folder and the crossval faces; default: all)')
    export_cmd = commands.choices['export']
    export_cmd.add_argument('--model', default=str(REPO / 'models' / 'emotion_model.json'),
                            help='the emotion_model.json whose variants are written again')
    export_cmd.add_argument('--checkpoint',
                            default=str(REPO / 'training' / 'runs' / 'build' / 'best.weights.h5'),
                            help="the build's best weights (build --work)")
    export_cmd.add_argument('--results', default=str(REPO / 'training' / 'results'),
                            help='the metrics.json to update')
    evaluate_cmd = commands.choices['evaluate']
    evaluate_cmd.add_argument('--model', default=str(REPO / 'models' / 'emotion_model.json'))
    evaluate_cmd.add_argument('--variant')
    frontier_cmd = commands.choices['frontier']
    frontier_cmd.add_argument('--model', default=str(REPO / 'models' / 'emotion_model.json'))
    frontier_cmd.add_argument('--out',
                              default=str(REPO / 'training' / 'results' / 'frontier.json'))
    api_cmd = commands.choices['evaluate-api']
    api_cmd.add_argument('--model', default=None,
                         help='emotion_model.json (default: the packaged model)')
    api_cmd.add_argument('--limit', type=int,
                         help='about this many photos per held-still set (smoke runs)')
    api_cmd.add_argument('--out', default=str(REPO / 'training' / 'results' / 'api_eval.json'))
    api_cmd.add_argument('--dataset', type=_named_folder, action='append', default=[],
                         metavar='NAME=DIR',
                         help='also run a labelled folder DIR/<class>/<photo, video or folder '
                              'of frames>, cold and after meeting the person (repeatable)')
    api_cmd.add_argument('--only-datasets', action='store_true',
                         help='run only the --dataset folders (not FER2013 test and crossval)')
    api_cmd.add_argument('--subject-pattern', default=SUBJECT_PATTERN,
                         help='regular expression whose first group is the subject of an item '
                              f'name (default: {SUBJECT_PATTERN})')
    api_cmd.add_argument('--no-resting-face', action='store_true',
                         help="run the estimator without the person's resting face (to "
                              'measure what it buys; the record says resting_face false)')
    points_cmd = commands.choices['operating-points']
    points_cmd.add_argument('--model', default=str(REPO / 'models' / 'emotion_model.json'))
    points_cmd.add_argument('--limit', type=int,
                            help='about this many faces per still set (smoke runs)')
    points_cmd.add_argument('--out', default=str(REPO / 'training' / 'results' /
                                                 'operating_points.json'))
    ablate_cmd = commands.choices['ablate']
    ablate_cmd.add_argument('--window-lengths', type=int, nargs='+', default=[8, 24])
    ablate_cmd.add_argument('--frame-strides', type=int, nargs='+', default=[2],
                            help='runs whose window reads every N-th camera frame')
    ablate_cmd.add_argument('--only', nargs='+', help='run only these named runs')
    ablate_cmd.add_argument('--seeds', type=int, nargs='+',
                            help='train every run once per seed (names get ",seed=N") and '
                                 "report each design's mean and spread over the seeds")
    ablate_cmd.add_argument('--out', default=str(REPO / 'training' / 'results' / 'ablations.json'))
    card_cmd = commands.choices['card']
    card_cmd.add_argument('--card', default=str(REPO / 'models' / 'MODEL_CARD.md'))
    card_cmd.add_argument('--results', default=str(REPO / 'training' / 'results'))
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    """Run a sub-command."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    args.argv = argv
    return args.function(args)


if __name__ == '__main__':
    sys.exit(main())
