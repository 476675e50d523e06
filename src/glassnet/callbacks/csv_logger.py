"""CSVLogger: every epoch's logs, one row each, in a CSV file."""

from __future__ import annotations

import collections.abc
import csv
import os
from pathlib import Path
from typing import IO, Any

import numpy as np

from glassnet.callbacks.callback import Callback, Logs


def _cell(value: Any) -> Any:
    """A value as Keras writes it: strings and numbers as they are, a list or array as
    "[a, b, …]" in quotes."""
    if isinstance(value, str):
        return value
    if isinstance(value, collections.abc.Iterable) and not (
        isinstance(value, np.ndarray) and value.ndim == 0
    ):
        return f'"[{", ".join(map(str, value))}]"'
    return value


class CSVLogger(Callback):
    """Stream each epoch's logs to a CSV file, written with the csv module (Keras's format).

    The header is ``epoch`` followed by the first epoch's log keys in sorted order; when those
    hold no ``val_*`` key, Keras adds ``val_<key>`` for every key, and so does glassnet (the
    cells read ``NA`` when there is no validation). A key missing from a later epoch reads
    ``NA``. ``epoch`` counts from 0. The file is opened at the start of training (an
    unwritable path fails there, before any epoch) and flushed after every row; with
    ``append=True`` rows are added to an existing file, and the header is written only if the
    file is empty.

    >>> logger = CSVLogger("training.csv")
    >>> # model.fit(x, y, epochs=10, callbacks=[logger])
    """

    def __init__(
        self, filename: str | os.PathLike[str], separator: str = ",", append: bool = False
    ) -> None:
        super().__init__()
        if not isinstance(filename, (str, os.PathLike)) or not os.fspath(filename):
            raise TypeError(
                f"CSVLogger filename must be a path such as 'log.csv', got {filename!r}"
            )
        if not isinstance(separator, str) or len(separator) != 1:
            raise ValueError(
                f"CSVLogger separator must be a single character such as ',' or ';', "
                f"got {separator!r}"
            )
        self.sep = separator
        self.filename = os.fspath(filename)
        self.append = bool(append)
        self.writer: csv.DictWriter[str] | None = None
        self.keys: list[str] | None = None
        self.append_header = True
        self.csv_file: IO[str] | None = None

    def on_train_begin(self, logs: Logs | None = None) -> None:
        path = Path(self.filename)
        self.append_header = True
        try:
            if self.append and path.is_file():
                with path.open(encoding="utf-8") as existing:
                    self.append_header = not existing.readline()
            if self.csv_file is not None and not self.csv_file.closed:
                self.csv_file.close()
            self.csv_file = path.open("a" if self.append else "w", newline="", encoding="utf-8")
        except OSError as err:
            raise type(err)(
                f"CSVLogger cannot write its log to {self.filename!r}: "
                f"{err.strerror or err} (check that the folder exists and is writable)"
            ) from None
        self.writer = None
        self.keys = None

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        logs = logs or {}
        if self.csv_file is None or self.csv_file.closed:
            raise RuntimeError("CSVLogger's file is not open: on_train_begin opens it")
        if self.keys is None:
            self.keys = sorted(logs)
            if self.keys and not any(k.startswith("val_") for k in self.keys):
                self.keys.extend(f"val_{k}" for k in list(self.keys))
        if self.writer is None:

            class Dialect(csv.excel):
                delimiter = self.sep

            self.writer = csv.DictWriter(
                self.csv_file, fieldnames=["epoch", *self.keys], dialect=Dialect
            )
            if self.append_header:
                self.writer.writeheader()
        row: dict[str, Any] = {"epoch": epoch}
        row.update((key, _cell(logs.get(key, "NA"))) for key in self.keys)
        self.writer.writerow(row)
        self.csv_file.flush()

    def on_train_end(self, logs: Logs | None = None) -> None:
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        self.writer = None
