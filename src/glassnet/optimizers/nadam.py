"""Nadam: Adam with Nesterov momentum (Dozat 2015), as Keras 3's."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from glassnet.optimizers.base import Optimizer
from glassnet.utils import check_number


class Nadam(Optimizer):
    """Nadam: Adam whose momentum looks one step ahead, with Dozat's momentum schedule.

    μₜ = β₁·(1 − ½·0.96ᵗ);  Πₜ = μ₁·μ₂·…·μₜ
    m ← m + (1 − β₁)(g − m);  v ← v + (1 − β₂)(g² − v)
    m̂ = μₜ₊₁·m / (1 − Πₜ₊₁) + (1 − μₜ)·g / (1 − Πₜ);  v̂ = v / (1 − β₂ᵗ)
    w ← w − lr·m̂ / (√v̂ + ε)

    The running product Πₜ is part of the state (saved with the model), as in Keras.
    """

    name = "nadam"
    slot_names = ("momentum", "velocity")
    scratch_count = 2

    def __init__(
        self,
        learning_rate: Any = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate, **kwargs)
        self.beta_1 = check_number("Nadam beta_1", beta_1, low=0.0, high=1.0, high_open=True)
        self.beta_2 = check_number("Nadam beta_2", beta_2, low=0.0, high=1.0, high_open=True)
        self.epsilon = check_number("Nadam epsilon", epsilon, low=0.0)
        self.u_product = 1.0  # Πₜ after t updates

    def _mu(self, t: int) -> float:
        return self.beta_1 * (1.0 - 0.5 * 0.96**t)  # μₜ = β₁·(1 − ½·0.96ᵗ)

    def before_update(self) -> None:
        t = self.iterations + 1
        self._mu_t, self._mu_next = self._mu(t), self._mu(t + 1)
        self.u_product *= self._mu_t  # Πₜ
        self._u_product_next = self.u_product * self._mu_next  # Πₜ₊₁
        self._v_correction = 1.0 - self.beta_2**t  # 1 − β₂ᵗ

    def update(self, i: int, param: np.ndarray, grad: np.ndarray) -> None:
        t = param.dtype.type
        m, v = self.slots["momentum"][i], self.slots["velocity"][i]
        step, work = self._scratch[i], self._scratch2[i]
        np.subtract(grad, m, out=step)
        step *= t(1.0 - self.beta_1)
        m += step  # m ← m + (1 − β₁)(g − m)
        np.multiply(grad, grad, out=step)
        step -= v
        step *= t(1.0 - self.beta_2)
        v += step  # v ← v + (1 − β₂)(g² − v)
        np.multiply(m, t(self._mu_next), out=step)
        step /= t(1.0 - self._u_product_next)
        np.multiply(grad, t(1.0 - self._mu_t), out=work)
        work /= t(1.0 - self.u_product)
        step += work  # m̂ = μₜ₊₁·m / (1 − Πₜ₊₁) + (1 − μₜ)·g / (1 − Πₜ)
        np.divide(v, t(self._v_correction), out=work)
        np.sqrt(work, out=work)
        work += t(self.epsilon)
        step *= t(self.current_learning_rate)
        step /= work
        param -= step  # w ← w − lr·m̂ / (√v̂ + ε)

    def explain_scalars(self) -> list[tuple[str, str, str, float, str]]:
        t = self.iterations
        b1 = f"{self.beta_1:g}"
        return [
            *super().explain_scalars(),
            ("mu", "μₜ", f"{b1}·(1 − ½·0.96^{t})", self._mu(t), "momentum of this step"),
            ("mu_next", "μₜ₊₁", f"{b1}·(1 − ½·0.96^{t + 1})", self._mu(t + 1), ""),
            ("u_product", "Πₜ", "Πₜ₋₁·μₜ", self.u_product, "product of the μ so far"),
        ]

    def update_formulas(self, p: str) -> list[tuple[str, str, str]]:
        b1, b2, eps = f"{self.beta_1:g}", f"{self.beta_2:g}", f"{self.epsilon:g}"
        lr, t = f"{self.current_learning_rate:g}", self.iterations
        m_hat = f"(μₜ₊₁·m({p}) / (1 − Πₜ·μₜ₊₁) + (1 − μₜ)·∂L/∂{p} / (1 − Πₜ))"
        return [
            ("momentum", f"m({p})", f"m({p}) + (1 − {b1})·(∂L/∂{p} − m({p}))"),
            ("velocity", f"v({p})", f"v({p}) + (1 − {b2})·((∂L/∂{p})² − v({p}))"),
            ("", p, f"{p} − {lr}·{m_hat} / (√(v({p}) / (1 − {b2}^{t})) + {eps})"),
        ]

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
        }

    def get_state(self) -> tuple[int, dict[str, list[np.ndarray]]]:
        iterations, slots = super().get_state()
        return iterations, {**slots, "u_product": [np.array(self.u_product)]}

    def set_state(self, iterations: int, slots: dict[str, list[np.ndarray]]) -> None:
        super().set_state(iterations, slots)
        saved = slots.get("u_product")
        if saved:
            self.u_product = float(saved[0])
        else:  # a state without it: the same product, multiplied in the same order
            self.u_product = math.prod(self._mu(k) for k in range(1, self.iterations + 1))
