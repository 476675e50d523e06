"""Sequential's API behaviour (not the training math): names, summary, weights, evaluate and
predict return forms, validation_split, verbosity, determinism, dtypes."""

import numpy as np
import pytest

import glassnet
from glassnet import layers, models, optimizers


def mlp(inputs=4, hidden=5, outputs=3, seed=0):
    glassnet.set_seed(seed)
    return models.Sequential(
        [
            layers.Dense(hidden, activation="relu", input_shape=(inputs,)),
            layers.Dense(outputs, activation="softmax"),
        ]
    )


def data(n=40, features=4, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, features))
    labels = rng.integers(0, classes, n)
    return x, labels, np.eye(classes)[labels]


def np_softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def np_sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# -- names -------------------------------------------------------------------------------------


def test_automatic_layer_and_model_names_follow_keras():
    a = models.Sequential([layers.Dense(4, input_shape=(2,)), layers.Dense(1)])
    b = models.Sequential([layers.Dense(4, input_shape=(2,)), layers.Dropout(0.5), layers.Dense(1)])
    assert a.name == "sequential"
    assert b.name == "sequential_1"
    assert [layer.name for layer in a.layers] == ["dense", "dense_1"]
    assert [layer.name for layer in b.layers] == ["dense_2", "dropout", "dense_3"]


def test_other_layer_kinds_and_explicit_names():
    stack = [
        layers.Flatten(input_shape=(2, 2)),
        layers.Dense(3, name="hidden"),
        layers.Activation("relu"),
        layers.Dense(2),
    ]
    model = models.Sequential(stack, name="net")
    assert model.name == "net"
    assert [layer.name for layer in model.layers] == ["flatten", "hidden", "activation", "dense"]


def test_clear_session_resets_names():
    models.Sequential([layers.Dense(1, input_shape=(1,))])
    models.Sequential([layers.Dense(1, input_shape=(1,))])
    glassnet.clear_session()
    model = models.Sequential([layers.Dense(1, input_shape=(1,)), layers.Dense(1)])
    assert model.name == "sequential"
    assert [layer.name for layer in model.layers] == ["dense", "dense_1"]


# -- summary and counts ------------------------------------------------------------------------


def test_summary_of_the_mnist_network(capsys):
    model = models.Sequential(
        [
            layers.Dense(512, activation="relu", input_shape=(784,)),
            layers.Dense(10, activation="softmax"),
        ]
    )
    model.summary()
    out = capsys.readouterr().out
    assert 'Model: "sequential"' in out
    assert "dense (Dense)" in out
    assert "dense_1 (Dense)" in out
    assert "(None, 512)" in out
    assert "(None, 10)" in out
    # 784·512 + 512 = 401,920; 512·10 + 10 = 5,130; total 407,050
    assert "401,920" in out
    assert "5,130" in out
    assert "Total params: 407,050" in out
    assert "Trainable params: 407,050" in out
    assert "Non-trainable params: 0" in out
    rows = [line for line in out.splitlines() if "(Dense)" in line]
    assert "512" in rows[0] and "401,920" in rows[0]
    assert "(None, 10)" in rows[1] and "5,130" in rows[1]
    assert model.count_params() == 784 * 512 + 512 + 512 * 10 + 10


def test_summary_print_fn_receives_the_text():
    model = mlp()
    received = []
    model.summary(print_fn=received.append)
    text = "\n".join(received)
    assert 'Model: "sequential"' in text
    # 4·5 + 5 = 25 and 5·3 + 3 = 18: total 43
    assert "Total params: 43" in text


def test_count_params_small_model():
    model = models.Sequential(
        [layers.Dense(4, input_shape=(3,)), layers.Dropout(0.2), layers.Dense(2, use_bias=False)]
    )
    assert model.count_params() == 3 * 4 + 4 + 4 * 2
    assert [layer.count_params() for layer in model.layers] == [16, 0, 8]


def test_count_params_of_unbuilt_model_is_an_error():
    model = models.Sequential([layers.Dense(4)])
    with pytest.raises(ValueError, match=r"not built yet, so count_params\(\)"):
        model.count_params()


