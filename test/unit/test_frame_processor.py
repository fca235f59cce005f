# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""FrameProcessor (no ROS): the node's per-frame logic on the real estimator and real faces."""

import math

import numpy as np
import pytest

from emotion_estimator.estimator import EmotionEstimator
from emotion_estimator.frame_processor import FrameProcessor, ProcessedFrame
from emotion_estimator.model_loading import load_estimator, ModelLoadError
from emotion_estimator.stream_order import StreamOrder

RATE_HZ = 15.0


@pytest.fixture(scope='module')
def camera(emotion_model_spec, face_model_path):
    with EmotionEstimator(emotion_model_spec, face_model_path=face_model_path,
                          max_faces=1) as estimator:
        yield estimator


@pytest.fixture
def processor(camera):
    warnings = []
    created = FrameProcessor(camera, StreamOrder(), warnings.append)
    created.warnings = warnings
    yield created
    created.reset()


def test_camera_frames_give_the_main_face_and_late_frames_are_dropped(
        processor, astronaut_frame):
    results = [processor.process(astronaut_frame, 10.0 + i / RATE_HZ) for i in range(5)]
    assert all(isinstance(result, ProcessedFrame) for result in results)
    last = results[-1]
    assert last.main and last.result.face_found and last.faces[0] is last.result
    assert processor.main_face_id == last.result.face_id != ''
    assert last.drop_after_s == processor.estimator.settings.face_lost_grace_s
    assert processor.process(astronaut_frame, 10.0) == 'late'
    assert processor.order.jumps_back == 0 and processor.warnings == []


def test_a_stamp_far_back_restarts_with_a_warning(processor, astronaut_frame):
    processor.process(astronaut_frame, 100.0)
    restarted = processor.process(astronaut_frame, 10.0)
    assert isinstance(restarted, ProcessedFrame)
    assert processor.order.jumps_back == 1
    assert 'went back from 100.000 s to 10.000 s' in processor.warnings[-1]


def test_a_frame_without_a_face_gives_the_no_face_result(processor):
    grey = np.full((480, 640, 3), 128, np.uint8)
    result = processor.process(grey, 5.0)
    assert result.faces == [] and result.main and not result.result.face_found


def test_an_unusable_frame_is_bad(processor):
    assert processor.process(np.zeros((480, 640), np.uint8), 1.0) == 'bad'  # not BGR
    assert 'dropping frame' in processor.warnings[-1]
    assert processor.order.last() is None  # not processed: a later frame is not late


def test_decision_values_negative_mean_the_tuned_ones(processor):
    tuned = processor.estimator.spec.decision
    processor.update_decision({'min_confidence': 0.9, 'min_dwell_s': -1.0})
    assert processor.estimator.settings.min_confidence == 0.9
    assert processor.estimator.settings.min_dwell_s == tuned.min_dwell_s
    processor.update_decision({'min_confidence': -1.0})
    assert processor.estimator.settings == tuned


def test_ros4hri_faces_each_their_stream_and_the_main_face_leaving(
        emotion_model_spec, face_model_path, astronaut_frame):
    loaded = load_estimator(str(emotion_model_spec), str(face_model_path), None,
                            faces_from='face_images')
    face = astronaut_frame[40:300, 180:440]
    with loaded.estimator:
        processor = FrameProcessor(loaded.estimator, StreamOrder(), lambda message: None)
        first = processor.process(face, 1.0, 'abcde')
        second = processor.process(face, 1.0, 'fghij')  # same stamp, other stream: not late
        assert first.main and not second.main and math.isinf(first.drop_after_s)
        assert processor.main_face_id == 'abcde'
        assert processor.process(face, 1.0, 'abcde') == 'late'
        assert processor.forget(['fghij']) is False  # not the main face
        assert processor.forget(['abcde']) is True  # the main face, and no other left
        assert processor.main_face_id == '' and processor.order.last('abcde') is None


def test_a_missing_face_model_names_the_fix(emotion_model_spec, tmp_path):
    with pytest.raises(ModelLoadError, match='fetch-models'):
        load_estimator(str(emotion_model_spec), str(tmp_path / 'none.task'), None)


def test_a_bad_variant_names_the_fix(emotion_model_spec, face_model_path):
    with pytest.raises(ModelLoadError, match='model_variant to one of its variants'):
        load_estimator(str(emotion_model_spec), str(face_model_path), 'int4')
