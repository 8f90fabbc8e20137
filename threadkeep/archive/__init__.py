"""The archive: a deduplicating store of captures in which nothing once captured is lost.

The names below are loaded on first use, so that importing the archive's plain data
(:mod:`~threadkeep.archive.records`, :mod:`~threadkeep.archive.view_models`, as the
renderer does) loads neither the store nor its file lock.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from threadkeep._lazy import lazy_names

if TYPE_CHECKING:
    from threadkeep.archive.fetched import CaptureLike
    from threadkeep.archive.records import AddResult, CaptureEntry, DocumentRecord, TweetRecord
    from threadkeep.archive.storage import LocalStorage, Storage
    from threadkeep.archive.store import DEFAULT_STORE, Archive

__all__ = [
    "DEFAULT_STORE",
    "AddResult",
    "Archive",
    "CaptureEntry",
    "CaptureLike",
    "DocumentRecord",
    "LocalStorage",
    "Storage",
    "TweetRecord",
]

_HOMES = {
    "AddResult": "threadkeep.archive.records",
    "Archive": "threadkeep.archive.store",
    "CaptureEntry": "threadkeep.archive.records",
    "CaptureLike": "threadkeep.archive.fetched",
    "DEFAULT_STORE": "threadkeep.archive.store",
    "DocumentRecord": "threadkeep.archive.records",
    "LocalStorage": "threadkeep.archive.storage",
    "Storage": "threadkeep.archive.storage",
    "TweetRecord": "threadkeep.archive.records",
}


__getattr__, __dir__ = lazy_names(globals(), _HOMES, __all__)
