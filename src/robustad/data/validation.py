"""Validation of feature matrices and labels, with errors that name columns and rows.

Every public entry point that takes data (detectors, loaders, the CLI) passes it through
:func:`check_features` and :func:`check_labels`, so a user sees one consistent message style:
what was expected, what was given, where, and what to do.

Row numbers in messages count from 0, as in pandas and numpy.

Examples
--------
>>> import numpy as np
>>> from robustad.data.validation import check_features
>>> X, names = check_features([[1, 2], [3, 4]])
>>> X.dtype, X.shape, names
(dtype('float64'), (2, 2), None)
>>> check_features([[1.0, float("nan")]])
Traceback (most recent call last):
...
robustad.exceptions.DataValidationError: X: column 1 has 1 NaN value (row 0); impute or drop ...
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from robustad._typing import FloatArray, IntArray
from robustad.exceptions import DataValidationError

__all__ = ["check_features", "check_labels", "is_dataframe", "require_both_classes"]

#: How many offending rows a message lists before it says "...".
MAX_ROWS_IN_MESSAGE = 5


def is_dataframe(obj: object) -> bool:
    """True for a pandas DataFrame, checked without importing pandas."""
    return hasattr(obj, "columns") and hasattr(obj, "dtypes") and hasattr(obj, "iloc")


def _rows_text(rows: np.ndarray) -> str:
    shown = ", ".join(str(int(r)) for r in rows[:MAX_ROWS_IN_MESSAGE])
    more = ", ..." if rows.size > MAX_ROWS_IN_MESSAGE else ""
    return f"row{'s' if rows.size > 1 else ''} {shown}{more}"


def _column_label(index: int, names: Sequence[str] | None) -> str:
    if names is not None and index < len(names):
        return f"column {names[index]!r}"
    return f"column {index}"


def _frame_to_array(
    frame: Any, feature_names: Sequence[str] | None, what: str
) -> tuple[np.ndarray, tuple[str, ...]]:
    columns = [str(c) for c in frame.columns]
    if len(set(columns)) != len(columns):
        duplicated = sorted({c for c in columns if columns.count(c) > 1})
        raise DataValidationError(
            f"{what}: duplicated column name(s) {', '.join(map(repr, duplicated))}; "
            "rename them so every column is unique"
        )
    if feature_names is not None:
        missing = [name for name in feature_names if name not in columns]
        if missing:
            raise DataValidationError(
                f"{what}: missing column(s) {', '.join(map(repr, missing[:10]))}"
                f"{' ...' if len(missing) > 10 else ''}; the model needs {len(feature_names)} "
                "columns by these names (extra columns are ignored)"
            )
        frame = frame[[frame.columns[columns.index(name)] for name in feature_names]]
        columns = list(feature_names)
    for position, (name, dtype) in enumerate(zip(columns, frame.dtypes, strict=True)):
        kind = getattr(dtype, "kind", "O")
        if kind in "biuf":
            continue
        # Object/string/categorical columns: accept them only if every cell is a number.
        values = frame.iloc[:, position].to_numpy(dtype=object)
        bad_rows = [i for i, v in enumerate(values) if not _is_number(v)]
        if bad_rows:
            example = values[bad_rows[0]]
            raise DataValidationError(
                f"{what}: column {name!r} is not numeric (dtype {dtype}; "
                f"{_rows_text(np.asarray(bad_rows))} hold text such as {str(example)[:40]!r}); "
                "encode it as numbers (e.g. one-hot) or drop the column"
            )
    try:
        array = frame.to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError) as error:  # pragma: no cover - guarded above
        raise DataValidationError(f"{what}: could not convert to numbers: {error}") from None
    return array, tuple(columns)


def _is_number(value: object) -> bool:
    if value is None:
        return True  # a missing cell: reported as NaN later, with its row
    if isinstance(value, bool | int | float | np.number):
        return True
    try:
        float(str(value))
    except ValueError:
        return False
    return not isinstance(value, str) or value.strip() != ""


def _to_array(X: Any, what: str) -> np.ndarray:
    if X is None:
        raise DataValidationError(
            f"{what} is None; pass a 2-D array of shape (n_samples, n_features)"
        )
    if isinstance(X, str | bytes):
        raise DataValidationError(
            f"{what} is a string; pass a 2-D numeric array, a DataFrame, or load a file first "
            "with robustad.load_dataset(path)"
        )
    if hasattr(X, "toarray") and hasattr(X, "nnz"):
        raise DataValidationError(f"{what} is a sparse matrix; convert it with X.toarray() first")
    try:
        array = np.asarray(X)
    except (TypeError, ValueError) as error:
        raise DataValidationError(
            f"{what} could not be read as an array ({error}); rows of unequal length?"
        ) from None
    if array.dtype.kind == "c":
        raise DataValidationError(f"{what} holds complex numbers; pass real-valued features")
    if array.dtype.kind in "OUS":
        array = _object_to_float(array, what)
    elif array.dtype.kind not in "biuf":
        raise DataValidationError(
            f"{what} has dtype {array.dtype}, which is not numeric; pass numbers"
        )
    return array


def _object_to_float(array: np.ndarray, what: str) -> np.ndarray:
    if array.ndim != 2:
        try:
            return array.astype(np.float64)
        except (TypeError, ValueError):
            raise DataValidationError(
                f"{what} holds non-numeric values or rows of unequal length; pass a 2-D numeric "
                "array"
            ) from None
    for column in range(array.shape[1]):
        bad = [i for i, v in enumerate(array[:, column]) if not _is_number(v)]
        if bad:
            raise DataValidationError(
                f"{what}: column {column} is not numeric ({_rows_text(np.asarray(bad))} hold "
                f"text such as {str(array[bad[0], column])[:40]!r}); encode it as numbers or "
                "drop it"
            )
    return np.asarray(
        [[np.nan if v is None else float(v) for v in row] for row in array], dtype=np.float64
    )


def check_features(
    X: Any,
    *,
    n_features: int | None = None,
    feature_names: Sequence[str] | None = None,
    what: str = "X",
    max_rows: int | None = None,
) -> tuple[FloatArray, tuple[str, ...] | None]:
    """Validate a feature matrix and return it as a float64 array.

    Parameters
    ----------
    X
        2-D array-like ``(n_samples, n_features)`` or pandas DataFrame. Never modified.
    n_features
        Required number of columns (for scoring with a fitted detector).
    feature_names
        Required column names. A DataFrame is reordered to this order and extra columns are
        ignored; a missing column is an error that names it.
    what
        How the data is called in messages (``"X"``, ``"file 'tx.csv'"``...).
    max_rows
        Refuse inputs with more rows than this (oversized-input guard for services).

    Returns
    -------
    X : ndarray of float64, shape (n_samples, n_features)
    names : tuple of str or None
        Column names when ``X`` was a DataFrame, else None.

    Raises
    ------
    DataValidationError
        For None, strings, sparse input, non-numeric values, NaN, +/-inf, fewer or more than two
        dimensions, zero rows or columns, or a wrong number of features. The message names the
        column and the first offending rows.

    Examples
    --------
    >>> check_features([[1.0, 2.0]], n_features=3)
    Traceback (most recent call last):
    ...
    robustad.exceptions.DataValidationError: X has 2 features, but 3 were expected (the number ...
    """
    names: tuple[str, ...] | None = None
    if is_dataframe(X):
        array, names = _frame_to_array(X, feature_names, what)
    else:
        array = _to_array(X, what)
    if array.ndim != 2:
        hint = (
            "use X.reshape(-1, 1) for a single feature or X.reshape(1, -1) for a single row"
            if array.ndim == 1
            else "flatten each sample to one row first"
        )
        raise DataValidationError(
            f"{what} must be 2-D (n_samples, n_features); got {array.ndim}-D input of shape "
            f"{array.shape}; {hint}"
        )
    n_rows, n_columns = array.shape
    if n_rows == 0:
        raise DataValidationError(f"{what} has 0 rows; pass at least one sample")
    if n_columns == 0:
        raise DataValidationError(f"{what} has 0 columns; pass at least one feature")
    if max_rows is not None and n_rows > max_rows:
        raise DataValidationError(
            f"{what} has {n_rows} rows, more than the limit of {max_rows}; split it into batches"
        )
    if n_features is not None and n_columns != n_features:
        raise DataValidationError(
            f"{what} has {n_columns} features, but {n_features} were expected (the number the "
            "detector was fitted with); pass the same columns as in training"
        )
    array = np.ascontiguousarray(array, dtype=np.float64)
    finite = np.isfinite(array)
    if not finite.all():
        column_names = names if names is not None else feature_names
        bad_columns = np.flatnonzero(~finite.all(axis=0))
        parts = []
        for column in bad_columns[:MAX_ROWS_IN_MESSAGE]:
            values = array[:, column]
            for label, mask in (("NaN", np.isnan(values)), ("infinite", np.isinf(values))):
                if mask.any():
                    rows = np.flatnonzero(mask)
                    parts.append(
                        f"{_column_label(int(column), column_names)} has {rows.size} {label} "
                        f"value{'s' if rows.size > 1 else ''} ({_rows_text(rows)})"
                    )
        more = (
            f" and {bad_columns.size - MAX_ROWS_IN_MESSAGE} more columns"
            if bad_columns.size > MAX_ROWS_IN_MESSAGE
            else ""
        )
        raise DataValidationError(
            f"{what}: {'; '.join(parts)}{more}; impute or drop them before fitting or scoring"
        )
    return array, names


def check_labels(
    y: Any,
    n_samples: int,
    *,
    allow_unknown: bool = False,
    what: str = "y",
) -> IntArray:
    """Validate anomaly labels: 1 anomaly, 0 normal, and -1 unknown when ``allow_unknown``.

    Examples
    --------
    >>> check_labels([0, 1, 1], 3)
    array([0, 1, 1])
    >>> check_labels([0, 2], 2)
    Traceback (most recent call last):
    ...
    robustad.exceptions.DataValidationError: y holds values other than 0 (normal) and 1 ...
    """
    if y is None:
        raise DataValidationError(f"{what} is None; pass labels (1 anomaly, 0 normal)")
    if is_dataframe(y):
        raise DataValidationError(f"{what} must be 1-D; pass a single column (a Series or array)")
    array = np.asarray(y)
    if array.ndim != 1:
        raise DataValidationError(f"{what} must be 1-D; got shape {array.shape}")
    if array.shape[0] != n_samples:
        raise DataValidationError(
            f"{what} has {array.shape[0]} labels but X has {n_samples} rows; pass one label per row"
        )
    if array.dtype.kind == "b":
        array = array.astype(np.int64)
    if array.dtype.kind == "f":
        if not np.isfinite(array).all():
            rows = np.flatnonzero(~np.isfinite(array))
            raise DataValidationError(f"{what} has missing or infinite labels ({_rows_text(rows)})")
        if not np.all(array == np.round(array)):
            raise DataValidationError(f"{what} must hold whole numbers (1 anomaly, 0 normal)")
    elif array.dtype.kind not in "iu":
        raise DataValidationError(
            f"{what} has dtype {array.dtype}; labels must be integers (1 anomaly, 0 normal)"
        )
    labels = array.astype(np.int64)
    allowed = (-1, 0, 1) if allow_unknown else (0, 1)
    bad = np.flatnonzero(~np.isin(labels, allowed))
    if bad.size:
        allowed_text = "0 (normal) and 1 (anomaly)" + (" and -1 (unknown)" if allow_unknown else "")
        raise DataValidationError(
            f"{what} holds values other than {allowed_text}, e.g. {labels[bad[0]]} at "
            f"{_rows_text(bad)}"
        )
    return labels


def require_both_classes(y: Any, what: str, purpose: str) -> None:
    """Refuse labels that are missing or hold a single class, for work that measures ranking.

    Parameters
    ----------
    y
        Labels (1 anomaly, 0 normal) or None.
    what
        How the data is named in the message, e.g. ``"dataset 'cardio'"``.
    purpose
        What needs the labels, e.g. ``"a benchmark"``, ``"the robustness card"``.

    Examples
    --------
    >>> require_both_classes([0, 0], "dataset 'x'", "a benchmark")
    Traceback (most recent call last):
    ...
    robustad.exceptions.DataValidationError: dataset 'x' holds only class 0; a benchmark needs ...
    """
    if y is None:
        raise DataValidationError(
            f"{what} has no labels; {purpose} needs them: an npz array 'y', or a label column "
            "(--label-column) for CSV/Parquet"
        )
    labels = np.asarray(y)
    if labels.size == 0 or labels.min() == labels.max():
        only = f"only class {int(labels[0])}" if labels.size else "no rows"
        raise DataValidationError(
            f"{what} holds {only}; {purpose} needs both normal (0) and anomalous (1) rows"
        )
