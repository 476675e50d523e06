import copy
import threading
import time

import numpy as np
import pytest
from scipy.special import expit

from glassnet import callbacks, layers, models, optimizers
from glassnet.datasets import playground as pg
from glassnet.experiments import paper
from glassnet.playground import protocol
from glassnet.playground.network import fit_targets
from glassnet.playground.protocol import ProtocolError
from glassnet.playground.session import Session, SessionWorker, Snapshot, grid_points
from tests.playground.paper_preset import PAPER, PRESETS


def make(**changes):
    c = copy.deepcopy(protocol.DEFAULT_CONFIG)
    c.update(changes)
    return Session(protocol.validate_config(c))


def configure(session, **changes):
    c = copy.deepcopy(protocol.DEFAULT_CONFIG)
    c.update(changes)
    return session.handle({"type": "config", "config": protocol.validate_config(c)})


def python_model(seed=0, lr=0.03, hidden=((4, "tanh"), (2, "tanh"))):
    """The default playground network written with glassnet's API, independently."""
    stack = [layers.Input((2,))]
    stack += [layers.Dense(units, activation=act) for units, act in hidden]
    stack.append(layers.Dense(1, activation="sigmoid"))
    model = models.Sequential(stack, seed=seed)
    model.compile(optimizer=optimizers.SGD(learning_rate=lr), loss="binary_crossentropy")
    return model


def test_config_replies_data_then_state_and_a_frame():
    session = Session()
    replies = configure(session, dataset="spiral", n_points=200, train_ratio=60)
    assert [r["type"] if isinstance(r, dict) else "snapshot" for r in replies] == [
        "data",
        "snapshot",
    ]
    data = replies[0]
    assert len(data["train"]["x"]) == 120 and len(data["test"]["y"]) == 80
    assert data["task"] == "classification" and data["classes"] == 2
    state = replies[1].message()
    assert state["epoch"] == 0 and state["status"] == "paused"
    assert state["config"]["dataset"] == "spiral"
    assert [np.shape(w["kernel"]) for w in state["weights"]] == [(2, 4), (4, 2), (2, 1)]
    assert len(state["grad_norms"]) == 3 and state["history"]["epoch"] == []
    assert np.array(state["confusion"]).sum() == 80
    # the same data settings again: no new data message
    again = configure(session, dataset="spiral", n_points=200, train_ratio=60, seed=3)
    assert len(again) == 1 and isinstance(again[0], Snapshot)


def test_step_is_one_epoch_of_fit():
    session = make(dataset="xor", n_points=100)
    for _ in range(3):
        state = session.handle({"type": "step"})[0].message()
    assert state["epoch"] == 3 and state["history"]["epoch"] == [1, 2, 3]
    x, y = pg.xor(n=100, seed=0)
    (x_train, y_train), _ = pg.split(x, y, train_ratio=50, seed=0)
    model = python_model()
    for epoch in range(3):
        model.fit(
            x_train,
            y_train.reshape(-1, 1),
            batch_size=10,
            epochs=epoch + 1,
            initial_epoch=epoch,
            verbose=0,
        )
    for mine, theirs in zip(session.main.model.get_weights(), model.get_weights(), strict=True):
        assert np.array_equal(mine, theirs)
    assert state["train_loss"] == pytest.approx(
        model.evaluate(x_train, y_train.reshape(-1, 1), batch_size=50, verbose=0)
    )


def test_xor_with_tanh_reaches_a_small_test_loss_as_in_python():
    session = make(dataset="xor")
    for _ in range(200):
        session.train_epoch()
        if session.main.series.test_loss[-1] < 0.05:
            break
    epochs = session.epoch
    assert session.main.series.test_loss[-1] < 0.05, session.main.series.test_loss[-5:]
    assert session.state()["test_accuracy"] > 0.98
    # the same network in plain Python, the same number of epochs
    x, y = pg.xor(n=500, seed=0)
    (x_train, y_train), (x_test, y_test) = pg.split(x, y, train_ratio=50, seed=0)
    model = python_model()
    for epoch in range(epochs):
        model.fit(
            x_train,
            y_train.reshape(-1, 1),
            batch_size=10,
            epochs=epoch + 1,
            initial_epoch=epoch,
            verbose=0,
        )
    loss = model.evaluate(x_test, y_test.reshape(-1, 1), batch_size=250, verbose=0)
    assert loss < 0.05
    assert loss == pytest.approx(session.main.series.test_loss[-1], rel=1e-6)


