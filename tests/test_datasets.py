"""Tests for glassnet.datasets: toy/synthetic sets, IDX, MNIST, Fashion-MNIST, CSV, preprocessing.

The real-data tests read GLASSNET_DATA (the folder holding mnist/ and fashion-mnist/) and are
skipped when it is unset. No test here downloads anything: downloads are pointed at a closed
local port or disabled; the HTTP code is tested in test_download.py against a local server.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import socket
import struct
from pathlib import Path

import numpy as np
import pytest
import sklearn.datasets

from glassnet import config
from glassnet.datasets import (
    ChecksumError,
    DatasetNotFoundError,
    Standardizer,
    blobs,
    cache,
    circles,
    data_dir,
    digits,
    download,
    fashion_mnist,
    flatten_images,
    house_prices,
    idx,
    load_csv,
    load_digits,
    make_classification,
    mnist,
    moons,
    one_hot,
    paper_example,
    scale_images,
    spirals,
    train_val_test_split,
    xor,
)

MNIST_TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
MNIST_TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
MNIST_MD5 = {  # from /work/shared/datasets/README.md, typed in independently of mnist.FILES
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}
NEEDS_DATA = "GLASSNET_DATA is not set: point it at the folder holding mnist/ and fashion-mnist/"


def _real_data_dir() -> Path:
    if not os.environ.get("GLASSNET_DATA"):
        pytest.skip(NEEDS_DATA)
    return Path(os.environ["GLASSNET_DATA"])


@pytest.fixture(scope="module")
def real_dir() -> Path:
    return _real_data_dir()


@pytest.fixture(scope="module")
def mnist_data(real_dir):
    return mnist.load_data(real_dir, download=False)


@pytest.fixture(scope="module")
def fashion_data(real_dir):
    return fashion_mnist.load_data(real_dir, download=False)


@pytest.fixture(autouse=True)
def no_internet(monkeypatch, closed_port_url):
    """Point the default mirrors at a closed local port, so no test can reach the internet."""
    monkeypatch.setattr(mnist, "MIRRORS", (closed_port_url,))
    monkeypatch.setattr(fashion_mnist, "MIRRORS", (closed_port_url,))
    monkeypatch.setattr(download, "RETRY_DELAY", 0.0)


@pytest.fixture
def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens: connections are refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


# ---------------------------------------------------------------- toy sets


def test_paper_example_values():
    x, y = paper_example()
    np.testing.assert_array_equal(x, [[0, 0, 1], [1, 1, 1], [1, 0, 1], [0, 1, 1]])
    np.testing.assert_array_equal(y, [[0], [1], [1], [0]])
    assert x.dtype == y.dtype == np.dtype(config.floatx())


def test_xor_labels_are_the_exclusive_or():
    x, y = xor()
    assert x.shape == (4, 2) and y.shape == (4, 1)
    np.testing.assert_array_equal(y[:, 0], np.logical_xor(x[:, 0], x[:, 1]))


@pytest.mark.parametrize(
    ("make", "n_classes"),
    [(moons, 2), (circles, 2), (lambda **kw: blobs(centers=4, **kw), 4), (spirals, 2)],
    ids=["moons", "circles", "blobs", "spirals"],
)
def test_2d_sets_shapes_labels_and_seeds(make, n_classes):
    x, y = make(n_samples=120, seed=3)
    assert x.shape == (120, 2) and x.dtype == np.float32
    assert y.shape == (120,) and y.dtype == np.int64
    assert sorted(set(y.tolist())) == list(range(n_classes))
    x_again, y_again = make(n_samples=120, seed=3)
    np.testing.assert_array_equal(x, x_again)
    np.testing.assert_array_equal(y, y_again)
    x_other, _ = make(n_samples=120, seed=4)
    assert not np.allclose(x, x_other)


def test_moons_matches_scikit_learn_for_an_int_seed():
    x, y = moons(50, noise=0.2, seed=7)
    x_ref, y_ref = sklearn.datasets.make_moons(50, noise=0.2, random_state=7)
    np.testing.assert_allclose(x, x_ref, rtol=1e-6)
    np.testing.assert_array_equal(y, y_ref)


def test_moons_accepts_a_generator():
    x1, _ = moons(30, seed=np.random.default_rng(5))
    x2, _ = moons(30, seed=np.random.default_rng(5))
    np.testing.assert_array_equal(x1, x2)


def test_blobs_with_given_centers_clusters_around_them():
    centers = [[-10.0, 0.0], [10.0, 0.0]]
    x, y = blobs(400, centers=centers, cluster_std=0.5, seed=0)
    np.testing.assert_allclose(x[y == 0].mean(axis=0), centers[0], atol=0.2)
    np.testing.assert_allclose(x[y == 1].mean(axis=0), centers[1], atol=0.2)


def test_circles_inner_radius_is_factor():
    x, y = circles(200, noise=0.0, factor=0.3, seed=0)
    radius = np.hypot(x[:, 0], x[:, 1])
    np.testing.assert_allclose(radius[y == 1], 0.3, rtol=1e-5)
    np.testing.assert_allclose(radius[y == 0], 1.0, rtol=1e-5)


def test_spirals_share_samples_and_rotate_into_each_other():
    x, y = spirals(301, n_classes=3, noise=0.0, seed=0)
    assert np.bincount(y).tolist() == [101, 100, 100]
    x, y = spirals(300, n_classes=3, noise=0.0, seed=0)
    # arm 1 is arm 0 turned by 2π/3: same radii, angle + 120°
    a = 2 * np.pi / 3
    rotation = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    np.testing.assert_allclose(x[y == 0] @ rotation.T, x[y == 1], atol=1e-5)
    # radii evenly spaced from 0 towards 1 along each arm
    np.testing.assert_allclose(np.hypot(*x[y == 2].T), np.arange(100) / 100, atol=1e-6)


def test_spirals_noise_moves_points_by_about_noise():
    clean, _ = spirals(2000, noise=0.0, seed=1)
    noisy, _ = spirals(2000, noise=0.05, seed=1)
    assert np.std(noisy - clean) == pytest.approx(0.05, rel=0.1)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: moons(0), ValueError, "n_samples must be > 0, got 0"),
        (lambda: moons("10"), TypeError, "n_samples must be an integer"),
        (lambda: moons(10, noise=-0.1), ValueError, "noise must be a finite number in"),
        (lambda: circles(10, factor=1.0), ValueError, "factor must be"),
        (lambda: blobs(10, centers=0), ValueError, "centers must be > 0"),
        (lambda: blobs(10, centers=[1.0, 2.0]), ValueError, r"shape \(n_centers, n_features\)"),
        (lambda: spirals(2, n_classes=3), ValueError, "at least n_classes=3"),
        (lambda: moons(10, seed=-1), ValueError, "seed must be"),
    ],
)
def test_toy_sets_validate_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()


# ---------------------------------------------------------------- synthetic sets


def test_make_classification_split_sizes_and_determinism():
    (x_train, y_train), (x_test, y_test) = make_classification(seed=1)
    assert x_train.shape == (4000, 20) and y_train.shape == (4000,)
    assert x_test.shape == (1000, 20) and y_test.shape == (1000,)
    assert x_train.dtype == np.float32 and y_train.dtype == np.int64
    assert set(np.unique(y_train)) == {0, 1}
    (x_again, _), _ = make_classification(seed=1)
    np.testing.assert_array_equal(x_train, x_again)
    (x_other, _), _ = make_classification(seed=2)
    assert not np.allclose(x_train, x_other)


def test_make_classification_is_sklearns_first_4000_then_last_1000():
    (x_train, y_train), (x_test, y_test) = make_classification(seed=0)
    x, y = sklearn.datasets.make_classification(n_samples=5000, n_features=20, random_state=0)
    np.testing.assert_allclose(x_train, x[:4000], rtol=1e-6)
    np.testing.assert_allclose(x_test, x[4000:], rtol=1e-6)
    np.testing.assert_array_equal(np.concatenate([y_train, y_test]), y)


def test_make_classification_rejects_no_test_set():
    with pytest.raises(ValueError, match="n_train must be smaller than n_samples=100"):
        make_classification(n_samples=100, n_train=100)


def test_house_prices_follow_the_documented_rule_without_noise():
    x, y = house_prices(50, n_features=3, noise=0.0, seed=0)
    assert x.shape == (50, 3) and y.shape == (50, 1)
    size, rooms, age = x.astype(np.float64).T
    expected = 50 + 2.5 * size + 12 * rooms - 0.8 * age  # the rule in the docstring
    np.testing.assert_allclose(y[:, 0], expected, rtol=1e-5)
    assert size.min() >= 30 and size.max() < 200
    assert set(np.unique(rooms)) <= set(range(1, 9))
    assert age.min() >= 0 and age.max() < 80


def test_house_prices_least_squares_recovers_the_returned_rule():
    x, y, rule = house_prices(5000, n_features=2, noise=10.0, seed=1, return_coef=True)
    assert rule.feature_names == ("size_m2", "rooms")
    design = np.column_stack([np.ones(len(x)), x.astype(np.float64)])
    fitted, *_ = np.linalg.lstsq(design, y[:, 0].astype(np.float64), rcond=None)
    np.testing.assert_allclose(fitted[0], rule.intercept, atol=2.0)
    np.testing.assert_allclose(fitted[1:], rule.weights, rtol=0.05)
    residual = y[:, 0] - design @ fitted
    assert residual.std() == pytest.approx(10.0, rel=0.05)


def test_house_prices_one_feature_is_size_only():
    x, y, rule = house_prices(20, noise=0.0, seed=2, return_coef=True)
    assert x.shape == (20, 1)
    assert rule.weights.tolist() == [2.5]
    np.testing.assert_allclose(y[:, 0], 50 + 2.5 * x[:, 0].astype(np.float64), rtol=1e-5)


def test_house_prices_rejects_four_features():
    with pytest.raises(ValueError, match="n_features must be 1, 2 or 3"):
        house_prices(10, n_features=4)


# ---------------------------------------------------------------- digits


def test_load_digits_is_sklearns_digits_scaled_by_16():
    x, y = load_digits()
    bunch = sklearn.datasets.load_digits()
    assert x.shape == (1797, 64) and x.dtype == np.float32 and y.dtype == np.int64
    np.testing.assert_allclose(x, bunch.data / 16, rtol=1e-6)
    np.testing.assert_array_equal(y, bunch.target)


def test_digits_load_data_is_a_stratified_80_20_split():
    (x_train, y_train), (x_test, y_test) = digits.load_data()
    assert x_train.shape == (1437, 8, 8) and x_test.shape == (360, 8, 8)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.uint8
    assert x_train.max() == 16
    all_counts = np.bincount(sklearn.datasets.load_digits().target)
    np.testing.assert_allclose(np.bincount(y_test), all_counts * 0.2, atol=1)
    (x_again, _), _ = digits.load_data()
    np.testing.assert_array_equal(x_train, x_again)
    (x_other, _), _ = digits.load_data(seed=1)
    assert not np.array_equal(x_train, x_other)


# ---------------------------------------------------------------- IDX files


def _idx_bytes(array: np.ndarray, magic: int) -> bytes:
    header = struct.pack(f">{1 + array.ndim}I", magic, *array.shape)
    return header + array.astype(np.uint8).tobytes()


def _write_gz(path: Path, data: bytes) -> Path:
    path.write_bytes(gzip.compress(data, mtime=0))
    return path


@pytest.fixture
def small_idx_folder(tmp_path) -> tuple[Path, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(5, 28, 28), dtype=np.uint8)
    labels = np.array([3, 1, 4, 1, 5], dtype=np.uint8)
    for name_images, name_labels in [
        (idx.TRAIN_IMAGES, idx.TRAIN_LABELS),
        (idx.TEST_IMAGES, idx.TEST_LABELS),
    ]:
        _write_gz(tmp_path / name_images, _idx_bytes(images, 2051))
        _write_gz(tmp_path / name_labels, _idx_bytes(labels, 2049))
    return tmp_path, images, labels


def test_idx_round_trip(small_idx_folder):
    folder, images, labels = small_idx_folder
    (x_train, y_train), (x_test, y_test) = idx.load_split(folder)
    np.testing.assert_array_equal(x_train, images)
    np.testing.assert_array_equal(x_test, images)
    np.testing.assert_array_equal(y_train, labels)
    np.testing.assert_array_equal(y_test, labels)
    assert x_train.dtype == np.uint8 and x_train.flags.writeable


def test_idx_reads_uncompressed_files(tmp_path):
    labels = np.arange(10, dtype=np.uint8)
    path = tmp_path / "labels-idx1-ubyte"
    path.write_bytes(_idx_bytes(labels, 2049))
    np.testing.assert_array_equal(idx.read_labels(path), labels)


def test_idx_wrong_magic_is_named(small_idx_folder):
    folder, _, _ = small_idx_folder
    with pytest.raises(
        ValueError, match=r"not an IDX images file: magic number 2049.*expected 2051"
    ):
        idx.read_images(folder / idx.TRAIN_LABELS)


def test_idx_truncated_payload(tmp_path):
    data = _idx_bytes(np.zeros((4, 28, 28), dtype=np.uint8), 2051)
    path = _write_gz(tmp_path / "short.gz", data[:-100])
    with pytest.raises(
        ValueError, match=r"short.gz is truncated: .*4 × 28 × 28 = 3136 values.*3036"
    ):
        idx.read_images(path)


def test_idx_extra_bytes(tmp_path):
    path = _write_gz(tmp_path / "long.gz", _idx_bytes(np.zeros(3, dtype=np.uint8), 2049) + b"\0")
    with pytest.raises(ValueError, match="longer than its header says"):
        idx.read_labels(path)


def test_idx_damaged_gzip(tmp_path):
    blob = gzip.compress(_idx_bytes(np.zeros(100, dtype=np.uint8), 2049))
    path = tmp_path / "cut.gz"
    path.write_bytes(blob[: len(blob) // 2])
    with pytest.raises(ValueError, match=r"cut\.gz is a damaged gzip file"):
        idx.read_labels(path)


def test_idx_image_and_label_counts_must_agree(small_idx_folder):
    folder, _, _ = small_idx_folder
    _write_gz(folder / idx.TEST_LABELS, _idx_bytes(np.zeros(4, dtype=np.uint8), 2049))
    with pytest.raises(ValueError, match=r"holds 5 images but .* holds 4 labels"):
        idx.load_split(folder)


# ---------------------------------------------------------------- data folder


def test_data_dir_argument_then_env_then_xdg_then_home(monkeypatch, tmp_path):
    monkeypatch.setenv("GLASSNET_DATA", str(tmp_path / "env"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert data_dir(tmp_path / "arg") == tmp_path / "arg"
    assert data_dir() == tmp_path / "env"
    monkeypatch.delenv("GLASSNET_DATA")
    assert data_dir() == tmp_path / "xdg" / "glassnet"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert data_dir() == tmp_path / "home" / ".cache" / "glassnet"


def test_md5sum_matches_hashlib(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(b"glassnet" * 1000)
    assert cache.md5sum(path) == hashlib.md5(b"glassnet" * 1000).hexdigest()


# ---------------------------------------------------------------- MNIST and Fashion-MNIST


def test_mnist_shapes_dtypes_and_class_counts(mnist_data):
    (x_train, y_train), (x_test, y_test) = mnist_data
    assert x_train.shape == (60000, 28, 28) and y_train.shape == (60000,)
    assert x_test.shape == (10000, 28, 28) and y_test.shape == (10000,)
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype(np.uint8)}
    assert x_train.max() == 255 and x_train.min() == 0
    assert np.bincount(y_train, minlength=10).tolist() == MNIST_TRAIN_COUNTS
    assert np.bincount(y_test, minlength=10).tolist() == MNIST_TEST_COUNTS


def test_mnist_default_folder_is_glassnet_data(mnist_data, real_dir, monkeypatch):
    monkeypatch.setenv("GLASSNET_DATA", str(real_dir))
    _, (x_test, y_test) = mnist.load_data(download=False)
    np.testing.assert_array_equal(y_test, mnist_data[1][1])
    np.testing.assert_array_equal(x_test[:100], mnist_data[1][0][:100])


def test_fashion_mnist_shapes_dtypes_and_balanced_classes(fashion_data):
    (x_train, y_train), (x_test, y_test) = fashion_data
    assert x_train.shape == (60000, 28, 28) and y_train.shape == (60000,)
    assert x_test.shape == (10000, 28, 28) and y_test.shape == (10000,)
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype(np.uint8)}
    assert np.bincount(y_train, minlength=10).tolist() == [6000] * 10
    assert np.bincount(y_test, minlength=10).tolist() == [1000] * 10
    assert len(fashion_mnist.CLASS_NAMES) == 10 and fashion_mnist.CLASS_NAMES[9] == "Ankle boot"


def test_fashion_mnist_differs_from_mnist(mnist_data, fashion_data):
    assert not np.array_equal(mnist_data[1][0][:10], fashion_data[1][0][:10])


def test_published_md5_table_is_used():
    assert mnist.FILES == MNIST_MD5


def _copy_real_mnist(real_dir: Path, tmp_path: Path, damaged: str) -> Path:
    """tmp_path/mnist with links to the real files and a writable copy of ``damaged``."""
    folder = tmp_path / "mnist"
    folder.mkdir()
    for name in MNIST_MD5:
        if name == damaged:
            shutil.copyfile(real_dir / "mnist" / name, folder / name)
            (folder / name).chmod(0o644)
        else:
            (folder / name).symlink_to(real_dir / "mnist" / name)
    return folder / damaged


@pytest.mark.parametrize("damage", ["truncate", "flip"])
def test_damaged_mnist_file_names_the_file_and_both_md5(
    real_dir, tmp_path, damage, closed_port_url
):
    path = _copy_real_mnist(real_dir, tmp_path, "train-labels-idx1-ubyte.gz")
    data = bytearray(path.read_bytes())
    if damage == "truncate":
        data = data[: len(data) // 2]
    else:
        data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    actual = hashlib.md5(bytes(data)).hexdigest()
    expected = MNIST_MD5["train-labels-idx1-ubyte.gz"]
    with pytest.raises(ChecksumError, match=f"train-labels-idx1-ubyte.gz.*{actual}.*{expected}"):
        mnist.load_data(tmp_path, mirrors=[closed_port_url])
    assert path.read_bytes() == bytes(data)  # a damaged file is reported, never replaced


def test_missing_mnist_files_say_where_to_put_them_and_where_to_get_them(tmp_path, closed_port_url):
    with pytest.raises(DatasetNotFoundError) as info:
        mnist.load_data(tmp_path, mirrors=[closed_port_url], timeout=2)
    message = str(info.value)
    folder = tmp_path / "mnist"
    assert f"4 file(s) missing from {folder}" in message
    for name in MNIST_MD5:
        assert f"  {name}\n" in message
        assert f"{closed_port_url}{name}" in message
    assert "ConnectionRefusedError" in message
    assert isinstance(info.value, FileNotFoundError)
    assert sorted(os.listdir(folder)) == []  # no temporary file left behind


def test_missing_fashion_mnist_without_download_lists_the_mirrors(tmp_path, monkeypatch):
    monkeypatch.setattr(fashion_mnist, "MIRRORS", ("https://example.org/a/", "https://b.test/"))
    with pytest.raises(DatasetNotFoundError, match="download=False") as info:
        fashion_mnist.load_data(tmp_path, download=False)
    message = str(info.value)
    assert "  https://example.org/a/t10k-labels-idx1-ubyte.gz\n" in message
    assert "  https://b.test/train-images-idx3-ubyte.gz\n" in message
    assert f"put them in {tmp_path / 'fashion-mnist'}" in message


def test_mnist_missing_folder_is_not_created_without_download(tmp_path):
    with pytest.raises(DatasetNotFoundError):
        mnist.load_data(tmp_path, download=False)
    assert not (tmp_path / "mnist").exists()


# ---------------------------------------------------------------- CSV


def _write_lesson_csv(path: Path, x: np.ndarray, y: np.ndarray) -> None:
    """The lesson's mnist_train.csv layout: label, then pixel columns 1x1 … 28x28."""
    header = ["label"] + [f"{r}x{c}" for r in range(1, 29) for c in range(1, 29)]
    lines = [",".join(header)]
    lines += [
        ",".join([str(int(label))] + [str(int(v)) for v in row])
        for label, row in zip(y, x, strict=True)
    ]
    path.write_text("\n".join(lines) + "\n")


