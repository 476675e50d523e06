"""The studies' verdicts follow from their measurements by stated criteria, and each can be
recomputed from the raw numbers the study saves in its JSON file."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression

import glassnet
from glassnet import experiments
from glassnet.datasets import Standardizer, house_prices
from glassnet.experiments import activations, learning_rate, regression
from glassnet.experiments.result import StudyResult

SMALL_RUNS = {
    "activations": dict(seeds=3, epochs=20),
    "learning_rate": dict(learning_rates=[0.001, 0.1, 3.0], epochs=30),
    "vanishing_gradients": dict(depth=3, width=8, epochs=1),
    "regression": dict(epochs=20),
    "shallow": dict(data_seeds=2, epochs=2),
    "mnist": dict(dataset="digits", epochs=1, hidden=16),
}


def glassnet_command(*args, cwd):
    """The real command, run from the same source tree as the tests import."""
    source = str(Path(glassnet.__file__).resolve().parents[1])
    env = {
        **os.environ,
        "MPLBACKEND": "Agg",
        "PYTHONPATH": os.pathsep.join(filter(None, [source, os.environ.get("PYTHONPATH")])),
    }
    command = [sys.executable, "-c", "from glassnet.cli import entry_point; entry_point()"]
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=600
    )


def least_squares_mse(seed=0):
    """Written out independently: the least-squares MSE of the learning-rate study's data."""
    x, y = house_prices(n_samples=200, n_features=3, noise=20.0, seed=seed)
    x = Standardizer().fit_transform(x).astype(np.float64)
    y = np.asarray(y, dtype=np.float64).ravel()
    fit = LinearRegression().fit(x, y)
    return float(np.mean((fit.predict(x) - y) ** 2))


def share(loss, optimum):
    return (loss[0] - loss[-1]) / (loss[0] - optimum)


@pytest.mark.parametrize("study", sorted(SMALL_RUNS))
def test_verdict_is_recomputed_from_the_saved_json(study, tmp_path):
    result = experiments.run(study, **SMALL_RUNS[study])
    assert result.criterion  # every study states how its verdict follows from the numbers
    path = result.save_json(tmp_path / f"{study}.json")
    recomputed = experiments.judge(path)
    assert recomputed.text == result.verdict
    assert recomputed.criterion == result.criterion
    saved = json.loads(path.read_text())
    assert saved["criterion"] == result.criterion
    assert experiments.judge(saved) == recomputed


def test_a_changed_raw_number_changes_the_recomputed_verdict(tmp_path):
    result = learning_rate.run(learning_rates=[0.1], epochs=30)
    assert result.table[0]["verdict"] == "good"
    saved = result.to_dict()
    curve = saved["data"]["runs"][0]["loss"]
    curve[-1] = 2 * curve[0]  # the loss now ends higher than it started
    assert experiments.judge(saved).text.startswith("0.1 diverged (0.1: loss")


def test_learning_rate_labels_by_measurement_not_by_rank():
    r = learning_rate.run(learning_rates=[0.1, 0.3, 1.0], epochs=100)
    optimum = least_squares_mse()
    assert r.data["least_squares_loss"] == pytest.approx(optimum, rel=1e-9)
    runs = dict(zip(r.data["learning_rates"], r.data["runs"], strict=True))
    labels = {row["learning rate"]: row["verdict"] for row in r.table}
    assert share(runs[0.1]["loss"], optimum) >= learning_rate.TOO_SMALL_SHARE  # 99.97 %
    assert labels == {0.1: "good", 0.3: "good", 1.0: "diverged"}
    assert "too small" not in r.verdict.lower()
    assert f"{share(runs[0.1]['loss'], optimum):.2%}" in r.verdict
    assert "0.3" in r.verdict.split("lowest final loss")[1]  # the best is the lowest final loss
    assert f"{learning_rate.TOO_SMALL_SHARE:.0%}" in r.criterion


def test_a_small_rate_is_too_small_by_the_stated_share():
    r = learning_rate.run(learning_rates=[0.001, 0.3], epochs=100)
    optimum = least_squares_mse()
    small = r.data["runs"][0]["loss"]
    assert share(small, optimum) < 0.9  # 0.001 goes about a third of the way in 100 epochs
    assert [row["verdict"] for row in r.table] == ["too small", "good"]
    assert r.verdict.startswith(f"Too small: 0.001 ({share(small, optimum):.2%})")


def test_a_single_rate_gets_a_verdict_by_the_same_criteria():
    r = learning_rate.run(learning_rates=[0.5], epochs=100)
    loss = r.data["runs"][0]["loss"]
    assert loss[-1] < loss[0] and share(loss, least_squares_mse()) >= 0.9
    assert r.table[0]["verdict"] == "good"
    assert r.verdict.startswith("Good: 0.5")
    assert "too small" not in r.verdict.lower() and "best" not in r.verdict.lower()
    alone = learning_rate.run(learning_rates=[0.001], epochs=100)
    assert alone.table[0]["verdict"] == "too small"
    assert "good" not in alone.verdict.lower() and "best" not in alone.verdict.lower()


