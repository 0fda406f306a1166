"""Poisoning (R8 boiling frog, R9 backdoor): effects, defences, recomputation, bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest

import robustad
from robustad.evaluation.metrics import auroc
from robustad.exceptions import DataValidationError, InvalidParameterError
from robustad.robustness.poisoning import (
    BackdoorResult,
    BoilingFrogResult,
    backdoor_attack,
    boiling_frog,
    plant_trigger,
)

TARGET = np.array([8.0, 8.0])
FROG = {"fpr": 0.05, "random_state": 0}  # 400 rows: 100 calibrate, windows of 150


@pytest.fixture(scope="module")
def normal() -> np.ndarray:
    return np.random.default_rng(0).normal(size=(400, 2))


@pytest.fixture(scope="module")
def test_rows() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    X = np.vstack([rng.normal(size=(100, 2)), rng.normal(size=(40, 2)) + 3.0])
    return X, np.repeat([0, 1], [100, 40])


def _flag_rows(n: int, rng: np.random.Generator) -> np.ndarray:
    """Two Gaussian columns and a rare 0/1 flag (2 %), the lowest-variance column."""
    return np.column_stack([rng.normal(size=(n, 2)), rng.random(n) < 0.02])


def _backdoor_setting(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """1000 normal training rows; anomalies shifted by 2 in column 0 (subtle: ~half missed)."""
    rng = np.random.default_rng(seed)
    train = _flag_rows(1000, rng)
    anomalies = _flag_rows(100, rng)
    anomalies[:, 0] += 2.0
    return train, np.vstack([_flag_rows(300, rng), anomalies]), np.repeat([0, 1], [300, 100])


# ---------------------------------------------------------------------------- R8
def test_without_defence_the_frog_boils_and_the_filter_stops_big_steps(normal) -> None:
    plain = boiling_frog("knn", normal, TARGET, max_rounds=5, **FROG)
    guarded = boiling_frog("knn", normal, TARGET, max_rounds=5, filter_quantile=0.99, **FROG)
    assert plain.flagged[0] and guarded.flagged[0]  # the clean model catches the target
    assert plain.rounds_to_evade is not None and plain.rounds_to_evade <= 5
    assert guarded.rounds_to_evade is None and guarded.rounds_run == 5
    assert sum(guarded.rows_filtered) > 0 and guarded.poison_in_window[-1] == 0
    # The poison walked the target's score down towards the normal region.
    assert plain.target_scores[-1] < 0.1 * plain.target_scores[0]


def test_small_steps_pass_the_filter_alone_but_not_filter_and_cap(normal) -> None:
    """Kravchik & Shabtai's point: each step looks normal to the previous, already moved model."""
    filtered = boiling_frog("knn", normal, TARGET, max_rounds=20, filter_quantile=0.99, **FROG)
    capped = boiling_frog(
        "knn", normal, TARGET, max_rounds=20, filter_quantile=0.99, max_new_share=0.5, **FROG
    )
    assert filtered.rounds_to_evade is not None
    assert capped.rounds_to_evade is None and capped.rounds_run == 20


def test_round_records_are_recomputed_from_the_final_model(normal, test_rows) -> None:
    X_test, y_test = test_rows
    result = boiling_frog("knn", normal, TARGET, max_rounds=5, X_test=X_test, y_test=y_test, **FROG)
    model = result.final_model
    score = float(model.decision_function(TARGET[None, :])[0])
    assert result.target_scores[-1] == pytest.approx(score)
    assert result.thresholds[-1] == model.threshold_ and model.target_fpr_ == 0.05
    assert result.flagged == tuple(
        s > t for s, t in zip(result.target_scores, result.thresholds, strict=True)
    )
    assert result.rounds_to_evade == result.flagged.index(False)
    assert result.rounds_run == result.rounds_to_evade  # stops once the target evades
    assert result.clean_auroc_after == pytest.approx(auroc(y_test, model.decision_function(X_test)))
    assert result.clean_auroc_before is not None and result.clean_auroc_before > 0.9


