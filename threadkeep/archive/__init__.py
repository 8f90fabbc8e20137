"""The archive: a deduplicating store of captures in which nothing once captured is lost."""

from __future__ import annotations

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
