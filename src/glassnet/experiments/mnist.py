"""Study: the Keras lesson's MLP on MNIST (or scikit-learn's digits when MNIST is absent).

784 → 512 relu → 10 softmax, RMSprop, categorical cross-entropy, batch 128, pixels scaled to
[0, 1]: the lesson reports 97.8 % test accuracy after training on the 60,000 images.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import numpy as np

import glassnet as gn
from glassnet import layers, models, utils
from glassnet.datasets import DatasetError, digits, fashion_mnist, mnist, scale_images
from glassnet.experiments.contract import Annotated, Param, study
from glassnet.experiments.result import StudyResult, Verdict

TITLE = "The lesson's MLP"  # followed by the network as built: "784 → 512 relu → 10 softmax"
LESSON_ACCURACY = 0.978
DATASETS = ("auto", "mnist", "fashion_mnist", "digits")


def load(dataset: str) -> tuple[str, tuple[Any, ...], list[str]]:
    """(name used, ((x_train, y_train), (x_test, y_test)) scaled and flattened, notes)."""
    if dataset not in DATASETS:
        raise ValueError(f"dataset must be one of {', '.join(DATASETS)}, got {dataset!r}")
    notes: list[str] = []
    if dataset in ("auto", "mnist", "fashion_mnist"):
        loader = fashion_mnist if dataset == "fashion_mnist" else mnist
        try:
            (xtr, ytr), (xte, yte) = loader.load_data(download=dataset != "auto")
            name = "fashion_mnist" if dataset == "fashion_mnist" else "mnist"
            max_value = 255.0
        except DatasetError as err:
            if dataset != "auto":
                raise
            notes.append(
                f"MNIST not available ({type(err).__name__}); used scikit-learn's "
                "8×8 digits instead, so the numbers are not comparable to the lesson's."
            )
            dataset = "digits"
    if dataset == "digits":
        (xtr, ytr), (xte, yte) = digits.load_data()
        name, max_value = "digits", 16.0
    xtr = scale_images(xtr.reshape(len(xtr), -1), max_value=max_value)
    xte = scale_images(xte.reshape(len(xte), -1), max_value=max_value)
    return name, ((xtr, ytr), (xte, yte)), notes


def lesson_mlp(inputs: int, hidden: int = 512) -> models.Sequential:
    model = models.Sequential(
        [
            layers.Dense(hidden, activation="relu", input_shape=(inputs,)),
            layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def judge(settings: Mapping[str, Any], data: Mapping[str, Any]) -> Verdict:
    """The saved test accuracy, next to the lesson's when the data set is MNIST."""
    accuracy, epochs, name = data["test_accuracy"], settings["epochs"], settings["dataset"]
    if name == "mnist":
        return Verdict(
            f"Test accuracy {accuracy:.2%} on the 10,000 MNIST test images after "
            f"{epochs} epochs, against the lesson's {LESSON_ACCURACY:.1%}.",
            "Reported, not judged: one run (one seed) has no spread to compare the lesson's "
            "figure with.",
        )
    return Verdict(
        f"Test accuracy {accuracy:.2%} on {name} after {epochs} epochs.",
        f"Reported, not judged: the lesson's {LESSON_ACCURACY:.1%} was measured on MNIST, "
        f"not on {name}.",
    )


