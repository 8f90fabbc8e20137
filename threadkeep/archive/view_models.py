"""What the archive's read side returns, as plain data: the merged thread and a history.

``threadkeep show`` prints :class:`ArchivedThread` (every tweet ever seen, in thread order,
each an :class:`ArchivedTweet` with ``removed``, ``first_seen``, ``last_seen``, ``sightings``
and ``versions``); ``threadkeep history`` prints :class:`History`. These are models only:
:mod:`threadkeep.archive.views` builds them from the records, and :mod:`threadkeep.render`
may import them without reaching into the archive.
"""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict

from threadkeep.archive.records import CaptureEntry, SightingRecord, Version
from threadkeep.models import Author, Tweet

__all__ = ["ArchivedThread", "ArchivedTweet", "History", "KeptMedia", "SnapshotChange"]


class ArchivedTweet(Tweet):
    """A tweet as the archive knows it: its latest content plus everything it has seen."""

    removed: bool = False
    removed_at: AwareDatetime | None = None
    first_seen: AwareDatetime
    last_seen: AwareDatetime
    sightings: tuple[SightingRecord, ...] = ()
    versions: tuple[Version, ...] = ()


class KeptMedia(BaseModel):
    """A media item of the document's tweets whose file the archive keeps (its media store:
    ``threadkeep media``, an account export): where the file is in the store, what it is and
    where it came from."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    url: str | None = None
    """The media's url in the copy (``Media.url``); else None, and ``export_file`` names it."""
    export_file: str | None = None
    path: str
    """The file in the store: ``media/<ab>/<sha256>``."""
    sha256: str
    size: int
    type: str | None = None
    origin: str
    """Where the bytes came from: the url fetched (a web-archive url when the origin had lost
    it), or ``export <account id>``."""
    time: AwareDatetime


class ArchivedThread(BaseModel):
    """A document merged across all its captures (``show``): every tweet ever seen."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["thread", "listing", "article", "tweet", "export"]
    document: str
    id: str | None = None
    url: str | None = None
    title: str | None = None
    author: Author | None = None
    first_captured: AwareDatetime
    last_captured: AwareDatetime
    captures: int
    snapshots: int
    tweets: tuple[ArchivedTweet, ...] = ()
    media: tuple[KeptMedia, ...] = ()
    """The media of these tweets the archive keeps a file of, in the tweets' order."""


class SnapshotChange(BaseModel):
    """One snapshot of a document and how it differs from the one before."""

    model_config = ConfigDict(frozen=True)

    path: str
    captured_at: AwareDatetime
    tweets: int
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    other_changes: bool = False


class History(BaseModel):
    """A document's captures (the log lines naming it) and its snapshots with their diffs."""

    model_config = ConfigDict(frozen=True)

    document: str
    captures: tuple[CaptureEntry, ...]
    snapshots: tuple[SnapshotChange, ...]
