"""The Keras 3 callbacks, seen from the outside through ``model.fit``: LearningRateScheduler,
ReduceLROnPlateau, CSVLogger, LambdaCallback, BackupAndRestore, ModelCheckpoint, EarlyStopping
and TerminateOnNaN; and, where Keras is installed, the same runs in real Keras 3 (float64)."""

import csv
import json
import math
import os

import numpy as np
import pytest

import glassnet as gn
from glassnet import callbacks, layers, models, optimizers


def data(n=32, seed=0):
    """A small regression: y = tanh(x·w) + noise; the validation set follows another w, so
    that the validation loss falls and then rises."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4))
    y = np.tanh(x @ rng.normal(size=(4, 1))) + 0.3 * rng.normal(size=(n, 1))
    xv = rng.normal(size=(16, 4))
    yv = np.tanh(xv @ rng.normal(size=(4, 1)))
    return x, y, xv, yv


def net(seed=0, optimizer=None, dropout=0.0, metrics=()):
    """4 → Dense 3 (tanh) → [Dropout] → Dense 1, mse."""
    gn.set_seed(seed)
    stack = [layers.Dense(3, activation="tanh", input_shape=(4,))]
    if dropout:
        stack.append(layers.Dropout(dropout))
    stack.append(layers.Dense(1))
    model = models.Sequential(stack)
    model.compile(optimizer or optimizers.SGD(0.1), "mse", metrics=list(metrics))
    return model


class Script(callbacks.Callback):
    """Overwrites logs[key] at each epoch's end with scripted values."""

    def __init__(self, key, values):
        super().__init__()
        self.key, self.values = key, list(values)

    def on_epoch_end(self, epoch, logs=None):
        logs[self.key] = self.values[epoch]


class RateUsed(callbacks.Callback):
    """The learning rate each epoch really used, read from the weights: with one full batch
    per epoch and plain SGD, W_after = W_before − lr·∂L/∂W, so lr = ΔW / ∂L/∂W."""

    def __init__(self, x, y):
        super().__init__()
        self.x, self.y, self.rates = x, y, []

    def on_epoch_begin(self, epoch, logs=None):
        self.before = self.model.get_weights()
        self.grads = self.model.train_step(self.x, self.y, apply=False).grads

    def on_epoch_end(self, epoch, logs=None):
        after = self.model.get_weights()
        ratios = np.concatenate(
            [((b - a) / g).ravel() for b, a, g in zip(self.before, after, self.grads, strict=True)]
        )
        np.testing.assert_allclose(ratios, ratios[0], rtol=1e-9)  # one rate for every weight
        self.rates.append(float(ratios[0]))


