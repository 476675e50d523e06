"""Keras names that Keras code reaches for: ops that make arrays and read shapes, Variable
updates, the merge functions, the losses as metrics, per-sample metric functions, custom
objects in saved files, compile without a loss; checked by hand and against real Keras 3."""

import numpy as np
import pytest

import glassnet as gn
from glassnet import layers, ops
from glassnet.tape import Tape, Variable


def test_array_creation_ops_give_floatx_arrays_of_the_asked_shape():
    assert ops.ones((2, 3)).dtype == np.float32 and ops.ones((2, 3)).sum() == 6
    assert ops.zeros((4,)).tolist() == [0, 0, 0, 0]
    assert ops.full((2,), 7.5).tolist() == [7.5, 7.5]
    np.testing.assert_array_equal(ops.eye(2), [[1, 0], [0, 1]])
    x = np.arange(6.0).reshape(2, 3)
    assert ops.shape(x) == (2, 3) and ops.ndim(x) == 2 and ops.size(x) == 6
    assert ops.dtype(ops.cast(x, "float32")) == "float32"
    assert ops.cast(np.array([1.7, -0.2]), "int32").tolist() == [1, 0]
    np.testing.assert_array_equal(ops.zeros_like(x), np.zeros((2, 3)))


def test_max_min_and_cast_are_differentiated_on_the_tape(float64):
    w = Variable(np.array([[1.0, 5.0, 5.0], [2.0, -1.0, 0.0]]), "w")
    with Tape() as tape:
        total = ops.sum(ops.max(w, axis=1)) + ops.sum(ops.min(ops.cast(w, "float32"), axis=0))
    tape.backward([(total, np.asarray(1.0))])
    # max per row: row 0 ties 5 and 5 (each gets ½), row 1 is 2; min per column: 1, −1, 0
    np.testing.assert_allclose(w.grad, [[1.0, 0.5, 0.5], [1.0, 1.0, 1.0]])
    assert w.grad.dtype == np.float64  # cast's gradient is cast back


def test_variable_assign_add_and_sub_change_the_values_in_place():
    v = Variable(np.zeros(3), "v")
    array = v.value
    v.assign_add(np.ones(3))
    v.assign_sub([0.5, 0.0, 1.0])
    assert v.value is array
    np.testing.assert_array_equal(v.value, [0.5, 1.0, 0.0])
    assert float(Variable(np.array(2.5), "s")) == 2.5


def test_merge_functions_build_the_merge_layers():
    a, b = gn.Input((3,)), gn.Input((3,))
    for function, expected in [
        (layers.average, [2.0, 3.0, 4.0]),
        (layers.subtract, [-2.0, -2.0, -2.0]),
        (layers.multiply, [3.0, 8.0, 15.0]),
        (layers.maximum, [3.0, 4.0, 5.0]),
        (layers.minimum, [1.0, 2.0, 3.0]),
    ]:
        model = gn.Model([a, b], function([a, b]))
        out = model.predict([np.array([[1.0, 2.0, 3.0]]), np.array([[3.0, 4.0, 5.0]])])
        np.testing.assert_allclose(out[0], expected)


def test_metric_functions_give_one_value_per_sample_as_keras():
    y = np.eye(3)[[0, 1, 2, 0]]
    p = np.eye(3)[[0, 2, 2, 1]] * 0.8 + 0.05
    assert gn.metrics.categorical_accuracy(y, p).tolist() == [1, 0, 1, 0]
    assert gn.metrics.sparse_categorical_accuracy([0, 1, 2, 0], p).tolist() == [1, 0, 1, 0]
    np.testing.assert_allclose(gn.metrics.mean_absolute_error(y, p), np.abs(y - p).mean(-1))
    np.testing.assert_allclose(gn.metrics.mean_squared_error(y, p), ((y - p) ** 2).mean(-1))
    yb, pb = np.array([[1.0, 0.0], [0.0, 0.0]]), np.array([[0.9, 0.7], [0.2, 0.4]])
    assert gn.metrics.binary_accuracy(yb, pb).tolist() == [0.5, 1.0]


