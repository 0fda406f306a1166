"""Rebuild the datasets bundled in ``src/robustad/data/bundled`` from the shared data folder.

Usage::

    python scripts/prepare_bundled_data.py [DATASETS_DIR] [--output FOLDER] [--check]

``DATASETS_DIR`` defaults to ``../shared/datasets`` relative to the repository root (the layout
described in its README.md). With ``--check`` nothing is written: the script rebuilds every
file in memory and exits non-zero if any differs from the one in ``--output``.

The output is byte-for-byte reproducible: every input file is verified against the folder's
``MANIFEST.sha256`` first, and ``.npz`` archives are written with fixed zip timestamps. See
``src/robustad/data/bundled/DATA.md`` for sources, licenses and what each step does.

Steps
-----
NSL-KDD (``nsl_kdd/KDDTrain+_20Percent.txt`` -> ``nsl_kdd_train.npz``,
``nsl_kdd/KDDTest+.txt`` -> ``nsl_kdd_test.npz``):

1. Read the 43 comma-separated columns: 41 features, the class, the difficulty level.
2. Drop the difficulty level (it is metadata about reference classifiers, not a feature).
3. One-hot encode ``protocol_type``, ``service`` and ``flag`` in place, with the categories
   seen in the *training* file only, sorted alphabetically; the columns are named
   ``"<feature>=<category>"``. A test row whose category never occurs in the training file gets
   zeros in every column of that group. Both files therefore have identical columns.
4. Parse every numeric field with Python's ``float`` (exact round-trip of the decimal text).
5. ``y = 1`` for every class other than ``normal``; ``label_names`` keeps the class text.
6. Store ``X`` in the smallest dtype that holds every value exactly (float64 for NSL-KDD:
   ``src_bytes`` needs more than float32's 24-bit mantissa), column-major, which compresses
   about a third better than row-major.

ADBench (``adbench/<id>_<name>.npz`` -> ``<name>.npz``): copied byte for byte.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import shutil
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATASETS_DIR = REPOSITORY_ROOT.parent / "shared" / "datasets"
DEFAULT_OUTPUT_DIR = REPOSITORY_ROOT / "src" / "robustad" / "data" / "bundled"

#: The 41 NSL-KDD feature names, in file order (from the .arff headers of the distribution, as
#: listed in the shared datasets README).
NSL_KDD_FEATURES: tuple[str, ...] = (
    "duration", "protocol_type", "service", "flag", "src_bytes", "dst_bytes", "land",
    "wrong_fragment", "urgent", "hot", "num_failed_logins", "logged_in", "num_compromised",
    "root_shell", "su_attempted", "num_root", "num_file_creations", "num_shells",
    "num_access_files", "num_outbound_cmds", "is_host_login", "is_guest_login", "count",
    "srv_count", "serror_rate", "srv_serror_rate", "rerror_rate", "srv_rerror_rate",
    "same_srv_rate", "diff_srv_rate", "srv_diff_host_rate", "dst_host_count",
    "dst_host_srv_count", "dst_host_same_srv_rate", "dst_host_diff_srv_rate",
    "dst_host_same_src_port_rate", "dst_host_srv_diff_host_rate", "dst_host_serror_rate",
    "dst_host_srv_serror_rate", "dst_host_rerror_rate", "dst_host_srv_rerror_rate",
)  # fmt: skip
NSL_KDD_CATEGORICAL: tuple[str, ...] = ("protocol_type", "service", "flag")
NSL_KDD_FILES: dict[str, str] = {
    "nsl_kdd_train": "KDDTrain+_20Percent.txt",
    "nsl_kdd_test": "KDDTest+.txt",
}
#: Bundled name -> ADBench file stem. Small (under 2,000 rows), varied anomaly shares.
ADBENCH_FILES: dict[str, str] = {
    "cardio": "6_cardio",
    "breastw": "4_breastw",
    "vowels": "40_vowels",
}

#: Fixed zip timestamp (the earliest zip allows) so rebuilt archives are byte-identical.
_ZIP_DATE_TIME = (1980, 1, 1, 0, 0, 0)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_verified(folder: Path, relative: str) -> bytes:
    """Read ``folder/relative`` and check it against ``folder/MANIFEST.sha256``."""
    manifest = {}
    for line in (folder / "MANIFEST.sha256").read_text().splitlines():
        if line.strip():
            digest, name = line.split(maxsplit=1)
            manifest[name.lstrip("*").removeprefix("./")] = digest
    data = (folder / relative).read_bytes()
    expected = manifest.get(relative)
    if expected is None:
        raise SystemExit(f"{folder / relative} is not listed in {folder / 'MANIFEST.sha256'}")
    if sha256_of(data) != expected:
        raise SystemExit(f"{folder / relative} does not match its sha256 in MANIFEST.sha256")
    return data


def write_npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """An .npz archive (deflate level 9, fixed timestamps) readable with allow_pickle=False."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for key, array in arrays.items():
            if array.dtype.hasobject:
                raise ValueError(f"array {key!r} holds objects; bundled files must not need pickle")
            member = io.BytesIO()
            np.lib.format.write_array(member, array, allow_pickle=False)
            info = zipfile.ZipInfo(f"{key}.npy", date_time=_ZIP_DATE_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, member.getvalue(), compresslevel=9)
    return buffer.getvalue()


