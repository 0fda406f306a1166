"""robustad's deep detectors side by side with PyOD's, in one run (writes results/deep_vs_pyod.md).

Datasets: every ADBench dataset under ROBUSTAD_DATA_DIR (default ../shared/datasets) with at
most --max-rows rows and --max-features features (defaults 5,000 and 200: 17 datasets; PyOD's
DeepSVDD trains 100 epochs at batch size 32, so larger sets would not fit the time budget).
Protocol: stratified 70/30 split (seeds 1-3), standardised with training statistics, fitted on
the contaminated training part. Measures:

1. ``autoencoder``/``vae``/``deep_svdd`` vs PyOD ``AutoEncoder``/``VAE``/``DeepSVDD``, each at
   its library's defaults (AUROC, fit and score time), and robustad at PyOD's configuration
   (same layers, epochs, batch size, learning rate, weight decay).
2. Scoring throughput and peak memory of ``autoencoder`` on 1,000,000 x 30 rows.
3. ``deep_sad`` with 5% of the training anomalies labelled vs unsupervised ``deep_svdd``.
4. ``ensemble`` at its defaults vs PyOD IForest, ECOD, KNN and AutoEncoder.
5. ``fine_tune`` vs training from scratch at the same small budget on a shifted domain.

Run: .venv/bin/python benchmarks/deep_vs_pyod.py [--threads 1] [--seeds 3] [--out FILE]
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

import robustad
from robustad.data import list_datasets, load_dataset, scale, train_test_split
from robustad.evaluation import auroc

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = os.environ.get("ROBUSTAD_DATA_DIR", str(ROOT.parent / "shared/datasets"))
SEEDS = (1, 2, 3)
MAX_ROWS = 5_000
MAX_FEATURES = 200

# PyOD's defaults (pyod 2.x/3.x), read from its source, as robustad parameters.
MATCHED: dict[str, dict[str, Any]] = {
    "autoencoder": {  # AutoEncoder: [64, 32], 10 epochs, batch 32, Adam lr 1e-3, wd 1e-5
        "hidden_sizes": (64, 32),
        "epochs": 10,
        "batch_size": 32,
        "learning_rate": 1e-3,
        "weight_decay": 1e-5,
        "validation_fraction": 0.0,
    },
    "vae": {  # VAE: encoder [128, 64, 32], latent 2, 30 epochs, batch 32, lr 1e-3, wd 1e-5
        "hidden_sizes": (128, 64, 32),
        "latent_dim": 2,
        "epochs": 30,
        "batch_size": 32,
        "learning_rate": 1e-3,
        "weight_decay": 1e-5,
        "validation_fraction": 0.0,
    },
    "deep_svdd": {  # DeepSVDD: [64, 32], 100 epochs, batch 32, lr 1e-4, l2 5e-7, 10% validation
        "hidden_sizes": (64, 32),
        "epochs": 100,
        "batch_size": 32,
        "learning_rate": 1e-4,
        "weight_decay": 5e-7,
        "validation_fraction": 0.1,
    },
}
PAIRS = {"autoencoder": "AutoEncoder", "vae": "VAE", "deep_svdd": "DeepSVDD"}
CLASSICAL_PEERS = {"IForest": "iforest", "ECOD": "ecod", "KNN": "knn"}


def choose_datasets(data_dir: str, max_rows: int = MAX_ROWS, max_features: int = MAX_FEATURES):
    return [
        i
        for i in list_datasets(data_dir)
        if i.origin == "data_dir" and i.n_samples <= max_rows and i.n_features <= max_features
    ]


def pyod_model(name: str, seed: int, n_features: int) -> Any:
    if name == "AutoEncoder":
        from pyod.models.auto_encoder import AutoEncoder

        return AutoEncoder(random_state=seed, verbose=0)
    if name == "VAE":
        from pyod.models.vae import VAE

        return VAE(random_state=seed, verbose=0)
    if name == "DeepSVDD":
        from pyod.models.deep_svdd import DeepSVDD

        return DeepSVDD(n_features=n_features, random_state=seed, verbose=0)
    if name == "IForest":
        from pyod.models.iforest import IForest

        return IForest(random_state=seed)
    if name == "ECOD":
        from pyod.models.ecod import ECOD

        return ECOD()
    from pyod.models.knn import KNN

    return KNN()


def ours(name: str, seed: int, threads: int, **params: Any) -> Any:
    det = robustad.make_detector(name, **params)
    names = det.get_params()
    if "random_state" in names:
        det.set_params(random_state=seed)
    if "n_threads" in names:
        det.set_params(n_threads=threads)
    return det


#: Scoring calls timed per cell (the fastest counts, for both libraries alike): one call of
#: well under a millisecond is at the mercy of the machine's other work.
SCORING_REPEATS = 5


def best_time(call: Any, repeats: int) -> tuple[Any, float]:
    """``call()``'s result and its fastest wall time over ``repeats`` calls."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        result = call()
        best = min(best, time.perf_counter() - start)
    return result, best


