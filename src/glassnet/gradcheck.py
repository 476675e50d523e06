"""Finite-difference gradient checks: does backpropagation agree with the definition?

The numerical derivative is the central difference
    ∂f/∂w ≈ (f(w + ε) − f(w − ε)) / 2ε        (error O(ε²)),
computed in float64 and compared with the analytic gradient entry by entry. An entry is an
error only when the difference exceeds BOTH tolerances:
    |g_a − g_n| > absolute_tolerance   and   |g_a − g_n| > tolerance·(|g_a| + |g_n|).
Each parameter array also gets its relative error
    ‖g_a − g_n‖ / max(‖g_a‖ + ‖g_n‖, tiny)
for the report.

Where the step ±ε crosses a kink of a non-smooth function (ReLU at 0, ReLU6 at 0 and 6, a hard
sigmoid's corners, |·|, max, …) the derivative is not defined and the central difference
averages the two one-sided slopes; such entries are "inconclusive (at a kink)", not errors.

A wrong backward corrupts the gradients of every layer below it (nearer the input), since
their gradients are computed from the one it sends down. So the layer blamed is the last
failing one in the order of the forward pass; failing layers before it are reported as
inheriting its error.

>>> import glassnet as gn
>>> report = gn.gradcheck(model, x, y)  # doctest: +SKIP
>>> report.passed  # doctest: +SKIP
True
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from glassnet import config
from glassnet.layers import Dropout
from glassnet.utils import check_number

if TYPE_CHECKING:
    from glassnet.models import Model

RULE = "|g_a − g_n| > absolute_tolerance and |g_a − g_n| > tolerance·(|g_a| + |g_n|)"
"""When one entry of a gradient is an error (g_a backpropagated, g_n central difference)."""

_KINK_PERSISTENCE = 0.75
"""A kink's jump in slope stays when the step halves; curvature's (≈ f″·ε) halves with it."""


def _side_values(
    f: Callable[[], float], array: np.ndarray, steps: float, flat_index: Any = None
) -> tuple[np.ndarray, np.ndarray]:
    """f(w + h) and f(w − h) for each chosen entry w of ``array`` (all by default), step h.

    ``array`` is perturbed in place (and restored); f reads it.
    """
    flat = array.reshape(-1)  # a view: writing it perturbs `array`
    indices = np.arange(flat.size) if flat_index is None else np.asarray(flat_index)
    f_plus = np.zeros(indices.size, dtype=np.float64)
    f_minus = np.zeros(indices.size, dtype=np.float64)
    for k, i in enumerate(indices):  # one entry at a time: a loop over parameters, not samples
        original = flat[i]
        flat[i] = original + steps
        f_plus[k] = f()
        flat[i] = original - steps
        f_minus[k] = f()
        flat[i] = original
    return f_plus, f_minus


def numerical_gradient(
    f: Callable[[], float], array: np.ndarray, epsilon: float = 1e-6
) -> np.ndarray:
    """Central differences of the scalar f() with respect to every entry of ``array``.

    ∂f/∂w ≈ (f(w + ε) − f(w − ε)) / 2ε. ``array`` is perturbed in place (and restored); f reads
    it.
    """
    f_plus, f_minus = _side_values(f, array, epsilon)
    return ((f_plus - f_minus) / (2 * epsilon)).reshape(array.shape)


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """‖a − n‖ / max(‖a‖ + ‖n‖, tiny): near 0 when the two gradients agree."""
    a = np.asarray(analytic, dtype=np.float64)
    n = np.asarray(numeric, dtype=np.float64)
    denom = max(float(np.linalg.norm(a) + np.linalg.norm(n)), np.finfo(np.float64).tiny)
    return float(np.linalg.norm(a - n) / denom)


def entry_errors(
    analytic: np.ndarray, numeric: np.ndarray, tolerance: float, absolute_tolerance: float
) -> np.ndarray:
    """Which entries disagree: |a − n| > absolute_tolerance and |a − n| > tolerance·(|a| + |n|).

    A difference counts only when it exceeds both: the relative test alone fails tiny gradients
    met by rounding noise (≈ 10⁻¹⁶·|L|/ε), the absolute test alone misses errors in large ones.
    """
    a = np.asarray(analytic, dtype=np.float64)
    n = np.asarray(numeric, dtype=np.float64)
    diff = np.abs(a - n)
    return (diff > absolute_tolerance) & (diff > tolerance * (np.abs(a) + np.abs(n)))


@dataclass
class Kink:
    """One entry whose finite-difference step crosses a kink: its index, and the samples whose
    outputs bend there (empty when the kink is in the loss itself, as |ŷ − y| at ŷ = y)."""

    index: tuple[int, ...]
    samples: tuple[int, ...]


@dataclass
class ParameterCheck:
    """The check of one parameter array of one layer.

    ``errors`` counts the entries that break the rule (see ``RULE``) away from kinks; ``kinks``
    lists the entries left inconclusive because the step ±ε crosses a kink; ``inherits`` names
    the layer above whose error this one receives through backpropagation.
    """

    layer: str
    activation: str
    parameter: str
    shape: tuple[int, ...]
    relative_error: float
    passed: bool
    absolute_error: float = 0.0
    errors: int = 0
    kinks: list[Kink] = field(default_factory=list)
    inherits: str | None = None

    @property
    def inconclusive(self) -> int:
        """How many entries sit at a kink (neither passed nor failed)."""
        return len(self.kinks)


def _entry_name(parameter: str, index: tuple[int, ...]) -> str:
    return f"{parameter}[{', '.join(str(i) for i in index)}]"


@dataclass
class GradcheckReport:
    """Per-layer, per-parameter errors, the entries at kinks, and which layer is to blame.

    An entry is an error when |g_a − g_n| > absolute_tolerance and |g_a − g_n| >
    tolerance·(|g_a| + |g_n|); a parameter passes when none of its entries is (entries at kinks
    are inconclusive and do not count).
    """

    tolerance: float
    checks: list[ParameterCheck] = field(default_factory=list)
    absolute_tolerance: float = 0.0

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def failures(self) -> list[ParameterCheck]:
        return [c for c in self.checks if not c.passed]

    @property
    def blamed(self) -> str | None:
        """The layer whose backward is wrong: the last failing layer in forward order.

        The layers before it receive their gradient through it, so they fail with it.
        """
        failing = [c.layer for c in self.checks if not c.passed]
        return failing[-1] if failing else None

    @property
    def inherited(self) -> list[str]:
        """The failing layers before the blamed one, whose errors may come only from it."""
        return list(dict.fromkeys(c.layer for c in self.failures if c.inherits is not None))

    @property
    def kinks(self) -> list[tuple[ParameterCheck, Kink]]:
        """Every inconclusive entry, with the parameter it belongs to."""
        return [(c, k) for c in self.checks for k in c.kinks]

    def __str__(self) -> str:
        lines = [
            f"{'layer':<16} {'activation':<12} {'parameter':<9} {'shape':<12} "
            f"{'rel. error':>10} {'abs. error':>10} {'at kinks':>8}  result"
        ]
        for c in self.checks:
            if c.passed:
                verdict = "ok"
            elif c.inherits is not None:
                verdict = f"FAIL (inherits the error of {c.inherits!r})"
            else:
                verdict = "FAIL"
            lines.append(
                f"{c.layer:<16} {c.activation:<12} {c.parameter:<9} {c.shape!s:<12} "
                f"{c.relative_error:>10.2e} {c.absolute_error:>10.2e} {c.inconclusive:>8}  "
                f"{verdict}"
            )
        blamed = self.blamed
        for c in self.failures:
            if c.inherits is None:
                lines.append(
                    f"layer {c.layer!r} (activation {c.activation!r}): {c.errors} of "
                    f"{math.prod(c.shape)} entries of the backpropagated gradient of its "
                    f"{c.parameter} disagree with finite differences — check the derivative of "
                    "its activation (or its backward)"
                )
        for name in self.inherited:
            lines.append(
                f"layer {name!r} inherits the error of {blamed!r}: its gradient is computed from "
                f"the one {blamed!r} sends down; check it again once {blamed!r} is fixed"
            )
        for c in self.checks:
            if not c.kinks:
                continue
            where = ", ".join(
                _entry_name(c.parameter, k.index)
                + (
                    f" (sample{'s' if len(k.samples) > 1 else ''} {', '.join(map(str, k.samples))})"
                    if k.samples
                    else ""
                )
                for k in c.kinks[:8]
            )
            more = f", … {len(c.kinks) - 8} more" if len(c.kinks) > 8 else ""
            note = " — passes: its only mismatches are at kinks" if c.passed else ""
            lines.append(
                f"layer {c.layer!r} {c.parameter}: {c.inconclusive} "
                f"entr{'y' if c.inconclusive == 1 else 'ies'} inconclusive (at a kink: the step "
                f"±ε crosses a point where the derivative jumps): {where}{more}{note}"
            )
        lines.append(f"an entry is an error when {RULE}")
        total = sum(c.inconclusive for c in self.checks)
        tail = f"; {total} inconclusive at kinks" if total else ""
        lines.append(
            ("PASSED" if self.passed else f"FAILED (blame {blamed!r})")
            + f" (tolerance {self.tolerance:g}, absolute tolerance "
            f"{self.absolute_tolerance:g}{tail})"
        )
        return "\n".join(lines)


def _outputs(probe: Model, x: Any, n: int) -> np.ndarray:
    """Every sample's outputs, flattened into one row per sample."""
    out = probe.predict(x, batch_size=n, verbose=0)
    outs = out if isinstance(out, (list, tuple)) else [out]
    return np.hstack([np.asarray(o, dtype=np.float64).reshape(n, -1) for o in outs])


