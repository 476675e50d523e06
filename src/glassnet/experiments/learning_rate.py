"""Study: learning rates too small, about right, and too large.

Gradient descent w ← w − η·∂L/∂w on linear regression (one linear neuron, the lecture's
house-price example): with η too small the loss barely moves; about right, it falls fast; past
2/λ_max (λ_max the largest curvature of the loss) every step overshoots and the loss explodes,
and training stops cleanly the moment it stops being a finite number.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

import glassnet as gn
from glassnet import layers, models, optimizers
from glassnet.datasets import Standardizer, house_prices
from glassnet.experiments.result import StudyResult
from glassnet.experiments.runner import run_many
from glassnet.models import DivergenceWarning
from glassnet.utils import check_positive_int

TITLE = "Learning rates: too small, right, too large"
DEFAULT_RATES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)


def train_once(learning_rate: float, epochs: int, seed: int) -> dict[str, Any]:
    x, y = house_prices(n_samples=200, n_features=3, noise=20.0, seed=seed)
    x = Standardizer().fit_transform(x)
    gn.set_seed(seed)
    model = models.Sequential([layers.Dense(1, input_dim=3)])
    model.compile(optimizer=optimizers.SGD(learning_rate), loss="mse")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DivergenceWarning)  # recorded in stop_reason instead
        history = model.fit(x, y, epochs=epochs, batch_size=len(x), verbose=0, shuffle=False)
    loss = history.history.get("loss", [])
    diverged = history.stop_reason is not None or (len(loss) > 1 and loss[-1] > loss[0])
    return {"loss": loss, "diverged": diverged, "stop_reason": history.stop_reason}


def run(
    learning_rates: Sequence[float] = DEFAULT_RATES,
    epochs: int = 100,
    seed: int = 0,
    n_jobs: int = 1,
) -> StudyResult:
    """Train the same one-neuron regression with each learning rate of the grid."""
    epochs = check_positive_int("epochs", epochs)
    rates = sorted(float(r) for r in learning_rates)
    if not rates or any(not np.isfinite(r) or r <= 0 for r in rates):
        raise ValueError(f"learning rates must be positive numbers, got {list(learning_rates)}")
    start = time.perf_counter()
    runs = run_many(
        train_once, [dict(learning_rate=r, epochs=epochs, seed=seed) for r in rates], n_jobs
    )
    table = []
    for rate, r in zip(rates, runs, strict=True):
        loss = r["loss"]
        table.append(
            {
                "learning rate": rate,
                "first loss": loss[0] if loss else None,
                "final loss": loss[-1] if loss and not r["diverged"] else None,
                "epochs run": len(loss),
                "diverged": r["diverged"],
            }
        )
    stable = [row for row in table if not row["diverged"]]
    diverged = [row["learning rate"] for row in table if row["diverged"]]
    best = min(stable, key=lambda row: row["final loss"]) if stable else None
    parts = []
    if best is not None:
        slowest = stable[0]
        parts.append(
            f"the smallest rate, {slowest['learning rate']:g}, ends at loss "
            f"{slowest['final loss']:.4g} after {epochs} epochs (too small)"
        )
        parts.append(f"the best, {best['learning rate']:g}, reaches {best['final loss']:.4g}")
    if diverged:
        parts.append(
            f"{', '.join(f'{r:g}' for r in diverged)} diverged and were stopped (too large)"
        )
    verdict = "Over the grid: " + "; ".join(parts) + "."
    return StudyResult(
        study="learning_rate",
        title=TITLE,
        settings={
            "network": "one linear neuron (linear regression), 3 standardised features",
            "data": "house_prices: 200 samples, size, rooms and age; noise 20",
            "loss": "mean squared error (thousands²)",
            "optimizer": "full-batch gradient descent",
            "learning_rates": rates,
            "epochs": epochs,
            "seed": seed,
        },
        data={"learning_rates": rates, "runs": runs},
        table=table,
        verdict=verdict,
        seconds=time.perf_counter() - start,
    )


def figures(result: StudyResult) -> dict[str, Any]:
    from glassnet import plots

    rates = result.data["learning_rates"]
    runs = result.data["runs"]
    return {
        "loss_curves": plots.learning_rate_curves(
            {r: run["loss"] for r, run in zip(rates, runs, strict=True)},
            {r: run["diverged"] for r, run in zip(rates, runs, strict=True)},
        )
    }
