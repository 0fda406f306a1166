"""Fit on a training set, score a separate test set, and measure the result.

The threshold always comes from the training data (``contamination`` or a calibrated rule);
test labels are used only to measure, never to choose a threshold.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

import numpy as np

from robustad._typing import FloatArray, IntArray
from robustad.data.dataset import Dataset
from robustad.data.splits import scale as scale_datasets
from robustad.detectors.base import BaseDetector
from robustad.evaluation.metrics import auroc, average_precision
from robustad.exceptions import DataValidationError

__all__ = ["HoldoutResult", "evaluate_holdout"]


@dataclass(frozen=True, eq=False)
class HoldoutResult:
    """What :func:`evaluate_holdout` measured.

    Attributes
    ----------
    detector
        The fitted detector.
    test
        The (scaled) test set that was scored.
    scores, predictions
        Test scores and 0/1 labels at the detector's own threshold.
    auroc, average_precision
        Ranking quality on the test set.
    prevalence
        Anomaly share of the test set: the AP of a random scorer.
    recall, false_positive_rate
        At the detector's threshold, which was set from training data only.
    fit_seconds, score_seconds
        Wall time of ``fit`` and of scoring the test set.
    n_train
        Rows the detector was fitted on.
    """

    detector: BaseDetector
    test: Dataset
    scores: FloatArray
    predictions: IntArray
    auroc: float
    average_precision: float
    prevalence: float
    recall: float
    false_positive_rate: float
    fit_seconds: float
    score_seconds: float
    n_train: int

    def most_anomalous(self, k: int = 10) -> IntArray:
        """Test-row indices of the ``k`` highest scores, highest first."""
        order = np.argsort(-self.scores, kind="stable")
        return order[: max(0, int(k))].astype(np.int64)


def evaluate_holdout(
    detector: BaseDetector,
    train: Dataset,
    test: Dataset,
    *,
    scaling: Literal["standard", "minmax", "robust"] | None = "standard",
    normal_only: bool = False,
) -> HoldoutResult:
    """Fit ``detector`` on ``train``, score ``test`` and measure it.

    Parameters
    ----------
    detector
        An unfitted (or to be refitted) detector.
    train, test
        Datasets with the same columns; ``test`` must have labels.
    scaling
        ``"standard"``, ``"minmax"``, ``"robust"`` or None; statistics from ``train`` only.
    normal_only
        Fit on the normal training rows only (the one-class, clean-train setting). Needs
        training labels; they only select rows.

    Examples
    --------
    >>> from robustad.data import make_outlier_data
    >>> from robustad.detectors import ECOD
    >>> train = make_outlier_data(n_samples=300, random_state=0)
    >>> test = make_outlier_data(n_samples=200, random_state=1)
    >>> result = evaluate_holdout(ECOD(), train, test)
    >>> result.auroc > 0.9
    True
    """
    if test.y is None:
        raise DataValidationError(f"test set {test.name!r} has no labels; evaluation needs them")
    if list(train.feature_names) != list(test.feature_names):
        raise DataValidationError(
            f"train {train.name!r} and test {test.name!r} have different columns; "
            "align them before evaluating"
        )
    if normal_only:
        if train.y is None:
            raise DataValidationError(
                f"normal_only=True needs labels on the training set {train.name!r}"
            )
        train = train.subset(train.y == 0)
    if scaling is not None:
        train, test = scale_datasets(train, test, method=scaling)
    assert test.y is not None
    started = time.perf_counter()
    detector.fit(train.X)
    fitted = time.perf_counter()
    scores = detector.decision_function(test.X)
    scored = time.perf_counter()
    predictions = (scores > detector.threshold_).astype(np.int64)
    anomalies, normals = test.y == 1, test.y == 0
    return HoldoutResult(
        detector=detector,
        test=test,
        scores=scores,
        predictions=predictions,
        auroc=auroc(test.y, scores),
        average_precision=average_precision(test.y, scores),
        prevalence=float(anomalies.mean()),
        recall=float(predictions[anomalies].mean()),
        false_positive_rate=float(predictions[normals].mean()),
        fit_seconds=fitted - started,
        score_seconds=scored - fitted,
        n_train=train.n_samples,
    )
