"""Dask path: same results.csv numbers and same scores as in-process; dask stays lazy."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("distributed")

from robustad.evaluation.runner import run_benchmark
from robustad.exceptions import DatasetNotFoundError, InvalidParameterError
from robustad.scale import connect, run_benchmark_dask, score_files
from robustad.scale.cluster import check_scheduler

FAST = {"iforest": {"n_estimators": 25}}


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """A 2-worker LocalCluster (started by connect('local')); tests reach it over tcp."""
    with connect("local", n_workers=2) as client:
        yield str(client.scheduler.address)


def test_import_robustad_does_not_import_dask() -> None:
    code = (
        "import sys, robustad, robustad.scale, robustad.evaluation, robustad.reports; "
        "print(sorted(m for m in ('dask', 'distributed', 'matplotlib') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_dask_benchmark_equals_in_process(scheduler: str, tmp_path: Path) -> None:
    options = {"protocol": "adbench", "n_seeds": 2, "detector_params": FAST}
    local = run_benchmark(
        "vowels,breastw", ["iforest", "ecod"], out_dir=tmp_path / "local", **options
    )
    remote = run_benchmark_dask(
        "vowels,breastw",
        ["iforest", "ecod"],
        scheduler=scheduler,
        out_dir=tmp_path / "dask",
        **options,
    )
    columns = [
        "dataset",
        "detector",
        "seed",
        "protocol",
        "auroc",
        "ap",
        "precision_at_n",
        "recall_at_fpr_1pct",
        "status",
    ]
    pd.testing.assert_frame_equal(local[columns], remote[columns])
    on_disk = [pd.read_csv(tmp_path / name / "results.csv")[columns] for name in ("local", "dask")]
    pd.testing.assert_frame_equal(*on_disk)


def test_dask_benchmark_with_time_limit(scheduler: str, tmp_path: Path) -> None:
    frame = run_benchmark_dask(
        "vowels", ["ecod"], scheduler=scheduler, out_dir=tmp_path, n_seeds=1, time_limit=0.01
    )
    assert frame["status"].tolist() == ["timeout"]


def test_dask_scoring_equals_in_process(scheduler: str, tmp_path: Path) -> None:
    from robustad.data import load_dataset
    from robustad.detectors.registry import make_detector

    data = load_dataset("cardio")
    frame = pd.DataFrame(data.X, columns=list(data.feature_names))
    model = make_detector("iforest", n_estimators=25, random_state=0).fit(frame)
    model.save(tmp_path / "model")
    parts = np.array_split(np.arange(len(frame)), 3)
    for i, rows in enumerate(parts):
        frame.iloc[rows].to_parquet(tmp_path / f"in_{i}.parquet")
    summary = score_files(
        tmp_path / "model", str(tmp_path / "in_*.parquet"), tmp_path / "out", scheduler=scheduler
    )
    assert summary["rows"] == len(frame) and summary["partitions"] == 3
    written = sorted((tmp_path / "out").glob("part.*.parquet"))
    assert len(written) == 3
    scored = pd.concat([pd.read_parquet(p) for p in written], ignore_index=True)
    expected = model.decision_function(frame)
    np.testing.assert_array_equal(scored["anomaly_score"].to_numpy(), expected)
    np.testing.assert_array_equal(
        scored["is_anomaly"].to_numpy(), (expected > model.threshold_).astype(int)
    )
    np.testing.assert_array_equal(
        scored["out_of_distribution"].to_numpy(), model.out_of_distribution(frame).astype(int)
    )
    pd.testing.assert_frame_equal(scored[frame.columns], frame, check_dtype=False)


def test_bad_scheduler_and_files() -> None:
    with pytest.raises(InvalidParameterError, match=r"'local'.*tcp://HOST:PORT"):
        check_scheduler("localhost")
    assert check_scheduler("tcp://10.0.0.1:8786") == "tcp://10.0.0.1:8786"
    with pytest.raises(DatasetNotFoundError, match="no file matches"):
        score_files("model", "/nonexistent/*.parquet", "out", scheduler="local")


def test_cli_score_with_scheduler(scheduler: str, tmp_path: Path) -> None:
    from robustad.cli.app import main
    from robustad.data import make_outlier_data

    data = make_outlier_data(n_samples=400, n_features=3, random_state=0)
    frame = pd.DataFrame(data.X, columns=["a", "b", "c"])
    frame.to_csv(tmp_path / "train.csv", index=False)
    assert (
        main(["fit", str(tmp_path / "train.csv"), "-d", "ecod", "--out", str(tmp_path / "m")]) == 0
    )
    frame.iloc[:200].to_parquet(tmp_path / "x_1.parquet")
    frame.iloc[200:].to_parquet(tmp_path / "x_2.parquet")
    code = main(
        [
            "score",
            str(tmp_path / "m"),
            str(tmp_path / "x_*.parquet"),
            "--scheduler",
            scheduler,
            "--out",
            str(tmp_path / "scored"),
        ]
    )
    assert code == 0
    assert (
        main(
            [
                "score",
                str(tmp_path / "m"),
                str(tmp_path / "x_1.parquet"),
                "--out",
                str(tmp_path / "one.parquet"),
            ]
        )
        == 0
    )
    first = pd.read_parquet(tmp_path / "scored" / "part.0.parquet")
    single = pd.read_parquet(tmp_path / "one.parquet")
    for column in ("anomaly_score", "is_anomaly", "out_of_distribution"):
        np.testing.assert_array_equal(first[column], single[column])
