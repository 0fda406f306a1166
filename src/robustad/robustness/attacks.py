"""Evasion attacks on a fitted detector: white-box PGD, APAE, and a random-search baseline (R6).

The attacker controls an anomalous row and perturbs it so that its score falls below the
deployed threshold (ATLAS AML.T0015 via AML.T0043.000), or pushes normal rows above it to flood
analysts with false alarms (``direction="raise"``, AML.T0046). Budgets are in units of each
feature's training standard deviation, as an L-infinity (``norm="linf"``) or L2 (``"l2"``) ball.
After every step the rows are projected onto the :class:`FeasibleSet`: the observed training
range, whole numbers for integer columns, and columns the attacker cannot change left alone.

The APAE attacks (:func:`apae_random`, :func:`apae_l2`, :func:`apae_l0`) follow Goodge et al.
(IJCAI 2020) for reconstruction detectors. Score-only attacks that need no gradient live in
:mod:`robustad.robustness.blackbox`.

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
>>> attacked = pgd_evasion(det, anomalies, epsilon=1.0, feasible=feasible, norm="l2")
>>> bool(feasible.contains(attacked, anomalies, epsilon=1.0, norm="l2").all())
True
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from robustad._typing import FloatArray
from robustad.data.parameters import check_columns, check_count, check_number
from robustad.data.validation import check_features
from robustad.detectors.base import BaseDetector
from robustad.exceptions import InvalidParameterError, NotFittedError

__all__ = [
    "FeasibleSet",
    "apae_l0",
    "apae_l2",
    "apae_random",
    "evasion_success",
    "pgd_evasion",
    "random_evasion",
]

BoolArray = npt.NDArray[np.bool_]
Norm = Literal["linf", "l2"]
Direction = Literal["lower", "raise"]

#: Slack for float round-off when checking that rows lie inside a budget.
_TOLERANCE = 1e-9


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
    levels
        Discrete columns (coded or one-hot, also after standardisation): column index -> the
        sorted values seen in training, the only ones an attacker may set it to (besides
        leaving the row's own value).

    Examples
    --------
    >>> import numpy as np
    >>> feasible = FeasibleSet.from_data(
    ...     [[0.0, 10], [4.0, 30]], frozen=[1], integer=[], discrete=[]
    ... )
    >>> feasible.scale.tolist(), feasible.frozen.tolist()
    ([2.0, 10.0], [False, True])
    >>> X = np.array([[1.0, 20.0]])
    >>> feasible.project(X + 5, X, epsilon=0.5)  # half a standard deviation; column 1 frozen
    array([[ 2., 20.]])
    >>> feasible.contains(np.array([[1.6, 20.0], [2.5, 20.0]]), X, epsilon=0.5, norm="l2")
    array([ True, False])

    A column with few distinct values (a code, a one-hot flag) only takes values seen in
    training:

    >>> coded = FeasibleSet.from_data([[0.0], [1.0], [0.0], [5.0]])
    >>> coded.levels[0].tolist()
    [0.0, 1.0, 5.0]
    >>> coded.project(np.array([[3.7]]), np.array([[1.0]]), epsilon=2.0)
    array([[5.]])
    """

    low: FloatArray
    high: FloatArray
    scale: FloatArray
    integer: BoolArray
    frozen: BoolArray
    levels: Mapping[int, FloatArray] = field(default_factory=dict)

    @classmethod
    def from_data(
        cls,
        X: Any,
        *,
        frozen: Sequence[int] = (),
        integer: Sequence[int] | Literal["auto"] = "auto",
        discrete: Sequence[int] | Literal["auto"] = "auto",
        max_levels: int = 10,
    ) -> FeasibleSet:
        """Bounds, units and column kinds from training data.

        ``integer="auto"`` marks whole-number columns; ``discrete="auto"`` marks columns with
        at most ``max_levels`` distinct values (one-hot, flags, codes: standardised or not) and
        restricts them to those values.
        """
        array, _ = check_features(X)
        d = array.shape[1]
        std = array.std(axis=0)
        integer_mask = np.zeros(d, dtype=bool)
        if integer == "auto":
            integer_mask = np.all(array == np.round(array), axis=0)
        else:
            integer_mask[list(check_columns("integer", integer, d))] = True
        frozen_mask = np.zeros(d, dtype=bool)
        frozen_mask[list(check_columns("frozen", frozen, d))] = True
        max_levels = check_count("max_levels", max_levels)
        values = [np.unique(array[:, c]) for c in range(d)]
        if discrete == "auto":
            chosen = [c for c in range(d) if 2 <= values[c].size <= max_levels]
        else:
            chosen = list(check_columns("discrete", discrete, d))
        return cls(
            low=array.min(axis=0),
            high=array.max(axis=0),
            scale=np.where(std > 0, std, 1.0),
            integer=integer_mask,
            frozen=frozen_mask,
            levels={c: values[c] for c in chosen if not frozen_mask[c]},
        )

    def bounds(self, X_orig: FloatArray, epsilon: float) -> tuple[FloatArray, FloatArray]:
        """Per-cell interval allowed around ``X_orig``: the budget, cut to the training range.

        A value already outside the training range may stay, or move toward the range.
        """
        radius = epsilon * self.scale
        lower = np.maximum(X_orig - radius, self.low)
        upper = np.minimum(X_orig + radius, self.high)
        return np.minimum(lower, X_orig), np.maximum(upper, X_orig)

    def project(
        self, X_adv: FloatArray, X_orig: FloatArray, epsilon: float, norm: Norm = "linf"
    ) -> FloatArray:
        """Feasible rows within the budget ``epsilon`` of ``X_orig`` (``norm`` "linf" or "l2").

        For ``"linf"`` this is the closest such row. For ``"l2"`` the step is cut to the
        training range, then shortened onto the ball (standardised units), then integer columns
        are rounded toward the original value; each stage keeps the previous ones, so the row
        is feasible and within budget, though not always the closest such row.
        ``epsilon=math.inf`` leaves only the range, integer and frozen constraints.
        """
        _check_norm(norm)
        if norm == "l2":
            lower, upper = self.bounds(X_orig, math.inf)
            step = np.clip(X_adv, lower, upper) - X_orig
            step[:, self.frozen] = 0.0
            length = self.length(X_orig + step, X_orig, "l2")
            with np.errstate(divide="ignore", invalid="ignore"):
                shrink = np.where(length > epsilon, epsilon / length, 1.0)
            rounded = self._round_toward(X_orig + step * shrink[:, None], X_orig)
            for column, values in self.levels.items():
                rounded[:, column] = _level_toward(rounded[:, column], X_orig[:, column], values)
            return rounded
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
        for column, values in self.levels.items():
            projected[:, column] = _nearest_level(
                projected[:, column], X_orig[:, column], values, lower[:, column], upper[:, column]
            )
        projected[:, self.frozen] = X_orig[:, self.frozen]
        return projected

    def relaxed(self) -> FeasibleSet:
        """The same set with integer and discrete columns treated as continuous.

        Gradient attacks step on this relaxation and round only the rows they score: rounding
        every step would undo any step shorter than half a unit (or half a level gap), so such
        a column could never move however many steps accumulate.
        """
        return replace(self, integer=np.zeros_like(self.integer), levels={})

    def _round_toward(self, X_adv: FloatArray, X_orig: FloatArray) -> FloatArray:
        # Rounding toward the original value never lengthens a cell's change, so it cannot
        # push a row out of an L2 ball or the training range that the unrounded row was in.
        columns = self.integer
        if not columns.any():
            return X_adv
        adv, orig = X_adv[:, columns], X_orig[:, columns]
        toward = np.where(adv > orig, np.floor(adv), np.where(adv < orig, np.ceil(adv), orig))
        # No whole number between the two (e.g. 2.3 -> 2.8): the cell keeps its original value.
        overshot = (toward - orig) * (adv - orig) < 0
        rounded = X_adv.copy()
        rounded[:, columns] = np.where(overshot, orig, toward)
        return rounded

    def length(self, X_adv: FloatArray, X_orig: FloatArray, norm: Norm = "linf") -> FloatArray:
        """Per row: the size of the change in standardised units (divided by ``scale``)."""
        _check_norm(norm)
        change = np.abs(X_adv - X_orig) / self.scale
        if norm == "l2":
            return np.asarray(np.sqrt((change**2).sum(axis=1)), dtype=np.float64)
        return np.asarray(change.max(axis=1, initial=0.0), dtype=np.float64)

    def relative_change(self, X_adv: FloatArray, X_orig: FloatArray) -> FloatArray:
        """Per row: ``100 * sum|x' - x| / sum|x|`` (percent), the budget of :func:`apae_l2`.

        Measured on the training range scaled to [0, 1] (``(x - low) / (high - low)``), as on
        the min-max scaled data of Goodge et al., so no column dominates by its unit. A row at
        the minimum of every column has no relative change: any move counts as ``inf``.
        """
        span = np.where(self.high > self.low, self.high - self.low, 1.0)
        moved = (np.abs(X_adv - X_orig) / span).sum(axis=1)
        size = (np.abs(X_orig - self.low) / span).sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            percent = np.where(moved > 0, 100.0 * moved / size, 0.0)
        return np.asarray(percent, dtype=np.float64)

    def contains(
        self, X_adv: FloatArray, X_orig: FloatArray, epsilon: float, norm: Norm = "linf"
    ) -> BoolArray:
        """Per row: within budget (``norm``) and range, whole where needed, frozen untouched."""
        _check_norm(norm)
        lower, upper = self.bounds(X_orig, epsilon if norm == "linf" else math.inf)
        inside = (X_adv >= lower - _TOLERANCE) & (X_adv <= upper + _TOLERANCE)
        whole = ~self.integer | (X_adv == np.round(X_adv)) | (X_adv == X_orig)
        unchanged = ~self.frozen | (X_adv == X_orig)
        ok = (inside & whole & unchanged).all(axis=1)
        for column, values in self.levels.items():
            ok &= np.isin(X_adv[:, column], values) | (X_adv[:, column] == X_orig[:, column])
        if norm == "l2":
            ok &= self.length(X_adv, X_orig, "l2") <= epsilon * (1 + _TOLERANCE) + _TOLERANCE
        return np.asarray(ok, dtype=np.bool_)


