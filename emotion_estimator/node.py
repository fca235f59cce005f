# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The ROS 2 node: camera images in, happy / sad / unknown and the 7 class scores out.

Only ROS glue lives here; the pipeline is :class:`~emotion_estimator.estimator.EmotionEstimator`
and the image decoding is :mod:`emotion_estimator.ros_image`.

A managed (lifecycle) node, as ROS 2 perception nodes are: *configure* loads the models and
creates the publishers, *activate* subscribes and publishes, *deactivate* stops (label
``unknown``, every face forgotten), *cleanup* releases the models. With ``autostart`` (the
default) it configures and activates itself when started (``ros2 run``); the launch file drives
the transitions itself instead (``launch_ros`` lifecycle events), or leaves them to a lifecycle
manager with ``autostart:=false``.

Faces come from the camera frames (``face_source: camera``) or, on a robot that already runs
ROS4HRI's ``hri_face_detect``, from its ``/humans/faces/tracked`` ids and each face's
``/humans/faces/<id>/aligned`` image (``face_source: ros4hri``).

The subscription callback only stores the newest messages (``PENDING_FRAMES``); a worker thread
converts and processes them in order, so when processing stays slower than the camera the older
frames are dropped. Every frame received is accounted for (:class:`FrameCounters`): processed,
dropped for a named reason, or in flight.
``std_msgs`` carry no header: ``emotion/header`` (``std_msgs/Header``) carries the input header of
each processed frame, published right after ``emotion`` and ``emotion/scores`` for that frame.
"""

from collections import deque
from dataclasses import asdict, dataclass, field
import functools
import math
import os
import sys
import threading
import time
from typing import Dict, List, Optional, Tuple

import cv2
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue
import numpy as np
from rcl_interfaces.msg import (
    FloatingPointRange, IntegerRange, ParameterDescriptor, ParameterType, SetParametersResult)
import rclpy
from rclpy.event_handler import QoSMessageLostInfo, SubscriptionEventCallbacks
from rclpy.exceptions import InvalidTopicNameException
from rclpy.executors import ExternalShutdownException
from rclpy.impl.implementation_singleton import rclpy_implementation as _rclpy
from rclpy.lifecycle import LifecycleNode, LifecycleState, TransitionCallbackReturn
from rclpy.parameter import Parameter
from rclpy.qos import qos_profile_sensor_data, QoSPolicyKind, QoSProfile
from rclpy.qos_overriding_options import QoSOverridingOptions
from sensor_msgs.msg import CompressedImage, Image
from std_msgs.msg import Float32MultiArray, Header, MultiArrayDimension, String
from std_srvs.srv import Trigger

from emotion_estimator import ros_outputs
from emotion_estimator.contract import (
    DecisionSettings, DEFAULT_MAX_FACES, ModelSpecError, MOST_FACES)
from emotion_estimator.dds_profile import (
    apply_transport_profile, describe_transport, receive_buffer_warning, TransportChoice)
from emotion_estimator.decision import UNKNOWN
from emotion_estimator.estimator import EmotionEstimator, EmotionResult
from emotion_estimator.frames import FrameError
from emotion_estimator.label_hold import LabelHold
from emotion_estimator.model_files import FETCH_HINT, find_face_model, user_cache_dir
from emotion_estimator.native_log import captured_native_stderr, worth_showing
from emotion_estimator.ros_image import (
    bgr_to_image_fields, compressed_to_bgr, image_to_bgr, ImageConversionError)

NODE_NAME = 'emotion_estimator'

#: Decision settings that can change at run time (a negative value means the model's tuned value).
DECISION_PARAMETERS = ('min_confidence', 'smoothing_time_s', 'min_dwell_s', 'switch_margin',
                       'face_lost_grace_s')

#: Consecutive frames that fail to convert before diagnostics turn ERROR.
CONVERSION_ERROR_LIMIT = 5

#: A frame at most this much older than the last processed one is taken as delivered out of
#: order and dropped; a larger jump back (a bag that loops, a clock reset) restarts the window.
OUT_OF_ORDER_S = 1.0

#: Seconds between two log lines of the same kind of problem.
LOG_THROTTLE_S = 5.0

#: Diagnostics warn when at least this share of the frames sent in a period were lost on the way.
LOST_WARN_RATIO = 0.05

#: Frames waiting for the worker at most. Two, so that a frame delayed by a scheduling hiccup and
#: the next one, delivered back to back, are both processed; when processing stays slower than
#: the camera, the oldest waiting frame is dropped (keep_newest) and the latency stays bounded.
PENDING_FRAMES = 2

#: Why a received frame was not processed (the keys of :meth:`FrameCounters.dropped_by_reason`).
DROP_REASONS = ('keep_newest', 'late', 'bad', 'error', 'stopped', 'face_gone')

#: Where the faces come from (the ``face_source`` parameter).
FACE_SOURCES = ('camera', 'ros4hri')

#: ROS4HRI's per-face image topic read with ``face_source: ros4hri``.
ALIGNED_TOPIC = '/humans/faces/{face_id}/aligned'


def _float_range(low: float, high: float) -> List[FloatingPointRange]:
    return [FloatingPointRange(from_value=float(low), to_value=float(high), step=0.0)]


def _describe(description: str, read_only: bool = False, floats=None, ints=None,
              parameter_type: int = ParameterType.PARAMETER_NOT_SET) -> ParameterDescriptor:
    descriptor = ParameterDescriptor(description=description, read_only=read_only,
                                     type=parameter_type)
    if floats is not None:
        descriptor.floating_point_range = _float_range(*floats)
    if ints is not None:
        descriptor.integer_range = [IntegerRange(from_value=ints[0], to_value=ints[1], step=1)]
    return descriptor


#: name -> (default, descriptor). The YAML config and the README table mirror this.
PARAMETERS: Dict[str, tuple] = {
    'model_spec_path': ('', _describe(
        'emotion_model.json of the emotion model; empty = the packaged model', read_only=True)),
    'face_model_path': ('', _describe(
        'MediaPipe face_landmarker.task; empty = $EMOTION_ESTIMATOR_FACE_MODEL, the package '
        'share directory, then the user cache (emotion-estimator fetch-models)', read_only=True)),
    'model_variant': ('', _describe(
        'TFLite variant named in emotion_model.json (e.g. fp32, int8_dynamic); empty = default',
        read_only=True)),
    'use_compressed': (False, _describe(
        'subscribe to image/compressed (sensor_msgs/CompressedImage, jpeg/png) instead of image',
        read_only=True)),
    'autostart': (True, _describe(
        'configure and activate when started; false = stay unconfigured until a lifecycle '
        'manager (or the launch file) changes the state', read_only=True)),
    'face_source': ('camera', _describe(
        'camera: find the faces in the image topic; ros4hri: take the faces found by the '
        'ROS4HRI face detector (/humans/faces/tracked and each /humans/faces/<id>/aligned '
        'image)',
        read_only=True)),
    'resting_face': (True, _describe(
        "learn the tracked person's resting (neutral) face and read expressions relative to it; "
        "false = compare with the population's average face", read_only=True)),
    'num_threads': (1, _describe(
        'threads of the TFLite emotion model', read_only=True, ints=(1, 16))),
    'max_faces': (DEFAULT_MAX_FACES, _describe(
        'faces followed at once (a group of 2-4 people); above 1 a face detector finds them, '
        'about 1 ms more per frame for one face than 1 and about 8 ms per extra face',
        read_only=True, ints=(1, MOST_FACES))),
    'max_gap_s': (0.5, _describe(
        'frames further apart than this (s) start a new window', read_only=True,
        floats=(0.01, 10.0))),
    'camera_timeout_s': (2.0, _describe(
        'without frames for this long (s) the label becomes unknown and diagnostics warn',
        floats=(0.1, 60.0))),
    'diagnostics_period_s': (1.0, _describe(
        'period of the /diagnostics status (s)', read_only=True, floats=(0.1, 60.0))),
    'processing_time_warn_ms': (50.0, _describe(
        'diagnostics warn when the mean processing time per frame exceeds this (ms)',
        floats=(1.0, 10000.0))),
    'min_confidence': (-1.0, _describe(
        'smoothed happy/sad score needed to publish happy/sad, else unknown (0-1); '
        'negative = the value tuned with the model', floats=(-1.0, 1.0))),
    'smoothing_time_s': (-1.0, _describe(
        'time constant of the exponential smoothing of the scores (s); '
        'negative = the value tuned with the model', floats=(-1.0, 10.0))),
    'min_dwell_s': (-1.0, _describe(
        'a new label must win for this long before it is published (s); '
        'negative = the value tuned with the model', floats=(-1.0, 10.0))),
    'switch_margin': (-1.0, _describe(
        'head start of the current label over a challenger (score, 0-1); '
        'negative = the value tuned with the model', floats=(-1.0, 1.0))),
    'face_lost_grace_s': (-1.0, _describe(
        'without a face for this long the label becomes unknown (s); '
        'negative = the value tuned with the model', floats=(-1.0, 10.0))),
}


class NodeStartError(RuntimeError):
    """The node cannot be configured; the message says why and how to fix it."""


class ModelLoadError(NodeStartError):
    """The emotion model or the face model cannot be loaded; the message says how to fix it."""


@dataclass
class FrameCounters:
    """What became of every frame the node received, since it started.

    ``received == processed + dropped + in_flight`` holds at every moment (they are changed
    together under one lock); ``in_flight`` is at most ``PENDING_FRAMES + 1`` (frames waiting
    and the one being processed), ``PENDING_FRAMES`` per tracked face + 1 with ``face_source:
    ros4hri``.
    """

    received: int = 0
    processed: int = 0
    #: Pushed out by newer frames before the worker took it (processing slower than the camera).
    dropped_keep_newest: int = 0
    #: Up to ``OUT_OF_ORDER_S`` older than the last processed frame (delivered late or twice).
    dropped_late: int = 0
    #: Cannot be converted (encoding, step, size, corrupt compressed data) or not a usable image.
    dropped_bad: int = 0
    #: An unexpected error while processing (logged).
    dropped_error: int = 0
    #: Waiting when the node was deactivated.
    dropped_stopped: int = 0
    #: Of a face that ROS4HRI stopped tracking before it was processed (``face_source:
    #: ros4hri``).
    dropped_face_gone: int = 0
    in_flight: int = 0
    #: Not part of ``received``: frames the camera sent that never reached the node, as DDS
    #: reports them (gaps in a best-effort stream: too small a socket buffer, a lossy link).
    lost_in_transport: int = 0

    @property
    def dropped(self) -> int:
        """Return the frames dropped for any reason."""
        return sum(self.dropped_by_reason().values())

    def dropped_by_reason(self) -> Dict[str, int]:
        """Return ``{reason: frames}`` for each of :data:`DROP_REASONS`."""
        return {reason: getattr(self, f'dropped_{reason}') for reason in DROP_REASONS}

    def balanced(self) -> bool:
        """Return whether received = processed + dropped + in flight."""
        return self.received == self.processed + self.dropped + self.in_flight


@dataclass
class _Stats:
    """Counters of one diagnostics period (and a few totals)."""

    received: int = 0
    processed: int = 0
    dropped: int = 0
    faces: int = 0
    processing_s: List[float] = field(default_factory=list)
    #: Node clock minus the input header stamp when the outputs of a frame were published.
    stamp_age_s: List[float] = field(default_factory=list)
    consecutive_conversion_errors: int = 0
    last_error: str = ''
    time_jumps_back: int = 0
    lost_in_transport: int = 0


def _transition(callback):
    """Log an exception of a transition callback (rclpy would only return ERROR silently)."""
    @functools.wraps(callback)
    def logged(self, state: LifecycleState) -> TransitionCallbackReturn:
        try:
            return callback(self, state)
        except Exception as error:  # noqa: B902 - reported, and the transition fails
            self.get_logger().error(f'{callback.__name__[3:]} failed: {error!r}')
            return TransitionCallbackReturn.ERROR
    return logged


class EmotionEstimatorNode(LifecycleNode):
    """Subscribe to a camera (or ROS4HRI's faces), publish every face's emotion and diagnostics.

    A lifecycle node (see the module docstring); ``~/reset``, the parameters and
    ``/diagnostics`` work in every state.
    """

    def __init__(self, transport: Optional[TransportChoice] = None, **kwargs):
        """Declare parameters and services; with ``autostart``, configure and activate.

        ``transport`` is what :func:`main` chose before ``rclpy.init`` (logged); without it the
        node only describes the environment it finds. Other keyword arguments go to
        :class:`rclpy.node.Node` (e.g. ``parameter_overrides``).

        Raises:
            NodeStartError: with ``autostart``, the node cannot be configured (e.g.
                :class:`ModelLoadError`: a model file is missing or broken).

        """
        super().__init__(NODE_NAME, **kwargs)
        # Serialises every use of the estimator (worker thread, parameter, timer and service
        # callbacks, transitions).
        self._estimator_lock = threading.Lock()
        for name, (default, descriptor) in PARAMETERS.items():
            self.declare_parameter(name, default, descriptor)
        self.camera_timeout_s = float(self.get_parameter('camera_timeout_s').value)
        self.processing_time_warn_ms = float(self.get_parameter('processing_time_warn_ms').value)
        self.use_compressed = bool(self.get_parameter('use_compressed').value)
        self.face_source = str(self.get_parameter('face_source').value)
        self.add_on_set_parameters_callback(self._on_set_parameters)

        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        #: (face id or None for camera frames, message), oldest first.
        self._pending: deque = deque()
        self._busy = False
        self._accepting = False
        self._stopping = True
        self._worker: Optional[threading.Thread] = None
        self._debug_worker: Optional[threading.Thread] = None
        # The debug image is drawn and published by a thread of its own, so that a 900 KB image
        # (slow to send, more so to a busy subscriber) never delays the outputs of the next frame.
        self._debug_wake = threading.Condition(threading.Lock())
        self._debug_pending = None
        self._stats = _Stats()
        self._counters = FrameCounters()
        self._last_receive_monotonic: Optional[float] = None
        # When the last frame was processed (or the first one arrived): the camera watchdog
        # also fires when frames keep coming but none can be used.
        self._last_usable_monotonic: Optional[float] = None
        self._last_stamp_s: Optional[float] = None
        #: The stamp of the last processed frame of each stream (None: the camera).
        self._last_processed_stamp_s: Dict[Optional[str], float] = {}
        self._timed_out = False
        self._label = UNKNOWN
        self._main_face_id = ''
        self._period_started = time.monotonic()
        self._state = 'unconfigured'
        #: Why the last configure failed (None when it did not).
        self._configure_exception: Optional[NodeStartError] = None
        self._starting = False

        self.estimator: Optional[EmotionEstimator] = None
        self.model_file = self.model_variant = self.face_model_file = None
        self.class_names: Tuple[str, ...] = ()
        self.emotion_pub = self.scores_pub = self.debug_pub = self.header_pub = None
        self.faces_pub = None
        self.hri_faces: Optional[ros_outputs.Ros4HriFaces] = None
        self.subscription = None
        self.watchdog_timer = None
        #: ROS4HRI mode: face id -> its ``aligned`` subscription, in the order they appeared.
        self._face_subscriptions: Dict[str, object] = {}
        #: ROS4HRI mode: face id -> (its last result, header, confidence).
        self._latest: Dict[str, tuple] = {}
        #: Since when each face's label has held (emotion/faces label_since, label_held_s).
        self._label_holds = LabelHold()
        self.input_topic = (ros_outputs.TRACKED_TOPIC if self.face_source == 'ros4hri'
                            else self.resolve_topic_name(
                                'image/compressed' if self.use_compressed else 'image'))

        self.diagnostics_pub = self.create_publisher(DiagnosticArray, '/diagnostics', 10)
        period = float(self.get_parameter('diagnostics_period_s').value)
        self.diagnostics_timer = self.create_timer(period, self._publish_diagnostics)
        self.reset_service = self.create_service(Trigger, '~/reset', self._on_reset)
        self.transport = transport or describe_transport(os.environ)
        self.get_logger().info(f'DDS: {self.transport.description}')
        if self.transport.applied:
            warning = receive_buffer_warning()
            if warning:
                self.get_logger().warning(warning)
        if bool(self.get_parameter('autostart').value):
            self.start()

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        """Configure and activate (what ``autostart`` does).

        Raises:
            NodeStartError: configuring failed (the node is destroyed); the message says why.

        """
        self._starting = True  # the caller reports a failure (main: one FATAL line)
        try:
            configured = self.trigger_configure()
        finally:
            self._starting = False
        if configured != TransitionCallbackReturn.SUCCESS:
            error = self._configure_exception or NodeStartError('configure failed (see the log)')
            self.destroy_node()
            raise error
        if self.trigger_activate() != TransitionCallbackReturn.SUCCESS:
            self.destroy_node()
            raise NodeStartError('activate failed (see the log)')

    @property
    def lifecycle_state(self) -> str:
        """Return the primary state: unconfigured, inactive, active or finalized."""
        return self._state

    @_transition
    def on_configure(self, state: LifecycleState) -> TransitionCallbackReturn:
        """Load the models and create the publishers; fail with a logged reason."""
        self._configure_exception = None
        problem = self._configuration_problem()
        if problem:
            return self._configure_failed(NodeStartError(problem))
        try:
            estimator = self._load_estimator()
        except ModelLoadError as error:
            return self._configure_failed(error)
        with self._estimator_lock:
            self.estimator = estimator
            self._tuned_decision = estimator.spec.decision
        self.class_names = tuple(estimator.class_names)
        if not self.has_parameter('class_names'):
            self.declare_parameter(
                'class_names', list(self.class_names),
                _describe('the 7 classes in the order of emotion/scores (from the model)',
                          read_only=True, parameter_type=ParameterType.PARAMETER_STRING_ARRAY),
                ignore_override=True)
        self._apply_decision({name: self.get_parameter(name).value
                              for name in DECISION_PARAMETERS})

        self.emotion_pub = self.create_lifecycle_publisher(String, 'emotion', 10)
        self.scores_pub = self.create_lifecycle_publisher(Float32MultiArray, 'emotion/scores', 10)
        # Reliable, depth 1: large images sent best effort between processes are mostly lost with
        # Fast DDS (measured); a reliable publisher also serves best-effort subscribers.
        self.debug_pub = self.create_lifecycle_publisher(
            Image, 'emotion/debug_image', QoSProfile(depth=1),
            qos_overriding_options=QoSOverridingOptions(
                policy_kinds=(QoSPolicyKind.RELIABILITY, QoSPolicyKind.DEPTH)))
        self.header_pub = self.create_lifecycle_publisher(Header, 'emotion/header', 10)
        # Typed and ROS4HRI outputs where their message packages are installed (colcon).
        self.faces_pub = (self.create_lifecycle_publisher(
            ros_outputs.EmotionArray, 'emotion/faces', 10)
            if ros_outputs.HAVE_EMOTION_MSGS else None)
        # With ROS4HRI's detector, /humans/faces/tracked is its topic, not ours.
        self.hri_faces = (ros_outputs.Ros4HriFaces(
            self, publish_tracked=self.face_source == 'camera')
            if ros_outputs.HAVE_HRI_MSGS else None)
        fallback = ros_outputs.fallback_message()
        if fallback:
            self.get_logger().warning(fallback)

        with self._wake:
            self._stopping = False
        self._worker = threading.Thread(target=self._work, name='emotion_estimator_worker',
                                        daemon=True)
        self._worker.start()
        self._debug_worker = threading.Thread(target=self._debug_work,
                                              name='emotion_estimator_debug_image', daemon=True)
        self._debug_worker.start()
        self._state = 'inactive'
        self.get_logger().info(
            f'configured: model {self.model_file} ({self.model_variant}), face model '
            f'{self.face_model_file}; faces from {self._describe_input()}; decision '
            f'{self.estimator.settings}')
        return TransitionCallbackReturn.SUCCESS

    @_transition
    def on_activate(self, state: LifecycleState) -> TransitionCallbackReturn:
        """Subscribe to the input and start publishing."""
        with self._wake:
            self._accepting = True
            self._last_usable_monotonic = None
            self._timed_out = False
        # Best effort (qos_profile_sensor_data): camera drivers and hri_face_detect publish
        # either way, and a best-effort subscription matches both. Reliability, depth and
        # history of the image topic can be overridden with the standard
        # qos_overrides.<topic>.subscription.* parameters.
        if self.face_source == 'ros4hri':
            self.subscription = self.create_subscription(
                ros_outputs.IdsList, ros_outputs.TRACKED_TOPIC, self._on_tracked,
                qos_profile_sensor_data)
        else:
            overrides = QoSOverridingOptions(
                policy_kinds=(QoSPolicyKind.RELIABILITY, QoSPolicyKind.DEPTH,
                              QoSPolicyKind.HISTORY))
            self.subscription = self.create_subscription(
                CompressedImage if self.use_compressed else Image,
                'image/compressed' if self.use_compressed else 'image',
                self._on_image, qos_profile_sensor_data, qos_overriding_options=overrides,
                event_callbacks=SubscriptionEventCallbacks(message_lost=self._on_message_lost))
        self.watchdog_timer = self.create_timer(0.1, self._check_camera_timeout)
        self._state = 'active'
        self.get_logger().info(f'active: listening on {self._describe_input()}')
        return super().on_activate(state)

    @_transition
    def on_deactivate(self, state: LifecycleState) -> TransitionCallbackReturn:
        """Stop: unsubscribe, drop waiting frames, forget every face, publish ``unknown``."""
        self._stop_input()
        self._state = 'inactive'
        self.get_logger().info('inactive: not subscribed, label unknown')
        return super().on_deactivate(state)

    @_transition
    def on_cleanup(self, state: LifecycleState) -> TransitionCallbackReturn:
        """Release the models, the threads and the publishers."""
        self._release()
        self._state = 'unconfigured'
        self.get_logger().info('unconfigured: models released')
        return TransitionCallbackReturn.SUCCESS

    @_transition
    def on_shutdown(self, state: LifecycleState) -> TransitionCallbackReturn:
        """Stop and release whatever the state."""
        if self._state == 'active':
            self._stop_input()
            super().on_deactivate(state)
        self._release()
        self._state = 'finalized'
        return TransitionCallbackReturn.SUCCESS

    @_transition
    def on_error(self, state: LifecycleState) -> TransitionCallbackReturn:
        """Release everything after a failed transition; the node is unconfigured again."""
        self._stop_input()
        self._release()
        self._state = 'unconfigured'
        return TransitionCallbackReturn.SUCCESS

    def _configuration_problem(self) -> str:
        """Return why the parameters cannot work together ('' when they can)."""
        if self.face_source not in FACE_SOURCES:
            return (f'face_source must be one of {", ".join(FACE_SOURCES)}, got '
                    f'{self.face_source!r}')
        if self.face_source == 'ros4hri':
            if not ros_outputs.HAVE_HRI_MSGS:
                return ('face_source ros4hri needs hri_msgs, which cannot be imported: build '
                        'it with scripts/build_ros_workspace.sh (or colcon on the robot) and '
                        'source build_ros/env.sh')
            if self.use_compressed:
                return 'face_source ros4hri reads /humans/faces/<id>/aligned: set ' \
                       'use_compressed false'
        return ''

    def _configure_failed(self, error: NodeStartError) -> TransitionCallbackReturn:
        self._configure_exception = error
        if not self._starting:
            self.get_logger().error(f'cannot configure: {error}')
        return TransitionCallbackReturn.FAILURE

    def _describe_input(self) -> str:
        if self.face_source == 'ros4hri':
            return (f'ROS4HRI: {ros_outputs.TRACKED_TOPIC} and each '
                    f'{ALIGNED_TOPIC.format(face_id="<id>")} (Image)')
        return (f'{self.input_topic} ({"CompressedImage" if self.use_compressed else "Image"}, '
                f'max_faces {int(self.get_parameter("max_faces").value)})')

    def _stop_input(self, publish: bool = True) -> None:
        """Unsubscribe, drop the waiting frames, wait for the frame in progress, forget faces.

        With ``publish`` (not once the ROS context is shut down) ``unknown`` is published and
        ROS4HRI's tracked list emptied.
        """
        for subscription in [self.subscription, *self._face_subscriptions.values()]:
            if subscription is not None:
                self.destroy_subscription(subscription)
        self.subscription = None
        self._face_subscriptions.clear()
        if self.watchdog_timer is not None:
            self.destroy_timer(self.watchdog_timer)
            self.watchdog_timer = None
        with self._wake:
            self._accepting = False
            while self._pending:
                self._pending.popleft()
                self._count_dropped('stopped')
            self._wake.wait_for(lambda: not self._busy, timeout=5.0)
            self._label = UNKNOWN
        self._forget_all(publish)
        if self.emotion_pub is not None and publish:
            self.emotion_pub.publish(String(data=UNKNOWN))

    def _forget_all(self, publish: bool = True) -> None:
        """Forget every face: estimator, main face, ROS4HRI publishers, last results."""
        with self._estimator_lock:
            if self.estimator is not None:
                self.estimator.reset()
            self._last_processed_stamp_s.clear()
            self._main_face_id = ''
            self._latest.clear()
            self._label_holds.clear()
            if self.hri_faces is not None:
                if publish:
                    self.hri_faces.clear()
                else:
                    self.hri_faces.forget(self.hri_faces.face_ids())

    def _release(self) -> None:
        """Stop the threads, destroy the publishers and close the estimator (idempotent)."""
        with self._wake:
            self._stopping = True
            self._wake.notify_all()
        with self._debug_wake:
            self._debug_pending = None
            self._debug_wake.notify_all()
        for worker in (self._worker, self._debug_worker):
            if worker is not None and worker.is_alive() \
                    and threading.current_thread() is not worker:
                worker.join(timeout=5.0)
        self._worker = self._debug_worker = None
        with self._estimator_lock:
            if self.hri_faces is not None:
                self.hri_faces.destroy()
                self.hri_faces = None
            for name in ('emotion_pub', 'scores_pub', 'debug_pub', 'header_pub', 'faces_pub'):
                publisher = getattr(self, name)
                if publisher is not None:
                    self.destroy_lifecycle_publisher(publisher)
                    setattr(self, name, None)
            if self.estimator is not None:
                self.estimator.close()
                self.estimator = None

    # ------------------------------------------------------------------ set-up
    def _load_estimator(self) -> EmotionEstimator:
        spec_path = self.get_parameter('model_spec_path').value or None
        face_path = self.get_parameter('face_model_path').value or None
        variant = self.get_parameter('model_variant').value or None
        native_lines: List[str] = []
        try:
            self.face_model_file = find_face_model(face_path)
            # MediaPipe and TFLite print start-up chatter from C++; keep only what matters.
            with captured_native_stderr() as native_lines:
                estimator = EmotionEstimator(
                    model_spec_path=spec_path, face_model_path=self.face_model_file,
                    variant=variant,
                    max_gap_s=float(self.get_parameter('max_gap_s').value),
                    num_threads=int(self.get_parameter('num_threads').value),
                    resting_face=bool(self.get_parameter('resting_face').value),
                    max_faces=int(self.get_parameter('max_faces').value),
                    faces_from='face_images' if self.face_source == 'ros4hri' else 'frames')
        except FileNotFoundError as error:  # includes ModelFileError, which names its fix
            self._show_native(native_lines, failed=True)
            fix = ('' if 'fetch-models' in str(error) else
                   f' Fix: {FETCH_HINT.format(cache=user_cache_dir())} for the face model;')
            raise ModelLoadError(f'{error}.{fix} For the emotion model, set model_spec_path.'
                                 .replace('..', '.')) from None
        except (ModelSpecError, ValueError, RuntimeError) as error:
            self._show_native(native_lines, failed=True)
            raise ModelLoadError(
                f'cannot load the emotion model: {error}. Fix: set model_spec_path to a valid '
                'emotion_model.json (or reinstall the package), model_variant to one of its '
                'variants, and for the face model '
                + FETCH_HINT.format(cache=user_cache_dir())) from None
        self._show_native(native_lines)
        self.model_variant = variant or estimator.spec.default_variant
        self.model_file = estimator.spec.model_file(self.model_variant)
        return estimator

    def _show_native(self, lines: List[str], failed: bool = False) -> None:
        """Pass on what MediaPipe printed while loading: all of it when loading failed."""
        for line in (lines if failed else filter(worth_showing, lines)):
            if line.strip():
                self.get_logger().warning(f'MediaPipe: {line.strip()}')

    def _apply_decision(self, values: Dict[str, float]) -> None:
        """Apply decision parameters; negative values mean the model's tuned setting."""
        with self._estimator_lock:
            if self.estimator is None:  # not configured: applied when it is
                return
            changes = {name: (getattr(self._tuned_decision, name) if value < 0
                              else float(value)) for name, value in values.items()}
            self.estimator.update_decision(**changes)

    def _on_set_parameters(self, parameters: List[Parameter]) -> SetParametersResult:
        decision = {}
        for parameter in parameters:
            name, value = parameter.name, parameter.value
            if name in DECISION_PARAMETERS or name in ('camera_timeout_s',
                                                       'processing_time_warn_ms'):
                if parameter.type_ not in (Parameter.Type.DOUBLE, Parameter.Type.INTEGER):
                    return SetParametersResult(
                        successful=False, reason=f'{name} must be a number, got {value!r}')
                if not np.isfinite(value):
                    return SetParametersResult(successful=False,
                                               reason=f'{name} must be finite, got {value}')
            if name in DECISION_PARAMETERS:
                decision[name] = float(value)
            elif name == 'camera_timeout_s':
                if value <= 0:
                    return SetParametersResult(successful=False,
                                               reason=f'camera_timeout_s must be > 0, got {value}')
            elif name == 'processing_time_warn_ms':
                if value <= 0:
                    return SetParametersResult(
                        successful=False,
                        reason=f'processing_time_warn_ms must be > 0, got {value}')
        try:
            DecisionSettings.from_dict({name: max(value, 0.0) for name, value in decision.items()})
        except ValueError as error:
            return SetParametersResult(successful=False, reason=str(error))
        if decision:
            self._apply_decision(decision)
            if self.estimator is not None:
                self.get_logger().info(f'decision settings now {self.estimator.settings}')
        for parameter in parameters:
            if parameter.name == 'camera_timeout_s':
                self.camera_timeout_s = float(parameter.value)
            elif parameter.name == 'processing_time_warn_ms':
                self.processing_time_warn_ms = float(parameter.value)
        return SetParametersResult(successful=True)

    # ------------------------------------------------------------------ input
    def _on_image(self, msg, face_id: Optional[str] = None) -> None:
        """Keep the newest messages of each stream (``PENDING_FRAMES``) for the worker thread.

        ``face_id`` is None for camera frames, else the ROS4HRI face the aligned image is of.
        """
        with self._wake:
            self._counters.received += 1
            self._counters.in_flight += 1
            self._stats.received += 1
            self._last_receive_monotonic = time.monotonic()
            if self._last_usable_monotonic is None:
                self._last_usable_monotonic = self._last_receive_monotonic
            if not self._accepting:  # delivered while deactivating
                self._count_dropped('stopped')
                return
            same = [entry for entry in self._pending if entry[0] == face_id]
            if len(same) >= PENDING_FRAMES:
                self._pending.remove(same[0])
                self._count_dropped('keep_newest')
            self._pending.append((face_id, msg))
            self._wake.notify_all()

    def _on_tracked(self, msg) -> None:
        """Follow ROS4HRI's tracked faces: subscribe to new faces' images, forget gone ones."""
        ids = [face_id for face_id in dict.fromkeys(msg.ids) if face_id]
        with self._wake:
            if not ids or self._last_usable_monotonic is None:
                # No face to read is a usable state (the watchdog is about images that stop
                # while faces are tracked, or the face detector itself stopping).
                self._last_usable_monotonic = time.monotonic()
            if self._last_receive_monotonic is None:
                self._last_receive_monotonic = time.monotonic()
        for face_id in ids:
            if face_id in self._face_subscriptions:
                continue
            topic = ALIGNED_TOPIC.format(face_id=face_id)
            try:
                self._face_subscriptions[face_id] = self.create_subscription(
                    Image, topic, functools.partial(self._on_image, face_id=face_id),
                    qos_profile_sensor_data)
            except InvalidTopicNameException:
                self.get_logger().warning(
                    f'ignoring face id {face_id!r} of {ros_outputs.TRACKED_TOPIC}: {topic} is '
                    'not a valid topic name', throttle_duration_sec=LOG_THROTTLE_S)
        gone = [face_id for face_id in self._face_subscriptions if face_id not in ids]
        if not gone:
            return
        for face_id in gone:
            self.destroy_subscription(self._face_subscriptions.pop(face_id))
        with self._wake:
            for entry in [entry for entry in self._pending if entry[0] in gone]:
                self._pending.remove(entry)
                self._count_dropped('face_gone')
        with self._estimator_lock:
            if self.estimator is None:
                return
            for face_id in gone:
                self.estimator.forget_face(face_id)
                self._latest.pop(face_id, None)
                self._last_processed_stamp_s.pop(face_id, None)
            if self.hri_faces is not None:
                self.hri_faces.forget(gone)
            main_gone = self._main_face_id in gone
            self._main_face_id = self.estimator.main_face_id
        if main_gone and not self._main_face_id:
            with self._lock:
                self._label = UNKNOWN
            self.emotion_pub.publish(String(data=UNKNOWN))

    def _on_message_lost(self, info: QoSMessageLostInfo) -> None:
        """Count the frames DDS says were sent but never arrived."""
        with self._lock:
            self._stats.lost_in_transport += info.total_count_change
            self._counters.lost_in_transport = info.total_count

    def _count_dropped(self, reason: str) -> None:
        """Count one frame in flight as dropped for ``reason`` (call with ``self._lock``)."""
        name = f'dropped_{reason}'
        setattr(self._counters, name, getattr(self._counters, name) + 1)
        self._counters.in_flight -= 1
        self._stats.dropped += 1

    def frame_counters(self) -> FrameCounters:
        """Return a consistent copy of the frame counters (see :class:`FrameCounters`)."""
        with self._lock:
            return FrameCounters(**asdict(self._counters))

    def _work(self) -> None:
        while True:
            with self._wake:
                while not self._pending and not self._stopping:
                    self._wake.wait(0.5)
                if self._stopping:
                    return
                face_id, msg = self._pending.popleft()
                self._busy = True
            try:
                outcome = self._process(msg, face_id)
            except Exception as error:  # noqa: B902 - a bad frame must never stop the node
                outcome = 'error'
                self.get_logger().error(f'unexpected error processing a frame: {error!r}',
                                        throttle_duration_sec=LOG_THROTTLE_S)
            with self._wake:
                if outcome != 'processed':
                    self._count_dropped(outcome)
                self._busy = False
                self._wake.notify_all()

    def _convert(self, msg) -> Optional[np.ndarray]:
        try:
            if isinstance(msg, CompressedImage):
                frame = compressed_to_bgr(msg.format, msg.data)
            else:
                frame = image_to_bgr(msg.encoding, msg.height, msg.width, msg.step, msg.data)
        except (ImageConversionError, FrameError) as error:
            with self._lock:
                self._stats.consecutive_conversion_errors += 1
                self._stats.last_error = str(error)
            self.get_logger().warning(f'dropping a frame that cannot be converted: {error}',
                                      throttle_duration_sec=LOG_THROTTLE_S)
            return None
        with self._lock:
            self._stats.consecutive_conversion_errors = 0
        return frame

    def _stamp_seconds(self, msg) -> float:
        stamp = msg.header.stamp
        seconds = stamp.sec + stamp.nanosec * 1e-9
        if seconds == 0.0:
            self.get_logger().warning(
                'image header stamp is zero; using the node clock (set header.stamp in the '
                'camera driver)', throttle_duration_sec=LOG_THROTTLE_S)
            seconds = self.get_clock().now().nanoseconds * 1e-9
        return seconds

    def _stream_order(self, stream: Optional[str], stamp_s: float) -> bool:
        """Return False for a frame delivered late; warn when a stream's time jumps back.

        Call with ``self._estimator_lock``.
        """
        previous = self._last_processed_stamp_s.get(stream)
        if previous is not None and 0.0 <= previous - stamp_s < OUT_OF_ORDER_S:
            # A frame delivered late (executor threads can swap two callbacks) or twice: it
            # is older than what was shown already, so drop it rather than restart.
            return False
        if previous is not None and stamp_s <= previous:
            with self._lock:
                self._stats.time_jumps_back += 1
            self.get_logger().warning(
                f'image stamp went back from {previous:.3f} s to {stamp_s:.3f} s (bag loop '
                'or clock reset?); restarting the emotion window',
                throttle_duration_sec=LOG_THROTTLE_S)
        return True

    def _process(self, msg, face_id: Optional[str] = None) -> str:
        """Process one frame (or one face's aligned image); return 'processed' or a drop reason."""
        started = time.perf_counter()
        frame = self._convert(msg)
        if frame is None:
            return 'bad'
        stamp_s = self._stamp_seconds(msg)
        header = Header(stamp=msg.header.stamp, frame_id=msg.header.frame_id)
        with self._estimator_lock:
            if self.estimator is None or not self._accepting:
                return 'stopped'
            if face_id is not None and face_id not in self._face_subscriptions:
                return 'face_gone'
            if not self._stream_order(face_id, stamp_s):
                return 'late'
            try:
                if face_id is None:
                    faces = self.estimator.process_faces(frame, stamp_s)
                else:
                    faces = [self.estimator.process_face_image(face_id, frame, stamp_s)]
            except FrameError as error:
                self.get_logger().warning(f'dropping frame: {error}',
                                          throttle_duration_sec=LOG_THROTTLE_S)
                return 'bad'
            confidences = [ros_outputs.label_confidence(
                face, self.estimator.settings,
                ros_outputs.smoothed_scores(self.estimator, face.face_id)) for face in faces]
            self._last_processed_stamp_s[face_id] = stamp_s
            if face_id is None:
                if faces:
                    result, self._main_face_id = faces[0], faces[0].face_id
                else:
                    result = self.estimator.no_face_result(stamp_s)
                main = True
                drop_after_s = self.estimator.settings.face_lost_grace_s
            else:
                # One face of ROS4HRI's: the main face is the one tracked longest; the array
                # holds every tracked face's latest result, each with its own image's header.
                result = faces[0]
                self._latest[face_id] = (result, header, confidences[0])
                self._main_face_id = self.estimator.main_face_id
                main = face_id == self._main_face_id
                drop_after_s = math.inf  # ROS4HRI's tracked list says when a face is gone
            elapsed = time.perf_counter() - started
            if main:
                self._publish(result, msg, frame)
            self._publish_faces(faces, confidences, header, stamp_s, drop_after_s)
        age_s = self.get_clock().now().nanoseconds * 1e-9 - stamp_s
        with self._lock:
            self._counters.processed += 1
            self._counters.in_flight -= 1
            self._stats.processed += 1
            self._stats.faces += int(result.face_found)
            self._stats.processing_s.append(elapsed)
            self._stats.stamp_age_s.append(age_s)
            self._last_stamp_s = stamp_s
            if main:
                self._label = result.label
            self._last_usable_monotonic = time.monotonic()
            if self._timed_out:
                self._timed_out = False
                self.get_logger().info('frames arrive again')
        return 'processed'

    # ------------------------------------------------------------------ output
    def _publish(self, result: EmotionResult, msg, frame: np.ndarray) -> None:
        """Publish the main face's std_msgs outputs (and hand the debug image over)."""
        self.emotion_pub.publish(String(data=result.label))
        self.scores_pub.publish(self.scores_message(result.scores))
        self.header_pub.publish(Header(stamp=msg.header.stamp, frame_id=msg.header.frame_id))
        if self.debug_pub.get_subscription_count() > 0:
            with self._debug_wake:
                self._debug_pending = (result, msg, frame)  # newest only: it is for people
                self._debug_wake.notify()

    def _publish_faces(self, faces: List[EmotionResult], confidences: List[float], header,
                       stamp_s: float, drop_after_s: float) -> None:
        """Publish emotion/faces and the ROS4HRI topics of one frame (where available).

        Call with ``self._estimator_lock`` (so that a face forgotten meanwhile does not get a
        new publisher).
        """
        if self.faces_pub is not None:
            if self.face_source == 'ros4hri':
                for face in faces:
                    self._label_holds.update(face.face_id, face.label, face.time_s)
                order = sorted(self._latest, key=lambda face_id: face_id != self._main_face_id)
                self.faces_pub.publish(ros_outputs.EmotionArray(header=header, faces=[
                    ros_outputs.emotion_message(self._latest[face_id][0],
                                                self._latest[face_id][1], self.class_names,
                                                self._latest[face_id][2],
                                                self._label_holds.since(face_id))
                    for face_id in order]))
            else:
                self.faces_pub.publish(ros_outputs.emotion_array_message(
                    faces, header, self.class_names, confidences, self._label_holds))
        if self.hri_faces is not None:
            self.hri_faces.update(faces, header, stamp_s, confidences, drop_after_s)

    def _debug_work(self) -> None:
        while True:
            with self._debug_wake:
                while self._debug_pending is None and not self._stopping:
                    self._debug_wake.wait(0.5)
                if self._stopping:
                    return
                job, self._debug_pending = self._debug_pending, None
            try:
                self.debug_pub.publish(self._debug_image(*job))
            except Exception as error:  # noqa: B902 - the debug image must never stop the node
                self.get_logger().error(f'cannot publish the debug image: {error!r}',
                                        throttle_duration_sec=LOG_THROTTLE_S)

    def scores_message(self, scores: Dict[str, float]) -> Float32MultiArray:
        """Return the 7 probabilities in the model's class order (all 0 without a face)."""
        out = Float32MultiArray()
        out.layout.dim.append(MultiArrayDimension(
            label=','.join(self.class_names), size=len(self.class_names),
            stride=len(self.class_names)))
        out.data = [float(scores[name]) for name in self.class_names]
        return out

    def _debug_image(self, result: EmotionResult, msg, frame: np.ndarray) -> Image:
        canvas = frame.copy()
        scale = max(canvas.shape[0] / 480.0, 0.4)
        colour = {'happy': (0, 200, 0), 'sad': (200, 80, 0)}.get(result.label, (0, 200, 255))
        text = result.label if result.face_found else f'{result.label} (no face)'
        cv2.putText(canvas, text, (int(10 * scale), int(35 * scale)), cv2.FONT_HERSHEY_SIMPLEX,
                    1.0 * scale, colour, max(1, int(2 * scale)), cv2.LINE_AA)
        for row, name in enumerate(self.class_names):
            y = int((60 + 20 * row) * scale)
            cv2.putText(canvas, f'{name:8s} {result.scores[name]:.2f}', (int(10 * scale), y),
                        cv2.FONT_HERSHEY_SIMPLEX, 0.5 * scale, (255, 255, 255),
                        max(1, int(scale)), cv2.LINE_AA)
        image = Image()
        image.header = msg.header
        image.height, image.width, image.step, image.data = bgr_to_image_fields(canvas)
        image.encoding = 'bgr8'
        return image

    def _on_reset(self, request: Trigger.Request, response: Trigger.Response) -> Trigger.Response:
        """Start over (every face forgotten, label unknown) for the next frame; answer."""
        self._forget_all()
        with self._lock:
            self._label = UNKNOWN
        self.get_logger().info('reset by ~/reset: every face forgotten, label unknown')
        response.success = True
        response.message = ('every face forgotten (emotion windows, labels, resting faces) and '
                            'label unknown; the next frame starts anew')
        return response

    def _check_camera_timeout(self) -> None:
        with self._lock:
            last = self._last_usable_monotonic
            if (last is None or self._timed_out
                    or time.monotonic() - last <= self.camera_timeout_s):
                return
            self._timed_out = True
            self._label = UNKNOWN
        self.get_logger().warning(
            f'no usable image for {self.camera_timeout_s:.1f} s on '
            f'{self.input_topic}: label unknown', throttle_duration_sec=LOG_THROTTLE_S)
        self._forget_all()
        self.emotion_pub.publish(String(data=UNKNOWN))

    def diagnostic_status(self) -> DiagnosticStatus:
        """Return the pipeline status of the last period and reset the period's counters."""
        now = time.monotonic()
        with self._lock:
            counters = FrameCounters(**asdict(self._counters))
            stats, self._stats = self._stats, _Stats(
                consecutive_conversion_errors=self._stats.consecutive_conversion_errors,
                last_error=self._stats.last_error,
                time_jumps_back=self._stats.time_jumps_back)
            period, self._period_started = max(now - self._period_started, 1e-6), now
            timed_out, label, last_stamp = self._timed_out, self._label, self._last_stamp_s
            last_receive, last_usable = self._last_receive_monotonic, self._last_usable_monotonic
        times_ms = np.array(stats.processing_s) * 1000.0
        mean_ms = float(times_ms.mean()) if times_ms.size else 0.0
        max_ms = float(times_ms.max()) if times_ms.size else 0.0
        ages_ms = np.array(stats.stamp_age_s) * 1000.0
        level, messages = DiagnosticStatus.OK, []
        active = self._state == 'active'
        if not active:
            failure = self._configure_exception
            messages.append(f'{self._state}' + (f': {failure}' if failure else ''))
            if failure:
                level = DiagnosticStatus.ERROR
        if stats.consecutive_conversion_errors >= CONVERSION_ERROR_LIMIT:
            level = DiagnosticStatus.ERROR
            messages.append(f'{stats.consecutive_conversion_errors} frames in a row cannot be '
                            f'converted: {stats.last_error}')
        if last_receive is None and active:
            level = max(level, DiagnosticStatus.WARN)
            messages.append(f'nothing received yet on {self.input_topic}')
        elif timed_out and active:
            level = max(level, DiagnosticStatus.WARN)
            messages.append(f'no usable image for {now - last_usable:.1f} s '
                            f'(camera_timeout_s={self.camera_timeout_s:g})')
        sent = stats.received + stats.lost_in_transport
        if stats.lost_in_transport and stats.lost_in_transport >= LOST_WARN_RATIO * sent:
            level = max(level, DiagnosticStatus.WARN)
            messages.append(f'{stats.lost_in_transport} of {sent} frames lost before the node '
                            '(net.core.rmem_max too small for large images? see the README, or '
                            'set use_compressed)')
        if mean_ms > self.processing_time_warn_ms:
            level = max(level, DiagnosticStatus.WARN)
            messages.append(f'processing takes {mean_ms:.1f} ms per frame '
                            f'(> processing_time_warn_ms={self.processing_time_warn_ms:g})')
        values = {
            'label': label,
            'input_rate_hz': f'{stats.received / period:.2f}',
            'output_rate_hz': f'{stats.processed / period:.2f}',
            'processing_time_mean_ms': f'{mean_ms:.2f}',
            'processing_time_max_ms': f'{max_ms:.2f}',
            'stamp_to_output_ms_p50': (f'{np.percentile(ages_ms, 50):.2f}'
                                       if ages_ms.size else 'n/a'),
            'stamp_to_output_ms_max': f'{ages_ms.max():.2f}' if ages_ms.size else 'n/a',
            'frames_received': str(counters.received),
            'frames_processed': str(counters.processed),
            'frames_in_flight': str(counters.in_flight),
            'frames_lost_in_transport': str(counters.lost_in_transport),
            'dropped_frames': str(counters.dropped),
            **{f'dropped_{reason}': str(count)
               for reason, count in counters.dropped_by_reason().items()},
            'dropped_frames_in_period': str(stats.dropped),
            'face_found_ratio': (f'{stats.faces / stats.processed:.3f}'
                                 if stats.processed else 'n/a'),
            'conversion_errors': str(counters.dropped_bad),
            'consecutive_conversion_errors': str(stats.consecutive_conversion_errors),
            'last_conversion_error': stats.last_error,
            'stamp_jumps_back': str(stats.time_jumps_back),
            'last_stamp': f'{last_stamp:.6f}' if last_stamp is not None else 'none',
            'input_topic': self.input_topic,
            'face_source': self.face_source,
            'lifecycle_state': self._state,
            'model_file': str(self.model_file or 'none'),
            'model_variant': str(self.model_variant or 'none'),
            'face_model_file': str(self.face_model_file or 'none'),
        }
        return DiagnosticStatus(
            level=level, name=f'{self.get_name()}: emotion pipeline',
            hardware_id=self.get_fully_qualified_name(),
            message='; '.join(messages) if messages else 'ok',
            values=[KeyValue(key=key, value=value) for key, value in values.items()])

    def _publish_diagnostics(self) -> None:
        array = DiagnosticArray()
        array.header.stamp = self.get_clock().now().to_msg()
        array.status.append(self.diagnostic_status())
        self.diagnostics_pub.publish(array)

    # ------------------------------------------------------------------ shutdown
    def destroy_node(self) -> None:
        """Stop, release MediaPipe and destroy the node, whatever its lifecycle state."""
        if self._state == 'active':
            try:
                self._stop_input(publish=self.context.ok())
            except _rclpy.RCLError:  # Ctrl-C shut the context down meanwhile
                self._stop_input(publish=False)
        self._release()
        self._state = 'finalized'
        super().destroy_node()


def main(args: Optional[List[str]] = None) -> int:
    """Run the node until Ctrl-C; exit non-zero with a clear message when it cannot start.

    Before ``rclpy.init`` (which creates the DDS participant) the packaged Fast DDS profile is
    put into the environment unless the user chose their own (see
    :func:`emotion_estimator.dds_profile.choose_transport`). With ``autostart`` (the default)
    the node configures and activates itself; a failure to configure then ends the program
    with exit code 1, while without it the node waits, unconfigured, for a lifecycle manager.
    """
    transport = apply_transport_profile()
    rclpy.init(args=args)
    node = None
    try:
        node = EmotionEstimatorNode(transport=transport)
        rclpy.spin(node)
    except NodeStartError as error:
        rclpy.logging.get_logger(NODE_NAME).fatal(str(error))
        return 1
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    finally:
        if node is not None:
            node.destroy_node()
        if rclpy.ok():
            rclpy.try_shutdown()
    return 0


if __name__ == '__main__':
    sys.exit(main())