class WeightRecorder(callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.weights = []

    def on_epoch_end(self, epoch, logs=None):
        self.weights.append(self.model.get_weights())


def same(a, b):
    return len(a) == len(b) and all(np.array_equal(u, v) for u, v in zip(a, b, strict=True))


# -- LearningRateScheduler -----------------------------------------------------------------------


def test_scheduler_sets_the_rate_each_epoch_uses_and_logs_it(float64):
    x, y, _, _ = data()
    model = net()
    used = RateUsed(x, y)
    schedule = callbacks.LearningRateScheduler(lambda epoch, lr: lr if epoch == 0 else lr * 0.5)
    history = model.fit(x, y, batch_size=32, epochs=4, verbose=0, callbacks=[schedule, used])
    assert history.history["learning_rate"] == [0.1, 0.05, 0.025, 0.0125]
    np.testing.assert_allclose(used.rates, [0.1, 0.05, 0.025, 0.0125], rtol=1e-9)
    assert float(model.optimizer.learning_rate) == 0.0125


def test_scheduler_of_the_epoch_alone(float64):
    x, y, _, _ = data()
    model = net()
    used = RateUsed(x, y)
    schedule = callbacks.LearningRateScheduler(lambda epoch: 0.2 / (epoch + 1))
    history = model.fit(x, y, batch_size=32, epochs=3, verbose=0, callbacks=[schedule, used])
    assert history.history["learning_rate"] == [0.2, 0.1, 0.2 / 3]
    np.testing.assert_allclose(used.rates, [0.2, 0.1, 0.2 / 3], rtol=1e-9)


def test_scheduler_verbose_message(capsys):
    x, y, _, _ = data()
    schedule = callbacks.LearningRateScheduler(lambda epoch, lr: 0.01 * (epoch + 1), verbose=1)
    net().fit(x, y, epochs=2, verbose=0, callbacks=[schedule])
    out = capsys.readouterr().out
    assert "\nEpoch 1: LearningRateScheduler setting learning rate to 0.01.\n" in out
    assert "\nEpoch 2: LearningRateScheduler setting learning rate to 0.02.\n" in out


@pytest.mark.parametrize(
    ("returned", "message"),
    [
        (1, r"should be a float. Got: 1 \(int\) at epoch 0"),
        (np.array([0.1]), r"should be a float"),
        ("0.1", r"should be a float"),
        (float("nan"), r"learning rate nan at epoch 0.*finite and greater than 0"),
        (math.inf, r"learning rate inf"),
        (0.0, r"learning rate 0.0 at epoch 0"),
        (-0.1, r"learning rate -0.1"),
    ],
)
def test_scheduler_bad_return_is_a_clear_error_before_any_update(returned, message):
    x, y, _, _ = data()
    model = net()
    before = model.get_weights()
    schedule = callbacks.LearningRateScheduler(lambda epoch, lr: returned)
    with pytest.raises(ValueError, match=message):
        model.fit(x, y, epochs=2, verbose=0, callbacks=[schedule])
    assert same(model.get_weights(), before)
    assert model.optimizer.learning_rate == 0.1


def test_scheduler_bad_schedule_is_a_clear_error():
    with pytest.raises(TypeError, match=r"schedule must be a function of \(epoch, lr\)"):
        callbacks.LearningRateScheduler(0.1)
    with pytest.raises(TypeError, match=r"must accept \(epoch, lr\) or \(epoch\)"):
        callbacks.LearningRateScheduler(lambda epoch, lr, extra: lr)


def test_scheduler_needs_a_compiled_model():
    model = models.Sequential([layers.Dense(1, input_shape=(2,))])
    schedule = callbacks.LearningRateScheduler(lambda epoch, lr: lr)
    schedule.set_model(model)
    with pytest.raises(ValueError, match=r"needs a compiled model"):
        schedule.on_epoch_begin(0)


# -- ReduceLROnPlateau ---------------------------------------------------------------------------


def test_reduce_on_plateau_reduces_at_the_epochs_keras_would(float64, capsys):
    x, y, _, _ = data()
    model = net()
    used = RateUsed(x, y)
    # patience 2, cooldown 1; worked by hand (wait after each epoch in brackets):
    # e0 1.0 best [0]; e1 0.9 best [0]; e2 0.9 [1]; e3 0.9 [2] → 0.05, cooldown 1;
    # e4 cooldown ends [0 → 1]; e5 0.9 [2] → 0.025; e6 0.85 best [0]; e7 0.85 [1]
    script = Script("loss", [1.0, 0.9, 0.9, 0.9, 0.9, 0.9, 0.85, 0.85])
    reduce = callbacks.ReduceLROnPlateau(
        monitor="loss", factor=0.5, patience=2, cooldown=1, verbose=1
    )
    history = model.fit(x, y, batch_size=32, epochs=8, verbose=0, callbacks=[used, script, reduce])
    expected = [0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025]
    assert history.history["learning_rate"] == expected  # the rate each epoch used
    np.testing.assert_allclose(used.rates, expected, rtol=1e-9)
    assert float(model.optimizer.learning_rate) == 0.025
    out = capsys.readouterr().out
    assert out.count("ReduceLROnPlateau reducing learning rate") == 2
    assert "\nEpoch 4: ReduceLROnPlateau reducing learning rate to 0.05.\n" in out
    assert "\nEpoch 6: ReduceLROnPlateau reducing learning rate to 0.025.\n" in out


def test_reduce_on_plateau_min_delta_and_min_lr():
    x, y, _, _ = data()
    model = net()
    # every epoch improves by 0.05 < min_delta = 0.1: none counts; patience 1 reduces each epoch
    script = Script("loss", [1.0, 0.95, 0.9, 0.85, 0.8])
    reduce = callbacks.ReduceLROnPlateau(
        monitor="loss", factor=0.5, patience=1, min_delta=0.1, min_lr=0.03
    )
    history = model.fit(x, y, epochs=5, verbose=0, callbacks=[script, reduce])
    assert history.history["learning_rate"] == [0.1, 0.1, 0.05, 0.03, 0.03]


def test_reduce_on_plateau_max_mode_on_accuracy_in_auto():
    x, y, _, _ = data()
    model = net(metrics=["mae"])
    script = Script("val_mae", [0.5, 0.4, 0.45, 0.3])  # mae goes down: 0.45 is no improvement
    reduce = callbacks.ReduceLROnPlateau(monitor="val_mae", factor=0.5, patience=1)
    history = model.fit(
        x, y, epochs=4, verbose=0, validation_split=0.25, callbacks=[script, reduce]
    )
    assert history.history["learning_rate"] == [0.1, 0.1, 0.1, 0.05]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"factor": 1.0}, ValueError, r"does not support a factor >= 1.0. Received factor=1.0"),
        ({"factor": 0.0}, ValueError, r"factor must lie between 0 and 1"),
        ({"patience": -1}, ValueError, r"patience must be a whole number >= 0, got -1"),
        ({"cooldown": 1.5}, ValueError, r"cooldown must be a whole number"),
        ({"min_lr": -1.0}, ValueError, r"min_lr must be >= 0"),
        ({"mode": "lowest"}, ValueError, r"mode must be 'auto', 'min' or 'max', got 'lowest'"),
        ({"monitor": 3}, TypeError, r"monitor must be a log key"),
    ],
)
def test_reduce_on_plateau_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        callbacks.ReduceLROnPlateau(**kwargs)


