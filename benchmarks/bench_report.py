"""Markdown for benchmarks/RESULTS.md, from the raw results bench.py collected.

Every table shows the median with the smallest and largest value, pooled over all processes
of a measurement, and ratios of medians. Failed measurements show as "failed" cells.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from bench_workers import (
    INPUTS,
    PREDICT_BATCH,
    epoch_flops,
    layer_sizes,
    parameter_count,
)

Result = dict[str, Any]
Runs = list[Result]
LIBRARY_NAMES = {"glassnet": "glassnet", "torch": "PyTorch", "sklearn": "scikit-learn"}
OPTIMIZERS = {
    "glassnet": "RMSprop(0.001, ρ=0.9, ε=1e-7)",
    "torch": "RMSprop(0.001, alpha=0.9, eps=1e-7)",
    "sklearn": "Adam(0.001) (no RMSprop in scikit-learn)",
}
LESSON_HIDDEN = (512,)
LESSON_BATCH = 128
MB = 1e6
BUSY_LOAD = 0.5  # a 1-minute load average above this before the run means other work is running


class Point(NamedTuple):
    """One row of a scaling table: the value shown, the network, and each library's runs."""

    value: int
    hidden: tuple[int, ...]
    batch: int
    runs: dict[str, Runs]


@dataclass
class Results:
    """Everything one run of bench.py measured, plus how and where it was measured."""

    mode: str
    command: str
    threads: int
    started: str
    plan: Any
    machine: dict[str, str]
    env: Result = field(default_factory=dict)
    lesson: dict[str, Runs] = field(default_factory=dict)
    floor: Runs = field(default_factory=list)
    paper: dict[str, Runs] = field(default_factory=dict)
    scaling: dict[str, list[Point]] = field(default_factory=dict)
    threads_table: dict[int, dict[str, Runs]] = field(default_factory=dict)
    study: dict[str, Runs] = field(default_factory=dict)
    profile: Result = field(default_factory=dict)
    seconds: float = 0.0
    load_after: str = ""
    busy: float = 0.0  # the 1-minute load average when the run started


# -- statistics ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Stats:
    """Median, smallest and largest of a set of timings."""

    median: float
    low: float
    high: float
    count: int


def pooled(runs: Runs, key: str) -> list[float]:
    """All values under ``key`` from every process that succeeded."""
    return [value for run in runs for value in run.get(key, [])]


def stats(values: Sequence[float]) -> Stats | None:
    """Stats of the values, or None when there are none (every process failed)."""
    if not values:
        return None
    return Stats(statistics.median(values), min(values), max(values), len(values))


def failures(runs: Runs) -> list[str]:
    return [run["error"] for run in runs if "error" in run]


# -- formatting ----------------------------------------------------------------------------------
def fmt_time(value: float | None) -> str:
    """Seconds with a unit that keeps three significant digits: 1.42 s, 38.5 ms, 61.2 µs."""
    if value is None:
        return "failed"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if value >= scale:
            return f"{value / scale:.3g} {unit}"
    return f"{value * 1e9:.3g} ns"


def fmt_range(s: Stats | None) -> str:
    """ "median (min–max)"."""
    if s is None:
        return "failed"
    return f"{fmt_time(s.median)} ({fmt_time(s.low)} – {fmt_time(s.high)})"


def fmt_ratio(numerator: float | None, denominator: float | None) -> str:
    if numerator is None or denominator is None or denominator == 0:
        return "–"
    return f"{numerator / denominator:.2f}×"


def fmt_mb(value: float | None) -> str:
    return "–" if value is None else f"{value / MB:,.1f} MB"


def median_of(s: Stats | None) -> float | None:
    return None if s is None else s.median


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A GitHub-flavoured Markdown table."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def failure_note(groups: dict[Any, Runs]) -> str:
    """A line listing what failed, if anything did (the console shows the full traceback)."""
    errors = [f"{key}: {error}" for key, runs in groups.items() for error in failures(runs)]
    return "" if not errors else "\n\nFailed: " + "; ".join(errors)


