"""Tests of robustad.data.io: read_table errors and atomic write_table."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from robustad.data import read_table, write_table
from robustad.exceptions import DatasetNotFoundError, DataValidationError


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame({"a": [1.0, 2.0, 3.0], "label": [0, 1, 0]})


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_write_then_read_round_trip(tmp_path: Path, frame: pd.DataFrame, suffix: str) -> None:
    path = tmp_path / "sub" / f"table{suffix}"
    write_table(frame, path)
    pd.testing.assert_frame_equal(read_table(path), frame)
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_written_file_follows_the_umask(tmp_path: Path, frame: pd.DataFrame) -> None:
    previous = os.umask(0o022)
    try:
        write_table(frame, tmp_path / "t.csv")
    finally:
        os.umask(previous)
    assert (tmp_path / "t.csv").stat().st_mode & 0o777 == 0o644


def test_read_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DatasetNotFoundError, match=r"missing\.csv' does not exist"):
        read_table(tmp_path / "missing.csv")


def test_read_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(b"")
    with pytest.raises(DataValidationError, match=r"file '.*x\.csv' is empty"):
        read_table(path)


def test_read_whitespace_only_file(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("\n\n")
    with pytest.raises(DataValidationError, match="is empty"):
        read_table(path)


def test_read_header_only_file(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b,label\n")
    with pytest.raises(DataValidationError, match=r"header with 3 column.* but no data rows"):
        read_table(path)


def test_read_unsupported_extension(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"PK")
    with pytest.raises(
        DataValidationError, match=r"unsupported extension '\.xlsx'.*\.csv, \.parquet"
    ):
        read_table(path)


def test_read_malformed_csv_carries_pandas_reason(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n3,4,5,6\n")
    with pytest.raises(DataValidationError, match=r"could not be read as CSV: .*Expected 2 fields"):
        read_table(path)


def test_read_corrupt_parquet(tmp_path: Path) -> None:
    path = tmp_path / "x.parquet"
    path.write_bytes(b"not parquet at all")
    with pytest.raises(DataValidationError, match="could not be read as PARQUET"):
        read_table(path)


def test_read_non_utf8_csv(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(b"caf\xe9,b\n1,2\n")
    with pytest.raises(DataValidationError, match="not UTF-8"):
        read_table(path)


def test_read_folder(tmp_path: Path) -> None:
    (tmp_path / "d.csv").mkdir()
    with pytest.raises(DataValidationError, match="is a folder"):
        read_table(tmp_path / "d.csv")


def test_write_unsupported_extension_or_object(tmp_path: Path, frame: pd.DataFrame) -> None:
    with pytest.raises(DataValidationError, match="unsupported extension"):
        write_table(frame, tmp_path / "x.json")
    with pytest.raises(DataValidationError, match="expects a pandas DataFrame"):
        write_table([[1, 2]], tmp_path / "x.csv")  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("suffix", "method"), [(".csv", "to_csv"), (".parquet", "to_parquet")])
def test_failed_write_leaves_no_partial_file(
    tmp_path: Path,
    frame: pd.DataFrame,
    monkeypatch: pytest.MonkeyPatch,
    suffix: str,
    method: str,
) -> None:
    def write_half_then_fail(self: pd.DataFrame, handle: object, **kwargs: object) -> None:
        handle.write(b"a,label\n1.0,")  # type: ignore[attr-defined]
        raise OSError("disk full")

    path = tmp_path / f"scores{suffix}"
    monkeypatch.setattr(pd.DataFrame, method, write_half_then_fail)
    with pytest.raises(OSError, match="disk full"):
        write_table(frame, path)
    assert list(tmp_path.iterdir()) == []


def test_failed_write_keeps_the_previous_file(
    tmp_path: Path, frame: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "scores.csv"
    write_table(frame, path)
    before = path.read_bytes()

    def fail(self: pd.DataFrame, handle: object, **kwargs: object) -> None:
        handle.write(b"garbage")  # type: ignore[attr-defined]
        raise KeyboardInterrupt

    monkeypatch.setattr(pd.DataFrame, "to_csv", fail)
    with pytest.raises(KeyboardInterrupt):
        write_table(frame.head(1), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["scores.csv"]
