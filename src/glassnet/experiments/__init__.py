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
    """The module of a study (or of ``train``, whose results can be redrawn too), by name:
    ``vanishing_gradients`` or, as the command's options are spelt, ``vanishing-gradients``."""
    if isinstance(study, str):
        study = study.replace("-", "_")
    if study not in (*STUDIES, "train"):
        raise ValueError(f"unknown study {study!r}; accepted: {', '.join(STUDIES)}")
    return importlib.import_module(f"glassnet.experiments.{study}")


def run(study: str, **options: Any) -> StudyResult:
    """Run a study by name with its options (see each module's ``run``)."""
    result: StudyResult = get(study).run(**options)
    return result


def figures(result: StudyResult) -> dict[str, Any]:
    """Redraw a result's figures from its raw numbers."""
    return get(result.study).figures(result)


def sections(result: StudyResult) -> list[tuple[str, str]]:
    """Extra (heading, text) sections a study adds to its report page, if any."""
    hook = getattr(get(result.study), "sections", None)
    return list(hook(result)) if hook is not None else []


__all__ = ["STUDIES", "StudyResult", "figures", "get", "run", "sections"]
