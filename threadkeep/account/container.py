"""Reading an account export safely: its zip (bytes or a path) or its unpacked folder.

:func:`open_export` recognises an export (``data/manifest.js``, ``data/tweets.js`` or
``data/tweet.js``, or Grailbird's ``data/js/tweets/YYYY_MM.js`` or ``tweets.csv``, at the top
or inside one folder that wraps everything), checks it against the limits of
:mod:`threadkeep.limits` and hands back an :class:`ExportFiles`. Members are read in place:
nothing is extracted, so no name in the export can make threadkeep write anywhere.
:func:`read_assignment` turns a data file's bytes into its JSON value.

Example::

    with open_export(Path("twitter-2024-11-16.zip")) as files:
        manifest = read_assignment(files.read("data/manifest.js"), name="data/manifest.js")
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

from threadkeep.account.assignment import read_assignment
from threadkeep.account.export_files import ExportFiles
from threadkeep.account.folder_export import open_folder_export
from threadkeep.account.zip_export import open_zip_export

__all__ = ["ExportFiles", "is_zip", "open_export", "read_assignment"]

_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")  # a zip's first member, or an empty zip


def is_zip(head: bytes) -> bool:
    """True when ``head`` (an input's first bytes) starts like a zip file."""
    return head.startswith(_ZIP_MAGICS)


def open_export(
    source: bytes | os.PathLike[str] | str, *, name: str | None = None
) -> ExportFiles | None:
    """The account export in ``source`` (zip bytes, a zip's path or a folder), or None when
    ``source`` is not an export.

    Raises :class:`~threadkeep.MalformedExport` for an export that is unsafe to read (member
    names leaving it, links out of it, a zip bomb, sizes or counts past the limits) or a
    damaged zip. ``name`` names it in messages (default: its path, or ``"<bytes>"``).

    Examples:
        >>> import io, zipfile
        >>> buffer = io.BytesIO()
        >>> with zipfile.ZipFile(buffer, "w") as archive:
        ...     archive.writestr("twitter-2024/data/tweets.js", "window.YTD.tweets.part0 = []")
        >>> with open_export(buffer.getvalue()) as files:
        ...     print(files.names(), read_assignment(files.read("data/tweets.js"),
        ...                                          name="data/tweets.js"))
        ['data/tweets.js'] []
        >>> open_export(b"<html>not an export</html>") is None
        True
    """
    if isinstance(source, bytes):
        if not is_zip(source[:4]):
            return None
        return open_zip_export(io.BytesIO(source), name or "<bytes>")
    path = Path(source)
    shown = name or str(path)
    if path.is_dir():
        return open_folder_export(path, shown)
    if not path.is_file():
        return None
    stream = path.open("rb")
    try:
        if not is_zip(stream.read(4)) or not zipfile.is_zipfile(stream):
            stream.close()
            return None
    except OSError:
        stream.close()
        return None
    return open_zip_export(stream, shown)
