"""The playground page in a real browser, against the real server (uvicorn on a free port).

Every number the page shows comes from glassnet on the server; these tests drive the page as a
learner would and check what it shows against glassnet computed in Python on the same state.
Set GLASSNET_SCREENSHOTS=1 to save the screenshots to docs/images/playground*.png.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pytest

pytest.importorskip("starlette")
uvicorn = pytest.importorskip("uvicorn")

from glassnet.playground.network import fit_targets  # noqa: E402
from glassnet.playground.server import create_app  # noqa: E402
from tests.playground.paper_preset import PAPER  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
IMAGES = ROOT / "docs" / "images"
TOKEN = "browser-test-token-0123456789"

TEST_IDS = [
    "play",
    "pause",
    "step",
    "reset",
    "dataset",
    "activation",
    "learning-rate",
    "add-layer",
    "remove-layer",
    "epoch",
    "train-loss",
    "test-loss",
    "explain",
    "export-python",
    "noise",
    "train-ratio",
    "batch-size",
    "regularization",
    "regularization-rate",
    "optimizer",
    "output",
    "seed",
    "show-test",
    "discretize",
    "regenerate",
    "compare",
    "features",
    "upload-csv",
    "status",
    "message",
    "explain-panel",
    "export-code",
    "confusion",
    "grad-norms",
    "neuron-tooltip",
    "edge-tooltip",
    "heatmap-output",
    "loss",
    "initializer",
]


class Playground:
    """The playground's app served by uvicorn from a thread, on 127.0.0.1 and a free port."""

    def __init__(self, max_sessions: int = 16) -> None:
        self.app = create_app(TOKEN, max_sessions=max_sessions)
        config = uvicorn.Config(self.app, host="127.0.0.1", port=0, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline, "the playground server did not start"
            time.sleep(0.02)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.base = f"http://127.0.0.1:{port}/"

    def url(self, hash_: str = "", token: str = TOKEN) -> str:
        return f"{self.base}?token={token}{hash_}"

    def sessions(self) -> list[Any]:
        return [worker.session for worker in self.app.state.sessions.workers]

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(30)


@pytest.fixture(scope="module")
def playground() -> Iterator[Playground]:
    server = Playground()
    yield server
    server.stop()


@pytest.fixture
def own_playground() -> Iterator[Playground]:
    """A server of its own, so that its one session is the page's."""
    server = Playground()
    yield server
    server.stop()


# -- helpers -----------------------------------------------------------------------------------
def open_page(page: Any, url: str) -> Any:
    page.goto(url)
    page.wait_for_function("() => window.glassnet && window.glassnet.state !== null")
    page.wait_for_function("() => window.glassnet.frameCount > 0")
    return page


def state(page: Any) -> dict[str, Any]:
    return page.evaluate("() => window.glassnet.state")


def number(page: Any, test_id: str) -> float:
    return float(page.get_by_test_id(test_id).get_attribute("data-value"))


def epoch(page: Any) -> int:
    return int(page.get_by_test_id("epoch").inner_text())


def wait_epoch(page: Any, at_least: int, timeout: float = 60_000) -> None:
    page.wait_for_function(
        "n => window.glassnet.state && window.glassnet.state.epoch >= n",
        arg=at_least,
        timeout=timeout,
    )


def point_on_edge(page: Any, test_id: str) -> tuple[float, float]:
    """A point a quarter of the way along an edge (its centre may be where another crosses)."""
    return tuple(
        page.evaluate(
            """id => {
                const path = document.querySelector(`[data-testid="${id}"]`);
                const p = path.getPointAtLength(path.getTotalLength() / 4);
                const box = path.ownerSVGElement.getBoundingClientRect();
                return [box.left + p.x, box.top + p.y];
            }""",
            test_id,
        )
    )


def shown_value(tooltip: Any, test_id: str) -> float:
    """A number of a tooltip: its text (with the sign "−") agrees with its exact data-value."""
    node = tooltip.get_by_test_id(test_id)
    value = float(node.get_attribute("data-value"))
    assert float(node.inner_text().replace("−", "-")) == pytest.approx(value, abs=1e-3)
    return value


def kernel_arrays(weights: list[dict[str, Any]]) -> list[np.ndarray]:
    """The state's weights as get_weights() orders them: kernel, bias, kernel, bias, …"""
    out = []
    for layer in weights:
        out += [np.array(layer["kernel"], dtype=np.float64), np.array(layer["bias"])]
    return out


def screenshot(page: Any, name: str, **options: Any) -> None:
    if os.environ.get("GLASSNET_SCREENSHOTS"):
        IMAGES.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(IMAGES / name), **options)


