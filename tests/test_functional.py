"""The functional API: glassnet.Model(inputs, outputs) over any graph of layers.

Each test checks a value that a wrong implementation would get wrong: a prediction against a
NumPy formula, a gradient against finite differences, a loss against its definition, a weight
against the same model built another way, or an error message against the mistake it names.
"""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet import layers
from glassnet.gradcheck import numerical_gradient
from glassnet.models import Functional, StepResult

# -- helpers -------------------------------------------------------------------------------------


def _data(n: int = 24, features: int = 4, classes: int = 3, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, features))
    y_cls = np.eye(classes)[rng.integers(0, classes, n)]
    y_reg = rng.normal(size=(n, 1))
    return x, y_cls, y_reg


def _skip_two_heads(name: str = "two_heads") -> Functional:
    """x → h → h2, skip = h + h2 → cls (softmax); h2 → reg (linear)."""
    x_in = gn.Input(shape=(4,), name="x")
    h = layers.Dense(6, activation="tanh", name="h")(x_in)
    h2 = layers.Dense(6, activation="tanh", name="h2")(h)
    skip = layers.Add(name="skip")([h, h2])
    cls = layers.Dense(3, activation="softmax", name="cls")(skip)
    reg = layers.Dense(1, name="reg")(h2)
    return gn.Model(x_in, [cls, reg], name=name)


def _max_error(report) -> float:
    return max(c.relative_error for c in report.checks)


# -- a functional model is a Sequential model ------------------------------------------------------


