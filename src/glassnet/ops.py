"""Differentiable array operations: each one's forward and backward rule side by side.

Use them in a custom layer's ``call``, a subclassed model or a custom loss. Outside training
they are plain NumPy; while a model trains they append a node to the tape, so that
backpropagation passes through them with no derivative written by the user:

>>> from glassnet import ops
>>> class Swish(glassnet.layers.Layer):  # doctest: +SKIP
...     def call(self, x):
...         return x * ops.sigmoid(x)        # recorded: x·σ(x), and its derivative with it

Each operation carries its formula twice: as a comment on the line that computes it (for the
reader) and as data (``formula``, ``grad_formulas``) for ``explain()``. In the backward
formulas, ∂out stands for ∂L/∂(the operation's output).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import expit

from glassnet.tape import Scratch, Tensor, Variable, array_of, needs_grad, recording

Grads = tuple[np.ndarray | None, ...]


class Op:
    """An operation: ``forward(ctx, *arrays)`` caches on ``ctx`` what ``backward`` needs;
    ``backward(ctx, ∂out, needs)`` returns ∂L/∂input for each input (None where not needed)."""

    name = "op"
    formula = ""
    grad_formulas: tuple[str, ...] = ()
    differentiable = True
    constant_output = False  # True for comparisons and indices: no gradient exists

    def forward(self, ctx: Any, *values: Any) -> np.ndarray:
        raise NotImplementedError

    def backward(self, ctx: Any, grad: np.ndarray, needs: tuple[bool, ...]) -> Grads:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"ops.{self.name}"


def _value(a: Any) -> Any:
    """The array behind a tensor or variable; a list or tuple becomes an array."""
    return np.asarray(a) if isinstance(a, (list, tuple)) else array_of(a)


def apply(op: Op, *args: Any) -> Any:
    """Run ``op`` on ``args``: recorded on the tape while a model trains, plain NumPy otherwise."""
    tape = recording()
    if tape is None or not any(needs_grad(a) for a in args):
        for a in args:
            if type(a).__name__ == "SymbolicTensor":
                raise TypeError(
                    f"ops.{op.name} was given a symbolic input while building a functional model; "
                    "glassnet.ops work on values inside a layer's call: wrap the computation in "
                    "a layer (e.g. layers.Add, layers.Activation, or your own Layer subclass)"
                )
        return op.forward(Scratch(), *(_value(a) for a in args))
    if op.constant_output:  # a comparison or an index: a value, with no gradient to carry
        return op.forward(Scratch(), *(_value(a) for a in args))
    if not op.differentiable:
        raise TypeError(
            f"ops.{op.name} has no backward rule, so backpropagation cannot pass through it "
            f"while training; apply it to ops.stop_gradient(x) if no gradient should flow, or "
            "use a differentiable operation"
        )
    values = [_value(a) for a in args]
    return tape.record(op, args, values)


def _unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum a gradient over the axes along which its input was broadcast (back to ``shape``)."""
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra:
        grad = grad.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    return grad.sum(axis=axes, keepdims=True) if axes else grad


def _shape(value: Any) -> tuple[int, ...]:
    return np.shape(value)


# -- elementwise arithmetic -------------------------------------------------------------------
class Add(Op):
    name, formula, grad_formulas = "add", "{0} + {1}", ("∂out", "∂out")

    def forward(self, ctx: Any, a: Any, b: Any) -> np.ndarray:
        ctx.shapes = _shape(a), _shape(b)
        return np.add(a, b)  # out = a + b

    def backward(self, ctx: Any, grad: np.ndarray, needs: tuple[bool, ...]) -> Grads:
        sa, sb = ctx.shapes
        return (
            _unbroadcast(grad, sa) if needs[0] else None,  # ∂a = ∂out
            _unbroadcast(grad, sb) if needs[1] else None,  # ∂b = ∂out
        )


class Subtract(Op):
    name, formula, grad_formulas = "subtract", "{0} − {1}", ("∂out", "−∂out")

    def forward(self, ctx: Any, a: Any, b: Any) -> np.ndarray:
        ctx.shapes = _shape(a), _shape(b)
        return np.subtract(a, b)  # out = a − b

    def backward(self, ctx: Any, grad: np.ndarray, needs: tuple[bool, ...]) -> Grads:
        sa, sb = ctx.shapes
        return (
            _unbroadcast(grad, sa) if needs[0] else None,  # ∂a = ∂out
            _unbroadcast(-grad, sb) if needs[1] else None,  # ∂b = −∂out
        )


