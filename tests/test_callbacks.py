"""Callbacks: History contents, EarlyStopping, ModelCheckpoint, ProgressBar, hook order."""

import math
import re

import numpy as np
import pytest

import glassnet
from glassnet import callbacks, layers, models, optimizers


def classification_data(n=30, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4))
    labels = (x[:, 0] + x[:, 1] > 0).astype(int) + (x[:, 2] > 1).astype(int)
    return x, np.eye(3)[labels]


def regression_data(n=32, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 2))
    y = x @ np.array([[1.0], [-2.0]]) + 0.5
    return x, y


def classifier(seed=0, optimizer="sgd", metrics=("accuracy",)):
    glassnet.set_seed(seed)
    model = models.Sequential(
        [
            layers.Dense(6, activation="relu", input_shape=(4,)),
            layers.Dense(3, activation="softmax"),
        ]
    )
    model.compile(optimizer=optimizer, loss="categorical_crossentropy", metrics=list(metrics))
    return model


def regressor(seed=0, learning_rate=0.05):
    glassnet.set_seed(seed)
    model = models.Sequential([layers.Dense(1, input_shape=(2,))])
    model.compile(optimizer=optimizers.SGD(learning_rate=learning_rate), loss="mse")
    return model


class Script(callbacks.Callback):
    """Overwrites logs[key] with scripted values, for the callbacks that come after it."""

    def __init__(self, key, values):
        super().__init__()
        self.key, self.values = key, list(values)

    def on_epoch_end(self, epoch, logs=None):
        logs[self.key] = self.values[epoch]


class WeightRecorder(callbacks.Callback):
    """A copy of the model's weights at the end of every epoch."""

    def __init__(self):
        super().__init__()
        self.weights = []

    def on_epoch_end(self, epoch, logs=None):
        self.weights.append(self.model.get_weights())


def same_weights(a, b):
    return all(np.array_equal(u, v) for u, v in zip(a, b, strict=True))


# -- History -----------------------------------------------------------------------------------


def test_history_keys_and_lengths_with_validation():
    x, y = classification_data()
    model = classifier(metrics=["accuracy", "mae"])
    history = model.fit(x, y, epochs=3, batch_size=8, validation_split=0.2, verbose=0)
    assert set(history.history) == {
        "loss",
        "accuracy",
        "mae",
        "val_loss",
        "val_accuracy",
        "val_mae",
    }
    assert all(len(v) == 3 for v in history.history.values())
    assert history.epoch == [0, 1, 2]
    assert model.history is history
    for key in ("accuracy", "val_accuracy"):
        for v in history.history[key]:
            assert 0.0 <= v <= 1.0
            # 24 training / 6 validation samples: accuracies are multiples of 1/24 or 1/6
            n = 24 if key == "accuracy" else 6
            assert abs(v * n - round(v * n)) < 1e-9


def test_history_keys_without_validation_or_metrics():
    x, y = classification_data()
    model = classifier(metrics=())
    history = model.fit(x, y, epochs=2, verbose=0)
    assert list(history.history) == ["loss"]
    assert len(history.history["loss"]) == 2
    assert all(isinstance(v, float) for v in history.history["loss"])


def _numpy_epoch_losses(x, y, weights, lr, batch_size, epochs):
    """Dense(4, tanh) → Dense(1), MSE, plain SGD, no shuffling: written out in NumPy."""
    w1, b1, w2, b2 = (w.astype(np.float64).copy() for w in weights)
    losses, maes = [], []
    n = len(x)
    for _ in range(epochs):
        loss_sum = mae_sum = 0.0
        for start in range(0, n, batch_size):
            xb, yb = x[start : start + batch_size], y[start : start + batch_size]
            h = np.tanh(xb @ w1 + b1)
            a = h @ w2 + b2
            diff = a - yb
            loss_sum += np.mean(diff**2) * len(xb)  # measured before the update
            mae_sum += np.mean(np.abs(diff)) * len(xb)
            da = 2 * diff / diff.size
            dw2, db2 = h.T @ da, da.sum(axis=0)
            dz1 = (da @ w2.T) * (1 - h**2)
            dw1, db1 = xb.T @ dz1, dz1.sum(axis=0)
            w1 -= lr * dw1
            b1 -= lr * db1
            w2 -= lr * dw2
            b2 -= lr * db2
        losses.append(loss_sum / n)
        maes.append(mae_sum / n)
    return losses, maes


