"""Bad input at the public boundary: every error names the problem and what was expected.

Also: extreme but finite inputs never leak a NumPy RuntimeWarning, and a diverging run stops
with a DivergenceWarning, returns normally and keeps finite weights.
"""

import math
import warnings

import numpy as np
import pytest

import glassnet
from glassnet import activations, callbacks, initializers, layers, losses, models, optimizers
from glassnet.models import DivergenceWarning


def classifier(loss="categorical_crossentropy", units=3, activation="softmax", inputs=4):
    """Dense(5, relu) → Dense(units, activation), compiled with SGD."""
    glassnet.set_seed(0)
    model = models.Sequential(
        [
            layers.Dense(5, activation="relu", input_shape=(inputs,)),
            layers.Dense(units, activation=activation),
        ]
    )
    model.compile(optimizer="sgd", loss=loss)
    return model


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(12, 4)).astype("float32")
    labels = np.arange(12) % 3
    onehot = np.eye(3, dtype="float32")[labels]
    return x, labels, onehot


# -- shapes and sample counts -----------------------------------------------------------------


def test_wrong_feature_count_names_layer_expected_and_received():
    glassnet.set_seed(0)
    model = models.Sequential(
        [
            layers.Dense(512, activation="relu", input_shape=(784,)),
            layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy")
    x = np.zeros((5, 28), dtype="float32")
    y = np.eye(10, dtype="float32")[[0, 1, 2, 3, 4]]
    msg = r"Dense 'dense' expects 784 input features, got 28"
    with pytest.raises(ValueError, match=msg):
        model.fit(x, y, verbose=0)
    with pytest.raises(ValueError, match=msg):
        model.evaluate(x, y)
    with pytest.raises(ValueError, match=msg):
        model.predict(x)


def test_x_and_y_sample_count_mismatch(data):
    x, _, onehot = data
    model = classifier()
    with pytest.raises(ValueError, match=r"same number of samples, got 12 and 7"):
        model.fit(x, onehot[:7], verbose=0)
    with pytest.raises(ValueError, match=r"same number of samples, got 12 and 7"):
        model.evaluate(x, onehot[:7])


def test_x_with_one_dimension_suggests_reshape():
    model = classifier()
    with pytest.raises(ValueError, match=r"\(samples, features\), got shape \(4,\).*reshape"):
        model.predict(np.zeros(4))


def test_dense_after_multidimensional_input_asks_for_flatten():
    with pytest.raises(ValueError, match=r"Dense 'dense' expects inputs of shape.*Flatten"):
        models.Sequential([layers.Dense(2, input_shape=(4, 4))])


def test_lazy_dense_on_multidimensional_x_asks_for_flatten():
    model = models.Sequential([layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match=r"got \(batch, 4, 4\); add a Flatten layer"):
        model.fit(np.zeros((5, 4, 4)), np.zeros((5, 2)), verbose=0)


def test_flatten_makes_multidimensional_input_work():
    # The counterpart of the two errors above: with Flatten the same input is accepted.
    model = models.Sequential([layers.Flatten(input_shape=(4, 4)), layers.Dense(2)])
    assert model.predict(np.ones((3, 4, 4))).shape == (3, 2)


# -- non-finite and non-numeric values ---------------------------------------------------------


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_x_rejected_by_fit_evaluate_predict(data, bad):
    x, _, onehot = data
    x = x.copy()
    x[2, 1] = bad
    word = "NaN" if np.isnan(bad) else "infinity"
    model = classifier()
    msg = rf"x contains {word} \(first at index \(2, 1\)\); expected finite numbers"
    with pytest.raises(ValueError, match=msg):
        model.fit(x, onehot, verbose=0)
    with pytest.raises(ValueError, match=msg):
        model.evaluate(x, onehot)
    with pytest.raises(ValueError, match=msg):
        model.predict(x)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_y_rejected_by_fit_and_evaluate(data, bad):
    x, _, onehot = data
    y = onehot.copy()
    y[1, 1] = bad
    word = "NaN" if np.isnan(bad) else "infinity"
    model = classifier()
    with pytest.raises(ValueError, match=rf"y contains {word}.*expected finite numbers"):
        model.fit(x, y, verbose=0)
    with pytest.raises(ValueError, match=rf"y contains {word}.*expected finite numbers"):
        model.evaluate(x, y)


def test_non_finite_regression_target_rejected(data):
    x, _, _ = data
    model = classifier(loss="mse", units=1, activation=None)
    y = np.zeros(12)
    y[5] = np.nan
    with pytest.raises(ValueError, match=r"y contains NaN \(first at index \(5,"):
        model.fit(x, y, verbose=0)


def test_text_x_is_a_type_error_naming_the_dtype(data):
    _, _, onehot = data
    model = classifier()
    x = np.full((12, 4), "a")
    with pytest.raises(TypeError, match=r"x must hold numbers \(int or float\), got dtype <U1"):
        model.fit(x, onehot, verbose=0)
    with pytest.raises(TypeError, match=r"x must hold numbers"):
        model.predict(x)


def test_object_x_is_a_type_error(data):
    _, _, onehot = data
    model = classifier()
    x = np.array([[1, "a", 2.0, 3]] * 12, dtype=object)
    with pytest.raises(TypeError, match=r"x must hold numbers .*got dtype object"):
        model.fit(x, onehot, verbose=0)


def test_text_y_is_a_type_error(data):
    x, labels, _ = data
    model = classifier(loss="sparse_categorical_crossentropy")
    with pytest.raises(TypeError, match=r"y must hold integer class labels, got dtype <U"):
        model.fit(x, labels.astype(str), verbose=0)


def test_ragged_list_is_rejected():
    model = classifier()
    ragged = [[1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0]]
    with pytest.raises(ValueError, match=r"x must be a rectangular array of numbers"):
        model.predict(ragged)
    with pytest.raises(ValueError, match=r"x must be a rectangular array of numbers"):
        model.fit(ragged, np.eye(3)[[0, 1]], verbose=0)


def test_empty_arrays_are_rejected():
    model = classifier()
    with pytest.raises(ValueError, match=r"x is empty \(shape \(0, 4\)\); expected at least one"):
        model.fit(np.zeros((0, 4)), np.zeros((0, 3)), verbose=0)
    with pytest.raises(ValueError, match=r"x is empty"):
        model.predict(np.zeros((0, 4)))
    with pytest.raises(ValueError, match=r"x is empty"):
        model.evaluate(np.zeros((0, 4)), np.zeros((0, 3)))


def test_none_inputs_are_rejected(data):
    x, _, _ = data
    model = classifier()
    with pytest.raises(ValueError, match=r"y is required"):
        model.fit(x, None, verbose=0)
    with pytest.raises(TypeError, match=r"x must be an array of numbers, got None"):
        model.predict(None)


# -- labels and targets ------------------------------------------------------------------------


def test_sparse_label_out_of_range_names_label_and_range(data):
    x, labels, _ = data
    model = classifier(loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=r"label 3.*3 units.*\[0, 2\]"):
        model.fit(x, labels + 1, verbose=0)
    with pytest.raises(ValueError, match=r"label 3.*\[0, 2\]"):
        model.evaluate(x, labels + 1)


def test_sparse_negative_label(data):
    x, labels, _ = data
    model = classifier(loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=r"y must hold labels >= 0, got -1"):
        model.fit(x, labels - 1, verbose=0)


@pytest.mark.parametrize("shift", [0.5, np.nan])
def test_sparse_non_integer_labels(data, shift):
    x, labels, _ = data
    model = classifier(loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=r"y must hold whole-number class labels"):
        model.fit(x, labels + shift, verbose=0)


def test_sparse_loss_given_one_hot_y(data):
    x, _, onehot = data
    model = classifier(loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=r"1-D array of integer labels, got shape \(12, 3\)"):
        model.fit(x, onehot, verbose=0)


def test_one_hot_width_must_match_output_layer(data):
    x, labels, _ = data
    model = classifier()
    y4 = np.eye(4)[labels]
    with pytest.raises(ValueError, match=r"y has shape \(12, 4\).*'dense_1'.*expected y of shape"):
        model.fit(x, y4, verbose=0)


def test_integer_labels_with_categorical_crossentropy_suggest_the_fix(data):
    x, labels, _ = data
    model = classifier()
    with pytest.raises(
        ValueError, match=r"one-hot.*to_categorical.*sparse_categorical_crossentropy"
    ):
        model.fit(x, labels, verbose=0)


@pytest.mark.parametrize(
    ("targets", "low", "high"), [(np.arange(12) % 3, "0", "2"), (-(np.arange(12) % 2), "-1", "0")]
)
def test_binary_crossentropy_targets_outside_unit_interval(data, targets, low, high):
    x, _, _ = data
    model = classifier(loss="binary_crossentropy", units=1, activation="sigmoid")
    with pytest.raises(
        ValueError, match=rf"expects y in \[0, 1\], got values from {low} to {high}"
    ):
        model.fit(x, targets, verbose=0)


# -- unknown names -----------------------------------------------------------------------------


def test_unknown_activation_lists_accepted_names():
    with pytest.raises(ValueError, match=r"unknown activation 'relux'; accepted names: .*relu"):
        layers.Dense(3, activation="relux")
    with pytest.raises(ValueError, match=r"sigmoid.*softmax.*tanh"):
        activations.get("swishy")


def test_unknown_loss_lists_accepted_names():
    model = classifier()
    with pytest.raises(ValueError, match=r"unknown loss 'crossentropy'.*binary_crossentropy"):
        model.compile(optimizer="sgd", loss="crossentropy")
    with pytest.raises(ValueError, match=r"mean_squared_error"):
        losses.get("l2")


def test_unknown_optimizer_lists_accepted_names():
    model = classifier()
    with pytest.raises(
        ValueError, match=r"unknown optimizer 'lion'; accepted names: .*adamw.*rmsp"
    ):
        model.compile(optimizer="lion", loss="mse")
    with pytest.raises(ValueError, match=r"sgd"):
        optimizers.get("lbfgs")


def test_unknown_initializer_lists_accepted_names():
    with pytest.raises(ValueError, match=r"unknown initializer 'glorot'.*glorot_uniform.*zeros"):
        layers.Dense(3, kernel_initializer="glorot")
    with pytest.raises(ValueError, match=r"he_normal"):
        initializers.get("kaiming")


def test_unknown_metric_lists_accepted_names():
    model = classifier()
    with pytest.raises(ValueError, match=r"unknown metric 'precission'.*accuracy.*mae.*precision"):
        model.compile(optimizer="sgd", loss="categorical_crossentropy", metrics=["precission"])


def test_metrics_must_be_a_list():
    model = classifier()
    with pytest.raises(TypeError, match=r"metrics must be a list such as \['accuracy'\]"):
        model.compile(optimizer="sgd", loss="categorical_crossentropy", metrics="accuracy")


def test_failed_compile_leaves_the_previous_compile_usable(data):
    # A compile that fails on a bad metric must not leave the model half-compiled (new loss,
    # stale fused-gradient setting): the model still trains with its previous settings.
    x, _, onehot = data
    model = classifier()
    with pytest.raises(ValueError, match=r"unknown metric"):
        model.compile(optimizer="adam", loss="mse", metrics=["precission"])
    assert isinstance(model.loss, losses.CategoricalCrossentropy)
    assert isinstance(model.optimizer, optimizers.SGD)
    history = model.fit(x, onehot, epochs=1, verbose=0)
    assert math.isfinite(history.history["loss"][0])


# -- fit arguments -----------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["fit", "evaluate", "predict"])
@pytest.mark.parametrize(
    ("batch_size", "error", "msg"),
    [
        (0, ValueError, r"batch_size must be > 0, got 0"),
        (-4, ValueError, r"batch_size must be > 0, got -4"),
        (2.5, TypeError, r"batch_size must be an integer, got float: 2.5"),
        ("8", TypeError, r"batch_size must be an integer, got str"),
    ],
)
def test_bad_batch_size(data, method, batch_size, error, msg):
    x, _, onehot = data
    model = classifier()
    with pytest.raises(error, match=msg):
        if method == "fit":
            model.fit(x, onehot, batch_size=batch_size, verbose=0)
        elif method == "evaluate":
            model.evaluate(x, onehot, batch_size=batch_size)
        else:
            model.predict(x, batch_size=batch_size)


def test_negative_epochs(data):
    x, _, onehot = data
    model = classifier()
    with pytest.raises(ValueError, match=r"epochs must be >= 0, got -1"):
        model.fit(x, onehot, epochs=-1, verbose=0)
    with pytest.raises(TypeError, match=r"epochs must be an integer, got float"):
        model.fit(x, onehot, epochs=2.0, verbose=0)


def test_zero_epochs_trains_nothing(data):
    x, _, onehot = data
    model = classifier()
    before = model.get_weights()
    history = model.fit(x, onehot, epochs=0, verbose=0)
    assert history.history == {}
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights(), strict=True))


@pytest.mark.parametrize("verbose", [3, -1, "loud", 1.0, None])
def test_bad_verbose(data, verbose):
    x, _, onehot = data
    model = classifier()
    with pytest.raises(ValueError, match=r"verbose must be 0 \(silent\), 1 .*2 .*'auto', got"):
        model.fit(x, onehot, verbose=verbose)
    with pytest.raises(ValueError, match=r"verbose must be"):
        model.evaluate(x, onehot, verbose=verbose)


@pytest.mark.parametrize("split", [1.0, -0.1, 1.5, float("nan")])
def test_validation_split_outside_unit_interval(data, split):
    x, _, onehot = data
    model = classifier()
    with pytest.raises(ValueError, match=r"validation_split must be a finite number in \[0, 1\)"):
        model.fit(x, onehot, validation_split=split, verbose=0)


def test_validation_split_not_a_number(data):
    x, _, onehot = data
    model = classifier()
    with pytest.raises(TypeError, match=r"validation_split must be a number, got str"):
        model.fit(x, onehot, validation_split="0.1", verbose=0)


def test_validation_split_leaving_an_empty_side(data):
    x, _, onehot = data
    model = classifier()
    # 12 samples, 95% held out: floor(12 · 0.05) = 0 for training, as Keras splits.
    with pytest.raises(ValueError, match=r"leaves 0 for training and 12 for validation"):
        model.fit(x, onehot, validation_split=0.95, verbose=0)
    # A single sample cannot be split at all.
    with pytest.raises(ValueError, match=r"of 1 samples leaves 0 for training and 1"):
        model.fit(x[:1], onehot[:1], validation_split=0.5, verbose=0)


@pytest.mark.parametrize("bad", ["array", "quadruple", "list1"])
def test_validation_data_must_be_a_pair(data, bad):
    x, _, onehot = data
    model = classifier()
    value = {"array": x, "quadruple": (x, onehot, onehot, onehot), "list1": [x]}[bad]
    with pytest.raises(ValueError, match=r"validation_data must be a tuple \(x_val, y_val\)"):
        model.fit(x, onehot, validation_data=value, verbose=0)


def test_validation_data_checked_like_training_data(data):
    x, _, onehot = data
    model = classifier()
    with pytest.raises(ValueError, match=r"expects 4 input features, got 2 \(validation x"):
        model.fit(x, onehot, validation_data=(x[:, :2], onehot), verbose=0)
    with pytest.raises(ValueError, match=r"same number of samples, got 12 and 5"):
        model.fit(x, onehot, validation_data=(x, onehot[:5]), verbose=0)
    x_nan = x.copy()
    x_nan[0, 0] = np.nan
    with pytest.raises(ValueError, match=r"validation x contains NaN"):
        model.fit(x, onehot, validation_data=(x_nan, onehot), verbose=0)


def test_callbacks_must_be_callback_objects(data):
    x, _, onehot = data
    model = classifier()
    with pytest.raises(TypeError, match=r"callbacks must be a list of .*Callback"):
        model.fit(x, onehot, callbacks=[print], verbose=0)


# -- compile and weights -----------------------------------------------------------------------


def test_fit_and_evaluate_before_compile_name_compile(data):
    x, _, onehot = data
    model = models.Sequential([layers.Dense(3, input_shape=(4,))])
    with pytest.raises(RuntimeError, match=r"must be compiled before fit\(\).*model\.compile"):
        model.fit(x, onehot, verbose=0)
    with pytest.raises(RuntimeError, match=r"must be compiled before evaluate\(\).*compile"):
        model.evaluate(x, onehot)


def test_training_without_any_loss_is_an_error_before_any_update():
    """compile(loss=None) is allowed (the layers may add losses, as in Keras); training a
    model that has no loss at all is refused, saying where a loss comes from."""
    model = models.Sequential([layers.Dense(3, input_shape=(4,))])
    model.compile(optimizer="sgd")
    before = model.get_weights()
    with pytest.raises(ValueError, match=r"no loss to compute: compile\(loss=\.\.\.\) or"):
        model.fit(np.ones((4, 4)), np.ones((4, 3)), verbose=0)
    for a, b in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_model_set_weights_wrong_count_lists_expected_shapes():
    model = classifier()
    weights = model.get_weights()
    with pytest.raises(ValueError, match=r"expects 4 weight arrays with shapes \[\(4, 5\), \(5,\)"):
        model.set_weights(weights[:3])
    with pytest.raises(ValueError, match=r"expects 4 weight arrays.*got 5"):
        model.set_weights([*weights, weights[0]])
    with pytest.raises(ValueError, match=r"expects 4 weight arrays.*got ndarray"):
        model.set_weights(np.zeros(4))


def test_model_set_weights_wrong_shape_is_rejected_and_changes_nothing():
    model = classifier()
    before = model.get_weights()
    bad = [w.copy() for w in before]
    bad[2] = np.ones((3, 5))  # the second kernel must be (5, 3)
    with pytest.raises(ValueError, match=r"layer 'dense_1' weight 0 must have shape \(5, 3\), got"):
        model.set_weights(bad)
    after = model.get_weights()
    assert all(np.array_equal(a, b) for a, b in zip(before, after, strict=True))


def test_layer_set_weights_wrong_count_shape_and_values():
    layer = classifier().layers[0]
    with pytest.raises(ValueError, match=r"'dense' expects 2 weight arrays .*got 1"):
        layer.set_weights([np.zeros((4, 5))])
    with pytest.raises(ValueError, match=r"weight 0 must have shape \(4, 5\), got \(5, 4\)"):
        layer.set_weights([np.zeros((5, 4)), np.zeros(5)])
    with pytest.raises(ValueError, match=r"weight 1 must have shape \(5,\), got \(1, 5\)"):
        layer.set_weights([np.zeros((4, 5)), np.zeros((1, 5))])
    with pytest.raises(ValueError, match=r"weight 0 must hold finite numbers.*NaN"):
        layer.set_weights([np.full((4, 5), np.nan), np.zeros(5)])


def test_set_weights_on_unbuilt_layer():
    with pytest.raises(ValueError, match=r"layer 'dense' has no weights yet"):
        layers.Dense(3).set_weights([np.zeros((2, 3)), np.zeros(3)])


# -- constructors ------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", [optimizers.SGD, optimizers.RMSprop, optimizers.Adam])
@pytest.mark.parametrize("lr", [0, 0.0, -0.1, float("nan"), float("inf")])
def test_learning_rate_must_be_positive_and_finite(cls, lr):
    name = cls.__name__
    with pytest.raises(ValueError, match=rf"{name} learning_rate must be a finite number in \(0,"):
        cls(learning_rate=lr)


@pytest.mark.parametrize("cls", [optimizers.SGD, optimizers.RMSprop, optimizers.Adam])
def test_learning_rate_must_be_a_number(cls):
    with pytest.raises(TypeError, match=rf"{cls.__name__} learning_rate must be a number, got str"):
        cls(learning_rate="0.1")


@pytest.mark.parametrize(
    ("make", "label", "value"),
    [
        (lambda v: optimizers.SGD(momentum=v), "SGD momentum", 1.0),
        (lambda v: optimizers.SGD(momentum=v), "SGD momentum", -0.1),
        (lambda v: optimizers.RMSprop(rho=v), "RMSprop rho", 1.0),
        (lambda v: optimizers.RMSprop(rho=v), "RMSprop rho", -0.5),
        (lambda v: optimizers.Adam(beta_1=v), "Adam beta_1", 1.0),
        (lambda v: optimizers.Adam(beta_1=v), "Adam beta_1", -0.1),
        (lambda v: optimizers.Adam(beta_2=v), "Adam beta_2", 1.5),
        (lambda v: optimizers.Adam(beta_2=v), "Adam beta_2", float("nan")),
    ],
)
def test_optimizer_coefficients_outside_range(make, label, value):
    with pytest.raises(ValueError, match=rf"{label} must be a finite number in \[0, 1\), got"):
        make(value)


@pytest.mark.parametrize("rate", [1.0, 1.5, -0.1, float("nan")])
def test_dropout_rate_outside_range(rate):
    with pytest.raises(ValueError, match=r"Dropout rate must be a finite number in \[0, 1\)"):
        layers.Dropout(rate)


@pytest.mark.parametrize(("units", "error"), [(0, ValueError), (-3, ValueError), (2.5, TypeError)])
def test_dense_units_must_be_a_positive_integer(units, error):
    with pytest.raises(error, match=r"Dense units must be (> 0|an integer), got"):
        layers.Dense(units)


def test_sequential_add_rejects_non_layers():
    with pytest.raises(TypeError, match=r"Sequential.add expects a glassnet layer.*got str"):
        models.Sequential().add("dense")
    with pytest.raises(TypeError, match=r"expects a glassnet layer.*got function"):
        models.Sequential([lambda x: x])


def test_duplicate_layer_names_are_rejected():
    first = layers.Dense(2, name="hidden", input_shape=(3,))
    with pytest.raises(ValueError, match=r"a layer named 'hidden' is already in model.*unique"):
        models.Sequential([first, layers.Dense(2, name="hidden")])


def test_the_same_layer_object_twice_is_rejected():
    layer = layers.Dense(2, input_shape=(2,))
    model = models.Sequential([layer])
    with pytest.raises(ValueError, match=r"'dense' is already in model"):
        model.add(layer)


# -- numerics: no RuntimeWarning for extreme but finite values ----------------------------------
# pytest turns RuntimeWarning into an error (pyproject filterwarnings), so any overflow, division
# by zero or invalid operation inside NumPy fails these tests.


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_activations_of_huge_inputs_are_exact_and_silent(dtype):
    z = np.array([[-1e4, 1e4, 0.0], [1e4, -1e4, 0.0]], dtype=dtype)
    np.testing.assert_array_equal(activations.get("sigmoid")(z), [[0, 1, 0.5], [1, 0, 0.5]])
    np.testing.assert_array_equal(activations.get("tanh")(z), [[-1, 1, 0], [1, -1, 0]])
    np.testing.assert_array_equal(activations.get("softmax")(z), [[0, 1, 0], [1, 0, 0]])
    for name in ("sigmoid", "tanh", "softmax"):
        act = activations.get(name)
        a = act(z)
        assert a.dtype == np.dtype(dtype)
        grad = act.backward(np.ones_like(z), z, a)
        assert np.isfinite(grad).all()


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_confident_wrong_binary_prediction_reports_true_loss(dtype):
    glassnet.set_floatx(dtype)
    model = models.Sequential([layers.Dense(1, activation="sigmoid", input_shape=(1,))])
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    model.set_weights([np.array([[1e4]]), np.array([0.0])])
    x = np.array([[1.0], [-1.0]])
    y = np.array([0.0, 1.0])  # z = ±1e4, each on the wrong side: loss = |z| = 1e4 per sample
    assert model.evaluate(x, y) == pytest.approx(1e4, rel=1e-6)
    history = model.fit(x, y, epochs=1, batch_size=2, verbose=0)
    assert history.history["loss"][0] == pytest.approx(1e4, rel=1e-6)
    assert all(np.isfinite(w).all() for w in model.get_weights())


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("separate_activation", [False, True])
def test_confident_wrong_softmax_prediction_reports_true_loss(dtype, separate_activation):
    glassnet.set_floatx(dtype)
    if separate_activation:
        stack = [layers.Dense(2, input_shape=(1,)), layers.Activation("softmax")]
    else:
        stack = [layers.Dense(2, activation="softmax", input_shape=(1,))]
    model = models.Sequential(stack)
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    model.set_weights([np.array([[1e4, -1e4]]), np.zeros(2)])
    x = np.array([[1.0], [-1.0]])
    y = np.array([[0.0, 1.0], [1.0, 0.0]])
    # logits (1e4, −1e4) with the true class the low one: logsumexp − z_true = 1e4 + 1e4 = 2e4.
    assert model.evaluate(x, y) == pytest.approx(2e4, rel=1e-6)
    model.fit(x, y, epochs=1, batch_size=2, verbose=0)
    assert all(np.isfinite(w).all() for w in model.get_weights())


def test_confident_wrong_sparse_prediction_reports_true_loss():
    model = models.Sequential([layers.Dense(2, activation="softmax", input_shape=(1,))])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    model.set_weights([np.array([[1e4, -1e4]]), np.zeros(2)])
    x = np.array([[1.0], [-1.0]])
    assert model.evaluate(x, np.array([1, 0])) == pytest.approx(2e4, rel=1e-6)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
def test_saturated_hidden_units_train_silently(activation):
    model = models.Sequential(
        [layers.Dense(2, activation=activation, input_shape=(1,)), layers.Dense(1)]
    )
    model.compile(optimizer="sgd", loss="mse")
    model.set_weights([np.array([[1e4, -1e4]]), np.zeros(2), np.ones((2, 1)), np.zeros(1)])
    x = np.array([[1.0], [-1.0], [0.5]])
    y = np.array([[1.0], [0.0], [2.0]])
    history = model.fit(x, y, epochs=2, batch_size=3, verbose=0)
    assert all(math.isfinite(v) for v in history.history["loss"])
    assert all(np.isfinite(w).all() for w in model.get_weights())


def test_cross_entropy_of_zero_probability_is_finite_and_large():
    # Called directly on probabilities (no logits): log(0) must not happen.
    y = np.array([[0.0], [1.0]])
    p = np.array([[1.0], [0.0]])
    value = losses.get("binary_crossentropy")(y, p)
    assert math.isfinite(value)
    assert value > 700  # -log(smallest normal float64) ≈ 708.4; a 1e-7 clip would give ≈ 16
    onehot = np.array([[1.0, 0.0], [0.0, 1.0]])
    value = losses.get("categorical_crossentropy")(onehot, np.array([[0.0, 1.0], [1.0, 0.0]]))
    assert math.isfinite(value)
    assert value > 700


# -- divergence --------------------------------------------------------------------------------


class _BatchRecorder(callbacks.Callback):
    """Records (epoch, batch) and a copy of the weights after every completed batch."""

    def __init__(self):
        super().__init__()
        self.epoch = -1
        self.batches = []
        self.weights = []

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_batch_end(self, batch, logs=None):
        self.batches.append((self.epoch, batch))
        self.weights.append(self.model.get_weights())


def test_divergence_stops_with_warning_and_keeps_finite_weights():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)) * 1e3  # unscaled inputs
    y = x @ np.array([[1.0], [2.0], [3.0]]) + 5.0
    glassnet.set_seed(0)
    model = models.Sequential([layers.Dense(1, input_shape=(3,))])
    model.compile(optimizer=optimizers.SGD(learning_rate=10.0), loss="mse")
    recorder = _BatchRecorder()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(x, y, epochs=5, batch_size=16, verbose=0, callbacks=[recorder])

    leaked = [w for w in caught if issubclass(w.category, RuntimeWarning)]
    assert not leaked, f"NumPy RuntimeWarning escaped: {[str(w.message) for w in leaked]}"
    diverged = [w for w in caught if issubclass(w.category, DivergenceWarning)]
    assert len(diverged) == 1
    message = str(diverged[0].message)
    # The batch named is the one after the last completed batch.
    last_epoch, last_batch = recorder.batches[-1] if recorder.batches else (0, -1)
    assert f"epoch {last_epoch + 1}, batch {last_batch + 2}" in message
    assert "loss became" in message

    assert isinstance(history, callbacks.History)
    assert history.stop_reason is not None
    assert f"epoch {last_epoch + 1}" in history.stop_reason
    assert model.stop_training is True
    # No epoch ran to completion past the divergence: at most the epochs before it are logged.
    assert len(history.history.get("loss", [])) == last_epoch
    weights = model.get_weights()
    assert all(np.isfinite(w).all() for w in weights)
    # The update of the bad batch was skipped: the weights are those after the last good batch.
    assert recorder.weights
    for got, expected in zip(weights, recorder.weights[-1], strict=True):
        np.testing.assert_array_equal(got, expected)


