"""Evaluation: metrics and evaluation protocols (layer 3)."""

from robustad.evaluation.holdout import HoldoutResult, evaluate_holdout
from robustad.evaluation.metrics import auroc, average_precision

__all__ = ["HoldoutResult", "auroc", "average_precision", "evaluate_holdout"]
