"""Seeded synthetic data with planted outliers, for tests, doctests and demos.

Examples
--------
>>> from robustad.data.synthetic import make_outlier_data
>>> data = make_outlier_data(n_samples=200, n_features=3, contamination=0.05, random_state=0)
>>> data.X.shape, int(data.y.sum())
((200, 3), 10)
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from robustad.data.dataset import Dataset
from robustad.exceptions import InvalidParameterError

__all__ = ["make_outlier_data"]

#: Outliers lie at least this many units beyond the typical inlier radius sqrt(n_features).
#: The radius of a standard Gaussian sample deviates from sqrt(d) by about N(0, 1/2), so a
#: margin of 4 puts the outliers more than 5 standard deviations out.
_OUTLIER_MARGIN = 4.0


def make_outlier_data(
    n_samples: int = 500,
    n_features: int = 5,
    contamination: float = 0.1,
    *,
    random_state: int | np.random.Generator | None = None,
) -> Dataset:
    """Make standard-Gaussian inliers plus uniformly scattered outliers far from them.

    Inliers are drawn from ``N(0, I)``. Outliers are drawn uniformly from a box around the
    origin, keeping only points farther than ``sqrt(n_features) + 4`` from it, i.e. well
    outside the Gaussian bulk, so any sensible detector separates them. Rows are shuffled.

    Parameters
    ----------
    n_samples
        Total number of rows (at least 2).
    n_features
        Number of columns (at least 1).
    contamination
        Fraction of outliers, in ``[0, 0.5]``; the count is ``round(n_samples *
        contamination)``.
    random_state
        Seed or ``numpy.random.Generator``; the same seed gives the same data. The global
        numpy random state is never used.

    Returns
    -------
    Dataset
        ``y`` is 1 for outliers and 0 for inliers; features are named ``x0, x1, ...``.

    Raises
    ------
    InvalidParameterError
        For a parameter outside its allowed range.

    Examples
    --------
    >>> import numpy as np
    >>> a = make_outlier_data(n_samples=50, random_state=1)
    >>> b = make_outlier_data(n_samples=50, random_state=1)
    >>> bool(np.array_equal(a.X, b.X)), a.contamination
    (True, 0.1)
    >>> radius = np.linalg.norm(a.X, axis=1)
    >>> bool(radius[a.y == 1].min() > radius[a.y == 0].max())
    True
    """
    _check_integer("n_samples", n_samples, minimum=2)
    _check_integer("n_features", n_features, minimum=1)
    if (
        isinstance(contamination, bool)
        or not isinstance(contamination, numbers.Real)
        or not 0.0 <= float(contamination) <= 0.5
    ):
        raise InvalidParameterError(
            f"contamination must be a number in [0, 0.5], got {contamination!r}; it is the "
            "fraction of outliers"
        )
    rng = np.random.default_rng(random_state)
    n_outliers = round(n_samples * float(contamination))
    n_inliers = n_samples - n_outliers

    inliers = rng.standard_normal((n_inliers, n_features))
    min_radius = math.sqrt(n_features) + _OUTLIER_MARGIN
    # Half-width chosen so a uniform point's typical radius is about twice min_radius:
    # E|u|^2 = d * b^2 / 3 for u uniform in [-b, b]^d. Rejection then discards few points.
    half_width = 2.0 * min_radius * math.sqrt(3.0 / n_features)
    outliers = np.empty((0, n_features))
    while outliers.shape[0] < n_outliers:
        candidates = rng.uniform(-half_width, half_width, size=(2 * n_outliers, n_features))
        far = candidates[np.linalg.norm(candidates, axis=1) > min_radius]
        outliers = np.vstack([outliers, far])
    outliers = outliers[:n_outliers]

    X = np.vstack([inliers, outliers])
    y = np.concatenate([np.zeros(n_inliers, dtype=np.int64), np.ones(n_outliers, dtype=np.int64)])
    order = rng.permutation(n_samples)
    return Dataset(
        X=X[order],
        y=y[order],
        name="synthetic",
        source=(
            f"synthetic: make_outlier_data(n_samples={n_samples}, n_features={n_features}, "
            f"contamination={contamination}, random_state={random_state!r})"
        ),
    )


def _check_integer(name: str, value: object, *, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise InvalidParameterError(f"{name} must be an integer >= {minimum}, got {value!r}")
