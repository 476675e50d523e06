"""MNIST handwritten digits (LeCun, Cortes and Burges): 60,000 + 10,000 grey 28×28 images.

``mnist.load_data()`` works as in Keras. The four IDX files are read from
``<data dir>/mnist/`` (see `glassnet.datasets.data_dir`), checked against their published MD5
and downloaded from ``MIRRORS`` when absent. Licence: see the dataset's page (commonly
CC BY-SA 3.0); cite LeCun et al., Proc. IEEE 1998.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

from glassnet.datasets import idx

SUBDIR = "mnist"
FILES = {  # name → published MD5
    idx.TRAIN_IMAGES: "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    idx.TRAIN_LABELS: "d53e105ee54ea40749a09fcbcd1e9432",
    idx.TEST_IMAGES: "9fb629c4189551a2d022fa330f9573f3",
    idx.TEST_LABELS: "ec29112dd5afa0611ce80d1b7f02629c",
}
MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)


def load_data(
    path: str | os.PathLike[str] | None = None,
    *,
    download: bool = True,
    mirrors: Sequence[str] | None = None,
    timeout: float | None = None,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """The MNIST digits as ``((x_train, y_train), (x_test, y_test))``.

    x_train is uint8 (60000, 28, 28) with values 0–255, y_train uint8 (60000,) with digits
    0–9; the test part has 10,000 of each.

    Args:
        path: the data folder holding ``mnist/`` (default: $GLASSNET_DATA, else the cache).
        download: fetch missing files from ``mirrors`` (default `MIRRORS`); with False,
            only check and read.
        timeout: seconds to wait for a server before trying the next mirror (default 30).

    Raises `DatasetNotFoundError` if files are missing and cannot be downloaded (the message
    says where to put them and where to get them), `ChecksumError` for a damaged file.

    >>> from glassnet.datasets import mnist
    >>> (x_train, y_train), (x_test, y_test) = mnist.load_data()  # doctest: +SKIP
    """
    return idx.load_dataset(
        "MNIST", SUBDIR, FILES, MIRRORS if mirrors is None else mirrors, path, download, timeout
    )
