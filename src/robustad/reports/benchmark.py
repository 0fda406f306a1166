"""Benchmark reports: ``summary.md`` and a self-contained ``report.html``.

Both are rendered from a results table (:data:`robustad.evaluation.results.RESULT_COLUMNS`):
coverage and failures, a per-dataset AUROC table (mean ± std over seeds), average ranks, the
Friedman test with the Nemenyi critical difference and its diagram, and an AUROC-against-time
plot. Figures are PNGs embedded as base64, so the HTML file stands alone.

Examples
--------
>>> import tempfile
>>> from robustad.evaluation.runner import run_benchmark
>>> out = tempfile.mkdtemp()
>>> frame = run_benchmark("cardio,vowels", "ecod,copod,pca", n_seeds=1, out_dir=out)
>>> paths = write_report(frame, out)
>>> sorted(p.name for p in paths)
['report.html', 'summary.md']
"""

from __future__ import annotations

import base64
import html
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from robustad.evaluation.results import normalise, summarise
from robustad.exceptions import RobustADError
from robustad.reports.statistics import RankTest, friedman_nemenyi
from robustad.utils.files import atomic_write_bytes

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["benchmark_markdown", "metric_table", "rank_test", "render_html", "write_report"]


def metric_table(frame: pd.DataFrame, metric: str = "auroc") -> pd.DataFrame:
    """Datasets x detectors table of the mean ``metric`` over ok seeds (NaN where none)."""
    summary = summarise(frame)
    if summary.empty:
        import pandas as pd

        return pd.DataFrame()
    return summary.pivot(index="dataset", columns="detector", values=f"{metric}_mean")


def rank_test(frame: pd.DataFrame, metric: str = "auroc", alpha: float = 0.05) -> RankTest | None:
    """Friedman + Nemenyi over the datasets where every ranked detector finished.

    Detectors without a single finished cell are left out (they would empty the table);
    then every dataset missing a remaining detector's result is dropped. None if fewer than
    2 datasets or detectors remain.
    """
    table = metric_table(frame, metric).dropna(axis=1, how="all")
    complete = table.dropna(axis=0, how="any")
    if complete.shape[0] < 2 or complete.shape[1] < 2:
        return None
    return friedman_nemenyi(complete, alpha=alpha)


def _cell(mean: float, std: float) -> str:
    return "–" if not np.isfinite(mean) else f"{mean:.3f} ± {std:.3f}"


def _per_dataset_rows(
    frame: pd.DataFrame, metric: str, prevalence: Mapping[str, float] | None = None
) -> tuple[list[str], list[list[str]]]:
    summary = summarise(frame)
    detectors = sorted(summary["detector"].unique())
    rows = []
    for dataset, group in summary.groupby("dataset", sort=False):
        by_detector = group.set_index("detector")
        best = by_detector[f"{metric}_mean"].max()
        cells = [str(dataset)]
        if prevalence is not None:
            share = prevalence.get(str(dataset))
            cells.append("" if share is None else f"{share:.3f}")
        for detector in detectors:
            if detector not in by_detector.index:
                cells.append("")
                continue
            entry = by_detector.loc[detector]
            mean, std = float(entry[f"{metric}_mean"]), float(entry[f"{metric}_std"])
            text = _cell(mean, std)
            if not np.isfinite(mean):
                text = str(entry["statuses"]) or "–"
            elif mean == best:
                text = f"**{text}**"
            cells.append(text)
        rows.append(cells)
    order = _dataset_order(frame)
    rows.sort(key=lambda r: order.get(r[0], 10**9))
    extra = ["random AP (anomaly share)"] if prevalence is not None else []
    return ["dataset", *extra, *detectors], rows


def _dataset_order(frame: pd.DataFrame) -> dict[str, int]:
    def key(name: str) -> tuple[int, str]:
        head = name.split("_", 1)[0]
        return (int(head) if head.isdigit() else 10**9, name.lower())

    return {name: i for i, name in enumerate(sorted(frame["dataset"].unique(), key=key))}


def _markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in rows]
    return lines


