"""The ``robustad`` command line: one command = one library call + rendering.

Errors are one line on stderr and exit code 2 (no traceback unless ``--debug``); results go to
stdout, progress to stderr.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from robustad.exceptions import InvalidParameterError, RobustADError

app = typer.Typer(
    name="robustad",
    help="Robust anomaly detection: fit, score and inspect detectors.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
out = Console(soft_wrap=True)
err = Console(stderr=True)


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show full tracebacks on errors."),
) -> None:
    """Robust anomaly detection: fit, score and inspect detectors.

    Example: [bold]robustad fit transactions.csv --detector iforest --out models/tx[/bold]
    """


def parse_param(text: str) -> tuple[str, Any]:
    """Parse ``key=value``: JSON numbers, booleans, null and lists; anything else a string.

    Examples
    --------
    >>> parse_param("n_estimators=200"), parse_param("max_samples=auto")
    (('n_estimators', 200), ('max_samples', 'auto'))
    >>> parse_param("bootstrap=true"), parse_param("random_state=None")
    (('bootstrap', True), ('random_state', None))
    """
    key, separator, raw = text.partition("=")
    key = key.strip()
    if not separator or not key.isidentifier():
        raise InvalidParameterError(
            f"--param {text!r} is not of the form key=value (e.g. --param n_estimators=200)"
        )
    raw = raw.strip()
    aliases = {"None": None, "True": True, "False": False}
    if raw in aliases:
        return key, aliases[raw]
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        return key, raw
    if isinstance(value, dict):
        raise InvalidParameterError(f"--param {key}: dictionaries are not supported")
    return key, value


@app.command("detectors")
def detectors_command() -> None:
    """List the registered detectors with their capabilities.

    Example: [bold]robustad detectors[/bold]
    """
    from robustad.detectors.registry import detector_info, list_detectors

    table = Table(title="robustad detectors")
    for column in ("name", "class", "labels", "differentiable", "summary"):
        table.add_column(column)
    for name in list_detectors():
        info = detector_info(name)
        table.add_row(
            name,
            info.class_name,
            "yes" if info.tags.uses_labels else "no",
            "yes" if info.tags.differentiable else "no",
            info.summary.replace("``", ""),
        )
    out.print(table)


@app.command("datasets")
def datasets_command(
    data_dir: Path | None = typer.Option(
        None, help="Folder of datasets (default: $ROBUSTAD_DATA_DIR)."
    ),
) -> None:
    """List bundled datasets and those under ROBUSTAD_DATA_DIR.

    Example: [bold]ROBUSTAD_DATA_DIR=../shared/datasets robustad datasets[/bold]
    """
    from robustad.data import list_datasets

    table = Table(title="robustad datasets")
    for column in ("name", "origin", "rows", "features", "anomalies"):
        table.add_column(
            column, justify="right" if column in ("rows", "features", "anomalies") else "left"
        )
    for info in list_datasets(data_dir):
        anomalies = "-" if info.n_anomalies is None else f"{info.n_anomalies:,}"
        table.add_row(
            info.name, info.origin, f"{info.n_samples:,}", str(info.n_features), anomalies
        )
    out.print(table)


@app.command("fit")
def fit_command(
    data: str = typer.Argument(..., help="Dataset name, or a .csv, .parquet or .npz file."),
    detector: str = typer.Option(
        ..., "--detector", "-d", help="Detector name (see 'robustad detectors')."
    ),
    out_dir: Path = typer.Option(..., "--out", "-o", help="Folder to save the fitted model in."),
    param: list[str] = typer.Option(
        [], "--param", "-p", help="Detector parameter key=value; repeatable."
    ),
    label_column: str | None = typer.Option(
        None, help="Column holding labels (1 anomaly, 0 normal); excluded from the features."
    ),
    fpr: float | None = typer.Option(
        None,
        help="Target false-positive rate: hold out 20 % of the (normal) rows and calibrate the "
        "threshold on them with conformal p-values, instead of using contamination.",
    ),
) -> None:
    """Fit a detector on a dataset and save it.

    Example: [bold]robustad fit tx.csv --detector iforest --param n_estimators=200
    --label-column fraud --out models/tx[/bold]
    """
    import pandas as pd

    from robustad.data import load_dataset
    from robustad.detectors.registry import make_detector

    params = dict(parse_param(p) for p in param)
    model = make_detector(detector, **params)
    dataset = load_dataset(data, label_column=label_column)
    with err.status(
        f"Fitting {detector} on {dataset.n_samples:,} rows x {dataset.n_features} features"
    ):
        # Fit on a DataFrame so the model keeps the column names and scoring matches by name.
        frame = pd.DataFrame(dataset.X, columns=list(dataset.feature_names))
        if fpr is None:
            model.fit(frame, dataset.y if model.tags.uses_labels else None)
        else:
            from robustad.detectors.calibration import fit_with_fpr

            fit_with_fpr(model, frame, dataset.y, fpr=fpr, random_state=0)
        saved = model.save(out_dir)
    n_fitted = int(model.decision_scores_.shape[0])
    rule = (
        f"calibrated to a {fpr:.2%} false-positive rate on {dataset.n_samples - n_fitted:,} "
        "held-out rows"
        if fpr is not None
        else f"flags {model.labels_.mean():.1%} of the training rows (contamination)"
    )
    out.print(
        f"fitted [bold]{detector}[/bold] on {n_fitted:,} rows x {dataset.n_features} features; "
        f"threshold {model.threshold_:.6g} {rule}; saved to {saved}"
    )
    if dataset.y is not None and 0 < dataset.y.sum() < dataset.n_samples:
        from robustad.evaluation.metrics import auroc

        use = "used for fitting" if model.tags.uses_labels else "not used for fitting"
        if fpr is not None:
            use += "; they chose the held-out normal rows"
        out.print(
            f"AUROC on the input rows {auroc(dataset.y, model.decision_function(frame)):.4f} "
            f"(optimistic: these rows include the training rows; labels were {use})"
        )


@app.command("score")
def score_command(
    model_dir: Path = typer.Argument(..., help="Folder written by 'robustad fit'."),
    input_path: Path = typer.Argument(..., metavar="INPUT", help="A .csv or .parquet file."),
    out_path: Path = typer.Option(..., "--out", "-o", help="Output .csv or .parquet file."),
    scheduler: str | None = typer.Option(
        None,
        "--scheduler",
        help="Score on Dask ('local' or 'tcp://HOST:PORT'): INPUT may be a quoted glob such "
        "as 'data/*.parquet', --out is a folder of part.N.parquet files.",
    ),
    n_workers: int | None = typer.Option(
        None, "--n-workers", help="Workers of a --scheduler local cluster."
    ),
) -> None:
    """Score every row of a file; write the rows with anomaly_score and is_anomaly appended.

    Also appends out_of_distribution: 1 where a value lies outside the range seen in training
    (the score there is an extrapolation). The output is written atomically: on any error no
    output file appears.

    Example: [bold]robustad score models/tx new_tx.csv --out scored.csv[/bold]
    """
    from robustad.data import read_table, write_table
    from robustad.detectors.persistence import load_detector
    from robustad.detectors.table import LABEL_COLUMN, OOD_COLUMN, score_table

    if scheduler is not None:
        from robustad.scale import score_files

        with err.status(f"Scoring {input_path} on Dask ({scheduler})"):
            summary = score_files(
                model_dir, str(input_path), out_path, scheduler=scheduler, n_workers=n_workers
            )
        out.print(
            f"scored {summary['rows']:,} rows in {summary['partitions']} partitions; "
            f"{summary['flagged']:,} flagged as anomalies; written to {summary['out']}/"
        )
        return
    model = load_detector(model_dir)
    frame = read_table(input_path)
    with err.status(f"Scoring {len(frame):,} rows"):
        scored = score_table(model, frame, f"file '{input_path}'")
    flagged = int(scored[LABEL_COLUMN].sum())
    outside = int(scored[OOD_COLUMN].sum())
    write_table(scored, out_path)
    out.print(
        f"scored {len(frame):,} rows; {flagged:,} flagged as anomalies; "
        f"{outside:,} outside the training range; written to {out_path}"
    )


@app.command("demo")
def demo_command(
    detector: str = typer.Option("iforest", "--detector", "-d", help="Detector to demonstrate."),
    top: int = typer.Option(10, help="How many of the most anomalous records to show."),
) -> None:
    """Fit on normal NSL-KDD training traffic, score KDDTest+, show AUROC and top records.

    Uses only the datasets bundled with robustad.

    Example: [bold]robustad demo --detector ecod[/bold]
    """
    from robustad.data import load_dataset
    from robustad.detectors.registry import make_detector
    from robustad.evaluation.holdout import evaluate_holdout

    model = make_detector(detector)
    if "random_state" in model.get_params():
        model.set_params(random_state=0)
    train, test = load_dataset("nsl_kdd_train"), load_dataset("nsl_kdd_test")
    normals = int((train.y == 0).sum()) if train.y is not None else train.n_samples
    with err.status(f"Fitting {detector} on {normals:,} normal NSL-KDD connections"):
        result = evaluate_holdout(model, train, test, normal_only=True)
    out.print(
        f"[bold]{detector}[/bold] fitted on {result.n_train:,} normal training connections "
        f"({result.fit_seconds:.2f} s), scored {test.n_samples:,} KDDTest+ connections "
        f"({result.score_seconds:.2f} s)"
    )
    out.print(
        f"AUROC {result.auroc:.4f}   average precision {result.average_precision:.4f} "
        f"(random scorer: {result.prevalence:.4f})"
    )
    out.print(
        f"at the training threshold: recall {result.recall:.1%} of attacks, "
        f"false-positive rate {result.false_positive_rate:.1%} of normal traffic"
    )
    rows = result.most_anomalous(top)
    table = Table(title=f"The {len(rows)} most anomalous KDDTest+ connections")
    for column in ("rank", "row", "score", "flagged", "protocol", "service", "true class"):
        table.add_column(column, justify="right" if column in ("rank", "row", "score") else "left")
    label_names = test.label_names
    for rank, row in enumerate(rows, start=1):
        true_class = str(label_names[row]) if label_names is not None else "?"
        table.add_row(
            str(rank),
            str(row),
            f"{result.scores[row]:.4g}",
            "yes" if result.predictions[row] else "no",
            _one_hot_value(test, row, "protocol_type="),
            _one_hot_value(test, row, "service="),
            true_class,
        )
    out.print(table)
    if test.y is not None:
        out.print(f"{int(test.y[rows].sum())} of these {len(rows)} are attacks.")


def _one_hot_value(dataset: Any, row: int, prefix: str) -> str:
    """The category of a one-hot group (``service=http`` -> ``http``), read from the raw data."""
    for column, name in enumerate(dataset.feature_names):
        if name.startswith(prefix) and dataset.X[row, column] == 1.0:
            return str(name[len(prefix) :])
    return "-"


def _register_commands() -> None:
    # Commands that live in their own modules; imported here so `robustad --help` lists them.
    from robustad.cli.benchmark import benchmark_command
    from robustad.cli.robustness import robustness_command

    app.command("benchmark")(benchmark_command)
    app.command("robustness")(robustness_command)


_register_commands()


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app; turn errors into one line on stderr and exit code 2."""
    args = list(sys.argv[1:] if argv is None else argv)
    # --debug is accepted anywhere on the line, not only before the command.
    debug = "--debug" in args
    args = [a for a in args if a != "--debug"]
    try:
        result = app(args=args, prog_name="robustad", standalone_mode=False)
    except typer.Exit as done:
        return int(getattr(done, "exit_code", 0) or 0)
    except typer.Abort:
        _error_line("aborted")
        return 130
    except typer.TyperException as error:  # usage errors: missing argument, bad option...
        if debug:
            raise
        command = next((f" {a}" for a in args if not a.startswith("-")), "")
        format_message = getattr(error, "format_message", None)
        message = format_message() if callable(format_message) else str(error)
        _error_line(f"{message} (see 'robustad{command} --help')")
        return 2
    except RobustADError as error:
        if debug:
            raise
        _error_line(str(error))
        return 2
    except Exception as error:
        if debug:
            raise
        _error_line(
            f"unexpected {type(error).__name__}: {error} (rerun with --debug for the traceback)"
        )
        return 1
    return int(result) if isinstance(result, int) else 0


def _error_line(message: str) -> None:
    # One line, never wrapped by rich, so scripts can grep it.
    sys.stderr.write("error: " + " ".join(message.split()) + "\n")
    sys.stderr.flush()


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
