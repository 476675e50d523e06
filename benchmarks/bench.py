"""Speed benchmarks: glassnet side by side with PyTorch and scikit-learn, in one run.

    GLASSNET_DATA=/path/to/datasets python benchmarks/bench.py           # full, ~10-15 min
    GLASSNET_DATA=/path/to/datasets python benchmarks/bench.py --quick   # 1-2 min check

Measures (1) the lesson's MNIST MLP per epoch against PyTorch, scikit-learn and the machine's
matmul floor, and prediction throughput; (2) the paper's 3-2-1 network per training step;
(3) epoch time as width, batch size and depth grow; (4) 1 against 2 threads; (5) peak memory of
an epoch; (6) the 30-seed activation study serially, with joblib and on Dask; and profiles one
glassnet epoch. Writes benchmarks/RESULTS.md.

Every measurement runs in a fresh process (this script with ``--worker SPEC``; the work itself
is in bench_workers.py), the libraries take turns, and all of them get the same thread count.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # bench_workers and bench_report sit next to this script

from bench_report import (  # noqa: E402
    BUSY_LOAD,
    LESSON_BATCH,
    LESSON_HIDDEN,
    Point,
    Results,
    Runs,
    render,
)
from bench_workers import epoch_flops  # noqa: E402

MARKER = "BENCH-RESULT "
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)
LESSON_LIBRARIES = ("glassnet", "torch", "sklearn")
SCALING_LIBRARIES = ("glassnet", "torch")


@dataclass(frozen=True)
class Plan:
    """The sizes of one run: ``FULL`` for the tables, ``QUICK`` to check the script works."""

    repeats: int  # processes per library and measurement, taken in turns
    epochs: int  # timed epochs per process, after one warm-up epoch
    n_train: int  # MNIST training images for tables 1, 4, 5 and the profile
    n_test: int  # test images for prediction throughput
    scaling_images: int
    scaling_repeats: int
    widths: tuple[int, ...]
    batches: tuple[int, ...]
    depths: tuple[int, ...]
    thread_counts: tuple[int, ...]
    paper_steps: int
    paper_blocks: int
    study_seeds: int
    study_repeats: int
    floor_block: float  # seconds each block of matmul timings lasts at least
    floor_rounds: int  # blocks per matmul shape, the shapes taking turns
    floor_square: int
    timeout: float  # seconds before a worker is declared hung


FULL = Plan(
    repeats=3,
    epochs=3,
    n_train=60_000,
    n_test=10_000,
    scaling_images=10_000,
    scaling_repeats=2,
    widths=(128, 512, 1024, 2048, 4096),
    batches=(16, 64, 256, 1024),
    depths=(1, 2, 4, 8),
    thread_counts=(1, 2),
    paper_steps=2000,
    paper_blocks=5,
    study_seeds=30,
    study_repeats=3,
    floor_block=0.1,
    floor_rounds=15,
    floor_square=2048,
    timeout=900,
)
QUICK = Plan(
    repeats=1,
    epochs=2,
    n_train=6_000,
    n_test=2_000,
    scaling_images=2_000,
    scaling_repeats=1,
    widths=(128, 512),
    batches=(64, 256),
    depths=(1, 2),
    thread_counts=(1, 2),
    paper_steps=500,
    paper_blocks=3,
    study_seeds=10,
    study_repeats=1,
    floor_block=0.03,
    floor_rounds=10,
    floor_square=512,
    timeout=300,
)


class Runner:
    """Runs one measurement in a fresh worker process with a given number of threads."""

    def __init__(self, threads: int, data_dir: str, timeout: float) -> None:
        self.threads = threads
        self.data_dir = data_dir
        self.timeout = timeout
        self.count = 0

    def __call__(self, spec: dict[str, Any], threads: int | None = None) -> dict[str, Any]:
        """The worker's result, or ``{"error": ...}`` (the traceback goes to the console)."""
        threads = threads or self.threads
        spec = {**spec, "threads": threads, "data": self.data_dir}
        self.count += 1
        label = " ".join(f"{k}={v}" for k, v in spec.items() if k not in ("data", "task"))
        print(f"[{self.count:3d}] {spec['task']}: {label} … ", end="", file=sys.stderr, flush=True)
        start = time.perf_counter()
        result = run_worker(spec, thread_environment(threads), self.timeout)
        outcome = "FAILED: " + result["error"] if "error" in result else "ok"
        print(f"{time.perf_counter() - start:.1f} s {outcome}", file=sys.stderr, flush=True)
        return result


def thread_environment(threads: int) -> dict[str, str]:
    """This process's environment with every BLAS/OpenMP thread variable set to ``threads``."""
    return {**os.environ, **dict.fromkeys(THREAD_VARIABLES, str(threads))}