def test_regression_after_5_epochs_did_not_converge():
    r = regression.run(epochs=5)
    lin, log = r.data["linear"], r.data["logistic"]
    assert lin["neuron_mse"] > 1.01 * lin["least_squares_mse"]
    assert abs(log["neuron_test_accuracy"] - log["sklearn_test_accuracy"]) > 0.01
    assert "did not converge in 5 epochs" in r.verdict
    assert "match" not in r.verdict
    assert "one neuron is linear or logistic regression" not in r.verdict
    assert (
        f"{lin['neuron_mse']:.4g}" in r.verdict and f"{lin['least_squares_mse']:.4g}" in r.verdict
    )
    assert f"{log['neuron_test_accuracy']:.1%}" in r.verdict


def test_regression_with_an_mse_far_from_least_squares_does_not_match():
    r = regression.run(epochs=100, learning_rate=0.5)
    lin = r.data["linear"]
    assert lin["neuron_mse"] == pytest.approx(720.3, abs=0.1)
    assert lin["least_squares_mse"] == pytest.approx(411.5, abs=0.1)
    assert r.verdict.startswith("The linear neuron did not converge in 100 epochs: MSE 720.3")
    assert "matches least squares" not in r.verdict
    assert "does not show that one neuron is linear and logistic regression" in r.verdict


def test_regression_within_tolerance_matches():
    r = regression.run(epochs=2000)
    lin, log = r.data["linear"], r.data["logistic"]
    assert lin["neuron_mse"] <= 1.01 * lin["least_squares_mse"]
    assert abs(log["neuron_test_accuracy"] - log["sklearn_test_accuracy"]) <= 0.01
    assert "The linear neuron matches least squares" in r.verdict
    assert r.verdict.endswith("one neuron is linear or logistic regression.")
    assert "1%" in r.criterion and "1 point" in r.criterion


def test_activation_title_follows_the_activations_compared():
    assert activations.run(seeds=2, epochs=5).title.startswith("Sigmoid or tanh?")
    five = ["sigmoid", "tanh", "relu", "leaky_relu", "linear"]
    title = activations.run(activations=five, seeds=2, epochs=5).title
    assert not title.startswith("Sigmoid or tanh?")
    assert "sigmoid, tanh, relu, leaky_relu or linear" in title
    assert "relu or tanh" in activations.run(activations=["relu", "tanh"], seeds=2, epochs=5).title


def test_activation_study_with_one_seed_cannot_test_a_difference():
    r = activations.run(seeds=1, epochs=60)
    assert r.verdict.startswith("With one seed per activation no difference can be tested")
    assert "faster than" not in r.verdict
    assert r.data["p_value"] is None


def test_repeated_activations_are_refused():
    with pytest.raises(ValueError, match="'sigmoid' more than once"):
        activations.run(activations=["sigmoid", "sigmoid"], seeds=2, epochs=5)


def test_command_refuses_repeated_activations_in_one_line(tmp_path):
    done = glassnet_command(
        "run", "activations", "--activations", "sigmoid,sigmoid", "--out", "out", cwd=tmp_path
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "'sigmoid' more than once" in lines[0]
    assert not (tmp_path / "out").exists()  # refused before any training


def test_command_learning_rate_verdict_and_criterion(tmp_path):
    done = glassnet_command(
        "run", "learning_rate", "--rates", "0.1,0.3,1", "--out", str(tmp_path), cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    saved = StudyResult.load_json(tmp_path / "learning_rate.json")
    assert experiments.judge(tmp_path / "learning_rate.json").text == saved.verdict
    assert "too small" not in saved.verdict.lower()
    assert saved.verdict in done.stdout
    page = (tmp_path / "learning_rate.html").read_text()
    criterion_at = page.index('id="criterion"')
    assert page.index('id="verdict"') < criterion_at < page.index('id="summary"')
    assert "less than 90% of the way" in page


def test_command_regression_5_epochs_did_not_converge(tmp_path):
    done = glassnet_command(
        "run", "regression", "--epochs", "5", "--out", str(tmp_path), cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    saved = StudyResult.load_json(tmp_path / "regression.json")
    assert "did not converge in 5 epochs" in saved.verdict and "match" not in saved.verdict
    assert experiments.judge(tmp_path / "regression.json").text == saved.verdict
    assert 'id="criterion"' in (tmp_path / "regression.html").read_text()


def test_judge_refuses_what_is_not_a_study_result():
    with pytest.raises(TypeError, match="got int"):
        experiments.judge(3)
    with pytest.raises(ValueError, match="not a glassnet study result"):
        experiments.judge({"study": "learning_rate"})
