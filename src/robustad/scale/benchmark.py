"""The benchmark runner on Dask: same cells, same rows, computed on a cluster.

:func:`run_benchmark_dask` is :func:`robustad.evaluation.runner.run_benchmark` with a
:class:`DaskExecutor`: planning, resuming and the atomic ``results.csv`` stay in the calling
process; each cell is one Dask task. With a time limit, a task runs its cell in a worker
process owned by the Dask worker (the same :class:`~robustad.evaluation.runner.SubprocessExecutor`
as in-process runs), so a runaway cell is killed without killing the Dask worker.
Results are identical to an in-process run: a cell depends only on its dataset, detector,
seed and protocol.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from robustad.evaluation.runner import (
    BenchmarkCell,
    SubprocessExecutor,
    run_benchmark,
    run_cell,
)
from robustad.scale.cluster import check_scheduler, connect

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["DaskExecutor", "run_benchmark_dask"]

_LOCAL = threading.local()


def _run_remote(cell_json: str, time_limit: float | None) -> dict[str, Any]:
    cell = BenchmarkCell.from_json(cell_json)
    if time_limit is None:
        return run_cell(cell)
    # One worker process per Dask worker thread, reused across the tasks it runs.
    executor = getattr(_LOCAL, "executor", None)
    if executor is None or executor.time_limit != time_limit:
        executor = SubprocessExecutor(time_limit)
        _LOCAL.executor = executor
    row: dict[str, Any] = executor.run_one(cell)
    return row


class DaskExecutor:
    """Runs benchmark cells as Dask tasks on ``client``; rows come back as they finish."""

    def __init__(self, client: Any, time_limit: float | None = None) -> None:
        self.client = client
        self.time_limit = time_limit

    def run(self, cells: Sequence[BenchmarkCell]) -> Iterator[dict[str, Any]]:
        """Submit every cell, yield each row as its task finishes."""
        from distributed import as_completed

        futures = [
            self.client.submit(
                _run_remote,
                cell.to_json(),
                self.time_limit,
                pure=False,
                key=f"cell-{cell.dataset.name}-{cell.detector}-{cell.seed}-{os.urandom(4).hex()}",
            )
            for cell in cells
        ]
        for future in as_completed(futures):
            row: dict[str, Any] = future.result()
            yield row


def run_benchmark_dask(
    data: Any,
    detectors: Sequence[str] | str,
    *,
    scheduler: str = "local",
    n_workers: int | None = None,
    time_limit: float | None = None,
    **kwargs: Any,
) -> pd.DataFrame:
    """:func:`~robustad.evaluation.runner.run_benchmark` with cells computed on Dask.

    Parameters
    ----------
    scheduler
        ``"local"`` or ``"tcp://HOST:PORT"`` (see :func:`robustad.scale.connect`).
    n_workers
        Workers of a local cluster.
    time_limit
        Seconds per cell (see :mod:`robustad.evaluation.runner`).
    **kwargs
        Everything else :func:`run_benchmark` takes (``protocol``, ``n_seeds``, ``out_dir``...).
    """
    from robustad.evaluation.protocols import get_protocol
    from robustad.evaluation.runner import check_detectors, resolve_datasets

    # Bad input is refused before a cluster starts.
    check_scheduler(scheduler)
    get_protocol(kwargs.get("protocol", "adbench"))
    names = check_detectors(detectors.split(",") if isinstance(detectors, str) else detectors)
    specs = resolve_datasets(data, label_column=kwargs.pop("label_column", None))
    with connect(scheduler, n_workers=n_workers) as client:
        return run_benchmark(
            specs,
            names,
            time_limit=time_limit,
            executor=DaskExecutor(client, time_limit),
            **kwargs,
        )
