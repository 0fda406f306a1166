"""The detector contract shared by every robustad detector, deep or classical.

Names follow PyOD so a PyOD user can swap a robustad detector in; parameter handling follows
scikit-learn (``__init__`` only stores its arguments; ``get_params``, ``set_params`` and
``sklearn.base.clone`` work; validation happens in ``fit``).

A concrete detector implements two methods:

``_fit(X, y) -> training scores``
    Fit on a validated float64 array and return the anomaly scores of the training rows
    (higher = more anomalous).
``_score(X) -> scores``
    Score a validated float64 array with the right number of features.

and, to be saved, ``_dump_state() -> {filename: bytes}`` / ``_load_state(files)``. Everything
else (validation, thresholds, labels, probabilities, NaN guards, saving) lives here, once.
"""

from __future__ import annotations

import hashlib
import math
import numbers
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt
from sklearn.base import BaseEstimator

from robustad._typing import ArrayLike, FloatArray, IntArray
from robustad.data.validation import check_features, check_labels, is_dataframe
from robustad.detectors.tags import DetectorTags
from robustad.exceptions import DataValidationError, InvalidParameterError, NotFittedError

__all__ = ["BaseDetector", "data_fingerprint"]


def _generated_feature_names(n_features: int) -> tuple[str, ...]:
    return tuple(f"x{i}" for i in range(n_features))


