"""Load datasets by name or path, and list the datasets available.

A dataset can be named in three ways:

* a bundled dataset shipped inside the package (``"nsl_kdd_train"``, ``"cardio"``...), which
  works on any machine;
* a dataset in the data folder: ``data_dir`` or, when that is not given, the folder in the
  environment variable ``ROBUSTAD_DATA_DIR``. The folder holds ADBench-style ``.npz`` files
  (arrays ``X`` and ``y``), either in a subfolder ``adbench/`` or directly. A file is found by
  its stem (``"6_cardio"``) or by its short name without the numeric prefix (``"cardio"``,
  case-insensitive);
* a path to a ``.npz``, ``.csv`` or ``.parquet`` file, or a pandas DataFrame.

Bundled names win over data-folder names; a bundled ADBench dataset also answers to its
ADBench file stem (``"6_cardio"``) when the data folder does not have that file.

Examples
--------
>>> from robustad.data.loading import load_dataset
>>> data = load_dataset("breastw")
>>> data.n_samples, data.n_features, data.n_samples - int(data.y.sum())
(683, 9, 444)
"""

from __future__ import annotations

import difflib
import os
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal, cast

import numpy as np

from robustad.data.dataset import Dataset
from robustad.data.io import SUPPORTED_TABLE_SUFFIXES, read_table
from robustad.data.validation import check_features, check_labels, is_dataframe
from robustad.exceptions import DatasetNotFoundError, DataValidationError, InvalidParameterError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "BUNDLED_DATASETS",
    "DATA_DIR_VARIABLE",
    "DatasetInfo",
    "list_datasets",
    "load_dataset",
]

#: Environment variable that names the default data folder.
DATA_DIR_VARIABLE = "ROBUSTAD_DATA_DIR"

#: Package that holds the bundled ``.npz`` files (read through importlib.resources, so it works
#: from an installed wheel, a zip, or a source checkout alike).
_BUNDLED_PACKAGE = "robustad.data.bundled"

#: File endings load_dataset treats as paths.
_SUPPORTED_SUFFIXES: tuple[str, ...] = (".npz", *SUPPORTED_TABLE_SUFFIXES)


@dataclass(frozen=True)
class _BundledSpec:
    file: str
    description: str
    aliases: tuple[str, ...] = ()


#: Datasets shipped inside the package. Sources, licenses and preparation: bundled/DATA.md.
BUNDLED_DATASETS: dict[str, _BundledSpec] = {
    "nsl_kdd_train": _BundledSpec(
        "nsl_kdd_train.npz",
        "NSL-KDD KDDTrain+_20Percent, network connections, categorical columns one-hot encoded",
    ),
    "nsl_kdd_test": _BundledSpec(
        "nsl_kdd_test.npz",
        "NSL-KDD KDDTest+, same columns as nsl_kdd_train (training-file categories)",
    ),
    "cardio": _BundledSpec(
        "cardio.npz", "ADBench 6_cardio (cardiotocography, ODDS version)", ("6_cardio",)
    ),
    "breastw": _BundledSpec(
        "breastw.npz", "ADBench 4_breastw (Wisconsin breast cancer, original)", ("4_breastw",)
    ),
    "vowels": _BundledSpec(
        "vowels.npz", "ADBench 40_vowels (Japanese vowels, ODDS version)", ("40_vowels",)
    ),
}


@dataclass(frozen=True)
class DatasetInfo:
    """One row of :func:`list_datasets`: a dataset's name, origin and shape.

    Attributes
    ----------
    name : str
        The name to pass to :func:`load_dataset`.
    origin : {"bundled", "data_dir"}
        Shipped with the package, or found in the data folder.
    path : str
        The file holding the data.
    n_samples, n_features : int
    n_anomalies : int or None
        Rows with ``y == 1``; None when the file has no labels.
    description : str
        One line about the data (bundled datasets only).

    Examples
    --------
    >>> info = next(i for i in list_datasets() if i.name == "cardio")
    >>> info.origin, info.n_samples, info.n_features, info.n_anomalies
    ('bundled', 1831, 21, 176)
    """

    name: str
    origin: Literal["bundled", "data_dir"]
    path: str
    n_samples: int
    n_features: int
    n_anomalies: int | None
    description: str = ""


