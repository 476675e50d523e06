"""The studies: their verdicts are checked against their own numbers, never a fixed winner."""

import json
import math

import numpy as np
import pytest

from glassnet import experiments
from glassnet.experiments import activations, learning_rate, regression, vanishing_gradients
from glassnet.experiments.result import StudyResult


@pytest.fixture(scope="module")
def activation_study():
    return activations.run(seeds=30)


def first_crossing(curve, threshold):
    """Written out independently: the first epoch (from 1) whose loss is below threshold."""
    for epoch, value in enumerate(curve, start=1):
        if value < threshold:
            return epoch
    return None


def test_activation_study_numbers_come_from_its_curves(activation_study):
    r = activation_study
    threshold, epochs = r.settings["threshold"], r.settings["epochs"]
    assert r.settings["seeds"] == 30
    for row in r.table:
        name = row["activation"]
        curves = r.data["curves"][name]
        assert len(curves) == 30 and all(len(c) == epochs for c in curves)
        crossings = [first_crossing(c, threshold) for c in curves]
        assert r.data["epochs_to_threshold"][name] == crossings
        assert row["reached threshold"] == sum(c is not None for c in crossings)
        assert row["median final loss"] == pytest.approx(np.median([c[-1] for c in curves]))
        slow = [math.inf if c is None else c for c in crossings]
        median = float(np.median(slow))
        if math.isfinite(median):
            assert row["median epochs to threshold"] == median
        else:
            assert row["median epochs to threshold"] == f"> {epochs}"


def test_activation_study_verdict_follows_its_numbers(activation_study):
    r = activation_study
    threshold = r.settings["threshold"]

    def speed(name):
        crossings = [first_crossing(c, threshold) for c in r.data["curves"][name]]
        finals = [c[-1] for c in r.data["curves"][name]]
        return float(np.median([math.inf if c is None else c for c in crossings])), float(
            np.median(finals)
        )

    names = r.settings["activations"]
    faster, slower = sorted(names, key=speed)[:2]
    if r.data["p_value"] < 0.01 and speed(faster)[0] != speed(slower)[0]:
        assert r.verdict.startswith(f"{faster} converges faster than {slower}")
    else:
        assert r.verdict.startswith("No clear difference")
    assert (
        f"{sum(first_crossing(c, threshold) is not None for c in r.data['curves'][faster])}/30"
        in r.verdict
    )


def test_activation_study_is_reproducible_and_parallel_runs_are_identical():
    serial = activations.run(seeds=4, epochs=30)
    again = activations.run(seeds=4, epochs=30)
    parallel = activations.run(seeds=4, epochs=30, n_jobs=2)
    assert serial.data["curves"] == again.data["curves"] == parallel.data["curves"]
    other = activations.run(seeds=4, epochs=30, first_seed=100)
    assert other.data["curves"] != serial.data["curves"]


def test_regression_study_matches_least_squares_and_scikit_learn():
    r = regression.run()
    lin, log = r.data["linear"], r.data["logistic"]
    np.testing.assert_allclose(lin["neuron"], lin["least_squares"], atol=1e-4, rtol=0)
    assert abs(log["neuron_test_accuracy"] - log["sklearn_test_accuracy"]) <= 0.01
    assert lin["neuron_mse"] == pytest.approx(lin["least_squares_mse"], rel=1e-6)


def test_vanishing_gradient_study_shows_sigmoid_vanishing_not_relu():
    r = vanishing_gradients.run(epochs=3)
    runs = r.data["runs"]
    sigmoid = np.asarray(runs["sigmoid"]["first_step"])
    relu = np.asarray(runs["relu"]["first_step"])
    assert len(sigmoid) == 11  # 10 hidden layers and the output layer
    assert sigmoid[0] < 1e-3 * sigmoid[-1]  # orders of magnitude below the last layer
    assert relu[0] > 0.1 * relu[-1]  # no such collapse with relu
    # the sigmoid network's gradient shrinks towards the input, layer after layer
    assert np.all(np.diff(np.log10(sigmoid[:10])) > 0)
    over = np.asarray(runs["sigmoid"]["over_training"])
    assert over.shape == (3, 11)


def test_learning_rate_study_flags_divergence_cleanly():
    r = learning_rate.run(epochs=60)
    rows = {row["learning rate"]: row for row in r.table}
    runs = dict(zip(r.data["learning_rates"], r.data["runs"], strict=True))
    assert rows[3.0]["diverged"] and runs[3.0]["stop_reason"] is not None
    assert len(runs[3.0]["loss"]) < 60  # stopped early
    assert not rows[0.001]["diverged"] and not rows[0.1]["diverged"]
    for run in runs.values():
        assert all(math.isfinite(v) for v in run["loss"])  # nothing to plot as NaN
    # too small: barely moved; right: far lower
    assert rows[0.001]["final loss"] > 0.5 * rows[0.001]["first loss"]
    assert rows[0.1]["final loss"] < 0.01 * rows[0.1]["first loss"]
    assert "3 diverged" in r.verdict or "1, 3 diverged" in r.verdict


def test_results_round_trip_through_json_and_csv(tmp_path, activation_study):
    path = activation_study.save_json(tmp_path / "a.json")
    loaded = StudyResult.load_json(path)
    assert loaded.to_dict() == json.loads(path.read_text())
    assert loaded.data["curves"] == activation_study.data["curves"]
    csv_text = activation_study.save_csv(tmp_path / "a.csv").read_text().splitlines()
    assert csv_text[0].startswith("activation,runs,reached threshold")
    assert len(csv_text) == 1 + len(activation_study.table)


def test_unknown_study_and_bad_options():
    with pytest.raises(ValueError, match="unknown study 'nope'; accepted: activations"):
        experiments.get("nope")
    with pytest.raises(ValueError, match="unknown activation 'swishy'"):
        activations.run(activations=["sigmoid", "swishy"])
    with pytest.raises(ValueError, match="seeds must be ≥ 1, got 0"):
        activations.run(seeds=0)
    with pytest.raises(ValueError, match="each of learning_rates must be > 0, got -1"):
        learning_rate.run(learning_rates=[0.1, -1])
    with pytest.raises(ValueError, match="n_jobs must be a positive integer or -1"):
        activations.run(seeds=2, n_jobs=0)
