"""Activation layers with Keras's names and arguments: ReLU, LeakyReLU, ELU, Softmax, PReLU.

The first four apply a function of ``glassnet.activations`` (one place for each formula and its
derivative); PReLU learns the slope of its negative side, one per feature.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet import activations as activations_module
from glassnet import initializers as initializers_module
from glassnet.layers.base import Layer, Shape, regularizer_of
from glassnet.layers.core import Activation


class ReLU(Activation):
    """The rectifier as a layer, with Keras's settings: A = min(X, max_value) where
    X > threshold, else negative_slope·(X − threshold).

    >>> layer = ReLU(max_value=6.0)
    """

    def __init__(
        self,
        max_value: float | None = None,
        negative_slope: float = 0.0,
        threshold: float = 0.0,
        **kwargs: Any,
    ) -> None:
        relu = activations_module.ReLU(
            negative_slope=negative_slope, max_value=max_value, threshold=threshold
        )
        super().__init__(relu, **kwargs)
        self.max_value, self.negative_slope, self.threshold = (
            relu.max_value,
            relu.negative_slope,
            relu.threshold,
        )

    def get_config(self) -> dict[str, Any]:
        cfg = Layer.get_config(self)
        cfg.update(
            max_value=self.max_value, negative_slope=self.negative_slope, threshold=self.threshold
        )
        return cfg

    @classmethod
    def from_config(cls, cfg: dict[str, Any]) -> ReLU:
        return cls(**cfg)


class LeakyReLU(Activation):
    """A = X for X > 0, else negative_slope·X (Keras's layer default slope: 0.3).

    >>> layer = LeakyReLU(negative_slope=0.1)
    """

    def __init__(self, negative_slope: float = 0.3, **kwargs: Any) -> None:
        super().__init__(activations_module.LeakyReLU(negative_slope=negative_slope), **kwargs)
        self.negative_slope = float(negative_slope)

    def get_config(self) -> dict[str, Any]:
        cfg = Layer.get_config(self)
        cfg["negative_slope"] = self.negative_slope
        return cfg

    @classmethod
    def from_config(cls, cfg: dict[str, Any]) -> LeakyReLU:
        return cls(**cfg)


class ELU(Activation):
    """A = X for X > 0, else α·(e^X − 1).

    >>> layer = ELU(alpha=1.0)
    """

    def __init__(self, alpha: float = 1.0, **kwargs: Any) -> None:
        super().__init__(activations_module.ELU(alpha=alpha), **kwargs)
        self.alpha = float(alpha)

    def get_config(self) -> dict[str, Any]:
        cfg = Layer.get_config(self)
        cfg["alpha"] = self.alpha
        return cfg

    @classmethod
    def from_config(cls, cfg: dict[str, Any]) -> ELU:
        return cls(**cfg)


class Softmax(Activation):
    """A_ij = e^(X_ij) / Σ_k e^(X_ik) over the last axis.

    >>> layer = Softmax()
    """

    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        if axis != -1:
            raise ValueError(
                f"Softmax axis={axis!r}: glassnet's softmax runs over the last axis (axis=-1), "
                "the features of a dense network's output"
            )
        super().__init__(activations_module.Softmax(), **kwargs)
        self.axis = -1

    def get_config(self) -> dict[str, Any]:
        cfg = Layer.get_config(self)
        cfg["axis"] = self.axis
        return cfg

    @classmethod
    def from_config(cls, cfg: dict[str, Any]) -> Softmax:
        return cls(**cfg)


class PReLU(Layer):
    """A leaky ReLU whose negative slope α is learned: A = max(X, 0) + α ⊙ min(X, 0).

    Backward: dX = dA ⊙ (1 if X > 0 else α), dα = Σ dA ⊙ min(X, 0) over the batch (and over
    ``shared_axes``, where one α serves a whole axis). α starts at zero, as in Keras.

    >>> layer = PReLU()
    """

    def __init__(
        self,
        alpha_initializer: Any = "zeros",
        alpha_regularizer: Any = None,
        alpha_constraint: Any = None,
        shared_axes: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.alpha_initializer = initializers_module.get(alpha_initializer)
        self.alpha_regularizer = regularizer_of(alpha_regularizer)
        self.alpha_constraint = alpha_constraint
        if shared_axes is None:
            self.shared_axes: tuple[int, ...] = ()
        elif isinstance(shared_axes, int):
            self.shared_axes = (shared_axes,)
        else:
            self.shared_axes = tuple(int(a) for a in shared_axes)

    def build(self, input_shape: Shape) -> None:
        shape = list(input_shape[1:])
        for axis in self.shared_axes:
            if not 1 <= axis < len(input_shape):
                raise ValueError(
                    f"PReLU shared_axes {self.shared_axes} must name feature axes "
                    f"(1 … {len(input_shape) - 1}) of inputs of shape {tuple(input_shape)}"
                )
            shape[axis - 1] = 1
        self.alpha = self.add_weight(
            tuple(shape),
            self.alpha_initializer,
            name="alpha",
            regularizer=self.alpha_regularizer,
            constraint=self.alpha_constraint,
        )

    def forward(self, ctx: Any, x: np.ndarray, training: bool = False) -> np.ndarray:
        ctx.x = x
        ctx.negative = negative = np.minimum(x, 0)  # min(X, 0)
        return np.maximum(x, 0) + self.alpha.value * negative  # max(X, 0) + α ⊙ min(X, 0)

    def backward(self, ctx: Any, grad: np.ndarray, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        dx = (
            grad * np.where(ctx.x > 0, 1, self.alpha.value).astype(grad.dtype) if needs[0] else None
        )
        dalpha = None
        if needs[1]:
            axes = (0, *self.shared_axes)
            dalpha = (grad * ctx.negative).sum(axis=axes, keepdims=True)[0]  # Σ dA ⊙ min(X, 0)
        return dx, dalpha

    def formula(self, inputs: list[str]) -> str:
        return f"max({inputs[0]}, 0) + α ⊙ min({inputs[0]}, 0)"

    def grad_formula(self, i: int, inputs: list[str]) -> str:
        x = inputs[0]
        return f"∂out ⊙ (1 if {x} > 0 else α)" if i == 0 else f"Σ ∂out ⊙ min({x}, 0)"

    def get_config(self) -> dict[str, Any]:
        cfg = super().get_config()
        cfg.update(
            alpha_initializer=initializers_module.serialize(self.alpha_initializer),
            shared_axes=list(self.shared_axes) or None,
        )
        return cfg
