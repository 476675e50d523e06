"""Tests for glassnet.sklearn: scikit-learn's estimator checks, the tools that use estimators
(Pipeline, cross_val_score, GridSearchCV), accuracy thresholds found over seeds 0-9, and errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits, load_iris
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

import glassnet as gn
from glassnet import config, optimizers
from glassnet.sklearn import GlassnetClassifier, GlassnetRegressor


@pytest.fixture(scope="module")
def iris():
    return load_iris(return_X_y=True)


@pytest.fixture(scope="module")
def linear_problem():
    """y = X·w + 1 + noise with σ = 0.1: the best possible R² on it is about 0.9993."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 4))
    y = x @ np.array([1.5, -2.0, 0.5, 3.0]) + 1.0 + 0.1 * rng.normal(size=300)
    return x, y


# -- scikit-learn's own checks: every check is a test -------------------------------------------
# The defaults, plus small fast networks that also cover early stopping, SGD and batch "auto".
@parametrize_with_checks(
    [
        GlassnetClassifier(),
        GlassnetRegressor(),
        GlassnetClassifier((16,), epochs=20, learning_rate=0.01),
        GlassnetRegressor((16,), epochs=20, learning_rate=0.01),
        GlassnetClassifier((16,), epochs=30, learning_rate=0.01, early_stopping=True, patience=3),
        GlassnetRegressor(
            (16, 8),
            "tanh",
            optimizer="sgd",
            learning_rate=0.05,
            batch_size=16,
            epochs=30,
            early_stopping=True,
        ),
        GlassnetClassifier(
            (8,), "tanh", optimizer="rmsprop", learning_rate=0.01, batch_size="auto", epochs=50
        ),
    ]
)
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


# -- the tools that use estimators ------------------------------------------------------------
def test_pipeline_with_scaler_reaches_90_percent_on_held_out_iris(iris):
    x, y = iris
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=0.3, stratify=y, random_state=0
    )
    pipe = make_pipeline(
        StandardScaler(), GlassnetClassifier((16,), epochs=100, learning_rate=0.01, random_state=0)
    )
    # over random_state 0-9: lowest 0.956, mean 0.987
    assert pipe.fit(x_train, y_train).score(x_test, y_test) >= 0.9


def test_cross_val_score(iris):
    x, y = iris
    pipe = make_pipeline(
        StandardScaler(), GlassnetClassifier((16,), epochs=100, learning_rate=0.01, random_state=0)
    )
    scores = cross_val_score(pipe, x, y, cv=5)
    assert scores.shape == (5,)
    assert scores.mean() >= 0.9  # over random_state 0-4: lowest mean 0.953


def test_grid_search_picks_the_learning_rate_that_learns(iris):
    x, y = iris
    pipe = Pipeline(
        [("scale", StandardScaler()), ("net", GlassnetClassifier((16,), epochs=30, random_state=0))]
    )
    grid = {"net__activation": ["relu", "tanh"], "net__learning_rate": [0.03, 0.0003]}
    search = GridSearchCV(pipe, grid, cv=3).fit(x, y)
    assert len(search.cv_results_["params"]) == 4
    assert search.best_params_["net__activation"] in ("relu", "tanh")
    # 30 epochs at 0.0003 leave the network far from fitted (mean accuracy 0.13-0.77 over
    # seeds 0-4), at 0.03 it scores 0.94-0.98
    assert search.best_params_["net__learning_rate"] == 0.03
    assert search.best_score_ >= 0.9
    net = search.best_estimator_.named_steps["net"]
    assert net.model_.optimizer.learning_rate == 0.03


def test_digits_accuracy():
    x, y = load_digits(return_X_y=True)
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=0.25, stratify=y, random_state=0
    )
    pipe = make_pipeline(StandardScaler(), GlassnetClassifier((64,), epochs=20, random_state=0))
    # over random_state 0-9: lowest 0.964, mean 0.974
    assert pipe.fit(x_train, y_train).score(x_test, y_test) >= 0.95


def test_regressor_r2_on_a_linear_problem(linear_problem):
    x, y = linear_problem
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.3, random_state=0)
    reg = GlassnetRegressor((16,), learning_rate=0.01, epochs=100, random_state=0)
    # over random_state 0-9: lowest 0.998; the noise allows at most about 0.9993
    assert reg.fit(x_train, y_train).score(x_test, y_test) >= 0.99


