"""Tests for glassnet.plots: what each figure draws, not only that it draws."""

import xml.etree.ElementTree as ET

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image

from glassnet import plots

RAGGED = {"relu": [[4.0, 3.0, 2.0, 1.0], [5.0, 4.0, 3.0], [9.0, 8.0]]}  # medians ≠ means
HISTORY = {"loss": [1.0, 0.6, 0.4], "val_loss": [1.1, 0.7, 0.5], "accuracy": [0.5, 0.7, 0.8]}


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _xor_data():
    x = np.array([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0], [0.5, 0.8], [-0.7, 0.2]])
    return x, (x[:, 0] > 0).astype(int)


def _data_axes(fig):
    """The plotting axes of a figure (colorbars left out)."""
    return [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]


# every public plotting function, with small inputs; each returns a Figure
BUILDERS = {
    "loss_curves": lambda ax=None: plots.loss_curves(RAGGED, ax=ax, threshold=2.5),
    "history_curves": lambda ax=None: plots.history_curves(HISTORY, ax=ax),
    "activation_functions": lambda ax=None: plots.activation_functions(ax=ax),
    "gradient_norms": lambda ax=None: plots.gradient_norms({"tanh": [1e-3, 1e-2, 1e-1]}, ax=ax),
    "gradient_norms_over_training": lambda ax=None: plots.gradient_norms_over_training(
        np.full((4, 3), 0.5), ax=ax
    ),
    "decision_boundary": lambda ax=None: plots.decision_boundary(
        lambda g: _sigmoid(3 * g[:, :1]), *_xor_data(), ax=ax, resolution=30
    ),
    "confusion_matrix": lambda ax=None: plots.confusion_matrix([0, 1, 1], [0, 1, 0], ax=ax),
    "learning_rate_curves": lambda ax=None: plots.learning_rate_curves(
        {0.01: [1.0, 0.9], 1.0: [1.0, np.inf]}, {1.0: True}, ax=ax
    ),
    "final_values": lambda ax=None: plots.final_values({"a": [1.0, 2.0], "b": [3.0]}, ax=ax),
}
FIGURE_ONLY = {
    "training_history": lambda: plots.training_history(HISTORY),
    "activation_panels": lambda: plots.activation_panels(),
}


@pytest.mark.parametrize("name", sorted(BUILDERS) + sorted(FIGURE_ONLY))
def test_every_figure_is_labelled_and_slide_readable(name):
    fig = {**BUILDERS, **FIGURE_ONLY}[name]()
    assert isinstance(fig, Figure)
    assert fig.get_layout_engine() is not None  # constrained layout
    for ax in _data_axes(fig):
        assert ax.get_title(), f"{name}: axes without a title"
        assert ax.get_xlabel(), f"{name}: axes without an x label"
        assert ax.get_ylabel(), f"{name}: axes without a y label"
    fig.draw_without_rendering()
    sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_text() and t.get_visible()]
    assert sizes and min(sizes) >= 11, f"{name}: font sizes {sorted(set(sizes))}"


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_ax_draws_into_the_given_axes_and_returns_its_figure(name):
    fig = Figure()
    ax = fig.add_subplot()
    assert BUILDERS[name](ax=ax) is fig
    assert ax.lines or ax.collections or ax.images


def test_ax_in_a_subfigure_returns_the_root_figure():
    fig = Figure()
    ax = fig.subfigures(1, 2)[1].add_subplot()
    assert plots.gradient_norms({"relu": [1.0, 2.0]}, ax=ax) is fig
    assert len(ax.lines) == 1


def test_ax_must_be_an_axes():
    with pytest.raises(TypeError, match="Axes"):
        plots.gradient_norms({"relu": [1.0]}, ax="left")


# ----------------------------------------------------------------------------- loss curves


