"""Certified AUROC (R10): exact at 0, monotone, below any attack, and spectral norm helps."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest

import robustad
from robustad.evaluation.metrics import auroc
from robustad.exceptions import DataValidationError, InvalidParameterError, NotFittedError
from robustad.robustness.attacks import FeasibleSet
from robustad.robustness.certified import (
    attacked_auroc,
    certified_auroc,
    certified_curve,
    lipschitz_bound,
)

EPSILONS = (0.0, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0)


def _data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    mixing = rng.normal(size=(6, 6)) * 0.5
    X_train = rng.normal(size=(300, 6)) @ mixing
    X = np.vstack([rng.normal(size=(60, 6)) @ mixing, rng.normal(size=(20, 6)) * 2 + 2])
    y = np.r_[np.zeros(60, dtype=int), np.ones(20, dtype=int)]
    return X_train, X, y


_FITTED: dict[tuple[str, bool], Any] = {}


def _fitted(name: str = "autoencoder", spectral_norm: bool = False) -> Any:
    key = (name, spectral_norm)
    if key not in _FITTED:
        X_train, _, _ = _data()
        _FITTED[key] = robustad.make_detector(
            name, spectral_norm=spectral_norm, epochs=10, random_state=0
        ).fit(X_train)
    return _FITTED[key]


@pytest.mark.parametrize("spectral_norm", [False, True])
@pytest.mark.parametrize("name", ["autoencoder", "vae", "deep_svdd"])
def test_certified_auroc_at_zero_is_clean_and_decreases(name: str, spectral_norm: bool) -> None:
    det = _fitted(name, spectral_norm)
    _, X, y = _data()
    clean = auroc(y, det.decision_function(X))
    values = [certified_auroc(det, X, y, eps) for eps in EPSILONS]
    assert values[0] == clean
    assert all(b <= a for a, b in itertools.pairwise(values))
    assert values[-1] < values[0]  # a large enough ball breaks the ranking
    curve = certified_curve(det, X, y, list(EPSILONS))
    assert curve["certified_auroc"] == values
    assert curve["clean_auroc"] == clean
    assert curve["lipschitz"] == lipschitz_bound(det)
    assert "attacked_auroc" not in curve


@pytest.mark.parametrize("spectral_norm", [False, True])
def test_certificate_is_below_every_attack(spectral_norm: bool) -> None:
    det = _fitted("autoencoder", spectral_norm)
    X_train, X, y = _data()
    feasible = FeasibleSet.from_data(X_train, integer=[])
    curve = certified_curve(
        det, X, y, [0.0, 0.25, 0.5, 1.0], feasible=feasible, steps=15, random_state=0
    )
    for certified, attacked in zip(curve["certified_auroc"], curve["attacked_auroc"], strict=True):
        assert certified <= attacked
    assert curve["attacked_auroc"][0] == curve["clean_auroc"]
    # The attack does something: it lowers the AUROC at the largest budget.
    assert curve["attacked_auroc"][-1] < curve["clean_auroc"]
    assert curve["attacked_auroc"][-1] == attacked_auroc(
        det, X, y, 1.0, feasible, steps=15, random_state=0
    )


def test_spectral_norm_certifies_much_more_for_the_autoencoder() -> None:
    _, X, y = _data()
    plain = certified_auroc(_fitted("autoencoder", False), X, y, 0.5)
    constrained = certified_auroc(_fitted("autoencoder", True), X, y, 0.5)
    # Measured: about 0.25 without and 0.97 with the constraint (L about 7 vs 2).
    assert constrained >= plain + 0.3


def test_explicit_lipschitz_is_used() -> None:
    det = _fitted()
    _, X, y = _data()
    bound = lipschitz_bound(det)
    assert certified_auroc(det, X, y, 0.3, lipschitz=bound) == certified_auroc(det, X, y, 0.3)
    assert certified_auroc(det, X, y, 0.3, lipschitz=2 * bound) == certified_auroc(det, X, y, 0.6)
    assert certified_auroc(det, X, y, 5.0, lipschitz=0.0) == certified_auroc(det, X, y, 0.0)


def test_a_user_bound_works_for_any_detector_with_nonnegative_scores() -> None:
    X_train, X, y = _data()
    det = robustad.make_detector("ecod").fit(X_train)
    assert certified_auroc(det, X, y, 0.0, lipschitz=1.0) == auroc(y, det.decision_function(X))


# ---------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "X",
    [
        np.full((4, 6), np.nan),
        np.full((4, 6), np.inf),
        np.empty((0, 6)),
        np.zeros((4, 5)),
        np.zeros(6),
    ],
    ids=["nan", "inf", "empty", "wrong-columns", "1-d"],
)
def test_bad_features_are_refused(X: np.ndarray) -> None:
    det = _fitted()
    y = np.r_[0, 0, 1, 1]  # X is refused before y is looked at
    for call in (
        lambda: certified_auroc(det, X, y, 0.1),
        lambda: certified_curve(det, X, y, [0.1]),
        lambda: attacked_auroc(det, X, y, 0.1, FeasibleSet.from_data(_data()[0])),
    ):
        with pytest.raises(DataValidationError, match="X"):
            call()


@pytest.mark.parametrize(
    "y", [np.zeros(80, dtype=int), np.ones(80, dtype=int), np.zeros(5, dtype=int), None]
)
def test_bad_y_is_refused(y: Any) -> None:
    _, X, _ = _data()
    with pytest.raises(DataValidationError, match="y"):
        certified_auroc(_fitted(), X, y, 0.1)


@pytest.mark.parametrize("epsilon", [-0.1, float("nan"), float("inf"), True, "0.1", None])
def test_bad_epsilon_is_refused(epsilon: Any) -> None:
    _, X, y = _data()
    det = _fitted()
    with pytest.raises(InvalidParameterError, match="epsilon"):
        certified_auroc(det, X, y, epsilon)
    with pytest.raises(InvalidParameterError, match="epsilons"):
        certified_curve(det, X, y, [0.1, epsilon])
    with pytest.raises(InvalidParameterError, match="epsilon"):
        attacked_auroc(det, X, y, epsilon, FeasibleSet.from_data(_data()[0]))


@pytest.mark.parametrize("epsilons", [[], 0.5, "0.5"])
def test_bad_epsilons_are_refused(epsilons: Any) -> None:
    _, X, y = _data()
    with pytest.raises(InvalidParameterError, match="epsilons"):
        certified_curve(_fitted(), X, y, epsilons)


@pytest.mark.parametrize("lipschitz", [-1.0, float("nan"), float("inf"), "2"])
def test_bad_lipschitz_is_refused(lipschitz: Any) -> None:
    _, X, y = _data()
    with pytest.raises(InvalidParameterError, match="lipschitz"):
        certified_auroc(_fitted(), X, y, 0.1, lipschitz=lipschitz)


def test_unfitted_and_unsupported_detectors_are_refused() -> None:
    X_train, X, y = _data()
    with pytest.raises(NotFittedError, match="fit"):
        certified_auroc(robustad.make_detector("autoencoder"), X, y, 0.1)
    with pytest.raises(InvalidParameterError, match="detector"):
        certified_auroc(robustad.make_detector("iforest").fit(X_train), X, y, 0.1)
    with pytest.raises(InvalidParameterError, match="detector"):
        certified_auroc(object(), X, y, 0.1)  # type: ignore[arg-type]


def test_feasible_set_in_other_units_is_refused() -> None:
    X_train, X, y = _data()
    det = _fitted()
    with pytest.raises(InvalidParameterError, match="feasible"):
        certified_curve(det, X, y, [0.1], feasible=FeasibleSet.from_data(X_train * 2))
    with pytest.raises(InvalidParameterError, match="feasible"):
        attacked_auroc(det, X, y, 0.1, feasible=None)  # type: ignore[arg-type]
