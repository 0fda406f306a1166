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

import numpy as np

from robustad._typing import FloatArray
from robustad.exceptions import InvalidParameterError

__all__ = ["conformal_pvalues", "conformal_threshold", "minimum_calibration_size"]


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
