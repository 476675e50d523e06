"""The Sequential model: a linear stack of layers, A⁽ˡ⁾ = layer_l(A⁽ˡ⁻¹⁾), with A⁽⁰⁾ = X.

>>> from glassnet import layers, models
>>> model = models.Sequential([
...     layers.Dense(512, activation="relu", input_shape=(784,)),
...     layers.Dense(10, activation="softmax"),
... ])
>>> model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
>>> model.count_params()
407050
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from glassnet import config
from glassnet.layers import serialize as serialize_layer
from glassnet.layers.base import (
    InputLayer,
    Layer,
    _record,
    _seed_source,
    as_shape,
    is_input_tensor,
)
from glassnet.models.model import Model


class Sequential(Model):
    """A linear stack of layers: each layer's output is the next one's input.

    Training (``fit``) repeats, for each mini-batch: the forward pass through every layer, the
    loss, the backward pass (the chain rule, layer by layer, from the last to the first) and one
    optimizer step on every parameter.
    """

    _layers: list[Layer]
    _input_layer: InputLayer | None
    calls_layers_directly = True  # the trainer may call ``call`` itself: it passes training on

    def __init__(
        self,
        layers: Sequence[Any] | None = None,
        name: str | None = None,
        seed: int | np.random.Generator | None = None,
        trainable: bool = True,
    ) -> None:
        super().__init__(name=name or config.unique_name("sequential"), seed=seed)
        object.__setattr__(self, "_layers", [])
        object.__setattr__(self, "_input_layer", None)
        self.trainable = trainable
        self.inputs: list[Any] = []
        self.outputs: list[Any] = []
        for layer in layers or []:
            self.add(layer)

    @property
    def layers(self) -> list[Layer]:
        """The layers, without the input (as in Keras)."""
        return list(self._layers)

    def add(self, layer: Any) -> None:
        """Append a layer; once the input shape is known, the model is built at once."""
        if is_input_tensor(layer):
            layer = layer.layer
        if isinstance(layer, InputLayer):
            if self._layers or self._input_layer is not None:
                raise ValueError(
                    f"an Input can only be the first element of Sequential {self.name!r}"
                )
            object.__setattr__(self, "_input_layer", layer)
            return
        if not isinstance(layer, Layer):
            raise TypeError(
                f"Sequential.add expects a glassnet layer (e.g. layers.Dense(10)), got "
                f"{type(layer).__name__}: {layer!r}"
            )
        if any(existing is layer for existing in self._layers):
            raise ValueError(f"layer {layer.name!r} is already in model {self.name!r}")
        if any(existing.name == layer.name for existing in self._layers):
            raise ValueError(
                f"a layer named {layer.name!r} is already in model {self.name!r}; names must "
                "be unique"
            )
        if self.built:
            self._extend(layer)
        self._layers.append(layer)
        self._track(layer)
        if self.seed_generator is not None:
            layer.seed_source = self.seed_generator
        if not self.built:
            declared = self._declared_input_shape()
            if declared is not None:
                self.build((None, *declared))

    def _declared_input_shape(self) -> tuple[int, ...] | None:
        if self._input_layer is not None:
            return self._input_layer.shape
        if self._layers and self._layers[0].declared_input_shape is not None:
            return self._layers[0].declared_input_shape
        return None

    def _extend(self, layer: Layer) -> None:
        with _seeded(self):
            self.outputs = [layer(self.outputs[0])]

    def pop(self) -> Layer:
        """Remove and return the last layer."""
        if not self._layers:
            raise ValueError(f"Sequential {self.name!r} has no layers to pop")
        layer = self._layers.pop()
        self._sublayers.remove(layer)
        if self.built:
            self.outputs = [self._layers[-1].output if self._layers else self.inputs[0]]
        return layer

    def build(self, input_shape: Any = None) -> None:
        """Create every layer's weights for inputs of ``input_shape``: ``(None, 784)`` as in
        Keras, or the per-sample ``(784,)``."""
        if input_shape is None:
            input_shape = self._declared_input_shape()
            if input_shape is None:
                raise ValueError(f"model {self.name!r} needs an input shape to be built")
        shape = tuple(input_shape)
        per_sample = as_shape(shape[1:] if shape and shape[0] is None else shape, "input shape")
        if not self._layers:
            raise ValueError(f"model {self.name!r} has no layers: add some before building it")
        if self._input_layer is None or self._input_layer.shape != per_sample:
            object.__setattr__(self, "_input_layer", InputLayer(shape=per_sample))
        input_layer = self._input_layer
        assert input_layer is not None
        x = input_layer.output
        with _seeded(self):
            for layer in self._layers:
                x = layer(x)
        self.inputs, self.outputs = [input_layer.output], [x]
        self.built = True
        self.build_input_shape = (None, *per_sample)

    def _build_for(self, input_shape: Any) -> None:
        if not self.built:
            self.build(input_shape)

    @property
    def output_shape(self) -> Any:
        if not self.outputs:
            raise AttributeError(f"model {self.name!r} is not built yet, so it has no output shape")
        return self.outputs[0].shape

    def call(self, inputs: Any, training: bool = False) -> Any:
        x = inputs
        for layer in self._layers:
            if layer.is_primitive and layer.built:
                x = _record(layer, x, training)  # shapes were checked when the model was built
            else:
                x = layer(x, training=training)  # A⁽ˡ⁾ = layer_l(A⁽ˡ⁻¹⁾)
        return x

    def get_config(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "input_shape": list(self.build_input_shape[1:]) if self.built else None,
            "layers": [serialize_layer(layer) for layer in self._layers],
        }

    @classmethod
    def from_config(
        cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None
    ) -> Sequential:
        from glassnet.layers import deserialize
        from glassnet.serialization import custom_object_scope

        with custom_object_scope(custom_objects):
            layers = [deserialize(c) for c in config["layers"]]
        model = cls(layers, name=config.get("name"))
        if config.get("input_shape") and not model.built:
            model.build((None, *config["input_shape"]))
        return model


class _seeded:
    """While a model builds its layers, they draw their weights from the model's seed."""

    def __init__(self, model: Model) -> None:
        self.model = model

    def __enter__(self) -> None:
        self.token = _seed_source.set(self.model.seed_generator or _seed_source.get())

    def __exit__(self, *exc: object) -> None:
        _seed_source.reset(self.token)
