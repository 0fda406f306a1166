from __future__ import annotations

import json

import numpy as np
import pytest

from robustad.data import Dataset, make_outlier_data
from robustad.exceptions import DataValidationError, InvalidParameterError
from robustad.robustness.card import CARD_PROTOCOLS, SUITES, robustness_card


@pytest.fixture(scope="module")
def card():
    data = make_outlier_data(n_samples=600, n_features=5, random_state=0)
    return robustness_card(data, ["ecod", "iforest"], suite="quick", seeds=2)


def test_card_has_the_documented_shape(card) -> None:
    assert card["suite"] == "quick" and card["seeds"] == [1, 2]
    json.dumps(card, allow_nan=False)  # plain JSON, no NaN
    for name in ("ecod", "iforest"):
        entry = card["detectors"][name]
        assert set(entry["clean"]) == {"auroc", "ap", "alarm_rate"}
        assert set(entry["protocols"]) == set(CARD_PROTOCOLS) - {"label_flips"}
        for rows in entry["protocols"].values():
            for row in rows:
                assert {
                    "level",
                    "auroc_mean",
                    "auroc_std",
                    "ap_mean",
                    "ap_std",
                    "delta_auroc",
                    "alarm_rate",
                } <= set(row)
        assert 0 < entry["robustness_score"] <= 1.2


def test_covariate_shift_raises_the_alarm_rate_on_normal_rows(card) -> None:
    entry = card["detectors"]["ecod"]
    clean_alarms = entry["clean"]["alarm_rate"]
    assert clean_alarms < 0.05  # calibrated near the 1 % target
    shifted = {row["kind"]: row["alarm_rate"] for row in entry["protocols"]["covariate_shift"]}
    assert shifted["unit_change"] > 5 * max(clean_alarms, 0.01)
    assert shifted["mean_drift"] > 5 * max(clean_alarms, 0.01)


def test_contamination_reference_and_damage(card) -> None:
    entries = card["detectors"]["iforest"]["protocols"]["contamination"]
    rows = {row["level"]: row for row in entries if row["kind"] == "contamination"}
    assert set(rows) == {0.0, 0.1}
    assert rows[0.0]["auroc_mean"] >= rows[0.1]["auroc_mean"] - 0.02


def test_contamination_misspecification_moves_the_alarm_rate(card) -> None:
    entries = card["detectors"]["iforest"]["protocols"]["contamination"]
    told = {row["level"]: row for row in entries if row["kind"] == "contamination_misspecified"}
    assert set(told) == {0.5, 2.0}
    # Told twice the true 10 %, the detector flags more normal rows and more anomalies.
    assert told[2.0]["alarm_rate"] > told[0.5]["alarm_rate"]
    assert told[2.0]["recall"] >= told[0.5]["recall"]
    assert told[2.0]["target_fpr"] is None


def test_same_seeds_same_card() -> None:
    data = make_outlier_data(n_samples=300, n_features=3, random_state=1)
    a = robustness_card(data, ["iforest"], suite="quick", seeds=1, protocols=["contamination"])
    b = robustness_card(data, ["iforest"], suite="quick", seeds=1, protocols=["contamination"])
    assert a["detectors"] == b["detectors"]


def test_bad_requests_say_what_is_accepted() -> None:
    data = make_outlier_data(n_samples=200, random_state=0)
    with pytest.raises(InvalidParameterError, match="quick, standard, full"):
        robustness_card(data, ["ecod"], suite="huge")
    with pytest.raises(InvalidParameterError, match="duplicated_anomalies"):
        robustness_card(data, ["ecod"], protocols=["evasion"])
    with pytest.raises(InvalidParameterError, match="unknown detector"):
        robustness_card(data, ["nope"], suite="quick", seeds=1)
    with pytest.raises(InvalidParameterError, match="seeds"):
        robustness_card(data, ["ecod"], seeds=0)
    unlabelled = Dataset(X=np.random.default_rng(0).normal(size=(50, 2)))
    with pytest.raises(DataValidationError, match="labels"):
        robustness_card(unlabelled, ["ecod"])
    assert set(SUITES) == {"quick", "standard", "full"}
