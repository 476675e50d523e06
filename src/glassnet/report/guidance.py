"""What a reader should look for in each study's report, and what the monitors' quantities mean.

``what_to_look_for(result)`` writes 2–4 sentences from the study's own numbers; a result whose
numbers are not where this module expects them (an older file) gets the study's general advice.

>>> from glassnet.report.guidance import what_to_look_for
>>> what_to_look_for(result)  # doctest: +SKIP
'The curves to compare are the medians: ...'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from glassnet.experiments.result import StudyResult

#: (quantity, definition, what healthy values look like), for the layer-health figure.
MONITOR_DEFINITIONS: tuple[tuple[str, str, str], ...] = (
    (
        "Gradient norm",
        "‖∂L/∂W‖, the Frobenius norm of a layer's kernel gradient, averaged over the epoch's "
        "batches.",
        "Similar orders of magnitude across layers; a layer 100× smaller than the output "
        "layer is learning little (vanishing gradients), a growing one warns of divergence.",
    ),
    (
        "Update ratio",
        "‖ΔW‖/‖W‖: how much one optimizer step changes a layer's kernel relative to its size "
        "(the epoch's first step).",
        "About 10⁻³; 10⁻¹ or more means the learning rate is too large, 10⁻⁶ or less too small.",
    ),
    (
        "Saturation",
        "The fraction of a sigmoid or tanh layer's outputs within a small margin of the "
        "function's limits (0 or 1, −1 or 1), where g′(z) ≈ 0 and the gradient stops.",
        "Below about 0.1; a fraction that climbs towards 1 means the units have stopped learning.",
    ),
    (
        "Dead units",
        "The fraction of a ReLU layer's units whose output is 0 for every sample of an epoch: "
        "their gradient is 0 and they no longer learn.",
        "0 or a few percent; a fraction that grows during training points to a learning rate "
        "that is too large.",
    ),
)

#: figure key → the definitions shown beside that figure.
FIGURE_DEFINITIONS: Mapping[str, tuple[tuple[str, str, str], ...]] = {
    "layer_health": MONITOR_DEFINITIONS,
}


def _pct(x: float) -> str:
    return f"{x:.1%}"


def _activations(result: StudyResult) -> str:
    rows = result.table
    best = min(rows, key=lambda r: float(r["median final loss"]))
    reached = ", ".join(f"{r['activation']} {r['reached threshold']} of {r['runs']}" for r in rows)
    return (
        "Compare the medians (lines) and the spread between seeds (bands and boxes), not single "
        f"runs. Runs that reached the threshold: {reached}; the lowest median final loss is "
        f"{best['activation']}'s ({float(best['median final loss']):.3g}). A difference counts "
        "only if the boxes barely overlap and the test in the criterion agrees."
    )


def _learning_rate(result: StudyResult) -> str:
    rows = result.table
    diverged = [format(float(r["learning rate"]), "g") for r in rows if r["diverged"]]
    finished = [r for r in rows if not r["diverged"] and r["final loss"] is not None]
    text = (
        "Look at how fast each converging curve falls and where it flattens: too small a rate "
        "is still falling at the last epoch, a good one flattens near the least-squares loss. "
    )
    if finished:
        best = min(finished, key=lambda r: float(r["final loss"]))
        text += (
            f"The lowest final loss, {float(best['final loss']):.4g}, came with learning rate "
            f"{float(best['learning rate']):g}. "
        )
    if diverged:
        text += (
            f"{'Rates' if len(diverged) > 1 else 'Rate'} {', '.join(diverged)} diverged: "
            "where a curve leaves the axes it is marked ▲, and its legend entry says "
            "(diverged)."
        )
    else:
        text += "No rate diverged."
    return text.strip()


def _vanishing_gradients(result: StudyResult) -> str:
    ratios = ", ".join(
        f"{r['activation']} {float(r['ratio first/output']):.2g}" for r in result.table
    )
    return (
        "Read the gradient norms from the output layer back towards layer 1: a line that falls "
        "by orders of magnitude is a vanishing gradient, and the first layers then barely "
        f"learn. First-layer over output-layer gradient norm at the first step: {ratios} "
        "(1 means no loss; 10⁻³ means the first layer learns a thousand times slower)."
    )


def _regression(result: StudyResult) -> str:
    values = {(r["model"], r["metric"]): float(r["value"]) for r in result.table}
    neuron = values[("linear neuron (gradient descent)", "MSE")]
    exact = values[("least squares (closed form)", "MSE")]
    return (
        "One neuron trained by gradient descent should land on the textbook solution: compare "
        f"each neuron's number with the reference next to it. The linear neuron's MSE is "
        f"{neuron:.4g} against {exact:.4g} for least squares; a gap that does not close with "
        "more epochs would point to a wrong gradient."
    )


def _shallow(result: StudyResult) -> str:
    accuracies = [float(a) for a in result.data["test_accuracy"]]
    return (
        f"The box holds n = {len(accuracies)} test accuracies, one per data draw "
        f"({_pct(min(accuracies))} to {_pct(max(accuracies))}); the dashed line is the "
        "lesson's single figure. The lesson's number is plausible if it falls within the "
        "spread of the points, not only if it equals the median."
    )


def _mnist(result: StudyResult) -> str:
    accuracy = float(result.data["test_accuracy"])
    history = result.data["history"]
    text = (
        f"Test accuracy is {_pct(accuracy)}. In the training curves, a validation loss that "
        "rises while the training loss keeps falling is overfitting. "
    )
    if "val_loss" in history and len(history["val_loss"]) > 1:
        val = [float(v) for v in history["val_loss"]]
        best = val.index(min(val)) + 1
        text += f"Here the validation loss was lowest at epoch {best} of {len(val)}. "
    text += (
        "In the confusion matrix, the largest numbers off the diagonal are the classes the "
        "network mixes up."
    )
    return text


_GUIDES: Mapping[str, Callable[[StudyResult], str]] = {
    "activations": _activations,
    "learning_rate": _learning_rate,
    "vanishing_gradients": _vanishing_gradients,
    "regression": _regression,
    "shallow": _shallow,
    "mnist": _mnist,
    "train": _mnist,
}

_GENERAL = (
    "Start from the verdict and check it against the summary table: each figure shows the "
    "numbers the verdict rests on. Look at the spread between runs before trusting a "
    "difference between medians."
)


def what_to_look_for(result: StudyResult) -> str:
    """2–4 sentences telling a reader what to look at in this study's figures and table,
    quoting the study's own numbers where it can."""
    guide = _GUIDES.get(result.study)
    if guide is None:
        return _GENERAL
    try:
        return guide(result)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError):
        return _GENERAL  # a result saved by another version: its numbers are elsewhere


def figure_definitions(key: str) -> list[dict[str, Any]]:
    """The definitions shown beside the figure ``key`` (empty for most figures)."""
    return [
        {"term": term, "definition": definition, "healthy": healthy}
        for term, definition, healthy in FIGURE_DEFINITIONS.get(key, ())
    ]