# -- weights -----------------------------------------------------------------------------------


def test_get_weights_returns_kernel_then_bias_per_dense():
    model = mlp(inputs=4, hidden=5, outputs=3)
    weights = model.get_weights()
    assert [w.shape for w in weights] == [(4, 5), (5,), (5, 3), (3,)]
    assert all(w.dtype == np.float32 for w in weights)
    np.testing.assert_array_equal(weights[1], np.zeros(5))  # bias initialised to zeros
    np.testing.assert_array_equal(weights[0], model.layers[0].kernel)
    np.testing.assert_array_equal(weights[2], model.layers[1].kernel)


def test_get_weights_returns_copies():
    model = mlp()
    x, _, _ = data(n=6)
    before = model.predict(x)
    weights = model.get_weights()
    for w in weights:
        w[...] = 7.0
    assert not np.any(model.get_weights()[0] == 7.0)
    np.testing.assert_array_equal(model.predict(x), before)


def test_set_weights_round_trip_and_copies_its_input():
    model = mlp()
    rng = np.random.default_rng(1)
    new = [rng.normal(size=s).astype(np.float32) for s in [(4, 5), (5,), (5, 3), (3,)]]
    model.set_weights(new)
    got = model.get_weights()
    for a, b in zip(got, new, strict=True):
        np.testing.assert_array_equal(a, b)
    kept = [w.copy() for w in new]
    for w in new:
        w[...] = 0.0  # the model must not share memory with the list it was given
    for a, b in zip(model.get_weights(), kept, strict=True):
        np.testing.assert_array_equal(a, b)


def test_set_weights_casts_to_the_model_dtype():
    model = mlp()
    model.set_weights([np.ones((4, 5)), np.ones(5), np.ones((5, 3)), np.ones(3)])  # float64 in
    assert all(w.dtype == np.float32 for w in model.get_weights())


def test_layer_get_and_set_weights():
    model = mlp()
    layer = model.layers[1]
    kernel = np.arange(15, dtype=np.float32).reshape(5, 3)
    bias = np.array([1.0, 2.0, 3.0], dtype=np.float32)
    layer.set_weights([kernel, bias])
    np.testing.assert_array_equal(model.get_weights()[2], kernel)
    np.testing.assert_array_equal(model.get_weights()[3], bias)


# -- predict -----------------------------------------------------------------------------------


def test_predict_equals_a_plain_numpy_forward_pass():
    model = mlp()
    x, _, _ = data(n=50)
    w1, b1, w2, b2 = (w.astype(np.float64) for w in model.get_weights())
    expected = np_softmax(np.maximum(x @ w1 + b1, 0.0) @ w2 + b2)
    got = model.predict(x)
    assert got.shape == (50, 3)
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)


def test_predict_shape_and_dtype_float32_by_default():
    model = mlp()
    x, _, _ = data(n=7)
    out = model.predict(x)  # float64 input
    assert out.shape == (7, 3)
    assert out.dtype == np.float32
    assert model.predict(x[:1]).shape == (1, 3)
    assert model.predict(x.tolist()).dtype == np.float32  # lists accepted


def test_predict_float64_after_set_floatx():
    glassnet.set_floatx("float64")
    model = mlp()
    x, _, _ = data(n=7)
    out = model.predict(x.astype(np.float32))
    assert out.dtype == np.float64
    assert all(w.dtype == np.float64 for w in model.get_weights())
    w1, b1, w2, b2 = model.get_weights()
    expected = np_softmax(np.maximum(x.astype(np.float32) @ w1 + b1, 0.0) @ w2 + b2)
    np.testing.assert_allclose(out, expected, rtol=1e-12)


@pytest.mark.parametrize("batch_size", [1, 3, 32, 100])
def test_predict_does_not_depend_on_batch_size(batch_size):
    model = mlp()
    x, _, _ = data(n=10)
    w1, b1, w2, b2 = (w.astype(np.float64) for w in model.get_weights())
    expected = np_softmax(np.maximum(x @ w1 + b1, 0.0) @ w2 + b2)
    np.testing.assert_allclose(
        model.predict(x, batch_size=batch_size), expected, rtol=1e-6, atol=1e-7
    )


