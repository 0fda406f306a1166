"""The benchmark runner: every dataset x detector x seed, resumable, time-limited.

:func:`run_benchmark` plans the cells, skips those already in ``results.csv`` (resume), runs
the rest through an executor and rewrites ``results.csv`` atomically after every finished
cell. A failing cell is recorded with ``status="error"`` and its error message; the run
carries on.

Per-cell time limit
-------------------
With ``time_limit`` set, cells run in a separate, long-lived worker process
(``python -m robustad.evaluation.worker``) that receives one cell at a time as a JSON line
and answers with the result row. The parent waits at most ``time_limit`` seconds for the
answer (wall clock, including loading and splitting the dataset); past it, the worker process
is killed (SIGKILL), the cell is recorded with ``status="timeout"``, and a fresh worker takes
the next cell. A Python thread cannot be interrupted inside NumPy/scikit-learn code, which is
why the limit needs a process. The worker is reused between cells (and caches the last
dataset it loaded), so the process start costs once, not per cell. A worker that dies
(segfault, out of memory) gives ``status="error"`` naming its exit code. Without
``time_limit``, cells run in the calling process.

Memory
------
``peak_memory_mb`` is the highest resident memory of the process running the cell, sampled
every 5 ms from ``/proc/self/statm`` while the cell runs, minus the resident memory just
before it: the memory the cell itself added (data copies, the model, scores). Where
``/proc`` is unavailable it is NaN.

Examples
--------
>>> import tempfile
>>> from robustad.evaluation.runner import run_benchmark
>>> out = tempfile.mkdtemp()
>>> frame = run_benchmark("cardio", ["ecod"], protocol="adbench", n_seeds=2, out_dir=out)
>>> frame[["dataset", "detector", "seed", "status"]].values.tolist()
[['cardio', 'ecod', 1, 'ok'], ['cardio', 'ecod', 2, 'ok']]
>>> bool(frame["auroc"].between(0.5, 1).all())
True
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from typing import Protocol as TypingProtocol

import numpy as np

from robustad.data.dataset import Dataset
from robustad.data.validation import require_both_classes
from robustad.evaluation.metrics import score_metrics
from robustad.evaluation.protocols import Protocol, get_protocol
from robustad.evaluation.results import RESULT_COLUMNS, cell_key, read_results, write_results
from robustad.exceptions import DatasetNotFoundError, DataValidationError, InvalidParameterError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DATASET_SUFFIXES",
    "BenchmarkCell",
    "CellExecutor",
    "DatasetSpec",
    "InProcessExecutor",
    "ProgressEvent",
    "SubprocessExecutor",
    "check_detectors",
    "plan_cells",
    "resolve_datasets",
    "run_benchmark",
    "run_cell",
    "subsample",
]

#: File types a benchmark folder may hold.
DATASET_SUFFIXES: tuple[str, ...] = (".npz", ".csv", ".parquet")


@dataclass(frozen=True)
class DatasetSpec:
    """A dataset to benchmark: its results-table name and how a worker loads it.

    ``prevalence`` (anomaly share, the AP of a random scorer) is filled in by
    :func:`resolve_datasets` for reports.
    """

    name: str
    source: str
    label_column: str | None = None
    prevalence: float | None = None


@dataclass(frozen=True)
class BenchmarkCell:
    """One unit of work: a detector fitted and scored on one dataset split with one seed.

    Plain data (strings, numbers, a parameter dict), so it travels as JSON to a worker
    process or a Dask worker.
    """

    dataset: DatasetSpec
    detector: str
    seed: int
    protocol: str
    params: dict[str, Any] = field(default_factory=dict)
    max_rows: int | None = None
    #: Name in the results' ``detector`` column when it differs from the registered name
    #: (ablation variants such as ``autoencoder[epochs=10]``).
    label: str = ""

    @property
    def name(self) -> str:
        """What the results' ``detector`` column says for this cell."""
        return self.label or self.detector

    @property
    def key(self) -> tuple[str, str, int, str]:
        """(dataset, detector, seed, protocol), the identity of a results row."""
        return (self.dataset.name, self.name, int(self.seed), self.protocol)

    def to_json(self) -> str:
        """One-line JSON form."""
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> BenchmarkCell:
        """Inverse of :meth:`to_json`."""
        raw = json.loads(text)
        raw["dataset"] = DatasetSpec(**raw["dataset"])
        return cls(**raw)


