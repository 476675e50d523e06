"""Noise layers, active only while training (at inference they pass the input through).

GaussianNoise adds noise: A = X + N, N ~ 𝒩(0, stddev²); backward dX = dA.
GaussianDropout multiplies by noise of mean 1: A = X ⊙ M, M ~ 𝒩(1, rate/(1 − rate));
backward dX = dA ⊙ M.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from glassnet import config
from glassnet.layers.base import Layer, Shape
from glassnet.utils import check_number


class _Noise(Layer):
    """A layer that draws from its own generator (``seed``, or the model's seed)."""

    def __init__(self, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.seed = seed
        self.rng = config.make_rng(seed) if seed is not None else None

    def build(self, input_shape: Shape) -> None:
        if self.rng is None:
            self.rng = self._rng()

    def _normal(self, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
        if self.rng is None:
            self.rng = config.make_rng(None)
        return self.rng.standard_normal(shape, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        cfg = super().get_config()
        cfg["seed"] = self.seed
        return cfg


class GaussianNoise(_Noise):
    """Adds zero-mean Gaussian noise while training: A = X + N, N ~ 𝒩(0, stddev²).

    >>> layer = GaussianNoise(0.1)
    """

    def __init__(self, stddev: float, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(seed, **kwargs)
        self.stddev = check_number("GaussianNoise stddev", stddev, low=0.0)

    def forward(self, ctx: Any, x: np.ndarray, training: bool = False) -> np.ndarray:
        if not training or self.stddev == 0:
            return x
        noise = self._normal(x.shape, x.dtype)
        noise *= x.dtype.type(self.stddev)
        return x + noise  # A = X + N

    def backward(self, ctx: Any, grad: np.ndarray, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        return (grad,)  # dX = dA

    def formula(self, inputs: list[str]) -> str:
        return f"{inputs[0]} + N, N ~ 𝒩(0, {self.stddev:g}²)"

    def grad_formula(self, i: int, inputs: list[str]) -> str:
        return "∂out"

    def get_config(self) -> dict[str, Any]:
        cfg = super().get_config()
        cfg["stddev"] = self.stddev
        return cfg


class GaussianDropout(_Noise):
    """Multiplies by Gaussian noise of mean 1 while training: A = X ⊙ M,
    M ~ 𝒩(1, rate/(1 − rate)); backward dX = dA ⊙ M.

    >>> layer = GaussianDropout(0.2)
    """

    def __init__(self, rate: float, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(seed, **kwargs)
        self.rate = check_number("GaussianDropout rate", rate, low=0.0, high=1.0, high_open=True)

    def forward(self, ctx: Any, x: np.ndarray, training: bool = False) -> np.ndarray:
        if not training or self.rate == 0:
            ctx.mask = None
            return x
        mask = self._normal(x.shape, x.dtype)
        mask *= x.dtype.type(math.sqrt(self.rate / (1.0 - self.rate)))
        mask += 1
        ctx.mask = mask
        return x * mask  # A = X ⊙ M

    def backward(self, ctx: Any, grad: np.ndarray, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        return (grad if ctx.mask is None else grad * ctx.mask,)  # dX = dA ⊙ M

    def formula(self, inputs: list[str]) -> str:
        return f"{inputs[0]} ⊙ M, M ~ 𝒩(1, {self.rate:g}/(1 − {self.rate:g}))"

    def grad_formula(self, i: int, inputs: list[str]) -> str:
        return "∂out ⊙ M"

    def get_config(self) -> dict[str, Any]:
        cfg = super().get_config()
        cfg["rate"] = self.rate
        return cfg
