"""Matplotlib figures for teaching: loss curves, activations, gradients, decision boundaries.

Every function draws into ``ax`` when one is given and otherwise makes a new
:class:`matplotlib.figure.Figure` (constrained layout, slide-readable fonts); either way it
returns the Figure. New figures are not registered with pyplot, so no global state grows and
any backend works: in Jupyter a returned Figure displays itself, in a script save it with
:func:`save_figure`, or pass ``ax=`` from your own ``plt.subplots()`` and call ``plt.show()``.

>>> from glassnet import plots
>>> fig = plots.loss_curves({"tanh": [[0.7, 0.4, 0.2], [0.8, 0.5, 0.3]]})
>>> paths = plots.save_figure(fig, "loss")  # loss.png, loss.svg  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from matplotlib import colormaps, rc_context
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.colors import BoundaryNorm, Colormap, LinearSegmentedColormap
from matplotlib.figure import Figure, SubFigure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from glassnet import activations

TITLE_SIZE = 14
LABEL_SIZE = 12
TICK_SIZE = 11
LEGEND_SIZE = 11
SUPTITLE_SIZE = 15

Runs = Sequence[Sequence[float]] | Sequence[float] | np.ndarray


class _HasHistory(Protocol):
    history: Mapping[str, Sequence[float]]


HistoryLike = Mapping[str, Sequence[float]] | _HasHistory


# --------------------------------------------------------------------------- helpers


def _new_figure(figsize: tuple[float, float] = (7.0, 4.5)) -> Figure:
    return Figure(figsize=figsize, layout="constrained")


def _figure_and_axes(
    ax: Axes | None, figsize: tuple[float, float] = (7.0, 4.5)
) -> tuple[Figure, Axes]:
    """The root Figure of ``ax``, or a new Figure with one Axes."""
    if ax is None:
        fig = _new_figure(figsize)
        return fig, fig.add_subplot()
    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes or None, got {type(ax).__name__}")
    root = ax.figure
    while isinstance(root, SubFigure):
        root = root.figure  # a SubFigure's .figure is the root Figure
    if not isinstance(root, Figure):
        raise ValueError("ax is not attached to a Figure")
    return root, ax


def _decorate(
    ax: Axes,
    title: str | None,
    xlabel: str,
    ylabel: str,
    legend: bool = True,
    legend_title: str | None = None,
) -> None:
    """Title, axis labels, tick sizes, light grid and legend, all slide-readable."""
    if title:
        ax.set_title(title, fontsize=TITLE_SIZE)
    ax.set_xlabel(xlabel, fontsize=LABEL_SIZE)
    ax.set_ylabel(ylabel, fontsize=LABEL_SIZE)
    ax.tick_params(which="both", labelsize=TICK_SIZE)
    ax.grid(True, alpha=0.3)
    if legend and ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=LEGEND_SIZE, title=legend_title, title_fontsize=LEGEND_SIZE)


def _pad_runs(runs: Runs, label: str) -> np.ndarray:
    """Runs of possibly different lengths → float array (runs, longest), NaN after a run ends.

    Non-finite values (a diverged run) also become NaN: they are not losses one can take a
    median of.
    """
    if isinstance(runs, np.ndarray) and runs.ndim == 2:
        rows = [np.asarray(r, dtype=np.float64) for r in runs]
    else:
        seq = list(runs)
        if seq and np.ndim(seq[0]) == 0:
            seq = [seq]  # one run given as a flat list
        rows = [np.asarray(r, dtype=np.float64) for r in seq]
    if not rows or any(r.ndim != 1 for r in rows):
        shapes = [r.shape for r in rows]
        raise ValueError(
            f"curves[{label!r}] must be a list of runs, each a list of per-epoch values "
            f"(shape (runs, epochs)); got {len(rows)} runs with shapes {shapes}"
        )
    longest = max(len(r) for r in rows)
    if longest == 0:
        raise ValueError(f"curves[{label!r}] has no epochs: every run is empty")
    padded = np.full((len(rows), longest), np.nan)
    for i, r in enumerate(rows):
        padded[i, : len(r)] = r
    padded[~np.isfinite(padded)] = np.nan
    return padded


def _median_and_quartiles(padded: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-epoch median, 25th and 75th percentile over the runs that reached the epoch.

    Epochs no run reached with a finite value are NaN (computed only where data exist, so
    NumPy warns about no all-NaN slice).
    """
    epochs = padded.shape[1]
    median, q25, q75 = (np.full(epochs, np.nan) for _ in range(3))
    has_data = np.isfinite(padded).any(axis=0)
    if has_data.any():
        cols = padded[:, has_data]
        median[has_data] = np.nanmedian(cols, axis=0)
        q25[has_data], q75[has_data] = np.nanpercentile(cols, [25, 75], axis=0)
    return median, q25, q75