# --------------------------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------------------------


def load_dataset(
    name_or_path: str | os.PathLike[str] | pd.DataFrame | Dataset,
    *,
    label_column: str | None = None,
    data_dir: str | os.PathLike[str] | None = None,
) -> Dataset:
    """Load a dataset by name, from a file, or from a DataFrame.

    Parameters
    ----------
    name_or_path
        A bundled dataset name, a dataset name in the data folder (file stem such as
        ``"6_cardio"`` or short name such as ``"cardio"``), a path to a ``.npz``, ``.csv`` or
        ``.parquet`` file, or a pandas DataFrame. A ``Dataset`` is returned unchanged.
        A ``.npz`` file must hold a numeric array ``X`` and may hold ``y`` (0/1),
        ``feature_names`` and ``label_names`` (text arrays); it is read without pickle.
    label_column
        For CSV, Parquet and DataFrame input: the column holding the labels (1 anomaly,
        0 normal). It becomes ``y`` and is removed from the features. Without it, every column
        is a feature and the dataset has no labels.
    data_dir
        Data folder to search for names; defaults to the environment variable
        ``ROBUSTAD_DATA_DIR``. Not needed for bundled datasets or paths.

    Returns
    -------
    Dataset

    Raises
    ------
    DatasetNotFoundError
        An unknown name (the message lists close matches) or a missing file.
    DataValidationError
        A file that cannot be read or holds unusable data (NaN, inf, text, wrong shapes), or
        a missing label column. The message names the file, column and rows.
    InvalidParameterError
        ``label_column`` given for a ``.npz`` file or a named dataset, whose labels are
        stored apart from the features.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"amount": [1.0, 2.0, 50.0], "fraud": [0, 0, 1]})
    >>> data = load_dataset(frame, label_column="fraud")
    >>> data.feature_names, data.y.tolist()
    (('amount',), [0, 0, 1])
    >>> load_dataset("cardoi")
    Traceback (most recent call last):
    ...
    robustad.exceptions.DatasetNotFoundError: no dataset named 'cardoi': ... 'cardio', ...
    """
    if isinstance(name_or_path, Dataset):
        return name_or_path
    if is_dataframe(name_or_path):
        return _from_frame(
            cast("pd.DataFrame", name_or_path),
            label_column,
            what="DataFrame",
            name="dataframe",
            source="DataFrame (in memory)",
        )
    if not isinstance(name_or_path, str | os.PathLike):
        raise InvalidParameterError(
            "load_dataset expects a dataset name, a file path or a pandas DataFrame, got "
            f"{type(name_or_path).__name__}"
        )
    if _looks_like_path(name_or_path):
        return _load_path(Path(name_or_path), label_column)
    name = str(name_or_path)
    spec = BUNDLED_DATASETS.get(name)
    if spec is not None:
        _refuse_label_column(label_column, f"bundled dataset {name!r}")
        return _load_bundled(name, spec)
    folder = _resolve_data_dir(data_dir)
    if folder is not None:
        path = _find_in_data_dir(name, folder)
        if path is not None:
            _refuse_label_column(label_column, f"dataset {name!r}")
            return _load_npz(path, name=path.stem, source=str(path))
    for bundled_name, spec in BUNDLED_DATASETS.items():
        if name in spec.aliases:
            _refuse_label_column(label_column, f"bundled dataset {bundled_name!r}")
            return _load_bundled(bundled_name, spec)
    if os.path.exists(name):
        # An existing file without a supported extension: say so rather than "unknown name".
        return _load_path(Path(name), label_column)
    raise DatasetNotFoundError(_unknown_name_message(name, folder))


