"""Checks of the studies' options that more than one study (and the ``glassnet`` command) needs,
all made before any training, so that a bad option costs no time.

A hidden activation of a study must be element-wise, a(z)ᵢ = g(zᵢ): the studies draw g and g′
as curves and compare them unit by unit. Softmax and log_softmax mix a whole row, so they are
refused, with the names that are accepted.

An output folder must exist or be creatable, and be writable; an output file must not be a
folder, and its folder must pass the same check.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from glassnet import activations

# A small batch of pre-activations to probe an activation's shape behaviour with.
_PROBE = np.linspace(-2.0, 2.0, 6).reshape(2, 3)


def is_elementwise(name: str) -> bool:
    """Whether the activation ``name`` maps each z to g(z) alone (its g′(z) has z's shape)."""
    activation = activations.get(name)
    a = np.asarray(activation(_PROBE))
    if a.shape != _PROBE.shape:
        return False
    d = np.asarray(activation.derivative(_PROBE, a))
    if d.shape != _PROBE.shape:
        return False
    # softmax keeps the shape but mixes the row: changing one z changes the others' outputs
    moved = _PROBE.copy()
    moved[:, 0] += 1.0
    return bool(np.array_equal(np.asarray(activation(moved))[:, 1:], a[:, 1:]))


def elementwise_names() -> tuple[str, ...]:
    """The registered activations a study accepts as hidden activations, sorted."""
    return tuple(n for n in activations._registry.names() if is_elementwise(n))


def check_hidden_activations(
    names: Iterable[str], cannot: str = "be a hidden activation of a study"
) -> list[str]:
    """The names, each checked: known, element-wise and given once; else a ValueError (naming
    the accepted activations, or the repeated one).

    ``cannot`` says what a row-wise activation cannot do, for the message.
    """
    names = list(names)
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(
            f"each activation may be given once, got {', '.join(map(repr, repeated))} more than "
            f"once in {', '.join(names)}"
        )
    for name in names:
        try:
            activations.get(name)
        except (TypeError, ValueError):
            raise ValueError(
                f"unknown activation {name!r}; accepted: {', '.join(elementwise_names())}"
            ) from None
        if not is_elementwise(name):
            raise ValueError(
                f"{name} is not element-wise (each of its outputs depends on the whole row), so "
                f"it cannot {cannot}; accepted: "
                f"{', '.join(elementwise_names())}"
            )
    return names


def _folder_problem(path: Path) -> str | None:
    """Why files cannot be written in the folder ``path`` (None: they can). Nothing is created:
    the nearest existing folder on the way is tried with a temporary file."""
    full = path.absolute()
    existing = next(p for p in (full, *full.parents) if os.path.lexists(p))
    if not os.path.isdir(existing):
        if existing == full:
            return "it is a file, not a folder"
        return f"{str(existing)!r} is a file, not a folder"
    try:
        with tempfile.NamedTemporaryFile(dir=existing, prefix=".glassnet-check-"):
            pass
    except OSError as err:
        return f"cannot write in {str(existing)!r} ({err.strerror or type(err).__name__})"
    return None


def check_output_folder(path: str | Path, what: str = "output folder") -> Path:
    """The folder, if it exists or can be created, and can be written in; else ValueError."""
    path = Path(path)
    problem = _folder_problem(path)
    if problem is not None:
        raise ValueError(f"{what} {str(path)!r}: {problem}")
    return path


def check_output_file(path: str | Path, what: str = "output file") -> Path:
    """The file, if it is not a folder, its folder exists or can be created and is writable,
    and an existing file may be replaced; else ValueError."""
    path = Path(path)
    if os.path.isdir(path):
        raise ValueError(f"{what} {str(path)!r}: it is a folder, not a file")
    problem = _folder_problem(path.parent)
    if problem is not None:
        if problem.startswith("it is"):
            problem = f"{str(path.parent)!r} is a file, not a folder"
        raise ValueError(f"{what} {str(path)!r}: {problem}")
    if os.path.lexists(path) and not os.access(path, os.W_OK):
        raise ValueError(f"{what} {str(path)!r}: the file exists and is not writable")
    return path
