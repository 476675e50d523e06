"""Initializers, regularizers and constraints: values from the published formulas, statistics
that a wrong draw would fail, gradients by finite differences, and equality with Keras 3."""

import json
import math

import numpy as np
import pytest

import glassnet as gn
from glassnet import constraints, initializers, ops, regularizers
from glassnet.gradcheck import numerical_gradient, relative_error

EPS = 1e-7  # Keras's backend.epsilon()


# -- initializers -------------------------------------------------------------------------------
RANDOM_INITIALIZERS = [
    initializers.TruncatedNormal(mean=0.1, stddev=0.2, seed=3),
    initializers.LecunNormal(seed=3),
    initializers.LecunUniform(seed=3),
    initializers.Orthogonal(gain=1.5, seed=3),
    initializers.VarianceScaling(2.0, "fan_out", "untruncated_normal", seed=3),
]


@pytest.mark.parametrize("init", RANDOM_INITIALIZERS, ids=repr)
def test_random_initializers_have_the_shape_and_repeat_from_their_seed(init):
    a, b = init((30, 20)), init((30, 20))
    assert a.shape == (30, 20) and a.dtype == np.float32
    np.testing.assert_array_equal(a, b)
    assert init((30, 20), dtype="float64").dtype == np.float64
    other = type(init)(**{**init.get_config(), "seed": 4})
    assert not np.array_equal(other((30, 20)), a)
    # without a seed, the model's generator (gn.set_seed) decides
    unseeded = type(init)(**{**init.get_config(), "seed": None})
    gn.set_seed(7)
    c = unseeded((30, 20))
    gn.set_seed(7)
    np.testing.assert_array_equal(unseeded((30, 20)), c)


def test_truncated_normal_lies_within_two_stddev_with_the_cut_normals_spread():
    w = initializers.TruncatedNormal(mean=0.3, stddev=0.1, seed=0)((400, 300), dtype="float64")
    assert np.abs(w - 0.3).max() <= 0.2  # cut at 2σ …
    assert np.abs(w - 0.3).max() > 0.199  # … and drawn up to it
    assert w.mean() == pytest.approx(0.3, abs=1e-3)  # the standard error is 2.5e-4
    # the std of a unit normal cut at ±2 is 0.8796 (Keras does not rescale TruncatedNormal)
    assert w.std() == pytest.approx(0.1 * 0.87962566103423978, rel=0.01)
    assert initializers.TruncatedNormal().get_config() == {
        "mean": 0.0,
        "stddev": 0.05,
        "seed": None,
    }


@pytest.mark.parametrize(
    "name, variance, limit",
    [
        # fan_in = 400, fan_out = 300 for a (400, 300) kernel
        ("lecun_normal", 1 / 400, 2 * math.sqrt(1 / 400) / 0.87962566103423978),
        ("lecun_uniform", 1 / 400, math.sqrt(3 / 400)),
        ("glorot_normal", 2 / 700, 2 * math.sqrt(2 / 700) / 0.87962566103423978),
        ("glorot_uniform", 2 / 700, math.sqrt(6 / 700)),
    ],
)
def test_variance_scaling_family_has_the_formula_variance(name, variance, limit):
    w = initializers.get(name)((400, 300), dtype="float64")
    assert w.var() == pytest.approx(variance, rel=0.02)
    assert np.abs(w).max() <= limit
    assert abs(w.mean()) < 4 * math.sqrt(variance / w.size)


def test_fans_of_a_convolution_kernel_count_the_receptive_field():
    # (3, 3, 16, 32): fan_in = 3·3·16 = 144, fan_out = 3·3·32 = 288
    w = initializers.GlorotUniform(seed=1)((3, 3, 16, 32), dtype="float64")
    assert w.var() == pytest.approx(2 / (144 + 288), rel=0.03)
    w = initializers.LecunNormal(seed=1)((3, 3, 16, 32), dtype="float64")
    assert w.var() == pytest.approx(1 / 144, rel=0.03)


def test_variance_scaling_untruncated_and_keras_distribution_names():
    init = initializers.VarianceScaling(2.0, "fan_in", "untruncated_normal", seed=0)
    w = init((500, 400), dtype="float64")
    assert w.std() == pytest.approx(math.sqrt(2 / 500), rel=0.01)
    assert np.abs(w).max() > 3 * math.sqrt(2 / 500)  # not cut at 2σ
    assert initializers.VarianceScaling(distribution="normal").distribution == "truncated_normal"
    with pytest.raises(ValueError, match="distribution must be 'uniform', 'truncated_normal'"):
        initializers.VarianceScaling(distribution="gaussian")


