"""The Layer base class: weights, building, and the one way every layer is called.

A layer is either

- **primitive**: it writes ``forward(ctx, x, training)`` and ``backward(ctx, ∂out, needs)``
  side by side (Dense, Dropout, the merge layers…). While a model trains, each call appends one
  node to the tape; ``forward`` caches on ``ctx`` exactly what ``backward`` reads; or
- **composite**: it writes only ``call(inputs, training=False)`` out of other layers and
  ``glassnet.ops`` (a custom layer, a subclassed model); those record themselves, so it needs no
  backward of its own.

Weights are created in ``build(input_shape)`` with ``add_weight``, as in Keras; ``input_shape``
includes the batch dimension, ``(None, 784)``.

>>> class Linear(Layer):  # doctest: +SKIP
...     def __init__(self, units):
...         super().__init__()
...         self.units = units
...     def build(self, input_shape):
...         self.w = self.add_weight(shape=(input_shape[-1], self.units))
...         self.b = self.add_weight(shape=(self.units,), initializer="zeros")
...     def call(self, inputs):
...         return ops.matmul(inputs, self.w) + self.b
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

import numpy as np

from glassnet import config
from glassnet import initializers as initializers_module
from glassnet.symbolic import LayerCall, SymbolicTensor, call_layer, is_symbolic
from glassnet.tape import Scratch, Tensor, Variable, array_of, recording
from glassnet.utils import check_positive_int

Shape = tuple[Any, ...]

# the ``training`` flag of the outermost call, inherited by inner calls that do not pass one
_training: ContextVar[bool] = ContextVar("glassnet_training", default=False)
# while a model builds its layers: the generator they draw their initial weights from
_seed_source: ContextVar[np.random.Generator | None] = ContextVar(
    "glassnet_seed_source", default=None
)


def _snake_case(name: str) -> str:
    """A class name as Keras writes a default layer name: "PReLU" → "p_re_lu"."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


@functools.cache
def _is_primitive(cls: Any) -> bool:
    return cls.forward is not Layer.forward


@functools.cache
def _call_takes_training(cls: Any) -> bool:
    """Does ``cls.call`` accept ``training=`` (as Keras passes it only to those that do)?"""
    try:
        params = inspect.signature(cls.call).parameters
    except (TypeError, ValueError):
        return False
    return "training" in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


