"""Callbacks that set the optimizer's learning rate: LearningRateScheduler (by epoch) and
ReduceLROnPlateau (when a monitored quantity stalls)."""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from glassnet.callbacks.callback import Callback, Logs
from glassnet.callbacks.monitor_callback import MonitorCallback, check_count, check_real


def _optimizer(callback: Callback) -> Any:
    """The optimizer of the callback's model; a model not compiled is an error."""
    model = callback._require_model()
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or not hasattr(optimizer, "learning_rate"):
        raise ValueError(
            f"{type(callback).__name__} needs a compiled model whose optimizer has a "
            f'"learning_rate"; model {getattr(model, "name", model)!r} has optimizer '
            f"{optimizer!r}"
        )
    return optimizer


def _log_learning_rate(callback: Callback, logs: Logs | None) -> None:
    """Add the optimizer's current rate to an epoch's logs, as ``logs["learning_rate"]``."""
    if logs is not None:
        logs["learning_rate"] = float(_optimizer(callback).learning_rate)


class LearningRateScheduler(Callback):
    """Set the learning rate at the beginning of every epoch from ``schedule``.

    ``schedule(epoch, lr)`` gets the epoch (counted from 0) and the current rate and returns
    the new rate, a float; a schedule that takes only ``epoch`` is called as ``schedule(epoch)``
    (as Keras allows). At every epoch's end the rate goes into the logs as
    ``"learning_rate"``, so the History records the rate each epoch used.
    With ``verbose=1`` it prints ``Epoch N: LearningRateScheduler setting learning rate to …``.

    A return that is not a float (an int, an array: Keras refuses them too), or that is not
    finite and positive, is a ValueError naming the epoch.

    >>> def schedule(epoch, lr):
    ...     return lr if epoch < 10 else lr * 0.9
    >>> callback = LearningRateScheduler(schedule)
    >>> # model.fit(x, y, epochs=15, callbacks=[callback])
    """

    def __init__(self, schedule: Callable[..., float], verbose: int = 0) -> None:
        super().__init__()
        if not callable(schedule):
            raise TypeError(
                "LearningRateScheduler schedule must be a function of (epoch, lr) or (epoch) "
                f"returning the learning rate, got {schedule!r}"
            )
        self.schedule = schedule
        self.verbose = verbose
        self._takes_lr = _takes_two_arguments(schedule)

    def _new_rate(self, epoch: int, lr: float) -> Any:
        if self._takes_lr is None:  # a callable whose signature cannot be read: Keras's way
            try:
                return self.schedule(epoch, lr)
            except TypeError:
                return self.schedule(epoch)
        return self.schedule(epoch, lr) if self._takes_lr else self.schedule(epoch)

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        optimizer = _optimizer(self)
        rate = self._new_rate(epoch, float(optimizer.learning_rate))
        if not isinstance(rate, (float, np.floating)):
            raise ValueError(
                "The output of the `schedule` function should be a float. Got: "
                f"{rate!r} ({type(rate).__name__}) at epoch {epoch}; return e.g. float(lr * 0.9)"
            )
        if not (math.isfinite(rate) and rate > 0):
            raise ValueError(
                f"LearningRateScheduler: schedule returned the learning rate {rate!r} at epoch "
                f"{epoch}; a learning rate must be finite and greater than 0"
            )
        optimizer.learning_rate = float(rate)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {rate}.")

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        _log_learning_rate(self, logs)


def _takes_two_arguments(function: Callable[..., Any]) -> bool | None:
    """Does ``function`` accept (epoch, lr)? None if its signature cannot be read."""
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return None
    try:
        signature.bind(0, 0.0)
        return True
    except TypeError:
        pass
    try:
        signature.bind(0)
    except TypeError:
        raise TypeError(
            "LearningRateScheduler schedule must accept (epoch, lr) or (epoch), got "
            f"{getattr(function, '__name__', function)!r} with parameters {signature}"
        ) from None
    return False


class ReduceLROnPlateau(MonitorCallback):
    """Reduce the learning rate when a monitored quantity has stopped improving (Keras 3).

    At each epoch's end: the rate used in that epoch goes into the logs as
    ``"learning_rate"``; during ``cooldown`` epochs after a reduction the wait stays 0; an
    improvement (by more than ``min_delta``, see MonitorCallback) resets the wait; otherwise,
    outside cooldown, the wait grows and when it reaches ``patience`` the rate becomes
    ``max(lr·factor, min_lr)`` — if lr is still above ``min_lr`` (compared, as Keras does,
    with min_lr in float32) — and the cooldown starts.
    With ``verbose=1`` it prints ``Epoch N: ReduceLROnPlateau reducing learning rate to …``.

    ``factor`` must lie in (0, 1): Keras refuses factor ≥ 1; glassnet also refuses factor ≤ 0,
    which would make the rate zero or negative. A monitored key the logs do not have is an
    error (Keras warns).

    >>> reduce_lr = ReduceLROnPlateau(monitor="val_loss", factor=0.2, patience=5, min_lr=1e-3)
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        factor: float = 0.1,
        patience: int = 10,
        verbose: int = 0,
        mode: str = "auto",
        min_delta: float = 1e-4,
        cooldown: int = 0,
        min_lr: float = 0.0,
    ) -> None:
        super().__init__(monitor, mode, min_delta=min_delta)
        factor_value = check_real("ReduceLROnPlateau", "factor", factor)
        assert factor_value is not None
        if factor_value >= 1.0:
            raise ValueError(
                f"ReduceLROnPlateau does not support a factor >= 1.0. Received factor={factor}"
            )
        if factor_value <= 0.0:
            raise ValueError(
                "ReduceLROnPlateau factor must lie between 0 and 1 (new_lr = lr·factor), "
                f"got factor={factor}"
            )
        min_lr_value = check_real("ReduceLROnPlateau", "min_lr", min_lr)
        assert min_lr_value is not None
        if min_lr_value < 0:
            raise ValueError(f"ReduceLROnPlateau min_lr must be >= 0, got {min_lr}")
        self.factor = factor_value
        self.min_lr = min_lr_value
        self.patience = check_count("ReduceLROnPlateau", "patience", patience)
        self.verbose = verbose
        self.cooldown = check_count("ReduceLROnPlateau", "cooldown", cooldown)
        self.cooldown_counter = 0
        self.wait = 0

    def _reset(self) -> None:
        """Reset the wait, the cooldown and the best value."""
        self.best = None
        self.cooldown_counter = 0
        self.wait = 0

    def on_train_begin(self, logs: Logs | None = None) -> None:
        self._reset()

    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def _reduce(self, epoch: int) -> bool:
        optimizer = _optimizer(self)
        old_lr = float(optimizer.learning_rate)
        if old_lr > np.float32(self.min_lr):
            new_lr = max(old_lr * self.factor, self.min_lr)
            optimizer.learning_rate = new_lr
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new_lr}.")
            return True
        return False

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        _log_learning_rate(self, logs)
        current = self._monitored(logs)
        if self.monitor_op is None:
            self._set_monitor_op()
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience and self._reduce(epoch):
                self.cooldown_counter = self.cooldown
                self.wait = 0
