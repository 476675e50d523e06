"""explain(): every number it shows, recomputed here in plain NumPy float64 from the formulas.

Each test writes one training step out by hand (forward pass, loss, deltas, gradients, the
optimizer's update rule) and compares every explained value with atol=1e-12; the explained
update is also compared bit for bit with what ``fit`` does to the original model.
"""

import re

import numpy as np
import pytest

import glassnet as gn
from glassnet import layers, models, optimizers
from glassnet.experiments.paper import X as PAPER_X
from glassnet.experiments.paper import Y as PAPER_Y
from glassnet.experiments.paper import paper_network

ATOL = 1e-12


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


ACTIVATIONS = {
    "linear": (lambda z: z, lambda z: np.ones_like(z)),
    "tanh": (np.tanh, lambda z: 1.0 - np.tanh(z) ** 2),
    "sigmoid": (sigmoid, lambda z: sigmoid(z) * (1.0 - sigmoid(z))),
    "relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(float)),
    "softmax": (softmax, None),
}


def assert_steps(steps, expected):
    for key, value in expected.items():
        assert steps[key].dtype == np.float64, key
        np.testing.assert_allclose(steps[key], value, rtol=0, atol=ATOL, err_msg=key)


def full_batch_step(model, x, y):
    model.fit(x, y, epochs=1, batch_size=len(x), shuffle=False, verbose=0)


# -- 1. Dropout between two Dense layers ---------------------------------------------------------
RATE = 0.5