@pytest.mark.parametrize("shape", [(50, 20), (20, 50), (3, 3, 4, 8), (16, 16)])
def test_orthogonal_gives_orthonormal_columns_or_rows_times_the_gain(shape):
    w = initializers.Orthogonal(gain=2.0, seed=1)(shape, dtype="float64")
    assert w.shape == shape
    flat = w.reshape(-1, shape[-1])
    rows, cols = flat.shape
    product = flat.T @ flat if rows >= cols else flat @ flat.T  # WᵀW or WWᵀ
    np.testing.assert_allclose(product, 4.0 * np.eye(min(rows, cols)), atol=1e-12)


def test_orthogonal_is_the_qr_factor_with_a_positive_diagonal():
    # A = QR has one factorization with diag(R) > 0; the initializer must return that Q (times
    # the gain) for the normal matrix its seed draws, which makes Q uniformly distributed.
    w = initializers.Orthogonal(gain=1.0, seed=11)((40, 6), dtype="float64")
    a = np.random.default_rng(11).normal(size=(40, 6))
    r = w.T @ a  # R = Qᵀ A
    np.testing.assert_allclose(np.tril(r, -1), 0, atol=1e-12)
    assert (np.diag(r) > 0).all()


def test_identity_and_constant_are_exact(keras_float64):
    keras = keras_float64
    np.testing.assert_array_equal(initializers.Identity(gain=0.5)((3, 5)), 0.5 * np.eye(3, 5))
    np.testing.assert_array_equal(initializers.get("identity")((4, 4)), np.eye(4))
    c = initializers.Constant(0.7)((2, 3))
    assert c.dtype == np.float32 and (c == np.float32(0.7)).all()
    for ours, theirs in [
        (initializers.Identity(gain=0.5), keras.initializers.Identity(gain=0.5)),
        (initializers.Constant(-1.25), keras.initializers.Constant(-1.25)),
    ]:
        expected = keras.ops.convert_to_numpy(theirs((3, 5), dtype="float64"))
        np.testing.assert_array_equal(ours((3, 5), dtype="float64"), expected)


def test_initializer_names_and_aliases_follow_keras():
    expected = {
        "truncated_normal": initializers.TruncatedNormal,
        "TruncatedNormal": initializers.TruncatedNormal,
        "lecun_normal": initializers.LecunNormal,
        "lecun_uniform": initializers.LecunUniform,
        "LecunUniform": initializers.LecunUniform,
        "orthogonal": initializers.Orthogonal,
        "OrthogonalInitializer": initializers.Orthogonal,
        "identity": initializers.Identity,
        "IdentityInitializer": initializers.Identity,
        "constant": initializers.Constant,
        "normal": initializers.RandomNormal,
        "uniform": initializers.RandomUniform,
        "zero": initializers.Zeros,
        "one": initializers.Ones,
        "GlorotUniform": initializers.GlorotUniform,
    }
    for name, cls in expected.items():
        assert type(initializers.get(name)) is cls, name


@pytest.mark.parametrize(
    "init",
    [
        *RANDOM_INITIALIZERS,
        initializers.Constant(2.5),
        initializers.Identity(gain=3.0),
        initializers.GlorotNormal(seed=2),
    ],
    ids=repr,
)
def test_initializer_configs_round_trip(init):
    data = json.loads(json.dumps(initializers.serialize(init)))
    back = initializers.deserialize(data)
    assert type(back) is type(init) and back.get_config() == init.get_config()
    np.testing.assert_array_equal(back((4, 3)), init((4, 3)))
    assert type(initializers.get(data)) is type(init)


def test_bad_initializer_settings_are_clear_errors():
    with pytest.raises(ValueError, match=r"TruncatedNormal stddev must be a finite number in \(0"):
        initializers.TruncatedNormal(stddev=0.0)
    with pytest.raises(TypeError, match="Constant value must be a number, got str"):
        initializers.Constant("one")
    with pytest.raises(ValueError, match="Constant value must be a finite number"):
        initializers.Constant(float("inf"))
    with pytest.raises(ValueError, match=r"Identity initializer makes 2-D matrices only.*rank 3"):
        initializers.Identity()((2, 2, 2))
    with pytest.raises(ValueError, match="Orthogonal initializer needs a shape of at least 2"):
        initializers.Orthogonal()((5,))
    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        initializers.Orthogonal(seed=-1)


# -- regularizers -------------------------------------------------------------------------------
W_SMALL = np.array([[1.0, -2.0], [0.5, 0.0]])


