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
