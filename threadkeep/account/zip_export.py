"""An account export in a zip, read in place: nothing is extracted.

The zip's structure is checked before any member is read, in this order:

1. the end record's member count and central directory size, before :mod:`zipfile` reads
   the directory (a directory of millions of entries would cost gigabytes as objects);
2. each member's name (:func:`~threadkeep.account.members.unsafe_name`), duplicates,
   symbolic links, encryption;
3. sizes: the total uncompressed, each member's compression ratio, and members whose
   compressed bytes overlap (the "non-recursive" zip bomb, where thousands of entries share
   one stream).

:mod:`zipfile` itself never decompresses past a member's declared size and checks its CRC at
the end, so a member whose data would expand further stops there, with an error.
"""

from __future__ import annotations

import stat
import struct
import zipfile
from typing import IO, BinaryIO

from threadkeep.account.export_files import ExportFiles
from threadkeep.account.members import export_root, unsafe_name
from threadkeep.errors import MalformedExport
from threadkeep.limits import (
    MAX_EXPORT_BYTES,
    MAX_EXPORT_DIRECTORY_BYTES,
    MAX_EXPORT_MEMBERS,
    MAX_EXPORT_RATIO,
)

__all__ = ["ZipExport", "open_zip_export"]

_END = b"PK\x05\x06"
_END64 = b"PK\x06\x06"
_END64_LOCATOR = b"PK\x06\x07"
_ENTRY = b"PK\x01\x02"
_LOCAL_HEADER_SIZE = 30
_RATIO_FLOOR = 1 << 20  # members this small may compress as they like: they cannot be bombs
_ENCRYPTED = 0x1
_UTF8_NAME = 0x800


class ZipExport(ExportFiles):
    """An export held in a zip (a file or bytes), its members read in place."""

    def __init__(self, name: str, archive: zipfile.ZipFile, stream: BinaryIO, prefix: str) -> None:
        self._zip = archive
        self._stream = stream
        self._infos = {
            info.filename.replace("\\", "/")[len(prefix) :]: info
            for info in archive.infolist()
            if not info.is_dir() and info.filename.replace("\\", "/").startswith(prefix)
        }
        super().__init__(name, {key: info.file_size for key, info in self._infos.items()})

    def _open_member(self, name: str) -> IO[bytes]:
        try:
            return self._zip.open(self._infos[name])
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError) as exc:
            raise self.refuse(name, f"the file cannot be read: {exc}") from exc

    def close(self) -> None:
        self._zip.close()
        self._stream.close()  # a stream handed to zipfile is not closed by it


def open_zip_export(stream: BinaryIO, name: str) -> ZipExport | None:
    """The export in the zip ``stream`` (seekable), or None when the zip holds no export;
    :class:`MalformedExport` when it is not safe to read. ``stream`` is closed with the
    export, or here when there is none."""
    try:
        _check_directory(stream, name)
        archive = zipfile.ZipFile(stream)
    except MalformedExport:
        stream.close()
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        stream.close()
        raise MalformedExport(f"damaged zip: {exc}", source=name) from exc
    try:
        infos = archive.infolist()
        prefix = export_root(info.filename.replace("\\", "/") for info in infos)
        if prefix is None:
            archive.close()
            stream.close()
            return None
        _check_members(infos, name)
        _check_sizes(infos, archive, name)
    except BaseException:
        archive.close()
        stream.close()
        raise
    return ZipExport(name, archive, stream, prefix)


