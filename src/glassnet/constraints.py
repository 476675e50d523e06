"""Weight constraints: ``constraint(w)`` returns the weight projected back into its allowed set,
applied after each optimizer update, as in Keras 3.

With n = ‖w‖ along ``axis`` (kept as an axis of length 1) and ε = ``config.epsilon()``:
MaxNorm:    w · clip(n, 0, max_value) / (ε + n)
MinMaxNorm: w · (rate·clip(n, min_value, max_value) + (1 − rate)·n) / (ε + n)
UnitNorm:   w / (ε + n)
NonNeg:     max(w, 0)

For a Dense kernel of shape (inputs, units), ``axis=0`` constrains the weights into each unit.

>>> from glassnet import constraints
>>> constraints.get("non_neg")(np.array([-1.0, 2.0]))
array([0., 2.])
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from glassnet import config
from glassnet.registry import Registry


class Constraint:
    """Base class: ``__call__(w)`` returns the constrained array. The base class returns w."""

    name = "constraint"

    def __call__(self, w: np.ndarray) -> np.ndarray:
        return w

    def get_config(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Constraint:
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.get_config() == other.get_config()

    def __hash__(self) -> int:
        return hash((type(self), repr(self)))


def _norms(w: np.ndarray, axis: int | tuple[int, ...]) -> np.ndarray:
    """n = √(Σ w²) along ``axis``, kept as axes of length 1 so that it broadcasts against w."""
    return np.sqrt(np.sum(np.square(w), axis=axis, keepdims=True))


class MaxNorm(Constraint):
    """w · clip(n, 0, max_value) / (ε + n): each slice along ``axis`` gets a norm of at most
    ``max_value`` (a slice already shorter is left as it is, up to the factor n/(ε + n))."""

    name = "max_norm"

    def __init__(self, max_value: float = 2, axis: int | tuple[int, ...] | list[int] = 0) -> None:
        self.max_value = _number("MaxNorm max_value", max_value, low=0.0)
        self.axis = _axis("MaxNorm", axis)

    def __call__(self, w: np.ndarray) -> np.ndarray:
        w = np.asarray(w)
        norms = _norms(w, self.axis)
        desired = np.clip(norms, 0, self.max_value)
        return w * (desired / (config.epsilon() + norms))  # w · clip(n, 0, max) / (ε + n)

    def get_config(self) -> dict[str, Any]:
        return {"max_value": self.max_value, "axis": _axis_config(self.axis)}


class MinMaxNorm(Constraint):
    """w · (rate·clip(n, min_value, max_value) + (1 − rate)·n) / (ε + n): rate = 1 puts each
    slice's norm inside [min_value, max_value]; a smaller rate moves it part of the way."""

    name = "min_max_norm"

    def __init__(
        self,
        min_value: float = 0.0,
        max_value: float = 1.0,
        rate: float = 1.0,
        axis: int | tuple[int, ...] | list[int] = 0,
    ) -> None:
        self.min_value = _number("MinMaxNorm min_value", min_value, low=0.0)
        self.max_value = _number("MinMaxNorm max_value", max_value, low=0.0)
        if self.min_value > self.max_value:
            raise ValueError(
                f"MinMaxNorm needs min_value <= max_value, got {min_value!r} and {max_value!r}"
            )
        self.rate = _number("MinMaxNorm rate", rate, low=0.0, high=1.0)
        self.axis = _axis("MinMaxNorm", axis)

    def __call__(self, w: np.ndarray) -> np.ndarray:
        w = np.asarray(w)
        norms = _norms(w, self.axis)
        clipped = np.clip(norms, self.min_value, self.max_value)
        desired = self.rate * clipped + (1 - self.rate) * norms  # rate·clip(n) + (1 − rate)·n
        return w * (desired / (config.epsilon() + norms))

    def get_config(self) -> dict[str, Any]:
        return {
            "min_value": self.min_value,
            "max_value": self.max_value,
            "rate": self.rate,
            "axis": _axis_config(self.axis),
        }


class NonNeg(Constraint):
    """max(w, 0): negative weights become 0."""

    name = "non_neg"

    def __call__(self, w: np.ndarray) -> np.ndarray:
        return np.maximum(w, 0)


class UnitNorm(Constraint):
    """w / (ε + n): each slice along ``axis`` gets norm 1 (a little less, by ε)."""

    name = "unit_norm"

    def __init__(self, axis: int | tuple[int, ...] | list[int] = 0) -> None:
        self.axis = _axis("UnitNorm", axis)

    def __call__(self, w: np.ndarray) -> np.ndarray:
        w = np.asarray(w)
        return w / (config.epsilon() + _norms(w, self.axis))  # w / (ε + n)

    def get_config(self) -> dict[str, Any]:
        return {"axis": _axis_config(self.axis)}


def _number(what: str, value: Any, low: float, high: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{what} must be a number, got {type(value).__name__}: {value!r}")
    if not math.isfinite(value) or value < low or (high is not None and value > high):
        upper = "" if high is None else f" and <= {high:g}"
        raise ValueError(f"{what} must be a finite number >= {low:g}{upper}, got {value!r}")
    return float(value) if isinstance(value, (float, np.floating)) else int(value)


def _axis(owner: str, axis: Any) -> int | tuple[int, ...]:
    """An axis (an int) or several (a tuple, also given as a list)."""

    def is_int(a: Any) -> bool:
        return isinstance(a, (int, np.integer)) and not isinstance(a, bool)

    if is_int(axis):
        return int(axis)
    if isinstance(axis, (list, tuple)) and axis and all(is_int(a) for a in axis):
        return tuple(int(a) for a in axis)
    raise TypeError(f"{owner} axis must be an integer or a list of integers, got {axis!r}")


def _axis_config(axis: int | tuple[int, ...]) -> int | list[int]:
    return axis if isinstance(axis, int) else list(axis)  # a list: plain JSON


_registry: Registry[Constraint] = Registry("constraint", Constraint)
for _cls in (MaxNorm, MinMaxNorm, NonNeg, UnitNorm):
    _registry.register(_cls.name, _cls)
    _registry.alias(_cls.__name__, _cls.name)  # "MaxNorm", … as Keras's class names


def register(name: str, constraint: type[Constraint] | Constraint) -> None:
    """Register a custom constraint so that its name works everywhere."""
    _registry.register(name, constraint)


def get(identifier: Any) -> Constraint | Callable[[np.ndarray], np.ndarray] | None:
    """A constraint from a name (``"max_norm"``, ``"non_neg"``, …), an object or class, a saved
    config, or a plain function w -> w (returned as is); None stays None."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, (str, Constraint)) or (
        isinstance(identifier, type) and issubclass(identifier, Constraint)
    ):
        return _registry.get(identifier)
    if callable(identifier):
        return identifier
    return _registry.get(identifier)  # the error that lists the accepted names


def serialize(constraint: Constraint) -> dict[str, Any]:
    """``{"name": …, "config": …}``: plain JSON data that ``deserialize`` reads back."""
    return _registry.serialize(constraint)


def deserialize(config: str | dict[str, Any]) -> Constraint:
    """A constraint from a name or from ``{"name": …, "config": …}``."""
    if isinstance(config, str):
        return _registry.get(config)
    return _registry.deserialize(config)


# Keras's lower-case aliases of the classes: ``constraints.max_norm(3)``
max_norm = MaxNorm
min_max_norm = MinMaxNorm
non_neg = NonNeg
unit_norm = UnitNorm
