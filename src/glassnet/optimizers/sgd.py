"""SGD: gradient descent, with optional (Nesterov) momentum, as Keras 3 writes it."""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet.optimizers.base import Optimizer
from glassnet.utils import check_number


class SGD(Optimizer):
    """Gradient descent, with optional (Nesterov) momentum, as Keras writes it.

    plain:    w ← w − lr·g
    momentum: v ← μ·v − lr·g;  w ← w + v
    Nesterov: v ← μ·v − lr·g;  w ← w + μ·v − lr·g

    The momentum state is named ``velocity`` here (Keras calls it ``momentum``).
    """

    name = "sgd"

    def __init__(
        self,
        learning_rate: Any = 0.01,
        momentum: float = 0.0,
        nesterov: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate, **kwargs)
        self.momentum = check_number("SGD momentum", momentum, low=0.0, high=1.0, high_open=True)
        self.nesterov = bool(nesterov)
        self.slot_names = ("velocity",) if self.momentum > 0 else ()
        self.slots = {s: [] for s in self.slot_names}

    def update(self, i: int, param: np.ndarray, grad: np.ndarray) -> None:
        lr = param.dtype.type(self.current_learning_rate)
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
        lr, mu = f"{self.current_learning_rate:g}", f"{self.momentum:g}"
        if self.momentum == 0:
            return super().update_formulas(p)
        velocity = ("velocity", f"v({p})", f"{mu}·v({p}) − {lr}·∂L/∂{p}")
        if self.nesterov:
            return [velocity, ("", p, f"{p} + {mu}·v({p}) − {lr}·∂L/∂{p}")]
        return [velocity, ("", p, f"{p} + v({p})")]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
