# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Faces of other people (``../shared/datasets/crossval``): for choosing, never for training.

Two sets of labelled still photos, ``<set>/<class>/<file>``: ``muxspace`` (in-the-wild portraits)
and ``yale`` (15 subjects, each neutral, happy, sad and surprised; the subject is in the file
name, ``subject01.happy.gif``). Their blendshapes come from the runtime's own path
(:func:`emotion_estimator.frames.still_photo_to_rgb` and ``BlendshapeExtractor`` in IMAGE mode)
and are cached like FER2013's.
"""

from dataclasses import dataclass
import hashlib
import json
import os
from pathlib import Path
import re
from typing import Dict, List, Optional

import numpy as np

from emotion_estimator.blendshapes import BlendshapeExtractor
from emotion_estimator.contract import BLENDSHAPE_NAMES, CLASS_NAMES, STILL_FACE_PREPROCESSING
from emotion_estimator.frames import still_photo_to_rgb
from emotion_estimator.model_files import sha256_of
from emotion_estimator.resting_face import RestingFacePrior, shift_features

from emotion_estimator_training.media import PHOTO_SUFFIXES, read_bgr

CROSSVAL_SETS = ('muxspace', 'yale')


@dataclass
class StillSet:
    """Labelled photos of one cross-validation set."""

    name: str
    paths: List[Path]
    labels: np.ndarray
    #: the person in each photo where the set tells ('' where it does not)
    subjects: List[str]

    def __len__(self) -> int:
        return len(self.paths)

    def read(self, index: int) -> np.ndarray:
        """Return photo ``index`` as BGR uint8 (GIFs included).

        Raises:
            ValueError: the file cannot be decoded.

        """
        return read_bgr(self.paths[index])


def load_still_set(root: os.PathLike, name: str) -> StillSet:
    """Read ``root/<class>/*`` (class folders named as in CLASS_NAMES) in a sorted order.

    Raises:
        ValueError: the folder is missing, has no photo, or a class folder is not a FER class.

    """
    root = Path(root)
    if not root.is_dir():
        raise ValueError(f'{root} is not a folder; the cross-validation sets live in '
                         '$EMOTION_ESTIMATOR_SHARED/datasets/crossval/<set>/<class>/')
    paths, labels, subjects = [], [], []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        if folder.name not in CLASS_NAMES:
            raise ValueError(f'{folder}: class folder must be one of {CLASS_NAMES}')
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() in PHOTO_SUFFIXES:
                paths.append(path)
                labels.append(CLASS_NAMES.index(folder.name))
                match = re.match(r'(subject\d+)\.', path.name)
                subjects.append(match.group(1) if match else '')
    if not paths:
        raise ValueError(f'{root} holds no photos')
    return StillSet(name, paths, np.array(labels, dtype=np.int64), subjects)


def load_crossval(root: os.PathLike) -> Dict[str, StillSet]:
    """Return every cross-validation set under ``root`` by name."""
    return {name: load_still_set(Path(root) / name, name) for name in CROSSVAL_SETS}


def extract_stills(stills: StillSet, face_model: os.PathLike, cache_dir: os.PathLike,
                   progress: bool = False) -> np.ndarray:
    """Return ``[N, 52]`` blendshapes of every photo (NaN rows: no face), cached on disk."""
    face_model = Path(face_model)
    key = hashlib.sha256(json.dumps(
        {'preprocessing': STILL_FACE_PREPROCESSING, 'path': 'still_photo_to_rgb',
         'face_model_sha256': sha256_of(face_model)}, sort_keys=True).encode()).hexdigest()[:16]
    cache_file = Path(cache_dir) / f'stills-{stills.name}-{key}.npz'
    digests = []
    photos = []
    for index in range(len(stills)):
        photo = stills.read(index)
        photos.append(photo)
        digests.append(hashlib.sha1(photo.tobytes()).hexdigest())
    cached: Dict[str, np.ndarray] = {}
    if cache_file.is_file():
        with np.load(cache_file) as data:
            cached = dict(zip(data['digests'].tolist(), data['scores']))
    missing = [i for i, digest in enumerate(digests) if digest not in cached]
    if missing:
        with BlendshapeExtractor(face_model, video=False) as extractor:
            for i in missing:
                scores = extractor.extract(still_photo_to_rgb(photos[i]))
                cached[digests[i]] = (scores if scores is not None else
                                      np.full(len(BLENDSHAPE_NAMES), np.nan, np.float32))
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        temporary = cache_file.with_suffix('.tmp.npz')
        np.savez(temporary, digests=np.array(list(cached)), scores=np.stack(list(cached.values())))
        os.replace(temporary, cache_file)
    return np.stack([cached[d] for d in digests]).astype(np.float32)


def person_relative(scores: np.ndarray, stills: StillSet,
                    prior: RestingFacePrior) -> Optional[np.ndarray]:
    """Return each photo's blendshapes as the runtime sees them once it knows the person.

    The subject's neutral photo is taken as their settled resting face and every photo of the
    subject is shifted with :func:`emotion_estimator.resting_face.shift_features` (NaN rows for
    photos without a known subject). None when the set has no subjects with a neutral photo.
    """
    neutral_index = CLASS_NAMES.index('neutral')
    neutral_of = {subject: scores[i] for i, subject in enumerate(stills.subjects)
                  if subject and stills.labels[i] == neutral_index}
    if not neutral_of:
        return None
    relative = np.full_like(scores, np.nan)
    for i, subject in enumerate(stills.subjects):
        if subject in neutral_of and not np.isnan(neutral_of[subject]).any():
            relative[i] = shift_features(scores[i], neutral_of[subject], prior, np.float32(1.0))
    return relative
