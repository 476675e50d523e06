"""glassnet.ops: every backward rule against central differences, forwards against the formulas.

The gradient checks run in float64: each input is a ``glassnet.Variable``, the scalar
L = Σ upstream ⊙ op(inputs) is recorded on a tape, ``tape.backward([(out, upstream)])`` fills
each ``Variable.grad``, and that is compared with the central difference of L (computed
outside the tape, where the same ops are plain NumPy).
"""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

import glassnet as gn
from glassnet import ops
from glassnet.gradcheck import numerical_gradient, relative_error

TOLERANCE = 1e-7

_R = np.random.default_rng(20240601)


def normal(*shape):
    return _R.normal(size=shape)


def away(*shape, low=0.2, high=1.5):
    """Values with |x| in [low, high]: at least `low` away from the kink of abs/relu at 0."""
    return _R.choice([-1.0, 1.0], size=shape) * _R.uniform(low, high, size=shape)


def positive(*shape):
    """Values in [0.5, 2]: inside the domain of log, sqrt and fractional powers."""
    return _R.uniform(0.5, 2.0, size=shape)


def off_the_bounds(*shape):
    """Values at least 0.2 away from ±0.5 (the bounds of the clip cases), inside and outside."""
    return _R.choice([-1.0, 0.0, 1.0], size=shape) + _R.uniform(-0.3, 0.3, size=shape)


MASK = np.array(
    [[True, False, True], [False, False, True], [True, True, False], [False, True, True]]
)
B3 = np.array([0.0, 0.5, -0.5])  # the (3,) operand of the broadcast maximum/minimum cases
A_OFF_B3 = B3 + away(4, 3)  # every entry at least 0.2 away from the entry of B3 it meets


def check_gradients(fn, *arrays, tolerance=TOLERANCE):
    """Backpropagated ∂L/∂input of every input against central differences, in float64."""
    variables = [gn.Variable(np.array(a, dtype=np.float64), f"in{i}") for i, a in enumerate(arrays)]
    with gn.Tape() as tape:
        out = fn(*variables)
    assert isinstance(out, gn.Tensor)
    upstream = np.asarray(np.random.default_rng(7).normal(size=out.shape))
    tape.backward([(out, upstream)])

    def loss():
        value = fn(*variables)  # outside the tape: a plain array
        assert not isinstance(value, gn.Tensor)
        return float(np.sum(upstream * value))

    for v in variables:
        assert v.grad is not None, f"{v.name} received no gradient"
        assert v.grad.shape == v.value.shape, f"{v.name}: grad {v.grad.shape} ≠ {v.value.shape}"
        numeric = numerical_gradient(loss, v.value)
        error = relative_error(v.grad, numeric)
        assert error < tolerance, f"{v.name}: relative error {error:.2e}"
    return variables


def case(id_, fn, *arrays, marks=()):
    return pytest.param(fn, arrays, id=id_, marks=marks)


