"""Reports a reader can use: an index that keeps every study, figures readable at the page's
width, labels that say what they show, and a "What to look for" paragraph per study."""

from __future__ import annotations

import html
import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser

import numpy as np
import pytest
from matplotlib.text import Text

from glassnet import plots
from glassnet.datasets import fashion_mnist
from glassnet.experiments import mnist
from glassnet.experiments.result import StudyResult
from glassnet.report import render_index, render_study

# The page's text column is 60rem less 2.5rem of padding: 920 CSS px. A figure saved at 150 dpi
# is 150·W px wide and shrinks to fit, so text of s pt shows at s·(150/96)·min(1, 920/(150·W))
# CSS pt (96 CSS px to the inch).
PAGE_PX = 920
DPI = 150


def _shown_points(fontsize: float, width_inches: float) -> float:
    return fontsize * DPI / 96 * min(1.0, PAGE_PX / (width_inches * DPI))


def _smallest_shown_font(fig) -> float:
    fig.draw_without_rendering()
    sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_text() and t.get_visible()]
    return _shown_points(min(sizes), fig.get_figwidth())


class _Links(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__()
        self.links: list[str] = []
        self.sections: dict[str, str] = {}
        self._section: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a":
            self.links.append(attrs.get("href", ""))
        if tag == "section" and attrs.get("id"):
            self._section = attrs["id"]
            self.sections[self._section] = ""

    def handle_endtag(self, tag):
        if tag == "section":
            self._section = None

    def handle_data(self, data):
        if self._section:
            self.sections[self._section] += data


def _glassnet(*args: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("glassnet")
    command = (
        [exe]
        if exe
        else [sys.executable, "-c", "from glassnet.cli import entry_point; entry_point()"]
    )
    env = {**os.environ, "MPLBACKEND": "Agg"}
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, env=env, timeout=600, check=False
    )


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    """Two studies run one after the other by the real command, into the same folder."""
    out = tmp_path_factory.mktemp("report")
    first = _glassnet(
        "run", "learning_rate", "--rates", "0.01,0.1,3", "--epochs", "15", "--out", str(out)
    )
    assert first.returncode == 0, first.stderr
    second = _glassnet("run", "mnist", "--dataset", "digits", "--epochs", "1", "--out", str(out))
    assert second.returncode == 0, second.stderr
    return out


# ----------------------------------------------------------------------------- the index


def test_index_keeps_the_studies_of_earlier_runs(two_runs):
    index = (two_runs / "index.html").read_text()
    assert _Links(index).links == ["learning_rate.html", "mnist.html"]
    text = html.unescape(index)
    for study in ("learning_rate", "mnist"):
        result = StudyResult.load_json(two_runs / f"{study}.json")
        assert result.title in text and result.verdict in text


def test_index_found_in_the_folder_and_newest_entry_wins(tmp_path):
    old = StudyResult("shallow", "Shallow", {}, {}, [], "old verdict", versions={})
    render_study(old, {}, tmp_path)
    other = StudyResult("regression", "One neuron", {}, {}, [], "regression verdict", versions={})
    render_index([(other, render_study(other, {}, tmp_path))], tmp_path)
    newer = StudyResult("shallow", "Shallow", {}, {}, [], "new verdict", versions={})
    render_index([(newer, render_study(newer, {}, tmp_path))], tmp_path)
    (tmp_path / "model.json").write_text('{"layers": []}')  # not a study: skipped
    (tmp_path / "model.html").write_text("<p>not a study</p>")
    index = render_index([], tmp_path).read_text()
    assert _Links(index).links == ["regression.html", "shallow.html"]
    assert "new verdict" in index and "old verdict" not in index
    assert "regression verdict" in index


# ----------------------------------------------------------------------------- figures


def test_learning_rate_axis_keeps_to_the_converging_runs():
    converging = {0.01: [10.0, 8.0, 6.5, 5.0], 0.1: [10.0, 3.0, 1.2, 1.0]}
    curves = {**converging, 3.0: [10.0, 1e6, 1e18, 1e36], 10.0: [10.0, 1e9, np.inf]}
    ax = plots.learning_rate_curves(curves, {3.0: True}).axes[0]
    low, high = ax.get_ylim()
    assert 1.0 / 1.5 <= low < 1.0 and 10.0 < high <= 10.0 * 1.5
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["0.01", "0.1", "3 (diverged)", "10 (diverged)"]
    # each diverged curve is marked where it leaves the axes: on the top edge, at epoch 2
    marks = [c.get_offsets()[0] for c in ax.collections]
    np.testing.assert_allclose(marks, [[2.0, high], [2.0, high]])


def test_learning_rate_study_figure_keeps_to_the_converging_runs(two_runs):
    from glassnet import experiments

    result = StudyResult.load_json(two_runs / "learning_rate.json")
    runs = dict(zip(result.data["learning_rates"], result.data["runs"], strict=True))
    assert runs[3.0]["diverged"] and not runs[0.1]["diverged"]
    finite = [v for r in runs.values() if not r["diverged"] for v in r["loss"]]
    ax = experiments.figures(result)["loss_curves"].axes[0]
    low, high = ax.get_ylim()
    assert min(finite) / 1.5 <= low and high <= max(finite) * 1.5


def test_every_box_says_how_many_values_it_holds():
    ax = plots.final_values({"glassnet": [0.93]}, ylabel="test accuracy").axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["glassnet\nn = 1"]
    ax = plots.final_values({"tanh": [1.0, None, 2.0], "relu": [1.0, 2.0, 3.0]}).axes[0]
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == ["tanh\nn = 2 (1 of 3 missing)", "relu\nn = 3"]
    assert ax.get_xlabel() != "group"


def _fake_fashion_result() -> StudyResult:
    confusion = np.eye(10, dtype=int) * 5 + 1
    return StudyResult(
        study="mnist",
        title="fake",
        settings={"dataset": "fashion_mnist", "epochs": 1},
        data={
            "confusion": confusion.tolist(),
            "history": {"loss": [1.0, 0.5], "accuracy": [0.5, 0.8]},
            "test_accuracy": 0.8,
        },
        table=[],
        verdict="fake",
        versions={},
    )


def test_fashion_mnist_confusion_matrix_names_the_classes():
    fig = mnist.figures(_fake_fashion_result())["confusion_matrix"]
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == list(fashion_mnist.CLASS_NAMES)
    assert [t.get_text() for t in ax.get_yticklabels()] == list(fashion_mnist.CLASS_NAMES)
    assert fashion_mnist.CLASS_NAMES[0] == "T-shirt/top"
    # digits are their own names
    digits = _fake_fashion_result()
    digits.settings["dataset"] = "digits"
    ax = mnist.figures(digits)["confusion_matrix"].axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == [str(i) for i in range(10)]


def _monitor_history() -> dict[str, list[float]]:
    history: dict[str, list[float]] = {"loss": [1.0, 0.5]}
    for layer in ("dense", "dense_1"):
        history[f"grad_norm/{layer}"] = [0.1, 0.05]
        history[f"update_ratio/{layer}"] = [1e-3, 8e-4]
        history[f"saturated/{layer}"] = [0.0, 0.1]
        history[f"dead/{layer}"] = [0.0, 0.02]
    return history


def test_layer_health_is_readable_at_the_page_width():
    fig = plots.monitor_panels(_monitor_history())
    assert len([ax for ax in fig.axes if ax.get_title()]) == 4
    assert _smallest_shown_font(fig) >= 9


def test_study_figures_are_readable_at_the_page_width(two_runs):
    from glassnet import experiments

    for study in ("learning_rate", "mnist"):
        result = StudyResult.load_json(two_runs / f"{study}.json")
        for key, fig in experiments.figures(result).items():
            assert _smallest_shown_font(fig) >= 9, f"{study} {key}"
    assert _smallest_shown_font(mnist.figures(_fake_fashion_result())["confusion_matrix"]) >= 9


def test_layer_health_figure_comes_with_definitions(tmp_path):
    result = _fake_fashion_result()
    fig = plots.monitor_panels(_monitor_history())
    page = render_study(result, {"layer_health": fig}, tmp_path).read_text()
    assert 'id="definitions-layer_health"' in page
    for words in ("‖ΔW‖/‖W‖", "output is 0 for every sample of an epoch", "Healthy", "10⁻³"):
        assert words in page
    plain = render_study(result, {"confusion": fig}, tmp_path / "plain").read_text()
    assert "definitions-" not in plain


# ----------------------------------------------------------------------------- text


def test_architecture_text_is_read_from_the_model():
    model = mnist.lesson_mlp(64, 16)
    text = plots.architecture(model)
    widths = [model.layers[0].kernel.shape[0], *(layer.kernel.shape[1] for layer in model.layers)]
    assert text == f"{widths[0]} → {widths[1]} relu → {widths[2]} softmax"
    assert text == "64 → 16 relu → 10 softmax"


def test_study_title_gives_the_network_it_trained(two_runs):
    result = StudyResult.load_json(two_runs / "mnist.json")
    assert "64 → 512 relu → 10 softmax" in result.title
    assert "784" not in result.title
    assert result.settings["dataset"] == "digits"


def test_every_page_says_what_to_look_for(two_runs):
    pages = {}
    for study in ("learning_rate", "mnist"):
        sections = _Links((two_runs / f"{study}.html").read_text()).sections
        assert "What to look for" in sections["look-for"]
        pages[study] = sections["look-for"].replace("What to look for", "").strip()
        sentences = [s for s in pages[study].split(". ") if s]
        assert 2 <= len(sentences) <= 4, pages[study]
    # from the study's own numbers
    assert "Rate 3 diverged" in pages["learning_rate"]
    accuracy = StudyResult.load_json(two_runs / "mnist.json").data["test_accuracy"]
    assert f"{accuracy:.1%}" in pages["mnist"]
