"""Spectral norms of a network's linear layers, and keeping them at most 1 while training.

A linear layer ``x -> W x + b`` is ``||W||_2``-Lipschitz in the L2 norm (``||W||_2`` is the
largest singular value), and ReLU / LeakyReLU are 1-Lipschitz, so the product of the layers'
spectral norms bounds how far a perturbation of the input can move the network's output. With
``spectral_norm=True`` a deep detector rescales, after every optimiser step, each weight
matrix whose spectral norm exceeds 1 (Miyato et al., 2018, with the exact norm instead of a
power-iteration estimate: the matrices here are small), which makes that product at most 1 and
the certified bound of :mod:`robustad.robustness.certified` tight enough to be useful.

:func:`lipschitz_bound` turns those products into a bound for a fitted detector's score:
``sqrt(score)`` moves by at most ``L * ||z' - z||_2`` when a row moves from ``z`` to ``z'``,
both in the detector's standardised units ``z = (x - mean_) / scale_`` (training standard
deviations, the units of the robustness suite's budgets). For a change ``dx`` of a raw row,
``||dz||_2 = ||dx / scale_||_2 <= ||dx||_2 / min(scale_)``, so a raw-unit budget ``epsilon_raw``
is covered by the standardised budget ``epsilon_raw / min(scale_)``.

Examples
--------
>>> import torch
>>> from robustad.detectors.deep.lipschitz import (
...     clip_spectral_norm_, network_lipschitz, spectral_norms
... )
>>> net = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
>>> with torch.no_grad():
...     _ = net[0].weight.mul_(10)
>>> clip_spectral_norm_(net)
>>> [round(s, 4) <= 1.0 for s in spectral_norms(net)]
[True, True]
>>> network_lipschitz(net) <= 1.0 + 1e-6
True
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import torch
from torch import nn

from robustad.detectors.deep.modules.mlp import (
    MLPAutoEncoder,
    OneClassNetwork,
    SeededDropout,
    VariationalAutoEncoder,
)
from robustad.exceptions import InvalidParameterError, NotFittedError

if TYPE_CHECKING:
    from robustad.detectors.base import BaseDetector

__all__ = [
    "SUPPORTED_DETECTORS",
    "clip_spectral_norm_",
    "linear_layers",
    "lipschitz_bound",
    "network_lipschitz",
    "spectral_norms",
]

#: Registry names of the detectors :func:`lipschitz_bound` can bound.
SUPPORTED_DETECTORS: tuple[str, ...] = ("autoencoder", "vae", "deep_svdd", "deep_sad")


def linear_layers(module: nn.Module) -> list[nn.Linear]:
    """The ``nn.Linear`` layers of ``module``, in registration order."""
    return [layer for layer in module.modules() if isinstance(layer, nn.Linear)]


def spectral_norms(module: nn.Module) -> list[float]:
    """Largest singular value of each linear layer's weight matrix."""
    with torch.no_grad():
        return [
            float(torch.linalg.matrix_norm(layer.weight.double(), ord=2))
            for layer in linear_layers(module)
        ]


def clip_spectral_norm_(module: nn.Module, max_norm: float = 1.0) -> None:
    """Rescale, in place, every linear weight whose spectral norm exceeds ``max_norm``."""
    with torch.no_grad():
        for layer in linear_layers(module):
            norm = float(torch.linalg.matrix_norm(layer.weight.double(), ord=2))
            if norm > max_norm:
                layer.weight.mul_(max_norm / norm)


def _activation_constant(layer: nn.Module) -> float | None:
    """Lipschitz constant of a parameter-free layer as it runs at scoring, or None if unknown.

    Exact types only: a subclass may change ``forward`` and with it the constant.
    """
    kind = type(layer)
    if kind is nn.ReLU or kind is nn.Identity:
        return 1.0
    if kind is nn.LeakyReLU:
        # x -> max(x, a x): slope 1 or a, so max(1, |a|).
        return max(1.0, abs(float(layer.negative_slope)))  # type: ignore[arg-type]
    if kind is SeededDropout or kind is nn.Dropout:
        # Scores are computed in eval mode, where dropout is the identity (in training mode
        # it rescales by 1 / (1 - rate), which scoring never sees).
        return 1.0
    return None


