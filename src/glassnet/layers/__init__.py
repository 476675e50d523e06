"""Layers: Dense, the activation, normalization, preprocessing (Normalization), noise and merge
layers, Dropout, Flatten, Reshape, Rescaling, Identity, Input, and the Layer base class for your
own. Names work as in Keras: ``layers.Dense(512, activation="relu")``.

>>> from glassnet import layers
>>> layers.Dense(512, activation="relu", input_shape=(784,))
Dense(units=512, activation='relu')
"""

from __future__ import annotations

from typing import Any

from glassnet.layers.activation_layers import ELU, LeakyReLU, PReLU, ReLU, Softmax
from glassnet.layers.base import Input, InputLayer, Layer
from glassnet.layers.core import (
    Activation,
    Dense,
    Dropout,
    Flatten,
    Identity,
    Rescaling,
    Reshape,
)
from glassnet.layers.merging import (
    Add,
    Average,
    Concatenate,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
)
from glassnet.layers.noise import GaussianDropout, GaussianNoise
from glassnet.layers.normalization import BatchNormalization, LayerNormalization
from glassnet.layers.preprocessing import Normalization
from glassnet.serialization import deserialize_object, serialize_object

LAYER_CLASSES: dict[str, type[Layer]] = {
    cls.__name__: cls
    for cls in (
        InputLayer,
        Dense,
        Activation,
        Dropout,
        Flatten,
        Reshape,
        Rescaling,
        Identity,
        GaussianNoise,
        GaussianDropout,
        BatchNormalization,
        LayerNormalization,
        Normalization,
        PReLU,
        ReLU,
        LeakyReLU,
        ELU,
        Softmax,
        Add,
        Subtract,
        Multiply,
        Average,
        Maximum,
        Minimum,
        Concatenate,
    )
}


def _builtins() -> dict[str, type]:
    """The built-in layer classes, and the model classes (a model can be a layer of another)."""
    from glassnet.models import Functional, Sequential

    return {**LAYER_CLASSES, "Functional": Functional, "Sequential": Sequential}


def serialize(layer: Layer) -> dict[str, Any]:
    """{"class_name": …, "config": layer.get_config()}: plain JSON data."""
    return serialize_object(layer, _builtins())


def deserialize(cfg: dict[str, Any]) -> Layer:
    """A layer from ``serialize``'s output; a class of your own must be registered."""
    layer = deserialize_object(cfg, _builtins(), "layer")
    assert isinstance(layer, Layer)
    return layer


# Keras's lower-case names for the merge functions
def add(inputs: list[Any], **kwargs: Any) -> Any:
    return Add(**kwargs)(inputs)


def concatenate(inputs: list[Any], axis: int = -1, **kwargs: Any) -> Any:
    return Concatenate(axis=axis, **kwargs)(inputs)


def subtract(inputs: list[Any], **kwargs: Any) -> Any:
    return Subtract(**kwargs)(inputs)


def multiply(inputs: list[Any], **kwargs: Any) -> Any:
    return Multiply(**kwargs)(inputs)


def average(inputs: list[Any], **kwargs: Any) -> Any:
    return Average(**kwargs)(inputs)


def maximum(inputs: list[Any], **kwargs: Any) -> Any:
    return Maximum(**kwargs)(inputs)


def minimum(inputs: list[Any], **kwargs: Any) -> Any:
    return Minimum(**kwargs)(inputs)


__all__ = [
    "ELU",
    "Activation",
    "Add",
    "Average",
    "BatchNormalization",
    "Concatenate",
    "Dense",
    "Dropout",
    "Flatten",
    "GaussianDropout",
    "GaussianNoise",
    "Identity",
    "Input",
    "InputLayer",
    "Layer",
    "LayerNormalization",
    "LeakyReLU",
    "Maximum",
    "Minimum",
    "Multiply",
    "Normalization",
    "PReLU",
    "ReLU",
    "Rescaling",
    "Reshape",
    "Softmax",
    "Subtract",
    "add",
    "average",
    "concatenate",
    "deserialize",
    "maximum",
    "minimum",
    "multiply",
    "serialize",
    "subtract",
]
