"""Tests for glassnet.datasets.download and the download path of mnist/fashion_mnist.load_data.

Every download goes to a small HTTP server started here on 127.0.0.1 (port 0), serving small
generated IDX gzip files; the URL's first segment picks the server's behaviour. No test
reaches the internet.
"""

from __future__ import annotations

import gzip
import hashlib
import socket
import struct
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from glassnet.datasets import (
    DatasetNotFoundError,
    DownloadError,
    cache,
    download,
    fashion_mnist,
    idx,
    mnist,
)

RNG = np.random.default_rng(42)
TRAIN_X = RNG.integers(0, 256, size=(6, 28, 28), dtype=np.uint8)
TRAIN_Y = np.array([0, 1, 2, 3, 4, 5], dtype=np.uint8)
TEST_X = RNG.integers(0, 256, size=(4, 28, 28), dtype=np.uint8)
TEST_Y = np.array([9, 8, 7, 6], dtype=np.uint8)


def _idx_gz(array: np.ndarray, magic: int) -> bytes:
    header = struct.pack(f">{1 + array.ndim}I", magic, *array.shape)
    return gzip.compress(header + array.tobytes(), mtime=0)


FILES = {
    idx.TRAIN_IMAGES: _idx_gz(TRAIN_X, 2051),
    idx.TRAIN_LABELS: _idx_gz(TRAIN_Y, 2049),
    idx.TEST_IMAGES: _idx_gz(TEST_X, 2051),
    idx.TEST_LABELS: _idx_gz(TEST_Y, 2049),
}
MD5 = {name: hashlib.md5(data).hexdigest() for name, data in FILES.items()}
NAME = idx.TRAIN_IMAGES  # the file most tests download (a few kB)


