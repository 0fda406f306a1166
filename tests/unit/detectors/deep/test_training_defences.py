"""adversarial_epsilon (adversarial training on normal rows) and spectral_norm, as options."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import robustad
from robustad.detectors.deep.autoencoder import AutoEncoder
from robustad.detectors.deep.lipschitz import spectral_norms
from robustad.exceptions import InvalidParameterError


class RecordingAutoEncoder(AutoEncoder):
    """Records every (clean, perturbed) pair the adversarial loss trains on."""

    def _adversarial_loss(self, module, batch, perturbed, generator):
        pair = (batch[0].detach().numpy().copy(), perturbed.detach().numpy().copy())
        self.pairs_ = [*getattr(self, "pairs_", []), pair]
        return super()._adversarial_loss(module, batch, perturbed, generator)


def _normal(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    mixing = np.random.default_rng(99).normal(size=(2, 6))
    return rng.normal(size=(n, 2)) @ mixing + 0.05 * rng.normal(size=(n, 6))


def test_adversarial_rows_stay_in_the_budget_and_are_worse_than_random() -> None:
    det = RecordingAutoEncoder(adversarial_epsilon=0.3, epochs=3, batch_size=64, random_state=0)
    det.fit(_normal(256))
    assert len(det.pairs_) == 3 * 4  # every mini-batch of every epoch
    for clean, perturbed in det.pairs_:
        # The budget is in training standard deviations, i.e. in the standardised rows.
        assert np.abs(perturbed - clean).max() <= 0.3 + 1e-6
        assert np.abs(perturbed - clean).max() > 0.2
    # The inner attack finds perturbations that raise the score more than random ones do.
    module = det._scoring_module()
    clean, perturbed = det.pairs_[-1]
    rng = np.random.default_rng(0)
    random = clean + rng.uniform(-0.3, 0.3, size=clean.shape).astype(np.float32)
    with torch.no_grad():
        worst = det._row_score(module, torch.from_numpy(perturbed)).mean()
        other = det._row_score(module, torch.from_numpy(random)).mean()
    assert worst > other


def _worst_error_to_clean(det, rows: np.ndarray, epsilon: float) -> float:
    """Mean squared error of reconstructing ``rows`` from their worst nearby perturbation."""
    module = det._scoring_module()
    z = torch.from_numpy((rows - det.mean_) / det.scale_).float()
    delta = torch.zeros_like(z)
    for _ in range(20):  # a stronger attack than the 3 steps training uses
        delta.requires_grad_(True)
        error = ((module(z + delta) - z) ** 2).sum()
        (gradient,) = torch.autograd.grad(error, delta)
        delta = (delta.detach() + epsilon / 8 * gradient.sign()).clamp(-epsilon, epsilon)
    with torch.no_grad():
        return float(((module(z + delta) - z) ** 2).sum(dim=1).mean())


def test_adversarial_training_lowers_the_worst_case_reconstruction_error() -> None:
    """What the option trains for: perturbed normal rows are mapped back to the clean rows."""
    X = _normal(600)
    common = {"epochs": 30, "dropout": 0.0, "hidden_sizes": (32, 8), "random_state": 0}
    plain = robustad.make_detector("autoencoder", **common).fit(X)
    robust = robustad.make_detector("autoencoder", adversarial_epsilon=0.3, **common).fit(X)
    rows = _normal(300, seed=2)
    # The floor is the in-plane part of the perturbation, which no model can undo; plain
    # training already comes close to it here, so the gain is a few per cent.
    assert _worst_error_to_clean(robust, rows, 0.3) < 0.97 * _worst_error_to_clean(plain, rows, 0.3)


@pytest.mark.parametrize("value", [0.0, -0.5, float("nan"), float("inf"), True, "0.5"])
def test_adversarial_epsilon_is_validated(value) -> None:
    with pytest.raises(InvalidParameterError, match="adversarial_epsilon"):
        robustad.make_detector("autoencoder", adversarial_epsilon=value).fit(_normal(50))


@pytest.mark.parametrize("value", [1, "yes", None])
def test_spectral_norm_is_validated(value) -> None:
    with pytest.raises(InvalidParameterError, match="spectral_norm"):
        robustad.make_detector("deep_svdd", spectral_norm=value).fit(_normal(50))


def test_options_are_saved_and_offered_where_they_apply(tmp_path) -> None:
    det = robustad.make_detector(
        "vae", adversarial_epsilon=0.25, spectral_norm=True, epochs=2, random_state=0
    )
    loaded = robustad.load(det.fit(_normal(100)).save(tmp_path / "m"))
    assert loaded.adversarial_epsilon == 0.25 and loaded.spectral_norm is True
    np.testing.assert_array_equal(
        loaded.decision_function(_normal(5)), det.decision_function(_normal(5))
    )
    assert "adversarial_epsilon" not in robustad.make_detector("deep_svdd").get_params()
    assert "spectral_norm" not in robustad.make_detector("conv_autoencoder").get_params()
    assert robustad.make_detector("deep_sad", spectral_norm=True).get_params()["spectral_norm"]


@pytest.mark.parametrize("name", ["autoencoder", "vae", "deep_svdd", "deep_sad"])
def test_spectral_norm_keeps_every_layer_at_most_one(name) -> None:
    det = robustad.make_detector(name, spectral_norm=True, epochs=3, random_state=0)
    det.fit(_normal(200) * 5)
    assert max(spectral_norms(det.module_)) <= 1 + 1e-5
    det.fine_tune(_normal(100, seed=3) * 5, epochs=2)
    assert max(spectral_norms(det.module_)) <= 1 + 1e-5
    plain = robustad.make_detector(name, epochs=3, random_state=0).fit(_normal(200) * 5)
    assert max(spectral_norms(plain.module_)) > 1
