"""scikit-learn's bundled 8×8 handwritten digits (1,797 images, no download needed)."""

from __future__ import annotations

import numpy as np
import sklearn.datasets
from sklearn.model_selection import train_test_split

from glassnet import config
from glassnet.datasets._seeds import sklearn_random_state
from glassnet.utils import check_number

MAX_VALUE = 16  # pixels are 4-bit intensities 0–16: scale with x / 16, not x / 255


def _images_and_labels() -> tuple[np.ndarray, np.ndarray]:
    bunch = sklearn.datasets.load_digits()
    return bunch.images.astype(np.uint8), bunch.target.astype(np.uint8)


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """All 1,797 digits ready to train on: x (1797, 64) floatx in [0, 1] (pixels / 16), y int64.

    >>> x, y = load_digits()
    >>> x.shape, int(y.max())
    ((1797, 64), 9)
    """
    images, labels = _images_and_labels()
    x = images.reshape(len(images), -1).astype(config.floatx()) / MAX_VALUE
    return x, labels.astype(np.int64)


def load_data(
    test_size: float = 0.2, seed: int | np.random.Generator | None = 0
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """The digits split as Keras splits MNIST: ``((x_train, y_train), (x_test, y_test))``.

    Images are uint8 of shape (n, 8, 8) with values 0–16 (not 0–255), labels uint8 0–9;
    the split is stratified, so every digit keeps its share in both parts (1,437 / 360 by
    default).

    >>> (x_train, y_train), (x_test, y_test) = load_data()
    >>> x_train.shape, x_test.shape
    ((1437, 8, 8), (360, 8, 8))
    """
    test_size = check_number("test_size", test_size, low=0, high=1, low_open=True, high_open=True)
    images, labels = _images_and_labels()
    x_train, x_test, y_train, y_test = train_test_split(
        images,
        labels,
        test_size=test_size,
        stratify=labels,
        random_state=sklearn_random_state(seed),
    )
    return (x_train, y_train), (x_test, y_test)