def test_reduce_on_plateau_missing_key_is_a_clear_error():
    x, y, _, _ = data()
    with pytest.raises(ValueError, match=r"monitors 'val_loss'.*available: loss, learning_rate"):
        net().fit(x, y, epochs=2, verbose=0, callbacks=[callbacks.ReduceLROnPlateau()])


# -- CSVLogger -----------------------------------------------------------------------------------


def read_csv(path, delimiter=","):
    with open(path, newline="") as handle:
        return list(csv.reader(handle, delimiter=delimiter))


def test_csv_logger_header_and_rows_are_the_history(tmp_path):
    x, y, xv, yv = data()
    path = tmp_path / "log.csv"
    history = net(metrics=["mae"]).fit(
        x,
        y,
        epochs=3,
        verbose=0,
        validation_data=(xv, yv),
        callbacks=[callbacks.CSVLogger(path)],
    )
    rows = read_csv(path)
    assert rows[0] == ["epoch", "loss", "mae", "val_loss", "val_mae"]
    assert len(rows) == 4
    for epoch, row in enumerate(rows[1:]):
        assert int(row[0]) == epoch
        # floats are written with repr, so they read back exactly
        assert [float(v) for v in row[1:]] == [history.history[k][epoch] for k in rows[0][1:]]
    assert path.read_bytes().count(b"\r\n") == 4  # the csv module's excel dialect, as Keras


def test_csv_logger_without_validation_adds_val_columns_as_keras(tmp_path):
    x, y, _, _ = data()
    path = tmp_path / "log.csv"
    schedule = callbacks.LearningRateScheduler(lambda epoch, lr: lr)
    history = net().fit(
        x, y, epochs=2, verbose=0, callbacks=[schedule, callbacks.CSVLogger(path, separator=";")]
    )
    rows = read_csv(path, ";")
    assert rows[0] == ["epoch", "learning_rate", "loss", "val_learning_rate", "val_loss"]
    assert rows[1] == ["0", "0.1", repr(history.history["loss"][0]), "NA", "NA"]


def test_csv_logger_appends_without_a_second_header(tmp_path):
    x, y, _, _ = data()
    path = tmp_path / "log.csv"
    model = net()
    model.fit(x, y, epochs=2, verbose=0, callbacks=[callbacks.CSVLogger(path)])
    second = model.fit(
        x, y, epochs=1, verbose=0, callbacks=[callbacks.CSVLogger(path, append=True)]
    )
    rows = read_csv(path)
    assert [r[0] for r in rows] == ["epoch", "0", "1", "0"]
    assert float(rows[3][1]) == second.history["loss"][0]
    model.fit(x, y, epochs=1, verbose=0, callbacks=[callbacks.CSVLogger(path)])  # overwrites
    assert [r[0] for r in read_csv(path)] == ["epoch", "0"]


def test_csv_logger_unwritable_path_fails_before_training(tmp_path):
    x, y, _, _ = data()
    model = net()
    before = model.get_weights()
    missing = tmp_path / "no-such-folder" / "log.csv"
    with pytest.raises(FileNotFoundError, match=r"CSVLogger cannot write its log to .*log.csv"):
        model.fit(x, y, epochs=2, verbose=0, callbacks=[callbacks.CSVLogger(missing)])
    with pytest.raises(IsADirectoryError, match=r"CSVLogger cannot write its log"):
        model.fit(x, y, epochs=2, verbose=0, callbacks=[callbacks.CSVLogger(tmp_path)])
    assert same(model.get_weights(), before)
    assert model.optimizer.iterations == 0


def test_csv_logger_bad_arguments():
    with pytest.raises(ValueError, match=r"separator must be a single character.*got ';;'"):
        callbacks.CSVLogger("log.csv", separator=";;")
    with pytest.raises(TypeError, match=r"filename must be a path"):
        callbacks.CSVLogger(None)


# -- LambdaCallback ------------------------------------------------------------------------------


