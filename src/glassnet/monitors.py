"""Training monitors: the health of every Dense layer while a model trains.

Per layer and per epoch, recorded into the History under ``<quantity>/<layer name>``:

- ``grad_norm``: ‖∂L/∂W‖ (Frobenius), the mean over the epoch's batches;
- ``weight_norm``: ‖W‖ at the end of the epoch;
- ``update_ratio``: ‖ΔW‖ / ‖W‖ of the epoch's first update (about 1e-3 is healthy; 1e-1 is
  too large a learning rate, 1e-6 too small);
- ``saturated`` (sigmoid and tanh layers): the fraction of activations within ``margin`` of the
  function's limits, where g′ ≈ 0 and learning stalls; the mean over the epoch's batches;
- ``dead`` (ReLU layers): the fraction of units that output 0 for every sample of the epoch.

Activation histograms are kept for the epochs listed in ``histograms_at``.

>>> monitor = TrainingMonitor(histograms_at=[0, 9])  # doctest: +SKIP
>>> history = model.fit(x, y, epochs=10, callbacks=[monitor])  # doctest: +SKIP
>>> history.history["dead/dense"]  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet import activations
from glassnet.callbacks import Callback, Logs
from glassnet.layers import Dense


def _grad(layer: Dense) -> np.ndarray:
    grad = layer.kernel.grad
    return grad if grad is not None else np.zeros_like(layer.kernel.value)


def _norm(a: np.ndarray) -> float:
    flat = a.ravel()
    return float(np.sqrt(np.dot(flat, flat)))


def saturated_fraction(
    activation: activations.Activation, a: np.ndarray, margin: float
) -> float | None:
    """Fraction of outputs within ``margin`` of the activation's limits (None if it has none).

    sigmoid: a < m or a > 1 − m;  tanh: |a| > 1 − m.
    """
    if isinstance(activation, activations.Sigmoid):
        return np.count_nonzero((a < margin) | (a > 1 - margin)) / a.size
    if isinstance(activation, activations.Tanh):
        return np.count_nonzero(np.abs(a) > 1 - margin) / a.size
    return None


def _histogram_range(activation: activations.Activation, a: np.ndarray) -> tuple[float, float]:
    """The activation's own range where it has one, else the data's (widened if flat)."""
    if isinstance(activation, activations.Sigmoid):
        return 0.0, 1.0
    if isinstance(activation, activations.Tanh):
        return -1.0, 1.0
    low, high = float(a.min()), float(a.max())
    return (low - 0.5, high + 0.5) if high - low < 1e-6 * max(1.0, abs(low)) else (low, high)


class TrainingMonitor(Callback):
    """Records gradient and weight norms, update ratios, saturation and dead units per layer."""

    def __init__(
        self,
        gradient_norms: bool = True,
        weight_norms: bool = True,
        update_ratios: bool = True,
        saturation: bool = True,
        dead_units: bool = True,
        histograms_at: tuple[int, ...] | list[int] = (),
        margin: float = 0.01,
        bins: int = 30,
    ) -> None:
        super().__init__()
        self.gradient_norms, self.weight_norms = gradient_norms, weight_norms
        self.update_ratios, self.saturation, self.dead_units = update_ratios, saturation, dead_units
        self.histograms_at = set(histograms_at)
        self.margin, self.bins = margin, bins

    def on_train_begin(self, logs: Logs | None = None) -> None:
        assert self.model is not None
        self.layers: list[Dense] = [
            layer for layer in self.model.iter_layers() if isinstance(layer, Dense)
        ]
        self.layer_names = [layer.name for layer in self.layers]
        self.first_step: list[float] | None = None
        self.epochs: list[list[float]] = []  # mean gradient norm per epoch and layer
        self.histograms: dict[int, dict[str, tuple[list[int], list[float]]]] = {}

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        count = len(self.layers)
        self._grad_sum = np.zeros(count)
        self._sat_sum = np.zeros(count)
        self._batches = 0
        self._alive = [np.zeros(layer.units, dtype=bool) for layer in self.layers]
        self._before: list[np.ndarray] | None = None
        self._ratios: list[float] | None = None
        self._epoch = epoch

    def on_batch_begin(self, batch: int, logs: Logs | None = None) -> None:
        if self.update_ratios and batch == 0:
            self._before = [layer.kernel.numpy() for layer in self.layers]

    def on_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        assert self.model is not None and self.model.last_step is not None
        self._batches += 1
        # what this batch's forward pass computed, read from its tape: each Dense layer's A
        outputs = {id(node.op): node.a for node in self.model.last_step.tape if hasattr(node, "a")}
        activations_now = [outputs.get(id(layer)) for layer in self.layers]
        if self.gradient_norms:
            norms = np.array([_norm(_grad(layer)) for layer in self.layers])
            if self.first_step is None:
                self.first_step = norms.tolist()
            self._grad_sum += norms
        if self._before is not None:
            self._ratios = [
                _norm(layer.kernel.value - w) / max(_norm(w), np.finfo(np.float64).tiny)
                for layer, w in zip(self.layers, self._before, strict=True)
            ]
            self._before = None
        for i, (layer, a) in enumerate(zip(self.layers, activations_now, strict=True)):
            if a is None:
                continue
            if self.saturation:
                fraction = saturated_fraction(layer.activation, a, self.margin)
                if fraction is not None:
                    self._sat_sum[i] += fraction
            if self.dead_units and _can_die(layer.activation):
                self._alive[i] |= (a > 0).any(axis=0)
        self._last_activations = activations_now

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        batches = max(self._batches, 1)
        values: dict[str, float] = {}
        grad_means = (self._grad_sum / batches).tolist()
        if self.gradient_norms:
            self.epochs.append(grad_means)
        for i, layer in enumerate(self.layers):
            name = layer.name
            if self.gradient_norms:
                values[f"grad_norm/{name}"] = grad_means[i]
            if self.weight_norms:
                values[f"weight_norm/{name}"] = _norm(layer.kernel.value)
            if self._ratios is not None:
                values[f"update_ratio/{name}"] = self._ratios[i]
            if self.saturation and isinstance(
                layer.activation, (activations.Sigmoid, activations.Tanh)
            ):
                values[f"saturated/{name}"] = float(self._sat_sum[i] / batches)
            if self.dead_units and _can_die(layer.activation):
                values[f"dead/{name}"] = 1.0 - float(self._alive[i].mean())
        if epoch in self.histograms_at and self._batches:
            self.histograms[epoch] = {}
            for layer, a in zip(self.layers, self._last_activations, strict=True):
                if a is None:
                    continue
                counts, edges = np.histogram(
                    a, bins=self.bins, range=_histogram_range(layer.activation, a)
                )
                self.histograms[epoch][layer.name] = (counts.tolist(), edges.tolist())
        if logs is not None:
            logs.update(values)


class GradientNormMonitor(TrainingMonitor):
    """Only the per-layer gradient norms: ``first_step`` and ``epochs`` (epochs × layers)."""

    def __init__(self) -> None:
        super().__init__(
            weight_norms=False, update_ratios=False, saturation=False, dead_units=False
        )


def monitor_keys(history: dict[str, Any], quantity: str) -> dict[str, list[float]]:
    """The per-layer series of one quantity from a History dict: {layer name: values}."""
    prefix = f"{quantity}/"
    return {k[len(prefix) :]: v for k, v in history.items() if k.startswith(prefix)}


def _can_die(activation: activations.Activation) -> bool:
    """Can a unit with this activation die (output 0, gradient 0, for every input)? ReLU and
    ReLU6 can; a leaky ReLU (negative slope > 0) cannot."""
    if isinstance(activation, activations.ReLU):
        return activation.negative_slope == 0
    return isinstance(activation, activations.ReLU6)
