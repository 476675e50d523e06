"""Keras 3's optimizers, options and learning-rate schedules: updates computed by hand from the
published rules, parity with real Keras 3 (float64), explain(), bad inputs and saving."""

import math

import numpy as np
import pytest

import glassnet as gn
from glassnet import layers, models, optimizers
from glassnet.experiments.paper import X as PAPER_X
from glassnet.experiments.paper import Y as PAPER_Y
from glassnet.experiments.paper import paper_network
from glassnet.optimizers import schedules

# Keras's own conversions of its tensors trip a NumPy 2 deprecation notice; not glassnet's
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

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


# -- 1. each rule against the published formula ------------------------------------------------
def test_adagrad_by_hand():
    lr, a, eps = 0.1, 0.1, 1e-7
    w, expected = W0, []
    for g in GRADS:
        a = a + g * g
        w = w - lr * g / math.sqrt(a + eps)
        expected.append(w)
    # first step by hand: a = 0.1 + 0.25 = 0.35, w = 1 − 0.05/√0.3500001
    assert expected[0] == pytest.approx(1 - 0.05 / math.sqrt(0.3500001), abs=1e-15)
    assert run(optimizers.Adagrad(0.1)) == pytest.approx(expected, abs=1e-14)


def test_adagrad_initial_accumulator_value():
    w = run(optimizers.Adagrad(1.0, initial_accumulator_value=0.0, epsilon=0.0), grads=[3.0])
    assert w[0] == pytest.approx(1.0 - 1.0, abs=1e-15)  # lr·g/√(g²) = 1


def test_adadelta_by_hand():
    lr, rho, eps = 1.0, 0.95, 1e-7
    acc_g = acc_d = 0.0
    w, expected = W0, []
    for g in GRADS:
        acc_g = rho * acc_g + (1 - rho) * g * g
        delta = -math.sqrt(acc_d + eps) * g / math.sqrt(acc_g + eps)
        acc_d = rho * acc_d + (1 - rho) * delta * delta
        w = w + lr * delta
        expected.append(w)
    # first step by hand: G = 0.0125, Δ = −√1e-7·0.5/√0.0125001
    assert expected[0] == pytest.approx(1 - math.sqrt(1e-7) * 0.5 / math.sqrt(0.0125001), abs=1e-15)
    assert run(optimizers.Adadelta(1.0)) == pytest.approx(expected, abs=1e-14)


def test_adamax_by_hand():
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-7
    m = u = 0.0
    w, expected = W0, []
    for t, g in enumerate(GRADS, start=1):
        m = b1 * m + (1 - b1) * g
        u = max(b2 * u, abs(g))
        w = w - lr / (1 - b1**t) * m / (u + eps)
        expected.append(w)
    assert expected[0] == pytest.approx(1 - 0.01 * 0.5 / (0.5 + 1e-7), abs=1e-15)
    assert run(optimizers.Adamax(0.01)) == pytest.approx(expected, abs=1e-14)


def test_nadam_by_hand():
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-7
    m = v = 0.0
    product = 1.0
    w, expected = W0, []
    for t, g in enumerate(GRADS, start=1):
        mu_t = b1 * (1 - 0.5 * 0.96**t)
        mu_next = b1 * (1 - 0.5 * 0.96 ** (t + 1))
        product *= mu_t
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat = mu_next * m / (1 - product * mu_next) + (1 - mu_t) * g / (1 - product)
        v_hat = v / (1 - b2**t)
        w = w - lr * m_hat / (math.sqrt(v_hat) + eps)
        expected.append(w)
    opt = optimizers.Nadam(0.01)
    assert run(opt) == pytest.approx(expected, abs=1e-14)
    assert opt.u_product == pytest.approx(product, rel=1e-15)


def adam_by_hand(lr, grads, wd=0.0, amsgrad=False, b1=0.9, b2=0.999, eps=1e-7):
    m = v = v_hat = 0.0
    w, out = W0, []
    for t, g in enumerate(grads, start=1):
        w = w - w * wd * lr
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        v_hat = max(v_hat, v)
        alpha = lr * math.sqrt(1 - b2**t) / (1 - b1**t)
        w = w - alpha * m / (math.sqrt(v_hat if amsgrad else v) + eps)
        out.append(w)
    return out


def test_adamw_decays_before_the_adam_step():
    expected = adam_by_hand(0.01, GRADS, wd=0.004)
    assert run(optimizers.AdamW(0.01)) == pytest.approx(expected, abs=1e-14)
    assert optimizers.AdamW().weight_decay == 0.004
    # the decay alone: a zero gradient leaves Adam's step at 0, w ← w − lr·λ·w
    assert run(optimizers.AdamW(0.5, weight_decay=0.1), grads=[0.0])[0] == pytest.approx(0.95)


