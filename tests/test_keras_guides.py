"""Snippets of the Keras 3 guides (keras-team/keras-io, guides/) and of Keras 3's docstrings,
for networks of dense layers, each run with only its imports changed: ``import glassnet as
keras``, ``from glassnet import layers, ops``. Each test asserts what the guide or docstring
states: shapes, parameter counts, History keys, printed values, a file round trip.

Where a snippet needs a convolution, an RNN, tf.data or a backend's own API it is left out; where
it loads MNIST, small random arrays of the same shape stand in. A few tests run the same snippet
in real Keras (torch backend) and compare the structure.
"""

import math
import os

import numpy as np
import pytest

import glassnet as keras
from glassnet import layers, ops
from glassnet.models import DivergenceWarning

RNG = np.random.default_rng(0)


def _mnist_like(n_train=256, n_test=64):
    """Random arrays shaped as the guides' preprocessed MNIST (784 features, labels 0-9)."""
    rng = np.random.default_rng(1)
    x_train = rng.random((n_train, 784)).astype("float32")
    y_train = rng.integers(0, 10, n_train).astype("float32")
    x_test = rng.random((n_test, 784)).astype("float32")
    y_test = rng.integers(0, 10, n_test).astype("float32")
    return (x_train, y_train), (x_test, y_test)


def _summary_text(model):
    lines = []
    model.summary(print_fn=lambda line, *args, **kwargs: lines.append(line))
    return "\n".join(lines)


def _real_keras():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    return pytest.importorskip("keras")


# ---------------------------------------------------------------------------------------------
# guides/sequential_model.py
# ---------------------------------------------------------------------------------------------


# sequential_model.py, "When to use a Sequential model"
def test_sequential_model__when_to_use_a_sequential_model():
    model = keras.Sequential(
        [
            layers.Dense(2, activation="relu", name="layer1"),
            layers.Dense(3, activation="relu", name="layer2"),
            layers.Dense(4, name="layer3"),
        ]
    )
    x = np.ones((3, 3))
    y = model(x)
    assert np.shape(y) == (3, 4)

    layer1 = layers.Dense(2, activation="relu", name="layer1")
    layer2 = layers.Dense(3, activation="relu", name="layer2")
    layer3 = layers.Dense(4, name="layer3")
    x = np.ones((3, 3))
    y = layer3(layer2(layer1(x)))
    assert np.shape(y) == (3, 4)


# sequential_model.py, "Creating a Sequential model"
def test_sequential_model__creating_a_sequential_model():
    model = keras.Sequential(
        [
            layers.Dense(2, activation="relu"),
            layers.Dense(3, activation="relu"),
            layers.Dense(4),
        ]
    )
    assert len(model.layers) == 3
    assert all(isinstance(layer, layers.Dense) for layer in model.layers)


# sequential_model.py, "Creating a Sequential model" (add() and pop())
def test_sequential_model__add_and_pop():
    model = keras.Sequential()
    model.add(layers.Dense(2, activation="relu"))
    model.add(layers.Dense(3, activation="relu"))
    model.add(layers.Dense(4))
    model.pop()
    assert len(model.layers) == 2  # 2


# sequential_model.py, "Creating a Sequential model" (the name argument)
def test_sequential_model__name_argument():
    model = keras.Sequential(name="my_sequential")
    model.add(layers.Dense(2, activation="relu", name="layer1"))
    model.add(layers.Dense(3, activation="relu", name="layer2"))
    model.add(layers.Dense(4, name="layer3"))
    assert model.name == "my_sequential"
    assert [layer.name for layer in model.layers] == ["layer1", "layer2", "layer3"]


# sequential_model.py, "Specifying the input shape in advance" (a layer's weights)
def test_sequential_model__layer_has_no_weights_until_called():
    layer = layers.Dense(3)
    assert layer.weights == []  # Empty
    x = np.ones((1, 4))
    layer(x)
    # Now it has weights, of shape (4, 3) and (3,)
    assert [np.shape(w) for w in layer.weights] == [(4, 3), (3,)]


# sequential_model.py, "Specifying the input shape in advance" (number of weights)
def test_sequential_model__number_of_weights_after_calling_the_model():
    model = keras.Sequential(
        [
            layers.Dense(2, activation="relu"),
            layers.Dense(3, activation="relu"),
            layers.Dense(4),
        ]
    )  # No weights at this stage!
    x = np.ones((1, 4))
    model(x)
    assert len(model.weights) == 6
    text = _summary_text(model)
    assert "Total params: 35" in text  # 10 + 9 + 16


# sequential_model.py, "Specifying the input shape in advance" (Input object)
def test_sequential_model__input_object_is_not_a_layer():
    model = keras.Sequential()
    model.add(keras.Input(shape=(4,)))
    model.add(layers.Dense(2, activation="relu"))
    assert "Total params: 10" in _summary_text(model)
    assert len(model.layers) == 1


# sequential_model.py, "Specifying the input shape in advance" (input_shape argument)
def test_sequential_model__input_shape_argument():
    model = keras.Sequential()
    model.add(layers.Dense(2, activation="relu", input_shape=(4,)))
    assert "Total params: 10" in _summary_text(model)
    assert len(model.weights) == 2


# sequential_model.py, "Feature extraction with a Sequential model" (Conv2D replaced by Dense)
def test_sequential_model__feature_extraction_with_a_sequential_model():
    initial_model = keras.Sequential(
        [
            keras.Input(shape=(250,)),
            layers.Dense(32, activation="relu"),
            layers.Dense(32, activation="relu"),
            layers.Dense(32, activation="relu"),
        ]
    )
    feature_extractor = keras.Model(
        inputs=initial_model.inputs,
        outputs=[layer.output for layer in initial_model.layers],
    )
    x = np.ones((1, 250))
    features = feature_extractor(x)
    assert len(features) == 3
    assert [np.shape(f) for f in features] == [(1, 32)] * 3


# sequential_model.py, "Feature extraction with a Sequential model" (one layer)
def test_sequential_model__feature_extraction_from_one_layer():
    initial_model = keras.Sequential(
        [
            keras.Input(shape=(250,)),
            layers.Dense(32, activation="relu"),
            layers.Dense(16, activation="relu", name="my_intermediate_layer"),
            layers.Dense(32, activation="relu"),
        ]
    )
    feature_extractor = keras.Model(
        inputs=initial_model.inputs,
        outputs=initial_model.get_layer(name="my_intermediate_layer").output,
    )
    x = np.ones((1, 250))
    features = feature_extractor(x)
    assert np.shape(features) == (1, 16)
    expected = initial_model.layers[1](initial_model.layers[0](x))
    np.testing.assert_allclose(features, expected, rtol=1e-6)


