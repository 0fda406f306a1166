"""The command line: fit, score, listings, and one-line errors with exit code 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from robustad.cli.app import main, parse_param
from robustad.data import make_outlier_data
from robustad.exceptions import InvalidParameterError


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def training_csv(tmp_path_factory) -> Path:
    data = make_outlier_data(n_samples=300, n_features=3, random_state=0)
    frame = pd.DataFrame(data.X, columns=["amount", "hour", "count"]).assign(fraud=data.y)
    path = tmp_path_factory.mktemp("data") / "train.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def model_dir(training_csv: Path, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("models") / "tx"
    code = main(
        [
            "fit",
            str(training_csv),
            "--detector",
            "iforest",
            "--param",
            "n_estimators=50",
            "--param",
            "random_state=0",
            "--label-column",
            "fraud",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    return out


def test_fit_saves_a_model_and_reports_it(model_dir: Path) -> None:
    assert (model_dir / "manifest.json").is_file()
    import robustad

    det = robustad.load(model_dir)
    assert list(det.feature_names_in_) == ["amount", "hour", "count"]
    assert det.get_params()["n_estimators"] == 50


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_score_appends_score_and_label_columns(
    capsys, model_dir, training_csv, tmp_path, suffix
) -> None:
    frame = pd.read_csv(training_csv)
    source = tmp_path / f"new{suffix}"
    (frame.to_csv(source, index=False) if suffix == ".csv" else frame.to_parquet(source))
    output = tmp_path / f"scored{suffix}"
    code, out, err = run(capsys, "score", str(model_dir), str(source), "--out", str(output))
    assert code == 0, err
    scored = pd.read_csv(output) if suffix == ".csv" else pd.read_parquet(output)
    assert list(scored.columns) == [
        *frame.columns,
        "anomaly_score",
        "is_anomaly",
        "out_of_distribution",
    ]
    assert len(scored) == len(frame)
    import robustad

    det = robustad.load(model_dir)
    np.testing.assert_allclose(
        scored["anomaly_score"], det.decision_function(frame[["amount", "hour", "count"]])
    )
    assert set(scored["is_anomaly"]) <= {0, 1}
    assert scored["out_of_distribution"].sum() == 0  # the training rows themselves
    assert "flagged" in out


def _bad_inputs(training_csv: Path, folder: Path) -> dict[str, tuple[Path, str]]:
    frame = pd.read_csv(training_csv).head(20)
    cases = {}
    empty_cell = frame.copy().astype(object)
    empty_cell.loc[4, "hour"] = None
    cases["empty cell"] = (empty_cell, "'hour'.*row 4")
    cases["missing column"] = (frame.drop(columns="count"), "missing column.*'count'")
    text = frame.copy().astype(object)
    text.loc[2, "amount"] = "twelve"
    cases["text column"] = (text, "'amount' is not numeric")
    paths = {}
    for name, (table, pattern) in cases.items():
        path = folder / f"{name.replace(' ', '_')}.csv"
        table.to_csv(path, index=False)
        paths[name] = (path, pattern)
    empty = folder / "empty.csv"
    empty.write_text("")
    paths["empty file"] = (empty, "empty")
    return paths


@pytest.mark.parametrize("case", ["empty cell", "missing column", "text column", "empty file"])
def test_bad_input_gives_one_line_exit_2_and_no_output(
    capsys, model_dir, training_csv, tmp_path, case
) -> None:
    import re

    path, pattern = _bad_inputs(training_csv, tmp_path)[case]
    output = tmp_path / "out" / "scored.csv"
    code, _, err = run(capsys, "score", str(model_dir), str(path), "--out", str(output))
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("error: "), err
    assert re.search(pattern, err), err
    assert "Traceback" not in err
    assert not output.exists()
    assert not output.parent.exists() or not any(output.parent.iterdir()), "partial output left"


def test_score_refuses_a_tampered_model(capsys, model_dir, training_csv, tmp_path) -> None:
    import shutil

    copy = tmp_path / "model"
    shutil.copytree(model_dir, copy)
    state = copy / "model.skops"
    state.write_bytes(state.read_bytes()[:-1] + b"x")
    code, _, err = run(
        capsys, "score", str(copy), str(training_csv), "--out", str(tmp_path / "o.csv")
    )
    assert code == 2 and "sha256" in err


def test_usage_errors_are_one_line(capsys) -> None:
    code, _, err = run(capsys, "fit")
    assert code == 2 and err.count("\n") == 1 and "Missing argument" in err
    code, _, err = run(capsys, "fit", "x.csv", "--detector", "nope", "--out", "m")
    assert code == 2 and "unknown detector 'nope'" in err


def test_every_command_help_has_an_example(capsys) -> None:
    for command in ("detectors", "datasets", "fit", "score", "demo"):
        code, out, _ = run(capsys, command, "--help")
        assert code == 0 and "Example" in out, command


def test_detectors_and_datasets_listings(capsys) -> None:
    code, out, _ = run(capsys, "detectors")
    assert code == 0 and "iforest" in out and "ocsvm" in out
    code, out, _ = run(capsys, "datasets")
    assert code == 0 and "nsl_kdd_train" in out


def test_param_parsing() -> None:
    assert parse_param("max_features=0.5") == ("max_features", 0.5)
    assert parse_param("method=mean") == ("method", "mean")
    assert parse_param("n_components=null") == ("n_components", None)
    with pytest.raises(InvalidParameterError):
        parse_param("=3")
    with pytest.raises(InvalidParameterError):
        parse_param('x={"a": 1}')


def test_console_script_without_debug_prints_no_traceback(tmp_path) -> None:
    command = [
        sys.executable,
        "-m",
        "robustad",
        "score",
        str(tmp_path / "nope"),
        "x.csv",
        "--out",
        "o.csv",
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr
    debug = subprocess.run([*command, "--debug"], capture_output=True, text=True, timeout=120)
    assert debug.returncode != 0 and "Traceback" in debug.stderr


def test_fit_with_fpr_calibrates_and_reports_it(capsys, training_csv, tmp_path) -> None:
    import robustad

    out = tmp_path / "m"
    code, stdout, err = run(
        capsys,
        "fit",
        str(training_csv),
        "--detector",
        "ecod",
        "--label-column",
        "fraud",
        "--fpr",
        "0.05",
        "--out",
        str(out),
    )
    assert code == 0, err
    assert "calibrated to a 5.00% false-positive rate" in stdout
    det = robustad.load(out)
    assert det.target_fpr_ == 0.05 and det.calibration_scores_.shape[0] > 0
    code, _, err = run(
        capsys,
        "fit",
        str(training_csv),
        "--detector",
        "ecod",
        "--fpr",
        "0.001",
        "--out",
        str(tmp_path / "n"),
    )
    assert code == 2 and "held-out normal rows" in err