def test_lambda_callback_calls_each_function_as_keras_does():
    x, y, xv, yv = data()
    calls = []
    callback = callbacks.LambdaCallback(
        on_train_begin=lambda logs: calls.append(("train_begin", logs)),
        on_epoch_begin=lambda epoch, logs: calls.append(("epoch_begin", epoch)),
        on_epoch_end=lambda epoch, logs: calls.append(("epoch_end", epoch, logs["val_loss"])),
        # batch hooks get logs as a keyword, as in Keras
        on_train_batch_end=lambda batch, **kw: calls.append(("batch_end", batch, kw["logs"])),
        on_test_end=lambda logs: calls.append(("test_end", logs["loss"])),
        on_train_end=lambda logs: calls.append(("train_end", logs["loss"])),
    )
    history = net().fit(
        x, y, epochs=2, batch_size=16, verbose=0, validation_data=(xv, yv), callbacks=[callback]
    )
    names = [c[0] for c in calls]
    assert names == ["train_begin"] + [
        "epoch_begin",
        "batch_end",
        "batch_end",
        "test_end",
        "epoch_end",
    ] * 2 + ["train_end"]
    assert calls[0] == ("train_begin", {})
    assert [c[1] for c in calls if c[0] == "batch_end"] == [0, 1, 0, 1]
    assert calls[3][2]["loss"] == history.history["loss"][0]  # the epoch's mean at its end
    assert [c[2] for c in calls if c[0] == "epoch_end"] == history.history["val_loss"]
    assert calls[-1] == ("train_end", history.history["loss"][-1])


def test_lambda_callback_older_batch_name_and_bad_arguments():
    x, y, _, _ = data()
    batches = []
    net().fit(
        x,
        y,
        epochs=1,
        batch_size=8,
        verbose=0,
        callbacks=[
            callbacks.LambdaCallback(on_batch_end=lambda batch, logs: batches.append(batch))
        ],
    )
    assert batches == [0, 1, 2, 3]
    with pytest.raises(TypeError, match=r"on_epoch_ends=…, which is not a callback hook"):
        callbacks.LambdaCallback(on_epoch_ends=print)
    with pytest.raises(TypeError, match=r"on_epoch_end must be a function, got 3"):
        callbacks.LambdaCallback(on_epoch_end=3)


def test_callback_base_gets_model_and_params():
    x, y, _, _ = data()
    seen = {}
    callback = callbacks.LambdaCallback(
        on_train_begin=lambda logs: seen.update(callback.params, model=callback.model)
    )
    model = net()
    model.fit(x, y, epochs=3, batch_size=10, verbose=0, callbacks=[callback])
    assert seen["model"] is model
    assert (seen["epochs"], seen["steps"], seen["batch_size"], seen["samples"]) == (3, 4, 10, 32)


# -- BackupAndRestore ----------------------------------------------------------------------------


class Interrupt(callbacks.Callback):
    """Raises at the beginning of an epoch (or of a batch of it), as a crash would."""

    def __init__(self, epoch, batch=None):
        super().__init__()
        self.epoch, self.batch = epoch, batch

    def on_epoch_begin(self, epoch, logs=None):
        self.current = epoch
        if epoch == self.epoch and self.batch is None:
            raise RuntimeError("interrupted")

    def on_train_batch_begin(self, batch, logs=None):
        if self.current == self.epoch and batch == self.batch:
            raise RuntimeError("interrupted")


def resumable(seed=0):
    """Adam (slots), dropout (a random layer) and shuffling: every kind of training state."""
    return net(seed=seed, optimizer=optimizers.Adam(0.05), dropout=0.3)


def assert_same_state(a, b):
    assert same(a.get_weights(), b.get_weights())
    iterations_a, slots_a = a.optimizer.get_state()
    iterations_b, slots_b = b.optimizer.get_state()
    assert iterations_a == iterations_b
    assert slots_a.keys() == slots_b.keys()
    for name in slots_a:
        assert same(slots_a[name], slots_b[name])


def test_backup_and_restore_resumes_bit_for_bit(tmp_path):
    x, y, _, _ = data()
    fit = {"batch_size": 8, "epochs": 6, "verbose": 0}
    whole = resumable()
    reference = whole.fit(x, y, **fit)

    backup_dir = tmp_path / "backup"
    first = resumable()
    with pytest.raises(RuntimeError, match="interrupted"):
        first.fit(x, y, **fit, callbacks=[callbacks.BackupAndRestore(backup_dir), Interrupt(3)])
    metadata = json.loads((backup_dir / "training_metadata.json").read_text())
    assert metadata == {"epoch": 3, "batch": 0}

    # a new process: a new model (other initial weights), the same backup
    again = resumable(seed=99)
    assert not same(again.get_weights(), first.get_weights())
    resumed = again.fit(x, y, **fit, callbacks=[callbacks.BackupAndRestore(backup_dir)])
    assert resumed.epoch == [3, 4, 5]
    assert resumed.history["loss"] == reference.history["loss"][3:]
    assert_same_state(again, whole)
    assert not backup_dir.exists()  # deleted once training ended


