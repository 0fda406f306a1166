"""Black-box attacks: more queries evade more, bookkeeping matches decision_function, transfer."""

from __future__ import annotations

import numpy as np
import pytest

import robustad
from robustad.exceptions import DataValidationError, InvalidParameterError, NotFittedError
from robustad.robustness.attacks import FeasibleSet, evasion_success, random_evasion
from robustad.robustness.blackbox import BlackBoxResult, coordinate_evasion, transfer_evasion

N_FEATURES = 80  # enough columns that 100 queries cannot move them all


@pytest.fixture(scope="module")
def wide():
    """A classical detector on many columns; anomalies are shifted a little in every column."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, N_FEATURES))
    X[:, 1] = rng.integers(0, 6, size=300)  # an integer column
    det = robustad.make_detector("knn").fit(X)
    anomalies = rng.normal(size=(40, N_FEATURES)) + 1.0
    anomalies[:, 1] = rng.integers(0, 6, size=40)
    feasible = FeasibleSet.from_data(X, frozen=[0])
    result = coordinate_evasion(
        det, anomalies, epsilon=0.5, feasible=feasible, n_queries=1000, random_state=0
    )
    return det, anomalies, feasible, result


def test_more_queries_evade_more_and_beat_a_random_draw(wide) -> None:
    det, anomalies, feasible, result = wide
    assert result.targets.sum() > 30
    at_100, at_1000 = result.evasion_curve([100, 1000])
    one = random_evasion(det, anomalies, epsilon=0.5, feasible=feasible, n_queries=1)
    one_rate = evasion_success(det, anomalies, one)["success_rate"]
    assert at_1000 > at_100 + 0.2 and at_1000 > 0.6, (at_100, at_1000)
    assert at_100 > one_rate, (at_100, one_rate)
    assert evasion_success(det, anomalies, result.X)["success_rate"] == pytest.approx(at_1000)
    # The search does not depend on its budget: a run with Q=100 is the curve's point at 100.
    short = coordinate_evasion(
        det, anomalies, epsilon=0.5, feasible=feasible, n_queries=100, random_state=0
    )
    assert short.queries_used.max() <= 100
    assert evasion_success(det, anomalies, short.X)["success_rate"] == pytest.approx(at_100)


def test_queries_to_evade_agree_with_decision_function(wide) -> None:
    det, anomalies, _, result = wide
    before = det.decision_function(anomalies)
    after = det.decision_function(result.X)
    np.testing.assert_array_equal(result.targets, before > det.threshold_)
    evaded = np.isfinite(result.queries_to_evade)
    assert (after[evaded] <= det.threshold_).all()
    assert (after[~evaded] > det.threshold_).all()
    assert (after <= before).all()
    assert (result.queries_to_evade[evaded] <= result.queries_used[evaded]).all()
    assert (result.queries_to_evade[result.targets & evaded] >= 2).all()
    assert (result.queries_used <= 1000).all() and (result.queries_used[~evaded] == 1000).all()


def test_rows_stay_feasible(wide) -> None:
    _, anomalies, feasible, result = wide
    assert feasible.contains(result.X, anomalies, epsilon=0.5).all()
    np.testing.assert_array_equal(result.X[:, 0], anomalies[:, 0])  # frozen
    np.testing.assert_array_equal(result.X[:, 1], np.round(result.X[:, 1]))  # integer


def test_flooding_and_other_classical_detectors() -> None:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(200, 5))
    feasible = FeasibleSet.from_data(X)
    normal = rng.normal(size=(30, 5)) * 0.5
    for det in (robustad.make_detector("iforest", random_state=0), robustad.make_detector("ecod")):
        det.fit(X)
        raised = coordinate_evasion(
            det,
            normal,
            epsilon=1.0,
            feasible=feasible,
            n_queries=60,
            direction="raise",
            random_state=0,
        )
        rate = evasion_success(det, normal, raised.X, direction="raise")["success_rate"]
        assert rate > 0.2 and rate == pytest.approx(raised.evasion_curve([60])[0]), det
        assert (det.decision_function(raised.X) >= det.decision_function(normal)).all()


def test_zero_budget_and_rows_already_past_the_threshold(wide) -> None:
    det, anomalies, feasible, _ = wide
    still = coordinate_evasion(det, anomalies, epsilon=0.0, feasible=feasible)
    np.testing.assert_array_equal(still.X, anomalies)
    assert (still.queries_used == 1).all() and still.evasion_curve([1000])[0] == 0.0
    inliers = np.random.default_rng(2).normal(size=(5, N_FEATURES)) * 0.1
    quiet = coordinate_evasion(det, inliers, epsilon=0.5, feasible=feasible, n_queries=100)
    assert not quiet.targets.any() and (quiet.queries_to_evade == 1).all()
    assert quiet.evasion_curve([100]).tolist() == [0.0]


@pytest.fixture(scope="module")
def autoencoders():
    rng = np.random.default_rng(0)
    private = rng.normal(size=(500, 6))
    target = robustad.make_detector("autoencoder", epochs=30, random_state=0).fit(private)
    target.calibrate(rng.normal(size=(300, 6)), fpr=0.05)
    public = np.random.default_rng(7).normal(size=(400, 6))  # the attacker's own normal data
    surrogate = robustad.make_detector("autoencoder", epochs=20, random_state=1).fit(public)
    anomalies = rng.normal(size=(60, 6)) * 0.5 + [2.6, -2.6, 2.6, 0, 0, 0]
    return target, surrogate, anomalies, FeasibleSet.from_data(public)


def test_transfer_from_a_surrogate_beats_a_random_perturbation(autoencoders) -> None:
    target, surrogate, anomalies, feasible = autoencoders
    budget = {"epsilon": 1.0, "feasible": feasible, "random_state": 0}
    transferred = transfer_evasion(target, surrogate, anomalies, **budget)
    one = random_evasion(target, anomalies, n_queries=1, **budget)
    rate = evasion_success(target, anomalies, transferred)["success_rate"]
    baseline = evasion_success(target, anomalies, one)["success_rate"]
    assert evasion_success(target, anomalies, anomalies)["targets"] > 20
    assert rate > 2 * baseline and rate > 0.3, (rate, baseline)
    assert feasible.contains(transferred, anomalies, epsilon=1.0).all()
    l2 = transfer_evasion(target, surrogate, anomalies, norm="l2", **budget)
    assert feasible.contains(l2, anomalies, epsilon=1.0, norm="l2").all()
    # A classical target works too: only the surrogate needs a gradient.
    knn = robustad.make_detector("knn").fit(np.random.default_rng(3).normal(size=(200, 6)))
    assert transfer_evasion(knn, surrogate, anomalies, **budget).shape == anomalies.shape


def test_bad_requests(wide, autoencoders) -> None:
    det, anomalies, feasible, result = wide
    target, surrogate, small, small_feasible = autoencoders
    call = {"epsilon": 0.5, "feasible": feasible}
    invalid = [
        ({"epsilon": -0.1}, "epsilon"),
        ({"epsilon": float("nan")}, "epsilon"),
        ({"epsilon": "0.5"}, "epsilon"),
        ({"n_queries": 0}, "n_queries"),
        ({"n_queries": -5}, "n_queries"),
        ({"n_queries": 2.5}, "n_queries"),
        ({"direction": "up"}, "direction"),
        ({"feasible": None}, "FeasibleSet"),
        ({"feasible": small_feasible}, "6 columns"),
    ]
    for change, message in invalid:
        with pytest.raises(InvalidParameterError, match=message):
            coordinate_evasion(det, anomalies, **{**call, **change})
    with pytest.raises(InvalidParameterError, match="robustad detector"):
        coordinate_evasion("knn", anomalies, **call)
    nan_rows, inf_rows = anomalies.copy(), anomalies.copy()
    nan_rows[2, 5], inf_rows[0, 3] = np.nan, np.inf
    for X in (nan_rows, inf_rows, anomalies[:0], anomalies[:, :10], anomalies[0], [["a"] * 80]):
        with pytest.raises(DataValidationError):
            coordinate_evasion(det, X, **call)
    with pytest.raises(NotFittedError):
        coordinate_evasion(robustad.make_detector("knn"), anomalies, **call)
    with pytest.raises(InvalidParameterError, match="budgets"):
        result.evasion_curve([0, 10])
    with pytest.raises(InvalidParameterError, match="budgets"):
        result.evasion_curve([[10]])
    assert isinstance(result, BlackBoxResult)
    # Transfer: the surrogate must be fitted, differentiable and on the target's columns.
    budget = {"epsilon": 0.5, "feasible": small_feasible}
    with pytest.raises(NotFittedError):
        transfer_evasion(target, robustad.make_detector("autoencoder"), small, **budget)
    ecod = robustad.make_detector("ecod").fit(small)
    with pytest.raises(InvalidParameterError, match="not differentiable"):
        transfer_evasion(target, ecod, small, **budget)
    with pytest.raises(DataValidationError, match="surrogate takes 80"):
        transfer_evasion(target, det, small, **budget)
    with pytest.raises(NotFittedError):
        transfer_evasion(robustad.make_detector("knn"), surrogate, small, **budget)
    with pytest.raises(InvalidParameterError, match="norm"):
        transfer_evasion(target, surrogate, small, norm="l0", **budget)
