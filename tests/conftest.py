import numpy as np
import pytest

import glassnet as gn


@pytest.fixture(autouse=True)
def _fresh_session():
    """Every test starts with float32, fresh automatic names and a seeded generator."""
    gn.set_floatx("float32")
    gn.clear_session()
    gn.set_seed(1234)
    yield
    gn.set_floatx("float32")


@pytest.fixture
def float64():
    gn.set_floatx("float64")
    yield
    gn.set_floatx("float32")


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.fixture
def keras_float64(monkeypatch):
    """Real Keras 3 (torch backend) computing in float64: its type promotion turns float64 into
    float32 (to follow JAX), so a float64 matrix product would run in float32; the fixture lifts
    that rule for the test. Yields the keras module."""
    import os

    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    from keras.src.backend.common import dtypes

    monkeypatch.setattr(dtypes, "BIT64_TO_BIT32_DTYPE", {})
    previous, policy = keras.backend.floatx(), keras.config.dtype_policy()
    keras.backend.set_floatx("float64")
    keras.config.set_dtype_policy("float64")
    keras.utils.set_random_seed(0)  # Keras draws the initial weights both libraries start from
    yield keras
    keras.backend.set_floatx(previous)
    keras.config.set_dtype_policy(policy)
