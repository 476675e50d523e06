"""Finite-difference gradient checks: does backpropagation agree with the definition?

The numerical derivative is the central difference
    ∂f/∂w ≈ (f(w + ε) − f(w − ε)) / 2ε        (error O(ε²)),
computed in float64, and compared with the analytic gradient by the relative error
    ‖g_analytic − g_numeric‖ / max(‖g_analytic‖ + ‖g_numeric‖, tiny).

>>> import glassnet as gn
>>> report = gn.gradcheck(model, x, y)  # doctest: +SKIP
>>> report.passed  # doctest: +SKIP
True
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from glassnet import config

if TYPE_CHECKING:
    from glassnet.models import Sequential


def numerical_gradient(
    f: Callable[[], float], array: np.ndarray, epsilon: float = 1e-6
) -> np.ndarray:
    """Central differences of the scalar f() with respect to every entry of ``array``.

    ``array`` is perturbed in place (and restored); f reads it.
    """
    grad = np.zeros(array.shape, dtype=np.float64)
    flat = array.reshape(-1)  # a view: writing it perturbs `array`
    for i in range(flat.size):  # one entry at a time: a loop over parameters, not samples
        original = flat[i]
        flat[i] = original + epsilon
        f_plus = f()
        flat[i] = original - epsilon
        f_minus = f()
        flat[i] = original
        grad.reshape(-1)[i] = (f_plus - f_minus) / (2 * epsilon)
    return grad


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """‖a − n‖ / max(‖a‖ + ‖n‖, tiny): near 0 when the two gradients agree."""
    a = np.asarray(analytic, dtype=np.float64)
    n = np.asarray(numeric, dtype=np.float64)
    denom = max(float(np.linalg.norm(a) + np.linalg.norm(n)), np.finfo(np.float64).tiny)
    return float(np.linalg.norm(a - n) / denom)


@dataclass
class ParameterCheck:
    """The check of one parameter array of one layer."""

    layer: str
    activation: str
    parameter: str
    shape: tuple[int, ...]
    relative_error: float
    passed: bool


@dataclass
class GradcheckReport:
    """Per-layer, per-parameter relative errors, and whether all are within ``tolerance``."""

    tolerance: float
    checks: list[ParameterCheck] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def failures(self) -> list[ParameterCheck]:
        return [c for c in self.checks if not c.passed]

    def __str__(self) -> str:
        lines = [
            f"{'layer':<16} {'activation':<12} {'parameter':<9} {'shape':<12} "
            f"{'rel. error':>10}  result"
        ]
        for c in self.checks:
            verdict = "ok" if c.passed else "FAIL"
            lines.append(
                f"{c.layer:<16} {c.activation:<12} {c.parameter:<9} {c.shape!s:<12} "
                f"{c.relative_error:>10.2e}  {verdict}"
            )
        for c in self.failures:
            lines.append(
                f"layer {c.layer!r} (activation {c.activation!r}): the backpropagated gradient "
                f"of its {c.parameter} disagrees with finite differences — check the "
                "derivative of its activation"
            )
        lines.append(("PASSED" if self.passed else "FAILED") + f" (tolerance {self.tolerance:g})")
        return "\n".join(lines)


def gradcheck(
    model: Sequential,
    x: Any,
    y: Any,
    epsilon: float = 1e-6,
    tolerance: float = 1e-6,
) -> GradcheckReport:
    """Compare every parameter's backpropagated gradient with central differences, in float64.

    The model must be compiled (the loss is the function differentiated). It is copied into a
    float64 model for the check, so the original is untouched. Dropout is switched off.
    """
    from glassnet.models import Sequential

    model._require_compiled("gradcheck")
    with config.floatx_scope("float64"):
        probe = Sequential([_copy_layer(layer) for layer in model.layers], name=model.name)
        probe.compile(optimizer="sgd", loss=model.loss)
        xs = probe._check_x(x)
        probe.set_weights([w.astype(np.float64) for w in model.get_weights()])
        ys = probe._check_y(y, len(xs))
        probe._resolve_metrics()
        report = GradcheckReport(tolerance)

        def loss() -> float:
            return probe._loss_value(ys, probe._forward(xs, training=False))

        analytic = _analytic_gradients(probe, xs, ys)
        for layer in probe.layers:
            names = (
                ["kernel", "bias"]
                if len(layer.params) == 2
                else [f"param_{i}" for i in range(len(layer.params))]
            )
            for name, param in zip(names, layer.params, strict=True):
                numeric = numerical_gradient(loss, param, epsilon)
                err = relative_error(analytic[id(param)], numeric)
                activation = getattr(getattr(layer, "activation", None), "name", "")
                report.checks.append(
                    ParameterCheck(layer.name, activation, name, param.shape, err, err <= tolerance)
                )
    return report


def _analytic_gradients(probe: Sequential, x: np.ndarray, y: np.ndarray) -> dict[int, np.ndarray]:
    """Gradients from one backward pass, without an update (a zero learning-rate step)."""
    optimizer, probe.optimizer = probe.optimizer, _NoUpdate()  # type: ignore[assignment]
    try:
        probe._train_batch(x, y)
    finally:
        probe.optimizer = optimizer
    return {id(p): g.copy() for p, g in zip(probe._params, probe._grads, strict=True)}


class _NoUpdate:
    def apply(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        pass


def _copy_layer(layer: Any) -> Any:
    """An unbuilt deep copy (rebuilt in float64 by the caller); dropout switched off."""
    from glassnet import layers as layers_module

    clone = copy.deepcopy(layer)
    clone.built, clone.params, clone.grads = False, [], []
    if isinstance(clone, layers_module.Dropout):
        clone.rate = 0.0  # the check differentiates the deterministic network
    return clone
