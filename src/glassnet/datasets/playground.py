"""The data sets of the playground, as TensorFlow Playground draws them on the plane [-6, 6]².

Classification (labels 0 … k−1): `circle`, `xor`, `gaussians`, `spiral` (the last two take
``classes=k`` for three classes or more), and `paper`, the four samples of the paper's 3-2-1
network. Regression: `plane` (values in [-1.2, 1.2]) and `gaussian` (values in [-1, 1]).
Each is ``f(n=500, noise=0.0, seed=0, classes=2) -> (x, y)`` with ``x`` float64 of shape (n, 2)
and ``y`` of shape (n,): int64 labels for classification, float64 values for regression.
``noise`` is in percent (0–50), as the playground's slider; TensorFlow Playground's formulas
multiply by noise / 100. `paper` always gives its four samples (``n``, ``noise`` and ``seed``
do not apply), and they are not split: its test set is its training set (`UNSPLIT`).

`features` builds the network's input columns (``x1, x2, x1^2, x2^2, x1x2, sin_x1, sin_x2``
and the constant ``one``) and `split` shuffles and splits the points into training and test
sets. Everything is pure NumPy and drawn from ``numpy.random.default_rng(seed)``: the same
seed gives the same points.

>>> from glassnet.datasets import playground
>>> x, y = playground.spiral(n=500, noise=10, seed=0)
>>> (x_train, y_train), (x_test, y_test) = playground.split(x, y, train_ratio=50, seed=0)
>>> playground.features(x_train, ["x1", "x2", "sin_x1"]).shape
(250, 3)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

DOMAIN = 6.0
"""Points and heat maps cover [-DOMAIN, DOMAIN]² (TensorFlow Playground's plane)."""

FEATURES: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1^2": lambda x1, x2: x1 * x1,
    "x2^2": lambda x1, x2: x2 * x2,
    "x1x2": lambda x1, x2: x1 * x2,
    "sin_x1": lambda x1, x2: np.sin(x1),
    "sin_x2": lambda x1, x2: np.sin(x2),
    "one": lambda x1, x2: np.ones_like(x1),
}
"""The input features by name: each a column computed from the two coordinates (x₁, x₂);
``one`` is the constant input 1 (a bias written as an input, as the paper's third input)."""

CLASSIFICATION = ("circle", "xor", "gaussians", "spiral", "paper")
REGRESSION = ("plane", "gaussian")
MULTICLASS = ("gaussians", "spiral")
MAX_CLASSES = 5
UNSPLIT = ("paper",)
"""The data sets whose test set is their training set (`paper`: the paper has no test set)."""


