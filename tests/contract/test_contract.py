"""Every registered detector passes every check of the public contract suite."""

from __future__ import annotations

import pytest

from robustad.detectors.registry import list_detectors, make_detector
from robustad.testing import all_checks, check_detector

CHECKS = list(all_checks())


@pytest.mark.parametrize("check", CHECKS, ids=[c.__name__ for c in CHECKS])
@pytest.mark.parametrize("name", list_detectors())
def test_detector_honours_contract(name: str, check) -> None:
    check(make_detector(name))


def test_check_detector_reports_a_broken_detector() -> None:
    """The suite can fail: a detector that scores inliers higher is caught."""
    from robustad.detectors.classical.ecdf import ECOD

    class Inverted(ECOD):
        def _fit(self, X, y):
            return -super()._fit(X, y)

        def _score(self, X):
            return -super()._score(X)

    with pytest.raises(AssertionError, match="check_planted_outliers_score_higher"):
        check_detector(Inverted())


def test_check_detector_catches_init_side_effects() -> None:
    from robustad.detectors.classical.ecdf import ECOD

    class Eager(ECOD):
        def __init__(self, contamination: float = 0.1) -> None:
            super().__init__(contamination=contamination)
            self.cache_ = {}

    with pytest.raises(AssertionError, match="check_init_stores_params_only"):
        check_detector(Eager())
