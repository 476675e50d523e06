"""Adamax: Adam with the infinity norm in place of the root mean square, as Keras 3's."""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet.optimizers.base import Optimizer
from glassnet.utils import check_number


class Adamax(Optimizer):
    """Adamax (Kingma & Ba 2014, section 7.1): the step is divided by a decaying maximum of |g|.

    m ← m + (1 − β₁)(g − m);  u ← max(β₂·u, |g|)
    w ← w − lr·m / ((1 − β₁ᵗ)·(u + ε))

    m is ``momentum`` and u ``norm`` (Keras's names).
    """

    name = "adamax"
    slot_names = ("momentum", "norm")

    def __init__(
        self,
        learning_rate: Any = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate, **kwargs)
        self.beta_1 = check_number("Adamax beta_1", beta_1, low=0.0, high=1.0, high_open=True)
        self.beta_2 = check_number("Adamax beta_2", beta_2, low=0.0, high=1.0, high_open=True)
        self.epsilon = check_number("Adamax epsilon", epsilon, low=0.0)

    def before_update(self) -> None:
        self._correction = 1.0 - self.beta_1 ** (self.iterations + 1)  # 1 − β₁ᵗ

    def update(self, i: int, param: np.ndarray, grad: np.ndarray) -> None:
        t = param.dtype.type
        m, u, step = self.slots["momentum"][i], self.slots["norm"][i], self._scratch[i]
        np.subtract(grad, m, out=step)
        step *= t(1.0 - self.beta_1)
        m += step  # m ← m + (1 − β₁)(g − m)
        u *= t(self.beta_2)
        np.abs(grad, out=step)
        np.maximum(u, step, out=u)  # u ← max(β₂·u, |g|)
        np.add(u, t(self.epsilon), out=step)
        step *= t(self._correction)
        np.divide(m, step, out=step)
        step *= t(self.current_learning_rate)
        param -= step  # w ← w − lr·m / ((1 − β₁ᵗ)·(u + ε))

    def explain_scalars(self) -> list[tuple[str, str, str, float, str]]:
        t = self.iterations
        return [
            *super().explain_scalars(),
            (
                "alpha",
                "α",
                f"{self.current_learning_rate:g} / (1 − {self.beta_1:g}^{t})",
                self.current_learning_rate / (1.0 - self.beta_1 ** max(t, 1)),
                "Adamax's step size, its bias correction folded in",
            ),
        ]

    def update_formulas(self, p: str) -> list[tuple[str, str, str]]:
        b1, b2, eps = f"{self.beta_1:g}", f"{self.beta_2:g}", f"{self.epsilon:g}"
        return [
            ("momentum", f"m({p})", f"m({p}) + (1 − {b1})·(∂L/∂{p} − m({p}))"),
            ("norm", f"u({p})", f"max({b2}·u({p}), |∂L/∂{p}|)"),
            ("", p, f"{p} − α·m({p}) / (u({p}) + {eps})"),
        ]

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
        }
