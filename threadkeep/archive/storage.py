"""Storage behind the archive: one small interface, and the local folder that implements it.

The archive touches storage only through :class:`Storage` (read, write atomically, append a
line, list, lock), so that an object-storage backend (the S3 protocol through fsspec) can slot
in later without touching merge logic. Paths are relative, ``/``-separated, and built only by
the archive from validated ids and hashes (see :func:`safe_path`).

Local writes are atomic: a temporary file in the same folder, ``fsync``, ``os.replace``, then
an ``fsync`` of the folder, so that a crash at any instant leaves either the old file or the
new one, never half of either. Files written together (a capture's snapshot and records:
:meth:`LocalStorage.write_atomic_many`) share the waits: every temporary file is written, all
are synced at once, renamed in order, then each folder is synced once. Appends write a whole
line in one ``write`` call on a file opened with ``O_APPEND``. Before it, a last line left
without its newline is looked at: kept and ended with a newline when it is whole, cut off
when it is torn (see :func:`_end_last_line`).
"""

from __future__ import annotations

import contextlib
import errno
import functools
import itertools
import json
import os
import re
import stat
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO, Protocol

from threadkeep.errors import ArchiveError, LockTimeout
from threadkeep.files import TEMP, is_temporary

__all__ = ["LocalStorage", "Storage", "is_whole_line", "safe_path", "write_atomic_many"]

_SAFE_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_NO_PART = frozenset({"", ".", ".."})  # in a stored path: leads out, or is no name
_SYNC_THREADS = 8  # syncs waited for at once: the file system commits them together
_OPEN_AT_ONCE = 256  # temporary files of a batch held open, waiting for their sync
_NO_FOLDER_SYNC = {errno.EINVAL, errno.EBADF, errno.ENOTSUP, errno.EOPNOTSUPP}  # not possible


def safe_path(*parts: str) -> str:
    """Join path parts, refusing anything that could leave the store ("..", "/", odd bytes)."""
    for part in parts:
        if not _SAFE_PART.match(part) or part in (".", ".."):
            raise RefusedPath(f"unsafe name for a stored file: {part!r}")
    return "/".join(parts)


class Storage(Protocol):
    """What the archive needs from where it keeps its files.

    Paths are relative and ``/``-separated. Implement these nine methods over another backend
    (object storage through fsspec, say) and pass it as ``Archive(path, storage=...)``;
    :class:`LocalStorage` is the reference implementation. A backend may add an eighth,
    ``write_atomic_many(items)``, to write several files in one batch (see
    :func:`write_atomic_many`); without it they are written one after another. One that
    leaves temporary files behind when a writer is killed may add ``temporaries()``, naming
    them, for ``verify`` to report and ``verify --repair`` to remove. One that can read a file
    as a stream may add ``open(path)`` (a binary file object): a large media file is then
    read in chunks, not whole.

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

    def create(self, path: str, data: bytes) -> bool:
        """Write the file only if it does not exist, atomically: True when this call made
        it, False when it existed (its bytes are left as they are). Durable when it returns.
        """
        ...

    def list(self, prefix: str) -> Iterator[str]:
        """Every file path under the folder ``prefix``, sorted."""
        ...

    def list_after(self, prefix: str, after: str | None) -> Iterator[str]:
        """The paths of :meth:`list` that sort after ``after`` (every one when None)."""
        ...

    def remove(self, path: str) -> None:
        """Delete a file if it exists."""
        ...

    def lock(self, timeout: float) -> contextlib.AbstractContextManager[None]:
        """Hold the store's write lock; :class:`LockTimeout` after ``timeout`` seconds."""
        ...


