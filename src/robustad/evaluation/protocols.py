"""Evaluation protocols: how a benchmark splits, scales and fits, named after their source.

A :class:`Protocol` turns one dataset and one seed into a training and a test part, ready to
fit and score. The three built-in protocols reproduce published set-ups:

``adbench``
    ADBench (Han et al., NeurIPS 2022; ``Minqi824/ADBench``, ``adbench/datasets/data_generator.py``
    and ``run.py``): stratified 70/30 split, the unsupervised detector is fitted on the
    *contaminated* training part (labels unused), seeds 1, 2, 3. Features are scaled with a
    MinMax scaler fitted on the training part, as ADBench's data generator does
    (``MinMaxScaler().fit(X_train)``); test values may fall outside [0, 1]. ``contamination``
    stays the detector's default (0.1): it only sets the threshold, not the ranking metrics.
``pyod-odds``
    PyOD's published ODDS benchmark (``yzhao062/pyod`` ``notebooks/benchmark.py`` and
    ``docs/benchmark.rst``, PyOD 0.6.9): plain (unstratified) 60/40 split with
    ``random_state`` 0-9, features standardised with training statistics, fitted on the
    contaminated training part with ``contamination`` = the dataset's true outlier fraction.
``clean-train``
    The one-class setting: the same 70/30 stratified split and MinMax scaling as ``adbench``,
    but the detector is fitted on the *normal* training rows only (training labels select
    rows, nothing else); the test part keeps its anomalies. Seeds 1, 2, 3.

Examples
--------
>>> from robustad.data import make_outlier_data
>>> protocol = get_protocol("adbench")
>>> protocol.seeds
(1, 2, 3)
>>> train, test = protocol.split(make_outlier_data(n_samples=100, random_state=0), seed=1)
>>> train.n_samples, test.n_samples
(70, 30)
>>> get_protocol("adbnch")
Traceback (most recent call last):
...
robustad.exceptions.InvalidParameterError: unknown protocol 'adbnch'; ...
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from robustad.data.dataset import Dataset
from robustad.data.splits import scale, train_test_split
from robustad.data.validation import require_both_classes
from robustad.exceptions import DataValidationError, InvalidParameterError

__all__ = ["PROTOCOLS", "Protocol", "get_protocol", "list_protocols"]


@dataclass(frozen=True)
class Protocol:
    """A named, documented way to split, scale and fit for a benchmark.

    Attributes
    ----------
    name
        Registry name (``adbench``, ``pyod-odds``, ``clean-train``).
    test_size
        Fraction of rows in the test part.
    stratify
        Keep the anomaly share equal in both parts.
    scaling
        ``"minmax"``, ``"standard"`` or None; statistics from the training part only.
    normal_only
        Fit on the normal training rows only (one-class setting).
    true_contamination
        Set the detector's ``contamination`` to the training part's anomaly share.
    seeds
        The seeds the source used; ``seeds(n)`` in the runner takes the first ``n``
        (continuing the sequence beyond them).
    source
        Where the protocol comes from.
    """

    name: str
    test_size: float
    stratify: bool
    scaling: Literal["standard", "minmax", "robust"] | None
    normal_only: bool
    true_contamination: bool
    seeds: tuple[int, ...]
    source: str

    def seed_list(self, n_seeds: int | None = None) -> list[int]:
        """The first ``n_seeds`` seeds of this protocol (default: all the source used).

        Beyond the source's list, seeds continue upward from its last one.

        Examples
        --------
        >>> get_protocol("adbench").seed_list(5)
        [1, 2, 3, 4, 5]
        """
        if n_seeds is None:
            return list(self.seeds)
        if int(n_seeds) < 1:
            raise InvalidParameterError(f"seeds must be >= 1; got {n_seeds!r}")
        seeds = list(self.seeds[: int(n_seeds)])
        while len(seeds) < int(n_seeds):
            seeds.append(seeds[-1] + 1)
        return seeds

    def split(self, dataset: Dataset, seed: int) -> tuple[Dataset, Dataset]:
        """Training and test part for ``seed``, scaled and (if one-class) filtered.

        Raises
        ------
        DataValidationError
            When the dataset has no labels (a benchmark needs them to measure), or cannot be
            split (e.g. a single anomaly).
        """
        require_both_classes(dataset.y, f"dataset {dataset.name!r}", "a benchmark")
        train, test = train_test_split(
            dataset, test_size=self.test_size, random_state=int(seed), stratify=self.stratify
        )
        if test.y is not None and test.y.min() == test.y.max():
            raise DataValidationError(
                f"the {self.name} split of dataset {dataset.name!r} with seed {seed} has a "
                "test part without anomalies; the dataset is too small for this protocol"
            )
        if self.normal_only:
            assert train.y is not None
            train = train.subset(train.y == 0, name=train.name)
        if self.scaling is not None:
            train, test = scale(train, test, method=self.scaling)
        return train, test

    def detector_params(self, train: Dataset, accepted: list[str]) -> dict[str, Any]:
        """Parameters the protocol sets on a detector that has them (``contamination``)."""
        params: dict[str, Any] = {}
        if self.true_contamination and "contamination" in accepted and train.y is not None:
            share = float(np.mean(train.y))
            # PyOD requires contamination in (0, 0.5]; the true share of a few ODDS sets is
            # above 0.35 only, but guard the bound rather than fail the cell.
            params["contamination"] = min(max(share, 1e-4), 0.5)
        return params


PROTOCOLS: dict[str, Protocol] = {
    "adbench": Protocol(
        name="adbench",
        test_size=0.3,
        stratify=True,
        scaling="minmax",
        normal_only=False,
        true_contamination=False,
        seeds=(1, 2, 3),
        source="ADBench (Han et al., NeurIPS 2022), Minqi824/ADBench data_generator.py + run.py",
    ),
    "pyod-odds": Protocol(
        name="pyod-odds",
        test_size=0.4,
        stratify=False,
        scaling="standard",
        normal_only=False,
        true_contamination=True,
        seeds=tuple(range(10)),
        source="PyOD 0.6.9 benchmark (yzhao062/pyod notebooks/benchmark.py, docs/benchmark.rst)",
    ),
    "clean-train": Protocol(
        name="clean-train",
        test_size=0.3,
        stratify=True,
        scaling="minmax",
        normal_only=True,
        true_contamination=False,
        seeds=(1, 2, 3),
        source="one-class setting: ADBench split and scaling, fitted on normal rows only",
    ),
}


def list_protocols() -> list[str]:
    """Names of the built-in protocols.

    Examples
    --------
    >>> list_protocols()
    ['adbench', 'clean-train', 'pyod-odds']
    """
    return sorted(PROTOCOLS)


def get_protocol(name: str | Protocol) -> Protocol:
    """The protocol registered under ``name`` (a :class:`Protocol` is returned unchanged)."""
    if isinstance(name, Protocol):
        return name
    if name in PROTOCOLS:
        return PROTOCOLS[name]
    close = difflib.get_close_matches(str(name), list_protocols(), n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise InvalidParameterError(
        f"unknown protocol {name!r}; {hint}accepted: {', '.join(list_protocols())}"
    )