def assert_top_bar_on_one_line(page: Any) -> None:
    """No control of the top bar wraps below the others (at the page's 1280 px)."""
    boxes = page.evaluate(
        "() => [...document.querySelectorAll('.topbar > *')]"
        ".map(e => e.getBoundingClientRect()).map(r => [r.top, r.bottom])"
    )
    assert max(top for top, _ in boxes) < min(bottom for _, bottom in boxes)


def clean(page: Any) -> None:
    assert page.page_errors == []
    assert page.console_errors == []
    assert page.console_warnings == []
    assert page.failed_requests == []
    hosts = {urlsplit(url).hostname for url in page.requests if not url.startswith("data:")}
    assert hosts == {"127.0.0.1"}, page.requests


# -- tests -------------------------------------------------------------------------------------
def test_page_loads_offline_clean_and_fits(page: Any, playground: Playground) -> None:
    open_page(page, playground.url())
    for test_id in TEST_IDS:
        assert page.get_by_test_id(test_id).count() == 1, test_id
    assert epoch(page) == 0
    assert page.get_by_test_id("status").inner_text() == "paused"
    shown = page.get_by_test_id("train-loss").inner_text()
    assert shown == f"{state(page)['train_loss']:.3f}"
    # the default network: features x1, x2 on, hidden layers of 4 and 2, one output
    assert page.get_by_test_id("feature-x1").get_attribute("data-active") == "true"
    assert page.get_by_test_id("feature-x1^2").get_attribute("data-active") == "false"
    assert page.locator("[data-testid^=neuron-]").count() >= 4 + 2 + 1
    assert page.locator("path.hit").count() == 2 * 4 + 4 * 2 + 2 * 1
    # the layout fits 1280 px without a horizontal scroll bar, text no smaller than 12 px
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert_top_bar_on_one_line(page)
    smallest = page.evaluate(
        """() => Math.min(...[...document.querySelectorAll('body *')]
            .filter(e => e.offsetParent !== null && e.childNodes.length
                    && [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
            .map(e => parseFloat(getComputedStyle(e).fontSize)))"""
    )
    assert smallest >= 11
    # heat maps are drawn: the output canvas holds both ends of the colour map
    colours = page.evaluate(
        """() => { const c = document.querySelector('[data-testid=heatmap-output]');
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let orange = 0, blue = 0;
            for (let i = 0; i < d.length; i += 4) {
                if (d[i] > 200 && d[i + 2] < 120) orange++;
                if (d[i] < 90 && d[i + 2] > 150) blue++;
            }
            return [orange, blue]; }"""
    )
    assert colours[0] > 0 and colours[1] > 0
    screenshot(page, "playground.png")
    clean(page)


def test_play_trains_and_the_loss_falls(page: Any, playground: Playground) -> None:
    open_page(page, playground.url("#dataset=circle"))
    before = number(page, "train-loss")
    page.get_by_test_id("play").click()
    page.wait_for_function("() => window.glassnet.state.status === 'playing'")
    wait_epoch(page, 30)
    page.get_by_test_id("pause").click()
    page.wait_for_function("() => window.glassnet.state.status === 'paused'")
    after = number(page, "train-loss")
    assert after < before
    assert epoch(page) >= 30
    history = state(page)["history"]
    assert history["epoch"] == list(range(1, len(history["epoch"]) + 1))
    assert len(history["epoch"]) == epoch(page)
    clean(page)


