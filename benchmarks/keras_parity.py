"""Train the same networks in glassnet and in Keras 3 and compare the numbers.

Same initial weights, same data, no shuffling, float32: after a few epochs the weights and the
History of both libraries should agree to float32 rounding. Then, in float64, a functional model
with two outputs, and every training feature one run at a time (training options, regularizers
and constraints, clipping and weight decay, optimizers, learning-rate schedules, layers, losses,
callbacks): there both should agree to float64 rounding. Writes benchmarks/KERAS_PARITY.md.

    pip install keras torch==2.13.0
    KERAS_BACKEND=torch python benchmarks/keras_parity.py
"""

from __future__ import annotations

import contextlib
import os
import platform
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras
import numpy as np

import glassnet as gn
from glassnet import layers, models

OPTIMIZERS = {
    "SGD(0.1)": (lambda: keras.optimizers.SGD(0.1), lambda: gn.optimizers.SGD(0.1)),
    "SGD(0.05, momentum=0.9)": (
        lambda: keras.optimizers.SGD(0.05, momentum=0.9),
        lambda: gn.optimizers.SGD(0.05, momentum=0.9),
    ),
    "SGD(0.05, momentum=0.9, nesterov=True)": (
        lambda: keras.optimizers.SGD(0.05, momentum=0.9, nesterov=True),
        lambda: gn.optimizers.SGD(0.05, momentum=0.9, nesterov=True),
    ),
    "RMSprop()": (lambda: keras.optimizers.RMSprop(), lambda: gn.optimizers.RMSprop()),
    "Adam(0.01)": (lambda: keras.optimizers.Adam(0.01), lambda: gn.optimizers.Adam(0.01)),
}
LOSSES = {
    "mse": ("linear", "real"),
    "binary_crossentropy": ("sigmoid", "binary"),
    "categorical_crossentropy": ("softmax", "onehot"),
    "sparse_categorical_crossentropy": ("softmax", "labels"),
}


def data(kind: str, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, int]:
    x = rng.normal(size=(256, 8)).astype("float32")
    if kind == "real":
        return x, rng.normal(size=(256, 3)).astype("float32"), 3
    if kind == "binary":
        return x, (x[:, :1] + x[:, 1:2] > 0).astype("float32"), 1
    labels = (x[:, 0] > 0).astype(int) + (x[:, 1] > 0).astype(int)
    return x, (labels if kind == "labels" else np.eye(3, dtype="float32")[labels]), 3


def compare(opt_name: str, loss: str) -> tuple[float, float, float]:
    rng = np.random.default_rng(0)
    output, kind = LOSSES[loss]
    x, y, k = data(kind, rng)
    metrics = ["accuracy"] if loss != "mse" else ["mae"]
    km = keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.Dense(16, activation="tanh"),
            keras.layers.Dense(k, activation=output),
        ]
    )
    km.compile(optimizer=OPTIMIZERS[opt_name][0](), loss=loss, metrics=metrics)
    gm = models.Sequential(
        [
            layers.Dense(16, activation="tanh", input_shape=(8,)),
            layers.Dense(k, activation=output),
        ]
    )
    gm.compile(optimizer=OPTIMIZERS[opt_name][1](), loss=loss, metrics=metrics)
    gm.set_weights(km.get_weights())
    kh = km.fit(x, y, epochs=3, batch_size=32, shuffle=False, verbose=0).history
    gh = gm.fit(x, y, epochs=3, batch_size=32, shuffle=False, verbose=0).history
    weight_diff = max(
        float(np.abs(a - b).max()) for a, b in zip(km.get_weights(), gm.get_weights(), strict=True)
    )
    loss_diff = max(abs(a - b) for a, b in zip(kh["loss"], gh["loss"], strict=True))
    metric_diff = max(abs(a - b) for a, b in zip(kh[metrics[0]], gh[metrics[0]], strict=True))
    return weight_diff, loss_diff, metric_diff


def two_heads(lib: object, input_fn: object, dense: object, add: object) -> object:
    """x → h1 → h2, s = h1 + h2 (a skip connection), then a regression and a softmax head."""
    inputs = input_fn(shape=(4,), name="x")  # type: ignore[operator]
    h1 = dense(5, activation="tanh", name="h1")(inputs)  # type: ignore[operator]
    h2 = dense(5, activation="tanh", name="h2")(h1)  # type: ignore[operator]
    s = add(name="skip")([h1, h2])  # type: ignore[operator]
    reg = dense(1, name="reg")(s)  # type: ignore[operator]
    cls = dense(3, activation="softmax", name="cls")(s)  # type: ignore[operator]
    return lib.Model(inputs, [reg, cls])  # type: ignore[attr-defined]


