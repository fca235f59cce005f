# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""A robot behaviour tree (py_trees + rclpy) that acts on the emotion_estimator node's topics.

    pip install py-trees==2.6.0         # or: pip install -e '.[bt]'
    python examples/emotion_behaviour_tree.py                 # beside a running node
    python examples/emotion_behaviour_tree.py --ros-args -r emotion/faces:=/robot/emotion/faces

It greets a smile that has held for ``--greet-after`` seconds (1), comforts a sadness that has
held for ``--comfort-after`` seconds (2), watches while a face is there and nothing is due, and
goes idle when the face leaves or the node stops (no message for ``--silence`` seconds, 1).

It reads the main face of ``emotion/faces`` (``emotion_estimator_msgs/EmotionArray``: the
label, ``label_held_s`` and whether any face is there) where that package is installed, else
(or with ``--std-msgs``) ``emotion`` + ``emotion/header`` (``std_msgs``): the label of each frame
and the frame's stamp, from which it computes how long the label has held; there, ``unknown`` is
all it knows of a face that left. What it does is logged and published on ``behaviour``
(``std_msgs/String``, transient local: a late subscriber gets the current one): ``greet``,
``comfort``, ``watch`` or ``idle``.

The tree, ticked at ``--rate`` Hz (10)::

    [-] emotion_behaviour (sequence)
        --> emotion_to_blackboard        the latest emotion from the topics
        [o] respond (selector, highest priority first)
            [-] comfort: sad held >= 2 s    --> comfort (runs while it holds)
            [-] greet: happy held >= 1 s    --> greet
            [-] watch: a face is there      --> watch
            --> idle

Each response is a :class:`Respond` behaviour: ``initialise`` (when it starts) is where a robot
starts to speak or move, ``terminate`` (when a higher priority takes over or its condition
fails) is where it stops. Replace :meth:`Respond.initialise` / :meth:`Respond.terminate` with
the robot's actions.
"""

import argparse
from dataclasses import dataclass
import math
import sys
import time
from typing import List, Optional

import py_trees
import rclpy
from rclpy.executors import ExternalShutdownException
from rclpy.node import Node
from rclpy.qos import DurabilityPolicy, QoSProfile
from rclpy.utilities import remove_ros_args
from std_msgs.msg import Header, String

try:  # emotion/faces: the typed per-face messages, built with colcon beside the node
    from emotion_estimator_msgs.msg import EmotionArray
except ImportError:
    EmotionArray = None

UNKNOWN = 'unknown'
#: The blackboard key of the latest emotion (an :class:`EmotionView`).
EMOTION_KEY = 'emotion'


@dataclass
class EmotionView:
    """The main face's emotion as the tree sees it at one tick."""

    #: 'happy', 'sad' or 'unknown'.
    label: str = UNKNOWN
    #: How long ``label`` has held (s), from the frames' stamps.
    held_s: float = 0.0
    #: Whether a face was in the last frame (with std_msgs only: a label other than unknown).
    face: bool = False
    #: Seconds since the last message (inf before the first).
    age_s: float = math.inf


class EmotionTopics:
    """Keep the main face's latest emotion from the node's topics.

    Args:
        node: The rclpy node to subscribe with.
        use_faces: Read ``emotion/faces``; False: ``emotion`` + ``emotion/header``.

    """

    def __init__(self, node: Node, use_faces: bool):
        """Subscribe to ``emotion/faces``, or to ``emotion`` and ``emotion/header``."""
        self.use_faces = use_faces
        self._view = EmotionView()
        self._received_monotonic: Optional[float] = None
        self._label = UNKNOWN  # std_msgs: the label waiting for its header
        self._since_s: Optional[float] = None
        qos = QoSProfile(depth=10)  # the node publishes reliable, depth 10
        if use_faces:
            node.create_subscription(EmotionArray, 'emotion/faces', self._on_faces, qos)
        else:
            node.create_subscription(String, 'emotion', self._on_label, qos)
            node.create_subscription(Header, 'emotion/header', self._on_header, qos)

    def view(self) -> EmotionView:
        """Return the latest emotion, with its age now."""
        age_s = (math.inf if self._received_monotonic is None
                 else time.monotonic() - self._received_monotonic)
        return EmotionView(self._view.label, self._view.held_s, self._view.face, age_s)

    def _on_faces(self, msg) -> None:
        main = msg.faces[0] if msg.faces else None  # the main face comes first
        self._view = (EmotionView(main.label, float(main.label_held_s), True) if main
                      else EmotionView(UNKNOWN, 0.0, False))
        self._received_monotonic = time.monotonic()

    def _on_label(self, msg: String) -> None:
        self._label = msg.data  # its emotion/header follows it

    def _on_header(self, msg: Header) -> None:
        stamp_s = msg.stamp.sec + msg.stamp.nanosec * 1e-9
        if (self._since_s is None or self._label != self._view.label
                or stamp_s < self._since_s):
            self._since_s = stamp_s
        self._view = EmotionView(self._label, stamp_s - self._since_s, self._label != UNKNOWN)
        self._received_monotonic = time.monotonic()


class EmotionToBlackboard(py_trees.behaviour.Behaviour):
    """Write the latest emotion to the blackboard; always succeeds."""

    def __init__(self, name: str, topics: EmotionTopics):
        """Register the blackboard key this behaviour writes."""
        super().__init__(name)
        self.topics = topics
        self.blackboard = self.attach_blackboard_client(name)
        self.blackboard.register_key(EMOTION_KEY, access=py_trees.common.Access.WRITE)

    def update(self) -> py_trees.common.Status:
        """Copy the topics' latest emotion to the blackboard."""
        self.blackboard.set(EMOTION_KEY, self.topics.view())
        return py_trees.common.Status.SUCCESS