class LocalStorage:
    """The embedded default: a folder on the local disk.

    Writes go through a temporary file, ``fsync`` and a rename; the lock is an exclusive
    ``flock`` of the file ``lock`` in the folder (``filelock``'s, where a system has none). A
    path that would leave the folder raises :class:`ArchiveError`.

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
        self._root = str(self.root)
        self._inside = os.path.join(self._root, "")  # what every path in the store starts with

    def _full(self, path: str) -> str:
        """Where the stored ``path`` is on disk; :class:`RefusedPath` if it could leave the store.

        Its parts are checked as strings (no ``..``, ``.``, empty part, separator or NUL);
        then each part that exists is looked at without following it (one ``lstat``), and
        only a symbolic link met on the way is resolved: it is refused when it leads out of
        the store, and followed when it stays in it.
        """
        parts = path.split("/")
        if any(part in _NO_PART or os.sep in part or "\0" in part for part in parts):
            raise RefusedPath(f"path escapes the store: {path}", path=path)
        full = os.sep.join([self._root, *parts])
        here = self._root
        for part in parts:
            here = f"{here}{os.sep}{part}"
            try:
                mode = os.lstat(here).st_mode
            except (FileNotFoundError, NotADirectoryError):
                break  # nothing further exists to lead anywhere
            if stat.S_ISLNK(mode):
                return self._resolved(path, full)
        return full

    def _resolved(self, path: str, full: str) -> str:
        real = os.path.realpath(full)
        if real != self._root and not real.startswith(self._inside):
            raise RefusedPath(f"path escapes the store: {path}", path=real)
        return real

    def read(self, path: str) -> bytes:
        with open(self._full(path), "rb") as stream:
            return stream.read()

    def open(self, path: str) -> BinaryIO:
        """The file as a binary stream, to read a large one in chunks."""
        return open(self._full(path), "rb")

    def exists(self, path: str) -> bool:
        return os.path.isfile(self._full(path))

    def write_atomic(self, path: str, data: bytes) -> None:
        _write_files([(self._full(path), data)])

    def write_atomic_many(self, items: Sequence[tuple[str, bytes]]) -> None:
        """Write each ``(path, data)`` atomically, renamed in the order given; return once every
        one is durable.

        Every file is written to a temporary file beside it; those are synced together (a few
        at once, which the file system commits in shared journal writes), renamed in order,
        and then each folder they went into (and the parent of each folder made for them) is
        synced once. A process killed at any instant leaves the first files renamed, each
        whole, and the others as they were; a power loss before the end, any of them renamed.
        A failure (a full disk, an I/O error) raises :class:`ArchiveError` naming the file;
        every temporary file not yet renamed is removed.
        """
        _write_files([(self._full(path), data) for path, data in items])

    def write_atomic_chunks(self, path: str, chunks: Iterable[bytes]) -> None:
        """Replace the file with the bytes of ``chunks``, written as they come (a large file is
        never whole in memory), atomically, durable when this returns (as
        :meth:`write_atomic_many` writes one file)."""
        target = self._full(path)
        folders = _make_folders([target])
        folder, name = os.path.split(target)
        with _writing(target):
            handle, temp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=TEMP)
        try:
            _write_synced(handle, target, chunks)
            with _writing(target):
                os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        for made in folders:
            _sync_folder(made)

    def write_atomic_named(
        self, folder: str, chunks: Iterable[bytes], name: Callable[[], str]
    ) -> bool:
        """Write the bytes of ``chunks`` as they come into a temporary file in ``folder``, sync
        it, then rename it to ``name()``, asked once every chunk is written (a path named by
        the bytes' hash): durable when this returns. Whether it was renamed: a file already
        at that path is kept, the temporary file removed. An exception while the chunks come
        (a body over its cap) removes the temporary file and is raised as it is."""
        start = self._full(folder + "/.incoming")
        _make_folders([start])
        where = os.path.dirname(start)
        with _writing(start):
            handle, temp = tempfile.mkstemp(dir=where, prefix=INCOMING, suffix=TEMP)
        held = _hold(handle)  # written without the store lock: its own lock says it is live
        try:
            _write_synced(handle, start, chunks)
            target = self._full(name())
            folders = _make_folders([target])
            if os.path.isfile(target):
                Path(temp).unlink()
                return False
            with _writing(target):
                os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        finally:
            os.close(held)
        for made in folders:
            _sync_folder(made)
        return True

    def append_line(self, path: str, line: bytes) -> None:
        target = self._full(path)
        os.makedirs(os.path.dirname(target), exist_ok=True)
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

    def create(self, path: str, data: bytes) -> bool:
        """Write ``path`` only if it is absent: a temporary file beside it, synced, then
        linked to its name (``os.link`` refuses an existing one: False, the file kept as it
        is), the temporary file removed and the folder synced. True when this call made it."""
        target = self._full(path)
        for attempt in range(3):  # a folder pruned (:meth:`prune`) meanwhile: made again
            try:
                return self._create(target, data)
            except FileNotFoundError:
                if attempt == 2:
                    raise _storage_error(OSError(2, "its folder keeps vanishing"), target) from None
        return False  # not reached

    def _create(self, target: str, data: bytes) -> bool:
        folders = _make_folders([target])
        folder, name = os.path.split(target)
        made = _create_unnamed(folder, name, target, data)
        if made is not None:
            if made:
                for each in folders:
                    _sync_folder(each)
            return made
        try:
            handle, temp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=TEMP)
        except FileNotFoundError:
            raise
        except OSError as exc:
            raise _storage_error(exc, target) from exc
        try:
            with _writing(target), os.fdopen(handle, "wb") as stream:
                os.fchmod(handle, 0o644)
                stream.write(data)
                stream.flush()
                os.fsync(handle)
            if not _linked(lambda: os.link(temp, target), target):
                return False
        finally:
            Path(temp).unlink(missing_ok=True)
        for each in folders:
            _sync_folder(each)
        return True

    def prune(self, prefix: str) -> None:
        """Remove the empty folders under ``prefix`` (an inbox's, once its pointers are
        gone); a file written into one meanwhile is not lost: :meth:`create` makes its
        folder again."""
        top = self._full(prefix)
        for folder, _, _ in sorted(os.walk(top), reverse=True):
            if folder != top:
                with contextlib.suppress(OSError):
                    os.rmdir(folder)

    def list_after(self, prefix: str, after: str | None) -> Iterator[str]:
        for path in self.list(prefix):
            if after is None or path > after:
                yield path

    def list(self, prefix: str) -> Iterator[str]:
        """The files under folder ``prefix``, sorted by their parts (as ``Path``s sort): each
        folder read once with ``scandir`` (a symbolic link to a folder is not followed, one to
        a file is listed, a temporary file never)."""
        folder = self._full(prefix)
        if not os.path.isdir(folder):
            return
        base = os.path.relpath(folder, self._root).replace(os.sep, "/")
        found: list[tuple[str, ...]] = []
        _walk(folder, (), found)
        found.sort()
        for parts in found:
            yield "/".join((base, *parts))

    def remove(self, path: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._full(path))

    def temporaries(self) -> Iterator[str]:
        """Every temporary file in the store (``.<name>.<random>.tmp``), sorted: a write not
        finished. :meth:`list` never names them; a writer killed in the middle of a write (of
        a batch: up to one for each of its files) leaves them behind."""
        found = []
        for folder, _, names in os.walk(self._root):
            for name in names:
                if is_temporary(name) and not _live(os.path.join(folder, name)):
                    path = os.path.relpath(os.path.join(folder, name), self._root)
                    found.append(path.replace(os.sep, "/"))
        return iter(sorted(found))

    @contextlib.contextmanager
    def lock(self, timeout: float) -> Iterator[None]:
        """Hold the store's write lock: an exclusive ``flock`` of the file ``lock`` in the
        folder (the lock ``filelock`` takes there too, so a threadkeep that takes it with
        ``filelock`` waits for this one and this one for it); it is let go when its
        descriptor is closed, by the block's end or by the death of the process. Each call
        opens the file anew, so two threads of one process exclude each other too. Where the
        system has no ``flock``, ``filelock`` takes it as it can there."""
        where = self.root / "lock"
        try:
            descriptor = os.open(where, os.O_RDWR | os.O_CREAT, 0o644)
        except FileNotFoundError:  # the store's folder is not made yet
            try:
                self.root.mkdir(parents=True, exist_ok=True)
                descriptor = os.open(where, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                raise _storage_error(exc, where) from exc
        except OSError as exc:  # a read-only store
            raise _storage_error(exc, where) from exc
        try:
            held = _flock(descriptor, timeout, where)
        except BaseException:
            os.close(descriptor)
            raise
        if not held:  # no flock here: filelock's way
            os.close(descriptor)
            with self._filelock(timeout):
                yield
            return
        try:
            yield
        finally:
            os.close(descriptor)  # lets the lock go

    @contextlib.contextmanager
    def _filelock(self, timeout: float) -> Iterator[None]:
        """The store's write lock taken by ``filelock`` (a system without ``flock``; loaded
        only there: 15 ms of every command's start otherwise)."""
        import filelock

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


def _walk(folder: str, parts: tuple[str, ...], found: list[tuple[str, ...]]) -> None:
    """Add the parts of every file under ``folder`` (below ``parts``) to ``found``: what
    ``Path.rglob`` and ``is_file`` give (an unreadable folder passed over, a symbolic link to
    a folder not followed), but with one ``scandir`` per folder and no ``Path`` made."""
    try:
        with os.scandir(folder) as entries:
            listed = [(entry.name, entry.path, entry.is_dir(follow_symlinks=False),
                       entry.is_file()) for entry in entries]  # fmt: skip
    except (FileNotFoundError, NotADirectoryError, PermissionError):
        return
    for name, path, is_folder, is_file in listed:
        if is_folder:
            _walk(path, (*parts, name), found)
        elif is_file and not is_temporary(name):
            found.append((*parts, name))


def write_atomic_many(storage: Storage, items: Sequence[tuple[str, bytes]]) -> None:
    """Write every ``(path, data)`` of ``items`` atomically, in order: in one batch when the
    storage has a ``write_atomic_many`` (as :class:`LocalStorage` has), else one by one."""
    batch: Callable[[Sequence[tuple[str, bytes]]], None] | None
    batch = getattr(storage, "write_atomic_many", None)
    if batch is not None:
        batch(items)
        return
    for path, data in items:
        storage.write_atomic(path, data)


def _write_files(files: list[tuple[str, bytes]]) -> None:
    """Write each ``(target, data)`` atomically (see :meth:`LocalStorage.write_atomic_many`)."""
    if not files:
        return
    with _syncer(len(files)) as run:
        folders = _make_folders([target for target, _ in files])
        temps: list[tuple[str, str]] = []
        renamed = 0
        try:
            for start in range(0, len(files), _OPEN_AT_ONCE):
                _write_temps(files[start : start + _OPEN_AT_ONCE], temps, run)
            for temp, target in temps:
                with _writing(target):
                    os.replace(temp, target)
                renamed += 1
        finally:
            for temp, _ in temps[renamed:]:
                Path(temp).unlink(missing_ok=True)
        run([functools.partial(_sync_folder, folder) for folder in folders])


Job = Callable[[], None]


@contextlib.contextmanager
def _syncer(size: int) -> Iterator[Callable[[list[Job]], None]]:
    """A runner of sync jobs for a batch of ``size`` files: the jobs shared out among a few
    threads (each runs its share one after another) for a batch of several files, run in this
    thread for one. It returns when every share is done, and raises a failure if one failed."""
    if size == 1:
        yield _run_here
        return
    threads = min(_SYNC_THREADS, size)
    with ThreadPoolExecutor(threads, thread_name_prefix="threadkeep-sync") as pool:
        yield lambda jobs: _run_in(pool, threads, jobs)


def _run_here(jobs: list[Job]) -> None:
    for job in jobs:
        job()


def _run_in(pool: Executor, threads: int, jobs: list[Job]) -> None:
    futures = [pool.submit(_run_here, jobs[n::threads]) for n in range(min(threads, len(jobs)))]
    for future in futures:
        future.exception()  # wait for every share, so that no sync runs on past a failure
    for future in futures:
        future.result()


@contextlib.contextmanager
def _writing(target: str) -> Iterator[None]:
    """An :class:`OSError` in the block, as the :class:`ArchiveError` that names ``target``."""
    try:
        yield
    except OSError as exc:
        raise _storage_error(exc, target) from exc


def _write_synced(handle: int, target: str, chunks: Iterable[bytes]) -> None:
    """Write ``chunks`` to the new temporary file open on ``handle`` (closed after), readable
    by all (``0644``), and sync it: errors name ``target``."""
    with _writing(target), os.fdopen(handle, "wb") as stream:
        os.fchmod(handle, 0o644)
        for chunk in chunks:
            stream.write(chunk)
        stream.flush()
        os.fsync(handle)


def _make_folders(targets: list[str]) -> list[str]:
    """Make the folders ``targets`` go into; the folders to sync once they are renamed: each
    of those folders, and the parent of every folder made here (its new entry)."""
    folders = list(dict.fromkeys(os.path.dirname(target) for target in targets))
    synced = dict.fromkeys(folders)
    for folder in folders:
        missing = []
        here = folder
        while not os.path.isdir(here):
            missing.append(here)
            here = os.path.dirname(here)
        for made in reversed(missing):
            with _writing(made), contextlib.suppress(FileExistsError):  # made by another
                os.mkdir(made)
            synced[os.path.dirname(made)] = None
    return list(synced)


def _write_temps(
    files: Sequence[tuple[str, bytes]],
    temps: list[tuple[str, str]],
    run: Callable[[list[Job]], None],
) -> None:
    """Write each file's temporary file beside it (listed in ``temps`` as soon as it exists),
    then sync them all before closing them."""
    handles: list[tuple[int, str]] = []
    try:
        for target, data in files:
            folder, name = os.path.split(target)
            with _writing(target):
                handle, temp = _new_temporary(folder, name)
                handles.append((handle, target))
                temps.append((temp, target))
                os.fchmod(handle, 0o644)  # a stored file is for all to read, whatever the umask
                _write_all(handle, data)
        run([functools.partial(_sync_file, handle, target) for handle, target in handles])
    finally:
        for handle, _ in handles:
            os.close(handle)


# A batch's temporary files are named by a token drawn once per process (again in a forked
# child) and a counter, and made with O_EXCL as ``tempfile.mkstemp`` makes its random names: a
# name that exists (left by a process killed before, or taken by another) is skipped, never
# opened. mkstemp draws eight random characters and builds its path for each file, which cost
# as much as the create itself (a new capture writes about a hundred files).
_TEMPORARY_COUNT = itertools.count()
_TEMPORARY_TOKEN = [os.urandom(4).hex()]
os.register_at_fork(after_in_child=lambda: _TEMPORARY_TOKEN.__setitem__(0, os.urandom(4).hex()))
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC | getattr(os, "O_BINARY", 0)


def _new_temporary(folder: str, name: str) -> tuple[int, str]:
    """A new temporary file beside ``name`` in ``folder`` (``0600`` until changed), open to
    write: its descriptor and path."""
    while True:
        temp = f"{folder}{os.sep}.{name}.{_TEMPORARY_TOKEN[0]}{next(_TEMPORARY_COUNT):x}{TEMP}"
        try:
            return os.open(temp, _CREATE, 0o600), temp
        except FileExistsError:
            continue


def _write_all(handle: int, data: bytes) -> None:
    """Write all of ``data`` to ``handle`` (``os.write`` may write less than it is given; a
    write that writes nothing at all is a failure, not a reason to try for ever)."""
    view = memoryview(data)
    while view:
        written = os.write(handle, view)
        if not written:
            raise OSError(errno.EIO, "the file system wrote none of the bytes given")
        view = view[written:]


def _sync_file(descriptor: int, target: str) -> None:
    with _writing(target):
        os.fsync(descriptor)


def _sync_folder(folder: str) -> None:
    """``fsync`` a folder, making the renames in it durable. A system that cannot sync a
    folder (it refuses to open one, or to sync it) is let be; any other failure raises."""
    with _writing(folder):
        try:
            descriptor = os.open(folder, os.O_RDONLY)
        except (PermissionError, IsADirectoryError):  # a folder cannot be opened there
            return
        try:
            os.fsync(descriptor)
        except OSError as exc:
            if exc.errno not in _NO_FOLDER_SYNC:
                raise
        finally:
            os.close(descriptor)


def _end_last_line(target: str) -> bytes:
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
        size = os.stat(target).st_size
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


def _storage_error(exc: OSError, target: str | Path) -> ArchiveError:
    if exc.errno == errno.ENOSPC:
        return ArchiveError(
            f"disk full while writing {target} (that file is unchanged)", path=str(target)
        )
    return ArchiveError(f"could not write {target}: {exc.strerror or exc}", path=str(target))


INCOMING = ".incoming."
"""The prefix of the temporary files :meth:`LocalStorage.write_atomic_named` streams into."""


_UNNAMED = hasattr(os, "O_TMPFILE") and os.path.isdir("/proc/self/fd")
"""Linux: a new file can be written with no name (``O_TMPFILE``), then linked to its name."""
_NO_UNNAMED = {errno.EOPNOTSUPP, errno.ENOTSUP, errno.EISDIR, errno.EINVAL}
"""``O_TMPFILE`` errors that say the file system (or the kernel) cannot make such a file."""


def _create_unnamed(folder: str, name: str, target: str, data: bytes) -> bool | None:
    """Write ``data`` to ``folder/name`` only if it is absent, the Linux way: a file with no
    name (``O_TMPFILE``) written and synced, then linked to its name (``linkat``, which
    refuses an existing one: False). No temporary name is made, removed, or left behind by a
    kill. None when the system cannot (the caller then uses a named temporary file); a
    folder removed meanwhile raises :class:`FileNotFoundError` (the caller makes it again)."""
    if not _UNNAMED:
        return None
    try:
        handle = os.open(folder, os.O_TMPFILE | os.O_WRONLY, 0o644)
    except FileNotFoundError:
        if os.path.isdir(folder):  # the folder is there: no O_TMPFILE here after all
            return None
        raise
    except OSError as exc:
        if exc.errno in _NO_UNNAMED:
            return None
        raise _storage_error(exc, target) from exc
    try:
        with _writing(target), os.fdopen(handle, "wb", closefd=False) as stream:
            os.fchmod(handle, 0o644)  # whatever the umask: a stored file is for all to read
            stream.write(data)
            stream.flush()
            os.fsync(handle)
        try:
            directory = os.open(folder, os.O_RDONLY)
        except FileNotFoundError:
            raise
        except OSError as exc:
            raise _storage_error(exc, target) from exc
        try:
            source = f"/proc/self/fd/{handle}"
            return _linked(lambda: os.link(source, name, dst_dir_fd=directory), target)
        finally:
            os.close(directory)
    finally:
        os.close(handle)


def _linked(link: Callable[[], None], target: str) -> bool:
    """Make a new file's name (``link``, which refuses an existing one): True when made,
    False when ``target`` exists already (kept as it is). A folder gone meanwhile raises
    :class:`FileNotFoundError` (:meth:`LocalStorage.create` makes it again); any other
    failure, the :class:`ArchiveError` that names ``target``."""
    try:
        link()
    except FileExistsError:
        return False
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise _storage_error(exc, target) from exc
    return True


_NO_FLOCK = {errno.ENOSYS, errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EINVAL}
"""``flock`` errors that say the system cannot lock that file (then ``filelock`` does)."""


def _flock(descriptor: int, timeout: float, where: Path) -> bool:
    """Take an exclusive ``flock`` of the open file ``descriptor``, waiting ``timeout``
    seconds at most (0: only if it is free now; tried again after 1 ms, then twice as long each
    time up to 50 ms): True when taken, False when the system has no ``flock`` for it;
    :class:`LockTimeout` when another holds it that long."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - no flock on this system
        return False
    deadline = time.monotonic() + timeout
    pause = 0.001
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            pass
        except OSError as exc:
            if exc.errno in _NO_FLOCK:
                return False
            raise _storage_error(exc, where) from exc
        left = deadline - time.monotonic()
        if left <= 0:
            raise LockTimeout(
                f"another process has held the store lock for over {timeout:g} s "
                f"({where}); try again when it is done",
                path=str(where),
            )
        time.sleep(min(pause, left))
        pause = min(pause * 2, 0.05)


def _hold(handle: int) -> int:
    """Lock the streamed file open on ``handle`` (``flock``, on a duplicate that outlives the
    stream's own descriptor until after the rename): while it is held the file is a live
    writer's, which :func:`_live` tells ``verify --repair`` (that removes dead writers' files
    under the store lock, which a streaming writer does not hold). The duplicate to close."""
    held = os.dup(handle)
    with contextlib.suppress(OSError, AttributeError):  # no flock: the old rule, as before
        import fcntl

        fcntl.flock(held, fcntl.LOCK_EX)
    return held


def _live(path: str) -> bool:
    """Whether a streamed temporary file (:data:`INCOMING`) is still being written: its
    writer holds its ``flock``. Other temporary files are written under the store lock, so
    under that lock none is live."""
    if not os.path.basename(path).startswith(INCOMING):
        return False
    try:
        import fcntl
    except ImportError:  # pragma: no cover - no flock on this system
        return False
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except OSError:
        return True  # gone since it was listed: its writer renamed it
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(descriptor)
    return False
