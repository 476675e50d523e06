"""A step-by-step walk through one training step: every matrix of the forward pass, the loss,
every delta and gradient of the backward pass, and the updated weights, each with its shape and
the formula that produced it (the notation of the paper: Z⁽¹⁾ = X·W⁽¹⁾ + b⁽¹⁾, δ⁽²⁾ = A⁽²⁾ − Y …).

The walk reads the tape of one ``train_step`` run on a copy of the model: the numbers are exactly
those ``fit`` computes, for every kind of model (Sequential, functional, subclassed), and the
model itself is left untouched. Each recorded operation is numbered k = 1, 2, … in the order it
ran; its output is A⁽ᵏ⁾ (a Dense layer also shows its pre-activation Z⁽ᵏ⁾), and a Dense layer's
weights are W⁽ᵏ⁾, b⁽ᵏ⁾ after the first call that used them.

>>> steps = model.explain(x, y)  # doctest: +SKIP
>>> print(steps)  # doctest: +SKIP
>>> steps["delta2"]  # doctest: +SKIP
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from glassnet.layers import Dense, Dropout
from glassnet.tape import Node, Tensor, Variable

if TYPE_CHECKING:
    from glassnet.models import Model

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
    """The steps of one forward pass, backward pass and update, in order.

    ``targets`` holds the targets Y each loss compares with (shown with the loss), and
    ``loss_after`` the loss L′ of the same (x, y) with the updated weights, computed as
    ``evaluate`` does (inference mode: no dropout), so that L′ − L shows what the step did.
    """

    steps: list[Step] = field(default_factory=list)
    max_rows: int = 6
    max_cols: int = 6
    targets: list[tuple[str, np.ndarray]] = field(default_factory=list)
    loss_after: float | None = None
    loss_before: float | None = None

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

    def _body(self, value: np.ndarray) -> str:
        if value.ndim == 0:
            return f"{float(value):.6g}"
        # labels (one per sample) as a column, one row per sample as everywhere else
        return self._matrix(value.reshape(-1, 1) if value.ndim == 1 else value)

    def _shown(self) -> list[tuple[str, str, str, str, str]]:
        """(phase, heading, shape, note, body) of everything shown: the steps, the targets at
        the start of the loss phase, and the loss after the update at the end."""
        rows = []
        targets_shown = False
        for s in self.steps:
            if s.phase == "loss" and not targets_shown:
                for symbol, value in self.targets:
                    note = "the targets, one row per sample"
                    rows.append(("loss", symbol, self._shape(value), note, self._body(value)))
                targets_shown = True
            rows.append((s.phase, s.heading, self._shape(s.value), s.note, self._body(s.value)))
        if self.loss_after is not None:
            change = (
                f"L′ − L = {self.loss_after - self.loss_before:+.6g}"
                if self.loss_before is not None
                else ""
            )
            rows.append(
                (
                    "after",
                    "L′ = L with the updated weights",
                    "scalar",
                    f"inference mode, as evaluate; {change}" if change else "inference mode",
                    f"{self.loss_after:.6g}",
                )
            )
        return rows

    def to_text(self) -> str:
        """Terminal text: a heading per phase, then each quantity with formula and shape."""
        lines: list[str] = []
        phase = None
        titles = {
            "forward": "FORWARD PASS",
            "loss": "LOSS",
            "backward": "BACKWARD PASS",
            "update": "UPDATE",
            "after": "LOSS AFTER THE UPDATE",
        }
        for row_phase, heading, shape, note, body in self._shown():
            if row_phase != phase:
                phase = row_phase
                lines += ["", f"── {titles[phase]} " + "─" * (60 - len(titles[phase]))]
            lines.append(f"{heading}    [{shape}]" + (f"  {note}" if note else ""))
            lines += ["    " + line for line in body.splitlines()]
        return "\n".join(lines).lstrip("\n")

    def to_markdown(self) -> str:
        """Markdown: a section per phase, each quantity as a formula and a code block."""
        out: list[str] = []
        phase = None
        titles = {"after": "Loss after the update"}
        for row_phase, heading, shape, note, body in self._shown():
            if row_phase != phase:
                phase = row_phase
                out += [f"### {titles.get(phase, phase.capitalize())}", ""]
            out.append(f"**{heading}** ({shape})" + (f" — {note}" if note else ""))
            out += ["", "```", body, "```", ""]
        return "\n".join(out)

    def __str__(self) -> str:
        return self.to_text()


def explain(model: Model, x: Any, y: Any) -> Explanation:
    """Walk one training step of ``model`` on (x, y), read from its tape, on a copy of the model."""
    model.require_compiled("explain")
    work = copy.deepcopy(model)
    before = [v.value.copy() for v in work.trainable_weights]
    result = work.train_step(x, y, apply=True)
    explanation = _Walk(work, result, before).run()
    explanation.loss_before = float(result.loss)
    explanation.loss_after = _loss_after(work, x, y)
    return explanation


def _loss_after(model: Model, x: Any, y: Any) -> float | None:
    """L′: the loss of (x, y) with the updated weights, as ``evaluate`` computes it; None for a
    model whose loss cannot be evaluated on (x, y) alone (say, one fed by a layer's add_loss
    that needs training mode)."""
    try:
        values = model.test_on_batch(x, y, return_dict=True)
    except (ValueError, TypeError, KeyError):
        return None
    assert isinstance(values, dict)
    return float(values["loss"])


class _Walk:
    """Names every recorded value (X, Z⁽ᵏ⁾, A⁽ᵏ⁾, W⁽ᵏ⁾, …) and lays out the three phases."""

    def __init__(self, model: Any, result: Any, before: list[np.ndarray]) -> None:
        self.model, self.result, self.before = model, result, before
        self.ex = Explanation()
        self.symbol: dict[int, str] = {}  # id(value) → its symbol
        self.key: dict[int, str] = {}  # id(value) → its key
        self.number: dict[int, int] = {}  # id(node) → k
        self.layer_number: dict[int, int] = {}  # id(layer) → k of its first call
        self.uses: dict[int, int] = {}  # id(tensor) → how many nodes read it
        self.calls: dict[int, int] = {}  # id(op) → how many times it ran (a shared layer: > 1)

    # -- symbols -------------------------------------------------------------------------------
    def _name(self, value: Any) -> str:
        if isinstance(value, (Tensor, Variable, np.ndarray)) and _ident(value) in self.symbol:
            return self.symbol[_ident(value)]
        if np.ndim(value) == 0:
            return f"{float(value):g}"
        return f"C{list(np.shape(value))}"  # a constant array

    def _weight_symbol(self, variable: Variable, k: int) -> tuple[str, str]:
        owner = variable.owner
        if isinstance(owner, Dense):
            letter = "W" if variable is owner.kernel else "b"
            return f"{letter}{_sup(k)}", f"{letter}{k}"
        return variable.path, variable.path

    def _name_weights(self, node: Node, k: int) -> None:
        layer = node.op
        first = self.layer_number.setdefault(id(layer), k) if isinstance(layer, Dense) else k
        for value in node.inputs:
            if isinstance(value, Variable) and id(value) not in self.symbol:
                symbol, key = self._weight_symbol(value, first)
                self.symbol[id(value)], self.key[id(value)] = symbol, key
                self.ex.add(
                    key,
                    symbol,
                    "",
                    self._initial(value),  # the weight before this step's update
                    "forward",
                    f"layer {value.owner.name!r}" if value.owner is not None else "",
                )

    def _initial(self, variable: Variable) -> np.ndarray:
        for v, w in zip(self.result.variables, self.before, strict=True):
            if v is variable:
                return w
        return variable.value

    # -- the three phases ------------------------------------------------------------------------
    def run(self) -> Explanation:
        ex, result = self.ex, self.result
        for i, arr in enumerate(result.inputs):
            symbol = "X = A⁽⁰⁾" if len(result.inputs) == 1 else f"X{_sub(i + 1)}"
            self.symbol[id(arr)] = "X" if len(result.inputs) == 1 else f"X{_sub(i + 1)}"
            key = "X" if len(result.inputs) == 1 else f"X{i + 1}"
            self.key[id(arr)] = key
            ex.add(key, symbol, "", arr, "forward", "the inputs, one row per sample")
        nodes = list(result.tape.nodes)
        for node in nodes:
            self.calls[id(node.op)] = self.calls.get(id(node.op), 0) + 1
            for value in node.inputs:
                if isinstance(value, Tensor):
                    self.uses[_ident(value)] = self.uses.get(_ident(value), 0) + 1
        for k, node in enumerate(nodes, start=1):
            self.number[id(node)] = k
            self._forward(node, k)
        self._loss()
        for node in reversed(nodes):
            self._backward(node)
        self._update()
        return ex

    def _forward(self, node: Node, k: int) -> None:
        ex, op = self.ex, node.op
        ins = [self._name(v) for v in node.inputs if not isinstance(v, Variable)]
        value = node.value
        assert value is not None
        a_symbol, a_key = f"A{_sup(k)}", f"A{k}"
        self._name_weights(node, k)
        if isinstance(op, Dense):
            weights = [self._name(v) for v in node.inputs if isinstance(v, Variable)]
            bias = f" + {weights[1]}" if op.use_bias else ""
            ex.add(
                f"Z{k}",
                f"Z{_sup(k)}",
                f"{ins[0]}·{weights[0]}{bias}",
                node.z,
                "forward",
                f"layer {op.name!r}" if len(ins) else "",
            )
            ex.add(a_key, a_symbol, f"{op.activation.name}(Z{_sup(k)})", node.a, "forward")
        elif isinstance(op, Dropout):
            if node.mask is None:
                ex.add(a_key, a_symbol, ins[0], value, "forward", f"{op.name!r}: inactive")
            else:
                keep = (node.mask != 0).astype(value.dtype)
                ex.add(
                    f"M{k}",
                    f"M{_sup(k)}",
                    f"Bernoulli(1 − {op.rate:g})",
                    keep,
                    "forward",
                    f"dropout mask of {op.name!r}: 1 keeps a unit, 0 drops it",
                )
                ex.add(
                    a_key,
                    a_symbol,
                    f"{ins[0]} ⊙ M{_sup(k)} / (1 − {op.rate:g})",
                    value,
                    "forward",
                )
        else:
            formula = op.formula(ins) if hasattr(op, "weights") else _op_formula(op, node, self)
            note = f"layer {op.name!r}" if hasattr(op, "weights") else f"ops.{op.name}"
            ex.add(a_key, a_symbol, formula, value, "forward", note)
        self.symbol[id(node)], self.key[id(node)] = a_symbol, a_key

    def _loss(self) -> None:
        model, result, ex = self.model, self.result, self.ex
        names = model.output_names
        for i, (loss, value) in enumerate(
            zip(model.output_losses, result.output_losses, strict=True)
        ):
            if loss is None:  # an output without a loss (its model's loss comes from add_loss)
                continue
            out = result.tape.nodes and self._output_symbol(i)
            key = "loss" if len(names) == 1 else f"loss_{names[i]}"
            symbol = "L" if len(names) == 1 else f"L({names[i]})"
            target = "Y" if len(names) == 1 else f"Y({names[i]})"
            ex.targets.append((target, np.array(result.targets[i], copy=True)))
            ex.add(key, symbol, f"{loss.name}(Y, {out})", np.float64(value), "loss")
            suffix = "" if len(names) == 1 else f"_{names[i]}"
            for term_key, term, definition, term_value, note in loss.target_terms(
                result.targets[i]
            ):
                ex.add(term_key + suffix, term, definition, term_value, "loss", note)
        if len(names) > 1:
            terms = " + ".join(
                f"{w:g}·L({n})"
                for w, n, loss in zip(model.loss_weights, names, model.output_losses, strict=True)
                if loss is not None
            )
            ex.add("loss", "L", terms, np.float64(result.loss), "loss", "weighted by loss_weights")

    def _output_symbol(self, i: int) -> str:
        # the symbol of output i: the last value of the node that made it
        out = self.result.outputs[i]
        for node in self.result.tape.nodes:
            if node.value is out:
                return self.symbol[id(node)]
        return "A"

    def _backward(self, node: Node) -> None:
        ex, op = self.ex, node.op
        k = self.number[id(node)]
        grad = node.grad_output
        fused = self.result.fused.get(node)
        if grad is None and fused is None:
            return
        a_sym = self.symbol[id(node)]
        if grad is not None and not (isinstance(op, Dense) and fused is not None):
            uses = self.uses.get(id(node), 0)
            if uses > 1:
                ex.add(f"dA{k}", f"∂L/∂{a_sym}", f"Σ over its {uses} uses", grad, "backward")
            elif uses == 0 and self._logits_delta(node) is None:
                ex.add(f"dA{k}", f"∂L/∂{a_sym}", self._seed_formula(node, a_sym), grad, "backward")
        if not any(node.needs):
            return
        if isinstance(op, Dense):
            self._backward_dense(node, k, fused)
            return
        for i, (value, g) in enumerate(zip(node.inputs, node.grad_inputs, strict=True)):
            if g is None:
                continue
            in_sym = self._name(value)
            if isinstance(value, Variable):
                formula = _grad_formula(op, node, i, self) or f"through {self._describe(op)}"
                ex.add(
                    f"d{self.key[id(value)]}_{k}",
                    f"∂L/∂{in_sym}",
                    formula,
                    g,
                    "backward",
                    f"from step {k}",
                )
                continue
            formula = (
                _grad_formula(op, node, i, self) or f"∂L/∂{a_sym} through {self._describe(op)}"
            )
            self._input_grad(value, formula, g, k)

    def _backward_dense(self, node: Node, k: int, fused: np.ndarray | None) -> None:
        ex, op = self.ex, node.op
        weights = [v for v in node.inputs if isinstance(v, Variable)]
        w_sym = self.symbol[id(weights[0])]
        in_value = node.inputs[0]
        in_sym = self._name(in_value)
        logits = self._logits_delta(node)
        if fused is not None:
            loss = self._loss_for(node)
            formula = self._delta_text(node, f"A{_sup(k)}")
            if formula is None:  # a loss of one's own with a fused gradient but no text for it
                formula = f"{loss}′(Y, A{_sup(k)}) through {op.activation.name}"
            ex.add(
                f"delta{k}",
                f"δ{_sup(k)} = ∂L/∂Z{_sup(k)}",
                formula,
                node.delta,
                "backward",
                f"{loss} fused with {op.activation.name}",
            )
        elif logits is not None:
            ex.add(
                f"delta{k}",
                f"δ{_sup(k)} = ∂L/∂Z{_sup(k)}",
                logits,
                node.delta,
                "backward",
                f"{self._loss_for(node)} from logits: the output layer is linear, "
                f"A{_sup(k)} = Z{_sup(k)}",
            )
        else:
            ex.add(
                f"delta{k}",
                f"δ{_sup(k)} = ∂L/∂Z{_sup(k)}",
                f"∂L/∂A{_sup(k)} ⊙ {op.activation.name}′(Z{_sup(k)})",
                node.delta,
                "backward",
            )
        grads = node.grad_inputs
        layer_k = self.layer_number.get(id(op), k)
        shared = self.calls.get(id(op), 1) > 1
        suffix = f"_from{k}" if shared else ""
        via = f" (via step {k})" if shared else ""
        if grads[1] is not None:
            ex.add(
                f"dW{layer_k}{suffix}",
                f"∂L/∂{w_sym}{via}",
                f"{in_sym}ᵀ·δ{_sup(k)}",
                grads[1],
                "backward",
            )
        if op.use_bias and grads[2] is not None:
            b_sym = self.symbol[id(weights[1])]
            ex.add(
                f"db{layer_k}{suffix}",
                f"∂L/∂{b_sym}{via}",
                f"Σ_samples δ{_sup(k)}",
                grads[2],
                "backward",
            )
        if grads[0] is not None:
            self._input_grad(in_value, f"δ{_sup(k)}·{w_sym}ᵀ", grads[0], k)

    def _input_grad(self, value: Any, formula: str, grad: np.ndarray, k: int) -> None:
        key = self.key.get(_ident(value), "input")
        symbol = self._name(value)
        producer = key[1:] if key.startswith("A") else key
        if self.uses.get(_ident(value), 0) > 1:
            self.ex.add(
                f"dA{producer}_from{k}", f"∂L/∂{symbol} (via step {k})", formula, grad, "backward"
            )
        else:
            self.ex.add(f"dA{producer}", f"∂L/∂{symbol}", formula, grad, "backward")

    def _loss_for(self, node: Node) -> str:
        loss = self._loss_object(node)
        return loss.name if loss is not None else "loss"

    def _output_index(self, node: Node) -> int | None:
        for i, value in enumerate(self.result.outputs):
            if node.value is value:
                return i
        return None

    def _loss_object(self, node: Node) -> Any:
        i = self._output_index(node)
        return None if i is None else self.model.output_losses[i]

    def _loss_weight(self, node: Node) -> float:
        i = self._output_index(node)
        return 1.0 if i is None else float(self.model.loss_weights[i])

    def _scaled(self, node: Node, formula: str) -> str:
        """The formula times the output's loss weight w, as w·(…)."""
        weight = self._loss_weight(node)
        if weight == 1.0:
            return formula
        return f"{weight:g}·({formula})" if _top_level_minus(formula) else f"{weight:g}·{formula}"

    def _delta_text(self, node: Node, output: str) -> str | None:
        """∂L/∂Z written by the output's loss for its options (see Loss.delta_formula)."""
        i = self._output_index(node)
        if i is None:
            return None
        loss = self.model.output_losses[i]
        if loss is None:
            return None
        out = self.result.outputs[i]
        width = int(out.shape[-1]) if out.ndim > 1 else 1
        formula = loss.delta_formula(self.result.targets[i], output, width)
        return None if formula is None else self._scaled(node, formula)

    def _logits_delta(self, node: Node) -> str | None:
        """δ of a linear output Dense layer whose loss takes logits: the loss's ∂L/∂Z text."""
        loss = self._loss_object(node)
        if (
            loss is None
            or not loss.from_logits
            or not isinstance(node.op, Dense)
            or node.op.activation.name != "linear"
        ):
            return None
        return self._delta_text(node, f"Z{_sup(self.number[id(node)])}")

    def _seed_formula(self, node: Node, a_sym: str) -> str:
        """∂L/∂A of an output: the loss's own text from logits, else L′(Y, A)."""
        loss = self._loss_object(node)
        if loss is not None and loss.from_logits:
            formula = self._delta_text(node, a_sym)
            if formula is not None:
                return formula
        return self._scaled(node, f"{self._loss_for(node)}′(Y, {a_sym})")

    @staticmethod
    def _describe(op: Any) -> str:
        return f"{type(op).__name__} {op.name!r}" if hasattr(op, "weights") else f"ops.{op.name}"

    def _update(self) -> None:
        ex, result = self.ex, self.result
        optimizer = self.model.optimizer
        for key, symbol, formula, value, note in optimizer.explain_scalars():
            ex.add(key, symbol, formula, np.float64(value), "update", note)
        for i, variable in enumerate(result.variables):
            key = self.key.get(id(variable), variable.path)
            symbol = self.symbol.get(id(variable), variable.path)
            if len([v for v in result.tape.nodes if any(x is variable for x in v.inputs)]) > 1:
                ex.add(
                    f"d{key}",
                    f"∂L/∂{symbol}",
                    "Σ over the calls that used it",
                    result.grads[i],
                    "update",
                )
            for suffix, row_symbol, formula, value in optimizer.explain_update(symbol, i):
                shown = variable.value if value is None else value
                ex.add(f"{key}_{suffix}", row_symbol, formula, shown, "update")


