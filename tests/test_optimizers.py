"""Optimizers: three steps against updates computed by hand from the published rules."""

import math

import numpy as np
import pytest

from glassnet import optimizers

GRADS = [0.5, -1.0, 2.0]  # the gradient seen at steps 1, 2, 3
W0 = 1.0


def run(optimizer, grads=GRADS, w0=W0):
    """Apply the optimizer to a single scalar weight, returning the weight after each step."""
    w = np.array([w0])
    out = []
    for g in grads:
        optimizer.apply([w], [np.array([g])])
        out.append(float(w[0]))
    return out


def test_sgd_plain():
    # w ← w − lr·g with lr 0.1: 1 − 0.05 = 0.95, 0.95 + 0.1 = 1.05, 1.05 − 0.2 = 0.85
    assert run(optimizers.SGD(0.1)) == pytest.approx([0.95, 1.05, 0.85], abs=1e-15)


def test_sgd_momentum():
    # v ← 0.9v − 0.1g ; w ← w + v
    # v1 = −0.05, w1 = 0.95; v2 = −0.045 + 0.1 = 0.055, w2 = 1.005; v3 = 0.0495 − 0.2 = −0.1505,
    # w3 = 0.8545
    expected = [0.95, 1.005, 0.8545]
    assert run(optimizers.SGD(0.1, momentum=0.9)) == pytest.approx(expected, abs=1e-14)


def test_sgd_nesterov():
    # v ← 0.9v − 0.1g ; w ← w + 0.9v − 0.1g
    # v1 = −0.05: w1 = 1 − 0.045 − 0.05 = 0.905
    # v2 = 0.055: w2 = 0.905 + 0.0495 + 0.1 = 1.0545
    # v3 = −0.1505: w3 = 1.0545 − 0.13545 − 0.2 = 0.71905
    expected = [0.905, 1.0545, 0.71905]
    assert run(optimizers.SGD(0.1, momentum=0.9, nesterov=True)) == pytest.approx(
        expected, abs=1e-14
    )


def test_rmsprop_epsilon_inside_the_square_root():
    lr, rho, eps = 0.01, 0.9, 1e-7
    v, w, expected = 0.0, W0, []
    for g in GRADS:
        v = rho * v + (1 - rho) * g * g
        w = w - lr * g / math.sqrt(v + eps)
        expected.append(w)
    assert run(optimizers.RMSprop(learning_rate=lr)) == pytest.approx(expected, abs=1e-14)
    # first step by hand: v = 0.025, step = 0.01·0.5/√0.0250001 = 0.0316227...
    assert expected[0] == pytest.approx(1 - 0.005 / math.sqrt(0.0250001), abs=1e-15)


def test_rmsprop_large_epsilon_shows_where_it_sits():
    # With ε = 1 the two conventions differ a lot: Keras √(v + ε) vs PyTorch √v + ε.
    w = run(optimizers.RMSprop(learning_rate=1.0, epsilon=1.0), grads=[1.0])
    assert w[0] == pytest.approx(1 - 1 / math.sqrt(0.1 + 1.0), abs=1e-15)


def test_adam_bias_correction_folded_into_the_step():
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-7
    m = v = 0.0
    w, expected = W0, []
    for t, g in enumerate(GRADS, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        alpha = lr * math.sqrt(1 - b2**t) / (1 - b1**t)
        w = w - alpha * m / (math.sqrt(v) + eps)
        expected.append(w)
    assert run(optimizers.Adam(learning_rate=lr)) == pytest.approx(expected, abs=1e-14)
    # Adam's first step moves every weight by about lr, whatever the gradient's size
    assert W0 - expected[0] == pytest.approx(lr, rel=1e-5)


def test_updates_are_in_place_and_keep_dtype():
    for opt in (optimizers.SGD(0.1, momentum=0.5), optimizers.RMSprop(), optimizers.Adam()):
        w = np.ones((3, 2), dtype=np.float32)
        ref = w
        opt.apply([w], [np.full((3, 2), 0.5, dtype=np.float32)])
        assert ref is w and w.dtype == np.float32
        assert (w < 1).all()
        for slot in opt.slots.values():
            assert all(s.dtype == np.float32 for s in slot)


def test_state_is_kept_per_parameter():
    opt = optimizers.SGD(0.1, momentum=0.9)
    a, b = np.array([1.0]), np.array([1.0])
    opt.apply([a, b], [np.array([1.0]), np.array([-1.0])])
    opt.apply([a, b], [np.array([0.0]), np.array([0.0])])
    # each parameter coasts on its own velocity: ±(0.1 + 0.09)
    assert a[0] == pytest.approx(1 - 0.19) and b[0] == pytest.approx(1 + 0.19)
    assert opt.iterations == 2


BASE_DEFAULTS = {
    "weight_decay": None,
    "clipnorm": None,
    "global_clipnorm": None,
    "clipvalue": None,
}


def test_defaults_match_keras():
    assert optimizers.get("sgd").get_config() == {
        "name": "sgd",
        "learning_rate": 0.01,
        **BASE_DEFAULTS,
        "momentum": 0.0,
        "nesterov": False,
    }
    assert optimizers.get("rmsprop").get_config() == {
        "name": "rmsprop",
        "learning_rate": 0.001,
        **BASE_DEFAULTS,
        "rho": 0.9,
        "epsilon": 1e-7,
    }
    assert optimizers.get("adam").get_config() == {
        "name": "adam",
        "learning_rate": 0.001,
        **BASE_DEFAULTS,
        "beta_1": 0.9,
        "beta_2": 0.999,
        "epsilon": 1e-7,
        "amsgrad": False,
    }


@pytest.mark.parametrize("cls", [optimizers.SGD, optimizers.RMSprop, optimizers.Adam])
@pytest.mark.parametrize("lr", [0, -0.1, float("nan"), float("inf")])
def test_bad_learning_rate(cls, lr):
    with pytest.raises(ValueError, match="learning_rate must be a finite number in \\(0"):
        cls(learning_rate=lr)


def test_unknown_optimizer_lists_names():
    accepted = "adadelta, adagrad, adam, adamax, adamw, nadam, rmsprop, sgd"
    with pytest.raises(ValueError, match=rf"unknown optimizer 'lion'; accepted names: {accepted}$"):
        optimizers.get("lion")
