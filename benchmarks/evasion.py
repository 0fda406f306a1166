"""Evasion attacks (R6, R7): white-box on `autoencoder`, black-box and transfer on any detector.

For each dataset and seed: stratified 70/30 split; 20 % of the training part's normal rows held
out; every detector fitted on the rest (standardised with its statistics) and calibrated to a
1 % false-positive rate on the held-out normal rows. Over the test anomalies flagged at that
threshold, the evasion success rate (share no longer flagged, recomputed with
``decision_function``):

1. White-box, `autoencoder` at defaults: L-infinity PGD (40 steps, 1 random restart) against one
   random perturbation of the same size and an 80-query random search, for eps in
   {0.1, 0.25, 0.5, 1.0} training standard deviations within the training range
   (FeasibleSet); L2 PGD for the same radii; the three APAE attacks at their paper settings;
   the reverse attack, PGD pushing the normal test rows up (false-alarm flooding); and how
   many PGD evasions the scoring-time `AttackDetector` also misses.
2. Score-only, every detector (`autoencoder`, `iforest`, `knn`, `ecod`) at eps 0.5: coordinate
   search within 100 and 1,000 queries per row (and the median queries an evading row
   needed), one random draw, and a transfer attack: L-infinity PGD crafted on a surrogate
   `autoencoder` the attacker trained on the held-out normal rows ("public normal data", another
   seed), replayed against the target.

Run: OMP_NUM_THREADS=1 .venv/bin/python benchmarks/evasion.py
"""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

import robustad
from _datasets import ATTACK_ADBENCH, calibration_split, data_dir
from robustad.data import load_dataset
from robustad.robustness.attack_detection import AttackDetector
from robustad.robustness.attacks import (
    FeasibleSet,
    apae_l0,
    apae_l2,
    apae_random,
    evasion_success,
    pgd_evasion,
    random_evasion,
)
from robustad.robustness.blackbox import coordinate_evasion, transfer_evasion

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks/results/evasion.md"
DATASETS = ATTACK_ADBENCH
SEEDS = (1, 2, 3)
EPSILONS = (0.1, 0.25, 0.5, 1.0)
WHITE_BOX = ("PGD L-inf", "random (1 draw)", "random search (80)", "PGD L2")
GUARDED = "PGD L-inf, also unseen by AttackDetector"
APAE = ("APAE random", "APAE L2 (20 % rel. L1)", "APAE L0 (k=10)")
DETECTORS = ("autoencoder", "iforest", "knn", "ecod")
BLACK_BOX_EPS = 0.5
BLACK_BOX = (
    "coordinate (100 queries)",
    "coordinate (1,000 queries)",
    "random (1 draw)",
    "transfer",
)

Rates = dict[tuple[str, ...], list[float]]


def _white_box(
    detector, flagged, normal, calibration, feasible, seed: int, rates: Rates, name: str
) -> None:
    # The scoring-time check, calibrated on the same held-out normal rows as the threshold.
    guard = AttackDetector(detector, fpr=detector.target_fpr_, random_state=seed)
    guard.fit(calibration)
    rates.setdefault((name, "guard false flags"), []).append(float(guard.flag(normal).mean()))
    for eps in EPSILONS:
        # The reverse attack: normal rows pushed up, false alarms counted (AML.T0046).
        flooded = pgd_evasion(
            detector, normal, epsilon=eps, feasible=feasible, direction="raise", random_state=seed
        )
        alarms = float((detector.decision_function(flooded) > detector.threshold_).mean())
        rates.setdefault((name, "flooding", str(eps)), []).append(alarms)
        budget = {"epsilon": eps, "feasible": feasible, "random_state": seed}
        attacked = {
            "PGD L-inf": pgd_evasion(detector, flagged, **budget),
            "random (1 draw)": random_evasion(detector, flagged, n_queries=1, **budget),
            "random search (80)": random_evasion(detector, flagged, n_queries=80, **budget),
            "PGD L2": pgd_evasion(detector, flagged, norm="l2", **budget),
        }
        for attack, rows in attacked.items():
            rate = evasion_success(detector, flagged, rows)["success_rate"]
            rates.setdefault((name, attack, str(eps)), []).append(rate)
        # Evaded the threshold and not caught by the attack detector either.
        rows = attacked["PGD L-inf"]
        unseen = (detector.decision_function(rows) <= detector.threshold_) & ~guard.flag(rows)
        rates.setdefault((name, GUARDED, str(eps)), []).append(float(unseen.mean()))
    apae: dict[str, Callable[[], np.ndarray]] = {
        "APAE random": lambda: apae_random(detector, flagged, feasible=feasible, random_state=seed),
        "APAE L2 (20 % rel. L1)": lambda: apae_l2(detector, flagged, feasible=feasible),
        "APAE L0 (k=10)": lambda: apae_l0(detector, flagged, feasible=feasible),
    }
    for attack, run in apae.items():
        rate = evasion_success(detector, flagged, run())["success_rate"]
        rates.setdefault((name, attack), []).append(rate)


