"""The Normalization layer, and CSV files through the real ``glassnet train`` and ``glassnet
predict`` commands: separators, dropped columns, any class labels, and a saved model that takes
raw rows in a new process."""

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import glassnet as gn
from glassnet import layers
from glassnet.gradcheck import numerical_gradient, relative_error

# -- the Normalization layer ----------------------------------------------------------------


def test_normalization_adapts_population_statistics_and_standardises(float64):
    layer = layers.Normalization()
    layer.adapt(np.array([[1.0, 10.0], [3.0, 10.0], [5.0, 10.0]]))
    # μ = [3, 10]; σ² = mean of squared deviations = [(4 + 0 + 4)/3, 0] (population variance)
    np.testing.assert_array_equal(layer.get_weights()[0], [3.0, 10.0])
    np.testing.assert_allclose(layer.get_weights()[1], [8 / 3, 0.0], rtol=1e-15)
    out = layer(np.array([[7.0, 10.5]]))
    # (7 − 3)/√(8/3), and the constant column divides by ε = 1e-7: 0.5/1e-7 = 5e6
    np.testing.assert_allclose(out, [[4 / np.sqrt(8 / 3), 5e6]], rtol=1e-12)
    inverse = layers.Normalization(invert=True, mean=[3.0, 10.0], variance=[4.0, 0.0])
    np.testing.assert_allclose(inverse(np.array([[1.0, 2.0]])), [[5.0, 10.0000002]], rtol=1e-15)


@pytest.mark.parametrize("invert", [False, True])
def test_normalization_gradient_matches_finite_differences(float64, invert):
    rng = np.random.default_rng(3)
    layer = layers.Normalization(invert=invert)
    layer.adapt(rng.normal(2.0, 3.0, size=(20, 4)))
    x = rng.normal(size=(5, 4))
    upstream = rng.normal(size=(5, 4))
    x_var = gn.Variable(x.copy(), "x")
    with gn.Tape() as tape:
        out = layer(x_var, training=True)
    tape.backward([(out, upstream)])
    numeric = numerical_gradient(lambda: float(np.sum(upstream * layer(x))), x)
    assert relative_error(x_var.grad, numeric) < 1e-8
    std = np.sqrt(layer.get_weights()[1])
    np.testing.assert_allclose(x_var.grad, upstream * std if invert else upstream / std)
    assert all(w.grad is None for w in layer.weights)  # the statistics are not trained


@pytest.mark.parametrize(
    ("shape", "axis"), [((30, 5), -1), ((30, 5), None), ((12, 3, 4), (1, 2)), ((12, 3, 4), 1)]
)
@pytest.mark.parametrize("invert", [False, True])
def test_normalization_matches_keras_after_adapt(keras_float64, float64, shape, axis, invert):
    keras = keras_float64
    rng = np.random.default_rng(7)
    data = rng.normal(1.5, 2.0, size=shape)
    data[:, 0] = 4.0  # a constant feature: Keras's max(√σ², ε) floor
    x = rng.normal(size=(6, *shape[1:]))
    k_layer = keras.layers.Normalization(axis=axis, invert=invert)
    k_layer.adapt(data)
    g_layer = layers.Normalization(axis=axis, invert=invert)
    g_layer.adapt(data)
    expected = keras.ops.convert_to_numpy(k_layer(x))
    np.testing.assert_allclose(g_layer(x), expected, rtol=1e-12, atol=1e-12)
    k_mean, k_var = (keras.ops.convert_to_numpy(w) for w in k_layer.weights[:2])
    np.testing.assert_allclose(g_layer.get_weights()[0], k_mean, rtol=1e-15)
    np.testing.assert_allclose(g_layer.get_weights()[1], k_var, rtol=1e-15)


def test_normalization_with_given_statistics_matches_keras(keras_float64, float64):
    keras = keras_float64
    x = np.random.default_rng(8).normal(size=(4, 3, 2))
    mean, variance = [0.5, -1.0], [4.0, 0.25]  # aligned with the last kept axis, as Keras
    k_out = keras.layers.Normalization(axis=(1, 2), mean=mean, variance=variance)(x)
    g_out = layers.Normalization(axis=(1, 2), mean=mean, variance=variance)(x)
    np.testing.assert_allclose(g_out, keras.ops.convert_to_numpy(k_out), rtol=1e-12, atol=1e-12)


