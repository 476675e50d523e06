"""Keras 3's losses: values from the published formulas, finite-difference gradients, every
reduction against real Keras (float64), training parity from identical weights, and the errors.

The references below are written from the formulas in Keras's documentation, not from glassnet.
"""

import math

import numpy as np
import pytest

import glassnet as gn
from glassnet import activations, layers, losses, models, optimizers
from glassnet.gradcheck import numerical_gradient, relative_error

# Keras's own conversions of its tensors trip a NumPy 2 deprecation notice; not glassnet's
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

EPS = 1e-7  # Keras's backend.epsilon()
REDUCTIONS = ["sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None]


# -- references, from the published formulas --------------------------------------------------
def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _hinge_labels(y):
    return 2 * y - 1 if np.isin(y, (0, 1)).all() else y


def reference(cls, y, a, from_logits=False, label_smoothing=0.0, delta=1.0, ignore_class=None):
    """The loss of each sample, as Keras's documentation states it."""
    if cls == "MeanSquaredError":
        return np.mean((y - a) ** 2, axis=-1)
    if cls == "MeanAbsoluteError":
        return np.mean(np.abs(y - a), axis=-1)
    if cls == "MeanAbsolutePercentageError":
        return 100 * np.mean(np.abs((y - a) / np.maximum(np.abs(y), EPS)), axis=-1)
    if cls == "MeanSquaredLogarithmicError":
        return np.mean((np.log1p(np.maximum(y, EPS)) - np.log1p(np.maximum(a, EPS))) ** 2, -1)
    if cls == "Huber":
        e = np.abs(a - y)
        return np.mean(np.where(e <= delta, e**2 / 2, delta * e - delta**2 / 2), axis=-1)
    if cls == "LogCosh":
        return np.mean(np.log(np.cosh(a - y)), axis=-1)
    if cls == "Hinge":
        return np.mean(np.maximum(1 - _hinge_labels(y) * a, 0), axis=-1)
    if cls == "SquaredHinge":
        return np.mean(np.maximum(1 - _hinge_labels(y) * a, 0) ** 2, axis=-1)
    if cls == "CategoricalHinge":
        pos = np.sum(y * a, axis=-1)
        neg = np.max((1 - y) * a, axis=-1)
        return np.maximum(0, neg - pos + 1)
    if cls == "KLDivergence":
        yc, ac = np.clip(y, EPS, 1), np.clip(a, EPS, 1)
        return np.sum(yc * (np.log(yc) - np.log(ac)), axis=-1)
    if cls == "Poisson":
        return np.mean(a - y * np.log(a + EPS), axis=-1)
    if cls == "CosineSimilarity":
        yn = y / np.linalg.norm(y, axis=-1, keepdims=True)
        an = a / np.linalg.norm(a, axis=-1, keepdims=True)
        return -np.sum(yn * an, axis=-1)
    if cls == "BinaryCrossentropy":
        p = _sigmoid(a) if from_logits else a
        t = y * (1 - label_smoothing) + label_smoothing / 2
        return -np.mean(t * np.log(p) + (1 - t) * np.log(1 - p), axis=-1)
    if cls == "CategoricalCrossentropy":
        p = _softmax(a) if from_logits else a
        t = y * (1 - label_smoothing) + label_smoothing / y.shape[-1]
        return -np.sum(t * np.log(p), axis=-1)
    if cls == "SparseCategoricalCrossentropy":
        p = _softmax(a) if from_logits else a
        labels = np.where(y == ignore_class, 0, y) if ignore_class is not None else y
        values = -np.log(p[np.arange(len(p)), labels])
        return values if ignore_class is None else np.where(y == ignore_class, 0.0, values)
    raise AssertionError(cls)


def reduce(values, sw, reduction, counted=None):
    """Keras 3's reductions: sum, sum / n, sum / Σ weights, or none; `counted` is the mask of
    an ignored class (the batch means then divide by the counted samples)."""
    w = np.ones_like(values) if sw is None else sw
    if counted is not None:
        w = w * counted
    weighted = values * w
    if reduction in ("none", None):
        return weighted
    if reduction == "sum":
        return weighted.sum()
    if reduction == "mean_with_sample_weight" and (sw is not None or counted is not None):
        return weighted.sum() / w.sum()
    n = counted.sum() if counted is not None else len(values)
    return weighted.sum() / n


def make_data(kind, rng, n=6, k=3):
    """(y_true, y_pred) of a kind that suits the loss."""
    if kind == "real":
        return rng.normal(size=(n, k)), rng.normal(size=(n, k)) * 1.5
    if kind == "mape":
        return rng.uniform(0.5, 2, (n, k)) * rng.choice([-1, 1], (n, k)), rng.normal(size=(n, k))
    if kind == "positive":
        return rng.uniform(0, 3, (n, k)), rng.uniform(0.05, 3, (n, k))
    if kind == "counts":
        return rng.poisson(1.5, (n, k)).astype(float), rng.uniform(0.1, 3, (n, k))
    if kind == "binary01":
        return rng.integers(0, 2, (n, k)).astype(float), rng.uniform(-2, 2, (n, k))
    if kind == "pm1":
        return rng.choice([-1.0, 1.0], (n, k)), rng.uniform(-2, 2, (n, k))
    if kind == "onehot_real":
        return np.eye(k)[rng.integers(0, k, n)], rng.normal(size=(n, k))
    if kind == "dist":
        return rng.dirichlet(np.ones(k), n), rng.dirichlet(np.ones(k), n)
    if kind == "prob_binary":
        return rng.integers(0, 2, (n, k)).astype(float), rng.uniform(0.05, 0.95, (n, k))
    if kind == "logit_binary":
        return rng.integers(0, 2, (n, k)).astype(float), rng.normal(size=(n, k)) * 2
    if kind == "prob_onehot":
        return np.eye(k)[rng.integers(0, k, n)], _softmax(rng.normal(size=(n, k)))
    if kind == "logit_onehot":
        return np.eye(k)[rng.integers(0, k, n)], rng.normal(size=(n, k)) * 2
    if kind == "prob_labels":
        return rng.integers(0, k, n), _softmax(rng.normal(size=(n, k)))
    if kind == "logit_labels":
        return rng.integers(0, k, n), rng.normal(size=(n, k)) * 2
    raise AssertionError(kind)


# (id, class name, options, kind of data)
SPECS = [
    ("mse", "MeanSquaredError", {}, "real"),
    ("mae", "MeanAbsoluteError", {}, "real"),
    ("mape", "MeanAbsolutePercentageError", {}, "mape"),
    ("msle", "MeanSquaredLogarithmicError", {}, "positive"),
    ("huber", "Huber", {}, "real"),
    ("huber_delta", "Huber", {"delta": 0.5}, "real"),
    ("log_cosh", "LogCosh", {}, "real"),
    ("hinge_01", "Hinge", {}, "binary01"),
    ("hinge_pm1", "Hinge", {}, "pm1"),
    ("squared_hinge_01", "SquaredHinge", {}, "binary01"),
    ("squared_hinge_pm1", "SquaredHinge", {}, "pm1"),
    ("categorical_hinge", "CategoricalHinge", {}, "onehot_real"),
    ("kld", "KLDivergence", {}, "dist"),
    ("poisson", "Poisson", {}, "counts"),
    ("cosine", "CosineSimilarity", {}, "real"),
    ("bce", "BinaryCrossentropy", {}, "prob_binary"),
    ("bce_smooth", "BinaryCrossentropy", {"label_smoothing": 0.2}, "prob_binary"),
    ("bce_logits", "BinaryCrossentropy", {"from_logits": True}, "logit_binary"),
    (
        "bce_logits_smooth",
        "BinaryCrossentropy",
        {"from_logits": True, "label_smoothing": 0.1},
        "logit_binary",
    ),
    ("cce", "CategoricalCrossentropy", {}, "prob_onehot"),
    ("cce_smooth", "CategoricalCrossentropy", {"label_smoothing": 0.2}, "prob_onehot"),
    ("cce_logits", "CategoricalCrossentropy", {"from_logits": True}, "logit_onehot"),
    (
        "cce_logits_smooth",
        "CategoricalCrossentropy",
        {"from_logits": True, "label_smoothing": 0.1},
        "logit_onehot",
    ),
    ("scce", "SparseCategoricalCrossentropy", {}, "prob_labels"),
    ("scce_logits", "SparseCategoricalCrossentropy", {"from_logits": True}, "logit_labels"),
    ("scce_ignore", "SparseCategoricalCrossentropy", {"ignore_class": 1}, "prob_labels"),
    (
        "scce_logits_ignore",
        "SparseCategoricalCrossentropy",
        {"from_logits": True, "ignore_class": 1},
        "logit_labels",
    ),
]
SPEC_IDS = [s[0] for s in SPECS]


def _counted(options, y):
    ignore = options.get("ignore_class")
    return None if ignore is None else (y != ignore).astype(float)


# -- (a) values against the formulas ------------------------------------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(("_", "cls", "options", "kind"), SPECS, ids=SPEC_IDS)
def test_value_matches_the_published_formula(_, cls, options, kind, reduction):
    rng = np.random.default_rng(10)
    y, a = make_data(kind, rng)
    if kind.endswith("labels"):
        y[0] = 1  # at least one ignored sample when ignore_class=1
    sw = rng.uniform(0.2, 2.0, len(y))
    loss = getattr(losses, cls)(reduction=reduction, **options)
    values = reference(cls, y, a, **options)
    for weights in (None, sw):
        expected = reduce(values, weights, reduction, _counted(options, y))
        got = loss(y, a, sample_weight=weights)
        if reduction in ("none", None):
            assert isinstance(got, np.ndarray) and got.shape == (len(y),)
        else:
            assert isinstance(got, float)
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)