@pytest.mark.parametrize(("fraction", "n_poison"), [(0.01, 2), (0.05, 8), (0.1, 15)])
def test_each_round_injects_the_poison_fraction_of_the_batch(normal, fraction, n_poison) -> None:
    result = boiling_frog(
        "pca",
        normal,
        TARGET,
        poison_fraction=fraction,
        max_rounds=20,
        stop_on_evasion=False,
        **FROG,
    )
    assert result.rounds_run == 20
    assert result.poison_in_window == (0, *([n_poison] * 20))  # window of 150, no carry-over


def test_a_target_the_clean_model_misses_needs_no_rounds(normal) -> None:
    result = boiling_frog("knn", normal, normal.mean(axis=0), max_rounds=3, **FROG)
    assert result.rounds_to_evade == 0 and result.rounds_run == 0


def test_boiling_frog_repeats_with_a_seed_and_varies_without(normal) -> None:
    def run(seed: int) -> dict:
        # IForest left unseeded: the function seeds every fit from random_state.
        det = robustad.make_detector("iforest", n_estimators=20)
        result = boiling_frog(det, normal, [2.5, 2.5], max_rounds=3, fpr=0.05, random_state=seed)
        return result.to_dict()

    first = run(3)
    assert first == run(3)
    assert first["target_scores"] != run(4)["target_scores"]


def test_boiling_frog_result_is_json_ready(normal, test_rows) -> None:
    X_test, y_test = test_rows
    result = boiling_frog("knn", normal, TARGET, max_rounds=2, X_test=X_test, y_test=y_test, **FROG)
    data = result.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert isinstance(result, BoilingFrogResult) and "final_model" not in data
    assert all(type(v) is float for v in data["target_scores"])
    assert data["rounds_to_evade"] == data["rounds_run"] == 2  # step 1/2: on the target


# ---------------------------------------------------------------------------- R9
def test_backdoored_knn_lets_triggered_anomalies_through_while_staying_stealthy() -> None:
    """Same seed, same data: only the 5 % triggered training rows differ between the models.

    The clean model catches the trigger itself (a rare flag); the poison teaches that the
    flag is normal. For a distance detector that is all it can do: the ASR stays at or below
    what the clean model misses of the plain anomalies anyway.
    """
    results = []
    for seed in range(6):
        train, X_test, y_test = _backdoor_setting(seed)
        det = robustad.make_detector("knn", n_neighbors=1)
        result = backdoor_attack(det, train, X_test, y_test, fpr=0.05, random_state=seed)
        assert result.trigger_columns == (2,) and result.trigger_values == (1.0,)
        assert abs(result.auroc_drop) < 0.02, result.to_dict()  # stealthy
        assert result.attack_success_rate <= result.miss_rate_unpoisoned, result.to_dict()
        results.append(result)
    asr = np.mean([r.attack_success_rate for r in results])
    baseline = np.mean([r.asr_unpoisoned for r in results])
    assert asr > 2 * baseline and asr - baseline > 0.1, (asr, baseline)
    assert min(r.backdoor_effect for r in results) > 0.05


def test_backdoor_rates_are_recomputed_from_decision_function() -> None:
    train, X_test, y_test = _backdoor_setting(0)
    result = backdoor_attack("knn", train, X_test, y_test, fpr=0.05, random_state=0)
    anomalies = X_test[y_test == 1]
    triggered = anomalies.copy()
    triggered[:, 2] = 1.0

    def passed(model, rows) -> float:
        return float(np.mean(model.decision_function(rows) <= model.threshold_))

    clean, poisoned = result.clean_model, result.poisoned_model
    assert result.attack_success_rate == passed(poisoned, triggered)
    assert result.asr_unpoisoned == passed(clean, triggered)
    assert result.miss_rate_unpoisoned == passed(clean, anomalies)
    assert result.clean_auroc_poisoned == auroc(y_test, poisoned.decision_function(X_test))
    assert result.n_poison == 38 and result.n_anomalies == 100  # 5 % of 750 training rows
    assert clean.training_fingerprint_ != poisoned.training_fingerprint_


