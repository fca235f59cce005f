# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""MediaPipe's BlazeFace face detectors run with LiteRT: an RGB frame -> face boxes in pixels.

The back-camera model (256x256, packaged) is what
:class:`emotion_estimator.blendshapes.MultiFaceExtractor` runs before the face mesh per face
(why this one: ``benchmarks/results/faces.md``). Decoding follows MediaPipe's SSD anchors,
tensors-to-detections and weighted non-maximum suppression, with its letterbox.
"""

from dataclasses import dataclass
import math
import os
from pathlib import Path
from typing import Dict, List, Optional, Tuple, Union

import cv2
import numpy as np

from emotion_estimator.model_files import ModelFileError

#: The packaged detector: MediaPipe's back-camera BlazeFace (``face_detection_back.tflite``).
BACK_CAMERA_MODEL = Path(__file__).resolve().parent / 'data' / 'face_detection_back.tflite'


@dataclass(frozen=True)
class AnchorSettings:
    """The SSD anchor layout of one BlazeFace model (MediaPipe's ``SsdAnchorsCalculator``)."""

    input_size: int
    strides: Tuple[int, ...]
    #: 1.0: two anchors per cell and layer (short range, back camera); 0.0: one (full range)
    interpolated_scale_aspect_ratio: float


#: Anchor layouts of the BlazeFace models, by the name MediaPipe gives the file.
BLAZEFACE_MODELS: Dict[str, AnchorSettings] = {
    'face_detection_short_range.tflite': AnchorSettings(128, (8, 16, 16, 16), 1.0),
    'face_detector.tflite': AnchorSettings(128, (8, 16, 16, 16), 1.0),
    'face_detection_back.tflite': AnchorSettings(256, (16, 32, 32, 32), 1.0),
    'face_detection_full_range.tflite': AnchorSettings(192, (4,), 0.0),
    'face_detection_full_range_sparse.tflite': AnchorSettings(192, (4,), 0.0),
}

#: Detections scoring below this are dropped (MediaPipe's ``min_detection_confidence`` default).
MIN_SCORE = 0.5
#: Detections whose IoU with a stronger one exceeds this are merged into it (MediaPipe: 0.3).
NMS_IOU = 0.3
#: Raw scores are clipped to +-this before the sigmoid (MediaPipe: 100).
RAW_SCORE_CLIP = 80.0


@dataclass
class FaceDetection:
    """One face found by the detector."""

    #: (x, y, width, height) in pixels of the frame, clipped to it
    box: Tuple[int, int, int, int]
    score: float
    #: six (x, y) key points in pixels: right eye, left eye, nose tip, mouth, right/left ear
    keypoints: np.ndarray


class FaceDetectorError(RuntimeError):
    """The detector model cannot be loaded or does not have a BlazeFace layout."""


def ssd_anchors(settings: AnchorSettings) -> np.ndarray:
    """Return the (N, 2) normalised anchor centres of a BlazeFace model, in output order."""
    anchors = []
    layer = 0
    strides = settings.strides
    while layer < len(strides):
        last = layer
        repeats = 0
        while last < len(strides) and strides[last] == strides[layer]:
            last += 1
            repeats += 2 if settings.interpolated_scale_aspect_ratio == 1.0 else 1
        cells = int(math.ceil(settings.input_size / strides[layer]))
        centres = (np.arange(cells, dtype=np.float32) + 0.5) / cells
        grid_y, grid_x = np.meshgrid(centres, centres, indexing='ij')
        grid = np.stack([grid_x.ravel(), grid_y.ravel()], axis=1)
        anchors.append(np.repeat(grid, repeats, axis=0))
        layer = last
    return np.concatenate(anchors, axis=0)


def iou(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """Return the intersection over union of one (x0, y0, x1, y1) box with each of ``boxes``."""
    x0 = np.maximum(box[0], boxes[:, 0])
    y0 = np.maximum(box[1], boxes[:, 1])
    x1 = np.minimum(box[2], boxes[:, 2])
    y1 = np.minimum(box[3], boxes[:, 3])
    intersection = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    union = area + areas - intersection
    return np.where(union > 0, intersection / np.maximum(union, 1e-12), 0.0)


def weighted_nms(boxes: np.ndarray, points: np.ndarray, scores: np.ndarray,
                 threshold: float = NMS_IOU) -> List[Tuple[np.ndarray, np.ndarray, float]]:
    """Merge overlapping detections MediaPipe's way: score-weighted mean of each cluster.

    Args:
        boxes: (N, 4) corner boxes (x0, y0, x1, y1).
        points: (N, K, 2) key points.
        scores: (N,) scores.
        threshold: IoU above which a detection joins the strongest remaining one.

    Returns:
        (box, key points, score of the strongest) per cluster, strongest first.

    """
    order = np.argsort(-scores)
    boxes, points, scores = boxes[order], points[order], scores[order]
    merged = []
    remaining = np.arange(len(scores))
    while remaining.size:
        overlap = iou(boxes[remaining[0]], boxes[remaining])
        cluster = remaining[overlap > threshold]
        if cluster.size == 0:  # a degenerate box overlaps nothing, not even itself
            cluster = remaining[:1]
        weights = scores[cluster][:, None]
        total = float(weights.sum())
        merged.append(((boxes[cluster] * weights).sum(axis=0) / total,
                       (points[cluster] * weights[:, :, None]).sum(axis=0) / total,
                       float(scores[cluster[0]])))
        remaining = np.setdiff1d(remaining, cluster, assume_unique=True)
        # setdiff1d sorts; indices follow the descending score order, so sorted is right
    return merged


class BlazeFaceDetector:
    """Find faces in RGB frames with a BlazeFace model from MediaPipe, run by LiteRT.

    Args:
        model: path to the ``.tflite`` file (default: the packaged back-camera model), or its
            bytes together with ``model_name``.
        model_name: which layout of :data:`BLAZEFACE_MODELS` the model has (default: the
            file's name).
        min_score: detections scoring below this are dropped.
        num_threads: LiteRT interpreter threads.

    """

    def __init__(self, model: Union[os.PathLike, str, bytes, None] = None,
                 model_name: Optional[str] = None, min_score: float = MIN_SCORE,
                 num_threads: int = 1):
        """Load the model and build its anchors."""
        from ai_edge_litert.interpreter import Interpreter

        if model is None:
            model = BACK_CAMERA_MODEL
        if isinstance(model, bytes):
            content, path = model, None
        else:
            path = Path(model)
            if not path.is_file():
                raise ModelFileError(
                    f'face detector model {path} does not exist (it is part of the package: '
                    'reinstall emotion_estimator)')
            content = None
        name = model_name or (path.name if path is not None else '')
        if name not in BLAZEFACE_MODELS:
            raise FaceDetectorError(
                f'unknown BlazeFace model {name!r}; expected one of {sorted(BLAZEFACE_MODELS)}')
        self.settings = BLAZEFACE_MODELS[name]
        self.model_name = name
        if not 0.0 < min_score < 1.0:
            raise ValueError(f'min_score must be between 0 and 1, got {min_score}')
        self.min_score = min_score
        try:
            if content is not None:
                self._interpreter = Interpreter(model_content=content, num_threads=num_threads)
            else:
                self._interpreter = Interpreter(model_path=str(path), num_threads=num_threads)
            self._interpreter.allocate_tensors()
        except (RuntimeError, ValueError) as error:
            raise FaceDetectorError(f'LiteRT could not load {name} ({error})') from error
        size = self.settings.input_size
        inputs = self._interpreter.get_input_details()
        if len(inputs) != 1 or tuple(inputs[0]['shape']) != (1, size, size, 3):
            raise FaceDetectorError(f'{name} does not read one 1x{size}x{size}x3 image')
        self._input = inputs[0]['index']
        self.anchors = ssd_anchors(self.settings)
        outputs = sorted(self._interpreter.get_output_details(),
                         key=lambda detail: int(detail['shape'][-1]), reverse=True)
        shapes = [tuple(detail['shape']) for detail in outputs]
        if shapes != [(1, len(self.anchors), 16), (1, len(self.anchors), 1)]:
            raise FaceDetectorError(
                f'{name} returns {shapes}, not {len(self.anchors)} boxes and scores')
        self._boxes, self._scores = outputs[0]['index'], outputs[1]['index']

    def letterbox(self, rgb: np.ndarray) -> Tuple[np.ndarray, float, float, float]:
        """Return the model input (aspect kept, padded) and how to map back: scale, pad x, y."""
        size = self.settings.input_size
        height, width = rgb.shape[:2]
        scale = min(size / width, size / height)
        new_w = max(1, int(round(width * scale)))
        new_h = max(1, int(round(height * scale)))
        resized = cv2.resize(rgb, (new_w, new_h), interpolation=cv2.INTER_AREA)
        pad_x, pad_y = (size - new_w) // 2, (size - new_h) // 2
        tensor = np.zeros((size, size, 3), np.float32)
        tensor[pad_y:pad_y + new_h, pad_x:pad_x + new_w] = resized * (2.0 / 255.0) - 1.0
        return tensor, scale, pad_x, pad_y

    def detect(self, rgb: np.ndarray) -> List[FaceDetection]:
        """Return the faces found in an RGB uint8 frame, strongest first, in frame pixels."""
        tensor, scale, pad_x, pad_y = self.letterbox(rgb)
        self._interpreter.set_tensor(self._input, tensor[np.newaxis])
        self._interpreter.invoke()
        raw = self._interpreter.get_tensor(self._boxes)[0]
        logits = self._interpreter.get_tensor(self._scores)[0, :, 0]
        keep = logits > np.log(self.min_score / (1.0 - self.min_score))
        if not keep.any():
            return []
        scores = 1.0 / (1.0 + np.exp(-np.clip(logits[keep], -RAW_SCORE_CLIP, RAW_SCORE_CLIP)))
        size = float(self.settings.input_size)
        values = raw[keep].reshape(-1, 8, 2) / size
        anchors = self.anchors[keep]
        centres = values[:, 0] + anchors
        half = values[:, 1] / 2.0
        corners = np.concatenate([centres - half, centres + half], axis=1)
        points = values[:, 2:] + anchors[:, None, :]
        valid = (half > 0).all(axis=1)
        height, width = rgb.shape[:2]
        detections = []
        for box, keypoints, score in weighted_nms(corners[valid], points[valid], scores[valid]):
            # normalised letterbox coordinates -> frame pixels
            x0, y0, x1, y1 = ((box * size) - [pad_x, pad_y, pad_x, pad_y]) / scale
            keypoints = (keypoints * size - [pad_x, pad_y]) / scale
            left, top = max(0, int(x0)), max(0, int(y0))
            right, bottom = min(width, int(round(x1))), min(height, int(round(y1)))
            if right > left and bottom > top:
                detections.append(FaceDetection((left, top, right - left, bottom - top),
                                                score, keypoints.astype(np.float32)))
        return detections