def test_regularizer_values_match_the_hand_formulas():
    # Σ|w| = 3.5, Σw² = 1 + 4 + 0.25 = 5.25
    assert regularizers.L1(0.1)(W_SMALL) == pytest.approx(0.35, rel=1e-15)
    assert regularizers.L2(0.1)(W_SMALL) == pytest.approx(0.525, rel=1e-15)  # no ½
    assert regularizers.L1L2(0.1, 0.2)(W_SMALL) == pytest.approx(0.35 + 1.05, rel=1e-15)
    assert regularizers.get("l2")(W_SMALL) == pytest.approx(0.0525, rel=1e-15)  # default 0.01
    assert regularizers.get("l1")(W_SMALL) == pytest.approx(0.035, rel=1e-15)
    assert regularizers.get("l1_l2")(W_SMALL) == 0.0  # Keras 3's L1L2 defaults to 0 and 0
    # orthogonal: rows (1, 0) and (0.6, 0.8) have cosine 0.6; one pair
    w = np.array([[2.0, 0.0], [0.3, 0.4]])
    value = regularizers.OrthogonalRegularizer(factor=0.5)(w)
    assert value == pytest.approx(0.5 * 0.5 * (2 * 0.6) / 1, rel=1e-12)
    # columns (2, 0.3) and (0, 0.4): cosine 0.3/√4.09
    value = regularizers.OrthogonalRegularizer(factor=1.0, mode="columns")(w)
    assert value == pytest.approx(0.5 * 2 * 0.3 / math.sqrt(4.09), rel=1e-12)


def test_regularizer_on_a_numpy_array_is_a_numpy_scalar_of_its_type():
    for reg in [regularizers.L1(), regularizers.L2(), regularizers.L1L2(0.1, 0.1)]:
        for dtype in (np.float32, np.float64):
            value = reg(W_SMALL.astype(dtype))
            assert isinstance(value, np.floating) and value.dtype == dtype
    zero = regularizers.L1L2()(W_SMALL.astype(np.float32))
    assert isinstance(zero, np.float32) and zero == 0


KERAS_REGULARIZERS = [
    ("L1", {"l1": 0.03}),
    ("L2", {"l2": 0.02}),
    ("L1L2", {"l1": 0.01, "l2": 0.05}),
    ("L1L2", {"l2": 0.05}),
    ("OrthogonalRegularizer", {"factor": 0.1}),
    ("OrthogonalRegularizer", {"factor": 0.2, "mode": "columns"}),
]


@pytest.mark.parametrize("name, kwargs", KERAS_REGULARIZERS, ids=str)
def test_regularizers_equal_kerass(keras_float64, name, kwargs):
    keras = keras_float64
    w = np.random.default_rng(2).normal(size=(5, 4))
    expected = keras.ops.convert_to_numpy(
        getattr(keras.regularizers, name)(**kwargs)(keras.ops.convert_to_tensor(w))
    )
    ours = getattr(regularizers, name)(**kwargs)(w)
    assert ours == pytest.approx(float(expected), rel=1e-12)


@pytest.mark.parametrize(
    "reg",
    [
        regularizers.L1(0.03),
        regularizers.L2(0.02),
        regularizers.L1L2(0.01, 0.05),
        regularizers.OrthogonalRegularizer(0.1),
        regularizers.OrthogonalRegularizer(0.1, mode="columns"),
    ],
    ids=repr,
)
def test_regularizer_gradient_on_the_tape_matches_finite_differences(float64, reg):
    value = np.random.default_rng(3).normal(size=(5, 4))
    variable = gn.Variable(value.copy(), "kernel")
    with gn.Tape() as tape:
        penalty = reg(variable)
    assert isinstance(penalty, gn.Tensor)
    assert float(penalty.numpy()) == pytest.approx(float(reg(value)), rel=1e-14)
    tape.backward([(penalty, np.ones(()))])
    numeric = numerical_gradient(lambda: float(reg(value)), value)
    assert relative_error(variable.grad, numeric) < 1e-8


def test_regularizer_gradient_has_the_closed_form_and_flows_through_recorded_tensors(float64):
    w = np.array([[1.0, -2.0], [0.5, -0.25]])
    variable = gn.Variable(w.copy(), "kernel")
    with gn.Tape() as tape:
        penalty = regularizers.L1L2(0.1, 0.2)(variable)
    tape.backward([(penalty, np.ones(()))])
    np.testing.assert_allclose(variable.grad, 0.1 * np.sign(w) + 2 * 0.2 * w, rtol=1e-15)
    # on a recorded tensor t = 3w: ∂R/∂w = 3·(2·l2·t)
    variable = gn.Variable(w.copy(), "kernel")
    with gn.Tape() as tape:
        penalty = regularizers.L2(0.2)(ops.multiply(variable, 3.0))
    tape.backward([(penalty, np.ones(()))])
    np.testing.assert_allclose(variable.grad, 3 * 2 * 0.2 * (3 * w), rtol=1e-15)


