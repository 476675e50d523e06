"""The measurements of benchmarks/bench.py, each run inside its own worker process.

``bench.py --worker SPEC`` calls `run_task` with a JSON spec and prints the JSON result. A fresh
process per measurement means no library's warm caches, thread pools or memory leak into
another's numbers. Every task sets its thread count itself (the parent also sets the
OMP/OpenBLAS/MKL environment variables), so all libraries run on the same number of threads.
"""

from __future__ import annotations

import cProfile
import importlib
import itertools
import os
import platform
import pstats
import resource
import time
import tracemalloc
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

Spec = dict[str, Any]
Result = dict[str, Any]

INPUTS = 784  # 28 × 28 pixels
CLASSES = 10
PREDICT_BATCH = 1024
PREDICT_REPEATS = 5
LIBRARY_MODULES = {  # what each library needs imported before any data is loaded
    "glassnet": "glassnet.experiments.mnist",
    "torch": "torch",
    "sklearn": "sklearn.neural_network",
}


# -- FLOPs (pure Python: the parent uses them too) ---------------------------------------------
def layer_sizes(hidden: Sequence[int]) -> list[int]:
    """Widths of every layer of the MLP, input and output included: [784, *hidden, 10]."""
    return [INPUTS, *hidden, CLASSES]


def matmuls(hidden: Sequence[int], batch: int) -> list[dict[str, Any]]:
    """The matrix products of one training step, with the shapes glassnet gives them.

    For layer l with fan-in i and fan-out o: forward Z = X·W (b×i)(i×o); backward dW = Xᵀ·dZ
    (i×b)(b×o) and, except for the first layer, dX = dZ·Wᵀ (b×o)(o×i). Each costs 2·b·i·o
    floating-point operations (one multiply and one add per term).
    """
    sizes = layer_sizes(hidden)
    products = []
    for layer, (i, o) in enumerate(itertools.pairwise(sizes), start=1):
        products.append({"name": f"Z{layer} = X·W{layer}", "m": batch, "k": i, "n": o})
        products.append({"name": f"dW{layer} = Xᵀ·dZ{layer}", "m": i, "k": batch, "n": o})
        if layer > 1:
            products.append(
                {"name": f"dX{layer} = dZ{layer}·W{layer}ᵀ", "m": batch, "k": o, "n": i}
            )
    return products


def epoch_flops(n: int, hidden: Sequence[int]) -> int:
    """Exact matmul FLOPs of one training epoch on n samples (bias adds and activations excluded).

    2·n·Σ_l i_l·o_l forward, the same for the weight gradients, and again for the input
    gradients of every layer but the first. The batch size cancels out.
    """
    sizes = layer_sizes(hidden)
    terms = [i * o for i, o in itertools.pairwise(sizes)]
    return 2 * n * (2 * sum(terms) + sum(terms[1:]))


def parameter_count(hidden: Sequence[int]) -> int:
    """Weights and biases of the MLP."""
    sizes = layer_sizes(hidden)
    return sum(i * o + o for i, o in itertools.pairwise(sizes))


# -- timing and memory primitives --------------------------------------------------------------
def seconds(fn: Callable[[], Any]) -> float:
    """Wall time of one call."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def best_seconds_per_call(
    fns: dict[str, Callable[[], Any]], min_block: float, rounds: int
) -> dict[str, float]:
    """For each function, the mean time per call in its fastest block (of ``rounds``).

    The fastest, not the median: this measures a floor, and other work on the machine can only
    slow a block down. The functions take turns block by block, so a burst of other work
    slows one block of each rather than every block of one. A block lasts ≥ ``min_block`` s;
    on a busy machine, rounds stop (after the third) once three times the planned time is spent.
    """
    calls = {name: calls_per_block(fn, min_block) for name, fn in fns.items()}
    best = dict.fromkeys(fns, float("inf"))
    budget = time.perf_counter() + 3 * rounds * len(fns) * min_block
    for done in range(rounds):
        if done >= 3 and time.perf_counter() > budget:
            break
        for name, fn in fns.items():
            best[name] = min(best[name], block_seconds(fn, calls[name]) / calls[name])
    return best


def calls_per_block(fn: Callable[[], Any], min_block: float) -> int:
    """How many calls in a row last at least ``min_block`` seconds (a power of two)."""
    fn()
    calls = 1
    while block_seconds(fn, calls) < min_block:
        calls *= 2
    return calls


def block_seconds(fn: Callable[[], Any], calls: int) -> float:
    """Wall time of ``calls`` calls in a row."""
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return time.perf_counter() - start


def current_rss() -> int:
    """Resident set size of this process now, in bytes."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def peak_rss() -> int:
    """The process's peak resident set size (getrusage's ru_maxrss, KiB on Linux), in bytes."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def reset_peak_rss() -> bool:
    """Reset the peak RSS to the current RSS (Linux ≥ 4.0); False if the kernel refuses."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        return False
    return True