def test_step_advances_one_epoch_and_explain_shows_glassnet_numbers(
    page: Any, own_playground: Playground
) -> None:
    open_page(page, own_playground.url("#dataset=xor&layers=3&activations=tanh&batch_size=5"))
    page.get_by_test_id("step").click()
    wait_epoch(page, 1)
    page.wait_for_timeout(300)
    assert epoch(page) == 1
    page.get_by_test_id("step").click()
    wait_epoch(page, 2)
    page.wait_for_timeout(300)
    assert epoch(page) == 2

    page.get_by_test_id("explain").click()
    page.get_by_test_id("explain-summary").wait_for()
    (session,) = own_playground.sessions()
    assert session.epoch == 2
    # glassnet in Python, on the session's model and the batch the next step trains on
    index = session.next_batch()
    y = fit_targets(session.y_train, session.main.spec.output)
    walk = session.main.model.explain(session.f_train[index], y[index])
    assert len(walk.steps) >= 8
    phases = {step.phase for step in walk.steps}
    assert {"forward", "loss", "backward", "update"} <= phases
    for step in walk.steps:
        box = page.get_by_test_id(f"explain-step-{step.key}")
        assert step.symbol in box.locator(".heading").inner_text()
        shown = box.locator("td[data-value]").evaluate_all(
            "cells => cells.map(c => c.dataset.value)"
        )
        expected = np.atleast_2d(np.asarray(step.value, dtype=np.float64))
        rows, cols = min(expected.shape[0], 12), min(expected.shape[1], 10)
        values = np.array([float(v) for v in shown]).reshape(rows, cols)
        np.testing.assert_array_equal(values, expected[:rows, :cols], err_msg=step.key)
    assert number(page, "explain-loss-before") == pytest.approx(walk.loss_before, rel=1e-12)
    assert number(page, "explain-loss-after") == pytest.approx(walk.loss_after, rel=1e-12)
    # explain leaves the model as it was
    assert epoch(page) == 2
    screenshot(page, "playground-explain.png", full_page=True)
    clean(page)


PAINTED = """id => {
  const canvas = document.querySelector(`[data-testid="${id}"] canvas`);
  // read a copy: reading the page's own canvas again and again makes Chromium warn
  const copy = document.createElement("canvas");
  copy.width = canvas.width;
  copy.height = canvas.height;
  const context = copy.getContext("2d", { willReadFrequently: true });
  context.drawImage(canvas, 0, 0);
  const pixels = context.getImageData(0, 0, copy.width, copy.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) painted += pixels[i] > 0 ? 1 : 0;
  return painted / (pixels.length / 4);
}"""


def test_heat_maps_stay_drawn_when_the_window_is_resized_while_paused(
    page: Any, playground: Playground
) -> None:
    open_page(page, playground.url())
    maps = ["feature-x1", "neuron-0-0", "neuron-1-1"]
    painted = f"() => {json.dumps(maps)}.every(m => ({PAINTED})(m) === 1)"
    page.wait_for_function(painted, timeout=10_000)  # the first frame is drawn
    frames = page.evaluate("() => window.glassnet.frameCount")
    # registered after the page's own listener, so it runs after the page has handled it
    page.evaluate("() => addEventListener('resize', () => { window.resized = true; })")
    page.set_viewport_size({"width": 1200, "height": 800})
    page.wait_for_function("() => window.resized === true")
    # paused: no new frame comes, so the maps must be painted again from the last one
    assert page.evaluate(painted)
    assert page.evaluate("() => window.glassnet.frameCount") == frames
    assert page.evaluate("() => window.glassnet.state.status") == "paused"
    clean(page)


def test_explain_of_a_large_batch_says_how_much_is_not_shown(
    page: Any, playground: Playground
) -> None:
    open_page(page, playground.url("#batch_size=100"))
    page.get_by_test_id("explain").click()
    box = page.get_by_test_id("explain-step-X")
    box.wait_for()
    assert box.locator("td[data-value]").count() == 12 * 2  # the corner the server sent
    assert "(88 more rows not shown; shape 100×2)" in box.inner_text()
    clean(page)


@pytest.mark.parametrize(
    ("fragment", "shown"),
    [
        ("", "Loss: binary cross-entropy."),
        ("#dataset=plane", "Loss: mean squared error."),
        (
            "#regularization=l2&regularization_rate=0.1",
            "Loss: binary cross-entropy + the L2 penalty on the weights.",
        ),
    ],
)
def test_the_page_names_the_loss_it_shows(
    page: Any, playground: Playground, fragment: str, shown: str
) -> None:
    open_page(page, playground.url(fragment))
    assert page.get_by_test_id("loss-name").inner_text() == shown
    clean(page)


