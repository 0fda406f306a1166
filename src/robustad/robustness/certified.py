"""Certified robustness lower bound: certified AUROC from a Lipschitz bound (R10).

If ``sqrt(score)`` is ``L``-Lipschitz in the L2 norm (:func:`lipschitz_bound`), no change of a
row of L2 length at most ``epsilon`` can move its ``sqrt(score)`` by more than
``L * epsilon``. The **certified AUROC** at ``epsilon`` is the AUROC after every anomaly's
``sqrt(score)`` is lowered by ``L * epsilon`` and every normal row's raised by as much
(OCSDF: Bethune et al., ICML 2023, arXiv 2303.01978): a pair that still ranks correctly ranks
correctly under every attack within the budget, so it lower-bounds the AUROC of *any* attack,
and costs one pass of scoring. :func:`attacked_auroc` gives the other side: the AUROC under
an actual PGD attack, an upper bound of the worst case. The gap between the two shows how
loose either is. ``sqrt`` is monotone, so the AUROC of ``sqrt(score)`` equals that of
``score`` and the certified AUROC at ``epsilon=0`` is the clean AUROC.

Units
-----
``epsilon`` is the radius of an L2 ball in the detector's standardised units, ``(x - mean_) /
scale_`` (training standard deviations). :class:`~robustad.robustness.attacks.FeasibleSet`
measures budgets in units of its own ``scale``, the standard deviation of the data it was built
from; the two agree when the FeasibleSet is built from the detector's training data
(``FeasibleSet.from_data(X_train)``), which :func:`certified_curve` checks. For a budget in
raw units, ``||dz||_2 <= ||dx||_2 / min(scale_)``: certify ``epsilon_raw / min(scale_)``.

Examples
--------
>>> import numpy as np, robustad
>>> rng = np.random.default_rng(0)
>>> X_train = rng.normal(size=(300, 4))
>>> X = np.vstack([rng.normal(size=(40, 4)), rng.normal(size=(10, 4)) + 3])
>>> y = np.r_[np.zeros(40, int), np.ones(10, int)]
>>> det = robustad.make_detector(
...     "autoencoder", spectral_norm=True, epochs=5, random_state=0
... ).fit(X_train)
>>> from robustad.evaluation.metrics import auroc
>>> certified_auroc(det, X, y, 0.0) == auroc(y, det.decision_function(X))
True
>>> curve = certified_curve(det, X, y, [0.0, 0.1, 0.5])
>>> curve["certified_auroc"] == sorted(curve["certified_auroc"], reverse=True)
True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from robustad._typing import FloatArray, IntArray
from robustad.data.parameters import check_number
from robustad.data.validation import check_features, check_labels
from robustad.detectors.base import BaseDetector
from robustad.evaluation.metrics import auroc
from robustad.exceptions import DataValidationError, InvalidParameterError, NotFittedError
from robustad.robustness.attacks import FeasibleSet, Norm, pgd_evasion

__all__ = ["attacked_auroc", "certified_auroc", "certified_curve", "lipschitz_bound"]


def lipschitz_bound(detector: BaseDetector) -> float:
    """:func:`robustad.detectors.deep.lipschitz.lipschitz_bound` (imported on first use)."""
    # Imported here so that importing this module does not import torch.
    from robustad.detectors.deep.lipschitz import lipschitz_bound as bound

    return bound(detector)


def _check_fitted(detector: object) -> BaseDetector:
    if not isinstance(detector, BaseDetector):
        raise InvalidParameterError(
            f"detector must be a robustad detector; got {type(detector).__name__}"
        )
    if not hasattr(detector, "threshold_"):
        raise NotFittedError(
            f"detector: this {type(detector).__name__} is not fitted yet; call fit(X) first"
        )
    return detector


def _check_epsilon(epsilon: object, name: str = "epsilon") -> float:
    return check_number(
        name, epsilon, minimum=0, meaning="an L2 radius in training standard deviations"
    )


def _check_lipschitz(detector: BaseDetector, lipschitz: object) -> float:
    if lipschitz is None:
        return lipschitz_bound(detector)
    return check_number(
        "lipschitz", lipschitz, minimum=0, meaning="or None: computed by lipschitz_bound"
    )


def _labels(y: Any, n_rows: int) -> IntArray:
    labels = check_labels(y, n_rows, what="y")
    if labels.min() == labels.max():
        raise DataValidationError(
            f"y holds only one class ({int(labels[0])}); a certified AUROC needs both normal "
            "(0) and anomalous (1) rows"
        )
    return labels


def _root_scores(detector: BaseDetector, X: Any) -> FloatArray:
    """``sqrt(decision_function(X))``; the scores must be >= 0 for the bound to mean anything."""
    scores = detector.decision_function(X)
    if scores.size and float(scores.min()) < 0:
        raise InvalidParameterError(
            f"detector: {type(detector).__name__} gives negative scores, but a certified "
            "AUROC bounds sqrt(score); use a detector with non-negative scores"
        )
    return np.sqrt(scores)


def _certified(root: FloatArray, labels: IntArray, radius: float) -> float:
    # Anomalies (1) down by L*epsilon, normal rows (0) up: the worst case of every pair.
    return auroc(labels, root - radius * (2 * labels - 1))


def certified_auroc(
    detector: BaseDetector,
    X: Any,
    y: Any,
    epsilon: float,
    *,
    lipschitz: float | None = None,
) -> float:
    """AUROC that no L2 perturbation of size ``epsilon`` of any row can push below.

    Every anomaly's ``sqrt(score)`` is lowered by ``L * epsilon`` and every normal row's
    raised by ``L * epsilon``, then the AUROC is computed (ties count one half, as in
    :func:`robustad.evaluation.metrics.auroc`). Each anomaly/normal pair scores at least as
    well under any attack, so the result is at most the AUROC of any attack in the budget.

    Parameters
    ----------
    detector
        A fitted detector supported by :func:`lipschitz_bound` (``autoencoder``, ``vae``,
        ``deep_svdd``, ``deep_sad``), or any fitted detector with non-negative scores when
        ``lipschitz`` is given.
    X
        Rows to score, raw features (as for ``decision_function``).
    y
        Labels of ``X``: 1 anomaly, 0 normal; both must occur.
    epsilon
        Radius of the L2 ball, in the detector's standardised units (training standard
        deviations): ``||(x' - x) / scale_||_2 <= epsilon``. For a raw-unit radius
        ``epsilon_raw``, pass ``epsilon_raw / min(detector.scale_)``.
    lipschitz
        Bound of the Lipschitz constant of ``sqrt(score)`` in those units; ``None`` computes
        it with :func:`lipschitz_bound`. Pass it to reuse it, or to supply a bound you proved.

    Returns
    -------
    float
        The certified AUROC, in [0, 1]; equal to the clean AUROC at ``epsilon=0``.

    Raises
    ------
    InvalidParameterError
        For a negative or non-finite ``epsilon`` or ``lipschitz``, or an unsupported detector.
    NotFittedError
        For an unfitted detector.
    DataValidationError
        For ``X`` with NaN, inf, no rows or the wrong number of columns, and for ``y`` that is
        not one 0/1 label per row holding both classes.

    Examples
    --------
    >>> import numpy as np, robustad
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(size=(200, 3)), rng.normal(size=(20, 3)) + 4])
    >>> y = np.r_[np.zeros(200, int), np.ones(20, int)]
    >>> det = robustad.make_detector("deep_svdd", epochs=3, random_state=0).fit(X)
    >>> certified_auroc(det, X, y, 0.5) <= certified_auroc(det, X, y, 0.0)
    True
    """
    detector = _check_fitted(detector)
    radius = _check_epsilon(epsilon)
    bound = _check_lipschitz(detector, lipschitz)
    root = _root_scores(detector, X)
    return _certified(root, _labels(y, root.shape[0]), bound * radius)


def attacked_auroc(
    detector: BaseDetector,
    X: Any,
    y: Any,
    epsilon: float,
    feasible: FeasibleSet,
    norm: Norm = "l2",
    *,
    steps: int = 40,
    restarts: int = 1,
    random_state: int | None = None,
) -> float:
    """AUROC after a PGD attack on every row: anomalies pushed down, normal rows pushed up.

    Anomalies are attacked with :func:`~robustad.robustness.attacks.pgd_evasion`
    ``direction="lower"`` (hide them) and normal rows with ``"raise"`` (false alarms), each
    within ``epsilon``; the AUROC is then recomputed through ``decision_function`` on the
    attacked rows. An attack finds *a* bad perturbation, not the worst one, so this is an
    upper bound of the worst-case AUROC; :func:`certified_auroc` is a lower bound.

    Parameters
    ----------
    detector
        A fitted detector tagged ``differentiable``.
    X, y
        Rows (raw features) and their labels (1 anomaly, 0 normal; both must occur).
    epsilon
        Budget in units of ``feasible.scale`` (L2 length of the change for ``norm="l2"``);
        the same units as :func:`certified_auroc` when ``feasible`` is built from the
        detector's training data. ``0`` returns the clean AUROC.
    feasible
        The inputs the attacker may produce, e.g. ``FeasibleSet.from_data(X_train)``.
    norm
        ``"l2"`` (the ball the certificate covers) or ``"linf"``.
    steps, restarts, random_state
        As in :func:`~robustad.robustness.attacks.pgd_evasion`.

    Returns
    -------
    float
        The AUROC on the attacked rows.

    Examples
    --------
    >>> import numpy as np, robustad
    >>> from robustad.robustness.attacks import FeasibleSet
    >>> rng = np.random.default_rng(0)
    >>> X_train = rng.normal(size=(300, 3))
    >>> X = np.vstack([rng.normal(size=(30, 3)), rng.normal(size=(10, 3)) + 3])
    >>> y = np.r_[np.zeros(30, int), np.ones(10, int)]
    >>> det = robustad.make_detector("autoencoder", epochs=3, random_state=0).fit(X_train)
    >>> feasible = FeasibleSet.from_data(X_train)
    >>> attacked = attacked_auroc(det, X, y, 0.5, feasible, steps=10, random_state=0)
    >>> certified_auroc(det, X, y, 0.5) <= attacked <= certified_auroc(det, X, y, 0.0)
    True
    """
    detector = _check_fitted(detector)
    radius = _check_epsilon(epsilon)
    _check_feasible(feasible)
    clean = detector.decision_function(X)
    labels = _labels(y, clean.shape[0])
    if radius == 0:
        return auroc(labels, clean)
    X_array, _ = check_features(X, n_features=detector.n_features_in_)
    attacked = X_array.copy()
    for label, direction in ((1, "lower"), (0, "raise")):
        rows = labels == label
        attacked[rows] = pgd_evasion(
            detector,
            X_array[rows],
            epsilon=radius,
            feasible=feasible,
            norm=norm,
            steps=steps,
            restarts=restarts,
            direction=direction,  # type: ignore[arg-type]
            random_state=random_state,
        )
    return auroc(labels, detector.decision_function(attacked))


def certified_curve(
    detector: BaseDetector,
    X: Any,
    y: Any,
    epsilons: Sequence[float],
    *,
    lipschitz: float | None = None,
    feasible: FeasibleSet | None = None,
    steps: int = 40,
    random_state: int | None = None,
) -> dict[str, Any]:
    """Certified AUROC for each budget, and the PGD-L2 attacked AUROC next to it.

    Scores and the Lipschitz bound are computed once for all budgets.

    Parameters
    ----------
    detector, X, y, lipschitz
        As in :func:`certified_auroc`.
    epsilons
        L2 radii in standardised units, each finite and >= 0.
    feasible
        When given, also run :func:`attacked_auroc` (``norm="l2"``) at every budget. It must be
        built from the detector's training data (its ``scale`` equal to the detector's
        ``scale_``), so that both AUROCs refer to the same ball.
    steps, random_state
        Passed to :func:`attacked_auroc`.

    Returns
    -------
    dict
        ``"epsilon"`` (list of float), ``"certified_auroc"`` (list, non-increasing in
        epsilon), ``"lipschitz"`` (the bound used), ``"clean_auroc"``, and with ``feasible``
        ``"attacked_auroc"`` (list, each at least the certified AUROC at its budget).

    Examples
    --------
    >>> import numpy as np, robustad
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(size=(200, 3)), rng.normal(size=(20, 3)) + 4])
    >>> y = np.r_[np.zeros(200, int), np.ones(20, int)]
    >>> det = robustad.make_detector("vae", epochs=3, random_state=0).fit(X)
    >>> curve = certified_curve(det, X, y, [0.0, 0.25])
    >>> curve["epsilon"], curve["certified_auroc"][0] == curve["clean_auroc"]
    ([0.0, 0.25], True)
    """
    detector = _check_fitted(detector)
    if isinstance(epsilons, str) or not isinstance(epsilons, Sequence | np.ndarray):
        raise InvalidParameterError(
            f"epsilons must be a sequence of L2 radii (e.g. [0.1, 0.5]); got {epsilons!r}"
        )
    radii = [_check_epsilon(e, name="epsilons") for e in epsilons]
    if not radii:
        raise InvalidParameterError("epsilons is empty; pass at least one L2 radius")
    bound = _check_lipschitz(detector, lipschitz)
    root = _root_scores(detector, X)
    labels = _labels(y, root.shape[0])
    curve: dict[str, Any] = {
        "epsilon": radii,
        "certified_auroc": [_certified(root, labels, bound * r) for r in radii],
        "lipschitz": bound,
        "clean_auroc": auroc(labels, root),
    }
    if feasible is not None:
        _check_same_units(detector, feasible)
        curve["attacked_auroc"] = [
            attacked_auroc(
                detector, X, labels, r, feasible, "l2", steps=steps, random_state=random_state
            )
            for r in radii
        ]
    return curve


def _check_feasible(feasible: object) -> None:
    if not isinstance(feasible, FeasibleSet):
        raise InvalidParameterError(
            f"feasible must be a FeasibleSet (e.g. FeasibleSet.from_data(X_train)); "
            f"got {type(feasible).__name__}"
        )


def _check_same_units(detector: BaseDetector, feasible: FeasibleSet) -> None:
    _check_feasible(feasible)
    scale = getattr(detector, "scale_", None)
    if scale is not None and (
        feasible.scale.shape != np.shape(scale)
        or not np.allclose(feasible.scale, scale, rtol=1e-9, atol=0)
    ):
        raise InvalidParameterError(
            "feasible: its scale differs from the detector's scale_, so its budget is not the "
            "certified ball; build it from the detector's training data "
            "(FeasibleSet.from_data(X_train))"
        )