def test_amsgrad_uses_the_largest_velocity():
    grads = [2.0, 0.01, 0.01]  # v falls after the first step: AMSGrad keeps the largest
    expected = adam_by_hand(0.01, grads, amsgrad=True)
    assert expected != pytest.approx(adam_by_hand(0.01, grads), abs=1e-6)
    assert run(optimizers.Adam(0.01, amsgrad=True), grads) == pytest.approx(expected, abs=1e-14)
    opt = optimizers.AdamW(0.01, amsgrad=True, weight_decay=0.01)
    assert run(opt, grads) == pytest.approx(adam_by_hand(0.01, grads, 0.01, True), abs=1e-14)
    assert opt.slot_names == ("momentum", "velocity", "velocity_hat")


def sgd_two(opt, grads):
    """Two SGD steps on the weights [1, 2] and [3]: the weights after each."""
    ws = [np.array([1.0, 2.0]), np.array([3.0])]
    out = []
    for g in grads:
        opt.apply(ws, [np.array(g[:2]), np.array(g[2:])])
        out.append([w.copy() for w in ws])
    return out


def test_clipnorm_clips_each_gradient_to_its_norm():
    # g₁ = (3, 4): ‖g₁‖ = 5 > 1, so ĝ₁ = (0.6, 0.8); g₂ = (0.5): kept (‖g₂‖ ≤ 1)
    (after,) = sgd_two(optimizers.SGD(0.1, clipnorm=1.0), [[3.0, 4.0, 0.5]])
    np.testing.assert_allclose(after[0], [1 - 0.06, 2 - 0.08], rtol=0, atol=1e-15)
    np.testing.assert_allclose(after[1], [3 - 0.05], rtol=0, atol=1e-15)


def test_global_clipnorm_scales_all_gradients_together():
    # G = (3, 4, 12): ‖G‖ = 13 > 2.6, every gradient × 2.6/13 = 0.2
    (after,) = sgd_two(optimizers.SGD(1.0, global_clipnorm=2.6), [[3.0, 4.0, 12.0]])
    np.testing.assert_allclose(after[0], [1 - 0.6, 2 - 0.8], rtol=0, atol=1e-15)
    np.testing.assert_allclose(after[1], [3 - 2.4], rtol=0, atol=1e-15)
    # below the norm: unchanged gradients
    (after,) = sgd_two(optimizers.SGD(1.0, global_clipnorm=20.0), [[3.0, 4.0, 12.0]])
    np.testing.assert_allclose(after[1], [3 - 12.0], rtol=0, atol=1e-14)


def test_clipvalue_clips_each_element():
    (after,) = sgd_two(optimizers.SGD(0.1, clipvalue=0.5), [[3.0, -0.2, -4.0]])
    np.testing.assert_allclose(after[0], [1 - 0.05, 2 + 0.02], rtol=0, atol=1e-15)
    np.testing.assert_allclose(after[1], [3 + 0.05], rtol=0, atol=1e-15)


def test_clipping_leaves_the_gradients_alone():
    grads = [np.array([3.0, 4.0])]
    optimizers.SGD(0.1, clipnorm=1.0).apply([np.zeros(2)], grads)
    np.testing.assert_array_equal(grads[0], [3.0, 4.0])


def test_weight_decay_comes_before_the_update():
    # w ← w − lr·λ·w, then momentum: v = −lr·g, w ← w + v
    lr, wd, mu = 0.1, 0.2, 0.9
    w, v, expected = W0, 0.0, []
    for g in GRADS:
        w = w - w * wd * lr
        v = mu * v - lr * g
        w = w + v
        expected.append(w)
    opt = optimizers.SGD(lr, momentum=mu, weight_decay=wd)
    assert run(opt) == pytest.approx(expected, abs=1e-14)
    # first step by hand: 1 − 0.02 − 0.05
    assert expected[0] == pytest.approx(0.93, abs=1e-15)


def test_weight_decay_uses_the_scheduled_rate():
    rates = schedules.PiecewiseConstantDecay([0], [0.1, 0.01])
    w = run(optimizers.SGD(rates, weight_decay=1.0), grads=[0.0, 0.0])
    assert w == pytest.approx([0.9, 0.9 * 0.99], abs=1e-15)


