# The trainer is a mixin of Model; its methods type ``self`` as the Model they run on.
# mypy: disable-error-code="misc"
"""The trainer: compile, train_step, fit, evaluate and predict, for every kind of model.

One training step is the same for a Sequential, a functional or a subclassed model:

1. forward: call the model with ``training=True`` while a tape records every layer and op;
2. loss: L = Σₖ wₖ·Lₖ(Yₖ, Aₖ) over the outputs (one output: L = L(Y, A));
3. backward: the tape, walked in reverse, fills each weight's gradient ∂L/∂W;
4. update: the optimizer changes every trainable weight in place.

``train_step(x, y)`` runs it once and returns what it computed (the tape included), which is
what ``fit`` runs per mini-batch and what explain(), gradcheck and the monitors read.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, overload

import numpy as np

from glassnet import callbacks as callbacks_module
from glassnet import config, losses, optimizers
from glassnet import metrics as metrics_module
from glassnet.models.checks import InputChecks
from glassnet.tape import Node, Tape, Tensor, Variable, array_of, recording
from glassnet.utils import check_number, check_positive_int

if TYPE_CHECKING:
    from glassnet.models.model import Model


class DivergenceWarning(UserWarning):
    """Training stopped because the loss became NaN or infinite."""


@dataclass
class StepResult:
    """What one training step computed: the losses, the outputs, the tape and the gradients."""

    loss: float  # L = Σₖ wₖ·Lₖ
    output_losses: list[float]  # Lₖ per output
    outputs: list[np.ndarray]
    tape: Tape
    variables: list[Variable] = field(default_factory=list)
    grads: list[np.ndarray] = field(default_factory=list)
    fused: dict[Node, np.ndarray] = field(default_factory=dict)
    applied: bool = False
    inputs: list[np.ndarray] = field(default_factory=list)
    targets: list[np.ndarray] = field(default_factory=list)


class Trainer(InputChecks):
    """compile / train_step / fit / evaluate / predict, on top of a model's ``__call__``."""

    def __init__(self) -> None:
        self.optimizer: optimizers.Optimizer | None = None
        self.loss: Any = None  # as given to compile (resolved)
        self.output_losses: list[losses.Loss | None] = []
        self._logged_losses: list[int] = []
        self.loss_weights: list[float] = []
        self.metric_names: list[str] = []
        self.metric_specs: list[list[Any]] = []
        self._metric_fns: list[list[Any]] = []
        self._metric_objects: list[metrics_module.Metric] = []
        self._weighted_fns: list[list[metrics_module.Metric]] = []
        self.weighted_metric_names: list[str] = []
        self.stop_training = False
        self.history: callbacks_module.History | None = None
        self.last_step: StepResult | None = None
        self.shuffle_rng: np.random.Generator | None = None
        self._loss_spec: Any = None
        self._loss_weight_spec: Any = None
        self._metric_spec: Any = None
        self._weighted_metric_spec: Any = None
        self._initial_epoch: int | None = None
        self._compile_metrics: _CompileMetrics | None = None

    def __getstate__(self) -> dict[str, Any]:
        # the last step's tape holds a batch of activations: not part of a copy or a pickle
        state = dict(self.__dict__)
        state["last_step"] = None
        return state

    # -- compile ---------------------------------------------------------------------------
    def compile(
        self: Model,
        optimizer: str | optimizers.Optimizer = "rmsprop",
        loss: Any = None,
        metrics: Sequence[Any] | dict[str, Any] | None = None,
        loss_weights: Sequence[float] | dict[str, float] | None = None,
        weighted_metrics: Sequence[Any] | dict[str, Any] | None = None,
        **ignored: Any,
    ) -> None:
        """Choose the optimizer, the loss (one per output, or one for all) and the metrics.

        ``loss=None`` (or None for an output) leaves the loss to the layers' ``add_loss``, as
        in Keras: training then needs at least one loss from somewhere.

        ``weighted_metrics`` are computed with the sample weights (``sample_weight`` or
        ``class_weight`` in fit, ``sample_weight`` in evaluate); ``metrics`` are not. A name in
        both is logged as ``weighted_<name>`` for the weighted one, as in Keras.

        >>> model.compile(optimizer="rmsprop", loss="categorical_crossentropy",
        ...               metrics=["accuracy"])  # doctest: +SKIP
        """
        if metrics is None:
            metrics = []
        if weighted_metrics is None:
            weighted_metrics = []
        for what, spec in (("metrics", metrics), ("weighted_metrics", weighted_metrics)):
            if isinstance(spec, (str, bytes)) or not isinstance(spec, (list, tuple, dict)):
                raise TypeError(f"{what} must be a list such as ['accuracy'], got {spec!r}")
        # Resolve everything first, so that a failed compile leaves the model as it was.
        new_optimizer = optimizers.get(optimizer)
        if isinstance(loss, (list, tuple, dict)):
            for item in loss.values() if isinstance(loss, dict) else loss:
                if item is not None:  # None: no loss for that output, as Keras
                    losses.get(item)
            new_loss: Any = loss
        else:
            new_loss = None if loss is None else losses.get(loss)
        for spec in (metrics, weighted_metrics):
            for m in spec.values() if isinstance(spec, dict) else spec:
                for item in m if isinstance(m, (list, tuple)) else [m]:
                    metrics_module.get(item)  # an unknown name fails here, not at the first fit
        self.optimizer, self.loss = new_optimizer, new_loss
        self._loss_spec, self._loss_weight_spec, self._metric_spec = loss, loss_weights, metrics
        self._weighted_metric_spec = weighted_metrics
        self.output_losses = []
        self._metric_fns = []
        self._metric_objects = []
        if self.built and self._output_count() is not None:
            self._resolve_outputs()

    def get_compile_config(self) -> dict[str, Any]:
        """The arguments ``compile`` was given: loss, loss_weights and metrics (as Keras's)."""
        return {
            "loss": self._loss_spec,
            "loss_weights": self._loss_weight_spec,
            "metrics": self._metric_spec,
            "weighted_metrics": self._weighted_metric_spec or None,
        }

    @property
    def compiled(self) -> bool:
        return self.optimizer is not None

    def require_compiled(self, method: str) -> None:
        if not self.compiled:
            raise RuntimeError(
                f"model {self.name!r} must be compiled before {method}(): call "  # type: ignore[attr-defined]
                "model.compile(optimizer=..., loss=..., metrics=[...]) first"
            )

    @property
    def output_names(self: Model) -> list[str]:
        """One name per output: the layer that makes it (functional), else ``output_1``, …"""
        count = self._output_count() or 1
        return ["output"] if count == 1 else [f"output_{i + 1}" for i in range(count)]

    def _output_count(self: Model) -> int | None:
        outputs = getattr(self, "outputs", None)
        if outputs:
            return len(outputs)
        return len(self._output_shape_list()) if self.built else None

    def _per_output(self: Model, spec: Any, what: str, default: Any) -> list[Any]:
        """A compile argument given once, as a list per output, or as a dict by output name."""
        names = self.output_names
        if spec is None:
            return [default] * len(names)
        if isinstance(spec, dict):
            unknown = set(spec) - set(names)
            if unknown:
                raise ValueError(
                    f"compile {what} names outputs {sorted(unknown)}, but the model's outputs "
                    f"are {names}"
                )
            return [spec.get(n, default) for n in names]
        is_list = isinstance(spec, (list, tuple))
        per_output = is_list and bool(spec) and all(isinstance(m, (list, tuple)) for m in spec)
        if what == "metrics" and is_list and not per_output:
            return [list(spec)] * len(names)  # the same metrics for every output
        if isinstance(spec, (list, tuple)):
            if len(spec) != len(names):
                raise ValueError(
                    f"compile got {len(spec)} {what} for a model with {len(names)} outputs "
                    f"({', '.join(names)})"
                )
            return list(spec)
        return [spec] * len(names)

    def _resolve_outputs(self: Model) -> None:
        """Losses, loss weights and metric functions per output, once the outputs are known."""
        names = self.output_names
        loss_specs = self._per_output(self._loss_spec, "losses", None)
        if isinstance(self._loss_spec, dict) and set(self._loss_spec) != set(names):
            missing = [n for n in names if n not in self._loss_spec]
            raise ValueError(
                f"compile's loss dict has no entry for output(s) {missing}; give every output "
                f"a loss (or None for no loss): outputs are {names}"
            )
        self.output_losses = [None if s is None else losses.get(s) for s in loss_specs]
        self._logged_losses = [i for i, loss in enumerate(self.output_losses) if loss is not None]
        if len(self._logged_losses) < 2:
            self._logged_losses = []  # one loss (or none) per model: "loss" says it all
        self.loss_weights = [
            check_number("loss weight", w)
            for w in self._per_output(self._loss_weight_spec, "loss_weights", 1.0)
        ]
        metric_lists = self._per_output(self._metric_spec, "metrics", [])
        widths = [int(s[-1]) if s[-1] is not None else 1 for s in self._output_shape_list()]
        self.metric_specs = [list(m) if isinstance(m, (list, tuple)) else [m] for m in metric_lists]
        self._metric_fns = [
            [metrics_module.get(m, loss, width) for m in specs]
            for specs, loss, width in zip(
                self.metric_specs, self.output_losses, widths, strict=True
            )
        ]
        weighted_lists = self._per_output(self._weighted_metric_spec, "metrics", [])
        weighted_specs = [list(m) if isinstance(m, (list, tuple)) else [m] for m in weighted_lists]
        self._weighted_fns = self._metric_objects_for(
            weighted_specs, [metrics_module.name_of(m) for specs in weighted_specs for m in specs]
        )
        self._metric_objects = [
            fn for fns in self._metric_fns for fn in fns if isinstance(fn, metrics_module.Metric)
        ] + [fn for fns in self._weighted_fns for fn in fns]
        prefixes = [""] if len(names) == 1 else [f"{n}_" for n in names]
        if len(names) == 1:
            self.metric_names = _unique([metrics_module.name_of(m) for m in self.metric_specs[0]])
            losses_logged = ["loss"]
        else:
            self.metric_names = [
                f"{n}_{metrics_module.name_of(m)}"
                for n, specs in zip(names, self.metric_specs, strict=True)
                for m in specs
            ]
            losses_logged = ["loss", *(f"{names[i]}_loss" for i in self._logged_losses)]
        self.weighted_metric_names = _weighted_names(
            prefixes, weighted_specs, set(self.metric_names)
        )
        self._log_names = [*losses_logged, *self.metric_names, *self.weighted_metric_names]
        self._compile_metrics = None  # Keras's model.metrics, made when first asked for

    def _output_shape_list(self: Model) -> list[tuple[Any, ...]]:
        outputs = getattr(self, "outputs", None)
        if outputs:
            return [tuple(t.shape) for t in outputs]
        if getattr(self, "_output_shapes", None) is None and self.built:
            self._probe(self.build_input_shape)  # built by a call: one more call tells the shapes
        return list(getattr(self, "_output_shapes", []) or [])

    def _prepare(
        self: Model, x: Any, y: Any, method: str
    ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        self.require_compiled(method)
        xs = self._check_x(x)
        if not self.output_losses:
            self._resolve_outputs()
        return xs, self._check_y(y, len(xs[0]))

    # -- one step ----------------------------------------------------------------------------
    def train_step(self: Model, x: Any, y: Any, apply: bool = True) -> StepResult:
        """One step on (x, y): forward, loss, backward and, if ``apply``, the optimizer's update.

        No update happens when the loss is not finite. The result holds the loss, the outputs,
        the tape of the forward pass and every trainable weight's gradient.
        """
        xs, ys = self._prepare(x, y, "train_step")
        variables = self.trainable_weights
        assert self.optimizer is not None
        self.optimizer.check_params([v.value for v in variables])
        return self._step(xs, ys, variables, apply)

    def _forward_outputs(self: Model, xs: list[np.ndarray], training: bool) -> list[Any]:
        """The model called on checked inputs (the model is built)."""
        x = xs[0] if len(xs) == 1 else xs
        if type(self).__dict__.get("calls_layers_directly"):  # Sequential, functional
            out = self.call(x, training=training)
        else:
            out = self(x, training=training)
        return list(out) if isinstance(out, (list, tuple)) else [out]

    def _step(
        self: Model,
        xs: list[np.ndarray],
        ys: list[np.ndarray],
        variables: list[Variable],
        apply: bool = True,
        sample_weights: list[np.ndarray | None] | None = None,
    ) -> StepResult:
        for v in variables:
            v.grad = None
        with Tape() as tape:
            outs = self._forward_outputs(xs, training=True)
            total, parts, seeds, fused = self._loss_terms(ys, outs, sample_weights, variables)
        result = StepResult(
            total, parts, [array_of(o) for o in outs], tape, variables, [], fused, False, xs, ys
        )
        self.last_step = result
        if not math.isfinite(total):
            return result
        tape.backward(seeds, fused)
        grads = [v.grad if v.grad is not None else np.zeros_like(v.value) for v in variables]
        result.grads = grads
        if apply:
            assert self.optimizer is not None
            self.optimizer.apply(
                [v.value for v in variables], grads, names=[v.name for v in variables]
            )
            for v in variables:
                if v.constraint is not None:  # as Keras: projected after each update
                    v.value[...] = v.constraint(v.value)
            result.applied = True
        return result

    def _loss_terms(
        self: Model,
        ys: list[np.ndarray],
        outs: list[Any],
        sample_weights: list[np.ndarray | None] | None = None,
        variables: list[Variable] | None = None,
    ) -> tuple[float, list[float], list[tuple[Tensor, np.ndarray]], dict[Node, np.ndarray]]:
        """L = Σₖ wₖ·Lₖ + Σ R, and where backward starts: ∂L/∂Aₖ, or ∂L/∂Zₖ = wₖ(Aₖ − Yₖ)/n
        when the loss is fused with the output activation (then Lₖ is computed exactly from Zₖ).

        With sample weights sᵢ, as Keras: Lₖ = 1/n Σᵢ sᵢ·Lₖᵢ, and row i of the gradient is
        scaled by sᵢ. Σ R sums, as Keras, the penalties of the regularized trainable weights
        and the losses the layers added while called (add_loss, activity regularizers)."""
        total = 0.0
        parts: list[float] = []
        seeds: list[tuple[Tensor, np.ndarray]] = []
        fused: dict[Node, np.ndarray] = {}
        weights = sample_weights or [None] * len(ys)
        for loss, weight, y, out, sw in zip(
            self.output_losses, self.loss_weights, ys, outs, weights, strict=True
        ):
            if loss is None:  # no loss for this output
                parts.append(0.0)
                continue
            a = array_of(out)
            node = out.node if isinstance(out, Tensor) else None
            if sw is not None:
                value, seed = self._weighted_loss(loss, y, out, sw.astype(a.dtype), node)
                if isinstance(seed, dict):
                    for n_, dz in seed.items():
                        dz = dz if weight == 1.0 else dz * dz.dtype.type(weight)
                        fused[n_] = dz if n_ not in fused else fused[n_] + dz
                elif seed is not None:
                    seeds.append((seed[0], seed[1] if weight == 1.0 else seed[1] * weight))
            elif not loss.has_gradient:
                value_tensor = loss.value(y, out)
                value = float(array_of(value_tensor))
                if isinstance(value_tensor, Tensor):
                    seeds.append((value_tensor, np.asarray(weight, dtype=a.dtype)))
            elif node is not None and _fuses(loss, node):
                value = loss.value_from_logits(y, node.z)
                dz = loss.fused_gradient(y, a)  # ∂L/∂Z = (A − Y)/n
                if weight != 1.0:
                    dz = dz * dz.dtype.type(weight)
                fused[node] = dz if node not in fused else fused[node] + dz
            else:
                value = loss(y, a)
                if node is not None:
                    grad = loss.gradient(y, a)  # ∂L/∂A
                    seeds.append((out, grad if weight == 1.0 else grad * grad.dtype.type(weight)))
            parts.append(value)
            total += weight * value
        tape = recording()
        if tape is not None:
            extras = list(tape.added_losses)
            if not extras and all(loss is None for loss in self.output_losses):
                raise ValueError(
                    f"model {self.name!r} has no loss to compute: compile(loss=...) or add a "
                    "loss in a layer's call with self.add_loss(...)"
                )
            for v in self.trainable_weights if variables is None else variables:
                if v.regularizer is not None:
                    extras.append(v.regularizer(v))  # recorded: the tape differentiates it
            for extra in extras:
                value = array_of(extra)
                total += float(np.sum(value))
                if isinstance(extra, Tensor) and extra.node is not None:
                    seeds.append((extra, np.ones_like(value)))
        return total, parts, seeds, fused

    @staticmethod
    def _weighted_loss(
        loss: losses.Loss, y: np.ndarray, out: Any, sw: np.ndarray, node: Node | None
    ) -> tuple[float, Any]:
        """One output's loss, the loss's reduction of sᵢ·Lᵢ (1/n Σᵢ sᵢ·Lᵢ by default), and where
        its backward starts (a seed or a fused ∂L/∂Z, row i scaled by the reduction)."""
        a = array_of(out)
        if not loss.has_gradient:
            value_tensor = loss.value(y, out, sw)
            seed = (value_tensor, np.asarray(1.0, dtype=a.dtype))
            return float(array_of(value_tensor)), seed if isinstance(value_tensor, Tensor) else None
        if node is not None and _fuses(loss, node):
            return loss.value_from_logits(y, node.z, sw), {node: loss.fused_gradient(y, a, sw)}
        value = loss(y, a, sw)
        return value, (out, loss.gradient(y, a, sw)) if node is not None else None

    # -- fit ---------------------------------------------------------------------------------
    def fit(
        self: Model,
        x: Any = None,
        y: Any = None,
        batch_size: int | None = 32,
        epochs: int = 1,
        verbose: int | str = "auto",
        callbacks: Sequence[callbacks_module.Callback] | None = None,
        validation_split: float = 0.0,
        validation_data: tuple[Any, ...] | None = None,
        shuffle: bool = True,
        class_weight: dict[int, float] | None = None,
        sample_weight: Any = None,
        initial_epoch: int = 0,
        validation_freq: int | Sequence[int] = 1,
    ) -> callbacks_module.History:
        """Train for ``epochs`` passes over (x, y) in mini-batches of ``batch_size``.

        Each batch takes one step of the optimizer on the batch's mean loss; the samples are
        shuffled before every epoch. The arguments and their defaults are Keras 3's; glassnet
        takes NumPy arrays (or anything ``np.asarray`` accepts) where Keras also takes
        ``tf.data`` datasets, generators and ``PyDataset``.

        Args:
            x: the inputs, shape (samples, features…): one array, or for a model with several
                inputs a list of arrays or a dict by input name, as Keras. Cast once to the
                model's float type.
            y: the targets, one row per sample of ``x`` (one-hot rows for
                ``categorical_crossentropy``, integer labels for the sparse one): one array, or
                a list / dict by output name for several outputs. ``None`` when the layers'
                ``add_loss`` is the whole loss, as Keras.
            batch_size: samples per gradient step (``None`` means 32, as Keras); the last batch
                of an epoch holds what is left.
            epochs: the index of the last epoch: training runs epochs ``initial_epoch + 1`` to
                ``epochs``, as Keras (not ``epochs`` more epochs).
            verbose: ``0`` silent, ``1`` a progress bar per epoch, ``2`` one line per epoch;
                ``"auto"`` is 1, as Keras outside a distributed strategy. Written to a file or
                a pipe, the bar becomes one line per epoch.
            callbacks: ``Callback`` objects called at the start and end of training, of each
                epoch and of each batch (``EarlyStopping``, ``ModelCheckpoint``, the monitors…).
                A ``History`` and the progress bar are added for you, as Keras.
            validation_split: the fraction of the samples (0 ≤ f < 1) held out for validation:
                the *last* ones, taken before any shuffling, as Keras; the model is scored on
                them at the end of every epoch (``val_loss``, ``val_<metric>``). Ignored when
                ``validation_data`` is given.
            validation_data: ``(x_val, y_val)`` or ``(x_val, y_val, sample_weight_val)``,
                scored at the end of every epoch; takes precedence over ``validation_split``.
            shuffle: shuffle the training samples before each epoch, with a generator seeded by
                ``gn.set_seed`` (so the same seed gives the same batches); ``False`` keeps
                their order.
            class_weight: ``{class: weight}``: each sample's loss is weighed by its class's
                weight (a class not listed weighs 1), for the training loss only, as Keras. For
                a model with one output; not together with ``sample_weight``.
            sample_weight: one weight per sample (or one array per output), weighing each
                sample's loss, L = 1/n Σᵢ sᵢ·Lᵢ. Split with the data by ``validation_split``.
                ``metrics`` are not weighted; ``weighted_metrics`` (see ``compile``) are.
            initial_epoch: the epoch to start from (0-based), to resume an earlier run; it
                counts in the epoch numbers shown and in ``validation_freq``.
            validation_freq: validate every n-th epoch (an int), or after the listed epochs
                (a list, counted from 1), as Keras.

        Returns:
            A ``History`` whose ``history`` dict holds the per-epoch ``loss``, each metric,
            and ``val_loss`` / ``val_<metric>`` when there is validation data. As in Keras,
            ``loss`` and the metrics are the means over the epoch's batches, weighted by batch
            size, each measured before that batch's update.

        Training stops with a ``DivergenceWarning`` naming the epoch and the batch if the loss
        becomes NaN or infinite (Keras goes on, unless given ``TerminateOnNaN``).

        >>> history = model.fit(x_train, y_train, epochs=10, batch_size=128,
        ...                     validation_split=0.1)  # doctest: +SKIP
        """
        self.require_compiled("fit")
        batch_size = 32 if batch_size is None else check_positive_int("batch_size", batch_size)
        epochs = check_positive_int("epochs", epochs, allow_zero=True)
        initial_epoch = check_positive_int("initial_epoch", initial_epoch, allow_zero=True)
        verbose = check_verbose(verbose)
        split = check_number("validation_split", validation_split, 0.0, 1.0, high_open=True)
        self._validation_epochs = _validation_schedule(validation_freq)
        if x is None:
            raise ValueError("fit needs training data x (samples, features) and targets y")
        xs, ys = self._prepare(x, y, "fit")
        sws = self._check_sample_weights(sample_weight, class_weight, ys)
        xv = yv = swv = None
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
                raise ValueError(
                    "validation_data must be a tuple (x_val, y_val) or (x_val, y_val, "
                    "sample_weight_val)"
                )
            xv = self._check_x(validation_data[0], "validation x")
            yv = self._check_y(validation_data[1], len(xv[0]), "validation y")
            if len(validation_data) == 3:
                swv = self._check_sample_weights(validation_data[2], None, yv, "validation weights")
        elif split > 0:
            n = len(xs[0])
            n_train = math.floor(n * (1.0 - split))  # as Keras: the last ⌈split·n⌉ validate
            if n_train == n or n_train == 0:
                raise ValueError(
                    f"validation_split={split} of {n} samples leaves "
                    f"{n_train} for training and {n - n_train} for validation; both must "
                    "be at least 1"
                )
            xv, yv = [a[n_train:] for a in xs], [a[n_train:] for a in ys]
            xs, ys = [a[:n_train] for a in xs], [a[:n_train] for a in ys]
            if sws is not None:
                # sample weights are split with the data; class weights, as in Keras, weigh
                # only the training loss
                swv = (
                    None
                    if class_weight is not None
                    else [None if w is None else w[n_train:] for w in sws]
                )
                sws = [None if w is None else w[:n_train] for w in sws]
        if self.shuffle_rng is None:
            self.shuffle_rng = config.make_rng(self.seed_generator)

        n = len(xs[0])
        steps = math.ceil(n / batch_size)
        history = callbacks_module.History()
        params = {
            "epochs": epochs,
            "steps": steps,
            "batch_size": batch_size,
            "verbose": verbose,
            "samples": n,
        }
        cbs = callbacks_module.CallbackList(callbacks, self, params, history, verbose)
        self.history = history
        self.stop_training = False
        self._initial_epoch = None
        cbs.on_train_begin()
        if self._initial_epoch is not None:  # set by a callback that restores a backup
            initial_epoch = int(self._initial_epoch)
            self._initial_epoch = None
        with np.errstate(over="ignore", invalid="ignore"):
            # A diverging run overflows to inf/NaN; the step sees it and fit stops cleanly.
            self._epochs(
                xs, ys, xv, yv, batch_size, epochs, initial_epoch, shuffle, history, cbs, sws, swv
            )
        last = {k: v[-1] for k, v in history.history.items() if v}
        cbs.on_train_end(last)
        return history

    def _epochs(
        self: Model,
        xs: list[np.ndarray],
        ys: list[np.ndarray],
        xv: list[np.ndarray] | None,
        yv: list[np.ndarray] | None,
        batch_size: int,
        epochs: int,
        initial_epoch: int,
        shuffle: bool,
        history: callbacks_module.History,
        cbs: callbacks_module.CallbackList,
        sws: list[np.ndarray | None] | None = None,
        swv: list[np.ndarray | None] | None = None,
    ) -> None:
        """The epoch loop of ``fit``: batches, running logs, validation, callbacks."""
        assert self.shuffle_rng is not None
        n = len(xs[0])
        steps = math.ceil(n / batch_size)
        names = self._log_names
        variables = self.trainable_weights
        assert self.optimizer is not None
        self.optimizer.check_params([v.value for v in variables])
        single = len(xs) == 1 and len(ys) == 1
        for epoch in range(initial_epoch, epochs):
            cbs.on_epoch_begin(epoch)
            self._reset_metrics()
            order = self.shuffle_rng.permutation(n) if shuffle else None
            sums = [0.0] * len(names)
            seen = 0
            for step in range(steps):
                batch = slice(step * batch_size, min(n, (step + 1) * batch_size))
                index = order[batch] if order is not None else batch
                if single:
                    xb, yb = [xs[0][index]], [ys[0][index]]
                else:
                    xb, yb = [a[index] for a in xs], [a[index] for a in ys]
                if cbs.wants_batch_begin:
                    cbs.on_train_batch_begin(step)
                swb = None if sws is None else [w if w is None else w[index] for w in sws]
                result = self._step(xb, yb, variables, sample_weights=swb)
                if not math.isfinite(result.loss):
                    self._stop_diverged(history, result.loss, epoch, step)
                    break
                nb = len(xb[0])
                seen += nb
                self._accumulate(sums, result, yb, nb, swb)
                if cbs.wants_batch_end:
                    running = self._logs(sums, seen)
                    cbs.on_train_batch_end(step, running)
                    if self.stop_training:
                        break  # as Keras: a callback stopped training after this batch
            if self.stop_training and history.stop_reason:
                break  # diverged: no epoch logs from a partial epoch
            logs = self._logs(sums, max(seen, 1))
            if xv is not None and yv is not None and self._validation_epochs(epoch + 1):
                val = self._evaluate_arrays(xv, yv, batch_size, cbs, swv)
                logs.update({f"val_{k}": v for k, v in zip(names, val, strict=True)})
            cbs.on_epoch_end(epoch, logs)
            if self.stop_training:
                break

    def _accumulate(
        self: Model,
        sums: list[float],
        result: StepResult,
        ys: list[np.ndarray],
        nb: int,
        sws: list[np.ndarray | None] | None = None,
    ) -> None:
        """Add one batch to the running sums (losses and metric functions, weighted by the
        batch size) and to the state of the metric objects (the weighted ones with the
        batch's sample weights)."""
        sums[0] += result.loss * nb
        j = 1
        for i in self._logged_losses:
            sums[j] += result.output_losses[i] * nb
            j += 1
        for fns, y, a in zip(self._metric_fns, ys, result.outputs, strict=True):
            for fn in fns:
                if isinstance(fn, metrics_module.Metric):
                    fn.update_state(y, a)
                else:
                    value = fn(y, a)  # a batch mean, or one value per sample (as Keras's)
                    sums[j] += (value if np.ndim(value) == 0 else float(np.mean(value))) * nb
                j += 1
        if self.weighted_metric_names:
            weights = sws or [None] * len(ys)
            for fns, y, a, sw in zip(self._weighted_fns, ys, result.outputs, weights, strict=True):
                for fn in fns:
                    fn.update_state(y, a, sw)

    def _logs(self: Model, sums: list[float], seen: int) -> dict[str, float]:
        """The logs so far: running means of the sums, and each metric object's result."""
        values = [s / seen for s in sums]
        if not self._metric_objects:
            return dict(zip(self._log_names, values, strict=True))
        j = len(values) - sum(len(fns) for fns in self._metric_fns + self._weighted_fns)
        for fns in self._metric_fns + self._weighted_fns:
            for fn in fns:
                if isinstance(fn, metrics_module.Metric):
                    values[j] = float(fn.result())
                j += 1
        return dict(zip(self._log_names, values, strict=True))

    def _reset_metrics(self: Model) -> None:
        for metric in self._metric_objects:
            metric.reset_state()

    def _stop_diverged(
        self: Model, history: callbacks_module.History, loss: float, epoch: int, step: int
    ) -> None:
        self.stop_training = True
        history.stop_reason = (
            f"the loss became {loss} at epoch {epoch + 1}, batch {step + 1}; training stopped "
            "before that batch's update (the learning rate may be too large, or the inputs "
            "unscaled)"
        )
        warnings.warn(
            f"model {self.name!r}: {history.stop_reason}", DivergenceWarning, stacklevel=4
        )

    # -- evaluate / predict ---------------------------------------------------------------------
    def _evaluate_arrays(
        self: Model,
        xs: list[np.ndarray],
        ys: list[np.ndarray],
        batch_size: int,
        cbs: callbacks_module.CallbackList | None = None,
        sws: list[np.ndarray | None] | None = None,
    ) -> list[float]:
        """Loss(es) and metrics over all samples, in batches, without training; the callbacks'
        test hooks run around it (as Keras runs them for evaluate and for validation)."""
        names = self._log_names
        sums = [0.0] * len(names)
        n = len(xs[0])
        self._reset_metrics()
        variables = self.trainable_weights  # for the penalties of regularized weights
        if cbs is not None:
            cbs.on_test_begin()
        seen = 0
        for step, start in enumerate(range(0, n, batch_size)):
            batch = slice(start, start + batch_size)
            xb, yb = [a[batch] for a in xs], [a[batch] for a in ys]
            if cbs is not None:
                cbs.on_test_batch_begin(step)
            swb = None if sws is None else [w if w is None else w[batch] for w in sws]
            with Tape() as tape:  # the loss code of training: exact from the logits when fused
                outs = self._forward_outputs(xb, training=False)
                total, parts, _, _ = self._loss_terms(yb, outs, swb, variables)
            result = StepResult(total, parts, [array_of(o) for o in outs], tape)
            self._accumulate(sums, result, yb, len(xb[0]), swb)
            seen += len(xb[0])
            if cbs is not None:
                cbs.on_test_batch_end(step, self._logs(sums, seen))
        values = list(self._logs(sums, n).values())
        if cbs is not None:
            cbs.on_test_end(dict(zip(names, values, strict=True)))
        return values

    @overload
    def evaluate(
        self: Model,
        x: Any = ...,
        y: Any = ...,
        batch_size: int | None = ...,
        verbose: int | str = ...,
        return_dict: Literal[False] = ...,
        callbacks: Sequence[callbacks_module.Callback] | None = ...,
        sample_weight: Any = ...,
    ) -> float | list[float]: ...

    @overload
    def evaluate(
        self: Model,
        x: Any = ...,
        y: Any = ...,
        batch_size: int | None = ...,
        verbose: int | str = ...,
        *,
        return_dict: Literal[True],
        callbacks: Sequence[callbacks_module.Callback] | None = ...,
        sample_weight: Any = ...,
    ) -> dict[str, float]: ...

    def evaluate(
        self: Model,
        x: Any = None,
        y: Any = None,
        batch_size: int | None = 32,
        verbose: int | str = "auto",
        return_dict: bool = False,
        callbacks: Sequence[callbacks_module.Callback] | None = None,
        sample_weight: Any = None,
    ) -> float | list[float] | dict[str, float]:
        """The loss (and metrics) on (x, y): ``[loss, *metrics]``, or the loss alone.

        The model runs in inference mode (no dropout; batch normalization uses its moving
        statistics) and the weights do not change. The arguments and their defaults are
        Keras 3's; glassnet takes arrays only (no datasets or generators, so no ``steps``).

        Args:
            x: the inputs, shape (samples, features…): one array, or a list / dict by input
                name for several inputs, as in ``fit``.
            y: the targets, one row per sample of ``x``, in the form the loss expects (as in
                ``fit``).
            batch_size: samples per forward pass (``None`` means 32, as Keras). The result
                does not depend on it (up to rounding): the loss and metrics cover all the
                samples.
            verbose: ``0`` silent, ``1`` a progress bar, ``2`` one line at the end; ``"auto"``
                is 1, as Keras.
            return_dict: ``True`` returns ``{"loss": …, "accuracy": …}`` by metric name, as
                Keras.
            callbacks: ``Callback`` objects that get the test hooks
                (``on_test_begin``, ``on_test_batch_end``, ``on_test_end``…).
            sample_weight: one weight per sample (or one array per output), weighing the loss
                and the ``weighted_metrics``, as in ``fit``.

        Returns:
            The loss alone for a model compiled without metrics (and one output), else the list
            ``[loss, *metrics]`` (with each output's loss after the total for several
            outputs), in the order of ``fit``'s History; a dict with ``return_dict=True``.

        >>> test_loss, test_acc = model.evaluate(x_test, y_test)  # doctest: +SKIP
        """
        batch_size = 32 if batch_size is None else check_positive_int("batch_size", batch_size)
        xs, ys = self._prepare(x, y, "evaluate")
        sws = self._check_sample_weights(sample_weight, None, ys)
        level = check_verbose(verbose)
        n = len(xs[0])
        steps = math.ceil(n / batch_size)
        params = {"steps": steps, "batch_size": batch_size, "samples": n, "verbose": level}
        if type(self).test_step is not Trainer.test_step:  # a test_step of your own, as Keras
            shown = callbacks_module.CallbackList(None, self, params, verbose=level)
            shown.on_test_begin()
            logs = self._run_test_steps(xs, ys, sws, batch_size)
            shown.on_test_end(logs)
            return logs if return_dict else (list(logs.values()) if len(logs) > 1 else logs["loss"])
        cbs = (
            callbacks_module.CallbackList(callbacks, self, params, verbose=level)
            if callbacks or level
            else None
        )
        values = self._evaluate_arrays(xs, ys, batch_size, cbs, sws)
        names = self._log_names
        if return_dict:
            return dict(zip(names, values, strict=True))
        return values if len(names) > 1 else values[0]

    def predict(
        self: Model,
        x: Any,
        batch_size: int | None = 32,
        verbose: int | str = "auto",
        callbacks: Sequence[callbacks_module.Callback] | None = None,
    ) -> Any:
        """The network's outputs for every sample of x, computed in batches.

        The model runs in inference mode (no dropout; batch normalization uses its moving
        statistics). The arguments and their defaults are Keras 3's; glassnet takes arrays only
        (no datasets or generators, so no ``steps``).

        Args:
            x: the inputs, shape (samples, features…): one array, or a list / dict by input
                name for several inputs, as in ``fit``.
            batch_size: samples per forward pass (``None`` means 32, as Keras); the outputs do
                not depend on it.
            verbose: ``0`` silent, ``1`` a progress bar, ``2`` one line at the end; ``"auto"``
                is 1, as Keras.
            callbacks: ``Callback`` objects that get the predict hooks, with the batch's
                ``{"outputs": …}`` at each batch's end, as in Keras.

        Returns:
            A NumPy array of shape (samples, outputs…) in the model's float type: with a
            softmax output, one row of class probabilities per sample
            (``predict(x).argmax(axis=1)`` gives the classes). A list of arrays for a model
            with several outputs.

        >>> probabilities = model.predict(x_test)  # doctest: +SKIP
        """
        batch_size = 32 if batch_size is None else check_positive_int("batch_size", batch_size)
        level = check_verbose(verbose)
        xs = self._check_x(x)
        n = len(xs[0])
        steps = math.ceil(n / batch_size)
        params = {"steps": steps, "batch_size": batch_size, "samples": n, "verbose": level}
        cbs = (
            callbacks_module.CallbackList(callbacks, self, params, verbose=level)
            if callbacks or level
            else None
        )
        if cbs is not None:
            cbs.on_predict_begin()
        chunks: list[list[np.ndarray]] = []
        for step, start in enumerate(range(0, n, batch_size)):
            if cbs is not None:
                cbs.on_predict_batch_begin(step)
            outs = self._forward_outputs(
                [a[start : start + batch_size] for a in xs], training=False
            )
            chunks.append([np.asarray(array_of(o)) for o in outs])
            if cbs is not None:
                batch_out = chunks[-1][0] if len(chunks[-1]) == 1 else chunks[-1]
                cbs.on_predict_batch_end(step, {"outputs": batch_out})
        if cbs is not None:
            cbs.on_predict_end()
        results = [np.concatenate([c[k] for c in chunks]) for k in range(len(chunks[0]))]
        return results[0] if len(results) == 1 else results

    # -- Keras's overridable steps ---------------------------------------------------------------
    @property
    def metrics(self: Model) -> list[metrics_module.Metric]:
        """Keras's ``model.metrics``: the ``loss`` tracker (a Mean) and ``compile_metrics`` (the
        compiled metrics as one object whose result is a dict), for a ``test_step`` of your own."""
        self.require_compiled("metrics")
        if not self.output_losses:
            self._resolve_outputs()
        if self._compile_metrics is None:
            self._loss_tracker = metrics_module.Mean(name="loss")
            self._compile_metrics = _CompileMetrics(
                self._metric_objects_for(self.metric_specs, self.metric_names), self.metric_names
            )
        return [self._loss_tracker, self._compile_metrics]

    def _metric_objects_for(
        self: Model, specs_per_output: list[list[Any]], names: list[str]
    ) -> list[list[metrics_module.Metric]]:
        """Metric objects (which take sample weights) for each output's metric specs, named by
        ``names`` in order."""
        widths = [int(s[-1]) if s[-1] is not None else 1 for s in self._output_shape_list()]
        named = iter(names)
        return [
            [
                metrics_module.as_metric_object(metrics_module.get(m, loss, width), next(named))
                for m in specs
            ]
            for specs, loss, width in zip(specs_per_output, self.output_losses, widths, strict=True)
        ]

    def compute_loss(
        self: Model,
        x: Any = None,
        y: Any = None,
        y_pred: Any = None,
        sample_weight: Any = None,
        training: bool = True,
    ) -> float:
        """The compiled loss of predictions ``y_pred`` against targets ``y`` (with the losses the
        layers added while recording, and the regularization penalties), as Keras's."""
        outs = list(y_pred) if isinstance(y_pred, (list, tuple)) else [y_pred]
        n = len(array_of(outs[0]))
        ys = self._check_y(y, n)
        sws = self._check_sample_weights(sample_weight, None, ys)
        return self._loss_terms(ys, outs, sws)[0]

    def test_step(self: Model, data: Any) -> dict[str, Any]:
        """One evaluation step on ``data = (x, y)`` or ``(x, y, sample_weight)``, as Keras's:
        predict, compute the loss, update ``self.metrics``; returns their results. ``evaluate``
        calls it for each batch when a subclass overrides it."""
        x, y, sample_weight = (*data, None)[:3] if isinstance(data, tuple) else (data, None, None)
        y_pred = self(x, training=False)
        loss = self.compute_loss(x, y, y_pred, sample_weight, training=False)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)  # type: ignore[call-arg]
            else:
                metric.update_state(y, y_pred, sample_weight)
        return {m.name: m.result() for m in self.metrics}

    def _run_test_steps(
        self: Model,
        xs: list[np.ndarray],
        ys: list[np.ndarray],
        sws: list[np.ndarray | None] | None,
        batch_size: int,
    ) -> dict[str, float]:
        """evaluate with a ``test_step`` of your own: its logs after the last batch."""
        for metric in self.metrics:
            metric.reset_state()
        logs: dict[str, Any] = {}
        for start in range(0, len(xs[0]), batch_size):
            batch = slice(start, start + batch_size)
            xb, yb = [a[batch] for a in xs], [a[batch] for a in ys]
            data: tuple[Any, ...] = (xb[0] if len(xb) == 1 else xb, yb[0] if len(yb) == 1 else yb)
            if sws is not None and sws[0] is not None:
                data = (*data, sws[0][batch])
            logs = self.test_step(data)
        return _flat_logs(logs)

    # -- one batch at a time, as Keras's *_on_batch ------------------------------------------
    def train_on_batch(
        self: Model,
        x: Any,
        y: Any = None,
        sample_weight: Any = None,
        class_weight: dict[int, float] | None = None,
        return_dict: bool = False,
    ) -> float | list[float] | dict[str, float]:
        """One training step on (x, y) as a single batch; returns that batch's loss and metrics
        (``[loss, *metrics]``, the loss alone, or a dict with ``return_dict``), as in Keras.

        A loss that is not finite updates nothing and warns (DivergenceWarning)."""
        xs, ys = self._prepare(x, y, "train_on_batch")
        sws = self._check_sample_weights(sample_weight, class_weight, ys)
        variables = self.trainable_weights
        assert self.optimizer is not None
        self.optimizer.check_params([v.value for v in variables])
        with np.errstate(over="ignore", invalid="ignore"):
            result = self._step(xs, ys, variables, sample_weights=sws)
        if not math.isfinite(result.loss):
            warnings.warn(
                f"model {self.name!r}: the loss of this batch is {result.loss}; no update was "
                "applied (the learning rate may be too large, or the inputs unscaled)",
                DivergenceWarning,
                stacklevel=2,
            )
        self._reset_metrics()
        n = len(xs[0])
        sums = [0.0] * len(self._log_names)
        self._accumulate(sums, result, ys, n, sws)
        return self._batch_result(list(self._logs(sums, n).values()), return_dict)

    def test_on_batch(
        self: Model, x: Any, y: Any = None, sample_weight: Any = None, return_dict: bool = False
    ) -> float | list[float] | dict[str, float]:
        """The loss and metrics of (x, y) as a single batch, without training (as Keras)."""
        xs, ys = self._prepare(x, y, "test_on_batch")
        sws = self._check_sample_weights(sample_weight, None, ys)
        values = self._evaluate_arrays(xs, ys, len(xs[0]), None, sws)
        return self._batch_result(values, return_dict)

    def predict_on_batch(self: Model, x: Any) -> Any:
        """The outputs for x computed as a single batch (as Keras)."""
        xs = self._check_x(x)
        return self.predict(xs[0] if len(xs) == 1 else xs, batch_size=len(xs[0]))

    def _batch_result(
        self: Model, values: list[float], return_dict: bool
    ) -> float | list[float] | dict[str, float]:
        if return_dict:
            return dict(zip(self._log_names, values, strict=True))
        return values if len(values) > 1 else values[0]


