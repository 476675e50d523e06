"""Where data files live, and making sure a data set's files are there and intact.

The data folder is, in order: the ``path`` argument, ``$GLASSNET_DATA``, or the user cache
(``$XDG_CACHE_HOME/glassnet``, else ``~/.cache/glassnet``). Each data set has a sub-folder
(``mnist/``, ``fashion-mnist/``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import pooch

from glassnet.datasets import download as _download
from glassnet.datasets.errors import ChecksumError, DatasetNotFoundError, DownloadError

ENV_VAR = "GLASSNET_DATA"
OFFLINE_ENV_VAR = "GLASSNET_OFFLINE"  # set to 1: never download


def data_dir(path: str | os.PathLike[str] | None = None) -> Path:
    """The folder holding glassnet's data sets: ``path``, else $GLASSNET_DATA, else the cache.

    >>> str(data_dir("/data"))
    '/data'
    """
    if path is not None:
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"path must be a folder (str or Path), got {type(path).__name__}")
        return Path(path).expanduser()
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache).expanduser() / "glassnet"


def md5sum(path: str | os.PathLike[str]) -> str:
    """The MD5 of a file's bytes, as 32 lowercase hex digits."""
    return str(pooch.file_hash(os.fspath(path), alg="md5"))


def check_md5(path: str | os.PathLike[str], expected: str) -> None:
    """Raise `ChecksumError` naming the file, the expected and the actual MD5 if they differ."""
    actual = md5sum(path)
    if actual != expected.lower():
        raise ChecksumError(
            f"{path} is damaged or truncated: MD5 {actual}, expected {expected.lower()} "
            f"({os.path.getsize(path)} bytes). Delete it and load the data again to download "
            "a fresh copy."
        )


def _missing_message(
    dataset: str,
    folder: Path,
    missing: list[str],
    mirrors: Sequence[str],
    why: list[str],
) -> str:
    lines = [f"{dataset}: {len(missing)} file(s) missing from {folder}:"]
    lines += [f"  {name}" for name in missing]
    lines += why
    lines.append(f"Download them from any of these URLs and put them in {folder}:")
    lines += [f"  {_download.url_for(m, name)}" for name in missing for m in mirrors]
    lines.append(
        f"(or pass path= / set {ENV_VAR} to a folder that holds {folder.name}/ with the files)"
    )
    return "\n".join(lines)


def ensure_files(
    files: Mapping[str, str],
    folder: str | os.PathLike[str],
    mirrors: Sequence[str],
    *,
    dataset: str,
    download: bool = True,
    timeout: float | None = None,
    retries: int | None = None,
    progress: bool | None = None,
) -> dict[str, Path]:
    """Make sure every file of ``files`` (name → MD5) is in ``folder`` and intact.

    Files present are checked against their MD5 (`ChecksumError` on a mismatch: a damaged
    file is never silently replaced). Missing files are downloaded from ``mirrors`` unless
    ``download`` is False or the environment variable ``GLASSNET_OFFLINE`` is set to 1.
    Raises `DatasetNotFoundError` (a FileNotFoundError) listing the missing files, the folder
    and the URLs to get them from when they cannot be had.

    Returns the path of each file, by name.
    """
    folder = Path(folder)
    if isinstance(mirrors, str):
        mirrors = [mirrors]
    paths = {name: folder / name for name in files}
    for name, path in paths.items():
        if path.is_file():
            check_md5(path, files[name])
    missing = [name for name, path in paths.items() if not path.is_file()]
    if not missing:
        return paths
    offline = os.environ.get(OFFLINE_ENV_VAR, "") not in ("", "0")
    if not download or offline:
        cause = f"{OFFLINE_ENV_VAR} is set" if offline else "download=False"
        raise DatasetNotFoundError(
            _missing_message(dataset, folder, missing, mirrors, [f"Not downloaded, as {cause}."])
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        why = [f"Cannot create the folder to download them into: {err}"]
        raise DatasetNotFoundError(
            _missing_message(dataset, folder, missing, mirrors, why)
        ) from err
    for i, name in enumerate(missing):
        try:
            _download.download_file(
                name,
                folder,
                mirrors,
                files[name],
                timeout=timeout,
                retries=retries,
                progress=progress,
            )
        except DownloadError as err:
            # the other mirrors are down too, most likely: report, don't try every file
            why = ["The download failed:"] + [f"  {url}: {r}" for url, r in err.attempts]
            raise DatasetNotFoundError(
                _missing_message(dataset, folder, missing[i:], mirrors, why)
            ) from err
    return paths
