"""Study: does tanh make the paper's network converge faster than sigmoid?

The paper trained its 3-2-1 network once with each hidden activation and compared the curves.
Here every activation is trained from many seeds, and the claim is measured: epochs until the
loss first falls below a threshold, and the final loss, with a rank test between the two best.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from scipy.stats import mannwhitneyu

from glassnet.experiments.contract import N_JOBS, Annotated, Param, study
from glassnet.experiments.options import check_hidden_activations
from glassnet.experiments.paper import X, Y, paper_network
from glassnet.experiments.result import StudyResult, Verdict
from glassnet.experiments.runner import run_many

TITLE = "Sigmoid or tanh? Convergence of the paper's 3-2-1 network"
# The faster activation must differ in median epochs and pass a two-sided rank test at this level.
SIGNIFICANCE = 0.01


def title_for(activations: Sequence[str]) -> str:
    """The study's title, naming the activations compared ("Sigmoid or tanh? …" for those two)."""
    names = list(activations)
    if sorted(names) == ["sigmoid", "tanh"]:
        return TITLE
    listed = f"{', '.join(names[:-1])} or {names[-1]}" if len(names) > 1 else names[0]
    faster = "faster" if len(names) == 2 else "fastest"
    return f"Which hidden activation converges {faster}: {listed}? The paper's 3-2-1 network"


def train_once(activation: str, seed: int, epochs: int, learning_rate: float) -> list[float]:
    """One run: the loss after each epoch of full-batch gradient descent."""
    model = paper_network(activation, seed, learning_rate)
    history = model.fit(X, Y, epochs=epochs, batch_size=len(X), shuffle=False, verbose=0)
    return history.history["loss"]


def epochs_to_threshold(curve: Sequence[float], threshold: float) -> int | None:
    """The first epoch (counting from 1) whose loss is below ``threshold``; None if never."""
    below = np.flatnonzero(np.asarray(curve) < threshold)
    return int(below[0]) + 1 if below.size else None


@study("activations", title=TITLE)
def run(
    activations: Annotated[
        Sequence[str],
        Param(
            "Element-wise hidden activations to compare: sigmoid, tanh, relu, leaky_relu, "
            "linear, ….",
            min_items=2,
            check=check_hidden_activations,
        ),
    ] = ("sigmoid", "tanh"),
    seeds: Annotated[int, Param("Seeds (initial weights) per activation.", low=1)] = 30,
    epochs: Annotated[int, Param("Epochs of full-batch gradient descent.", low=1)] = 100,
    learning_rate: Annotated[float, Param("Learning rate.", low=0, low_open=True)] = 0.5,
    threshold: Annotated[
        float, Param("Loss (MSE) whose first crossing counts as converged.", low=0, low_open=True)
    ] = 0.1,
    first_seed: Annotated[int, Param("The first of the seeds.", low=0)] = 0,
    n_jobs: Annotated[int, N_JOBS] = 1,
) -> StudyResult:
    """Sigmoid vs tanh (and others) on the paper's 3-2-1 network, over many seeds.

    Every option is checked (activations known, element-wise and given once) before any
    training.

    >>> result = run(seeds=5, epochs=50)  # doctest: +SKIP
    >>> print(result.verdict)  # doctest: +SKIP
    """
    activations = list(activations)
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
    settings = {
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
        "significance": SIGNIFICANCE,
    }
    p_value = _top_two(settings, curves)[2]
    verdict = judge(settings, {"curves": curves})
    return StudyResult(
        study="activations",
        title=title_for(activations),
        settings=settings,
        data={
            "curves": curves,
            "epochs_to_threshold": reached,
            "final_loss": finals,
            "p_value": p_value,
        },
        table=table,
        verdict=verdict.text,
        criterion=verdict.criterion,
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


def _top_two(
    settings: Mapping[str, Any], curves: Mapping[str, Sequence[Sequence[float]]]
) -> tuple[str, str, float | None]:
    """The two fastest activations (by median epochs-to-threshold, then median final loss) and
    the two-sided Mann–Whitney U p-value on their final losses (None with one seed)."""
    names, threshold = settings["activations"], settings["threshold"]
    reached = {a: [epochs_to_threshold(c, threshold) for c in curves[a]] for a in names}
    finals = {a: [c[-1] for c in curves[a]] for a in names}
    ranked = sorted(names, key=lambda a: (_median_epochs(reached[a]), np.median(finals[a])))
    best, second = ranked[0], ranked[1]
    if settings["seeds"] < 2:
        return best, second, None
    p_value = float(mannwhitneyu(finals[best], finals[second], alternative="two-sided").pvalue)
    return best, second, p_value


def judge(settings: Mapping[str, Any], data: Mapping[str, Any]) -> Verdict:
    """The verdict from the saved loss curves: rank by median epochs-to-threshold (then median
    final loss), and test the two fastest with a Mann–Whitney U test on their final losses."""
    curves = data["curves"]
    epochs, threshold = settings["epochs"], settings["threshold"]
    significance = settings.get("significance", SIGNIFICANCE)
    best, second, p_value = _top_two(settings, curves)
    reached = {a: [epochs_to_threshold(c, threshold) for c in curves[a]] for a in (best, second)}
    finals = {a: [c[-1] for c in curves[a]] for a in (best, second)}
    seeds = len(finals[best])
    criterion = (
        f"Activations are ranked by the median number of epochs until the loss first falls below "
        f"{threshold:g} (then by median final loss). The fastest converges faster than the "
        f"second when their medians differ and a two-sided Mann–Whitney U test on their final "
        f"losses over the seeds gives p < {significance:g}; with one seed no difference can be "
        "tested."
    )
    n_best = sum(r is not None for r in reached[best])
    n_second = sum(r is not None for r in reached[second])
    evidence = (
        f"{best} reached MSE < {threshold:g} in a median of "
        f"{_describe(_median_epochs(reached[best]), epochs)} ({n_best}/{seeds} "
        f"seeds), {second} in {_describe(_median_epochs(reached[second]), epochs)} "
        f"({n_second}/{seeds} seeds); median final loss "
        f"{np.median(finals[best]):.4g} against {np.median(finals[second]):.4g}"
    )
    if p_value is None:
        return Verdict(
            f"With one seed per activation no difference can be tested: {evidence}.", criterion
        )
    evidence += f" (Mann–Whitney U test on final losses: p = {p_value:.2g}, {seeds} seeds each)."
    same_speed = _median_epochs(reached[best]) == _median_epochs(reached[second])
    if p_value < significance and not same_speed:
        return Verdict(f"{best} converges faster than {second}: {evidence}", criterion)
    return Verdict(f"No clear difference between {best} and {second}: {evidence}", criterion)


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
            xlabel="hidden activation",
            title=f"Loss after {settings['epochs']} epochs, one point per seed",
        ),
        "epochs_to_threshold": plots.final_values(
            reached,
            ylabel="epochs",
            xlabel="hidden activation",
            title=f"Epochs until MSE < {settings['threshold']:g} (runs that got there)",
        ),
        "gradients_compared": plots.activation_panels(settings["activations"]),
    }
