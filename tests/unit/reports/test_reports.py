"""Reports: rank statistics against Demšar's worked numbers, figures, Markdown and HTML."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from robustad.exceptions import DataValidationError, RobustADError
from robustad.reports import (
    average_ranks,
    benchmark_markdown,
    friedman_nemenyi,
    nemenyi_critical_difference,
    render_html,
    write_report,
)
from robustad.reports.figures import auroc_time_png, critical_difference_png


def _results(n_datasets: int = 6) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = []
    for d in range(n_datasets):
        for detector, quality in (("good", 0.9), ("fair", 0.75), ("poor", 0.6)):
            for seed in (1, 2):
                rows.append(
                    {
                        "dataset": f"{d + 1}_set",
                        "detector": detector,
                        "seed": seed,
                        "protocol": "adbench",
                        "auroc": quality + rng.normal(0, 0.02),
                        "ap": quality / 2,
                        "precision_at_n": quality / 2,
                        "recall_at_fpr_1pct": quality / 3,
                        "fit_seconds": {"good": 0.5, "fair": 0.05, "poor": 0.01}[detector],
                        "score_seconds": 0.01,
                        "peak_memory_mb": 1.0,
                        "status": "ok",
                        "error": "",
                    }
                )
    rows.append(
        {
            **rows[0],
            "detector": "slow",
            "status": "timeout",
            "auroc": np.nan,
            "error": "exceeded the per-cell time limit of 1 s",
        }
    )
    return pd.DataFrame(rows)


def test_critical_difference_matches_demsar_table() -> None:
    # Demšar (2006), table 5: q_0.05 = 2.343 for k = 3, 2.728 for k = 5, 3.164 for k = 10.
    for k, q in ((3, 2.343), (5, 2.728), (10, 3.164)):
        assert nemenyi_critical_difference(k, 1) == pytest.approx(
            q * np.sqrt(k * (k + 1) / 6), abs=2e-3
        )


def test_ranks_ties_and_friedman() -> None:
    table = pd.DataFrame({"a": [0.9, 0.8, 0.7], "b": [0.9, 0.6, 0.5], "c": [0.5, 0.5, 0.5]})
    ranks = average_ranks(table)
    assert ranks["a"] == pytest.approx((1.5 + 1 + 1) / 3)
    assert ranks["b"] == pytest.approx((1.5 + 2 + 2.5) / 3)
    assert ranks["c"] == pytest.approx((3 + 3 + 2.5) / 3)
    assert ranks.index[0] == "a"
    tied = friedman_nemenyi(pd.DataFrame({"a": [0.5, 0.5], "b": [0.5, 0.5], "c": [0.5, 0.5]}))
    assert tied.friedman_p_value == 1.0 and not np.isnan(tied.friedman_statistic)
    with pytest.raises(DataValidationError, match=">= 2 detectors"):
        friedman_nemenyi(pd.DataFrame({"a": [0.5, 0.6]}))


def test_cliques_group_close_detectors() -> None:
    frame = _results(n_datasets=30)
    table = frame[frame["status"] == "ok"].pivot_table(
        index="dataset", columns="detector", values="auroc"
    )
    test = friedman_nemenyi(table)
    assert test.friedman_p_value < 0.001
    assert list(test.average_ranks.index) == ["good", "fair", "poor"]
    assert test.cliques() == []  # 30 datasets, ranks 1/2/3: every pair differs


def test_figures_are_png() -> None:
    frame = _results()
    table = frame[frame["status"] == "ok"].pivot_table(
        index="dataset", columns="detector", values="auroc"
    )
    for png in (critical_difference_png(friedman_nemenyi(table)), auroc_time_png(frame)):
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5_000
    with pytest.raises(RobustADError, match="no finished cells"):
        auroc_time_png(frame.assign(status="error"))


def test_markdown_and_html_report(tmp_path: Path) -> None:
    frame = _results()
    markdown = benchmark_markdown(frame, datasets=[*frame["dataset"].unique(), "99_missing"])
    assert "Friedman" in markdown and "99_missing" in markdown
    assert "left out of the rank test (no finished cell): slow" in markdown
    assert "exceeded the per-cell time limit" in markdown
    assert "| 1_set |" in markdown
    page = render_html(frame, title="t <x>")
    assert "t &lt;x&gt;" in page
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    assert len(images) == 2
    assert base64.b64decode(images[0])[:4] == b"\x89PNG"
    paths = write_report(frame, tmp_path, title="demo", note="a note")
    assert [p.name for p in paths] == ["summary.md", "report.html"]
    assert (tmp_path / "summary.md").read_text().startswith("# demo\n\na note")


def test_empty_results_refused(tmp_path: Path) -> None:
    with pytest.raises(RobustADError, match="empty"):
        write_report(_results().iloc[0:0], tmp_path)
