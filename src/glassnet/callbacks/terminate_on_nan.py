"""TerminateOnNaN: stop training when a batch's loss is NaN or infinite."""

from __future__ import annotations

import math

from glassnet.callbacks.callback import Callback, Logs


class TerminateOnNaN(Callback):
    """Stop training when the loss in a batch's logs is NaN or infinite (Keras 3).

    By default it prints ``Batch N: Invalid loss, terminating training`` and sets
    ``model.stop_training``; with ``raise_error=True`` it raises a RuntimeError at once, so
    that no other callback's ``on_train_end`` runs.

    ``fit`` itself already stops, with a DivergenceWarning, at the first batch whose loss is
    not finite, before that batch's update and before its ``on_train_batch_end``; this
    callback acts on what the batch logs report, e.g. a loss another callback wrote there.
    """

    def __init__(self, raise_error: bool = False) -> None:
        super().__init__()
        self.raise_error = bool(raise_error)

    def on_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            if self.raise_error:
                raise RuntimeError(
                    f"NaN or Inf loss encountered at batch {batch}. Loss value: {loss}. "
                    "Terminating training immediately."
                )
            print(f"Batch {batch}: Invalid loss, terminating training")
            self._require_model().stop_training = True
