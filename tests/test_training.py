"""End-to-end: backpropagation through whole models, and the texts' small training runs."""

import numpy as np
import pytest

import glassnet as gn
from glassnet import layers, models, optimizers
from glassnet.experiments.paper import paper_network

PAPER_X = np.array([[0, 0, 1], [1, 1, 1], [1, 0, 1], [0, 1, 1]], dtype=float)
PAPER_Y = np.array([[0], [1], [1], [0]], dtype=float)


@pytest.mark.parametrize(
    ("loss", "output", "targets"),
    [
        ("categorical_crossentropy", "softmax", "onehot"),  # fused path
        ("sparse_categorical_crossentropy", "softmax", "labels"),  # fused path
        ("binary_crossentropy", "sigmoid", "binary"),  # fused path
        ("mean_squared_error", "softmax", "onehot"),  # through the softmax Jacobian
        ("mean_squared_error", "linear", "real"),
        ("binary_crossentropy", "tanh", "binary01"),  # unfused cross-entropy
    ],
)
def test_three_layer_model_gradients_match_finite_differences(loss, output, targets):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(8, 5))
    k = 3
    y = {
        "onehot": np.eye(k)[rng.integers(0, k, 8)],
        "labels": rng.integers(0, k, 8),
        "binary": rng.integers(0, 2, (8, k)).astype(float),
        "real": rng.normal(size=(8, k)),
        "binary01": rng.integers(0, 2, (8, k)).astype(float),
    }[targets]
    model = models.Sequential(
        [
            layers.Dense(6, activation="tanh", input_dim=5),
            layers.Dense(4, activation="leaky_relu"),
            layers.Dense(k, activation=output if output != "tanh" else "sigmoid"),
        ]
    )
    model.compile(optimizer="sgd", loss=loss)
    report = gn.gradcheck(model, x, y)
    assert len(report.checks) == 6
    assert report.passed, str(report)
    assert max(c.relative_error for c in report.checks) < 1e-6


def test_four_layer_model_with_dropout_and_activation_layers_passes_gradcheck():
    rng = np.random.default_rng(1)
    model = models.Sequential(
        [
            layers.Dense(7, input_dim=4),
            layers.Activation("sigmoid"),
            layers.Dropout(0.5),
            layers.Dense(5, activation="relu"),
            layers.Dense(5, activation="tanh"),
            layers.Dense(3),
            layers.Activation("softmax"),  # a separate softmax still fuses with the loss
        ]
    )
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    x = rng.normal(size=(6, 4))
    y = np.eye(3)[rng.integers(0, 3, 6)]
    step = model.train_step(x, y, apply=False)
    # the loss starts backward at ∂L/∂Z = (A − Y)/n of the Activation layer
    assert [node.op for node in step.fused] == [model.layers[-1]]
    assert gn.gradcheck(model, x, y).passed


def test_gradcheck_catches_a_wrong_derivative():
    class WrongTanh(gn.activations.Activation):
        name = "wrong_tanh"

        def __call__(self, z):
            return np.tanh(z)

        def derivative(self, z, a=None):
            return -(1 - np.tanh(z) ** 2)  # the sign is wrong

    model = models.Sequential(
        [
            layers.Dense(3, activation=WrongTanh(), input_dim=2, name="hidden"),
            layers.Dense(1, activation="sigmoid", name="out"),
        ]
    )
    model.compile("sgd", "binary_crossentropy")
    x = np.random.default_rng(2).normal(size=(5, 2))
    report = gn.gradcheck(model, x, np.array([0, 1, 1, 0, 1]))
    assert not report.passed
    assert {c.layer for c in report.failures} == {"hidden"}
    assert "FAIL" in str(report) and "hidden" in str(report)


# Measured over seeds 0–9 at 1000 full-batch epochs: sigmoid hidden units end between
# 0.0020 and 0.0036, tanh between 0.0003 and 0.0006.
@pytest.mark.parametrize(("activation", "threshold"), [("sigmoid", 0.01), ("tanh", 0.002)])
def test_paper_network_learns(activation, threshold):
    for seed in range(10):
        model = paper_network(activation, seed)
        history = model.fit(PAPER_X, PAPER_Y, epochs=1000, batch_size=4, verbose=0)
        loss = history.history["loss"]
        assert len(loss) == 1000
        assert loss[-1] < threshold, f"seed {seed}: final loss {loss[-1]}"
        assert loss[-1] < loss[0] / 20
        assert np.mean(np.diff(loss) < 0) > 0.95  # it falls (almost) every epoch
        predictions = model.predict(PAPER_X)
        np.testing.assert_array_equal(predictions > 0.5, PAPER_Y > 0.5)


def test_xor_reaches_full_accuracy():
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    y = np.array([0, 1, 1, 0])
    for seed in range(5):
        gn.set_seed(seed)
        model = models.Sequential(
            [
                layers.Dense(4, activation="tanh", input_dim=2),
                layers.Dense(1, activation="sigmoid"),
            ]
        )
        model.compile(
            optimizer=optimizers.SGD(0.5), loss="binary_crossentropy", metrics=["accuracy"]
        )
        model.fit(x, y, epochs=1000, batch_size=4, verbose=0)
        loss, accuracy = model.evaluate(x, y)
        assert accuracy == 1.0, f"seed {seed}"
        assert loss < 0.05


