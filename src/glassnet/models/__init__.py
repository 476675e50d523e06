"""Models: ``Sequential``, ``Model`` (functional or subclassed), and ``load_model``.

>>> from glassnet import layers, models
>>> model = models.Sequential([layers.Dense(10, activation="softmax", input_shape=(784,))])
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from glassnet.models.functional import Functional
from glassnet.models.model import Model
from glassnet.models.sequential import Sequential
from glassnet.models.summary import summary_text
from glassnet.models.trainer import DivergenceWarning, StepResult


def load_model(
    filepath: str | Path,
    custom_objects: dict[str, Any] | None = None,
    compile: bool = True,
    safe_mode: bool = True,
) -> Any:
    """Load a model saved with ``model.save``: same architecture, weights, optimizer state."""
    from glassnet.saving import load_model as _load

    return _load(filepath, custom_objects, compile, safe_mode)


def model_from_json(text: str, custom_objects: dict[str, Any] | None = None) -> Any:
    """A model (with new weights) from the JSON of ``model.to_json()``."""
    from glassnet.saving import model_from_json as _from_json

    return _from_json(text, custom_objects)


def clone_model(model: Model, clone_function: Any = None) -> Any:
    """A new model of the same architecture with new weights, not compiled, as Keras's
    ``clone_model``. ``clone_function(layer)`` makes each layer of a Sequential (default: the
    layer rebuilt from its config); use ``model.get_weights()`` to copy the weights across."""
    from glassnet.saving import model_from_json as _from_json

    if clone_function is None:
        return _from_json(model.to_json())
    if not isinstance(model, Sequential):
        raise ValueError(
            "clone_model(clone_function=...) is supported for a Sequential model; clone a "
            "functional or subclassed model without it"
        )
    clone = Sequential([clone_function(layer) for layer in model.layers], name=model.name)
    if model.built and not clone.built:
        clone.build(model.build_input_shape)
    return clone


__all__ = [
    "DivergenceWarning",
    "Functional",
    "Model",
    "Sequential",
    "StepResult",
    "clone_model",
    "load_model",
    "model_from_json",
    "summary_text",
]
