"""Connecting to a Dask scheduler: ``"local"`` (a LocalCluster) or ``"tcp://HOST:PORT"``.

Examples
--------
>>> with connect("local", n_workers=1) as client:  # doctest: +SKIP
...     client.submit(sum, [1, 2]).result()
3
>>> check_scheduler("http://x")
Traceback (most recent call last):
...
robustad.exceptions.InvalidParameterError: scheduler 'http://x' is not understood; ...
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from robustad.exceptions import InvalidParameterError, RobustADError

__all__ = ["check_scheduler", "connect", "require_dask"]


def require_dask() -> None:
    """Raise a clear error when dask.distributed is not installed."""
    try:
        import dask  # noqa: F401
        import distributed  # noqa: F401
    except ImportError:
        raise RobustADError(
            "the Dask path needs dask and distributed; install them with: "
            "pip install 'robustad[scale]'"
        ) from None


def check_scheduler(scheduler: str) -> str:
    """Validate a scheduler string: ``local`` or ``tcp://HOST:PORT`` (also ``tls://``)."""
    text = str(scheduler).strip()
    if text == "local" or (text.startswith(("tcp://", "tls://")) and ":" in text[6:]):
        return text
    raise InvalidParameterError(
        f"scheduler {scheduler!r} is not understood; accepted: 'local' (a LocalCluster on this "
        "machine) or 'tcp://HOST:PORT' (a running dask scheduler)"
    )


@contextlib.contextmanager
def connect(
    scheduler: str, *, n_workers: int | None = None, threads_per_worker: int = 1
) -> Iterator[Any]:
    """Yield a ``distributed.Client``; a ``local`` cluster is closed on exit.

    Parameters
    ----------
    scheduler
        ``"local"``: start a LocalCluster of worker *processes* (``n_workers``, default one per
        core) with ``threads_per_worker`` threads each, its HTTP endpoint on a free port.
        ``"tcp://HOST:PORT"``: connect to a running scheduler (its workers must see the same
        dataset paths).
    n_workers, threads_per_worker
        Only for ``"local"``.
    """
    text = check_scheduler(scheduler)
    require_dask()
    from distributed import Client, LocalCluster

    if text == "local":
        with (
            LocalCluster(
                n_workers=n_workers,
                threads_per_worker=threads_per_worker,
                processes=True,
                dashboard_address=":0",  # random free port: never clashes with another cluster
            ) as cluster,
            Client(cluster) as client,
        ):
            yield client
    else:
        try:
            client = Client(text, timeout="10s")
        except OSError as error:
            raise RobustADError(
                f"cannot reach the dask scheduler at {text}: {error}; start one with "
                "'dask scheduler' or use --scheduler local"
            ) from None
        with client:
            yield client
