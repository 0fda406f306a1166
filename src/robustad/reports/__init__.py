"""Reports (layer 4): Markdown and HTML benchmark reports, rank statistics and figures.

Examples
--------
>>> from robustad.reports import friedman_nemenyi, write_report
>>> callable(write_report) and callable(friedman_nemenyi)
True
"""

from robustad.reports.benchmark import benchmark_markdown, render_html, write_report
from robustad.reports.statistics import (
    RankTest,
    average_ranks,
    friedman_nemenyi,
    nemenyi_critical_difference,
)

__all__ = [
    "RankTest",
    "average_ranks",
    "benchmark_markdown",
    "friedman_nemenyi",
    "nemenyi_critical_difference",
    "render_html",
    "write_report",
]
