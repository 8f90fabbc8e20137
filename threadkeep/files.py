"""Files on the local disk: the one atomic write and the one folder walk threadkeep has.

:func:`atomic_file` (binary; the archive's local storage writes through it),
:func:`atomic_writer` (text) and :func:`write_atomic` (text, at once) write a file whole or
not at all: a temporary file in the same folder, ``fsync``, then ``os.replace``, so that a
reader never sees half a file and a crash leaves the old file. :func:`walk` lists the files
below a folder in sorted order, leaving out one folder (a run's own output) so that a second
run never reads its outputs back as inputs. Only the standard library is imported here.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import BinaryIO, TextIO

__all__ = [
    "OutputError",
    "atomic_file",
    "atomic_writer",
    "is_temporary",
    "os_problem",
    "sync_folder",
    "walk",
    "write_atomic",
]

TEMP = ".tmp"  # the suffix of a temporary file that is not yet a file


@contextlib.contextmanager
def atomic_file(target: Path, *, mode: int = 0o644) -> Iterator[BinaryIO]:
    """A binary stream that becomes ``target`` when the ``with`` block ends without error.

    Missing parent folders are made. If the block raises (``KeyboardInterrupt`` included),
    the temporary file (``.<name>.*.tmp`` beside ``target``) is removed and ``target`` is left
    as it was. Once renamed, the folder is synced too: a rename is durable only then (POSIX).

    Example::

        with atomic_file(Path("store/raw/ab/abcd.gz")) as stream:
            stream.write(b"...")
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=TEMP)
    try:
        os.fchmod(handle, mode)  # mkstemp makes 0600; an output file is for everyone to read
        with os.fdopen(handle, "wb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    sync_folder(target.parent)


@contextlib.contextmanager
def atomic_writer(target: Path, *, mode: int = 0o644) -> Iterator[TextIO]:
    """:func:`atomic_file` as a UTF-8 text stream.

    Example::

        with atomic_writer(Path("out/all.jsonl")) as stream:
            stream.write('{"kind": "thread"}\\n')
    """
    with atomic_file(target, mode=mode) as raw:
        stream = io.TextIOWrapper(raw, encoding="utf-8")
        yield stream
        stream.flush()
        stream.detach()  # the binary stream is closed by atomic_file, after its fsync


def is_temporary(name: str) -> bool:
    """True for the name of an :func:`atomic_file` temporary file (a write not finished)."""
    return name.startswith(".") and name.endswith(TEMP)


def sync_folder(folder: Path) -> None:
    """``fsync`` a folder, making the renames in it durable; systems that refuse it are let be."""
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def write_atomic(target: Path, text: str) -> None:
    """Write ``text`` to ``target`` whole or not at all (see :func:`atomic_writer`).

    Example::

        write_atomic(Path("thread.json"), '{"kind": "thread"}\\n')
    """
    with atomic_writer(target) as stream:
        stream.write(text)


def suffix_of(name: str) -> str:
    """A file name's suffix in lower case, ``.warc.gz`` whole: ``crawl.WARC.gz`` → ``.warc.gz``."""
    lowered = name.lower()
    return ".warc.gz" if lowered.endswith(".warc.gz") else Path(lowered).suffix


def walk(folder: Path, suffixes: Collection[str], *, skip: Collection[Path] = ()) -> Iterator[Path]:
    """Every file below ``folder`` whose suffix (in any case) is one of ``suffixes``, sorted.

    Folders in ``skip`` (compared resolved) are not entered, and files in it are left out: a
    run writing below its input never reads its own outputs back. The temporary files of
    :func:`atomic_writer` (``.name.*.tmp``) never match a page suffix.

    Example::

        for path in walk(Path("saved"), {".html", ".md"}, skip=[Path("saved/out")]):
            print(path)
    """
    skipped = {p.resolve() for p in skip}
    found: list[Path] = []
    for root, folders, files in os.walk(folder):
        here = Path(root)
        names = [name for name in files if suffix_of(name) in suffixes]
        if skipped:  # resolved once a folder, not once a file
            real = here.resolve()
            folders[:] = [f for f in folders if real / f not in skipped]
            names = [name for name in names if real / name not in skipped]
        found.extend(here / name for name in names)
    # Sorted as Path objects, as rglob-then-sort sorted them: outputs keep their order.
    return iter(sorted(p for p in found if p.is_file()))


class OutputError(OSError):
    """An output file could not be written; ``str()`` is the one line to show."""

    @classmethod
    def writing(cls, target: Path | str, exc: OSError) -> OutputError:
        """``out/page.json: could not write (No space left on device)``."""
        return cls(f"{target}: could not write ({exc.strerror or exc})")


def os_problem(exc: OSError) -> str:
    """``[Errno 2] No such file or directory: 'x'`` → ``no such file``."""
    if isinstance(exc, FileNotFoundError):
        return "no such file"
    if isinstance(exc, IsADirectoryError):
        return "is a folder (give the files in it: folder/*.html)"
    if isinstance(exc, PermissionError):
        return "permission denied"
    return exc.strerror.lower() if exc.strerror else str(exc)
