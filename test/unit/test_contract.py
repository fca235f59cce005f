# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Tests of the shared facts and of the model metadata file loader."""

import dataclasses
import json
from pathlib import Path

import pytest

from emotion_estimator import contract
from emotion_estimator.contract import (
    BLENDSHAPE_NAMES, CLASS_NAMES, DecisionSettings, ModelSpec, ModelSpecError,
    PAPER_FEATURE_INDICES)


def packaged_spec_path() -> Path:
    """Return the model metadata file of the source checkout (committed in models/)."""
    path = Path(__file__).resolve().parents[2] / 'models' / contract.MODEL_SPEC_FILENAME
    if not path.is_file():
        pytest.fail(f'{path} not trained yet')
    return path


def minimal_spec() -> dict:
    """Return the smallest valid metadata content."""
    return {
        'variants': {'fp32': 'm.tflite'},
        'default_variant': 'fp32',
        'class_names': list(CLASS_NAMES),
        'feature_names': [BLENDSHAPE_NAMES[i] for i in PAPER_FEATURE_INDICES],
        'window_length': 12,
    }


def write_spec(tmp_path: Path, content) -> Path:
    """Write ``content`` (a dict as JSON, or raw text) to a metadata file."""
    path = tmp_path / contract.MODEL_SPEC_FILENAME
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def test_blendshape_names_are_the_52_unique_arkit_names():
    assert len(BLENDSHAPE_NAMES) == 52
    assert len(set(BLENDSHAPE_NAMES)) == 52
    assert BLENDSHAPE_NAMES[0] == '_neutral'
    assert BLENDSHAPE_NAMES.index('mouthSmileLeft') == 44


def test_paper_feature_indices_are_27_sorted_distinct_indices():
    assert len(PAPER_FEATURE_INDICES) == 27
    assert list(PAPER_FEATURE_INDICES) == sorted(set(PAPER_FEATURE_INDICES))
    assert min(PAPER_FEATURE_INDICES) == 1 and max(PAPER_FEATURE_INDICES) == 49
    assert 25 in PAPER_FEATURE_INDICES and 0 not in PAPER_FEATURE_INDICES


def test_packaged_spec_loads_and_agrees_with_this_package():
    spec = ModelSpec.load(packaged_spec_path())
    assert sorted(spec.class_names) == sorted(CLASS_NAMES)
    assert spec.window_length >= 1
    assert len(spec.feature_indices) == len(spec.feature_names) > 0
    assert all(BLENDSHAPE_NAMES[i] == n for i, n in zip(spec.feature_indices, spec.feature_names))
    for variant in spec.variants:
        assert spec.model_file(variant).is_file(), variant
    assert spec.model_file() == spec.model_file(spec.default_variant)
    assert 0.0 <= spec.decision.min_confidence <= 1.0


def test_packaged_spec_is_the_default(monkeypatch):
    packaged = packaged_spec_path()
    monkeypatch.setattr(contract, 'package_share_dir', lambda: None)
    assert ModelSpec.load().path == packaged


def test_minimal_spec_loads_with_default_decision(tmp_path):
    spec = ModelSpec.load(write_spec(tmp_path, minimal_spec()))
    assert spec.decision == DecisionSettings()
    assert spec.feature_indices == list(PAPER_FEATURE_INDICES)
    assert spec.model_file() == tmp_path / 'm.tflite'
    assert spec.preprocessing == contract.STILL_FACE_PREPROCESSING


def test_extra_keys_are_kept(tmp_path):
    content = dict(minimal_spec(), metrics={'test_accuracy': 0.8})
    assert ModelSpec.load(write_spec(tmp_path, content)).extra == {
        'metrics': {'test_accuracy': 0.8}}


def test_the_shipped_spec_saves_back_exactly(tmp_path):
    shipped = packaged_spec_path()
    saved = ModelSpec.load(shipped).save(tmp_path / contract.MODEL_SPEC_FILENAME)
    assert json.loads(saved.read_text()) == json.loads(shipped.read_text())
    assert list(json.loads(saved.read_text())) == list(json.loads(shipped.read_text()))
    assert saved.read_text() == shipped.read_text()
    again = ModelSpec.load(saved)
    assert again.decision == ModelSpec.load(shipped).decision
    assert again.extra == ModelSpec.load(shipped).extra


def test_a_new_spec_saves_its_input_and_output_shapes(tmp_path):
    spec = ModelSpec.load(write_spec(tmp_path, minimal_spec()))
    saved = json.loads(spec.save(tmp_path / 'new.json').read_text())
    assert saved['format_version'] == contract.MODEL_SPEC_FORMAT_VERSION
    assert saved['input']['shape'] == [1, 12, len(PAPER_FEATURE_INDICES)]
    assert saved['output']['shape'] == [1, len(CLASS_NAMES)]
    assert saved['decision'] == DecisionSettings().__dict__
    assert ModelSpec.load(tmp_path / 'new.json').feature_names == spec.feature_names


