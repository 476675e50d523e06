"""Download one file from a list of mirrors, safely: the file appears only once its MD5 matches.

Each mirror is tried in turn. A download streams into a temporary file in the destination
folder (``.<name>.<random>.part``), is checked (length announced by the server, then MD5),
and only then renamed to its final name with ``os.replace`` (atomic). Whatever goes wrong —
HTTP error, timeout, dropped connection, wrong checksum, Ctrl-C — the temporary file is removed
and nothing is left at the final path.

Tests point ``mirrors`` at a local server; ``DEFAULT_TIMEOUT``, ``DEFAULT_RETRIES`` and
``RETRY_DELAY`` are read at call time, so they can be patched too.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from tqdm import tqdm

from glassnet.datasets.errors import DownloadError
from glassnet.utils import check_number, check_positive_int

DEFAULT_TIMEOUT = 30.0  # seconds to connect, and to wait for each further chunk
DEFAULT_RETRIES = 1  # extra attempts per mirror after a transient failure
RETRY_DELAY = 1.0  # seconds before a retry
CHUNK_SIZE = 1 << 16
USER_AGENT = "glassnet (Python urllib)"


class _TransientError(Exception):
    """A failure worth retrying on the same mirror (dropped connection, timeout, 5xx)."""


class _MirrorError(Exception):
    """A failure that this mirror will repeat (404, wrong file): go to the next mirror."""


def url_for(mirror: str, filename: str) -> str:
    """The URL of ``filename`` on ``mirror`` (a base URL, with or without the final slash)."""
    return mirror.rstrip("/") + "/" + filename


def _describe(err: BaseException, timeout: float) -> str:
    """A short human reason for a failed attempt."""
    if isinstance(err, urllib.error.HTTPError):
        return f"HTTP {err.code} {err.reason}"
    reason = err.reason if isinstance(err, urllib.error.URLError) else err
    if isinstance(reason, TimeoutError):
        return f"timed out (no data for {timeout:g} s)"
    return (
        f"{type(reason).__name__}: {reason}" if isinstance(reason, BaseException) else str(reason)
    )


def _fetch_once(url: str, tmp: Path, md5: str, timeout: float, progress: bool) -> None:
    """Stream ``url`` into the new file ``tmp`` and check its length and MD5."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            digest = hashlib.md5(usedforsecurity=False)
            received = 0
            with (
                open(tmp, "xb") as out,
                tqdm(
                    total=total,
                    desc=url.rsplit("/", 1)[-1],
                    unit="B",
                    unit_scale=True,
                    unit_divisor=1024,
                    disable=not progress,
                ) as bar,
            ):
                while chunk := response.read(CHUNK_SIZE):
                    out.write(chunk)
                    digest.update(chunk)
                    received += len(chunk)
                    bar.update(len(chunk))
    except urllib.error.HTTPError as err:
        err.close()
        if 400 <= err.code < 500 and err.code not in (408, 429):
            raise _MirrorError(_describe(err, timeout)) from None
        raise _TransientError(_describe(err, timeout)) from None
    except (OSError, http.client.HTTPException) as err:
        raise _TransientError(_describe(err, timeout)) from None
    if total is not None and received != total:
        raise _TransientError(f"connection closed after {received} of {total} bytes")
    actual = digest.hexdigest()
    if actual != md5.lower():
        raise _MirrorError(f"MD5 mismatch: expected {md5.lower()}, got {actual}")


def download_file(
    filename: str,
    folder: str | os.PathLike[str],
    mirrors: Sequence[str],
    md5: str,
    *,
    timeout: float | None = None,
    retries: int | None = None,
    retry_delay: float | None = None,
    progress: bool = True,
) -> Path:
    """Download ``filename`` into ``folder`` from the first mirror that serves it intact.

    Args:
        mirrors: base URLs tried in turn; the file's URL is ``mirror + filename``.
        md5: the expected MD5 (hex); the file is kept only when it matches.
        timeout: seconds to wait for a connection or for the next chunk (default 30).
        retries: extra attempts on the same mirror after a transient failure (timeout,
            dropped connection, HTTP 5xx); a 404 or a wrong checksum moves to the next mirror.
        progress: show a tqdm progress bar.

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
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / filename
    attempts: list[tuple[str, str]] = []
    for mirror in mirrors:
        url = url_for(mirror, filename)
        for attempt in range(retries + 1):
            if attempt:
                time.sleep(retry_delay)
            tmp = folder / f".{filename}.{secrets.token_hex(4)}.part"
            try:
                _fetch_once(url, tmp, md5, timeout, progress)
                os.replace(tmp, final)
                return final
            except _TransientError as err:
                attempts.append((url, str(err)))
            except _MirrorError as err:
                attempts.append((url, str(err)))
                break
            finally:
                tmp.unlink(missing_ok=True)
    tried = "\n".join(f"  {url}: {reason}" for url, reason in attempts)
    raise DownloadError(f"could not download {filename}; every mirror failed:\n{tried}", attempts)
