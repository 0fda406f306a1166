"""The one training loop behind every deep detector, and the helpers around it.

``train`` runs mini-batch AdamW on tensors sliced by index (no per-row Python), with an
optional validation split and early stopping, seeded only through a private
``torch.Generator``. ``score_batches`` scores a float64 array in large batches under
``torch.inference_mode``. ``torch_threads`` sets torch's CPU threads for a block and restores
them, and ``seeded_module`` builds a network with seeded initial weights without consuming or
changing the global random state.

Examples
--------
>>> import torch
>>> from robustad.detectors.deep.trainer import TrainingConfig, train
>>> net = torch.nn.Linear(3, 3)
>>> X = torch.randn(50, 3, generator=torch.Generator().manual_seed(0))
>>> result = train(net, lambda batch, gen: ((net(batch[0]) - batch[0]) ** 2).mean(), (X,),
...                TrainingConfig(epochs=3, batch_size=16), torch.Generator().manual_seed(0))
>>> result.n_epochs
3
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn

from robustad._typing import FloatArray

__all__ = [
    "LossFunction",
    "TrainingConfig",
    "TrainingResult",
    "make_generator",
    "resolve_seed",
    "resolve_threads",
    "score_batches",
    "seeded_module",
    "torch_threads",
    "train",
]

#: ``loss(batch, generator) -> scalar``: the mean loss of one mini-batch (a tuple of tensors
#: sliced from the training tensors, rows aligned), drawing any noise from ``generator``.
LossFunction = Callable[[tuple[torch.Tensor, ...], torch.Generator], torch.Tensor]

#: Rows per scoring batch: large enough to amortise per-call overhead, small enough that a
#: batch's activations stay in the CPU caches.
SCORING_BATCH_SIZE = 8192


@dataclass(frozen=True)
class TrainingConfig:
    """How to train: the common hyperparameters of ``robustad.detectors.deep``."""

    epochs: int = 10
    batch_size: int = 128
    learning_rate: float = 1e-3
    weight_decay: float = 0.0
    validation_fraction: float = 0.0
    patience: int = 5
    verbose: bool = False
    description: str = "training"


@dataclass
class TrainingResult:
    """Per-epoch losses of a training run; ``best_epoch`` is the one whose weights were kept."""

    train_loss: list[float] = field(default_factory=list)
    validation_loss: list[float] = field(default_factory=list)
    best_epoch: int = 0

    @property
    def n_epochs(self) -> int:
        """Epochs actually run (fewer than configured when early stopping ended training)."""
        return len(self.train_loss)


def resolve_threads(n_threads: int | None) -> int:
    """Threads to use: ``n_threads``, else ``OMP_NUM_THREADS``, else ``os.cpu_count()``."""
    if n_threads is not None:
        return int(n_threads)
    from_env = os.environ.get("OMP_NUM_THREADS", "").strip()
    if from_env.isdigit() and int(from_env) > 0:
        return int(from_env)
    return max(1, os.cpu_count() or 1)


@contextmanager
def torch_threads(n_threads: int | None) -> Iterator[None]:
    """Run a block with torch using ``resolve_threads(n_threads)`` threads, then restore."""
    wanted = resolve_threads(n_threads)
    previous = torch.get_num_threads()
    if wanted != previous:
        torch.set_num_threads(wanted)
    try:
        yield
    finally:
        if wanted != previous:
            torch.set_num_threads(previous)


def resolve_seed(random_state: int | None) -> int:
    """The seed to use: ``random_state``, or a fresh random one for ``None``."""
    return int(random_state) if random_state is not None else secrets.randbits(62)


def make_generator(seed: int) -> torch.Generator:
    """A private CPU generator seeded with ``seed`` (the global generator is untouched)."""
    return torch.Generator().manual_seed(int(seed))


def seeded_module(build: Callable[[], nn.Module], seed: int) -> nn.Module:
    """Build a module whose initial weights depend only on ``seed``.

    torch's layer initialisers draw from the global generator; ``fork_rng`` saves and restores
    its state around the build, so the caller's random stream is neither reset nor consumed.
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(int(seed))
        module = build()
    return module.float()


def _split(
    n_rows: int, fraction: float, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor | None]:
    n_validation = int(n_rows * fraction)
    # A validation set of one row is noise, and training needs rows of its own.
    if n_validation < 2 or n_rows - n_validation < 2:
        return torch.arange(n_rows), None
    order = torch.randperm(n_rows, generator=generator)
    return order[n_validation:], order[:n_validation]


def _mean_loss(
    loss: LossFunction,
    tensors: Sequence[torch.Tensor],
    rows: torch.Tensor,
    batch_size: int,
    generator: torch.Generator,
) -> float:
    total, count = 0.0, 0
    for start in range(0, rows.shape[0], batch_size):
        index = rows[start : start + batch_size]
        value = loss(tuple(t[index] for t in tensors), generator)
        total += float(value) * index.shape[0]
        count += index.shape[0]
    return total / max(count, 1)