def test_keras_documentation_examples():
    # the numbers in Keras's docstrings (computed there in float32)
    mae = losses.MeanAbsoluteError()
    assert mae([1.0, 0.3, 1.0], [1.9, 0.3, 1.8]) == pytest.approx(0.5666667, abs=1e-6)
    mape = losses.MeanAbsolutePercentageError()
    assert mape([100.0, 200.0, 300.0], [90.0, 210.0, 310.0]) == pytest.approx(6.111111, abs=1e-5)
    assert losses.MeanSquaredError()([1.0, 0.0, 1.0], [0.9, 0.1, 0.8]) == pytest.approx(0.02)
    y_true, y_pred = [[0, 1], [0, 0]], [[-18.6, 0.51], [2.94, -12.8]]
    bce = losses.BinaryCrossentropy(from_logits=True)
    assert bce(y_true, y_pred) == pytest.approx(0.8654, abs=1e-4)
    assert bce(y_true, y_pred, sample_weight=[0.8, 0.2]) == pytest.approx(0.243, abs=1e-3)
    assert losses.BinaryCrossentropy(from_logits=True, reduction="sum")(
        y_true, y_pred
    ) == pytest.approx(1.730, abs=1e-3)
    none = losses.BinaryCrossentropy(from_logits=True, reduction=None)(y_true, y_pred)
    np.testing.assert_allclose(none, [0.235, 1.496], atol=1e-3)


