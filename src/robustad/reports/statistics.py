"""Rank statistics for comparing detectors over datasets (Demšar, JMLR 7, 2006).

Average ranks, the Friedman test, and the Nemenyi post-hoc critical difference: two detectors
whose average ranks differ by less than the critical difference are not significantly
different at level ``alpha``. Implemented on SciPy (``friedmanchisquare``,
``studentized_range``), which gives the same ``q_alpha`` values as Demšar's table 5.

Examples
--------
>>> import pandas as pd
>>> table = pd.DataFrame(
...     {"a": [0.9, 0.8, 0.85, 0.95], "b": [0.7, 0.6, 0.65, 0.75], "c": [0.8, 0.7, 0.9, 0.85]},
...     index=["d1", "d2", "d3", "d4"],
... )
>>> result = friedman_nemenyi(table)
>>> result.average_ranks.round(2).to_dict()
{'a': 1.25, 'c': 1.75, 'b': 3.0}
>>> round(result.critical_difference, 3)
1.657
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from robustad.exceptions import DataValidationError, InvalidParameterError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["RankTest", "average_ranks", "friedman_nemenyi", "nemenyi_critical_difference"]


def average_ranks(table: pd.DataFrame) -> pd.Series:
    """Average rank of each column (detector) over rows (datasets); 1 = best (highest).

    Ties share the mean of their ranks. Rows with a missing value are dropped, so every
    detector is ranked on the same datasets. Sorted best first.
    """
    complete = table.dropna(axis=0, how="any")
    if complete.empty:
        raise DataValidationError(
            "no dataset has a result for every detector; ranks need a complete table"
        )
    ranks = complete.rank(axis=1, ascending=False, method="average")
    return ranks.mean(axis=0).sort_values(kind="stable")


def nemenyi_critical_difference(n_detectors: int, n_datasets: int, alpha: float = 0.05) -> float:
    """Nemenyi critical difference ``q_alpha * sqrt(k (k + 1) / (6 N))``.

    Examples
    --------
    >>> round(nemenyi_critical_difference(5, 30), 3)
    1.114
    """
    from scipy.stats import studentized_range

    if alpha not in (0.01, 0.05, 0.1) and not 0 < alpha < 1:
        raise InvalidParameterError(f"alpha must be in (0, 1); got {alpha!r}")
    k, n = int(n_detectors), int(n_datasets)
    if k < 2 or n < 1:
        raise InvalidParameterError(
            f"the critical difference needs >= 2 detectors and >= 1 dataset; got {k} and {n}"
        )
    q_alpha = float(studentized_range.ppf(1 - alpha, k, np.inf)) / np.sqrt(2)
    return float(q_alpha * np.sqrt(k * (k + 1) / (6.0 * n)))


@dataclass(frozen=True)
class RankTest:
    """Friedman test plus Nemenyi critical difference over a datasets x detectors table."""

    average_ranks: pd.Series
    n_datasets: int
    n_detectors: int
    friedman_statistic: float
    friedman_p_value: float
    critical_difference: float
    alpha: float

    def cliques(self) -> list[list[str]]:
        """Maximal runs of detectors (in rank order) whose rank spread is below the CD."""
        names = list(self.average_ranks.index)
        values = self.average_ranks.to_numpy()
        groups: list[list[str]] = []
        for start in range(len(names)):
            end = start
            while (
                end + 1 < len(names) and values[end + 1] - values[start] < self.critical_difference
            ):
                end += 1
            if end > start and not any(
                start >= names.index(g[0]) and end <= names.index(g[-1]) for g in groups
            ):
                groups.append(names[start : end + 1])
        return groups


def friedman_nemenyi(table: pd.DataFrame, alpha: float = 0.05) -> RankTest:
    """Friedman test and Nemenyi critical difference for a datasets x detectors table.

    Parameters
    ----------
    table
        One row per dataset, one column per detector, higher = better (e.g. mean AUROC).
        Datasets missing a detector's value are dropped.
    alpha
        Significance level.

    Notes
    -----
    With every value tied in every row, the Friedman statistic is undefined; it is then
    reported as 0 with p-value 1 (no evidence of any difference) instead of NaN.
    """
    from scipy.stats import friedmanchisquare

    complete = table.dropna(axis=0, how="any")
    k, n = complete.shape[1], complete.shape[0]
    if k < 2 or n < 2:
        raise DataValidationError(
            f"a rank test needs >= 2 detectors and >= 2 datasets with complete results; "
            f"got {k} detectors and {n} datasets"
        )
    if k >= 3:
        with np.errstate(all="ignore"):
            statistic, p_value = friedmanchisquare(*[complete[c].to_numpy() for c in complete])
    else:
        statistic, p_value = float("nan"), float("nan")
    if not np.isfinite(statistic):
        # Friedman needs k >= 3; for two detectors, or all ties, report "no evidence".
        statistic, p_value = 0.0, 1.0
    return RankTest(
        average_ranks=average_ranks(complete),
        n_datasets=n,
        n_detectors=k,
        friedman_statistic=float(statistic),
        friedman_p_value=float(p_value),
        critical_difference=nemenyi_critical_difference(k, n, alpha),
        alpha=alpha,
    )
