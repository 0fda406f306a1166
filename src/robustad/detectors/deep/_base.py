"""``DeepDetector``: what every deep detector shares (see ``robustad.detectors.deep``).

A concrete detector adds its own hyperparameters in ``__init__`` and implements four hooks:

``_build_module(n_features) -> nn.Module``
    The network (a module from ``deep/modules``), exposing ``encoder`` (frozen by
    ``fine_tune(freeze_encoder=True)``) and ``embed(z)`` (the latent representation).
``_loss(module, batch, generator) -> scalar``
    Mean training loss of a mini-batch of standardised float32 rows.
``_row_score(module, z) -> (rows,)``
    Differentiable per-row anomaly score of standardised rows, in any float dtype.
``_row_contributions(module, z) -> (rows, features)`` (reconstruction detectors only)
    Per-feature terms that sum to ``_row_score``.

Training is the shared :func:`robustad.detectors.deep.trainer.train`; input standardisation,
thresholds, saving (safetensors, no pickle), ``score_tensor``, ``fine_tune`` and ``explain``
live here.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, ClassVar

import numpy as np
import torch
from torch import nn

from robustad._typing import ArrayLike, FloatArray, IntArray
from robustad.detectors.base import BaseDetector
from robustad.detectors.deep.lipschitz import clip_spectral_norm_
from robustad.detectors.deep.modules.mlp import streamline_for_inference_
from robustad.detectors.deep.trainer import (
    TrainingConfig,
    TrainingResult,
    make_generator,
    resolve_seed,
    score_batches,
    seeded_module,
    torch_threads,
    train,
)
from robustad.detectors.tags import DetectorTags
from robustad.exceptions import ArtifactError, DataValidationError, InvalidParameterError

__all__ = ["DeepDetector"]

_WEIGHTS_FILE = "weights.safetensors"
_STATE_FILE = "state.safetensors"
#: Values per layer and mini-batch from which training uses more than one thread.
_PARALLEL_TRAINING_WORK = 1 << 18
#: Gradient steps of the inner attack in adversarial training (3 is the usual cheap choice).
_ADVERSARIAL_STEPS = 3


@contextmanager
def _evaluating(module: nn.Module) -> Iterator[None]:
    """Run a block with ``module`` in eval mode (no dropout), then restore its mode."""
    training = module.training
    module.eval()
    try:
        yield
    finally:
        module.train(training)


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_real(value: object) -> bool:
    return (
        isinstance(value, numbers.Real)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


class DeepDetector(BaseDetector):
    """Base class of the deep detectors: standardisation, training, scoring, saving.

    The common hyperparameters are documented once, in :mod:`robustad.detectors.deep`.
    Subclasses store them (and their own) in ``__init__`` and implement the hooks listed in
    this module's docstring.

    Examples
    --------
    >>> import robustad
    >>> from robustad.data import make_outlier_data
    >>> data = make_outlier_data(n_samples=100, random_state=0)
    >>> det = robustad.make_detector("autoencoder", epochs=2, random_state=0).fit(data.X)
    >>> det.tags.differentiable, det.decision_function(data.X[:2]).shape
    (True, (2,))
    """

    _tags: ClassVar[DetectorTags] = DetectorTags(differentiable=True, requires_torch=True)

    # Common hyperparameters; subclasses set them in __init__ (scikit-learn rule).
    epochs: int
    batch_size: int
    learning_rate: float
    weight_decay: float
    hidden_sizes: tuple[int, ...]
    validation_fraction: float
    patience: int
    random_state: int | None
    verbose: bool
    n_threads: int | None
    #: Defence against anomalies hidden in the training data (see ``_bound_loss``). A class
    #: default, so detectors that do not offer it in ``__init__`` train plainly.
    robust_training: str | None = None
    #: Adversarial training budget (L-infinity, training standard deviations); see
    #: ``_adversarial_loss``. A class default like ``robust_training``.
    adversarial_epsilon: float | None = None
    #: Keep every linear layer's spectral norm at most 1 (see ``deep/lipschitz.py``).
    spectral_norm: bool = False

    # ------------------------------------------------------------------ hooks
    def _build_module(self, n_features: int) -> nn.Module:
        raise NotImplementedError

    def _loss(
        self, module: nn.Module, batch: tuple[torch.Tensor, ...], generator: torch.Generator
    ) -> torch.Tensor:
        raise NotImplementedError

    def _row_score(self, module: nn.Module, z: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def _prepare(
        self, module: nn.Module, Z: torch.Tensor, y: IntArray | None, generator: torch.Generator
    ) -> None:
        """Set fitted state that training needs before the first step (e.g. a centre)."""

    def _training_tensors(self, Z: torch.Tensor, y: IntArray | None) -> tuple[torch.Tensor, ...]:
        return (Z,)

    def _extra_state(self) -> dict[str, np.ndarray]:
        """Fitted arrays besides the weights and the scaling (saved with them)."""
        return {}

    def _set_extra_state(self, arrays: Mapping[str, np.ndarray]) -> None:
        """Restore what :meth:`_extra_state` returned."""

    def _check_own_params(self) -> None:
        """Validate the detector's own hyperparameters (the common ones are checked here)."""

    # ------------------------------------------------------------------ parameters
    def _check_params(self) -> None:
        checks: list[tuple[str, bool, str]] = [
            ("epochs", _is_int(self.epochs) and self.epochs >= 1, "an integer >= 1"),
            ("batch_size", _is_int(self.batch_size) and self.batch_size >= 1, "an integer >= 1"),
            (
                "learning_rate",
                _is_real(self.learning_rate) and self.learning_rate > 0,
                "a finite number > 0",
            ),
            (
                "weight_decay",
                _is_real(self.weight_decay) and self.weight_decay >= 0,
                "a finite number >= 0",
            ),
            (
                "validation_fraction",
                _is_real(self.validation_fraction) and 0 <= self.validation_fraction < 0.5,
                "a number in [0, 0.5)",
            ),
            ("patience", _is_int(self.patience) and self.patience >= 1, "an integer >= 1"),
            (
                "random_state",
                self.random_state is None or _is_int(self.random_state),
                "an integer or None",
            ),
            ("verbose", isinstance(self.verbose, bool | int), "True or False"),
            (
                "n_threads",
                self.n_threads is None or (_is_int(self.n_threads) and self.n_threads >= 1),
                "an integer >= 1 or None",
            ),
        ]
        sizes = self.hidden_sizes
        checks.append(
            (
                "hidden_sizes",
                isinstance(sizes, tuple | list)
                and len(sizes) >= 1
                and all(_is_int(s) and s >= 1 for s in sizes),
                "a non-empty tuple of integers >= 1",
            )
        )
        checks.append(
            (
                "robust_training",
                self.robust_training in (None, "trimmed"),
                "None or 'trimmed'",
            )
        )
        epsilon = self.adversarial_epsilon
        checks.append(
            (
                "adversarial_epsilon",
                epsilon is None or (_is_real(epsilon) and epsilon > 0),
                "None or a finite number > 0 (in training standard deviations)",
            )
        )
        checks.append(("spectral_norm", isinstance(self.spectral_norm, bool), "True or False"))
        for name, valid, constraint in checks:
            if not valid:
                raise InvalidParameterError(
                    f"{type(self).__name__}: {name} must be {constraint}; got "
                    f"{getattr(self, name)!r}"
                )
        self._check_own_params()

    def _config(
        self, epochs: int | None = None, learning_rate: float | None = None
    ) -> TrainingConfig:
        return TrainingConfig(
            epochs=int(self.epochs if epochs is None else epochs),
            batch_size=int(self.batch_size),
            learning_rate=float(self.learning_rate if learning_rate is None else learning_rate),
            weight_decay=float(self.weight_decay),
            validation_fraction=float(self.validation_fraction),
            patience=int(self.patience),
            verbose=bool(self.verbose),
            description=type(self).__name__,
        )

    # ------------------------------------------------------------------ fit and score
    def _standardise(self, X: FloatArray) -> FloatArray:
        return np.asarray((X - self.mean_) / self.scale_, dtype=np.float64)

    history_: TrainingResult

    def _fit(self, X: FloatArray, y: IntArray | None) -> FloatArray:
        mean = X.mean(axis=0)
        scale = X.std(axis=0)
        if not (np.isfinite(mean).all() and np.isfinite(scale).all()):
            columns = np.flatnonzero(~(np.isfinite(mean) & np.isfinite(scale)))
            raise DataValidationError(
                f"{type(self).__name__}: the mean or standard deviation of column(s) "
                f"{', '.join(map(str, columns[:5]))} overflows float64; scale the features "
                "(e.g. robustad.data.scale) before fitting"
            )
        # A constant column carries no information; dividing by 1 keeps it finite (zero).
        scale = np.where(scale > 1e-12 * np.maximum(1.0, np.abs(mean)), scale, 1.0)
        self.mean_, self.scale_ = mean, scale
        seed = resolve_seed(self.random_state)
        generator = make_generator(seed)
        n_features = X.shape[1]
        with torch_threads(self._training_threads(n_features)):
            module = seeded_module(lambda: self._build_module(n_features), seed)
            Z = torch.from_numpy(self._standardise(X).astype(np.float32))
            self._prepare(module, Z, y, generator)
            self.history_ = train(
                module,
                self._bound_loss(module),
                self._training_tensors(Z, y),
                self._config(),
                generator,
                after_step=self._after_step(module),
            )
            self.module_ = module
        return self._score(X)

    def _activations_per_row(self, n_features: int) -> int:
        """Widest layer's values per row (sets how many threads training can use well)."""
        return max(n_features, *self.hidden_sizes)

    def _training_threads(self, n_features: int) -> int | None:
        # Intra-op threads only pay off on large layers: on mini-batches of a few thousand
        # values their start-up and barriers cost more than the arithmetic, and on a busy
        # machine (other processes on the same cores) spinning threads slow a step down
        # 10-50x. Large batches of wide layers still use every allowed thread.
        work = int(self.batch_size) * self._activations_per_row(n_features)
        return self.n_threads if work >= _PARALLEL_TRAINING_WORK else 1

    def _after_step(self, module: nn.Module) -> Any:
        if not self.spectral_norm:
            return None
        # A fresh network has layers of spectral norm above 1: constrain from the start.
        clip_spectral_norm_(module)
        return lambda: clip_spectral_norm_(module)

    def _bound_loss(self, module: nn.Module) -> Any:
        loss = self._trimmed_loss(module) if self.robust_training == "trimmed" else None
        plain = loss or (lambda batch, generator: self._loss(module, batch, generator))
        if self.adversarial_epsilon is None:
            return plain
        epsilon = float(self.adversarial_epsilon)

        def adversarial(
            batch: tuple[torch.Tensor, ...], generator: torch.Generator
        ) -> torch.Tensor:
            # Half clean loss, half loss on the worst perturbation found for each row
            # (Madry et al., 2018): the clean half keeps clean AUROC.
            perturbed = self._worst_perturbation(module, batch[0], epsilon, generator)
            return 0.5 * plain(batch, generator) + 0.5 * self._adversarial_loss(
                module, batch, perturbed, generator
            )

        return adversarial

    def _worst_perturbation(
        self, module: nn.Module, z: torch.Tensor, epsilon: float, generator: torch.Generator
    ) -> torch.Tensor:
        """Rows of ``z`` moved within ``epsilon`` (L-infinity) to raise their score the most.

        A few steps of projected gradient ascent from a random start in the budget, with the
        network in eval mode (no dropout) and its weights untouched.
        """
        delta = (torch.rand(z.shape, generator=generator, dtype=z.dtype) * 2 - 1) * epsilon
        step = 2.5 * epsilon / _ADVERSARIAL_STEPS
        # Gradients are needed even where the loss is evaluated without them (validation).
        with _evaluating(module), torch.enable_grad():
            for _ in range(_ADVERSARIAL_STEPS):
                delta.requires_grad_(True)
                score = self._row_score(module, z + delta).sum()
                (gradient,) = torch.autograd.grad(score, delta)
                delta = (delta.detach() + step * gradient.sign()).clamp(-epsilon, epsilon)
        return (z + delta).detach()

    def _adversarial_loss(
        self,
        module: nn.Module,
        batch: tuple[torch.Tensor, ...],
        perturbed: torch.Tensor,
        generator: torch.Generator,
    ) -> torch.Tensor:
        """Training loss on the perturbed rows (default: the loss as if they were the data)."""
        return self._loss(module, (perturbed, *batch[1:]), generator)

    def _trimmed_loss(self, module: nn.Module) -> Any:
        # Twice the expected contamination (at most half the batch): the contamination is a
        # guess, and trimming too little lets anomalies back in. On 12 ADBench datasets
        # (benchmarks/robust_training.py) 1x cut the AUROC lost to 10 % contamination by a
        # quarter, 2x by about 60 %, with no loss on clean data.
        share = min(0.5, 2.0 * float(self.contamination))

        def trimmed(batch: tuple[torch.Tensor, ...], generator: torch.Generator) -> torch.Tensor:
            # Leave out the share of each mini-batch that the current model finds most
            # anomalous, so anomalies hidden in the training data stop shaping it (a trimmed
            # loss). Scores are taken without dropout and without gradients.
            n_rows = int(batch[0].shape[0])
            n_keep = n_rows - int(share * n_rows)
            if 1 <= n_keep < n_rows:
                with _evaluating(module), torch.no_grad():
                    scores = self._row_score(module, batch[0])
                keep = torch.argsort(scores)[:n_keep]
                batch = tuple(t[keep] for t in batch)
            return self._loss(module, batch, generator)

        return trimmed

    def _scoring_module(self) -> nn.Module:
        """A frozen copy of the fitted network for scoring (no parameter gradients)."""
        cached: nn.Module | None = getattr(self, "_scoring_module_", None)
        if cached is None:
            # Built on the meta device (no initialisation, no random draws), then filled with
            # the fitted weights: much cheaper than deep-copying the module.
            with torch.device("meta"):
                skeleton = self._build_module(int(self.mean_.shape[0]))
            cached = skeleton.to_empty(device="cpu").float()
            state = {k: v.detach().float() for k, v in self.module_.state_dict().items()}
            cached.load_state_dict(state, strict=True)
            cached.eval()
            for parameter in cached.parameters():
                parameter.requires_grad_(False)
            self._scoring_module_ = streamline_for_inference_(cached)
        return cached

    def _standardised(self, x: torch.Tensor) -> torch.Tensor:
        """Raw rows to the network's float32 input; the subtraction is done in float64.

        Scoring in float32 (the training precision) is about twice as fast as float64 on a
        CPU; standardising first in float64 keeps large raw values from losing their digits.
        """
        scaling: tuple[torch.Tensor, torch.Tensor] | None = getattr(self, "_scaling_", None)
        if scaling is None:  # cleared with the other fitted state when refitting
            # Normal tensors even when first needed under inference_mode: score_tensor puts
            # them in an autograd graph later.
            with torch.inference_mode(False):
                scaling = (torch.from_numpy(self.mean_), torch.from_numpy(self.scale_))
            self._scaling_ = scaling
        mean, scale = scaling
        return ((x.to(torch.float64) - mean) / scale).to(torch.float32)

    def _score(self, X: FloatArray) -> FloatArray:
        module = self._scoring_module()
        with torch_threads(self.n_threads):
            return score_batches(lambda x: self._row_score(module, self._standardised(x)), X)

    def score_tensor(self, x: torch.Tensor) -> torch.Tensor:
        """Differentiable anomaly scores of the rows of ``x`` (same input as ``decision_function``).

        The training standardisation is part of the graph, so gradients are with respect to
        the raw features. The network runs in float32 as in :meth:`decision_function`, and
        the result equals it on the same rows.

        Parameters
        ----------
        x
            Tensor of shape (n_samples, n_features_in_), raw (unscaled) features.

        Returns
        -------
        Tensor of shape (n_samples,), float64.
        """
        self._check_is_fitted()
        if x.ndim != 2 or x.shape[1] != self.n_features_in_:
            raise DataValidationError(
                f"score_tensor expects a tensor of shape (n_samples, {self.n_features_in_}); "
                f"got shape {tuple(x.shape)}"
            )
        module = self._scoring_module()
        return self._row_score(module, self._standardised(x)).to(torch.float64)

    def _embed(self, X: FloatArray) -> FloatArray:
        """Latent representation of validated rows (what :meth:`transform` returns)."""
        module = self._scoring_module()
        embed: Any = module.embed
        with torch.inference_mode():
            width = int(embed(self._standardised(torch.from_numpy(X[:1]))).shape[1])
        with torch_threads(self.n_threads):
            return score_batches(lambda x: embed(self._standardised(x)), X, n_columns=width)

    def transform(self, X: ArrayLike) -> FloatArray:
        """Latent representation of ``X`` (the network's ``embed``), float64 (n, latent)."""
        self._check_is_fitted()
        return self._embed(self._validate_for_scoring(X))

    # ------------------------------------------------------------------ transfer learning
    def fine_tune(
        self,
        X_new: ArrayLike,
        *,
        epochs: int = 10,
        freeze_encoder: bool = False,
        learning_rate: float | None = None,
    ) -> DeepDetector:
        """Continue training from the fitted weights on new (e.g. shifted-domain) data.

        The training standardisation (and any centre) stays fixed, so the network adapts to
        the new domain as it appears in the original feature scale. Afterwards the training
        scores, threshold and labels describe ``X_new``, the training range covers both
        domains, and any calibration is dropped (it described the old model: call
        ``calibrate`` again). Works on a detector loaded with ``robustad.load``.

        Parameters
        ----------
        X_new
            Rows of the new domain, with the fitted features.
        epochs
            Epochs of further training (early stopping as in ``fit``).
        freeze_encoder
            Keep the encoder's weights fixed and train only the rest of the network.
        learning_rate
            Step size; defaults to the detector's ``learning_rate``.

        Returns
        -------
        self
        """
        self._check_is_fitted()
        if not _is_int(epochs) or epochs < 1:
            raise InvalidParameterError(
                f"fine_tune: epochs must be an integer >= 1; got {epochs!r}"
            )
        if learning_rate is not None and not (_is_real(learning_rate) and learning_rate > 0):
            raise InvalidParameterError(
                "fine_tune: learning_rate must be a finite number > 0 or None; got "
                f"{learning_rate!r}"
            )
        X_array = self._validate_for_scoring(X_new)
        module = self.module_
        encoder: nn.Module = module.encoder  # type: ignore[assignment]
        frozen = {id(p) for p in encoder.parameters()} if freeze_encoder else set()
        parameters = [p for p in module.parameters() if id(p) not in frozen]
        if not parameters:
            raise InvalidParameterError(
                f"fine_tune(freeze_encoder=True): {type(self).__name__}'s network has no "
                "parameters outside its encoder; pass freeze_encoder=False"
            )
        # A different stream from fit's, but still determined by random_state.
        generator = make_generator(resolve_seed(self.random_state) + 1)
        Z = torch.from_numpy(self._standardise(X_array).astype(np.float32))
        with torch_threads(self._training_threads(X_array.shape[1])):
            self.history_ = train(
                module,
                self._bound_loss(module),
                self._training_tensors(Z, None),
                self._config(epochs=epochs, learning_rate=learning_rate),
                generator,
                parameters=parameters,
                after_step=self._after_step(module),
            )
        # The scoring copy is rebuilt from the new weights when next needed.
        self.__dict__.pop("_scoring_module_", None)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            scores = self._finite_scores(self._score(X_array), X_array, during="fine-tuning")
        self._record_training(X_array, scores, keep_range=True)
        return self

    # ------------------------------------------------------------------ saving
    def _dump_state(self) -> dict[str, bytes]:
        from safetensors.numpy import save as save_arrays
        from safetensors.torch import save as save_tensors

        weights = {k: v.detach().contiguous() for k, v in self.module_.state_dict().items()}
        arrays = {
            "n_features": np.array([self.mean_.shape[0]], dtype=np.int64),
            "mean": np.ascontiguousarray(self.mean_),
            "scale": np.ascontiguousarray(self.scale_),
            **{f"extra.{k}": np.ascontiguousarray(v) for k, v in self._extra_state().items()},
        }
        return {_WEIGHTS_FILE: save_tensors(weights), _STATE_FILE: save_arrays(arrays)}

    def _load_state(self, files: Mapping[str, bytes]) -> None:
        from safetensors.numpy import load as load_arrays
        from safetensors.torch import load as load_tensors

        name = type(self).__name__
        missing = sorted({_WEIGHTS_FILE, _STATE_FILE} - set(files))
        if missing:
            raise ArtifactError(
                f"the artifact has no {', '.join(missing)}; it was not saved by {name}"
            )
        try:
            arrays = load_arrays(files[_STATE_FILE])
            weights = load_tensors(files[_WEIGHTS_FILE])
            n_features = int(arrays["n_features"][0])
            mean = np.asarray(arrays["mean"], dtype=np.float64)
            scale = np.asarray(arrays["scale"], dtype=np.float64)
        except Exception as error:
            raise ArtifactError(f"{name}: invalid state files ({error})") from None
        if mean.shape != (n_features,) or scale.shape != (n_features,):
            raise ArtifactError(f"{name}: {_STATE_FILE} holds arrays of unexpected shapes")
        self._check_params()
        module = seeded_module(lambda: self._build_module(n_features), 0)
        try:
            module.load_state_dict(weights, strict=True)
        except RuntimeError as error:
            raise ArtifactError(
                f"{name}: {_WEIGHTS_FILE} does not fit the network its parameters describe "
                f"({str(error).splitlines()[0]})"
            ) from None
        self.module_ = module.eval()
        self.mean_, self.scale_ = mean, scale
        self._set_extra_state(
            {k.removeprefix("extra."): v for k, v in arrays.items() if k.startswith("extra.")}
        )


