from __future__ import annotations

import numpy as np
import pytest

import robustad
from robustad.data import make_outlier_data
from robustad.exceptions import DataValidationError, InvalidParameterError


@pytest.fixture(scope="module")
def fitted():
    data = make_outlier_data(n_samples=200, n_features=3, random_state=0)
    return robustad.make_detector("ecod").fit(data.X), data


def test_threshold_is_the_pyod_percentile(fitted) -> None:
    det, _ = fitted
    expected = np.percentile(det.decision_scores_, 90.0)
    assert det.threshold_ == pytest.approx(expected)


def test_predict_proba_linear_matches_min_max_of_training_scores(fitted) -> None:
    det, data = fitted
    scores = det.decision_function(data.X)
    low, high = det.decision_scores_.min(), det.decision_scores_.max()
    np.testing.assert_allclose(
        det.predict_proba(data.X)[:, 1], np.clip((scores - low) / (high - low), 0, 1)
    )


def test_predict_proba_rejects_unknown_method(fitted) -> None:
    det, data = fitted
    with pytest.raises(InvalidParameterError, match="linear"):
        det.predict_proba(data.X, method="softmax")


def test_labels_are_validated_even_if_unused() -> None:
    data = make_outlier_data(n_samples=50, random_state=0)
    with pytest.raises(DataValidationError, match="50 rows"):
        robustad.make_detector("ecod").fit(data.X, np.zeros(49))
    with pytest.raises(DataValidationError, match="other than 0"):
        robustad.make_detector("ecod").fit(data.X, np.full(50, 3))


def test_nonfinite_model_output_is_an_error_not_a_nan() -> None:
    class Broken(robustad.detectors.ECOD):
        def _score(self, X):
            return np.full(X.shape[0], np.nan)

    det = Broken().fit([[0.0], [1.0], [2.0]])
    with pytest.raises(DataValidationError, match="non-finite scores"):
        det.decision_function([[1.0]])


def test_repr_shows_changed_parameters_only() -> None:
    assert repr(robustad.make_detector("knn", n_neighbors=3)) == "KNN(n_neighbors=3)"


def test_out_of_range_tolerance_and_constant_columns() -> None:
    det = robustad.make_detector("ecod").fit([[0.0, 5.0], [10.0, 5.0], [5.0, 5.0]])
    # 10 % of the range (1.0) is tolerated on column 0; column 1 was constant at 5.
    flags = det.out_of_range([[-0.9, 5.0], [-1.1, 5.0], [5.0, 5.1]])
    assert flags.tolist() == [[False, False], [True, False], [False, True]]
    assert det.out_of_distribution([[11.5, 5.0]], tolerance=0.2).tolist() == [False]
    with pytest.raises(InvalidParameterError, match="tolerance"):
        det.out_of_distribution([[1.0, 5.0]], tolerance=-1)
    with pytest.raises(DataValidationError, match="2"):
        det.out_of_distribution([[1.0]])
