"""Tests of robustad.data.dataset.Dataset."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from robustad.data import Dataset
from robustad.exceptions import DataValidationError


def test_defaults_generate_feature_names_and_convert_dtypes() -> None:
    data = Dataset(X=np.array([[1, 2], [3, 4]], dtype=np.int32), y=[0, 1])  # type: ignore[arg-type]
    assert data.X.dtype == np.float64
    assert data.y is not None and data.y.dtype == np.int64
    assert data.feature_names == ("x0", "x1")
    assert (data.n_samples, data.n_features, data.contamination) == (2, 2, 0.5)
    assert data.label_names is None


def test_unlabelled_dataset_has_no_contamination() -> None:
    data = Dataset(X=np.ones((3, 1)))
    assert data.y is None
    assert data.contamination is None
    assert "contamination=None" in repr(data)


def test_dataframe_input_keeps_column_names() -> None:
    data = Dataset(X=pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]}))  # type: ignore[arg-type]
    assert data.feature_names == ("a", "b")


def test_is_frozen() -> None:
    data = Dataset(X=np.ones((2, 2)))
    with pytest.raises(AttributeError):
        data.name = "other"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"y": [0, 1, 0]}, "has 3 labels but X has 2 rows"),
        ({"y": [0, 2]}, "values other than 0"),
        ({"feature_names": ("a",)}, "has 1 names, but X has 2 columns"),
        ({"feature_names": ("a", "a")}, "repeats 'a'"),
        ({"feature_names": "ab"}, "single string"),
        ({"label_names": np.array(["normal"])}, "one class name per row"),
    ],
)
def test_shapes_must_agree(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(DataValidationError, match=match):
        Dataset(X=np.ones((2, 2)), **kwargs)  # type: ignore[arg-type]


def test_nan_in_features_is_refused_with_row() -> None:
    with pytest.raises(DataValidationError, match=r"column 1 has 1 NaN value \(row 1\)"):
        Dataset(X=np.array([[1.0, 2.0], [3.0, np.nan]]), name="toy")


def test_one_dimensional_features_are_refused() -> None:
    with pytest.raises(DataValidationError, match="must be 2-D"):
        Dataset(X=np.ones(3))


def test_subset_by_mask_and_indices_keeps_rows_together() -> None:
    data = Dataset(
        X=np.arange(8.0).reshape(4, 2),
        y=np.array([0, 1, 0, 1]),
        label_names=np.array(["n", "a1", "n", "a2"]),
        feature_names=("p", "q"),
        name="toy",
    )
    anomalies = data.subset(data.y == 1)
    assert anomalies.X.tolist() == [[2.0, 3.0], [6.0, 7.0]]
    assert anomalies.label_names is not None
    assert anomalies.label_names.tolist() == ["a1", "a2"]
    assert anomalies.name == "toy"
    assert anomalies.feature_names == ("p", "q")
    picked = data.subset([3, -4], name="picked")
    assert picked.y is not None and picked.y.tolist() == [1, 0]
    assert picked.name == "picked"


@pytest.mark.parametrize(
    ("selector", "match"),
    [
        (np.array([True, False]), "one True/False per row"),
        ([5], "index 5 is out of range"),
        ([], "selection is empty"),
        (np.array([False, False, False]), "selection is empty"),
        (np.array([0.5]), "boolean mask or integer row indices"),
    ],
)
def test_subset_errors(selector: object, match: str) -> None:
    data = Dataset(X=np.ones((3, 2)))
    with pytest.raises(DataValidationError, match=match):
        data.subset(selector)