def test_hand_computed_values():
    # Huber, δ = 1: errors 0.5 and 3 → (0.125 + (3 − 0.5)) / 2
    assert losses.Huber()([[0.0, 0.0]], [[0.5, 3.0]]) == pytest.approx(1.3125, rel=1e-15)
    # Huber, δ = 2: error 3 → 2·3 − 2 = 4
    assert losses.Huber(delta=2.0)([[0.0]], [[3.0]]) == pytest.approx(4.0, rel=1e-15)
    # log cosh of ±1
    assert losses.LogCosh()([[0.0, 0.0]], [[1.0, -1.0]]) == pytest.approx(
        math.log(math.cosh(1.0)), rel=1e-14
    )
    # hinge with labels 0/1 read as −1/1: max(1 − (−1)(0.5), 0) = 1.5 and max(1 − 2, 0) = 0
    assert losses.Hinge()([[0.0], [1.0]], [[0.5], [2.0]]) == pytest.approx(0.75, rel=1e-15)
    # the same labels not all 0/1 are used as they are: max(1 − 0·0.5, 0) = 1, max(1 − 2·2, 0)
    assert losses.Hinge()([[0.0], [2.0]], [[0.5], [2.0]]) == pytest.approx(0.5, rel=1e-15)
    assert losses.SquaredHinge()([[0.0], [1.0]], [[0.5], [0.5]]) == pytest.approx(
        (1.5**2 + 0.5**2) / 2, rel=1e-15
    )
    # categorical hinge: pos = 0.2, neg = 0.7 → 1.5
    assert losses.CategoricalHinge()([[1.0, 0.0, 0.0]], [[0.2, 0.7, 0.1]]) == pytest.approx(
        1.5, rel=1e-15
    )
    # MAPE guards a zero target with ε = 1e-7: |0 − 1e-7| / 1e-7 = 1 → 100 %
    assert losses.MeanAbsolutePercentageError()([[0.0]], [[1e-7]]) == pytest.approx(100.0)
    # MSLE: log 2 vs log 4, squared
    assert losses.MeanSquaredLogarithmicError()([[1.0]], [[3.0]]) == pytest.approx(
        math.log(2.0) ** 2, rel=1e-14
    )
    # KLD clips the zero target at ε: 1·log(1/0.5) + ε·log(ε/0.5)
    assert losses.KLDivergence()([[1.0, 0.0]], [[0.5, 0.5]]) == pytest.approx(
        math.log(2.0) + EPS * math.log(EPS / 0.5), rel=1e-14
    )
    assert losses.Poisson()([[2.0]], [[1.0]]) == pytest.approx(1.0 - 2 * math.log(1 + EPS))
    assert losses.CosineSimilarity()([[1.0, 0.0]], [[1.0, 1.0]]) == pytest.approx(
        -1 / math.sqrt(2), rel=1e-15
    )
    # label smoothing 0.2: binary target 1 → 0.9; categorical one-hot (k = 4) → 0.85 / 0.05
    assert losses.BinaryCrossentropy(label_smoothing=0.2)([[1.0]], [[0.5]]) == pytest.approx(
        math.log(2.0), rel=1e-15
    )
    expected = -(0.9 * math.log(0.8) + 0.1 * math.log(0.2))
    assert losses.BinaryCrossentropy(label_smoothing=0.2)([[1.0]], [[0.8]]) == pytest.approx(
        expected, rel=1e-14
    )
    p = np.array([[0.4, 0.3, 0.2, 0.1]])
    expected = -(0.85 * math.log(0.4) + 0.05 * math.log(0.3 * 0.2 * 0.1))
    assert losses.CategoricalCrossentropy(label_smoothing=0.2)(
        [[1.0, 0, 0, 0]], p
    ) == pytest.approx(expected, rel=1e-14)


def test_from_logits_is_exact_for_confident_logits():
    # log(1 + e^(−800)) underflows to 0 and σ(800) to 1: the softplus form keeps the loss exact
    bce = losses.BinaryCrossentropy(from_logits=True)
    assert bce([[0.0]], [[800.0]]) == pytest.approx(800.0, rel=1e-15)
    assert bce([[1.0]], [[800.0]]) == 0.0
    cce = losses.CategoricalCrossentropy(from_logits=True)
    assert cce([[1.0, 0.0]], [[0.0, 900.0]]) == pytest.approx(900.0, rel=1e-15)
    scce = losses.SparseCategoricalCrossentropy(from_logits=True)
    assert scce([0], [[0.0, 900.0]]) == pytest.approx(900.0, rel=1e-15)


