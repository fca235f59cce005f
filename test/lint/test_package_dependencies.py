# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""package.xml against the imports the package makes: `rosdep install` gives a working node.

Every module of ``emotion_estimator/`` and the launch file is parsed with ``ast``; each
third-party module it imports must map to an ``exec_depend`` rosdep key of ``package.xml`` or
to one documented pip step (no rosdep key exists for it), and every ``exec_depend`` must be
needed by an import. A new import without a key, or a key left over, fails here.
"""

import ast
from pathlib import Path
import sys
from typing import Dict, Set
import xml.etree.ElementTree as ElementTree

from doc_sections import texts

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = 'emotion_estimator'
SOURCES = sorted((ROOT / PACKAGE).rglob('*.py')) + sorted((ROOT / 'launch').glob('*.py'))

#: Imported module -> its rosdep key (ROS packages are their own keys).
ROSDEP_KEYS: Dict[str, str] = {
    **{name: name for name in (
        'rclpy', 'builtin_interfaces', 'std_msgs', 'sensor_msgs', 'diagnostic_msgs', 'std_srvs',
        'lifecycle_msgs', 'rcl_interfaces', 'ament_index_python', 'launch', 'launch_ros',
        'emotion_estimator_msgs', 'hri_msgs')},
    'numpy': 'python3-numpy',
    'mediapipe': 'python3-mediapipe-pip',
    # OpenCV comes with mediapipe (opencv-contrib-python); python3-opencv beside it would put
    # two packages into one cv2/ folder.
    'cv2': 'python3-mediapipe-pip',
    'skimage': 'python3-skimage',
    'matplotlib': 'python3-matplotlib',
    'tqdm': 'python3-tqdm',
    'rosbags': 'python3-rosbags-pip',
}
#: Imported module -> the pip step that installs it (no rosdep key); each must be named in a
#: comment of package.xml and in the README or docs/.
PIP_STEPS: Dict[str, str] = {
    'ai_edge_litert': 'ai-edge-litert',
    'ray': 'emotion_estimator[corpus]',
    'pyarrow': 'emotion_estimator[corpus]',
}
#: Imported only where the module above is missing (classifier.py's fallback), never installed.
FALLBACKS = {'tflite_runtime'}


def third_party_imports() -> Dict[str, Set[str]]:
    """Return each imported top-level module outside the standard library -> importing files."""
    found: Dict[str, Set[str]] = {}
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split('.')[0]
                if top not in sys.stdlib_module_names and top != PACKAGE:
                    found.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return found


def package_xml() -> ElementTree.Element:
    """Return the parsed package.xml (comments kept)."""
    parser = ElementTree.XMLParser(target=ElementTree.TreeBuilder(insert_comments=True))
    return ElementTree.parse(ROOT / 'package.xml', parser).getroot()


def test_the_imports_are_found():
    imports = third_party_imports()
    # The parse sees the package's real imports (a broken parse would pass everything).
    assert {'rclpy', 'mediapipe', 'numpy', 'ai_edge_litert', 'launch_ros'} <= set(imports)


def test_every_import_has_a_rosdep_key_or_a_documented_pip_step():
    unknown = {name: sorted(files) for name, files in third_party_imports().items()
               if name not in ROSDEP_KEYS and name not in PIP_STEPS and name not in FALLBACKS}
    assert not unknown, f'imports without a rosdep key or pip step (add to package.xml): {unknown}'


def test_package_xml_declares_exactly_the_keys_the_imports_need():
    declared = {element.text.strip() for element in package_xml().iter('exec_depend')}
    needed = {ROSDEP_KEYS[name] for name in third_party_imports() if name in ROSDEP_KEYS}
    assert needed - declared == set(), f'missing exec_depend: {sorted(needed - declared)}'
    assert declared - needed == set(), f'exec_depend nothing imports: {sorted(declared - needed)}'


def test_pip_steps_are_documented_in_package_xml_and_the_readme():
    comments = ' '.join(element.text for element in package_xml().iter(ElementTree.Comment))
    readme = '\n'.join(texts().values())  # the README and docs/*.md
    imports = third_party_imports()
    for name, step in PIP_STEPS.items():
        if name in imports:
            assert step in comments, f'package.xml does not say how to install {name} ({step})'
            assert step in readme, f'neither README nor docs/ say how to install {name} ({step})'


def test_no_opencv_key_beside_mediapipe():
    declared = {element.text.strip() for element in package_xml().iter('exec_depend')}
    assert 'python3-opencv' not in declared
