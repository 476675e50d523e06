"""Global settings: the float type of every array glassnet makes, and the default random generator.

These are the only pieces of global mutable state in glassnet.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

_FLOATX = "float32"
_ACCEPTED_FLOATX = ("float32", "float64")
_EPSILON = 1e-7
_rng = np.random.default_rng()
_name_counts: dict[str, int] = {}


def floatx() -> str:
    """The float type used for parameters and activations: "float32" (default) or "float64"."""
    return _FLOATX


def set_floatx(value: str) -> None:
    """Set the float type: "float32" for speed, "float64" for gradient checks.

    >>> import glassnet as gn
    >>> gn.set_floatx("float64")
    """
    global _FLOATX
    value = str(np.dtype(value)) if isinstance(value, type) else value
    if value not in _ACCEPTED_FLOATX:
        raise ValueError(f"floatx must be one of {list(_ACCEPTED_FLOATX)}, got {value!r}")
    _FLOATX = value


def epsilon() -> float:
    """The fuzz factor ε that guards divisions, as Keras's ``backend.epsilon()`` (1e-7)."""
    return _EPSILON


def set_epsilon(value: float) -> None:
    """Set ε, the fuzz factor (a small positive number)."""
    global _EPSILON
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1:
        raise ValueError(f"epsilon must be a number in (0, 1), got {value!r}")
    _EPSILON = float(value)


def set_seed(seed: int) -> None:
    """Seed the default random generator: same seed, same weights, same shuffles, same history.

    >>> import glassnet as gn
    >>> gn.set_seed(0)
    """
    global _rng
    _rng = np.random.default_rng(_check_seed(seed))


def rng() -> np.random.Generator:
    """The default random generator (seeded by `set_seed`)."""
    return _rng


def make_rng(seed: int | np.random.Generator | None = None) -> np.random.Generator:
    """A generator from a seed, a generator (used as is), or None (a child of the default one)."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        return np.random.default_rng(_rng.integers(2**63))
    return np.random.default_rng(_check_seed(seed, "or None"))


def _check_seed(seed: object, alternatives: str = "") -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        expected = f"a non-negative integer {alternatives}".strip()
        raise ValueError(f"seed must be {expected}, got {seed!r}")
    return int(seed)


def unique_name(base: str) -> str:
    """Keras-style automatic names: "dense", then "dense_1", "dense_2", …"""
    count = _name_counts.get(base, 0)
    _name_counts[base] = count + 1
    return base if count == 0 else f"{base}_{count}"


def clear_session() -> None:
    """Reset automatic layer and model names, as `keras.backend.clear_session()` does."""
    _name_counts.clear()


@contextmanager
def floatx_scope(value: str) -> Iterator[None]:
    """Temporarily use another float type (used when loading a model saved in that type)."""
    previous = _FLOATX
    set_floatx(value)
    try:
        yield
    finally:
        set_floatx(previous)


def set_threads(n: int | None) -> None:
    """Set the number of BLAS threads used by matrix products (None: the library's default).

    More threads are not always faster: for small matrices the hand-off costs more than it
    saves (see benchmarks/RESULTS.md).
    """
    from threadpoolctl import threadpool_limits

    if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1):
        raise ValueError(f"threads must be a positive integer or None, got {n!r}")
    threadpool_limits(limits=n, user_api="blas")