def test_functions_return_the_loss_of_each_sample():
    rng = np.random.default_rng(2)
    y, a = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    np.testing.assert_allclose(losses.mean_absolute_error(y, a), np.abs(y - a).mean(-1))
    np.testing.assert_allclose(losses.huber(y, a, delta=0.3), reference("Huber", y, a, delta=0.3))
    np.testing.assert_allclose(losses.log_cosh(y, a), np.log(np.cosh(a - y)).mean(-1))
    labels, z = rng.integers(0, 3, 5), rng.normal(size=(5, 3))
    np.testing.assert_allclose(
        losses.sparse_categorical_crossentropy(labels, z, from_logits=True),
        reference("SparseCategoricalCrossentropy", labels, z, from_logits=True),
        rtol=1e-13,
    )
    # a function given to compile is its loss class, with a hand-written gradient
    assert isinstance(losses.get(losses.mean_absolute_error), losses.MeanAbsoluteError)
    assert isinstance(losses.get(losses.huber), losses.Huber)


# -- (b) gradients against finite differences -------------------------------------------------
@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", "mean_with_sample_weight"])
@pytest.mark.parametrize(("_", "cls", "options", "kind"), SPECS, ids=SPEC_IDS)
def test_gradient_matches_finite_differences(float64, _, cls, options, kind, reduction):
    rng = np.random.default_rng(11)
    y, a = make_data(kind, rng)
    if kind.endswith("labels"):
        y[0] = 1
    sw = rng.uniform(0.2, 2.0, len(y))
    loss = getattr(losses, cls)(reduction=reduction, **options)
    for weights in (None, sw):
        numeric = numerical_gradient(lambda w=weights: loss(y, a, w), a)
        analytic = loss.gradient(y, a, weights)
        assert relative_error(analytic, numeric) < 1e-7, (cls, weights is None)


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", "mean_with_sample_weight"])
@pytest.mark.parametrize(
    ("cls", "options", "kind"),
    [
        ("BinaryCrossentropy", {}, "logit_binary"),
        ("BinaryCrossentropy", {"label_smoothing": 0.3}, "logit_binary"),
        ("CategoricalCrossentropy", {}, "logit_onehot"),
        ("CategoricalCrossentropy", {"label_smoothing": 0.3}, "logit_onehot"),
        ("SparseCategoricalCrossentropy", {}, "logit_labels"),
        ("SparseCategoricalCrossentropy", {"ignore_class": 1}, "logit_labels"),
    ],
)
def test_fused_gradient_matches_finite_differences_of_the_value_from_logits(
    float64, cls, options, kind, reduction
):
    rng = np.random.default_rng(12)
    y, z = make_data(kind, rng)
    if kind.endswith("labels"):
        y[0] = 1
    loss = getattr(losses, cls)(reduction=reduction, **options)
    act = activations.sigmoid if cls == "BinaryCrossentropy" else activations.softmax
    assert loss.fuses_with(act)
    sw = rng.uniform(0.2, 2.0, len(y))
    for weights in (None, sw):
        numeric = numerical_gradient(lambda w=weights: loss.value_from_logits(y, z, w), z)
        fused = loss.fused_gradient(y, act(z), weights)
        assert relative_error(fused, numeric) < 1e-8
        # the value from the logits is the value of the probabilities
        assert loss.value_from_logits(y, z, weights) == pytest.approx(
            loss(y, act(z), weights), rel=1e-12
        )


def test_from_logits_never_fuses_and_the_default_fused_gradient_is_a_minus_y_over_n():
    assert not losses.BinaryCrossentropy(from_logits=True).fuses_with(activations.sigmoid)
    assert not losses.CategoricalCrossentropy(from_logits=True).fuses_with(activations.softmax)
    rng = np.random.default_rng(0)
    z = rng.normal(size=(6, 3))
    y = rng.integers(0, 2, (6, 3)).astype(float)
    a = activations.sigmoid(z)
    np.testing.assert_array_equal(
        losses.BinaryCrossentropy().fused_gradient(y, a), (a - y) * (1.0 / a.size)
    )
    # with reduction "sum" the batch mean disappears: (A − Y)/k
    np.testing.assert_allclose(
        losses.BinaryCrossentropy(reduction="sum").fused_gradient(y, a), (a - y) / 3, rtol=1e-15
    )


# -- (c) every reduction against Keras 3 -----------------------------------------------------
def _numpy(keras, tensor):
    return np.asarray(keras.ops.convert_to_numpy(tensor))


@pytest.mark.parametrize(("_", "cls", "options", "kind"), SPECS, ids=SPEC_IDS)
def test_standalone_value_matches_keras(float64, keras_float64, _, cls, options, kind):
    keras = keras_float64
    rng = np.random.default_rng(13)
    y, a = make_data(kind, rng, n=7, k=4)
    if kind.endswith("labels"):
        y[:2] = 1
    sw = rng.uniform(0.2, 2.0, len(y))
    for reduction in REDUCTIONS:
        g_loss = getattr(losses, cls)(reduction=reduction, **options)
        k_loss = getattr(keras.losses, cls)(reduction=reduction, **options)
        for weights in (None, sw):
            expected = _numpy(keras, k_loss(y, a, sample_weight=weights))
            got = g_loss(y, a, sample_weight=weights)
            np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15, err_msg=reduction)