def test_frame_stride_is_read_saved_and_one_where_a_file_lacks_it(tmp_path):
    spec = ModelSpec.load(write_spec(tmp_path, minimal_spec()))
    assert spec.frame_stride == 1
    assert 'frame_stride' not in json.loads(spec.save(tmp_path / 'one.json').read_text())
    strided = ModelSpec.load(write_spec(tmp_path, dict(minimal_spec(), frame_stride=2)))
    assert strided.frame_stride == 2 and 'frame_stride' not in strided.extra
    saved = json.loads(strided.save(tmp_path / 'two.json').read_text())
    assert saved['frame_stride'] == 2
    assert ModelSpec.load(tmp_path / 'two.json').frame_stride == 2


def test_a_spec_that_would_not_load_is_not_saved(tmp_path):
    spec = ModelSpec.load(write_spec(tmp_path, minimal_spec()))
    broken = dataclasses.replace(spec, window_length=0)
    with pytest.raises(ModelSpecError, match='window_length'):
        broken.save(tmp_path / 'broken.json')
    assert not (tmp_path / 'broken.json').exists()


def test_missing_file_says_how_to_fix(tmp_path):
    with pytest.raises(ModelSpecError, match='not found; pass model_spec_path'):
        ModelSpec.load(tmp_path / 'absent.json')


def test_invalid_json(tmp_path):
    with pytest.raises(ModelSpecError, match='not valid JSON'):
        ModelSpec.load(write_spec(tmp_path, '{"variants": '))


def test_json_that_is_not_an_object(tmp_path):
    with pytest.raises(ModelSpecError, match='must be a JSON object'):
        ModelSpec.load(write_spec(tmp_path, '[1, 2]'))


def test_missing_key(tmp_path):
    content = minimal_spec()
    del content['window_length']
    with pytest.raises(ModelSpecError, match='lacks the key .window_length'):
        ModelSpec.load(write_spec(tmp_path, content))


@pytest.mark.parametrize('change, message', [
    ({'class_names': list(CLASS_NAMES[:-1]) + ['bored']}, 'permutation'),
    ({'feature_names': ['mouthSmileLeft', 'mouthGrin']},
     r"unknown blendshape names \['mouthGrin'"),
    ({'feature_names': []}, 'unknown blendshape names'),
    ({'window_length': 0}, 'window_length must be >= 1'),
    ({'frame_stride': 0}, 'frame_stride must be >= 1'),
    ({'default_variant': 'int8'}, 'not among the variants'),
    ({'decision': {'happy_gain': 1.2, 'sadness': 1.0}},
     r"unknown decision settings \['sadness'\]"),
    ({'decision': {'min_dwell_s': -0.1}}, 'min_dwell_s must be >= 0'),
])
def test_invalid_content_is_rejected(tmp_path, change, message):
    with pytest.raises(ModelSpecError, match=message):
        ModelSpec.load(write_spec(tmp_path, dict(minimal_spec(), **change)))


def test_unknown_variant(tmp_path):
    spec = ModelSpec.load(write_spec(tmp_path, minimal_spec()))
    with pytest.raises(ModelSpecError, match=r"'int4' not in .*available: \['fp32'\]"):
        spec.model_file('int4')


def test_class_order_comes_from_the_file(tmp_path):
    order = list(reversed(CLASS_NAMES))
    spec = ModelSpec.load(write_spec(tmp_path, dict(minimal_spec(), class_names=order)))
    assert spec.class_names == tuple(order)


def test_decision_settings_from_dict_converts_to_float():
    settings = DecisionSettings.from_dict({'happy_gain': 2, 'min_dwell_s': '0.25'})
    assert settings.happy_gain == 2.0 and settings.min_dwell_s == 0.25
    assert settings.sad_gain == DecisionSettings().sad_gain


def test_package_share_dir_without_ros_environment(monkeypatch):
    # ament_index_python may be installed (ROS wheels from PyPI) with no ROS sourced.
    monkeypatch.delenv('AMENT_PREFIX_PATH', raising=False)
    share = contract.package_share_dir()
    assert share is None or share.is_dir()


def test_shared_dir_env_override(monkeypatch, tmp_path):
    monkeypatch.setenv(contract.SHARED_DIR_ENV, str(tmp_path))
    assert contract.shared_dir() == tmp_path
    monkeypatch.delenv(contract.SHARED_DIR_ENV)
    assert contract.shared_dir() == Path(contract.__file__).resolve().parents[2] / 'shared'
