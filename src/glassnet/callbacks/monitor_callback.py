"""MonitorCallback: what EarlyStopping, ModelCheckpoint and ReduceLROnPlateau share — a
monitored log key, the direction it should move in, and the test of an improvement."""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any

from glassnet.callbacks.callback import Callback, Logs


def check_mode(owner: str, mode: Any) -> str:
    """``mode`` must be "auto", "min" or "max".

    Keras warns and falls back to "auto" on any other value; glassnet raises instead, since a
    misspelt mode would otherwise silently watch the wrong direction.
    """
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"{owner} mode must be 'auto', 'min' or 'max', got {mode!r}")
    return str(mode)


def check_count(owner: str, name: str, value: Any) -> int:
    """A whole number ≥ 0 (patience, cooldown, start_from_epoch)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{owner} {name} must be a whole number >= 0, got {value!r}")
    return value


def check_real(owner: str, name: str, value: Any, optional: bool = False) -> float | None:
    """A finite real number (or None where ``optional``)."""
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        expected = "a finite number or None" if optional else "a finite number"
        raise ValueError(f"{owner} {name} must be {expected}, got {value!r}")
    return float(value)


def metric_direction(model: Any, monitor: str) -> str | None:
    """ "down" if the monitored key should decrease, "up" if it should increase, None if unknown.

    As Keras: the ``val_`` prefix is dropped; ``loss`` goes down; a metric goes the way its
    ``_direction`` says ("up" or "down", which a Metric of your own may set), and the built-in
    ones as Keras's do (accuracies, precision, recall, AUC, F1 and R² up; MSE, MAE and RMSE
    down). glassnet also knows a multi-output model's ``<output>_loss`` keys (down).
    """
    name = monitor.removeprefix("val_")
    log_names = getattr(model, "_log_names", None) or []
    if name == "loss" or (name.endswith("_loss") and name in log_names):
        return "down"
    names = getattr(model, "metric_names", None) or []
    functions = [fn for fns in getattr(model, "_metric_fns", None) or [] for fn in fns]
    direction = None
    for metric_name, fn in zip(names, functions, strict=False):
        if metric_name == name:
            direction = _direction_of(fn)
    return direction


def _direction_of(metric: Any) -> str | None:
    """The direction a metric object or function should move in, as Keras's metrics declare."""
    from glassnet import metrics as m

    own = getattr(metric, "_direction", None)
    if own in ("up", "down"):
        return str(own)
    up = (
        m.Accuracy,
        m.BinaryAccuracy,
        m.CategoricalAccuracy,
        m.SparseCategoricalAccuracy,
        m.TopKCategoricalAccuracy,
        m.SparseTopKCategoricalAccuracy,
        m.Precision,
        m.Recall,
        m.AUC,
        m.F1Score,
        m.R2Score,
    )
    down = (m.MeanSquaredError, m.MeanAbsoluteError, m.RootMeanSquaredError)
    up_functions = (
        m.binary_accuracy,
        m.categorical_accuracy,
        m.sparse_categorical_accuracy,
        m._batch_binary_accuracy,
        m._batch_categorical_accuracy,
        m._batch_sparse_categorical_accuracy,
    )
    down_functions = (
        m.mean_squared_error,
        m.mean_absolute_error,
        m._batch_mean_squared_error,
        m._batch_mean_absolute_error,
    )
    if isinstance(metric, up) or any(metric is f for f in up_functions):
        return "up"
    if isinstance(metric, down) or any(metric is f for f in down_functions):
        return "down"
    return None


class MonitorCallback(Callback):
    """Base of the callbacks that watch one log key (Keras's ``MonitorCallback``).

    A value improves on the reference when ``value − min_delta < reference`` (mode "min",
    where min_delta counts against the value: ``value + |min_delta| < reference``) or
    ``value − |min_delta| > reference`` (mode "max"); anything improves on ``None``. Mode
    "auto" takes the direction from the key (see ``metric_direction``) when the first epoch
    ends; a key whose direction is unknown is an error that asks for mode "min" or "max".
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        mode: str = "auto",
        baseline: float | None = None,
        min_delta: float = 0.0,
    ) -> None:
        super().__init__()
        owner = type(self).__name__
        if not isinstance(monitor, str) or not monitor:
            raise TypeError(
                f"{owner} monitor must be a log key such as 'val_loss', got {monitor!r}"
            )
        self.monitor = monitor
        self.mode = check_mode(owner, mode)
        self.best: float | None = check_real(owner, "baseline", baseline, optional=True)
        self.min_delta = abs(check_real(owner, "min_delta", min_delta) or 0.0)
        self.monitor_op: Callable[[float, float], bool] | None = None

    def _set_monitor_op(self) -> None:
        if self.mode == "min":
            self.monitor_op = operator.lt
        elif self.mode == "max":
            self.monitor_op = operator.gt
        else:
            direction = metric_direction(self.model, self.monitor)
            if direction is None:
                raise ValueError(
                    f"{type(self).__name__} callback received monitor={self.monitor}, but "
                    "glassnet isn't able to automatically determine whether that metric "
                    "should be maximized or minimized. Pass `mode='max'` in order to monitor "
                    "based on the highest metric value, or pass `mode='min'` in order to use "
                    "the lowest value."
                )
            self.monitor_op = operator.lt if direction == "down" else operator.gt
        if self.monitor_op is operator.lt:
            self.min_delta *= -1

    def _is_improvement(self, value: float, reference: float | None) -> bool:
        if reference is None:
            return True
        if self.monitor_op is None:
            self._set_monitor_op()
        assert self.monitor_op is not None
        return bool(self.monitor_op(value - self.min_delta, reference))

    def _monitored(self, logs: Logs | None) -> float:
        """The monitored value in ``logs``; a key ``fit`` does not report is an error (Keras
        warns and carries on, which would leave the callback silently inert)."""
        logs = logs or {}
        value = logs.get(self.monitor)
        if value is None:
            available = ", ".join(logs)
            raise ValueError(
                f"{type(self).__name__} monitors {self.monitor!r}, which fit does not report; "
                f"available: {available} (val_* needs validation_split or validation_data)"
            )
        return value
