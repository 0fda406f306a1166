"""``robustad benchmark``: a thin wrapper over :func:`robustad.evaluation.runner.run_benchmark`.

Registered on the app in :mod:`robustad.cli.app`. Results and the report go to ``--out``;
progress (with the estimated time left) to stderr.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from robustad.exceptions import InvalidParameterError

__all__ = ["benchmark_command", "parse_detector_params", "parse_grid"]

_out = Console(soft_wrap=True)
_err = Console(stderr=True)


def parse_detector_params(items: list[str]) -> dict[str, dict[str, Any]]:
    """``DETECTOR.KEY=VALUE`` options to ``{detector: {key: value}}``.

    Examples
    --------
    >>> parse_detector_params(["iforest.n_estimators=200", "knn.n_neighbors=10"])
    {'iforest': {'n_estimators': 200}, 'knn': {'n_neighbors': 10}}
    """
    from robustad.cli.app import parse_param

    params: dict[str, dict[str, Any]] = {}
    for item in items:
        detector, dot, rest = item.partition(".")
        if not dot or not detector:
            raise InvalidParameterError(
                f"--param {item!r} is not of the form DETECTOR.KEY=VALUE "
                "(e.g. --param iforest.n_estimators=200)"
            )
        key, value = parse_param(rest)
        params.setdefault(detector.strip(), {})[key] = value
    return params


def parse_grid(items: list[str]) -> dict[str, list[Any]]:
    """``KEY=[v1,v2]`` options (JSON lists) to ``{key: [v1, v2]}``.

    Examples
    --------
    >>> parse_grid(["epochs=[10,50]", "hidden_sizes=[[64,32],[32]]"])
    {'epochs': [10, 50], 'hidden_sizes': [[64, 32], [32]]}
    """
    import json

    grid: dict[str, list[Any]] = {}
    for item in items:
        key, equals, raw = item.partition("=")
        try:
            values = json.loads(raw) if equals else None
        except json.JSONDecodeError:
            values = None
        if not key.strip().isidentifier() or not isinstance(values, list) or not values:
            raise InvalidParameterError(
                f"--grid {item!r} is not of the form KEY=[v1,v2,...] with a JSON list "
                "(e.g. --grid 'n_estimators=[50,100]')"
            )
        grid[key.strip()] = values
    return grid


def benchmark_command(
    data: str = typer.Option(
        ..., "--data", help="A folder of dataset files, a file, or comma-separated dataset names."
    ),
    detectors: str = typer.Option(
        ..., "--detectors", "-d", help="Comma-separated detector names (see 'robustad detectors')."
    ),
    protocol: str = typer.Option(
        "adbench", "--protocol", help="adbench, pyod-odds or clean-train."
    ),
    seeds: int | None = typer.Option(
        None, "--seeds", help="How many of the protocol's seeds to run (default: all)."
    ),
    out_dir: Path = typer.Option(..., "--out", "-o", help="Folder for results.csv and reports."),
    time_limit: float | None = typer.Option(
        None, "--time-limit", help="Seconds per cell; slower cells are killed (status timeout)."
    ),
    max_rows: int | None = typer.Option(
        None, "--max-rows", help="Subsample larger datasets (stratified, per seed) to this size."
    ),
    jobs: int = typer.Option(1, "--jobs", "-j", help="Cells run side by side (processes)."),
    scheduler: str | None = typer.Option(
        None, "--scheduler", help="Run on Dask: 'local' or 'tcp://HOST:PORT'."
    ),
    n_workers: int | None = typer.Option(
        None, "--n-workers", help="Workers of a --scheduler local cluster."
    ),
    label_column: str | None = typer.Option(
        None, "--label-column", help="Label column of CSV/Parquet datasets."
    ),
    param: list[str] = typer.Option(
        [], "--param", "-p", help="Detector parameter DETECTOR.KEY=VALUE; repeatable."
    ),
    retry_failed: bool = typer.Option(
        False, "--retry-failed", help="Also rerun cells recorded as error or timeout."
    ),
    grid: list[str] = typer.Option(
        [],
        "--grid",
        help="Ablation: KEY=[v1,v2,...] (JSON list) for the one detector; repeatable. Each "
        "combination is a row label such as autoencoder[epochs=10].",
    ),
) -> None:
    """Benchmark detectors on datasets: one row per dataset x detector x seed.

    Writes OUT/results.csv, OUT/summary.md and OUT/report.html. Rerunning resumes: cells
    already in results.csv are skipped.

    Example: [bold]robustad benchmark --data ../shared/datasets/adbench --detectors
    iforest,ecod --protocol adbench --seeds 3 --time-limit 120 --out out/bench[/bold]

    Ablation example: [bold]robustad benchmark --data cardio,breastw --detectors iforest
    --grid 'n_estimators=[50,100,200]' --grid 'max_samples=[64,256]' --out out/ablation[/bold]
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from robustad.evaluation.protocols import get_protocol
    from robustad.evaluation.runner import (
        ProgressEvent,
        check_detectors,
        resolve_datasets,
        run_benchmark,
    )
    from robustad.reports import write_report

    chosen = get_protocol(protocol)
    if scheduler is not None:
        from robustad.scale.cluster import check_scheduler

        check_scheduler(scheduler)
    # Refuse bad input before any progress bar or cluster appears.
    names: list[Any] = check_detectors(detectors.split(","))
    if grid:
        from robustad.evaluation.ablation import ablation_variants

        if len(names) != 1:
            raise InvalidParameterError(
                f"--grid ablates one detector; got {len(names)}: {', '.join(names)}"
            )
        names = ablation_variants(names[0], parse_grid(grid))
    with _err.status("Checking datasets"):
        specs = resolve_datasets(data, label_column=label_column)
    options: dict[str, Any] = {
        "protocol": chosen,
        "n_seeds": seeds,
        "out_dir": out_dir,
        "time_limit": time_limit,
        "max_rows": max_rows,
        "detector_params": parse_detector_params(param),
        "label_column": label_column,
        "retry_failed": retry_failed,
    }
    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=_err, transient=False) as bar:
        task = bar.add_task("benchmark", total=None)

        def report(event: ProgressEvent) -> None:
            row = event.row
            bar.update(
                task,
                total=event.total,
                completed=event.done,
                description=f"{row['dataset']} {row['detector']} seed {row['seed']}",
            )

        options["progress"] = report
        if scheduler is not None:
            from robustad.scale import run_benchmark_dask

            frame = run_benchmark_dask(
                specs, names, scheduler=scheduler, n_workers=n_workers, **options
            )
        else:
            frame = run_benchmark(specs, names, n_jobs=jobs, **options)
    prevalence = {s.name: s.prevalence for s in specs if s.prevalence is not None}
    paths = write_report(
        frame, out_dir, title=f"robustad benchmark ({chosen.name})", prevalence=prevalence
    )
    counts = frame["status"].value_counts()
    _out.print(
        f"{len(frame)} cells in {out_dir / 'results.csv'}: {int(counts.get('ok', 0))} ok, "
        f"{int(counts.get('error', 0))} errors, {int(counts.get('timeout', 0))} timeouts; "
        f"report: {', '.join(str(p) for p in paths)}"
    )
