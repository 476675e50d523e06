"""gradcheck's verdicts: kinks are inconclusive, tiny gradients pass, the right layer is blamed,
bad tolerances are refused, and a real bug still fails — through the API and the command."""

import math

import numpy as np
import pytest

import glassnet as gn
from glassnet import activations, datasets, layers, models
from glassnet.gradcheck import entry_errors
from tests.test_cli import glassnet


def xor_relu_model():
    gn.set_seed(0)
    model = models.Sequential(
        [
            layers.Dense(4, activation="relu", input_dim=2, name="hidden"),
            layers.Dense(1, activation="sigmoid", name="out"),
        ]
    )
    model.compile("sgd", "binary_crossentropy")
    return model


def test_combined_rule_needs_both_tolerances():
    a = np.array([1.0, 1e-8, 1.0, 0.0])
    n = np.array([1.0 + 1e-9, 1.05e-8, 1.1, 2e-9])
    # 1: relatively tiny; 2: relatively large but absolutely tiny; 3: both large; 4: both large
    assert entry_errors(a, n, 1e-6, 1e-9).tolist() == [False, False, True, True]


def test_xor_relu_zero_biases_passes_with_the_origin_inconclusive():
    x, y = datasets.xor()
    model = xor_relu_model()
    assert all(not b.any() for b in model.get_weights()[1::2])  # default zero biases
    report = gn.gradcheck(model, x, y)
    assert report.passed, str(report)
    bias = next(c for c in report.checks if c.layer == "hidden" and c.parameter == "bias")
    # the bias's gradient does disagree with the central difference …
    assert bias.relative_error > 0.1
    # … only because [0, 0] sits on every ReLU's kink: all four entries, at sample 0
    assert [k.index for k in bias.kinks] == [(0,), (1,), (2,), (3,)]
    assert all(k.samples == (0,) for k in bias.kinks)
    assert bias.passed and bias.errors == 0
    assert sum(c.inconclusive for c in report.checks) == 4  # no kink anywhere else
    text = str(report)
    assert "4 entries inconclusive (at a kink" in text and "bias[0] (sample 0)" in text
    assert "4 inconclusive at kinks" in text and text.rstrip().splitlines()[-1].startswith("PASSED")
    assert "absolute_tolerance and |g_a − g_n| > tolerance·(|g_a| + |g_n|)" in text


def test_kinks_away_from_the_origin_are_ordinary_checks():
    x, y = datasets.xor()
    model = xor_relu_model()
    weights = model.get_weights()
    weights[1] = np.full_like(weights[1], 0.1)  # the origin moves off the kinks
    model.set_weights(weights)
    report = gn.gradcheck(model, x, y)
    assert report.passed and not report.kinks


class BuggyDense(layers.Dense):
    """A Dense whose backward doubles δ = ∂L/∂Z: its own gradients and the one it sends down are
    both twice the truth."""

    def backward(self, ctx, grad, needs):
        dz = 2 * self.activation.backward(grad, ctx.z, ctx.a)  # the bug: 2·dA ⊙ g′(Z)
        return self.backward_from_z(ctx, dz, needs)


def three_layers(middle):
    gn.set_seed(3)
    model = models.Sequential(
        [
            layers.Dense(4, activation="tanh", input_dim=3, name="layer1"),
            middle(4, activation="tanh", name="layer2"),
            layers.Dense(2, activation="softmax", name="layer3"),
        ]
    )
    model.compile("sgd", "categorical_crossentropy")
    rng = np.random.default_rng(0)
    return model, rng.normal(size=(6, 3)), np.eye(2)[rng.integers(0, 2, 6)]


def test_a_bug_in_layer2_backward_is_blamed_on_layer2_and_inherited_by_layer1():
    model, x, y = three_layers(layers.Dense)
    assert gn.gradcheck(model, x, y).passed  # the same network without the bug
    model, x, y = three_layers(BuggyDense)
    report = gn.gradcheck(model, x, y)
    assert not report.passed
    verdicts = {(c.layer, c.parameter): (c.passed, c.inherits) for c in report.checks}
    assert verdicts == {
        ("layer1", "kernel"): (False, "layer2"),
        ("layer1", "bias"): (False, "layer2"),
        ("layer2", "kernel"): (False, None),
        ("layer2", "bias"): (False, None),
        ("layer3", "kernel"): (True, None),
        ("layer3", "bias"): (True, None),
    }
    assert report.blamed == "layer2" and report.inherited == ["layer1"]
    text = str(report)
    assert "layer 'layer1' inherits the error of 'layer2'" in text
    assert "FAILED (blame 'layer2')" in text
    assert not report.kinks


