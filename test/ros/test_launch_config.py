# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Check the launch file (parsed, since `launch` is not installable here), the YAML and the node.

The YAML must list exactly the parameters the node declares, with the node's defaults, and load
into a real node; package.xml must name every runtime dependency.
"""

import ast
from pathlib import Path
import xml.etree.ElementTree as ElementTree

import pytest
import rclpy
from rclpy.parameter import Parameter
import yaml

from emotion_estimator.ros.node import EmotionEstimatorNode, NODE_NAME, PARAMETERS

ROOT = Path(__file__).resolve().parents[2]
LAUNCH_FILE = ROOT / 'launch' / 'emotion_estimator.launch.py'
CONFIG_FILE = ROOT / 'config' / 'emotion_estimator.yaml'
#: Declared by rclpy itself, or derived from the model (read-only, not configurable).
NOT_IN_YAML = {'use_sim_time', 'start_type_description_service', 'class_names'}


def _config() -> dict:
    data = yaml.safe_load(CONFIG_FILE.read_text())
    assert list(data) == [NODE_NAME]
    return data[NODE_NAME]['ros__parameters']


def _calls(tree: ast.AST, name: str) -> list:
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call)
            and getattr(node.func, 'id', getattr(node.func, 'attr', None)) == name]


def _keywords(call: ast.Call) -> dict:
    return {keyword.arg: keyword.value for keyword in call.keywords}


def test_launch_file_arguments_node_and_no_side_effects():
    tree = ast.parse(LAUNCH_FILE.read_text())
    functions = [n.name for n in tree.body if isinstance(n, ast.FunctionDef)]
    assert functions == ['generate_launch_description']
    # Module level holds only imports and the function (no side effects at import time).
    assert all(isinstance(n, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.Expr))
               for n in tree.body)
    imported = {alias.name.split('.')[0] for n in ast.walk(tree)
                if isinstance(n, (ast.Import, ast.ImportFrom))
                for alias in (n.names if isinstance(n, ast.Import) else [ast.alias(n.module)])}
    assert imported <= {'os', 'ament_index_python', 'launch', 'launch_ros', 'lifecycle_msgs'}, \
        imported
    assert not _calls(tree, 'eval') and not _calls(tree, 'ExecuteProcess')

    arguments = {ast.literal_eval(call.args[0]): _keywords(call)
                 for call in _calls(tree, 'DeclareLaunchArgument')}
    assert set(arguments) == {'params_file', 'image_topic', 'face_source', 'autostart'}
    assert ast.literal_eval(arguments['image_topic']['default_value']) == 'image'
    assert ast.literal_eval(arguments['autostart']['default_value']) == 'true'
    assert ast.literal_eval(arguments['face_source']['default_value']) == ''
    default_params = ast.unparse(tree)
    assert "'config', 'emotion_estimator.yaml'" in default_params
    assert "get_package_share_directory('emotion_estimator')" in default_params

    (node,) = _calls(tree, 'LifecycleNode')
    keywords = _keywords(node)
    assert ast.literal_eval(keywords['package']) == 'emotion_estimator'
    assert ast.literal_eval(keywords['executable']) == 'emotion_estimator_node'
    assert ast.literal_eval(keywords['name']) == NODE_NAME
    assert "LaunchConfiguration('params_file')" in ast.unparse(keywords['parameters'])
    remappings = ast.unparse(keywords['remappings'])
    assert "('image', LaunchConfiguration('image_topic'))" in remappings


def test_yaml_keys_and_defaults_match_the_node_table():
    config = _config()
    assert set(config) == set(PARAMETERS)
    for name, (default, _) in PARAMETERS.items():
        assert config[name] == default, name
        assert type(config[name]) is type(default), name


def test_every_yaml_parameter_has_a_comment_with_a_unit_or_meaning():
    lines = CONFIG_FILE.read_text().splitlines()
    for index, line in enumerate(lines):
        stripped = line.strip()
        if stripped and not stripped.startswith('#') and line.startswith(' ' * 4) \
                and stripped.split(':')[0] in PARAMETERS:
            assert lines[index - 1].strip().startswith('#'), f'no comment above {stripped}'


def test_node_declares_exactly_the_yaml_parameters_and_loads_it(emotion_model_spec):
    config = _config()
    rclpy.init()
    try:
        node = EmotionEstimatorNode(
            cli_args=['--ros-args', '--params-file', str(CONFIG_FILE)],
            parameter_overrides=[Parameter('model_spec_path', value=str(emotion_model_spec))])
        try:
            names = {name for name in node.get_parameters_by_prefix('')
                     if not name.startswith('qos_overrides.')}  # standard ROS 2 QoS overrides
            assert names - NOT_IN_YAML == set(config)
            for name, value in config.items():
                if name != 'model_spec_path':
                    assert node.get_parameter(name).value == value, name
            for name, (_, descriptor) in PARAMETERS.items():
                described = node.describe_parameter(name)
                assert described.description == descriptor.description
                assert described.description, name
            assert node.describe_parameter('class_names').read_only
        finally:
            node.destroy_node()
    finally:
        rclpy.try_shutdown()


def test_package_xml_dependencies():
    root = ElementTree.parse(ROOT / 'package.xml').getroot()
    assert root.get('format') == '3'
    assert root.findtext('license') == 'Apache-2.0'
    assert root.find('export/build_type').text == 'ament_python'
    exec_depends = {e.text for e in root.findall('exec_depend')}
    assert {'rclpy', 'std_msgs', 'sensor_msgs', 'diagnostic_msgs', 'python3-numpy',
            'python3-mediapipe-pip'} <= exec_depends
    assert 'python3-opencv' not in exec_depends
    test_depends = {e.text for e in root.findall('test_depend')}
    assert {'ament_flake8', 'ament_pep257', 'ament_copyright', 'python3-pytest'} <= test_depends


@pytest.mark.parametrize('name', sorted(PARAMETERS))
def test_parameters_have_descriptions(name):
    assert PARAMETERS[name][1].description


def test_readme_parameter_table_matches_the_node():
    text = (ROOT / 'README.md').read_text()
    section = text.split('<!-- section: node (node helper) -->')[1].split('<!-- end: node -->')[0]
    table = section.split('| name | type | default |')[1].split('\n\n')[0]
    rows = [line.split('|')[1:-1] for line in table.splitlines()[2:]]
    documented = {row[0].strip().strip('`'): row for row in rows}
    assert set(documented) == set(PARAMETERS) | {'class_names'}
    for name, (default, descriptor) in PARAMETERS.items():
        shown = documented[name][2].strip().strip('`')
        expected = str(default).lower() if isinstance(default, bool) else repr(default)
        assert shown == expected, name
        assert documented[name][4].strip().startswith('no') == descriptor.read_only, name