def test_exclude_from_weight_decay():
    kernel, bias = np.ones(2), np.ones(1)
    opt = optimizers.SGD(0.5, weight_decay=0.1)
    opt.exclude_from_weight_decay(var_list=[bias])
    opt.apply([kernel, bias], [np.zeros(2), np.zeros(1)])
    assert list(kernel) == [0.95, 0.95] and list(bias) == [1.0]

    kernel, bias = np.ones(2), np.ones(1)
    opt = optimizers.AdamW(0.5, weight_decay=0.1)
    opt.exclude_from_weight_decay(var_names=["bias"])
    opt.apply([kernel, bias], [np.zeros(2), np.zeros(1)], names=["kernel", "bias"])
    assert list(kernel) == [0.95, 0.95] and list(bias) == [1.0]
    with pytest.raises(ValueError, match="matches the weights' names, but apply"):
        opt2 = optimizers.AdamW(0.5)
        opt2.exclude_from_weight_decay(var_names=["bias"])
        opt2.apply([kernel], [np.zeros(2)])


# -- 2. schedules, by hand ---------------------------------------------------------------------
def test_schedules_by_hand():
    assert schedules.ExponentialDecay(0.1, 10, 0.5)(5) == pytest.approx(0.1 * 0.5**0.5)
    assert schedules.ExponentialDecay(0.1, 10, 0.5, staircase=True)(19) == pytest.approx(0.05)
    piecewise = schedules.PiecewiseConstantDecay([3, 7], [1.0, 0.5, 0.1])
    assert [piecewise(s) for s in (0, 3, 4, 7, 8, 100)] == [1.0, 1.0, 0.5, 0.5, 0.1, 0.1]
    poly = schedules.PolynomialDecay(0.1, 10, 0.01, power=2.0)
    assert poly(5) == pytest.approx(0.09 * 0.25 + 0.01)
    assert poly(50) == pytest.approx(0.01)
    cycle = schedules.PolynomialDecay(0.1, 10, 0.0, cycle=True)
    assert cycle(0) == pytest.approx(0.1) and cycle(15) == pytest.approx(0.1 * (1 - 15 / 20))
    assert schedules.InverseTimeDecay(0.1, 4, 0.5)(6) == pytest.approx(0.1 / (1 + 0.5 * 1.5))
    assert schedules.InverseTimeDecay(0.1, 4, 0.5, staircase=True)(6) == pytest.approx(0.1 / 1.5)
    cosine = schedules.CosineDecay(0.1, 10, alpha=0.2)
    assert cosine(5) == pytest.approx(0.1 * (0.8 * 0.5 + 0.2))
    assert cosine(10) == cosine(30) == pytest.approx(0.02)
    warm = schedules.CosineDecay(0.0, 10, warmup_target=0.2, warmup_steps=4)
    assert [warm(s) for s in (0, 1, 4)] == pytest.approx([0.0, 0.05, 0.2])
    assert warm(9) == pytest.approx(0.2 * 0.5 * (1 + math.cos(math.pi * 0.5)))
    restarts = schedules.CosineDecayRestarts(0.1, 4, t_mul=2.0, m_mul=0.5)
    # periods [0, 4) and [4, 12): the second starts from 0.05
    assert restarts(2) == pytest.approx(0.05) and restarts(4) == pytest.approx(0.05)
    assert restarts(8) == pytest.approx(0.05 * 0.5)


def test_a_schedule_sets_each_steps_rate():
    decay = schedules.ExponentialDecay(0.1, 1, 0.5)  # 0.1, 0.05, 0.025 at steps 0, 1, 2
    opt = optimizers.SGD(decay)
    assert opt.learning_rate == 0.1
    assert run(opt) == pytest.approx([1 - 0.05, 1 - 0.05 + 0.05, 1 - 0.05 + 0.05 - 0.05])
    assert opt.learning_rate == pytest.approx(0.0125) and opt.iterations == 3


def test_callables_of_the_step_or_of_nothing():
    assert run(optimizers.SGD(lambda step: 0.1 / (step + 1)), grads=[1.0, 1.0]) == pytest.approx(
        [0.9, 0.85]
    )
    assert run(optimizers.SGD(lambda: 0.2), grads=[1.0]) == pytest.approx([0.8])  # Keras's form


def test_learning_rate_is_a_number_that_can_be_set():
    opt = optimizers.Adam(0.01)
    opt.learning_rate = 0.5
    assert opt.learning_rate == 0.5 and opt.get_config()["learning_rate"] == 0.5
    opt.learning_rate = np.float32(0.25)
    assert opt.learning_rate == 0.25
    with pytest.raises(ValueError, match="learning_rate must be a finite number in"):
        opt.learning_rate = -1.0
    scheduled = optimizers.Adam(schedules.InverseTimeDecay(0.1, 1, 1.0))
    with pytest.raises(TypeError, match=r"learning-rate schedule.*cannot be set to a number"):
        scheduled.learning_rate = 0.1


# -- 3. parity with real Keras 3 ---------------------------------------------------------------
def keras_schedules():
    import keras

    return keras.optimizers.schedules