def test_predict_ignores_dropout():
    glassnet.set_seed(0)
    model = models.Sequential(
        [layers.Dense(5, activation="relu", input_shape=(4,)), layers.Dropout(0.5), layers.Dense(2)]
    )
    x, _, _ = data(n=6)
    w1, b1, w2, b2 = (w.astype(np.float64) for w in model.get_weights())
    expected = np.maximum(x @ w1 + b1, 0.0) @ w2 + b2
    np.testing.assert_allclose(model.predict(x), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(model.predict(x), model.predict(x))


# -- evaluate ----------------------------------------------------------------------------------


def test_evaluate_returns_a_float_without_metrics():
    model = mlp()
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    x, _, onehot = data(n=20)
    value = model.evaluate(x, onehot)
    assert isinstance(value, float)
    w1, b1, w2, b2 = (w.astype(np.float64) for w in model.get_weights())
    p = np_softmax(np.maximum(x @ w1 + b1, 0.0) @ w2 + b2)
    expected = -np.mean(np.log(p[np.arange(20), onehot.argmax(axis=1)]))
    assert value == pytest.approx(expected, rel=1e-5)


def test_evaluate_returns_loss_and_metrics_as_a_list():
    model = mlp()
    model.compile(optimizer="sgd", loss="categorical_crossentropy", metrics=["accuracy", "mae"])
    x, labels, onehot = data(n=20)
    values = model.evaluate(x, onehot)
    assert isinstance(values, list)
    assert len(values) == 3
    assert all(isinstance(v, float) for v in values)
    w1, b1, w2, b2 = (w.astype(np.float64) for w in model.get_weights())
    p = np_softmax(np.maximum(x @ w1 + b1, 0.0) @ w2 + b2)
    assert values[1] == pytest.approx(np.mean(p.argmax(axis=1) == labels))
    assert values[2] == pytest.approx(np.mean(np.abs(p - onehot)), rel=1e-5)


def test_evaluate_verbose_prints_loss_and_metrics(capsys):
    model = mlp()
    model.compile(optimizer="sgd", loss="categorical_crossentropy", metrics=["accuracy"])
    x, _, onehot = data(n=20)
    loss, acc = model.evaluate(x, onehot, verbose=1)
    out = capsys.readouterr().out
    assert f"loss: {loss:.4f}" in out
    assert f"accuracy: {acc:.4f}" in out
    model.evaluate(x, onehot, verbose=0)
    assert capsys.readouterr().out == ""


# -- metric resolution -------------------------------------------------------------------------


def test_accuracy_after_binary_crossentropy_is_binary_accuracy():
    model = models.Sequential([layers.Dense(1, activation="sigmoid", input_shape=(1,))])
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
    model.set_weights([np.array([[1.0]]), np.array([0.0])])
    x = np.array([[-2.0], [-1.0], [1.0], [2.0], [3.0]])
    y = np.array([0.0, 1.0, 1.0, 0.0, 1.0])
    # predictions sigmoid(x) > 0.5 ⇔ x > 0: [0, 0, 1, 1, 1] vs y → right, wrong, right, wrong, right
    loss, acc = model.evaluate(x, y)
    assert acc == pytest.approx(3 / 5)
    p = np_sigmoid(x[:, 0])
    expected_loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert loss == pytest.approx(expected_loss, rel=1e-5)


SOFTMAX_X = np.array([[3.0, 1.0, 0.0], [0.0, 2.0, 1.0], [1.0, 0.0, 5.0], [2.0, 3.0, 1.0]])
SOFTMAX_LABELS = np.array([0, 2, 2, 0])  # argmax of x is [0, 1, 2, 1]: 2 of 4 right


def identity_softmax_model(loss, metrics):
    model = models.Sequential([layers.Dense(3, activation="softmax", input_shape=(3,))])
    model.compile(optimizer="sgd", loss=loss, metrics=metrics)
    model.set_weights([np.eye(3), np.zeros(3)])
    return model


@pytest.mark.parametrize("name", ["accuracy", "acc"])
def test_accuracy_after_sparse_loss_is_sparse_categorical_accuracy(name):
    model = identity_softmax_model("sparse_categorical_crossentropy", [name])
    loss, acc = model.evaluate(SOFTMAX_X, SOFTMAX_LABELS)
    assert acc == pytest.approx(0.5)
    p = np_softmax(SOFTMAX_X)
    assert loss == pytest.approx(-np.mean(np.log(p[np.arange(4), SOFTMAX_LABELS])), rel=1e-5)


def test_accuracy_after_categorical_loss_is_categorical_accuracy():
    model = identity_softmax_model("categorical_crossentropy", ["accuracy"])
    _, acc = model.evaluate(SOFTMAX_X, np.eye(3)[SOFTMAX_LABELS])
    assert acc == pytest.approx(0.5)


def test_accuracy_after_mse_depends_on_output_width():
    wide = models.Sequential([layers.Dense(3, input_shape=(3,))])
    wide.compile(optimizer="sgd", loss="mse", metrics=["accuracy"])
    wide.set_weights([np.eye(3), np.zeros(3)])
    _, acc = wide.evaluate(SOFTMAX_X, np.eye(3)[SOFTMAX_LABELS])
    assert acc == pytest.approx(0.5)  # categorical: argmax comparison

    narrow = models.Sequential([layers.Dense(1, input_shape=(1,))])
    narrow.compile(optimizer="sgd", loss="mse", metrics=["accuracy"])
    narrow.set_weights([np.array([[1.0]]), np.array([0.0])])
    x = np.array([[0.2], [0.7], [0.9], [0.4]])
    _, acc = narrow.evaluate(x, np.array([0.0, 0.0, 1.0, 1.0]))
    assert acc == pytest.approx(0.5)  # binary: > 0.5 → [0, 1, 1, 0] vs [0, 0, 1, 1]


def test_mse_and_mae_metrics_equal_numpy():
    model = models.Sequential([layers.Dense(2, input_shape=(3,))])
    model.compile(optimizer="sgd", loss="mse", metrics=["mse", "mae"])
    w = np.array([[1.0, -1.0], [0.5, 2.0], [0.0, 1.0]])
    b = np.array([0.25, -0.5])
    model.set_weights([w, b])
    rng = np.random.default_rng(3)
    x = rng.normal(size=(10, 3))
    y = rng.normal(size=(10, 2))
    pred = x.astype(np.float32).astype(np.float64) @ w + b
    loss, mse, mae = model.evaluate(x, y, batch_size=4)  # batches of 4, 4, 2
    assert mse == pytest.approx(np.mean((pred - y) ** 2), rel=1e-5)
    assert loss == pytest.approx(np.mean((pred - y) ** 2), rel=1e-5)
    assert mae == pytest.approx(np.mean(np.abs(pred - y)), rel=1e-5)


def test_history_keys_use_the_metric_names_as_given():
    model = mlp()
    model.compile(optimizer="sgd", loss="categorical_crossentropy", metrics=["acc", "mse"])
    x, _, onehot = data()
    history = model.fit(x, onehot, epochs=2, verbose=0, validation_split=0.25)
    assert list(history.history) == ["loss", "acc", "mse", "val_loss", "val_acc", "val_mse"]
    assert all(len(v) == 2 for v in history.history.values())


# -- validation_split ----------------------------------------------------------------------------


def split_data():
    """40 samples: the first 30 of classes 0 and 1, the last 10 all of class 2."""
    rng = np.random.default_rng(5)
    x = rng.normal(size=(40, 4))
    labels = np.concatenate([np.arange(30) % 2, np.full(10, 2)])
    x[30:] += 3.0  # the held-out samples also look different
    return x, np.eye(3)[labels]


def test_validation_split_holds_out_the_last_fraction_before_shuffling():
    x, y = split_data()
    model = mlp(seed=7)
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=3, batch_size=8, validation_split=0.25, verbose=0)

    last_val_loss = history.history["val_loss"][-1]
    tail_loss, tail_acc = model.evaluate(x[-10:], y[-10:], batch_size=8)
    head_loss, _ = model.evaluate(x[:10], y[:10], batch_size=8)
    assert last_val_loss == pytest.approx(tail_loss, rel=1e-6)
    assert history.history["val_accuracy"][-1] == pytest.approx(tail_acc)
    assert abs(head_loss - tail_loss) > 1e-3  # the slices really differ


