""" "Copy as Python": the run of a session as a standalone glassnet script.

The script rebuilds the data with `glassnet.datasets.playground` (custom or edited data as
literal arrays), builds the same network with the same seed, and trains it one epoch at a time
as the page did, replaying every live change (learning rate, regularization rate, batch size,
an edited weight, an added point) before the epoch it was made at. Run for the same number of
epochs, it ends with the page's weights, bit for bit.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import numpy as np

from glassnet.datasets import playground as playground_data

if TYPE_CHECKING:
    from glassnet.playground.session import Session

_OPTIMIZERS = {
    "sgd": "optimizers.SGD(learning_rate={lr!r})",
    "momentum": "optimizers.SGD(learning_rate={lr!r}, momentum=0.9)",
    "rmsprop": "optimizers.RMSprop(learning_rate={lr!r})",
    "adam": "optimizers.Adam(learning_rate={lr!r})",
}


def _array(values: np.ndarray) -> str:
    """A literal that NumPy reads back to the same array (float repr round-trips exactly)."""
    dtype = "np.int64" if values.dtype.kind in "iu" else "np.float64"
    return f"np.array({values.tolist()!r}, dtype={dtype})"


def _q(text: str) -> str:
    """A string literal in double quotes."""
    return json.dumps(text)


def _label(value: Any, classification: bool) -> str:
    return repr(int(value)) if classification else repr(float(value))


def _change(
    event: tuple[Any, ...], regularization: str, target: str, classification: bool
) -> list[str]:
    """The lines that replay one live change."""
    kind = event[1]
    if kind == "learning_rate":
        return [f"model.optimizer.learning_rate = {event[2]!r}"]
    if kind == "batch_size":
        return [f"batch_size = {event[2]!r}"]
    if kind == "regularization_rate":
        if regularization == "none":
            return [f"# regularization rate set to {event[2]!r} (no regularization: no effect)"]
        attribute = "l1" if regularization == "l1" else "l2"
        return [
            "for layer in model.layers:",
            f"    layer.kernel_regularizer.{attribute} = {event[2]!r}",
        ]
    if kind == "weight":
        _, _, layer, i, j, value = event
        return [
            "weights = model.get_weights()",
            f"weights[{2 * layer}][{i}, {j}] = {value!r}  # W of Dense layer {layer}, "
            f"input {i} → unit {j}",
            "model.set_weights(weights)",
        ]
    if kind == "bias":
        _, _, layer, j, value = event
        return [
            "weights = model.get_weights()",
            f"weights[{2 * layer + 1}][{j}] = {value!r}  # b of Dense layer {layer}, unit {j}",
            "model.set_weights(weights)",
        ]
    if kind == "point":
        _, _, x1, x2, label = event
        return [
            f"x_train = np.vstack([x_train, [[{x1!r}, {x2!r}]]])  # a point added on the page",
            f"y_train = np.append(y_train, {_label(label, classification)})",
            "f_train = playground.features(x_train, FEATURES)",
            f"y_fit = {target.format('y_train')}",
        ]
    raise ValueError(f"unknown change {kind!r}")


def script(session: Session) -> str:
    """The standalone script that reproduces the session's current run."""
    from glassnet.playground.network import layer_names

    record = session.record
    c = record.config
    spec = session.main.spec
    classification = record.task == "classification"
    epochs = session.epoch + (1 if session.main.diverged else 0)
    target = "{}" if spec.output == "softmax" else "{}.reshape(-1, 1)"
    uniform = spec.initializer == "uniform"
    modules = ("initializers, " if uniform else "") + "layers, models, optimizers, regularizers"
    lines = [
        '"""A glassnet playground run, exported: the same data, network, seed and changes.',
        "",
        f"Trained for {epochs} epoch(s), the weights equal the page's, bit for bit.",
        '"""',
        "",
        "import numpy as np",
        "",
        f"from glassnet import {modules}",
        "from glassnet.datasets import playground",
        "",
        f"EPOCHS = {epochs}",
        f"FEATURES = {json.dumps(list(c['features']))}",
        "",
    ]
    if record.generated and c["dataset"] in playground_data.UNSPLIT:
        lines += [
            f"x_train, y_train = playground.{c['dataset']}()",
            "x_test, y_test = x_train, y_train  # no test set of its own: the training samples",
        ]
    elif record.generated:
        lines += [
            f"x, y = playground.{c['dataset']}(n={c['n_points']!r}, noise={c['noise']!r}, "
            f"seed={c['data_seed']!r}, classes={c['classes']!r})",
            "(x_train, y_train), (x_test, y_test) = playground.split(",
            f"    x, y, train_ratio={c['train_ratio']!r}, seed={c['data_seed']!r}",
            ")",
        ]
    else:
        lines += [
            "# the page's data (uploaded or edited), split as it was",
            f"x_train = {_array(record.x_train)}",
            f"y_train = {_array(record.y_train)}",
            f"x_test = {_array(record.x_test)}",
            f"y_test = {_array(record.y_test)}",
        ]
    names = layer_names(len(spec.layers) + 1)
    regularizer = (
        ""
        if spec.regularization == "none"
        else f", kernel_regularizer=regularizers.{spec.regularization.upper()}"
        f"({spec.regularization_rate!r})"
    )
    options = regularizer
    if uniform:
        options += ", kernel_initializer=uniform, bias_initializer=uniform"
        lines += ["", "uniform = initializers.RandomUniform(-1.0, 1.0)  # kernels and biases"]
    lines += [
        "",
        "model = models.Sequential(",
        "    [",
        f"        layers.Input(({spec.n_features},)),",
    ]
    for units, activation, name in zip(spec.layers, spec.activations, names, strict=False):
        arguments = f"{units}, activation={_q(activation)}{options}, name={_q(name)}"
        lines.append(f"        layers.Dense({arguments}),")
    lines += [
        f"        layers.Dense({spec.outputs}, activation={_q(spec.output)}{options}, "
        f"name={_q(names[-1])}),",
        "    ],",
        f"    seed={spec.seed},",
        '    name="playground",',
        ")",
        f"model.compile(optimizer={_OPTIMIZERS[spec.optimizer].format(lr=spec.learning_rate)}, "
        f"loss={_q(spec.loss)})",
        "",
        f"batch_size = {c['batch_size']!r}",
        "f_train = playground.features(x_train, FEATURES)",
        f"y_fit = {target.format('y_train')}",
        "",
    ]
    by_epoch: dict[int, list[tuple[Any, ...]]] = {}
    for event in record.events:
        by_epoch.setdefault(event[0], []).append(event)
    lines.append("for epoch in range(EPOCHS):")
    first = True
    for epoch in sorted(e for e in by_epoch if e < epochs):
        lines.append(
            f"    {'if' if first else 'elif'} epoch == {epoch}:  # changes made on the page"
        )
        first = False
        for event in by_epoch[epoch]:
            lines += [
                "        " + line
                for line in _change(event, spec.regularization, target, classification)
            ]
    lines += [
        "    model.fit(",
        "        f_train, y_fit, batch_size=batch_size, epochs=epoch + 1, initial_epoch=epoch,",
        "        shuffle=True, verbose=0,",
        "    )",
    ]
    after = [e for e in record.events if e[0] >= epochs]
    if after:
        lines.append("# changes made after the last epoch")
        for event in after:
            lines += _change(event, spec.regularization, target, classification)
    if session.main.diverged:
        lines.append("# (on the page the loss became NaN or infinite in the last epoch)")
    lines += [
        "",
        "f_test = playground.features(x_test, FEATURES)",
        "train_loss = model.evaluate(f_train, y_fit, batch_size=len(f_train), verbose=0)",
        f"test_loss = model.evaluate(f_test, {target.format('y_test')}, "
        "batch_size=len(f_test), verbose=0)",
        'print(f"after {EPOCHS} epochs: train loss {train_loss:.4f}, test loss {test_loss:.4f}")',
    ]
    if session.compare is not None:
        lines += [
            "# The page also trained a second network side by side "
            f"({session.compare.label}); this script rebuilds the first.",
        ]
    return "\n".join(lines) + "\n"
