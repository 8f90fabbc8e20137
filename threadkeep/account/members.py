"""Checks on an export's members that do not depend on the container: names and the layout.

A member name is the path of a file inside the export, relative to its root, with ``/``
between folders. Names that could point anywhere else when a tool extracts the export (an
absolute path, a drive letter, a ``..`` step) are refused, even though threadkeep itself never
extracts: another tool might, and such a name is never in a real export.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["EXPORT_MARKERS", "JUNK_FOLDERS", "export_root", "is_export_at", "unsafe_name"]

EXPORT_MARKERS = ("data/manifest.js", "data/tweets.js", "data/tweet.js", "tweets.csv")
"""Members that make a zip or folder an account export (with Grailbird's monthly files)."""

JUNK_FOLDERS = frozenset({"__MACOSX"})
"""Top folders that archivers add beside the one folder wrapping an export (macOS's resource
forks), ignored when looking for that folder."""

_GRAILBIRD_MONTH_RE = re.compile(r"data/js/tweets/[0-9]{4}_[0-9]{2}\.js")
_DRIVE_RE = re.compile(r"[A-Za-z]:")
_CONTROL_RE = re.compile("[\x00-\x1f\x7f]")


def unsafe_name(name: str) -> str | None:
    """Why ``name`` (a member name with ``/`` separators) is refused, or None when it is safe.

    Examples:
        >>> unsafe_name("data/tweets.js") is None
        True
        >>> unsafe_name("../../.bashrc")
        "a '..' step: the name points outside the export"
        >>> unsafe_name("C:/Windows/win.ini")
        'a drive letter: the name is an absolute path'
    """
    if not name:
        return "an empty name"
    if _CONTROL_RE.search(name):
        return "a control character in the name"
    if name.startswith("/"):
        return "an absolute path"
    if _DRIVE_RE.match(name):
        return "a drive letter: the name is an absolute path"
    steps = name.removesuffix("/").split("/")
    if ".." in steps:
        return "a '..' step: the name points outside the export"
    if "." in steps or "" in steps:
        return "an empty or '.' step in the name"
    return None


def is_export_at(names: set[str], prefix: str) -> bool:
    """True when the member ``names`` hold an export whose root is ``prefix`` (``""`` or
    ``"folder/"``)."""
    if any(prefix + marker in names for marker in EXPORT_MARKERS):
        return True
    start = len(prefix)
    return any(
        name.startswith(prefix) and _GRAILBIRD_MONTH_RE.fullmatch(name, start) for name in names
    )


def export_root(names: Iterable[str]) -> str | None:
    """The folder prefix where the export's files are (``""`` at the top, or the one folder
    wrapping them, as ``"folder/"``), or None when the names hold no export.

    Examples:
        >>> export_root(["data/manifest.js", "data/tweets.js"])
        ''
        >>> export_root(["twitter-2024/data/tweets.js", "__MACOSX/twitter-2024/._data"])
        'twitter-2024/'
        >>> export_root(["photos/cat.jpg"]) is None
        True
    """
    files = set(names)
    if is_export_at(files, ""):
        return ""
    tops = {name.split("/", 1)[0] for name in files if "/" in name} - JUNK_FOLDERS
    if len(tops) == 1:
        prefix = tops.pop() + "/"
        if is_export_at(files, prefix):
            return prefix
    return None