@pytest.mark.parametrize(
    ("floatx", "epochs", "rtol"), [("float64", 3, 1e-10), ("float32", 1, 1e-6)]
)
def test_history_loss_is_the_batch_weighted_mean_before_each_update(floatx, epochs, rtol):
    glassnet.set_floatx(floatx)
    rng = np.random.default_rng(4)
    x = rng.normal(size=(10, 3))
    y = np.sin(x.sum(axis=1, keepdims=True))
    glassnet.set_seed(1)
    model = models.Sequential(
        [layers.Dense(4, activation="tanh", input_shape=(3,)), layers.Dense(1)]
    )
    model.compile(optimizer=optimizers.SGD(learning_rate=0.1), loss="mse", metrics=["mae"])
    initial = model.get_weights()
    # batches of 4, 4 and 2: an unweighted mean of batch losses would differ
    history = model.fit(x, y, epochs=epochs, batch_size=4, shuffle=False, verbose=0)
    expected_loss, expected_mae = _numpy_epoch_losses(
        x.astype(floatx).astype(np.float64),
        y.astype(floatx).astype(np.float64),
        initial,
        0.1,
        4,
        epochs,
    )
    np.testing.assert_allclose(history.history["loss"], expected_loss, rtol=rtol)
    np.testing.assert_allclose(history.history["mae"], expected_mae, rtol=rtol)


