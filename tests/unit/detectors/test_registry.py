from __future__ import annotations

import pytest

import robustad
from robustad.detectors.base import BaseDetector
from robustad.detectors.classical.ecdf import ECOD
from robustad.detectors.registry import (
    detector_class,
    detector_info,
    list_detectors,
    make_detector,
    register_detector,
)
from robustad.exceptions import InvalidParameterError, UnknownDetectorError

CLASSICAL = {"iforest", "ecod", "copod", "knn", "lof", "hbos", "pca", "ocsvm"}


def test_every_classical_detector_is_registered() -> None:
    assert set(list_detectors()) >= CLASSICAL
    assert list_detectors() == sorted(list_detectors())


def test_make_detector_passes_parameters() -> None:
    det = make_detector("knn", n_neighbors=7, contamination=0.05)
    assert det.get_params()["n_neighbors"] == 7 and det.contamination == 0.05


def test_unknown_name_suggests_the_closest() -> None:
    with pytest.raises(UnknownDetectorError, match="did you mean 'iforest'") as caught:
        make_detector("iforrest")
    assert isinstance(caught.value, ValueError)
    with pytest.raises(UnknownDetectorError):
        make_detector(42)  # type: ignore[arg-type]


def test_unknown_parameter_lists_the_accepted_ones() -> None:
    with pytest.raises(InvalidParameterError, match=r"n_trees.*n_estimators"):
        make_detector("iforest", n_trees=5)


def test_invalid_parameter_value_is_reported_at_fit_not_init() -> None:
    det = make_detector("ocsvm", kernel="no-such-kernel")
    with pytest.raises(InvalidParameterError, match="kernel"):
        det.fit([[0.0, 1.0], [1.0, 0.0], [0.5, 0.5]])


@pytest.mark.parametrize("value", [0, -0.1, 0.6, float("nan"), "0.1", True, None])
def test_contamination_outside_range_is_rejected(value) -> None:
    with pytest.raises(InvalidParameterError, match="contamination"):
        make_detector("ecod", contamination=value).fit([[0.0], [1.0], [2.0]])


def test_third_party_registration_and_round_trip(tmp_path) -> None:
    class MyECOD(ECOD):
        """A third-party detector."""

    register_detector("my_ecod_test", MyECOD)
    assert "my_ecod_test" in list_detectors()
    det = make_detector("my_ecod_test").fit([[0.0], [1.0], [2.0], [10.0]])
    loaded = robustad.load(det.save(tmp_path / "m"))
    assert type(loaded) is MyECOD
    with pytest.raises(InvalidParameterError):
        register_detector("iforest", MyECOD)
    with pytest.raises(InvalidParameterError):
        register_detector("Bad Name", MyECOD)
    with pytest.raises(InvalidParameterError):
        register_detector("not_a_detector", dict)  # type: ignore[arg-type]


def test_detector_info_describes_tags_and_defaults() -> None:
    info = detector_info("iforest")
    assert info.class_name == "IForest" and info.params["n_estimators"] == 100
    assert not info.tags.differentiable and info.tags.batch_independent
    assert issubclass(detector_class("lof"), BaseDetector)
