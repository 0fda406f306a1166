"""Conformal calibration of anomaly scores on held-out normal data (ROBUSTNESS.md R12).

With ``n`` calibration scores from normal rows that were not used for fitting, the conformal
p-value of a new score ``s`` is ``(1 + #{calibration >= s}) / (n + 1)``. For a new normal row
exchangeable with the calibration rows, ``P(p <= alpha) <= alpha`` (Bates et al., "Testing for
outliers with conformal p-values", 2023). Flagging rows with ``p <= alpha`` therefore keeps the
false-positive rate at or below ``alpha``, whatever the detector.

Examples
--------
>>> import numpy as np
>>> calibration = np.sort(np.arange(1.0, 100.0))      # 99 normal scores: 1 ... 99
>>> conformal_pvalues(calibration, np.array([0.5, 50.0, 99.5]))
array([1.  , 0.51, 0.01])
>>> conformal_threshold(calibration, 0.05)             # flag scores above it: p <= 0.05
95.0
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from robustad._typing import FloatArray
from robustad.exceptions import InvalidParameterError

__all__ = [
    "conformal_pvalues",
    "conformal_threshold",
    "fit_with_fpr",
    "minimum_calibration_size",
]


def _check_fpr(fpr: float) -> float:
    value = float(fpr)
    if not (math.isfinite(value) and 0.0 < value < 1.0):
        raise InvalidParameterError(
            f"fpr must be a false-positive rate in (0, 1), e.g. 0.01; got {fpr!r}"
        )
    return value


def minimum_calibration_size(fpr: float) -> int:
    """Fewest calibration rows for which a threshold with false-positive rate <= ``fpr`` exists."""
    return math.ceil(1.0 / _check_fpr(fpr) - 1e-9) - 1


def conformal_pvalues(calibration_sorted: FloatArray, scores: FloatArray) -> FloatArray:
    """Conformal p-values of ``scores`` against ascending ``calibration_sorted`` scores."""
    n = calibration_sorted.shape[0]
    at_least = n - np.searchsorted(calibration_sorted, scores, side="left")
    return (1.0 + at_least) / (n + 1.0)


def conformal_threshold(calibration_sorted: FloatArray, fpr: float) -> float:
    """The score threshold ``t`` such that ``score > t`` exactly when ``p-value <= fpr``.

    Raises
    ------
    InvalidParameterError
        When there are too few calibration rows to reach ``fpr`` (fewer than
        ``ceil(1 / fpr) - 1``): no score could ever be flagged.
    """
    alpha = _check_fpr(fpr)
    n = calibration_sorted.shape[0]
    # p <= alpha  <=>  #{calibration >= s} <= m  <=>  s > calibration[n - m - 1] (0-based).
    m = math.floor(alpha * (n + 1) + 1e-9) - 1
    if m < 0:
        raise InvalidParameterError(
            f"a false-positive rate of {alpha} needs at least {minimum_calibration_size(alpha)} "
            f"held-out normal rows to calibrate on; got {n}. Pass more normal rows or a larger fpr"
        )
    return float(calibration_sorted[n - m - 1])


def fit_with_fpr(
    detector: Any,
    X: Any,
    y: Any = None,
    *,
    fpr: float,
    holdout: float = 0.2,
    random_state: int | None = None,
) -> Any:
    """Fit on part of the rows and calibrate the threshold to ``fpr`` on the rest.

    A share ``holdout`` of the rows (of the *normal* rows when labels ``y`` are given) is set
    aside, the detector is fitted on the others (with ``y`` if it uses labels) and
    :meth:`~robustad.detectors.base.BaseDetector.calibrate` sets the threshold from the
    held-out rows. Without labels the held-out rows are assumed to be (mostly) normal;
    anomalies among them only make the threshold more conservative.

    Examples
    --------
    >>> import numpy as np, robustad
    >>> X = np.random.default_rng(0).normal(size=(2000, 3))
    >>> det = fit_with_fpr(robustad.make_detector("ecod"), X, fpr=0.01, random_state=0)
    >>> det.target_fpr_, det.calibration_scores_.shape
    (0.01, (400,))
    """
    from robustad.data.validation import check_features, check_labels

    _check_fpr(fpr)
    share = float(holdout)
    if not (math.isfinite(share) and 0.0 < share < 1.0):
        raise InvalidParameterError(f"holdout must be a share in (0, 1); got {holdout!r}")
    array, names = check_features(X)
    labels = None if y is None else check_labels(y, array.shape[0], allow_unknown=True)
    candidates = np.arange(array.shape[0]) if labels is None else np.flatnonzero(labels == 0)
    n_held = round(share * candidates.size)
    needed = minimum_calibration_size(fpr)
    if n_held < needed:
        raise InvalidParameterError(
            f"fpr={fpr} needs at least {needed} held-out normal rows; a holdout of {share:.0%} "
            f"gives {n_held}. Use more rows, a larger holdout or a larger fpr"
        )
    rng = np.random.default_rng(random_state)
    held = np.zeros(array.shape[0], dtype=bool)
    held[rng.choice(candidates, n_held, replace=False)] = True
    fit_rows = array[~held]
    if names is not None and hasattr(X, "iloc"):
        fit_rows = X.iloc[np.flatnonzero(~held)]
        calibration_rows = X.iloc[np.flatnonzero(held)]
    else:
        calibration_rows = array[held]
    if labels is not None and detector.tags.uses_labels:
        detector.fit(fit_rows, labels[~held])
    else:
        detector.fit(fit_rows)
    return detector.calibrate(calibration_rows, fpr=fpr)