def test_loss_curves_median_line_and_quartile_band_for_equal_runs():
    runs = np.array([[1.0, 0.8, 0.5, 0.4], [1.2, 0.6, 0.5, 0.2], [0.9, 0.7, 0.3, 0.3]])
    fig = plots.loss_curves({"tanh": runs, "relu": runs / 2})
    ax = fig.axes[0]
    assert [line.get_label() for line in ax.lines] == ["tanh", "relu"]
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [1, 2, 3, 4])
    np.testing.assert_allclose(ax.lines[0].get_ydata(), np.median(runs, axis=0))
    np.testing.assert_allclose(ax.lines[1].get_ydata(), np.median(runs / 2, axis=0))
    # the band spans the 25th to 75th percentile at every epoch
    band = ax.collections[0].get_paths()[0].vertices
    q25, q75 = np.percentile(runs, [25, 75], axis=0)
    for epoch in range(1, 5):
        ys = band[np.isclose(band[:, 0], epoch), 1]
        assert ys.min() == pytest.approx(q25[epoch - 1])
        assert ys.max() == pytest.approx(q75[epoch - 1])
    assert ax.collections[0].get_facecolor()[0][:3] == pytest.approx(to_rgba("C0")[:3])
    assert ax.get_xlabel() == "epoch"


def test_loss_curves_ragged_runs_take_the_median_of_the_runs_that_reached_each_epoch():
    fig = plots.loss_curves(RAGGED)  # RuntimeWarnings are errors in this suite
    line = fig.axes[0].lines[0]
    np.testing.assert_array_equal(line.get_xdata(), [1, 2, 3, 4])
    # epoch 1: {4,5,9} → 5; epoch 2: {3,4,8} → 4; epoch 3: {2,3} → 2.5; epoch 4: {1} → 1
    np.testing.assert_allclose(line.get_ydata(), [5.0, 4.0, 2.5, 1.0])


def test_loss_curves_ignore_non_finite_values_and_epochs_without_data():
    runs = [[2.0, np.nan, np.inf], [4.0, 1.0, np.nan]]
    line = plots.loss_curves({"sigmoid": runs}).axes[0].lines[0]
    y = line.get_ydata()
    np.testing.assert_allclose(y[:2], [3.0, 1.0])
    assert np.isnan(y[2])  # no run has a finite value at epoch 3: nothing drawn there


def test_loss_curves_threshold_legend_and_log_scale():
    fig = plots.loss_curves(
        {"a": [[1.0, 0.1]], "b": [[2.0, 0.2], [3.0, 0.3]]}, threshold=0.5, logy=True
    )
    ax = fig.axes[0]
    threshold = [line for line in ax.lines if line.get_linestyle() == "--"]
    assert len(threshold) == 1
    np.testing.assert_allclose(threshold[0].get_ydata(), [0.5, 0.5])
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["a", "b", "threshold 0.5", "middle 50 % of runs"]
    assert ax.get_yscale() == "log"
    assert len(ax.collections) == 1  # a single run has no band


def test_loss_curves_single_flat_run_is_one_run():
    line = plots.loss_curves({"a": [3.0, 2.0, 1.0]}).axes[0].lines[0]
    np.testing.assert_allclose(line.get_ydata(), [3.0, 2.0, 1.0])


@pytest.mark.parametrize(
    ("curves", "match"),
    [
        ({}, "empty"),
        ({"a": []}, "runs"),
        ({"a": [[]]}, "no epochs"),
        ({"a": np.ones((2, 2, 2))}, "runs"),
    ],
)
def test_loss_curves_reject_bad_input(curves, match):
    with pytest.raises(ValueError, match=match):
        plots.loss_curves(curves)


# ----------------------------------------------------------------------------- history


def test_history_curves_training_and_validation():
    ax = plots.history_curves(HISTORY).axes[0]
    assert [line.get_label() for line in ax.lines] == ["training", "validation"]
    np.testing.assert_allclose(ax.lines[0].get_ydata(), HISTORY["loss"])
    np.testing.assert_allclose(ax.lines[1].get_ydata(), HISTORY["val_loss"])
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [1, 2, 3])
    assert ax.get_ylabel() == "loss"


def test_history_curves_without_validation_and_from_a_history_object():
    class FakeHistory:
        history = HISTORY

    ax = plots.history_curves(FakeHistory(), metric="accuracy").axes[0]
    assert len(ax.lines) == 1
    np.testing.assert_allclose(ax.lines[0].get_ydata(), HISTORY["accuracy"])


def test_history_curves_unknown_metric_lists_the_recorded_ones():
    with pytest.raises(ValueError, match=r"'mae'.*accuracy"):
        plots.history_curves(HISTORY, metric="mae")
    with pytest.raises(TypeError, match="history"):
        plots.history_curves([1.0, 2.0])


