"""The Sequential model: a stack of layers trained by backpropagation and gradient descent.

>>> from glassnet import layers, models
>>> model = models.Sequential([
...     layers.Dense(512, activation="relu", input_shape=(784,)),
...     layers.Dense(10, activation="softmax"),
... ])
>>> model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
>>> model.count_params()
407050
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal, overload

import numpy as np

from glassnet import callbacks as callbacks_module
from glassnet import config, losses, optimizers
from glassnet import metrics as metrics_module
from glassnet.layers import InputLayer, Layer, Shape
from glassnet.utils import as_float_array, as_labels, check_number, check_positive_int


class DivergenceWarning(UserWarning):
    """Training stopped because the loss became NaN or infinite."""


class Sequential:
    """A linear stack of layers: A⁽ˡ⁾ = layer_l(A⁽ˡ⁻¹⁾), with A⁽⁰⁾ = X.

    Training (``fit``) repeats, for each mini-batch: the forward pass through every layer, the
    loss, the backward pass (the chain rule, layer by layer, from the last to the first) and one
    optimizer step on every parameter.
    """

    def __init__(
        self,
        layers: Sequence[Layer] | None = None,
        name: str | None = None,
        seed: int | np.random.Generator | None = None,
    ) -> None:
        """``seed`` (an int or a NumPy Generator) fixes this model's initial weights, shuffles
        and dropout masks on its own; without it they come from ``gn.set_seed``'s generator."""
        self.name = name or config.unique_name("sequential")
        self._seed_rng = None if seed is None else config.make_rng(seed)
        self._layers: list[Layer] = []
        self.optimizer: optimizers.Optimizer | None = None
        self.loss: losses.Loss | None = None
        self.metric_names: list[str] = []
        self._metric_specs: list[Any] = []
        self._metric_fns: list[Callable[[np.ndarray, np.ndarray], float]] = []
        self.built = False
        self.input_shape: Shape | None = None
        self.stop_training = False
        self.history: callbacks_module.History | None = None
        self._rng: np.random.Generator | None = None
        for layer in layers or []:
            self.add(layer)

    # -- structure --------------------------------------------------------------------------
    @property
    def layers(self) -> list[Layer]:
        return list(self._layers)

    def add(self, layer: Layer) -> None:
        """Append a layer; the first layer's ``input_shape`` builds the model at once."""
        if not isinstance(layer, Layer):
            raise TypeError(
                f"Sequential.add expects a glassnet layer (e.g. layers.Dense(10)), got "
                f"{type(layer).__name__}: {layer!r}"
            )
        if any(existing.name == layer.name for existing in self._layers):
            raise ValueError(
                f"a layer named {layer.name!r} is already in model {self.name!r}; names must "
                "be unique"
            )
        if any(existing is layer for existing in self._layers):
            raise ValueError(f"layer {layer.name!r} is already in model {self.name!r}")
        self._layers.append(layer)
        if self.built:
            self._build_layers(self.input_shape)  # type: ignore[arg-type]
        elif len(self._layers) == 1 and layer.input_shape is not None:
            self.build(layer.input_shape)

    def build(self, input_shape: Shape) -> None:
        """Create every layer's parameters for inputs of shape ``(batch, *input_shape)``."""
        if not self._layers:
            raise ValueError(f"model {self.name!r} has no layers: add some before building it")
        self._build_layers(tuple(input_shape))

    def _build_layers(self, input_shape: Shape) -> None:
        shape = input_shape
        for layer in self._layers:
            if not layer.built:
                layer.build(shape, config.make_rng(self._seed_rng))
            elif layer.input_shape != shape:
                raise ValueError(
                    f"layer {layer.name!r} was built for inputs {layer.input_shape}, but the "
                    f"layer before it gives {shape}"
                )
            shape = layer.output_shape  # type: ignore[assignment]
        self.input_shape = input_shape
        self.output_shape: Shape = shape
        self.dtype = str(self._layers_dtype())
        self.built = True
        self._params = [p for layer in self._layers for p in layer.params]
        self._grads = [g for layer in self._layers for g in layer.grads]
        # Layers before the first one with parameters need no backward pass at all, and the
        # first one with parameters needs no gradient for its input.
        self._first_trainable = next(
            (i for i, layer in enumerate(self._layers) if layer.params), len(self._layers)
        )
        self._update_fusion()

    def _layers_dtype(self) -> np.dtype:
        """The float type of the parameters (floatx at build time), which inputs are cast to."""
        for layer in self._layers:
            if layer.params:
                return layer.params[0].dtype
        return np.dtype(config.floatx())

    def _update_fusion(self) -> None:
        last = self._layers[-1] if self._layers else None
        activation = getattr(last, "activation", None)
        self._fused = bool(
            self.loss is not None
            and activation is not None
            and hasattr(last, "backward_preactivation")
            and self.loss.fuses_with(activation)
        )

    # -- compile ----------------------------------------------------------------------------
    def compile(
        self,
        optimizer: str | optimizers.Optimizer = "rmsprop",
        loss: str | losses.Loss | None = None,
        metrics: Sequence[Any] | None = None,
    ) -> None:
        """Choose the optimizer, the loss and the metrics reported during training.

        >>> model.compile(optimizer="rmsprop", loss="categorical_crossentropy",
        ...               metrics=["accuracy"])  # doctest: +SKIP
        """
        if loss is None:
            raise ValueError(
                "compile needs a loss, e.g. loss='categorical_crossentropy' "
                "(names: mean_squared_error/mse, binary_crossentropy, categorical_crossentropy, "
                "sparse_categorical_crossentropy)"
            )
        if metrics is None:
            metrics = []
        if isinstance(metrics, (str, bytes)) or not isinstance(metrics, (list, tuple)):
            raise TypeError(f"metrics must be a list such as ['accuracy'], got {metrics!r}")
        # Resolve everything first, so that a failed compile leaves the model as it was.
        new_optimizer, new_loss = optimizers.get(optimizer), losses.get(loss)
        for m in metrics:
            metrics_module.get(m)  # an unknown name fails here, not at the first fit
        self.optimizer, self.loss = new_optimizer, new_loss
        self._metric_specs = list(metrics)
        self.metric_names = [metrics_module.name_of(m) for m in metrics]
        self._metric_fns = []
        if self.built:
            self._update_fusion()

    @property
    def compiled(self) -> bool:
        return self.loss is not None and self.optimizer is not None

    def _resolve_metrics(self) -> None:
        width = self.output_shape[-1] if self.output_shape else 1
        self._metric_fns = [metrics_module.get(m, self.loss, width) for m in self._metric_specs]

    # -- input checks (once per call, at the boundary) ---------------------------------------
    def _check_x(self, x: Any, what: str = "x") -> np.ndarray:
        arr = as_float_array(x, what, self.dtype if self.built else None)
        if arr.ndim < 2:
            raise ValueError(
                f"{what} must have shape (samples, features), got shape {arr.shape}; "
                "for a single feature use x.reshape(-1, 1), for a single sample x.reshape(1, -1)"
            )
        if not self.built:
            if not self._layers:
                raise ValueError(f"model {self.name!r} has no layers")
            self.build(arr.shape[1:])
            arr = arr.astype(self.dtype, copy=False)
        if arr.shape[1:] != self.input_shape:
            first = self._layers[0]
            expected = self.input_shape if len(self.input_shape) > 1 else self.input_shape[0]  # type: ignore[arg-type,index]
            got = arr.shape[1:] if arr.ndim > 2 else arr.shape[1]
            raise ValueError(
                f"{type(first).__name__} {first.name!r} expects {expected} input features, "
                f"got {got} ({what} has shape {arr.shape})"
            )
        return arr

    def _check_y(self, y: Any, n_samples: int, what: str = "y") -> np.ndarray:
        assert self.loss is not None
        if y is None:
            raise ValueError(f"{what} is required: pass the targets for every sample")
        width = self.output_shape[-1]
        out = self._layers[-1]
        if self.loss.sparse_targets:
            labels = as_labels(y, what)
            if labels.size == 0:
                raise ValueError(f"{what} is empty; expected one label per sample")
            if labels.max() >= width:
                raise ValueError(
                    f"{what} holds label {int(labels.max())}, but the output layer {out.name!r} "
                    f"has {width} units: labels must lie in [0, {width - 1}]"
                )
            arr = labels
        else:
            arr = as_float_array(y, what, self.dtype)
            if arr.ndim == 1 and width == 1:
                arr = arr.reshape(-1, 1)
            if arr.ndim == 1 and isinstance(self.loss, losses.CategoricalCrossentropy):
                raise ValueError(
                    f"categorical_crossentropy expects one-hot {what} of shape (samples, {width}), "
                    f"got shape {arr.shape}; use utils.to_categorical({what}, {width}) or "
                    "loss='sparse_categorical_crossentropy' for integer labels"
                )
            if arr.shape[1:] != tuple(self.output_shape):
                raise ValueError(
                    f"{what} has shape {arr.shape}, but the output layer {out.name!r} gives "
                    f"(samples, {', '.join(map(str, self.output_shape))}): expected {what} of "
                    f"shape ({n_samples}, {', '.join(map(str, self.output_shape))})"
                )
            probabilities = (losses.BinaryCrossentropy, losses.CategoricalCrossentropy)
            if isinstance(self.loss, probabilities) and (arr.min() < 0 or arr.max() > 1):
                raise ValueError(
                    f"{self.loss.name} expects {what} in [0, 1], got values from "
                    f"{arr.min():g} to {arr.max():g}"
                )
        if len(arr) != n_samples:
            raise ValueError(
                f"x and {what} must have the same number of samples, got {n_samples} and {len(arr)}"
            )
        return arr

    def _require_compiled(self, method: str) -> None:
        if not self.compiled:
            raise RuntimeError(
                f"model {self.name!r} must be compiled before {method}(): call "
                "model.compile(optimizer=..., loss=..., metrics=[...]) first"
            )

    # -- the training step ------------------------------------------------------------------
    def _forward(self, x: np.ndarray, training: bool) -> np.ndarray:
        for layer in self._layers:
            x = layer.forward(x, training)
        return x

    def _loss_value(self, y: np.ndarray, a: np.ndarray) -> float:
        assert self.loss is not None
        if self._fused:  # exact, from the logits Z of the output layer
            return self.loss.from_logits(y, self._layers[-1]._z)  # type: ignore[attr-defined]
        return self.loss(y, a)

    def _train_batch(self, x: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
        """Forward, loss, backward, update. No update when the loss is not finite."""
        assert self.loss is not None and self.optimizer is not None
        layers = self._layers
        a = self._forward(x, training=True)
        loss = self._loss_value(y, a)
        if not math.isfinite(loss):
            return loss, a
        last = len(layers) - 1
        first = self._first_trainable
        grad: Any
        if self._fused:
            grad = self.loss.fused_gradient(y, a)  # dZ = (A − Y)/n
            grad = layers[last].backward_preactivation(grad, last > first)  # type: ignore[attr-defined]
            last -= 1
        else:
            grad = self.loss.gradient(y, a)  # dA = ∂L/∂A
        for i in range(last, first - 1, -1):
            grad = layers[i].backward(grad, i > first)
        self.optimizer.apply(self._params, self._grads)
        return loss, a

    # -- fit / evaluate / predict ------------------------------------------------------------
    def fit(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: int | None = 32,
        epochs: int = 1,
        verbose: int | str = "auto",
        callbacks: Sequence[callbacks_module.Callback] | None = None,
        validation_split: float = 0.0,
        validation_data: tuple[Any, Any] | None = None,
        shuffle: bool = True,
        initial_epoch: int = 0,
    ) -> callbacks_module.History:
        """Train for ``epochs`` passes over (x, y) in mini-batches of ``batch_size``.

        ``validation_split`` holds out the *last* fraction of the samples (before shuffling), as
        Keras does. Returns a History whose ``history`` dict has per-epoch ``loss``, each
        metric, and ``val_loss`` / ``val_<metric>`` when there is validation data.
        Training stops with a DivergenceWarning if the loss becomes NaN or infinite.

        >>> history = model.fit(x_train, y_train, epochs=10, batch_size=128,
        ...                     validation_split=0.1)  # doctest: +SKIP
        """
        self._require_compiled("fit")
        batch_size = 32 if batch_size is None else check_positive_int("batch_size", batch_size)
        epochs = check_positive_int("epochs", epochs, allow_zero=True)
        initial_epoch = check_positive_int("initial_epoch", initial_epoch, allow_zero=True)
        verbose = _check_verbose(verbose)
        split = check_number("validation_split", validation_split, 0.0, 1.0, high_open=True)
        if callbacks is not None and not all(
            isinstance(c, callbacks_module.Callback) for c in callbacks
        ):
            raise TypeError("callbacks must be a list of glassnet.callbacks.Callback objects")
        if x is None:
            raise ValueError("fit needs training data x (samples, features) and targets y")
        x = self._check_x(x)
        y = self._check_y(y, len(x))
        x_val = y_val = None
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
                raise ValueError("validation_data must be a tuple (x_val, y_val)")
            x_val = self._check_x(validation_data[0], "validation x")
            y_val = self._check_y(validation_data[1], len(x_val), "validation y")
        elif split > 0:
            n_train = math.ceil(len(x) * (1.0 - split))
            if n_train == len(x) or n_train == 0:
                raise ValueError(
                    f"validation_split={split} of {len(x)} samples leaves "
                    f"{n_train} for training and {len(x) - n_train} for validation; both must "
                    "be at least 1"
                )
            x, x_val = x[:n_train], x[n_train:]
            y, y_val = y[:n_train], y[n_train:]
        self._resolve_metrics()
        if self._rng is None:
            self._rng = config.make_rng(self._seed_rng)

        n = len(x)
        steps = math.ceil(n / batch_size)
        history = callbacks_module.History()
        # As in Keras: the progress bar first, History last, so that it records whatever the
        # other callbacks add to an epoch's logs (e.g. the gradient monitor).
        cbs: list[callbacks_module.Callback] = []
        if verbose:
            cbs.append(callbacks_module.ProgressBar(verbose))
        cbs.extend(callbacks or [])
        cbs.append(history)
        params = {
            "epochs": epochs,
            "steps": steps,
            "batch_size": batch_size,
            "verbose": verbose,
            "samples": n,
        }
        for cb in cbs:
            cb.set_model(self)
            cb.set_params(params)
        self.history = history
        self.stop_training = False

        for cb in cbs:
            cb.on_train_begin()
        with np.errstate(over="ignore", invalid="ignore"):
            # A diverging run overflows to inf/NaN; _train_batch sees it and fit stops cleanly.
            self._epochs(
                x,
                y,
                x_val,
                y_val,
                batch_size,
                epochs,
                initial_epoch,
                shuffle,
                history,
                cbs,
            )
        for cb in cbs:
            cb.on_train_end()
        return history

    def _epochs(
        self,
        x: np.ndarray,
        y: np.ndarray,
        x_val: np.ndarray | None,
        y_val: np.ndarray | None,
        batch_size: int,
        epochs: int,
        initial_epoch: int,
        shuffle: bool,
        history: callbacks_module.History,
        cbs: list[callbacks_module.Callback],
    ) -> None:
        """The epoch loop of ``fit``: batches, running logs, validation, callbacks."""
        assert self._rng is not None
        n = len(x)
        steps = math.ceil(n / batch_size)
        names = ["loss", *self.metric_names]
        # Only the hooks a callback overrides are called: the paper's network trains in tens
        # of microseconds per epoch, so even empty calls would show.
        epoch_begin_cbs, batch_begin_cbs, batch_cbs = (
            [cb for cb in cbs if callbacks_module.overrides(cb, hook)]
            for hook in ("on_epoch_begin", "on_batch_begin", "on_batch_end")
        )
        for epoch in range(initial_epoch, epochs):
            for cb in epoch_begin_cbs:
                cb.on_epoch_begin(epoch)
            order = self._rng.permutation(n) if shuffle else None
            sums = [0.0] * len(names)
            seen = 0
            for step in range(steps):
                batch = slice(step * batch_size, min(n, (step + 1) * batch_size))
                if order is not None:
                    index = order[batch]
                    xb, yb = x[index], y[index]
                else:
                    xb, yb = x[batch], y[batch]
                for cb in batch_begin_cbs:
                    cb.on_batch_begin(step)
                loss, a = self._train_batch(xb, yb)
                if not math.isfinite(loss):
                    self._stop_diverged(history, loss, epoch, step)
                    break
                nb = len(xb)
                seen += nb
                sums[0] += loss * nb
                for j, fn in enumerate(self._metric_fns, start=1):
                    sums[j] += fn(yb, a) * nb
                if batch_cbs:
                    running = {k: s / seen for k, s in zip(names, sums, strict=True)}
                    for cb in batch_cbs:
                        cb.on_batch_end(step, running)
            if self.stop_training and history.stop_reason:
                break  # diverged: no epoch logs from a partial epoch
            logs = {k: s / max(seen, 1) for k, s in zip(names, sums, strict=True)}
            if x_val is not None:
                val = self._evaluate_arrays(x_val, y_val, batch_size)  # type: ignore[arg-type]
                logs.update({f"val_{k}": v for k, v in zip(names, val, strict=True)})
            for cb in cbs:
                cb.on_epoch_end(epoch, logs)
            if self.stop_training:
                break

    def _stop_diverged(
        self, history: callbacks_module.History, loss: float, epoch: int, step: int
    ) -> None:
        self.stop_training = True
        history.stop_reason = (
            f"the loss became {loss} at epoch {epoch + 1}, batch {step + 1}; training stopped "
            "before that batch's update (the learning rate may be too large, or the inputs "
            "unscaled)"
        )
        warnings.warn(
            f"model {self.name!r}: {history.stop_reason}", DivergenceWarning, stacklevel=3
        )

    def _evaluate_arrays(self, x: np.ndarray, y: np.ndarray, batch_size: int) -> list[float]:
        sums = [0.0] * (1 + len(self._metric_fns))
        for start in range(0, len(x), batch_size):
            xb, yb = x[start : start + batch_size], y[start : start + batch_size]
            a = self._forward(xb, training=False)
            nb = len(xb)
            sums[0] += self._loss_value(yb, a) * nb
            for j, fn in enumerate(self._metric_fns, start=1):
                sums[j] += fn(yb, a) * nb
        return [s / len(x) for s in sums]

    @overload
    def evaluate(
        self,
        x: Any = ...,
        y: Any = ...,
        batch_size: int | None = ...,
        verbose: int | str = ...,
        return_dict: Literal[False] = ...,
    ) -> float | list[float]: ...

    @overload
    def evaluate(
        self,
        x: Any = ...,
        y: Any = ...,
        batch_size: int | None = ...,
        verbose: int | str = ...,
        *,
        return_dict: Literal[True],
    ) -> dict[str, float]: ...

    def evaluate(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: int | None = 32,
        verbose: int | str = 0,
        return_dict: bool = False,
    ) -> float | list[float] | dict[str, float]:
        """The loss (and metrics) on (x, y): ``[loss, *metrics]``, or the loss alone.

        With ``return_dict=True``: ``{"loss": …, "accuracy": …}``, as in Keras.
        """
        self._require_compiled("evaluate")
        batch_size = 32 if batch_size is None else check_positive_int("batch_size", batch_size)
        x = self._check_x(x)
        y = self._check_y(y, len(x))
        self._resolve_metrics()
        values = self._evaluate_arrays(x, y, batch_size)
        names = ["loss", *self.metric_names]
        if _check_verbose(verbose):
            print(" - ".join(f"{k}: {v:.4f}" for k, v in zip(names, values, strict=True)))
        if return_dict:
            return dict(zip(names, values, strict=True))
        return values if self._metric_fns else values[0]

    def predict(self, x: Any, batch_size: int | None = 32, verbose: int | str = 0) -> np.ndarray:
        """The network's outputs A⁽ᴸ⁾ for every sample of x, computed in batches."""
        batch_size = 32 if batch_size is None else check_positive_int("batch_size", batch_size)
        x = self._check_x(x)
        out = np.empty((len(x), *self.output_shape), dtype=self.dtype)
        for start in range(0, len(x), batch_size):
            out[start : start + batch_size] = self._forward(
                x[start : start + batch_size], training=False
            )
        return out

    def __call__(self, x: Any, training: bool = False) -> np.ndarray:
        return self._forward(self._check_x(x), training)

    def explain(self, x: Any, y: Any) -> Any:
        """Every number of one training step on (x, y), with its formula; the model is unchanged.

        >>> print(model.explain(x[:4], y[:4]))  # doctest: +SKIP
        """
        from glassnet.explain import explain

        return explain(self, x, y)

    # -- weights ------------------------------------------------------------------------------
    def get_weights(self) -> list[np.ndarray]:
        """Copies of every layer's weights, in order (for each Dense: kernel, then bias)."""
        return [w for layer in self._layers for w in layer.get_weights()]

    def set_weights(self, weights: Sequence[np.ndarray]) -> None:
        """Set every layer's weights from a list shaped like ``get_weights()``."""
        self._require_built("set_weights")
        expected = [p.shape for p in self._params]
        if not isinstance(weights, (list, tuple)) or len(weights) != len(expected):
            got = len(weights) if isinstance(weights, (list, tuple)) else type(weights).__name__
            raise ValueError(
                f"model {self.name!r} expects {len(expected)} weight arrays with shapes "
                f"{expected}, got {got}"
            )
        start = 0
        for layer in self._layers:
            count = len(layer.params)
            layer.set_weights(list(weights[start : start + count]))
            start += count

    def count_params(self) -> int:
        """Total number of parameters (weights and biases)."""
        self._require_built("count_params")
        return int(sum(layer.count_params() for layer in self._layers))

    def _require_built(self, method: str) -> None:
        if not self.built:
            raise ValueError(
                f"model {self.name!r} is not built yet, so {method}() has nothing to work on: "
                "give the first layer an input_shape, or call fit/build first"
            )

    # -- summary ------------------------------------------------------------------------------
    def summary(self, print_fn: Callable[[str], Any] | None = None) -> None:
        """Print the layers, their output shapes and parameter counts, as Keras does."""
        (print_fn or print)(summary_text(self))

    def _repr_html_(self) -> str:
        from html import escape

        return f"<pre>{escape(summary_text(self))}</pre>"

    def __repr__(self) -> str:
        return f"<Sequential {self.name!r}: {len(self._layers)} layers>"

    # -- persistence --------------------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        from glassnet import layers as layers_module

        return {
            "name": self.name,
            "input_shape": list(self.input_shape) if self.input_shape else None,
            "layers": [layers_module.serialize(layer) for layer in self._layers],
        }

    def save(self, filepath: str | Path) -> None:
        """Save architecture, weights, optimizer state and random state to one file.

        The file is a NumPy ``.npz`` archive of plain arrays and JSON: loading it never
        unpickles. The write is atomic: an interrupted save leaves any earlier file intact.
        """
        from glassnet.saving import save_model

        save_model(self, filepath)


def _check_verbose(verbose: Any) -> int:
    if verbose == "auto":
        return 1
    if verbose in (0, 1, 2) and not isinstance(verbose, float):
        return int(verbose)
    raise ValueError(
        f"verbose must be 0 (silent), 1 (progress bar), 2 (one line per epoch) "
        f"or 'auto', got {verbose!r}"
    )


def summary_text(model: Sequential) -> str:
    """The text ``summary()`` prints."""
    rows = []
    for layer in model.layers:
        if isinstance(layer, InputLayer):
            continue  # as in Keras, the input is not listed as a layer
        shape = (
            "(None, " + ", ".join(map(str, layer.output_shape)) + ")"
            if layer.built and layer.output_shape is not None
            else "?"
        )
        params = f"{layer.count_params():,}" if layer.built else "0 (unbuilt)"
        rows.append((f"{layer.name} ({type(layer).__name__})", shape, params))
    headers = ("Layer (type)", "Output Shape", "Param #")
    widths = [max([len(headers[i])] + [len(r[i]) for r in rows]) + 2 for i in range(3)]
    widths = [max(widths[0], 33), max(widths[1], 24), max(widths[2], 15)]

    def line(left: str, mid: str, right: str, fill: str) -> str:
        return left + mid.join(fill * w for w in widths) + right

    def row(cells: tuple[str, str, str], sep: str) -> str:
        return (
            sep
            + sep.join(
                [
                    " " + cells[0].ljust(widths[0] - 1),
                    " " + cells[1].ljust(widths[1] - 1),
                    cells[2].rjust(widths[2] - 1) + " ",
                ]
            )
            + sep
        )

    out = [
        f'Model: "{model.name}"',
        line("┏", "┳", "┓", "━"),
        row(headers, "┃"),
        line("┡", "╇", "┩", "━"),
    ]
    for k, r in enumerate(rows):
        out.append(row(r, "│"))
        out.append(line("├", "┼", "┤", "─") if k < len(rows) - 1 else line("└", "┴", "┘", "─"))
    if not rows:
        out.append(line("└", "┴", "┘", "─"))
    total = sum(layer.count_params() for layer in model.layers if layer.built)
    trainable = sum(
        layer.count_params() for layer in model.layers if layer.built and layer.trainable
    )
    itemsize = np.dtype(config.floatx()).itemsize
    out += [
        f" Total params: {total:,} ({_bytes(total * itemsize)})",
        f" Trainable params: {trainable:,} ({_bytes(trainable * itemsize)})",
        f" Non-trainable params: {total - trainable:,} ({_bytes((total - trainable) * itemsize)})",
    ]
    if model.optimizer is not None and any(model.optimizer.slots.values()):
        opt = sum(a.size for v in model.optimizer.slots.values() for a in v)
        out.append(f" Optimizer params: {opt:,} ({_bytes(opt * itemsize)})")
    return "\n".join(out)


def _bytes(n: int) -> str:
    for unit, size in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if n >= size:
            return f"{n / size:.2f} {unit}"
    return f"{n:.2f} B"


def load_model(filepath: str | Path) -> Sequential:
    """Load a model saved with ``model.save``: same architecture, weights, optimizer state."""
    from glassnet.saving import load_model as _load

    return _load(filepath)
