"""Losses: values against hand-computed numbers, gradients against finite differences."""

import math

import numpy as np
import pytest

from glassnet import activations, losses
from glassnet.gradcheck import numerical_gradient, relative_error


def test_mse_known_value():
    y = np.array([[1.0], [0.0], [2.0]])
    a = np.array([[0.5], [0.5], [1.0]])
    # (0.25 + 0.25 + 1) / 3
    assert losses.get("mse")(y, a) == pytest.approx(0.5, abs=1e-15)
    assert losses.get("mean_squared_error")(y, a) == pytest.approx(0.5, abs=1e-15)


def test_binary_crossentropy_known_value():
    y = np.array([[1.0], [0.0]])
    a = np.array([[0.8], [0.4]])
    expected = -(math.log(0.8) + math.log(0.6)) / 2
    assert losses.get("binary_crossentropy")(y, a) == pytest.approx(expected, rel=1e-14)


def test_categorical_crossentropies_known_value():
    a = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
    expected = -(math.log(0.7) + math.log(0.8)) / 2
    onehot = np.array([[1.0, 0, 0], [0, 0, 1.0]])
    assert losses.get("categorical_crossentropy")(onehot, a) == pytest.approx(expected, rel=1e-14)
    labels = np.array([0, 2])
    assert losses.get("sparse_categorical_crossentropy")(labels, a) == pytest.approx(
        expected, rel=1e-14
    )


def test_from_logits_equals_the_probability_form():
    rng = np.random.default_rng(3)
    z = rng.normal(size=(5, 1)) * 3
    y = rng.integers(0, 2, size=(5, 1)).astype(float)
    bce = losses.BinaryCrossentropy()
    assert bce.value_from_logits(y, z) == pytest.approx(bce(y, activations.sigmoid(z)), rel=1e-12)
    z = rng.normal(size=(5, 4)) * 3
    labels = rng.integers(0, 4, size=5)
    onehot = np.eye(4)[labels]
    cce, scce = losses.CategoricalCrossentropy(), losses.SparseCategoricalCrossentropy()
    p = activations.softmax(z)
    assert cce.value_from_logits(onehot, z) == pytest.approx(cce(onehot, p), rel=1e-12)
    assert scce.value_from_logits(labels, z) == pytest.approx(scce(labels, p), rel=1e-12)


def test_confident_wrong_prediction_reports_its_true_loss():
    # Keras clips probabilities at 1e-7 and would report −log(1e-7) ≈ 16.1 here.
    z = np.array([[-50.0]])
    y = np.array([[1.0]])
    assert losses.BinaryCrossentropy().value_from_logits(y, z) == pytest.approx(50.0, rel=1e-12)
    z = np.array([[0.0, 60.0]])
    assert losses.SparseCategoricalCrossentropy().value_from_logits(
        np.array([0]), z
    ) == pytest.approx(60.0, rel=1e-12)


def test_never_log_of_zero():
    for dtype in (np.float32, np.float64):
        a = np.array([[0.0, 1.0]], dtype=dtype)
        y = np.array([[1.0, 0.0]], dtype=dtype)
        value = losses.CategoricalCrossentropy()(y, a)
        assert math.isfinite(value) and value > 80  # −log(tiny): about 87 (f32) or 708 (f64)
        value = losses.BinaryCrossentropy()(y, a)
        assert math.isfinite(value)
        assert np.isfinite(losses.BinaryCrossentropy().gradient(y, a)).all()


CASES = [
    ("mean_squared_error", None, "real"),
    ("binary_crossentropy", None, "binary"),
    ("categorical_crossentropy", None, "onehot"),
    ("sparse_categorical_crossentropy", None, "labels"),
]


def _targets(kind, rng, shape):
    if kind == "real":
        return rng.normal(size=shape)
    if kind == "binary":
        return rng.integers(0, 2, size=shape).astype(float)
    labels = rng.integers(0, shape[1], size=shape[0])
    return labels if kind == "labels" else np.eye(shape[1])[labels]


@pytest.mark.parametrize(("name", "_", "kind"), CASES)
def test_gradient_matches_finite_differences(name, _, kind):
    rng = np.random.default_rng(4)
    loss = losses.get(name)
    shape = (6, 3)
    y = _targets(kind, rng, shape)
    a = rng.uniform(0.05, 0.95, size=shape)
    if kind in ("onehot", "labels"):
        a /= a.sum(axis=1, keepdims=True)
    numeric = numerical_gradient(lambda: loss(y, a), a)
    assert relative_error(loss.gradient(y, a), numeric) < 1e-7


@pytest.mark.parametrize(
    ("name", "activation", "kind"),
    [
        ("binary_crossentropy", "sigmoid", "binary"),
        ("categorical_crossentropy", "softmax", "onehot"),
        ("sparse_categorical_crossentropy", "softmax", "labels"),
    ],
)
def test_fused_gradient_is_a_minus_y_and_matches_finite_differences(name, activation, kind):
    rng = np.random.default_rng(5)
    loss, act = losses.get(name), activations.get(activation)
    assert loss.fuses_with(act)
    z = rng.normal(size=(6, 3)) * 2
    y = _targets(kind, rng, z.shape)
    numeric = numerical_gradient(lambda: loss.value_from_logits(y, z), z)
    fused = loss.fused_gradient(y, act(z))
    assert relative_error(fused, numeric) < 1e-8
    # by hand: (A − Y) / n for the categorical forms, (A − Y) / (n·k) for the binary one
    onehot = np.eye(3)[y] if kind == "labels" else y
    divisor = z.size if kind == "binary" else len(z)
    np.testing.assert_allclose(fused, (act(z) - onehot) / divisor, rtol=1e-12)


def test_names_aliases_and_unknown():
    assert isinstance(losses.get("mse"), losses.MeanSquaredError)
    assert isinstance(losses.get(losses.BinaryCrossentropy), losses.BinaryCrossentropy)
    with pytest.raises(ValueError, match=r"unknown loss 'focal'.*binary_crossentropy"):
        losses.get("focal")
    assert not losses.get("mse").fuses_with(activations.sigmoid)
    assert not losses.get("binary_crossentropy").fuses_with(activations.softmax)
