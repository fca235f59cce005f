# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Blendshapes for every face and augmented view, on all cores, with an on-disk cache.

Each image is turned into ``views`` frames: view 0 is the face as it is, the others are random
horizontal flips and rotations of up to ``max_rotation_deg`` (the paper's 0.2 x 180 degrees).
Every view goes through the runtime's own path: :func:`emotion_estimator.frames.still_face_to_rgb`
and :meth:`emotion_estimator.blendshapes.BlendshapeExtractor.extract`.
"""

from dataclasses import asdict, dataclass
import hashlib
import json
import multiprocessing
import os
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np
from tqdm import tqdm

from emotion_estimator.blendshapes import BlendshapeExtractor
from emotion_estimator.contract import BLENDSHAPE_NAMES, STILL_FACE_PREPROCESSING
from emotion_estimator.frames import still_face_to_rgb
from emotion_estimator.model_files import sha256_of

from emotion_estimator_training.dataset import FerDataset


@dataclass(frozen=True)
class ExtractionConfig:
    """How views are made; part of the cache key."""

    views: int = 4
    max_rotation_deg: float = 36.0
    flip_probability: float = 0.5
    seed: int = 2026


@dataclass
class BlendshapeTable:
    """Blendshapes of a dataset: ``scores[i, v]`` is view ``v`` of image ``i`` (NaN: no face)."""

    sources: List[str]
    splits: np.ndarray
    labels: np.ndarray
    scores: np.ndarray

    @property
    def found(self) -> np.ndarray:
        """Return ``[N, V]`` booleans: a face was found in that view."""
        return ~np.isnan(self.scores[..., 0])

    @property
    def detected(self) -> np.ndarray:
        """Return ``[N]`` booleans: a face was found in the unaugmented image (cleaning rule)."""
        return self.found[:, 0]

    def subset(self, mask: np.ndarray) -> 'BlendshapeTable':
        """Return the rows where ``mask`` is true."""
        return BlendshapeTable([s for s, keep in zip(self.sources, mask) if keep],
                               self.splits[mask], self.labels[mask], self.scores[mask])

    def split(self, name: str) -> 'BlendshapeTable':
        """Return the rows of one split."""
        return self.subset(self.splits == name)


def augment(face: np.ndarray, rng: np.random.Generator, config: ExtractionConfig) -> np.ndarray:
    """Flip and rotate a grey face crop; the uncovered corners take the canvas grey level."""
    if rng.random() < config.flip_probability:
        face = face[:, ::-1]
    angle = rng.uniform(-config.max_rotation_deg, config.max_rotation_deg)
    height, width = face.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2.0, height / 2.0), angle, 1.0)
    grey = STILL_FACE_PREPROCESSING['canvas_grey_level']
    return cv2.warpAffine(np.ascontiguousarray(face), matrix, (width, height),
                          flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=grey)


def view_frames(face: np.ndarray, digest: str, config: ExtractionConfig) -> List[np.ndarray]:
    """Return the RGB frames of every view of a face (deterministic per image and config)."""
    rng = np.random.default_rng([config.seed, int(digest[:12], 16)])
    faces = [face] + [augment(face, rng, config) for _ in range(config.views - 1)]
    return [still_face_to_rgb(view) for view in faces]


_WORKER: Dict[str, object] = {}


def _start_worker(face_model: str, config: ExtractionConfig) -> None:
    os.environ.setdefault('GLOG_minloglevel', '2')
    _WORKER['extractor'] = BlendshapeExtractor(face_model, video=False)
    _WORKER['config'] = config


def _extract_one(job: Tuple[str, np.ndarray]) -> Tuple[str, np.ndarray]:
    digest, face = job
    extractor: BlendshapeExtractor = _WORKER['extractor']
    rows = []
    for frame in view_frames(face, digest, _WORKER['config']):
        scores = extractor.extract(frame)
        rows.append(scores if scores is not None
                    else np.full(len(BLENDSHAPE_NAMES), np.nan, np.float32))
    return digest, np.stack(rows)


def _extract_on_ray(jobs: List[Tuple[str, np.ndarray]], face_model: Path,
                    config: ExtractionConfig, address: str, workers: int,
                    progress: bool) -> List[Tuple[str, np.ndarray]]:
    """Extract ``jobs`` on Ray: one actor per CPU loads the face model once, chunks of images.

    Raises:
        RuntimeError: Ray is not installed (it is an optional extra of the training package).

    """
    try:
        import ray
        from ray.util import ActorPool
    except ImportError:
        raise RuntimeError("--ray-address needs Ray: pip install 'emotion-estimator-training[ray]'"
                           ) from None
    started_here = not ray.is_initialized()
    if started_here:
        if address == 'local':
            ray.init(address='local', num_cpus=workers, log_to_driver=False,
                     include_dashboard=False)
        else:
            ray.init(address=address, log_to_driver=False)

    @ray.remote(num_cpus=1)
    class Extractor:
        def __init__(self):
            _start_worker(str(face_model), config)

        def run(self, chunk):
            return [_extract_one(job) for job in chunk]

    try:
        actors = int(max(1, min(workers if address == 'local' else
                                ray.cluster_resources().get('CPU', 1), len(jobs))))
        pool = ActorPool([Extractor.remote() for _ in range(actors)])
        chunks = [jobs[i:i + 32] for i in range(0, len(jobs), 32)]
        results = []
        with tqdm(total=len(jobs), disable=not progress, desc='blendshapes (Ray)',
                  unit='img') as bar:
            for done in pool.map_unordered(lambda actor, chunk: actor.run.remote(chunk),
                                           chunks):
                results.extend(done)
                bar.update(len(done))
        return results
    finally:
        if started_here:
            ray.shutdown()


def cache_key(face_model: Path, config: ExtractionConfig) -> str:
    """Return the cache namespace: pre-processing, augmentation settings and face model file."""
    blob = json.dumps({'preprocessing': STILL_FACE_PREPROCESSING, 'config': asdict(config),
                       'face_model_sha256': sha256_of(face_model)}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def extract_blendshapes(dataset: FerDataset, face_model: os.PathLike, cache_dir: os.PathLike,
                        config: ExtractionConfig = ExtractionConfig(),
                        workers: Optional[int] = None, progress: bool = True,
                        ray_address: Optional[str] = None) -> BlendshapeTable:
    """Return the blendshapes of every image and view, computing only what the cache lacks.

    The cache is ``<cache_dir>/blendshapes-<key>.npz``, keyed inside by the hash of each image's
    pixels, so a second run (or a run on a subset) reads instead of recomputing. With
    ``ray_address`` (``auto``, ``HOST:PORT``, or ``local`` for a local instance of ``workers``
    CPUs) the work runs on a Ray cluster instead of this machine's processes; the face model
    file must be readable at the same path on every node.
    """
    face_model = Path(face_model)
    cache_file = Path(cache_dir) / f'blendshapes-{cache_key(face_model, config)}.npz'
    cached = _read_cache(cache_file)
    digests = [image.digest for image in dataset.images]
    todo = {}
    for digest, image in zip(digests, dataset.images):
        if digest not in cached and digest not in todo:
            todo[digest] = image.pixels
    if todo:
        workers = workers or os.cpu_count() or 1
        jobs = list(todo.items())
        if ray_address:
            for digest, scores in _extract_on_ray(jobs, face_model, config, ray_address,
                                                  workers, progress):
                cached[digest] = scores
        else:
            context = multiprocessing.get_context('spawn')
            with context.Pool(workers, _start_worker, (str(face_model), config)) as pool:
                results = pool.imap_unordered(_extract_one, jobs, chunksize=32)
                for digest, scores in tqdm(results, total=len(jobs), disable=not progress,
                                           desc='blendshapes', unit='img'):
                    cached[digest] = scores
        _write_cache(cache_file, cached)
    return BlendshapeTable(
        sources=[image.source for image in dataset.images],
        splits=np.array([image.split for image in dataset.images]),
        labels=dataset.labels,
        scores=np.stack([cached[d] for d in digests]) if digests
        else np.zeros((0, config.views, len(BLENDSHAPE_NAMES)), np.float32))


def _read_cache(path: Path) -> Dict[str, np.ndarray]:
    if not path.is_file():
        return {}
    with np.load(path) as data:
        return dict(zip(data['digests'].tolist(), data['scores']))


def _write_cache(path: Path, cached: Dict[str, np.ndarray]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix('.tmp.npz')
    np.savez(temporary, digests=np.array(list(cached)), scores=np.stack(list(cached.values())))
    os.replace(temporary, path)


def drop_report(table: BlendshapeTable, class_names: Sequence[str]) -> Dict[str, Dict[str, int]]:
    """Return, per split and class, how many images had no face (the paper's Table 3)."""
    report = {}
    for split in sorted(set(table.splits.tolist())):
        rows = table.splits == split
        report[split] = {name: int(np.sum(rows & (table.labels == index) & ~table.detected))
                         for index, name in enumerate(class_names)}
        report[split]['total'] = int(np.sum(rows & ~table.detected))
        report[split]['images'] = int(np.sum(rows))
    return report
