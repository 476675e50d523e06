"""Toy sets: the paper's 4-sample example, XOR, and 2-D sets for decision-boundary pictures.

The 2-D sets return ``(x, y)``: ``x`` float (floatx) of shape (n_samples, 2), ``y`` int64 labels.
"""

from __future__ import annotations

import numpy as np
import sklearn.datasets
from numpy.typing import ArrayLike

from glassnet import config
from glassnet.datasets._seeds import sklearn_random_state
from glassnet.utils import check_number, check_positive_int

Seed = int | np.random.Generator | None


def paper_example() -> tuple[np.ndarray, np.ndarray]:
    """The lesson's 4-sample training set, where the target equals the first input column.

    Returns ``(x, y)``: x of shape (4, 3), y a column of shape (4, 1), both floatx.

    >>> x, y = paper_example()
    >>> y.ravel().tolist()
    [0.0, 1.0, 1.0, 0.0]
    """
    x = np.array([[0, 0, 1], [1, 1, 1], [1, 0, 1], [0, 1, 1]], dtype=config.floatx())
    y = np.array([[0], [1], [1], [0]], dtype=config.floatx())
    return x, y


def xor() -> tuple[np.ndarray, np.ndarray]:
    """The four XOR points: y = x₁ XOR x₂, which no single neuron can separate.

    Returns ``(x, y)``: x of shape (4, 2), y a column of shape (4, 1), both floatx.
    """
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=config.floatx())
    y = np.array([[0], [1], [1], [0]], dtype=config.floatx())
    return x, y


def moons(
    n_samples: int = 200, noise: float = 0.1, seed: Seed = None
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (``sklearn.datasets.make_moons``), labels 0 and 1.

    ``noise`` is the standard deviation of Gaussian noise added to each coordinate.

    >>> x, y = moons(100, noise=0.1, seed=0)
    >>> x.shape, sorted(set(y.tolist()))
    ((100, 2), [0, 1])
    """
    n_samples = check_positive_int("n_samples", n_samples)
    noise = check_number("noise", noise, low=0)
    x, y = sklearn.datasets.make_moons(
        n_samples=n_samples, noise=noise, random_state=sklearn_random_state(seed)
    )
    return x.astype(config.floatx()), y.astype(np.int64)


def circles(
    n_samples: int = 200, noise: float = 0.05, factor: float = 0.5, seed: Seed = None
) -> tuple[np.ndarray, np.ndarray]:
    """A small circle (label 1) inside a large one (label 0) (``sklearn.datasets.make_circles``).

    ``factor`` is the inner radius over the outer radius (1), in [0, 1); ``noise`` is the
    standard deviation of Gaussian noise added to each coordinate.
    """
    n_samples = check_positive_int("n_samples", n_samples)
    noise = check_number("noise", noise, low=0)
    factor = check_number("factor", factor, low=0, high=1, high_open=True)
    x, y = sklearn.datasets.make_circles(
        n_samples=n_samples, noise=noise, factor=factor, random_state=sklearn_random_state(seed)
    )
    return x.astype(config.floatx()), y.astype(np.int64)


def blobs(
    n_samples: int = 200,
    centers: int | ArrayLike = 3,
    n_features: int = 2,
    cluster_std: float = 1.0,
    seed: Seed = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian clusters, one class per centre (``sklearn.datasets.make_blobs``).

    ``centers`` is a number of random centres or an array of shape (n_centers, n_features)
    (then ``n_features`` is taken from it); ``cluster_std`` is each cluster's standard deviation.
    """
    n_samples = check_positive_int("n_samples", n_samples)
    n_features = check_positive_int("n_features", n_features)
    cluster_std = check_number("cluster_std", cluster_std, low=0)
    if isinstance(centers, (int, np.integer)):  # bool included: rejected below
        centers = check_positive_int("centers", centers)
    else:
        centers = np.asarray(centers, dtype=np.float64)
        if centers.ndim != 2 or centers.shape[0] == 0:
            raise ValueError(
                "centers must be a number of centres or an array of shape "
                f"(n_centers, n_features), got an array of shape {centers.shape}"
            )
    x, y = sklearn.datasets.make_blobs(
        n_samples=n_samples,
        centers=centers,
        n_features=n_features,
        cluster_std=cluster_std,
        random_state=sklearn_random_state(seed),
    )
    return x.astype(config.floatx()), y.astype(np.int64)


def spirals(
    n_samples: int = 200, n_classes: int = 2, noise: float = 0.1, seed: Seed = None
) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms, one per class: a set no straight line can split.

    Arm k holds points at radius r ∈ [0, 1) (evenly spaced) and angle θ = 2πk/K + 2πr,
    i.e. (r·cos θ, r·sin θ), plus Gaussian noise of standard deviation ``noise`` on each
    coordinate. Samples are shared out as evenly as possible, the first arms taking the rest.

    >>> x, y = spirals(300, n_classes=3, seed=0)
    >>> np.bincount(y).tolist()
    [100, 100, 100]
    """
    n_samples = check_positive_int("n_samples", n_samples)
    n_classes = check_positive_int("n_classes", n_classes)
    noise = check_number("noise", noise, low=0)
    if n_samples < n_classes:
        raise ValueError(
            f"n_samples must be at least n_classes={n_classes} (one point per arm), got {n_samples}"
        )
    counts = np.full(n_classes, n_samples // n_classes)
    counts[: n_samples % n_classes] += 1
    y = np.repeat(np.arange(n_classes), counts)
    starts = np.cumsum(counts) - counts
    r = (np.arange(n_samples) - starts[y]) / counts[y]  # position along its arm, in [0, 1)
    theta = 2 * np.pi * y / n_classes + 2 * np.pi * r
    x = np.column_stack([r * np.cos(theta), r * np.sin(theta)])
    x += config.make_rng(seed).normal(scale=noise, size=x.shape)
    return x.astype(config.floatx()), y.astype(np.int64)
