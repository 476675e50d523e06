"""Utilities: one-hot encoding and the input checks every public entry point shares."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from glassnet import config


def to_categorical(y: Any, num_classes: int | None = None, dtype: str | None = None) -> np.ndarray:
    """One-hot encode integer labels: row i has a 1 in column y_i and 0 elsewhere.

    >>> to_categorical([0, 2], num_classes=3)
    array([[1., 0., 0.],
           [0., 0., 1.]], dtype=float32)
    """
    labels = as_labels(y, "y")
    if num_classes is None:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    check_positive_int("num_classes", num_classes)
    if labels.size and labels.max() >= num_classes:
        raise ValueError(
            f"labels must lie in [0, {num_classes - 1}] for num_classes={num_classes}, "
            f"got a label {int(labels.max())}"
        )
    out = np.zeros((labels.size, num_classes), dtype=dtype or config.floatx())
    out[np.arange(labels.size), labels.ravel()] = 1
    return out


def set_random_seed(seed: int) -> None:
    """Seed Python's ``random``, NumPy's global generator and glassnet's (as Keras's
    ``utils.set_random_seed`` seeds Python, NumPy and the backend)."""
    import random

    config.set_seed(seed)
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 (the legacy global generator users' code may call)


def normalize(x: Any, axis: int = -1, order: int = 2) -> np.ndarray:
    """x divided by its ``order``-norm along ``axis`` (a zero norm left as 1), as Keras's.

    Keras's NumPy path turns ``axis=0`` into -1 (``axis or -1``); here axis 0 means axis 0.
    """
    arr = np.asarray(x)
    norm = np.atleast_1d(np.linalg.norm(arr, order, axis))
    norm[norm == 0] = 1
    return arr / np.expand_dims(norm, -1 if axis is None else axis)


def as_labels(y: Any, what: str = "y") -> np.ndarray:
    """Integer class labels as a 1-D int64 array; non-integer or negative values are an error."""
    arr = np.asarray(y)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(f"{what} must be a 1-D array of integer labels, got shape {arr.shape}")
    if arr.dtype.kind not in "iub":
        if arr.dtype.kind != "f":
            raise TypeError(f"{what} must hold integer class labels, got dtype {arr.dtype}")
        if not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)):
            raise ValueError(f"{what} must hold whole-number class labels, got non-integer values")
    if arr.size and arr.min() < 0:
        raise ValueError(f"{what} must hold labels >= 0, got {arr.min()}")
    return arr.astype(np.int64, copy=False)


def as_float_array(x: Any, what: str, dtype: str | None = None) -> np.ndarray:
    """Convert to a float array of ``dtype`` (default floatx), rejecting what cannot be a number.

    Errors say what was received: non-numeric values, an empty array, NaN or infinity.
    """
    dtype = dtype or config.floatx()
    if x is None:
        raise TypeError(f"{what} must be an array of numbers, got None")
    try:
        arr = np.asarray(x)
    except ValueError as err:  # ragged nested lists
        raise ValueError(f"{what} must be a rectangular array of numbers: {err}") from None
    if arr.dtype.kind not in "biuf":
        raise TypeError(
            f"{what} must hold numbers (int or float), got dtype {arr.dtype}"
            + (" (text or mixed values)" if arr.dtype.kind in "OUS" else "")
        )
    if arr.size == 0:
        raise ValueError(f"{what} is empty (shape {arr.shape}); expected at least one sample")
    out = arr.astype(dtype, copy=False)
    # A float64 sum is finite exactly when no value is NaN or infinite (barring sums beyond
    # 1e308), and needs no boolean copy of the data; only then is the element-wise scan run.
    with np.errstate(over="ignore", invalid="ignore"):
        total = np.sum(out, dtype=np.float64) if out.dtype.kind == "f" else 0.0
    if not np.isfinite(total):
        bad_values = np.argwhere(~np.isfinite(out))
        if not len(bad_values):
            return out  # finite values whose sum overflowed: nothing wrong with them
        bad = bad_values[0]
        value = out[tuple(bad)]
        raise ValueError(
            f"{what} contains {'NaN' if np.isnan(value) else 'infinity'} "
            f"(first at index {tuple(int(i) for i in bad)}); expected finite numbers"
        )
    return out


def check_positive_int(what: str, value: Any, allow_zero: bool = False) -> int:
    """``value`` as an int, or an error unless it is a whole number > 0 (>= 0 with allow_zero)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{what} must be an integer, got {type(value).__name__}: {value!r}")
    if value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{what} must be {bound}, got {value}")
    return int(value)


def check_number(
    what: str,
    value: Any,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """``value`` as a float, or an error unless it is a finite number within the given bounds."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        raise TypeError(f"{what} must be a number, got {type(value).__name__}: {value!r}")
    v = float(value)
    too_low = low is not None and (v <= low if low_open else v < low)
    too_high = high is not None and (v >= high if high_open else v > high)
    if not math.isfinite(v) or too_low or too_high:
        lo = "-inf" if low is None else f"{low:g}"
        hi = "inf" if high is None else f"{high:g}"
        left = "(" if low_open or low is None else "["
        right = ")" if high_open or high is None else "]"
        interval = f"{left}{lo}, {hi}{right}"
        raise ValueError(f"{what} must be a finite number in {interval}, got {value!r}")
    return v