def _nearest_level(
    target: FloatArray, orig: FloatArray, values: FloatArray, lower: FloatArray, upper: FloatArray
) -> FloatArray:
    """Per row, the allowed value (a training level or the row's own) nearest ``target``.

    Allowed levels lie within ``[lower, upper]``; the row's own value always is allowed.
    """
    candidates = np.concatenate(
        [np.broadcast_to(values, (target.size, values.size)), orig[:, None]], axis=1
    )
    allowed = (candidates >= lower[:, None] - _TOLERANCE) & (
        candidates <= upper[:, None] + _TOLERANCE
    )
    allowed[:, -1] = True
    distance = np.where(allowed, np.abs(candidates - target[:, None]), np.inf)
    return np.asarray(candidates[np.arange(target.size), distance.argmin(axis=1)])


def _level_toward(target: FloatArray, orig: FloatArray, values: FloatArray) -> FloatArray:
    """Per row, the level between ``orig`` and ``target`` nearest ``target`` (else ``orig``).

    Never lengthens a cell's change, so an L2 ball the unrounded row was in still holds it.
    """
    change = (target - orig)[:, None]
    offset = values[None, :] - orig[:, None]
    between = (offset * change > 0) & (np.abs(offset) <= np.abs(change) + _TOLERANCE)
    distance = np.where(between, np.abs(values[None, :] - target[:, None]), np.inf)
    pick = distance.argmin(axis=1)
    found = np.isfinite(distance[np.arange(target.size), pick])
    return np.where(found, values[pick], orig)


