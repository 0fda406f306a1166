"""Dataset choices shared by the benchmark scripts (run as ``python benchmarks/NAME.py``)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Ten ADBench datasets small enough for repeated fits on 2 cores, from different domains.
SMALL_ADBENCH = (
    "4_breastw",
    "6_cardio",
    "14_glass",
    "18_Ionosphere",
    "20_letter",
    "29_Pima",
    "37_Stamps",
    "39_vertebral",
    "40_vowels",
    "43_WDBC",
)


def data_dir() -> str:
    """``ROBUSTAD_DATA_DIR``, else ``../shared/datasets`` beside the repository."""
    return os.environ.get("ROBUSTAD_DATA_DIR", str(ROOT.parent / "shared/datasets"))
