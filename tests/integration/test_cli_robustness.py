"""``robustad robustness``: the card files, and one-line errors that say what is accepted."""

from __future__ import annotations

import json

import pytest

from robustad.cli.app import main


def test_quick_card_files(capsys, tmp_path) -> None:
    code = main(
        [
            "robustness",
            "--data",
            "breastw",
            "--detector",
            "ecod,hbos",
            "--suite",
            "quick",
            "--seeds",
            "1",
            "--out",
            str(tmp_path),
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    card = json.loads((tmp_path / "card.json").read_text())
    assert card["dataset"] == "breastw" and set(card["detectors"]) == {"ecod", "hbos"}
    assert "covariate_shift" in card["detectors"]["ecod"]["protocols"]
    html = (tmp_path / "card.html").read_text()
    assert html.count("data:image/png;base64,") == 4  # one figure per protocol that ran
    assert "robustness score" in (tmp_path / "card.md").read_text()
    assert "robustness score" in captured.out


def test_full_suite_card_lists_the_attacks(capsys, tmp_path) -> None:
    code = main(
        [
            "robustness",
            "--data",
            "breastw",
            "--detector",
            "hbos",
            "--suite",
            "full",
            "--protocols",
            "evasion_blackbox,backdoor",
            "--seeds",
            "1",
            "--out",
            str(tmp_path),
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    card = json.loads((tmp_path / "card.json").read_text())
    assert set(card["detectors"]["hbos"]["attacks"]) == {"evasion_blackbox", "backdoor"}
    assert "score-only evasion (1,000 queries)" in captured.out
    assert "## Attack: backdoor" in (tmp_path / "card.md").read_text()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--detector", "nope"], "unknown detector 'nope'; available:"),
        (["--detector", "ecod", "--protocols", "evasion"], "choose from: duplicated_anomalies"),
        (["--detector", "ecod", "--suite", "huge"], "choose one of: quick, standard, full"),
    ],
)
def test_bad_requests_are_one_line(capsys, tmp_path, args, expected) -> None:
    code = main(["robustness", "--data", "breastw", *args, "--out", str(tmp_path / "c")])
    err = capsys.readouterr().err
    assert code == 2 and expected in err and err.count("\n") == 1
    assert not (tmp_path / "c").exists()


def test_unlabelled_dataset_is_refused(capsys, tmp_path) -> None:
    path = tmp_path / "u.csv"
    path.write_text("a,b\n1,2\n3,4\n")
    code = main(
        ["robustness", "--data", str(path), "--detector", "ecod", "--out", str(tmp_path / "c")]
    )
    err = capsys.readouterr().err
    assert code == 2 and "has no labels" in err and err.count("\n") == 1
