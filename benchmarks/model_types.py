"""The same network built three ways, timed: Sequential, functional and subclassed.

    GLASSNET_DATA=/path/to/datasets python benchmarks/model_types.py

All three run through one trainer and one tape, so they should cost the same. Measures (1) an
epoch of the lesson's MLP (784 → 512 relu → 10 softmax, RMSprop, batch 128) on the first 10,000
MNIST training images, and (2) a training step of the paper's 3-2-1 network through ``fit``
(full batch of four), where the per-step overhead of the engine shows most. Each measurement runs
in a fresh process, the three kinds take turns, and the fastest block of each process counts.
Writes benchmarks/MODEL_TYPES.md.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
KINDS = ("sequential", "functional", "subclassed")
MARKER = "MODEL-TYPES "


def build(kind: str, task: str) -> Any:
    """The network of ``task`` ("lesson" or "paper") built the ``kind`` way, compiled."""
    import glassnet as gn
    from glassnet import layers, optimizers

    gn.set_seed(0)
    if task == "lesson":
        inputs, hidden, outputs, act, out_act = 784, 512, 10, "relu", "softmax"
    else:
        inputs, hidden, outputs, act, out_act = 3, 2, 1, "tanh", "sigmoid"
    if kind == "sequential":
        model = gn.Sequential(
            [
                layers.Dense(hidden, activation=act, input_shape=(inputs,)),
                layers.Dense(outputs, activation=out_act),
            ]
        )
    elif kind == "functional":
        x = gn.Input(shape=(inputs,))
        h = layers.Dense(hidden, activation=act)(x)
        model = gn.Model(x, layers.Dense(outputs, activation=out_act)(h))
    else:

        class TwoLayers(gn.Model):
            def __init__(self) -> None:
                super().__init__()
                self.hidden = layers.Dense(hidden, activation=act)
                self.out = layers.Dense(outputs, activation=out_act)

            def call(self, x: Any) -> Any:
                return self.out(self.hidden(x))

        model = TwoLayers()
        model.build((None, inputs))
    if task == "lesson":
        model.compile("rmsprop", "categorical_crossentropy", metrics=["accuracy"])
    else:
        model.compile(optimizers.SGD(0.5), "mse")
    return model


def worker(kind: str, task: str) -> dict[str, float]:
    import numpy as np

    import glassnet as gn

    gn.set_threads(1)
    model = build(kind, task)
    if task == "lesson":
        from glassnet.datasets import mnist
        from glassnet.utils import to_categorical

        (x, y), _ = mnist.load_data()
        x = x[:10_000].reshape(-1, 784).astype("float32") / 255
        y = to_categorical(y[:10_000], 10)
        model.fit(x, y, epochs=1, batch_size=128, verbose=0)  # warm-up
        times = []
        for _ in range(3):
            start = time.perf_counter()
            model.fit(x, y, epochs=1, batch_size=128, verbose=0)
            times.append(time.perf_counter() - start)
        return {"seconds": min(times)}
    from glassnet.experiments.paper import X, Y

    x, y = np.asarray(X, dtype="float32"), np.asarray(Y, dtype="float32")
    model.fit(x, y, epochs=500, batch_size=4, shuffle=False, verbose=0)
    times = []
    for _ in range(5):
        start = time.perf_counter()
        model.fit(x, y, epochs=2000, batch_size=4, shuffle=False, verbose=0)
        times.append((time.perf_counter() - start) / 2000)
    return {"seconds": min(times)}


def run(kind: str, task: str) -> float:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    out = subprocess.run(
        [sys.executable, __file__, "--worker", kind, task],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith(MARKER))
    return float(json.loads(line[len(MARKER) :])["seconds"])


def main() -> None:
    rounds = int(os.environ.get("ROUNDS", "5"))
    results: dict[str, dict[str, list[float]]] = {
        t: {k: [] for k in KINDS} for t in ("lesson", "paper")
    }
    for _ in range(rounds):
        for task in results:
            for kind in KINDS:  # the kinds take turns, so a burst of load hits each once
                results[task][kind].append(run(kind, task))
    lines = [
        "# Sequential, functional and subclassed: the same network, the same speed",
        "",
        "Produced by `python benchmarks/model_types.py` on "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())},"
        f" {rounds} processes per kind taken in turns, one BLAS thread. Each process reports its"
        " fastest block; the table gives the median over processes [smallest, largest] and the"
        " ratio of medians to Sequential.",
        "",
        "| network | kind | time | ratio to Sequential |",
        "|---|---|---|---|",
    ]
    for task, label, unit, scale in (
        ("lesson", "lesson's MLP, one epoch of 10,000 MNIST images", "s", 1.0),
        ("paper", "paper's 3-2-1 network, one step through fit", "µs", 1e6),
    ):
        base = statistics.median(results[task]["sequential"])
        for kind in KINDS:
            values = results[task][kind]
            median = statistics.median(values)
            lines.append(
                f"| {label} | {kind} | {median * scale:.3g} {unit} "
                f"[{min(values) * scale:.3g}, {max(values) * scale:.3g}] | {median / base:.3f}× |"
            )
    text = "\n".join(lines) + "\n"
    (HERE / "MODEL_TYPES.md").write_text(text)
    print(text)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--worker":
        print(MARKER + json.dumps(worker(sys.argv[2], sys.argv[3])), flush=True)
    else:
        main()
