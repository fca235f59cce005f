# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""FER2013 as a list of labelled 48x48 grey faces, from its folder layout or its original CSV."""

import csv
from dataclasses import dataclass
import hashlib
import os
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import cv2
import numpy as np

from emotion_estimator.contract import CLASS_NAMES

#: Folder split names and the ``Usage`` values of fer2013.csv that mean the same split.
SPLITS: Dict[str, str] = {'train': 'Training', 'val': 'PublicTest', 'test': 'PrivateTest'}
FER_SIZE = 48
IMAGE_SUFFIXES = ('.jpg', '.jpeg', '.png', '.bmp')


@dataclass(frozen=True)
class FaceImage:
    """One labelled face: where it came from, its split, its class index and its pixels."""

    source: str
    split: str
    label: int
    pixels: np.ndarray

    @property
    def digest(self) -> str:
        """Return a hash of the pixels: the image's key in the blendshape cache."""
        return hashlib.sha1(np.ascontiguousarray(self.pixels).tobytes()).hexdigest()


class FerDataset:
    """FER2013 faces of one or more splits, in a deterministic order."""

    def __init__(self, images: Sequence[FaceImage]):
        """Wrap already loaded images (use the ``from_*`` constructors)."""
        self.images = list(images)

    def __len__(self) -> int:
        return len(self.images)

    def split(self, name: str) -> 'FerDataset':
        """Return the images of the split ``name`` (``train``, ``val`` or ``test``)."""
        if name not in SPLITS:
            raise ValueError(f'unknown split {name!r}; expected one of {sorted(SPLITS)}')
        return FerDataset([image for image in self.images if image.split == name])

    @property
    def labels(self) -> np.ndarray:
        """Return the class indices (CLASS_NAMES order) as an int array."""
        return np.array([image.label for image in self.images], dtype=np.int64)

    def class_counts(self) -> Dict[str, int]:
        """Return how many images each class has."""
        counts = np.bincount(self.labels, minlength=len(CLASS_NAMES))
        return dict(zip(CLASS_NAMES, counts.tolist()))

    @classmethod
    def from_folder(cls, root: os.PathLike, splits: Sequence[str] = tuple(SPLITS),
                    limit_per_class: Optional[int] = None) -> 'FerDataset':
        """Load ``<root>/<split>/<class>/*.jpg`` (the layout of ``../shared/datasets/fer2013``).

        Args:
            root: the dataset folder.
            splits: which split folders to read.
            limit_per_class: read at most this many images per class and split (for smoke runs);
                the first ones in name order, so the subset is deterministic.

        Raises:
            ValueError: a split or class folder is missing, or an image cannot be read.

        """
        root = Path(root)
        images = []
        for split in splits:
            if split not in SPLITS:
                raise ValueError(f'unknown split {split!r}; expected one of {sorted(SPLITS)}')
            if not (root / split).is_dir():
                raise ValueError(f'{root / split} is not a folder; expected '
                                 f'<root>/<split>/<class>/*.jpg with splits {sorted(SPLITS)}')
            for label, name in enumerate(CLASS_NAMES):
                folder = root / split / name
                if not folder.is_dir():
                    raise ValueError(f'{folder} is missing: every split needs the class folders '
                                     f'{list(CLASS_NAMES)}')
                files = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
                for path in files[:limit_per_class]:
                    images.append(FaceImage(str(path), split, label, read_grey(path)))
        return cls(images)

    @classmethod
    def from_csv(cls, path: os.PathLike, splits: Sequence[str] = tuple(SPLITS),
                 limit_per_class: Optional[int] = None) -> 'FerDataset':
        """Load the original ``fer2013.csv`` (columns ``emotion,pixels,Usage``).

        Raises:
            ValueError: the header is wrong or a row is malformed; the message names the line.

        """
        path = Path(path)
        usage_to_split = {usage: split for split, usage in SPLITS.items() if split in splits}
        images, per_class = [], {}
        with open(path, newline='') as stream:
            reader = csv.reader(stream)
            header = next(reader, None)
            if header is None or [h.strip() for h in header[:3]] != ['emotion', 'pixels', 'Usage']:
                raise ValueError(f'{path}:1: expected the header "emotion,pixels,Usage", '
                                 f'got {header}')
            for line, row in enumerate(reader, start=2):
                image = _parse_csv_row(path, line, row)
                split = usage_to_split.get(row[2].strip())
                if split is None:
                    continue
                key = (split, image[0])
                per_class[key] = per_class.get(key, 0) + 1
                if limit_per_class is not None and per_class[key] > limit_per_class:
                    continue
                images.append(FaceImage(f'{path}:{line}', split, image[0], image[1]))
        return cls(images)


def _parse_csv_row(path: Path, line: int, row: List[str]):
    where = f'{path}:{line}'
    if len(row) != 3:
        raise ValueError(f'{where}: expected 3 columns (emotion,pixels,Usage), got {len(row)}')
    try:
        label = int(row[0])
    except ValueError:
        raise ValueError(f'{where}: emotion {row[0]!r} is not an integer') from None
    if not 0 <= label < len(CLASS_NAMES):
        raise ValueError(f'{where}: emotion {label} is not in 0..{len(CLASS_NAMES) - 1}')
    if row[2].strip() not in SPLITS.values():
        raise ValueError(f'{where}: Usage {row[2]!r} is not one of {sorted(SPLITS.values())}')
    try:
        values = np.array(row[1].split(), dtype=np.int64)
    except ValueError:
        raise ValueError(f'{where}: pixels must be space-separated integers') from None
    if values.size != FER_SIZE * FER_SIZE or values.min() < 0 or values.max() > 255:
        raise ValueError(f'{where}: expected {FER_SIZE * FER_SIZE} pixel values in 0..255, '
                         f'got {values.size}')
    return label, values.astype(np.uint8).reshape(FER_SIZE, FER_SIZE)


def read_grey(path: Path) -> np.ndarray:
    """Read an image file as grey uint8, with an error that names the file."""
    data = np.fromfile(str(path), dtype=np.uint8)
    image = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE) if data.size else None
    if image is None:
        raise ValueError(f'{path}: cannot be read as an image (empty or corrupt file)')
    return image
