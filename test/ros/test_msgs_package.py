# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The interface package emotion_estimator_msgs: static checks, and its build without shared.

That it builds with everything and that its types travel over ROS is checked in
``test_ros_messages.py``. The last test here runs ``scripts/build_ros_workspace.sh`` as a fresh
machine without the shared ROS sources does (``scripts/demo.sh``): it builds only this
repository's two packages, into a workspace of its own (about 20 s).
"""

import os
from pathlib import Path
import re
import shutil
import subprocess
import xml.etree.ElementTree as ElementTree

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / 'emotion_estimator_msgs'
BUILD_SCRIPT = ROOT / 'scripts' / 'build_ros_workspace.sh'
COPYRIGHT = re.compile(r'^(#|<!--) Copyright \d{4}(-\d{4})? The emotion_estimator authors\.$')


def test_every_file_carries_the_copyright_header():
    files = [*PACKAGE.rglob('*.msg'), PACKAGE / 'CMakeLists.txt', PACKAGE / 'package.xml',
             ROOT / 'scripts' / 'build_ros_workspace.sh']
    for path in files:
        lines = [line for line in path.read_text().splitlines()
                 if not line.startswith(('#!', '<?xml'))]
        assert COPYRIGHT.match(lines[0]), f'{path}: {lines[0]}'
        assert 'SPDX-License-Identifier: Apache-2.0' in lines[1], f'{path}: {lines[1]}'


def test_cmake_generates_every_message():
    cmake = (PACKAGE / 'CMakeLists.txt').read_text()
    listed = set(re.findall(r'"(msg/\w+\.msg)"', cmake))
    assert listed == {f'msg/{path.name}' for path in (PACKAGE / 'msg').glob('*.msg')}
    assert listed == {'msg/Emotion.msg', 'msg/EmotionArray.msg'}


def test_package_xml_is_an_interface_package():
    root = ElementTree.parse(PACKAGE / 'package.xml').getroot()
    assert root.get('format') == '3'
    assert root.findtext('name') == 'emotion_estimator_msgs'
    assert root.findtext('export/build_type') == 'ament_cmake'
    assert root.findtext('member_of_group') == 'rosidl_interface_packages'
    depends = {element.text for element in root if element.tag.endswith('depend')}
    assert {'ament_cmake', 'rosidl_default_generators', 'rosidl_default_runtime', 'std_msgs',
            'sensor_msgs'} <= depends
    # Every package a message refers to (pkg/Type) is a dependency.
    used = {match for path in (PACKAGE / 'msg').glob('*.msg')
            for match in re.findall(r'^(\w+)/\w+', path.read_text(), re.MULTILINE)}
    assert used <= depends, used - depends


def test_versions_agree_with_the_node_package():
    ours = ElementTree.parse(PACKAGE / 'package.xml').getroot().findtext('version')
    node = ElementTree.parse(ROOT / 'package.xml').getroot().findtext('version')
    assert ours == node


def test_derived_fields_say_so():
    emotion = (PACKAGE / 'msg' / 'Emotion.msg').read_text()
    assert 'DERIVED from scores' in emotion and 'Warriner' in emotion


def _package_depends(package_xml: Path) -> set:
    root = ElementTree.parse(package_xml).getroot()
    return {element.text for element in root
            if element.tag in ('depend', 'build_depend', 'buildtool_depend', 'exec_depend')}


def test_interface_package_needs_only_wheels_the_build_script_installs():
    # Without the shared sources the build script has only these wheels: a dependency that
    # only the shared sources provide (hri_msgs, composition_interfaces, ...) breaks that build.
    wheels = set(re.findall(r'\bros-kilted-([a-z0-9-]+)', BUILD_SCRIPT.read_text()))
    needed = {name.replace('_', '-') for name in _package_depends(PACKAGE / 'package.xml')}
    assert needed <= wheels, needed - wheels


# What the build script reads of this repository: itself, its helper and the two packages.
COPIED = ('scripts/build_ros_workspace.sh', 'scripts/find_shared.sh', 'emotion_estimator_msgs',
          'emotion_estimator', 'launch', 'config', 'models', 'resource', 'setup.py', 'setup.cfg',
          'package.xml')


def test_build_without_the_shared_sources_gives_the_typed_messages(tmp_path):
    venv = ROOT / '.venv'
    tools_stamp = ROOT / 'build_ros' / 'stamps' / 'tools'
    if not (venv / 'bin' / 'colcon').is_file() or not tools_stamp.is_file():
        pytest.fail(f'the build tools are not installed in {venv}: run {BUILD_SCRIPT}')
    repo = tmp_path / 'repo'
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, repo / name,
                            ignore=shutil.ignore_patterns('__pycache__', '*.pyc'))
        else:
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, repo / name)
    (repo / '.venv').symlink_to(venv)
    # The build tools are in the shared .venv already: no pip step.
    (repo / 'build_ros' / 'stamps').mkdir(parents=True)
    shutil.copy2(tools_stamp, repo / 'build_ros' / 'stamps' / 'tools')
    env = {name: value for name, value in os.environ.items()
           if name not in ('AMENT_PREFIX_PATH', 'CMAKE_PREFIX_PATH', 'PYTHONPATH',
                           'LD_LIBRARY_PATH', 'COLCON_PREFIX_PATH')}
    env['EMOTION_ESTIMATOR_SHARED'] = str(tmp_path / 'no_shared')

    def build() -> subprocess.CompletedProcess:
        return subprocess.run([str(repo / 'scripts' / 'build_ros_workspace.sh')], env=env,
                              capture_output=True, text=True, timeout=600,
                              stdin=subprocess.DEVNULL)

    first = build()
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    skipped = [line for line in first.stdout.splitlines() if line.startswith('skipping ')]
    assert len(skipped) == 1, first.stdout
    assert 'hri_msgs' in skipped[0] and str(tmp_path / 'no_shared') in skipped[0]
    assert 'Starting >>> emotion_estimator_msgs' in first.stdout
    assert 'Starting >>> hri_msgs' not in first.stdout
    # The node's view with env.sh sourced: the typed messages, no hri_msgs.
    probe = ('from emotion_estimator.ros import ros_outputs; import emotion_estimator_msgs; '
             'print(ros_outputs.HAVE_EMOTION_MSGS, ros_outputs.HAVE_HRI_MSGS, '
             'emotion_estimator_msgs.__file__)')
    result = subprocess.run(
        ['bash', '-c', 'source "$0" && exec "$1" -c "$2"', str(repo / 'build_ros' / 'env.sh'),
         str(venv / 'bin' / 'python'), probe],
        env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stdout + result.stderr
    have_emotion_msgs, have_hri_msgs, location = result.stdout.split()
    assert (have_emotion_msgs, have_hri_msgs) == ('True', 'False')
    assert location.startswith(str(repo / 'build_ros' / 'install'))
    # Run again with nothing changed: no build.
    second = build()
    assert second.returncode == 0, second.stdout + second.stderr
    assert 'colcon: nothing changed since the last build' in second.stdout