class EmotionHeld(py_trees.behaviour.Behaviour):
    """Succeed while the main face's label is ``label`` and has held ``min_held_s``, fresh."""

    def __init__(self, name: str, label: str, min_held_s: float, silence_s: float):
        """Check ``label`` held at least ``min_held_s``; no message for ``silence_s`` fails."""
        super().__init__(name)
        self.label, self.min_held_s, self.silence_s = label, min_held_s, silence_s
        self.blackboard = self.attach_blackboard_client(name)
        self.blackboard.register_key(EMOTION_KEY, access=py_trees.common.Access.READ)

    def update(self) -> py_trees.common.Status:
        """Return SUCCESS when the condition holds now, else FAILURE."""
        view = self.blackboard.get(EMOTION_KEY)
        held = (view.age_s <= self.silence_s and view.label == self.label
                and view.held_s >= self.min_held_s)
        return py_trees.common.Status.SUCCESS if held else py_trees.common.Status.FAILURE


class FacePresent(py_trees.behaviour.Behaviour):
    """Succeed while a face is in the node's latest frame and the node is not silent."""

    def __init__(self, name: str, silence_s: float):
        """Fail when no message came for ``silence_s``."""
        super().__init__(name)
        self.silence_s = silence_s
        self.blackboard = self.attach_blackboard_client(name)
        self.blackboard.register_key(EMOTION_KEY, access=py_trees.common.Access.READ)

    def update(self) -> py_trees.common.Status:
        """Return SUCCESS when a face is there now, else FAILURE."""
        view = self.blackboard.get(EMOTION_KEY)
        present = view.face and view.age_s <= self.silence_s
        return py_trees.common.Status.SUCCESS if present else py_trees.common.Status.FAILURE


class Respond(py_trees.behaviour.Behaviour):
    """One of the robot's responses: runs until a higher priority or its condition stops it."""

    def __init__(self, name: str, node: Node, publisher):
        """Announce the response on ``publisher`` when it starts."""
        super().__init__(name)
        self.node, self.publisher = node, publisher

    def initialise(self) -> None:
        """Start the response (a robot: start speaking or moving here)."""
        self.node.get_logger().info(f'behaviour: {self.name}')
        self.publisher.publish(String(data=self.name))

    def update(self) -> py_trees.common.Status:
        """Keep responding."""
        return py_trees.common.Status.RUNNING

    def terminate(self, new_status: py_trees.common.Status) -> None:
        """Stop the response (a robot: stop speaking or moving here)."""


def make_tree(node: Node, topics: EmotionTopics, publisher, greet_after_s: float = 1.0,
              comfort_after_s: float = 2.0,
              silence_s: float = 1.0) -> py_trees.trees.BehaviourTree:
    """Return the tree drawn in this module's docstring."""
    def response(name: str, condition: Optional[py_trees.behaviour.Behaviour]):
        action = Respond(name, node, publisher)
        if condition is None:
            return action
        return py_trees.composites.Sequence(name=f'{name}?', memory=False,
                                            children=[condition, action])

    respond = py_trees.composites.Selector(name='respond', memory=False, children=[
        response('comfort', EmotionHeld('sad_held', 'sad', comfort_after_s, silence_s)),
        response('greet', EmotionHeld('happy_held', 'happy', greet_after_s, silence_s)),
        response('watch', FacePresent('face_present', silence_s)),
        response('idle', None),
    ])
    root = py_trees.composites.Sequence(name='emotion_behaviour', memory=False, children=[
        EmotionToBlackboard('emotion_to_blackboard', topics), respond])
    return py_trees.trees.BehaviourTree(root)


def parse_arguments(argv: List[str]) -> argparse.Namespace:
    """Return the options (ROS arguments removed)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--greet-after', type=float, default=1.0,
                        help='seconds a smile must hold before the robot greets (1)')
    parser.add_argument('--comfort-after', type=float, default=2.0,
                        help='seconds a sadness must hold before the robot comforts (2)')
    parser.add_argument('--silence', type=float, default=1.0,
                        help='seconds without a message after which the node counts as '
                             'stopped (1)')
    parser.add_argument('--rate', type=float, default=10.0, help='ticks per second (10)')
    parser.add_argument('--std-msgs', action='store_true',
                        help='read emotion + emotion/header even where emotion/faces exists')
    return parser.parse_args(remove_ros_args(argv)[1:])


def main(argv: Optional[List[str]] = None) -> int:
    """Tick the tree until Ctrl-C."""
    argv = sys.argv if argv is None else argv
    options = parse_arguments(argv)
    rclpy.init(args=argv)
    node = rclpy.create_node('emotion_behaviour')
    try:
        use_faces = EmotionArray is not None and not options.std_msgs
        topics = EmotionTopics(node, use_faces)
        node.get_logger().info('reading ' + ('emotion/faces' if use_faces
                                             else 'emotion and emotion/header'))
        publisher = node.create_publisher(
            String, 'behaviour',
            QoSProfile(depth=1, durability=DurabilityPolicy.TRANSIENT_LOCAL))
        tree = make_tree(node, topics, publisher, options.greet_after, options.comfort_after,
                         options.silence)
        tree.setup(timeout=5.0)
        node.create_timer(1.0 / options.rate, tree.tick)
        rclpy.spin(node)
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    finally:
        node.destroy_node()
        rclpy.try_shutdown()
    return 0


if __name__ == '__main__':
    sys.exit(main())
