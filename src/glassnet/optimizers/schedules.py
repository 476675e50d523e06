"""Learning-rate schedules: the rate as a function of the optimizer's step, as Keras 3's.

A schedule is given as an optimizer's ``learning_rate``; the update number t + 1 uses
``schedule(t)``, t being the number of updates applied before it (so the first update uses
``schedule(0)``). Each ``__call__`` is Keras's formula, computed in float64 (Keras computes it in
``floatx``, so in float32 the two can differ in the last bit).

>>> from glassnet.optimizers import SGD, schedules
>>> decay = schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
>>> decay(10)
0.05
>>> opt = SGD(learning_rate=decay)
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

from glassnet.registry import Registry
from glassnet.utils import check_number


class LearningRateSchedule:
    """Base class: ``__call__(step)`` gives the learning rate at ``step``; ``get_config`` gives
    the constructor's arguments, so that the schedule can be saved with the model."""

    def __call__(self, step: int) -> float:
        raise NotImplementedError(
            f"learning rate schedule {type(self).__name__!r} must override __call__(self, step)"
        )

    def get_config(self) -> dict[str, Any]:
        raise NotImplementedError(
            f"learning rate schedule {type(self).__name__!r} must override get_config() to be saved"
        )

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> LearningRateSchedule:
        return cls(**config)

    def __repr__(self) -> str:
        try:
            args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        except NotImplementedError:
            args = ""
        return f"{type(self).__name__}({args})"


def _rate(what: str, value: Any) -> float:
    return check_number(what, value, low=0.0)


def _steps(what: str, value: Any) -> float:
    return check_number(what, value, low=0.0, low_open=True)


class ExponentialDecay(LearningRateSchedule):
    """lr(step) = initial_learning_rate · decay_rate^(step / decay_steps)

    With ``staircase=True`` the exponent is ⌊step / decay_steps⌋: the rate drops in stairs.
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: float,
        decay_rate: float,
        staircase: bool = False,
        name: str = "ExponentialDecay",
    ) -> None:
        self.initial_learning_rate = _rate(
            "ExponentialDecay initial_learning_rate", initial_learning_rate
        )
        self.decay_steps = _steps("ExponentialDecay decay_steps", decay_steps)
        self.decay_rate = check_number("ExponentialDecay decay_rate", decay_rate, low=0.0)
        self.staircase = bool(staircase)
        self.name = name

    def __call__(self, step: int) -> float:
        p = step / self.decay_steps
        if self.staircase:
            p = math.floor(p)
        return self.initial_learning_rate * self.decay_rate**p

    def get_config(self) -> dict[str, Any]:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }


class PiecewiseConstantDecay(LearningRateSchedule):
    """lr(step) = values[0] for step ≤ boundaries[0], values[i] for boundaries[i−1] < step ≤
    boundaries[i], values[−1] for step > boundaries[−1]."""

    def __init__(
        self,
        boundaries: Sequence[float],
        values: Sequence[float],
        name: str = "PiecewiseConstant",
    ) -> None:
        boundaries, values = list(boundaries), list(values)
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "PiecewiseConstantDecay needs one more value than boundaries, got "
                f"boundaries={boundaries} of length {len(boundaries)} and values={values} of "
                f"length {len(values)}"
            )
        for b in boundaries:
            check_number("PiecewiseConstantDecay boundary", b)
        if any(b >= c for b, c in itertools.pairwise(boundaries)):
            raise ValueError(
                f"PiecewiseConstantDecay boundaries must increase strictly, got {boundaries}"
            )
        for v in values:
            _rate("PiecewiseConstantDecay value", v)
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step: int) -> float:
        for boundary, value in zip(self.boundaries, self.values, strict=False):
            if step <= boundary:
                return float(value)
        return float(self.values[-1])

    def get_config(self) -> dict[str, Any]:
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """lr(step) = (initial − end)·(1 − s/d)^power + end, with s = min(step, d), d = decay_steps.

    With ``cycle=True``, s = step and d = decay_steps·⌈step / decay_steps⌉ (1 at step 0): the
    decay starts again every ``decay_steps``.
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: float,
        end_learning_rate: float = 0.0001,
        power: float = 1.0,
        cycle: bool = False,
        name: str = "PolynomialDecay",
    ) -> None:
        self.initial_learning_rate = _rate(
            "PolynomialDecay initial_learning_rate", initial_learning_rate
        )
        self.decay_steps = _steps("PolynomialDecay decay_steps", decay_steps)
        self.end_learning_rate = _rate("PolynomialDecay end_learning_rate", end_learning_rate)
        self.power = check_number("PolynomialDecay power", power)
        self.cycle = bool(cycle)
        self.name = name

    def __call__(self, step: int) -> float:
        s, d = float(step), self.decay_steps
        if self.cycle:
            d = d * (1.0 if s == 0 else math.ceil(s / self.decay_steps))
        else:
            s = min(s, d)
        p = s / d
        return (self.initial_learning_rate - self.end_learning_rate) * (
            1 - p
        ) ** self.power + self.end_learning_rate

    def get_config(self) -> dict[str, Any]:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "end_learning_rate": self.end_learning_rate,
            "power": self.power,
            "cycle": self.cycle,
            "name": self.name,
        }


