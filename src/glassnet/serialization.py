"""Classes of your own (layers, models) in saved files: register them by name, as Keras's
``register_keras_serializable`` does. A file names a class; loading looks the name up in the
built-in classes and the registered ones and calls ``from_config``: no code is ever unpickled.

>>> @glassnet.saving.register_serializable(package="my_project")  # doctest: +SKIP
... class Swish(glassnet.layers.Layer):
...     def call(self, x):
...         return x * glassnet.ops.sigmoid(x)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T", bound=type)

_registered: dict[str, type] = {}


def register_serializable(package: str = "Custom", name: str | None = None) -> Callable[[T], T]:
    """Class decorator: save and load this class under ``"<package>>ClassName"``."""

    def decorate(cls: T) -> T:
        key = f"{package}>{name or cls.__name__}"
        _registered[key] = cls
        cls._registered_name = key  # type: ignore[attr-defined]
        return cls

    return decorate


def registered_name(obj: Any, builtins: dict[str, type]) -> str:
    """The name a file stores for this object's class, or an error naming the decorator."""
    cls = type(obj)
    key = cls.__dict__.get("_registered_name")
    if key is not None:
        return str(key)
    if builtins.get(cls.__name__) is cls:
        return cls.__name__
    raise ValueError(
        f"cannot save {cls.__name__} {getattr(obj, 'name', '')!r}: it is a class of your own, so "
        "register it first with @glassnet.saving.register_serializable() above its class "
        "statement (and give it get_config() if its __init__ takes arguments)"
    )


def serialize_object(obj: Any, builtins: dict[str, type]) -> dict[str, Any]:
    return {"class_name": registered_name(obj, builtins), "config": obj.get_config()}


def lookup(class_name: str, builtins: dict[str, type], family: str) -> type:
    cls = builtins.get(class_name) or _registered.get(class_name)
    if cls is None:
        raise ValueError(
            f"the file names {family} class {class_name!r}, which is neither built in nor "
            "registered: import the module that defines it (decorated with "
            "@glassnet.saving.register_serializable()) before loading"
        )
    return cls


def deserialize_object(cfg: dict[str, Any], builtins: dict[str, type], family: str) -> Any:
    cls = lookup(str(cfg.get("class_name", "")), builtins, family)
    config = cfg.get("config", {})
    if not isinstance(config, dict):
        raise ValueError(f"the {family} config of {cfg.get('class_name')!r} is not an object")
    from_config = getattr(cls, "from_config", None)
    return from_config(config) if from_config else cls(**config)