class _CompileMetrics(metrics_module.Metric):
    """The compiled metrics as one object, as Keras's ``compile_metrics``: ``update_state`` on
    the targets and outputs updates each; ``result`` is a dict of their values by log name."""

    def __init__(self, per_output: list[list[metrics_module.Metric]], names: list[str]) -> None:
        super().__init__(name="compile_metrics")
        self.per_output, self.names = per_output, names

    def _all(self) -> list[metrics_module.Metric]:
        return [m for metrics in self.per_output for m in metrics]

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        many = len(self.per_output) > 1
        ys = [array_of(y) for y in y_true] if many else [array_of(y_true)]
        outs = [array_of(p) for p in y_pred] if many else [array_of(y_pred)]
        for metrics, y, out in zip(self.per_output, ys, outs, strict=True):
            for metric in metrics:
                metric.update_state(y, out, sample_weight)

    def result(self) -> dict[str, float]:
        return {n: float(m.result()) for n, m in zip(self.names, self._all(), strict=True)}

    def reset_state(self) -> None:
        for metric in self._all():
            metric.reset_state()


def _flat_logs(logs: dict[str, Any]) -> dict[str, float]:
    """A step's logs as plain floats, nested dicts (compile_metrics) flattened, loss first."""
    flat: dict[str, float] = {}
    for key, value in logs.items():
        if isinstance(value, dict):
            flat.update(_flat_logs(value))
        else:
            flat[key] = float(np.asarray(array_of(value)))
    return dict(sorted(flat.items(), key=lambda item: item[0] != "loss"))


