"""Classical detectors wrapped through :class:`ClassicalAdapter`.

Defaults are PyOD's, so results can be set beside PyOD's published benchmark.
"""

from __future__ import annotations

from typing import Any

from robustad.detectors.classical.adapter import ClassicalAdapter
from robustad.exceptions import InvalidParameterError

__all__ = ["HBOS", "KNN", "LOF", "OCSVM", "PCA", "IForest"]

_NEIGHBOUR_TYPES = (
    "sklearn.metrics._dist_metrics.EuclideanDistance64",
    "sklearn.metrics._dist_metrics.ManhattanDistance64",
    "sklearn.metrics._dist_metrics.MinkowskiDistance64",
    "sklearn.metrics._dist_metrics.ChebyshevDistance64",
    "sklearn.neighbors._kd_tree.KDTree",
    "sklearn.neighbors._ball_tree.BallTree",
)


def _positive_int(owner: str, name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidParameterError(f"{owner}: {name} must be a positive integer; got {value!r}")


class IForest(ClassicalAdapter):
    """Isolation Forest (Liu et al., 2008) via scikit-learn's ``IsolationForest``.

    Parameters
    ----------
    n_estimators
        Number of trees.
    max_samples
        Rows drawn to build each tree (``"auto"`` = min(256, n_samples)).
    max_features
        Fraction (float) or number (int) of features drawn per tree.
    bootstrap
        Draw rows with replacement.
    contamination
        Expected anomaly fraction; sets ``threshold_``.
    random_state
        Seed for reproducible trees.

    Examples
    --------
    >>> from robustad.data import make_outlier_data
    >>> data = make_outlier_data(n_samples=200, random_state=0)
    >>> IForest(random_state=0).fit(data.X).decision_function(data.X[:2]).shape
    (2,)
    """

    _library = "sklearn"
    _trusted_types = ("sklearn.tree._tree.Tree",)

    def __init__(
        self,
        n_estimators: int = 100,
        max_samples: int | float | str = "auto",
        max_features: int | float = 1.0,
        bootstrap: bool = False,
        contamination: float = 0.1,
        random_state: int | None = None,
    ) -> None:
        super().__init__(contamination=contamination)
        self.n_estimators = n_estimators
        self.max_samples = max_samples
        self.max_features = max_features
        self.bootstrap = bootstrap
        self.random_state = random_state

    def _check_params(self) -> None:
        _positive_int("IForest", "n_estimators", self.n_estimators)

    def _build_model(self) -> Any:
        from sklearn.ensemble import IsolationForest

        return IsolationForest(
            n_estimators=self.n_estimators,
            max_samples=self.max_samples,
            max_features=self.max_features,
            bootstrap=self.bootstrap,
            random_state=self.random_state,
            n_jobs=1,
        )


class KNN(ClassicalAdapter):
    """k-nearest-neighbour distance (Ramaswamy et al., 2000) via PyOD's ``KNN``.

    Parameters
    ----------
    n_neighbors
        Neighbours considered (capped at n_samples - 1 for tiny training sets).
    method
        ``"largest"`` (distance to the k-th neighbour), ``"mean"`` or ``"median"``.
    metric, p
        Distance metric, as in scikit-learn's ``NearestNeighbors``.
    contamination
        Expected anomaly fraction; sets ``threshold_``.

    Examples
    --------
    >>> from robustad.data import make_outlier_data
    >>> data = make_outlier_data(n_samples=200, random_state=0)
    >>> KNN(n_neighbors=3).fit(data.X).predict(data.X).shape
    (200,)
    """

    _library = "pyod"
    _trusted_types = ("pyod.models.knn.KNN", *_NEIGHBOUR_TYPES)

    def __init__(
        self,
        n_neighbors: int = 5,
        method: str = "largest",
        metric: str = "minkowski",
        p: int = 2,
        contamination: float = 0.1,
    ) -> None:
        super().__init__(contamination=contamination)
        self.n_neighbors = n_neighbors
        self.method = method
        self.metric = metric
        self.p = p

    def _check_params(self) -> None:
        _positive_int("KNN", "n_neighbors", self.n_neighbors)
        if self.method not in ("largest", "mean", "median"):
            raise InvalidParameterError(
                f"KNN: method must be 'largest', 'mean' or 'median'; got {self.method!r}"
            )

    def _fit(self, X: Any, y: Any) -> Any:
        # PyOD's KNN fails when there are fewer rows than neighbours; cap instead.
        self._effective_neighbors_ = min(self.n_neighbors, max(1, X.shape[0] - 1))
        return super()._fit(X, y)

    def _build_model(self) -> Any:
        from pyod.models.knn import KNN as PYOD_KNN

        n_neighbors = getattr(self, "_effective_neighbors_", self.n_neighbors)
        return PYOD_KNN(
            n_neighbors=n_neighbors, method=self.method, metric=self.metric, p=self.p, n_jobs=1
        )


class LOF(ClassicalAdapter):
    """Local Outlier Factor (Breunig et al., 2000) via scikit-learn (``novelty=True``).

    Training rows get their leave-one-out factor; new rows are scored against the training set.

    Examples
    --------
    >>> from robustad.data import make_outlier_data
    >>> data = make_outlier_data(n_samples=200, random_state=0)
    >>> LOF().fit(data.X).decision_function(data.X[:1]).shape
    (1,)
    """

    _library = "sklearn"
    _trusted_types = _NEIGHBOUR_TYPES

    def __init__(
        self,
        n_neighbors: int = 20,
        metric: str = "minkowski",
        p: int = 2,
        contamination: float = 0.1,
    ) -> None:
        super().__init__(contamination=contamination)
        self.n_neighbors = n_neighbors
        self.metric = metric
        self.p = p

    def _check_params(self) -> None:
        _positive_int("LOF", "n_neighbors", self.n_neighbors)

    def _fit(self, X: Any, y: Any) -> Any:
        self._effective_neighbors_ = min(self.n_neighbors, max(1, X.shape[0] - 1))
        return super()._fit(X, y)

    def _build_model(self) -> Any:
        from sklearn.neighbors import LocalOutlierFactor

        n_neighbors = getattr(self, "_effective_neighbors_", self.n_neighbors)
        return LocalOutlierFactor(
            n_neighbors=n_neighbors, metric=self.metric, p=self.p, novelty=True, n_jobs=1
        )


class HBOS(ClassicalAdapter):
    """Histogram-based outlier score (Goldstein & Dengel, 2012) via PyOD's ``HBOS``.

    Examples
    --------
    >>> from robustad.data import make_outlier_data
    >>> data = make_outlier_data(n_samples=200, random_state=0)
    >>> HBOS(n_bins=8).fit(data.X).threshold_ > 0
    True
    """

    _library = "pyod"
    _trusted_types = ("pyod.models.hbos.HBOS",)

    def __init__(
        self, n_bins: int = 10, alpha: float = 0.1, tol: float = 0.5, contamination: float = 0.1
    ) -> None:
        super().__init__(contamination=contamination)
        self.n_bins = n_bins
        self.alpha = alpha
        self.tol = tol

    def _check_params(self) -> None:
        if self.n_bins != "auto":
            _positive_int("HBOS", "n_bins", self.n_bins)
        if not 0 < self.alpha < 1:
            raise InvalidParameterError(f"HBOS: alpha must be in (0, 1); got {self.alpha!r}")

    def _build_model(self) -> Any:
        from pyod.models.hbos import HBOS as PYOD_HBOS

        return PYOD_HBOS(n_bins=self.n_bins, alpha=self.alpha, tol=self.tol)


class PCA(ClassicalAdapter):
    """Weighted distance to the principal components (Shyu et al., 2003) via PyOD's ``PCA``.

    Examples
    --------
    >>> from robustad.data import make_outlier_data
    >>> data = make_outlier_data(n_samples=200, random_state=0)
    >>> PCA().fit(data.X).decision_function(data.X).shape
    (200,)
    """

    _library = "pyod"
    _trusted_types = (
        "pyod.models.pca.PCA",
        "sklearn.decomposition._pca.PCA",
        "sklearn.preprocessing._data.StandardScaler",
    )

    def __init__(
        self,
        n_components: int | float | None = None,
        n_selected_components: int | None = None,
        whiten: bool = False,
        weighted: bool = True,
        standardization: bool = True,
        contamination: float = 0.1,
        random_state: int | None = None,
    ) -> None:
        super().__init__(contamination=contamination)
        self.n_components = n_components
        self.n_selected_components = n_selected_components
        self.whiten = whiten
        self.weighted = weighted
        self.standardization = standardization
        self.random_state = random_state

    def _fit(self, X: Any, y: Any) -> Any:
        # PyOD weights each component by 1/explained variance: a constant column (or fewer rows
        # than columns) gives a zero-variance component and infinite scores. Unless the user
        # chose a number, refit keeping only the components the data actually has (a second
        # fit only happens when the first one produced such a component).
        import numpy as np

        scores = super()._fit(X, y)
        if self.n_components is not None:
            return scores
        variance = np.asarray(self.model_.detector_.explained_variance_, dtype=np.float64)
        informative = int((variance > 1e-10 * max(float(variance.max()), 1e-300)).sum())
        if np.isfinite(scores).all() and informative == variance.size:
            return scores
        self._effective_components_ = max(1, informative)
        return super()._fit(X, y)

    def _build_model(self) -> Any:
        from pyod.models.pca import PCA as PYOD_PCA

        return PYOD_PCA(
            n_components=getattr(self, "_effective_components_", self.n_components),
            n_selected_components=self.n_selected_components,
            whiten=self.whiten,
            weighted=self.weighted,
            standardization=self.standardization,
            random_state=self.random_state,
        )


class OCSVM(ClassicalAdapter):
    """One-class SVM (Schölkopf et al., 2001) via scikit-learn's ``OneClassSVM``.

    Defaults follow PyOD (``nu=0.5``, ``gamma="auto"``).

    Examples
    --------
    >>> from robustad.data import make_outlier_data
    >>> data = make_outlier_data(n_samples=200, random_state=0)
    >>> OCSVM().fit(data.X).predict(data.X[:5]).dtype
    dtype('int64')
    """

    _library = "sklearn"
    _trusted_types = ()

    def __init__(
        self,
        kernel: str = "rbf",
        nu: float = 0.5,
        gamma: str | float = "auto",
        degree: int = 3,
        coef0: float = 0.0,
        tol: float = 1e-3,
        max_iter: int = -1,
        contamination: float = 0.1,
    ) -> None:
        super().__init__(contamination=contamination)
        self.kernel = kernel
        self.nu = nu
        self.gamma = gamma
        self.degree = degree
        self.coef0 = coef0
        self.tol = tol
        self.max_iter = max_iter

    def _check_params(self) -> None:
        if not 0 < self.nu <= 1:
            raise InvalidParameterError(f"OCSVM: nu must be in (0, 1]; got {self.nu!r}")

    def _build_model(self) -> Any:
        from sklearn.svm import OneClassSVM

        return OneClassSVM(
            kernel=self.kernel,
            nu=self.nu,
            gamma=self.gamma,
            degree=self.degree,
            coef0=self.coef0,
            tol=self.tol,
            max_iter=self.max_iter,
        )
