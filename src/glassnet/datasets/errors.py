"""The errors raised when a data file is missing, damaged or cannot be downloaded.

All are ``OSError`` subclasses, so ``except OSError`` catches every data-file problem.
"""

from __future__ import annotations


class DatasetError(OSError):
    """Base class: something is wrong with a data set's files."""


class DatasetNotFoundError(DatasetError, FileNotFoundError):
    """Files of a data set are missing and could not be downloaded.

    The message lists the missing files, the folder where they belong and the URLs to get them.
    """


class ChecksumError(DatasetError):
    """A data file's MD5 differs from the published one (a truncated or damaged file)."""


class DownloadError(DatasetError):
    """Every mirror failed for one file; ``attempts`` holds ``(url, reason)`` pairs."""

    def __init__(self, message: str, attempts: list[tuple[str, str]] | None = None) -> None:
        super().__init__(message)
        self.attempts = list(attempts or [])
