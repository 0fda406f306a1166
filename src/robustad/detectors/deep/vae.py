"""``vae``: a variational autoencoder (Kingma and Welling, 2014) scored by reconstruction."""

from __future__ import annotations

import numbers

import torch
from torch import nn

from robustad.detectors.deep._base import ReconstructionDetector
from robustad.detectors.deep.modules.mlp import VariationalAutoEncoder
from robustad.exceptions import InvalidParameterError

__all__ = ["VAE"]


class VAE(ReconstructionDetector):
    """Variational autoencoder; the score is the squared error of the mean reconstruction.

    Trained on the evidence lower bound with a unit-variance Gaussian likelihood
    (sum of squared errors per row plus ``beta`` times the KL divergence of the posterior from
    a standard normal prior). Scoring is deterministic: the posterior mean is decoded, and the
    score is the sum over features of the squared error in standardised units
    (:meth:`explain` returns the per-feature terms).

    Parameters
    ----------
    latent_dim
        Size of the Gaussian latent code.
    beta
        Weight of the KL term (1 is the standard ELBO; larger values regularise more).
    dropout
        Dropout rate after each hidden layer while training (seeded; none when scoring).
    hidden_sizes, epochs, batch_size, learning_rate, weight_decay, validation_fraction, \
patience, random_state, verbose, n_threads, robust_training, \
adversarial_epsilon, spectral_norm, contamination
        The common hyperparameters of :mod:`robustad.detectors.deep`.

    Examples
    --------
    >>> from robustad.data import make_outlier_data
    >>> data = make_outlier_data(n_samples=200, random_state=0)
    >>> VAE(epochs=5, random_state=0).fit(data.X).transform(data.X[:3]).shape
    (3, 4)
    """

    def __init__(
        self,
        latent_dim: int = 4,
        beta: float = 1.0,
        dropout: float = 0.0,
        hidden_sizes: tuple[int, ...] = (64, 32),
        epochs: int = 15,
        batch_size: int = 128,
        learning_rate: float = 3e-3,
        weight_decay: float = 1e-5,
        validation_fraction: float = 0.1,
        patience: int = 5,
        random_state: int | None = None,
        verbose: bool = False,
        n_threads: int | None = None,
        robust_training: str | None = None,
        adversarial_epsilon: float | None = None,
        spectral_norm: bool = False,
        contamination: float = 0.1,
    ) -> None:
        super().__init__(contamination=contamination)
        self.latent_dim = latent_dim
        self.beta = beta
        self.dropout = dropout
        self.hidden_sizes = hidden_sizes
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.random_state = random_state
        self.verbose = verbose
        self.n_threads = n_threads
        self.robust_training = robust_training
        self.adversarial_epsilon = adversarial_epsilon
        self.spectral_norm = spectral_norm

    def _check_own_params(self) -> None:
        if not isinstance(self.latent_dim, numbers.Integral) or self.latent_dim < 1:
            raise InvalidParameterError(
                f"VAE: latent_dim must be an integer >= 1; got {self.latent_dim!r}"
            )
        rate = self.dropout
        if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
            raise InvalidParameterError(f"VAE: dropout must be a number in [0, 1); got {rate!r}")
        if not isinstance(self.beta, numbers.Real) or not 0 <= float(self.beta) < float("inf"):
            raise InvalidParameterError(
                f"VAE: beta must be a finite number >= 0; got {self.beta!r}"
            )

    def _build_module(self, n_features: int) -> nn.Module:
        return VariationalAutoEncoder(
            n_features, tuple(self.hidden_sizes), int(self.latent_dim), dropout=float(self.dropout)
        )

    def _loss(
        self, module: nn.Module, batch: tuple[torch.Tensor, ...], generator: torch.Generator
    ) -> torch.Tensor:
        z = batch[0]
        mean, log_variance = module.encode(z)  # type: ignore[operator]
        noise = torch.randn(mean.shape, generator=generator, dtype=mean.dtype)
        sample = mean + noise * torch.exp(0.5 * log_variance)
        reconstruction = ((module.decoder(sample) - z) ** 2).sum(dim=1)  # type: ignore[operator]
        kl = 0.5 * (mean**2 + log_variance.exp() - 1.0 - log_variance).sum(dim=1)
        return (reconstruction + float(self.beta) * kl).mean()

    def _row_contributions(self, module: nn.Module, z: torch.Tensor) -> torch.Tensor:
        return (module(z) - z) ** 2