def test_regularizer_on_a_float32_variable_stays_float32():
    variable = gn.Variable(W_SMALL.astype(np.float32), "kernel")
    with gn.Tape() as tape:
        penalty = regularizers.L1L2(0.1, 0.1)(variable)
    assert penalty.numpy().dtype == np.float32
    tape.backward([(penalty, np.ones((), dtype=np.float32))])
    assert variable.grad.dtype == np.float32


def test_regularizer_get_names_objects_and_functions():
    assert isinstance(regularizers.get("l1"), regularizers.L1)
    assert isinstance(regularizers.get("L2"), regularizers.L2)
    assert isinstance(regularizers.get("l1_l2"), regularizers.L1L2)
    assert isinstance(regularizers.get("l1l2"), regularizers.L1L2)
    assert isinstance(
        regularizers.get("orthogonal_regularizer"), regularizers.OrthogonalRegularizer
    )
    assert regularizers.get(None) is None
    reg = regularizers.L2(0.3)
    assert regularizers.get(reg) is reg
    assert isinstance(regularizers.get(regularizers.L1), regularizers.L1)

    def abs_cubed(x):
        return ops.multiply(0.1, ops.sum(ops.power(ops.abs(x), 3)))

    assert regularizers.get(abs_cubed) is abs_cubed
    with pytest.raises(
        ValueError, match=r"unknown regularizer 'l3'; accepted names: l1, l1_l2, l2"
    ):
        regularizers.get("l3")
    with pytest.raises(TypeError, match="a regularizer must be a name"):
        regularizers.get(0.01)


@pytest.mark.parametrize(
    "reg",
    [
        regularizers.L1(0.2),
        regularizers.L2(1e-4),
        regularizers.L1L2(l1=0.1, l2=0.3),
        regularizers.OrthogonalRegularizer(0.05, mode="columns"),
    ],
    ids=repr,
)
def test_regularizer_configs_round_trip(reg):
    data = json.loads(json.dumps(regularizers.serialize(reg)))
    assert regularizers.deserialize(data) == reg
    assert regularizers.get(data) == reg
    assert type(reg).from_config(reg.get_config()) == reg


def test_bad_regularizer_settings_are_clear_errors():
    with pytest.raises(ValueError, match=r"L1 l1 must be a non-negative finite number, got -0\.1"):
        regularizers.L1(-0.1)
    with pytest.raises(ValueError, match="L2 l2 must be a non-negative finite number, got inf"):
        regularizers.L2(float("inf"))
    with pytest.raises(ValueError, match="L1L2 l1 must be a non-negative finite number, got nan"):
        regularizers.L1L2(l1=float("nan"))
    with pytest.raises(ValueError, match="L2 l2 must be a non-negative finite number, got str"):
        regularizers.L2("0.1")
    with pytest.raises(ValueError, match="mode must be 'rows' or 'columns', got 'diagonal'"):
        regularizers.OrthogonalRegularizer(mode="diagonal")
    with pytest.raises(ValueError, match=r"needs a 2-D weight, got shape \(3,\)"):
        regularizers.OrthogonalRegularizer()(np.ones(3))
    with pytest.raises(ValueError, match="needs at least 2 rows"):
        regularizers.OrthogonalRegularizer()(np.ones((1, 3)))


# -- constraints --------------------------------------------------------------------------------
W_CON = np.array([[3.0, 0.3], [4.0, -0.4]])  # column norms 5 and 0.5, row norms √9.09, √16.16


def test_constraint_values_match_the_hand_formulas():
    np.testing.assert_allclose(
        constraints.MaxNorm(2.0)(W_CON),
        [
            [3 * 2 / (5 + EPS), 0.3 * 0.5 / (0.5 + EPS)],
            [4 * 2 / (5 + EPS), -0.4 * 0.5 / (0.5 + EPS)],
        ],
        rtol=1e-15,
    )
    np.testing.assert_allclose(
        constraints.UnitNorm()(W_CON),
        [[3 / (5 + EPS), 0.3 / (0.5 + EPS)], [4 / (5 + EPS), -0.4 / (0.5 + EPS)]],
        rtol=1e-15,
    )
    # rate 0.5 into [1, 2]: column 0: 0.5·2 + 0.5·5 = 3.5; column 1: 0.5·1 + 0.5·0.5 = 0.75
    np.testing.assert_allclose(
        constraints.MinMaxNorm(1.0, 2.0, rate=0.5)(W_CON),
        [
            [3 * 3.5 / (5 + EPS), 0.3 * 0.75 / (0.5 + EPS)],
            [4 * 3.5 / (5 + EPS), -0.4 * 0.75 / (0.5 + EPS)],
        ],
        rtol=1e-15,
    )
    np.testing.assert_array_equal(constraints.NonNeg()(W_CON), [[3.0, 0.3], [4.0, 0.0]])
    rows = constraints.UnitNorm(axis=1)(W_CON)
    np.testing.assert_allclose(rows[0], W_CON[0] / (math.sqrt(9.09) + EPS), rtol=1e-15)
    np.testing.assert_allclose(np.linalg.norm(constraints.UnitNorm()(W_CON), axis=0), 1, rtol=1e-6)