@dataclass(frozen=True)
class ProgressEvent:
    """Reported to ``progress`` after each finished cell."""

    done: int
    total: int
    row: Mapping[str, Any]


# --------------------------------------------------------------------------------------------
# Datasets
# --------------------------------------------------------------------------------------------


def _natural_key(path: Path) -> tuple[int, str]:
    # ADBench files start with their number ("6_cardio"); order 2 before 10.
    head = path.stem.split("_", 1)[0]
    return (int(head) if head.isdigit() else 10**9, path.stem.lower())


def resolve_datasets(
    data: str | os.PathLike[str] | Sequence[str] | Sequence[DatasetSpec],
    *,
    label_column: str | None = None,
    data_dir: str | os.PathLike[str] | None = None,
) -> list[DatasetSpec]:
    """Turn the ``--data`` argument into dataset specs, checking each loads and has labels.

    Parameters
    ----------
    data
        A folder (every ``.npz``, ``.csv`` and ``.parquet`` file in it), one file, or dataset
        names (a list or one comma-separated string) resolved by
        :func:`robustad.data.load_dataset`. A list of :class:`DatasetSpec` (already
        resolved) is returned unchanged.
    label_column
        Label column for CSV/Parquet files.
    data_dir
        Folder to look names up in (default ``ROBUSTAD_DATA_DIR``).

    Raises
    ------
    DatasetNotFoundError
        An empty folder or an unknown name.
    DataValidationError
        A dataset without labels or without both classes.

    Examples
    --------
    >>> [spec.name for spec in resolve_datasets("cardio,vowels")]
    ['cardio', 'vowels']
    """
    from robustad.data.loading import load_dataset

    specs: list[DatasetSpec] = []
    if isinstance(data, Sequence) and data and all(isinstance(d, DatasetSpec) for d in data):
        return list(data)  # type: ignore[arg-type]
    if isinstance(data, str | os.PathLike) and Path(data).is_dir():
        folder = Path(data)
        files = sorted(
            (p for p in folder.iterdir() if p.suffix.lower() in DATASET_SUFFIXES),
            key=_natural_key,
        )
        if not files:
            raise DatasetNotFoundError(
                f"folder '{folder}' holds no dataset files; accepted: "
                f"{', '.join(DATASET_SUFFIXES)} files (npz with arrays X and y)"
            )
        specs = [DatasetSpec(p.stem, str(p.resolve()), _label_for(p, label_column)) for p in files]
    else:
        if isinstance(data, str | os.PathLike):
            text = str(data)
            items = [text] if Path(text).is_file() else [s.strip() for s in text.split(",")]
        else:
            items = [str(s).strip() for s in data]
        items = [s for s in items if s]
        if not items:
            raise DatasetNotFoundError(
                "no dataset given; pass a folder, a file, or comma-separated dataset names"
            )
        for item in items:
            if Path(item).is_file():
                path = Path(item)
                specs.append(
                    DatasetSpec(path.stem, str(path.resolve()), _label_for(path, label_column))
                )
            else:
                dataset = load_dataset(item, data_dir=data_dir)
                source = dataset.source if Path(dataset.source).is_file() else item
                specs.append(DatasetSpec(dataset.name, source, None))
    seen: set[str] = set()
    checked = []
    for spec in specs:
        if spec.name in seen:
            raise DataValidationError(
                f"dataset name {spec.name!r} appears twice; results are keyed by file stem, so "
                "give each dataset a distinct name"
            )
        seen.add(spec.name)
        dataset = _load(spec)
        _check_labels(dataset)
        assert dataset.y is not None
        checked.append(replace(spec, prevalence=float(dataset.y.mean())))
    return checked


def _label_for(path: Path, label_column: str | None) -> str | None:
    # npz files store labels as array y; the label column applies to tables only.
    return None if path.suffix.lower() == ".npz" else label_column


def _check_labels(dataset: Dataset) -> None:
    require_both_classes(dataset.y, f"dataset {dataset.name!r} ({dataset.source})", "a benchmark")


_CACHE: dict[DatasetSpec, Dataset] = {}


