"""robustad: robust deep anomaly detection, end to end.

The curated public API is listed in ``__all__`` (guarded by a test). Heavy libraries (torch,
PyOD, pandas, fastapi, dask) are imported only when the feature that needs them is used, so
``import robustad`` is cheap.

Examples
--------
>>> import robustad
>>> from robustad.data import make_outlier_data
>>> data = make_outlier_data(n_samples=300, n_features=4, random_state=0)
>>> det = robustad.make_detector("iforest", random_state=0).fit(data.X)
>>> det.decision_function(data.X).shape
(300,)
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

__all__ = [
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
]

_LAZY = {
    "BaseDetector": ("robustad.detectors.base", "BaseDetector"),
    "DetectorTags": ("robustad.detectors.tags", "DetectorTags"),
    "list_detectors": ("robustad.detectors.registry", "list_detectors"),
    "make_detector": ("robustad.detectors.registry", "make_detector"),
    "register_detector": ("robustad.detectors.registry", "register_detector"),
    "load": ("robustad.detectors.persistence", "load_detector"),
    "Dataset": ("robustad.data", "Dataset"),
    "load_dataset": ("robustad.data", "load_dataset"),
    "list_datasets": ("robustad.data", "list_datasets"),
    "exceptions": ("robustad.exceptions", None),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module_name, attribute = _LAZY[name]
        module = importlib.import_module(module_name)
        value = module if attribute is None else getattr(module, attribute)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'robustad' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