GRADIENT_CASES = [
    # -- elementwise arithmetic, with the broadcasts whose gradients must be summed back
    case("add", ops.add, normal(4, 3), normal(4, 3)),
    case("add-(4,3)+(3,)", ops.add, normal(4, 3), normal(3)),
    case("add-(4,3)+(4,1)", ops.add, normal(4, 3), normal(4, 1)),
    case("add-(4,3)+()", ops.add, normal(4, 3), np.array(0.7)),
    case("add-(2,1,3)+(4,1)", ops.add, normal(2, 1, 3), normal(4, 1)),
    case("add-scalar-constant", lambda a: ops.add(a, 2.5), normal(4, 3)),
    case("add-operator", lambda a, b: a + b, normal(4, 3), normal(1, 3)),
    case("radd-scalar", lambda a: 2.5 + a, normal(4, 3)),
    case("subtract", ops.subtract, normal(4, 3), normal(4, 3)),
    case("subtract-(4,3)-(3,)", ops.subtract, normal(4, 3), normal(3)),
    case("subtract-(4,1)-(4,3)", ops.subtract, normal(4, 1), normal(4, 3)),
    case("subtract-scalar-left", lambda a: ops.subtract(1.5, a), normal(4, 3)),
    case("subtract-operators", lambda a, b: a - b, normal(3), normal(4, 3)),
    case("rsub-scalar", lambda a: 3.0 - a, normal(4, 3)),
    case("multiply", ops.multiply, normal(4, 3), normal(4, 3)),
    case("multiply-(4,3)*(4,1)", ops.multiply, normal(4, 3), normal(4, 1)),
    case("multiply-(4,3)*(1,3)", ops.multiply, normal(4, 3), normal(1, 3)),
    case("multiply-(4,3)*()", ops.multiply, normal(4, 3), np.array(-1.3)),
    case("multiply-scalar-constant", lambda a: ops.multiply(a, 2.5), normal(4, 3)),
    case("multiply-array-constant", lambda a: ops.multiply(a, np.arange(3.0)), normal(4, 3)),
    case("multiply-operator", lambda a, b: a * b, normal(2, 1, 3), normal(4, 1)),
    case("rmul-scalar", lambda a: 2.5 * a, normal(4, 3)),
    case("divide", ops.divide, normal(4, 3), away(4, 3, low=0.5)),
    case("divide-(4,3)/(3,)", ops.divide, normal(4, 3), away(3, low=0.5)),
    case("divide-(4,1)/(4,3)", ops.divide, normal(4, 1), away(4, 3, low=0.5)),
    case("divide-scalar-left", lambda a: ops.divide(2.0, a), away(4, 3, low=0.5)),
    case("divide-operator", lambda a, b: a / b, normal(4, 3), away(4, 1, low=0.5)),
    case("rtruediv-scalar", lambda a: 2.0 / a, away(4, 3, low=0.5)),
    case("negative", ops.negative, normal(4, 3)),
    case("negative-operator", lambda a: -a, normal(4, 3)),
    case("power-3", lambda a: ops.power(a, 3), normal(4, 3)),
    case("power-0.5", lambda a: ops.power(a, 0.5), positive(4, 3)),
    case("power-minus-1.5", lambda a: ops.power(a, -1.5), positive(4, 3)),
    case("power-operator", lambda a: a**2.5, positive(4, 3)),
    case("square", ops.square, normal(4, 3)),
    case("sqrt", ops.sqrt, positive(4, 3)),
    case("exp", ops.exp, normal(4, 3)),
    case("log", ops.log, positive(4, 3)),
    case("abs", ops.abs, away(4, 3)),
    case("maximum", ops.maximum, A_OFF_B3, np.broadcast_to(B3, (4, 3)).copy()),
    case("maximum-(4,3),(3,)", ops.maximum, A_OFF_B3, B3),
    case("maximum-with-0", lambda a: ops.maximum(a, 0.0), away(4, 3)),
    case("minimum", ops.minimum, A_OFF_B3, np.broadcast_to(B3, (4, 3)).copy()),
    case("minimum-(4,3),(3,)", ops.minimum, A_OFF_B3, B3),
    case("minimum-with-0", lambda a: ops.minimum(a, 0.0), away(4, 3)),
    case("clip", lambda a: ops.clip(a, -0.5, 0.5), off_the_bounds(4, 3)),
    case("where", lambda a, b: ops.where(MASK, a, b), normal(4, 3), normal(4, 3)),
    case("where-(4,3),(3,)", lambda a, b: ops.where(MASK, a, b), normal(4, 3), normal(3)),
    case("where-(4,1),(4,3)", lambda a, b: ops.where(MASK, a, b), normal(4, 1), normal(4, 3)),
    case("where-constant", lambda a: ops.where(MASK, a, 0.0), normal(4, 3)),
    # -- activations
    case("relu", ops.relu, away(4, 3)),
    case("sigmoid", ops.sigmoid, normal(4, 3)),
    case("tanh", ops.tanh, normal(4, 3)),
    case("softmax", ops.softmax, normal(4, 3)),
    case("softmax-axis-0", lambda a: ops.softmax(a, axis=0), normal(4, 3)),
    case("log_softmax", ops.log_softmax, normal(4, 3)),
    case("log_softmax-axis-0", lambda a: ops.log_softmax(a, axis=0), normal(4, 3)),
    case("logsumexp", ops.logsumexp, normal(4, 3)),
    case("logsumexp-axis-1", lambda a: ops.logsumexp(a, axis=1), normal(4, 3)),
    case("logsumexp-axis--1", lambda a: ops.logsumexp(a, axis=-1), normal(2, 4, 3)),
    case("logsumexp-axis-0-keepdims", lambda a: ops.logsumexp(a, 0, keepdims=True), normal(4, 3)),
    case("logsumexp-keepdims", lambda a: ops.logsumexp(a, keepdims=True), normal(4, 3)),
    # -- linear algebra and reductions
    case("matmul", ops.matmul, normal(4, 3), normal(3, 2)),
    case("matmul-batched", ops.matmul, normal(2, 4, 3), normal(2, 3, 2)),
    case("matmul-operator", lambda a, b: a @ b, normal(4, 3), normal(3, 2)),
    case(
        "matmul-constant-left", lambda b: ops.matmul(np.arange(6.0).reshape(2, 3), b), normal(3, 2)
    ),
    case(
        "matmul-shared-weight",  # (batch, time, features) times one (features, units) kernel
        ops.matmul,
        normal(2, 4, 3),
        normal(3, 2),
    ),
    case(
        "matmul-vector",
        ops.matmul,
        normal(3),
        normal(3, 2),
    ),
    case("sum", ops.sum, normal(4, 3)),
    case("sum-axis-0", lambda a: ops.sum(a, axis=0), normal(4, 3)),
    case("sum-axis--1", lambda a: ops.sum(a, axis=-1), normal(4, 3)),
    case("sum-axis-1-keepdims", lambda a: ops.sum(a, axis=1, keepdims=True), normal(4, 3)),
    case("sum-keepdims", lambda a: ops.sum(a, keepdims=True), normal(4, 3)),
    case("sum-axes-(0,2)", lambda a: ops.sum(a, axis=(0, 2)), normal(2, 4, 3)),
    case("mean", ops.mean, normal(4, 3)),
    case("mean-axis-0", lambda a: ops.mean(a, axis=0), normal(4, 3)),
    case("mean-axis--1", lambda a: ops.mean(a, axis=-1), normal(4, 3)),
    case("mean-axis-1-keepdims", lambda a: ops.mean(a, axis=1, keepdims=True), normal(4, 3)),
    case("mean-keepdims", lambda a: ops.mean(a, keepdims=True), normal(4, 3)),
    case("mean-axes-(0,2)-keepdims", lambda a: ops.mean(a, (0, 2), keepdims=True), normal(2, 4, 3)),
    # -- shapes
    case("reshape", lambda a: ops.reshape(a, (2, 6)), normal(4, 3)),
    case("reshape-flat", lambda a: ops.reshape(a, (-1,)), normal(4, 3)),
    case("reshape-3d", lambda a: ops.reshape(a, (3, 2, 2)), normal(4, 3)),
    case("transpose", ops.transpose, normal(4, 3)),
    case("transpose-T", lambda a: a.T, normal(4, 3)),
    case("transpose-axes", lambda a: ops.transpose(a, (1, 2, 0)), normal(2, 3, 4)),
    case(
        "transpose-negative-axes",
        lambda a: ops.transpose(a, (0, -1, 1)),
        normal(2, 3, 4),
    ),
    case("expand_dims-0", lambda a: ops.expand_dims(a, 0), normal(4, 3)),
    case("expand_dims--1", lambda a: ops.expand_dims(a, -1), normal(4, 3)),
    case("take_slice-rows", lambda a: ops.take_slice(a, slice(1, 3)), normal(4, 3)),
    case("getitem-step", lambda a: a[:, ::2], normal(4, 3)),
    case("getitem-reversed", lambda a: a[::-1, 1:], normal(4, 3)),
    case("getitem-int", lambda a: a[2], normal(4, 3)),
    case("getitem-ellipsis", lambda a: a[..., 0], normal(2, 4, 3)),
    case("getitem-newaxis", lambda a: a[None], normal(4, 3)),
    case("getitem-repeated-rows", lambda a: a[np.array([0, 2, 0, 0])], normal(4, 3)),
    case("getitem-repeated-list", lambda a: a[[3, 3, 1]], normal(4, 3)),
    case("getitem-repeated-pairs", lambda a: a[[1, 1, 0, 1], [2, 2, 0, 2]], normal(4, 3)),
    case("getitem-mask", lambda a: a[MASK], normal(4, 3)),
    case(
        "concatenate",
        lambda a, b, c: ops.concatenate([a, b, c]),
        *(normal(4, n) for n in (1, 2, 3)),
    ),
    case(
        "concatenate-axis-0",
        lambda a, b: ops.concatenate([a, b], axis=0),
        normal(2, 3),
        normal(4, 3),
    ),
    case(
        "concatenate-constant",
        lambda a: ops.concatenate([np.ones((4, 2)), a], axis=1),
        normal(4, 3),
    ),
    # -- compositions: the chain rule through several recorded ops
    case(
        "logistic-layer",
        lambda x, w, b: ops.sigmoid(ops.matmul(x, w) + b),
        normal(5, 3),
        normal(3, 2),
        normal(2),
    ),
    case(
        "cross-entropy",
        lambda z: -ops.mean(ops.log_softmax(z)[np.arange(4), np.array([2, 0, 1, 2])]),
        normal(4, 3),
    ),
    case("swish", lambda x: x * ops.sigmoid(x), normal(4, 3)),
    case("norm", lambda x: ops.sqrt(ops.sum(ops.square(x), axis=1) + 1e-3), normal(4, 3)),
]


