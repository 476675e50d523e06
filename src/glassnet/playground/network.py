"""One network of the playground: built from the page's settings with glassnet's public API,
trained an epoch at a time with ``fit``, and read back (losses, every layer's output, gradient
norms, what went wrong when the loss stopped being finite).

``Sequential(..., seed=seed)`` gives each network a generator of its own for its weights and
shuffles, so networks in different sessions never share random state.
"""

from __future__ import annotations

import itertools
import logging
import math
import threading
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from glassnet import initializers, layers, models, optimizers, regularizers
from glassnet.callbacks import Callback
from glassnet.playground import protocol

log = logging.getLogger("glassnet.playground")

MAIN_NAME = "playground"
COMPARE_NAME = "playground_compare"


def mute_divergence_warnings() -> None:
    """A diverging fit warns (DivergenceWarning); the session reads the same facts from the
    History's stop_reason and shows them on the page, so its own models' warning is muted
    (only theirs: the filter matches their names). Idempotent."""
    warnings.filterwarnings(
        "ignore",
        message=rf"model '({MAIN_NAME}|{COMPARE_NAME})': the loss became",
        category=models.DivergenceWarning,
    )


SATURATION_MARGIN = 0.01  # |a| within 1 % of the asymptote
SATURATED_SHARE = 0.9  # on at least 90 % of the training samples


# -- the network ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class NetworkSpec:
    """Everything one network is built from (export writes the same calls)."""

    n_features: int
    layers: tuple[int, ...]
    activations: tuple[str, ...]
    output: str  # sigmoid, softmax or linear (resolved)
    outputs: int  # output units
    loss: str  # the loss function's name (resolved by protocol.resolve_loss)
    initializer: str  # glorot_uniform or uniform
    optimizer: str
    learning_rate: float
    regularization: str
    regularization_rate: float
    seed: int


def layer_names(count: int) -> list[str]:
    """The Dense layers' names, input side first: dense, dense_1, dense_2, …"""
    return ["dense" if i == 0 else f"dense_{i}" for i in range(count)]


def make_optimizer(name: str, learning_rate: float) -> optimizers.Optimizer:
    """sgd, momentum (SGD with μ = 0.9), rmsprop or adam at this learning rate."""
    if name == "sgd":
        return optimizers.SGD(learning_rate=learning_rate)
    if name == "momentum":
        return optimizers.SGD(learning_rate=learning_rate, momentum=0.9)
    if name == "rmsprop":
        return optimizers.RMSprop(learning_rate=learning_rate)
    return optimizers.Adam(learning_rate=learning_rate)


def make_initializers(name: str) -> dict[str, Any]:
    """The Dense arguments of an initializer choice: none for ``glorot_uniform`` (Dense's
    defaults: Glorot-uniform kernels, zero biases); for ``uniform``, kernels and biases drawn
    from U(−1, 1), as the paper."""
    if name == "uniform":
        return {
            "kernel_initializer": initializers.RandomUniform(-1.0, 1.0),
            "bias_initializer": initializers.RandomUniform(-1.0, 1.0),
        }
    return {}


def make_regularizer(kind: str, rate: float) -> regularizers.Regularizer | None:
    """None, L1(rate) or L2(rate) for one kernel."""
    if kind == "l1":
        return regularizers.L1(rate)
    if kind == "l2":
        return regularizers.L2(rate)
    return None


def build_model(spec: NetworkSpec, name: str = MAIN_NAME) -> models.Sequential:
    """The compiled Sequential model of a spec: Input, one Dense per hidden layer, the output.

    Every kernel (the output layer's too, as TensorFlow Playground) carries the regularizer,
    and every layer the initializers of ``spec.initializer``."""
    names = layer_names(len(spec.layers) + 1)
    stack: list[Any] = [layers.Input((spec.n_features,))]
    for units, activation, layer_name in zip(spec.layers, spec.activations, names, strict=False):
        stack.append(
            layers.Dense(
                units,
                activation=activation,
                kernel_regularizer=make_regularizer(spec.regularization, spec.regularization_rate),
                name=layer_name,
                **make_initializers(spec.initializer),
            )
        )
    stack.append(
        layers.Dense(
            spec.outputs,
            activation=spec.output,
            kernel_regularizer=make_regularizer(spec.regularization, spec.regularization_rate),
            name=names[-1],
            **make_initializers(spec.initializer),
        )
    )
    model = models.Sequential(stack, seed=spec.seed, name=name)
    model.compile(optimizer=make_optimizer(spec.optimizer, spec.learning_rate), loss=spec.loss)
    return model