class Multiply(Op):
    name, formula, grad_formulas = "multiply", "{0} ⊙ {1}", ("∂out ⊙ {1}", "∂out ⊙ {0}")

    def forward(self, ctx: Any, a: Any, b: Any) -> np.ndarray:
        ctx.a, ctx.b = a, b
        return np.multiply(a, b)  # out = a ⊙ b

    def backward(self, ctx: Any, grad: np.ndarray, needs: tuple[bool, ...]) -> Grads:
        a, b = ctx.a, ctx.b
        return (
            _unbroadcast(grad * b, _shape(a)) if needs[0] else None,  # ∂a = ∂out ⊙ b
            _unbroadcast(grad * a, _shape(b)) if needs[1] else None,  # ∂b = ∂out ⊙ a
        )


class Divide(Op):
    name, formula, grad_formulas = "divide", "{0} / {1}", ("∂out / {1}", "−∂out ⊙ {0} / {1}²")

    def forward(self, ctx: Any, a: Any, b: Any) -> np.ndarray:
        ctx.a, ctx.b = a, b
        return np.divide(a, b)  # out = a / b

    def backward(self, ctx: Any, grad: np.ndarray, needs: tuple[bool, ...]) -> Grads:
        a, b = ctx.a, ctx.b
        return (
            _unbroadcast(grad / b, _shape(a)) if needs[0] else None,  # ∂a = ∂out / b
            _unbroadcast(-grad * a / (b * b), _shape(b)) if needs[1] else None,  # ∂b = −∂out·a/b²
        )


class Negative(Op):
    name, formula, grad_formulas = "negative", "−{0}", ("−∂out",)

    def forward(self, ctx: Any, a: Any) -> np.ndarray:
        return np.negative(a)  # out = −a

    def backward(self, ctx: Any, grad: np.ndarray, needs: tuple[bool, ...]) -> Grads:
        return (-grad,)  # ∂a = −∂out


class Power(Op):
    """a^p for a constant exponent p."""

    name, grad_formulas = "power", ("∂out ⊙ p·{0}^(p−1)",)

    def __init__(self, exponent: float) -> None:
        self.exponent = exponent
        self.formula = f"{{0}}^{exponent:g}"

    def forward(self, ctx: Any, a: Any) -> np.ndarray:
        ctx.a = a
        return np.power(a, self.exponent)  # out = a^p

    def backward(self, ctx: Any, grad: np.ndarray, needs: tuple[bool, ...]) -> Grads:
        p = self.exponent
        return (grad * (p * np.power(ctx.a, p - 1)),)  # ∂a = ∂out ⊙ p·a^(p−1)


class Square(Op):
    name, formula, grad_formulas = "square", "{0}²", ("∂out ⊙ 2·{0}",)

    def forward(self, ctx: Any, a: Any) -> np.ndarray:
        ctx.a = a
        return np.square(a)  # out = a²

    def backward(self, ctx: Any, grad: np.ndarray, needs: tuple[bool, ...]) -> Grads:
        return (grad * (2 * ctx.a),)  # ∂a = ∂out ⊙ 2a


class Sqrt(Op):
    name, formula, grad_formulas = "sqrt", "√{0}", ("∂out / (2·√{0})",)

    def forward(self, ctx: Any, a: Any) -> np.ndarray:
        ctx.out = out = np.sqrt(a)  # out = √a
        return out

    def backward(self, ctx: Any, grad: np.ndarray, needs: tuple[bool, ...]) -> Grads:
        return (grad / (2 * ctx.out),)  # ∂a = ∂out / (2√a)


class Exp(Op):
    name, formula, grad_formulas = "exp", "exp({0})", ("∂out ⊙ exp({0})",)

    def forward(self, ctx: Any, a: Any) -> np.ndarray:
        ctx.out = out = np.exp(a)  # out = eᵃ
        return out

    def backward(self, ctx: Any, grad: np.ndarray, needs: tuple[bool, ...]) -> Grads:
        return (grad * ctx.out,)  # ∂a = ∂out ⊙ eᵃ


class Log(Op):
    name, formula, grad_formulas = "log", "log({0})", ("∂out / {0}",)

    def forward(self, ctx: Any, a: Any) -> np.ndarray:
        ctx.a = a
        return np.log(a)  # out = log a

    def backward(self, ctx: Any, grad: np.ndarray, needs: tuple[bool, ...]) -> Grads:
        return (grad / ctx.a,)  # ∂a = ∂out / a


