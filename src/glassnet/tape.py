"""The record of one forward pass (the tape), and the one backward pass that walks it.

While a model trains, every layer call and every ``glassnet.ops`` operation appends a ``Node`` to
the active tape: the operation, its inputs, its output, and whatever its backward rule needs
(cached on the node by the operation's ``forward``). ``Tape.backward`` then walks the nodes in
reverse, applying the chain rule once per node:

    ∂L/∂input = backward(∂L/∂output)        (each operation's own rule)

and adds up the gradients of a tensor that feeds two places (∂L/∂x = Σ over its uses). The
gradients of weights land in ``Variable.grad``. fit, train_step, explain(), gradcheck and the
monitors all read this one record; nothing else in glassnet backpropagates.

>>> with Tape() as tape:  # doctest: +SKIP
...     out = model(x, training=True)
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from typing import Any

import numpy as np

_active_tape: ContextVar[Tape | None] = ContextVar("glassnet_active_tape", default=None)


def recording() -> Tape | None:
    """The tape recording the current forward pass, or None outside training."""
    return _active_tape.get()


def _not_recorded(what: str) -> TypeError:
    return TypeError(
        f"{what} was applied to a recorded tensor: plain NumPy functions are not on the tape, so "
        "backpropagation cannot pass through them. Use the glassnet.ops function of the same name "
        "(e.g. ops.exp, ops.sum, ops.matmul), which records its derivative; read the values "
        "with tensor.numpy() when no gradient should flow through them"
    )


# The ufuncs behind Python's operators: ``array + tensor`` reaches NumPy first, which hands it
# here; it is recorded as the operator would be. Any other NumPy function is refused.
_OPERATOR_UFUNCS = {
    "add": "add",
    "subtract": "subtract",
    "multiply": "multiply",
    "divide": "divide",
    "matmul": "matmul",
    "negative": "negative",
    "greater": "greater",
    "greater_equal": "greater_equal",
    "less": "less",
    "less_equal": "less_equal",
}


def _operator_ufunc(ufunc: Any, method: str, inputs: Any, kwargs: Any) -> Any:
    """The glassnet.ops function for an operator's ufunc called plainly, else None."""
    name = _OPERATOR_UFUNCS.get(ufunc.__name__)
    if name is None or method != "__call__" or kwargs:
        return None
    from glassnet import ops

    return getattr(ops, name)


class _Operand:
    """Arithmetic on recorded values goes through glassnet.ops, so that it is recorded too."""

    __slots__ = ()
    __array_priority__ = 1000.0
    value: np.ndarray

    @property
    def shape(self) -> tuple[int, ...]:
        return self.value.shape

    @property
    def dtype(self) -> np.dtype:
        return self.value.dtype

    @property
    def ndim(self) -> int:
        return self.value.ndim

    @property
    def size(self) -> int:
        return int(self.value.size)

    def __len__(self) -> int:
        return len(self.value)

    def numpy(self) -> np.ndarray:
        """A copy of the values, as a plain NumPy array (no gradient flows through it)."""
        return np.array(self.value, copy=True)

    def _ops(self) -> Any:
        from glassnet import ops

        return ops

    def __add__(self, other: Any) -> Any:
        return self._ops().add(self, other)

    def __radd__(self, other: Any) -> Any:
        return self._ops().add(other, self)

    def __sub__(self, other: Any) -> Any:
        return self._ops().subtract(self, other)

    def __rsub__(self, other: Any) -> Any:
        return self._ops().subtract(other, self)

    def __mul__(self, other: Any) -> Any:
        return self._ops().multiply(self, other)

    def __rmul__(self, other: Any) -> Any:
        return self._ops().multiply(other, self)

    def __truediv__(self, other: Any) -> Any:
        return self._ops().divide(self, other)

    def __rtruediv__(self, other: Any) -> Any:
        return self._ops().divide(other, self)

    def __matmul__(self, other: Any) -> Any:
        return self._ops().matmul(self, other)

    def __rmatmul__(self, other: Any) -> Any:
        return self._ops().matmul(other, self)

    def __neg__(self) -> Any:
        return self._ops().negative(self)

    def __pow__(self, exponent: Any) -> Any:
        return self._ops().power(self, exponent)

    def __getitem__(self, index: Any) -> Any:
        return self._ops().take_slice(self, index)

    def __gt__(self, other: Any) -> Any:
        return self._ops().greater(self, other)

    def __ge__(self, other: Any) -> Any:
        return self._ops().greater_equal(self, other)

    def __lt__(self, other: Any) -> Any:
        return self._ops().less(self, other)

    def __le__(self, other: Any) -> Any:
        return self._ops().less_equal(self, other)

    @property
    def T(self) -> Any:
        return self._ops().transpose(self)


