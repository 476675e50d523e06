"""The study contract: each study declares its parameters once; the command line, the checks
before training and the report's settings table all come from that declaration."""

import inspect
import json
import re
import shlex

import numpy as np
import pytest

from glassnet import experiments
from glassnet.experiments import contract
from glassnet.experiments.contract import Annotated, Param
from glassnet.experiments.result import StudyResult
from tests.test_cli import glassnet

DECLARED = [contract.declaration(name) for name in (*experiments.STUDIES, "train")]


@pytest.mark.parametrize("declared", DECLARED, ids=lambda d: d.name)
def test_every_parameter_is_declared_with_meaning_and_a_default_it_accepts(declared):
    module = experiments.get(declared.name)
    assert module.run is declared.run
    # the declaration is the signature: same names, same order, same defaults
    signature = inspect.signature(module.run)
    assert [p.name for p in declared.params] == list(signature.parameters)
    for param in declared.params:
        assert param.default == signature.parameters[param.name].default
        assert param.help.endswith(".") and len(param.help) > 10, param
        assert param.kind in ("int", "float", "str", "bool", "path", "ints", "floats", "names")
        checked = param.validate(param.default)
        assert checked == (list(param.default) if param.is_list else param.default)
        assert param.optional == (param.default is None)


@pytest.mark.parametrize("declared", DECLARED, ids=lambda d: d.name)
def test_the_command_line_options_are_built_from_the_declaration(declared):
    result = glassnet(*declared.command_name.split(), "--help")
    assert result.returncode == 0, result.stderr
    text = " ".join(result.stdout.split())
    for param in declared.params:
        if not param.on_command_line:
            assert param.flag not in text
            continue
        assert param.flag in text
        if param.format(param.default):
            assert f"[default: {param.format(param.default)}]" in text
        assert param.help.split(" (")[0].split(":")[0] in text


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["learning-rate", "--rates", "0.1,0.3,0.1"], "learning rates must differ, got 0.1"),
        (["learning-rate", "--rates", "0.1,-1"], "each of learning_rates must be > 0, got -1"),
        (["activations", "--activations", "tanh"], "activations needs at least 2 values"),
        (["activations", "--learning-rate", "nan"], "learning_rate must be a finite number"),
        (["vanishing-gradients", "--depth", "101"], "depth must be ≥ 1 and ≤ 100, got 101"),
        (["vanishing-gradients", "--width", "2.5"], "--width must be an integer, got '2.5'"),
        (["regression", "--learning-rate", "0"], "learning_rate must be > 0, got 0"),
        (["shallow", "--seeds", "0"], "data_seeds must be ≥ 1, got 0"),
        (["shallow", "--n-jobs", "-2"], "n_jobs must be a positive integer or -1"),
        (["mnist", "--dataset", "cifar"], "'cifar' is not one of 'auto', 'mnist'"),
    ],
)
def test_bad_options_are_refused_before_any_training(args, expected, tmp_path):
    result = glassnet("run", *args, "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert expected in result.stderr
    assert not (tmp_path / "out").exists()  # nothing was trained, nothing written


def test_the_report_runs_again_to_the_same_numbers(tmp_path):
    """The page states each setting with its meaning, and a command that reproduces it."""
    first = glassnet(
        "run", "regression", "--epochs", "40", "--learning-rate", "0.3", "--seed", "2",
        "--out", str(tmp_path / "first"),
    )  # fmt: skip
    assert first.returncode == 0, first.stderr
    page = (tmp_path / "first" / "regression.html").read_text()
    command = re.search(r"Run it again: <code>([^<]*)</code>", page).group(1)
    assert command == "glassnet run regression --epochs 40 --learning-rate 0.3 --seed 2"
    assert "<td>--learning-rate: Learning rate. (&gt; 0)</td>" in page
    again = glassnet(*command.split()[1:], "--out", str(tmp_path / "again"))
    assert again.returncode == 0, again.stderr
    saved = [json.loads((tmp_path / d / "regression.json").read_text()) for d in ("first", "again")]
    assert saved[0]["settings"] == saved[1]["settings"]
    np.testing.assert_equal(saved[0]["data"], saved[1]["data"])
    assert saved[0]["verdict"] == saved[1]["verdict"]


def test_a_training_run_on_a_csv_runs_again_to_the_same_numbers(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(120, 3))
    rows = ["id;a;b;c;label"] + [
        f"{i};{a:.4f};{b:.4f};{c:.4f};{'yes' if a + b > 0 else 'no'}"
        for i, (a, b, c) in enumerate(x)
    ]
    data = tmp_path / "my data.csv"  # a space: the command must quote it
    data.write_text("\n".join(rows) + "\n")
    first = glassnet(
        "train", "--data", str(data), "--drop", "id", "--layers", "8", "--epochs", "3",
        "--lr", "0.01", "--out", str(tmp_path / "first"),
    )  # fmt: skip
    assert first.returncode == 0, first.stderr
    page = (tmp_path / "first" / "train.html").read_text()
    command = re.search(r"Run it again: <code>([^<]*)</code>", page).group(1)
    command = command.replace("&#39;", "'")
    assert command == (f"glassnet train --data '{data}' --drop id --layers 8 --lr 0.01 --epochs 3")
    again = glassnet(*shlex.split(command)[1:], "--out", str(tmp_path / "again"))
    assert again.returncode == 0, again.stderr
    saved = [json.loads((tmp_path / d / "train.json").read_text()) for d in ("first", "again")]
    assert saved[0]["settings"] == saved[1]["settings"]
    np.testing.assert_equal(saved[0]["data"], saved[1]["data"])


def test_settings_hold_every_parameter_used_and_the_title_follows_the_options():
    result = experiments.run("learning_rate", learning_rates=[0.5], epochs=3)
    assert result.settings["learning_rates"] == [0.5]
    assert result.settings["epochs"] == 3
    assert result.settings["seed"] == 0
    assert "n_jobs" not in result.settings  # changes the wall time only
    assert result.title == "Learning rate 0.5 on one linear neuron"
    many = experiments.run("learning_rate", learning_rates=[0.3, 0.01], epochs=3)
    assert many.title == "Learning rates from 0.01 to 0.3 on one linear neuron"
    assert many.settings["learning_rates"] == [0.01, 0.3]


def test_options_are_checked_by_name_with_the_accepted_ones_listed():
    with pytest.raises(TypeError, match="its options: data_seeds, epochs, learning_rate, n_jobs"):
        experiments.run("shallow", seeds=3)
    with pytest.raises(ValueError, match=r"seeds must be an integer, got 2\.5"):
        experiments.run("activations", seeds=2.5)
    with pytest.raises(ValueError, match="seeds must be an integer, got True"):
        experiments.run("activations", seeds=True)
    with pytest.raises(ValueError, match="dataset must be one of auto, mnist"):
        experiments.run("mnist", dataset="cifar")


def test_a_param_checks_numbers_lists_and_choices():
    count = Param("How many.", low=1, high=5, kind="int", name="count", default=1)
    assert count.validate(np.int64(3)) == 3
    assert type(count.validate(np.int64(3))) is int
    assert count.validate(4.0) == 4
    for bad, message in [(0, "≥ 1 and ≤ 5, got 0"), (6, "got 6"), ("3", "an integer, got '3'")]:
        with pytest.raises(ValueError, match=message):
            count.validate(bad)
    rate = Param("Rate.", low=0, low_open=True, kind="float", name="rate", default=0.1)
    assert rate.parse("1e-3") == 0.001
    with pytest.raises(ValueError, match=r"rate must be > 0, got 0\.0"):
        rate.parse("0")
    with pytest.raises(ValueError, match="finite"):
        rate.validate(float("inf"))
    sizes = Param("Sizes.", low=1, kind="ints", name="sizes", default=(2,), min_items=2)
    assert sizes.parse("4, 3,") == [4, 3]
    assert sizes.format([4, 3]) == "4,3"
    with pytest.raises(ValueError, match="needs at least 2 values, got 4"):
        sizes.parse("4")
    with pytest.raises(ValueError, match="--sizes must be comma-separated integers like 512,256"):
        sizes.parse("4,x")
    with pytest.raises(ValueError, match="sizes must be a list, got '4,3'"):
        sizes.validate("4,3")


def test_an_unknown_study_lists_the_declared_ones():
    with pytest.raises(ValueError, match="unknown study 'nope'; accepted: activations, learning"):
        contract.declaration("nope")
    assert contract.declaration("vanishing-gradients").command_name == "run vanishing-gradients"


def test_a_study_must_declare_each_parameter():
    with pytest.raises(TypeError, match="parameter 'epochs' of a study must be declared"):

        @contract.study("undeclared", title="Undeclared")
        def run(epochs: int = 3) -> StudyResult:
            raise AssertionError

    with pytest.raises(TypeError, match="parameter 'epochs' of a study needs a default"):

        @contract.study("no_default", title="No default")
        def run2(epochs: Annotated[int, Param("Epochs.", low=1)]) -> StudyResult:
            raise AssertionError
