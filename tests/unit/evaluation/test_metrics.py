"""Sanity tests of the metrics themselves (ROBUSTNESS.md R11)."""

from __future__ import annotations

import numpy as np
import pytest

from robustad.evaluation.metrics import (
    auroc,
    average_precision,
    bootstrap_ci,
    f1_at_threshold,
    precision_at_n,
    recall_at_fpr,
    score_metrics,
)
from robustad.exceptions import DataValidationError, InvalidParameterError


@pytest.fixture(scope="module")
def labels() -> np.ndarray:
    y = np.zeros(20_000, dtype=np.int64)
    y[:1_000] = 1  # prevalence 5 %
    return y


def test_random_scores_give_half_auroc_and_prevalence_ap(labels: np.ndarray) -> None:
    scores = np.random.default_rng(0).random(labels.shape[0])
    assert auroc(labels, scores) == pytest.approx(0.5, abs=0.02)
    assert average_precision(labels, scores) == pytest.approx(0.05, abs=0.01)
    assert precision_at_n(labels, scores) == pytest.approx(0.05, abs=0.02)
    assert recall_at_fpr(labels, scores, 0.05) == pytest.approx(0.05, abs=0.02)


def test_constant_scores_have_defined_values(labels: np.ndarray) -> None:
    constant = np.ones(labels.shape[0])
    metrics = score_metrics(labels, constant)
    assert metrics["auroc"] == 0.5
    assert metrics["ap"] == pytest.approx(0.05)
    assert metrics["precision_at_n"] == pytest.approx(0.05)
    # A threshold cannot split a tie: flagging anything flags every normal row.
    assert metrics["recall_at_fpr_1pct"] == 0.0
    assert all(np.isfinite(v) for v in metrics.values())


def test_inverted_scores_give_one_minus_auroc(labels: np.ndarray) -> None:
    scores = np.random.default_rng(1).normal(size=labels.shape[0]) + labels
    assert auroc(labels, -scores) == pytest.approx(1 - auroc(labels, scores))


def test_ties_count_one_half() -> None:
    assert auroc([0, 1], [0.3, 0.3]) == 0.5
    assert auroc([0, 0, 1, 1], [0.1, 0.5, 0.5, 0.9]) == pytest.approx(0.875)


def test_perfect_scores() -> None:
    y = [0, 0, 0, 1, 1]
    s = [0.1, 0.2, 0.3, 0.8, 0.9]
    assert auroc(y, s) == average_precision(y, s) == precision_at_n(y, s) == 1.0
    assert recall_at_fpr(y, s, 0.0) == 1.0


def test_precision_at_n_is_order_independent_on_ties() -> None:
    y = np.array([1, 0, 0, 1, 0, 0])
    s = np.array([0.9, 0.5, 0.5, 0.5, 0.5, 0.1])
    # Top 2: one sure anomaly, then one of four tied rows (one of them an anomaly).
    expected = (1 + 0.25) / 2
    assert precision_at_n(y, s) == pytest.approx(expected)
    order = np.random.default_rng(0).permutation(6)
    assert precision_at_n(y[order], s[order]) == pytest.approx(expected)


def test_recall_at_fpr_respects_the_false_positive_budget() -> None:
    rng = np.random.default_rng(2)
    y = np.r_[np.zeros(1000, int), np.ones(100, int)]
    s = rng.normal(size=1100) + 2 * y
    for fpr in (0.001, 0.01, 0.05):
        recall = recall_at_fpr(y, s, fpr)
        threshold = np.sort(s[y == 1])[::-1][round(recall * 100) - 1] if recall else np.inf
        assert (s[y == 0] >= threshold).mean() <= fpr
    assert recall_at_fpr(y, s, 0.001) <= recall_at_fpr(y, s, 0.01) <= recall_at_fpr(y, s, 0.05)


def test_f1_uses_the_given_predictions() -> None:
    assert f1_at_threshold([0, 1, 1, 0], [0, 1, 0, 0]) == pytest.approx(2 / 3)
    assert f1_at_threshold([0, 1], [0, 0]) == 0.0
    with pytest.raises(DataValidationError, match="0 and 1"):
        f1_at_threshold([0, 1], [0.2, 0.9])


def test_bootstrap_is_seeded_and_brackets_the_estimate() -> None:
    rng = np.random.default_rng(3)
    y = np.r_[np.zeros(200, int), np.ones(20, int)]
    s = rng.normal(size=220) + y
    first = bootstrap_ci(y, s, n_resamples=60, random_state=7)
    again = bootstrap_ci(y, s, n_resamples=60, random_state=7)
    assert first == again
    assert first.low <= first.estimate <= first.high
    ap = bootstrap_ci(y, s, average_precision, n_resamples=40, random_state=7)
    assert 0 < ap.low <= ap.high <= 1


@pytest.mark.parametrize(
    ("y", "s", "error"),
    [
        ([0, 0, 0], [0.1, 0.2, 0.3], "only one class"),
        ([0, 1], [0.1, np.nan], "NaN"),
        ([0, 1, 1], [0.1, 0.2], None),
    ],
)
def test_undefined_inputs_are_refused(y: list[int], s: list[float], error: str | None) -> None:
    with pytest.raises(DataValidationError, match=error):
        score_metrics(y, s)


def test_parameter_ranges() -> None:
    with pytest.raises(InvalidParameterError, match="fpr"):
        recall_at_fpr([0, 1], [0.1, 0.2], 1.5)
    with pytest.raises(InvalidParameterError, match="n must be"):
        precision_at_n([0, 1], [0.1, 0.2], n=5)
    with pytest.raises(InvalidParameterError, match="level"):
        bootstrap_ci([0, 1], [0.1, 0.2], level=2)
