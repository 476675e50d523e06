"""Griffe extension for the API reference: show the docstrings' doctest examples as code.

glassnet's docstrings give their examples as doctest lines (``>>> …``) in the running text, as
the standard library does. Markdown would read ``>>>`` as three nested block quotes, so this
extension wraps each run of doctest lines, with the output lines that follow them up to a blank
line, in a ``pycon`` code fence. It also drops ``# doctest:`` flags, which are meant for the
doctest runner and not for readers, and turns Sphinx roles such as :func:`name` into code.
The source files are not changed: only the text handed to the documentation is.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_FLAG = re.compile(r"\s*#\s*doctest:.*$")
_ROLE = re.compile(r":(?:class|func|meth|mod|attr|obj|data|exc):`~?([^`]+)`")


def fence_doctests(text: str) -> str:
    """Wrap every run of ``>>>`` lines (and the output after them) in a ```` ```pycon ```` fence."""
    out: list[str] = []
    indent: str | None = None  # the open block's indentation, None outside a block
    for line in text.splitlines():
        stripped = line.lstrip()
        if indent is None and stripped.startswith(">>>"):
            indent = line[: len(line) - len(stripped)]
            out.append(f"{indent}```pycon")
        elif indent is not None and not stripped:
            out.append(f"{indent}```")
            indent = None
        out.append(_FLAG.sub("", line) if indent is not None else line)
    if indent is not None:
        out.append(f"{indent}```")
    return "\n".join(out)


class DoctestFences(griffe.Extension):
    """Rewrite each object's docstring for Markdown once the object tree is loaded."""

    def on_object(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if not obj.is_alias and obj.docstring is not None:
            obj.docstring.value = _ROLE.sub(r"`\1`", fence_doctests(obj.docstring.value))

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        self.on_object(obj=pkg)  # griffe does not pass the root package to on_object
