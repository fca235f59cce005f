# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Loading FER2013 from its folder layout and from fer2013.csv, and the errors for bad input."""

from pathlib import Path

import numpy as np
import pytest

from emotion_estimator.contract import CLASS_NAMES
from emotion_estimator_training.dataset import FerDataset, read_grey


def _write_csv(path: Path, rows) -> Path:
    path.write_text('emotion,pixels,Usage\n' + ''.join(f'{r}\n' for r in rows))
    return path


def _pixels(image: np.ndarray) -> str:
    return ' '.join(str(v) for v in image.ravel())


def test_folder_layout_reads_every_class_in_order(fer_root):
    dataset = FerDataset.from_folder(fer_root, splits=['test'], limit_per_class=2)
    assert len(dataset) == 2 * len(CLASS_NAMES)
    assert dataset.class_counts() == {name: 2 for name in CLASS_NAMES}
    first = dataset.images[0]
    assert first.pixels.shape == (48, 48) and first.pixels.dtype == np.uint8
    assert '/test/angry/' in first.source and first.split == 'test'


def test_csv_matches_the_folder_images(fer_root, tmp_path):
    folder = FerDataset.from_folder(fer_root, splits=['val', 'test'], limit_per_class=1)
    usage = {'val': 'PublicTest', 'test': 'PrivateTest'}
    rows = [f'{image.label},{_pixels(image.pixels)},{usage[image.split]}'
            for image in folder.images]
    dataset = FerDataset.from_csv(_write_csv(tmp_path / 'fer2013.csv', rows))
    assert len(dataset) == len(folder)
    for loaded, original in zip(dataset.images, folder.images):
        assert loaded.label == original.label and loaded.split == original.split
        assert np.array_equal(loaded.pixels, original.pixels)
        assert loaded.digest == original.digest
    assert len(FerDataset.from_csv(tmp_path / 'fer2013.csv', splits=['test'])) == 7


@pytest.mark.parametrize('row, message', [
    ('9,' + ' '.join(['0'] * 2304) + ',Training', 'emotion 9'),
    ('x,' + ' '.join(['0'] * 2304) + ',Training', "emotion 'x'"),
    ('3,' + ' '.join(['0'] * 100) + ',Training', 'expected 2304'),
    ('3,' + ' '.join(['300'] * 2304) + ',Training', '0..255'),
    ('3,' + ' '.join(['0'] * 2304) + ',Elsewhere', 'Usage'),
    ('3,' + ' '.join(['0'] * 2304), '3 columns'),
])
def test_malformed_csv_rows_name_file_and_line(tmp_path, row, message):
    good = '3,' + ' '.join(['7'] * 2304) + ',Training'
    path = _write_csv(tmp_path / 'bad.csv', [good, row])
    with pytest.raises(ValueError, match=rf'bad\.csv:3: .*{message}'):
        FerDataset.from_csv(path)


def test_csv_with_wrong_header(tmp_path):
    path = tmp_path / 'x.csv'
    path.write_text('label,data\n1,2\n')
    with pytest.raises(ValueError, match='x.csv:1: expected the header'):
        FerDataset.from_csv(path)


def test_missing_folders_and_unreadable_images(tmp_path, fer_root):
    with pytest.raises(ValueError, match='is not a folder'):
        FerDataset.from_folder(tmp_path, splits=['train'])
    (tmp_path / 'test' / 'angry').mkdir(parents=True)
    with pytest.raises(ValueError, match='disgust is missing'):
        FerDataset.from_folder(tmp_path, splits=['test'])
    broken = tmp_path / 'broken.jpg'
    broken.write_bytes(b'not a jpeg')
    with pytest.raises(ValueError, match='broken.jpg: cannot be read'):
        read_grey(broken)
    with pytest.raises(ValueError, match='unknown split'):
        FerDataset.from_folder(fer_root, splits=['holdout'])
