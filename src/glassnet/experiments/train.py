"""Train an MLP on a named data set or a CSV file, and predict a CSV file's rows: what
``glassnet train`` and ``glassnet predict`` run."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

import glassnet as gn
from glassnet import layers, models, optimizers
from glassnet.datasets.csv import features_of, read_csv_frame, split_target
from glassnet.experiments.contract import Annotated, Param, study
from glassnet.experiments.mnist import load
from glassnet.experiments.options import check_hidden_activations, check_output_file
from glassnet.experiments.result import StudyResult
from glassnet.monitors import TrainingMonitor

NAMED_DATA = ("digits", "mnist", "fashion_mnist")


@dataclass
class TrainingData:
    """A data set split for training: for a CSV file, also its columns and its class labels."""

    name: str
    train: tuple[np.ndarray, np.ndarray]
    test: tuple[np.ndarray, np.ndarray]
    csv_info: dict[str, Any] | None = None  # {"target", "features", "classes"}, plain JSON


def encode_labels(y: np.ndarray, what: str) -> tuple[np.ndarray, list[Any]]:
    """Class indices 0…k−1 for the labels y, and the label of each class (sorted).

    Labels may be names ("setosa"), integers (any k distinct values: {0, 5} become 0 and 1)
    or numbers written with a decimal point that are whole (0.0/1.0 are the integers 0 and 1).
    """
    if y.dtype.kind == "f":
        fractional = y != np.round(y)
        if fractional.any():
            raise ValueError(
                f"{what} must hold class labels (whole numbers or names), got non-integer "
                f"values such as {y[fractional][0].item()!r}"
            )
        y = y.astype(np.int64)
    classes, codes = np.unique(y, return_inverse=True)
    if len(classes) < 2:
        raise ValueError(
            f"{what} holds a single class, {classes[0].item()!r}; a classifier needs two or more"
        )
    return codes.reshape(-1).astype(np.int64), [c.item() for c in classes]


def load_data(
    data: str, target: str = "label", sep: str | None = None, drop: Sequence[str] = ()
) -> TrainingData:
    """A named data set, or a CSV split 80/20 (stratified) with its labels encoded as 0…k−1.

    CSV features are returned as they are in the file: the model standardises them itself.
    """
    if data in NAMED_DATA:
        name, (train, test), _ = load(data)
        return TrainingData(name, train, test)
    path = Path(data)
    if path.suffix.lower() != ".csv":
        raise ValueError(
            f"data must be one of {', '.join(NAMED_DATA)} or a path to a .csv file, got {data!r}"
        )
    frame = read_csv_frame(path, sep=sep, drop=drop)
    x, labels = split_target(frame, target, path)
    y, classes = encode_labels(labels, f"column {target!r} of {str(path)!r}")
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=0.2, stratify=y, random_state=0
    )
    features = [str(c) for c in frame.columns if c != target]
    info = {"target": target, "features": features, "classes": classes}
    return TrainingData(path.name, (x_train, y_train), (x_test, y_test), info)


def _hidden_activation(name: str) -> str:
    return check_hidden_activations([name])[0]


def _save_path(path: Path) -> Path:
    return check_output_file(path, "save")


@study("train", title="An MLP trained on a data set", command="train")
def run(
    data: Annotated[
        str, Param("digits, mnist, fashion_mnist, or a path to a CSV file with a header line.")
    ] = "digits",
    target: Annotated[str, Param("The CSV column holding the class labels.")] = "label",
    sep: Annotated[
        str | None,
        Param("The CSV separator, e.g. ';' (default: guessed from the first lines, else ',')."),
    ] = None,
    drop: Annotated[
        Sequence[str], Param("CSV columns to leave out, e.g. an ID column.", min_items=0)
    ] = (),
    hidden_layers: Annotated[
        Sequence[int], Param("Hidden layer sizes, e.g. 512,256.", low=1, option="layers")
    ] = (512,),
    activation: Annotated[
        str,
        Param(
            "The hidden layers' activation, element-wise: relu, tanh, sigmoid, leaky_relu, ….",
            check=_hidden_activation,
        ),
    ] = "relu",
    optimizer: Annotated[
        str, Param("The optimizer.", choices=("rmsprop", "adam", "sgd"))
    ] = "rmsprop",
    learning_rate: Annotated[
        float, Param("Learning rate.", low=0, low_open=True, option="lr")
    ] = 0.001,
    epochs: Annotated[int, Param("Passes over the training part.", low=1)] = 10,
    batch_size: Annotated[int, Param("Samples per batch.", low=1)] = 128,
    validation_split: Annotated[
        float,
        Param(
            "Share of the training part held out for validation.",
            low=0,
            high=1,
            high_open=True,
        ),
    ] = 0.1,
    seed: Annotated[int, Param("Seed of the initial weights and the shuffling.", low=0)] = 0,
    save: Annotated[
        Path | None,
        Param(
            "Save the trained model to this file (its folder is created if need be).",
            check=_save_path,
            setting=False,
        ),
    ] = None,
    verbose: Annotated[
        int,
        Param("0: silent, 1: a progress bar.", low=0, high=2, on_command_line=False, setting=False),
    ] = 1,
) -> StudyResult:
    """Train an MLP classifier with a progress bar, evaluate it and write a report.

    Every option is checked before any training (the save path too). A CSV's features are
    standardised by the model's first layer, a Normalization adapted on the training part, so
    the saved model takes the file's raw rows; the class labels are kept in the model
    (``model.csv_info``) and in its file.
    """
    start = time.perf_counter()
    loaded = load_data(data, target, sep=sep, drop=drop)
    name, (x_train, y_train), (x_test, y_test) = loaded.name, loaded.train, loaded.test
    y_train, y_test = y_train.astype(np.int64), y_test.astype(np.int64)
    if loaded.csv_info is not None:
        classes = len(loaded.csv_info["classes"])
    else:
        classes = int(max(y_train.max(), y_test.max())) + 1
    gn.set_seed(seed)
    model = models.Sequential(name="mlp")
    if loaded.csv_info is not None:
        normalization = layers.Normalization(input_shape=(x_train.shape[1],))
        model.add(normalization)
        normalization.adapt(x_train)  # μ and σ² of the training part only
        model.add(layers.Dense(hidden_layers[0], activation=activation))
        model.csv_info = loaded.csv_info  # saved in the model's file
    else:
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
    scores = model.evaluate(x_test, y_test, batch_size=1024, verbose=0, return_dict=True)
    loss, accuracy = scores["loss"], scores["accuracy"]
    predicted = model.predict(x_test, batch_size=1024, verbose=0).argmax(axis=1)
    confusion = np.zeros((classes, classes), dtype=int)
    np.add.at(confusion, (y_test, predicted), 1)
    if save is not None:
        Path(save).parent.mkdir(parents=True, exist_ok=True)  # checked writable before training
        model.save(save)
    return StudyResult(
        study="train",
        title=f"An MLP trained on {name}",
        settings={
            "data": data,
            "classes": loaded.csv_info["classes"] if loaded.csv_info else None,
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


def _label_text(values: Any) -> np.ndarray:
    """Labels as text for comparison: whole numbers without a decimal point (1.0 → "1")."""
    arr = np.asarray(values)
    if arr.dtype.kind == "f" and np.all(arr == np.round(arr)):
        arr = arr.astype(np.int64)
    return arr.astype(str)


def predict_csv(
    model: Any,
    data: str | Path,
    sep: str | None = None,
    drop: Sequence[str] = (),
    target: str | None = None,
    proba: bool = False,
) -> tuple[pd.DataFrame, float | None]:
    """The predicted class of each row of a CSV file, and the accuracy when it has the target.

    Rows are given raw: a model trained by ``glassnet train`` on a CSV standardises them
    itself. Its feature columns are taken by name when the file has them all (other columns,
    and the target, are ignored), else in the file's order; predictions are the original class
    labels. Returns (a table with a ``prediction`` column, and with ``proba=True`` one
    ``probability_<class>`` column per class; the accuracy, or None).
    """
    info = getattr(model, "csv_info", None)
    if not model.built:
        raise ValueError("the model is not built, so it cannot predict")
    width = int(model.input_shape[-1])
    target = target or (info["target"] if info else "label")
    frame = read_csv_frame(data, sep=sep, drop=drop)
    truth = frame.pop(target) if target in frame.columns else None
    features = info["features"] if info else None
    if features is not None and all(c in frame.columns for c in features):
        frame = frame[features]
    if frame.shape[1] != width:
        names = ", ".join(repr(c) for c in (features or [])[:20])
        expected = f" ({names})" if names else ""
        raise ValueError(
            f"{data} has {frame.shape[1]} feature columns, the model expects {width}{expected}"
        )
    x = features_of(frame, data)
    probabilities = np.asarray(model.predict(x, batch_size=1024, verbose=0))
    if probabilities.shape[-1] == 1:  # one sigmoid unit: P(class 1)
        probabilities = np.concatenate([1 - probabilities, probabilities], axis=-1)
    classes = info["classes"] if info else list(range(probabilities.shape[-1]))
    predicted = np.asarray(classes, dtype=object)[probabilities.argmax(axis=-1)]
    table = pd.DataFrame({"prediction": predicted})
    if proba:
        for j, label in enumerate(classes):
            table[f"probability_{label}"] = probabilities[:, j]
    accuracy = None
    if truth is not None:
        accuracy = float(np.mean(_label_text(truth.to_numpy()) == _label_text(list(predicted))))
    return table, accuracy


def figures(result: StudyResult) -> dict[str, Any]:
    """Training curves, the confusion matrix, and the layers' health while training."""
    from dataclasses import replace

    from glassnet import plots
    from glassnet.experiments import mnist

    curves = {k: v for k, v in result.data["history"].items() if "/" not in k}
    out = mnist.figures(replace(result, data={**result.data, "history": curves}))
    out["layer_health"] = plots.monitor_panels(result.data["history"])
    return out
