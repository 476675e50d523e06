"""Normalization layers: BatchNormalization and LayerNormalization, with their own backward.

Both standardise and then scale and shift: X̂ = (X − μ)/√(σ² + ε), Y = γ·X̂ + β. They differ in
what μ and σ² are taken over: BatchNormalization over the batch (one μ per feature, and moving
averages of them for inference), LayerNormalization over the features of each sample.

Backward through the standardisation, with m values per statistic and dX̂ = dY·γ:
dX = (m·dX̂ − Σ dX̂ − X̂·Σ(dX̂·X̂)) / (m·√(σ² + ε)), dγ = Σ dY·X̂, dβ = Σ dY.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet import initializers as initializers_module
from glassnet.layers.base import Layer, Shape, regularizer_of
from glassnet.utils import check_number


def _axes(axis: Any, ndim: int, layer: str) -> tuple[int, ...]:
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    out = []
    for a in axes:
        if not isinstance(a, (int, np.integer)) or not -ndim <= a < ndim or a % ndim == 0:
            raise ValueError(
                f"{layer} axis {axis!r} must name feature axes of inputs with {ndim} dimensions "
                f"(1 … {ndim - 1}, or negative), not the batch axis"
            )
        out.append(int(a) % ndim)
    return tuple(sorted(set(out)))


class _Normalization(Layer):
    """What both normalizations share: γ and β, and the backward through X̂."""

    def __init__(
        self,
        axis: Any = -1,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        beta_regularizer: Any = None,
        gamma_regularizer: Any = None,
        beta_constraint: Any = None,
        gamma_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        what = type(self).__name__
        self.axis = axis
        self.epsilon = check_number(f"{what} epsilon", epsilon, low=0.0, low_open=True)
        self.center, self.scale = bool(center), bool(scale)
        self.beta_initializer = initializers_module.get(beta_initializer)
        self.gamma_initializer = initializers_module.get(gamma_initializer)
        self.beta_regularizer = regularizer_of(beta_regularizer)
        self.gamma_regularizer = regularizer_of(gamma_regularizer)
        self.beta_constraint = beta_constraint
        self.gamma_constraint = gamma_constraint
        self.axes: tuple[int, ...] = ()

    def _param_shape(self, input_shape: Shape) -> tuple[int, ...]:
        self.axes = _axes(self.axis, len(input_shape), type(self).__name__)
        return tuple(int(input_shape[a]) for a in self.axes)

    def _add_gamma_beta(self, shape: tuple[int, ...]) -> None:
        self.gamma = self.beta = None
        if self.scale:
            self.gamma = self.add_weight(
                shape,
                self.gamma_initializer,
                name="gamma",
                regularizer=self.gamma_regularizer,
                constraint=self.gamma_constraint,
            )
        if self.center:
            self.beta = self.add_weight(
                shape,
                self.beta_initializer,
                name="beta",
                regularizer=self.beta_regularizer,
                constraint=self.beta_constraint,
            )

    def _broadcast(self, value: np.ndarray, ndim: int) -> np.ndarray:
        """A per-feature array shaped to broadcast against the input."""
        shape = [1] * ndim
        for a, size in zip(self.axes, value.shape, strict=True):
            shape[a] = size
        return value.reshape(shape)

    def _scale_shift(self, ctx: Any, xhat: np.ndarray) -> np.ndarray:
        y = xhat
        if self.gamma is not None:
            y = y * self._broadcast(self.gamma.value, xhat.ndim)  # γ·X̂
        if self.beta is not None:
            y = y + self._broadcast(self.beta.value, xhat.ndim)  # + β
        return y if y is not xhat else xhat.copy()

    def _param_grads(
        self, ctx: Any, grad: np.ndarray, needs: tuple[bool, ...]
    ) -> list[np.ndarray | None]:
        """dγ = Σ dY·X̂ and dβ = Σ dY over every axis but the features'."""
        other = tuple(a for a in range(grad.ndim) if a not in self.axes)
        out: list[np.ndarray | None] = []
        i = 1
        if self.gamma is not None:
            out.append((grad * ctx.xhat).sum(axis=other) if needs[i] else None)
            i += 1
        if self.beta is not None:
            out.append(grad.sum(axis=other) if needs[i] else None)
        return out

    def _dxhat(self, grad: np.ndarray) -> np.ndarray:
        if self.gamma is None:
            return grad
        return grad * self._broadcast(self.gamma.value, grad.ndim)  # dX̂ = dY·γ

    def get_config(self) -> dict[str, Any]:
        cfg = super().get_config()
        cfg.update(
            axis=self.axis,
            epsilon=self.epsilon,
            center=self.center,
            scale=self.scale,
            beta_initializer=initializers_module.serialize(self.beta_initializer),
            gamma_initializer=initializers_module.serialize(self.gamma_initializer),
        )
        return cfg


def _standardized_backward(
    dxhat: np.ndarray, xhat: np.ndarray, inv_std: np.ndarray, axes: tuple[int, ...]
) -> np.ndarray:
    """dX = (m·dX̂ − Σ dX̂ − X̂·Σ(dX̂·X̂)) / (m·√(σ² + ε)), the sums over ``axes`` (m values)."""
    m = int(np.prod([dxhat.shape[a] for a in axes]))
    sum_d = dxhat.sum(axis=axes, keepdims=True)
    sum_dx = (dxhat * xhat).sum(axis=axes, keepdims=True)
    return (dxhat * m - sum_d - xhat * sum_dx) * (inv_std / m)


