"""Metrics, as Keras 3 has them: objects that accumulate over batches.

A metric keeps state (``update_state(y_true, y_pred, sample_weight=None)``), reports it
(``result()``) and starts again (``reset_state()``). ``fit`` and ``evaluate`` update each
metric batch by batch and log its ``result()``, so a mean metric is the sample-weighted mean
over the epoch, and Precision, Recall or AUC are computed from the epoch's counts (not averaged
over batches). A metric of your own subclasses ``Metric`` and creates its state with
``add_variable``.

Names work as in ``compile(metrics=[...])``: ``"accuracy"`` (or ``"acc"``) resolves from the
loss, as Keras does: binary accuracy after binary cross-entropy, sparse categorical accuracy
after the sparse loss, categorical accuracy after categorical cross-entropy; for any other loss,
from the output width (1 → binary). The plain functions (``binary_accuracy`` …
``mean_absolute_error``) return a batch's mean.

>>> m = BinaryAccuracy()
>>> m.update_state([[1], [0]], [[0.9], [0.8]])
>>> float(m.result())
0.5
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np

from glassnet import initializers, losses
from glassnet.tape import Variable

MetricFunction = Callable[[np.ndarray, np.ndarray], float]


# -- per-sample functions, as Keras's (one value per sample) ------------------------------------
def binary_accuracy(y_true: Any, y_pred: Any, threshold: float = 0.5) -> np.ndarray:
    """Per sample, the fraction of outputs on the right side of the threshold: 1[ŷ > t] = y."""
    y_true, y_pred = _as_arrays(y_true, y_pred)
    return ((y_pred > threshold) == (y_true > 0.5)).mean(axis=-1)


def categorical_accuracy(y_true: Any, y_pred: Any) -> np.ndarray:
    """Per sample, 1 if the highest output is the one-hot class: argmax ŷ = argmax y."""
    y_true, y_pred = _as_arrays(y_true, y_pred)
    return (y_pred.argmax(axis=-1) == y_true.argmax(axis=-1)).astype(np.float64)


def sparse_categorical_accuracy(y_true: Any, y_pred: Any) -> np.ndarray:
    """Per sample, 1 if the highest output is the integer label: argmax ŷ = y."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    return (y_pred.argmax(axis=-1) == y_true.reshape(len(y_pred))).astype(np.float64)


def mean_squared_error(y_true: Any, y_pred: Any) -> np.ndarray:
    """Per sample, mean over the outputs of (ŷ − y)²."""
    y_true, y_pred = _as_arrays(y_true, y_pred)
    return np.square(y_pred - y_true).mean(axis=-1)


def mean_absolute_error(y_true: Any, y_pred: Any) -> np.ndarray:
    """Per sample, mean over the outputs of |ŷ − y|."""
    y_true, y_pred = _as_arrays(y_true, y_pred)
    return np.abs(y_pred - y_true).mean(axis=-1)


# -- the same as batch means, what fit logs (computed without per-sample arrays) ----------------
def _batch_binary_accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return np.count_nonzero((y_pred > 0.5) == (y_true > 0.5)) / y_pred.size


def _batch_categorical_accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return np.count_nonzero(y_pred.argmax(axis=-1) == y_true.argmax(axis=-1)) / len(y_pred)


def _batch_sparse_categorical_accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return np.count_nonzero(y_pred.argmax(axis=-1) == y_true.reshape(-1)) / len(y_pred)


