"""glassnet: a neural-network library written from scratch in NumPy, its inner workings visible.

>>> import glassnet as gn
>>> from glassnet import layers, models
"""

from glassnet import (
    activations,
    backend,
    callbacks,
    config,
    constraints,
    initializers,
    layers,
    losses,
    metrics,
    models,
    ops,
    optimizers,
    random,
    regularizers,
    saving,
    utils,
)
from glassnet.config import clear_session, floatx, set_floatx, set_seed, set_threads
from glassnet.gradcheck import gradcheck
from glassnet.layers import Input, Layer
from glassnet.models import Model, Sequential
from glassnet.tape import Tape, Tensor, Variable

__version__ = "0.1.0"

_LAZY = ("datasets", "experiments", "plots", "report", "sklearn")


def __getattr__(name: str) -> object:
    """Import the heavier submodules (pandas, matplotlib, …) only when first used."""
    if name in _LAZY:
        import importlib

        return importlib.import_module(f"glassnet.{name}")
    raise AttributeError(f"module 'glassnet' has no attribute {name!r}")


__all__ = [
    "Input",
    "Layer",
    "Model",
    "Sequential",
    "Tape",
    "Tensor",
    "Variable",
    "activations",
    "backend",
    "callbacks",
    "clear_session",
    "config",
    "constraints",
    "floatx",
    "gradcheck",
    "initializers",
    "layers",
    "losses",
    "metrics",
    "models",
    "ops",
    "optimizers",
    "random",
    "regularizers",
    "saving",
    "set_floatx",
    "set_seed",
    "set_threads",
    "utils",
]