SCHEDULES = {
    "exponential": ("ExponentialDecay", (0.1, 5, 0.5), {}),
    "exponential_staircase": ("ExponentialDecay", (0.1, 3, 0.5), {"staircase": True}),
    "piecewise": ("PiecewiseConstantDecay", ([3, 7], [0.1, 0.05, 0.01]), {}),
    "polynomial": ("PolynomialDecay", (0.1, 8, 0.01), {"power": 2.0}),
    "polynomial_cycle": ("PolynomialDecay", (0.1, 5, 0.01), {"cycle": True}),
    "inverse_time": ("InverseTimeDecay", (0.1, 4, 0.5), {}),
    "inverse_time_staircase": ("InverseTimeDecay", (0.1, 4, 0.5), {"staircase": True}),
    "cosine": ("CosineDecay", (0.1, 8), {"alpha": 0.1}),
    "cosine_warmup": ("CosineDecay", (0.01, 8), {"warmup_target": 0.2, "warmup_steps": 3}),
    "cosine_restarts": ("CosineDecayRestarts", (0.1, 3), {"t_mul": 2.0, "m_mul": 0.8}),
    "cosine_restarts_t1": ("CosineDecayRestarts", (0.1, 3), {"t_mul": 1.0, "alpha": 0.1}),
}


def both_schedules(name):
    cls, args, kwargs = SCHEDULES[name]
    return getattr(keras_schedules(), cls)(*args, **kwargs), getattr(schedules, cls)(
        *args, **kwargs
    )


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_schedule_values_match_keras(keras_float64, name):
    k_schedule, g_schedule = both_schedules(name)
    for step in range(60):
        expected = float(k_schedule(step))
        assert g_schedule(step) == pytest.approx(expected, rel=1e-15, abs=1e-18), step
    assert g_schedule.get_config() == pytest.approx(k_schedule.get_config())


def sequential(lib, dense):
    return lib.Sequential(
        [lib.Input(shape=(4,)), dense(5, activation="tanh"), dense(3, activation="softmax")]
    )


def fit_both(keras, k_optimizer, g_optimizer):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 4))
    y = np.eye(3)[rng.integers(0, 3, 40)]
    k_model = sequential(keras, keras.layers.Dense)
    g_model = sequential(gn, layers.Dense)
    k_model.compile(optimizer=k_optimizer, loss="categorical_crossentropy")
    g_model.compile(optimizer=g_optimizer, loss="categorical_crossentropy")
    g_model.set_weights(k_model.get_weights())
    args = {"epochs": 3, "batch_size": 8, "shuffle": False, "verbose": 0, "validation_split": 0.25}
    k_hist = k_model.fit(x, y, **args).history
    g_hist = g_model.fit(x, y, **args).history
    return k_model, g_model, k_hist, g_hist


def assert_same_fit(k_model, g_model, k_hist, g_hist):
    differences = []
    for k_w, g_w in zip(k_model.get_weights(), g_model.get_weights(), strict=True):
        np.testing.assert_allclose(g_w, k_w, rtol=0, atol=1e-12)
        differences.append(float(np.max(np.abs(g_w - k_w))))
    assert set(g_hist) == set(k_hist)
    for key in k_hist:
        np.testing.assert_allclose(g_hist[key], k_hist[key], rtol=1e-12, err_msg=key)
    return max(differences)


KERAS_CASES = {
    "adamw": ("AdamW", "AdamW", {"learning_rate": 0.01, "weight_decay": 0.05}),
    "adamw_default": ("AdamW", "AdamW", {"learning_rate": 0.01}),
    "adamw_amsgrad": ("AdamW", "AdamW", {"learning_rate": 0.01, "amsgrad": True}),
    "adam_amsgrad": ("Adam", "Adam", {"learning_rate": 0.01, "amsgrad": True}),
    "adagrad": ("Adagrad", "Adagrad", {"learning_rate": 0.1}),
    "adagrad_accumulator": (
        "Adagrad",
        "Adagrad",
        {"learning_rate": 0.05, "initial_accumulator_value": 0.5, "epsilon": 1e-3},
    ),
    "adadelta": ("Adadelta", "Adadelta", {"learning_rate": 1.0}),
    "adamax": ("Adamax", "Adamax", {"learning_rate": 0.02}),
    "nadam": ("Nadam", "Nadam", {"learning_rate": 0.01}),
    "sgd_clipnorm": ("SGD", "SGD", {"learning_rate": 0.5, "clipnorm": 0.05}),
    "sgd_clipvalue": ("SGD", "SGD", {"learning_rate": 0.5, "clipvalue": 0.02}),
    "sgd_global_clipnorm": ("SGD", "SGD", {"learning_rate": 0.5, "global_clipnorm": 0.08}),
    "momentum_weight_decay": (
        "SGD",
        "SGD",
        {"learning_rate": 0.1, "momentum": 0.9, "weight_decay": 0.3},
    ),
    "rmsprop_weight_decay_clipnorm": (
        "RMSprop",
        "RMSprop",
        {"learning_rate": 0.01, "weight_decay": 0.2, "clipnorm": 0.1},
    ),
    "adam_global_clipnorm": ("Adam", "Adam", {"learning_rate": 0.01, "global_clipnorm": 0.05}),
    "nadam_clipvalue_weight_decay": (
        "Nadam",
        "Nadam",
        {"learning_rate": 0.01, "clipvalue": 0.01, "weight_decay": 0.1},
    ),
}


