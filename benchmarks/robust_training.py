"""Training defences of ``autoencoder``: against contaminated training data and against evasion.

Part 1, trimmed training (R4 setting). For each dataset and seed: stratified 70/30 split,
the training part's anomaly share set to 0 % (clean) and 10 % with
robustad.robustness.perturbations.contamination (RoSAS procedure), standardised with
training statistics, then ``autoencoder`` fitted plainly and with
``robust_training="trimmed"`` (contamination=0.1, so 2 x 10 % of each mini-batch is
trimmed), AUROC on the untouched test part. Reported: mean AUROC per variant and level, and each
variant's loss from clean to 10 %.

Part 2, evasion (R6, R10), with the protocol of ``benchmarks/evasion.py``: 20 % of the training
part's normal rows held out; ``autoencoder`` plain, with ``adversarial_epsilon=0.5`` and with
``spectral_norm=True`` fitted on the rest and calibrated to a 1 % false-positive rate on the
held-out rows. Over the test anomalies flagged at that threshold: the success rate of L-inf PGD
(40 steps, 1 restart) for eps in {0.1, 0.25, 0.5, 1.0} training standard deviations, and the
share that moving every feature up to eps toward the row's *unchanged* reconstruction would
hide (the attack needs no network sensitivity at all for those). Also the certified AUROC
(L2, from the Lipschitz bound) next to the AUROC under L2 PGD at the same budget.

Run: OMP_NUM_THREADS=1 .venv/bin/python benchmarks/robust_training.py
"""

from __future__ import annotations

import os
import platform
import time
from pathlib import Path

import numpy as np

import robustad
from _datasets import ATTACK_ADBENCH, SMALL_ADBENCH, calibration_split, data_dir
from robustad.data import Dataset, load_dataset, scale, train_test_split
from robustad.evaluation import auroc
from robustad.robustness.attacks import FeasibleSet, evasion_success, pgd_evasion
from robustad.robustness.certified import attacked_auroc, certified_auroc
from robustad.robustness.perturbations import contamination

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks/results/robust_training.md"
# As benchmarks/evasion.py (Cardiotocography in place of vertebral), plus two larger sets.
DATASETS = (
    *(d for d in SMALL_ADBENCH if d != "39_vertebral"),
    "7_Cardiotocography",
    "2_annthyroid",
    "31_satimage-2",
)
SEEDS = (1, 2, 3)
LEVELS = (0.0, 0.1)
VARIANTS = {"plain": None, "trimmed": "trimmed"}

EVASION_DATASETS = ATTACK_ADBENCH
EPSILONS = (0.1, 0.25, 0.5, 1.0)
L2_EPSILONS = (0.1, 0.5)
DEFENCES: dict[str, dict[str, object]] = {
    "plain": {},
    "adversarial_epsilon=0.5": {"adversarial_epsilon": 0.5},
    "spectral_norm": {"spectral_norm": True},
}


def main() -> None:
    contamination_lines = trimmed_training()
    evasion_lines = evasion_defences()
    OUT.write_text("\n".join([*contamination_lines, "", *evasion_lines]))


