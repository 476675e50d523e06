"""Metric objects: known values, scikit-learn's and Keras's numbers on the same predictions,
and their use in compile/fit/evaluate."""

import os

import numpy as np
import pytest
from sklearn import metrics as skm

import glassnet as gn
from glassnet import layers, metrics


def test_accuracy_family_known_values():
    m = metrics.BinaryAccuracy()
    m.update_state([[1], [0], [1], [0]], [[0.9], [0.6], [0.4], [0.1]])
    assert float(m.result()) == 0.5  # right: 0.9 and 0.1
    m.update_state([[1]], [[0.7]])
    assert float(m.result()) == pytest.approx(3 / 5)
    m.reset_state()
    assert float(m.result()) == 0.0
    assert float(metrics.BinaryAccuracy(threshold=0.3)([[1], [0]], [[0.4], [0.2]])) == 1.0
    cat = metrics.CategoricalAccuracy()
    assert float(cat([[0, 1, 0], [1, 0, 0]], [[0.1, 0.8, 0.1], [0.2, 0.7, 0.1]])) == 0.5
    sparse = metrics.SparseCategoricalAccuracy()
    assert float(sparse([1, 0, 2], [[0.1, 0.8, 0.1], [0.6, 0.3, 0.1], [0.5, 0.4, 0.1]])) == (
        pytest.approx(2 / 3)
    )
    top2 = metrics.SparseTopKCategoricalAccuracy(k=2)
    # label 2 ranks third in the first row, second in the second
    assert float(top2([2, 2], [[0.5, 0.3, 0.2], [0.5, 0.2, 0.3]])) == 0.5
    assert float(metrics.Accuracy()([1, 2, 3, 4], [1, 2, 0, 4])) == 0.75


def test_regression_metrics_and_sample_weights():
    y, p = np.array([[1.0], [2.0], [3.0]]), np.array([[1.5], [2.0], [1.0]])
    assert float(metrics.MeanSquaredError()(y, p)) == pytest.approx((0.25 + 0 + 4) / 3)
    assert float(metrics.MeanAbsoluteError()(y, p)) == pytest.approx(2.5 / 3)
    assert float(metrics.RootMeanSquaredError()(y, p)) == pytest.approx(np.sqrt(4.25 / 3))
    weighted = metrics.MeanAbsoluteError()
    weighted.update_state(y, p, sample_weight=[1, 0, 3])
    assert float(weighted.result()) == pytest.approx((0.5 + 3 * 2) / 4)
    mean = metrics.Mean()
    mean.update_state([1, 2, 3])
    mean.update_state([10], sample_weight=[2])
    assert float(mean.result()) == pytest.approx((1 + 2 + 3 + 20) / 5)
    total = metrics.Sum()
    total.update_state([1, 2, 3])
    assert float(total.result()) == 6.0


@pytest.fixture
def binary_predictions():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, (300, 1))
    p = np.clip(0.35 * y + rng.uniform(0, 0.65, (300, 1)), 0, 1)
    return y, p


def _in_batches(metric, y, p, size=64):
    for start in range(0, len(y), size):
        metric.update_state(y[start : start + size], p[start : start + size])
    return metric.result()


def test_confusion_metrics_agree_with_scikit_learn(binary_predictions):
    y, p = binary_predictions
    hard = (p > 0.5).astype(int)
    tn, fp, fn, tp = skm.confusion_matrix(y, hard).ravel()
    assert float(_in_batches(metrics.TruePositives(), y, p)) == tp
    assert float(_in_batches(metrics.FalsePositives(), y, p)) == fp
    assert float(_in_batches(metrics.TrueNegatives(), y, p)) == tn
    assert float(_in_batches(metrics.FalseNegatives(), y, p)) == fn
    assert float(_in_batches(metrics.Precision(), y, p)) == pytest.approx(
        skm.precision_score(y, hard), rel=1e-12
    )
    assert float(_in_batches(metrics.Recall(), y, p)) == pytest.approx(
        skm.recall_score(y, hard), rel=1e-12
    )
    # 200 thresholds and the trapezoidal rule, as Keras: close to the exact area
    auc = float(_in_batches(metrics.AUC(), y, p))
    assert auc == pytest.approx(skm.roc_auc_score(y, p), abs=2e-3)
    fine = float(_in_batches(metrics.AUC(num_thresholds=5000), y, p))
    assert abs(fine - skm.roc_auc_score(y, p)) < abs(auc - skm.roc_auc_score(y, p)) + 1e-9
    pr = float(_in_batches(metrics.AUC(curve="PR"), y, p))
    assert pr == pytest.approx(skm.average_precision_score(y, p), abs=0.02)


@pytest.mark.parametrize("average", [None, "micro", "macro", "weighted"])
def test_f1_score_agrees_with_scikit_learn(average):
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 3, 200)
    scores = rng.uniform(size=(200, 3)) + 0.8 * np.eye(3)[labels]
    f1 = _in_batches(metrics.F1Score(average=average), np.eye(3)[labels], scores)
    expected = skm.f1_score(labels, scores.argmax(axis=1), average=average)
    np.testing.assert_allclose(f1, expected, rtol=1e-12)


