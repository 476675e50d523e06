"""Download one file from a list of mirrors with pooch: the file appears only once its MD5 matches.

Each mirror is tried in turn with `pooch.retrieve`, which streams into a temporary file in the
destination folder, checks the MD5 and only then moves it to its final name. Whatever goes
wrong — HTTP error, timeout, dropped connection, wrong checksum, Ctrl-C — the temporary file is
removed and nothing is left at the final path.

Tests point ``mirrors`` at a local server; ``DEFAULT_TIMEOUT``, ``DEFAULT_RETRIES``,
``RETRY_DELAY`` and ``CHUNK_SIZE`` are read at call time, so they can be patched too.
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pooch
import requests
import urllib3
from tqdm import tqdm

from glassnet.datasets.errors import DownloadError
from glassnet.utils import check_number, check_positive_int

DEFAULT_TIMEOUT = 30.0  # seconds to connect, and to wait for each further chunk
DEFAULT_RETRIES = 1  # extra attempts per mirror after a transient failure
RETRY_DELAY = 1.0  # seconds before a retry
CHUNK_SIZE = 1 << 16
USER_AGENT = "glassnet (pooch)"


def url_for(mirror: str, filename: str) -> str:
    """The URL of ``filename`` on ``mirror`` (a base URL, with or without the final slash)."""
    return mirror.rstrip("/") + "/" + filename


def _causes(err: BaseException) -> list[BaseException]:
    """``err`` and the errors it wraps (requests and urllib3 nest them in args and causes)."""
    chain = [err]
    for e in chain:  # the list grows as it is walked
        for inner in (*e.args, e.__cause__, e.__context__):
            if isinstance(inner, BaseException) and not any(inner is c for c in chain):
                chain.append(inner)
    return chain


def _describe(err: Exception, timeout: float) -> tuple[str, bool]:
    """A short human reason for a failed attempt, and whether a retry on this mirror may help."""
    if isinstance(err, ValueError):  # pooch's hash check: the mirror serves a wrong file
        hashes = re.search(r"expected md5:(\w+) but got (\w+)", str(err))
        reason = f"MD5 mismatch: expected {hashes[1]}, got {hashes[2]}" if hashes else str(err)
        return reason, False
    if isinstance(err, requests.HTTPError) and err.response is not None:
        code = err.response.status_code
        lasting = 400 <= code < 500 and code not in (408, 429)  # a retry gets the same answer
        return f"HTTP {code} {err.response.reason}", not lasting
    causes = _causes(err)
    for e in causes:
        if isinstance(e, (requests.Timeout, urllib3.exceptions.ReadTimeoutError)):
            return f"timed out (no data for {timeout:g} s)", True
        if isinstance(e, urllib3.exceptions.IncompleteRead):
            total = e.partial + e.expected
            return f"connection closed after {e.partial} of {total} bytes", True
    root = causes[-1]
    return f"{type(root).__name__}: {root}", True


def download_file(
    filename: str,
    folder: str | os.PathLike[str],
    mirrors: Sequence[str],
    md5: str,
    *,
    timeout: float | None = None,
    retries: int | None = None,
    retry_delay: float | None = None,
    progress: bool | None = None,
) -> Path:
    """Download ``filename`` into ``folder`` from the first mirror that serves it intact.

    Args:
        mirrors: base URLs tried in turn; the file's URL is ``mirror + filename``.
        md5: the expected MD5 (hex); the file is kept only when it matches.
        timeout: seconds to wait for a connection or for the next chunk (default 30).
        retries: extra attempts on the same mirror after a transient failure (timeout,
            dropped connection, HTTP 5xx); a 404 or a wrong checksum moves to the next mirror.
        progress: show a tqdm progress bar (default: when stderr is a terminal).

    Returns the final path. Raises `DownloadError` (an OSError) listing each URL tried and why
    it failed; the folder then holds neither the file nor a temporary file.
    """
    if isinstance(mirrors, str):
        mirrors = [mirrors]
    if not mirrors:
        raise ValueError("mirrors must list at least one base URL, got none")
    timeout = check_number(
        "timeout", DEFAULT_TIMEOUT if timeout is None else timeout, low=0, low_open=True
    )
    retries = check_positive_int(
        "retries", DEFAULT_RETRIES if retries is None else retries, allow_zero=True
    )
    retry_delay = check_number(
        "retry_delay", RETRY_DELAY if retry_delay is None else retry_delay, low=0
    )
    if progress is None:
        progress = sys.stderr.isatty()
    attempts: list[tuple[str, str]] = []
    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel("WARNING")  # the progress bar already names the file
    try:
        for mirror in mirrors:
            url = url_for(mirror, filename)
            for attempt in range(retries + 1):
                if attempt:
                    time.sleep(retry_delay)
                # total=1 until pooch sets it: pooch tests the bar's truth, which tqdm takes
                # from its total
                with tqdm(
                    total=1,
                    desc=filename,
                    unit="B",
                    unit_scale=True,
                    unit_divisor=1024,
                    disable=not progress,
                ) as bar:
                    downloader = pooch.HTTPDownloader(
                        progressbar=bar,
                        chunk_size=CHUNK_SIZE,
                        timeout=timeout,
                        headers={"User-Agent": USER_AGENT},
                    )
                    try:
                        pooch.retrieve(
                            url, f"md5:{md5.lower()}", filename, folder, downloader=downloader
                        )
                        return Path(folder) / filename
                    except (OSError, ValueError) as err:
                        reason, transient = _describe(err, timeout)
                        attempts.append((url, reason))
                        if not transient:
                            break
    finally:
        logger.setLevel(level)
    tried = "\n".join(f"  {url}: {reason}" for url, reason in attempts)
    raise DownloadError(f"could not download {filename}; every mirror failed:\n{tried}", attempts)