def test_validation_split_trains_on_exactly_the_first_samples():
    x, y = split_data()
    a = mlp(seed=7)
    a.compile(optimizer="adam", loss="categorical_crossentropy")
    ha = a.fit(x, y, epochs=3, batch_size=8, validation_split=0.25, verbose=0)
    b = mlp(seed=7)
    b.compile(optimizer="adam", loss="categorical_crossentropy")
    hb = b.fit(x[:30], y[:30], epochs=3, batch_size=8, verbose=0)
    assert ha.history["loss"] == hb.history["loss"]
    for u, v in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_array_equal(u, v)


def test_validation_data_val_loss_matches_evaluate():
    x, y = split_data()
    model = mlp(seed=2)
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    history = model.fit(x[:30], y[:30], epochs=2, verbose=0, validation_data=(x[30:], y[30:]))
    assert history.history["val_loss"][-1] == pytest.approx(
        model.evaluate(x[30:], y[30:]), rel=1e-6
    )


# -- determinism -------------------------------------------------------------------------------


def run(seed, dropout=False):
    glassnet.clear_session()
    glassnet.set_seed(seed)
    stack = [layers.Dense(6, activation="relu", input_shape=(4,))]
    if dropout:
        stack.append(layers.Dropout(0.25))
    stack.append(layers.Dense(3, activation="softmax"))
    model = models.Sequential(stack)
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    x, _, y = data()
    history = model.fit(x, y, epochs=3, batch_size=8, shuffle=True, verbose=0, validation_split=0.2)
    return model.get_weights(), history.history


