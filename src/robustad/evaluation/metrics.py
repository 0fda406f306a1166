"""Metrics for anomaly scores (ROBUSTNESS.md section 0).

Ranking metrics (AUROC, average precision) as ADBench computes them: scikit-learn's
``roc_auc_score`` and step-wise ``average_precision_score``. Operating-point metrics
(precision@n, recall at a fixed false-positive rate, F1 at the detector's own threshold) never
choose a threshold from test labels. Every function refuses inputs that would make it
undefined (one class only, NaN scores) instead of returning NaN.

Examples
--------
>>> auroc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
0.75
>>> average_precision([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
0.833...
>>> auroc([0, 0, 1, 1], [1.0, 1.0, 1.0, 1.0])
0.5
>>> precision_at_n([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
0.5
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from robustad._typing import ArrayLike
from robustad.data.validation import check_labels
from robustad.exceptions import DataValidationError, InvalidParameterError

__all__ = [
    "FPR_LEVELS",
    "ConfidenceInterval",
    "auroc",
    "average_precision",
    "bootstrap_ci",
    "f1_at_threshold",
    "precision_at_n",
    "recall_at_fpr",
    "score_metrics",
]

#: False-positive rates at which :func:`score_metrics` reports recall (0.1 %, 1 %, 5 %).
FPR_LEVELS: tuple[float, ...] = (0.001, 0.01, 0.05)


def _checked(y_true: ArrayLike, scores: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    values = np.asarray(scores, dtype=np.float64)
    if values.ndim != 1:
        raise DataValidationError(f"scores must be 1-D; got shape {values.shape}")
    labels = check_labels(y_true, values.shape[0], what="y_true")
    if not np.isfinite(values).all():
        raise DataValidationError(
            f"scores hold {int((~np.isfinite(values)).sum())} NaN or infinite values; "
            "a detector must return finite scores"
        )
    if labels.min() == labels.max():
        raise DataValidationError(
            "y_true holds only one class; AUROC and AP need both normal (0) and anomalous (1) rows"
        )
    return labels, values


def auroc(y_true: ArrayLike, scores: ArrayLike) -> float:
    """Area under the ROC curve; 0.5 for a random or constant score, ties count one half."""
    from sklearn.metrics import roc_auc_score

    labels, values = _checked(y_true, scores)
    return float(roc_auc_score(labels, values))


def average_precision(y_true: ArrayLike, scores: ArrayLike) -> float:
    """Step-wise average precision (scikit-learn); a random scorer's AP is the anomaly share.

    A constant score gives the anomaly share exactly (one threshold, precision = prevalence).
    """
    from sklearn.metrics import average_precision_score

    labels, values = _checked(y_true, scores)
    return float(average_precision_score(labels, values))


def precision_at_n(y_true: ArrayLike, scores: ArrayLike, n: int | None = None) -> float:
    """Share of true anomalies among the ``n`` highest scores (PyOD's ``precision_n_scores``).

    Parameters
    ----------
    y_true
        0/1 labels.
    scores
        Higher = more anomalous.
    n
        How many top-scored rows to inspect; default the number of true anomalies, as in
        PyOD's benchmark tables.

    Notes
    -----
    Ties at the n-th score are broken by expected value: rows tied with the n-th highest
    score share the remaining slots, each counting ``slots / n_tied``. This equals the mean
    precision over all orderings of the tied rows, so a constant score gives exactly the
    prevalence and the result never depends on row order. (PyOD thresholds at the
    ``1 - n/len`` percentile instead, which can select more or fewer than ``n`` rows on ties.)

    Examples
    --------
    >>> precision_at_n([0, 1, 0, 1], [0.9, 0.8, 0.1, 0.7])
    0.5
    >>> precision_at_n([0, 1, 0, 1], [1.0, 1.0, 1.0, 1.0])
    0.5
    """
    labels, values = _checked(y_true, scores)
    n_top = int(labels.sum()) if n is None else int(n)
    if not 1 <= n_top <= labels.shape[0]:
        raise InvalidParameterError(f"n must be in [1, {labels.shape[0]}]; got {n!r}")
    cut = np.sort(values)[::-1][n_top - 1]
    above = values > cut
    tied = values == cut
    slots = n_top - int(above.sum())
    hits = labels[above].sum() + slots * labels[tied].mean()
    return float(hits / n_top)


def recall_at_fpr(y_true: ArrayLike, scores: ArrayLike, fpr: float = 0.01) -> float:
    """Recall (true-positive rate) at a false-positive rate of at most ``fpr``.

    The threshold is the smallest score ``t`` such that flagging every row with score ``>= t``
    flags at most ``floor(fpr * n_normal)`` normal rows; recall is the share of anomalies
    with score ``>= t``. Rows tied at a candidate threshold are flagged together or not at all
    (a threshold cannot split a tie), so with heavy ties the achieved FPR may be well below
    ``fpr``; when even the highest score would flag more normal rows than allowed, recall is
    0. This is the ROC curve read at ``fpr`` without interpolation, so it never credits a
    detector with an operating point it cannot reach.

    Labels are used only to measure; the threshold here is an evaluation device, never a
    detector's deployed threshold (see :func:`f1_at_threshold` for that).

    Examples
    --------
    >>> recall_at_fpr([0, 0, 0, 0, 1, 1], [0.1, 0.2, 0.3, 0.9, 0.8, 0.95], fpr=0.25)
    1.0
    >>> recall_at_fpr([0, 0, 0, 0, 1, 1], [0.1, 0.2, 0.3, 0.9, 0.8, 0.95], fpr=0.0)
    0.5
    >>> recall_at_fpr([0, 0, 1, 1], [1.0, 1.0, 1.0, 1.0], fpr=0.05)
    0.0
    """
    if not 0.0 <= float(fpr) < 1.0:
        raise InvalidParameterError(f"fpr must be in [0, 1); got {fpr!r}")
    labels, values = _checked(y_true, scores)
    normal_scores = np.sort(values[labels == 0])[::-1]
    allowed = int(np.floor(float(fpr) * normal_scores.shape[0] + 1e-9))
    anomaly_scores = values[labels == 1]
    # Candidate thresholds are the distinct scores; flagging ">= t" may include at most
    # `allowed` normals, so t must lie strictly above the (allowed+1)-th highest normal score.
    if allowed >= normal_scores.shape[0]:
        return 1.0
    bound = normal_scores[allowed]
    return float((anomaly_scores > bound).mean())


def f1_at_threshold(y_true: ArrayLike, predictions: ArrayLike) -> float:
    """F1 of the detector's own 0/1 predictions (threshold set without test labels).

    Never pass predictions whose threshold was tuned on the same labels: that is the
    "best F1 on test" leak ROBUSTNESS.md warns about. 0 when nothing is flagged.

    Examples
    --------
    >>> f1_at_threshold([0, 0, 1, 1], [0, 1, 1, 0])
    0.5
    >>> f1_at_threshold([0, 0, 1, 1], [0, 0, 0, 0])
    0.0
    """
    predicted = np.asarray(predictions)
    labels = check_labels(y_true, predicted.shape[0], what="y_true")
    if predicted.ndim != 1 or not np.isin(predicted, (0, 1)).all():
        raise DataValidationError("predictions must be a 1-D array of 0 and 1")
    true_positive = int(((predicted == 1) & (labels == 1)).sum())
    flagged, actual = int(predicted.sum()), int(labels.sum())
    if true_positive == 0:
        return 0.0
    precision, recall = true_positive / flagged, true_positive / actual
    return float(2 * precision * recall / (precision + recall))


def score_metrics(y_true: ArrayLike, scores: ArrayLike) -> dict[str, float]:
    """Every threshold-free metric of one scored test set, keyed by its results-table name.

    Keys: ``auroc``, ``ap``, ``precision_at_n``, ``recall_at_fpr_0.1pct``,
    ``recall_at_fpr_1pct``, ``recall_at_fpr_5pct`` and ``prevalence`` (the AP of a random
    scorer, printed next to AP).

    Examples
    --------
    >>> metrics = score_metrics([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> metrics["auroc"], metrics["prevalence"]
    (0.75, 0.5)
    """
    labels, values = _checked(y_true, scores)
    result = {
        "auroc": auroc(labels, values),
        "ap": average_precision(labels, values),
        "precision_at_n": precision_at_n(labels, values),
    }
    for level in FPR_LEVELS:
        result[f"recall_at_fpr_{level * 100:g}pct"] = recall_at_fpr(labels, values, level)
    result["prevalence"] = float(labels.mean())
    return result


@dataclass(frozen=True)
class ConfidenceInterval:
    """A point estimate with a percentile-bootstrap interval."""

    estimate: float
    low: float
    high: float
    level: float
    n_resamples: int


def bootstrap_ci(
    y_true: ArrayLike,
    scores: ArrayLike,
    metric: Callable[[np.ndarray, np.ndarray], float] = auroc,
    *,
    n_resamples: int = 1000,
    level: float = 0.95,
    random_state: int = 0,
) -> ConfidenceInterval:
    """Percentile-bootstrap confidence interval of a metric over the test rows.

    Rows are resampled with replacement *within each class* (stratified), so every resample
    keeps the class counts and the metric is always defined; the same ``random_state`` gives
    the same interval.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> y = np.r_[np.zeros(90, int), np.ones(10, int)]
    >>> s = rng.normal(size=100) + 2 * y
    >>> ci = bootstrap_ci(y, s, n_resamples=200, random_state=0)
    >>> ci.low < ci.estimate < ci.high
    True
    """
    if not 0 < level < 1:
        raise InvalidParameterError(f"level must be in (0, 1); got {level!r}")
    if int(n_resamples) < 1:
        raise InvalidParameterError(f"n_resamples must be >= 1; got {n_resamples!r}")
    labels, values = _checked(y_true, scores)
    rng = np.random.default_rng(random_state)
    normal_rows, anomaly_rows = np.flatnonzero(labels == 0), np.flatnonzero(labels == 1)
    estimates = np.empty(int(n_resamples))
    for i in range(int(n_resamples)):
        rows = np.concatenate(
            [
                rng.choice(normal_rows, normal_rows.shape[0], replace=True),
                rng.choice(anomaly_rows, anomaly_rows.shape[0], replace=True),
            ]
        )
        estimates[i] = metric(labels[rows], values[rows])
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(estimates, [tail, 100 - tail])
    return ConfidenceInterval(
        estimate=float(metric(labels, values)),
        low=float(low),
        high=float(high),
        level=float(level),
        n_resamples=int(n_resamples),
    )
