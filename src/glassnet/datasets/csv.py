"""Read a table of samples from a CSV file: one target column, the other columns are features.

The lesson's ``mnist_train.csv`` layout is a ``label`` column followed by 784 pixel columns
named ``1x1`` … ``28x28``; any CSV with a header line and numeric cells works the same way.
The separator is found from the first lines (``csv.Sniffer``) unless given; the target column
may hold numbers or names (``"setosa"``), and columns such as an ID can be dropped.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from glassnet import config
from glassnet.utils import as_float_array

_MAX_LISTED_COLUMNS = 20
_SNIFFED_SEPARATORS = ",;\t|"
_SNIFF_BYTES = 64 * 1024


def _columns_listing(columns: list[str]) -> str:
    shown = ", ".join(repr(c) for c in columns[:_MAX_LISTED_COLUMNS])
    more = len(columns) - _MAX_LISTED_COLUMNS
    return shown + (f", … and {more} more" if more > 0 else "")


def sniff_separator(path: str | os.PathLike[str]) -> str:
    """The separator of a CSV file, guessed by ``csv.Sniffer`` from its first lines (``,``
    when the guess fails, e.g. for a file of one column)."""
    with open(path, newline="", encoding="utf-8", errors="replace") as handle:
        sample = handle.read(_SNIFF_BYTES)
    lines = sample.splitlines()
    if len(sample) == _SNIFF_BYTES and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut in the middle
    try:
        return csv.Sniffer().sniff("\n".join(lines[:50]), delimiters=_SNIFFED_SEPARATORS).delimiter
    except csv.Error:
        return ","


def read_csv_frame(
    path: str | os.PathLike[str], sep: str | None = None, drop: Sequence[str] = ()
) -> pd.DataFrame:
    """The table of a CSV file with a header line, the ``drop`` columns left out.

    ``sep=None`` sniffs the separator from the first lines. Every cell must be filled.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a file path (str or Path), got {type(path).__name__}")
    if sep is not None and (not isinstance(sep, str) or len(sep) != 1):
        raise ValueError(f"sep must be one character such as ',' or ';', got {sep!r}")
    if isinstance(drop, str):
        drop = [drop]
    path = Path(path)
    if not path.is_file():
        what = "is a folder" if path.is_dir() else "does not exist"
        raise FileNotFoundError(f"CSV file {path} {what}; expected a CSV file with a header line")
    separator = sniff_separator(path) if sep is None else sep
    try:
        frame = pd.read_csv(path, sep=separator)
    except pd.errors.EmptyDataError:
        raise ValueError(
            f"{path} is empty; expected a header line and one line per sample"
        ) from None
    except pd.errors.ParserError as err:
        message = " ".join(str(err).split())
        raise ValueError(f"{path} is not a well-formed CSV file: {message}") from None
    frame.columns = [str(c) for c in frame.columns]
    if frame.shape[1] == 1 and sep is not None:
        raise ValueError(
            f"separator {sep!r} splits nothing in the header line of {path} "
            f"({_columns_listing(list(frame.columns))}); give the file's separator with sep"
        )
    missing = [c for c in drop if c not in frame.columns]
    if missing:
        raise ValueError(
            f"{path} has no column {missing[0]!r} to drop; columns found: "
            f"{_columns_listing(list(frame.columns))}"
        )
    frame = frame.drop(columns=list(drop))
    if len(frame) == 0:
        raise ValueError(f"{path} has a header line but no samples; expected at least one row")
    empty = frame.isna().to_numpy()
    if empty.any():
        row, col = np.argwhere(empty)[0]
        raise ValueError(
            f"{path}: column {frame.columns[col]!r} has an empty cell at data row {row + 1} "
            f"(line {row + 2}); expected a value in every cell"
        )
    return frame


def features_of(frame: pd.DataFrame, path: str | os.PathLike[str]) -> np.ndarray:
    """The table's cells as floatx features; a non-numeric cell is an error naming it."""
    for column, dtype in frame.dtypes.items():
        if pd.api.types.is_numeric_dtype(dtype):
            continue
        values = frame[column]
        row = int(np.argmax(pd.to_numeric(values, errors="coerce").isna().to_numpy()))
        raise ValueError(
            f"{path}: column {column!r} holds non-numeric values, e.g. {values.iloc[row]!r} at "
            f"data row {row + 1} (line {row + 2}); expected numbers only"
        )
    return as_float_array(frame.to_numpy(dtype=config.floatx()), f"{path} features")


def load_csv(
    path: str | os.PathLike[str],
    target: str = "label",
    sep: str | None = None,
    drop: Sequence[str] = (),
) -> tuple[np.ndarray, np.ndarray]:
    """Samples from a CSV file with a header line: features x and the ``target`` column y.

    Returns ``(x, y)``: x floatx of shape (n_samples, n_features), in the file's column order
    without the target and the ``drop`` columns; y int64 labels when the target column holds
    whole numbers written without a decimal point, floatx for other numbers, and strings
    (``"setosa"``) when it holds any non-number. ``sep=None`` sniffs the separator.

    >>> x_train, y_train = load_csv("mnist_train.csv")  # doctest: +SKIP
    >>> x_train.shape, y_train.dtype                     # doctest: +SKIP
    ((60000, 784), dtype('int64'))
    >>> x, y = load_csv("iris.csv", target="species", sep=";", drop=["id"])  # doctest: +SKIP
    """
    if not isinstance(target, str):
        raise TypeError(f"target must be a column name (str), got {type(target).__name__}")
    return split_target(read_csv_frame(path, sep=sep, drop=drop), target, path)


def split_target(
    frame: pd.DataFrame, target: str, path: str | os.PathLike[str]
) -> tuple[np.ndarray, np.ndarray]:
    """The table's features x (every column but ``target``) and its ``target`` column y, typed
    as ``load_csv`` describes."""
    if target not in frame.columns:
        raise ValueError(
            f"{path} has no target column {target!r}; columns found: "
            f"{_columns_listing(list(frame.columns))}"
        )
    if frame.shape[1] == 1:
        raise ValueError(f"{path} holds only the target column {target!r}; no feature columns")
    x = features_of(frame.drop(columns=target), path)
    y_column = frame[target]
    if pd.api.types.is_integer_dtype(y_column) or pd.api.types.is_bool_dtype(y_column):
        y = y_column.to_numpy(dtype=np.int64)
    elif pd.api.types.is_numeric_dtype(y_column):
        y = as_float_array(y_column.to_numpy(), f"{path} column {target!r}", config.floatx())
    else:
        y = y_column.astype(str).to_numpy(dtype=str)
    return x, y
