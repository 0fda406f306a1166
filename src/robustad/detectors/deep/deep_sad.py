"""``deep_sad``: Deep Semi-supervised Anomaly Detection (Ruff et al., ICLR 2020)."""

from __future__ import annotations

import numbers
from typing import ClassVar

import numpy as np
import torch
from torch import nn

from robustad._typing import IntArray
from robustad.detectors.deep.deep_svdd import DeepSVDD
from robustad.detectors.tags import DetectorTags
from robustad.exceptions import InvalidParameterError

__all__ = ["DeepSAD"]

#: Keeps the inverse distance of labelled anomalies finite (Ruff et al. use 1e-6).
_INVERSE_EPS = 1e-6


class DeepSAD(DeepSVDD):
    """Deep SAD: Deep SVDD that also learns from a few labelled rows.

    ``fit(X, y)`` takes labels 1 (known anomaly), 0 (known normal) and -1 (unknown). Unknown
    rows are pulled towards the centre as in Deep SVDD; known normal rows too, with weight
    ``eta``; known anomalies are pushed away (their loss is ``eta`` over the distance).
    The centre is computed from the rows not labelled anomalous. With no labels (``fit(X)`` or
    all -1) this is Deep SVDD. The score is the squared distance to the centre.

    The default learning rate (1e-3) is ten times Deep SVDD's: with 1e-4 a few labelled rows
    barely move the representation in 30 epochs (measured on the ADBench datasets of
    ``benchmarks/deep_vs_pyod.py``).

    Parameters
    ----------
    eta
        Weight of the labelled rows' loss relative to the unlabelled rows'.
    hidden_sizes, epochs, batch_size, learning_rate, weight_decay, validation_fraction, \
patience, random_state, verbose, n_threads, spectral_norm, \
contamination
        The common hyperparameters of :mod:`robustad.detectors.deep`.

    Examples
    --------
    >>> import numpy as np
    >>> from robustad.data import make_outlier_data
    >>> data = make_outlier_data(n_samples=200, random_state=0)
    >>> y = np.where(np.arange(200) % 10 == 0, data.y, -1)  # a tenth of the rows labelled
    >>> DeepSAD(epochs=5, random_state=0).fit(data.X, y).decision_function(data.X[:2]).shape
    (2,)
    """

    _tags: ClassVar[DetectorTags] = DetectorTags(
        differentiable=True, requires_torch=True, uses_labels=True
    )

    def __init__(
        self,
        eta: float = 1.0,
        hidden_sizes: tuple[int, ...] = (64, 32),
        epochs: int = 30,
        batch_size: int = 256,
        learning_rate: float = 1e-3,
        weight_decay: float = 1e-6,
        validation_fraction: float = 0.1,
        patience: int = 5,
        random_state: int | None = None,
        verbose: bool = False,
        n_threads: int | None = None,
        spectral_norm: bool = False,
        contamination: float = 0.1,
    ) -> None:
        super().__init__(
            hidden_sizes=hidden_sizes,
            epochs=epochs,
            batch_size=batch_size,
            learning_rate=learning_rate,
            weight_decay=weight_decay,
            validation_fraction=validation_fraction,
            patience=patience,
            random_state=random_state,
            verbose=verbose,
            n_threads=n_threads,
            spectral_norm=spectral_norm,
            contamination=contamination,
        )
        self.eta = eta

    def _check_own_params(self) -> None:
        super()._check_own_params()
        eta = self.eta
        if isinstance(eta, bool) or not isinstance(eta, numbers.Real) or not 0 < float(eta) < 1e12:
            raise InvalidParameterError(f"DeepSAD: eta must be a finite number > 0; got {eta!r}")

    def _centre_rows(self, Z: torch.Tensor, y: IntArray | None) -> torch.Tensor:
        if y is None:
            return Z
        keep = torch.from_numpy(np.asarray(y) != 1)
        # With every row labelled anomalous there is no normal data; use all rows.
        return Z[keep] if bool(keep.any()) else Z

    def _training_tensors(self, Z: torch.Tensor, y: IntArray | None) -> tuple[torch.Tensor, ...]:
        labels = np.full(Z.shape[0], -1, dtype=np.int64) if y is None else np.asarray(y)
        return (Z, torch.from_numpy(labels.astype(np.int64)))

    def _loss(
        self, module: nn.Module, batch: tuple[torch.Tensor, ...], generator: torch.Generator
    ) -> torch.Tensor:
        z, labels = batch
        distance = self._distance(module, z)
        eta = float(self.eta)
        per_row = torch.where(
            labels == -1,
            distance,
            torch.where(labels == 1, eta / (distance + _INVERSE_EPS), eta * distance),
        )
        return per_row.mean()
