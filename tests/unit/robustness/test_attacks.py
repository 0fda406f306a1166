"""Evasion attacks: honest (PGD beats random at the same budget), feasible, recomputed."""

from __future__ import annotations

import math

import numpy as np
import pytest

import robustad
from robustad.exceptions import DataValidationError, InvalidParameterError, NotFittedError
from robustad.robustness.attacks import (
    FeasibleSet,
    apae_l0,
    apae_l2,
    apae_random,
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
    with pytest.raises(InvalidParameterError, match="restarts"):
        pgd_evasion(det, anomalies, epsilon=0.1, feasible=feasible, restarts=-1)
    with pytest.raises(InvalidParameterError, match="direction"):
        random_evasion(det, anomalies, epsilon=0.1, feasible=feasible, direction="up")
    with pytest.raises(DataValidationError, match="6 were expected"):
        pgd_evasion(det, anomalies[:, :3], epsilon=0.1, feasible=feasible)
    with pytest.raises(NotFittedError):
        random_evasion(robustad.make_detector("ecod"), anomalies, epsilon=0.1, feasible=feasible)
    with pytest.raises(InvalidParameterError, match="frozen"):
        FeasibleSet.from_data(anomalies, frozen=[9])


def test_l2_pgd_evades_far_more_often_than_a_random_l2_perturbation(setting) -> None:
    det, anomalies, feasible = setting
    budget = {"epsilon": 1.0, "feasible": feasible, "norm": "l2", "random_state": 0}
    attacked = {
        "pgd": pgd_evasion(det, anomalies, **budget),
        "one": random_evasion(det, anomalies, n_queries=1, **budget),
        "search": random_evasion(det, anomalies, n_queries=80, **budget),
    }
    rate = {k: evasion_success(det, anomalies, v)["success_rate"] for k, v in attacked.items()}
    assert rate["pgd"] > 3 * rate["one"] and rate["pgd"] > 0.5, rate
    assert rate["pgd"] >= rate["search"], rate
    for rows in attacked.values():
        assert feasible.contains(rows, anomalies, epsilon=1.0, norm="l2").all()
        assert (feasible.length(rows, anomalies, "l2") <= 1.0 + 1e-9).all()
    # The L2 ball is the tighter budget here: the L-infinity box of the same radius is not used up.
    assert not feasible.contains(attacked["pgd"], anomalies, epsilon=0.5).all()


def test_l2_projection_is_feasible_and_rounds_toward_the_original() -> None:
    rng = np.random.default_rng(3)
    train = np.column_stack(
        [rng.normal(size=200), rng.integers(0, 10, size=200), rng.normal(size=200)]
    )
    feasible = FeasibleSet.from_data(train, frozen=[2])
    original = np.column_stack(
        [rng.normal(size=50), rng.uniform(0, 9, size=50), rng.normal(size=50)]
    )
    original[:25, 1] = np.round(original[:25, 1])
    wild = original + rng.normal(size=original.shape) * 10
    for epsilon in (0.0, 0.3, 1.0, 50.0):
        projected = feasible.project(wild, original, epsilon, norm="l2")
        assert feasible.contains(projected, original, epsilon, norm="l2").all()
    # A whole unit on the integer column is 1 / scale standard deviations. Rounding 2.6 to the
    # nearest whole number (3) would leave a ball of 0.7 units; rounding toward 2 cannot.
    unit = 1 / feasible.scale[1]
    start = np.array([[0.0, 2.0, 0.0]])
    up = np.array([[0.0, 1.0, 0.0]])
    moved = feasible.project(start + 0.6 * up, start, 0.7 * unit, norm="l2")
    np.testing.assert_array_equal(moved, start)
    assert feasible.contains(start + up, start, 1.0 * unit, norm="l2").all()
    assert not feasible.contains(start + up, start, 0.9 * unit, norm="l2").any()


@pytest.fixture(scope="module")
def apae_attacked(setting):
    det, anomalies, feasible = setting
    return {
        "random": apae_random(det, anomalies, feasible=feasible, n_vectors=200, random_state=0),
        "l2": apae_l2(det, anomalies, feasible=feasible, max_steps=300),
        "l0": apae_l0(det, anomalies, feasible=feasible, k=3),
    }


def test_apae_attacks_lower_scores_and_stay_feasible(setting, apae_attacked) -> None:
    det, anomalies, feasible = setting
    before = det.decision_function(anomalies)
    for name, rows in apae_attacked.items():
        after = det.decision_function(rows)
        assert (after <= before + 1e-12).all(), name
        assert after.mean() < 0.8 * before.mean(), name
        assert evasion_success(det, anomalies, rows)["success_rate"] > 0, name
        assert feasible.contains(rows, anomalies, epsilon=math.inf).all(), name  # range
        np.testing.assert_array_equal(rows[:, 4], anomalies[:, 4])  # frozen
        np.testing.assert_array_equal(rows[:, 5], np.round(rows[:, 5]))  # integer
    assert ((apae_attacked["l0"] != anomalies).sum(axis=1) <= 3).all()
    assert (feasible.relative_change(apae_attacked["l2"], anomalies) <= 20).all()


def test_apae_l2_spends_its_relative_budget_and_stops_there(setting) -> None:
    det, anomalies, feasible = setting
    attacked = apae_l2(det, anomalies, feasible=feasible, budget=3.0, step_size=0.05)
    change = feasible.relative_change(attacked, anomalies)
    assert (change <= 3.0).all() and change.max() > 2.0, change
    # Relative L1 change on the min-max scaled range, as the formula says.
    span = feasible.high - feasible.low
    expected = 100 * (abs(attacked - anomalies) / span).sum(1)
    expected /= (abs(anomalies - feasible.low) / span).sum(1)
    np.testing.assert_allclose(change, expected)
    assert (apae_l2(det, anomalies, feasible=feasible, budget=0.0) == anomalies).all()


def test_apae_raise_pushes_normal_rows_up(setting) -> None:
    det, _, feasible = setting
    normal = np.random.default_rng(6).normal(size=(30, 6)) * [1, 1, 1, 1, 1, 0]
    raised = apae_l0(det, normal, feasible=feasible, k=3, steps=100, direction="raise")
    assert (det.decision_function(raised) >= det.decision_function(normal) - 1e-12).all()
    assert det.decision_function(raised).mean() > det.decision_function(normal).mean()


def test_new_parameters_are_checked(setting) -> None:
    det, anomalies, feasible = setting
    ecod = robustad.make_detector("ecod").fit(anomalies)
    bad_calls = [
        (lambda: pgd_evasion(det, anomalies, epsilon=0.1, feasible=feasible, norm="l1"), "norm"),
        (
            lambda: random_evasion(det, anomalies, epsilon=0.1, feasible=feasible, n_queries=0),
            "n_queries",
        ),
        (lambda: pgd_evasion(det, anomalies, epsilon=-1.0, feasible=feasible), "epsilon"),
        (
            lambda: pgd_evasion(det, anomalies, epsilon=0.1, feasible=feasible, step_size=0),
            "step_size",
        ),
        (lambda: apae_random(det, anomalies, feasible=feasible, n_vectors=0), "n_vectors"),
        (lambda: apae_random(det, anomalies, feasible=feasible, sigma=float("nan")), "sigma"),
        (lambda: apae_l2(det, anomalies, feasible=feasible, budget=-1), "budget"),
        (lambda: apae_l2(det, anomalies, feasible=feasible, max_steps=1.5), "max_steps"),
        (lambda: apae_l0(det, anomalies, feasible=feasible, k=0), "k must"),
        (lambda: apae_l0(det, anomalies, feasible=feasible, steps=True), "steps"),
        (lambda: apae_l2(ecod, anomalies, feasible=feasible), "not differentiable"),
        (lambda: apae_l0(ecod, anomalies, feasible=feasible), "not differentiable"),
        (lambda: apae_random(det, anomalies, feasible="box"), "FeasibleSet"),
        (lambda: apae_random(None, anomalies, feasible=feasible), "robustad detector"),
        (
            lambda: apae_l2(det, anomalies, feasible=FeasibleSet.from_data(anomalies[:, :3])),
            "3 columns",
        ),
    ]
    for call, message in bad_calls:
        with pytest.raises(InvalidParameterError, match=message):
            call()
    nan_row, inf_row = anomalies.copy(), anomalies.copy()
    nan_row[3, 2], inf_row[0, 0] = np.nan, -np.inf
    for X in (nan_row, inf_row, anomalies[:0], anomalies[0], "rows"):
        with pytest.raises(DataValidationError):
            apae_l0(det, X, feasible=feasible)
    with pytest.raises(NotFittedError):
        apae_random(robustad.make_detector("autoencoder"), anomalies, feasible=feasible)


def test_an_oversized_budget_stays_inside_the_training_range(setting) -> None:
    """A budget far beyond the data cannot overflow or leave the feasible set."""
    from robustad.robustness.blackbox import coordinate_evasion

    det, anomalies, feasible = setting
    rows = anomalies[:10]
    for attacked in (
        pgd_evasion(det, rows, epsilon=1e300, feasible=feasible, steps=3),
        pgd_evasion(det, rows, epsilon=1e300, feasible=feasible, steps=3, norm="l2"),
        random_evasion(det, rows, epsilon=1e300, feasible=feasible),
        coordinate_evasion(det, rows, epsilon=1e300, feasible=feasible, n_queries=30).X,
    ):
        assert np.isfinite(attacked).all()
        assert feasible.contains(attacked, rows, epsilon=1e300).all()
        np.testing.assert_array_equal(attacked[:, 4], rows[:, 4])  # frozen column untouched


def test_small_steps_accumulate_on_integer_columns() -> None:
    """Rounding only the scored rows lets steps shorter than half a unit add up."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(500, 3))
    X[:, 2] = rng.integers(0, 3, size=500)  # whole numbers 0-2, std about 0.8
    det = robustad.make_detector("autoencoder", epochs=20, dropout=0.0, random_state=0).fit(X)
    feasible = FeasibleSet.from_data(X)
    anomalies = np.column_stack([rng.normal(size=(40, 2)) + 2.5, np.full(40, 2.0)])
    # eps 2 allows a change of about 1.6 in the integer column, in steps of about 0.16.
    attacked = pgd_evasion(det, anomalies, epsilon=2.0, feasible=feasible, restarts=0)
    assert feasible.contains(attacked, anomalies, epsilon=2.0).all()
    assert (attacked[:, 2] != anomalies[:, 2]).any()
    np.testing.assert_array_equal(attacked[:, 2], np.round(attacked[:, 2]))


def test_discrete_columns_only_take_values_seen_in_training() -> None:
    """One-hot and coded columns stay on their levels, also after standardisation."""
    rng = np.random.default_rng(4)
    X = rng.normal(size=(600, 4))
    X[:, 2] = rng.integers(0, 2, size=600)  # a one-hot flag
    X[:, 3] = rng.choice([0.0, 1.0, 5.0], size=600)  # a code
    X = (X - X.mean(axis=0)) / X.std(axis=0)  # standardised: no longer whole numbers
    feasible = FeasibleSet.from_data(X)
    assert sorted(feasible.levels) == [2, 3] and not feasible.integer.any()
    det = robustad.make_detector("autoencoder", epochs=20, dropout=0.0, random_state=0).fit(X)
    anomalies = X[:40].copy()
    anomalies[:, :2] += 3.0
    for norm, epsilon in (("linf", 3.0), ("l2", 4.0)):
        for attacked in (
            pgd_evasion(det, anomalies, epsilon=epsilon, feasible=feasible, norm=norm),
            random_evasion(det, anomalies, epsilon=epsilon, feasible=feasible, norm=norm),
        ):
            assert feasible.contains(attacked, anomalies, epsilon=epsilon, norm=norm).all()
            for column in (2, 3):
                assert np.isin(attacked[:, column], feasible.levels[column]).all()
    # A value not seen in training may stay, but no attack moves a row onto one.
    odd = anomalies.copy()
    odd[:, 3] = 0.123
    kept = feasible.project(odd, odd, epsilon=0.01)
    np.testing.assert_array_equal(kept[:, 3], odd[:, 3])


def test_column_lists_are_checked() -> None:
    X = np.random.default_rng(0).normal(size=(20, 3))
    with pytest.raises(InvalidParameterError, match="discrete"):
        FeasibleSet.from_data(X, discrete=[3])
    with pytest.raises(InvalidParameterError, match="integer"):
        FeasibleSet.from_data(X, integer=[True])
    with pytest.raises(InvalidParameterError, match="max_levels"):
        FeasibleSet.from_data(X, max_levels=0)