def test_training_history_one_panel_per_metric():
    fig = plots.training_history(HISTORY)
    axes = _data_axes(fig)
    assert [ax.get_ylabel() for ax in axes] == ["loss", "accuracy"]
    assert [len(ax.lines) for ax in axes] == [2, 1]
    assert len(_data_axes(plots.training_history(HISTORY, metrics=["accuracy"]))) == 1


# ----------------------------------------------------------------------------- activations


def test_activation_functions_function_and_derivative_share_a_colour():
    fig = plots.activation_functions(("sigmoid", "tanh"), z_range=(-4, 4))
    ax = fig.axes[0]
    assert len(ax.lines) == 4
    sig, dsig, tanh, dtanh = ax.lines
    z = sig.get_xdata()
    assert z[0] == -4 and z[-1] == 4
    np.testing.assert_allclose(sig.get_ydata(), _sigmoid(z), rtol=1e-12)
    np.testing.assert_allclose(dsig.get_ydata(), _sigmoid(z) * (1 - _sigmoid(z)), rtol=1e-9)
    np.testing.assert_allclose(dtanh.get_ydata(), 1 / np.cosh(z) ** 2, rtol=1e-9, atol=1e-15)
    assert max(dsig.get_ydata()) == pytest.approx(0.25, abs=1e-4)  # σ' ≤ 1/4
    assert sig.get_color() == dsig.get_color() != tanh.get_color() == dtanh.get_color()
    assert [line.get_linestyle() for line in ax.lines] == ["-", "--", "-", "--"]
    assert len(ax.get_legend().get_texts()) == 4


def test_activation_functions_relu_derivative_is_a_step():
    ax = plots.activation_functions(["relu"]).axes[0]
    z, d = ax.lines[1].get_xdata(), ax.lines[1].get_ydata()
    np.testing.assert_array_equal(d, (z > 0).astype(float))


def test_activation_functions_reject_softmax():
    with pytest.raises(ValueError, match="element-wise"):
        plots.activation_functions(["softmax"])


def test_activation_panels_functions_left_derivatives_right():
    fig = plots.activation_panels(("tanh", "leaky_relu"))
    left, right = fig.axes
    assert len(left.lines) == len(right.lines) == 2
    z = left.lines[0].get_xdata()
    np.testing.assert_allclose(left.lines[0].get_ydata(), np.tanh(z))
    np.testing.assert_allclose(right.lines[1].get_ydata(), np.where(z > 0, 1.0, 0.01))
    assert [ln.get_color() for ln in left.lines] == [ln.get_color() for ln in right.lines]
    assert "g′" in right.get_ylabel()


# ----------------------------------------------------------------------------- gradients


def test_gradient_norms_log_scale_one_line_per_label():
    norms = {"sigmoid": [1e-6, 1e-4, 1e-2], "tanh": [1e-3, 1e-2, 1e-1], "relu": [0.1, 0.1, 0.1]}
    ax = plots.gradient_norms(norms).axes[0]
    assert ax.get_yscale() == "log"
    assert [line.get_label() for line in ax.lines] == list(norms)
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [1, 2, 3])
    np.testing.assert_allclose(ax.lines[0].get_ydata(), norms["sigmoid"])
    assert "1 = nearest the input" in ax.get_xlabel()


def test_gradient_norms_over_training_one_line_per_layer_with_colorbar():
    norms = np.arange(1, 13, dtype=float).reshape(4, 3)  # 4 epochs, 3 layers
    fig = plots.gradient_norms_over_training(norms)
    ax = _data_axes(fig)[0]
    assert len(ax.lines) == 3
    for layer, line in enumerate(ax.lines):
        np.testing.assert_allclose(line.get_ydata(), norms[:, layer])
        np.testing.assert_array_equal(line.get_xdata(), [1, 2, 3, 4])
    assert len({line.get_color() for line in ax.lines}) == 3
    assert ax.get_yscale() == "log"
    colorbars = [a for a in fig.axes if a.get_label() == "<colorbar>"]
    assert len(colorbars) == 1
    assert "layer" in colorbars[0].get_ylabel()


def test_gradient_norms_over_training_label_names_the_run_in_the_title():
    ax = plots.gradient_norms_over_training(np.ones((3, 2)), label="sigmoid").axes[0]
    assert ax.get_title().endswith("sigmoid")
    assert "gradient norm" in ax.get_ylabel()


def test_gradient_norms_reject_wrong_shapes():
    with pytest.raises(ValueError, match=r"\(epochs, layers\)"):
        plots.gradient_norms_over_training([1.0, 2.0])
    with pytest.raises(ValueError, match="1-D"):
        plots.gradient_norms({"relu": [[1.0, 2.0]]})


