# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Where ``max_faces=4`` spends its extra time over ``max_faces=1`` on a frame of one face.

On one 1280x720 frame of one real face (the 240 px scene of ``bench_faces.py``'s estimator table,
static), interleaved frame by frame in a seeded random order, each step timed alone:

- ``video_frame``: FaceLandmarker VIDEO mode on the whole frame (the ``max_faces=1`` path);
- ``multi``: ``MultiFaceExtractor.extract_faces`` (``max_faces=4``), split into the frames on
  which its detector ran and the others; ``multi_image``: the same with ``track_crops=False``
  (IMAGE mode on every crop, as before the crops were followed in VIDEO mode);
- ``detector_view``: the back-camera BlazeFace alone on each of its three views;
- ``crop``: cutting (and scaling) the crop around the face, as ``face_in_region`` does;
- ``image_crop`` / ``video_crop``: FaceLandmarker IMAGE / VIDEO mode on that crop;
- ``short_range_crop``: FaceLandmarker's own short-range detector alone on the crop (what IMAGE
  mode runs first on every call, and VIDEO mode only when it lost the face).

Run: ``python benchmarks/probe_one_face_cost.py --frames 300`` (prints a Markdown table).
"""

import argparse
import os
from pathlib import Path
import sys
import time
from typing import Callable, Dict, List
import zipfile

import bench_faces
import cv2
import numpy as np

from emotion_estimator.blendshapes import (
    BlendshapeExtractor, detection_views, MAX_CROP_PX, MultiFaceExtractor)
from emotion_estimator.face_detection import BlazeFaceDetector
from emotion_estimator.model_files import default_shared_face_model, FACE_MODEL_ENV


def crop_of(rgb: np.ndarray, box, crop_scale: float = 1.8) -> np.ndarray:
    """Return the crop ``face_in_region`` reads (same arithmetic, scaled to MAX_CROP_PX)."""
    height, width = rgb.shape[:2]
    x, y, w, h = box
    half = crop_scale * max(w, h, 1) / 2.0
    cx, cy = x + w / 2.0, y + h / 2.0
    crop = rgb[max(0, int(cy - half)):min(height, int(round(cy + half))),
               max(0, int(cx - half)):min(width, int(round(cx + half)))]
    scale = min(1.0, MAX_CROP_PX / max(crop.shape[:2]))
    if scale < 1.0:
        crop = cv2.resize(crop, (int(round(crop.shape[1] * scale)),
                                 int(round(crop.shape[0] * scale))), interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(crop)


def main(argv=None) -> int:
    """Time each step and print the medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--frames', type=int, default=300)
    parser.add_argument('--rate', type=float, default=30.0, help='frame rate of the timestamps')
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args(argv)
    face_model = Path(os.environ.get(FACE_MODEL_ENV) or default_shared_face_model())
    with BlendshapeExtractor(face_model, video=False) as finder:
        sources = bench_faces.load_sources(finder, 2)
    frame, truth = bench_faces.compose((1280, 720), (240,), [sources[3]], 0)
    rgb = np.ascontiguousarray(frame)
    video_frame = BlendshapeExtractor(face_model, video=True)
    multi = MultiFaceExtractor(face_model, max_faces=4)
    multi_image = MultiFaceExtractor(face_model, max_faces=4, track_crops=False)
    image_crop = BlendshapeExtractor(face_model, video=False)
    video_crop = BlendshapeExtractor(face_model, video=True)
    with zipfile.ZipFile(face_model) as bundle:
        short = BlazeFaceDetector(bundle.read('face_detector.tflite'), 'face_detector.tflite')
    back = BlazeFaceDetector()
    views = detection_views(1280, 720)
    box = multi.extract_faces(rgb, 0.0)[0].box
    crop = crop_of(rgb, box)
    times: Dict[str, List[float]] = {}
    found: Dict[str, int] = {}
    state = {'t': 0.0, 'view': 0}

    def run(extractor: MultiFaceExtractor) -> bool:
        runs = extractor.detector_runs
        faces = extractor.extract_faces(rgb, state['t'])
        state['detected'] = extractor.detector_runs > runs
        return len(faces) == 1

    def run_view() -> bool:
        left, top, w, h = views[state['view'] % len(views)]
        state['view'] += 1
        return bool(back.detect(rgb[top:top + h, left:left + w]))
    steps: Dict[str, Callable[[], bool]] = {
        'video_frame': lambda: video_frame.extract(rgb, state['t']) is not None,
        'multi': lambda: run(multi),
        'multi_image': lambda: run(multi_image),
        'detector_view': run_view,
        'crop': lambda: crop_of(rgb, box).size > 0,
        'image_crop': lambda: image_crop.extract(crop) is not None,
        'video_crop': lambda: video_crop.extract(crop, state['t']) is not None,
        'short_range_crop': lambda: bool(short.detect(crop)),
    }
    order = np.random.default_rng(args.seed)
    clock = time.perf_counter
    for index in range(args.frames + 20):
        state['t'] = 1.0 + index / args.rate
        for name in (list(steps)[i] for i in order.permutation(len(steps))):
            started = clock()
            ok = steps[name]()
            elapsed = clock() - started
            if index < 20:
                continue
            key = name
            if name.startswith('multi'):
                key = f"{name} ({'detector ran' if state['detected'] else 'crop only'})"
                times.setdefault(name, []).append(elapsed)
                found[name] = found.get(name, 0) + int(ok)
            times.setdefault(key, []).append(elapsed)
            found[key] = found.get(key, 0) + int(ok)
    print(f'load average {os.getloadavg()}; 1280x720, one face of {max(truth[0][2:])} px, '
          f'crop {crop.shape[1]}x{crop.shape[0]}, timestamps at {args.rate:g} Hz')
    print('| step | n | mean ms | p50 ms | p95 ms | found |')
    print('| --- | ---: | ---: | ---: | ---: | ---: |')
    for name, values in sorted(times.items()):
        ms = np.array(values) * 1000.0
        print(f'| `{name}` | {ms.size} | {ms.mean():.2f} | {np.percentile(ms, 50):.2f} | '
              f'{np.percentile(ms, 95):.2f} | {found[name]} |')
    return 0


if __name__ == '__main__':
    sys.exit(main())