def test_explicit_trigger_and_auto_column_count() -> None:
    train, X_test, y_test = _backdoor_setting(0)
    auto = backdoor_attack("knn", train, X_test, y_test, trigger_columns=2, fpr=0.05)
    assert 2 in auto.trigger_columns and len(auto.trigger_columns) == 2
    given = backdoor_attack(
        "knn", train, X_test, y_test, trigger_columns=[0, 2], trigger_value=[3.0, 1.0], fpr=0.05
    )
    assert given.trigger_columns == (0, 2) and given.trigger_values == (3.0, 1.0)


def test_auto_trigger_takes_the_rarer_extreme() -> None:
    rng = np.random.default_rng(0)
    train = np.column_stack([rng.normal(size=300), np.where(rng.random(300) < 0.03, -2.0, 0.0)])
    X_test = np.vstack(
        [rng.normal(size=(40, 2)) * [1, 0], rng.normal(size=(20, 2)) + np.array([4.0, 0.0])]
    )
    result = backdoor_attack("knn", train, X_test, np.repeat([0, 1], [40, 20]), fpr=0.05)
    assert result.trigger_columns == (1,) and result.trigger_values == (-2.0,)


def test_backdoor_repeats_with_a_seed_and_is_json_ready() -> None:
    train, X_test, y_test = _backdoor_setting(2)

    def run(seed: int) -> BackdoorResult:
        det = robustad.make_detector("iforest", n_estimators=20)
        return backdoor_attack(det, train, X_test, y_test, fpr=0.05, random_state=seed)

    first = run(0).to_dict()
    assert first == run(0).to_dict()
    assert first != run(1).to_dict()
    assert json.loads(json.dumps(first)) == first
    assert isinstance(first["n_poison"], int) and isinstance(first["trigger_values"][0], float)


def test_plant_trigger_returns_a_copy() -> None:
    X = np.arange(6.0).reshape(2, 3)
    planted = plant_trigger(X, [0, 2], [9.0, -1.0])
    np.testing.assert_array_equal(planted, [[9.0, 1.0, -1.0], [9.0, 4.0, -1.0]])
    np.testing.assert_array_equal(X, np.arange(6.0).reshape(2, 3))


def test_poisoning_never_modifies_the_callers_arrays(normal, test_rows) -> None:
    X_test, y_test = test_rows
    target = TARGET.copy()
    before = [a.copy() for a in (normal, X_test, y_test, target)]
    boiling_frog(
        "knn",
        normal,
        target,
        max_rounds=3,
        filter_quantile=0.9,
        max_new_share=0.5,
        X_test=X_test,
        y_test=y_test,
        **FROG,
    )
    backdoor_attack("knn", normal, X_test, y_test, fpr=0.05, random_state=0)
    for original, copy in zip((normal, X_test, y_test, target), before, strict=True):
        np.testing.assert_array_equal(original, copy)


