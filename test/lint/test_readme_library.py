# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Keep the library section (docs/library.md) in agreement with the code it documents."""

import dataclasses
import inspect
import re

from doc_sections import section as marked_section
import pytest

from emotion_estimator.contract import DecisionSettings
from emotion_estimator.estimator import EmotionEstimator, EmotionResult
from emotion_estimator.model_files import FACE_MODEL_ENV, FACE_MODEL_SHA256


@pytest.fixture(scope='module')
def section() -> str:
    """Return the text of the library section, from README.md or docs/."""
    return marked_section('library')


def table_names(section: str, header: str) -> list:
    """Return the back-quoted names in the first column of the table whose header is given."""
    lines = section.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f'| {header} |'))
    names = []
    for line in lines[start + 2:]:
        if not line.startswith('|'):
            break
        names.append(re.match(r'\| `([^`]+)` \|', line).group(1))
    return names


def test_result_fields_are_documented(section):
    assert table_names(section, 'field') == [f.name for f in dataclasses.fields(EmotionResult)]


def test_constructor_arguments_are_documented(section):
    parameters = list(inspect.signature(EmotionEstimator.__init__).parameters)[1:]
    assert table_names(section, 'argument') == parameters
    signature = re.search(r'`EmotionEstimator\((.*?)\)`', section, re.S).group(1)
    assert [part.split('=')[0].strip() for part in signature.split(',')] == parameters


def test_decision_settings_are_documented(section):
    for name in (f.name for f in dataclasses.fields(DecisionSettings)):
        assert f'`{name}`' in section, name


def test_face_model_facts(section):
    assert FACE_MODEL_ENV in section
    assert FACE_MODEL_SHA256 in section
    assert 'emotion-estimator fetch-models' in section
