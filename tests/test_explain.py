"""explain(): every number of one training step, against a worked example written out here."""

import numpy as np
import pytest

import glassnet as gn
from glassnet import layers, models, optimizers
from glassnet.experiments.paper import X, Y, paper_network


def worked_example(w1, b1, w2, b2, hidden, lr=0.5):
    """The paper's 3-2-1 network, one full-batch step, step by step in plain NumPy."""
    g = {"sigmoid": lambda z: 1 / (1 + np.exp(-z)), "tanh": np.tanh}[hidden]
    dg = {"sigmoid": lambda a: a * (1 - a), "tanh": lambda a: 1 - a**2}[hidden]
    z1 = X @ w1 + b1
    a1 = g(z1)
    z2 = a1 @ w2 + b2
    a2 = 1 / (1 + np.exp(-z2))
    loss = np.mean((a2 - Y) ** 2)
    da2 = 2 * (a2 - Y) / a2.size
    delta2 = da2 * a2 * (1 - a2)
    dw2 = a1.T @ delta2
    db2 = delta2.sum(axis=0)
    da1 = delta2 @ w2.T
    delta1 = da1 * dg(a1)
    dw1 = X.T @ delta1
    db1 = delta1.sum(axis=0)
    return {
        "X": X,
        "W1": w1,
        "b1": b1,
        "Z1": z1,
        "A1": a1,
        "W2": w2,
        "b2": b2,
        "Z2": z2,
        "A2": a2,
        "loss": loss,
        "dA2": da2,
        "delta2": delta2,
        "dW2": dw2,
        "db2": db2,
        "dA1": da1,
        "delta1": delta1,
        "dW1": dw1,
        "db1": db1,
        "W1_new": w1 - lr * dw1,
        "b1_new": b1 - lr * db1,
        "W2_new": w2 - lr * dw2,
        "b2_new": b2 - lr * db2,
    }


@pytest.mark.parametrize("hidden", ["sigmoid", "tanh"])
def test_explain_matches_the_worked_example(float64, hidden):
    model = paper_network(hidden, seed=3)
    before = model.get_weights()
    steps = model.explain(X, Y)
    expected = worked_example(*before, hidden=hidden)
    assert steps.keys() == list(expected)
    for key, value in expected.items():
        np.testing.assert_allclose(steps[key], value, rtol=0, atol=1e-12, err_msg=key)
    # the model itself is unchanged
    for w, w0 in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(w, w0)


def test_explain_shows_formulas_shapes_and_the_fused_delta(float64):
    gn.set_seed(0)
    model = models.Sequential(
        [
            layers.Dense(3, activation="relu", input_dim=4),
            layers.Dense(2, activation="softmax"),
        ]
    )
    model.compile(optimizers.SGD(0.1), "categorical_crossentropy")
    x = np.random.default_rng(0).normal(size=(5, 4))
    y = np.eye(2)[[0, 1, 1, 0, 1]]
    steps = model.explain(x, y)
    a2 = steps["A2"]
    np.testing.assert_allclose(steps["delta2"], (a2 - y) / 5, atol=1e-15)  # δ = (A − Y)/n
    assert "dA2" not in steps and "delta1" in steps  # fused: no separate ∂L/∂A⁽²⁾
    text = str(steps)
    for expected in (
        "Z⁽¹⁾ = X·W⁽¹⁾ + b⁽¹⁾",
        "A⁽¹⁾ = relu(Z⁽¹⁾)",
        "δ⁽²⁾ = ∂L/∂Z⁽²⁾ = (A⁽²⁾ − Y) / n",
        "∂L/∂W⁽¹⁾ = Xᵀ·δ⁽¹⁾",
        "W⁽²⁾ ← W⁽²⁾ − 0.1·∂L/∂W⁽²⁾",
        "[5 × 3]",
        "FORWARD PASS",
        "BACKWARD PASS",
        "UPDATE",
    ):
        assert expected in text
    md = steps.to_markdown()
    assert "### Forward" in md and "### Backward" in md and "```" in md


def test_explain_shows_a_corner_of_large_matrices():
    model = models.Sequential(
        [
            layers.Dense(512, activation="relu", input_shape=(784,)),
            layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile("rmsprop", "sparse_categorical_crossentropy")
    steps = model.explain(np.zeros((3, 784)), np.array([1, 2, 3]))
    text = str(steps)
    assert "top-left 6×6 of 784×512" in text
    assert len(text) < 20_000  # shapes and corners, not megabytes
    # RMSprop's accumulator, then the step that divides by its root
    assert "v(W⁽¹⁾) ← 0.9·v(W⁽¹⁾) + 0.1·(∂L/∂W⁽¹⁾)²" in text
    assert "W⁽¹⁾ ← W⁽¹⁾ − 0.001·∂L/∂W⁽¹⁾ / √(v(W⁽¹⁾) + 1e-07)" in text
    with pytest.raises(KeyError, match="no step 'Z9'"):
        steps["Z9"]
