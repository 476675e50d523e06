"""Read IDX files, the format of MNIST and Fashion-MNIST (optionally gzip-compressed).

An IDX file is a big-endian header — magic number (0x0000, a type code, the number of
dimensions), then one uint32 size per dimension — followed by the raw values, row-major.
Images use magic 2051 (0x00000803: uint8, 3 dims: count, rows, columns), labels magic 2049
(0x00000801: uint8, 1 dim: count).
"""

from __future__ import annotations

import gzip
import os
import struct
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

IMAGES_MAGIC = 2051
LABELS_MAGIC = 2049

# The standard file names of MNIST-style data sets, in the order load_split reads them.
TRAIN_IMAGES = "train-images-idx3-ubyte.gz"
TRAIN_LABELS = "train-labels-idx1-ubyte.gz"
TEST_IMAGES = "t10k-images-idx3-ubyte.gz"
TEST_LABELS = "t10k-labels-idx1-ubyte.gz"
FILENAMES = (TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, decompressed when it is gzip (by content, not by name)."""
    raw = path.read_bytes()
    if raw[:2] != b"\x1f\x8b":
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as err:
        raise ValueError(f"{path} is a damaged gzip file ({err}); download it again") from None


def _parse(data: bytes, magic: int, ndim: int, path: Path) -> np.ndarray:
    """The array stored in IDX ``data``, after checking its magic number and its length."""
    what = "images" if magic == IMAGES_MAGIC else "labels"
    header_size = 4 * (1 + ndim)
    found = struct.unpack(">I", data[:4])[0] if len(data) >= 4 else None
    if found != magic:
        seen = "no magic number" if found is None else f"magic number {found} (0x{found:08x})"
        raise ValueError(
            f"{path} is not an IDX {what} file: {seen}, expected {magic} (0x{magic:08x})"
        )
    if len(data) < header_size:
        raise ValueError(
            f"{path} is too short to be an IDX {what} file: {len(data)} bytes, "
            f"expected a {header_size}-byte header"
        )
    dims = struct.unpack(f">{ndim}I", data[4:header_size])
    expected = int(np.prod(dims))
    found_values = len(data) - header_size
    if found_values != expected:
        shape = " × ".join(str(d) for d in dims)
        problem = "truncated" if found_values < expected else "longer than its header says"
        raise ValueError(
            f"{path} is {problem}: the header announces {shape} = {expected} values, "
            f"the file holds {found_values}"
        )
    # bytearray makes the array writable (np.frombuffer over bytes is read-only)
    return np.frombuffer(bytearray(data), dtype=np.uint8, offset=header_size).reshape(dims)


def read_images(path: str | os.PathLike[str]) -> np.ndarray:
    """Images from an IDX file (magic 2051): uint8 of shape (count, rows, columns)."""
    path = Path(path)
    return _parse(_read_bytes(path), IMAGES_MAGIC, 3, path)


def read_labels(path: str | os.PathLike[str]) -> np.ndarray:
    """Labels from an IDX file (magic 2049): uint8 of shape (count,)."""
    path = Path(path)
    return _parse(_read_bytes(path), LABELS_MAGIC, 1, path)


def load_split(
    folder: str | os.PathLike[str],
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """The four standard IDX files of ``folder`` as ``((x_train, y_train), (x_test, y_test))``."""
    folder = Path(folder)
    parts = []
    for images_name, labels_name in ((TRAIN_IMAGES, TRAIN_LABELS), (TEST_IMAGES, TEST_LABELS)):
        x = read_images(folder / images_name)
        y = read_labels(folder / labels_name)
        if len(x) != len(y):
            raise ValueError(
                f"{folder / images_name} holds {len(x)} images but "
                f"{folder / labels_name} holds {len(y)} labels; expected one label per image"
            )
        parts.append((x, y))
    return parts[0], parts[1]


def load_dataset(
    dataset: str,
    subdir: str,
    files: Mapping[str, str],
    mirrors: Sequence[str],
    path: str | os.PathLike[str] | None,
    download: bool,
    timeout: float | None,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Make sure ``files`` are in ``<data dir>/<subdir>`` (checked, downloaded if missing), then
    read them: what ``mnist.load_data`` and ``fashion_mnist.load_data`` share."""
    from glassnet.datasets import cache

    folder = cache.data_dir(path) / subdir
    cache.ensure_files(files, folder, mirrors, dataset=dataset, download=download, timeout=timeout)
    return load_split(folder)
