"""Dataset choices shared by the benchmark scripts (run as ``python benchmarks/NAME.py``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

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

#: The attack benchmarks' datasets: Cardiotocography in place of vertebral, whose anomalies every
#: detector ranks below the normal rows (clean AUROC 0.26-0.39 in results/robustness/index.md),
#: so "flagged anomalies" would be almost none.
ATTACK_ADBENCH = tuple(d if d != "39_vertebral" else "7_Cardiotocography" for d in SMALL_ADBENCH)


def calibration_split(dataset: Any, seed: int) -> tuple[Any, Any, Any]:
    """Stratified 70/30 split with 20 % of the training normals held out for calibration.

    Returns ``(fit_part, calibration, test)``, all standardised with the statistics of
    ``fit_part`` (the training part without the held-out rows), as the robustness card does.
    """
    import numpy as np

    from robustad.data import scale, train_test_split

    train, test = train_test_split(dataset, test_size=0.3, random_state=seed)
    rng = np.random.default_rng(seed)
    normal = np.flatnonzero(train.y == 0)
    held = rng.choice(normal, round(0.2 * normal.size), replace=False)
    rest = train.subset(np.setdiff1d(np.arange(train.n_samples), held))
    fit_part, test_scaled = scale(rest, test)
    _, calibration = scale(rest, train.subset(held))
    return fit_part, calibration, test_scaled


def data_dir() -> str:
    """``ROBUSTAD_DATA_DIR``, else ``../shared/datasets`` beside the repository."""
    return os.environ.get("ROBUSTAD_DATA_DIR", str(ROOT.parent / "shared/datasets"))
