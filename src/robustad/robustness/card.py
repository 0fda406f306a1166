"""The robustness card: how detectors hold up under the R1-R5 protocols on one dataset.

For every detector, protocol, level and seed the card runs the same experiment:

1. Stratified 70/30 train/test split (seeded). 20 % of the training part's *normal* rows are
   held out as calibration rows: the "known-clean recent past" a user would calibrate on.
2. The protocol's perturbation is applied where it belongs (the whole dataset before the
   split, the training part, the test part, or each part separately); calibration rows are
   only touched by whole-dataset perturbations (they must have the same columns).
3. Features are standardised with statistics of the (perturbed) training part.
4. The detector is fitted (with labels if it uses them), then calibrated on the calibration
   rows to a target false-positive rate (1 %, or the smallest rate the calibration set
   supports) with conformal p-values.
5. Measured on the test part: AUROC, AP, and the **alarm rate**: the share of *normal* test
   rows flagged at that threshold. Under test-time shift it shows the false-alarm storm a
   user would meet in production; on clean data it stays near the target.

R4's misspecification variant (kind ``contamination_misspecified``) fixes the training
contamination at 10 % and tells the detector ``level`` x 10 % (0.5, 1, 2); it is measured at
the detector's own contamination threshold (no calibration), so its alarm rate and ``recall``
show what a wrong contamination guess costs.

With ``suite="full"`` the card also runs the attack protocols of
:mod:`robustad.robustness.attack_card` (evasion, poisoning, backdoor, certified AUROC) against
each detector fitted and calibrated on the clean split of every seed.

``delta_auroc`` is the change of mean AUROC against the clean run. The **robustness score**
of a detector is the mean, over every perturbed setting, of ``AUROC(setting) / AUROC(clean)``
(1.0 = unaffected; below 1 = loses ranking quality), stated in every rendering of the card.

Examples
--------
>>> from robustad.data import make_outlier_data
>>> from robustad.robustness.card import robustness_card
>>> data = make_outlier_data(n_samples=400, n_features=4, random_state=0)
>>> card = robustness_card(data, ["ecod"], suite="quick", seeds=1)
>>> sorted(card["detectors"]["ecod"]["protocols"])
['contamination', 'covariate_shift', 'duplicated_anomalies', 'irrelevant_features']
>>> 0.9 < card["detectors"]["ecod"]["clean"]["auroc"] <= 1.0
True
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from robustad.data.dataset import Dataset
from robustad.data.splits import scale, train_test_split
from robustad.data.validation import require_both_classes
from robustad.detectors.base import BaseDetector
from robustad.detectors.registry import detector_class, make_detector
from robustad.evaluation.metrics import auroc, average_precision
from robustad.exceptions import InvalidParameterError
from robustad.robustness import attack_card
from robustad.robustness.attack_card import ATTACK_PROTOCOLS
from robustad.robustness.perturbations import PERTURBATIONS, Perturbation

__all__ = [
    "CARD_PROTOCOLS",
    "SUITES",
    "check_card_request",
    "robustness_card",
    "robustness_score",
]

#: Target false-positive rate of the calibrated threshold the alarm rate is measured at.
TARGET_FPR = 0.01
#: Share of the training part's normal rows held out for calibration.
CALIBRATION_SHARE = 0.2

#: R4's misspecification variant: training contamination fixed at MISSPECIFIED_TRUE_RATE, the
#: detector told ``level`` x that rate; measured at the detector's own contamination threshold.
MISSPECIFIED = "contamination_misspecified"
MISSPECIFIED_TRUE_RATE = 0.1

#: Card protocol -> the perturbations it runs. covariate_shift groups the R5 test-time shifts.
CARD_PROTOCOLS: dict[str, tuple[str, ...]] = {
    "duplicated_anomalies": ("duplicated_anomalies",),
    "irrelevant_features": ("irrelevant_features",),
    "label_flips": ("label_flips",),
    "contamination": ("contamination", MISSPECIFIED),
    "covariate_shift": ("gaussian_noise", "feature_dropout", "unit_change", "mean_drift"),
}


@dataclass(frozen=True)
class Suite:
    """Which levels of each perturbation a suite runs."""

    name: str
    levels: dict[str, tuple[float, ...]]
    description: str


def _all_levels(name: str) -> tuple[float, ...]:
    spec = PERTURBATIONS[name]
    if name == "contamination":
        # r = 0 (normal-only training) is R4's own reference, unlike the card's clean run,
        # which keeps the dataset's natural anomaly share in training.
        return spec.levels
    return tuple(level for level in spec.levels if level != spec.clean_level)


SUITES: dict[str, Suite] = {
    "quick": Suite(
        "quick",
        {
            "duplicated_anomalies": (3.0,),
            "irrelevant_features": (0.25,),
            "label_flips": (0.1,),
            "contamination": (0.0, 0.1),
            MISSPECIFIED: (0.5, 2.0),
            "gaussian_noise": (0.25,),
            "feature_dropout": (0.25,),
            "unit_change": (10.0,),
            "mean_drift": (1.0,),
        },
        "one level per perturbation: a first look in under a minute",
    ),
    "standard": Suite(
        "standard",
        {**{name: _all_levels(name) for name in PERTURBATIONS}, MISSPECIFIED: (0.5, 1.0, 2.0)},
        "every level of ROBUSTNESS.md R1-R5",
    ),
}
# The full suite adds the attack protocols of robustad.robustness.attack_card (R6-R10).
SUITES["full"] = Suite(
    "full",
    SUITES["standard"].levels,
    "standard levels plus the attacks: evasion (white-box and black-box), poisoning, backdoor "
    "and certified AUROC",
)


@dataclass(frozen=True)
class _Split:
    train: Dataset
    calibration: Dataset
    test: Dataset


def _split(dataset: Dataset, seed: int) -> _Split:
    train, test = train_test_split(dataset, test_size=0.3, random_state=seed)
    assert train.y is not None
    rng = np.random.default_rng(seed)
    normal = np.flatnonzero(train.y == 0)
    held_out = rng.choice(normal, round(CALIBRATION_SHARE * normal.size), replace=False)
    keep = np.setdiff1d(np.arange(train.n_samples), held_out)
    return _Split(train.subset(keep), train.subset(held_out), test)


def _with(dataset: Dataset, X: np.ndarray, y: np.ndarray | None) -> Dataset:
    return Dataset(X=X, y=y, name=dataset.name, source=dataset.source)


def _perturbed(dataset: Dataset, spec: Perturbation | None, level: float, seed: int) -> _Split:
    rng = np.random.default_rng([seed, 7919])
    if spec is not None and spec.applies_to == "dataset":
        assert dataset.y is not None
        X, y = spec.function(dataset.X, dataset.y, rng, level)
        dataset = _with(dataset, X, y)
    parts = _split(dataset, seed)
    if spec is None or spec.applies_to == "dataset":
        return parts
    train, test = parts.train, parts.test
    assert train.y is not None and test.y is not None
    if spec.applies_to in ("train", "each"):
        train = _with(train, *spec.function(train.X, train.y, rng, level))
    if spec.applies_to in ("test", "each"):
        test = _with(test, *spec.function(test.X, test.y, rng, level))
    return _Split(train, parts.calibration, test)


def _scaled(parts: _Split) -> _Split:
    train, test = scale(parts.train, parts.test)
    _, calibration = scale(parts.train, parts.calibration)
    return _Split(train, calibration, test)


def _measure(
    detector: BaseDetector, parts: _Split, *, calibrate: bool = True
) -> dict[str, float | None]:
    parts = _scaled(parts)
    train, test = parts.train, parts.test
    assert train.y is not None and test.y is not None
    if detector.tags.uses_labels:
        detector.fit(train.X, train.y)
    else:
        detector.fit(train.X)
    fpr: float | None = None
    if calibrate:
        # 1 % needs 99 calibration rows; small datasets get the smallest rate they support.
        fpr = max(TARGET_FPR, 1.0 / (parts.calibration.n_samples + 1.0) + 1e-9)
        detector.calibrate(parts.calibration.X, fpr=fpr)
    scores = detector.decision_function(test.X)
    flagged = scores > detector.threshold_
    return {
        "auroc": auroc(test.y, scores),
        "ap": average_precision(test.y, scores),
        "alarm_rate": float(flagged[test.y == 0].mean()),
        "recall": float(flagged[test.y == 1].mean()),
        "target_fpr": fpr,
    }


def _detector(spec: str | BaseDetector, seed: int) -> BaseDetector:
    from sklearn.base import clone

    detector = make_detector(spec) if isinstance(spec, str) else clone(spec)
    if "random_state" in detector.get_params(deep=False):
        detector.set_params(random_state=seed)
    return detector


def _summary(runs: list[dict[str, float | None]]) -> dict[str, Any]:
    def stats(key: str) -> tuple[float, float]:
        values = np.array([run[key] for run in runs], dtype=np.float64)
        return float(values.mean()), float(values.std())

    auroc_mean, auroc_std = stats("auroc")
    ap_mean, ap_std = stats("ap")
    alarm_mean, _ = stats("alarm_rate")
    recall_mean, _ = stats("recall")
    targets = [run["target_fpr"] for run in runs]
    return {
        "auroc_mean": auroc_mean,
        "auroc_std": auroc_std,
        "ap_mean": ap_mean,
        "ap_std": ap_std,
        "alarm_rate": alarm_mean,
        "recall": recall_mean,
        "target_fpr": None if None in targets else float(np.mean([t or 0.0 for t in targets])),
    }


def _attack(
    protocol: str,
    detector: BaseDetector,
    parts: _Split,
    seed: int,
) -> list[dict[str, Any]]:
    """One attack protocol against a detector fitted and calibrated on the clean split."""
    train, calibration, test = parts.train, parts.calibration, parts.test
    assert train.y is not None and test.y is not None
    if protocol in ("poisoning", "backdoor"):
        normal = train.X[train.y == 0]
        fpr = max(TARGET_FPR, 1.0 / (calibration.n_samples + 1.0) + 1e-9)
        if protocol == "poisoning":
            return attack_card.poisoning(
                detector, normal, calibration.X, test.X, test.y, fpr=fpr, seed=seed
            )
        return attack_card.backdoor(
            detector, normal, calibration.X, test.X, test.y, fpr=fpr, seed=seed
        )
    run: Callable[..., list[dict[str, Any]]] = getattr(attack_card, protocol)
    return run(detector, train.X, test.X, test.y, seed=seed)


def _mean_rows(runs: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Average the per-seed rows of one attack protocol, field by field (NaN-aware)."""
    averaged = []
    for rows in zip(*runs, strict=True):
        row: dict[str, Any] = {"level": rows[0]["level"], "kind": rows[0]["kind"]}
        for key in rows[0]:
            if key in row:
                continue
            values = np.array([r[key] for r in rows], dtype=np.float64)
            finite = values[np.isfinite(values)]
            row[key] = float(finite.mean()) if finite.size else None
            if key == "success_rate" or key == "attack_success_rate":
                row[f"{key}_std"] = float(finite.std()) if finite.size else None
        averaged.append(row)
    return averaged