# sequential_model.py, "Transfer learning with a Sequential model" (freeze all but the last)
def test_sequential_model__transfer_learning_freeze_all_layers_except_the_last():
    model = keras.Sequential(
        [
            keras.Input(shape=(784,)),
            layers.Dense(32, activation="relu"),
            layers.Dense(32, activation="relu"),
            layers.Dense(32, activation="relu"),
            layers.Dense(10),
        ]
    )
    for layer in model.layers[:-1]:
        layer.trainable = False
    before = model.get_weights()
    model.compile(optimizer="sgd", loss="mse")
    model.fit(RNG.random((32, 784)), RNG.random((32, 10)), epochs=1, verbose=0)
    after = model.get_weights()
    for a, b in zip(before[:-2], after[:-2], strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(before[-2], after[-2])
    assert len(model.trainable_weights) == 2


# sequential_model.py, "Transfer learning with a Sequential model" (frozen base model)
def test_sequential_model__transfer_learning_stack_a_frozen_base_model():
    base_model = keras.Sequential(
        [keras.Input(shape=(20,)), layers.Dense(16, activation="relu"), layers.Dense(8)]
    )
    base_model.trainable = False
    model = keras.Sequential([base_model, layers.Dense(1000)])
    model.build((None, 20))
    assert len(model.trainable_weights) == 2
    assert len(model.non_trainable_weights) == 4
    assert model.count_params() == (20 * 16 + 16) + (16 * 8 + 8) + (8 * 1000 + 1000)


# keras/src/models/sequential.py, class docstring
def test_sequential_docstring__build_as_layers_are_added():
    model = keras.Sequential()
    model.add(keras.Input(shape=(16,)))
    model.add(keras.layers.Dense(8))
    assert len(model.weights) == 2  # Returns "2"

    model = keras.Sequential()
    model.add(keras.layers.Dense(8))
    model.add(keras.layers.Dense(4))
    model.build((None, 16))
    assert len(model.weights) == 4  # Returns "4"

    model = keras.Sequential()
    model.add(keras.layers.Dense(8))
    model.add(keras.layers.Dense(1))
    model.compile(optimizer="sgd", loss="mse")
    model.fit(RNG.random((64, 16)), RNG.random((64, 1)), batch_size=32, epochs=10, verbose=0)
    assert model.built
    assert len(model.weights) == 4


# ---------------------------------------------------------------------------------------------
# guides/functional_api.py
# ---------------------------------------------------------------------------------------------


def _mnist_model():
    inputs = keras.Input(shape=(784,))
    dense = layers.Dense(64, activation="relu")
    x = dense(inputs)
    x = layers.Dense(64, activation="relu")(x)
    outputs = layers.Dense(10)(x)
    return keras.Model(inputs=inputs, outputs=outputs, name="mnist_model")


# functional_api.py, "Introduction" (inputs.shape, inputs.dtype)
def test_functional_api__introduction_input_shape_and_dtype():
    inputs = keras.Input(shape=(784,))
    img_inputs = keras.Input(shape=(32, 32, 3))
    assert tuple(inputs.shape) == (None, 784)
    assert str(inputs.dtype) == "float32"
    assert tuple(img_inputs.shape) == (None, 32, 32, 3)


# functional_api.py, "Introduction" (model.summary())
def test_functional_api__introduction_summary():
    model = _mnist_model()
    text = _summary_text(model)
    assert 'Model: "mnist_model"' in text
    assert "Total params: 55,050" in text
    assert "Trainable params: 55,050" in text
    assert "Non-trainable params: 0" in text
    assert model.count_params() == 55050


# functional_api.py, "Introduction": the same summary in real Keras
def test_functional_api__introduction_summary_matches_real_keras():
    rk = _real_keras()
    inputs = rk.Input(shape=(784,))
    x = rk.layers.Dense(64, activation="relu")(inputs)
    x = rk.layers.Dense(64, activation="relu")(x)
    outputs = rk.layers.Dense(10)(x)
    reference = rk.Model(inputs=inputs, outputs=outputs, name="mnist_model")
    model = _mnist_model()
    assert model.count_params() == reference.count_params()
    assert [layer.count_params() for layer in model.layers] == [
        layer.count_params() for layer in reference.layers
    ]
    assert [type(layer).__name__ for layer in model.layers] == [
        type(layer).__name__ for layer in reference.layers
    ]


# functional_api.py, "Training, evaluation, and inference"
def test_functional_api__training_evaluation_and_inference():
    model = _mnist_model()
    (x_train, y_train), (x_test, y_test) = _mnist_like()
    model.compile(
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        optimizer=keras.optimizers.RMSprop(),
        metrics=["accuracy"],
    )
    history = model.fit(x_train, y_train, batch_size=64, epochs=2, validation_split=0.2, verbose=0)
    assert sorted(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert all(len(v) == 2 for v in history.history.values())
    test_scores = model.evaluate(x_test, y_test, verbose=2)
    assert len(test_scores) == 2
    assert 0.0 <= test_scores[1] <= 1.0


# functional_api.py, "Save and serialize"
def test_functional_api__save_and_serialize(tmp_path):
    model = _mnist_model()
    model.compile(
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        optimizer=keras.optimizers.RMSprop(),
        metrics=["accuracy"],
    )
    (x_train, y_train), _ = _mnist_like(64, 8)
    model.fit(x_train, y_train, epochs=1, verbose=0)
    expected = model.predict(x_train[:5], verbose=0)
    path = str(tmp_path / "path_to_my_model.keras")
    model.save(path)
    del model
    model = keras.models.load_model(path)
    np.testing.assert_array_equal(model.predict(x_train[:5], verbose=0), expected)
    assert model.name == "mnist_model"


# functional_api.py, "All models are callable, just like layers" (ensembling)
def test_functional_api__all_models_are_callable_ensembling():
    def get_model():
        inputs = keras.Input(shape=(128,))
        outputs = layers.Dense(1)(inputs)
        return keras.Model(inputs, outputs)

    model1 = get_model()
    model2 = get_model()
    model3 = get_model()

    inputs = keras.Input(shape=(128,))
    y1 = model1(inputs)
    y2 = model2(inputs)
    y3 = model3(inputs)
    outputs = layers.average([y1, y2, y3])
    ensemble_model = keras.Model(inputs=inputs, outputs=outputs)
    x = RNG.random((4, 128))
    expected = (model1.predict(x) + model2.predict(x) + model3.predict(x)) / 3
    np.testing.assert_allclose(ensemble_model.predict(x), expected, rtol=1e-5)


# functional_api.py, "All models are callable" (a model called as a layer, Average layer)
def test_functional_api__all_models_are_callable_with_average_layer():
    def get_model():
        inputs = keras.Input(shape=(128,))
        outputs = layers.Dense(1)(inputs)
        return keras.Model(inputs, outputs)

    model1, model2, model3 = get_model(), get_model(), get_model()
    inputs = keras.Input(shape=(128,))
    outputs = layers.Average()([model1(inputs), model2(inputs), model3(inputs)])
    ensemble_model = keras.Model(inputs=inputs, outputs=outputs)
    x = RNG.random((4, 128)).astype("float32")
    expected = (model1.predict(x, verbose=0) + model2.predict(x, verbose=0)) + model3.predict(
        x, verbose=0
    )
    np.testing.assert_allclose(ensemble_model.predict(x, verbose=0), expected / 3, rtol=1e-5)
    assert ensemble_model.count_params() == 3 * 129


def _ticket_model():
    # Embedding + LSTM of the title and body replaced by Dense on float vectors
    num_tags, num_departments = 12, 4
    title_input = keras.Input(shape=(10,), name="title")
    body_input = keras.Input(shape=(100,), name="body")
    tags_input = keras.Input(shape=(num_tags,), name="tags")
    title_features = layers.Dense(16)(title_input)
    body_features = layers.Dense(8)(body_input)
    x = layers.concatenate([title_features, body_features, tags_input])
    priority_pred = layers.Dense(1, name="priority")(x)
    department_pred = layers.Dense(num_departments, name="department")(x)
    return keras.Model(
        inputs=[title_input, body_input, tags_input],
        outputs=[priority_pred, department_pred],
    )


# functional_api.py, "Models with multiple inputs and outputs" (lists of losses)
def test_functional_api__models_with_multiple_inputs_and_outputs_list_losses():
    model = _ticket_model()
    model.compile(
        optimizer=keras.optimizers.RMSprop(1e-3),
        loss=[
            keras.losses.BinaryCrossentropy(from_logits=True),
            keras.losses.CategoricalCrossentropy(from_logits=True),
        ],
        loss_weights=[1.0, 0.2],
    )
    title_data = RNG.random((64, 10))
    body_data = RNG.random((64, 100))
    tags_data = RNG.integers(2, size=(64, 12)).astype("float32")
    priority_targets = RNG.random(size=(64, 1))
    dept_targets = np.eye(4)[RNG.integers(4, size=64)]
    history = model.fit(
        [title_data, body_data, tags_data],
        [priority_targets, dept_targets],
        epochs=2,
        batch_size=32,
        verbose=0,
    )
    assert sorted(history.history) == ["department_loss", "loss", "priority_loss"]


# functional_api.py, "Models with multiple inputs and outputs" (dicts keyed by layer names)
def test_functional_api__models_with_multiple_inputs_and_outputs_dict_losses():
    model = _ticket_model()
    model.compile(
        optimizer=keras.optimizers.RMSprop(1e-3),
        loss={
            "priority": keras.losses.BinaryCrossentropy(from_logits=True),
            "department": keras.losses.CategoricalCrossentropy(from_logits=True),
        },
        loss_weights={"priority": 1.0, "department": 0.2},
    )
    title_data = RNG.random((64, 10))
    body_data = RNG.random((64, 100))
    tags_data = RNG.integers(2, size=(64, 12)).astype("float32")
    priority_targets = RNG.random(size=(64, 1))
    dept_targets = RNG.integers(2, size=(64, 4))
    history = model.fit(
        {"title": title_data, "body": body_data, "tags": tags_data},
        {"priority": priority_targets, "department": dept_targets},
        epochs=2,
        batch_size=32,
        verbose=0,
    )
    assert len(history.history["loss"]) == 2
    parts = history.history
    np.testing.assert_allclose(
        parts["loss"][-1],
        parts["priority_loss"][-1] + 0.2 * parts["department_loss"][-1],
        rtol=1e-5,
    )


# functional_api.py, "Shared layers" (Embedding replaced by Dense)
def test_functional_api__shared_layers():
    shared_dense = layers.Dense(128)
    text_input_a = keras.Input(shape=(20,))
    text_input_b = keras.Input(shape=(20,))
    encoded_input_a = shared_dense(text_input_a)
    encoded_input_b = shared_dense(text_input_b)
    model = keras.Model([text_input_a, text_input_b], [encoded_input_a, encoded_input_b])
    assert len(model.weights) == 2
    x = RNG.random((3, 20)).astype("float32")
    a, b = model.predict([x, x], verbose=0)
    np.testing.assert_array_equal(a, b)


class CustomDense(layers.Layer):
    def __init__(self, units=32):
        super().__init__()
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(
            shape=(input_shape[-1], self.units),
            initializer="random_normal",
            trainable=True,
        )
        self.b = self.add_weight(shape=(self.units,), initializer="random_normal", trainable=True)

    def call(self, inputs):
        return ops.matmul(inputs, self.w) + self.b

    def get_config(self):
        return {"units": self.units}


# functional_api.py, "Extend the API using custom layers"
def test_functional_api__extend_the_api_using_custom_layers():
    inputs = keras.Input((4,))
    outputs = CustomDense(10)(inputs)
    model = keras.Model(inputs, outputs)
    assert model.count_params() == 4 * 10 + 10
    x = RNG.random((2, 4)).astype("float32")
    layer = model.layers[-1]
    np.testing.assert_allclose(
        model.predict(x, verbose=0), x @ np.asarray(layer.w) + np.asarray(layer.b), rtol=1e-5
    )


# functional_api.py, "Extend the API using custom layers" (get_config, from_config)
def test_functional_api__custom_layer_from_config_with_custom_objects():
    inputs = keras.Input((4,))
    outputs = CustomDense(10)(inputs)
    model = keras.Model(inputs, outputs)
    config = model.get_config()
    new_model = keras.Model.from_config(config, custom_objects={"CustomDense": CustomDense})
    assert new_model.count_params() == 50


# functional_api.py, "When to use the functional API" (the MLP, functional and subclassed)
def test_functional_api__functional_api_strengths_less_verbose():
    inputs = keras.Input(shape=(32,))
    x = layers.Dense(64, activation="relu")(inputs)
    outputs = layers.Dense(10)(x)
    mlp = keras.Model(inputs, outputs)
    functional_count = mlp.count_params()

    class MLP(keras.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.dense_1 = layers.Dense(64, activation="relu")
            self.dense_2 = layers.Dense(10)

        def call(self, inputs):
            x = self.dense_1(inputs)
            return self.dense_2(x)

    mlp = MLP()
    _ = mlp(ops.zeros((1, 32)))
    assert mlp.count_params() == functional_count == 2762


# ---------------------------------------------------------------------------------------------
# guides/training_with_built_in_methods.py
# ---------------------------------------------------------------------------------------------


def get_uncompiled_model():
    inputs = keras.Input(shape=(784,), name="digits")
    x = layers.Dense(64, activation="relu", name="dense_1")(inputs)
    x = layers.Dense(64, activation="relu", name="dense_2")(x)
    outputs = layers.Dense(10, activation="softmax", name="predictions")(x)
    model = keras.Model(inputs=inputs, outputs=outputs)
    return model


def get_compiled_model():
    model = get_uncompiled_model()
    model.compile(
        optimizer="rmsprop",
        loss="sparse_categorical_crossentropy",
        metrics=["sparse_categorical_accuracy"],
    )
    return model


def _split_mnist_like():
    (x_train, y_train), (x_test, y_test) = _mnist_like(320, 64)
    x_val, y_val = x_train[-64:], y_train[-64:]
    return (x_train[:-64], y_train[:-64]), (x_val, y_val), (x_test, y_test)


# training_with_built_in_methods.py, "API overview: a first end-to-end example"
def test_training_with_built_in_methods__a_first_end_to_end_example():
    model = get_uncompiled_model()
    (x_train, y_train), (x_val, y_val), (x_test, y_test) = _split_mnist_like()
    model.compile(
        optimizer=keras.optimizers.RMSprop(),
        loss=keras.losses.SparseCategoricalCrossentropy(),
        metrics=[keras.metrics.SparseCategoricalAccuracy()],
    )
    history = model.fit(
        x_train, y_train, batch_size=64, epochs=2, validation_data=(x_val, y_val), verbose=0
    )
    assert sorted(history.history) == [
        "loss",
        "sparse_categorical_accuracy",
        "val_loss",
        "val_sparse_categorical_accuracy",
    ]
    results = model.evaluate(x_test, y_test, batch_size=128, verbose=0)
    assert len(results) == 2  # test loss, test acc
    predictions = model.predict(x_test[:3], verbose=0)
    assert predictions.shape == (3, 10)
    np.testing.assert_allclose(predictions.sum(axis=1), 1.0, rtol=1e-5)


# training_with_built_in_methods.py, "API overview": the same History keys in real Keras
def test_training_with_built_in_methods__history_keys_match_real_keras():
    rk = _real_keras()
    (x_train, y_train), (x_val, y_val), _ = _split_mnist_like()
    inputs = rk.Input(shape=(784,), name="digits")
    x = rk.layers.Dense(8, activation="relu", name="dense_1")(inputs)
    outputs = rk.layers.Dense(10, activation="softmax", name="predictions")(x)
    reference = rk.Model(inputs=inputs, outputs=outputs)
    reference.compile(
        optimizer=rk.optimizers.RMSprop(),
        loss=rk.losses.SparseCategoricalCrossentropy(),
        metrics=[rk.metrics.SparseCategoricalAccuracy()],
    )
    expected = reference.fit(
        x_train, y_train, batch_size=64, epochs=1, validation_data=(x_val, y_val), verbose=0
    )
    model = get_uncompiled_model()
    model.compile(
        optimizer=keras.optimizers.RMSprop(),
        loss=keras.losses.SparseCategoricalCrossentropy(),
        metrics=[keras.metrics.SparseCategoricalAccuracy()],
    )
    history = model.fit(
        x_train, y_train, batch_size=64, epochs=1, validation_data=(x_val, y_val), verbose=0
    )
    assert sorted(history.history) == sorted(expected.history)


# training_with_built_in_methods.py, "The compile() method" (string identifiers)
def test_training_with_built_in_methods__compile_with_string_identifiers():
    model = get_compiled_model()
    (x_train, y_train), _, _ = _split_mnist_like()
    history = model.fit(x_train, y_train, batch_size=64, epochs=1, verbose=0)
    assert sorted(history.history) == ["loss", "sparse_categorical_accuracy"]
    assert isinstance(model.optimizer, keras.optimizers.RMSprop)


# training_with_built_in_methods.py, "Custom losses" (a function of y_true, y_pred)
def test_training_with_built_in_methods__custom_losses_function():
    def custom_mean_squared_error(y_true, y_pred):
        return ops.mean(ops.square(y_true - y_pred), axis=-1)

    (x_train, y_train), _, _ = _split_mnist_like()
    model = get_uncompiled_model()
    model.compile(optimizer=keras.optimizers.Adam(), loss=custom_mean_squared_error)
    y_train_one_hot = ops.one_hot(y_train, num_classes=10)
    history = model.fit(x_train, y_train_one_hot, batch_size=64, epochs=1, verbose=0)
    assert list(history.history) == ["loss"]
    assert 0.0 < history.history["loss"][0] < 0.2


# training_with_built_in_methods.py, "Custom losses" (a subclass of Loss)
def test_training_with_built_in_methods__custom_losses_subclass():
    class CustomMSE(keras.losses.Loss):
        def __init__(self, regularization_factor=0.1, name="custom_mse"):
            super().__init__(name=name)
            self.regularization_factor = regularization_factor

        def call(self, y_true, y_pred):
            mse = ops.mean(ops.square(y_true - y_pred), axis=-1)
            reg = ops.mean(ops.square(0.5 - y_pred), axis=-1)
            return mse + reg * self.regularization_factor

    (x_train, y_train), _, _ = _split_mnist_like()
    model = get_uncompiled_model()
    model.compile(optimizer=keras.optimizers.Adam(), loss=CustomMSE())
    y_train_one_hot = ops.one_hot(y_train, num_classes=10)
    history = model.fit(x_train, y_train_one_hot, batch_size=64, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])

    y_true = np.eye(10)[:2]
    y_pred = np.full((2, 10), 0.1)
    expected = np.mean((y_true - y_pred) ** 2) + 0.1 * np.mean((0.5 - y_pred) ** 2)
    np.testing.assert_allclose(float(CustomMSE()(y_true, y_pred)), expected, rtol=1e-6)


# training_with_built_in_methods.py, "Custom metrics" (CategoricalTruePositives)
def test_training_with_built_in_methods__custom_metrics():
    class CategoricalTruePositives(keras.metrics.Metric):
        def __init__(self, name="categorical_true_positives", **kwargs):
            super().__init__(name=name, **kwargs)
            self.true_positives = self.add_variable(shape=(), name="ctp", initializer="zeros")

        def update_state(self, y_true, y_pred, sample_weight=None):
            y_pred = ops.reshape(ops.argmax(y_pred, axis=1), (-1, 1))
            values = ops.cast(y_true, "int32") == ops.cast(y_pred, "int32")
            values = ops.cast(values, "float32")
            if sample_weight is not None:
                sample_weight = ops.cast(sample_weight, "float32")
                values = ops.multiply(values, sample_weight)
            self.true_positives.assign_add(ops.sum(values))

        def result(self):
            return self.true_positives

        def reset_state(self):
            self.true_positives.assign(0.0)

    (x_train, y_train), _, _ = _split_mnist_like()
    model = get_uncompiled_model()
    model.compile(
        optimizer=keras.optimizers.RMSprop(learning_rate=1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(),
        metrics=[CategoricalTruePositives()],
    )
    history = model.fit(x_train, y_train, batch_size=64, epochs=3, verbose=0)
    assert sorted(history.history) == ["categorical_true_positives", "loss"]


# training_with_built_in_methods.py, "Handling losses and metrics that don't fit the standard
# signature" (add_loss in a layer)
def test_training_with_built_in_methods__activity_regularization_layer_add_loss():
    class ActivityRegularizationLayer(layers.Layer):
        def call(self, inputs):
            self.add_loss(ops.sum(inputs) * 0.1)
            return inputs  # Pass-through layer.

    inputs = keras.Input(shape=(784,), name="digits")
    x = layers.Dense(64, activation="relu", name="dense_1")(inputs)
    x = ActivityRegularizationLayer()(x)
    x = layers.Dense(64, activation="relu", name="dense_2")(x)
    outputs = layers.Dense(10, name="predictions")(x)
    model = keras.Model(inputs=inputs, outputs=outputs)
    model.compile(
        optimizer=keras.optimizers.RMSprop(learning_rate=1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    (x_train, y_train), _, _ = _split_mnist_like()
    # The displayed loss will be much higher than before due to the regularization component.
    main = model.evaluate(x_train[:64], y_train[:64], verbose=0)
    step = model.train_on_batch(x_train[:64], y_train[:64])
    loss = step[0] if isinstance(step, (list, tuple)) else step
    assert loss > main + 1.0
    model.fit(x_train, y_train, batch_size=64, epochs=1, verbose=0)


# training_with_built_in_methods.py, "Handling losses ..." (LogisticEndpoint, no loss)
def test_training_with_built_in_methods__logistic_endpoint_compiled_without_loss():
    class LogisticEndpoint(keras.layers.Layer):
        def __init__(self, name=None):
            super().__init__(name=name)
            self.loss_fn = keras.losses.BinaryCrossentropy(from_logits=True)

        def call(self, targets, logits, sample_weights=None):
            loss = self.loss_fn(targets, logits, sample_weights)
            self.add_loss(loss)
            return ops.softmax(logits)

    inputs = keras.Input(shape=(3,), name="inputs")
    targets = keras.Input(shape=(10,), name="targets")
    logits = keras.layers.Dense(10)(inputs)
    predictions = LogisticEndpoint(name="predictions")(targets, logits)

    model = keras.Model(inputs=[inputs, targets], outputs=predictions)
    model.compile(optimizer="adam")  # No loss argument!

    data = {
        "inputs": RNG.random((3, 3)),
        "targets": RNG.random((3, 10)),
    }
    history = model.fit(data, verbose=0)
    assert list(history.history) == ["loss"]


# training_with_built_in_methods.py, "Automatically setting apart a validation holdout set"
def test_training_with_built_in_methods__validation_split():
    model = get_compiled_model()
    (x_train, y_train), _, _ = _split_mnist_like()
    batches = []

    class Count(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            batches.append(batch)

    history = model.fit(
        x_train,
        y_train,
        batch_size=64,
        validation_split=0.2,
        epochs=1,
        callbacks=[Count()],
        verbose=0,
    )
    # 256 samples, the last 20% (52) held out: 204 for training, 4 batches of 64
    assert len(batches) == math.ceil(int(256 * 0.8) / 64)
    assert sorted(history.history) == [
        "loss",
        "sparse_categorical_accuracy",
        "val_loss",
        "val_sparse_categorical_accuracy",
    ]


# training_with_built_in_methods.py, "Using sample weighting and class weighting" (class weights)
def test_training_with_built_in_methods__class_weights():
    class_weight = {0: 1.0, 1: 1.0, 2: 1.0, 3: 1.0, 4: 1.0, 5: 2.0, 6: 1.0, 7: 1.0, 8: 1.0, 9: 1.0}
    (x_train, y_train), _, _ = _split_mnist_like()
    model = get_compiled_model()
    history = model.fit(
        x_train, y_train, class_weight=class_weight, batch_size=64, epochs=1, verbose=0
    )
    assert np.isfinite(history.history["loss"][0])


# training_with_built_in_methods.py, "Using sample weighting and class weighting" (sample weights)
def test_training_with_built_in_methods__sample_weights():
    (x_train, y_train), _, _ = _split_mnist_like()
    sample_weight = np.ones(shape=(len(y_train),))
    sample_weight[y_train == 5] = 2.0
    model = get_compiled_model()
    history = model.fit(
        x_train, y_train, sample_weight=sample_weight, batch_size=64, epochs=1, verbose=0
    )
    assert np.isfinite(history.history["loss"][0])


def _score_class_model():
    # Conv2D/Conv1D + global pooling replaced by Flatten
    image_input = keras.Input(shape=(32, 32, 3), name="img_input")
    timeseries_input = keras.Input(shape=(20, 10), name="ts_input")
    x1 = layers.Dense(3)(layers.Flatten()(image_input))
    x2 = layers.Dense(3)(layers.Flatten()(timeseries_input))
    x = layers.concatenate([x1, x2])
    score_output = layers.Dense(1, name="score_output")(x)
    class_output = layers.Dense(5, name="class_output")(x)
    return keras.Model(inputs=[image_input, timeseries_input], outputs=[score_output, class_output])


def _score_class_data():
    img_data = RNG.random((100, 32, 32, 3))
    ts_data = RNG.random((100, 20, 10))
    score_targets = RNG.random((100, 1))
    class_targets = RNG.random((100, 5))
    return img_data, ts_data, score_targets, class_targets


# training_with_built_in_methods.py, "Passing data to multi-input, multi-output models"
# (lists and dicts)
def test_training_with_built_in_methods__multi_input_multi_output_fit_on_lists_and_dicts():
    model = _score_class_model()
    model.compile(
        optimizer=keras.optimizers.RMSprop(1e-3),
        loss=[keras.losses.MeanSquaredError(), keras.losses.CategoricalCrossentropy()],
    )
    img_data, ts_data, score_targets, class_targets = _score_class_data()
    history = model.fit(
        [img_data, ts_data], [score_targets, class_targets], batch_size=32, epochs=1, verbose=0
    )
    assert sorted(history.history) == ["class_output_loss", "loss", "score_output_loss"]
    history = model.fit(
        {"img_input": img_data, "ts_input": ts_data},
        {"score_output": score_targets, "class_output": class_targets},
        batch_size=32,
        epochs=1,
        verbose=0,
    )
    assert sorted(history.history) == ["class_output_loss", "loss", "score_output_loss"]


# training_with_built_in_methods.py, "Passing data to multi-input, multi-output models"
# (per-output metrics and loss weights as dicts)
def test_training_with_built_in_methods__multi_output_metrics_and_loss_weights():
    model = _score_class_model()
    model.compile(
        optimizer=keras.optimizers.RMSprop(1e-3),
        loss={
            "score_output": keras.losses.MeanSquaredError(),
            "class_output": keras.losses.CategoricalCrossentropy(),
        },
        metrics={
            "score_output": [
                keras.metrics.MeanAbsolutePercentageError(),
                keras.metrics.MeanAbsoluteError(),
            ],
            "class_output": [keras.metrics.CategoricalAccuracy()],
        },
        loss_weights={"score_output": 2.0, "class_output": 1.0},
    )
    img_data, ts_data, score_targets, class_targets = _score_class_data()
    history = model.fit(
        [img_data, ts_data], [score_targets, class_targets], batch_size=32, epochs=1, verbose=0
    )
    assert "score_output_mean_absolute_error" in history.history


# training_with_built_in_methods.py, "Passing data to multi-input, multi-output models"
# (per-output metrics given as lists, MeanAbsoluteError and CategoricalAccuracy)
def test_training_with_built_in_methods__multi_output_metrics_as_lists():
    model = _score_class_model()
    model.compile(
        optimizer=keras.optimizers.RMSprop(1e-3),
        loss=[keras.losses.MeanSquaredError(), keras.losses.CategoricalCrossentropy()],
        metrics=[[keras.metrics.MeanAbsoluteError()], [keras.metrics.CategoricalAccuracy()]],
        loss_weights=[2.0, 1.0],
    )
    img_data, ts_data, score_targets, class_targets = _score_class_data()
    history = model.fit(
        [img_data, ts_data], [score_targets, class_targets], batch_size=100, epochs=1, verbose=0
    )
    h = history.history
    assert sorted(h) == [
        "class_output_categorical_accuracy",
        "class_output_loss",
        "loss",
        "score_output_loss",
        "score_output_mean_absolute_error",
    ]
    np.testing.assert_allclose(
        h["loss"][0], 2.0 * h["score_output_loss"][0] + h["class_output_loss"][0], rtol=1e-5
    )


# training_with_built_in_methods.py, "Passing data to multi-input, multi-output models"
# (no loss for an output: list version)
def test_training_with_built_in_methods__no_loss_for_some_outputs_list():
    img_data, ts_data, score_targets, class_targets = _score_class_data()
    model = _score_class_model()
    model.compile(
        optimizer=keras.optimizers.RMSprop(1e-3),
        loss=[None, keras.losses.CategoricalCrossentropy()],
    )
    history = model.fit([img_data, ts_data], [score_targets, class_targets], epochs=1, verbose=0)
    assert "loss" in history.history


# training_with_built_in_methods.py, "Passing data to multi-input, multi-output models"
# (no loss for an output: dict version)
def test_training_with_built_in_methods__no_loss_for_some_outputs_dict():
    img_data, ts_data, score_targets, class_targets = _score_class_data()
    model = _score_class_model()
    # Keras 3 refuses (at fit) a loss dict without every output ("Expected keys ... in loss
    # dict"); glassnet refuses it at compile, naming the output; None gives an output no loss
    with pytest.raises(ValueError, match=r"no entry for output.*score_output"):
        model.compile(
            optimizer=keras.optimizers.RMSprop(1e-3),
            loss={"class_output": keras.losses.CategoricalCrossentropy()},
        )
    data = (
        {"img_input": img_data, "ts_input": ts_data},
        {"score_output": score_targets, "class_output": class_targets},
    )
    model.compile(
        optimizer=keras.optimizers.RMSprop(1e-3),
        loss={"score_output": None, "class_output": keras.losses.CategoricalCrossentropy()},
    )
    history = model.fit(*data, epochs=1, verbose=0)
    assert list(history.history) == ["loss"]


# training_with_built_in_methods.py, "Using callbacks" (EarlyStopping on val_loss)
def test_training_with_built_in_methods__using_callbacks_early_stopping():
    model = get_compiled_model()
    (x_train, y_train), _, _ = _split_mnist_like()
    callbacks = [
        keras.callbacks.EarlyStopping(monitor="val_loss", min_delta=1e-2, patience=2, verbose=1)
    ]
    history = model.fit(
        x_train,
        y_train,
        epochs=20,
        batch_size=64,
        callbacks=callbacks,
        validation_split=0.2,
        verbose=0,
    )
    # random labels: val_loss stops improving early
    assert len(history.history["loss"]) < 20
    assert callbacks[0].stopped_epoch == len(history.history["loss"]) - 1


# training_with_built_in_methods.py, "Writing your own callback" (LossHistory)
def test_training_with_built_in_methods__writing_your_own_callback_loss_history():
    class LossHistory(keras.callbacks.Callback):
        def on_train_begin(self, logs):
            self.per_batch_losses = []

        def on_batch_end(self, batch, logs):
            self.per_batch_losses.append(logs.get("loss"))

    model = get_compiled_model()
    (x_train, y_train), _, _ = _split_mnist_like()
    history_cb = LossHistory()
    model.fit(x_train, y_train, batch_size=64, epochs=2, callbacks=[history_cb], verbose=0)
    assert len(history_cb.per_batch_losses) == 2 * 4
    assert all(np.isfinite(v) for v in history_cb.per_batch_losses)


# training_with_built_in_methods.py, "Checkpointing models" (save_best_only)
def test_training_with_built_in_methods__checkpointing_models(tmp_path):
    model = get_compiled_model()
    (x_train, y_train), _, _ = _split_mnist_like()
    callbacks = [
        keras.callbacks.ModelCheckpoint(
            filepath=str(tmp_path / "mymodel_{epoch}.keras"),
            save_best_only=True,
            monitor="val_loss",
            verbose=1,
        )
    ]
    history = model.fit(
        x_train,
        y_train,
        epochs=2,
        batch_size=64,
        callbacks=callbacks,
        validation_split=0.2,
        verbose=0,
    )
    saved = sorted(p.name for p in tmp_path.iterdir())
    assert "mymodel_1.keras" in saved
    val = history.history["val_loss"]
    assert ("mymodel_2.keras" in saved) == (val[1] < val[0])
    restored = keras.models.load_model(tmp_path / saved[-1])
    assert restored.count_params() == model.count_params()


# training_with_built_in_methods.py, "Checkpointing models" (make_or_restore_model)
def test_training_with_built_in_methods__checkpointing_fault_tolerance(tmp_path):
    checkpoint_dir = str(tmp_path / "ckpt")
    if not os.path.exists(checkpoint_dir):
        os.makedirs(checkpoint_dir)

    def make_or_restore_model():
        checkpoints = [checkpoint_dir + "/" + name for name in os.listdir(checkpoint_dir)]
        if checkpoints:
            latest_checkpoint = max(checkpoints, key=os.path.getctime)
            return keras.models.load_model(latest_checkpoint), latest_checkpoint
        return get_compiled_model(), None

    (x_train, y_train), _, _ = _split_mnist_like()
    model, restored_from = make_or_restore_model()
    assert restored_from is None
    callbacks = [
        keras.callbacks.ModelCheckpoint(
            filepath=checkpoint_dir + "/model-loss={loss:.2f}.keras", save_freq=4
        )
    ]
    model.fit(x_train, y_train, epochs=1, batch_size=32, callbacks=callbacks, verbose=0)
    names = os.listdir(checkpoint_dir)
    assert len(names) >= 1
    assert all(name.startswith("model-loss=") and name.endswith(".keras") for name in names)
    model, restored_from = make_or_restore_model()
    assert restored_from is not None
    assert model.optimizer is not None


# training_with_built_in_methods.py, "Using learning rate schedules"
def test_training_with_built_in_methods__passing_a_schedule_to_an_optimizer():
    initial_learning_rate = 0.1
    lr_schedule = keras.optimizers.schedules.ExponentialDecay(
        initial_learning_rate, decay_steps=100000, decay_rate=0.96, staircase=True
    )
    optimizer = keras.optimizers.RMSprop(learning_rate=lr_schedule)
    assert float(lr_schedule(0)) == pytest.approx(0.1)
    assert float(lr_schedule(99999)) == pytest.approx(0.1)
    assert float(lr_schedule(100000)) == pytest.approx(0.096)
    assert float(lr_schedule(250000)) == pytest.approx(0.1 * 0.96**2)
    model = get_uncompiled_model()
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")
    (x_train, y_train), _, _ = _split_mnist_like()
    model.fit(x_train, y_train, epochs=1, verbose=0)


# ---------------------------------------------------------------------------------------------
# guides/writing_your_own_callbacks.py
# ---------------------------------------------------------------------------------------------


def _callbacks_get_model(k=keras):
    model = k.Sequential()
    model.add(k.layers.Dense(1))
    model.compile(
        optimizer=k.optimizers.RMSprop(learning_rate=0.1),
        loss="mean_squared_error",
        metrics=["mean_absolute_error"],
    )
    return model


def _callbacks_data():
    rng = np.random.default_rng(2)
    x_train = rng.random((1000, 784)).astype("float32")
    y_train = rng.integers(0, 10, 1000)
    x_test = rng.random((1000, 784)).astype("float32")
    y_test = rng.integers(0, 10, 1000)
    return (x_train, y_train), (x_test, y_test)


def _make_custom_callback(base, record):
    """The guide's CustomCallback, recording (hook, keys) instead of printing."""

    class CustomCallback(base):
        def on_train_begin(self, logs=None):
            record.append(("train_begin", sorted(logs.keys())))

        def on_train_end(self, logs=None):
            record.append(("train_end", sorted(logs.keys())))

        def on_epoch_begin(self, epoch, logs=None):
            record.append(("epoch_begin", sorted(logs.keys())))

        def on_epoch_end(self, epoch, logs=None):
            record.append(("epoch_end", sorted(logs.keys())))

        def on_test_begin(self, logs=None):
            record.append(("test_begin", sorted(logs.keys())))

        def on_test_end(self, logs=None):
            record.append(("test_end", sorted(logs.keys())))

        def on_predict_begin(self, logs=None):
            record.append(("predict_begin", sorted(logs.keys())))

        def on_predict_end(self, logs=None):
            record.append(("predict_end", sorted(logs.keys())))

        def on_train_batch_begin(self, batch, logs=None):
            record.append(("train_batch_begin", sorted(logs.keys())))

        def on_train_batch_end(self, batch, logs=None):
            record.append(("train_batch_end", sorted(logs.keys())))

        def on_test_batch_begin(self, batch, logs=None):
            record.append(("test_batch_begin", sorted(logs.keys())))

        def on_test_batch_end(self, batch, logs=None):
            record.append(("test_batch_end", sorted(logs.keys())))

        def on_predict_batch_begin(self, batch, logs=None):
            record.append(("predict_batch_begin", sorted(logs.keys())))

        def on_predict_batch_end(self, batch, logs=None):
            record.append(("predict_batch_end", sorted(logs.keys())))

    return CustomCallback


def _run_custom_callback(k, x_train, y_train, x_test, y_test):
    record = []
    CustomCallback = _make_custom_callback(k.callbacks.Callback, record)
    model = _callbacks_get_model(k)
    model.fit(
        x_train,
        y_train,
        batch_size=128,
        epochs=1,
        verbose=0,
        validation_split=0.5,
        callbacks=[CustomCallback()],
    )
    model.evaluate(x_test, y_test, batch_size=128, verbose=0, callbacks=[CustomCallback()])
    model.predict(x_test, batch_size=128, verbose=0, callbacks=[CustomCallback()])
    return record


# writing_your_own_callbacks.py, "A basic example" (CustomCallback)
def test_writing_your_own_callbacks__a_basic_example():
    (x_train, y_train), (x_test, y_test) = _callbacks_data()
    x_train, y_train, x_test, y_test = x_train[:256], y_train[:256], x_test[:256], y_test[:256]
    record = _run_custom_callback(keras, x_train, y_train, x_test, y_test)
    hooks = [hook for hook, _ in record]
    # fit: 128 training samples in 1 batch, validation on 128 samples in 1 batch
    assert hooks[:4] == ["train_begin", "epoch_begin", "train_batch_begin", "train_batch_end"]
    assert hooks.count("train_batch_end") == 1
    assert hooks.count("test_batch_end") == 1 + 2
    assert hooks.count("predict_batch_end") == 2
    keys = dict(record)
    assert keys["epoch_end"] == [
        "loss",
        "mean_absolute_error",
        "val_loss",
        "val_mean_absolute_error",
    ]
    assert keys["train_batch_end"] == ["loss", "mean_absolute_error"]


# writing_your_own_callbacks.py, "A basic example": the same hooks and keys in real Keras
def test_writing_your_own_callbacks__a_basic_example_matches_real_keras():
    rk = _real_keras()
    (x_train, y_train), (x_test, y_test) = _callbacks_data()
    args = (x_train[:256], y_train[:256], x_test[:256], y_test[:256])
    expected = _run_custom_callback(rk, *args)
    record = _run_custom_callback(keras, *args)
    assert [hook for hook, _ in record] == [hook for hook, _ in expected]
    assert record == expected


# writing_your_own_callbacks.py, "Usage of logs dict"
def test_writing_your_own_callbacks__usage_of_logs_dict(capsys):
    class LossAndErrorPrintingCallback(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            print("Up to batch {}, the average loss is {:7.2f}.".format(batch, logs["loss"]))

        def on_test_batch_end(self, batch, logs=None):
            print("Up to batch {}, the average loss is {:7.2f}.".format(batch, logs["loss"]))

        def on_epoch_end(self, epoch, logs=None):
            print(
                "The average loss for epoch {} is {:7.2f} "
                "and mean absolute error is {:7.2f}.".format(
                    epoch, logs["loss"], logs["mean_absolute_error"]
                )
            )

    (x_train, y_train), (x_test, y_test) = _callbacks_data()
    model = _callbacks_get_model()
    model.fit(
        x_train,
        y_train,
        batch_size=128,
        epochs=2,
        verbose=0,
        callbacks=[LossAndErrorPrintingCallback()],
    )
    model.evaluate(
        x_test, y_test, batch_size=128, verbose=0, callbacks=[LossAndErrorPrintingCallback()]
    )
    lines = capsys.readouterr().out.splitlines()
    # 1000 samples in batches of 128: 8 batches per epoch, 2 epochs, then 8 test batches
    assert sum(line.startswith("Up to batch") for line in lines) == 8 * 2 + 8
    assert sum(line.startswith("The average loss for epoch") for line in lines) == 2


# writing_your_own_callbacks.py, "Early stopping at minimum loss" (np.Inf is np.inf in NumPy 2)
def test_writing_your_own_callbacks__early_stopping_at_min_loss():
    class EarlyStoppingAtMinLoss(keras.callbacks.Callback):
        def __init__(self, patience=0):
            super().__init__()
            self.patience = patience
            self.best_weights = None

        def on_train_begin(self, logs=None):
            self.wait = 0
            self.stopped_epoch = 0
            self.best = np.inf

        def on_epoch_end(self, epoch, logs=None):
            current = logs.get("loss")
            if np.less(current, self.best):
                self.best = current
                self.wait = 0
                self.best_weights = self.model.get_weights()
            else:
                self.wait += 1
                if self.wait >= self.patience:
                    self.stopped_epoch = epoch
                    self.model.stop_training = True
                    self.model.set_weights(self.best_weights)

    (x_train, y_train), _ = _callbacks_data()
    model = _callbacks_get_model()
    callback = EarlyStoppingAtMinLoss()
    history = model.fit(x_train, y_train, batch_size=64, epochs=30, verbose=0, callbacks=[callback])
    epochs_run = len(history.history["loss"])
    assert epochs_run < 30
    assert callback.stopped_epoch == epochs_run - 1
    for a, b in zip(model.get_weights(), callback.best_weights, strict=True):
        np.testing.assert_array_equal(a, b)


# writing_your_own_callbacks.py, "Learning rate scheduling"
def test_writing_your_own_callbacks__learning_rate_scheduling():
    class CustomLearningRateScheduler(keras.callbacks.Callback):
        def __init__(self, schedule):
            super().__init__()
            self.schedule = schedule

        def on_epoch_begin(self, epoch, logs=None):
            if not hasattr(self.model.optimizer, "learning_rate"):
                raise ValueError('Optimizer must have a "learning_rate" attribute.')
            lr = self.model.optimizer.learning_rate
            scheduled_lr = self.schedule(epoch, lr)
            self.model.optimizer.learning_rate = scheduled_lr
            seen.append(float(np.array(scheduled_lr)))

    LR_SCHEDULE = [(3, 0.05), (6, 0.01), (9, 0.005), (12, 0.001)]

    def lr_schedule(epoch, lr):
        if epoch < LR_SCHEDULE[0][0] or epoch > LR_SCHEDULE[-1][0]:
            return lr
        for i in range(len(LR_SCHEDULE)):
            if epoch == LR_SCHEDULE[i][0]:
                return LR_SCHEDULE[i][1]
        return lr

    seen = []
    (x_train, y_train), _ = _callbacks_data()
    model = _callbacks_get_model()
    model.fit(
        x_train[:128],
        y_train[:128],
        batch_size=64,
        epochs=15,
        verbose=0,
        callbacks=[CustomLearningRateScheduler(lr_schedule)],
    )
    assert seen == pytest.approx([0.1] * 3 + [0.05] * 3 + [0.01] * 3 + [0.005] * 3 + [0.001] * 3)
    assert float(np.array(model.optimizer.learning_rate)) == pytest.approx(0.001)


# keras/src/callbacks/early_stopping.py, EarlyStopping docstring. Two deliberate differences:
# a target of shape (5,) for 10 outputs is an error (Keras broadcasts it in the MSE), and on
# these unscaled inputs the loss overflows, where glassnet stops with a message (Keras trains
# on with an infinite loss until EarlyStopping's patience runs out after 4 epochs)
def test_callbacks_docstring__early_stopping_on_the_docstrings_diverging_run():
    callback = keras.callbacks.EarlyStopping(monitor="loss", patience=3)
    model = keras.models.Sequential([keras.layers.Dense(10)])
    model.compile(keras.optimizers.SGD(), loss="mse")
    x = np.arange(100).reshape(5, 20)
    with pytest.raises(ValueError, match=r"expected y of shape \(5, 10\)"):
        model.fit(x, np.zeros(5), epochs=10, batch_size=1, callbacks=[callback], verbose=0)
    with pytest.warns(DivergenceWarning, match="the loss became"):
        history = model.fit(
            x, np.zeros((5, 10)), epochs=10, batch_size=1, callbacks=[callback], verbose=0
        )
    assert len(history.history["loss"]) < 4
    assert all(np.isfinite(history.history["loss"]))  # no epoch logs from the diverged one


# keras/src/callbacks/learning_rate_scheduler.py, LearningRateScheduler docstring, with the
# inputs scaled to [0, 1) and one target per output unit so that the loss stays finite
def test_callbacks_docstring__learning_rate_scheduler_scaled_inputs():
    def scheduler(epoch, lr):
        if epoch < 10:
            return lr
        else:
            return lr * ops.exp(-0.1)

    model = keras.models.Sequential([keras.layers.Dense(10)])
    model.compile(keras.optimizers.SGD(), loss="mse")
    assert round(model.optimizer.learning_rate, 5) == 0.01
    callback = keras.callbacks.LearningRateScheduler(scheduler)
    history = model.fit(
        np.arange(100).reshape(5, 20) / 100,
        np.zeros((5, 10)),
        epochs=15,
        callbacks=[callback],
        verbose=0,
    )
    assert len(history.history["loss"]) == 15
    assert round(float(model.optimizer.learning_rate), 5) == 0.00607


# keras/src/callbacks/history.py, History docstring (keys), with y of shape (5, 10)
def test_callbacks_docstring__history_keys():
    model = keras.Sequential([layers.Dense(10)])
    model.compile(keras.optimizers.SGD(), loss="mse")
    history = model.fit(
        np.arange(100).reshape(5, 20) / 100, np.zeros((5, 10)), epochs=10, verbose=0
    )
    assert list(history.history.keys()) == ["loss"]
    assert {k: history.params[k] for k in ("verbose", "epochs", "steps")} == {
        "verbose": 0,
        "epochs": 10,
        "steps": 1,
    }


# keras/src/callbacks/callback.py, Callback docstring
def test_callbacks_docstring__callback_on_train_end():
    training_finished = False

    class MyCallback(keras.callbacks.Callback):
        def on_train_end(self, logs=None):
            nonlocal training_finished
            training_finished = True

    model = keras.Sequential([layers.Dense(1, input_shape=(1,))])
    model.compile(loss="mean_squared_error")
    model.fit(np.array([[1.0]]), np.array([[1.0]]), callbacks=[MyCallback()], verbose=0)
    assert training_finished is True


# keras/src/callbacks/lambda_callback.py and csv_logger.py, docstrings
def test_callbacks_docstring__lambda_callback_and_csv_logger(tmp_path):
    batches = []
    batch_print_callback = keras.callbacks.LambdaCallback(
        on_train_batch_begin=lambda batch, logs: batches.append(batch)
    )
    csv_logger = keras.callbacks.CSVLogger(str(tmp_path / "training.log"))
    model = keras.Sequential([layers.Dense(1, input_shape=(3,))])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(
        RNG.random((40, 3)),
        RNG.random((40, 1)),
        batch_size=16,
        epochs=2,
        callbacks=[batch_print_callback, csv_logger],
        verbose=0,
    )
    assert batches == [0, 1, 2, 0, 1, 2]
    rows = (tmp_path / "training.log").read_text().splitlines()
    # as Keras 3's CSVLogger: without validation it still writes a val_ column, as NA
    assert rows[0].split(",") == ["epoch", "loss", "val_loss"]
    assert [row.split(",")[0] for row in rows[1:]] == ["0", "1"]
    assert all(row.split(",")[2] == "NA" for row in rows[1:])


# ---------------------------------------------------------------------------------------------
# guides/serialization_and_saving.py
# ---------------------------------------------------------------------------------------------


# serialization_and_saving.py, "Saving" (get_model, fit, save, load_model)
def test_serialization_and_saving__how_to_save_and_load_a_model(tmp_path):
    def get_model():
        inputs = keras.Input(shape=(32,))
        outputs = keras.layers.Dense(1)(inputs)
        model = keras.Model(inputs, outputs)
        model.compile(optimizer=keras.optimizers.Adam(), loss="mean_squared_error")
        return model

    model = get_model()
    test_input = RNG.random((128, 32))
    test_target = RNG.random((128, 1))
    model.fit(test_input, test_target, verbose=0)
    model.save(tmp_path / "my_model.keras")
    reconstructed_model = keras.models.load_model(tmp_path / "my_model.keras")
    np.testing.assert_allclose(
        model.predict(test_input, verbose=0), reconstructed_model.predict(test_input, verbose=0)
    )
    # the optimizer and its state come back too: one more epoch agrees
    model.fit(test_input, test_target, verbose=0, shuffle=False)
    reconstructed_model.fit(test_input, test_target, verbose=0, shuffle=False)
    for a, b in zip(model.get_weights(), reconstructed_model.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6)


# serialization_and_saving.py, "Registering custom objects (preferred)"
def test_serialization_and_saving__registering_custom_objects(tmp_path):
    keras.saving.get_custom_objects().clear()

    @keras.saving.register_keras_serializable(package="MyLayers")
    class CustomLayer(keras.layers.Layer):
        def __init__(self, factor):
            super().__init__()
            self.factor = factor

        def call(self, x):
            return x * self.factor

        def get_config(self):
            return {"factor": self.factor}

    @keras.saving.register_keras_serializable(package="my_package", name="custom_fn")
    def custom_fn(x):
        return x**2

    inputs = keras.Input(shape=(4,))
    mid = CustomLayer(0.5)(inputs)
    outputs = keras.layers.Dense(1, activation=custom_fn)(mid)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="rmsprop", loss="mean_squared_error")
    model.fit(RNG.random((4, 4)), RNG.random((4, 1)), verbose=0)
    model.save(tmp_path / "custom_model.keras")
    reconstructed_model = keras.models.load_model(tmp_path / "custom_model.keras")
    test_input = RNG.random((4, 4))
    np.testing.assert_allclose(model.predict(test_input), reconstructed_model.predict(test_input))


# serialization_and_saving.py, "Passing custom objects to load_model()"
def test_serialization_and_saving__passing_custom_objects_to_load_model(tmp_path):
    class CustomLayer(keras.layers.Layer):
        def __init__(self, factor):
            super().__init__()
            self.factor = factor

        def call(self, x):
            return x * self.factor

        def get_config(self):
            return {"factor": self.factor}

    inputs = keras.Input(shape=(4,))
    outputs = keras.layers.Dense(1)(CustomLayer(0.5)(inputs))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="rmsprop", loss="mean_squared_error")
    model.fit(RNG.random((4, 4)), RNG.random((4, 1)), verbose=0)
    model.save(tmp_path / "custom_model.keras")
    reconstructed_model = keras.models.load_model(
        tmp_path / "custom_model.keras", custom_objects={"CustomLayer": CustomLayer}
    )
    test_input = RNG.random((4, 4))
    np.testing.assert_allclose(model.predict(test_input), reconstructed_model.predict(test_input))


# serialization_and_saving.py, "Using a custom object scope"
def test_serialization_and_saving__custom_object_scope():
    with keras.saving.custom_object_scope({}):
        pass


# serialization_and_saving.py, "In-memory model cloning"
def test_serialization_and_saving__in_memory_model_cloning():
    inputs = keras.Input(shape=(32,))
    outputs = keras.layers.Dense(1)(inputs)
    model = keras.Model(inputs, outputs)
    new_model = keras.models.clone_model(model)
    assert new_model.count_params() == model.count_params() == 33
    assert not np.array_equal(new_model.get_weights()[0], model.get_weights()[0])


# serialization_and_saving.py, "get_config() and from_config()" (layer example)
def test_serialization_and_saving__layer_get_config_and_from_config():
    layer = keras.layers.Dense(3, activation="relu")
    layer_config = layer.get_config()
    assert layer_config["units"] == 3
    assert layer_config["activation"] == "relu"
    assert layer_config["use_bias"] is True
    new_layer = keras.layers.Dense.from_config(layer_config)
    assert new_layer.get_config() == layer_config


# serialization_and_saving.py, "get_config() and from_config()" (Sequential model example)
def test_serialization_and_saving__sequential_get_config_and_from_config():
    model = keras.Sequential([keras.Input((32,)), keras.layers.Dense(1)])
    config = model.get_config()
    new_model = keras.Sequential.from_config(config)
    assert new_model.count_params() == 33


# serialization_and_saving.py, "get_config() and from_config()" (Functional model example)
def test_serialization_and_saving__functional_get_config_and_from_config():
    inputs = keras.Input((32,))
    outputs = keras.layers.Dense(1)(inputs)
    model = keras.Model(inputs, outputs)
    config = model.get_config()
    new_model = keras.Model.from_config(config)
    assert new_model.count_params() == 33


# serialization_and_saving.py, "to_json() and keras.models.model_from_json()"
def test_serialization_and_saving__to_json_and_model_from_json():
    model = keras.Sequential([keras.Input((32,)), keras.layers.Dense(1)])
    json_config = model.to_json()
    new_model = keras.models.model_from_json(json_config)
    assert isinstance(json_config, str)
    assert new_model.count_params() == 33
    assert [type(layer).__name__ for layer in new_model.layers] == ["Dense"]


# serialization_and_saving.py, "Arbitrary object serialization and deserialization"
def test_serialization_and_saving__arbitrary_object_serialization():
    my_reg = keras.regularizers.L1(0.005)
    config = keras.saving.serialize_keras_object(my_reg)
    assert config["class_name"] == "L1"
    new_reg = keras.saving.deserialize_keras_object(config)
    assert new_reg.get_config() == my_reg.get_config()


# serialization_and_saving.py, "Transfering weights from one layer to another, in memory"
def test_serialization_and_saving__transfer_weights_from_one_layer_to_another():
    def create_layer():
        layer = keras.layers.Dense(64, activation="relu", name="dense_2")
        layer.build((None, 784))
        return layer

    layer_1 = create_layer()
    layer_2 = create_layer()
    layer_2.set_weights(layer_1.get_weights())
    for a, b in zip(layer_1.get_weights(), layer_2.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def _three_layer_mlp(dropout=False):
    inputs = keras.Input(shape=(784,), name="digits")
    x = keras.layers.Dense(64, activation="relu", name="dense_1")(inputs)
    x = keras.layers.Dense(64, activation="relu", name="dense_2")(x)
    if dropout:
        x = keras.layers.Dropout(0.5)(x)
    outputs = keras.layers.Dense(10, name="predictions")(x)
    return keras.Model(inputs=inputs, outputs=outputs, name="3_layer_mlp")


# serialization_and_saving.py, "Transfering weights from one model to another model"
def test_serialization_and_saving__transfer_weights_functional_to_subclassed():
    functional_model = _three_layer_mlp()

    class SubclassedModel(keras.Model):
        def __init__(self, output_dim, name=None):
            super().__init__(name=name)
            self.output_dim = output_dim
            self.dense_1 = keras.layers.Dense(64, activation="relu", name="dense_1")
            self.dense_2 = keras.layers.Dense(64, activation="relu", name="dense_2")
            self.dense_3 = keras.layers.Dense(output_dim, name="predictions")

        def call(self, inputs):
            x = self.dense_1(inputs)
            x = self.dense_2(x)
            x = self.dense_3(x)
            return x

        def get_config(self):
            return {"output_dim": self.output_dim, "name": self.name}

    subclassed_model = SubclassedModel(10)
    subclassed_model(np.ones((1, 784)))
    subclassed_model.set_weights(functional_model.get_weights())
    assert len(functional_model.weights) == len(subclassed_model.weights)
    for a, b in zip(functional_model.weights, subclassed_model.weights, strict=True):
        np.testing.assert_allclose(a.numpy(), b.numpy())


# serialization_and_saving.py, "The case of stateless layers"
def test_serialization_and_saving__stateless_layers():
    functional_model = _three_layer_mlp()
    functional_model_with_dropout = _three_layer_mlp(dropout=True)
    functional_model_with_dropout.set_weights(functional_model.get_weights())
    x = RNG.random((2, 784)).astype("float32")
    np.testing.assert_allclose(
        functional_model_with_dropout.predict(x, verbose=0),
        functional_model.predict(x, verbose=0),
        rtol=1e-6,
    )


# serialization_and_saving.py, "APIs for saving weights to disk & loading them back"
def test_serialization_and_saving__save_weights_and_load_weights(tmp_path):
    sequential_model = keras.Sequential(
        [
            keras.Input(shape=(784,), name="digits"),
            keras.layers.Dense(64, activation="relu", name="dense_1"),
            keras.layers.Dense(64, activation="relu", name="dense_2"),
            keras.layers.Dense(10, name="predictions"),
        ]
    )
    before = sequential_model.get_weights()
    sequential_model.save_weights(tmp_path / "my_model.weights.h5")
    sequential_model.set_weights([np.zeros_like(w) for w in before])
    sequential_model.load_weights(tmp_path / "my_model.weights.h5")
    for a, b in zip(before, sequential_model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def _nested_dense_layer(k):
    class NestedDenseLayer(k.layers.Layer):
        def __init__(self, units, name=None):
            super().__init__(name=name)
            self.dense_1 = k.layers.Dense(units, name="dense_1")
            self.dense_2 = k.layers.Dense(units, name="dense_2")

        def call(self, inputs):
            return self.dense_2(self.dense_1(inputs))

    return NestedDenseLayer


# serialization_and_saving.py, "APIs for saving weights" (nested layer, weight ordering),
# compared with real Keras
def test_serialization_and_saving__changing_trainable_and_weight_ordering():
    def ordering_changed(k):
        nested_model = k.Sequential([k.Input((784,)), NestedDenseLayer(10, "nested")])
        variable_names = [v.path for v in nested_model.weights]
        nested_model.get_layer("nested").dense_1.trainable = False
        variable_names_2 = [v.path for v in nested_model.weights]
        assert len(variable_names_2) == 4
        return variable_names != variable_names_2

    # The guide (written for tf.keras) prints True; Keras 3 keeps the order, as glassnet does
    rk = _real_keras()
    NestedDenseLayer = _nested_dense_layer(rk)
    expected = ordering_changed(rk)
    NestedDenseLayer = _nested_dense_layer(keras)
    assert ordering_changed(keras) == expected


# serialization_and_saving.py, "Transfer learning example"
def test_serialization_and_saving__transfer_learning_example(tmp_path):
    functional_model = _three_layer_mlp()
    functional_model.save_weights(tmp_path / "pretrained.weights.h5")
    pretrained_model = _three_layer_mlp()
    pretrained_model.load_weights(tmp_path / "pretrained.weights.h5")
    extracted_layers = pretrained_model.layers[:-1]
    extracted_layers.append(keras.layers.Dense(5, name="dense_3"))
    model = keras.Sequential(extracted_layers)
    text = _summary_text(model)
    assert "Total params: 54,725" in text  # 50,240 + 4,160 + 325
    np.testing.assert_array_equal(
        model.get_layer("dense_1").get_weights()[0], functional_model.get_weights()[0]
    )


# ---------------------------------------------------------------------------------------------
# guides/making_new_layers_and_models_via_subclassing.py
# ---------------------------------------------------------------------------------------------


class _LinearInInit(keras.layers.Layer):
    def __init__(self, units=32, input_dim=32):
        super().__init__()
        self.w = self.add_weight(
            shape=(input_dim, units),
            initializer="random_normal",
            trainable=True,
        )
        self.b = self.add_weight(shape=(units,), initializer="zeros", trainable=True)

    def call(self, inputs):
        return ops.matmul(inputs, self.w) + self.b


class Linear(keras.layers.Layer):
    def __init__(self, units=32):
        super().__init__()
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(
            shape=(input_shape[-1], self.units),
            initializer="random_normal",
            trainable=True,
        )
        self.b = self.add_weight(shape=(self.units,), initializer="random_normal", trainable=True)

    def call(self, inputs):
        return ops.matmul(inputs, self.w) + self.b

    def get_config(self):
        return {"units": self.units}


# making_new_layers_and_models_via_subclassing.py, "The Layer class"
def test_making_new_layers_and_models_via_subclassing__the_layer_class():
    x = ops.ones((2, 2))
    linear_layer = _LinearInInit(4, 2)
    y = linear_layer(x)
    assert np.shape(y) == (2, 4)


# making_new_layers_and_models_via_subclassing.py, "The Layer class" (weights tracked)
def test_making_new_layers_and_models_via_subclassing__weights_are_tracked():
    x = np.ones((2, 2))
    linear_layer = _LinearInInit(4, 2)
    y = linear_layer(x)
    assert np.shape(y) == (2, 4)
    assert linear_layer.weights == [linear_layer.w, linear_layer.b]
    np.testing.assert_allclose(y, np.ones((2, 2)) @ np.asarray(linear_layer.w), rtol=1e-6)


# making_new_layers_and_models_via_subclassing.py, "Layers can have non-trainable weights"
def test_making_new_layers_and_models_via_subclassing__non_trainable_weights():
    class ComputeSum(keras.layers.Layer):
        def __init__(self, input_dim):
            super().__init__()
            self.total = self.add_weight(initializer="zeros", shape=(input_dim,), trainable=False)

        def call(self, inputs):
            self.total.assign_add(ops.sum(inputs, axis=0))
            return self.total

    x = ops.ones((2, 2))
    my_sum = ComputeSum(2)
    y = my_sum(x)
    np.testing.assert_array_equal(y.numpy(), [2.0, 2.0])
    y = my_sum(x)
    np.testing.assert_array_equal(y.numpy(), [4.0, 4.0])
    assert len(my_sum.weights) == 1
    assert len(my_sum.non_trainable_weights) == 1
    assert my_sum.trainable_weights == []


# making_new_layers_and_models_via_subclassing.py, "Layers can have non-trainable weights"
# (the weight lists, without the update)
def test_making_new_layers_and_models_via_subclassing__non_trainable_weight_lists():
    class ComputeSum(keras.layers.Layer):
        def __init__(self, input_dim):
            super().__init__()
            self.total = self.add_weight(initializer="zeros", shape=(input_dim,), trainable=False)

    my_sum = ComputeSum(2)
    assert len(my_sum.weights) == 1  # weights: 1
    assert len(my_sum.non_trainable_weights) == 1  # non-trainable weights: 1
    assert my_sum.trainable_weights == []  # trainable_weights: []


# making_new_layers_and_models_via_subclassing.py, "Best practice: deferring weight creation"
def test_making_new_layers_and_models_via_subclassing__deferring_weight_creation():
    linear_layer = Linear(32)
    assert linear_layer.weights == []
    y = linear_layer(np.ones((2, 2)))
    assert np.shape(y) == (2, 32)
    assert [np.shape(w) for w in linear_layer.weights] == [(2, 32), (32,)]


# making_new_layers_and_models_via_subclassing.py, "Layers are recursively composable"
def test_making_new_layers_and_models_via_subclassing__layers_are_recursively_composable():
    class MLPBlock(keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.linear_1 = Linear(32)
            self.linear_2 = Linear(32)
            self.linear_3 = Linear(1)

        def call(self, inputs):
            x = self.linear_1(inputs)
            x = keras.activations.relu(x)
            x = self.linear_2(x)
            x = keras.activations.relu(x)
            return self.linear_3(x)

    mlp = MLPBlock()
    y = mlp(np.ones(shape=(3, 64)))
    assert np.shape(y) == (3, 1)
    assert len(mlp.weights) == 6  # weights: 6
    assert len(mlp.trainable_weights) == 6  # trainable weights: 6


class ActivityRegularizationLayer(keras.layers.Layer):
    def __init__(self, rate=1e-2):
        super().__init__()
        self.rate = rate

    def call(self, inputs):
        self.add_loss(self.rate * ops.mean(inputs))
        return inputs


# making_new_layers_and_models_via_subclassing.py, "The add_loss() method"
def test_making_new_layers_and_models_via_subclassing__the_add_loss_method():
    class OuterLayer(keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.activity_reg = ActivityRegularizationLayer(1e-2)

        def call(self, inputs):
            return self.activity_reg(inputs)

    layer = OuterLayer()
    assert len(layer.losses) == 0  # No losses yet since the layer has never been called
    _ = layer(np.zeros((1, 1)))
    assert len(layer.losses) == 1  # We created one loss value
    _ = layer(np.zeros((1, 1)))
    assert len(layer.losses) == 1  # This is the loss created during the call above


# making_new_layers_and_models_via_subclassing.py, "The add_loss() method" (kernel regularizer)
def test_making_new_layers_and_models_via_subclassing__kernel_regularizer_losses():
    class OuterLayerWithKernelRegularizer(keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(32, kernel_regularizer=keras.regularizers.l2(1e-3))

        def call(self, inputs):
            return self.dense(inputs)

    layer = OuterLayerWithKernelRegularizer()
    _ = layer(np.zeros((1, 1)))
    assert len(layer.losses) == 1
    # This is `1e-3 * sum(layer.dense.kernel ** 2)`
    kernel = np.asarray(layer.dense.kernel)
    np.testing.assert_allclose(float(layer.losses[0]), 1e-3 * np.sum(kernel**2), rtol=1e-5)


# making_new_layers_and_models_via_subclassing.py, "The add_loss() method" (kernel regularizer),
# with the class L2 for the function l2
def test_making_new_layers_and_models_via_subclassing__kernel_regularizer_losses_l2_class():
    class OuterLayerWithKernelRegularizer(keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(32, kernel_regularizer=keras.regularizers.L2(1e-3))

        def call(self, inputs):
            return self.dense(inputs)

    layer = OuterLayerWithKernelRegularizer()
    _ = layer(np.zeros((1, 1)))
    assert len(layer.losses) == 1
    kernel = np.asarray(layer.dense.kernel)
    np.testing.assert_allclose(float(layer.losses[0]), 1e-3 * np.sum(kernel**2), rtol=1e-5)


# making_new_layers_and_models_via_subclassing.py, "The add_loss() method" (with fit)
def test_making_new_layers_and_models_via_subclassing__add_loss_with_fit():
    inputs = keras.Input(shape=(3,))
    outputs = ActivityRegularizationLayer()(inputs)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(RNG.random((2, 3)), RNG.random((2, 3)), verbose=0)
    assert list(history.history) == ["loss"]


# making_new_layers_and_models_via_subclassing.py, "The add_loss() method" (compile, no loss)
def test_making_new_layers_and_models_via_subclassing__add_loss_compile_without_loss():
    inputs = keras.Input(shape=(3,))
    x = keras.layers.Dense(3)(inputs)
    outputs = ActivityRegularizationLayer()(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam")
    history = model.fit(RNG.random((2, 3)), RNG.random((2, 3)), verbose=0)
    assert list(history.history) == ["loss"]


# making_new_layers_and_models_via_subclassing.py, "You can optionally enable serialization"
def test_making_new_layers_and_models_via_subclassing__get_config():
    layer = Linear(64)
    config = layer.get_config()
    assert config == {"units": 64}
    new_layer = Linear.from_config(config)
    assert new_layer.units == 64


# making_new_layers_and_models_via_subclassing.py, "You can optionally enable serialization"
# (base config with name and dtype)
def test_making_new_layers_and_models_via_subclassing__get_config_with_base_config():
    class Linear(keras.layers.Layer):
        def __init__(self, units=32, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        def build(self, input_shape):
            self.w = self.add_weight(
                shape=(input_shape[-1], self.units),
                initializer="random_normal",
                trainable=True,
            )
            self.b = self.add_weight(
                shape=(self.units,), initializer="random_normal", trainable=True
            )

        def call(self, inputs):
            return ops.matmul(inputs, self.w) + self.b

        def get_config(self):
            config = super().get_config()
            config.update({"units": self.units})
            return config

    layer = Linear(64, name="my_linear")
    config = layer.get_config()
    assert config["units"] == 64
    assert config["name"] == "my_linear"
    assert "trainable" in config and "dtype" in config
    new_layer = Linear.from_config(config)
    assert new_layer.units == 64 and new_layer.name == "my_linear"


# making_new_layers_and_models_via_subclassing.py, "Privileged training argument in call()"
def test_making_new_layers_and_models_via_subclassing__privileged_training_argument():
    class CustomDropout(keras.layers.Layer):
        def __init__(self, rate, **kwargs):
            super().__init__(**kwargs)
            self.rate = rate

        def call(self, inputs, training=None):
            if training:
                return keras.random.dropout(inputs, rate=self.rate)
            return inputs

    layer = CustomDropout(0.5)
    x = np.ones((100, 10), dtype="float32")
    np.testing.assert_array_equal(layer(x), x)
    y = np.asarray(layer(x, training=True))
    assert set(np.unique(y)) <= {0.0, 2.0}
    assert 0.3 < np.mean(y == 0.0) < 0.7


# making_new_layers_and_models_via_subclassing.py, "Putting it all together" (VAE)
def test_making_new_layers_and_models_via_subclassing__variational_autoencoder():
    class Sampling(layers.Layer):
        def call(self, inputs):
            z_mean, z_log_var = inputs
            batch = ops.shape(z_mean)[0]
            dim = ops.shape(z_mean)[1]
            epsilon = keras.random.normal(shape=(batch, dim))
            return z_mean + ops.exp(0.5 * z_log_var) * epsilon

    class Encoder(layers.Layer):
        def __init__(self, latent_dim=32, intermediate_dim=64, name="encoder", **kwargs):
            super().__init__(name=name, **kwargs)
            self.dense_proj = layers.Dense(intermediate_dim, activation="relu")
            self.dense_mean = layers.Dense(latent_dim)
            self.dense_log_var = layers.Dense(latent_dim)
            self.sampling = Sampling()

        def call(self, inputs):
            x = self.dense_proj(inputs)
            z_mean = self.dense_mean(x)
            z_log_var = self.dense_log_var(x)
            z = self.sampling((z_mean, z_log_var))
            return z_mean, z_log_var, z

    class Decoder(layers.Layer):
        def __init__(self, original_dim, intermediate_dim=64, name="decoder", **kwargs):
            super().__init__(name=name, **kwargs)
            self.dense_proj = layers.Dense(intermediate_dim, activation="relu")
            self.dense_output = layers.Dense(original_dim, activation="sigmoid")

        def call(self, inputs):
            x = self.dense_proj(inputs)
            return self.dense_output(x)

    class VariationalAutoEncoder(keras.Model):
        def __init__(
            self, original_dim, intermediate_dim=64, latent_dim=32, name="autoencoder", **kwargs
        ):
            super().__init__(name=name, **kwargs)
            self.original_dim = original_dim
            self.encoder = Encoder(latent_dim=latent_dim, intermediate_dim=intermediate_dim)
            self.decoder = Decoder(original_dim, intermediate_dim=intermediate_dim)

        def call(self, inputs):
            z_mean, z_log_var, z = self.encoder(inputs)
            reconstructed = self.decoder(z)
            kl_loss = -0.5 * ops.mean(z_log_var - ops.square(z_mean) - ops.exp(z_log_var) + 1)
            self.add_loss(kl_loss)
            return reconstructed

    (x_train, _), _ = _mnist_like(128, 8)
    vae = VariationalAutoEncoder(784, 64, 32)
    optimizer = keras.optimizers.Adam(learning_rate=1e-3)
    vae.compile(optimizer, loss=keras.losses.MeanSquaredError())
    history = vae.fit(x_train, x_train, epochs=2, batch_size=64, verbose=0)
    assert len(history.history["loss"]) == 2


# ---------------------------------------------------------------------------------------------
# guides/custom_train_step_in_*.py (customizing what happens in fit), backend-free parts
# ---------------------------------------------------------------------------------------------


# custom_train_step_in_torch.py / _in_jax.py, "Providing your own evaluation step"
def test_customizing_what_happens_in_fit__providing_your_own_evaluation_step():
    class CustomModel(keras.Model):
        def test_step(self, data):
            x, y = data
            y_pred = self(x, training=False)
            loss = self.compute_loss(y=y, y_pred=y_pred)
            for metric in self.metrics:
                if metric.name == "loss":
                    metric.update_state(loss)
                else:
                    metric.update_state(y, y_pred)
            calls.append(1)
            return {m.name: m.result() for m in self.metrics}

    calls = []
    inputs = keras.Input(shape=(32,))
    outputs = keras.layers.Dense(1)(inputs)
    model = CustomModel(inputs, outputs)
    model.compile(loss="mse", metrics=["mae"])
    x = RNG.random((1000, 32))
    y = RNG.random((1000, 1))
    model.evaluate(x, y, verbose=0)
    assert len(calls) == 32


# ---------------------------------------------------------------------------------------------
# guides/transfer_learning.py (the trainable API and BatchNormalization)
# ---------------------------------------------------------------------------------------------


# transfer_learning.py, "Freezing layers" (Dense has 2 trainable weights)
def test_transfer_learning__dense_layer_has_two_trainable_weights():
    layer = keras.layers.Dense(3)
    layer.build((None, 4))
    assert len(layer.weights) == 2
    assert len(layer.trainable_weights) == 2
    assert len(layer.non_trainable_weights) == 0


# transfer_learning.py, "Freezing layers" (BatchNormalization: 2 trainable, 2 non-trainable)
def test_transfer_learning__batch_normalization_has_two_non_trainable_weights():
    layer = keras.layers.BatchNormalization()
    layer.build((None, 4))
    assert len(layer.weights) == 4
    assert len(layer.trainable_weights) == 2
    assert len(layer.non_trainable_weights) == 2


# transfer_learning.py, "Freezing layers" (setting trainable to False)
def test_transfer_learning__setting_trainable_to_false():
    layer = keras.layers.Dense(3)
    layer.build((None, 4))
    layer.trainable = False
    assert len(layer.weights) == 2
    assert len(layer.trainable_weights) == 0
    assert len(layer.non_trainable_weights) == 2


# transfer_learning.py, "Freezing layers" (a frozen layer's weights do not change)
def test_transfer_learning__frozen_weights_do_not_change_during_training():
    layer1 = keras.layers.Dense(3, activation="relu")
    layer2 = keras.layers.Dense(3, activation="sigmoid")
    model = keras.Sequential([keras.Input(shape=(3,)), layer1, layer2])
    layer1.trainable = False
    initial_layer1_weights_values = layer1.get_weights()
    initial_layer2_weights_values = layer2.get_weights()
    model.compile(optimizer="adam", loss="mse")
    model.fit(RNG.random((2, 3)), RNG.random((2, 3)), verbose=0)
    final_layer1_weights_values = layer1.get_weights()
    np.testing.assert_allclose(initial_layer1_weights_values[0], final_layer1_weights_values[0])
    np.testing.assert_allclose(initial_layer1_weights_values[1], final_layer1_weights_values[1])
    assert not np.array_equal(initial_layer2_weights_values[0], layer2.get_weights()[0])


# transfer_learning.py, "Recursive setting of the trainable attribute"
def test_transfer_learning__recursive_setting_of_the_trainable_attribute():
    inner_model = keras.Sequential(
        [
            keras.Input(shape=(3,)),
            keras.layers.Dense(3, activation="relu"),
            keras.layers.Dense(3, activation="relu"),
        ]
    )
    model = keras.Sequential(
        [
            keras.Input(shape=(3,)),
            inner_model,
            keras.layers.Dense(3, activation="sigmoid"),
        ]
    )
    model.trainable = False
    assert inner_model.trainable == False  # noqa: E712
    assert inner_model.layers[0].trainable == False  # noqa: E712
    assert model.trainable_weights == []


# transfer_learning.py, "Important notes about BatchNormalization layer" (trainable=False
# runs it in inference mode: its moving statistics do not change)
def test_transfer_learning__frozen_batch_normalization_runs_in_inference_mode():
    bn = keras.layers.BatchNormalization()
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(4), bn])
    bn.trainable = False
    before = [np.array(w) for w in bn.get_weights()]
    model.compile(optimizer="sgd", loss="mse")
    model.fit(RNG.random((16, 4)) * 5 + 3, RNG.random((16, 4)), verbose=0)
    for a, b in zip(before, bn.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


# transfer_learning.py, "Important notes about BatchNormalization layer" (a trainable one
# updates its moving mean and variance during fit)
def test_transfer_learning__batch_normalization_updates_moving_statistics():
    bn = keras.layers.BatchNormalization()
    model = keras.Sequential([keras.Input(shape=(4,)), bn])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(RNG.random((16, 4)) * 5 + 3, RNG.random((16, 4)), verbose=0)
    _gamma, _beta, moving_mean, moving_variance = bn.get_weights()
    assert np.all(moving_mean > 0.0)
    assert not np.allclose(moving_variance, 1.0)


# ---------------------------------------------------------------------------------------------
# Keras 3 docstrings: metrics (keras/src/metrics/*.py)
# ---------------------------------------------------------------------------------------------

_METRIC_EXAMPLES = [
    # (metric, y_true, y_pred, result, sample_weight, weighted result)
    (
        "Accuracy",
        {},
        [[1], [2], [3], [4]],
        [[0], [2], [3], [4]],
        0.75,
        [1, 1, 0, 0],
        0.5,
    ),
    (
        "BinaryAccuracy",
        {},
        [[1], [1], [0], [0]],
        [[0.98], [1], [0], [0.6]],
        0.75,
        [1, 0, 0, 1],
        0.5,
    ),
    (
        "CategoricalAccuracy",
        {},
        [[0, 0, 1], [0, 1, 0]],
        [[0.1, 0.9, 0.8], [0.05, 0.95, 0]],
        0.5,
        [0.7, 0.3],
        0.3,
    ),
    (
        "SparseCategoricalAccuracy",
        {},
        [[2], [1]],
        [[0.1, 0.6, 0.3], [0.05, 0.95, 0]],
        0.5,
        [0.7, 0.3],
        0.3,
    ),
    (
        "TopKCategoricalAccuracy",
        {"k": 1},
        [[0, 0, 1], [0, 1, 0]],
        [[0.1, 0.9, 0.8], [0.05, 0.95, 0]],
        0.5,
        [0.7, 0.3],
        0.3,
    ),
    (
        "SparseTopKCategoricalAccuracy",
        {"k": 1},
        [2, 1],
        [[0.1, 0.9, 0.8], [0.05, 0.95, 0]],
        0.5,
        [0.7, 0.3],
        0.3,
    ),
    ("MeanAbsoluteError", {}, [[0, 1], [0, 0]], [[1, 1], [0, 0]], 0.25, [1, 0], 0.5),
    ("RootMeanSquaredError", {}, [[0, 1], [0, 0]], [[1, 1], [0, 0]], 0.5, [1, 0], 0.70710677),
    ("FalsePositives", {}, [0, 1, 0, 0], [0, 0, 1, 1], 2.0, [0, 0, 1, 0], 1.0),
    ("FalseNegatives", {}, [0, 1, 1, 1], [0, 1, 0, 0], 2.0, [0, 0, 1, 0], 1.0),
    ("TrueNegatives", {}, [0, 1, 0, 0], [1, 1, 0, 0], 2.0, [0, 0, 1, 0], 1.0),
    ("TruePositives", {}, [0, 1, 1, 1], [1, 0, 1, 1], 2.0, [0, 0, 1, 0], 1.0),
    ("Precision", {}, [0, 1, 1, 1], [1, 0, 1, 1], 0.6666667, [0, 0, 1, 0], 1.0),
    ("Recall", {}, [0, 1, 1, 1], [1, 0, 1, 1], 0.6666667, [0, 0, 1, 0], 1.0),
]


# keras/src/metrics/*.py, the standalone usage in each metric's docstring
@pytest.mark.parametrize(
    ("name", "kwargs", "y_true", "y_pred", "result", "sample_weight", "weighted"),
    _METRIC_EXAMPLES,
    ids=[example[0] for example in _METRIC_EXAMPLES],
)
def test_metrics_docstring__standalone_usage(
    name, kwargs, y_true, y_pred, result, sample_weight, weighted
):
    m = getattr(keras.metrics, name)(**kwargs)
    m.update_state(y_true, y_pred)
    assert float(m.result()) == pytest.approx(result, rel=1e-6)
    m.reset_state()
    m.update_state(y_true, y_pred, sample_weight=sample_weight)
    assert float(m.result()) == pytest.approx(weighted, rel=1e-6)


# keras/src/metrics/regression_metrics.py, MeanSquaredError docstring
def test_metrics_docstring__mean_squared_error():
    m = keras.metrics.MeanSquaredError()
    m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]])
    assert float(m.result()) == pytest.approx(0.25)


# keras/src/metrics/regression_metrics.py, R2Score docstring
def test_metrics_docstring__r2_score():
    y_true = np.array([[1], [4], [3]], dtype=np.float32)
    y_pred = np.array([[2], [4], [4]], dtype=np.float32)
    metric = keras.metrics.R2Score()
    metric.update_state(y_true, y_pred)
    result = metric.result()
    assert float(result) == pytest.approx(0.57142854, rel=1e-6)


# keras/src/metrics/f_score_metrics.py, F1Score docstring
def test_metrics_docstring__f1_score():
    metric = keras.metrics.F1Score(threshold=0.5)
    y_true = np.array([[1, 1, 1], [1, 0, 0], [1, 1, 0]], np.int32)
    y_pred = np.array([[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]], np.float32)
    metric.update_state(y_true, y_pred)
    result = metric.result()
    np.testing.assert_allclose(result, [0.5, 0.8, 0.6666667], rtol=1e-6)


# keras/src/metrics/confusion_metrics.py, AUC docstring
def test_metrics_docstring__auc():
    m = keras.metrics.AUC(num_thresholds=3)
    m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
    assert float(m.result()) == pytest.approx(0.75)


# keras/src/metrics/reduction_metrics.py, Mean and Sum docstrings
def test_metrics_docstring__mean_and_sum():
    m = keras.metrics.Sum()
    m.update_state([1, 3, 5, 7])
    assert float(m.result()) == 16.0
    m = keras.metrics.Sum()
    m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
    assert float(m.result()) == 4.0
    m = keras.metrics.Mean()
    m.update_state([1, 3, 5, 7])
    assert float(m.result()) == 4.0
    m.reset_state()
    m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
    assert float(m.result()) == 2.0


# ---------------------------------------------------------------------------------------------
# Keras 3 docstrings: losses (keras/src/losses/losses.py)
# ---------------------------------------------------------------------------------------------


# keras/src/losses/losses.py, MeanSquaredError, MeanAbsoluteError and
# MeanAbsolutePercentageError docstrings
def test_losses_docstring__regression_losses():
    y_true = np.array([1.0, 0.0, 1.0])
    y_pred = np.array([0.9, 0.1, 0.8])
    loss = keras.losses.MeanSquaredError()
    assert float(loss(y_true, y_pred)) == pytest.approx(0.02, rel=1e-5)
    y_true = np.array([1.0, 0.3, 1.0])
    y_pred = np.array([1.9, 0.3, 1.8])
    loss = keras.losses.MeanAbsoluteError()
    assert float(loss(y_true, y_pred)) == pytest.approx(0.5666667, rel=1e-6)
    y_true = np.array([100.0, 200.0, 300.0])
    y_pred = np.array([90.0, 210.0, 310.0])
    loss = keras.losses.MeanAbsolutePercentageError()
    assert float(loss(y_true, y_pred)) == pytest.approx(6.111111, rel=1e-6)


# keras/src/losses/losses.py, BinaryCrossentropy docstring (from_logits=True)
def test_losses_docstring__binary_crossentropy_from_logits():
    y_true = np.array([0, 1, 0, 0])
    y_pred = np.array([-18.6, 0.51, 2.94, -12.8])
    bce = keras.losses.BinaryCrossentropy(from_logits=True)
    assert float(bce(y_true, y_pred)) == pytest.approx(0.8654, abs=1e-4)

    y_true = np.array([[0, 1], [0, 0]])
    y_pred = np.array([[-18.6, 0.51], [2.94, -12.8]])
    bce = keras.losses.BinaryCrossentropy(from_logits=True)
    assert float(bce(y_true, y_pred)) == pytest.approx(0.8654, abs=1e-4)
    assert float(bce(y_true, y_pred, sample_weight=[0.8, 0.2])) == pytest.approx(0.243, abs=1e-3)
    bce = keras.losses.BinaryCrossentropy(from_logits=True, reduction="sum")
    assert float(bce(y_true, y_pred)) == pytest.approx(1.730, abs=1e-3)
    bce = keras.losses.BinaryCrossentropy(from_logits=True, reduction=None)
    np.testing.assert_allclose(bce(y_true, y_pred), [0.235, 1.496], atol=5e-4)


# keras/src/losses/losses.py, CategoricalCrossentropy docstring
def test_losses_docstring__categorical_crossentropy():
    y_true = np.array([[0, 1, 0], [0, 0, 1]])
    y_pred = np.array([[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
    cce = keras.losses.CategoricalCrossentropy()
    assert float(cce(y_true, y_pred)) == pytest.approx(1.177, abs=1e-3)
    assert float(cce(y_true, y_pred, sample_weight=np.array([0.3, 0.7]))) == pytest.approx(
        0.814, abs=1e-3
    )
    cce = keras.losses.CategoricalCrossentropy(reduction="sum")
    assert float(cce(y_true, y_pred)) == pytest.approx(2.354, abs=1e-3)
    cce = keras.losses.CategoricalCrossentropy(reduction=None)
    np.testing.assert_allclose(cce(y_true, y_pred), [0.0513, 2.303], atol=5e-4)


# keras/src/losses/losses.py, SparseCategoricalCrossentropy docstring
def test_losses_docstring__sparse_categorical_crossentropy():
    y_true = np.array([1, 2])
    y_pred = np.array([[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
    scce = keras.losses.SparseCategoricalCrossentropy()
    assert float(scce(y_true, y_pred)) == pytest.approx(1.177, abs=1e-3)
    assert float(scce(y_true, y_pred, sample_weight=np.array([0.3, 0.7]))) == pytest.approx(
        0.814, abs=1e-3
    )
    scce = keras.losses.SparseCategoricalCrossentropy(reduction="sum")
    assert float(scce(y_true, y_pred)) == pytest.approx(2.354, abs=1e-3)
    scce = keras.losses.SparseCategoricalCrossentropy(reduction=None)
    np.testing.assert_allclose(scce(y_true, y_pred), [0.0513, 2.303], atol=5e-4)


# ---------------------------------------------------------------------------------------------
# Keras 3 docstrings: regularizers, activations, activation layers, initializers, schedules
# ---------------------------------------------------------------------------------------------


# keras/src/regularizers/regularizers.py, Regularizer docstring (kernel and activity)
def test_regularizers_docstring__kernel_and_activity_regularization():
    layer = layers.Dense(
        5,
        input_dim=5,
        kernel_initializer="ones",
        kernel_regularizer=keras.regularizers.L1(0.01),
        activity_regularizer=keras.regularizers.L2(0.01),
    )
    tensor = ops.ones(shape=(5, 5)) * 2.0
    layer(tensor)
    assert float(ops.sum(layer.losses)) == pytest.approx(5.25)


# keras/src/regularizers/regularizers.py, Regularizer docstring, with np.ones for ops.ones
def test_regularizers_docstring__kernel_and_activity_regularization_numpy_input():
    layer = layers.Dense(
        5,
        input_dim=5,
        kernel_initializer="ones",
        kernel_regularizer=keras.regularizers.L1(0.01),
        activity_regularizer=keras.regularizers.L2(0.01),
    )
    tensor = np.ones(shape=(5, 5)) * 2.0
    layer(tensor)
    # kernel term 0.25, activity term (divided by the batch size of 5) 5.0
    assert float(np.sum([float(v) for v in layer.losses])) == pytest.approx(5.25)


# keras/src/regularizers/regularizers.py, Regularizer docstring (L2 called directly,
# function and subclass regularizers)
def test_regularizers_docstring__direct_call_function_and_subclass():
    regularizer = keras.regularizers.L2(2.0)
    tensor = np.ones(shape=(5, 5))
    assert float(regularizer(tensor)) == pytest.approx(50.0)

    def l1_reg(weight_matrix):
        return 0.01 * ops.sum(ops.abs(weight_matrix))

    layer = layers.Dense(5, input_dim=5, kernel_initializer="ones", kernel_regularizer=l1_reg)
    layer(np.ones(shape=(5, 5)))
    assert [float(v) for v in layer.losses] == pytest.approx([0.25])

    class L2Regularizer(keras.regularizers.Regularizer):
        def __init__(self, l2=0.0):
            self.l2 = l2

        def __call__(self, x):
            return self.l2 * ops.sum(ops.square(x))

        def get_config(self):
            return {"l2": float(self.l2)}

    layer = layers.Dense(
        5, input_dim=5, kernel_initializer="ones", kernel_regularizer=L2Regularizer(l2=0.5)
    )
    layer(np.ones(shape=(5, 5)))
    assert [float(v) for v in layer.losses] == pytest.approx([12.5])


# keras/src/activations/activations.py, relu docstring
def test_activations_docstring__relu():
    x = [-10, -5, 0.0, 5, 10]
    np.testing.assert_allclose(keras.activations.relu(x), [0.0, 0.0, 0.0, 5.0, 10.0])
    np.testing.assert_allclose(
        keras.activations.relu(x, negative_slope=0.5), [-5.0, -2.5, 0.0, 5.0, 10.0]
    )
    np.testing.assert_allclose(keras.activations.relu(x, max_value=5.0), [0, 0, 0, 5, 5])
    np.testing.assert_allclose(keras.activations.relu(x, threshold=5.0), [0, 0, 0, 0, 10])


# keras/src/activations/activations.py, relu docstring, with x a NumPy array
def test_activations_docstring__relu_numpy_input():
    x = np.array([-10, -5, 0.0, 5, 10])
    np.testing.assert_allclose(keras.activations.relu(x), [0.0, 0.0, 0.0, 5.0, 10.0])
    np.testing.assert_allclose(
        keras.activations.relu(x, negative_slope=0.5), [-5.0, -2.5, 0.0, 5.0, 10.0]
    )
    np.testing.assert_allclose(keras.activations.relu(x, max_value=5.0), [0, 0, 0, 5, 5])
    np.testing.assert_allclose(keras.activations.relu(x, threshold=5.0), [0, 0, 0, 0, 10])


# keras/src/layers/activations/*.py, Activation, Softmax, ReLU and LeakyReLU docstrings
def test_activation_layers_docstring__activation_softmax_relu_leaky_relu():
    layer = keras.layers.Activation("relu")
    np.testing.assert_allclose(layer(np.array([-3.0, -1.0, 0.0, 2.0])), [0.0, 0.0, 0.0, 2.0])
    layer = keras.layers.Activation(keras.activations.relu)
    np.testing.assert_allclose(layer(np.array([-3.0, -1.0, 0.0, 2.0])), [0.0, 0.0, 0.0, 2.0])
    softmax_layer = keras.layers.Softmax()
    result = softmax_layer(np.array([1.0, 2.0, 1.0]))
    np.testing.assert_allclose(result, [0.21194157, 0.5761169, 0.21194157], rtol=1e-6)
    relu_layer = keras.layers.ReLU(max_value=10, negative_slope=0.5, threshold=0)
    result = relu_layer(np.array([-10, -5, 0.0, 5, 10]))
    np.testing.assert_allclose(result, [-5.0, -2.5, 0.0, 5.0, 10.0])
    leaky_relu_layer = keras.layers.LeakyReLU(negative_slope=0.5)
    result = leaky_relu_layer(np.array([-10, -5, 0.0, 5, 10]))
    np.testing.assert_allclose(result, [-5.0, -2.5, 0.0, 5.0, 10.0])


# keras/src/initializers/*.py, standalone usage and usage in a layer
def test_initializers_docstring__standalone_usage_and_usage_in_a_layer():
    initializer = keras.initializers.Constant(10.0)
    values = initializer(shape=(2, 2))
    np.testing.assert_array_equal(values, np.full((2, 2), 10.0))
    np.testing.assert_array_equal(keras.initializers.Zeros()(shape=(2, 2)), np.zeros((2, 2)))
    np.testing.assert_array_equal(keras.initializers.Ones()(shape=(2, 2)), np.ones((2, 2)))
    values = keras.initializers.RandomNormal(mean=0.0, stddev=1.0)(shape=(2, 2))
    assert np.shape(values) == (2, 2)
    values = keras.initializers.GlorotUniform()(shape=(2, 2))
    assert np.all(np.abs(values) <= np.sqrt(6 / 4))
    layer = layers.Dense(3, kernel_initializer=keras.initializers.Constant(10.0))
    layer.build((None, 4))
    np.testing.assert_array_equal(layer.get_weights()[0], np.full((4, 3), 10.0))


# keras/src/optimizers/schedules/learning_rate_schedule.py, class docstrings
def test_schedules_docstring__exponential_piecewise_polynomial_inverse_time():
    lr_schedule = keras.optimizers.schedules.ExponentialDecay(
        0.1, decay_steps=100000, decay_rate=0.96, staircase=True
    )
    assert float(lr_schedule(100000)) == pytest.approx(0.096)
    boundaries = [100000, 110000]
    values = [1.0, 0.5, 0.1]
    schedule = keras.optimizers.schedules.PiecewiseConstantDecay(boundaries, values)
    assert [float(schedule(s)) for s in (0, 100000, 100001, 110000, 110001)] == pytest.approx(
        [1.0, 1.0, 0.5, 0.5, 0.1]
    )
    schedule = keras.optimizers.schedules.PolynomialDecay(
        0.1, 10000, end_learning_rate=0.01, power=0.5
    )
    assert float(schedule(0)) == pytest.approx(0.1)
    assert float(schedule(2500)) == pytest.approx(0.01 + 0.09 * math.sqrt(0.75))
    assert float(schedule(20000)) == pytest.approx(0.01)
    schedule = keras.optimizers.schedules.InverseTimeDecay(0.1, 1.0, 0.5)
    assert float(schedule(2)) == pytest.approx(0.1 / (1 + 0.5 * 2))
