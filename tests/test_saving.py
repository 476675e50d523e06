"""Saving and loading: bit-identical round trips, exact resumption, safe and atomic files."""

import json
import os
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest

import glassnet
from glassnet import layers, models, optimizers

OPTIMIZERS = {
    "sgd_momentum": lambda: optimizers.SGD(learning_rate=0.05, momentum=0.9),
    "sgd_nesterov": lambda: optimizers.SGD(learning_rate=0.05, momentum=0.9, nesterov=True),
    "rmsprop": lambda: optimizers.RMSprop(learning_rate=0.01),
    "adam": lambda: optimizers.Adam(learning_rate=0.01),
}


def make_data(n=40, features=4, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, features))
    y = np.eye(classes)[rng.integers(0, classes, n)]
    return x, y


def trained_model(optimizer="adam", dropout=False, epochs=2, seed=3):
    x, y = make_data()
    glassnet.set_seed(seed)
    stack = [layers.Dense(8, activation="relu", input_shape=(4,))]
    if dropout:
        stack.append(layers.Dropout(0.3))
    stack.append(layers.Dense(3, activation="softmax"))
    model = models.Sequential(stack)
    model.compile(
        optimizer=OPTIMIZERS[optimizer](), loss="categorical_crossentropy", metrics=["accuracy"]
    )
    model.fit(x, y, epochs=epochs, batch_size=8, verbose=0)
    return model


def assert_same_weights(a, b):
    wa, wb = a.get_weights(), b.get_weights()
    assert len(wa) == len(wb)
    for u, v in zip(wa, wb, strict=True):
        assert u.dtype == v.dtype
        assert u.shape == v.shape
        assert np.array_equal(u, v)


# -- round trips -------------------------------------------------------------------------------


@pytest.mark.parametrize("floatx", ["float32", "float64"])
@pytest.mark.parametrize("optimizer", sorted(OPTIMIZERS))
def test_save_load_gives_bit_identical_predictions(tmp_path, floatx, optimizer):
    glassnet.set_floatx(floatx)
    model = trained_model(optimizer)
    x, _ = make_data(seed=1)
    path = tmp_path / "model.glassnet"
    model.save(path)
    loaded = models.load_model(path)
    assert_same_weights(model, loaded)
    before, after = model.predict(x), loaded.predict(x)
    assert after.dtype == np.dtype(floatx)
    assert np.array_equal(before, after)
    assert loaded.name == model.name
    assert [layer.name for layer in loaded.layers] == [layer.name for layer in model.layers]
    assert loaded.compiled
    assert type(loaded.optimizer) is type(model.optimizer)
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    assert loaded.metric_names == ["accuracy"]


@pytest.mark.parametrize("floatx", ["float32", "float64"])
@pytest.mark.parametrize("optimizer", sorted(OPTIMIZERS))
@pytest.mark.parametrize("dropout", [False, True])
def test_training_continues_identically_after_load(tmp_path, floatx, optimizer, dropout):
    """The contract: optimizer state, shuffle generator and dropout generator are all saved."""
    glassnet.set_floatx(floatx)
    model = trained_model(optimizer, dropout=dropout)
    path = tmp_path / "model.npz"
    model.save(path)
    loaded = models.load_model(path)
    assert loaded.optimizer.iterations == model.optimizer.iterations == 10  # 2 epochs · 5 steps

    x, y = make_data()
    h1 = model.fit(x, y, epochs=1, batch_size=8, shuffle=True, verbose=0)
    h2 = loaded.fit(x, y, epochs=1, batch_size=8, shuffle=True, verbose=0)
    assert h1.history == h2.history
    assert_same_weights(model, loaded)
    assert loaded.optimizer.iterations == 15


