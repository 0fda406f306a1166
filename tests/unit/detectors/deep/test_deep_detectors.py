"""Deep detectors: trainer behaviour, score_tensor, explain, fine-tuning, labels, images."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import robustad
from robustad.data import make_outlier_data
from robustad.detectors.deep.trainer import (
    TrainingConfig,
    make_generator,
    resolve_threads,
    torch_threads,
    train,
)
from robustad.evaluation import auroc
from robustad.exceptions import DataValidationError, InvalidParameterError

DEEP = ["autoencoder", "vae", "deep_svdd", "deep_sad", "conv_autoencoder"]
RECONSTRUCTION = ["autoencoder", "vae", "conv_autoencoder"]
FAST = {"epochs": 3, "random_state": 0}


@pytest.fixture(scope="module")
def data():
    return make_outlier_data(n_samples=120, n_features=6, contamination=0.1, random_state=0)


@pytest.fixture(scope="module")
def fitted(data):
    return {name: robustad.make_detector(name, **FAST).fit(data.X) for name in DEEP}


# ---------------------------------------------------------------------------- trainer
def test_trainer_handles_fewer_rows_than_one_batch() -> None:
    net = torch.nn.Linear(2, 2)
    X = torch.randn(3, 2, generator=make_generator(0))
    config = TrainingConfig(epochs=2, batch_size=512, validation_fraction=0.4)
    result = train(
        net, lambda b, g: ((net(b[0]) - b[0]) ** 2).mean(), (X,), config, make_generator(0)
    )
    assert result.n_epochs == 2 and not result.validation_loss  # too few rows to hold any out


def test_trainer_stops_early_and_keeps_the_best_weights() -> None:
    net = torch.nn.Linear(2, 1)
    X = torch.randn(100, 2, generator=make_generator(0))
    # A learning rate this large diverges, so the validation loss stops improving at once.
    config = TrainingConfig(epochs=50, learning_rate=10.0, validation_fraction=0.2, patience=2)
    result = train(net, lambda b, g: net(b[0]).pow(2).mean(), (X,), config, make_generator(0))
    assert result.n_epochs < 50
    assert result.best_epoch == int(np.argmin(result.validation_loss))


def test_fitting_leaves_global_random_state_alone(data) -> None:
    torch.manual_seed(123)
    np.random.seed(123)  # noqa: NPY002 - the legacy global state is what is checked
    expected_torch, expected_numpy = torch.rand(3), np.random.rand(3)  # noqa: NPY002
    torch.manual_seed(123)
    np.random.seed(123)  # noqa: NPY002 - the legacy global state is what is checked
    robustad.make_detector("vae", **FAST).fit(data.X)
    assert torch.equal(torch.rand(3), expected_torch)
    np.testing.assert_array_equal(np.random.rand(3), expected_numpy)  # noqa: NPY002


def test_threads_come_from_the_environment_and_are_restored(monkeypatch) -> None:
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    assert resolve_threads(None) == 1
    assert resolve_threads(3) == 3
    monkeypatch.delenv("OMP_NUM_THREADS")
    assert resolve_threads(None) >= 1
    before = torch.get_num_threads()
    with torch_threads(1):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before


def test_verbose_shows_progress(data, capsys) -> None:
    robustad.make_detector("autoencoder", epochs=2, verbose=True, random_state=0).fit(data.X)
    assert "AutoEncoder" in capsys.readouterr().out


# ---------------------------------------------------------------------------- parameters
@pytest.mark.parametrize("name", DEEP)
@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("epochs", 0),
        ("batch_size", -1),
        ("learning_rate", 0.0),
        ("hidden_sizes", ()),
        ("validation_fraction", 0.7),
        ("n_threads", 0),
        ("weight_decay", -1.0),
    ],
)
def test_bad_hyperparameters_are_named_at_fit(data, name, param, value) -> None:
    det = robustad.make_detector(name, **{param: value})  # __init__ accepts anything
    with pytest.raises(InvalidParameterError, match=param):
        det.fit(data.X)


def test_common_hyperparameters_share_names() -> None:
    common = {
        "epochs",
        "batch_size",
        "learning_rate",
        "weight_decay",
        "hidden_sizes",
        "validation_fraction",
        "patience",
        "random_state",
        "verbose",
        "n_threads",
        "contamination",
    }
    for name in DEEP:
        assert common <= set(robustad.make_detector(name).get_params())
        tags = robustad.make_detector(name).tags
        assert tags.differentiable and tags.requires_torch


# ---------------------------------------------------------------------------- score_tensor
@pytest.mark.parametrize("name", DEEP)
def test_score_tensor_equals_decision_function_and_has_gradients(fitted, data, name) -> None:
    det = fitted[name]
    x = torch.tensor(data.X[:20], requires_grad=True)
    scores = det.score_tensor(x)
    np.testing.assert_allclose(
        scores.detach().numpy(), det.decision_function(data.X[:20]), rtol=1e-12
    )
    scores.sum().backward()
    assert x.grad is not None and torch.isfinite(x.grad).all() and x.grad.abs().sum() > 0


def test_score_tensor_rejects_the_wrong_shape(fitted) -> None:
    with pytest.raises(DataValidationError, match="shape"):
        fitted["autoencoder"].score_tensor(torch.zeros(2, 3))


# ---------------------------------------------------------------------------- explain
@pytest.mark.parametrize("name", RECONSTRUCTION)
def test_explanations_sum_to_the_score(fitted, data, name) -> None:
    det = fitted[name]
    contributions = det.explain(data.X[:30])
    assert contributions.shape == (30, data.X.shape[1]) and (contributions >= 0).all()
    np.testing.assert_allclose(
        contributions.sum(axis=1), det.decision_function(data.X[:30]), rtol=1e-12
    )


def test_explain_points_at_the_unusual_feature(data) -> None:
    det = robustad.make_detector("autoencoder", epochs=20, random_state=0).fit(data.X[data.y == 0])
    row = data.X[data.y == 0][:1].copy()
    row[0, 4] += 25.0
    assert int(np.argmax(det.explain(row)[0])) == 4


# ---------------------------------------------------------------------------- transfer
def _domains(seed: int = 0):
    """Rows near a 3-D subspace of 12-D; the target domain's subspace is rotated and shifted.

    Outliers leave the target subspace: only a model that knows the subspace finds them.
    """
    rng = np.random.default_rng(seed)
    d, k = 12, 3
    basis = np.linalg.qr(rng.normal(size=(d, k)))[0]
    target_basis = np.linalg.qr(np.eye(d) + 0.1 * rng.normal(size=(d, d)))[0] @ basis
    offset = 0.5 * rng.normal(size=d)

    def inliers(b, shift, n):
        return 2 * rng.normal(size=(n, k)) @ b.T + shift + 0.05 * rng.normal(size=(n, d))

    source = inliers(basis, 0.0, 1500)
    target = inliers(target_basis, offset, 150)
    away = rng.normal(size=(30, d))
    away -= away @ target_basis @ target_basis.T
    outliers = (
        inliers(target_basis, offset, 30) + 1.5 * away / np.linalg.norm(away, axis=1)[:, None]
    )
    test = np.vstack([inliers(target_basis, offset, 300), outliers])
    return source, target, test, np.r_[np.zeros(300), np.ones(30)]


@pytest.mark.parametrize("seed", [0, 1])
def test_fine_tuning_beats_training_from_scratch_on_a_shifted_domain(seed) -> None:
    source, target, test, y = _domains(seed)
    # Without dropout the source model learns its subspace precisely, which is what transfers.
    params = {"dropout": 0.0, "random_state": 0}
    base = robustad.make_detector("autoencoder", epochs=30, **params).fit(source)
    tuned = base.fine_tune(target, epochs=3)
    scratch = robustad.make_detector("autoencoder", epochs=3, **params).fit(target)
    assert auroc(y, tuned.decision_function(test)) > auroc(y, scratch.decision_function(test))
    assert tuned.decision_scores_.shape == (150,)  # the threshold now describes the new domain


def test_fine_tune_after_load_and_with_a_frozen_encoder(tmp_path, data) -> None:
    det = robustad.make_detector("vae", **FAST).fit(data.X)
    loaded = robustad.load(det.save(tmp_path / "vae"))
    encoder_before = [p.detach().clone() for p in loaded.module_.encoder.parameters()]
    decoder_before = [p.detach().clone() for p in loaded.module_.decoder.parameters()]
    loaded.fine_tune(data.X + 0.5, epochs=2, freeze_encoder=True)
    for before, after in zip(encoder_before, loaded.module_.encoder.parameters(), strict=True):
        assert torch.equal(before, after)
    assert any(
        not torch.equal(b, a)
        for b, a in zip(decoder_before, loaded.module_.decoder.parameters(), strict=True)
    )
    with pytest.raises(InvalidParameterError, match="epochs"):
        loaded.fine_tune(data.X, epochs=0)


# ---------------------------------------------------------------------------- labels
def test_deep_sad_without_labels_is_deep_svdd(data) -> None:
    params = {**FAST, "learning_rate": 1e-3}
    svdd = robustad.make_detector("deep_svdd", **params).fit(data.X)
    sad = robustad.make_detector("deep_sad", **params).fit(data.X, np.full(120, -1))
    np.testing.assert_allclose(sad.decision_scores_, svdd.decision_scores_, rtol=1e-6)
    assert robustad.make_detector("deep_sad").tags.uses_labels


def test_deep_sad_learns_from_labelled_anomalies() -> None:
    # Anomalies of one kind, all in the same direction: labelling a few teaches the rest.
    rng = np.random.default_rng(0)
    normal = rng.normal(size=(300, 5))
    anomalies = rng.normal(size=(40, 5)) * 0.3 + np.array([2.0, 2.0, 0, 0, 0])
    X = np.vstack([normal, anomalies])
    y = np.r_[np.zeros(300), np.ones(40)].astype(int)
    partial = np.full(340, -1)
    partial[300:310] = 1
    params = {"epochs": 30, "random_state": 0}
    sad = robustad.make_detector("deep_sad", **params).fit(X, partial)
    svdd = robustad.make_detector("deep_svdd", **params).fit(X)
    test_rows = np.r_[np.arange(300), np.arange(310, 340)]
    assert auroc(y[test_rows], sad.decision_scores_[test_rows]) > auroc(
        y[test_rows], svdd.decision_scores_[test_rows]
    )


# ---------------------------------------------------------------------------- images
def test_conv_autoencoder_on_8x8_digits() -> None:
    """Zeros are normal, other digits anomalies: a real test of the 2-D path."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    X, target = digits.data, digits.target
    rng = np.random.default_rng(0)
    zeros = np.flatnonzero(target == 0)
    train_rows = zeros[:120]
    test_rows = np.r_[zeros[120:], rng.choice(np.flatnonzero(target != 0), 60, replace=False)]
    det = robustad.make_detector(
        "conv_autoencoder", image_shape=(8, 8), epochs=40, random_state=0
    ).fit(X[train_rows])
    assert det.transform(X[:2]).shape == (2, 16)
    assert auroc(target[test_rows] != 0, det.decision_function(X[test_rows])) > 0.9
    with pytest.raises(InvalidParameterError, match="image_shape"):
        robustad.make_detector("conv_autoencoder", image_shape=(4, 4)).fit(X[:20])