def test_functional_equals_sequential_predict_fit_and_history():
    x, y, _ = _data(n=50)
    seq = gn.Sequential(
        [
            layers.Dense(8, activation="relu", input_shape=(4,)),
            layers.Dense(5, activation="tanh"),
            layers.Dense(3, activation="softmax"),
        ]
    )
    inputs = gn.Input(shape=(4,))
    h = layers.Dense(8, activation="relu")(inputs)
    h = layers.Dense(5, activation="tanh")(h)
    outputs = layers.Dense(3, activation="softmax")(h)
    model = gn.Model(inputs, outputs)
    assert isinstance(model, Functional)
    # the two were initialised independently: different weights until copied
    assert not np.array_equal(seq.get_weights()[0], model.get_weights()[0])
    model.set_weights(seq.get_weights())

    for m in (seq, model):
        m.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    np.testing.assert_array_equal(model.predict(x), seq.predict(x))

    before = seq.get_weights()
    h_seq = seq.fit(x, y, epochs=3, batch_size=16, shuffle=False, verbose=0)
    h_fun = model.fit(x, y, epochs=3, batch_size=16, shuffle=False, verbose=0)
    assert h_fun.history == h_seq.history
    assert set(h_fun.history) == {"loss", "accuracy"}
    assert len(h_fun.history["loss"]) == 3
    for w_seq, w_fun in zip(seq.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(w_fun, w_seq)
    # training did change the weights (the equality above is not of two untouched copies)
    assert not np.array_equal(before[0], model.get_weights()[0])
    np.testing.assert_array_equal(model.predict(x), seq.predict(x))
    assert model.evaluate(x, y) == seq.evaluate(x, y)


# -- merge layers ------------------------------------------------------------------------------

MERGES = {
    "Add": (layers.Add, lambda xs: xs[0] + xs[1]),
    "Subtract": (layers.Subtract, lambda xs: xs[0] - xs[1]),
    "Multiply": (layers.Multiply, lambda xs: xs[0] * xs[1]),
    "Average": (layers.Average, lambda xs: (xs[0] + xs[1]) / 2),
    "Maximum": (layers.Maximum, lambda xs: np.maximum(xs[0], xs[1])),
    "Minimum": (layers.Minimum, lambda xs: np.minimum(xs[0], xs[1])),
    "Concatenate": (layers.Concatenate, lambda xs: np.concatenate(xs, axis=-1)),
}


@pytest.mark.parametrize("name", list(MERGES))
def test_merge_forward_matches_numpy(name):
    cls, formula = MERGES[name]
    rng = np.random.default_rng(1)
    x1 = rng.normal(size=(7, 3)).astype("float32")
    x2 = rng.normal(size=(7, 3)).astype("float32")
    # distinct values, each input larger somewhere: Maximum/Minimum must pick per entry
    assert np.all(x1 != x2) and np.any(x1 > x2) and np.any(x2 > x1)
    a = gn.Input(shape=(3,), name="a")
    b = gn.Input(shape=(3,), name="b")
    merged = cls(name="merge")([a, b])
    model = gn.Model([a, b], merged)
    out = model.predict([x1, x2])
    expected = formula([x1, x2])
    assert out.shape == expected.shape
    np.testing.assert_allclose(out, expected, rtol=1e-6, atol=0)
    assert merged.shape == (None, *expected.shape[1:])


@pytest.mark.parametrize(
    "cls, formula",
    [
        (layers.Add, lambda xs: xs[0] + xs[1] + xs[2]),
        (layers.Multiply, lambda xs: xs[0] * xs[1] * xs[2]),
        (layers.Average, lambda xs: (xs[0] + xs[1] + xs[2]) / 3),
        (layers.Maximum, lambda xs: np.max(np.stack(xs), axis=0)),
        (layers.Minimum, lambda xs: np.min(np.stack(xs), axis=0)),
    ],
    ids=["Add", "Multiply", "Average", "Maximum", "Minimum"],
)
def test_merge_of_three_inputs_matches_numpy(cls, formula):
    rng = np.random.default_rng(2)
    xs = [rng.normal(size=(5, 4)).astype("float32") for _ in range(3)]
    winners = np.argmax(np.stack(xs), axis=0)
    assert set(np.unique(winners)) == {0, 1, 2}  # every input wins somewhere
    tensors = [gn.Input(shape=(4,)) for _ in range(3)]
    model = gn.Model(tensors, cls()(tensors))
    np.testing.assert_allclose(model.predict(xs), formula(xs), rtol=1e-6, atol=1e-7)


def test_concatenate_of_different_widths_and_its_output_shape():
    rng = np.random.default_rng(3)
    x1 = rng.normal(size=(4, 2)).astype("float32")
    x2 = rng.normal(size=(4, 5)).astype("float32")
    a, b = gn.Input(shape=(2,)), gn.Input(shape=(5,))
    joined = layers.Concatenate()([a, b])
    assert joined.shape == (None, 7)
    model = gn.Model([a, b], joined)
    np.testing.assert_array_equal(model.predict([x1, x2]), np.concatenate([x1, x2], axis=1))


@pytest.mark.parametrize("name", list(MERGES))
def test_merge_gradcheck_float64(float64, name):
    cls, _ = MERGES[name]
    rng = np.random.default_rng(4)
    x1 = rng.normal(size=(6, 3))
    x2 = rng.normal(size=(6, 2))
    y = rng.normal(size=(6, 2))
    a = gn.Input(shape=(3,))
    b = gn.Input(shape=(2,))
    h1 = layers.Dense(4, activation="tanh")(a)
    h2 = layers.Dense(4, activation="tanh")(b)
    out = layers.Dense(2)(cls()([h1, h2]))
    model = gn.Model([a, b], out)
    model.compile(optimizer="sgd", loss="mse")
    report = gn.gradcheck(model, [x1, x2], y)
    assert len(report.checks) == 6  # both branches' and the output's kernel and bias
    assert report.passed, str(report)
    assert _max_error(report) < 1e-7


@pytest.mark.parametrize("cls", [layers.Maximum, layers.Minimum])
def test_maximum_minimum_route_the_gradient_to_the_winner(float64, cls):
    """Two Dense branches of the same input: each wins on some entries, so each kernel gets a
    gradient, and the finite differences agree with where it was routed."""
    rng = np.random.default_rng(5)
    x = rng.normal(size=(8, 3))
    y = rng.normal(size=(8, 1))
    inp = gn.Input(shape=(3,))
    h1 = layers.Dense(4, name="b1")(inp)
    h2 = layers.Dense(4, name="b2")(inp)
    model = gn.Model(inp, layers.Dense(1, name="top")(cls()([h1, h2])))
    model.compile(optimizer="sgd", loss="mse")
    a1, a2 = gn.Model(inp, [h1, h2]).predict(x)
    assert np.all(a1 != a2) and np.any(a1 > a2) and np.any(a2 > a1)
    result = model.train_step(x, y, apply=False)
    grads = {(v.owner.name, v.name): g for v, g in zip(result.variables, result.grads, strict=True)}
    assert np.abs(grads[("b1", "kernel")]).sum() > 0
    assert np.abs(grads[("b2", "kernel")]).sum() > 0
    report = gn.gradcheck(model, x, y)
    assert report.passed, str(report)


# -- skip connection and two outputs -----------------------------------------------------------


def test_two_outputs_history_is_the_weighted_sum_of_the_output_losses():
    x, y_cls, y_reg = _data()
    model = _skip_two_heads()
    model.compile(
        optimizer="sgd",
        loss=["categorical_crossentropy", "mse"],
        loss_weights=[0.3, 2.0],
        metrics={"cls": ["accuracy"]},
    )
    history = model.fit(x, [y_cls, y_reg], epochs=3, batch_size=8, shuffle=False, verbose=0)
    h = history.history
    assert set(h) == {"loss", "cls_loss", "reg_loss", "cls_accuracy"}
    for epoch in range(3):
        weighted = 0.3 * h["cls_loss"][epoch] + 2.0 * h["reg_loss"][epoch]
        assert h["loss"][epoch] == pytest.approx(weighted, rel=1e-6)
        # the weights matter: the unweighted sum is a different number
        assert h["loss"][epoch] != pytest.approx(h["cls_loss"][epoch] + h["reg_loss"][epoch])
    assert h["loss"][-1] < h["loss"][0]


def test_two_outputs_evaluate_and_predict():
    x, y_cls, y_reg = _data()
    model = _skip_two_heads()
    model.compile(
        optimizer="sgd",
        loss={"cls": "categorical_crossentropy", "reg": "mse"},
        loss_weights={"cls": 0.3, "reg": 2.0},
        metrics={"cls": ["accuracy"]},
    )
    model.fit(x, [y_cls, y_reg], epochs=1, batch_size=8, verbose=0)
    pred = model.predict(x)
    assert isinstance(pred, list) and len(pred) == 2
    p_cls, p_reg = pred
    assert p_cls.shape == (24, 3) and p_reg.shape == (24, 1)
    np.testing.assert_allclose(p_cls.sum(axis=1), 1.0, rtol=1e-5)

    result = model.evaluate(x, [y_cls, y_reg], return_dict=True)
    assert next(iter(result)) == "loss"
    assert set(result) == {"loss", "cls_loss", "reg_loss", "cls_accuracy"}
    cls_loss = float(np.mean(-np.sum(y_cls * np.log(p_cls.astype(np.float64)), axis=1)))
    reg_loss = float(np.mean((p_reg.astype(np.float64) - y_reg) ** 2))
    assert result["cls_loss"] == pytest.approx(cls_loss, rel=1e-4)
    assert result["reg_loss"] == pytest.approx(reg_loss, rel=1e-4)
    assert result["loss"] == pytest.approx(0.3 * cls_loss + 2.0 * reg_loss, rel=1e-4)
    accuracy = np.mean(p_cls.argmax(axis=1) == y_cls.argmax(axis=1))
    assert result["cls_accuracy"] == pytest.approx(accuracy)
    # y as a dict by output name, in another order, gives the same numbers
    by_name = model.evaluate(x, {"reg": y_reg, "cls": y_cls}, return_dict=True)
    assert by_name == result


def test_two_outputs_skip_connection_gradcheck_float64(float64):
    x, y_cls, y_reg = _data(n=8)
    model = _skip_two_heads()
    model.compile(
        optimizer="sgd", loss=["categorical_crossentropy", "mse"], loss_weights=[0.3, 2.0]
    )
    report = gn.gradcheck(model, x, [y_cls, y_reg])
    assert {c.layer for c in report.checks} == {"h", "h2", "cls", "reg"}
    assert report.passed, str(report)
    assert _max_error(report) < 1e-7


def test_loss_weights_scale_the_gradients():
    """Doubling both loss weights doubles every gradient of the step."""
    x, y_cls, y_reg = _data(n=8)
    model = _skip_two_heads()
    model.compile(optimizer="sgd", loss=["categorical_crossentropy", "mse"], loss_weights=[1, 1])
    g1 = model.train_step(x, [y_cls, y_reg], apply=False).grads
    model.compile(optimizer="sgd", loss=["categorical_crossentropy", "mse"], loss_weights=[2, 2])
    g2 = model.train_step(x, [y_cls, y_reg], apply=False).grads
    for a, b in zip(g1, g2, strict=True):
        np.testing.assert_allclose(b, 2 * a, rtol=1e-5, atol=1e-7)


# -- several inputs ------------------------------------------------------------------------------


def _two_input_model(name: str = "two_inputs", as_dict: bool = False) -> Functional:
    left = gn.Input(shape=(3,), name="left")
    right = gn.Input(shape=(2,), name="right")
    joined = layers.Concatenate(name="cat")([left, right])
    out = layers.Dense(2, name="out")(joined)
    inputs = {"left": left, "right": right} if as_dict else [left, right]
    return gn.Model(inputs, out, name=name)


def test_several_inputs_as_list_and_as_dict_by_input_name():
    rng = np.random.default_rng(6)
    x1 = rng.normal(size=(10, 3)).astype("float32")
    x2 = rng.normal(size=(10, 2)).astype("float32")
    y = rng.normal(size=(10, 2))
    model = _two_input_model()
    assert model.input_names == ["left", "right"]
    kernel, bias = model.get_layer("out").params
    expected = np.concatenate([x1, x2], axis=1) @ kernel + bias
    np.testing.assert_allclose(model.predict([x1, x2]), expected, rtol=1e-5, atol=1e-6)
    # a dict is read by Input name, whatever the order of its keys
    np.testing.assert_array_equal(model.predict({"right": x2, "left": x1}), model.predict([x1, x2]))

    twin = _two_input_model(name="twin", as_dict=True)
    twin.set_weights(model.get_weights())
    np.testing.assert_array_equal(twin.predict({"left": x1, "right": x2}), model.predict([x1, x2]))
    for m in (model, twin):
        m.compile(optimizer="sgd", loss="mse")
    h_list = model.fit([x1, x2], y, epochs=2, batch_size=4, shuffle=False, verbose=0)
    h_dict = twin.fit(
        {"right": x2, "left": x1}, y, epochs=2, batch_size=4, shuffle=False, verbose=0
    )
    assert h_list.history == h_dict.history
    for a, b in zip(model.get_weights(), twin.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


# -- shared layers -------------------------------------------------------------------------------


def _shared_and_untied(x1, x2, y):
    """The same network twice: once with one Dense called on both inputs, once with two copies
    of it (same weights). The shared kernel's gradient must be the sum of the copies'."""
    a = gn.Input(shape=(3,), name="a")
    b = gn.Input(shape=(3,), name="b")
    shared = layers.Dense(2, activation="tanh", name="shared")
    merged = layers.Concatenate()([shared(a), shared(b)])
    model = gn.Model([a, b], layers.Dense(1, name="top")(merged))

    a2 = gn.Input(shape=(3,), name="a2")
    b2 = gn.Input(shape=(3,), name="b2")
    copy_a = layers.Dense(2, activation="tanh", name="copy_a")
    copy_b = layers.Dense(2, activation="tanh", name="copy_b")
    merged2 = layers.Concatenate()([copy_a(a2), copy_b(b2)])
    untied = gn.Model([a2, b2], layers.Dense(1, name="top2")(merged2))
    w_shared = shared.get_weights()
    copy_a.set_weights(w_shared)
    copy_b.set_weights(w_shared)
    untied.get_layer("top2").set_weights(model.get_layer("top").get_weights())
    for m in (model, untied):
        m.compile(optimizer="sgd", loss="mse")
    return model, shared, untied


def test_shared_layer_gradient_is_the_sum_of_both_paths(float64):
    rng = np.random.default_rng(7)
    x1, x2 = rng.normal(size=(6, 3)), rng.normal(size=(6, 3))
    y = rng.normal(size=(6, 1))
    model, shared, untied = _shared_and_untied(x1, x2, y)
    assert len(model.weights) == 4  # the shared layer's weights exist once
    assert model.count_params() == 3 * 2 + 2 + 4 + 1
    np.testing.assert_allclose(model.predict([x1, x2]), untied.predict([x1, x2]), rtol=1e-12)

    step = model.train_step([x1, x2], y, apply=False)
    assert isinstance(step, StepResult) and not step.applied
    grads = {(v.owner.name, v.name): g for v, g in zip(step.variables, step.grads, strict=True)}
    untied_step = untied.train_step([x1, x2], y, apply=False)
    untied_grads = {
        (v.owner.name, v.name): g
        for v, g in zip(untied_step.variables, untied_step.grads, strict=True)
    }
    path_a = untied_grads[("copy_a", "kernel")]
    path_b = untied_grads[("copy_b", "kernel")]
    shared_kernel = grads[("shared", "kernel")]
    np.testing.assert_allclose(shared_kernel, path_a + path_b, rtol=1e-10, atol=1e-14)
    # not just one of the paths
    assert not np.allclose(shared_kernel, path_a) and not np.allclose(shared_kernel, path_b)
    np.testing.assert_allclose(
        grads[("shared", "bias")],
        untied_grads[("copy_a", "bias")] + untied_grads[("copy_b", "bias")],
        rtol=1e-10,
        atol=1e-14,
    )

    # finite differences of the loss on the shared kernel itself
    def loss() -> float:
        return float(model.evaluate([x1, x2], y, batch_size=6))

    numeric = numerical_gradient(loss, shared.kernel.value)
    np.testing.assert_allclose(shared_kernel, numeric, rtol=1e-6, atol=1e-9)
    report = gn.gradcheck(model, [x1, x2], y)
    assert report.passed, str(report)


# -- structure: layers, get_layer, output, feature extraction ----------------------------------


def test_layers_order_get_layer_and_layer_output():
    x_in = gn.Input(shape=(4,), name="x")
    h = layers.Dense(6, activation="tanh", name="h")(x_in)
    h2 = layers.Dense(6, activation="tanh", name="h2")(h)
    skip = layers.Add(name="skip")([h, h2])
    cls = layers.Dense(3, activation="softmax", name="cls")(skip)
    reg = layers.Dense(1, name="reg")(h2)
    model = gn.Model(x_in, [cls, reg], name="two_heads")

    assert [layer.name for layer in model.layers] == ["x", "h", "h2", "skip", "cls", "reg"]
    assert isinstance(model.layers[0], layers.InputLayer)
    assert model.get_layer("skip") is skip.layer
    assert isinstance(model.get_layer("skip"), layers.Add)
    assert model.get_layer(index=0) is x_in.layer
    assert model.get_layer(index=4) is cls.layer
    assert model.get_layer(index=-1) is reg.layer
    assert model.inputs == [x_in]
    assert model.outputs[0] is cls and model.outputs[1] is reg
    assert model.output_names == ["cls", "reg"]
    assert model.get_layer("skip").output is skip
    assert model.get_layer("cls").output is model.outputs[0]
    assert model.get_layer("h").input is x_in
    assert model.get_layer("skip").input == [h, h2]
    assert skip.shape == (None, 6) and cls.shape == (None, 3)

    with pytest.raises(ValueError, match="no layer named 'nope'") as err:
        model.get_layer("nope")
    for name in ("x", "h", "h2", "skip", "cls", "reg"):
        assert repr(name) in str(err.value)
    with pytest.raises(ValueError, match="out of range"):
        model.get_layer(index=6)


def test_output_of_a_shared_layer_is_ambiguous():
    a, b = gn.Input(shape=(3,)), gn.Input(shape=(3,))
    shared = layers.Dense(2, name="shared")
    shared(a)
    shared(b)
    with pytest.raises(AttributeError, match="called 2 times"):
        _ = shared.output


def _check_feature_activations(seq, outs, x):
    assert len(outs) == 3
    d1, d2, d3 = seq.layers
    a1 = np.maximum(x @ d1.params[0] + d1.params[1], 0)
    a2 = np.tanh(a1 @ d2.params[0] + d2.params[1])
    z3 = a2 @ d3.params[0] + d3.params[1]
    a3 = 1 / (1 + np.exp(-z3))
    for got, expected in zip(outs, (a1, a2, a3), strict=True):
        assert got.shape == expected.shape
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    # the last feature is the Sequential's own prediction
    np.testing.assert_array_equal(outs[-1], seq.predict(x))


def _feature_sequential():
    return gn.Sequential(
        [
            layers.Dense(5, activation="relu", input_shape=(3,)),
            layers.Dense(4, activation="tanh"),
            layers.Dense(2, activation="sigmoid"),
        ]
    )


def test_feature_extraction_from_a_sequential_input_tensor():
    x = np.random.default_rng(8).normal(size=(6, 3)).astype("float32")
    seq = _feature_sequential()
    extractor = gn.Model(inputs=seq.inputs[0], outputs=[layer.output for layer in seq.layers])
    assert [t.shape for t in extractor.outputs] == [(None, 5), (None, 4), (None, 2)]
    _check_feature_activations(seq, extractor.predict(x), x)


def test_feature_extraction_from_sequential_inputs_list():
    """Keras's own recipe: Model(inputs=seq.inputs, outputs=[l.output for l in seq.layers])."""
    x = np.random.default_rng(8).normal(size=(6, 3)).astype("float32")
    seq = _feature_sequential()
    extractor = gn.Model(inputs=seq.inputs, outputs=[layer.output for layer in seq.layers])
    _check_feature_activations(seq, extractor.predict(x), x)


def test_feature_extractor_accepts_x_as_a_one_element_list():
    x = np.random.default_rng(8).normal(size=(6, 3)).astype("float32")
    seq = _feature_sequential()
    extractor = gn.Model(inputs=seq.inputs, outputs=[layer.output for layer in seq.layers])
    _check_feature_activations(seq, extractor.predict([x]), x)


# -- summary ---------------------------------------------------------------------------------------


def test_summary_has_connected_to_column_with_the_add_sources():
    model = _skip_two_heads()
    lines: list[str] = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert "Connected to" in text
    rows = {line.split()[1]: line for line in text.splitlines() if line.startswith("│")}
    assert "h[0][0], h2[0][0]" in rows["skip"]
    assert "x[0][0]" in rows["h"]
    assert "skip[0][0]" in rows["cls"]
    assert "h2[0][0]" in rows["reg"]
    assert rows["x"].rstrip("│ ").endswith("-")  # an input is connected to nothing
    assert "(None, 6)" in rows["skip"]
    assert f"Total params: {model.count_params():,}" in text
    assert model.count_params() == (4 * 6 + 6) + (6 * 6 + 6) + (6 * 3 + 3) + (6 + 1)


def test_summary_of_a_shared_layer_lists_each_call():
    a, b = gn.Input(shape=(3,), name="a"), gn.Input(shape=(3,), name="b")
    shared = layers.Dense(2, name="shared")
    joined = layers.Concatenate(name="cat")([shared(a), shared(b)])
    lines: list[str] = []
    gn.Model([a, b], joined).summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert "shared[0][0], shared[1][0]" in text
    shared_rows = [line for line in text.splitlines() if line.startswith("│ shared ")]
    assert len(shared_rows) == 2
    assert " 8 " in shared_rows[0] and "a[0][0]" in shared_rows[0]
    assert " 0 " in shared_rows[1] and "b[0][0]" in shared_rows[1]


# -- saving ----------------------------------------------------------------------------------------


def test_save_load_round_trip_of_skip_connection_and_two_outputs(tmp_path):
    x, y_cls, y_reg = _data(n=30)
    model = _skip_two_heads()
    model.compile(
        optimizer="adam",
        loss={"cls": "categorical_crossentropy", "reg": "mse"},
        loss_weights={"cls": 0.5, "reg": 2.0},
        metrics={"cls": ["accuracy"]},
    )
    model.fit(x, [y_cls, y_reg], epochs=2, batch_size=8, verbose=0)
    path = tmp_path / "two_heads.glassnet"
    model.save(path)
    loaded = gn.models.load_model(path)

    assert isinstance(loaded, Functional)
    assert loaded.name == "two_heads"
    assert [layer.name for layer in loaded.layers] == [layer.name for layer in model.layers]
    assert loaded.output_names == ["cls", "reg"]
    assert loaded.get_layer("skip").input[0] is loaded.get_layer("h").output
    for w, v in zip(model.get_weights(), loaded.get_weights(), strict=True):
        np.testing.assert_array_equal(v, w)
    for p, q in zip(model.predict(x), loaded.predict(x), strict=True):
        np.testing.assert_array_equal(q, p)

    h_model = model.fit(x, [y_cls, y_reg], epochs=1, batch_size=8, shuffle=False, verbose=0)
    h_loaded = loaded.fit(x, [y_cls, y_reg], epochs=1, batch_size=8, shuffle=False, verbose=0)
    assert h_loaded.history == h_model.history
    assert h_model.history["loss"][0] == pytest.approx(
        0.5 * h_model.history["cls_loss"][0] + 2.0 * h_model.history["reg_loss"][0], rel=1e-6
    )
    for w, v in zip(model.get_weights(), loaded.get_weights(), strict=True):
        np.testing.assert_array_equal(v, w)

    with np.load(path, allow_pickle=False) as archive:  # plain arrays only
        assert all(archive[name].dtype != object for name in archive.files)


def test_save_load_of_shared_layer_and_dict_inputs(tmp_path):
    rng = np.random.default_rng(9)
    x1 = rng.normal(size=(5, 3)).astype("float32")
    x2 = rng.normal(size=(5, 3)).astype("float32")
    a, b = gn.Input(shape=(3,), name="left"), gn.Input(shape=(3,), name="right")
    shared = layers.Dense(4, activation="tanh", name="shared")
    out = layers.Dense(1, name="out")(layers.Subtract(name="diff")([shared(a), shared(b)]))
    model = gn.Model({"left": a, "right": b}, out)
    model.save(tmp_path / "shared.glassnet")
    loaded = gn.models.load_model(tmp_path / "shared.glassnet")
    assert len(loaded.weights) == 4
    feed = {"left": x1, "right": x2}
    np.testing.assert_array_equal(loaded.predict(feed), model.predict(feed))
    # swapping the inputs of a Subtract changes the result: the order survived the round trip
    swapped = {"left": x2, "right": x1}
    assert not np.allclose(loaded.predict(swapped), loaded.predict(feed))


def test_save_load_of_a_nested_functional_model(tmp_path):
    x = np.random.default_rng(10).normal(size=(4, 3)).astype("float32")
    a = gn.Input(shape=(3,))
    inner = gn.Model(a, layers.Dense(4, activation="tanh")(a), name="inner")
    b = gn.Input(shape=(3,))
    model = gn.Model(b, layers.Dense(2)(inner(b)))
    model.save(tmp_path / "nested.glassnet")
    loaded = gn.models.load_model(tmp_path / "nested.glassnet")
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))