def test_huge_but_finite_float64_inputs_are_accepted():
    from glassnet.utils import as_float_array

    x = np.full((4, 3), 1e308)  # every value finite, their sum is not
    np.testing.assert_array_equal(as_float_array(x, "x", "float64"), x)
    x[2, 1] = np.nan
    with pytest.raises(ValueError, match=r"x contains NaN \(first at index \(2, 1\)\)"):
        as_float_array(x, "x", "float64")


# -- sample and class weights -------------------------------------------------------------------


def test_bad_sample_and_class_weights_are_refused_before_training(data):
    x, _, onehot = data
    model = classifier()
    before = model.get_weights()
    n = len(x)
    with pytest.raises(ValueError, match=rf"one weight per sample \({n}\), got 3 values"):
        model.fit(x, onehot, sample_weight=[1, 2, 3], verbose=0)
    with pytest.raises(ValueError, match="sample_weight contains NaN"):
        model.fit(x, onehot, sample_weight=np.full(n, np.nan), verbose=0)
    with pytest.raises(ValueError, match="must be >= 0"):
        model.fit(x, onehot, sample_weight=-np.ones(n), verbose=0)
    with pytest.raises(
        ValueError, match=r"class_weight has class 7, but the output has classes 0 to"
    ):
        model.fit(x, onehot, class_weight={7: 1.0}, verbose=0)
    with pytest.raises(ValueError, match=r"class_weight for class 0 must be a number >= 0"):
        model.fit(x, onehot, class_weight={0: -1.0}, verbose=0)
    with pytest.raises(ValueError, match="not both"):
        model.fit(x, onehot, class_weight={0: 1.0}, sample_weight=np.ones(n), verbose=0)
    for w, w0 in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(w, w0)


def test_a_zero_weight_sample_does_not_move_the_weights(data):
    x, _, onehot = data
    model = classifier()
    before = model.get_weights()
    model.fit(x, onehot, sample_weight=np.zeros(len(x)), epochs=1, batch_size=len(x), verbose=0)
    for w, w0 in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(w, w0)
