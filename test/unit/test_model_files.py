# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Tests of the face model lookup, its checked download and the fetch-models command.

Downloads come from a local HTTP server in a thread that serves a temporary copy of the real
face model, so nothing leaves this machine.
"""

import argparse
import functools
import http.server
import os
from pathlib import Path
import shutil
import threading

import pytest

from emotion_estimator import contract, fetch_models, model_files
from emotion_estimator.model_files import (
    check_face_model, FACE_MODEL_ENV, FACE_MODEL_FILENAME, FACE_MODEL_SHA256, fetch_face_model,
    find_face_model, ModelFileError, sha256_of)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serve files without logging every request to stderr."""

    def log_message(self, *args) -> None:
        """Log nothing."""


@pytest.fixture()
def isolated(monkeypatch, tmp_path):
    """Return a fresh cache folder, with no env override and no share dir to find models in."""
    cache = tmp_path / 'xdg-cache'
    monkeypatch.setenv('XDG_CACHE_HOME', str(cache))
    monkeypatch.delenv(FACE_MODEL_ENV, raising=False)
    monkeypatch.setattr(model_files, 'package_share_dir', lambda: None)
    monkeypatch.setenv('no_proxy', '127.0.0.1,localhost')
    return cache / 'emotion_estimator'


@pytest.fixture()
def server(tmp_path, shared_dir):
    """Serve a folder holding a copy of the face model and a wrong file; yield its base URL."""
    served = tmp_path / 'served'
    served.mkdir()
    source = shared_dir / 'models' / FACE_MODEL_FILENAME
    if not source.is_file():
        pytest.fail(f'{source} not found')
    shutil.copyfile(source, served / FACE_MODEL_FILENAME)
    (served / 'wrong.task').write_bytes(b'not the face model' * 1000)
    handler = functools.partial(QuietHandler, directory=str(served))
    httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f'http://127.0.0.1:{httpd.server_address[1]}'
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def run_command(*argv: str) -> int:
    """Run ``emotion-estimator fetch-models`` with ``argv`` through its own parser."""
    parser = argparse.ArgumentParser()
    fetch_models.add_arguments(parser)
    return fetch_models.run(parser.parse_args(list(argv)))