def test_load_csv_round_trips_the_lesson_layout(mnist_data, tmp_path):
    (x_train, y_train), _ = mnist_data
    rows = slice(100, 112)
    path = tmp_path / "mnist_train.csv"
    _write_lesson_csv(path, x_train[rows].reshape(12, 784), y_train[rows])
    x, y = load_csv(path)
    assert x.shape == (12, 784) and x.dtype == np.float32
    assert y.dtype == np.int64
    np.testing.assert_array_equal(y, y_train[rows])
    np.testing.assert_array_equal(x, x_train[rows].reshape(12, 784))


def test_load_csv_float_target_and_other_column_name(tmp_path):
    path = tmp_path / "houses.csv"
    path.write_text("size,price,rooms\n50,120.5,2\n80,200.25,3\n")
    x, y = load_csv(path, target="price")
    np.testing.assert_array_equal(x, [[50, 2], [80, 3]])
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y, [120.5, 200.25])


def test_load_csv_missing_target_lists_columns(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("a,b,c\n1,2,3\n")
    with pytest.raises(ValueError, match=r"no target column 'label'; columns found: 'a', 'b', 'c'"):
        load_csv(path)


def test_load_csv_missing_target_shortens_long_column_lists(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"p{i}" for i in range(30)) + "\n" + ",".join("0" * 30) + "\n")
    with pytest.raises(ValueError, match=r"'p19', … and 10 more"):
        load_csv(path)