@contextlib.contextmanager
def keras_float64() -> Iterator[None]:
    """Keras and glassnet both computing in float64: Keras's type promotion turns float64 into
    float32 (to follow JAX), so the rule is lifted for the duration."""
    from keras.src.backend.common import dtypes

    saved_rule, saved_floatx = dtypes.BIT64_TO_BIT32_DTYPE, keras.backend.floatx()
    saved_policy = keras.config.dtype_policy()
    dtypes.BIT64_TO_BIT32_DTYPE = {}
    keras.backend.set_floatx("float64")
    keras.config.set_dtype_policy("float64")
    try:
        with gn.config.floatx_scope("float64"):
            yield
    finally:
        dtypes.BIT64_TO_BIT32_DTYPE = saved_rule
        keras.backend.set_floatx(saved_floatx)
        keras.config.set_dtype_policy(saved_policy)


def relative_history_diff(k_hist: dict[str, list], g_hist: dict[str, list]) -> float:
    """max |keras − glassnet| / |keras| over every entry of every History key."""
    return max(
        abs(a - b) / max(abs(a), 1e-300)
        for key in k_hist
        for a, b in zip(k_hist[key], g_hist[key], strict=True)
    )


def compare_functional(opt_name: str) -> tuple[float, float]:
    """float64; Keras's float64 → float32 promotion rule is lifted so both compute in float64."""
    with keras_float64():
        rng = np.random.default_rng(0)
        x = rng.normal(size=(40, 4))
        y = [x @ rng.normal(size=(4, 1)), np.eye(3)[rng.integers(0, 3, 40)]]
        km = two_heads(keras, keras.Input, keras.layers.Dense, keras.layers.Add)
        gm = two_heads(gn, gn.Input, layers.Dense, layers.Add)
        args = {"loss": ["mse", "categorical_crossentropy"], "loss_weights": [0.5, 2.0]}
        km.compile(optimizer=OPTIMIZERS[opt_name][0](), **args)  # type: ignore[attr-defined]
        gm.compile(optimizer=OPTIMIZERS[opt_name][1](), **args)  # type: ignore[attr-defined]
        for k_layer in km.layers:  # type: ignore[attr-defined]
            if k_layer.get_weights():
                gm.get_layer(k_layer.name).set_weights(k_layer.get_weights())  # type: ignore[attr-defined]
        fit = {"epochs": 3, "batch_size": 8, "shuffle": False, "verbose": 0}
        fit["validation_split"] = 0.2
        kh = km.fit(x, y, **fit).history  # type: ignore[attr-defined]
        gh = gm.fit(x, y, **fit).history  # type: ignore[attr-defined]
        weight_diff = max(
            float(np.abs(a - b).max())
            for k_layer in km.layers  # type: ignore[attr-defined]
            for a, b in zip(
                k_layer.get_weights(),
                gm.get_layer(k_layer.name).get_weights(),  # type: ignore[attr-defined]
                strict=True,
            )
        )
    return weight_diff, relative_history_diff(kh, gh)


# -- float64, one training feature per run ------------------------------------------------------
# Each callable below takes the library, keras or glassnet, whose names are the same.
Lib = Any
SAMPLE_WEIGHT = np.random.default_rng(1).uniform(0.1, 2.0, 40)


def classifier(lib: Lib) -> list:
    """4 → Dense 5 tanh → Dense 3 softmax."""
    return [lib.layers.Dense(5, activation="tanh"), lib.layers.Dense(3, activation="softmax")]


@dataclass(frozen=True)
class Run:
    """One feature, set up alike in both libraries; the rest is the default classifier, SGD(0.1),
    40 samples with ``validation_split=0.25``, batch 8, 3 epochs without shuffling."""

    name: str
    setup: str
    layers: Callable[[Lib], list] = classifier
    optimizer: Callable[[Lib], Any] = lambda lib: lib.optimizers.SGD(0.1)
    loss: str | tuple[str, dict] = "categorical_crossentropy"
    targets: tuple[str, int] = ("onehot", 3)
    inputs_shifted: bool = False  # x·3 + 1 instead of x, to give a normalization work to do
    compile: dict = field(default_factory=dict)
    fit: dict = field(default_factory=dict)
    callbacks: Callable[[Lib], list] | None = None


TARGETS = {  # kind of targets → how the tables describe them
    "real": "real targets",
    "far_from_0": "targets of size 20–50",
    "positive": "targets in [0, 2]",
    "counts": "Poisson counts",
    "binary": "0/1 targets",
    "pm1": "±1 targets",
    "onehot": "one-hot targets",
    "labels": "integer labels",
    "distribution": "Dirichlet distributions",
    "drift": "real targets",
}


