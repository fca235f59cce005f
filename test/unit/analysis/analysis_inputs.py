# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Helpers that build the analysis tests' inputs: frame layout, rates and ROS 2 bag writing."""

from pathlib import Path
from typing import Dict, List, Optional, Sequence

import cv2
from face_frames import people_scene, two_people
import numpy as np

#: Small frames at a low rate keep the end-to-end tests cheap on a shared 2-core machine.
FRAME_WIDTH, FRAME_HEIGHT, FACE_SIDE = 320, 240, 160
FPS = 10.0
#: Stamp of the first bag message (a realistic epoch time in seconds).
BAG_START_S = 1_790_000_000
CAMERA_TOPIC = '/camera/image_raw'
#: The two-people recording: frames with both, then without the smaller face, then with nobody.
BOTH_FRAMES, ONE_FRAMES, NOBODY_FRAMES = 15, 10, 3
#: Left edges of the two photos in the 1280x720 scene (``face_frames.people_scene``).
PHOTO_LEFTS = [120, 720]


def place_face(face: np.ndarray) -> np.ndarray:
    """Upscale a 48x48 grey face and centre it on a small grey BGR frame."""
    scaled = cv2.resize(face, (FACE_SIDE, FACE_SIDE), interpolation=cv2.INTER_CUBIC)
    frame = np.full((FRAME_HEIGHT, FRAME_WIDTH, 3), 128, np.uint8)
    top, left = (FRAME_HEIGHT - FACE_SIDE) // 2, (FRAME_WIDTH - FACE_SIDE) // 2
    frame[top:top + FACE_SIDE, left:left + FACE_SIDE] = cv2.cvtColor(scaled, cv2.COLOR_GRAY2BGR)
    return frame


def two_people_recording() -> List[np.ndarray]:
    """Return the frames of a recording of two real people (``face_frames.two_people``).

    At :data:`FPS`: 1.5 s of both people side by side, 1 s of the second one alone (the
    astronaut, whose face is the smaller, is hidden), then 0.3 s of nobody.
    """
    photos = two_people()
    return ([people_scene(photos, PHOTO_LEFTS)] * BOTH_FRAMES
            + [people_scene(photos, PHOTO_LEFTS, hidden=(0,))] * ONE_FRAMES
            + [people_scene(photos, PHOTO_LEFTS, hidden=(0, 1))] * NOBODY_FRAMES)


def write_ffv1(path: Path, frames: Sequence[np.ndarray], fps: float = FPS) -> Path:
    """Write BGR frames (all of one size) as a lossless FFV1 .avi.

    Lossless, because MJPG's small changes can make MediaPipe lose a borderline face for good
    in VIDEO mode; lossy decoding is covered by the MJPG source test and the jpeg bag.
    """
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*'FFV1'), fps, (width, height))
    assert writer.isOpened()
    for frame in frames:
        writer.write(frame)
    writer.release()
    return path


def write_bag(path: Path, frames: Sequence[np.ndarray], storage: str = 'mcap',
              compressed: bool = False, encoding: str = 'bgr8',
              extra_topics: Optional[Dict[str, str]] = None, with_camera: bool = True) -> Path:
    """Write ``frames`` as a ROS 2 bag on :data:`CAMERA_TOPIC`, stamped at :data:`FPS`.

    Args:
        path: the bag folder to create.
        frames: BGR frames.
        storage: 'mcap' or 'sqlite3'.
        compressed: write sensor_msgs/CompressedImage (jpeg) instead of Image.
        encoding: the Image encoding written in the messages (the data stays bgr8).
        extra_topics: more topics to declare, topic -> message type (one message each for
            images, none otherwise).
        with_camera: declare :data:`CAMERA_TOPIC` (False: a bag without it).

    """
    from rosbags.rosbag2 import StoragePlugin, Writer
    from rosbags.typesys import get_typestore, Stores

    store = get_typestore(Stores.ROS2_KILTED)
    image_type = store.types['sensor_msgs/msg/Image']
    compressed_type = store.types['sensor_msgs/msg/CompressedImage']
    header_type = store.types['std_msgs/msg/Header']
    time_type = store.types['builtin_interfaces/msg/Time']
    plugin = StoragePlugin.MCAP if storage == 'mcap' else StoragePlugin.SQLITE3

    def message(frame: np.ndarray, stamp_ns: int, use_compressed: bool):
        header = header_type(stamp=time_type(sec=stamp_ns // 10**9, nanosec=stamp_ns % 10**9),
                             frame_id='camera')
        if use_compressed:
            ok, data = cv2.imencode('.jpg', frame, [cv2.IMWRITE_JPEG_QUALITY, 90])
            assert ok
            return compressed_type(header=header, format='jpeg',
                                   data=np.asarray(data, np.uint8).reshape(-1))
        return image_type(header=header, height=frame.shape[0], width=frame.shape[1],
                          encoding=encoding, is_bigendian=0, step=frame.shape[1] * 3,
                          data=np.ascontiguousarray(frame).reshape(-1))

    with Writer(path, version=9, storage_plugin=plugin) as writer:
        kind = compressed_type if compressed else image_type
        camera = (writer.add_connection(CAMERA_TOPIC, kind.__msgtype__, typestore=store)
                  if with_camera else None)
        others = {topic: writer.add_connection(topic, msgtype, typestore=store)
                  for topic, msgtype in (extra_topics or {}).items()}
        for index, frame in enumerate(frames if camera is not None else []):
            stamp_ns = BAG_START_S * 10**9 + int(round(index * 1e9 / FPS))
            msg = message(frame, stamp_ns, compressed)
            writer.write(camera, stamp_ns, store.serialize_cdr(msg, kind.__msgtype__))
        for topic, connection in others.items():
            msgtype = connection.msgtype
            if msgtype in (image_type.__msgtype__, compressed_type.__msgtype__) and frames:
                use_compressed = msgtype == compressed_type.__msgtype__
                msg = message(frames[0], BAG_START_S * 10**9, use_compressed)
                writer.write(connection, BAG_START_S * 10**9, store.serialize_cdr(msg, msgtype))
    return path
