"""Activation functions g(z) and their derivatives g'(z).

Each activation is a small object: ``act(z)`` gives A = g(Z), ``act.derivative(z, a)`` gives
g'(Z) element-wise (the cached output ``a`` lets sigmoid and tanh reuse it), and
``act.backward(grad, z, a)`` gives dZ = dA ⊙ g'(Z), the chain-rule step a layer takes.

>>> from glassnet import activations
>>> activations.get("relu")(np.array([-1.0, 2.0]))
array([0., 2.])
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from scipy.special import expit

from glassnet.registry import Registry


class Activation:
    """Base class: subclasses implement ``__call__`` and ``derivative``."""

    name = "activation"

    def __call__(self, z: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def derivative(self, z: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
        """g'(z), element-wise; ``a = g(z)`` may be passed to avoid recomputing it."""
        raise NotImplementedError

    def backward(self, grad: np.ndarray, z: np.ndarray, a: np.ndarray) -> np.ndarray:
        """Chain rule through the activation: dZ = dA ⊙ g'(Z)."""
        return grad * self.derivative(z, a)

    def get_config(self) -> dict[str, Any]:
        return {}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Activation)
            and type(self) is type(other)
            and (self.get_config() == other.get_config())
        )

    def __hash__(self) -> int:
        return hash((type(self), tuple(sorted(self.get_config().items()))))


class Linear(Activation):
    """Identity: g(z) = z, g'(z) = 1."""

    name = "linear"

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return z

    def derivative(self, z: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
        return np.ones_like(z)

    def backward(self, grad: np.ndarray, z: np.ndarray, a: np.ndarray) -> np.ndarray:
        return grad


class Sigmoid(Activation):
    """Logistic function: σ(z) = 1 / (1 + e^(−z)), σ'(z) = σ(z)(1 − σ(z)).

    Computed by SciPy's ``expit``, which evaluates e^(−|z|) on the side that cannot overflow.
    """

    name = "sigmoid"

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return expit(z)

    def derivative(self, z: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
        a = self(z) if a is None else a
        return a * (1.0 - a)


class Tanh(Activation):
    """Hyperbolic tangent: tanh(z) = (e^z − e^(−z)) / (e^z + e^(−z)), tanh'(z) = 1 − tanh²(z)."""

    name = "tanh"

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return np.tanh(z)

    def derivative(self, z: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
        a = np.tanh(z) if a is None else a
        return 1.0 - a * a


class ReLU(Activation):
    """Rectified linear unit: g(z) = max(0, z), g'(z) = 1 if z > 0 else 0."""

    name = "relu"

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return np.maximum(z, 0)

    def derivative(self, z: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
        return (z > 0).astype(z.dtype)

    def backward(self, grad: np.ndarray, z: np.ndarray, a: np.ndarray) -> np.ndarray:
        return grad * (z > 0)  # a boolean mask: ten times faster than np.where here


class LeakyReLU(Activation):
    """Leaky ReLU: g(z) = z if z > 0 else α·z, g'(z) = 1 if z > 0 else α.

    The default slope α = 0.01 follows PyTorch and the texts (Keras uses 0.2).
    """

    name = "leaky_relu"

    def __init__(self, alpha: float = 0.01) -> None:
        if not isinstance(alpha, (int, float, np.floating)) or not np.isfinite(alpha):
            raise ValueError(f"LeakyReLU alpha must be a finite number, got {alpha!r}")
        if alpha < 0:
            raise ValueError(f"LeakyReLU alpha must be >= 0, got {alpha!r}")
        self.alpha = float(alpha)

    def __call__(self, z: np.ndarray) -> np.ndarray:
        scaled = z * z.dtype.type(self.alpha)
        # for α ≤ 1, max(z, α·z) is z when z > 0 and α·z otherwise (min for α > 1)
        return np.maximum(z, scaled) if self.alpha <= 1 else np.minimum(z, scaled)

    def derivative(self, z: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
        slope = (z > 0).astype(z.dtype)  # 1 where z > 0, else 0 …
        slope *= z.dtype.type(1.0 - self.alpha)
        slope += z.dtype.type(self.alpha)  # … then 1 where z > 0, else α
        return slope

    def backward(self, grad: np.ndarray, z: np.ndarray, a: np.ndarray) -> np.ndarray:
        return grad * self.derivative(z)

    def get_config(self) -> dict[str, Any]:
        return {"alpha": self.alpha}


class Softmax(Activation):
    """Softmax over the last axis: s_i = e^(z_i − max z) / Σ_j e^(z_j − max z).

    Its derivative is a Jacobian, ∂s_i/∂z_j = s_i(δ_ij − s_j); ``derivative`` returns it with
    shape (batch, k, k) and ``backward`` applies it without building it: dZ = S ⊙ (dA − Σ dA ⊙ S).
    """

    name = "softmax"

    def __call__(self, z: np.ndarray) -> np.ndarray:
        e = np.exp(z - z.max(axis=-1, keepdims=True))  # the row max makes every exponent <= 0
        e /= e.sum(axis=-1, keepdims=True)
        return e

    def derivative(self, z: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
        s = self(z) if a is None else a
        return s[..., :, None] * (np.eye(s.shape[-1], dtype=s.dtype) - s[..., None, :])

    def backward(self, grad: np.ndarray, z: np.ndarray, a: np.ndarray) -> np.ndarray:
        return a * (grad - (grad * a).sum(axis=-1, keepdims=True))


class FunctionActivation(Activation):
    """Wrap a plain function g (and optionally its derivative g') as an activation."""

    def __init__(
        self,
        function: Callable[[np.ndarray], np.ndarray],
        derivative: Callable[[np.ndarray], np.ndarray] | None = None,
        name: str | None = None,
    ) -> None:
        self.function = function
        self.derivative_function = derivative
        self.name = name or str(getattr(function, "__name__", "custom"))

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return self.function(z)

    def derivative(self, z: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
        if self.derivative_function is None:
            raise NotImplementedError(
                f"activation {self.name!r} has no derivative: pass derivative= to "
                "FunctionActivation or subclass glassnet.activations.Activation"
            )
        return self.derivative_function(z)


_registry: Registry[Activation] = Registry("activation", Activation)
for _cls in (Linear, Sigmoid, Tanh, ReLU, LeakyReLU, Softmax):
    _registry.register(_cls.name, _cls)
_registry.alias("leakyrelu", "leaky_relu")
_registry.alias("identity", "linear")


def register(name: str, activation: type[Activation] | Activation) -> None:
    """Register a custom activation so that its name works everywhere (e.g. in Dense)."""
    _registry.register(name, activation)


def get(identifier: str | Activation | Callable[..., Any] | None) -> Activation:
    """Resolve a name, an Activation, a plain callable, or None (linear) to an Activation."""
    if identifier is None:
        return Linear()
    if callable(identifier) and not isinstance(identifier, (Activation, type)):
        return FunctionActivation(identifier)
    return _registry.get(identifier)


def serialize(activation: Activation) -> str | dict[str, Any]:
    """Its name (``"relu"``, as Keras writes it), or name and config when it has settings."""
    data = _registry.serialize(activation)
    return data["name"] if not data["config"] else data


def deserialize(config: str | dict[str, Any]) -> Activation:
    """An activation from a name or from ``{"name": …, "config": …}``."""
    if isinstance(config, str):
        return _registry.get(config)
    return _registry.deserialize(config)


linear, sigmoid, tanh, relu, leaky_relu, softmax = (
    Linear(),
    Sigmoid(),
    Tanh(),
    ReLU(),
    LeakyReLU(),
    Softmax(),
)
