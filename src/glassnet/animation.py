"""Watch a network learn: its decision boundary on 2-D data at chosen epochs, as frames or a GIF.

>>> recorder = BoundaryRecorder(x, y, epochs=[0, 5, 20, 50])  # doctest: +SKIP
>>> model.fit(x, y, epochs=50, callbacks=[recorder])  # doctest: +SKIP
>>> recorder.save_gif("learning.gif")  # doctest: +SKIP
"""

from __future__ import annotations

import copy
import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from glassnet.callbacks import Callback, Logs


class BoundaryRecorder(Callback):
    """Keeps a copy of the weights at the end of each chosen epoch (counted from 0).

    Frames are drawn afterwards from those weights, so recording costs one weight copy per
    chosen epoch and nothing per batch.
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

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        assert self.model is not None
        if epoch in self.epochs:
            self.snapshots[epoch] = self.model.get_weights()
            self.losses[epoch] = (logs or {}).get("loss", float("nan"))

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
                    probe.predict,
                    self.x,
                    self.y,
                    title=f"Epoch {epoch + 1}: loss {self.losses[epoch]:.4f}",
                )
            )
        return out

    def save_frames(self, folder: str | Path, dpi: int = 100) -> list[Path]:
        """PNG files ``frame-<epoch>.png`` in ``folder``."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for epoch, fig in zip(sorted(self.snapshots), self.figures(), strict=True):
            path = folder / f"frame-{epoch + 1:04d}.png"
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