def test_a_function_metric_of_per_sample_values_is_averaged_over_the_samples(rng):
    model = gn.Sequential([gn.Input((4,)), layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse", metrics=[gn.metrics.mean_absolute_error, "mae"])
    x, y = rng.normal(size=(10, 4)), rng.normal(size=(10, 2))
    result = model.evaluate(x, y, batch_size=3, return_dict=True)
    assert result["mean_absolute_error"] == pytest.approx(result["mae"], rel=1e-6)
    assert result["mae"] == pytest.approx(float(np.abs(model.predict(x) - y).mean()), rel=1e-6)


LOSS_METRICS = [
    ("MeanAbsolutePercentageError", "regression"),
    ("MeanSquaredLogarithmicError", "regression"),
    ("LogCoshError", "regression"),
    ("Poisson", "regression"),
    ("CosineSimilarity", "regression"),
    ("Hinge", "binary"),
    ("SquaredHinge", "binary"),
    ("BinaryCrossentropy", "binary"),
    ("CategoricalHinge", "categorical"),
    ("KLDivergence", "categorical"),
    ("CategoricalCrossentropy", "categorical"),
]


@pytest.mark.parametrize(("name", "kind"), LOSS_METRICS)
def test_loss_metrics_match_keras(float64, keras_float64, rng, name, kind):
    keras = keras_float64
    if kind == "regression":
        y, p = rng.uniform(0.1, 2, (20, 3)), rng.uniform(0.1, 2, (20, 3))
    elif kind == "binary":
        y, p = (rng.uniform(size=(20, 3)) > 0.5).astype(float), rng.uniform(0.01, 0.99, (20, 3))
    else:
        y = np.eye(3)[rng.integers(0, 3, 20)]
        p = rng.uniform(0.01, 1, (20, 3))
        p /= p.sum(axis=1, keepdims=True)
    w = rng.uniform(0, 1, 20)
    k_metric, g_metric = getattr(keras.metrics, name)(), getattr(gn.metrics, name)()
    for batch in (slice(0, 8), slice(8, 20)):
        k_metric.update_state(y[batch], p[batch], sample_weight=w[batch])
        g_metric.update_state(y[batch], p[batch], sample_weight=w[batch])
    assert g_metric.name == k_metric.name
    want = float(keras.ops.convert_to_numpy(k_metric.result()))
    assert float(g_metric.result()) == pytest.approx(want, rel=1e-12)


def test_loss_metrics_by_name_in_compile(rng):
    model = gn.Sequential([gn.Input((4,)), layers.Dense(2, activation="softplus")])
    model.compile(optimizer="sgd", loss="mse", metrics=["mape", "msle", "poisson", "logcosh"])
    history = model.fit(rng.normal(size=(16, 4)), rng.uniform(1, 2, (16, 2)), verbose=0)
    assert list(history.history) == ["loss", "mape", "msle", "poisson", "logcosh"]


def test_an_activation_of_ops_is_differentiated_through_the_tape(float64, rng):
    def cube_plus_sine(x):  # no derivative given: backpropagation goes through its ops
        return x * x * x + ops.sigmoid(x)

    activation = gn.activations.get(cube_plus_sine)
    z = rng.normal(size=(3, 4))
    sig = 1 / (1 + np.exp(-z))
    np.testing.assert_allclose(activation.derivative(z), 3 * z**2 + sig * (1 - sig), rtol=1e-12)
    model = gn.Sequential([gn.Input((4,)), layers.Dense(3, activation=cube_plus_sine)])
    model.compile(optimizer="sgd", loss="mse")
    report = gn.gradcheck(model, rng.normal(size=(5, 4)), rng.normal(size=(5, 3)))
    assert report.passed


def test_keras_activation_functions_take_python_lists():
    relu = gn.activations.relu
    assert relu([-10, -5, 0.0, 5, 10], negative_slope=0.5).tolist() == [-5, -2.5, 0, 5, 10]
    assert relu([-10, -5, 0.0, 5, 10], threshold=5.0).tolist() == [0, 0, 0, 0, 10]
    assert gn.activations.softmax([[0.0, 0.0]]).tolist() == [[0.5, 0.5]]


def test_serialize_and_deserialize_any_object():
    for obj in (
        gn.regularizers.L1(0.005),
        gn.constraints.MaxNorm(2.0),
        gn.initializers.TruncatedNormal(stddev=0.1, seed=3),
        gn.losses.Huber(delta=2.0),
        gn.optimizers.Adam(0.01),
        gn.optimizers.schedules.ExponentialDecay(0.1, 100, 0.9),
    ):
        config = gn.saving.serialize_keras_object(obj)
        assert config["class_name"] == type(obj).__name__
        again = gn.saving.deserialize_keras_object(config)
        assert type(again) is type(obj) and again.get_config() == obj.get_config()
    with pytest.raises(ValueError, match=r"'Nope'.*custom_objects"):
        gn.saving.deserialize_keras_object({"class_name": "Nope", "config": {}})


def test_custom_objects_registered_through_the_global_dict(tmp_path, rng):
    class Doubler(layers.Layer):
        def call(self, x):
            return x * 2.0

    model = gn.Sequential([gn.Input((3,)), Doubler(), layers.Dense(1)])
    path = tmp_path / "d.glassnet"
    model.save(path)
    gn.saving.get_custom_objects()["Doubler"] = Doubler
    try:
        loaded = gn.models.load_model(path)
    finally:
        del gn.saving.get_custom_objects()["Doubler"]
    x = rng.normal(size=(2, 3)).astype("float32")
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))