def test_functions_match_keras(float64, keras_float64):
    keras = keras_float64
    rng = np.random.default_rng(14)
    for name, kind in [
        ("mean_squared_error", "real"),
        ("mean_absolute_error", "real"),
        ("mean_absolute_percentage_error", "mape"),
        ("mean_squared_logarithmic_error", "positive"),
        ("huber", "real"),
        ("log_cosh", "real"),
        ("hinge", "binary01"),
        ("squared_hinge", "pm1"),
        ("categorical_hinge", "onehot_real"),
        ("kl_divergence", "dist"),
        ("poisson", "counts"),
        ("cosine_similarity", "real"),
        ("binary_crossentropy", "prob_binary"),
        ("categorical_crossentropy", "prob_onehot"),
        ("sparse_categorical_crossentropy", "prob_labels"),
    ]:
        y, a = make_data(kind, rng)
        expected = _numpy(keras, getattr(keras.losses, name)(y, a))
        np.testing.assert_allclose(
            getattr(losses, name)(y, a), expected, rtol=1e-12, atol=1e-15, err_msg=name
        )


# -- (d) training parity with Keras 3 ---------------------------------------------------------
def _train_targets(kind, rng, x, units):
    n = len(x)
    if kind == "real":
        return x[:, :units] * 0.8 + 0.3 * rng.normal(size=(n, units))
    if kind == "mape":  # targets far from 0, so that 100/|y| keeps the SGD steps moderate
        return rng.uniform(20, 50, (n, units)) * np.sign(x[:, :units] + 0.1)
    if kind == "positive":
        return rng.uniform(0, 2, (n, units))
    if kind == "counts":
        return rng.poisson(0.7, (n, units)).astype(float)
    if kind == "binary":
        return (x[:, :units] + 0.3 * rng.normal(size=(n, units)) > 0).astype(float)
    if kind == "pm1":
        return np.where(x[:, :units] > 0, 1.0, -1.0)
    if kind == "onehot":
        return np.eye(units)[rng.integers(0, units, n)]
    if kind == "labels":
        return rng.integers(0, units, n)
    if kind == "dist":
        return rng.dirichlet(np.ones(units), n)
    raise AssertionError(kind)


def _loss(lib, spec):
    if isinstance(spec, str):
        return spec
    name, options = spec
    return getattr(lib.losses, name)(**options)


# (id, loss: a name or (class, options), units, output activation, kind of targets)
TRAINING = [
    ("mae", "mae", 2, "linear", "real"),
    ("mape", "mape", 2, "linear", "mape"),
    ("msle", "msle", 2, "sigmoid", "positive"),
    ("huber", ("Huber", {"delta": 0.5}), 2, "linear", "real"),
    ("huber_name", "huber", 2, "linear", "real"),
    ("log_cosh", "log_cosh", 2, "linear", "real"),
    ("hinge", "hinge", 1, "tanh", "binary"),
    ("squared_hinge", ("SquaredHinge", {}), 2, "tanh", "pm1"),
    ("categorical_hinge", "categorical_hinge", 3, "linear", "onehot"),
    ("kld", "kld", 3, "softmax", "dist"),
    ("poisson", "poisson", 2, "sigmoid", "counts"),
    ("cosine", ("CosineSimilarity", {}), 3, "linear", "real"),
    ("bce_logits", ("BinaryCrossentropy", {"from_logits": True}), 1, "linear", "binary"),
    (
        "bce_logits_smooth",
        ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.1}),
        2,
        "linear",
        "binary",
    ),
    ("bce_smooth", ("BinaryCrossentropy", {"label_smoothing": 0.2}), 1, "sigmoid", "binary"),
    ("cce_logits", ("CategoricalCrossentropy", {"from_logits": True}), 3, "linear", "onehot"),
    ("cce_smooth", ("CategoricalCrossentropy", {"label_smoothing": 0.1}), 3, "softmax", "onehot"),
    (
        "cce_logits_smooth",
        ("CategoricalCrossentropy", {"from_logits": True, "label_smoothing": 0.2}),
        3,
        "linear",
        "onehot",
    ),
    (
        "scce_logits",
        ("SparseCategoricalCrossentropy", {"from_logits": True}),
        3,
        "linear",
        "labels",
    ),
    (
        "scce_logits_ignore",
        ("SparseCategoricalCrossentropy", {"from_logits": True, "ignore_class": 0}),
        3,
        "linear",
        "labels",
    ),
    ("mse_sum", ("MeanSquaredError", {"reduction": "sum"}), 2, "linear", "real"),
    ("mae_sum", ("MeanAbsoluteError", {"reduction": "sum"}), 2, "linear", "real"),
    ("bce_sum", ("BinaryCrossentropy", {"reduction": "sum"}), 2, "sigmoid", "binary"),
    (
        "cce_logits_sum",
        ("CategoricalCrossentropy", {"from_logits": True, "reduction": "sum"}),
        3,
        "linear",
        "onehot",
    ),
    ("scce_sum", ("SparseCategoricalCrossentropy", {"reduction": "sum"}), 3, "softmax", "labels"),
    (
        "huber_mean_with_sample_weight",
        ("Huber", {"reduction": "mean_with_sample_weight"}),
        2,
        "linear",
        "real",
    ),
    (
        "cce_mean_with_sample_weight",
        ("CategoricalCrossentropy", {"reduction": "mean_with_sample_weight"}),
        3,
        "softmax",
        "onehot",
    ),
]