def trimmed_training() -> list[str]:
    started = time.perf_counter()
    table: dict[tuple[str, str, float], list[float]] = {}
    for name in DATASETS:
        dataset = load_dataset(name, data_dir=data_dir())
        for seed in SEEDS:
            train, test = train_test_split(dataset, test_size=0.3, random_state=seed)
            assert train.y is not None and test.y is not None
            for level in LEVELS:
                rng = np.random.default_rng([seed, 7919])
                X, y = contamination(train.X, train.y, rng, level)
                part, scaled_test = scale(Dataset(X=X, y=y, name=name), test)
                for variant, option in VARIANTS.items():
                    detector = robustad.make_detector(
                        "autoencoder",
                        random_state=seed,
                        robust_training=option,
                        contamination=0.1,
                    )
                    detector.fit(part.X)
                    score = auroc(scaled_test.y, detector.decision_function(scaled_test.X))
                    table.setdefault((name, variant, level), []).append(score)
        print(f"done {name}", flush=True)
    wall = time.perf_counter() - started
    mean = {key: float(np.mean(values)) for key, values in table.items()}
    lines = [
        "# Training defences of `autoencoder`",
        "",
        "Command: `OMP_NUM_THREADS=1 .venv/bin/python benchmarks/robust_training.py`  ",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores.",
        "",
        "## 1. Trimmed training against contaminated training data",
        "",
        f"Wall time {wall:.0f} s.  ",
        f"Datasets ({len(DATASETS)}, ADBench): {', '.join(DATASETS)}; seeds "
        f"{', '.join(map(str, SEEDS))}. Stratified 70/30 split; the training part's anomaly "
        "share set to 0 % and 10 % (RoSAS procedure, `perturbations.contamination`); "
        "`autoencoder` at defaults with `contamination=0.1`, plain and "
        '`robust_training="trimmed"`; AUROC on the untouched test part.',
        "",
        "| dataset | plain 0 % | plain 10 % | trimmed 0 % | trimmed 10 % |",
        "|---|---:|---:|---:|---:|",
    ]
    for name in DATASETS:
        cells = [f"{mean[(name, v, r)]:.3f}" for v in VARIANTS for r in LEVELS]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    overall = {
        (v, r): float(np.mean([mean[(n, v, r)] for n in DATASETS]))
        for v in VARIANTS
        for r in LEVELS
    }
    loss = {v: overall[(v, 0.0)] - overall[(v, 0.1)] for v in VARIANTS}
    verdict = "met" if loss["trimmed"] <= 0.5 * loss["plain"] else "**not met**"
    lines += [
        f"| **mean** | {overall[('plain', 0.0)]:.3f} | {overall[('plain', 0.1)]:.3f} | "
        f"{overall[('trimmed', 0.0)]:.3f} | {overall[('trimmed', 0.1)]:.3f} |",
        "",
        f"AUROC lost from 0 % to 10 % contamination (mean over datasets): plain "
        f"{loss['plain']:+.3f}, trimmed {loss['trimmed']:+.3f}. Issue 6's target (trimmed loses "
        f"at most half of what plain loses): {verdict}.",
        "",
        "**Selection bias:** the trimmed share (twice the `contamination` parameter) was chosen "
        "on these datasets: trimming 1x the contamination (10 %) cut the loss only from +0.081 "
        "to +0.059 here. Expect a smaller margin on other data.",
    ]
    print("\n".join(lines), flush=True)
    return lines


def _toward(rows: np.ndarray, target: np.ndarray, feasible: FeasibleSet, eps: float):
    """``rows`` moved by at most eps (training std) per feature toward ``target``, feasibly."""
    limit = eps * feasible.scale
    return feasible.project(rows + np.clip(target - rows, -limit, limit), rows, eps)


def _reconstruction_bound(
    detector, flagged: np.ndarray, feasible: FeasibleSet, eps: float
) -> float:
    """Share of ``flagged`` hidden by moving each feature up to eps toward its reconstruction.

    The reconstruction is held fixed (the moved row is scored against the original row's
    reconstruction): this attack exploits no sensitivity of the network, only how close the
    anomaly already is to what the network reconstructs. The move respects the feasible set.
    """
    import torch

    module = detector._scoring_module()
    with torch.inference_mode():
        z = detector._standardised(torch.from_numpy(flagged))
        reconstruction = module(z).double().numpy() * detector.scale_ + detector.mean_
    moved = _toward(flagged, reconstruction, feasible, eps)
    remaining = (((moved - reconstruction) / detector.scale_) ** 2).sum(axis=1)
    return float((remaining <= detector.threshold_).mean())


#: The best any reconstruction could do here: each row reconstructed as its nearest training
#: normal row (a memorising model, kNN in disguise), scored by the squared distance to it.
ORACLE = "nearest training normal as the reconstruction"


