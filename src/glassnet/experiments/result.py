"""The result of a study: its settings, raw numbers, summary table and verdict, as plain data.

A result is JSON-serialisable, so its figures can be redrawn without retraining
(``glassnet plot RESULTS.json``).
"""

from __future__ import annotations

import csv
import json
import platform
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np


def library_versions() -> dict[str, str]:
    """Versions of Python and of the libraries a result depends on."""
    import matplotlib
    import sklearn

    import glassnet

    return {
        "python": platform.python_version(),
        "glassnet": glassnet.__version__,
        "numpy": np.__version__,
        "scikit-learn": sklearn.__version__,
        "matplotlib": matplotlib.__version__,
    }


class Verdict(NamedTuple):
    """A study's conclusion and the criterion it was reached by, both computed from the raw
    numbers the study saves (so that :func:`glassnet.experiments.judge` can recompute them)."""

    text: str
    criterion: str


@dataclass
class StudyResult:
    """What a study measured.

    Attributes:
        study: the study's name ("activations", "learning_rate", …).
        title: a human title for reports.
        settings: every parameter the study ran with (seeds, epochs, learning rate, …).
        data: raw numbers, e.g. ``{"curves": {"tanh": [[...], ...]}}``, JSON-able lists only.
        table: summary rows, each a dict column → value (the same columns in every row).
        verdict: a plain-language conclusion backed by the numbers in ``table``.
        criterion: how the verdict follows from the numbers (thresholds, tests), stated.
        notes: further remarks (e.g. "MNIST not found: used digits instead").
        versions: Python and library versions.
        seconds: wall time of the study.
    """

    study: str
    title: str
    settings: dict[str, Any]
    data: dict[str, Any]
    table: list[dict[str, Any]]
    verdict: str
    criterion: str = ""
    notes: list[str] = field(default_factory=list)
    versions: dict[str, str] = field(default_factory=library_versions)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return _jsonable(asdict(self))

    def save_json(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_text(json.dumps(self.to_dict(), indent=1, allow_nan=True))
        return path

    def save_csv(self, path: str | Path) -> Path:
        """The summary table as CSV."""
        path = Path(path)
        columns = list(self.table[0]) if self.table else []
        with path.open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            writer.writerows(self.table)
        return path

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StudyResult:
        required = {"study", "title", "settings", "data", "table", "verdict"}
        missing = required - set(data)
        if missing:
            raise ValueError(f"not a glassnet study result: missing {sorted(missing)}")
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})

    @classmethod
    def load_json(cls, path: str | Path) -> StudyResult:
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"no results file at {str(path)!r}")
        try:
            data = json.loads(path.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            raise ValueError(f"{str(path)!r} is not a JSON results file: {err}") from None
        if not isinstance(data, dict):
            raise ValueError(f"{str(path)!r} is not a glassnet study result")
        return cls.from_dict(data)


def _jsonable(value: Any) -> Any:
    """NumPy arrays and scalars → lists and Python numbers, recursively."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    return value
