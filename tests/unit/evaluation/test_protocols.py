"""Protocols: split sizes, scaling source, one-class filtering, contamination."""

from __future__ import annotations

import numpy as np
import pytest

from robustad.data import Dataset, make_outlier_data
from robustad.evaluation.protocols import get_protocol, list_protocols
from robustad.exceptions import DataValidationError, InvalidParameterError


@pytest.fixture(scope="module")
def data() -> Dataset:
    return make_outlier_data(n_samples=400, contamination=0.1, random_state=0)


def test_adbench_is_stratified_70_30_minmax_on_train(data: Dataset) -> None:
    train, test = get_protocol("adbench").split(data, seed=1)
    assert (train.n_samples, test.n_samples) == (280, 120)
    assert train.y is not None and test.y is not None
    assert train.y.mean() == pytest.approx(test.y.mean(), abs=0.01)
    assert train.X.min(axis=0) == pytest.approx(0) and train.X.max(axis=0) == pytest.approx(1)


def test_pyod_odds_is_60_40_standardised_with_true_contamination(data: Dataset) -> None:
    protocol = get_protocol("pyod-odds")
    train, test = protocol.split(data, seed=0)
    assert (train.n_samples, test.n_samples) == (240, 160)
    assert train.X.mean(axis=0) == pytest.approx(0, abs=1e-9)
    assert protocol.seeds == tuple(range(10))
    params = protocol.detector_params(train, ["contamination"])
    assert params["contamination"] == pytest.approx(float(np.mean(train.y)))


def test_pyod_odds_split_matches_sklearn_unstratified(data: Dataset) -> None:
    from sklearn.model_selection import train_test_split

    _, test = get_protocol("pyod-odds").split(data, seed=3)
    _, X_test = train_test_split(data.X, test_size=0.4, random_state=3)
    scaled = (X_test - X_test.mean(axis=0)) / X_test.std(axis=0)
    ours = (test.X - test.X.mean(axis=0)) / test.X.std(axis=0)
    np.testing.assert_allclose(ours, scaled, atol=1e-9)


def test_clean_train_fits_on_normal_rows_only(data: Dataset) -> None:
    train, test = get_protocol("clean-train").split(data, seed=2)
    assert train.y is not None and test.y is not None
    assert train.y.sum() == 0 and test.y.sum() > 0


def test_seed_lists() -> None:
    assert get_protocol("adbench").seed_list() == [1, 2, 3]
    assert get_protocol("pyod-odds").seed_list(3) == [0, 1, 2]
    with pytest.raises(InvalidParameterError, match="seeds"):
        get_protocol("adbench").seed_list(0)


def test_unknown_protocol_names_the_accepted_ones() -> None:
    with pytest.raises(InvalidParameterError, match="adbench, clean-train, pyod-odds"):
        get_protocol("odds")
    assert list_protocols() == ["adbench", "clean-train", "pyod-odds"]


def test_unlabelled_dataset_is_refused() -> None:
    unlabelled = Dataset(X=np.zeros((10, 2)), name="plain")
    with pytest.raises(DataValidationError, match="'plain' has no labels"):
        get_protocol("adbench").split(unlabelled, seed=1)
