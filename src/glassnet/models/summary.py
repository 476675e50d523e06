"""The text of ``model.summary()``: Keras's table of layers, output shapes and parameter counts,
with Keras's "Connected to" column for a graph that is not a simple stack.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from glassnet import config
from glassnet.layers.base import InputLayer, shape_text

if TYPE_CHECKING:
    from glassnet.models.model import Model


def _rows(model: Model) -> tuple[list[tuple[str, ...]], bool]:
    """One row per layer (per call of a shared layer): name (type), shape, params[, sources]."""
    graph = getattr(model, "graph", None)
    if graph is None:
        rows: list[tuple[str, ...]] = []
        for layer in model.layers:
            if isinstance(layer, InputLayer):
                continue  # as in Keras, a Sequential model does not list its input
            built = layer.built
            try:
                shape = shape_text(layer.output.shape) if built else "?"
            except AttributeError:
                shape = "?"
            params = f"{layer.count_params():,}" if built else "0 (unbuilt)"
            rows.append((f"{layer.name} ({type(layer).__name__})", shape, params))
        return rows, False
    rows = []
    call_index: dict[int, int] = {}
    for call in graph:
        layer = call.layer
        index = call_index.get(id(layer), 0)
        call_index[id(layer)] = index + 1
        sources = []
        for t in call.inputs:
            source_layer = t.layer
            source_calls = [c for c in graph if c.layer is source_layer]
            k = next(i for i, c in enumerate(source_calls) if c.output is t)
            sources.append(f"{source_layer.name}[{k}][0]")
        assert call.output is not None
        rows.append(
            (
                f"{layer.name} ({type(layer).__name__})",
                shape_text(call.output.shape),
                f"{layer.count_params():,}" if index == 0 else "0",
                ", ".join(sources) or "-",
            )
        )
    return rows, True


def summary_text(model: Model) -> str:
    """The text ``summary()`` prints."""
    rows, connected = _rows(model)
    headers: tuple[str, ...] = ("Layer (type)", "Output Shape", "Param #")
    minimum = [33, 24, 15]
    if connected:
        headers += ("Connected to",)
        minimum = [21, 19, 12, 19]
    count = len(headers)
    widths = [max([len(headers[i])] + [len(r[i]) for r in rows]) + 2 for i in range(count)]
    widths = [max(w, m) for w, m in zip(widths, minimum, strict=True)]

    def line(left: str, mid: str, right: str, fill: str) -> str:
        return left + mid.join(fill * w for w in widths) + right

    def row(cells: tuple[str, ...], sep: str) -> str:
        parts = [
            " " + cells[0].ljust(widths[0] - 1),
            " " + cells[1].ljust(widths[1] - 1),
            cells[2].rjust(widths[2] - 1) + " ",
        ]
        if connected:
            parts.append(" " + cells[3].ljust(widths[3] - 1))
        return sep + sep.join(parts) + sep

    out = [
        f'Model: "{model.name}"',
        line("┏", "┳", "┓", "━"),
        row(headers, "┃"),
        line("┡", "╇", "┩", "━"),
    ]
    for k, r in enumerate(rows):
        out.append(row(r, "│"))
        out.append(line("├", "┼", "┤", "─") if k < len(rows) - 1 else line("└", "┴", "┘", "─"))
    if not rows:
        out.append(line("└", "┴", "┘", "─"))
    weights = model.weights
    total = sum(w.value.size for w in weights)
    trainable = sum(w.value.size for w in weights if w.trainable)
    itemsize = np.dtype(model.dtype if weights else config.floatx()).itemsize
    out += [
        f" Total params: {total:,} ({_bytes(total * itemsize)})",
        f" Trainable params: {trainable:,} ({_bytes(trainable * itemsize)})",
        f" Non-trainable params: {total - trainable:,} ({_bytes((total - trainable) * itemsize)})",
    ]
    if model.optimizer is not None and any(model.optimizer.slots.values()):
        opt = sum(a.size for v in model.optimizer.slots.values() for a in v)
        out.append(f" Optimizer params: {opt:,} ({_bytes(opt * itemsize)})")
    return "\n".join(out)


def _bytes(n: int) -> str:
    for unit, size in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if n >= size:
            return f"{n / size:.2f} {unit}"
    return f"{n:.2f} B"
