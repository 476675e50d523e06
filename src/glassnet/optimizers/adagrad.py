"""Adagrad: each weight's step shrinks with the sum of its squared gradients, as Keras 3's."""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet.optimizers.base import Optimizer
from glassnet.utils import check_number


class Adagrad(Optimizer):
    """Adagrad (Duchi et al. 2011): a per-weight rate that falls as its gradients add up.

    a ← a + g²;  w ← w − lr·g / √(a + ε)

    The accumulator a starts at ``initial_accumulator_value`` (0.1, as Keras), and ε sits inside
    the square root, as in Keras.
    """

    name = "adagrad"
    slot_names = ("accumulator",)

    def __init__(
        self,
        learning_rate: Any = 0.001,
        initial_accumulator_value: float = 0.1,
        epsilon: float = 1e-7,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate, **kwargs)
        self.initial_accumulator_value = check_number(
            "Adagrad initial_accumulator_value", initial_accumulator_value, low=0.0
        )
        self.epsilon = check_number("Adagrad epsilon", epsilon, low=0.0)

    def initial_slot(self, slot: str, param: np.ndarray) -> np.ndarray:
        return np.full_like(param, self.initial_accumulator_value)

    def update(self, i: int, param: np.ndarray, grad: np.ndarray) -> None:
        t = param.dtype.type
        a, step = self.slots["accumulator"][i], self._scratch[i]
        np.multiply(grad, grad, out=step)
        a += step  # a ← a + g²
        np.add(a, t(self.epsilon), out=step)
        np.sqrt(step, out=step)
        np.divide(grad, step, out=step)
        step *= t(self.current_learning_rate)
        param -= step  # w ← w − lr·g / √(a + ε)

    def update_formulas(self, p: str) -> list[tuple[str, str, str]]:
        lr, eps = f"{self.current_learning_rate:g}", f"{self.epsilon:g}"
        return [
            ("accumulator", f"a({p})", f"a({p}) + (∂L/∂{p})²"),
            ("", p, f"{p} − {lr}·∂L/∂{p} / √(a({p}) + {eps})"),
        ]

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "initial_accumulator_value": self.initial_accumulator_value,
            "epsilon": self.epsilon,
        }
