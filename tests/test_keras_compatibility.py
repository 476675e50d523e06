"""The Keras compatibility page (docs/guide/keras-compatibility.md) stays true and complete.

Each namespace section, headed ``## `keras.X` → `glassnet.X` ``, has a table whose rows give
one or more Keras names (in backquotes) and a status: same, differs, not yet or not planned.
"""

from __future__ import annotations

import importlib
import os
import re
from pathlib import Path
from types import ModuleType

import pytest

PAGE = Path(__file__).resolve().parents[1] / "docs" / "guide" / "keras-compatibility.md"
NAMESPACES = [
    "",
    "layers",
    "models",
    "losses",
    "metrics",
    "optimizers",
    "optimizers.schedules",
    "callbacks",
    "initializers",
    "regularizers",
    "constraints",
    "activations",
    "utils",
    "backend",
    "random",
    "ops",
    "saving",
]
STATUSES = ("same", "differs", "not yet", "not planned")
_HEADING = re.compile(r"^## `keras(?:\.([\w.]+))?` → `glassnet(?:\.([\w.]+))?`")


def _page_tables() -> dict[str, dict[str, str]]:
    """{namespace: {Keras name: status}} from the page's namespace sections."""
    tables: dict[str, dict[str, str]] = {}
    namespace = None
    for line in PAGE.read_text(encoding="utf-8").splitlines():
        heading = _HEADING.match(line)
        if heading:
            namespace = heading.group(1) or ""
            assert (heading.group(2) or "") == namespace, line
            assert namespace not in tables, f"two sections for {namespace!r}"
            tables[namespace] = {}
            continue
        if line.startswith("## "):
            namespace = None
        if namespace is None or not line.startswith("|"):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 2 or cells[1] not in STATUSES:
            continue  # the header and its rule
        for name in re.findall(r"`([^`]+)`", cells[0]):
            assert name not in tables[namespace], f"{namespace}.{name} is listed twice"
            tables[namespace][name] = cells[1]
    return tables


TABLES = _page_tables()


def _glassnet_module(namespace: str) -> ModuleType:
    return importlib.import_module("glassnet" + (f".{namespace}" if namespace else ""))


def _glassnet_has(namespace: str, name: str) -> bool:
    """Whether ``from glassnet.<namespace> import <name>`` works (a submodule counts)."""
    module = _glassnet_module(namespace)
    if hasattr(module, name):
        return True
    try:
        importlib.import_module(f"{module.__name__}.{name}")
    except ModuleNotFoundError:
        return False
    return True


def test_page_has_a_section_for_every_namespace() -> None:
    assert sorted(TABLES) == sorted(NAMESPACES)
    for namespace, table in TABLES.items():
        assert table, f"the section for {namespace!r} lists no names"


def test_names_marked_same_or_differs_exist_in_glassnet() -> None:
    missing = [
        f"glassnet{'.' + namespace if namespace else ''}.{name}"
        for namespace, table in TABLES.items()
        for name, status in table.items()
        if status in ("same", "differs") and not _glassnet_has(namespace, name)
    ]
    assert not missing, f"marked same or differs but missing from glassnet: {missing}"


def test_names_marked_not_yet_or_not_planned_are_absent_from_glassnet() -> None:
    present = [
        f"glassnet{'.' + namespace if namespace else ''}.{name} ({status})"
        for namespace, table in TABLES.items()
        for name, status in table.items()
        if status in ("not yet", "not planned") and _glassnet_has(namespace, name)
    ]
    assert not present, f"glassnet now has these: mark them same or differs: {present}"


def test_every_public_keras_name_is_on_the_page() -> None:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    absent, extra = [], []
    for namespace in NAMESPACES:
        module = keras
        for part in namespace.split(".") if namespace else []:
            module = getattr(module, part)
        names = {name for name in dir(module) if not name.startswith("_")}
        listed = set(TABLES.get(namespace, {}))
        prefix = f"keras{'.' + namespace if namespace else ''}."
        absent += [prefix + name for name in sorted(names - listed)]
        extra += [prefix + name for name in sorted(listed - names)]
    assert not absent, f"public Keras names missing from {PAGE.name}: {absent}"
    assert not extra, f"names on {PAGE.name} that this Keras does not have: {extra}"