def _check_norm(norm: object) -> None:
    if norm not in ("linf", "l2"):
        raise InvalidParameterError(f"norm must be 'linf' or 'l2'; got {norm!r}")


def _check_attack(
    detector: BaseDetector,
    X: Any,
    feasible: FeasibleSet,
    epsilon: float | None = None,
    direction: str = "lower",
) -> FloatArray:
    """The validated rows to attack; raises on any request the attack cannot honour."""
    if direction not in ("lower", "raise"):
        raise InvalidParameterError(
            f"direction must be 'lower' (hide anomalies) or 'raise' (flood false alarms); "
            f"got {direction!r}"
        )
    if not hasattr(detector, "decision_function"):
        raise InvalidParameterError(
            f"detector must be a robustad detector; got {type(detector).__name__}"
        )
    if not hasattr(detector, "threshold_"):
        raise NotFittedError("attack a fitted detector: call fit(X) first")
    if epsilon is not None:
        check_number("epsilon", epsilon, minimum=0)
    if not isinstance(feasible, FeasibleSet):
        raise InvalidParameterError(
            f"feasible must be a FeasibleSet (e.g. FeasibleSet.from_data(X_train)); "
            f"got {type(feasible).__name__}"
        )
    n_features = detector.n_features_in_
    if feasible.low.shape != (n_features,):
        raise InvalidParameterError(
            f"feasible describes {feasible.low.shape[0]} columns but the detector takes "
            f"{n_features}; build it from the detector's training data"
        )
    array, _ = check_features(X, n_features=n_features)
    return array


