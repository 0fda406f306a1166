from __future__ import annotations

import numpy as np
import pytest

from robustad.exceptions import DataValidationError, InvalidParameterError
from robustad.robustness.perturbations import (
    PERTURBATIONS,
    contamination,
    duplicated_anomalies,
    feature_dropout,
    gaussian_noise,
    irrelevant_features,
    label_flips,
    mean_drift,
    unit_change,
)


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 10))
    y = np.zeros(200, dtype=np.int64)
    y[:20] = 1
    X[:20] += 4
    return X, y


@pytest.mark.parametrize("name", sorted(PERTURBATIONS))
def test_every_perturbation_is_pure_and_seeded(name, data) -> None:
    X, y = data
    spec = PERTURBATIONS[name]
    X_before, y_before = X.copy(), y.copy()
    level = spec.levels[-1]
    a = spec.function(X, y, np.random.default_rng(1), level)
    b = spec.function(X, y, np.random.default_rng(1), level)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)
    assert a[0].shape[0] == a[1].shape[0] and np.isfinite(a[0]).all()
    assert spec.clean_level in spec.levels


@pytest.mark.parametrize("name", sorted(PERTURBATIONS))
def test_clean_level_changes_nothing_but_order(name, data) -> None:
    X, y = data
    spec = PERTURBATIONS[name]
    X2, y2 = spec.function(X, y, np.random.default_rng(0), spec.clean_level)
    if name in ("duplicated_anomalies", "contamination"):
        assert y2.sum() == (y.sum() if name == "duplicated_anomalies" else 0)
    else:
        np.testing.assert_array_equal(np.sort(X2, axis=None), np.sort(X, axis=None))
        np.testing.assert_array_equal(y2, y)


@pytest.mark.parametrize("name", sorted(PERTURBATIONS))
def test_bad_input_is_rejected(name, data) -> None:
    X, y = data
    function = PERTURBATIONS[name].function
    rng = np.random.default_rng(0)
    bad = X.copy()
    bad[3, 4] = np.nan
    with pytest.raises(DataValidationError, match="row 3"):
        function(bad, y, rng, PERTURBATIONS[name].levels[1])
    with pytest.raises(DataValidationError):
        function(X, y[:-1], rng, PERTURBATIONS[name].levels[1])
    with pytest.raises(DataValidationError):
        function(X[:0], y[:0], rng, PERTURBATIONS[name].levels[1])
    with pytest.raises(InvalidParameterError, match="level"):
        function(X, y, rng, float("nan"))
    with pytest.raises(InvalidParameterError, match="level"):
        function(X, y, rng, 1e9)


def test_duplicated_anomalies_multiplies_anomalies_only(data) -> None:
    X, y = data
    X2, y2 = duplicated_anomalies(X, y, np.random.default_rng(0), 3)
    assert (y2 == 0).sum() == 180 and (y2 == 1).sum() == 60
    anomaly_rows = {tuple(r) for r in X[y == 1]}
    assert all(tuple(r) in anomaly_rows for r in X2[y2 == 1])


def test_irrelevant_features_share_and_ranges(data) -> None:
    X, y = data
    X2, _ = irrelevant_features(X, y, np.random.default_rng(0), 0.5)
    assert X2.shape == (200, 20)  # int(0.5 / 0.5 * 10) = 10 noise columns
    assert X2.min() >= X.min() and X2.max() <= X.max()
    X3, _ = irrelevant_features(X, y, np.random.default_rng(0), 0.25)
    assert X3.shape[1] == 13  # int(0.25 / 0.75 * 10) = 3


def test_label_flips_count(data) -> None:
    X, y = data
    _, y2 = label_flips(X, y, np.random.default_rng(0), 0.1)
    assert (y2 != y).sum() == 20


@pytest.mark.parametrize("rate", [0.02, 0.05, 0.1, 0.2])
def test_contamination_hits_the_requested_share(data, rate) -> None:
    X, y = data
    X2, y2 = contamination(X, y, np.random.default_rng(0), rate)
    assert (y2 == 0).sum() == 180
    assert y2.mean() == pytest.approx(rate, abs=0.005)
    # Synthetic anomalies (beyond the 20 real ones) are not exact copies of a real one.
    real = {tuple(r) for r in X[y == 1]}
    synthetic = [tuple(r) for r in X2[y2 == 1] if tuple(r) not in real]
    assert len(synthetic) == max(0, int((y2 == 1).sum()) - 20)


def test_contamination_without_anomalies_is_an_error(data) -> None:
    X, y = data
    with pytest.raises(DataValidationError, match="no anomalies"):
        contamination(X, np.zeros_like(y), np.random.default_rng(0), 0.1)


def test_test_shifts_do_what_they_say(data) -> None:
    X, y = data
    rng = np.random.default_rng(0)
    noisy, _ = gaussian_noise(X, y, rng, 0.25)
    assert 0.1 < np.std(noisy - X) / np.mean(X.std(axis=0)) < 0.4
    dropped, _ = feature_dropout(X, y, rng, 0.25)
    assert (np.all(dropped == 0, axis=0)).sum() in (2, 3)
    scaled, _ = unit_change(X, y, rng, 10)
    assert (np.abs(scaled - X).max(axis=0) > 0).sum() == 1
    drifted, _ = mean_drift(X, y, rng, 2.0)
    moved = np.abs(drifted.mean(axis=0) - X.mean(axis=0)) > 1.0
    assert moved.sum() == 5
