"""What users read when something is wrong: one line, exit code 2, in public names, before any
training; and the messages and outputs users reported as misleading."""

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import glassnet as gn
from glassnet import experiments, layers, models
from glassnet.animation import BoundaryRecorder
from glassnet.experiments.paper import X, Y
from glassnet.sklearn import GlassnetClassifier, GlassnetRegressor
from tests.test_cli import glassnet

ROW_WISE = ("softmax", "log_softmax")


def one_line_error(result, code=2):
    """The result is a refusal: exit code, one line 'glassnet: error: …', no traceback."""
    assert result.returncode == code, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("glassnet: error: ")
    assert "Traceback" not in result.stderr + result.stdout
    return lines[0]


@pytest.fixture
def unwritable(tmp_path):
    """A folder nobody may write in (root writes anywhere but in such a place as /sys)."""
    if os.geteuid() == 0:
        if not os.path.isdir("/sys"):
            pytest.skip("no read-only folder for root")
        yield Path("/sys")
        return
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    yield folder
    folder.chmod(0o755)


# -- output paths, checked before any training ---------------------------------------------------


WRITING_COMMANDS = [
    ["demo"],
    ["run", "activations"],
    ["run", "learning_rate"],
    ["run", "vanishing_gradients"],
    ["run", "regression"],
    ["run", "shallow"],
    ["run", "mnist"],
    ["run", "all"],
    ["train"],
    ["plot", "missing.json"],
]


@pytest.mark.parametrize("command", WRITING_COMMANDS, ids=" ".join)
def test_an_out_folder_under_a_file_is_refused_before_any_work(tmp_path, command):
    (tmp_path / "a-file").write_text("")
    result = glassnet(*command, "--out", "a-file/report", cwd=tmp_path)
    line = one_line_error(result)
    assert line == (
        f"glassnet: error: --out 'a-file/report': {str(tmp_path / 'a-file')!r} is a file, "
        "not a folder"
    )
    assert result.stdout == ""  # nothing ran: no study, no progress, no report


def test_an_unwritable_out_folder_is_refused_before_training(tmp_path, unwritable):
    out = unwritable / "report"
    result = glassnet("train", "--epochs", "1000", "--out", str(out), cwd=tmp_path)
    line = one_line_error(result)
    assert line.startswith(f"glassnet: error: --out {str(out)!r}: cannot write in ")
    assert result.stdout == ""
    assert not out.exists()


def test_an_out_file_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "report").write_text("")
    result = glassnet("run", "regression", "--out", "report", cwd=tmp_path)
    one_line_error(result)
    assert result.stdout == ""


def test_save_into_a_folder_under_a_file_is_refused_before_training(tmp_path):
    (tmp_path / "a-file").write_text("")
    result = glassnet("train", "--epochs", "1000", "--save", "a-file/m.glassnet", cwd=tmp_path)
    line = one_line_error(result)
    assert line == (
        "glassnet: error: Invalid value for '--save': save 'a-file/m.glassnet': 'a-file' is a "
        "file, not a folder (see 'glassnet train --help')"
    )
    assert ".tmp" not in line and result.stdout == ""


def test_save_to_a_folder_or_an_unwritable_place_is_refused(tmp_path, unwritable):
    (tmp_path / "models").mkdir()
    one_line_error(glassnet("train", "--save", "models", cwd=tmp_path))
    result = glassnet("train", "--save", str(unwritable / "m.glassnet"), cwd=tmp_path)
    assert "cannot write in" in one_line_error(result)
    assert result.stdout == ""