def test_one_training_step_equals_the_written_out_backpropagation(float64):
    """A 3-2-1 network, one full-batch SGD step, written out in plain NumPy."""
    model = paper_network("tanh", 3)
    w1, b1, w2, b2 = model.get_weights()
    x, y, lr = PAPER_X, PAPER_Y, 0.5
    z1 = x @ w1 + b1
    a1 = np.tanh(z1)
    z2 = a1 @ w2 + b2
    a2 = 1 / (1 + np.exp(-z2))
    loss = np.mean((a2 - y) ** 2)
    da2 = 2 * (a2 - y) / len(x)
    dz2 = da2 * a2 * (1 - a2)
    dw2, db2 = a1.T @ dz2, dz2.sum(axis=0)
    dz1 = (dz2 @ w2.T) * (1 - a1**2)
    dw1, db1 = x.T @ dz1, dz1.sum(axis=0)
    history = model.fit(x, y, epochs=1, batch_size=4, shuffle=False, verbose=0)
    assert history.history["loss"][0] == pytest.approx(loss, rel=1e-12)
    for got, want in zip(
        model.get_weights(),
        [w1 - lr * dw1, b1 - lr * db1, w2 - lr * dw2, b2 - lr * db2],
        strict=True,
    ):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


def test_minibatch_history_is_the_weighted_mean_before_each_update(float64):
    """10 samples in batches of 4, 4, 2: the epoch loss weighs each batch by its size."""
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=(10, 3)), rng.normal(size=(10, 1))
    gn.set_seed(0)
    model = models.Sequential([layers.Dense(1, input_dim=3)])
    model.compile(optimizers.SGD(0.1), "mse")
    w, b = model.get_weights()
    total = 0.0
    for start in (0, 4, 8):
        xb, yb = x[start : start + 4], y[start : start + 4]
        err = xb @ w + b - yb
        total += np.mean(err**2) * len(xb)  # measured before this batch's update
        w = w - 0.1 * xb.T @ (2 * err / len(xb))
        b = b - 0.1 * (2 * err / len(xb)).sum(axis=0)
    history = model.fit(x, y, epochs=1, batch_size=4, shuffle=False, verbose=0)
    assert history.history["loss"][0] == pytest.approx(total / 10, rel=1e-12)
    np.testing.assert_allclose(model.get_weights()[0], w, rtol=1e-12)


def test_linear_regression_neuron_finds_least_squares(float64):
    rng = np.random.default_rng(6)
    x = rng.normal(size=(200, 3))
    y = x @ np.array([[2.0], [-1.0], [0.5]]) + 3.0 + rng.normal(scale=0.1, size=(200, 1))
    design = np.hstack([x, np.ones((200, 1))])
    solution = np.linalg.lstsq(design, y, rcond=None)[0]
    model = models.Sequential([layers.Dense(1, input_dim=3)])
    model.compile(optimizers.SGD(0.1), "mse")
    model.fit(x, y, epochs=500, batch_size=200, verbose=0)
    w, b = model.get_weights()
    np.testing.assert_allclose(np.append(w[:, 0], b), solution[:, 0], atol=1e-6)


def test_gradcheck_passes_an_exactly_zero_gradient_met_by_rounding_noise():
    """Mean absolute error: when as many outputs lie above their targets as below, the output
    bias's gradient Σ sign(A − Y)/n is exactly 0, and finite differences give rounding noise
    (about 1e-10): a relative error of 1 that means nothing. The absolute floor passes it; a
    wrong derivative still fails (test_gradcheck_catches_a_wrong_derivative)."""

    class MeanAbsolute(gn.losses.Loss):
        name = "mean_absolute"

        def __call__(self, y_true, y_pred):
            return float(np.abs(y_pred - y_true).mean())

        def gradient(self, y_true, y_pred):
            return np.sign(y_pred - y_true) / y_pred.size

    gn.set_seed(186)
    model = models.Sequential([layers.Dense(3, activation="tanh", input_dim=2), layers.Dense(1)])
    model.compile(optimizer="sgd", loss=MeanAbsolute())
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(8, 2)), rng.normal(size=(8, 1))
    with gn.config.floatx_scope("float64"):
        step = gn.models.Sequential.train_step(model, x, y, apply=False)
    bias_grad = step.grads[-1]
    assert bias_grad[0] == 0.0  # four outputs above their targets, four below
    report = gn.gradcheck(model, x, y)
    bias = report.checks[-1]
    assert bias.relative_error == pytest.approx(1.0) and bias.passed
    assert report.passed
    with pytest.raises(ValueError, match="absolute_tolerance"):
        gn.gradcheck(model, x, y, absolute_tolerance=-1)
