"""Read-side views of the archive: the merged thread, a tweet's history, snapshot diffs.

``threadkeep show`` prints :class:`ArchivedThread` (every tweet ever seen, in thread order,
each with ``removed``, ``first_seen``, ``last_seen``, ``sightings`` and ``versions``);
``threadkeep history`` prints :class:`History`.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict

from threadkeep.archive import merge
from threadkeep.archive.records import (
    CaptureEntry,
    DocumentRecord,
    SightingRecord,
    TweetRecord,
    Version,
)
from threadkeep.models import Author, Tweet, result_adapter

if TYPE_CHECKING:
    from threadkeep.archive.store import Archive

__all__ = ["ArchivedThread", "ArchivedTweet", "History", "SnapshotChange", "archived_tweet"]


class ArchivedTweet(Tweet):
    """A tweet as the archive knows it: its latest content plus everything it has seen."""

    removed: bool = False
    removed_at: AwareDatetime | None = None
    first_seen: AwareDatetime
    last_seen: AwareDatetime
    sightings: tuple[SightingRecord, ...] = ()
    versions: tuple[Version, ...] = ()


class ArchivedThread(BaseModel):
    """A document merged across all its captures (``show``): every tweet ever seen."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["thread", "listing", "article", "tweet"]
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


def archived_tweet(
    record: TweetRecord, *, position: int | None = None, seen_until: datetime | None = None
) -> ArchivedTweet:
    """Flatten a record into its latest content plus history.

    ``seen_until`` is the document's last capture: a re-capture with unchanged content writes
    no tweet records, so a tweet still present was last seen then.
    """
    last_seen = record.last_seen
    if seen_until is not None and not record.removed:
        last_seen = max(last_seen, seen_until)
    content = record.latest.model_dump(exclude={"position", "source"})
    return ArchivedTweet(
        **content,
        position=position,
        removed=record.removed,
        removed_at=record.removed_at,
        first_seen=record.first_seen,
        last_seen=last_seen,
        sightings=tuple(record.sightings),
        versions=tuple(record.versions),
    )


def merged(archive: Archive, document: DocumentRecord) -> ArchivedThread:
    """Every tweet a document ever showed, in its order, from the tweet records."""
    tweets = []
    for key in document.tweets:
        record = archive.tweet(key)
        if record is None:
            continue  # a crash between records: the next capture or reparse restores it
        position = record.documents.get(document.key)
        tweets.append(archived_tweet(record, position=position, seen_until=document.last_captured))
    return ArchivedThread(
        kind=document.kind,
        document=document.key,
        id=document.id,
        url=document.url,
        title=document.title,
        author=document.author,
        first_captured=document.first_captured,
        last_captured=document.last_captured,
        captures=document.captures,
        snapshots=len(document.snapshots),
        tweets=tuple(tweets),
    )


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


def _texts(archive: Archive, path: str) -> dict[str, str | None]:
    result = result_adapter.validate_json(archive.storage.read(path))
    own, _ = merge.members(result)
    return {m.key: m.tweet.text for m in own}


def history(archive: Archive, document: DocumentRecord) -> History:
    """The captures and snapshot-to-snapshot changes of one document."""
    captures = tuple(c for c in archive.captures() if c.document == document.key)
    changes = []
    before: dict[str, str | None] | None = None
    for ref in document.snapshots:
        now = _texts(archive, ref.path)
        if before is None:
            changes.append(
                SnapshotChange(path=ref.path, captured_at=ref.captured_at, tweets=len(now))
            )
        else:
            changed = tuple(k for k in now if k in before and now[k] != before[k])
            added = tuple(k for k in now if k not in before)
            removed = tuple(k for k in before if k not in now)
            changes.append(
                SnapshotChange(
                    path=ref.path,
                    captured_at=ref.captured_at,
                    tweets=len(now),
                    added=added,
                    removed=removed,
                    changed=changed,
                    other_changes=not (added or removed or changed),
                )
            )
        before = now
    return History(document=document.key, captures=captures, snapshots=tuple(changes))