def _pair(keras, loss, units, activation):
    k_model = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(5, activation="tanh"),
            keras.layers.Dense(units, activation=activation),
        ]
    )
    g_model = models.Sequential(
        [
            layers.Dense(5, activation="tanh", input_shape=(4,)),
            layers.Dense(units, activation=activation),
        ]
    )
    k_model.compile(optimizer=keras.optimizers.SGD(0.1), loss=_loss(keras, loss))
    g_model.compile(optimizer=optimizers.SGD(0.1), loss=_loss(gn, loss))
    g_model.set_weights(k_model.get_weights())
    return k_model, g_model


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "sample_weight"])
@pytest.mark.parametrize(
    ("_", "loss", "units", "activation", "kind"), TRAINING, ids=[t[0] for t in TRAINING]
)
def test_training_matches_keras(float64, keras_float64, _, loss, units, activation, kind, weighted):
    keras = keras_float64
    rng = np.random.default_rng(21)
    x = rng.normal(size=(40, 4))
    y = _train_targets(kind, rng, x, units)
    sample_weight = rng.uniform(0.1, 2.0, 40) if weighted else None
    k_model, g_model = _pair(keras, loss, units, activation)
    args = {
        "epochs": 3,
        "batch_size": 8,
        "shuffle": False,
        "verbose": 0,
        "validation_split": 0.25,
        "sample_weight": sample_weight,
    }
    k_hist = k_model.fit(x, y, **args).history
    g_hist = g_model.fit(x, y, **args).history
    for k_w, g_w in zip(k_model.get_weights(), g_model.get_weights(), strict=True):
        np.testing.assert_allclose(g_w, k_w, rtol=0, atol=1e-12)
    assert set(g_hist) == set(k_hist) == {"loss", "val_loss"}
    for key in k_hist:
        assert np.isfinite(g_hist[key]).all()
        np.testing.assert_allclose(g_hist[key], k_hist[key], rtol=1e-12, err_msg=key)


class OpsMeanAbsolute(losses.Loss):
    """Mean absolute error built of glassnet.ops: the tape differentiates it."""

    def call(self, y_true, y_pred):
        return gn.ops.mean(gn.ops.abs(y_pred - y_true), axis=-1)


@pytest.mark.parametrize("reduction", ["sum", "mean_with_sample_weight"])
def test_loss_built_of_ops_trains_with_its_reduction_as_keras(float64, keras_float64, reduction):
    keras = keras_float64
    rng = np.random.default_rng(22)
    x = rng.normal(size=(40, 4))
    y = _train_targets("real", rng, x, 2)
    k_model, g_model = _pair(keras, ("MeanAbsoluteError", {"reduction": reduction}), 2, "linear")
    g_model.compile(optimizer=optimizers.SGD(0.1), loss=OpsMeanAbsolute(reduction=reduction))
    assert not g_model.output_losses or not g_model.output_losses[0].has_gradient
    args = {"epochs": 3, "batch_size": 8, "shuffle": False, "verbose": 0}
    args |= {"validation_split": 0.25, "sample_weight": rng.uniform(0.1, 2.0, 40)}
    k_hist = k_model.fit(x, y, **args).history
    g_hist = g_model.fit(x, y, **args).history
    for k_w, g_w in zip(k_model.get_weights(), g_model.get_weights(), strict=True):
        np.testing.assert_allclose(g_w, k_w, rtol=0, atol=1e-12)
    for key in k_hist:
        np.testing.assert_allclose(g_hist[key], k_hist[key], rtol=1e-12, err_msg=key)


def test_reduction_none_cannot_train_and_says_why(float64):
    model = models.Sequential([layers.Dense(2, input_shape=(4,))])
    model.compile(optimizer="sgd", loss=losses.MeanSquaredError(reduction=None))
    x, y = np.ones((8, 4)), np.zeros((8, 2))
    with pytest.raises(ValueError, match=r"reduction=None.*training needs one number.*'sum'"):
        model.fit(x, y, epochs=1, verbose=0)


# (id, ignore_class, output activation, from_logits, reduction, how the targets are weighted)
IGNORED = [
    ("minus1_logits", -1, "linear", True, "sum_over_batch_size", None),
    ("minus1_softmax", -1, "softmax", False, "sum_over_batch_size", None),
    ("minus1_class_weight", -1, "linear", True, "sum_over_batch_size", "class_weight"),
    ("minus1_sum_weighted", -1, "softmax", False, "sum", "sample_weight"),
    ("255_mean_with_sample_weight", 255, "linear", True, "mean_with_sample_weight", None),
    ("0_inside_logits", 0, "linear", True, "sum_over_batch_size", None),
    ("0_inside_class_weight", 0, "softmax", False, "sum_over_batch_size", "class_weight"),
]


