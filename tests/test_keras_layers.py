"""The normalization, noise and activation layers, regularizers and constraints on Dense, and
the training options (weighted_metrics, validation_freq, *_on_batch, add_loss): values by hand,
finite differences in float64, and parity with real Keras 3 from identical weights."""

import numpy as np
import pytest

import glassnet as gn
from glassnet import layers
from glassnet.tape import Scratch


def numeric_gradients(layer, x, upstream, eps=1e-6):
    """Finite differences of Σ upstream ⊙ layer(x) (training mode) in x and each weight."""

    def objective():
        return float(np.sum(upstream * layer.forward(Scratch(), x, training=True)))

    grads = []
    for array in [x, *[w.value for w in layer.weights]]:
        grad = np.zeros_like(array)
        for i in np.ndindex(array.shape):
            old = array[i]
            array[i] = old + eps
            up = objective()
            array[i] = old - eps
            down = objective()
            array[i] = old
            grad[i] = (up - down) / (2 * eps)
        grads.append(grad)
    return grads


def check_layer_gradients(layer, x, rng):
    layer(x)  # build
    ctx = Scratch()
    out = layer.forward(ctx, x, training=True)
    upstream = rng.normal(size=out.shape)
    needs = (True, *(w.trainable for w in layer.weights))
    analytic = layer.backward(ctx, upstream, needs)
    numeric = numeric_gradients(layer, x, upstream)
    for got, want, need in zip(analytic, numeric, needs, strict=True):
        if need:
            np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize(
    "make",
    [
        lambda: layers.BatchNormalization(
            gamma_initializer=gn.initializers.RandomNormal(1.0, 0.3, seed=1),
            beta_initializer=gn.initializers.RandomNormal(0.0, 0.3, seed=2),
        ),
        lambda: layers.BatchNormalization(center=False),
        lambda: layers.LayerNormalization(
            gamma_initializer=gn.initializers.RandomNormal(1.0, 0.3, seed=1)
        ),
        lambda: layers.LayerNormalization(scale=False),
        lambda: layers.PReLU(alpha_initializer=gn.initializers.RandomUniform(0.0, 0.5, seed=3)),
        lambda: layers.Rescaling(0.5, offset=-1.0),
        lambda: layers.Identity(),
    ],
    ids=[
        "batchnorm",
        "batchnorm-no-beta",
        "layernorm",
        "layernorm-no-gamma",
        "prelu",
        "rescale",
        "identity",
    ],
)
def test_layer_gradients_match_finite_differences(float64, rng, make):
    x = rng.normal(size=(6, 4)) * 2 + 0.5
    check_layer_gradients(make(), x, rng)


def test_batchnorm_inference_gradient_matches_finite_differences(float64, rng):
    layer = layers.BatchNormalization()
    x = rng.normal(size=(5, 3))
    layer(x)
    layer.moving_mean.assign([0.5, -1.0, 2.0])
    layer.moving_variance.assign([4.0, 0.25, 1.0])
    layer.trainable = False  # a frozen BatchNormalization normalizes with its moving statistics
    check_layer_gradients(layer, x, rng)


def test_batchnorm_by_hand(float64):
    layer = layers.BatchNormalization(momentum=0.5, epsilon=0.0 + 1e-3)
    x = np.array([[1.0, 10.0], [3.0, 10.0], [5.0, 16.0]])
    out = layer(x, training=True)
    # feature 0: μ = 3, σ² = 8/3; feature 1: μ = 12, σ² = 8
    want = np.column_stack(
        [(x[:, 0] - 3) / np.sqrt(8 / 3 + 1e-3), (x[:, 1] - 12) / np.sqrt(8 + 1e-3)]
    )
    np.testing.assert_allclose(out, want, rtol=1e-12)
    # moving averages: 0.5·initial + 0.5·batch (initial mean 0, variance 1)
    np.testing.assert_allclose(layer.moving_mean.value, [1.5, 6.0], rtol=1e-12)
    np.testing.assert_allclose(layer.moving_variance.value, [0.5 + 4 / 3, 4.5], rtol=1e-12)
    inference = layer(x, training=False)
    np.testing.assert_allclose(inference[:, 1], (x[:, 1] - 6.0) / np.sqrt(4.5 + 1e-3), rtol=1e-12)


