"""Loss functions L(Y, A) with their gradients ∂L/∂A, with Keras 3's formulas, options and names.

Every loss is computed in two steps, as in Keras: the loss of each sample Lᵢ (``per_sample``, the
value of Keras's function such as ``keras.losses.mean_absolute_error``), then the *reduction*
that turns them into one number, with optional sample weights sᵢ:

* ``"sum_over_batch_size"`` (the default) and ``"mean"``: L = Σᵢ sᵢ·Lᵢ / n;
* ``"sum"``: L = Σᵢ sᵢ·Lᵢ;
* ``"mean_with_sample_weight"``: L = Σᵢ sᵢ·Lᵢ / Σᵢ sᵢ (Σᵢ Lᵢ / n without weights);
* ``"none"`` or ``None``: the array sᵢ·Lᵢ (a loss object only; training needs one number).

The reduction is written once, in ``Loss``; its weights cᵢ = ∂L/∂Lᵢ also scale each row of the
gradient, so ``gradient`` already carries the 1/n and layers only sum.

Cross-entropies also give the *fused* gradient through their output activation,
∂L/∂Z = (A − Y)/n, and compute their value from the logits Z with log-sum-exp, so no log(0) is
ever taken and a confident wrong prediction reports its true, large loss. With
``from_logits=True`` the model's output *is* Z (a linear output layer) and ``gradient`` is
∂L/∂Z = (σ(Z) − Y)/(n·k) or (softmax(Z) − Y)/n.

>>> from glassnet import losses
>>> losses.get("mse")(np.array([[1.0], [0.0]]), np.array([[0.5], [0.5]]))
0.25
>>> losses.MeanAbsoluteError(reduction="sum")([[1.0], [0.0]], [[0.5], [0.5]])
1.0
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from glassnet import activations, config, ops
from glassnet.registry import Registry
from glassnet.tape import Tensor, array_of, needs_grad, recording
from glassnet.utils import check_number

REDUCTIONS: tuple[str | None, ...] = (
    "sum_over_batch_size",
    "sum",
    "mean",
    "mean_with_sample_weight",
    "none",
    None,
)
_BY_COUNT = ("sum_over_batch_size", "mean", "mean_with_sample_weight")  # L = Σ Lᵢ / n unweighted
_LOG2 = math.log(2.0)
_FLOATS = frozenset(np.dtype(t) for t in ("float16", "float32", "float64"))


def _floor_log(p: np.ndarray) -> np.ndarray:
    """log(p) with p floored at the dtype's smallest normal number, so log(0) never happens."""
    return np.log(np.maximum(p, np.finfo(p.dtype).tiny))


def _softplus(x: np.ndarray) -> np.ndarray:
    """log(1 + eˣ) = max(x, 0) + log(1 + e^(−|x|)), exact for every x."""
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def _mean_last(x: np.ndarray) -> np.ndarray:
    """The mean over the last axis (the features), as Σⱼ xⱼ / k (np.mean's overhead is large)."""
    return x.sum(axis=-1) / x.shape[-1]


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return activations.sigmoid(z)


def _logsumexp(z: np.ndarray) -> np.ndarray:
    """log Σ_j e^(z_j) over the last axis, shifted by the row max so it never overflows."""
    zmax = z.max(axis=-1, keepdims=True)
    return zmax + np.log(np.exp(z - zmax).sum(axis=-1, keepdims=True))


def _row(c: float | np.ndarray) -> float | np.ndarray:
    """A per-sample weight cᵢ made to scale row i of a gradient (a number stays a number)."""
    return c if np.ndim(c) == 0 else np.expand_dims(c, -1)


def _check_reduction(owner: str, reduction: Any) -> str | None:
    if not (reduction is None or isinstance(reduction, str)) or reduction not in REDUCTIONS:
        accepted = ", ".join(repr(r) for r in REDUCTIONS)
        raise ValueError(
            f"{owner} got reduction={reduction!r}; accepted reductions: {accepted} "
            "('sum_over_batch_size' is the default)"
        )
    return reduction


