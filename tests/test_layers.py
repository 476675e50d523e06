"""Layers: forward against the written-out formulas, backward against finite differences."""

import numpy as np
import pytest

import glassnet as gn
from glassnet import layers
from glassnet.gradcheck import numerical_gradient, relative_error


def built_dense(units, inputs, **kwargs):
    layer = layers.Dense(units, **kwargs)
    layer.build((None, inputs))
    layer.built = True
    return layer


def backward_through(layer, x, upstream, training=True):
    """One recorded call of the layer on x, then the tape's backward pass from ∂L/∂A = upstream:
    returns ∂L/∂X (x is given as a variable, so that it receives a gradient)."""
    x_var = gn.Variable(np.array(x, copy=True), "x")
    for w in layer.weights:
        w.grad = None
    with gn.Tape() as tape:
        out = layer(x_var, training=training)
    tape.backward([(out, upstream)])
    return x_var.grad


def test_dense_forward_is_xw_plus_b_then_activation(float64):
    layer = built_dense(2, 3, activation="sigmoid")
    w = np.array([[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]])
    b = np.array([0.05, -0.05])
    layer.set_weights([w, b])
    x = np.array([[1.0, 2.0, 3.0]])
    # Z = X·W + b by hand: [0.1 + 0.6 − 1.5 + 0.05, −0.2 + 0.8 + 1.8 − 0.05] = [−0.75, 2.35]
    z = np.array([[-0.75, 2.35]])
    np.testing.assert_allclose(layer(x), 1 / (1 + np.exp(-z)), rtol=1e-14)


def test_dense_weights_have_keras_shapes():
    layer = built_dense(512, 784, activation="relu")
    kernel, bias = layer.get_weights()
    assert kernel.shape == (784, 512) and bias.shape == (512,)
    assert kernel.dtype == np.float32
    assert layer.count_params() == 784 * 512 + 512
    assert built_dense(4, 3, use_bias=False).count_params() == 12
    assert [w.path for w in layer.weights] == [f"{layer.name}/kernel", f"{layer.name}/bias"]


@pytest.mark.parametrize("use_bias", [True, False])
@pytest.mark.parametrize(
    "activation", ["linear", "sigmoid", "tanh", "relu", "leaky_relu", "softmax"]
)
def test_dense_gradients_match_finite_differences(float64, use_bias, activation):
    rng = np.random.default_rng(1)
    layer = built_dense(4, 3, activation=activation, use_bias=use_bias)
    x = rng.normal(size=(5, 3))
    upstream = rng.normal(size=(5, 4))

    def f():
        return float(np.sum(upstream * layer(x)))

    dx = backward_through(layer, x, upstream)
    analytic = [g.copy() for g in layer.grads]
    for param, grad in zip(layer.params, analytic, strict=True):
        assert relative_error(grad, numerical_gradient(f, param)) < 1e-7
    assert relative_error(dx, numerical_gradient(f, x)) < 1e-7
    assert len(layer.params) == (2 if use_bias else 1)


def test_dense_backward_formulas_by_hand(float64):
    layer = built_dense(2, 3)  # linear: dZ = dA
    x = np.arange(6.0).reshape(2, 3)
    dz = np.array([[1.0, -1.0], [0.5, 2.0]])
    dx = backward_through(layer, x, dz)
    np.testing.assert_array_equal(layer.grads[0], x.T @ dz)  # dW = Xᵀ·dZ
    np.testing.assert_array_equal(layer.grads[1], [1.5, 1.0])  # db = Σ dZ
    np.testing.assert_array_equal(dx, dz @ layer.params[0].T)  # dX = dZ·Wᵀ
    # a plain input needs no gradient: the layer does not compute dX at all
    with gn.Tape() as tape:
        out = layer(x, training=True)
    tape.backward([(out, dz)])
    assert tape.nodes[0].grad_inputs[0] is None


def test_activation_layer_gradient(float64):
    layer = layers.Activation("tanh")
    x = np.random.default_rng(2).normal(size=(4, 3))
    upstream = np.random.default_rng(3).normal(size=(4, 3))
    analytic = backward_through(layer, x, upstream)
    numeric = numerical_gradient(lambda: float(np.sum(upstream * layer(x))), x)
    assert relative_error(analytic, numeric) < 1e-8


def test_dropout_inverted_scaling_and_gradient_with_fixed_mask(float64):
    layer = layers.Dropout(0.25, seed=7)
    x = np.ones((20, 1000))
    out = layer(x, training=True)
    kept = out != 0
    # kept units are scaled by 1/(1 − rate); about 75 % are kept
    np.testing.assert_allclose(out[kept], 1 / 0.75)
    assert 0.73 < kept.mean() < 0.77
    np.testing.assert_array_equal(layer(x, training=False), x)  # inactive at inference

    # gradient check with a fixed mask: reseed before every forward pass
    x = np.random.default_rng(4).normal(size=(3, 5))
    upstream = np.random.default_rng(5).normal(size=(3, 5))
    small = layers.Dropout(0.5)

    def f():
        small.rng = np.random.default_rng(11)
        return float(np.sum(upstream * small(x, training=True)))

    small.rng = np.random.default_rng(11)
    analytic = backward_through(small, x, upstream)
    assert relative_error(analytic, numerical_gradient(f, x)) < 1e-8


