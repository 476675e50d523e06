"""Preprocessing layers: Normalization, the standardisation a model carries inside itself.

A model that standardises its inputs with a layer keeps the training set's mean and variance
among its weights, so a saved model takes raw rows: nothing has to be remembered beside it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet import config
from glassnet.layers.base import Layer, Shape
from glassnet.utils import as_float_array

# Keras's backend.epsilon(): the floor of the standard deviation a value is divided by
EPSILON = 1e-7


def _axis_tuple(axis: Any) -> tuple[int, ...]:
    if axis is None:
        return ()
    if isinstance(axis, (int, np.integer)) and not isinstance(axis, bool):
        return (int(axis),)
    if isinstance(axis, (list, tuple)) and all(
        isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in axis
    ):
        return tuple(int(a) for a in axis)
    raise TypeError(f"Normalization axis must be an int, a tuple of ints or None, got {axis!r}")


class Normalization(Layer):
    """Standardises each feature with a mean and variance, as Keras's Normalization.

    Y = (X − μ) / max(√σ², ε), ε = 1e-7 (Keras's ``backend.epsilon()``, which it puts in a
    maximum, not under the root); ``invert=True`` computes the inverse, Y = μ + X·max(√σ², ε).
    μ and σ² are either given (``mean=``, ``variance=``, broadcast against the kept axes from
    the right) or learned by ``adapt(data)``: the mean and the population variance (ddof = 0)
    of each position along ``axis`` (``None``: one mean and variance over everything). Adapted
    statistics are the layer's non-trainable weights ``mean`` and ``variance`` (Keras adds a
    legacy ``count`` that glassnet leaves out), so a saved model carries them.

    Backward: the statistics are constants, dX = dY / max(√σ², ε) (inverted: dY·max(√σ², ε)).

    >>> layer = Normalization()
    >>> layer.adapt(np.array([[1.0], [3.0]]))
    >>> layer(np.array([[5.0]])).tolist()
    [[3.0]]
    """

    def __init__(
        self,
        axis: Any = -1,
        mean: Any = None,
        variance: Any = None,
        invert: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.axis = _axis_tuple(axis)
        self.invert = bool(invert)
        if (mean is None) != (variance is None):
            raise ValueError(
                "Normalization needs both mean and variance, or neither (then call adapt); "
                f"got mean={mean!r} and variance={variance!r}"
            )
        self.input_mean = self.input_variance = None
        if mean is not None:
            self.input_mean = as_float_array(mean, "Normalization mean", "float64")
            self.input_variance = as_float_array(variance, "Normalization variance", "float64")
            if self.input_mean.shape != self.input_variance.shape:
                raise ValueError(
                    "Normalization mean and variance must have the same shape, got "
                    f"{self.input_mean.shape} and {self.input_variance.shape}"
                )
            if self.input_mean.ndim > len(self.axis):
                raise ValueError(
                    f"Normalization mean of shape {self.input_mean.shape} has more dimensions "
                    f"than the {len(self.axis)} kept axes {self.axis}"
                )
            if (self.input_variance < 0).any():
                raise ValueError("Normalization variance must not be negative")
        self.keep_axes: tuple[int, ...] = ()
        self.reduce_axes: tuple[int, ...] = ()
        self.broadcast_shape: tuple[int, ...] = ()
        self.adapt_mean: Any = None
        self.adapt_variance: Any = None

    def build(self, input_shape: Shape) -> None:
        ndim = len(input_shape)
        if any(not -ndim <= a < ndim for a in self.axis):
            raise ValueError(
                f"Normalization axis {self.axis} must lie in [-{ndim}, {ndim}) for inputs of "
                f"shape {tuple(input_shape)}"
            )
        self.keep_axes = tuple(sorted(a % ndim for a in self.axis))
        if any(input_shape[a] is None for a in self.keep_axes):
            raise ValueError(
                f"Normalization axis {self.axis} keeps an axis of unknown size in inputs of "
                f"shape {tuple(input_shape)} (the batch axis cannot be kept)"
            )
        self.reduce_axes = tuple(a for a in range(ndim) if a not in self.keep_axes)
        self.broadcast_shape = tuple(
            int(input_shape[a]) if a in self.keep_axes else 1 for a in range(ndim)
        )
        shape = tuple(int(input_shape[a]) for a in self.keep_axes)
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(shape, "zeros", name="mean", trainable=False)
            self.adapt_variance = self.add_weight(shape, "ones", name="variance", trainable=False)

    def adapt(self, data: Any) -> None:
        """Learn μ and σ² (population variance) of ``data`` along the kept axes.

        >>> layer = Normalization(); layer.adapt(x_train)  # doctest: +SKIP
        """
        if self.input_mean is not None:
            raise ValueError(
                "this Normalization was given mean and variance; adapt() learns them only "
                "when neither is given"
            )
        x = as_float_array(data, "Normalization.adapt data", "float64")
        if x.ndim < 2:
            raise ValueError(
                f"Normalization.adapt expects a batch of samples (2 or more dimensions), got "
                f"an array of shape {x.shape}"
            )
        if not self.built:
            self._build_for((None, *x.shape[1:]))
        elif any(x.shape[a] != self.broadcast_shape[a] for a in self.keep_axes):
            raise ValueError(
                f"Normalization {self.name!r} was built for inputs of shape "
                f"{self.build_input_shape}, adapt() got data of shape {x.shape}"
            )
        self.adapt_mean.assign(np.mean(x, axis=self.reduce_axes))  # μ
        self.adapt_variance.assign(np.var(x, axis=self.reduce_axes))  # σ² = mean((X − μ)²)

    def _statistics(self, dtype: np.dtype) -> tuple[np.ndarray, np.ndarray]:
        """μ and σ² shaped to broadcast against the inputs."""
        if self.input_mean is None:
            mean = self.adapt_mean.value.reshape(self.broadcast_shape)
            var = self.adapt_variance.value.reshape(self.broadcast_shape)
        else:
            mean, var = self.input_mean, self.input_variance
            assert var is not None  # given together with the mean
            if mean.ndim:  # align with the kept axes from the right, as Keras
                shape = [1] * len(self.broadcast_shape)
                for i in range(1, mean.ndim + 1):
                    shape[self.keep_axes[-i]] = mean.shape[-i]
                mean, var = mean.reshape(shape), var.reshape(shape)
        mean = np.broadcast_to(mean, self.broadcast_shape)
        var = np.broadcast_to(var, self.broadcast_shape)
        return mean.astype(dtype), var.astype(dtype)

    def forward(self, ctx: Any, x: np.ndarray, training: bool = False) -> np.ndarray:
        dtype = x.dtype if x.dtype.kind == "f" else np.dtype(config.floatx())
        x = x.astype(dtype, copy=False)
        mean, var = self._statistics(dtype)
        ctx.std = std = np.maximum(np.sqrt(var), dtype.type(EPSILON))  # max(√σ², ε)
        if self.invert:
            return mean + x * std  # Y = μ + X·max(√σ², ε)
        return (x - mean) / std  # Y = (X − μ) / max(√σ², ε)

    def backward(self, ctx: Any, grad: np.ndarray, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        dx = None
        if needs[0]:
            # dX = dY·max(√σ², ε) inverted, else dY / max(√σ², ε)
            dx = grad * ctx.std if self.invert else grad / ctx.std
        return (dx, *([None] * len(self.own_weights)))

    def formula(self, inputs: list[str]) -> str:
        if self.invert:
            return f"μ + {inputs[0]}·max(√σ², ε)"
        return f"({inputs[0]} − μ) / max(√σ², ε)"

    def grad_formula(self, i: int, inputs: list[str]) -> str:
        return "∂out·max(√σ², ε)" if self.invert else "∂out / max(√σ², ε)"

    def get_config(self) -> dict[str, Any]:
        cfg = super().get_config()
        cfg.update(
            axis=list(self.axis),
            invert=self.invert,
            mean=None if self.input_mean is None else self.input_mean.tolist(),
            variance=None if self.input_variance is None else self.input_variance.tolist(),
        )
        return cfg

    def __repr__(self) -> str:
        return f"Normalization(axis={self.axis}, invert={self.invert})"