def _load(spec: DatasetSpec) -> Dataset:
    # One dataset is kept: cells are planned dataset by dataset, so consecutive cells share it.
    if spec not in _CACHE:
        from robustad.data.loading import load_dataset

        _CACHE.clear()
        dataset = load_dataset(spec.source, label_column=spec.label_column)
        _CACHE[spec] = dataset
    return _CACHE[spec]


def subsample(dataset: Dataset, max_rows: int | None, seed: int) -> Dataset:
    """At most ``max_rows`` rows, drawn stratified (anomaly share kept) with ``seed``.

    The benchmark's rule for large datasets. ADBench draws its 10,000-row subsample uniformly
    at random; stratifying keeps the few anomalies of very imbalanced sets (``34_smtp`` has
    30 in 95,156 rows) from vanishing from the test part.

    Examples
    --------
    >>> from robustad.data import make_outlier_data
    >>> subsample(make_outlier_data(n_samples=500, random_state=0), 100, seed=1).n_samples
    100
    """
    if max_rows is None or dataset.n_samples <= int(max_rows):
        return dataset
    from sklearn.model_selection import train_test_split as sklearn_split

    rows, _ = sklearn_split(
        np.arange(dataset.n_samples),
        train_size=int(max_rows),
        random_state=int(seed),
        stratify=dataset.y,
    )
    return dataset.subset(np.sort(rows), name=dataset.name)


# --------------------------------------------------------------------------------------------
# One cell
# --------------------------------------------------------------------------------------------


def _rss_bytes() -> float:
    try:
        with open("/proc/self/statm", "rb") as handle:
            return float(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):
        return float("nan")


class _PeakMemory:
    """Samples resident memory in a background thread while a block runs."""

    def __init__(self, interval: float = 0.005) -> None:
        self.interval = interval
        self.baseline = _rss_bytes()
        self.peak = self.baseline
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, _rss_bytes())

    def __enter__(self) -> _PeakMemory:
        if np.isfinite(self.baseline):
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        self.peak = max(self.peak, _rss_bytes())

    @property
    def megabytes(self) -> float:
        return max(0.0, (self.peak - self.baseline) / 2**20)


def _base_row(cell: BenchmarkCell) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(RESULT_COLUMNS, float("nan"))
    row.update(
        dataset=cell.dataset.name,
        detector=cell.name,
        seed=int(cell.seed),
        protocol=cell.protocol,
        status="ok",
        error="",
    )
    return row


def run_cell(cell: BenchmarkCell) -> dict[str, Any]:
    """Run one cell in this process and return its results row (never raises for the cell).

    The detector gets ``random_state=seed`` when it has that parameter, plus whatever the
    protocol sets (``contamination`` for ``pyod-odds``) and the cell's ``params``.

    Examples
    --------
    >>> cell = BenchmarkCell(DatasetSpec("cardio", "cardio"), "ecod", seed=1, protocol="adbench")
    >>> row = run_cell(cell)
    >>> row["status"], row["auroc"] > 0.8
    ('ok', True)
    """
    from robustad.detectors.registry import _parameter_names, detector_class

    row = _base_row(cell)
    try:
        protocol = get_protocol(cell.protocol)
        dataset = subsample(_load(cell.dataset), cell.max_rows, cell.seed)
        train, test = protocol.split(dataset, cell.seed)
        cls = detector_class(cell.detector)
        accepted = _parameter_names(cls)
        params: dict[str, Any] = {}
        if "random_state" in accepted:
            params["random_state"] = int(cell.seed)
        params.update(protocol.detector_params(train, accepted))
        params.update(cell.params)
        from robustad.detectors.registry import make_detector

        detector = make_detector(cell.detector, **params)
        _warm_up(detector, train.n_features)
        assert test.y is not None
        with _PeakMemory() as memory:
            started = time.perf_counter()
            if detector._tags.uses_labels:
                # Unsupervised benchmark: a label-using detector sees every label as unknown.
                detector.fit(train.X, np.full(train.n_samples, -1, dtype=np.int64))
            else:
                detector.fit(train.X)
            fitted = time.perf_counter()
            scores = detector.decision_function(test.X)
            scored = time.perf_counter()
        metrics = score_metrics(test.y, scores)
        row.update(
            auroc=metrics["auroc"],
            ap=metrics["ap"],
            precision_at_n=metrics["precision_at_n"],
            recall_at_fpr_1pct=metrics["recall_at_fpr_1pct"],
            fit_seconds=fitted - started,
            score_seconds=scored - fitted,
            peak_memory_mb=memory.megabytes,
        )
    except Exception as error:
        row.update(status="error", error=_error_text(error))
    return row