@pytest.mark.parametrize("case", list(KERAS_CASES))
def test_fit_matches_keras(float64, keras_float64, case):
    keras = keras_float64
    k_name, g_name, kwargs = KERAS_CASES[case]
    k_opt = getattr(keras.optimizers, k_name)(**kwargs)
    g_opt = getattr(optimizers, g_name)(**kwargs)
    assert_same_fit(*fit_both(keras, k_opt, g_opt))


@pytest.mark.parametrize("name", list(SCHEDULES))
@pytest.mark.parametrize("optimizer", ["SGD", "Adam"])
def test_fit_with_a_schedule_matches_keras(float64, keras_float64, name, optimizer):
    keras = keras_float64
    k_schedule, g_schedule = both_schedules(name)
    k_opt = getattr(keras.optimizers, optimizer)(learning_rate=k_schedule)
    g_opt = getattr(optimizers, optimizer)(learning_rate=g_schedule)
    k_model, g_model, k_hist, g_hist = fit_both(keras, k_opt, g_opt)
    assert_same_fit(k_model, g_model, k_hist, g_hist)
    assert g_opt.iterations == 12
    assert g_opt.learning_rate == pytest.approx(float(k_opt.learning_rate), rel=1e-15)


def test_fit_with_a_schedule_and_weight_decay_matches_keras(float64, keras_float64):
    keras = keras_float64
    k_schedule, g_schedule = both_schedules("cosine_warmup")
    k_opt = keras.optimizers.AdamW(learning_rate=k_schedule, weight_decay=0.5, clipnorm=0.1)
    g_opt = optimizers.AdamW(learning_rate=g_schedule, weight_decay=0.5, clipnorm=0.1)
    assert_same_fit(*fit_both(keras, k_opt, g_opt))


# -- 4. explain() shows the update fit makes -----------------------------------------------------
EXPLAINED = {
    "adamw": lambda: optimizers.AdamW(0.01, weight_decay=0.1),
    "adamw_amsgrad": lambda: optimizers.AdamW(0.01, amsgrad=True),
    "adagrad": lambda: optimizers.Adagrad(0.1),
    "adadelta": lambda: optimizers.Adadelta(1.0),
    "adamax": lambda: optimizers.Adamax(0.01),
    "nadam": lambda: optimizers.Nadam(0.01),
    "sgd_clipnorm_weight_decay": lambda: optimizers.SGD(0.5, clipnorm=0.01, weight_decay=0.1),
    "rmsprop_global_clipnorm": lambda: optimizers.RMSprop(0.01, global_clipnorm=0.01),
    "sgd_clipvalue": lambda: optimizers.SGD(0.5, clipvalue=0.001),
    "adam_schedule": lambda: optimizers.Adam(schedules.ExponentialDecay(0.01, 1, 0.5)),
}


def full_batch_step(model):
    model.fit(PAPER_X, PAPER_Y, epochs=1, batch_size=len(PAPER_X), shuffle=False, verbose=0)


def paper_gradients(w1, b1, w2, b2):
    """The paper network (tanh hidden, sigmoid output, mse): ∂L/∂W, ∂L/∂b by hand."""
    a1 = np.tanh(PAPER_X @ w1 + b1)
    a2 = 1.0 / (1.0 + np.exp(-(a1 @ w2 + b2)))
    delta2 = 2.0 * (a2 - PAPER_Y) / a2.size * a2 * (1.0 - a2)
    delta1 = (delta2 @ w2.T) * (1.0 - a1**2)
    return [PAPER_X.T @ delta1, delta1.sum(axis=0), a1.T @ delta2, delta2.sum(axis=0)]


