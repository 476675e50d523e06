"""Seeds for scikit-learn's generators, which take an int ``random_state``, not a Generator."""

from __future__ import annotations

import numpy as np

from glassnet import config

_MAX_SKLEARN_SEED = 2**32 - 1


def sklearn_random_state(seed: int | np.random.Generator | None) -> int:
    """An int for scikit-learn's ``random_state``.

    An int seed passes through unchanged, so ``moons(seed=0)`` draws the same points as
    ``sklearn.datasets.make_moons(random_state=0)``; a Generator or None yields a drawn int.
    """
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        if not 0 <= seed <= _MAX_SKLEARN_SEED:
            raise ValueError(f"seed must be an integer in [0, 2**32 - 1] or None, got {seed}")
        return int(seed)
    return int(config.make_rng(seed).integers(_MAX_SKLEARN_SEED))