# -- sections ------------------------------------------------------------------------------------
def header(results: Results) -> str:
    lines = ["# glassnet speed benchmarks", ""]
    if results.mode == "quick":
        lines += [
            "> **Quick mode** (small sizes, a single round of processes): this run checks that "
            "the benchmark works; its numbers are not for comparisons. Run without `--quick` "
            "for the real tables.",
            "",
        ]
    if results.busy >= BUSY_LOAD:
        lines += [
            f"> **Warning: the machine was busy** (1-minute load average {results.busy:.2f} when "
            "the run started). Other processes competing for the cores slow multi-threaded "
            "BLAS and OpenMP code far more than their share of the CPU, so these numbers are "
            "noisy; rerun on a quiet machine before trusting a ratio.",
            "",
        ]
    plan = results.plan
    lines += [
        f"Produced by `{results.command}` on {results.started} in "
        f"{results.seconds / 60:.1f} minutes. glassnet against PyTorch and scikit-learn on the "
        "same machine, in the same run, on the same number of threads. Times are wall-clock "
        "medians with the smallest and largest value in brackets; ratios are ratios of medians "
        "(above 1×: slower than the reference).",
        "",
        f"**Method.** Each measurement runs in a fresh process (this script with `--worker`), "
        f"so no library inherits another's warm caches, thread pools or memory. The libraries "
        f"take turns (glassnet, PyTorch, scikit-learn, glassnet, …) over {plan.repeats} "
        f"round(s), so slow drifts of the machine hit all of them alike. Every training process "
        f"first runs one untimed warm-up epoch (thread pools, first-call paths, optimizer "
        f"state), then times {plan.epochs} epochs.",
    ]
    return "\n".join(lines)


def machine_section(results: Results) -> str:
    env, machine = results.env, results.machine
    rows: list[tuple[str, str]] = [
        ("CPU", machine["cpu"]),
        ("cores", machine["cores"]),
        ("memory", machine["memory"]),
        ("OS", env.get("platform", "?")),
    ]
    rows += list(env.get("versions", {}).items())
    rows += [
        ("glassnet source", machine["commit"]),
        (
            "threads",
            f"{results.threads} for every library: OMP_NUM_THREADS, OPENBLAS_NUM_THREADS and "
            f"MKL_NUM_THREADS set to {results.threads} in every worker, plus "
            f"`glassnet.set_threads({results.threads})`, threadpoolctl for scikit-learn and "
            f"NumPy, `torch.set_num_threads({results.threads})` (PyTorch reports "
            f"{env.get('torch_threads', '?')}; oneDNN "
            f"{'available' if env.get('torch_mkldnn') else 'not available'})",
        ),
        ("load average (1, 5, 15 min)", f"{machine['load']} before, {results.load_after} after"),
    ]
    blas = [
        (
            pool.get("user_api", ""),
            pool.get("internal_api", ""),
            pool.get("prefix", ""),
            pool.get("version") or "–",
            pool.get("num_threads", ""),
            pool.get("architecture", "–"),
        )
        for pool in env.get("blas", [])
    ]
    return "\n\n".join(
        [
            "## Machine and settings",
            table(("", ""), rows),
            "Thread pools loaded in a worker that imported NumPy, SciPy, scikit-learn and "
            "PyTorch (`threadpoolctl.threadpool_info()`):",
            table(("API", "implementation", "library", "version", "threads", "architecture"), blas),
        ]
    )


