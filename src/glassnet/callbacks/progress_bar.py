"""ProgressBar: what ``fit(verbose=1)`` and ``fit(verbose=2)`` print."""

from __future__ import annotations

import sys
import time
from typing import Any

from glassnet.callbacks.callback import Callback, Logs


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
