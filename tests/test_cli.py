"""The glassnet command, run as a user runs it: a subprocess of the installed entry point."""

import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

COMMANDS = [
    [],
    ["explain"],
    ["gradcheck"],
    ["demo"],
    ["run"],
    ["run", "activations"],
    ["run", "learning_rate"],
    ["run", "vanishing_gradients"],
    ["run", "regression"],
    ["run", "shallow"],
    ["run", "mnist"],
    ["run", "all"],
    ["train"],
    ["plot"],
    ["plot-activations"],
]


def glassnet(*args, cwd=None, env=None):
    exe = shutil.which("glassnet")
    command = (
        [exe]
        if exe
        else [sys.executable, "-c", "from glassnet.cli import entry_point; entry_point()"]
    )
    full_env = {**os.environ, "MPLBACKEND": "Agg", **(env or {})}
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, cwd=cwd, env=full_env, timeout=600
    )


class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.images, self.tables, self.links = [], 0, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs.get("src", ""))
        elif tag == "table":
            self.tables += 1
        elif tag == "a":
            self.links.append(attrs.get("href", ""))


def parse(path):
    page = Page()
    page.feed(Path(path).read_text())
    return page


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "glassnet")
def test_every_command_has_help(command):
    result = glassnet(*command, "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage: glassnet" in result.stdout
    assert "--help" in result.stdout


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["run", "nope"], "No such command 'nope'"),
        (["train", "--activation", "swishy"], "unknown activation 'swishy'; accepted: celu"),
        (["train", "--activation", "softmax"], "softmax is not element-wise"),
        (["train", "--optimizer", "adagrad"], "'adagrad' is not one of 'rmsprop', 'adam', 'sgd'"),
        (["run", "activations", "--seeds", "0"], "seeds must be ≥ 1, got 0"),
        (["run", "activations", "--activations", "sigmoid,swishy"], "unknown activation 'swishy'"),
        (["train", "--layers", "512,abc"], "--layers must be comma-separated integers"),
        (["train", "--data", "nothing.txt"], "data must be one of digits, mnist, fashion_mnist"),
        (["run", "mnist", "--dataset", "cifar"], "'cifar' is not one of 'auto', 'mnist'"),
        (["demo", "--bogus"], "No such option '--bogus'"),
    ],
)
def test_bad_options_give_one_line_and_exit_code_2(args, expected):
    result = glassnet(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("glassnet: error: ")
    assert expected in lines[0]


def test_missing_data_files_are_named(tmp_path):
    result = glassnet(
        "train",
        "--data",
        "mnist",
        "--epochs",
        "1",
        cwd=tmp_path,
        env={"GLASSNET_DATA": str(tmp_path / "empty"), "GLASSNET_OFFLINE": "1"},
    )
    # no files, and downloads switched off: an error naming the missing files
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "train-images-idx3-ubyte.gz" in result.stderr
    assert "GLASSNET_OFFLINE is set" in result.stderr
    missing_csv = glassnet("train", "--data", str(tmp_path / "absent.csv"))
    assert missing_csv.returncode == 2 and "absent.csv" in missing_csv.stderr


def test_demo_writes_a_complete_report(tmp_path):
    result = glassnet("demo", "--seeds", "5", "--out", "report", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "converges faster" in result.stdout or "No clear difference" in result.stdout
    index = tmp_path / "report" / "index.html"
    assert f"Report: {index.resolve()}" in result.stdout
    links = parse(index).links
    assert "activations.html" in links and "mnist.html" in links
    for study, n_figures in (("activations", 4), ("mnist", 2)):
        page = parse(tmp_path / "report" / f"{study}.html")
        assert len(page.images) == n_figures
        assert all(src.startswith("data:image/png;base64,") for src in page.images)
        assert page.tables >= 2  # the summary table and the settings
        for suffix in ("json", "csv"):
            assert (tmp_path / "report" / f"{study}.{suffix}").stat().st_size > 0
        pngs = sorted((tmp_path / "report" / "figures").glob(f"{study}-*.png"))
        assert len(pngs) == n_figures
        assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in pngs)


def test_plot_redraws_a_report_from_its_json(tmp_path):
    assert (
        glassnet("run", "regression", "--epochs", "300", "--out", "a", cwd=tmp_path).returncode == 0
    )
    result = glassnet("plot", "a/regression.json", "--out", "b", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "b" / "regression.html").exists()
    assert len(parse(tmp_path / "b" / "regression.html").images) == 2
    bad = glassnet("plot", "missing.json", cwd=tmp_path)
    assert bad.returncode == 2 and "no results file at 'missing.json'" in bad.stderr


def test_train_on_a_csv_saves_a_model_that_loads(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 4))
    y = (x[:, 0] + x[:, 1] > 0).astype(int)
    lines = ["a,b,c,d,label"] + [
        ",".join(f"{v:.5f}" for v in row) + f",{t}" for row, t in zip(x, y, strict=True)
    ]
    (tmp_path / "data.csv").write_text("\n".join(lines) + "\n")
    result = glassnet(
        "train",
        "--data",
        "data.csv",
        "--layers",
        "16",
        "--epochs",
        "30",
        "--batch-size",
        "16",
        "--lr",
        "0.01",
        "--save",
        "model.glassnet",
        "--out",
        "r",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "Model saved to model.glassnet" in result.stdout
    from glassnet import models

    model = models.load_model(tmp_path / "model.glassnet")
    assert model.count_params() == 4 * 16 + 16 + 16 * 2 + 2 + 4 + 4  # + the mean and variance
    report = StudyLike(tmp_path / "r" / "train.json")
    assert report.data["test_accuracy"] > 0.9


def test_plot_activations_writes_png_and_svg(tmp_path):
    result = glassnet(
        "plot-activations", "--activations", "sigmoid,tanh", "--out", "acts", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "acts.png").read_bytes()[:4] == b"\x89PNG"
    assert "<svg" in (tmp_path / "acts.svg").read_text()[:2000]


def StudyLike(path):
    from glassnet.experiments import StudyResult

    return StudyResult.load_json(path)


def test_explain_prints_the_same_numbers_as_the_api():
    import glassnet as gn
    from glassnet.experiments.paper import X, Y, paper_network

    result = glassnet("explain", "--activation", "tanh", "--seed", "2")
    assert result.returncode == 0, result.stderr
    gn.set_floatx("float64")
    try:
        expected = str(paper_network("tanh", 2).explain(X, Y))
    finally:
        gn.set_floatx("float32")
    assert result.stdout.strip() == expected.strip()
    markdown = glassnet("explain", "--format", "markdown")
    assert markdown.returncode == 0 and "### Backward" in markdown.stdout


def test_gradcheck_command_reports_every_parameter():
    result = glassnet("gradcheck", "--layers", "5,4", "--activation", "sigmoid", "--loss", "mse")
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.startswith("dense")]
    assert len(lines) == 6 and all(line.endswith("ok") for line in lines)
    assert "PASSED" in result.stdout