def epoch_memory(run_epoch: Callable[[], Any], trace_numpy: bool) -> Result:
    """Run one epoch and report the peak RSS during it and, optionally, NumPy's peak allocation.

    tracemalloc sees NumPy's array buffers but not PyTorch's, so it is used for NumPy libraries
    only; the RSS peak covers every library.
    """
    ready = current_rss()
    reset = reset_peak_rss()
    before = peak_rss()
    if trace_numpy:
        tracemalloc.start()
    run_epoch()
    numpy_peak = tracemalloc.get_traced_memory()[1] if trace_numpy else None
    tracemalloc.stop()
    return {
        "rss_ready": ready,
        "peak": peak_rss(),
        "peak_before": before,
        "peak_was_reset": reset,
        "numpy_peak": numpy_peak,
    }


# -- data ------------------------------------------------------------------------------------
def load_split(data_dir: str, split: str, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The first ``n`` images (float32 rows of 784 pixels in [0, 1]) and labels of a split.

    Memory-mapped, then only those rows copied in: no temporary, so the peak RSS before an
    epoch is the data itself.
    """
    folder = Path(data_dir)
    x = np.array(np.load(folder / f"x_{split}.npy", mmap_mode="r")[:n])
    y = np.array(np.load(folder / f"y_{split}.npy", mmap_mode="r")[:n])
    return x, y


def prepare_data(spec: Spec) -> Result:
    """Read MNIST once with glassnet's loader and store it as plain .npy files for the workers."""
    from glassnet.experiments import mnist

    name, ((x_train, y_train), (x_test, y_test)), notes = mnist.load("mnist")
    folder = Path(spec["data"])
    for split, x, y in (("train", x_train, y_train), ("test", x_test, y_test)):
        np.save(folder / f"x_{split}.npy", np.ascontiguousarray(x, dtype=np.float32))
        np.save(folder / f"y_{split}.npy", np.asarray(y, dtype=np.int64))
    return {"dataset": name, "train": len(x_train), "test": len(x_test), "notes": notes}


# -- the MLP in each library -------------------------------------------------------------------
class Trainer(Protocol):
    """One library's MLP: ``epoch()`` trains one pass over the data, ``predict`` gives outputs."""

    def epoch(self) -> None: ...

    def predict(self, x: np.ndarray) -> Any: ...


class GlassnetTrainer:
    """glassnet: the lesson's model (RMSprop, categorical cross-entropy, accuracy), via ``fit``."""

    def __init__(self, x: np.ndarray, labels: np.ndarray, hidden: Sequence[int], batch: int):
        import glassnet as gn
        from glassnet import utils

        gn.set_seed(0)
        self.model = glassnet_mlp(hidden)
        self.x, self.y = x, utils.to_categorical(labels, CLASSES)
        self.batch = batch

    def epoch(self) -> None:
        self.model.fit(self.x, self.y, epochs=1, batch_size=self.batch, verbose=0)

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self.model.predict(x, batch_size=PREDICT_BATCH)


def glassnet_mlp(hidden: Sequence[int]) -> Any:
    """The lesson's MLP (`experiments.mnist.lesson_mlp`), with more relu layers when asked."""
    from glassnet import layers, models
    from glassnet.experiments import mnist

    if len(hidden) == 1:
        return mnist.lesson_mlp(INPUTS, hidden[0])
    stack = [layers.Dense(hidden[0], activation="relu", input_shape=(INPUTS,))]
    stack += [layers.Dense(width, activation="relu") for width in hidden[1:]]
    model = models.Sequential([*stack, layers.Dense(CLASSES, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    return model


class TorchTrainer:
    """PyTorch: the same network and update rule, in the usual hand-written training loop.

    RMSprop(lr=0.001, alpha=0.9, eps=1e-7) is Keras's RMSprop except that PyTorch adds ε outside
    the square root, which changes no timing. Like glassnet's ``fit``, every batch is gathered
    from a fresh permutation and its loss and accuracy are read back.
    """

    def __init__(self, x: np.ndarray, labels: np.ndarray, hidden: Sequence[int], batch: int):
        import torch

        torch.manual_seed(0)
        sizes = layer_sizes(hidden)
        stack: list[torch.nn.Module] = []
        for i, o in itertools.pairwise(sizes[:-1]):
            stack += [torch.nn.Linear(i, o), torch.nn.ReLU()]
        self.net = torch.nn.Sequential(*stack, torch.nn.Linear(sizes[-2], sizes[-1]))
        self.optimizer = torch.optim.RMSprop(self.net.parameters(), lr=0.001, alpha=0.9, eps=1e-7)
        self.loss = torch.nn.CrossEntropyLoss()  # softmax + cross-entropy, fused as in glassnet
        self.x, self.y = torch.from_numpy(x), torch.from_numpy(labels)
        self.batch = batch
        self.torch = torch

    def epoch(self) -> None:
        order = self.torch.randperm(len(self.x))
        total_loss, correct = 0.0, 0
        for start in range(0, len(self.x), self.batch):
            index = order[start : start + self.batch]
            xb, yb = self.x[index], self.y[index]
            self.optimizer.zero_grad()
            logits = self.net(xb)
            loss = self.loss(logits, yb)
            loss.backward()
            self.optimizer.step()
            total_loss += loss.item() * len(index)
            correct += int((logits.argmax(dim=1) == yb).sum())

    def predict(self, x: np.ndarray) -> Any:
        torch = self.torch
        inputs = torch.from_numpy(x)
        out = torch.empty((len(x), CLASSES))
        with torch.inference_mode():
            for start in range(0, len(x), PREDICT_BATCH):
                logits = self.net(inputs[start : start + PREDICT_BATCH])
                out[start : start + PREDICT_BATCH] = torch.softmax(logits, dim=1)
        return out


class SklearnTrainer:
    """scikit-learn: ``MLPClassifier`` with Adam (it has no RMSprop), one epoch per ``fit`` call.

    ``max_iter=1, warm_start=True`` makes each ``fit`` one more pass over the shuffled data;
    ``alpha=0`` turns off the L2 penalty that glassnet and PyTorch do not apply.
    """

    def __init__(self, x: np.ndarray, labels: np.ndarray, hidden: Sequence[int], batch: int):
        from sklearn.neural_network import MLPClassifier

        self.model = MLPClassifier(
            hidden_layer_sizes=tuple(hidden),
            activation="relu",
            solver="adam",
            learning_rate_init=0.001,
            alpha=0.0,
            batch_size=batch,
            max_iter=1,
            warm_start=True,
            shuffle=True,
            random_state=0,
        )
        self.x, self.y = x, labels

    def epoch(self) -> None:
        from sklearn.exceptions import ConvergenceWarning

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter=1 warns every time
            self.model.fit(self.x, self.y)

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self.model.predict_proba(x)


TRAINERS: dict[str, type[GlassnetTrainer] | type[TorchTrainer] | type[SklearnTrainer]] = {
    "glassnet": GlassnetTrainer,
    "torch": TorchTrainer,
    "sklearn": SklearnTrainer,
}


def set_library_threads(library: str, threads: int) -> None:
    """Apply the thread count through the library's own setting (on top of the environment).

    glassnet: ``glassnet.set_threads``; PyTorch: ``torch.set_num_threads``; NumPy and
    scikit-learn: threadpoolctl on NumPy's BLAS. Each lasts for the rest of the process.
    """
    if library == "torch":
        import torch

        torch.set_num_threads(threads)
    elif library == "glassnet":
        import glassnet as gn

        gn.set_threads(threads)
    else:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=threads, user_api="blas")


# -- tasks -----------------------------------------------------------------------------------
def train_task(spec: Spec) -> Result:
    """One warm-up epoch (its memory measured if asked), timed epochs, then timed predictions."""
    library = spec["library"]
    importlib.import_module(LIBRARY_MODULES[library])
    set_library_threads(library, spec["threads"])
    rss_libraries = current_rss()
    x, labels = load_split(spec["data"], "train", spec["n_train"])
    trainer: Trainer = TRAINERS[library](x, labels, spec["hidden"], spec["batch"])
    result: Result = {"rss_libraries": rss_libraries}
    if spec.get("memory"):
        result["memory"] = epoch_memory(trainer.epoch, trace_numpy=library != "torch")
    else:
        trainer.epoch()  # warm-up: thread pools, caches, optimizer state, first-call paths
    result["epoch_seconds"] = [seconds(trainer.epoch) for _ in range(spec["epochs"])]
    if spec.get("predict"):
        x_test, _ = load_split(spec["data"], "test", spec["n_test"])
        trainer.predict(x_test)
        result["predict_seconds"] = [
            seconds(lambda: trainer.predict(x_test)) for _ in range(PREDICT_REPEATS)
        ]
    return result


def floor_task(spec: Spec) -> Result:
    """NumPy's best float32 matmul rate at each training shape, laid out as glassnet has them."""
    set_library_threads("numpy", spec["threads"])
    rng = np.random.default_rng(0)
    products = matmuls(spec["hidden"], spec["batch"])
    fns = {product["name"]: product_call(product, rng) for product in products}
    side = spec["square"]
    a, b = (rng.random((side, side), dtype=np.float32) for _ in range(2))
    fns["square"] = lambda: a @ b
    best = best_seconds_per_call(fns, spec["min_block"], spec["rounds"])
    return {
        "shapes": [{**product, "seconds": best[product["name"]]} for product in products],
        "square": {"side": side, "seconds": best["square"]},
    }


def product_call(product: dict[str, Any], rng: np.random.Generator) -> Callable[[], Any]:
    """One training product on random operands; Xᵀ and Wᵀ are transposed views, as in glassnet."""
    m, k, n = product["m"], product["k"], product["n"]
    out = np.empty((m, n), dtype=np.float32)
    if "ᵀ·" in product["name"]:  # dW = Xᵀ·dZ: X is stored (batch, fan-in)
        left = rng.random((k, m), dtype=np.float32).T
    else:
        left = rng.random((m, k), dtype=np.float32)
    if product["name"].endswith("ᵀ"):  # dX = dZ·Wᵀ: W is stored (fan-in, fan-out)
        right = rng.random((n, k), dtype=np.float32).T
    else:
        right = rng.random((k, n), dtype=np.float32)
    return lambda: np.matmul(left, right, out=out)


def paper_task(spec: Spec) -> Result:
    """Seconds per training step of the paper's 3-2-1 network, in blocks of ``steps`` steps."""
    run = PAPER_STEPPERS[spec["variant"]](spec["threads"])
    run(spec["steps"] // 10)  # warm-up
    steps = spec["steps"]
    return {"step_seconds": [seconds(lambda: run(steps)) / steps for _ in range(spec["blocks"])]}


def paper_glassnet_fit(threads: int) -> Callable[[int], None]:
    """``model.fit(X, Y, epochs=steps)``: full batch of four, so one epoch is one step."""
    import glassnet as gn
    from glassnet.experiments.paper import X, Y, paper_network

    gn.set_threads(threads)
    model = paper_network("tanh", seed=0, learning_rate=0.5)

    def run(steps: int) -> None:
        model.fit(X, Y, epochs=steps, batch_size=len(X), shuffle=False, verbose=0)

    return run


def paper_glassnet_fit_per_epoch(threads: int) -> Callable[[int], None]:
    """``model.fit(X, Y, epochs=1)`` called once per step: fit's per-call cost included."""
    import glassnet as gn
    from glassnet.experiments.paper import X, Y, paper_network

    gn.set_threads(threads)
    model = paper_network("tanh", seed=0, learning_rate=0.5)

    def run(steps: int) -> None:
        for _ in range(steps):
            model.fit(X, Y, epochs=1, batch_size=len(X), shuffle=False, verbose=0)

    return run


def paper_torch(threads: int) -> Callable[[int], None]:
    """The PyTorch loop: zero_grad, forward, MSELoss, backward, step (and read the loss)."""
    import torch

    from glassnet.experiments.paper import X, Y

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Linear(3, 2), torch.nn.Tanh(), torch.nn.Linear(2, 1), torch.nn.Sigmoid()
    )
    optimizer = torch.optim.SGD(net.parameters(), lr=0.5)
    loss_fn = torch.nn.MSELoss()
    x, y = torch.tensor(X, dtype=torch.float32), torch.tensor(Y, dtype=torch.float32)

    def run(steps: int) -> None:
        for _ in range(steps):
            optimizer.zero_grad()
            loss = loss_fn(net(x), y)
            loss.backward()
            optimizer.step()
            loss.item()  # glassnet's History records every epoch's loss

    return run


def paper_numpy(threads: int) -> Callable[[int], None]:
    """A hand-written float32 NumPy step: forward, MSE, backward, gradient descent."""
    from glassnet.experiments.paper import X, Y

    set_library_threads("numpy", threads)
    rng = np.random.default_rng(0)
    w1, b1, w2, b2 = params = [
        rng.uniform(-1, 1, shape).astype(np.float32) for shape in ((3, 2), (2,), (2, 1), (1,))
    ]
    x, y = X.astype(np.float32), Y.astype(np.float32)
    lr = np.float32(0.5)

    def run(steps: int) -> None:
        for _ in range(steps):
            a1 = np.tanh(x @ w1 + b1)  # A1 = tanh(X·W1 + b1)
            a2 = 1 / (1 + np.exp(-(a1 @ w2 + b2)))  # A2 = σ(A1·W2 + b2)
            float(np.mean((a2 - y) ** 2))  # L = mean (A2 − Y)²
            dz2 = 2 * (a2 - y) / y.size * a2 * (1 - a2)  # dZ2 = ∂L/∂A2 ⊙ σ'
            dz1 = (dz2 @ w2.T) * (1 - a1 * a1)  # dZ1 = dZ2·W2ᵀ ⊙ tanh'
            grads = (x.T @ dz1, dz1.sum(axis=0), a1.T @ dz2, dz2.sum(axis=0))
            for param, grad in zip(params, grads, strict=True):
                param -= lr * grad  # W ← W − lr·∂L/∂W, in place

    return run


PAPER_STEPPERS: dict[str, Callable[[int], Callable[[int], None]]] = {
    "glassnet fit(epochs=N)": paper_glassnet_fit,
    "glassnet fit(epochs=1) per step": paper_glassnet_fit_per_epoch,
    "PyTorch loop": paper_torch,
    "NumPy by hand": paper_numpy,
}


def study_task(spec: Spec) -> Result:
    """Wall time of the 30-seed activation study: serially, with joblib, or on Dask."""
    from glassnet.experiments import activations

    mode, seeds = spec["mode"], spec["seeds"]
    if mode != "dask":
        n_jobs = 1 if mode == "serial" else spec["jobs"]
        return {"seconds": seconds(lambda: activations.run(seeds=seeds, n_jobs=n_jobs))}
    try:
        import joblib
        from dask import distributed
    except ImportError as err:
        return {"unavailable": f"dask.distributed is not importable ({err})"}
    start = time.perf_counter()
    with (
        distributed.LocalCluster(
            n_workers=spec["jobs"], threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
        joblib.parallel_config(backend="dask"),
    ):
        cluster_start = time.perf_counter() - start
        study = seconds(lambda: activations.run(seeds=seeds, n_jobs=-1))
    return {"seconds": study, "cluster_start": cluster_start}


def profile_task(spec: Spec) -> Result:
    """cProfile of one glassnet epoch of the lesson's MLP (after a warm-up epoch)."""
    importlib.import_module(LIBRARY_MODULES["glassnet"])
    set_library_threads("glassnet", spec["threads"])
    x, labels = load_split(spec["data"], "train", spec["n_train"])
    trainer = GlassnetTrainer(x, labels, spec["hidden"], spec["batch"])
    trainer.epoch()
    plain = seconds(trainer.epoch)
    profiler = cProfile.Profile()
    profiled = seconds(lambda: profiler.runcall(trainer.epoch))
    rows = [
        {"file": Path(file).name, "line": line, "function": name, "calls": calls, "seconds": own}
        for (file, line, name), (_, calls, own, _, _) in pstats.Stats(profiler).stats.items()  # type: ignore[attr-defined]
    ]
    rows.sort(key=lambda row: -row["seconds"])
    return {"epoch_seconds": plain, "profiled_seconds": profiled, "functions": rows}


def env_task(spec: Spec) -> Result:
    """Library versions, BLAS libraries and thread counts, as every worker sees them."""
    import joblib
    import scipy
    import sklearn
    import threadpoolctl
    import torch

    import glassnet

    set_library_threads("glassnet", spec["threads"])
    set_library_threads("torch", spec["threads"])
    versions = {
        "Python": platform.python_version(),
        "NumPy": np.__version__,
        "SciPy": scipy.__version__,
        "glassnet": glassnet.__version__,
        "PyTorch": torch.__version__,
        "scikit-learn": sklearn.__version__,
        "threadpoolctl": threadpoolctl.__version__,
        "joblib": joblib.__version__,
    }
    try:
        import dask
        import distributed

        versions["dask / distributed"] = f"{dask.__version__} / {distributed.__version__}"
    except ImportError:
        versions["dask / distributed"] = "not installed"
    return {
        "versions": versions,
        "platform": platform.platform(),
        "blas": threadpoolctl.threadpool_info(),
        "torch_threads": torch.get_num_threads(),
        "torch_mkldnn": torch.backends.mkldnn.is_available(),
    }


TASKS: dict[str, Callable[[Spec], Result]] = {
    "prepare": prepare_data,
    "env": env_task,
    "train": train_task,
    "floor": floor_task,
    "paper": paper_task,
    "study": study_task,
    "profile": profile_task,
}


def run_task(spec: Spec) -> Result:
    """Run the task the spec names and return its result."""
    return TASKS[spec["task"]](spec)