# -- mistakes --------------------------------------------------------------------------------------


def test_layer_built_for_other_width_fails_at_graph_building_time():
    d3 = layers.Dense(2, name="d3")
    d3(gn.Input(shape=(3,)))
    wide = layers.Dense(5, name="wide")(gn.Input(shape=(4,)))
    with pytest.raises(ValueError) as err:
        d3(wide)
    message = str(err.value)
    assert "'d3'" in message and "'wide'" in message
    assert "(None, 3)" in message and "(None, 5)" in message


def test_unused_input_is_an_error_naming_it():
    a = gn.Input(shape=(3,), name="used")
    b = gn.Input(shape=(3,), name="unused_b")
    with pytest.raises(ValueError, match="do not depend") as err:
        gn.Model(inputs=[a, b], outputs=layers.Dense(1)(a))
    assert "'unused_b'" in str(err.value)
    assert "'used'" not in str(err.value)


def test_undeclared_input_is_an_error_naming_it():
    a = gn.Input(shape=(3,), name="declared")
    c = gn.Input(shape=(3,), name="forgotten")
    merged = layers.Add()([layers.Dense(2)(a), layers.Dense(2)(c)])
    with pytest.raises(ValueError, match="not among the model's inputs") as err:
        gn.Model(inputs=a, outputs=merged)
    assert "'forgotten'" in str(err.value)