def test_the_url_hash_restores_the_configuration(page: Any, playground: Playground) -> None:
    open_page(page, playground.url("#layers=3,3&activations=relu,relu&dataset=xor"))
    config = state(page)["config"]
    assert config["layers"] == [3, 3]
    assert config["activations"] == ["relu", "relu"]
    assert config["dataset"] == "xor"
    assert page.get_by_test_id("dataset").input_value() == "xor"
    assert page.get_by_test_id("activation").input_value() == "relu"
    assert page.get_by_test_id("layer-activation-1").input_value() == "relu"
    assert page.get_by_test_id("neuron-count-0").inner_text() == "3 neurons"
    shapes = [np.shape(layer["kernel"]) for layer in state(page)["weights"]]
    assert shapes == [(2, 3), (3, 3), (3, 1)]

    # controls change the configuration, and the hash follows
    page.get_by_test_id("learning-rate").select_option("0.1")
    page.get_by_test_id("seed").fill("7")
    page.get_by_test_id("seed").press("Enter")
    page.get_by_test_id("add-layer").click()
    page.get_by_test_id("feature-x1x2").click()
    page.wait_for_function(
        "() => window.glassnet.state.config.layers.length === 3"
        " && window.glassnet.state.config.features.includes('x1x2')"
        " && window.glassnet.state.config.seed === 7"
    )
    wanted = state(page)["config"]
    assert wanted["learning_rate"] == 0.1
    hash_ = page.evaluate("location.hash")
    assert "seed=7" in hash_ and "layers=3,3,2" in hash_ and "learning_rate=0.1" in hash_

    # a new page from that URL starts from the same configuration and the same weights
    weights = state(page)["weights"]
    other = page.context.new_page()
    open_page(other, page.url)
    assert state(other)["config"] == wanted
    assert state(other)["weights"] == weights
    assert other.get_by_test_id("seed").input_value() == "7"
    other.close()
    clean(page)