def _require_gradient(detector: BaseDetector) -> None:
    if not detector.tags.differentiable:
        raise InvalidParameterError(
            f"{type(detector).__name__} is not differentiable (tag); use random_evasion or "
            "robustad.robustness.blackbox.coordinate_evasion, score-only attacks, against it"
        )


def _gradient(detector: BaseDetector, X: FloatArray, feasible: FeasibleSet) -> FloatArray:
    """Gradient of each row's score per standardised unit (raw gradient times ``scale``).

    Frozen columns get zero, so a normalised or top-k step is not spent on them.
    """
    import torch

    score = getattr(detector, "score_tensor")  # noqa: B009 - present on differentiable detectors
    x = torch.tensor(X, dtype=torch.float64, requires_grad=True)
    (gradient,) = torch.autograd.grad(score(x).sum(), x)
    per_unit = gradient.numpy() * feasible.scale
    per_unit[:, feasible.frozen] = 0.0
    return np.asarray(per_unit, dtype=np.float64)


def _sign(direction: str) -> float:
    return 1.0 if direction == "lower" else -1.0


def pgd_evasion(
    detector: BaseDetector,
    X: Any,
    *,
    epsilon: float,
    feasible: FeasibleSet,
    norm: Norm = "linf",
    steps: int = 40,
    step_size: float | None = None,
    restarts: int = 1,
    direction: Direction = "lower",
    random_state: int | None = None,
) -> FloatArray:
    """Projected gradient descent on the detector's score under an L-infinity or L2 budget.

    Parameters
    ----------
    detector
        A fitted detector tagged ``differentiable`` (it offers ``score_tensor``).
    X
        Rows to perturb (anomalies to hide, or normal rows to push up).
    epsilon
        Budget in standardised units (the change divided by each column's training standard
        deviation): per column for ``"linf"``, the Euclidean length of the change for ``"l2"``.
    feasible
        The inputs the attacker may produce (projected onto after every step).
    norm
        ``"linf"``: each step moves every column by ``step_size`` along the gradient's sign.
        ``"l2"``: each step has length ``step_size`` along the gradient (standardised units).
    steps, step_size
        Gradient steps per start, and their size in standardised units. The default is
        ``epsilon / 10`` for ``"linf"`` and ``2.5 * epsilon / steps`` for ``"l2"`` (Madry et
        al.: enough to cross the ball and back, small enough to follow its surface).
    restarts
        Random starts in addition to the unperturbed start; the best row over all is kept.
    direction
        ``"lower"`` hides anomalies (evasion); ``"raise"`` floods false alarms.
    random_state
        Seed of the random starts.

    Returns
    -------
    ndarray
        The attacked rows, feasible and within budget; each scores no worse than its original.

    Examples
    --------
    >>> import numpy as np, robustad
    >>> X = np.random.default_rng(0).normal(size=(300, 3))
    >>> det = robustad.make_detector("autoencoder", epochs=3, random_state=0).fit(X)
    >>> feasible = FeasibleSet.from_data(X)
    >>> anomalies = X[:10] + 2
    >>> attacked = pgd_evasion(det, anomalies, epsilon=0.5, feasible=feasible, norm="l2")
    >>> bool((det.decision_function(attacked) <= det.decision_function(anomalies)).all())
    True
    """
    X_orig = _check_attack(detector, X, feasible, epsilon, direction)
    _require_gradient(detector)
    _check_norm(norm)
    steps = check_count("steps", steps)
    restarts = check_count("restarts", restarts, minimum=0)
    sign = _sign(direction)
    default_step = epsilon / 10.0 if norm == "linf" else 2.5 * epsilon / steps
    alpha = (
        default_step
        if step_size is None
        else check_number("step_size", step_size, minimum=0, exclusive=True)
    )
    rng = np.random.default_rng(random_state)
    best = X_orig.copy()
    best_scores = detector.decision_function(X_orig)
    relaxed = feasible.relaxed()
    for start in range(1 + restarts):
        # The first start is the row itself; the others are random points in the budget.
        current = (
            X_orig.copy() if start == 0 else _random_point(X_orig, feasible, epsilon, rng, norm)
        )
        scored = current
        for _ in range(steps):
            # The gradient where the score is evaluated; the step accumulates unrounded.
            gradient = _gradient(detector, scored, feasible)
            if norm == "linf":
                unit = np.sign(gradient)
            else:
                length = np.linalg.norm(gradient, axis=1, keepdims=True)
                unit = np.divide(gradient, length, out=np.zeros_like(gradient), where=length > 0)
            step = -sign * alpha * unit * feasible.scale
            current = relaxed.project(current + step, X_orig, epsilon, norm)
            scored = feasible.project(current, X_orig, epsilon, norm)
            best, best_scores = _keep_better(detector, scored, best, best_scores, sign)
    return best