def test_backup_and_restore_keeps_the_backup_when_asked(tmp_path):
    x, y, _, _ = data()
    model = net()
    backup = callbacks.BackupAndRestore(tmp_path, delete_checkpoint=False)
    model.fit(x, y, epochs=2, verbose=0, callbacks=[backup])
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "latest.glassnet",
        "training_metadata.json",
    ]
    assert same(models.load_model(tmp_path / "latest.glassnet").get_weights(), model.get_weights())
    # a finished run resumes after its last epoch: nothing more to train
    history = model.fit(x, y, epochs=2, verbose=0, callbacks=[backup])
    assert history.epoch == []


def test_backup_and_restore_every_n_batches_resumes_at_the_epoch_start(tmp_path):
    x, y, _, _ = data()  # 32 samples in batches of 8: 4 batches an epoch
    model = net()
    backup = callbacks.BackupAndRestore(tmp_path / "b", save_freq=3, delete_checkpoint=False)
    with pytest.raises(RuntimeError):
        model.fit(x, y, batch_size=8, epochs=3, verbose=0, callbacks=[backup, Interrupt(1, 2)])
    # saves after batch 2 of epoch 0 (3 batches) and batch 1 of epoch 1 (3 more), as Keras counts
    metadata = json.loads((tmp_path / "b" / "training_metadata.json").read_text())
    assert metadata == {"epoch": 1, "batch": 1}
    history = net(seed=5).fit(x, y, batch_size=8, epochs=3, verbose=0, callbacks=[backup])
    assert history.epoch == [1, 2]


def test_backup_and_restore_double_checkpoint_falls_back_to_the_previous(tmp_path):
    x, y, _, _ = data()
    fit = {"batch_size": 8, "epochs": 5, "verbose": 0}
    whole = resumable()
    reference = whole.fit(x, y, **fit)
    backup_dir = tmp_path / "backup"
    with pytest.raises(RuntimeError):
        resumable().fit(
            x,
            y,
            **fit,
            callbacks=[
                callbacks.BackupAndRestore(backup_dir, double_checkpoint=True),
                Interrupt(3),
            ],
        )
    (backup_dir / "latest.glassnet").write_bytes(b"damaged")
    model = resumable(seed=7)
    history = model.fit(x, y, **fit, callbacks=[callbacks.BackupAndRestore(backup_dir)])
    assert history.epoch == [2, 3, 4]  # from the backup before the latest
    assert history.history["loss"] == reference.history["loss"][2:]
    assert_same_state(model, whole)


def test_backup_and_restore_errors(tmp_path):
    x, y, _, _ = data()
    with pytest.raises(ValueError, match=r"Empty `backup_dir`"):
        callbacks.BackupAndRestore("")
    with pytest.raises(ValueError, match=r"save_freq must be 'epoch' or a whole number"):
        callbacks.BackupAndRestore(tmp_path, save_freq="batch")
    with pytest.raises(ValueError, match=r"save_freq must be"):
        callbacks.BackupAndRestore(tmp_path, save_freq=0)
    keep = callbacks.BackupAndRestore(tmp_path, delete_checkpoint=False)
    net().fit(x, y, epochs=1, verbose=0, callbacks=[keep])
    other = net(optimizer=optimizers.Adam())
    with pytest.raises(ValueError, match=r"made with a SGD optimizer.*compiled with Adam"):
        other.fit(x, y, epochs=2, verbose=0, callbacks=[keep])


def test_backup_and_restore_deletes_only_its_own_files(tmp_path):
    x, y, _, _ = data()
    (tmp_path / "notes.txt").write_text("keep me")
    net().fit(x, y, epochs=1, verbose=0, callbacks=[callbacks.BackupAndRestore(tmp_path)])
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


# -- ModelCheckpoint -----------------------------------------------------------------------------


def test_checkpoint_weights_only_from_a_template(tmp_path):
    x, y, xv, yv = data()
    model = net()
    recorder = WeightRecorder()
    checkpoint = callbacks.ModelCheckpoint(
        tmp_path / "w-{epoch:02d}-{val_loss:.4f}.weights.npz", save_weights_only=True
    )
    history = model.fit(
        x, y, epochs=3, verbose=0, validation_data=(xv, yv), callbacks=[recorder, checkpoint]
    )
    names = [
        f"w-{e + 1:02d}-{v:.4f}.weights.npz" for e, v in enumerate(history.history["val_loss"])
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names)
    for epoch, name in enumerate(names):
        fresh = net(seed=3)
        fresh.load_weights(tmp_path / name)
        assert same(fresh.get_weights(), recorder.weights[epoch])
    with pytest.raises(ValueError, match=r"not a readable glassnet model file"):
        models.load_model(tmp_path / names[0])  # weights only: no architecture


