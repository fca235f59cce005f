# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""How far each TFLite variant of a model lies from its fp32 file, on real faces.

The build's robot's-view tuning re-blends records made with the default variant; with a
quantized default that is exact only up to this difference (``reblend_check_max_difference``
in the build record). Still windows (one frame repeated) of a seeded sample of the unaugmented
FER2013 faces in the training blendshape cache (``emotion-estimator-train build`` or
``extract`` fills it), read by every variant through ``EmotionClassifier``; writes a markdown
report::

    python benchmarks/variant_gap.py --model models/emotion_model.json --output report.md
"""

import argparse
from pathlib import Path
import sys
from typing import List

import numpy as np

from emotion_estimator import provenance
from emotion_estimator.classifier import EmotionClassifier
from emotion_estimator.contract import ModelSpec
from emotion_estimator.model_files import user_cache_dir


def still_windows(cache: Path, spec: ModelSpec, faces: int, seed: int) -> np.ndarray:
    """Return ``[faces, T, F]`` still windows of detected faces from the blendshape cache."""
    files = sorted(cache.glob('blendshapes-*.npz'))
    if not files:
        raise SystemExit(f'variant_gap: no blendshapes-*.npz in {cache}; run a build first')
    scores = np.load(files[0])['scores'][:, 0]  # the unaugmented view of every image
    found = scores[np.isfinite(scores).all(axis=1) & (scores.sum(axis=1) > 0)]
    rows = np.random.default_rng(seed).choice(len(found), min(faces, len(found)), replace=False)
    frames = found[rows][:, spec.feature_indices].astype(np.float32)
    return np.repeat(frames[:, None, :], spec.window_length, axis=1)


def gaps(spec: ModelSpec, windows: np.ndarray) -> List[List[str]]:
    """Return a row per variant: its max and 99th-percentile gap to fp32, argmax agreement."""
    classifiers = {variant: EmotionClassifier(spec.model_file(variant))
                   for variant in spec.variants}
    probs = {variant: np.array([classifier.predict(w) for w in windows])
             for variant, classifier in classifiers.items()}
    rows = []
    for variant, p in probs.items():
        gap = np.abs(p - probs['fp32']).max(axis=1)
        agree = np.mean(p.argmax(axis=1) == probs['fp32'].argmax(axis=1))
        rows.append([variant, f'{gap.max():.4f}', f'{np.quantile(gap, 0.99):.4f}',
                     f'{agree:.4f}'])
    return rows


def main() -> int:
    """Measure every model given and write the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--cache', type=Path, default=user_cache_dir() / 'training')
    parser.add_argument('--model', type=Path, action='append', required=True,
                        help='emotion_model.json (repeatable)')
    parser.add_argument('--faces', type=int, default=3000)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--output', type=Path, required=True)
    args = parser.parse_args()
    lines = ['# TFLite variants against their fp32 file', '',
             f'- Command: `{provenance.command_line(["python"] + sys.argv)}`',
             f'- Date: {provenance.today()}; machine: {provenance.describe()}',
             f'- Faces: a seeded sample (seed {args.seed}) of up to {args.faces} FER2013 faces '
             'found by MediaPipe, each as a still window; largest absolute difference of any '
             'of the 7 probabilities.', '']
    for path in args.model:
        spec = ModelSpec.load(path)
        windows = still_windows(args.cache, spec, args.faces, args.seed)
        lines += [f'## `{path}` ({len(windows)} windows, default `{spec.default_variant}`)', '',
                  '| variant | max gap | 99th percentile | argmax agrees with fp32 |',
                  '| --- | ---: | ---: | ---: |']
        lines += ['| ' + ' | '.join(row) + ' |' for row in gaps(spec, windows)] + ['']
    args.output.write_text('\n'.join(lines))
    print('\n'.join(lines))
    return 0


if __name__ == '__main__':
    sys.exit(main())
