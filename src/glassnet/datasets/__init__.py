"""Data sets and the helpers that prepare them.

- toy sets: `paper_example`, `xor`, and 2-D `moons`, `circles`, `blobs`, `spirals`;
- synthetic tables: `make_classification` (the lesson's task), `house_prices` (regression);
- images, Keras-style ``load_data()``: `digits` (bundled with scikit-learn), `mnist` and
  `fashion_mnist` (read from the data folder, downloaded when missing; see `data_dir`);
- `load_csv` for CSV files such as the lesson's ``mnist_train.csv``;
- preprocessing: `flatten_images`, `scale_images`, `train_val_test_split`, `Standardizer`,
  `one_hot`.

>>> from glassnet.datasets import mnist
>>> (x_train, y_train), (x_test, y_test) = mnist.load_data()  # doctest: +SKIP
"""

from glassnet.datasets import cache, digits, download, fashion_mnist, idx, mnist
from glassnet.datasets.cache import data_dir
from glassnet.datasets.csv import load_csv
from glassnet.datasets.digits import load_digits
from glassnet.datasets.errors import (
    ChecksumError,
    DatasetError,
    DatasetNotFoundError,
    DownloadError,
)
from glassnet.datasets.preprocessing import (
    Standardizer,
    flatten_images,
    one_hot,
    scale_images,
    train_val_test_split,
)
from glassnet.datasets.synthetic import LinearRule, house_prices, make_classification
from glassnet.datasets.toy import blobs, circles, moons, paper_example, spirals, xor

__all__ = [
    "ChecksumError",
    "DatasetError",
    "DatasetNotFoundError",
    "DownloadError",
    "LinearRule",
    "Standardizer",
    "blobs",
    "cache",
    "circles",
    "data_dir",
    "digits",
    "download",
    "fashion_mnist",
    "flatten_images",
    "house_prices",
    "idx",
    "load_csv",
    "load_digits",
    "make_classification",
    "mnist",
    "moons",
    "one_hot",
    "paper_example",
    "scale_images",
    "spirals",
    "train_val_test_split",
    "xor",
]