@pytest.mark.parametrize(("fn", "arrays"), GRADIENT_CASES)
def test_gradient_matches_central_differences(float64, fn, arrays):
    check_gradients(fn, *arrays)


def test_gradient_check_would_catch_a_wrong_gradient(float64):
    """The check is sensitive: a gradient off by a factor 1 + 1e-5 fails the tolerance."""
    x = gn.Variable(normal(4, 3), "x")
    upstream = normal(4, 3)
    with gn.Tape() as tape:
        out = ops.tanh(x)
    tape.backward([(out, upstream)])
    numeric = numerical_gradient(lambda: float(np.sum(upstream * ops.tanh(x))), x.value)
    assert relative_error(x.grad, numeric) < TOLERANCE
    assert relative_error(x.grad * (1 + 1e-5), numeric) > TOLERANCE


# -- forward values from the published formulas --------------------------------------------------
def test_softmax_of_1_2_3(float64):
    # eⁱ / (e + e² + e³) for i = 1, 2, 3
    expected = [0.09003057317038046, 0.24472847105479764, 0.6652409557748219]
    np.testing.assert_allclose(ops.softmax(np.array([1.0, 2.0, 3.0])), expected, rtol=1e-14)


def test_softmax_is_stable_for_large_logits(float64):
    out = ops.softmax(np.array([[1001.0, 1002.0, 1003.0], [-1000.0, -1000.0, -1000.0]]))
    np.testing.assert_allclose(
        out[0], [0.09003057317038046, 0.24472847105479764, 0.6652409557748219]
    )
    np.testing.assert_allclose(out[1], [1 / 3] * 3, rtol=1e-14)


