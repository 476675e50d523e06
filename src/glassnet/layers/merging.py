"""Merge layers: several inputs of one shape (or, for Concatenate, one width per input) in, one
output out. Each writes its forward and backward side by side.

>>> x = layers.Add()([h1, h2])  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet.layers.base import Layer, Shape


class Merge(Layer):
    """Base class: a list of at least two inputs of the same shape."""

    def _check_inputs(self, input_shape: Any) -> list[Shape]:
        if not isinstance(input_shape, list) or len(input_shape) < 2:
            raise ValueError(
                f"{type(self).__name__} {self.name!r} merges a list of at least 2 inputs, got "
                f"{input_shape!r}"
            )
        return input_shape

    def build(self, input_shape: Any) -> None:
        shapes = self._check_inputs(input_shape)
        if len({tuple(s[1:]) for s in shapes}) != 1:
            raise ValueError(
                f"{type(self).__name__} {self.name!r} needs inputs of one shape, got "
                + ", ".join(str(tuple(s)) for s in shapes)
            )

    def compute_output_shape(self, input_shape: Any) -> Shape:
        return tuple(self._check_inputs(input_shape)[0])


class Add(Merge):
    """A = X₁ + X₂ + …;  ∂Xᵢ = ∂A."""

    def formula(self, inputs: list[str]) -> str:
        return " + ".join(inputs)

    def grad_formula(self, i: int, inputs: list[str]) -> str:
        return "∂out"

    def forward(self, ctx: Any, xs: list[np.ndarray], training: bool = False) -> np.ndarray:
        out = xs[0] + xs[1]
        for x in xs[2:]:
            out += x  # A = Σ Xᵢ
        return out

    def backward(self, ctx: Any, grad: np.ndarray, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        return tuple(grad if need else None for need in needs)  # ∂Xᵢ = ∂A


class Subtract(Merge):
    """A = X₁ − X₂;  ∂X₁ = ∂A, ∂X₂ = −∂A."""

    def formula(self, inputs: list[str]) -> str:
        return " − ".join(inputs)

    def grad_formula(self, i: int, inputs: list[str]) -> str:
        return "∂out" if i == 0 else "−∂out"

    def build(self, input_shape: Any) -> None:
        super().build(input_shape)
        if len(input_shape) != 2:
            raise ValueError(
                f"Subtract {self.name!r} takes exactly 2 inputs, got {len(input_shape)}"
            )

    def forward(self, ctx: Any, xs: list[np.ndarray], training: bool = False) -> np.ndarray:
        return xs[0] - xs[1]  # A = X₁ − X₂

    def backward(self, ctx: Any, grad: np.ndarray, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        return (grad if needs[0] else None, -grad if needs[1] else None)  # ∂X₁ = ∂A, ∂X₂ = −∂A


class Multiply(Merge):
    """A = X₁ ⊙ X₂ ⊙ …;  ∂Xᵢ = ∂A ⊙ Π_{j≠i} Xⱼ."""

    def formula(self, inputs: list[str]) -> str:
        return " ⊙ ".join(inputs)

    def grad_formula(self, i: int, inputs: list[str]) -> str:
        return " ⊙ ".join(["∂out", *(x for j, x in enumerate(inputs) if j != i)])

    def forward(self, ctx: Any, xs: list[np.ndarray], training: bool = False) -> np.ndarray:
        ctx.xs = xs  # cached for ∂Xᵢ = ∂A ⊙ Π_{j≠i} Xⱼ
        out = xs[0] * xs[1]
        for x in xs[2:]:
            out *= x  # A = Π Xᵢ
        return out

    def backward(self, ctx: Any, grad: np.ndarray, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        xs = ctx.xs
        grads: list[np.ndarray | None] = []
        for i, need in enumerate(needs):
            if not need:
                grads.append(None)
                continue
            g = grad.copy()
            for j, x in enumerate(xs):
                if j != i:
                    g *= x  # ∂Xᵢ = ∂A ⊙ Π_{j≠i} Xⱼ
            grads.append(g)
        return tuple(grads)


class Average(Merge):
    """A = (X₁ + … + Xₙ) / n;  ∂Xᵢ = ∂A / n."""

    def formula(self, inputs: list[str]) -> str:
        return f"({' + '.join(inputs)}) / {len(inputs)}"

    def grad_formula(self, i: int, inputs: list[str]) -> str:
        return f"∂out / {len(inputs)}"

    def forward(self, ctx: Any, xs: list[np.ndarray], training: bool = False) -> np.ndarray:
        out = xs[0] + xs[1]
        for x in xs[2:]:
            out += x
        out *= out.dtype.type(1.0 / len(xs))  # A = Σ Xᵢ / n
        return out

    def backward(self, ctx: Any, grad: np.ndarray, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        share = grad * grad.dtype.type(1.0 / len(needs))  # ∂Xᵢ = ∂A / n
        return tuple(share if need else None for need in needs)


class Maximum(Merge):
    """A = max(X₁, X₂, …) elementwise; the gradient goes to the input that won (the first on a
    tie): ∂Xᵢ = ∂A ⊙ [Xᵢ is the max]."""

    _pick: Any = staticmethod(np.argmax)

    def formula(self, inputs: list[str]) -> str:
        return f"{type(self).__name__.lower()[:3]}({', '.join(inputs)})"

    def grad_formula(self, i: int, inputs: list[str]) -> str:
        return f"∂out ⊙ [{inputs[i]} = {self.formula(inputs)}]"

    def forward(self, ctx: Any, xs: list[np.ndarray], training: bool = False) -> np.ndarray:
        stacked = np.stack(xs)
        ctx.winner = winner = np.asarray(self._pick(stacked, axis=0))  # which input won
        return np.take_along_axis(stacked, winner[None], axis=0)[0]  # A = max Xᵢ

    def backward(self, ctx: Any, grad: np.ndarray, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        return tuple(
            grad * (ctx.winner == i) if need else None  # ∂Xᵢ = ∂A ⊙ [Xᵢ won]
            for i, need in enumerate(needs)
        )


class Minimum(Maximum):
    """A = min(X₁, X₂, …) elementwise; ∂Xᵢ = ∂A ⊙ [Xᵢ is the min] (the first on a tie)."""

    _pick = staticmethod(np.argmin)


class Concatenate(Layer):
    """A = [X₁, X₂, …] joined along ``axis``;  ∂Xᵢ = its own slice of ∂A."""

    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = axis

    def build(self, input_shape: Any) -> None:
        if not isinstance(input_shape, list) or len(input_shape) < 2:
            raise ValueError(
                f"Concatenate {self.name!r} joins a list of at least 2 inputs, got {input_shape!r}"
            )
        axis = self._axis(input_shape[0])
        rest = {tuple(d for i, d in enumerate(s) if i not in (0, axis)) for s in input_shape}
        if len(rest) != 1:
            raise ValueError(
                f"Concatenate {self.name!r} needs inputs that differ only along axis {self.axis}, "
                "got " + ", ".join(str(tuple(s)) for s in input_shape)
            )

    def _axis(self, shape: Shape) -> int:
        return self.axis % len(shape)

    def compute_output_shape(self, input_shape: Any) -> Shape:
        axis = self._axis(input_shape[0])
        out = list(input_shape[0])
        out[axis] = sum(s[axis] for s in input_shape)
        return tuple(out)

    def forward(self, ctx: Any, xs: list[np.ndarray], training: bool = False) -> np.ndarray:
        ctx.sizes = [x.shape[self.axis] for x in xs]  # cached to split ∂A
        return np.concatenate(xs, axis=self.axis)  # A = [X₁, X₂, …]

    def backward(self, ctx: Any, grad: np.ndarray, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        cuts = np.cumsum(ctx.sizes)[:-1].tolist()
        parts = np.split(grad, cuts, axis=self.axis)  # ∂Xᵢ = slice of ∂A
        return tuple(p if need else None for p, need in zip(parts, needs, strict=True))

    def formula(self, inputs: list[str]) -> str:
        return f"[{', '.join(inputs)}]"

    def grad_formula(self, i: int, inputs: list[str]) -> str:
        return f"the columns of ∂out that came from {inputs[i]}"

    def get_config(self) -> dict[str, Any]:
        cfg = super().get_config()
        cfg["axis"] = self.axis
        return cfg
