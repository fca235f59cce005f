# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The ROS 2 lifecycle node: camera images in, happy / sad / unknown and the 7 class scores out.

Glue only: *configure* loads the models and creates the publishers, *activate* subscribes,
*deactivate* stops (label ``unknown``), *cleanup* releases the models; ``autostart`` (default)
does configure and activate itself. How a frame flows: ``docs/ARCHITECTURE.md``.
"""

import functools
import os
import sys
import threading
import time
from typing import Dict, List, Optional, Tuple

from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue
import rclpy
from rclpy.executors import ExternalShutdownException
from rclpy.impl.implementation_singleton import rclpy_implementation as _rclpy
from rclpy.lifecycle import LifecycleNode, LifecycleState, TransitionCallbackReturn
from rclpy.parameter import Parameter
from std_msgs.msg import Header
from std_srvs.srv import Trigger

from emotion_estimator.dds_profile import (
    apply_transport_profile, describe_transport, receive_buffer_warning, TransportChoice)
from emotion_estimator.decision import UNKNOWN
from emotion_estimator.estimator import EmotionEstimator
from emotion_estimator.frame_processor import FrameProcessor
from emotion_estimator.frame_queue import (  # noqa: F401 - DROP_REASONS: API
    DROP_REASONS, FrameCounters, FrameQueue, PENDING_FRAMES, PROCESSED)
from emotion_estimator.health import (  # noqa: F401 - CONVERSION_ERROR_LIMIT: API
    CONVERSION_ERROR_LIMIT, NodeState, pipeline_health)
from emotion_estimator.message_fields import fallback_message
from emotion_estimator.model_loading import (
    load_estimator, LoadedEstimator, ModelLoadError, NodeStartError)
from emotion_estimator.ros import ros_outputs
from emotion_estimator.ros.image_input import ImageInput
from emotion_estimator.ros.node_outputs import NodeOutputs
from emotion_estimator.ros.node_parameters import (
    class_names_parameter, configuration_problem, DECISION_PARAMETERS, estimator_arguments,
    PARAMETERS)
from emotion_estimator.stream_order import StreamOrder

NODE_NAME = 'emotion_estimator'

#: Seconds between two log lines of the same kind of problem.
LOG_THROTTLE_S = 5.0


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
        for name, (default, descriptor) in PARAMETERS.items():
            self.declare_parameter(name, default, descriptor)
        self.camera_timeout_s = float(self.get_parameter('camera_timeout_s').value)
        self.processing_time_warn_ms = float(self.get_parameter('processing_time_warn_ms').value)
        self.use_compressed = bool(self.get_parameter('use_compressed').value)
        self.face_source = str(self.get_parameter('face_source').value)
        # The descriptors enforce types, ranges and read-only (rclpy checks them before any
        # callback); what is left is to apply the new values.
        self.add_post_set_parameters_callback(self._on_parameters_set)

        # Serialises every use of the estimator (worker thread, parameter, timer and service
        # callbacks, transitions).
        self._estimator_lock = threading.Lock()
        # PENDING_FRAMES read here, so that a benchmark may set node.PENDING_FRAMES first.
        self._queue = FrameQueue(PENDING_FRAMES)
        self._stream_order = StreamOrder()
        self._worker: Optional[threading.Thread] = None
        self._label = UNKNOWN
        self._last_stamp_s: Optional[float] = None
        self._state = 'unconfigured'
        #: Why the last configure failed (None when it did not).
        self._configure_exception: Optional[NodeStartError] = None
        self._starting = False

        self._processor: Optional[FrameProcessor] = None
        self.model_file = self.model_variant = self.face_model_file = None
        self.class_names: Tuple[str, ...] = ()
        #: The publishers, from configure to cleanup.
        self.outputs: Optional[NodeOutputs] = None
        self.watchdog_timer = None
        #: The subscriptions, from activate to deactivate.
        self.input = ImageInput(self, self._queue, self.face_source, self.use_compressed,
                                int(self.get_parameter('max_faces').value),
                                self._forget_faces, self._warn_throttled)
        self.input_topic = self.input.topic

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

    # ------------------------------------------------------------------ public read-only
    @property
    def lifecycle_state(self) -> str:
        """Return the primary state: unconfigured, inactive, active or finalized."""
        return self._state

    def frame_counters(self) -> FrameCounters:
        """Return a consistent copy of the frame counters (see :class:`FrameCounters`)."""
        return self._queue.counters()

    @property
    def estimator(self) -> Optional[EmotionEstimator]:
        """Return the loaded pipeline (None when not configured)."""
        processor = self._processor
        return processor.estimator if processor is not None else None

    @property
    def stamp_jumps_back(self) -> int:
        """Return how often a stream's stamps went back (each restarted its window)."""
        return self._stream_order.jumps_back

    def last_processed_stamp(self, face_id: Optional[str] = None) -> Optional[float]:
        """Return the stamp of the last processed frame of the camera (or of a ROS4HRI face)."""
        return self._stream_order.last(face_id)

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

    @_transition
    def on_configure(self, state: LifecycleState) -> TransitionCallbackReturn:
        """Load the models and create the publishers; fail with a logged reason."""
        self._configure_exception = None
        try:
            loaded = self._load_estimator()
        except NodeStartError as error:
            self._configure_exception = error
            if not self._starting:
                self.get_logger().error(f'cannot configure: {error}')
            return TransitionCallbackReturn.FAILURE
        with self._estimator_lock:
            self._processor = FrameProcessor(loaded.estimator, self._stream_order,
                                             self._warn_throttled)
        self.class_names = tuple(loaded.estimator.class_names)
        if not self.has_parameter('class_names'):
            self.declare_parameter('class_names', *class_names_parameter(self.class_names),
                                   ignore_override=True)
        self._apply_decision({name: self.get_parameter(name).value
                              for name in DECISION_PARAMETERS})

        self.outputs = NodeOutputs(
            self, self.class_names, self.face_source,
            lambda error: self.get_logger().error(f'cannot publish the debug image: {error!r}',
                                                  throttle_duration_sec=LOG_THROTTLE_S))
        fallback = fallback_message(ros_outputs.HAVE_EMOTION_MSGS, ros_outputs.HAVE_HRI_MSGS)
        if fallback:
            self.get_logger().warning(fallback)

        self._queue.open()
        self._worker = threading.Thread(target=self._work, name='emotion_estimator_worker',
                                        daemon=True)
        self._worker.start()
        self._state = 'inactive'
        self.get_logger().info(
            f'configured: model {self.model_file} ({self.model_variant}), face model '
            f'{self.face_model_file}; faces from {self.input.description}; decision '
            f'{self.estimator.settings}')
        return TransitionCallbackReturn.SUCCESS

    @_transition
    def on_activate(self, state: LifecycleState) -> TransitionCallbackReturn:
        """Subscribe to the input and start publishing."""
        self._queue.start_accepting()
        self.input.subscribe()
        self.watchdog_timer = self.create_timer(0.1, self._check_camera_timeout)
        self._state = 'active'
        self.get_logger().info(f'active: listening on {self.input.description}')
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

    def _load_estimator(self) -> LoadedEstimator:
        """Check the input parameters, then load the models (logging MediaPipe's lines)."""
        values = {name: self.get_parameter(name).value for name in PARAMETERS}
        problem = configuration_problem(values, ros_outputs.HAVE_HRI_MSGS)
        if problem:
            raise NodeStartError(problem)
        try:
            loaded = load_estimator(**estimator_arguments(values))
        except ModelLoadError as error:
            self._log_native(error.native_lines)  # all of it when loading failed
            raise
        self._log_native(loaded.native_lines)
        self.face_model_file = loaded.face_model_file
        self.model_variant, self.model_file = loaded.model_variant, loaded.model_file
        return loaded

    def _log_native(self, lines: List[str]) -> None:
        for line in lines:
            if line.strip():
                self.get_logger().warning(f'MediaPipe: {line.strip()}')

    def _stop_input(self, publish: bool = True) -> None:
        """Unsubscribe, drop the waiting frames, wait for the frame in progress, forget faces.

        With ``publish`` (not once the ROS context is shut down) ``unknown`` is published and
        ROS4HRI's tracked list emptied.
        """
        self.input.unsubscribe()
        if self.watchdog_timer is not None:
            self.destroy_timer(self.watchdog_timer)
            self.watchdog_timer = None
        self._queue.stop_accepting()
        self._label = UNKNOWN
        self._forget_all(publish)
        if self.outputs is not None and publish:
            self.outputs.publish_unknown()

    def _forget_all(self, publish: bool = True) -> None:
        """Forget every face: estimator, main face, ROS4HRI publishers, last results."""
        with self._estimator_lock:
            self._stream_order.clear()
            if self._processor is not None:
                self._processor.reset()
            if self.outputs is not None:
                self.outputs.forget_all(publish)

    def _release(self) -> None:
        """Stop the threads, destroy the publishers and close the estimator (idempotent)."""
        self._queue.close()
        worker, self._worker = self._worker, None
        if worker is not None and worker.is_alive() and threading.current_thread() is not worker:
            worker.join(timeout=5.0)
        with self._estimator_lock:
            if self.outputs is not None:
                self.outputs.destroy()
                self.outputs = None
            if self._processor is not None:
                self._processor.estimator.close()
                self._processor = None

    # ------------------------------------------------------------------ parameters, services
    def _apply_decision(self, values: Dict[str, float]) -> None:
        """Apply decision parameters; negative values mean the model's tuned setting."""
        with self._estimator_lock:
            if self._processor is not None:  # else applied at configure
                self._processor.update_decision(values)

    def _on_parameters_set(self, parameters: List[Parameter]) -> None:
        """Apply parameters that were set (rclpy checked them against their descriptors)."""
        decision = {p.name: float(p.value) for p in parameters if p.name in DECISION_PARAMETERS}
        if decision:
            self._apply_decision(decision)
            if self.estimator is not None:
                self.get_logger().info(f'decision settings now {self.estimator.settings}')
        for parameter in parameters:
            if parameter.name in ('camera_timeout_s', 'processing_time_warn_ms'):
                setattr(self, parameter.name, float(parameter.value))

    def _on_reset(self, request: Trigger.Request, response: Trigger.Response) -> Trigger.Response:
        """Start over (every face forgotten, label unknown) for the next frame; answer."""
        self._forget_all()
        self._label = UNKNOWN
        self.get_logger().info('reset by ~/reset: every face forgotten, label unknown')
        response.success = True
        response.message = ('every face forgotten (emotion windows, labels, resting faces) and '
                            'label unknown; the next frame starts anew')
        return response

    def _warn_throttled(self, message: str) -> None:
        self.get_logger().warning(message, throttle_duration_sec=LOG_THROTTLE_S)

    # ------------------------------------------------------------------ input
    def _forget_faces(self, gone: List[str]) -> None:
        """Forget the faces that ROS4HRI stopped tracking."""
        with self._estimator_lock:
            if self._processor is None:
                return
            main_gone = self._processor.forget(gone)
            self.outputs.forget(gone)
        if main_gone:
            self._label = UNKNOWN
            self.outputs.publish_unknown()

    def _check_camera_timeout(self) -> None:
        if not self._queue.check_timeout(self.camera_timeout_s):
            return
        self._label = UNKNOWN
        self._warn_throttled(f'no usable image for {self.camera_timeout_s:.1f} s on '
                             f'{self.input_topic}: label unknown')
        self._forget_all()
        self.outputs.publish_unknown()

    # ------------------------------------------------------------------ processing
    def _work(self) -> None:
        while True:
            job = self._queue.take()
            if job is None:
                return
            face_id, msg = job
            try:
                outcome = self._process(msg, face_id)
            except Exception as error:  # noqa: B902 - a bad frame must never stop the node
                outcome = 'error'
                self.get_logger().error(f'unexpected error processing a frame: {error!r}',
                                        throttle_duration_sec=LOG_THROTTLE_S)
            if outcome != PROCESSED:
                self._queue.done(outcome)

    def _process(self, msg, face_id: Optional[str] = None) -> str:
        """Process one frame (or a face's aligned image); return ``processed`` or a drop reason."""
        started = time.perf_counter()
        frame = self.input.frame(msg)
        if frame is None:
            return 'bad'
        stamp_s = self.input.stamp_seconds(msg, self._now_s)
        header = Header(stamp=msg.header.stamp, frame_id=msg.header.frame_id)
        with self._estimator_lock:
            processor = self._processor
            if processor is None or not self._queue.accepting:
                return 'stopped'
            if face_id not in self.input:
                return 'face_gone'
            processed = processor.process(frame, stamp_s, face_id)
            if isinstance(processed, str):
                return processed
            elapsed_s = time.perf_counter() - started
            if processed.main:
                self.outputs.publish_main(processed.result, msg, frame)
            self.outputs.publish_faces(processed, header, stamp_s, processor.estimator,
                                       processor.main_face_id)
        self._last_stamp_s = stamp_s
        if processed.main:
            self._label = processed.result.label
        if self._queue.done(PROCESSED, processed.result.face_found, elapsed_s,
                            self._now_s() - stamp_s):
            self.get_logger().info('frames arrive again')
        return PROCESSED

    def _now_s(self) -> float:
        return self.get_clock().now().nanoseconds * 1e-9

    # ------------------------------------------------------------------ diagnostics
    def diagnostic_status(self) -> DiagnosticStatus:
        """Return the pipeline status of the last period and reset the period's counters."""
        failure = self._configure_exception
        health = pipeline_health(self._queue.end_period(), NodeState(
            lifecycle_state=self._state, configure_failure=str(failure) if failure else '',
            input_topic=self.input_topic, face_source=self.face_source, label=self._label,
            last_stamp_s=self._last_stamp_s, stamp_jumps_back=self._stream_order.jumps_back,
            camera_timeout_s=self.camera_timeout_s,
            processing_time_warn_ms=self.processing_time_warn_ms,
            model_file=str(self.model_file or 'none'),
            model_variant=str(self.model_variant or 'none'),
            face_model_file=str(self.face_model_file or 'none')))
        return DiagnosticStatus(
            level=bytes([health.level]), name=f'{self.get_name()}: emotion pipeline',
            hardware_id=self.get_fully_qualified_name(), message=health.message,
            values=[KeyValue(key=key, value=value) for key, value in health.values.items()])

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
