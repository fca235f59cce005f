# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The facts that training and serving share: names, orders and the model metadata file.

Everything that must agree between the training package, the node and the offline analysis lives
here or in ``models/emotion_model.json``, which :class:`ModelSpec` reads and validates.
"""

from dataclasses import dataclass, field
import json
import os
from pathlib import Path
import sys
from typing import Dict, List, Optional, Tuple

PACKAGE_NAME = 'emotion_estimator'

#: The seven FER2013 classes in the order of the original ``fer2013.csv`` (``emotion`` column).
CLASS_NAMES: Tuple[str, ...] = (
    'angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral')

#: The labels the node publishes on ``emotion``.
DECISION_LABELS: Tuple[str, ...] = ('happy', 'sad', 'unknown')

#: The 52 ARKit blendshape categories in the order MediaPipe FaceLandmarker reports them.
BLENDSHAPE_NAMES: Tuple[str, ...] = (
    '_neutral', 'browDownLeft', 'browDownRight', 'browInnerUp', 'browOuterUpLeft',
    'browOuterUpRight', 'cheekPuff', 'cheekSquintLeft', 'cheekSquintRight', 'eyeBlinkLeft',
    'eyeBlinkRight', 'eyeLookDownLeft', 'eyeLookDownRight', 'eyeLookInLeft', 'eyeLookInRight',
    'eyeLookOutLeft', 'eyeLookOutRight', 'eyeLookUpLeft', 'eyeLookUpRight', 'eyeSquintLeft',
    'eyeSquintRight', 'eyeWideLeft', 'eyeWideRight', 'jawForward', 'jawLeft', 'jawOpen',
    'jawRight', 'mouthClose', 'mouthDimpleLeft', 'mouthDimpleRight', 'mouthFrownLeft',
    'mouthFrownRight', 'mouthFunnel', 'mouthLeft', 'mouthLowerDownLeft', 'mouthLowerDownRight',
    'mouthPressLeft', 'mouthPressRight', 'mouthPucker', 'mouthRight', 'mouthRollLower',
    'mouthRollUpper', 'mouthShrugLower', 'mouthShrugUpper', 'mouthSmileLeft', 'mouthSmileRight',
    'mouthStretchLeft', 'mouthStretchRight', 'mouthUpperUpLeft', 'mouthUpperUpRight',
    'noseSneerLeft', 'noseSneerRight')

#: The 27 blendshapes the primary paper (Attrah 2025) kept:
#: indices 1-5, 9-20, 25, 34, 35, 38, 44-49.
PAPER_FEATURE_INDICES: Tuple[int, ...] = (
    tuple(range(1, 6)) + tuple(range(9, 21)) + (25, 34, 35, 38) + tuple(range(44, 50)))

#: Faces followed at once by default by the node and the offline analysis (a group of 2-4 people
#: in front of a robot), and the most they accept.
DEFAULT_MAX_FACES, MOST_FACES = 4, 16

#: How a 48x48 FER2013 crop is turned into a frame the face detector can read (see ``frames.py``).
STILL_FACE_PREPROCESSING: Dict[str, int] = {
    'face_size_px': 96, 'canvas_size_px': 160, 'canvas_grey_level': 128}

#: Environment variable naming the folder of read-only shared data (datasets, face model).
SHARED_DIR_ENV = 'EMOTION_ESTIMATOR_SHARED'

MODEL_SPEC_FILENAME = 'emotion_model.json'
#: The ``format_version`` :meth:`ModelSpec.save` writes.
MODEL_SPEC_FORMAT_VERSION = 1


class ModelSpecError(ValueError):
    """The model metadata file is missing, malformed or disagrees with this package."""


@dataclass(frozen=True)
class DecisionSettings:
    """How class probabilities become a stable happy / sad / unknown label.

    ``happy_gain`` and ``sad_gain`` scale the happy and sad probabilities before they are compared
    with the summed probability of every other class (tuned on the validation split).
    The remaining fields are the temporal filter of
    :class:`~emotion_estimator.decision.LabelFilter`.
    """

    happy_gain: float = 1.0
    sad_gain: float = 1.0
    min_confidence: float = 0.4
    smoothing_time_s: float = 0.3
    min_dwell_s: float = 0.5
    switch_margin: float = 0.1
    face_lost_grace_s: float = 0.5

    @classmethod
    def from_dict(cls, values: Dict[str, float]) -> 'DecisionSettings':
        """Build settings from a mapping, rejecting unknown keys and negative values."""
        known = set(cls.__dataclass_fields__)
        unknown = set(values) - known
        if unknown:
            raise ModelSpecError(
                f'unknown decision settings {sorted(unknown)}; known: {sorted(known)}')
        settings = cls(**{k: float(v) for k, v in values.items()})
        for name in known:
            if getattr(settings, name) < 0:
                raise ModelSpecError(f'decision setting {name} must be >= 0')
        return settings


@dataclass(frozen=True)
class ModelSpec:
    """The content of ``emotion_model.json``: what the TFLite model expects and returns."""

    path: Path
    variants: Dict[str, str]
    default_variant: str
    class_names: Tuple[str, ...]
    feature_names: Tuple[str, ...]
    window_length: int
    #: the window reads every ``frame_stride``-th camera frame (``BlendshapeWindow``); models
    #: before round 17 read every frame and lack the key
    frame_stride: int = 1
    decision: DecisionSettings = field(default_factory=DecisionSettings)
    preprocessing: Dict[str, int] = field(default_factory=lambda: dict(STILL_FACE_PREPROCESSING))
    #: how the model reads features relative to the person's resting face (see
    #: ``resting_face.py``): ``{'prior': {'neutral': {...}, 'max_offset': {...}},
    #: 'settings': {...}}``; empty for a model trained without it.
    resting_face: Dict[str, object] = field(default_factory=dict)
    extra: Dict[str, object] = field(default_factory=dict)

    @property
    def feature_indices(self) -> List[int]:
        """Return the positions of the model's input features among the 52 blendshapes."""
        return [BLENDSHAPE_NAMES.index(name) for name in self.feature_names]

    def model_file(self, variant: Optional[str] = None) -> Path:
        """Return the TFLite file of ``variant`` (the default one if None)."""
        variant = variant or self.default_variant
        if variant not in self.variants:
            raise ModelSpecError(
                f'model variant {variant!r} not in {self.path}; '
                f'available: {sorted(self.variants)}')
        return self.path.parent / self.variants[variant]

    @classmethod
    def load(cls, path: Optional[os.PathLike] = None) -> 'ModelSpec':
        """Read and validate a model metadata file (the packaged one if ``path`` is None).

        Raises:
            ModelSpecError: the file is missing, is not JSON, or names unknown classes/features.

        """
        path = Path(path) if path is not None else default_model_spec_path()
        try:
            data = json.loads(path.read_text())
        except FileNotFoundError:
            raise ModelSpecError(
                f'model metadata {path} not found; pass model_spec_path or reinstall the package '
                '(models/ is installed into share/emotion_estimator/models)') from None
        except json.JSONDecodeError as error:
            raise ModelSpecError(f'model metadata {path} is not valid JSON: {error}') from None
        if not isinstance(data, dict):
            raise ModelSpecError(f'model metadata {path} must be a JSON object, '
                                 f'got {type(data).__name__}')
        try:
            spec = cls(
                path=path,
                variants=dict(data['variants']),
                default_variant=data['default_variant'],
                class_names=tuple(data['class_names']),
                feature_names=tuple(data['feature_names']),
                window_length=int(data['window_length']),
                frame_stride=int(data.get('frame_stride', 1)),
                decision=DecisionSettings.from_dict(data.get('decision', {})),
                preprocessing=dict(data.get('preprocessing', STILL_FACE_PREPROCESSING)),
                resting_face=dict(data.get('resting_face') or {}),
                extra={k: v for k, v in data.items() if k not in _SPEC_KEYS})
        except KeyError as error:
            raise ModelSpecError(f'model metadata {path} lacks the key {error}') from None
        spec._validate()
        return spec

    def to_dict(self) -> Dict[str, object]:
        """Return the content of ``emotion_model.json`` in its key order (see :meth:`save`).

        ``format_version``, ``input`` and ``output`` come from :attr:`extra` where a loaded file
        had them, else from this spec (the input window and the class probabilities).
        """
        data = {
            'format_version': self.extra.get('format_version', MODEL_SPEC_FORMAT_VERSION),
            'variants': dict(self.variants),
            'default_variant': self.default_variant,
            'class_names': list(self.class_names),
            'feature_names': list(self.feature_names),
            'window_length': self.window_length,
            **({'frame_stride': self.frame_stride} if self.frame_stride != 1 else {}),
            'input': self.extra.get('input', {
                'shape': [1, self.window_length, len(self.feature_names)], 'dtype': 'float32',
                'meaning': 'raw MediaPipe blendshape scores in [0, 1], oldest frame first'}),
            'output': self.extra.get('output', {'shape': [1, len(self.class_names)],
                                                'meaning': 'class probabilities'}),
            'preprocessing': dict(self.preprocessing),
            'decision': dict(self.decision.__dict__),
            'resting_face': dict(self.resting_face)}
        data.update((key, value) for key, value in self.extra.items() if key not in data)
        return data

    def save(self, path: Optional[os.PathLike] = None) -> Path:
        """Write the spec as ``emotion_model.json`` (to :attr:`path` if ``path`` is None).

        What :meth:`load` reads back is this spec: the same keys and values.

        Raises:
            ModelSpecError: the spec would not load (unknown classes or features, ...).

        """
        self._validate()
        path = Path(path) if path is not None else self.path
        path.write_text(json.dumps(self.to_dict(), indent=2) + '\n')
        return path

    def _validate(self) -> None:
        if sorted(self.class_names) != sorted(CLASS_NAMES):
            raise ModelSpecError(
                f'{self.path}: class_names {self.class_names} must be a permutation of '
                f'{CLASS_NAMES}')
        unknown = [name for name in self.feature_names if name not in BLENDSHAPE_NAMES]
        if unknown or not self.feature_names:
            raise ModelSpecError(f'{self.path}: unknown blendshape names {unknown}')
        if self.window_length < 1:
            raise ModelSpecError(f'{self.path}: window_length must be >= 1')
        if self.frame_stride < 1:
            raise ModelSpecError(f'{self.path}: frame_stride must be >= 1')
        if self.resting_face and 'prior' not in self.resting_face:
            raise ModelSpecError(f'{self.path}: resting_face needs a prior')
        if self.default_variant not in self.variants:
            raise ModelSpecError(
                f'{self.path}: default_variant {self.default_variant!r} is not among the variants')