def test_continuation_would_differ_without_the_saved_state(tmp_path):
    # Guards the test above: a fresh optimizer (no slots) on the same weights gives other weights,
    # so bit-identity after load really needs the saved state.
    model = trained_model("adam")
    path = tmp_path / "model.npz"
    model.save(path)
    loaded = models.load_model(path)
    loaded.compile(optimizer=optimizers.Adam(learning_rate=0.01), loss="categorical_crossentropy")
    x, y = make_data()
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    loaded.fit(x, y, epochs=1, batch_size=8, verbose=0)
    assert not all(
        np.array_equal(a, b) for a, b in zip(model.get_weights(), loaded.get_weights(), strict=True)
    )


def test_float64_model_keeps_its_predictions_when_loaded_in_a_float32_session(tmp_path):
    glassnet.set_floatx("float64")
    model = trained_model("adam")
    x, _ = make_data(seed=1)
    expected = model.predict(x)
    assert expected.dtype == np.float64
    path = tmp_path / "model.npz"
    model.save(path)
    glassnet.set_floatx("float32")
    loaded = models.load_model(path)
    assert all(w.dtype == np.float64 for w in loaded.get_weights())
    got = loaded.predict(x)
    assert got.dtype == np.float64
    assert np.array_equal(got, expected)


def test_uncompiled_built_model_saves_and_loads(tmp_path):
    glassnet.set_seed(0)
    model = models.Sequential([layers.Dense(3, activation="tanh", input_shape=(2,))])
    path = tmp_path / "raw.npz"
    model.save(path)
    loaded = models.load_model(path)
    assert_same_weights(model, loaded)
    assert not loaded.compiled
    assert loaded.optimizer is None and loaded.loss is None
    assert loaded.layers[0].activation.name == "tanh"
    x = np.array([[0.5, -1.0], [2.0, 0.25]])
    assert np.array_equal(model.predict(x), loaded.predict(x))


def test_saving_an_unbuilt_model_is_an_error(tmp_path):
    model = models.Sequential([layers.Dense(3)])
    path = tmp_path / "unbuilt.npz"
    with pytest.raises(ValueError, match=r"'sequential' is not built.*input_shape"):
        model.save(path)
    assert not path.exists()
    assert list(tmp_path.iterdir()) == []


def test_file_holds_no_pickle(tmp_path):
    model = trained_model("adam", dropout=True)
    path = tmp_path / "model.npz"
    model.save(path)
    assert zipfile.is_zipfile(path)
    with np.load(path, allow_pickle=False) as archive:
        names = archive.files
        assert "header" in names
        for name in names:
            value = archive[name]  # raises ValueError if the entry were a pickled object array
            assert value.dtype != object
        header = json.loads(archive["header"].tobytes().decode("utf-8"))
    assert header["format"] == "glassnet-model"
    # Weights: 2 kernels + 2 biases; Adam: momentum and velocity for each of the 4 parameters.
    assert sum(n.startswith("weights/") for n in names) == 4
    assert sum(n.startswith("optimizer/") for n in names) == 8


# -- bad files ---------------------------------------------------------------------------------


def test_missing_file_names_the_path(tmp_path):
    path = tmp_path / "nowhere" / "model.npz"
    with pytest.raises(FileNotFoundError, match=r"nowhere.*model\.npz"):
        models.load_model(path)


def _good_file(tmp_path):
    glassnet.set_seed(0)
    model = models.Sequential([layers.Dense(3, input_shape=(2,))])
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.ones((4, 2)), np.zeros((4, 3)), epochs=1, verbose=0)
    path = tmp_path / "good.npz"
    model.save(path)
    return path


NOT_READABLE = r"is not a readable glassnet model file"


def test_truncated_file(tmp_path):
    data = _good_file(tmp_path).read_bytes()
    bad = tmp_path / "truncated.npz"
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match=r"truncated\.npz.*" + NOT_READABLE):
        models.load_model(bad)


def test_random_bytes_file(tmp_path):
    bad = tmp_path / "random.npz"
    bad.write_bytes(np.random.default_rng(0).bytes(500))
    with pytest.raises(ValueError, match=NOT_READABLE):
        models.load_model(bad)