def test_save_into_a_missing_folder_creates_it(tmp_path):
    target = tmp_path / "new" / "sub" / "m.glassnet"
    result = glassnet(
        "train",
        "--layers",
        "8",
        "--epochs",
        "1",
        "--save",
        str(target),
        "--out",
        str(tmp_path / "report"),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert f"Model saved to {target}" in result.stdout
    assert models.load_model(target).output_shape == (None, 10)


def test_the_python_api_checks_the_save_path_before_training(tmp_path):
    from glassnet.experiments import train

    (tmp_path / "a-file").write_text("")
    with pytest.raises(ValueError, match="is a file, not a folder"):
        train.run(epochs=1000, save=tmp_path / "a-file" / "m.glassnet")


# -- unexpected errors: a summary, and --debug ---------------------------------------------------

FAILING = (
    "import sys, glassnet.experiments as e\n"
    "def broken(*args, **kwargs):\n"
    "    raise RuntimeError('the engine broke\\nhere')\n"
    "e.run = broken\n"
    "from glassnet.cli import entry_point\n"
    "sys.argv = ['glassnet', *sys.argv[1:]]\n"
    "entry_point()\n"
)


def _run_failing(tmp_path, *args):
    return subprocess.run(
        [sys.executable, "-c", FAILING, *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "MPLBACKEND": "Agg"},
        timeout=300,
    )


def test_an_unexpected_error_is_one_line_with_a_hint_and_debug_shows_the_traceback(tmp_path):
    result = _run_failing(tmp_path, "run", "regression")
    line = one_line_error(result, code=1)
    assert line == (
        "glassnet: error: unexpected RuntimeError: the engine broke here "
        "(re-run with --debug for the full traceback)"
    )
    debug = _run_failing(tmp_path, "--debug", "run", "regression")
    assert debug.returncode == 1
    assert "Traceback (most recent call last)" in debug.stderr
    assert debug.stderr.strip().endswith("RuntimeError: the engine broke\nhere")


def test_debug_is_a_documented_global_option():
    result = glassnet("--help")
    assert result.returncode == 0 and "--debug" in result.stdout


# -- loading never unpickles, and says so in its own words ---------------------------------------


def test_a_text_file_is_not_a_model_and_no_pickle_advice(tmp_path):
    (tmp_path / "six.glassnet").write_text("hello\n")  # 6 bytes
    for command in ("explain", "gradcheck"):
        result = glassnet(command, "--model", "six.glassnet", cwd=tmp_path)
        line = one_line_error(result)
        assert line == (
            "glassnet: error: 'six.glassnet' is not a readable glassnet model file: it is not a "
            ".npz (zip) archive (it may be truncated, corrupted, or written by another program)"
        )
    model = models.Sequential([layers.Dense(2, input_dim=3)])
    with pytest.raises(ValueError) as err:
        gn.models.load_model(tmp_path / "six.glassnet")
    with pytest.raises(ValueError) as weights_err:
        model.load_weights(tmp_path / "six.glassnet")
    for message in (str(err.value), str(weights_err.value)):
        assert "pickle" not in message.lower() and "not a .npz (zip) archive" in message


def test_an_archive_holding_python_objects_is_refused_without_pickle_advice(tmp_path):
    path = tmp_path / "objects.npz"
    np.savez(path, header=np.array([{"format": "glassnet-model"}], dtype=object))
    with pytest.raises(ValueError) as err:
        gn.models.load_model(path)
    assert "pickle" not in str(err.value).lower()
    assert "it holds Python objects, which glassnet never loads" in str(err.value)
    assert str(err.value).count("\n") == 0


# -- scikit-learn parameters in public names ----------------------------------------------------


@pytest.mark.parametrize(
    ("estimator", "sklearn_name", "ours"),
    [
        (GlassnetClassifier, "max_iter", "epochs"),
        (GlassnetRegressor, "learning_rate_init", "learning_rate"),
        (GlassnetClassifier, "n_iter_no_change", "patience"),
        (GlassnetClassifier, "solver", "optimizer"),
    ],
)
def test_scikit_learn_names_point_to_keras_words(estimator, sklearn_name, ours):
    with pytest.raises(TypeError) as err:
        estimator(**{sklearn_name: 50})
    message = str(err.value)
    assert message == (
        f"{estimator.__name__} has no parameter {sklearn_name!r} (scikit-learn's MLP name): it "
        f"is called {ours!r} here, Keras's word, as in {estimator.__name__}({ours}=…)"
    )
    assert "_Glassnet" not in message
    with pytest.raises(ValueError, match=f"it is called {ours!r} here"):
        estimator().set_params(**{sklearn_name: 50})


def test_other_unknown_parameters_list_the_public_ones():
    with pytest.raises(TypeError) as err:
        GlassnetClassifier(alpha=1e-4)
    assert str(err.value).startswith(
        "GlassnetClassifier has no parameter 'alpha'; its parameters are: activation, batch_size"
    )
    with pytest.raises(TypeError) as err:
        GlassnetClassifier((8,), "relu", "adam")
    assert "_Glassnet" not in str(err.value) and "GlassnetClassifier takes at most 2" in str(
        err.value
    )
    # the estimator contract still holds: clone and get_params see the same parameters
    from sklearn.base import clone

    assert clone(GlassnetClassifier(epochs=7)).get_params()["epochs"] == 7


# -- BoundaryRecorder: frames at exactly the requested epochs -------------------------------------


def test_boundary_frames_are_at_exactly_the_requested_epochs(tmp_path):
    x, y = gn.datasets.moons(120, noise=0.2, seed=0)
    model = models.Sequential(
        [layers.Dense(6, activation="tanh", input_dim=2), layers.Dense(1, activation="sigmoid")]
    )
    model.compile("adam", "binary_crossentropy")
    initial = model.get_weights()
    recorder = BoundaryRecorder(x, y, epochs=[0, 10, 50])
    history = model.fit(x, y, epochs=50, batch_size=32, verbose=0, callbacks=[recorder])
    figures = recorder.figures()
    titles = [fig.axes[0].get_title() for fig in figures]
    probe = models.Sequential(
        [layers.Dense(6, activation="tanh", input_dim=2), layers.Dense(1, activation="sigmoid")]
    )
    probe.compile("adam", "binary_crossentropy")
    probe.set_weights(initial)
    p = np.clip(probe.predict(x, verbose=0).ravel().astype(np.float64), 1e-7, 1 - 1e-7)
    initial_loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))  # by hand
    assert titles == [
        f"Epoch 0 (before training): loss {initial_loss:.4f}",
        f"Epoch 10: loss {history.history['loss'][9]:.4f}",
        f"Epoch 50: loss {history.history['loss'][49]:.4f}",
    ]
    for w, w0 in zip(recorder.snapshots[0], initial, strict=True):
        np.testing.assert_array_equal(w, w0)  # epoch 0: before the first update
    for w, w_end in zip(recorder.snapshots[50], model.get_weights(), strict=True):
        np.testing.assert_array_equal(w, w_end)  # epoch 50: the trained weights
    names = [p.name for p in recorder.save_frames(tmp_path / "frames")]
    assert names == ["frame-0000.png", "frame-0010.png", "frame-0050.png"]