class Abs(Op):
    name, formula, grad_formulas = "abs", "|{0}|", ("∂out ⊙ sign({0})",)

    def forward(self, ctx: Any, a: Any) -> np.ndarray:
        ctx.a = a
        return np.abs(a)  # out = |a|

    def backward(self, ctx: Any, grad: np.ndarray, needs: tuple[bool, ...]) -> Grads:
        return (grad * np.sign(ctx.a),)  # ∂a = ∂out ⊙ sign(a)


class Maximum(Op):
    """Elementwise max; where a = b the gradient goes to a (as NumPy's argmax picks the first)."""

    name, formula = "maximum", "max({0}, {1})"
    grad_formulas = ("∂out ⊙ [{0} ≥ {1}]", "∂out ⊙ [{0} < {1}]")

    def forward(self, ctx: Any, a: Any, b: Any) -> np.ndarray:
        ctx.a_wins = np.greater_equal(a, b)
        ctx.shapes = _shape(a), _shape(b)
        return np.maximum(a, b)  # out = max(a, b)

    def backward(self, ctx: Any, grad: np.ndarray, needs: tuple[bool, ...]) -> Grads:
        sa, sb = ctx.shapes
        return (
            _unbroadcast(grad * ctx.a_wins, sa) if needs[0] else None,  # ∂a = ∂out ⊙ [a ≥ b]
            _unbroadcast(grad * ~ctx.a_wins, sb) if needs[1] else None,  # ∂b = ∂out ⊙ [a < b]
        )


class Minimum(Op):
    name, formula = "minimum", "min({0}, {1})"
    grad_formulas = ("∂out ⊙ [{0} ≤ {1}]", "∂out ⊙ [{0} > {1}]")

    def forward(self, ctx: Any, a: Any, b: Any) -> np.ndarray:
        ctx.a_wins = np.less_equal(a, b)
        ctx.shapes = _shape(a), _shape(b)
        return np.minimum(a, b)  # out = min(a, b)

    def backward(self, ctx: Any, grad: np.ndarray, needs: tuple[bool, ...]) -> Grads:
        sa, sb = ctx.shapes
        return (
            _unbroadcast(grad * ctx.a_wins, sa) if needs[0] else None,  # ∂a = ∂out ⊙ [a ≤ b]
            _unbroadcast(grad * ~ctx.a_wins, sb) if needs[1] else None,  # ∂b = ∂out ⊙ [a > b]
        )


class Clip(Op):
    name, grad_formulas = "clip", ("∂out ⊙ [lo ≤ {0} ≤ hi]",)

    def __init__(self, low: float, high: float) -> None:
        self.low, self.high = low, high
        self.formula = f"clip({{0}}, {low:g}, {high:g})"

    def forward(self, ctx: Any, a: Any) -> np.ndarray:
        ctx.inside = (a >= self.low) & (a <= self.high)
        return np.clip(a, self.low, self.high)  # out = min(max(a, lo), hi)

    def backward(self, ctx: Any, grad: np.ndarray, needs: tuple[bool, ...]) -> Grads:
        return (grad * ctx.inside,)  # ∂a = ∂out ⊙ [lo ≤ a ≤ hi]


class Where(Op):
    """where(c, a, b): a where the (constant) condition holds, else b."""

    name, formula = "where", "where(c, {1}, {2})"
    grad_formulas = ("", "∂out ⊙ c", "∂out ⊙ ¬c")

    def forward(self, ctx: Any, condition: Any, a: Any, b: Any) -> np.ndarray:
        ctx.condition = np.asarray(condition, dtype=bool)
        ctx.shapes = _shape(a), _shape(b)
        return np.where(ctx.condition, a, b)  # out = a where c, else b

    def backward(self, ctx: Any, grad: np.ndarray, needs: tuple[bool, ...]) -> Grads:
        c = ctx.condition
        sa, sb = ctx.shapes
        return (
            None,  # the condition is a mask: no gradient
            _unbroadcast(np.where(c, grad, 0), sa) if needs[1] else None,  # ∂a = ∂out ⊙ c
            _unbroadcast(np.where(c, 0, grad), sb) if needs[2] else None,  # ∂b = ∂out ⊙ ¬c
        )


# -- activations ------------------------------------------------------------------------------
class Relu(Op):
    name, formula, grad_formulas = "relu", "max(0, {0})", ("∂out ⊙ [{0} > 0]",)

    def forward(self, ctx: Any, a: Any) -> np.ndarray:
        ctx.positive = a > 0
        return np.maximum(a, 0)  # out = max(0, a)

    def backward(self, ctx: Any, grad: np.ndarray, needs: tuple[bool, ...]) -> Grads:
        return (grad * ctx.positive,)  # ∂a = ∂out ⊙ [a > 0]