def _batch_mean_squared_error(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    diff = (y_pred - y_true).ravel()
    return float(np.dot(diff, diff)) / diff.size


def _batch_mean_absolute_error(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return float(np.abs(y_pred - y_true).sum()) / y_pred.size


for _fast, _public in (
    (_batch_binary_accuracy, binary_accuracy),
    (_batch_categorical_accuracy, categorical_accuracy),
    (_batch_sparse_categorical_accuracy, sparse_categorical_accuracy),
    (_batch_mean_squared_error, mean_squared_error),
    (_batch_mean_absolute_error, mean_absolute_error),
):
    _fast.__name__ = _public.__name__  # logged under the public name
    _fast.__doc__ = f"The batch mean of ``{_public.__name__}``."


# -- per-sample values, for the object metrics ----------------------------------------------------
def _per_sample(values: np.ndarray) -> np.ndarray:
    """One value per sample: the mean over every axis but the first."""
    values = np.asarray(values, dtype=np.float64)
    if values.ndim <= 1:
        return values.reshape(-1)
    return values.reshape(len(values), -1).mean(axis=1)


def _as_arrays(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred, dtype=np.float64)
    if y_pred.ndim == 2 and y_true.ndim == 1 and y_pred.shape[1] == 1:
        y_true = y_true.reshape(-1, 1)
    return y_true, y_pred


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class Metric:
    """Base class: state in variables made by ``add_variable``; ``update_state``, ``result``,
    ``reset_state``. Calling a metric updates it and returns its result."""

    def __init__(self, name: str | None = None, dtype: Any = None) -> None:
        self.name = name or _snake(type(self).__name__)
        self.dtype = dtype
        self._variables: list[tuple[Variable, Any]] = []

    def add_variable(
        self, shape: Any = (), initializer: Any = "zeros", dtype: Any = None, name: str = ""
    ) -> Variable:
        """A state variable (float64 unless told), set back to ``initializer`` by reset."""
        shape = tuple(shape) if isinstance(shape, (tuple, list)) else (int(shape),)
        init = initializers.get(initializer)
        variable = Variable(init(shape, str(np.dtype(dtype or "float64"))), name, trainable=False)
        self._variables.append((variable, init))
        return variable

    @property
    def variables(self) -> list[Variable]:
        return [v for v, _ in self._variables]

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        raise NotImplementedError

    def result(self) -> Any:
        raise NotImplementedError

    def reset_state(self) -> None:
        for variable, init in self._variables:
            variable.value = init(variable.value.shape, str(variable.value.dtype))

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Any:
        self.update_state(y_true, y_pred, sample_weight=sample_weight)
        return self.result()

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}>"


def _weights(sample_weight: Any, n: int) -> np.ndarray:
    if sample_weight is None:
        return np.ones(n)
    w = np.asarray(sample_weight, dtype=np.float64).reshape(-1)
    if w.size != n:
        raise ValueError(f"sample_weight has {w.size} values for {n} samples")
    return w


class Mean(Metric):
    """The (weighted) mean of the values given: Σ wᵢ·vᵢ / Σ wᵢ."""

    def __init__(self, name: str = "mean", dtype: Any = None) -> None:
        super().__init__(name, dtype)
        self.total = self.add_variable(name="total")
        self.count = self.add_variable(name="count")

    def update_state(self, values: Any, sample_weight: Any = None) -> None:  # type: ignore[override]
        v = _per_sample(np.atleast_1d(values))
        w = _weights(sample_weight, len(v))
        self.total.value = self.total.value + np.dot(w, v)
        self.count.value = self.count.value + w.sum()

    def result(self) -> np.ndarray:
        return (
            np.float64(self.total.value / self.count.value) if self.count.value else np.float64(0)
        )


class Sum(Metric):
    """The (weighted) sum of the values given."""

    def __init__(self, name: str = "sum", dtype: Any = None) -> None:
        super().__init__(name, dtype)
        self.total = self.add_variable(name="total")

    def update_state(self, values: Any, sample_weight: Any = None) -> None:  # type: ignore[override]
        v = np.asarray(values, dtype=np.float64)
        w = 1.0 if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        self.total.value = self.total.value + np.sum(v * w)

    def result(self) -> np.ndarray:
        return np.float64(self.total.value)


class MeanMetricWrapper(Mean):
    """The mean over samples of ``fn(y_true, y_pred)`` (one value per sample)."""

    def __init__(
        self, fn: Callable[..., Any], name: str | None = None, dtype: Any = None, **kwargs: Any
    ):
        super().__init__(name or str(getattr(fn, "__name__", "metric")), dtype)
        self.fn, self.fn_kwargs = fn, kwargs

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:  # type: ignore[override]
        y_true, y_pred = _as_arrays(y_true, y_pred)
        super().update_state(self.fn(y_true, y_pred, **self.fn_kwargs), sample_weight)


def _binary_matches(y_true: np.ndarray, y_pred: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    return ((y_pred > threshold) == (y_true > 0.5)).astype(np.float64)  # 1[ŷ > t] = y


def _categorical_matches(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    return (y_pred.argmax(axis=-1) == y_true.argmax(axis=-1)).astype(np.float64)


def _sparse_matches(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    return (y_pred.argmax(axis=-1) == y_true.reshape(len(y_pred))).astype(np.float64)


def _exact_matches(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    return (y_true == y_pred).astype(np.float64)


def _top_k(y_true: np.ndarray, y_pred: np.ndarray, k: int = 5, sparse: bool = False) -> np.ndarray:
    labels = y_true.reshape(len(y_pred)).astype(int) if sparse else y_true.argmax(axis=-1)
    # the true class is in the top k when fewer than k classes score strictly higher
    true_scores = y_pred[np.arange(len(y_pred)), labels][:, None]
    return ((y_pred > true_scores).sum(axis=-1) < k).astype(np.float64)


class Accuracy(MeanMetricWrapper):
    """How often predictions equal labels exactly."""

    def __init__(self, name: str = "accuracy", dtype: Any = None) -> None:
        super().__init__(_exact_matches, name, dtype)


class BinaryAccuracy(MeanMetricWrapper):
    """How often 1[ŷ > threshold] equals the binary label."""

    def __init__(self, name: str = "binary_accuracy", dtype: Any = None, threshold: float = 0.5):
        super().__init__(_binary_matches, name, dtype, threshold=threshold)
        self.threshold = threshold

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "threshold": self.threshold}


class CategoricalAccuracy(MeanMetricWrapper):
    """How often argmax ŷ is the one-hot label's class."""

    def __init__(self, name: str = "categorical_accuracy", dtype: Any = None) -> None:
        super().__init__(_categorical_matches, name, dtype)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often argmax ŷ is the integer label."""

    def __init__(self, name: str = "sparse_categorical_accuracy", dtype: Any = None) -> None:
        super().__init__(_sparse_matches, name, dtype)


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot label's class is among the k highest outputs."""

    def __init__(self, k: int = 5, name: str = "top_k_categorical_accuracy", dtype: Any = None):
        super().__init__(_top_k, name, dtype, k=k)
        self.k = k

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "k": self.k}


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer label is among the k highest outputs."""

    def __init__(
        self, k: int = 5, name: str = "sparse_top_k_categorical_accuracy", dtype: Any = None
    ) -> None:
        super().__init__(_top_k, name, dtype, k=k, sparse=True)
        self.k = k

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "k": self.k}


class MeanSquaredError(MeanMetricWrapper):
    """mean((ŷ − y)²)."""

    def __init__(self, name: str = "mean_squared_error", dtype: Any = None) -> None:
        super().__init__(lambda t, p: _per_sample((p - t) ** 2), name, dtype)


class MeanAbsoluteError(MeanMetricWrapper):
    """mean(|ŷ − y|)."""

    def __init__(self, name: str = "mean_absolute_error", dtype: Any = None) -> None:
        super().__init__(lambda t, p: _per_sample(np.abs(p - t)), name, dtype)


class RootMeanSquaredError(MeanSquaredError):
    """√mean((ŷ − y)²), the root of the epoch's mean."""

    def __init__(self, name: str = "root_mean_squared_error", dtype: Any = None) -> None:
        super().__init__(name, dtype)

    def result(self) -> np.ndarray:
        return np.sqrt(super().result())


class R2Score(Metric):
    """Coefficient of determination: R² = 1 − Σ(y − ŷ)² / Σ(y − ȳ)², per output, then averaged
    (``class_aggregation="uniform_average"``, as Keras and scikit-learn)."""

    def __init__(
        self,
        class_aggregation: str | None = "uniform_average",
        name: str = "r2_score",
        dtype: Any = None,
    ) -> None:
        super().__init__(name, dtype)
        if class_aggregation not in (None, "uniform_average", "variance_weighted_average"):
            raise ValueError(
                "class_aggregation must be None, 'uniform_average' or 'variance_weighted_average', "
                f"got {class_aggregation!r}"
            )
        self.class_aggregation = class_aggregation
        self.sums: list[np.ndarray] | None = None

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "class_aggregation": self.class_aggregation}

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        t, p = _as_arrays(y_true, y_pred)
        t = t.reshape(len(t), -1).astype(np.float64)
        p = p.reshape(len(p), -1)
        w = _weights(sample_weight, len(t))[:, None]
        parts = [
            w.sum(axis=0) * np.ones(t.shape[1]),
            (w * t).sum(0),
            (w * t * t).sum(0),
            (w * (t - p) ** 2).sum(0),
        ]
        self.sums = (
            parts if self.sums is None else [a + b for a, b in zip(self.sums, parts, strict=True)]
        )

    def result(self) -> Any:
        if self.sums is None:
            return np.float64(0)
        n, s, ss, residual = self.sums
        total = ss - s * s / n  # Σ(y − ȳ)²
        scores = 1 - residual / total
        if self.class_aggregation is None:
            return scores
        if self.class_aggregation == "variance_weighted_average":
            return np.float64(np.sum(scores * total) / np.sum(total))
        return np.float64(scores.mean())

    def reset_state(self) -> None:
        self.sums = None


class _ConfusionCounts(Metric):
    """Counts over the outputs thresholded at ``thresholds`` (ŷ > t is a positive)."""

    def __init__(
        self,
        thresholds: float | list[float] | None = None,
        name: str | None = None,
        dtype: Any = None,
    ):
        super().__init__(name, dtype)
        single = thresholds is None or np.ndim(thresholds) == 0
        self.thresholds = np.atleast_1d(0.5 if thresholds is None else thresholds).astype(float)
        self.single = single
        self._given_thresholds = thresholds
        self.tp = self.add_variable((len(self.thresholds),), name="true_positives")
        self.fp = self.add_variable((len(self.thresholds),), name="false_positives")
        self.tn = self.add_variable((len(self.thresholds),), name="true_negatives")
        self.fn = self.add_variable((len(self.thresholds),), name="false_negatives")

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        t, p = _as_arrays(y_true, y_pred)
        t = (t.reshape(len(t), -1) > 0.5).ravel()
        p = p.reshape(len(p), -1)
        w = np.repeat(_weights(sample_weight, len(p)), p.shape[1])
        p = p.ravel()
        predicted = p[None, :] > self.thresholds[:, None]  # (thresholds, values)
        self.tp.value = self.tp.value + (predicted & t) @ w
        self.fp.value = self.fp.value + (predicted & ~t) @ w
        self.tn.value = self.tn.value + (~predicted & ~t) @ w
        self.fn.value = self.fn.value + (~predicted & t) @ w

    def _out(self, values: np.ndarray) -> Any:
        return np.float64(values[0]) if self.single else values

    def get_config(self) -> dict[str, Any]:
        given = self._given_thresholds
        thresholds = given if given is None or np.ndim(given) == 0 else np.ravel(given).tolist()
        return {**super().get_config(), "thresholds": thresholds}


class TruePositives(_ConfusionCounts):
    """How many positives were predicted positive (ŷ > threshold)."""

    def result(self) -> Any:
        return self._out(self.tp.value)


class FalsePositives(_ConfusionCounts):
    """How many negatives were predicted positive."""

    def result(self) -> Any:
        return self._out(self.fp.value)


class TrueNegatives(_ConfusionCounts):
    """How many negatives were predicted negative."""

    def result(self) -> Any:
        return self._out(self.tn.value)


class FalseNegatives(_ConfusionCounts):
    """How many positives were predicted negative."""

    def result(self) -> Any:
        return self._out(self.fn.value)


def _divide(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.divide(a, b, out=np.zeros_like(a, dtype=np.float64), where=b != 0)


class Precision(_ConfusionCounts):
    """TP / (TP + FP): of the predicted positives, the fraction that are positive."""

    def result(self) -> Any:
        return self._out(_divide(self.tp.value, self.tp.value + self.fp.value))


class Recall(_ConfusionCounts):
    """TP / (TP + FN): of the positives, the fraction predicted positive."""

    def result(self) -> Any:
        return self._out(_divide(self.tp.value, self.tp.value + self.fn.value))


class AUC(_ConfusionCounts):
    """Area under the ROC curve (or the precision-recall curve, ``curve="PR"``), from the counts
    at ``num_thresholds`` evenly spaced thresholds, as Keras's ``AUC`` computes it (so it
    approaches the exact area as the thresholds get finer).

    ROC: the trapezoidal rule, Σ (FPRᵢ − FPRᵢ₊₁)·(TPRᵢ + TPRᵢ₊₁)/2. PR: Davis and Goadrich's
    interpolation, with TP and P = TP + FP linear between thresholds: each interval adds
    slope·(ΔTP + intercept·log(Pᵢ/Pᵢ₊₁)) / (TP + FN), with slope = ΔTP/ΔP and
    intercept = TPᵢ₊₁ − slope·Pᵢ₊₁.
    """

    def __init__(
        self, num_thresholds: int = 200, curve: str = "ROC", name: str = "auc", dtype: Any = None
    ):
        if curve not in ("ROC", "PR"):
            raise ValueError(f"AUC curve must be 'ROC' or 'PR', got {curve!r}")
        if not isinstance(num_thresholds, int) or num_thresholds < 2:
            raise ValueError(f"AUC num_thresholds must be an integer > 1, got {num_thresholds!r}")
        eps = 1e-7
        inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        super().__init__([-eps, *inner, 1 + eps], name, dtype)
        self.curve, self.num_thresholds = curve, num_thresholds

    def get_config(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "dtype": self.dtype,
            "num_thresholds": self.num_thresholds,
            "curve": self.curve,
        }

    def result(self) -> Any:
        tp, fp, tn, fn = self.tp.value, self.fp.value, self.tn.value, self.fn.value
        if self.curve == "PR":
            return self._interpolated_pr(tp, fp, fn)
        x, y = _divide(fp, fp + tn), _divide(tp, tp + fn)  # FPR, TPR
        # thresholds rise, so x falls: the area is Σ (x_i − x_{i+1})·(y_i + y_{i+1})/2
        return np.float64(np.sum((x[:-1] - x[1:]) * (y[:-1] + y[1:]) / 2))

    @staticmethod
    def _interpolated_pr(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray) -> np.float64:
        dtp = tp[:-1] - tp[1:]
        p = tp + fp
        slope = _divide(dtp, np.maximum(p[:-1] - p[1:], 0))  # ΔTP / ΔP
        intercept = tp[1:] - slope * p[1:]
        both = (p[:-1] > 0) & (p[1:] > 0)
        ratio = np.where(both, _divide(p[:-1], np.maximum(p[1:], 0)), 1.0)
        with np.errstate(divide="ignore"):
            log_ratio = np.log(np.where(ratio > 0, ratio, 1.0))
        increment = _divide(slope * (dtp + intercept * log_ratio), np.maximum(tp[1:] + fn[1:], 0))
        return np.float64(increment.sum())


class F1Score(Metric):
    """F1 = 2·precision·recall / (precision + recall), per class, from the epoch's counts.

    ``threshold=None`` takes each sample's highest output as its prediction; ``average`` is
    None (one score per class), ``"micro"``, ``"macro"`` or ``"weighted"``, as Keras's.
    """

    def __init__(
        self,
        average: str | None = None,
        threshold: float | None = None,
        name: str = "f1_score",
        dtype: Any = None,
    ) -> None:
        super().__init__(name, dtype)
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError(
                f"F1Score average must be None, 'micro', 'macro' or 'weighted', got {average!r}"
            )
        self.average, self.threshold = average, threshold
        self.counts: np.ndarray | None = None  # rows: tp, fp, fn, support per class

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "average": self.average, "threshold": self.threshold}

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        t, p = _as_arrays(y_true, y_pred)
        t = t.reshape(len(t), -1) > 0.5
        p = p.reshape(len(p), -1)
        if self.threshold is None:
            predicted = p >= p.max(axis=-1, keepdims=True)
        else:
            predicted = p > self.threshold
        w = _weights(sample_weight, len(p))
        counts = np.stack(
            [(predicted & t).T @ w, (predicted & ~t).T @ w, (~predicted & t).T @ w, t.T @ w]
        )
        self.counts = counts if self.counts is None else self.counts + counts

    def result(self) -> Any:
        if self.counts is None:
            return np.float64(0)
        tp, fp, fn, support = self.counts
        if self.average == "micro":
            tp, fp, fn = tp.sum(), fp.sum(), fn.sum()
        precision, recall = (
            _divide(np.atleast_1d(tp), np.atleast_1d(tp + fp)),
            _divide(np.atleast_1d(tp), np.atleast_1d(tp + fn)),
        )
        f1 = _divide(2 * precision * recall, precision + recall)
        if self.average is None:
            return f1
        if self.average == "weighted":
            return np.float64(np.sum(f1 * support) / support.sum())
        return np.float64(f1.mean())

    def reset_state(self) -> None:
        self.counts = None


# -- names ----------------------------------------------------------------------------------------
class _LossMetric(MeanMetricWrapper):
    """The mean over samples of a loss's per-sample values (the loss as a metric, as Keras)."""

    loss_function: Callable[..., Any] = staticmethod(lambda y_true, y_pred: y_pred)
    default_name = "loss"

    def __init__(self, name: str | None = None, dtype: Any = None, **options: Any) -> None:
        super().__init__(type(self).loss_function, name or self.default_name, dtype, **options)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.fn_kwargs}


def _loss_metric(class_name: str, function_name: str, name: str, doc: str) -> type[_LossMetric]:
    function = getattr(losses, function_name)
    return type(
        class_name,
        (_LossMetric,),
        {
            "__doc__": doc,
            "loss_function": staticmethod(function),
            "default_name": name,
            "__module__": __name__,
        },
    )


MeanAbsolutePercentageError = _loss_metric(
    "MeanAbsolutePercentageError",
    "mean_absolute_percentage_error",
    "mean_absolute_percentage_error",
    "mean(100·|y − ŷ| / max(|y|, ε)).",
)
MeanSquaredLogarithmicError = _loss_metric(
    "MeanSquaredLogarithmicError",
    "mean_squared_logarithmic_error",
    "mean_squared_logarithmic_error",
    "mean((log(1 + ŷ) − log(1 + y))²).",
)
LogCoshError = _loss_metric("LogCoshError", "log_cosh", "logcosh", "mean(log cosh(ŷ − y)).")
Hinge = _loss_metric("Hinge", "hinge", "hinge", "mean(max(1 − y·ŷ, 0)), labels ±1.")
SquaredHinge = _loss_metric(
    "SquaredHinge", "squared_hinge", "squared_hinge", "mean(max(1 − y·ŷ, 0)²), labels ±1."
)
CategoricalHinge = _loss_metric(
    "CategoricalHinge",
    "categorical_hinge",
    "categorical_hinge",
    "mean(max(max_{j≠c} ŷⱼ − ŷ_c + 1, 0)), one-hot labels.",
)
KLDivergence = _loss_metric(
    "KLDivergence", "kl_divergence", "kl_divergence", "mean(Σ y·log(y / ŷ)), clipped to [ε, 1]."
)
Poisson = _loss_metric("Poisson", "poisson", "poisson", "mean(ŷ − y·log(ŷ + ε)).")
BinaryCrossentropy = _loss_metric(
    "BinaryCrossentropy",
    "binary_crossentropy",
    "binary_crossentropy",
    "The binary cross-entropy as a metric (``from_logits``, ``label_smoothing`` as the loss).",
)
CategoricalCrossentropy = _loss_metric(
    "CategoricalCrossentropy",
    "categorical_crossentropy",
    "categorical_crossentropy",
    "The categorical cross-entropy as a metric (``from_logits``, ``label_smoothing``).",
)
SparseCategoricalCrossentropy = _loss_metric(
    "SparseCategoricalCrossentropy",
    "sparse_categorical_crossentropy",
    "sparse_categorical_crossentropy",
    "The cross-entropy with integer labels as a metric (``from_logits``).",
)


class CosineSimilarity(MeanMetricWrapper):
    """mean(Σⱼ ŷⱼ·âⱼ) with x̂ = x / ‖x‖: 1 when prediction and target point the same way."""

    def __init__(self, name: str = "cosine_similarity", dtype: Any = None, axis: int = -1):
        super().__init__(lambda t, p: -losses.cosine_similarity(t, p, axis=axis), name, dtype)
        self.axis = axis

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}