def test_merge_of_different_shapes_is_an_error():
    a = gn.Input(shape=(3,))
    with pytest.raises(ValueError, match="one shape") as err:
        layers.Add(name="bad_add")([layers.Dense(2)(a), layers.Dense(3)(a)])
    assert "'bad_add'" in str(err.value)
    assert "(None, 2)" in str(err.value) and "(None, 3)" in str(err.value)
    with pytest.raises(ValueError, match="at least 2"):
        layers.Add()([a])
    with pytest.raises(ValueError, match="exactly 2"):
        layers.Subtract()([a, a, a])
    with pytest.raises(ValueError, match="differ only along axis"):
        layers.Concatenate(axis=-1)([gn.Input(shape=(2, 3)), gn.Input(shape=(4, 3))])


@pytest.mark.parametrize(
    "op",
    [
        lambda x, y: x + y,
        lambda x, y: x - y,
        lambda x, y: x * y,
        lambda x, y: 2.0 * x,
        lambda x, y: x / y,
        lambda x, y: -x,
    ],
    ids=["add", "sub", "mul", "rmul", "div", "neg"],
)
def test_arithmetic_on_symbolic_tensors_suggests_merge_layers(op):
    x, y = gn.Input(shape=(3,)), gn.Input(shape=(3,))
    with pytest.raises(TypeError, match=r"layers\.Add"):
        op(x, y)


