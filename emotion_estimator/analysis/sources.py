# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Timed BGR frames from a video file, a webcam, a folder of images or a ROS 2 bag.

Every source is an iterable of ``(time_s, frame_bgr)`` with strictly increasing times, checked
when it is opened (so a bad input fails before any output is written) and raising
:class:`SourceError` with a message that says what was wrong.
"""

from pathlib import Path
import queue
import re
import threading
import time
from typing import Iterable, Iterator, List, Optional, Tuple

import cv2
import numpy as np

from emotion_estimator.ros_image import compressed_to_bgr, image_to_bgr, ImageConversionError

TimedFrame = Tuple[float, np.ndarray]

#: Suffixes read as images in a folder of frames.
IMAGE_SUFFIXES = ('.png', '.jpg', '.jpeg', '.bmp', '.tif', '.tiff', '.webp', '.ppm', '.pgm')
#: Message types read from a ROS 2 bag.
IMAGE_TYPE = 'sensor_msgs/msg/Image'
COMPRESSED_IMAGE_TYPE = 'sensor_msgs/msg/CompressedImage'
IMAGE_TYPES = (IMAGE_TYPE, COMPRESSED_IMAGE_TYPE)
#: Suffixes of ROS 2 bag storage files (a bag is also a folder holding metadata.yaml).
BAG_SUFFIXES = ('.mcap', '.db3')


class SourceError(ValueError):
    """An input cannot be read as a sequence of frames."""


class FrameSource:
    """Base of the frame sources: an iterable of ``(time_s, frame_bgr)``."""

    #: What the source is, for messages and the report.
    description: str = ''
    #: Number of frames expected, when known (for the progress bar).
    expected_frames: Optional[int] = None
    #: Kind of source: 'video', 'webcam', 'images' or 'bag'.
    kind: str = ''

    def __iter__(self) -> Iterator[TimedFrame]:
        """Yield ``(time_s, frame_bgr)`` in time order."""
        raise NotImplementedError


class VideoSource(FrameSource):
    """Frames of a video file OpenCV can read, or of a webcam given by its index.

    File times come from ``CAP_PROP_POS_MSEC``; where the backend gives no increasing position,
    from the previous time plus ``1 / fps``. Webcam times are seconds since the first frame
    (monotonic clock); a webcam is read until ``max_seconds`` or Ctrl-C.
    """

    def __init__(self, path_or_index: str, max_seconds: Optional[float] = None,
                 fallback_fps: float = 30.0):
        """Open the video and read its first frame.

        Raises:
            SourceError: OpenCV cannot open the video or it has no frame.

        """
        self.webcam = path_or_index.isdigit() and not Path(path_or_index).exists()
        self.kind = 'webcam' if self.webcam else 'video'
        self.description = f'{self.kind} {path_or_index}'
        self.max_seconds = max_seconds
        if self.webcam:
            self._capture = cv2.VideoCapture(int(path_or_index))
        else:
            if not Path(path_or_index).is_file():
                raise SourceError(f'{path_or_index} does not exist or is not a file')
            self._capture = cv2.VideoCapture(str(path_or_index))
        if not self._capture.isOpened():
            raise SourceError(f'OpenCV cannot open {self.description}: not a readable video '
                              'file (or camera)')
        fps = self._capture.get(cv2.CAP_PROP_FPS)
        self.fps = fps if 0 < fps < 1000 else fallback_fps
        count = int(self._capture.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        self.expected_frames = count if count > 0 and not self.webcam else None
        ok, frame = self._capture.read()
        if not ok or frame is None or frame.size == 0:
            self._capture.release()
            raise SourceError(f'{self.description} has no readable frame')
        self._first = frame
        self._started = time.monotonic()

    def _time(self, previous: Optional[float]) -> float:
        if self.webcam:
            return time.monotonic() - self._started
        position = self._capture.get(cv2.CAP_PROP_POS_MSEC) / 1000.0
        if previous is None:
            return max(position, 0.0) if np.isfinite(position) else 0.0
        if np.isfinite(position) and position > previous:
            return position
        return previous + 1.0 / self.fps

    def __iter__(self) -> Iterator[TimedFrame]:
        """Yield the frames with their times until the video ends."""
        try:
            frame: Optional[np.ndarray] = self._first
            previous: Optional[float] = None
            while frame is not None:
                now = self._time(previous)
                if previous is not None and now <= previous:
                    now = previous + 1e-3
                if self.max_seconds is not None and now > self.max_seconds:
                    break
                yield now, _as_bgr(frame)
                previous = now
                ok, frame = self._capture.read()
                if not ok:
                    frame = None
        finally:
            self._capture.release()


def _natural_key(path: Path) -> List[object]:
    """Sort key that orders frame_2 before frame_10."""
    return [int(part) if part.isdigit() else part.lower()
            for part in re.split(r'(\d+)', path.name)]


class ImageFolderSource(FrameSource):
    """Every image in a folder, in natural name order (frame_2 before frame_10), at ``fps``.

    Frame ``i`` gets time ``i / fps``.
    """

    kind = 'images'

    def __init__(self, folder: Path, fps: float = 30.0):
        """List the images of ``folder``.

        Raises:
            SourceError: the folder holds no image, or ``fps`` is not positive.

        """
        if fps <= 0:
            raise SourceError(f'--fps must be positive, got {fps}')
        self.fps = fps
        self.files = sorted((p for p in Path(folder).iterdir()
                             if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES),
                            key=_natural_key)
        if not self.files:
            raise SourceError(f'folder {folder} holds no image ({", ".join(IMAGE_SUFFIXES)})')
        self.description = f'{len(self.files)} images in {folder} at {fps:g} fps'
        self.expected_frames = len(self.files)

    def __iter__(self) -> Iterator[TimedFrame]:
        """Yield each image with its time.

        Raises:
            SourceError: an image cannot be read.

        """
        for index, path in enumerate(self.files):
            frame = cv2.imread(str(path), cv2.IMREAD_COLOR)
            if frame is None or frame.size == 0:
                raise SourceError(f'cannot read image {path}')
            yield index / self.fps, frame


def is_bag(path: Path) -> bool:
    """Return whether ``path`` looks like a ROS 2 bag (folder with metadata.yaml, .mcap, .db3)."""
    path = Path(path)
    if path.is_dir():
        return (path / 'metadata.yaml').is_file()
    return path.suffix.lower() in BAG_SUFFIXES


class BagSource(FrameSource):
    """The images of one ``sensor_msgs/Image`` or ``CompressedImage`` topic of a ROS 2 bag.

    Reads mcap and sqlite3 bags with ``rosbags`` (message definitions from the bag, else the ROS 2
    Kilted type store). Times are the messages' header stamps; a message whose stamp does not
    increase is skipped (counted in ``skipped``).
    """

    kind = 'bag'

    def __init__(self, path: Path, topic: Optional[str] = None):
        """Open the bag and choose the image topic.

        Raises:
            SourceError: the bag cannot be read, has no (or not the named) image topic, or
                several image topics and no ``topic``.

        """
        try:
            from rosbags.highlevel import AnyReader
            from rosbags.typesys import get_typestore, Stores
        except ImportError as error:
            raise SourceError('reading ROS 2 bags needs rosbags: pip install '
                              '"emotion_estimator[analysis]"') from error
        self.path = Path(path)
        self.skipped = 0
        self._reader = AnyReader([self.path],
                                 default_typestore=get_typestore(Stores.ROS2_KILTED))
        try:
            self._reader.open()
        except Exception as error:  # rosbags raises several unrelated types for bad bags
            raise SourceError(f'cannot read ROS 2 bag {path}: {error}') from error
        try:
            images = sorted({c.topic: c.msgtype for c in self._reader.connections
                             if c.msgtype in IMAGE_TYPES}.items())
            if topic is None:
                if not images:
                    raise SourceError(f'bag {path} has no sensor_msgs/Image or CompressedImage '
                                      'topic')
                if len(images) > 1:
                    raise SourceError(f'bag {path} has several image topics '
                                      f'({", ".join(t for t, _ in images)}); choose one with '
                                      '--topic')
                topic = images[0][0]
            elif topic not in dict(images):
                raise SourceError(f'bag {path} has no image topic {topic}; image topics: '
                                  f'{", ".join(t for t, _ in images) or "none"}')
        except SourceError:
            self._reader.close()
            raise
        self.topic = topic
        self.msgtype = dict(images)[topic]
        self._connections = [c for c in self._reader.connections if c.topic == topic]
        self.expected_frames = sum(c.msgcount for c in self._connections)
        if self.expected_frames == 0:
            self._reader.close()
            raise SourceError(f'image topic {topic} of bag {path} has no message')
        self.description = f'bag {path} topic {topic} ({self.msgtype.split("/")[-1]})'

    def __iter__(self) -> Iterator[TimedFrame]:
        """Yield each image of the topic with its header stamp in seconds.

        Raises:
            SourceError: a message cannot be converted (unknown encoding, bad size, corrupt).

        """
        try:
            previous: Optional[float] = None
            for connection, _, raw in self._reader.messages(connections=self._connections):
                message = self._reader.deserialize(raw, connection.msgtype)
                stamp = message.header.stamp
                now = stamp.sec + stamp.nanosec * 1e-9
                if previous is not None and now <= previous:
                    self.skipped += 1
                    continue
                try:
                    if connection.msgtype == IMAGE_TYPE:
                        frame = image_to_bgr(message.encoding, message.height, message.width,
                                             message.step, message.data)
                    else:
                        frame = compressed_to_bgr(message.format, message.data)
                except ImageConversionError as error:
                    raise SourceError(f'{self.description}: message at {now:.3f} s: '
                                      f'{error}') from error
                previous = now
                yield now, frame
        finally:
            self._reader.close()


def _as_bgr(frame: np.ndarray) -> np.ndarray:
    if frame.ndim == 2:
        return cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
    if frame.shape[2] == 4:
        return cv2.cvtColor(frame, cv2.COLOR_BGRA2BGR)
    return frame


def prefetch(frames: Iterable[TimedFrame], depth: int = 8) -> Iterator[TimedFrame]:
    """Read (and decode) frames in a background thread, up to ``depth`` ahead of the consumer.

    OpenCV and MediaPipe release the GIL, so decoding the next frame overlaps with processing
    this one when a second core is free. Errors of the source are raised in the consumer, in
    order; closing the returned generator (or an exception in the consumer) stops the thread.
    """
    items: 'queue.Queue[tuple]' = queue.Queue(maxsize=max(depth, 1))
    stop = threading.Event()

    def put(item: tuple) -> bool:
        while not stop.is_set():
            try:
                items.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for frame in frames:
                if not put(('frame', frame)):
                    return
            put(('end', None))
        except BaseException as error:  # handed to the consumer, which re-raises it
            put(('error', error))

    thread = threading.Thread(target=produce, name='frame-prefetch', daemon=True)
    thread.start()
    try:
        while True:
            kind, payload = items.get()
            if kind == 'end':
                return
            if kind == 'error':
                raise payload
            yield payload
    finally:
        stop.set()
        thread.join(timeout=5.0)


def open_source(input_path: str, fps: float = 30.0, topic: Optional[str] = None,
                max_seconds: Optional[float] = None) -> FrameSource:
    """Open ``input_path`` as the right kind of source.

    A bag folder (with ``metadata.yaml``) or ``.mcap`` / ``.db3`` file is a ROS 2 bag, another
    folder is a folder of images, a number that is not a file is a webcam index, anything else a
    video file.

    Raises:
        SourceError: the input does not exist or cannot be read as its kind.

    """
    path = Path(input_path)
    if input_path.isdigit() and not path.exists():
        return VideoSource(input_path, max_seconds=max_seconds, fallback_fps=fps)
    if not path.exists():
        raise SourceError(f'input {input_path} does not exist')
    if is_bag(path):
        return BagSource(path, topic)
    if path.is_dir():
        return ImageFolderSource(path, fps)
    return VideoSource(input_path, max_seconds=max_seconds, fallback_fps=fps)
