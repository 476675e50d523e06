"""Keras's small namespaces: backend, random, and utils.set_random_seed / normalize."""

import random as python_random

import numpy as np
import pytest

import glassnet as gn
from glassnet import backend, layers, utils
from glassnet import random as gn_random


def test_backend_names_match_keras():
    assert backend.floatx() == "float32"
    backend.set_floatx("float64")
    assert gn.floatx() == "float64"
    assert backend.epsilon() == 1e-7
    backend.set_epsilon(1e-5)
    assert backend.epsilon() == 1e-5
    backend.set_epsilon(1e-7)
    with pytest.raises(ValueError, match=r"epsilon must be a number in \(0, 1\), got -1"):
        backend.set_epsilon(-1)
    layers.Dense(2)
    backend.clear_session()
    assert layers.Dense(2).name == "dense"  # names count again from the start


def test_set_random_seed_fixes_python_numpy_and_the_weights():
    def draw():
        model = gn.Sequential([layers.Dense(3, input_shape=(2,))])
        return python_random.random(), np.random.rand(), model.get_weights()[0]  # noqa: NPY002

    utils.set_random_seed(7)
    a = draw()
    utils.set_random_seed(7)
    b = draw()
    assert a[0] == b[0] and a[1] == b[1]
    np.testing.assert_array_equal(a[2], b[2])
    utils.set_random_seed(8)
    assert not np.array_equal(draw()[2], a[2])


def test_normalize_divides_by_the_norm_and_leaves_zero_rows():
    x = np.array([[3.0, 4.0], [0.0, 0.0], [1.0, -1.0]])
    np.testing.assert_allclose(
        utils.normalize(x), [[0.6, 0.8], [0, 0], [1 / np.sqrt(2), -1 / np.sqrt(2)]]
    )
    np.testing.assert_allclose(utils.normalize(x, order=1)[0], [3 / 7, 4 / 7])
    np.testing.assert_allclose(
        utils.normalize(x, axis=0)[:, 0], [3 / np.sqrt(10), 0, 1 / np.sqrt(10)]
    )


def test_random_draws_repeat_from_a_seed_and_a_seed_generator_moves_on():
    a = gn_random.normal((1000,), mean=2.0, stddev=0.5, seed=3)
    np.testing.assert_array_equal(a, gn_random.normal((1000,), mean=2.0, stddev=0.5, seed=3))
    assert a.dtype == np.float32 and abs(a.mean() - 2.0) < 0.05 and abs(a.std() - 0.5) < 0.03
    gen = gn_random.SeedGenerator(1)
    first, second = gn_random.uniform((5,), seed=gen), gn_random.uniform((5,), seed=gen)
    assert not np.array_equal(first, second)
    again = gn_random.SeedGenerator(1)
    np.testing.assert_array_equal(gn_random.uniform((5,), seed=again), first)
    u = gn_random.uniform((2000,), minval=-1, maxval=3, seed=0)
    assert u.min() >= -1 and u.max() < 3
    r = gn_random.randint((2000,), 0, 4, seed=0)
    assert r.dtype == np.int32 and set(np.unique(r)) == {0, 1, 2, 3}
    t = gn_random.truncated_normal((5000,), stddev=2.0, seed=0)
    assert np.abs(t).max() <= 4.0 and 0.87 * 2 - 0.1 < t.std() < 0.87 * 2 + 0.1


def test_random_dropout_and_shuffle():
    x = np.ones((100, 100), dtype=np.float32)
    d = gn_random.dropout(x, 0.3, seed=0)
    kept = d != 0
    assert 0.67 < kept.mean() < 0.73
    np.testing.assert_allclose(d[kept], 1 / 0.7, rtol=1e-6)
    s = gn_random.shuffle(np.arange(10), seed=0)
    assert sorted(s.tolist()) == list(range(10)) and s.tolist() != list(range(10))