def train(
    module: nn.Module,
    loss: LossFunction,
    tensors: Sequence[torch.Tensor],
    config: TrainingConfig,
    generator: torch.Generator,
    *,
    parameters: Sequence[nn.Parameter] | None = None,
    after_step: Callable[[], None] | None = None,
) -> TrainingResult:
    """Train ``module`` in place by minimising ``loss`` over mini-batches of ``tensors``.

    Parameters
    ----------
    module
        The network; left in eval mode, holding the weights of the best epoch (lowest
        validation loss) when a validation split is used, else those of the last epoch.
    loss
        Mean loss of a mini-batch (see :data:`LossFunction`).
    tensors
        Training tensors with rows aligned (e.g. features, labels); sliced by row index.
    config
        Epochs, batch size, learning rate, weight decay, validation share, patience, progress.
    generator
        The only source of randomness (shuffling, the validation split, the loss's noise).
    parameters
        Parameters to optimise (default: all of ``module``'s), e.g. without a frozen encoder.
    after_step
        Called after every optimiser step (e.g. to project weights onto a constraint).
    """
    n_rows = int(tensors[0].shape[0])
    train_rows, validation_rows = _split(n_rows, config.validation_fraction, generator)
    trainable = list(module.parameters()) if parameters is None else list(parameters)
    # The fused CPU kernel updates every parameter in one call: on small networks the
    # per-tensor Python loop of the default implementation costs more than the arithmetic.
    optimizer = torch.optim.AdamW(
        trainable, lr=config.learning_rate, weight_decay=config.weight_decay, fused=True
    )
    batch_size = max(1, min(config.batch_size, train_rows.shape[0]))
    noisy: list[Any] = [m for m in module.modules() if hasattr(m, "generator")]
    for layer in noisy:  # seeded dropout layers draw from this run's generator
        layer.generator = generator
    result = TrainingResult()
    best_loss = float("inf")
    best_state: dict[str, torch.Tensor] | None = None
    stale = 0
    with _progress(config) as advance:
        module.train()
        for epoch in range(config.epochs):
            order = train_rows[torch.randperm(train_rows.shape[0], generator=generator)]
            total = torch.zeros(())
            for start in range(0, order.shape[0], batch_size):
                index = order[start : start + batch_size]
                optimizer.zero_grad(set_to_none=True)
                value = loss(tuple(t[index] for t in tensors), generator)
                value.backward()
                optimizer.step()
                if after_step is not None:
                    after_step()
                total += value.detach() * index.shape[0]
            result.train_loss.append(float(total) / order.shape[0])
            if validation_rows is not None:
                module.eval()
                with torch.no_grad():
                    validation = _mean_loss(
                        loss, tensors, validation_rows, SCORING_BATCH_SIZE, generator
                    )
                module.train()
                result.validation_loss.append(validation)
                if validation < best_loss:
                    best_loss, stale, result.best_epoch = validation, 0, epoch
                    best_state = {k: v.detach().clone() for k, v in module.state_dict().items()}
                else:
                    stale += 1
            else:
                result.best_epoch = epoch
            advance(result)
            if validation_rows is not None and stale >= config.patience:
                break
    for layer in noisy:
        layer.generator = None
    if best_state is not None:
        module.load_state_dict(best_state)
    module.eval()
    return result


@contextmanager
def _progress(config: TrainingConfig) -> Iterator[Callable[[TrainingResult], None]]:
    if not config.verbose:
        yield lambda result: None
        return
    from rich.progress import Progress

    with Progress(transient=False) as progress:
        task = progress.add_task(config.description, total=config.epochs)

        def advance(result: TrainingResult) -> None:
            text = f"{config.description} loss {result.train_loss[-1]:.4g}"
            if result.validation_loss:
                text += f" val {result.validation_loss[-1]:.4g}"
            progress.update(task, advance=1, description=text)

        yield advance


def score_batches(
    score: Callable[[torch.Tensor], torch.Tensor],
    X: FloatArray,
    *,
    batch_size: int = SCORING_BATCH_SIZE,
    n_columns: int | None = None,
) -> FloatArray:
    """Apply ``score`` to float64 ``X`` in batches under ``torch.inference_mode``.

    ``score`` maps a (rows, features) float64 tensor to (rows,) scores, or (rows, n_columns)
    values when ``n_columns`` is given. ``X`` is shared with torch, not copied.
    """
    data = torch.from_numpy(np.ascontiguousarray(X, dtype=np.float64))
    if X.shape[0] <= batch_size:  # one batch: no output buffer to fill (saves a copy)
        with torch.inference_mode():
            return np.asarray(score(data).numpy(), dtype=np.float64)
    shape = (X.shape[0],) if n_columns is None else (X.shape[0], n_columns)
    out = np.empty(shape, dtype=np.float64)
    with torch.inference_mode():
        for start in range(0, X.shape[0], batch_size):
            out[start : start + batch_size] = score(data[start : start + batch_size]).numpy()
    return out
