"""Train/test splits and feature scaling that cannot leak test statistics into training.

Examples
--------
>>> from robustad.data.synthetic import make_outlier_data
>>> from robustad.data.splits import scale, train_test_split
>>> data = make_outlier_data(n_samples=100, contamination=0.1, random_state=0)
>>> train, test = train_test_split(data, test_size=0.3, random_state=0)
>>> train.n_samples, test.n_samples, int(test.y.sum())
(70, 30, 3)
>>> train, test = scale(train, test, method="standard")
"""

from __future__ import annotations

import numbers
from dataclasses import replace
from typing import Literal

import numpy as np

from robustad.data.dataset import Dataset
from robustad.exceptions import DataValidationError, InvalidParameterError

__all__ = ["SCALING_METHODS", "scale", "train_test_split"]

ScalingMethod = Literal["standard", "minmax", "robust"]

#: Accepted values of ``scale(..., method=...)``.
SCALING_METHODS: tuple[str, ...] = ("standard", "minmax", "robust")


def train_test_split(
    dataset: Dataset,
    *,
    test_size: float | int = 0.3,
    random_state: int | np.random.RandomState | None = None,
    stratify: bool = True,
) -> tuple[Dataset, Dataset]:
    """Split a dataset into a training and a test part.

    With labels and ``stratify=True``, both parts keep the anomaly share of the whole
    dataset (up to rounding). Rows are shuffled; ``y`` and ``label_names`` follow their rows.

    Parameters
    ----------
    dataset
        The data to split.
    test_size
        A fraction in ``(0, 1)`` or a number of test rows in ``[1, n_samples - 1]``.
    random_state
        Seed for the shuffle (passed to scikit-learn); the same seed gives the same split.
    stratify
        Keep the share of anomalies equal in both parts. Ignored when the dataset has no
        labels.

    Returns
    -------
    train, test : Dataset
        Named ``"<name>:train"`` and ``"<name>:test"``.

    Raises
    ------
    InvalidParameterError
        For a ``test_size`` outside its range.
    DataValidationError
        When stratifying is impossible, e.g. a class has fewer than 2 rows, or a part would be
        too small to hold one row of each class; the message gives the class counts.

    Examples
    --------
    >>> import numpy as np
    >>> data = Dataset(X=np.arange(20.0).reshape(10, 2), y=np.array([0] * 9 + [1]))
    >>> train_test_split(data)
    Traceback (most recent call last):
    ...
    robustad.exceptions.DataValidationError: cannot stratify dataset 'dataset' on y: class 1 ...
    """
    from sklearn.model_selection import train_test_split as sklearn_split

    n_samples = dataset.n_samples
    _check_test_size(test_size, n_samples)
    labels = dataset.y if stratify else None
    if labels is not None:
        values, counts = np.unique(labels, return_counts=True)
        summary = ", ".join(
            f"class {int(v)}: {int(c)} row{'s' if c != 1 else ''}"
            for v, c in zip(values, counts, strict=True)
        )
        for value, count in zip(values, counts, strict=True):
            if count < 2:
                raise DataValidationError(
                    f"cannot stratify dataset {dataset.name!r} on y: class {int(value)} "
                    f"({'anomaly' if value == 1 else 'normal'}) has only {int(count)} row, and "
                    f"each part needs at least one ({summary}); pass stratify=False or use more "
                    "data"
                )
    rows = np.arange(n_samples)
    try:
        train_rows, test_rows = sklearn_split(
            rows, test_size=test_size, random_state=random_state, shuffle=True, stratify=labels
        )
    except ValueError as error:
        # Remaining sklearn refusals: a part smaller than the number of classes.
        raise DataValidationError(
            f"cannot split dataset {dataset.name!r} ({n_samples} rows) with "
            f"test_size={test_size!r}{' stratified on y' if labels is not None else ''}: "
            f"{error}; change test_size or pass stratify=False"
        ) from None
    return (
        dataset.subset(train_rows, name=f"{dataset.name}:train"),
        dataset.subset(test_rows, name=f"{dataset.name}:test"),
    )


def _check_test_size(test_size: object, n_samples: int) -> None:
    if isinstance(test_size, bool):
        valid = False
    elif isinstance(test_size, numbers.Integral):
        valid = 1 <= int(test_size) <= n_samples - 1
    elif isinstance(test_size, numbers.Real):
        valid = 0.0 < float(test_size) < 1.0
    else:
        valid = False
    if not valid:
        raise InvalidParameterError(
            f"test_size must be a fraction in (0, 1) or a row count in [1, {n_samples - 1}] "
            f"for {n_samples} rows, got {test_size!r}"
        )


def scale(
    train: Dataset, test: Dataset, *, method: ScalingMethod = "standard"
) -> tuple[Dataset, Dataset]:
    """Scale features with statistics computed from the training part only.

    The scaler is fitted on ``train.X`` alone and then applied unchanged to both parts, so
    nothing about the test rows (their mean, range or quantiles) leaks into the features a
    detector is trained on. Columns that are constant in the training part are left
    unscaled (divided by 1), so they never produce NaN or infinite values.

    Parameters
    ----------
    train
        Training part; the only source of scaling statistics.
    test
        Test part; transformed with the training statistics. Must have the same columns.
    method
        ``"standard"`` (zero mean, unit variance), ``"minmax"`` (training range mapped to
        [0, 1]; test values may fall outside) or ``"robust"`` (median removed, divided by the
        interquartile range; resistant to outliers in the training data).

    Returns
    -------
    train, test : Dataset
        New datasets with scaled ``X``; labels, names and provenance are unchanged.

    Raises
    ------
    InvalidParameterError
        For an unknown ``method``.
    DataValidationError
        When the two parts have different columns.

    Examples
    --------
    >>> import numpy as np
    >>> train = Dataset(X=np.array([[0.0, 5.0], [2.0, 5.0]]))
    >>> test = Dataset(X=np.array([[4.0, 7.0]]))
    >>> scaled_train, scaled_test = scale(train, test, method="minmax")
    >>> scaled_test.X  # column 0 by the training range [0, 2]; constant column 1 is shifted only
    array([[2., 2.]])
    """
    from sklearn.preprocessing import MinMaxScaler, RobustScaler, StandardScaler

    scalers = {"standard": StandardScaler, "minmax": MinMaxScaler, "robust": RobustScaler}
    if method not in scalers:
        raise InvalidParameterError(
            f"method must be one of {', '.join(map(repr, SCALING_METHODS))}, got {method!r}"
        )
    if train.n_features != test.n_features or train.feature_names != test.feature_names:
        raise DataValidationError(
            f"train ({train.n_features} columns) and test ({test.n_features} columns) have "
            "different columns; split one dataset, or load both with the same columns in the "
            "same order"
        )
    scaler = scalers[method]()
    scaler.fit(train.X)
    with np.errstate(over="ignore", invalid="ignore"):
        train_X = scaler.transform(train.X)
        test_X = scaler.transform(test.X)
    return replace(train, X=train_X), replace(test, X=test_X)
