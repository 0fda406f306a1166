"""Read and write tables (CSV, Parquet) with clear errors and atomic writes.

:func:`write_table` never leaves a half-written file behind: it writes to a temporary file in
the destination folder, flushes it to disk, and only then renames it over the destination, so
a crash or an error mid-write leaves the previous file (if any) intact.

Examples
--------
>>> import pandas as pd
>>> from pathlib import Path
>>> from tempfile import TemporaryDirectory
>>> with TemporaryDirectory() as folder:
...     path = Path(folder) / "scores.csv"
...     write_table(pd.DataFrame({"score": [0.1, 0.9]}), path)
...     read_table(path)["score"].tolist()
[0.1, 0.9]
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from robustad.exceptions import DatasetNotFoundError, DataValidationError
from robustad.utils.files import atomic_output_path

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SUPPORTED_TABLE_SUFFIXES", "read_table", "write_table"]

#: File name endings :func:`read_table` and :func:`write_table` understand, lower case.
SUPPORTED_TABLE_SUFFIXES: tuple[str, ...] = (".csv", ".parquet")


def _table_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_TABLE_SUFFIXES:
        raise DataValidationError(
            f"file '{path}' has the unsupported extension {suffix or '(none)'!r}; supported "
            f"table formats are {', '.join(SUPPORTED_TABLE_SUFFIXES)}; convert the file or "
            "rename it if it already has one of these formats"
        )
    return suffix[1:]


def read_table(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a CSV or Parquet file into a pandas DataFrame.

    The CSV must have a header row; pandas infers column types.

    Parameters
    ----------
    path
        A ``.csv`` or ``.parquet`` file.

    Returns
    -------
    pandas.DataFrame
        At least one row and one column.

    Raises
    ------
    DatasetNotFoundError
        The file does not exist.
    DataValidationError
        Unsupported extension, a folder instead of a file, an empty or header-only file, or a
        file pandas cannot parse (the message carries pandas' reason).

    Examples
    --------
    >>> read_table("no/such/file.csv")
    Traceback (most recent call last):
    ...
    robustad.exceptions.DatasetNotFoundError: file 'no/such/file.csv' does not exist ...
    """
    import pandas as pd

    path = Path(path)
    table_format = _table_format(path)
    if not path.exists():
        raise DatasetNotFoundError(
            f"file '{path}' does not exist (absolute path: {path.absolute()}); check the path"
        )
    if path.is_dir():
        raise DataValidationError(f"'{path}' is a folder; pass the path of a single file")
    if path.stat().st_size == 0:
        raise DataValidationError(f"file '{path}' is empty (0 bytes); pass a file with data rows")
    try:
        frame = pd.read_csv(path) if table_format == "csv" else pd.read_parquet(path)
    except pd.errors.EmptyDataError:
        raise DataValidationError(
            f"file '{path}' is empty (no header and no rows); pass a file with data rows"
        ) from None
    except UnicodeDecodeError as error:
        raise DataValidationError(
            f"file '{path}' is not UTF-8 text ({error.reason} at byte {error.start}); save it "
            "as UTF-8 CSV"
        ) from None
    except (pd.errors.ParserError, ValueError, OSError) as error:
        # pyarrow's ArrowInvalid is a ValueError; its text says what is wrong with the file.
        reason = " ".join(str(error).split())
        raise DataValidationError(
            f"file '{path}' could not be read as {table_format.upper()}: {reason}; fix the file "
            "or export it again"
        ) from None
    if frame.shape[1] == 0:
        raise DataValidationError(f"file '{path}' is empty (no columns); pass a file with data")
    if frame.shape[0] == 0:
        raise DataValidationError(
            f"file '{path}' is empty: it has a header with {frame.shape[1]} column(s) but no data "
            "rows; pass a file with at least one row"
        )
    return frame


def write_table(frame: pd.DataFrame, path: str | os.PathLike[str], *, index: bool = False) -> None:
    """Write a DataFrame to CSV or Parquet atomically.

    The data goes to a temporary file next to ``path``, which is flushed and synced to disk and
    then renamed over ``path`` in one step. If anything fails, the temporary file is removed
    and ``path`` keeps its previous content (or stays absent). Missing parent folders are
    created.

    Parameters
    ----------
    frame
        The table to write.
    path
        Destination; the extension (``.csv`` or ``.parquet``) chooses the format.
    index
        Also write the DataFrame index (off by default: row positions are rarely data).

    Raises
    ------
    DataValidationError
        Unsupported extension, or ``frame`` is not a DataFrame.

    Examples
    --------
    >>> import pandas as pd
    >>> write_table(pd.DataFrame({"a": [1]}), "scores.xlsx")
    Traceback (most recent call last):
    ...
    robustad.exceptions.DataValidationError: file 'scores.xlsx' has the unsupported extension ...
    """
    path = Path(path)
    table_format = _table_format(path)
    if not (hasattr(frame, "to_csv") and hasattr(frame, "to_parquet")):
        raise DataValidationError(
            f"write_table expects a pandas DataFrame, got {type(frame).__name__}; wrap arrays "
            "with pandas.DataFrame(...) first"
        )
    with atomic_output_path(path) as temporary, open(temporary, "wb") as handle:
        if table_format == "csv":
            frame.to_csv(handle, index=index)
        else:
            frame.to_parquet(handle, index=index)
