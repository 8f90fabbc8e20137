"""One capture merged into the derived records: the steps of :meth:`Archive.add`, in order.

The order is what keeps a store valid after a crash at any instant: the snapshot first, then
the tweet records, then the document record (the capture log line is written by the caller,
last). Each file is replaced atomically, and re-applying a capture is harmless.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel

from threadkeep.archive import merge
from threadkeep.archive.records import AddResult, DocumentRecord, SnapshotRef, TweetRecord
from threadkeep.models import Article, Listing, Thread, Tweet

if TYPE_CHECKING:
    from threadkeep.archive.store import Archive

__all__ = ["Applied", "Applier"]

Result = Thread | Listing | Article | Tweet


def _dump(model: BaseModel) -> bytes:
    return model.model_dump_json(indent=1).encode("utf-8")


class Applied:
    def __init__(self, result: AddResult, snapshot_path: str | None) -> None:
        self.result = result
        self.snapshot_path = snapshot_path
        self.outcome = result.outcome
        self.document = result.document
        self.kind = result.kind


class Applier:
    """One capture merged into the records, in crash-safe order (see :meth:`Archive.add`)."""

    def __init__(
        self, archive: Archive, result: Result, *, sha: str, at: datetime, generation: int
    ) -> None:
        self.archive = archive
        self.storage = archive.storage
        self.result = result
        self.sha = sha
        self.at = at
        self.generation = generation
        self.key, self.kind = merge.document_key(result)
        source = result.source
        assert source is not None
        self.sighting = source.model_copy(update={"captured_at": at, "sha256": sha})

    def run(self) -> Applied:
        archive = self.archive
        document = archive._load(archive.document_path(self.key, self.generation), DocumentRecord)
        content = merge.content_hash(self.result)
        if (
            document is not None
            and document.snapshots
            and document.snapshots[-1].content_sha256 == content
        ):
            document.last_captured = max(document.last_captured, self.at)
            document.captures += 1
            self.storage.write_atomic(
                archive.document_path(self.key, self.generation), _dump(document)
            )
            return self._done("unchanged", document, snapshot=None, written=False)
        number = len(document.snapshots) + 1 if document else 1
        snapshot = archive.snapshot_path(self.key, number, content, self.generation)
        stored = self.result.model_copy(update={"source": self.sighting})
        self.storage.write_atomic(snapshot, stored.model_dump_json(indent=1).encode("utf-8"))
        statuses = self._merge_tweets(document)
        document = self._document(document, snapshot, content)
        self.storage.write_atomic(archive.document_path(self.key, self.generation), _dump(document))
        outcome = "new" if number == 1 else "changed"
        return self._done(outcome, document, snapshot=snapshot, written=True, statuses=statuses)

    def _merge_tweets(self, document: DocumentRecord | None) -> dict[str, list[str]]:
        statuses: dict[str, list[str]] = {"new": [], "changed": [], "removed": [], "reappeared": []}
        own, referred = merge.members(self.result)
        present = merge.shows_presence(self.result, self.sighting)
        for member, is_own in [(m, True) for m in own] + [(m, False) for m in referred]:
            record, status = merge.merge_tweet(
                self._record(member.key),
                member,
                document=self.key,
                sighting=self.sighting,
                at=self.at,
                present=present and is_own,
            )
            self._save(record)
            if is_own and status in statuses:
                statuses[status].append(member.key)
        current = {m.key for m in own}
        previous = document.tweets if document is not None else []
        gone = merge.missing(previous, current, self.result, self.sighting)
        for key in gone:
            missing = self._record(key)
            if missing is not None and not missing.removed:
                missing.removed, missing.removed_at = True, self.at
                self._save(missing)
                statuses["removed"].append(key)
        self.own = own
        return statuses

    def _record(self, key: str) -> TweetRecord | None:
        return self.archive._load(self.archive.tweet_path(key, self.generation), TweetRecord)

    def _save(self, record: TweetRecord) -> None:
        path = self.archive.tweet_path(record.key, self.generation)
        self.storage.write_atomic(path, _dump(record))

    def _document(
        self, document: DocumentRecord | None, snapshot: str, content: str
    ) -> DocumentRecord:
        result = self.result
        ref = SnapshotRef(
            path=snapshot, content_sha256=content, captured_at=self.at, raw_sha256=self.sha
        )
        previous = document.tweets if document else []
        order = merge.order_tweets(previous, self.own)
        author = getattr(result, "author", None)
        title = getattr(result, "title", None)
        if document is None:
            document = DocumentRecord(
                key=self.key, kind=self.kind, first_captured=self.at, last_captured=self.at
            )
        document.id = document.id or getattr(result, "id", None)
        document.url = result.url or document.url
        document.title = title or document.title
        document.author = author or document.author
        document.tweets = order
        document.snapshots.append(ref)
        document.first_captured = min(document.first_captured, self.at)
        document.last_captured = max(document.last_captured, self.at)
        document.captures += 1
        return document

    def _done(
        self,
        outcome: str,
        document: DocumentRecord,
        *,
        snapshot: str | None,
        written: bool,
        statuses: dict[str, list[str]] | None = None,
    ) -> Applied:
        found = statuses or {}
        result = AddResult(
            outcome=outcome,  # type: ignore[arg-type]
            document=document.key,
            kind=document.kind,
            snapshot_written=written,
            new=tuple(found.get("new", ())),
            changed=tuple(found.get("changed", ())),
            removed=tuple(found.get("removed", ())),
            reappeared=tuple(found.get("reappeared", ())),
            captured_at=self.at,
            sha256=self.sha,
        )
        return Applied(result, snapshot)
