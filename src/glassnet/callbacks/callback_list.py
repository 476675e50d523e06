"""The callbacks of one ``fit``, ``evaluate`` or ``predict``, called in order."""

from __future__ import annotations

from typing import Any

from glassnet.callbacks.callback import HOOKS, Callback, Logs, overrides, plain_logs
from glassnet.callbacks.history import History
from glassnet.callbacks.progress_bar import ProgressBar

# the hooks Keras calls with ``logs=`` as a keyword; the others get it positionally
_KEYWORD_LOGS = frozenset(h for h in HOOKS if "_batch_" in h)


class CallbackList:
    """The callbacks of one ``fit``, ``evaluate`` or ``predict``, in Keras's order: the
    user's, then the History (so that it records whatever they add to an epoch's logs, such
    as the learning rate), then the progress bar (so that it shows it too).

    Only the hooks a callback overrides are called: the paper's network trains in tens of
    microseconds per epoch, so even empty calls would show. Batch hooks get ``logs`` as a
    keyword, the others positionally, as Keras calls them.
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
        self.callbacks: list[Callback] = list(callbacks or [])
        if history is not None:
            self.callbacks.append(history)
        if verbose:
            self.callbacks.append(ProgressBar(verbose))
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
            if hook in _KEYWORD_LOGS:
                for function in hooks:
                    function(*args, logs=logs)
            else:
                for function in hooks:
                    function(*args, logs)

    def on_train_begin(self, logs: Logs | None = None) -> None:
        self._call("on_train_begin", logs=logs)

    def on_train_end(self, logs: Logs | None = None) -> None:
        self._call("on_train_end", logs=logs)

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        self._call("on_epoch_begin", epoch, logs=logs)

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        # one dict for every callback, so that what one adds (a monitor, the learning rate)
        # the History records
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