def _check(n: int, noise: float, seed: int, classes: int, name: str) -> float:
    """Validate the common arguments; returns the noise as a fraction (noise / 100)."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"{name}: n must be a positive integer (number of points), got {n!r}")
    if isinstance(noise, bool) or not isinstance(noise, (int, float, np.number)):
        raise TypeError(f"{name}: noise must be a number in [0, 50] (percent), got {noise!r}")
    if not 0 <= float(noise) <= 50:
        raise ValueError(f"{name}: noise must be in [0, 50] (percent), got {noise!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"{name}: seed must be a non-negative integer, got {seed!r}")
    allowed = MAX_CLASSES if name in MULTICLASS else 2
    if isinstance(classes, bool) or not isinstance(classes, (int, np.integer)):
        raise TypeError(f"{name}: classes must be an integer, got {classes!r}")
    if not 2 <= classes <= allowed:
        hint = f"2 to {allowed}" if allowed > 2 else "2 (only gaussians and spiral take more)"
        raise ValueError(f"{name}: classes must be {hint}, got {classes!r}")
    return float(noise) / 100.0


def _sizes(n: int, classes: int) -> list[int]:
    """n points shared among the classes as evenly as possible (the first ones get the rest)."""
    return [n // classes + (1 if c < n % classes else 0) for c in range(classes)]


def circle(
    n: int = 500, noise: float = 0.0, seed: int = 0, classes: int = 2
) -> tuple[np.ndarray, np.ndarray]:
    """Class 1 inside a disc of radius 2.5, class 0 on a ring 3.5 ≤ r ≤ 5 around it.

    Half the points (rounded up) are drawn inside, r ~ U(0, 2.5), the others on the ring,
    r ~ U(3.5, 5), at an angle θ ~ U(0, 2π): (x₁, x₂) = (r sin θ, r cos θ). With noise ν the
    label is that of the point moved by (U(-5, 5)·ν, U(-5, 5)·ν): 1 if its radius < 2.5.

    >>> x, y = circle(n=100, seed=0)
    >>> bool(((np.hypot(x[:, 0], x[:, 1]) < 2.5) == (y == 1)).all())
    True
    """
    nu = _check(n, noise, seed, classes, "circle")
    rng = np.random.default_rng(seed)
    inside, outside = _sizes(n, 2)
    r = np.concatenate([rng.uniform(0, 2.5, inside), rng.uniform(3.5, 5.0, outside)])
    angle = rng.uniform(0, 2 * np.pi, n)
    x = np.column_stack([r * np.sin(angle), r * np.cos(angle)])
    moved = x + rng.uniform(-5, 5, (n, 2)) * nu
    y = (np.hypot(moved[:, 0], moved[:, 1]) < 2.5).astype(np.int64)
    return x, y


def xor(
    n: int = 500, noise: float = 0.0, seed: int = 0, classes: int = 2
) -> tuple[np.ndarray, np.ndarray]:
    """Class 1 where x₁·x₂ ≥ 0 (first and third quadrants), class 0 elsewhere.

    Each coordinate is U(-5, 5) pushed 0.3 away from the axis; with noise ν the label is that
    of the point moved by (U(-5, 5)·ν, U(-5, 5)·ν).

    >>> x, y = xor(n=100, seed=0)
    >>> bool(((x[:, 0] * x[:, 1] >= 0) == (y == 1)).all())
    True
    """
    nu = _check(n, noise, seed, classes, "xor")
    rng = np.random.default_rng(seed)
    x = rng.uniform(-5, 5, (n, 2))
    x += np.where(x > 0, 0.3, -0.3)  # padding: no point on an axis
    moved = x + rng.uniform(-5, 5, (n, 2)) * nu
    y = (moved[:, 0] * moved[:, 1] >= 0).astype(np.int64)
    return x, y


def gaussians(
    n: int = 500, noise: float = 0.0, seed: int = 0, classes: int = 2
) -> tuple[np.ndarray, np.ndarray]:
    """One Gaussian blob per class, σ = 0.5 + 7·ν (ν = noise / 100: 0.5 to 4).

    Class c is centred at radius 2√2 and angle 225° + 360°·c/k: for two classes, class 0 at
    (-2, -2) and class 1 at (2, 2), as TensorFlow Playground.

    >>> x, y = gaussians(n=200, seed=0, classes=3)
    >>> x.shape, sorted(set(y.tolist()))
    ((200, 2), [0, 1, 2])
    """
    nu = _check(n, noise, seed, classes, "gaussians")
    rng = np.random.default_rng(seed)
    sigma = 0.5 + 7.0 * nu
    sizes = _sizes(n, classes)
    y = np.repeat(np.arange(classes, dtype=np.int64), sizes)
    angle = np.deg2rad(225.0 + 360.0 * y / classes)
    centres = 2 * np.sqrt(2) * np.column_stack([np.cos(angle), np.sin(angle)])
    x = centres + rng.normal(0.0, sigma, (n, 2))
    return x, y


def spiral(
    n: int = 500, noise: float = 0.0, seed: int = 0, classes: int = 2
) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms, one per class.

    Point i of m on arm c: r = 5·i/m, t = 1.75·2π·i/m + π + 2π·c/k, (x₁, x₂) = (r sin t,
    r cos t) + ν·(U(-1, 1), U(-1, 1)) with ν = noise / 100 (for two classes, arm 1 starts at
    t = 0 and arm 0 at t = π, as TensorFlow Playground).

    >>> x, y = spiral(n=300, seed=0, classes=3)
    >>> np.bincount(y).tolist()
    [100, 100, 100]
    """
    nu = _check(n, noise, seed, classes, "spiral")
    rng = np.random.default_rng(seed)
    sizes = _sizes(n, classes)
    y = np.repeat(np.arange(classes, dtype=np.int64), sizes)
    i = np.concatenate([np.arange(m) for m in sizes])
    m = np.repeat(sizes, sizes)
    r = 5.0 * i / m
    t = 1.75 * 2 * np.pi * i / m + np.pi + 2 * np.pi * y / classes
    x = np.column_stack([r * np.sin(t), r * np.cos(t)]) + rng.uniform(-1, 1, (n, 2)) * nu
    return x, y


