"""Adadelta: steps scaled by running averages of squared gradients and squared steps, as
Keras 3's."""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet.optimizers.base import Optimizer
from glassnet.utils import check_number


class Adadelta(Optimizer):
    """Adadelta (Zeiler 2012), with Keras's learning rate in front of the step.

    G ← ρ·G + (1 − ρ)·g²
    Δ = −√(D + ε)·g / √(G + ε)
    D ← ρ·D + (1 − ρ)·Δ²
    w ← w + lr·Δ

    G is ``accumulated_grad``, D ``accumulated_delta_var`` (Keras's names). Keras's default
    learning rate is 0.001; the paper's rule is lr = 1.
    """

    name = "adadelta"
    slot_names = ("accumulated_grad", "accumulated_delta_var")
    scratch_count = 2

    def __init__(
        self,
        learning_rate: Any = 0.001,
        rho: float = 0.95,
        epsilon: float = 1e-7,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate, **kwargs)
        self.rho = check_number("Adadelta rho", rho, low=0.0, high=1.0, high_open=True)
        self.epsilon = check_number("Adadelta epsilon", epsilon, low=0.0)

    def update(self, i: int, param: np.ndarray, grad: np.ndarray) -> None:
        t = param.dtype.type
        rho, eps = t(self.rho), t(self.epsilon)
        acc_g, acc_d = self.slots["accumulated_grad"][i], self.slots["accumulated_delta_var"][i]
        step, work = self._scratch[i], self._scratch2[i]
        acc_g *= rho
        np.multiply(grad, grad, out=work)
        work *= t(1.0 - self.rho)
        acc_g += work  # G ← ρ·G + (1 − ρ)·g²
        np.add(acc_d, eps, out=step)
        np.sqrt(step, out=step)
        step *= grad
        np.add(acc_g, eps, out=work)
        np.sqrt(work, out=work)
        step /= work  # −Δ = √(D + ε)·g / √(G + ε)
        acc_d *= rho
        np.multiply(step, step, out=work)
        work *= t(1.0 - self.rho)
        acc_d += work  # D ← ρ·D + (1 − ρ)·Δ²
        step *= t(self.current_learning_rate)
        param -= step  # w ← w + lr·Δ

    def update_formulas(self, p: str) -> list[tuple[str, str, str]]:
        lr, rho, eps = f"{self.current_learning_rate:g}", f"{self.rho:g}", f"{self.epsilon:g}"
        g, d = f"G({p})", f"D({p})"
        delta = f"√({d} + {eps})·∂L/∂{p} / √({g} + {eps})"
        return [
            ("accumulated_grad", g, f"{rho}·{g} + {1 - self.rho:g}·(∂L/∂{p})²"),
            ("accumulated_delta_var", d, f"{rho}·{d} + {1 - self.rho:g}·({delta})²"),
            ("", p, f"{p} − {lr}·{delta}"),
        ]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}
