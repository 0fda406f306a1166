"""Poisoning of (re)training data (R8) and backdoor triggers (R9), with and without defences.

For each dataset and seed: stratified 70/30 split, standardised with training statistics; 25 %
of the training part's normal rows held out for calibration (1 % FPR, never trained on).

1. Boiling frog (Kravchik & Shabtai, arXiv 2002.02741): the detector is retrained for up to 20
   rounds on windows of the remaining normal rows plus p % poison rows walking from the normal
   centroid to the target, the median flagged test anomaly. Reported: the share of campaigns in
   which the target got through, the rounds it took, and clean AUROC after poisoning. The
   defence of ROBUSTNESS.md R8 (drop new rows the previous model scores above its 99 %
   calibration quantile, and keep at most half of each window new) at p = 5 %.
2. Backdoor: a trigger (the most extreme training value of the lowest-variance column) planted
   in p % of the normal training rows, then added to the test anomalies. Reported: the share
   of triggered anomalies not flagged by the poisoned model and by the clean model (the
   trigger's own effect), and the clean AUROC of both.

Run: OMP_NUM_THREADS=1 .venv/bin/python benchmarks/poisoning.py
"""

from __future__ import annotations

import os
import platform
import time
from pathlib import Path

import numpy as np

import robustad
from _datasets import ATTACK_ADBENCH, data_dir
from robustad.data import load_dataset, scale, train_test_split
from robustad.robustness.poisoning import backdoor_attack, boiling_frog

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks/results/poisoning.md"
DATASETS = ATTACK_ADBENCH
SEEDS = (1, 2, 3)
DETECTORS = ("autoencoder", "iforest", "knn")
POISON = (0.01, 0.05, 0.1)
BACKDOOR = (0.01, 0.05)
DEFENCE = {"filter_quantile": 0.99, "max_new_share": 0.5}
CALIBRATION_SHARE = 0.25

Cells = dict[tuple[str, ...], list[float]]


def main() -> None:
    started = time.perf_counter()
    cells: Cells = {}
    for name in DATASETS:
        dataset = load_dataset(name, data_dir=data_dir())
        for seed in SEEDS:
            train, test = train_test_split(dataset, test_size=0.3, random_state=seed)
            train, test = scale(train, test)
            assert train.y is not None and test.y is not None
            rng = np.random.default_rng(seed)
            normal = train.X[train.y == 0]
            held = rng.choice(
                normal.shape[0], round(CALIBRATION_SHARE * normal.shape[0]), replace=False
            )
            calibration = normal[held]
            pool = np.delete(normal, held, axis=0)
            for detector_name in DETECTORS:
                template = robustad.make_detector(detector_name)
                if "random_state" in template.get_params():
                    template.set_params(random_state=seed)
                fpr = max(0.01, 1.0 / (calibration.shape[0] + 1) + 1e-9)
                clean = robustad.make_detector(detector_name, **template.get_params())
                clean.fit(pool).calibrate(calibration, fpr=fpr)
                anomalies = test.X[test.y == 1]
                flagged = anomalies[clean.predict(anomalies) == 1]
                if flagged.shape[0]:
                    target = flagged[
                        np.argsort(clean.decision_function(flagged))[len(flagged) // 2]
                    ]
                    runs = [(p, "none", {}) for p in POISON] + [(0.05, "defended", DEFENCE)]
                    for fraction, label, defence in runs:
                        result = boiling_frog(
                            template,
                            pool,
                            target,
                            poison_fraction=fraction,
                            max_rounds=20,
                            X_calibration=calibration,
                            fpr=fpr,
                            X_test=test.X,
                            y_test=test.y,
                            random_state=seed,
                            **defence,
                        )
                        if not result.flagged[0]:
                            continue  # the clean first model already missed it
                        key = (name, detector_name, label, str(fraction))
                        rounds = result.rounds_to_evade
                        cells.setdefault((*key, "evaded"), []).append(float(rounds is not None))
                        if rounds is not None:
                            cells.setdefault((*key, "rounds"), []).append(float(rounds))
                        assert result.clean_auroc_after is not None
                        cells.setdefault((*key, "auroc after"), []).append(result.clean_auroc_after)
                for fraction in BACKDOOR:
                    backdoor = backdoor_attack(
                        template,
                        pool,
                        test.X,
                        test.y,
                        poison_fraction=fraction,
                        X_calibration=calibration,
                        fpr=fpr,
                        random_state=seed,
                    )
                    key = (name, detector_name, "backdoor", str(fraction))
                    for field in (
                        "attack_success_rate",
                        "asr_unpoisoned",
                        "clean_auroc_unpoisoned",
                        "clean_auroc_poisoned",
                    ):
                        cells.setdefault((*key, field), []).append(getattr(backdoor, field))
        print(f"done {name}", flush=True)
    wall = time.perf_counter() - started
    OUT.write_text("\n".join(_report(cells, wall)))
    print(OUT.read_text())


def _mean(cells: Cells, *key: str) -> float:
    per_dataset = [float(np.mean(cells[(n, *key)])) for n in DATASETS if (n, *key) in cells]
    return float(np.mean(per_dataset)) if per_dataset else float("nan")


def _campaigns(cells: Cells, *key: str) -> int:
    return sum(len(cells.get((n, *key, "evaded"), [])) for n in DATASETS)


def _report(cells: Cells, wall: float) -> list[str]:
    lines = [
        "# Poisoning (R8) and backdoor (R9)",
        "",
        "Command: `OMP_NUM_THREADS=1 .venv/bin/python benchmarks/poisoning.py`  ",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores; wall time {wall:.0f} s.  ",
        f"Datasets ({len(DATASETS)}, ADBench): {', '.join(DATASETS)}; seeds "
        f"{', '.join(map(str, SEEDS))}; detectors at defaults. Each dataset: mean over seeds; "
        "then the mean over datasets. Campaigns whose clean first model already missed the "
        "target are left out (nothing to poison).",
        "",
        "## 1. Boiling-frog poisoning, up to 20 retraining rounds",
        "",
        "| detector | poison per round | defence | campaigns | target got through | "
        "rounds needed (when it did) | clean AUROC after |",
        "|---|---:|---|---:|---:|---:|---:|",
    ]
    runs = [(str(p), "none") for p in POISON] + [("0.05", "defended")]
    for detector in DETECTORS:
        for fraction, label in runs:
            key = (detector, label, fraction)
            lines.append(
                f"| {detector} | {float(fraction):.0%} | "
                f"{'filter 99 % + half new' if label == 'defended' else 'none'} | "
                f"{_campaigns(cells, *key)} | {_mean(cells, *key, 'evaded'):.0%} | "
                f"{_mean(cells, *key, 'rounds'):.1f} | {_mean(cells, *key, 'auroc after'):.3f} |"
            )
    lines += [
        "",
        "## 2. Backdoor trigger in the normal training rows",
        "",
        "| detector | poisoned share | triggered anomalies missed, poisoned model | "
        "same, clean model | clean AUROC clean model | clean AUROC poisoned model |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for detector in DETECTORS:
        for fraction in BACKDOOR:
            key = (detector, "backdoor", str(fraction))
            lines.append(
                f"| {detector} | {fraction:.0%} | "
                f"{_mean(cells, *key, 'attack_success_rate'):.1%} | "
                f"{_mean(cells, *key, 'asr_unpoisoned'):.1%} | "
                f"{_mean(cells, *key, 'clean_auroc_unpoisoned'):.3f} | "
                f"{_mean(cells, *key, 'clean_auroc_poisoned'):.3f} |"
            )
    lines.append("")
    return lines


if __name__ == "__main__":
    main()