@pytest.mark.parametrize(
    ("_", "ignore_class", "activation", "from_logits", "reduction", "weights"),
    IGNORED,
    ids=[t[0] for t in IGNORED],
)
def test_training_with_an_ignored_label_matches_keras(
    float64, keras_float64, _, ignore_class, activation, from_logits, reduction, weights
):
    """Labels equal to ignore_class train as in Keras, whether outside the classes (-1, 255) or
    one of them (0). As Keras, accuracy still counts those samples: a label outside the classes
    is never predicted, so it is a miss."""
    keras = keras_float64
    rng = np.random.default_rng(23)
    x = rng.normal(size=(40, 4))
    y = rng.integers(0, 3, 40)
    y[[1, 6, 8, 15, 17, 30, 33, 37]] = ignore_class
    y[32:40] = ignore_class  # a validation batch whose labels are all ignored: loss 0
    options = {"from_logits": from_logits, "ignore_class": ignore_class, "reduction": reduction}
    k_model, g_model = _pair(keras, ("SparseCategoricalCrossentropy", options), 3, activation)
    k_model.compile(k_model.optimizer, k_model.loss, metrics=["accuracy"])
    g_model.compile(g_model.optimizer, g_model.loss, metrics=["accuracy"])
    args = {"epochs": 3, "batch_size": 8, "shuffle": False, "verbose": 0}
    args |= {"validation_split": 0.2}
    if weights == "sample_weight":
        args["sample_weight"] = rng.uniform(0.1, 2.0, 40)
    elif weights == "class_weight":
        args["class_weight"] = {0: 0.5, 1: 2.0, 2: 1.5}
    k_hist = k_model.fit(x, y, **args).history
    g_hist = g_model.fit(x, y, **args).history
    for k_w, g_w in zip(k_model.get_weights(), g_model.get_weights(), strict=True):
        np.testing.assert_allclose(g_w, k_w, rtol=0, atol=1e-12)
    assert set(g_hist) == set(k_hist) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    for key in k_hist:
        assert np.isfinite(g_hist[key]).all()
        np.testing.assert_allclose(g_hist[key], k_hist[key], rtol=1e-12, err_msg=key)
    assert g_hist["val_loss"] == [0.0, 0.0, 0.0]
    # accuracy counts the ignored samples: recomputed here from the trained model
    g_acc = g_model.evaluate(x[:32], y[:32], verbose=0, return_dict=True)["accuracy"]
    predicted = g_model.predict(x[:32], verbose=0).argmax(axis=-1)
    assert g_acc == np.mean(predicted == y[:32])


@pytest.mark.parametrize(
    ("ignore_class", "labels", "message"),
    [
        (-1, [0, 1, -2, 2], r"labels >= 0, got -2"),
        (-1, [0, 1, 3, 2], r"holds label 3.*\[0, 2\] \(or -1, the loss's ignore_class\)"),
        (255, [0, 1, 254, 255], r"holds label 254.*\(or 255, the loss's ignore_class\)"),
        (7, [0, 1, -1, 2], r"labels >= 0, got -1"),
        (None, [0, 1, -1, 2], r"labels >= 0, got -1"),
        (None, [0, 1, 3, 2], r"holds label 3.*lie in \[0, 2\]$"),
    ],
)
def test_only_the_ignored_label_may_lie_outside_the_classes(ignore_class, labels, message):
    model = models.Sequential([layers.Dense(3, input_shape=(4,))])
    loss = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=ignore_class)
    model.compile(optimizer="sgd", loss=loss)
    with pytest.raises(ValueError, match=message):
        model.fit(np.ones((4, 4)), np.array(labels), epochs=1, verbose=0)


@pytest.mark.parametrize("labels", [[0, 1, -1, 2], [[0], [1], [-1], [2]], [0.0, 1.0, -1.0, 2.0]])
def test_ignored_labels_are_accepted_in_every_label_layout(labels):
    model = models.Sequential([layers.Dense(3, input_shape=(4,))])
    loss = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1)
    model.compile(optimizer="sgd", loss=loss)
    x = np.random.default_rng(0).normal(size=(4, 4)).astype(np.float32)
    z = model.predict(x, verbose=0).astype(np.float64)
    counted = [0, 1, 3]
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    expected = -np.mean(log_p[counted, [0, 1, 2]])  # the mean over the 3 counted samples
    history = model.fit(x, np.array(labels), epochs=1, batch_size=4, verbose=0).history
    assert history["loss"][0] == pytest.approx(expected, rel=1e-6)


# -- names, configs, saving ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "cls"),
    [
        ("mae", losses.MeanAbsoluteError),
        ("MAE", losses.MeanAbsoluteError),
        ("mean_absolute_error", losses.MeanAbsoluteError),
        ("MeanAbsoluteError", losses.MeanAbsoluteError),
        ("mape", losses.MeanAbsolutePercentageError),
        ("msle", losses.MeanSquaredLogarithmicError),
        ("huber", losses.Huber),
        ("Huber", losses.Huber),
        ("log_cosh", losses.LogCosh),
        ("hinge", losses.Hinge),
        ("squared_hinge", losses.SquaredHinge),
        ("categorical_hinge", losses.CategoricalHinge),
        ("kld", losses.KLDivergence),
        ("kl_divergence", losses.KLDivergence),
        ("KLDivergence", losses.KLDivergence),
        ("poisson", losses.Poisson),
        ("cosine_similarity", losses.CosineSimilarity),
        ("bce", losses.BinaryCrossentropy),
        ("SparseCategoricalCrossentropy", losses.SparseCategoricalCrossentropy),
    ],
)
def test_names_as_keras(name, cls):
    assert type(losses.get(name)) is cls