def _black_box(target, surrogate, flagged, feasible, seed: int) -> dict[str, float]:
    result = coordinate_evasion(
        target, flagged, epsilon=BLACK_BOX_EPS, feasible=feasible, n_queries=1000, random_state=seed
    )
    curve = result.evasion_curve([100, 1000])
    needed = result.queries_to_evade[result.targets]
    needed = needed[np.isfinite(needed)]
    budget = {"epsilon": BLACK_BOX_EPS, "feasible": feasible, "random_state": seed}
    one = random_evasion(target, flagged, n_queries=1, **budget)
    transferred = transfer_evasion(target, surrogate, flagged, **budget)
    return {
        "coordinate (100 queries)": float(curve[0]),
        "coordinate (1,000 queries)": float(curve[1]),
        "random (1 draw)": evasion_success(target, flagged, one)["success_rate"],
        "transfer": evasion_success(target, flagged, transferred)["success_rate"],
        "median queries": float(np.median(needed)) if needed.size else float("nan"),
    }


def main() -> None:
    started = time.perf_counter()
    rates: Rates = {}
    targets: dict[tuple[str, str], int] = {}
    for name in DATASETS:
        dataset = load_dataset(name, data_dir=data_dir())
        for seed in SEEDS:
            fit_part, calibration, test_scaled = calibration_split(dataset, seed)
            assert test_scaled.y is not None
            anomalies = test_scaled.X[test_scaled.y == 1]
            feasible = FeasibleSet.from_data(fit_part.X)
            # The attacker's own model: trained on other normal data, with another seed.
            surrogate = robustad.make_detector("autoencoder", random_state=seed + 100)
            surrogate.fit(calibration.X)
            fpr = max(0.01, 1.0 / (calibration.n_samples + 1) + 1e-9)
            for detector_name in DETECTORS:
                detector = robustad.make_detector(detector_name)
                if "random_state" in detector.get_params():
                    detector.set_params(random_state=seed)
                detector.fit(fit_part.X).calibrate(calibration.X, fpr=fpr)
                flagged = anomalies[detector.predict(anomalies) == 1]
                key = (name, detector_name)
                targets[key] = targets.get(key, 0) + int(flagged.shape[0])
                if flagged.shape[0] == 0:
                    continue
                if detector_name == "autoencoder":
                    normal = test_scaled.X[test_scaled.y == 0]
                    _white_box(
                        detector, flagged, normal, calibration.X, feasible, seed, rates, name
                    )
                for attack, value in _black_box(
                    detector, surrogate, flagged, feasible, seed
                ).items():
                    rates.setdefault((name, detector_name, attack), []).append(value)
        print(f"done {name}", flush=True)
    wall = time.perf_counter() - started
    OUT.write_text("\n".join(_report(rates, targets, wall)))
    print(OUT.read_text())


def _mean(rates: Rates, *key: str) -> float:
    """Mean over datasets of each dataset's mean over seeds (datasets without targets left out)."""
    per_dataset = [
        float(np.nanmean(rates[(n, *key)]))
        for n in DATASETS
        if (n, *key) in rates and np.isfinite(rates[(n, *key)]).any()
    ]
    return float(np.mean(per_dataset)) if per_dataset else float("nan")