def list_datasets(data_dir: str | os.PathLike[str] | None = None) -> list[DatasetInfo]:
    """List the bundled datasets and those in the data folder.

    Shapes are read from the ``.npy`` headers inside each ``.npz`` without loading ``X``;
    only ``y`` (small) is loaded to count anomalies, so even folders with large files list
    quickly.

    Parameters
    ----------
    data_dir
        Data folder; defaults to the environment variable ``ROBUSTAD_DATA_DIR``. When neither
        is set, only bundled datasets are listed.

    Returns
    -------
    list of DatasetInfo
        Bundled datasets first (in a fixed order), then the data folder's files ordered by
        their ADBench number and name.

    Raises
    ------
    DatasetNotFoundError
        When the data folder does not exist.
    DataValidationError
        When a ``.npz`` file in the data folder is unreadable or has no array ``X``; the
        message names the file.

    Examples
    --------
    >>> [info.name for info in list_datasets() if info.origin == "bundled"]
    ['nsl_kdd_train', 'nsl_kdd_test', 'cardio', 'breastw', 'vowels']
    """
    infos = []
    for name, spec in BUNDLED_DATASETS.items():
        resource = resources.files(_BUNDLED_PACKAGE).joinpath(spec.file)
        with resource.open("rb") as handle:
            n_samples, n_features, n_anomalies = _npz_summary(handle, f"bundled file {spec.file!r}")
        infos.append(
            DatasetInfo(
                name,
                "bundled",
                str(resource),
                n_samples,
                n_features,
                n_anomalies,
                spec.description,
            )
        )
    folder = _resolve_data_dir(data_dir)
    if folder is not None:
        for path in _data_dir_files(folder):
            with path.open("rb") as handle:
                n_samples, n_features, n_anomalies = _npz_summary(handle, f"file '{path}'")
            infos.append(
                DatasetInfo(path.stem, "data_dir", str(path), n_samples, n_features, n_anomalies)
            )
    return infos


# --------------------------------------------------------------------------------------------
# Paths, files and frames
# --------------------------------------------------------------------------------------------


def _looks_like_path(value: str | os.PathLike[str]) -> bool:
    if not isinstance(value, str):
        return True  # a Path object is always meant as a path
    # Names never contain separators, and data-folder stems such as "22_magic.gamma" may
    # contain dots, so only a supported extension or a separator marks a string as a path.
    return value.lower().endswith(_SUPPORTED_SUFFIXES) or "/" in value or os.sep in value


def _load_path(path: Path, label_column: str | None) -> Dataset:
    suffix = path.suffix.lower()
    if suffix not in _SUPPORTED_SUFFIXES:
        raise DataValidationError(
            f"file '{path}' has the unsupported extension {suffix or '(none)'!r}; supported "
            f"formats are {', '.join(_SUPPORTED_SUFFIXES)}"
        )
    if not path.exists():
        raise DatasetNotFoundError(
            f"file '{path}' does not exist (absolute path: {path.absolute()}); check the path, "
            "or pass a dataset name (run `robustad datasets` to list them)"
        )
    if suffix == ".npz":
        _refuse_label_column(label_column, f"file '{path}'")
        return _load_npz(path, name=path.stem, source=str(path.absolute()))
    frame = read_table(path)
    return _from_frame(
        frame, label_column, what=f"file '{path}'", name=path.stem, source=str(path.absolute())
    )


def _refuse_label_column(label_column: str | None, what: str) -> None:
    if label_column is not None:
        raise InvalidParameterError(
            f"label_column={label_column!r} does not apply to {what}: its labels are stored as "
            "array 'y'; label_column is for CSV, Parquet and DataFrame input only"
        )


def _from_frame(
    frame: pd.DataFrame, label_column: str | None, *, what: str, name: str, source: str
) -> Dataset:
    y = None
    if label_column is not None:
        columns = [str(c) for c in frame.columns]
        if label_column not in columns:
            shown = ", ".join(map(repr, columns[:20])) + (" ..." if len(columns) > 20 else "")
            raise DataValidationError(
                f"{what} has no label column {label_column!r}; available columns: {shown}; "
                "pass one of them as label_column, or none for unlabelled data"
            )
        position = columns.index(label_column)
        y = check_labels(
            frame.iloc[:, position].to_numpy(),
            frame.shape[0],
            what=f"label column {label_column!r} of {what}",
        )
        frame = frame.drop(columns=frame.columns[position])
    X, names = check_features(frame, what=what)
    return Dataset(X=X, y=y, feature_names=names or (), name=name, source=source)


