"""Tests of the bundled datasets: contents, provenance file, reproducible preparation."""

from __future__ import annotations

import hashlib
import importlib.util
import re
import zipfile
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from robustad.data import Dataset, load_dataset
from robustad.data.loading import BUNDLED_DATASETS, _iter_bundled_files

REPOSITORY_ROOT = Path(__file__).resolve().parents[3]
BUNDLED_FOLDER = resources.files("robustad.data.bundled")


@pytest.fixture(scope="module")
def nsl_train() -> Dataset:
    return load_dataset("nsl_kdd_train")


@pytest.fixture(scope="module")
def nsl_test() -> Dataset:
    return load_dataset("nsl_kdd_test")


def test_registry_matches_the_shipped_files() -> None:
    assert sorted(_iter_bundled_files()) == sorted(s.file for s in BUNDLED_DATASETS.values())


def test_bundled_folder_is_small() -> None:
    total = sum(
        entry.stat().st_size
        for entry in Path(str(BUNDLED_FOLDER)).iterdir()
        if entry.suffix == ".npz"
    )
    assert total < 3 * 1024 * 1024


def test_bundled_files_load_without_pickle() -> None:
    for spec in BUNDLED_DATASETS.values():
        with (
            BUNDLED_FOLDER.joinpath(spec.file).open("rb") as handle,
            np.load(handle, allow_pickle=False) as archive,
        ):
            for key in archive.files:
                assert not archive[key].dtype.hasobject


def test_nsl_kdd_shapes_and_anomaly_counts(nsl_train: Dataset, nsl_test: Dataset) -> None:
    assert nsl_train.X.shape == (25_192, 118)
    assert nsl_test.X.shape == (22_544, 118)
    assert nsl_train.y is not None and nsl_test.y is not None
    assert int(nsl_train.y.sum()) == 11_743
    assert int(nsl_test.y.sum()) == 12_833


def test_nsl_kdd_train_and_test_have_identical_columns(
    nsl_train: Dataset, nsl_test: Dataset
) -> None:
    assert nsl_train.feature_names == nsl_test.feature_names
    names = nsl_train.feature_names
    assert names[:5] == (
        "duration",
        "protocol_type=icmp",
        "protocol_type=tcp",
        "protocol_type=udp",
        "service=IRC",
    )
    assert "service=http" in names and "flag=SF" in names and "src_bytes" in names
    assert sum(n.startswith("service=") for n in names) == 66
    assert sum(n.startswith("flag=") for n in names) == 11
    assert not any("difficulty" in n or n in ("protocol_type", "service", "flag") for n in names)
    assert names[-1] == "dst_host_srv_rerror_rate"


def test_nsl_kdd_label_names_agree_with_y(nsl_train: Dataset, nsl_test: Dataset) -> None:
    for data, n_classes in ((nsl_train, 22), (nsl_test, 38)):
        assert data.label_names is not None and data.y is not None
        assert np.array_equal(data.y == 1, data.label_names != "normal")
        assert len(set(data.label_names.tolist())) == n_classes
    assert nsl_train.label_names is not None
    assert nsl_train.label_names[:3].tolist() == ["normal", "normal", "neptune"]


def test_nsl_kdd_one_hot_groups(nsl_train: Dataset, nsl_test: Dataset) -> None:
    names = np.array(nsl_train.feature_names)
    for group in ("protocol_type=", "service=", "flag="):
        columns = np.char.startswith(names, group)
        assert (nsl_train.X[:, columns].sum(axis=1) == 1).all()
        sums = nsl_test.X[:, columns].sum(axis=1)
        # One KDDTest+ row has service 'tftp_u', never seen in training: all zeros.
        expected_unseen = 1 if group == "service=" else 0
        assert int((sums == 0).sum()) == expected_unseen
        assert ((sums == 0) | (sums == 1)).all()


def test_nsl_kdd_values_are_exact(nsl_train: Dataset) -> None:
    # First record of KDDTrain+_20Percent: 0,tcp,ftp_data,SF,491,0,...,150,25,0.17,0.03,...
    row = dict(zip(nsl_train.feature_names, nsl_train.X[0], strict=True))
    assert row["src_bytes"] == 491.0
    assert row["service=ftp_data"] == 1.0
    assert row["dst_host_count"] == 150.0
    assert row["dst_host_same_srv_rate"] == 0.17
    assert nsl_train.X[:, nsl_train.feature_names.index("src_bytes")].max() > 2**24


@pytest.mark.parametrize(
    ("name", "shape", "n_anomalies"),
    [("cardio", (1831, 21), 176), ("breastw", (683, 9), 239), ("vowels", (1456, 12), 50)],
)
def test_adbench_copies(name: str, shape: tuple[int, int], n_anomalies: int) -> None:
    data = load_dataset(name)
    assert data.X.shape == shape
    assert data.y is not None and int(data.y.sum()) == n_anomalies
    assert data.feature_names[0] == "x0"


def test_data_md_records_every_file_with_its_sha256() -> None:
    text = BUNDLED_FOLDER.joinpath("DATA.md").read_text(encoding="utf-8")
    for spec in BUNDLED_DATASETS.values():
        digest = hashlib.sha256(BUNDLED_FOLDER.joinpath(spec.file).read_bytes()).hexdigest()
        assert re.search(rf"`{re.escape(spec.file)}`.*{digest}", text), spec.file


def test_bundled_archives_have_fixed_timestamps() -> None:
    for spec in BUNDLED_DATASETS.values():
        if spec.file.startswith("nsl_kdd"):
            with zipfile.ZipFile(Path(str(BUNDLED_FOLDER.joinpath(spec.file)))) as archive:
                assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_preparation_script_reproduces_the_bundled_files(shared_datasets_dir: Path) -> None:
    if not (shared_datasets_dir / "nsl_kdd").is_dir():
        pytest.skip("the shared NSL-KDD files are not available")
    spec = importlib.util.spec_from_file_location(
        "prepare_bundled_data", REPOSITORY_ROOT / "scripts" / "prepare_bundled_data.py"
    )
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    outputs = script.build(shared_datasets_dir)
    assert sorted(outputs) == sorted(s.file for s in BUNDLED_DATASETS.values())
    for file, data in outputs.items():
        assert BUNDLED_FOLDER.joinpath(file).read_bytes() == data, file