def test_load_csv_non_numeric_cell_names_column_and_value(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("label,1x1,1x2\n1,0,0\n2,0,zero\n")
    with pytest.raises(
        ValueError, match=r"column '1x2' holds non-numeric values, e.g. 'zero' at data row 2"
    ):
        load_csv(path)


def test_load_csv_empty_cell(tmp_path):
    path = tmp_path / "hole.csv"
    path.write_text("label,1x1,1x2\n1,0,0\n2,,3\n")
    with pytest.raises(
        ValueError, match=r"column '1x1' has an empty cell at data row 2 \(line 3\)"
    ):
        load_csv(path)


def test_load_csv_empty_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")
    with pytest.raises(ValueError, match=r"empty\.csv is empty"):
        load_csv(path)


def test_load_csv_header_only(tmp_path):
    path = tmp_path / "header.csv"
    path.write_text("label,1x1\n")
    with pytest.raises(ValueError, match="has a header line but no samples"):
        load_csv(path)


def test_load_csv_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nope\.csv does not exist"):
        load_csv(tmp_path / "nope.csv")


# ---------------------------------------------------------------- preprocessing


def test_flatten_images_keeps_rows():
    x = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    flat = flatten_images(x)
    assert flat.shape == (2, 12) and flat.dtype == np.uint8
    np.testing.assert_array_equal(flat[1], np.arange(12, 24))
    with pytest.raises(ValueError, match=r"got shape \(5,\)"):
        flatten_images(np.zeros(5))


def test_scale_images_maps_0_255_to_0_1():
    x = np.array([[0, 51, 255]], dtype=np.uint8)
    scaled = scale_images(x)
    assert scaled.dtype == np.float32
    np.testing.assert_allclose(scaled, [[0.0, 0.2, 1.0]], rtol=1e-6)
    np.testing.assert_allclose(scale_images(np.array([16, 8]), max_value=16), [1.0, 0.5])
    with pytest.raises(ValueError, match=r"pixel values in \[0, 255\], got values in \[0, 300\]"):
        scale_images(np.array([0, 300]))


def test_one_hot_encodes_labels():
    np.testing.assert_array_equal(one_hot([0, 2], 3), [[1, 0, 0], [0, 0, 1]])


def test_standardizer_uses_training_statistics_only():
    rng = np.random.default_rng(0)
    x_train = rng.normal([5.0, -2.0], [2.0, 0.5], size=(200, 2))
    x_test = rng.normal([50.0, 10.0], [1.0, 1.0], size=(50, 2))  # a very different mean
    s = Standardizer().fit(x_train)
    np.testing.assert_allclose(s.mean_, x_train.mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(s.scale_, x_train.std(axis=0), rtol=1e-5)
    z_test = s.transform(x_test)
    np.testing.assert_allclose(z_test, (x_test - x_train.mean(0)) / x_train.std(0), rtol=1e-4)
    assert np.all(np.abs(z_test.mean(axis=0)) > 5)  # the test mean was not used
    z_train = s.fit_transform(x_train)
    np.testing.assert_allclose(z_train.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(z_train.std(axis=0), 1, atol=1e-5)
    np.testing.assert_allclose(s.inverse_transform(z_test), x_test, rtol=1e-5)


def test_standardizer_constant_column_maps_to_zero():
    x = np.array([[1.0, 7.0], [3.0, 7.0], [5.0, 7.0]])
    s = Standardizer()
    z = s.fit_transform(x)  # a RuntimeWarning (division by zero) would fail the test
    assert s.scale_[1] == 1.0
    np.testing.assert_array_equal(z[:, 1], 0.0)
    assert np.all(np.isfinite(z))


def test_standardizer_errors():
    with pytest.raises(ValueError, match="not fitted yet"):
        Standardizer().transform(np.zeros((2, 2)))
    s = Standardizer().fit(np.ones((3, 4)))
    with pytest.raises(ValueError, match="fitted on 4 features, got x with 3"):
        s.transform(np.ones((3, 3)))


def test_train_val_test_split_sizes_disjoint_and_stratified():
    y = np.repeat([0, 1, 2], [700, 200, 100])
    x = np.arange(1000).reshape(-1, 1)
    (x_tr, y_tr), (x_val, y_val), (x_te, y_te) = train_val_test_split(x, y, 0.2, 0.1, seed=0)
    assert (len(x_tr), len(x_val), len(x_te)) == (700, 200, 100)
    ids = np.concatenate([x_tr[:, 0], x_val[:, 0], x_te[:, 0]])
    assert sorted(ids.tolist()) == list(range(1000))
    np.testing.assert_array_equal(y[x_tr[:, 0]], y_tr)  # pairs stay together
    assert np.bincount(y_val).tolist() == [140, 40, 20]
    assert np.bincount(y_te).tolist() == [70, 20, 10]
    assert np.bincount(y_tr).tolist() == [490, 140, 70]


def test_train_val_test_split_seeds_and_one_hot_and_regression():
    x = np.arange(100).reshape(50, 2)
    y = np.arange(50) % 2
    first = train_val_test_split(x, y, 0.2, 0.2, seed=3)
    again = train_val_test_split(x, y, 0.2, 0.2, seed=3)
    other = train_val_test_split(x, y, 0.2, 0.2, seed=4)
    np.testing.assert_array_equal(first[0][0], again[0][0])
    assert not np.array_equal(first[0][0], other[0][0])
    (_, y_tr), _, _ = train_val_test_split(x, one_hot(y), 0.2, 0.2, seed=3)
    assert y_tr.sum(axis=0).tolist() == [15, 15]
    with pytest.raises(ValueError, match="pass stratify=False for regression"):
        train_val_test_split(x, y + 0.5, 0.2, 0.2)
    (x_tr, _), _, _ = train_val_test_split(x, y + 0.5, 0.2, 0.2, stratify=False, seed=0)
    assert len(x_tr) == 30


def test_train_val_test_split_validates():
    with pytest.raises(ValueError, match="val_size \\+ test_size must be < 1"):
        train_val_test_split(np.zeros((10, 1)), np.zeros(10), 0.5, 0.5)
    with pytest.raises(
        ValueError, match=r"same number of samples, got shapes \(10, 1\) and \(9,\)"
    ):
        train_val_test_split(np.zeros((10, 1)), np.zeros(9))