@pytest.mark.parametrize("name", list(EXPLAINED))
def test_explain_shows_the_update_fit_makes(float64, name):
    model = paper_network("tanh", seed=3)
    model.compile(optimizer=EXPLAINED[name](), loss="mse")
    for _ in range(2):  # the optimizer's state is no longer zero
        full_batch_step(model)
    weights = model.get_weights()
    steps = model.explain(PAPER_X, PAPER_Y)
    assert model.optimizer.iterations == 2  # explain worked on a copy
    grads = paper_gradients(*weights)
    opt = model.optimizer
    update_keys = [s.key for s in steps.steps if s.phase == "update"]
    for i, key in enumerate(["W1", "b1", "W2", "b2"]):
        expected = [f"{key}_{s}" for s in opt.slot_names] + [f"{key}_new"]
        if opt.clipnorm or opt.clipvalue or opt.global_clipnorm:
            expected.insert(0, f"{key}_clipped_grad")
        assert [k for k in update_keys if k.startswith(f"{key}_")] == expected
        np.testing.assert_allclose(steps[f"d{key}"], grads[i], rtol=0, atol=1e-12)
    text = str(steps)
    if opt.weight_decay:
        assert f"W⁽¹⁾ ← (1 − {opt.current_learning_rate:g}·{opt.weight_decay:g})·W⁽¹⁾" in text
    if opt.clipnorm:
        np.testing.assert_allclose(
            steps["W1_clipped_grad"],
            grads[0] * opt.clipnorm / max(np.linalg.norm(grads[0]), opt.clipnorm),
            rtol=0,
            atol=1e-15,
        )
        assert "ĝ(W⁽¹⁾) ← ∂L/∂W⁽¹⁾·0.01 / max(‖∂L/∂W⁽¹⁾‖, 0.01)" in text
    if opt.schedule is not None:
        assert steps["learning_rate"] == pytest.approx(0.01 * 0.5**2)
        assert "lr ← schedule(2)" in text

    full_batch_step(model)  # the explained update is exactly the step fit takes next
    _, slots = model.optimizer.get_state()
    for i, (key, w) in enumerate(zip(["W1", "b1", "W2", "b2"], model.get_weights(), strict=True)):
        np.testing.assert_array_equal(w, steps[f"{key}_new"], err_msg=key)
        for s in model.optimizer.slot_names:
            np.testing.assert_array_equal(slots[s][i], steps[f"{key}_{s}"], err_msg=s)


def test_explain_numbers_of_adagrad_by_hand(float64):
    model = paper_network("tanh", seed=3)
    model.compile(optimizer=optimizers.Adagrad(0.1), loss="mse")
    weights = model.get_weights()
    steps = model.explain(PAPER_X, PAPER_Y)
    g = paper_gradients(*weights)[0]
    accumulator = 0.1 + g**2
    np.testing.assert_allclose(steps["W1_accumulator"], accumulator, rtol=0, atol=1e-15)
    np.testing.assert_allclose(
        steps["W1_new"], weights[0] - 0.1 * g / np.sqrt(accumulator + 1e-7), rtol=0, atol=1e-15
    )
    assert "a(W⁽¹⁾) ← a(W⁽¹⁾) + (∂L/∂W⁽¹⁾)²" in str(steps)


def test_explain_shows_adamax_and_nadam_scalars(float64):
    model = paper_network("tanh", seed=3)
    model.compile(optimizer=optimizers.Nadam(0.01), loss="mse")
    steps = model.explain(PAPER_X, PAPER_Y)
    mu1, mu2 = 0.9 * (1 - 0.5 * 0.96), 0.9 * (1 - 0.5 * 0.96**2)
    assert steps["mu"] == pytest.approx(mu1) and steps["mu_next"] == pytest.approx(mu2)
    assert steps["u_product"] == pytest.approx(mu1)
    model.compile(optimizer=optimizers.Adamax(0.01), loss="mse")
    steps = model.explain(PAPER_X, PAPER_Y)
    assert steps["alpha"] == pytest.approx(0.01 / (1 - 0.9))


# -- 5. bad inputs -------------------------------------------------------------------------------
@pytest.mark.parametrize("option", ["clipnorm", "clipvalue", "global_clipnorm", "weight_decay"])
@pytest.mark.parametrize("cls", [optimizers.SGD, optimizers.Adam, optimizers.Nadam])
def test_negative_options(cls, option):
    with pytest.raises(
        ValueError, match=rf"{cls.__name__} {option} must be a finite number in \[0"
    ):
        cls(**{option: -0.1})


@pytest.mark.parametrize(
    "options",
    [
        {"clipnorm": 1.0, "global_clipnorm": 1.0},
        {"clipnorm": 1.0, "clipvalue": 1.0},
        {"clipvalue": 0.5, "global_clipnorm": 1.0},
    ],
)
def test_only_one_clip(options):
    with pytest.raises(ValueError, match="only one of clipnorm, clipvalue and global_clipnorm"):
        optimizers.Adagrad(**options)


