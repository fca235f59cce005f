# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The ``emotion-estimator fetch-models`` sub-command: get the MediaPipe face model once.

The node never downloads anything at run time; a user runs this once (it needs internet), or
copies ``face_landmarker.task`` by hand and points ``EMOTION_ESTIMATOR_FACE_MODEL`` at it.
"""

import argparse
from pathlib import Path
import sys
from typing import Callable, Optional, TextIO

from emotion_estimator.model_files import (
    check_face_model, FACE_MODEL_ENV, FACE_MODEL_FILENAME, FACE_MODEL_SHA256, FACE_MODEL_URL,
    fetch_face_model, find_face_model, ModelFileError, sha256_of, user_cache_dir)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the sub-command's options to ``parser``."""
    parser.add_argument(
        '--dest', type=Path, default=None,
        help=f'file (or existing folder) to write {FACE_MODEL_FILENAME} to '
             '(default: the user cache, $XDG_CACHE_HOME/emotion_estimator)')
    parser.add_argument(
        '--url', default=FACE_MODEL_URL,
        help='download address, e.g. a local mirror (default: the official MediaPipe address); '
             'the file must still match the expected sha256')
    parser.add_argument(
        '--check', action='store_true',
        help='only verify the sha256 of an existing file (--dest, or the one the node would '
             'use) and download nothing')
    parser.add_argument('--quiet', action='store_true', help='print no progress line')


def destination_path(dest: Optional[Path]) -> Path:
    """Return the target file: ``dest`` (a folder gets the standard name) or the user cache."""
    if dest is None:
        return user_cache_dir() / FACE_MODEL_FILENAME
    dest = Path(dest).expanduser()
    return dest / FACE_MODEL_FILENAME if dest.is_dir() else dest


def progress_printer(stream: TextIO) -> Callable[[int], None]:
    """Return a callback that rewrites one progress line on ``stream``."""
    def show(done: int) -> None:
        stream.write(f'\r  {done / 2 ** 20:6.1f} MiB downloaded')
        stream.flush()
    return show


def check(path: Optional[Path]) -> int:
    """Verify an existing face model; return the exit status."""
    try:
        target = destination_path(path) if path is not None else find_face_model()
        if not target.is_file():
            raise ModelFileError(f'face model {target} does not exist; run '
                                 '`emotion-estimator fetch-models` to download it')
        check_face_model(target)
    except ModelFileError as error:
        print(f'error: {error}', file=sys.stderr)
        return 1
    print(f'{target}: OK (sha256 {FACE_MODEL_SHA256[:12]}...)')
    return 0


def fetch(dest: Optional[Path], url: str, quiet: bool = False) -> int:
    """Download the face model unless a verified copy is there; return the exit status."""
    target = destination_path(dest)
    if target.is_file() and sha256_of(target) == FACE_MODEL_SHA256:
        print(f'{target}: already present and verified, nothing downloaded')
        return 0
    if not quiet:
        print(f'downloading {url}\n  to {target}', file=sys.stderr)
    try:
        fetch_face_model(target, url=url,
                         progress=None if quiet else progress_printer(sys.stderr))
    except ModelFileError as error:
        if not quiet:
            print(file=sys.stderr)
        print(f'error: {error}', file=sys.stderr)
        return 1
    if not quiet:
        print(file=sys.stderr)
    print(f'{target}: downloaded and verified')
    if dest is not None and target != user_cache_dir() / FACE_MODEL_FILENAME:
        print(f'the node does not look there by itself: set {FACE_MODEL_ENV}={target} '
              'or pass the path explicitly')
    return 0


def run(args: argparse.Namespace) -> int:
    """Run ``fetch-models`` with parsed arguments; return the exit status."""
    if args.check:
        return check(args.dest)
    return fetch(args.dest, args.url, quiet=args.quiet)


def main(argv: Optional[list] = None) -> int:
    """Run the sub-command on its own (``python -m emotion_estimator.fetch_models``)."""
    parser = argparse.ArgumentParser(prog='emotion-estimator fetch-models',
                                     description=__doc__.splitlines()[0])
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == '__main__':
    sys.exit(main())
