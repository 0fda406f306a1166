"""The attack protocols of ``--suite full`` in the robustness card (R6-R10)."""

from __future__ import annotations

import json

import pytest

import robustad
from robustad.data import make_outlier_data
from robustad.exceptions import InvalidParameterError
from robustad.reports.card import card_html, card_markdown
from robustad.robustness.attack_card import ATTACK_PROTOCOLS, applies
from robustad.robustness.card import robustness_card


@pytest.fixture(scope="module")
def card():
    data = make_outlier_data(n_samples=500, n_features=4, random_state=0)
    autoencoder = robustad.make_detector("autoencoder", epochs=10, dropout=0.0)
    autoencoder.name = "autoencoder"
    return robustness_card(
        data, ["knn", autoencoder], suite="full", seeds=1, protocols=list(ATTACK_PROTOCOLS)
    )


def test_full_suite_adds_every_attack_where_it_applies(card) -> None:
    json.dumps(card, allow_nan=False)
    assert set(card["detectors"]["autoencoder"]["attacks"]) == set(ATTACK_PROTOCOLS)
    # White-box PGD and the Lipschitz certificate need a differentiable network.
    assert set(card["detectors"]["knn"]["attacks"]) == {"evasion_blackbox", "poisoning", "backdoor"}


def test_evasion_rows_are_consistent(card) -> None:
    rows = card["detectors"]["autoencoder"]["attacks"]["evasion_pgd"]
    assert [row["level"] for row in rows] == [0.1, 0.25, 0.5, 1.0]
    rates = [row["success_rate"] for row in rows]
    assert rates == sorted(rates)  # a larger budget never evades less (same start, more room)
    assert rows[-1]["success_rate"] > rows[-1]["random_success_rate"]
    assert rows[-1]["attacked_auroc"] < card["detectors"]["autoencoder"]["clean"]["auroc"]
    # Flooding: pushed-up normal rows raise far more alarms than the clean rate.
    clean_alarms = card["detectors"]["autoencoder"]["clean"]["alarm_rate"]
    assert rows[-1]["flooded_alarm_rate"] > max(5 * clean_alarms, 0.2)
    blackbox = card["detectors"]["knn"]["attacks"]["evasion_blackbox"]
    assert [row["level"] for row in blackbox] == [100.0, 1000.0]
    assert blackbox[0]["success_rate"] <= blackbox[1]["success_rate"]


def test_certified_auroc_is_below_the_attacked_auroc(card) -> None:
    for row in card["detectors"]["autoencoder"]["attacks"]["certified"]:
        assert row["certified_auroc"] <= row["attacked_auroc"] + 1e-9
        assert row["lipschitz"] > 0


def test_poisoning_and_backdoor_rows(card) -> None:
    for name in ("knn", "autoencoder"):
        attacks = card["detectors"][name]["attacks"]
        for row in attacks["poisoning"]:
            # None when the clean first model already missed the target (nothing to poison).
            assert row["evaded"] is None or 0.0 <= row["evaded"] <= 1.0
            assert row["rounds_to_evade"] is None or 1 <= row["rounds_to_evade"] <= 20
        for row in attacks["backdoor"]:
            assert 0 <= row["attack_success_rate"] <= 1
            assert 0 <= row["clean_auroc_poisoned"] <= 1


def test_card_renders_the_attacks(card) -> None:
    markdown = card_markdown(card)
    assert "## Attack: evasion_pgd" in markdown and "## Attack: certified" in markdown
    page = card_html(card)
    assert page.count("<h2>Attack:") == len(ATTACK_PROTOCOLS)
    assert "data:image/png;base64" in page


def test_attack_protocols_need_the_full_suite() -> None:
    data = make_outlier_data(n_samples=200, random_state=0)
    with pytest.raises(InvalidParameterError, match="suite 'full'"):
        robustness_card(data, ["ecod"], suite="quick", protocols=["poisoning"])
    with pytest.raises(InvalidParameterError, match="unknown attack protocol"):
        applies("teleport", robustad.make_detector("ecod"))
    assert not applies("certified", robustad.make_detector("conv_autoencoder"))
    assert applies("certified", robustad.make_detector("deep_svdd"))
