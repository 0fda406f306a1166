"""Detectors behind one contract (DESIGN.md section 2).

Classes are imported on first attribute access so that ``import robustad.detectors`` does not
pull in PyOD, scikit-learn models or torch.
"""

from __future__ import annotations

import importlib
from typing import Any

from robustad.detectors.base import BaseDetector
from robustad.detectors.registry import (
    DetectorInfo,
    detector_class,
    detector_info,
    list_detectors,
    make_detector,
    register_detector,
)
from robustad.detectors.tags import DetectorTags

__all__ = [
    "COPOD",
    "ECOD",
    "HBOS",
    "KNN",
    "LOF",
    "OCSVM",
    "PCA",
    "BaseDetector",
    "DetectorInfo",
    "DetectorTags",
    "IForest",
    "detector_class",
    "detector_info",
    "list_detectors",
    "load_detector",
    "make_detector",
    "register_detector",
]

_LAZY = {
    "COPOD": "robustad.detectors.classical.ecdf",
    "ECOD": "robustad.detectors.classical.ecdf",
    "HBOS": "robustad.detectors.classical.models",
    "IForest": "robustad.detectors.classical.models",
    "KNN": "robustad.detectors.classical.models",
    "LOF": "robustad.detectors.classical.models",
    "OCSVM": "robustad.detectors.classical.models",
    "PCA": "robustad.detectors.classical.models",
    "load_detector": "robustad.detectors.persistence",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'robustad.detectors' has no attribute {name!r}")
