"""Evaluation (layer 3): metrics, protocols, hold-out evaluation and the benchmark runner.

Examples
--------
>>> from robustad.evaluation import get_protocol, score_metrics
>>> get_protocol("pyod-odds").test_size
0.4
>>> score_metrics([0, 1], [0.2, 0.9])["auroc"]
1.0
"""

from robustad.evaluation.holdout import HoldoutResult, evaluate_holdout
from robustad.evaluation.metrics import (
    FPR_LEVELS,
    ConfidenceInterval,
    auroc,
    average_precision,
    bootstrap_ci,
    f1_at_threshold,
    precision_at_n,
    recall_at_fpr,
    score_metrics,
)
from robustad.evaluation.protocols import PROTOCOLS, Protocol, get_protocol, list_protocols
from robustad.evaluation.results import RESULT_COLUMNS, read_results, summarise
from robustad.evaluation.runner import (
    BenchmarkCell,
    DatasetSpec,
    InProcessExecutor,
    SubprocessExecutor,
    resolve_datasets,
    run_benchmark,
    run_cell,
)

__all__ = [
    "FPR_LEVELS",
    "PROTOCOLS",
    "RESULT_COLUMNS",
    "BenchmarkCell",
    "ConfidenceInterval",
    "DatasetSpec",
    "HoldoutResult",
    "InProcessExecutor",
    "Protocol",
    "SubprocessExecutor",
    "auroc",
    "average_precision",
    "bootstrap_ci",
    "evaluate_holdout",
    "f1_at_threshold",
    "get_protocol",
    "list_protocols",
    "precision_at_n",
    "read_results",
    "recall_at_fpr",
    "resolve_datasets",
    "run_benchmark",
    "run_cell",
    "score_metrics",
    "summarise",
]
