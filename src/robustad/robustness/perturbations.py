"""Perturbations of a dataset as pure functions ``(X, y, rng, level) -> (X, y)``.

Each function follows a published protocol (ROBUSTNESS.md R1-R5), never modifies its inputs,
draws randomness only from the ``numpy.random.Generator`` it is given, and is registered with
the part of the data it applies to:

``dataset``
    the whole dataset, before the train/test split (new columns must exist in both parts);
``train``
    the training part only (the test set stays clean, so the damage is measurable);
``test``
    the test part only (a clean model meets shifted data);
``each``
    the training and the test part, separately (ADBench's duplicated anomalies).

Examples
--------
>>> import numpy as np
>>> from robustad.robustness.perturbations import PERTURBATIONS, duplicated_anomalies
>>> X, y = np.arange(12.0).reshape(6, 2), np.array([0, 0, 0, 0, 1, 1])
>>> X2, y2 = duplicated_anomalies(X, y, np.random.default_rng(0), 3)
>>> int(y2.sum()), int((y2 == 0).sum())
(6, 4)
>>> PERTURBATIONS["label_flips"].applies_to
'train'
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from robustad._typing import FloatArray, IntArray
from robustad.data.validation import check_features, check_labels
from robustad.exceptions import DataValidationError, InvalidParameterError

__all__ = [
    "PERTURBATIONS",
    "Perturbation",
    "contamination",
    "duplicated_anomalies",
    "feature_dropout",
    "gaussian_noise",
    "irrelevant_features",
    "label_flips",
    "mean_drift",
    "unit_change",
]

PerturbationFunction = Callable[
    [FloatArray, IntArray, np.random.Generator, float], tuple[FloatArray, IntArray]
]


def _inputs(X: object, y: object) -> tuple[FloatArray, IntArray]:
    array, _ = check_features(X)
    labels = check_labels(y, array.shape[0])
    return array, labels


def _level(name: str, level: float, low: float, high: float, *, closed_high: bool = True) -> float:
    value = float(level)
    ok = math.isfinite(value) and low <= value and (value <= high if closed_high else value < high)
    if not ok:
        bracket = "]" if closed_high else ")"
        raise InvalidParameterError(
            f"{name}: level must be in [{low}, {high}{bracket}; got {level!r}"
        )
    return value


def duplicated_anomalies(
    X: FloatArray, y: IntArray, rng: np.random.Generator, level: float
) -> tuple[FloatArray, IntArray]:
    """R1 (ADBench ``add_duplicated_anomalies``): anomalies resampled ``level`` times over.

    Keeps every normal row, draws ``int(n_anomalies * level)`` anomaly rows with replacement
    and shuffles. ``level`` = 1 keeps the anomaly count (but may repeat rows).
    """
    X, y = _inputs(X, y)
    times = _level("duplicated_anomalies", level, 1.0, 100.0)
    normal, anomalous = np.flatnonzero(y == 0), np.flatnonzero(y == 1)
    if anomalous.size == 0:
        return X.copy(), y.copy()
    drawn = rng.choice(anomalous, int(anomalous.size * times), replace=True)
    order = rng.permutation(np.concatenate([normal, drawn]))
    return X[order], y[order]


def irrelevant_features(
    X: FloatArray, y: IntArray, rng: np.random.Generator, level: float
) -> tuple[FloatArray, IntArray]:
    """R2 (ADBench ``add_irrelevant_features``): a fraction ``level`` of the columns is noise.

    Adds ``int(level / (1 - level) * d)`` columns, each uniform between the minimum and maximum
    of a randomly chosen original column, then shuffles the column order. Apply it to the whole
    dataset before splitting.
    """
    X, y = _inputs(X, y)
    ratio = _level("irrelevant_features", level, 0.0, 1.0, closed_high=False)
    n_noise = int(ratio / (1.0 - ratio) * X.shape[1])
    if n_noise == 0:
        return X.copy(), y.copy()
    sources = rng.integers(0, X.shape[1], size=n_noise)
    low, high = X.min(axis=0)[sources], X.max(axis=0)[sources]
    noise = rng.uniform(low, high, size=(X.shape[0], n_noise))
    combined = np.hstack([X, noise])
    return combined[:, rng.permutation(combined.shape[1])], y.copy()


def label_flips(
    X: FloatArray, y: IntArray, rng: np.random.Generator, level: float
) -> tuple[FloatArray, IntArray]:
    """R3 (ADBench ``add_label_contamination``): flip ``int(n * level)`` labels, both ways.

    Only meaningful for detectors that use labels (tag ``uses_labels``); training part only.
    """
    X, y = _inputs(X, y)
    rate = _level("label_flips", level, 0.0, 1.0)
    flipped = y.copy()
    chosen = rng.choice(y.shape[0], int(y.shape[0] * rate), replace=False)
    flipped[chosen] = 1 - flipped[chosen]
    return X.copy(), flipped


def contamination(
    X: FloatArray, y: IntArray, rng: np.random.Generator, level: float
) -> tuple[FloatArray, IntArray]:
    """R4 (RoSAS ``adjust_contamination``): set the anomaly share of the training part.

    Keeps every normal row and sets the anomaly count to ``n_normal * level / (1 - level)``.
    With too many anomalies, a random subset is kept; with too few, extra ones are synthesised
    by copying a real anomaly and overwriting 5 % of its features (at least one) with another
    anomaly's values, so no exact duplicates are added. ``level`` = 0 gives a clean,
    normal-only training set.
    """
    X, y = _inputs(X, y)
    rate = _level("contamination", level, 0.0, 0.5)
    normal, anomalous = np.flatnonzero(y == 0), np.flatnonzero(y == 1)
    wanted = round(normal.size * rate / (1.0 - rate))
    if wanted > 0 and anomalous.size == 0:
        raise DataValidationError(
            "contamination: the training part has no anomalies to build contamination from; "
            "use a dataset with labelled anomalies"
        )
    if wanted <= anomalous.size:
        kept = rng.choice(anomalous, wanted, replace=False)
        rows = np.concatenate([X[normal], X[kept]])
    else:
        n_new = wanted - anomalous.size
        n_swap = max(1, round(0.05 * X.shape[1]))
        base_index = rng.integers(0, anomalous.size, n_new)
        # The donor is another anomaly (when there is one), so the copy really changes.
        offset = rng.integers(1, anomalous.size, n_new) if anomalous.size > 1 else 0
        base = X[anomalous[base_index]]
        donors = X[anomalous[(base_index + offset) % anomalous.size]]
        columns = np.argsort(rng.random((n_new, X.shape[1])), axis=1)[:, :n_swap]
        synthetic = base.copy()
        row_index = np.arange(n_new)[:, None]
        synthetic[row_index, columns] = donors[row_index, columns]
        rows = np.concatenate([X[normal], X[anomalous], synthetic])
    labels = np.concatenate([np.zeros(normal.size, np.int64), np.ones(wanted, np.int64)])
    order = rng.permutation(labels.size)
    return rows[order], labels[order]


def gaussian_noise(
    X: FloatArray, y: IntArray, rng: np.random.Generator, level: float
) -> tuple[FloatArray, IntArray]:
    """R5a: additive Gaussian noise with standard deviation ``level`` x each column's std."""
    X, y = _inputs(X, y)
    scale = _level("gaussian_noise", level, 0.0, 100.0)
    return X + rng.normal(size=X.shape) * (scale * X.std(axis=0)), y.copy()