_SPEC_KEYS = {'variants', 'default_variant', 'class_names', 'feature_names', 'window_length',
              'frame_stride', 'decision', 'preprocessing', 'resting_face'}


def package_share_dir() -> Optional[Path]:
    """Return the installed share directory of this package, if there is one.

    Found through the ament index when ROS is sourced, else under ``sys.prefix/share`` (pip).
    """
    try:
        from ament_index_python.packages import get_package_share_directory, PackageNotFoundError
        try:
            return Path(get_package_share_directory(PACKAGE_NAME))
        except (PackageNotFoundError, OSError):
            # OSError: ament_index_python is installed (pip ROS wheels) but AMENT_PREFIX_PATH
            # is unset, i.e. no ROS environment is sourced: fall back to the pip layout.
            pass
    except ImportError:
        pass
    candidate = Path(sys.prefix) / 'share' / PACKAGE_NAME
    return candidate if candidate.is_dir() else None


def source_models_dir() -> Path:
    """Return ``models/`` of a source checkout (used when running from the repository)."""
    return Path(__file__).resolve().parent.parent / 'models'


def default_model_spec_path() -> Path:
    """Return the packaged ``emotion_model.json``: share directory first, then the checkout."""
    share = package_share_dir()
    if share is not None and (share / 'models' / MODEL_SPEC_FILENAME).is_file():
        return share / 'models' / MODEL_SPEC_FILENAME
    return source_models_dir() / MODEL_SPEC_FILENAME


def shared_dir() -> Path:
    """Return the read-only shared data folder (``$EMOTION_ESTIMATOR_SHARED`` or ``../shared``)."""
    env = os.environ.get(SHARED_DIR_ENV)
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / 'shared'
