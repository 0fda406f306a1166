"""The public detector contract suite: ``check_detector(detector)``.

Every rule of DESIGN.md section 2 as a small check that a third party can run on its own
detector. The robustad test suite runs every check over every registered detector.

Examples
--------
>>> from robustad.testing import check_detector
>>> from robustad.detectors import ECOD
>>> check_detector(ECOD())
"""

from __future__ import annotations

import copy
import tempfile
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from robustad.data.synthetic import make_outlier_data
from robustad.detectors.base import BaseDetector
from robustad.exceptions import (
    DataValidationError,
    InvalidParameterError,
    NotFittedError,
    RobustADError,
)

__all__ = ["all_checks", "check_detector"]

Check = Callable[[BaseDetector], None]


def _fresh(detector: BaseDetector, **params: Any) -> BaseDetector:
    """An unfitted copy, seeded when the detector takes a seed, with ``params`` applied."""
    from sklearn.base import clone

    new: BaseDetector = clone(detector)
    names = new.get_params(deep=False)
    if "random_state" in names and names["random_state"] is None:
        new.set_params(random_state=0)
    if params:
        new.set_params(**params)
    return new


def _data(
    n_samples: int = 200, n_features: int = 4, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    data = make_outlier_data(
        n_samples=n_samples, n_features=n_features, contamination=0.1, random_state=seed
    )
    assert data.y is not None
    return data.X, data.y


def _raises(error: type[BaseException], call: Callable[[], Any], *fragments: str) -> str:
    try:
        call()
    except error as caught:
        message = str(caught)
        for fragment in fragments:
            assert fragment in message, f"error message {message!r} does not mention {fragment!r}"
        return message
    except Exception as other:  # pragma: no cover - reported as a failed check
        raise AssertionError(
            f"expected {error.__name__}, got {type(other).__name__}: {other}"
        ) from other
    raise AssertionError(f"expected {error.__name__}, but nothing was raised")


# ---------------------------------------------------------------------------- the checks
def check_init_stores_params_only(detector: BaseDetector) -> None:
    """``__init__`` stores its arguments unchanged and sets nothing else (scikit-learn rule)."""
    params = detector.get_params(deep=False)
    fresh = type(detector)(**params)
    extra = sorted(set(vars(fresh)) - set(params))
    assert not extra, f"__init__ sets attributes other than its parameters: {extra}"
    assert set(vars(fresh)) == set(params), "__init__ does not store every parameter"
    for name, value in params.items():
        assert getattr(fresh, name) is value, f"__init__ changed parameter {name!r}"


def check_clone_and_params(detector: BaseDetector) -> None:
    """``get_params``/``set_params``/``clone`` round-trip; ``set_params`` returns self."""
    from sklearn.base import clone

    twin = clone(detector)
    assert twin.get_params(deep=False).keys() == detector.get_params(deep=False).keys()
    assert twin.set_params(contamination=0.2) is twin
    assert twin.contamination == 0.2
    fitted = _fresh(detector).fit(_data()[0])
    assert not hasattr(clone(fitted), "threshold_"), "clone copied fitted state"


def check_not_fitted(detector: BaseDetector) -> None:
    """Scoring before ``fit`` raises NotFittedError (also an AttributeError)."""
    X, _ = _data(20)
    for method in (detector.decision_function, detector.predict, detector.predict_proba):
        _raises(NotFittedError, lambda m=method: m(X), "fit")  # type: ignore[misc]


def check_fit_attributes(detector: BaseDetector) -> None:
    """``fit`` returns self and sets the fitted attributes with the documented types."""
    X, _ = _data()
    det = _fresh(detector)
    assert det.fit(X) is det, "fit must return self"
    scores = det.decision_scores_
    assert isinstance(scores, np.ndarray) and scores.dtype == np.float64 and scores.shape == (200,)
    assert np.isfinite(scores).all(), "decision_scores_ holds non-finite values"
    assert isinstance(det.threshold_, float)
    assert det.labels_.dtype == np.int64 and set(np.unique(det.labels_)) <= {0, 1}
    np.testing.assert_array_equal(det.labels_, (scores > det.threshold_).astype(np.int64))
    assert det.n_features_in_ == 4 and len(det.feature_names_in_) == 4


def check_scoring_outputs(detector: BaseDetector) -> None:
    """decision_function, predict, predict_proba and fit_predict: shapes, dtypes, agreement."""
    X, _ = _data()
    det = _fresh(detector).fit(X)
    X_new, _ = _data(50, seed=1)
    scores = det.decision_function(X_new)
    assert scores.dtype == np.float64 and scores.shape == (50,) and np.isfinite(scores).all()
    labels = det.predict(X_new)
    assert labels.dtype == np.int64 and labels.shape == (50,)
    np.testing.assert_array_equal(labels, (scores > det.threshold_).astype(np.int64))
    for method in ("linear", "unify"):
        proba = det.predict_proba(X_new, method=method)
        assert proba.shape == (50, 2) and np.all((proba >= 0) & (proba <= 1))
        np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(_fresh(detector).fit_predict(X), det.labels_)


def check_planted_outliers_score_higher(detector: BaseDetector) -> None:
    """Planted outliers get higher scores than inliers (AUROC above 0.9)."""
    from sklearn.metrics import roc_auc_score

    X, y = _data(300)
    det = _fresh(detector).fit(X)
    auroc = roc_auc_score(y, det.decision_scores_)
    assert auroc > 0.9, f"training AUROC on planted outliers is only {auroc:.3f}"
    X_new, y_new = _data(300, seed=1)
    auroc_new = roc_auc_score(y_new, det.decision_function(X_new))
    assert auroc_new > 0.9, f"AUROC on new planted outliers is only {auroc_new:.3f}"


def check_contamination_sets_threshold(detector: BaseDetector) -> None:
    """About ``contamination`` of the training rows are labelled anomalies."""
    X, _ = _data(400)
    for contamination in (0.05, 0.2):
        det = _fresh(detector, contamination=contamination).fit(X)
        share = float(det.labels_.mean())
        assert abs(share - contamination) <= 0.03 + 0.5 * contamination, (
            f"contamination={contamination} labelled {share:.3f} of the training rows"
        )
    _raises(
        InvalidParameterError, lambda: _fresh(detector, contamination=0.7).fit(X), "contamination"
    )


def check_idempotent_fit(detector: BaseDetector) -> None:
    """Fitting twice gives the same model; refitting on other data forgets the old fit."""
    X, _ = _data()
    det = _fresh(detector).fit(X)
    first = det.decision_function(X)
    np.testing.assert_array_equal(det.fit(X).decision_function(X), first)
    X_three, _ = _data(60, n_features=3)
    det.fit(X_three)
    assert det.n_features_in_ == 3 and det.decision_function(X_three).shape == (60,)


def check_reproducible_with_seed(detector: BaseDetector) -> None:
    """Two detectors built with the same seed give identical scores."""
    X, _ = _data()
    a = _fresh(detector).fit(X).decision_function(X)
    b = _fresh(detector).fit(X).decision_function(X)
    np.testing.assert_array_equal(a, b)


def check_save_load_identical(detector: BaseDetector) -> None:
    """Scores, threshold and schema are identical after ``save`` and ``robustad.load``."""
    from robustad.detectors.persistence import load_detector

    X, _ = _data()
    det = _fresh(detector).fit(X)
    with tempfile.TemporaryDirectory() as folder:
        loaded = load_detector(det.save(f"{folder}/model"))
    assert type(loaded) is type(det)
    assert loaded.get_params(deep=False) == det.get_params(deep=False)
    np.testing.assert_array_equal(loaded.decision_function(X), det.decision_function(X))
    np.testing.assert_array_equal(loaded.decision_scores_, det.decision_scores_)
    assert loaded.threshold_ == det.threshold_
    assert list(loaded.feature_names_in_) == list(det.feature_names_in_)
    shifted = X[:10] * 100
    np.testing.assert_array_equal(
        loaded.out_of_distribution(shifted), det.out_of_distribution(shifted)
    )


def check_out_of_distribution_flag(detector: BaseDetector) -> None:
    """Training rows are in range; a row far outside the training range is flagged."""
    X, _ = _data()
    det = _fresh(detector).fit(X)
    assert not det.out_of_distribution(X).any()
    outside = X[:3].copy()
    outside[1, 2] = X[:, 2].max() + 10 * (X[:, 2].max() - X[:, 2].min())
    assert det.out_of_distribution(outside).tolist() == [False, True, False]
    assert det.out_of_range(outside)[1].tolist() == [False, False, True, False]


def check_rejects_nan_and_inf(detector: BaseDetector) -> None:
    """NaN and inf in fit or scoring raise DataValidationError naming the column and row."""
    X, _ = _data()
    bad = X.copy()
    bad[7, 2] = np.nan
    _raises(DataValidationError, lambda: _fresh(detector).fit(bad), "column 2", "row 7", "NaN")
    det = _fresh(detector).fit(X)
    bad = X[:10].copy()
    bad[3, 1] = np.inf
    _raises(DataValidationError, lambda: det.decision_function(bad), "column 1", "row 3")
    bad[3, 1] = -np.inf
    _raises(DataValidationError, lambda: det.predict(bad), "infinite")


def check_rejects_wrong_feature_count(detector: BaseDetector) -> None:
    """A wrong number of features is an error naming both counts, never a silent score."""
    X, _ = _data()
    det = _fresh(detector).fit(X)
    _raises(DataValidationError, lambda: det.decision_function(X[:, :3]), "3", "4")
    _raises(DataValidationError, lambda: det.decision_function(np.hstack([X, X])), "8", "4")


def check_rejects_bad_types_and_shapes(detector: BaseDetector) -> None:
    """None, strings, text cells, 1-D, 3-D and empty input raise DataValidationError."""
    X, _ = _data()
    det = _fresh(detector).fit(X)
    text = X[:5].astype(object)
    text[2, 0] = "abc"
    cases = [None, "data.csv", X[0], X[:4].reshape(2, 2, 4), X[:0], np.empty((5, 0)), text]
    for case in cases:
        _raises(DataValidationError, lambda c=case: det.decision_function(c))  # type: ignore[misc]
    _raises(DataValidationError, lambda: _fresh(detector).fit(X[:0]), "0 rows")


def check_small_dataset(detector: BaseDetector) -> None:
    """A training set smaller than any internal batch (10 rows) fits and scores finitely."""
    X, _ = _data(10, n_features=3)
    det = _fresh(detector).fit(X)
    assert np.isfinite(det.decision_function(X)).all()


def check_single_row(detector: BaseDetector) -> None:
    """One row scores alone; batch-independent detectors give it the same score as in a batch."""
    X, _ = _data()
    det = _fresh(detector).fit(X)
    single = det.decision_function(X[5:6])
    assert single.shape == (1,)
    if det.tags.batch_independent:
        batch = det.decision_function(X[:20])
        # Torch networks run in float32 and agree alone and in a batch to float32 rounding
        # (matrix kernels sum in a different order for different batch sizes); a real batch
        # effect (e.g. batch normalisation) moves scores by far more. Others must agree exactly.
        rtol = 1e-5 if det.tags.requires_torch else 1e-9
        np.testing.assert_allclose(single[0], batch[5], rtol=rtol, atol=1e-9)


def check_dataframe_columns(detector: BaseDetector) -> None:
    """A DataFrame's column names are kept, reordering is harmless, a missing column is named."""
    import pandas as pd

    X, _ = _data()
    frame = pd.DataFrame(X, columns=["amount", "age", "hour", "count"])
    det = _fresh(detector).fit(frame)
    assert list(det.feature_names_in_) == ["amount", "age", "hour", "count"]
    expected = det.decision_function(X)
    shuffled = frame[["count", "hour", "amount", "age"]].assign(extra=1.0)
    np.testing.assert_allclose(det.decision_function(shuffled), expected)
    _raises(
        DataValidationError, lambda: det.decision_function(frame.drop(columns="hour")), "'hour'"
    )


def check_does_not_modify_input(detector: BaseDetector) -> None:
    """``fit`` and scoring leave the caller's array untouched."""
    X, _ = _data()
    original = X.copy()
    det = _fresh(detector).fit(X)
    det.decision_function(X)
    np.testing.assert_array_equal(X, original)


def check_extreme_values(detector: BaseDetector) -> None:
    """Huge or constant inputs give finite scores or a clear error, never NaN."""
    X, _ = _data()
    det = _fresh(detector).fit(X)
    huge = X[:5] * 1e300
    try:
        scores = det.decision_function(huge)
    except DataValidationError:
        pass
    else:
        assert np.isfinite(scores).all()
    constant = X.copy()
    constant[:, 1] = 3.0
    assert np.isfinite(_fresh(detector).fit(constant).decision_function(constant)).all()


def check_errors_are_robustad_errors(detector: BaseDetector) -> None:
    """Errors raised on purpose subclass RobustADError and the matching builtin."""
    assert issubclass(DataValidationError, RobustADError) and issubclass(
        DataValidationError, ValueError
    )
    assert issubclass(NotFittedError, AttributeError)


_CHECKS: tuple[Check, ...] = (
    check_init_stores_params_only,
    check_clone_and_params,
    check_not_fitted,
    check_fit_attributes,
    check_scoring_outputs,
    check_planted_outliers_score_higher,
    check_contamination_sets_threshold,
    check_idempotent_fit,
    check_reproducible_with_seed,
    check_save_load_identical,
    check_out_of_distribution_flag,
    check_rejects_nan_and_inf,
    check_rejects_wrong_feature_count,
    check_rejects_bad_types_and_shapes,
    check_small_dataset,
    check_single_row,
    check_dataframe_columns,
    check_does_not_modify_input,
    check_extreme_values,
    check_errors_are_robustad_errors,
)


def all_checks() -> Iterator[Check]:
    """Every contract check, for parametrising a test suite (``pytest.mark.parametrize``)."""
    yield from _CHECKS


def check_detector(detector: BaseDetector) -> None:
    """Run the whole contract suite on ``detector``; raise AssertionError listing failures.

    The detector is never fitted itself: each check works on a clone (seeded with
    ``random_state=0`` when the detector takes a seed and has none).
    """
    template = copy.deepcopy(detector)
    failures = []
    for check in _CHECKS:
        try:
            check(template)
        except Exception as error:
            failures.append(f"{check.__name__}: {type(error).__name__}: {error}")
    if failures:
        raise AssertionError(
            f"{type(detector).__name__} fails {len(failures)} contract check(s):\n"
            + "\n".join(failures)
        )
