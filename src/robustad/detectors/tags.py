"""Capability tags: what a detector can do, read by evaluation and robustness code.

Code that must choose what applies to a detector (gradient attacks, label-flip protocols,
streaming updates) reads these tags, never ``isinstance`` checks on concrete classes.

Examples
--------
>>> from robustad.detectors.tags import DetectorTags
>>> DetectorTags(differentiable=True).uses_labels
False
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DetectorTags"]


@dataclass(frozen=True)
class DetectorTags:
    """What a detector supports.

    Attributes
    ----------
    differentiable
        The score is a differentiable function of the input (gradient attacks apply).
    uses_labels
        ``fit(X, y)`` uses labels (1 anomaly, 0 normal, -1 unknown).
    supports_partial_fit
        ``partial_fit`` can update a fitted detector on new rows.
    requires_torch
        The detector needs PyTorch installed.
    batch_independent
        A row's score does not depend on the other rows scored with it (required for serving).
    """

    differentiable: bool = False
    uses_labels: bool = False
    supports_partial_fit: bool = False
    requires_torch: bool = False
    batch_independent: bool = True
