"""glassnet: a neural-network library written from scratch in NumPy, its inner workings visible.

>>> import glassnet as gn
>>> from glassnet import layers, models
"""

from glassnet import (
    activations,
    callbacks,
    config,
    initializers,
    layers,
    losses,
    metrics,
    models,
    optimizers,
    utils,
)
from glassnet.config import clear_session, floatx, set_floatx, set_seed
from glassnet.gradcheck import gradcheck

__version__ = "0.1.0"

__all__ = [
    "activations",
    "callbacks",
    "clear_session",
    "config",
    "floatx",
    "gradcheck",
    "initializers",
    "layers",
    "losses",
    "metrics",
    "models",
    "optimizers",
    "set_floatx",
    "set_seed",
    "utils",
]
