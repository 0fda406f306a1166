"""Flag inputs that look attacked or lie outside the training range, at scoring time (R6, R7).

A mitigation in the sense of MITRE ATLAS AML.M0015 (Adversarial Input Detection), used next
to a fitted detector: it does not change the detector's score, it adds a second verdict per
row, "this row may have been manipulated, or the score extrapolates; have a person look".

Two checks, either of which flags a row:

out of range
    Some feature lies outside the detector's training range
    (:meth:`~robustad.detectors.base.BaseDetector.out_of_distribution`, R5). An attacker kept
    inside the range is not caught by it; an attacker who leaves it is.
local minimum
    An evasion attack such as :func:`~robustad.robustness.attacks.pgd_evasion` *minimises*
    the score, so the attacked row tends to sit at a local minimum: almost every small nudge
    raises its score. A natural row sits on a slope of the score more often, where nudges
    raise and lower it about equally. The statistic is the *rise ratio*
    ``mean(d) / sqrt(mean(d ** 2))`` of the score changes ``d`` under ``n_draws`` Gaussian
    nudges of ``noise`` training standard deviations per column: +1 when every nudge raises
    the score by the same amount, about 0 on a slope, -1 at a local maximum. It uses only
    ``decision_function``, so it applies to any detector, and it does not depend on the
    score's offset or scale. It is turned into a conformal p-value against held-out clean
    rows, so that on clean rows like them at most ``fpr`` are flagged by it (in expectation
    over the clean rows drawn; Bates et al. 2023).

Limitations (measured in ``tests/unit/robustness/test_attack_detection.py`` and stated here
so nobody mistakes this for a defence with guarantees):

* An *adaptive* attacker who knows the check can optimise against it too, e.g. by stopping
  the descent on a slope just under the threshold, or by expectation over transformation
  (averaging the score over the same kind of nudges). The check raises the cost of an
  attack; it is not a proof of anything.
* It finds attacks that end at a minimum of the score: gradient attacks on a smooth score
  (measured on the autoencoder only). A random-search attack (:func:`random_evasion`) ends
  wherever its best draw landed, usually on a slope, and is flagged at about the clean rate.
* When the data have no structure for the attack to exploit (e.g. isotropic Gaussian
  features), an evading row is just a slightly less anomalous row and nothing distinguishes it;
  detection then stays near ``fpr``.
* The centre of the normal data is a local minimum of many scores too, so the clean rows this
  check flags (at most ``fpr`` of them) include very typical ones (see the class example).
* Only the false-flag rate on clean rows is controlled; the detection rate is whatever the
  data and the attack give. A column that is constant on the clean rows is never nudged.

Examples
--------
>>> import numpy as np, robustad
>>> from robustad.robustness.attacks import FeasibleSet, pgd_evasion
>>> rng = np.random.default_rng(0)
>>> mixing = rng.normal(size=(2, 6))               # normal rows lie near a plane in 6-D
>>> def normal(n):
...     return rng.normal(size=(n, 2)) @ mixing + 0.1 * rng.normal(size=(n, 6))
>>> det = robustad.make_detector("autoencoder", epochs=30, random_state=0).fit(normal(600))
>>> guard = AttackDetector(det, fpr=0.05, random_state=0).fit(normal(500))
>>> anomalies = normal(100) + 0.3 * rng.normal(size=(100, 6))
>>> feasible = FeasibleSet.from_data(normal(600))
>>> attacked = pgd_evasion(det, anomalies, epsilon=0.5, feasible=feasible, random_state=0)
>>> bool(guard.flag(attacked).mean() > 3 * guard.flag(normal(500)).mean())
True
>>> report = guard.report(attacked[:2])
>>> sorted(report.to_dict())
['flagged', 'out_of_range', 'pvalue', 'score', 'statistic']
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.base import BaseEstimator

from robustad._typing import ArrayLike, FloatArray
from robustad.data.parameters import check_count, check_number
from robustad.data.validation import check_features, is_dataframe
from robustad.detectors.base import BaseDetector, data_fingerprint
from robustad.detectors.calibration import (
    conformal_pvalues,
    conformal_threshold,
    minimum_calibration_size,
)
from robustad.exceptions import InvalidParameterError, NotFittedError

__all__ = ["AttackDetector", "AttackReport"]

BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class AttackReport:
    """Per-row verdicts of :meth:`AttackDetector.report`, all arrays of shape (n_samples,).

    Attributes
    ----------
    score
        The detector's anomaly score (``decision_function``), unchanged.
    out_of_range
        Some feature lies outside the detector's training range.
    statistic
        Rise ratio in [-1, 1]: near +1 when the row sits at a local minimum of the score.
    pvalue
        Conformal p-value of the statistic against the clean rows: small means unusual.
    flagged
        ``out_of_range`` or ``pvalue <= fpr``.
    """

    score: FloatArray
    out_of_range: BoolArray
    statistic: FloatArray
    pvalue: FloatArray
    flagged: BoolArray

    def to_dict(self) -> dict[str, list[Any]]:
        """Plain lists of floats and bools, ready for ``json.dumps``."""
        return {f.name: getattr(self, f.name).tolist() for f in fields(self)}


class AttackDetector(BaseEstimator):
    """Flags rows that sit at a local minimum of a detector's score or outside its range.

    Parameters
    ----------
    detector
        A fitted robustad detector; it is only queried (``decision_function``,
        ``out_of_distribution``), never changed.
    n_draws
        Random nudges per row. Each costs one ``decision_function`` call on the batch.
    noise
        Standard deviation of a nudge, in units of each column's standard deviation on the
        clean rows given to :meth:`fit`. Smaller than any attack budget you care about.
    fpr
        Share of clean rows the local-minimum check may flag (rows out of range come on top).
        Needs at least ``ceil(1 / fpr) - 1`` clean rows in :meth:`fit`.
    tolerance
        Margin of the out-of-range check, as a share of each column's training range.
    random_state
        Seed of the private generator that draws the nudges. Fresh nudges are drawn at every
        call (fixed directions could be learnt by an attacker); with a seed, the same
        sequence of calls gives the same results.

    Attributes
    ----------
    scale_ : ndarray of shape (n_features,)
        Per-column standard deviation of the clean rows (0 for a constant column).
    calibration_ : ndarray of shape (n_clean,)
        Sorted statistics of the clean rows.
    threshold_ : float
        Statistics above it have ``pvalue <= fpr``.
    n_features_in_ : int
        Number of features.

    Examples
    --------
    See the module docstring for a full example with an attack.

    >>> import numpy as np, robustad
    >>> rng = np.random.default_rng(0)
    >>> det = robustad.make_detector("ecod").fit(rng.normal(size=(300, 3)))
    >>> guard = AttackDetector(det, fpr=0.05, random_state=0).fit(rng.normal(size=(200, 3)))
    >>> guard.flag([[1.0, -0.5, 0.5], [0.0, 0.0, 40.0]]).tolist()  # the second is out of range
    [False, True]
    >>> guard.flag([[0.0, 0.0, 0.0]]).tolist()  # the very centre is a minimum too: a false flag
    [True]
    """

    def __init__(
        self,
        detector: BaseDetector,
        *,
        n_draws: int = 32,
        noise: float = 0.05,
        fpr: float = 0.01,
        tolerance: float = 0.1,
        random_state: int | None = None,
    ) -> None:
        self.detector = detector
        self.n_draws = n_draws
        self.noise = noise
        self.fpr = fpr
        self.tolerance = tolerance
        self.random_state = random_state

    # ------------------------------------------------------------------ public
    def fit(self, X_clean: ArrayLike) -> AttackDetector:
        """Calibrate on clean rows: normal traffic the detector was *not* fitted on.

        Rows from the detector's own training set sit unusually well in its score (it was
        optimised on them), so they would set a miscalibrated threshold.

        Returns
        -------
        self
        """
        self._check_params()
        detector = self._check_detector()
        needed = minimum_calibration_size(self.fpr)
        X = self._features(X_clean, detector, what="X_clean")
        if X.shape[0] < needed:
            raise InvalidParameterError(
                f"fpr={self.fpr} needs at least {needed} clean rows in X_clean; got "
                f"{X.shape[0]}. Pass more clean rows or a larger fpr"
            )
        if data_fingerprint(X) == getattr(detector, "training_fingerprint_", None):
            raise InvalidParameterError(
                "X_clean is the detector's training data; pass held-out clean rows"
            )
        std = X.std(axis=0)
        # A constant column carries no scale to nudge by; moving it would only take every
        # row, clean or attacked, off the training support alike.
        self.scale_ = np.where(std > 0, std, 0.0)
        self.n_features_in_ = X.shape[1]
        self.detector_fingerprint_ = getattr(detector, "training_fingerprint_", None)
        self._rng = np.random.default_rng(self.random_state)
        self.calibration_ = np.sort(self._rise_ratio(X, detector.decision_function(X)))
        self.threshold_ = conformal_threshold(self.calibration_, self.fpr)
        return self

    def statistic(self, X: ArrayLike) -> FloatArray:
        """Rise ratio per row, in [-1, 1]; larger means closer to a local minimum."""
        X_array = self._check_scoring(X)
        return self._rise_ratio(X_array, self.detector.decision_function(X_array))

    def flag(self, X: ArrayLike) -> BoolArray:
        """True for rows out of range or with a significant statistic (see :meth:`report`)."""
        return self.report(X).flagged

    def report(self, X: ArrayLike) -> AttackReport:
        """Score, out-of-range flag, statistic, p-value and verdict for every row of ``X``."""
        X_array = self._check_scoring(X)
        scores = self.detector.decision_function(X_array)
        statistic = self._rise_ratio(X_array, scores)
        out_of_range = self.detector.out_of_distribution(X_array, tolerance=self.tolerance)
        return AttackReport(
            score=scores,
            out_of_range=out_of_range,
            statistic=statistic,
            pvalue=conformal_pvalues(self.calibration_, statistic),
            flagged=out_of_range | (statistic > self.threshold_),
        )

    # ------------------------------------------------------------------ helpers
    def _rise_ratio(self, X: FloatArray, scores: FloatArray) -> FloatArray:
        """``mean(d) / rms(d)`` of the score changes ``d`` under random nudges (0 if all 0)."""
        total = np.zeros(X.shape[0])
        squares = np.zeros(X.shape[0])
        step = float(self.noise) * self.scale_
        # One batch per draw keeps memory at the size of X, whatever n_draws is.
        for _ in range(int(self.n_draws)):
            nudged = X + self._rng.standard_normal(X.shape) * step
            rise = self.detector.decision_function(nudged) - scores
            total += rise
            squares += rise * rise
        mean, rms = total / self.n_draws, np.sqrt(squares / self.n_draws)
        return np.divide(mean, rms, out=np.zeros_like(mean), where=rms > 0)

    def _check_params(self) -> None:
        check_count("n_draws", self.n_draws)
        check_number(
            "noise",
            self.noise,
            minimum=0,
            exclusive=True,
            meaning="a share of each column's standard deviation, e.g. 0.05",
        )
        check_number("tolerance", self.tolerance, minimum=0)
        check_number("fpr", self.fpr, minimum=0, maximum=1, exclusive=True)
        minimum_calibration_size(self.fpr)  # raises InvalidParameterError naming fpr
        if self.random_state is not None:
            check_count("random_state", self.random_state, minimum=0)

    def _check_detector(self) -> BaseDetector:
        detector = self.detector
        if not isinstance(detector, BaseDetector):
            raise InvalidParameterError(
                f"detector must be a robustad detector (robustad.make_detector(...)); got "
                f"{type(detector).__name__}"
            )
        if not hasattr(detector, "threshold_"):
            raise NotFittedError(
                f"detector ({type(detector).__name__}) is not fitted; call detector.fit(X) "
                "before AttackDetector.fit"
            )
        return detector

    def _check_scoring(self, X: ArrayLike) -> FloatArray:
        if not hasattr(self, "calibration_"):
            raise NotFittedError(
                "This AttackDetector is not fitted yet; call fit(X_clean) with held-out clean "
                "rows first"
            )
        detector = self._check_detector()
        if getattr(detector, "training_fingerprint_", None) != self.detector_fingerprint_:
            raise NotFittedError(
                "the detector was refitted after AttackDetector.fit, so the calibration is "
                "stale; call fit(X_clean) again"
            )
        return self._features(X, detector, what="X")

    @staticmethod
    def _features(X: ArrayLike, detector: BaseDetector, *, what: str) -> FloatArray:
        """Validated float rows; a table is put in the detector's column order."""
        names = None
        if is_dataframe(X) and getattr(detector, "_has_feature_names_", False):
            names = [str(name) for name in detector.feature_names_in_]
        array, _ = check_features(
            X, n_features=detector.n_features_in_, feature_names=names, what=what
        )
        return array
