"""Rendering of the attack section of a robustness card (``--suite full``): tables and figures.

Each attack protocol of :mod:`robustad.robustness.attack_card` has a view: what its level
means, which measurements its table shows and which its figure draws (one colour per
detector; solid lines the attack, dashed lines its baseline).

Examples
--------
>>> card = {"dataset": "demo", "detectors": {"knn": {"attacks": {"backdoor": [
...     {"level": 0.01, "kind": "trigger", "attack_success_rate": 0.2,
...      "attack_success_rate_std": 0.0, "asr_unpoisoned": 0.1,
...      "clean_auroc_unpoisoned": 0.9, "clean_auroc_poisoned": 0.89}]}}}}
>>> attack_protocols(card)
['backdoor']
>>> attack_rows(card, "backdoor")[0][:3]
['knn', '1 %', '20.0 %']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from robustad.reports.figures import _figure, _png

__all__ = ["attack_header", "attack_png", "attack_protocols", "attack_rows"]


def _percent(value: Any) -> str:
    return "-" if value is None else f"{100 * value:.1f} %"


def _number(value: Any) -> str:
    return "-" if value is None else f"{value:.3f}"


def _count(value: Any) -> str:
    return "-" if value is None else f"{value:.0f}"


@dataclass(frozen=True)
class _View:
    level: str
    level_format: Callable[[float], str]
    columns: tuple[tuple[str, str, Callable[[Any], str]], ...]
    #: (field, legend label, dashed?) drawn against the level.
    lines: tuple[tuple[str, str, bool], ...]
    y_label: str
    log_x: bool = False


_VIEWS: dict[str, _View] = {
    "evasion_pgd": _View(
        "budget (L-inf, x std)",
        lambda v: f"{v:g}",
        (
            ("flagged anomalies", "targets", _count),
            ("PGD success", "success_rate", _percent),
            ("one random draw", "random_success_rate", _percent),
            ("AUROC attacked", "attacked_auroc", _number),
            ("false alarms after flooding", "flooded_alarm_rate", _percent),
        ),
        (("success_rate", "PGD", False), ("random_success_rate", "one random draw", True)),
        "evasion success at the deployed threshold",
    ),
    "evasion_blackbox": _View(
        "queries per row",
        lambda v: f"{v:,.0f}",
        (
            ("flagged anomalies", "targets", _count),
            ("success", "success_rate", _percent),
            ("median queries to evade", "median_queries", _count),
        ),
        (("success_rate", "coordinate search", False),),
        "evasion success (score-only)",
        log_x=True,
    ),
    "poisoning": _View(
        "poison share per round",
        lambda v: f"{100 * v:g} %",
        (
            ("target got through", "evaded", _percent),
            ("rounds needed", "rounds_to_evade", _count),
            ("clean AUROC before", "clean_auroc_before", _number),
            ("clean AUROC after", "clean_auroc_after", _number),
        ),
        (("evaded", "share of seeds evaded", False),),
        "target anomaly evaded",
    ),
    "backdoor": _View(
        "poisoned share of normal rows",
        lambda v: f"{100 * v:g} %",
        (
            ("attack success", "attack_success_rate", _percent),
            ("trigger, unpoisoned model", "asr_unpoisoned", _percent),
            ("clean AUROC unpoisoned", "clean_auroc_unpoisoned", _number),
            ("clean AUROC poisoned", "clean_auroc_poisoned", _number),
        ),
        (
            ("attack_success_rate", "poisoned model", False),
            ("asr_unpoisoned", "unpoisoned model", True),
        ),
        "triggered anomalies not flagged",
    ),
    "certified": _View(
        "budget (L2, x std)",
        lambda v: f"{v:g}",
        (
            ("Lipschitz bound", "lipschitz", _number),
            ("certified AUROC", "certified_auroc", _number),
            ("AUROC under L2 PGD", "attacked_auroc", _number),
        ),
        (("certified_auroc", "certified (lower bound)", False), ("attacked_auroc", "PGD", True)),
        "AUROC",
    ),
}


def attack_protocols(card: dict[str, Any]) -> list[str]:
    """Attack protocols present in ``card``, in the order of the views."""
    present = {p for entry in card["detectors"].values() for p in entry.get("attacks", {})}
    return [p for p in _VIEWS if p in present]


def attack_header(protocol: str) -> list[str]:
    """Column names of :func:`attack_rows` for ``protocol``."""
    view = _VIEWS[protocol]
    return ["detector", view.level, *(header for header, _, _ in view.columns)]


def attack_rows(card: dict[str, Any], protocol: str) -> list[list[str]]:
    """One table row per detector and level (values averaged over seeds)."""
    view = _VIEWS[protocol]
    return [
        [
            name,
            view.level_format(row["level"]),
            *(fmt(row.get(key)) for _, key, fmt in view.columns),
        ]
        for name, entry in card["detectors"].items()
        for row in entry.get("attacks", {}).get(protocol, [])
    ]


def attack_png(card: dict[str, Any], protocol: str) -> bytes:
    """The protocol's measurements against its level, one colour per detector."""
    from matplotlib import rcParams

    view = _VIEWS[protocol]
    figure = _figure(6.0, 3.6)
    axis = figure.subplots()
    cycle = rcParams["axes.prop_cycle"].by_key()["color"]
    for index, (name, entry) in enumerate(card["detectors"].items()):
        rows = entry.get("attacks", {}).get(protocol, [])
        if not rows:
            continue
        colour = cycle[index % len(cycle)]
        for key, label, dashed in view.lines:
            points = [(r["level"], r[key]) for r in rows if r.get(key) is not None]
            if points:
                axis.plot(
                    *zip(*points, strict=True),
                    marker="o",
                    color=colour,
                    linestyle="--" if dashed else "-",
                    label=f"{name}: {label}",
                )
    if view.log_x:
        axis.set_xscale("log")
    axis.set_xlabel(view.level)
    axis.set_ylabel(view.y_label)
    axis.grid(alpha=0.3)
    axis.legend(fontsize=7)
    axis.set_title(f"{protocol.replace('_', ' ')}: {card['dataset']}")
    figure.tight_layout()
    return _png(figure)
