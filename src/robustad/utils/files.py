"""Crash-safe file writes and hashing (DESIGN.md section 3: writes are atomic).

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> atomic_write_bytes(folder / "a.txt", b"hello")
>>> (folder / "a.txt").read_bytes()
b'hello'
>>> sha256_bytes(b"hello")[:12]
'2cf24dba5fb0'
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

__all__ = [
    "atomic_output_path",
    "atomic_write_bytes",
    "replace_folder",
    "sha256_bytes",
    "swap_folder_into_place",
]


def sha256_bytes(data: bytes) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def _fsync_folder(folder: Path) -> None:
    # Makes the rename itself durable; not supported on every platform, hence the guard.
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_output_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success fsync and rename it over ``path``.

    If the block raises, the temporary file is removed and ``path`` is untouched, so a reader
    never sees a partial file.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    temporary_path = Path(temporary)
    # mkstemp creates the file 0o600; give it the permissions a plain new file would get.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(temporary_path, 0o666 & ~umask)
    try:
        yield temporary_path
        with open(temporary_path, "rb+") as handle:
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary_path, target)
        _fsync_folder(target.parent)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary_path.unlink()


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (temporary file, fsync, rename)."""
    with atomic_output_path(path) as temporary, open(temporary, "wb") as handle:
        handle.write(data)


def replace_folder(path: str | Path, files: Mapping[str, bytes]) -> Path:
    """Write ``files`` into a new folder at ``path``, replacing any folder there.

    The new folder is written and fsynced under a temporary name first; only then is the old
    folder moved aside and the new one renamed into place, so an interrupted save leaves either
    the old folder or the complete new one (or, between the two renames, the old one under a
    ``.old-`` name beside it).
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        for name, data in files.items():
            with open(staging / name, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        _fsync_folder(staging)
        swap_folder_into_place(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def swap_folder_into_place(staging: str | Path, target: str | Path) -> None:
    """Rename the complete folder ``staging`` to ``target``, replacing any folder there.

    The old folder is moved aside first and removed only after the new one is in place, so a
    crash leaves the old folder (possibly under a ``.old-`` name beside it) or the new one.
    """
    staging, target = Path(staging), Path(target)
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
        old.rmdir()
        os.replace(target, old)
    os.replace(staging, target)
    _fsync_folder(target.parent)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