_METRICS: dict[str, MetricFunction] = {
    "binary_accuracy": _batch_binary_accuracy,
    "categorical_accuracy": _batch_categorical_accuracy,
    "sparse_categorical_accuracy": _batch_sparse_categorical_accuracy,
    "mean_squared_error": _batch_mean_squared_error,
    "mse": _batch_mean_squared_error,
    "mean_absolute_error": _batch_mean_absolute_error,
    "mae": _batch_mean_absolute_error,
}

_CLASSES: dict[str, type[Metric]] = {
    "mean_absolute_percentage_error": MeanAbsolutePercentageError,
    "mape": MeanAbsolutePercentageError,
    "mean_squared_logarithmic_error": MeanSquaredLogarithmicError,
    "msle": MeanSquaredLogarithmicError,
    "log_cosh": LogCoshError,
    "logcosh": LogCoshError,
    "hinge": Hinge,
    "squared_hinge": SquaredHinge,
    "categorical_hinge": CategoricalHinge,
    "kl_divergence": KLDivergence,
    "kld": KLDivergence,
    "poisson": Poisson,
    "cosine_similarity": CosineSimilarity,
    "binary_crossentropy": BinaryCrossentropy,
    "bce": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "precision": Precision,
    "recall": Recall,
    "auc": AUC,
    "f1_score": F1Score,
    "r2_score": R2Score,
    "root_mean_squared_error": RootMeanSquaredError,
    "top_k_categorical_accuracy": TopKCategoricalAccuracy,
    "sparse_top_k_categorical_accuracy": SparseTopKCategoricalAccuracy,
    "true_positives": TruePositives,
    "false_positives": FalsePositives,
    "true_negatives": TrueNegatives,
    "false_negatives": FalseNegatives,
}


