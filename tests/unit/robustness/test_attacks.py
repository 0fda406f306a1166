"""Evasion attacks: honest (PGD beats random at the same budget), feasible, recomputed."""

from __future__ import annotations

import numpy as np
import pytest

import robustad
from robustad.exceptions import DataValidationError, InvalidParameterError, NotFittedError
from robustad.robustness.attacks import (
    FeasibleSet,
    evasion_success,
    pgd_evasion,
    random_evasion,
)


@pytest.fixture(scope="module")
def setting():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, 6))
    X[:, 5] = rng.integers(0, 5, size=600)  # an integer column
    det = robustad.make_detector("autoencoder", epochs=30, random_state=0).fit(X)
    calibration = rng.normal(size=(400, 6))
    calibration[:, 5] = rng.integers(0, 5, size=400)
    det.calibrate(calibration, fpr=0.05)
    anomalies = rng.normal(size=(60, 6)) * 0.5 + [2.6, -2.6, 2.6, 0, 0, 0]
    anomalies[:, 5] = rng.integers(0, 5, size=60)
    feasible = FeasibleSet.from_data(X, frozen=[4])
    return det, anomalies, feasible


def test_pgd_evades_far_more_often_than_a_random_perturbation_of_the_same_size(setting) -> None:
    det, anomalies, feasible = setting
    budget = {"epsilon": 0.5, "feasible": feasible, "random_state": 0}
    attacked = {
        "pgd": pgd_evasion(det, anomalies, **budget),
        "one": random_evasion(det, anomalies, n_queries=1, **budget),
        "search": random_evasion(det, anomalies, n_queries=80, **budget),
    }
    rate = {k: evasion_success(det, anomalies, v)["success_rate"] for k, v in attacked.items()}
    assert evasion_success(det, anomalies, anomalies)["targets"] > 20
    assert rate["pgd"] > 3 * rate["one"] and rate["pgd"] > 0.3, rate
    assert rate["pgd"] >= rate["search"], rate
    lowered = det.decision_function(attacked["pgd"]) <= det.decision_function(anomalies) + 1e-12
    assert lowered.all()


def test_attacks_never_leave_the_feasible_set(setting) -> None:
    det, anomalies, feasible = setting
    for attacked in (
        pgd_evasion(det, anomalies, epsilon=0.25, feasible=feasible, random_state=1),
        random_evasion(det, anomalies, epsilon=0.25, feasible=feasible, random_state=1),
        pgd_evasion(det, anomalies, epsilon=0.25, feasible=feasible, direction="raise"),
    ):
        assert feasible.contains(attacked, anomalies, epsilon=0.25).all()
        np.testing.assert_array_equal(attacked[:, 4], anomalies[:, 4])  # frozen
        np.testing.assert_array_equal(attacked[:, 5], np.round(attacked[:, 5]))  # integer


def test_success_is_recomputed_with_decision_function(setting) -> None:
    """A detector whose gradient score lies cannot make the attack report success."""
    det, anomalies, feasible = setting
    rate = evasion_success(det, anomalies, anomalies)["success_rate"]
    assert rate == 0.0
    flagged_before = det.predict(anomalies) == 1
    attacked = pgd_evasion(det, anomalies, epsilon=0.5, feasible=feasible, random_state=0)
    flagged_after = det.predict(attacked) == 1
    expected = (flagged_before & ~flagged_after).sum() / flagged_before.sum()
    assert evasion_success(det, anomalies, attacked)["success_rate"] == pytest.approx(expected)


def test_flooding_raises_scores_of_normal_rows(setting) -> None:
    det, _, feasible = setting
    normal = np.random.default_rng(5).normal(size=(50, 6)) * [1, 1, 1, 1, 1, 0]
    normal[:, 5] = 2
    raised = pgd_evasion(det, normal, epsilon=0.5, feasible=feasible, direction="raise")
    assert evasion_success(det, normal, raised, direction="raise")["success_rate"] > 0.2


def test_zero_budget_changes_nothing(setting) -> None:
    det, anomalies, feasible = setting
    same = pgd_evasion(det, anomalies, epsilon=0.0, feasible=feasible, steps=3)
    np.testing.assert_array_equal(same, anomalies)


def test_bad_requests(setting) -> None:
    det, anomalies, feasible = setting
    with pytest.raises(InvalidParameterError, match="not differentiable"):
        pgd_evasion(
            robustad.make_detector("ecod").fit(anomalies), anomalies, epsilon=0.1, feasible=feasible
        )
    with pytest.raises(InvalidParameterError, match="epsilon"):
        pgd_evasion(det, anomalies, epsilon=float("nan"), feasible=feasible)
    with pytest.raises(InvalidParameterError, match="direction"):
        random_evasion(det, anomalies, epsilon=0.1, feasible=feasible, direction="up")
    with pytest.raises(DataValidationError, match="6 were expected"):
        pgd_evasion(det, anomalies[:, :3], epsilon=0.1, feasible=feasible)
    with pytest.raises(NotFittedError):
        random_evasion(robustad.make_detector("ecod"), anomalies, epsilon=0.1, feasible=feasible)
    with pytest.raises(InvalidParameterError, match="frozen"):
        FeasibleSet.from_data(anomalies, frozen=[9])