def _nearest_normal_oracle(
    fit_part: Dataset, calibration: np.ndarray, X: np.ndarray, y: np.ndarray
) -> dict[str, float]:
    """AUROC and fixed-reconstruction evasion share of the nearest-normal "reconstruction"."""
    from sklearn.neighbors import NearestNeighbors

    assert fit_part.y is not None
    normals = fit_part.X[fit_part.y == 0]
    feasible = FeasibleSet.from_data(fit_part.X)
    unit = feasible.scale
    index = NearestNeighbors(n_neighbors=1).fit(normals / unit)

    def nearest(rows: np.ndarray) -> np.ndarray:
        return np.asarray(normals[index.kneighbors(rows / unit, return_distance=False)[:, 0]])

    def score(rows: np.ndarray, reconstruction: np.ndarray) -> np.ndarray:
        return np.asarray((((rows - reconstruction) / unit) ** 2).sum(axis=1))

    rate = max(0.01, 1.0 / (calibration.shape[0] + 1) + 1e-9)
    threshold = np.quantile(score(calibration, nearest(calibration)), 1.0 - rate, method="higher")
    row = {"auroc": auroc(y, score(X, nearest(X)))}
    anomalies = X[y == 1]
    flagged = anomalies[score(anomalies, nearest(anomalies)) > threshold]
    row["flagged"] = float(flagged.shape[0])
    if flagged.shape[0]:
        target = nearest(flagged)
        for eps in EPSILONS:
            moved = _toward(flagged, target, feasible, eps)
            row[f"bound {eps}"] = float((score(moved, target) <= threshold).mean())
    return row


