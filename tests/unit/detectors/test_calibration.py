"""Conformal calibration: p-values, an FPR-targeting threshold that keeps its promise."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binom

import robustad
from robustad.detectors.calibration import (
    conformal_pvalues,
    conformal_threshold,
    minimum_calibration_size,
)
from robustad.exceptions import InvalidParameterError, NotFittedError


@pytest.mark.parametrize("name", ["ecod", "iforest", "knn"])
def test_observed_fpr_at_a_1pct_target_is_inside_the_binomial_99pct_interval(name) -> None:
    rng = np.random.default_rng(7)
    params = {"random_state": 0} if name == "iforest" else {}
    train, calibration, fresh = (rng.normal(size=(n, 4)) for n in (2000, 20000, 20000))
    det = robustad.make_detector(name, **params).fit(train).calibrate(calibration, fpr=0.01)
    false_alarms = int(det.predict(fresh).sum())
    low, high = binom.interval(0.99, fresh.shape[0], 0.01)
    assert low <= false_alarms <= high, f"{false_alarms} of 20000 normal rows flagged"
    # The contamination threshold (10 %) would be far outside: the test can fail.
    assert (
        not low
        <= int(robustad.make_detector(name, **params).fit(train).predict(fresh).sum())
        <= high
    )


def test_predict_agrees_with_pvalues_after_calibration() -> None:
    rng = np.random.default_rng(0)
    det = robustad.make_detector("ecod").fit(rng.normal(size=(300, 3)))
    det.calibrate(rng.normal(size=(400, 3)), fpr=0.05)
    X = np.vstack([rng.normal(size=(500, 3)), rng.normal(size=(50, 3)) + 4])
    np.testing.assert_array_equal(det.predict(X) == 1, det.predict_pvalue(X) <= 0.05)
    np.testing.assert_array_equal(det.labels_, (det.decision_scores_ > det.threshold_).astype(int))


def test_pvalues_are_uniform_on_normal_rows() -> None:
    rng = np.random.default_rng(1)
    det = robustad.make_detector("ecod").fit(rng.normal(size=(500, 2)))
    p = det.calibrate(rng.normal(size=(5000, 2))).predict_pvalue(rng.normal(size=(5000, 2)))
    assert p.min() > 0 and p.max() <= 1
    for a in (0.01, 0.1, 0.5):
        assert abs((p <= a).mean() - a) < 0.02


def test_calibration_survives_save_and_load(tmp_path) -> None:
    rng = np.random.default_rng(2)
    det = robustad.make_detector("ecod").fit(rng.normal(size=(200, 2)))
    det.calibrate(rng.normal(size=(300, 2)), fpr=0.1)
    loaded = robustad.load(det.save(tmp_path / "m"))
    X = rng.normal(size=(50, 2)) * 2
    np.testing.assert_array_equal(loaded.predict_pvalue(X), det.predict_pvalue(X))
    assert loaded.threshold_ == det.threshold_ and loaded.target_fpr_ == 0.1


def test_pvalue_needs_calibration_and_too_few_rows_is_an_error() -> None:
    rng = np.random.default_rng(3)
    det = robustad.make_detector("ecod").fit(rng.normal(size=(200, 2)))
    with pytest.raises(NotFittedError, match="calibrate"):
        det.predict_pvalue(rng.normal(size=(5, 2)))
    with pytest.raises(InvalidParameterError, match="at least 99"):
        det.calibrate(rng.normal(size=(50, 2)), fpr=0.01)
    assert not hasattr(det, "calibration_scores_"), "a failed calibration changed the detector"
    for bad in (0, 1, -0.1, float("nan")):
        with pytest.raises(InvalidParameterError, match="fpr"):
            det.calibrate(rng.normal(size=(500, 2)), fpr=bad)


def test_threshold_formula_with_ties() -> None:
    calibration = np.sort(np.array([1.0, 1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 3.0, 3.0, 4.0]))
    t = conformal_threshold(calibration, 0.2)  # m = floor(2.2) - 1 = 1
    assert t == 3.0
    p = conformal_pvalues(calibration, np.array([3.0, 3.5, 4.0, 4.5]))
    np.testing.assert_allclose(p, [6 / 11, 2 / 11, 2 / 11, 1 / 11])
    assert minimum_calibration_size(0.01) == 99 and minimum_calibration_size(0.05) == 19


def test_fit_with_fpr_holds_out_normal_rows() -> None:
    from robustad.detectors.calibration import fit_with_fpr

    rng = np.random.default_rng(4)
    X = np.vstack([rng.normal(size=(1000, 3)), rng.normal(size=(100, 3)) + 5])
    y = np.r_[np.zeros(1000, int), np.ones(100, int)]
    det = fit_with_fpr(robustad.make_detector("ecod"), X, y, fpr=0.01, random_state=0)
    assert det.calibration_scores_.shape == (200,)  # 20 % of the normal rows
    assert det.decision_scores_.shape == (900,)
    fresh = rng.normal(size=(20000, 3))
    assert det.predict(fresh).mean() < 0.03
    with pytest.raises(InvalidParameterError, match="at least 99"):
        fit_with_fpr(robustad.make_detector("ecod"), X[:300], fpr=0.01)
    with pytest.raises(InvalidParameterError, match="holdout"):
        fit_with_fpr(robustad.make_detector("ecod"), X, fpr=0.01, holdout=1.5)


def test_recalibration_keeps_the_target_and_refit_drops_it() -> None:
    rng = np.random.default_rng(5)
    det = robustad.make_detector("ecod").fit(rng.normal(size=(300, 2)))
    det.calibrate(rng.normal(size=(500, 2)), fpr=0.05)
    newer = rng.normal(size=(800, 2)) * 1.5
    det.calibrate(newer)  # same 5 % target, threshold from the newer rows
    assert det.target_fpr_ == 0.05
    assert det.threshold_ == conformal_threshold(np.sort(det.decision_function(newer)), 0.05)
    det.fit(rng.normal(size=(300, 2)))
    assert not hasattr(det, "calibration_scores_") and not hasattr(det, "target_fpr_")


def test_fine_tuning_drops_a_stale_calibration_and_widens_the_range() -> None:
    rng = np.random.default_rng(6)
    det = robustad.make_detector("autoencoder", epochs=2, random_state=0)
    det.fit(rng.normal(size=(300, 3))).calibrate(rng.normal(size=(200, 3)), fpr=0.05)
    shifted = rng.normal(size=(300, 3)) + 10
    det.fine_tune(shifted, epochs=1)
    assert not hasattr(det, "calibration_scores_")
    with pytest.raises(NotFittedError, match="calibrate"):
        det.predict_pvalue(shifted)
    assert not det.out_of_distribution(np.vstack([shifted, rng.normal(size=(5, 3))])).any()
