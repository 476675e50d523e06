"""Classes of your own (layers, models) in saved files: register them by name, as Keras's
``register_keras_serializable`` does. A file names a class; loading looks the name up in the
built-in classes and the registered ones and calls ``from_config``: no code is ever unpickled.

>>> @glassnet.saving.register_serializable(package="my_project")  # doctest: +SKIP
... class Swish(glassnet.layers.Layer):
...     def call(self, x):
...         return x * glassnet.ops.sigmoid(x)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T", bound=type)

# registered classes: "<package>>Name" from the decorator, or any key added through
# get_custom_objects() (Keras's global dict of custom objects)
_registered: dict[str, Any] = {}
_scoped: ContextVar[dict[str, Any]] = ContextVar("glassnet_custom_objects", default={})  # noqa: B039


def register_serializable(package: str = "Custom", name: str | None = None) -> Callable[[T], T]:
    """Class decorator: save and load this class under ``"<package>>ClassName"`` (Keras's
    ``register_keras_serializable``, also available under that name)."""

    def decorate(cls: T) -> T:
        key = f"{package}>{name or cls.__name__}"
        _registered[key] = cls
        cls._registered_name = key  # type: ignore[attr-defined]
        return cls

    return decorate


def get_custom_objects() -> dict[str, Any]:
    """The global dict of classes of your own, by the name a file stores: adding
    ``{"MyLayer": MyLayer}`` to it lets files that name "MyLayer" load (as in Keras)."""
    return _registered


@contextmanager
def custom_object_scope(*scopes: dict[str, Any] | None) -> Iterator[None]:
    """Within the ``with`` block, these ``{name: class}`` are known when saving and loading."""
    merged = dict(_scoped.get())
    for scope in scopes:
        merged.update(scope or {})
    token = _scoped.set(merged)
    try:
        yield
    finally:
        _scoped.reset(token)


CustomObjectScope = custom_object_scope


def get_registered_object(
    name: str, custom_objects: dict[str, Any] | None = None, module_objects: Any = None
) -> Any:
    """The class (or function) registered, scoped or given under ``name``; None if unknown."""
    for table in (custom_objects or {}, _scoped.get(), _registered, module_objects or {}):
        if name in table:
            return table[name]
    return None


def get_registered_name(obj: Any) -> str:
    """The name a file stores for a registered class or function (its ``__name__`` otherwise)."""
    if callable(obj) and not isinstance(obj, type) and hasattr(obj, "__name__"):
        return str(getattr(obj, "_registered_name", None) or obj.__name__)
    cls = obj if isinstance(obj, type) else type(obj)
    return str(cls.__dict__.get("_registered_name") or cls.__name__)


def registered_name(obj: Any, builtins: dict[str, type]) -> str:
    """The name a file stores for this object's class, or an error naming the decorator."""
    cls = type(obj)
    key = cls.__dict__.get("_registered_name")
    if key is not None:
        return str(key)
    if builtins.get(cls.__name__) is cls:
        return cls.__name__
    if get_registered_object(cls.__name__) is cls:  # in get_custom_objects() or a scope
        return cls.__name__
    if cls.__name__ not in builtins and hasattr(obj, "get_config"):
        # as Keras: saved under its class name; loading it needs custom_objects (or the class
        # registered), and says so
        return cls.__name__
    raise ValueError(
        f"cannot save {cls.__name__} {getattr(obj, 'name', '')!r}: it is a class of your own, so "
        "register it first with @glassnet.saving.register_serializable() above its class "
        "statement (and give it get_config() if its __init__ takes arguments)"
    )


def serialize_object(obj: Any, builtins: dict[str, type]) -> dict[str, Any]:
    return {"class_name": registered_name(obj, builtins), "config": obj.get_config()}


def lookup(class_name: str, builtins: dict[str, type], family: str) -> type:
    cls = builtins.get(class_name) or get_registered_object(class_name)
    if cls is None:
        raise ValueError(
            f"the file names {family} class {class_name!r}, which is neither built in nor "
            "registered: import the module that defines it (decorated with "
            "@glassnet.saving.register_serializable()) before loading, or pass "
            "custom_objects={name: class}"
        )
    return cls


def deserialize_object(cfg: dict[str, Any], builtins: dict[str, type], family: str) -> Any:
    cls = lookup(str(cfg.get("class_name", "")), builtins, family)
    config = cfg.get("config", {})
    if not isinstance(config, dict):
        raise ValueError(f"the {family} config of {cfg.get('class_name')!r} is not an object")
    from_config = getattr(cls, "from_config", None)
    return from_config(config) if from_config else cls(**config)


register_keras_serializable = register_serializable
