"""Storage behind the archive: one small interface, and the local folder that implements it.

The archive touches storage only through :class:`Storage` (read, write atomically, append a
line, list, lock), so that an object-storage backend (the S3 protocol through fsspec) can slot
in later without touching merge logic. Paths are relative, ``/``-separated, and built only by
the archive from validated ids and hashes (see :func:`safe_path`).

Local writes are atomic: a temporary file in the same folder, ``fsync``, ``os.replace``, then
an ``fsync`` of the folder, so that a crash at any instant leaves either the old file or the
new one, never half of either. Appends write a whole line in one ``write`` call on a file
opened with ``O_APPEND``; a torn last line left by a crash is cut off before the next append.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import filelock

from threadkeep.errors import ArchiveError, LockTimeout
from threadkeep.files import atomic_file, is_temporary

__all__ = ["LocalStorage", "Storage", "safe_path"]

_SAFE_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def safe_path(*parts: str) -> str:
    """Join path parts, refusing anything that could leave the store ("..", "/", odd bytes)."""
    for part in parts:
        if not _SAFE_PART.match(part) or part in (".", ".."):
            raise ArchiveError(f"unsafe name for a stored file: {part!r}")
    return "/".join(parts)


class Storage(Protocol):
    """What the archive needs from where it keeps its files.

    Paths are relative and ``/``-separated. Implement these seven methods over another backend
    (object storage through fsspec, say) and pass it as ``Archive(path, storage=...)``;
    :class:`LocalStorage` is the reference implementation.

    Examples:
        >>> import tempfile
        >>> from threadkeep.archive import LocalStorage, Storage
        >>> storage: Storage = LocalStorage(tempfile.mkdtemp())
        >>> storage.write_atomic("notes/a.txt", b"kept")
        >>> storage.read("notes/a.txt"), list(storage.list("notes"))
        (b'kept', ['notes/a.txt'])
    """

    def read(self, path: str) -> bytes:
        """The file's bytes; :class:`FileNotFoundError` when it does not exist."""
        ...

    def exists(self, path: str) -> bool:
        """True when the file exists."""
        ...

    def write_atomic(self, path: str, data: bytes) -> None:
        """Replace the file with ``data`` in one step: readers see the old or the new, whole."""
        ...

    def append_line(self, path: str, line: bytes) -> None:
        """Append one line (``line`` ends with ``\\n``) to an append-only file."""
        ...

    def list(self, prefix: str) -> Iterator[str]:
        """Every file path under the folder ``prefix``, sorted."""
        ...

    def remove(self, path: str) -> None:
        """Delete a file if it exists."""
        ...

    def lock(self, timeout: float) -> contextlib.AbstractContextManager[None]:
        """Hold the store's write lock; :class:`LockTimeout` after ``timeout`` seconds."""
        ...


class LocalStorage:
    """The embedded default: a folder on the local disk.

    Writes go through a temporary file, ``fsync`` and a rename; the lock is a ``filelock``
    file in the folder. A path that would leave the folder raises :class:`ArchiveError`.

    Examples:
        >>> import tempfile
        >>> import threadkeep
        >>> from threadkeep.archive import LocalStorage
        >>> folder = tempfile.mkdtemp()
        >>> archive = threadkeep.Archive(folder, storage=LocalStorage(folder))
        >>> archive.storage.exists("threadkeep-store.json")
        True
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).resolve()

    def _full(self, path: str) -> Path:
        full = (self.root / path).resolve()
        if not full.is_relative_to(self.root.resolve()):
            raise ArchiveError(f"path escapes the store: {path}", path=str(full))
        return full

    def read(self, path: str) -> bytes:
        return self._full(path).read_bytes()

    def exists(self, path: str) -> bool:
        return self._full(path).is_file()

    def write_atomic(self, path: str, data: bytes) -> None:
        target = self._full(path)
        try:
            with atomic_file(target) as stream:
                stream.write(data)
        except OSError as exc:
            raise _storage_error(exc, target) from exc

    def append_line(self, path: str, line: bytes) -> None:
        target = self._full(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            _cut_torn_line(target)
            descriptor = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                written = os.write(descriptor, line)
                if written != len(line):
                    raise OSError(errno.EIO, "short write to the capture log")
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
        except OSError as exc:
            raise _storage_error(exc, target) from exc

    def list(self, prefix: str) -> Iterator[str]:
        folder = self._full(prefix)
        if not folder.is_dir():
            return
        for file in sorted(folder.rglob("*")):
            if file.is_file() and not is_temporary(file.name):
                yield file.relative_to(self.root).as_posix()

    def remove(self, path: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._full(path).unlink()

    @contextlib.contextmanager
    def lock(self, timeout: float) -> Iterator[None]:
        guard = filelock.FileLock(str(self.root / "lock"), timeout=timeout)
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            guard.acquire()
        except filelock.Timeout as exc:
            raise LockTimeout(
                f"another process has held the store lock for over {timeout:g} s "
                f"({self.root / 'lock'}); try again when it is done",
                path=str(self.root / "lock"),
            ) from exc
        except OSError as exc:  # a read-only store, or a folder that cannot be made
            raise _storage_error(exc, self.root / "lock") from exc
        try:
            yield
        finally:
            guard.release()


def _cut_torn_line(target: Path) -> None:
    """Cut a last line that a crash left without its newline, so the next line starts clean."""
    try:
        size = target.stat().st_size
    except FileNotFoundError:
        return
    if size == 0:
        return
    with open(target, "rb+") as stream:
        stream.seek(size - 1)
        if stream.read(1) == b"\n":
            return
        stream.seek(max(0, size - 65536))
        tail = stream.read()
        cut = tail.rfind(b"\n")
        stream.truncate(size - len(tail) + cut + 1 if cut >= 0 else max(0, size - len(tail)))
        stream.flush()
        os.fsync(stream.fileno())


def _storage_error(exc: OSError, target: Path) -> ArchiveError:
    if exc.errno == errno.ENOSPC:
        return ArchiveError(
            f"disk full while writing {target} (that file is unchanged)", path=str(target)
        )
    return ArchiveError(f"could not write {target}: {exc.strerror or exc}", path=str(target))
