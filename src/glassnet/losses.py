"""Loss functions L(Y, A) averaged over the batch, as Keras does, with their gradients ∂L/∂A.

The batch mean is taken here, once: ``gradient`` already carries the 1/n, so layers only sum.
Cross-entropies also give the *fused* gradient through their output activation, ∂L/∂Z = (A − Y)/n,
and compute their value from the logits Z with log-sum-exp, so no log(0) is ever taken and a
confident wrong prediction reports its true, large loss.

>>> from glassnet import losses
>>> losses.get("mse")(np.array([[1.0], [0.0]]), np.array([[0.5], [0.5]]))
0.25
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet import activations
from glassnet.registry import Registry


def _floor_log(p: np.ndarray) -> np.ndarray:
    """log(p) with p floored at the dtype's smallest normal number, so log(0) never happens."""
    return np.log(np.maximum(p, np.finfo(p.dtype).tiny))


class Loss:
    """Base class. Built-in losses implement ``__call__`` (the batch mean) and ``gradient``
    (∂L/∂A) by hand. A loss of your own implements only ``call(y_true, y_pred)``, the loss per
    sample, out of ``glassnet.ops``: the tape records it and backpropagation differentiates it.

    A loss that pairs with an output activation (sigmoid or softmax) names it in
    ``fused_activation`` and implements ``value_from_logits`` and ``fused_gradient``.

    >>> class MeanAbsolute(Loss):  # doctest: +SKIP
    ...     def call(self, y_true, y_pred):
    ...         return ops.mean(ops.abs(y_pred - y_true), axis=-1)
    """

    name = "loss"
    fused_activation: type[activations.Activation] | None = None
    sparse_targets = False

    @property
    def has_gradient(self) -> bool:
        """True for losses with a hand-written ∂L/∂A; False for those built of glassnet.ops."""
        return type(self).gradient is not Loss.gradient

    def call(self, y_true: Any, y_pred: Any) -> Any:
        """The loss of each sample, built of glassnet.ops (for losses without ``gradient``)."""
        raise NotImplementedError(
            f"loss {type(self).__name__} must implement call(y_true, y_pred) out of glassnet.ops, "
            "or __call__ and gradient by hand"
        )

    def value(self, y_true: Any, y_pred: Any, sample_weight: np.ndarray | None = None) -> Any:
        """The batch mean of ``call``: L = 1/n Σᵢ wᵢ·call(yᵢ, ŷᵢ) (recorded while training)."""
        from glassnet import ops
        from glassnet.tape import array_of

        out = self.call(y_true, y_pred)
        if sample_weight is not None:
            out = ops.multiply(
                out, sample_weight.reshape(-1, *([1] * (np.ndim(array_of(out)) - 1)))
            )
        return ops.mean(out) if np.ndim(array_of(out)) > 0 else out

    def per_sample(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        """Lᵢ, the loss of each sample (the loss is their mean)."""
        raise NotImplementedError

    def per_sample_from_logits(self, y_true: np.ndarray, z: np.ndarray) -> np.ndarray:
        """Lᵢ computed from the output layer's pre-activation (for the fused losses)."""
        raise NotImplementedError

    def __call__(self, y_true: np.ndarray, y_pred: np.ndarray) -> float:
        from glassnet.tape import array_of

        return float(array_of(self.value(y_true, y_pred)))

    def gradient(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def value_from_logits(self, y_true: np.ndarray, z: np.ndarray) -> float:
        """The loss computed from the output layer's pre-activation Z (numerically exact)."""
        raise NotImplementedError

    def fused_gradient(self, y_true: np.ndarray, a: np.ndarray) -> np.ndarray:
        """∂L/∂Z through the paired output activation, with A = g(Z)."""
        raise NotImplementedError

    def fuses_with(self, activation: activations.Activation) -> bool:
        return self.fused_activation is not None and type(activation) is self.fused_activation

    def get_config(self) -> dict[str, Any]:
        return {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class MeanSquaredError(Loss):
    """L = 1/(n·k) Σ (A − Y)², ∂L/∂A = 2(A − Y)/(n·k)."""

    name = "mean_squared_error"

    def __call__(self, y_true: np.ndarray, y_pred: np.ndarray) -> float:
        diff = (y_pred - y_true).ravel()
        return float(np.dot(diff, diff)) / diff.size

    def gradient(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        return (y_pred - y_true) * y_pred.dtype.type(2.0 / y_pred.size)

    def per_sample(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        diff = (y_pred - y_true).reshape(len(y_pred), -1)
        return (diff * diff).mean(axis=1)  # Lᵢ = 1/k Σⱼ (aᵢⱼ − yᵢⱼ)²


class BinaryCrossentropy(Loss):
    """L = −1/(n·k) Σ [Y log A + (1 − Y) log(1 − A)], ∂L/∂A = (A − Y) / (A(1 − A)) / (n·k).

    Fused with a sigmoid output: ∂L/∂Z = (A − Y)/(n·k), and from the logits
    L = 1/(n·k) Σ [max(Z, 0) − Z·Y + log(1 + e^(−|Z|))].
    """

    name = "binary_crossentropy"
    fused_activation = activations.Sigmoid

    def __call__(self, y_true: np.ndarray, y_pred: np.ndarray) -> float:
        terms = y_true * _floor_log(y_pred) + (1 - y_true) * _floor_log(1 - y_pred)
        return -float(terms.sum()) / terms.size

    def gradient(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        tiny = np.finfo(y_pred.dtype).tiny
        denom = np.maximum(y_pred * (1 - y_pred), tiny)
        return (y_pred - y_true) / denom / y_pred.dtype.type(y_pred.size)

    def value_from_logits(self, y_true: np.ndarray, z: np.ndarray) -> float:
        terms = np.maximum(z, 0) - z * y_true + np.log1p(np.exp(-np.abs(z)))
        return float(terms.sum()) / terms.size

    def fused_gradient(self, y_true: np.ndarray, a: np.ndarray) -> np.ndarray:
        return (a - y_true) * a.dtype.type(1.0 / a.size)

    def per_sample(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        terms = y_true * _floor_log(y_pred) + (1 - y_true) * _floor_log(1 - y_pred)
        return -terms.reshape(len(terms), -1).mean(axis=1)

    def per_sample_from_logits(self, y_true: np.ndarray, z: np.ndarray) -> np.ndarray:
        terms = np.maximum(z, 0) - z * y_true + np.log1p(np.exp(-np.abs(z)))
        return terms.reshape(len(terms), -1).mean(axis=1)


class CategoricalCrossentropy(Loss):
    """L = −1/n Σ_i Σ_c Y_ic log A_ic (one-hot Y), ∂L/∂A = −Y / A / n.

    Fused with a softmax output: ∂L/∂Z = (A − Y)/n, and from the logits
    L = 1/n Σ_i Σ_c Y_ic (logsumexp(Z_i) − Z_ic).
    """

    name = "categorical_crossentropy"
    fused_activation = activations.Softmax

    def __call__(self, y_true: np.ndarray, y_pred: np.ndarray) -> float:
        return float(-np.sum(y_true * _floor_log(y_pred)) / len(y_pred))

    def gradient(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        tiny = np.finfo(y_pred.dtype).tiny
        return -y_true / np.maximum(y_pred, tiny) / y_pred.dtype.type(len(y_pred))

    def value_from_logits(self, y_true: np.ndarray, z: np.ndarray) -> float:
        return float(np.sum(y_true * (_logsumexp(z) - z)) / len(z))

    def fused_gradient(self, y_true: np.ndarray, a: np.ndarray) -> np.ndarray:
        return (a - y_true) * a.dtype.type(1.0 / len(a))

    def per_sample(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        return -np.sum(y_true * _floor_log(y_pred), axis=-1)

    def per_sample_from_logits(self, y_true: np.ndarray, z: np.ndarray) -> np.ndarray:
        return np.sum(y_true * (_logsumexp(z) - z), axis=-1)


class SparseCategoricalCrossentropy(Loss):
    """Categorical cross-entropy with integer labels y_i: L = −1/n Σ_i log A_{i, y_i}.

    Fused with softmax: ∂L/∂Z = (A − onehot(y))/n; from the logits
    L = 1/n Σ_i (logsumexp(Z_i) − Z_{i, y_i}).
    """

    name = "sparse_categorical_crossentropy"
    fused_activation = activations.Softmax
    sparse_targets = True

    def __call__(self, y_true: np.ndarray, y_pred: np.ndarray) -> float:
        picked = y_pred[np.arange(len(y_pred)), y_true]
        return -float(_floor_log(picked).sum()) / len(picked)

    def gradient(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        grad = np.zeros_like(y_pred)
        rows = np.arange(len(y_pred))
        tiny = np.finfo(y_pred.dtype).tiny
        grad[rows, y_true] = -1.0 / np.maximum(y_pred[rows, y_true], tiny) / len(y_pred)
        return grad

    def value_from_logits(self, y_true: np.ndarray, z: np.ndarray) -> float:
        picked = z[np.arange(len(z)), y_true]
        return float((_logsumexp(z)[:, 0] - picked).sum()) / len(z)

    def fused_gradient(self, y_true: np.ndarray, a: np.ndarray) -> np.ndarray:
        grad = a.copy()
        grad[np.arange(len(a)), y_true] -= 1
        grad *= a.dtype.type(1.0 / len(a))
        return grad

    def per_sample(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        return -_floor_log(y_pred[np.arange(len(y_pred)), y_true])

    def per_sample_from_logits(self, y_true: np.ndarray, z: np.ndarray) -> np.ndarray:
        return _logsumexp(z)[:, 0] - z[np.arange(len(z)), y_true]


class FunctionLoss(Loss):
    """A plain function ``loss(y_true, y_pred)`` built of glassnet.ops, used as a loss."""

    def __init__(self, function: Any) -> None:
        self.function = function
        self.name = str(getattr(function, "__name__", "custom_loss"))

    def call(self, y_true: Any, y_pred: Any) -> Any:
        return self.function(y_true, y_pred)

    def __repr__(self) -> str:
        return f"FunctionLoss({self.name})"


def _logsumexp(z: np.ndarray) -> np.ndarray:
    """log Σ_j e^(z_j) over the last axis, shifted by the row max so it never overflows."""
    zmax = z.max(axis=-1, keepdims=True)
    return zmax + np.log(np.exp(z - zmax).sum(axis=-1, keepdims=True))


_registry: Registry[Loss] = Registry("loss", Loss)
for _cls in (
    MeanSquaredError,
    BinaryCrossentropy,
    CategoricalCrossentropy,
    SparseCategoricalCrossentropy,
):
    _registry.register(_cls.name, _cls)
_registry.alias("mse", "mean_squared_error")
_registry.alias("bce", "binary_crossentropy")
_registry.alias("cce", "categorical_crossentropy")


def register(name: str, loss: type[Loss] | Loss) -> None:
    """Register a custom loss so that its name works in ``compile(loss=...)``."""
    _registry.register(name, loss)


def get(identifier: Any) -> Loss:
    """Resolve a name, a Loss object or class, or a plain function (built of glassnet.ops)."""
    if callable(identifier) and not isinstance(identifier, (Loss, type)):
        return FunctionLoss(identifier)
    return _registry.get(identifier)


def serialize(loss: Loss) -> dict[str, Any]:
    return _registry.serialize(loss)


def deserialize(config: dict[str, Any]) -> Loss:
    return _registry.deserialize(config)