def test_the_exported_script_reproduces_the_page_weights(
    page: Any, playground: Playground, tmp_path: Path
) -> None:
    open_page(page, playground.url("#dataset=gaussians&noise=10&layers=4&activations=relu"))
    for n in (1, 2):
        page.get_by_test_id("step").click()
        wait_epoch(page, n)
    # live changes go into the session's log: a learning rate, then a weight edited by hand
    page.get_by_test_id("learning-rate").select_option("0.1")
    page.wait_for_function("() => window.glassnet.state.config.learning_rate === 0.1")
    page.get_by_test_id("step").click()
    wait_epoch(page, 3)
    page.mouse.move(*point_on_edge(page, "edge-0-0-0"))
    tooltip = page.get_by_test_id("edge-tooltip")
    tooltip.wait_for()
    shown = float(tooltip.get_by_test_id("edge-value").inner_text())
    assert shown == pytest.approx(state(page)["weights"][0]["kernel"][0][0], abs=1e-4)
    page.mouse.click(*point_on_edge(page, "edge-0-0-0"))
    page.get_by_test_id("weight-input").fill("0.75")
    page.get_by_test_id("weight-input").press("Enter")
    page.wait_for_function("() => window.glassnet.state.weights[0].kernel[0][0] === 0.75")
    for n in (4, 5):
        page.get_by_test_id("step").click()
        wait_epoch(page, n)
    page.wait_for_timeout(200)

    page.get_by_test_id("export-python").click()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=export-code]').value.length > 0"
    )
    code = page.get_by_test_id("export-code").input_value()
    weights = kernel_arrays(state(page)["weights"])
    script = tmp_path / "run.py"
    script.write_text(
        code
        + "\nimport json as _json\n"
        + "print('GLASSNET_WEIGHTS=' + _json.dumps([w.tolist() for w in model.get_weights()]))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "MPLBACKEND": "Agg"}
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    line = next(s for s in result.stdout.splitlines() if s.startswith("GLASSNET_WEIGHTS="))
    replayed = [np.array(w) for w in json.loads(line.split("=", 1)[1])]
    assert len(replayed) == len(weights)
    for ours, theirs in zip(weights, replayed, strict=True):
        assert np.array_equal(ours, theirs)
    clean(page)


def test_the_paper_preset_is_the_papers_network_and_learns(
    page: Any, own_playground: Playground
) -> None:
    open_page(page, own_playground.url())
    page.get_by_test_id("preset").select_option("paper")
    page.wait_for_function(
        "() => window.glassnet.state.config.dataset === 'paper'"
        " && window.glassnet.data.train.x.length === 4"
    )
    config = state(page)["config"]
    wanted = {**PAPER, "classes": 2, "regularization": "none", "compare": None}
    assert {key: config[key] for key in wanted} == wanted
    # the controls show it
    controls = {
        "dataset": "paper",
        "activation": "sigmoid",
        "output": "sigmoid",
        "loss": "mse",
        "initializer": "uniform",
        "optimizer": "sgd",
        "learning-rate": "0.5",
        "batch-size": "4",
    }
    assert {key: page.get_by_test_id(key).input_value() for key in controls} == controls
    active = {
        f: page.get_by_test_id(f"feature-{f}").get_attribute("data-active")
        for f in ("x1", "x2", "one", "x1x2")
    }
    assert active == {"x1": "true", "x2": "true", "one": "true", "x1x2": "false"}
    assert page.get_by_test_id("noise").is_disabled()
    assert page.get_by_test_id("train-ratio").is_disabled()
    note = page.locator("#preset-note").inner_text()
    assert "approximat" not in note.lower() and "U(−1, 1)" in note
    assert "test = training samples" in page.get_by_test_id("data-note").inner_text()
    data = page.evaluate("window.glassnet.data")
    assert data["train"] == data["test"]
    assert data["train"]["x"] == [[0, 0], [1, 1], [1, 0], [0, 1]]
    assert data["train"]["y"] == [0, 1, 1, 0]
    # ... and so does the hash, with the view settings
    hash_ = page.evaluate("location.hash")
    for part in (
        "dataset=paper",
        "features=x1,x2,one",
        "layers=2",
        "activations=sigmoid",
        "output=sigmoid",
        "loss=mse",
        "initializer=uniform",
        "optimizer=sgd",
        "learning_rate=0.5",
        "batch_size=4",
        "show_test=false",
        "discretize=false",
    ):
        assert part in hash_.lstrip("#").split("&"), part
    # the weights: 3 inputs → 2 hidden units → 1 output, all drawn from U(−1, 1)
    weights = kernel_arrays(state(page)["weights"])
    assert [w.shape for w in weights] == [(3, 2), (2,), (2, 1), (1,)]
    assert all(np.abs(w).max() <= 1.0 for w in weights) and weights[1].any()

    # 100 epochs of gradient descent lower the squared error
    before = state(page)["train_loss"]
    assert state(page)["epoch"] == 0
    assert number(page, "train-loss") == pytest.approx(before)
    page.get_by_test_id("play").click()
    wait_epoch(page, 100)
    page.get_by_test_id("pause").click()
    page.wait_for_function("() => window.glassnet.state.status === 'paused'")
    history = state(page)["history"]
    assert history["epoch"][99] == 100
    assert history["train_loss"][99] < before
    assert number(page, "train-loss") < before
    (session,) = own_playground.sessions()
    assert session.main.series.train_loss[:100] == history["train_loss"][:100]

    # the view settings travel in the hash too
    page.get_by_test_id("show-test").check()
    page.get_by_test_id("discretize").check()
    page.wait_for_function(
        "() => location.hash.includes('show_test=true')"
        " && location.hash.includes('discretize=true')"
    )
    other = page.context.new_page()
    open_page(other, page.url)
    assert other.get_by_test_id("show-test").is_checked()
    assert other.get_by_test_id("discretize").is_checked()
    assert {key: state(other)["config"][key] for key in wanted} == wanted
    other.close()
    clean(page)


def test_a_wrong_token_gets_403(page: Any, playground: Playground) -> None:
    response = page.goto(playground.url(token="not-the-token"))
    assert response.status == 403
    assert "token" in page.content()
    response = page.goto(playground.base)
    assert response.status == 403
    response = page.goto(playground.base + "static/js/main.js")
    assert response.status == 403


def test_neuron_tooltip_shows_the_formula_with_values(page: Any, playground: Playground) -> None:
    open_page(page, playground.url("#dataset=circle&layers=4,2&activations=tanh,tanh"))
    page.get_by_test_id("step").click()
    wait_epoch(page, 1)
    box = page.get_by_test_id("heatmap-output").bounding_box()
    # the point (x1, x2) = (1.5, -3) on the output plot
    page.mouse.move(box["x"] + box["width"] * 7.5 / 12, box["y"] + box["height"] * 9 / 12)
    page.get_by_test_id("neuron-0-1").hover()
    tooltip = page.get_by_test_id("neuron-tooltip")
    tooltip.wait_for()
    text = tooltip.inner_text()
    assert "z = Σ" in text and "tanh" in text
    w = state(page)["weights"][0]
    x1, x2 = (float(v) for v in page.evaluate("window.glassnet.chosen.x"))
    z = w["kernel"][0][1] * x1 + w["kernel"][1][1] * x2 + w["bias"][1]
    assert shown_value(tooltip, "neuron-z") == pytest.approx(z, rel=1e-9, abs=1e-12)
    a = shown_value(tooltip, "neuron-a")
    assert a == pytest.approx(np.tanh(z), rel=1e-9, abs=1e-12)
    screenshot(page, "playground-neuron.png")
    clean(page)


def test_compare_upload_and_added_points(page: Any, playground: Playground, tmp_path: Path) -> None:
    open_page(page, playground.url("#dataset=xor&layers=4&activations=tanh"))
    page.get_by_test_id("compare").select_option("activation")
    page.get_by_test_id("compare-box").wait_for()
    page.wait_for_function("() => window.glassnet.state.compare !== null")
    assert state(page)["compare"]["label"] == "sigmoid"
    page.get_by_test_id("play").click()
    wait_epoch(page, 10)
    page.get_by_test_id("pause").click()
    page.wait_for_function("() => window.glassnet.state.status === 'paused'")
    compare = state(page)["compare"]
    assert len(compare["history"]["epoch"]) == state(page)["epoch"]
    assert page.locator("#loss-chart .u-legend").inner_text().count("sigmoid") == 2
    screenshot(page, "playground-compare.png")

    # a CSV of three classes replaces the data; softmax output, 3 × 3 confusion matrix
    rows = ["x1,x2,label"] + [
        f"{x:.2f},{y:.2f},{k}"
        for k, (cx, cy) in enumerate([(-3, -3), (3, -3), (0, 3)])
        for x, y in np.random.default_rng(k).normal((cx, cy), 0.8, size=(30, 2))
    ]
    csv = tmp_path / "three.csv"
    csv.write_text("\n".join(rows) + "\n")
    page.get_by_test_id("upload-csv").set_input_files(str(csv))
    page.wait_for_function("() => window.glassnet.state.config.dataset === 'custom'")
    page.wait_for_function("() => window.glassnet.data.classes === 3")
    page.get_by_test_id("step").click()
    wait_epoch(page, 1)
    assert page.get_by_test_id("confusion").locator("td").count() == 9
    assert page.get_by_test_id("output-kind").inner_text() == "softmax"

    # a click on the output plot adds a training point of the chosen class
    before = len(page.evaluate("window.glassnet.data.train.x"))
    page.get_by_test_id("add-class").select_option("2")
    box = page.get_by_test_id("heatmap-output").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 4)
    page.wait_for_function("n => window.glassnet.data.train.x.length === n + 1", arg=before)
    assert page.evaluate("window.glassnet.data.train.y.at(-1)") == 2
    clean(page)