# ----------------------------------------------------------------------------- classification


def test_decision_boundary_probability_grid_spans_the_data_and_draws_the_half_contour():
    x, y = _xor_data()
    seen = []

    def predict(grid):
        seen.append(grid)
        return _sigmoid(4 * grid[:, :1])  # P(class 1) > 0.5 exactly where x₁ > 0

    fig = plots.decision_boundary(predict, x, y, resolution=25)
    ax = _data_axes(fig)[0]
    (grid,) = seen
    assert grid.shape == (25 * 25, 2)
    assert np.all(grid.min(axis=0) < x.min(axis=0)) and np.all(grid.max(axis=0) > x.max(axis=0))
    lo, hi = ax.get_xlim()
    assert lo < x[:, 0].min() and hi > x[:, 0].max()
    contour_levels = [list(c.levels) for c in ax.collections if hasattr(c, "levels")]
    assert [0.5] in contour_levels  # the boundary line
    scatters = [c for c in ax.collections if not hasattr(c, "levels")]
    assert [len(s.get_offsets()) for s in scatters] == [3, 3]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["class 0", "class 1"]
    assert len(fig.axes) == 2  # the probability colorbar


def test_decision_boundary_multiclass_uses_argmax_and_one_hot_labels():
    x = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0], [0.0, 1.0]])
    y = np.eye(3)[[0, 1, 2, 0]]  # one-hot

    def predict(grid):
        return np.eye(3)[np.clip(np.round(grid[:, 0]).astype(int), 0, 2)]

    fig = plots.decision_boundary(predict, x, y, resolution=20)
    ax = fig.axes[0]
    filled = [c for c in ax.collections if hasattr(c, "levels")]
    assert len(filled) == 1
    np.testing.assert_allclose(filled[0].levels, [-0.5, 0.5, 1.5, 2.5])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["class 0", "class 1", "class 2"]
    assert len(fig.axes) == 1  # classes need no colorbar


def test_decision_boundary_rejects_non_2d_inputs():
    with pytest.raises(ValueError, match=r"\(n, 2\).*\(4, 3\)"):
        plots.decision_boundary(lambda g: g[:, 0], np.zeros((4, 3)), np.zeros(4))
    with pytest.raises(ValueError, match="samples"):
        plots.decision_boundary(lambda g: g[:, 0], np.zeros((4, 2)), np.zeros(3))


def test_confusion_matrix_counts_by_hand():
    y_true = [0, 0, 1, 1, 1, 2]
    y_pred = [0, 1, 1, 1, 2, 2]
    expected = np.array([[1, 1, 0], [0, 2, 1], [0, 0, 1]])
    ax = plots.confusion_matrix(y_true, y_pred).axes[0]
    np.testing.assert_array_equal(ax.images[0].get_array(), expected)
    assert [t.get_text() for t in ax.texts] == [str(v) for v in expected.ravel()]
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"


def test_confusion_matrix_normalized_rows_and_one_hot_input():
    y_true = np.eye(2)[[0, 0, 1, 1]]
    y_pred = np.array([[0.9, 0.1], [0.2, 0.8], [0.3, 0.7], [0.4, 0.6]])  # argmax → 0, 1, 1, 1
    ax = plots.confusion_matrix(y_true, y_pred, normalize="true").axes[0]
    np.testing.assert_allclose(ax.images[0].get_array(), [[0.5, 0.5], [0.0, 1.0]])
    with pytest.raises(ValueError, match="normalize"):
        plots.confusion_matrix([0], [0], normalize="rows")


# ----------------------------------------------------------------------------- studies