def lesson_section(results: Results) -> str:
    plan = results.plan
    n = plan.n_train
    floor = floor_seconds(results.floor, n)
    epoch = {lib: stats(pooled(runs, "epoch_seconds")) for lib, runs in results.lesson.items()}
    torch_median = median_of(epoch.get("torch"))
    rows = []
    for lib, s in epoch.items():
        rows.append(
            (
                LIBRARY_NAMES[lib],
                OPTIMIZERS[lib],
                fmt_time(median_of(s)),
                fmt_time(s.low if s else None),
                fmt_time(s.high if s else None),
                s.count if s else 0,
                fmt_ratio(median_of(s), torch_median),
                "–" if floor is None or s is None else f"{floor / s.median:.0%}",
            )
        )
    return "\n\n".join(
        [
            "## 1. The lesson's MLP on MNIST: seconds per epoch",
            f"784 → 512 relu → 10 softmax, categorical cross-entropy, batch {LESSON_BATCH}, "
            f"float32, on the first {n:,} MNIST training images (the real files), accuracy "
            "computed on every batch as the lesson's `metrics=['accuracy']` asks. glassnet "
            "trains through `model.fit(epochs=1)` (the model of `experiments.mnist.lesson_mlp`), "
            "PyTorch through the usual loop (random permutation, gather, zero_grad, forward, "
            "CrossEntropyLoss, backward, step, loss read back), scikit-learn through "
            "`MLPClassifier(hidden_layer_sizes=(512,), solver='adam', batch_size=128, "
            "max_iter=1, warm_start=True, alpha=0).fit` once per epoch (ConvergenceWarning "
            "silenced).",
            table(
                (
                    "library",
                    "optimizer",
                    "s/epoch (median)",
                    "min",
                    "max",
                    "epochs timed",
                    "time ÷ PyTorch's",
                    "matmul floor ÷ epoch time",
                ),
                rows,
            )
            + failure_note(results.lesson),
            floor_text(results, n, floor),
            predict_text(results),
        ]
    )


def floor_seconds(floor_runs: Runs, n: int) -> float | None:
    """Seconds per epoch the lesson's matmuls alone take at NumPy's measured rates."""
    shapes = floor_shapes(floor_runs)
    if not shapes:
        return None
    return sum(seconds * n / LESSON_BATCH for _, seconds in shapes)


def floor_shapes(floor_runs: Runs) -> list[tuple[dict[str, Any], float]]:
    """(product, fastest seconds per call in any floor process) for each training product."""
    ok = [run for run in floor_runs if "shapes" in run]
    if not ok:
        return []
    return [
        (product, min(run["shapes"][i]["seconds"] for run in ok))
        for i, product in enumerate(ok[0]["shapes"])
    ]


def floor_text(results: Results, n: int, floor: float | None) -> str:
    flops = epoch_flops(n, LESSON_HIDDEN)
    sizes = layer_sizes(LESSON_HIDDEN)
    forward = 2 * n * sum(i * o for i, o in itertools.pairwise(sizes))
    weights = forward
    inputs = flops - forward - weights
    lines = [
        "### The machine's floor",
        f"Matmul FLOPs per epoch on {n:,} images: forward 2·n·(784·512 + 512·10) = "
        f"{forward:,}; weight gradients the same, {weights:,}; input gradient of the second "
        f"layer only (the first layer needs none) 2·n·512·10 = {inputs:,}; in all "
        f"**{flops:,} FLOPs ({flops / 1e9:.1f} GFLOP)**. Bias adds, activations, the loss and "
        "the optimizer are not counted: the floor is the time the matrix products alone take "
        "at the best float32 rate NumPy reaches at each training shape (X is the layer's input, "
        "transposed operands are views, as in glassnet), measured in this run on the same "
        f"threads: the fastest of {results.plan.floor_rounds} timed blocks per shape (the shapes "
        f"taking turns) in any of {len(results.floor)} process(es), since other work can only "
        "slow a block down. The last column of the table above is "
        "that floor divided by each library's median epoch time.",
    ]
    shapes = floor_shapes(results.floor)
    if not shapes or floor is None:
        return "\n\n".join(
            [*lines, "The floor measurement failed." + failure_note({"floor": results.floor})]
        )
    rows = []
    for product, seconds in shapes:
        m, k, p = product["m"], product["k"], product["n"]
        per_call = 2 * m * k * p
        rows.append(
            (
                product["name"],
                f"({m}×{k})·({k}×{p})",
                f"{per_call / seconds / 1e9:.1f}",
                fmt_time(seconds * n / LESSON_BATCH),
            )
        )
    rows.append(("**all products**", "", f"{flops / floor / 1e9:.1f}", f"**{fmt_time(floor)}**"))
    square = [run["square"] for run in results.floor if "square" in run]
    side = square[0]["side"] if square else 0
    peak = max(2 * side**3 / s["seconds"] for s in square) if square else None
    peak_text = (
        f"For reference, a large square product ({side}×{side})·({side}×{side}) runs at "
        f"{peak / 1e9:.1f} GFLOP/s."
        if peak
        else ""
    )
    return "\n\n".join(
        [
            *lines,
            table(("product", "shape (batch 128)", "GFLOP/s", "seconds per epoch"), rows),
            peak_text,
        ]
    )


