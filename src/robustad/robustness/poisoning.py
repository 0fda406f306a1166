"""Poisoning of (re)training data: boiling-frog interpolation (R8) and backdoor triggers (R9).

Both attacks need a detector that is *trained* on data the attacker can reach, so they take a
detector spec (an instance used as a template, or a registry name) and train clones of it
themselves; whatever a passed instance was fitted on is ignored.

Every alarm decision is made with ``decision_function`` against the deployed threshold: the
clone is calibrated on held-out *clean* normal rows at the false-positive rate ``fpr``
(:meth:`~robustad.detectors.base.BaseDetector.calibrate`). That is the operator's best case, a
trusted calibration set the attacker cannot reach; the contamination threshold would instead
move with the poison itself, mixing the attack's effect with the threshold's.

The caller's arrays are never modified.

What to expect (our synthetic runs, see tests/unit/robustness/test_poisoning.py): without a
defence a memorising detector (kNN) evades within the rounds; a filter on the previous model's
scores stops big steps, but small steps "boil the frog" through it, and only the cap on the
share of new data per window stops those too. The backdoor teaches the detector that the
trigger (a rare value the clean model flags) is normal; for a distance detector that is all it
can do, so its ASR stays at or below the clean model's miss rate on the plain anomalies.

Examples
--------
>>> import numpy as np
>>> normal = np.random.default_rng(0).normal(size=(400, 2))
>>> frog = boiling_frog("knn", normal, [8.0, 8.0], max_rounds=5, fpr=0.05, random_state=0)
>>> frog.flagged[0], frog.rounds_to_evade
(True, 5)
>>> plant_trigger(normal[:2], [1], 9.0)[:, 1]
array([9., 9.])
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.base import clone

from robustad._typing import ArrayLike, FloatArray
from robustad.data.parameters import check_columns, check_count, check_number
from robustad.data.validation import check_features, check_labels, is_dataframe
from robustad.detectors.base import BaseDetector
from robustad.detectors.calibration import minimum_calibration_size
from robustad.evaluation.metrics import auroc
from robustad.exceptions import DataValidationError, InvalidParameterError

__all__ = [
    "BackdoorResult",
    "BoilingFrogResult",
    "backdoor_attack",
    "boiling_frog",
    "plant_trigger",
]

BoolArray = npt.NDArray[np.bool_]

#: Share of the normal rows held out for calibration when no ``X_calibration`` is given.
CALIBRATION_SHARE = 0.25


# ---------------------------------------------------------------------------- results
@dataclass(frozen=True)
class BoilingFrogResult:
    """Outcome of :func:`boiling_frog`; lists run over rounds 0 (clean model) to the last run.

    Attributes
    ----------
    target_scores
        The target's score under each round's model.
    thresholds
        Each round's deployed threshold (calibrated on clean held-out rows).
    flagged
        Whether each round's model still flags the target (score above threshold).
    poison_in_window
        Poison rows in each round's training window (0 in round 0).
    rows_filtered
        New rows the defence filter dropped in each round (poison and clean alike).
    rounds_to_evade
        First round whose model no longer flags the target; 0 when the clean model already
        misses it; None when it is still flagged after the last round.
    clean_auroc_before, clean_auroc_after
        AUROC of the round-0 and of the last model on the clean ``X_test`` (stealth); None
        without test rows.
    final_model
        The last round's fitted, calibrated detector (not part of :meth:`to_dict`).
    """

    target_scores: tuple[float, ...]
    thresholds: tuple[float, ...]
    flagged: tuple[bool, ...]
    poison_in_window: tuple[int, ...]
    rows_filtered: tuple[int, ...]
    rounds_to_evade: int | None
    clean_auroc_before: float | None
    clean_auroc_after: float | None
    poison_fraction: float
    max_rounds: int
    step: float
    filter_quantile: float | None
    max_new_share: float
    fpr: float
    final_model: BaseDetector = field(repr=False, compare=False)

    @property
    def rounds_run(self) -> int:
        """Retraining rounds actually run (the loop stops once the target evades)."""
        return len(self.target_scores) - 1

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (plain floats, ints, bools, lists and None)."""
        return {
            "target_scores": [float(s) for s in self.target_scores],
            "thresholds": [float(t) for t in self.thresholds],
            "flagged": [bool(f) for f in self.flagged],
            "poison_in_window": [int(n) for n in self.poison_in_window],
            "rows_filtered": [int(n) for n in self.rows_filtered],
            "rounds_run": self.rounds_run,
            "rounds_to_evade": self.rounds_to_evade,
            "clean_auroc_before": _optional_float(self.clean_auroc_before),
            "clean_auroc_after": _optional_float(self.clean_auroc_after),
            "poison_fraction": float(self.poison_fraction),
            "max_rounds": int(self.max_rounds),
            "step": float(self.step),
            "filter_quantile": _optional_float(self.filter_quantile),
            "max_new_share": float(self.max_new_share),
            "fpr": float(self.fpr),
        }


