"""Callbacks: code that runs at fixed points of ``fit`` (train/epoch/batch begin and end).

``History`` records the per-epoch logs; ``ProgressBar`` shows progress with tqdm;
``EarlyStopping`` and ``ModelCheckpoint`` behave as their Keras namesakes.
"""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from glassnet.models import Model

Logs = dict[str, float]


class Callback:
    """Base class: override any of the ``on_*`` hooks. ``self.model`` is the model being fit.

    As in Keras 3, ``fit`` calls the train, epoch and train-batch hooks (and the test hooks
    while it evaluates the validation data), ``evaluate`` the test hooks and ``predict`` the
    predict hooks; every hook gets a ``logs`` dict of plain floats (empty where there is
    nothing to report yet). ``on_batch_begin``/``on_batch_end`` are the older names of
    ``on_train_batch_begin``/``on_train_batch_end``, which call them.
    """

    def __init__(self) -> None:
        self.model: Model | None = None
        self.params: dict[str, Any] = {}

    def set_model(self, model: Model) -> None:
        self.model = model

    def set_params(self, params: dict[str, Any]) -> None:
        self.params = params

    def on_train_begin(self, logs: Logs | None = None) -> None: ...
    def on_train_end(self, logs: Logs | None = None) -> None: ...
    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None: ...
    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None: ...
    def on_batch_begin(self, batch: int, logs: Logs | None = None) -> None: ...
    def on_batch_end(self, batch: int, logs: Logs | None = None) -> None: ...

    def on_train_batch_begin(self, batch: int, logs: Logs | None = None) -> None:
        self.on_batch_begin(batch, logs)

    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        self.on_batch_end(batch, logs)

    def on_test_begin(self, logs: Logs | None = None) -> None: ...
    def on_test_end(self, logs: Logs | None = None) -> None: ...
    def on_test_batch_begin(self, batch: int, logs: Logs | None = None) -> None: ...
    def on_test_batch_end(self, batch: int, logs: Logs | None = None) -> None: ...
    def on_predict_begin(self, logs: Logs | None = None) -> None: ...
    def on_predict_end(self, logs: Logs | None = None) -> None: ...
    def on_predict_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None: ...
    def on_predict_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None: ...


# the older name each hook answers to as well
_ALIASES = {"on_train_batch_begin": "on_batch_begin", "on_train_batch_end": "on_batch_end"}


def overrides(callback: Callback, hook: str) -> bool:
    """True if the callback's class replaces the base class's (empty) hook, or its alias."""
    names = (hook, _ALIASES[hook]) if hook in _ALIASES else (hook,)
    return any(getattr(type(callback), name) is not getattr(Callback, name) for name in names)


HOOKS = (
    "on_train_begin",
    "on_train_end",
    "on_epoch_begin",
    "on_epoch_end",
    "on_train_batch_begin",
    "on_train_batch_end",
    "on_test_begin",
    "on_test_end",
    "on_test_batch_begin",
    "on_test_batch_end",
    "on_predict_begin",
    "on_predict_end",
    "on_predict_batch_begin",
    "on_predict_batch_end",
)


def plain_logs(logs: dict[str, Any] | None) -> Logs:
    """The logs as a new dict of Python floats (NumPy scalars converted), {} for None."""
    return {k: float(v) for k, v in logs.items()} if logs else {}


