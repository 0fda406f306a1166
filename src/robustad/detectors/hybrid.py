"""Hybrid detectors: classical scoring of a deep model's latent space, and score ensembles.

``LatentDetector`` (registered as ``latent``) fits a deep detector, maps rows to its latent
representation (``transform``) and fits a classical detector there. ``Ensemble`` (registered
as ``ensemble``) fits several detectors, puts each member's scores on a common scale using its
own training scores only, and combines them.

Neither module imports torch until a deep member is made, so an ensemble of classical members
needs no torch.

Examples
--------
>>> from robustad.data import make_outlier_data
>>> from robustad.detectors.hybrid import Ensemble
>>> data = make_outlier_data(n_samples=200, random_state=0)
>>> det = Ensemble(members=("ecod", "iforest"), random_state=0).fit(data.X)
>>> det.member_scores(data.X[:2]).shape
(2, 2)
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from robustad._typing import ArrayLike, FloatArray, IntArray
from robustad.detectors.base import BaseDetector
from robustad.detectors.tags import DetectorTags
from robustad.exceptions import ArtifactError, InvalidParameterError

__all__ = ["COMBINATIONS", "NORMALIZATIONS", "Ensemble", "LatentDetector"]

NORMALIZATIONS: tuple[str, ...] = ("zscore", "rank", "none")
COMBINATIONS: tuple[str, ...] = ("mean", "max", "median")
_NORMALIZATION_FILE = "ensemble.safetensors"


def _make_member(
    owner: str, name: object, params: object, random_state: int | None
) -> BaseDetector:
    from robustad.detectors.registry import make_detector

    if not isinstance(name, str):
        raise InvalidParameterError(f"{owner}: detector names must be strings; got {name!r}")
    if params is not None and not isinstance(params, Mapping):
        raise InvalidParameterError(
            f"{owner}: parameters of {name!r} must be a dict or None; got {params!r}"
        )
    member = make_detector(name, **dict(params or {}))
    if random_state is not None and "random_state" in member.get_params(deep=False):
        member.set_params(random_state=random_state)
    member._validate_contamination()
    member._check_params()
    return member


def _fit_member(member: BaseDetector, X: FloatArray) -> FloatArray:
    # Members work on arrays the ensemble has already validated, through the same hooks that
    # BaseDetector.fit uses, so no member repeats validation or keeps a threshold of its own.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        scores = member._fit(X, None)
    return member._finite_scores(scores, X, during="fit")


def _score_member(member: BaseDetector, X: FloatArray) -> FloatArray:
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return np.asarray(member._score(X), dtype=np.float64)


def _prefixed(prefix: str, files: Mapping[str, bytes]) -> dict[str, bytes]:
    return {f"{prefix}.{name}": data for name, data in files.items()}


def _unprefixed(prefix: str, files: Mapping[str, bytes]) -> dict[str, bytes]:
    start = f"{prefix}."
    return {name[len(start) :]: data for name, data in files.items() if name.startswith(start)}


class LatentDetector(BaseDetector):
    """A classical detector fitted on a deep detector's latent representation.

    The deep ``encoder`` detector is fitted on the rows first; its ``transform`` (the code of an
    autoencoder, the posterior mean of a VAE, the representation of Deep SVDD) gives new
    features, which the ``scorer`` detector is fitted on and scores.

    Parameters
    ----------
    encoder
        Registered name of a deep detector with ``transform`` (default ``"autoencoder"``).
    scorer
        Registered name of the detector that scores the latent rows (default ``"iforest"``).
    encoder_params, scorer_params
        Constructor parameters of the two detectors (``None``: their defaults).
    random_state
        Seed passed to both detectors (unless their parameters set one).
    contamination
        Expected share of anomalies; sets ``threshold_``.

    Examples
    --------
    >>> from robustad.data import make_outlier_data
    >>> data = make_outlier_data(n_samples=200, random_state=0)
    >>> det = LatentDetector(encoder_params={"epochs": 3}, random_state=0).fit(data.X)
    >>> det.decision_function(data.X[:3]).shape
    (3,)
    """

    _tags: ClassVar[DetectorTags] = DetectorTags(requires_torch=True)

    def __init__(
        self,
        encoder: str = "autoencoder",
        scorer: str = "iforest",
        encoder_params: dict[str, Any] | None = None,
        scorer_params: dict[str, Any] | None = None,
        random_state: int | None = None,
        contamination: float = 0.1,
    ) -> None:
        super().__init__(contamination=contamination)
        self.encoder = encoder
        self.scorer = scorer
        self.encoder_params = encoder_params
        self.scorer_params = scorer_params
        self.random_state = random_state

    def _members(self) -> tuple[BaseDetector, BaseDetector]:
        owner = type(self).__name__
        if self.random_state is not None and not isinstance(self.random_state, numbers.Integral):
            raise InvalidParameterError(
                f"{owner}: random_state must be an integer or None; got {self.random_state!r}"
            )
        encoder = _make_member(owner, self.encoder, self.encoder_params, self.random_state)
        if not hasattr(encoder, "transform"):
            raise InvalidParameterError(
                f"{owner}: encoder must be a deep detector with a latent space (e.g. "
                f"'autoencoder', 'vae', 'deep_svdd'); got {self.encoder!r}"
            )
        scorer = _make_member(owner, self.scorer, self.scorer_params, self.random_state)
        return encoder, scorer

    def _check_params(self) -> None:
        self._members()

    def _latent(self, X: FloatArray) -> FloatArray:
        return self.encoder_._embed(X)

    def _fit(self, X: FloatArray, y: IntArray | None) -> FloatArray:
        encoder, scorer = self._members()
        self.encoder_ = encoder
        _fit_member(encoder, X)
        self.scorer_ = scorer
        return _fit_member(scorer, self._latent(X))

    def _score(self, X: FloatArray) -> FloatArray:
        return _score_member(self.scorer_, self._latent(X))

    def _dump_state(self) -> dict[str, bytes]:
        return {
            **_prefixed("encoder", self.encoder_._dump_state()),
            **_prefixed("scorer", self.scorer_._dump_state()),
        }

    def _load_state(self, files: Mapping[str, bytes]) -> None:
        encoder, scorer = self._members()
        encoder._load_state(_unprefixed("encoder", files))
        scorer._load_state(_unprefixed("scorer", files))
        self.encoder_, self.scorer_ = encoder, scorer


class Ensemble(BaseDetector):
    """Several detectors, each normalised by its own training scores, combined into one score.

    The default members and combination were chosen on the ADBench datasets in
    ``../shared/datasets/adbench`` (``benchmarks/ensemble_selection.py``; results in
    ``benchmarks/results/ensemble_selection.md``): every subset of the candidates IForest,
    ECOD, COPOD, KNN, LOF, HBOS, PCA and ``autoencoder``, with every normalisation and
    combination, was scored by mean test AUROC over the same datasets and seeds (stratified
    70/30 splits, fitted on the contaminated training part), preferring fewer and faster members
    when the difference was within noise. The winner, COPOD + KNN + PCA with robust z-scores
    combined by their maximum, joins three views that fail on different data (per-feature
    tails, local density, linear correlation structure); the maximum lets whichever member
    finds a row unusual flag it. It needs no torch.

    **Selection bias:** the defaults were chosen on the same datasets on which
    ``benchmarks/deep_vs_pyod.py`` then compares the ensemble with single detectors, so its lead
    there is optimistic; on new data expect a smaller margin.

    Normalisation (from each member's *training* scores only, so a row's score does not depend
    on the batch): ``"zscore"`` subtracts the median and divides by 1.4826 x the median absolute
    deviation (a robust z-score; unbounded, so strong anomalies stay apart), ``"rank"`` uses the
    share of training scores at or below the score, ``"none"`` leaves scores as they are.

    Parameters
    ----------
    members
        Registered detector names (each at its defaults, seeded with ``random_state``).
    normalization
        ``"zscore"``, ``"rank"`` or ``"none"``.
    combination
        ``"mean"``, ``"max"`` or ``"median"`` of the normalised member scores.
    random_state
        Seed passed to every member that takes one.
    contamination
        Expected share of anomalies; sets ``threshold_``.

    Examples
    --------
    >>> from robustad.data import make_outlier_data
    >>> data = make_outlier_data(n_samples=200, random_state=0)
    >>> det = Ensemble(members=("ecod", "knn"), combination="max").fit(data.X)
    >>> det.decision_function(data.X[:2]).shape
    (2,)
    """

    def __init__(
        self,
        members: tuple[str, ...] = ("copod", "knn", "pca"),
        normalization: str = "zscore",
        combination: str = "max",
        random_state: int | None = None,
        contamination: float = 0.1,
    ) -> None:
        super().__init__(contamination=contamination)
        self.members = members
        self.normalization = normalization
        self.combination = combination
        self.random_state = random_state

    @property
    def tags(self) -> DetectorTags:
        """Capability tags: ``requires_torch`` when a member needs torch."""
        from robustad.detectors.registry import detector_class

        names = self.members if isinstance(self.members, tuple | list) else ()
        needs_torch = any(
            isinstance(n, str) and detector_class(n)._tags.requires_torch for n in names
        )
        return DetectorTags(requires_torch=needs_torch)

    def _make_members(self) -> list[BaseDetector]:
        owner = type(self).__name__
        if not isinstance(self.members, tuple | list) or not self.members:
            raise InvalidParameterError(
                f"{owner}: members must be a non-empty tuple of detector names; got "
                f"{self.members!r}"
            )
        if self.normalization not in NORMALIZATIONS:
            raise InvalidParameterError(
                f"{owner}: normalization must be one of {', '.join(map(repr, NORMALIZATIONS))}; "
                f"got {self.normalization!r}"
            )
        if self.combination not in COMBINATIONS:
            raise InvalidParameterError(
                f"{owner}: combination must be one of {', '.join(map(repr, COMBINATIONS))}; "
                f"got {self.combination!r}"
            )
        if self.random_state is not None and not isinstance(self.random_state, numbers.Integral):
            raise InvalidParameterError(
                f"{owner}: random_state must be an integer or None; got {self.random_state!r}"
            )
        return [_make_member(owner, name, None, self.random_state) for name in self.members]

    def _check_params(self) -> None:
        self._make_members()

    def _fit(self, X: FloatArray, y: IntArray | None) -> FloatArray:
        members = self._make_members()
        train = np.column_stack([_fit_member(m, X) for m in members])
        self.members_ = members
        self.sorted_scores_ = np.sort(train, axis=0)
        median = np.median(train, axis=0)
        spread = 1.4826 * np.median(np.abs(train - median), axis=0)
        fallback = train.std(axis=0)
        # A member whose training scores are mostly tied has MAD 0: fall back to the standard
        # deviation, then to 1, so normalised scores stay finite.
        spread = np.where(spread > 0, spread, np.where(fallback > 0, fallback, 1.0))
        self.centre_, self.spread_ = median, spread
        return self._combine(train)

    def member_scores(self, X: ArrayLike) -> FloatArray:
        """Normalised scores of every member, shape (n_samples, n_members)."""
        self._check_is_fitted()
        return self._normalise(self._raw_scores(self._validate_for_scoring(X)))

    def _raw_scores(self, X: FloatArray) -> FloatArray:
        return np.column_stack([_score_member(m, X) for m in self.members_])

    def _normalise(self, raw: FloatArray) -> FloatArray:
        if self.normalization == "zscore":
            return np.asarray((raw - self.centre_) / self.spread_, dtype=np.float64)
        if self.normalization == "rank":
            n = self.sorted_scores_.shape[0]
            return np.column_stack(
                [
                    np.searchsorted(self.sorted_scores_[:, j], raw[:, j], side="right") / n
                    for j in range(raw.shape[1])
                ]
            )
        return raw

    def _combine(self, raw: FloatArray) -> FloatArray:
        normalised = self._normalise(raw)
        if self.combination == "max":
            return np.asarray(normalised.max(axis=1), dtype=np.float64)
        if self.combination == "median":
            return np.asarray(np.median(normalised, axis=1), dtype=np.float64)
        return np.asarray(normalised.mean(axis=1), dtype=np.float64)

    def _score(self, X: FloatArray) -> FloatArray:
        return self._combine(self._raw_scores(X))

    def _dump_state(self) -> dict[str, bytes]:
        from safetensors.numpy import save

        files = {
            _NORMALIZATION_FILE: save(
                {
                    "sorted_scores": np.ascontiguousarray(self.sorted_scores_),
                    "centre": self.centre_,
                    "spread": self.spread_,
                }
            )
        }
        for index, member in enumerate(self.members_):
            files.update(_prefixed(f"m{index}", member._dump_state()))
        return files

    def _load_state(self, files: Mapping[str, bytes]) -> None:
        from safetensors.numpy import load

        members = self._make_members()
        try:
            arrays = load(files[_NORMALIZATION_FILE])
            self.sorted_scores_ = arrays["sorted_scores"]
            self.centre_, self.spread_ = arrays["centre"], arrays["spread"]
        except Exception as error:
            raise ArtifactError(
                f"{_NORMALIZATION_FILE} is not a valid state file ({error})"
            ) from None
        shape = (len(members),)
        if self.centre_.shape != shape or self.spread_.shape != shape:
            raise ArtifactError(f"{_NORMALIZATION_FILE} does not match {len(members)} members")
        for index, member in enumerate(members):
            member._load_state(_unprefixed(f"m{index}", files))
        self.members_ = members
