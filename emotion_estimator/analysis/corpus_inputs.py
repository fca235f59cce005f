# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The recordings of a corpus: finding them under folders, and what identifies their files.

A recording is a video file, a folder of images or a ROS 2 bag, as read by
:func:`emotion_estimator.analysis.sources.open_source`.
"""

from dataclasses import dataclass
import hashlib
import json
import os
from pathlib import Path
from typing import Dict, List, Sequence

from emotion_estimator.analysis.output import HTML_FILENAME, SUMMARY_FILENAME
from emotion_estimator.analysis.sources import BAG_SUFFIXES, IMAGE_SUFFIXES, is_bag

#: Suffixes of the files taken as videos (anything else but bags and images is ignored).
VIDEO_SUFFIXES = ('.mp4', '.avi', '.mkv', '.mov', '.webm', '.m4v', '.mpg', '.mpeg', '.wmv',
                  '.flv', '.ts', '.mts', '.3gp', '.ogv')


class CorpusError(ValueError):
    """The inputs or the output folder of a corpus run cannot be used."""


@dataclass(frozen=True)
class Recording:
    """One recording found under the inputs."""

    #: Absolute path of the video file, image folder or bag.
    path: Path
    #: 'video', 'images' or 'bag'.
    kind: str
    #: Path relative to the common folder of the inputs' parents (POSIX); names its report.
    name: str


def _is_report_folder(path: Path) -> bool:
    return (path / SUMMARY_FILENAME).is_file() and (path / HTML_FILENAME).is_file()


def _relative_name(path: Path, root: Path) -> str:
    relative = Path(os.path.relpath(path, root))
    return relative.as_posix()


def find_recordings(inputs: Sequence[Path], exclude: Sequence[Path] = ()) -> List[Recording]:
    """Return every recording under ``inputs``, sorted by name.

    A folder with ``metadata.yaml`` is a bag (not searched further); a ``.mcap`` / ``.db3`` file
    is a bag; a file with a suffix of :data:`VIDEO_SUFFIXES` is a video; a folder holding images
    is a folder of images (its sub-folders are searched too). An input file is a recording
    whatever its suffix. Hidden files and folders, previous report folders and the folders in
    ``exclude`` (the output) are left out. Names are relative to the common folder of the inputs'
    parents, so two inputs with the same file names get different names.

    Raises:
        CorpusError: an input does not exist.

    """
    resolved = []
    for path in inputs:
        if not Path(path).exists():
            raise CorpusError(f'input {path} does not exist')
        resolved.append(Path(path).resolve())
    if not resolved:
        return []
    root = Path(os.path.commonpath([str(p.parent) for p in resolved]))
    excluded = {Path(p).resolve() for p in exclude}
    found: Dict[Path, str] = {}
    for start in resolved:
        if start.is_file():
            found[start] = 'bag' if start.suffix.lower() in BAG_SUFFIXES else 'video'
            continue
        for folder, subfolders, files in os.walk(start):
            here = Path(folder)
            if here in excluded or _is_report_folder(here):
                subfolders[:] = []
                continue
            if is_bag(here):
                found[here] = 'bag'
                subfolders[:] = []
                continue
            subfolders[:] = sorted(d for d in subfolders if not d.startswith('.'))
            visible = [name for name in files if not name.startswith('.')]
            if any(Path(name).suffix.lower() in IMAGE_SUFFIXES for name in visible):
                found[here] = 'images'
            for name in visible:
                suffix = Path(name).suffix.lower()
                if suffix in BAG_SUFFIXES:
                    found[here / name] = 'bag'
                elif suffix in VIDEO_SUFFIXES:
                    found[here / name] = 'video'
    recordings = [Recording(path, kind, _relative_name(path, root))
                  for path, kind in found.items()]
    return sorted(recordings, key=lambda r: r.name)


def recording_files(recording: Recording) -> List[Path]:
    """Return the files an analysis of ``recording`` reads (the images of a folder of images)."""
    path = recording.path
    if path.is_file():
        return [path]
    if recording.kind == 'images':
        return sorted(p for p in path.iterdir()
                      if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
    return sorted(p for p in path.rglob('*') if p.is_file())


def fingerprint(recording: Recording) -> dict:
    """Return the number, total size, latest modification time and a hash of the input's files.

    The hash covers each file's name, size and modification time (not the content, which would
    mean reading the whole corpus on every run).
    """
    entries = []
    for path in recording_files(recording):
        stat = path.stat()
        entries.append([_relative_name(path, recording.path.parent), stat.st_size,
                        stat.st_mtime_ns])
    digest = hashlib.sha256(json.dumps(entries).encode('utf-8')).hexdigest()
    return {'files': len(entries), 'bytes': sum(e[1] for e in entries),
            'mtime_ns': max((e[2] for e in entries), default=0), 'sha256': digest}


def file_identity(path: Path) -> dict:
    """Return the path, size and modification time of a file."""
    stat = Path(path).stat()
    return {'path': str(path), 'bytes': stat.st_size, 'mtime_ns': stat.st_mtime_ns}