def run_worker(spec: dict[str, Any], env: dict[str, str], timeout: float) -> dict[str, Any]:
    """Run ``bench.py --worker SPEC`` and parse the result line it prints."""
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", json.dumps(spec)]
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"no result after {timeout:.0f} s"}
    lines = [line for line in done.stdout.splitlines() if line.startswith(MARKER)]
    if done.returncode != 0 or not lines:
        sys.stderr.write("\n" + done.stderr[-3000:])
        last = done.stderr.strip().splitlines()[-1:] or [f"exit code {done.returncode}"]
        return {"error": last[0]}
    return json.loads(lines[-1][len(MARKER) :])


# -- the measurements, in turns --------------------------------------------------------------
def bench_lesson(run: Runner, plan: Plan) -> tuple[dict[str, Runs], Runs]:
    """Table 1: the lesson's MLP per library, and NumPy's matmul floor, in turns."""
    lesson: dict[str, Runs] = {lib: [] for lib in LESSON_LIBRARIES}
    floor: Runs = []
    for repeat in range(plan.repeats):
        floor.append(
            run(
                {
                    "task": "floor",
                    "hidden": list(LESSON_HIDDEN),
                    "batch": LESSON_BATCH,
                    "min_block": plan.floor_block,
                    "rounds": plan.floor_rounds,
                    "square": plan.floor_square,
                }
            )
        )
        for library in LESSON_LIBRARIES:
            spec = train_spec(library, LESSON_HIDDEN, LESSON_BATCH, plan.n_train, plan.epochs)
            spec.update(memory=repeat == 0, predict=True, n_test=plan.n_test)
            lesson[library].append(run(spec))
    return lesson, floor


def train_spec(
    library: str, hidden: Sequence[int], batch: int, n_train: int, epochs: int
) -> dict[str, Any]:
    return {
        "task": "train",
        "library": library,
        "hidden": list(hidden),
        "batch": batch,
        "n_train": n_train,
        "epochs": epochs,
    }


def bench_paper(run: Runner, plan: Plan) -> dict[str, Runs]:
    """Table 2: the paper's network, each way of stepping it in its own process, in turns."""
    from bench_workers import PAPER_STEPPERS

    paper: dict[str, Runs] = {variant: [] for variant in PAPER_STEPPERS}
    for _ in range(plan.repeats):
        for variant in PAPER_STEPPERS:
            spec = {"task": "paper", "variant": variant, "steps": plan.paper_steps}
            paper[variant].append(run({**spec, "blocks": plan.paper_blocks}))
    return paper


def scaling_points(plan: Plan) -> dict[str, list[tuple[int, tuple[int, ...], int]]]:
    """For each scaling table: (value shown, hidden widths, batch size) of every row."""
    return {
        "width": [(w, (w,), LESSON_BATCH) for w in plan.widths],
        "batch": [(b, LESSON_HIDDEN, b) for b in plan.batches],
        "depth": [(d, (512,) * d, LESSON_BATCH) for d in plan.depths],
    }


def bench_scaling(run: Runner, plan: Plan) -> dict[str, list[Point]]:
    """Table 3: glassnet and PyTorch in turns at every point; a point shared by two tables
    (e.g. width 512 = depth 1) is measured once."""
    measured: dict[tuple[tuple[int, ...], int], dict[str, Runs]] = {}
    tables: dict[str, list[Point]] = {}
    for name, points in scaling_points(plan).items():
        tables[name] = []
        for value, hidden, batch in points:
            if (hidden, batch) not in measured:
                measured[hidden, batch] = {lib: [] for lib in SCALING_LIBRARIES}
                for _ in range(plan.scaling_repeats):
                    for library in SCALING_LIBRARIES:
                        spec = train_spec(library, hidden, batch, plan.scaling_images, plan.epochs)
                        measured[hidden, batch][library].append(run(spec))
            tables[name].append(Point(value, hidden, batch, measured[hidden, batch]))
    return tables


def bench_threads(run: Runner, plan: Plan, lesson: dict[str, Runs]) -> dict[int, dict[str, Runs]]:
    """Table 4: the lesson's MLP at each thread count; the run's own count reuses table 1."""
    table: dict[int, dict[str, Runs]] = {}
    for threads in plan.thread_counts:
        if threads == run.threads:
            table[threads] = {lib: lesson[lib] for lib in SCALING_LIBRARIES}
            continue
        table[threads] = {lib: [] for lib in SCALING_LIBRARIES}
        for _ in range(plan.repeats):
            for library in SCALING_LIBRARIES:
                spec = train_spec(library, LESSON_HIDDEN, LESSON_BATCH, plan.n_train, plan.epochs)
                table[threads][library].append(run(spec, threads=threads))
    return table


def bench_study(run: Runner, plan: Plan) -> dict[str, Runs]:
    """Table 6: the activation study serially, with joblib, and on a Dask cluster, in turns."""
    modes = ("serial", "joblib", "dask")
    study: dict[str, Runs] = {mode: [] for mode in modes}
    for _ in range(plan.study_repeats):
        for mode in modes:
            study[mode].append(
                run({"task": "study", "mode": mode, "seeds": plan.study_seeds, "jobs": 2})
            )
    return study