def test_softmax_axis_0_normalises_columns(float64):
    out = ops.softmax(np.array([[0.0, 5.0], [math.log(3.0), 5.0]]), axis=0)
    # column 0: [1, 3] / 4; column 1: two equal logits
    np.testing.assert_allclose(out, [[0.25, 0.5], [0.75, 0.5]], rtol=1e-14)


def test_logsumexp_is_stable_at_1000(float64):
    # log(e¹⁰⁰⁰ + e¹⁰⁰⁰) = 1000 + log 2, although e¹⁰⁰⁰ overflows
    assert float(ops.logsumexp(np.array([1000.0, 1000.0]))) == pytest.approx(
        1000 + math.log(2), rel=1e-15
    )
    assert float(ops.logsumexp(np.array([-1000.0, -1000.0]))) == pytest.approx(
        -1000 + math.log(2), rel=1e-15
    )


def test_logsumexp_axis_and_keepdims_shapes(float64):
    a = np.array([[0.0, math.log(3.0)], [1.0, 1.0]])
    np.testing.assert_allclose(
        ops.logsumexp(a, axis=1), [math.log(4.0), 1 + math.log(2.0)], rtol=1e-14
    )
    kept = ops.logsumexp(a, axis=1, keepdims=True)
    assert kept.shape == (2, 1)
    assert ops.logsumexp(a, keepdims=True).shape == (1, 1)
    # log(1 + 3 + e + e)
    assert float(ops.logsumexp(a)) == pytest.approx(math.log(4 + 2 * math.e), rel=1e-14)


def test_log_softmax_of_1_2_3(float64):
    lse = math.log(math.e + math.e**2 + math.e**3)  # 3.40760596444438
    np.testing.assert_allclose(
        ops.log_softmax(np.array([1.0, 2.0, 3.0])), [1 - lse, 2 - lse, 3 - lse], rtol=1e-14
    )