def test_normalization_is_saved_and_loaded_bit_for_bit(tmp_path):
    rng = np.random.default_rng(9)
    data = rng.normal(100.0, 30.0, size=(64, 3)).astype(np.float32)
    model = gn.Sequential([gn.Input((3,)), layers.Normalization(), layers.Dense(2)])
    model.layers[0].adapt(data)
    model.save(tmp_path / "m.glassnet")
    loaded = gn.models.load_model(tmp_path / "m.glassnet")
    assert type(loaded.layers[0]).__name__ == "Normalization"
    for a, b in zip(model.get_weights(), loaded.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(model.predict(data, verbose=0), loaded.predict(data, verbose=0))
    assert model.count_params() == 3 + 3 + 3 * 2 + 2  # μ and σ² are non-trainable weights


def test_normalization_bad_arguments():
    with pytest.raises(ValueError, match="both mean and variance, or neither"):
        layers.Normalization(mean=[1.0])
    with pytest.raises(ValueError, match="was given mean and variance"):
        layers.Normalization(mean=[1.0], variance=[1.0]).adapt(np.ones((2, 1)))
    layer = layers.Normalization()
    layer.adapt(np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"adapt\(\) got data of shape \(4, 2\)"):
        layer.adapt(np.ones((4, 2)))


# -- CSV files through the command ------------------------------------------------------------


def glassnet(*args, cwd=None):
    exe = shutil.which("glassnet")
    command = (
        [exe]
        if exe
        else [sys.executable, "-c", "from glassnet.cli import entry_point; entry_point()"]
    )
    env = {**os.environ, "MPLBACKEND": "Agg"}
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=600
    )


