"""Train an MLP on a named data set or a CSV file: what ``glassnet train`` runs."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.model_selection import train_test_split

import glassnet as gn
from glassnet import layers, models, optimizers
from glassnet.datasets import Standardizer, load_csv
from glassnet.experiments.mnist import load
from glassnet.experiments.result import StudyResult
from glassnet.monitors import TrainingMonitor
from glassnet.utils import check_positive_int

NAMED_DATA = ("digits", "mnist", "fashion_mnist")


def load_data(data: str, target: str = "label") -> tuple[str, tuple[Any, ...]]:
    """A named data set, or a CSV split 80/20 (stratified, standardised on the training part)."""
    if data in NAMED_DATA:
        name, split, _ = load(data)
        return name, split
    path = Path(data)
    if path.suffix.lower() != ".csv":
        raise ValueError(
            f"data must be one of {', '.join(NAMED_DATA)} or a path to a .csv file, got {data!r}"
        )
    x, y = load_csv(path, target=target)
    if y.dtype.kind not in "iu":
        raise ValueError(
            f"column {target!r} of {str(path)!r} must hold integer class labels for "
            "classification, got non-integer values"
        )
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=0.2, stratify=y, random_state=0
    )
    scaler = Standardizer().fit(x_train)
    return path.name, ((scaler.transform(x_train), y_train), (scaler.transform(x_test), y_test))


def run(
    data: str = "digits",
    target: str = "label",
    hidden_layers: Sequence[int] = (512,),
    activation: str = "relu",
    optimizer: str = "rmsprop",
    learning_rate: float = 0.001,
    epochs: int = 10,
    batch_size: int = 128,
    validation_split: float = 0.1,
    seed: int = 0,
    save: str | Path | None = None,
    verbose: int = 1,
) -> StudyResult:
    """Train, evaluate on the test part, optionally save the model."""
    epochs = check_positive_int("epochs", epochs)
    hidden_layers = [check_positive_int("hidden layer size", h) for h in hidden_layers]
    start = time.perf_counter()
    name, ((x_train, y_train), (x_test, y_test)) = load_data(data, target)
    y_train, y_test = y_train.astype(np.int64), y_test.astype(np.int64)
    classes = int(max(y_train.max(), y_test.max())) + 1
    gn.set_seed(seed)
    model = models.Sequential(name="mlp")
    model.add(
        layers.Dense(hidden_layers[0], activation=activation, input_shape=(x_train.shape[1],))
    )
    for units in hidden_layers[1:]:
        model.add(layers.Dense(units, activation=activation))
    model.add(layers.Dense(classes, activation="softmax"))
    opt = optimizers.get(optimizer)
    opt = type(opt)(**{**opt.get_config(), "learning_rate": learning_rate})
    model.compile(optimizer=opt, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(
        x_train,
        y_train,
        epochs=epochs,
        batch_size=batch_size,
        validation_split=validation_split,
        verbose=verbose,
        callbacks=[TrainingMonitor()],
    )
    scores = model.evaluate(x_test, y_test, batch_size=1024, return_dict=True)
    loss, accuracy = scores["loss"], scores["accuracy"]
    predicted = model.predict(x_test, batch_size=1024).argmax(axis=1)
    confusion = np.zeros((classes, classes), dtype=int)
    np.add.at(confusion, (y_test, predicted), 1)
    if save is not None:
        model.save(save)
    return StudyResult(
        study="train",
        title=f"An MLP trained on {name}",
        settings={
            "data": name,
            "hidden_layers": list(hidden_layers),
            "activation": activation,
            "optimizer": optimizer,
            "learning_rate": learning_rate,
            "epochs": epochs,
            "batch_size": batch_size,
            "validation_split": validation_split,
            "seed": seed,
            "parameters": model.count_params(),
            "saved_to": str(save) if save else None,
        },
        data={
            "history": history.history,
            "confusion": confusion.tolist(),
            "test_accuracy": accuracy,
            "test_loss": loss,
        },
        table=[
            {
                "data": name,
                "training samples": len(x_train),
                "test samples": len(x_test),
                "test accuracy": accuracy,
                "test loss": loss,
            }
        ],
        verdict=f"Test accuracy {accuracy:.2%} on {len(x_test):,} held-out samples of {name}.",
        seconds=time.perf_counter() - start,
    )


def figures(result: StudyResult) -> dict[str, Any]:
    """Training curves, the confusion matrix, and the layers' health while training."""
    from dataclasses import replace

    from glassnet import plots
    from glassnet.experiments import mnist

    curves = {k: v for k, v in result.data["history"].items() if "/" not in k}
    out = mnist.figures(replace(result, data={**result.data, "history": curves}))
    out["layer_health"] = plots.monitor_panels(result.data["history"])
    return out
