"""Activations: known values from the published formulas, derivatives by finite differences."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from glassnet import activations
from glassnet.gradcheck import numerical_gradient, relative_error

ELEMENTWISE = ["linear", "sigmoid", "tanh", "relu", "leaky_relu"]


def test_known_values_match_the_formulas():
    z = np.array([-2.0, -0.5, 0.0, 0.5, 3.0])
    sig = [
        1 / (1 + math.exp(2)),
        1 / (1 + math.exp(0.5)),
        0.5,
        1 / (1 + math.exp(-0.5)),
        1 / (1 + math.exp(-3)),
    ]
    np.testing.assert_allclose(activations.get("sigmoid")(z), sig, rtol=1e-15)
    tanh = [(math.exp(v) - math.exp(-v)) / (math.exp(v) + math.exp(-v)) for v in z]
    np.testing.assert_allclose(activations.get("tanh")(z), tanh, rtol=1e-14)
    np.testing.assert_array_equal(activations.get("relu")(z), [0, 0, 0, 0.5, 3.0])
    np.testing.assert_allclose(activations.get("leaky_relu")(z), [-0.02, -0.005, 0, 0.5, 3.0])
    np.testing.assert_allclose(
        activations.LeakyReLU(alpha=0.2)(z), [-0.4, -0.1, 0, 0.5, 3.0], rtol=1e-15
    )
    np.testing.assert_array_equal(activations.get("linear")(z), z)


def test_known_derivatives():
    z = np.array([-1.0, 0.0, 2.0])
    s = 1 / (1 + np.exp(-z))
    np.testing.assert_allclose(activations.sigmoid.derivative(z), s * (1 - s), rtol=1e-14)
    assert activations.sigmoid.derivative(np.array([0.0]))[0] == 0.25  # σ'(0) = 1/4
    assert activations.tanh.derivative(np.array([0.0]))[0] == 1.0  # tanh'(0) = 1
    np.testing.assert_array_equal(activations.relu.derivative(z), [0, 0, 1])
    np.testing.assert_array_equal(activations.leaky_relu.derivative(z), [0.01, 0.01, 1])
    np.testing.assert_array_equal(activations.linear.derivative(z), [1, 1, 1])


def test_softmax_known_value_and_rows_sum_to_one():
    z = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    e = np.exp([1.0, 2.0, 3.0])
    np.testing.assert_allclose(activations.softmax(z)[0], e / e.sum(), rtol=1e-15)
    np.testing.assert_allclose(activations.softmax(z)[1], [1 / 3] * 3, rtol=1e-15)
    np.testing.assert_allclose(activations.softmax(z).sum(axis=1), 1.0, rtol=1e-15)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_elementwise_derivative_matches_finite_differences(name):
    act = activations.get(name)
    rng = np.random.default_rng(1)
    z = rng.normal(size=(4, 5)) * 2
    z[np.abs(z) < 1e-3] = 0.5  # keep away from the kink of relu / leaky relu
    upstream = rng.normal(size=z.shape)

    def f():
        return float(np.sum(upstream * act(z)))

    numeric = numerical_gradient(f, z)
    analytic = act.backward(upstream, z, act(z))
    assert relative_error(analytic, numeric) < 1e-8
    # derivative() and backward() agree
    np.testing.assert_allclose(upstream * act.derivative(z, act(z)), analytic, rtol=1e-12)


def test_softmax_backward_and_jacobian_match_finite_differences():
    rng = np.random.default_rng(2)
    z = rng.normal(size=(3, 4))
    upstream = rng.normal(size=z.shape)

    def f():
        return float(np.sum(upstream * activations.softmax(z)))

    numeric = numerical_gradient(f, z)
    s = activations.softmax(z)
    assert relative_error(activations.softmax.backward(upstream, z, s), numeric) < 1e-8
    # the Jacobian ∂s_i/∂z_j = s_i(δ_ij − s_j), applied row by row
    jac = activations.softmax.derivative(z)
    assert jac.shape == (3, 4, 4)
    via_jacobian = np.einsum("bi,bij->bj", upstream, jac)
    assert relative_error(via_jacobian, numeric) < 1e-8


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "softmax"])
def test_stable_for_huge_inputs(name):
    # pytest turns RuntimeWarnings (overflow) into errors
    for dtype in (np.float32, np.float64):
        z = np.array([[-1e4, 0.0, 1e4], [1e4, 1e4, -1e4]], dtype=dtype)
        a = activations.get(name)(z)
        assert a.dtype == dtype
        assert np.isfinite(a).all()
        d = activations.get(name).backward(np.ones_like(z), z, a)
        assert np.isfinite(d).all()
    if name == "sigmoid":
        np.testing.assert_array_equal(activations.sigmoid(np.array([-1e4, 1e4])), [0.0, 1.0])
    if name == "softmax":
        out = activations.softmax(np.array([[1e4, 1e4, -1e4]]))
        np.testing.assert_allclose(out, [[0.5, 0.5, 0.0]])


@given(
    arrays(
        np.float32,
        st.tuples(st.integers(1, 6), st.integers(1, 6)),
        elements=st.floats(-1e4, 1e4, width=32),
    )
)
def test_shapes_and_dtypes_are_kept(z):
    for name in [*ELEMENTWISE, "softmax"]:
        act = activations.get(name)
        a = act(z)
        assert a.shape == z.shape
        assert a.dtype == np.float32
        assert act.backward(np.ones_like(z), z, a).dtype == np.float32
    s = activations.softmax(z)
    np.testing.assert_allclose(s.sum(axis=1), 1.0, rtol=1e-5)
    assert ((activations.sigmoid(z) >= 0) & (activations.sigmoid(z) <= 1)).all()


def test_get_by_name_object_callable_and_unknown():
    assert isinstance(activations.get("relu"), activations.ReLU)
    assert isinstance(activations.get("ReLU"), activations.ReLU)
    assert isinstance(activations.get(None), activations.Linear)
    obj = activations.LeakyReLU(alpha=0.3)
    assert activations.get(obj) is obj
    wrapped = activations.get(np.abs)
    np.testing.assert_array_equal(wrapped(np.array([-2.0])), [2.0])
    with pytest.raises(ValueError, match=r"unknown activation 'swishy'.*relu.*sigmoid.*tanh"):
        activations.get("swishy")
    with pytest.raises(TypeError, match="activation must be a name"):
        activations.get(3)
    with pytest.raises(ValueError, match="alpha must be >= 0"):
        activations.LeakyReLU(alpha=-1)


def test_custom_activation_registers_by_name():
    class Cube(activations.Activation):
        name = "cube"

        def __call__(self, z):
            return z**3

        def derivative(self, z, a=None):
            return 3 * z**2

    activations.register("cube", Cube)
    act = activations.get("cube")
    np.testing.assert_array_equal(act(np.array([2.0])), [8.0])
    np.testing.assert_array_equal(act.derivative(np.array([2.0])), [12.0])


# -- Keras's other activations -----------------------------------------------------------------
SELU_ALPHA, SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


def _sigmoid(v):
    return 1 / (1 + math.exp(-v))


def _hard_sigmoid(v):
    return 0.0 if v <= -3 else 1.0 if v >= 3 else v / 6 + 0.5


# g(v) for one number, from each published formula (math module, not glassnet's code)
FORMULAS = {
    "elu": lambda v: v if v > 0 else math.exp(v) - 1,
    "selu": lambda v: SELU_SCALE * (v if v > 0 else SELU_ALPHA * (math.exp(v) - 1)),
    "celu": lambda v: max(0.0, v) + (math.exp(min(0.0, v)) - 1),
    "softplus": lambda v: math.log(1 + math.exp(v)),
    "softsign": lambda v: v / (1 + abs(v)),
    "silu": lambda v: v * _sigmoid(v),
    "gelu": lambda v: 0.5 * v * (1 + math.erf(v / math.sqrt(2))),
    "exponential": math.exp,
    "relu6": lambda v: min(max(v, 0.0), 6.0),
    "hard_sigmoid": _hard_sigmoid,
    "hard_silu": lambda v: v * _hard_sigmoid(v),
    "mish": lambda v: v * math.tanh(math.log(1 + math.exp(v))),
}
NEW_ELEMENTWISE = list(FORMULAS)
POINTS = [-7.0, -4.0, -2.5, -0.5, 0.3, 1.7, 4.0, 7.5]


@pytest.mark.parametrize("name", NEW_ELEMENTWISE)
def test_new_activation_values_match_the_published_formula(name):
    z = np.array(POINTS)
    expected = [FORMULAS[name](v) for v in POINTS]
    np.testing.assert_allclose(activations.get(name)(z), expected, rtol=1e-13, atol=1e-300)


def test_new_activations_at_known_points():
    assert activations.gelu(np.array([0.0]))[0] == 0.0
    assert activations.gelu(np.array([1.0]))[0] == pytest.approx(0.8413447460685429, rel=1e-15)
    np.testing.assert_array_equal(activations.hard_sigmoid(np.array([-3.0, 0.0, 3.0])), [0, 0.5, 1])
    np.testing.assert_array_equal(activations.relu6(np.array([-1.0, 2.0, 9.0])), [0, 2, 6])
    assert activations.selu(np.array([1.0]))[0] == pytest.approx(SELU_SCALE, rel=1e-15)
    assert activations.softplus(np.array([0.0]))[0] == pytest.approx(math.log(2), rel=1e-15)
    # settings, from the published formulas
    z = np.array([-2.0, -0.5, 1.5])
    np.testing.assert_allclose(
        activations.elu(z, alpha=0.5), [0.5 * (math.exp(-2) - 1), 0.5 * (math.exp(-0.5) - 1), 1.5]
    )
    np.testing.assert_allclose(
        activations.CELU(alpha=0.5)(z), [0.5 * (math.exp(-4) - 1), 0.5 * (math.exp(-1) - 1), 1.5]
    )
    tanh_u = [math.tanh(math.sqrt(2 / math.pi) * (v + 0.044715 * v**3)) for v in z]
    np.testing.assert_allclose(
        activations.gelu(z, approximate=True),
        [0.5 * v * (1 + t) for v, t in zip(z, tanh_u, strict=True)],
    )
    row = np.array([[1.0, 2.0, 3.0]])
    lse = math.log(math.exp(1) + math.exp(2) + math.exp(3))
    np.testing.assert_allclose(activations.log_softmax(row), [[1 - lse, 2 - lse, 3 - lse]])


def test_relu_settings_follow_keras():
    x = np.array([-10.0, -5.0, 0.0, 5.0, 10.0])  # the examples of Keras's relu docstring
    np.testing.assert_array_equal(activations.relu(x), [0, 0, 0, 5, 10])
    np.testing.assert_array_equal(activations.relu(x, negative_slope=0.5), [-5, -2.5, 0, 5, 10])
    np.testing.assert_array_equal(activations.relu(x, max_value=5.0), [0, 0, 0, 5, 5])
    np.testing.assert_array_equal(activations.relu(x, threshold=5.0), [0, 0, 0, 0, 10])
    # z > θ: min(z, m); below θ: s·(z − θ)
    z = np.array([-1.0, 1.0, 3.0, 5.0])
    relu = activations.ReLU(negative_slope=0.2, max_value=4.0, threshold=2.0)
    np.testing.assert_allclose(relu(z), [-0.6, -0.2, 3.0, 4.0], rtol=1e-15)
    np.testing.assert_array_equal(relu.derivative(z), [0.2, 0.2, 1.0, 0.0])
    assert activations.relu(z, max_value=6.0).dtype == z.dtype
    # the default object is unchanged and still saved as "relu"
    assert activations.serialize(activations.ReLU()) == "relu"
    with pytest.raises(ValueError, match="ReLU max_value must be >= 0, got -1"):
        activations.ReLU(max_value=-1)
    with pytest.raises(ValueError, match="ReLU negative_slope must be >= 0"):
        activations.relu(z, negative_slope=-0.1)
    with pytest.raises(TypeError, match="unexpected keyword argument 'alpha'"):
        activations.relu(z, alpha=0.1)


def test_leaky_relu_takes_kerass_negative_slope_and_keeps_its_default():
    z = np.array([-2.0, 3.0])
    np.testing.assert_allclose(activations.leaky_relu(z), [-0.02, 3.0])  # glassnet: 0.01
    np.testing.assert_allclose(activations.leaky_relu(z, negative_slope=0.2), [-0.4, 3.0])
    assert activations.LeakyReLU(negative_slope=0.3) == activations.LeakyReLU(alpha=0.3)
    assert activations.LeakyReLU(negative_slope=0.3).negative_slope == 0.3
    with pytest.raises(ValueError, match="alpha or negative_slope"):
        activations.LeakyReLU(alpha=0.1, negative_slope=0.2)


# (activation, the points where its derivative jumps)
DIFFERENTIABLE = [
    *[(activations.get(name), ()) for name in NEW_ELEMENTWISE],
    (activations.ELU(alpha=0.5), (0.0,)),
    (activations.CELU(alpha=2.0), (0.0,)),
    (activations.GELU(approximate=True), ()),
    (activations.ReLU(negative_slope=0.1), (0.0,)),
    (activations.ReLU(max_value=1.5), (0.0, 1.5)),
    (activations.ReLU(threshold=0.7), (0.0, 0.7)),
    (activations.ReLU(negative_slope=0.3, max_value=2.0, threshold=0.5), (0.5, 2.0)),
]
KINKS = {"relu6": (0.0, 6.0), "hard_sigmoid": (-3.0, 3.0), "hard_silu": (-3.0, 3.0)}
KINKS |= {"elu": (0.0,), "selu": (0.0,)}  # selu and elu (α ≠ 1) change slope at 0


@pytest.mark.parametrize("act, kinks", DIFFERENTIABLE, ids=repr)
def test_new_activation_derivatives_match_finite_differences(act, kinks):
    rng = np.random.default_rng(5)
    z = rng.normal(size=(6, 7)) * 3
    for k in (*kinks, *KINKS.get(act.name, ())):
        z[np.abs(z - k) < 1e-3] += 0.01  # finite differences across a kink measure nothing
    upstream = rng.normal(size=z.shape)

    def f():
        return float(np.sum(upstream * act(z)))

    numeric = numerical_gradient(f, z)
    analytic = act.backward(upstream, z, act(z))
    assert relative_error(analytic, numeric) < 1e-8
    np.testing.assert_allclose(upstream * act.derivative(z, act(z)), analytic, rtol=1e-12)


@pytest.mark.parametrize("axis", [-1, 0])
def test_log_softmax_backward_and_jacobian_match_finite_differences(axis):
    act = activations.LogSoftmax(axis=axis)
    rng = np.random.default_rng(6)
    z = rng.normal(size=(3, 4))
    upstream = rng.normal(size=z.shape)

    def f():
        return float(np.sum(upstream * act(z)))

    numeric = numerical_gradient(f, z)
    assert relative_error(act.backward(upstream, z, act(z)), numeric) < 1e-8
    jac = act.derivative(z)  # ∂g_i/∂z_j = δ_ij − s_j, over the axis (moved last)
    via_jacobian = np.einsum("bi,bij->bj", np.moveaxis(upstream, axis, -1), jac)
    assert relative_error(np.moveaxis(via_jacobian, -1, axis), numeric) < 1e-8


KERAS_CALLS = [
    *[(name, {}) for name in [*NEW_ELEMENTWISE, "swish", "hard_swish", "log_softmax"]],
    ("elu", {"alpha": 0.5}),
    ("celu", {"alpha": 2.0}),
    ("gelu", {"approximate": True}),
    ("leaky_relu", {"negative_slope": 0.2}),
    ("log_softmax", {"axis": 0}),
    ("relu", {"negative_slope": 0.1}),
    ("relu", {"max_value": 6.0}),
    ("relu", {"max_value": 2.5}),
    ("relu", {"threshold": 1.5}),
    ("relu", {"negative_slope": 0.3, "threshold": 0.5}),
    ("relu", {"negative_slope": 0.2, "max_value": 4.0, "threshold": 2.0}),
    ("relu", {"threshold": 5.0, "max_value": 3.0}),
]


@pytest.mark.parametrize("name, kwargs", KERAS_CALLS, ids=str)
def test_new_activations_equal_kerass(keras_float64, name, kwargs):
    keras = keras_float64
    z = (np.linspace(-6.5, 6.5, 60) + 0.0123).reshape(4, 15)
    expected = keras.ops.convert_to_numpy(getattr(keras.activations, name)(z, **kwargs))
    ours = getattr(activations, name)(z, **kwargs)
    assert ours.dtype == np.float64
    np.testing.assert_allclose(ours, expected, rtol=1e-12, atol=1e-15)
    # the same through the name, as a layer resolves it
    if not kwargs:
        np.testing.assert_allclose(activations.get(name)(z), expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", [*NEW_ELEMENTWISE, "log_softmax"])
def test_new_activations_keep_float32_and_stay_finite(name):
    act = activations.get(name)
    z = np.array([[-1e4, -3.5, 0.25, 2.0, 1e4]], dtype=np.float32)
    if name == "exponential":
        z = z.clip(-80, 80)  # e^z overflows beyond 88 in float32: the function itself, not a bug
    a = act(z)
    assert a.dtype == np.float32
    assert np.isfinite(a).all()
    d = act.backward(np.ones_like(z), z, a)
    assert d.dtype == np.float32
    assert np.isfinite(d).all()


def test_new_activations_have_names_aliases_and_formulas():
    for name in [*NEW_ELEMENTWISE, "log_softmax", "relu", "sigmoid", "tanh", "softmax"]:
        act = activations.get(name)
        assert act.name == name
        assert act.formula and act.derivative_formula
        assert (
            activations.serialize(act) == name
            or activations.deserialize(activations.serialize(act)) == act
        )
    assert isinstance(activations.get("swish"), activations.SiLU)
    assert isinstance(activations.get("hard_swish"), activations.HardSiLU)
    assert activations.swish is activations.silu


@pytest.mark.parametrize(
    "act",
    [
        activations.ReLU(negative_slope=0.1, max_value=6.0),
        activations.ELU(alpha=0.7),
        activations.CELU(alpha=0.5),
        activations.GELU(approximate=True),
        activations.LogSoftmax(axis=0),
    ],
    ids=repr,
)
def test_activation_settings_round_trip(act):
    data = activations.serialize(act)
    assert isinstance(data, dict) and data["config"]
    back = activations.deserialize(data)
    assert back == act and type(back) is type(act)


def test_bad_settings_are_clear_errors():
    with pytest.raises(ValueError, match="ELU alpha must be a finite number, got nan"):
        activations.ELU(alpha=float("nan"))
    with pytest.raises(ValueError, match="CELU alpha must be a nonzero number"):
        activations.CELU(alpha=0)
    with pytest.raises(TypeError, match="GELU approximate must be True or False, got 'tanh'"):
        activations.GELU(approximate="tanh")
    with pytest.raises(TypeError, match="LogSoftmax axis must be an integer"):
        activations.LogSoftmax(axis=1.5)


@pytest.mark.parametrize("name", ["elu", "selu", "gelu", "silu", "mish", "hard_silu"])
def test_new_activations_work_as_a_dense_layers_activation(float64, name):
    import glassnet as gn
    from glassnet import layers

    model = gn.Sequential([layers.Input((3,)), layers.Dense(4, activation=name)])
    x = np.random.default_rng(0).normal(size=(5, 3))
    kernel, bias = model.layers[0].get_weights()
    np.testing.assert_allclose(
        model.predict(x, verbose=0), activations.get(name)(x @ kernel + bias), rtol=1e-12
    )
    # backpropagation through the layer agrees with finite differences
    model.compile(optimizer="sgd", loss="mse")
    report = gn.gradcheck(model, x, np.random.default_rng(1).normal(size=(5, 4)))
    assert report.passed, str(report)
    assert max(c.relative_error for c in report.checks) < 1e-6
