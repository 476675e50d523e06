"""Metrics: functions metric(y_true, y_pred) → the batch mean, reported by fit and evaluate.

``"accuracy"`` (or ``"acc"``) resolves from the loss, as Keras does: binary accuracy after binary
cross-entropy, sparse categorical accuracy after the sparse loss, categorical accuracy after
categorical cross-entropy; for any other loss, from the output width (1 → binary).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from glassnet import losses

Metric = Callable[[np.ndarray, np.ndarray], float]


def binary_accuracy(y_true: np.ndarray, y_pred: np.ndarray, threshold: float = 0.5) -> float:
    """Fraction of outputs on the right side of the threshold: mean(1[ŷ > t] = y)."""
    return np.count_nonzero((y_pred > threshold) == (y_true > 0.5)) / y_pred.size


def categorical_accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Fraction of samples whose highest output is the one-hot class: mean(argmax ŷ = argmax y)."""
    return np.count_nonzero(y_pred.argmax(axis=-1) == y_true.argmax(axis=-1)) / len(y_pred)


def sparse_categorical_accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Fraction of samples whose highest output is the integer label: mean(argmax ŷ = y)."""
    return np.count_nonzero(y_pred.argmax(axis=-1) == y_true.reshape(-1)) / len(y_pred)


def mean_squared_error(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """mean((ŷ − y)²)."""
    diff = (y_pred - y_true).ravel()
    return float(np.dot(diff, diff)) / diff.size


def mean_absolute_error(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """mean(|ŷ − y|)."""
    return float(np.abs(y_pred - y_true).sum()) / y_pred.size


_METRICS: dict[str, Metric] = {
    "binary_accuracy": binary_accuracy,
    "categorical_accuracy": categorical_accuracy,
    "sparse_categorical_accuracy": sparse_categorical_accuracy,
    "mean_squared_error": mean_squared_error,
    "mse": mean_squared_error,
    "mean_absolute_error": mean_absolute_error,
    "mae": mean_absolute_error,
}


def get(identifier: str | Metric, loss: losses.Loss | None = None, output_width: int = 1) -> Metric:
    """Resolve a metric name (or a callable, used as is) to a function.

    ``"accuracy"`` depends on the loss and the output width (see the module docstring).
    """
    if callable(identifier):
        return identifier
    if not isinstance(identifier, str):
        raise TypeError(f"a metric must be a name or a function, got {identifier!r}")
    key = identifier.lower()
    if key in ("accuracy", "acc"):
        if isinstance(loss, losses.BinaryCrossentropy):
            return binary_accuracy
        if isinstance(loss, losses.SparseCategoricalCrossentropy):
            return sparse_categorical_accuracy
        if isinstance(loss, losses.CategoricalCrossentropy) or output_width > 1:
            return categorical_accuracy
        return binary_accuracy
    if key not in _METRICS:
        accepted = ", ".join(["accuracy", "acc", *_METRICS])
        raise ValueError(f"unknown metric {identifier!r}; accepted names: {accepted}")
    return _METRICS[key]


def name_of(identifier: str | Metric) -> str:
    """The key a metric gets in the History: the name as given, else the function's name."""
    return identifier if isinstance(identifier, str) else getattr(identifier, "__name__", "metric")
