# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Find the MediaPipe face model on disk, and fetch it (with a checksum) when asked to."""

import hashlib
import os
from pathlib import Path
import shutil
import tempfile
from typing import Callable, List, Optional
import urllib.request

from emotion_estimator.contract import package_share_dir, shared_dir

FACE_MODEL_FILENAME = 'face_landmarker.task'
FACE_MODEL_URL = ('https://storage.googleapis.com/mediapipe-models/face_landmarker/'
                  'face_landmarker/float16/1/face_landmarker.task')
FACE_MODEL_SHA256 = '64184e229b263107bc2b804c6625db1341ff2bb731874b0bcc2fe6544e0bc9ff'
#: Environment variable with an explicit path to ``face_landmarker.task``.
FACE_MODEL_ENV = 'EMOTION_ESTIMATOR_FACE_MODEL'
FETCH_HINT = ('run `emotion-estimator fetch-models` (downloads it into {cache}), or set '
              f'{FACE_MODEL_ENV} to the path of a face_landmarker.task')


class ModelFileError(FileNotFoundError):
    """A model file is missing or is not the file it should be."""


def user_cache_dir() -> Path:
    """Return the per-user cache folder (``$XDG_CACHE_HOME/emotion_estimator``)."""
    base = os.environ.get('XDG_CACHE_HOME') or Path.home() / '.cache'
    return Path(base) / 'emotion_estimator'


def sha256_of(path: Path) -> str:
    """Return the hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, 'rb') as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b''):
            digest.update(chunk)
    return digest.hexdigest()


def face_model_candidates(explicit: Optional[os.PathLike] = None) -> List[Path]:
    """Return where the face model is looked for, in order: argument, env, share dir, cache."""
    candidates = []
    if explicit:
        candidates.append(Path(explicit))
    if os.environ.get(FACE_MODEL_ENV):
        candidates.append(Path(os.environ[FACE_MODEL_ENV]))
    share = package_share_dir()
    if share is not None:
        candidates.append(share / 'models' / FACE_MODEL_FILENAME)
    candidates.append(user_cache_dir() / FACE_MODEL_FILENAME)
    return candidates


def find_face_model(explicit: Optional[os.PathLike] = None) -> Path:
    """Return the first existing face model among :func:`face_model_candidates`.

    An explicitly given path must exist; it is not silently replaced by another file.

    Raises:
        ModelFileError: no candidate exists; the message says how to get the file.

    """
    if explicit and not Path(explicit).is_file():
        raise ModelFileError(f'face model {explicit} does not exist; '
                             + FETCH_HINT.format(cache=user_cache_dir()))
    for candidate in face_model_candidates(explicit):
        if candidate.is_file():
            return candidate
    tried = ', '.join(str(path) for path in face_model_candidates(explicit))
    raise ModelFileError(f'MediaPipe face model not found (looked in: {tried}); '
                         + FETCH_HINT.format(cache=user_cache_dir()))


def fetch_face_model(
        destination: Optional[Path] = None,
        url: str = FACE_MODEL_URL,
        sha256: str = FACE_MODEL_SHA256,
        progress: Optional[Callable[[int], None]] = None) -> Path:
    """Download the face model, check its sha256 and move it into place atomically.

    A file already there with the right checksum is kept without downloading.

    Args:
        destination: target file (default: the user cache).
        url: where to download from.
        sha256: the expected hex digest.
        progress: called with the number of bytes read so far.

    Returns:
        The path of the verified model file.

    Raises:
        ModelFileError: the download failed or its checksum is wrong (nothing is left behind).

    """
    destination = Path(destination or user_cache_dir() / FACE_MODEL_FILENAME)
    if destination.is_file() and sha256_of(destination) == sha256:
        return destination
    destination.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=destination.parent, suffix='.part')
    try:
        with os.fdopen(handle, 'wb') as out, urllib.request.urlopen(url, timeout=60) as response:
            done = 0
            for chunk in iter(lambda: response.read(1 << 16), b''):
                out.write(chunk)
                done += len(chunk)
                if progress:
                    progress(done)
        actual = sha256_of(Path(temporary))
        if actual != sha256:
            raise ModelFileError(f'downloaded {url} has sha256 {actual}, expected {sha256}; '
                                 'the file was discarded, try again or check the address')
        shutil.move(temporary, destination)
    except OSError as error:
        if isinstance(error, ModelFileError):
            raise
        raise ModelFileError(f'could not download {url} to {destination}: {error}') from error
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return destination


def check_face_model(path: Path, sha256: str = FACE_MODEL_SHA256) -> None:
    """Raise :class:`ModelFileError` if ``path`` is not the expected face model (corrupt file)."""
    actual = sha256_of(path)
    if actual != sha256:
        raise ModelFileError(f'face model {path} has sha256 {actual}, expected {sha256}: it is '
                             'corrupt or a different version; delete it and '
                             + FETCH_HINT.format(cache=user_cache_dir()))


def default_shared_face_model() -> Path:
    """Return the face model in the shared data folder (for tests and training here)."""
    return shared_dir() / 'models' / FACE_MODEL_FILENAME
