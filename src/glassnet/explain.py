"""A step-by-step walk through one training step: every matrix of the forward pass, the loss,
every delta and gradient of the backward pass, and the updated weights, each with its shape and
the formula that produced it (the notation of the paper: Z⁽¹⁾ = X·W⁽¹⁾ + b⁽¹⁾, δ⁽²⁾ = A⁽²⁾ − Y …).

The walk runs the model's own layer methods on a copy of the model, so the numbers are exactly
those ``fit`` would compute, and the model itself is left untouched.

>>> steps = model.explain(x, y)  # doctest: +SKIP
>>> print(steps)  # doctest: +SKIP
>>> steps["delta2"]  # doctest: +SKIP
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from glassnet.layers import Dense, Dropout, InputLayer

if TYPE_CHECKING:
    from glassnet.models import Sequential

_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _sup(i: int) -> str:
    return f"⁽{str(i).translate(_SUPERSCRIPT)}⁾"


@dataclass
class Step:
    """One quantity of the walk: its key (``"Z1"``), symbol (``Z⁽¹⁾``), formula and value."""

    key: str
    symbol: str
    formula: str
    value: np.ndarray
    phase: str  # "forward", "loss", "backward" or "update"
    note: str = ""

    @property
    def heading(self) -> str:
        relation = "←" if self.phase == "update" else "="
        return f"{self.symbol} {relation} {self.formula}" if self.formula else self.symbol


@dataclass
class Explanation:
    """The steps of one forward pass, backward pass and update, in order."""

    steps: list[Step] = field(default_factory=list)
    max_rows: int = 6
    max_cols: int = 6

    def add(
        self, key: str, symbol: str, formula: str, value: Any, phase: str, note: str = ""
    ) -> None:
        self.steps.append(Step(key, symbol, formula, np.array(value, copy=True), phase, note))

    def __getitem__(self, key: str) -> np.ndarray:
        for step in self.steps:
            if step.key == key:
                return step.value
        raise KeyError(f"no step {key!r}; steps: {', '.join(s.key for s in self.steps)}")

    def __contains__(self, key: object) -> bool:
        return any(step.key == key for step in self.steps)

    def keys(self) -> list[str]:
        return [s.key for s in self.steps]

    def _matrix(self, value: np.ndarray) -> str:
        """The matrix, or its top-left corner when it is large (shapes stay exact)."""
        v = np.atleast_2d(value) if value.ndim <= 2 else value.reshape(len(value), -1)
        corner = v[: self.max_rows, : self.max_cols]
        text = np.array2string(corner, precision=4, suppress_small=True, max_line_width=120)
        if v.shape[0] > self.max_rows or v.shape[1] > self.max_cols:
            text += (
                f"\n… (top-left {corner.shape[0]}×{corner.shape[1]} of {v.shape[0]}×{v.shape[1]})"
            )
        return text

    @staticmethod
    def _shape(value: np.ndarray) -> str:
        return "scalar" if value.ndim == 0 else " × ".join(map(str, value.shape))

    def to_text(self) -> str:
        """Terminal text: a heading per phase, then each quantity with formula and shape."""
        lines: list[str] = []
        phase = None
        titles = {
            "forward": "FORWARD PASS",
            "loss": "LOSS",
            "backward": "BACKWARD PASS",
            "update": "UPDATE",
        }
        for s in self.steps:
            if s.phase != phase:
                phase = s.phase
                lines += ["", f"── {titles[phase]} " + "─" * (60 - len(titles[phase]))]
            lines.append(
                f"{s.heading}    [{self._shape(s.value)}]" + (f"  {s.note}" if s.note else "")
            )
            body = f"{float(s.value):.6g}" if s.value.ndim == 0 else self._matrix(s.value)
            lines += ["    " + line for line in body.splitlines()]
        return "\n".join(lines).lstrip("\n")

    def to_markdown(self) -> str:
        """Markdown: a section per phase, each quantity as a formula and a code block."""
        out: list[str] = []
        phase = None
        for s in self.steps:
            if s.phase != phase:
                phase = s.phase
                out += [f"### {phase.capitalize()}", ""]
            out.append(
                f"**{s.heading}** ({self._shape(s.value)})" + (f" — {s.note}" if s.note else "")
            )
            body = f"{float(s.value):.6g}" if s.value.ndim == 0 else self._matrix(s.value)
            out += ["", "```", body, "```", ""]
        return "\n".join(out)

    def __str__(self) -> str:
        return self.to_text()


def explain(model: Sequential, x: Any, y: Any) -> Explanation:
    """Walk one training step of ``model`` on (x, y), on a copy of the model.

    Dense layers are numbered 1, 2, … from the input; A⁽⁰⁾ = X.
    """
    model._require_compiled("explain")
    work = copy.deepcopy(model)
    xs = work._check_x(x)
    ys = work._check_y(y, len(xs))
    assert work.loss is not None and work.optimizer is not None
    ex = Explanation()
    ex.add("X", "X = A⁽⁰⁾", "", xs, "forward", "the inputs, one row per sample")

    # forward: layer by layer, recording what each layer caches
    numbers: list[int] = []
    a = xs
    n = 0
    for layer in work.layers:
        a = layer.forward(a, training=True)
        if isinstance(layer, Dense):
            n += 1
            prev = "X" if n == 1 else f"A{_sup(n - 1)}"
            ex.add(f"W{n}", f"W{_sup(n)}", "", layer.kernel, "forward", f"layer {layer.name!r}")
            bias = f" + b{_sup(n)}" if layer.use_bias else ""
            if layer.use_bias:
                ex.add(f"b{n}", f"b{_sup(n)}", "", layer.bias, "forward")
            ex.add(f"Z{n}", f"Z{_sup(n)}", f"{prev}·W{_sup(n)}{bias}", layer._z, "forward")
            ex.add(
                f"A{n}", f"A{_sup(n)}", f"{layer.activation.name}(Z{_sup(n)})", layer._a, "forward"
            )
        elif not isinstance(layer, InputLayer):
            ex.add(
                f"out_{layer.name}",
                f"{layer.name}",
                type(layer).__name__,
                a,
                "forward",
                "dropout mask applied" if isinstance(layer, Dropout) else "",
            )
        numbers.append(n)

    # the loss and its derivative
    loss = work._loss_value(ys, a)
    ex.add("loss", "L", f"{work.loss.name}(Y, A{_sup(n)})", np.float64(loss), "loss")
    layers = work.layers
    last = len(layers) - 1
    first = work._first_trainable
    grad: Any
    if work._fused:
        # the binary cross-entropy averages over outputs too, the categorical ones do not
        divisor = "n·k" if work.loss.name == "binary_crossentropy" and a.shape[1] > 1 else "n"
        output_activation = getattr(layers[last], "activation", None)
        grad = work.loss.fused_gradient(ys, a)
        ex.add(
            f"delta{n}",
            f"δ{_sup(n)} = ∂L/∂Z{_sup(n)}",
            f"(A{_sup(n)} − Y) / {divisor}",
            grad,
            "backward",
            f"{work.loss.name} fused with {getattr(output_activation, 'name', '')}",
        )
        grad = _backward_linear(ex, layers[last], grad, n, last > first)
        last -= 1
    else:
        grad = work.loss.gradient(ys, a)
        ex.add(f"dA{n}", f"∂L/∂A{_sup(n)}", f"{work.loss.name}′(Y, A{_sup(n)})", grad, "backward")

    # backward: from the last layer to the first
    for i in range(last, first - 1, -1):
        layer, k = layers[i], numbers[i]
        if isinstance(layer, Dense):
            dz = layer.activation.backward(grad, layer._z, layer._a)
            ex.add(
                f"delta{k}",
                f"δ{_sup(k)} = ∂L/∂Z{_sup(k)}",
                f"∂L/∂A{_sup(k)} ⊙ {layer.activation.name}′(Z{_sup(k)})",
                dz,
                "backward",
            )
            grad = _backward_linear(ex, layer, dz, k, i > first)
        else:
            grad = layer.backward(grad, i > first)
            if grad is not None:
                ex.add(
                    f"d_{layer.name}",
                    f"∂L/∂(input of {layer.name})",
                    f"{type(layer).__name__} backward",
                    grad,
                    "backward",
                )

    # the update, by the model's own optimizer
    work.optimizer.apply(work._params, work._grads)
    rule = _update_rule(work.optimizer)
    k = 0
    for layer in work.layers:
        if isinstance(layer, Dense):
            k += 1
            ex.add(f"W{k}_new", f"W{_sup(k)}", rule.format(p=f"W{_sup(k)}"), layer.kernel, "update")
            if layer.use_bias:
                ex.add(
                    f"b{k}_new", f"b{_sup(k)}", rule.format(p=f"b{_sup(k)}"), layer.bias, "update"
                )
    return ex


def _backward_linear(
    ex: Explanation, layer: Any, dz: np.ndarray, k: int, need_input_grad: bool
) -> np.ndarray | None:
    grad = layer.backward_preactivation(dz, need_input_grad)
    prev = "X" if k == 1 else f"A{_sup(k - 1)}"
    ex.add(f"dW{k}", f"∂L/∂W{_sup(k)}", f"{prev}ᵀ·δ{_sup(k)}", layer.grads[0], "backward")
    if layer.use_bias:
        ex.add(f"db{k}", f"∂L/∂b{_sup(k)}", f"Σ_samples δ{_sup(k)}", layer.grads[1], "backward")
    if grad is not None:
        ex.add(f"dA{k - 1}", f"∂L/∂A{_sup(k - 1)}", f"δ{_sup(k)}·W{_sup(k)}ᵀ", grad, "backward")
    return grad


def _update_rule(optimizer: Any) -> str:
    name = type(optimizer).__name__
    lr = f"{optimizer.learning_rate:g}"
    if name == "SGD" and optimizer.momentum == 0:
        return f"{{p}} − {lr}·∂L/∂{{p}}"
    return f"{name} step on {{p}} (learning rate {lr})"