def _history_dict(history: HistoryLike) -> Mapping[str, Sequence[float]]:
    """A History callback (``.history``) or a plain dict → the dict."""
    inner = getattr(history, "history", history)
    if not isinstance(inner, Mapping):
        raise TypeError(
            "history must be a dict of metric name → per-epoch values or a History object, "
            f"got {type(history).__name__}"
        )
    return inner


def _sequential_colors(cmap: str | Colormap, n: int) -> list[tuple[float, float, float, float]]:
    """n colours along a sequential colormap, skipping its palest end (unreadable on white)."""
    cm = colormaps[cmap] if isinstance(cmap, str) else cmap
    return [cm(v) for v in np.linspace(0.0, 0.85, n)] if n > 1 else [cm(0.0)]


# --------------------------------------------------------------------------- training curves


def loss_curves(
    curves: Mapping[str, Runs],
    ax: Axes | None = None,
    title: str = "Loss during training",
    ylabel: str = "loss",
    logy: bool = False,
    threshold: float | None = None,
    xlabel: str = "epoch",
) -> Figure:
    """Median over runs (line) and interquartile range 25–75 % (band) per epoch, per label.

    Runs may have different lengths (early stopping): at each epoch the median and quartiles
    are taken over the runs that reached it.

    Args:
        curves: label → runs, each run a list of per-epoch values (shape (runs, epochs)).
        logy: log-scale y axis.
        threshold: draw a dashed horizontal line at this value, e.g. a target loss.

    >>> fig = loss_curves({"relu": [[1.0, 0.5], [0.9, 0.4, 0.2]]}, threshold=0.3)
    """
    if not curves:
        raise ValueError("curves is empty: expected a mapping label → runs")
    fig, ax = _figure_and_axes(ax)
    band_shown = False
    for i, (label, runs) in enumerate(curves.items()):
        padded = _pad_runs(runs, str(label))
        median, q25, q75 = _median_and_quartiles(padded)
        epochs = np.arange(1, padded.shape[1] + 1)
        color = f"C{i % 10}"
        if padded.shape[0] > 1:
            ax.fill_between(epochs, q25, q75, color=color, alpha=0.25, linewidth=0)
            band_shown = True
        ax.plot(epochs, median, color=color, linewidth=2, label=str(label))
    if threshold is not None:
        ax.axhline(
            threshold, color="0.3", linestyle="--", linewidth=1.5, label=f"threshold {threshold:g}"
        )
    if logy:
        ax.set_yscale("log")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ylabel_full = f"{ylabel} (median over runs)" if band_shown else ylabel
    _decorate(ax, title, xlabel, ylabel_full, legend=False)
    handles, labels = ax.get_legend_handles_labels()
    if band_shown:
        handles.append(Patch(facecolor="0.5", alpha=0.25, label="middle 50 % of runs"))
        labels.append("middle 50 % of runs")
    ax.legend(handles, labels, fontsize=LEGEND_SIZE)
    return fig


