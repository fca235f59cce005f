# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""MediaPipe FaceLandmarker as a function from an RGB frame to the 52 blendshape scores.

This is the one feature-extraction path: the node, the offline analysis and the training package
all call :meth:`BlendshapeExtractor.extract` (training in IMAGE mode on stills, the node in VIDEO
mode), so training and serving share the model file, pre-processing and score order.

For several faces, :class:`MultiFaceExtractor` finds the faces with a separate detector
(:mod:`emotion_estimator.face_detection`) and runs the same FaceLandmarker on a crop around each,
because FaceLandmarker's own detector misses faces in a wide frame of several people (measured in
``benchmarks/results/faces.md``).
"""

from dataclasses import dataclass
import os
from typing import List, Optional, Sequence, Tuple

import cv2
import numpy as np

from emotion_estimator.contract import BLENDSHAPE_NAMES
from emotion_estimator.face_detection import BlazeFaceDetector, MIN_SCORE
from emotion_estimator.model_files import (
    FETCH_HINT, find_face_model, ModelFileError, user_cache_dir)
from emotion_estimator.native_log import call_quietly


#: MediaPipe face-mesh landmarks of the face oval: their extent is the face's box.
FACE_OVAL_LANDMARKS = (
    10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377,
    152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109)


@dataclass
class FaceObservation:
    """One face in one frame: its 52 blendshape scores and its box in pixels."""

    #: float32 scores in :data:`BLENDSHAPE_NAMES` order
    blendshapes: np.ndarray
    #: (x, y, width, height) in pixels of the frame, clipped to it
    box: Tuple[int, int, int, int]

    @property
    def area(self) -> int:
        """Return the box area in pixels (the main face is the largest)."""
        return self.box[2] * self.box[3]


class BlendshapeExtractor:
    """Run MediaPipe FaceLandmarker and return blendshape scores in :data:`BLENDSHAPE_NAMES` order.

    In ``video`` mode MediaPipe tracks the face between frames, which needs strictly increasing
    timestamps; :meth:`extract` guarantees that by moving a repeated or earlier timestamp to one
    millisecond after the previous one (the caller decides what a jump back means for its state).
    """

    def __init__(self, face_model_path: Optional[os.PathLike] = None, video: bool = True,
                 num_faces: int = 1, min_detection_confidence: float = 0.5,
                 num_threads: Optional[int] = None):
        """Load the face model (see :func:`find_face_model` for the lookup order)."""
        # Imported here so that importing the package (e.g. for its constants) stays cheap.
        import mediapipe
        from mediapipe.tasks.python import BaseOptions, vision

        self.model_path = find_face_model(face_model_path)
        self.video = video
        options = vision.FaceLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(self.model_path)),
            running_mode=vision.RunningMode.VIDEO if video else vision.RunningMode.IMAGE,
            num_faces=num_faces,
            min_face_detection_confidence=min_detection_confidence,
            output_face_blendshapes=True)
        try:
            self._landmarker = vision.FaceLandmarker.create_from_options(options)
        except (RuntimeError, ValueError) as error:
            raise ModelFileError(
                f'MediaPipe could not load the face model {self.model_path} ({error}); it may be '
                'corrupt: delete it and ' + FETCH_HINT.format(cache=user_cache_dir())) from error
        self._image_class = mediapipe.Image
        self._image_format = mediapipe.ImageFormat.SRGB
        self._last_timestamp_ms = -1

    def extract_all(self, rgb: np.ndarray, timestamp_s: float = 0.0) -> List[np.ndarray]:
        """Return one float32 array of 52 scores per face found in an RGB uint8 frame."""
        return [scores_from_categories(face)
                for face in self._detect(rgb, timestamp_s).face_blendshapes]

    def extract_faces(self, rgb: np.ndarray,
                      timestamp_s: float = 0.0) -> List[FaceObservation]:
        """Return the blendshapes and box of every face found in an RGB uint8 frame."""
        result = self._detect(rgb, timestamp_s)
        height, width = rgb.shape[:2]
        return [FaceObservation(scores_from_categories(scores), box_of(landmarks, width, height))
                for scores, landmarks in zip(result.face_blendshapes, result.face_landmarks)]

    def _detect(self, rgb: np.ndarray, timestamp_s: float):
        image = self._image_class(image_format=self._image_format,
                                  data=np.ascontiguousarray(rgb))
        if self.video:
            timestamp_ms = max(int(round(timestamp_s * 1000.0)), self._last_timestamp_ms + 1)
            self._last_timestamp_ms = timestamp_ms
            return self._landmarker.detect_for_video(image, timestamp_ms)
        return self._landmarker.detect(image)

    def extract(self, rgb: np.ndarray, timestamp_s: float = 0.0) -> Optional[np.ndarray]:
        """Return the 52 scores of the first face, or None when no face is found."""
        faces = self.extract_all(rgb, timestamp_s)
        return faces[0] if faces else None

    def close(self) -> None:
        """Release MediaPipe's graph (safe to call twice)."""
        if self._landmarker is not None:
            self._landmarker.close()
            self._landmarker = None

    def __enter__(self) -> 'BlendshapeExtractor':
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def box_of(landmarks, width: int, height: int) -> Tuple[int, int, int, int]:
    """Return the pixel box (x, y, w, h) of a face from its normalised face-oval landmarks."""
    xs = [landmarks[i].x for i in FACE_OVAL_LANDMARKS]
    ys = [landmarks[i].y for i in FACE_OVAL_LANDMARKS]
    left, right = max(0, int(min(xs) * width)), min(width, int(round(max(xs) * width)))
    top, bottom = max(0, int(min(ys) * height)), min(height, int(round(max(ys) * height)))
    return left, top, max(0, right - left), max(0, bottom - top)