def dropout_network():
    gn.set_seed(7)
    model = models.Sequential(
        [
            layers.Dense(4, activation="tanh", input_dim=3),
            layers.Dropout(RATE),
            layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(optimizers.SGD(0.3), "mse")
    rng = np.random.default_rng(11)
    x = rng.normal(size=(6, 3))
    y = rng.integers(0, 2, size=(6, 1)).astype(float)
    return model, x, y


def dropout_by_hand(x, y, mask, w1, b1, w3, b3, lr=0.3):
    z1 = x @ w1 + b1
    a1 = np.tanh(z1)
    a2 = a1 * mask / (1.0 - RATE)  # inverted dropout
    z3 = a2 @ w3 + b3  # the next layer reads the dropped-out A⁽²⁾
    a3 = sigmoid(z3)
    loss = np.mean((a3 - y) ** 2)
    da3 = 2.0 * (a3 - y) / a3.size
    delta3 = da3 * a3 * (1.0 - a3)
    dw3 = a2.T @ delta3
    db3 = delta3.sum(axis=0)
    da2 = delta3 @ w3.T
    da1 = da2 * mask / (1.0 - RATE)  # the gradient flows only through the kept units
    delta1 = da1 * (1.0 - a1**2)
    dw1 = x.T @ delta1
    db1 = delta1.sum(axis=0)
    return {
        "X": x,
        "W1": w1,
        "b1": b1,
        "Z1": z1,
        "A1": a1,
        "M2": mask,
        "A2": a2,
        "W3": w3,
        "b3": b3,
        "Z3": z3,
        "A3": a3,
        "loss": loss,
        "dA3": da3,
        "delta3": delta3,
        "dW3": dw3,
        "db3": db3,
        "dA2": da2,
        "dA1": da1,
        "delta1": delta1,
        "dW1": dw1,
        "db1": db1,
        "W1_new": w1 - lr * dw1,
        "b1_new": b1 - lr * db1,
        "W3_new": w3 - lr * dw3,
        "b3_new": b3 - lr * db3,
    }


def test_dropout_network_every_number(float64):
    model, x, y = dropout_network()
    before = model.get_weights()
    steps = model.explain(x, y)
    mask = steps["M2"]
    assert mask.shape == (6, 4)
    assert set(np.unique(mask)) == {0.0, 1.0}  # some units kept, some dropped
    expected = dropout_by_hand(x, y, mask, *before)
    assert steps.keys() == list(expected)
    assert_steps(steps, expected)
    # Z⁽³⁾ is computed from the dropped-out A⁽²⁾, not from A⁽¹⁾
    assert not np.allclose(steps["Z3"], expected["A1"] @ before[2] + before[3])
    assert "Z⁽³⁾ = A⁽²⁾·W⁽³⁾ + b⁽³⁾" in str(steps)
    # the model itself is untouched
    for w, w0 in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(w, w0)


def test_dropout_network_update_is_the_one_fit_makes(float64):
    model, x, y = dropout_network()
    steps = model.explain(x, y)  # on a copy: the original's dropout generator has not moved
    full_batch_step(model, x, y)
    dropout_node = model.last_step.tape.nodes[1]
    np.testing.assert_array_equal(dropout_node.mask != 0, steps["M2"] == 1)
    for key, w in zip(["W1", "b1", "W3", "b3"], model.get_weights(), strict=True):
        np.testing.assert_array_equal(w, steps[f"{key}_new"], err_msg=key)


# -- 2. softmax + categorical cross-entropy ------------------------------------------------------
def test_softmax_crossentropy_network_every_number(float64):
    gn.set_seed(5)
    model = models.Sequential(
        [
            layers.Dense(5, activation="relu", input_dim=4),
            layers.Dense(3, activation="softmax"),
        ]
    )
    model.compile(optimizers.SGD(0.2), "categorical_crossentropy")
    rng = np.random.default_rng(3)
    x = rng.normal(size=(7, 4))
    y = np.eye(3)[rng.integers(0, 3, size=7)]
    w1, b1, w2, b2 = model.get_weights()
    steps = model.explain(x, y)

    n = len(x)
    z1 = x @ w1 + b1
    a1 = np.maximum(z1, 0.0)
    z2 = a1 @ w2 + b2
    a2 = softmax(z2)
    loss = -np.mean(np.sum(y * np.log(a2), axis=1))
    delta2 = (a2 - y) / n  # softmax and cross-entropy fused: ∂L/∂Z⁽²⁾ = (A − Y)/n
    dw2 = a1.T @ delta2
    db2 = delta2.sum(axis=0)
    da1 = delta2 @ w2.T
    delta1 = da1 * (z1 > 0)
    dw1 = x.T @ delta1
    db1 = delta1.sum(axis=0)
    expected = {
        "X": x,
        "W1": w1,
        "b1": b1,
        "Z1": z1,
        "A1": a1,
        "W2": w2,
        "b2": b2,
        "Z2": z2,
        "A2": a2,
        "loss": loss,
        "delta2": delta2,
        "dW2": dw2,
        "db2": db2,
        "dA1": da1,
        "delta1": delta1,
        "dW1": dw1,
        "db1": db1,
        "W1_new": w1 - 0.2 * dw1,
        "b1_new": b1 - 0.2 * db1,
        "W2_new": w2 - 0.2 * dw2,
        "b2_new": b2 - 0.2 * db2,
    }
    assert np.any(z1 < 0) and np.any(z1 > 0)  # relu passes some units and blocks others
    assert steps.keys() == list(expected)
    assert_steps(steps, expected)
    full_batch_step(model, x, y)
    for key, w in zip(["W1", "b1", "W2", "b2"], model.get_weights(), strict=True):
        np.testing.assert_array_equal(w, steps[f"{key}_new"], err_msg=key)


# -- 3. every optimizer's update, with non-zero state ---------------------------------------------
def paper_gradients(w1, b1, w2, b2):
    """The paper network (tanh hidden, sigmoid output, mse): ∂L/∂W, ∂L/∂b by hand."""
    a1 = np.tanh(PAPER_X @ w1 + b1)
    a2 = sigmoid(a1 @ w2 + b2)
    delta2 = 2.0 * (a2 - PAPER_Y) / a2.size * a2 * (1.0 - a2)
    delta1 = (delta2 @ w2.T) * (1.0 - a1**2)
    return [PAPER_X.T @ delta1, delta1.sum(axis=0), a1.T @ delta2, delta2.sum(axis=0)]


def sgd_rule(lr, momentum=0.0, nesterov=False):
    def rule(w, g, slots, t):
        if momentum == 0:
            return w - lr * g, {}
        v = momentum * slots["velocity"] - lr * g
        if nesterov:
            return w + momentum * v - lr * g, {"velocity": v}
        return w + v, {"velocity": v}

    return rule


def rmsprop_rule(lr, rho=0.9, eps=1e-7):
    def rule(w, g, slots, t):
        v = rho * slots["velocity"] + (1.0 - rho) * g**2
        return w - lr * g / np.sqrt(v + eps), {"velocity": v}

    return rule


def adam_alpha(lr, t, b1=0.9, b2=0.999):
    return lr * np.sqrt(1.0 - b2**t) / (1.0 - b1**t)


def adam_rule(lr, b1=0.9, b2=0.999, eps=1e-7):
    def rule(w, g, slots, t):
        m = slots["momentum"] + (1.0 - b1) * (g - slots["momentum"])
        v = slots["velocity"] + (1.0 - b2) * (g**2 - slots["velocity"])
        alpha = adam_alpha(lr, t, b1, b2)
        return w - alpha * m / (np.sqrt(v) + eps), {"momentum": m, "velocity": v}

    return rule


OPTIMIZERS = {
    "sgd": (
        lambda: optimizers.SGD(0.1),
        sgd_rule(0.1),
        ["W⁽¹⁾ ← W⁽¹⁾ − 0.1·∂L/∂W⁽¹⁾", "b⁽²⁾ ← b⁽²⁾ − 0.1·∂L/∂b⁽²⁾"],
    ),
    "momentum": (
        lambda: optimizers.SGD(0.1, momentum=0.9),
        sgd_rule(0.1, 0.9),
        ["v(W⁽¹⁾) ← 0.9·v(W⁽¹⁾) − 0.1·∂L/∂W⁽¹⁾", "W⁽¹⁾ ← W⁽¹⁾ + v(W⁽¹⁾)"],
    ),
    "nesterov": (
        lambda: optimizers.SGD(0.1, momentum=0.9, nesterov=True),
        sgd_rule(0.1, 0.9, nesterov=True),
        ["v(W⁽²⁾) ← 0.9·v(W⁽²⁾) − 0.1·∂L/∂W⁽²⁾", "W⁽²⁾ ← W⁽²⁾ + 0.9·v(W⁽²⁾) − 0.1·∂L/∂W⁽²⁾"],
    ),
    "rmsprop": (
        lambda: optimizers.RMSprop(0.01),
        rmsprop_rule(0.01),
        [
            "v(W⁽¹⁾) ← 0.9·v(W⁽¹⁾) + 0.1·(∂L/∂W⁽¹⁾)²",
            "W⁽¹⁾ ← W⁽¹⁾ − 0.01·∂L/∂W⁽¹⁾ / √(v(W⁽¹⁾) + 1e-07)",
        ],
    ),
    "adam": (
        lambda: optimizers.Adam(0.01),
        adam_rule(0.01),
        [
            "α ← 0.01·√(1 − 0.999^3) / (1 − 0.9^3)",
            "m(W⁽¹⁾) ← m(W⁽¹⁾) + (1 − 0.9)·(∂L/∂W⁽¹⁾ − m(W⁽¹⁾))",
            "v(W⁽¹⁾) ← v(W⁽¹⁾) + (1 − 0.999)·((∂L/∂W⁽¹⁾)² − v(W⁽¹⁾))",
            "W⁽¹⁾ ← W⁽¹⁾ − α·m(W⁽¹⁾) / (√v(W⁽¹⁾) + 1e-07)",
        ],
    ),
}


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_optimizer_update_with_state(float64, name):
    make, rule, texts = OPTIMIZERS[name]
    model = paper_network("tanh", seed=3)
    model.compile(optimizer=make(), loss="mse")
    for _ in range(2):  # two full-batch steps: the optimizer's state is no longer zero
        full_batch_step(model, PAPER_X, PAPER_Y)
    iterations, slots = model.optimizer.get_state()
    assert iterations == 2
    for arrays in slots.values():
        assert all(np.any(a != 0) for a in arrays)
    weights = model.get_weights()
    steps = model.explain(PAPER_X, PAPER_Y)

    # explain worked on a copy: the optimizer's state is where it was
    iterations_after, slots_after = model.optimizer.get_state()
    assert iterations_after == 2
    for s, arrays in slots.items():
        for a, b in zip(arrays, slots_after[s], strict=True):
            np.testing.assert_array_equal(a, b)

    grads = paper_gradients(*weights)
    t = iterations + 1
    expected_keys = []
    for i, key in enumerate(["W1", "b1", "W2", "b2"]):
        np.testing.assert_allclose(steps[f"d{key}"], grads[i], rtol=0, atol=ATOL, err_msg=key)
        new, state = rule(weights[i], grads[i], {s: slots[s][i] for s in slots}, t)
        assert set(state) == set(slots)
        for s in model.optimizer.slot_names:
            expected_keys.append(f"{key}_{s}")
            np.testing.assert_allclose(
                steps[f"{key}_{s}"], state[s], rtol=0, atol=ATOL, err_msg=f"{key}_{s}"
            )
        expected_keys.append(f"{key}_new")
        np.testing.assert_allclose(steps[f"{key}_new"], new, rtol=0, atol=ATOL, err_msg=key)
    update_keys = [s.key for s in steps.steps if s.phase == "update"]
    if name == "adam":
        np.testing.assert_allclose(steps["alpha"], adam_alpha(0.01, t), rtol=0, atol=ATOL)
        expected_keys.insert(0, "alpha")
    else:
        assert "alpha" not in steps
    assert update_keys == expected_keys

    text = str(steps)
    for line in texts:
        assert line in text

    # the explained update is exactly the step fit takes next
    full_batch_step(model, PAPER_X, PAPER_Y)
    iterations_fit, slots_fit = model.optimizer.get_state()
    assert iterations_fit == 3
    for i, (key, w) in enumerate(zip(["W1", "b1", "W2", "b2"], model.get_weights(), strict=True)):
        np.testing.assert_array_equal(w, steps[f"{key}_new"], err_msg=key)
        for s in model.optimizer.slot_names:
            np.testing.assert_array_equal(slots_fit[s][i], steps[f"{key}_{s}"], err_msg=s)


def test_paper_network_compile_settings_are_explained(float64):
    model = paper_network("sigmoid", seed=1)
    assert isinstance(model.optimizer, optimizers.SGD)
    assert model.optimizer.learning_rate == 0.5 and model.optimizer.momentum == 0
    steps = model.explain(PAPER_X, PAPER_Y)
    text = str(steps)
    assert "L = mean_squared_error(Y, A⁽²⁾)" in text
    assert "W⁽¹⁾ ← W⁽¹⁾ − 0.5·∂L/∂W⁽¹⁾" in text


# -- 4. a shared layer, called twice --------------------------------------------------------------
def shared_network():
    gn.set_seed(2)
    inp = gn.Input(shape=(3,))
    shared = layers.Dense(3, activation="tanh")
    h1 = shared(inp)
    h2 = shared(h1)
    out = layers.Dense(1)(h2)
    model = gn.Model(inp, out)
    model.compile(optimizers.SGD(0.1), "mse")
    rng = np.random.default_rng(4)
    return model, rng.normal(size=(5, 3)), rng.normal(size=(5, 1))


def shared_by_hand(x, y, w1, b1, w3, b3, lr=0.1):
    z1 = x @ w1 + b1
    a1 = np.tanh(z1)
    z2 = a1 @ w1 + b1  # the same kernel and bias, second call
    a2 = np.tanh(z2)
    z3 = a2 @ w3 + b3
    a3 = z3
    loss = np.mean((a3 - y) ** 2)
    da3 = 2.0 * (a3 - y) / a3.size
    delta3 = da3
    dw3 = a2.T @ delta3
    db3 = delta3.sum(axis=0)
    da2 = delta3 @ w3.T
    delta2 = da2 * (1.0 - a2**2)
    dw1_from2 = a1.T @ delta2
    db1_from2 = delta2.sum(axis=0)
    da1 = delta2 @ w1.T
    delta1 = da1 * (1.0 - a1**2)
    dw1_from1 = x.T @ delta1
    db1_from1 = delta1.sum(axis=0)
    dw1 = dw1_from1 + dw1_from2
    db1 = db1_from1 + db1_from2
    return {
        "X": x,
        "W1": w1,
        "b1": b1,
        "Z1": z1,
        "A1": a1,
        "Z2": z2,
        "A2": a2,
        "W3": w3,
        "b3": b3,
        "Z3": z3,
        "A3": a3,
        "loss": loss,
        "dA3": da3,
        "delta3": delta3,
        "dW3": dw3,
        "db3": db3,
        "dA2": da2,
        "delta2": delta2,
        "dW1_from2": dw1_from2,
        "db1_from2": db1_from2,
        "dA1": da1,
        "delta1": delta1,
        "dW1_from1": dw1_from1,
        "db1_from1": db1_from1,
        "dW1": dw1,
        "db1": db1,
        "W1_new": w1 - lr * dw1,
        "b1_new": b1 - lr * db1,
        "W3_new": w3 - lr * dw3,
        "b3_new": b3 - lr * db3,
    }


def test_shared_layer_every_number(float64):
    """Every value, found by its phase and position so that no key ambiguity can hide one."""
    model, x, y = shared_network()
    before = model.get_weights()
    assert len(before) == 4  # one kernel and bias for both calls
    steps = model.explain(x, y)
    e = shared_by_hand(x, y, *before)
    forward = {s.key: s.value for s in steps.steps if s.phase in ("forward", "loss")}
    for key in ["X", "W1", "b1", "Z1", "A1", "Z2", "A2", "W3", "b3", "Z3", "A3", "loss"]:
        np.testing.assert_allclose(forward[key], e[key], rtol=0, atol=ATOL, err_msg=key)
    backward = [s for s in steps.steps if s.phase == "backward"]
    update = [s for s in steps.steps if s.phase == "update"]
    by_key = {s.key: s.value for s in backward if s.key not in ("dW1", "db1")}
    for key in ["dA3", "delta3", "dW3", "db3", "dA2", "delta2", "dW1_from2", "db1_from2"]:
        np.testing.assert_allclose(by_key[key], e[key], rtol=0, atol=ATOL, err_msg=key)
    for key in ["dA1", "delta1"]:
        np.testing.assert_allclose(by_key[key], e[key], rtol=0, atol=ATOL, err_msg=key)
    # the first call's contribution, wherever it is named
    first_call = [s for s in backward if s.key in ("dW1", "dW1_from1")]
    first_bias = [s for s in backward if s.key in ("db1", "db1_from1")]
    assert len(first_call) == len(first_bias) == 1
    np.testing.assert_allclose(first_call[0].value, e["dW1_from1"], rtol=0, atol=ATOL)
    np.testing.assert_allclose(first_bias[0].value, e["db1_from1"], rtol=0, atol=ATOL)
    # the total in the update phase, and the updates
    total = {s.key: s.value for s in update}
    for key in ["dW1", "db1", "W1_new", "b1_new", "W3_new", "b3_new"]:
        np.testing.assert_allclose(total[key], e[key], rtol=0, atol=ATOL, err_msg=key)
    assert [s.key for s in update] == ["dW1", "W1_new", "db1", "b1_new", "W3_new", "b3_new"]
    # fit takes the same step, bit for bit
    full_batch_step(model, x, y)
    for key, w in zip(["W1", "b1", "W3", "b3"], model.get_weights(), strict=True):
        np.testing.assert_array_equal(w, total[f"{key}_new"], err_msg=key)


def test_shared_layer_keys_name_each_value_once(float64):
    model, x, y = shared_network()
    before = model.get_weights()
    steps = model.explain(x, y)
    e = shared_by_hand(x, y, *before)
    keys = steps.keys()
    assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)
    assert "dW1_from1" in steps and "db1_from1" in steps
    # steps["dW1"] is the total ∂L/∂W⁽¹⁾, the sum over both calls, as the update uses
    assert_steps(steps, e)


# -- 5. the text: each formula names the values it is computed from -------------------------------
_SUP = "⁰¹²³⁴⁵⁶⁷⁸⁹"
SYM = rf"(?:∂L/∂)?(?:[AZWbMδ]⁽[{_SUP}]+⁾|X|Y)"
NUM = r"[0-9.e+-]+"


def _formula_value(formula, env, dropout_rate=None):
    """Evaluate a formula of explain()'s notation on the values of the symbols it names.

    Returns None for formulas that are descriptions rather than arithmetic."""

    def v(symbol):
        assert symbol in env, f"{formula!r} names {symbol}, which no earlier line defines"
        return env[symbol]

    patterns = [
        (rf"({SYM})·({SYM}) \+ ({SYM})", lambda a, w, b: v(a) @ v(w) + v(b)),
        (rf"({SYM})·({SYM})", lambda a, w: v(a) @ v(w)),
        (rf"(\w+)\(({SYM})\)", lambda g, z: ACTIVATIONS[g][0](v(z))),
        (
            rf"({SYM}) ⊙ ({SYM}) / \(1 − ({NUM})\)",
            lambda a, m, r: v(a) * v(m) / (1.0 - float(r)),
        ),
        (rf"({SYM})ᵀ·({SYM})", lambda a, d: v(a).T @ v(d)),
        (rf"Σ_samples ({SYM})", lambda d: v(d).sum(axis=0)),
        (rf"({SYM})·({SYM})ᵀ", lambda d, w: v(d) @ v(w).T),
        (rf"({SYM}) ⊙ (\w+)′\(({SYM})\)", lambda d, g, z: v(d) * ACTIVATIONS[g][1](v(z))),
        (rf"\(({SYM}) − Y\) / n", lambda a: (v(a) - v("Y")) / len(v(a))),
        (rf"mean_squared_error\(Y, ({SYM})\)", lambda a: np.mean((v(a) - v("Y")) ** 2)),
        (
            rf"mean_squared_error′\(Y, ({SYM})\)",
            lambda a: 2.0 * (v(a) - v("Y")) / v(a).size,
        ),
        (
            rf"categorical_crossentropy\(Y, ({SYM})\)",
            lambda a: -np.mean(np.sum(v("Y") * np.log(v(a)), axis=1)),
        ),
        (rf"({SYM}) − ({NUM})·({SYM})", lambda w, lr, g: v(w) - float(lr) * v(g)),
        (rf"Bernoulli\(1 − ({NUM})\)", lambda r: None),
    ]
    for pattern, compute in patterns:
        match = re.fullmatch(pattern, formula)
        if match:
            return compute(*match.groups())
    raise AssertionError(f"no rule for the formula {formula!r}")


def check_every_formula(steps, y, dropout_rate=None):
    """Each line's formula, evaluated on the values of the symbols it names (the latest line
    that defines each), gives the value the line prints; returns the headings checked."""
    env = {"Y": y}
    headings = []
    backward_sums = {}
    for step in steps.steps:
        symbols = [s.strip() for s in step.symbol.split(" = ")]  # "δ⁽²⁾ = ∂L/∂Z⁽²⁾"
        if step.formula == "Σ over the calls that used it":
            expected = backward_sums[symbols[0]]
        elif step.formula:
            expected = _formula_value(step.formula, env, dropout_rate)
        else:
            expected = None  # an input or an initial weight: nothing to compute
        if expected is not None:
            np.testing.assert_allclose(
                step.value, expected, rtol=0, atol=ATOL, err_msg=step.heading
            )
        if step.key.startswith("M"):
            env["mask"] = step.value
        if step.phase == "backward":
            total = re.sub(r" \(via step \d+\)$", "", symbols[0])  # a contribution to the total
            backward_sums[total] = backward_sums.get(total, 0) + step.value
        for symbol in symbols:
            env[symbol] = step.value
        headings.append(step.heading)
        assert step.heading in str(steps)
    return headings


def test_dropout_network_text_names_the_right_values(float64):
    model, x, y = dropout_network()
    steps = model.explain(x, y)
    headings = check_every_formula(steps, y, dropout_rate=RATE)
    assert headings == [
        "X = A⁽⁰⁾",
        "W⁽¹⁾",
        "b⁽¹⁾",
        "Z⁽¹⁾ = X·W⁽¹⁾ + b⁽¹⁾",
        "A⁽¹⁾ = tanh(Z⁽¹⁾)",
        "M⁽²⁾ = Bernoulli(1 − 0.5)",
        "A⁽²⁾ = A⁽¹⁾ ⊙ M⁽²⁾ / (1 − 0.5)",
        "W⁽³⁾",
        "b⁽³⁾",
        "Z⁽³⁾ = A⁽²⁾·W⁽³⁾ + b⁽³⁾",
        "A⁽³⁾ = sigmoid(Z⁽³⁾)",
        "L = mean_squared_error(Y, A⁽³⁾)",
        "∂L/∂A⁽³⁾ = mean_squared_error′(Y, A⁽³⁾)",
        "δ⁽³⁾ = ∂L/∂Z⁽³⁾ = ∂L/∂A⁽³⁾ ⊙ sigmoid′(Z⁽³⁾)",
        "∂L/∂W⁽³⁾ = A⁽²⁾ᵀ·δ⁽³⁾",
        "∂L/∂b⁽³⁾ = Σ_samples δ⁽³⁾",
        "∂L/∂A⁽²⁾ = δ⁽³⁾·W⁽³⁾ᵀ",
        "∂L/∂A⁽¹⁾ = ∂L/∂A⁽²⁾ ⊙ M⁽²⁾ / (1 − 0.5)",
        "δ⁽¹⁾ = ∂L/∂Z⁽¹⁾ = ∂L/∂A⁽¹⁾ ⊙ tanh′(Z⁽¹⁾)",
        "∂L/∂W⁽¹⁾ = Xᵀ·δ⁽¹⁾",
        "∂L/∂b⁽¹⁾ = Σ_samples δ⁽¹⁾",
        "W⁽¹⁾ ← W⁽¹⁾ − 0.3·∂L/∂W⁽¹⁾",
        "b⁽¹⁾ ← b⁽¹⁾ − 0.3·∂L/∂b⁽¹⁾",
        "W⁽³⁾ ← W⁽³⁾ − 0.3·∂L/∂W⁽³⁾",
        "b⁽³⁾ ← b⁽³⁾ − 0.3·∂L/∂b⁽³⁾",
    ]


def test_softmax_network_text_names_the_right_values(float64):
    gn.set_seed(5)
    model = models.Sequential(
        [
            layers.Dense(5, activation="relu", input_dim=4),
            layers.Dense(3, activation="softmax"),
        ]
    )
    model.compile(optimizers.SGD(0.2), "categorical_crossentropy")
    rng = np.random.default_rng(3)
    x = rng.normal(size=(7, 4))
    y = np.eye(3)[rng.integers(0, 3, size=7)]
    headings = check_every_formula(model.explain(x, y), y)
    assert "δ⁽²⁾ = ∂L/∂Z⁽²⁾ = (A⁽²⁾ − Y) / n" in headings
    assert "L = categorical_crossentropy(Y, A⁽²⁾)" in headings
    assert "∂L/∂A⁽¹⁾ = δ⁽²⁾·W⁽²⁾ᵀ" in headings


def test_shared_layer_text_names_the_right_values(float64):
    model, x, y = shared_network()
    headings = check_every_formula(model.explain(x, y), y)
    for line in (
        "Z⁽¹⁾ = X·W⁽¹⁾ + b⁽¹⁾",
        "Z⁽²⁾ = A⁽¹⁾·W⁽¹⁾ + b⁽¹⁾",  # the second call reuses the first call's W⁽¹⁾, b⁽¹⁾
        "Z⁽³⁾ = A⁽²⁾·W⁽³⁾ + b⁽³⁾",
        "A⁽³⁾ = linear(Z⁽³⁾)",
        "∂L/∂A⁽¹⁾ = δ⁽²⁾·W⁽¹⁾ᵀ",
        "∂L/∂W⁽¹⁾ ← Σ over the calls that used it",
        "W⁽¹⁾ ← W⁽¹⁾ − 0.1·∂L/∂W⁽¹⁾",
    ):
        assert line in headings


def test_shared_layer_text_tells_contributions_from_the_total(float64):
    model, x, y = shared_network()
    steps = model.explain(x, y)
    backward = [s.symbol for s in steps.steps if s.phase == "backward"]
    assert len(backward) == len(set(backward)), sorted(s for s in backward if backward.count(s) > 1)


# -- 6. the first delta follows the loss's options ------------------------------------------------
_FUSED = {"BinaryCrossentropy": "sigmoid"}  # the others pair with softmax
_TARGETS = {"BinaryCrossentropy": "binary", "CategoricalCrossentropy": "onehot"}  # else labels


def _case(case_id, cls, options, units, activation=None, kind=None, weight=1.0):
    if activation is None:
        activation = "linear" if options.get("from_logits") else _FUSED.get(cls, "softmax")
    return (case_id, cls, options, units, activation, kind or _TARGETS.get(cls, "labels"), weight)


def _delta_cases():
    """(id, loss class, options, units, output activation, kind of targets, loss weight)."""
    cases = []
    for logits in (False, True):
        for reduction in ("sum_over_batch_size", "sum", "mean_with_sample_weight"):
            common = {"from_logits": logits, "reduction": reduction}
            tag = f"{'logits' if logits else 'fused'}-{reduction}"
            for s in (0.0, 0.2):
                for units in (1, 2):
                    options = {**common, "label_smoothing": s}
                    cases.append(
                        _case(f"bce-{tag}-s{s}-k{units}", "BinaryCrossentropy", options, units)
                    )
            for s in (0.0, 0.1):
                options = {**common, "label_smoothing": s}
                cases.append(_case(f"cce-{tag}-s{s}", "CategoricalCrossentropy", options, 3))
            for ignore in (None, -1, 0):
                options = {**common, "ignore_class": ignore}
                scce = "SparseCategoricalCrossentropy"
                cases.append(_case(f"scce-{tag}-ignore{ignore}", scce, options, 3))
    logits = {"from_logits": True}
    soft = {"from_logits": True, "label_smoothing": 0.3}
    return [
        *cases,
        _case("bce-named", "BinaryCrossentropy", {"name": "my_bce"}, 2),
        _case("cce-sum-weighted", "CategoricalCrossentropy", {"reduction": "sum"}, 3, weight=0.5),
        _case("bce-logits-weighted", "BinaryCrossentropy", logits, 2, weight=2.0),
        _case("cce-logits-soft", "CategoricalCrossentropy", logits, 3, kind="soft"),
        _case("cce-logits-soft-smooth", "CategoricalCrossentropy", soft, 3, kind="soft"),
        _case(
            "scce-ignore255", "SparseCategoricalCrossentropy", {**logits, "ignore_class": 255}, 3
        ),
        _case("bce-logits-relu-output", "BinaryCrossentropy", logits, 2, activation="relu"),
    ]


DELTA_CASES = _delta_cases()


def _delta_targets(kind, rng, n, units, ignore_class=None):
    if kind == "binary":
        return rng.integers(0, 2, size=(n, units)).astype(float)
    if kind == "onehot":
        return np.eye(units)[rng.integers(0, units, n)]
    if kind == "soft":  # rows summing to 0.3 … 1: ∂L/∂Z = softmax(Z)·ΣY − Y
        return rng.dirichlet(np.ones(units), n) * rng.uniform(0.3, 1.0, (n, 1))
    labels = rng.integers(0, units, n)
    if ignore_class is not None:
        labels[[1, 4]] = ignore_class
    return labels


def _reference_loss(cls, options, y, z, activation, weight):
    """L(Z) of the output layer's Z, from Keras's published formulas (float64)."""
    p = {"linear": lambda v: v, "relu": lambda v: np.maximum(v, 0.0)}.get(activation)
    a = ACTIVATIONS[activation][0](z) if activation != "softmax" else softmax(z)
    a = p(z) if p is not None else a
    logits = options.get("from_logits", False)
    s = options.get("label_smoothing", 0.0)
    mask = None
    if cls == "BinaryCrossentropy":
        q = sigmoid(a) if logits else a
        t = y * (1 - s) + s / 2
        values = -np.mean(t * np.log(q) + (1 - t) * np.log(1 - q), axis=-1)
    elif cls == "CategoricalCrossentropy":
        q = softmax(a) if logits else a / a.sum(axis=-1, keepdims=True)
        t = y * (1 - s) + s / y.shape[-1]
        values = -np.sum(t * np.log(q), axis=-1)
    else:
        q = softmax(a) if logits else a
        ignore = options.get("ignore_class")
        mask = np.ones(len(y)) if ignore is None else (y != ignore).astype(float)
        labels = np.where(mask > 0, y, 0)
        values = -np.log(q[np.arange(len(y)), labels]) * mask
    reduction = options.get("reduction", "sum_over_batch_size")
    if reduction == "sum":
        return weight * values.sum()
    counted = len(values) if mask is None else mask.sum()
    return weight * values.sum() / counted


_DELTA_SYM = rf"[AZ]⁽[{_SUP}]+⁾"


def _delta_value(formula, env, width):
    """Evaluate a first-delta formula of explain()'s notation: [w·](g(S)[·ΣT] − T) over n, k,
    or M ⊙ (…) / ΣM."""
    weight = 1.0
    match = re.fullmatch(rf"({NUM})·(.+)", formula)
    if match:
        weight, formula = float(match[1]), match[2]
    masked = formula.startswith("M ⊙ ")
    formula = formula.removeprefix("M ⊙ ")
    difference, divisor = formula, ""
    for pattern in (r"\((.+)\) / (.+)", r"\((.+)\)()"):
        match = re.fullmatch(pattern, formula)
        if match:
            difference, divisor = match.groups()
            break
    parts = re.fullmatch(
        rf"(?:(σ|softmax)\()?({_DELTA_SYM})\)?(·ΣY′?)? − (Y′|Y|onehot\(Y\))", difference
    )
    assert parts, f"no rule for the formula {formula!r}"
    link, symbol, total, target = parts.groups()
    prediction = env[symbol]
    if link == "σ":
        prediction = sigmoid(prediction)
    elif link == "softmax":
        prediction = softmax(prediction)
    if target == "onehot(Y)":
        labels = env["Y"].astype(int)
        t = np.eye(width)[np.clip(labels, 0, width - 1)]  # an ignored row is masked below
    else:
        t = env[target]
    if total:
        prediction = prediction * env[total[2:]].sum(axis=1, keepdims=True)
    value = prediction - t
    if masked:
        value = env["M"] * value
    sizes = {"n": len(value), "k": width, "ΣM": env.get("M", np.ones(1)).sum()}
    for factor in divisor.split("·") if divisor else []:
        value = value / sizes[factor]
    return weight * value


@pytest.mark.parametrize(
    ("_", "cls", "options", "units", "activation", "kind", "weight"),
    DELTA_CASES,
    ids=[c[0] for c in DELTA_CASES],
)
def test_first_delta_text_and_numbers_follow_the_loss_options(
    float64, _, cls, options, units, activation, kind, weight
):
    gn.set_seed(9)
    model = models.Sequential(
        [
            layers.Dense(4, activation="tanh", input_dim=3),
            layers.Dense(units, activation=activation),
        ]
    )
    loss = getattr(gn.losses, cls)(**options)
    model.compile(optimizers.SGD(0.1), loss, loss_weights=[weight] if weight != 1.0 else None)
    rng = np.random.default_rng(31)
    x = rng.normal(size=(6, 3))
    y = _delta_targets(kind, rng, 6, units, options.get("ignore_class"))
    steps = model.explain(x, y)
    by_key = {s.key: s for s in steps.steps}
    first = by_key["delta2"]
    seed = by_key.get("dA2")
    assert first.heading in str(steps)

    # (a) the text evaluated on the values it names gives the value it shows
    env = {"Y": y, "Z⁽²⁾": steps["Z2"], "A⁽²⁾": steps["A2"]}
    if "Y_smoothed" in steps:
        env["Y′"] = steps["Y_smoothed"]
        assert "Y′" in first.formula + (seed.formula if seed else "")
    if "M" in steps:
        env["M"] = steps["M"]
        np.testing.assert_array_equal(steps["M"][:, 0], y != options["ignore_class"])
    if options.get("from_logits") and activation == "linear":
        assert seed is None  # the output is Z: δ is the loss's ∂L/∂Z itself
        assert first.note.endswith("from logits: the output layer is linear, A⁽²⁾ = Z⁽²⁾")
    if seed is not None and options.get("from_logits"):  # ∂L/∂A⁽²⁾ of a non-linear output
        np.testing.assert_allclose(
            seed.value, _delta_value(seed.formula, env, units), rtol=0, atol=ATOL
        )
        assert first.formula == "∂L/∂A⁽²⁾ ⊙ relu′(Z⁽²⁾)"
    else:
        expected = _delta_value(first.formula, env, units)
        np.testing.assert_allclose(first.value, expected, rtol=0, atol=ATOL, err_msg=first.heading)

    # (b) the value is ∂L/∂Z⁽²⁾ of Keras's published loss (central differences)
    z = steps["Z2"]
    numeric = np.zeros_like(z)
    h = 1e-6
    for i, j in np.ndindex(*z.shape):
        up, down = z.copy(), z.copy()
        up[i, j] += h
        down[i, j] -= h
        numeric[i, j] = (
            _reference_loss(cls, options, y, up, activation, weight)
            - _reference_loss(cls, options, y, down, activation, weight)
        ) / (2 * h)
    np.testing.assert_allclose(first.value, numeric, rtol=1e-6, atol=1e-9)
    assert steps["loss"] == pytest.approx(
        _reference_loss(cls, options, y, z, activation, 1.0), rel=1e-12
    )

    # (c) the update explained is the one fit makes
    full_batch_step(model, x, y)
    for key, w in zip(["W1", "b1", "W2", "b2"], model.get_weights(), strict=True):
        np.testing.assert_array_equal(w, steps[f"{key}_new"], err_msg=key)
