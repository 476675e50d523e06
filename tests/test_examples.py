"""The teaching notebooks in examples/ and the site's examples in docs/ run, offline.

Each notebook is executed once, in a fresh python3 kernel, from a temporary folder, with
MPLBACKEND=Agg and GLASSNET_OFFLINE=1. The tests then read its printed outputs and check
the numbers it claims (a loss that went down, gradients that agree, accuracies, verdicts).
Every ```python block of the documentation runs as written, in its own interpreter; blocks
that only quote the library's code are fenced ```py instead and are not run.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
DOCS = ROOT / "docs"
NOTEBOOKS = ("paper", "lesson", "lecture", "activations")
CELL_TIMEOUT = 120  # seconds; each whole notebook takes a few seconds on 2 cores


def _generator():
    spec = importlib.util.spec_from_file_location(
        "build_notebooks", EXAMPLES / "build_notebooks.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Executed:
    """A notebook after execution: its cells, printed text and number of figures."""

    def __init__(self, notebook: nbformat.NotebookNode, seconds: float) -> None:
        self.notebook = notebook
        self.seconds = seconds
        self.outputs = [out for cell in notebook.cells for out in cell.get("outputs", [])]
        self.stdout = "".join(out["text"] for out in self.outputs if out["output_type"] == "stream")
        self.images = sum("image/png" in out.get("data", {}) for out in self.outputs)
        self.tables = sum("text/html" in out.get("data", {}) for out in self.outputs)

    def number(self, pattern: str) -> float:
        """The number captured by the first group of ``pattern`` in the printed text."""
        match = re.search(pattern, self.stdout)
        assert match, f"no match for {pattern!r} in the notebook's output:\n{self.stdout}"
        return float(match.group(1))


@pytest.fixture(scope="module")
def run_notebook(tmp_path_factory):
    cache: dict[str, Executed] = {}

    def run(name: str) -> Executed:
        if name not in cache:
            notebook = nbformat.read(EXAMPLES / f"{name}.ipynb", as_version=4)
            workdir = tmp_path_factory.mktemp(name)
            with pytest.MonkeyPatch.context() as patch:
                patch.setenv("MPLBACKEND", "Agg")
                patch.setenv("GLASSNET_OFFLINE", "1")  # a notebook that tries to download fails
                client = NotebookClient(
                    notebook,
                    timeout=CELL_TIMEOUT,
                    kernel_name="python3",
                    resources={"metadata": {"path": str(workdir)}},
                )
                start = time.perf_counter()
                client.execute()  # raises CellExecutionError, with the traceback, on any error
                seconds = time.perf_counter() - start
            cache[name] = Executed(notebook, seconds)
        return cache[name]

    return run


def test_every_notebook_is_generated_and_saved_without_outputs():
    generator = _generator()
    assert set(generator.NOTEBOOKS) == set(NOTEBOOKS)
    for name in NOTEBOOKS:
        path = EXAMPLES / f"{name}.ipynb"
        assert path.read_text(encoding="utf-8") == generator.text(name), (
            f"{path.name} differs from examples/build_notebooks.py: run that script"
        )
        notebook = nbformat.read(path, as_version=4)
        nbformat.validate(notebook)
        for cell in notebook.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, cell.id
        kinds = {cell.cell_type for cell in notebook.cells}
        assert kinds == {"markdown", "code"}


def test_the_generator_check_mode_reports_a_stale_notebook(tmp_path, capsys):
    generator = _generator()
    assert generator.main(["--out", str(tmp_path)]) == 0
    assert generator.main(["--out", str(tmp_path), "--check"]) == 0
    (tmp_path / "paper.ipynb").write_text("{}", encoding="utf-8")
    assert generator.main(["--out", str(tmp_path), "--check"]) == 1
    assert "paper.ipynb" in capsys.readouterr().out


def test_no_notebook_needs_the_mnist_files():
    for name in NOTEBOOKS:
        source = (EXAMPLES / f"{name}.ipynb").read_text(encoding="utf-8")
        for line in source.splitlines():
            if "mnist.load_data()" in line:
                assert name == "lesson"  # only behind DATASET == "mnist" and GLASSNET_DATA
    assert 'DATASET = \\"digits\\"' in (EXAMPLES / "lesson.ipynb").read_text(encoding="utf-8")


def test_paper_notebook(run_notebook):
    nb = run_notebook("paper")
    assert "the hand calculation and glassnet agree" in nb.stdout
    before = nb.number(r"loss before the step: ([\d.]+)")
    after = nb.number(r"loss after the step:\s+([\d.]+)")
    assert 0 < after < before
    predicted = nb.number(r"predicted decrease η‖∇L‖² = ([\d.]+)")
    actual = nb.number(r"actual decrease\s+= ([\d.]+)")
    assert actual == pytest.approx(predicted, rel=0.1)  # first-order Taylor, small step
    assert nb.number(r"tanh: loss [\d.]+ → ([\d.]+)") < nb.number(
        r"sigmoid: loss [\d.]+ → ([\d.]+)"
    )
    assert "tanh converges faster than sigmoid" in nb.stdout
    assert "tanh(z) = 2σ(2z) − 1 everywhere: True" in nb.stdout
    assert nb.number(r"sigmoid: largest derivative ([\d.]+)") == pytest.approx(0.25)
    assert nb.number(r"tanh: largest derivative ([\d.]+)") == pytest.approx(1.0)
    assert "Total params: 11" in nb.stdout
    assert nb.images >= 4  # one run each, loss curves, final losses, gradients compared
    assert nb.tables >= 1  # the study's table


def test_lesson_notebook(run_notebook):
    nb = run_notebook("lesson")
    assert " 1  1 |  1   1" in nb.stdout and " 0  1 |  0   1" in nb.stdout  # AND / OR table
    assert "AND: [0 0 0 1]" in nb.stdout
    assert "OR: [0 1 1 1]" in nb.stdout
    learned = re.search(r"learned AND: \[([\d. ]+)\]", nb.stdout)
    assert learned, nb.stdout
    outputs = [float(v) for v in learned.group(1).split()]
    assert max(outputs[:3]) < 0.1 < 0.9 < outputs[3]  # a sigmoid neuron learned AND
    assert "Total params: 221" in nb.stdout  # 20·10 + 10 + 10·1 + 1
    assert "Total params: 38,410" in nb.stdout  # 64·512 + 512 + 512·10 + 10
    assert nb.number(r"shallow network test accuracy: ([\d.]+)%") >= 90.0
    assert nb.number(r"MLP test accuracy on digits: ([\d.]+)%") >= 90.0
    assert "Epoch 20/20" in nb.stdout  # verbose=2 prints one line per epoch
    assert nb.images >= 3  # shallow history, MLP history, confusion matrix


def test_lecture_notebook(run_notebook):
    nb = run_notebook("lecture")
    assert nb.number(r"largest difference from least squares: ([\d.e+-]+)") < 1e-6
    slope = nb.number(r"fitted: price = [\d.]+ \+ ([\d.]+)·size")
    assert slope == pytest.approx(2.5, abs=0.1)  # the rule that made the data
    neuron = nb.number(r"test accuracy: neuron ([\d.]+)%")
    assert neuron == nb.number(r"scikit-learn ([\d.]+)%\n")
    assert nb.number(r"the two agree on ([\d.]+)%") >= 99.0
    assert nb.number(r"training loss: neuron ([\d.]+)") == pytest.approx(
        nb.number(r"training loss: neuron [\d.]+, scikit-learn ([\d.]+)"), abs=1e-3
    )
    one = nb.number(r"one neuron ([\d.]+)%")
    deep = nb.number(r"deep network ([\d.]+)%")
    assert deep >= 95.0 and deep > one + 5
    ceiling = nb.number(r"largest stable learning rate 2/λ_max = ([\d.]+)")
    assert 0.3 < ceiling < 1.0  # 0.3 converges, 1 and 3 diverge, as the study finds
    assert "1, 3 diverged (1: non-finite loss" in nb.stdout  # the verdict, from measurements
    assert "the loss became" in nb.stdout  # the diverged run's stop_reason
    assert nb.images >= 3  # regression, the two decision boundaries, learning-rate curves


def test_activations_notebook(run_notebook):
    nb = run_notebook("activations")
    for name in ("linear", "sigmoid", "tanh", "relu", "leaky_relu"):
        assert nb.number(rf"{name}: largest difference from central differences ([\d.e+-]+)") < 1e-8
    assert "backward equals dA·J: True" in nb.stdout
    assert "tanh(z) = 2σ(2z) − 1: True" in nb.stdout
    assert nb.number(r"slope at 0: sigmoid ([\d.]+)") == 0.25
    assert nb.number(r"mean output for z ~ N\(0, 1\): sigmoid ([\d.]+)") == pytest.approx(
        0.5, abs=0.01
    )
    assert nb.number(r"relu: the 8 units' weights moved by at most ([\d.e+-]+)") == 0.0
    assert nb.number(r"leaky_relu: the 8 units' weights moved by at most ([\d.e+-]+)") > 0.0
    assert nb.number(r"dead units recorded by the monitor: (\d+)%") == 50
    assert "the gradient vanishes towards the input in the sigmoid network" in nb.stdout
    assert nb.stdout.count("PASSED (tolerance") == 2  # tanh network, correct softsign
    assert nb.stdout.count("FAILED (blame 'hidden_broken_softsign')") == 1  # wrong derivative
    assert "layer 'hidden_broken_softsign' (activation 'broken_softsign')" in nb.stdout
    assert nb.images >= 4  # activations, study curves, first-step norms, norms over training


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_ran_without_an_error_output(run_notebook, name):
    nb = run_notebook(name)
    assert not [out for out in nb.outputs if out["output_type"] == "error"]
    assert all(
        cell.execution_count is not None for cell in nb.notebook.cells if cell.cell_type == "code"
    )
    print(f"{name}.ipynb ran in {nb.seconds:.1f} s")  # shown with -s; speed is never asserted


def _docs_blocks() -> list:
    blocks = []
    for page in sorted(DOCS.rglob("*.md")):
        found = re.findall(r"^```python\n(.*?)^```", page.read_text(encoding="utf-8"), re.S | re.M)
        name = str(page.relative_to(DOCS))
        blocks += [pytest.param(name, i, code, id=f"{name}#{i}") for i, code in enumerate(found)]
    return blocks


DOCS_BLOCKS = _docs_blocks()


def test_the_docs_have_runnable_examples():
    pages = {block.values[0] for block in DOCS_BLOCKS}
    assert {"index.md", "guide/backpropagation.md", "guide/training.md"} <= pages


@pytest.mark.parametrize(("page", "index", "code"), DOCS_BLOCKS)
def test_docs_example_runs(page, index, code, tmp_path):
    env = {**os.environ, "MPLBACKEND": "Agg", "GLASSNET_OFFLINE": "1"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, f"{page}, block {index}:\n{result.stderr[-3000:]}"