def _coverage(frame: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    rows = []
    for detector, group in frame.groupby("detector", sort=True):
        counts = group["status"].value_counts()
        ok = group[group["status"] == "ok"]
        rows.append(
            [
                str(detector),
                str(int(counts.get("ok", 0))),
                str(int(counts.get("error", 0))),
                str(int(counts.get("timeout", 0))),
                f"{ok['auroc'].mean():.3f}" if len(ok) else "–",
                f"{ok['ap'].mean():.3f}" if len(ok) else "–",
                f"{(ok['fit_seconds'] + ok['score_seconds']).sum():,.1f}" if len(ok) else "–",
                f"{ok['peak_memory_mb'].max():,.0f}" if len(ok) else "–",
            ]
        )
    header = [
        "detector",
        "ok",
        "error",
        "timeout",
        "mean AUROC (ok cells)",
        "mean AP",
        "total fit+score s",
        "max peak MB",
    ]
    return header, rows


def benchmark_markdown(
    frame: pd.DataFrame,
    *,
    datasets: Sequence[str] | None = None,
    metric: str = "auroc",
    prevalence: Mapping[str, float] | None = None,
) -> str:
    """Markdown body: coverage, ranks and the rank test, failures, per-dataset tables.

    ``prevalence`` (dataset -> anomaly share) adds the AP of a random scorer beside the
    per-dataset AP table, as ROBUSTNESS.md section 0 asks.
    """
    frame = normalise(frame)
    lines: list[str] = []
    header, rows = _coverage(frame)
    n_cells = len(frame)
    statuses = frame["status"].value_counts()
    lines += [
        "## Coverage",
        "",
        f"{n_cells} cells: {int(statuses.get('ok', 0))} ok, {int(statuses.get('error', 0))} "
        f"errors, {int(statuses.get('timeout', 0))} timeouts; "
        f"{frame['dataset'].nunique()} datasets x {frame['detector'].nunique()} detectors x "
        f"{frame['seed'].nunique()} seeds.",
        "",
    ]
    if datasets is not None:
        missing = sorted(set(datasets) - set(frame["dataset"]))
        if missing:
            lines += [f"Datasets without any cell yet: {', '.join(missing)}.", ""]
    lines += [*_markdown_table(header, rows), ""]
    test = rank_test(frame, metric)
    lines += ["## Average ranks and critical difference", ""]
    unranked = sorted(set(frame["detector"]) - set(frame.loc[frame["status"] == "ok", "detector"]))
    if unranked:
        lines += [
            f"Detectors left out of the rank test (no finished cell): {', '.join(unranked)}.",
            "",
        ]
    if test is None:
        lines += ["Too few datasets with a result for every detector for a rank test.", ""]
    else:
        lines += [
            f"Mean {metric.upper()} per dataset ranked across detectors (1 = best) over the "
            f"{test.n_datasets} datasets where every detector finished. Friedman χ² = "
            f"{test.friedman_statistic:.2f}, p = {test.friedman_p_value:.3g}; Nemenyi critical "
            f"difference at α = {test.alpha:g}: {test.critical_difference:.2f} ranks.",
            "",
        ]
        lines += _markdown_table(
            ["rank", "detector", "average rank"],
            [
                [str(i), str(name), f"{value:.2f}"]
                for i, (name, value) in enumerate(test.average_ranks.items(), start=1)
            ],
        )
        cliques = test.cliques()
        lines += [
            "",
            "Groups not significantly different (Nemenyi): "
            + ("; ".join("{" + ", ".join(g) + "}" for g in cliques) if cliques else "none")
            + ".",
            "",
        ]
    failed = frame[frame["status"] != "ok"]
    if len(failed):
        lines += ["## Failures and timeouts", ""]
        grouped = failed.groupby(["detector", "status", "error"], sort=True)["dataset"]
        failure_rows = [
            [
                str(det),
                str(status),
                f"{len(names)}",
                ", ".join(sorted(set(names)))[:300],
                str(error)[:160],
            ]
            for (det, status, error), names in grouped
        ]
        lines += [
            *_markdown_table(["detector", "status", "cells", "datasets", "message"], failure_rows),
            "",
        ]
    header, rows = _per_dataset_rows(frame, metric)
    lines += [
        f"## Test {metric.upper()} per dataset (mean ± std over ok seeds; best in bold)",
        "",
        *_markdown_table(header, rows),
        "",
    ]
    header, rows = _per_dataset_rows(frame, "ap", prevalence)
    lines += [
        "## Test AP per dataset (mean ± std over ok seeds; best in bold)",
        "",
        "Average precision of a random scorer equals the anomaly share"
        + (" (column 2)." if prevalence is not None else "."),
        "",
        *_markdown_table(header, rows),
    ]
    return "\n".join(lines) + "\n"


def _img(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def _html_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    def cell(text: str) -> str:
        if text.startswith("**") and text.endswith("**"):
            return f"<td><b>{html.escape(text[2:-2])}</b></td>"
        return f"<td>{html.escape(text)}</td>"

    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(cell(c) for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


_STYLE = """
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1200px;color:#222;padding:0 1em}
table{border-collapse:collapse;font-size:12px;margin:1em 0}
th,td{border:1px solid #ccc;padding:3px 6px;text-align:right}
th:first-child,td:first-child{text-align:left}
th{background:#f3f3f3;position:sticky;top:0}
img{max-width:100%;border:1px solid #eee}
.note{color:#555}
"""


def render_html(
    frame: pd.DataFrame,
    *,
    title: str = "robustad benchmark",
    note: str = "",
    metric: str = "auroc",
    prevalence: Mapping[str, float] | None = None,
) -> str:
    """A self-contained HTML report (figures embedded as base64 PNG)."""
    frame = normalise(frame)
    from robustad.reports.figures import auroc_time_png, critical_difference_png

    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
    ]
    if note:
        parts.append(f"<p class='note'>{html.escape(note)}</p>")
    protocols = ", ".join(sorted(frame["protocol"].unique()))
    parts.append(
        f"<p>Protocol(s): {html.escape(protocols)}. {len(frame)} cells "
        f"({frame['dataset'].nunique()} datasets, {frame['detector'].nunique()} detectors, "
        f"{frame['seed'].nunique()} seeds).</p>"
    )
    header, rows = _coverage(frame)
    parts += ["<h2>Coverage</h2>", _html_table(header, rows)]
    parts.append("<h2>Average ranks and critical difference</h2>")
    test = rank_test(frame, metric)
    if test is None:
        parts.append("<p>Too few datasets with a result for every detector for a rank test.</p>")
    else:
        parts.append(
            f"<p>{test.n_datasets} datasets with a result for every detector. Friedman "
            f"χ² = {test.friedman_statistic:.2f}, p = {test.friedman_p_value:.3g}. Detectors "
            f"joined by a red bar are not significantly different (Nemenyi, α = {test.alpha:g}, "
            f"CD = {test.critical_difference:.2f}).</p>"
        )
        parts.append(_img(critical_difference_png(test), "critical-difference diagram"))
        parts.append(
            _html_table(
                ["rank", "detector", "average rank"],
                [
                    [str(i), str(n), f"{v:.2f}"]
                    for i, (n, v) in enumerate(test.average_ranks.items(), start=1)
                ],
            )
        )
    if (frame["status"] == "ok").any():
        parts += ["<h2>AUROC against time</h2>", _img(auroc_time_png(frame), "AUROC vs time")]
    header, rows = _per_dataset_rows(frame, metric)
    parts += [
        f"<h2>Test {metric.upper()} per dataset</h2>",
        "<p>Mean ± std over seeds that finished; best per dataset in bold.</p>",
        _html_table(header, rows),
    ]
    header, rows = _per_dataset_rows(frame, "ap", prevalence)
    parts += [
        "<h2>Test AP per dataset</h2>",
        "<p>Average precision; a random scorer's AP equals the anomaly share.</p>",
        _html_table(header, rows),
    ]
    failed = frame[frame["status"] != "ok"]
    if len(failed):
        parts.append("<h2>Failures and timeouts</h2>")
        parts.append(
            _html_table(
                ["dataset", "detector", "seed", "status", "error"],
                [
                    [str(r.dataset), str(r.detector), str(r.seed), str(r.status), str(r.error)]
                    for r in failed.itertuples()
                ],
            )
        )
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(
    frame: pd.DataFrame,
    out_dir: str | os.PathLike[str],
    *,
    title: str = "robustad benchmark",
    note: str = "",
    prevalence: Mapping[str, float] | None = None,
) -> list[Path]:
    """Write ``summary.md`` and ``report.html`` into ``out_dir`` (atomically); return paths.

    ``prevalence`` maps dataset names to anomaly shares (``DatasetSpec.prevalence``).
    """
    if not len(frame):
        raise RobustADError("the results table is empty; nothing to report")
    out = Path(out_dir)
    body = benchmark_markdown(frame, prevalence=prevalence)
    summary = f"# {title}\n\n" + (f"{note}\n\n" if note else "") + body
    summary_path, report_path = out / "summary.md", out / "report.html"
    page = render_html(frame, title=title, note=note, prevalence=prevalence)
    atomic_write_bytes(summary_path, summary.encode("utf-8"))
    atomic_write_bytes(report_path, page.encode("utf-8"))
    return [summary_path, report_path]
