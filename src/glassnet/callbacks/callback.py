"""The base class of every callback, and the list of the hooks ``fit``, ``evaluate`` and
``predict`` call."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from glassnet.models import Model

Logs = dict[str, float]


class Callback:
    """Base class: override any of the ``on_*`` hooks. ``self.model`` is the model being fit.

    As in Keras 3, ``fit`` calls the train, epoch and train-batch hooks (and the test hooks
    while it evaluates the validation data), ``evaluate`` the test hooks and ``predict`` the
    predict hooks; every hook gets a ``logs`` dict of plain floats (empty where there is
    nothing to report yet). ``on_batch_begin``/``on_batch_end`` are the older names of
    ``on_train_batch_begin``/``on_train_batch_end``, which call them. ``set_model`` and
    ``set_params`` give the callback its model and ``self.params`` (``epochs``, ``steps``,
    ``batch_size``, ``verbose``, ``samples``) before the first hook.
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

    def _require_model(self) -> Model:
        """The model this callback runs on (set by ``fit`` through ``set_model``)."""
        if self.model is None:
            raise RuntimeError(
                f"{type(self).__name__} has no model: pass it to model.fit(callbacks=[...]) "
                "or call set_model(model) first"
            )
        return self.model


# the older name each hook answers to as well
_ALIASES = {"on_train_batch_begin": "on_batch_begin", "on_train_batch_end": "on_batch_end"}

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


def overrides(callback: Callback, hook: str) -> bool:
    """True if the callback replaces the base class's (empty) hook, or its alias: in its class,
    or on the instance itself (as ``LambdaCallback`` does)."""
    names = (hook, _ALIASES[hook]) if hook in _ALIASES else (hook,)
    own = getattr(callback, "__dict__", {})
    return any(
        name in own or getattr(type(callback), name) is not getattr(Callback, name)
        for name in names
    )


def plain_logs(logs: dict[str, Any] | None) -> Logs:
    """The logs as a new dict of Python floats (NumPy scalars converted), {} for None."""
    return {k: float(v) for k, v in logs.items()} if logs else {}
