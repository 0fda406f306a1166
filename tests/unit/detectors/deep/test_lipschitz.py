"""lipschitz_bound: the bound holds on random pairs and on PGD-attacked rows (R10)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
from torch import nn

import robustad
from robustad.detectors.deep.autoencoder import AutoEncoder
from robustad.detectors.deep.lipschitz import (
    SUPPORTED_DETECTORS,
    lipschitz_bound,
    network_lipschitz,
    spectral_norms,
)
from robustad.exceptions import InvalidParameterError, NotFittedError
from robustad.robustness.attacks import FeasibleSet, pgd_evasion

DETECTORS = ("autoencoder", "vae", "deep_svdd", "deep_sad")


def _data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    mixing = rng.normal(size=(5, 5))
    # Columns of different scales, so standardised and raw units differ.
    X_train = rng.normal(size=(240, 5)) @ mixing * np.array([1.0, 10.0, 0.1, 3.0, 1.0])
    X_test = np.vstack([X_train[:40] + rng.normal(size=(40, 5)), X_train[40:60] * 3.0])
    return X_train, X_test


_FITTED: dict[tuple[str, bool], Any] = {}


def _fitted(name: str, spectral_norm: bool) -> Any:
    key = (name, spectral_norm)
    if key not in _FITTED:
        X_train, _ = _data()
        _FITTED[key] = robustad.make_detector(
            name, spectral_norm=spectral_norm, epochs=6, random_state=0
        ).fit(X_train)
    return _FITTED[key]


def _assert_bounded(det: Any, X_a: np.ndarray, X_b: np.ndarray) -> float:
    """|sqrt(s(a)) - sqrt(s(b))| <= L ||z_a - z_b|| (+ float32 round-off); the worst ratio."""
    bound = lipschitz_bound(det)
    root_a = np.sqrt(det.decision_function(X_a))
    root_b = np.sqrt(det.decision_function(X_b))
    moved = np.linalg.norm((X_a - X_b) / det.scale_, axis=1)
    change = np.abs(root_a - root_b)
    # Scores come from a float32 network: allow its round-off, relative to the score's size.
    tolerance = 1e-5 * (1.0 + np.maximum(root_a, root_b))
    assert np.all(change <= bound * moved + tolerance), float(
        np.max(change - bound * moved - tolerance)
    )
    return float(np.max(change / np.maximum(bound * moved, 1e-12)))


@pytest.mark.parametrize("spectral_norm", [False, True])
@pytest.mark.parametrize("name", list(DETECTORS))
def test_bound_holds_on_random_pairs(name: str, spectral_norm: bool) -> None:
    det = _fitted(name, spectral_norm)
    _, X_test = _data()
    rng = np.random.default_rng(1)
    first, second = rng.integers(0, X_test.shape[0], size=(2, 300))
    _assert_bounded(det, X_test[first], X_test[second])
    # Small moves too, where a loose constant is easiest to expose.
    nudged = X_test + 1e-2 * rng.normal(size=X_test.shape) * det.scale_
    _assert_bounded(det, nudged, X_test)


@pytest.mark.parametrize("spectral_norm", [False, True])
@pytest.mark.parametrize("name", ["autoencoder", "vae", "deep_svdd"])
def test_bound_holds_on_pgd_attacked_rows(name: str, spectral_norm: bool) -> None:
    det = _fitted(name, spectral_norm)
    X_train, X_test = _data()
    feasible = FeasibleSet.from_data(X_train, integer=[])
    for direction in ("lower", "raise"):
        attacked = pgd_evasion(
            det,
            X_test,
            epsilon=1.0,
            feasible=feasible,
            norm="l2",
            steps=15,
            direction=direction,
            random_state=0,
        )
        assert (attacked != X_test).any()
        _assert_bounded(det, attacked, X_test)


@pytest.mark.parametrize("name", list(DETECTORS))
def test_spectral_norm_training_keeps_every_layer_at_most_one(name: str) -> None:
    det = _fitted(name, True)
    assert max(spectral_norms(det.module_)) <= 1 + 1e-6
    bound = lipschitz_bound(det)
    # Reconstruction: 1 + Lip(network) <= 2; one-class: Lip(network) <= 1.
    assert bound <= (1.0 + 1e-6 if name in ("deep_svdd", "deep_sad") else 2.0 + 1e-6)
    X_train, _ = _data()
    tuned = robustad.make_detector(name, spectral_norm=True, epochs=3, random_state=0)
    tuned.fit(X_train).fine_tune(X_train * 1.5 + 1.0, epochs=3)
    assert max(spectral_norms(tuned.module_)) <= 1 + 1e-6
    assert lipschitz_bound(tuned) <= 2.0 + 1e-6


def test_bound_without_spectral_norm_reflects_the_weights() -> None:
    det = _fitted("autoencoder", False)
    network = det.module_
    expected = 1.0 + np.prod(spectral_norms(network))
    assert lipschitz_bound(det) == pytest.approx(expected, rel=1e-6)
    assert lipschitz_bound(det) > 2.0  # unconstrained training leaves norms above 1


def test_vae_bound_skips_the_log_variance_head() -> None:
    det = _fitted("vae", False)
    network = det.module_
    on_path = (
        network_lipschitz(network.encoder)
        * network_lipschitz(network.mean)
        * network_lipschitz(network.decoder)
    )
    assert lipschitz_bound(det) == pytest.approx(1.0 + on_path, rel=1e-6)


def test_loaded_detector_has_the_same_bound(tmp_path: Any) -> None:
    det = _fitted("deep_svdd", True)
    det.save(tmp_path / "model")
    assert lipschitz_bound(robustad.load(tmp_path / "model")) == pytest.approx(
        lipschitz_bound(det), rel=1e-12
    )


def test_network_lipschitz_of_known_layers() -> None:
    first, last = nn.Linear(2, 2), nn.Linear(2, 2)
    net = nn.Sequential(first, nn.LeakyReLU(3.0), nn.Sequential(last))
    with torch.no_grad():
        first.weight.copy_(torch.diag(torch.tensor([2.0, -0.5])))
        last.weight.copy_(torch.eye(2) * 0.5)
    assert network_lipschitz(net) == pytest.approx(2.0 * 3.0 * 0.5)
    assert network_lipschitz(nn.Sequential(nn.ReLU(), nn.Dropout(0.5), nn.Identity())) == 1.0


@pytest.mark.parametrize("layer", [nn.Tanh(), nn.Conv1d(1, 1, 3), nn.BatchNorm1d(3)])
def test_unknown_layers_are_refused(layer: nn.Module) -> None:
    with pytest.raises(InvalidParameterError, match=type(layer).__name__):
        network_lipschitz(nn.Sequential(nn.Linear(3, 3), layer))


def test_unsupported_detectors_are_refused_by_name() -> None:
    X_train, _ = _data()
    for det in (
        robustad.make_detector("ecod").fit(X_train),
        robustad.make_detector("conv_autoencoder", epochs=1, random_state=0).fit(X_train[:, :4]),
    ):
        with pytest.raises(InvalidParameterError, match="detector") as error:
            lipschitz_bound(det)
        assert all(name in str(error.value) for name in SUPPORTED_DETECTORS)


def test_unfitted_detector_is_refused() -> None:
    with pytest.raises(NotFittedError, match="fit"):
        lipschitz_bound(robustad.make_detector("autoencoder"))


class _CubedError(AutoEncoder):
    """A subclass whose score is no longer the squared error the bound assumes."""

    def _row_contributions(self, module: nn.Module, z: torch.Tensor) -> torch.Tensor:
        return (module(z) - z).abs() ** 3


def test_subclass_that_changes_the_score_is_refused() -> None:
    X_train, _ = _data()
    det = _CubedError(epochs=1, random_state=0).fit(X_train)
    with pytest.raises(InvalidParameterError, match="_row_contributions"):
        lipschitz_bound(det)


class _TanhAutoEncoder(AutoEncoder):
    def _build_module(self, n_features: int) -> nn.Module:
        module = super()._build_module(n_features)
        encoder = module.encoder
        assert isinstance(encoder, nn.Sequential)
        encoder[1] = nn.Tanh()
        return module


def test_network_with_an_unknown_activation_is_refused() -> None:
    X_train, _ = _data()
    det = _TanhAutoEncoder(epochs=1, dropout=0.0, random_state=0).fit(X_train)
    with pytest.raises(InvalidParameterError, match="Tanh"):
        lipschitz_bound(det)
