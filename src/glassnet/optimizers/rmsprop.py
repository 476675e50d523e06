"""RMSprop: the step divided by a running root mean square of the gradients, as Keras 3's."""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet.optimizers.base import Optimizer
from glassnet.utils import check_number


class RMSprop(Optimizer):
    """RMSprop: divide the step by a running root mean square of the gradients.

    v ← ρ·v + (1 − ρ)·g²;  w ← w − lr·g / √(v + ε)

    ε sits inside the square root, as in Keras (PyTorch adds it outside).
    """

    name = "rmsprop"
    slot_names = ("velocity",)

    def __init__(
        self,
        learning_rate: Any = 0.001,
        rho: float = 0.9,
        epsilon: float = 1e-7,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate, **kwargs)
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
        step *= t(self.current_learning_rate)
        param -= step  # w ← w − lr·g / √(v + ε)

    def update_formulas(self, p: str) -> list[tuple[str, str, str]]:
        lr, rho, eps = f"{self.current_learning_rate:g}", f"{self.rho:g}", f"{self.epsilon:g}"
        return [
            ("velocity", f"v({p})", f"{rho}·v({p}) + {1 - self.rho:g}·(∂L/∂{p})²"),
            ("", p, f"{p} − {lr}·∂L/∂{p} / √(v({p}) + {eps})"),
        ]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}