def test_checkpoint_every_n_batches_names_epoch_and_batch(tmp_path):
    x, y, _, _ = data(n=12)  # batches of 4: 3 an epoch
    model = net()
    after_batch = {}
    recorder = callbacks.LambdaCallback(
        on_epoch_begin=lambda epoch, logs: after_batch.update(epoch=epoch + 1),
        on_train_batch_end=lambda batch, logs: after_batch.update(
            {(after_batch["epoch"], batch + 1): model.get_weights()}
        ),
    )
    checkpoint = callbacks.ModelCheckpoint(tmp_path / "b-{epoch}-{batch}.npz", save_freq=2)
    model.fit(x, y, batch_size=4, epochs=2, verbose=0, callbacks=[recorder, checkpoint])
    # batches 1, 2 | 3, 1 | 2, 3 of (epoch 1: 1 2 3, epoch 2: 1 2 3): every second batch
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b-1-2.npz", "b-2-1.npz", "b-2-3.npz"]
    for name in ("b-1-2", "b-2-1", "b-2-3"):
        _, epoch, batch = name.split("-")
        saved = models.load_model(tmp_path / f"{name}.npz")
        assert same(saved.get_weights(), after_batch[(int(epoch), int(batch))])


def test_checkpoint_best_only_with_an_initial_threshold_and_messages(tmp_path, capsys):
    x, y, _, _ = data()
    model = net()
    script = Script("val_loss", [0.9, 0.7, 0.6, 0.4, 0.5])
    path = tmp_path / "best-{epoch}.npz"
    checkpoint = callbacks.ModelCheckpoint(
        path, save_best_only=True, initial_value_threshold=0.65, verbose=1
    )
    model.fit(x, y, epochs=5, verbose=0, validation_split=0.25, callbacks=[script, checkpoint])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["best-3.npz", "best-4.npz"]
    out = capsys.readouterr().out
    assert "\nEpoch 1: val_loss did not improve from 0.65000\n" in out
    assert (
        f"\nEpoch 3: val_loss improved from 0.65000 to 0.60000, saving model to "
        f"{tmp_path / 'best-3.npz'}\n" in out
    )
    assert f"\nEpoch 4: finished saving model to {tmp_path / 'best-4.npz'}\n" in out
    assert "\nEpoch 5: val_loss did not improve from 0.40000\n" in out
    assert checkpoint.best == 0.4


def test_checkpoint_auto_mode_follows_the_metric(tmp_path):
    x, y, _, _ = data()
    script = Script("val_mae", [0.5, 0.6, 0.4])  # mae goes down: epochs 1 and 3
    checkpoint = callbacks.ModelCheckpoint(
        tmp_path / "m-{epoch}.npz", monitor="val_mae", save_best_only=True
    )
    net(metrics=["mae"]).fit(
        x, y, epochs=3, verbose=0, validation_split=0.25, callbacks=[script, checkpoint]
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m-1.npz", "m-3.npz"]


def test_checkpoint_creates_the_folder_and_refuses_a_directory(tmp_path):
    x, y, _, _ = data()
    model = net()
    model.fit(
        x,
        y,
        epochs=1,
        verbose=0,
        callbacks=[callbacks.ModelCheckpoint(tmp_path / "a" / "b" / "m.npz", monitor="loss")],
    )
    assert (tmp_path / "a" / "b" / "m.npz").is_file()
    with pytest.raises(IsADirectoryError, match=r"non-directory filepath for ModelCheckpoint"):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[callbacks.ModelCheckpoint(tmp_path)])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"save_freq": 0}, r"save_freq must be 'epoch' or a whole number of batches >= 1, got 0"),
        ({"save_freq": "batch"}, r"save_freq must be"),
        ({"save_freq": True}, r"save_freq must be"),
        ({"mode": "maximum"}, r"mode must be 'auto', 'min' or 'max'"),
        ({"initial_value_threshold": "0.5"}, r"initial_value_threshold must be a finite number"),
    ],
)
def test_checkpoint_bad_arguments(tmp_path, kwargs, message):
    with pytest.raises(ValueError, match=message):
        callbacks.ModelCheckpoint(tmp_path / "m.npz", **kwargs)


def test_checkpoint_template_field_the_logs_lack(tmp_path):
    x, y, _, _ = data()
    checkpoint = callbacks.ModelCheckpoint(tmp_path / "m-{val_accuracy:.2f}.npz")
    with pytest.raises(ValueError, match=r"logs have no 'val_accuracy'; available: epoch, loss"):
        net().fit(x, y, epochs=1, verbose=0, callbacks=[checkpoint])


# -- EarlyStopping -------------------------------------------------------------------------------


