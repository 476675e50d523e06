"""Study: the lesson's shallow network on its synthetic classification task.

The lesson trains 20 inputs → 10 tanh → 1 sigmoid with binary cross-entropy, mini-batches of
100, weights from N(0, 0.01²) and plain gradient descent, and reports 93.6 % test accuracy.
That number belongs to one random draw of the data; the study repeats the experiment over
several draws of ``make_classification`` and places the lesson's figure among them.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import numpy as np

import glassnet as gn
from glassnet import initializers, layers, models, optimizers
from glassnet.datasets import make_classification
from glassnet.experiments.contract import N_JOBS, Annotated, Param, study
from glassnet.experiments.result import StudyResult, Verdict
from glassnet.experiments.runner import run_many

TITLE = "The lesson's shallow network on make_classification"
LESSON_ACCURACY = 0.936


def shallow_network(seed: int, learning_rate: float = 0.1) -> models.Sequential:
    """20 → 10 tanh → 1 sigmoid, N(0, 0.01²) weights, binary cross-entropy, plain SGD."""
    gn.set_seed(seed)
    small = initializers.RandomNormal(stddev=0.01)
    model = models.Sequential(
        [
            layers.Dense(10, activation="tanh", input_dim=20, kernel_initializer=small),
            layers.Dense(1, activation="sigmoid", kernel_initializer=small),
        ]
    )
    model.compile(
        optimizer=optimizers.SGD(learning_rate), loss="binary_crossentropy", metrics=["accuracy"]
    )
    return model


def train_once(data_seed: int, epochs: int, learning_rate: float) -> dict[str, Any]:
    (x_train, y_train), (x_test, y_test) = make_classification(seed=data_seed)
    model = shallow_network(data_seed, learning_rate)
    history = model.fit(
        x_train, y_train, epochs=epochs, batch_size=100, verbose=0, validation_data=(x_test, y_test)
    )
    scores = model.evaluate(x_test, y_test, verbose=0, return_dict=True)
    loss, accuracy = scores["loss"], scores["accuracy"]
    return {"history": history.history, "test_loss": loss, "test_accuracy": accuracy}


def judge(settings: Mapping[str, Any], data: Mapping[str, Any]) -> Verdict:
    """Where the lesson's accuracy falls among the saved test accuracies of the draws."""
    accuracies = np.asarray([r["test_accuracy"] for r in data["runs"]], dtype=float)
    lesson = settings.get("lesson_accuracy", LESSON_ACCURACY)
    n = len(accuracies)
    median, low, high = float(np.median(accuracies)), accuracies.min(), accuracies.max()
    at_least = int(np.sum(accuracies >= lesson))
    criterion = (
        f"The lesson's {lesson:.1%} is placed among the test accuracies of the draws of the "
        "data: their median, their range and how many reach it. Each draw also sets the initial "
        "weights (seed = data seed), so the spread mixes data and initialisation."
    )
    text = (
        f"Median test accuracy {median:.1%} over {n} draw{'s' if n > 1 else ''} of the data "
        f"(range {low:.1%} – {high:.1%}); the lesson's {lesson:.1%} was reached or beaten in "
        f"{at_least} of {n}"
    )
    if n == 1:
        text += ": one draw shows no spread to place the lesson's figure in."
    elif low <= lesson <= high:
        text += ": the lesson's figure lies within the spread over draws, so it describes one draw."
    elif lesson > high:
        text += ": every draw stayed below the lesson's figure."
    else:
        text += ": every draw beat the lesson's figure."
    return Verdict(text, criterion)


@study("shallow", title=TITLE)
def run(
    data_seeds: Annotated[
        int, Param("Draws of the make_classification data.", low=1, option="seeds")
    ] = 10,
    epochs: Annotated[int, Param("Epochs of mini-batch gradient descent.", low=1)] = 100,
    learning_rate: Annotated[float, Param("Learning rate.", low=0, low_open=True)] = 0.1,
    n_jobs: Annotated[int, N_JOBS] = 1,
) -> StudyResult:
    """The lesson's shallow network against its 93.6 %, over draws of the data."""
    start = time.perf_counter()
    tasks = [
        dict(data_seed=s, epochs=epochs, learning_rate=learning_rate) for s in range(data_seeds)
    ]
    runs = run_many(train_once, tasks, n_jobs)
    accuracies = np.array([r["test_accuracy"] for r in runs])
    table = [
        {
            "data seed": s,
            "test accuracy": r["test_accuracy"],
            "test loss": r["test_loss"],
            "final train accuracy": r["history"]["accuracy"][-1],
        }
        for s, r in enumerate(runs)
    ]
    settings = {
        "network": "20 → 10 tanh → 1 sigmoid, weights ~ N(0, 0.01²)",
        "data": "make_classification: 5000 samples, 20 features, first 4000 train, last 1000 "
        "test; random_state = data seed",
        "loss": "binary cross-entropy",
        "optimizer": f"SGD (plain), learning rate {learning_rate}, batch 100",
        "data_seeds": data_seeds,
        "epochs": epochs,
        "learning_rate": learning_rate,
        "lesson_accuracy": LESSON_ACCURACY,
    }
    data = {"runs": runs, "test_accuracy": accuracies.tolist()}
    verdict = judge(settings, data)
    return StudyResult(
        study="shallow",
        title=TITLE,
        settings=settings,
        data=data,
        table=table,
        verdict=verdict.text,
        criterion=verdict.criterion,
        seconds=time.perf_counter() - start,
    )


def figures(result: StudyResult) -> dict[str, Any]:
    from glassnet import plots

    first = result.data["runs"][0]["history"]
    fig = plots.final_values(
        {"glassnet": result.data["test_accuracy"]},
        ylabel="test accuracy",
        xlabel="network trained (one point per data draw)",
        title="Test accuracy over data draws (the line: the lesson's 93.6 %)",
    )
    fig.axes[0].axhline(LESSON_ACCURACY, color="crimson", linestyle="--", label="lesson")
    fig.axes[0].legend()
    return {"test_accuracy": fig, "history_data_seed_0": plots.training_history(first)}
