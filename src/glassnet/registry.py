"""Name → class registries, so that names work everywhere a component is accepted."""

from __future__ import annotations

from typing import Any, Generic, TypeVar, cast

T = TypeVar("T")


class Registry(Generic[T]):
    """Maps names to classes (or ready instances) of one family: activations, losses, …

    ``get`` accepts a registered name (case-insensitive), an instance of the family (returned as
    is) or a registered class (instantiated with its defaults); anything else is an error that
    lists the accepted names.
    """

    def __init__(self, family: str, base: type) -> None:
        self.family = family
        self.module = f"glassnet.{'losses' if family == 'loss' else family + 's'}"
        self.base = base
        self._entries: dict[str, type | object] = {}
        self._aliases: dict[str, str] = {}

    def register(self, name: str, entry: type | object) -> None:
        if not isinstance(name, str) or not name:
            raise ValueError(f"a {self.family} name must be a non-empty string, got {name!r}")
        is_class = isinstance(entry, type) and issubclass(entry, self.base)
        if not is_class and not isinstance(entry, self.base):
            raise TypeError(
                f"can only register {self.base.__name__} subclasses or instances as a "
                f"{self.family}, got {entry!r}"
            )
        self._entries[name.lower()] = entry

    def alias(self, alias: str, name: str) -> None:
        self._aliases[alias.lower()] = name.lower()

    def names(self) -> list[str]:
        return sorted(self._entries)

    def get(self, identifier: Any) -> T:
        if isinstance(identifier, self.base):
            return cast(T, identifier)
        if isinstance(identifier, type) and issubclass(identifier, self.base):
            return cast(T, identifier())
        if isinstance(identifier, str):
            key = identifier.lower()
            key = self._aliases.get(key, key)
            entry = self._entries.get(key)
            if entry is not None:
                return cast(T, entry() if isinstance(entry, type) else entry)
            raise ValueError(
                f"unknown {self.family} {identifier!r}; accepted names: {', '.join(self.names())}"
            )
        raise TypeError(
            f"a {self.family} must be a name ({', '.join(self.names())}) or a "
            f"{self.base.__name__} object, got {type(identifier).__name__}: {identifier!r}"
        )

    def serialize(self, obj: Any) -> dict[str, Any]:
        """{"name": registered name, "config": constructor arguments}: plain JSON data."""
        for name, entry in self._entries.items():
            if entry is type(obj) or entry is obj:
                return {"name": name, "config": obj.get_config()}
        raise ValueError(
            f"cannot save {self.family} {obj!r}: register it first with "
            f"{self.module}.register(name, cls)"
        )

    def deserialize(self, config: dict[str, Any]) -> T:
        entry = self._entries.get(config["name"])
        if entry is None:
            raise ValueError(
                f"the file names {self.family} {config['name']!r}, which is not registered; "
                f"register it before loading (known: {', '.join(self.names())})"
            )
        if isinstance(entry, type):
            return cast(T, entry(**config.get("config", {})))
        return cast(T, entry)
