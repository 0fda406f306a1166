"""``robustad benchmark``: outputs, resume, and one-line errors naming what is accepted."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from robustad.cli.app import main
from robustad.evaluation.results import RESULT_COLUMNS


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_benchmark_writes_results_summary_and_report(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    args = [
        "benchmark",
        "--data",
        "vowels",
        "--detectors",
        "ecod,iforest",
        "--param",
        "iforest.n_estimators=20",
        "--seeds",
        "1",
        "--out",
        str(tmp_path),
    ]
    code, out, err = run(capsys, *args)
    assert code == 0, err
    assert "2 cells" in out and "2 ok" in out
    results = pd.read_csv(tmp_path / "results.csv")
    assert tuple(results.columns) == RESULT_COLUMNS
    assert results["dataset"].tolist() == ["vowels", "vowels"]
    assert (tmp_path / "summary.md").read_text().startswith("# robustad benchmark (adbench)")
    assert "data:image/png;base64" in (tmp_path / "report.html").read_text()
    # Resume: nothing new to run, the table is unchanged.
    code, out, _ = run(capsys, *args)
    assert code == 0 and "2 cells" in out
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "results.csv"), results)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--detectors", "ifroest"], "unknown detector(s) 'ifroest'; accepted: "),
        (["--protocol", "odds"], "unknown protocol 'odds'; did you mean 'pyod-odds'? accepted"),
        (["--param", "iforest"], "DETECTOR.KEY=VALUE"),
        (["--scheduler", "somewhere"], "accepted: 'local'"),
    ],
)
def test_bad_input_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, args: list[str], message: str
) -> None:
    base = {"--data": "vowels", "--detectors": "ecod", "--out": str(tmp_path)}
    for flag, value in zip(args[::2], args[1::2], strict=True):
        base[flag] = value
    code, _, err = run(capsys, "benchmark", *[x for kv in base.items() for x in kv])
    assert code == 2
    assert err.count("\n") == 1 and message in err


def test_unlabelled_data_and_empty_folder(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    pd.DataFrame({"a": [1.0, 2.0]}).to_csv(tmp_path / "plain.csv", index=False)
    code, _, err = run(
        capsys,
        "benchmark",
        "--data",
        str(tmp_path / "plain.csv"),
        "--detectors",
        "ecod",
        "--out",
        str(tmp_path / "o"),
    )
    assert code == 2 and "has no labels" in err and "--label-column" in err
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = run(
        capsys,
        "benchmark",
        "--data",
        str(empty),
        "--detectors",
        "ecod",
        "--out",
        str(tmp_path / "o"),
    )
    assert code == 2 and "holds no dataset files; accepted: .npz, .csv, .parquet" in err