def test_dropout_rate_zero_is_identity_and_bad_rates_fail():
    layer = layers.Dropout(0.0)
    x = np.ones((2, 3), dtype=np.float32)
    np.testing.assert_array_equal(layer(x, training=True), x)
    for rate in (-0.1, 1.0, 1.5):
        with pytest.raises(ValueError, match=r"Dropout rate must be a finite number in \[0, 1\)"):
            layers.Dropout(rate)


def test_flatten_round_trips_shapes():
    layer = layers.Flatten()
    assert layer.compute_output_shape((None, 28, 28)) == (None, 784)
    x = np.zeros((5, 28, 28), dtype=np.float32)
    assert layer(x).shape == (5, 784)
    assert backward_through(layer, x, np.zeros((5, 784))).shape == (5, 28, 28)


def test_set_weights_checks_shapes():
    layer = built_dense(2, 3)
    with pytest.raises(ValueError, match=r"weight 0 must have shape \(3, 2\), got \(2, 3\)"):
        layer.set_weights([np.zeros((2, 3)), np.zeros(2)])
    with pytest.raises(ValueError, match="expects 2 weight arrays"):
        layer.set_weights([np.zeros((3, 2))])


def test_initializers_are_reproducible_from_seed_and_have_the_right_spread():
    init = gn.initializers.GlorotUniform(seed=3)
    a, b = init((300, 200)), init((300, 200))
    np.testing.assert_array_equal(a, b)
    limit = np.sqrt(6 / (300 + 200))
    assert np.abs(a).max() <= limit
    assert a.std() == pytest.approx(limit / np.sqrt(3), rel=0.02)  # std of U(−l, l) is l/√3
    he = gn.initializers.HeNormal(seed=1)((400, 300))
    assert he.std() == pytest.approx(np.sqrt(2 / 400), rel=0.03)
    assert np.abs(he).max() <= 2 * np.sqrt(2 / 400) / 0.87962566103423978 + 1e-7
    gn_ = gn.initializers.GlorotNormal(seed=1)((400, 300))
    assert gn_.std() == pytest.approx(np.sqrt(2 / 700), rel=0.03)
    hu = gn.initializers.HeUniform(seed=1)((400, 300))
    assert np.abs(hu).max() <= np.sqrt(6 / 400)
    assert hu.std() == pytest.approx(np.sqrt(2 / 400), rel=0.03)
    rn = gn.initializers.RandomNormal(stddev=0.01, seed=2)((500, 100))
    assert rn.std() == pytest.approx(0.01, rel=0.02)
    ru = gn.initializers.RandomUniform(-1, 1, seed=2)((500, 100))
    assert ru.min() >= -1 and ru.max() <= 1 and ru.std() == pytest.approx(1 / np.sqrt(3), rel=0.02)
    np.testing.assert_array_equal(gn.initializers.get("zeros")((2, 2)), np.zeros((2, 2)))
    np.testing.assert_array_equal(gn.initializers.get("ones")((2,)), np.ones(2))


def test_unknown_initializer_lists_names():
    with pytest.raises(ValueError, match=r"unknown initializer 'xavier'.*glorot_uniform"):
        layers.Dense(3, kernel_initializer="xavier")


def test_keras_style_input_fixes_the_shape_and_is_not_listed_in_the_summary(capsys):
    model = gn.models.Sequential(
        [
            layers.Input((784,)),
            layers.Dense(512, activation="relu"),
            layers.Dense(10, activation="softmax"),
        ]
    )
    assert model.built and model.input_shape == (None, 784)
    assert model.count_params() == 407_050
    model.summary()
    out = capsys.readouterr().out
    assert "input_layer" not in out and "dense_1 (Dense)" in out
    x = np.zeros((3, 784), dtype=np.float32)
    np.testing.assert_array_equal(model.predict(x), np.full((3, 10), 0.1, dtype=np.float32))


def test_a_built_layer_called_on_the_wrong_width_names_both_shapes():
    layer = layers.Dense(3)
    layer(np.zeros((2, 4), dtype=np.float32))
    with pytest.raises(
        ValueError, match=r"'dense' was built for inputs of shape \(None, 4\), got \(None, 5\)"
    ):
        layer(np.zeros((2, 5), dtype=np.float32))
    with gn.Tape(), pytest.raises(ValueError, match=r"got \(None, 6\)"):
        layer(gn.Variable(np.zeros((2, 6)), "x"), training=True)
