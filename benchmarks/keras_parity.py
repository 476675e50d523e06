"""Train the same networks in glassnet and in Keras 3 and compare the numbers.

Same initial weights, same data, no shuffling, float32: after a few epochs the weights and the
History of both libraries should agree to float32 rounding. Writes benchmarks/KERAS_PARITY.md.

    pip install keras torch==2.13.0
    KERAS_BACKEND=torch python benchmarks/keras_parity.py
"""

from __future__ import annotations

import os
import platform
from pathlib import Path

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


def compare_functional(opt_name: str) -> tuple[float, float]:
    """float64; Keras's float64 → float32 promotion rule is lifted so both compute in float64."""
    from keras.src.backend.common import dtypes

    saved_rule, saved_floatx = dtypes.BIT64_TO_BIT32_DTYPE, keras.backend.floatx()
    saved_policy = keras.config.dtype_policy()
    dtypes.BIT64_TO_BIT32_DTYPE = {}
    keras.backend.set_floatx("float64")
    keras.config.set_dtype_policy("float64")
    try:
        with gn.config.floatx_scope("float64"):
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
            history_diff = max(
                abs(a - b) / max(abs(a), 1e-300)
                for key in kh
                for a, b in zip(kh[key], gh[key], strict=True)
            )
    finally:
        dtypes.BIT64_TO_BIT32_DTYPE = saved_rule
        keras.backend.set_floatx(saved_floatx)
        keras.config.set_dtype_policy(saved_policy)
    return weight_diff, history_diff


def main() -> None:
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
            "Produced by `KERAS_BACKEND=torch python benchmarks/keras_parity.py`.",
            "",
        ]
    )
    Path(__file__).with_name("KERAS_PARITY.md").write_text(text)


if __name__ == "__main__":
    main()