# -- outputs --------------------------------------------------------------------------------
def test_predict_proba_rows_are_distributions_and_agree_with_predict(iris):
    x, y = iris
    clf = GlassnetClassifier((16,), epochs=20, random_state=0).fit(x, y)
    proba = clf.predict_proba(x)
    assert proba.shape == (150, 3)
    assert proba.dtype == np.float64
    assert np.all((proba >= 0) & (proba <= 1))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-6)
    np.testing.assert_array_equal(clf.predict(x), clf.classes_[proba.argmax(axis=1)])


def test_two_classes_get_two_softmax_columns(iris):
    x, y = iris
    binary = y[y < 2]
    clf = GlassnetClassifier((8,), epochs=10, random_state=0).fit(x[y < 2], binary)
    assert clf.predict_proba(x[:5]).shape == (5, 2)
    assert clf.model_.layers[-1].activation.name == "softmax"
    assert clf.model_.loss.name == "sparse_categorical_crossentropy"


def test_string_labels_round_trip(iris):
    x, y = iris
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    kwargs = {"hidden_layer_sizes": (16,), "epochs": 30, "random_state": 0}
    by_name = GlassnetClassifier(**kwargs).fit(x, names)
    by_code = GlassnetClassifier(**kwargs).fit(x, y)
    np.testing.assert_array_equal(by_name.classes_, ["setosa", "versicolor", "virginica"])
    predicted = by_name.predict(x)
    assert predicted.dtype.kind == "U"
    # the codes 0, 1, 2 sort as the names do: the same network, the same predictions
    np.testing.assert_array_equal(predicted, by_name.classes_[by_code.predict(x)])
    assert by_name.score(x, names) > 0.8


def test_labels_need_not_start_at_zero(iris):
    x, y = iris
    labels = np.array([-5, 7, 40])[y]
    clf = GlassnetClassifier((16,), epochs=30, random_state=0).fit(x, labels)
    np.testing.assert_array_equal(clf.classes_, [-5, 7, 40])
    assert set(np.unique(clf.predict(x))) <= {-5, 7, 40}


@pytest.mark.parametrize("n_columns", [None, 1, 2])
def test_regressor_predicts_the_shape_of_y(linear_problem, n_columns):
    x, y = linear_problem
    targets = y if n_columns is None else np.column_stack([y, -y])[:, :n_columns]
    reg = GlassnetRegressor((8,), epochs=5, random_state=0).fit(x, targets)
    assert reg.predict(x).shape == targets.shape
    assert reg.n_outputs_ == (n_columns or 1)
    assert reg.model_.layers[-1].activation.name == "linear"


def test_regressor_refuses_y_without_targets(linear_problem):
    x, _ = linear_problem
    with pytest.raises(ValueError, match=r"0 feature\(s\) \(shape=\(300, 0\)\)"):
        GlassnetRegressor((4,), epochs=1).fit(x, np.empty((300, 0)))


def test_loss_curve_decreases_and_records_every_epoch(iris):
    x, y = iris
    clf = GlassnetClassifier((16,), epochs=60, learning_rate=0.01, random_state=0).fit(x, y)
    curve = clf.loss_curve_
    assert clf.n_iter_ == len(curve) == 60
    assert curve[-1] < 0.5 * curve[0]
    assert np.mean(curve[-10:]) < np.mean(curve[:10])
    assert clf.best_loss_ == min(curve)
    assert clf.validation_scores_ is None and clf.best_validation_score_ is None


def test_early_stopping_stops_patience_epochs_after_the_best(linear_problem):
    x, _ = linear_problem
    noise = np.random.default_rng(1).normal(size=len(x))  # nothing to learn: val loss stalls
    reg = GlassnetRegressor(
        (32,), learning_rate=0.01, epochs=500, early_stopping=True, patience=5, random_state=0
    ).fit(x, noise)
    assert reg.n_iter_ < 500
    assert len(reg.loss_curve_) == len(reg.validation_loss_curve_) == reg.n_iter_
    assert len(reg.validation_scores_) == reg.n_iter_
    # Keras's rule: the best epoch, then `patience` epochs without a lower validation loss
    assert int(np.argmin(reg.validation_loss_curve_)) == reg.n_iter_ - 1 - 5
    assert reg.best_validation_score_ == max(reg.validation_scores_)
    assert reg.best_loss_ is None


def test_early_stopping_holds_out_the_validation_fraction(iris):
    x, y = iris
    clf = GlassnetClassifier((8,), epochs=3, early_stopping=True, validation_fraction=0.2)
    clf.set_params(random_state=0).fit(x, y)
    assert clf.model_.history.params["samples"] == 120  # 150 − 30 held out
    assert all(0.0 <= s <= 1.0 for s in clf.validation_scores_)  # accuracies


