# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The README and docs/*.md name only what exists: paths, commands, options, arguments, topics.

Each check reads the documents as text and compares what they name with the code: the
``emotion-estimator`` parser, the training command's sub-commands, the launch file's arguments,
the parameters of ``config/emotion_estimator.yaml`` (which ``test/ros/test_launch_config.py``
holds equal to the node's) and the README's topic table (which ``test/ros/test_ros_launch.py``
holds equal to the running node's). A renamed module, test, option or topic fails here.
"""

import argparse
import json
from pathlib import Path
import re
from typing import Dict, Iterator, List, Set, Tuple

from doc_sections import README, README_MAX_LINES, REPO_ROOT, section, texts
import pytest
import yaml

from emotion_estimator import cli

#: Top-level folders whose paths the documents name (relative to the repository root).
ROOT_FOLDERS = ('.ci', 'benchmarks', 'config', 'docs', 'emotion_estimator',
                'emotion_estimator_msgs', 'examples', 'launch', 'models', 'scripts', 'test',
                'training')
#: Paths the documents name that are made by running something (not in a clean clone).
GENERATED = {'build_ros', 'build_ros_jazzy', 'training/runs'}
PATH_PATTERN = re.compile(r'(?<![\w./~$<-])((?:%s)/[\w.*/<>-]*)' % '|'.join(
    re.escape(folder) for folder in ROOT_FOLDERS))
LINK_PATTERN = re.compile(r'\]\(([^)\s]+)\)')
CODE_SPAN = re.compile(r'`([^`\n]+)`')
FENCE = re.compile(r'^```[a-z]*\n(.*?)^```', re.S | re.M)


def code_lines(text: str) -> List[str]:
    """Return each line of the fenced blocks and each inline code span of a document."""
    lines = [line for block in FENCE.findall(text) for line in block.splitlines()]
    outside = FENCE.sub('', text)
    return lines + CODE_SPAN.findall(outside)


def named_paths(text: str) -> Iterator[str]:
    """Yield every repository path a document names (in code or prose), without a trailing dot."""
    for match in PATH_PATTERN.finditer(text):
        path = match.group(1).rstrip('.').rstrip('/')
        if path.endswith('.') or path.count('/') == 0:
            continue
        yield path


def exists(path: str) -> bool:
    """Return whether a named repository path is there; globs and ``<placeholders>`` allowed."""
    if any(path == made or path.startswith(made + '/') for made in GENERATED):
        return True
    message = re.fullmatch(r'emotion_estimator_msgs/(?:msg/)?(\w+)', path)
    if message:  # an interface type, `emotion_estimator_msgs/Emotion` or `.../msg/Emotion`
        path = f'emotion_estimator_msgs/msg/{message.group(1)}.msg'
    if '<' in path:  # `reports/<path>_report/`, `/humans/faces/<id>`: check the part before it
        path = path.split('<')[0].rsplit('/', 1)[0]
    if '*' in path:
        return any(REPO_ROOT.glob(path))
    return (REPO_ROOT / path).exists()


def command_options(parser: argparse.ArgumentParser) -> Dict[str, Set[str]]:
    """Return ``{sub-command: its long options}`` of a parser with sub-commands."""
    [commands] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return {name: {o for a in sub._actions for o in a.option_strings if o.startswith('--')}
            for name, sub in commands.choices.items()}


def training_commands() -> Tuple[Set[str], str]:
    """Return the training command's sub-commands and its source (TensorFlow is not here)."""
    source = (REPO_ROOT / 'training' / 'emotion_estimator_training' / 'cli.py').read_text()
    return set(re.findall(r"\('([a-z-]+)', cmd_\w+\)", source)), source


def launch_arguments() -> Set[str]:
    """Return the arguments the launch file declares."""
    source = (REPO_ROOT / 'launch' / 'emotion_estimator.launch.py').read_text()
    return set(re.findall(r"DeclareLaunchArgument\(\s*'(\w+)'", source))


def parameters() -> Set[str]:
    """Return the node's parameters, as ``config/emotion_estimator.yaml`` lists them."""
    config = yaml.safe_load((REPO_ROOT / 'config' / 'emotion_estimator.yaml').read_text())
    [node] = config.values()
    return set(node['ros__parameters'])


def topic_names() -> Set[str]:
    """Return the topic and service names of the README's topic table, without a leading '/'."""
    table = section('node').split('| topic | type | QoS | notes |')[1].split('\n\n')[0]
    names = set()
    for line in table.strip().splitlines()[1:]:
        names |= {n.lstrip('/') for n in re.findall(r'`([^`]+)`', line.split('|')[1])}
    # the lifecycle services and topic every managed node has, named in the notes
    return names | set(re.findall(r'`(~/[\w/]+)`', table))


def example_topics() -> Set[str]:
    """Return the topics the examples publish (``create_publisher(Type, 'name', ...)``)."""
    return {name for path in (REPO_ROOT / 'examples').glob('*.py') for name in re.findall(
        r"create_publisher\(\s*\w+,\s*'([\w/]+)'", path.read_text())}


def after(line: str, command: str) -> Iterator[str]:
    """Yield the text after each ``command`` in a code line, up to a comment."""
    for match in re.finditer(rf'(?<![\w-]){re.escape(command)}(?![\w-])', line):
        yield line[match.end():].split(' #')[0]


@pytest.fixture(scope='module')
def documents() -> Dict[Path, str]:
    """Return ``{path: text}`` of README.md and docs/*.md."""
    return texts()


def test_readme_is_at_most_300_lines():
    lines = len(README.read_text(encoding='utf-8').splitlines())
    assert lines <= README_MAX_LINES, f'README.md has {lines} lines: move text into docs/'


def test_readme_test_command_is_what_ci_runs():
    ci = (REPO_ROOT / '.ci' / 'run').read_text()
    command = re.search(r'^exec (.+)$', ci, re.M).group(1).strip()
    quickstart = section('quickstart')
    assert re.search(rf'^{re.escape(command)}(\s|$)', quickstart, re.M), (
        f'the README quickstart must show the test command .ci/run runs: {command}')


def test_every_named_path_exists(documents):
    missing = {f'{path.name}: {named}' for path, text in documents.items()
               for named in named_paths(text) if not exists(named)}
    assert not missing, f'paths named in the documentation that do not exist: {sorted(missing)}'


#: The packaging files, whose comments name test files and docs too.
PACKAGING_FILES = ('setup.py', 'setup.cfg', 'package.xml')


def test_packaging_files_name_only_paths_that_exist():
    named = {name: list(named_paths((REPO_ROOT / name).read_text())) for name in PACKAGING_FILES}
    assert 'test/lint/test_flake8.py' in named['setup.cfg']
    missing = sorted(f'{name}: {path}' for name, paths in named.items() for path in paths
                     if not exists(path))
    assert not missing, f'paths named in the packaging files that do not exist: {missing}'


def anchors(text: str) -> Set[str]:
    """Return the anchors GitHub makes of a Markdown document's headings."""
    return {re.sub(r'[^\w\- ]', '', heading.strip().lower()).replace(' ', '-')
            for heading in re.findall(r'^#+ (.+)$', FENCE.sub('', text), re.M)}


def test_every_relative_link_resolves(documents):
    broken = set()
    for path, text in documents.items():
        for target in LINK_PATTERN.findall(text):
            if re.match(r'[a-z]+:', target):
                continue
            file, _, anchor = target.partition('#')
            linked = (path.parent / file).resolve() if file else path
            if not linked.exists():
                broken.add(f'{path.name}: {target}')
            elif anchor and linked.suffix == '.md' and anchor not in anchors(
                    linked.read_text(encoding='utf-8')):
                broken.add(f'{path.name}: {target} (no such heading)')
    assert not broken, f'links to files or headings that do not exist: {sorted(broken)}'


def test_emotion_estimator_commands_and_options_exist(documents):
    known = command_options(cli.build_parser())
    wrong = set()
    for path, text in documents.items():
        for line in code_lines(text):
            for rest in after(line, 'emotion-estimator'):
                words = rest.split()
                if not words or words[0].startswith(('[', '-', '(')):
                    continue
                name = words[0].rstrip('`.,;:)')
                if name not in known:
                    wrong.add(f'{path.name}: emotion-estimator {name}')
                    continue
                wrong |= {f'{path.name}: emotion-estimator {name} {option}'
                          for option in re.findall(r'(?<![\w-])(--[a-z][a-z-]*)', rest)
                          if option not in known[name]}
    assert not wrong, f'unknown sub-commands or options: {sorted(wrong)}'


def test_training_commands_exist(documents):
    known, source = training_commands()
    assert {'build', 'evaluate-api', 'card'} <= known
    wrong = set()
    for path, text in documents.items():
        for line in code_lines(text):
            for rest in after(line, 'emotion-estimator-train'):
                words = rest.split()
                if words and words[0] not in known and not words[0].startswith('-'):
                    wrong.add(f'{path.name}: emotion-estimator-train {words[0]}')
                wrong |= {f'{path.name}: {option}' for option in
                          re.findall(r'(?<![\w-])(--[a-z][a-z-]*)', rest)
                          if f"'{option}'" not in source}
    assert not wrong, f'unknown training sub-commands or options: {sorted(wrong)}'


def test_launch_and_run_commands_name_what_exists(documents):
    setup = (REPO_ROOT / 'setup.py').read_text()
    arguments, params, topics = launch_arguments(), parameters(), topic_names()
    assert {'image_topic', 'params_file', 'face_source', 'autostart'} <= arguments
    wrong = set()
    for path, text in documents.items():
        lines = code_lines(text)
        for line in lines:
            for rest in after(line, 'ros2 launch emotion_estimator'):
                launch_file = (rest.split() or [''])[0]
                if not (REPO_ROOT / 'launch' / launch_file).is_file():
                    wrong.add(f'{path.name}: launch file {launch_file!r}')
            for rest in after(line, 'ros2 run emotion_estimator'):
                executable = (rest.split() or [''])[0]
                if f"'{executable} = " not in setup:
                    wrong.add(f'{path.name}: executable {executable!r}')
            for rest in after(line, 'ros2 param set'):
                words = [w for w in rest.split() if not w.startswith('--')]
                if words[:1] == ['/emotion_estimator'] and words[1] not in params:
                    wrong.add(f'{path.name}: parameter {words[1]}')
            for rest in after(line, 'ros2 topic echo'):
                words = [w for w in rest.split() if not w.startswith('--')]
                if words and words[0].lstrip('/') not in topics | example_topics():
                    wrong.add(f'{path.name}: topic {words[0]}')
        # name:=value anywhere: a launch argument, a parameter, or a remapped topic
        for name in re.findall(r'(?<![\w./-])(\w+):=', '\n'.join(lines)):
            if name not in arguments | params | topics:
                wrong.add(f'{path.name}: {name}:=')
    assert not wrong, f'launch files, executables, arguments or parameters: {sorted(wrong)}'


def test_named_parameters_exist(documents):
    """A ``name: value`` code span is a parameter setting (as in the YAML): the name must exist."""
    params = parameters()
    wrong = {f'{path.name}: {name}' for path, text in documents.items()
             for name in re.findall(r'`([a-z_]+): [^`\s]+`', text)
             if name not in params and name not in NOT_PARAMETERS}
    assert not wrong, f'parameters that the node does not have: {sorted(wrong)}'


#: ``key: value`` spans that are not node parameters (message fields, YAML of other files).
NOT_PARAMETERS = {'success', 'transition', 'label', 'ros__parameters'}


#: The project's Python packages, by import name.
PACKAGES = {'emotion_estimator': REPO_ROOT / 'emotion_estimator',
            'emotion_estimator_training': REPO_ROOT / 'training' / 'emotion_estimator_training'}


def defines(source: Path, name: str) -> bool:
    """Return whether a Python file defines or imports ``name`` (read, not imported)."""
    return bool(re.search(rf'^\s*(?:def|class)\s+{name}\b|^\s*{name}\s*[:=]|'
                          rf'^\s*(?:self\.)?{name}\s*[:=]|^(?:from\s+\S+\s+)?import\s[^\n]*\b'
                          rf'{name}\b|^\s+{name},?$', source.read_text(), re.M))


def resolves(dotted: str) -> bool:
    """Return whether ``package.module.attribute`` names a module of the project and a name in it.

    Read from the sources, so the training package resolves without TensorFlow.
    """
    parts = dotted.split('.')
    folder = PACKAGES[parts[0]]
    for index, part in enumerate(parts[1:], 1):
        if (folder / part).is_dir():
            folder = folder / part
        elif (folder / f'{part}.py').is_file():
            rest = parts[index + 1:]
            return not rest or defines(folder / f'{part}.py', rest[0])
        else:
            return defines(folder / '__init__.py', part)
    return True


def modules() -> Dict[str, List[Path]]:
    """Return ``{module name: its files}`` of every module of the project's packages."""
    found: Dict[str, List[Path]] = {}
    for folder in PACKAGES.values():
        for path in folder.rglob('*.py'):
            found.setdefault(path.stem, []).append(path)
    return found


def classes() -> Dict[str, List[Path]]:
    """Return ``{class name: the files defining it}`` in the project's packages."""
    found: Dict[str, List[Path]] = {}
    for folder in PACKAGES.values():
        for path in folder.rglob('*.py'):
            for name in re.findall(r'^class (\w+)', path.read_text(), re.M):
                found.setdefault(name, []).append(path)
    return found


#: Suffixes of file names, which look like ``module.attribute``.
FILE_SUFFIXES = {'py', 'md', 'csv', 'json', 'jsonl', 'html', 'parquet', 'png', 'yaml', 'xml',
                 'txt', 'task', 'tflite', 'sh', 'mcap', 'db3', 'mp4', 'msg', 'toml', 'cfg'}


def test_named_modules_and_attributes_exist(documents):
    """Names like ``emotion_estimator.affect.valence_arousal``, ``frames.f``, ``Class.method``."""
    by_module, by_class = modules(), classes()
    wrong = set()
    for path, text in documents.items():
        for span in CODE_SPAN.findall(FENCE.sub('', text)):
            dotted = re.match(r'(\w+(?:\.\w+)+)(?:\(|$)', span)
            if not dotted:
                continue
            name = dotted.group(1)
            head, attribute = name.split('.')[0], name.split('.')[1]
            if attribute in FILE_SUFFIXES:  # a file name, `frames.csv`
                continue
            if head in PACKAGES:
                ok = resolves(name)
            elif head in by_module and not head[0].isupper():
                ok = any(defines(file, attribute) for file in by_module[head])
            elif head in by_class:
                ok = any(defines(file, attribute) for file in by_class[head])
            else:
                continue
            if not ok:
                wrong.add(f'{path.name}: {name}')
    assert not wrong, f'modules, functions or attributes that do not exist: {sorted(wrong)}'


def test_named_topics_are_in_the_topic_table(documents):
    topics = topic_names()
    pattern = re.compile(r'`(~/[\w/]+|/?emotion(?:/\w+)*|/?humans/faces/[\w<>/]+|'
                         r'/?image(?:/compressed)?|/diagnostics)`')
    wrong = {f'{path.name}: {name}' for path, text in documents.items()
             for name in pattern.findall(text) if name.lstrip('/') not in topics}
    assert not wrong, f'topics or services not in the README topic table: {sorted(wrong)}'


def test_model_facts_are_the_shipped_model(documents):
    """The README's and docs' feature count and window length are those of the shipped model."""
    spec = json.loads((REPO_ROOT / 'models' / 'emotion_model.json').read_text())
    quickstart = ' '.join(section('quickstart').split())
    assert f'{len(spec["feature_names"])} of them' in quickstart
    assert f'last {spec["window_length"]} frames' in quickstart
    analysis = ' '.join(section('analysis').split())
    assert f'{len(spec["feature_names"])} for the shipped model' in analysis