def test_ten_sigmoid_layers_pass_with_tiny_gradients():
    gn.set_seed(0)
    model = models.Sequential(
        [layers.Dense(4, activation="sigmoid", input_dim=4)]
        + [layers.Dense(4, activation="sigmoid") for _ in range(9)]
        + [layers.Dense(1)]
    )
    model.compile("sgd", "mse")
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(8, 4)), rng.normal(size=(8, 1))
    report = gn.gradcheck(model, x, y)
    first = report.checks[0]
    assert float(np.abs(model.train_step(x, y, apply=False).grads[0]).max()) < 1e-5
    # a relative error alone would fail the first layer: rounding noise over a tiny gradient
    assert first.relative_error > 1e-6 and first.absolute_error < 1e-9
    assert report.passed, str(report)


def halving_tanh_model():
    wrong = activations.FunctionActivation(
        np.tanh, derivative=lambda z: 0.5 * (1 - np.tanh(z) ** 2), name="half_tanh"
    )  # off by a factor 2
    gn.set_seed(1)
    model = models.Sequential(
        [
            layers.Dense(3, activation=wrong, input_dim=2, name="hidden"),
            layers.Dense(1, activation="sigmoid", name="out"),
        ]
    )
    model.compile("sgd", "binary_crossentropy")
    return model


def test_a_derivative_off_by_two_still_fails():
    x = np.random.default_rng(2).normal(size=(5, 2))
    report = gn.gradcheck(halving_tanh_model(), x, np.array([0, 1, 1, 0, 1]))
    assert not report.passed and report.blamed == "hidden"
    hidden = [c for c in report.checks if c.layer == "hidden"]
    assert all(c.errors == math.prod(c.shape) for c in hidden)  # every entry, none at a kink
    assert not report.kinks
    assert "activation 'half_tanh'" in str(report)


@pytest.mark.parametrize("tolerance", [-1, 0, float("nan"), float("inf")])
def test_api_refuses_a_tolerance_that_is_not_positive(tolerance):
    x, y = datasets.xor()
    with pytest.raises(ValueError, match=r"gradcheck tolerance must be a finite number in \(0"):
        gn.gradcheck(xor_relu_model(), x, y, tolerance=tolerance)


@pytest.mark.parametrize("tolerance", ["-1", "0", "nan"])
def test_command_refuses_a_tolerance_that_is_not_positive(tolerance):
    result = glassnet("gradcheck", "--tolerance", tolerance)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "--tolerance must be a positive finite number" in lines[0]


def test_command_reports_kinks_and_passes(tmp_path):
    """Zero weights into a ReLU layer: every sample sits on every kink."""
    gn.set_seed(0)
    model = models.Sequential(
        [
            layers.Dense(4, activation="relu", input_dim=3, kernel_initializer="zeros"),
            layers.Dense(2, activation="softmax"),
        ]
    )
    model.compile("sgd", "categorical_crossentropy")
    model.save(tmp_path / "m.glassnet")
    result = glassnet("gradcheck", "--model", str(tmp_path / "m.glassnet"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "inconclusive (at a kink" in result.stdout
    assert "passes: its only mismatches are at kinks" in result.stdout
    assert result.stdout.rstrip().splitlines()[-1].startswith("PASSED")
    assert "|g_a − g_n| > tolerance·(|g_a| + |g_n|)" in result.stdout


def test_command_blames_the_last_failing_layer(tmp_path):
    """No finite difference meets a tolerance of 1e-30, so every layer fails: the command
    blames the last one in forward order and says the one before inherits its error."""
    gn.set_seed(0)
    model = models.Sequential(
        [
            layers.Dense(3, activation="tanh", input_dim=4, name="first"),
            layers.Dense(2, activation="softmax", name="second"),
        ]
    )
    model.compile("sgd", "categorical_crossentropy")
    model.save(tmp_path / "m.glassnet")
    result = glassnet("gradcheck", "--model", str(tmp_path / "m.glassnet"), "--tolerance", "1e-30")
    assert result.returncode == 1
    rows = [line for line in result.stdout.splitlines() if line.startswith("first")]
    assert len(rows) == 2 and all(
        row.endswith("FAIL (inherits the error of 'second')") for row in rows
    )
    assert "layer 'first' inherits the error of 'second'" in result.stdout
    assert "FAILED (blame 'second')" in result.stdout