def predict_text(results: Results) -> str:
    n_test = results.plan.n_test
    rows = []
    per_lib = {lib: stats(pooled(runs, "predict_seconds")) for lib, runs in results.lesson.items()}
    torch_median = median_of(per_lib.get("torch"))
    for lib, s in per_lib.items():
        rows.append(
            (
                LIBRARY_NAMES[lib],
                "all at once" if lib == "sklearn" else PREDICT_BATCH,
                "failed" if s is None else f"{n_test / s.median:,.0f}",
                fmt_range(s),
                fmt_ratio(median_of(s), torch_median),
            )
        )
    return "\n\n".join(
        [
            "### Prediction throughput",
            f"Class probabilities for the first {n_test:,} test images, by the model just "
            "trained: glassnet `model.predict(x, batch_size=1024)`, PyTorch forward + softmax "
            "under `torch.inference_mode()` in batches of 1024, scikit-learn `predict_proba`. "
            "One untimed call, then the median of 5.",
            table(
                (
                    "library",
                    "batch",
                    "images/s (median)",
                    f"time for {n_test:,} images",
                    "time ÷ PyTorch's",
                ),
                rows,
            ),
        ]
    )


def paper_section(results: Results) -> str:
    plan = results.plan
    per_variant = {v: stats(pooled(runs, "step_seconds")) for v, runs in results.paper.items()}
    torch_median = median_of(per_variant.get("PyTorch loop"))
    numpy_median = median_of(per_variant.get("NumPy by hand"))
    rows = [
        (
            variant,
            fmt_time(median_of(s)),
            fmt_time(s.low if s else None),
            fmt_time(s.high if s else None),
            fmt_ratio(median_of(s), torch_median),
            fmt_ratio(median_of(s), numpy_median),
        )
        for variant, s in per_variant.items()
    ]
    return "\n\n".join(
        [
            "## 2. The paper's network: time per training step",
            "3 → 2 tanh → 1 sigmoid, mean squared error, full batch of the 4 samples, gradient "
            "descent with learning rate 0.5, float32. One epoch is one step. "
            f"Each process warms up for {plan.paper_steps // 10} steps, then times "
            f"{plan.paper_blocks} blocks of {plan.paper_steps:,} steps; the table gives the time "
            "per step. `fit(epochs=N)` is glassnet's loop inside one `fit`; "
            "`fit(epochs=1) per step` calls `fit` once per epoch, so it adds `fit`'s per-call "
            "cost (input checks, callbacks, History). The PyTorch loop is zero_grad, forward, "
            "MSELoss, backward, step and `loss.item()`; the NumPy step is the same formulas "
            "written out by hand.",
            table(
                (
                    "variant",
                    "time per step (median)",
                    "min",
                    "max",
                    "÷ PyTorch loop",
                    "÷ NumPy by hand",
                ),
                rows,
            )
            + failure_note(results.paper),
        ]
    )


SCALING_TITLES = {
    "width": ("hidden width", "one hidden relu layer of this width, batch 128"),
    "batch": ("batch size", "one hidden relu layer of 512, this batch size"),
    "depth": ("hidden layers", "this many hidden relu layers of 512, batch 128"),
}