def smallest_lossless_dtype(X: np.ndarray) -> np.dtype:
    for candidate in (np.uint8, np.int16, np.int32, np.float32):
        converted = X.astype(candidate)
        if np.array_equal(converted.astype(np.float64), X):
            return np.dtype(candidate)
    return np.dtype(np.float64)


def parse_nsl_kdd(text: str, source: str) -> tuple[list[list[str]], list[str]]:
    rows, classes = [], []
    for number, fields in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not fields:
            continue
        if len(fields) != len(NSL_KDD_FEATURES) + 2:
            raise SystemExit(f"{source} line {number}: {len(fields)} fields, expected 43")
        rows.append(fields[: len(NSL_KDD_FEATURES)])
        classes.append(fields[len(NSL_KDD_FEATURES)])
    return rows, classes


def nsl_kdd_vocabulary(train_rows: Sequence[Sequence[str]]) -> dict[str, list[str]]:
    return {
        feature: sorted({row[NSL_KDD_FEATURES.index(feature)] for row in train_rows})
        for feature in NSL_KDD_CATEGORICAL
    }


def encode_nsl_kdd(
    rows: Sequence[Sequence[str]], classes: Sequence[str], vocabulary: dict[str, list[str]]
) -> tuple[dict[str, np.ndarray], dict[str, int]]:
    names: list[str] = []
    columns: list[np.ndarray] = []
    unseen: dict[str, int] = {}
    for position, feature in enumerate(NSL_KDD_FEATURES):
        values = [row[position] for row in rows]
        if feature in vocabulary:
            categories = vocabulary[feature]
            for category in categories:
                names.append(f"{feature}={category}")
                columns.append(np.array([v == category for v in values], dtype=np.float64))
            unseen[feature] = sum(v not in categories for v in values)
        else:
            names.append(feature)
            columns.append(np.array([float(v) for v in values], dtype=np.float64))
    X = np.column_stack(columns)
    X = np.asfortranarray(X.astype(smallest_lossless_dtype(X)))
    arrays = {
        "X": X,
        "y": np.array([c != "normal" for c in classes], dtype=np.uint8),
        "feature_names": np.array(names, dtype=np.str_),
        "label_names": np.array(classes, dtype=np.str_),
    }
    return arrays, unseen


def build(datasets_dir: Path) -> dict[str, bytes]:
    """Every bundled file name -> its bytes."""
    outputs: dict[str, bytes] = {}
    nsl_dir = datasets_dir / "nsl_kdd"
    parsed = {
        name: parse_nsl_kdd(read_verified(nsl_dir, file).decode("ascii"), file)
        for name, file in NSL_KDD_FILES.items()
    }
    vocabulary = nsl_kdd_vocabulary(parsed["nsl_kdd_train"][0])
    for name, (rows, classes) in parsed.items():
        arrays, unseen = encode_nsl_kdd(rows, classes, vocabulary)
        outputs[f"{name}.npz"] = write_npz_bytes(arrays)
        print(
            f"{name}: X {arrays['X'].shape} {arrays['X'].dtype}, "
            f"{int(arrays['y'].sum())} attacks, {len(set(classes))} classes, "
            f"rows with a category unseen in training: {unseen}"
        )
    adbench_dir = datasets_dir / "adbench"
    for name, stem in ADBENCH_FILES.items():
        outputs[f"{name}.npz"] = read_verified(adbench_dir, f"{stem}.npz")
    return outputs


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("datasets_dir", nargs="?", type=Path, default=DEFAULT_DATASETS_DIR)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT_DIR)
    parser.add_argument(
        "--check", action="store_true", help="compare with --output instead of writing"
    )
    options = parser.parse_args(argv)
    if not (options.datasets_dir / "README.md").is_file():
        parser.error(f"{options.datasets_dir} does not look like the shared datasets folder")
    outputs = build(options.datasets_dir)
    differing = []
    for file, data in outputs.items():
        target = options.output / file
        print(f"  {file}: {len(data):,} bytes, sha256 {sha256_of(data)}")
        if options.check:
            if not target.is_file() or target.read_bytes() != data:
                differing.append(file)
            continue
        options.output.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.tmp")
        temporary.write_bytes(data)
        shutil.move(temporary, target)
    total = sum(len(data) for data in outputs.values())
    print(f"total: {total:,} bytes")
    if differing:
        print(f"differ from {options.output}: {', '.join(differing)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
