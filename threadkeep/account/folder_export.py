"""An account export unpacked into a folder.

The folder is listed once, without following links out of it: a symbolic link whose target is
outside the export's root (``data/tweets.js -> /etc/passwd``) is refused, as is anything but a
regular file (a FIFO would block the read forever). A link that stays inside is read as the
file it names. The same member count and total size limits apply as to a zip.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import IO

from threadkeep.account.export_files import ExportFiles
from threadkeep.account.members import EXPORT_MARKERS, JUNK_FOLDERS
from threadkeep.errors import MalformedExport
from threadkeep.limits import MAX_EXPORT_BYTES, MAX_EXPORT_MEMBERS

__all__ = ["FolderExport", "folder_export_root", "open_folder_export"]


class FolderExport(ExportFiles):
    """An export in a folder: ``paths`` maps each member name to the file it is read from."""

    def __init__(self, name: str, paths: dict[str, Path], sizes: dict[str, int]) -> None:
        self._paths = paths
        super().__init__(name, sizes)

    def _open_member(self, name: str) -> IO[bytes]:
        try:
            return open(self._paths[name], "rb")  # closed with the stream
        except OSError as exc:
            raise self.refuse(name, f"the file cannot be read: {exc.strerror}") from exc


def folder_export_root(folder: Path) -> Path | None:
    """The export's root in ``folder``: the folder itself, or the one folder wrapping the
    export inside it; None when there is no export there."""
    if _is_export_folder(folder):
        return folder
    try:
        inner = [
            entry
            for entry in folder.iterdir()
            if entry.name not in JUNK_FOLDERS and entry.is_dir() and not entry.is_symlink()
        ]
    except OSError:
        return None
    if len(inner) == 1 and _is_export_folder(inner[0]):
        return inner[0]
    return None


def _is_export_folder(folder: Path) -> bool:
    if any((folder / marker).is_file() for marker in EXPORT_MARKERS):
        return True
    months = folder / "data" / "js" / "tweets"
    return months.is_dir() and any(months.glob("[0-9][0-9][0-9][0-9]_[0-9][0-9].js"))


def open_folder_export(folder: Path, name: str) -> FolderExport | None:
    """The export in ``folder`` (or in the one folder wrapping it), listed and checked; None
    when the folder holds no export."""
    root = folder_export_root(folder)
    if root is None:
        return None
    real_root = root.resolve()
    paths: dict[str, Path] = {}
    sizes: dict[str, int] = {}
    total = count = 0
    for directory, folders, files in os.walk(root, onerror=_raise):
        here = Path(directory)
        for entry in [*folders, *files]:
            path = here / entry
            member = path.relative_to(root).as_posix()
            count += 1
            if count > MAX_EXPORT_MEMBERS:
                raise MalformedExport(
                    f"more than {MAX_EXPORT_MEMBERS:,} files in the export"
                    " (threadkeep.limits.MAX_EXPORT_MEMBERS)",
                    source=name,
                )
            target = _checked(path, real_root, name, member)
            if target is None or entry in folders:
                continue
            size = target.stat().st_size
            paths[member], sizes[member] = target, size
            total += size
            if total > MAX_EXPORT_BYTES:
                raise MalformedExport(
                    f"more than {MAX_EXPORT_BYTES // 2**30} GiB of files in the export"
                    " (threadkeep.limits.MAX_EXPORT_BYTES)",
                    source=name,
                )
    return FolderExport(name, paths, sizes)


def _checked(path: Path, real_root: Path, name: str, member: str) -> Path | None:
    """The file to read for ``path`` (its target if a link inside the export), None for a
    folder; refuses a link out of the export and anything not a file or folder."""
    try:
        if path.is_symlink():
            target = path.resolve()
            if not target.is_relative_to(real_root):
                raise MalformedExport(
                    "refused: a symbolic link to something outside the export",
                    source=name,
                    member=member,
                )
            mode = target.stat().st_mode
            if stat.S_ISDIR(mode):
                return None  # not followed (os.walk does not): its files are listed where they are
        else:
            target = path
            mode = path.lstat().st_mode
    except RuntimeError as exc:  # Python 3.11 and 3.12 (3.13: OSError, ELOOP)
        raise MalformedExport(
            "refused: a loop of symbolic links", source=name, member=member
        ) from exc
    except OSError as exc:
        reason = (
            "refused: a loop of symbolic links"
            if exc.errno == errno.ELOOP
            else (f"cannot be read: {exc.strerror}")
        )
        raise MalformedExport(reason, source=name, member=member) from exc
    if stat.S_ISDIR(mode):
        return None
    if not stat.S_ISREG(mode):
        raise MalformedExport(
            "refused: not a regular file (a device, FIFO or socket)", source=name, member=member
        )
    return target


def _raise(error: OSError) -> None:
    raise MalformedExport(f"the export's folder cannot be listed: {error}")
