# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Frame sources on small generated inputs: order, times, topic choice and clear errors."""

from pathlib import Path
import threading

from analysis_inputs import BAG_START_S, CAMERA_TOPIC, FPS, write_bag
import cv2
import numpy as np
import pytest

from emotion_estimator.analysis.sources import BagSource, ImageFolderSource, open_source, \
    prefetch, SourceError, VideoSource


def numbered_frames(count: int):
    """Return frames whose mean grey level encodes their index (survives JPEG)."""
    return [np.full((48, 64, 3), 20 + 20 * index, np.uint8) for index in range(count)]


def frame_number(frame: np.ndarray) -> int:
    """Return the index encoded by :func:`numbered_frames`."""
    return int(round((float(frame.mean()) - 20) / 20))


def test_image_folder_in_natural_order_at_fps(tmp_path: Path):
    for index, frame in enumerate(numbered_frames(11)):
        cv2.imwrite(str(tmp_path / f'f{index}.png'), frame)
    source = open_source(str(tmp_path), fps=5.0)
    assert isinstance(source, ImageFolderSource) and source.expected_frames == 11
    frames = list(source)
    assert [frame_number(f) for _, f in frames] == list(range(11))
    assert [t for t, _ in frames] == pytest.approx([i / 5.0 for i in range(11)])


def test_video_times_increase_at_the_frame_rate(tmp_path: Path):
    path = tmp_path / 'clip.avi'
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*'MJPG'), 10.0, (64, 48))
    for frame in numbered_frames(8):
        writer.write(frame)
    writer.release()
    source = open_source(str(path))
    assert isinstance(source, VideoSource)
    frames = list(source)
    assert [frame_number(f) for _, f in frames] == list(range(8))
    times = [t for t, _ in frames]
    assert np.diff(times) == pytest.approx([0.1] * 7, abs=1e-3)


@pytest.mark.parametrize('storage, compressed', [('mcap', False), ('sqlite3', True)])
def test_bag_uses_header_stamps(tmp_path: Path, storage: str, compressed: bool):
    bag = write_bag(tmp_path / 'bag', numbered_frames(5), storage, compressed)
    source = open_source(str(bag))
    assert isinstance(source, BagSource) and source.topic == CAMERA_TOPIC
    frames = list(source)
    assert [frame_number(f) for _, f in frames] == list(range(5))
    assert [t for t, _ in frames] == pytest.approx([BAG_START_S + i / FPS for i in range(5)])


def test_bag_storage_file_can_be_given_directly(tmp_path: Path):
    bag = write_bag(tmp_path / 'bag', numbered_frames(3), 'mcap')
    (mcap,) = bag.glob('*.mcap')
    assert len(list(open_source(str(mcap)))) == 3


def test_bag_with_two_image_topics_needs_topic(tmp_path: Path):
    bag = write_bag(tmp_path / 'bag', numbered_frames(3), 'mcap',
                    extra_topics={'/other/compressed': 'sensor_msgs/msg/CompressedImage'})
    with pytest.raises(SourceError, match='--topic'):
        open_source(str(bag))
    assert len(list(open_source(str(bag), topic=CAMERA_TOPIC))) == 3
    assert len(list(open_source(str(bag), topic='/other/compressed'))) == 1
    with pytest.raises(SourceError, match='no image topic /nope'):
        open_source(str(bag), topic='/nope')


def test_bag_without_image_topic(tmp_path: Path):
    bag = write_bag(tmp_path / 'bag', [], 'sqlite3',
                    extra_topics={'/chatter': 'std_msgs/msg/String'}, with_camera=False)
    with pytest.raises(SourceError, match='no sensor_msgs/Image'):
        open_source(str(bag))
    empty = write_bag(tmp_path / 'empty', [], 'mcap')
    with pytest.raises(SourceError, match='no message'):
        open_source(str(empty))


def test_bag_with_unknown_encoding_fails_on_the_message(tmp_path: Path):
    bag = write_bag(tmp_path / 'bag', numbered_frames(2), 'mcap', encoding='32FC1')
    with pytest.raises(SourceError, match='32FC1'):
        list(open_source(str(bag)))


def test_bad_inputs_raise_source_errors(tmp_path: Path):
    with pytest.raises(SourceError, match='does not exist'):
        open_source(str(tmp_path / 'missing.mp4'))
    empty = tmp_path / 'empty'
    empty.mkdir()
    (empty / 'readme.txt').write_text('no frames here')
    with pytest.raises(SourceError, match='holds no image'):
        open_source(str(empty))
    broken = tmp_path / 'broken.mp4'
    broken.write_bytes(b'this is not a video' * 100)
    with pytest.raises(SourceError):
        open_source(str(broken))
    corrupt = tmp_path / 'corrupt'
    corrupt.mkdir()
    (corrupt / 'a.png').write_bytes(b'not a png')
    with pytest.raises(SourceError, match='cannot read image'):
        list(open_source(str(corrupt)))
    with pytest.raises(SourceError, match='fps'):
        open_source(str(corrupt), fps=0.0)


def test_prefetch_keeps_order_and_raises_source_errors_in_order():
    def frames():
        for index in range(20):
            yield index / FPS, np.full((2, 2, 3), index, np.uint8)
        raise SourceError('broken at the end')

    seen = []
    with pytest.raises(SourceError, match='broken at the end'):
        for time_s, frame in prefetch(frames(), depth=3):
            seen.append((time_s, int(frame[0, 0, 0])))
    assert seen == [(index / FPS, index) for index in range(20)]


def test_prefetch_stops_its_thread_when_closed_early():
    produced = []

    def endless():
        index = 0
        while True:
            produced.append(index)
            yield float(index), np.zeros((2, 2, 3), np.uint8)
            index += 1

    frames = prefetch(endless(), depth=2)
    assert next(frames)[0] == 0.0
    frames.close()
    count = len(produced)
    assert not any(t.name == 'frame-prefetch' and t.is_alive() for t in threading.enumerate())
    assert len(produced) == count