def train(tmp_path, data, *options, epochs="20"):
    result = glassnet(
        "train", "--data", data, "--epochs", epochs, "--out", "r", *options, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    return json.loads((tmp_path / "r" / "train.json").read_text())


def one_line_error(result, *fragments):
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.fixture
def breast_cancer(tmp_path):
    """scikit-learn's breast-cancer table as a semicolon file with an ID column."""
    from sklearn.datasets import load_breast_cancer

    frame = load_breast_cancer(as_frame=True).frame.rename(columns={"target": "label"})
    frame.insert(0, "id", np.arange(1000, 1000 + len(frame)))
    frame.to_csv(tmp_path / "bc.csv", sep=";", index=False)
    return frame


def test_model_trained_on_a_semicolon_csv_predicts_raw_rows_in_a_new_process(
    tmp_path, breast_cancer
):
    report = train(tmp_path, "bc.csv", "--drop", "id", "--layers", "64,32", "--save", "bc.glassnet")
    accuracy = report["data"]["test_accuracy"]
    assert accuracy > 0.93
    # the test rows, raw, as the training run split them (80/20, stratified, random_state=0)
    script = """
import sys, numpy as np, pandas as pd
from sklearn.model_selection import train_test_split
from glassnet.models import load_model
frame = pd.read_csv("bc.csv", sep=";")
x = frame.drop(columns=["id", "label"]).to_numpy(np.float32)
y = frame["label"].to_numpy()
_, x_test, _, y_test = train_test_split(x, y, test_size=0.2, stratify=y, random_state=0)
pd.concat([pd.DataFrame(x_test, columns=frame.columns[1:-1]), pd.Series(y_test, name="label")],
          axis=1).to_csv("test_rows.csv", index=False)
model = load_model("bc.glassnet")
print((model.predict(x_test, verbose=0).argmax(axis=1) == y_test).mean())
"""
    fresh = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path
    )
    assert fresh.returncode == 0, fresh.stderr
    n_test = 114
    assert abs(float(fresh.stdout) - accuracy) <= 1 / n_test + 1e-9
    # the same through glassnet predict, on the raw rows written with commas
    result = glassnet(
        "predict",
        "--model",
        "bc.glassnet",
        "--data",
        "test_rows.csv",
        "--out",
        "p.csv",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    predictions = pd.read_csv(tmp_path / "p.csv")
    assert list(predictions.columns) == ["prediction"] and len(predictions) == n_test
    rows = pd.read_csv(tmp_path / "test_rows.csv")
    measured = (predictions["prediction"].to_numpy() == rows["label"].to_numpy()).mean()
    assert abs(measured - accuracy) <= 1 / n_test + 1e-9
    assert f"Accuracy {measured:.2%} on {n_test} rows" in result.stdout


def test_string_labels_come_back_as_names(tmp_path):
    from sklearn.datasets import load_iris

    iris = load_iris(as_frame=True)
    frame = iris.data.copy()
    frame["species"] = iris.target_names[iris.target]
    frame.to_csv(tmp_path / "iris.csv", index=False)
    report = train(
        tmp_path,
        "iris.csv",
        "--target",
        "species",
        "--layers",
        "16",
        "--batch-size",
        "8",
        "--lr",
        "0.01",
        "--save",
        "iris.glassnet",
        epochs="40",
    )
    assert report["settings"]["classes"] == ["setosa", "versicolor", "virginica"]
    assert report["data"]["test_accuracy"] > 0.85
    frame.drop(columns="species").to_csv(tmp_path / "rows.csv", index=False)
    result = glassnet(
        "predict", "--model", "iris.glassnet", "--data", "rows.csv", "--proba", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0] == (
        "prediction,probability_setosa,probability_versicolor,probability_virginica"
    )
    assert len(lines) == 1 + 150
    predicted = [line.split(",")[0] for line in lines[1:]]
    assert set(predicted) <= {"setosa", "versicolor", "virginica"}
    assert np.mean(np.array(predicted) == frame["species"].to_numpy()) > 0.85
    assert "Accuracy" not in result.stdout  # no target column in rows.csv


def _two_blobs(tmp_path, labels, name):
    """300 separable rows whose label column is written as given (e.g. "0.0"/"1.0", 0/5)."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 3))
    side = (x[:, 0] + x[:, 1] > 0).astype(int)
    lines = ["a,b,c,label"] + [
        ",".join(f"{v:.5f}" for v in row) + f",{labels[s]}" for row, s in zip(x, side, strict=True)
    ]
    (tmp_path / name).write_text("\n".join(lines) + "\n")
    return side


@pytest.mark.parametrize(("labels", "expected"), [(("0.0", "1.0"), [0, 1]), (("0", "5"), [0, 5])])
def test_numeric_labels_are_mapped_to_classes_and_back(tmp_path, labels, expected):
    side = _two_blobs(tmp_path, labels, "data.csv")
    report = train(
        tmp_path,
        "data.csv",
        "--layers",
        "8",
        "--batch-size",
        "16",
        "--lr",
        "0.01",
        "--save",
        "m.glassnet",
    )
    assert report["settings"]["classes"] == expected
    assert report["data"]["test_accuracy"] > 0.9
    assert len(report["data"]["confusion"]) == 2  # two output units, not max label + 1
    model = gn.models.load_model(tmp_path / "m.glassnet")
    assert model.output_shape == (None, 2)
    result = glassnet("predict", "--model", "m.glassnet", "--data", "data.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    predicted = np.array([int(v) for v in result.stdout.split()[1:]])
    assert set(predicted) <= set(expected)
    assert np.mean(predicted == np.array(expected)[side]) > 0.9
    assert "Accuracy" in result.stderr  # the table went to stdout, the accuracy aside


def test_bad_csv_options_are_one_line_errors(tmp_path):
    _two_blobs(tmp_path, ("0", "1"), "data.csv")
    one_line_error(
        glassnet("train", "--data", "data.csv", "--drop", "id", "--out", "r", cwd=tmp_path),
        "no column 'id' to drop",
        "columns found: 'a', 'b', 'c', 'label'",
    )
    one_line_error(
        glassnet("train", "--data", "data.csv", "--sep", "|", "--out", "r", cwd=tmp_path),
        "separator '|' splits nothing",
    )
    one_line_error(
        glassnet("train", "--data", "data.csv", "--sep", "ab", "--out", "r", cwd=tmp_path),
        "sep must be one character",
    )
    (tmp_path / "frac.csv").write_text("a,label\n1,0.5\n2,1.5\n")
    one_line_error(
        glassnet("train", "--data", "frac.csv", "--out", "r", cwd=tmp_path),
        "must hold class labels",
        "0.5",
    )
    one_line_error(
        glassnet("predict", "--model", "absent.glassnet", "--data", "data.csv", cwd=tmp_path),
        "absent.glassnet",
    )