def test_log_softmax_is_exact_where_softmax_underflows(float64):
    out = ops.log_softmax(np.array([0.0, 1000.0]))
    # log(e⁰ / (e⁰ + e¹⁰⁰⁰)) = −1000 (up to e⁻¹⁰⁰⁰): finite, not log(0) = −inf
    np.testing.assert_allclose(out, [-1000.0, 0.0], rtol=1e-15, atol=1e-300)


def test_elementwise_known_values(float64):
    np.testing.assert_allclose(ops.sigmoid(np.array([0.0, math.log(3.0)])), [0.5, 0.75], rtol=1e-14)
    # tanh(ln 2) = (2 − ½) / (2 + ½) = 0.6
    assert float(ops.tanh(np.array(math.log(2.0)))) == pytest.approx(0.6, rel=1e-14)
    np.testing.assert_array_equal(ops.relu(np.array([-1.0, 0.0, 2.0])), [0.0, 0.0, 2.0])
    np.testing.assert_array_equal(
        ops.clip(np.array([-3.0, 0.25, 3.0]), -1.0, 1.0), [-1.0, 0.25, 1.0]
    )
    np.testing.assert_array_equal(ops.power(np.array([4.0, 9.0]), 1.5), [8.0, 27.0])
    np.testing.assert_array_equal(ops.mean(np.array([[1.0, 2.0], [3.0, 6.0]]), axis=0), [2.0, 4.0])
    assert ops.mean(np.ones((2, 3)), axis=1, keepdims=True).shape == (2, 1)


def test_backward_of_softmax_sums_to_zero_per_row(float64):
    """Σⱼ softmax = 1 whatever the logits, so the gradient of Σ softmax is 0 (by hand)."""
    z = gn.Variable(normal(4, 3), "z")
    with gn.Tape() as tape:
        out = ops.softmax(z)
    tape.backward([(out, np.ones((4, 3)))])
    np.testing.assert_allclose(z.grad, np.zeros((4, 3)), atol=1e-15)


def test_cross_entropy_gradient_is_softmax_minus_onehot(float64):
    """∂(−log softmax(z)ₖ)/∂z = softmax(z) − eₖ, the textbook result."""
    z = np.array([1.0, 2.0, 3.0])
    zv = gn.Variable(z.copy(), "z")
    with gn.Tape() as tape:
        out = -ops.log_softmax(zv)[0]
    tape.backward([(out, np.array(1.0))])
    expected = np.exp(z) / np.exp(z).sum() - np.array([1.0, 0.0, 0.0])
    np.testing.assert_allclose(zv.grad, expected, rtol=1e-14)


def test_maximum_tie_sends_the_gradient_to_the_first_input(float64):
    a, b = gn.Variable(np.array([1.0, 2.0]), "a"), gn.Variable(np.array([1.0, 3.0]), "b")
    with gn.Tape() as tape:
        out = ops.maximum(a, b)
    tape.backward([(out, np.array([5.0, 7.0]))])
    np.testing.assert_array_equal(a.grad, [5.0, 0.0])
    np.testing.assert_array_equal(b.grad, [0.0, 7.0])


# -- outside a tape: plain NumPy --------------------------------------------------------------
A43 = normal(4, 3)
UNARY = {
    "negative": ops.negative,
    "square": ops.square,
    "exp": ops.exp,
    "abs": ops.abs,
    "relu": ops.relu,
    "sigmoid": ops.sigmoid,
    "tanh": ops.tanh,
    "softmax": ops.softmax,
    "log_softmax": ops.log_softmax,
    "logsumexp-axis": lambda a: ops.logsumexp(a, axis=1),
    "sum-axis": lambda a: ops.sum(a, axis=0),
    "mean-keepdims": lambda a: ops.mean(a, keepdims=True),
    "clip": lambda a: ops.clip(a, -0.5, 0.5),
    "power": lambda a: ops.power(a, 2),
    "reshape": lambda a: ops.reshape(a, (3, 4)),
    "transpose": ops.transpose,
    "expand_dims": lambda a: ops.expand_dims(a, 1),
    "take_slice": lambda a: ops.take_slice(a, [0, 0, 2]),
    "matmul": lambda a: ops.matmul(a, np.ones((3, 2))),
    "concatenate": lambda a: ops.concatenate([a, a], axis=0),
    "where": lambda a: ops.where(MASK, a, 0.0),
    "maximum": lambda a: ops.maximum(a, 0.0),
    "divide": lambda a: ops.divide(a, 2.0),
}


