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
            "Produced by `KERAS_BACKEND=torch python benchmarks/keras_parity.py`.",
            "",
        ]
    )
    Path(__file__).with_name("KERAS_PARITY.md").write_text(text)


if __name__ == "__main__":
    main()