class CallbackList:
    """The callbacks of one ``fit``, ``evaluate`` or ``predict``: a progress bar first, the
    user's, the History last (so that it records whatever the others add to an epoch's logs,
    e.g. the monitors'), as in Keras.

    Only the hooks a callback overrides are called: the paper's network trains in tens of
    microseconds per epoch, so even empty calls would show.
    """

    def __init__(
        self,
        callbacks: Any,
        model: Any,
        params: dict[str, Any],
        history: History | None = None,
        verbose: int = 0,
    ) -> None:
        if callbacks is not None and (
            isinstance(callbacks, Callback) or not all(isinstance(c, Callback) for c in callbacks)
        ):
            raise TypeError(
                "callbacks must be a list of glassnet.callbacks.Callback objects, got "
                f"{callbacks!r}"
            )
        self.callbacks: list[Callback] = []
        if verbose:
            self.callbacks.append(ProgressBar(verbose))
        self.callbacks.extend(callbacks or [])
        if history is not None:
            self.callbacks.append(history)
        for cb in self.callbacks:
            cb.set_model(model)
            cb.set_params(params)
        self._hooks = {
            hook: [getattr(cb, hook) for cb in self.callbacks if overrides(cb, hook)]
            for hook in HOOKS
        }
        self.wants_batch_end = bool(self._hooks["on_train_batch_end"])
        self.wants_batch_begin = bool(self._hooks["on_train_batch_begin"])

    def _call(self, hook: str, *args: Any, logs: Any = None, plain: bool = True) -> None:
        hooks = self._hooks[hook]
        if hooks:
            logs = plain_logs(logs) if plain else (logs or {})
            for function in hooks:
                function(*args, logs)

    def on_train_begin(self, logs: Logs | None = None) -> None:
        self._call("on_train_begin", logs=logs)

    def on_train_end(self, logs: Logs | None = None) -> None:
        self._call("on_train_end", logs=logs)

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        self._call("on_epoch_begin", epoch, logs=logs)

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        # one dict for every callback, so that what one adds (a monitor) the History records
        hooks = self._hooks["on_epoch_end"]
        if hooks:
            shared = plain_logs(logs)
            for function in hooks:
                function(epoch, shared)
            if logs is not None:
                logs.update(shared)

    def on_train_batch_begin(self, batch: int, logs: Logs | None = None) -> None:
        self._call("on_train_batch_begin", batch, logs=logs)

    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        self._call("on_train_batch_end", batch, logs=logs)

    on_batch_begin = on_train_batch_begin
    on_batch_end = on_train_batch_end

    def on_test_begin(self, logs: Logs | None = None) -> None:
        self._call("on_test_begin", logs=logs)

    def on_test_end(self, logs: Logs | None = None) -> None:
        self._call("on_test_end", logs=logs)

    def on_test_batch_begin(self, batch: int, logs: Logs | None = None) -> None:
        self._call("on_test_batch_begin", batch, logs=logs)

    def on_test_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        self._call("on_test_batch_end", batch, logs=logs)

    def on_predict_begin(self, logs: Logs | None = None) -> None:
        self._call("on_predict_begin", logs=logs)

    def on_predict_end(self, logs: Logs | None = None) -> None:
        self._call("on_predict_end", logs=logs)

    def on_predict_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self._call("on_predict_batch_begin", batch, logs=logs, plain=False)

    def on_predict_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self._call("on_predict_batch_end", batch, logs=logs, plain=False)

    def wants(self, hook: str) -> bool:
        return bool(self._hooks[hook])


class History(Callback):
    """Records each epoch's logs: ``history["loss"][e]`` is the loss of epoch e.

    ``loss`` and the metrics are the batch-size-weighted means over the epoch's batches, each
    measured before that batch's update (as Keras reports them); ``val_*`` are measured on the
    validation data after the epoch.
    """

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []
        self.stop_reason: str | None = None

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)

    def __repr__(self) -> str:
        keys = ", ".join(self.history)
        return f"History(epochs={len(self.epoch)}, keys=[{keys}])"

    def _repr_html_(self) -> str:
        """In a notebook: the training curves (loss and each metric, train and validation)."""
        import base64
        import io
        from html import escape

        from glassnet import plots

        curves = {k: v for k, v in self.history.items() if "/" not in k}
        if not curves:
            return f"<pre>{escape(repr(self))}</pre>"
        buffer = io.BytesIO()
        plots.training_history(curves).savefig(buffer, format="png", dpi=90)
        encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
        return (
            f'<img alt="training curves" src="data:image/png;base64,{encoded}"/>'
            f"<pre>{escape(repr(self))}</pre>"
        )


def _format_logs(logs: Logs) -> str:
    return " - ".join(f"{k}: {v:.4f}" for k, v in logs.items())


class ProgressBar(Callback):
    """Progress display. verbose=1: a tqdm bar per epoch (steps, elapsed time, time per step,
    running loss and metrics); verbose=2: one line per epoch."""

    def __init__(self, verbose: int = 1) -> None:
        super().__init__()
        self.verbose = verbose
        self._bar: Any = None

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        self._start = time.perf_counter()
        if self.verbose == 1:
            # imported here: tqdm.auto picks the notebook widget or the terminal bar, and warns
            # in a notebook without ipywidgets, which should only happen when a bar is drawn
            from tqdm.auto import tqdm

            self._bar = tqdm(
                total=self.params.get("steps"),
                desc=f"Epoch {epoch + 1}/{self.params.get('epochs')}",
                unit="step",
                file=sys.stdout,
                leave=True,
                dynamic_ncols=True,
                bar_format="{desc}: {n_fmt}/{total_fmt} |{bar:20}| {elapsed}{postfix}",
            )

    def _postfix(self, steps: int, logs: Logs | None) -> str:
        seconds = (time.perf_counter() - self._start) / max(steps, 1)
        per_step = f"{seconds * 1e3:.0f}ms" if seconds >= 1e-3 else f"{seconds * 1e6:.0f}us"
        return f"{per_step}/step - {_format_logs(logs or {})}"

    def on_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        if self._bar is not None:
            self._bar.set_postfix_str(self._postfix(batch + 1, logs), refresh=False)
            self._bar.update(1)

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        elapsed = time.perf_counter() - self._start
        if self._bar is not None:
            self._bar.set_postfix_str(self._postfix(self._bar.n, logs), refresh=False)
            self._bar.close()
            self._bar = None
        elif self.verbose == 2:
            steps = max(1, self.params.get("steps") or 1)
            print(
                f"Epoch {epoch + 1}/{self.params.get('epochs')} - {elapsed:.1f}s - "
                f"{1000 * elapsed / steps:.0f}ms/step - {_format_logs(logs or {})}",
                flush=True,
            )

    def on_train_end(self, logs: Logs | None = None) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def _resolve_mode(mode: str, monitor: str) -> str:
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"mode must be 'auto', 'min' or 'max', got {mode!r}")
    if mode == "auto":
        return "max" if "acc" in monitor else "min"
    return mode