def as_metric_object(metric: Any, name: str) -> Metric:
    """A metric that takes sample weights: a Metric as is; a built-in function as its Metric
    class; a function of your own (one value per sample) as the weighted mean of its values."""
    if isinstance(metric, Metric):
        return metric
    classes: dict[Any, type[Any]] = {
        binary_accuracy: BinaryAccuracy,
        categorical_accuracy: CategoricalAccuracy,
        sparse_categorical_accuracy: SparseCategoricalAccuracy,
        mean_squared_error: MeanSquaredError,
        mean_absolute_error: MeanAbsoluteError,
        _batch_binary_accuracy: BinaryAccuracy,
        _batch_categorical_accuracy: CategoricalAccuracy,
        _batch_sparse_categorical_accuracy: SparseCategoricalAccuracy,
        _batch_mean_squared_error: MeanSquaredError,
        _batch_mean_absolute_error: MeanAbsoluteError,
    }
    if metric in classes:
        return classes[metric](name=name)
    return MeanMetricWrapper(metric, name=name)


METRIC_CLASSES: dict[str, type[Metric]] = {
    cls.__name__: cls
    for cls in (
        Mean,
        Sum,
        Accuracy,
        BinaryAccuracy,
        CategoricalAccuracy,
        SparseCategoricalAccuracy,
        TopKCategoricalAccuracy,
        SparseTopKCategoricalAccuracy,
        MeanSquaredError,
        MeanAbsoluteError,
        RootMeanSquaredError,
        R2Score,
        TruePositives,
        FalsePositives,
        TrueNegatives,
        FalseNegatives,
        Precision,
        Recall,
        AUC,
        F1Score,
        MeanAbsolutePercentageError,
        MeanSquaredLogarithmicError,
        LogCoshError,
        Hinge,
        SquaredHinge,
        CategoricalHinge,
        KLDivergence,
        Poisson,
        CosineSimilarity,
        BinaryCrossentropy,
        CategoricalCrossentropy,
        SparseCategoricalCrossentropy,
    )
}


