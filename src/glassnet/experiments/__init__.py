"""Studies that measure what the texts claim, each reproducible from a seed.

Each study module has ``run(...) -> StudyResult`` and ``figures(result) -> {name: Figure}``.

>>> from glassnet import experiments
>>> result = experiments.run("activations", seeds=5)  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

from glassnet.experiments.result import StudyResult

STUDIES = ("activations", "learning_rate", "vanishing_gradients", "regression", "shallow", "mnist")


def get(study: str) -> ModuleType:
    """The module of a study, by name."""
    if study not in STUDIES:
        raise ValueError(f"unknown study {study!r}; accepted: {', '.join(STUDIES)}")
    return importlib.import_module(f"glassnet.experiments.{study}")


def run(study: str, **options: Any) -> StudyResult:
    """Run a study by name with its options (see each module's ``run``)."""
    return get(study).run(**options)  # type: ignore[no-any-return]


def figures(result: StudyResult) -> dict[str, Any]:
    """Redraw a result's figures from its raw numbers."""
    return get(result.study).figures(result)  # type: ignore[no-any-return]


__all__ = ["STUDIES", "StudyResult", "figures", "get", "run"]
