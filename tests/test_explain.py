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


def _first_delta_lines(loss, units, activation, y, loss_weights=None):
    gn.set_seed(2)
    model = models.Sequential(
        [
            layers.Dense(3, activation="tanh", input_dim=2),
            layers.Dense(units, activation=activation),
        ]
    )
    model.compile(optimizers.SGD(0.1), loss, loss_weights=loss_weights)
    x = np.random.default_rng(1).normal(size=(len(y), 2))
    steps = model.explain(x, y)
    return steps, [s.heading for s in steps.steps if s.phase in ("loss", "backward")]


Y_BINARY = np.array([[0.0, 1.0], [1.0, 1.0], [0.0, 0.0], [1.0, 0.0]])
Y_ONEHOT = np.eye(3)[[0, 2, 1, 2]]


@pytest.mark.parametrize(
    ("loss", "units", "activation", "y", "delta", "definition"),
    [
        (gn.losses.BinaryCrossentropy(), 2, "sigmoid", Y_BINARY, "(A⁽²⁾ − Y) / n·k", None),
        (gn.losses.BinaryCrossentropy(), 1, "sigmoid", Y_BINARY[:, :1], "(A⁽²⁾ − Y) / n", None),
        (
            gn.losses.BinaryCrossentropy(name="my_bce"),  # the text does not hang on the name
            2,
            "sigmoid",
            Y_BINARY,
            "(A⁽²⁾ − Y) / n·k",
            None,
        ),
        (
            gn.losses.BinaryCrossentropy(reduction="sum", label_smoothing=0.2),
            2,
            "sigmoid",
            Y_BINARY,
            "(A⁽²⁾ − Y′) / k",
            "Y′ = Y(1 − 0.2) + 0.2/2",
        ),
        (
            gn.losses.BinaryCrossentropy(reduction="sum"),
            1,
            "sigmoid",
            Y_BINARY[:, :1],
            "A⁽²⁾ − Y",
            None,
        ),
        (
            gn.losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1),
            2,
            "linear",
            Y_BINARY,
            "(σ(Z⁽²⁾) − Y′) / n·k",
            "Y′ = Y(1 − 0.1) + 0.1/2",
        ),
        (
            gn.losses.CategoricalCrossentropy(label_smoothing=0.1),
            3,
            "softmax",
            Y_ONEHOT,
            "(A⁽²⁾ − Y′) / n",
            "Y′ = Y(1 − 0.1) + 0.1/3",
        ),
        (
            gn.losses.CategoricalCrossentropy(reduction="sum"),
            3,
            "softmax",
            Y_ONEHOT,
            "A⁽²⁾ − Y",
            None,
        ),
        (
            gn.losses.CategoricalCrossentropy(from_logits=True),
            3,
            "linear",
            Y_ONEHOT,
            "(softmax(Z⁽²⁾) − Y) / n",
            None,
        ),
        (
            gn.losses.CategoricalCrossentropy(from_logits=True),
            3,
            "linear",
            Y_ONEHOT * 0.5,  # targets that do not sum to 1: ∂L/∂Z = softmax(Z)·ΣY − Y
            "(softmax(Z⁽²⁾)·ΣY − Y) / n",
            None,
        ),
        (
            gn.losses.SparseCategoricalCrossentropy(),
            3,
            "softmax",
            np.array([0, 2, 1, 2]),
            "(A⁽²⁾ − onehot(Y)) / n",
            None,
        ),
        (
            gn.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1),
            3,
            "linear",
            np.array([0, -1, 1, 2]),
            "M ⊙ (softmax(Z⁽²⁾) − onehot(Y)) / ΣM",
            "M = [Y ≠ -1]",
        ),
        (
            gn.losses.SparseCategoricalCrossentropy(ignore_class=0, reduction="sum"),
            3,
            "softmax",
            np.array([0, 2, 1, 2]),
            "M ⊙ (A⁽²⁾ − onehot(Y))",
            "M = [Y ≠ 0]",
        ),
    ],
)
def test_the_first_delta_is_written_by_the_loss_for_its_options(
    float64, loss, units, activation, y, delta, definition
):
    steps, headings = _first_delta_lines(loss, units, activation, y)
    assert f"δ⁽²⁾ = ∂L/∂Z⁽²⁾ = {delta}" in headings
    assert headings[0] == f"L = {loss.name}(Y, A⁽²⁾)"
    if definition is None:
        assert "Y_smoothed" not in steps and "M" not in steps
    else:
        assert headings[1] == definition  # defined in the loss phase, before δ uses it
    if loss.from_logits:  # the output is linear: δ is the loss's ∂L/∂Z, no separate ∂L/∂A
        assert "dA2" not in steps
        note = next(s.note for s in steps.steps if s.key == "delta2")
        assert note == f"{loss.name} from logits: the output layer is linear, A⁽²⁾ = Z⁽²⁾"
    else:
        note = next(s.note for s in steps.steps if s.key == "delta2")
        assert note == f"{loss.name} fused with {activation}"


def test_the_first_delta_shows_the_loss_weight(float64):
    _, headings = _first_delta_lines(
        gn.losses.CategoricalCrossentropy(reduction="sum"), 3, "softmax", Y_ONEHOT, [0.5]
    )
    assert "δ⁽²⁾ = ∂L/∂Z⁽²⁾ = 0.5·(A⁽²⁾ − Y)" in headings
    _, headings = _first_delta_lines("mse", 2, "sigmoid", Y_BINARY, [2.0])
    assert "∂L/∂A⁽²⁾ = 2·mean_squared_error′(Y, A⁽²⁾)" in headings


def test_a_loss_from_logits_on_a_nonlinear_output_writes_its_gradient_on_the_output(float64):
    loss = gn.losses.BinaryCrossentropy(from_logits=True)
    steps, headings = _first_delta_lines(loss, 2, "relu", Y_BINARY)
    assert "∂L/∂A⁽²⁾ = (σ(A⁽²⁾) − Y) / n·k" in headings
    assert "δ⁽²⁾ = ∂L/∂Z⁽²⁾ = ∂L/∂A⁽²⁾ ⊙ relu′(Z⁽²⁾)" in headings
    a = steps["A2"]
    np.testing.assert_allclose(steps["dA2"], (1 / (1 + np.exp(-a)) - Y_BINARY) / a.size, atol=1e-15)