@study("mnist", title=TITLE)
def run(
    dataset: Annotated[
        str,
        Param(
            "The images: auto is MNIST when its files are found, else digits.",
            choices=("auto", "mnist", "fashion_mnist", "digits"),
        ),
    ] = "auto",
    epochs: Annotated[int, Param("Passes over the training images.", low=1)] = 10,
    batch_size: Annotated[int, Param("Samples per batch.", low=1)] = 128,
    hidden: Annotated[int, Param("Units of the hidden layer.", low=1, high=65536)] = 512,
    seed: Annotated[int, Param("Seed of the initial weights and the shuffling.", low=0)] = 0,
    validation_split: Annotated[
        float,
        Param(
            "Share of the training images held out for validation.",
            low=0,
            high=1,
            high_open=True,
        ),
    ] = 0.1,
    verbose: Annotated[
        int,
        Param("0: silent, 1: a progress bar.", low=0, high=2, on_command_line=False, setting=False),
    ] = 0,
) -> StudyResult:
    """The Keras lesson's MLP (784 → 512 relu → 10 softmax), evaluated on the test images."""
    start = time.perf_counter()
    name, ((x_train, y_train), (x_test, y_test)), notes = load(dataset)
    gn.set_seed(seed)
    model = lesson_mlp(x_train.shape[1], hidden)
    t0 = time.perf_counter()
    history = model.fit(
        x_train,
        utils.to_categorical(y_train, 10),
        epochs=epochs,
        batch_size=batch_size,
        validation_split=validation_split,
        verbose=verbose,
    )
    train_seconds = time.perf_counter() - t0
    scores = model.evaluate(
        x_test, utils.to_categorical(y_test, 10), batch_size=1024, verbose=0, return_dict=True
    )
    loss, accuracy = scores["loss"], scores["accuracy"]
    predicted = model.predict(x_test, batch_size=1024, verbose=0).argmax(axis=1)
    confusion = np.zeros((10, 10), dtype=int)
    np.add.at(confusion, (y_test.astype(int), predicted), 1)
    table = [
        {
            "dataset": name,
            "training images": len(x_train),
            "test images": len(x_test),
            "epochs": epochs,
            "test accuracy": accuracy,
            "test loss": loss,
            "seconds per epoch": train_seconds / epochs,
        }
    ]
    settings = {
        "dataset": name,
        "epochs": epochs,
        "batch_size": batch_size,
        "hidden": hidden,
        "seed": seed,
        "validation_split": validation_split,
        "optimizer": "rmsprop (learning rate 0.001)",
        "loss": "categorical cross-entropy",
    }
    data = {
        "history": history.history,
        "confusion": confusion.tolist(),
        "test_accuracy": accuracy,
        "test_loss": loss,
    }
    verdict = judge(settings, data)
    return StudyResult(
        study="mnist",
        title=f"{TITLE}: {architecture(model)}" + ("" if name == "mnist" else f" (on {name})"),
        settings=settings,
        data=data,
        table=table,
        verdict=verdict.text,
        criterion=verdict.criterion,
        notes=notes,
        seconds=time.perf_counter() - start,
    )


def architecture(model: models.Sequential) -> str:
    """The network as built: "64 → 512 relu → 10 softmax" for scikit-learn's digits."""
    from glassnet import plots

    return plots.architecture(model)


def class_names(dataset: Any, classes: Any, count: int) -> list[str] | None:
    """The classes' names for a confusion matrix: Fashion-MNIST's (T-shirt/top, …), a CSV's
    labels, or None (the class numbers are the names, as for digits)."""
    if dataset == "fashion_mnist":
        return list(fashion_mnist.CLASS_NAMES)
    if isinstance(classes, list) and len(classes) == count:
        return [str(c) for c in classes]
    return None


def figures(result: StudyResult) -> dict[str, Any]:
    from glassnet import plots

    confusion = np.asarray(result.data["confusion"])
    dataset = result.settings.get("dataset", result.settings.get("data"))
    classes = np.arange(len(confusion))
    # back from counts to label pairs, row by row: the true class, then each predicted class
    y_true = np.repeat(classes, confusion.sum(axis=1))
    y_pred = np.concatenate([np.repeat(classes, row) for row in confusion])
    names = class_names(dataset, result.settings.get("classes"), len(confusion))
    return {
        "training_curves": plots.training_history(result.data["history"]),
        "confusion_matrix": plots.confusion_matrix(
            y_true,
            y_pred,
            title=f"Confusion matrix on the {dataset} test set",
            display_labels=names,
        ),
    }