def fit_targets(y: np.ndarray, output: str) -> np.ndarray:
    """The targets as the loss takes them: labels for softmax, a column otherwise."""
    return y if output == "softmax" else y.reshape(-1, 1)


def set_regularization_rate(model: models.Model, rate: float) -> None:
    """Change the factor of every kernel regularizer in place (L1's l1 or L2's l2)."""
    for layer in model.layers:
        reg = getattr(layer, "kernel_regularizer", None)
        if isinstance(reg, regularizers.L1):
            reg.l1 = rate
        elif isinstance(reg, regularizers.L2):
            reg.l2 = rate


class _Watch(Callback):
    """Per batch: the kernel gradient norms ‖∂L/∂W⁽ˡ⁾‖ of the last good batch (to name the
    layer that blew up), the batches done in the epoch, and a stop request (the page left)."""

    def __init__(self, stop: threading.Event) -> None:
        super().__init__()
        self.stop = stop
        self.batches = 0
        self.norms: list[float] = []
        self.param_norms: list[float] = []
        self.interrupted = False

    def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
        self.batches = 0

    def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
        assert self.model is not None
        self.batches = batch + 1
        self.norms = [_kernel_grad_norm(layer) for layer in self.model.layers]
        self.param_norms = [_param_grad_norm(layer) for layer in self.model.layers]
        if self.stop.is_set():
            self.interrupted = True
            self.model.stop_training = True


def _kernel_grad_norm(layer: Any) -> float:
    grad = layer.kernel.grad
    return float(np.linalg.norm(grad)) if grad is not None else 0.0


def _param_grad_norm(layer: Any) -> float:
    """‖∂L/∂θ⁽ˡ⁾‖ over all of a layer's trainable weights, kernel and bias: a bias can blow up
    while the kernel's gradient is 0 (dead ReLU units feed it zeros)."""
    squares = [
        np.sum(np.square(w.grad, dtype=np.float64))
        for w in layer.trainable_weights
        if w.grad is not None
    ]
    with np.errstate(over="ignore", invalid="ignore"):
        return float(np.sqrt(np.sum(squares)))


# Points of a loss curve kept before it is thinned: more than a chart's width in pixels.
CURVE_MAX_POINTS = 4000
_SERIES_IDS = itertools.count()


@dataclass
class Series:
    """A network's loss curves (append-only): one value per epoch until ``CURVE_MAX_POINTS``, then
    thinned (see :meth:`thinned`) so that a session's memory stays flat however long it runs.
    """

    epoch: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    # unique for the life of the server (unlike id()): tells a connection it has a new curve
    ident: int = field(default_factory=lambda: next(_SERIES_IDS))

    def __len__(self) -> int:
        return len(self.epoch)

    def thinned(self) -> Series:
        """A new series with every other point of this one, the last point kept: the curves
        still span every epoch, with half the points. (New, so that a state already built from
        this one stays valid, and a connection sees it must resend the whole curve.)"""
        keep = [*range(0, len(self.epoch) - 1, 2), len(self.epoch) - 1]
        return Series(
            [self.epoch[i] for i in keep],
            [self.train_loss[i] for i in keep],
            [self.test_loss[i] for i in keep],
        )

    def json(self, start: int = 0, stop: int | None = None) -> dict[str, Any]:
        stop = len(self.epoch) if stop is None else stop
        return {
            "epoch": self.epoch[start:stop],
            "train_loss": protocol.finite(self.train_loss[start:stop]),
            "test_loss": protocol.finite(self.test_loss[start:stop]),
        }


