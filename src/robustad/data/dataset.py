"""The :class:`Dataset` container: validated features, optional labels, and where they came from.

Examples
--------
>>> import numpy as np
>>> from robustad.data.dataset import Dataset
>>> data = Dataset(X=np.array([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]]), y=np.array([0, 0, 1]))
>>> data
Dataset(name='dataset', n_samples=3, n_features=2, contamination=0.3333, source='in memory')
>>> data.feature_names
('x0', 'x1')
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from robustad._typing import FloatArray, IntArray
from robustad.data.validation import check_features, check_labels
from robustad.exceptions import DataValidationError

__all__ = ["Dataset", "default_feature_names"]


def default_feature_names(n_features: int) -> tuple[str, ...]:
    """Names ``x0, x1, ...`` for sources whose columns have no names.

    Examples
    --------
    >>> default_feature_names(3)
    ('x0', 'x1', 'x2')
    """
    return tuple(f"x{index}" for index in range(n_features))


@dataclass(frozen=True, eq=False, repr=False)
class Dataset:
    """A feature matrix with optional anomaly labels and provenance.

    The constructor validates everything once, so code that receives a ``Dataset`` can trust
    it: ``X`` is a finite float64 matrix, ``y`` (when present) holds only 0 and 1 with one
    label per row, and ``feature_names`` has one unique name per column. Arrays are stored as
    given when they already have the right dtype (no copy); treat them as read-only.

    Parameters
    ----------
    X
        Features, shape ``(n_samples, n_features)``; converted to float64.
    y
        Anomaly labels, shape ``(n_samples,)``: 1 anomaly, 0 normal; None when unlabelled.
    feature_names
        One name per column. Empty (the default) means the source has no names, and
        ``x0, x1, ...`` are generated.
    name
        Short name used in reports and messages.
    source
        Where the data came from: a file path, ``"bundled: <description>"``, or a note such
        as ``"in memory"``.
    label_names
        The original class of every row as text (e.g. the NSL-KDD attack type ``'neptune'``
        or ``'normal'``), or None.

    Attributes
    ----------
    n_samples : int
    n_features : int
    contamination : float or None
        Fraction of rows with ``y == 1``; None without labels.

    Raises
    ------
    DataValidationError
        When ``X`` is not a finite 2-D numeric matrix, ``y`` is not 0/1 with one label per row,
        or ``feature_names`` / ``label_names`` do not match the shape of ``X``.

    Examples
    --------
    >>> import numpy as np
    >>> data = Dataset(
    ...     X=np.array([[1.0, 10.0], [2.0, 20.0], [9.0, 90.0], [3.0, 30.0]]),
    ...     y=np.array([0, 0, 1, 0]),
    ...     feature_names=("amount", "duration"),
    ...     name="toy",
    ... )
    >>> data.n_samples, data.n_features, data.contamination
    (4, 2, 0.25)
    >>> data.subset(data.y == 0).n_samples
    3
    >>> Dataset(X=np.zeros((2, 2)), y=np.array([0, 1, 1]))
    Traceback (most recent call last):
    ...
    robustad.exceptions.DataValidationError: y of dataset 'dataset' has 3 labels but X has 2 ...
    """

    X: FloatArray
    y: IntArray | None = None
    feature_names: tuple[str, ...] = ()
    name: str = "dataset"
    source: str = "in memory"
    label_names: npt.NDArray[np.str_] | None = None

    def __post_init__(self) -> None:
        where = f"dataset {self.name!r}"
        X, frame_names = check_features(self.X, what=f"X of {where}")
        n_samples, n_features = X.shape
        given_names: Sequence[str] | None = self.feature_names
        if given_names is None or len(given_names) == 0:
            given_names = frame_names
        names = self._checked_feature_names(given_names, n_features, where)
        y = None
        if self.y is not None:
            y = check_labels(self.y, n_samples, what=f"y of {where}")
        label_names = None
        if self.label_names is not None:
            label_names = np.asarray(self.label_names)
            if label_names.ndim != 1 or label_names.shape[0] != n_samples:
                raise DataValidationError(
                    f"label_names of {where} has shape {label_names.shape}, but X has "
                    f"{n_samples} rows; pass one class name per row, or None"
                )
            label_names = label_names.astype(np.str_)
        # frozen=True forbids plain assignment; these are the normalised forms of the inputs.
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", y)
        object.__setattr__(self, "feature_names", names)
        object.__setattr__(self, "label_names", label_names)

    @staticmethod
    def _checked_feature_names(
        names: Sequence[str] | None, n_features: int, where: str
    ) -> tuple[str, ...]:
        if names is None or len(names) == 0:
            return default_feature_names(n_features)
        if isinstance(names, str):
            raise DataValidationError(
                f"feature_names of {where} is a single string {names!r}; pass a sequence of "
                f"{n_features} names"
            )
        result = tuple(str(name) for name in names)
        if len(result) != n_features:
            raise DataValidationError(
                f"feature_names of {where} has {len(result)} names, but X has {n_features} "
                "columns; pass one name per column"
            )
        duplicated = sorted(name for name, count in Counter(result).items() if count > 1)
        if duplicated:
            raise DataValidationError(
                f"feature_names of {where} repeats {', '.join(map(repr, duplicated[:5]))}; "
                "every column needs a unique name"
            )
        return result

    @property
    def n_samples(self) -> int:
        """Number of rows."""
        return int(self.X.shape[0])

    @property
    def n_features(self) -> int:
        """Number of columns."""
        return int(self.X.shape[1])

    @property
    def contamination(self) -> float | None:
        """Fraction of anomalies (``y == 1``), or None when the dataset has no labels."""
        if self.y is None:
            return None
        return float(np.mean(self.y == 1))

    def subset(self, mask_or_indices: Any, name: str | None = None) -> Dataset:
        """Return the rows selected by a boolean mask or by integer indices.

        Parameters
        ----------
        mask_or_indices
            A boolean array with one entry per row, or an array of row indices (negative
            indices count from the end, as in numpy).
        name
            Name of the new dataset; defaults to this dataset's name.

        Returns
        -------
        Dataset
            A new dataset; ``y`` and ``label_names`` are subset alongside ``X``.

        Raises
        ------
        DataValidationError
            For a mask of the wrong length, out-of-range indices, or an empty selection.

        Examples
        --------
        >>> import numpy as np
        >>> data = Dataset(X=np.arange(6.0).reshape(3, 2), name="toy")
        >>> data.subset([2, 0], name="picked").X
        array([[4., 5.],
               [0., 1.]])
        """
        selector = np.asarray(mask_or_indices)
        where = f"subset of dataset {self.name!r}"
        if selector.dtype.kind == "b":
            if selector.shape != (self.n_samples,):
                raise DataValidationError(
                    f"{where}: the boolean mask has shape {selector.shape}, but the dataset has "
                    f"{self.n_samples} rows; pass one True/False per row"
                )
            rows = np.flatnonzero(selector)
        elif selector.dtype.kind in "iu" or selector.size == 0:
            rows = selector.astype(np.int64).ravel()
            out_of_range = rows[(rows >= self.n_samples) | (rows < -self.n_samples)]
            if out_of_range.size:
                raise DataValidationError(
                    f"{where}: index {int(out_of_range[0])} is out of range for "
                    f"{self.n_samples} rows; valid indices are 0 to {self.n_samples - 1}"
                )
        else:
            raise DataValidationError(
                f"{where}: expected a boolean mask or integer row indices, got dtype "
                f"{selector.dtype}"
            )
        if rows.size == 0:
            raise DataValidationError(f"{where}: the selection is empty; select at least one row")
        return replace(
            self,
            X=self.X[rows],
            y=None if self.y is None else self.y[rows],
            label_names=None if self.label_names is None else self.label_names[rows],
            name=self.name if name is None else name,
        )

    def __repr__(self) -> str:
        contamination = self.contamination
        share = "None" if contamination is None else f"{contamination:.4g}"
        return (
            f"Dataset(name={self.name!r}, n_samples={self.n_samples}, "
            f"n_features={self.n_features}, contamination={share}, source={self.source!r})"
        )