class Sigmoid(Op):
    name, formula, grad_formulas = "sigmoid", "σ({0})", ("∂out ⊙ σ({0})(1 − σ({0}))",)

    def forward(self, ctx: Any, a: Any) -> np.ndarray:
        ctx.out = out = expit(a)  # out = σ(a) = 1/(1 + e⁻ᵃ)
        return out

    def backward(self, ctx: Any, grad: np.ndarray, needs: tuple[bool, ...]) -> Grads:
        s = ctx.out
        return (grad * s * (1 - s),)  # ∂a = ∂out ⊙ σ(a)(1 − σ(a))


class Tanh(Op):
    name, formula, grad_formulas = "tanh", "tanh({0})", ("∂out ⊙ (1 − tanh²({0}))",)

    def forward(self, ctx: Any, a: Any) -> np.ndarray:
        ctx.out = out = np.tanh(a)  # out = tanh(a)
        return out

    def backward(self, ctx: Any, grad: np.ndarray, needs: tuple[bool, ...]) -> Grads:
        t = ctx.out
        return (grad * (1 - t * t),)  # ∂a = ∂out ⊙ (1 − tanh²a)


class Softmax(Op):
    name, formula = "softmax", "softmax({0})"
    grad_formulas = ("S ⊙ (∂out − Σ ∂out ⊙ S)",)

    def __init__(self, axis: int = -1) -> None:
        self.axis = axis

    def forward(self, ctx: Any, a: Any) -> np.ndarray:
        e = np.exp(a - a.max(axis=self.axis, keepdims=True))  # the max keeps every exponent ≤ 0
        ctx.out = out = e / e.sum(axis=self.axis, keepdims=True)  # S = eᵃ / Σ eᵃ
        return out

    def backward(self, ctx: Any, grad: np.ndarray, needs: tuple[bool, ...]) -> Grads:
        s = ctx.out
        return (
            s * (grad - (grad * s).sum(axis=self.axis, keepdims=True)),
        )  # ∂a = S⊙(∂out − Σ∂out⊙S)


class LogSoftmax(Op):
    name, formula = "log_softmax", "log_softmax({0})"
    grad_formulas = ("∂out − S ⊙ Σ ∂out",)

    def __init__(self, axis: int = -1) -> None:
        self.axis = axis

    def forward(self, ctx: Any, a: Any) -> np.ndarray:
        shifted = a - a.max(axis=self.axis, keepdims=True)
        out = shifted - np.log(np.exp(shifted).sum(axis=self.axis, keepdims=True))  # a − logΣeᵃ
        ctx.out = out
        return out

    def backward(self, ctx: Any, grad: np.ndarray, needs: tuple[bool, ...]) -> Grads:
        s = np.exp(ctx.out)
        return (grad - s * grad.sum(axis=self.axis, keepdims=True),)  # ∂a = ∂out − S ⊙ Σ∂out


class LogSumExp(Op):
    name, formula = "logsumexp", "log Σ exp({0})"
    grad_formulas = ("∂out ⊙ softmax({0})",)

    def __init__(self, axis: int | None = None, keepdims: bool = False) -> None:
        self.axis, self.keepdims = axis, keepdims

    def forward(self, ctx: Any, a: Any) -> np.ndarray:
        top = np.max(a, axis=self.axis, keepdims=True)
        e = np.exp(a - top)
        total = e.sum(axis=self.axis, keepdims=True)
        ctx.softmax = e / total
        out = top + np.log(total)  # log Σ eᵃ, shifted by the max
        return out if self.keepdims else np.squeeze(out, axis=self.axis)

    def backward(self, ctx: Any, grad: np.ndarray, needs: tuple[bool, ...]) -> Grads:
        g = grad if self.keepdims else np.expand_dims(grad, _axes(self.axis, ctx.softmax.ndim))
        return (g * ctx.softmax,)  # ∂a = ∂out ⊙ softmax(a)