def network_lipschitz(module: nn.Module) -> float:
    """Upper bound of the L2 Lipschitz constant of a feed-forward network in eval mode.

    The product, along an ``nn.Sequential`` (nested ones included), of each linear layer's
    spectral norm and each activation's Lipschitz constant (ReLU, LeakyReLU with slope
    ``a``: ``max(1, |a|)``; identity and dropout, which is the identity at scoring: 1). Biases
    do not change a Lipschitz constant.

    Parameters
    ----------
    module
        An ``nn.Linear``, a supported activation, or an ``nn.Sequential`` of them.

    Returns
    -------
    float
        ``L`` such that ``||module(a) - module(b)||_2 <= L ||a - b||_2`` for all inputs.

    Raises
    ------
    InvalidParameterError
        If the network holds a layer whose constant is not known (e.g. a convolution, a
        normalisation or an activation other than those above): a bound that silently
        skipped it would not be a bound.

    Examples
    --------
    >>> import torch
    >>> net = torch.nn.Sequential(torch.nn.Linear(3, 3), torch.nn.ReLU())
    >>> with torch.no_grad():
    ...     _ = net[0].weight.copy_(2 * torch.eye(3))
    >>> network_lipschitz(net)
    2.0
    >>> network_lipschitz(torch.nn.Sequential(torch.nn.Tanh()))
    Traceback (most recent call last):
    ...
    robustad.exceptions.InvalidParameterError: module: no Lipschitz constant is known for ...
    """
    if type(module) is nn.Linear:
        return spectral_norms(module)[0]
    if type(module) is nn.Sequential:
        bound = 1.0
        for child in module:
            bound *= network_lipschitz(child)
        return bound
    constant = _activation_constant(module)
    if constant is None:
        raise InvalidParameterError(
            f"module: no Lipschitz constant is known for layer {type(module).__name__}; "
            "supported are nn.Linear, nn.ReLU, nn.LeakyReLU, nn.Identity, nn.Dropout and "
            "SeededDropout inside nn.Sequential"
        )
    return constant


def _supported_names() -> str:
    return ", ".join(repr(name) for name in SUPPORTED_DETECTORS)