def robustness_score(detector_card: dict[str, Any]) -> float:
    """Mean over every perturbed setting of ``AUROC(setting) / AUROC(clean)``.

    Contamination misspecification rows are left out: they change only the threshold, not the
    scores, so their AUROC repeats the contamination row's.
    """
    clean = detector_card["clean"]["auroc"]
    ratios = [
        entry["auroc_mean"] / clean
        for entries in detector_card["protocols"].values()
        for entry in entries
        if entry["kind"] != MISSPECIFIED
    ]
    return float(np.mean(ratios)) if ratios and clean > 0 else math.nan


def check_card_request(
    dataset: Dataset,
    detectors: Sequence[str | BaseDetector],
    *,
    suite: str,
    seeds: int,
    protocols: Sequence[str] | None,
) -> list[str]:
    """Validate a card request before any work; return the protocols to run.

    Raises :class:`~robustad.exceptions.InvalidParameterError` for an unknown suite, protocol
    or detector, or a bad seed count, and
    :class:`~robustad.exceptions.DataValidationError` for a dataset without both classes.
    """
    if suite not in SUITES:
        raise InvalidParameterError(f"unknown suite {suite!r}; choose one of: {', '.join(SUITES)}")
    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1:
        raise InvalidParameterError(f"seeds must be a positive integer; got {seeds!r}")
    offered = [*CARD_PROTOCOLS, *ATTACK_PROTOCOLS] if suite == "full" else list(CARD_PROTOCOLS)
    chosen = offered if protocols is None else list(protocols)
    unknown = [p for p in chosen if p not in offered]
    if unknown or not chosen:
        attacks = [p for p in unknown if p in ATTACK_PROTOCOLS]
        hint = (
            f" (the attack protocols {', '.join(attacks)} run with suite 'full')" if attacks else ""
        )
        raise InvalidParameterError(
            f"unknown protocol(s) {', '.join(map(repr, unknown))}; choose from: "
            f"{', '.join(offered)}{hint}"
        )
    require_both_classes(dataset.y, f"dataset {dataset.name!r}", "the robustness card")
    if not detectors:
        raise InvalidParameterError("pass at least one detector")
    for spec in detectors:
        if isinstance(spec, str):
            detector_class(spec)
    return chosen


