"""Watch a network learn: its decision boundary on 2-D data at chosen epochs, as frames or a GIF.

>>> recorder = BoundaryRecorder(x, y, epochs=[0, 5, 20, 50])  # doctest: +SKIP
>>> model.fit(x, y, epochs=50, callbacks=[recorder])  # doctest: +SKIP
>>> recorder.save_gif("learning.gif")  # doctest: +SKIP
"""

from __future__ import annotations

import copy
import functools
import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from glassnet.callbacks import Callback, Logs


class BoundaryRecorder(Callback):
    """Keeps a copy of the weights after each chosen number of epochs: epoch e is the weights
    after e epochs of training, so epoch 0 is the weights before the first update and, with
    ``fit(epochs=50)``, epoch 50 the trained ones. An epoch the training does not reach has no
    frame.

    Each frame is titled with its epoch and a loss: that of (x, y) for epoch 0, else the
    epoch's training loss (Keras's History ``loss``). Frames are drawn afterwards from the
    copies, so recording costs one weight copy per chosen epoch and nothing per batch.
    """

    def __init__(self, x: Any, y: Any, epochs: Iterable[int]) -> None:
        super().__init__()
        self.x = np.asarray(x)
        self.y = np.asarray(y)
        if self.x.ndim != 2 or self.x.shape[1] != 2:
            raise ValueError(
                f"BoundaryRecorder needs 2-D inputs x of shape (n, 2), got {self.x.shape}"
            )
        self.epochs = sorted({int(e) for e in epochs})
        if not self.epochs or self.epochs[0] < 0:
            raise ValueError(f"epochs must be non-negative epoch numbers, got {self.epochs}")
        self.snapshots: dict[int, list[np.ndarray]] = {}
        self.losses: dict[int, float] = {}

    def on_train_begin(self, logs: Logs | None = None) -> None:
        assert self.model is not None
        if 0 in self.epochs and 0 not in self.snapshots:
            self.snapshots[0] = self.model.get_weights()
            self.losses[0] = self._loss_before_training()

    def _loss_before_training(self) -> float:
        """The compiled loss of (x, y) with the initial weights; NaN when y does not suit it."""
        assert self.model is not None
        try:
            y_pred = self.model.predict(self.x, verbose=0)
            return float(self.model.compute_loss(self.x, self.y, y_pred, training=False))
        except (ValueError, TypeError):
            return float("nan")

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        # Keras numbers epochs from 0 in its hooks: at the end of that one, epoch + 1 are done.
        assert self.model is not None
        done = epoch + 1
        if done in self.epochs:
            self.snapshots[done] = self.model.get_weights()
            self.losses[done] = float((logs or {}).get("loss", float("nan")))

    def _title(self, epoch: int) -> str:
        loss = self.losses.get(epoch, float("nan"))
        when = " (before training)" if epoch == 0 else ""
        return f"Epoch {epoch}{when}" + (f": loss {loss:.4f}" if np.isfinite(loss) else "")

    def figures(self) -> list[Any]:
        """One figure per recorded epoch, titled with the epoch and its loss."""
        from glassnet import plots

        assert self.model is not None, "fit the model with this recorder first"
        probe = copy.deepcopy(self.model)
        out = []
        for epoch, weights in sorted(self.snapshots.items()):
            probe.set_weights(weights)
            out.append(
                plots.decision_boundary(
                    functools.partial(probe.predict, verbose=0),
                    self.x,
                    self.y,
                    title=self._title(epoch),
                )
            )
        return out

    def save_frames(self, folder: str | Path, dpi: int = 100) -> list[Path]:
        """PNG files ``frame-<epoch>.png`` in ``folder``."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for epoch, fig in zip(sorted(self.snapshots), self.figures(), strict=True):
            path = folder / f"frame-{epoch:04d}.png"
            fig.savefig(path, dpi=dpi)
            paths.append(path)
        return paths

    def save_gif(self, path: str | Path, seconds_per_frame: float = 0.6, dpi: int = 80) -> Path:
        """An animated GIF of the frames (drawn with Pillow)."""
        from PIL import Image

        frames = []
        for fig in self.figures():
            buffer = io.BytesIO()
            fig.savefig(buffer, format="png", dpi=dpi)
            buffer.seek(0)
            frames.append(Image.open(buffer).convert("RGB"))
        if not frames:
            raise ValueError("no frame was recorded: did fit reach any of the chosen epochs?")
        path = Path(path)
        frames[0].save(
            path,
            save_all=True,
            append_images=frames[1:],
            duration=int(seconds_per_frame * 1000),
            loop=0,
        )
        return path
