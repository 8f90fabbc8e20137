"""Building the read-side views from the records: the merged thread, a document's history.

The views themselves are plain data in :mod:`threadkeep.archive.view_models`. These builders
take the records I/O layer (:class:`~threadkeep.archive.files.StoreFiles`), the capture log and
the generation to read, never the :class:`~threadkeep.archive.Archive` that calls them.
"""

from __future__ import annotations

from datetime import datetime

from threadkeep.archive import merge
from threadkeep.archive.files import StoreFiles
from threadkeep.archive.log import CaptureLog
from threadkeep.archive.records import DocumentRecord, TweetRecord
from threadkeep.archive.view_models import ArchivedThread, ArchivedTweet, History, SnapshotChange

__all__ = [
    "ArchivedThread",
    "ArchivedTweet",
    "History",
    "SnapshotChange",
    "archived_tweet",
    "find",
    "history",
    "merged",
]


def find(files: StoreFiles, identifier: str, generation: int) -> DocumentRecord | None:
    """The document ``identifier`` names: a thread id, a tweet id, or a document key.

    A tweet id gives the thread it belongs to (or else the first document that showed it).
    """
    identifier = identifier.strip()
    if not identifier.isdigit():
        return files.document(identifier, generation)
    document = files.document(f"thread-{identifier}", generation)
    if document is not None:
        return document
    record = files.tweet(identifier, generation)
    if record is None:
        return None
    keys = sorted(record.documents, key=lambda k: (not k.startswith("thread-"), k))
    for key in keys:
        if (found := files.document(key, generation)) is not None:
            return found
    return None


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


def merged(files: StoreFiles, document: DocumentRecord, generation: int) -> ArchivedThread:
    """Every tweet a document ever showed, in its order, from the tweet records."""
    tweets = []
    for key in document.tweets:
        record = files.tweet(key, generation)
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


def _texts(files: StoreFiles, path: str) -> dict[str, str | None]:
    own, _ = merge.members(files.snapshot(path))
    return {m.key: m.tweet.text for m in own}


def history(files: StoreFiles, log: CaptureLog, document: DocumentRecord) -> History:
    """The captures and snapshot-to-snapshot changes of one document.

    A damaged snapshot raises :class:`~threadkeep.errors.CorruptStore` naming it.
    """
    captures = tuple(c for c in log.entries() if c.document == document.key)
    changes = []
    before: dict[str, str | None] | None = None
    for ref in document.snapshots:
        now = _texts(files, ref.path)
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