def test_empty_file(tmp_path):
    bad = tmp_path / "empty.npz"
    bad.write_bytes(b"")
    with pytest.raises(ValueError, match=NOT_READABLE):
        models.load_model(bad)


def test_text_file(tmp_path):
    bad = tmp_path / "notes.txt"
    bad.write_text("this is not a model\n")
    with pytest.raises(ValueError, match=NOT_READABLE):
        models.load_model(bad)


def test_npz_without_header(tmp_path):
    bad = tmp_path / "plain.npz"
    np.savez(bad, weights=np.zeros(3))
    with pytest.raises(ValueError, match=NOT_READABLE + r".*no glassnet header"):
        models.load_model(bad)


def test_single_npy_array_file(tmp_path):
    bad = tmp_path / "array.npy"
    np.save(bad, np.zeros(3))
    with pytest.raises(ValueError, match=NOT_READABLE):
        models.load_model(bad)


def _rewrite_header(source, target, change):
    with np.load(source) as archive:
        items = {name: archive[name] for name in archive.files}
    header = json.loads(items["header"].tobytes())
    new = change(header)
    raw = new if isinstance(new, bytes) else json.dumps(new).encode()
    items["header"] = np.frombuffer(raw, dtype=np.uint8)
    np.savez(target, **items)


@pytest.mark.parametrize(
    ("case", "change", "msg"),
    [
        ("format", lambda h: {**h, "format": "other"}, r"format is 'other'"),
        ("version", lambda h: {**h, "version": 99}, r"version 99"),
        ("not_json", lambda h: b"{not json", NOT_READABLE),
        ("not_a_dict", lambda h: b"[1, 2]", NOT_READABLE),
        ("no_model", lambda h: {k: v for k, v in h.items() if k != "model"}, NOT_READABLE),
    ],
)
def test_damaged_header(tmp_path, case, change, msg):
    bad = tmp_path / f"{case}.npz"
    _rewrite_header(_good_file(tmp_path), bad, change)
    with pytest.raises(ValueError, match=msg):
        models.load_model(bad)


def test_missing_weight_arrays(tmp_path):
    good = _good_file(tmp_path)
    with np.load(good) as archive:
        header = archive["header"]
    bad = tmp_path / "noweights.npz"
    np.savez(bad, header=header)
    with pytest.raises(ValueError, match=r"missing weight arrays"):
        models.load_model(bad)


