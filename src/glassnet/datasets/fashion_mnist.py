"""Fashion-MNIST (Zalando Research): 60,000 + 10,000 grey 28×28 photos of 10 kinds of clothing.

``fashion_mnist.load_data()`` works as in Keras. The four IDX files are read from
``<data dir>/fashion-mnist/`` (see `glassnet.datasets.data_dir`), checked against their
published MD5 and downloaded from ``MIRRORS`` when absent. Licence: MIT, © 2017 Zalando SE;
cite Xiao, Rasul and Vollgraf, arXiv:1708.07747.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

from glassnet.datasets import idx

SUBDIR = "fashion-mnist"
FILES = {  # name → published MD5
    idx.TRAIN_IMAGES: "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
    idx.TRAIN_LABELS: "25c81989df183df01b3e8a0aad5dffbe",
    idx.TEST_IMAGES: "bef4ecab320f06d8554ea6380940ec79",
    idx.TEST_LABELS: "bb300cfdad3c16e7a12a480ee83cd310",
}
MIRRORS = (
    "https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
    "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
)
CLASS_NAMES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)


def load_data(
    path: str | os.PathLike[str] | None = None,
    *,
    download: bool = True,
    mirrors: Sequence[str] | None = None,
    timeout: float | None = None,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Fashion-MNIST as ``((x_train, y_train), (x_test, y_test))``.

    x_train is uint8 (60000, 28, 28) with values 0–255, y_train uint8 (60000,) with classes
    0–9 named in `CLASS_NAMES` (6,000 of each); the test part has 10,000 (1,000 of each).

    Args:
        path: the data folder holding ``fashion-mnist/`` (default: $GLASSNET_DATA, else the
            cache).
        download: fetch missing files from ``mirrors`` (default `MIRRORS`); with False,
            only check and read.
        timeout: seconds to wait for a server before trying the next mirror (default 30).

    Raises `DatasetNotFoundError` if files are missing and cannot be downloaded (the message
    says where to put them and where to get them), `ChecksumError` for a damaged file.

    >>> from glassnet.datasets import fashion_mnist
    >>> (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()  # doctest: +SKIP
    """
    return idx.load_dataset(
        "Fashion-MNIST",
        SUBDIR,
        FILES,
        MIRRORS if mirrors is None else mirrors,
        path,
        download,
        timeout,
    )
