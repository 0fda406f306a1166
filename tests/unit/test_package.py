"""The package surface: curated public API, cheap import, error tree."""

from __future__ import annotations

import subprocess
import sys

import robustad
from robustad import exceptions

EXPECTED_PUBLIC_API = {
    "BaseDetector",
    "Dataset",
    "DetectorTags",
    "__version__",
    "exceptions",
    "list_datasets",
    "list_detectors",
    "load",
    "load_dataset",
    "make_detector",
    "register_detector",
}


def test_public_api_is_curated() -> None:
    """Changing the public API is a decision: update this list on purpose."""
    assert set(robustad.__all__) == EXPECTED_PUBLIC_API
    for name in robustad.__all__:
        assert getattr(robustad, name) is not None


def _heavy_modules_after(statement: str) -> list[str]:
    code = (
        f"import sys; {statement}; "
        "print(','.join(m for m in ('torch', 'fastapi', 'dask', 'pyod', 'pandas', 'sklearn') "
        "if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return [m for m in result.stdout.strip().split(",") if m]


def test_import_robustad_is_cheap() -> None:
    assert _heavy_modules_after("import robustad, robustad.data") == []


def test_detectors_need_no_torch_fastapi_dask_or_pyod_until_used() -> None:
    heavy = _heavy_modules_after("import robustad.detectors, robustad.data")
    assert not {"torch", "fastapi", "dask", "pyod"} & set(heavy)


def test_error_tree() -> None:
    assert issubclass(exceptions.DataValidationError, (exceptions.RobustADError, ValueError))
    assert issubclass(exceptions.NotFittedError, AttributeError)
    assert issubclass(exceptions.ArtifactError, exceptions.RobustADError)
    assert issubclass(exceptions.DatasetNotFoundError, FileNotFoundError)
    assert issubclass(exceptions.UnknownDetectorError, exceptions.InvalidParameterError)