@pytest.mark.parametrize("name", list(UNARY))
def test_outside_a_tape_ops_return_plain_arrays(name):
    fn = UNARY[name]
    out = fn(A43)
    assert type(out) is np.ndarray
    # a Variable outside a tape is read as its array: the same values, still a plain array
    from_variable = fn(gn.Variable(A43.copy(), "w"))
    assert type(from_variable) is np.ndarray
    np.testing.assert_array_equal(from_variable, out)


def test_outside_a_tape_values_match_numpy():
    a, b = A43, normal(3)
    np.testing.assert_array_equal(ops.add(a, b), a + b)
    np.testing.assert_array_equal(ops.multiply(a, b), a * b)
    np.testing.assert_array_equal(ops.matmul(a, a.T), a @ a.T)
    np.testing.assert_array_equal(ops.take_slice(a, (slice(None), 1)), a[:, 1])
    assert ops.sum(a) == pytest.approx(a.sum())


LIST_INPUTS = {
    "add": lambda: ops.add([1.0, 2.0], [3.0, 4.0]),
    "exp": lambda: ops.exp([0.0, 1.0]),
    "logsumexp": lambda: ops.logsumexp([0.0, 1.0]),
    "softmax": lambda: ops.softmax([1.0, 2.0]),
    "log_softmax": lambda: ops.log_softmax([1.0, 2.0]),
    "relu": lambda: ops.relu([-1.0, 2.0]),
    "clip": lambda: ops.clip([-1.0, 2.0], 0.0, 1.0),
    "matmul": lambda: ops.matmul([[1.0, 2.0]], [[3.0], [4.0]]),
    "take_slice": lambda: ops.take_slice([1.0, 2.0], 0),
}


@pytest.mark.parametrize(
    "name",
    LIST_INPUTS,
)
def test_outside_a_tape_ops_accept_array_likes(name):
    """'Outside training they are plain NumPy': a list works as it does in NumPy."""
    out = LIST_INPUTS[name]()
    assert isinstance(out, (np.ndarray, np.generic))
    assert np.all(np.isfinite(out))


def test_variable_in_plain_numpy_is_its_array():
    value = np.array([[1.0, -2.0], [3.0, 0.5]])
    v = gn.Variable(value, "w")
    assert np.asarray(v) is value
    assert np.asarray(v, dtype=np.float32).dtype == np.float32
    for result, expected in [
        (v + 1, value + 1),
        (1 + v, 1 + value),
        (v * v, value * value),
        (np.ones(2) + v, np.ones(2) + value),
        (np.exp(v), np.exp(value)),
        (np.sum(v), value.sum()),
        (v @ v, value @ value),
        (v.T, value.T),
        (v[0], value[0]),
    ]:
        assert type(result) in (np.ndarray, np.float64)
        np.testing.assert_array_equal(result, expected)
    assert v.shape == (2, 2) and v.dtype == np.float64 and v.ndim == 2 and len(v) == 2


def test_np_array_of_a_variable_is_a_copy():
    v = gn.Variable(np.zeros(3), "w")
    copied = np.array(v)  # np.array copies by default
    copied[0] = 5.0
    np.testing.assert_array_equal(v.value, [0.0, 0.0, 0.0])


def test_numpy_of_a_variable_is_a_copy():
    v = gn.Variable(np.zeros(3), "w")
    copied = v.numpy()
    copied[0] = 5.0
    np.testing.assert_array_equal(v.value, [0.0, 0.0, 0.0])


# -- inside a tape: recorded values refuse NumPy ---------------------------------------------
def test_numpy_function_on_a_recorded_tensor_names_the_op():
    v = gn.Variable(normal(3), "v")
    with gn.Tape():
        t = v * 2.0
        with pytest.raises(TypeError, match=r"np\.exp") as info:
            np.exp(t)
        assert "glassnet.ops" in str(info.value)
        with pytest.raises(TypeError, match=r"np\.sum"):
            np.sum(t)
        with pytest.raises(TypeError, match=r"np\.exp"):
            np.exp(v)  # a trainable Variable is recorded too


