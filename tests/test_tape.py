"""The tape: what a forward pass records, and the backward pass that walks it in reverse.

The expected gradients here are worked out by hand (the chain rule on one or two ops), so that
they check the tape's bookkeeping: summing the paths of a value used twice, skipping what does
not lead to the seed, and leaving constants and frozen weights without a gradient.
"""

import numpy as np
import pytest

import glassnet as gn
from glassnet import layers, ops
from glassnet.tape import recording


def var(values, name="v", **kwargs):
    return gn.Variable(np.array(values, dtype=np.float64), name, **kwargs)


def built_dense(units, inputs, **kwargs):
    layer = layers.Dense(units, **kwargs)
    layer.build((None, inputs))
    layer.built = True
    return layer


# -- a value used twice receives the sum of both paths ------------------------------------------
def test_multiply_x_by_itself_gives_2x(float64):
    x = var([1.5, -2.0, 0.25], "x")
    u = np.array([1.0, 3.0, -2.0])
    with gn.Tape() as tape:
        y = ops.multiply(x, x)
    tape.backward([(y, u)])
    np.testing.assert_allclose(x.grad, 2 * x.value * u, rtol=1e-15)  # [3, −12, −1]
    np.testing.assert_allclose(x.grad, [3.0, -12.0, -1.0], rtol=1e-15)


def test_a_plus_a_gives_2(float64):
    a = var([[1.0, 2.0], [3.0, 4.0]], "a")
    u = np.array([[1.0, -1.0], [0.5, 2.0]])
    with gn.Tape() as tape:
        y = a + a
    tape.backward([(y, u)])
    np.testing.assert_array_equal(a.grad, 2 * u)


def test_variable_used_by_two_different_ops(float64):
    """y = eˣ + 3x: ∂y/∂x = eˣ + 3, one term from each use."""
    x = var([0.0, 1.0, -1.0], "x")
    with gn.Tape() as tape:
        y = ops.exp(x) + x * 3.0
    tape.backward([(y, np.ones(3))])
    np.testing.assert_allclose(x.grad, np.exp([0.0, 1.0, -1.0]) + 3.0, rtol=1e-15)


def test_recorded_tensor_used_twice(float64):
    """t = 2v, y = t·t: ∂L/∂t = 2t ⊙ u sums two paths, ∂L/∂v = 8v ⊙ u."""
    v = var([1.0, -0.5, 2.0])
    u = np.array([1.0, 2.0, -1.0])
    with gn.Tape() as tape:
        t = v * 2.0
        y = t * t
    tape.backward([(y, u)])
    np.testing.assert_allclose(t.node.grad_output, 2 * t.numpy() * u, rtol=1e-15)
    np.testing.assert_allclose(v.grad, 8 * v.value * u, rtol=1e-15)


def test_diamond_graph(float64):
    """a = 2x; b = a², c = a³; L = Σ u ⊙ (b + c): ∂L/∂x = 2(2a + 3a²) ⊙ u."""
    x = var([0.5, -1.0], "x")
    u = np.array([1.0, 3.0])
    with gn.Tape() as tape:
        a = x * 2.0
        out = ops.square(a) + ops.power(a, 3)
    tape.backward([(out, u)])
    a_value = 2 * x.value
    np.testing.assert_allclose(x.grad, 2 * (2 * a_value + 3 * a_value**2) * u, rtol=1e-14)


def test_two_seeds_on_one_tensor_add_up(float64):
    x = var([1.0, 2.0], "x")
    with gn.Tape() as tape:
        y = x * 3.0
    tape.backward([(y, np.array([1.0, 0.0])), (y, np.array([0.5, 2.0]))])
    np.testing.assert_array_equal(x.grad, [4.5, 6.0])


def test_seeds_on_two_outputs(float64):
    x = var([1.0, 2.0], "x")
    u1, u2 = np.array([1.0, -1.0]), np.array([2.0, 0.5])
    with gn.Tape() as tape:
        y1 = x * 2.0
        y2 = ops.square(x)
    tape.backward([(y1, u1), (y2, u2)])
    np.testing.assert_allclose(x.grad, 2 * u1 + 2 * x.value * u2, rtol=1e-15)


# -- what the tape records -----------------------------------------------------------------
def test_nodes_are_recorded_in_order(float64):
    v = var([[1.0, 2.0], [3.0, 4.0]])
    with gn.Tape() as tape:
        assert len(tape) == 0
        a = v + 1.0
        b = ops.exp(a)
        c = ops.sum(b, axis=0)
    assert len(tape) == 3
    assert [node.op.name for node in tape] == ["add", "exp", "sum"]
    first, second, third = tape.nodes
    assert first.inputs[0] is v and first.inputs[1] == 1.0
    assert second.inputs[0] is a and third.inputs[0] is b
    assert first.output is a and second.output is b and third.output is c
    assert a.node is first and c.node is third
    np.testing.assert_allclose(c.numpy(), np.exp(v.value + 1.0).sum(axis=0), rtol=1e-15)