def test_r2_score_agrees_with_scikit_learn():
    rng = np.random.default_rng(2)
    y = rng.normal(size=(150, 2)) * [1, 5]
    p = y + rng.normal(scale=0.5, size=y.shape)
    for aggregation, sk in (("uniform_average", "uniform_average"), (None, "raw_values")):
        r2 = _in_batches(metrics.R2Score(class_aggregation=aggregation), y, p, size=40)
        np.testing.assert_allclose(r2, skm.r2_score(y, p, multioutput=sk), rtol=1e-12)
    weighted = _in_batches(metrics.R2Score("variance_weighted_average"), y, p)
    assert float(weighted) == pytest.approx(skm.r2_score(y, p, multioutput="variance_weighted"))


class BinaryTruePositives(metrics.Metric):
    """The custom metric of Keras's guide: state made with add_variable."""

    def __init__(self, name="binary_true_positives", **kwargs):
        super().__init__(name=name, **kwargs)
        self.true_positives = self.add_variable(shape=(), initializer="zeros", name="tp")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = np.asarray(y_true).astype(bool)
        y_pred = np.asarray(y_pred) > 0.5
        values = np.logical_and(y_true, y_pred).astype(np.float64)
        if sample_weight is not None:
            values = values * np.asarray(sample_weight).reshape(values.shape[0], -1)
        self.true_positives.assign(self.true_positives + values.sum())

    def result(self):
        return self.true_positives.value


def test_metric_objects_in_compile_fit_and_evaluate():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(120, 4))
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype(float)
    model = gn.Sequential([layers.Dense(1, activation="sigmoid", input_shape=(4,))])
    model.compile(
        "adam",
        "binary_crossentropy",
        metrics=[
            "accuracy",
            metrics.Precision(),
            metrics.Recall(),
            metrics.AUC(),
            "auc",
            BinaryTruePositives(),
        ],
    )
    history = model.fit(x, y, epochs=2, batch_size=32, verbose=0)
    assert list(history.history) == [
        "loss",
        "accuracy",
        "precision",
        "recall",
        "auc",
        "auc_1",
        "binary_true_positives",
    ]
    result = model.evaluate(x, y, batch_size=50, return_dict=True)
    hard = (model.predict(x)[:, 0] > 0.5).astype(int)
    assert result["precision"] == pytest.approx(skm.precision_score(y, hard), rel=1e-6)
    assert result["recall"] == pytest.approx(skm.recall_score(y, hard), rel=1e-6)
    assert result["accuracy"] == pytest.approx(skm.accuracy_score(y, hard), rel=1e-6)
    assert result["binary_true_positives"] == np.sum((hard == 1) & (y == 1))
    assert result["auc"] == pytest.approx(skm.roc_auc_score(y, model.predict(x)[:, 0]), abs=5e-3)


def test_unknown_metric_names_are_listed():
    model = gn.Sequential([layers.Dense(1, input_shape=(2,))])
    with pytest.raises(ValueError, match=r"unknown metric 'precison'; accepted names: .*precision"):
        model.compile("sgd", "mse", metrics=["precison"])


keras_required = pytest.mark.skipif(
    os.environ.get("KERAS_BACKEND") != "torch", reason="the Keras reference runs on torch"
)


@keras_required
def test_metric_objects_agree_with_keras(binary_predictions):
    keras = pytest.importorskip("keras")
    y, p = binary_predictions
    pairs = [
        (metrics.Precision(), keras.metrics.Precision()),
        (metrics.Recall(), keras.metrics.Recall()),
        (metrics.AUC(), keras.metrics.AUC()),
        (metrics.AUC(curve="PR"), keras.metrics.AUC(curve="PR")),
        (metrics.BinaryAccuracy(), keras.metrics.BinaryAccuracy()),
        (metrics.RootMeanSquaredError(), keras.metrics.RootMeanSquaredError()),
    ]
    for ours, theirs in pairs:
        for start in range(0, len(y), 64):
            ours.update_state(y[start : start + 64], p[start : start + 64])
            theirs.update_state(y[start : start + 64].astype("float32"), p[start : start + 64])
        assert float(ours.result()) == pytest.approx(float(theirs.result()), abs=1e-6), ours.name


def test_metric_objects_are_saved_with_their_settings(tmp_path):
    model = gn.Sequential([layers.Dense(1, activation="sigmoid", input_shape=(3,))])
    model.compile(
        "sgd",
        "binary_crossentropy",
        metrics=[metrics.AUC(num_thresholds=50, curve="PR", name="pr"), metrics.Precision(0.7)],
    )
    x = np.random.default_rng(0).normal(size=(20, 3))
    y = (x[:, 0] > 0).astype(float)
    model.fit(x, y, epochs=1, verbose=0)
    model.save(tmp_path / "m.npz")
    loaded = gn.models.load_model(tmp_path / "m.npz")
    result = loaded.evaluate(x, y, return_dict=True)
    assert result == model.evaluate(x, y, return_dict=True)
    assert list(result) == ["loss", "pr", "precision"]
    auc, precision = loaded._metric_fns[0]
    assert isinstance(auc, metrics.AUC) and auc.curve == "PR" and auc.num_thresholds == 50
    assert float(precision.thresholds[0]) == 0.7
    assert metrics.deserialize(metrics.serialize(metrics.F1Score("macro"))).average == "macro"
