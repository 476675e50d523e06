"""MkDocs hook: draw the guide's figures with glassnet itself while the site is built.

The figures are not stored in the repository. Each build trains the small, seeded models again
(offline, a few seconds in all) and adds the PNG files to the site as generated files, so the
pictures always show what the current code does and links to them are checked like any other.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from matplotlib.figure import Figure
from mkdocs.structure.files import File, Files


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    return buffer.getvalue()


def _activations() -> Figure:
    from glassnet import plots

    return plots.activation_panels()


def _moons() -> Figure:
    import glassnet as gn
    from glassnet import datasets, layers, models, optimizers, plots

    x, y = datasets.moons(500, noise=0.2, seed=0)
    gn.set_seed(0)
    model = models.Sequential(
        [
            layers.Dense(16, activation="relu", input_dim=2),
            layers.Dense(16, activation="relu"),
            layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(optimizer=optimizers.Adam(0.01), loss="binary_crossentropy")
    model.fit(x, y, epochs=200, batch_size=32, verbose=0)
    return plots.decision_boundary(
        model.predict, x, y, title="2 → 16 relu → 16 relu → 1 sigmoid on the moons"
    )


def _training_history() -> Figure:
    import glassnet as gn
    from glassnet import layers, models, plots
    from glassnet.datasets import digits
    from glassnet.utils import to_categorical

    (x_train, y_train), _ = digits.load_data()
    x_train = x_train.reshape(len(x_train), -1).astype("float32") / 16
    gn.set_seed(0)
    model = models.Sequential(
        [
            layers.Dense(512, activation="relu", input_shape=(64,)),
            layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    y_train = to_categorical(y_train, 10)
    history = model.fit(
        x_train, y_train, epochs=20, batch_size=128, validation_split=0.1, verbose=0
    )
    return plots.training_history(history, title="The lesson's MLP on the 8×8 digits")


def _learning_rates() -> Figure:
    from glassnet import experiments

    result = experiments.run("learning_rate")
    figure: Figure = experiments.figures(result)["loss_curves"]
    return figure


def _vanishing_gradients() -> Figure:
    from glassnet import experiments

    result = experiments.run("vanishing_gradients", epochs=3)
    figure: Figure = experiments.figures(result)["first_step"]
    return figure


FIGURES: dict[str, Callable[[], Figure]] = {
    "activations": _activations,
    "moons": _moons,
    "training-history": _training_history,
    "learning-rates": _learning_rates,
    "vanishing-gradients": _vanishing_gradients,
}


def on_files(files: Files, config: Any) -> Files:
    for name, draw in FIGURES.items():
        files.append(File.generated(config, f"figures/{name}.png", content=_png(draw())))
    return files