def test_layernorm_by_hand(float64):
    x = np.array([[1.0, 2.0, 3.0, 6.0]])  # μ = 3, σ² = (4 + 1 + 0 + 9)/4 = 3.5
    out = layers.LayerNormalization(epsilon=1e-3)(x)
    np.testing.assert_allclose(out, (x - 3) / np.sqrt(3.5 + 1e-3), rtol=1e-12)


def test_prelu_rescaling_identity_by_hand(float64):
    prelu = layers.PReLU(alpha_initializer=gn.initializers.Constant(0.25))
    np.testing.assert_allclose(prelu(np.array([[-4.0, 2.0]])), [[-1.0, 2.0]])
    np.testing.assert_allclose(layers.Rescaling(1 / 255)(np.array([[255.0, 51.0]])), [[1.0, 0.2]])
    x = np.array([[1.5, -2.0]])
    np.testing.assert_array_equal(layers.Identity()(x), x)


def test_noise_layers_are_off_at_inference_and_seeded_in_training(rng):
    x = rng.normal(size=(2000, 5)).astype("float32")
    for layer in (layers.GaussianNoise(0.5, seed=3), layers.GaussianDropout(0.2, seed=3)):
        np.testing.assert_array_equal(layer(x, training=False), x)
    noisy = layers.GaussianNoise(0.5, seed=3)(x, training=True) - x
    assert abs(noisy.std() - 0.5) < 0.02 and abs(noisy.mean()) < 0.02
    again = layers.GaussianNoise(0.5, seed=3)(x, training=True) - x
    np.testing.assert_array_equal(noisy, again)
    ones = np.ones((4000, 5), dtype="float32")
    mask = layers.GaussianDropout(0.2, seed=3)(ones, training=True)
    assert abs(mask.mean() - 1.0) < 0.02
    assert abs(mask.std() - np.sqrt(0.2 / 0.8)) < 0.02


def test_noise_layer_backward_uses_the_noise_it_drew(float64, rng):
    layer = layers.GaussianDropout(0.3, seed=0)
    x = rng.normal(size=(4, 3))
    layer(x)
    ctx = Scratch()
    out = layer.forward(ctx, x, training=True)
    grad = rng.normal(size=out.shape)
    (dx,) = layer.backward(ctx, grad, (True,))
    np.testing.assert_allclose(dx, grad * out / x, rtol=1e-12)  # dX = dA ⊙ M, M = A / X


def test_bad_arguments_are_clear():
    with pytest.raises(ValueError, match="momentum"):
        layers.BatchNormalization(momentum=1.5)
    with pytest.raises(ValueError, match="epsilon"):
        layers.LayerNormalization(epsilon=0)
    with pytest.raises(ValueError, match="batch axis"):
        layers.BatchNormalization(axis=0)(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="stddev"):
        layers.GaussianNoise(-1)
    with pytest.raises(ValueError, match="rate"):
        layers.GaussianDropout(1.0)


def test_default_names_follow_keras():
    assert layers.PReLU().name == "p_re_lu"
    assert layers.BatchNormalization().name == "batch_normalization"
    assert layers.GaussianNoise(0.1).name == "gaussian_noise"


