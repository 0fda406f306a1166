"""The benchmark runner: results table, resume, failing cells, time limit, bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from robustad.evaluation.results import RESULT_COLUMNS, read_results
from robustad.evaluation.runner import (
    BenchmarkCell,
    DatasetSpec,
    SubprocessExecutor,
    resolve_datasets,
    run_benchmark,
    run_cell,
    subsample,
)
from robustad.exceptions import DatasetNotFoundError, DataValidationError, InvalidParameterError

FAST = {"iforest": {"n_estimators": 20}}


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    out = tmp_path_factory.mktemp("bench")
    frame = run_benchmark(
        "vowels,breastw",
        ["ecod", "iforest"],
        protocol="adbench",
        n_seeds=2,
        out_dir=out,
        detector_params=FAST,
    )
    return out, frame


def test_one_row_per_cell_with_exact_columns(first_run: tuple[Path, pd.DataFrame]) -> None:
    out, _ = first_run
    on_disk = pd.read_csv(out / "results.csv")
    assert tuple(on_disk.columns) == RESULT_COLUMNS
    assert len(on_disk) == 2 * 2 * 2
    assert set(on_disk["status"]) == {"ok"}
    assert set(on_disk["protocol"]) == {"adbench"}
    assert sorted(set(on_disk["seed"])) == [1, 2]
    assert on_disk["auroc"].between(0, 1).all() and on_disk["fit_seconds"].ge(0).all()


def test_resume_skips_finished_cells(first_run: tuple[Path, pd.DataFrame]) -> None:
    out, frame = first_run
    calls: list[int] = []
    again = run_benchmark(
        "vowels,breastw",
        ["ecod", "iforest"],
        n_seeds=3,
        out_dir=out,
        detector_params=FAST,
        progress=lambda event: calls.append(event.done),
    )
    assert len(calls) == 4  # only the new seed 3 cells ran
    pd.testing.assert_frame_equal(again[again["seed"] < 3].reset_index(drop=True), frame)


def test_same_seed_same_numbers(first_run: tuple[Path, pd.DataFrame], tmp_path: Path) -> None:
    _, frame = first_run
    rerun = run_benchmark("vowels", ["iforest"], n_seeds=1, out_dir=tmp_path, detector_params=FAST)
    expected = frame[(frame["dataset"] == "vowels") & (frame["detector"] == "iforest")]
    assert rerun["auroc"].iloc[0] == expected[expected["seed"] == 1]["auroc"].iloc[0]


def test_failing_cell_is_recorded_and_the_run_goes_on(tmp_path: Path) -> None:
    frame = run_benchmark(
        "vowels",
        ["ecod", "knn"],
        n_seeds=1,
        out_dir=tmp_path,
        detector_params={"knn": {"n_neighbors": -3}},
    )
    rows = frame.set_index("detector")
    assert rows.loc["ecod", "status"] == "ok"
    assert rows.loc["knn", "status"] == "error"
    assert "n_neighbors" in rows.loc["knn", "error"]
    assert np.isnan(rows.loc["knn", "auroc"])


def test_time_limit_records_timeout_and_retry_reruns(tmp_path: Path) -> None:
    # 10 ms cannot cover even the worker process start, so the cell must time out.
    frame = run_benchmark("vowels", ["ecod"], n_seeds=1, out_dir=tmp_path, time_limit=0.01)
    assert frame["status"].tolist() == ["timeout"]
    assert "time limit of 0.01 s" in frame["error"].iloc[0]
    retried = run_benchmark(
        "vowels", ["ecod"], n_seeds=1, out_dir=tmp_path, time_limit=120, retry_failed=True
    )
    assert retried["status"].tolist() == ["ok"]


def test_subprocess_executor_matches_in_process() -> None:
    cell = BenchmarkCell(DatasetSpec("vowels", "vowels"), "iforest", 1, "adbench", FAST["iforest"])
    with SubprocessExecutor(time_limit=120) as executor:
        remote = executor.run_one(cell)
    local = run_cell(cell)
    assert remote["auroc"] == local["auroc"] and remote["ap"] == local["ap"]


def test_folder_of_files_uses_file_stems(tmp_path: Path) -> None:
    from robustad.data import load_dataset

    data = load_dataset("vowels")
    rows = np.r_[0:250, np.flatnonzero(data.y)[:10]]
    np.savez(tmp_path / "7_small.npz", X=data.X[rows], y=data.y[rows])
    frame_rows = pd.DataFrame(data.X[rows], columns=list(data.feature_names))
    frame_rows["label"] = data.y[rows]
    frame_rows.to_csv(tmp_path / "10_table.csv", index=False)
    specs = resolve_datasets(tmp_path, label_column="label")
    assert [s.name for s in specs] == ["7_small", "10_table"]


def test_bad_input_names_what_is_accepted(tmp_path: Path) -> None:
    with pytest.raises(InvalidParameterError, match=r"accepted: .*iforest"):
        run_benchmark("vowels", ["iforset"], out_dir=tmp_path)
    with pytest.raises(InvalidParameterError, match="accepted: adbench"):
        run_benchmark("vowels", ["ecod"], protocol="odd", out_dir=tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DatasetNotFoundError, match=r"\.npz, \.csv, \.parquet"):
        run_benchmark(empty, ["ecod"], out_dir=tmp_path)
    pd.DataFrame({"a": [1.0, 2.0, 3.0]}).to_csv(tmp_path / "nolabels.csv", index=False)
    with pytest.raises(DataValidationError, match="no labels"):
        run_benchmark(tmp_path / "nolabels.csv", ["ecod"], out_dir=tmp_path)


def test_foreign_results_file_is_refused(tmp_path: Path) -> None:
    pd.DataFrame({"x": [1]}).to_csv(tmp_path / "results.csv", index=False)
    with pytest.raises(DataValidationError, match="not a benchmark results table"):
        read_results(tmp_path / "results.csv")


def test_subsample_keeps_the_anomaly_share() -> None:
    from robustad.data import load_dataset

    data = load_dataset("cardio")
    small = subsample(data, 500, seed=1)
    assert small.n_samples == 500
    assert small.y is not None and data.y is not None
    assert small.y.mean() == pytest.approx(data.y.mean(), abs=0.005)
    assert subsample(data, None, seed=1) is data