def lipschitz_bound(detector: BaseDetector) -> float:
    """Upper bound ``L`` of the L2 Lipschitz constant of ``sqrt(score)`` of a fitted detector.

    For every pair of rows, ``|sqrt(s(x')) - sqrt(s(x))| <= L * ||z' - z||_2`` where ``s`` is
    ``decision_function`` and ``z = (x - detector.mean_) / detector.scale_`` are the rows in
    the detector's standardised units (training standard deviations; the units in which the
    robustness suite states its budgets). In raw units, ``||z' - z||_2 <= ||x' - x||_2 /
    min(scale_)``, so ``L / min(scale_)`` bounds the Lipschitz constant w.r.t. raw rows.

    How the bound is built (``Lip`` of a network is :func:`network_lipschitz`, the product of
    its layers' spectral norms and activation constants, on the fitted scoring weights):

    ``autoencoder``
        ``s(z) = ||z - D(E(z))||^2``, so ``sqrt(s)`` is ``(1 + Lip(D o E))``-Lipschitz
        (triangle inequality), with ``Lip(D o E) <= Lip(D) Lip(E)``.
    ``vae``
        Scoring is deterministic: ``s(z) = ||z - D(mu(E(z)))||^2`` with the posterior mean
        ``mu`` (the log-variance head is not on the scoring path), so
        ``L = 1 + Lip(D) ||mu||_2 Lip(E)``.
    ``deep_svdd``, ``deep_sad``
        ``sqrt(s(z)) = ||phi(z) - c||``, so ``L = Lip(phi)``.

    With ``spectral_norm=True`` every factor is at most 1, so ``L <= 2`` for the
    reconstruction detectors and ``L <= 1`` for the one-class ones. The bound is on the
    network in exact arithmetic; scores are computed in float32, which can move them by float32
    round-off (relative ~1e-6) beyond it.

    Parameters
    ----------
    detector
        A fitted ``autoencoder``, ``vae``, ``deep_svdd`` or ``deep_sad`` (also one loaded with
        ``robustad.load``).

    Returns
    -------
    float
        The bound ``L`` (finite, >= 0).

    Raises
    ------
    InvalidParameterError
        For any other detector (``conv_autoencoder``, classical detectors...), or a network
        holding a layer with no known Lipschitz constant.
    NotFittedError
        If the detector is not fitted.

    Examples
    --------
    >>> import robustad
    >>> from robustad.data import make_outlier_data
    >>> data = make_outlier_data(n_samples=200, random_state=0)
    >>> det = robustad.make_detector(
    ...     "autoencoder", spectral_norm=True, epochs=3, random_state=0
    ... ).fit(data.X)
    >>> lipschitz_bound(det) <= 2.0 + 1e-6
    True
    """
    from robustad.detectors.deep.autoencoder import AutoEncoder
    from robustad.detectors.deep.deep_svdd import DeepSVDD
    from robustad.detectors.deep.vae import VAE

    if not isinstance(detector, AutoEncoder | VAE | DeepSVDD):
        raise InvalidParameterError(
            f"detector: lipschitz_bound supports the fully connected deep detectors "
            f"{_supported_names()}; got {type(detector).__name__}, whose score has no known "
            "Lipschitz bound (for conv_autoencoder and classical detectors, compare attacks "
            "instead, e.g. robustad.robustness.certified.attacked_auroc)"
        )
    if not hasattr(detector, "threshold_") or not hasattr(detector, "module_"):
        raise NotFittedError(
            f"detector: this {type(detector).__name__} is not fitted yet; call fit(X) before "
            "lipschitz_bound"
        )
    # A subclass that redefines the score is no longer scored as the bound assumes.
    kind = type(detector)
    score_hooks = {
        AutoEncoder: ("_row_score", "_row_contributions"),
        VAE: ("_row_score", "_row_contributions"),
        DeepSVDD: ("_row_score", "_distance"),
    }
    for base, hooks in score_hooks.items():
        if not isinstance(detector, base):
            continue
        changed = [h for h in hooks if getattr(kind, h) is not getattr(base, h)]
        if changed:
            raise InvalidParameterError(
                f"detector: {kind.__name__} redefines {', '.join(changed)}, so its score is not "
                f"the one of {base.__name__} that lipschitz_bound bounds"
            )
    # The frozen float32 copy that decision_function runs (eval mode: dropout off).
    network = detector._scoring_module()
    if isinstance(detector, DeepSVDD) and type(network) is OneClassNetwork:
        bound = network_lipschitz(network.encoder) * network_lipschitz(network.head)
    elif isinstance(detector, AutoEncoder) and type(network) is MLPAutoEncoder:
        bound = 1.0 + network_lipschitz(network.encoder) * network_lipschitz(network.decoder)
    elif isinstance(detector, VAE) and type(network) is VariationalAutoEncoder:
        bound = 1.0 + (
            network_lipschitz(network.encoder)
            * network_lipschitz(network.mean)
            * network_lipschitz(network.decoder)
        )
    else:
        raise InvalidParameterError(
            f"detector: {type(detector).__name__} builds a {type(network).__name__} network, "
            "not the one its base detector scores with; lipschitz_bound supports the networks "
            f"of {_supported_names()} only"
        )
    if not math.isfinite(bound):
        raise InvalidParameterError(
            f"detector: the Lipschitz bound of {kind.__name__} is not finite ({bound}); its "
            "weights are not finite or too large (refit, e.g. with spectral_norm=True)"
        )
    return bound