def test_plain_arrays_and_frozen_weights_are_not_recorded(float64):
    x = np.array([1.0, 2.0])
    frozen = var([3.0, 4.0], "frozen", trainable=False)
    with gn.Tape() as tape:
        plain = ops.exp(x) + x
        through_frozen = frozen * 2.0
    assert len(tape) == 0
    assert type(plain) is np.ndarray and type(through_frozen) is np.ndarray
    np.testing.assert_array_equal(through_frozen, [6.0, 8.0])


def test_a_layer_call_is_one_node(float64):
    layer = built_dense(2, 3, activation="tanh")
    x = var(np.ones((4, 3)), "x")
    with gn.Tape() as tape:
        out = layer(x, training=True)
        total = ops.sum(out)
    assert len(tape) == 2
    assert tape.nodes[0].op is layer and tape.nodes[1].op.name == "sum"
    assert tape.nodes[0].inputs[0] is x
    assert isinstance(total, gn.Tensor) and total.shape == ()


def test_grad_output_and_grad_inputs_are_filled(float64):
    a, w = var([1.0, -2.0, 3.0], "a"), var([0.5, 4.0, -1.0], "w")
    u = np.array([2.0, 1.0, -3.0])
    with gn.Tape() as tape:
        out = ops.multiply(a, w)
    node = tape.nodes[0]
    assert node.grad_output is None and node.grad_inputs == ()  # before the backward pass
    tape.backward([(out, u)])
    np.testing.assert_array_equal(node.grad_output, u)
    grad_a, grad_w = node.grad_inputs
    np.testing.assert_array_equal(grad_a, u * w.value)  # [1, 4, 3]
    np.testing.assert_array_equal(grad_w, u * a.value)  # [2, −2, −9]
    np.testing.assert_array_equal(a.grad, [1.0, 4.0, 3.0])
    np.testing.assert_array_equal(w.grad, [2.0, -2.0, -9.0])


def test_grad_output_of_an_intermediate_node(float64):
    """y = exp(2x): the exp node receives u, the multiply node receives u ⊙ exp(2x)."""
    x = var([0.0, 0.5], "x")
    u = np.array([1.0, 2.0])
    with gn.Tape() as tape:
        t = x * 2.0
        y = ops.exp(t)
    tape.backward([(y, u)])
    np.testing.assert_array_equal(y.node.grad_output, u)
    np.testing.assert_allclose(t.node.grad_output, u * np.exp([0.0, 1.0]), rtol=1e-15)
    np.testing.assert_allclose(x.grad, 2 * u * np.exp([0.0, 1.0]), rtol=1e-15)


def test_node_not_leading_to_the_seed_gets_no_grad(float64):
    x, w = var([1.0, 2.0], "x"), var([3.0, 4.0], "w")
    with gn.Tape() as tape:
        used = ops.exp(x)
        unused = x * w  # recorded, but L does not depend on it
        unused_later = ops.sum(unused)
    assert len(tape) == 3
    tape.backward([(used, np.ones(2))])
    for dead in (unused.node, unused_later.node):
        assert dead.grad_output is None
        assert dead.grad_inputs == ()
    assert w.grad is None
    np.testing.assert_allclose(x.grad, np.exp([1.0, 2.0]), rtol=1e-15)  # not + w


def test_plain_array_input_needs_no_gradient(float64):
    v = var([[1.0, 2.0], [3.0, 4.0]])
    c = np.array([10.0, 20.0])
    u = np.array([[1.0, 2.0], [3.0, 4.0]])
    with gn.Tape() as tape:
        out = ops.multiply(v, c)
    node = tape.nodes[0]
    assert node.needs == (True, False)
    tape.backward([(out, u)])
    assert node.grad_inputs[1] is None  # ∂L/∂c was not computed
    np.testing.assert_array_equal(node.grad_inputs[0], u * c)
    np.testing.assert_array_equal(v.grad, [[10.0, 40.0], [30.0, 80.0]])


def test_needs_of_where_and_concatenate(float64):
    v = var([1.0, 2.0, 3.0])
    mask = np.array([True, False, True])
    u = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    with gn.Tape() as tape:
        picked = ops.where(mask, v, np.zeros(3))
        joined = ops.concatenate([np.ones(2), picked], axis=0)
    assert picked.node.needs == (False, True, False)
    assert joined.node.needs == (False, True)
    tape.backward([(joined, u)])
    assert joined.node.grad_inputs[0] is None
    np.testing.assert_array_equal(joined.node.grad_inputs[1], [3.0, 4.0, 5.0])
    g_cond, g_a, g_b = picked.node.grad_inputs
    assert g_cond is None and g_b is None
    np.testing.assert_array_equal(g_a, [3.0, 0.0, 5.0])
    np.testing.assert_array_equal(v.grad, [3.0, 0.0, 5.0])