def test_adamw_needs_a_weight_decay():
    with pytest.raises(ValueError, match="AdamW weight_decay must be a number"):
        optimizers.AdamW(weight_decay=None)


@pytest.mark.parametrize(
    ("cls", "kwargs", "msg"),
    [
        (optimizers.Adagrad, {"initial_accumulator_value": -1}, "initial_accumulator_value"),
        (optimizers.Adadelta, {"rho": 1.0}, "Adadelta rho"),
        (optimizers.Adamax, {"beta_2": 1.5}, "Adamax beta_2"),
        (optimizers.Nadam, {"epsilon": -1}, "Nadam epsilon"),
        (optimizers.AdamW, {"beta_1": float("nan")}, "AdamW beta_1"),
    ],
)
def test_bad_hyper_parameters(cls, kwargs, msg):
    with pytest.raises(ValueError, match=msg):
        cls(**kwargs)


def test_unknown_optimizer_lists_every_name():
    with pytest.raises(ValueError, match=r"accepted names: adadelta, adagrad, adam, adamax, adamw"):
        optimizers.get("adamm")


@pytest.mark.parametrize(
    ("make", "msg"),
    [
        (lambda: schedules.ExponentialDecay(0.1, 0, 0.5), "decay_steps must be"),
        (lambda: schedules.ExponentialDecay(-0.1, 10, 0.5), "initial_learning_rate must be"),
        (lambda: schedules.PolynomialDecay(0.1, -5), "decay_steps must be"),
        (lambda: schedules.PiecewiseConstantDecay([1, 2], [0.1, 0.2]), "one more value"),
        (lambda: schedules.PiecewiseConstantDecay([5, 2], [0.1, 0.2, 0.3]), "increase strictly"),
        (lambda: schedules.PiecewiseConstantDecay([5], [0.1, -0.2]), "value must be"),
        (lambda: schedules.CosineDecay(0.1, 10, warmup_target=float("inf")), "warmup_target"),
        (lambda: schedules.CosineDecayRestarts(0.1, 0), "first_decay_steps must be"),
    ],
)
def test_bad_schedules(make, msg):
    with pytest.raises(ValueError, match=msg):
        make()


def small_model(optimizer):
    gn.set_seed(0)
    model = models.Sequential([layers.Dense(2, activation="softmax", input_shape=(3,))])
    model.compile(optimizer=optimizer, loss="categorical_crossentropy")
    rng = np.random.default_rng(0)
    return model, rng.normal(size=(8, 3)), np.eye(2)[rng.integers(0, 2, 8)]


@pytest.mark.parametrize(
    ("rate", "bad"),
    [(lambda step: -0.1, "-0.1"), (lambda step: float("nan"), "nan"), (lambda: math.inf, "inf")],
)
def test_a_bad_rate_at_step_0_stops_fit_before_training(rate, bad):
    model, x, y = small_model(optimizers.SGD(rate))
    before = model.get_weights()
    with pytest.raises(ValueError, match=rf"gave {bad} at step 0; a learning rate must be"):
        model.fit(x, y, epochs=1, verbose=0)
    for a, b in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert model.optimizer.iterations == 0


def test_a_bad_rate_later_names_its_step():
    model, x, y = small_model(optimizers.Adam(lambda step: 0.01 if step < 5 else -1.0))
    with pytest.raises(ValueError, match=r"gave -1\.0 at step 5"):
        model.fit(x, y, epochs=10, batch_size=4, verbose=0)
    assert model.optimizer.iterations == 5


def test_a_schedule_that_is_not_a_number():
    with pytest.raises(ValueError, match=r"gave 'fast' at step 0"):
        optimizers.SGD(lambda step: "fast").apply([np.ones(1)], [np.ones(1)])


def test_a_schedule_may_reach_zero():
    # CosineDecay's default alpha ends at exactly 0: training past decay_steps goes on
    model, x, y = small_model(optimizers.SGD(schedules.CosineDecay(0.1, 2)))
    model.fit(x, y, epochs=2, batch_size=2, verbose=0)
    assert model.optimizer.learning_rate == 0.0


def test_a_function_learning_rate_cannot_be_saved(tmp_path):
    model, _, _ = small_model(optimizers.SGD(lambda step: 0.1))
    with pytest.raises(ValueError, match=r"a function is not data; use a glassnet\.optimizers"):
        model.save(tmp_path / "m.npz")


