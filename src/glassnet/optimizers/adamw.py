"""AdamW: Adam with decoupled weight decay (Loshchilov & Hutter 2019), as Keras 3's."""

from __future__ import annotations

from typing import Any

from glassnet.optimizers.adam import Adam


class AdamW(Adam):
    """Adam with decoupled weight decay: each step first shrinks every weight, then takes Adam's
    step from the gradient alone.

    w ← w − lr·λ·w;  m ← m + (1 − β₁)(g − m);  v ← v + (1 − β₂)(g² − v)
    α = lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ);  w ← w − α·m / (√v + ε)

    λ = ``weight_decay`` (0.004 by default, as Keras); the decay is Keras's base optimizer's,
    applied before the update, with the step's learning rate.
    """

    name = "adamw"

    def __init__(
        self,
        learning_rate: Any = 0.001,
        weight_decay: float = 0.004,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
        **kwargs: Any,
    ) -> None:
        if weight_decay is None:
            raise ValueError("AdamW weight_decay must be a number >= 0, got None")
        super().__init__(
            learning_rate, beta_1, beta_2, epsilon, amsgrad, weight_decay=weight_decay, **kwargs
        )
