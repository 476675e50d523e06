"""Optimizers: gradient-descent update rules, applied in place to a model's parameters.

They follow Keras 3's update rules and defaults, so runs compare across libraries. State (the
velocity of momentum, the running averages of RMSprop and Adam) is kept per parameter, by the
parameter's position in the list passed to ``apply``.

>>> from glassnet import optimizers
>>> opt = optimizers.get("sgd")
>>> w = np.array([1.0]); opt.apply([w], [np.array([2.0])]); w
array([0.98])
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from glassnet.registry import Registry
from glassnet.utils import check_number


class Optimizer:
    """Base class. Subclasses implement ``update(i, param, grad)`` for one parameter."""

    name = "optimizer"
    slot_names: tuple[str, ...] = ()

    def __init__(self, learning_rate: float = 0.01) -> None:
        self.learning_rate = check_number(
            f"{type(self).__name__} learning_rate", learning_rate, low=0.0, low_open=True
        )
        self.iterations = 0  # number of updates applied so far
        self.slots: dict[str, list[np.ndarray]] = {s: [] for s in self.slot_names}
        self._scratch: list[np.ndarray] = []

    def apply(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        """One step: update every parameter in place from its gradient."""
        if self.slot_names and not self.slots[self.slot_names[0]]:
            for s in self.slot_names:
                self.slots[s] = [np.zeros_like(p) for p in params]
        if len(self._scratch) != len(params):
            # one working buffer per parameter, reused at every step: no allocation per batch
            self._scratch = [np.empty_like(p) for p in params]
        self.iterations += 1
        for i, (p, g) in enumerate(zip(params, grads, strict=True)):
            self.update(i, p, g)

    def update(self, i: int, param: np.ndarray, grad: np.ndarray) -> None:
        raise NotImplementedError

    def update_formulas(self, p: str) -> list[tuple[str, str, str]]:
        """The update of parameter ``p`` as data, for explain(): (state name or "" for the
        parameter itself, symbol, formula), in the order they are computed."""
        return [("", p, f"{p} − {self.learning_rate:g}·∂L/∂{p}")]

    def get_config(self) -> dict[str, Any]:
        return {"learning_rate": self.learning_rate}

    def get_state(self) -> tuple[int, dict[str, list[np.ndarray]]]:
        """(iterations, slots): everything needed to continue exactly where training stopped."""
        return self.iterations, {s: [a.copy() for a in v] for s, v in self.slots.items()}

    def check_params(self, params: list[np.ndarray]) -> None:
        """Its state (kept by position) must fit these parameters, or an error says why not."""
        for name, values in self.slots.items():
            shapes, expected = [p.shape for p in params], [v.shape for v in values]
            if values and shapes != expected:
                raise ValueError(
                    f"{type(self).__name__} keeps its {name} for {len(expected)} parameters of "
                    f"shapes {expected}, but the model now trains {len(shapes)} of shapes "
                    f"{shapes}: the trainable weights changed (a layer was frozen or unfrozen) "
                    "since training began; call model.compile(...) again"
                )

    def set_state(self, iterations: int, slots: dict[str, list[np.ndarray]]) -> None:
        self.iterations = int(iterations)
        self.slots = {s: [np.array(a) for a in slots.get(s, [])] for s in self.slot_names}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class SGD(Optimizer):
    """Gradient descent, with optional (Nesterov) momentum, as Keras writes it.

    plain:    w ← w − lr·g
    momentum: v ← μ·v − lr·g;  w ← w + v
    Nesterov: v ← μ·v − lr·g;  w ← w + μ·v − lr·g
    """

    name = "sgd"

    def __init__(
        self, learning_rate: float = 0.01, momentum: float = 0.0, nesterov: bool = False
    ) -> None:
        super().__init__(learning_rate)
        self.momentum = check_number("SGD momentum", momentum, low=0.0, high=1.0, high_open=True)
        self.nesterov = bool(nesterov)
        self.slot_names = ("velocity",) if self.momentum > 0 else ()
        self.slots = {s: [] for s in self.slot_names}

    def update(self, i: int, param: np.ndarray, grad: np.ndarray) -> None:
        lr = param.dtype.type(self.learning_rate)
        step = np.multiply(grad, lr, out=self._scratch[i])  # lr·g
        if self.momentum == 0:
            param -= step  # w ← w − lr·g
            return
        mu = param.dtype.type(self.momentum)
        v = self.slots["velocity"][i]
        v *= mu
        v -= step  # v ← μ·v − lr·g
        if self.nesterov:
            param += np.subtract(v * mu, step, out=step)  # w ← w + (μ·v − lr·g), Keras's order
        else:
            param += v  # w ← w + v

    def update_formulas(self, p: str) -> list[tuple[str, str, str]]:
        lr, mu = f"{self.learning_rate:g}", f"{self.momentum:g}"
        if self.momentum == 0:
            return super().update_formulas(p)
        velocity = ("velocity", f"v({p})", f"{mu}·v({p}) − {lr}·∂L/∂{p}")
        if self.nesterov:
            return [velocity, ("", p, f"{p} + {mu}·v({p}) − {lr}·∂L/∂{p}")]
        return [velocity, ("", p, f"{p} + v({p})")]

    def get_config(self) -> dict[str, Any]:
        return {
            "learning_rate": self.learning_rate,
            "momentum": self.momentum,
            "nesterov": self.nesterov,
        }


class RMSprop(Optimizer):
    """RMSprop: divide the step by a running root mean square of the gradients.

    v ← ρ·v + (1 − ρ)·g²;  w ← w − lr·g / √(v + ε)

    ε sits inside the square root, as in Keras (PyTorch adds it outside).
    """

    name = "rmsprop"
    slot_names = ("velocity",)

    def __init__(self, learning_rate: float = 0.001, rho: float = 0.9, epsilon: float = 1e-7):
        super().__init__(learning_rate)
        self.rho = check_number("RMSprop rho", rho, low=0.0, high=1.0, high_open=True)
        self.epsilon = check_number("RMSprop epsilon", epsilon, low=0.0)

    def update(self, i: int, param: np.ndarray, grad: np.ndarray) -> None:
        t = param.dtype.type
        v, step = self.slots["velocity"][i], self._scratch[i]
        v *= t(self.rho)
        np.multiply(grad, grad, out=step)
        step *= t(1.0 - self.rho)
        v += step  # v ← ρ·v + (1 − ρ)·g²
        np.add(v, t(self.epsilon), out=step)
        np.sqrt(step, out=step)
        np.divide(grad, step, out=step)
        step *= t(self.learning_rate)
        param -= step  # w ← w − lr·g / √(v + ε)

    def update_formulas(self, p: str) -> list[tuple[str, str, str]]:
        lr, rho, eps = f"{self.learning_rate:g}", f"{self.rho:g}", f"{self.epsilon:g}"
        return [
            ("velocity", f"v({p})", f"{rho}·v({p}) + {1 - self.rho:g}·(∂L/∂{p})²"),
            ("", p, f"{p} − {lr}·∂L/∂{p} / √(v({p}) + {eps})"),
        ]

    def get_config(self) -> dict[str, Any]:
        return {"learning_rate": self.learning_rate, "rho": self.rho, "epsilon": self.epsilon}


class Adam(Optimizer):
    """Adam: momentum on the gradient and on its square, with bias correction folded into the step.

    m ← m + (1 − β₁)(g − m);  v ← v + (1 − β₂)(g² − v)
    α = lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ);  w ← w − α·m / (√v + ε)

    This is Keras's form (ε is added to √v, not to the bias-corrected √v̂ as in the paper).
    """

    name = "adam"
    slot_names = ("momentum", "velocity")

    def __init__(
        self,
        learning_rate: float = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
    ) -> None:
        super().__init__(learning_rate)
        self.beta_1 = check_number("Adam beta_1", beta_1, low=0.0, high=1.0, high_open=True)
        self.beta_2 = check_number("Adam beta_2", beta_2, low=0.0, high=1.0, high_open=True)
        self.epsilon = check_number("Adam epsilon", epsilon, low=0.0)

    def apply(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        t = self.iterations + 1
        self._alpha = self.learning_rate * math.sqrt(1.0 - self.beta_2**t) / (1.0 - self.beta_1**t)
        super().apply(params, grads)

    def update(self, i: int, param: np.ndarray, grad: np.ndarray) -> None:
        t = param.dtype.type
        m, v, step = self.slots["momentum"][i], self.slots["velocity"][i], self._scratch[i]
        np.subtract(grad, m, out=step)
        step *= t(1.0 - self.beta_1)
        m += step  # m ← m + (1 − β₁)(g − m)
        np.multiply(grad, grad, out=step)
        step -= v
        step *= t(1.0 - self.beta_2)
        v += step  # v ← v + (1 − β₂)(g² − v)
        np.sqrt(v, out=step)
        step += t(self.epsilon)
        np.divide(m, step, out=step)
        step *= t(self._alpha)
        param -= step  # w ← w − α·m / (√v + ε)

    @property
    def alpha(self) -> float:
        """The step size of the last update, α = lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ) (bias correction)."""
        t = max(self.iterations, 1)
        return self.learning_rate * math.sqrt(1.0 - self.beta_2**t) / (1.0 - self.beta_1**t)

    def update_formulas(self, p: str) -> list[tuple[str, str, str]]:
        b1, b2, eps = f"{self.beta_1:g}", f"{self.beta_2:g}", f"{self.epsilon:g}"
        return [
            ("momentum", f"m({p})", f"m({p}) + (1 − {b1})·(∂L/∂{p} − m({p}))"),
            ("velocity", f"v({p})", f"v({p}) + (1 − {b2})·((∂L/∂{p})² − v({p}))"),
            ("", p, f"{p} − α·m({p}) / (√v({p}) + {eps})"),
        ]

    def get_config(self) -> dict[str, Any]:
        return {
            "learning_rate": self.learning_rate,
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
        }


_registry: Registry[Optimizer] = Registry("optimizer", Optimizer)
for _cls in (SGD, RMSprop, Adam):
    _registry.register(_cls.name, _cls)


def register(name: str, optimizer: type[Optimizer] | Optimizer) -> None:
    """Register a custom optimizer under a name."""
    _registry.register(name, optimizer)


def get(identifier: str | Optimizer) -> Optimizer:
    """Resolve a name ("sgd", "rmsprop", "adam") or an Optimizer object to an Optimizer."""
    return _registry.get(identifier)


def serialize(optimizer: Optimizer) -> dict[str, Any]:
    return _registry.serialize(optimizer)


def deserialize(cfg: dict[str, Any]) -> Optimizer:
    return _registry.deserialize(cfg)