def test_symbolic_tensor_has_no_values():
    with pytest.raises(TypeError, match="symbolic"):
        np.asarray(gn.Input(shape=(3,)))


def test_wrong_number_of_inputs_is_a_clear_error():
    rng = np.random.default_rng(11)
    x1 = rng.normal(size=(4, 3))
    x2 = rng.normal(size=(4, 2))
    y = rng.normal(size=(4, 2))
    model = _two_input_model(name="pair")
    model.compile(optimizer="sgd", loss="mse")
    for bad in (x1, [x1], [x1, x2, x2]):
        with pytest.raises(ValueError, match=r"takes 2 inputs \(left, right\)"):
            model.fit(bad, y, verbose=0)
    with pytest.raises(ValueError, match=r"takes 2 inputs"):
        model.predict(x1)
    with pytest.raises(ValueError, match=r"no entry for input\(s\) \['right'\]"):
        model.fit({"left": x1}, y, verbose=0)
    with pytest.raises(ValueError, match=r"'cat' expects 3 input features, got 2"):
        model.fit([x2, x1], y, verbose=0)  # swapped


def test_outputs_must_be_symbolic_and_inputs_must_be_inputs():
    a = gn.Input(shape=(3,))
    with pytest.raises(TypeError, match="got str"):
        gn.Model(a, "not a tensor")
    h = layers.Dense(2, name="hidden")(a)
    with pytest.raises(ValueError, match=r"glassnet\.Input") as err:
        gn.Model(h, layers.Dense(1)(h))
    assert "'hidden'" in str(err.value)


def test_wrong_number_of_losses_is_an_error_naming_the_outputs():
    model = _skip_two_heads()
    with pytest.raises(ValueError, match=r"1 losses for a model with 2 outputs \(cls, reg\)"):
        model.compile(optimizer="sgd", loss=["mse"])
    with pytest.raises(ValueError, match=r"\['nope'\]"):
        model.compile(optimizer="sgd", loss={"cls": "mse", "nope": "mse"})


def test_calling_a_two_input_model_on_one_array_is_an_error():
    a, b = gn.Input(shape=(3,), name="a"), gn.Input(shape=(3,), name="b")
    model = gn.Model([a, b], layers.Concatenate()([a, b]))
    with pytest.raises(ValueError, match="takes 2 inputs"):
        model(np.arange(6.0).reshape(2, 3))  # 2 samples, not 2 inputs


def test_one_output_given_as_a_list_accepts_a_list_of_targets():
    x, _, y_reg = _data(n=8)
    a = gn.Input(shape=(4,))
    model = gn.Model(a, [layers.Dense(1, name="only")(a)])
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(x, [y_reg], epochs=1, verbose=0)
    assert "loss" in history.history