_WARMED: set[tuple[str, int]] = set()


def _warm_up(detector: Any, n_features: int) -> None:
    # The first fit in a process pays one-off costs (importing PyOD or torch, numba JIT
    # compilation for HBOS: seconds) that would otherwise be billed to whichever cell came
    # first. A throw-away fit on 64 random rows pays them before timing starts.
    from sklearn.base import clone

    key = (type(detector).__name__, int(n_features))
    if key in _WARMED:
        return
    _WARMED.add(key)
    rng = np.random.default_rng(0)
    with contextlib.suppress(Exception):
        clone(detector).fit(rng.random((64, n_features))).decision_function(
            rng.random((8, n_features))
        )


def _error_text(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text}"[:500]


# --------------------------------------------------------------------------------------------
# Executors
# --------------------------------------------------------------------------------------------


class CellExecutor(TypingProtocol):
    """Runs cells and yields their result rows as they finish (any order)."""

    def run(self, cells: Sequence[BenchmarkCell]) -> Iterator[dict[str, Any]]:
        """Yield one results row per cell."""
        ...


class InProcessExecutor:
    """Runs cells one after another in this process (no time limit).

    Examples
    --------
    >>> cell = BenchmarkCell(DatasetSpec("cardio", "cardio"), "ecod", seed=1, protocol="adbench")
    >>> [row["status"] for row in InProcessExecutor().run([cell])]
    ['ok']
    """

    def run(self, cells: Sequence[BenchmarkCell]) -> Iterator[dict[str, Any]]:
        """Yield one results row per cell, in order."""
        for cell in cells:
            yield run_cell(cell)