def scaling_section(results: Results) -> str:
    n = results.plan.scaling_images
    parts = [
        "## 3. Scaling: seconds per epoch",
        f"The lesson's MLP on the first {n:,} training images, glassnet (`fit`) against "
        "PyTorch (the loop of table 1), both with RMSprop, while one dimension grows. GFLOP/s "
        "is the exact matmul FLOP count of the epoch divided by its median time.",
    ]
    for table_name, points in results.scaling.items():
        label, meaning = SCALING_TITLES[table_name]
        rows = []
        groups: dict[str, Runs] = {}
        for point in points:
            value, hidden, runs = point.value, point.hidden, point.runs
            g = stats(pooled(runs.get("glassnet", []), "epoch_seconds"))
            t = stats(pooled(runs.get("torch", []), "epoch_seconds"))
            flops = epoch_flops(n, hidden)
            rows.append(
                (
                    value,
                    fmt_range(g),
                    fmt_range(t),
                    fmt_ratio(median_of(g), median_of(t)),
                    "–" if g is None else f"{flops / g.median / 1e9:.1f}",
                    "–" if t is None else f"{flops / t.median / 1e9:.1f}",
                )
            )
            groups.update({f"{label} {value} {lib}": r for lib, r in runs.items()})
        parts += [
            f"### By {label} ({meaning})",
            table(
                (
                    label,
                    "glassnet s/epoch",
                    "PyTorch s/epoch",
                    "glassnet ÷ PyTorch",
                    "glassnet GFLOP/s",
                    "PyTorch GFLOP/s",
                ),
                rows,
            )
            + failure_note(groups),
        ]
    return "\n\n".join(parts)


def threads_section(results: Results) -> str:
    n = results.plan.n_train
    rows = []
    medians: dict[str, dict[int, float | None]] = {"glassnet": {}, "torch": {}}
    for threads, runs in sorted(results.threads_table.items()):
        g = stats(pooled(runs.get("glassnet", []), "epoch_seconds"))
        t = stats(pooled(runs.get("torch", []), "epoch_seconds"))
        medians["glassnet"][threads], medians["torch"][threads] = median_of(g), median_of(t)
        rows.append((threads, fmt_range(g), fmt_range(t), fmt_ratio(median_of(g), median_of(t))))
    counts = sorted(results.threads_table)
    speedups = ""
    if len(counts) >= 2:
        one, most = counts[0], counts[-1]
        speedups = (
            f"Going from {one} to {most} threads, glassnet's epoch takes "
            f"{fmt_ratio(medians['glassnet'][most], medians['glassnet'][one])} and PyTorch's "
            f"{fmt_ratio(medians['torch'][most], medians['torch'][one])} of its "
            f"{one}-thread time."
        )
    groups = {
        f"{threads} threads {lib}": r
        for threads, runs in results.threads_table.items()
        for lib, r in runs.items()
    }
    return "\n\n".join(
        [
            "## 4. Threads",
            f"The lesson's MLP on {n:,} images (as in table 1), with the BLAS / intra-op "
            "threads set for every library through the environment and `glassnet.set_threads(n)` "
            "or `torch.set_num_threads(n)`. "
            f"The {results.threads}-thread row reuses the processes of table 1.",
            table(("threads", "glassnet s/epoch", "PyTorch s/epoch", "glassnet ÷ PyTorch"), rows)
            + failure_note(groups),
            speedups,
        ]
    )


def expected_bytes(n: int) -> dict[str, int]:
    """The memory the lesson's training needs in principle, in float32 bytes."""
    sizes = layer_sizes(LESSON_HIDDEN)
    data = n * (INPUTS + sizes[-1]) * 4  # pixels and one-hot targets
    params = parameter_count(LESSON_HIDDEN) * 4
    activations = LESSON_BATCH * (INPUTS + 2 * sum(sizes[1:])) * 4  # the batch, Z and A per layer
    return {"data": data, "params": params, "activations": activations}


