"""Convolutional autoencoders over ordered features (1-D) or small images (2-D).

Input of length ``L`` (or an ``H x W`` image) is zero-padded to a multiple of ``2 ** depth``
(``depth = len(channels)``), encoded by ``depth`` blocks of convolution, ReLU and 2x max-pooling
into a dense code of ``latent_dim`` values, decoded by nearest-neighbour upsampling and
convolution, and cropped back. Zero is the training mean after standardisation, so padding
adds no signal.

Examples
--------
>>> import torch
>>> from robustad.detectors.deep.modules.conv import ConvAutoEncoder
>>> ConvAutoEncoder((8, 8), (4, 8), latent_dim=6)(torch.zeros(3, 64)).shape
torch.Size([3, 64])
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import pairwise

import torch
from torch import nn

__all__ = ["ConvAutoEncoder"]


class ConvAutoEncoder(nn.Module):
    """Convolutional autoencoder on flat rows: ``shape`` is ``(length,)`` or ``(height, width)``."""

    def __init__(self, shape: Sequence[int], channels: Sequence[int], latent_dim: int) -> None:
        super().__init__()
        if len(shape) not in (1, 2):
            raise ValueError(f"shape must have 1 or 2 dimensions; got {tuple(shape)}")
        self.shape = tuple(int(s) for s in shape)
        step = 2 ** len(channels)
        self.padded = tuple(math.ceil(s / step) * step for s in self.shape)
        conv: type[nn.Conv1d] | type[nn.Conv2d] = nn.Conv1d if len(shape) == 1 else nn.Conv2d
        pool: type[nn.MaxPool1d] | type[nn.MaxPool2d] = (
            nn.MaxPool1d if len(shape) == 1 else nn.MaxPool2d
        )
        sizes = [1, *channels]
        blocks: list[nn.Module] = []
        for n_in, n_out in pairwise(sizes):
            blocks += [conv(n_in, n_out, 3, padding=1), nn.ReLU(), pool(2)]
        coded = tuple(s // step for s in self.padded)
        n_coded = channels[-1] * math.prod(coded)
        self.encoder = nn.Sequential(
            *blocks, nn.Flatten(), nn.Linear(n_coded, latent_dim), nn.ReLU()
        )
        layers: list[nn.Module] = [
            nn.Linear(latent_dim, n_coded),
            nn.ReLU(),
            nn.Unflatten(1, (channels[-1], *coded)),
        ]
        reverse = sizes[::-1]
        for index, (n_in, n_out) in enumerate(pairwise(reverse)):
            layers += [nn.Upsample(scale_factor=2, mode="nearest"), conv(n_in, n_out, 3, padding=1)]
            if index < len(reverse) - 2:
                layers.append(nn.ReLU())
        self.decoder = nn.Sequential(*layers)

    def _to_grid(self, z: torch.Tensor) -> torch.Tensor:
        grid = z.reshape(z.shape[0], 1, *self.shape)
        pad: list[int] = []
        for size, padded in zip(reversed(self.shape), reversed(self.padded), strict=True):
            pad += [0, padded - size]
        return nn.functional.pad(grid, pad)

    def embed(self, z: torch.Tensor) -> torch.Tensor:
        return self.encoder(self._to_grid(z))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        out = self.decoder(self.embed(z))
        if len(self.shape) == 1:
            out = out[:, 0, : self.shape[0]]
        else:
            out = out[:, 0, : self.shape[0], : self.shape[1]]
        return out.reshape(z.shape[0], -1)