# -- randomness -------------------------------------------------------------------------------
def test_random_state_makes_fits_repeatable(iris):
    x, y = iris
    first = GlassnetClassifier((16,), epochs=10, random_state=3).fit(x, y)
    second = GlassnetClassifier((16,), epochs=10, random_state=3).fit(x, y)
    other = GlassnetClassifier((16,), epochs=10, random_state=4).fit(x, y)
    np.testing.assert_array_equal(first.predict_proba(x), second.predict_proba(x))
    assert first.loss_curve_ == second.loss_curve_
    assert not np.allclose(first.predict_proba(x), other.predict_proba(x))


def test_an_int_random_state_leaves_glassnets_generator_alone(iris):
    x, y = iris
    before = config.rng().bit_generator.state
    GlassnetClassifier((4,), epochs=2, random_state=0).fit(x, y)
    assert config.rng().bit_generator.state == before
    GlassnetClassifier((4,), epochs=2, random_state=None).fit(x, y)
    assert config.rng().bit_generator.state != before  # None draws from it


def test_random_state_none_follows_gn_set_seed(iris):
    x, y = iris
    gn.set_seed(7)
    first = GlassnetClassifier((8,), epochs=5).fit(x, y).predict_proba(x)
    gn.set_seed(7)
    second = GlassnetClassifier((8,), epochs=5).fit(x, y).predict_proba(x)
    np.testing.assert_array_equal(first, second)


def test_a_numpy_random_state_is_accepted(iris):
    x, y = iris
    clf = GlassnetClassifier((8,), epochs=5, random_state=np.random.RandomState(0))
    assert clf.fit(x, y).n_iter_ == 5
    clf = GlassnetClassifier((8,), epochs=5, random_state=np.random.default_rng(0))
    assert clf.fit(x, y).n_iter_ == 5


# -- hyper-parameters reach the network -------------------------------------------------------
def test_hyperparameters_build_the_network_they_name(iris):
    x, y = iris
    clf = GlassnetClassifier(
        (12, 6), "tanh", optimizer="sgd", learning_rate=0.05, batch_size=50, epochs=2
    ).fit(x, y)
    dense = clf.model_.layers
    assert [layer.units for layer in dense] == [12, 6, 3]
    assert [layer.activation.name for layer in dense] == ["tanh", "tanh", "softmax"]
    assert isinstance(clf.model_.optimizer, optimizers.SGD)
    assert clf.model_.optimizer.learning_rate == 0.05
    assert clf.model_.history.params["batch_size"] == 50
    assert clf.model_.optimizer.iterations == 2 * 3  # 150 samples in batches of 50, 2 epochs


def test_an_int_hidden_layer_size_and_no_hidden_layer(iris):
    x, y = iris
    one = GlassnetClassifier(5, epochs=1).fit(x, y)
    assert [layer.units for layer in one.model_.layers] == [5, 3]
    none = GlassnetClassifier((), epochs=1).fit(x, y)  # multinomial logistic regression
    assert [layer.units for layer in none.model_.layers] == [3]


def test_batch_size_auto_is_min_200_n(iris):
    x, y = iris
    clf = GlassnetClassifier((4,), batch_size="auto", epochs=1).fit(x, y)
    assert clf.model_.history.params["batch_size"] == 150


def test_scikit_learn_activation_name_logistic_is_sigmoid(iris):
    x, y = iris
    clf = GlassnetClassifier((4,), "logistic", epochs=1).fit(x, y)
    assert clf.model_.layers[0].activation.name == "sigmoid"


def test_an_optimizer_object_is_copied_with_the_learning_rate():
    x, y = load_iris(return_X_y=True)
    sgd = optimizers.SGD(learning_rate=0.5, momentum=0.9)
    clf = GlassnetClassifier((4,), optimizer=sgd, learning_rate=0.02, epochs=2).fit(x, y)
    used = clf.model_.optimizer
    assert used is not sgd and isinstance(used, optimizers.SGD)
    assert (used.learning_rate, used.momentum) == (0.02, 0.9)
    assert (sgd.learning_rate, sgd.iterations) == (0.5, 0)  # the hyper-parameter is untouched
    assert clone(clf).get_params()["optimizer"].momentum == 0.9