def _ident(value: Any) -> int:
    """What names a value: the node that made it (a recorded tensor), else the object itself."""
    return id(value.node) if isinstance(value, Tensor) and value.node is not None else id(value)


def _top_level_minus(formula: str) -> bool:
    """Does the formula subtract outside every parenthesis ("A − Y", not "(A − Y) / n")?"""
    depth = 0
    for i, char in enumerate(formula):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and formula.startswith(" − ", i):
            return True
    return False


def _sub(i: int) -> str:
    return str(i).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def _op_formula(op: Any, node: Node, walk: _Walk) -> str:
    names = [walk._name(v) for v in node.inputs]
    try:
        return str(op.formula).format(*names)
    except (IndexError, KeyError):
        return f"{op.name}({', '.join(names)})"


def _grad_formula(op: Any, node: Node, i: int, walk: _Walk) -> str:
    """What the op's backward sends to input i, in the symbols of the walk."""
    names = [walk._name(v) for v in node.inputs]
    d_out = f"∂L/∂{walk.symbol[id(node)]}"
    if isinstance(op, Dropout):
        k = walk.number[id(node)]
        return f"{d_out} ⊙ M{_sup(k)} / (1 − {op.rate:g})" if node.mask is not None else d_out
    if hasattr(op, "grad_formula"):  # a layer
        inputs = [n for v, n in zip(node.inputs, names, strict=True) if not isinstance(v, Variable)]
        return str(op.grad_formula(i, inputs)).replace("∂out", d_out)
    formulas = getattr(op, "grad_formulas", ())
    if i >= len(formulas) or not formulas[i]:
        return ""
    try:
        return str(formulas[i]).replace("∂out", d_out).format(*names)
    except (IndexError, KeyError):
        return ""