class _Payload:
    """Unpickling this creates a marker file: proof that the loader ran pickled code."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_payload_would_run_if_unpickled(tmp_path):
    # Guards the safety test below: the payload really does write its marker when unpickled.
    marker = tmp_path / "armed"
    pickle.loads(pickle.dumps(_Payload(marker))).close()
    assert marker.exists()


@pytest.mark.parametrize("slot", ["weights/0", "extra"])
def test_pickled_object_arrays_are_never_unpickled(tmp_path, slot):
    good = _good_file(tmp_path)
    marker = tmp_path / "pwned"
    with np.load(good) as archive:
        items = {name: archive[name] for name in archive.files}
    evil = np.empty(1, dtype=object)
    evil[0] = _Payload(marker)
    items[slot] = evil
    bad = tmp_path / "evil.npz"
    np.savez(bad, **items)  # numpy pickles object arrays into the archive
    with pytest.raises(ValueError, match=NOT_READABLE):
        models.load_model(bad)
    assert not marker.exists(), "loading ran code from a pickle inside the file"


# -- atomic save -------------------------------------------------------------------------------


def _failing(*args, **kwargs):
    raise OSError("disk full (simulated)")


@pytest.mark.parametrize("target", ["savez", "replace"])
def test_failed_save_leaves_the_previous_file_and_no_temp_file(tmp_path, monkeypatch, target):
    path = _good_file(tmp_path)
    original = path.read_bytes()
    listing = sorted(p.name for p in tmp_path.iterdir())

    glassnet.set_seed(5)
    other = models.Sequential([layers.Dense(3, input_shape=(2,))])
    if target == "savez":
        monkeypatch.setattr(np, "savez", _failing)
    else:
        monkeypatch.setattr(os, "replace", _failing)
    with pytest.raises(OSError, match=r"disk full"):
        other.save(path)
    monkeypatch.undo()

    assert path.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == listing
    reloaded = models.load_model(path)
    assert reloaded.compiled  # still the earlier, compiled model


def test_save_overwrites_an_existing_file(tmp_path):
    path = _good_file(tmp_path)
    glassnet.set_seed(9)
    other = models.Sequential([layers.Dense(3, input_shape=(2,))])
    other.save(path)
    reloaded = models.load_model(path)
    assert_same_weights(other, reloaded)
    assert not reloaded.compiled
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.npz"]


def test_save_accepts_str_and_path(tmp_path):
    model = trained_model("sgd_momentum")
    model.save(str(tmp_path / "a.npz"))
    model.save(Path(tmp_path / "b.npz"))
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()


# -- weights only, and the architecture as JSON (Keras's save_weights / to_json) ---------------


def _two_layer(seed=0):
    glassnet.set_seed(seed)
    model = models.Sequential(
        [
            layers.Dense(4, activation="relu", input_shape=(3,)),
            layers.Dense(2, activation="softmax"),
        ]
    )
    model.compile("adam", "categorical_crossentropy")
    return model


def test_save_weights_and_load_weights_round_trip(tmp_path):
    source, target = _two_layer(0), _two_layer(1)
    assert not np.array_equal(source.get_weights()[0], target.get_weights()[0])
    source.save_weights(tmp_path / "w.weights.npz")
    target.load_weights(tmp_path / "w.weights.npz")
    for a, b in zip(source.get_weights(), target.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    x = np.ones((2, 3), dtype=np.float32)
    np.testing.assert_array_equal(source.predict(x), target.predict(x))


def test_load_weights_from_another_architecture_says_which_shapes_differ(tmp_path):
    _two_layer().save_weights(tmp_path / "w.npz")
    other = models.Sequential([layers.Dense(5, input_shape=(3,))])
    before = other.get_weights()
    with pytest.raises(ValueError, match=r"holds 4 weight arrays of shapes .*has 2 of shapes"):
        other.load_weights(tmp_path / "w.npz")
    np.testing.assert_array_equal(other.get_weights()[0], before[0])
    with pytest.raises(ValueError, match="not built yet"):
        models.Sequential([layers.Dense(5)]).load_weights(tmp_path / "w.npz")
    (tmp_path / "junk.npz").write_bytes(b"not an archive")
    with pytest.raises(ValueError, match="not a readable glassnet weights file"):
        other.load_weights(tmp_path / "junk.npz")


def test_to_json_and_model_from_json_rebuild_the_architecture():
    model = _two_layer()
    text = model.to_json()
    config = json.loads(text)
    assert config["class_name"] == "Sequential"
    assert config["config"]["layers"][0]["config"]["activation"] == "relu"  # Keras's form
    rebuilt = models.model_from_json(text)
    assert [type(layer).__name__ for layer in rebuilt.layers] == ["Dense", "Dense"]
    assert rebuilt.count_params() == model.count_params() == 26
    assert rebuilt.layers[1].activation.name == "softmax"

    inputs = glassnet.Input(shape=(3,))
    h = layers.Dense(4, activation="tanh")(inputs)
    functional = glassnet.Model(inputs, [layers.Dense(1)(h), layers.Dense(2)(layers.Add()([h, h]))])
    again = models.model_from_json(functional.to_json())
    assert [t.shape for t in again.outputs] == [(None, 1), (None, 2)]
    with pytest.raises(ValueError, match="not a model's JSON"):
        models.model_from_json("[1, 2]")


def test_files_with_the_old_activation_form_still_load():
    config = {"units": 2, "activation": {"name": "tanh", "config": {}}, "name": "old"}
    layer = layers.deserialize({"class_name": "Dense", "config": config})
    assert layer.activation.name == "tanh"
