"""Symbolic tensors: what ``glassnet.Input`` returns and what calling a layer on one returns.

A symbolic tensor has a shape (the batch dimension is ``None``) and remembers the layer call
that made it, so that ``glassnet.Model(inputs, outputs)`` can walk back from the outputs to the
inputs and find the graph of layers in between. No numbers flow through it.

>>> inputs = glassnet.Input(shape=(784,))  # doctest: +SKIP
>>> x = layers.Dense(64, activation="relu")(inputs)  # doctest: +SKIP
>>> x.shape  # doctest: +SKIP
(None, 64)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from glassnet.layers.base import Layer

Shape = tuple[int | None, ...]


class SymbolicTensor:
    """The shape and origin of a value in a graph of layers being built."""

    def __init__(self, shape: Shape, dtype: str, call: LayerCall | None, name: str) -> None:
        self.shape = tuple(shape)
        self.dtype = dtype
        self.call = call  # the layer call that produces it
        self.name = name

    @property
    def layer(self) -> Layer:
        assert self.call is not None
        return self.call.layer

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def _no_arithmetic(self, *args: Any) -> Any:
        raise TypeError(
            "arithmetic on a symbolic tensor is not recorded in a functional model: use a merge "
            "layer (layers.Add, layers.Subtract, layers.Multiply, …) or a layer of your own"
        )

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _no_arithmetic
    __truediv__ = __rtruediv__ = __matmul__ = __rmatmul__ = __neg__ = _no_arithmetic

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        raise TypeError(
            f"{self!r} is symbolic (a placeholder in a functional model being built): it has a "
            "shape but no values. Build the model with glassnet.Model(inputs, outputs), then call "
            "or fit it on arrays"
        )

    def __repr__(self) -> str:
        return f"<SymbolicTensor shape={self.shape} dtype={self.dtype} name={self.name!r}>"


class LayerCall:
    """One call of a layer on symbolic tensors: the layer, its inputs, its output."""

    def __init__(
        self, layer: Layer, inputs: list[SymbolicTensor], multi: bool, positional: bool = False
    ) -> None:
        self.layer = layer
        self.inputs = inputs
        self.multi = multi  # the layer was given a list (a merge layer), not one tensor
        self.positional = positional  # the tensors were separate arguments: layer(a, b)
        self.output: SymbolicTensor | None = None

    def run(self, values: list[Any], training: bool) -> Any:
        """The layer applied to concrete values, passed as this call passed its tensors."""
        if self.positional:
            return self.layer(*values, training=training)
        return self.layer(values if self.multi else values[0], training=training)


def is_symbolic(inputs: Any) -> bool:
    if isinstance(inputs, SymbolicTensor):
        return True
    return (
        isinstance(inputs, (list, tuple))
        and bool(inputs)
        and all(isinstance(x, SymbolicTensor) for x in inputs)
    )


def describe_origin(tensor: SymbolicTensor) -> str:
    """``'dense_1' (Dense)`` or ``input 'x'``, for error messages."""
    if tensor.call is None:
        return f"{tensor.name!r}"
    layer = tensor.call.layer
    if type(layer).__name__ == "InputLayer":
        return f"input {layer.name!r}"
    return f"{layer.name!r} ({type(layer).__name__})"


def call_layer(
    layer: Layer, inputs: Any, kwargs: dict[str, Any], positional: bool = False
) -> SymbolicTensor:
    """Call ``layer`` on symbolic input(s): build it, check the shapes, return the output.
    ``positional``: the tensors are separate arguments, ``layer(a, b)``."""
    multi = isinstance(inputs, (list, tuple)) and not positional
    tensors = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    shapes = [t.shape for t in tensors]
    shape_arg: Any = shapes if len(tensors) > 1 or multi else shapes[0]
    try:
        layer._build_for(shape_arg)
        if positional:  # found by calling the layer once on a sample of zeros
            zeros = [
                np.zeros((1, *s[1:]), dtype=t.dtype) for s, t in zip(shapes, tensors, strict=True)
            ]
            output_shape = (None, *np.shape(layer(*zeros, training=False))[1:])
        else:
            output_shape = layer.compute_output_shape(shape_arg)
    except (ValueError, TypeError) as err:
        sources = ", ".join(f"{describe_origin(t)} gives {t.shape}" for t in tensors)
        raise type(err)(
            f"cannot call {type(layer).__name__} {layer.name!r} on this input: {err} ({sources})"
        ) from None
    call = LayerCall(layer, tensors, multi, positional)
    layer._calls.append(call)
    out = SymbolicTensor(output_shape, tensors[0].dtype, call, f"{layer.name}_output")
    call.output = out
    return out
