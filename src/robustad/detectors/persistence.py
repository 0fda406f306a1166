"""Saving and loading detectors as verified, pickle-free artifact folders (DESIGN.md section 4).

An artifact is a folder::

    manifest.json        format, detector name/class/params/tags, library versions, feature
                         schema, threshold, training fingerprint, sha256 + size of every file,
                         and the sha256 of the manifest's own content
    base.safetensors     training scores (fitted state every detector has)
    <detector files>     e.g. model.skops (classical, loaded with an explicit trusted-type list)
                         or *.safetensors (array and deep detectors)

Loading checks, before anything but ``manifest.json`` is parsed: the format name and version,
the detector name against the registry (a class path from the file is never imported), that the
folder holds exactly the listed files, and every file's size and sha256. A tampered, truncated,
foreign or extended artifact is refused with :class:`~robustad.exceptions.ArtifactError`.

Examples
--------
>>> import tempfile, robustad
>>> from robustad.data import make_outlier_data
>>> data = make_outlier_data(n_samples=100, random_state=0)
>>> det = robustad.make_detector("ecod").fit(data.X)
>>> folder = det.save(tempfile.mkdtemp() + "/model")
>>> loaded = robustad.load(folder)
>>> bool((loaded.decision_function(data.X) == det.decision_function(data.X)).all())
True
"""

from __future__ import annotations

import datetime as _dt
import json
import platform
import re
import warnings
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from robustad.detectors.base import BaseDetector
from robustad.exceptions import ArtifactError, NotFittedError
from robustad.utils.files import replace_folder, sha256_bytes

__all__ = ["FORMAT", "FORMAT_VERSION", "load_detector", "read_manifest", "save_detector"]

FORMAT = "robustad.detector"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
_BASE_FILE = "base.safetensors"
_MAX_MANIFEST_BYTES = 4 * 1024 * 1024
_SAFE_FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_LIBRARIES = ("numpy", "scipy", "scikit-learn", "pyod", "skops", "safetensors", "torch")


def _library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in ("robustad", *_LIBRARIES):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def _json_params(detector: BaseDetector) -> dict[str, Any]:
    params = detector.get_params(deep=False)
    for key, value in params.items():
        try:
            json.dumps(value, allow_nan=False)
        except (TypeError, ValueError):
            raise ArtifactError(
                f"parameter {key}={value!r} of {type(detector).__name__} cannot be written to "
                "manifest.json (only numbers, strings, booleans, None and lists are); pass a "
                "plain value to save this detector"
            ) from None
    return params


def _content_digest(manifest: dict[str, Any]) -> str:
    body = {k: v for k, v in manifest.items() if k != "manifest_sha256"}
    return sha256_bytes(json.dumps(body, sort_keys=True, allow_nan=False).encode())