class Network:
    """One model of a session with its probe (a functional Model over the same layers that
    returns every layer's output), its loss curves and its divergence state."""

    def __init__(self, spec: NetworkSpec, name: str, stop: threading.Event, label: str = ""):
        self.spec, self.label = spec, label
        self.model = build_model(spec, name)
        self.dense = [layer for layer in self.model.layers if isinstance(layer, layers.Dense)]
        self.probe = models.Model(
            self.model.inputs, [layer.output for layer in self.dense], name=f"{name}_probe"
        )
        self.watch = _Watch(stop)
        self.series = Series()
        self.diverged = False
        self.message: dict[str, str] | None = None

    def train_epoch(self, epoch: int, x: np.ndarray, y: np.ndarray, batch_size: int) -> None:
        """One epoch of fit; sets ``diverged`` and ``message`` if the loss became NaN/inf."""
        with np.errstate(all="ignore"):
            history = self.model.fit(
                x,
                y,
                batch_size=batch_size,
                epochs=epoch + 1,
                initial_epoch=epoch,
                shuffle=True,
                verbose=0,
                callbacks=[self.watch],
            )
        if history.stop_reason is not None:
            self.diverged = True
            self.message = self._diagnose(epoch, batch_size)

    def losses(self, x: np.ndarray, y: np.ndarray) -> float:
        """The loss on (x, y) as evaluate computes it (penalties included)."""
        with np.errstate(all="ignore"):
            loss: Any = self.model.evaluate(x, y, batch_size=max(len(x), 1), verbose=0)
        return float(loss)

    def record(
        self, epoch: int, train: tuple[np.ndarray, np.ndarray], test: tuple[np.ndarray, np.ndarray]
    ) -> None:
        self.series.epoch.append(epoch)
        self.series.train_loss.append(self.losses(*train))
        self.series.test_loss.append(self.losses(*test))
        if len(self.series) >= CURVE_MAX_POINTS:
            self.series = self.series.thinned()

    def outputs(self, x: np.ndarray) -> list[np.ndarray]:
        """Every Dense layer's output A⁽ˡ⁾ for inputs x (one forward pass)."""
        with np.errstate(all="ignore"):
            outs = self.probe.predict(x, batch_size=max(len(x), 1), verbose=0)
        return [np.asarray(o) for o in (outs if isinstance(outs, list) else [outs])]

    def grad_norms(self, x: np.ndarray, y: np.ndarray) -> list[float | None]:
        """‖∂L/∂W⁽ˡ⁾‖ per Dense layer on the whole training set (no update); after a
        divergence, those of the last good batch."""
        if not self.diverged:
            with np.errstate(all="ignore"):
                result = self.model.train_step(x, y, apply=False)
            if math.isfinite(result.loss):
                return [_kernel_grad_norm(layer) for layer in self.dense]
        return [float(v) for v in self.watch.norms] or [None] * len(self.dense)

    def _diagnose(self, epoch: int, batch_size: int) -> dict[str, str]:
        """Which layer blew up first (input side): non-finite weights, then non-finite
        pre-activations on the failing batch, then the largest gradient norm."""
        step = self.model.last_step
        loss = step.loss if step is not None else float("nan")
        what = "NaN" if math.isnan(loss) else "infinite"
        batch = self.watch.batches + 1
        norms = self.watch.param_norms
        culprit, reason = None, ""
        for i, layer in enumerate(self.dense):
            if not all(np.isfinite(w.value).all() for w in layer.weights):
                culprit, reason = i, "its weights became infinite or NaN"
                break
        if culprit is None and step is not None:
            by_layer = {id(node.op): node for node in step.tape if hasattr(node, "z")}
            for i, layer in enumerate(self.dense):
                node = by_layer.get(id(layer))
                if node is not None and not np.isfinite(node.z).all():
                    culprit, reason = i, "its pre-activations Z overflowed"
                    break
        if culprit is None and norms:
            bad = [i for i, v in enumerate(norms) if not math.isfinite(v)]
            culprit = bad[0] if bad else int(np.argmax(norms))
            reason = ""
        if culprit is None:
            culprit = len(self.dense) - 1
        layer = self.dense[culprit]
        norm = norms[culprit] if culprit < len(norms) else None
        norm_text = (
            f"the gradient of its weights and bias reached {norm:.2g} on the last finite batch"
            if norm is not None and norm > 0
            else ""
        )
        detail = "; ".join(t for t in (reason, norm_text) if t) or "its output was not finite"
        tips = [f"Try a smaller learning rate (now {self.spec.learning_rate:g})"]
        risky = [a for a in self.spec.activations if a in ("relu", "leaky_relu", "linear")]
        if risky:
            tips.append(f"or tanh instead of {risky[0]}")
        if self.spec.regularization != "none" and self.spec.regularization_rate >= 1:
            tips.append(f"or a smaller regularization rate (now {self.spec.regularization_rate:g})")
        where = (
            "The output layer" if culprit == len(self.dense) - 1 else f"Hidden layer {culprit + 1}"
        )
        text = (
            f"The loss became {what} at epoch {epoch + 1}, batch {batch}. "
            f"{where} ({layer.name}) blew up first: {detail}. " + ", ".join(tips) + "."
        )
        return {"title": "Training diverged", "text": text}
