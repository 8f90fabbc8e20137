"""Storage behind the archive: one small interface, and the local folder that implements it.

The archive touches storage only through :class:`Storage` (read, write atomically, append a
line, list, lock), so that an object-storage backend (the S3 protocol through fsspec) can slot
in later without touching merge logic. Paths are relative, ``/``-separated, and built only by
the archive from validated ids and hashes (see :func:`safe_path`).

Local writes are atomic: a temporary file in the same folder, ``fsync``, ``os.replace``, then
an ``fsync`` of the folder, so that a crash at any instant leaves either the old file or the
new one, never half of either. Appends write a whole line in one ``write`` call on a file
opened with ``O_APPEND``. Before it, a last line left without its newline is looked at: kept
and ended with a newline when it is whole, cut off when it is torn (see :func:`_end_last_line`).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

import filelock

from threadkeep.errors import ArchiveError, LockTimeout
from threadkeep.files import atomic_file, is_temporary

__all__ = ["LocalStorage", "Storage", "is_whole_line", "safe_path"]

_SAFE_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def safe_path(*parts: str) -> str:
    """Join path parts, refusing anything that could leave the store ("..", "/", odd bytes)."""
    for part in parts:
        if not _SAFE_PART.match(part) or part in (".", ".."):
            raise RefusedPath(f"unsafe name for a stored file: {part!r}")
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
        """Append one line (``line`` ends with ``\\n``) to an append-only file of JSON lines.

        A last line without its newline is ended with one first when it is a whole JSON
        object, and cut off when it is not (torn by a crash): never joined to the new line.
        """
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
            raise RefusedPath(f"path escapes the store: {path}", path=str(full))
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
            line = _end_last_line(target) + line
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


def _end_last_line(target: Path) -> bytes:
    """Make the file ready for the next line: what to write before it (``b""`` or a newline).

    A file that ends with a newline (or is empty) is ready. Otherwise the bytes after its last
    newline are looked at, however many there are. When they are one whole JSON object, that
    line was written whole and only its newline is missing (cut by hand, or by a tool): it is
    kept, and a newline goes before the next line. When they are not, the line was torn (a
    crash, a short write, bytes cut off the end): those bytes, and only those, are cut. That
    cannot lose a whole line: every line is one JSON object, and no proper prefix of a JSON
    object parses as one. The capture whose line was torn kept its raw body, which is written
    before the line; ``verify`` reports it as orphaned and ``verify --repair`` recovers it.
    """
    try:
        size = target.stat().st_size
    except FileNotFoundError:
        return b""
    if size == 0:
        return b""
    with open(target, "rb+") as stream:
        start = _last_line_start(stream, size)
        if start == size:
            return b""
        stream.seek(start)
        if is_whole_line(stream.read()):
            return b"\n"
        stream.truncate(start)
        stream.flush()
        os.fsync(stream.fileno())
    return b""


def _last_line_start(stream: BinaryIO, size: int, chunk: int = 65536) -> int:
    """Where the last line starts: just after the last newline (0 when there is none)."""
    end = size
    while end > 0:
        begin = max(0, end - chunk)
        stream.seek(begin)
        found = stream.read(end - begin).rfind(b"\n")
        if found >= 0:
            return begin + found + 1
        end = begin
    return 0


def is_whole_line(line: bytes) -> bool:
    """True when ``line`` is one whole JSON object (a line that only lacks its newline)."""
    if not line.rstrip().endswith(b"}"):  # torn: a JSON object ends with its brace
        return False
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:  # not JSON, or not UTF-8
        return False


class RefusedPath(ArchiveError):
    """A stored path with an unsafe name, or that resolves outside the store (through a
    symbolic link, say): refused before anything is written there. No disk trouble."""


def _storage_error(exc: OSError, target: Path) -> ArchiveError:
    if exc.errno == errno.ENOSPC:
        return ArchiveError(
            f"disk full while writing {target} (that file is unchanged)", path=str(target)
        )
    return ArchiveError(f"could not write {target}: {exc.strerror or exc}", path=str(target))