class ReconstructionDetector(DeepDetector):
    """A deep detector whose score is a sum of per-feature reconstruction errors."""

    def _row_contributions(self, module: nn.Module, z: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def _adversarial_loss(
        self,
        module: nn.Module,
        batch: tuple[torch.Tensor, ...],
        perturbed: torch.Tensor,
        generator: torch.Generator,
    ) -> torch.Tensor:
        # Reconstruct the clean row from its worst perturbation (as in adversarially robust
        # autoencoders): a perturbed normal row then scores by how far it was moved, instead
        # of the network learning to copy perturbations through.
        return ((module(perturbed) - batch[0]) ** 2).mean()

    def _row_score(self, module: nn.Module, z: torch.Tensor) -> torch.Tensor:
        # Summed in float64, so the float64 sum of explain()'s terms is the score.
        return self._row_contributions(module, z).sum(dim=1, dtype=torch.float64)

    def explain(self, X: ArrayLike) -> FloatArray:
        """Per-feature contributions to each row's score; each row sums to its score.

        The contribution of a feature is its squared reconstruction error in standardised
        units, so the largest entries of a row name the features that made it unusual.

        Returns
        -------
        ndarray of shape (n_samples, n_features_in_), float64, non-negative.
        """
        self._check_is_fitted()
        X_array = self._validate_for_scoring(X)
        module = self._scoring_module()
        with torch_threads(self.n_threads):
            return score_batches(
                lambda x: self._row_contributions(module, self._standardised(x)),
                X_array,
                n_columns=X_array.shape[1],
            )
