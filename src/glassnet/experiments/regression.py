"""Study: linear and logistic regression are one-neuron networks.

A single linear neuron trained by gradient descent on the MSE converges to the least-squares
solution w* = argmin ‖Xw + b − y‖²; a single sigmoid neuron trained on binary cross-entropy is
(unregularised) logistic regression. Both are compared with the closed form and with
scikit-learn's ``LogisticRegression(penalty=None)``.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression

import glassnet as gn
from glassnet import config, layers, models, optimizers
from glassnet.datasets import Standardizer, house_prices, make_classification
from glassnet.experiments.result import StudyResult
from glassnet.utils import check_positive_int

TITLE = "Linear and logistic regression as one neuron"


def linear_neuron(epochs: int, learning_rate: float, seed: int) -> dict[str, Any]:
    """One linear neuron on house prices vs the least-squares solution (float64)."""
    x, y = house_prices(n_samples=200, n_features=3, noise=20.0, seed=seed)
    x = Standardizer().fit_transform(x)
    design = np.hstack([x, np.ones((len(x), 1))])
    exact = np.linalg.lstsq(design, y, rcond=None)[0][:, 0]
    gn.set_seed(seed)
    model = models.Sequential([layers.Dense(1, input_dim=x.shape[1])])
    model.compile(optimizer=optimizers.SGD(learning_rate), loss="mse")
    history = model.fit(x, y, epochs=epochs, batch_size=len(x), shuffle=False, verbose=0)
    w, b = model.get_weights()
    neuron = np.append(w[:, 0], b)
    return {
        "neuron": neuron.tolist(),
        "least_squares": exact.tolist(),
        "max_abs_difference": float(np.abs(neuron - exact).max()),
        "neuron_mse": model.evaluate(x, y, batch_size=len(x), verbose=0, return_dict=True)["loss"],
        "least_squares_mse": float(np.mean((design @ exact - y[:, 0]) ** 2)),
        "loss": history.history["loss"],
    }


def logistic_neuron(epochs: int, learning_rate: float, seed: int) -> dict[str, Any]:
    """One sigmoid neuron vs scikit-learn's unregularised logistic regression."""
    (x_train, y_train), (x_test, y_test) = make_classification(seed=seed)
    scaler = Standardizer().fit(x_train)
    x_train, x_test = scaler.transform(x_train), scaler.transform(x_test)
    gn.set_seed(seed)
    model = models.Sequential([layers.Dense(1, activation="sigmoid", input_dim=x_train.shape[1])])
    model.compile(
        optimizer=optimizers.SGD(learning_rate), loss="binary_crossentropy", metrics=["accuracy"]
    )
    history = model.fit(
        x_train, y_train, epochs=epochs, batch_size=len(x_train), shuffle=False, verbose=0
    )
    scores = model.evaluate(x_test, y_test, batch_size=len(x_test), verbose=0, return_dict=True)
    loss, accuracy = scores["loss"], scores["accuracy"]
    reference = unregularised_logistic_regression().fit(x_train, y_train)
    p = np.clip(reference.predict_proba(x_test)[:, 1], 1e-15, 1 - 1e-15)
    ref_loss = float(-np.mean(y_test * np.log(p) + (1 - y_test) * np.log(1 - p)))
    w, b = model.get_weights()
    return {
        "neuron": np.append(w[:, 0], b).tolist(),
        "sklearn": np.append(reference.coef_[0], reference.intercept_).tolist(),
        "neuron_test_accuracy": accuracy,
        "sklearn_test_accuracy": float(reference.score(x_test, y_test)),
        "neuron_test_loss": loss,
        "sklearn_test_loss": ref_loss,
        "loss": history.history["loss"],
    }


def unregularised_logistic_regression() -> LogisticRegression:
    """``LogisticRegression(penalty=None)``; scikit-learn 1.8 spells it ``C=inf``."""
    major, minor = (int(part) for part in sklearn.__version__.split(".")[:2])
    if (major, minor) >= (1, 8):
        return LogisticRegression(C=np.inf, max_iter=10_000)
    return LogisticRegression(penalty=None, max_iter=10_000)


def run(epochs: int = 2000, learning_rate: float = 0.1, seed: int = 0) -> StudyResult:
    """Fit both one-neuron models (in float64, to compare with exact solutions)."""
    epochs = check_positive_int("epochs", epochs)
    start = time.perf_counter()
    with config.floatx_scope("float64"):
        linear = linear_neuron(epochs, learning_rate, seed)
        logistic = logistic_neuron(epochs, learning_rate, seed)
    table = [
        {
            "model": "linear neuron (gradient descent)",
            "metric": "MSE",
            "value": linear["neuron_mse"],
        },
        {
            "model": "least squares (closed form)",
            "metric": "MSE",
            "value": linear["least_squares_mse"],
        },
        {
            "model": "sigmoid neuron (gradient descent)",
            "metric": "test accuracy",
            "value": logistic["neuron_test_accuracy"],
        },
        {
            "model": "LogisticRegression(penalty=None)",
            "metric": "test accuracy",
            "value": logistic["sklearn_test_accuracy"],
        },
        {
            "model": "sigmoid neuron (gradient descent)",
            "metric": "test log-loss",
            "value": logistic["neuron_test_loss"],
        },
        {
            "model": "LogisticRegression(penalty=None)",
            "metric": "test log-loss",
            "value": logistic["sklearn_test_loss"],
        },
    ]
    gap = abs(logistic["neuron_test_accuracy"] - logistic["sklearn_test_accuracy"])
    verdict = (
        f"The linear neuron's weights match least squares to {linear['max_abs_difference']:.1e} "
        f"(largest difference); the sigmoid neuron's test accuracy "
        f"{logistic['neuron_test_accuracy']:.1%} is {gap * 100:.1f} points from scikit-learn's "
        f"{logistic['sklearn_test_accuracy']:.1%}: one neuron is linear or logistic regression."
    )
    return StudyResult(
        study="regression",
        title=TITLE,
        settings={
            "linear": "house_prices (200 samples, 3 standardised features), one linear neuron, "
            "MSE, full-batch gradient descent",
            "logistic": "make_classification (lesson split, standardised), one sigmoid neuron, "
            "binary cross-entropy, full-batch gradient descent",
            "epochs": epochs,
            "learning_rate": learning_rate,
            "seed": seed,
            "floatx": "float64",
        },
        data={"linear": linear, "logistic": logistic},
        table=table,
        verdict=verdict,
        seconds=time.perf_counter() - start,
    )


def figures(result: StudyResult) -> dict[str, Any]:
    from glassnet import plots

    lin, log = result.data["linear"], result.data["logistic"]
    return {
        "loss_curves": plots.loss_curves(
            {"linear neuron (MSE)": [lin["loss"]]},
            title="Linear neuron: training loss",
            ylabel="MSE (thousands²)",
            logy=True,
        ),
        "logistic_loss": plots.loss_curves(
            {"sigmoid neuron": [log["loss"]]},
            title="Sigmoid neuron: training loss",
            ylabel="binary cross-entropy",
        ),
    }
