# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""No import cycle among the project's modules, lazy imports inside functions included.

Every ``import`` and ``from ... import`` of ``emotion_estimator`` and the training package is
read with :mod:`ast` (nothing is imported), so an import hidden in a function counts as much as
one at the top. The training package also keeps its one-way chain of layers.
"""

import ast
from pathlib import Path
from typing import Dict, List, Optional, Set

from lint_paths import REPO_ROOT

#: The packages whose modules are checked, and the folder each lives in.
PACKAGES = {'emotion_estimator': REPO_ROOT / 'emotion_estimator',
            'emotion_estimator_training': REPO_ROOT / 'training' / 'emotion_estimator_training'}

#: The training package's layers, lowest first: a module imports only from its own layer or
#: below (data -> model/train/export -> evaluation -> build -> cli / card).
TRAINING_LAYERS = (
    ('hyperparameters', 'dataset', 'media', 'extract', 'crossval', 'speech', 'features',
     'windows'),
    ('model', 'train', 'export'),
    ('labels', 'talking', 'evaluate', 'api_eval', 'robot_tuning', 'operating_points',
     'frontier', 'baselines', 'ablation'),
    ('pipeline', 'variants'),
    ('cli', 'card'),
)


def module_names() -> Dict[str, Path]:
    """Return every module of the checked packages (``package.module``) and its file."""
    modules = {}
    for package, folder in PACKAGES.items():
        for path in sorted(folder.rglob('*.py')):
            if '__pycache__' in path.parts:
                continue
            parts = list(path.relative_to(folder).with_suffix('').parts)
            if parts[-1] == '__init__':
                parts.pop()
            modules['.'.join([package] + parts)] = path
    return modules


def _resolve(name: str, modules: Dict[str, Path]) -> Optional[str]:
    """Return the project module ``name`` stands for (itself, or the package holding it)."""
    while name:
        if name in modules:
            return name
        name = name.rpartition('.')[0]
    return None


def imports_of(module: str, path: Path, modules: Dict[str, Path]) -> Set[str]:
    """Return the project modules that ``module`` imports anywhere in its file."""
    package = module if path.name == '__init__.py' else module.rpartition('.')[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ''
            if node.level:
                anchor = package.split('.')[:len(package.split('.')) - node.level + 1]
                base = '.'.join(anchor + ([base] if base else []))
            # ``from package import module`` imports that module; else names of ``base``.
            targets = [f'{base}.{alias.name}' if f'{base}.{alias.name}' in modules else base
                       for alias in node.names]
        else:
            continue
        for target in targets:
            resolved = _resolve(target, modules)
            if resolved is not None and resolved != module:
                found.add(resolved)
    return found


def import_graph() -> Dict[str, Set[str]]:
    """Return ``{module: project modules it imports}`` of every checked module."""
    modules = module_names()
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def find_cycle(graph: Dict[str, Set[str]]) -> Optional[List[str]]:
    """Return one import cycle (``[a, b, ..., a]``), or None when the graph has none."""
    state: Dict[str, int] = {}  # 1: on the current path, 2: done
    path: List[str] = []

    def visit(node: str) -> Optional[List[str]]:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return path[path.index(target):] + [target]
            if target not in state:
                cycle = visit(target)
                if cycle:
                    return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def test_the_checker_finds_a_cycle_and_a_lazy_import():
    assert find_cycle({'a': {'b'}, 'b': {'c'}, 'c': {'a'}}) == ['a', 'b', 'c', 'a']
    assert find_cycle({'a': {'b'}, 'b': set(), 'c': {'a', 'b'}}) is None
    source = ast.parse('def f():\n    from emotion_estimator_training import pipeline\n')
    lazy = next(n for n in ast.walk(source) if isinstance(n, ast.ImportFrom))
    assert lazy.module == 'emotion_estimator_training'
    graph = import_graph()
    # Seen through a function-level import: the cli imports the pipeline only in its commands.
    assert 'emotion_estimator_training.pipeline' in graph['emotion_estimator_training.cli']
    assert 'emotion_estimator.contract' in graph['emotion_estimator_training.pipeline']


def test_no_import_cycle_among_the_projects_modules():
    cycle = find_cycle(import_graph())
    assert cycle is None, 'import cycle: ' + ' -> '.join(cycle)


def test_the_training_package_imports_one_way_down_its_layers():
    layer_of = {f'emotion_estimator_training.{name}': index
                for index, names in enumerate(TRAINING_LAYERS) for name in names}
    graph = import_graph()
    training = [name for name in graph if name.startswith('emotion_estimator_training.')]
    assert sorted(training) == sorted(layer_of), 'every training module has a layer here'
    upward = [f'{module} -> {target}' for module in training for target in graph[module]
              if target in layer_of and layer_of[target] > layer_of[module]]
    assert not upward, f'imports up the layers: {upward}'