def scores_from_categories(categories) -> np.ndarray:
    """Order MediaPipe's blendshape categories by :data:`BLENDSHAPE_NAMES` into a float32 array."""
    by_name = {category.category_name: category.score for category in categories}
    missing = [name for name in BLENDSHAPE_NAMES if name not in by_name]
    if missing:
        raise ValueError(f'MediaPipe returned no score for blendshapes {missing}')
    return np.array([by_name[name] for name in BLENDSHAPE_NAMES], dtype=np.float32)


Box = Tuple[int, int, int, int]

#: A face's crop is a square this many times the face's larger side, around its centre.
CROP_SCALE = 1.8
#: A face found in a crop further than this many face sizes from its centre is a neighbour.
OFF_CENTRE = 0.6
#: Crops larger than this (pixels a side) are scaled down before the face mesh runs.
MAX_CROP_PX = 512
#: The detector runs at least this often (seconds); also whenever a face was lost or none is seen.
DETECT_EVERY_S = 0.2


class MultiFaceExtractor:
    """Find up to ``max_faces`` faces: a detector on the frame, then FaceLandmarker per face.

    Every frame, each face found in the previous frame is looked for again in a crop around its
    last box (so a face that turns away from the detector's view is followed by the face mesh).
    The detector (the back-camera BlazeFace by default) runs when ``detect_every_s`` has passed,
    when a face was lost in the previous frame, or when no face is being followed, unless
    ``max_faces`` faces are followed already (it could add none); each run reads the next of
    :func:`detection_views` (the whole frame, then its left and right halves, where faces far
    away are twice as large to the detector), so the cost per frame stays one detector run at
    most. Faces it finds away from the followed ones are added, highest score first.

    Each followed face has its own FaceLandmarker in VIDEO mode (``track_crops``, created when
    that many faces are first followed at once), which follows the face's landmarks from one
    crop to the next instead of running FaceLandmarker's own face detector on every crop, as
    IMAGE mode does (measured: ``benchmarks/results/node_faces.md``). Where it loses the face, or
    follows a neighbour off the crop's centre, it is asked again at once, and then detects on
    the crop as IMAGE mode would. The box is mapped back to frame pixels.
    :meth:`extract_faces` has the signature of :meth:`BlendshapeExtractor.extract_faces`.

    Args:
        face_model_path: MediaPipe ``face_landmarker.task`` (see :func:`find_face_model`).
        max_faces: faces returned at most.
        detector: a face detector (default: the packaged back-camera BlazeFace).
        detect_every_s: longest time between two runs of the detector.
        crop_scale: crop side as a multiple of the face's larger side.
        min_detection_confidence: the detector's and FaceLandmarker's score threshold.
        num_threads: LiteRT threads of the default detector.
        track_crops: one VIDEO-mode FaceLandmarker per followed face (False: one IMAGE-mode
            FaceLandmarker for every crop, which detects the face in each crop anew).

    """

    def __init__(self, face_model_path: Optional[os.PathLike] = None, max_faces: int = 4,
                 detector: Optional[BlazeFaceDetector] = None,
                 detect_every_s: float = DETECT_EVERY_S, crop_scale: float = CROP_SCALE,
                 min_detection_confidence: float = MIN_SCORE, num_threads: int = 1,
                 track_crops: bool = True):
        """Load the detector and the face model."""
        if max_faces < 1:
            raise ValueError(f'max_faces must be >= 1, got {max_faces}')
        if crop_scale < 1.0:
            raise ValueError(f'crop_scale must be >= 1, got {crop_scale}')
        self.max_faces = max_faces
        self.detect_every_s = detect_every_s
        self.crop_scale = crop_scale
        self.track_crops = track_crops
        self._min_confidence = min_detection_confidence
        self.detector = detector or BlazeFaceDetector(min_score=min_detection_confidence,
                                                      num_threads=num_threads)
        # One face per crop: asking for two would run the mesh on every neighbour reaching into
        # a crop (measured: +50% with 3-4 people side by side); a face found away from the
        # crop's centre (a neighbour) is not taken for the one the crop is about.
        self.landmarker = BlendshapeExtractor(face_model_path, video=track_crops, num_faces=1,
                                              min_detection_confidence=min_detection_confidence)
        self.model_path = self.landmarker.model_path
        #: The FaceLandmarkers of the crops: one per followed face (track_crops), else one.
        self._landmarkers: List[BlendshapeExtractor] = [self.landmarker]
        #: (box, index in _landmarkers) of each face followed from the previous frame.
        self._followed: List[Tuple[Box, int]] = []
        self._last_detection_s: Optional[float] = None
        self._lost = False
        self._next_view = 0
        #: How many times the detector ran (for tests and benchmarks).
        self.detector_runs = 0

    def extract_faces(self, rgb: np.ndarray,
                      timestamp_s: float = 0.0) -> List[FaceObservation]:
        """Return the blendshapes and box (frame pixels) of every face found, up to max_faces."""
        regions: List[Tuple[Box, Optional[int]]] = list(self._followed)
        if self._detection_due(timestamp_s):
            self._last_detection_s = timestamp_s
            views = detection_views(rgb.shape[1], rgb.shape[0])
            left, top, width, height = views[self._next_view % len(views)]
            self._next_view += 1
            self.detector_runs += 1
            for detection in self.detector.detect(rgb[top:top + height, left:left + width]):
                if len(regions) >= self.max_faces:
                    break
                x, y, w, h = detection.box
                box = (x + left, y + top, w, h)
                if not any(same_face(box, region) for region, _ in regions):
                    regions.append((box, None))
        faces: List[FaceObservation] = []
        followed: List[Tuple[Box, int]] = []
        in_use = {index for _, index in regions if index is not None}
        for region, index in regions:
            if index is None:
                index = self._free_landmarker(in_use)
                in_use.add(index)
            face = self.face_in_region(rgb, region, index, timestamp_s)
            if face is not None and not any(same_face(face.box, other.box) for other in faces):
                faces.append(face)
                followed.append((face.box, index))
        self._lost = len(faces) < len(self._followed)
        self._followed = followed
        return faces

    def _detection_due(self, timestamp_s: float) -> bool:
        if self._followed and not self._lost and len(self._followed) >= self.max_faces:
            return False  # every face it could find would be one too many
        return (not self._followed or self._lost or self._last_detection_s is None
                or timestamp_s < self._last_detection_s
                # 1 ms early, so that 0.2 s at 15 fps is every third frame despite rounding
                or timestamp_s - self._last_detection_s >= self.detect_every_s - 1e-3)

    def _free_landmarker(self, in_use: set) -> int:
        """Return the index of a crop FaceLandmarker no face uses (creating one if needed)."""
        if not self.track_crops:
            return 0
        for index in range(len(self._landmarkers)):
            if index not in in_use:
                return index
        # Loaded while frames are processed: keep MediaPipe's start-up lines off the terminal.
        self._landmarkers.append(call_quietly(
            BlendshapeExtractor, self.model_path, video=True, num_faces=1,
            min_detection_confidence=self._min_confidence))
        return len(self._landmarkers) - 1

    def face_in_region(self, rgb: np.ndarray, region: Box, landmarker: int = 0,
                       timestamp_s: float = 0.0) -> Optional[FaceObservation]:
        """Run FaceLandmarker ``landmarker`` on a crop around ``region``; return its face.

        The face's box is in frame pixels; None when no face is found near the crop's centre.
        """
        height, width = rgb.shape[:2]
        x, y, w, h = region
        centre_x, centre_y = x + w / 2.0, y + h / 2.0
        half = self.crop_scale * max(w, h, 1) / 2.0
        left, top = max(0, int(centre_x - half)), max(0, int(centre_y - half))
        right = min(width, int(round(centre_x + half)))
        bottom = min(height, int(round(centre_y + half)))
        if right - left < 2 or bottom - top < 2:
            return None
        crop = rgb[top:bottom, left:right]
        scale = min(1.0, MAX_CROP_PX / max(crop.shape[:2]))
        if scale < 1.0:
            crop = cv2.resize(crop, (max(1, int(round(crop.shape[1] * scale))),
                                     max(1, int(round(crop.shape[0] * scale)))),
                              interpolation=cv2.INTER_AREA)
        target = ((centre_x - left) * scale, (centre_y - top) * scale)
        limit = OFF_CENTRE * max(w, h) * scale

        def centred(found: List[FaceObservation]) -> bool:
            return bool(found) and centre_distance(found[0].box, target) <= limit
        extractor = self._landmarkers[landmarker]
        found = extractor.extract_faces(crop, timestamp_s)
        if extractor.video and not centred(found):
            # It followed landmarks that are not this face's (it lost the face, or it followed
            # a neighbour or, reused, an earlier face): make it forget them, so that it detects.
            if found:
                extractor.extract_faces(_blank_image(), timestamp_s)
            found = extractor.extract_faces(crop, timestamp_s)
        if not centred(found):
            return None
        face = found[0]
        fx, fy, fw, fh = face.box
        box = (left + int(fx / scale), top + int(fy / scale),
               int(round(fw / scale)), int(round(fh / scale)))
        return FaceObservation(face.blendshapes, clip_box(box, width, height))

    def reset(self) -> None:
        """Forget the faces being followed (the next frame runs the detector on all of it)."""
        self._followed = []
        self._last_detection_s = None
        self._lost = False
        self._next_view = 0

    def close(self) -> None:
        """Release MediaPipe's graphs (safe to call twice)."""
        for landmarker in self._landmarkers:
            landmarker.close()

    def __enter__(self) -> 'MultiFaceExtractor':
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def _blank_image() -> np.ndarray:
    """Return a small grey RGB image: no face, so a VIDEO-mode FaceLandmarker forgets its face."""
    return np.full((64, 64, 3), 128, np.uint8)