class Layer:
    """Base class of every layer and model: name, weights, building and calling."""

    _sublayers: list[Layer]

    def __init__(
        self,
        name: str | None = None,
        trainable: bool = True,
        dtype: Any = None,
        input_shape: Shape | None = None,
        input_dim: int | None = None,
        activity_regularizer: Any = None,
        **kwargs: Any,
    ) -> None:
        if kwargs.pop("autocast", None) is not None or kwargs.pop("batch_input_shape", None):
            pass  # Keras arguments with no meaning here
        if kwargs:
            raise TypeError(
                f"{type(self).__name__} got unexpected keyword argument(s): {', '.join(kwargs)}"
            )
        if name is not None and (not isinstance(name, str) or not name):
            raise ValueError(f"a layer name must be a non-empty string, got {name!r}")
        object.__setattr__(self, "_sublayers", [])
        self.name = name or config.unique_name(_snake_case(type(self).__name__))
        if input_dim is not None:
            input_shape = (check_positive_int(f"{type(self).__name__} input_dim", input_dim),)
        if input_shape is not None:
            input_shape = as_shape(input_shape, f"{type(self).__name__} input_shape")
        # the per-sample input shape declared for the first layer of a Sequential model
        self.declared_input_shape: tuple[int, ...] | None = input_shape
        self._own_weights: list[Variable] = []
        self._calls: list[LayerCall] = []
        self._trainable = bool(trainable)
        self.built = False
        self.build_input_shape: Any = None
        self.seed_source: np.random.Generator | None = None
        self.build_rng: np.random.Generator | None = None
        self.activity_regularizer = regularizer_of(activity_regularizer)
        self._losses: list[Any] = []

    # -- tracking of sublayers and weights ---------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, Layer) and name != "owner":
            self._track(value)
        elif (
            isinstance(value, (list, tuple)) and value and all(isinstance(v, Layer) for v in value)
        ):
            for v in value:
                self._track(v)
        object.__setattr__(self, name, value)

    def _track(self, layer: Layer) -> None:
        sublayers = self.__dict__.get("_sublayers")
        if sublayers is None:
            raise RuntimeError(
                f"{type(self).__name__}: call super().__init__() before assigning layers to "
                "attributes"
            )
        if not any(existing is layer for existing in sublayers):
            sublayers.append(layer)

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = bool(value)
        self.weights_changed()
        for layer in self._sublayers:
            layer.trainable = value

    def weights_changed(self) -> None:
        """Forget which own weights are trainable (a weight was added, frozen or unfrozen)."""
        object.__setattr__(self, "_weight_needs", None)
        object.__setattr__(self, "_own_weights_tuple", None)

    @property
    def own_weights(self) -> tuple[Variable, ...]:
        """The weights this layer created itself (not those of its sublayers), in order."""
        own = self.__dict__.get("_own_weights_tuple")
        if own is None:
            own = tuple(self._own_weights)
            object.__setattr__(self, "_own_weights_tuple", own)
        return own

    def trainable_own_weights(self) -> tuple[bool, ...]:
        """For each own weight, does it need a gradient? Kept until the weights change."""
        needs = self.__dict__.get("_weight_needs")
        if needs is None:
            needs = tuple(w.trainable for w in self._own_weights)
            object.__setattr__(self, "_weight_needs", needs)
        return needs

    def iter_layers(self) -> Iterator[Layer]:
        """This layer and every layer inside it (a model's layers, theirs, …), each once, in
        the order they were added."""
        seen: set[int] = set()
        stack: list[Layer] = [self]
        order: list[Layer] = []
        while stack:
            layer = stack.pop(0)
            if id(layer) in seen:
                continue
            seen.add(id(layer))
            order.append(layer)
            stack = list(layer._sublayers) + stack
        return iter(order)

    @property
    def weights(self) -> list[Variable]:
        """Every weight of this layer and its sublayers, in creation order."""
        return [w for layer in self.iter_layers() for w in layer._own_weights]

    @property
    def trainable_weights(self) -> list[Variable]:
        return [w for w in self.weights if w.trainable]

    @property
    def non_trainable_weights(self) -> list[Variable]:
        return [w for w in self.weights if not w.trainable]

    @property
    def params(self) -> list[np.ndarray]:
        """The arrays of this layer's own weights (for Dense: [kernel, bias])."""
        return [w.value for w in self._own_weights]

    @property
    def grads(self) -> list[np.ndarray | None]:
        """∂L/∂(each own weight) from the last backward pass (None before any)."""
        return [w.grad for w in self._own_weights]

    def add_weight(
        self,
        shape: Shape | None = None,
        initializer: Any = "glorot_uniform",
        dtype: Any = None,
        trainable: bool = True,
        name: str | None = None,
        regularizer: Any = None,
        constraint: Any = None,
        **kwargs: Any,
    ) -> Variable:
        """Create a weight, drawn by ``initializer`` from this layer's generator.

        A ``regularizer`` adds its penalty of the weight to the loss; a ``constraint`` is
        applied to the weight after each update (both as in Keras).

        The generator is a child of the model's seed (``Sequential(seed=)``) or of
        ``gn.set_seed``'s, taken when the layer is built, so the same seed gives the same weights.
        """
        shape = () if shape is None else tuple(int(d) for d in shape)
        init = initializers_module.get(initializer)
        value = init(shape, str(np.dtype(dtype)) if dtype else config.floatx(), self._rng())
        variable = Variable(
            value, name or f"variable_{len(self._own_weights)}", trainable, owner=self
        )
        variable.regularizer = regularizer_of(regularizer)
        variable.constraint = constraint_of(constraint)
        self._own_weights.append(variable)
        self.weights_changed()
        return variable

    # -- losses added to the model's loss ----------------------------------------------------
    def add_loss(self, loss: Any) -> None:
        """Add a scalar to the loss being computed (inside ``call``), as Keras's add_loss.

        While a model trains or evaluates, the value is recorded and the tape differentiates
        it with the rest of the loss; ``layer.losses`` lists those of the last call.
        """
        tape = recording()
        if tape is not None:
            tape.added_losses.append(loss)
        self._losses.append(array_of(loss))  # the value: holding the tensor would hold the step

    @property
    def losses(self) -> list[Any]:
        """The losses added by the last call (add_loss, activity regularizers), then the
        penalty of each regularized trainable weight: Keras's ``layer.losses``."""
        added = [loss for layer in self.iter_layers() for loss in layer._losses]
        return added + [w.regularizer(w.value) for w in self.trainable_weights if w.regularizer]

    def _rng(self) -> np.random.Generator:
        if self.build_rng is None:
            self.build_rng = config.make_rng(self.seed_source or _seed_source.get())
        return self.build_rng

    # -- building --------------------------------------------------------------------------
    def build(self, input_shape: Any) -> None:
        """Create the weights for inputs of ``input_shape`` (with the batch dimension)."""

    def _build_for(self, input_shape: Any) -> None:
        """Build once; a built layer checks that a new input has the shape it was built for."""
        if self.built:
            self._check_built_shape(input_shape)
            return
        self.build_rng = config.make_rng(self.seed_source or _seed_source.get())
        self.build(input_shape)
        self.build_input_shape = input_shape
        self.built = True

    def _check_built_shape(self, input_shape: Any) -> None:
        expected = self.build_input_shape
        if expected is None:
            return
        if _per_sample(expected) != _per_sample(input_shape):
            raise ValueError(
                f"{type(self).__name__} {self.name!r} was built for inputs of shape "
                f"{shape_text(expected)}, got {shape_text(input_shape)}"
            )

    def compute_output_shape(self, input_shape: Any) -> Any:
        """The output shape for an input shape (batch dimension included).

        Primitive layers compute it; for a composite layer it is found by calling the layer
        once on a sample of zeros.
        """
        if self.is_primitive:
            return input_shape
        multi = isinstance(input_shape, list)
        shapes = input_shape if multi else [input_shape]
        dtype = self.weights[0].value.dtype if self.weights else config.floatx()
        zeros = [np.zeros((1, *s[1:]), dtype=dtype) for s in shapes]
        out = self(zeros if multi else zeros[0], training=False)
        if isinstance(out, (list, tuple)):
            return [(None, *np.shape(o)[1:]) for o in out]
        return (None, *np.shape(out)[1:])

    @property
    def is_primitive(self) -> bool:
        """Does it write its own forward and backward (one node on the tape per call)?"""
        return _is_primitive(type(self))  # type: ignore[arg-type]

    # -- calling -----------------------------------------------------------------------------
    def call(self, inputs: Any, training: bool = False) -> Any:
        """A composite layer's computation, made of layers and glassnet.ops."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement call(inputs) (made of layers and "
            "glassnet.ops), or forward and backward"
        )

    def forward(self, ctx: Any, x: Any, training: bool = False) -> np.ndarray:
        """A primitive layer's forward pass; caches on ``ctx`` what ``backward`` reads."""
        raise NotImplementedError

    def backward(self, ctx: Any, grad: np.ndarray, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        """∂L/∂(each input, then each own weight) from ∂L/∂output; None where not needed."""
        raise NotImplementedError

    def formula(self, inputs: list[str]) -> str:
        """What a primitive layer computes, written with its inputs' symbols (for explain())."""
        return f"{self.name}({', '.join(inputs)})"

    def grad_formula(self, i: int, inputs: list[str]) -> str:
        """What its backward sends to input ``i``, with ∂out for ∂L/∂output (for explain())."""
        return ""

    def __call__(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        if type(inputs) is not np.ndarray and is_symbolic(inputs):
            if args and all(is_symbolic(a) for a in args):  # layer(targets, logits), as Keras
                return call_layer(self, [inputs, *args], kwargs, positional=True)
            return call_layer(self, inputs, kwargs)
        training = kwargs.pop("training", None)
        if training is None:
            training = _training.get()
        if not self.built:
            self._build_for(_shape_of(inputs))
        elif (
            type(self.build_input_shape) is tuple
            and hasattr(inputs, "shape")
            and inputs.shape[1:] != self.build_input_shape[1:]
        ):
            self._check_built_shape((None, *inputs.shape[1:]))
        if self._losses:
            self._losses.clear()  # layer.losses holds those of the last call
        if type(self).forward is not Layer.forward:  # primitive: one node on the tape
            out = _record(self, inputs, bool(training))
        else:
            token = _training.set(bool(training))
            try:
                if _call_takes_training(type(self)):  # type: ignore[arg-type]
                    kwargs["training"] = bool(training)
                out = self.call(inputs, *args, **kwargs)
            finally:
                _training.reset(token)
            if self.activity_regularizer is not None:
                self._add_activity_loss(out)
        return out

    def _add_activity_loss(self, out: Any) -> None:
        """Keras's activity regularization: R(output) / batch size, added to the loss."""
        from glassnet import ops

        for tensor in out if isinstance(out, (list, tuple)) else [out]:
            penalty = self.activity_regularizer(tensor)
            batch = np.shape(array_of(tensor))[0] if np.ndim(array_of(tensor)) else 1
            self.add_loss(ops.divide(penalty, float(batch)) if batch else penalty)

    @property
    def output(self) -> SymbolicTensor:
        """The symbolic output of this layer's call in a functional graph (Keras's layer.output)."""
        if not self._calls:
            raise AttributeError(
                f"layer {self.name!r} has never been called on a symbolic input, so it has no "
                "output tensor yet"
            )
        if len(self._calls) > 1:
            raise AttributeError(
                f"layer {self.name!r} has been called {len(self._calls)} times; its output is "
                "ambiguous: use the tensor each call returned"
            )
        out = self._calls[0].output
        assert out is not None
        return out

    @property
    def input(self) -> Any:
        output = self.output
        assert output.call is not None
        call = output.call
        return call.inputs if call.multi or call.positional else call.inputs[0]

    # -- weights ---------------------------------------------------------------------------
    def get_weights(self) -> list[np.ndarray]:
        """Copies of the weights (for Dense: [kernel, bias])."""
        return [w.value.copy() for w in self.weights]

    def set_weights(self, weights: list[np.ndarray]) -> None:
        """Replace the weights, checking the count and each shape."""
        variables = self.weights
        if not self.built and not variables:
            raise ValueError(
                f"layer {self.name!r} has no weights yet: give it an input_shape or build the "
                "model first"
            )
        set_variables(variables, weights, f"layer {self.name!r}")

    def count_params(self) -> int:
        return int(sum(w.value.size for w in self.weights))

    @property
    def dtype(self) -> str:
        """The float type of the weights (floatx before any weight exists)."""
        for w in self.weights:
            return str(w.value.dtype)
        return config.floatx()

    # -- configuration ----------------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        cfg: dict[str, Any] = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype}
        if self.declared_input_shape is not None:
            cfg["input_shape"] = list(self.declared_input_shape)
        if self.activity_regularizer is not None:
            from glassnet import regularizers

            cfg["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        return cfg

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Layer:
        return cls(**config)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


def regularizer_of(identifier: Any) -> Any:
    if identifier is None:
        return None
    from glassnet import regularizers

    return regularizers.get(identifier)


def constraint_of(identifier: Any) -> Any:
    if identifier is None:
        return None
    from glassnet import constraints

    return constraints.get(identifier)


def set_variables(variables: list[Variable], weights: Any, owner: str) -> None:
    """Write arrays into variables in place, after checking the count, shapes and values."""
    if not isinstance(weights, (list, tuple)) or len(weights) != len(variables):
        got = len(weights) if isinstance(weights, (list, tuple)) else type(weights).__name__
        raise ValueError(
            f"{owner} expects {len(variables)} weight arrays with shapes "
            f"{[v.value.shape for v in variables]}, got {got}"
        )
    arrays = []
    for v, w in zip(variables, weights, strict=True):
        w = np.asarray(w)
        layer = v.owner
        index = next(i for i, own in enumerate(layer._own_weights) if own is v) if layer else 0
        where = f"layer {layer.name!r} weight {index}" if layer is not None else v.path
        if w.shape != v.value.shape:
            raise ValueError(f"{where} must have shape {v.value.shape}, got {w.shape} ({v.path})")
        if w.dtype.kind not in "biuf" or not np.isfinite(w).all():
            raise ValueError(
                f"{where} must hold finite numbers, got dtype {w.dtype}"
                + ("" if w.dtype.kind not in "biuf" else " with NaN/inf")
            )
        arrays.append(w)
    for v, w in zip(variables, arrays, strict=True):
        v.value[...] = w  # in place: optimizers hold references to these arrays


def _record(layer: Layer, inputs: Any, training: bool) -> Any:
    """Run a primitive layer: one node on the tape while training, plain NumPy otherwise."""
    tape = recording()
    multi = isinstance(inputs, (list, tuple))
    values = [array_of(x) for x in inputs] if multi else array_of(inputs)
    out: Any
    if tape is None:
        out = layer.forward(Scratch(), values, training)
    else:
        out = tape.record_layer(layer, tuple(inputs) if multi else (inputs,), values, training)
    if layer.activity_regularizer is not None:
        layer._losses.clear()  # the losses of this call only
        layer._add_activity_loss(out)
    return out


def _shape_of(inputs: Any) -> Any:
    if isinstance(inputs, (list, tuple)):
        return [(None, *np.shape(array_of(x))[1:]) for x in inputs]
    return (None, *np.shape(array_of(inputs))[1:])


def _per_sample(shape: Any) -> Any:
    if isinstance(shape, list):
        return [tuple(s[1:]) for s in shape]
    return tuple(shape[1:])


def shape_text(shape: Any) -> str:
    """``(None, 784)``, or several such joined by commas, as Keras prints shapes."""
    if isinstance(shape, list):
        return ", ".join(shape_text(s) for s in shape)
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"


def as_shape(shape: Any, what: str) -> tuple[int, ...]:
    """A per-sample shape as a tuple of positive ints: 784 or [784] → (784,)."""
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (shape,)
    if not isinstance(shape, (tuple, list)) or not shape:
        raise TypeError(f"{what} must be a tuple of positive integers like (784,), got {shape!r}")
    return tuple(check_positive_int(what, d) for d in shape)


class InputLayer(Layer):
    """The entry of a model: A = X, for inputs of shape ``(batch, *shape)``."""

    def __init__(self, shape: Shape | None = None, name: str | None = None, **kwargs: Any) -> None:
        if shape is None:
            shape = kwargs.pop("input_shape", None)
        if shape is None:
            raise TypeError("InputLayer needs shape=, e.g. InputLayer(shape=(784,))")
        kwargs.pop("batch_size", None)
        kwargs.pop("dtype", None)
        super().__init__(name=name or config.unique_name("input_layer"), **kwargs)
        self.shape = as_shape(shape, "Input shape")
        self.declared_input_shape = self.shape
        self.built = True
        self.build_input_shape = (None, *self.shape)
        tensor = SymbolicTensor((None, *self.shape), config.floatx(), None, self.name)
        call = LayerCall(self, [], multi=False)
        call.output = tensor
        tensor.call = call
        self._calls.append(call)

    def forward(self, ctx: Any, x: Any, training: bool = False) -> np.ndarray:
        return x  # A = X

    def backward(self, ctx: Any, grad: np.ndarray, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        return (grad,)

    def get_config(self) -> dict[str, Any]:
        return {"shape": list(self.shape), "name": self.name}


def Input(shape: Shape, name: str | None = None, **kwargs: Any) -> SymbolicTensor:
    """A symbolic input of per-sample ``shape``: the start of a functional model.

    >>> inputs = Input(shape=(784,))  # doctest: +SKIP
    >>> outputs = Dense(10, activation="softmax")(inputs)  # doctest: +SKIP
    >>> model = glassnet.Model(inputs, outputs)  # doctest: +SKIP
    """
    kwargs.pop("batch_size", None)
    kwargs.pop("dtype", None)
    return InputLayer(shape, name=name, **kwargs).output


def is_input_tensor(value: Any) -> bool:
    return isinstance(value, SymbolicTensor) and isinstance(value.layer, InputLayer)


__all__ = ["Input", "InputLayer", "Layer", "Tensor"]
