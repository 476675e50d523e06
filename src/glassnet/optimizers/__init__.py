"""Optimizers: gradient-descent update rules, applied in place to a model's parameters.

They follow Keras 3's update rules, defaults and options (``weight_decay``, ``clipnorm``,
``clipvalue``, ``global_clipnorm``, a learning-rate schedule), so runs compare across
libraries. State (the velocity of momentum, the running averages of RMSprop and Adam) is kept
per parameter, by the parameter's position in the list passed to ``apply``.

>>> from glassnet import optimizers
>>> opt = optimizers.get("sgd")
>>> w = np.array([1.0]); opt.apply([w], [np.array([2.0])]); w
array([0.98])
"""

from __future__ import annotations

from typing import Any

from glassnet.optimizers import schedules
from glassnet.optimizers.adadelta import Adadelta
from glassnet.optimizers.adagrad import Adagrad
from glassnet.optimizers.adam import Adam
from glassnet.optimizers.adamax import Adamax
from glassnet.optimizers.adamw import AdamW
from glassnet.optimizers.base import Optimizer
from glassnet.optimizers.nadam import Nadam
from glassnet.optimizers.rmsprop import RMSprop
from glassnet.optimizers.schedules import LearningRateSchedule
from glassnet.optimizers.sgd import SGD
from glassnet.registry import Registry

_registry: Registry[Optimizer] = Registry("optimizer", Optimizer)
for _cls in (SGD, RMSprop, Adam, AdamW, Adagrad, Adadelta, Adamax, Nadam):
    _registry.register(_cls.name, _cls)


def register(name: str, optimizer: type[Optimizer] | Optimizer) -> None:
    """Register a custom optimizer under a name."""
    _registry.register(name, optimizer)


def get(identifier: str | Optimizer) -> Optimizer:
    """Resolve a name ("sgd", "rmsprop", "adam", "adamw", "adagrad", "adadelta", "adamax",
    "nadam") or an Optimizer object to an Optimizer."""
    return _registry.get(identifier)


def serialize(optimizer: Optimizer) -> dict[str, Any]:
    """{"name": registered name, "config": get_config()}: plain JSON data. A learning rate given
    as a plain function cannot be written as data: use a registered LearningRateSchedule."""
    data = _registry.serialize(optimizer)
    rate = data["config"].get("learning_rate")
    if callable(rate):
        raise ValueError(
            f"cannot save {type(optimizer).__name__} with the learning rate {rate!r}: a "
            "function is not data; use a glassnet.optimizers.schedules.LearningRateSchedule "
            "(a class of your own registered with glassnet.optimizers.schedules.register)"
        )
    return data


def deserialize(cfg: dict[str, Any]) -> Optimizer:
    return _registry.deserialize(cfg)


__all__ = [
    "SGD",
    "Adadelta",
    "Adagrad",
    "Adam",
    "AdamW",
    "Adamax",
    "LearningRateSchedule",
    "Nadam",
    "Optimizer",
    "RMSprop",
    "deserialize",
    "get",
    "register",
    "schedules",
    "serialize",
]
