# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The model card's generated block says what the build's checks found."""
import json
from pathlib import Path
import shutil

import pytest

from emotion_estimator_training.card import BEGIN, END, render, update_card

RESULTS = Path(__file__).resolve().parents[1] / 'results'


@pytest.fixture
def results(tmp_path):
    """Return a copy of the committed build record, the one the shipped card is made from."""
    shutil.copy(RESULTS / 'metrics.json', tmp_path / 'metrics.json')
    return tmp_path


def _with_reblend_gap(results: Path, gap: float) -> None:
    path = results / 'metrics.json'
    record = json.loads(path.read_text())
    record['robot_view_tuning']['blend']['reblend_check_max_difference'] = gap
    path.write_text(json.dumps(record))


@pytest.mark.parametrize('gap, wording', [
    (2e-7, 'computed exactly'),
    (0.0168, 'computed only approximately'),
])
def test_the_reblend_is_called_exact_only_when_the_check_says_so(results, gap, wording):
    _with_reblend_gap(results, gap)
    block = render(results)
    assert wording in block and f'by {gap} at most' in block
    other = 'computed only approximately' if wording == 'computed exactly' else 'computed exactly'
    assert other not in block


def test_a_weight_kept_as_recorded_is_not_called_re_blended(results):
    path = results / 'metrics.json'
    record = json.loads(path.read_text())
    blend = record['robot_view_tuning']['blend']
    blend['weight'] = blend['recorded_weight']
    blend.pop('reblend_check_max_difference', None)
    path.write_text(json.dumps(record))
    block = render(results)
    assert 'the weight chosen is the one recorded, so no re-blend was exported' in block
    assert 'at most on the test windows' not in block


def test_the_card_keeps_its_prose_and_replaces_only_the_block(results, tmp_path):
    card = tmp_path / 'MODEL_CARD.md'
    card.write_text(f'# prose before\n{BEGIN}\nstale numbers\n{END}\nprose after\n')
    update_card(card, results)
    text = card.read_text()
    assert text.startswith('# prose before\n') and text.endswith('prose after\n')
    assert 'stale numbers' not in text
    build = json.loads((results / 'metrics.json').read_text())
    assert f'Build command: `{build["command"]}`' in text


def test_operating_points_of_another_model_are_said_to_be_so(results):
    # The operating points are recorded by their own command; after a new build they belong to
    # the model shipped before until that command runs again, and the card must say so.
    shutil.copy(RESULTS / 'operating_points.json', results / 'operating_points.json')
    points = json.loads((results / 'operating_points.json').read_text())
    shipped = json.loads((results / 'metrics.json').read_text())['decision']
    for decision, wording in ((shipped, 'with the shipped model as above'),
                              ({**shipped, 'sad_gain': shipped['sad_gain'] + 1}, 'not this one')):
        points['decision'] = decision
        (results / 'operating_points.json').write_text(json.dumps(points))
        assert wording in render(results)
