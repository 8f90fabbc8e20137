"""ExportFiles: the files of one account export, whatever holds them (a zip or a folder).

Subclasses list the members once, checked (:mod:`threadkeep.account.zip_export`,
:mod:`threadkeep.account.folder_export`), and open one member's bytes; this class answers
every question from that list and bounds what is read.
"""

from __future__ import annotations

import io
from types import TracebackType
from typing import IO, BinaryIO

from threadkeep.errors import MalformedExport
from threadkeep.limits import MAX_EXPORT_FILE_BYTES

__all__ = ["ExportFiles"]

_CHUNK = 1 << 20


class ExportFiles:
    """The files of one account export: names relative to its root, sizes, bytes and streams.

    A context manager: closing it closes the zip or files it holds (and removes a temporary
    folder, were one made: none is; members are read in place, never extracted).
    ``name`` names the export in messages (its path, or ``"<bytes>"``).
    """

    def __init__(self, name: str, sizes: dict[str, int]) -> None:
        self.name = name
        self._sizes = sizes

    def names(self) -> list[str]:
        """Every file in the export, as ``/``-separated paths from its root, sorted."""
        return sorted(self._sizes)

    def has(self, name: str) -> bool:
        """True when the export holds a file named ``name``."""
        return name in self._sizes

    def size(self, name: str) -> int:
        """The size of ``name`` in bytes (uncompressed)."""
        return self._sizes[self._known(name)]

    def read(self, name: str) -> bytes:
        """The bytes of the data file ``name``, at most
        :data:`~threadkeep.limits.MAX_EXPORT_FILE_BYTES` of them: a larger file, or one that
        turns out larger while it is decompressed, is refused with :class:`MalformedExport`
        before more is read."""
        size = self.size(name)
        if size > MAX_EXPORT_FILE_BYTES:
            raise self.refuse(name, too_large(size))
        with self.open(name) as stream:
            data = stream.read(MAX_EXPORT_FILE_BYTES + 1)
        if len(data) > MAX_EXPORT_FILE_BYTES:
            raise self.refuse(name, too_large(None))
        return data

    def open(self, name: str) -> BinaryIO:
        """A stream of the bytes of ``name`` (for copying media without holding them); read
        errors (a damaged zip) come out of it as :class:`MalformedExport` naming the file."""
        raw = _Guarded(self._open_member(self._known(name)), self, name)
        return io.BufferedReader(raw, _CHUNK)

    def close(self) -> None:
        """Close what the export holds open."""

    def refuse(self, member: str | None, reason: str) -> MalformedExport:
        """The error for ``reason``, naming this export and ``member``."""
        return MalformedExport(reason, source=self.name, member=member)

    def _known(self, name: str) -> str:
        if name not in self._sizes:
            raise self.refuse(name, "no such file in the export")
        return name

    def _open_member(self, name: str) -> IO[bytes]:
        raise NotImplementedError

    def __enter__(self) -> ExportFiles:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<ExportFiles {self.name!r}: {len(self._sizes)} files>"


def too_large(size: int | None) -> str:
    """The reason for a data file over :data:`~threadkeep.limits.MAX_EXPORT_FILE_BYTES`."""
    what = f"data file of {size:,} bytes" if size is not None else "data file"
    return (
        f"{what} over the {MAX_EXPORT_FILE_BYTES // 2**20} MiB limit"
        " (threadkeep.limits.MAX_EXPORT_FILE_BYTES)"
    )


class _Guarded(io.RawIOBase):
    """A member's stream whose read errors (bad CRC, cut deflate data, an I/O error) become
    :class:`MalformedExport` naming the member."""

    def __init__(self, stream: IO[bytes], files: ExportFiles, name: str) -> None:
        self._stream = stream
        self._files = files
        self._name = name

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        try:
            data = self._stream.read(len(buffer))
        except MalformedExport:
            raise
        except Exception as exc:  # zipfile.BadZipFile, zlib.error, EOFError, OSError
            reason = (
                "damaged, or a zip bomb: its bytes do not match the size and checksum the zip"
                f" records for it ({type(exc).__name__}: {exc})"
            )
            raise self._files.refuse(self._name, reason) from exc
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._stream.close()
        super().close()