def _check_directory(stream: BinaryIO, name: str) -> None:
    """Refuse a zip whose central directory announces too many members or bytes, before it is
    read; and count its entries by their signature, since :mod:`zipfile` reads entries until
    the directory's bytes end, whatever count the end record says."""
    end = stream.seek(0, 2)
    tail_size = min(end, 22 + 65535)
    stream.seek(end - tail_size)
    tail = stream.read(tail_size)
    at = tail.rfind(_END)
    if at < 0 or len(tail) - at < 22:
        return  # zipfile will say what is wrong
    _, _, _, _, count, directory_size, _, _ = struct.unpack("<4s4H2LH", tail[at : at + 22])
    record = end - tail_size + at
    locator = tail[at - 20 : at] if at >= 20 else b""
    if locator.startswith(_END64_LOCATOR) and at >= 76 and tail[at - 76 : at - 72] == _END64:
        count, directory_size = struct.unpack("<QQ", tail[at - 76 + 32 : at - 76 + 48])
        record -= 76
    refuse = None
    if count > MAX_EXPORT_MEMBERS:
        refuse = f"a zip of {count:,} members"
    elif directory_size > MAX_EXPORT_DIRECTORY_BYTES:
        refuse = f"a zip directory of {directory_size:,} bytes"
    elif directory_size <= record:
        stream.seek(record - directory_size)
        count = stream.read(directory_size).count(_ENTRY)
        if count > MAX_EXPORT_MEMBERS:
            refuse = f"a zip of {count:,} members"
    if refuse:
        raise MalformedExport(
            f"{refuse}, over the limit of {MAX_EXPORT_MEMBERS:,} members"
            " (threadkeep.limits.MAX_EXPORT_MEMBERS)",
            source=name,
        )
    stream.seek(0)


def _check_members(infos: list[zipfile.ZipInfo], name: str) -> None:
    """Refuse unsafe names, duplicates, symbolic links and encrypted members."""
    seen: set[str] = set()
    for info in infos:
        member = info.filename.replace("\\", "/")
        problem = unsafe_name(member)
        if problem is None and member.removesuffix("/") in seen:
            problem = "the name is in the zip twice"
        if problem is None and info.create_system == 3 and stat.S_ISLNK(info.external_attr >> 16):
            problem = "a symbolic link (threadkeep reads no links inside an export)"
        if problem is None and info.flag_bits & _ENCRYPTED:
            problem = "encrypted (an account export is never encrypted)"
        if problem:
            raise MalformedExport(f"refused: {problem}", source=name, member=repr(member)[1:-1])
        seen.add(member.removesuffix("/"))


def _check_sizes(infos: list[zipfile.ZipInfo], archive: zipfile.ZipFile, name: str) -> None:
    """Refuse a total past :data:`MAX_EXPORT_BYTES`, a member compressed past
    :data:`MAX_EXPORT_RATIO`, and members whose data overlap (or run into the directory)."""
    total = sum(info.file_size for info in infos)
    if total > MAX_EXPORT_BYTES:
        raise MalformedExport(
            f"a zip of {total:,} bytes uncompressed, over the {MAX_EXPORT_BYTES // 2**30} GiB"
            " limit (threadkeep.limits.MAX_EXPORT_BYTES)",
            source=name,
        )
    for info in infos:
        if info.file_size > _RATIO_FLOOR and info.file_size > MAX_EXPORT_RATIO * max(
            info.compress_size, 1
        ):
            ratio = info.file_size // max(info.compress_size, 1)
            raise MalformedExport(
                f"compressed {ratio:,} to 1 ({info.file_size:,} bytes in"
                f" {info.compress_size:,}): a zip bomb, past the ratio limit of"
                f" {MAX_EXPORT_RATIO} (threadkeep.limits.MAX_EXPORT_RATIO)",
                source=name,
                member=info.filename,
            )
    ordered = sorted(infos, key=lambda info: info.header_offset)
    directory = getattr(archive, "start_dir", None)
    for info, after in zip(ordered, [*ordered[1:], None], strict=True):
        encoding = "utf-8" if info.flag_bits & _UTF8_NAME else "cp437"
        name_size = len(info.orig_filename.encode(encoding, errors="replace"))
        data_end = info.header_offset + _LOCAL_HEADER_SIZE + name_size + info.compress_size
        limit = after.header_offset if after is not None else directory
        if limit is not None and data_end > limit:
            raise MalformedExport(
                "refused: its compressed bytes overlap the next member's or the zip directory"
                " (a zip bomb's trick)",
                source=name,
                member=info.filename,
            )