def memory_section(results: Results) -> str:
    n = results.plan.n_train
    expected = expected_bytes(n)
    total_expected = sum(expected.values())
    rows = []
    reset_ok = True
    for lib, runs in results.lesson.items():
        measured = next((run for run in runs if "memory" in run), None)
        if measured is None:
            rows.append((LIBRARY_NAMES[lib], *["failed"] * 5, fmt_mb(total_expected)))
            continue
        memory = measured["memory"]
        reset_ok &= memory["peak_was_reset"]
        libraries = measured["rss_libraries"]
        rows.append(
            (
                LIBRARY_NAMES[lib],
                fmt_mb(libraries),
                fmt_mb(memory["rss_ready"] - libraries),
                fmt_mb(memory["peak"] - memory["rss_ready"]),
                fmt_mb(memory["peak"]),
                fmt_mb(memory["numpy_peak"]) if memory["numpy_peak"] is not None else "not seen",
                fmt_mb(total_expected),
            )
        )
    method = (
        "The peak is `getrusage(RUSAGE_SELF).ru_maxrss` after the epoch, the high-water mark "
        "having been reset to the current RSS just before it (`/proc/self/clear_refs`)."
        if reset_ok
        else "The kernel refused to reset the RSS high-water mark, so the peak may include "
        "what the process reached before the epoch."
    )
    return "\n\n".join(
        [
            "## 5. Peak memory of one epoch",
            f"The warm-up epoch of the first process of each library in table 1 ({n:,} images): "
            "RSS after importing the library, what loading the data and building the model "
            "added, and how far the epoch pushed the peak above that. "
            + method
            + " NumPy's own peak allocation during the epoch comes from tracemalloc (PyTorch's "
            "allocator is invisible to it). Expected: data "
            f"({n:,}×(784 + 10) float32 = {fmt_mb(expected['data'])}) + parameters "
            f"({parameter_count(LESSON_HIDDEN):,} float32 = {fmt_mb(expected['params'])}) + one "
            f"batch's activations (128×(784 + 2·512 + 2·10) float32 = "
            f"{fmt_mb(expected['activations'])}); gradients and optimizer state add two to "
            "three more copies of the parameters.",
            table(
                (
                    "library",
                    "RSS: interpreter + library",
                    "+ data and model",
                    "+ epoch (peak above that)",
                    "peak RSS",
                    "NumPy peak during the epoch",
                    "expected: data + params + batch",
                ),
                rows,
            ),
        ]
    )


STUDY_MODES = {
    "serial": "serial (`n_jobs=1`)",
    "joblib": "joblib processes (`n_jobs=2`)",
    "dask": "joblib's Dask backend on a `LocalCluster` (2 workers × 1 thread)",
}


def study_section(results: Results) -> str:
    seeds = results.plan.study_seeds
    serial = median_of(stats(pooled_seconds(results.study.get("serial", []))))
    rows = []
    for mode, runs in results.study.items():
        unavailable = next((run["unavailable"] for run in runs if "unavailable" in run), None)
        s = stats(pooled_seconds(runs))
        starts = [run["cluster_start"] for run in runs if "cluster_start" in run]
        note = unavailable or (
            f"cluster start-up {fmt_time(statistics.median(starts))}, not included"
            if starts
            else "includes starting the worker processes"
            if mode == "joblib"
            else ""
        )
        speedup = "–" if s is None or serial is None else f"{serial / s.median:.2f}×"
        wall = "not run" if unavailable and s is None else fmt_range(s)
        rows.append((STUDY_MODES[mode], wall, len(pooled_seconds(runs)), speedup, note))
    return "\n\n".join(
        [
            "## 6. The activation study: serial and parallel",
            f"`experiments.activations.run(seeds={seeds})`: the paper's network with sigmoid "
            f"and with tanh hidden units from {seeds} seeds each, 100 epochs per run "
            f"({2 * seeds} runs). Each mode runs in a fresh process; parallel workers get one "
            "BLAS thread each.",
            table(("mode", "wall time", "runs timed", "speed-up over serial", "note"), rows)
            + failure_note(results.study),
        ]
    )


def pooled_seconds(runs: Runs) -> list[float]:
    return [run["seconds"] for run in runs if "seconds" in run]