def _report(rates: Rates, targets: dict[tuple[str, str], int], wall: float) -> list[str]:
    lines = [
        "# Evasion attacks (R6, R7)",
        "",
        "Command: `OMP_NUM_THREADS=1 .venv/bin/python benchmarks/evasion.py`  ",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores; wall time {wall:.0f} s.  ",
        f"Datasets ({len(DATASETS)}, ADBench): {', '.join(DATASETS)}; seeds "
        f"{', '.join(map(str, SEEDS))}. Threshold calibrated to 1 % FPR on held-out normal "
        "training rows; success = share of the flagged test anomalies no longer flagged after "
        "the attack (recomputed with `decision_function`); budgets in training-std units, "
        "within the training range. Each dataset: mean over seeds; then the mean over "
        "datasets with at least one flagged anomaly.",
        "",
        "## 1. White-box attacks on `autoencoder` (defaults)",
        "",
        "| attack | " + " | ".join(f"eps {e:g}" for e in EPSILONS) + " |",
        "|---|" + "---:|" * len(EPSILONS),
    ]
    for attack in WHITE_BOX:
        cells = [f"{_mean(rates, attack, str(e)):.1%}" for e in EPSILONS]
        lines.append(f"| {attack} | " + " | ".join(cells) + " |")
    guarded = [f"{_mean(rates, GUARDED, str(e)):.1%}" for e in EPSILONS]
    lines.append(f"| {GUARDED} | " + " | ".join(guarded) + " |")
    flooding = [f"{_mean(rates, 'flooding', str(e)):.1%}" for e in EPSILONS]
    lines.append(
        "| flooding: normal rows flagged after PGD pushes them up | " + " | ".join(flooding) + " |"
    )
    lines += [
        "",
        f"`AttackDetector` (scoring-time check, calibrated on the held-out normal rows at the "
        f"threshold's false-positive rate) flags {_mean(rates, 'guard false flags'):.1%} of the "
        "clean normal test rows; its row counts an evasion only when the attacked row is "
        "neither over the threshold nor flagged by it. An attacker who knows the check can "
        "adapt to it; this row measures the non-adaptive PGD above.",
        "",
        "L2 radii are in the same units (the L2 ball of radius eps is much smaller than the "
        "L-infinity box of the same eps). APAE attacks (Goodge et al., IJCAI 2020) at their "
        "paper settings, on the detector's own score: "
        + ", ".join(f"{a} {_mean(rates, a):.1%}" for a in APAE)
        + ".",
        "",
        f"## 2. Score-only and transfer attacks at eps {BLACK_BOX_EPS:g} (L-infinity)",
        "",
        "| detector | flagged anomalies | "
        + " | ".join(BLACK_BOX)
        + " | median queries to evade |",
        "|---|---:|" + "---:|" * (len(BLACK_BOX) + 1),
    ]
    for detector in DETECTORS:
        flagged = sum(targets.get((n, detector), 0) for n in DATASETS)
        cells = [f"{_mean(rates, detector, a):.1%}" for a in BLACK_BOX]
        median = _mean(rates, detector, "median queries")
        lines.append(f"| {detector} | {flagged} | " + " | ".join(cells) + f" | {median:.0f} |")
    lines += [
        "",
        "The transfer attack's surrogate is an `autoencoder` trained by the attacker on the "
        "held-out normal rows with another seed; its rows are replayed unchanged against each "
        "target. The coordinate search's query count includes the first score of the "
        "unperturbed row.",
        "",
        "Per dataset, PGD L-inf at eps 0.5 on `autoencoder` (flagged anomalies summed over seeds):",
        "",
        "| dataset | flagged anomalies | PGD success eps 0.5 | random (1 draw) eps 0.5 |",
        "|---|---:|---:|---:|",
    ]
    for n in DATASETS:
        pgd = np.mean(rates.get((n, "PGD L-inf", "0.5"), [float("nan")]))
        one = np.mean(rates.get((n, "random (1 draw)", "0.5"), [float("nan")]))
        lines.append(f"| {n} | {targets.get((n, 'autoencoder'), 0)} | {pgd:.1%} | {one:.1%} |")
    lines.append("")
    return lines


if __name__ == "__main__":
    main()