def test_an_epoch_beyond_the_training_has_no_frame():
    x, y = gn.datasets.moons(40, seed=1)
    model = models.Sequential([layers.Dense(1, activation="sigmoid", input_dim=2)])
    model.compile("sgd", "binary_crossentropy")
    recorder = BoundaryRecorder(x, y, epochs=[3, 100])
    model.fit(x, y, epochs=5, verbose=0, callbacks=[recorder])
    assert sorted(recorder.snapshots) == [3]


# -- explain shows the targets and the loss after the update ------------------------------------


def test_explain_shows_y_and_the_loss_after_the_update(float64):
    result = glassnet("explain", "--activation", "tanh", "--seed", "2")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    loss_section = text.split("── LOSS ")[1].split("── BACKWARD")[0]
    assert loss_section.splitlines()[1] == "Y    [4 × 1]  the targets, one row per sample"
    shown_y = [float(v) for v in re.findall(r"\[\[?([01]\.)\]", loss_section)]
    assert shown_y == list(Y.ravel())
    # L′ by hand: the updated weights of the walk, one forward pass, the mean squared error
    steps = gn.experiments.paper.paper_network("tanh", 2).explain(X, Y)
    a1 = np.tanh(X @ steps["W1_new"] + steps["b1_new"])
    a2 = 1 / (1 + np.exp(-(a1 @ steps["W2_new"] + steps["b2_new"])))
    loss_after = np.mean((a2 - Y) ** 2)
    after = text.split("── LOSS AFTER THE UPDATE ")[1].splitlines()
    assert after[1].startswith("L′ = L with the updated weights    [scalar]")
    assert after[2].strip() == f"{loss_after:.6g}"
    assert f"L′ − L = {loss_after - float(steps['loss']):+.6g}" in after[1]
    assert steps.loss_after == pytest.approx(loss_after, rel=1e-12)
    markdown = glassnet("explain", "--format", "markdown").stdout
    assert "**Y** (4 × 1)" in markdown and "### Loss after the update" in markdown


# -- the command's small things -----------------------------------------------------------------


def test_bare_glassnet_shows_its_help_not_an_error():
    for args in ([], ["run"]):
        result = glassnet(*args)
        assert result.returncode == 0
        assert result.stdout.startswith("Usage: glassnet")
        assert result.stderr == "" and "error:" not in result.stdout


def test_plot_activations_writes_the_file_named(tmp_path):
    result = glassnet("plot-activations", "--out", "acts.png", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["acts.png"]
    assert (tmp_path / "acts.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert result.stdout.strip() == "acts.png"
    result = glassnet("plot-activations", "--out", "figs/both", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "figs").iterdir()) == ["both.png", "both.svg"]


@pytest.mark.parametrize("name", ROW_WISE)
def test_plot_activations_never_offers_what_it_refuses(tmp_path, name):
    line = one_line_error(glassnet("plot-activations", "--activations", "nope", cwd=tmp_path))
    assert "accepted: " in line and "sigmoid" in line and "softmax" not in line
    line = one_line_error(glassnet("plot-activations", "--activations", name, cwd=tmp_path))
    assert f"{name} is not element-wise" in line and "softmax, " not in line.split(";")[1]
    assert list(tmp_path.iterdir()) == []


def test_study_names_take_dashes_as_options_do(tmp_path):
    result = glassnet(
        "run", "learning-rate", "--epochs", "3", "--rates", "0.1,0.3", "--out", "r", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "r" / "learning_rate.html").exists()
    assert glassnet("run", "vanishing-gradients", "--help").returncode == 0
    assert experiments.get("vanishing-gradients") is experiments.get("vanishing_gradients")


@pytest.mark.parametrize(
    "command",
    [
        ["run", "vanishing_gradients", "--activations", "softmax"],
        ["run", "vanishing-gradients", "--activations", "relu,log_softmax"],
        ["run", "activations", "--activations", "sigmoid,softmax"],
    ],
    ids=" ".join,
)
def test_studies_refuse_row_wise_hidden_activations_before_training(tmp_path, command):
    line = one_line_error(glassnet(*command, "--out", "r", cwd=tmp_path))
    assert "is not element-wise" in line and "accepted: celu, elu" in line
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ROW_WISE)
def test_the_study_functions_refuse_row_wise_activations(name):
    with pytest.raises(ValueError, match=f"^{name} is not element-wise"):
        experiments.run("activations", activations=["sigmoid", name], seeds=1, epochs=1)
    with pytest.raises(ValueError, match=f"^{name} is not element-wise"):
        experiments.run("vanishing_gradients", activations=[name], depth=1, epochs=1)