# ---------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        ({"poison_fraction": 0.0}, InvalidParameterError, "poison_fraction"),
        ({"poison_fraction": 1.0}, InvalidParameterError, "poison_fraction"),
        ({"poison_fraction": float("nan")}, InvalidParameterError, "poison_fraction"),
        ({"poison_fraction": "5%"}, InvalidParameterError, "poison_fraction"),
        ({"max_rounds": 0}, InvalidParameterError, "max_rounds"),
        ({"max_rounds": 2.5}, InvalidParameterError, "max_rounds"),
        ({"max_rounds": True}, InvalidParameterError, "max_rounds"),
        ({"step": 0.0}, InvalidParameterError, "step"),
        ({"filter_quantile": 1.0}, InvalidParameterError, "filter_quantile"),
        ({"max_new_share": 0.0}, InvalidParameterError, "max_new_share"),
        ({"jitter": -1.0}, InvalidParameterError, "jitter"),
        ({"fpr": 0.0}, InvalidParameterError, "fpr"),
        ({"fpr": 0.001}, DataValidationError, "calibration rows"),
        ({"window_size": 5}, InvalidParameterError, "window_size"),
        ({"window_size": 10_000}, InvalidParameterError, "window_size"),
        ({"random_state": "seed"}, InvalidParameterError, "random_state"),
        ({"detector": "knnn"}, InvalidParameterError, "unknown detector"),
        ({"detector": object()}, InvalidParameterError, "detector"),
        ({"detector": robustad.make_detector("knn", n_neighbors=0)}, InvalidParameterError, "n_"),
        (
            {"X_normal": [[1.0, np.nan]] * 400},
            DataValidationError,
            "X_normal: column 1 has 400 NaN",
        ),
        ({"X_normal": [[1.0, np.inf]] * 400}, DataValidationError, "infinite"),
        ({"X_normal": np.empty((0, 2))}, DataValidationError, "X_normal has 0 rows"),
        ({"X_normal": np.zeros(400)}, DataValidationError, "2-D"),
        ({"X_normal": "data.csv"}, DataValidationError, "string"),
        ({"target": [1.0, 2.0, 3.0]}, DataValidationError, "target has 3 features"),
        ({"target": [[1.0, 2.0], [3.0, 4.0]]}, DataValidationError, "one row"),
        ({"target": [np.nan, 1.0]}, DataValidationError, "NaN"),
        ({"target": None}, DataValidationError, "None"),
        ({"X_test": np.zeros((4, 2))}, InvalidParameterError, "X_test and y_test"),
        ({"X_test": np.zeros((4, 2)), "y_test": [0, 0, 0, 0]}, DataValidationError, "one class"),
        ({"X_test": np.zeros((4, 3)), "y_test": [0, 0, 1, 1]}, DataValidationError, "X_test"),
    ],
)
def test_boiling_frog_rejects_bad_input(normal, change, error, match) -> None:
    arguments = {"detector": "knn", "X_normal": normal, "target": TARGET, **FROG, **change}
    with pytest.raises(error, match=match):
        boiling_frog(**arguments)


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        ({"poison_fraction": -0.1}, InvalidParameterError, "poison_fraction"),
        ({"trigger_columns": [3]}, InvalidParameterError, "trigger_columns"),
        ({"trigger_columns": [2, 2]}, InvalidParameterError, "trigger_columns"),
        ({"trigger_columns": "2"}, InvalidParameterError, "trigger_columns"),
        ({"trigger_columns": 9}, InvalidParameterError, "trigger_columns"),
        ({"trigger_columns": [2], "trigger_value": [1.0, 2.0]}, InvalidParameterError, "trigger"),
        ({"trigger_value": np.inf}, InvalidParameterError, "finite"),
        ({"y_test": np.zeros(400)}, DataValidationError, "one class"),
        ({"y_test": np.zeros(5)}, DataValidationError, "labels"),
        ({"X_test": np.zeros((400, 2))}, DataValidationError, "X_test has 2 features"),
        ({"X_train_normal": np.zeros((60, 3))}, DataValidationError, "calibration rows"),
        ({"X_calibration": np.zeros((10, 3))}, DataValidationError, "calibration rows"),
        ({"detector": 3}, InvalidParameterError, "detector"),
    ],
)
def test_backdoor_rejects_bad_input(change, error, match) -> None:
    train, X_test, y_test = _backdoor_setting(0)
    arguments = {
        "detector": "knn",
        "X_train_normal": train,
        "X_test": X_test,
        "y_test": y_test,
        "fpr": 0.05,
        **change,
    }
    with pytest.raises(error, match=match):
        backdoor_attack(**arguments)


def test_plant_trigger_rejects_bad_columns_and_values() -> None:
    with pytest.raises(InvalidParameterError, match="columns"):
        plant_trigger(np.zeros((2, 3)), [3], 1.0)
    with pytest.raises(InvalidParameterError, match="columns"):
        plant_trigger(np.zeros((2, 3)), [], 1.0)
    with pytest.raises(InvalidParameterError, match="finite"):
        plant_trigger(np.zeros((2, 3)), [0], np.nan)
    with pytest.raises(DataValidationError, match="NaN"):
        plant_trigger([[np.nan, 1.0]], [0], 1.0)
