"""Detectors by name: ``make_detector``, ``list_detectors``, ``register_detector``.

Built-in detectors are listed as ``"module:Class"`` strings and imported on first use, so
``import robustad`` stays cheap (no torch, no PyOD) until a detector is actually made.

Examples
--------
>>> from robustad.detectors.registry import list_detectors, make_detector
>>> "iforest" in list_detectors()
True
>>> make_detector("iforest", n_estimators=50, random_state=0)
IForest(n_estimators=50, random_state=0)
>>> make_detector("iforst")
Traceback (most recent call last):
...
robustad.exceptions.UnknownDetectorError: unknown detector 'iforst'; did you mean 'iforest'? ...
"""

from __future__ import annotations

import difflib
import importlib
import inspect
from dataclasses import dataclass
from typing import Any

from robustad.detectors.base import BaseDetector
from robustad.detectors.tags import DetectorTags
from robustad.exceptions import InvalidParameterError, UnknownDetectorError

__all__ = [
    "DetectorInfo",
    "detector_class",
    "detector_info",
    "list_detectors",
    "make_detector",
    "register_detector",
]

_BUILTIN: dict[str, str] = {
    "autoencoder": "robustad.detectors.deep.autoencoder:AutoEncoder",
    "conv_autoencoder": "robustad.detectors.deep.conv_autoencoder:ConvAutoEncoder",
    "copod": "robustad.detectors.classical.ecdf:COPOD",
    "deep_sad": "robustad.detectors.deep.deep_sad:DeepSAD",
    "deep_svdd": "robustad.detectors.deep.deep_svdd:DeepSVDD",
    "ecod": "robustad.detectors.classical.ecdf:ECOD",
    "ensemble": "robustad.detectors.hybrid:Ensemble",
    "hbos": "robustad.detectors.classical.models:HBOS",
    "iforest": "robustad.detectors.classical.models:IForest",
    "knn": "robustad.detectors.classical.models:KNN",
    "latent": "robustad.detectors.hybrid:LatentDetector",
    "lof": "robustad.detectors.classical.models:LOF",
    "ocsvm": "robustad.detectors.classical.models:OCSVM",
    "pca": "robustad.detectors.classical.models:PCA",
    "vae": "robustad.detectors.deep.vae:VAE",
}
_REGISTERED: dict[str, type[BaseDetector]] = {}


@dataclass(frozen=True)
class DetectorInfo:
    """What ``robustad detectors`` shows for one detector."""

    name: str
    class_name: str
    summary: str
    tags: DetectorTags
    params: dict[str, Any]


def register_detector(name: str, cls: type[BaseDetector]) -> type[BaseDetector]:
    """Register a detector class under ``name`` (third-party detectors too).

    The class must subclass :class:`~robustad.detectors.base.BaseDetector`; it is then
    available to ``make_detector``, the CLI, the benchmark runner and ``robustad.load``.
    """
    if not (isinstance(cls, type) and issubclass(cls, BaseDetector)):
        raise InvalidParameterError(
            f"register_detector({name!r}, ...) needs a subclass of BaseDetector; got {cls!r}"
        )
    if not name or not name.replace("_", "").isalnum() or name != name.lower():
        raise InvalidParameterError(
            f"detector name {name!r} must be lower-case letters, digits and underscores"
        )
    if name in _BUILTIN:
        raise InvalidParameterError(f"{name!r} is a built-in detector name; choose another")
    cls.name = name
    _REGISTERED[name] = cls
    return cls


def list_detectors() -> list[str]:
    """Names of every registered detector, sorted."""
    return sorted({*_BUILTIN, *_REGISTERED})


def detector_class(name: str) -> type[BaseDetector]:
    """The class registered under ``name``."""
    if not isinstance(name, str):
        raise UnknownDetectorError(f"a detector name must be a string; got {type(name).__name__}")
    if name in _REGISTERED:
        return _REGISTERED[name]
    if name not in _BUILTIN:
        close = difflib.get_close_matches(name.lower(), list_detectors(), n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise UnknownDetectorError(
            f"unknown detector {name!r}; {hint}available: {', '.join(list_detectors())}"
        )
    module_name, class_name = _BUILTIN[name].split(":")
    cls: type[BaseDetector] = getattr(importlib.import_module(module_name), class_name)
    cls.name = name
    return cls


def make_detector(name: str, **params: Any) -> BaseDetector:
    """Create the detector registered under ``name`` with constructor ``params``.

    Raises
    ------
    UnknownDetectorError
        For a name that is not registered (the message suggests the closest one).
    InvalidParameterError
        For a parameter the detector does not have (the message lists those it has).
    """
    cls = detector_class(name)
    accepted = _parameter_names(cls)
    unknown = sorted(set(params) - set(accepted))
    if unknown:
        raise InvalidParameterError(
            f"detector {name!r} has no parameter(s) {', '.join(map(repr, unknown))}; "
            f"its parameters are: {', '.join(accepted)}"
        )
    return cls(**params)


def detector_info(name: str) -> DetectorInfo:
    """Class, one-line summary, tags and default parameters of a registered detector."""
    cls = detector_class(name)
    summary = (inspect.getdoc(cls) or "").strip().splitlines()[0] if cls.__doc__ else ""
    return DetectorInfo(
        name=name,
        class_name=cls.__name__,
        summary=summary,
        tags=cls._tags,
        params=cls().get_params(deep=False),
    )


def _parameter_names(cls: type[BaseDetector]) -> list[str]:
    signature = inspect.signature(cls.__init__)
    return [p for p in signature.parameters if p != "self"]
