"""Synthetic tabular sets: the lesson's classification task and a house-price regression."""

from __future__ import annotations

from typing import Any, Literal, NamedTuple, overload

import numpy as np
import sklearn.datasets

from glassnet import config
from glassnet.datasets._seeds import sklearn_random_state
from glassnet.utils import check_number, check_positive_int

Seed = int | np.random.Generator | None
Split = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def make_classification(
    n_samples: int = 5000,
    n_features: int = 20,
    n_train: int = 4000,
    seed: Seed = 0,
    **kwargs: Any,
) -> Split:
    """The lesson's task: ``sklearn.datasets.make_classification``, first n_train rows to train.

    An int ``seed`` is scikit-learn's ``random_state``, so the arrays equal those of
    ``make_classification(n_samples, n_features, random_state=seed)``; scikit-learn shuffles
    the rows, so the last ``n_samples - n_train`` rows make a fair test set. Other keyword
    arguments (``n_informative``, ``n_classes``, ``class_sep``, …) go to scikit-learn.

    Returns ``((x_train, y_train), (x_test, y_test))``: x floatx, y int64 labels.

    >>> (x_train, y_train), (x_test, y_test) = make_classification(seed=0)
    >>> x_train.shape, x_test.shape
    ((4000, 20), (1000, 20))
    """
    n_samples = check_positive_int("n_samples", n_samples)
    n_features = check_positive_int("n_features", n_features)
    n_train = check_positive_int("n_train", n_train)
    if n_train >= n_samples:
        raise ValueError(
            f"n_train must be smaller than n_samples={n_samples} to leave a test set, got {n_train}"
        )
    x, y = sklearn.datasets.make_classification(
        n_samples=n_samples,
        n_features=n_features,
        random_state=sklearn_random_state(seed),
        **kwargs,
    )
    x = x.astype(config.floatx())
    y = y.astype(np.int64)
    return (x[:n_train], y[:n_train]), (x[n_train:], y[n_train:])


class LinearRule(NamedTuple):
    """The rule that generated ``house_prices``: price = intercept + x · weights (+ noise)."""

    intercept: float
    weights: np.ndarray
    feature_names: tuple[str, ...]


HOUSE_FEATURES = ("size_m2", "rooms", "age_years")
HOUSE_INTERCEPT = 50.0  # thousand
HOUSE_WEIGHTS = (2.5, 12.0, -0.8)  # thousand per m², per room, per year of age


@overload
def house_prices(
    n_samples: int = ...,
    n_features: int = ...,
    noise: float = ...,
    seed: Seed = ...,
    return_coef: Literal[False] = ...,
) -> tuple[np.ndarray, np.ndarray]: ...


@overload
def house_prices(
    n_samples: int = ...,
    n_features: int = ...,
    noise: float = ...,
    seed: Seed = ...,
    *,
    return_coef: Literal[True],
) -> tuple[np.ndarray, np.ndarray, LinearRule]: ...


def house_prices(
    n_samples: int = 200,
    n_features: int = 1,
    noise: float = 20.0,
    seed: Seed = None,
    return_coef: bool = False,
) -> tuple[np.ndarray, np.ndarray] | tuple[np.ndarray, np.ndarray, LinearRule]:
    """House prices (in thousands) from a known linear rule plus Gaussian noise.

    The features, in this order (the first ``n_features`` of them are used):

    - ``size_m2``: floor area, uniform in [30, 200) m²;
    - ``rooms``: round(size / 25 + N(0, 0.5²)) clipped to [1, 8], so it grows with size;
    - ``age_years``: uniform in [0, 80) years.

    price = 50 + 2.5·size_m2 + 12·rooms − 0.8·age_years + N(0, noise²), keeping only the terms
    of the features returned (with n_features=1: price = 50 + 2.5·size_m2 + noise). Features
    are left in their units: standardize them before training.

    Returns ``(x, y)`` with x of shape (n_samples, n_features) and y a column (n_samples, 1),
    both floatx; with ``return_coef=True`` also the `LinearRule` that made them.

    >>> x, y, rule = house_prices(100, n_features=2, noise=0.0, seed=0, return_coef=True)
    >>> rule.intercept, rule.weights.tolist()
    (50.0, [2.5, 12.0])
    """
    n_samples = check_positive_int("n_samples", n_samples)
    n_features = check_positive_int("n_features", n_features)
    if n_features > len(HOUSE_FEATURES):
        raise ValueError(
            f"n_features must be 1, 2 or 3 (of {', '.join(HOUSE_FEATURES)}), got {n_features}"
        )
    noise = check_number("noise", noise, low=0)
    rng = config.make_rng(seed)
    size = rng.uniform(30.0, 200.0, n_samples)
    rooms = np.clip(np.round(size / 25.0 + rng.normal(0.0, 0.5, n_samples)), 1, 8)
    age = rng.uniform(0.0, 80.0, n_samples)
    x = np.column_stack([size, rooms, age])[:, :n_features]
    weights = np.array(HOUSE_WEIGHTS[:n_features])
    y = HOUSE_INTERCEPT + x @ weights + rng.normal(0.0, noise, n_samples)
    x = x.astype(config.floatx())
    y = y.reshape(-1, 1).astype(config.floatx())
    if return_coef:
        return x, y, LinearRule(HOUSE_INTERCEPT, weights, HOUSE_FEATURES[:n_features])
    return x, y
