"""ECOD and COPOD: tail probabilities from per-feature empirical CDFs of the training data.

Why not PyOD's implementation: PyOD recomputes the ECDFs over the training rows *and the batch
being scored*, so a row's score depends on what else is in the batch, and a row scored alone (as
a service does) gets a different score than in a file. Here the ECDFs come from the training
data only and a new row is placed among them as if it were appended alone:
``F(x) = (#{train <= x} + 1) / (n + 1)``. That is PyOD's score for a batch of one row, except
that the sign of each feature's skewness is also taken from the training data alone (PyOD's
includes the scored row, which can flip the sign of a nearly symmetric feature). Scores are
independent of the batch, and the fitted state is plain arrays (saved with safetensors).
Training rows get PyOD's training scores exactly (``#{train <= x_i} / n``).

References: Li et al., "ECOD", IEEE TKDE 2022; Li et al., "COPOD", ICDM 2020.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import ClassVar

import numpy as np

from robustad._typing import FloatArray, IntArray
from robustad.detectors.base import BaseDetector
from robustad.exceptions import ArtifactError

__all__ = ["COPOD", "ECOD"]

_STATE_FILE = "ecdf.safetensors"


class _TailProbabilityDetector(BaseDetector):
    """Shared ECDF machinery; subclasses combine the per-feature tail scores."""

    _combination: ClassVar[str] = ""

    def __init__(self, contamination: float = 0.1) -> None:
        super().__init__(contamination=contamination)

    def _fit(self, X: FloatArray, y: IntArray | None) -> FloatArray:
        from scipy.stats import skew

        self.sorted_ = np.sort(X, axis=0)
        with warnings.catch_warnings():
            # A constant column has no skewness; scipy warns and returns NaN, read here as 0.
            warnings.simplefilter("ignore", RuntimeWarning)
            skewness = skew(X, axis=0) if X.shape[0] > 2 else np.zeros(X.shape[1])
        self.skew_sign_ = np.sign(np.nan_to_num(skewness, nan=0.0))
        n = X.shape[0]
        left = self._count(X, side="right") / n  # #{train <= x}
        right = (n - self._count(X, side="left")) / n  # #{train >= x}
        return self._combine(-np.log(left), -np.log(right))

    def _score(self, X: FloatArray) -> FloatArray:
        n = self.sorted_.shape[0]
        left = (self._count(X, side="right") + 1.0) / (n + 1.0)
        right = (n - self._count(X, side="left") + 1.0) / (n + 1.0)
        return self._combine(-np.log(left), -np.log(right))

    def _count(self, X: FloatArray, side: str) -> FloatArray:
        counts = np.empty(X.shape, dtype=np.float64)
        for column in range(X.shape[1]):
            counts[:, column] = np.searchsorted(self.sorted_[:, column], X[:, column], side=side)  # type: ignore[call-overload]
        return counts

    def _skew_corrected(self, u_left: FloatArray, u_right: FloatArray) -> FloatArray:
        # PyOD's formula: left tail for negative skew, right tail for positive, both when 0.
        s = self.skew_sign_
        return u_left * -np.sign(s - 1) + u_right * np.sign(s + 1)

    def _combine(self, u_left: FloatArray, u_right: FloatArray) -> FloatArray:
        raise NotImplementedError

    def _dump_state(self) -> dict[str, bytes]:
        from safetensors.numpy import save

        return {_STATE_FILE: save({"sorted": self.sorted_, "skew_sign": self.skew_sign_})}

    def _load_state(self, files: Mapping[str, bytes]) -> None:
        from safetensors.numpy import load

        try:
            arrays = load(files[_STATE_FILE])
            self.sorted_ = arrays["sorted"]
            self.skew_sign_ = arrays["skew_sign"]
        except Exception as error:
            raise ArtifactError(f"{_STATE_FILE} is not a valid state file ({error})") from None
        if self.sorted_.ndim != 2 or self.skew_sign_.shape != (self.sorted_.shape[1],):
            raise ArtifactError(f"{_STATE_FILE} holds arrays of unexpected shapes")


class ECOD(_TailProbabilityDetector):
    """Empirical-CDF outlier detection (ECOD; Li et al., 2022); parameter-free.

    Per feature, the larger of the left-tail, right-tail and skewness-corrected tail
    surprisal, summed over features. Scores are independent of the scored batch.

    Examples
    --------
    >>> from robustad.data import make_outlier_data
    >>> data = make_outlier_data(n_samples=200, random_state=0)
    >>> det = ECOD().fit(data.X)
    >>> bool(det.decision_function(data.X[:1])[0] == det.decision_function(data.X[:5])[0])
    True
    """

    def _combine(self, u_left: FloatArray, u_right: FloatArray) -> FloatArray:
        per_feature = np.maximum(np.maximum(u_left, u_right), self._skew_corrected(u_left, u_right))
        return per_feature.sum(axis=1)


class COPOD(_TailProbabilityDetector):
    """Copula-based outlier detection (COPOD; Li et al., 2020); parameter-free.

    Per feature, the larger of the skewness-corrected tail surprisal and the mean of the two
    tails, summed over features. Scores are independent of the scored batch.

    Examples
    --------
    >>> from robustad.data import make_outlier_data
    >>> data = make_outlier_data(n_samples=200, random_state=0)
    >>> COPOD().fit(data.X).decision_function(data.X).shape
    (200,)
    """

    def _combine(self, u_left: FloatArray, u_right: FloatArray) -> FloatArray:
        per_feature = np.maximum(self._skew_corrected(u_left, u_right), (u_left + u_right) / 2)
        return per_feature.sum(axis=1)
