"""Artifacts: identical after load; tampered, truncated, foreign or extended ones are refused."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np
import pytest

import robustad
from robustad.data import make_outlier_data
from robustad.detectors.persistence import load_detector
from robustad.exceptions import ArtifactError, NotFittedError


@pytest.fixture(scope="module")
def data():
    return make_outlier_data(n_samples=150, n_features=4, random_state=0)


@pytest.fixture(params=["iforest", "ecod"])
def saved(request, data, tmp_path) -> Path:
    params = {"random_state": 0} if request.param == "iforest" else {}
    detector = robustad.make_detector(request.param, **params).fit(data.X)
    return detector.save(tmp_path / "model")


def _rewrite_manifest(folder: Path, change) -> None:
    manifest = json.loads((folder / "manifest.json").read_text())
    change(manifest)
    (folder / "manifest.json").write_text(json.dumps(manifest))


def test_manifest_records_what_design_section_4_lists(saved: Path) -> None:
    manifest = json.loads((saved / "manifest.json").read_text())
    assert manifest["format"] == "robustad.detector" and manifest["format_version"] == 1
    assert {"name", "class", "params", "tags"} <= set(manifest["detector"])
    assert {"numpy", "scikit-learn", "robustad"} <= set(manifest["libraries"])
    assert manifest["features"]["n_features"] == 4
    assert isinstance(manifest["threshold"], float)
    assert len(manifest["training"]["fingerprint_sha256"]) == 64
    listed = set(manifest["files"])
    assert listed == {p.name for p in saved.iterdir()} - {"manifest.json"}
    assert all(len(entry["sha256"]) == 64 for entry in manifest["files"].values())


def test_no_pickle_in_any_saved_file(saved: Path) -> None:
    for path in saved.iterdir():
        head = path.read_bytes()[:2]
        assert head != b"\x80\x04" and head[:1] != b"\x80", f"{path.name} looks like a pickle"


def test_tampered_state_file_is_refused(saved: Path) -> None:
    state = next(
        p for p in saved.iterdir() if p.name != "manifest.json" and p.name != "base.safetensors"
    )
    data = bytearray(state.read_bytes())
    data[len(data) // 2] ^= 0xFF
    state.write_bytes(bytes(data))
    with pytest.raises(ArtifactError, match="sha256"):
        load_detector(saved)


def test_truncated_file_is_refused(saved: Path) -> None:
    base = saved / "base.safetensors"
    base.write_bytes(base.read_bytes()[:-10])
    with pytest.raises(ArtifactError, match="truncated"):
        load_detector(saved)


def test_truncated_manifest_is_refused(saved: Path) -> None:
    manifest = saved / "manifest.json"
    manifest.write_bytes(manifest.read_bytes()[:50])
    with pytest.raises(ArtifactError, match="not valid JSON"):
        load_detector(saved)


def test_edited_manifest_is_refused(saved: Path) -> None:
    _rewrite_manifest(saved, lambda m: m.__setitem__("threshold", -1.0))
    with pytest.raises(ArtifactError, match="modified"):
        load_detector(saved)


def test_planted_pickle_file_is_refused(saved: Path) -> None:
    class Boom:
        def __reduce__(self):
            return (print, ("owned",))

    (saved / "model.pkl").write_bytes(pickle.dumps(Boom()))
    with pytest.raises(ArtifactError, match=r"not listed.*model\.pkl|model\.pkl"):
        load_detector(saved)


def test_pickle_swapped_in_with_a_matching_manifest_is_refused(saved: Path, capsys) -> None:
    """An attacker who rewrites the manifest hashes still cannot get a pickle executed."""
    import hashlib

    from robustad.detectors.persistence import _content_digest

    class Boom:
        def __reduce__(self):
            return (print, ("owned",))

    payload = pickle.dumps(Boom())
    state = next(p for p in saved.iterdir() if p.name not in ("manifest.json", "base.safetensors"))
    state.write_bytes(payload)

    def forge(manifest):
        manifest["files"][state.name] = {
            "sha256": hashlib.sha256(payload).hexdigest(),
            "bytes": len(payload),
        }
        manifest["manifest_sha256"] = _content_digest(manifest)

    _rewrite_manifest(saved, forge)
    with pytest.raises(ArtifactError):
        load_detector(saved)
    assert "owned" not in capsys.readouterr().out


def test_untrusted_type_in_skops_file_is_refused(data, tmp_path) -> None:
    """A skops file that asks for a type the detector never saves is not built."""
    import hashlib

    import skops.io

    from robustad.detectors.persistence import _content_digest

    folder = robustad.make_detector("hbos").fit(data.X).save(tmp_path / "m")
    foreign = skops.io.dumps(robustad.make_detector("knn").fit(data.X).model_)
    (folder / "model.skops").write_bytes(foreign)

    def forge(manifest):
        manifest["files"]["model.skops"] = {
            "sha256": hashlib.sha256(foreign).hexdigest(),
            "bytes": len(foreign),
        }
        manifest["manifest_sha256"] = _content_digest(manifest)

    _rewrite_manifest(folder, forge)
    with pytest.raises(ArtifactError, match="never saves"):
        load_detector(folder)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda m: m.__setitem__("format", "something.else"), r"not a robustad detector"),
        (lambda m: m.__setitem__("format_version", 99), "upgrade robustad"),
    ],
)
def test_foreign_or_newer_artifacts_are_refused(saved: Path, change, message) -> None:
    def apply(manifest):
        from robustad.detectors.persistence import _content_digest

        change(manifest)
        manifest["manifest_sha256"] = _content_digest(manifest)

    _rewrite_manifest(saved, apply)
    with pytest.raises(ArtifactError, match=message):
        load_detector(saved)


def test_unknown_detector_name_is_refused(saved: Path) -> None:
    from robustad.detectors.persistence import _content_digest

    def apply(manifest):
        manifest["detector"]["name"] = "os_system"
        manifest["manifest_sha256"] = _content_digest(manifest)

    _rewrite_manifest(saved, apply)
    with pytest.raises(ArtifactError, match="does not know"):
        load_detector(saved)


def test_path_traversal_in_file_list_is_refused(saved: Path) -> None:
    from robustad.detectors.persistence import _content_digest

    def apply(manifest):
        manifest["files"]["../../etc/passwd"] = {"sha256": "0" * 64, "bytes": 1}
        manifest["manifest_sha256"] = _content_digest(manifest)

    _rewrite_manifest(saved, apply)
    with pytest.raises(ArtifactError, match="invalid file name"):
        load_detector(saved)


def test_missing_folder_and_plain_folder_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ArtifactError, match=r"no manifest\.json"):
        load_detector(tmp_path / "absent")
    with pytest.raises(ArtifactError, match=r"no manifest\.json"):
        load_detector(tmp_path)


def test_save_refuses_to_overwrite_a_foreign_folder(data, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("precious")
    detector = robustad.make_detector("ecod").fit(data.X)
    with pytest.raises(ArtifactError, match="refusing to overwrite"):
        detector.save(tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "precious"


def test_save_replaces_an_older_model_atomically(data, tmp_path: Path) -> None:
    first = robustad.make_detector("ecod").fit(data.X)
    first.save(tmp_path / "m")
    second = robustad.make_detector("ecod", contamination=0.2).fit(data.X[:100])
    second.save(tmp_path / "m")
    loaded = load_detector(tmp_path / "m")
    assert loaded.contamination == 0.2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"], "temporary folders left behind"


def test_failed_save_leaves_old_model_readable(data, tmp_path: Path, monkeypatch) -> None:
    detector = robustad.make_detector("ecod").fit(data.X)
    detector.save(tmp_path / "m")
    import robustad.utils.files as files

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(files.os, "fsync", crash)
    with pytest.raises(OSError, match="disk full"):
        robustad.make_detector("ecod", contamination=0.3).fit(data.X).save(tmp_path / "m")
    monkeypatch.undo()
    assert load_detector(tmp_path / "m").contamination == 0.1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]


def test_saving_unfitted_detector_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(NotFittedError):
        robustad.make_detector("ecod").save(tmp_path / "m")


def test_dataframe_names_survive_save_and_load(data, tmp_path: Path) -> None:
    import pandas as pd

    frame = pd.DataFrame(data.X, columns=["a", "b", "c", "d"])
    detector = robustad.make_detector("ecod").fit(frame)
    loaded = load_detector(detector.save(tmp_path / "m"))
    reordered = frame[["d", "c", "b", "a"]]
    np.testing.assert_array_equal(
        loaded.decision_function(reordered), detector.decision_function(frame)
    )
