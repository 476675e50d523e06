# The checks are a mixin of Model; their methods type ``self`` as the Model they run on.
# mypy: disable-error-code="misc"
"""The checks at a model's boundary: inputs and targets, before any work.

Each array is converted once to the model's float type and checked against what the model
expects: the number of inputs and outputs, each input's width (naming the layer that reads it),
each target's shape against its output and its loss (labels in range, one-hot widths,
probabilities in [0, 1]), NaN or infinity, and matching sample counts. Inner code trusts them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from glassnet import losses
from glassnet.utils import as_float_array, as_labels

if TYPE_CHECKING:
    from glassnet.models.model import Model


class InputChecks:
    """Turns what a user passes as x and y into checked arrays, one per input and output."""

    def _check_sample_weights(
        self: Model,
        sample_weight: Any,
        class_weight: Any,
        ys: list[np.ndarray],
        what: str = "sample_weight",
    ) -> list[np.ndarray | None] | None:
        """One weight array per output (None where unweighted), from ``sample_weight`` or from
        ``class_weight`` ({class: weight}, a weight per sample by its label, as Keras)."""
        if sample_weight is None and class_weight is None:
            return None
        n = len(ys[0])
        if sample_weight is not None and class_weight is not None:
            raise ValueError("pass sample_weight or class_weight, not both")
        if class_weight is not None:
            return [self._class_weights(class_weight, ys)]
        if isinstance(sample_weight, dict):
            names = self.output_names
            unknown = set(sample_weight) - set(names)
            if unknown:
                raise ValueError(f"{what} names outputs {sorted(unknown)}; outputs: {names}")
            given = [sample_weight.get(name) for name in names]
        elif len(ys) > 1 and isinstance(sample_weight, (list, tuple)):
            if len(sample_weight) != len(ys):
                raise ValueError(f"{what} needs one array per output ({len(ys)})")
            given = list(sample_weight)
        else:
            given = [sample_weight] * len(ys)
        return [None if w is None else _finite_weights(w, n, what) for w in given]

    def _class_weights(self: Model, class_weight: Any, ys: list[np.ndarray]) -> np.ndarray:
        if len(ys) > 1:
            raise ValueError("class_weight works for a model with one output; use sample_weight")
        if not isinstance(class_weight, dict):
            raise TypeError(f"class_weight must be a dict {{class: weight}}, got {class_weight!r}")
        y = ys[0]
        width = int(self._output_shape_list()[0][-1] or 1)
        classes = 2 if width == 1 else width
        for key, value in class_weight.items():
            if (
                isinstance(key, bool)
                or not isinstance(key, (int, np.integer))
                or not (0 <= key < classes)
            ):
                raise ValueError(
                    f"class_weight has class {key!r}, but the output has classes 0 to {classes - 1}"
                )
            if (
                not isinstance(value, (int, float, np.number))
                or not np.isfinite(value)
                or value < 0
            ):
                raise ValueError(
                    f"class_weight for class {key} must be a number >= 0, got {value!r}"
                )
        if y.ndim > 1 and y.shape[-1] != 1:
            labels = y.argmax(axis=-1)
        else:
            labels = np.round(y.reshape(len(y))).astype(int)
        table = np.ones(classes)
        for key, value in class_weight.items():
            table[int(key)] = float(value)
        # a class not in the dict weighs 1, as in Keras; so does a label outside the classes
        # (the loss's ignore_class, which the loss then leaves out)
        inside = (labels >= 0) & (labels < classes)
        return np.where(inside, table[np.where(inside, labels, 0)], 1.0)

    def _input_list(self: Model, x: Any) -> list[Any]:
        if isinstance(x, dict):
            names = getattr(self, "input_names", None)
            if names is None:
                return list(x.values())
            missing = [n for n in names if n not in x]
            if missing:
                raise ValueError(f"x has no entry for input(s) {missing}; inputs: {names}")
            return [x[n] for n in names]
        inputs = getattr(self, "inputs", None)
        if (not inputs or len(inputs) == 1) and _one_batch_in_a_list(x, min_ndim=2):
            return [x[0]]  # Model([a], …) called on [x], as Keras allows
        if inputs and len(inputs) > 1:
            if not isinstance(x, (list, tuple)) or len(x) != len(inputs):
                raise ValueError(
                    f"model {self.name!r} takes {len(inputs)} inputs "
                    f"({', '.join(self.input_names)}): pass a list of {len(inputs)} arrays"  # type: ignore[attr-defined]
                )
            return list(x)
        return [x]

    def _check_x(self: Model, x: Any, what: str = "x") -> list[np.ndarray]:
        """The inputs as float arrays of the model's dtype, checked against its input shapes."""
        given = self._input_list(x)
        arrays = []
        for i, item in enumerate(given):
            name = what if len(given) == 1 else f"{what}[{i}]"
            arr = as_float_array(item, name, self.dtype if self.built else None)
            if arr.ndim < 2:
                raise ValueError(
                    f"{name} must have shape (samples, features), got shape {arr.shape}; for a "
                    "single feature use x.reshape(-1, 1), for a single sample x.reshape(1, -1)"
                )
            arrays.append(arr)
        if len({len(a) for a in arrays}) > 1:
            raise ValueError(
                f"the inputs have different numbers of samples: {[len(a) for a in arrays]}"
            )
        if not self.built:
            self._build_from(arrays)
            arrays = [a.astype(self.dtype, copy=False) for a in arrays]
        expected = self._input_shapes()
        for i, (arr, shape) in enumerate(zip(arrays, expected, strict=True)):
            if shape is not None and arr.shape[1:] != tuple(shape[1:]):
                name = what if len(arrays) == 1 else f"{what}[{i}]"
                raise ValueError(self._width_error(i, arr, shape, name))
        return arrays

    def _width_error(self: Model, i: int, arr: np.ndarray, shape: Any, what: str) -> str:
        per_sample = tuple(shape[1:])
        expected = per_sample if len(per_sample) > 1 else per_sample[0]
        got = arr.shape[1:] if arr.ndim > 2 else arr.shape[1]
        layer = self._first_layer_of_input(i)
        who = (
            f"{type(layer).__name__} {layer.name!r}"
            if layer is not None
            else f"model {self.name!r}"
        )
        return f"{who} expects {expected} input features, got {got} ({what} has shape {arr.shape})"

    def _first_layer_of_input(self: Model, i: int) -> Any:
        graph = getattr(self, "graph", None)
        inputs = getattr(self, "inputs", None)
        if graph is not None and inputs:
            for call in graph:
                if any(t is inputs[i] for t in call.inputs):
                    return call.layer
        layers = self.layers
        return layers[0] if layers else None

    def _input_shapes(self: Model) -> list[Any]:
        inputs = getattr(self, "inputs", None)
        if inputs:
            return [t.shape for t in inputs]
        shape = self.build_input_shape
        return shape if isinstance(shape, list) else [shape]

    def _build_from(self: Model, arrays: list[np.ndarray]) -> None:
        """Build an unbuilt model from a sample of the data (its first row)."""
        if not self.layers and type(self).__name__ == "Sequential":
            raise ValueError(f"model {self.name!r} has no layers")
        sample = [a[:1] for a in arrays]
        out = self(sample[0] if len(sample) == 1 else sample, training=False)
        self._note_output_shapes(out)

    def _check_y(self: Model, y: Any, n_samples: int, what: str = "y") -> list[np.ndarray]:
        """The targets, one array per output, checked against each output and its loss."""
        names = self.output_names
        if y is None:
            if all(loss is None for loss in self.output_losses) and not any(self.metric_specs):
                # the loss comes from add_loss alone: no targets, as Keras's fit(x)
                return [np.empty((n_samples, 0), dtype=self.dtype) for _ in names]
            raise ValueError(f"{what} is required: pass the targets for every sample")
        if isinstance(y, dict):
            missing = [n for n in names if n not in y]
            if missing:
                raise ValueError(f"{what} has no entry for output(s) {missing}; outputs: {names}")
            given = [y[n] for n in names]
        elif len(names) > 1:
            if not isinstance(y, (list, tuple)) or len(y) != len(names):
                raise ValueError(
                    f"model {self.name!r} has {len(names)} outputs ({', '.join(names)}): pass "
                    f"{what} as a list of {len(names)} arrays or a dict by output name"
                )
            given = list(y)
        elif _one_batch_in_a_list(y) and len(y[0]) == n_samples:
            given = [y[0]]  # Model(…, [out]) fit on [y], as Keras allows
        else:
            given = [y]
        shapes = self._output_shape_list()
        return [
            self._check_one_y(
                item,
                n_samples,
                loss,
                tuple(shape[1:]),
                name,
                what if len(names) == 1 else f"{what}[{name!r}]",
            )
            for item, loss, shape, name in zip(
                given, self.output_losses, shapes, names, strict=True
            )
        ]

    def _check_one_y(
        self: Model,
        y: Any,
        n_samples: int,
        loss: losses.Loss | None,
        out_shape: tuple[int, ...],
        out_name: str,
        what: str,
    ) -> np.ndarray:
        width = out_shape[-1]
        out = self._output_layer_name(out_name)
        if loss is None:  # no loss for this output: its targets only feed its metrics
            arr = as_float_array(y, what, self.dtype)
            arr = arr.reshape(-1, 1) if arr.ndim == 1 and width == 1 else arr
        elif loss.sparse_targets:
            labels, counted = _labels_and_counted(y, what, getattr(loss, "ignore_class", None))
            if labels.size == 0:
                raise ValueError(f"{what} is empty; expected one label per sample")
            top = labels.max(initial=-1, where=counted)
            if top >= width:
                raise ValueError(
                    f"{what} holds label {int(top)}, but the output layer {out!r} "
                    f"has {width} units: labels must lie in [0, {width - 1}]" + _ignored_text(loss)
                )
            arr = labels
        else:
            arr = as_float_array(y, what, self.dtype)
            if arr.ndim == 1 and width == 1:
                arr = arr.reshape(-1, 1)
            if arr.ndim == 1 and isinstance(loss, losses.CategoricalCrossentropy):
                raise ValueError(
                    f"categorical_crossentropy expects one-hot {what} of shape (samples, {width}), "
                    f"got shape {arr.shape}; use utils.to_categorical({what}, {width}) or "
                    "loss='sparse_categorical_crossentropy' for integer labels"
                )
            if arr.shape[1:] != out_shape:
                dims = ", ".join(map(str, out_shape))
                raise ValueError(
                    f"{what} has shape {arr.shape}, but the output layer {out!r} gives "
                    f"(samples, {dims}): expected {what} of shape ({n_samples}, {dims})"
                )
            probabilities = (losses.BinaryCrossentropy, losses.CategoricalCrossentropy)
            if isinstance(loss, probabilities) and (arr.min() < 0 or arr.max() > 1):
                raise ValueError(
                    f"{loss.name} expects {what} in [0, 1], got values from "
                    f"{arr.min():g} to {arr.max():g}"
                )
        if len(arr) != n_samples:
            raise ValueError(
                f"x and {what} must have the same number of samples, got {n_samples} and {len(arr)}"
            )
        return arr

    def _output_layer_name(self: Model, out_name: str) -> str:
        if out_name.startswith("output"):
            layers = self.layers
            return layers[-1].name if layers else out_name
        return out_name