def bench_profile(run: Runner, plan: Plan) -> dict[str, Any]:
    """cProfile of one glassnet epoch of the lesson's MLP."""
    spec = train_spec("glassnet", LESSON_HIDDEN, LESSON_BATCH, plan.n_train, epochs=1)
    return run({**spec, "task": "profile"})


# -- the machine --------------------------------------------------------------------------
def machine_info() -> dict[str, str]:
    """CPU model, cores, memory, load average and the glassnet commit, for the report."""
    meminfo = proc_file("meminfo")
    total = next((line.split()[1] for line in meminfo if line.startswith("MemTotal")), "")
    return {
        "cpu": cpu_description(),
        "cores": f"{os.cpu_count()} logical, {usable_cores()} usable by this process",
        "memory": f"{int(total) / 2**20:.1f} GiB" if total else "unknown",
        "load": load_average(),
        "commit": git_commit(),
    }


def proc_file(name: str) -> list[str]:
    """Lines of /proc/<name>, or none off Linux."""
    path = Path("/proc") / name
    return path.read_text().splitlines() if path.exists() else []


def cpu_description() -> str:
    """The CPU model from /proc/cpuinfo, the architecture, and the SIMD units BLAS can use."""
    fields: dict[str, str] = {}
    for line in proc_file("cpuinfo"):
        key, _, value = line.partition(":")
        fields.setdefault(key.strip(), value.strip())  # the first core's values
    flags = fields.get("flags", "").split()
    simd = [flag for flag in ("avx2", "fma", "avx512f") if flag in flags]
    return (
        f"{fields.get('model name', 'unknown')} ({os.uname().machine}; "
        f"{', '.join(simd) or 'no AVX2/FMA/AVX-512'})"
    )


def usable_cores() -> int:
    """Cores this process may run on (the affinity mask where the OS has one)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def load_average() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def git_commit() -> str:
    """The commit of the source tree, and whether it has uncommitted changes."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=HERE,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "src"],
            cwd=HERE.parent,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return f"commit {commit}" + (" with uncommitted changes in src/" if dirty else "")


# -- main ---------------------------------------------------------------------------------
def run_all(plan: Plan, mode: str, threads: int, command: str) -> Results:
    """Every measurement, in table order, into one Results."""
    started = time.perf_counter()
    results = Results(
        mode=mode,
        command=command,
        threads=threads,
        started=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        plan=plan,
        machine=machine_info(),
        busy=os.getloadavg()[0],
    )
    if results.busy >= BUSY_LOAD:
        print(
            f"warning: load average {results.busy:.2f} before the run: other work is running, "
            "timings will be noisy",
            file=sys.stderr,
        )
    with tempfile.TemporaryDirectory(prefix="glassnet-bench-") as data_dir:
        run = Runner(threads, data_dir, plan.timeout)
        prepared = run({"task": "prepare"})
        if "error" in prepared:
            raise SystemExit(f"could not load MNIST: {prepared['error']} (set GLASSNET_DATA?)")
        results.env = run({"task": "env"})
        results.lesson, results.floor = bench_lesson(run, plan)
        results.paper = bench_paper(run, plan)
        results.scaling = bench_scaling(run, plan)
        results.threads_table = bench_threads(run, plan, results.lesson)
        results.study = bench_study(run, plan)
        results.profile = bench_profile(run, plan)
    results.seconds = time.perf_counter() - started
    results.load_after = load_average()
    return results


def worker_main(spec_json: str) -> None:
    """Worker mode: run one measurement and print its result on a marked line."""
    from bench_workers import run_task

    result = run_task(json.loads(spec_json))
    print(MARKER + json.dumps(result), flush=True)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, to check it works")
    parser.add_argument(
        "--threads",
        type=int,
        default=usable_cores(),
        help="threads for every library (default: the usable cores)",
    )
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md", help="where to write")
    parser.add_argument("--worker", metavar="SPEC", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    if args.worker:
        worker_main(args.worker)
        return
    plan, mode = (QUICK, "quick") if args.quick else (FULL, "full")
    command = "python benchmarks/bench.py" + (" --quick" if args.quick else "")
    if args.threads != usable_cores():
        command += f" --threads {args.threads}"
    print(
        f"matmul FLOPs per epoch of the lesson's MLP on {plan.n_train:,} images: "
        f"{epoch_flops(plan.n_train, LESSON_HIDDEN):,}",
        file=sys.stderr,
    )
    results = run_all(plan, mode, args.threads, command)
    args.out.write_text(render(results))
    print(f"wrote {args.out} after {results.seconds / 60:.1f} min", file=sys.stderr)


if __name__ == "__main__":
    main()