def touch(path: Path) -> Path:
    """Create an (empty) file and its folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b'')
    return path


# --- fetch_face_model ------------------------------------------------------------------------

def test_download_into_the_cache(isolated, server):
    done = []
    path = fetch_face_model(url=f'{server}/{FACE_MODEL_FILENAME}', progress=done.append)
    assert path == isolated / FACE_MODEL_FILENAME
    assert sha256_of(path) == FACE_MODEL_SHA256
    assert done and done[-1] == path.stat().st_size
    assert done == sorted(done)
    assert [p.name for p in isolated.iterdir()] == [FACE_MODEL_FILENAME]  # no .part left


def test_wrong_checksum_discards_the_file(isolated, server, tmp_path):
    target = tmp_path / 'out' / FACE_MODEL_FILENAME
    with pytest.raises(ModelFileError, match='expected 64184e22.*discarded'):
        fetch_face_model(target, url=f'{server}/wrong.task')
    assert not target.exists()
    assert list(target.parent.iterdir()) == []


def test_http_404_is_a_model_file_error(isolated, server, tmp_path):
    target = tmp_path / FACE_MODEL_FILENAME
    with pytest.raises(ModelFileError, match='could not download .*absent.task.*404'):
        fetch_face_model(target, url=f'{server}/absent.task')
    assert list(tmp_path.glob('*.part')) == [] and not target.exists()


def test_unreachable_server_is_a_model_file_error(isolated, tmp_path):
    with pytest.raises(ModelFileError, match='could not download'):
        fetch_face_model(tmp_path / 'f.task', url='http://127.0.0.1:9/face_landmarker.task')


def test_valid_existing_file_is_kept_without_download(isolated, shared_dir, tmp_path):
    target = tmp_path / FACE_MODEL_FILENAME
    shutil.copyfile(shared_dir / 'models' / FACE_MODEL_FILENAME, target)
    before = target.stat().st_mtime_ns
    # An address that cannot be reached: any download attempt would fail.
    assert fetch_face_model(target, url='http://127.0.0.1:9/x') == target
    assert target.stat().st_mtime_ns == before


def test_corrupt_existing_file_is_replaced(isolated, server, tmp_path):
    target = tmp_path / FACE_MODEL_FILENAME
    target.write_bytes(b'truncated')
    fetch_face_model(target, url=f'{server}/{FACE_MODEL_FILENAME}')
    assert sha256_of(target) == FACE_MODEL_SHA256


# --- lookup order ----------------------------------------------------------------------------

def test_lookup_order_argument_env_share_cache(isolated, monkeypatch, tmp_path):
    cache_model = touch(isolated / FACE_MODEL_FILENAME)
    assert find_face_model() == cache_model

    share = tmp_path / 'share'
    share_model = touch(share / 'models' / FACE_MODEL_FILENAME)
    monkeypatch.setattr(model_files, 'package_share_dir', lambda: share)
    assert find_face_model() == share_model

    env_model = touch(tmp_path / 'env' / FACE_MODEL_FILENAME)
    monkeypatch.setenv(FACE_MODEL_ENV, str(env_model))
    assert find_face_model() == env_model

    arg_model = touch(tmp_path / 'arg' / 'my.task')
    assert find_face_model(arg_model) == arg_model
    assert model_files.face_model_candidates(arg_model) == [
        arg_model, env_model, share_model, cache_model]


def test_missing_candidates_are_skipped(isolated, monkeypatch, tmp_path):
    monkeypatch.setenv(FACE_MODEL_ENV, str(tmp_path / 'absent.task'))
    cache_model = touch(isolated / FACE_MODEL_FILENAME)
    assert find_face_model() == cache_model


def test_cache_follows_xdg_cache_home(monkeypatch, tmp_path):
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path))
    assert model_files.user_cache_dir() == tmp_path / 'emotion_estimator'
    monkeypatch.delenv('XDG_CACHE_HOME')
    assert model_files.user_cache_dir() == Path.home() / '.cache' / 'emotion_estimator'


def test_missing_model_message_says_how_to_fix(isolated):
    with pytest.raises(ModelFileError) as caught:
        find_face_model()
    message = str(caught.value)
    assert 'emotion-estimator fetch-models' in message
    assert FACE_MODEL_ENV in message
    assert str(isolated / FACE_MODEL_FILENAME) in message  # where it looked


def test_missing_explicit_model_is_not_replaced(isolated, tmp_path):
    touch(isolated / FACE_MODEL_FILENAME)
    with pytest.raises(ModelFileError, match='absent.task does not exist.*fetch-models'):
        find_face_model(tmp_path / 'absent.task')


def test_model_file_error_is_a_file_not_found_error():
    assert issubclass(ModelFileError, FileNotFoundError)


def test_check_face_model(shared_dir, tmp_path):
    check_face_model(shared_dir / 'models' / FACE_MODEL_FILENAME)
    bad = tmp_path / FACE_MODEL_FILENAME
    bad.write_bytes(b'x')
    with pytest.raises(ModelFileError, match='corrupt or a different version.*fetch-models'):
        check_face_model(bad)


def test_default_shared_face_model(shared_dir, monkeypatch):
    assert model_files.default_shared_face_model().is_file()
    monkeypatch.setenv(contract.SHARED_DIR_ENV, '/nonexistent')
    assert model_files.default_shared_face_model() == Path(
        '/nonexistent/models/face_landmarker.task')


def test_corrupt_model_is_a_model_file_error_from_mediapipe(isolated, tmp_path):
    from emotion_estimator.blendshapes import BlendshapeExtractor
    corrupt = tmp_path / FACE_MODEL_FILENAME
    corrupt.write_bytes(os.urandom(4096))
    with pytest.raises(ModelFileError, match='could not load the face model.*fetch-models'):
        BlendshapeExtractor(corrupt)


# --- the fetch-models command ----------------------------------------------------------------

def test_command_downloads_into_the_cache(isolated, server, capsys):
    assert run_command('--url', f'{server}/{FACE_MODEL_FILENAME}') == 0
    assert sha256_of(isolated / FACE_MODEL_FILENAME) == FACE_MODEL_SHA256
    out, err = capsys.readouterr()
    assert 'downloaded and verified' in out
    assert 'MiB downloaded' in err


def test_command_into_a_folder_then_check(isolated, server, tmp_path, capsys):
    folder = tmp_path / 'models'
    folder.mkdir()
    assert run_command('--dest', str(folder), '--url', f'{server}/{FACE_MODEL_FILENAME}',
                       '--quiet') == 0
    assert (folder / FACE_MODEL_FILENAME).is_file()
    out, err = capsys.readouterr()
    assert FACE_MODEL_ENV in out and err == ''
    assert run_command('--check', '--dest', str(folder)) == 0
    assert ': OK' in capsys.readouterr().out


def test_command_keeps_a_valid_file(isolated, shared_dir, capsys):
    touch(isolated / FACE_MODEL_FILENAME)
    shutil.copyfile(shared_dir / 'models' / FACE_MODEL_FILENAME, isolated / FACE_MODEL_FILENAME)
    assert run_command('--url', 'http://127.0.0.1:9/x') == 0
    assert 'nothing downloaded' in capsys.readouterr().out


def test_command_wrong_checksum_fails(isolated, server, capsys):
    assert run_command('--url', f'{server}/wrong.task') == 1
    assert 'error: ' in capsys.readouterr().err
    assert not (isolated / FACE_MODEL_FILENAME).exists()


def test_command_404_fails(isolated, server, capsys):
    assert run_command('--url', f'{server}/absent.task', '--quiet') == 1
    assert 'HTTP Error 404' in capsys.readouterr().err


def test_command_check_missing_and_corrupt(isolated, tmp_path, capsys):
    assert run_command('--check') == 1
    assert 'fetch-models' in capsys.readouterr().err
    corrupt = tmp_path / FACE_MODEL_FILENAME
    corrupt.write_bytes(b'x')
    assert run_command('--check', '--dest', str(corrupt)) == 1
    assert 'corrupt' in capsys.readouterr().err
    assert run_command('--check', '--dest', str(tmp_path / 'absent.task')) == 1
    assert 'does not exist' in capsys.readouterr().err


def test_check_uses_the_lookup_order(isolated, face_model_path, monkeypatch, capsys):
    monkeypatch.setenv(FACE_MODEL_ENV, str(face_model_path))
    assert run_command('--check') == 0
    assert str(face_model_path) in capsys.readouterr().out


def test_module_main(isolated, face_model_path):
    assert fetch_models.main(['--check', '--dest', str(face_model_path)]) == 0


def test_dispatcher_runs_fetch_models(isolated, face_model_path, capsys):
    from emotion_estimator import cli
    assert cli.main(['fetch-models', '--check', '--dest', str(face_model_path)]) == 0
    assert ': OK' in capsys.readouterr().out
    with pytest.raises(SystemExit):
        cli.main(['fetch-models', '--no-such-option'])