def test_a_loss_only_from_add_loss_trains_without_targets(rng):
    class Penalty(layers.Layer):
        def call(self, x):
            self.add_loss(ops.mean(ops.square(x)))
            return x

    model = gn.Sequential([gn.Input((3,)), layers.Dense(2), Penalty()])
    model.compile(optimizer=gn.optimizers.SGD(0.1))
    history = model.fit(rng.normal(size=(32, 3)), epochs=5, verbose=0)
    assert list(history.history) == ["loss"]
    assert history.history["loss"][-1] < history.history["loss"][0]  # it learns to output 0


def test_none_loss_for_an_output_matches_keras_history(float64, keras_float64, rng):
    keras = keras_float64

    def build(lib):
        inputs = lib.Input((4,))
        h = lib.layers.Dense(3, activation="tanh")(inputs)
        score = lib.layers.Dense(1, name="score")(h)
        cls = lib.layers.Dense(2, activation="softmax", name="cls")(h)
        return lib.Model(inputs, [score, cls])

    k_model, g_model = build(keras), build(gn)
    args = {"loss": [None, "categorical_crossentropy"], "metrics": [["mae"], ["accuracy"]]}
    k_model.compile(optimizer=keras.optimizers.SGD(0.1), **args)
    g_model.compile(optimizer=gn.optimizers.SGD(0.1), **args)
    g_model.set_weights(k_model.get_weights())
    x = rng.normal(size=(16, 4))
    y = [rng.normal(size=(16, 1)), np.eye(2)[rng.integers(0, 2, 16)]]
    fit = {"epochs": 2, "batch_size": 8, "shuffle": False, "verbose": 0}
    k_hist, g_hist = k_model.fit(x, y, **fit).history, g_model.fit(x, y, **fit).history
    assert set(g_hist) == set(k_hist) == {"loss", "score_mae", "cls_accuracy"}
    for key in k_hist:
        np.testing.assert_allclose(g_hist[key], k_hist[key], rtol=1e-12, err_msg=key)


