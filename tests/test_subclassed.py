"""Subclassed models, custom layers and custom losses, written the Keras way.

No test here writes a backward pass: every custom piece is made of layers and ``glassnet.ops``,
and the gradients come from the tape. Each test checks a value that could be wrong: weights,
History entries, gradients against finite differences, file round trips, error messages.
"""

import numpy as np
import pytest

import glassnet as gn
from glassnet import layers, losses, ops
from glassnet.saving import register_serializable

# -- shared pieces ---------------------------------------------------------------------------


class Linear(gn.layers.Layer):
    """y = x·W + b, its weights made in build() with add_weight."""

    def __init__(self, units=4, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.kernel = self.add_weight(
            shape=(input_shape[-1], self.units), initializer="glorot_uniform", name="kernel"
        )
        self.bias = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")

    def call(self, inputs):
        return ops.matmul(inputs, self.kernel) + self.bias


class Swish(gn.layers.Layer):
    """x·σ(x): no weights, no backward."""

    def call(self, inputs):
        return inputs * ops.sigmoid(inputs)


def _regression_data(n=64, d=4, k=2, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype(gn.floatx())
    true_w = rng.normal(size=(d, k))
    y = (np.tanh(x @ true_w) + 0.5 * x[:, :k]).astype(gn.floatx())
    return x, y


def _check_gradients(model, x, y):
    report = gn.gradcheck(model, x, y)
    assert report.checks, "gradcheck checked no parameter"
    assert report.passed, str(report)
    assert max(c.relative_error for c in report.checks) < 1e-6
    return report


# -- 1. the lesson's MLP, three ways -------------------------------------------------------------


class LessonMLP(gn.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.hidden = layers.Dense(512, activation="relu")
        self.classifier = layers.Dense(10, activation="softmax")

    def call(self, inputs, training=False):
        x = self.hidden(inputs)
        return self.classifier(x)


def _sequential_mlp():
    return gn.Sequential(
        [
            layers.Dense(512, activation="relu", input_shape=(784,)),
            layers.Dense(10, activation="softmax"),
        ]
    )


def _functional_mlp():
    inputs = gn.Input(shape=(784,))
    x = layers.Dense(512, activation="relu")(inputs)
    outputs = layers.Dense(10, activation="softmax")(x)
    return gn.Model(inputs, outputs)


def _train_lesson(make, x, y, shuffle):
    gn.clear_session()
    gn.set_seed(0)
    model = make()
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(
        x,
        y,
        epochs=2,
        batch_size=32,
        validation_split=0.25,
        shuffle=shuffle,
        verbose=0,
    )
    return model, history


@pytest.mark.parametrize("shuffle", [True, False])
def test_lesson_mlp_three_ways_train_identically(shuffle):
    rng = np.random.default_rng(7)
    x = rng.uniform(size=(256, 784)).astype("float32")
    y = np.eye(10, dtype="float32")[rng.integers(0, 10, size=256)]

    runs = [
        _train_lesson(make, x, y, shuffle) for make in (_sequential_mlp, _functional_mlp, LessonMLP)
    ]
    (seq, h_seq), (fun, h_fun), (sub, h_sub) = runs

    assert isinstance(sub, LessonMLP)
    assert [w.value.shape for w in sub.weights] == [(784, 512), (512,), (512, 10), (10,)]
    assert sub.count_params() == seq.count_params() == 407050
    # training changed the weights (the comparison below is not between untouched copies)
    gn.clear_session()
    gn.set_seed(0)
    untouched = _sequential_mlp().get_weights()
    assert not np.array_equal(untouched[0], seq.get_weights()[0])

    for other in (fun, sub):
        for a, b in zip(seq.get_weights(), other.get_weights(), strict=True):
            np.testing.assert_array_equal(a, b)
    assert set(h_seq.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(v) == 2 for v in h_seq.history.values())
    assert h_fun.history == h_seq.history
    assert h_sub.history == h_seq.history
    # predictions agree too (same forward pass on the same weights)
    np.testing.assert_array_equal(seq.predict(x[:40]), sub.predict(x[:40]))


def test_subclassed_shuffle_generator_is_drawn_after_the_layers():
    """With set_seed, a subclassed model built by fit draws: layer 1, layer 2, then shuffles."""
    x = np.random.default_rng(3).uniform(size=(64, 784)).astype("float32")
    y = np.eye(10, dtype="float32")[np.arange(64) % 10]
    model, _ = _train_lesson(LessonMLP, x, y, shuffle=True)
    # replay the same draws by hand
    gn.set_seed(0)
    hidden_rng = gn.config.make_rng(None)
    classifier_rng = gn.config.make_rng(None)
    shuffle_rng = gn.config.make_rng(None)
    init = gn.initializers.get("glorot_uniform")
    # the subclassed model's first layer started from the first child generator
    expected_kernel = init((784, 512), "float32", hidden_rng)
    gn.clear_session()
    gn.set_seed(0)
    fresh = LessonMLP()
    fresh.build((None, 784))
    np.testing.assert_array_equal(fresh.hidden.kernel.value, expected_kernel)
    np.testing.assert_array_equal(
        fresh.classifier.kernel.value, init((512, 10), "float32", classifier_rng)
    )
    # and fit's shuffle generator is the third child: its state after 2 epochs matches
    shuffle_rng.permutation(48)
    shuffle_rng.permutation(48)
    assert model.shuffle_rng.bit_generator.state == shuffle_rng.bit_generator.state


# -- 2. custom layers ----------------------------------------------------------------------------


class CustomLayerNet(gn.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.inner = Linear(8, name="inner")
        self.act = Swish(name="swish")
        self.head = Linear(2, name="head")

    def call(self, inputs, training=False):
        return self.head(self.act(self.inner(inputs)))


def _custom_sequential():
    return gn.Sequential(
        [Linear(8, name="inner", input_shape=(4,)), Swish(name="swish"), Linear(2, name="head")]
    )


@pytest.mark.parametrize("make", [_custom_sequential, CustomLayerNet], ids=["sequential", "sub"])
def test_custom_layers_weights_are_listed_with_paths(make):
    model = make()
    model.build((None, 4))
    expected = ["inner/kernel", "inner/bias", "head/kernel", "head/bias"]
    assert [w.path for w in model.weights] == expected
    assert [w.path for w in model.trainable_weights] == expected
    assert model.non_trainable_weights == []
    assert [w.value.shape for w in model.weights] == [(4, 8), (8,), (8, 2), (2,)]
    assert model.count_params() == 4 * 8 + 8 + 8 * 2 + 2
    # the bias used its "zeros" initializer, the kernel its random one
    inner = model.get_layer("inner")
    np.testing.assert_array_equal(inner.bias.value, np.zeros(8, dtype="float32"))
    assert np.abs(inner.kernel.value).max() > 0
    assert inner.kernel.value.dtype == np.float32


@pytest.mark.parametrize("make", [_custom_sequential, CustomLayerNet], ids=["sequential", "sub"])
def test_custom_layers_train(make):
    x, y = _regression_data(n=128)
    model = make()
    model.compile(optimizer=gn.optimizers.Adam(learning_rate=0.02), loss="mse")
    before = model.evaluate(x, y, verbose=0) if model.built else None
    history = model.fit(x, y, epochs=40, batch_size=32, verbose=0)
    losses_seen = history.history["loss"]
    assert len(losses_seen) == 40
    assert losses_seen[-1] < 0.3 * losses_seen[0]
    if before is not None:
        assert losses_seen[-1] < 0.3 * before
    # the custom Swish computed x·σ(x) on the way: compare with NumPy on the trained weights
    w1, b1, w2, b2 = model.get_weights()
    z = x @ w1 + b1
    expected = (z / (1 + np.exp(-z))) @ w2 + b2
    np.testing.assert_allclose(model.predict(x), expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("make", [_custom_sequential, CustomLayerNet], ids=["sequential", "sub"])
def test_custom_layers_gradcheck(float64, make):
    x, y = _regression_data(n=12)
    model = make()
    model.compile(optimizer="sgd", loss="mse")
    report = _check_gradients(model, x, y)
    assert [c.parameter for c in report.checks] == ["kernel", "bias", "kernel", "bias"]
    assert [c.layer for c in report.checks] == ["inner", "inner", "head", "head"]


def test_custom_layer_gradient_matches_hand_derivative(float64):
    """∂L/∂W of Linear→Swish→Linear, from the tape, against the chain rule done by hand."""
    x, y = _regression_data(n=10)
    model = CustomLayerNet()
    model.compile(optimizer="sgd", loss="mse")
    step = model.train_step(x, y, apply=False)
    w1, b1, w2, b2 = model.get_weights()
    z = x @ w1 + b1
    s = 1 / (1 + np.exp(-z))
    h = z * s
    out = h @ w2 + b2
    d_out = 2 * (out - y) / out.size
    d_h = d_out @ w2.T
    d_z = d_h * (s + z * s * (1 - s))
    expected = [x.T @ d_z, d_z.sum(0), h.T @ d_out, d_out.sum(0)]
    assert [v.path for v in step.variables] == [
        "inner/kernel",
        "inner/bias",
        "head/kernel",
        "head/bias",
    ]
    for got, want in zip(step.grads, expected, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    assert step.loss == pytest.approx(float(np.mean((out - y) ** 2)), rel=1e-12)
    # apply=False: nothing moved
    for a, b in zip(model.get_weights(), [w1, b1, w2, b2], strict=True):
        np.testing.assert_array_equal(a, b)


# -- 3. a subclassed model written with ops -------------------------------------------------------


class OpsNet(gn.Model):
    """tanh(x·W), a residual, a concatenation and a matmul: nothing but ops and one Dense."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.embed = layers.Dense(4, name="embed")
        self.w = self.add_weight(shape=(4, 4), initializer="glorot_uniform", name="w")
        self.v = self.add_weight(shape=(8, 2), initializer="glorot_uniform", name="v")

    def call(self, inputs, training=False):
        x = self.embed(inputs)
        h = ops.tanh(ops.matmul(x, self.w))
        r = x + h  # a residual: both recorded
        c = ops.concatenate([r, h], axis=-1)
        return ops.matmul(c, self.v)


class RawResidualNet(gn.Model):
    """The residual adds the model's *input array* to a recorded tensor: x + tanh(x·W)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.w = self.add_weight(shape=(4, 4), initializer="glorot_uniform", name="w")
        self.v = self.add_weight(shape=(8, 2), initializer="glorot_uniform", name="v")

    def call(self, inputs, training=False):
        h = ops.tanh(ops.matmul(inputs, self.w))
        r = inputs + h
        return ops.matmul(ops.concatenate([r, h], axis=-1), self.v)


def _ops_net_numpy(model, x):
    w, v, kernel, bias = model.get_weights()
    e = x @ kernel + bias
    h = np.tanh(e @ w)
    return np.concatenate([e + h, h], axis=-1) @ v


def test_ops_model_forward_and_weights():
    x, _ = _regression_data(n=16)
    model = OpsNet()
    out = model.predict(x)
    # the model's own weights first, then its layers' (Keras's order)
    assert [w.path for w in model.weights] == [
        "ops_net/w",
        "ops_net/v",
        "embed/kernel",
        "embed/bias",
    ]
    by_path = {w.path: w.value for w in model.weights}
    e = x @ by_path["embed/kernel"] + by_path["embed/bias"]
    h = np.tanh(e @ by_path["ops_net/w"])
    expected = np.concatenate([e + h, h], axis=-1) @ by_path["ops_net/v"]
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)


def test_ops_model_gradcheck(float64):
    x, y = _regression_data(n=10)
    model = OpsNet()
    model.compile(optimizer="sgd", loss="mse")
    report = _check_gradients(model, x, y)
    assert sorted(c.parameter for c in report.checks) == ["bias", "kernel", "v", "w"]


def test_ops_model_trains():
    x, y = _regression_data(n=128)
    model = OpsNet()
    model.compile(optimizer=gn.optimizers.Adam(learning_rate=0.02), loss="mse")
    history = model.fit(x, y, epochs=30, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]


def test_ops_model_explain_shows_op_formulas_and_leaves_the_model_alone():
    x, y = _regression_data(n=6)
    model = OpsNet()
    model.compile(optimizer=gn.optimizers.SGD(learning_rate=0.1), loss="mse")
    model.predict(x)  # builds it
    before = model.get_weights()
    iterations = model.optimizer.iterations
    expected_step = model.train_step(x, y, apply=False)

    steps = model.explain(x, y)
    text = str(steps)
    assert "FORWARD PASS" in text and "BACKWARD PASS" in text and "UPDATE" in text
    assert "tanh(" in text
    assert "·ops_net/w" in text  # the matmul's formula names the weight by its path
    assert "ops.concatenate" in text and "ops.add" in text
    # an update line for a weight made with add_weight: p ← p − lr·∂L/∂p
    assert "ops_net/w ← ops_net/w − 0.1·∂L/∂ops_net/w" in text
    # the walk's numbers are the step's numbers
    assert steps["loss"] == pytest.approx(expected_step.loss, rel=1e-6)
    index = [v.path for v in expected_step.variables].index("ops_net/w")
    np.testing.assert_allclose(
        steps["ops_net/w_new"],
        before[[w.path for w in model.weights].index("ops_net/w")]
        - np.float32(0.1) * expected_step.grads[index],
        rtol=1e-6,
        atol=1e-7,
    )
    # unchanged: weights, optimizer, and the forward pass
    for a, b in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(a, b)
    assert model.optimizer.iterations == iterations
    np.testing.assert_array_equal(model.predict(x), _ops_net_numpy(model, x).astype("float32"))


def test_residual_with_the_input_array_on_the_left(float64):
    """`inputs + h` with the batch array on the left goes through ndarray.__add__ first."""
    x, y = _regression_data(n=10)
    model = RawResidualNet()
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, y, epochs=1, batch_size=10, verbose=0)
    _check_gradients(model, x, y)


class BuildInModel(gn.Model):
    """Keras style: a subclassed *model* that makes its own weights in build(input_shape)."""

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], 2), name="w")

    def call(self, inputs, training=False):
        return ops.matmul(inputs, self.w)


def test_subclassed_model_build_creates_weights():
    x, y = _regression_data(n=16)
    model = BuildInModel()
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, y, epochs=1, verbose=0)
    assert [w.path for w in model.weights] == ["build_in_model/w"]


