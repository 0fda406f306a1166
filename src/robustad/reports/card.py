"""Rendering of the robustness card: card.json, card.md and card.html with one figure per protocol.

Examples
--------
>>> import tempfile
>>> from robustad.data import make_outlier_data
>>> from robustad.robustness.card import robustness_card
>>> card = robustness_card(make_outlier_data(300, 3, random_state=0), ["ecod"], suite="quick",
...                        seeds=1, protocols=["contamination"])
>>> paths = write_card(card, tempfile.mkdtemp())
>>> sorted(p.name for p in paths)
['card.html', 'card.json', 'card.md']
"""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path
from typing import Any

from robustad.reports.attack_card import attack_header, attack_png, attack_protocols, attack_rows
from robustad.reports.figures import _figure, _png
from robustad.robustness.perturbations import PERTURBATIONS
from robustad.utils.files import atomic_write_bytes

__all__ = ["card_html", "card_markdown", "protocol_png", "ranked_detectors", "write_card"]

_KIND_LABELS = {
    "duplicated_anomalies": "anomalies repeated (x times)",
    "irrelevant_features": "share of noise columns",
    "label_flips": "share of labels flipped",
    "contamination": "anomaly share in training",
    "contamination_misspecified": "told / true contamination (true 10 %)",
    "gaussian_noise": "noise (x column std)",
    "feature_dropout": "share of columns dropped",
    "unit_change": "one column x factor",
    "mean_drift": "drift (x std)",
}