def plane(
    n: int = 500, noise: float = 0.0, seed: int = 0, classes: int = 2
) -> tuple[np.ndarray, np.ndarray]:
    """Regression on a tilted plane: y = (x₁ + x₂) / 10, points uniform on [-6, 6]² (so y lies
    in [-1.2, 1.2]: TensorFlow Playground's scale maps [-10, 10] to [-1, 1] without clamping).

    With noise ν the value is taken at the point moved by (U(-6, 6)·ν, U(-6, 6)·ν).
    ``classes`` is accepted (and must be 2) so that every set has the same signature.

    >>> x, y = plane(n=10, seed=0)
    >>> bool(np.allclose(y, (x[:, 0] + x[:, 1]) / 10))
    True
    """
    nu = _check(n, noise, seed, classes, "plane")
    rng = np.random.default_rng(seed)
    x = rng.uniform(-DOMAIN, DOMAIN, (n, 2))
    moved = x + rng.uniform(-DOMAIN, DOMAIN, (n, 2)) * nu
    return x, (moved[:, 0] + moved[:, 1]) / 10.0


_BUMPS = np.array(
    [[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]],
    dtype=np.float64,
)


def gaussian(
    n: int = 500, noise: float = 0.0, seed: int = 0, classes: int = 2
) -> tuple[np.ndarray, np.ndarray]:
    """Regression on six bumps of height ±1 (TensorFlow Playground's "Gaussian").

    Bump j at cⱼ with sign sⱼ gives vⱼ = sⱼ·max(0, 1 − ‖x − cⱼ‖/2); y is the vⱼ of largest
    |vⱼ| (0 far from every bump). Points are uniform on [-6, 6]²; with noise ν the value is
    taken at the point moved by (U(-6, 6)·ν, U(-6, 6)·ν).

    >>> x, y = gaussian(n=50, seed=0)
    >>> bool((np.abs(y) <= 1).all())
    True
    """
    nu = _check(n, noise, seed, classes, "gaussian")
    rng = np.random.default_rng(seed)
    x = rng.uniform(-DOMAIN, DOMAIN, (n, 2))
    moved = x + rng.uniform(-DOMAIN, DOMAIN, (n, 2)) * nu
    distance = np.hypot(moved[:, None, 0] - _BUMPS[:, 0], moved[:, None, 1] - _BUMPS[:, 1])
    values = _BUMPS[:, 2] * np.clip(1.0 - distance / 2.0, 0.0, 1.0)  # (n, 6)
    strongest = np.argmax(np.abs(values), axis=1)
    return x, values[np.arange(n), strongest]


PAPER_X = np.array([[0, 0], [1, 1], [1, 0], [0, 1]], dtype=np.float64)
PAPER_Y = np.array([0, 1, 1, 0], dtype=np.int64)