FILE_GROUPS = {
    "core.py": "Dense forward / backward: the matmuls, the bias add and reduce",
    "optimizers.py": "optimizer update: elementwise RMSprop over every parameter",
    "activations.py": "activations: relu, softmax (elementwise)",
    "losses.py": "loss value and fused gradient",
    "metrics.py": "accuracy metric",
    "trainer.py": "fit's Python loop and the batch gather x[order[batch]]",
    "tape.py": "the engine: recording each layer call and walking the record back",
    "base.py": "the engine: recording each layer call and walking the record back",
    "sequential.py": "the engine: recording each layer call and walking the record back",
    "model.py": "the engine: recording each layer call and walking the record back",
    "callbacks.py": "callbacks (the History)",
    "~": "NumPy calls made directly from Python (reductions, argmax, …)",
}


def profile_section(results: Results) -> str:
    profile = results.profile
    if "functions" not in profile:
        return "## Where glassnet's epoch goes\n\nThe profile failed: " + profile.get(
            "error", "no result"
        )
    profiled = profile["profiled_seconds"]
    functions = profile["functions"]
    groups: dict[str, float] = {}
    for row in functions:
        key = FILE_GROUPS.get(row["file"], "other")
        groups[key] = groups.get(key, 0.0) + row["seconds"]
    group_rows = [
        (name, fmt_time(own), f"{own / profiled:.0%}")
        for name, own in sorted(groups.items(), key=lambda item: -item[1])
    ]
    function_rows = [
        (
            f"`{row['file']}:{row['line']}({row['function']})`",
            f"{row['calls']:,}",
            fmt_time(row["seconds"]),
            f"{row['seconds'] / profiled:.0%}",
        )
        for row in functions[:10]
    ]
    floor = floor_seconds(results.floor, results.plan.n_train)
    floor_text = (
        ""
        if floor is None
        else f" At NumPy's best rates (table 1) the matmuls alone would take {fmt_time(floor)}, "
        f"{floor / profile['epoch_seconds']:.0%} of the unprofiled epoch. On a quiet machine "
        "the rest is elementwise work (bias, activations, loss, optimizer), the batch gather and "
        "Python; on a busy one it is mostly BLAS threads inside the matmuls waiting for a core."
    )
    return "\n\n".join(
        [
            "## Where glassnet's epoch goes",
            f"`cProfile` of one glassnet epoch of the lesson's MLP ({results.plan.n_train:,} "
            "images, after a warm-up epoch, in its own process): "
            f"{fmt_time(profile['epoch_seconds'])} without the profiler, {fmt_time(profiled)} "
            "with it. Own time (tottime) of every function, grouped by where it is spent (a "
            "matmul written `@` counts toward the function that writes it), then the ten most "
            "expensive functions." + floor_text,
            table(("where", "seconds", "share of the epoch"), group_rows),
            table(("function", "calls", "own time", "share"), function_rows),
        ]
    )


def reproduce_section(results: Results) -> str:
    return "\n\n".join(
        [
            "## How to reproduce",
            "```bash\n"
            "pip install -e . torch scikit-learn 'dask[distributed]'   # dask is optional\n"
            "export GLASSNET_DATA=/path/to/datasets   # holds mnist/\n"
            "python benchmarks/bench.py               # full: ~10-15 min on 2 cores\n"
            "python benchmarks/bench.py --quick       # 1-2 min check\n"
            "```",
            "`GLASSNET_DATA` is a folder holding `mnist/` with the four IDX files (without it, "
            "glassnet downloads MNIST into its cache). Options: `--threads N` (default: the "
            "number of usable cores), `--out PATH` (default: benchmarks/RESULTS.md). Other "
            "work on the machine shows as wide min–max ranges and a high load average above: "
            "rerun on a quiet machine before trusting a ratio.",
        ]
    )


SECTIONS: list[Callable[[Results], str]] = [
    header,
    machine_section,
    lesson_section,
    paper_section,
    scaling_section,
    threads_section,
    memory_section,
    study_section,
    profile_section,
    reproduce_section,
]


def render(results: Results) -> str:
    """The whole RESULTS.md."""
    return "\n\n".join(section(results) for section in SECTIONS) + "\n"