def _kink_samples(
    probe: Model, x: Any, n: int, array: np.ndarray, i: int, epsilon: float
) -> tuple[int, ...]:
    """The samples whose outputs bend where entry i moves by ±ε: their one-sided slopes differ
    by more than √ε, and the difference does not halve with the step (not curvature)."""
    flat = array.reshape(-1)
    original = flat[i]
    jumps = []
    base = _outputs(probe, x, n)
    for h in (epsilon, epsilon / 2):
        flat[i] = original + h
        up = _outputs(probe, x, n)
        flat[i] = original - h
        down = _outputs(probe, x, n)
        flat[i] = original
        jumps.append(np.abs(up - 2 * base + down).max(axis=1) / h)  # |slope₊ − slope₋|
    at_kink = (jumps[0] > math.sqrt(epsilon)) & (jumps[1] >= _KINK_PERSISTENCE * jumps[0])
    return tuple(int(s) for s in np.flatnonzero(at_kink))


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

    **The rule.** An entry is an error only when its difference exceeds both tolerances:

        |g_a − g_n| > absolute_tolerance  and  |g_a − g_n| > tolerance·(|g_a| + |g_n|)

    A gradient that is tiny (deep sigmoid networks) or exactly 0 (a bias whose per-sample terms
    cancel) meets finite differences that are rounding noise, about 10⁻¹⁶·|L|/ε, and its relative
    error says nothing; the absolute tolerance lets it pass. By default ``absolute_tolerance`` is
    ``tolerance``·10⁻³ (10⁻⁹ for the default tolerance, about ten times that noise for ε = 10⁻⁶
    and a loss of order 1); 0 makes the check purely relative.

    **Kinks.** For each failing entry the one-sided differences (L(w + h) − L(w))/h and
    (L(w) − L(w − h))/h are compared at h = ε and h = ε/2. When they disagree by the same rule
    (and beyond rounding noise), and their difference does not shrink with h (a jump in the
    derivative, not curvature, which gives ≈ L″·h), the step crosses a kink (ReLU at 0, ReLU6
    at 6, a hard sigmoid's corners, |·|, …) where backpropagation's choice of one slope and the
    central difference's average of two are both right: the entry is reported as inconclusive,
    with the samples whose outputs bend there, and a parameter whose only mismatches are at
    kinks passes. (Several kinks crossed at once whose bends cancel can still show as an error.)

    **Blame.** A wrong backward sends a wrong gradient to every layer before it, so the last
    failing layer in forward order is blamed and the failing layers before it are reported as
    inheriting its error (``ParameterCheck.inherits``, ``GradcheckReport.blamed``).

    Args:
        epsilon: the finite-difference step ε (> 0).
        tolerance: the relative tolerance (> 0).
        absolute_tolerance: the absolute tolerance (≥ 0); ``tolerance``·10⁻³ by default.

    Raises:
        ValueError: for a tolerance or ε that is not a positive finite number.

    >>> report = gn.gradcheck(model, x, y)  # doctest: +SKIP
    >>> report.blamed, [k.index for _, k in report.kinks]  # doctest: +SKIP
    (None, [(0,), (1,)])
    """
    model.require_compiled("gradcheck")
    check_number("gradcheck tolerance", tolerance, low=0.0, low_open=True)
    check_number("gradcheck epsilon", epsilon, low=0.0, low_open=True)
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
        report = GradcheckReport(tolerance, absolute_tolerance=absolute_tolerance)

        def loss() -> float:
            return float(probe.evaluate(x, y, batch_size=n, verbose=0, return_dict=True)["loss"])

        f0 = loss()
        # rounding noise of a one-sided slope at step ε/2, with a wide margin
        noise = 64 * np.finfo(np.float64).eps * (abs(f0) + 1) / (epsilon / 2)
        for variable, analytic_grad in zip(result.variables, result.grads, strict=True):
            array = variable.value
            analytic = np.asarray(analytic_grad, dtype=np.float64)
            f_plus, f_minus = _side_values(loss, array, epsilon)
            numeric = ((f_plus - f_minus) / (2 * epsilon)).reshape(array.shape)
            wrong = entry_errors(analytic, numeric, tolerance, absolute_tolerance).reshape(-1)
            kinks = []
            for i in np.flatnonzero(wrong):
                slope_plus = (f_plus[i] - f0) / epsilon  # (L(w + ε) − L(w))/ε
                slope_minus = (f0 - f_minus[i]) / epsilon  # (L(w) − L(w − ε))/ε
                jump = abs(slope_plus - slope_minus)
                if jump <= noise or not entry_errors(
                    slope_plus, slope_minus, tolerance, absolute_tolerance
                ):
                    continue  # the one-sided slopes agree: a smooth point
                half_plus, half_minus = _side_values(loss, array, epsilon / 2, [i])
                half_jump = abs(half_plus[0] - 2 * f0 + half_minus[0]) / (epsilon / 2)
                if half_jump < _KINK_PERSISTENCE * jump:
                    continue  # the slopes' difference shrinks with the step: curvature
                wrong[i] = False
                index = tuple(int(j) for j in np.unravel_index(i, array.shape))
                kinks.append(Kink(index, _kink_samples(probe, x, n, array, int(i), epsilon)))
            owner = variable.owner
            activation = getattr(getattr(owner, "activation", None), "name", "")
            report.checks.append(
                ParameterCheck(
                    owner.name if owner is not None else "",
                    activation,
                    variable.name,
                    array.shape,
                    relative_error(analytic, numeric),
                    not wrong.any(),
                    float(np.abs(analytic - numeric).max(initial=0.0)),
                    int(wrong.sum()),
                    kinks,
                )
            )
    blamed = report.blamed
    if blamed is not None:
        before = {c.layer for c in report.checks[: _first_index(report.checks, blamed)]}
        for c in report.failures:
            if c.layer != blamed and c.layer in before:
                c.inherits = blamed
    return report


def _first_index(checks: list[ParameterCheck], layer: str) -> int:
    """The position of the first check of ``layer`` (its parameters sit together)."""
    return next(k for k, c in enumerate(checks) if c.layer == layer)
