"""Random numbers as Keras's ``keras.random`` gives them, drawn from NumPy generators.

``seed`` is an int (the same draw every time), a ``SeedGenerator`` (a new draw each call,
reproducible from its seed), or None (a child of the generator ``gn.set_seed`` seeds).

>>> from glassnet import random
>>> random.normal((2, 3), seed=0).shape
(2, 3)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet import config


class SeedGenerator:
    """A source of seeds: each draw of a random function that is given it differs, and the
    whole sequence repeats from the same ``seed``."""

    def __init__(self, seed: int | None = None) -> None:
        self.seed = seed
        self.generator = config.make_rng(seed)

    def next(self) -> np.random.Generator:
        return np.random.default_rng(self.generator.integers(2**63))


def _rng(seed: int | SeedGenerator | None) -> np.random.Generator:
    if isinstance(seed, SeedGenerator):
        return seed.next()
    return config.make_rng(seed)


def _dtype(dtype: Any) -> str:
    return str(np.dtype(dtype)) if dtype is not None else config.floatx()


def normal(
    shape: tuple[int, ...],
    mean: float = 0.0,
    stddev: float = 1.0,
    dtype: Any = None,
    seed: Any = None,
) -> np.ndarray:
    """Draws from N(mean, stddev²)."""
    return _rng(seed).normal(mean, stddev, size=shape).astype(_dtype(dtype))


def uniform(
    shape: tuple[int, ...],
    minval: float = 0.0,
    maxval: float = 1.0,
    dtype: Any = None,
    seed: Any = None,
) -> np.ndarray:
    """Draws from U[minval, maxval)."""
    return _rng(seed).uniform(minval, maxval, size=shape).astype(_dtype(dtype))


def randint(
    shape: tuple[int, ...], minval: int, maxval: int, dtype: Any = "int32", seed: Any = None
) -> np.ndarray:
    """Integers in [minval, maxval)."""
    return _rng(seed).integers(minval, maxval, size=shape).astype(dtype)


def truncated_normal(
    shape: tuple[int, ...],
    mean: float = 0.0,
    stddev: float = 1.0,
    dtype: Any = None,
    seed: Any = None,
) -> np.ndarray:
    """Draws from N(mean, stddev²), those beyond two standard deviations drawn again."""
    rng = _rng(seed)
    out = rng.normal(size=shape)
    outside = np.abs(out) > 2
    while outside.any():
        out[outside] = rng.normal(size=int(outside.sum()))
        outside = np.abs(out) > 2
    return (mean + stddev * out).astype(_dtype(dtype))


def dropout(inputs: Any, rate: float, noise_shape: Any = None, seed: Any = None) -> np.ndarray:
    """Inverted dropout: each value kept with probability 1 − rate and scaled by 1/(1 − rate)."""
    x = np.asarray(inputs)
    shape = x.shape if noise_shape is None else tuple(noise_shape)
    keep = _rng(seed).random(shape) >= rate
    return np.where(keep, x / (1.0 - rate), 0).astype(x.dtype)


def shuffle(x: Any, axis: int = 0, seed: Any = None) -> np.ndarray:
    """A copy of x with its entries along ``axis`` in a random order."""
    return _rng(seed).permutation(np.asarray(x), axis=axis)
