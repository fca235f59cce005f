# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The layers hold: the library and ``test/unit`` never import ROS (docs/ARCHITECTURE.md).

Every ``import`` and ``from ... import`` is read with :mod:`ast` (nothing is imported), those
inside functions included. ROS here is rclpy, a message package (``*_msgs``, ``*_interfaces``)
and the package's own ROS glue, ``emotion_estimator.ros``. Modules named by a string (the
``emotion-estimator`` command imports its sub-command modules by name) count too.
"""

import ast
from pathlib import Path
from typing import Dict, List, Set

from lint_paths import REPO_ROOT

PACKAGE = REPO_ROOT / 'emotion_estimator'
UNIT_TESTS = REPO_ROOT / 'test' / 'unit'

#: The library modules allowed to name ``emotion_estimator.ros`` modules, and which ones: the
#: ``emotion-estimator`` command runs ``demo`` from ``emotion_estimator.ros.demo``, importing it by
#: name only when that sub-command runs (``cli.main``). No library module imports rclpy or a
#: message package.
LIBRARY_EXCEPTIONS: Dict[str, Set[str]] = {'emotion_estimator.cli': {'emotion_estimator.ros.demo'}}


def is_ros(name: str) -> bool:
    """Return whether the dotted module name ``name`` is rclpy, a message package or ros/."""
    top = name.split('.')[0]
    return (top == 'rclpy' or top.endswith('_msgs') or top.endswith('_interfaces')
            or name == 'emotion_estimator.ros' or name.startswith('emotion_estimator.ros.'))


def named_modules(source: str, package: str = '') -> Set[str]:
    """Return the modules ``source`` imports, and module names it holds as strings.

    Args:
        source: A Python file's text.
        package: The package the file is in (for relative imports), e.g. ``emotion_estimator``.

    Returns:
        Dotted names: ``import a.b`` gives ``a.b``; ``from a import b`` gives ``a`` and ``a.b``;
        a string constant that looks like a dotted module name gives itself.

    """
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ''
            if node.level:
                parts = package.split('.')
                anchor = parts[:len(parts) - node.level + 1]
                base = '.'.join(anchor + ([base] if base else []))
            found.add(base)
            found.update(f'{base}.{alias.name}' for alias in node.names)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            words = node.value.split('.')
            if len(words) > 1 and all(word.isidentifier() for word in words):
                found.add(node.value)
    return found


def ros_imports(source: str, package: str = '') -> List[str]:
    """Return the ROS modules (:func:`is_ros`) that ``source`` imports or names, sorted."""
    return sorted(name for name in named_modules(source, package) if is_ros(name))


def library_modules() -> Dict[str, Path]:
    """Return every module of ``emotion_estimator`` outside ``emotion_estimator/ros/``."""
    modules = {}
    for path in sorted(PACKAGE.rglob('*.py')):
        relative = path.relative_to(PACKAGE)
        if '__pycache__' in relative.parts or relative.parts[0] == 'ros':
            continue
        parts = ['emotion_estimator'] + list(relative.with_suffix('').parts)
        if parts[-1] == '__init__':
            parts.pop()
        modules['.'.join(parts)] = path
    return modules


def test_the_checker_finds_ros_imports_lazy_relative_and_by_name():
    assert ros_imports('import rclpy.node\n') == ['rclpy.node']
    assert ros_imports('def f():\n    from sensor_msgs.msg import Image\n') == [
        'sensor_msgs.msg', 'sensor_msgs.msg.Image']
    assert ros_imports('from builtin_interfaces.msg import Time\n') != []
    assert ros_imports('from emotion_estimator import ros\n') == ['emotion_estimator.ros']
    assert ros_imports('from .ros import node\n', 'emotion_estimator') == [
        'emotion_estimator.ros', 'emotion_estimator.ros.node']
    assert ros_imports("MODULE = 'emotion_estimator.ros.demo'\n") == [
        'emotion_estimator.ros.demo']
    # ros_image, rosbags' type names and plain words are not ROS imports.
    clean = ('from emotion_estimator import ros_image\nimport rosbags\n'
             "TYPE = 'sensor_msgs/msg/Image'\nWORD = 'see the README.'\n")
    assert ros_imports(clean, 'emotion_estimator') == []
    assert 'emotion_estimator.cli' in library_modules()
    assert not any(name.startswith('emotion_estimator.ros.') for name in library_modules())


def test_unit_tests_import_no_ros():
    files = sorted(path for path in UNIT_TESTS.rglob('*.py') if '__pycache__' not in path.parts)
    assert len(files) > 20
    found = {str(path.relative_to(REPO_ROOT)): ros_imports(path.read_text()) for path in files}
    found = {path: names for path, names in found.items() if names}
    assert not found, ('test/unit is ROS-free (README, Tests): move these to test/ros/ or the '
                       f'ROS-free helper they test out of emotion_estimator/ros/: {found}')


def test_the_library_imports_no_ros():
    found = {}
    for module, path in library_modules().items():
        package = module if path.name == '__init__.py' else module.rpartition('.')[0]
        names = set(ros_imports(path.read_text(), package))
        names -= LIBRARY_EXCEPTIONS.get(module, set())
        if names:
            found[module] = sorted(names)
    assert not found, ('the library never imports rclpy, a message package or '
                       f'emotion_estimator.ros (docs/ARCHITECTURE.md): {found}')


def test_each_exception_is_still_needed():
    for module, allowed in LIBRARY_EXCEPTIONS.items():
        path = library_modules()[module]
        assert allowed <= set(ros_imports(path.read_text(), 'emotion_estimator')), module