def early_stop(values, epochs=None, **kwargs):
    """Fit with scripted val_loss values; return the History and the callback."""
    x, y, _, _ = data()
    stop = callbacks.EarlyStopping(monitor="val_loss", **kwargs)
    model = net()
    recorder = WeightRecorder()
    history = model.fit(
        x,
        y,
        epochs=epochs or len(values),
        verbose=0,
        validation_split=0.25,
        callbacks=[recorder, Script("val_loss", values), stop],
    )
    return history, stop, model, recorder


def test_early_stopping_baseline():
    rising = [1.0, 1.1, 1.2, 1.3, 1.4, 1.5]
    assert early_stop(rising, patience=2)[0].epoch == [0, 1, 2]
    # epoch 0 is the best but misses the baseline, so the wait is not restarted
    assert early_stop(rising, patience=2, baseline=0.5)[0].epoch == [0, 1]
    # epoch 1 beats the baseline: the wait restarts there
    history, stop, _, _ = early_stop([0.6, 0.4, 0.45, 0.42, 0.41, 0.3], patience=2, baseline=0.5)
    assert history.epoch == [0, 1, 2, 3]
    assert (stop.stopped_epoch, stop.best, stop.best_epoch) == (3, 0.4, 1)


def test_early_stopping_start_from_epoch():
    rising = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]
    assert early_stop(rising, patience=1)[0].epoch == [0, 1]
    history, stop, _, _ = early_stop(rising, patience=1, start_from_epoch=3)
    assert history.epoch == [0, 1, 2, 3, 4]  # epochs 0-2 not watched; best 4.0 at epoch 3
    assert (stop.best, stop.best_epoch) == (4.0, 3)


def test_early_stopping_restores_the_best_even_without_stopping(capsys):
    history, stop, model, recorder = early_stop(
        [0.5, 0.3, 0.4, 0.45], patience=10, restore_best_weights=True, verbose=1
    )
    assert history.epoch == [0, 1, 2, 3] and stop.stopped_epoch == 0
    assert same(model.get_weights(), recorder.weights[1])
    out = capsys.readouterr().out
    assert "early stopping" not in out
    assert "Restoring model weights from the end of the best epoch: 2.\n" in out


def test_early_stopping_restores_the_first_watched_epoch_when_nothing_beats_it(capsys):
    history, stop, model, recorder = early_stop(
        [0.1, 0.2, 0.9, 0.8, 0.7, 0.75],
        patience=1,
        start_from_epoch=2,
        restore_best_weights=True,
        verbose=1,
    )
    # watched from epoch 2 (0.9): 0.8 and 0.7 improve, 0.75 does not → stop at epoch 5
    assert history.epoch == [0, 1, 2, 3, 4, 5]
    assert stop.stopped_epoch == 5
    assert same(model.get_weights(), recorder.weights[4])
    out = capsys.readouterr().out
    assert "Epoch 6: early stopping\n" in out
    assert "best epoch: 5." in out


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"patience": -1}, r"patience must be a whole number >= 0, got -1"),
        ({"start_from_epoch": "3"}, r"start_from_epoch must be a whole number >= 0, got '3'"),
        ({"baseline": float("nan")}, r"baseline must be a finite number or None, got nan"),
        ({"min_delta": None}, r"min_delta must be a finite number, got None"),
    ],
)
def test_early_stopping_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        callbacks.EarlyStopping(**kwargs)


# -- TerminateOnNaN ------------------------------------------------------------------------------


class BadBatch(callbacks.Callback):
    """Writes an infinite loss into the logs of batch 1."""

    def on_train_batch_end(self, batch, logs=None):
        if batch == 1:
            logs["loss"] = math.inf


def test_terminate_on_nan_stops_on_a_non_finite_batch_loss(capsys):
    x, y, _, _ = data()
    history = net().fit(
        x, y, epochs=5, batch_size=8, verbose=0, callbacks=[BadBatch(), callbacks.TerminateOnNaN()]
    )
    assert history.epoch == [0]
    assert "Batch 1: Invalid loss, terminating training" in capsys.readouterr().out
    with pytest.raises(RuntimeError, match=r"NaN or Inf loss encountered at batch 1"):
        net().fit(
            x,
            y,
            epochs=5,
            batch_size=8,
            verbose=0,
            callbacks=[BadBatch(), callbacks.TerminateOnNaN(raise_error=True)],
        )


# -- parity with Keras 3 -------------------------------------------------------------------------


def pair(keras, learning_rate=0.1):
    """The same 4 → 3 (tanh) → 1 network in Keras and glassnet, from Keras's weights (seeded
    so that the validation loss falls to a minimum at epoch 2, then rises)."""
    keras.utils.set_random_seed(1)
    k_model = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(3, activation="tanh"), keras.layers.Dense(1)]
    )
    k_model.compile(optimizer=keras.optimizers.SGD(learning_rate), loss="mse")
    g_model = net(optimizer=optimizers.SGD(learning_rate))
    g_model.set_weights(k_model.get_weights())
    return k_model, g_model