def test_asarray_of_a_recorded_value_raises():
    v = gn.Variable(normal(3), "v")
    with gn.Tape():
        t = ops.exp(v)
        with pytest.raises(TypeError, match=r"glassnet\.ops"):
            np.asarray(t)
        with pytest.raises(TypeError, match=r"glassnet\.ops"):
            np.array(v)
        np.testing.assert_array_equal(t.numpy(), np.exp(v.value))  # the way to read the values


@pytest.mark.parametrize("name", ["round", "sign", "floor"])
def test_value_only_op_on_a_recorded_tensor_raises(name):
    v = gn.Variable(np.array([0.4, -1.6, 2.5]), "v")
    fn = getattr(ops, name)
    with gn.Tape() as tape:
        t = v * 1.0
        with pytest.raises(TypeError, match=rf"ops\.{name}\b") as info:
            fn(t)
        assert "stop_gradient" in str(info.value)
        # through stop_gradient it is a value: allowed, and a plain array
        out = fn(ops.stop_gradient(t))
        # and on a plain array inside the tape too
        plain = fn(np.array([0.4, -1.6, 2.5]))
    expected = getattr(np, name)(np.array([0.4, -1.6, 2.5]))
    assert type(out) is np.ndarray and type(plain) is np.ndarray
    np.testing.assert_array_equal(out, expected)
    np.testing.assert_array_equal(plain, expected)
    assert len(tape) == 1  # only the multiply was recorded


def test_power_refuses_a_recorded_exponent():
    v = gn.Variable(positive(3), "v")
    with gn.Tape(), pytest.raises(TypeError, match="constant exponent"):
        ops.power(v, v)


def test_stop_gradient_blocks_the_gradient(float64):
    s_value, w_value = normal(4, 3), normal(4, 3)
    s, w = gn.Variable(s_value.copy(), "s"), gn.Variable(w_value.copy(), "w")
    upstream = normal(4, 3)
    with gn.Tape() as tape:
        const = ops.stop_gradient(s)
        assert type(const) is np.ndarray
        const[0, 0] = 99.0  # a copy: writing it leaves the weight alone
        out = ops.multiply(ops.stop_gradient(s), w)
    assert s.value[0, 0] == s_value[0, 0]
    tape.backward([(out, upstream)])
    assert s.grad is None
    np.testing.assert_array_equal(w.grad, upstream * s_value)
    assert len(tape) == 1 and tape.nodes[0].needs == (False, True)


def test_stop_gradient_of_a_tensor_cuts_one_path(float64):
    """L = Σ u ⊙ (x² + stop(x²)): only the first path reaches x, ∂L/∂x = 2x ⊙ u."""
    x = gn.Variable(normal(3), "x")
    u = normal(3)
    with gn.Tape() as tape:
        sq = ops.square(x)
        out = sq + ops.stop_gradient(sq)
    tape.backward([(out, u)])
    np.testing.assert_allclose(x.grad, 2 * x.value * u, rtol=1e-15)


def test_comparisons_are_constant_masks_usable_in_where(float64):
    x_value = np.array([[-1.0, 2.0, -3.0], [4.0, -0.5, 0.25]])
    x = gn.Variable(x_value.copy(), "x")
    upstream = np.arange(1.0, 7.0).reshape(2, 3)
    with gn.Tape() as tape:
        t = x * 1.0
        mask = t > 0
        assert type(mask) is np.ndarray and mask.dtype == bool
        assert len(tape) == 1  # the comparison is not recorded
        np.testing.assert_array_equal(mask, x_value > 0)
        np.testing.assert_array_equal(x >= 0.25, x_value >= 0.25)
        np.testing.assert_array_equal(t < -1.0, x_value < -1.0)
        np.testing.assert_array_equal(t <= -1.0, x_value <= -1.0)
        np.testing.assert_array_equal(ops.equal(t, 4.0), x_value == 4.0)
        index = ops.argmax(t, axis=1)
        assert type(index) is np.ndarray
        np.testing.assert_array_equal(index, [1, 0])
        np.testing.assert_array_equal(ops.argmin(t, axis=1), [2, 1])
        out = ops.where(mask, t, 0.0)  # relu written by hand
    tape.backward([(out, upstream)])
    np.testing.assert_array_equal(x.grad, upstream * (x_value > 0))
    np.testing.assert_array_equal(out.numpy(), np.maximum(x_value, 0.0))


