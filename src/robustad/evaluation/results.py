"""The benchmark results table: its columns, reading, resuming and summarising.

``results.csv`` holds one row per dataset x detector x seed with the columns in
:data:`RESULT_COLUMNS`. It is rewritten atomically after every finished cell, so an
interrupted run leaves a readable table that the next run resumes from.

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame(
...     [
...         {"dataset": "a", "detector": "iforest", "seed": 1, "auroc": 0.8, "status": "ok"},
...         {"dataset": "a", "detector": "iforest", "seed": 2, "auroc": 0.9, "status": "ok"},
...     ]
... )
>>> summary = summarise(normalise(frame))
>>> round(float(summary.loc[0, "auroc_mean"]), 2), int(summary.loc[0, "n_ok"])
(0.85, 2)
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from robustad.exceptions import DataValidationError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "METRIC_COLUMNS",
    "RESULT_COLUMNS",
    "STATUSES",
    "cell_key",
    "normalise",
    "read_results",
    "summarise",
    "write_results",
]

#: Columns of ``results.csv``, in this order.
RESULT_COLUMNS: tuple[str, ...] = (
    "dataset",
    "detector",
    "seed",
    "protocol",
    "auroc",
    "ap",
    "precision_at_n",
    "recall_at_fpr_1pct",
    "fit_seconds",
    "score_seconds",
    "peak_memory_mb",
    "status",
    "error",
)
#: Quality metrics among the columns (higher is better).
METRIC_COLUMNS: tuple[str, ...] = ("auroc", "ap", "precision_at_n", "recall_at_fpr_1pct")
#: Values of the ``status`` column.
STATUSES: tuple[str, ...] = ("ok", "error", "timeout")

_FLOAT_COLUMNS = (*METRIC_COLUMNS, "fit_seconds", "score_seconds", "peak_memory_mb")


def cell_key(row: Any) -> tuple[str, str, int, str]:
    """The identity of a cell: (dataset, detector, seed, protocol)."""
    return (str(row["dataset"]), str(row["detector"]), int(row["seed"]), str(row["protocol"]))


def normalise(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with exactly :data:`RESULT_COLUMNS`, typed, sorted by cell."""
    import pandas as pd

    frame = frame.copy()
    for column in RESULT_COLUMNS:
        if column not in frame.columns:
            frame[column] = "" if column in ("error", "protocol") else float("nan")
    frame = frame[list(RESULT_COLUMNS)]
    for column in _FLOAT_COLUMNS:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    frame["seed"] = pd.to_numeric(frame["seed"]).astype("int64")
    for column in ("dataset", "detector", "protocol", "status", "error"):
        values = frame[column].astype(object)
        frame[column] = values.where(values.notna(), "").astype(str)
    return frame.sort_values(
        ["dataset", "detector", "seed", "protocol"], kind="stable"
    ).reset_index(drop=True)


def read_results(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read ``results.csv``; an absent file gives an empty table with the right columns.

    Raises
    ------
    DataValidationError
        When the file lacks one of :data:`RESULT_COLUMNS` (not a results table).
    """
    import pandas as pd

    from robustad.data.io import read_table

    path = Path(path)
    if not path.exists():
        return normalise(pd.DataFrame(columns=list(RESULT_COLUMNS)))
    frame = read_table(path)
    missing = [c for c in RESULT_COLUMNS if c not in frame.columns]
    if missing:
        raise DataValidationError(
            f"file '{path}' is not a benchmark results table: column(s) "
            f"{', '.join(map(repr, missing))} missing; choose another --out folder or remove it"
        )
    return normalise(frame)


def write_results(frame: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write the results table atomically (sorted, exactly :data:`RESULT_COLUMNS`)."""
    from robustad.data.io import write_table

    write_table(normalise(frame), path)


def summarise(frame: pd.DataFrame) -> pd.DataFrame:
    """Mean and standard deviation of every metric per dataset x detector over ok seeds.

    Columns: ``dataset, detector, n_ok, n_failed`` and ``<metric>_mean``, ``<metric>_std``
    for each metric, plus ``fit_seconds_mean`` and ``score_seconds_mean``.
    """
    import pandas as pd

    frame = normalise(frame)
    rows = []
    for (dataset, detector), group in frame.groupby(["dataset", "detector"], sort=True):
        ok = group[group["status"] == "ok"]
        row: dict[str, Any] = {
            "dataset": dataset,
            "detector": detector,
            "n_ok": len(ok),
            "n_failed": len(group) - len(ok),
            "statuses": ",".join(sorted(set(group["status"]) - {"ok"})),
        }
        for column in (*METRIC_COLUMNS, "fit_seconds", "score_seconds", "peak_memory_mb"):
            values = ok[column].dropna()
            row[f"{column}_mean"] = float(values.mean()) if len(values) else float("nan")
            row[f"{column}_std"] = float(values.std(ddof=0)) if len(values) else float("nan")
        rows.append(row)
    return pd.DataFrame(rows)