class BaseDetector(BaseEstimator):
    """Base class of every robustad detector.

    Parameters
    ----------
    contamination
        Expected fraction of anomalies in the training data, in (0, 0.5]. Sets ``threshold_`` to
        the ``1 - contamination`` quantile of the training scores (as PyOD does).

    Attributes
    ----------
    decision_scores_ : ndarray of shape (n_samples,)
        Anomaly scores of the training rows (higher = more anomalous).
    threshold_ : float
        Scores above it are labelled anomalies by ``predict``.
    labels_ : ndarray of shape (n_samples,)
        0/1 labels of the training rows.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of str
        Column names seen in ``fit`` (``x0``, ``x1``, ... when fitted on an array).

    Examples
    --------
    >>> import robustad
    >>> from robustad.data import make_outlier_data
    >>> data = make_outlier_data(n_samples=200, n_features=3, random_state=0)
    >>> det = robustad.make_detector("ecod").fit(data.X)
    >>> det.decision_function(data.X[:3]).shape
    (3,)
    >>> sorted(set(det.predict(data.X).tolist()))
    [0, 1]
    """

    #: Registry name, set by :func:`robustad.detectors.registry.register_detector`.
    name: ClassVar[str] = ""
    #: What the detector can do; subclasses override.
    _tags: ClassVar[DetectorTags] = DetectorTags()

    # Fitted state (set by fit; declared for type checkers).
    decision_scores_: FloatArray
    threshold_: float
    labels_: IntArray
    feature_min_: FloatArray
    feature_max_: FloatArray

    def __init__(self, contamination: float = 0.1) -> None:
        self.contamination = contamination

    # ------------------------------------------------------------------ to implement
    def _fit(self, X: FloatArray, y: IntArray | None) -> FloatArray:
        raise NotImplementedError

    def _score(self, X: FloatArray) -> FloatArray:
        raise NotImplementedError

    def _dump_state(self) -> dict[str, bytes]:
        """Serialise fitted state (beyond the base attributes) to files, without pickle."""
        raise NotImplementedError(f"{type(self).__name__} cannot be saved yet")

    def _load_state(self, files: Mapping[str, bytes]) -> None:
        """Restore what :meth:`_dump_state` wrote; ``files`` are already hash-verified."""
        raise NotImplementedError(f"{type(self).__name__} cannot be loaded yet")

    def _check_params(self) -> None:
        """Validate constructor arguments (called at the start of ``fit``)."""

    # ------------------------------------------------------------------ public contract
    @property
    def tags(self) -> DetectorTags:
        """Capability tags of this detector class."""
        return type(self)._tags

    def fit(self, X: ArrayLike, y: ArrayLike | None = None) -> BaseDetector:
        """Fit the detector.

        Parameters
        ----------
        X
            Training data, shape (n_samples, n_features): array-like or DataFrame.
        y
            Optional labels (1 anomaly, 0 normal, -1 unknown). Used only by detectors tagged
            ``uses_labels``; validated and ignored by the others.

        Returns
        -------
        self
        """
        self._validate_contamination()
        self._check_params()
        X_array, names = check_features(X, what="X")
        labels = None
        if y is not None:
            labels = check_labels(y, X_array.shape[0], allow_unknown=self.tags.uses_labels)
        self._reset_fitted_state()
        # Overflow inside a model is caught by _finite_scores with a clear message instead.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            scores = self._fit(X_array, labels)
        scores = self._finite_scores(scores, X_array, during="fit")
        self.n_features_in_ = X_array.shape[1]
        self._has_feature_names_ = names is not None
        self.feature_names_in_ = np.asarray(
            names if names is not None else _generated_feature_names(X_array.shape[1]),
            dtype=object,
        )
        self._record_training(X_array, scores)
        return self

    def _record_training(
        self, X: FloatArray, scores: FloatArray, *, keep_range: bool = False
    ) -> None:
        """Set the fitted state that follows from the training rows and their scores.

        Shared by ``fit`` and by methods that train further (``fine_tune``): training scores,
        the contamination threshold and labels, the training range (widened to include the
        earlier one with ``keep_range``) and the fingerprint. A calibration describes the
        previous model's scores, so it is dropped.
        """
        low, high = X.min(axis=0), X.max(axis=0)
        if keep_range:
            low, high = np.minimum(low, self.feature_min_), np.maximum(high, self.feature_max_)
        self.decision_scores_ = scores
        self.feature_min_, self.feature_max_ = low, high
        self.threshold_ = float(np.percentile(scores, 100.0 * (1.0 - self.contamination)))
        self.labels_ = (scores > self.threshold_).astype(np.int64)
        self.training_fingerprint_ = data_fingerprint(X)
        for stale in ("calibration_scores_", "target_fpr_"):
            self.__dict__.pop(stale, None)

    def decision_function(self, X: ArrayLike) -> FloatArray:
        """Anomaly scores of ``X``: float64, shape (n_samples,), higher = more anomalous.

        Never NaN: invalid input raises :class:`~robustad.exceptions.DataValidationError`.
        """
        self._check_is_fitted()
        X_array = self._validate_for_scoring(X)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            scores = self._score(X_array)
        return self._finite_scores(scores, X_array, during="scoring")

    def predict(self, X: ArrayLike) -> IntArray:
        """0 (normal) / 1 (anomaly) labels: 1 where the score is above ``threshold_``."""
        return (self.decision_function(X) > self.threshold_).astype(np.int64)

    def predict_proba(self, X: ArrayLike, method: str = "linear") -> FloatArray:
        """Outlier probability as columns ``[P(normal), P(anomaly)]``, shape (n_samples, 2).

        Parameters
        ----------
        method
            ``"linear"``: min-max scaling by the training scores, clipped to [0, 1] (PyOD's
            default). ``"unify"``: Gaussian scaling by the training scores' mean and standard
            deviation (Kriegel et al., 2011). Neither is a calibrated probability; use conformal
            p-values for error control.
        """
        scores = self.decision_function(X)
        train = self.decision_scores_
        if method == "linear":
            low, high = float(train.min()), float(train.max())
            span = high - low
            proba = (scores - low) / span if span > 0 else (scores > high).astype(np.float64)
        elif method == "unify":
            from scipy.special import erf

            std = float(train.std())
            standardised = (scores - float(train.mean())) / (std if std > 0 else 1.0)
            proba = erf(standardised / math.sqrt(2.0))
        else:
            raise InvalidParameterError(
                f"predict_proba(method={method!r}) is not supported; use 'linear' or 'unify'"
            )
        proba = np.clip(proba, 0.0, 1.0)
        return np.column_stack([1.0 - proba, proba])

    def calibrate(self, X_normal: ArrayLike, *, fpr: float | None = None) -> BaseDetector:
        """Calibrate on held-out normal rows: conformal p-values and, with ``fpr``, the threshold.

        Parameters
        ----------
        X_normal
            Normal rows that were *not* used for ``fit`` (e.g. a recent clean period).
        fpr
            Target false-positive rate. When given, ``threshold_`` is reset so that a row is
            flagged exactly when its conformal p-value is <= ``fpr``; on new normal rows like
            ``X_normal`` the false-positive rate is then at most ``fpr`` (in expectation over
            the calibration draw). ``labels_`` follow the new threshold. When omitted, an
            earlier target (``target_fpr_``) is kept and the threshold recomputed for it on
            the new rows; without one, the threshold is left as it is.

        Returns
        -------
        self

        Examples
        --------
        >>> import numpy as np, robustad
        >>> rng = np.random.default_rng(0)
        >>> det = robustad.make_detector("ecod").fit(rng.normal(size=(500, 3)))
        >>> det = det.calibrate(rng.normal(size=(5000, 3)), fpr=0.01)
        >>> round(float(det.predict(rng.normal(size=(20000, 3))).mean()), 2)  # false alarms
        0.01
        """
        from robustad.detectors.calibration import conformal_threshold

        scores = self.decision_function(X_normal)
        calibration = np.sort(scores)
        if fpr is None:
            fpr = getattr(self, "target_fpr_", None)
        threshold = None if fpr is None else conformal_threshold(calibration, fpr)
        self.calibration_scores_ = calibration
        if threshold is not None:
            self.threshold_ = threshold
            self.target_fpr_ = float(fpr)  # type: ignore[arg-type]
            self.labels_ = (self.decision_scores_ > threshold).astype(np.int64)
        return self

    def predict_pvalue(self, X: ArrayLike) -> FloatArray:
        """Conformal p-values, shape (n_samples,): small means unusual for a normal row.

        Needs :meth:`calibrate` first. ``p`` is ``(1 + #{calibration >= score}) / (n + 1)``;
        for a normal row ``P(p <= a) <= a``, so p-values can feed error control such as
        Benjamini-Hochberg.
        """
        from robustad.detectors.calibration import conformal_pvalues

        self._check_is_fitted()
        if not hasattr(self, "calibration_scores_"):
            raise NotFittedError(
                f"This {type(self).__name__} has no calibration data; call "
                "calibrate(X_normal) with held-out normal rows before predict_pvalue"
            )
        return conformal_pvalues(self.calibration_scores_, self.decision_function(X))

    def out_of_range(self, X: ArrayLike, *, tolerance: float = 0.1) -> npt.NDArray[np.bool_]:
        """Which cells lie outside the range seen in training, shape (n_samples, n_features).

        A cell is out of range when it is below ``min - tolerance * (max - min)`` or above
        ``max + tolerance * (max - min)`` of its training column. A column that was constant in
        training accepts only that value.
        """
        self._check_is_fitted()
        if not (isinstance(tolerance, numbers.Real) and 0 <= float(tolerance) < math.inf):
            raise InvalidParameterError(
                f"tolerance must be a finite number >= 0; got {tolerance!r}"
            )
        X_array = self._validate_for_scoring(X)
        margin = float(tolerance) * (self.feature_max_ - self.feature_min_)
        return (X_array < self.feature_min_ - margin) | (X_array > self.feature_max_ + margin)

    def out_of_distribution(self, X: ArrayLike, *, tolerance: float = 0.1) -> npt.NDArray[np.bool_]:
        """True for rows with any feature outside the training range (see ``out_of_range``).

        Such rows are scored all the same, but their score extrapolates beyond what the
        detector has seen: flag them for a person instead of trusting the score silently
        (ROBUSTNESS.md R5, NIST AI RMF MEASURE 2.6).

        Examples
        --------
        >>> import robustad
        >>> det = robustad.make_detector("ecod").fit([[0.0, 1.0], [1.0, 2.0], [2.0, 3.0]])
        >>> det.out_of_distribution([[1.0, 2.0], [1.0, 50.0]]).tolist()
        [False, True]
        """
        return np.asarray(self.out_of_range(X, tolerance=tolerance).any(axis=1), dtype=np.bool_)

    def fit_predict(self, X: ArrayLike, y: ArrayLike | None = None) -> IntArray:
        """Fit on ``X`` and return the training labels ``labels_``."""
        return self.fit(X, y).labels_

    def save(self, path: str | Path) -> Path:
        """Save the fitted detector to a folder (``manifest.json`` + pickle-free state files).

        The write is atomic: an existing model at ``path`` stays readable until the new one is
        complete. Load it back with :func:`robustad.load`.
        """
        from robustad.detectors.persistence import save_detector

        return save_detector(self, path)

    # ------------------------------------------------------------------ helpers
    def _validate_contamination(self) -> None:
        c = self.contamination
        if (
            isinstance(c, bool)
            or not isinstance(c, numbers.Real)
            or not math.isfinite(float(c))
            or not 0.0 < float(c) <= 0.5
        ):
            raise InvalidParameterError(
                f"contamination must be a number in (0, 0.5]; got {c!r}. It is the expected "
                "fraction of anomalies in the training data (e.g. 0.05)"
            )

    def _reset_fitted_state(self) -> None:
        for attribute in [a for a in vars(self) if a.endswith("_") and not a.startswith("__")]:
            delattr(self, attribute)

    def _check_is_fitted(self) -> None:
        if not hasattr(self, "threshold_"):
            raise NotFittedError(
                f"This {type(self).__name__} is not fitted yet; call fit(X) before scoring"
            )

    def _validate_for_scoring(self, X: ArrayLike) -> FloatArray:
        if is_dataframe(X):
            names = [str(n) for n in self.feature_names_in_]
            columns = {str(c) for c in X.columns}
            if self._has_feature_names_ or set(names) <= columns:
                array, _ = check_features(X, feature_names=names)
                return array
        array, _ = check_features(X, n_features=self.n_features_in_)
        return array

    def _finite_scores(self, scores: Any, X: FloatArray, during: str) -> FloatArray:
        scores = np.asarray(scores, dtype=np.float64).reshape(-1)
        if scores.shape[0] != X.shape[0]:  # pragma: no cover - a bug in a detector
            raise RuntimeError(
                f"{type(self).__name__} returned {scores.shape[0]} scores for {X.shape[0]} rows"
            )
        if not np.isfinite(scores).all():
            rows = np.flatnonzero(~np.isfinite(scores))
            largest = float(np.abs(X[rows]).max())
            raise DataValidationError(
                f"{type(self).__name__} produced non-finite scores during {during} for "
                f"{rows.size} row(s) (first: {', '.join(map(str, rows[:5]))}), whose largest "
                f"absolute value is {largest:.3g}; values this large are outside what the "
                "detector can handle: scale the features (e.g. robustad.data.scale) first"
            )
        return scores


def data_fingerprint(X: FloatArray) -> str:
    """sha256 of a validated matrix (shape + bytes): tells whether two arrays hold the same data.

    Stored as ``training_fingerprint_`` at fit, e.g. so that a check can refuse the training
    rows where held-out rows are required.
    """
    digest = hashlib.sha256(repr(X.shape).encode())
    digest.update(np.ascontiguousarray(X).tobytes())
    return digest.hexdigest()