def test_frozen_batchnorm_counts_as_non_trainable_and_keeps_its_statistics(rng):
    model = gn.Sequential([gn.Input((3,)), layers.Dense(4), layers.BatchNormalization()])
    bn = model.layers[1]
    assert model.count_params() == 16 + 16
    assert len(model.trainable_weights) == 4 and len(model.non_trainable_weights) == 2
    bn.trainable = False
    assert len(model.trainable_weights) == 2 and len(model.non_trainable_weights) == 4
    model.compile(optimizer="sgd", loss="mse")
    before = [w.copy() for w in bn.get_weights()]
    model.fit(rng.normal(size=(16, 3)), rng.normal(size=(16, 4)), epochs=2, verbose=0)
    for b, a in zip(before, bn.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    lines = []
    model.summary(print_fn=lines.append)
    assert "Non-trainable params: 16" in "\n".join(lines)


def test_saved_model_with_new_layers_loads_back_bit_for_bit(tmp_path, rng):
    model = gn.Sequential(
        [
            gn.Input((4,)),
            layers.Rescaling(0.5),
            layers.Dense(6),
            layers.BatchNormalization(),
            layers.PReLU(),
            layers.GaussianNoise(0.1, seed=1),
            layers.LayerNormalization(),
            layers.GaussianDropout(0.1, seed=2),
            layers.Identity(),
            layers.Dense(2, activation="softmax"),
        ]
    )
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    x, y = rng.normal(size=(32, 4)), np.eye(2)[rng.integers(0, 2, 32)]
    model.fit(x, y, epochs=2, verbose=0)
    path = tmp_path / "m.glassnet"
    model.save(path)
    loaded = gn.models.load_model(path)
    for a, b in zip(model.get_weights(), loaded.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(model.predict(x), loaded.predict(x))
    assert [type(layer).__name__ for layer in loaded.layers] == [
        type(layer).__name__ for layer in model.layers
    ]


# -- parity with Keras 3 --------------------------------------------------------------------


def _same(k_model, g_model, k_hist, g_hist, atol=1e-12):
    for k_w, g_w in zip(k_model.get_weights(), g_model.get_weights(), strict=True):
        np.testing.assert_allclose(g_w, k_w, rtol=0, atol=atol)
    assert set(k_hist) == set(g_hist)
    for key in k_hist:
        assert len(g_hist[key]) == len(k_hist[key]), key
        np.testing.assert_allclose(g_hist[key], k_hist[key], rtol=1e-12, err_msg=key)


def _fit_both(keras, build, x, y, compile_args=None, **fit_args):
    compile_args = compile_args or {}
    k_model, g_model = build(keras, keras.layers), build(gn, gn.layers)
    loss = compile_args.pop("loss", "categorical_crossentropy")
    k_model.compile(optimizer=keras.optimizers.SGD(0.1), loss=loss, **compile_args)
    g_model.compile(optimizer=gn.optimizers.SGD(0.1), loss=loss, **compile_args)
    g_model.set_weights(k_model.get_weights())
    args = {"epochs": 3, "batch_size": 8, "shuffle": False, "verbose": 0, **fit_args}
    k_hist = k_model.fit(x, y, **args).history
    g_hist = g_model.fit(x, y, **args).history
    return k_model, g_model, k_hist, g_hist


def _data(rng, n=40):
    x = rng.normal(size=(n, 4)) * 3 + 1
    return x, np.eye(3)[rng.integers(0, 3, n)]


def _input(lib):
    return lib.Input((4,))


def test_normalization_and_prelu_match_keras(float64, keras_float64, rng):
    def build(lib, L):
        return lib.Sequential(
            [
                _input(lib),
                L.Dense(6, activation="tanh"),
                L.BatchNormalization(momentum=0.9),
                L.Dense(5),
                L.PReLU(),
                L.LayerNormalization(),
                L.Dense(3, activation="softmax"),
            ]
        )

    x, y = _data(rng)
    k_model, g_model, k_hist, g_hist = _fit_both(
        keras_float64, build, x, y, {"metrics": ["accuracy"]}, validation_split=0.25
    )
    _same(k_model, g_model, k_hist, g_hist)  # includes the moving mean and variance
    assert g_model.count_params() == k_model.count_params()
    np.testing.assert_allclose(
        g_model.predict(x), np.asarray(k_model.predict(x, verbose=0)), rtol=1e-12
    )


def test_frozen_batchnorm_matches_keras(float64, keras_float64, rng):
    def build(lib, L):
        model = lib.Sequential(
            [_input(lib), L.Dense(6), L.BatchNormalization(), L.Dense(3, activation="softmax")]
        )
        model.layers[1].trainable = False
        return model

    x, y = _data(rng)
    _same(*_fit_both(keras_float64, build, x, y))


def test_weighted_metrics_and_validation_freq_match_keras(float64, keras_float64, rng):
    def build(lib, L):
        return lib.Sequential(
            [_input(lib), L.Dense(5, activation="tanh"), L.Dense(3, activation="softmax")]
        )

    x, y = _data(rng, 48)
    weights = rng.uniform(0, 2, 48)
    compile_args = {"metrics": ["accuracy"], "weighted_metrics": ["accuracy", "mae"]}
    result = _fit_both(
        keras_float64,
        build,
        x,
        y,
        compile_args,
        sample_weight=weights,
        validation_split=0.25,
        validation_freq=2,
        epochs=4,
    )
    _same(*result)
    assert set(result[3]) >= {"weighted_accuracy", "mae", "val_weighted_accuracy"}
    assert len(result[3]["val_loss"]) == 2  # validated after epochs 2 and 4
    k_model, g_model = result[0], result[1]
    k_eval = k_model.evaluate(x, y, sample_weight=weights, verbose=0, return_dict=True)
    g_eval = g_model.evaluate(x, y, sample_weight=weights, return_dict=True)
    assert set(g_eval) == set(k_eval)
    for key, value in k_eval.items():
        assert g_eval[key] == pytest.approx(value, rel=1e-12), key


def test_on_batch_methods_match_keras(float64, keras_float64, rng):
    keras = keras_float64

    def build(lib, L):
        return lib.Sequential([_input(lib), L.Dense(3, activation="softmax")])

    k_model, g_model = build(keras, keras.layers), build(gn, gn.layers)
    k_model.compile(
        optimizer=keras.optimizers.SGD(0.1), loss="categorical_crossentropy", metrics=["accuracy"]
    )
    g_model.compile(
        optimizer=gn.optimizers.SGD(0.1), loss="categorical_crossentropy", metrics=["accuracy"]
    )
    g_model.set_weights(k_model.get_weights())
    x, y = _data(rng, 16)
    x = x / 10  # no probability below Keras's clip at 1e-7, where the two losses differ
    for batch in (slice(0, 8), slice(8, 16)):
        k_out = k_model.train_on_batch(x[batch], y[batch])
        g_out = g_model.train_on_batch(x[batch], y[batch])
        np.testing.assert_allclose(g_out, k_out, rtol=1e-12)
    k_test = k_model.test_on_batch(x, y, return_dict=True)
    g_test = g_model.test_on_batch(x, y, return_dict=True)
    assert g_test == pytest.approx(k_test, rel=1e-12)
    np.testing.assert_allclose(
        g_model.predict_on_batch(x), np.asarray(k_model.predict_on_batch(x)), rtol=1e-12
    )
    for k_w, g_w in zip(k_model.get_weights(), g_model.get_weights(), strict=True):
        np.testing.assert_allclose(g_w, k_w, atol=1e-12)


def test_add_loss_in_a_custom_layer_matches_keras(float64, keras_float64, rng):
    keras = keras_float64

    def make_layer_class(lib):
        class ActivityPenalty(lib.layers.Layer):
            def call(self, inputs):
                self.add_loss(0.01 * lib.ops.sum(lib.ops.square(inputs)))
                return inputs

        return ActivityPenalty

    def build(lib, L):
        penalty = make_layer_class(lib)
        return lib.Sequential(
            [
                _input(lib),
                L.Dense(5, activation="tanh"),
                penalty(),
                L.Dense(3, activation="softmax"),
            ]
        )

    x, y = _data(rng)
    k_model, g_model, k_hist, g_hist = _fit_both(keras, build, x, y, validation_split=0.25)
    _same(k_model, g_model, k_hist, g_hist)
    assert len(g_model.losses) == 1  # the added loss of the last call


@pytest.mark.parametrize(
    "dense_args",
    [
        {"kernel_regularizer": ("L2", {"l2": 0.01})},
        {"kernel_regularizer": ("L1", {"l1": 0.01}), "bias_regularizer": ("L2", {"l2": 0.1})},
        {"kernel_regularizer": ("L1L2", {"l1": 0.001, "l2": 0.01})},
        {"activity_regularizer": ("L2", {"l2": 0.05})},
        {"kernel_constraint": ("MaxNorm", {"max_value": 0.5})},
        {"kernel_constraint": ("UnitNorm", {}), "bias_constraint": ("NonNeg", {})},
        {"kernel_constraint": ("MinMaxNorm", {"min_value": 0.2, "max_value": 0.6, "rate": 0.5})},
    ],
    ids=["l2", "l1-bias-l2", "l1l2", "activity-l2", "maxnorm", "unitnorm-nonneg", "minmaxnorm"],
)
def test_dense_regularizers_and_constraints_match_keras(float64, keras_float64, rng, dense_args):
    def build(lib, L):
        args = {}
        for key, (cls, kwargs) in dense_args.items():
            module = lib.regularizers if key.endswith("regularizer") else lib.constraints
            args[key] = getattr(module, cls)(**kwargs)
        return lib.Sequential(
            [
                _input(lib),
                L.Dense(5, activation="tanh", **args),
                L.Dense(3, activation="softmax", **args),
            ]
        )

    x, y = _data(rng)
    k_model, g_model, k_hist, g_hist = _fit_both(keras_float64, build, x, y, validation_split=0.25)
    _same(k_model, g_model, k_hist, g_hist)
    k_losses = [float(keras_float64.ops.convert_to_numpy(v)) for v in k_model.losses]
    g_losses = [float(np.asarray(v)) for v in g_model.losses]
    if "activity_regularizer" not in dense_args:  # Keras keeps those of the last call
        np.testing.assert_allclose(sorted(g_losses), sorted(k_losses), rtol=1e-12)


def test_regularized_model_saves_and_loads_its_regularizers(tmp_path, rng):
    model = gn.Sequential(
        [
            gn.Input((4,)),
            layers.Dense(
                3,
                kernel_regularizer=gn.regularizers.L2(0.02),
                activity_regularizer="l1",
                kernel_constraint=gn.constraints.MaxNorm(2.0),
            ),
        ]
    )
    model.compile(optimizer="sgd", loss="mse")
    model.fit(rng.normal(size=(16, 4)), rng.normal(size=(16, 3)), epochs=1, verbose=0)
    path = tmp_path / "reg.glassnet"
    model.save(path)
    dense = gn.models.load_model(path).layers[0]
    assert isinstance(dense.kernel_regularizer, gn.regularizers.L2)
    assert dense.kernel_regularizer.l2 == pytest.approx(0.02)
    assert isinstance(dense.activity_regularizer, gn.regularizers.L1)
    assert isinstance(dense.kernel.constraint, gn.constraints.MaxNorm)
    assert dense.kernel.regularizer is dense.kernel_regularizer


def test_regularization_is_in_the_loss_and_its_gradient(float64, rng):
    """L = L_data + λ·ΣW²: the reported loss and the kernel's gradient include the penalty."""
    x, y = rng.normal(size=(8, 3)), rng.normal(size=(8, 2))
    plain = gn.Sequential([gn.Input((3,)), layers.Dense(2)])
    reg = gn.Sequential(
        [gn.Input((3,)), layers.Dense(2, kernel_regularizer=gn.regularizers.L2(0.5))]
    )
    for m in (plain, reg):
        m.compile(optimizer="sgd", loss="mse")
    reg.set_weights(plain.get_weights())
    a, b = plain.train_step(x, y, apply=False), reg.train_step(x, y, apply=False)
    w = plain.layers[0].kernel.value
    assert b.loss == pytest.approx(a.loss + 0.5 * np.sum(w**2), rel=1e-12)
    np.testing.assert_allclose(b.grads[0], a.grads[0] + 2 * 0.5 * w, rtol=1e-12)
    np.testing.assert_allclose(b.grads[1], a.grads[1], rtol=1e-12)


def test_negative_regularization_factor_is_refused():
    with pytest.raises(ValueError, match="l2"):
        layers.Dense(2, kernel_regularizer=gn.regularizers.L2(-0.1))
