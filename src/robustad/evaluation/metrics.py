"""Ranking metrics for anomaly scores (ROBUSTNESS.md section 0).

AUROC and average precision as ADBench computes them (scikit-learn's ``roc_auc_score`` and
step-wise ``average_precision_score``). Both refuse inputs that would make them undefined
instead of returning NaN.

Examples
--------
>>> auroc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
0.75
>>> average_precision([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
0.833...
>>> auroc([0, 0, 1, 1], [1.0, 1.0, 1.0, 1.0])
0.5
"""

from __future__ import annotations

import numpy as np

from robustad._typing import ArrayLike
from robustad.data.validation import check_labels
from robustad.exceptions import DataValidationError

__all__ = ["auroc", "average_precision"]


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
    """Step-wise average precision (scikit-learn); a random scorer's AP is the anomaly share."""
    from sklearn.metrics import average_precision_score

    labels, values = _checked(y_true, scores)
    return float(average_precision_score(labels, values))