def evasion_defences() -> list[str]:
    started = time.perf_counter()
    rows: dict[tuple[str, str], list[dict[str, float]]] = {}
    for name in EVASION_DATASETS:
        dataset = load_dataset(name, data_dir=data_dir())
        for seed in SEEDS:
            fit_part, calibration, test_scaled = calibration_split(dataset, seed)
            assert test_scaled.y is not None
            feasible = FeasibleSet.from_data(fit_part.X)
            for defence, params in DEFENCES.items():
                detector = robustad.make_detector("autoencoder", random_state=seed, **params)
                detector.fit(fit_part.X)
                fpr = max(0.01, 1.0 / (calibration.n_samples + 1) + 1e-9)
                detector.calibrate(calibration.X, fpr=fpr)
                X, y = test_scaled.X, test_scaled.y
                anomalies = X[y == 1]
                flagged = anomalies[detector.predict(anomalies) == 1]
                row: dict[str, float] = {
                    "auroc": auroc(y, detector.decision_function(X)),
                    "flagged": float(flagged.shape[0]),
                }
                for eps in EPSILONS:
                    if flagged.shape[0]:
                        attacked = pgd_evasion(
                            detector, flagged, epsilon=eps, feasible=feasible, random_state=seed
                        )
                        row[f"pgd {eps}"] = evasion_success(detector, flagged, attacked)[
                            "success_rate"
                        ]
                        row[f"bound {eps}"] = _reconstruction_bound(
                            detector, flagged, feasible, eps
                        )
                for eps in L2_EPSILONS:
                    row[f"certified {eps}"] = certified_auroc(detector, X, y, eps)
                    row[f"l2 attacked {eps}"] = attacked_auroc(
                        detector, X, y, eps, feasible, norm="l2", random_state=seed
                    )
                rows.setdefault((name, defence), []).append(row)
            rows.setdefault((name, ORACLE), []).append(
                _nearest_normal_oracle(fit_part, calibration.X, test_scaled.X, test_scaled.y)
            )
        print(f"done {name}", flush=True)
    wall = time.perf_counter() - started

    def mean(defence: str, key: str) -> float:
        # Each dataset: mean over the seeds with a value; then the mean over datasets.
        per_dataset = []
        for name in EVASION_DATASETS:
            values = [r[key] for r in rows[(name, defence)] if key in r]
            if values:
                per_dataset.append(float(np.mean(values)))
        return float(np.mean(per_dataset)) if per_dataset else float("nan")

    lines = [
        "## 2. Evasion: adversarial training and spectral normalisation",
        "",
        f"Wall time {wall:.0f} s. Datasets ({len(EVASION_DATASETS)}, ADBench): "
        f"{', '.join(EVASION_DATASETS)}; seeds {', '.join(map(str, SEEDS))}. 20 % of the "
        "training part's normal rows held out for calibration (1 % FPR); `autoencoder` at "
        "defaults, plain, with `adversarial_epsilon=0.5` and with `spectral_norm=True`, fitted "
        "on the rest of the training part. Success = share of the flagged test anomalies no "
        "longer flagged after the attack, recomputed with `decision_function`; each dataset "
        "averaged over seeds, then over datasets (datasets with no flagged anomaly left out).",
        "",
        "L-infinity PGD evasion success (40 steps, 1 restart), budget in training standard "
        "deviations:",
        "",
        "| training | clean AUROC | flagged anomalies | "
        + " | ".join(f"eps {e:g}" for e in EPSILONS)
        + " |",
        "|---|---:|---:|" + "---:|" * len(EPSILONS),
    ]
    for defence in DEFENCES:
        flagged = sum(r["flagged"] for n in EVASION_DATASETS for r in rows[(n, defence)])
        cells = [f"{mean(defence, f'pgd {e}'):.1%}" for e in EPSILONS]
        lines.append(
            f"| {defence} | {mean(defence, 'auroc'):.4f} | {flagged:.0f} | "
            + " | ".join(cells)
            + " |"
        )
    lines += [
        "",
        "Share of the flagged anomalies that moving each feature by at most eps toward the "
        "row's *unchanged* reconstruction hides (no gradient, no network sensitivity used):",
        "",
        "| training | " + " | ".join(f"eps {e:g}" for e in EPSILONS) + " |",
        "|---|" + "---:|" * len(EPSILONS),
    ]
    for defence in (*DEFENCES, ORACLE):
        cells = [f"{mean(defence, f'bound {e}'):.1%}" for e in EPSILONS]
        lines.append(f"| {defence} | " + " | ".join(cells) + " |")
    lines += [
        "",
        f"The last row replaces the network by an oracle that reconstructs every row as its "
        f"nearest normal training row (clean AUROC {mean(ORACLE, 'auroc'):.3f}, threshold "
        "calibrated the same way): even a model that reproduces every normal training row "
        "exactly, and ranks far better than the autoencoder, lets this share of its flagged "
        "anomalies through by that simplest move. At eps 0.5 per feature, evasion on these "
        "datasets is a property of the data as much as of the network.",
    ]
    lines += [
        "",
        "Certified AUROC (R10, L2 ball, from the Lipschitz bound) and AUROC under L2 PGD "
        "(anomalies pushed down, normal rows up) at the same budget:",
        "",
        "| training | "
        + " | ".join(f"certified eps {e:g} | PGD-L2 eps {e:g}" for e in L2_EPSILONS)
        + " |",
        "|---|" + "---:|" * (2 * len(L2_EPSILONS)),
    ]
    for defence in DEFENCES:
        cells = [
            f"{mean(defence, f'certified {e}'):.3f} | {mean(defence, f'l2 attacked {e}'):.3f}"
            for e in L2_EPSILONS
        ]
        lines.append(f"| {defence} | " + " | ".join(cells) + " |")
    plain, adversarial = "plain", "adversarial_epsilon=0.5"
    cut = mean(adversarial, "pgd 0.5") <= 0.5 * mean(plain, "pgd 0.5")
    drop = mean(plain, "auroc") - mean(adversarial, "auroc")
    verdict = "met" if cut and drop <= 0.01 else "**not met**"
    gap = max(abs(mean(d, f"pgd {e}") - mean(d, f"bound {e}")) for d in DEFENCES for e in EPSILONS)
    lines += [
        "",
        f"PGD's success is within {gap:.1%} of the fixed-reconstruction share in every cell: "
        "almost every evasion here is the anomaly moving toward what the network already "
        "reconstructs for it, not an exploit of the network's sensitivity. Training that makes "
        "the network less sensitive (adversarial training, a Lipschitz constraint) cannot undo "
        "that; it shows in the certified AUROC instead, which spectral normalisation raises.",
    ]
    lines += [
        "",
        f"Issue 6's target (`adversarial_epsilon=0.5` halves PGD success at eps 0.5, clean "
        f"AUROC falls by at most 0.01): {verdict} (PGD success at eps 0.5: plain "
        f"{mean(plain, 'pgd 0.5'):.1%}, adversarial {mean(adversarial, 'pgd 0.5'):.1%}; clean "
        f"AUROC change {-drop:+.4f}).",
        "",
    ]
    print("\n".join(lines), flush=True)
    return lines


if __name__ == "__main__":
    main()
