"""Ablations: a parameter grid over one detector, run by the benchmark runner.

Each grid point becomes a :class:`~robustad.evaluation.runner.Variant` named
``detector[key=value;...]``, so the results table has exactly the benchmark runner's columns
(one row per dataset x variant x seed), resumes the same way, and renders with the same report.

Examples
--------
>>> [v.label for v in ablation_variants("iforest", {"n_estimators": [50, 200]})]
['iforest[n_estimators=50]', 'iforest[n_estimators=200]']
>>> ablation_variants("iforest", {"n_trees": [1]})
Traceback (most recent call last):
...
robustad.exceptions.InvalidParameterError: detector 'iforest' has no parameter(s) 'n_trees'; ...
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from robustad.detectors.registry import make_detector
from robustad.evaluation.runner import Variant, run_benchmark
from robustad.exceptions import InvalidParameterError

__all__ = ["ablation_variants", "run_ablation"]


def _text(value: Any) -> str:
    return json.dumps(value, separators=(",", ":")) if not isinstance(value, str) else value


def ablation_variants(detector: str, grid: Mapping[str, Sequence[Any]]) -> list[Variant]:
    """Every combination of ``grid`` values for ``detector``, as labelled variants.

    Parameters are checked by building each variant once (so a typo fails before any work).
    """
    if not grid:
        raise InvalidParameterError("the ablation grid is empty; give at least one parameter")
    for key, values in grid.items():
        if isinstance(values, str) or not isinstance(values, Sequence) or len(values) == 0:
            raise InvalidParameterError(
                f"grid parameter {key!r} needs a non-empty list of values; got {values!r}"
            )
    keys = list(grid)
    variants = []
    for combination in itertools.product(*(grid[k] for k in keys)):
        params = dict(zip(keys, combination, strict=True))
        make_detector(detector, **params)
        label = f"{detector}[{';'.join(f'{k}={_text(v)}' for k, v in params.items())}]"
        variants.append(Variant(label=label, detector=detector, params=params))
    return variants


def run_ablation(
    data: Any,
    detector: str,
    grid: Mapping[str, Sequence[Any]],
    *,
    out_dir: Any,
    protocol: str = "adbench",
    n_seeds: int | None = None,
    **options: Any,
) -> pd.DataFrame:
    """Benchmark every grid point of ``detector``; write and return ``results.csv``.

    ``options`` are passed to :func:`~robustad.evaluation.runner.run_benchmark`
    (``time_limit``, ``n_jobs``, ``max_rows``, ``progress``...).
    """
    return run_benchmark(
        data,
        ablation_variants(detector, grid),
        protocol=protocol,
        n_seeds=n_seeds,
        out_dir=out_dir,
        **options,
    )
