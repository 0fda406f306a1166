"""Tests of robustad.data.synthetic.make_outlier_data."""

from __future__ import annotations

import numpy as np
import pytest

from robustad.data import make_outlier_data
from robustad.exceptions import InvalidParameterError


def test_same_seed_same_data_different_seed_different_data() -> None:
    a = make_outlier_data(random_state=3)
    b = make_outlier_data(random_state=3)
    c = make_outlier_data(random_state=4)
    assert np.array_equal(a.X, b.X)
    assert a.y is not None and b.y is not None
    assert np.array_equal(a.y, b.y)
    assert not np.array_equal(a.X, c.X)


def test_global_random_state_is_untouched() -> None:
    # The legacy global state is exactly what must stay untouched, hence the legacy calls.
    before = np.random.get_state(legacy=False)  # noqa: NPY002
    make_outlier_data(random_state=None)
    after = np.random.get_state(legacy=False)  # noqa: NPY002
    assert np.array_equal(before["state"]["key"], after["state"]["key"])
    assert before["state"]["pos"] == after["state"]["pos"]


@pytest.mark.parametrize(("n_features", "contamination"), [(1, 0.2), (5, 0.1), (40, 0.05)])
def test_outliers_are_far_from_inliers(n_features: int, contamination: float) -> None:
    data = make_outlier_data(
        n_samples=400, n_features=n_features, contamination=contamination, random_state=0
    )
    assert data.y is not None
    assert data.X.shape == (400, n_features)
    assert int(data.y.sum()) == round(400 * contamination)
    radius = np.linalg.norm(data.X, axis=1)
    assert radius[data.y == 1].min() > radius[data.y == 0].max()
    assert data.feature_names[0] == "x0"
    assert data.source.startswith("synthetic: ")


def test_outliers_are_shuffled_among_inliers() -> None:
    data = make_outlier_data(n_samples=200, contamination=0.5, random_state=0)
    assert data.y is not None
    assert 0 < int(data.y[:100].sum()) < 100


def test_zero_contamination_and_generator_seed() -> None:
    data = make_outlier_data(n_samples=10, contamination=0.0, random_state=np.random.default_rng(1))
    assert data.y is not None and int(data.y.sum()) == 0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"n_samples": 1},
        {"n_samples": 10.0},
        {"n_features": 0},
        {"n_features": True},
        {"contamination": 0.6},
        {"contamination": -0.1},
        {"contamination": "0.1"},
    ],
)
def test_invalid_parameters(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidParameterError):
        make_outlier_data(**kwargs)  # type: ignore[arg-type]
