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
from glassnet.layers import Dropout
from glassnet.utils import check_number

if TYPE_CHECKING:
    from glassnet.models import Model


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
    model: Model,
    x: Any,
    y: Any,
    epsilon: float = 1e-6,
    tolerance: float = 1e-6,
    absolute_tolerance: float | None = None,
) -> GradcheckReport:
    """Compare every parameter's backpropagated gradient with central differences, in float64.

    The model must be compiled (the loss is the function differentiated). The check runs on a
    float64 copy, so the original is untouched; the analytic gradients come from
    ``train_step(apply=False)`` (the tape's backward pass, as in ``fit``), the numeric ones from
    the loss ``evaluate`` reports. Dropout is switched off in the copy.

    A parameter passes when the relative error is within ``tolerance``, or when both gradients
    are so small that they differ by no more than ``absolute_tolerance`` (‖g_a − g_n‖): a
    gradient that is exactly 0 (say, a bias whose per-sample terms cancel) meets finite
    differences that are rounding noise, and their relative error says nothing. By default
    ``absolute_tolerance`` is ``tolerance``·10⁻³ (10⁻⁹ for the default tolerance, about ten
    times the rounding noise of a central difference with ε = 10⁻⁶ on a loss of order 1).
    """
    model.require_compiled("gradcheck")
    if absolute_tolerance is None:
        absolute_tolerance = 1e-3 * tolerance
    check_number("gradcheck absolute_tolerance", absolute_tolerance, low=0.0)
    probe = copy.deepcopy(model)
    for layer in probe.iter_layers():
        if isinstance(layer, Dropout):
            layer.rate = 0.0  # the check differentiates the deterministic network
    with config.floatx_scope("float64"):
        for variable in probe.weights:
            variable.value = variable.value.astype(np.float64)
        result = probe.train_step(x, y, apply=False)
        n = len(result.inputs[0])
        report = GradcheckReport(tolerance)

        def loss() -> float:
            return float(probe.evaluate(x, y, batch_size=n, return_dict=True)["loss"])

        for variable, analytic in zip(result.variables, result.grads, strict=True):
            numeric = numerical_gradient(loss, variable.value, epsilon)
            err = relative_error(analytic, numeric)
            owner = variable.owner
            activation = getattr(getattr(owner, "activation", None), "name", "")
            report.checks.append(
                ParameterCheck(
                    owner.name if owner is not None else "",
                    activation,
                    variable.name,
                    variable.value.shape,
                    err,
                    err <= tolerance
                    or float(np.linalg.norm(np.asarray(analytic) - numeric)) <= absolute_tolerance,
                )
            )
    return report
