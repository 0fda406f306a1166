"""Black-box evasion: score-only coordinate search under a query budget, and transfer (R7).

The attacker sees only scores, as through the scoring API, so these attacks work on any
fitted detector, classical ones (``"iforest"``, ``"ecod"``, ...) included.
:func:`coordinate_evasion` changes one column at a time and keeps what lowers the score
(query-and-adjust until evaded, as in MITRE ATLAS case study AML.CS0000; AML.T0043.001), and
reports after how many score queries each row first slipped past the threshold, so one run
gives the evasion rate for every smaller budget (:meth:`BlackBoxResult.evasion_curve`).
:func:`transfer_evasion` crafts rows with white-box PGD on a surrogate the attacker trained
on their own data and replays them against the target (AML.T0043.002).

Budgets, the feasible set and ``direction`` mean what they mean in
:mod:`robustad.robustness.attacks`; success is recomputed with ``decision_function``.

Examples
--------
>>> import numpy as np, robustad
>>> from robustad.robustness.attacks import FeasibleSet
>>> X = np.random.default_rng(0).normal(size=(300, 4))
>>> det = robustad.make_detector("ecod").fit(X)
>>> anomalies = X[:20] * 0.3 + 2.5
>>> result = coordinate_evasion(
...     det, anomalies, epsilon=1.0, feasible=FeasibleSet.from_data(X), n_queries=100,
...     random_state=0,
... )
>>> rates = result.evasion_curve([10, 100])
>>> bool(rates[0] <= rates[1])
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from robustad._typing import FloatArray, IntArray
from robustad.data.parameters import check_count
from robustad.detectors.base import BaseDetector
from robustad.exceptions import DataValidationError, InvalidParameterError
from robustad.robustness.attacks import (
    BoolArray,
    Direction,
    FeasibleSet,
    Norm,
    _check_attack,
    _random_point,
    _sign,
    pgd_evasion,
)

__all__ = ["BlackBoxResult", "coordinate_evasion", "transfer_evasion"]

#: A row's coordinate step is halved after each sweep that improves nothing; below
#: ``epsilon / 2**_HALVINGS`` the search has settled and starts afresh from a random point.
_HALVINGS = 10


@dataclass(frozen=True, eq=False)
class BlackBoxResult:
    """Outcome of a score-only attack.

    Attributes
    ----------
    X
        The attacked rows, feasible and within budget.
    queries_to_evade
        Per row: the number of score queries made for it up to and including the first one on
        the attacker's side of ``threshold_`` (not flagged for ``"lower"``, flagged for
        ``"raise"``); the query of the original row counts, so a row already there has 1.
        ``inf`` where the row never got there.
    queries_used
        Per row: the score queries made for it in all (a row stops once it evaded). The sum is
        the load the attack put on the scoring service.
    targets
        Rows the attack had to flip: flagged at the start for ``"lower"``, not flagged for
        ``"raise"``.
    """

    X: FloatArray
    queries_to_evade: FloatArray
    queries_used: IntArray
    targets: BoolArray

    def evasion_curve(self, budgets: Sequence[float] | FloatArray) -> FloatArray:
        """Evasion rate among the targets for each query budget: the R7 rate-vs-queries curve.

        The rate at budget ``q`` is the share of targets that evaded within ``q`` queries; it
        equals the success rate of the same attack run with ``n_queries=q`` (the search does
        not depend on its budget). 0 for every budget when there are no targets.
        """
        values = np.asarray(budgets, dtype=np.float64)
        if values.ndim != 1 or not (values >= 1).all():
            raise InvalidParameterError(
                f"budgets must be a 1-D sequence of query counts >= 1; got {budgets!r}"
            )
        n_targets = int(self.targets.sum())
        if n_targets == 0:
            return np.zeros(values.shape, dtype=np.float64)
        needed = self.queries_to_evade[self.targets]
        return np.asarray((needed[None, :] <= values[:, None]).sum(axis=1) / n_targets)


def coordinate_evasion(
    detector: BaseDetector,
    X: Any,
    *,
    epsilon: float,
    feasible: FeasibleSet,
    n_queries: int = 1000,
    direction: Direction = "lower",
    random_state: int | None = None,
) -> BlackBoxResult:
    """Score-only coordinate search: one column at a time, keep what lowers the score.

    Every row is attacked on its own with at most ``n_queries`` score queries (one
    ``decision_function`` row each; the original row's score is the first). In a random order
    of its mutable columns, a row tries moving one column by ``+step`` or ``-step`` (random
    sign first; the other only if the first did not help) and keeps the move if the score
    improves; a candidate the feasible set maps back onto the current row costs no query.
    After a full sweep without improvement the step halves; once it has halved 10 times the
    search has settled, and the row's remaining queries go to a fresh search from a random
    point of the budget (its best row is kept). The step starts at the full budget
    ``epsilon`` (standardised units; the budget is the L-infinity box around the original
    row, as in :func:`~robustad.robustness.attacks.random_evasion`). A row stops once it
    evaded.

    All rows are searched together, one ``decision_function`` call per round, so the attack
    is fast even on detectors with a costly call.

    Parameters
    ----------
    detector
        Any fitted detector (only ``decision_function`` and ``threshold_`` are used).
    X
        Rows to perturb (anomalies to hide, or normal rows to push up).
    epsilon
        Budget per column, in units of the column's training standard deviation.
    feasible
        The inputs the attacker may produce (projected onto after every move).
    n_queries
        Score queries allowed per row (R7 uses 100 and 1000).
    direction
        ``"lower"`` hides anomalies (evasion); ``"raise"`` floods false alarms.
    random_state
        Seed of the column orders and signs.

    Returns
    -------
    BlackBoxResult
        The attacked rows and, per row, the queries used and needed to evade.

    Examples
    --------
    >>> import numpy as np, robustad
    >>> from robustad.robustness.attacks import FeasibleSet, evasion_success
    >>> X = np.random.default_rng(0).normal(size=(300, 4))
    >>> det = robustad.make_detector("knn").fit(X)
    >>> anomalies = X[:20] * 0.3 + 2.5
    >>> feasible = FeasibleSet.from_data(X)
    >>> result = coordinate_evasion(det, anomalies, epsilon=1.0, feasible=feasible,
    ...                             n_queries=100, random_state=0)
    >>> bool(feasible.contains(result.X, anomalies, epsilon=1.0).all())
    True
    >>> evaded = evasion_success(det, anomalies, result.X)["success_rate"]
    >>> bool(evaded == result.evasion_curve([100])[0])
    True
    """
    X_orig = _check_attack(detector, X, feasible, epsilon, direction)
    n_queries = check_count("n_queries", n_queries)
    sign = _sign(direction)
    threshold = float(detector.threshold_)
    rng = np.random.default_rng(random_state)
    n_rows = X_orig.shape[0]
    best = X_orig.copy()
    best_scores = detector.decision_function(X_orig)
    used = np.ones(n_rows, dtype=np.int64)

    def evaded(scores: FloatArray) -> BoolArray:
        return np.asarray(scores <= threshold if direction == "lower" else scores > threshold)

    targets = ~evaded(best_scores)
    to_evade = np.where(targets, np.inf, 1.0)
    mutable = np.flatnonzero(~feasible.frozen)
    if mutable.size == 0 or epsilon == 0:
        return BlackBoxResult(X=best, queries_to_evade=to_evade, queries_used=used, targets=targets)

    def query(rows: IntArray, candidates: FloatArray) -> FloatArray:
        # One score query per row; the best row so far and the first evading query are noted
        # here (an evading score always beats a target's best, so best then holds that row).
        scores = detector.decision_function(candidates)
        used[rows] += 1
        better = sign * scores < sign * best_scores[rows]
        best[rows[better]] = candidates[better]
        best_scores[rows[better]] = scores[better]
        hit = rows[evaded(scores)]
        to_evade[hit] = used[hit]
        return scores

    def shuffled(count: int) -> IntArray:
        return np.asarray(rng.permuted(np.tile(mutable, (count, 1)), axis=1), dtype=np.int64)

    # Per-row search state: the point the search stands on, its column order and position in
    # it, the sign tried first, whether the other sign is being tried, the step, and whether
    # this sweep improved anything.
    current, current_scores = best.copy(), best_scores.copy()
    order = shuffled(n_rows)
    position = np.zeros(n_rows, dtype=np.int64)
    first_sign = rng.choice([-1.0, 1.0], size=n_rows)
    second_try = np.zeros(n_rows, dtype=bool)
    step = np.full(n_rows, float(epsilon))
    improved = np.zeros(n_rows, dtype=bool)
    min_step = float(epsilon) / 2**_HALVINGS
    while True:
        active = targets & np.isinf(to_evade) & (used < n_queries)
        stalled = np.flatnonzero(active & (step < min_step))
        if stalled.size:
            # The search settled without evading: spend the rest of the budget on a fresh
            # search from a random point of the budget (the best row so far is kept).
            start = _random_point(X_orig[stalled], feasible, epsilon, rng)
            current[stalled], current_scores[stalled] = start, query(stalled, start)
            step[stalled] = epsilon
            continue
        rows = np.flatnonzero(active)
        if rows.size == 0:
            break
        columns = order[rows, position[rows]]
        move = np.where(second_try[rows], -first_sign[rows], first_sign[rows]) * step[rows]
        candidate = current[rows].copy()
        candidate[np.arange(rows.size), columns] += move * feasible.scale[columns]
        candidate = feasible.project(candidate, X_orig[rows], epsilon)
        # A candidate the projection maps back onto the current row costs no query.
        changed = (candidate != current[rows]).any(axis=1)
        queried = rows[changed]
        success = np.zeros(n_rows, dtype=bool)
        if queried.size:
            scores = query(queried, candidate[changed])
            better = sign * scores < sign * current_scores[queried]
            current[queried[better]] = candidate[changed][better]
            current_scores[queried[better]] = scores[better]
            success[queried[better]] = True
        improved |= success
        retry = np.zeros(n_rows, dtype=bool)
        retry[rows] = ~success[rows] & ~second_try[rows]
        advance = np.zeros(n_rows, dtype=bool)
        advance[rows] = ~retry[rows]
        second_try[retry] = True
        second_try[advance] = False
        position[advance] += 1
        first_sign[advance] = rng.choice([-1.0, 1.0], size=int(advance.sum()))
        # End of a sweep: a fresh order, and a smaller step if the sweep found nothing.
        wrapped = advance & (position == mutable.size)
        step[wrapped & ~improved] /= 2.0
        improved[wrapped] = False
        position[wrapped] = 0
        order[wrapped] = shuffled(int(wrapped.sum()))
    return BlackBoxResult(X=best, queries_to_evade=to_evade, queries_used=used, targets=targets)


def transfer_evasion(
    target: BaseDetector,
    surrogate: BaseDetector,
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
    """Transfer attack: PGD on a surrogate, rows replayed against the target.

    The attacker cannot see the target's gradient (or even its scores), so they train a
    differentiable detector of their own on public normal data of the same kind (MITRE ATLAS
    AML.T0043.002, transfer from a proxy model), craft the rows with
    :func:`~robustad.robustness.attacks.pgd_evasion` on it, and send them to the target. No
    query reaches the target; measure the outcome with
    ``evasion_success(target, X, attacked)``.

    Parameters
    ----------
    target
        The deployed detector (any kind); only checked to be fitted on the same columns.
    surrogate
        The attacker's fitted detector, tagged ``differentiable``.
    X
        Rows to perturb.
    epsilon, feasible, norm, steps, step_size, restarts, direction, random_state
        As for :func:`~robustad.robustness.attacks.pgd_evasion` on the surrogate.

    Returns
    -------
    ndarray
        The rows crafted on the surrogate, feasible and within budget.

    Examples
    --------
    >>> import numpy as np, robustad
    >>> from robustad.robustness.attacks import FeasibleSet
    >>> rng = np.random.default_rng(0)
    >>> private, public = rng.normal(size=(300, 3)), rng.normal(size=(300, 3))
    >>> target = robustad.make_detector("knn").fit(private)
    >>> surrogate = robustad.make_detector("autoencoder", epochs=3, random_state=1).fit(public)
    >>> feasible = FeasibleSet.from_data(public)
    >>> attacked = transfer_evasion(target, surrogate, private[:5] + 2, epsilon=0.5,
    ...                             feasible=feasible)
    >>> attacked.shape
    (5, 3)
    """
    X_orig = _check_attack(target, X, feasible, epsilon, direction)
    n_surrogate = getattr(surrogate, "n_features_in_", None)
    if n_surrogate is not None and n_surrogate != X_orig.shape[1]:
        raise DataValidationError(
            f"surrogate takes {n_surrogate} features but the target takes {X_orig.shape[1]}; "
            "train the surrogate on the target's columns"
        )
    return pgd_evasion(
        surrogate,
        X_orig,
        epsilon=epsilon,
        feasible=feasible,
        norm=norm,
        steps=steps,
        step_size=step_size,
        restarts=restarts,
        direction=direction,
        random_state=random_state,
    )