def test_gradcheck_command_exits_1_when_a_check_fails(tmp_path):
    import glassnet as gn
    from glassnet import layers, models

    gn.set_seed(0)
    model = models.Sequential(
        [layers.Dense(3, activation="tanh", input_dim=4), layers.Dense(2, activation="softmax")]
    )
    model.compile("sgd", "categorical_crossentropy")
    model.save(tmp_path / "m.glassnet")
    ok = glassnet("gradcheck", "--model", str(tmp_path / "m.glassnet"))
    assert ok.returncode == 0 and "PASSED" in ok.stdout
    # no finite-difference estimate meets a tolerance of 1e-30: every check fails
    strict = glassnet("gradcheck", "--model", str(tmp_path / "m.glassnet"), "--tolerance", "1e-30")
    assert strict.returncode == 1
    assert "FAILED" in strict.stdout and strict.stdout.count("FAIL") >= 4


def test_run_all_writes_every_study_and_an_index(tmp_path):
    result = glassnet(
        "run",
        "all",
        "--seeds",
        "2",
        "--epochs",
        "2",
        "--out",
        "all",
        cwd=tmp_path,
        env={"GLASSNET_OFFLINE": "1"},
    )
    assert result.returncode == 0, result.stderr
    links = parse(tmp_path / "all" / "index.html").links
    from glassnet.experiments import STUDIES

    for study in STUDIES:
        assert f"{study}.html" in links
        page = parse(tmp_path / "all" / f"{study}.html")
        assert page.images and page.tables >= 2
