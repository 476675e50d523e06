"""How much do the training monitors cost? Epoch time of the lesson's MLP on MNIST with and
without glassnet.monitors.TrainingMonitor (all monitors on), alternating, after a warm-up.
Writes benchmarks/MONITOR_OVERHEAD.md.

    GLASSNET_DATA=/path/to/data python benchmarks/monitor_overhead.py
"""

from __future__ import annotations

import os
import platform
import statistics
import time
from pathlib import Path

import glassnet as gn
from glassnet.experiments.mnist import lesson_mlp, load
from glassnet.experiments.paper import X, Y, paper_network
from glassnet.monitors import TrainingMonitor
from glassnet.utils import to_categorical

REPEATS = 5


def mnist_epoch(x, y, monitored: bool) -> float:
    gn.set_seed(0)
    model = lesson_mlp(784)
    callbacks = [TrainingMonitor(histograms_at=[0])] if monitored else []
    start = time.perf_counter()
    model.fit(x, y, epochs=1, batch_size=128, verbose=0, callbacks=callbacks)
    return time.perf_counter() - start


def paper_epochs(monitored: bool, epochs: int = 2000) -> float:
    model = paper_network("tanh", 0)
    callbacks = [TrainingMonitor()] if monitored else []
    start = time.perf_counter()
    model.fit(X, Y, epochs=epochs, batch_size=4, verbose=0, callbacks=callbacks)
    return (time.perf_counter() - start) / epochs


def main() -> None:
    _, ((x, y), _), _ = load("mnist")
    y = to_categorical(y, 10)
    mnist_epoch(x[:10000], y[:10000], True)  # warm-up
    times: dict[bool, list[float]] = {False: [], True: []}
    paper: dict[bool, list[float]] = {False: [], True: []}
    for _ in range(REPEATS):
        for monitored in (False, True):
            times[monitored].append(mnist_epoch(x, y, monitored))
            paper[monitored].append(paper_epochs(monitored))
    plain, watched = statistics.median(times[False]), statistics.median(times[True])
    p_plain, p_watched = statistics.median(paper[False]), statistics.median(paper[True])
    rows = [
        f"| lesson MLP on MNIST, seconds per epoch | {plain:.3f} | {watched:.3f} | "
        f"{100 * (watched / plain - 1):+.1f} % |",
        f"| paper's 3-2-1 network, µs per epoch (one step) | {1e6 * p_plain:.0f} | "
        f"{1e6 * p_watched:.0f} | {100 * (p_watched / p_plain - 1):+.0f} % |",
    ]
    text = "\n".join(
        [
            "# Cost of the training monitors",
            "",
            "Median of 5 alternating runs, after a warm-up, with `TrainingMonitor()` (gradient and",
            "weight norms, update ratios, saturation, dead units; histograms at epoch 1) against",
            "none.",
            "",
            "| run | without monitors | with all monitors | overhead |",
            "|---|---|---|---|",
            *rows,
            "",
            f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}; glassnet {gn.__version__}, float32.",
            "",
            "Produced by `python benchmarks/monitor_overhead.py`.",
            "",
        ]
    )
    Path(__file__).with_name("MONITOR_OVERHEAD.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
