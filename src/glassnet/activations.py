"""Activation functions g(z) and their derivatives g'(z).

Each activation is a small object: ``act(z)`` gives A = g(Z), ``act.derivative(z, a)`` gives
g'(Z) element-wise (the cached output ``a`` lets sigmoid and tanh reuse it), and
``act.backward(grad, z, a)`` gives dZ = dA ⊙ g'(Z), the chain-rule step a layer takes.

Each also carries its formula as text (``formula`` for g, ``derivative_formula`` for g′), and
the module-level objects take Keras's keyword arguments, ``activations.relu(z, max_value=6.0)``.

>>> from glassnet import activations
>>> activations.get("relu")(np.array([-1.0, 2.0]))
array([0., 2.])
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy.special import erf, expit

from glassnet.registry import Registry


class Activation:
    """Base class: subclasses implement ``__call__`` and ``derivative``."""

    name = "activation"
    formula = ""  # g(z), as text
    derivative_formula = ""  # g′(z), as text

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Each ``__call__`` also takes Python lists and numbers, as Keras's functions do."""
        super().__init_subclass__(**kwargs)
        call = cls.__dict__.get("__call__")
        if call is not None:

            @functools.wraps(call)
            def call_on_arrays(self: Activation, z: Any, *args: Any, **settings: Any) -> Any:
                if isinstance(z, (list, tuple, int, float)):
                    from glassnet import config

                    z = np.asarray(z, dtype=config.floatx())
                return call(self, z, *args, **settings)

            cls.__call__ = call_on_arrays  # type: ignore[method-assign]

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

    def _configured(self, settings: dict[str, Any]) -> Activation:
        """A copy with some settings changed: what a Keras-style call ``relu(z, …)`` applies."""
        return type(self)(**{**self.get_config(), **settings})

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
    formula, derivative_formula = "z", "1"

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
    formula, derivative_formula = "1 / (1 + e^(−z))", "σ(z)(1 − σ(z))"

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return expit(z)

    def derivative(self, z: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
        a = self(z) if a is None else a
        return a * (1.0 - a)


class Tanh(Activation):
    """Hyperbolic tangent: tanh(z) = (e^z − e^(−z)) / (e^z + e^(−z)), tanh'(z) = 1 − tanh²(z)."""

    name = "tanh"
    formula, derivative_formula = "(e^z − e^(−z)) / (e^z + e^(−z))", "1 − tanh²(z)"

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return np.tanh(z)

    def derivative(self, z: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
        a = np.tanh(z) if a is None else a
        return 1.0 - a * a


class ReLU(Activation):
    """Rectified linear unit: g(z) = max(0, z), g'(z) = 1 if z > 0 else 0.

    Keras 3's settings (``negative_slope`` s, ``max_value`` m, ``threshold`` θ) give
    g(z) = min(z, m) for z > θ, else s·(z − θ); with m, values in (θ, 0] become 0 as well, and
    g'(z) = [θ < z < m] + s·[z < θ]. The defaults are the plain ReLU, computed as before.
    Validated as Keras's ``layers.ReLU``: every setting ≥ 0.
    """

    name = "relu"
    formula, derivative_formula = "max(0, z)", "[z > 0]"

    def __init__(
        self, negative_slope: float = 0.0, max_value: float | None = None, threshold: float = 0.0
    ) -> None:
        self.negative_slope = _check("ReLU negative_slope", negative_slope, low=0.0)
        self.max_value = None if max_value is None else _check("ReLU max_value", max_value, 0.0)
        self.threshold = _check("ReLU threshold", threshold, low=0.0)
        self._plain = self.negative_slope == 0.0 and max_value is None and self.threshold == 0.0
        if not self._plain:
            self.formula = "min(z, m) if z > θ else s·(z − θ)"
            self.derivative_formula = "[θ < z < m] + s·[z < θ]"

    def __call__(self, z: np.ndarray, **settings: Any) -> np.ndarray:
        if self._plain and not settings:
            return np.maximum(z, 0)
        if settings:  # Keras's relu(x, negative_slope=…, max_value=…, threshold=…)
            return self._configured(settings)(z)
        s, m, theta = self.negative_slope, self.max_value, self.threshold
        # the steps of Keras 3's ReLU.static_call
        a = np.where(z > theta, z, 0) if theta != 0 else np.maximum(z, 0)  # z where z > θ, else 0
        if m is not None:
            a = np.clip(a, 0, m)  # capped at m
        if s != 0:
            a = a - s * np.maximum(theta - z, 0)  # s·(z − θ) below the threshold
        return a

    def derivative(self, z: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
        if self._plain:
            return (z > 0).astype(z.dtype)
        passes = z > self.threshold
        if self.max_value is not None:
            passes &= z < self.max_value
        slope = passes.astype(z.dtype)  # [θ < z < m]
        if self.negative_slope != 0:
            slope += (z < self.threshold) * z.dtype.type(self.negative_slope)  # + s·[z < θ]
        return slope

    def backward(self, grad: np.ndarray, z: np.ndarray, a: np.ndarray) -> np.ndarray:
        if self._plain:
            return grad * (z > 0)  # a boolean mask: ten times faster than np.where here
        return grad * self.derivative(z)

    def get_config(self) -> dict[str, Any]:
        if self._plain:
            return {}  # saved as "relu", as Keras writes it
        return {
            "negative_slope": self.negative_slope,
            "max_value": self.max_value,
            "threshold": self.threshold,
        }


class LeakyReLU(Activation):
    """Leaky ReLU: g(z) = z if z > 0 else α·z, g'(z) = 1 if z > 0 else α.

    The default slope α = 0.01 follows PyTorch and the texts (Keras's ``leaky_relu`` uses 0.2,
    its ``layers.LeakyReLU`` 0.3). Keras 3 calls α ``negative_slope``; both names are accepted,
    so ``activations.leaky_relu(z, negative_slope=0.2)`` gives Keras's default.
    """

    name = "leaky_relu"
    formula, derivative_formula = "z if z > 0 else α·z", "1 if z > 0 else α"

    def __init__(self, alpha: float | None = None, negative_slope: float | None = None) -> None:
        if alpha is not None and negative_slope is not None:
            raise ValueError(
                f"LeakyReLU takes alpha or negative_slope (the same slope), got both: "
                f"alpha={alpha!r}, negative_slope={negative_slope!r}"
            )
        slope = negative_slope if negative_slope is not None else alpha
        slope = 0.01 if slope is None else slope
        if not isinstance(slope, (int, float, np.floating)) or not np.isfinite(slope):
            raise ValueError(f"LeakyReLU alpha must be a finite number, got {slope!r}")
        if slope < 0:
            raise ValueError(f"LeakyReLU alpha must be >= 0, got {slope!r}")
        self.alpha = float(slope)

    @property
    def negative_slope(self) -> float:
        """Keras 3's name for the slope α."""
        return self.alpha

    def __call__(self, z: np.ndarray, negative_slope: float | None = None) -> np.ndarray:
        if negative_slope is not None:  # Keras's leaky_relu(x, negative_slope=…)
            return LeakyReLU(negative_slope=negative_slope)(z)
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
    formula, derivative_formula = "e^(z_i) / Σ_j e^(z_j)", "s_i(δ_ij − s_j)"

    def __call__(self, z: np.ndarray) -> np.ndarray:
        e = np.exp(z - z.max(axis=-1, keepdims=True))  # the row max makes every exponent <= 0
        e /= e.sum(axis=-1, keepdims=True)
        return e

    def derivative(self, z: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
        s = self(z) if a is None else a
        return s[..., :, None] * (np.eye(s.shape[-1], dtype=s.dtype) - s[..., None, :])

    def backward(self, grad: np.ndarray, z: np.ndarray, a: np.ndarray) -> np.ndarray:
        return a * (grad - (grad * a).sum(axis=-1, keepdims=True))


# -- Keras's other activations -----------------------------------------------------------------
# Constants are Python floats, so that float32 inputs stay float32.
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946
_SQRT_2 = math.sqrt(2.0)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_GELU_CUBIC = 0.044715


def _softplus(z: np.ndarray) -> np.ndarray:
    """log(1 + e^z) = max(z, 0) + log(1 + e^(−|z|)): no overflow for large |z|."""
    return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))


class ELU(Activation):
    """Exponential linear unit: g(z) = z if z > 0 else α(e^z − 1); g'(z) = 1 if z > 0 else α·e^z.

    Clevert et al., 2016. For z ≤ 0, g'(z) = g(z) + α.
    """

    name = "elu"
    formula, derivative_formula = "z if z > 0 else α(e^z − 1)", "1 if z > 0 else α·e^z"

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = _check("ELU alpha", alpha)

    def __call__(self, z: np.ndarray, **settings: Any) -> np.ndarray:
        if settings:  # Keras's elu(x, alpha=…)
            return self._configured(settings)(z)
        # e^min(z, 0): the exponential of the branch not taken never overflows
        return np.where(z > 0, z, self.alpha * np.expm1(np.minimum(z, 0)))

    def derivative(self, z: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
        return np.where(z > 0, 1, self.alpha * np.exp(np.minimum(z, 0))).astype(z.dtype, copy=False)

    def get_config(self) -> dict[str, Any]:
        return {"alpha": self.alpha}


class SELU(Activation):
    """Scaled ELU: g(z) = λ·z if z > 0 else λα(e^z − 1), g'(z) = λ if z > 0 else λα·e^z.

    α = 1.6732632423543772, λ = 1.0507009873554805 (Klambauer et al., 2017): with LeCun-normal
    weights, each layer keeps mean 0 and variance 1.
    """

    name = "selu"
    formula, derivative_formula = "λ·z if z > 0 else λα(e^z − 1)", "λ if z > 0 else λα·e^z"

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return _SELU_SCALE * np.where(z > 0, z, _SELU_ALPHA * np.expm1(np.minimum(z, 0)))

    def derivative(self, z: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
        slope = np.where(z > 0, 1, _SELU_ALPHA * np.exp(np.minimum(z, 0)))
        return (_SELU_SCALE * slope).astype(z.dtype, copy=False)


class CELU(Activation):
    """Continuously differentiable ELU: g(z) = max(0, z) + α(e^(min(0, z)/α) − 1),
    g'(z) = 1 if z > 0 else e^(z/α) (Barron, 2017). α must not be 0."""

    name = "celu"
    formula = "max(0, z) + α(e^(min(0, z)/α) − 1)"
    derivative_formula = "1 if z > 0 else e^(z/α)"

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = _check("CELU alpha", alpha)
        if self.alpha == 0:
            raise ValueError("CELU alpha must be a nonzero number (g divides z by α), got 0")

    def __call__(self, z: np.ndarray, **settings: Any) -> np.ndarray:
        if settings:  # Keras's celu(x, alpha=…)
            return self._configured(settings)(z)
        return np.maximum(z, 0) + self.alpha * np.expm1(np.minimum(z, 0) / self.alpha)

    def derivative(self, z: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
        return np.where(z > 0, 1, np.exp(np.minimum(z, 0) / self.alpha)).astype(z.dtype, copy=False)

    def get_config(self) -> dict[str, Any]:
        return {"alpha": self.alpha}


class Softplus(Activation):
    """Softplus: g(z) = log(1 + e^z), g'(z) = σ(z).

    Computed as max(z, 0) + log(1 + e^(−|z|)), exact for every z (PyTorch, behind Keras's torch
    backend, returns z itself for z > 20).
    """

    name = "softplus"
    formula, derivative_formula = "log(1 + e^z)", "σ(z)"

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return _softplus(z)

    def derivative(self, z: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
        return expit(z)


class Softsign(Activation):
    """Softsign: g(z) = z / (1 + |z|), g'(z) = 1 / (1 + |z|)²."""

    name = "softsign"
    formula, derivative_formula = "z / (1 + |z|)", "1 / (1 + |z|)²"

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return z / (1 + np.abs(z))

    def derivative(self, z: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
        return 1 / np.square(1 + np.abs(z))


class SiLU(Activation):
    """SiLU, or swish: g(z) = z·σ(z), g'(z) = σ(z)(1 + z(1 − σ(z))) (Ramachandran et al., 2017)."""

    name = "silu"
    formula, derivative_formula = "z·σ(z)", "σ(z)(1 + z(1 − σ(z)))"

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return z * expit(z)

    def derivative(self, z: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
        s = expit(z)
        return s * (1 + z * (1 - s))


class GELU(Activation):
    """Gaussian error linear unit: g(z) = z·Φ(z) = z(1 + erf(z/√2))/2, g'(z) = Φ(z) + z·φ(z),
    with φ(z) = e^(−z²/2)/√(2π) (Hendrycks and Gimpel, 2016).

    ``approximate=True``: g(z) = z(1 + tanh(u))/2 with u = √(2/π)(z + 0.044715z³), and
    g'(z) = (1 + tanh u)/2 + z(1 − tanh²u)·√(2/π)(1 + 3·0.044715z²)/2. Keras's activation
    defaults to the exact form (its ``ops.gelu`` to the approximation).
    """

    name = "gelu"
    formula, derivative_formula = "z(1 + erf(z/√2))/2", "Φ(z) + z·e^(−z²/2)/√(2π)"

    def __init__(self, approximate: bool = False) -> None:
        if not isinstance(approximate, (bool, np.bool_)):
            raise TypeError(f"GELU approximate must be True or False, got {approximate!r}")
        self.approximate = bool(approximate)
        if self.approximate:
            self.formula = "z(1 + tanh(√(2/π)(z + 0.044715z³)))/2"
            self.derivative_formula = "(1 + tanh u)/2 + z(1 − tanh²u)·√(2/π)(1 + 0.134145z²)/2"

    def __call__(self, z: np.ndarray, **settings: Any) -> np.ndarray:
        if settings:  # Keras's gelu(x, approximate=…)
            return self._configured(settings)(z)
        if self.approximate:
            return 0.5 * z * (1 + np.tanh(_SQRT_2_OVER_PI * (z + _GELU_CUBIC * z**3)))
        return 0.5 * z * (1 + erf(z / _SQRT_2))

    def derivative(self, z: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
        if self.approximate:
            t = np.tanh(_SQRT_2_OVER_PI * (z + _GELU_CUBIC * z**3))
            du = _SQRT_2_OVER_PI * (1 + 3 * _GELU_CUBIC * z * z)  # du/dz
            return 0.5 * (1 + t) + 0.5 * z * (1 - t * t) * du
        cdf = 0.5 * (1 + erf(z / _SQRT_2))  # Φ(z)
        return cdf + z * _INV_SQRT_2PI * np.exp(-0.5 * z * z)  # Φ(z) + z·φ(z)

    def get_config(self) -> dict[str, Any]:
        return {"approximate": self.approximate}


class Exponential(Activation):
    """g(z) = e^z, g'(z) = e^z (= g(z))."""

    name = "exponential"
    formula, derivative_formula = "e^z", "e^z"

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return np.exp(z)

    def derivative(self, z: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
        return np.exp(z) if a is None else a


class ReLU6(Activation):
    """ReLU capped at 6: g(z) = min(max(0, z), 6), g'(z) = [0 < z < 6]."""

    name = "relu6"
    formula, derivative_formula = "min(max(0, z), 6)", "[0 < z < 6]"

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return np.minimum(np.maximum(z, 0), 6)

    def derivative(self, z: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
        return ((z > 0) & (z < 6)).astype(z.dtype, copy=False)


class HardSigmoid(Activation):
    """Keras 3's hard sigmoid: g(z) = relu6(z + 3)/6 = clip(z/6 + 1/2, 0, 1),
    g'(z) = 1/6 for −3 < z < 3, else 0. (Keras 2 used clip(0.2z + 0.5, 0, 1).)"""

    name = "hard_sigmoid"
    formula, derivative_formula = "relu6(z + 3)/6", "1/6 if −3 < z < 3 else 0"

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return np.minimum(np.maximum(z + 3, 0), 6) / 6

    def derivative(self, z: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
        return ((z > -3) & (z < 3)).astype(z.dtype) / 6


class HardSiLU(Activation):
    """Hard SiLU, or hard swish: g(z) = z·relu6(z + 3)/6 (0 below −3, z above 3),
    g'(z) = 0 for z < −3, (2z + 3)/6 for −3 < z < 3, 1 for z > 3 (Howard et al., 2019)."""

    name = "hard_silu"
    formula, derivative_formula = "z·relu6(z + 3)/6", "0 if z < −3, (2z + 3)/6 if |z| < 3, 1"

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return z * (np.minimum(np.maximum(z + 3, 0), 6) / 6)

    def derivative(self, z: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
        middle = (2 * z + 3) / 6
        return np.where(z > 3, 1, np.where(z > -3, middle, 0)).astype(z.dtype, copy=False)


class Mish(Activation):
    """Mish: g(z) = z·tanh(softplus(z)), g'(z) = tanh(sp) + z(1 − tanh²(sp))·σ(z) with
    sp = log(1 + e^z) (Misra, 2019)."""

    name = "mish"
    formula, derivative_formula = "z·tanh(log(1 + e^z))", "tanh(sp) + z(1 − tanh²(sp))·σ(z)"

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return z * np.tanh(_softplus(z))

    def derivative(self, z: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
        t = np.tanh(_softplus(z))
        return t + z * (1 - t * t) * expit(z)


class LogSoftmax(Activation):
    """log of the softmax along ``axis``: g(z)_i = z_i − log Σ_j e^(z_j), computed with the max
    subtracted. Its Jacobian is ∂g_i/∂z_j = δ_ij − s_j (s the softmax); ``backward`` applies it
    without building it: dZ = dA − S·Σ dA."""

    name = "log_softmax"
    formula, derivative_formula = "z_i − log Σ_j e^(z_j)", "δ_ij − s_j"

    def __init__(self, axis: int = -1) -> None:
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise TypeError(f"LogSoftmax axis must be an integer, got {axis!r}")
        self.axis = int(axis)

    def __call__(self, z: np.ndarray, **settings: Any) -> np.ndarray:
        if settings:  # Keras's log_softmax(x, axis=…)
            return self._configured(settings)(z)
        shifted = z - z.max(axis=self.axis, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(axis=self.axis, keepdims=True))

    def derivative(self, z: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
        """The Jacobian over ``axis``, moved last: shape (…, k, k)."""
        a = self(z) if a is None else a
        s = np.exp(np.moveaxis(a, self.axis, -1))
        return np.eye(s.shape[-1], dtype=s.dtype) - s[..., None, :]

    def backward(self, grad: np.ndarray, z: np.ndarray, a: np.ndarray) -> np.ndarray:
        return grad - np.exp(a) * grad.sum(axis=self.axis, keepdims=True)

    def get_config(self) -> dict[str, Any]:
        return {"axis": self.axis}


def _check(what: str, value: Any, low: float | None = None) -> float:
    """A setting as a float: a finite number, at least ``low`` when given."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{what} must be a number, got {type(value).__name__}: {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number, got {value!r}")
    if low is not None and value < low:
        raise ValueError(f"{what} must be >= {low:g}, got {value!r}")
    return float(value)


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
        return self.backward(np.ones_like(z), z, a)

    def backward(self, grad: np.ndarray, z: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
        """dZ = dA ⊙ g′(Z): from ``derivative=`` when given, else by backpropagation through
        the function itself (built of glassnet.ops or operators), recorded on a tape."""
        if self.derivative_function is not None:
            return grad * self.derivative_function(z)
        from glassnet.tape import Tape, Tensor, Variable

        z_var = Variable(np.array(z), "z")
        with Tape() as tape:
            out = self.function(z_var)  # type: ignore[arg-type]
        if not isinstance(out, Tensor):
            raise TypeError(
                f"activation {self.name!r} has no derivative: build it of glassnet.ops (or "
                "operators such as x * x), or pass derivative= to FunctionActivation"
            )
        tape.backward([(out, grad)])
        return z_var.grad if z_var.grad is not None else np.zeros_like(z)

    def get_config(self) -> dict[str, Any]:
        return {}


_registry: Registry[Activation] = Registry("activation", Activation)
for _cls in (
    Linear,
    Sigmoid,
    Tanh,
    ReLU,
    LeakyReLU,
    Softmax,
    ELU,
    SELU,
    CELU,
    Softplus,
    Softsign,
    SiLU,
    GELU,
    Exponential,
    ReLU6,
    HardSigmoid,
    HardSiLU,
    Mish,
    LogSoftmax,
):
    _registry.register(_cls.name, _cls)
_registry.alias("leakyrelu", "leaky_relu")
_registry.alias("identity", "linear")
_registry.alias("swish", "silu")  # Keras's aliases
_registry.alias("hard_swish", "hard_silu")


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
    """Its name (``"relu"``, as Keras writes it), or name and config when it has settings.
    A function of your own is written by its registered name (or its ``__name__``)."""
    if isinstance(activation, FunctionActivation) and activation.derivative_function is None:
        from glassnet.serialization import get_registered_name

        return get_registered_name(activation.function)
    data = _registry.serialize(activation)
    return data["name"] if not data["config"] else data


def deserialize(config: str | dict[str, Any]) -> Activation:
    """An activation from a name or from ``{"name": …, "config": …}``; a function of your own
    by its registered name (or given in ``custom_objects`` when loading)."""
    if isinstance(config, str):
        from glassnet.serialization import get_registered_object

        function = get_registered_object(config)
        if function is not None and callable(function) and not isinstance(function, type):
            return FunctionActivation(function)
        return _registry.get(config)
    return _registry.deserialize(config)


# Keras's function names: each is an Activation object (``relu(z)``, ``relu.derivative(z)``);
# those with settings also take Keras's keywords, e.g. ``relu(z, negative_slope=0.1)``.
linear, sigmoid, tanh, relu, leaky_relu, softmax = (
    Linear(),
    Sigmoid(),
    Tanh(),
    ReLU(),
    LeakyReLU(),
    Softmax(),
)
elu, selu, celu, softplus, softsign, silu, gelu = (
    ELU(),
    SELU(),
    CELU(),
    Softplus(),
    Softsign(),
    SiLU(),
    GELU(),
)
exponential, relu6, hard_sigmoid, hard_silu, mish, log_softmax = (
    Exponential(),
    ReLU6(),
    HardSigmoid(),
    HardSiLU(),
    Mish(),
    LogSoftmax(),
)
swish, hard_swish = silu, hard_silu