def random_evasion(
    detector: BaseDetector,
    X: Any,
    *,
    epsilon: float,
    feasible: FeasibleSet,
    norm: Norm = "linf",
    n_queries: int = 40,
    direction: Direction = "lower",
    random_state: int | None = None,
) -> FloatArray:
    """Score-only random search: ``n_queries`` uniform draws in the budget, best row kept.

    Works on any detector (classical ones included) and is the honesty baseline for PGD: at the
    same budget and number of score evaluations, a gradient attack that is no better than this
    is not really using the gradient. ``norm`` and ``epsilon`` mean what they mean for
    :func:`pgd_evasion`; draws are uniform in the L-infinity box or the L2 ball.

    Examples
    --------
    >>> import numpy as np, robustad
    >>> X = np.random.default_rng(0).normal(size=(200, 3))
    >>> det = robustad.make_detector("ecod").fit(X)
    >>> feasible = FeasibleSet.from_data(X)
    >>> attacked = random_evasion(det, X[:5] + 3, epsilon=0.5, feasible=feasible, norm="l2")
    >>> bool(feasible.contains(attacked, X[:5] + 3, epsilon=0.5, norm="l2").all())
    True
    """
    X_orig = _check_attack(detector, X, feasible, epsilon, direction)
    _check_norm(norm)
    n_queries = check_count("n_queries", n_queries)
    sign = _sign(direction)
    rng = np.random.default_rng(random_state)
    best = X_orig.copy()
    best_scores = detector.decision_function(X_orig)
    for _ in range(n_queries):
        candidate = _random_point(X_orig, feasible, epsilon, rng, norm)
        best, best_scores = _keep_better(detector, candidate, best, best_scores, sign)
    return best


def apae_random(
    detector: BaseDetector,
    X: Any,
    *,
    feasible: FeasibleSet,
    n_vectors: int = 1000,
    sigma: float = 0.01,
    direction: Direction = "lower",
    random_state: int | None = None,
) -> FloatArray:
    """APAE random attack: add Gaussian noise, keep each row's change when its score drops.

    Goodge et al., "Robustness of Autoencoders for Anomaly Detection Under Adversarial Impact"
    (IJCAI 2020): ``n_vectors`` times, every row gets a fresh Gaussian vector (``sigma`` in
    standardised units) added to its current best version; the sum is kept where it scores
    better, so the rows walk downhill. There is no size budget, only the feasible set.
    Score-only, so it works on any detector.

    Deviation from the paper: the loss is the detector's own score (``decision_function``),
    not a SmoothL1 reconstruction error, so the attack targets what the deployment alerts on.

    Parameters
    ----------
    detector
        A fitted detector.
    X
        Rows to perturb (the paper attacks true anomalies only).
    feasible
        The inputs the attacker may produce (projected onto after every step).
    n_vectors, sigma
        Number of random vectors (one score query per row each) and their standard deviation.
    direction
        ``"lower"`` hides anomalies; ``"raise"`` floods false alarms.
    random_state
        Seed of the noise.

    Returns
    -------
    ndarray
        The attacked rows, feasible; each scores no worse than its original.

    Examples
    --------
    >>> import numpy as np, robustad
    >>> X = np.random.default_rng(0).normal(size=(300, 3))
    >>> det = robustad.make_detector("autoencoder", epochs=3, random_state=0).fit(X)
    >>> feasible = FeasibleSet.from_data(X)
    >>> anomalies = X[:10] + 2
    >>> attacked = apae_random(det, anomalies, feasible=feasible, n_vectors=50, random_state=0)
    >>> bool((det.decision_function(attacked) <= det.decision_function(anomalies)).all())
    True
    """
    X_orig = _check_attack(detector, X, feasible, direction=direction)
    n_vectors = check_count("n_vectors", n_vectors)
    sigma = check_number("sigma", sigma, minimum=0, exclusive=True)
    sign = _sign(direction)
    rng = np.random.default_rng(random_state)
    best = X_orig.copy()
    best_scores = detector.decision_function(X_orig)
    for _ in range(n_vectors):
        noise = rng.normal(scale=sigma, size=X_orig.shape) * feasible.scale
        candidate = feasible.project(best + noise, X_orig, math.inf)
        best, best_scores = _keep_better(detector, candidate, best, best_scores, sign)
    return best