def test_instance_names_are_keras_names():
    assert losses.Huber().name == "huber_loss"
    assert losses.MeanAbsoluteError().name == "mean_absolute_error"
    assert losses.KLDivergence().name == "kl_divergence"
    assert losses.Huber(name="robust").name == "robust"


def test_accepted_names_is_text_a_message_can_embed():
    text = losses.accepted_names()
    assert isinstance(text, str) and "\n" not in text
    for piece in ("mean_squared_error (mse)", "binary_crossentropy (bce)", "huber", "hinge"):
        assert piece in text
    names = [item.split(" (")[0] for item in text.split(", ")]
    assert len(names) >= 15 and names == sorted(names)  # the 15 built-ins, and any registered
    for name in names:  # every name it lists works in compile(loss=...)
        assert isinstance(losses.get(name), losses.Loss)
    assert "mse" not in names  # an alias shows beside its name, not as a name of its own


def test_unknown_name_lists_the_accepted_names():
    with pytest.raises(ValueError) as err:
        losses.get("focal_loss")
    message = str(err.value)
    assert "unknown loss 'focal_loss'" in message
    for name in ("mean_absolute_error (mae)", "huber", "kl_divergence (kld)", "poisson"):
        assert name in message


@pytest.mark.parametrize(
    "loss",
    [
        losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1, reduction="sum"),
        losses.CategoricalCrossentropy(label_smoothing=0.2, name="smooth"),
        losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=2),
        losses.Huber(delta=0.25, reduction="mean_with_sample_weight"),
        losses.CosineSimilarity(reduction=None),
        losses.MeanAbsolutePercentageError(),
    ],
    ids=repr,
)
def test_serialize_round_trip_keeps_the_options(loss):
    config = losses.serialize(loss)
    back = losses.deserialize(config)
    assert type(back) is type(loss)
    assert back.get_config() == loss.get_config()
    assert config["config"]["name"] == loss.name


def test_config_has_keras_keys():
    assert losses.BinaryCrossentropy(from_logits=True).get_config() == {
        "name": "binary_crossentropy",
        "reduction": "sum_over_batch_size",
        "from_logits": True,
        "label_smoothing": 0.0,
        "axis": -1,
    }
    assert losses.SparseCategoricalCrossentropy().get_config() == {
        "name": "sparse_categorical_crossentropy",
        "reduction": "sum_over_batch_size",
        "from_logits": False,
        "ignore_class": None,
    }
    assert repr(losses.Huber(delta=2.0)) == "Huber(delta=2.0)"


def test_saved_model_loads_with_its_loss_options(tmp_path):
    model = models.Sequential([layers.Dense(1, input_shape=(3,))])
    model.compile(
        optimizer="sgd", loss=losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1)
    )
    x, y = np.random.default_rng(0).normal(size=(8, 3)), np.ones((8, 1))
    model.fit(x, y, epochs=1, verbose=0)
    path = tmp_path / "model.glassnet"
    model.save(path)
    loaded = models.load_model(path)
    loss = loaded.loss
    assert isinstance(loss, losses.BinaryCrossentropy)
    assert loss.from_logits is True and loss.label_smoothing == 0.1
    assert loaded.evaluate(x, y) == pytest.approx(model.evaluate(x, y), rel=1e-7)


# -- (e) bad inputs --------------------------------------------------------------------------------
@pytest.mark.parametrize("value", [-0.1, 1.5, float("nan")])
def test_label_smoothing_outside_0_1_is_refused(value):
    with pytest.raises(ValueError, match=r"BinaryCrossentropy label_smoothing must be .*\[0, 1\]"):
        losses.BinaryCrossentropy(label_smoothing=value)
    with pytest.raises(ValueError, match=r"CategoricalCrossentropy label_smoothing"):
        losses.CategoricalCrossentropy(label_smoothing=value)


def test_label_smoothing_must_be_a_number():
    with pytest.raises(TypeError, match="label_smoothing must be a number"):
        losses.BinaryCrossentropy(label_smoothing="0.1")


@pytest.mark.parametrize("reduction", ["avg", "auto", "Sum", 1])
def test_unknown_reduction_lists_the_accepted_ones(reduction):
    with pytest.raises(ValueError) as err:
        losses.MeanAbsoluteError(reduction=reduction)
    message = str(err.value)
    assert f"MeanAbsoluteError got reduction={reduction!r}" in message
    for accepted in ("'sum_over_batch_size'", "'sum'", "'mean'", "'mean_with_sample_weight'"):
        assert accepted in message
    assert "'none', None" in message


@pytest.mark.parametrize("delta", [0.0, -1.0, float("inf")])
def test_huber_delta_must_be_positive(delta):
    with pytest.raises(ValueError, match=r"Huber delta must be a finite number in \(0, inf\)"):
        losses.Huber(delta=delta)


def test_other_bad_options():
    with pytest.raises(TypeError, match="from_logits must be True or False"):
        losses.BinaryCrossentropy(from_logits="yes")
    with pytest.raises(ValueError, match="axis must be -1"):
        losses.CategoricalCrossentropy(axis=0)
    with pytest.raises(TypeError, match="ignore_class must be an integer"):
        losses.SparseCategoricalCrossentropy(ignore_class=1.5)
    with pytest.raises(ValueError, match="name must be a non-empty string"):
        losses.Poisson(name="")
