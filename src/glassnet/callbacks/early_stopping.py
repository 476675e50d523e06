"""EarlyStopping: stop training when a monitored quantity has stopped improving."""

from __future__ import annotations

import numpy as np

from glassnet.callbacks.callback import Logs
from glassnet.callbacks.monitor_callback import MonitorCallback, check_count, check_real


class EarlyStopping(MonitorCallback):
    """Stop training when a monitored quantity has stopped improving (Keras 3 semantics).

    An epoch improves when ``value + min_delta < best`` (mode "min") or
    ``value − min_delta > best`` (mode "max"); the first monitored epoch always does. Each
    epoch without improvement adds one to a wait count; after ``patience`` of them training
    stops (never at epoch 0). An improvement restarts the count only if it also beats the
    ``baseline`` (when given), so a run that never beats the baseline stops after
    ``patience`` epochs. Epochs before ``start_from_epoch`` are not monitored.

    ``restore_best_weights``: at the end of training the model gets back the weights of its
    best epoch, whether or not training was stopped early (as Keras does), even when no epoch
    beat the baseline. Without it the model keeps the weights of its last step.
    With ``verbose=1`` it prints ``Epoch N: early stopping`` and the epoch it restores.

    Where glassnet differs: a monitored key the logs do not have, or an unknown mode, is an
    error (Keras warns and carries on).

    >>> stop = EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True)
    >>> # model.fit(x, y, validation_split=0.2, epochs=100, callbacks=[stop])
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0.0,
        patience: int = 0,
        verbose: int = 0,
        mode: str = "auto",
        baseline: float | None = None,
        restore_best_weights: bool = False,
        start_from_epoch: int = 0,
    ) -> None:
        super().__init__(monitor, mode, min_delta=min_delta)
        self.patience = check_count("EarlyStopping", "patience", patience)
        self.verbose = verbose
        self.baseline = check_real("EarlyStopping", "baseline", baseline, optional=True)
        self.restore_best_weights = bool(restore_best_weights)
        self.start_from_epoch = check_count("EarlyStopping", "start_from_epoch", start_from_epoch)
        self.wait = 0
        self.stopped_epoch = 0
        self.best_weights: list[np.ndarray] | None = None
        self.best_epoch = 0

    def on_train_begin(self, logs: Logs | None = None) -> None:
        # an instance may be reused across fit calls
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        model = self._require_model()
        current = self._monitored(logs)
        if self.monitor_op is None:
            self._set_monitor_op()
        if epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            # the first monitored epoch is the best so far
            self.best_weights = model.get_weights()
            self.best_epoch = epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = model.get_weights()
            # restart the wait only if the value beats the baseline as well as the best
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            model.stop_training = True

    def on_train_end(self, logs: Logs | None = None) -> None:
        model = self._require_model()
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print(
                    "Restoring model weights from the end of the best epoch: "
                    f"{self.best_epoch + 1}."
                )
            model.set_weights(self.best_weights)