def _load_npz(path: Path | Any, *, name: str, source: str, what: str | None = None) -> Dataset:
    what = what or f"file '{path}'"
    try:
        archive = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as error:
        raise DataValidationError(
            f"{what} is not a valid .npz archive ({_one_line(error)}); save arrays with "
            "numpy.savez(path, X=X, y=y)"
        ) from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise DataValidationError(
            f"{what} holds a single array, not an .npz archive of named arrays; save it with "
            "numpy.savez(path, X=X, y=y)"
        )
    with archive:
        if "X" not in archive.files:
            raise DataValidationError(
                f"{what} has no array 'X' (it has: {', '.join(archive.files) or 'nothing'}); "
                "save the features as X, e.g. numpy.savez(path, X=X, y=y)"
            )
        arrays = {key: _read_member(archive, key, what) for key in archive.files}
    X, _ = check_features(arrays["X"], what=f"array 'X' of {what}")
    y = None
    if "y" in arrays:
        y = check_labels(arrays["y"], X.shape[0], what=f"array 'y' of {what}")
    feature_names = _text_array(arrays.get("feature_names"), X.shape[1], "feature_names", what)
    label_names = _text_array(arrays.get("label_names"), X.shape[0], "label_names", what)
    return Dataset(
        X=X,
        y=y,
        feature_names=tuple(feature_names.tolist()) if feature_names is not None else (),
        name=name,
        source=source,
        label_names=label_names,
    )


def _read_member(archive: Any, key: str, what: str) -> np.ndarray:
    try:
        return np.asarray(archive[key])
    except ValueError as error:
        if "allow_pickle" in str(error):
            raise DataValidationError(
                f"array {key!r} of {what} holds Python objects, which would need pickle to load; "
                "robustad never unpickles data files (it can run arbitrary code); save plain "
                "numeric or text arrays instead"
            ) from None
        raise DataValidationError(
            f"array {key!r} of {what} could not be read ({_one_line(error)})"
        ) from None
    except (OSError, EOFError, zipfile.BadZipFile) as error:
        raise DataValidationError(
            f"array {key!r} of {what} is damaged ({_one_line(error)}); restore the file"
        ) from None


def _text_array(values: np.ndarray | None, expected: int, key: str, what: str) -> np.ndarray | None:
    if values is None:
        return None
    if values.dtype.kind not in "US" or values.ndim != 1 or values.shape[0] != expected:
        raise DataValidationError(
            f"array {key!r} of {what} must be a 1-D text array of length {expected}, got "
            f"dtype {values.dtype} and shape {values.shape}"
        )
    return values.astype(np.str_)


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


# --------------------------------------------------------------------------------------------
# Bundled data and the data folder
# --------------------------------------------------------------------------------------------


def _load_bundled(name: str, spec: _BundledSpec) -> Dataset:
    resource = resources.files(_BUNDLED_PACKAGE).joinpath(spec.file)
    with resources.as_file(resource) as path:
        return _load_npz(
            path,
            name=name,
            source=f"bundled: {spec.description}",
            what=f"bundled file {spec.file!r}",
        )


def _resolve_data_dir(data_dir: str | os.PathLike[str] | None) -> Path | None:
    from_environment = data_dir is None
    if data_dir is None:
        value = os.environ.get(DATA_DIR_VARIABLE, "").strip()
        if not value:
            return None
        folder = Path(value).expanduser()
    else:
        folder = Path(data_dir).expanduser()
    if not folder.is_dir():
        origin = f"the environment variable {DATA_DIR_VARIABLE}" if from_environment else "data_dir"
        raise DatasetNotFoundError(
            f"data folder '{folder}' (from {origin}) does not exist or is not a folder; point it "
            "at a folder of .npz files (or one with an adbench/ subfolder)"
        )
    return folder


def _data_dir_files(folder: Path) -> list[Path]:
    """The .npz files of a data folder: those in ``adbench/`` and those directly inside."""
    files: dict[str, Path] = {}
    for sub in (folder, folder / "adbench"):
        if sub.is_dir():
            for path in sub.glob("*.npz"):
                if path.is_file():
                    files.setdefault(path.stem, path)
    return sorted(files.values(), key=_natural_key)


