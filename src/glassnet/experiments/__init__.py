"""Studies that measure what the texts claim, each reproducible from a seed.

Each study module has ``run(...) -> StudyResult``, ``figures(result) -> {name: Figure}`` and
``judge(settings, data) -> Verdict``: the verdict and its criterion, computed from the raw
numbers the study saves, so that :func:`judge` recomputes them from a results file.

>>> from glassnet import experiments
>>> result = experiments.run("activations", seeds=5)  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

from glassnet.experiments.result import StudyResult, Verdict

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


def judge(result: StudyResult | Mapping[str, Any] | str | Path) -> Verdict:
    """Recompute a study's verdict and criterion from its saved settings and raw numbers.

    Args:
        result: a StudyResult, its ``to_dict()``, or the path of its JSON file.

    >>> path = "glassnet-report/learning_rate.json"
    >>> experiments.judge(path).text == StudyResult.load_json(path).verdict  # doctest: +SKIP
    True
    """
    if isinstance(result, (str, Path)):
        result = StudyResult.load_json(result)
    elif isinstance(result, Mapping):
        result = StudyResult.from_dict(dict(result))
    if not isinstance(result, StudyResult):
        raise TypeError(
            f"result must be a StudyResult, a dict or a JSON path, got {type(result).__name__}"
        )
    hook = getattr(get(result.study), "judge", None)
    if hook is None:
        raise ValueError(f"study {result.study!r} has no verdict to recompute")
    verdict: Verdict = hook(result.settings, result.data)
    return verdict


def sections(result: StudyResult) -> list[tuple[str, str]]:
    """Extra (heading, text) sections a study adds to its report page, if any."""
    hook = getattr(get(result.study), "sections", None)
    return list(hook(result)) if hook is not None else []


__all__ = ["STUDIES", "StudyResult", "Verdict", "figures", "get", "judge", "run", "sections"]
