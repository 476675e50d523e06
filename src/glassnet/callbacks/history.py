"""History: every epoch's logs, as ``fit`` returns them."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from glassnet.callbacks.callback import Callback, Logs


def _plain(value: Any) -> Any:
    """A number as a Python int or float (NumPy scalars and 0-d arrays too); else unchanged."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Number):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    return float(value)  # type: ignore[arg-type]


class History(Callback):
    """Records each epoch's logs: ``history["loss"][e]`` is the loss of epoch e.

    ``loss`` and the metrics are the batch-size-weighted means over the epoch's batches, each
    measured before that batch's update (as Keras reports them); ``val_*`` are measured on the
    validation data after the epoch. Every value is a Python float (what a callback adds to the
    logs as a NumPy scalar too), and ``params`` holds plain Python numbers.
    """

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []
        self.stop_reason: str | None = None

    def set_params(self, params: dict[str, Any]) -> None:
        self.params = {key: _plain(value) for key, value in params.items()}

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        self.epoch.append(int(epoch))
        for key, value in (logs or {}).items():
            plain = _plain(value)
            if isinstance(plain, int):
                plain = float(plain)  # a metric that happens to be whole is still a float
            self.history.setdefault(key, []).append(plain)

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
