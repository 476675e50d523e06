"""Adam: momentum on the gradient and on its square, bias-corrected, as Keras 3's."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from glassnet.optimizers.base import Optimizer
from glassnet.utils import check_number


class Adam(Optimizer):
    """Adam: momentum on the gradient and on its square, with bias correction folded into the step.

    m ← m + (1 − β₁)(g − m);  v ← v + (1 − β₂)(g² − v)
    α = lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ);  w ← w − α·m / (√v + ε)

    This is Keras's form (ε is added to √v, not to the bias-corrected √v̂ as in the paper).
    With ``amsgrad=True`` (Reddi et al. 2018) the largest v so far divides the step:
    v̂ ← max(v̂, v);  w ← w − α·m / (√v̂ + ε).
    """

    name = "adam"
    slot_names: tuple[str, ...] = ("momentum", "velocity")

    def __init__(
        self,
        learning_rate: Any = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate, **kwargs)
        cls = type(self).__name__
        self.beta_1 = check_number(f"{cls} beta_1", beta_1, low=0.0, high=1.0, high_open=True)
        self.beta_2 = check_number(f"{cls} beta_2", beta_2, low=0.0, high=1.0, high_open=True)
        self.epsilon = check_number(f"{cls} epsilon", epsilon, low=0.0)
        self.amsgrad = bool(amsgrad)
        if self.amsgrad:
            self.slot_names = ("momentum", "velocity", "velocity_hat")
            self.slots = {s: [] for s in self.slot_names}

    def before_update(self) -> None:
        t = self.iterations + 1
        b1, b2 = self.beta_1, self.beta_2
        self._alpha = self.current_learning_rate * math.sqrt(1.0 - b2**t) / (1.0 - b1**t)

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
        if self.amsgrad:
            v = np.maximum(self.slots["velocity_hat"][i], v, out=self.slots["velocity_hat"][i])
        np.sqrt(v, out=step)
        step += t(self.epsilon)
        np.divide(m, step, out=step)
        step *= t(self._alpha)
        param -= step  # w ← w − α·m / (√v + ε)

    @property
    def alpha(self) -> float:
        """The step size of the last update, α = lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ) (bias correction)."""
        t = max(self.iterations, 1)
        b1, b2 = self.beta_1, self.beta_2
        return self.current_learning_rate * math.sqrt(1.0 - b2**t) / (1.0 - b1**t)

    def explain_scalars(self) -> list[tuple[str, str, str, float, str]]:
        t = self.iterations
        return [
            *super().explain_scalars(),
            (
                "alpha",
                "α",
                f"{self.current_learning_rate:g}·√(1 − {self.beta_2:g}^{t}) / "
                f"(1 − {self.beta_1:g}^{t})",
                self.alpha,
                f"{type(self).__name__}'s step size, its bias correction folded in",
            ),
        ]

    def update_formulas(self, p: str) -> list[tuple[str, str, str]]:
        b1, b2, eps = f"{self.beta_1:g}", f"{self.beta_2:g}", f"{self.epsilon:g}"
        rows = [
            ("momentum", f"m({p})", f"m({p}) + (1 − {b1})·(∂L/∂{p} − m({p}))"),
            ("velocity", f"v({p})", f"v({p}) + (1 − {b2})·((∂L/∂{p})² − v({p}))"),
        ]
        if self.amsgrad:
            rows.append(("velocity_hat", f"v̂({p})", f"max(v̂({p}), v({p}))"))
            return [*rows, ("", p, f"{p} − α·m({p}) / (√v̂({p}) + {eps})")]
        return [*rows, ("", p, f"{p} − α·m({p}) / (√v({p}) + {eps})")]

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
            "amsgrad": self.amsgrad,
        }
