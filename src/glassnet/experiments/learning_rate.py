"""Study: learning rates too small, about right, and too large.

Gradient descent w ← w − η·∂L/∂w on linear regression (one linear neuron, the lecture's
house-price example): with η too small the loss barely moves; about right, it falls fast; past
2/λ_max (λ_max the largest curvature of the loss) every step overshoots and the loss explodes,
and training stops cleanly the moment it stops being a finite number.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

import glassnet as gn
from glassnet import layers, models, optimizers
from glassnet.datasets import Standardizer, house_prices
from glassnet.experiments.contract import N_JOBS, Annotated, Param, study
from glassnet.experiments.result import StudyResult, Verdict
from glassnet.experiments.runner import run_many
from glassnet.models import DivergenceWarning

TITLE = "Learning rates: too small, right, too large"
DEFAULT_RATES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
# A rate that goes less than this share of the way to the least-squares loss is "too small".
TOO_SMALL_SHARE = 0.9


def least_squares_loss(seed: int) -> float:
    """The lowest MSE any weights reach on the study's data: least squares, in float64."""
    x, y = house_prices(n_samples=200, n_features=3, noise=20.0, seed=seed)
    x = Standardizer().fit_transform(x).astype(np.float64)
    design = np.hstack([x, np.ones((len(x), 1))])
    exact = np.linalg.lstsq(design, y.astype(np.float64), rcond=None)[0]
    return float(np.mean((design @ exact - y) ** 2))


def has_diverged(loss: Sequence[float], stop_reason: str | None) -> bool:
    """Diverged: training was stopped (non-finite loss), a loss is not finite, or the loss
    ended higher than it started."""
    if stop_reason is not None or not all(np.isfinite(loss)):
        return True
    return len(loss) > 1 and loss[-1] > loss[0]


def share_of_the_way(loss: Sequence[float], optimum: float) -> float:
    """(first − final) / (first − optimum): how far the loss went towards the optimum."""
    gap = loss[0] - optimum
    return 1.0 if gap <= 0 else float((loss[0] - loss[-1]) / gap)


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
    diverged = has_diverged(loss, history.stop_reason)
    return {"loss": loss, "diverged": diverged, "stop_reason": history.stop_reason}


def rate_labels(settings: Mapping[str, Any], data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each rate's label ("too small", "good", "diverged") and the numbers behind it."""
    optimum = data["least_squares_loss"]
    out = []
    for rate, r in zip(data["learning_rates"], data["runs"], strict=True):
        loss = r["loss"]
        diverged = has_diverged(loss, r["stop_reason"])
        share = None if diverged or not loss else share_of_the_way(loss, optimum)
        if diverged:
            label = "diverged"
        elif share is not None and share < TOO_SMALL_SHARE:
            label = "too small"
        else:
            label = "good"
        out.append({"rate": rate, "loss": loss, "share": share, "label": label})
    return out


def judge(settings: Mapping[str, Any], data: Mapping[str, Any]) -> Verdict:
    """The verdict on every rate, from the saved loss curves and the least-squares loss."""
    epochs = settings["epochs"]
    optimum = data["least_squares_loss"]
    labels = rate_labels(settings, data)
    criterion = (
        f"A rate is too small when, within the {epochs}-epoch budget, its loss goes less than "
        f"{TOO_SMALL_SHARE:.0%} of the way from the first loss to the least-squares loss "
        "(share = (first − final) / (first − least squares)); it diverged when its loss ends "
        "higher than it started or becomes non-finite (training then stops); otherwise it is good."
    )
    small = [row for row in labels if row["label"] == "too small"]
    good = [row for row in labels if row["label"] == "good"]
    diverged = [row for row in labels if row["label"] == "diverged"]

    def share_text(row: dict[str, Any]) -> str:
        return f"{row['rate']:g} ({row['share']:.2%})"

    parts = []
    if small:
        parts.append(
            f"too small: {', '.join(share_text(row) for row in small)} of the way to the "
            f"least-squares loss {optimum:.4g} in {epochs} epochs"
        )
    if good:
        best = min(good, key=lambda row: row["loss"][-1])
        text = f"good: {', '.join(share_text(row) for row in good)} of the way"
        if len(good) > 1:
            text += f"; the lowest final loss, {best['loss'][-1]:.4g}, with {best['rate']:g}"
        else:
            text += f"; final loss {best['loss'][-1]:.4g}"
        parts.append(text + f" (least squares: {optimum:.4g})")
    if diverged:
        described = []
        for row in diverged:
            loss = row["loss"]
            if len(loss) < epochs or not all(np.isfinite(loss)):
                why = f"non-finite loss, stopped after {len(loss)} epochs"
            else:
                why = f"loss {loss[0]:.4g} → {loss[-1]:.4g}"
            described.append(f"{row['rate']:g}: {why}")
        rates = ", ".join(f"{row['rate']:g}" for row in diverged)
        parts.append(f"{rates} diverged ({'; '.join(described)})")
    text = "; ".join(parts)
    return Verdict(text[:1].upper() + text[1:] + ".", criterion)


def title_for(rates: Sequence[float]) -> str:
    """The title, naming the rates compared."""
    if len(rates) == 1:
        return f"Learning rate {rates[0]:g} on one linear neuron"
    return f"Learning rates from {min(rates):g} to {max(rates):g} on one linear neuron"


def _distinct(rates: list[float]) -> list[float]:
    repeated = sorted({r for r in rates if rates.count(r) > 1})
    if repeated:
        raise ValueError(
            f"learning rates must differ, got {', '.join(f'{r:g}' for r in repeated)} "
            f"more than once in {rates}"
        )
    return rates


@study("learning_rate", title=TITLE)
def run(
    learning_rates: Annotated[
        Sequence[float],
        Param("Learning rates to compare.", low=0, low_open=True, check=_distinct, option="rates"),
    ] = DEFAULT_RATES,
    epochs: Annotated[int, Param("Epochs of full-batch gradient descent.", low=1)] = 100,
    seed: Annotated[int, Param("Seed of the data.", low=0)] = 0,
    n_jobs: Annotated[int, N_JOBS] = 1,
) -> StudyResult:
    """Learning rates from too small to too large, on one linear neuron."""
    rates = sorted(learning_rates)
    start = time.perf_counter()
    runs = run_many(
        train_once, [dict(learning_rate=r, epochs=epochs, seed=seed) for r in rates], n_jobs
    )
    settings = {
        "network": "one linear neuron (linear regression), 3 standardised features",
        "data": "house_prices: 200 samples, size, rooms and age; noise 20",
        "loss": "mean squared error (thousands²)",
        "optimizer": "full-batch gradient descent",
        "learning_rates": rates,
        "epochs": epochs,
        "seed": seed,
        "too_small_share": TOO_SMALL_SHARE,
    }
    data = {"learning_rates": rates, "runs": runs, "least_squares_loss": least_squares_loss(seed)}
    table = []
    for row, r in zip(rate_labels(settings, data), runs, strict=True):
        loss = r["loss"]
        table.append(
            {
                "learning rate": row["rate"],
                "first loss": loss[0] if loss else None,
                "final loss": loss[-1] if loss and row["label"] != "diverged" else None,
                "least-squares loss": data["least_squares_loss"],
                "share of the way": row["share"],
                "epochs run": len(loss),
                "diverged": row["label"] == "diverged",
                "verdict": row["label"],
            }
        )
    verdict = judge(settings, data)
    return StudyResult(
        study="learning_rate",
        title=title_for(rates),
        settings=settings,
        data=data,
        table=table,
        verdict=verdict.text,
        criterion=verdict.criterion,
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
