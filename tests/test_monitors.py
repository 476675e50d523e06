"""Training monitors and the decision-boundary recorder."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification

import glassnet as gn
from glassnet import initializers, layers, models, optimizers
from glassnet.animation import BoundaryRecorder
from glassnet.datasets import moons
from glassnet.monitors import TrainingMonitor, monitor_keys


@pytest.fixture(scope="module")
def data():
    x, y = make_classification(600, 20, n_informative=10, random_state=0)
    return (x - x.mean(0)) / x.std(0), y


def deep(activation, init="glorot_uniform", depth=10):
    model = models.Sequential(
        [layers.Dense(32, activation=activation, input_dim=20, kernel_initializer=init)]
    )
    for _ in range(depth - 1):
        model.add(layers.Dense(32, activation=activation, kernel_initializer=init))
    model.add(layers.Dense(1, activation="sigmoid"))
    return model


def test_sigmoid_gradient_shrinks_towards_the_input(data):
    x, y = data
    model = deep("sigmoid")
    model.compile(optimizers.SGD(0.1), "binary_crossentropy")
    monitor = TrainingMonitor()
    history = model.fit(x, y, epochs=2, batch_size=32, verbose=0, callbacks=[monitor])
    first = np.asarray(monitor.first_step)
    assert np.all(np.diff(first[:10]) > 0)  # each layer's gradient above the one before
    assert first[0] < 1e-3 * first[-1]
    grad = monitor_keys(history.history, "grad_norm")
    assert list(grad) == monitor.layer_names and all(len(v) == 2 for v in grad.values())
    # the recorded value is the mean over batches: at least the first batch's contributes
    assert set(monitor_keys(history.history, "weight_norm")) == set(monitor.layer_names)


def test_saturation_rises_with_the_size_of_the_weights(data):
    """Large weights push sigmoid units to their flat ends, where g′ ≈ 0."""
    x, y = data
    fractions = []
    for stddev in (0.1, 0.5, 1.0, 2.0):
        gn.set_seed(0)
        model = deep("sigmoid", init=initializers.RandomNormal(stddev=stddev))
        model.compile(optimizers.SGD(0.1), "binary_crossentropy")
        monitor = TrainingMonitor()
        history = model.fit(x, y, epochs=1, batch_size=32, verbose=0, callbacks=[monitor])
        saturated = monitor_keys(history.history, "saturated")
        hidden = [saturated[n][0] for n in monitor.layer_names[:-1]]
        fractions.append(float(np.mean(hidden)))
    assert fractions[0] == 0.0
    assert np.all(np.diff(fractions) > 0), fractions
    assert fractions[-1] > 0.3


def test_saturation_fraction_counts_by_hand():
    from glassnet.activations import sigmoid, tanh
    from glassnet.monitors import saturated_fraction

    a = np.array([[0.001, 0.5, 0.995, 0.02]])
    assert saturated_fraction(sigmoid, a, 0.01) == 0.5  # 0.001 and 0.995
    assert saturated_fraction(tanh, np.array([[-0.999, 0.0, 0.98, 0.995]]), 0.01) == 0.5
    assert saturated_fraction(gn.activations.relu, a, 0.01) is None


def test_relu_with_a_huge_learning_rate_reports_dead_units(data):
    x, y = data
    gn.set_seed(0)
    model = deep("relu")
    model.compile(optimizers.SGD(5.0), "binary_crossentropy")
    monitor = TrainingMonitor()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        history = model.fit(x, y, epochs=5, batch_size=32, verbose=0, callbacks=[monitor])
    dead = monitor_keys(history.history, "dead")
    assert len(dead) == 10  # the relu layers only
    # measured: 0.84 and more in the deepest layers, 0.44 on average
    assert max(v[-1] for v in dead.values()) > 0.5
    # the same network with a sane learning rate: about 0.05 on average (measured)
    gn.set_seed(0)
    healthy = deep("relu")
    healthy.compile(optimizers.SGD(0.01), "binary_crossentropy")
    monitor = TrainingMonitor()
    h = healthy.fit(x, y, epochs=5, batch_size=32, verbose=0, callbacks=[monitor])
    sane = np.mean([v[-1] for v in monitor_keys(h.history, "dead").values()])
    assert np.mean([v[-1] for v in dead.values()]) > 5 * sane


def test_update_ratio_is_the_relative_size_of_the_first_step(data):
    x, y = data
    gn.set_seed(1)
    model = models.Sequential([layers.Dense(1, activation="sigmoid", input_dim=20)])
    model.compile(optimizers.SGD(0.5), "binary_crossentropy")
    w0 = model.get_weights()[0].copy()
    xb, yb = x[:32], y[:32]
    model.fit(xb, yb, epochs=1, batch_size=32, shuffle=False, verbose=0)
    w1 = model.get_weights()[0]
    gn.set_seed(1)
    again = models.Sequential([layers.Dense(1, activation="sigmoid", input_dim=20)])
    again.compile(optimizers.SGD(0.5), "binary_crossentropy")
    monitor = TrainingMonitor(histograms_at=[0])
    h = again.fit(xb, yb, epochs=1, batch_size=32, shuffle=False, verbose=0, callbacks=[monitor])
    expected = np.linalg.norm(w1 - w0) / np.linalg.norm(w0)
    name = monitor.layer_names[0]
    assert h.history[f"update_ratio/{name}"][0] == pytest.approx(expected, rel=1e-5)
    counts, edges = monitor.histograms[0][name]
    assert sum(counts) == 32 and edges[0] == 0.0 and edges[-1] == 1.0


def test_boundary_recorder_saves_frames_and_a_gif(tmp_path):
    from PIL import Image

    x, y = moons(120, noise=0.1, seed=0)
    gn.set_seed(0)
    model = models.Sequential(
        [layers.Dense(8, activation="tanh", input_dim=2), layers.Dense(1, activation="sigmoid")]
    )
    model.compile("adam", "binary_crossentropy")
    recorder = BoundaryRecorder(x, y, epochs=[0, 4, 10])
    model.fit(x, y, epochs=10, batch_size=32, verbose=0, callbacks=[recorder])
    assert sorted(recorder.snapshots) == [0, 4, 10]
    assert not np.array_equal(recorder.snapshots[0][0], recorder.snapshots[10][0])
    frames = recorder.save_frames(tmp_path / "frames")
    assert [p.name for p in frames] == ["frame-0000.png", "frame-0004.png", "frame-0010.png"]
    gif = Image.open(recorder.save_gif(tmp_path / "learn.gif"))
    assert gif.format == "GIF" and gif.n_frames == 3
    with pytest.raises(ValueError, match=r"x of shape \(n, 2\)"):
        BoundaryRecorder(np.zeros((3, 3)), [0, 1, 0], epochs=[0])


def test_monitor_reads_each_step_from_the_tape_of_a_functional_model(data):
    """The monitor's numbers are those of the recorded step: the first batch's gradient norm
    per layer equals the norm of train_step's gradients from the same starting weights."""
    x, y = data
    inputs = gn.Input(shape=(20,))
    h = layers.Dense(8, activation="relu", name="h")(inputs)
    s = layers.Add()([h, layers.Dense(8, activation="tanh", name="g")(h)])
    out = layers.Dense(1, activation="sigmoid", name="out")(s)
    model = gn.Model(inputs, out)
    model.compile(optimizers.SGD(0.1), "binary_crossentropy")
    start = model.get_weights()
    step = model.train_step(x[:600], y[:600], apply=False)
    expected = [
        float(np.linalg.norm(g))
        for v, g in zip(step.variables, step.grads, strict=True)
        if v.name == "kernel"
    ]
    model.set_weights(start)
    monitor = TrainingMonitor()
    history = model.fit(x, y, epochs=1, batch_size=600, verbose=0, callbacks=[monitor])
    np.testing.assert_allclose(monitor.first_step, expected, rtol=1e-5)
    assert set(monitor_keys(history.history, "grad_norm")) == {"h", "g", "out"}
    assert 0 <= history.history["dead/h"][0] <= 1
    assert 0 <= history.history["saturated/g"][0] <= 1
