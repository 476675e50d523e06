"""The paper's network: 3 inputs → 2 hidden units → 1 sigmoid output, trained on four samples."""

from __future__ import annotations

import numpy as np

import glassnet as gn
from glassnet import initializers, layers, models, optimizers

X = np.array([[0, 0, 1], [1, 1, 1], [1, 0, 1], [0, 1, 1]], dtype=float)
Y = np.array([[0], [1], [1], [0]], dtype=float)


def paper_network(
    hidden_activation: str, seed: int, learning_rate: float = 0.5
) -> models.Sequential:
    """The 3-2-1 network with weights drawn from U(−1, 1), MSE loss and gradient descent."""
    gn.set_seed(seed)
    uniform = initializers.RandomUniform(-1.0, 1.0)
    model = models.Sequential(
        [
            layers.Dense(
                2,
                activation=hidden_activation,
                input_dim=3,
                kernel_initializer=uniform,
                bias_initializer=uniform,
                name="hidden",
            ),
            layers.Dense(
                1,
                activation="sigmoid",
                kernel_initializer=uniform,
                bias_initializer=uniform,
                name="output",
            ),
        ]
    )
    model.compile(optimizer=optimizers.SGD(learning_rate), loss="mse")
    return model