@pytest.mark.parametrize("how", ["build", "call"])
def test_subclassed_model_built_before_fit_can_be_fit(how):
    """Built by build() or a call rather than by fit/predict, it still learns its output shapes."""
    x, y = _regression_data(n=16)
    model = Regressor()
    if how == "build":
        model.build((None, 4))
    else:
        model(x[:2])
    assert model.built and len(model.weights) == 4
    model.compile(optimizer="sgd", loss="mse")
    before = model.get_weights()
    history = model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    assert len(history.history["loss"]) == 1
    assert not np.array_equal(model.get_weights()[0], before[0])


# -- 4. custom losses ----------------------------------------------------------------------------


def mae(y_true, y_pred):
    return ops.mean(ops.abs(y_pred - y_true), axis=-1)


class MeanAbsolute(losses.Loss):
    name = "my_mae"

    def call(self, y_true, y_pred):
        return ops.mean(ops.abs(y_pred - y_true), axis=-1)


class Regressor(gn.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.hidden = layers.Dense(6, activation="tanh")
        self.out = layers.Dense(2)

    def call(self, inputs, training=False):
        return self.out(self.hidden(inputs))


@pytest.mark.parametrize("loss", [mae, MeanAbsolute()], ids=["function", "loss_class"])
def test_custom_loss_history_is_the_mae_before_each_update(loss):
    x, y = _regression_data(n=48)
    model = Regressor()
    model.compile(optimizer=gn.optimizers.SGD(learning_rate=0.05), loss=loss, metrics=["mae"])
    expected = []
    for _ in range(3):
        pred = model.predict(x, batch_size=len(x))
        expected.append(float(np.mean(np.abs(pred.astype(np.float64) - y))))
        history = model.fit(x, y, epochs=1, batch_size=len(x), shuffle=False, verbose=0)
        assert history.history["loss"][0] == pytest.approx(expected[-1], rel=1e-5)
    # one step per epoch with the full batch: the loss went down each time
    assert expected[2] < expected[1] < expected[0]
    assert model.output_losses[0].has_gradient is False
    assert model.evaluate(x, y, batch_size=len(x), verbose=0)[0] == pytest.approx(
        float(np.mean(np.abs(model.predict(x).astype(np.float64) - y))), rel=1e-5
    )


@pytest.mark.parametrize("loss", [mae, MeanAbsolute()], ids=["function", "loss_class"])
def test_custom_loss_gradient_is_the_mae_derivative(float64, loss):
    """For a linear model, ∂MAE/∂W = Xᵀ·sign(A − Y)/(n·k): checked exactly."""
    x, y = _regression_data(n=20)
    model = gn.Sequential([layers.Dense(2, input_shape=(4,))])
    model.compile(optimizer="sgd", loss=loss)
    step = model.train_step(x, y, apply=False)
    kernel, bias = model.get_weights()
    a = x @ kernel + bias
    d_a = np.sign(a - y) / a.size
    np.testing.assert_allclose(step.grads[0], x.T @ d_a, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(step.grads[1], d_a.sum(0), rtol=1e-12, atol=1e-14)
    assert step.loss == pytest.approx(float(np.mean(np.abs(a - y))), rel=1e-12)


@pytest.mark.parametrize("loss", [mae, MeanAbsolute()], ids=["function", "loss_class"])
def test_custom_loss_gradcheck(float64, loss):
    x, y = _regression_data(n=12)
    model = Regressor()
    model.compile(optimizer="sgd", loss=loss)
    _check_gradients(model, x, y)


def test_custom_loss_trains_to_a_lower_mae():
    x, y = _regression_data(n=128)
    model = Regressor()
    model.compile(optimizer=gn.optimizers.Adam(learning_rate=0.02), loss=mae)
    history = model.fit(x, y, epochs=30, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < 0.6 * history.history["loss"][0]


# -- 5. errors before any weight changes ----------------------------------------------------------


class NumpyExpNet(gn.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense = layers.Dense(3)

    def call(self, inputs, training=False):
        return np.exp(self.dense(inputs))


class RoundNet(gn.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense = layers.Dense(2)

    def call(self, inputs, training=False):
        return ops.round(self.dense(inputs))


def test_numpy_function_on_a_recorded_tensor_fails_before_any_update():
    x, _ = _regression_data(n=16)
    y = np.ones((16, 3), dtype="float32")
    model = NumpyExpNet()
    model.compile(optimizer="sgd", loss="mse")
    # outside training the same call is plain NumPy: it works, and builds the model
    np.testing.assert_allclose(
        model.predict(x),
        np.exp(x @ model.dense.kernel.value + model.dense.bias.value),
        rtol=1e-6,
    )
    before = model.get_weights()
    with pytest.raises(TypeError, match=r"np\.exp") as err:
        model.fit(x, y, epochs=1, verbose=0)
    assert "ops.exp" in str(err.value)  # the message names the fix
    for a, b in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(a, b)
    assert model.optimizer.iterations == 0


def test_numpy_function_fails_in_an_unbuilt_model_too():
    x, _ = _regression_data(n=16)
    model = NumpyExpNet()
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(TypeError, match=r"np\.exp"):
        model.train_step(x, np.ones((16, 3), dtype="float32"))
    assert model.optimizer.iterations == 0


def test_ops_round_on_a_recorded_tensor_fails_before_any_update():
    x, y = _regression_data(n=16)
    model = RoundNet()
    model.compile(optimizer="sgd", loss="mse")
    np.testing.assert_array_equal(
        model.predict(x), np.round(x @ model.dense.kernel.value + model.dense.bias.value)
    )
    before = model.get_weights()
    with pytest.raises(TypeError, match=r"ops\.round") as err:
        model.fit(x, y, epochs=1, verbose=0)
    assert "stop_gradient" in str(err.value)
    for a, b in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(a, b)


class NoCallLayer(gn.layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], 2), name="w")


def test_custom_layer_without_call_is_a_clear_error():
    with pytest.raises(NotImplementedError, match=r"NoCallLayer must implement call\(inputs\)"):
        gn.Sequential([NoCallLayer(input_shape=(4,))])

    class Holder(gn.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.inner = NoCallLayer()

        def call(self, inputs, training=False):
            return self.inner(inputs)

    x, y = _regression_data(n=8)
    model = Holder()
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(NotImplementedError, match="NoCallLayer must implement call"):
        model.fit(x, y, epochs=1, verbose=0)


def test_layers_assigned_before_super_init_are_an_error():
    class Early(gn.Model):
        def __init__(self):
            self.dense = layers.Dense(2)
            super().__init__()

    with pytest.raises(RuntimeError, match=r"Early: call super\(\).__init__\(\) first|super"):
        Early()


# -- 6. saving --------------------------------------------------------------------------------


def test_registered_subclassed_model_and_custom_layer_round_trip(tmp_path):
    @register_serializable(package="test_subclassed")
    class RoundTripScale(gn.layers.Layer):
        def __init__(self, units=3, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
            self.gain = self.add_weight(shape=(self.units,), initializer="ones", name="gain")

        def call(self, inputs):
            return ops.tanh(ops.matmul(inputs, self.kernel)) * self.gain

        def get_config(self):
            return {**super().get_config(), "units": self.units}

    @register_serializable(package="test_subclassed")
    class RoundTripNet(gn.Model):
        def __init__(self, hidden=5, **kwargs):
            super().__init__(**kwargs)
            self.hidden = hidden
            self.scale = RoundTripScale(hidden, name="scale")
            self.head = layers.Dense(2, name="head")

        def call(self, inputs, training=False):
            h = self.scale(inputs)
            return self.head(h + ops.sigmoid(h))

        def get_config(self):
            return {**super().get_config(), "hidden": self.hidden}

        @classmethod
        def from_config(cls, config):
            return cls(**config)

    x, y = _regression_data(n=32)
    model = RoundTripNet(hidden=7, name="round_trip")
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    path = tmp_path / "sub.glassnet"
    model.save(path)

    # a fresh, differently seeded session: nothing is shared with the saved model
    gn.clear_session()
    gn.set_seed(99)
    loaded = gn.models.load_model(path)
    assert type(loaded) is RoundTripNet
    assert loaded.hidden == 7 and loaded.name == "round_trip"
    assert [w.path for w in loaded.weights] == [
        "scale/kernel",
        "scale/gain",
        "head/kernel",
        "head/bias",
    ]
    assert [w.value.shape for w in loaded.weights] == [(4, 7), (7,), (7, 2), (2,)]
    for a, b in zip(loaded.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
    assert loaded.optimizer.iterations == model.optimizer.iterations == 8
    assert loaded.compiled


def test_loaded_subclassed_model_continues_training(tmp_path):
    """load_model builds a subclassed model with build(); it must then evaluate and fit."""

    @register_serializable(package="test_subclassed")
    class ContinueNet(gn.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.hidden = layers.Dense(5, activation="tanh")
            self.head = layers.Dense(2)

        def call(self, inputs, training=False):
            return self.head(self.hidden(inputs))

    x, y = _regression_data(n=32)
    model = ContinueNet()
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    model.save(tmp_path / "c.glassnet")
    loaded = gn.models.load_model(tmp_path / "c.glassnet")
    assert loaded.evaluate(x, y, verbose=0) == model.evaluate(x, y, verbose=0)
    # the optimizer state came along: one more identical step on each gives identical weights
    model.fit(x, y, epochs=1, batch_size=32, shuffle=False, verbose=0)
    loaded.fit(x, y, epochs=1, batch_size=32, shuffle=False, verbose=0)
    for a, b in zip(loaded.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_registered_custom_layer_in_sequential_round_trips(tmp_path):
    @register_serializable(package="test_subclassed")
    class SeqRoundTripLinear(Linear):
        def get_config(self):
            return {**super().get_config(), "units": self.units}

    @register_serializable(package="test_subclassed")
    class SeqRoundTripSwish(Swish):
        pass

    x, y = _regression_data(n=32)
    model = gn.Sequential(
        [SeqRoundTripLinear(6, input_shape=(4,)), SeqRoundTripSwish(), SeqRoundTripLinear(2)]
    )
    model.compile(optimizer="rmsprop", loss="mse")
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    path = tmp_path / "seq.glassnet"
    model.save(path)
    gn.set_seed(5)
    loaded = gn.models.load_model(path)
    assert [type(layer).__name__ for layer in loaded.layers] == [
        "SeqRoundTripLinear",
        "SeqRoundTripSwish",
        "SeqRoundTripLinear",
    ]
    assert [layer.units for layer in loaded.layers if hasattr(layer, "units")] == [6, 2]
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))


def test_unregistered_subclassed_model_loads_only_with_custom_objects(tmp_path):
    """As Keras: saved under its class name; loading names the class and custom_objects."""

    class UnregisteredSubclassedNet(gn.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.dense = layers.Dense(2)

        def call(self, inputs, training=False):
            return self.dense(inputs)

    model = UnregisteredSubclassedNet()
    model.build((None, 4))
    path = tmp_path / "net.glassnet"
    model.save(path)
    with pytest.raises(ValueError, match=r"UnregisteredSubclassedNet.*custom_objects"):
        gn.models.load_model(path)
    loaded = gn.models.load_model(
        path, custom_objects={"UnregisteredSubclassedNet": UnregisteredSubclassedNet}
    )
    x = np.arange(8.0, dtype="float32").reshape(2, 4)
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))


def test_unregistered_custom_layer_loads_with_custom_objects_or_a_scope(tmp_path):
    class UnregisteredSwishLayer(Swish):
        pass

    model = gn.Sequential([layers.Dense(3, input_shape=(4,)), UnregisteredSwishLayer()])
    path = tmp_path / "swish.glassnet"
    model.save(path)
    with pytest.raises(ValueError, match="UnregisteredSwishLayer"):
        gn.models.load_model(path)
    with gn.saving.custom_object_scope({"UnregisteredSwishLayer": UnregisteredSwishLayer}):
        loaded = gn.models.load_model(path)
    assert type(loaded.layers[1]) is UnregisteredSwishLayer


def test_a_class_of_your_own_named_as_a_built_in_must_be_registered(tmp_path):
    class Dense(layers.Layer):  # would load as glassnet's Dense: refused, nothing written
        def call(self, inputs):
            return inputs

    model = gn.Sequential([layers.Dense(3, input_shape=(4,)), Dense()])
    with pytest.raises(ValueError, match=r"Dense.*register_serializable"):
        model.save(tmp_path / "nope.glassnet")
    assert list(tmp_path.iterdir()) == []  # no temporary file left behind either


def test_loading_needs_the_class_registered_under_its_name(tmp_path):
    @register_serializable(package="test_subclassed_renamed", name="RenamedNet")
    class LocallyNamedNet(gn.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.dense = layers.Dense(2)

        def call(self, inputs, training=False):
            return self.dense(inputs)

    x, _ = _regression_data(n=8)
    model = LocallyNamedNet()
    model.build((None, 4))
    model.save(tmp_path / "m.glassnet")
    loaded = gn.models.load_model(tmp_path / "m.glassnet")
    assert type(loaded) is LocallyNamedNet
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))


def test_saving_with_an_unregistered_function_loss_names_the_fix(tmp_path):
    @register_serializable(package="test_subclassed")
    class FunctionLossNet(gn.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.dense = layers.Dense(2)

        def call(self, inputs, training=False):
            return self.dense(inputs)

    x, y = _regression_data(n=8)
    model = FunctionLossNet()
    model.compile(optimizer="sgd", loss=mae)
    model.fit(x, y, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="mae") as err:
        model.save(tmp_path / "f.glassnet")
    assert list(tmp_path.iterdir()) == []
    assert "glassnet.losses.register" in str(err.value)


# -- 7. freezing a layer ------------------------------------------------------------------------


class TwoStage(gn.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.frozen = layers.Dense(5, activation="tanh", name="frozen")
        self.custom = Linear(3, name="custom")
        self.head = layers.Dense(2, name="head")

    def call(self, inputs, training=False):
        return self.head(ops.relu(self.custom(self.frozen(inputs))))


def test_trainable_false_freezes_a_layer_of_a_subclassed_model():
    x, y = _regression_data(n=64)
    model = TwoStage()
    model.predict(x)  # builds it
    model.frozen.trainable = False
    model.compile(optimizer="adam", loss="mse")
    before = {w.path: w.value.copy() for w in model.weights}

    assert [w.path for w in model.trainable_weights] == [
        "custom/kernel",
        "custom/bias",
        "head/kernel",
        "head/bias",
    ]
    assert [w.path for w in model.non_trainable_weights] == ["frozen/kernel", "frozen/bias"]
    step = model.train_step(x, y, apply=False)
    assert [v.path for v in step.variables] == [w.path for w in model.trainable_weights]

    model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    after = {w.path: w.value for w in model.weights}
    np.testing.assert_array_equal(after["frozen/kernel"], before["frozen/kernel"])
    np.testing.assert_array_equal(after["frozen/bias"], before["frozen/bias"])
    for path in ("custom/kernel", "custom/bias", "head/kernel", "head/bias"):
        assert not np.array_equal(after[path], before[path]), path

    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    frozen = 4 * 5 + 5
    total = frozen + 5 * 3 + 3 + 3 * 2 + 2
    assert f"Total params: {total:,}" in text
    assert f"Trainable params: {total - frozen:,}" in text
    assert f"Non-trainable params: {frozen:,}" in text
    assert "frozen (Dense)" in text and "custom (Linear)" in text


def test_trainable_false_on_a_custom_layer_and_unfreezing():
    x, y = _regression_data(n=32)
    model = TwoStage()
    model.predict(x)  # builds it
    model.custom.trainable = False
    model.compile(optimizer="sgd", loss="mse")
    before = model.custom.get_weights()
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    for a, b in zip(model.custom.get_weights(), before, strict=True):
        np.testing.assert_array_equal(a, b)
    lines = []
    model.summary(print_fn=lines.append)
    assert "Non-trainable params: 18 " in "\n".join(lines)  # custom: 5·3 + 3
    # unfreeze and recompile (as Keras asks after changing trainable): the next fit moves it
    model.custom.trainable = True
    model.compile(optimizer="rmsprop", loss="mse")
    assert "custom/kernel" in [w.path for w in model.trainable_weights]
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    assert not np.array_equal(model.custom.get_weights()[0], before[0])


def test_freezing_the_whole_subclassed_model():
    x, y = _regression_data(n=16)
    model = TwoStage()
    model.predict(x)  # builds it
    model.trainable = False
    assert model.trainable_weights == []
    assert model.frozen.trainable is False and model.custom.trainable is False
    model.compile(optimizer="sgd", loss="mse")
    before = model.get_weights()
    model.fit(x, y, epochs=1, verbose=0)
    for a, b in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(a, b)


def test_unfreezing_without_recompiling_is_a_clear_error():
    model = gn.Sequential(
        [layers.Dense(3, activation="tanh", input_shape=(4,)), layers.Dense(2)], name="freeze"
    )
    model.layers[0].trainable = False
    model.compile("rmsprop", "mse")
    x, y = np.ones((8, 4)), np.ones((8, 2))
    model.fit(x, y, verbose=0)
    model.layers[0].trainable = True
    before = model.get_weights()
    with pytest.raises(ValueError, match=r"trainable weights changed .*compile\(\.\.\.\) again"):
        model.fit(x, y, verbose=0)
    for w, w0 in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(w, w0)
    model.compile("rmsprop", "mse")
    model.fit(x, y, verbose=0)
    assert not np.array_equal(model.get_weights()[0], before[0])
