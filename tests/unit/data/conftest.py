"""Fixtures for the data-layer tests: tiny files, a tiny data folder, the shared datasets."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

REPOSITORY_ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def shared_datasets_dir() -> Path:
    """The shared datasets folder (ROBUSTAD_DATA_DIR or ../shared/datasets); skip if absent."""
    candidates = []
    if os.environ.get("ROBUSTAD_DATA_DIR"):
        candidates.append(Path(os.environ["ROBUSTAD_DATA_DIR"]))
    candidates.append(REPOSITORY_ROOT.parent / "shared" / "datasets")
    for candidate in candidates:
        if (candidate / "adbench").is_dir():
            return candidate
    pytest.skip("the shared datasets folder is not available on this machine")


@pytest.fixture(scope="session")
def tiny_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder in the shared layout: adbench/*.npz plus one file directly inside."""
    folder = tmp_path_factory.mktemp("data_dir")
    (folder / "adbench").mkdir()
    rng = np.random.default_rng(0)
    for stem, n_rows in (("1_alpha", 20), ("2_beta", 30), ("12_Gamma.ray", 25)):
        X = rng.normal(size=(n_rows, 3))
        y = np.zeros(n_rows, dtype=np.int64)
        y[:2] = 1
        np.savez_compressed(folder / "adbench" / f"{stem}.npz", X=X, y=y)
    np.savez(folder / "flat_one.npz", X=rng.normal(size=(10, 2)))
    return folder


@pytest.fixture
def no_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run without ROBUSTAD_DATA_DIR, as on a fresh machine."""
    monkeypatch.delenv("ROBUSTAD_DATA_DIR", raising=False)