def timed(model: Any, train_X: np.ndarray, test_X: np.ndarray, y: Any = None):
    start = time.perf_counter()
    model.fit(train_X) if y is None else model.fit(train_X, y)
    fit_s = time.perf_counter() - start
    scores, score_s = best_time(lambda: model.decision_function(test_X), SCORING_REPEATS)
    return np.asarray(scores, dtype=np.float64), fit_s, score_s


#: Batch sizes of the scoring check (section 6): from a single small request to a large file.
CALL_SIZES = (50, 300, 1500, 10000)


def scoring_by_size(threads: int) -> dict[tuple[str, int], tuple[float, float]]:
    """Best-of-20 ``decision_function`` time, robustad vs PyOD, on n x 30 rows (fitted on 2,000)."""
    rng = np.random.default_rng(0)
    train = rng.normal(size=(2000, 30))
    times: dict[tuple[str, int], tuple[float, float]] = {}
    for name, peer in PAIRS.items():
        mine = ours(name, 0, threads).fit(train)
        theirs = pyod_model(peer, 0, 30)
        theirs.set_params(epoch_num=1) if peer != "DeepSVDD" else theirs.set_params(epochs=1)
        theirs.fit(train)
        for n in CALL_SIZES:
            X = rng.normal(size=(n, 30))
            repeats = 20 if n <= 1500 else 5
            _, t_ours = best_time(lambda: mine.decision_function(X), repeats)  # noqa: B023
            _, t_pyod = best_time(lambda: theirs.decision_function(X), repeats)  # noqa: B023
            times[(name, n)] = (t_ours, t_pyod)
    return times


def safe_auroc(y: np.ndarray, scores: np.ndarray) -> float:
    # PyOD can return NaN scores; such a cell counts as a random ranking (0.5) and is reported.
    return auroc(y, scores) if np.isfinite(scores).all() else float("nan")


