"""Weight regularizers: ``regularizer(w)`` is a penalty R(w) added to the loss, as in Keras 3.

L1: R(w) = l1·Σ|w|;  L2: R(w) = l2·Σw² (no ½, as Keras);  L1L2: the sum of both.

Each penalty is written with ``glassnet.ops``: given a weight (a ``Variable``) or a recorded
tensor while a ``Tape`` records, the penalty is recorded too and backpropagation differentiates
it (∂R/∂w = l1·sign(w) + 2·l2·w); given a plain NumPy array, it is a NumPy scalar.

>>> from glassnet import regularizers
>>> float(regularizers.get("l2")(np.array([1.0, -2.0])))  # 0.01·(1 + 4)
0.05
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from glassnet import config, ops
from glassnet.registry import Registry
from glassnet.tape import array_of


class Regularizer:
    """Base class: ``__call__(x)`` returns the penalty R(x), written with ``glassnet.ops``.
    The base class adds no penalty (R = 0), as Keras's."""

    name = "regularizer"

    def __call__(self, x: Any) -> Any:
        return _dtype(x).type(0.0)

    def get_config(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Regularizer:
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.get_config() == other.get_config()

    def __hash__(self) -> int:
        return hash((type(self), tuple(sorted(self.get_config().items()))))


class L1(Regularizer):
    """R(x) = l1·Σ|x|; its gradient is l1·sign(x) (0 at x = 0)."""

    name = "l1"

    def __init__(self, l1: float | None = 0.01) -> None:
        self.l1 = _factor("L1 l1", 0.01 if l1 is None else l1)

    def __call__(self, x: Any) -> Any:
        l1 = _cast(self.l1, x)
        return ops.multiply(l1, ops.sum(ops.abs(x)))  # l1·Σ|x|

    def get_config(self) -> dict[str, Any]:
        return {"l1": self.l1}


class L2(Regularizer):
    """R(x) = l2·Σx² (Keras's form: no ½, so the gradient is 2·l2·x; "weight decay" λ with
    w -= lr·λ·w corresponds to l2 = λ/2)."""

    name = "l2"

    def __init__(self, l2: float | None = 0.01) -> None:
        self.l2 = _factor("L2 l2", 0.01 if l2 is None else l2)

    def __call__(self, x: Any) -> Any:
        l2 = _cast(self.l2, x)
        return ops.multiply(l2, ops.sum(ops.square(x)))  # l2·Σx²

    def get_config(self) -> dict[str, Any]:
        return {"l2": self.l2}


class L1L2(Regularizer):
    """R(x) = l1·Σ|x| + l2·Σx². Both default to 0 (Keras 3's class; Keras 2's ``l1_l2``
    function defaulted to 0.01 each); a term whose factor is 0 is left out."""

    name = "l1_l2"

    def __init__(self, l1: float | None = 0.0, l2: float | None = 0.0) -> None:
        self.l1 = _factor("L1L2 l1", 0.0 if l1 is None else l1)
        self.l2 = _factor("L1L2 l2", 0.0 if l2 is None else l2)

    def __call__(self, x: Any) -> Any:
        penalty: Any = None
        if self.l1 != 0.0:
            penalty = ops.multiply(_cast(self.l1, x), ops.sum(ops.abs(x)))  # l1·Σ|x|
        if self.l2 != 0.0:
            l2_term = ops.multiply(_cast(self.l2, x), ops.sum(ops.square(x)))  # l2·Σx²
            penalty = l2_term if penalty is None else ops.add(penalty, l2_term)
        return _dtype(x).type(0.0) if penalty is None else penalty

    def get_config(self) -> dict[str, Any]:
        return {"l1": self.l1, "l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    """Pushes the rows (or columns) of a 2-D weight towards orthogonality (Keras's form):

    U = the rows of x, each divided by its norm (at most 1/ε, ε = ``config.epsilon()``),
    R(x) = factor · ½ · Σ_{i≠j} |(UUᵀ)_ij| / (n(n − 1)/2), n = the number of rows;
    ``mode="columns"`` does the same with the columns (UᵀU).
    """

    name = "orthogonal_regularizer"

    def __init__(self, factor: float = 0.01, mode: str = "rows") -> None:
        self.factor = _factor("OrthogonalRegularizer factor", factor)
        if mode not in ("rows", "columns"):
            raise ValueError(
                f"OrthogonalRegularizer mode must be 'rows' or 'columns', got {mode!r}"
            )
        self.mode = mode

    def __call__(self, x: Any) -> Any:
        shape = np.shape(array_of(x))
        if len(shape) != 2:
            raise ValueError(f"OrthogonalRegularizer needs a 2-D weight, got shape {shape}")
        rows = self.mode == "rows"
        size = shape[0] if rows else shape[1]
        if size < 2:
            raise ValueError(
                f"OrthogonalRegularizer (mode={self.mode!r}) needs at least 2 {self.mode} to "
                f"compare, got shape {shape}"
            )
        eps = config.epsilon()
        squares = ops.sum(ops.square(x), axis=1 if rows else 0, keepdims=True)  # Σ x² per row
        # 1/√max(Σx², ε²) = min(1/‖x‖, 1/ε), Keras's normalize, without a division by zero
        unit = ops.multiply(x, ops.divide(1.0, ops.sqrt(ops.maximum(squares, eps * eps))))
        gram = (
            ops.matmul(unit, ops.transpose(unit))  # UUᵀ: cosines between rows
            if rows
            else ops.matmul(ops.transpose(unit), unit)  # UᵀU: between columns
        )
        off_diagonal = ops.multiply(gram, 1.0 - np.eye(size, dtype=_dtype(x)))
        pairs = size * (size - 1) / 2.0
        total = ops.sum(ops.abs(off_diagonal))
        return ops.multiply(_cast(self.factor * 0.5 / pairs, x), total)  # factor·½·Σ|·| / pairs

    def get_config(self) -> dict[str, Any]:
        return {"factor": self.factor, "mode": self.mode}


def _factor(what: str, value: Any) -> float:
    """A penalty factor: a finite number ≥ 0, as a float."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(
            f"{what} must be a non-negative finite number, got {type(value).__name__}: {value!r}"
        )
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{what} must be a non-negative finite number, got {value!r}")
    return float(value)


def _dtype(x: Any) -> np.dtype:
    """The float type of the penalty: that of x (floatx for an integer x)."""
    dtype = np.asarray(array_of(x)).dtype
    return dtype if np.issubdtype(dtype, np.floating) else np.dtype(config.floatx())


def _cast(factor: float, x: Any) -> np.ndarray:
    """The factor in x's float type (as Keras casts it), so that float32 stays float32."""
    return np.asarray(factor, dtype=_dtype(x))


_registry: Registry[Regularizer] = Registry("regularizer", Regularizer)
for _cls in (L1, L2, L1L2, OrthogonalRegularizer):
    _registry.register(_cls.name, _cls)
    _registry.alias(_cls.__name__, _cls.name)  # "L2", "L1L2", … as Keras's class names
_registry.alias("l1l2", "l1_l2")  # Keras 3's snake-case form of L1L2


def register(name: str, regularizer: type[Regularizer] | Regularizer) -> None:
    """Register a custom regularizer so that its name works everywhere."""
    _registry.register(name, regularizer)


def get(identifier: Any) -> Regularizer | Callable[[Any], Any] | None:
    """A regularizer from a name (``"l1"``, ``"l2"``, ``"l1_l2"``), an object or class, a saved
    config, or a plain function of ``glassnet.ops`` (returned as is); None stays None.

    >>> get("l1_l2")
    L1L2(l1=0.0, l2=0.0)
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, (str, Regularizer)) or (
        isinstance(identifier, type) and issubclass(identifier, Regularizer)
    ):
        return _registry.get(identifier)
    if callable(identifier):
        return identifier  # a function x -> penalty, written with glassnet.ops
    return _registry.get(identifier)  # the error that lists the accepted names


def serialize(regularizer: Regularizer) -> dict[str, Any]:
    """``{"name": …, "config": …}``: plain JSON data that ``deserialize`` reads back."""
    return _registry.serialize(regularizer)


def deserialize(config: str | dict[str, Any]) -> Regularizer:
    """A regularizer from a name or from ``{"name": …, "config": …}``."""
    if isinstance(config, str):
        return _registry.get(config)
    return _registry.deserialize(config)


# Keras's lower-case aliases of the classes: ``regularizers.l2(1e-4)``
l1 = L1
l2 = L2
l1_l2 = L1L2
orthogonal_regularizer = OrthogonalRegularizer
