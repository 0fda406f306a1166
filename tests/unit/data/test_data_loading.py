"""Tests of robustad.data.loading: every loader path, name resolution, listing, errors."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from robustad.data import Dataset, DatasetInfo, list_datasets, load_dataset
from robustad.exceptions import DatasetNotFoundError, DataValidationError, InvalidParameterError

BUNDLED = ["nsl_kdd_train", "nsl_kdd_test", "cardio", "breastw", "vowels"]


@pytest.fixture
def table() -> pd.DataFrame:
    return pd.DataFrame(
        {"amount": [1.0, 2.5, 99.0, 3.0], "count": [1, 2, 3, 4], "is_fraud": [0, 0, 1, 0]}
    )


# ------------------------------------------------------------------------------------------
# Files and frames
# ------------------------------------------------------------------------------------------


def test_npz_with_labels_and_names(tmp_path: Path) -> None:
    path = tmp_path / "toy.npz"
    np.savez(
        path,
        X=np.arange(6, dtype=np.int16).reshape(3, 2),
        y=np.array([0.0, 1.0, 0.0]),
        feature_names=np.array(["a", "b"]),
        label_names=np.array(["ok", "bad", "ok"]),
    )
    data = load_dataset(path)
    assert data.X.dtype == np.float64 and data.X.shape == (3, 2)
    assert data.y is not None and data.y.tolist() == [0, 1, 0]
    assert data.feature_names == ("a", "b")
    assert data.label_names is not None and data.label_names.tolist() == ["ok", "bad", "ok"]
    assert data.name == "toy"
    assert data.source == str(path.absolute())
    assert load_dataset(str(path)).n_samples == 3


def test_npz_without_labels(tmp_path: Path) -> None:
    path = tmp_path / "plain.npz"
    np.savez_compressed(path, X=np.ones((4, 3)))
    data = load_dataset(path)
    assert data.y is None
    assert data.feature_names == ("x0", "x1", "x2")


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_table_with_label_column(tmp_path: Path, table: pd.DataFrame, suffix: str) -> None:
    path = tmp_path / f"tx{suffix}"
    if suffix == ".csv":
        table.to_csv(path, index=False)
    else:
        table.to_parquet(path, index=False)
    data = load_dataset(path, label_column="is_fraud")
    assert data.feature_names == ("amount", "count")
    assert data.y is not None and data.y.tolist() == [0, 0, 1, 0]
    assert data.X[2].tolist() == [99.0, 3.0]
    unlabelled = load_dataset(path)
    assert unlabelled.y is None and unlabelled.n_features == 3


def test_dataframe_input(table: pd.DataFrame) -> None:
    data = load_dataset(table, label_column="is_fraud")
    assert data.feature_names == ("amount", "count")
    assert data.contamination == 0.25
    assert "is_fraud" in table.columns  # the caller's frame is not modified


def test_dataset_input_is_returned_unchanged() -> None:
    data = Dataset(X=np.ones((2, 2)))
    assert load_dataset(data) is data


def test_boolean_label_column() -> None:
    frame = pd.DataFrame({"a": [1.0, 2.0], "flag": [False, True]})
    data = load_dataset(frame, label_column="flag")
    assert data.y is not None and data.y.tolist() == [0, 1]


# ------------------------------------------------------------------------------------------
# Errors for bad files
# ------------------------------------------------------------------------------------------


def _write_csv(tmp_path: Path, text: str, name: str = "x.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_nan_cell_names_file_column_and_row(tmp_path: Path) -> None:
    path = _write_csv(tmp_path, "amount,count\n1.0,2\n,3\n4.0,5\n")
    with pytest.raises(
        DataValidationError, match=r"x\.csv'.*column 'amount' has 1 NaN value \(row 1\)"
    ):
        load_dataset(path)


def test_infinite_cell(tmp_path: Path) -> None:
    path = _write_csv(tmp_path, "amount,count\n1.0,2\ninf,3\n")
    with pytest.raises(
        DataValidationError, match=r"column 'amount' has 1 infinite value \(row 1\)"
    ):
        load_dataset(path)


def test_text_column(tmp_path: Path) -> None:
    path = _write_csv(tmp_path, "amount,city\n1.0,Paris\n2.0,Rome\n")
    with pytest.raises(DataValidationError, match="column 'city' is not numeric"):
        load_dataset(path)


def test_missing_label_column_lists_available_columns(tmp_path: Path, table: pd.DataFrame) -> None:
    path = tmp_path / "tx.csv"
    table.to_csv(path, index=False)
    with pytest.raises(
        DataValidationError,
        match=r"no label column 'label'; available columns: 'amount', 'count', 'is_fraud'",
    ):
        load_dataset(path, label_column="label")


def test_label_column_with_other_values(table: pd.DataFrame) -> None:
    frame = table.assign(is_fraud=[0, 2, 1, 0])
    with pytest.raises(DataValidationError, match=r"label column 'is_fraud'.*values other than 0"):
        load_dataset(frame, label_column="is_fraud")


def test_text_labels_are_refused(table: pd.DataFrame) -> None:
    frame = table.assign(is_fraud=["no", "no", "yes", "no"])
    with pytest.raises(DataValidationError, match="label column 'is_fraud'"):
        load_dataset(frame, label_column="is_fraud")


def test_empty_and_header_only_csv(tmp_path: Path) -> None:
    with pytest.raises(DataValidationError, match="is empty"):
        load_dataset(_write_csv(tmp_path, "", "empty.csv"))
    with pytest.raises(DataValidationError, match="no data rows"):
        load_dataset(_write_csv(tmp_path, "a,b\n", "header.csv"))


def test_unsupported_extension(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_data_dir: None
) -> None:
    path = tmp_path / "data.xlsx"
    path.write_bytes(b"xx")
    with pytest.raises(DataValidationError, match=r"unsupported extension '\.xlsx'.*\.npz"):
        load_dataset(path)
    # An existing file given as a bare string is reported as a file, not as an unknown name.
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DataValidationError, match="unsupported extension"):
        load_dataset("data.xlsx")


def test_existing_file_without_extension_given_as_bare_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_data_dir: None
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("mydata").write_text("a\n1\n")
    with pytest.raises(DataValidationError, match="unsupported extension '\\(none\\)'"):
        load_dataset("mydata")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DatasetNotFoundError, match=r"nope\.npz' does not exist"):
        load_dataset(tmp_path / "nope.npz")
    with pytest.raises(DatasetNotFoundError, match="does not exist"):
        load_dataset(str(tmp_path / "nope.csv"))


def test_npz_without_features_array(tmp_path: Path) -> None:
    path = tmp_path / "noX.npz"
    np.savez(path, features=np.ones((2, 2)), y=np.array([0, 1]))
    with pytest.raises(DataValidationError, match=r"has no array 'X' \(it has: features, y\)"):
        load_dataset(path)


def test_file_that_is_not_an_npz(tmp_path: Path) -> None:
    path = tmp_path / "fake.npz"
    path.write_bytes(b"this is plain text, not a zip archive")
    with pytest.raises(DataValidationError, match=r"is not a valid \.npz archive"):
        load_dataset(path)
    single = tmp_path / "single.npz"
    with single.open("wb") as handle:
        np.save(handle, np.ones((2, 2)))
    with pytest.raises(DataValidationError, match="holds a single array"):
        load_dataset(single)


class _Tripwire:
    """Unpickling this object creates a file: proof that pickle ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (str(self.marker), "w"))


