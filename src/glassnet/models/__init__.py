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


def load_model(filepath: str | Path) -> Any:
    """Load a model saved with ``model.save``: same architecture, weights, optimizer state."""
    from glassnet.saving import load_model as _load

    return _load(filepath)


def model_from_json(text: str) -> Any:
    """A model (with new weights) from the JSON of ``model.to_json()``."""
    from glassnet.saving import model_from_json as _from_json

    return _from_json(text)


__all__ = [
    "DivergenceWarning",
    "Functional",
    "Model",
    "Sequential",
    "StepResult",
    "load_model",
    "model_from_json",
    "summary_text",
]