def history_curves(
    history: HistoryLike,
    metric: str = "loss",
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Training ``metric`` and, if recorded, ``val_<metric>`` against epoch (1, 2, …).

    Args:
        history: ``model.fit(...).history`` (a dict metric → per-epoch values) or the History.
    """
    hist = _history_dict(history)
    if metric not in hist:
        raise ValueError(f"history has no {metric!r}; recorded metrics: {sorted(hist)}")
    fig, ax = _figure_and_axes(ax)
    for key, label, style in ((metric, "training", "-"), (f"val_{metric}", "validation", "--")):
        if key in hist:
            values = np.asarray(hist[key], dtype=np.float64)
            epochs = np.arange(1, len(values) + 1)
            ax.plot(epochs, values, style, linewidth=2, marker="o", markersize=3, label=label)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    readable = metric.replace("_", " ")
    _decorate(ax, title if title is not None else f"{readable} per epoch", "epoch", readable)
    return fig


def training_history(
    history: HistoryLike,
    metrics: Sequence[str] | None = None,
    title: str = "Training history",
) -> Figure:
    """One panel per metric (loss, accuracy, …), each with training and validation curves.

    Args:
        metrics: the metrics to show; default every recorded one except the ``val_`` ones.
    """
    hist = _history_dict(history)
    names = list(metrics) if metrics is not None else [k for k in hist if not k.startswith("val_")]
    if not names:
        raise ValueError(f"no metrics to plot; recorded metrics: {sorted(hist)}")
    # at most two panels a row, so that the fonts stay readable at a page's width
    columns = min(2, len(names))
    rows = -(-len(names) // columns)
    fig = _new_figure((5.0 * columns, 4.2 * rows))
    axes = fig.subplots(rows, columns, squeeze=False).ravel()
    for metric, ax in zip(names, axes, strict=False):
        history_curves(hist, metric, ax=ax)
    for ax in axes[len(names) :]:
        ax.remove()
    fig.suptitle(title, fontsize=SUPTITLE_SIZE)
    return fig


# --------------------------------------------------------------------------- activations


def _activation_curves(
    names: Sequence[str | activations.Activation], z: np.ndarray
) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(label, g(z), g'(z)) for each element-wise activation."""
    out = []
    for name in names:
        act = activations.get(name)
        if isinstance(act, activations.Softmax):
            raise ValueError("softmax is not element-wise: it cannot be drawn as a curve g(z)")
        a = np.asarray(act(z))
        d = np.asarray(act.derivative(z, a))
        if a.shape != z.shape or d.shape != z.shape:
            raise ValueError(
                f"activation {name!r} is not element-wise: g(z) has shape {a.shape} and g'(z) "
                f"{d.shape} for z of shape {z.shape}"
            )
        out.append((name if isinstance(name, str) else act.name, a, d))
    return out


def activation_functions(
    names: Sequence[str | activations.Activation] = ("sigmoid", "tanh", "relu", "leaky_relu"),
    z_range: tuple[float, float] = (-5.0, 5.0),
    ax: Axes | None = None,
    title: str = "Activations and their gradients",
    num: int = 501,
) -> Figure:
    """Each activation g(z) (solid) and its derivative g'(z) (dashed, same colour) on one axes.

    The derivative is what backpropagation multiplies by at every layer: σ'(z) ≤ 0.25 and
    tanh'(z) ≤ 1 shrink gradients, ReLU passes them unchanged where z > 0.
    """
    z = np.linspace(z_range[0], z_range[1], num)
    fig, ax = _figure_and_axes(ax)
    for i, (label, a, d) in enumerate(_activation_curves(names, z)):
        color = f"C{i % 10}"
        ax.plot(z, a, color=color, linewidth=2, label=f"{label}: g(z)")
        ax.plot(z, d, color=color, linewidth=2, linestyle="--", label=f"{label}: g′(z)")
    _decorate(ax, title, "z (pre-activation)", "g(z) solid,  g′(z) dashed")
    return fig


def activation_panels(
    names: Sequence[str | activations.Activation] = ("sigmoid", "tanh", "relu", "leaky_relu"),
    z_range: tuple[float, float] = (-5.0, 5.0),
    title: str = "Activation functions and their derivatives",
    num: int = 501,
) -> Figure:
    """Two panels side by side: the functions g(z) left, their derivatives g'(z) right."""
    z = np.linspace(z_range[0], z_range[1], num)
    fig = _new_figure((11.0, 4.5))
    left, right = fig.subplots(1, 2, sharex=True)
    for i, (label, a, d) in enumerate(_activation_curves(names, z)):
        color = f"C{i % 10}"
        left.plot(z, a, color=color, linewidth=2, label=label)
        right.plot(z, d, color=color, linewidth=2, label=label)
    _decorate(left, "function g(z)", "z (pre-activation)", "g(z)")
    _decorate(right, "derivative g′(z)", "z (pre-activation)", "g′(z)")
    fig.suptitle(title, fontsize=SUPTITLE_SIZE)
    return fig


# --------------------------------------------------------------------------- gradients


def gradient_norms(
    norms: Mapping[str, Sequence[float]],
    ax: Axes | None = None,
    title: str = "Gradient norm per layer",
    ylabel: str = "gradient norm ‖∂L/∂W‖",
) -> Figure:
    """Gradient norm against layer index (1 = nearest the input), log y, one line per label.

    A line that falls towards layer 1 shows vanishing gradients: by the chain rule, the
    gradient of an early layer is a product of one derivative factor per later layer.
    """
    if not norms:
        raise ValueError("norms is empty: expected a mapping label → per-layer norms")
    fig, ax = _figure_and_axes(ax)
    for label, values in norms.items():
        y = np.asarray(values, dtype=np.float64)
        if y.ndim != 1:
            raise ValueError(f"norms[{label!r}] must be 1-D (one value per layer), got {y.shape}")
        ax.plot(np.arange(1, len(y) + 1), y, marker="o", linewidth=2, label=str(label))
    ax.set_yscale("log")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    _decorate(ax, title, "layer (1 = nearest the input)", ylabel)
    return fig


def gradient_norms_over_training(
    norms: np.ndarray | Sequence[Sequence[float]],
    ax: Axes | None = None,
    label: str | None = None,
    title: str | None = None,
    ylabel: str = "gradient norm ‖∂L/∂W‖",
    cmap: str | Colormap = "viridis",
) -> Figure:
    """One line per layer over epochs (log y), coloured from input (dark) to output layer.

    Args:
        norms: shape (epochs, layers): the gradient norm of each layer at each epoch.
        label: what was trained, e.g. the activation "sigmoid"; shown in the default title.
    """
    values = np.asarray(norms, dtype=np.float64)
    if values.ndim != 2 or values.size == 0:
        raise ValueError(
            f"norms must have shape (epochs, layers) with at least one value, got {values.shape}"
        )
    fig, ax = _figure_and_axes(ax)
    epochs = np.arange(1, values.shape[0] + 1)
    n_layers = values.shape[1]
    colors = _sequential_colors(cmap, n_layers)
    for layer in range(n_layers):
        ax.plot(
            epochs, values[:, layer], color=colors[layer], linewidth=2, label=f"layer {layer + 1}"
        )
    ax.set_yscale("log")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if title is None:
        title = "Gradient norm per layer during training" + (f": {label}" if label else "")
    _decorate(ax, title, "epoch", ylabel, legend=False)
    # a discrete colorbar: one colour band per layer, ticks at the layer numbers
    listed = LinearSegmentedColormap.from_list("layers", colors, N=n_layers)
    norm = BoundaryNorm(np.arange(0.5, n_layers + 1.5), ncolors=n_layers)
    bar = ax.figure.colorbar(ScalarMappable(norm=norm, cmap=listed), ax=ax)
    bar.set_label("layer (1 = nearest the input)", fontsize=LABEL_SIZE)
    bar.ax.tick_params(labelsize=TICK_SIZE)
    bar.set_ticks(list(MaxNLocator(integer=True).tick_values(1, n_layers)))
    return fig


# --------------------------------------------------------------------------- classification


def _class_labels(y: np.ndarray, name: str) -> np.ndarray:
    """Integer labels from labels, a column, one-hot rows or probabilities (argmax)."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
        if np.issubdtype(y.dtype, np.floating) and not np.all(y == np.round(y)):
            y = y >= 0.5  # one probability per sample
        return y.astype(int)
    if y.ndim == 2:
        return np.argmax(y, axis=1)
    if y.ndim != 1:
        raise ValueError(f"{name} must be labels (n,) or one-hot (n, k), got shape {y.shape}")
    return y


def decision_boundary(
    predict: Callable[[np.ndarray], np.ndarray],
    x: np.ndarray,
    y: np.ndarray,
    ax: Axes | None = None,
    resolution: int = 200,
    title: str | None = None,
    margin: float = 0.1,
    xlabel: str = "x₁",
    ylabel: str = "x₂",
) -> Figure:
    """Filled contour of the prediction over a grid around the data, data points on top.

    Several outputs (one per class) → the predicted class ``argmax`` per grid point; a single
    float output → the predicted probability, with the 0.5 contour drawn as the boundary;
    integer outputs → the class itself.

    Args:
        predict: maps an array (m, 2) to predictions (m,), (m, 1) or (m, k), e.g.
            ``model.predict``.
        x: the inputs, shape (n, 2); the grid spans them plus ``margin`` of their range.
        y: their labels (n,) or one-hot (n, k), used to colour the points.
    """
    x = np.asarray(x)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"decision_boundary needs 2-D inputs, x of shape (n, 2); got {x.shape}")
    labels = _class_labels(np.asarray(y), "y")
    if labels.shape[0] != x.shape[0]:
        raise ValueError(f"x has {x.shape[0]} samples but y has {labels.shape[0]}")
    if resolution < 2:
        raise ValueError(f"resolution must be at least 2, got {resolution}")
    fig, ax = _figure_and_axes(ax, figsize=(6.0, 5.0))

    lo, hi = x.min(axis=0).astype(np.float64), x.max(axis=0).astype(np.float64)
    pad = np.where(hi > lo, (hi - lo) * margin, 0.5)
    g0, g1 = (np.linspace(lo[i] - pad[i], hi[i] + pad[i], resolution) for i in range(2))
    xx, yy = np.meshgrid(g0, g1)
    dtype = x.dtype if np.issubdtype(x.dtype, np.floating) else np.float64
    grid = np.column_stack([xx.ravel(), yy.ravel()]).astype(dtype)
    out = np.asarray(predict(grid))
    if out.shape[0] != grid.shape[0]:
        raise ValueError(f"predict returned {out.shape[0]} predictions for {grid.shape[0]} points")

    classes = np.unique(labels)
    n_colors = int(max(classes.max() + 1, out.shape[1] if out.ndim == 2 else 2))
    class_colors = [f"C{c % 10}" for c in range(n_colors)]
    if (out.ndim == 2 and out.shape[1] > 1) or np.issubdtype(out.dtype, np.integer):
        pred = np.argmax(out, axis=1) if out.ndim == 2 and out.shape[1] > 1 else out.ravel()
        levels = np.arange(n_colors + 1) - 0.5
        ax.contourf(xx, yy, pred.reshape(xx.shape), levels=levels, colors=class_colors, alpha=0.3)
    else:
        prob = out.reshape(xx.shape).astype(np.float64)
        cmap = LinearSegmentedColormap.from_list("gn_prob", ["C0", "white", "C1"])
        finite = prob[np.isfinite(prob)]
        low, high = (
            (0.0, 1.0) if finite.size == 0 else (min(0.0, finite.min()), max(1.0, finite.max()))
        )
        filled = ax.contourf(xx, yy, prob, levels=np.linspace(low, high, 11), cmap=cmap, alpha=0.6)
        if finite.size and finite.min() < 0.5 < finite.max():
            ax.contour(xx, yy, prob, levels=[0.5], colors="k", linewidths=1.5)
        bar = ax.figure.colorbar(filled, ax=ax)
        bar.set_label("predicted output (0.5 = boundary)", fontsize=LABEL_SIZE)
        bar.ax.tick_params(labelsize=TICK_SIZE)
    for c in classes:
        mask = labels == c
        ax.scatter(
            x[mask, 0],
            x[mask, 1],
            color=class_colors[int(c) % len(class_colors)],
            edgecolors="k",
            linewidths=0.5,
            s=25,
            label=f"class {c}",
        )
    ax.set_xlim(g0[0], g0[-1])
    ax.set_ylim(g1[0], g1[-1])
    _decorate(ax, title if title is not None else "Decision boundary", xlabel, ylabel)
    ax.grid(False)
    return fig


def confusion_matrix(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    labels: Sequence[Any] | None = None,
    ax: Axes | None = None,
    normalize: str | None = None,
    title: str = "Confusion matrix",
    display_labels: Sequence[str] | None = None,
) -> Figure:
    """Counts of (true class, predicted class) pairs, drawn by scikit-learn's display.

    Row i, column j counts the samples of class i predicted as class j; the diagonal is what
    was right. One-hot or probability arrays are reduced to classes with argmax.

    Args:
        normalize: None (counts), "true" (rows sum to 1), "pred" (columns) or "all".
        display_labels: the classes' names for the ticks ("T-shirt/top", …), in class order.
    """
    from sklearn.metrics import ConfusionMatrixDisplay

    if normalize not in (None, "true", "pred", "all"):
        raise ValueError(f"normalize must be None, 'true', 'pred' or 'all', got {normalize!r}")
    t, p = _class_labels(y_true, "y_true"), _class_labels(y_pred, "y_pred")
    if t.shape != p.shape:
        raise ValueError(f"y_true has {t.shape[0]} samples but y_pred has {p.shape[0]}")
    long_names = display_labels is not None and max(len(str(n)) for n in display_labels) > 3
    fig, ax = _figure_and_axes(ax, figsize=(7.5, 6.5) if long_names else (6.0, 5.0))
    display = ConfusionMatrixDisplay.from_predictions(
        t,
        p,
        labels=labels,
        normalize=normalize,
        display_labels=display_labels,
        ax=ax,
        cmap="Blues",
        values_format=".2f" if normalize else "d",
        text_kw={"fontsize": LABEL_SIZE},
    )
    _decorate(ax, title, "predicted class", "true class", legend=False)
    ax.grid(False)
    if long_names:  # class names, not digits: slanted so that neighbours do not overlap
        ax.tick_params(axis="x", labelrotation=40)
        for text in ax.get_xticklabels():
            text.set_horizontalalignment("right")
            text.set_rotation_mode("anchor")
    if display.im_.colorbar is not None:
        display.im_.colorbar.ax.tick_params(labelsize=TICK_SIZE)
        display.im_.colorbar.set_label("fraction" if normalize else "samples", fontsize=LABEL_SIZE)
        if not normalize:
            display.im_.colorbar.locator = MaxNLocator(integer=True)
    return fig


# --------------------------------------------------------------------------- studies


def _as_rate(key: Any) -> float:
    try:
        return float(key)
    except (TypeError, ValueError):
        raise ValueError(f"learning rates must be numbers, got {key!r}") from None


def learning_rate_curves(
    curves: Mapping[float, Sequence[float]] | Mapping[str, Sequence[float]],
    diverged: Mapping[float, bool] | Mapping[str, bool] | None = None,
    ax: Axes | None = None,
    title: str = "Loss for each learning rate",
    ylabel: str = "loss",
    cmap: str | Colormap = "viridis",
) -> Figure:
    """One loss curve per learning rate (log y), coloured along a sequential colormap.

    A diverged run (flagged in ``diverged``, or containing NaN/inf) is drawn up to its last
    finite value, which is marked with "×"; its legend entry says "(diverged)". NaN and inf
    are never plotted. Learning rates may be numbers or numeric strings (JSON object keys).
    """
    if not curves:
        raise ValueError("curves is empty: expected a mapping learning rate → per-epoch losses")
    flags = {_as_rate(k): bool(v) for k, v in (diverged or {}).items()}
    rates = sorted(((_as_rate(k), v) for k, v in curves.items()), key=lambda item: item[0])
    colors = _sequential_colors(cmap, len(rates))
    fig, ax = _figure_and_axes(ax)
    drawn: list[tuple[np.ndarray, Any, bool]] = []
    for (lr, losses), color in zip(rates, colors, strict=True):
        values = np.asarray(losses, dtype=np.float64).ravel()
        bad = ~np.isfinite(values)
        stop = int(np.argmax(bad)) if bad.any() else len(values)  # the finite prefix
        shown = values[:stop]
        is_diverged = flags.get(lr, False) or bool(bad.any())
        label = f"{lr:g}" + (" (diverged)" if is_diverged else "")
        ax.plot(
            np.arange(1, stop + 1),
            shown,
            color=color,
            linewidth=2,
            marker="x" if is_diverged else None,
            markevery=[stop - 1] if is_diverged and stop > 0 else None,
            markersize=12,
            markeredgewidth=3,
            label=label,
        )
        drawn.append((shown, color, is_diverged))
    ax.set_yscale("log")
    _clip_to_converging(ax, drawn)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    _decorate(ax, title, "epoch", ylabel, legend_title="learning rate")
    return fig


def _clip_to_converging(
    ax: Axes, drawn: Sequence[tuple[np.ndarray, Any, bool]], headroom: float = 1.5
) -> None:
    """Limit a log y axis to the converging runs' range (times ``headroom`` either side), so
    that a diverged run's 10³⁰ does not flatten them; mark with "▲" on the top edge where each
    diverged curve leaves the axes. Without a converging run, the axis is left as it is."""
    kept = [v[v > 0] for v, _, diverged in drawn if not diverged]
    kept = [v for v in kept if v.size]
    if not kept:
        return
    low = min(float(v.min()) for v in kept) / headroom
    high = max(float(v.max()) for v in kept) * headroom
    ax.set_ylim(low, high)
    for values, color, diverged in drawn:
        above = np.flatnonzero(values > high) if diverged else np.array([], dtype=int)
        if above.size:
            ax.scatter(
                [above[0] + 1],
                [high],
                marker="^",
                s=110,
                color=[color],
                clip_on=False,
                label="_nolegend_",  # the legend already says "(diverged)"
                zorder=4,
            )
            ax.annotate(
                "off the scale",
                (above[0] + 1, high),
                xytext=(6, -14),
                textcoords="offset points",
                fontsize=TICK_SIZE,
                color=color,
                annotation_clip=False,
            )


def final_values(
    values: Mapping[str, Sequence[float | None]],
    ax: Axes | None = None,
    ylabel: str = "final loss",
    title: str = "Final values across seeds",
    xlabel: str = "setting compared",
    logy: bool = False,
    seed: int = 0,
) -> Figure:
    """Box plot per group with each seed's value as a jittered point on top.

    Every tick label gives n, the number of values in its box; None, NaN and inf (e.g. a
    threshold never reached) are left out of the box and the tick label says how many were
    missing: "sigmoid\nn = 3 (2 of 5 missing)". A box of n = 1 is one run, not a spread.

    Args:
        values: group → one value per seed, e.g. activation → final loss.
        xlabel: what the groups are, e.g. "hidden activation".
        seed: seeds the horizontal jitter, so the same data always draw the same figure.
    """
    if not values:
        raise ValueError("values is empty: expected a mapping group → values per seed")
    fig, ax = _figure_and_axes(ax)
    rng = np.random.default_rng(seed)
    data, positions, ticks = [], [], []
    for i, (group, raw) in enumerate(values.items(), start=1):
        arr = np.array([np.nan if v is None else v for v in raw], dtype=np.float64)
        finite = arr[np.isfinite(arr)]
        missing = arr.size - finite.size
        count = f"n = {finite.size}" + (f" ({missing} of {arr.size} missing)" if missing else "")
        ticks.append(f"{group}\n{count}")
        if finite.size:
            data.append(finite)
            positions.append(i)
            jitter = rng.uniform(-0.15, 0.15, finite.size)
            ax.scatter(i + jitter, finite, color=f"C{(i - 1) % 10}", alpha=0.7, s=25, zorder=3)
    if data:
        ax.boxplot(
            data,
            positions=positions,
            widths=0.5,
            showfliers=False,  # the points themselves show every value
            medianprops={"color": "k", "linewidth": 2},
        )
    ax.set_xticks(range(1, len(ticks) + 1), ticks)
    ax.set_xlim(0.5, len(ticks) + 0.5)
    if logy:
        ax.set_yscale("log")
    _decorate(ax, title, xlabel, ylabel, legend=False)
    ax.grid(True, axis="y", alpha=0.3)
    ax.grid(False, axis="x")
    return fig


def architecture(model: Any) -> str:
    """A network as the texts write it, read from the built model's layers: "64 → 512 relu →
    10 softmax". Layers without units (Normalization, Dropout, …) are left out.

    >>> from glassnet import layers, models
    >>> architecture(models.Sequential([layers.Dense(3, activation="tanh", input_shape=(4,))]))
    '4 → 3 tanh'
    """
    shape = getattr(model, "input_shape", None)
    if not shape:
        raise ValueError("the model is not built: its input size is unknown")
    parts = [str(shape[-1])]
    for layer in getattr(model, "layers", ()):
        units = getattr(layer, "units", None)
        if units is None:
            continue
        activation = getattr(getattr(layer, "activation", None), "name", None)
        parts.append(
            f"{units} {activation}" if activation and activation != "linear" else str(units)
        )
    return " → ".join(parts)


# --------------------------------------------------------------------------- files


def save_figure(
    fig: Figure,
    path_without_suffix: str | Path,
    formats: Sequence[str] = ("png", "svg"),
    dpi: int = 150,
) -> list[Path]:
    """Write ``fig`` once per format as ``<path>.<format>``; return the paths written.

    Parent directories are created. SVG and PDF carry no creation date and SVG ids use a fixed
    salt, so drawing the same figure again gives the same file (reports diff cleanly).
    """
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    supported = fig.canvas.get_supported_filetypes()
    unknown = [f for f in formats if f not in supported]
    if unknown:
        raise ValueError(f"unsupported figure formats {unknown}; supported: {sorted(supported)}")
    base = Path(path_without_suffix)
    base.parent.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt in formats:
        path = base.with_name(f"{base.name}.{fmt}")  # not with_suffix: "lr-0.1" keeps its dot
        metadata: dict[str, Any] | None = {"Date": None} if fmt in ("svg", "pdf") else None
        with rc_context({"svg.hashsalt": "glassnet"}):
            fig.savefig(path, format=fmt, dpi=dpi, metadata=metadata)
        paths.append(path)
    return paths


__all__ = [
    "activation_functions",
    "activation_panels",
    "architecture",
    "confusion_matrix",
    "decision_boundary",
    "final_values",
    "gradient_norms",
    "gradient_norms_over_training",
    "history_curves",
    "learning_rate_curves",
    "loss_curves",
    "save_figure",
    "training_history",
]


_MONITOR_PANELS = (
    ("grad_norm", "Gradient norm", "gradient norm ‖∂L/∂W‖", True),
    ("update_ratio", "Update ratio", "update ratio ‖ΔW‖/‖W‖", True),
    ("saturated", "Saturation", "saturated fraction of outputs", False),
    ("dead", "Dead units", "dead units (fraction)", False),
)


def monitor_panels(history: Mapping[str, Sequence[float]], title: str = "Layer health") -> Figure:
    """The training monitors of a History, one panel per quantity, one line per layer.

    Reads the ``<quantity>/<layer>`` keys written by ``glassnet.monitors.TrainingMonitor``.
    """
    from glassnet.monitors import monitor_keys

    present = [
        (q, name, label, log)
        for q, name, label, log in _MONITOR_PANELS
        if monitor_keys(dict(history), q)
    ]
    if not present:
        raise ValueError("the history holds no monitor values: train with a TrainingMonitor")
    # at most two panels a row, so that the figure keeps slide-size fonts at a page's width
    columns = min(2, len(present))
    rows = -(-len(present) // columns)
    fig = _new_figure((5.5 * columns, 4.2 * rows))
    for i, (quantity, name, label, log) in enumerate(present):
        ax = fig.add_subplot(rows, columns, i + 1)
        for layer, values in monitor_keys(dict(history), quantity).items():
            ax.plot(np.arange(1, len(values) + 1), values, marker="o", markersize=4, label=layer)
        if log:
            ax.set_yscale("log")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        _decorate(ax, name, "epoch", label, legend_title="layer")
    fig.suptitle(title, fontsize=SUPTITLE_SIZE)
    return fig