class _Handler(BaseHTTPRequestHandler):
    """GET /<mode>/<file>: serve the file as ``mode`` says (see the branches below)."""

    def log_message(self, format, *args):  # keep the test output clean
        pass

    def do_GET(self):
        server = self.server
        mode, _, name = self.path.strip("/").partition("/")
        server.hits[self.path] += 1
        data = FILES.get(name)
        if data is None or mode == "missing":
            self.send_error(404, "Not Found")
            return
        if mode == "flaky" and server.hits[self.path] == 1:
            self.send_error(500, "Internal Server Error")
            return
        if mode == "stall-headers":
            server.release.wait(10)
            return
        body, length = data, len(data)
        if mode == "truncated":  # a short file, served honestly
            body = length_body = data[: len(data) // 2]
            length = len(length_body)
        elif mode == "wrong":
            body = data[::-1]
        elif mode in ("drop", "stall-body"):  # announce the whole file, send half
            body = data[: len(data) // 2]
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        if mode != "no-length":
            self.send_header("Content-Length", str(length))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        if mode == "stall-body":
            server.release.wait(10)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):  # clients hang up on stalls: expected
        pass


@pytest.fixture(scope="module")
def running_server():
    srv = _Server(("127.0.0.1", 0), _Handler)
    srv.hits = Counter()
    srv.release = threading.Event()
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    srv.url = f"http://127.0.0.1:{srv.server_address[1]}"
    yield srv
    srv.release.set()
    srv.shutdown()
    srv.server_close()


@pytest.fixture
def server(running_server):
    """The local server, with its request counts reset for this test."""
    running_server.hits.clear()
    return running_server


@pytest.fixture
def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


@pytest.fixture(autouse=True)
def no_internet(monkeypatch, closed_port_url):
    """Default mirrors point at a closed local port; retries wait no time."""
    monkeypatch.setattr(mnist, "MIRRORS", (closed_port_url,))
    monkeypatch.setattr(fashion_mnist, "MIRRORS", (closed_port_url,))
    monkeypatch.setattr(download, "RETRY_DELAY", 0.0)


def _get(server, mirrors, folder, name=NAME, md5=None, **kwargs):
    urls = [f"{server.url}/{m}/" for m in mirrors]
    kwargs.setdefault("progress", False)
    return download.download_file(name, folder, urls, md5 or MD5[name], **kwargs)


def _assert_nothing_left(folder: Path) -> None:
    assert sorted(p.name for p in folder.iterdir()) == []


# ---------------------------------------------------------------- success


def test_good_download_lands_at_the_final_path_only(server, tmp_path):
    path = _get(server, ["ok"], tmp_path)
    assert path == tmp_path / NAME
    assert path.read_bytes() == FILES[NAME]
    assert sorted(p.name for p in tmp_path.iterdir()) == [NAME]  # no temporary file


def test_download_creates_the_folder(server, tmp_path):
    path = _get(server, ["ok"], tmp_path / "a" / "b")
    assert path.read_bytes() == FILES[NAME]


def test_404_falls_through_to_the_next_mirror_without_retrying(server, tmp_path):
    path = _get(server, ["missing", "ok"], tmp_path, retries=3)
    assert path.read_bytes() == FILES[NAME]
    assert server.hits[f"/missing/{NAME}"] == 1


def test_refused_connection_falls_through_to_the_next_mirror(server, tmp_path, closed_port_url):
    urls = [closed_port_url, f"{server.url}/ok/"]
    path = download.download_file(NAME, tmp_path, urls, MD5[NAME], progress=False)
    assert path.read_bytes() == FILES[NAME]


def test_server_error_is_retried_on_the_same_mirror(server, tmp_path):
    name = idx.TEST_LABELS
    path = _get(server, ["flaky"], tmp_path, name=name, retries=1)
    assert path.read_bytes() == FILES[name]
    assert server.hits[f"/flaky/{name}"] == 2


def test_wrong_file_on_first_mirror_then_good_one(server, tmp_path):
    path = _get(server, ["wrong", "ok"], tmp_path)
    assert cache.md5sum(path) == MD5[NAME]


def test_without_content_length_the_md5_still_decides(server, tmp_path):
    path = _get(server, ["no-length"], tmp_path)
    assert path.read_bytes() == FILES[NAME]
    with pytest.raises(DownloadError, match="MD5 mismatch"):
        _get(server, ["no-length"], tmp_path / "other", md5="0" * 32)
    _assert_nothing_left(tmp_path / "other")


def test_progress_bar_shows_the_file(server, tmp_path, capsys):
    _get(server, ["ok"], tmp_path, progress=True)
    err = capsys.readouterr().err
    assert NAME in err and "100%" in err


# ---------------------------------------------------------------- failures leave nothing


def test_wrong_checksum_names_expected_and_actual(server, tmp_path):
    actual = hashlib.md5(FILES[NAME][::-1]).hexdigest()
    with pytest.raises(DownloadError, match=f"MD5 mismatch: expected {MD5[NAME]}, got {actual}"):
        _get(server, ["wrong"], tmp_path, retries=2)
    assert server.hits[f"/wrong/{NAME}"] == 1  # the same mirror would serve the same file
    _assert_nothing_left(tmp_path)


def test_truncated_file_fails_its_checksum(server, tmp_path):
    actual = hashlib.md5(FILES[NAME][: len(FILES[NAME]) // 2]).hexdigest()
    with pytest.raises(DownloadError, match=f"got {actual}"):
        _get(server, ["truncated"], tmp_path)
    _assert_nothing_left(tmp_path)


def test_dropped_connection_is_retried_then_reported(server, tmp_path):
    name = idx.TEST_IMAGES
    size = len(FILES[name])
    with pytest.raises(DownloadError, match=f"closed after {size // 2} of {size} bytes") as info:
        _get(server, ["drop"], tmp_path, name=name, retries=1)
    assert server.hits[f"/drop/{name}"] == 2
    assert len(info.value.attempts) == 2
    _assert_nothing_left(tmp_path)


def test_404_everywhere(server, tmp_path):
    with pytest.raises(DownloadError, match="HTTP 404") as info:
        _get(server, ["missing", "missing"], tmp_path, name=idx.TRAIN_LABELS)
    assert isinstance(info.value, OSError)
    _assert_nothing_left(tmp_path)


@pytest.mark.parametrize("mode", ["stall-headers", "stall-body"])
def test_stalled_server_times_out_quickly(server, tmp_path, mode):
    start = time.monotonic()
    with pytest.raises(DownloadError, match=r"timed out \(no data for 0.5 s\)"):
        _get(server, [mode], tmp_path, name=idx.TRAIN_LABELS, timeout=0.5, retries=1)
    assert time.monotonic() - start < 5  # two 0.5 s waits, not a hang
    _assert_nothing_left(tmp_path)


def test_interrupted_download_removes_the_partial_file(server, tmp_path, monkeypatch):
    seen_during_download = []

    class InterruptingBar:
        def __init__(self, *args, **kwargs):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def update(self, n):
            seen_during_download.append(sorted(p.name for p in tmp_path.iterdir()))
            raise KeyboardInterrupt  # as Ctrl-C in the middle of the stream

    monkeypatch.setattr(download, "tqdm", InterruptingBar)
    with pytest.raises(KeyboardInterrupt):
        _get(server, ["ok"], tmp_path)
    [names] = seen_during_download
    assert len(names) == 1 and names[0] != NAME  # a temporary file, never the final name
    _assert_nothing_left(tmp_path)


def test_arguments_are_validated(tmp_path):
    with pytest.raises(ValueError, match="at least one base URL"):
        download.download_file(NAME, tmp_path, [], MD5[NAME])
    with pytest.raises(ValueError, match="timeout must be"):
        download.download_file(NAME, tmp_path, ["http://127.0.0.1:1/"], MD5[NAME], timeout=0)
    with pytest.raises(ValueError, match="retries must be >= 0"):
        download.download_file(NAME, tmp_path, ["http://127.0.0.1:1/"], MD5[NAME], retries=-1)


# ---------------------------------------------------------------- load_data end to end


@pytest.mark.parametrize("module", [mnist, fashion_mnist], ids=["mnist", "fashion_mnist"])
def test_load_data_downloads_checks_and_reads(server, tmp_path, monkeypatch, module):
    monkeypatch.setattr(module, "FILES", dict(MD5))
    monkeypatch.setattr(download, "DEFAULT_RETRIES", 0)
    monkeypatch.setattr(download, "CHUNK_SIZE", 512)  # several chunks per file
    mirrors = [f"{server.url}/missing/", f"{server.url}/ok/"]
    (x_train, y_train), (x_test, y_test) = module.load_data(tmp_path, mirrors=mirrors)
    np.testing.assert_array_equal(x_train, TRAIN_X)
    np.testing.assert_array_equal(y_train, TRAIN_Y)
    np.testing.assert_array_equal(x_test, TEST_X)
    np.testing.assert_array_equal(y_test, TEST_Y)
    folder = tmp_path / module.SUBDIR
    assert sorted(p.name for p in folder.iterdir()) == sorted(FILES)
    hits_before = sum(server.hits.values())
    (_, y_again), _ = module.load_data(tmp_path, download=False)  # now read offline
    np.testing.assert_array_equal(y_again, TRAIN_Y)
    assert sum(server.hits.values()) == hits_before


def test_load_data_only_downloads_what_is_missing(server, tmp_path, monkeypatch):
    monkeypatch.setattr(mnist, "FILES", dict(MD5))
    folder = tmp_path / "mnist"
    folder.mkdir()
    for name in (idx.TRAIN_IMAGES, idx.TRAIN_LABELS, idx.TEST_IMAGES):
        (folder / name).write_bytes(FILES[name])
    mirror = f"{server.url}/ok/"
    before = server.hits.copy()
    mnist.load_data(tmp_path, mirrors=[mirror])
    fetched = {path for path in server.hits if server.hits[path] != before[path]}
    assert fetched == {f"/ok/{idx.TEST_LABELS}"}


def test_load_data_with_every_mirror_404_explains_what_to_do(server, tmp_path):
    mirrors = [f"{server.url}/missing/", f"{server.url}/missing/"]
    with pytest.raises(DatasetNotFoundError) as info:
        mnist.load_data(tmp_path, mirrors=mirrors)
    message = str(info.value)
    folder = tmp_path / "mnist"
    assert f"MNIST: 4 file(s) missing from {folder}" in message
    assert f"{server.url}/missing/{idx.TRAIN_IMAGES}: HTTP 404" in message
    assert f"put them in {folder}" in message
    for name in FILES:
        assert f"  {server.url}/missing/{name}\n" in message
    _assert_nothing_left(folder)


def test_load_data_bad_download_leaves_nothing(server, tmp_path, monkeypatch):
    monkeypatch.setattr(fashion_mnist, "FILES", dict(MD5))
    with pytest.raises(DatasetNotFoundError, match="MD5 mismatch"):
        fashion_mnist.load_data(tmp_path, mirrors=[f"{server.url}/wrong/"])
    _assert_nothing_left(tmp_path / "fashion-mnist")