@pytest.mark.parametrize("key", ["X", "y"])
def test_pickled_object_array_is_refused_not_unpickled(tmp_path: Path, key: str) -> None:
    marker = tmp_path / "pickle-ran"
    path = tmp_path / "evil.npz"
    evil = np.empty(2, dtype=object)
    evil[0] = evil[1] = _Tripwire(marker)
    arrays = {"X": np.ones((2, 2)), "y": np.array([0, 1])}
    arrays[key] = evil
    np.savez(path, **arrays)  # type: ignore[arg-type]
    assert not marker.exists()
    with pytest.raises(
        DataValidationError, match=rf"array '{key}'.*Python objects.*never unpickles"
    ):
        load_dataset(path)
    assert not marker.exists()
    # A raw pickle renamed to .npz is refused as well.
    raw = tmp_path / "raw.npz"
    raw.write_bytes(pickle.dumps(_Tripwire(marker)))
    with pytest.raises(DataValidationError, match=r"not a valid \.npz archive"):
        load_dataset(raw)
    assert not marker.exists()


@pytest.mark.parametrize(
    ("arrays", "match"),
    [
        ({"X": np.ones(3)}, "must be 2-D"),
        ({"X": np.ones((3, 2)), "y": np.array([0, 1])}, "has 2 labels but X has 3 rows"),
        ({"X": np.ones((3, 2)), "y": np.zeros((3, 1))}, "must be 1-D"),
        ({"X": np.ones((3, 2)), "feature_names": np.array(["a"])}, "1-D text array of length 2"),
        ({"X": np.ones((3, 2)), "label_names": np.array([1, 2, 3])}, "1-D text array of length 3"),
        ({"X": np.array([[1.0, np.nan]])}, "column 1 has 1 NaN value"),
    ],
)
def test_npz_with_wrong_shapes_or_values(
    tmp_path: Path, arrays: dict[str, np.ndarray], match: str
) -> None:
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)  # type: ignore[arg-type]
    with pytest.raises(DataValidationError, match=match):
        load_dataset(path)