ARRAY_ON_THE_LEFT = {
    "add": (lambda c, t: c + t, lambda c, u: u),
    "subtract": (lambda c, t: c - t, lambda c, u: -u),
    "multiply": (lambda c, t: c * t, lambda c, u: c * u),
    "divide": (lambda c, t: c / t, None),
}


@pytest.mark.parametrize("name", ["add", "subtract", "multiply", "divide", "numpy-scalar"])
def test_array_on_the_left_of_an_operator_is_recorded(float64, name):
    """`y_true * ops.log(y_pred)` in a custom loss: a constant array on the left of an
    operator is arithmetic, recorded like `ops.multiply(y_true, …)` (the reflected operators
    and __array_priority__ of Tensor are there for this)."""
    c = np.array([1.0, 2.0, 3.0])
    x = gn.Variable(np.array([0.5, 1.5, 2.5]), "x")
    u = np.array([1.0, -1.0, 0.5])
    with gn.Tape() as tape:
        t = x * 1.0
        if name == "numpy-scalar":
            out = np.float64(2.0) * t
            expected = 2.0 * u
        else:
            forward, grad = ARRAY_ON_THE_LEFT[name]
            out = forward(c, t)
            expected = grad(c, u) if grad else -u * c / x.value**2
    assert isinstance(out, gn.Tensor)
    tape.backward([(out, u)])
    np.testing.assert_allclose(x.grad, expected, rtol=1e-14)


# -- dtypes and shapes, for random shapes -----------------------------------------------------
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    shapes=mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=4),
    name=st.sampled_from(["add", "multiply"]),
    seed=st.integers(0, 2**16),
)
def test_broadcast_gradient_has_the_input_shape_and_dtype(shapes, name, seed):
    (shape_a, shape_b), out_shape = shapes.input_shapes, shapes.result_shape
    rng = np.random.default_rng(seed)
    a_value = rng.normal(size=shape_a).astype(np.float32)
    b_value = rng.normal(size=shape_b).astype(np.float32)
    a, b = gn.Variable(a_value.copy(), "a"), gn.Variable(b_value.copy(), "b")
    with gn.Tape() as tape:
        out = getattr(ops, name)(a, b)
    assert isinstance(out, gn.Tensor)
    assert out.shape == out_shape
    assert out.dtype == np.float32
    tape.backward([(out, np.ones(out_shape, dtype=np.float32))])
    for v, other in ((a, b_value), (b, a_value)):
        assert v.grad.shape == v.value.shape
        assert v.grad.dtype == np.float32
        # with ∂out = 1: Σ ∂v = Σ over out of ∂out/∂v (1 for add, the other factor for multiply)
        total = (
            out.size if name == "add" else np.broadcast_to(other, out_shape).sum(dtype=np.float64)
        )
        assert float(v.grad.sum(dtype=np.float64)) == pytest.approx(
            float(total), rel=1e-4, abs=1e-4
        )
        if name == "add":  # each entry of v was used out.size / v.size times
            np.testing.assert_array_equal(
                v.grad, np.full(v.value.shape, out.size // max(v.size, 1))
            )


FLOAT32_UNARY = {
    "negative": ops.negative,
    "square": ops.square,
    "exp": ops.exp,
    "sigmoid": ops.sigmoid,
    "tanh": ops.tanh,
    "relu": ops.relu,
    "abs": ops.abs,
    "power": lambda a: ops.power(a, 3),
    "softmax": ops.softmax,
    "log_softmax": ops.log_softmax,
    "logsumexp": lambda a: ops.logsumexp(a, axis=-1),
    "sum": lambda a: ops.sum(a, axis=0),
    "mean": lambda a: ops.mean(a, axis=-1, keepdims=True),
    "transpose": ops.transpose,
    "scale": lambda a: a * 0.5,
    "divide": lambda a: a / 3.0,
    "getitem": lambda a: a[0],
}


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    shape=st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple),
    name=st.sampled_from(sorted(FLOAT32_UNARY)),
)
def test_float32_in_float32_out(shape, name):
    fn = FLOAT32_UNARY[name]
    value = np.random.default_rng(0).normal(size=shape).astype(np.float32)
    plain = fn(value)
    assert plain.dtype == np.float32
    v = gn.Variable(value.copy(), "v")
    with gn.Tape() as tape:
        out = fn(v)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out.numpy(), plain)
    tape.backward([(out, np.ones(out.shape, dtype=np.float32))])
    assert v.grad.shape == shape
    assert v.grad.dtype == np.float32