def test_constraints_read_the_configured_epsilon():
    try:
        gn.config.set_epsilon(1e-3)
        np.testing.assert_allclose(constraints.UnitNorm()(W_CON)[:, 0], [3 / 5.001, 4 / 5.001])
    finally:
        gn.config.set_epsilon(1e-7)


KERAS_CONSTRAINTS = [
    ("MaxNorm", {"max_value": 1.5}),
    ("MaxNorm", {"max_value": 1.5, "axis": 1}),
    ("MaxNorm", {"max_value": 2.0, "axis": [0, 1]}),
    ("MinMaxNorm", {"min_value": 0.5, "max_value": 1.5, "rate": 0.7}),
    ("MinMaxNorm", {"min_value": 2.0, "max_value": 3.0, "axis": 2}),
    ("NonNeg", {}),
    ("UnitNorm", {}),
    ("UnitNorm", {"axis": -1}),
]


@pytest.mark.parametrize("name, kwargs", KERAS_CONSTRAINTS, ids=str)
def test_constraints_equal_kerass(keras_float64, name, kwargs):
    keras = keras_float64
    w = np.random.default_rng(4).normal(size=(3, 4, 5))
    expected = keras.ops.convert_to_numpy(
        getattr(keras.constraints, name)(**kwargs)(keras.ops.convert_to_tensor(w))
    )
    ours = getattr(constraints, name)(**kwargs)(w)
    assert ours.dtype == np.float64
    np.testing.assert_allclose(ours, expected, rtol=1e-12, atol=1e-15)


def test_constraints_keep_float32():
    w = W_CON.astype(np.float32)
    for name in ["max_norm", "min_max_norm", "non_neg", "unit_norm"]:
        assert constraints.get(name)(w).dtype == np.float32


def test_constraint_get_names_objects_and_functions():
    assert isinstance(constraints.get("max_norm"), constraints.MaxNorm)
    assert isinstance(constraints.get("MinMaxNorm"), constraints.MinMaxNorm)
    assert isinstance(constraints.get("non_neg"), constraints.NonNeg)
    assert isinstance(constraints.get("unit_norm"), constraints.UnitNorm)
    assert constraints.get(None) is None
    assert constraints.get(np.abs) is np.abs
    with pytest.raises(ValueError, match=r"unknown constraint 'nonneg2'.*max_norm.*non_neg"):
        constraints.get("nonneg2")


@pytest.mark.parametrize(
    "con",
    [
        constraints.MaxNorm(3, axis=[0, 1]),
        constraints.MinMaxNorm(0.5, 2.0, rate=0.25, axis=1),
        constraints.NonNeg(),
        constraints.UnitNorm(axis=-1),
    ],
    ids=repr,
)
def test_constraint_configs_round_trip(con):
    data = json.loads(json.dumps(constraints.serialize(con)))
    back = constraints.deserialize(data)
    assert back == con
    w = np.random.default_rng(5).normal(size=(3, 4, 2))
    np.testing.assert_array_equal(back(w), con(w))
    assert type(con).from_config(con.get_config()) == con


def test_bad_constraint_settings_are_clear_errors():
    with pytest.raises(ValueError, match="MaxNorm max_value must be a finite number >= 0, got -1"):
        constraints.MaxNorm(-1)
    with pytest.raises(TypeError, match="MaxNorm max_value must be a number, got str"):
        constraints.MaxNorm("2")
    with pytest.raises(
        ValueError, match=r"MinMaxNorm needs min_value <= max_value, got 2\.0 and 1\.0"
    ):
        constraints.MinMaxNorm(2.0, 1.0)
    with pytest.raises(ValueError, match="MinMaxNorm rate must be a finite number >= 0 and <= 1"):
        constraints.MinMaxNorm(rate=1.5)
    with pytest.raises(TypeError, match="UnitNorm axis must be an integer or a list of integers"):
        constraints.UnitNorm(axis=0.5)
