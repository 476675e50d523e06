"""Parity with real Keras 3 (torch backend) from identical weights, float64.

Runs where Keras and PyTorch are installed (CI installs both); glassnet never imports them.
Keras's type promotion (`keras.backend.result_type`) turns float64 into float32 to follow JAX,
so a matrix product of two float64 tensors is computed in float32 and cast back; the fixture
lifts that rule for the test, so that both libraries really compute in float64.
"""

import os

import numpy as np
import pytest

import glassnet as gn
from glassnet import layers, optimizers

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")

# Keras's own conversions of its tensors trip a NumPy 2 deprecation notice; not glassnet's
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")


def skip_and_two_outputs(lib, input_layer, dense, add):
    """x → h1 = tanh(Dense 5) → h2 = tanh(Dense 5) → s = h1 + h2 → reg: Dense 1, cls: softmax 3."""
    inputs = input_layer(shape=(4,), name="x")
    h1 = dense(5, activation="tanh", name="h1")(inputs)
    h2 = dense(5, activation="tanh", name="h2")(h1)
    s = add(name="skip")([h1, h2])
    reg = dense(1, name="reg")(s)
    cls = dense(3, activation="softmax", name="cls")(s)
    return lib.Model(inputs, [reg, cls], name="two_heads")


@pytest.mark.parametrize(
    ("keras_optimizer", "glassnet_optimizer"),
    [
        (lambda: keras.optimizers.SGD(0.1), lambda: optimizers.SGD(0.1)),
        (lambda: keras.optimizers.SGD(0.05, momentum=0.9), lambda: optimizers.SGD(0.05, 0.9)),
        (lambda: keras.optimizers.RMSprop(0.01), lambda: optimizers.RMSprop(0.01)),
        (lambda: keras.optimizers.Adam(0.01), lambda: optimizers.Adam(0.01)),
    ],
    ids=["sgd", "momentum", "rmsprop", "adam"],
)
def test_functional_skip_connection_two_outputs_match_keras(
    float64, keras_float64, keras_optimizer, glassnet_optimizer
):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 4))
    y_reg = x @ rng.normal(size=(4, 1)) + 0.1 * rng.normal(size=(40, 1))
    y_cls = np.eye(3)[rng.integers(0, 3, 40)]

    k_model = skip_and_two_outputs(keras, keras.Input, keras.layers.Dense, keras.layers.Add)
    k_model.compile(
        optimizer=keras_optimizer(),
        loss=["mse", "categorical_crossentropy"],
        loss_weights=[0.5, 2.0],
    )
    g_model = skip_and_two_outputs(gn, gn.Input, layers.Dense, layers.Add)
    g_model.compile(
        optimizer=glassnet_optimizer(),
        loss=["mse", "categorical_crossentropy"],
        loss_weights=[0.5, 2.0],
    )
    for k_layer in k_model.layers:
        if k_layer.get_weights():
            g_model.get_layer(k_layer.name).set_weights(k_layer.get_weights())
    for g_out, k_out in zip(g_model.predict(x), k_model.predict(x, verbose=0), strict=True):
        np.testing.assert_allclose(g_out, k_out, rtol=0, atol=1e-15)

    args = {"epochs": 3, "batch_size": 8, "shuffle": False, "verbose": 0, "validation_split": 0.2}
    k_hist = k_model.fit(x, [y_reg, y_cls], **args).history
    g_hist = g_model.fit(x, [y_reg, y_cls], **args).history

    for k_layer in k_model.layers:
        for k_w, g_w in zip(
            k_layer.get_weights(), g_model.get_layer(k_layer.name).get_weights(), strict=True
        ):
            np.testing.assert_allclose(g_w, k_w, rtol=0, atol=1e-12, err_msg=k_layer.name)
    for key in ("loss", "reg_loss", "cls_loss", "val_loss", "val_reg_loss", "val_cls_loss"):
        np.testing.assert_allclose(g_hist[key], k_hist[key], rtol=1e-12, err_msg=key)


def _pair(loss, units, activation):
    k_model = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(5, activation="tanh"),
            keras.layers.Dense(units, activation=activation),
        ]
    )
    g_model = gn.Sequential(
        [
            layers.Dense(5, activation="tanh", input_shape=(4,)),
            layers.Dense(units, activation=activation),
        ]
    )
    k_model.compile(optimizer=keras.optimizers.SGD(0.1), loss=loss)
    g_model.compile(optimizer=optimizers.SGD(0.1), loss=loss)
    g_model.set_weights(k_model.get_weights())
    return k_model, g_model


def _assert_same(k_model, g_model, k_hist, g_hist):
    for k_w, g_w in zip(k_model.get_weights(), g_model.get_weights(), strict=True):
        np.testing.assert_allclose(g_w, k_w, rtol=0, atol=1e-12)
    assert set(k_hist) == set(g_hist)
    for key in k_hist:
        np.testing.assert_allclose(g_hist[key], k_hist[key], rtol=1e-12, err_msg=key)


@pytest.mark.parametrize(
    ("loss", "units", "activation"),
    [
        ("mse", 2, "linear"),
        ("binary_crossentropy", 1, "sigmoid"),
        ("categorical_crossentropy", 3, "softmax"),
        ("sparse_categorical_crossentropy", 3, "softmax"),
    ],
)
def test_sample_weights_match_keras(float64, keras_float64, loss, units, activation):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(40, 4))
    labels = rng.integers(0, 3, 40)
    y = {
        "mse": rng.normal(size=(40, 2)),
        "binary_crossentropy": (x[:, :1] > 0).astype(float),
        "categorical_crossentropy": np.eye(3)[labels],
        "sparse_categorical_crossentropy": labels,
    }[loss]
    weights = rng.uniform(0, 2, 40)
    xv, yv, wv = x[:10] * 0.5, y[:10], weights[:10] * 3
    k_model, g_model = _pair(loss, units, activation)
    args = {"epochs": 3, "batch_size": 8, "shuffle": False, "verbose": 0}
    k_hist = k_model.fit(x, y, sample_weight=weights, validation_data=(xv, yv, wv), **args).history
    g_hist = g_model.fit(x, y, sample_weight=weights, validation_data=(xv, yv, wv), **args).history
    _assert_same(k_model, g_model, k_hist, g_hist)
    k_eval = k_model.evaluate(x, y, sample_weight=weights, verbose=0)
    assert g_model.evaluate(x, y, sample_weight=weights) == pytest.approx(k_eval, rel=1e-12)


@pytest.mark.parametrize(
    ("loss", "units", "activation"),
    [("binary_crossentropy", 1, "sigmoid"), ("categorical_crossentropy", 3, "softmax")],
)
def test_class_weights_match_keras(float64, keras_float64, loss, units, activation):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(48, 4))
    if units == 1:
        y, class_weight = (x[:, :1] + 0.5 > 0).astype(float), {0: 3.0, 1: 0.5}
    else:
        y, class_weight = np.eye(3)[rng.integers(0, 3, 48)], {0: 1.0, 2: 4.0}  # class 1 weighs 1
    k_model, g_model = _pair(loss, units, activation)
    args = {"epochs": 3, "batch_size": 16, "shuffle": False, "verbose": 0, "validation_split": 0.25}
    k_hist = k_model.fit(x, y, class_weight=class_weight, **args).history
    g_hist = g_model.fit(x, y, class_weight=class_weight, **args).history
    _assert_same(k_model, g_model, k_hist, g_hist)
