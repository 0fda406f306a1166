"""Fully connected networks: an autoencoder, a variational autoencoder, a bias-free encoder.

Each exposes ``encoder`` (the part ``fine_tune(freeze_encoder=True)`` keeps fixed) and
``embed(z)`` (the latent representation). No layer depends on the other rows of a batch
(no batch normalisation, no dropout), so a row's output is the same alone or in a batch.

Examples
--------
>>> import torch
>>> from robustad.detectors.deep.modules.mlp import MLPAutoEncoder
>>> MLPAutoEncoder(5, (8, 3))(torch.zeros(2, 5)).shape
torch.Size([2, 5])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import pairwise

import torch
from torch import nn
from torch.nn import functional as F  # noqa: N812 - the usual name

__all__ = [
    "MLPAutoEncoder",
    "OneClassNetwork",
    "SeededDropout",
    "VariationalAutoEncoder",
    "mlp",
    "streamline_for_inference_",
]


class SeededDropout(nn.Module):
    """Dropout that draws its masks from ``self.generator`` (never the global generator).

    The trainer's owner sets ``generator`` for the duration of training and clears it after;
    in eval mode the layer is the identity, so scores do not depend on it.
    """

    def __init__(self, rate: float) -> None:
        super().__init__()
        self.rate = float(rate)
        self.generator: torch.Generator | None = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.rate <= 0:
            return x
        keep = torch.rand(x.shape, generator=self.generator, dtype=x.dtype) >= self.rate
        return x * keep / (1.0 - self.rate)


def mlp(
    sizes: Sequence[int],
    *,
    bias: bool = True,
    last_activation: bool = True,
    activation: type[nn.Module] = nn.ReLU,
    dropout: float = 0.0,
) -> nn.Sequential:
    """Linear layers ``sizes[0] -> sizes[1] -> ...`` with an activation (and dropout) after each."""
    layers: list[nn.Module] = []
    for index, (n_in, n_out) in enumerate(pairwise(sizes)):
        layers.append(nn.Linear(n_in, n_out, bias=bias))
        if last_activation or index < len(sizes) - 2:
            layers.append(activation())
            if dropout > 0:
                layers.append(SeededDropout(dropout))
    return nn.Sequential(*layers)


class MLPAutoEncoder(nn.Module):
    """``n_features -> hidden_sizes -> mirrored -> n_features``; the last size is the code.

    The code layer is linear: a ReLU there would discard half of each code direction.
    """

    def __init__(self, n_features: int, hidden_sizes: Sequence[int], dropout: float = 0.0) -> None:
        super().__init__()
        sizes = [n_features, *hidden_sizes]
        self.encoder = mlp(sizes, last_activation=False, dropout=dropout)
        self.decoder = mlp(sizes[::-1], last_activation=False, dropout=dropout)

    def embed(self, z: torch.Tensor) -> torch.Tensor:
        return self.encoder(z)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.encoder(z))


class VariationalAutoEncoder(nn.Module):
    """Gaussian encoder ``q(h|z)`` and a decoder returning the mean of ``p(z|h)``."""

    def __init__(
        self, n_features: int, hidden_sizes: Sequence[int], latent_dim: int, dropout: float = 0.0
    ) -> None:
        super().__init__()
        sizes = [n_features, *hidden_sizes]
        self.encoder = mlp(sizes, dropout=dropout)
        self.mean = nn.Linear(sizes[-1], latent_dim)
        self.log_variance = nn.Linear(sizes[-1], latent_dim)
        self.decoder = mlp([latent_dim, *sizes[::-1]], last_activation=False, dropout=dropout)

    def encode(self, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        hidden = self.encoder(z)
        # Clamped so that exp() cannot overflow on extreme inputs.
        return self.mean(hidden), self.log_variance(hidden).clamp(-30.0, 20.0)

    def embed(self, z: torch.Tensor) -> torch.Tensor:
        return self.encode(z)[0]

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """Reconstruction from the posterior mean (deterministic)."""
        return self.decoder(self.embed(z))


class OneClassNetwork(nn.Module):
    """Bias-free network for Deep SVDD / Deep SAD (Ruff et al.): no bias terms anywhere.

    Without biases (and with a fixed centre) the network cannot map every input to the centre
    by setting its weights to zero and a bias to the centre: the "hypersphere collapse".
    """

    def __init__(self, n_features: int, hidden_sizes: Sequence[int]) -> None:
        super().__init__()
        sizes = [n_features, *hidden_sizes]
        self.encoder = mlp(sizes[:-1], bias=False, activation=nn.LeakyReLU)
        self.head = nn.Linear(sizes[-2], sizes[-1], bias=False)

    def embed(self, z: torch.Tensor) -> torch.Tensor:
        return self.head(self.encoder(z))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.embed(z)


def _functional(layer: nn.Module) -> Callable[[torch.Tensor], torch.Tensor] | None:
    """The eval-mode computation of a simple layer as a plain function (None if not simple)."""
    if isinstance(layer, nn.Linear):
        weight, bias = layer.weight, layer.bias
        return lambda x: F.linear(x, weight, bias)
    if isinstance(layer, nn.ReLU):
        return torch.relu
    if isinstance(layer, nn.LeakyReLU):
        slope = layer.negative_slope
        return lambda x: F.leaky_relu(x, slope)
    return None


def streamline_for_inference_(module: nn.Module) -> nn.Module:
    """Run every simple ``nn.Sequential`` of an eval-mode ``module`` as one plain function.

    Calling a child module costs a few microseconds of Python bookkeeping (hooks, tracing
    checks); on the small batches of a scoring call that is a large share of the time. The
    same kernels run (``F.linear`` is what ``nn.Linear`` calls), so results are identical and
    gradients still flow. Dropout layers, the identity at scoring, are skipped. Only for
    frozen scoring copies: the module must not be trained afterwards.
    """
    for sequential in module.modules():
        if not isinstance(sequential, nn.Sequential):
            continue
        steps = [
            _functional(layer)
            for layer in sequential
            if not isinstance(layer, SeededDropout | nn.Dropout | nn.Identity)
        ]
        if any(step is None for step in steps):
            continue  # a layer without a plain-function form: keep the ordinary forward
        kept: list[Callable[[torch.Tensor], torch.Tensor]] = [s for s in steps if s is not None]

        def forward(
            x: torch.Tensor, kept: list[Callable[[torch.Tensor], torch.Tensor]] = kept
        ) -> torch.Tensor:
            for step in kept:
                x = step(x)
            return x

        # An instance attribute: nn.Module.__call__ looks up self.forward.
        sequential.forward = forward  # type: ignore[method-assign]
    return module
