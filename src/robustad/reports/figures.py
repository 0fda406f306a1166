"""Figures for benchmark reports, rendered to PNG bytes with matplotlib's Agg backend.

matplotlib is imported inside each function (``pip install robustad[reports]``), and the Agg
backend is used explicitly through a ``Figure`` object, so no display and no global pyplot
state are involved.

Examples
--------
>>> import pandas as pd
>>> from robustad.reports.statistics import friedman_nemenyi
>>> table = pd.DataFrame({"a": [0.9, 0.8, 0.7], "b": [0.6, 0.7, 0.5], "c": [0.8, 0.9, 0.6]})
>>> critical_difference_png(friedman_nemenyi(table))[:8]
b'\\x89PNG\\r\\n\\x1a\\n'
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

import numpy as np

from robustad.exceptions import RobustADError

if TYPE_CHECKING:
    import pandas as pd

    from robustad.reports.statistics import RankTest

__all__ = ["auroc_time_png", "critical_difference_png"]


def _figure(width: float, height: float) -> Any:
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:  # pragma: no cover - depends on the environment
        raise RobustADError(
            "figures need matplotlib; install it with: pip install 'robustad[reports]'"
        ) from None
    figure = Figure(figsize=(width, height), dpi=110)
    FigureCanvasAgg(figure)
    return figure


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    return buffer.getvalue()


def critical_difference_png(test: RankTest) -> bytes:
    """Demšar's critical-difference diagram: average ranks on an axis, best on the left.

    Detectors joined by a thick bar are not significantly different (Nemenyi, the test's
    ``alpha``); the CD interval is drawn above the axis.
    """
    ranks = test.average_ranks
    names, values = list(ranks.index), ranks.to_numpy(dtype=float)
    k = len(names)
    half = (k + 1) // 2
    height = 1.2 + 0.32 * max(half, k - half)
    figure = _figure(8.0, height)
    axes = figure.add_axes((0.02, 0.02, 0.96, 0.96))
    axes.set_axis_off()
    low, high = 1, max(k, 2)
    axes.set_xlim(low - 0.9, high + 0.9)
    top = 0.0
    axes.set_ylim(-max(half, k - half) * 0.32 - 0.4, 0.75)
    axes.plot([low, high], [top, top], color="black", linewidth=1)
    for tick in range(low, high + 1):
        axes.plot([tick, tick], [top, top + 0.06], color="black", linewidth=1)
        axes.text(tick, top + 0.1, str(tick), ha="center", va="bottom", fontsize=9)
    # The CD interval, starting at rank 1.
    cd = test.critical_difference
    axes.plot([low, low + cd], [top + 0.45, top + 0.45], color="black", linewidth=1.5)
    for end in (low, low + cd):
        axes.plot([end, end], [top + 0.4, top + 0.5], color="black", linewidth=1)
    axes.text(
        low + cd / 2,
        top + 0.52,
        f"CD = {cd:.2f} (Nemenyi, α = {test.alpha:g})",
        ha="center",
        va="bottom",
        fontsize=8,
    )
    step = 0.32
    for i, (name, value) in enumerate(zip(names, values, strict=True)):
        if i < half:
            level = -(i + 1) * step - 0.25
            x_text, align = low - 0.8, "left"
        else:
            level = -(k - i) * step - 0.25
            x_text, align = high + 0.8, "right"
        axes.plot([value, value], [top, level], color="black", linewidth=0.8)
        axes.plot([value, x_text], [level, level], color="black", linewidth=0.8)
        label = f"{name} ({value:.2f})" if align == "left" else f"({value:.2f}) {name}"
        axes.text(x_text, level + 0.03, label, ha=align, va="bottom", fontsize=9)
    for j, group in enumerate(test.cliques()):
        start, end = float(ranks[group[0]]), float(ranks[group[-1]])
        level = -0.1 - 0.07 * j
        axes.plot([start - 0.03, end + 0.03], [level, level], color="tab:red", linewidth=3.5)
    return _png(figure)


def auroc_time_png(frame: pd.DataFrame) -> bytes:
    """Mean AUROC against mean time (fit + score, log scale) per detector, over ok cells.

    One point per detector: its AUROC averaged over datasets (each dataset's mean over seeds),
    against its mean time per cell. Labels sit in a column on the right, joined to their
    points by thin lines, so they stay readable with many detectors.
    """
    ok = frame[frame["status"] == "ok"].copy()
    if ok.empty:
        raise RobustADError("no finished cells to plot; every cell failed or timed out")
    ok["seconds"] = ok["fit_seconds"] + ok["score_seconds"]
    per_dataset = ok.groupby(["detector", "dataset"])[["auroc", "seconds"]].mean()
    per_detector = per_dataset.groupby(level="detector").mean().sort_values("auroc")
    n_datasets = per_dataset.groupby(level="detector").size()
    figure = _figure(7.0, 0.9 + 0.28 * max(len(per_detector), 10))
    axes = figure.add_subplot(1, 1, 1)
    floor = 1e-3
    x = np.maximum(per_detector["seconds"].to_numpy(dtype=float), floor)
    y = per_detector["auroc"].to_numpy(dtype=float)
    from matplotlib import colormaps

    palette = colormaps["tab20" if len(per_detector) > 10 else "tab10"]
    colours = [palette(i % palette.N) for i in range(len(per_detector))]
    axes.scatter(x, y, s=55, color=colours, edgecolor="black", zorder=3)
    axes.set_xscale("log")
    low, high = float(y.min()), float(y.max())
    margin = max(0.02, (high - low) * 0.08)
    axes.set_ylim(low - margin, high + margin)
    # Labels in a column right of the axes; evenly spaced (in AUROC order) when neighbours
    # would overlap, at their own height otherwise.
    bottom, top = low - margin, high + margin
    positions = list(y)
    if len(y) > 1 and np.min(np.diff(y)) < (top - bottom) / 28:
        positions = list(np.linspace(bottom + margin / 2, top - margin / 2, len(y)))
    transform = axes.get_yaxis_transform()  # x in axes fraction, y in data units
    for (name, _), px, py, ly, colour in zip(
        per_detector.iterrows(), x, y, positions, colours, strict=True
    ):
        count = int(n_datasets.get(name, 0))
        axes.annotate(
            f"{name} ({py:.3f}, {count} datasets)",
            xy=(px, py),
            xycoords="data",
            xytext=(1.03, ly),
            textcoords=transform,
            va="center",
            fontsize=8,
            color="0.15",  # light palette colours are unreadable as text; the line links them
            arrowprops={"arrowstyle": "-", "color": colour, "linewidth": 0.7, "alpha": 0.9},
            annotation_clip=False,
        )
    axes.set_xlim(float(x.min()) / 2, float(x.max()) * 2)
    axes.set_xlabel("mean time per cell: fit + score (seconds, log scale)")
    axes.set_ylabel("mean test AUROC over datasets")
    axes.set_title("Quality against cost (one point per detector)")
    axes.grid(True, which="major", alpha=0.3)
    return _png(figure)
