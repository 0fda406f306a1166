"""Evasion attacks on a fitted detector: white-box PGD and a random-search baseline (R6).

The attacker controls an anomalous row and perturbs it so that its score falls below the
deployed threshold (ATLAS AML.T0015 via AML.T0043.000), or pushes normal rows above it to flood
analysts with false alarms (``direction="raise"``, AML.T0046). Budgets are in units of each
feature's training standard deviation. After every step the rows are projected onto the
:class:`FeasibleSet`: the observed training range, whole numbers for integer columns, and
columns the attacker cannot change left alone.

Success is always recomputed through ``decision_function`` and the detector's threshold, never
taken from the attack's own bookkeeping.

Examples
--------
>>> import numpy as np, robustad
>>> rng = np.random.default_rng(0)
>>> X = rng.normal(size=(400, 4))
>>> det = robustad.make_detector("autoencoder", epochs=5, random_state=0).fit(X)
>>> feasible = FeasibleSet.from_data(X)
>>> anomalies = X[:20] + 3
>>> attacked = pgd_evasion(det, anomalies, epsilon=0.5, feasible=feasible, random_state=0)
>>> bool(feasible.contains(attacked, anomalies, epsilon=0.5).all())
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from robustad._typing import FloatArray
from robustad.data.validation import check_features
from robustad.detectors.base import BaseDetector
from robustad.exceptions import InvalidParameterError

__all__ = ["FeasibleSet", "evasion_success", "pgd_evasion", "random_evasion"]

BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class FeasibleSet:
    """Which inputs an attacker may produce.

    Attributes
    ----------
    low, high
        Per-column bounds (the training minimum and maximum).
    scale
        Per-column unit of the budget (the training standard deviation; 1 for constant columns).
    integer
        Columns that must hold whole numbers.
    frozen
        Columns the attacker cannot change (e.g. merchant country).
    """

    low: FloatArray
    high: FloatArray
    scale: FloatArray
    integer: BoolArray
    frozen: BoolArray

    @classmethod
    def from_data(
        cls,
        X: Any,
        *,
        frozen: Sequence[int] = (),
        integer: Sequence[int] | Literal["auto"] = "auto",
    ) -> FeasibleSet:
        """Bounds and units from training data; ``integer="auto"`` marks whole-number columns."""
        array, _ = check_features(X)
        d = array.shape[1]
        std = array.std(axis=0)
        integer_mask = np.zeros(d, dtype=bool)
        if integer == "auto":
            integer_mask = np.all(array == np.round(array), axis=0)
        else:
            integer_mask[list(integer)] = True
        frozen_mask = np.zeros(d, dtype=bool)
        frozen_list = list(frozen)
        if any(not 0 <= c < d for c in frozen_list):
            raise InvalidParameterError(f"frozen columns must lie in [0, {d}); got {frozen_list}")
        frozen_mask[frozen_list] = True
        return cls(
            low=array.min(axis=0),
            high=array.max(axis=0),
            scale=np.where(std > 0, std, 1.0),
            integer=integer_mask,
            frozen=frozen_mask,
        )

    def bounds(self, X_orig: FloatArray, epsilon: float) -> tuple[FloatArray, FloatArray]:
        """Per-cell interval allowed around ``X_orig``: the budget, cut to the training range.

        A value already outside the training range may stay, or move toward the range.
        """
        radius = epsilon * self.scale
        lower = np.maximum(X_orig - radius, self.low)
        upper = np.minimum(X_orig + radius, self.high)
        return np.minimum(lower, X_orig), np.maximum(upper, X_orig)

    def project(self, X_adv: FloatArray, X_orig: FloatArray, epsilon: float) -> FloatArray:
        """The closest feasible rows within the L-infinity budget ``epsilon`` of ``X_orig``."""
        lower, upper = self.bounds(X_orig, epsilon)
        projected = np.clip(X_adv, lower, upper)
        if self.integer.any():
            columns = self.integer
            whole = np.clip(
                np.round(projected[:, columns]),
                np.ceil(lower[:, columns] - 1e-9),
                np.floor(upper[:, columns] + 1e-9),
            )
            projected[:, columns] = whole
        projected[:, self.frozen] = X_orig[:, self.frozen]
        return projected

    def contains(self, X_adv: FloatArray, X_orig: FloatArray, epsilon: float) -> BoolArray:
        """Per row: inside :meth:`bounds`, whole where needed, frozen columns untouched."""
        tolerance = 1e-9
        lower, upper = self.bounds(X_orig, epsilon)
        inside = (X_adv >= lower - tolerance) & (X_adv <= upper + tolerance)
        whole = ~self.integer | (X_adv == np.round(X_adv)) | (X_adv == X_orig)
        unchanged = ~self.frozen | (X_adv == X_orig)
        return np.asarray((inside & whole & unchanged).all(axis=1), dtype=np.bool_)


def _check_attack(
    detector: BaseDetector, X: Any, epsilon: float, direction: str = "lower"
) -> FloatArray:
    if direction not in ("lower", "raise"):
        raise InvalidParameterError(
            f"direction must be 'lower' (hide anomalies) or 'raise' (flood false alarms); "
            f"got {direction!r}"
        )
    if not hasattr(detector, "threshold_"):
        from robustad.exceptions import NotFittedError

        raise NotFittedError("attack a fitted detector: call fit(X) first")
    value = float(epsilon)
    if not (np.isfinite(value) and value >= 0):
        raise InvalidParameterError(f"epsilon must be a finite number >= 0; got {epsilon!r}")
    array, _ = check_features(X, n_features=detector.n_features_in_)
    return array


def pgd_evasion(
    detector: BaseDetector,
    X: Any,
    *,
    epsilon: float,
    feasible: FeasibleSet,
    steps: int = 40,
    step_size: float | None = None,
    restarts: int = 1,
    direction: Literal["lower", "raise"] = "lower",
    random_state: int | None = None,
) -> FloatArray:
    """Projected gradient descent on the detector's score under an L-infinity budget.

    Parameters
    ----------
    detector
        A fitted detector tagged ``differentiable`` (it offers ``score_tensor``).
    X
        Rows to perturb (anomalies to hide, or normal rows to push up).
    epsilon
        Budget per column, in units of the column's training standard deviation.
    feasible
        The inputs the attacker may produce (projected onto after every step).
    steps, step_size
        Gradient steps per start, and their size (default ``epsilon / 10``) in the same units.
    restarts
        Random starts in addition to the unperturbed start; the best row over all is kept.
    direction
        ``"lower"`` hides anomalies (evasion); ``"raise"`` floods false alarms.

    Returns
    -------
    ndarray
        The attacked rows, feasible and within budget.
    """
    import torch

    X_orig = _check_attack(detector, X, epsilon, direction)
    if not detector.tags.differentiable:
        raise InvalidParameterError(
            f"{type(detector).__name__} is not differentiable (tag); use random_evasion, a "
            "score-only attack, against it"
        )
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise InvalidParameterError(f"steps must be a positive integer; got {steps!r}")
    sign = 1.0 if direction == "lower" else -1.0
    alpha = (epsilon / 10.0 if step_size is None else float(step_size)) * feasible.scale
    rng = np.random.default_rng(random_state)
    score = getattr(detector, "score_tensor")  # noqa: B009 - present on differentiable detectors
    best = X_orig.copy()
    best_scores = detector.decision_function(X_orig)
    for start in range(1 + max(0, int(restarts))):
        # The first start is the row itself; the others are random points in the budget.
        current = X_orig.copy() if start == 0 else _random_point(X_orig, feasible, epsilon, rng)
        for _ in range(steps):
            x = torch.tensor(current, dtype=torch.float64, requires_grad=True)
            objective = score(x).sum()
            (gradient,) = torch.autograd.grad(objective, x)
            step = -sign * alpha * np.sign(gradient.numpy())
            current = feasible.project(current + step, X_orig, epsilon)
            best, best_scores = _keep_better(detector, current, best, best_scores, sign)
    return best


def random_evasion(
    detector: BaseDetector,
    X: Any,
    *,
    epsilon: float,
    feasible: FeasibleSet,
    n_queries: int = 40,
    direction: Literal["lower", "raise"] = "lower",
    random_state: int | None = None,
) -> FloatArray:
    """Score-only random search: ``n_queries`` uniform draws in the budget, best row kept.

    Works on any detector (classical ones included) and is the honesty baseline for PGD: at the
    same budget and number of score evaluations, a gradient attack that is no better than this
    is not really using the gradient.
    """
    X_orig = _check_attack(detector, X, epsilon, direction)
    sign = 1.0 if direction == "lower" else -1.0
    rng = np.random.default_rng(random_state)
    best = X_orig.copy()
    best_scores = detector.decision_function(X_orig)
    for _ in range(int(n_queries)):
        candidate = _random_point(X_orig, feasible, epsilon, rng)
        best, best_scores = _keep_better(detector, candidate, best, best_scores, sign)
    return best


def _random_point(
    X_orig: FloatArray, feasible: FeasibleSet, epsilon: float, rng: np.random.Generator
) -> FloatArray:
    """A uniform draw from the L-infinity budget around each row, made feasible."""
    noise = rng.uniform(-1.0, 1.0, size=X_orig.shape) * epsilon * feasible.scale
    return feasible.project(X_orig + noise, X_orig, epsilon)


def _keep_better(
    detector: BaseDetector,
    candidate: FloatArray,
    best: FloatArray,
    best_scores: FloatArray,
    sign: float,
) -> tuple[FloatArray, FloatArray]:
    scores = detector.decision_function(candidate)
    better = sign * scores < sign * best_scores
    best = np.where(better[:, None], candidate, best)
    return best, np.where(better, scores, best_scores)


def evasion_success(
    detector: BaseDetector, X_before: Any, X_after: Any, *, direction: str = "lower"
) -> dict[str, float]:
    """Share of rows whose alert the attack flipped, recomputed with ``decision_function``.

    For ``direction="lower"``: among rows flagged before, the share not flagged after.
    For ``"raise"``: among rows not flagged before, the share flagged after.
    """
    before = detector.decision_function(X_before) > detector.threshold_
    after = detector.decision_function(X_after) > detector.threshold_
    targets = before if direction == "lower" else ~before
    flipped = targets & (after != before)
    n_targets = int(targets.sum())
    return {
        "targets": float(n_targets),
        "success_rate": float(flipped.sum() / n_targets) if n_targets else 0.0,
    }