class EarlyStopping(Callback):
    """Stop training when a monitored quantity has stopped improving (Keras semantics).

    An epoch improves when ``value + min_delta < best`` (mode "min") or
    ``value − min_delta > best`` (mode "max"): it must beat the best by more than
    ``min_delta``. After ``patience`` epochs without improvement, training stops; with
    ``restore_best_weights`` the model gets back the weights of its best epoch.
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
        super().__init__()
        from glassnet.utils import check_number, check_positive_int

        self.monitor = monitor
        self.min_delta = abs(check_number("EarlyStopping min_delta", min_delta))
        self.patience = check_positive_int("EarlyStopping patience", patience, allow_zero=True)
        self.verbose = verbose
        self.mode = _resolve_mode(mode, monitor)
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch

    def _improves(self, value: float, reference: float) -> bool:
        if self.mode == "min":
            return value + self.min_delta < reference
        return value - self.min_delta > reference

    def on_train_begin(self, logs: Logs | None = None) -> None:
        self.wait = 0
        self.stopped_epoch = 0
        self.best = math.inf if self.mode == "min" else -math.inf
        self.best_weights: list[np.ndarray] | None = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        assert self.model is not None
        current = (logs or {}).get(self.monitor)
        if current is None:
            available = ", ".join(logs or {})
            raise ValueError(
                f"EarlyStopping monitors {self.monitor!r}, which fit does not report; "
                f"available: {available} (val_* needs validation_split or validation_data)"
            )
        if epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch
        self.wait += 1
        if self._improves(current, self.best):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._improves(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs: Logs | None = None) -> None:
        assert self.model is not None
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print(
                    f"Restoring model weights from the end of the best epoch: "
                    f"{self.best_epoch + 1}."
                )
            self.model.set_weights(self.best_weights)


class ModelCheckpoint(Callback):
    """Save the model after every epoch, or only when the monitored value improves.

    ``filepath`` may hold format fields filled from the epoch's logs, e.g.
    ``"model-{epoch:02d}-{val_loss:.3f}.glassnet"`` (epoch counts from 1, as in Keras).
    """

    def __init__(
        self,
        filepath: str | Path,
        monitor: str = "val_loss",
        verbose: int = 0,
        save_best_only: bool = False,
        mode: str = "auto",
    ) -> None:
        super().__init__()
        self.filepath = str(filepath)
        self.monitor = monitor
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.mode = _resolve_mode(mode, monitor)
        self.best = math.inf if self.mode == "min" else -math.inf

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        assert self.model is not None
        logs = logs or {}
        path = self.filepath.format(epoch=epoch + 1, **logs)
        if self.save_best_only:
            current = logs.get(self.monitor)
            if current is None:
                raise ValueError(
                    f"ModelCheckpoint monitors {self.monitor!r}, which fit does not report; "
                    f"available: {', '.join(logs)}"
                )
            better = current < self.best if self.mode == "min" else current > self.best
            if not better:
                return
            if self.verbose > 0:
                print(
                    f"Epoch {epoch + 1}: {self.monitor} improved from {self.best:.5f} to "
                    f"{current:.5f}, saving model to {path}"
                )
            self.best = current
        elif self.verbose > 0:
            print(f"Epoch {epoch + 1}: saving model to {path}")
        self.model.save(path)


class TerminateOnNaN(Callback):
    """Kept for Keras code: ``fit`` always stops when the loss turns NaN or infinite."""


def __getattr__(name: str) -> Any:
    """The monitors live in glassnet.monitors; they are reachable from here too."""
    if name in ("TrainingMonitor", "GradientNormMonitor"):
        from glassnet import monitors

        return getattr(monitors, name)
    raise AttributeError(f"module 'glassnet.callbacks' has no attribute {name!r}")
