"""The error tree of robustad.

Every error raised on purpose by robustad subclasses :class:`RobustADError` *and* the builtin a
caller would naturally catch, so ``except ValueError`` keeps working for code written against
scikit-learn or PyOD.

Examples
--------
>>> from robustad.exceptions import DataValidationError, RobustADError
>>> issubclass(DataValidationError, ValueError) and issubclass(DataValidationError, RobustADError)
True
"""

from __future__ import annotations

__all__ = [
    "ArtifactError",
    "DataValidationError",
    "DatasetNotFoundError",
    "InvalidParameterError",
    "NotFittedError",
    "RobustADError",
    "UnknownDetectorError",
]


class RobustADError(Exception):
    """Base class of every error robustad raises on purpose."""


class DataValidationError(RobustADError, ValueError):
    """Input data is unusable: NaN, inf, text, empty, wrong shape or wrong columns.

    The message names the offending column(s) and the first offending rows.
    """


class NotFittedError(RobustADError, AttributeError):
    """A detector was asked to score before ``fit`` was called."""


class InvalidParameterError(RobustADError, ValueError):
    """A constructor or function parameter has a value outside its allowed set."""


class UnknownDetectorError(InvalidParameterError):
    """``make_detector`` was given a name that is not registered."""


class DatasetNotFoundError(RobustADError, FileNotFoundError):
    """A dataset name or path could not be resolved."""


class ArtifactError(RobustADError, ValueError):
    """A saved model folder is missing, foreign, truncated or tampered with.

    Raised before anything in the folder is deserialised beyond ``manifest.json``.
    """