def test_tensor_without_a_node_needs_no_gradient(float64):
    loose = gn.Tensor(np.array([1.0, 2.0]))  # not produced on this tape
    v = var([3.0, 4.0])
    with gn.Tape() as tape:
        out = ops.add(v, loose)
    assert out.node.needs == (True, False)
    tape.backward([(out, np.array([1.0, 1.0]))])
    assert out.node.grad_inputs[1] is None


def test_frozen_variable_gets_no_grad(float64):
    v = var([1.0, 2.0], "v")
    frozen = var([5.0, -3.0], "frozen", trainable=False)
    u = np.array([1.0, 2.0])
    with gn.Tape() as tape:
        out = ops.multiply(v, frozen)
    assert tape.nodes[0].needs == (True, False)
    tape.backward([(out, u)])
    assert frozen.grad is None
    np.testing.assert_array_equal(v.grad, [5.0, -6.0])


def test_variable_of_a_frozen_layer_gets_no_grad(float64):
    layer = built_dense(2, 3)  # linear: out = x·W + b
    kernel, bias = layer.weights
    assert kernel.trainable and bias.trainable
    layer.trainable = False
    assert not kernel.trainable and not bias.trainable
    x = var(np.arange(6.0).reshape(2, 3), "x")
    u = np.array([[1.0, -1.0], [0.5, 2.0]])
    with gn.Tape() as tape:
        out = layer(x, training=True)
        via_ops = ops.matmul(x, kernel)  # the frozen kernel used directly in an op
    assert via_ops.node.needs == (True, False)
    tape.backward([(out, u), (via_ops, u)])
    assert kernel.grad is None and bias.grad is None
    np.testing.assert_allclose(x.grad, 2 * u @ kernel.value.T, rtol=1e-14)

    layer.trainable = True  # unfrozen: the same weights get their gradients again
    assert kernel.trainable
    with gn.Tape() as tape:
        out = layer(x, training=True)
    tape.backward([(out, u)])
    np.testing.assert_allclose(kernel.grad, x.value.T @ u, rtol=1e-14)
    np.testing.assert_allclose(bias.grad, u.sum(axis=0), rtol=1e-14)


def test_frozen_flag_on_one_variable_of_a_trainable_layer(float64):
    layer = built_dense(2, 3)
    kernel, bias = layer.weights
    bias.trainable = False
    assert layer.trainable and kernel.trainable and not bias.trainable
    with gn.Tape() as tape:
        out = layer(np.ones((1, 3)), training=True)
    tape.backward([(out, np.array([[1.0, 2.0]]))])
    assert bias.grad is None
    np.testing.assert_array_equal(kernel.grad, [[1.0, 2.0]] * 3)


# -- the active tape -------------------------------------------------------------------------
def test_tape_is_active_only_inside_the_with_block():
    assert recording() is None
    with gn.Tape() as tape:
        assert recording() is tape
    assert recording() is None
    v = var([1.0, 2.0])
    out = v * 2.0  # after the block: plain NumPy again, nothing recorded
    assert type(out) is np.ndarray
    assert len(tape) == 0


def test_tape_is_released_after_an_exception():
    with pytest.raises(RuntimeError), gn.Tape():
        raise RuntimeError("boom")
    assert recording() is None


def test_nested_tapes_restore_the_outer_one():
    v = var([1.0, 2.0])
    with gn.Tape() as outer:
        v * 1.0
        with gn.Tape() as inner:
            assert recording() is inner
            v * 2.0
        assert recording() is outer
        v * 3.0
    assert recording() is None
    assert len(outer) == 2 and len(inner) == 1


def test_recorded_tensor_after_the_block_gives_plain_arrays():
    v = var([1.0, 2.0])
    with gn.Tape():
        t = v * 2.0
    out = ops.exp(t)  # no tape: the op reads the tensor's values
    assert type(out) is np.ndarray
    np.testing.assert_allclose(out, np.exp([2.0, 4.0]), rtol=1e-6)


def test_frozen_layer_on_a_plain_input_sends_no_gradient(float64):
    layer = built_dense(2, 3)
    layer.trainable = False
    with gn.Tape() as tape:
        out = layer(np.ones((1, 3)), training=True)
    node = tape.nodes[0]
    assert node.needs == (False, False, False)  # the input, the kernel, the bias
    tape.backward([(out, np.array([[1.0, 2.0]]))])
    np.testing.assert_array_equal(node.grad_output, [[1.0, 2.0]])
    assert all(g is None for g in node.grad_inputs)
    assert all(w.grad is None for w in layer.weights)