class InverseTimeDecay(LearningRateSchedule):
    """lr(step) = initial_learning_rate / (1 + decay_rate · step / decay_steps)

    With ``staircase=True``, step / decay_steps is replaced by ⌊step / decay_steps⌋.
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: float,
        decay_rate: float,
        staircase: bool = False,
        name: str = "InverseTimeDecay",
    ) -> None:
        self.initial_learning_rate = _rate(
            "InverseTimeDecay initial_learning_rate", initial_learning_rate
        )
        self.decay_steps = _steps("InverseTimeDecay decay_steps", decay_steps)
        self.decay_rate = check_number("InverseTimeDecay decay_rate", decay_rate, low=0.0)
        self.staircase = bool(staircase)
        self.name = name

    def __call__(self, step: int) -> float:
        p = step / self.decay_steps
        if self.staircase:
            p = math.floor(p)
        return self.initial_learning_rate / (1.0 + self.decay_rate * p)

    def get_config(self) -> dict[str, Any]:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }


def _cosine(fraction: float, alpha: float) -> float:
    """(1 − α)·½(1 + cos(π·fraction)) + α"""
    return (1 - alpha) * (0.5 * (1.0 + math.cos(math.pi * fraction))) + alpha


class CosineDecay(LearningRateSchedule):
    """Cosine decay, after an optional linear warmup (SGDR, Loshchilov & Hutter 2016).

    Without ``warmup_target``: s = min(step, D), lr(step) = initial·((1 − α)·½(1 + cos(π·s/D)) + α)
    with D = decay_steps. With it (W = warmup_steps, s = min(step, D + W)):
    lr = initial + (warmup_target − initial)·s/W while s < W, then
    warmup_target·((1 − α)·½(1 + cos(π·(s − W)/D)) + α).
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: float,
        alpha: float = 0.0,
        name: str = "CosineDecay",
        warmup_target: float | None = None,
        warmup_steps: float = 0,
    ) -> None:
        self.initial_learning_rate = _rate(
            "CosineDecay initial_learning_rate", initial_learning_rate
        )
        self.decay_steps = _steps("CosineDecay decay_steps", decay_steps)
        self.alpha = check_number("CosineDecay alpha", alpha, low=0.0)
        self.name = name
        self.warmup_target = (
            None if warmup_target is None else _rate("CosineDecay warmup_target", warmup_target)
        )
        self.warmup_steps = check_number("CosineDecay warmup_steps", warmup_steps, low=0.0)

    def __call__(self, step: int) -> float:
        s = float(step)
        if self.warmup_target is None:
            s = min(s, self.decay_steps)
            return self.initial_learning_rate * _cosine(s / self.decay_steps, self.alpha)
        s = min(s, self.decay_steps + self.warmup_steps)
        if s < self.warmup_steps:
            delta = self.warmup_target - self.initial_learning_rate
            return delta * (s / self.warmup_steps) + self.initial_learning_rate
        fraction = (s - self.warmup_steps) / self.decay_steps
        return self.warmup_target * _cosine(fraction, self.alpha)

    def get_config(self) -> dict[str, Any]:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "alpha": self.alpha,
            "name": self.name,
            "warmup_target": self.warmup_target,
            "warmup_steps": self.warmup_steps,
        }


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR): period i lasts first_decay_steps·t_mulⁱ steps and
    starts from initial·m_mulⁱ.

    f = step / first_decay_steps; with t_mul = 1: i = ⌊f⌋, f ← f − i; otherwise
    i = ⌊log(1 − f·(1 − t_mul)) / log t_mul⌋, f ← (f − (1 − t_mulⁱ)/(1 − t_mul)) / t_mulⁱ;
    lr = initial·((1 − α)·m_mulⁱ·½(1 + cos(π·f)) + α).
    """

    def __init__(
        self,
        initial_learning_rate: float,
        first_decay_steps: float,
        t_mul: float = 2.0,
        m_mul: float = 1.0,
        alpha: float = 0.0,
        name: str = "SGDRDecay",
    ) -> None:
        self.initial_learning_rate = _rate(
            "CosineDecayRestarts initial_learning_rate", initial_learning_rate
        )
        self.first_decay_steps = _steps("CosineDecayRestarts first_decay_steps", first_decay_steps)
        self.t_mul = check_number("CosineDecayRestarts t_mul", t_mul, low=0.0, low_open=True)
        self.m_mul = check_number("CosineDecayRestarts m_mul", m_mul, low=0.0)
        self.alpha = check_number("CosineDecayRestarts alpha", alpha, low=0.0)
        self.name = name

    def __call__(self, step: int) -> float:
        fraction = step / self.first_decay_steps
        if self.t_mul == 1.0:
            restart = math.floor(fraction)
            fraction -= restart
        else:
            t_mul = self.t_mul
            restart = math.floor(math.log(1.0 - fraction * (1.0 - t_mul)) / math.log(t_mul))
            done = (1.0 - t_mul**restart) / (1.0 - t_mul)
            fraction = (fraction - done) / t_mul**restart
        cosine = 0.5 * self.m_mul**restart * (1.0 + math.cos(math.pi * fraction))
        return self.initial_learning_rate * ((1 - self.alpha) * cosine + self.alpha)

    def get_config(self) -> dict[str, Any]:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "first_decay_steps": self.first_decay_steps,
            "t_mul": self.t_mul,
            "m_mul": self.m_mul,
            "alpha": self.alpha,
            "name": self.name,
        }


_registry: Registry[LearningRateSchedule] = Registry("schedule", LearningRateSchedule)
_registry.module = "glassnet.optimizers.schedules"
for _name, _cls in (
    ("exponential_decay", ExponentialDecay),
    ("piecewise_constant_decay", PiecewiseConstantDecay),
    ("polynomial_decay", PolynomialDecay),
    ("inverse_time_decay", InverseTimeDecay),
    ("cosine_decay", CosineDecay),
    ("cosine_decay_restarts", CosineDecayRestarts),
):
    _registry.register(_name, _cls)
    _registry.alias(_cls.__name__, _name)


def register(name: str, schedule: type[LearningRateSchedule]) -> None:
    """Register a schedule class of your own, so that a model using it can be saved and loaded."""
    _registry.register(name, schedule)


def serialize(schedule: LearningRateSchedule) -> dict[str, Any]:
    """{"name": registered name, "config": get_config()}: plain JSON data."""
    return _registry.serialize(schedule)


def deserialize(config: dict[str, Any]) -> LearningRateSchedule:
    """The schedule ``serialize`` described; Keras's form {"class_name", "config"} is read too."""
    name = str(config.get("name", config.get("class_name", "")))
    key = name.lower()
    key = _registry._aliases.get(key, key)
    return _registry.deserialize({"name": key, "config": config.get("config", {})})


__all__ = [
    "CosineDecay",
    "CosineDecayRestarts",
    "ExponentialDecay",
    "InverseTimeDecay",
    "LearningRateSchedule",
    "PiecewiseConstantDecay",
    "PolynomialDecay",
    "deserialize",
    "register",
    "serialize",
]