def feature_dropout(
    X: FloatArray, y: IntArray, rng: np.random.Generator, level: float
) -> tuple[FloatArray, IntArray]:
    """R5b: a fraction ``level`` of the columns (at least one when ``level`` > 0) set to 0.

    On data standardised with training statistics, 0 is the training mean, so this is the
    "sensor dropped, imputed with the mean" failure.
    """
    X, y = _inputs(X, y)
    share = _level("feature_dropout", level, 0.0, 1.0)
    n_columns = 0 if share == 0 else max(1, round(share * X.shape[1]))
    dropped = X.copy()
    dropped[:, rng.choice(X.shape[1], n_columns, replace=False)] = 0.0
    return dropped, y.copy()


def unit_change(
    X: FloatArray, y: IntArray, rng: np.random.Generator, level: float
) -> tuple[FloatArray, IntArray]:
    """R5c: one randomly chosen column multiplied by ``level`` (e.g. 10: cents became dollars)."""
    X, y = _inputs(X, y)
    factor = _level("unit_change", level, 0.0, 1e6)
    changed = X.copy()
    changed[:, rng.integers(0, X.shape[1])] *= factor
    return changed, y.copy()


def mean_drift(
    X: FloatArray, y: IntArray, rng: np.random.Generator, level: float
) -> tuple[FloatArray, IntArray]:
    """R5e: half the columns (at least one) shifted by ``level`` x their standard deviation."""
    X, y = _inputs(X, y)
    k = _level("mean_drift", level, -100.0, 100.0)
    n_columns = max(1, X.shape[1] // 2)
    drifted = X.copy()
    columns = rng.choice(X.shape[1], n_columns, replace=False)
    drifted[:, columns] += k * X[:, columns].std(axis=0)
    return drifted, y.copy()


@dataclass(frozen=True)
class Perturbation:
    """A registered perturbation: its function, where it applies, its default levels."""

    name: str
    function: PerturbationFunction
    applies_to: Literal["dataset", "train", "test", "each"]
    levels: tuple[float, ...]
    clean_level: float
    protocol: str
    description: str


PERTURBATIONS: dict[str, Perturbation] = {
    p.name: p
    for p in (
        Perturbation(
            "duplicated_anomalies",
            duplicated_anomalies,
            "each",
            (1, 2, 3, 4, 5, 6),
            1,
            "R1",
            "anomalies resampled with replacement, level times over",
        ),
        Perturbation(
            "irrelevant_features",
            irrelevant_features,
            "dataset",
            (0.0, 0.01, 0.05, 0.10, 0.25, 0.50),
            0.0,
            "R2",
            "share of columns that are uniform noise",
        ),
        Perturbation(
            "label_flips",
            label_flips,
            "train",
            (0.0, 0.01, 0.05, 0.10, 0.25, 0.50),
            0.0,
            "R3",
            "share of training labels flipped",
        ),
        Perturbation(
            "contamination",
            contamination,
            "train",
            (0.0, 0.01, 0.02, 0.05, 0.10, 0.20),
            0.0,
            "R4",
            "share of anomalies in the training data",
        ),
        Perturbation(
            "gaussian_noise",
            gaussian_noise,
            "test",
            (0.0, 0.01, 0.05, 0.10, 0.25),
            0.0,
            "R5a",
            "test noise, in units of each column's standard deviation",
        ),
        Perturbation(
            "feature_dropout",
            feature_dropout,
            "test",
            (0.0, 0.05, 0.10, 0.25),
            0.0,
            "R5b",
            "share of test columns replaced by the training mean",
        ),
        Perturbation(
            "unit_change",
            unit_change,
            "test",
            (1.0, 10.0, 100.0),
            1.0,
            "R5c",
            "factor applied to one test column",
        ),
        Perturbation(
            "mean_drift",
            mean_drift,
            "test",
            (0.0, 0.5, 1.0, 2.0),
            0.0,
            "R5e",
            "shift of half the test columns, in standard deviations",
        ),
    )
}
