"""Scoring a table: the rows as given, with the score, the alert and the range flag appended.

One definition of the columns ``robustad score`` adds, shared by in-process scoring and the
Dask path (:mod:`robustad.scale.scoring`), so both write the same table.

Examples
--------
>>> import pandas as pd, robustad
>>> train = pd.DataFrame({"a": [0.0, 1, 2, 3], "b": [1.0, 0, 1, 0]})
>>> det = robustad.make_detector("ecod").fit(train)
>>> new = pd.DataFrame({"a": [1.0, 9.0], "b": [0.0, 1.0], "id": [7, 8]})
>>> score_table(det, new).columns.tolist()
['a', 'b', 'id', 'anomaly_score', 'is_anomaly', 'out_of_distribution']
"""

from __future__ import annotations

from typing import Any

from robustad.detectors.base import BaseDetector
from robustad.exceptions import DataValidationError

__all__ = [
    "LABEL_COLUMN",
    "OOD_COLUMN",
    "SCORED_COLUMNS",
    "SCORE_COLUMN",
    "check_no_clash",
    "score_table",
]

SCORE_COLUMN = "anomaly_score"
LABEL_COLUMN = "is_anomaly"
OOD_COLUMN = "out_of_distribution"
#: Appended columns and their dtypes.
SCORED_COLUMNS: dict[str, str] = {
    SCORE_COLUMN: "float64",
    LABEL_COLUMN: "int64",
    OOD_COLUMN: "int64",
}


def check_no_clash(columns: Any, what: str = "the input") -> None:
    """Refuse a table that already has one of the columns scoring appends."""
    clash = [c for c in SCORED_COLUMNS if c in set(columns)]
    if clash:
        raise DataValidationError(
            f"{what} already has column(s) {', '.join(map(repr, clash))}; rename them so the "
            "scores can be appended"
        )


def score_table(detector: BaseDetector, frame: Any, what: str = "the input") -> Any:
    """``frame`` with ``anomaly_score``, ``is_anomaly`` and ``out_of_distribution`` appended.

    Columns are matched to the detector's by name (extra columns are kept and ignored). An
    empty frame gets the three columns, empty. ``what`` names the table in errors (e.g.
    ``"file 'tx.csv'"``).
    """
    check_no_clash(frame.columns, what)
    if len(frame) == 0:
        empty = frame.index.to_series()
        return frame.assign(**{name: empty.astype(dtype) for name, dtype in SCORED_COLUMNS.items()})
    scores = detector.decision_function(frame)
    return frame.assign(
        **{
            SCORE_COLUMN: scores,
            LABEL_COLUMN: (scores > detector.threshold_).astype("int64"),
            OOD_COLUMN: detector.out_of_distribution(frame).astype("int64"),
        }
    )