def test_batch_logs_are_running_means_ending_at_the_epoch_value():
    class Batches(callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.logs = []

        def on_batch_end(self, batch, logs=None):
            self.logs.append((batch, dict(logs)))

    x, y = classification_data(n=20)
    model = classifier()
    recorder = Batches()
    history = model.fit(x, y, epochs=1, batch_size=8, verbose=0, callbacks=[recorder])
    assert [b for b, _ in recorder.logs] == [0, 1, 2]
    assert set(recorder.logs[-1][1]) == {"loss", "accuracy"}
    assert recorder.logs[-1][1]["loss"] == pytest.approx(history.history["loss"][0], rel=1e-12)
    assert recorder.logs[-1][1]["accuracy"] == pytest.approx(history.history["accuracy"][0])


# -- hook order --------------------------------------------------------------------------------


class Recorder(callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.events = []

    def on_train_begin(self, logs=None):
        self.events.append(("train_begin",))

    def on_epoch_begin(self, epoch, logs=None):
        self.events.append(("epoch_begin", epoch))

    def on_batch_begin(self, batch, logs=None):
        self.events.append(("batch_begin", batch))

    def on_batch_end(self, batch, logs=None):
        self.events.append(("batch_end", batch))

    def on_epoch_end(self, epoch, logs=None):
        self.events.append(("epoch_end", epoch))

    def on_train_end(self, logs=None):
        self.events.append(("train_end",))


def test_callback_hooks_are_called_in_order_with_the_right_counts():
    x, y = classification_data(n=22)
    model = classifier()
    recorder = Recorder()
    model.fit(x, y, epochs=2, batch_size=5, verbose=0, callbacks=[recorder])
    steps = math.ceil(22 / 5)  # 5
    assert recorder.params["steps"] == steps
    assert recorder.params["epochs"] == 2
    assert recorder.model is model
    expected = [("train_begin",)]
    for epoch in range(2):
        expected.append(("epoch_begin", epoch))
        for step in range(steps):
            expected += [("batch_begin", step), ("batch_end", step)]
        expected.append(("epoch_end", epoch))
    expected.append(("train_end",))
    assert recorder.events == expected


def test_epoch_and_batch_end_counts_without_batch_begin():
    class EndsOnly(callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.batch_ends, self.epoch_ends, self.train_ends = [], [], 0

        def on_batch_end(self, batch, logs=None):
            self.batch_ends.append(batch)

        def on_epoch_end(self, epoch, logs=None):
            self.epoch_ends.append(epoch)

        def on_train_end(self, logs=None):
            self.train_ends += 1

    x, y = classification_data(n=22)
    model = classifier()
    ends = EndsOnly()
    model.fit(x, y, epochs=3, batch_size=5, verbose=0, callbacks=[ends])
    assert ends.batch_ends == [0, 1, 2, 3, 4] * 3
    assert ends.epoch_ends == [0, 1, 2]
    assert ends.train_ends == 1


def test_setting_stop_training_stops_after_that_epoch():
    class StopAt(callbacks.Callback):
        def __init__(self, epoch):
            super().__init__()
            self.stop_epoch = epoch
            self.batches_after_stop = 0
            self.stopped = False

        def on_batch_end(self, batch, logs=None):
            if self.stopped:
                self.batches_after_stop += 1

        def on_epoch_end(self, epoch, logs=None):
            if epoch == self.stop_epoch:
                self.model.stop_training = True
                self.stopped = True

    x, y = classification_data()
    model = classifier()
    stopper = StopAt(1)
    history = model.fit(x, y, epochs=10, verbose=0, callbacks=[stopper])
    assert history.epoch == [0, 1]
    assert len(history.history["loss"]) == 2
    assert stopper.batches_after_stop == 0


def test_stop_training_set_mid_epoch_stops_after_that_batch():
    """As Keras: the rest of the epoch is skipped; the epoch still ends (logs, callbacks)."""
    batches = []

    class StopInBatch(callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            batches.append(batch)
            if batch == 0:
                self.model.stop_training = True

    x, y = classification_data()
    model = classifier()
    history = model.fit(x, y, epochs=5, batch_size=10, verbose=0, callbacks=[StopInBatch()])
    assert history.epoch == [0]
    assert batches == [0]
    assert model.optimizer.iterations == 1


# -- EarlyStopping -----------------------------------------------------------------------------


def drive(early_stopping, values, key="val_loss"):
    """Feed scripted epoch values to an EarlyStopping; return the epochs that ran."""
    model = classifier()
    early_stopping.set_model(model)
    model.stop_training = False
    early_stopping.on_train_begin()
    ran = 0
    for epoch, value in enumerate(values):
        ran += 1
        early_stopping.on_epoch_end(epoch, {key: value})
        if model.stop_training:
            break
    early_stopping.on_train_end()
    return ran


@pytest.mark.parametrize(("patience", "ran"), [(0, 2), (1, 2), (2, 3), (3, 4)])
def test_early_stopping_patience(patience, ran):
    values = [1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6]  # best at epoch 0, worse afterwards
    es = callbacks.EarlyStopping(monitor="val_loss", patience=patience)
    assert drive(es, values) == ran
    assert es.stopped_epoch == ran - 1


def test_early_stopping_patience_resets_on_improvement():
    values = [1.0, 1.1, 0.9, 1.0, 1.1, 1.2]  # improvement at epoch 2 restarts the count
    es = callbacks.EarlyStopping(monitor="val_loss", patience=2)
    assert drive(es, values) == 5
    assert es.best == 0.9
    assert es.best_epoch == 2


def test_early_stopping_min_delta():
    values = [1.0, 0.97, 0.96, 0.90, 0.80]
    # With min_delta=0.05, epochs 1 and 2 improve by less than 0.05 and do not count.
    es = callbacks.EarlyStopping(monitor="val_loss", patience=2, min_delta=0.05)
    assert drive(es, values) == 3
    # Without min_delta every epoch improves: no stop.
    es = callbacks.EarlyStopping(monitor="val_loss", patience=2)
    assert drive(es, values) == 5
    # A negative min_delta is taken by its size, as Keras does.
    es = callbacks.EarlyStopping(monitor="val_loss", patience=2, min_delta=-0.05)
    assert drive(es, values) == 3


@pytest.mark.parametrize(
    ("monitor", "mode", "ran"),
    [
        ("val_accuracy", "auto", 4),  # the model's accuracy metric goes up → max
        ("val_accuracy", "max", 4),
        ("val_accuracy", "min", 3),
        ("val_score", "min", 3),
        ("val_score", "max", 4),
    ],
)
def test_early_stopping_mode(monitor, mode, ran):
    values = [0.5, 0.6, 0.55, 0.58, 0.7]
    es = callbacks.EarlyStopping(monitor=monitor, patience=2, mode=mode)
    assert drive(es, values, key=monitor) == ran


def test_early_stopping_bad_mode():
    with pytest.raises(ValueError, match=r"mode must be 'auto', 'min' or 'max', got 'best'"):
        callbacks.EarlyStopping(mode="best")


def test_early_stopping_auto_mode_on_an_unknown_key_asks_for_a_mode():
    """As Keras 3: "auto" knows the loss and the model's metrics, nothing else."""
    es = callbacks.EarlyStopping(monitor="val_score", patience=2)
    with pytest.raises(ValueError, match=r"monitor=val_score.*Pass `mode='max'`"):
        drive(es, [0.5, 0.6], key="val_score")


def test_early_stopping_missing_key_is_a_clear_error():
    x, y = classification_data()
    model = classifier()
    es = callbacks.EarlyStopping(monitor="val_loss")
    with pytest.raises(ValueError, match=r"'val_loss'.*available: loss, accuracy.*validation"):
        model.fit(x, y, epochs=2, verbose=0, callbacks=[es])


def test_early_stopping_in_fit_stops_after_patience():
    x, y = classification_data()
    model = classifier()
    # min_delta is so large that no epoch after the first counts as an improvement.
    es = callbacks.EarlyStopping(monitor="loss", patience=2, min_delta=1e6)
    history = model.fit(x, y, epochs=20, verbose=0, callbacks=[es])
    assert history.epoch == [0, 1, 2]
    assert es.stopped_epoch == 2


class Sabotage(callbacks.Callback):
    """From epoch `start` on, pushes the output bias far off after each epoch's logs."""

    def __init__(self, start):
        super().__init__()
        self.start = start

    def on_epoch_end(self, epoch, logs=None):
        if epoch >= self.start:
            weights = self.model.get_weights()
            weights[-1] = weights[-1] + 50.0
            self.model.set_weights(weights)


@pytest.mark.parametrize("restore", [True, False])
def test_early_stopping_restores_the_weights_of_the_best_epoch(restore):
    x, y = regression_data()
    x_val, y_val = regression_data(n=16, seed=1)
    model = regressor()
    recorder = WeightRecorder()
    es = callbacks.EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=restore)
    history = model.fit(
        x,
        y,
        epochs=20,
        batch_size=32,
        verbose=0,
        validation_data=(x_val, y_val),
        callbacks=[recorder, es, Sabotage(start=1)],
    )
    val = history.history["val_loss"]
    # The scenario: better at epoch 1, then much worse (the bias was pushed away).
    assert val[1] < val[0]
    assert int(np.argmin(val)) == 1
    assert all(v > 10 * val[1] for v in val[2:])
    # Patience 2 after the best epoch 1: epochs 2 and 3 without improvement, stop at 3.
    assert history.epoch == [0, 1, 2, 3]
    assert es.best_epoch == 1
    final = model.get_weights()
    if restore:
        assert same_weights(final, recorder.weights[1])
        val_after = model.evaluate(x_val, y_val, batch_size=32)
        assert val_after == pytest.approx(val[1], rel=1e-6)
    else:
        # Without restoring, the model keeps the last (sabotaged) weights.
        last = recorder.weights[3]
        last[-1] = last[-1] + 50.0
        assert same_weights(final, last)


# -- ModelCheckpoint ---------------------------------------------------------------------------


def test_model_checkpoint_writes_one_formatted_file_per_epoch(tmp_path):
    x, y = classification_data()
    model = classifier()
    recorder = WeightRecorder()
    ckpt = callbacks.ModelCheckpoint(str(tmp_path / "model-{epoch:02d}.npz"), monitor="loss")
    model.fit(x, y, epochs=3, verbose=0, callbacks=[recorder, ckpt])
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "model-01.npz",
        "model-02.npz",
        "model-03.npz",
    ]
    for epoch in range(3):
        saved = models.load_model(tmp_path / f"model-{epoch + 1:02d}.npz")
        assert same_weights(saved.get_weights(), recorder.weights[epoch])


def test_model_checkpoint_formats_logged_values(tmp_path):
    x, y = classification_data()
    model = classifier()
    ckpt = callbacks.ModelCheckpoint(tmp_path / "m-{epoch:02d}-{val_loss:.3f}.npz")
    history = model.fit(x, y, epochs=2, verbose=0, validation_split=0.2, callbacks=[ckpt])
    expected = sorted(
        f"m-{e + 1:02d}-{v:.3f}.npz" for e, v in enumerate(history.history["val_loss"])
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == expected
    assert all(re.fullmatch(r"m-0[12]-\d+\.\d{3}\.npz", name) for name in expected)


def test_model_checkpoint_save_best_only_saves_only_on_improvement(tmp_path):
    x, y = classification_data()
    model = classifier()
    recorder = WeightRecorder()
    script = Script("val_loss", [1.0, 1.2, 0.8, 0.9, 0.8, 0.7])
    ckpt = callbacks.ModelCheckpoint(
        tmp_path / "best-{epoch:02d}.npz", monitor="val_loss", save_best_only=True
    )
    model.fit(x, y, epochs=6, verbose=0, validation_split=0.2, callbacks=[recorder, script, ckpt])
    # 1.0 (first), 0.8 (better), 0.7 (better); 1.2, 0.9 and the tie 0.8 are not improvements.
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "best-01.npz",
        "best-03.npz",
        "best-06.npz",
    ]
    saved = models.load_model(tmp_path / "best-03.npz")
    assert same_weights(saved.get_weights(), recorder.weights[2])


def test_model_checkpoint_save_best_only_max_mode(tmp_path):
    x, y = classification_data()
    model = classifier()
    script = Script("val_accuracy", [0.5, 0.4, 0.6, 0.6, 0.9])
    ckpt = callbacks.ModelCheckpoint(
        tmp_path / "acc-{epoch}.npz", monitor="val_accuracy", save_best_only=True
    )
    model.fit(x, y, epochs=5, verbose=0, validation_split=0.2, callbacks=[script, ckpt])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["acc-1.npz", "acc-3.npz", "acc-5.npz"]


def test_model_checkpoint_save_best_only_missing_key(tmp_path):
    x, y = classification_data()
    model = classifier()
    ckpt = callbacks.ModelCheckpoint(tmp_path / "m.npz", monitor="val_loss", save_best_only=True)
    with pytest.raises(ValueError, match=r"ModelCheckpoint monitors 'val_loss'.*available: loss"):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[ckpt])
    assert list(tmp_path.iterdir()) == []


# -- ProgressBar -------------------------------------------------------------------------------


def test_verbose_2_prints_one_line_per_epoch(capsys):
    x, y = classification_data()
    model = classifier()
    model.fit(x, y, epochs=3, batch_size=8, verbose=2)
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if line.strip()]
    assert len(lines) == 3
    for epoch, line in enumerate(lines, start=1):
        assert f"Epoch {epoch}/3" in line
        assert re.search(r"loss: \d+\.\d{4}", line)
        assert re.search(r"accuracy: \d+\.\d{4}", line)