def test_ten_pages_train_at_once(browser: Any, playground: Playground) -> None:
    contexts = [browser.new_context(viewport={"width": 1280, "height": 800}) for _ in range(10)]
    try:
        pages = [open_page(c.new_page(), playground.url("#dataset=circle")) for c in contexts]
        start = [number(p, "train-loss") for p in pages]
        for p in pages:
            p.get_by_test_id("play").click()
        for p in pages:
            wait_epoch(p, 10, timeout=120_000)
        for p in pages:
            p.get_by_test_id("pause").click()
        for p, first in zip(pages, start, strict=True):
            p.wait_for_function("() => window.glassnet.state.status === 'paused'")
            assert epoch(p) > 0
            assert number(p, "train-loss") < first
    finally:
        for c in contexts:
            c.close()


def test_xor_with_tanh_reaches_a_test_loss_below_005(page: Any, playground: Playground) -> None:
    open_page(page, playground.url("#dataset=xor&layers=4,2&activations=tanh,tanh"))
    page.get_by_test_id("play").click()
    page.wait_for_function(
        "() => window.glassnet.state.test_loss < 0.05", timeout=120_000, polling=100
    )
    page.get_by_test_id("pause").click()
    assert number(page, "test-loss") < 0.05
    assert float(page.get_by_test_id("test-loss").inner_text()) <= 0.05
    clean(page)


def test_divergence_stops_training_and_says_what_to_try(page: Any, playground: Playground) -> None:
    hash_ = "#dataset=plane&learning_rate=3&layers=8,8&activations=relu,relu"
    open_page(page, playground.url(hash_))
    page.get_by_test_id("play").click()
    page.wait_for_function("() => window.glassnet.state.status === 'diverged'", timeout=60_000)
    message = page.get_by_test_id("message")
    message.wait_for()
    text = message.inner_text()
    assert "blew up first" in text and "smaller learning rate" in text
    assert_top_bar_on_one_line(page)  # with the longer status "diverged" too
    assert page.get_by_test_id("status").inner_text() == "diverged"
    assert page.get_by_test_id("play").is_disabled()
    bars = page.get_by_test_id("grad-norms").locator("[data-testid^=grad-norm-]")
    assert bars.count() == 3
    clean(page)


