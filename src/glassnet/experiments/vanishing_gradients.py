"""Study: gradients vanish in deep sigmoid networks, not in ReLU ones.

Backpropagation multiplies, layer after layer, by W⁽ˡ⁾ᵀ and by g'(Z⁽ˡ⁾). The sigmoid's derivative
is at most 1/4, so in a deep sigmoid network ‖∂L/∂W⁽ˡ⁾‖ shrinks geometrically towards the
input; tanh's (at most 1) and ReLU's (0 or 1) let it through. The study measures the gradient
norm of every layer of a deep MLP at the first step and over training.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from sklearn.datasets import make_classification

import glassnet as gn
from glassnet import layers, models, monitors, optimizers
from glassnet.experiments.contract import N_JOBS, Annotated, Param, study
from glassnet.experiments.options import check_hidden_activations
from glassnet.experiments.result import StudyResult, Verdict
from glassnet.experiments.runner import run_many

TITLE = "Vanishing gradients: gradient norm per layer in a deep network"
# The gradient "vanishes" when the first layer's norm is below this fraction of the output's.
VANISHING_RATIO = 1e-2


def train_once(
    activation: str, depth: int, width: int, epochs: int, learning_rate: float, seed: int
) -> dict[str, Any]:
    """Train one deep MLP; return per-layer kernel-gradient norms and the loss curve."""
    x, y = make_classification(n_samples=1000, n_features=20, n_informative=10, random_state=seed)
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    gn.set_seed(seed)
    model = models.Sequential([layers.Dense(width, activation=activation, input_dim=20)])
    for _ in range(depth - 1):
        model.add(layers.Dense(width, activation=activation))
    model.add(layers.Dense(1, activation="sigmoid"))
    model.compile(
        optimizer=optimizers.SGD(learning_rate), loss="binary_crossentropy", metrics=["accuracy"]
    )
    monitor = monitors.GradientNormMonitor()
    history = model.fit(x, y, epochs=epochs, batch_size=32, verbose=0, callbacks=[monitor])
    return {
        "first_step": monitor.first_step,
        "over_training": monitor.epochs,
        "loss": history.history["loss"],
        "accuracy": history.history["accuracy"],
    }


def judge(settings: Mapping[str, Any], data: Mapping[str, Any]) -> Verdict:
    """The verdict from the saved first-step gradient norms: the ratio of the first layer's
    to the output layer's, for each activation."""
    runs = data["runs"]
    ratios = {a: float(runs[a]["first_step"][0] / runs[a]["first_step"][-1]) for a in runs}
    smallest = min(ratios, key=ratios.__getitem__)
    largest = max(ratios, key=ratios.__getitem__)
    criterion = (
        "The gradient vanishes towards the input when, at the first step, the first layer's "
        "gradient norm ‖∂L/∂W⁽¹⁾‖ is less than "
        f"{VANISHING_RATIO:g} times the output layer's (one seed, the same data and "
        "initialiser for every activation)."
    )
    text = (
        f"At the first step, the first layer's gradient is {ratios[smallest]:.2g} times the "
        f"output layer's with {smallest}, against {ratios[largest]:.2g} with {largest}: "
    )
    vanishing = [a for a in runs if ratios[a] < VANISHING_RATIO]
    if vanishing:
        text += (
            "the gradient vanishes towards the input in the "
            + ", ".join(
                f"{a} network ({np.log10(1 / ratios[a]):.1f} orders of magnitude)"
                for a in sorted(vanishing, key=ratios.__getitem__)
            )
            + "."
        )
    else:
        text += "no activation shows a vanishing gradient here."
    return Verdict(text, criterion)


@study("vanishing_gradients", title=TITLE)
def run(
    activations: Annotated[
        Sequence[str],
        Param("Element-wise hidden activations to compare.", check=check_hidden_activations),
    ] = ("sigmoid", "tanh", "relu"),
    depth: Annotated[int, Param("Hidden layers.", low=1, high=100)] = 10,
    width: Annotated[int, Param("Units per hidden layer.", low=1, high=4096)] = 32,
    epochs: Annotated[int, Param("Epochs of mini-batch gradient descent.", low=1)] = 20,
    learning_rate: Annotated[float, Param("Learning rate.", low=0, low_open=True)] = 0.1,
    seed: Annotated[int, Param("Seed of the data and the initial weights.", low=0)] = 0,
    n_jobs: Annotated[int, N_JOBS] = 1,
) -> StudyResult:
    """Gradient norm per layer of a deep MLP with each activation."""
    start = time.perf_counter()
    tasks = [
        dict(
            activation=a,
            depth=depth,
            width=width,
            epochs=epochs,
            learning_rate=learning_rate,
            seed=seed,
        )
        for a in activations
    ]
    runs = dict(zip(activations, run_many(train_once, tasks, n_jobs), strict=True))
    table = []
    for name, r in runs.items():
        first = np.asarray(r["first_step"])
        table.append(
            {
                "activation": name,
                "‖dW‖ first layer": float(first[0]),
                "‖dW‖ last hidden layer": float(first[depth - 1]),
                "‖dW‖ output layer": float(first[-1]),
                "ratio first/output": float(first[0] / first[-1]),
                "final loss": r["loss"][-1],
                "final accuracy": r["accuracy"][-1],
            }
        )
    verdict = judge({"activations": list(activations)}, {"runs": runs})
    return StudyResult(
        study="vanishing_gradients",
        title=TITLE,
        settings={
            "network": f"20 → {depth} hidden layers of {width} → 1 sigmoid (Glorot uniform)",
            "data": "make_classification, 1000 samples, 20 features (standardised)",
            "loss": "binary cross-entropy",
            "optimizer": f"SGD, learning rate {learning_rate}, batch 32",
            "activations": list(activations),
            "depth": depth,
            "width": width,
            "epochs": epochs,
            "learning_rate": learning_rate,
            "seed": seed,
        },
        data={"runs": runs},
        table=table,
        verdict=verdict.text,
        criterion=verdict.criterion,
        seconds=time.perf_counter() - start,
    )


def figures(result: StudyResult) -> dict[str, Any]:
    from glassnet import plots

    runs = result.data["runs"]
    out = {
        "first_step": plots.gradient_norms(
            {a: r["first_step"] for a, r in runs.items()},
            title="Gradient norm per layer at the first step",
        )
    }
    for name, r in runs.items():
        out[f"over_training_{name}"] = plots.gradient_norms_over_training(
            np.asarray(r["over_training"]), label=name
        )
    return out