def test_verbose_2_line_shows_the_history_values(capsys):
    x, y = classification_data()
    model = classifier()
    history = model.fit(x, y, epochs=2, verbose=2, validation_split=0.2)
    out = capsys.readouterr().out
    for epoch in range(2):
        line = out.splitlines()[epoch]
        assert f"loss: {history.history['loss'][epoch]:.4f}" in line
        assert f"val_loss: {history.history['val_loss'][epoch]:.4f}" in line


def test_verbose_0_prints_nothing(capsys):
    x, y = classification_data()
    model = classifier()
    model.fit(x, y, epochs=2, verbose=0, validation_split=0.2)
    model.evaluate(x, y, verbose=0)
    model.predict(x, verbose=0)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == ""


@pytest.mark.parametrize("verbose", [1, "auto"])
def test_verbose_1_shows_a_progress_bar_with_the_loss(capsys, verbose):
    x, y = classification_data(n=40)
    model = classifier()
    history = model.fit(x, y, epochs=2, batch_size=8, verbose=verbose)
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert "Epoch 1/2" in text
    assert "Epoch 2/2" in text
    assert "5/5" in text  # tqdm's step counter: ceil(40 / 8) steps
    assert f"loss: {history.history['loss'][-1]:.4f}" in text


def test_progress_bar_is_a_callback():
    bar = callbacks.ProgressBar(verbose=2)
    assert isinstance(bar, callbacks.Callback)


