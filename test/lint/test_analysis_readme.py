# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Keep the analysis section (docs/analysis.md) in agreement with the options and columns."""

import argparse
import re

from doc_sections import section as marked_section
import pytest

from emotion_estimator.analysis import cli, corpus
from emotion_estimator.analysis.corpus_table import table_columns
from emotion_estimator.analysis.output import table_rows
from emotion_estimator.analysis.timeline import FrameRecord
from emotion_estimator.contract import CLASS_NAMES


@pytest.fixture(scope='module')
def section() -> str:
    """Return the text of the analysis section, from README.md or docs/."""
    return marked_section('analysis')


#: Options of other commands the section shows (``ray start``, ``bench_analyze.py``).
OTHER_COMMANDS_OPTIONS = {'--head', '--address', '--example'}


def options(add_arguments) -> set:
    """Return the long options a sub-command's ``add_arguments`` adds."""
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return {option for action in parser._actions for option in action.option_strings
            if option.startswith('--')}


def test_every_option_named_exists(section):
    named = set(re.findall(r'(?<![\w-])(--[a-z][a-z-]+)', section))
    known = options(cli.add_arguments) | options(corpus.add_arguments)
    assert named - known - OTHER_COMMANDS_OPTIONS == set()
    assert '--max-faces' in named and '--max-faces' in options(corpus.add_arguments)


def test_frame_columns_are_documented(section):
    record = FrameRecord(0.0, True, {n: 0.5 for n in CLASS_NAMES}, 'happy', 'happy', None,
                         face_id='face1', box=(1, 2, 3, 4))
    [row] = table_rows([record], CLASS_NAMES, (), [None])
    for name in row:
        if not name.startswith('score_'):
            assert f'`{name}`' in section, name


def test_corpus_columns_are_documented(section):
    for name, _ in table_columns(CLASS_NAMES):
        prefix = re.match(r'(label_share_|emotion_share_)', name)
        shown = f'`{prefix.group(1)}<' if prefix else f'`{name}`'
        assert shown in section, name