def detection_views(width: int, height: int) -> List[Box]:
    """Return the parts of a frame the detector reads in turn: all of it, then two halves.

    The halves overlap by a tenth of the frame's width, so that a face far away (small) on the
    middle line is whole in one of them; a frame taller than wide is read whole only.
    """
    views = [(0, 0, width, height)]
    if width > height:
        half = int(round(width * 0.55))
        views += [(0, 0, half, height), (width - half, 0, half, height)]
    return views


def centre_distance(box: Box, point: Sequence[float]) -> float:
    """Return the distance from a box's centre to a point, in pixels."""
    x, y, w, h = box
    return float(np.hypot(x + w / 2.0 - point[0], y + h / 2.0 - point[1]))


def same_face(box: Box, other: Box) -> bool:
    """Return whether two boxes are on one face: centres closer than half the larger face."""
    size = max(box[2], box[3], other[2], other[3], 1)
    return centre_distance(box, (other[0] + other[2] / 2.0, other[1] + other[3] / 2.0)) \
        < 0.5 * size


def clip_box(box: Box, width: int, height: int) -> Box:
    """Clip an (x, y, w, h) box to a frame of ``width`` x ``height`` pixels."""
    x, y, w, h = box
    left, top = min(max(0, x), width), min(max(0, y), height)
    right, bottom = min(width, x + w), min(height, y + h)
    return left, top, max(0, right - left), max(0, bottom - top)