@pytest.mark.parametrize("dropout", [False, True])
def test_same_seed_gives_bit_identical_weights_and_history(dropout):
    w1, h1 = run(11, dropout)
    w2, h2 = run(11, dropout)
    assert h1 == h2
    for a, b in zip(w1, w2, strict=True):
        np.testing.assert_array_equal(a, b)


def test_different_seed_gives_different_weights():
    w1, h1 = run(11)
    w2, h2 = run(12)
    assert not all(np.array_equal(a, b) for a, b in zip(w1, w2, strict=True))
    assert h1["loss"] != h2["loss"]


def test_same_initial_weights_but_shuffle_order_depends_on_the_seed():
    # Same weights, different generator for shuffling: the histories differ.
    x, _, y = data()
    results = []
    for seed in (1, 2):
        model = mlp(seed=0)
        model.compile(optimizer="sgd", loss="categorical_crossentropy")
        glassnet.set_seed(seed)
        results.append(model.fit(x, y, epochs=1, batch_size=8, verbose=0).history["loss"][0])
    assert results[0] != results[1]


# -- lazy building -----------------------------------------------------------------------------


def test_model_without_input_shape_builds_on_first_fit():
    glassnet.set_seed(0)
    model = models.Sequential([layers.Dense(4, activation="relu"), layers.Dense(2, "softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    assert not model.built
    rng = np.random.default_rng(0)
    x = rng.normal(size=(12, 3))
    model.fit(x, np.arange(12) % 2, epochs=1, verbose=0)
    assert model.built
    assert model.input_shape == (None, 3)
    assert [w.shape for w in model.get_weights()] == [(3, 4), (4,), (4, 2), (2,)]
    assert model.count_params() == 3 * 4 + 4 + 4 * 2 + 2
    assert model.predict(x).shape == (12, 2)
    with pytest.raises(ValueError, match=r"expects 3 input features, got 5"):
        model.predict(rng.normal(size=(2, 5)))


def test_model_without_input_shape_builds_on_first_predict():
    model = models.Sequential([layers.Dense(4), layers.Dense(2)])
    out = model.predict(np.ones((5, 7)))
    assert out.shape == (5, 2)
    assert model.layers[0].kernel.shape == (7, 4)


# -- float32 end to end --------------------------------------------------------------------------


@pytest.mark.parametrize("optimizer", ["sgd_momentum", "rmsprop", "adam"])
def test_float32_fit_keeps_everything_float32_with_float64_input(optimizer):
    opt = {
        "sgd_momentum": lambda: optimizers.SGD(learning_rate=0.01, momentum=0.9),
        "rmsprop": optimizers.RMSprop,
        "adam": optimizers.Adam,
    }[optimizer]()
    model = mlp()
    model.compile(optimizer=opt, loss="categorical_crossentropy", metrics=["accuracy"])
    x, _, y = data()
    assert x.dtype == np.float64 and y.dtype == np.float64
    history = model.fit(x, y, epochs=2, batch_size=8, verbose=0, validation_split=0.2)
    for layer in model.layers:
        assert all(p.dtype == np.float32 for p in layer.params)
        assert all(g.dtype == np.float32 for g in layer.grads)
        assert len(layer.grads) == len(layer.params)
        # every intermediate of the last step: the layer input X, Z = X·W + b and A = g(Z)
        for cached in ("_x", "_z", "_a"):
            if hasattr(layer, cached):
                assert getattr(layer, cached).dtype == np.float32, (layer.name, cached)
    steps = model.explain(x[:4], y[:4])  # every delta and gradient of a step, too
    assert all(s.value.dtype == np.float32 for s in steps.steps if s.value.ndim > 0)
    slots = [a for values in model.optimizer.slots.values() for a in values]
    assert len(slots) == len(model.optimizer.slot_names) * 4
    assert all(a.dtype == np.float32 for a in slots)
    assert model.predict(x).dtype == np.float32
    assert all(isinstance(v, float) for values in history.history.values() for v in values)


def test_float32_fit_with_integer_input():
    model = mlp()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    x = np.arange(40).reshape(10, 4) % 5  # int64
    model.fit(x, np.arange(10) % 3, epochs=1, verbose=0)
    assert all(w.dtype == np.float32 for w in model.get_weights())
    assert all(a.dtype == np.float32 for v in model.optimizer.slots.values() for a in v)


def test_a_model_seed_fixes_weights_and_shuffles_without_touching_the_global_generator():
    def train(seed):
        model = models.Sequential(
            [layers.Dense(5, activation="tanh", input_shape=(4,)), layers.Dense(3)], seed=seed
        )
        model.compile("sgd", "mse")
        x = np.arange(40.0).reshape(10, 4) / 40
        history = model.fit(x, np.ones((10, 3)), epochs=3, batch_size=3, verbose=0)
        return model.get_weights(), history.history["loss"]

    glassnet.set_seed(1)
    before = glassnet.config.rng().bit_generator.state
    (w1, l1), (w2, l2) = train(7), train(7)
    assert glassnet.config.rng().bit_generator.state == before  # the global stream is untouched
    assert all(np.array_equal(a, b) for a, b in zip(w1, w2, strict=True)) and l1 == l2
    w3, _ = train(8)
    assert not np.array_equal(w1[0], w3[0])


def test_pop_removes_the_last_layer_and_the_model_still_runs():
    model = models.Sequential(
        [
            layers.Dense(4, activation="relu", input_shape=(3,)),
            layers.Dense(5, activation="tanh"),
            layers.Dense(2, activation="softmax"),
        ]
    )
    first = model.layers[0].get_weights()
    removed = model.pop()
    assert removed.name == "dense_2" and [layer.name for layer in model.layers] == [
        "dense",
        "dense_1",
    ]
    assert model.output_shape == (None, 5) and model.count_params() == 16 + 25
    x = np.ones((2, 3), dtype=np.float32)
    h = np.maximum(x @ first[0] + first[1], 0)
    w, b = model.layers[1].get_weights()
    np.testing.assert_allclose(model.predict(x), np.tanh(h @ w + b), rtol=1e-6)
    model.add(layers.Dense(1, name="head"))
    assert model.output_shape == (None, 1) and model.predict(x).shape == (2, 1)
    model.pop(), model.pop(), model.pop()
    with pytest.raises(ValueError, match="no layers to pop"):
        model.pop()