class Tensor(_Operand):
    """A value produced while a tape records: its array and the node that made it.

    NumPy functions refuse it (they would compute a value but no derivative); use
    ``glassnet.ops``, or ``.numpy()`` to read the values.
    """

    __slots__ = ("__weakref__", "node", "value")

    def __init__(self, value: np.ndarray, node: Node | None = None) -> None:
        self.value = value
        self.node = node

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        operator = _operator_ufunc(ufunc, method, inputs, kwargs)
        if operator is None:
            raise _not_recorded(f"np.{ufunc.__name__}")
        return operator(*inputs)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        raise _not_recorded(f"np.{func.__name__}")

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        raise _not_recorded("a conversion to a NumPy array (np.asarray, np.array)")

    def __float__(self) -> float:
        return float(self.value)

    def __repr__(self) -> str:
        made_by = self.node.describe() if self.node is not None else "input"
        return f"<Tensor shape={self.value.shape} dtype={self.value.dtype} from {made_by}>"


class Variable(_Operand):
    """A weight of a layer: its array ``value``, and ``grad`` (∂L/∂value) after a backward pass.

    NumPy reads it as its array (``np.asarray(layer.kernel)``); the optimizer updates ``value``
    in place. ``trainable`` is False for a frozen weight or a weight of a frozen layer.
    ``regularizer`` (a penalty added to the loss) and ``constraint`` (applied after each update)
    are those given to ``add_weight``, as in Keras.
    """

    __slots__ = ("_trainable", "constraint", "grad", "name", "owner", "regularizer", "value")

    def __init__(
        self, value: np.ndarray, name: str, trainable: bool = True, owner: Any = None
    ) -> None:
        self.value = value
        self.name = name
        self._trainable = bool(trainable)
        self.owner = owner  # the layer that created it
        self.grad: np.ndarray | None = None
        self.regularizer: Any = None
        self.constraint: Any = None

    @property
    def trainable(self) -> bool:
        return self._trainable and (self.owner is None or self.owner.trainable)

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = bool(value)
        if self.owner is not None:
            self.owner.weights_changed()

    @property
    def path(self) -> str:
        """``"<layer name>/<weight name>"``, as Keras names a variable."""
        return f"{self.owner.name}/{self.name}" if self.owner is not None else self.name

    def assign(self, value: Any) -> None:
        """Replace the values in place (same shape), as ``keras.Variable.assign``."""
        array = np.asarray(value)
        if array.shape != self.value.shape:
            raise ValueError(
                f"variable {self.path!r} has shape {self.value.shape}, cannot assign a value of "
                f"shape {array.shape}"
            )
        self.value[...] = array

    def __float__(self) -> float:
        return float(self.value)

    def assign_add(self, value: Any) -> None:
        """value ← value + delta, in place (as ``keras.Variable.assign_add``)."""
        self.assign(self.value + np.asarray(array_of(value)))

    def assign_sub(self, value: Any) -> None:
        """value ← value − delta, in place (as ``keras.Variable.assign_sub``)."""
        self.assign(self.value - np.asarray(array_of(value)))

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        if recording() is not None:
            raise _not_recorded("a conversion to a NumPy array (np.asarray, np.array)")
        if copy:
            return np.array(self.value, dtype=dtype, copy=True)
        return self.value if dtype is None else self.value.astype(dtype)

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        if recording() is not None:
            operator = _operator_ufunc(ufunc, method, inputs, kwargs)
            if operator is None:
                raise _not_recorded(f"np.{ufunc.__name__}")
            return operator(*inputs)
        plain = [x.value if isinstance(x, Variable) else x for x in inputs]
        return getattr(ufunc, method)(*plain, **kwargs)

    def __repr__(self) -> str:
        return f"<Variable path={self.path!r} shape={self.value.shape} dtype={self.value.dtype}>"


class Node:
    """One recorded operation: ``op``, its ``inputs`` (tensors, variables or plain arrays), the
    ``value`` it computed, and, set by the op's forward, whatever its backward reads
    (``node.x``, …).

    After the backward pass, ``grad_output`` holds ∂L/∂output and ``grad_inputs`` the gradient
    this node sent to each input (None where none was needed). A node refers to its inputs, never
    to its output tensor (``output`` is a weak reference), so a step's record is freed as soon as
    the step is dropped, without waiting for the garbage collector.
    """

    # Slots for what every node has and what Dense and Dropout cache (the hot path of fit);
    # other operations cache what they need in the node's __dict__.
    __slots__ = (
        "__dict__",
        "__weakref__",
        "_output",
        "a",
        "delta",
        "grad_inputs",
        "grad_output",
        "inputs",
        "mask",
        "needs",
        "op",
        "value",
        "x",
        "z",
    )

    # what layers cache for their backward pass (set by their forward, read by explain)
    x: np.ndarray
    z: np.ndarray
    a: np.ndarray
    delta: np.ndarray
    mask: np.ndarray | None

    def __init__(self, op: Any, inputs: Sequence[Any], needs: tuple[bool, ...]) -> None:
        self.op = op
        self.inputs = inputs
        self.needs = needs
        self.value: np.ndarray | None = None
        self._output: weakref.ref[Tensor] | None = None
        self.grad_output: np.ndarray | None = None
        self.grad_inputs: tuple[np.ndarray | None, ...] = ()

    @property
    def output(self) -> Tensor | None:
        """The tensor this node made, while something still holds it."""
        return self._output() if self._output is not None else None

    def describe(self) -> str:
        name = getattr(self.op, "name", type(self.op).__name__)
        return f"{type(self.op).__name__} {name!r}" if hasattr(self.op, "weights") else name