# -- linear algebra and reductions ------------------------------------------------------------
class Matmul(Op):
    name, formula, grad_formulas = "matmul", "{0}·{1}", ("∂out·{1}ᵀ", "{0}ᵀ·∂out")

    def forward(self, ctx: Any, a: Any, b: Any) -> np.ndarray:
        ctx.a, ctx.b = a, b
        return a @ b  # out = A·B

    def backward(self, ctx: Any, grad: np.ndarray, needs: tuple[bool, ...]) -> Grads:
        a, b = np.asarray(ctx.a), np.asarray(ctx.b)
        # a vector is a matrix of one row (on the left) or one column (on the right)
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        g = grad[..., None, :] if a.ndim == 1 else grad
        g = g[..., None] if b.ndim == 1 else g
        da = db = None
        if needs[0]:
            da = g @ np.swapaxes(b2, -1, -2)  # ∂A = ∂out·Bᵀ
            da = da[..., 0, :] if a.ndim == 1 else da
            da = _unbroadcast(da, a.shape)  # summed over broadcast batch axes
        if needs[1]:
            db = np.swapaxes(a2, -1, -2) @ g  # ∂B = Aᵀ·∂out
            db = db[..., 0] if b.ndim == 1 else db
            db = _unbroadcast(db, b.shape)
        return da, db