def test_a_test_step_of_your_own_runs_in_evaluate_and_matches_keras(float64, keras_float64, rng):
    keras = keras_float64
    steps = []

    def with_test_step(base):
        class CustomModel(base):
            def test_step(self, data):
                x, y = data
                y_pred = self(x, training=False)
                loss = self.compute_loss(y=y, y_pred=y_pred)
                for metric in self.metrics:
                    if metric.name == "loss":
                        metric.update_state(loss)
                    else:
                        metric.update_state(y, y_pred)
                steps.append(base)
                return {m.name: m.result() for m in self.metrics}

        return CustomModel

    def build(lib):
        inputs = lib.Input((5,))
        model = with_test_step(lib.Model)(inputs, lib.layers.Dense(2)(inputs))
        model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
        return model

    k_model, g_model = build(keras), build(gn)
    g_model.set_weights(k_model.get_weights())
    x, y = rng.normal(size=(70, 5)), rng.normal(size=(70, 2))
    k_logs = k_model.evaluate(x, y, batch_size=32, verbose=0, return_dict=True)
    g_logs = g_model.evaluate(x, y, batch_size=32, return_dict=True)
    assert steps.count(gn.Model) == 3  # ⌈70 / 32⌉ batches, each through the test_step
    assert list(g_logs) == ["loss", "mae"] and set(k_logs) == set(g_logs)
    for key, value in k_logs.items():
        assert g_logs[key] == pytest.approx(value, rel=1e-12), key
    assert isinstance(g_model, gn.models.Functional)  # the subclass keeps the graph's behaviour
    g_model.fit(x, y, epochs=1, verbose=0)


def test_an_endpoint_layer_with_a_loss_object_matches_keras(float64, keras_float64, rng):
    """A layer called on (targets, logits) that adds a loss object's value: the recorded loss
    is differentiated through its own gradient (from the logits here)."""
    keras = keras_float64

    def build(lib):
        class LogisticEndpoint(lib.layers.Layer):
            def __init__(self, name=None):
                super().__init__(name=name)
                self.loss_fn = lib.losses.BinaryCrossentropy(from_logits=True)

            def call(self, targets, logits):
                self.add_loss(self.loss_fn(targets, logits))
                return lib.ops.sigmoid(logits)

        inputs = lib.Input(shape=(3,), name="inputs")
        targets = lib.Input(shape=(4,), name="targets")
        logits = lib.layers.Dense(4)(inputs)
        predictions = LogisticEndpoint(name="predictions")(targets, logits)
        model = lib.Model(inputs=[inputs, targets], outputs=predictions)
        model.compile(optimizer=lib.optimizers.SGD(0.5))
        return model

    k_model, g_model = build(keras), build(gn)
    g_model.set_weights(k_model.get_weights())
    data = {"inputs": rng.normal(size=(24, 3)), "targets": (rng.random((24, 4)) > 0.5) * 1.0}
    fit = {"epochs": 3, "batch_size": 8, "shuffle": False, "verbose": 0}
    k_hist, g_hist = k_model.fit(data, **fit).history, g_model.fit(data, **fit).history
    np.testing.assert_allclose(g_hist["loss"], k_hist["loss"], rtol=1e-12)
    for k_w, g_w in zip(k_model.get_weights(), g_model.get_weights(), strict=True):
        np.testing.assert_allclose(g_w, k_w, atol=1e-12)


def test_clone_model_has_the_architecture_and_new_weights(rng):
    inputs = gn.Input((4,))
    hidden = layers.Dense(5, activation="tanh", name="hidden")(inputs)
    model = gn.Model(inputs, layers.Dense(2, name="out")(hidden), name="net")
    model.compile(optimizer="sgd", loss="mse")
    clone = gn.models.clone_model(model)
    assert [layer.name for layer in clone.layers] == [layer.name for layer in model.layers]
    assert clone.count_params() == model.count_params() == 37
    assert not clone.compiled
    assert not np.array_equal(clone.get_weights()[0], model.get_weights()[0])  # fresh weights
    clone.set_weights(model.get_weights())
    x = rng.normal(size=(3, 4)).astype("float32")
    np.testing.assert_array_equal(clone.predict(x), model.predict(x))


def test_clone_model_with_a_clone_function_for_a_sequential():
    model = gn.Sequential([gn.Input((3,)), layers.Dense(4, activation="relu"), layers.Dense(1)])

    def wider(layer):
        config = layer.get_config()
        if config.get("units") == 4:
            config["units"] = 8
        return type(layer).from_config(config)

    clone = gn.models.clone_model(model, clone_function=wider)
    assert [layer.units for layer in clone.layers] == [8, 1]
    assert clone.count_params() == 3 * 8 + 8 + 8 + 1
    with pytest.raises(ValueError, match="clone_function"):
        gn.models.clone_model(gn.Model(model.inputs, model.outputs), clone_function=wider)
