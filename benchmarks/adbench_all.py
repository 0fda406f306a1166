"""Every registered detector on every ADBench dataset under the ``adbench`` protocol.

Detectors are read from the registry at start (``robustad.list_detectors()``), so a rerun
after new detectors land picks them up; datasets are every file in the ADBench folder
(default ../shared/datasets/adbench). Protocol ``adbench``: stratified 70/30 split, MinMax
scaling fitted on the training part, fitted on the contaminated training part, seeds 1-3.

Large datasets: with ``--max-rows N`` (default 10,000, ADBench's own cap in its noise
settings) a dataset with more rows is replaced, per seed, by a stratified random subsample of
N rows before the split. ``--max-rows 0`` runs full size. Every cell also has a wall-clock
limit (``--time-limit``, default 120 s): a cell that exceeds it is killed and recorded as
``timeout``. Both are printed in the output.

Writes OUT/results.csv (per seed), OUT/summary.md, OUT/report.html and
benchmarks/results/adbench_all.md. Reruns resume: cells already in results.csv are skipped
(``--retry-failed`` reruns error/timeout cells too).

Run: .venv/bin/python benchmarks/adbench_all.py [--jobs 2] [--time-limit 120] [--max-rows 10000]

Full-size companion (classical detectors, datasets above 10,000 rows, one seed):
    .venv/bin/python benchmarks/adbench_all.py --jobs 2 --time-limit 60 --max-rows 0 --seeds 1 \
        --min-rows 10001 --detectors copod,ecod,hbos,iforest,knn,lof,ocsvm,pca \
        --out benchmarks/results/adbench_all_fullsize \
        --markdown benchmarks/results/adbench_all_fullsize.md \
        --title "Classical detectors on the large ADBench datasets at full size"
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

from robustad.detectors.registry import list_detectors
from robustad.evaluation.results import read_results
from robustad.evaluation.runner import resolve_datasets, run_benchmark

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("ROBUSTAD_SHARED", ROOT.parent / "shared"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=SHARED / "datasets" / "adbench")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/adbench_all")
    parser.add_argument("--markdown", type=Path, default=ROOT / "benchmarks/results/adbench_all.md")
    parser.add_argument("--detectors", default=None, help="default: every registered detector")
    parser.add_argument("--time-limit", type=float, default=120.0)
    parser.add_argument("--max-rows", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--retry-failed", action="store_true")
    parser.add_argument("--seeds", type=int, default=None, help="default: ADBench's 3")
    parser.add_argument("--min-rows", type=int, default=0, help="only datasets this large")
    parser.add_argument("--render-only", action="store_true")
    parser.add_argument("--title", default="Every registered detector on every ADBench dataset")
    args = parser.parse_args()

    detectors = args.detectors.split(",") if args.detectors else list_detectors()
    all_specs = resolve_datasets(str(args.data))
    specs = (
        [s for s, n in zip(all_specs, _infos(all_specs), strict=True) if n >= args.min_rows]
        if args.min_rows
        else all_specs
    )
    max_rows = args.max_rows or None
    timing_path = args.out / "run_times.json"
    runs = json.loads(timing_path.read_text()) if timing_path.exists() else []
    if not args.render_only:
        started = time.perf_counter()
        frame = run_benchmark(
            specs,
            detectors,
            protocol="adbench",
            n_seeds=args.seeds,
            out_dir=args.out,
            time_limit=args.time_limit,
            n_jobs=args.jobs,
            max_rows=max_rows,
            retry_failed=args.retry_failed,
            progress=lambda e: print(
                f"[{e.done}/{e.total}] {e.row['dataset']} {e.row['detector']} seed "
                f"{e.row['seed']}: {e.row['status']} {e.row['error'] or ''}"[:200],
                flush=True,
            ),
        )
        runs.append(
            {
                "wall_seconds": round(time.perf_counter() - started, 1),
                "detectors": detectors,
                "time_limit": args.time_limit,
                "max_rows": max_rows,
                "jobs": args.jobs,
                "cells_in_table": len(frame),
                "machine": f"{platform.platform()}, {os.cpu_count()} CPUs",
                "finished": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
            }
        )
        timing_path.write_text(json.dumps(runs, indent=2) + "\n")
    frame = read_results(args.out / "results.csv")
    render(frame, args, runs, specs)


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def _infos(specs: list) -> list[int]:  # type: ignore[type-arg]
    """Row counts of the dataset files (reads only y)."""
    import numpy as np

    rows = []
    for spec in specs:
        with np.load(spec.source, allow_pickle=False) as archive:
            rows.append(int(archive["y"].shape[0]))
    return rows


def render(frame, args, runs, specs) -> None:  # type: ignore[no-untyped-def]
    # The note describes the settings the results were produced with (the last run's),
    # not the command line of a --render-only call.
    max_rows = runs[-1]["max_rows"] if runs else args.max_rows
    time_limit = runs[-1]["time_limit"] if runs else args.time_limit
    from robustad.reports import write_report

    size_rule = (
        f"datasets larger than {max_rows:,} rows subsampled per seed (stratified) to that size"
        if max_rows
        else "full-size datasets (no subsampling)"
    )
    note = (
        f"Protocol `adbench`; {size_rule}; per-cell wall-clock limit "
        f"{time_limit:g} s (cells past it are killed and recorded as timeout)."
    )
    prevalence = {s.name: s.prevalence for s in specs}
    datasets = [s.name for s in specs]
    write_report(
        frame,
        args.out,
        title=f"robustad: {args.title}",
        note=note,
        prevalence=prevalence,
    )
    from robustad.reports.benchmark import benchmark_markdown

    run_lines = [
        f"- run {i + 1}: {r['wall_seconds']:,.0f} s wall ({r['wall_seconds'] / 60:.1f} min), "
        f"{r['jobs']} worker process(es), limit {r['time_limit']:g} s/cell, max_rows "
        f"{r['max_rows']}, finished {r['finished']}, {r['machine']}"
        + (f"; {r['note']}" if r.get("note") else "")
        for i, r in enumerate(runs)
    ]
    total = sum(r["wall_seconds"] for r in runs)
    header = [
        f"# {args.title}",
        "",
        "Generated by `benchmarks/adbench_all.py` (do not edit by hand); raw per-seed rows in "
        f"`{_relative(args.out / 'results.csv')}`, figures in "
        f"`{_relative(args.out / 'report.html')}`.",
        "",
        note,
        "",
        f"Datasets: {len(datasets)} files in `{args.data.name}/`. Detectors: "
        f"{', '.join(sorted(frame['detector'].unique()))}.",
        "",
        f"**Wall time of the whole benchmark: {total:,.0f} s ({total / 60:.1f} min)** over "
        f"{len(runs)} run(s) (a rerun resumes and only times its new cells):",
        "",
        *run_lines,
        "",
        *(NOTES if max_rows else FULL_SIZE_NOTES),
        "",
    ]
    args.markdown.write_text(
        "\n".join(header)
        + "\n"
        + benchmark_markdown(frame, datasets=datasets, prevalence=prevalence)
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {args.markdown}")


NOTES = [
    "Notes:",
    "",
    "- Unsupervised setting: detectors whose tags say `uses_labels` (`deep_sad`) get every "
    "training label as unknown (-1). Deep SAD without labelled rows is Deep SVDD, so the two "
    "rows agree wherever their defaults do.",
    "- Every detector runs at its defaults with `random_state` = the seed; `contamination` "
    "stays at its default (it sets the threshold only, not AUROC/AP).",
    "- `fit_seconds`/`score_seconds` are wall times inside the worker process, after a "
    "throw-away warm-up fit per detector (so one-off imports and numba compilation are not "
    "billed to the first cell); with 2 worker processes on 2 cores each worker is limited to "
    "one BLAS/torch thread. `peak_memory_mb` is the resident memory a cell added (sampled "
    "every 5 ms).",
    "- The subsample rule follows ADBench's 10,000-row cap but draws it stratified (ADBench "
    "draws uniformly), so the 30 anomalies of `34_smtp` do not vanish; see "
    "`adbench_all_fullsize.md` for the classical detectors on the full-size large datasets "
    "(one seed, with the time limit).",
]


FULL_SIZE_NOTES = [
    "Notes:",
    "",
    "- Companion of `adbench_all.md` (which caps datasets at 10,000 rows): the classical "
    "detectors on the datasets above 10,000 rows at full size, one seed (1), so that the "
    "quadratic-cost detectors' behaviour on the real sizes is on record. A timeout means the "
    "cell (load, split, fit, score) did not finish within the limit on this 2-core machine; "
    "it says nothing about the detector's quality there.",
    "- The rank test covers only the datasets where every detector finished, so with the "
    "timeouts above it rests on very few datasets; read the per-dataset tables instead.",
]


if __name__ == "__main__":
    main()
