"""``conv_autoencoder``: a convolutional autoencoder over ordered features or small images."""

from __future__ import annotations

import math
import numbers

import torch
from torch import nn

from robustad.detectors.deep._base import ReconstructionDetector
from robustad.detectors.deep.modules.conv import ConvAutoEncoder as ConvNetwork
from robustad.exceptions import InvalidParameterError

__all__ = ["ConvAutoEncoder"]


class ConvAutoEncoder(ReconstructionDetector):
    """Convolutional autoencoder; the score is the squared reconstruction error.

    Each row is read as a 1-D signal over its (ordered) features, e.g. a sliding window of a
    time series, or, with ``image_shape=(height, width)``, as a small grey-scale image stored
    row-major (scikit-learn's 8x8 digits: ``image_shape=(8, 8)``). Blocks of 3-wide
    convolution, ReLU and 2x max-pooling (one per entry of ``hidden_sizes``, the channel
    counts) lead to a dense code of ``latent_dim`` values; the decoder mirrors them. Rows are
    standardised per feature (pixel) first. Scores and :meth:`explain` are as in
    :class:`~robustad.detectors.deep.autoencoder.AutoEncoder`, per feature (pixel).

    Parameters
    ----------
    image_shape
        ``(height, width)`` of images with ``height * width`` features, or ``None`` for 1-D.
    latent_dim
        Size of the dense code.
    hidden_sizes
        Channels of the convolution blocks, input side first.
    epochs, batch_size, learning_rate, weight_decay, validation_fraction, patience, \
random_state, verbose, n_threads, robust_training, \
adversarial_epsilon, contamination
        The common hyperparameters of :mod:`robustad.detectors.deep`.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(0).normal(size=(50, 16))
    >>> det = ConvAutoEncoder(image_shape=(4, 4), epochs=2, random_state=0).fit(X)
    >>> det.decision_function(X[:3]).shape
    (3,)
    """

    def __init__(
        self,
        image_shape: tuple[int, int] | None = None,
        latent_dim: int = 16,
        hidden_sizes: tuple[int, ...] = (8, 16),
        epochs: int = 30,
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
        contamination: float = 0.1,
    ) -> None:
        super().__init__(contamination=contamination)
        self.image_shape = image_shape
        self.latent_dim = latent_dim
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

    def _check_own_params(self) -> None:
        if not isinstance(self.latent_dim, numbers.Integral) or self.latent_dim < 1:
            raise InvalidParameterError(
                f"ConvAutoEncoder: latent_dim must be an integer >= 1; got {self.latent_dim!r}"
            )
        shape = self.image_shape
        if shape is not None and not (
            isinstance(shape, tuple | list)
            and len(shape) == 2
            and all(isinstance(s, numbers.Integral) and s >= 1 for s in shape)
        ):
            raise InvalidParameterError(
                "ConvAutoEncoder: image_shape must be None or (height, width) with positive "
                f"integers; got {shape!r}"
            )

    def _shape(self, n_features: int) -> tuple[int, ...]:
        if self.image_shape is None:
            return (n_features,)
        shape = tuple(int(s) for s in self.image_shape)
        if math.prod(shape) != n_features:
            raise InvalidParameterError(
                f"ConvAutoEncoder: image_shape={shape!r} needs {math.prod(shape)} features per "
                f"row; the data has {n_features}"
            )
        return shape

    def _activations_per_row(self, n_features: int) -> int:
        return n_features * max(self.hidden_sizes)

    def _build_module(self, n_features: int) -> nn.Module:
        return ConvNetwork(
            self._shape(n_features), tuple(self.hidden_sizes), latent_dim=int(self.latent_dim)
        )

    def _loss(
        self, module: nn.Module, batch: tuple[torch.Tensor, ...], generator: torch.Generator
    ) -> torch.Tensor:
        z = batch[0]
        return ((module(z) - z) ** 2).mean()

    def _row_contributions(self, module: nn.Module, z: torch.Tensor) -> torch.Tensor:
        return (module(z) - z) ** 2
