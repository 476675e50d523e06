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