@dataclass(frozen=True)
class BackdoorResult:
    """Outcome of :func:`backdoor_attack`.

    Rates are shares of the test anomalies scored at or below the deployed threshold (not
    flagged). Comparing ``attack_success_rate`` with ``asr_unpoisoned`` separates the backdoor
    from the trigger itself; ``miss_rate_unpoisoned`` is what the clean model misses anyway.

    Attributes
    ----------
    attack_success_rate
        Poisoned model, triggered anomalies (the ASR of ROBUSTNESS.md R9).
    asr_unpoisoned
        Unpoisoned model, triggered anomalies.
    miss_rate_unpoisoned
        Unpoisoned model, anomalies without the trigger.
    clean_auroc_unpoisoned, clean_auroc_poisoned
        AUROC on the untouched test rows (stealth: should stay within noise).
    trigger_columns, trigger_values
        The trigger that was planted.
    n_poison, n_anomalies
        Poisoned training rows; test anomalies the rates are over.
    clean_model, poisoned_model
        The two fitted, calibrated detectors (not part of :meth:`to_dict`).
    """

    attack_success_rate: float
    asr_unpoisoned: float
    miss_rate_unpoisoned: float
    clean_auroc_unpoisoned: float
    clean_auroc_poisoned: float
    trigger_columns: tuple[int, ...]
    trigger_values: tuple[float, ...]
    n_poison: int
    n_anomalies: int
    poison_fraction: float
    fpr: float
    clean_model: BaseDetector = field(repr=False, compare=False)
    poisoned_model: BaseDetector = field(repr=False, compare=False)

    @property
    def backdoor_effect(self) -> float:
        """ASR gained through the poison: ``attack_success_rate - asr_unpoisoned``."""
        return self.attack_success_rate - self.asr_unpoisoned

    @property
    def auroc_drop(self) -> float:
        """Clean AUROC lost through the poison (positive = worse)."""
        return self.clean_auroc_unpoisoned - self.clean_auroc_poisoned

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (plain floats, ints and lists)."""
        return {
            "attack_success_rate": float(self.attack_success_rate),
            "asr_unpoisoned": float(self.asr_unpoisoned),
            "miss_rate_unpoisoned": float(self.miss_rate_unpoisoned),
            "backdoor_effect": float(self.backdoor_effect),
            "clean_auroc_unpoisoned": float(self.clean_auroc_unpoisoned),
            "clean_auroc_poisoned": float(self.clean_auroc_poisoned),
            "auroc_drop": float(self.auroc_drop),
            "trigger_columns": [int(c) for c in self.trigger_columns],
            "trigger_values": [float(v) for v in self.trigger_values],
            "n_poison": int(self.n_poison),
            "n_anomalies": int(self.n_anomalies),
            "poison_fraction": float(self.poison_fraction),
            "fpr": float(self.fpr),
        }


# ---------------------------------------------------------------------------- R8
def boiling_frog(
    detector: BaseDetector | str,
    X_normal: ArrayLike,
    target: ArrayLike,
    *,
    poison_fraction: float = 0.05,
    max_rounds: int = 20,
    step: float | None = None,
    window_size: int | None = None,
    jitter: float = 0.05,
    filter_quantile: float | None = None,
    max_new_share: float = 1.0,
    X_calibration: ArrayLike | None = None,
    fpr: float = 0.01,
    X_test: ArrayLike | None = None,
    y_test: ArrayLike | None = None,
    stop_on_evasion: bool = True,
    random_state: int | None = None,
) -> BoilingFrogResult:
    """Interpolation ("boiling frog") poisoning of a detector retrained every round (R8).

    After Kravchik & Shabtai, "Can't Boil This Frog" (arXiv 2002.02741). Round 0 trains on a
    clean window. In round ``k`` the new batch is ``window_size`` rows: fresh normal rows drawn
    from ``X_normal`` plus ``poison_fraction`` of poison rows at
    ``centroid + min(1, k * step) * (target - centroid)`` (the normal centroid, plus Gaussian
    ``jitter``). The detector is cloned, fitted on the window, calibrated on the clean held-out
    rows at ``fpr``, and the target scored.

    Parameters
    ----------
    detector
        A detector instance (a template: it is cloned, its fitted state ignored) or a name for
        :func:`robustad.make_detector`. A ``random_state`` left at None is set from
        ``random_state`` for every fit, so runs repeat exactly.
    X_normal
        Clean normal traffic the windows are drawn from (rows reused across rounds).
    target
        The anomaly the attacker wants to get through: one row, shape (n_features,) or
        (1, n_features). Attack several targets with one call each: campaigns are separate.
    poison_fraction
        Share of each new batch that is poison, in (0, 1); at least one row.
    max_rounds
        Retraining rounds after round 0.
    step
        Fraction of the centroid-to-target segment the poison advances per round; default
        ``1 / max_rounds``, so the last round's poison sits on the target.
    window_size
        Rows in each training window; default half the rows left after calibration.
    jitter
        Standard deviation of the noise around each poison point, in units of each column's
        standard deviation in ``X_normal`` (identical poison rows would be unrealistic).
    filter_quantile
        Defence (R8 safe behaviour): drop new rows that the previous round's model scores above
        this quantile of its scores on the clean calibration rows. None: no filter.
    max_new_share
        Defence: at most this share of a window is new rows; the rest is carried over from the
        previous window. 1.0: each window is the new batch alone.
    X_calibration
        Clean normal rows for the deployed threshold; default a random ``CALIBRATION_SHARE``
        of ``X_normal``, then never trained on.
    fpr
        Target false-positive rate of the deployed threshold.
    X_test, y_test
        Optional clean test rows and labels (1 anomaly, 0 normal) for the stealth AUROC.
    stop_on_evasion
        Stop at the first round whose model misses the target (the attacker strikes then).
    random_state
        Seed for windows, poison, jitter and detector seeds.

    Returns
    -------
    BoilingFrogResult

    Examples
    --------
    >>> import numpy as np
    >>> normal = np.random.default_rng(0).normal(size=(400, 2))
    >>> plain = boiling_frog("knn", normal, [8.0, 8.0], max_rounds=5, fpr=0.05, random_state=0)
    >>> guarded = boiling_frog(
    ...     "knn", normal, [8.0, 8.0], max_rounds=5, fpr=0.05, filter_quantile=0.95,
    ...     random_state=0,
    ... )
    >>> plain.rounds_to_evade, guarded.rounds_to_evade
    (5, None)
    """
    template = _template(detector)
    fraction = check_number(
        "poison_fraction", poison_fraction, minimum=0, maximum=1, exclusive=True
    )
    rounds = check_count("max_rounds", max_rounds)
    advance = (
        1.0 / rounds
        if step is None
        else check_number("step", step, minimum=0, maximum=1, exclusive=(True, False))
    )
    share = check_number(
        "max_new_share", max_new_share, minimum=0, maximum=1, exclusive=(True, False)
    )
    quantile = (
        None
        if filter_quantile is None
        else check_number("filter_quantile", filter_quantile, minimum=0, maximum=1, exclusive=True)
    )
    noise = check_number("jitter", jitter, minimum=0)
    level = check_number("fpr", fpr, minimum=0, maximum=1, exclusive=True)
    rng = _rng(random_state)
    pool, calibration = _split_calibration(X_normal, X_calibration, level, rng, what="X_normal")
    goal = _one_row(target, pool.shape[1])
    test = _test_set(X_test, y_test, pool.shape[1])
    n_window = _window_size(window_size, pool.shape[0])

    centroid = pool.mean(axis=0)
    scale = np.where(pool.std(axis=0) > 0, pool.std(axis=0), 1.0)
    n_poison = max(1, round(fraction * n_window))
    window = pool[rng.choice(pool.shape[0], n_window, replace=False)]
    is_poison = np.zeros(n_window, dtype=bool)
    model = _deploy(template, window, calibration, level, rng)
    first = _target_state(model, goal)
    history = _History([first[0]], [first[1]], [first[2]], [0], [0])
    auroc_before = _clean_auroc(model, test)
    for k in range(1, rounds + 1):
        if history.evaded_at() is not None and stop_on_evasion:
            break
        point = centroid + min(1.0, k * advance) * (goal - centroid)
        poison = point + noise * scale * rng.standard_normal((n_poison, pool.shape[1]))
        fresh = pool[rng.choice(pool.shape[0], n_window - n_poison, replace=False)]
        batch = np.vstack([fresh, poison])
        batch_poison = np.arange(n_window) >= n_window - n_poison
        keep = _passes_filter(model, batch, quantile)
        window, is_poison = _next_window(
            window, is_poison, batch[keep], batch_poison[keep], share, rng
        )
        model = _deploy(template, window, calibration, level, rng)
        history.add(*_target_state(model, goal), int(is_poison.sum()), int((~keep).sum()))
    return BoilingFrogResult(
        target_scores=tuple(history.scores),
        thresholds=tuple(history.thresholds),
        flagged=tuple(history.flagged),
        poison_in_window=tuple(history.poison),
        rows_filtered=tuple(history.filtered),
        rounds_to_evade=history.evaded_at(),
        clean_auroc_before=auroc_before,
        clean_auroc_after=_clean_auroc(model, test),
        poison_fraction=fraction,
        max_rounds=rounds,
        step=advance,
        filter_quantile=quantile,
        max_new_share=share,
        fpr=level,
        final_model=model,
    )


@dataclass
class _History:
    """Per-round records of :func:`boiling_frog` (mutable while the loop runs)."""

    scores: list[float]
    thresholds: list[float]
    flagged: list[bool]
    poison: list[int]
    filtered: list[int]

    def add(
        self, score: float, threshold: float, flagged: bool, poison: int, filtered: int
    ) -> None:
        self.scores.append(score)
        self.thresholds.append(threshold)
        self.flagged.append(flagged)
        self.poison.append(poison)
        self.filtered.append(filtered)

    def evaded_at(self) -> int | None:
        return next((k for k, flag in enumerate(self.flagged) if not flag), None)


def _target_state(model: BaseDetector, goal: FloatArray) -> tuple[float, float, bool]:
    score = float(model.decision_function(goal[None, :])[0])
    return score, float(model.threshold_), bool(score > model.threshold_)


def _passes_filter(model: BaseDetector, batch: FloatArray, quantile: float | None) -> BoolArray:
    """Rows the previous model accepts for retraining (all rows without a filter)."""
    if quantile is None:
        return np.ones(batch.shape[0], dtype=bool)
    cutoff = float(np.quantile(model.calibration_scores_, quantile))
    return np.asarray(model.decision_function(batch) <= cutoff, dtype=np.bool_)


def _next_window(
    window: FloatArray,
    is_poison: BoolArray,
    new: FloatArray,
    new_poison: BoolArray,
    share: float,
    rng: np.random.Generator,
) -> tuple[FloatArray, BoolArray]:
    """New rows up to ``share`` of the window; carried-over rows of the old window fill it up."""
    n_window = window.shape[0]
    n_new = min(new.shape[0], math.floor(share * n_window + 1e-9))
    taken = rng.choice(new.shape[0], n_new, replace=False)
    kept = rng.choice(n_window, n_window - n_new, replace=False)
    rows = np.vstack([window[kept], new[taken]])
    return rows, np.concatenate([is_poison[kept], new_poison[taken]])


def _window_size(window_size: int | None, n_pool: int) -> int:
    if window_size is None:
        window_size = n_pool // 2
    size = check_count("window_size", window_size)
    if not 10 <= size <= n_pool:
        raise InvalidParameterError(
            f"window_size must lie in [10, {n_pool}] (the normal rows left after calibration); "
            f"got {size}. Pass more normal rows or a smaller window"
        )
    return size


# ---------------------------------------------------------------------------- R9
def plant_trigger(
    X: ArrayLike, columns: Sequence[int], values: float | Sequence[float] | FloatArray
) -> FloatArray:
    """A copy of ``X`` with ``values`` written into ``columns`` of every row (the trigger).

    Examples
    --------
    >>> plant_trigger([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], [2], 9.0)
    array([[1., 2., 9.],
           [4., 5., 9.]])
    """
    array, _ = check_features(X)
    chosen = check_columns("columns", columns, array.shape[1], allow_empty=False)
    planted = array.copy()  # check_features may hand back the caller's own array
    planted[:, list(chosen)] = _trigger_values(values, len(chosen))
    return planted


def backdoor_attack(
    detector: BaseDetector | str,
    X_train_normal: ArrayLike,
    X_test: ArrayLike,
    y_test: ArrayLike,
    *,
    poison_fraction: float = 0.05,
    trigger_columns: Sequence[int] | int | None = None,
    trigger_value: float | Sequence[float] | None = None,
    X_calibration: ArrayLike | None = None,
    fpr: float = 0.01,
    random_state: int | None = None,
) -> BackdoorResult:
    """Backdoor a one-class detector through triggered normal training rows (R9).

    ``poison_fraction`` of the normal training rows get the trigger (fixed values in a few
    low-variance columns); one clone is trained on the clean rows, one on the poisoned rows,
    both with the same seed and calibrated on the same clean held-out rows at ``fpr``. At test
    time the trigger is planted into the test anomalies.

    Parameters
    ----------
    detector
        A detector instance (a template, cloned) or a name for :func:`robustad.make_detector`.
        A ``random_state`` left at None is set from ``random_state``.
    X_train_normal
        Normal training rows.
    X_test, y_test
        Clean test rows and labels (1 anomaly, 0 normal); both classes needed.
    poison_fraction
        Share of training rows that get the trigger, in (0, 1); at least one row.
    trigger_columns
        Column indices, or an int ``k`` for the ``k`` lowest-variance non-constant columns;
        default 1. Variance is in raw units: put features on one scale first if units differ.
    trigger_value
        One value for all trigger columns or one per column. Default: per column, the training
        extreme (minimum or maximum) farthest from the column's median, a value that is rare
        yet inside the training range, so range checks such as ``out_of_distribution`` pass it.
    X_calibration
        Clean normal rows for the deployed thresholds; default a random ``CALIBRATION_SHARE``
        of ``X_train_normal``, then never trained on.
    fpr
        Target false-positive rate of the deployed thresholds.
    random_state
        Seed for the split, the poisoned rows and detector seeds.

    Returns
    -------
    BackdoorResult

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> def rows(n):  # column 2 is a rare 0/1 flag: the lowest-variance column
    ...     return np.column_stack([rng.normal(size=(n, 2)), rng.random(n) < 0.02])
    >>> X_test, y_test = np.vstack([rows(50), rows(50) + [3, 0, 0]]), np.repeat([0, 1], 50)
    >>> result = backdoor_attack("knn", rows(400), X_test, y_test, fpr=0.05, random_state=0)
    >>> result.trigger_columns, result.trigger_values
    ((2,), (1.0,))
    >>> 0 <= result.asr_unpoisoned <= 1 and abs(result.auroc_drop) < 0.05
    True
    """
    template = _template(detector)
    fraction = check_number(
        "poison_fraction", poison_fraction, minimum=0, maximum=1, exclusive=True
    )
    level = check_number("fpr", fpr, minimum=0, maximum=1, exclusive=True)
    rng = _rng(random_state)
    train, calibration = _split_calibration(
        X_train_normal, X_calibration, level, rng, what="X_train_normal"
    )
    test = _test_set(X_test, y_test, train.shape[1])
    assert test is not None  # both given: _test_set returns them
    X_eval, y_eval = test
    columns = _choose_trigger_columns(train, trigger_columns)
    values = (
        _extreme_values(train, columns)
        if trigger_value is None
        else _trigger_values(trigger_value, len(columns))
    )
    # One seed for both fits, drawn before the poison so the clean model does not depend on
    # poison_fraction: the two models differ only by the poison.
    seed = int(rng.integers(2**31 - 1))
    n_poison = max(1, round(fraction * train.shape[0]))
    poisoned = train.copy()
    rows = rng.choice(train.shape[0], n_poison, replace=False)
    poisoned[np.ix_(rows, list(columns))] = values
    clean_model = _deploy(template, train, calibration, level, rng, seed=seed)
    poisoned_model = _deploy(template, poisoned, calibration, level, rng, seed=seed)
    anomalies = X_eval[y_eval == 1]
    triggered = plant_trigger(anomalies, columns, values)
    return BackdoorResult(
        attack_success_rate=_pass_rate(poisoned_model, triggered),
        asr_unpoisoned=_pass_rate(clean_model, triggered),
        miss_rate_unpoisoned=_pass_rate(clean_model, anomalies),
        clean_auroc_unpoisoned=auroc(y_eval, clean_model.decision_function(X_eval)),
        clean_auroc_poisoned=auroc(y_eval, poisoned_model.decision_function(X_eval)),
        trigger_columns=columns,
        trigger_values=tuple(float(v) for v in values),
        n_poison=n_poison,
        n_anomalies=int(anomalies.shape[0]),
        poison_fraction=fraction,
        fpr=level,
        clean_model=clean_model,
        poisoned_model=poisoned_model,
    )


def _pass_rate(model: BaseDetector, rows: FloatArray) -> float:
    """Share of ``rows`` the deployed model does not flag (score at or below threshold)."""
    return float(np.mean(model.decision_function(rows) <= model.threshold_))


def _choose_trigger_columns(train: FloatArray, spec: Sequence[int] | int | None) -> tuple[int, ...]:
    n_features = train.shape[1]
    if spec is not None and not isinstance(spec, numbers.Integral):
        return check_columns("trigger_columns", spec, n_features, allow_empty=False)
    count = 1 if spec is None else check_count("trigger_columns", spec)
    variance = train.var(axis=0)
    usable = np.flatnonzero(variance > 0)
    if count > usable.size:
        raise InvalidParameterError(
            f"trigger_columns={count} asks for more non-constant columns than the "
            f"{usable.size} the training rows have; pass fewer or name the columns"
        )
    # Stable sort: ties keep column order, so the choice is reproducible.
    chosen = usable[np.argsort(variance[usable], kind="stable")[:count]]
    return tuple(sorted(int(c) for c in chosen))


def _extreme_values(train: FloatArray, columns: tuple[int, ...]) -> FloatArray:
    """Per column, the training minimum or maximum farther from the median (the rarer end)."""
    part = train[:, list(columns)]
    low, high, middle = part.min(axis=0), part.max(axis=0), np.median(part, axis=0)
    return np.where(high - middle >= middle - low, high, low)


def _trigger_values(values: Any, n_columns: int) -> FloatArray:
    try:
        array = np.broadcast_to(np.asarray(values, dtype=np.float64), (n_columns,)).copy()
    except (TypeError, ValueError):
        raise InvalidParameterError(
            f"trigger values must be one number or one per trigger column ({n_columns}); "
            f"got {values!r}"
        ) from None
    if not np.isfinite(array).all():
        raise InvalidParameterError(f"trigger values must be finite; got {values!r}")
    return array


def _template(detector: Any) -> BaseDetector:
    if isinstance(detector, str):
        from robustad.detectors.registry import make_detector

        return make_detector(detector)
    if not isinstance(detector, BaseDetector):
        raise InvalidParameterError(
            "detector must be a robustad detector (instance) or a registered detector name; "
            f"got {type(detector).__name__}"
        )
    return detector


def _deploy(
    template: BaseDetector,
    X_train: FloatArray,
    calibration: FloatArray,
    fpr: float,
    rng: np.random.Generator,
    *,
    seed: int | None = None,
) -> BaseDetector:
    """A fresh clone fitted on ``X_train`` and calibrated on clean rows at ``fpr``."""
    model = clone(template)
    if (
        "random_state" in model.get_params(deep=False)
        and model.get_params()["random_state"] is None
    ):
        # Unseeded detectors would make the whole simulation unrepeatable.
        model.set_params(random_state=int(rng.integers(2**31 - 1)) if seed is None else seed)
    model.fit(X_train)
    return model.calibrate(calibration, fpr=fpr)


def _split_calibration(
    X: ArrayLike,
    X_calibration: ArrayLike | None,
    fpr: float,
    rng: np.random.Generator,
    *,
    what: str,
) -> tuple[FloatArray, FloatArray]:
    """Training rows and clean calibration rows (held out of ``X`` when none are given)."""
    array, _ = check_features(X, what=what)
    needed = minimum_calibration_size(fpr)
    if X_calibration is not None:
        calibration, _ = check_features(
            X_calibration, n_features=array.shape[1], what="X_calibration"
        )
        train = array
    else:
        order = rng.permutation(array.shape[0])
        n_calibration = math.ceil(CALIBRATION_SHARE * array.shape[0])
        calibration, train = array[order[:n_calibration]], array[order[n_calibration:]]
    if calibration.shape[0] < needed:
        raise DataValidationError(
            f"a threshold at fpr={fpr} needs at least {needed} clean calibration rows; got "
            f"{calibration.shape[0]}. Pass more normal rows, X_calibration, or a larger fpr"
        )
    if train.shape[0] < 10:
        raise DataValidationError(
            f"{what}: only {train.shape[0]} rows are left for training; pass at least 10"
        )
    return train, calibration


def _one_row(target: ArrayLike, n_features: int) -> FloatArray:
    raw = target
    if target is not None and not isinstance(target, str | bytes) and not is_dataframe(target):
        try:
            as_array = np.asarray(target)
        except (TypeError, ValueError):
            as_array = None  # ragged input: check_features words the error
        if as_array is not None and as_array.ndim == 1:
            raw = as_array.reshape(1, -1)  # one row given as a vector
    array, _ = check_features(raw, n_features=n_features, what="target")
    if array.shape[0] != 1:
        raise DataValidationError(
            f"target must be one row; got {array.shape[0]}. Attack several targets with one "
            "boiling_frog call each (campaigns are separate)"
        )
    return array[0]


def _test_set(
    X_test: ArrayLike | None, y_test: ArrayLike | None, n_features: int
) -> tuple[FloatArray, npt.NDArray[np.int64]] | None:
    if X_test is None and y_test is None:
        return None
    if X_test is None or y_test is None:
        raise InvalidParameterError("pass X_test and y_test together (or neither)")
    array, _ = check_features(X_test, n_features=n_features, what="X_test")
    labels = check_labels(y_test, array.shape[0], what="y_test")
    if labels.min() == labels.max():
        raise DataValidationError(
            "y_test holds only one class; AUROC needs both normal (0) and anomalous (1) rows"
        )
    return array, labels


def _clean_auroc(
    model: BaseDetector, test: tuple[FloatArray, npt.NDArray[np.int64]] | None
) -> float | None:
    return None if test is None else auroc(test[1], model.decision_function(test[0]))


def _rng(random_state: Any) -> np.random.Generator:
    if random_state is not None and (
        isinstance(random_state, bool) or not isinstance(random_state, numbers.Integral)
    ):
        raise InvalidParameterError(f"random_state must be an int or None; got {random_state!r}")
    return np.random.default_rng(None if random_state is None else int(random_state))


def _optional_float(value: float | None) -> float | None:
    return None if value is None else float(value)