def _unique(names: list[str]) -> list[str]:
    """Names made unique as Keras makes them: a repeated "auc" becomes "auc_1", "auc_2", …"""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        count = seen.get(name, 0)
        seen[name] = count + 1
        out.append(name if count == 0 else f"{name}_{count}")
    return out


class _validation_schedule:
    """fit's ``validation_freq`` as a test of the epoch number (from 1): every n-th, or listed."""

    def __init__(self, freq: Any) -> None:
        if isinstance(freq, (int, np.integer)) and not isinstance(freq, bool) and freq >= 1:
            self.every, self.epochs = int(freq), frozenset[int]()
        elif isinstance(freq, (list, tuple, set, range)) and all(
            isinstance(e, (int, np.integer)) and not isinstance(e, bool) and e >= 1 for e in freq
        ):
            self.every, self.epochs = 0, frozenset(int(e) for e in freq)
        else:
            raise ValueError(
                f"validation_freq must be a positive int (validate every n-th epoch) or a list "
                f"of epoch numbers counted from 1, got {freq!r}"
            )

    def __call__(self, epoch: int) -> bool:
        return epoch % self.every == 0 if self.every else epoch in self.epochs


def _weighted_names(prefixes: list[str], specs: list[list[Any]], used: set[str]) -> list[str]:
    """The log names of the weighted metrics, as Keras gives them: the metric's name, or
    ``weighted_<name>`` when an unweighted metric already has it (then ``_1``, ``_2``, …)."""
    counts: dict[str, int] = {}
    out = []
    for prefix, metric_specs in zip(prefixes, specs, strict=True):
        for spec in metric_specs:
            name = prefix + metrics_module.name_of(spec)
            if name in used:
                name = f"{prefix}weighted_{metrics_module.name_of(spec)}"
                if name in counts:
                    counts[name] += 1
                    name = f"{name}_{counts[name] - 1}"
                else:
                    counts[name] = 1
            used.add(name)
            out.append(name)
    return out


def _fuses(loss: losses.Loss, node: Node) -> bool:
    """Is the loss paired with this output layer's activation (so that δ = A − Y, scaled)?"""
    op = node.op
    return (
        hasattr(op, "backward_from_z")
        and hasattr(node, "z")
        and loss.fuses_with(getattr(op, "activation", None))  # type: ignore[arg-type]
    )


def check_verbose(verbose: Any) -> int:
    if verbose == "auto":
        return 1
    if verbose in (0, 1, 2) and not isinstance(verbose, float):
        return int(verbose)
    raise ValueError(
        f"verbose must be 0 (silent), 1 (progress bar), 2 (one line per epoch) "
        f"or 'auto', got {verbose!r}"
    )
