"""The attack protocols of the robustness card (``--suite full``): R6-R10 on one split.

Each protocol takes a detector fitted on the clean training part and calibrated to the card's
false-positive rate (the *deployed* threshold), attacks it on the test part, and returns one
row of measurements per budget. The card (:mod:`robustad.robustness.card`) runs them for every
seed and averages the rows.

``evasion_pgd`` (R6, differentiable detectors)
    L-infinity PGD (40 steps, one random restart) on the flagged test anomalies, for each
    budget in :data:`EVASION_BUDGETS` (training standard deviations): the evasion success rate
    at the deployed threshold, the same for one random perturbation of the same size (the
    honesty baseline), AUROC with every test anomaly attacked, and the alarm rate on normal
    test rows pushed up by the reverse attack (false-alarm flooding).
``evasion_blackbox`` (R7, any detector)
    Score-only coordinate search at budget :data:`BLACKBOX_EPSILON`: the evasion success rate
    within each query budget in :data:`QUERY_BUDGETS`, and the median queries an evading row
    needed.
``poisoning`` (R8, any detector)
    Boiling-frog interpolation poisoning of a detector retrained every round, for each poison
    share in :data:`POISON_FRACTIONS`, up to :data:`POISON_ROUNDS` rounds, aimed at the median
    flagged test anomaly: whether and after how many rounds it got through, and the clean
    AUROC after poisoning (stealth).
``backdoor`` (R9, any detector)
    A trigger planted in a share (:data:`BACKDOOR_FRACTIONS`) of the normal training rows,
    then added to the test anomalies: the attack success rate (triggered anomalies not
    flagged), the same for the unpoisoned model, and the clean AUROC of both.
``certified`` (R10, fully connected deep detectors)
    Certified AUROC for L2 budgets :data:`CERTIFIED_BUDGETS` from the detector's Lipschitz
    bound, next to the AUROC under an L2 PGD attack of the same size: the certificate is a
    lower bound, the attack an upper bound, of the true worst case.

Examples
--------
>>> import numpy as np, robustad
>>> from robustad.data import make_outlier_data
>>> data = make_outlier_data(n_samples=300, n_features=4, random_state=0)
>>> det = robustad.make_detector("knn").fit(data.X[data.y == 0][:150])
>>> det = det.calibrate(data.X[data.y == 0][150:], fpr=0.05)
>>> rows = evasion_blackbox(det, data.X[data.y == 0][:150], data.X, data.y, seed=0)
>>> [row["level"] for row in rows]
[100.0, 1000.0]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from robustad._typing import FloatArray, IntArray
from robustad.detectors.base import BaseDetector
from robustad.evaluation.metrics import auroc
from robustad.exceptions import InvalidParameterError
from robustad.robustness.attacks import (
    FeasibleSet,
    evasion_success,
    pgd_evasion,
    random_evasion,
)
from robustad.robustness.blackbox import coordinate_evasion
from robustad.robustness.poisoning import backdoor_attack, boiling_frog

__all__ = [
    "ATTACK_PROTOCOLS",
    "BACKDOOR_FRACTIONS",
    "BLACKBOX_EPSILON",
    "CERTIFIED_BUDGETS",
    "EVASION_BUDGETS",
    "POISON_FRACTIONS",
    "POISON_ROUNDS",
    "QUERY_BUDGETS",
    "applies",
    "backdoor",
    "certified",
    "evasion_blackbox",
    "evasion_pgd",
    "poisoning",
]

#: The protocols, in the order the card shows them.
ATTACK_PROTOCOLS = ("evasion_pgd", "evasion_blackbox", "poisoning", "backdoor", "certified")
EVASION_BUDGETS = (0.1, 0.25, 0.5, 1.0)
BLACKBOX_EPSILON = 0.5
QUERY_BUDGETS = (100, 1000)
POISON_FRACTIONS = (0.01, 0.05, 0.1)
POISON_ROUNDS = 20
BACKDOOR_FRACTIONS = (0.01, 0.05)
CERTIFIED_BUDGETS = (0.1, 0.25, 0.5, 1.0)

Row = dict[str, Any]


def _flagged(detector: BaseDetector, X: FloatArray, y: IntArray) -> FloatArray:
    anomalies = X[y == 1]
    return anomalies[detector.decision_function(anomalies) > detector.threshold_]


def evasion_pgd(
    detector: BaseDetector, X_train: FloatArray, X: FloatArray, y: IntArray, *, seed: int
) -> list[Row]:
    """R6: white-box PGD against one random perturbation, per L-infinity budget.

    Also the reverse attack (AML.T0046): PGD raising the normal test rows' scores, and the
    share of them flagged afterwards (the false-alarm rate an attacker can force).
    """
    feasible = FeasibleSet.from_data(X_train)
    anomalies = X[y == 1]
    normal = X[y == 0]
    flagged = detector.decision_function(anomalies) > detector.threshold_
    rows = []
    for epsilon in EVASION_BUDGETS:
        budget: dict[str, Any] = {"epsilon": epsilon, "feasible": feasible, "random_state": seed}
        # Every anomaly is attacked (for the attacked AUROC); success counts the flagged ones.
        attacked = pgd_evasion(detector, anomalies, **budget)
        targets = anomalies[flagged]
        one_draw = (
            random_evasion(detector, targets, n_queries=1, **budget) if flagged.any() else targets
        )
        X_attacked = X.copy()
        X_attacked[y == 1] = attacked
        flooded = pgd_evasion(detector, normal, direction="raise", **budget)
        rows.append(
            {
                "level": epsilon,
                "kind": "pgd_linf",
                "targets": int(flagged.sum()),
                "success_rate": _rate(detector, targets, attacked[flagged]),
                "random_success_rate": _rate(detector, targets, one_draw),
                "attacked_auroc": auroc(y, detector.decision_function(X_attacked)),
                "flooded_alarm_rate": float(
                    (detector.decision_function(flooded) > detector.threshold_).mean()
                ),
            }
        )
    return rows


def _rate(detector: BaseDetector, before: FloatArray, after: FloatArray) -> float:
    if before.shape[0] == 0:
        return float("nan")
    return evasion_success(detector, before, after)["success_rate"]


def evasion_blackbox(
    detector: BaseDetector, X_train: FloatArray, X: FloatArray, y: IntArray, *, seed: int
) -> list[Row]:
    """R7: score-only coordinate search; success within each query budget."""
    targets = _flagged(detector, X, y)
    feasible = FeasibleSet.from_data(X_train)
    if targets.shape[0] == 0:
        rates = np.full(len(QUERY_BUDGETS), np.nan)
        median = float("nan")
    else:
        result = coordinate_evasion(
            detector,
            targets,
            epsilon=BLACKBOX_EPSILON,
            feasible=feasible,
            n_queries=max(QUERY_BUDGETS),
            random_state=seed,
        )
        rates = result.evasion_curve(QUERY_BUDGETS)
        needed = result.queries_to_evade[result.targets]
        needed = needed[np.isfinite(needed)]
        median = float(np.median(needed)) if needed.size else float("nan")
    return [
        {
            "level": float(budget),
            "kind": "coordinate",
            "epsilon": BLACKBOX_EPSILON,
            "targets": int(targets.shape[0]),
            "success_rate": float(rate),
            "median_queries": median,
        }
        for budget, rate in zip(QUERY_BUDGETS, rates, strict=True)
    ]


def poisoning(
    detector: BaseDetector,
    X_normal: FloatArray,
    X_calibration: FloatArray,
    X: FloatArray,
    y: IntArray,
    *,
    fpr: float,
    seed: int,
) -> list[Row]:
    """R8: boiling-frog poisoning aimed at the median flagged test anomaly.

    A seed whose clean first model already misses the target gives no measurement (NaN).

    ``detector`` (fitted and calibrated) picks the target; each retraining round fits a clone.
    """
    targets = _flagged(detector, X, y)
    nan = float("nan")
    rows = []
    for fraction in POISON_FRACTIONS:
        row: Row = {
            "level": fraction,
            "kind": "boiling_frog",
            "rounds": POISON_ROUNDS,
            "evaded": nan,
            "rounds_to_evade": nan,
            "clean_auroc_before": nan,
            "clean_auroc_after": nan,
        }
        if targets.shape[0]:
            scores = detector.decision_function(targets)
            target = targets[np.argsort(scores)[len(scores) // 2]]
            result = boiling_frog(
                detector,
                X_normal,
                target,
                poison_fraction=fraction,
                max_rounds=POISON_ROUNDS,
                X_calibration=X_calibration,
                fpr=fpr,
                X_test=X,
                y_test=y,
                random_state=seed,
            )
            # A clean round-0 model (trained on a window of the normal rows) that already
            # misses the target leaves nothing to poison: that seed gives no measurement.
            if result.flagged[0]:
                rounds = result.rounds_to_evade
                row["evaded"] = float(rounds is not None)
                row["rounds_to_evade"] = nan if rounds is None else float(rounds)
                row["clean_auroc_before"] = result.clean_auroc_before
                row["clean_auroc_after"] = result.clean_auroc_after
        rows.append(row)
    return rows


def backdoor(
    detector: BaseDetector,
    X_normal: FloatArray,
    X_calibration: FloatArray,
    X: FloatArray,
    y: IntArray,
    *,
    fpr: float,
    seed: int,
) -> list[Row]:
    """R9: a trigger in a share of the normal training rows, then on the test anomalies.

    Clean and poisoned models are clones of ``detector`` (its fitted state is not used).
    """
    rows = []
    for fraction in BACKDOOR_FRACTIONS:
        result = backdoor_attack(
            detector,
            X_normal,
            X,
            y,
            poison_fraction=fraction,
            X_calibration=X_calibration,
            fpr=fpr,
            random_state=seed,
        )
        rows.append(
            {
                "level": fraction,
                "kind": "trigger",
                "attack_success_rate": result.attack_success_rate,
                "asr_unpoisoned": result.asr_unpoisoned,
                "clean_auroc_unpoisoned": result.clean_auroc_unpoisoned,
                "clean_auroc_poisoned": result.clean_auroc_poisoned,
            }
        )
    return rows


def certified(
    detector: BaseDetector, X_train: FloatArray, X: FloatArray, y: IntArray, *, seed: int
) -> list[Row]:
    """R10: certified AUROC from the Lipschitz bound next to the L2-PGD attacked AUROC."""
    from robustad.detectors.deep.lipschitz import lipschitz_bound
    from robustad.robustness.certified import attacked_auroc, certified_auroc

    bound = lipschitz_bound(detector)
    feasible = FeasibleSet.from_data(X_train)
    return [
        {
            "level": epsilon,
            "kind": "l2",
            "lipschitz": bound,
            "certified_auroc": certified_auroc(detector, X, y, epsilon, lipschitz=bound),
            "attacked_auroc": attacked_auroc(
                detector, X, y, epsilon, feasible, norm="l2", random_state=seed
            ),
        }
        for epsilon in CERTIFIED_BUDGETS
    ]


def applies(protocol: str, detector: BaseDetector) -> bool:
    """Whether an attack protocol can run against ``detector`` (see the module docstring)."""
    if protocol == "evasion_pgd":
        return detector.tags.differentiable
    if protocol == "certified":
        # The fully connected deep detectors, exactly those offering spectral normalisation.
        return "spectral_norm" in detector.get_params(deep=False)
    if protocol in ATTACK_PROTOCOLS:
        return True
    raise InvalidParameterError(
        f"unknown attack protocol {protocol!r}; choose from: {', '.join(ATTACK_PROTOCOLS)}"
    )
