from __future__ import annotations

import pytest

from robustad.cli.app import main
from robustad.evaluation.ablation import ablation_variants, run_ablation
from robustad.evaluation.results import RESULT_COLUMNS
from robustad.exceptions import InvalidParameterError


def test_ablation_writes_the_benchmark_table_with_one_row_per_variant(tmp_path) -> None:
    grid = {"n_estimators": [10, 40], "max_samples": [32, 64]}
    frame = run_ablation("breastw", "iforest", grid, out_dir=tmp_path, n_seeds=1)
    assert list(frame.columns) == list(RESULT_COLUMNS)
    assert len(frame) == 4 and set(frame["status"]) == {"ok"}
    assert "iforest[n_estimators=40;max_samples=64]" in set(frame["detector"])
    # Variants really differ, and rerunning resumes instead of recomputing.
    assert frame["auroc"].nunique() > 1
    again = run_ablation("breastw", "iforest", grid, out_dir=tmp_path, n_seeds=1)
    assert again[["detector", "auroc"]].equals(frame[["detector", "auroc"]])


def test_bad_grids_are_refused() -> None:
    with pytest.raises(InvalidParameterError, match="empty"):
        ablation_variants("iforest", {})
    with pytest.raises(InvalidParameterError, match="non-empty list"):
        ablation_variants("iforest", {"n_estimators": []})
    with pytest.raises(InvalidParameterError, match="no parameter"):
        ablation_variants("iforest", {"depth": [1, 2]})


def test_cli_grid(capsys, tmp_path) -> None:
    args = [
        "benchmark",
        "--data",
        "breastw",
        "--detectors",
        "hbos",
        "--seeds",
        "1",
        "--grid",
        "n_bins=[5,20]",
        "--out",
        str(tmp_path),
    ]
    assert main(args) == 0, capsys.readouterr().err
    text = (tmp_path / "results.csv").read_text()
    assert "hbos[n_bins=5]" in text and "hbos[n_bins=20]" in text
    code = main(
        [
            "benchmark",
            "--data",
            "breastw",
            "--detectors",
            "hbos,ecod",
            "--grid",
            "n_bins=[5]",
            "--out",
            str(tmp_path / "x"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and "ablates one detector" in err
    code = main(
        [
            "benchmark",
            "--data",
            "breastw",
            "--detectors",
            "hbos",
            "--grid",
            "n_bins=5",
            "--out",
            str(tmp_path / "x"),
        ]
    )
    assert code == 2 and "KEY=[v1,v2,...]" in capsys.readouterr().err