def ranked_detectors(card: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The card's detectors, best robustness score first (those without a score last)."""

    def key(item: tuple[str, dict[str, Any]]) -> float:
        score = item[1]["robustness_score"]
        return -float(score) if score is not None else float("inf")

    return sorted(card["detectors"].items(), key=key)


def _kinds(card: dict[str, Any], protocol: str) -> list[str]:
    kinds: list[str] = []
    for entry in card["detectors"].values():
        for row in entry["protocols"].get(protocol, []):
            if row["kind"] not in kinds:
                kinds.append(row["kind"])
    return kinds


def _protocols(card: dict[str, Any]) -> list[str]:
    names: list[str] = []
    for entry in card["detectors"].values():
        names += [p for p in entry["protocols"] if p not in names]
    return names


def protocol_png(card: dict[str, Any], protocol: str) -> bytes:
    """AUROC (top) and alarm rate (bottom) against level, one line per detector, per kind.

    Error bars are the standard deviation over seeds; the dotted line in the AUROC panel is
    each detector's clean AUROC, the one in the alarm panel the calibrated target rate.
    """
    kinds = _kinds(card, protocol)
    figure = _figure(3.4 * len(kinds) + 0.6, 5.2)
    axes = figure.subplots(2, len(kinds), squeeze=False)
    from matplotlib import rcParams

    cycle = rcParams["axes.prop_cycle"].by_key()["color"]
    palette = [cycle[i % len(cycle)] for i in range(len(card["detectors"]))]
    for column, kind in enumerate(kinds):
        top, bottom = axes[0][column], axes[1][column]
        for colour, (name, entry) in zip(palette, card["detectors"].items(), strict=True):
            rows = [r for r in entry["protocols"].get(protocol, []) if r["kind"] == kind]
            if not rows:
                continue
            levels = [r["level"] for r in rows]
            aurocs = [r["auroc_mean"] for r in rows]
            errors = [r["auroc_std"] for r in rows]
            alarms = [r["alarm_rate"] for r in rows]
            clean_level = PERTURBATIONS[kind].clean_level if kind in PERTURBATIONS else None
            if protocol != "contamination" and clean_level is not None:
                # Start each line at the unperturbed run, so the figure shows the change.
                levels = [clean_level, *levels]
                aurocs = [entry["clean"]["auroc"], *aurocs]
                errors = [0.0, *errors]
                alarms = [entry["clean"]["alarm_rate"], *alarms]
            top.errorbar(
                levels,
                aurocs,
                yerr=errors,
                marker="o",
                capsize=3,
                color=colour,
                label=name,
            )
            top.axhline(entry["clean"]["auroc"], color=colour, linestyle=":", linewidth=1)
            bottom.plot(levels, alarms, marker="s", color=colour)
        if kind != "contamination_misspecified":  # that kind uses its own threshold
            bottom.axhline(card["target_fpr"], color="grey", linestyle=":", linewidth=1)
        top.set_title(kind.replace("_", " "))
        top.set_ylabel("AUROC" if column == 0 else "")
        bottom.set_ylabel("alarm rate on normal rows" if column == 0 else "")
        bottom.set_xlabel(_KIND_LABELS.get(kind, "level"))
        for axis in (top, bottom):
            axis.grid(alpha=0.3)
    axes[0][0].legend(fontsize=8)
    figure.suptitle(f"{protocol.replace('_', ' ')}: {card['dataset']}")
    figure.tight_layout()
    return _png(figure)


def _summary_rows(card: dict[str, Any]) -> list[list[str]]:
    rows = []
    for rank, (name, entry) in enumerate(ranked_detectors(card), start=1):
        worst = min(
            (row for rows in entry["protocols"].values() for row in rows),
            key=lambda row: row["delta_auroc"],
            default=None,
        )
        worst_text = (
            "-"
            if worst is None
            else f"{worst['kind']} {worst['level']:g} ({worst['delta_auroc']:+.3f})"
        )
        rows.append(
            [
                str(rank),
                name,
                "-" if entry["robustness_score"] is None else f"{entry['robustness_score']:.3f}",
                f"{entry['clean']['auroc']:.3f}",
                f"{entry['clean']['ap']:.3f}",
                f"{entry['clean']['alarm_rate']:.1%}",
                worst_text,
            ]
        )
    return rows


_SUMMARY_HEADER = [
    "rank",
    "detector",
    "robustness score",
    "clean AUROC",
    "clean AP",
    "clean alarm rate",
    "worst setting (delta AUROC)",
]


def _protocol_rows(card: dict[str, Any], protocol: str) -> list[list[str]]:
    rows = []
    for name, entry in card["detectors"].items():
        for row in entry["protocols"].get(protocol, []):
            rows.append(
                [
                    name,
                    row["kind"],
                    f"{row['level']:g}",
                    f"{row['auroc_mean']:.3f} ± {row['auroc_std']:.3f}",
                    f"{row['ap_mean']:.3f} ± {row['ap_std']:.3f}",
                    f"{row['delta_auroc']:+.3f}",
                    f"{row['alarm_rate']:.1%}",
                    f"{row.get('recall', float('nan')):.1%}",
                ]
            )
    return rows


_PROTOCOL_HEADER = [
    "detector",
    "kind",
    "level",
    "AUROC",
    "AP",
    "delta AUROC",
    "alarm rate",
    "recall",
]


def _markdown_table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def _intro(card: dict[str, Any]) -> list[str]:
    return [
        f"Dataset **{card['dataset']}**, suite **{card['suite']}**, seeds "
        f"{', '.join(map(str, card['seeds']))}; created {card['created_at']}.",
        "",
        f"Thresholds are calibrated with conformal p-values on held-out normal training rows "
        f"to a {card['target_fpr']:.0%} false-positive target (or the smallest rate a small "
        "dataset supports); the **alarm rate** is the share of normal test rows flagged. "
        f"The **robustness score**: {card['score_definition']}.",
    ]


def card_markdown(card: dict[str, Any]) -> str:
    """The card as Markdown: summary ranking, then one table per protocol."""
    lines = ["# Robustness card", "", *_intro(card), "", "## Summary", ""]
    lines += _markdown_table(_SUMMARY_HEADER, _summary_rows(card))
    for protocol in _protocols(card):
        lines += ["", f"## {protocol}", ""]
        lines += _markdown_table(_PROTOCOL_HEADER, _protocol_rows(card, protocol))
    for protocol in attack_protocols(card):
        lines += ["", f"## Attack: {protocol}", ""]
        lines += _markdown_table(attack_header(protocol), attack_rows(card, protocol))
    return "\n".join(lines) + "\n"


def _html_table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def card_html(card: dict[str, Any]) -> str:
    """The card as a self-contained HTML page with the figures embedded as PNG."""
    intro = "".join(f"<p>{html.escape(p).replace('**', '')}</p>" for p in _intro(card) if p.strip())
    sections = []
    for protocol in _protocols(card):
        image = base64.b64encode(protocol_png(card, protocol)).decode()
        sections.append(
            f"<h2>{html.escape(protocol)}</h2>"
            f'<img alt="{html.escape(protocol)}" src="data:image/png;base64,{image}">'
            + _html_table(_PROTOCOL_HEADER, _protocol_rows(card, protocol))
        )
    for protocol in attack_protocols(card):
        image = base64.b64encode(attack_png(card, protocol)).decode()
        sections.append(
            f"<h2>Attack: {html.escape(protocol)}</h2>"
            f'<img alt="{html.escape(protocol)}" src="data:image/png;base64,{image}">'
            + _html_table(attack_header(protocol), attack_rows(card, protocol))
        )
    style = (
        "body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#222}"
        "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;"
        "padding:3px 8px;text-align:right}th{background:#f3f3f3}img{max-width:100%}"
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>Robustness card: "
        f"{html.escape(str(card['dataset']))}</title><style>{style}</style></head><body>"
        f"<h1>Robustness card</h1>{intro}<h2>Summary</h2>"
        f"{_html_table(_SUMMARY_HEADER, _summary_rows(card))}{''.join(sections)}</body></html>"
    )


def write_card(card: dict[str, Any], out_dir: str | Path) -> list[Path]:
    """Write card.json, card.md and card.html into ``out_dir`` (each atomically)."""
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    outputs = {
        "card.json": json.dumps(card, indent=2, allow_nan=False).encode(),
        "card.md": card_markdown(card).encode(),
        "card.html": card_html(card).encode(),
    }
    paths = []
    for name, data in outputs.items():
        atomic_write_bytes(folder / name, data)
        paths.append(folder / name)
    return paths
