"""Run many independent training runs (seeds × settings), serially or in parallel.

Each run is a picklable function of keyword arguments that seeds glassnet itself, so the
results are bit-identical whatever ``n_jobs`` is. Parallel runs go through joblib (processes,
one BLAS thread each so workers do not fight over cores); on a cluster, use joblib's Dask
backend: ``with joblib.parallel_config(backend="dask"): study(n_jobs=-1)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from joblib import Parallel, delayed
from threadpoolctl import threadpool_limits

from glassnet.utils import check_positive_int

R = TypeVar("R")


def _single_threaded(fn: Callable[..., R], kwargs: dict[str, Any]) -> R:
    with threadpool_limits(limits=1):
        return fn(**kwargs)


def run_many(
    fn: Callable[..., R], tasks: Sequence[dict[str, Any]], n_jobs: int | None = 1
) -> list[R]:
    """``[fn(**task) for task in tasks]``, with ``n_jobs`` workers (-1: all cores)."""
    if n_jobs is None:
        n_jobs = 1
    if not isinstance(n_jobs, int) or isinstance(n_jobs, bool) or n_jobs == 0 or n_jobs < -1:
        raise ValueError(f"n_jobs must be a positive integer or -1 (all cores), got {n_jobs!r}")
    if n_jobs == 1 or len(tasks) <= 1:
        return [fn(**task) for task in tasks]
    check_positive_int("number of tasks", len(tasks))
    return list(Parallel(n_jobs=n_jobs)(delayed(_single_threaded)(fn, t) for t in tasks))
