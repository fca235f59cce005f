# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Static checks of the interface package emotion_estimator_msgs (no build, no ROS).

That it builds and that its types travel over ROS is checked in ``test_ros_messages.py``.
"""

from pathlib import Path
import re
import xml.etree.ElementTree as ElementTree

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / 'emotion_estimator_msgs'
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