def _natural_key(path: Path) -> tuple[int, str]:
    match = re.match(r"(\d+)_", path.stem)
    return (int(match.group(1)) if match else 1_000_000, path.stem.lower())


def _short_name(stem: str) -> str:
    return re.sub(r"^\d+_", "", stem).lower()


def _find_in_data_dir(name: str, folder: Path) -> Path | None:
    files = _data_dir_files(folder)
    for path in files:
        if path.stem == name:
            return path
    wanted = name.lower()
    matches = [p for p in files if p.stem.lower() == wanted or _short_name(p.stem) == wanted]
    if len(matches) > 1:
        raise DatasetNotFoundError(
            f"dataset name {name!r} is ambiguous in data folder '{folder}': it matches "
            f"{', '.join(repr(p.stem) for p in matches)}; pass the full file stem"
        )
    return matches[0] if matches else None


def _unknown_name_message(name: str, folder: Path | None) -> str:
    candidates = list(BUNDLED_DATASETS)
    for spec in BUNDLED_DATASETS.values():
        candidates.extend(spec.aliases)
    if folder is not None:
        for path in _data_dir_files(folder):
            candidates.extend((path.stem, _short_name(path.stem)))
    unique = list(dict.fromkeys(candidates))
    lowered = {candidate.lower(): candidate for candidate in unique}
    close = difflib.get_close_matches(name.lower(), list(lowered), n=5, cutoff=0.6)
    hint = f" Did you mean {', '.join(repr(lowered[c]) for c in close)}?" if close else ""
    if folder is not None:
        where = f"not in the data folder '{folder}'"
    else:
        where = f"no data folder is configured ({DATA_DIR_VARIABLE} is not set)"
    return (
        f"no dataset named {name!r}: it is not a bundled dataset, {where}, and not an existing "
        f"file.{hint} Run `robustad datasets` to list the available datasets; set "
        f"{DATA_DIR_VARIABLE} (or pass data_dir=) to a folder of ADBench-style .npz files to "
        "use more."
    )


# --------------------------------------------------------------------------------------------
# Fast summaries from .npy headers
# --------------------------------------------------------------------------------------------


def _npz_summary(handle: IO[bytes], what: str) -> tuple[int, int, int | None]:
    """``(n_samples, n_features, n_anomalies)`` of an .npz without loading ``X``."""
    try:
        with zipfile.ZipFile(handle) as archive:
            members = set(archive.namelist())
            if "X.npy" not in members:
                raise DataValidationError(
                    f"{what} has no array 'X'; every dataset file needs X (and usually y)"
                )
            with archive.open("X.npy") as member:
                shape, dtype = _npy_header(member, what)
            if len(shape) != 2 or dtype.hasobject:
                raise DataValidationError(
                    f"{what}: array 'X' must be a 2-D numeric array, got shape {shape} and "
                    f"dtype {dtype}"
                )
            n_anomalies = None
            if "y.npy" in members:
                with archive.open("y.npy") as member:
                    y = np.lib.format.read_array(member, allow_pickle=False)
                n_anomalies = int(np.count_nonzero(y == 1))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as error:
        if isinstance(error, DataValidationError):
            raise
        raise DataValidationError(
            f"{what} is not a valid .npz archive ({_one_line(error)}); fix or remove it"
        ) from None
    return int(shape[0]), int(shape[1]), n_anomalies


def _npy_header(member: IO[bytes], what: str) -> tuple[tuple[int, ...], np.dtype[Any]]:
    version = np.lib.format.read_magic(member)
    if version == (1, 0):
        shape, _, dtype = np.lib.format.read_array_header_1_0(member)
    elif version == (2, 0):
        shape, _, dtype = np.lib.format.read_array_header_2_0(member)
    else:
        raise DataValidationError(
            f"{what}: array 'X' uses .npy format version {version}, which this reader does not "
            "know; save it again with numpy.savez"
        )
    return tuple(shape), dtype


def _iter_bundled_files() -> Iterator[str]:
    """Names of the .npz resources actually shipped (used by tests to check the registry)."""
    for entry in resources.files(_BUNDLED_PACKAGE).iterdir():
        if entry.name.endswith(".npz"):
            yield entry.name