def test_learning_rate_curves_never_plot_nan_and_mark_divergence():
    curves = {
        0.001: [1.0, 0.9, 0.8, 0.7],
        0.1: [1.0, 0.5, 0.2, 0.1],
        1.0: [1.0, 5.0, 1e8, np.nan, np.nan],
        3.0: [1.0, 2.0, np.inf],  # not flagged, but not finite: diverged too
        10.0: [np.nan],  # diverged at once: legend only
    }
    ax = plots.learning_rate_curves(curves, {1.0: True, 10.0: True}).axes[0]
    assert ax.get_yscale() == "log"
    assert len(ax.lines) == 5
    for line in ax.lines:
        assert np.all(np.isfinite(np.asarray(line.get_ydata(), dtype=float)))
    by_label = {line.get_label(): line for line in ax.lines}
    assert set(by_label) == {"0.001", "0.1", "1 (diverged)", "3 (diverged)", "10 (diverged)"}
    one = by_label["1 (diverged)"]
    np.testing.assert_allclose(one.get_ydata(), [1.0, 5.0, 1e8])
    assert one.get_marker() == "x" and one.get_markevery() == [2]  # × at the last finite value
    assert by_label["3 (diverged)"].get_markevery() == [1]
    assert len(by_label["10 (diverged)"].get_ydata()) == 0
    assert by_label["0.1"].get_marker() in (None, "None", "")
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["0.001", "0.1", "1 (diverged)", "3 (diverged)", "10 (diverged)"]


def test_learning_rate_curves_accept_json_string_keys():
    # results reloaded from JSON have string keys: sorted and matched as numbers
    curves = {"0.5": [1.0, np.nan], "0.05": [1.0, 0.5]}
    ax = plots.learning_rate_curves(curves, {"0.5": True, "0.05": False}).axes[0]
    assert [line.get_label() for line in ax.lines] == ["0.05", "0.5 (diverged)"]
    with pytest.raises(ValueError, match=r"numbers.*'fast'"):
        plots.learning_rate_curves({"fast": [1.0]})


def test_learning_rate_curves_colours_follow_a_sequential_colormap():
    ax = plots.learning_rate_curves({0.1: [1.0], 0.01: [1.0], 1.0: [1.0]}).axes[0]
    # sorted by learning rate, viridis from dark purple towards yellow-green
    assert [line.get_label() for line in ax.lines] == ["0.01", "0.1", "1"]
    greens = [to_rgba(line.get_color())[1] for line in ax.lines]
    assert greens == sorted(greens) and len(set(greens)) == 3


def test_final_values_boxes_points_and_missing_values():
    values = {"sigmoid": [0.3, 0.5, 0.4, None, np.nan], "relu": [0.1, 0.2, 0.15]}
    fig = plots.final_values(values, ylabel="final loss")
    ax = fig.axes[0]
    scatters = ax.collections
    assert len(scatters) == 2
    np.testing.assert_allclose(np.sort(scatters[0].get_offsets()[:, 1]), [0.3, 0.4, 0.5])
    np.testing.assert_allclose(np.sort(scatters[1].get_offsets()[:, 1]), [0.1, 0.15, 0.2])
    x0 = scatters[0].get_offsets()[:, 0]
    assert np.all(np.abs(x0 - 1) <= 0.15) and np.ptp(x0) > 0  # jittered around position 1
    medians = [
        line.get_ydata()[0]
        for line in ax.lines
        if line.get_color() == "k" and len(set(line.get_ydata())) == 1
    ]
    np.testing.assert_allclose(sorted(medians), [0.15, 0.4])
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == ["sigmoid\nn = 3 (2 of 5 missing)", "relu\nn = 3"]
    # the jitter is seeded: the same data draw the same points
    again = plots.final_values(values).axes[0].collections[0].get_offsets()
    np.testing.assert_array_equal(again, scatters[0].get_offsets())


# ----------------------------------------------------------------------------- files


def test_save_figure_writes_valid_png_and_svg(tmp_path):
    fig = Figure(figsize=(4, 3))
    fig.add_subplot().plot([1, 2, 3])
    paths = plots.save_figure(fig, tmp_path / "sub" / "lr-0.1", dpi=50)
    assert [p.name for p in paths] == ["lr-0.1.png", "lr-0.1.svg"]
    png, svg = paths
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(png) as image:
        assert image.size == (200, 150)
    root = ET.parse(svg).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    # no date and a fixed id salt: saving again gives the same bytes
    again = plots.save_figure(fig, tmp_path / "again", formats=("svg",))
    assert again[0].read_bytes() == svg.read_bytes()


def test_save_figure_rejects_unknown_formats_and_non_figures(tmp_path):
    fig = Figure()
    with pytest.raises(ValueError, match=r"'docx'.*png"):
        plots.save_figure(fig, tmp_path / "x", formats=("png", "docx"))
    assert not (tmp_path / "x.png").exists()
    with pytest.raises(TypeError, match="Figure"):
        plots.save_figure("not a figure", tmp_path / "x")