def assert_same(k_model, g_model, k_hist, g_hist):
    for k_w, g_w in zip(k_model.get_weights(), g_model.get_weights(), strict=True):
        np.testing.assert_allclose(g_w, k_w, rtol=0, atol=1e-12)
    assert set(g_hist.history) == set(k_hist.history)
    assert g_hist.epoch == k_hist.epoch
    for key in k_hist.history:
        np.testing.assert_allclose(
            g_hist.history[key], k_hist.history[key], rtol=1e-12, err_msg=key
        )


FIT = {"batch_size": 8, "epochs": 12, "shuffle": False, "verbose": 0}


@pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")
def test_scheduler_matches_keras(float64, keras_float64):
    keras = keras_float64
    x, y, xv, yv = data()
    k_model, g_model = pair(keras)

    def schedule(epoch, lr):
        return lr if epoch < 3 else lr * 0.8

    k_hist = k_model.fit(
        x,
        y,
        validation_data=(xv, yv),
        callbacks=[keras.callbacks.LearningRateScheduler(schedule)],
        **FIT,
    )
    g_hist = g_model.fit(
        x,
        y,
        validation_data=(xv, yv),
        callbacks=[callbacks.LearningRateScheduler(schedule)],
        **FIT,
    )
    assert "learning_rate" in k_hist.history
    assert_same(k_model, g_model, k_hist, g_hist)


@pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")
def test_reduce_on_plateau_matches_keras(float64, keras_float64):
    keras = keras_float64
    x, y, xv, yv = data()
    k_model, g_model = pair(keras)
    options = {"monitor": "val_loss", "factor": 0.5, "patience": 1, "cooldown": 1, "min_lr": 0.01}
    k_hist = k_model.fit(
        x,
        y,
        validation_data=(xv, yv),
        callbacks=[keras.callbacks.ReduceLROnPlateau(**options)],
        **FIT,
    )
    g_hist = g_model.fit(
        x, y, validation_data=(xv, yv), callbacks=[callbacks.ReduceLROnPlateau(**options)], **FIT
    )
    assert len(set(k_hist.history["learning_rate"])) >= 3  # the scenario reduces, to min_lr
    assert_same(k_model, g_model, k_hist, g_hist)


@pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")
def test_early_stopping_restoring_the_best_matches_keras(float64, keras_float64):
    keras = keras_float64
    x, y, xv, yv = data()
    k_model, g_model = pair(keras)
    options = {"monitor": "val_loss", "patience": 2, "restore_best_weights": True}
    k_stop = keras.callbacks.EarlyStopping(**options)
    g_stop = callbacks.EarlyStopping(**options)
    k_hist = k_model.fit(x, y, validation_data=(xv, yv), callbacks=[k_stop], **FIT)
    g_hist = g_model.fit(x, y, validation_data=(xv, yv), callbacks=[g_stop], **FIT)
    assert (k_stop.best_epoch, k_stop.stopped_epoch) == (2, 4)  # the scenario: stopped early
    assert (g_stop.best_epoch, g_stop.stopped_epoch) == (k_stop.best_epoch, k_stop.stopped_epoch)
    assert_same(k_model, g_model, k_hist, g_hist)


@pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")
@pytest.mark.parametrize("validation", [True, False])
def test_csv_logger_writes_the_keras_header(float64, keras_float64, tmp_path, validation):
    keras = keras_float64
    x, y, xv, yv = data()
    k_model, g_model = pair(keras)
    extra = {"validation_data": (xv, yv)} if validation else {}
    fit = {**FIT, "epochs": 3, **extra}
    k_model.fit(
        x,
        y,
        callbacks=[
            keras.callbacks.LearningRateScheduler(lambda e, lr: lr),
            keras.callbacks.CSVLogger(os.fspath(tmp_path / "k.csv")),
        ],
        **fit,
    )
    g_model.fit(
        x,
        y,
        callbacks=[
            callbacks.LearningRateScheduler(lambda e, lr: lr),
            callbacks.CSVLogger(tmp_path / "g.csv"),
        ],
        **fit,
    )
    k_rows, g_rows = read_csv(tmp_path / "k.csv"), read_csv(tmp_path / "g.csv")
    assert g_rows[0] == k_rows[0]
    assert len(g_rows) == len(k_rows) == 4
    for k_row, g_row in zip(k_rows[1:], g_rows[1:], strict=True):
        assert [c == "NA" for c in g_row] == [c == "NA" for c in k_row]
        numbers = [i for i, c in enumerate(k_row) if c != "NA"]
        np.testing.assert_allclose(
            [float(g_row[i]) for i in numbers], [float(k_row[i]) for i in numbers], rtol=1e-12
        )