def test_label_column_is_refused_for_npz_and_names(tmp_path: Path) -> None:
    path = tmp_path / "toy.npz"
    np.savez(path, X=np.ones((2, 2)))
    with pytest.raises(InvalidParameterError, match="label_column='y' does not apply"):
        load_dataset(path, label_column="y")
    with pytest.raises(InvalidParameterError, match="bundled dataset 'cardio'"):
        load_dataset("cardio", label_column="y")


def test_wrong_input_type() -> None:
    with pytest.raises(InvalidParameterError, match="got int"):
        load_dataset(3)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------
# Names: bundled and the data folder
# ------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("no_data_dir")
@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_names_load_without_a_data_folder(name: str) -> None:
    data = load_dataset(name)
    assert data.name == name
    assert data.source.startswith("bundled: ")
    assert data.y is not None


@pytest.mark.usefixtures("no_data_dir")
def test_adbench_stem_of_a_bundled_dataset_falls_back_to_the_bundled_copy() -> None:
    data = load_dataset("6_cardio")
    assert data.name == "cardio"
    assert data.X.shape == (1831, 21)


def test_names_in_a_data_folder(tiny_data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROBUSTAD_DATA_DIR", str(tiny_data_dir))
    assert load_dataset("1_alpha").X.shape == (20, 3)
    short = load_dataset("beta")
    assert short.name == "2_beta"
    assert short.source == str(tiny_data_dir / "adbench" / "2_beta.npz")
    assert load_dataset("GAMMA.RAY").n_samples == 25  # short names ignore case; dots are fine
    assert load_dataset("flat_one").y is None  # files directly in the folder count too
    # data_dir= wins over the environment.
    monkeypatch.setenv("ROBUSTAD_DATA_DIR", str(tiny_data_dir / "nowhere"))
    assert load_dataset("alpha", data_dir=tiny_data_dir).n_samples == 20


def test_flat_data_folder(tmp_path: Path) -> None:
    np.savez(tmp_path / "7_thing.npz", X=np.ones((5, 2)), y=np.zeros(5))
    assert load_dataset("thing", data_dir=tmp_path).name == "7_thing"


def test_ambiguous_short_name(tmp_path: Path) -> None:
    for stem in ("1_dup", "2_dup"):
        np.savez(tmp_path / f"{stem}.npz", X=np.ones((2, 2)))
    with pytest.raises(DatasetNotFoundError, match=r"ambiguous.*'1_dup', '2_dup'"):
        load_dataset("dup", data_dir=tmp_path)
    assert load_dataset("2_dup", data_dir=tmp_path).name == "2_dup"


def test_unknown_name_suggests_close_matches(tiny_data_dir: Path) -> None:
    with pytest.raises(DatasetNotFoundError) as caught:
        load_dataset("alpah", data_dir=tiny_data_dir)
    message = str(caught.value)
    assert "no dataset named 'alpah'" in message
    assert "Did you mean 'alpha'" in message
    assert "robustad datasets" in message
    assert "ROBUSTAD_DATA_DIR" in message


@pytest.mark.usefixtures("no_data_dir")
def test_unknown_name_without_a_data_folder_says_so() -> None:
    with pytest.raises(DatasetNotFoundError, match="ROBUSTAD_DATA_DIR is not set"):
        load_dataset("nsl_kdd")
    with pytest.raises(DatasetNotFoundError, match="Did you mean 'nsl_kdd_t"):
        load_dataset("nsl_kdd")


def test_missing_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(
        DatasetNotFoundError, match=r"data folder .* \(from data_dir\) does not exist"
    ):
        load_dataset("anything", data_dir=tmp_path / "missing")
    monkeypatch.setenv("ROBUSTAD_DATA_DIR", str(tmp_path / "missing"))
    with pytest.raises(
        DatasetNotFoundError, match="from the environment variable ROBUSTAD_DATA_DIR"
    ):
        list_datasets()
    assert load_dataset("breastw").n_samples == 683  # bundled names never need the folder


# ------------------------------------------------------------------------------------------
# list_datasets
# ------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("no_data_dir")
def test_list_without_a_data_folder_lists_bundled_only() -> None:
    infos = list_datasets()
    assert [i.name for i in infos] == BUNDLED
    assert all(isinstance(i, DatasetInfo) and i.origin == "bundled" for i in infos)
    cardio = infos[BUNDLED.index("cardio")]
    assert (cardio.n_samples, cardio.n_features, cardio.n_anomalies) == (1831, 21, 176)
    assert Path(cardio.path).name == "cardio.npz"
    assert cardio.description


def test_list_with_a_data_folder(tiny_data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROBUSTAD_DATA_DIR", str(tiny_data_dir))
    infos = [i for i in list_datasets() if i.origin == "data_dir"]
    assert [(i.name, i.n_samples, i.n_features, i.n_anomalies) for i in infos] == [
        ("1_alpha", 20, 3, 2),
        ("2_beta", 30, 3, 2),
        ("12_Gamma.ray", 25, 3, 2),
        ("flat_one", 10, 2, None),
    ]
    assert list_datasets(data_dir=tiny_data_dir)[-4:] == list_datasets()[-4:]


def test_list_reads_headers_of_every_npy_layout(tmp_path: Path) -> None:
    # Fortran order and the version-2 header (used for very wide structured headers).
    with (tmp_path / "3_f.npz").open("wb") as handle:
        np.savez(handle, X=np.asfortranarray(np.ones((4, 3))), y=np.array([1, 0, 0, 1]))
    import io
    import zipfile

    member = io.BytesIO()
    np.lib.format.write_array(member, np.ones((6, 2)), version=(2, 0))
    with zipfile.ZipFile(tmp_path / "4_v2.npz", "w") as archive:
        archive.writestr("X.npy", member.getvalue())
    infos = {i.name: i for i in list_datasets(data_dir=tmp_path)}
    assert (infos["3_f"].n_samples, infos["3_f"].n_features, infos["3_f"].n_anomalies) == (4, 3, 2)
    assert (infos["4_v2"].n_samples, infos["4_v2"].n_features) == (6, 2)
    assert load_dataset("v2", data_dir=tmp_path).X.shape == (6, 2)


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b"not a zip", "not a valid .npz archive"),
        (None, "has no array 'X'"),
    ],
)
def test_list_names_a_broken_file(tmp_path: Path, content: bytes | None, match: str) -> None:
    path = tmp_path / "5_broken.npz"
    if content is None:
        np.savez(path, Z=np.ones(2))
    else:
        path.write_bytes(content)
    with pytest.raises(DataValidationError, match=rf"5_broken\.npz'.*{match}|{match}"):
        list_datasets(data_dir=tmp_path)


def test_real_data_folder(shared_datasets_dir: Path) -> None:
    infos = [i for i in list_datasets(data_dir=shared_datasets_dir) if i.origin == "data_dir"]
    assert len(infos) == 33
    by_name = {i.name: i for i in infos}
    assert (by_name["11_donors"].n_samples, by_name["11_donors"].n_anomalies) == (619_326, 36_710)
    aloi = load_dataset("aloi", data_dir=shared_datasets_dir)
    assert aloi.X.shape == (49_534, 27)
    # The bundled copy of cardio is the same data as the shared file.
    shared = load_dataset("6_cardio", data_dir=shared_datasets_dir)
    bundled = load_dataset("cardio", data_dir=shared_datasets_dir)
    assert shared.source.endswith("6_cardio.npz") and bundled.source.startswith("bundled")
    assert np.array_equal(shared.X, bundled.X)
    assert shared.y is not None and bundled.y is not None
    assert np.array_equal(shared.y, bundled.y)
