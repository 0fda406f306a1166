"""One adapter that puts a PyOD or scikit-learn outlier model behind the robustad contract.

This is the only place where a score sign is flipped: scikit-learn's ``score_samples`` is
higher for *normal* rows, so it is negated here; PyOD's ``decision_function`` already follows
the "higher = more anomalous" rule and is used as is.

Fitted models are saved with skops, loaded only with an explicit list of trusted types per
detector (``_trusted_types``); anything else in the file is refused before it is built.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal

import numpy as np

from robustad._typing import FloatArray, IntArray
from robustad.detectors.base import BaseDetector
from robustad.exceptions import ArtifactError, InvalidParameterError

__all__ = ["ClassicalAdapter"]

_MODEL_FILE = "model.skops"


class ClassicalAdapter(BaseDetector):
    """Base of detectors that wrap a PyOD or scikit-learn model.

    Subclasses declare their constructor parameters (scikit-learn style), set ``_library``
    and ``_trusted_types``, and implement ``_build_model``.
    """

    #: "pyod": use ``decision_scores_`` / ``decision_function`` as is.
    #: "sklearn": negate ``score_samples`` (and ``negative_outlier_factor_`` for LOF).
    _library: ClassVar[Literal["pyod", "sklearn"]] = "pyod"
    #: Types skops may build when loading, besides those skops trusts by default.
    _trusted_types: ClassVar[tuple[str, ...]] = ()

    def _build_model(self) -> Any:
        raise NotImplementedError

    def _fit(self, X: FloatArray, y: IntArray | None) -> FloatArray:
        try:
            model = self._build_model()
            model.fit(X)
        except (ValueError, TypeError) as error:
            # X is already validated, so what the wrapped library rejects is a parameter.
            raise InvalidParameterError(
                f"{type(self).__name__}: the wrapped {self._library} model rejected its "
                f"parameters: {error}"
            ) from None
        self.model_ = model
        if self._library == "pyod":
            return np.asarray(model.decision_scores_, dtype=np.float64)
        if hasattr(model, "negative_outlier_factor_"):
            # LOF with novelty=True: training scores are the leave-one-out factors.
            return -np.asarray(model.negative_outlier_factor_, dtype=np.float64)
        return -np.asarray(model.score_samples(X), dtype=np.float64)

    def _score(self, X: FloatArray) -> FloatArray:
        if self._library == "pyod":
            return np.asarray(self.model_.decision_function(X), dtype=np.float64)
        return -np.asarray(self.model_.score_samples(X), dtype=np.float64)

    def _dump_state(self) -> dict[str, bytes]:
        import skops.io

        return {_MODEL_FILE: skops.io.dumps(self.model_)}

    def _load_state(self, files: Mapping[str, bytes]) -> None:
        import skops.io

        if _MODEL_FILE not in files:
            raise ArtifactError(
                f"the artifact has no {_MODEL_FILE}; it was not saved by {type(self).__name__}"
            )
        data = files[_MODEL_FILE]
        try:
            untrusted = skops.io.get_untrusted_types(data=data)
        except Exception as error:  # skops raises several types for a broken file
            raise ArtifactError(f"{_MODEL_FILE} is not a valid skops file ({error})") from None
        unexpected = sorted(set(untrusted) - set(self._trusted_types))
        if unexpected:
            raise ArtifactError(
                f"{_MODEL_FILE} asks to build types that {type(self).__name__} never saves: "
                f"{', '.join(unexpected)}; refusing to load a possibly malicious artifact"
            )
        try:
            model = skops.io.loads(data, trusted=list(untrusted))
        except Exception as error:
            raise ArtifactError(f"{_MODEL_FILE} could not be loaded ({error})") from None
        expected = type(self._build_model())
        if type(model) is not expected:
            raise ArtifactError(
                f"{_MODEL_FILE} holds a {type(model).__name__}, but {type(self).__name__} "
                f"saves a {expected.__name__}; refusing to load"
            )
        self.model_ = model
