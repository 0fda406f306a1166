from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import robustad
from robustad.detectors.table import SCORED_COLUMNS, score_table
from robustad.exceptions import DataValidationError


@pytest.fixture(scope="module")
def detector():
    rng = np.random.default_rng(0)
    return robustad.make_detector("ecod").fit(
        pd.DataFrame(rng.normal(size=(100, 2)), columns=["a", "b"])
    )


def test_scores_labels_and_range_flags(detector) -> None:
    frame = pd.DataFrame({"id": [1, 2], "b": [0.0, 50.0], "a": [0.0, 0.0]})
    scored = score_table(detector, frame)
    np.testing.assert_array_equal(scored["anomaly_score"], detector.decision_function(frame))
    assert scored["out_of_distribution"].tolist() == [0, 1]
    assert scored["is_anomaly"].tolist() == detector.predict(frame).tolist()
    assert list(scored.columns[:3]) == ["id", "b", "a"]


def test_empty_table_gets_typed_empty_columns(detector) -> None:
    scored = score_table(detector, pd.DataFrame({"a": [], "b": []}))
    assert len(scored) == 0 and {c: str(scored[c].dtype) for c in SCORED_COLUMNS} == SCORED_COLUMNS


def test_existing_score_column_is_refused(detector) -> None:
    with pytest.raises(DataValidationError, match="'anomaly_score'"):
        score_table(detector, pd.DataFrame({"a": [0.0], "b": [0.0], "anomaly_score": [1.0]}))
