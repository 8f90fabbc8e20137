"""WACZ files: the ``archive/*.warc(.gz)`` members of the zip, read in place, never extracted.

The zip is checked as an account export's is (:mod:`threadkeep.account.zip_export`): member
count and directory size before it is read, then unsafe names, links and encrypted members.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from threadkeep.errors import MalformedPage

__all__ = ["is_wacz", "warc_members"]


def is_wacz(path: Path) -> bool:
    """True for a ``.wacz`` file (by its name; its members are checked when opened)."""
    return path.name.lower().endswith(".wacz")


def warc_members(path: Path) -> list[str]:
    """The names of the WARC members of the WACZ at ``path``, in the zip's order.

    Raises :class:`~threadkeep.MalformedPage` (naming the file) for a damaged or unsafe zip.
    """
    from threadkeep.account.zip_export import _check_directory, _check_members
    from threadkeep.errors import MalformedExport

    label = str(path)
    try:
        with path.open("rb") as stream:
            _check_directory(stream, label)
            with zipfile.ZipFile(stream) as archive:
                infos = archive.infolist()
                _check_members(infos, label)
    except MalformedExport as exc:
        raise MalformedPage(f"unsafe WACZ: {exc.reason}", source=label) from exc
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError) as exc:
        raise MalformedPage(f"damaged WACZ (zip): {exc}", source=label) from exc
    return [
        info.filename
        for info in infos
        if info.filename.startswith("archive/")
        and info.filename.lower().endswith((".warc", ".warc.gz"))
    ]
