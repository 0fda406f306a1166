"""``deep_svdd``: Deep Support Vector Data Description (Ruff et al., ICML 2018), one-class."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import torch
from torch import nn

from robustad._typing import IntArray
from robustad.detectors.deep._base import DeepDetector
from robustad.detectors.deep.modules.mlp import OneClassNetwork

__all__ = ["DeepSVDD"]

#: Centre coordinates closer to zero than this are pushed to +-eps (Ruff et al.): a zero
#: coordinate could be matched trivially by zero weights.
CENTRE_EPS = 0.1


def initial_centre(module: nn.Module, Z: torch.Tensor) -> torch.Tensor:
    """Mean of the initial network's outputs over ``Z``; near-zero coordinates moved to +-eps."""
    with torch.no_grad():
        centre = module(Z).mean(dim=0)
    sign = torch.where(centre < 0, -1.0, 1.0)
    return torch.where(centre.abs() < CENTRE_EPS, sign * CENTRE_EPS, centre)


class DeepSVDD(DeepDetector):
    """One-class Deep SVDD: rows are mapped near a fixed centre; the score is the distance.

    A bias-free network (LeakyReLU) maps standardised rows to a representation; the centre is
    the mean representation of the training rows under the initial weights (coordinates within
    0.1 of zero moved to +-0.1), and training minimises the mean squared distance to it
    (the "one-class" objective). A row's score is its squared distance to the centre.

    Parameters
    ----------
    hidden_sizes
        Widths of the layers; the last is the size of the representation.
    epochs, batch_size, learning_rate, weight_decay, validation_fraction, patience, \
random_state, verbose, n_threads, spectral_norm, contamination
        The common hyperparameters of :mod:`robustad.detectors.deep`.

    Examples
    --------
    >>> from robustad.data import make_outlier_data
    >>> data = make_outlier_data(n_samples=200, random_state=0)
    >>> det = DeepSVDD(epochs=5, random_state=0).fit(data.X)
    >>> det.centre_.shape
    (32,)
    """

    def __init__(
        self,
        hidden_sizes: tuple[int, ...] = (64, 32),
        epochs: int = 30,
        batch_size: int = 256,
        learning_rate: float = 1e-4,
        weight_decay: float = 1e-6,
        validation_fraction: float = 0.1,
        patience: int = 5,
        random_state: int | None = None,
        verbose: bool = False,
        n_threads: int | None = None,
        spectral_norm: bool = False,
        contamination: float = 0.1,
    ) -> None:
        super().__init__(contamination=contamination)
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
        self.spectral_norm = spectral_norm

    def _check_own_params(self) -> None:
        from robustad.exceptions import InvalidParameterError

        if len(self.hidden_sizes) < 2:
            raise InvalidParameterError(
                f"{type(self).__name__}: hidden_sizes needs at least 2 layers (an encoder and "
                f"the representation); got {self.hidden_sizes!r}"
            )

    def _build_module(self, n_features: int) -> nn.Module:
        return OneClassNetwork(n_features, tuple(self.hidden_sizes))

    def _centre_rows(self, Z: torch.Tensor, y: IntArray | None) -> torch.Tensor:
        return Z

    def _prepare(
        self, module: nn.Module, Z: torch.Tensor, y: IntArray | None, generator: torch.Generator
    ) -> None:
        module.eval()
        centre = initial_centre(module, self._centre_rows(Z, y))
        self.centre_ = centre.numpy().astype(np.float64)

    def _distance(self, module: nn.Module, z: torch.Tensor) -> torch.Tensor:
        centre = torch.from_numpy(self.centre_).to(z.dtype)
        return ((module(z) - centre) ** 2).sum(dim=1)

    def _loss(
        self, module: nn.Module, batch: tuple[torch.Tensor, ...], generator: torch.Generator
    ) -> torch.Tensor:
        return self._distance(module, batch[0]).mean()

    def _row_score(self, module: nn.Module, z: torch.Tensor) -> torch.Tensor:
        return self._distance(module, z)

    def _extra_state(self) -> dict[str, np.ndarray]:
        return {"centre": self.centre_}

    def _set_extra_state(self, arrays: Mapping[str, np.ndarray]) -> None:
        from robustad.exceptions import ArtifactError

        if "centre" not in arrays or arrays["centre"].shape != (self.hidden_sizes[-1],):
            raise ArtifactError(f"{type(self).__name__}: the saved centre is missing or misshapen")
        self.centre_ = np.asarray(arrays["centre"], dtype=np.float64)