def _check_flag(owner: str, what: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{owner} {what} must be True or False, got {value!r}")
    return bool(value)


def _check_axis(owner: str, axis: Any) -> int:
    if isinstance(axis, bool) or axis != -1:
        raise ValueError(
            f"{owner} computes over the last axis (the features axis): axis must be -1, "
            f"got {axis!r}"
        )
    return -1


def _align(y_true: np.ndarray, y_pred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Targets and predictions brought to the same rank as Keras brings them: a trailing axis of
    size 1 is added to a rank-1 array, or dropped from the other."""
    if y_true.ndim == y_pred.ndim + 1 and y_true.shape[-1] == 1:
        if y_pred.ndim == 1:
            y_pred = y_pred[:, None]
        else:
            y_true = y_true[..., 0]
    elif y_pred.ndim == y_true.ndim + 1 and y_pred.shape[-1] == 1:
        if y_true.ndim == 1:
            y_true = y_true[:, None]
        else:
            y_pred = y_pred[..., 0]
    if y_pred.ndim == 1:  # one sample of k values, as Keras reads a vector
        y_true, y_pred = y_true.reshape(1, -1), y_pred.reshape(1, -1)
    return y_true, y_pred


class Loss:
    """Base class: the reduction, the options every loss shares, and losses built of ops.

    Built-in losses compute each sample's loss Lᵢ and its derivative by hand. A loss of your own
    implements only ``call(y_true, y_pred)``, the loss per sample, out of ``glassnet.ops``: the
    tape records it and backpropagation differentiates it.

    A loss that pairs with an output activation (sigmoid or softmax) names it in
    ``fused_activation`` and implements ``value_from_logits`` and ``fused_gradient``.

    Args:
        reduction: how the per-sample losses become one number (see the module docstring).
        name: the loss's name (shown by explain and in its saved config).

    >>> class MeanAbsolute(Loss):  # doctest: +SKIP
    ...     def call(self, y_true, y_pred):
    ...         return ops.mean(ops.abs(y_pred - y_true), axis=-1)
    """

    name = "loss"
    reduction: str | None = "sum_over_batch_size"
    from_logits = False
    fused_activation: type[activations.Activation] | None = None
    sparse_targets = False

    def __init__(self, reduction: str | None = "sum_over_batch_size", name: str | None = None):
        self.reduction = _check_reduction(type(self).__name__, reduction)
        if name is not None:
            if not isinstance(name, str) or not name:
                raise ValueError(
                    f"{type(self).__name__} name must be a non-empty string, got {name!r}"
                )
            self.name = name

    @property
    def has_gradient(self) -> bool:
        """True for losses with a hand-written ∂L/∂A; False for those built of glassnet.ops."""
        return type(self).gradient is not Loss.gradient

    # -- the reduction ---------------------------------------------------------------------------
    def _weights(
        self,
        shape: tuple[int, ...],
        dtype: Any,
        sample_weight: Any = None,
        mask: np.ndarray | None = None,
    ) -> tuple[np.ndarray | None, float]:
        """Keras's reduction as L = Σᵢ wᵢ·Lᵢ / d: the weights wᵢ (None: all 1) and d.

        A mask (ignored samples) weighs masked samples 0 and, for the batch means, the others
        n/valid, as Keras merges a mask into the sample weights."""
        n = math.prod(shape)
        weights = None
        if sample_weight is not None:
            weights = np.asarray(sample_weight, dtype=dtype)
            if weights.ndim == len(shape) + 1 and weights.shape[-1] == 1:
                weights = weights[..., 0]
            elif 0 < weights.ndim < len(shape):
                weights = weights.reshape(weights.shape + (1,) * (len(shape) - weights.ndim))
        if mask is not None:
            m = mask.astype(dtype)
            if self.reduction in ("sum_over_batch_size", "mean"):
                valid = float(m.sum())
                m = m * (n / valid if valid else 0.0)
            weights = m if weights is None else weights * m
        if self.reduction in ("sum", "none", None):
            return weights, 1.0
        if self.reduction == "mean_with_sample_weight" and weights is not None:
            return weights, float(weights.sum())
        return weights, float(n)

    def reduce(
        self, values: np.ndarray, sample_weight: Any = None, mask: np.ndarray | None = None
    ) -> Any:
        """The per-sample losses Lᵢ reduced to L = Σᵢ sᵢ·Lᵢ / d (an array for "none")."""
        values = np.asarray(values)
        weights, divisor = self._weights(values.shape, values.dtype, sample_weight, mask)
        if weights is not None:
            values = values * weights
        if self.reduction in ("none", None):
            return values
        return float(values.sum()) / divisor if divisor else 0.0  # 0 when Σ sᵢ = 0, as Keras

    def _scale(
        self,
        shape: tuple[int, ...],
        dtype: Any,
        sample_weight: Any = None,
        mask: np.ndarray | None = None,
    ) -> float | np.ndarray:
        """cᵢ = ∂L/∂Lᵢ = wᵢ/d, the factor of row i of the gradient."""
        self._check_one_number()
        weights, divisor = self._weights(shape, dtype, sample_weight, mask)
        if weights is None:
            return 1.0 / divisor
        return weights * (1.0 / divisor if divisor else 0.0)

    def _check_one_number(self) -> None:
        """Training differentiates one number: reduction "none" cannot train."""
        if self.reduction in ("none", None):
            raise ValueError(
                f"loss {self.name!r} has reduction={self.reduction!r}: it gives one value per "
                "sample, and training needs one number; compile with reduction="
                "'sum_over_batch_size' (the default), 'sum', 'mean' or 'mean_with_sample_weight'"
            )

    # -- losses built of glassnet.ops --------------------------------------------------------
    def call(self, y_true: Any, y_pred: Any) -> Any:
        """The loss of each sample, built of glassnet.ops (for losses without ``gradient``)."""
        raise NotImplementedError(
            f"loss {type(self).__name__} must implement call(y_true, y_pred) out of glassnet.ops, "
            "or __call__ and gradient by hand"
        )

    def value(self, y_true: Any, y_pred: Any, sample_weight: np.ndarray | None = None) -> Any:
        """The reduction of ``call``, L = Σᵢ sᵢ·call(yᵢ, ŷᵢ) / d, recorded while training."""
        out = self.call(y_true, y_pred)
        values = array_of(out)
        if np.ndim(values) == 0:
            return out
        self._check_one_number()
        dtype = np.asarray(values).dtype
        weights, divisor = self._weights(np.shape(values), dtype, sample_weight)
        if weights is not None:
            out = ops.multiply(out, weights)
        if divisor == np.size(values):
            return ops.mean(out)
        total = ops.sum(out)
        if divisor == 1.0:
            return total
        return ops.multiply(total, np.asarray(1.0 / divisor if divisor else 0.0, dtype=dtype))

    def per_sample(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        """Lᵢ, the loss of each sample, before the reduction."""
        return np.asarray(array_of(self.call(y_true, y_pred)))

    def per_sample_from_logits(self, y_true: np.ndarray, z: np.ndarray) -> np.ndarray:
        """Lᵢ computed from the output layer's pre-activation (for the fused losses)."""
        raise NotImplementedError

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Any:
        """The reduced loss: a float, or the per-sample array for reduction "none".

        Called on a recorded tensor while a model trains (e.g. in a layer's ``call``, for
        ``add_loss``), the loss is recorded too, and backpropagation goes through its gradient."""
        if _recorded(y_pred):
            return _record_loss(self, y_true, y_pred, sample_weight)
        return self.reduce(self.per_sample(y_true, y_pred), sample_weight)

    def gradient(
        self, y_true: np.ndarray, y_pred: np.ndarray, sample_weight: Any = None
    ) -> np.ndarray:
        """∂L/∂A, the reduction's weights included (hand-written losses only)."""
        raise NotImplementedError

    def value_from_logits(
        self, y_true: np.ndarray, z: np.ndarray, sample_weight: Any = None
    ) -> Any:
        """The loss computed from the output layer's pre-activation Z (numerically exact)."""
        raise NotImplementedError

    def fused_gradient(
        self, y_true: np.ndarray, a: np.ndarray, sample_weight: Any = None
    ) -> np.ndarray:
        """∂L/∂Z through the paired output activation, with A = g(Z)."""
        raise NotImplementedError

    def fuses_with(self, activation: activations.Activation) -> bool:
        """Is ∂L/∂Z through this output activation the shortcut (A − Y)/n? Never from logits."""
        return (
            self.fused_activation is not None
            and not self.from_logits
            and type(activation) is self.fused_activation
        )

    # -- what explain() shows -------------------------------------------------------------------
    def delta_formula(self, y_true: np.ndarray, output: str, width: int) -> str | None:
        """δ = ∂L/∂Z of the output layer, unweighted, in explain()'s notation: ``"(A − Y) / n"``
        through the fused activation (``output`` is A), ``"(σ(Z) − Y) / n·k"`` from the logits
        (``output`` is Z); None for a loss with neither form (its ∂L/∂A goes through g′(Z))."""
        return None

    def target_terms(self, y_true: np.ndarray) -> list[tuple[str, str, str, np.ndarray, str]]:
        """The symbols ``delta_formula`` uses besides Y, A and Z, defined from Y: (key, symbol,
        definition, value, note), e.g. ("Y_smoothed", "Y′", "Y(1 − 0.2) + 0.2/2", Y′, …)."""
        return []

    def get_config(self) -> dict[str, Any]:
        """The constructor's arguments, as Keras's: name, reduction and the loss's options."""
        return {"name": self.name, "reduction": self.reduction}

    def __repr__(self) -> str:
        """The class and the options that differ from their defaults: ``Huber(delta=2.0)``."""
        defaults = {
            k: p.default
            for k, p in inspect.signature(type(self).__init__).parameters.items()
            if p.default is not inspect.Parameter.empty
        }
        defaults["name"] = type(self).name
        changed = [
            f"{k}={v!r}"
            for k, v in self.get_config().items()
            if k not in defaults or defaults[k] != v
        ]
        return f"{type(self).__name__}({', '.join(changed)})"


class _HandWritten(Loss):
    """A loss whose per-sample value Lᵢ and derivative ∂Lᵢ/∂A are written by hand; the
    reduction weighs both, so ∂L/∂A = cᵢ·∂Lᵢ/∂A row by row."""

    def _inputs(self, y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
        """Arrays of one float dtype, of the same rank (at the public boundary)."""
        if (  # what the trainer passes: nothing to convert
            type(y_pred) is np.ndarray
            and type(y_true) is np.ndarray
            and y_pred.dtype in _FLOATS
            and y_pred.ndim > 1
            and (
                self.sparse_targets
                or (y_true.dtype is y_pred.dtype and y_true.shape == y_pred.shape)
            )
        ):
            return y_true, y_pred
        y_pred = np.asarray(y_pred)
        if not np.issubdtype(y_pred.dtype, np.floating):
            y_pred = y_pred.astype(config.floatx())
        if self.sparse_targets:
            return np.asarray(y_true), y_pred
        return _align(np.asarray(y_true, dtype=y_pred.dtype), y_pred)

    def _mask(self, y_true: np.ndarray) -> np.ndarray | None:
        """Which samples count (None: all of them)."""
        return None

    def _masked(self) -> bool:
        """Can ``_mask`` leave samples out (a loss with an ignored label)?"""
        return False

    def _gradient(
        self, y_true: np.ndarray, y_pred: np.ndarray, c: float | np.ndarray
    ) -> np.ndarray:
        """Σᵢ cᵢ·∂Lᵢ/∂A, with cᵢ a number or an array against row i."""
        raise NotImplementedError

    def per_sample(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _plain(self, y_true: np.ndarray, sample_weight: Any) -> bool:
        """No weights and no mask, and a batch mean: L = Σᵢ Lᵢ / n (the common case, kept fast)."""
        return sample_weight is None and self.reduction in _BY_COUNT and not self._masked()

    def _mean(self, y_true: np.ndarray, y_pred: np.ndarray) -> float:
        """L = Σᵢ Lᵢ / n, unweighted and unmasked (a loss may sum its terms more directly)."""
        values = self.per_sample(y_true, y_pred)
        return float(values.sum()) / values.size

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Any:
        """The reduced loss: a float, or the per-sample array for reduction "none".

        Called on a recorded tensor while a model trains (e.g. in a layer's ``call``, for
        ``add_loss``), the loss is recorded too, and backpropagation goes through its gradient."""
        if _recorded(y_pred):
            return _record_loss(self, y_true, y_pred, sample_weight)
        y_true, y_pred = self._inputs(y_true, y_pred)
        if self._plain(y_true, sample_weight):
            return self._mean(y_true, y_pred)
        return self.reduce(self.per_sample(y_true, y_pred), sample_weight, self._mask(y_true))

    def gradient(
        self, y_true: np.ndarray, y_pred: np.ndarray, sample_weight: Any = None
    ) -> np.ndarray:
        """∂L/∂A (∂L/∂Z for a loss from logits), the reduction's weights included."""
        if self._plain(y_true, sample_weight):
            return self._gradient(y_true, y_pred, y_pred.shape[-1] / y_pred.size)  # cᵢ = 1/n
        c = self._scale(y_pred.shape[:-1], y_pred.dtype, sample_weight, self._mask(y_true))
        return self._gradient(y_true, y_pred, _row(c))


class _ElementWise(_HandWritten):
    """A loss that is a mean over the features of one term per element, Lᵢ = 1/k Σⱼ ℓᵢⱼ:
    ``_elements`` gives ℓ, and the batch mean is Σᵢⱼ ℓᵢⱼ / (n·k) in one sum."""

    def _elements(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        """ℓᵢⱼ, the loss of each element."""
        raise NotImplementedError

    def per_sample(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        return _mean_last(self._elements(y_true, y_pred))

    def _mean(self, y_true: np.ndarray, y_pred: np.ndarray) -> float:
        terms = self._elements(y_true, y_pred)
        return float(terms.sum()) / terms.size


# -- regression -------------------------------------------------------------------------------
class MeanSquaredError(_ElementWise):
    """Lᵢ = 1/k Σⱼ (aᵢⱼ − yᵢⱼ)², ∂Lᵢ/∂A = 2(A − Y)/k."""

    name = "mean_squared_error"

    def __init__(
        self, reduction: str | None = "sum_over_batch_size", name: str = "mean_squared_error"
    ) -> None:
        super().__init__(reduction, name)

    def _elements(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        diff = y_pred - y_true
        return diff * diff

    def _mean(self, y_true: np.ndarray, y_pred: np.ndarray) -> float:
        diff = (y_pred - y_true).ravel()
        return float(np.dot(diff, diff)) / diff.size  # Σ(A − Y)² as one dot product

    def _gradient(self, y_true: np.ndarray, y_pred: np.ndarray, c: Any) -> np.ndarray:
        return (y_pred - y_true) * (c * (2.0 / y_pred.shape[-1]))


class MeanAbsoluteError(_ElementWise):
    """Lᵢ = 1/k Σⱼ |aᵢⱼ − yᵢⱼ|, ∂Lᵢ/∂A = sign(A − Y)/k (0 where A = Y)."""

    name = "mean_absolute_error"

    def __init__(
        self, reduction: str | None = "sum_over_batch_size", name: str = "mean_absolute_error"
    ) -> None:
        super().__init__(reduction, name)

    def _elements(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        return np.abs(y_true - y_pred)

    def _gradient(self, y_true: np.ndarray, y_pred: np.ndarray, c: Any) -> np.ndarray:
        return np.sign(y_pred - y_true) * (c * (1.0 / y_pred.shape[-1]))


class MeanAbsolutePercentageError(_ElementWise):
    """Lᵢ = 100/k Σⱼ |(yᵢⱼ − aᵢⱼ) / max(|yᵢⱼ|, ε)|, ∂Lᵢ/∂A = 100·sign(A − Y) / (k·max(|Y|, ε)).

    ε is ``config.epsilon()`` (1e-7), as Keras's ``backend.epsilon()``.
    """

    name = "mean_absolute_percentage_error"

    def __init__(
        self,
        reduction: str | None = "sum_over_batch_size",
        name: str = "mean_absolute_percentage_error",
    ) -> None:
        super().__init__(reduction, name)

    def _elements(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        scale = np.maximum(np.abs(y_true), config.epsilon())
        return 100.0 * np.abs((y_true - y_pred) / scale)

    def _gradient(self, y_true: np.ndarray, y_pred: np.ndarray, c: Any) -> np.ndarray:
        scale = np.maximum(np.abs(y_true), config.epsilon())
        return np.sign(y_pred - y_true) / scale * (c * (100.0 / y_pred.shape[-1]))


class MeanSquaredLogarithmicError(_ElementWise):
    """Lᵢ = 1/k Σⱼ (log(max(aᵢⱼ, ε) + 1) − log(max(yᵢⱼ, ε) + 1))²,
    ∂Lᵢ/∂A = 2(log(max(A, ε) + 1) − log(max(Y, ε) + 1)) / (k·(A + 1)) where A > ε, else 0.
    """

    name = "mean_squared_logarithmic_error"

    def __init__(
        self,
        reduction: str | None = "sum_over_batch_size",
        name: str = "mean_squared_logarithmic_error",
    ) -> None:
        super().__init__(reduction, name)

    @staticmethod
    def _log_ratio(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        eps = config.epsilon()
        return np.log(np.maximum(y_pred, eps) + 1.0) - np.log(np.maximum(y_true, eps) + 1.0)

    def _elements(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        return np.square(self._log_ratio(y_true, y_pred))

    def _gradient(self, y_true: np.ndarray, y_pred: np.ndarray, c: Any) -> np.ndarray:
        eps = config.epsilon()
        above = y_pred > eps  # below ε, max(A, ε) does not move with A
        d = self._log_ratio(y_true, y_pred) / (np.maximum(y_pred, eps) + 1.0) * above
        return d * (c * (2.0 / y_pred.shape[-1]))


class Huber(_ElementWise):
    """With e = A − Y: Lᵢ = 1/k Σⱼ h(eᵢⱼ), h(e) = ½e² where |e| ≤ δ, δ|e| − ½δ² beyond;
    ∂Lᵢ/∂A = clip(e, −δ, δ)/k.

    Args:
        delta: where the loss turns from quadratic to linear (> 0).
    """

    name = "huber_loss"

    def __init__(
        self,
        delta: float = 1.0,
        reduction: str | None = "sum_over_batch_size",
        name: str = "huber_loss",
    ) -> None:
        super().__init__(reduction, name)
        self.delta = check_number("Huber delta", delta, 0.0, None, low_open=True)

    def _elements(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        error = y_pred - y_true
        abs_error = np.abs(error)
        delta = self.delta
        return np.where(abs_error <= delta, 0.5 * error * error, delta * abs_error - 0.5 * delta**2)

    def _gradient(self, y_true: np.ndarray, y_pred: np.ndarray, c: Any) -> np.ndarray:
        return np.clip(y_pred - y_true, -self.delta, self.delta) * (c * (1.0 / y_pred.shape[-1]))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "delta": self.delta}


class LogCosh(_ElementWise):
    """With x = A − Y: Lᵢ = 1/k Σⱼ log cosh(xᵢⱼ), computed as x + softplus(−2x) − log 2 (never
    overflows); ∂Lᵢ/∂A = tanh(x)/k."""

    name = "log_cosh"

    def __init__(
        self, reduction: str | None = "sum_over_batch_size", name: str = "log_cosh"
    ) -> None:
        super().__init__(reduction, name)

    def _elements(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        x = y_pred - y_true
        return x + _softplus(-2.0 * x) - _LOG2

    def _gradient(self, y_true: np.ndarray, y_pred: np.ndarray, c: Any) -> np.ndarray:
        return np.tanh(y_pred - y_true) * (c * (1.0 / y_pred.shape[-1]))


# -- hinge losses -----------------------------------------------------------------------------
def _hinge_labels(y_true: np.ndarray) -> np.ndarray:
    """Labels in {−1, 1}: if every label of the batch is 0 or 1, Y ← 2Y − 1 (as Keras)."""
    if np.all((y_true == 0) | (y_true == 1)):
        return 2.0 * y_true - 1.0
    return y_true


class Hinge(_ElementWise):
    """Lᵢ = 1/k Σⱼ max(1 − yᵢⱼ·aᵢⱼ, 0), ∂Lᵢ/∂A = −Y·[1 − Y·A > 0]/k.

    Labels are −1 or 1; when all the labels of a batch are 0 or 1 they become −1 and 1.
    """

    name = "hinge"

    def __init__(self, reduction: str | None = "sum_over_batch_size", name: str = "hinge") -> None:
        super().__init__(reduction, name)

    def _elements(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        return np.maximum(1.0 - _hinge_labels(y_true) * y_pred, 0.0)

    def _gradient(self, y_true: np.ndarray, y_pred: np.ndarray, c: Any) -> np.ndarray:
        y = _hinge_labels(y_true)
        return -y * (1.0 - y * y_pred > 0) * (c * (1.0 / y_pred.shape[-1]))


class SquaredHinge(_ElementWise):
    """Lᵢ = 1/k Σⱼ max(1 − yᵢⱼ·aᵢⱼ, 0)², ∂Lᵢ/∂A = −2Y·max(1 − Y·A, 0)/k.

    Labels are −1 or 1; when all the labels of a batch are 0 or 1 they become −1 and 1.
    """

    name = "squared_hinge"

    def __init__(
        self, reduction: str | None = "sum_over_batch_size", name: str = "squared_hinge"
    ) -> None:
        super().__init__(reduction, name)

    def _elements(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        return np.square(np.maximum(1.0 - _hinge_labels(y_true) * y_pred, 0.0))

    def _gradient(self, y_true: np.ndarray, y_pred: np.ndarray, c: Any) -> np.ndarray:
        y = _hinge_labels(y_true)
        margin = np.maximum(1.0 - y * y_pred, 0.0)
        return -y * margin * (c * (2.0 / y_pred.shape[-1]))


class CategoricalHinge(_HandWritten):
    """With pos = Σⱼ yᵢⱼ·aᵢⱼ and neg = maxⱼ (1 − yᵢⱼ)·aᵢⱼ (one-hot Y):
    Lᵢ = max(neg − pos + 1, 0), ∂Lᵢ/∂A = ((1 − Y)·onehot(argmax) − Y)·[Lᵢ > 0]."""

    name = "categorical_hinge"

    def __init__(
        self, reduction: str | None = "sum_over_batch_size", name: str = "categorical_hinge"
    ) -> None:
        super().__init__(reduction, name)

    def per_sample(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        pos = np.sum(y_true * y_pred, axis=-1)
        neg = np.max((1.0 - y_true) * y_pred, axis=-1)
        return np.maximum(neg - pos + 1.0, 0.0)

    def _gradient(self, y_true: np.ndarray, y_pred: np.ndarray, c: Any) -> np.ndarray:
        others = (1.0 - y_true) * y_pred
        top = others.argmax(axis=-1)[..., None]
        d_neg = np.zeros_like(y_pred)
        np.put_along_axis(d_neg, top, np.take_along_axis(1.0 - y_true, top, axis=-1), axis=-1)
        active = self.per_sample(y_true, y_pred) > 0
        return (d_neg - y_true) * active[..., None] * c


# -- probabilistic losses ---------------------------------------------------------------------
class KLDivergence(_HandWritten):
    """With Y and A clipped to [ε, 1]: Lᵢ = Σⱼ yᵢⱼ·log(yᵢⱼ / aᵢⱼ),
    ∂Lᵢ/∂A = −Y/A where ε ≤ A ≤ 1, else 0 (ε = ``config.epsilon()``, as Keras)."""

    name = "kl_divergence"

    def __init__(
        self, reduction: str | None = "sum_over_batch_size", name: str = "kl_divergence"
    ) -> None:
        super().__init__(reduction, name)

    def per_sample(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        eps = config.epsilon()
        y, a = np.clip(y_true, eps, 1.0), np.clip(y_pred, eps, 1.0)
        return np.sum(y * np.log(y / a), axis=-1)

    def _gradient(self, y_true: np.ndarray, y_pred: np.ndarray, c: Any) -> np.ndarray:
        eps = config.epsilon()
        y, a = np.clip(y_true, eps, 1.0), np.clip(y_pred, eps, 1.0)
        inside = (y_pred >= eps) & (y_pred <= 1.0)
        return -y / a * inside * c


class Poisson(_ElementWise):
    """Lᵢ = 1/k Σⱼ (aᵢⱼ − yᵢⱼ·log(aᵢⱼ + ε)), ∂Lᵢ/∂A = (1 − Y/(A + ε))/k."""

    name = "poisson"

    def __init__(
        self, reduction: str | None = "sum_over_batch_size", name: str = "poisson"
    ) -> None:
        super().__init__(reduction, name)

    def _elements(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        return y_pred - y_true * np.log(y_pred + config.epsilon())

    def _gradient(self, y_true: np.ndarray, y_pred: np.ndarray, c: Any) -> np.ndarray:
        d = 1.0 - y_true / (y_pred + config.epsilon())
        return d * (c * (1.0 / y_pred.shape[-1]))


class CosineSimilarity(_HandWritten):
    """With x̂ = x / max(‖x‖, ε) over the last axis: Lᵢ = −Σⱼ ŷᵢⱼ·âᵢⱼ (−1: same direction),
    ∂Lᵢ/∂A = −(Ŷ − (Ŷ·Â)Â)/‖A‖ where ‖A‖ > ε, else −Ŷ/ε.

    Args:
        axis: the features axis (-1).
    """

    name = "cosine_similarity"

    def __init__(
        self,
        axis: int = -1,
        reduction: str | None = "sum_over_batch_size",
        name: str = "cosine_similarity",
    ) -> None:
        super().__init__(reduction, name)
        self.axis = _check_axis("CosineSimilarity", axis)

    @staticmethod
    def _unit(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        norm = np.maximum(np.sqrt(np.sum(x * x, axis=-1, keepdims=True)), config.epsilon())
        return x / norm, norm

    def per_sample(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        return -np.sum(self._unit(y_true)[0] * self._unit(y_pred)[0], axis=-1)

    def _gradient(self, y_true: np.ndarray, y_pred: np.ndarray, c: Any) -> np.ndarray:
        y_hat = self._unit(y_true)[0]
        a_hat, norm = self._unit(y_pred)
        along = np.sum(y_hat * a_hat, axis=-1, keepdims=True) * a_hat
        moving = norm > config.epsilon()  # at the floor, â = A/ε moves as A does
        return -(y_hat - np.where(moving, along, 0.0)) / norm * c

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}


# -- cross-entropies ------------------------------------------------------------------------
class _CrossEntropy(_HandWritten):
    """The options every cross-entropy shares: ``from_logits`` (and its check)."""

    def __init__(self, from_logits: bool, reduction: str | None, name: str | None = None) -> None:
        super().__init__(reduction, name)
        self.from_logits = _check_flag(type(self).__name__, "from_logits", from_logits)

    def value_from_logits(
        self, y_true: np.ndarray, z: np.ndarray, sample_weight: Any = None
    ) -> Any:
        return self.reduce(
            self.per_sample_from_logits(y_true, z), sample_weight, self._mask(y_true)
        )

    # the pieces of δ's text: g as written, the targets' symbol, per-feature divisor, mask
    _link = "softmax"

    def _target_symbol(self) -> str:
        return "Y"

    def _per_feature(self, width: int) -> list[str]:
        return []

    def _logit_factor(self, y_true: np.ndarray) -> str:
        return ""

    def delta_formula(self, y_true: np.ndarray, output: str, width: int) -> str | None:
        """(A − Y) / n fused with the output activation, g(Z) − Y from the logits; with the
        reduction's count n (none for "sum"), a 1/k over the features, the smoothed targets
        Y′ and the mask M of counted samples where the options call for them."""
        if self.from_logits:
            output = f"{self._link}({output}){self._logit_factor(y_true)}"
        difference = f"{output} − {self._target_symbol()}"
        count = ["ΣM" if self._masked() else "n"] if self.reduction in _BY_COUNT else []
        divisor = "·".join(count + self._per_feature(width))
        if self._masked():
            text = f"M ⊙ ({difference})"
        else:
            text = f"({difference})" if divisor else difference
        return f"{text} / {divisor}" if divisor else text


def _check_smoothing(owner: str, label_smoothing: Any) -> float:
    return check_number(f"{owner} label_smoothing", label_smoothing, 0.0, 1.0)


class BinaryCrossentropy(_CrossEntropy, _ElementWise):
    """Lᵢ = −1/k Σⱼ [yᵢⱼ log aᵢⱼ + (1 − yᵢⱼ) log(1 − aᵢⱼ)], ∂Lᵢ/∂A = (A − Y)/(A(1 − A))/k.

    From the logits (``from_logits=True``, or fused with a sigmoid output):
    Lᵢ = 1/k Σⱼ [max(zᵢⱼ, 0) − zᵢⱼ·yᵢⱼ + log(1 + e^(−|zᵢⱼ|))] and ∂Lᵢ/∂Z = (σ(Z) − Y)/k.
    With ``label_smoothing`` = s, the targets are Y(1 − s) + s/2.

    Where Keras clips A to [1e-7, 1 − 1e-7], glassnet takes log A exactly (floored at the
    dtype's smallest normal number), so a confident wrong prediction reports its true loss.

    Args:
        from_logits: the model's output is the logit Z rather than the probability σ(Z).
        label_smoothing: s in [0, 1]; 0 leaves the targets as they are.
        axis: the features axis (-1).
    """

    name = "binary_crossentropy"
    fused_activation = activations.Sigmoid

    def __init__(
        self,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction: str | None = "sum_over_batch_size",
        name: str = "binary_crossentropy",
    ) -> None:
        super().__init__(from_logits, reduction, name)
        self.label_smoothing = _check_smoothing("BinaryCrossentropy", label_smoothing)
        self.axis = _check_axis("BinaryCrossentropy", axis)

    def _targets(self, y_true: np.ndarray) -> np.ndarray:
        s = self.label_smoothing
        return y_true * (1.0 - s) + 0.5 * s if s else y_true  # Y ← Y(1 − s) + s/2

    _link = "σ"

    def _per_feature(self, width: int) -> list[str]:
        return ["k"] if width > 1 else []

    def _target_symbol(self) -> str:
        return "Y′" if self.label_smoothing else "Y"

    def target_terms(self, y_true: np.ndarray) -> list[tuple[str, str, str, np.ndarray, str]]:
        s = self.label_smoothing
        if not s:
            return []
        definition = f"Y(1 − {s:.15g}) + {s:.15g}/2"
        return [("Y_smoothed", "Y′", definition, self._targets(y_true), "label smoothing")]

    @staticmethod
    def _logit_terms(y: np.ndarray, z: np.ndarray) -> np.ndarray:
        return np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))

    def _elements(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        y = self._targets(y_true)
        if self.from_logits:
            return self._logit_terms(y, y_pred)
        return (y - 1) * _floor_log(1 - y_pred) - y * _floor_log(y_pred)

    def per_sample_from_logits(self, y_true: np.ndarray, z: np.ndarray) -> np.ndarray:
        return _mean_last(self._logit_terms(self._targets(y_true), z))

    def _gradient(self, y_true: np.ndarray, y_pred: np.ndarray, c: Any) -> np.ndarray:
        y = self._targets(y_true)
        scale = c * (1.0 / y_pred.shape[-1])
        if self.from_logits:
            return (_sigmoid(y_pred) - y) * scale  # ∂L/∂Z = (σ(Z) − Y)/k
        denom = np.maximum(y_pred * (1 - y_pred), np.finfo(y_pred.dtype).tiny)
        return (y_pred - y) / denom * scale

    def value_from_logits(
        self, y_true: np.ndarray, z: np.ndarray, sample_weight: Any = None
    ) -> Any:
        if sample_weight is None and not self.label_smoothing and self.reduction in _BY_COUNT:
            return float(self._logit_terms(y_true, z).sum()) / z.size
        return super().value_from_logits(y_true, z, sample_weight)

    def fused_gradient(
        self, y_true: np.ndarray, a: np.ndarray, sample_weight: Any = None
    ) -> np.ndarray:
        """∂L/∂Z = (A − Y)/(n·k) through a sigmoid output, each row scaled by the reduction."""
        if sample_weight is None and not self.label_smoothing and self.reduction in _BY_COUNT:
            return (a - y_true) * a.dtype.type(1.0 / a.size)
        c = self._scale(a.shape[:-1], a.dtype, sample_weight)
        return (a - self._targets(y_true)) * (_row(c) * (1.0 / a.shape[-1]))

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
            "axis": self.axis,
        }


class CategoricalCrossentropy(_CrossEntropy):
    """Lᵢ = −Σ_c yᵢc log(aᵢc / Σ_c' aᵢc') (one-hot Y; A is renormalised as Keras does),
    ∂Lᵢ/∂A = −Y/A + ΣY/ΣA.

    From the logits (``from_logits=True``, or fused with a softmax output):
    Lᵢ = Σ_c yᵢc (logsumexp(Zᵢ) − zᵢc) and ∂Lᵢ/∂Z = softmax(Z)·ΣY − Y, which is softmax(Z) − Y
    for targets that sum to 1 (the fused gradient assumes they do). With ``label_smoothing`` = s
    over k classes, the targets are Y(1 − s) + s/k.

    Where Keras clips A to [1e-7, 1 − 1e-7], glassnet takes log A exactly (floored at the
    dtype's smallest normal number).

    Args:
        from_logits: the model's output is the logit Z rather than softmax(Z).
        label_smoothing: s in [0, 1]; 0 leaves the targets as they are.
        axis: the features axis (-1).
    """

    name = "categorical_crossentropy"
    fused_activation = activations.Softmax

    def __init__(
        self,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction: str | None = "sum_over_batch_size",
        name: str = "categorical_crossentropy",
    ) -> None:
        super().__init__(from_logits, reduction, name)
        self.label_smoothing = _check_smoothing("CategoricalCrossentropy", label_smoothing)
        self.axis = _check_axis("CategoricalCrossentropy", axis)

    def _targets(self, y_true: np.ndarray) -> np.ndarray:
        s = self.label_smoothing
        return y_true * (1.0 - s) + s / y_true.shape[-1] if s else y_true  # Y(1 − s) + s/k

    def _logit_factor(self, y_true: np.ndarray) -> str:
        """·ΣY when the (smoothed) targets of a row do not sum to 1, as ∂L/∂Z then says."""
        total = self._targets(y_true).sum(axis=-1)
        ones = np.allclose(total, 1.0, rtol=0, atol=64 * np.finfo(total.dtype).eps)
        return "" if ones else f"·Σ{self._target_symbol()}"

    def _target_symbol(self) -> str:
        return "Y′" if self.label_smoothing else "Y"

    def target_terms(self, y_true: np.ndarray) -> list[tuple[str, str, str, np.ndarray, str]]:
        s = self.label_smoothing
        if not s:
            return []
        definition = f"Y(1 − {s:.15g}) + {s:.15g}/{y_true.shape[-1]}"
        return [("Y_smoothed", "Y′", definition, self._targets(y_true), "label smoothing")]

    @staticmethod
    def _log_p(y_pred: np.ndarray, from_logits: bool) -> np.ndarray:
        """log P: of A renormalised to rows that sum to 1 (as Keras), or log softmax(Z)."""
        if from_logits:
            return y_pred - _logsumexp(y_pred)
        return _floor_log(y_pred / y_pred.sum(axis=-1, keepdims=True))

    def per_sample(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        return -np.sum(self._targets(y_true) * self._log_p(y_pred, self.from_logits), axis=-1)

    def per_sample_from_logits(self, y_true: np.ndarray, z: np.ndarray) -> np.ndarray:
        return -np.sum(self._targets(y_true) * self._log_p(z, True), axis=-1)

    def _mean(self, y_true: np.ndarray, y_pred: np.ndarray) -> float:
        log_p = self._log_p(y_pred, self.from_logits)  # L = −Σᵢⱼ yᵢⱼ·log pᵢⱼ / n, one dot
        return -float(np.vdot(self._targets(y_true), log_p)) / (log_p.size // log_p.shape[-1])

    def _gradient(self, y_true: np.ndarray, y_pred: np.ndarray, c: Any) -> np.ndarray:
        y = self._targets(y_true)
        total = y.sum(axis=-1, keepdims=True)
        if self.from_logits:
            return (activations.softmax(y_pred) * total - y) * c  # ∂L/∂Z = softmax(Z)·ΣY − Y
        grad = y / np.maximum(y_pred, np.finfo(y_pred.dtype).tiny)
        np.subtract(total / y_pred.sum(axis=-1, keepdims=True), grad, out=grad)  # ΣY/ΣA − Y/A
        return grad * c

    def value_from_logits(
        self, y_true: np.ndarray, z: np.ndarray, sample_weight: Any = None
    ) -> Any:
        if sample_weight is None and not self.label_smoothing and self.reduction in _BY_COUNT:
            return float(np.sum(y_true * (_logsumexp(z) - z)) / len(z))
        return super().value_from_logits(y_true, z, sample_weight)

    def fused_gradient(
        self, y_true: np.ndarray, a: np.ndarray, sample_weight: Any = None
    ) -> np.ndarray:
        """∂L/∂Z = (A − Y)/n through a softmax output, each row scaled by the reduction."""
        if sample_weight is None and not self.label_smoothing and self.reduction in _BY_COUNT:
            return (a - y_true) * a.dtype.type(1.0 / len(a))
        c = self._scale(a.shape[:-1], a.dtype, sample_weight)
        return (a - self._targets(y_true)) * _row(c)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
            "axis": self.axis,
        }


class SparseCategoricalCrossentropy(_CrossEntropy):
    """Categorical cross-entropy with integer labels yᵢ: Lᵢ = −log(aᵢ,yᵢ / Σ_c aᵢc),
    ∂Lᵢ/∂A = −onehot(yᵢ)/A + 1/ΣA.

    From the logits (``from_logits=True``, or fused with softmax): Lᵢ = logsumexp(Zᵢ) − zᵢ,yᵢ
    and ∂Lᵢ/∂Z = softmax(Z) − onehot(y). Samples labelled ``ignore_class`` count for nothing:
    their loss and gradient are 0 and, as Keras, the batch means divide by the other samples.
    That label may lie outside the classes (-1, or 255 in a segmentation map). As in Keras, the
    metrics still count those samples: accuracy scores a label outside the classes as a miss.

    Args:
        from_logits: the model's output is the logit Z rather than softmax(Z).
        ignore_class: a label whose samples are left out of the loss (None: none is).
    """

    name = "sparse_categorical_crossentropy"
    fused_activation = activations.Softmax
    sparse_targets = True

    def __init__(
        self,
        from_logits: bool = False,
        ignore_class: int | None = None,
        reduction: str | None = "sum_over_batch_size",
        axis: int = -1,
        name: str = "sparse_categorical_crossentropy",
    ) -> None:
        super().__init__(from_logits, reduction, name)
        if ignore_class is not None and (
            isinstance(ignore_class, bool) or not isinstance(ignore_class, (int, np.integer))
        ):
            raise TypeError(
                f"SparseCategoricalCrossentropy ignore_class must be an integer label or None, "
                f"got {ignore_class!r}"
            )
        self.ignore_class = None if ignore_class is None else int(ignore_class)
        self.axis = _check_axis("SparseCategoricalCrossentropy", axis)

    def _inputs(self, y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
        y_true, y_pred = super()._inputs(y_true, y_pred)
        if y_pred.ndim == 1:
            y_pred = y_pred.reshape(1, -1)
        if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
            y_true = y_true[..., 0]
        return y_true.reshape(y_pred.shape[:-1]), y_pred

    def _mask(self, y_true: np.ndarray) -> np.ndarray | None:
        return None if self.ignore_class is None else y_true != self.ignore_class

    def _target_symbol(self) -> str:
        return "onehot(Y)"

    def _masked(self) -> bool:
        return self.ignore_class is not None

    def target_terms(self, y_true: np.ndarray) -> list[tuple[str, str, str, np.ndarray, str]]:
        mask = self._mask(y_true)
        if mask is None:
            return []
        note = "1: the sample counts; 0: its label is ignore_class"
        counted = mask.reshape(len(mask), -1).astype(np.float64)
        return [("M", "M", f"[Y ≠ {self.ignore_class}]", counted, note)]

    def _labels(self, y_true: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """Integer labels (ignored ones read as class 0) and the mask of the counted samples."""
        mask = self._mask(y_true)
        labels = y_true if mask is None else np.where(mask, y_true, 0)
        return labels.astype(np.intp, copy=False), mask

    def per_sample(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        if self.from_logits:
            return self.per_sample_from_logits(y_true, y_pred)
        labels, mask = self._labels(y_true)
        picked = np.take_along_axis(y_pred, labels[..., None], axis=-1)[..., 0]
        values = -_floor_log(picked / y_pred.sum(axis=-1))
        return values if mask is None else np.where(mask, values, 0.0)

    def per_sample_from_logits(self, y_true: np.ndarray, z: np.ndarray) -> np.ndarray:
        labels, mask = self._labels(y_true)
        picked = np.take_along_axis(z, labels[..., None], axis=-1)[..., 0]
        values = _logsumexp(z)[..., 0] - picked
        return values if mask is None else np.where(mask, values, 0.0)

    def _gradient(self, y_true: np.ndarray, y_pred: np.ndarray, c: Any) -> np.ndarray:
        labels = self._labels(y_true)[0][..., None]
        if self.from_logits:
            grad = activations.softmax(y_pred)  # ∂L/∂Z = softmax(Z) − onehot(y)
            np.put_along_axis(grad, labels, np.take_along_axis(grad, labels, -1) - 1, axis=-1)
        else:
            grad = np.broadcast_to(1.0 / y_pred.sum(axis=-1, keepdims=True), y_pred.shape).copy()
            picked = np.maximum(np.take_along_axis(y_pred, labels, -1), np.finfo(y_pred.dtype).tiny)
            np.put_along_axis(grad, labels, np.take_along_axis(grad, labels, -1) - 1 / picked, -1)
        return grad * c  # ignored samples have cᵢ = 0

    def value_from_logits(
        self, y_true: np.ndarray, z: np.ndarray, sample_weight: Any = None
    ) -> Any:
        if sample_weight is None and self.ignore_class is None and self.reduction in _BY_COUNT:
            picked = z[np.arange(len(z)), y_true]
            return float((_logsumexp(z)[:, 0] - picked).sum()) / len(z)
        return super().value_from_logits(y_true, z, sample_weight)

    def fused_gradient(
        self, y_true: np.ndarray, a: np.ndarray, sample_weight: Any = None
    ) -> np.ndarray:
        """∂L/∂Z = (A − onehot(y))/n through a softmax output, rows scaled by the reduction."""
        if sample_weight is None and self.ignore_class is None and self.reduction in _BY_COUNT:
            grad = a.copy()
            grad[np.arange(len(a)), y_true] -= 1
            grad *= a.dtype.type(1.0 / len(a))
            return grad
        labels, mask = self._labels(y_true)
        c = self._scale(a.shape[:-1], a.dtype, sample_weight, mask)
        grad = a.copy()
        grad[np.arange(len(a)), labels] -= 1
        return grad * _row(c)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "from_logits": self.from_logits,
            "ignore_class": self.ignore_class,
        }


class FunctionLoss(Loss):
    """A plain function ``loss(y_true, y_pred)`` built of glassnet.ops, used as a loss."""

    def __init__(self, function: Any) -> None:
        self.function = function
        self.name = str(getattr(function, "__name__", "custom_loss"))

    def call(self, y_true: Any, y_pred: Any) -> Any:
        return self.function(y_true, y_pred)

    def __repr__(self) -> str:
        return f"FunctionLoss({self.name})"


# -- the functions: the loss of each sample, as Keras's keras.losses.<name> ----------------------
def _per_sample(loss: _HandWritten, y_true: Any, y_pred: Any) -> np.ndarray:
    return loss.per_sample(*loss._inputs(y_true, y_pred))


def mean_squared_error(y_true: Any, y_pred: Any) -> np.ndarray:
    """Lᵢ = 1/k Σⱼ (aᵢⱼ − yᵢⱼ)² for each sample."""
    return _per_sample(MeanSquaredError(), y_true, y_pred)


def mean_absolute_error(y_true: Any, y_pred: Any) -> np.ndarray:
    """Lᵢ = 1/k Σⱼ |aᵢⱼ − yᵢⱼ| for each sample."""
    return _per_sample(MeanAbsoluteError(), y_true, y_pred)


def mean_absolute_percentage_error(y_true: Any, y_pred: Any) -> np.ndarray:
    """Lᵢ = 100/k Σⱼ |(yᵢⱼ − aᵢⱼ) / max(|yᵢⱼ|, ε)| for each sample."""
    return _per_sample(MeanAbsolutePercentageError(), y_true, y_pred)


def mean_squared_logarithmic_error(y_true: Any, y_pred: Any) -> np.ndarray:
    """Lᵢ = 1/k Σⱼ (log(max(aᵢⱼ, ε) + 1) − log(max(yᵢⱼ, ε) + 1))² for each sample."""
    return _per_sample(MeanSquaredLogarithmicError(), y_true, y_pred)


def huber(y_true: Any, y_pred: Any, delta: float = 1.0) -> np.ndarray:
    """Lᵢ = 1/k Σⱼ h(aᵢⱼ − yᵢⱼ), h(e) = ½e² for |e| ≤ δ, δ|e| − ½δ² beyond, for each sample."""
    return _per_sample(Huber(delta), y_true, y_pred)


def log_cosh(y_true: Any, y_pred: Any) -> np.ndarray:
    """Lᵢ = 1/k Σⱼ log cosh(aᵢⱼ − yᵢⱼ) for each sample."""
    return _per_sample(LogCosh(), y_true, y_pred)


def hinge(y_true: Any, y_pred: Any) -> np.ndarray:
    """Lᵢ = 1/k Σⱼ max(1 − yᵢⱼ·aᵢⱼ, 0) for each sample (labels 0/1 become −1/1)."""
    return _per_sample(Hinge(), y_true, y_pred)


def squared_hinge(y_true: Any, y_pred: Any) -> np.ndarray:
    """Lᵢ = 1/k Σⱼ max(1 − yᵢⱼ·aᵢⱼ, 0)² for each sample (labels 0/1 become −1/1)."""
    return _per_sample(SquaredHinge(), y_true, y_pred)


def categorical_hinge(y_true: Any, y_pred: Any) -> np.ndarray:
    """Lᵢ = max(maxⱼ (1 − yᵢⱼ)·aᵢⱼ − Σⱼ yᵢⱼ·aᵢⱼ + 1, 0) for each sample."""
    return _per_sample(CategoricalHinge(), y_true, y_pred)


def kl_divergence(y_true: Any, y_pred: Any) -> np.ndarray:
    """Lᵢ = Σⱼ yᵢⱼ·log(yᵢⱼ / aᵢⱼ), Y and A clipped to [ε, 1], for each sample."""
    return _per_sample(KLDivergence(), y_true, y_pred)


def poisson(y_true: Any, y_pred: Any) -> np.ndarray:
    """Lᵢ = 1/k Σⱼ (aᵢⱼ − yᵢⱼ·log(aᵢⱼ + ε)) for each sample."""
    return _per_sample(Poisson(), y_true, y_pred)


def cosine_similarity(y_true: Any, y_pred: Any, axis: int = -1) -> np.ndarray:
    """Lᵢ = −Σⱼ ŷᵢⱼ·âᵢⱼ, with x̂ = x / max(‖x‖, ε), for each sample."""
    return _per_sample(CosineSimilarity(axis), y_true, y_pred)


def binary_crossentropy(
    y_true: Any,
    y_pred: Any,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> np.ndarray:
    """Lᵢ = −1/k Σⱼ [yᵢⱼ log aᵢⱼ + (1 − yᵢⱼ) log(1 − aᵢⱼ)] for each sample."""
    return _per_sample(BinaryCrossentropy(from_logits, label_smoothing, axis), y_true, y_pred)


def categorical_crossentropy(
    y_true: Any,
    y_pred: Any,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> np.ndarray:
    """Lᵢ = −Σ_c yᵢc log aᵢc for each sample (one-hot Y)."""
    return _per_sample(CategoricalCrossentropy(from_logits, label_smoothing, axis), y_true, y_pred)


def sparse_categorical_crossentropy(
    y_true: Any,
    y_pred: Any,
    from_logits: bool = False,
    ignore_class: int | None = None,
    axis: int = -1,
) -> np.ndarray:
    """Lᵢ = −log aᵢ,yᵢ for each sample (integer labels yᵢ; 0 for an ignored label)."""
    loss = SparseCategoricalCrossentropy(from_logits, ignore_class, axis=axis)
    return _per_sample(loss, y_true, y_pred)


# -- a loss object called on a recorded tensor ---------------------------------------------------
def _recorded(y_pred: Any) -> bool:
    """Is this a recorded tensor while a model trains (a backward pass will reach it)?"""
    return isinstance(y_pred, Tensor) and needs_grad(y_pred) and recording() is not None


class _LossOp(ops.Op):
    """A loss as one recorded operation: forward L(Y, A), backward ∂out·∂L/∂A (its own
    gradient, from the logits for a loss with ``from_logits``)."""

    def __init__(self, loss: Loss, y_true: Any, sample_weight: Any) -> None:
        self.loss, self.y_true, self.sample_weight = loss, y_true, sample_weight
        self.name = loss.name
        self.formula = f"{loss.name}(Y, {{0}})"
        self.grad_formulas = (f"∂out·{loss.name}′(Y, {{0}})",)

    def forward(self, ctx: Any, a: np.ndarray) -> np.ndarray:
        ctx.a = a
        return np.asarray(self.loss(self.y_true, a, self.sample_weight), dtype=a.dtype)

    def backward(self, ctx: Any, grad: np.ndarray, needs: tuple[bool, ...]) -> ops.Grads:
        y_true, a = np.asarray(self.y_true), ctx.a
        if y_true.ndim == a.ndim - 1 and not self.loss.sparse_targets:
            y_true = y_true.reshape(a.shape)
        return (self.loss.gradient(y_true, a, self.sample_weight) * grad,)


def _record_loss(loss: Loss, y_true: Any, y_pred: Any, sample_weight: Any) -> Any:
    if loss.reduction in (None, "none"):
        raise ValueError(
            f"{loss.name} with reduction='none' gives one value per sample; inside a model's "
            "call, reduce it (ops.mean) or use a reduction that gives one number"
        )
    if not loss.has_gradient:
        return loss.value(array_of(y_true), y_pred, sample_weight)
    return ops.apply(_LossOp(loss, array_of(y_true), sample_weight), y_pred)


# -- names --------------------------------------------------------------------------------------
_CLASSES: tuple[tuple[str, type[Loss], Callable[..., np.ndarray]], ...] = (
    ("mean_squared_error", MeanSquaredError, mean_squared_error),
    ("mean_absolute_error", MeanAbsoluteError, mean_absolute_error),
    (
        "mean_absolute_percentage_error",
        MeanAbsolutePercentageError,
        mean_absolute_percentage_error,
    ),
    (
        "mean_squared_logarithmic_error",
        MeanSquaredLogarithmicError,
        mean_squared_logarithmic_error,
    ),
    ("huber", Huber, huber),
    ("log_cosh", LogCosh, log_cosh),
    ("hinge", Hinge, hinge),
    ("squared_hinge", SquaredHinge, squared_hinge),
    ("categorical_hinge", CategoricalHinge, categorical_hinge),
    ("kl_divergence", KLDivergence, kl_divergence),
    ("poisson", Poisson, poisson),
    ("cosine_similarity", CosineSimilarity, cosine_similarity),
    ("binary_crossentropy", BinaryCrossentropy, binary_crossentropy),
    ("categorical_crossentropy", CategoricalCrossentropy, categorical_crossentropy),
    (
        "sparse_categorical_crossentropy",
        SparseCategoricalCrossentropy,
        sparse_categorical_crossentropy,
    ),
)
_ALIASES = {
    "mse": "mean_squared_error",
    "mae": "mean_absolute_error",
    "mape": "mean_absolute_percentage_error",
    "msle": "mean_squared_logarithmic_error",
    "kld": "kl_divergence",
    "bce": "binary_crossentropy",
    "cce": "categorical_crossentropy",
    "huber_loss": "huber",
    "logcosh": "log_cosh",
    "kullback_leibler_divergence": "kl_divergence",
}
_FUNCTIONS: dict[Callable[..., np.ndarray], type[Loss]] = {fn: cls for _, cls, fn in _CLASSES}

_registry: Registry[Loss] = Registry("loss", Loss)
for _key, _cls, _ in _CLASSES:
    _registry.register(_key, _cls)
    _registry.alias(_cls.__name__, _key)  # Keras's class names: "MeanAbsoluteError", …
for _alias, _key in _ALIASES.items():
    _registry.alias(_alias, _key)


def accepted_names() -> str:
    """The loss names ``get`` accepts, with their short aliases: "mean_squared_error (mse), …"."""
    short: dict[str, list[str]] = {}
    for alias, key in _ALIASES.items():
        if len(alias) <= 4:
            short.setdefault(key, []).append(alias)
    return ", ".join(
        f"{name} ({'/'.join(short[name])})" if name in short else name for name in _registry.names()
    )


def register(name: str, loss: type[Loss] | Loss) -> None:
    """Register a custom loss so that its name works in ``compile(loss=...)``."""
    _registry.register(name, loss)


def get(identifier: Any) -> Loss:
    """Resolve a name (or Keras's class name), a Loss object or class, one of this module's
    functions (its Loss class), or a plain function built of glassnet.ops."""
    if callable(identifier) and not isinstance(identifier, (Loss, type)):
        cls = _FUNCTIONS.get(identifier)
        return cls() if cls is not None else FunctionLoss(identifier)
    if isinstance(identifier, str):
        try:
            return _registry.get(identifier)
        except ValueError:
            raise ValueError(
                f"unknown loss {identifier!r}; accepted names: {accepted_names()}, Keras's class "
                "names (e.g. 'MeanAbsoluteError'), or a Loss object"
            ) from None
    return _registry.get(identifier)


def serialize(loss: Loss) -> dict[str, Any]:
    """{"name": registered name, "config": the loss's options}: plain JSON data."""
    return _registry.serialize(loss)


def deserialize(config: dict[str, Any]) -> Loss:
    return _registry.deserialize(config)