def targets(kind: str, units: int, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    n = len(x)
    if kind == "real":
        return x[:, :units] * 0.8 + 0.3 * rng.normal(size=(n, units))
    if kind == "far_from_0":  # for MAPE: 100/|y| keeps the SGD steps moderate
        return rng.uniform(20, 50, (n, units)) * np.sign(x[:, :units] + 0.1)
    if kind == "positive":
        return rng.uniform(0, 2, (n, units))
    if kind == "counts":
        return rng.poisson(0.7, (n, units)).astype(float)
    if kind == "binary":
        return (x[:, :units] + 0.3 * rng.normal(size=(n, units)) > 0).astype(float)
    if kind == "pm1":
        return np.where(x[:, :units] > 0, 1.0, -1.0)
    if kind == "onehot":
        return np.eye(units)[rng.integers(0, units, n)]
    if kind == "labels":
        return rng.integers(0, units, n)
    if kind == "distribution":
        return rng.dirichlet(np.ones(units), n)
    if kind == "drift":  # the validation quarter follows another rule: val_loss falls, then rises
        y = np.tanh(x @ rng.normal(size=(4, units))) + 0.3 * rng.normal(size=(n, units))
        y[-n // 4 :] = np.tanh(x[-n // 4 :] @ rng.normal(size=(4, units)))
        return y
    raise ValueError(f"unknown kind of targets {kind!r}")


def build(lib: Lib, run: Run) -> Any:
    model = lib.Sequential([lib.Input((4,)), *run.layers(lib)])
    loss = (
        run.loss if isinstance(run.loss, str) else getattr(lib.losses, run.loss[0])(**run.loss[1])
    )
    model.compile(optimizer=run.optimizer(lib), loss=loss, **run.compile)
    return model


def compare_run(run: Run) -> tuple[float, float, str]:
    """Fit the run in both libraries from Keras's initial weights; returns the largest weight
    difference, the largest relative History difference and the History's shape."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 4))
    if run.inputs_shifted:
        x = x * 3.0 + 1.0
    y = targets(*run.targets, x, rng)
    keras.utils.set_random_seed(1)
    k_model, g_model = build(keras, run), build(gn, run)
    g_model.set_weights(k_model.get_weights())
    args = {"epochs": 3, "batch_size": 8, "shuffle": False, "verbose": 0, "validation_split": 0.25}
    args |= run.fit
    k_hist, g_hist = (
        model.fit(x, y, callbacks=run.callbacks(lib) if run.callbacks else None, **args).history
        for lib, model in ((keras, k_model), (gn, g_model))
    )
    if set(k_hist) != set(g_hist) or any(len(k_hist[k]) != len(g_hist[k]) for k in k_hist):
        raise AssertionError(f"{run.name}: History {k_hist} in Keras, {g_hist} in glassnet")
    weight_diff = max(
        float(np.abs(a - b).max())
        for a, b in zip(k_model.get_weights(), g_model.get_weights(), strict=True)
    )
    epochs = len(k_hist["loss"])
    return weight_diff, relative_history_diff(k_hist, g_hist), f"{len(k_hist)} × {epochs}"


def as_call(name: str, *args: Any, **kwargs: Any) -> str:
    """The call as written: ``as_call("L2", 0.1, rate=2)`` → ``L2(0.1, rate=2)``."""
    return f"{name}({', '.join([*map(repr, args), *(f'{k}={v!r}' for k, v in kwargs.items())])})"


def optimizer(name: str, **kwargs: Any) -> Callable[[Lib], Any]:
    return lambda lib: getattr(lib.optimizers, name)(**kwargs)


def scheduled(name: str, schedule: str, *args: Any, **kwargs: Any) -> Callable[[Lib], Any]:
    """An optimizer whose learning rate follows a schedule of lib.optimizers.schedules."""
    return lambda lib: getattr(lib.optimizers, name)(
        getattr(lib.optimizers.schedules, schedule)(*args, **kwargs)
    )


def dense_with(**options: tuple[str, dict]) -> Callable[[Lib], list]:
    """The classifier with a regularizer or constraint on both Dense layers:
    ``kernel_regularizer=("L2", {"l2": 0.01})`` → L2(l2=0.01) from lib.regularizers."""

    def make(lib: Lib) -> list:
        built = {
            key: getattr(lib.regularizers if key.endswith("regularizer") else lib.constraints, cls)(
                **kwargs
            )
            for key, (cls, kwargs) in options.items()
        }
        return [
            lib.layers.Dense(5, activation="tanh", **built),
            lib.layers.Dense(3, activation="softmax", **built),
        ]

    return make


def around(name: str, **kwargs: Any) -> Callable[[Lib], list]:
    """4 → Dense 6 → the layer → Dense 3 softmax."""
    return lambda lib: [
        lib.layers.Dense(6),
        getattr(lib.layers, name)(**kwargs),
        lib.layers.Dense(3, activation="softmax"),
    ]


def frozen_batchnorm(lib: Lib) -> list:
    constant = lib.initializers.Constant
    return [
        lib.layers.Dense(6),
        lib.layers.BatchNormalization(
            gamma_initializer=constant(1.5),
            beta_initializer=constant(-0.2),
            moving_mean_initializer=constant(0.5),
            moving_variance_initializer=constant(4.0),
            trainable=False,
        ),
        lib.layers.Dense(3, activation="softmax"),
    ]


def regression_net(lib: Lib) -> list:
    """4 → Dense 3 tanh → Dense 1."""
    return [lib.layers.Dense(3, activation="tanh"), lib.layers.Dense(1)]


def loss_run(
    name: str, loss: str | tuple[str, dict], units: int, activation: str, kind: str
) -> Run:
    shown = loss if isinstance(loss, str) else as_call(loss[0], **loss[1])
    return Run(
        name,
        f"`{shown}`, output {units} {activation}, {TARGETS[kind]}",
        layers=lambda lib: [
            lib.layers.Dense(5, activation="tanh"),
            lib.layers.Dense(units, activation=activation),
        ],
        loss=loss,
        targets=(kind, units),
    )


def regularized(name: str, setup: str, **options: tuple[str, dict]) -> Run:
    return Run(name, setup, layers=dense_with(**options))


def optimized(name: str, setup: str, make: Callable[[Lib], Any]) -> Run:
    return Run(name, setup, optimizer=make)


def layer_run(name: str, setup: str, make: Callable[[Lib], list]) -> Run:
    return Run(name, setup, layers=make, inputs_shifted=True, compile=ACCURACY)


def callback_run(name: str, setup: str, make: Callable[[Lib], list]) -> Run:
    return Run(
        name,
        setup,
        layers=regression_net,
        loss="mse",
        targets=("drift", 1),
        fit={"epochs": 12},
        callbacks=make,
    )


ACCURACY = {"metrics": ["accuracy"]}
SCHEDULES = [  # (name, class, arguments, options), each run with SGD
    ("ExponentialDecay", "ExponentialDecay", (0.1, 5, 0.5), {}),
    ("ExponentialDecay staircase", "ExponentialDecay", (0.1, 3, 0.5), {"staircase": True}),
    ("PiecewiseConstantDecay", "PiecewiseConstantDecay", ([3, 7], [0.1, 0.05, 0.01]), {}),
    ("PolynomialDecay", "PolynomialDecay", (0.1, 8, 0.01), {"power": 2.0}),
    ("PolynomialDecay cycle", "PolynomialDecay", (0.1, 5, 0.01), {"cycle": True}),
    ("InverseTimeDecay", "InverseTimeDecay", (0.1, 4, 0.5), {}),
    ("InverseTimeDecay staircase", "InverseTimeDecay", (0.1, 4, 0.5), {"staircase": True}),
    ("CosineDecay", "CosineDecay", (0.1, 8), {"alpha": 0.1}),
    (
        "CosineDecay warmup",
        "CosineDecay",
        (0.01, 8),
        {"warmup_target": 0.2, "warmup_steps": 3},
    ),
    ("CosineDecayRestarts", "CosineDecayRestarts", (0.1, 3), {"t_mul": 2.0, "m_mul": 0.8}),
    ("CosineDecayRestarts", "CosineDecayRestarts", (0.1, 3), {"t_mul": 1.0, "alpha": 0.1}),
]
LOSS_RUNS = [  # (name, loss: a name or (class, options), output units, activation, targets)
    ("MAE", "mae", 2, "linear", "real"),
    ("MAPE", "mape", 2, "linear", "far_from_0"),
    ("MSLE", "msle", 2, "sigmoid", "positive"),
    ("Huber", ("Huber", {"delta": 0.5}), 2, "linear", "real"),
    ("LogCosh", "log_cosh", 2, "linear", "real"),
    ("Hinge", "hinge", 1, "tanh", "binary"),
    ("SquaredHinge", "squared_hinge", 2, "tanh", "pm1"),
    ("CategoricalHinge", "categorical_hinge", 3, "linear", "onehot"),
    ("KLDivergence", "kld", 3, "softmax", "distribution"),
    ("Poisson", "poisson", 2, "sigmoid", "counts"),
    ("CosineSimilarity", ("CosineSimilarity", {}), 3, "linear", "real"),
    ("BCE from logits", ("BinaryCrossentropy", {"from_logits": True}), 1, "linear", "binary"),
    (
        "CCE from logits",
        ("CategoricalCrossentropy", {"from_logits": True}),
        3,
        "linear",
        "onehot",
    ),
    (
        "SCCE from logits",
        ("SparseCategoricalCrossentropy", {"from_logits": True}),
        3,
        "linear",
        "labels",
    ),
    (
        "BCE label_smoothing",
        ("BinaryCrossentropy", {"label_smoothing": 0.2}),
        1,
        "sigmoid",
        "binary",
    ),
    (
        "BCE from logits, label_smoothing",
        ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.1}),
        2,
        "linear",
        "binary",
    ),
    (
        "CCE label_smoothing",
        ("CategoricalCrossentropy", {"label_smoothing": 0.1}),
        3,
        "softmax",
        "onehot",
    ),
    (
        "CCE from logits, label_smoothing",
        ("CategoricalCrossentropy", {"from_logits": True, "label_smoothing": 0.2}),
        3,
        "linear",
        "onehot",
    ),
    (
        "SCCE ignore_class",
        ("SparseCategoricalCrossentropy", {"from_logits": True, "ignore_class": 0}),
        3,
        "linear",
        "labels",
    ),
    ("MSE, reduction sum", ("MeanSquaredError", {"reduction": "sum"}), 2, "linear", "real"),
    ("BCE, reduction sum", ("BinaryCrossentropy", {"reduction": "sum"}), 2, "sigmoid", "binary"),
    (
        "CCE from logits, reduction sum",
        ("CategoricalCrossentropy", {"from_logits": True, "reduction": "sum"}),
        3,
        "linear",
        "onehot",
    ),
    (
        "SCCE, reduction sum",
        ("SparseCategoricalCrossentropy", {"reduction": "sum"}),
        3,
        "softmax",
        "labels",
    ),
]
FAMILIES: dict[str, tuple[str, list[Run]]] = {
    "Training options": (
        "The classifier, SGD(0.1), `metrics=['accuracy']`.",
        [
            Run(
                "sample_weight",
                "uniform in [0.1, 2]",
                compile=ACCURACY,
                fit={"sample_weight": SAMPLE_WEIGHT},
            ),
            Run(
                "class_weight",
                "`{0: 0.5, 1: 2.0, 2: 1.5}`",
                compile=ACCURACY,
                fit={"class_weight": {0: 0.5, 1: 2.0, 2: 1.5}},
            ),
            Run(
                "weighted_metrics",
                "`weighted_metrics=['accuracy', 'mae']` and sample_weight",
                compile={**ACCURACY, "weighted_metrics": ["accuracy", "mae"]},
                fit={"sample_weight": SAMPLE_WEIGHT},
            ),
            Run(
                "validation_freq",
                "`validation_freq=2`, 4 epochs: validated after epochs 2 and 4",
                compile=ACCURACY,
                fit={"validation_freq": 2, "epochs": 4},
            ),
        ],
    ),
    "Regularizers and constraints": (
        "The classifier, SGD(0.1), with the same regularizer or constraint on both Dense layers.",
        [
            regularized(
                "L1 kernel",
                "`kernel_regularizer=L1(0.01)`",
                kernel_regularizer=("L1", {"l1": 0.01}),
            ),
            regularized(
                "L2 kernel",
                "`kernel_regularizer=L2(0.01)`",
                kernel_regularizer=("L2", {"l2": 0.01}),
            ),
            regularized(
                "L1L2 kernel",
                "`kernel_regularizer=L1L2(l1=0.001, l2=0.01)`",
                kernel_regularizer=("L1L2", {"l1": 0.001, "l2": 0.01}),
            ),
            regularized(
                "L1 bias", "`bias_regularizer=L1(0.05)`", bias_regularizer=("L1", {"l1": 0.05})
            ),
            regularized(
                "L2 bias", "`bias_regularizer=L2(0.1)`", bias_regularizer=("L2", {"l2": 0.1})
            ),
            regularized(
                "L1L2 bias",
                "`bias_regularizer=L1L2(l1=0.01, l2=0.1)`",
                bias_regularizer=("L1L2", {"l1": 0.01, "l2": 0.1}),
            ),
            regularized(
                "activity L2",
                "`activity_regularizer=L2(0.05)`",
                activity_regularizer=("L2", {"l2": 0.05}),
            ),
            regularized(
                "activity L1",
                "`activity_regularizer=L1(0.01)`",
                activity_regularizer=("L1", {"l1": 0.01}),
            ),
            regularized(
                "MaxNorm",
                "`kernel_constraint=MaxNorm(0.5)`",
                kernel_constraint=("MaxNorm", {"max_value": 0.5}),
            ),
            regularized(
                "MinMaxNorm",
                "`kernel_constraint=MinMaxNorm(0.2, 0.6, rate=0.5)`",
                kernel_constraint=("MinMaxNorm", {"min_value": 0.2, "max_value": 0.6, "rate": 0.5}),
            ),
            regularized(
                "NonNeg",
                "`kernel_constraint=NonNeg()`, `bias_constraint=NonNeg()`",
                kernel_constraint=("NonNeg", {}),
                bias_constraint=("NonNeg", {}),
            ),
            regularized(
                "UnitNorm", "`kernel_constraint=UnitNorm()`", kernel_constraint=("UnitNorm", {})
            ),
        ],
    ),
    "Gradient clipping and weight decay": (
        "The classifier with the optimizer shown.",
        [
            optimized(
                "clipnorm",
                "`SGD(0.5, clipnorm=0.05)`",
                optimizer("SGD", learning_rate=0.5, clipnorm=0.05),
            ),
            optimized(
                "clipnorm",
                "`Adam(0.01, clipnorm=0.05)`",
                optimizer("Adam", learning_rate=0.01, clipnorm=0.05),
            ),
            optimized(
                "clipvalue",
                "`SGD(0.5, clipvalue=0.02)`",
                optimizer("SGD", learning_rate=0.5, clipvalue=0.02),
            ),
            optimized(
                "global_clipnorm",
                "`SGD(0.5, global_clipnorm=0.08)`",
                optimizer("SGD", learning_rate=0.5, global_clipnorm=0.08),
            ),
            optimized(
                "global_clipnorm",
                "`Adam(0.01, global_clipnorm=0.05)`",
                optimizer("Adam", learning_rate=0.01, global_clipnorm=0.05),
            ),
            optimized(
                "weight_decay",
                "`SGD(0.1, weight_decay=0.3)`",
                optimizer("SGD", learning_rate=0.1, weight_decay=0.3),
            ),
            optimized(
                "weight_decay",
                "`SGD(0.1, momentum=0.9, weight_decay=0.3)`",
                optimizer("SGD", learning_rate=0.1, momentum=0.9, weight_decay=0.3),
            ),
            optimized(
                "weight_decay",
                "`Adam(0.01, weight_decay=0.1)`",
                optimizer("Adam", learning_rate=0.01, weight_decay=0.1),
            ),
            optimized(
                "weight_decay and clipnorm",
                "`RMSprop(0.01, weight_decay=0.2, clipnorm=0.1)`",
                optimizer("RMSprop", learning_rate=0.01, weight_decay=0.2, clipnorm=0.1),
            ),
            optimized(
                "AdamW",
                "`AdamW(0.01, weight_decay=0.05)`",
                optimizer("AdamW", learning_rate=0.01, weight_decay=0.05),
            ),
            optimized(
                "AdamW",
                "`AdamW(0.01)`: Keras's default weight_decay=0.004",
                optimizer("AdamW", learning_rate=0.01),
            ),
        ],
    ),
    "Optimizers": (
        "The classifier with the optimizer shown.",
        [
            optimized("Adagrad", "`Adagrad(0.1)`", optimizer("Adagrad", learning_rate=0.1)),
            optimized(
                "Adagrad",
                "`Adagrad(0.05, initial_accumulator_value=0.5, epsilon=1e-3)`",
                optimizer(
                    "Adagrad", learning_rate=0.05, initial_accumulator_value=0.5, epsilon=1e-3
                ),
            ),
            optimized("Adadelta", "`Adadelta(1.0)`", optimizer("Adadelta", learning_rate=1.0)),
            optimized("Adamax", "`Adamax(0.02)`", optimizer("Adamax", learning_rate=0.02)),
            optimized("Nadam", "`Nadam(0.01)`", optimizer("Nadam", learning_rate=0.01)),
            optimized(
                "Adam amsgrad",
                "`Adam(0.01, amsgrad=True)`",
                optimizer("Adam", learning_rate=0.01, amsgrad=True),
            ),
            optimized(
                "AdamW amsgrad",
                "`AdamW(0.01, amsgrad=True)`",
                optimizer("AdamW", learning_rate=0.01, amsgrad=True),
            ),
        ],
    ),
    "Learning-rate schedules": (
        "The classifier; 4 batches an epoch, so 12 steps in all.",
        [
            optimized(
                name,
                f"`SGD({as_call(cls, *args, **kwargs)})`",
                scheduled("SGD", cls, *args, **kwargs),
            )
            for name, cls, args, kwargs in SCHEDULES
        ]
        + [
            optimized(
                "CosineDecay warmup",
                "`Adam(CosineDecay(0.01, 8, warmup_target=0.2, warmup_steps=3))`",
                scheduled("Adam", "CosineDecay", 0.01, 8, warmup_target=0.2, warmup_steps=3),
            ),
            optimized(
                "CosineDecay warmup, AdamW",
                "`AdamW(CosineDecay(0.01, 8, warmup_target=0.2, warmup_steps=3), "
                "weight_decay=0.5, clipnorm=0.1)`: the decay follows the schedule",
                lambda lib: lib.optimizers.AdamW(
                    lib.optimizers.schedules.CosineDecay(
                        0.01, 8, warmup_target=0.2, warmup_steps=3
                    ),
                    weight_decay=0.5,
                    clipnorm=0.1,
                ),
            ),
        ],
    ),
    "Layers": (
        "4 → Dense 6 → the layer → Dense 3 softmax, SGD(0.1), `metrics=['accuracy']`, inputs "
        "x·3 + 1. A BatchNormalization's weights include its moving mean and variance, which the "
        "validation entries of the History use.",
        [
            layer_run(
                "BatchNormalization",
                "`BatchNormalization()`: momentum 0.99",
                around("BatchNormalization"),
            ),
            layer_run(
                "BatchNormalization",
                "`BatchNormalization(momentum=0.5)`: moving statistics that move",
                around("BatchNormalization", momentum=0.5),
            ),
            layer_run(
                "BatchNormalization",
                "`BatchNormalization(center=False, scale=False, epsilon=0.1)`",
                around("BatchNormalization", center=False, scale=False, epsilon=0.1),
            ),
            layer_run(
                "BatchNormalization frozen",
                "`trainable=False`, γ 1.5, β −0.2, moving mean 0.5, moving variance 4: "
                "normalizes with the moving statistics and never updates them",
                frozen_batchnorm,
            ),
            layer_run("LayerNormalization", "`LayerNormalization()`", around("LayerNormalization")),
            layer_run("PReLU", "`PReLU()`: α starts at 0", around("PReLU")),
            layer_run("ReLU", "`ReLU(max_value=1.0)`", around("ReLU", max_value=1.0)),
            layer_run(
                "ReLU",
                "`ReLU(max_value=6.0, negative_slope=0.1, threshold=0.5)`",
                around("ReLU", max_value=6.0, negative_slope=0.1, threshold=0.5),
            ),
            layer_run(
                "LeakyReLU",
                "`LeakyReLU(negative_slope=0.2)`",
                around("LeakyReLU", negative_slope=0.2),
            ),
            layer_run("ELU", "`ELU(alpha=0.7)`", around("ELU", alpha=0.7)),
            layer_run(
                "Softmax",
                "Dense 3 → `Softmax()` as the output layer",
                lambda lib: [
                    lib.layers.Dense(6, activation="tanh"),
                    lib.layers.Dense(3),
                    lib.layers.Softmax(),
                ],
            ),
            layer_run(
                "Rescaling",
                "`Rescaling(0.5, offset=-1.0)` before the first Dense",
                lambda lib: [lib.layers.Rescaling(0.5, offset=-1.0), *classifier(lib)],
            ),
        ],
    ),
    "Losses": (
        "4 → Dense 5 tanh → Dense k with the output activation shown, SGD(0.1).",
        [loss_run(*spec) for spec in LOSS_RUNS],
    ),
    "Callbacks": (
        "4 → Dense 3 tanh → Dense 1, mse, SGD(0.1), 12 epochs; the validation quarter of the data "
        "follows another rule, so that the validation loss falls, then rises. The History "
        "includes Keras's `learning_rate` entry where a callback sets the rate.",
        [
            callback_run(
                "LearningRateScheduler",
                "`lambda epoch, lr: lr if epoch < 3 else lr * 0.8`",
                lambda lib: [
                    lib.callbacks.LearningRateScheduler(
                        lambda epoch, lr: lr if epoch < 3 else lr * 0.8
                    )
                ],
            ),
            callback_run(
                "ReduceLROnPlateau",
                "`ReduceLROnPlateau('val_loss', factor=0.5, patience=1, cooldown=1, min_lr=0.01)`: "
                "the rate goes 0.1, 0.05, 0.025, 0.0125, then min_lr",
                lambda lib: [
                    lib.callbacks.ReduceLROnPlateau(
                        "val_loss", factor=0.5, patience=1, cooldown=1, min_lr=0.01
                    )
                ],
            ),
            callback_run(
                "EarlyStopping",
                "`EarlyStopping('val_loss', patience=2, restore_best_weights=True)`: stops after "
                "epoch 4 and restores the weights of epoch 2",
                lambda lib: [
                    lib.callbacks.EarlyStopping("val_loss", patience=2, restore_best_weights=True)
                ],
            ),
        ],
    ),
}


def feature_sections() -> tuple[list[str], list[str]]:
    """Every run of FAMILIES: a summary row per family, and a table per family."""
    summary, sections = [], []
    with keras_float64():
        for family, (common, runs) in FAMILIES.items():
            rows, weight_diffs, history_diffs = [], [], []
            for run in runs:
                w, h, shape = compare_run(run)
                weight_diffs.append(w)
                history_diffs.append(h)
                rows.append(f"| {run.name} | {run.setup} | {shape} | {w:.1e} | {h:.1e} |")
                print(rows[-1], flush=True)
            summary.append(
                f"| {family} | {len(runs)} | {max(weight_diffs):.1e} | {max(history_diffs):.1e} |"
            )
            sections += [
                f"### {family}",
                "",
                common,
                "",
                "| feature | setup | History keys × epochs | max weight diff "
                "| max relative History diff |",
                "|---|---|---|---|---|",
                *rows,
                "",
            ]
    return summary, sections


def main() -> None:
    keras.utils.set_random_seed(0)  # Keras's initial weights, and so this file, reproducible
    rows = []
    for opt_name in OPTIMIZERS:
        for loss in LOSSES:
            w, lo, me = compare(opt_name, loss)
            rows.append(f"| {opt_name} | {loss} | {w:.1e} | {lo:.1e} | {me:.1e} |")
            print(rows[-1], flush=True)
    summary = []
    km = keras.Sequential(
        [
            keras.Input((784,)),
            keras.layers.Dense(512, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    gm = models.Sequential(
        [
            layers.Dense(512, activation="relu", input_shape=(784,)),
            layers.Dense(10, activation="softmax"),
        ]
    )
    summary.append(f"Keras count_params: {km.count_params():,}; glassnet: {gm.count_params():,}")
    functional_rows = []  # last: it switches Keras to float64 for a while
    for opt_name in OPTIMIZERS:
        w, h = compare_functional(opt_name)
        functional_rows.append(f"| {opt_name} | {w:.1e} | {h:.1e} |")
        print(functional_rows[-1], flush=True)
    family_rows, family_sections = feature_sections()
    text = "\n".join(
        [
            "# glassnet against Keras 3: same weights in, same numbers out",
            "",
            f"Keras {keras.__version__} ({keras.backend.backend()} backend), glassnet "
            f"{gn.__version__}, NumPy {np.__version__}, Python {platform.python_version()}, "
            f"{platform.machine()}.",
            "",
            "A 8 → 16 tanh → k network, float32, identical initial weights, 256 samples, batch 32, "
            "3 epochs without shuffling. Columns: the largest absolute difference in any weight "
            "after training, in the History's loss, and in its metric (accuracy; mae for mse).",
            "",
            "| optimizer | loss | max weight diff | max loss diff | max metric diff |",
            "|---|---|---|---|---|",
            *rows,
            "",
            *summary,
            "",
            "## A functional model: a skip connection and two outputs with weighted losses",
            "",
            "x (4) → h1 = tanh(Dense 5) → h2 = tanh(Dense 5) → s = h1 + h2 (`Add`) → a linear "
            "head (mse) and a softmax head (categorical cross-entropy), `loss_weights=[0.5, 2]`, "
            "float64, identical initial weights, 40 samples with `validation_split=0.2`, batch 8, "
            "3 epochs without shuffling. Keras's type promotion turns float64 into float32 to "
            "follow JAX; the script lifts that rule so that Keras really computes in float64. "
            "Columns: the largest absolute difference in any weight, and the largest relative "
            "difference in any History entry (loss, reg_loss, cls_loss and their val_ versions). "
            "`tests/test_keras_parity.py` checks the same to 1e-12.",
            "",
            "| optimizer | max weight diff | max relative History diff |",
            "|---|---|---|",
            *functional_rows,
            "",
            "## Each training feature, float64",
            "",
            "One run per feature, set up alike in both libraries: Keras builds the model, glassnet "
            "copies its initial weights, and both fit the same float64 data with `shuffle=False`. "
            "Unless a run says otherwise: the classifier 4 → Dense 5 tanh → Dense 3 softmax, "
            "categorical cross-entropy, SGD(0.1), 40 samples with `validation_split=0.25`, batch "
            "8, 3 epochs. Columns: the largest absolute difference in any weight after training "
            "(moving statistics included), and the largest relative difference over every entry "
            "of the History, validation and learning rate included. The tests "
            "(`tests/test_keras_layers.py`, `test_optimizers_keras.py`, `test_losses_keras.py`, "
            "`test_callbacks_keras.py`) check runs like these, and more, to 1e-12.",
            "",
            "| family | runs | max weight diff | max relative History diff |",
            "|---|---|---|---|",
            *family_rows,
            "",
            *family_sections,
            "Produced by `KERAS_BACKEND=torch python benchmarks/keras_parity.py`.",
            "",
        ]
    )
    Path(__file__).with_name("KERAS_PARITY.md").write_text(text)


if __name__ == "__main__":
    main()
