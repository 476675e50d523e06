"""Getting arrays ready to train on: flatten, scale, split, standardize, one-hot encode."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from glassnet import config, utils
from glassnet.datasets._seeds import sklearn_random_state
from glassnet.utils import as_float_array, check_number

one_hot = utils.to_categorical


def flatten_images(x: Any) -> np.ndarray:
    """Images (n, h, w[, channels]) as rows of pixels (n, h·w[·channels]), dtype unchanged.

    >>> flatten_images(np.zeros((60000, 28, 28), dtype=np.uint8)).shape
    (60000, 784)
    """
    arr = np.asarray(x)
    if arr.ndim < 2:
        raise ValueError(
            f"x must be a batch of images of shape (n, height, width), got shape {arr.shape}"
        )
    return arr.reshape(arr.shape[0], -1)


def scale_images(x: Any, max_value: float = 255.0, dtype: str | None = None) -> np.ndarray:
    """Pixel values scaled to [0, 1]: x / max_value, as floatx (or ``dtype``).

    Use ``max_value=16`` for scikit-learn's 8×8 digits. Values outside [0, max_value] are an
    error (it usually means the images were scaled already).

    >>> scale_images(np.array([0, 51, 255], dtype=np.uint8)).tolist()
    [0.0, 0.20000000298023224, 1.0]
    """
    max_value = check_number("max_value", max_value, low=0, low_open=True)
    arr = as_float_array(x, "x", dtype or config.floatx())
    low, high = float(arr.min()), float(arr.max())
    if low < 0 or high > max_value:
        raise ValueError(
            f"x must hold pixel values in [0, {max_value:g}], got values in [{low:g}, {high:g}]"
        )
    return arr / arr.dtype.type(max_value)


def _strata(y: np.ndarray) -> np.ndarray:
    """Class labels to stratify on: integer labels as they are, one-hot rows by their argmax."""
    if y.ndim == 2 and y.shape[1] > 1:
        return y.argmax(axis=1)
    try:
        return utils.as_labels(y, "y")
    except (ValueError, TypeError) as err:
        raise ValueError(
            f"stratify=True needs class labels in y ({err}); "
            "pass stratify=False for regression targets"
        ) from None


def train_val_test_split(
    x: Any,
    y: Any,
    val_size: float = 0.1,
    test_size: float = 0.1,
    stratify: bool = True,
    seed: int | np.random.Generator | None = None,
) -> tuple[
    tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]
]:
    """Shuffle and split into training, validation and test parts (scikit-learn's train_test_split).

    ``val_size`` and ``test_size`` are fractions of all samples (rounded up, as scikit-learn
    does). With ``stratify`` (the
    default) every class keeps its share in each part; y may be labels or one-hot rows.

    Returns ``((x_train, y_train), (x_val, y_val), (x_test, y_test))``.

    >>> x, y = np.arange(100).reshape(50, 2), np.arange(50) % 2
    >>> (x_tr, y_tr), (x_val, y_val), (x_te, y_te) = train_val_test_split(x, y, 0.2, 0.2, seed=0)
    >>> len(x_tr), len(x_val), len(x_te)
    (30, 10, 10)
    """
    x, y = np.asarray(x), np.asarray(y)
    if x.ndim == 0 or y.ndim == 0 or len(x) != len(y):
        raise ValueError(
            f"x and y must hold the same number of samples, got shapes {x.shape} and {y.shape}"
        )
    val_size = check_number("val_size", val_size, low=0, high=1, low_open=True, high_open=True)
    test_size = check_number("test_size", test_size, low=0, high=1, low_open=True, high_open=True)
    if val_size + test_size >= 1:
        raise ValueError(
            f"val_size + test_size must be < 1 to leave training samples, got "
            f"{val_size:g} + {test_size:g} = {val_size + test_size:g}"
        )
    n_samples = len(y)
    n_test, n_val = math.ceil(test_size * n_samples), math.ceil(val_size * n_samples)
    if n_test + n_val >= n_samples:
        raise ValueError(
            f"{n_samples} samples are too few for val_size={val_size:g} and "
            f"test_size={test_size:g}: no training samples would be left"
        )
    strata = _strata(y) if stratify else None
    random_state = sklearn_random_state(seed)
    # split positions, not arrays: x and y are then indexed once each
    rest, test = train_test_split(
        np.arange(n_samples), test_size=n_test, stratify=strata, random_state=random_state
    )
    train, val = train_test_split(
        rest,
        test_size=n_val,
        stratify=None if strata is None else strata[rest],
        random_state=random_state,
    )
    return (x[train], y[train]), (x[val], y[val]), (x[test], y[test])


class Standardizer:
    """Standardize features: z = (x − mean) / scale, with mean and scale from the training set.

    Fit on the training part only, then transform every part with the same numbers, so no
    information leaks from the test set. scale_ is the standard deviation (ddof=0); a column
    that never varies gets scale 1 (it maps to 0) instead of a division by zero.

    >>> s = Standardizer().fit(np.array([[1.0, 5.0], [3.0, 5.0]]))
    >>> s.mean_.tolist(), s.scale_.tolist()
    ([2.0, 5.0], [1.0, 1.0])
    """

    mean_: np.ndarray
    scale_: np.ndarray

    def fit(self, x: Any) -> Standardizer:
        """Learn each column's mean and standard deviation from x (n_samples, n_features)."""
        arr = self._check(x, "x")
        # scikit-learn computes the statistics with care for float32 and near-constant columns
        scaler = StandardScaler().fit(arr.astype(np.float64))
        self.mean_ = scaler.mean_.astype(arr.dtype)
        self.scale_ = scaler.scale_.astype(arr.dtype)
        return self

    def transform(self, x: Any) -> np.ndarray:
        """z = (x − mean_) / scale_, as floatx."""
        arr = self._check_fitted(x)
        return (arr - self.mean_.astype(arr.dtype)) / self.scale_.astype(arr.dtype)

    def fit_transform(self, x: Any) -> np.ndarray:
        """`fit` on x, then `transform` x."""
        return self.fit(x).transform(x)

    def inverse_transform(self, z: Any) -> np.ndarray:
        """x = z · scale_ + mean_, back in the original units."""
        arr = self._check_fitted(z)
        return arr * self.scale_.astype(arr.dtype) + self.mean_.astype(arr.dtype)

    @staticmethod
    def _check(x: Any, what: str) -> np.ndarray:
        arr = as_float_array(x, what)
        if arr.ndim != 2:
            raise ValueError(f"{what} must be 2-D (n_samples, n_features), got shape {arr.shape}")
        return arr

    def _check_fitted(self, x: Any) -> np.ndarray:
        if not hasattr(self, "mean_"):
            raise ValueError("this Standardizer is not fitted yet; call fit(x_train) first")
        arr = self._check(x, "x")
        if arr.shape[1] != self.mean_.shape[0]:
            raise ValueError(
                f"Standardizer was fitted on {self.mean_.shape[0]} features, "
                f"got x with {arr.shape[1]}"
            )
        return arr

    def __repr__(self) -> str:
        fitted = f"{self.mean_.shape[0]} features" if hasattr(self, "mean_") else "not fitted"
        return f"Standardizer({fitted})"