def save_detector(detector: BaseDetector, path: str | Path) -> Path:
    """Save a fitted detector to the folder ``path`` (atomically); return the path.

    Refuses to overwrite a non-empty folder that is not a robustad artifact.
    """
    from safetensors.numpy import save

    if not hasattr(detector, "threshold_"):
        raise NotFittedError(
            f"This {type(detector).__name__} is not fitted yet; fit it before saving"
        )
    if not detector.name:
        raise ArtifactError(
            f"{type(detector).__name__} is not registered; call "
            "robustad.register_detector(name, cls) so it can be loaded by name"
        )
    target = Path(path)
    if target.exists() and not target.is_dir():
        raise ArtifactError(f"cannot save to '{target}': it is a file, not a folder")
    if target.is_dir() and any(target.iterdir()) and not (target / MANIFEST).is_file():
        raise ArtifactError(
            f"refusing to overwrite '{target}': the folder is not empty and holds no robustad "
            "model; choose an empty or new folder"
        )
    files = dict(detector._dump_state())
    reserved = {MANIFEST, _BASE_FILE} & set(files)
    if reserved or not all(_SAFE_FILE_NAME.match(name) for name in files):
        raise ArtifactError(
            f"{type(detector).__name__} wrote invalid state file names: {sorted(files)}"
        )
    files[_BASE_FILE] = save(
        {
            "decision_scores": np.ascontiguousarray(detector.decision_scores_),
            "feature_min": np.ascontiguousarray(detector.feature_min_),
            "feature_max": np.ascontiguousarray(detector.feature_max_),
            **(
                {"calibration_scores": np.ascontiguousarray(detector.calibration_scores_)}
                if hasattr(detector, "calibration_scores_")
                else {}
            ),
        }
    )
    scores = detector.decision_scores_
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "detector": {
            "name": detector.name,
            "class": type(detector).__name__,
            "params": _json_params(detector),
            "tags": {k: bool(v) for k, v in vars(detector.tags).items()},
        },
        "libraries": _library_versions(),
        "features": {
            "n_features": int(detector.n_features_in_),
            "names": [str(n) for n in detector.feature_names_in_],
            "named": bool(detector._has_feature_names_),
        },
        "threshold": float(detector.threshold_),
        "calibration": (
            {
                "n_rows": int(detector.calibration_scores_.shape[0]),
                "target_fpr": getattr(detector, "target_fpr_", None),
            }
            if hasattr(detector, "calibration_scores_")
            else None
        ),
        "contamination": float(detector.contamination),
        "training": {
            "n_samples": int(scores.shape[0]),
            "fingerprint_sha256": detector.training_fingerprint_,
            "score_min": float(scores.min()),
            "score_max": float(scores.max()),
            "score_mean": float(scores.mean()),
        },
        "files": {
            name: {"sha256": sha256_bytes(data), "bytes": len(data)}
            for name, data in sorted(files.items())
        },
    }
    manifest["manifest_sha256"] = _content_digest(manifest)
    files[MANIFEST] = json.dumps(manifest, indent=2, allow_nan=False).encode()
    return replace_folder(target, files)


def read_manifest(path: str | Path) -> dict[str, Any]:
    """Read and check ``manifest.json`` of an artifact folder (format, version, own digest)."""
    folder = Path(path)
    manifest_path = folder / MANIFEST
    if not folder.is_dir() or not manifest_path.is_file():
        raise ArtifactError(
            f"'{folder}' is not a robustad model folder (no {MANIFEST}); pass the folder "
            "written by detector.save() or 'robustad fit --out'"
        )
    raw = manifest_path.read_bytes()
    if len(raw) > _MAX_MANIFEST_BYTES:
        raise ArtifactError(f"{manifest_path} is {len(raw)} bytes, too large to be a manifest")
    try:
        manifest = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ArtifactError(f"{manifest_path} is not valid JSON ({error}); truncated?") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        raise ArtifactError(
            f"'{folder}' is not a robustad detector artifact (manifest format {found!r}, "
            f"expected {FORMAT!r})"
        )
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION or version < 1:
        raise ArtifactError(
            f"'{folder}' has artifact format version {version!r}; this robustad reads versions "
            f"1 to {FORMAT_VERSION}: upgrade robustad to load it"
        )
    if manifest.get("manifest_sha256") != _content_digest(manifest):
        raise ArtifactError(
            f"{manifest_path} was modified after saving (its content digest does not match); "
            "refusing to load"
        )
    return manifest


def _verified_files(folder: Path, manifest: dict[str, Any]) -> dict[str, bytes]:
    listed = manifest.get("files")
    if not isinstance(listed, dict) or _BASE_FILE not in listed:
        raise ArtifactError(f"{folder / MANIFEST} lists no state files; the artifact is incomplete")
    for name in listed:
        if not isinstance(name, str) or not _SAFE_FILE_NAME.match(name) or name == MANIFEST:
            raise ArtifactError(f"{folder / MANIFEST} lists an invalid file name {name!r}")
    present = {p.name for p in folder.iterdir()} - {MANIFEST}
    unexpected = sorted(present - set(listed))
    if unexpected:
        raise ArtifactError(
            f"'{folder}' holds file(s) not listed in {MANIFEST}: {', '.join(unexpected)}; "
            "refusing to load a folder that may have been tampered with"
        )
    files: dict[str, bytes] = {}
    for name, entry in listed.items():
        file_path = folder / name
        if not file_path.is_file():
            raise ArtifactError(f"'{file_path}' is missing; the artifact is incomplete")
        data = file_path.read_bytes()
        if not isinstance(entry, dict) or len(data) != entry.get("bytes"):
            raise ArtifactError(
                f"'{file_path}' has {len(data)} bytes but {MANIFEST} records "
                f"{entry.get('bytes') if isinstance(entry, dict) else '?'}: truncated or replaced"
            )
        if sha256_bytes(data) != entry.get("sha256"):
            raise ArtifactError(
                f"'{file_path}' does not match its sha256 in {MANIFEST}: tampered or corrupted; "
                "refusing to load"
            )
        files[name] = data
    return files