def notice_text(page: Any) -> str:
    box = page.get_by_test_id("error")
    box.wait_for()
    return box.inner_text()


def choose_point(page: Any, x1: float, x2: float) -> tuple[float, float]:
    """Hover the output plot at (x1, x2) of its domain; returns the point the page chose."""
    box = page.get_by_test_id("heatmap-output").bounding_box()
    lo, hi = page.evaluate("window.glassnet.data.domain || [-6, 6]")
    page.mouse.move(
        box["x"] + box["width"] * (x1 - lo) / (hi - lo),
        box["y"] + box["height"] * (hi - x2) / (hi - lo),
    )
    page.wait_for_function("() => window.glassnet.chosen !== null")
    return tuple(float(v) for v in page.evaluate("window.glassnet.chosen.x"))


def test_the_neuron_tooltip_of_the_paper_preset_takes_the_constant_input(
    page: Any, playground: Playground
) -> None:
    open_page(page, playground.url())
    page.get_by_test_id("preset").select_option("paper")
    page.wait_for_function(
        "() => window.glassnet.state.config.dataset === 'paper'"
        " && window.glassnet.data.train.x.length === 4"
    )
    x1, x2 = choose_point(page, 0.3, 0.7)
    page.get_by_test_id("neuron-0-1").hover()
    tooltip = page.get_by_test_id("neuron-tooltip")
    tooltip.wait_for()
    assert "sigmoid" in tooltip.inner_text()
    w = state(page)["weights"][0]
    inputs = np.array([x1, x2, 1.0])
    z = float(inputs @ np.array(w["kernel"])[:, 1] + w["bias"][1])
    assert shown_value(tooltip, "neuron-z") == pytest.approx(z, rel=1e-9, abs=1e-12)
    a = shown_value(tooltip, "neuron-a")
    assert a == pytest.approx(1 / (1 + np.exp(-z)), rel=1e-9, abs=1e-12)
    # the constant input's own tooltip
    page.get_by_test_id("feature-one").hover()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=neuron-tooltip]')"
        ".innerText.includes('1 = 1.000')"
    )
    # moving over the output plot again updates the point without an error
    choose_point(page, 0.6, 0.2)
    clean(page)


def test_a_refused_configuration_is_rolled_back(page: Any, playground: Playground) -> None:
    open_page(page, playground.url())
    page.get_by_test_id("preset").select_option("spiral3")
    page.wait_for_function(
        "() => window.glassnet.state.config.classes === 3 && window.glassnet.data.classes === 3"
    )
    page.get_by_test_id("step").click()
    wait_epoch(page, 1)
    errors = page.evaluate("window.glassnet.errors.length")
    # a sigmoid output cannot tell 3 classes apart: the server refuses the configuration
    page.get_by_test_id("output").select_option("sigmoid")
    page.wait_for_function("n => window.glassnet.errors.length > n", arg=errors)
    assert "sigmoid" in notice_text(page)
    page.wait_for_function(
        "() => document.querySelector('[data-testid=output]').value === 'softmax'"
    )
    assert page.evaluate("window.glassnet.config") == state(page)["config"]
    assert epoch(page) == 1
    # the next edit goes through
    page.get_by_test_id("optimizer").select_option("sgd")
    page.wait_for_function("() => window.glassnet.state.config.optimizer === 'sgd'")
    config = state(page)["config"]
    assert config["output"] == "softmax" and config["classes"] == 3
    assert page.evaluate("window.glassnet.errors.length") == errors + 1
    assert page.get_by_test_id("output").input_value() == "softmax"
    assert "output=softmax" in page.evaluate("location.hash")
    clean(page)


@pytest.mark.parametrize(
    ("hash_", "named"),
    [
        ("#learning_rate=100&dataset=foo", ["learning_rate", "dataset"]),
        ("#layers=9,2&activations=tanh,tanh&noise=80", ["layers", "noise"]),
        # valid to the page, refused by the server: three classes and a sigmoid output
        ("#dataset=spiral&classes=3&output=sigmoid", ["sigmoid"]),
    ],
)
def test_a_bad_link_opens_a_working_page_with_the_defaults(
    page: Any, playground: Playground, hash_: str, named: list[str]
) -> None:
    open_page(page, playground.url(hash_))
    text = notice_text(page)
    assert all(name in text for name in named), text
    defaults = page.evaluate("window.glassnet.hello.defaults")
    config = state(page)["config"]
    for key in ("dataset", "learning_rate", "layers", "noise", "output"):
        if key not in hash_:
            continue
        assert config[key] == defaults[key], key
    assert page.evaluate("window.glassnet.config") == config
    page.get_by_test_id("step").click()
    wait_epoch(page, 1)
    assert page.get_by_test_id("dataset").input_value() == config["dataset"]
    clean(page)


