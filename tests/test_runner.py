"""Studies scale out: worker processes through joblib, and a Dask cluster through joblib's
Dask backend, with results bit-identical to a serial run."""

import joblib
from dask import distributed
from threadpoolctl import threadpool_info

from glassnet.experiments import activations
from glassnet.experiments.runner import run_many


def blas_threads() -> int:
    return max((i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"), default=0)


def test_run_many_keeps_task_order_and_limits_blas_threads_in_workers():
    tasks = [{"seed": s} for s in range(6)]
    serial = run_many(echo_threads, tasks, n_jobs=1)
    parallel = run_many(echo_threads, tasks, n_jobs=2)
    assert [seed for seed, _ in parallel] == list(range(6))
    assert all(threads == 1 for _, threads in parallel)  # one BLAS thread per worker
    assert [seed for seed, _ in serial] == list(range(6))


def echo_threads(seed):
    return seed, blas_threads()


def test_activation_study_on_a_local_dask_cluster_equals_the_serial_run():
    serial = activations.run(seeds=3, epochs=20)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
        joblib.parallel_config(backend="dask"),
    ):
        on_dask = activations.run(seeds=3, epochs=20, n_jobs=-1)
        assert len(client.scheduler_info()["workers"]) == 2
    assert on_dask.data["curves"] == serial.data["curves"]
    assert on_dask.verdict == serial.verdict