def _labels_and_counted(y: Any, what: str, ignore_class: int | None) -> tuple[np.ndarray, Any]:
    """Integer labels, and which of them count: all (True) or those that are not the loss's
    ``ignore_class``. Only that label may lie outside [0, width − 1] (Keras reads it as 'no
    class', e.g. -1 or 255 in a segmentation map)."""
    raw = np.asarray(y)
    if ignore_class is None or raw.dtype.kind not in "iuf":
        return as_labels(y, what), True
    ignored = raw == ignore_class
    if not ignored.any():
        return as_labels(raw, what), True
    labels = as_labels(np.where(ignored, 0, raw), what)  # the others checked as usual
    ignored = ignored.reshape(labels.shape)
    labels[ignored] = ignore_class
    return labels, ~ignored


def _ignored_text(loss: losses.Loss) -> str:
    ignore_class = getattr(loss, "ignore_class", None)
    return "" if ignore_class is None else f" (or {ignore_class}, the loss's ignore_class)"


def _one_batch_in_a_list(value: Any, min_ndim: int = 1) -> bool:
    """``[array]``: a list holding the data of a model's only input or output."""
    return (
        isinstance(value, (list, tuple))
        and len(value) == 1
        and isinstance(value[0], np.ndarray)
        and value[0].ndim >= min_ndim
    )


def _finite_weights(w: Any, n: int, what: str) -> np.ndarray:
    arr = as_float_array(w, what, "float64").reshape(-1) if np.ndim(w) else None
    if arr is None or arr.size != n:
        got = "a scalar" if arr is None else f"{arr.size} values"
        raise ValueError(f"{what} must hold one weight per sample ({n}), got {got}")
    if arr.min() < 0:
        raise ValueError(f"{what} must be >= 0, got {arr.min():g}")
    return arr
