"""``robustad robustness``: the robustness card of one or more detectors on one dataset."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer


def robustness_command(
    data: str = typer.Option(..., "--data", help="Dataset name or a labelled file."),
    detector: str = typer.Option(
        ...,
        "--detector",
        "-d",
        help="Detector name(s), comma-separated (see 'robustad detectors').",
    ),
    out_dir: Path = typer.Option(
        ..., "--out", "-o", help="Folder for card.json, card.md, card.html."
    ),
    suite: str = typer.Option(
        "standard", help="quick (one level each), standard, or full (standard plus attacks)."
    ),
    seeds: int = typer.Option(3, help="Seeds per setting (mean and std over them)."),
    protocols: str | None = typer.Option(
        None, help="Comma-separated subset of the protocols (default: all that apply)."
    ),
    label_column: str | None = typer.Option(
        None, help="Label column of a CSV/Parquet file (1 anomaly, 0 normal)."
    ),
) -> None:
    """Measure how detectors hold up under contamination, shift, noise and attacks; write the card.

    Protocols: duplicated_anomalies, irrelevant_features, label_flips (label-using detectors
    only), contamination, covariate_shift. Each setting is fitted on a stratified split and
    calibrated to a 1 % false-positive rate on held-out normal rows. --suite full adds the
    attacks: evasion_pgd (deep detectors), evasion_blackbox, poisoning, backdoor and
    certified (fully connected deep detectors).

    Example: [bold]robustad robustness --data cardio --detector iforest,ecod --suite quick
    --out cards/cardio[/bold]
    """
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from robustad.cli.app import err, out
    from robustad.data import load_dataset
    from robustad.reports.card import ranked_detectors, write_card
    from robustad.robustness.card import check_card_request, robustness_card

    names = [n.strip() for n in detector.split(",") if n.strip()]
    chosen = None if protocols is None else [p.strip() for p in protocols.split(",") if p.strip()]
    dataset = load_dataset(data, label_column=label_column)
    # Every check runs before the progress bar starts, so errors stay one line.
    check_card_request(dataset, names, suite=suite, seeds=seeds, protocols=chosen)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("robustness card", total=None)

        def progress(done: int, total: int, message: str) -> None:
            bar.update(task, completed=done, total=total, description=message)

        card = robustness_card(
            dataset, names, suite=suite, seeds=seeds, protocols=chosen, progress=progress
        )
    paths = write_card(card, out_dir)
    for name, entry in ranked_detectors(card):
        score = entry["robustness_score"]
        out.print(
            f"{name}: robustness score {'-' if score is None else f'{score:.3f}'} "
            f"(clean AUROC {entry['clean']['auroc']:.3f}){_attack_summary(entry)}"
        )
    out.print(f"card written to {', '.join(str(p) for p in paths)}")


def _attack_summary(entry: dict[str, Any]) -> str:
    """The headline attack figures of a full-suite card entry, for the terminal."""
    attacks = entry.get("attacks", {})
    parts = []
    for protocol, level, label in (
        ("evasion_pgd", 0.5, "PGD evasion at eps 0.5"),
        ("evasion_blackbox", 1000.0, "score-only evasion (1,000 queries)"),
    ):
        rate = next(
            (r["success_rate"] for r in attacks.get(protocol, []) if r["level"] == level), None
        )
        if rate is not None:
            parts.append(f"{label} {rate:.0%}")
    return f"; {', '.join(parts)}" if parts else ""