def robustness_card(
    dataset: Dataset,
    detectors: Sequence[str | BaseDetector],
    *,
    suite: str = "standard",
    seeds: int = 3,
    protocols: Sequence[str] | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> dict[str, Any]:
    """Run the robustness protocols on ``dataset`` for each detector; return the card.

    Parameters
    ----------
    dataset
        A labelled dataset (labels are needed to measure; detectors are fitted without them
        unless they use labels).
    detectors
        Registered detector names or unfitted detector objects.
    suite
        ``"quick"``, ``"standard"`` or ``"full"`` (see :data:`SUITES`).
    seeds
        Number of seeds (1, 2, ...); every setting is repeated with each.
    protocols
        Subset of :data:`CARD_PROTOCOLS` to run (default: all that apply).
        ``label_flips`` runs only for detectors tagged ``uses_labels``.
    progress
        Called as ``progress(done, total, message)`` before each fit (for progress bars).

    Returns
    -------
    dict
        ``{"dataset", "suite", "seeds", "target_fpr", "created_at", "score_definition",
        "detectors": {name: {"clean": {"auroc", "ap", "alarm_rate"}, "robustness_score",
        "protocols": {protocol: [{"level", "kind", "auroc_mean", "auroc_std", "ap_mean",
        "ap_std", "delta_auroc", "alarm_rate", "recall", "target_fpr"}, ...]}}}}``.
        With ``suite="full"`` each detector entry also holds ``"attacks": {protocol: [row,
        ...]}`` for the attack protocols that apply to it (rows of
        :mod:`robustad.robustness.attack_card`, averaged over seeds; None where no seed gave a
        value). ``robustness_score`` is None when no perturbation protocol ran.
    """
    requested = check_card_request(
        dataset, detectors, suite=suite, seeds=seeds, protocols=protocols
    )
    chosen = [p for p in requested if p in CARD_PROTOCOLS]
    attacks = [p for p in requested if p in ATTACK_PROTOCOLS]
    levels = SUITES[suite].levels
    seed_list = list(range(1, seeds + 1))
    probes = {id(spec): _detector(spec, 0) for spec in detectors}  # also checks the names

    def applies(spec: str | BaseDetector, protocol: str) -> bool:
        return protocol != "label_flips" or probes[id(spec)].tags.uses_labels

    def attacks_on(spec: str | BaseDetector) -> list[str]:
        return [p for p in attacks if attack_card.applies(p, probes[id(spec)])]

    total = len(seed_list) * sum(
        1
        + len(attacks_on(spec))
        + sum(
            len(levels[kind])
            for protocol in chosen
            if applies(spec, protocol)
            for kind in CARD_PROTOCOLS[protocol]
        )
        for spec in detectors
    )
    done = 0

    def step(message: str) -> None:
        nonlocal done
        if progress:
            progress(done, total, message)
        done += 1

    card: dict[str, Any] = {
        "dataset": dataset.name,
        "suite": suite,
        "seeds": seed_list,
        "target_fpr": TARGET_FPR,
        "created_at": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "score_definition": (
            "robustness_score = mean over every perturbed setting of "
            "AUROC(setting) / AUROC(clean); 1.0 means unaffected"
        ),
        "detectors": {},
    }
    for spec in detectors:
        name = spec if isinstance(spec, str) else (spec.name or type(spec).__name__)
        clean_runs = []
        attack_runs: dict[str, list[list[dict[str, Any]]]] = {p: [] for p in attacks_on(spec)}
        for seed in seed_list:
            step(f"{name}: clean, seed {seed}")
            detector = _detector(spec, seed)
            parts = _perturbed(dataset, None, 0, seed)
            clean_runs.append(_measure(detector, parts))
            for protocol in attack_runs:
                step(f"{name}: {protocol}, seed {seed}")
                attack_runs[protocol].append(_attack(protocol, detector, _scaled(parts), seed))
        clean = _summary(clean_runs)
        entry: dict[str, Any] = {
            "clean": {
                "auroc": clean["auroc_mean"],
                "ap": clean["ap_mean"],
                "alarm_rate": clean["alarm_rate"],
            },
            "protocols": {},
        }
        for protocol in chosen:
            if not applies(spec, protocol):
                continue
            rows = []
            for perturbation in CARD_PROTOCOLS[protocol]:
                for level in levels[perturbation]:
                    runs = []
                    for seed in seed_list:
                        step(f"{name}: {perturbation} {level:g}, seed {seed}")
                        detector = _detector(spec, seed)
                        if perturbation == MISSPECIFIED:
                            told = min(0.5, level * MISSPECIFIED_TRUE_RATE)
                            detector.set_params(contamination=told)
                            parts = _perturbed(
                                dataset,
                                PERTURBATIONS["contamination"],
                                MISSPECIFIED_TRUE_RATE,
                                seed,
                            )
                            runs.append(_measure(detector, parts, calibrate=False))
                        else:
                            parts = _perturbed(dataset, PERTURBATIONS[perturbation], level, seed)
                            runs.append(_measure(detector, parts))
                    summary = _summary(runs)
                    rows.append(
                        {
                            "level": float(level),
                            "kind": perturbation,
                            **summary,
                            "delta_auroc": summary["auroc_mean"] - clean["auroc_mean"],
                        }
                    )
            entry["protocols"][protocol] = rows
        if attack_runs:
            entry["attacks"] = {p: _mean_rows(runs) for p, runs in attack_runs.items()}
        score = robustness_score(entry)
        # None when only attack protocols ran: the score summarises the perturbations.
        entry["robustness_score"] = score if math.isfinite(score) else None
        card["detectors"][name] = entry
    if progress:
        progress(total, total, "done")
    return card