def test_history_shows_its_curves_in_a_notebook():
    import base64

    x, y = classification_data()
    history = classifier().fit(x, y, epochs=3, batch_size=8, validation_split=0.2, verbose=0)
    html = history._repr_html_()
    assert html.startswith('<img alt="training curves" src="data:image/png;base64,')
    png = base64.b64decode(html.split("base64,")[1].split('"')[0])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert "History(epochs=3" in html
    assert "<pre>" in models.Sequential([layers.Dense(2, input_dim=3)])._repr_html_()


class HookRecorder(callbacks.Callback):
    """Records every hook Keras 3 defines, with a copy of its logs."""

    def __init__(self):
        super().__init__()
        self.calls = []

    def _note(self, name, logs):
        assert isinstance(logs, dict), f"{name} got logs={logs!r}"
        self.calls.append((name, dict(logs)))

    def on_train_begin(self, logs=None):
        self._note("train_begin", logs)

    def on_train_end(self, logs=None):
        self._note("train_end", logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._note(f"epoch_begin {epoch}", logs)

    def on_epoch_end(self, epoch, logs=None):
        self._note(f"epoch_end {epoch}", logs)

    def on_train_batch_begin(self, batch, logs=None):
        self._note(f"train_batch_begin {batch}", logs)

    def on_train_batch_end(self, batch, logs=None):
        self._note(f"train_batch_end {batch}", logs)

    def on_test_begin(self, logs=None):
        self._note("test_begin", logs)

    def on_test_end(self, logs=None):
        self._note("test_end", logs)

    def on_test_batch_begin(self, batch, logs=None):
        self._note(f"test_batch_begin {batch}", logs)

    def on_test_batch_end(self, batch, logs=None):
        self._note(f"test_batch_end {batch}", logs)

    def on_predict_begin(self, logs=None):
        self._note("predict_begin", logs)

    def on_predict_end(self, logs=None):
        self._note("predict_end", logs)

    def on_predict_batch_begin(self, batch, logs=None):
        self._note(f"predict_batch_begin {batch}", logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._note(f"predict_batch_end {batch}", logs)


def test_every_keras_hook_is_called_in_keras_order_with_a_logs_dict():
    x, y = classification_data(n=40)
    model = classifier()
    recorder = HookRecorder()
    history = model.fit(
        x, y, epochs=1, batch_size=16, validation_split=0.2, verbose=0, callbacks=[recorder]
    )
    names = [name for name, _ in recorder.calls]
    # 32 training samples in batches of 16, 8 validation samples in one batch
    assert names == [
        "train_begin",
        "epoch_begin 0",
        "train_batch_begin 0",
        "train_batch_end 0",
        "train_batch_begin 1",
        "train_batch_end 1",
        "test_begin",
        "test_batch_begin 0",
        "test_batch_end 0",
        "test_end",
        "epoch_end 0",
        "train_end",
    ]
    logs = dict(recorder.calls)
    assert logs["train_begin"] == {} and logs["epoch_begin 0"] == {}
    assert set(logs["train_batch_end 1"]) == {"loss", "accuracy"}
    assert all(type(v) is float for v in logs["train_batch_end 1"].values())
    assert logs["epoch_end 0"]["val_loss"] == pytest.approx(history.history["val_loss"][0])
    assert logs["test_end"]["loss"] == pytest.approx(history.history["val_loss"][0])
    assert logs["train_end"] == {k: v[-1] for k, v in history.history.items()}
    assert all(type(v) is float for values in history.history.values() for v in values)

    recorder.calls.clear()
    result = model.evaluate(x, y, batch_size=32, callbacks=[recorder], return_dict=True)
    assert [n for n, _ in recorder.calls] == [
        "test_begin",
        "test_batch_begin 0",
        "test_batch_end 0",
        "test_batch_begin 1",
        "test_batch_end 1",
        "test_end",
    ]
    assert recorder.calls[-1][1] == pytest.approx(result)

    recorder.calls.clear()
    outputs = []

    class Outputs(callbacks.Callback):
        def on_predict_batch_end(self, batch, logs=None):
            outputs.append(logs["outputs"])

    predictions = model.predict(x, batch_size=32, callbacks=[recorder, Outputs()])
    assert [n for n, _ in recorder.calls] == [
        "predict_begin",
        "predict_batch_begin 0",
        "predict_batch_end 0",
        "predict_batch_begin 1",
        "predict_batch_end 1",
        "predict_end",
    ]
    np.testing.assert_array_equal(np.concatenate(outputs), predictions)


def test_the_older_batch_hooks_still_run_during_fit():
    x, y = classification_data()
    seen = []

    class Old(callbacks.Callback):
        def on_batch_end(self, batch, logs=None):
            seen.append((batch, logs["loss"]))

    classifier().fit(x, y, epochs=1, batch_size=20, verbose=0, callbacks=[Old()])
    assert [b for b, _ in seen] == [0, 1] and all(loss > 0 for _, loss in seen)


def test_validation_split_keeps_floor_of_the_training_share_as_keras():
    """256 samples at 0.2: Keras trains on floor(256 · 0.8) = 204 and validates on 52."""
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(256, 4)), rng.integers(0, 3, 256)
    model = models.Sequential([layers.Dense(3, activation="softmax", input_shape=(4,))])
    model.compile("sgd", "sparse_categorical_crossentropy")
    history = model.fit(x, y, epochs=1, batch_size=256, validation_split=0.2, verbose=0)
    assert history.params["samples"] == 204
    # the validation loss is that of the last 52 samples, before any shuffling
    assert history.history["val_loss"][0] == pytest.approx(
        model.evaluate(x[204:], y[204:], verbose=0), rel=1e-6
    )
    assert history.history["val_loss"][0] != pytest.approx(
        model.evaluate(x[205:], y[205:], verbose=0), rel=1e-6
    )
