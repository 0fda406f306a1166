"""Batch scoring of large files on Dask: partitions scored in parallel, partitioned output.

:func:`score_files` reads every file matching a glob as one Dask DataFrame (Parquet row
groups / files, or CSV blocks, become partitions), scores each partition with the saved
model on the workers, and writes ``part.N.parquet`` files into the output folder. The model
is loaded (and its hashes verified) once per worker process, never pickled by robustad: each
task receives the model *folder path*, so the workers must see that path.

Scores equal in-process scoring because only detectors whose tags say ``batch_independent``
are accepted: a row's score does not depend on which partition it lands in.

The output folder appears atomically: it is written under a temporary name beside ``out``
and renamed into place when every partition is done; an existing ``out`` folder is replaced
only then.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

from robustad.detectors.table import LABEL_COLUMN, SCORED_COLUMNS, check_no_clash, score_table
from robustad.exceptions import DatasetNotFoundError, DataValidationError, InvalidParameterError
from robustad.scale.cluster import connect
from robustad.utils.files import swap_folder_into_place

__all__ = ["score_files"]


@lru_cache(maxsize=4)
def _model(model_dir: str, fingerprint: str) -> Any:
    # fingerprint (manifest mtime and size) makes a re-saved model reload in long-lived workers.
    from robustad.detectors.persistence import load_detector

    return load_detector(model_dir)


def _fingerprint(model_dir: str) -> str:
    stat = (Path(model_dir) / "manifest.json").stat()
    return f"{stat.st_mtime_ns}-{stat.st_size}"


def _score_partition(frame: Any, model_dir: str, fingerprint: str) -> Any:
    return score_table(_model(model_dir, fingerprint), frame)


def _files(pattern: str) -> list[str]:
    files = sorted(glob.glob(pattern)) if glob.has_magic(pattern) else [pattern]
    files = [f for f in files if Path(f).is_file()]
    if not files:
        raise DatasetNotFoundError(
            f"no file matches {pattern!r}; give a .parquet or .csv file or a glob such as "
            "'data/*.parquet' (quote it so the shell does not expand it)"
        )
    suffixes = {Path(f).suffix.lower() for f in files}
    if len(suffixes) > 1 or not suffixes <= {".parquet", ".csv"}:
        raise DataValidationError(
            f"files matching {pattern!r} have extension(s) {', '.join(sorted(suffixes))}; "
            "all must be .parquet or all .csv"
        )
    return files


def score_files(
    model_dir: str | os.PathLike[str],
    pattern: str,
    out_dir: str | os.PathLike[str],
    *,
    scheduler: str = "local",
    n_workers: int | None = None,
    blocksize: str = "64MB",
) -> dict[str, Any]:
    """Score every row of the files matching ``pattern`` on Dask; write partitioned Parquet.

    Parameters
    ----------
    model_dir
        Folder written by ``robustad fit`` / ``BaseDetector.save``.
    pattern
        A ``.parquet`` or ``.csv`` file or a glob of them.
    out_dir
        Output folder of ``part.N.parquet`` files: the input rows (in input order, partition
        by partition) with ``anomaly_score``, ``is_anomaly`` and ``out_of_distribution``
        appended, as in-process ``robustad score`` writes them.
    scheduler, n_workers
        See :func:`robustad.scale.connect`.
    blocksize
        CSV block size per partition (Parquet partitions follow files / row groups).

    Returns
    -------
    dict
        ``rows``, ``flagged``, ``partitions`` and ``out`` (the folder).

    Examples
    --------
    >>> score_files("models/none", "nothing/*.parquet", "out")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    robustad.exceptions.DatasetNotFoundError: no file matches 'nothing/*.parquet'; ...
    """
    from robustad.detectors.persistence import load_detector

    files = _files(str(pattern))
    model_path = str(Path(model_dir).resolve())
    model = load_detector(model_path)  # verify the artifact before starting a cluster
    if not model._tags.batch_independent:
        raise InvalidParameterError(
            f"detector {type(model).__name__} scores a row depending on its batch, so "
            "partitioned scoring would differ from whole-file scoring; score it in-process "
            "(without --scheduler)"
        )
    out = Path(out_dir)
    with connect(scheduler, n_workers=n_workers):
        import dask.dataframe as dd
        import pandas as pd

        if files[0].lower().endswith(".parquet"):
            frame = dd.read_parquet(files)
        else:
            frame = dd.read_csv(files, blocksize=blocksize)
        check_no_clash(frame.columns)
        meta = frame._meta.assign(
            **{name: pd.Series(dtype=dtype) for name, dtype in SCORED_COLUMNS.items()}
        )
        scored = frame.map_partitions(
            _score_partition, model_path, _fingerprint(model_path), meta=meta
        )
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
        try:
            scored.to_parquet(str(staging), write_index=False, compute=True)
            # Counting from the written files avoids scoring everything a second time.
            labels = pd.read_parquet(staging, columns=[LABEL_COLUMN])[LABEL_COLUMN]
            rows, flagged = len(labels), int(labels.sum())
            swap_folder_into_place(staging, out)
        finally:
            with contextlib.suppress(FileNotFoundError):
                shutil.rmtree(staging)
        partitions = int(scored.npartitions)
    return {"rows": int(rows), "flagged": int(flagged), "partitions": partitions, "out": out}
