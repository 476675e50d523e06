"""Study: does tanh make the paper's network converge faster than sigmoid?

The paper trained its 3-2-1 network once with each hidden activation and compared the curves.
Here every activation is trained from many seeds, and the claim is measured: epochs until the
loss first falls below a threshold, and the final loss, with a rank test between the two best.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy.stats import mannwhitneyu

from glassnet.experiments.options import check_hidden_activations
from glassnet.experiments.paper import X, Y, paper_network
from glassnet.experiments.result import StudyResult
from glassnet.experiments.runner import run_many
from glassnet.utils import check_number, check_positive_int

TITLE = "Sigmoid or tanh? Convergence of the paper's 3-2-1 network"


def train_once(activation: str, seed: int, epochs: int, learning_rate: float) -> list[float]:
    """One run: the loss after each epoch of full-batch gradient descent."""
    model = paper_network(activation, seed, learning_rate)
    history = model.fit(X, Y, epochs=epochs, batch_size=len(X), shuffle=False, verbose=0)
    return history.history["loss"]


def epochs_to_threshold(curve: Sequence[float], threshold: float) -> int | None:
    """The first epoch (counting from 1) whose loss is below ``threshold``; None if never."""
    below = np.flatnonzero(np.asarray(curve) < threshold)
    return int(below[0]) + 1 if below.size else None


def run(
    activations: Sequence[str] = ("sigmoid", "tanh"),
    seeds: int = 30,
    epochs: int = 100,
    learning_rate: float = 0.5,
    threshold: float = 0.1,
    first_seed: int = 0,
    n_jobs: int = 1,
) -> StudyResult:
    """Train the paper's network with each hidden activation from ``seeds`` seeds.

    >>> result = run(seeds=5, epochs=50)  # doctest: +SKIP
    >>> print(result.verdict)  # doctest: +SKIP
    """
    activations = list(activations)
    if len(activations) < 2:
        raise ValueError(f"compare at least two activations, got {activations}")
    check_hidden_activations(activations)  # unknown or not element-wise: the accepted list
    seeds = check_positive_int("seeds", seeds)
    epochs = check_positive_int("epochs", epochs)
    learning_rate = check_number("learning_rate", learning_rate, 0.0, low_open=True)
    threshold = check_number("threshold", threshold, 0.0, low_open=True)

    start = time.perf_counter()
    tasks = [
        {"activation": a, "seed": first_seed + s, "epochs": epochs, "learning_rate": learning_rate}
        for a in activations
        for s in range(seeds)
    ]
    runs = run_many(train_once, tasks, n_jobs)
    curves = {a: runs[i * seeds : (i + 1) * seeds] for i, a in enumerate(activations)}
    reached = {a: [epochs_to_threshold(c, threshold) for c in curves[a]] for a in activations}
    finals = {a: [c[-1] for c in curves[a]] for a in activations}
    table = [_row(a, reached[a], finals[a], epochs) for a in activations]
    verdict, p_value = _verdict(activations, reached, finals, epochs, threshold)
    return StudyResult(
        study="activations",
        title=TITLE,
        settings={
            "network": "3 → 2 (hidden activation) → 1 sigmoid, weights and biases ~ U(−1, 1)",
            "data": "the paper's four samples",
            "loss": "mean squared error",
            "optimizer": f"full-batch gradient descent, learning rate {learning_rate}",
            "activations": activations,
            "seeds": seeds,
            "first_seed": first_seed,
            "epochs": epochs,
            "learning_rate": learning_rate,
            "threshold": threshold,
        },
        data={
            "curves": curves,
            "epochs_to_threshold": reached,
            "final_loss": finals,
            "p_value": p_value,
        },
        table=table,
        verdict=verdict,
        seconds=time.perf_counter() - start,
    )


def _median_epochs(reached: Sequence[int | None]) -> float:
    """Median epochs-to-threshold, counting runs that never got there as infinitely slow."""
    return float(np.median([math.inf if r is None else r for r in reached]))


def _row(name: str, reached: list[int | None], finals: list[float], epochs: int) -> dict[str, Any]:
    got = [r for r in reached if r is not None]
    median = _median_epochs(reached)
    q1, q3 = np.percentile(finals, [25, 75])
    return {
        "activation": name,
        "runs": len(reached),
        "reached threshold": len(got),
        "median epochs to threshold": median if math.isfinite(median) else f"> {epochs}",
        "fastest run (epochs)": min(got) if got else None,
        "median final loss": float(np.median(finals)),
        "final loss IQR": f"{q1:.4g} – {q3:.4g}",
    }


def _describe(median: float, epochs: int) -> str:
    return f"{median:g} epochs" if math.isfinite(median) else f"more than {epochs} epochs"


def _verdict(
    names: list[str],
    reached: dict[str, list[int | None]],
    finals: dict[str, list[float]],
    epochs: int,
    threshold: float,
) -> tuple[str, float]:
    """Rank by median epochs-to-threshold (then median final loss), test the top two."""
    ranked = sorted(names, key=lambda a: (_median_epochs(reached[a]), np.median(finals[a])))
    best, second = ranked[0], ranked[1]
    p_value = float(mannwhitneyu(finals[best], finals[second], alternative="two-sided").pvalue)
    n_best = sum(r is not None for r in reached[best])
    n_second = sum(r is not None for r in reached[second])
    evidence = (
        f"{best} reached MSE < {threshold:g} in a median of "
        f"{_describe(_median_epochs(reached[best]), epochs)} ({n_best}/{len(reached[best])} "
        f"seeds), {second} in {_describe(_median_epochs(reached[second]), epochs)} "
        f"({n_second}/{len(reached[second])} seeds); median final loss "
        f"{np.median(finals[best]):.4g} against {np.median(finals[second]):.4g} "
        f"(Mann–Whitney U test on final losses: p = {p_value:.2g}, "
        f"{len(finals[best])} seeds each)."
    )
    same_speed = _median_epochs(reached[best]) == _median_epochs(reached[second])
    if p_value < 0.01 and not same_speed:
        return f"{best} converges faster than {second}: {evidence}", p_value
    return f"No clear difference between {best} and {second}: {evidence}", p_value


def sections(result: StudyResult) -> list[tuple[str, str]]:
    """One training step of the network with each of the first two activations, explained."""
    from glassnet import config

    settings = result.settings
    out = []
    for name in settings["activations"][:2]:
        with config.floatx_scope("float64"):
            model = paper_network(name, settings["first_seed"], settings["learning_rate"])
            steps = model.explain(X, Y)
        out.append(
            (
                f"One training step with {name} hidden units (seed "
                f"{settings['first_seed']}), every number shown",
                steps.to_text(),
            )
        )
    return out


def figures(result: StudyResult) -> dict[str, Any]:
    """The study's figures, redrawn from its raw numbers."""
    from glassnet import plots

    data, settings = result.data, result.settings
    reached = {
        a: [r for r in data["epochs_to_threshold"][a] if r is not None]
        for a in settings["activations"]
    }
    return {
        "loss_curves": plots.loss_curves(
            data["curves"],
            title=f"Loss of the 3-2-1 network over {settings['seeds']} seeds (median, IQR)",
            ylabel="loss (MSE)",
            threshold=settings["threshold"],
        ),
        "final_loss": plots.final_values(
            data["final_loss"],
            ylabel="final loss (MSE)",
            title=f"Loss after {settings['epochs']} epochs, one point per seed",
        ),
        "epochs_to_threshold": plots.final_values(
            reached,
            ylabel="epochs",
            title=f"Epochs until MSE < {settings['threshold']:g} (runs that got there)",
        ),
        "gradients_compared": plots.activation_panels(settings["activations"]),
    }
