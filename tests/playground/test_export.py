import ast
import copy
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import glassnet
from glassnet.playground import protocol
from glassnet.playground.protocol import ProtocolError
from glassnet.playground.session import Session
from tests.playground.paper_preset import PAPER

SOURCE = str(Path(glassnet.__file__).parents[1])


def make(**changes):
    c = copy.deepcopy(protocol.DEFAULT_CONFIG)
    c.update(changes)
    return Session(protocol.validate_config(c))


def run_export(session, tmp_path):
    """Run the exported script in a fresh interpreter; its final weights."""
    code = session.handle({"type": "export"})[0]["code"]
    out = tmp_path / "weights.npz"
    script = tmp_path / "run.py"
    script.write_text(code + f"\nnp.savez({str(out)!r}, *model.get_weights())\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([SOURCE, os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    with np.load(out) as saved:
        return [saved[f"arr_{i}"] for i in range(len(saved.files))], result.stdout, code


def assert_same_weights(session, weights):
    mine = session.main.model.get_weights()
    assert len(mine) == len(weights)
    for a, b in zip(mine, weights, strict=True):
        assert a.dtype == b.dtype and np.array_equal(a, b)


def test_default_run_is_reproduced_bit_for_bit(tmp_path):
    session = make(dataset="spiral", noise=10)
    for _ in range(4):
        session.train_epoch()
    weights, stdout, code = run_export(session, tmp_path)
    assert_same_weights(session, weights)
    assert "EPOCHS = 4" in code and "playground.spiral(" in code
    assert f"test loss {session.main.series.test_loss[-1]:.4f}" in stdout


def test_live_changes_are_replayed(tmp_path):
    session = make(
        dataset="circle",
        regularization="l2",
        regularization_rate=0.001,
        optimizer="adam",
        learning_rate=0.01,
        features=["x1", "x2", "x1^2", "sin_x2"],
    )
    session.train_epoch()
    session.train_epoch()
    session.handle({"type": "set", "key": "learning_rate", "value": 0.05})
    session.handle({"type": "set_weight", "layer": 0, "row": 2, "col": 3, "value": -1.25})
    session.handle({"type": "add_point", "x": [0.5, -0.25], "label": 1})
    session.train_epoch()
    session.handle({"type": "set", "key": "batch_size", "value": 7})
    session.handle({"type": "set", "key": "regularization_rate", "value": 0.01})
    session.handle({"type": "add_point", "x": [-3.0, 4.0], "label": 0})
    session.train_epoch()
    session.handle({"type": "set_weight", "layer": 1, "bias": 1, "value": 0.5})  # after the last
    weights, _, code = run_export(session, tmp_path)
    assert_same_weights(session, weights)
    assert "model.optimizer.learning_rate = 0.05" in code and "batch_size = 7" in code
    assert "layer.kernel_regularizer.l2 = 0.01" in code


def test_points_added_before_a_reset_travel_as_literal_data(tmp_path):
    session = make(dataset="xor", n_points=60)
    session.handle({"type": "add_point", "x": [1.0, 1.0], "label": 1})
    session.handle({"type": "reset"})
    for _ in range(3):
        session.train_epoch()
    weights, _, code = run_export(session, tmp_path)
    assert_same_weights(session, weights)
    assert "x_train = np.array(" in code and "playground.xor(" not in code


def test_uploaded_softmax_data_and_momentum(tmp_path):
    rng = np.random.default_rng(1)
    rows = [
        f"{a!r},{b!r},{c}"
        for (a, b), c in zip(rng.uniform(-5, 5, (90, 2)).tolist(), np.arange(90) % 3, strict=True)
    ]
    session = Session()
    session.handle({"type": "upload_csv", "name": "three.csv", "text": "a,b,c\n" + "\n".join(rows)})
    c = copy.deepcopy(session.config)
    c.update(optimizer="momentum", layers=[5, 3], activations=["relu", "leaky_relu"], batch_size=4)
    session.handle({"type": "config", "config": protocol.validate_config(c)})
    for _ in range(3):
        session.train_epoch()
    weights, _, code = run_export(session, tmp_path)
    assert_same_weights(session, weights)
    assert '"sparse_categorical_crossentropy"' in code and "momentum=0.9" in code


def test_a_diverged_run_is_reproduced_up_to_the_failing_batch(tmp_path):
    session = make(
        dataset="plane", layers=[8, 8], activations=["relu", "relu"], learning_rate=10, batch_size=1
    )
    for _ in range(5):
        session.train_epoch()
    assert session.status == "diverged"
    weights, _, _ = run_export(session, tmp_path)
    for a, b in zip(session.main.model.get_weights(), weights, strict=True):
        assert np.array_equal(a, b, equal_nan=True)


def test_the_script_uses_only_the_public_api():
    session = make(regularization="l1", regularization_rate=0.1)
    session.train_epoch()
    code = session.handle({"type": "export"})[0]["code"]
    tree = ast.parse(code)
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported |= {f"{node.module}.{alias.name}" for alias in node.names}
    assert imported == {
        "numpy",
        "glassnet.layers",
        "glassnet.models",
        "glassnet.optimizers",
        "glassnet.regularizers",
        "glassnet.datasets.playground",
    }
    assert "_" not in {name.attr[0] for name in ast.walk(tree) if isinstance(name, ast.Attribute)}
    assert "regularizers.L1(0.1)" in code
    # the paper's initializer adds glassnet.initializers
    paper = make(dataset="paper", features=["x1", "x2", "one"], initializer="uniform")
    tree = ast.parse(paper.handle({"type": "export"})[0]["code"])
    modules = {
        f"{node.module}.{alias.name}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert "glassnet.initializers" in modules


@pytest.mark.parametrize("compare", [None, {"key": "learning_rate", "value": 0.3}])
def test_compare_is_mentioned_and_does_not_change_the_main_run(tmp_path, compare):
    session = make(compare=compare)
    session.train_epoch()
    weights, _, code = run_export(session, tmp_path)
    assert_same_weights(session, weights)
    assert ("side by side" in code) == (compare is not None)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
def test_the_paper_preset_is_reproduced_bit_for_bit(tmp_path, activation):
    session = make(**{**PAPER, "activations": [activation], "seed": 3})
    for _ in range(40):
        session.train_epoch()
    weights, stdout, code = run_export(session, tmp_path)
    assert_same_weights(session, weights)
    assert "x_train, y_train = playground.paper()" in code and "playground.split(" not in code
    assert "uniform = initializers.RandomUniform(-1.0, 1.0)" in code
    assert code.count("kernel_initializer=uniform, bias_initializer=uniform") == 2
    assert 'loss="mean_squared_error"' in code and 'FEATURES = ["x1", "x2", "one"]' in code
    loss = session.main.series.train_loss[-1]
    assert f"train loss {loss:.4f}, test loss {loss:.4f}" in stdout


def test_a_paper_run_with_live_changes_is_reproduced(tmp_path):
    session = make(**PAPER)
    for _ in range(5):
        session.train_epoch()
    session.handle({"type": "set", "key": "learning_rate", "value": 2.0})
    session.handle({"type": "set_weight", "layer": 0, "bias": 1, "value": -0.5})
    # the paper's data are its four samples, the test set too: no point can be added
    with pytest.raises(ProtocolError, match="upload a CSV or choose another data set"):
        session.handle({"type": "add_point", "x": [2.0, 2.0], "label": 1})
    for _ in range(5):
        session.train_epoch()
    weights, _, code = run_export(session, tmp_path)
    assert_same_weights(session, weights)
    assert "np.vstack" not in code
    assert "x_test, y_test = x_train, y_train" in code
