# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Photos, clips and labelled folders, read as the runtime reads a camera.

The data layer of every protocol that shows faces to ``EmotionEstimator`` (``api_eval``,
``robot_tuning``) or extracts clips (``speech``).
"""

from dataclasses import dataclass
import os
from pathlib import Path
import re
from typing import List, Tuple

import cv2
import numpy as np

from emotion_estimator.contract import CLASS_NAMES
from emotion_estimator.frames import still_photo_to_rgb

#: Frames per second of a photo held in front of the camera, and of a folder of frames.
FPS = 15.0
PHOTO_SUFFIXES = ('.jpg', '.jpeg', '.png', '.bmp', '.gif')
#: Video files of ``--dataset`` folders, read frame by frame at their own frame rate.
VIDEO_SUFFIXES = ('.mp4', '.avi', '.mov', '.mkv', '.webm', '.mpg', '.mpeg')
#: Another name a data set may give a class folder -> the FER2013 class.
CLASS_ALIASES = {'anger': 'angry', 'disgusted': 'disgust', 'fearful': 'fear', 'scared': 'fear',
                 'happiness': 'happy', 'joy': 'happy', 'sadness': 'sad',
                 'surprised': 'surprise', 'calm': 'neutral'}
#: The subject of an item: the start of its name up to the first '.', '_', '-' or space.
SUBJECT_PATTERN = r'^([^._\-\s]+)'
#: The subject of a talking clip: its name up to the first '_' (``W009_sad.mp4``, the shared
#: set's layout; ``evaluate-api --subject-pattern`` for it).
TALKING_SUBJECT_PATTERN = r'^([^_]+)_'


@dataclass(frozen=True)
class Item:
    """One labelled item of a ``--dataset`` folder."""

    path: str
    #: ``photo`` or ``clip`` (a video file or a folder of frames)
    kind: str
    label: int
    subject: str


def read_bgr(path: os.PathLike) -> np.ndarray:
    """Return a photo file as BGR uint8, GIFs included.

    Raises:
        ValueError: the file cannot be decoded.

    """
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        capture = cv2.VideoCapture(str(path))  # OpenCV builds without GIF in imread
        ok, image = capture.read()
        capture.release()
        if not ok:
            raise ValueError(f'cannot decode {path}')
    return image


def read_photo(path: str) -> np.ndarray:
    """Return a photo as the BGR frame the estimator gets (the runtime's still pre-processing).

    Raises:
        ValueError: the file cannot be decoded.

    """
    return cv2.cvtColor(still_photo_to_rgb(read_bgr(path)), cv2.COLOR_RGB2BGR)


def clip_frames(path: str) -> Tuple[List[np.ndarray], float]:
    """Return a clip's frames (as :func:`read_photo` makes them) and its frame rate.

    A folder holds one photo per frame, in name order, at :data:`FPS`; a video file plays at
    its own rate (:data:`FPS` where the file does not say).

    Raises:
        ValueError: the clip has no readable frame.

    """
    source = Path(path)
    if source.is_dir():
        frames = [read_photo(str(frame)) for frame in sorted(source.iterdir())
                  if frame.suffix.lower() in PHOTO_SUFFIXES]
        fps = FPS
    else:
        capture = cv2.VideoCapture(str(source))
        fps = capture.get(cv2.CAP_PROP_FPS) or FPS
        frames = []
        while True:
            ok, frame = capture.read()
            if not ok:
                break
            frames.append(cv2.cvtColor(still_photo_to_rgb(frame), cv2.COLOR_RGB2BGR))
        capture.release()
    if not frames:
        raise ValueError(f'{path}: no readable frame')
    return frames, float(fps if 1.0 <= fps <= 240.0 else FPS)


def load_items(root: os.PathLike, subject_pattern: str = SUBJECT_PATTERN) -> List[Item]:
    """Read a ``--dataset`` folder: ``root/<class>/<photo, video file or folder of frames>``.

    Class folders are FER2013 class names or an alias of :data:`CLASS_ALIASES` (any case); the
    subject of an item is the first group of ``subject_pattern`` matched on its name.

    Raises:
        ValueError: the folder is missing or empty, or a class folder is not a known class.

    """
    root = Path(root)
    if not root.is_dir():
        raise ValueError(f'{root} is not a folder (expected {root}/<class>/<items>)')
    items = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        name = CLASS_ALIASES.get(folder.name.lower(), folder.name.lower())
        if name not in CLASS_NAMES:
            raise ValueError(f'{folder}: class folder must be one of {CLASS_NAMES} (or '
                             f'{sorted(CLASS_ALIASES)})')
        for entry in sorted(folder.iterdir()):
            suffix = entry.suffix.lower()
            if entry.is_dir() and any(f.suffix.lower() in PHOTO_SUFFIXES
                                      for f in entry.iterdir()):
                kind = 'clip'
            elif entry.is_file() and suffix in VIDEO_SUFFIXES:
                kind = 'clip'
            elif entry.is_file() and suffix in PHOTO_SUFFIXES:
                kind = 'photo'
            else:
                continue
            match = re.match(subject_pattern, entry.name)
            items.append(Item(str(entry), kind, CLASS_NAMES.index(name),
                              match.group(1) if match and match.groups() else ''))
    if not items:
        raise ValueError(f'{root} holds no photo, video or folder of frames under a class folder')
    return items