def load_detector(path: str | Path) -> BaseDetector:
    """Load a detector saved with :meth:`BaseDetector.save`, verifying every file first.

    Raises
    ------
    ArtifactError
        For a missing, foreign, newer-format, truncated, tampered or extended artifact.
    """
    from safetensors.numpy import load

    from robustad.detectors.registry import detector_class
    from robustad.exceptions import UnknownDetectorError

    folder = Path(path)
    manifest = read_manifest(folder)
    files = _verified_files(folder, manifest)
    described = manifest.get("detector", {})
    try:
        cls = detector_class(str(described.get("name")))
    except UnknownDetectorError as error:
        raise ArtifactError(
            f"'{folder}' was saved by a detector this robustad does not know: {error}"
        ) from None
    if cls.__name__ != described.get("class"):
        raise ArtifactError(
            f"'{folder}' names detector {described.get('name')!r} with class "
            f"{described.get('class')!r}, but that name is {cls.__name__} here; refusing to load"
        )
    _warn_on_version_drift(folder, manifest.get("libraries", {}))
    params = described.get("params", {})
    accepted = set(cls().get_params(deep=False))
    if not isinstance(params, dict) or set(params) - accepted:
        raise ArtifactError(f"'{folder}' records parameters {cls.__name__} does not have")
    # JSON has no tuples; parameters such as layer sizes come back as tuples.
    restored: dict[str, Any] = {
        k: tuple(v) if isinstance(v, list) else v for k, v in params.items()
    }
    detector = cls(**restored)
    try:
        base = load(files.pop(_BASE_FILE))
        scores = np.asarray(base["decision_scores"], dtype=np.float64)
        feature_min = np.asarray(base["feature_min"], dtype=np.float64)
        feature_max = np.asarray(base["feature_max"], dtype=np.float64)
        calibration = base.get("calibration_scores")
    except Exception as error:
        raise ArtifactError(f"{_BASE_FILE} in '{folder}' is not valid ({error})") from None
    features = manifest.get("features", {})
    names = features.get("names", [])
    n_features = features.get("n_features")
    if (
        scores.ndim != 1
        or len(names) != n_features
        or feature_min.shape != (n_features,)
        or feature_max.shape != (n_features,)
    ):
        raise ArtifactError(f"'{folder}' has an inconsistent feature schema or score array")
    detector._load_state(files)
    detector.decision_scores_ = scores
    detector.feature_min_ = feature_min
    detector.feature_max_ = feature_max
    calibrated = manifest.get("calibration")
    if calibration is not None:
        detector.calibration_scores_ = np.asarray(calibration, dtype=np.float64)
        if isinstance(calibrated, dict) and calibrated.get("target_fpr") is not None:
            detector.target_fpr_ = float(calibrated["target_fpr"])
    detector.threshold_ = float(manifest["threshold"])
    detector.labels_ = (scores > detector.threshold_).astype(np.int64)
    detector.n_features_in_ = int(features["n_features"])
    detector.feature_names_in_ = np.asarray(names, dtype=object)
    detector._has_feature_names_ = bool(features.get("named", False))
    detector.training_fingerprint_ = str(manifest.get("training", {}).get("fingerprint_sha256", ""))
    return detector


def _warn_on_version_drift(folder: Path, saved: dict[str, str]) -> None:
    current = _library_versions()
    drift = [
        f"{name} {saved[name]} -> {current[name]}"
        for name in ("scikit-learn", "pyod", "torch")
        if name in saved and name in current and saved[name] != current[name]
    ]
    if drift:
        warnings.warn(
            f"'{folder}' was saved with other library versions ({'; '.join(drift)}); scores may "
            "differ slightly. Re-fit and save to remove this warning",
            UserWarning,
            stacklevel=3,
        )