class Scratch:
    """Where a forward pass outside training caches what no backward pass will read."""


def needs_grad(value: Any) -> bool:
    """Does a gradient have to reach this input? Recorded tensors and trainable weights do."""
    if isinstance(value, Tensor):
        return value.node is not None
    if isinstance(value, Variable):
        return value.trainable
    return False


def array_of(value: Any) -> Any:
    """The plain array behind a tensor or a variable (anything else is returned as is)."""
    return value.value if isinstance(value, (Tensor, Variable)) else value


class Tape:
    """The record of one forward pass: ``with Tape() as tape: …`` records what runs inside."""

    def __init__(self) -> None:
        self.nodes: list[Node] = []
        self.added_losses: list[Any] = []  # add_loss and activity regularizers, while recording
        self._token: Any = None

    def __enter__(self) -> Tape:
        self._token = _active_tape.set(self)
        return self

    def __exit__(self, *exc: object) -> None:
        _active_tape.reset(self._token)
        self._token = None

    def record(self, op: Any, inputs: Sequence[Any], values: Sequence[Any]) -> Tensor:
        """Run ``op.forward(node, *values)`` as a new node of ``op`` on ``inputs``: its output."""
        node = Node(op, inputs, tuple([needs_grad(x) for x in inputs]))
        return self._append(node, op.forward(node, *values))

    def record_layer(
        self, layer: Any, inputs: tuple[Any, ...], values: Any, training: bool
    ) -> Tensor:
        """Run a primitive layer's ``forward(node, values, training)`` as a new node whose inputs
        are the layer's inputs, then its own weights (its backward returns a gradient for each,
        in that order)."""
        needs = tuple([type(x) is not np.ndarray and needs_grad(x) for x in inputs])
        node = Node(layer, inputs + layer.own_weights, needs + layer.trainable_own_weights())
        return self._append(node, layer.forward(node, values, training))

    def _append(self, node: Node, value: np.ndarray) -> Tensor:
        """Append a node that computed ``value``; the tensor that carries it."""
        node.value = value
        out = Tensor(value, node)
        node._output = weakref.ref(out)
        self.nodes.append(node)
        return out

    def __iter__(self) -> Iterator[Node]:
        return iter(self.nodes)

    def __len__(self) -> int:
        return len(self.nodes)

    def backward(
        self,
        seeds: Sequence[tuple[Tensor, np.ndarray]],
        from_logits: dict[Node, np.ndarray] | None = None,
    ) -> None:
        """The chain rule over the record, last node first.

        ``seeds`` pairs output tensors with ∂L/∂output; ``from_logits`` maps an output layer's
        node to ∂L/∂Z when the loss is fused with that layer's activation (δ = A − Y, scaled).
        Each trainable variable's ``grad`` receives the sum of its contributions.
        """
        grads: dict[Node, np.ndarray] = {}  # ∂L/∂(the value of each node), summed over uses
        for tensor, seed in seeds:
            key = tensor.node
            if key is not None:
                grads[key] = seed if key not in grads else grads[key] + seed
        fused = from_logits or {}
        for node in reversed(self.nodes):
            grad: np.ndarray | None = grads.pop(node, None)
            dz = fused.get(node)
            if grad is None and dz is None:
                continue  # this node does not lead to the loss
            node.grad_output = grad
            if not any(node.needs):
                continue
            if dz is not None:
                op = node.op
                if grad is not None:  # the output also feeds other layers: add their paths
                    dz = dz + op.activation.backward(grad, node.z, node.a)
                node.delta = dz
                in_grads = op.backward_from_z(node, dz, node.needs)
            else:
                in_grads = node.op.backward(node, grad, node.needs)
            node.grad_inputs = in_grads
            for value, need, g in zip(node.inputs, node.needs, in_grads, strict=True):
                if not need or g is None:
                    continue
                if isinstance(value, Variable):
                    value.grad = g if value.grad is None else value.grad + g
                else:
                    producer = value.node
                    previous = grads.get(producer)
                    grads[producer] = g if previous is None else previous + g
