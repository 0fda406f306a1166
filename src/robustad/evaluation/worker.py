"""Worker process for time-limited benchmark cells (``python -m robustad.evaluation.worker``).

Reads one :class:`~robustad.evaluation.runner.BenchmarkCell` per line of JSON on stdin and
writes its results row as one line of JSON on stdout. Anything libraries print goes to
stderr, so stdout carries only results. Started and killed by
:class:`~robustad.evaluation.runner.SubprocessExecutor`.
"""

from __future__ import annotations

import json
import math
import os
import sys


def main() -> int:
    """Serve cells until stdin closes."""
    from robustad.evaluation.runner import BenchmarkCell, run_cell

    results = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1)
    # Library output (warnings, prints) must not corrupt the result channel.
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    for line in sys.stdin:
        if not line.strip():
            continue
        row = run_cell(BenchmarkCell.from_json(line))
        clean = {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}
        results.write(json.dumps(clean) + "\n")
        results.flush()
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