def apae_l2(
    detector: BaseDetector,
    X: Any,
    *,
    feasible: FeasibleSet,
    step_size: float = 1e-2,
    budget: float = 20.0,
    max_steps: int = 1000,
    direction: Direction = "lower",
) -> FloatArray:
    """APAE L2 attack: plain gradient descent on the input until the relative change is spent.

    Goodge et al. (IJCAI 2020): steps ``x <- x - step_size * gradient`` (standardised units)
    until the relative L1 change ``100 * sum|x' - x| / sum|x|`` exceeds ``budget`` percent,
    measured by :meth:`FeasibleSet.relative_change`. Each row stops at its last step within
    the budget, so every returned row respects it.

    Deviations from the paper: the loss is the detector's own score (``score_tensor``), not a
    SmoothL1 reconstruction error; the budget holds per row (the paper sums the change over all
    attacked rows, so one row could take another's share); rows are projected onto the
    feasible set after every step; the row kept is the best-scoring step, not the last; and
    ``max_steps`` ends rows whose gradient vanishes before the budget is spent.

    Parameters
    ----------
    detector
        A fitted detector tagged ``differentiable``.
    X
        Rows to perturb.
    feasible
        The inputs the attacker may produce.
    step_size
        Multiplier of the gradient (the paper's alpha).
    budget
        Relative L1 change allowed, in percent.
    max_steps
        Most gradient steps per row.
    direction
        ``"lower"`` hides anomalies; ``"raise"`` floods false alarms.

    Returns
    -------
    ndarray
        The attacked rows, feasible and within the budget; each scores no worse than before.

    Examples
    --------
    >>> import numpy as np, robustad
    >>> X = np.random.default_rng(0).normal(size=(300, 3))
    >>> det = robustad.make_detector("autoencoder", epochs=3, random_state=0).fit(X)
    >>> feasible = FeasibleSet.from_data(X)
    >>> anomalies = X[:10] + 2
    >>> attacked = apae_l2(det, anomalies, feasible=feasible)
    >>> bool((feasible.relative_change(attacked, anomalies) <= 20).all())
    True
    """
    X_orig = _check_attack(detector, X, feasible, direction=direction)
    _require_gradient(detector)
    alpha = check_number("step_size", step_size, minimum=0, exclusive=True)
    budget = check_number("budget", budget, minimum=0)
    max_steps = check_count("max_steps", max_steps)
    sign = _sign(direction)
    current = X_orig.copy()
    best = X_orig.copy()
    best_scores = detector.decision_function(X_orig)
    moving = np.ones(X_orig.shape[0], dtype=bool)
    relaxed = feasible.relaxed()
    for _ in range(max_steps):
        rows = np.flatnonzero(moving)
        if rows.size == 0:
            break
        at = feasible.project(current[rows], X_orig[rows], math.inf)  # where it is scored
        step = -sign * alpha * _gradient(detector, at, feasible) * feasible.scale
        candidate = relaxed.project(current[rows] + step, X_orig[rows], math.inf)
        scored = feasible.project(candidate, X_orig[rows], math.inf)
        within = feasible.relative_change(scored, X_orig[rows]) <= budget
        stuck = (candidate == current[rows]).all(axis=1)
        # A row stops at its first step past the budget (keeping the step before) or when the
        # projection no longer lets it move.
        moving[rows[~within | stuck]] = False
        keep = rows[within]
        if keep.size:
            current[keep] = candidate[within]
            best[keep], best_scores[keep] = _keep_better(
                detector, scored[within], best[keep], best_scores[keep], sign
            )
    return best