# -- 6. saving and loading continue training bit for bit ---------------------------------------
SAVED = {
    "adamw": lambda: optimizers.AdamW(0.01, weight_decay=0.05, amsgrad=True),
    "adagrad": lambda: optimizers.Adagrad(0.1, clipnorm=0.5),
    "adadelta": lambda: optimizers.Adadelta(1.0, clipvalue=0.1),
    "adamax": lambda: optimizers.Adamax(0.01, global_clipnorm=0.5),
    "nadam": lambda: optimizers.Nadam(0.01, weight_decay=0.01, name="my_nadam"),
    "sgd_schedule": lambda: optimizers.SGD(
        schedules.PiecewiseConstantDecay([4, 12], [0.1, 0.05, 0.01]), momentum=0.9
    ),
    "adam_cosine": lambda: optimizers.Adam(
        schedules.CosineDecay(0.0, 20, warmup_target=0.02, warmup_steps=5)
    ),
    "rmsprop_restarts": lambda: optimizers.RMSprop(schedules.CosineDecayRestarts(0.01, 3)),
}


@pytest.mark.parametrize("floatx", ["float32", "float64"])
@pytest.mark.parametrize("name", list(SAVED))
def test_save_load_continues_bit_identically(tmp_path, floatx, name):
    gn.set_floatx(floatx)
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(40, 4)), np.eye(3)[rng.integers(0, 3, 40)]
    gn.set_seed(3)
    model = models.Sequential(
        [
            layers.Dense(8, activation="relu", input_shape=(4,)),
            layers.Dense(3, activation="softmax"),
        ]
    )
    model.compile(optimizer=SAVED[name](), loss="categorical_crossentropy")
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    model.save(tmp_path / "model.npz")
    loaded = models.load_model(tmp_path / "model.npz")
    assert type(loaded.optimizer) is type(model.optimizer)
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    assert loaded.optimizer.learning_rate == model.optimizer.learning_rate
    h1 = model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    h2 = loaded.fit(x, y, epochs=2, batch_size=8, verbose=0)
    assert h1.history == h2.history
    for a, b in zip(model.get_weights(), loaded.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert loaded.optimizer.iterations == 20


def test_nadam_product_survives_a_state_without_it():
    opt = optimizers.Nadam()
    w = np.ones(2)
    for _ in range(7):
        opt.apply([w], [np.ones(2)])
    iterations, slots = opt.get_state()
    other = optimizers.Nadam()
    other.set_state(iterations, {k: v for k, v in slots.items() if k != "u_product"})
    assert other.u_product == opt.u_product


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_schedules_serialize_and_deserialize(name):
    _, schedule = both_schedules(name)
    data = schedules.serialize(schedule)
    again = schedules.deserialize(data)
    assert type(again) is type(schedule) and again.get_config() == schedule.get_config()
    assert [again(s) for s in range(20)] == [schedule(s) for s in range(20)]
    # Keras's form of the same data is read too
    keras_form = {"class_name": type(schedule).__name__, "config": schedule.get_config()}
    assert schedules.deserialize(keras_form).get_config() == schedule.get_config()


def test_a_schedule_of_your_own_must_be_registered_to_be_saved():
    class Halving(schedules.LearningRateSchedule):
        def __init__(self, rate):
            self.rate = rate

        def __call__(self, step):
            return self.rate / 2**step

        def get_config(self):
            return {"rate": self.rate}

    opt = optimizers.SGD(Halving(0.1))
    with pytest.raises(ValueError, match=r"glassnet.optimizers.schedules.register\(name, cls\)"):
        optimizers.serialize(opt)
    schedules.register("halving", Halving)
    again = optimizers.deserialize(optimizers.serialize(opt))
    assert isinstance(again.schedule, Halving) and again.learning_rate == 0.1


@pytest.mark.parametrize("name", sorted(optimizers._registry.names()))
def test_config_round_trip(name):
    opt = optimizers.get(name)
    again = type(opt)(**opt.get_config())
    assert again.get_config() == opt.get_config()
    assert opt.name == name


@pytest.mark.parametrize(
    "make",
    [
        lambda: optimizers.AdamW(amsgrad=True),
        optimizers.Adagrad,
        optimizers.Adadelta,
        optimizers.Adamax,
        optimizers.Nadam,
        lambda: optimizers.SGD(0.1, clipnorm=0.1, weight_decay=0.1),
        lambda: optimizers.RMSprop(global_clipnorm=0.1),
        lambda: optimizers.Adam(schedules.ExponentialDecay(0.1, 2, 0.5), clipvalue=0.1),
    ],
)
def test_updates_are_in_place_and_keep_float32(make):
    opt = make()
    w = np.ones((3, 2), dtype=np.float32)
    ref = w
    for _ in range(2):
        opt.apply([w], [np.full((3, 2), 0.5, dtype=np.float32)])
    assert ref is w and w.dtype == np.float32 and (w < 1).all()
    for slot in opt.slots.values():
        assert all(s.dtype == np.float32 for s in slot)
