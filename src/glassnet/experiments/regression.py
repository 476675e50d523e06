"""Study: linear and logistic regression are one-neuron networks.

A single linear neuron trained by gradient descent on the MSE converges to the least-squares
solution w* = argmin ‖Xw + b − y‖²; a single sigmoid neuron trained on binary cross-entropy is
(unregularised) logistic regression. Both are compared with the closed form and with
scikit-learn's ``LogisticRegression(penalty=None)``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from typing import Any

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression

import glassnet as gn
from glassnet import config, layers, models, optimizers
from glassnet.datasets import Standardizer, house_prices, make_classification
from glassnet.experiments.contract import Annotated, Param, study
from glassnet.experiments.result import StudyResult, Verdict

TITLE = "Linear and logistic regression as one neuron"
# A neuron "matches" its reference within these: MSE within 1 % of least squares' (relative),
# test accuracy within 1 point of scikit-learn's.
MSE_TOLERANCE = 0.01
ACCURACY_TOLERANCE = 0.01


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


def judge(settings: Mapping[str, Any], data: Mapping[str, Any]) -> Verdict:
    """Whether each neuron reached its reference within the stated tolerance, from the saved
    numbers: the linear neuron's MSE against least squares', the sigmoid neuron's test accuracy
    against scikit-learn's."""
    epochs = settings["epochs"]
    lin, log = data["linear"], data["logistic"]
    criterion = (
        f"The linear neuron matches least squares when its MSE is within "
        f"{MSE_TOLERANCE:.0%} of the least-squares MSE (MSE ≤ {1 + MSE_TOLERANCE:g} × least "
        f"squares'); the sigmoid neuron matches scikit-learn's LogisticRegression(penalty=None) "
        f"when their test accuracies are within {ACCURACY_TOLERANCE * 100:g} point. Otherwise "
        f"gradient descent did not converge in the {epochs} epochs given."
    )
    mse, exact_mse = lin["neuron_mse"], lin["least_squares_mse"]
    linear_ok = math.isfinite(mse) and mse <= exact_mse * (1 + MSE_TOLERANCE)
    if linear_ok:
        linear_text = (
            f"The linear neuron matches least squares: MSE {mse:.4g} against {exact_mse:.4g} "
            f"(within {MSE_TOLERANCE:.0%}; largest weight difference "
            f"{lin['max_abs_difference']:.1e})"
        )
    else:
        excess = f", {mse / exact_mse:.3g} times as large" if math.isfinite(mse) else ""
        linear_text = (
            f"The linear neuron did not converge in {epochs} epochs: MSE {mse:.4g} against "
            f"least squares' {exact_mse:.4g}{excess} (tolerance {MSE_TOLERANCE:.0%})"
        )
    accuracy, reference = log["neuron_test_accuracy"], log["sklearn_test_accuracy"]
    gap = abs(accuracy - reference)
    # accuracies are multiples of 1/n: allow for their rounding at the tolerance itself
    logistic_ok = math.isfinite(accuracy) and gap <= ACCURACY_TOLERANCE + 1e-9
    if logistic_ok:
        logistic_text = (
            f"the sigmoid neuron matches scikit-learn's logistic regression: test accuracy "
            f"{accuracy:.1%} against {reference:.1%} (within {ACCURACY_TOLERANCE * 100:g} point)"
        )
    else:
        logistic_text = (
            f"the sigmoid neuron did not converge in {epochs} epochs: test accuracy "
            f"{accuracy:.1%} against scikit-learn's {reference:.1%}, {gap * 100:.1f} points "
            f"apart (tolerance {ACCURACY_TOLERANCE * 100:g} point)"
        )
    if linear_ok and logistic_ok:
        conclusion = "one neuron is linear or logistic regression."
    else:
        conclusion = (
            "this run does not show that one neuron is linear and logistic regression "
            "(more epochs or another learning rate may)."
        )
    return Verdict(f"{linear_text}; {logistic_text}: {conclusion}", criterion)


@study("regression", title=TITLE)
def run(
    epochs: Annotated[int, Param("Epochs of full-batch gradient descent.", low=1)] = 2000,
    learning_rate: Annotated[float, Param("Learning rate.", low=0, low_open=True)] = 0.1,
    seed: Annotated[int, Param("Seed of the data and the initial weights.", low=0)] = 0,
) -> StudyResult:
    """Linear and logistic regression as one neuron, against exact solutions.

    Both neurons are fitted in float64, to compare with the exact solutions.
    """
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
    verdict = judge({"epochs": epochs}, {"linear": linear, "logistic": logistic})
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
        verdict=verdict.text,
        criterion=verdict.criterion,
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