def apae_l0(
    detector: BaseDetector,
    X: Any,
    *,
    feasible: FeasibleSet,
    k: int = 10,
    steps: int = 300,
    step_size: float = 1e-2,
    direction: Direction = "lower",
) -> FloatArray:
    """APAE L0 attack: gradient descent on the ``k`` features with the largest gradient.

    Goodge et al. (IJCAI 2020): the ``k`` features whose score gradient is largest at the
    original row are the only ones changed, by ``steps`` plain gradient steps of ``step_size``
    (standardised units). There is no size budget, only the feasible set and ``k``.

    Deviations from the paper: the loss is the detector's own score (``score_tensor``), not a
    SmoothL1 reconstruction error; features are chosen per row by gradient magnitude among
    columns that are not frozen (the paper picks one set for all attacked rows by their summed
    signed gradient, which makes a row's attack depend on the others); rows are projected onto
    the feasible set after every step; the row kept is the best-scoring step, not the last.

    Parameters
    ----------
    detector
        A fitted detector tagged ``differentiable``.
    X
        Rows to perturb.
    feasible
        The inputs the attacker may produce.
    k
        Features changed per row (all mutable ones if fewer).
    steps, step_size
        Gradient steps and the multiplier of the gradient (the paper's alpha).
    direction
        ``"lower"`` hides anomalies; ``"raise"`` floods false alarms.

    Returns
    -------
    ndarray
        The attacked rows, feasible, each differing from its original in at most ``k`` columns
        and scoring no worse.

    Examples
    --------
    >>> import numpy as np, robustad
    >>> X = np.random.default_rng(0).normal(size=(300, 4))
    >>> det = robustad.make_detector("autoencoder", epochs=3, random_state=0).fit(X)
    >>> feasible = FeasibleSet.from_data(X)
    >>> anomalies = X[:10] + 2
    >>> attacked = apae_l0(det, anomalies, feasible=feasible, k=2, steps=50)
    >>> int((attacked != anomalies).sum(axis=1).max()) <= 2
    True
    """
    X_orig = _check_attack(detector, X, feasible, direction=direction)
    _require_gradient(detector)
    k = check_count("k", k)
    steps = check_count("steps", steps)
    alpha = check_number("step_size", step_size, minimum=0, exclusive=True)
    sign = _sign(direction)
    magnitude = np.abs(_gradient(detector, X_orig, feasible))
    magnitude[:, feasible.frozen] = -1.0  # ranked last, and never selected below
    top = np.argsort(-magnitude, axis=1, kind="stable")[:, :k]
    chosen = np.zeros(X_orig.shape, dtype=bool)
    np.put_along_axis(chosen, top, True, axis=1)
    chosen &= ~feasible.frozen
    current = X_orig.copy()
    best = X_orig.copy()
    best_scores = detector.decision_function(X_orig)
    relaxed = feasible.relaxed()
    scored = current
    for _ in range(steps):
        step = -sign * alpha * _gradient(detector, scored, feasible) * feasible.scale * chosen
        current = relaxed.project(current + step, X_orig, math.inf)
        scored = feasible.project(current, X_orig, math.inf)
        best, best_scores = _keep_better(detector, scored, best, best_scores, sign)
    return best


def _random_point(
    X_orig: FloatArray,
    feasible: FeasibleSet,
    epsilon: float,
    rng: np.random.Generator,
    norm: Norm = "linf",
) -> FloatArray:
    """A uniform draw from the budget (box or ball) around each row, made feasible."""
    if norm == "linf":
        noise = rng.uniform(-1.0, 1.0, size=X_orig.shape) * epsilon * feasible.scale
        return feasible.project(X_orig + noise, X_orig, epsilon)
    # Uniform in the ball of the mutable columns: a Gaussian direction, radius ~ U^(1/d).
    direction = rng.normal(size=X_orig.shape)
    direction[:, feasible.frozen] = 0.0
    length = np.linalg.norm(direction, axis=1, keepdims=True)
    direction = np.divide(direction, length, out=np.zeros_like(direction), where=length > 0)
    n_mutable = max(1, int((~feasible.frozen).sum()))
    radius = epsilon * rng.uniform(size=(X_orig.shape[0], 1)) ** (1.0 / n_mutable)
    return feasible.project(X_orig + direction * radius * feasible.scale, X_orig, epsilon, norm)


def _keep_better(
    detector: BaseDetector,
    candidate: FloatArray,
    best: FloatArray,
    best_scores: FloatArray,
    sign: float,
) -> tuple[FloatArray, FloatArray]:
    """Per row, the candidate where it scores better (lower for ``sign`` 1), else the best."""
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