def test_verbose_is_fits_verbose(iris, capsys):
    x, y = iris
    GlassnetClassifier((4,), epochs=3, verbose=2).fit(x, y)
    out = capsys.readouterr().out
    assert "Epoch 1/3" in out and "Epoch 3/3" in out
    GlassnetClassifier((4,), epochs=3, verbose=0).fit(x, y)
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    ("x_dtype", "network_dtype"),
    [(np.float32, "float32"), (np.float64, "float64"), (np.int64, "float64")],
)
def test_the_network_computes_in_the_float_type_of_x(iris, x_dtype, network_dtype):
    x, y = iris
    clf = GlassnetClassifier((4,), epochs=1).fit((10 * x).astype(x_dtype), y)
    assert clf.model_.dtype == network_dtype
    assert clf.predict_proba(x).dtype == network_dtype
    assert gn.floatx() == "float32"  # glassnet's setting is back as it was


# -- data frames and fitted state -------------------------------------------------------------
def test_feature_names_from_a_data_frame(iris):
    x, y = iris
    columns = ["sepal length", "sepal width", "petal length", "petal width"]
    frame = pd.DataFrame(x, columns=columns)
    clf = GlassnetClassifier((4,), epochs=2, random_state=0).fit(frame, pd.Series(y))
    np.testing.assert_array_equal(clf.feature_names_in_, columns)
    assert clf.n_features_in_ == 4
    with pytest.raises(ValueError, match="feature names should match"):
        clf.predict(frame.rename(columns={"petal width": "petal height"}))


def test_predict_before_fit_is_not_fitted_error(iris):
    x, _ = iris
    with pytest.raises(NotFittedError):
        GlassnetClassifier().predict(x)
    with pytest.raises(NotFittedError):
        GlassnetRegressor().predict(x)


def test_wrong_number_of_features_names_both(iris):
    x, y = iris
    clf = GlassnetClassifier((4,), epochs=1).fit(x, y)
    with pytest.raises(ValueError, match="X has 3 features, but GlassnetClassifier is expecting 4"):
        clf.predict(x[:, :3])


# -- bad hyper-parameters: stored by __init__, refused by fit ---------------------------------
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"hidden_layer_sizes": (10, 0)}, r"hidden_layer_sizes must be a tuple of positive"),
        ({"hidden_layer_sizes": -3}, r"hidden_layer_sizes must be .* got -3"),
        ({"hidden_layer_sizes": "100"}, r"hidden_layer_sizes must be .* got '100'"),
        ({"hidden_layer_sizes": (10.5,)}, r"hidden_layer_sizes"),
        ({"activation": "sigmoidal"}, r"unknown activation 'sigmoidal'; accepted names: .*relu"),
        ({"activation": 3}, r"activation"),
        ({"optimizer": "lbfgs"}, r"unknown optimizer 'lbfgs'; accepted names: .*adam"),
        ({"learning_rate": 0}, r"learning_rate must be a finite number > 0, got 0"),
        ({"learning_rate": float("nan")}, r"learning_rate must be a finite number > 0"),
        ({"learning_rate": "0.1"}, r"learning_rate"),
        ({"batch_size": 0}, r"batch_size must be a positive integer or \"auto\", got 0"),
        ({"batch_size": "max"}, r"batch_size"),
        ({"epochs": 0}, r"epochs must be a positive integer, got 0"),
        ({"epochs": 2.0}, r"epochs must be a positive integer, got 2.0"),
        ({"early_stopping": "yes"}, r"early_stopping must be True or False"),
        ({"validation_fraction": 1.0}, r"validation_fraction must be a number in the open"),
        ({"validation_fraction": 0}, r"validation_fraction"),
        ({"patience": 0}, r"patience must be a positive integer"),
        ({"random_state": -1}, r"random_state must be None, a non-negative integer"),
        ({"random_state": "seed"}, r"random_state"),
        ({"verbose": 3}, r"verbose must be 0 \(silent\), 1 .* got 3"),
    ],
)
@pytest.mark.parametrize("estimator_class", [GlassnetClassifier, GlassnetRegressor])
def test_bad_hyperparameters_raise_value_error_at_fit(iris, estimator_class, params, message):
    x, y = iris
    estimator = estimator_class(**{"hidden_layer_sizes": (4,), "epochs": 1, **params})
    assert estimator.get_params()[next(iter(params))] is next(iter(params.values()))
    with pytest.raises(ValueError, match=message) as error:
        estimator.fit(x, y)
    assert str(error.value).startswith(estimator_class.__name__)
    assert not hasattr(estimator, "model_")