# ---------------------------------------------------------------------------- hybrids
def test_ensemble_members_normalised_and_combined(data) -> None:
    det = robustad.make_detector(
        "ensemble", members=("ecod", "iforest"), combination="max", random_state=0
    ).fit(data.X)
    members = det.member_scores(data.X)
    np.testing.assert_allclose(det.decision_function(data.X), members.max(axis=1))
    assert not det.tags.requires_torch
    with pytest.raises(InvalidParameterError, match="combination"):
        robustad.make_detector("ensemble", combination="sum").fit(data.X)


def test_latent_detector_uses_the_latent_space(data) -> None:
    det = robustad.make_detector(
        "latent", encoder="deep_svdd", scorer="knn", encoder_params={"epochs": 2}, random_state=0
    ).fit(data.X)
    assert auroc(data.y, det.decision_scores_) > 0.8
    with pytest.raises(InvalidParameterError, match="encoder"):
        robustad.make_detector("latent", encoder="ecod").fit(data.X)


def test_hybrids_save_and_load_their_members(tmp_path, data) -> None:
    latent = robustad.make_detector(
        "latent", encoder="vae", encoder_params={"epochs": 2}, random_state=0
    ).fit(data.X)
    loaded = robustad.load(latent.save(tmp_path / "latent"))
    np.testing.assert_array_equal(
        loaded.decision_function(data.X), latent.decision_function(data.X)
    )
    ensemble = robustad.make_detector(
        "ensemble", members=("ecod", "autoencoder"), normalization="rank", random_state=0
    ).fit(data.X)
    assert ensemble.tags.requires_torch
    loaded = robustad.load(ensemble.save(tmp_path / "ensemble"))
    np.testing.assert_array_equal(
        loaded.decision_function(data.X), ensemble.decision_function(data.X)
    )


def test_score_tensor_has_gradients_after_scoring_and_loading(tmp_path, data) -> None:
    """Cached scoring state made under inference_mode must not leak into autograd graphs."""
    det = robustad.make_detector("autoencoder", epochs=2, random_state=0).fit(data.X)
    loaded = robustad.load(det.save(tmp_path / "m"))
    for model in (det, loaded):
        model.decision_function(data.X[:5])
        x = torch.tensor(data.X[:5], requires_grad=True)
        model.score_tensor(x).sum().backward()
        assert x.grad is not None and torch.isfinite(x.grad).all()
