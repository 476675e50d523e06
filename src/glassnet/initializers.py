"""Weight initializers: ``init(shape, dtype, rng)`` returns a new array.

For a kernel of shape (fan_in, fan_out), the variance-scaling family draws with
Var(w) = scale / fan, as Keras does: Glorot uses scale 1 and fan = (fan_in + fan_out)/2,
He uses scale 2 and fan = fan_in. The "normal" variants draw from a normal truncated at
two standard deviations, rescaled so the variance is still scale / fan.

Names are Keras's, in snake case or as the class name (``"lecun_normal"``, ``"LecunNormal"``),
with its aliases ``"normal"``, ``"uniform"``, ``"zero"``, ``"one"``, ``"IdentityInitializer"``
and ``"OrthogonalInitializer"``.

>>> from glassnet import initializers
>>> initializers.get("zeros")((2, 3)).shape
(2, 3)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from glassnet import config
from glassnet.registry import Registry
from glassnet.utils import check_number

# Standard deviation of a unit normal truncated at ±2: makes truncated draws keep their variance.
_TRUNCATED_STDDEV = 0.87962566103423978


class Initializer:
    """Base class. ``seed`` makes an initializer reproducible on its own; otherwise it draws
    from the generator it is given (a model's, seeded through ``gn.set_seed``)."""

    name = "initializer"
    random = True  # False for the constant ones (zeros, ones, …): they draw nothing

    def __init__(self, seed: int | None = None) -> None:
        if seed is not None:
            config.make_rng(seed)  # validates
        self.seed = seed

    def __call__(
        self,
        shape: tuple[int, ...],
        dtype: str | None = None,
        rng: np.random.Generator | None = None,
    ) -> np.ndarray:
        if not self.random:  # no generator made: the random streams are left as they were
            return np.asarray(self.sample(tuple(shape), None), dtype=dtype or config.floatx())  # type: ignore[arg-type]
        generator = config.make_rng(self.seed) if self.seed is not None else config.make_rng(rng)
        return np.asarray(self.sample(tuple(shape), generator), dtype=dtype or config.floatx())

    def sample(self, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class Zeros(Initializer):
    """w = 0."""

    name = "zeros"
    random = False

    def sample(self, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        return np.zeros(shape)


class Ones(Initializer):
    """w = 1."""

    name = "ones"
    random = False

    def sample(self, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        return np.ones(shape)


class RandomNormal(Initializer):
    """w ~ N(mean, stddev²). The lesson's small initialisation is ``RandomNormal(stddev=0.01)``."""

    name = "random_normal"

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None) -> None:
        super().__init__(seed)
        check_number("RandomNormal mean", mean)
        check_number("RandomNormal stddev", stddev, low=0.0, low_open=True)
        self.mean, self.stddev = float(mean), float(stddev)

    def sample(self, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        return rng.normal(self.mean, self.stddev, size=shape)

    def get_config(self) -> dict[str, Any]:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class TruncatedNormal(Initializer):
    """w ~ N(mean, stddev²), draws more than two standard deviations from the mean drawn again.

    As Keras's, ``stddev`` is that of the normal before the cut: the values' own standard
    deviation is 0.8796·stddev.
    """

    name = "truncated_normal"

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None) -> None:
        super().__init__(seed)
        check_number("TruncatedNormal mean", mean)
        check_number("TruncatedNormal stddev", stddev, low=0.0, low_open=True)
        self.mean, self.stddev = float(mean), float(stddev)

    def sample(self, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        return self.mean + _truncated_normal(shape, self.stddev, rng)  # mean + N(0, σ²) cut at ±2σ

    def get_config(self) -> dict[str, Any]:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class Constant(Initializer):
    """w = value (a scalar)."""

    name = "constant"
    random = False

    def __init__(self, value: float = 0.0) -> None:
        super().__init__(None)
        self.value = check_number("Constant value", value)

    def sample(self, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        return np.full(shape, self.value)

    def get_config(self) -> dict[str, Any]:
        return {"value": self.value}


class Identity(Initializer):
    """W = gain·I, for a 2-D shape (a rectangular shape gets ones on its main diagonal)."""

    name = "identity"
    random = False

    def __init__(self, gain: float = 1.0) -> None:
        super().__init__(None)
        self.gain = check_number("Identity gain", gain)

    def sample(self, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        if len(shape) != 2:
            raise ValueError(
                f"the Identity initializer makes 2-D matrices only, got shape {shape} "
                f"of rank {len(shape)}"
            )
        return self.gain * np.eye(*shape)

    def get_config(self) -> dict[str, Any]:
        return {"gain": self.gain}


class Orthogonal(Initializer):
    """W = gain·Q, Q with orthonormal columns (or rows, if there are fewer rows than columns).

    As Keras: the shape is flattened to (rows, cols) = (∏ shape[:-1], shape[-1]); a normal
    matrix A of shape (max, min) is factored A = QR, and each column of Q is multiplied by the
    sign of R's diagonal entry, which makes Q uniformly distributed. Then WᵀW = gain²·I when
    rows ≥ cols, WWᵀ = gain²·I otherwise.
    """

    name = "orthogonal"

    def __init__(self, gain: float = 1.0, seed: int | None = None) -> None:
        super().__init__(seed)
        self.gain = check_number("Orthogonal gain", gain)

    def sample(self, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        if len(shape) < 2:
            raise ValueError(
                f"the Orthogonal initializer needs a shape of at least 2 dimensions, got {shape}"
            )
        rows, cols = math.prod(shape[:-1]), shape[-1]
        a = rng.normal(size=(max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(a)  # A = QR, Q of shape (max, min) with orthonormal columns
        q *= np.sign(np.diag(r))  # Q·diag(sign(R_ii)): the sign convention of the QR removed
        if rows < cols:
            q = q.T
        return self.gain * q.reshape(shape)

    def get_config(self) -> dict[str, Any]:
        return {"gain": self.gain, "seed": self.seed}


class RandomUniform(Initializer):
    """w ~ U(minval, maxval). The paper draws from U(−1, 1)."""

    name = "random_uniform"

    def __init__(
        self, minval: float = -0.05, maxval: float = 0.05, seed: int | None = None
    ) -> None:
        super().__init__(seed)
        check_number("RandomUniform minval", minval)
        check_number("RandomUniform maxval", maxval)
        if not minval < maxval:
            raise ValueError(f"RandomUniform needs minval < maxval, got {minval} and {maxval}")
        self.minval, self.maxval = float(minval), float(maxval)

    def sample(self, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        return rng.uniform(self.minval, self.maxval, size=shape)

    def get_config(self) -> dict[str, Any]:
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


class VarianceScaling(Initializer):
    """Var(w) = scale / fan, with fan = fan_in, fan_out or their average (``mode``).

    uniform: w ~ U(−√(3·scale/fan), +√(3·scale/fan));
    truncated normal: w ~ N(0, σ²) cut at ±2σ with σ = √(scale/fan) / 0.8796 ("normal" is
    Keras's other name for it); untruncated normal: w ~ N(0, scale/fan).
    """

    name = "variance_scaling"

    def __init__(
        self,
        scale: float = 1.0,
        mode: str = "fan_in",
        distribution: str = "truncated_normal",
        seed: int | None = None,
    ) -> None:
        super().__init__(seed)
        check_number("VarianceScaling scale", scale, low=0.0, low_open=True)
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(f"mode must be 'fan_in', 'fan_out' or 'fan_avg', got {mode!r}")
        distribution = distribution.lower() if isinstance(distribution, str) else distribution
        distribution = "truncated_normal" if distribution == "normal" else distribution  # as Keras
        if distribution not in ("uniform", "truncated_normal", "untruncated_normal"):
            raise ValueError(
                "distribution must be 'uniform', 'truncated_normal' (or 'normal') or "
                f"'untruncated_normal', got {distribution!r}"
            )
        self.scale, self.mode, self.distribution = float(scale), mode, distribution

    def sample(self, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        fan_in, fan_out = _fans(shape)
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        variance = self.scale / max(1.0, fan)
        if self.distribution == "uniform":
            limit = math.sqrt(3.0 * variance)
            return rng.uniform(-limit, limit, size=shape)
        if self.distribution == "untruncated_normal":
            return rng.normal(0.0, math.sqrt(variance), size=shape)
        return _truncated_normal(shape, math.sqrt(variance) / _TRUNCATED_STDDEV, rng)

    def get_config(self) -> dict[str, Any]:
        return {
            "scale": self.scale,
            "mode": self.mode,
            "distribution": self.distribution,
            "seed": self.seed,
        }


class GlorotUniform(VarianceScaling):
    """w ~ U(−√(6/(fan_in + fan_out)), +√(6/(fan_in + fan_out))). Keras's default for Dense."""

    name = "glorot_uniform"

    def __init__(self, seed: int | None = None) -> None:
        super().__init__(1.0, "fan_avg", "uniform", seed)

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed}


class GlorotNormal(VarianceScaling):
    """Truncated normal with Var(w) = 2/(fan_in + fan_out)."""

    name = "glorot_normal"

    def __init__(self, seed: int | None = None) -> None:
        super().__init__(1.0, "fan_avg", "truncated_normal", seed)

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed}


class HeNormal(VarianceScaling):
    """Truncated normal with Var(w) = 2/fan_in, suited to ReLU layers."""

    name = "he_normal"

    def __init__(self, seed: int | None = None) -> None:
        super().__init__(2.0, "fan_in", "truncated_normal", seed)

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed}


class HeUniform(VarianceScaling):
    """w ~ U(−√(6/fan_in), +√(6/fan_in))."""

    name = "he_uniform"

    def __init__(self, seed: int | None = None) -> None:
        super().__init__(2.0, "fan_in", "uniform", seed)

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed}


class LecunNormal(VarianceScaling):
    """Truncated normal with Var(w) = 1/fan_in, suited to SELU layers."""

    name = "lecun_normal"

    def __init__(self, seed: int | None = None) -> None:
        super().__init__(1.0, "fan_in", "truncated_normal", seed)

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed}


class LecunUniform(VarianceScaling):
    """w ~ U(−√(3/fan_in), +√(3/fan_in)), so that Var(w) = 1/fan_in."""

    name = "lecun_uniform"

    def __init__(self, seed: int | None = None) -> None:
        super().__init__(1.0, "fan_in", "uniform", seed)

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed}


def _fans(shape: tuple[int, ...]) -> tuple[float, float]:
    if len(shape) == 0:
        return 1.0, 1.0
    if len(shape) == 1:
        return float(shape[0]), float(shape[0])
    receptive = float(np.prod(shape[:-2])) if len(shape) > 2 else 1.0
    return shape[-2] * receptive, shape[-1] * receptive


def _truncated_normal(
    shape: tuple[int, ...], stddev: float, rng: np.random.Generator
) -> np.ndarray:
    """N(0, stddev²) with draws beyond ±2·stddev drawn again (vectorised redraw rounds)."""
    out = rng.normal(0.0, stddev, size=shape)
    outside = np.abs(out) > 2 * stddev
    while outside.any():
        out[outside] = rng.normal(0.0, stddev, size=int(outside.sum()))
        outside = np.abs(out) > 2 * stddev
    return out


_registry: Registry[Initializer] = Registry("initializer", Initializer)
for _cls in (
    Zeros,
    Ones,
    Constant,
    Identity,
    RandomNormal,
    RandomUniform,
    TruncatedNormal,
    VarianceScaling,
    GlorotUniform,
    GlorotNormal,
    HeNormal,
    HeUniform,
    LecunNormal,
    LecunUniform,
    Orthogonal,
):
    _registry.register(_cls.name, _cls)
    _registry.alias(_cls.__name__, _cls.name)  # Keras also accepts "GlorotUniform", …
for _alias, _name in {
    "normal": "random_normal",
    "uniform": "random_uniform",
    "zero": "zeros",
    "one": "ones",
    "IdentityInitializer": "identity",
    "OrthogonalInitializer": "orthogonal",
}.items():
    _registry.alias(_alias, _name)


def register(name: str, initializer: type[Initializer] | Initializer) -> None:
    """Register a custom initializer under a name."""
    _registry.register(name, initializer)


def get(identifier: str | Initializer | dict[str, Any]) -> Initializer:
    """Resolve a name, an Initializer object or class, or a saved config to an Initializer."""
    if isinstance(identifier, dict):
        return deserialize(identifier)
    return _registry.get(identifier)


def serialize(initializer: Initializer) -> dict[str, Any]:
    """``{"name": …, "config": …}``: plain JSON data that ``deserialize`` reads back."""
    return _registry.serialize(initializer)


def deserialize(cfg: dict[str, Any]) -> Initializer:
    """An initializer from ``{"name": …, "config": …}``."""
    return _registry.deserialize(cfg)