def _axes(axis: int | tuple[int, ...] | None, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    return tuple(a % ndim for a in axes)


class Sum(Op):
    name, grad_formulas = "sum", ("∂out (repeated over the summed axes)",)

    def __init__(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> None:
        self.axis, self.keepdims = axis, keepdims
        self.formula = "Σ {0}" if axis is None else f"Σ_axis{axis} {{0}}"

    def forward(self, ctx: Any, a: Any) -> np.ndarray:
        ctx.shape = _shape(a)
        return np.sum(a, axis=self.axis, keepdims=self.keepdims)  # out = Σ a

    def backward(self, ctx: Any, grad: np.ndarray, needs: tuple[bool, ...]) -> Grads:
        shape = ctx.shape
        if not self.keepdims:
            grad = np.expand_dims(grad, _axes(self.axis, len(shape)))
        return (np.broadcast_to(grad, shape),)  # ∂a = ∂out, repeated


class Mean(Op):
    name, grad_formulas = "mean", ("∂out / n (repeated over the averaged axes)",)

    def __init__(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> None:
        self.axis, self.keepdims = axis, keepdims
        self.formula = "mean({0})" if axis is None else f"mean_axis{axis}({{0}})"

    def forward(self, ctx: Any, a: Any) -> np.ndarray:
        ctx.shape = _shape(a)
        return np.mean(a, axis=self.axis, keepdims=self.keepdims)  # out = Σ a / n

    def backward(self, ctx: Any, grad: np.ndarray, needs: tuple[bool, ...]) -> Grads:
        shape = ctx.shape
        axes = _axes(self.axis, len(shape))
        n = int(np.prod([shape[a] for a in axes]))
        if not self.keepdims:
            grad = np.expand_dims(grad, axes)
        return (np.broadcast_to(grad / n, shape),)  # ∂a = ∂out / n, repeated


# -- shapes -----------------------------------------------------------------------------------
class Reshape(Op):
    name, formula, grad_formulas = "reshape", "reshape({0})", ("reshape(∂out) to {0}'s shape",)

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = tuple(shape)

    def forward(self, ctx: Any, a: Any) -> np.ndarray:
        ctx.shape = _shape(a)
        return np.reshape(a, self.shape)

    def backward(self, ctx: Any, grad: np.ndarray, needs: tuple[bool, ...]) -> Grads:
        return (grad.reshape(ctx.shape),)


class Transpose(Op):
    name, formula, grad_formulas = "transpose", "{0}ᵀ", ("∂outᵀ",)

    def __init__(self, axes: tuple[int, ...] | None = None) -> None:
        self.axes = axes

    def forward(self, ctx: Any, a: Any) -> np.ndarray:
        ctx.ndim = np.ndim(a)
        return np.transpose(a, self.axes)  # out = aᵀ

    def backward(self, ctx: Any, grad: np.ndarray, needs: tuple[bool, ...]) -> Grads:
        if self.axes is None:
            return (np.transpose(grad),)  # ∂a = ∂outᵀ
        axes = [axis % ctx.ndim for axis in self.axes]
        return (np.transpose(grad, tuple(np.argsort(axes))),)  # ∂a = ∂out, axes put back


class ExpandDims(Op):
    name, formula, grad_formulas = "expand_dims", "{0}", ("∂out",)

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, ctx: Any, a: Any) -> np.ndarray:
        ctx.shape = _shape(a)
        return np.expand_dims(a, self.axis)

    def backward(self, ctx: Any, grad: np.ndarray, needs: tuple[bool, ...]) -> Grads:
        return (grad.reshape(ctx.shape),)


class TakeSlice(Op):
    """a[index]: the gradient flows back into the selected entries (repeated ones add up)."""

    name, formula, grad_formulas = "getitem", "{0}[…]", ("∂out scattered into {0}'s shape",)

    def __init__(self, index: Any) -> None:
        self.index = index

    def forward(self, ctx: Any, a: Any) -> np.ndarray:
        ctx.shape, ctx.dtype = _shape(a), np.asarray(a).dtype
        return np.asarray(a)[self.index]

    def backward(self, ctx: Any, grad: np.ndarray, needs: tuple[bool, ...]) -> Grads:
        out = np.zeros(ctx.shape, dtype=ctx.dtype)
        np.add.at(out, self.index, grad)  # ∂a[index] += ∂out
        return (out,)


class Concatenate(Op):
    name, grad_formulas = "concatenate", ("the slice of ∂out that came from each input",)

    def __init__(self, axis: int = -1, count: int = 2) -> None:
        self.axis = axis
        self.formula = "[" + ", ".join(f"{{{i}}}" for i in range(count)) + "]"

    def forward(self, ctx: Any, *arrays: Any) -> np.ndarray:
        ctx.sizes = [np.shape(a)[self.axis] for a in arrays]
        return np.concatenate(arrays, axis=self.axis)  # out = [a₁, a₂, …] along the axis

    def backward(self, ctx: Any, grad: np.ndarray, needs: tuple[bool, ...]) -> Grads:
        cuts = np.cumsum(ctx.sizes)[:-1]
        parts = np.split(grad, cuts, axis=self.axis)  # ∂aᵢ = its own slice of ∂out
        return tuple(p if need else None for p, need in zip(parts, needs, strict=True))


class Cast(Op):
    """The values in another floating dtype; the gradient is cast back."""

    name, formula, grad_formulas = "cast", "cast({0})", ("∂out",)

    def __init__(self, dtype: Any) -> None:
        self.dtype = np.dtype(dtype)

    def forward(self, ctx: Any, a: Any) -> np.ndarray:
        ctx.input_dtype = np.asarray(a).dtype
        return np.asarray(a).astype(self.dtype)

    def backward(self, ctx: Any, grad: np.ndarray, needs: tuple[bool, ...]) -> Grads:
        return (grad.astype(ctx.input_dtype, copy=False),)


class Extreme(Op):
    """max (or min) over axes; the gradient goes to the places that hold it, shared equally
    between ties."""

    def __init__(self, name: str, axis: Any, keepdims: bool) -> None:
        self.name, self.axis, self.keepdims = name, axis, keepdims
        self.reduce = np.max if name == "max" else np.min
        self.formula = f"{name}({{0}})"
        self.grad_formulas = (f"∂out at the {name}",)

    def forward(self, ctx: Any, a: Any) -> np.ndarray:
        out = self.reduce(a, axis=self.axis, keepdims=True)
        ctx.mask = np.asarray(a) == out
        return out if self.keepdims else np.squeeze(out, axis=self.axis)

    def backward(self, ctx: Any, grad: np.ndarray, needs: tuple[bool, ...]) -> Grads:
        axes = _axes(self.axis, ctx.mask.ndim)
        g = grad if self.keepdims else np.expand_dims(grad, axes)
        share = ctx.mask / ctx.mask.sum(axis=axes, keepdims=True)
        return ((g * share).astype(grad.dtype, copy=False),)


# -- no gradient: comparisons and indices (values only), and rounding (an error in training) ---
class _Elementwise(Op):
    def __init__(self, name: str, function: Any, constant: bool) -> None:
        self.name, self.function = name, function
        self.constant_output = constant
        self.differentiable = False
        self.formula = f"{name}({{0}})"

    def forward(self, ctx: Any, *values: Any) -> np.ndarray:
        return self.function(*values)


def _constant(name: str, function: Any) -> _Elementwise:
    return _Elementwise(name, function, constant=True)


# -- the public functions ---------------------------------------------------------------------
def add(a: Any, b: Any) -> Any:
    """a + b (broadcasting, as NumPy)."""
    return apply(Add(), a, b)


def subtract(a: Any, b: Any) -> Any:
    """a − b."""
    return apply(Subtract(), a, b)


def multiply(a: Any, b: Any) -> Any:
    """a ⊙ b, elementwise."""
    return apply(Multiply(), a, b)


def divide(a: Any, b: Any) -> Any:
    """a / b, elementwise."""
    return apply(Divide(), a, b)


def negative(a: Any) -> Any:
    """−a."""
    return apply(Negative(), a)


def power(a: Any, exponent: float) -> Any:
    """a^p for a constant exponent p."""
    if isinstance(exponent, (Tensor, Variable)):
        raise TypeError("ops.power takes a constant exponent; use ops.exp(p * ops.log(a))")
    return apply(Power(float(exponent)), a)


def square(a: Any) -> Any:
    """a²."""
    return apply(Square(), a)


def sqrt(a: Any) -> Any:
    """√a."""
    return apply(Sqrt(), a)


def exp(a: Any) -> Any:
    """eᵃ."""
    return apply(Exp(), a)


def log(a: Any) -> Any:
    """The natural logarithm."""
    return apply(Log(), a)


def abs(a: Any) -> Any:
    """|a|."""
    return apply(Abs(), a)


def maximum(a: Any, b: Any) -> Any:
    """max(a, b), elementwise."""
    return apply(Maximum(), a, b)


def minimum(a: Any, b: Any) -> Any:
    """min(a, b), elementwise."""
    return apply(Minimum(), a, b)


def clip(a: Any, low: float, high: float) -> Any:
    """min(max(a, low), high)."""
    return apply(Clip(low, high), a)


def where(condition: Any, a: Any, b: Any) -> Any:
    """a where the condition holds, else b (the condition carries no gradient)."""
    return apply(Where(), array_of(condition), a, b)


def relu(a: Any) -> Any:
    """max(0, a)."""
    return apply(Relu(), a)


def sigmoid(a: Any) -> Any:
    """σ(a) = 1 / (1 + e⁻ᵃ)."""
    return apply(Sigmoid(), a)


def tanh(a: Any) -> Any:
    """tanh(a)."""
    return apply(Tanh(), a)


def softmax(a: Any, axis: int = -1) -> Any:
    """eᵃ / Σ eᵃ along an axis."""
    return apply(Softmax(axis), a)


def log_softmax(a: Any, axis: int = -1) -> Any:
    """a − log Σ eᵃ along an axis (exact, without forming the softmax)."""
    return apply(LogSoftmax(axis), a)


def logsumexp(a: Any, axis: int | None = None, keepdims: bool = False) -> Any:
    """log Σ eᵃ, shifted by the max so that it never overflows."""
    return apply(LogSumExp(axis, keepdims), a)


def matmul(a: Any, b: Any) -> Any:
    """The matrix product A·B."""
    return apply(Matmul(), a, b)


def sum(a: Any, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Any:
    """Σ a over the given axes (all by default)."""
    return apply(Sum(axis, keepdims), a)


def mean(a: Any, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Any:
    """The mean over the given axes (all by default)."""
    return apply(Mean(axis, keepdims), a)


def reshape(a: Any, shape: tuple[int, ...]) -> Any:
    """The same values in another shape."""
    return apply(Reshape(shape), a)


def transpose(a: Any, axes: tuple[int, ...] | None = None) -> Any:
    """aᵀ (axes reversed, or permuted by ``axes``)."""
    return apply(Transpose(axes), a)


def expand_dims(a: Any, axis: int) -> Any:
    """A new axis of length 1."""
    return apply(ExpandDims(axis), a)


def take_slice(a: Any, index: Any) -> Any:
    """a[index] (what ``tensor[index]`` calls)."""
    return apply(TakeSlice(index), a)


def concatenate(arrays: list[Any] | tuple[Any, ...], axis: int = -1) -> Any:
    """[a₁, a₂, …] joined along an axis."""
    return apply(Concatenate(axis, len(arrays)), *arrays)


def stop_gradient(a: Any) -> np.ndarray:
    """The values of a, as a constant: no gradient flows back through it."""
    return np.array(array_of(a), copy=True)


def one_hot(labels: Any, num_classes: int, dtype: str | None = None) -> np.ndarray:
    """Row i has a 1 in column labels_i (a constant: labels carry no gradient)."""
    from glassnet import config

    labels = np.asarray(array_of(labels), dtype=np.int64).reshape(-1)
    out = np.zeros((labels.size, num_classes), dtype=dtype or config.floatx())
    out[np.arange(labels.size), labels] = 1
    return out


def convert_to_numpy(a: Any) -> np.ndarray:
    """The values as a plain NumPy array."""
    return np.array(array_of(a), copy=True)


def argmax(a: Any, axis: int = -1) -> Any:
    """The index of the largest value (an index: no gradient)."""
    return apply(_constant("argmax", lambda v: np.argmax(v, axis=axis)), a)


def argmin(a: Any, axis: int = -1) -> Any:
    """The index of the smallest value (an index: no gradient)."""
    return apply(_constant("argmin", lambda v: np.argmin(v, axis=axis)), a)


def greater(a: Any, b: Any) -> Any:
    """a > b, a boolean mask."""
    return apply(_constant("greater", np.greater), a, b)


def greater_equal(a: Any, b: Any) -> Any:
    """a ≥ b, a boolean mask."""
    return apply(_constant("greater_equal", np.greater_equal), a, b)


def less(a: Any, b: Any) -> Any:
    """a < b, a boolean mask."""
    return apply(_constant("less", np.less), a, b)


def less_equal(a: Any, b: Any) -> Any:
    """a ≤ b, a boolean mask."""
    return apply(_constant("less_equal", np.less_equal), a, b)


def equal(a: Any, b: Any) -> Any:
    """a = b, a boolean mask."""
    return apply(_constant("equal", np.equal), a, b)


def round(a: Any) -> Any:
    """Round to the nearest integer (no backward rule: an error on a recorded tensor)."""
    return apply(_Elementwise("round", np.round, constant=False), a)


def sign(a: Any) -> Any:
    """−1, 0 or 1 (no backward rule: an error on a recorded tensor)."""
    return apply(_Elementwise("sign", np.sign, constant=False), a)


def floor(a: Any) -> Any:
    """Round down (no backward rule: an error on a recorded tensor)."""
    return apply(_Elementwise("floor", np.floor, constant=False), a)


def max(a: Any, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Any:
    """The largest value over the given axes (all by default)."""
    return apply(Extreme("max", axis, keepdims), a)


def min(a: Any, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Any:
    """The smallest value over the given axes (all by default)."""
    return apply(Extreme("min", axis, keepdims), a)


def cast(a: Any, dtype: Any) -> Any:
    """The values in ``dtype``: differentiable between floating dtypes, a constant otherwise."""
    target = np.dtype(dtype)
    if target.kind != "f":
        return np.asarray(array_of(a)).astype(target)
    return apply(Cast(target), a)


# -- constants: new arrays, shapes ------------------------------------------------------------
def _floatx(dtype: Any) -> Any:
    from glassnet import config

    return dtype or config.floatx()


def zeros(shape: Any, dtype: Any = None) -> np.ndarray:
    """An array of zeros (floatx by default)."""
    return np.zeros(shape, dtype=_floatx(dtype))


def ones(shape: Any, dtype: Any = None) -> np.ndarray:
    """An array of ones (floatx by default)."""
    return np.ones(shape, dtype=_floatx(dtype))


def full(shape: Any, fill_value: float, dtype: Any = None) -> np.ndarray:
    """An array filled with one value (floatx by default)."""
    return np.full(shape, fill_value, dtype=_floatx(dtype))


def zeros_like(a: Any, dtype: Any = None) -> np.ndarray:
    """Zeros of a's shape (and dtype)."""
    return np.zeros_like(array_of(a), dtype=dtype)


def ones_like(a: Any, dtype: Any = None) -> np.ndarray:
    """Ones of a's shape (and dtype)."""
    return np.ones_like(array_of(a), dtype=dtype)


def full_like(a: Any, fill_value: float, dtype: Any = None) -> np.ndarray:
    """One value in a's shape (and dtype)."""
    return np.full_like(array_of(a), fill_value, dtype=dtype)


def eye(n: int, m: int | None = None, k: int = 0, dtype: Any = None) -> np.ndarray:
    """The identity matrix (ones on diagonal k)."""
    return np.eye(n, m, k, dtype=_floatx(dtype))


def arange(start: float, stop: float | None = None, step: float = 1, dtype: Any = None) -> Any:
    """Evenly spaced values in [start, stop)."""
    return np.arange(start, stop, step, dtype=dtype)


def convert_to_tensor(a: Any, dtype: Any = None) -> Any:
    """An array of a's values (a recorded tensor or a variable is returned as is)."""
    if isinstance(a, (Tensor, Variable)) and dtype is None:
        return a
    return np.asarray(array_of(a), dtype=dtype)


def shape(a: Any) -> tuple[int, ...]:
    """The shape, as a tuple of ints."""
    return tuple(np.shape(array_of(a)))


def ndim(a: Any) -> int:
    """The number of axes."""
    return int(np.ndim(array_of(a)))


def size(a: Any) -> int:
    """The number of values."""
    return int(np.size(array_of(a)))


def dtype(a: Any) -> str:
    """The dtype's name, e.g. "float32"."""
    return str(np.asarray(array_of(a)).dtype)
