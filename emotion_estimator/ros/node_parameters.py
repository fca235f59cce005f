# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The node's parameters: name -> (default, descriptor); the YAML config and README mirror them.

The descriptors carry the types, ranges and read-only flags, and rclpy enforces them on every
set (``test_node.py`` checks it through the set_parameters service), so the node does not check
them again.
"""

from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from rcl_interfaces.msg import (
    FloatingPointRange, IntegerRange, ParameterDescriptor, ParameterType)

from emotion_estimator.contract import DEFAULT_MAX_FACES, MOST_FACES
from emotion_estimator.front_ends import FACE_IMAGES, FRAMES

#: Decision settings that can change at run time (a negative value means the model's tuned value).
DECISION_PARAMETERS = ('happy_gain', 'sad_gain', 'min_confidence', 'smoothing_time_s',
                       'min_dwell_s', 'switch_margin', 'face_lost_grace_s')

#: The values of the ``face_source`` parameter, each with the estimator's front-end it uses
#: (``EmotionEstimator(faces_from=...)``): the faces found in the camera's frames, or the face
#: images that ROS4HRI's detector publishes.
FRONT_END_OF_FACE_SOURCE = {'camera': FRAMES, 'ros4hri': FACE_IMAGES}
CAMERA, ROS4HRI = FRONT_END_OF_FACE_SOURCE


def describe(description: str, read_only: bool = False,
             floats: Optional[Tuple[float, float]] = None,
             ints: Optional[Tuple[int, int]] = None,
             parameter_type: int = ParameterType.PARAMETER_NOT_SET) -> ParameterDescriptor:
    """Return a descriptor with a description and, where given, a range."""
    descriptor = ParameterDescriptor(description=description, read_only=read_only,
                                     type=parameter_type)
    if floats is not None:
        descriptor.floating_point_range = [FloatingPointRange(
            from_value=float(floats[0]), to_value=float(floats[1]), step=0.0)]
    if ints is not None:
        descriptor.integer_range = [IntegerRange(from_value=ints[0], to_value=ints[1], step=1)]
    return descriptor


def class_names_parameter(class_names: Sequence[str]) -> Tuple[List[str], ParameterDescriptor]:
    """Return the default and descriptor of ``class_names`` (declared once a model is loaded)."""
    return list(class_names), describe(
        'the 7 classes in the order of emotion/scores (from the model)', read_only=True,
        parameter_type=ParameterType.PARAMETER_STRING_ARRAY)


#: name -> (default, descriptor). The YAML config and the README table mirror this.
PARAMETERS: Dict[str, tuple] = {
    'model_spec_path': ('', describe(
        'emotion_model.json of the emotion model; empty = the packaged model', read_only=True)),
    'face_model_path': ('', describe(
        'MediaPipe face_landmarker.task; empty = $EMOTION_ESTIMATOR_FACE_MODEL, the package '
        'share directory, then the user cache (emotion-estimator fetch-models)', read_only=True)),
    'model_variant': ('', describe(
        'TFLite variant named in emotion_model.json (e.g. fp32, int8_dynamic); empty = default',
        read_only=True)),
    'use_compressed': (False, describe(
        'subscribe to image/compressed (sensor_msgs/CompressedImage, jpeg/png) instead of image',
        read_only=True)),
    'autostart': (True, describe(
        'configure and activate when started; false = stay unconfigured until a lifecycle '
        'manager (or the launch file) changes the state', read_only=True)),
    'face_source': (CAMERA, describe(
        'camera: find the faces in the image topic; ros4hri: take the faces found by the '
        'ROS4HRI face detector (/humans/faces/tracked and each /humans/faces/<id>/aligned '
        'image)',
        read_only=True)),
    'resting_face': (True, describe(
        "learn the tracked person's resting (neutral) face and read expressions relative to it; "
        "false = compare with the population's average face", read_only=True)),
    'num_threads': (1, describe(
        'threads of the TFLite emotion model', read_only=True, ints=(1, 16))),
    'max_faces': (DEFAULT_MAX_FACES, describe(
        'faces followed at once (a group of 2-4 people); above 1 a face detector finds them, '
        'about 1 ms more per frame for one face than 1 and about 8 ms per extra face',
        read_only=True, ints=(1, MOST_FACES))),
    'max_gap_s': (0.5, describe(
        'frames further apart than this (s) start a new window', read_only=True,
        floats=(0.01, 10.0))),
    'camera_timeout_s': (2.0, describe(
        'without frames for this long (s) the label becomes unknown and diagnostics warn',
        floats=(0.1, 60.0))),
    'diagnostics_period_s': (1.0, describe(
        'period of the /diagnostics status (s)', read_only=True, floats=(0.1, 60.0))),
    'processing_time_warn_ms': (50.0, describe(
        'diagnostics warn when the mean processing time per frame exceeds this (ms)',
        floats=(1.0, 10000.0))),
    'happy_gain': (-1.0, describe(
        'the happy probability is multiplied by this before it is compared with the other '
        'labels (0 = never happy); negative = the value tuned with the model',
        floats=(-1.0, 20.0))),
    'sad_gain': (-1.0, describe(
        'the sad probability is multiplied by this before it is compared with the other labels: '
        'lower = fewer false sad and fewer sad faces found (0 = never sad; see the operating '
        'points in models/MODEL_CARD.md); negative = the value tuned with the model',
        floats=(-1.0, 20.0))),
    'min_confidence': (-1.0, describe(
        'smoothed happy/sad score needed to publish happy/sad, else unknown (0-1); '
        'negative = the value tuned with the model', floats=(-1.0, 1.0))),
    'smoothing_time_s': (-1.0, describe(
        'time constant of the exponential smoothing of the scores (s); '
        'negative = the value tuned with the model', floats=(-1.0, 10.0))),
    'min_dwell_s': (-1.0, describe(
        'a new label must win for this long before it is published (s); '
        'negative = the value tuned with the model', floats=(-1.0, 10.0))),
    'switch_margin': (-1.0, describe(
        'head start of the current label over a challenger (score, 0-1); '
        'negative = the value tuned with the model', floats=(-1.0, 1.0))),
    'face_lost_grace_s': (-1.0, describe(
        'without a face for this long the label becomes unknown (s); '
        'negative = the value tuned with the model', floats=(-1.0, 10.0))),
}


def configuration_problem(values: Mapping[str, Any], have_hri_msgs: bool) -> str:
    """Return why the parameter ``values`` cannot work together ('' when they can)."""
    face_source = values['face_source']
    if face_source not in FRONT_END_OF_FACE_SOURCE:
        sources = ', '.join(FRONT_END_OF_FACE_SOURCE)
        return f'face_source must be one of {sources}, got {face_source!r}'
    if face_source == ROS4HRI and not have_hri_msgs:
        return ('face_source ros4hri needs hri_msgs, which cannot be imported: build it with '
                'scripts/build_ros_workspace.sh (or colcon on the robot) and source '
                'build_ros/env.sh')
    if face_source == ROS4HRI and values['use_compressed']:
        return 'face_source ros4hri reads /humans/faces/<id>/aligned: set use_compressed false'
    return ''


def estimator_arguments(values: Mapping[str, Any]) -> Dict[str, Any]:
    """Return the arguments of ``model_loading.load_estimator`` for the parameter ``values``."""
    return dict(spec_path=values['model_spec_path'] or None,
                face_path=values['face_model_path'] or None,
                variant=values['model_variant'] or None,
                max_gap_s=float(values['max_gap_s']), num_threads=int(values['num_threads']),
                resting_face=bool(values['resting_face']), max_faces=int(values['max_faces']),
                faces_from=FRONT_END_OF_FACE_SOURCE[values['face_source']])