def paper(
    n: int = 4, noise: float = 0.0, seed: int = 0, classes: int = 2
) -> tuple[np.ndarray, np.ndarray]:
    """The paper's four samples (x₁, x₂) ∈ {0, 1}² with the label y = x₁, in the paper's order:
    (0, 0) → 0, (1, 1) → 1, (1, 0) → 1, (0, 1) → 0. With the constant feature ``one`` they are
    its inputs (x₁, x₂, 1).

    The same four samples whatever the arguments: ``n``, ``noise`` and ``seed`` are accepted
    (and checked) so that every set has the same signature, and do not apply. The paper has no
    test set: use the four samples for both (`UNSPLIT`), not `split`.

    >>> x, y = paper()
    >>> np.column_stack([features(x, ["x1", "x2", "one"]), y]).tolist()[1]
    [1.0, 1.0, 1.0, 1.0]
    """
    _check(n, noise, seed, classes, "paper")
    return PAPER_X.copy(), PAPER_Y.copy()


DATASETS: dict[str, Callable[..., tuple[np.ndarray, np.ndarray]]] = {
    "circle": circle,
    "xor": xor,
    "gaussians": gaussians,
    "spiral": spiral,
    "plane": plane,
    "gaussian": gaussian,
    "paper": paper,
}
"""Every data set by name."""


def load(
    name: str, n: int = 500, noise: float = 0.0, seed: int = 0, classes: int = 2
) -> tuple[np.ndarray, np.ndarray]:
    """The data set called ``name`` (one of `DATASETS`)."""
    if name not in DATASETS:
        raise ValueError(f"unknown data set {name!r}; accepted names are {sorted(DATASETS)}")
    return DATASETS[name](n=n, noise=noise, seed=seed, classes=classes)


def features(x: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """The input features of points x (n, 2): one column per name, in the order given.

    Names: ``x1, x2, x1^2, x2^2, x1x2, sin_x1, sin_x2, one`` (x₁, x₂, x₁², x₂², x₁x₂, sin x₁,
    sin x₂, and the constant 1). Returns a float64 array of shape (n, len(names)).

    >>> features(np.array([[1.0, 2.0]]), ["x1x2", "x2^2"]).tolist()
    [[2.0, 4.0]]
    """
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError(f"features expects points of shape (n, 2), got {arr.shape}")
    names = list(names)
    if not names:
        raise ValueError(f"features needs at least one feature name out of {list(FEATURES)}")
    unknown = [name for name in names if name not in FEATURES]
    if unknown:
        raise ValueError(f"unknown feature(s) {unknown}; accepted names are {list(FEATURES)}")
    if len(set(names)) != len(names):
        raise ValueError(f"feature names must not repeat, got {names}")
    x1, x2 = arr[:, 0], arr[:, 1]
    return np.column_stack([FEATURES[name](x1, x2) for name in names])


def split(
    x: np.ndarray, y: np.ndarray, train_ratio: float = 50, seed: int = 0
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Shuffle the points and split them: the first ⌊n·train_ratio/100⌋ train, the rest test.

    ``train_ratio`` is a percentage in (0, 100), as the playground's slider (10–90); both
    sets keep at least one point. The permutation is ``default_rng(seed).permutation(n)``.

    >>> x, y = xor(n=10, seed=0)
    >>> (x_train, y_train), (x_test, y_test) = split(x, y, train_ratio=70, seed=0)
    >>> len(x_train), len(x_test)
    (7, 3)
    """
    x, y = np.asarray(x), np.asarray(y)
    if len(x) != len(y):
        raise ValueError(f"split: x has {len(x)} points but y has {len(y)} labels")
    if len(x) < 2:
        raise ValueError(f"split needs at least 2 points (one to train, one to test), got {len(x)}")
    if isinstance(train_ratio, bool) or not isinstance(train_ratio, (int, float, np.number)):
        raise TypeError(f"split: train_ratio must be a percentage, got {train_ratio!r}")
    if not 0 < float(train_ratio) < 100:
        raise ValueError(f"split: train_ratio must be a percentage in (0, 100), got {train_ratio}")
    n = len(x)
    n_train = min(max(int(np.floor(n * float(train_ratio) / 100.0)), 1), n - 1)
    order = np.random.default_rng(seed).permutation(n)
    train, test = order[:n_train], order[n_train:]
    return (x[train], y[train]), (x[test], y[test])