def test_clicking_the_last_active_feature_changes_nothing(
    page: Any, playground: Playground
) -> None:
    open_page(page, playground.url("#dataset=circle&features=x1"))
    for n in (1, 2, 3):
        page.get_by_test_id("step").click()
        wait_epoch(page, n)
    sent = page.evaluate(
        """() => { const s = window.glassnet.socket; const original = s.send.bind(s);
            window.sentTypes = [];
            s.send = (text) => { window.sentTypes.push(JSON.parse(text).type); original(text); };
            return true; }"""
    )
    assert sent
    page.get_by_test_id("feature-x1").click()
    assert page.get_by_test_id("feature-x1").get_attribute("data-active") == "true"
    page.get_by_test_id("step").click()
    page.wait_for_function("() => window.glassnet.state.epoch !== 3")
    assert epoch(page) == 4
    assert page.evaluate("window.sentTypes") == ["step"]
    clean(page)


def test_the_second_networks_divergence_is_labelled(page: Any, playground: Playground) -> None:
    hash_ = "#dataset=plane&layers=8,8&activations=relu,relu&compare=learning_rate:10"
    open_page(page, playground.url(hash_))
    page.get_by_test_id("play").click()
    page.wait_for_function(
        "() => window.glassnet.state.compare"
        " && window.glassnet.state.compare.status === 'diverged'",
        timeout=60_000,
    )
    page.get_by_test_id("pause").click()
    page.wait_for_function("() => window.glassnet.state.status === 'paused'")
    label = state(page)["compare"]["label"]
    message = page.get_by_test_id("message")
    message.wait_for()
    assert message.inner_text().startswith(f"Second network ({label}):"), message.inner_text()
    clean(page)


def test_the_compare_learning_rate_suggestion_is_a_clean_number(
    page: Any, playground: Playground
) -> None:
    # 0.07 · 10 is 0.7000000000000001 in floating point
    open_page(page, playground.url("#learning_rate=0.07"))
    page.get_by_test_id("compare").select_option("learning_rate")
    page.wait_for_function("() => window.glassnet.state.compare !== null")
    assert state(page)["config"]["compare"] == {"key": "learning_rate", "value": 0.7}
    assert page.get_by_test_id("compare-value").input_value() == "0.7"
    assert "compare=learning_rate:0.7&" in page.evaluate("location.hash")
    clean(page)


def test_the_page_keeps_only_the_last_50_errors(page: Any, playground: Playground) -> None:
    open_page(page, playground.url())
    page.evaluate(
        "() => { for (let i = 0; i < 60; i++) window.glassnet.send({type: 'nonsense'}); }"
    )
    page.wait_for_function("() => window.glassnet.errors.length === 50")
    page.wait_for_timeout(300)
    assert page.evaluate("window.glassnet.errors.length") == 50
    clean(page)


def test_tooltip_and_labels_write_signs_and_units(page: Any, playground: Playground) -> None:
    open_page(page, playground.url("#dataset=circle&noise=10&layers=4,2&activations=tanh,tanh"))
    noise = page.locator("label:has([data-testid=noise])").inner_text()
    assert " ".join(noise.split()) == "Noise 10%"
    page.get_by_test_id("step").click()
    wait_epoch(page, 1)
    x1, x2 = choose_point(page, -2, -3)
    assert x1 < 0 and x2 < 0
    weights = state(page)["weights"]
    # units of the first layer (the point's negative coordinates as inputs) and of the second
    for layer, j in ((0, 0), (0, 1), (1, 0)):
        page.get_by_test_id(f"neuron-{layer}-{j}").hover()
        tooltip = page.get_by_test_id("neuron-tooltip")
        tooltip.wait_for()
        lines = tooltip.inner_text().splitlines()
        formula = [line for line in lines if line.startswith("z = ") and "Σ" not in line]
        assert len(formula) == 2, lines
        for line in formula:
            body = line.split(" = ")[1]
            assert "-" not in body and "+ −" not in body, line
        if layer == 0:
            assert "·(−" in formula[1], formula
        w = weights[layer]["kernel"]
        if w[0][j] < 0:
            assert formula[0].startswith("z = −"), formula
        page.mouse.move(0, 0)
    clean(page)
