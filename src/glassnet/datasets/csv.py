"""Read a table of samples from a CSV file: one target column, the other columns are features.

The lesson's ``mnist_train.csv`` layout is a ``label`` column followed by 784 pixel columns
named ``1x1`` … ``28x28``; any CSV with a header line and numeric cells works the same way.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from glassnet import config
from glassnet.utils import as_float_array

_MAX_LISTED_COLUMNS = 20


def _columns_listing(columns: list[str]) -> str:
    shown = ", ".join(repr(c) for c in columns[:_MAX_LISTED_COLUMNS])
    more = len(columns) - _MAX_LISTED_COLUMNS
    return shown + (f", … and {more} more" if more > 0 else "")


def _check_cells(frame: pd.DataFrame, path: Path) -> None:
    """Raise ValueError naming the first empty or non-numeric cell (column, row, value)."""
    empty = frame.isna().to_numpy()
    if empty.any():
        row, col = np.argwhere(empty)[0]
        raise ValueError(
            f"{path}: column {frame.columns[col]!r} has an empty cell at data row {row + 1} "
            f"(line {row + 2}); expected a number in every cell"
        )
    for column, dtype in frame.dtypes.items():
        if pd.api.types.is_numeric_dtype(dtype):
            continue
        values = frame[column]
        row = int(np.argmax(pd.to_numeric(values, errors="coerce").isna().to_numpy()))
        raise ValueError(
            f"{path}: column {column!r} holds non-numeric values, e.g. {values.iloc[row]!r} at "
            f"data row {row + 1} (line {row + 2}); expected numbers only"
        )


def load_csv(path: str | os.PathLike[str], target: str = "label") -> tuple[np.ndarray, np.ndarray]:
    """Samples from a CSV file with a header line: features x and the ``target`` column y.

    Returns ``(x, y)``: x floatx of shape (n_samples, n_features), in the file's column order
    without the target; y int64 labels when the target column holds whole numbers written
    without a decimal point, else floatx.

    >>> x_train, y_train = load_csv("mnist_train.csv")  # doctest: +SKIP
    >>> x_train.shape, y_train.dtype                     # doctest: +SKIP
    ((60000, 784), dtype('int64'))
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a file path (str or Path), got {type(path).__name__}")
    if not isinstance(target, str):
        raise TypeError(f"target must be a column name (str), got {type(target).__name__}")
    path = Path(path)
    if not path.is_file():
        what = "is a folder" if path.is_dir() else "does not exist"
        raise FileNotFoundError(f"CSV file {path} {what}; expected a CSV file with a header line")
    try:
        frame = pd.read_csv(path)
    except pd.errors.EmptyDataError:
        raise ValueError(
            f"{path} is empty; expected a header line and one line per sample"
        ) from None
    except pd.errors.ParserError as err:
        raise ValueError(f"{path} is not a well-formed CSV file: {err}") from None
    frame.columns = [str(c) for c in frame.columns]
    if target not in frame.columns:
        raise ValueError(
            f"{path} has no target column {target!r}; columns found: "
            f"{_columns_listing(list(frame.columns))}"
        )
    if len(frame) == 0:
        raise ValueError(f"{path} has a header line but no samples; expected at least one row")
    if frame.shape[1] == 1:
        raise ValueError(f"{path} holds only the target column {target!r}; no feature columns")
    _check_cells(frame, path)
    features = frame.drop(columns=target).to_numpy(dtype=config.floatx())
    x = as_float_array(features, f"{path} features")
    y_column = frame[target]
    if pd.api.types.is_integer_dtype(y_column) or pd.api.types.is_bool_dtype(y_column):
        y = y_column.to_numpy(dtype=np.int64)
    else:
        y = as_float_array(y_column.to_numpy(), f"{path} column {target!r}", config.floatx())
    return x, y