def throughput(threads: int, n_rows: int) -> dict[str, float]:
    """Fit on 20,000 rows, then time scoring n_rows x 30 rows; run in a fresh process."""
    code = f"""
import resource, time, numpy as np, robustad, json
rng = np.random.default_rng(0)
X = rng.normal(size=({n_rows}, 30))
det = robustad.make_detector("autoencoder", random_state=0, n_threads={threads}).fit(X[:20000])
det.decision_function(X[:10000])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
best = float("inf")
for _ in range(3):
    start = time.perf_counter()
    det.decision_function(X)
    best = min(best, time.perf_counter() - start)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"seconds": best, "rows_per_s": {n_rows} / best,
                  "peak_extra_mib": (after - before) / 1024, "input_mib": X.nbytes / 2**20}}))
"""
    env = {**os.environ, "OMP_NUM_THREADS": str(threads)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    import json

    return json.loads(out.stdout.strip().splitlines()[-1])


def pyod_throughput(threads: int, n_rows: int) -> float:
    code = f"""
import time, numpy as np, torch, json
torch.set_num_threads({threads})
from pyod.models.auto_encoder import AutoEncoder
rng = np.random.default_rng(0)
X = rng.normal(size=({n_rows}, 30))
det = AutoEncoder(verbose=0, random_state=0).fit(X[:20000])
start = time.perf_counter(); det.decision_function(X); t = time.perf_counter() - start
print(json.dumps({{"rows_per_s": {n_rows} / t}}))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    import json

    return float(json.loads(out.stdout.strip().splitlines()[-1])["rows_per_s"])


def shifted_domain(seed: int):
    """Rows near a 4-D subspace of 20-D; the target subspace is rotated and shifted.

    Target outliers leave the target subspace, so only a model that knows it finds them.
    """
    rng = np.random.default_rng(seed)
    d, k = 20, 4
    basis = np.linalg.qr(rng.normal(size=(d, k)))[0]
    target_basis = np.linalg.qr(np.eye(d) + 0.1 * rng.normal(size=(d, d)))[0] @ basis
    offset = 0.5 * rng.normal(size=d)

    def inliers(b: np.ndarray, shift: Any, n: int) -> np.ndarray:
        return 2 * rng.normal(size=(n, k)) @ b.T + shift + 0.05 * rng.normal(size=(n, d))

    source = inliers(basis, 0.0, 3000)
    target_train = inliers(target_basis, offset, 200)
    away = rng.normal(size=(50, d))
    away -= away @ target_basis @ target_basis.T
    away *= 1.5 / np.linalg.norm(away, axis=1, keepdims=True)
    target_test = np.vstack(
        [inliers(target_basis, offset, 500), inliers(target_basis, offset, 50) + away]
    )
    return source, target_train, target_test, np.r_[np.zeros(500), np.ones(50)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--max-rows", type=int, default=MAX_ROWS)
    parser.add_argument("--throughput-rows", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/deep_vs_pyod.md")
    args = parser.parse_args()
    import torch

    warnings.filterwarnings("ignore")
    torch.set_num_threads(args.threads)  # PyOD uses torch's setting; robustad gets n_threads
    seeds = SEEDS[: args.seeds]
    infos = choose_datasets(DATA_DIR, args.max_rows)
    load_start = os.getloadavg()[0]
    started = time.perf_counter()
    warm = np.random.default_rng(0).normal(size=(64, 4))
    for name, peer in PAIRS.items():
        ours(name, 0, args.threads).fit(warm)
        pyod_model(peer, 0, 4).fit(warm)

    # rec[(method, dataset)] -> list of (auroc, fit s, score s)
    rec: dict[tuple[str, str], list[tuple[float, float, float]]] = {}

    def add(method: str, dataset: str, y: np.ndarray, result: tuple[np.ndarray, float, float]):
        scores, fit_s, score_s = result
        rec.setdefault((method, dataset), []).append((safe_auroc(y, scores), fit_s, score_s))

    for info in infos:
        data = load_dataset(info.path)
        for seed in seeds:
            train, test = scale(*train_test_split(data, test_size=0.3, random_state=seed))
            Xtr, Xte, yte = train.X, test.X, test.y
            d = Xtr.shape[1]
            for name, peer in PAIRS.items():
                add(f"ours:{name}", info.name, yte, timed(ours(name, seed, args.threads), Xtr, Xte))
                add(
                    f"matched:{name}",
                    info.name,
                    yte,
                    timed(ours(name, seed, args.threads, **MATCHED[name]), Xtr, Xte),
                )
                add(f"pyod:{peer}", info.name, yte, timed(pyod_model(peer, seed, d), Xtr, Xte))
            # Deep SAD: 5% of the training anomalies labelled (at least one), the rest unknown.
            rng = np.random.default_rng(seed)
            anomalies = np.flatnonzero(train.y == 1)
            labelled = rng.choice(
                anomalies, size=max(1, round(0.05 * anomalies.size)), replace=False
            )
            y_partial = np.full(train.n_samples, -1)
            y_partial[labelled] = 1
            add(
                "ours:deep_sad",
                info.name,
                yte,
                timed(ours("deep_sad", seed, args.threads), Xtr, Xte, y_partial),
            )
            add(
                "ours:ensemble",
                info.name,
                yte,
                timed(ours("ensemble", seed, args.threads), Xtr, Xte),
            )
            for peer, _ in CLASSICAL_PEERS.items():
                add(f"pyod:{peer}", info.name, yte, timed(pyod_model(peer, seed, d), Xtr, Xte))
        print(f"done {info.name} ({time.perf_counter() - started:.0f} s)", flush=True)

    def cells(method: str) -> np.ndarray:
        return np.array([v for (m, _), values in rec.items() if m == method for v in values])

    def mean_auroc(method: str) -> float:
        values = cells(method)[:, 0]
        return float(np.mean(np.where(np.isnan(values), 0.5, values)))

    def n_nan(method: str) -> int:
        return int(np.isnan(cells(method)[:, 0]).sum())

    def total(method: str, column: int) -> float:
        return float(cells(method)[:, column].sum())

    by_size = scoring_by_size(args.threads)
    # Throughput, fine-tuning
    rows = args.throughput_rows
    through = {t: throughput(t, rows) for t in sorted({1, 2, args.threads})}
    pyod_rows = max(10_000, rows // 10)
    pyod_rate = pyod_throughput(args.threads, pyod_rows)

    tuned, scratch = [], []
    for seed in seeds:
        source, target_train, target_test, y_test = shifted_domain(seed)
        params = {"dropout": 0.0, "random_state": seed, "n_threads": args.threads}
        base = robustad.make_detector("autoencoder", epochs=30, **params).fit(source)
        base.fine_tune(target_train, epochs=3)
        tuned.append(auroc(y_test, base.decision_function(target_test)))
        fresh = robustad.make_detector("autoencoder", epochs=3, **params).fit(target_train)
        scratch.append(auroc(y_test, fresh.decision_function(target_test)))
    wall = time.perf_counter() - started
    load_end = os.getloadavg()[0]

    verdict = lambda ok: "**met**" if ok else "**missed**"  # noqa: E731
    lines = [
        "# robustad deep detectors vs PyOD",
        "",
        f"Command: `.venv/bin/python benchmarks/deep_vs_pyod.py --threads {args.threads} "
        f"--seeds {args.seeds} --max-rows {args.max_rows} --throughput-rows {rows}`  ",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, torch {torch.__version__}, "
        f"pyod {__import__('pyod').__version__}; wall time {wall:.0f} s; load average "
        f"{load_start:.1f} at the start, {load_end:.1f} at the end (the machine was shared with "
        "other benchmark runs).  ",
        f"Threads: {args.threads} for both libraries (torch.set_num_threads for PyOD, "
        "n_threads for robustad). On this shared machine two threads per process made every "
        "torch step 10-50x slower for both libraries (OpenMP threads spinning on busy cores).  ",
        f"Datasets ({len(infos)}): every ADBench dataset with at most {args.max_rows:,} rows and "
        f"{MAX_FEATURES} features (PyOD's DeepSVDD trains 100 epochs at batch size 32, so the "
        "larger sets do not fit the time budget): " + ", ".join(i.name for i in infos) + ".  ",
        f"Protocol: stratified 70/30 split, seeds {', '.join(map(str, seeds))}, standardised with "
        "training statistics, fitted on the contaminated training part. AUROC: mean over all "
        "dataset/seed cells (a NaN-scored cell counts 0.5). Times: totals over all cells; "
        f"scoring time per cell is the fastest of {SCORING_REPEATS} calls, for both libraries.",
        "",
        "## 1. Deep detectors at each library's defaults, and at PyOD's configuration",
        "",
        "| robustad | PyOD | AUROC robustad | AUROC PyOD | fit s robustad | fit s PyOD "
        "| fit speed-up | score s robustad | score s PyOD | score speed-up | PyOD NaN cells |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    targets: list[str] = []
    for name, peer in PAIRS.items():
        for label, method in (
            (f"`{name}` (defaults)", f"ours:{name}"),
            (f"`{name}` (PyOD's config)", f"matched:{name}"),
        ):
            fit_ratio = total(f"pyod:{peer}", 1) / total(method, 1)
            score_ratio = total(f"pyod:{peer}", 2) / total(method, 2)
            lines.append(
                f"| {label} | {peer} | {mean_auroc(method):.4f} | {mean_auroc(f'pyod:{peer}'):.4f} "
                f"| {total(method, 1):.2f} | {total(f'pyod:{peer}', 1):.2f} | {fit_ratio:.1f}x "
                f"| {total(method, 2):.3f} | {total(f'pyod:{peer}', 2):.3f} | {score_ratio:.1f}x "
                f"| {n_nan(f'pyod:{peer}')} |"
            )
            if method.startswith("ours:"):
                ok_fit, ok_score = fit_ratio >= 10, score_ratio >= 20
                ok_auc = mean_auroc(method) >= mean_auroc(f"pyod:{peer}")
                targets.append(
                    f"- `{name}` vs PyOD {peer} at defaults: training >= 10x faster "
                    f"{verdict(ok_fit)} ({fit_ratio:.1f}x); scoring >= 20x faster "
                    f"{verdict(ok_score)} ({score_ratio:.1f}x); mean AUROC not lower "
                    f"{verdict(ok_auc)} ({mean_auroc(method):.4f} vs "
                    f"{mean_auroc(f'pyod:{peer}'):.4f})."
                )
    lines += [
        "",
        "At PyOD's configuration the networks match in layer widths, epochs, batch size, learning "
        "rate and weight decay. Remaining differences: PyOD's AutoEncoder has batch "
        "normalisation (robustad's networks have none, so a row's score never depends on its "
        "batch) and dropout 0.2 (robustad's `autoencoder` has seeded dropout 0.2 by default, "
        "kept at PyOD's config; its `vae` and `deep_svdd` have none, PyOD's VAE and DeepSVDD "
        "use 0.2). Both libraries score in float32 (robustad standardises in float64 first).",
        "",
        "**Selection bias:** robustad's deep defaults (epochs, learning rate, dropout, latent "
        "size) were chosen by comparing a few configurations on these same datasets (seeds 1-2, "
        "later all three), as were the ensemble's; PyOD's defaults were not tuned here. Expect "
        "smaller margins on other data.",
        "",
        "### Per dataset (mean AUROC over seeds)",
        "",
        "| dataset | rows | "
        + " | ".join(
            [*(f"{n}" for n in PAIRS), *PAIRS.values(), "deep_sad", "ensemble", *CLASSICAL_PEERS]
        )
        + " |",
        "|---|---:|" + "---:|" * (2 * len(PAIRS) + 2 + len(CLASSICAL_PEERS)),
    ]
    methods = [
        *(f"ours:{n}" for n in PAIRS),
        *(f"pyod:{p}" for p in PAIRS.values()),
        "ours:deep_sad",
        "ours:ensemble",
        *(f"pyod:{p}" for p in CLASSICAL_PEERS),
    ]
    for info in infos:
        values = [np.nanmean([v[0] for v in rec[(m, info.name)]]) for m in methods]
        lines.append(
            f"| {info.name} | {info.n_samples} | " + " | ".join(f"{v:.3f}" for v in values) + " |"
        )

    lines += [
        "",
        "## 2. Scoring throughput of `autoencoder`, 1,000,000 x 30 rows",
        "",
        "Fitted at defaults on 20,000 rows; best of 3 `decision_function` calls on "
        f"{rows:,} rows (input validation included), in a fresh process. Peak memory: growth of "
        "the process's peak resident set while scoring, beyond the input array "
        f"({through[min(through)]['input_mib']:.0f} MiB) already in memory.",
        "",
        "| threads | rows/s | seconds | peak extra MiB |",
        "|---:|---:|---:|---:|",
    ]
    for t, r in through.items():
        lines.append(
            f"| {t} | {r['rows_per_s']:,.0f} | {r['seconds']:.2f} | {r['peak_extra_mib']:.0f} |"
        )
    best_rate = max(r["rows_per_s"] for r in through.values())
    lines += [
        "",
        f"PyOD AutoEncoder on {pyod_rows:,} rows, {args.threads} thread(s): "
        f"{pyod_rate:,.0f} rows/s.",
        "",
    ]
    targets.append(
        f"- `autoencoder` scoring throughput >= 2,000,000 rows/s {verdict(best_rate >= 2e6)} "
        f"(best {best_rate:,.0f} rows/s)."
    )
    sad, svdd = mean_auroc("ours:deep_sad"), mean_auroc("ours:deep_svdd")
    targets.append(
        f"- `deep_sad` (5% of training anomalies labelled) beats unsupervised `deep_svdd` "
        f"{verdict(sad > svdd)} ({sad:.4f} vs {svdd:.4f})."
    )
    ens = mean_auroc("ours:ensemble")
    peers_auc = {p: mean_auroc(f"pyod:{p}") for p in [*CLASSICAL_PEERS, "AutoEncoder"]}
    targets.append(
        "- `ensemble` beats every single PyOD detector "
        f"{verdict(all(ens > v for v in peers_auc.values()))} "
        f"({ens:.4f} vs " + ", ".join(f"{p} {v:.4f}" for p, v in peers_auc.items()) + ")."
    )
    ft, sc = float(np.mean(tuned)), float(np.mean(scratch))
    targets.append(
        f"- fine-tuning beats training from scratch on a shifted domain {verdict(ft > sc)} "
        f"({ft:.4f} vs {sc:.4f})."
    )
    lines += [
        "## 3. `deep_sad` with 5% of the training anomalies labelled vs `deep_svdd`",
        "",
        f"Mean AUROC: deep_sad {sad:.4f}, deep_svdd {svdd:.4f} (both at defaults, same cells; the "
        "labelled anomalies stay in the training data, every other row is unknown, -1).",
        "",
        "## 4. `ensemble` at its defaults vs single PyOD detectors",
        "",
        f"`ensemble` (defaults: {robustad.make_detector('ensemble').get_params()}) mean AUROC "
        f"{ens:.4f}; PyOD: " + ", ".join(f"{p} {v:.4f}" for p, v in peers_auc.items()) + ".",
        "",
        "**Selection bias:** the ensemble's defaults were chosen "
        "(benchmarks/ensemble_selection.py, "
        "results/ensemble_selection.md) on these same datasets and seeds, so this comparison is "
        "optimistic for the ensemble.",
        "",
        "## 5. Transfer learning: `fine_tune` vs training from scratch",
        "",
        "Synthetic: 20 features near a 4-dimensional subspace; the target domain's subspace is "
        "rotated and shifted, and its outliers lie 1.5 units off it. `autoencoder(dropout=0, "
        "epochs=30)` fitted on 3,000 source rows, then `fine_tune(200 target rows, epochs=3)`, "
        "vs a fresh `autoencoder(dropout=0, epochs=3)` on the same 200 target rows. AUROC on "
        f"500 target inliers + 50 outliers, mean over seeds: fine-tuned {ft:.4f}, from scratch "
        f"{sc:.4f}.",
        "",
        "## 6. Scoring time by batch size",
        "",
        f"Best of 20 `decision_function` calls (5 at 10,000 rows), {args.threads} thread(s), on "
        "n x 30 rows; each detector at its library's defaults, fitted on 2,000 rows (PyOD for "
        "one epoch: scoring cost does not depend on training length). Input validation "
        "included for both.",
        "",
        "| robustad | PyOD | "
        + " | ".join(f"{n:,} rows: robustad / PyOD ms (x)" for n in CALL_SIZES)
        + " |",
        "|---|---|" + "---:|" * len(CALL_SIZES),
        *[
            f"| `{name}` | {peer} | "
            + " | ".join(
                f"{1e3 * by_size[(name, n)][0]:.3f} / {1e3 * by_size[(name, n)][1]:.3f} "
                f"({by_size[(name, n)][1] / by_size[(name, n)][0]:.1f}x)"
                for n in CALL_SIZES
            )
            + " |"
            for name, peer in PAIRS.items()
        ],
        "",
        "PyOD's AutoEncoder and VAE score through a DataLoader in mini-batches of 32 with batch "
        "normalisation; its DeepSVDD scores the whole input in one float32 forward pass of a "
        "network as wide as robustad's. robustad's per-call cost is then the same matrix "
        "products plus a fixed overhead of a few tens of microseconds (validation, "
        "standardisation), so a 20x margin over PyOD's DeepSVDD is not reachable without a "
        "smaller network.",
        "",
        "## Targets",
        "",
        *targets,
        "",
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