class _Worker:
    """One long-lived worker process running cells sent as JSON lines."""

    def __init__(self, threads: int | None = None) -> None:
        # Kept open for the worker's lifetime (its stderr); closed in close().
        self._log = tempfile.TemporaryFile(mode="w+b")  # noqa: SIM115
        env = dict(os.environ)
        if threads is not None:
            # Parallel workers must not each start one BLAS/torch thread per core.
            for variable in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
                env[variable] = str(threads)
        # Make the worker import this very robustad, even when it is not installed.
        package_root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(
            [package_root, *filter(None, [env.get("PYTHONPATH", "")])]
        )
        self.process = subprocess.Popen(
            [sys.executable, "-m", "robustad.evaluation.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            env=env,
            text=True,
            bufsize=1,
        )
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def ask(self, cell: BenchmarkCell, time_limit: float | None) -> dict[str, Any] | None:
        """The cell's row, or None on timeout; raises RuntimeError if the worker died."""
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(cell.to_json() + "\n")
            self.process.stdin.flush()
        except OSError:
            raise RuntimeError(self._death_message()) from None
        try:
            line = self._lines.get(timeout=time_limit)
        except queue.Empty:
            return None
        if line is None:
            raise RuntimeError(self._death_message())
        row: dict[str, Any] = json.loads(line)
        return row

    def _death_message(self) -> str:
        code = self.process.wait()
        self._log.seek(0)
        tail = self._log.read().decode("utf-8", "replace").strip().splitlines()[-1:]
        last = f"; last message: {tail[0][:300]}" if tail else ""
        return f"worker process died with exit code {code}{last}"

    def close(self) -> None:
        with contextlib.suppress(OSError):
            if self.process.stdin is not None:
                self.process.stdin.close()
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self._log.close()


class SubprocessExecutor:
    """Runs cells in a worker process, killing it when a cell exceeds ``time_limit``.

    See the module docstring for how the limit is enforced. Use as a context manager (or call
    :meth:`close`) so the worker process ends with the run.

    Examples
    --------
    >>> cell = BenchmarkCell(DatasetSpec("cardio", "cardio"), "ecod", seed=1, protocol="adbench")
    >>> with SubprocessExecutor(time_limit=120) as executor:
    ...     [row["status"] for row in executor.run([cell])]
    ['ok']
    """

    def __init__(self, time_limit: float | None = None, n_jobs: int = 1) -> None:
        if time_limit is not None and not float(time_limit) > 0:
            raise InvalidParameterError(
                f"time_limit must be a positive number of seconds; got {time_limit!r}"
            )
        if int(n_jobs) < 1:
            raise InvalidParameterError(f"n_jobs must be >= 1; got {n_jobs!r}")
        self.time_limit = None if time_limit is None else float(time_limit)
        self.n_jobs = int(n_jobs)
        self._worker: _Worker | None = None
        self._helpers: list[SubprocessExecutor] = []

    def run_one(self, cell: BenchmarkCell) -> dict[str, Any]:
        """Run one cell and return its row (``status`` ok, error or timeout)."""
        if self._worker is None:
            self._worker = _Worker(threads=1 if self.n_jobs > 1 else None)
        try:
            row = self._worker.ask(cell, self.time_limit)
        except RuntimeError as error:
            self._restart()
            row = _base_row(cell)
            row.update(status="error", error=str(error))
            return row
        if row is None:
            self._restart()
            row = _base_row(cell)
            row.update(
                status="timeout",
                error=f"exceeded the per-cell time limit of {self.time_limit:g} s",
            )
        return row

    def run(self, cells: Sequence[BenchmarkCell]) -> Iterator[dict[str, Any]]:
        """Yield one results row per cell: in order, or as finished with ``n_jobs > 1``."""
        if self.n_jobs == 1:
            for cell in cells:
                yield self.run_one(cell)
            return
        from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

        # One worker process per thread; each thread feeds its own worker one cell at a time.
        local = threading.local()

        def job(cell: BenchmarkCell) -> dict[str, Any]:
            if not hasattr(local, "executor"):
                local.executor = SubprocessExecutor(self.time_limit, n_jobs=self.n_jobs)
                self._helpers.append(local.executor)
            row: dict[str, Any] = local.executor.run_one(cell)
            return row

        pending_cells = list(cells)
        with ThreadPoolExecutor(max_workers=self.n_jobs) as pool:
            running = {pool.submit(job, c) for c in pending_cells[: self.n_jobs * 2]}
            queued = pending_cells[self.n_jobs * 2 :]
            while running:
                finished, running = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    if queued:
                        running.add(pool.submit(job, queued.pop(0)))
                    yield future.result()

    def _restart(self) -> None:
        if self._worker is not None:
            self._worker.close()
        self._worker = None

    def close(self) -> None:
        """End the worker process(es)."""
        self._restart()
        for helper in self._helpers:
            helper.close()
        self._helpers.clear()

    def __enter__(self) -> SubprocessExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --------------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    """A registered detector with fixed parameters under its own name in the results."""

    label: str
    detector: str
    params: dict[str, Any] = field(default_factory=dict)


def plan_cells(
    datasets: Iterable[DatasetSpec],
    detectors: Iterable[str | Variant],
    protocol: Protocol,
    seeds: Iterable[int],
    *,
    detector_params: Mapping[str, Mapping[str, Any]] | None = None,
    max_rows: int | None = None,
) -> list[BenchmarkCell]:
    """Every dataset x detector x seed cell, dataset by dataset."""
    params = detector_params or {}
    variants = [
        d if isinstance(d, Variant) else Variant(label="", detector=d, params={}) for d in detectors
    ]
    return [
        BenchmarkCell(
            dataset=spec,
            detector=variant.detector,
            seed=int(seed),
            protocol=protocol.name,
            params={**params.get(variant.detector, {}), **variant.params},
            max_rows=max_rows,
            label=variant.label,
        )
        for spec in datasets
        for variant in variants
        for seed in seeds
    ]


def check_detectors(detectors: Sequence[str]) -> list[str]:
    from robustad.detectors.registry import list_detectors

    names = [d.strip() for d in detectors if d and d.strip()]
    if not names:
        raise InvalidParameterError(f"no detector given; accepted: {', '.join(list_detectors())}")
    unknown = [d for d in names if d not in list_detectors()]
    if unknown:
        raise InvalidParameterError(
            f"unknown detector(s) {', '.join(map(repr, unknown))}; accepted: "
            f"{', '.join(list_detectors())}"
        )
    return list(dict.fromkeys(names))


def run_benchmark(
    data: str | os.PathLike[str] | Sequence[str] | Sequence[DatasetSpec],
    detectors: Sequence[str | Variant] | str,
    *,
    protocol: str | Protocol = "adbench",
    n_seeds: int | None = None,
    out_dir: str | os.PathLike[str],
    time_limit: float | None = None,
    n_jobs: int = 1,
    max_rows: int | None = None,
    detector_params: Mapping[str, Mapping[str, Any]] | None = None,
    label_column: str | None = None,
    retry_failed: bool = False,
    executor: CellExecutor | None = None,
    progress: Callable[[ProgressEvent], None] | None = None,
) -> pd.DataFrame:
    """Run a benchmark and write ``out_dir/results.csv``; return the full results table.

    Parameters
    ----------
    data
        A folder of dataset files, one file, or dataset names (see :func:`resolve_datasets`).
    detectors
        Registered detector names (a list or a comma-separated string), or
        :class:`Variant` objects (a detector with fixed parameters under its own name, as
        :func:`robustad.evaluation.ablation.run_ablation` uses).
    protocol
        ``adbench``, ``pyod-odds`` or ``clean-train`` (see :mod:`robustad.evaluation.protocols`).
    n_seeds
        How many of the protocol's seeds to run (default: all the source used).
    out_dir
        Folder for ``results.csv``; created if absent. Cells already there are skipped.
    time_limit
        Seconds per cell; exceeded cells are recorded as ``timeout``. Enforced by running
        cells in a worker process (module docstring). None: no limit, cells run in-process.
    n_jobs
        Worker processes running cells side by side (each limited to one BLAS/torch thread);
        more than 1 implies worker processes even without a time limit.
    max_rows
        Subsample datasets larger than this (see :func:`subsample`).
    detector_params
        Extra constructor parameters per detector name.
    label_column
        Label column of CSV/Parquet datasets.
    retry_failed
        Also rerun cells recorded with status ``error`` or ``timeout``.
    executor
        Runs the cells; default :class:`SubprocessExecutor` with a time limit, else
        :class:`InProcessExecutor`. :mod:`robustad.scale` provides a Dask executor.
    progress
        Called after every finished cell.

    Returns
    -------
    pandas.DataFrame
        ``results.csv`` as written: previous rows plus the new ones, sorted by cell.
    """
    import pandas as pd

    chosen_protocol = get_protocol(protocol)
    requested = detectors.split(",") if isinstance(detectors, str) else list(detectors)
    variants = [d for d in requested if isinstance(d, Variant)]
    labels = [v.label for v in variants]
    if len(set(labels)) != len(labels) or not all(labels):
        raise InvalidParameterError("ablation variants need distinct, non-empty labels")
    if variants:
        check_detectors([v.detector for v in variants])
    plain = (
        check_detectors([d for d in requested if isinstance(d, str)])
        if len(variants) < len(requested) or not requested
        else []
    )
    names: list[str | Variant] = [*plain, *variants]
    if max_rows is not None and int(max_rows) < 10:
        raise InvalidParameterError(f"max_rows must be at least 10; got {max_rows!r}")
    specs = resolve_datasets(data, label_column=label_column)
    seeds = chosen_protocol.seed_list(n_seeds)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    results_path = out / "results.csv"
    existing = read_results(results_path)
    if retry_failed:
        existing = existing[existing["status"] == "ok"]
    done = {cell_key(row) for _, row in existing.iterrows()}
    cells = [
        c
        for c in plan_cells(
            specs,
            names,
            chosen_protocol,
            seeds,
            detector_params=detector_params,
            max_rows=max_rows,
        )
        if c.key not in done
    ]
    rows: list[dict[str, Any]] = [dict(r) for _, r in existing.iterrows()]
    owned: SubprocessExecutor | None = None
    if executor is None:
        if time_limit is not None or int(n_jobs) > 1:
            owned = SubprocessExecutor(time_limit, n_jobs=n_jobs)
            executor = owned
        else:
            executor = InProcessExecutor()
    try:
        for finished, row in enumerate(executor.run(cells), start=1):
            rows.append(row)
            write_results(pd.DataFrame(rows), results_path)
            if progress is not None:
                progress(ProgressEvent(done=finished, total=len(cells), row=row))
    finally:
        if owned is not None:
            owned.close()
    if not cells:
        write_results(pd.DataFrame(rows, columns=list(RESULT_COLUMNS)), results_path)
    return read_results(results_path)