class BatchNormalization(_Normalization):
    """Normalizes each feature over the batch, as Keras's BatchNormalization.

    Training: μ, σ² of the batch (σ² biased, over every axis but ``axis``);
    X̂ = (X − μ)/√(σ² + ε), Y = γ·X̂ + β, and the moving averages
    μ̄ ← m·μ̄ + (1 − m)·μ, σ̄² ← m·σ̄² + (1 − m)·σ² with momentum m (0.99).
    Inference (and a frozen layer, ``trainable = False``, as in Keras): Y = γ·(X − μ̄)/√(σ̄² + ε) + β.
    Weights, in Keras's order: gamma, beta (trainable), moving_mean, moving_variance (not).

    >>> layer = BatchNormalization()
    """

    def __init__(
        self,
        axis: Any = -1,
        momentum: float = 0.99,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        moving_mean_initializer: Any = "zeros",
        moving_variance_initializer: Any = "ones",
        **kwargs: Any,
    ) -> None:
        super().__init__(
            axis, epsilon, center, scale, beta_initializer, gamma_initializer, **kwargs
        )
        self.momentum = check_number("BatchNormalization momentum", momentum, low=0.0, high=1.0)
        self.moving_mean_initializer = initializers_module.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers_module.get(moving_variance_initializer)

    def build(self, input_shape: Shape) -> None:
        shape = self._param_shape(input_shape)
        self._add_gamma_beta(shape)
        self.moving_mean = self.add_weight(
            shape, self.moving_mean_initializer, name="moving_mean", trainable=False
        )
        self.moving_variance = self.add_weight(
            shape, self.moving_variance_initializer, name="moving_variance", trainable=False
        )

    def forward(self, ctx: Any, x: np.ndarray, training: bool = False) -> np.ndarray:
        reduce = tuple(a for a in range(x.ndim) if a not in self.axes)
        ctx.batch_statistics = batch = bool(training) and self.trainable
        if batch:
            mean = x.mean(axis=reduce, keepdims=True)  # μ
            var = np.square(x - mean).mean(axis=reduce, keepdims=True)  # σ² (biased)
            m = x.dtype.type(self.momentum)
            mm, mv = self.moving_mean.value, self.moving_variance.value
            mm *= m
            mm += mean.reshape(mm.shape) * (1 - m)  # μ̄ ← m·μ̄ + (1 − m)·μ
            mv *= m
            mv += var.reshape(mv.shape) * (1 - m)  # σ̄² ← m·σ̄² + (1 − m)·σ²
        else:
            mean = self._broadcast(self.moving_mean.value, x.ndim)
            var = self._broadcast(self.moving_variance.value, x.ndim)
        ctx.inv_std = inv_std = 1.0 / np.sqrt(var + x.dtype.type(self.epsilon))
        ctx.xhat = xhat = (x - mean) * inv_std  # X̂ = (X − μ)/√(σ² + ε)
        return self._scale_shift(ctx, xhat)

    def backward(self, ctx: Any, grad: np.ndarray, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        dx = None
        if needs[0]:
            dxhat = self._dxhat(grad)
            if ctx.batch_statistics:
                reduce = tuple(a for a in range(grad.ndim) if a not in self.axes)
                dx = _standardized_backward(dxhat, ctx.xhat, ctx.inv_std, reduce)
            else:
                dx = dxhat * ctx.inv_std  # the statistics are constants
        return (dx, *self._param_grads(ctx, grad, needs), None, None)

    def formula(self, inputs: list[str]) -> str:
        x = inputs[0]
        return f"γ·({x} − μ)/√(σ² + {self.epsilon:g}) + β, μ and σ² over the batch"

    def grad_formula(self, i: int, inputs: list[str]) -> str:
        return "(m·∂X̂ − Σ∂X̂ − X̂·Σ(∂X̂·X̂)) / (m·√(σ² + ε)), ∂X̂ = ∂out·γ" if i == 0 else ""

    def get_config(self) -> dict[str, Any]:
        cfg = super().get_config()
        cfg.update(
            momentum=self.momentum,
            moving_mean_initializer=initializers_module.serialize(self.moving_mean_initializer),
            moving_variance_initializer=initializers_module.serialize(
                self.moving_variance_initializer
            ),
        )
        return cfg


class LayerNormalization(_Normalization):
    """Normalizes each sample over its features, as Keras's LayerNormalization.

    μ, σ² of each sample over ``axis`` (biased); X̂ = (X − μ)/√(σ² + ε), Y = γ·X̂ + β. The same
    in training and inference; no moving statistics. Weights: gamma, beta.

    >>> layer = LayerNormalization()
    """

    def build(self, input_shape: Shape) -> None:
        self._add_gamma_beta(self._param_shape(input_shape))

    def forward(self, ctx: Any, x: np.ndarray, training: bool = False) -> np.ndarray:
        mean = x.mean(axis=self.axes, keepdims=True)  # μ per sample
        var = np.square(x - mean).mean(axis=self.axes, keepdims=True)  # σ² per sample
        ctx.inv_std = inv_std = 1.0 / np.sqrt(var + x.dtype.type(self.epsilon))
        ctx.xhat = xhat = (x - mean) * inv_std
        return self._scale_shift(ctx, xhat)

    def backward(self, ctx: Any, grad: np.ndarray, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        dx = None
        if needs[0]:
            dx = _standardized_backward(self._dxhat(grad), ctx.xhat, ctx.inv_std, self.axes)
        return (dx, *self._param_grads(ctx, grad, needs))

    def formula(self, inputs: list[str]) -> str:
        x = inputs[0]
        return f"γ·({x} − μ)/√(σ² + {self.epsilon:g}) + β, μ and σ² over each sample's features"

    def grad_formula(self, i: int, inputs: list[str]) -> str:
        return "(m·∂X̂ − Σ∂X̂ − X̂·Σ(∂X̂·X̂)) / (m·√(σ² + ε)), ∂X̂ = ∂out·γ" if i == 0 else ""