def serialize(metric: Metric) -> dict[str, Any]:
    """{"class_name": …, "config": …} for a built-in metric or a registered one of your own."""
    from glassnet.serialization import serialize_object

    return serialize_object(metric, METRIC_CLASSES)


def deserialize(config: dict[str, Any]) -> Metric:
    from glassnet.serialization import deserialize_object

    metric = deserialize_object(config, METRIC_CLASSES, "metric")
    assert isinstance(metric, Metric)
    return metric


def get(identifier: Any, loss: losses.Loss | None = None, output_width: int = 1) -> Any:
    """Resolve a metric name, a Metric object or class, or a callable (used as is).

    ``"accuracy"`` depends on the loss and the output width (see the module docstring).
    """
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, dict) and "class_name" in identifier:
        return deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if callable(identifier):
        return identifier
    if not isinstance(identifier, str):
        raise TypeError(f"a metric must be a name, a Metric or a function, got {identifier!r}")
    key = identifier.lower()
    if key in ("accuracy", "acc"):
        if isinstance(loss, losses.BinaryCrossentropy):
            return _batch_binary_accuracy
        if isinstance(loss, losses.SparseCategoricalCrossentropy):
            return _batch_sparse_categorical_accuracy
        if isinstance(loss, losses.CategoricalCrossentropy) or output_width > 1:
            return _batch_categorical_accuracy
        return _batch_binary_accuracy
    if key in _CLASSES:
        return _CLASSES[key]()
    if key not in _METRICS:
        accepted = ", ".join(["accuracy", "acc", *_METRICS, *_CLASSES])
        raise ValueError(f"unknown metric {identifier!r}; accepted names: {accepted}")
    return _METRICS[key]


def name_of(identifier: Any) -> str:
    """The key a metric gets in the History: the name as given, the object's name, else the
    function's name."""
    if isinstance(identifier, str):
        return identifier
    if isinstance(identifier, Metric):
        return identifier.name
    if isinstance(identifier, dict) and "config" in identifier:
        return str(identifier["config"].get("name") or _snake(identifier["class_name"]))
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return _snake(identifier.__name__)
    return getattr(identifier, "__name__", "metric")


# the per-sample loss functions, under the names Keras's metrics module gives them
binary_crossentropy = losses.binary_crossentropy
categorical_crossentropy = losses.categorical_crossentropy
sparse_categorical_crossentropy = losses.sparse_categorical_crossentropy
categorical_hinge = losses.categorical_hinge
hinge = losses.hinge
squared_hinge = losses.squared_hinge
huber = losses.huber
kl_divergence = losses.kl_divergence
log_cosh = losses.log_cosh
mean_absolute_percentage_error = losses.mean_absolute_percentage_error
mean_squared_logarithmic_error = losses.mean_squared_logarithmic_error
poisson = losses.poisson
