"""Tests of robustad.data.splits: stratified splits and training-only scaling."""

from __future__ import annotations

import numpy as np
import pytest

from robustad.data import Dataset, make_outlier_data, scale, train_test_split
from robustad.exceptions import DataValidationError, InvalidParameterError


@pytest.fixture(scope="module")
def data() -> Dataset:
    return make_outlier_data(n_samples=1000, n_features=3, contamination=0.1, random_state=0)


def test_stratified_split_keeps_the_anomaly_share(data: Dataset) -> None:
    train, test = train_test_split(data, test_size=0.3, random_state=0)
    assert (train.n_samples, test.n_samples) == (700, 300)
    assert train.contamination == pytest.approx(0.1)
    assert test.contamination == pytest.approx(0.1)
    assert (train.name, test.name) == ("synthetic:train", "synthetic:test")


def test_split_is_a_partition_and_deterministic(data: Dataset) -> None:
    train, test = train_test_split(data, test_size=100, random_state=1)
    again, _ = train_test_split(data, test_size=100, random_state=1)
    assert np.array_equal(train.X, again.X)
    rows = {tuple(r) for r in np.vstack([train.X, test.X])}
    assert rows == {tuple(r) for r in data.X}


def test_unstratified_and_unlabelled_splits(data: Dataset) -> None:
    train, test = train_test_split(data, stratify=False, random_state=0)
    assert train.n_samples + test.n_samples == data.n_samples
    unlabelled = Dataset(X=data.X)
    train, test = train_test_split(unlabelled, test_size=0.5, random_state=0)
    assert train.y is None and test.n_samples == 500


def test_too_small_class_cannot_be_stratified() -> None:
    data = Dataset(X=np.arange(20.0).reshape(10, 2), y=np.array([0] * 9 + [1]), name="tiny")
    with pytest.raises(DataValidationError, match=r"class 1 \(anomaly\) has only 1 row.*stratify"):
        train_test_split(data)
    train, _ = train_test_split(data, stratify=False, random_state=0)
    assert train.n_samples == 7


def test_test_part_too_small_for_both_classes() -> None:
    data = Dataset(X=np.arange(20.0).reshape(10, 2), y=np.array([0] * 8 + [1] * 2))
    with pytest.raises(DataValidationError, match="cannot split dataset"):
        train_test_split(data, test_size=1)


@pytest.mark.parametrize("test_size", [0, 1.0, 1.5, -0.1, 10, True, "0.3"])
def test_invalid_test_size(test_size: object) -> None:
    data = Dataset(X=np.ones((10, 1)))
    with pytest.raises(InvalidParameterError, match="test_size"):
        train_test_split(data, test_size=test_size)  # type: ignore[arg-type]


def test_standard_scaling_uses_training_statistics_only() -> None:
    # Train has mean 1, std 1 in column 0; test lies far away. Scaled with training statistics,
    # the test rows keep their distance; fitted on test (a leak) they would be centred at 0.
    train = Dataset(X=np.array([[0.0, 3.0], [2.0, 3.0]]))
    test = Dataset(X=np.array([[101.0, 7.0], [103.0, 9.0]]))
    scaled_train, scaled_test = scale(train, test, method="standard")
    assert scaled_train.X[:, 0].tolist() == [-1.0, 1.0]
    assert scaled_test.X[:, 0].tolist() == [100.0, 102.0]
    # Column 1 is constant in training: shifted only, never divided by zero.
    assert scaled_test.X[:, 1].tolist() == [4.0, 6.0]
    assert np.isfinite(scaled_train.X).all()
    # The inputs are not modified.
    assert test.X[0, 0] == 101.0


def test_minmax_and_robust_scaling_use_training_statistics() -> None:
    train = Dataset(X=np.array([[0.0], [1.0], [2.0], [3.0], [4.0]]))
    test = Dataset(X=np.array([[8.0]]))
    _, minmax_test = scale(train, test, method="minmax")
    assert minmax_test.X.tolist() == [[2.0]]
    # Robust: median 2, interquartile range 3 - 1 = 2.
    _, robust_test = scale(train, test, method="robust")
    assert robust_test.X.tolist() == [[3.0]]


@pytest.mark.parametrize("method", ["standard", "minmax", "robust"])
def test_zero_variance_columns_stay_finite(method: str) -> None:
    train = Dataset(X=np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 0.0], [1.0, 5.0]]))
    test = Dataset(X=np.array([[2.0, 1.0]]))
    scaled_train, scaled_test = scale(train, test, method=method)  # type: ignore[arg-type]
    assert np.isfinite(scaled_train.X).all()
    assert np.isfinite(scaled_test.X).all()


def test_scaling_keeps_labels_and_names(data: Dataset) -> None:
    train, test = train_test_split(data, random_state=0)
    scaled_train, scaled_test = scale(train, test)
    assert scaled_train.y is not None and train.y is not None
    assert np.array_equal(scaled_train.y, train.y)
    assert scaled_test.feature_names == test.feature_names
    assert scaled_train.X.mean(axis=0) == pytest.approx(np.zeros(3), abs=1e-12)


def test_scaling_errors() -> None:
    a = Dataset(X=np.ones((3, 2)))
    with pytest.raises(InvalidParameterError, match="method must be one of"):
        scale(a, a, method="zscore")  # type: ignore[arg-type]
    with pytest.raises(DataValidationError, match="different columns"):
        scale(a, Dataset(X=np.ones((3, 3))))
    with pytest.raises(DataValidationError, match="different columns"):
        scale(a, Dataset(X=np.ones((3, 2)), feature_names=("p", "q")))