class _FirstBatch(callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        if batch == 0:
            self.x = self.model.last_step.inputs[0].copy()
            self.y = self.model.last_step.targets[0].copy()


def test_explain_is_model_explain_of_the_next_batch_and_changes_nothing():
    session = make(dataset="circle", n_points=100)
    session.train_epoch()
    session.train_epoch()
    twin = copy.deepcopy(session.main.model)
    payload = session.explain()
    assert payload["epoch"] == 2 and payload["batch"] == [0, 10]
    # the batch explained is the first batch the next epoch trains on
    probe = _FirstBatch()
    y_fit = session.y_train.reshape(-1, 1)
    twin.fit(
        session.f_train,
        y_fit,
        batch_size=10,
        epochs=3,
        initial_epoch=2,
        verbose=0,
        callbacks=[probe],
    )
    explained = dict((s["key"], s) for s in payload["steps"])
    assert np.array_equal(np.array(explained["X"]["value"], dtype=np.float32), probe.x)
    assert np.array_equal(np.array(payload["targets"][0]["value"], dtype=np.float32), probe.y)
    # every value equals model.explain() on the same state and batch
    ex = copy.deepcopy(session.main.model).explain(probe.x, probe.y)
    assert [s.key for s in ex.steps] == [s["key"] for s in payload["steps"]]
    for step in ex.steps:
        sent = explained[step.key]
        assert sent["shape"] == list(step.value.shape)
        assert np.array_equal(
            np.asarray(sent["value"], dtype=np.float64), step.value.astype(np.float64)
        )
        assert (sent["symbol"], sent["formula"], sent["phase"]) == (
            step.symbol,
            step.formula,
            step.phase,
        )
    assert payload["loss_before"] == ex.loss_before and payload["loss_after"] == ex.loss_after
    # explain changed neither the weights nor the shuffles: the next step is the twin's
    session.train_epoch()
    for mine, theirs in zip(session.main.model.get_weights(), twin.get_weights(), strict=True):
        assert np.array_equal(mine, theirs)


def test_explain_of_a_large_batch_sends_the_corner_the_page_shows_and_the_whole_shape():
    session = make(dataset="spiral", n_points=2000, batch_size=1000, layers=[8, 8],
                   activations=["tanh", "tanh"], features=list(pg.FEATURES))  # fmt: skip
    payload = session.explain()
    assert len(protocol.dumps(payload)) < 100_000  # the whole batch would be megabytes
    index = session.next_batch()
    y = session.y_train.reshape(-1, 1)
    ex = copy.deepcopy(session.main.model).explain(session.f_train[index], y[index])
    sent = {s["key"]: s for s in payload["steps"]}
    for step in ex.steps:
        value = np.atleast_1d(step.value)
        corner = value[:12, :10] if value.ndim == 2 else value[:12]
        assert sent[step.key]["shape"] == list(step.value.shape)
        np.testing.assert_array_equal(np.asarray(sent[step.key]["value"]).reshape(corner.shape),
                                      corner)  # fmt: skip
    n_features = len(pg.FEATURES)
    assert sent["X"]["shape"] == [1000, n_features]
    assert np.shape(sent["X"]["value"]) == (12, n_features)
    assert payload["targets"][0]["shape"] == [1000, 1]


@pytest.mark.parametrize(
    ("changes", "loss_name", "penalty"),
    [
        ({}, "binary_crossentropy", None),
        (
            {"dataset": "spiral", "classes": 3, "output": "softmax"},
            "sparse_categorical_crossentropy",
            None,
        ),
        ({"dataset": "plane"}, "mean_squared_error", None),
        (
            {"loss": "mse", "regularization": "l2", "regularization_rate": 0.1},
            "mean_squared_error",
            "l2",
        ),
    ],
)
def test_the_state_names_its_loss_and_whether_the_penalty_is_in_it(changes, loss_name, penalty):
    session = make(**changes)
    state = session.state()
    assert state["loss_name"] == loss_name and state["penalty"] == penalty
    # the reported loss is the model's own (evaluate): with a penalty, more than the data term
    y = fit_targets(session.y_train, session.main.spec.output)
    expected = session.main.model.evaluate(session.f_train, y, batch_size=len(y), verbose=0)
    assert state["train_loss"] == pytest.approx(float(expected), rel=1e-6)
    if penalty:
        output = session.main.model.predict(session.f_train, verbose=0)
        data_term = float(np.mean((output - y) ** 2))
        assert state["train_loss"] > data_term * (1 + 1e-3)


def test_heat_maps_are_the_features_then_each_neuron_then_the_output():
    session = make(features=["x1", "x2", "x1x2"], layers=[3], activations=["relu"])
    session.train_epoch()
    snapshot = session.snapshot()
    frame = protocol.decode_frame(snapshot.frames[0])
    assert frame.maps.shape == (3 + 3 + 1, 50, 50) and frame.epoch == 1
    values = frame.values()
    grid = grid_points()
    assert grid[0] == pytest.approx([-5.88, 5.88]) and grid[-1] == pytest.approx([5.88, -5.88])
    assert values[0, 0, 0] < values[0, 0, -1]  # x1 grows to the right
    assert values[1, 0, 0] > values[1, -1, 0]  # x2 is largest at the top
    expected = session.main.model.predict(pg.features(grid, ["x1", "x2", "x1x2"]), verbose=0)
    span = frame.hi[-1] - frame.lo[-1]
    assert np.abs(values[-1].ravel() - expected[:, 0]).max() <= span / 255 / 2 + 1e-6


def test_grad_norms_dead_and_saturated_units():
    session = make(layers=[3, 2], activations=["relu", "tanh"])
    weights = session.main.model.get_weights()
    weights[0][:, 1] = 0.0
    weights[1][1] = -1.0  # unit 1 of the ReLU layer: 0 for every input
    weights[2][:, 0] = 0.0
    weights[3][0] = 50.0  # unit 0 of the tanh layer: tanh(50) ≈ 1 everywhere
    session.main.model.set_weights(weights)
    state = session.state()
    assert [0, 1] in state["dead"] and [0, 0] not in state["dead"]
    assert [1, 0] in state["saturated"] and [1, 1] not in state["saturated"]
    result = copy.deepcopy(session.main.model).train_step(
        session.f_train, session.y_train.reshape(-1, 1), apply=False
    )
    expected = [float(np.linalg.norm(g)) for g in result.grads[::2]]
    assert state["grad_norms"] == pytest.approx(expected)


@pytest.mark.parametrize("key", sorted(PRESETS))
def test_every_preset_is_a_valid_configuration_that_trains(key):
    preset = PRESETS[key]
    assert preset["label"] and preset["note"].endswith(".")
    defaults = copy.deepcopy(protocol.DEFAULT_CONFIG)
    config = protocol.validate_config({**defaults, **preset["config"]})
    session = Session(config)
    session.train_epoch()
    assert session.epoch == 1 and np.isfinite(session.state()["train_loss"])


def test_divergence_stops_training_and_names_a_layer():
    session = make(
        dataset="plane",
        layers=[8, 8],
        activations=["relu", "relu"],
        learning_rate=10,
        batch_size=1,
        noise=0,
    )
    for _ in range(5):
        session.train_epoch()
        if session.status == "diverged":
            break
    assert session.status == "diverged"
    state = session.state()
    assert state["status"] == "diverged" and state["message"]["title"] == "Training diverged"
    text = state["message"]["text"]
    assert "The loss became" in text and " layer" in text and "(dense" in text
    assert "smaller learning rate (now 10)" in text and "tanh instead of relu" in text
    epoch = session.epoch
    with pytest.raises(ProtocolError, match="diverged") as info:
        session.handle({"type": "play"})
    assert info.value.code == "diverged"
    session.train_epoch()
    assert session.epoch == epoch
    assert session.handle({"type": "reset"})[0].state["status"] == "paused"


def test_divergence_names_the_layer_whose_parameters_blew_up_even_with_dead_units():
    """ReLU units all dead: every kernel gradient is 0, yet the output bias grows to 1e18.
    The layer named is the one whose weights hold the largest value, with a non-zero norm."""
    session = make(dataset="gaussian", learning_rate=3, activations=["relu", "relu"])
    for _ in range(10):
        session.train_epoch()
        if session.status == "diverged":
            break
    assert session.status == "diverged"
    text = session.state()["message"]["text"]
    largest = [max(np.abs(w.value).max() for w in layer.weights) for layer in session.main.dense]
    culprit = int(np.argmax(largest))
    assert largest[culprit] > 1e12
    name = session.main.dense[culprit].name
    expected = "The output layer" if culprit == len(largest) - 1 else f"Hidden layer {culprit + 1}"
    assert f"{expected} ({name}) blew up first" in text
    reached = float(text.split("reached ")[1].split(" ")[0])
    assert reached > 1e12  # a gradient that really blew up, never "reached 0"


def test_live_changes_and_their_errors():
    session = make()
    session.handle({"type": "set", "key": "learning_rate", "value": 0.5})
    assert session.main.model.optimizer.learning_rate == 0.5
    session.handle({"type": "set", "key": "batch_size", "value": 25})
    assert session.config["batch_size"] == 25 and session.next_batch().shape == (25,)
    session.handle({"type": "set_weight", "layer": 1, "row": 3, "col": 1, "value": 2.5})
    session.handle({"type": "set_weight", "layer": 2, "bias": 0, "value": -0.5})
    weights = session.main.model.get_weights()
    assert weights[2][3, 1] == 2.5 and weights[5][0] == -0.5
    with pytest.raises(ProtocolError, match="3 Dense layers"):
        session.handle({"type": "set_weight", "layer": 3, "bias": 0, "value": 1.0})
    with pytest.raises(ProtocolError, match="2×4"):
        session.handle({"type": "set_weight", "layer": 0, "row": 2, "col": 0, "value": 1.0})
    with pytest.raises(ProtocolError, match="class index 0 to 1"):
        session.handle({"type": "add_point", "x": [0.0, 0.0], "label": 2})
    replies = session.handle({"type": "add_point", "x": [1.0, -1.0], "label": 1})
    assert replies[0]["train"]["x"][-1] == [1.0, -1.0] and replies[0]["train"]["y"][-1] == 1


def test_points_are_capped():
    session = make(n_points=1999)
    session.handle({"type": "add_point", "x": [0.0, 0.0], "label": 0})
    with pytest.raises(ProtocolError, match="2000") as info:
        session.handle({"type": "add_point", "x": [0.0, 0.0], "label": 0})
    assert info.value.code == "limit"


def test_regenerate_and_reset():
    session = make()
    first = session.x_train.copy()
    session.train_epoch()
    replies = session.handle({"type": "regenerate"})
    assert replies[0]["type"] == "data" and replies[1].state["config"]["data_seed"] == 1
    assert replies[1].state["epoch"] == 0 and not np.array_equal(first, session.x_train)
    initial = session.main.model.get_weights()
    session.train_epoch()
    session.handle({"type": "reset"})
    assert session.epoch == 0
    assert all(
        np.array_equal(a, b) for a, b in zip(initial, session.main.model.get_weights(), strict=True)
    )


def test_upload_csv_makes_a_custom_three_class_set():
    rng = np.random.default_rng(0)
    rows = [
        f"{a:.3f},{b:.3f},{c}"
        for (a, b), c in zip(rng.uniform(-5, 5, (60, 2)), np.arange(60) % 3, strict=True)
    ]
    session = Session()
    replies = session.handle(
        {"type": "upload_csv", "name": "mine.csv", "text": "u,v,label\n" + "\n".join(rows)}
    )
    assert replies[0]["classes"] == 3 and len(replies[0]["train"]["x"]) == 30
    state = replies[1].message()
    assert state["config"]["dataset"] == "custom" and state["config"]["classes"] == 3
    assert np.shape(state["weights"][-1]["kernel"]) == (2, 3)  # softmax over 3 classes
    assert len(protocol.decode_frame(replies[1].frames[0]).maps) == 2 + 4 + 2 + 3
    # a config message keeps the custom data
    configure(session, dataset="custom", layers=[5], activations=["relu"], output="auto")
    assert session.classes == 3 and len(session.x_train) == 30
    with pytest.raises(ProtocolError, match="upload a CSV"):
        configure(Session(), dataset="custom")


def test_compare_trains_a_second_network_in_lockstep():
    session = make(compare={"key": "activation", "value": "sigmoid"})
    session.train_epoch()
    session.train_epoch()
    snapshot = session.snapshot()
    state = snapshot.message()
    assert state["compare"]["label"] == "sigmoid" and state["compare"]["history"]["epoch"] == [1, 2]
    assert session.compare.model.layers[0].activation.name == "sigmoid"
    assert len(snapshot.frames) == 2
    assert protocol.decode_frame(snapshot.frames[1]).compare
    assert not protocol.decode_frame(snapshot.frames[0]).compare
    assert state["compare"]["train_loss"] != state["train_loss"]


def test_history_cursor_sends_only_the_new_tail():
    from glassnet.playground.session import HistoryCursor

    session = make()
    cursor = HistoryCursor()
    session.train_epoch()
    session.train_epoch()
    first = session.snapshot().message(cursor)
    assert first["history_from"] == 0 and first["history"]["epoch"] == [1, 2]
    session.train_epoch()
    second = session.snapshot().message(cursor)
    assert second["history_from"] == 2 and second["history"]["epoch"] == [3]
    session.handle({"type": "reset"})
    assert session.snapshot().message(cursor)["history_from"] == 0


def test_a_failing_epoch_pauses_the_session_and_tells_the_page(monkeypatch):
    """A bug while training must not end the session's thread silently: an error, then a
    state saying "paused", and the next message is still handled."""
    outputs = []
    worker = SessionWorker(outputs.append)
    calls = []

    def broken(self):
        calls.append(1)
        raise RuntimeError("boom")

    monkeypatch.setattr(Session, "train_epoch", broken)
    worker.start()
    worker.submit({"type": "play"})
    deadline = time.monotonic() + 30
    while not any(isinstance(o, dict) and o.get("code") == "internal" for o in outputs):
        assert time.monotonic() < deadline
        time.sleep(0.01)
    worker.submit({"type": "ping"})
    while not any(isinstance(o, dict) and o.get("type") == "pong" for o in outputs):
        assert time.monotonic() < deadline
        time.sleep(0.01)
    error = next(o for o in outputs if isinstance(o, dict) and o.get("code") == "internal")
    assert "training failed: boom" in error["message"]
    snapshots = [o for o in outputs if isinstance(o, Snapshot)]
    assert snapshots[-1].state["status"] == "paused" and len(calls) == 1
    worker.close()
    assert worker.join(timeout=30)


def test_long_runs_keep_thinned_curves_spanning_every_epoch(monkeypatch):
    """Memory stays flat: past CURVE_MAX_POINTS a curve keeps every other point (the first and the
    last epoch always), and a connection is sent the whole thinned curve once."""
    from glassnet.playground import network
    from glassnet.playground.session import HistoryCursor

    full = make(dataset="xor", n_points=60)
    for _ in range(21):
        full.train_epoch()
    reference = full.snapshot().message()["history"]
    assert reference["epoch"] == list(range(1, 22))

    monkeypatch.setattr(network, "CURVE_MAX_POINTS", 8)
    session = make(dataset="xor", n_points=60)
    cursor = HistoryCursor()
    lengths = []
    for _ in range(21):
        session.train_epoch()
        lengths.append(len(session.main.series))
        state = session.snapshot().message(cursor)
    assert max(lengths) < 8
    history = session.snapshot().message()["history"]
    epochs = history["epoch"]
    assert epochs[0] == 1 and epochs[-1] == 21 and epochs == sorted(set(epochs))
    assert len(epochs) < 8
    for key in ("train_loss", "test_loss"):  # the points kept are the run's own values
        assert history[key] == [reference[key][e - 1] for e in epochs]
    # the state after the last thinning carried the whole curve (history_from 0)
    last_thinning = max(i for i in range(1, 21) if lengths[i] < lengths[i - 1])
    session2 = make(dataset="xor", n_points=60)
    cursor2 = HistoryCursor()
    for _ in range(last_thinning + 1):
        session2.train_epoch()
        state = session2.snapshot().message(cursor2)
    assert state["history_from"] == 0 and len(state["history"]["epoch"]) == lengths[last_thinning]


def test_worker_stops_within_an_epoch_when_closed():
    outputs = []
    played = threading.Event()

    def emit(item):
        outputs.append(item)
        if isinstance(item, Snapshot):
            if item.state["epoch"] >= 2:
                played.set()
            worker.want_snapshot.set()  # as the server's sender does after sending one

    worker = SessionWorker(emit)
    worker.start()
    worker.submit({"type": "play"})
    assert played.wait(30)
    worker.close()
    assert worker.join(10)
    assert worker.session.status == "playing"  # stopped from outside, not paused
    errors = [o for o in outputs if isinstance(o, dict) and o.get("type") == "error"]
    assert errors == []


# -- the paper's 3-2-1 network ----------------------------------------------------------------


def paper_session(activation="sigmoid", seed=0):
    return make(**{**PAPER, "activations": [activation], "seed": seed})


def forward(weights, x, activation):
    """The 3-2-1 network's hidden and output activations, in NumPy."""
    w1, b1, w2, b2 = weights
    a1 = expit(x @ w1 + b1) if activation == "sigmoid" else np.tanh(x @ w1 + b1)
    return a1, expit(a1 @ w2 + b2)


def gradient_descent_step(weights, x, y, activation, learning_rate):
    """One step of gradient descent on L = mean((a − y)²) over the batch, in NumPy:
    δ₂ = 2(a₂ − y)/n · a₂(1 − a₂), δ₁ = δ₂W₂ᵀ · g′(z₁), W ← W − η·(input)ᵀδ, b ← b − η·Σδ."""
    w1, b1, w2, b2 = weights
    a1, a2 = forward(weights, x, activation)
    delta2 = (a2 - y) * (2.0 / len(x)) * (a2 * (1 - a2))
    slope = a1 * (1 - a1) if activation == "sigmoid" else 1 - a1 * a1
    delta1 = (delta2 @ w2.T) * slope
    lr = w1.dtype.type(learning_rate)
    return [
        w1 - lr * (x.T @ delta1),
        b1 - lr * delta1.sum(axis=0),
        w2 - lr * (a1.T @ delta2),
        b2 - lr * delta2.sum(axis=0),
    ]


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
def test_the_paper_preset_trains_as_the_papers_network(activation):
    epochs = 60
    session = paper_session(activation)
    # the data are the paper's four samples (x₁, x₂, 1) → y, for training and for testing
    assert np.array_equal(session.f_train, paper.X) and np.array_equal(session.f_test, paper.X)
    assert np.array_equal(session.y_train, paper.Y[:, 0])
    assert np.array_equal(session.y_test, paper.Y[:, 0])
    initial = session.main.model.get_weights()
    dtype = initial[0].dtype
    # paper_network seeds with gn.set_seed and the session with Sequential(seed=...): both start
    # from the session's initial weights
    net = paper.paper_network(activation, seed=0)
    net.set_weights(initial)
    weights = [w.copy() for w in initial]
    for _ in range(epochs):
        # one batch of all four samples, in the order this epoch shuffled them (a float sum
        # over the batch depends on the order of its terms in the last bits)
        order = session.next_batch()
        assert sorted(order.tolist()) == [0, 1, 2, 3]
        x, y = paper.X[order], paper.Y[order]
        net.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
        weights = gradient_descent_step(weights, x.astype(dtype), y.astype(dtype), activation, 0.5)
        session.train_epoch()
    assert session.epoch == epochs
    trained = session.main.model.get_weights()
    assert not np.array_equal(trained[0], initial[0])
    for ours, papers, numpys in zip(trained, net.get_weights(), weights, strict=True):
        assert ours.dtype == papers.dtype == numpys.dtype == dtype
        assert np.array_equal(ours, papers)
        assert np.array_equal(ours, numpys)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
def test_the_paper_preset_reports_the_mean_squared_error(activation):
    session = paper_session(activation)
    for epochs in (0, 25):
        while session.epoch < epochs:
            session.train_epoch()
        state = session.state()
        weights = [
            np.array(w[key], dtype=np.float32)
            for w in state["weights"]
            for key in ("kernel", "bias")
        ]
        x, y = paper.X.astype(np.float32), paper.Y.astype(np.float32)
        _, a = forward(weights, x, activation)
        mse = float(np.mean((a - y) ** 2))
        # float32 sums in another order: equal to a few units in the last place
        assert state["train_loss"] == pytest.approx(mse, rel=1e-6, abs=0)
        assert state["test_loss"] == state["train_loss"]  # the test set is the training set
        cross_entropy = float(-np.mean(y * np.log(a) + (1 - y) * np.log(1 - a)))
        assert abs(cross_entropy - mse) > 0.3
    assert session.main.series.train_loss[-1] < session.main.series.train_loss[0]


@pytest.mark.parametrize("seed", [0, 1, 2, 17])
def test_the_paper_preset_draws_weights_and_biases_from_u_minus_1_1(seed):
    weights = paper_session(seed=seed).main.model.get_weights()
    assert [w.shape for w in weights] == [(3, 2), (2,), (2, 1), (1,)]
    for w in weights:
        assert w.min() >= -1.0 and w.max() <= 1.0
    # U(−1, 1) from the seed's generator, kernel then bias, layer by layer
    rng = np.random.default_rng(seed)
    for w in weights:
        assert np.array_equal(w, rng.uniform(-1.0, 1.0, w.shape).astype(w.dtype))
    # today's default stays: Glorot-uniform kernels, zero biases
    default = make(**{**PAPER, "initializer": "glorot_uniform", "seed": seed})
    biases = default.main.model.get_weights()[1::2]
    assert all(not b.any() for b in biases)


def test_paper_data_are_not_split_and_say_so():
    session = Session()
    replies = configure(session, **{**PAPER, "train_ratio": 10, "n_points": 1000, "noise": 20})
    data = replies[0]
    assert data["type"] == "data"
    assert data["note"] == "test = training samples (the paper has no test set)"
    samples = {"x": [[0.0, 0.0], [1.0, 1.0], [1.0, 0.0], [0.0, 1.0]], "y": [0, 1, 1, 0]}
    assert data["train"] == samples and data["test"] == samples
    assert data["task"] == "classification" and data["classes"] == 2
    assert configure(session, dataset="circle")[0]["note"] is None


def test_loss_choice_reaches_the_model_and_an_upload_falls_back_to_auto():
    session = make(loss="mse")
    assert session.main.model.loss.name == "mean_squared_error"
    assert make().main.model.loss.name == "binary_crossentropy"
    rows = "\n".join(f"{i % 5 - 2},{i % 3},{i % 3}" for i in range(30))
    replies = session.handle({"type": "upload_csv", "name": "k.csv", "text": "a,b,c\n" + rows})
    assert replies[1].state["config"]["loss"] == "auto"  # softmax: cross-entropy
    with pytest.raises(ProtocolError, match="loss 'mse' needs a single output unit"):
        configure(session, dataset="custom", loss="mse")
