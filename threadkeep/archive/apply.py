"""One capture into the store: the steps of :meth:`Archive.add`, in crash-safe order.

:func:`capture` is the whole of ``add``: under the store lock, the raw body, then (through
:func:`apply`) the snapshot, the tweet records and the document record, and the capture log
line last. That order keeps a store valid after a crash at any instant; each file is
replaced atomically, and re-applying a capture is harmless. The files before the log line are
written as one batch (:meth:`~threadkeep.archive.files.StoreFiles.batch`), durable before the
line is written.

:func:`apply` merges one parsed capture into a given generation of the derived records;
``reparse`` and ``repair`` replay the log through it into a new generation. Both take the
records I/O layer (:class:`~threadkeep.archive.files.StoreFiles`) and the generation as a
value, never the :class:`~threadkeep.archive.Archive`.

An account export is one capture that makes several documents: its own (``export-<account
id>``, every tweet), and one for each thread unrolled from it (``thread-<root id>``, the key a
Thread Reader unroll of the same thread has). The threads are its *parts*: :func:`apply` merges
each after the export, in the same batch, and the capture's one log line names the export's
document; each part's snapshot names the capture in its source, as every snapshot does.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
from datetime import datetime

from threadkeep._version import __version__
from threadkeep.archive import layout, merge, merger
from threadkeep.archive.files import Result, StoreFiles
from threadkeep.archive.log import CaptureLog, naming
from threadkeep.archive.merger import Placer as Place  # how capture() merges: order.place
from threadkeep.archive.merger import unchanged_line, unchanged_result
from threadkeep.archive.records import (
    FORMAT,
    AddResult,
    CaptureEntry,
    CaptureRef,
    Outcome,
    PendingCapture,
    StoredDocument,
    StoredSnapshot,
    StoredTweet,
)
from threadkeep.archive.storage import RefusedPath
from threadkeep.errors import ArchiveError, ParseError, UnsupportedPage
from threadkeep.models import Export, Origin

__all__ = ["Applied", "Applier", "Place", "apply", "capture", "is_empty"]


def capture(
    files: StoreFiles,
    log: CaptureLog,
    data: bytes,
    *,
    url: str | None,
    at: datetime,
    status: int | None,
    place: Place,
    digest: str | None = None,
    origin: Origin | None = None,
    merge: bool = True,
    current: bool = False,
) -> AddResult:
    """The whole of :meth:`Archive.add`: keep the body, merge what it parses into, log it.
    ``current``: the caller has just read the store file and found this threadkeep's format
    (:meth:`Archive.add` upgrades first); else it is read here, once.

    Format 3 (:func:`_submitted`): the body and the capture object are written without the
    lock (durable once written), then, unless ``merge`` is False, the lock is taken and every
    pending capture merged (:mod:`threadkeep.archive.merger`). Below, format 2's way (a store
    not upgraded: only when called on one directly).

    ``place`` merges the parsed capture into the records in capture-time order
    (:func:`threadkeep.archive.order.place`, which merges through :func:`apply`).

    Bytes already stored, from which the document's latest content was parsed (from the same
    url, by this threadkeep), are that content again: the capture is ``unchanged`` without
    parsing, and writes its log line only (:func:`_again`).

    The generation written into is read under the lock, every time: a ``reparse`` or
    ``repair`` in another process may have switched the store since this one opened it, and a
    capture written into the old generation would be logged but out of view.
    """
    # The store file is read at every capture (once): a newer threadkeep may have raised its
    # format since this process opened it, and then nothing may be written (CorruptStore).
    if current or files.format() >= FORMAT:  # format 3: a journal of packs
        return _submitted(
            files, log, data, url=url, at=at, status=status, place=place, digest=digest,
            origin=origin, merge=merge,
        )  # fmt: skip
    sha = hashlib.sha256(data).hexdigest()
    entry = functools.partial(
        CaptureEntry,
        time=at,
        url=url,
        sha256=sha,
        status=status,
        parser_version=__version__,
        digest=digest,
        origin=origin,
    )
    if files.has_raw(sha):
        again = _again(files, log, entry(outcome="unchanged"))
        if again is not None:
            return again
    result, error = _parsed(data, url)
    if isinstance(result, Export):  # its media go to the media store, not into a raw body
        raise UnsupportedPage(
            "an account export: archive it with Archive.export() (`threadkeep archive EXPORT`)",
            source=url,
        )
    with files.lock():
        generation = files.generation()
        stored = False
        try:
            with files.batch():  # every file durable before the line that names them
                stored = files.keep_raw(sha, data)  # always, even when it does not parse
                added = None
                if result is not None:
                    added = place(files, log, result, sha=sha, at=at, generation=generation)
            if added is None:
                assert error is not None
                log.append(entry(outcome="failed", error=error.reason))
                raise error
            log.append(
                entry(
                    outcome=added.outcome,
                    document=added.document,
                    kind=added.kind,
                    snapshot=added.snapshot_path,
                )
            )
        except ArchiveError as exc:
            if stored:
                _forget_raw(files, log, sha)
            raise _not_recorded(exc, url) from exc
    return added.result


def _submitted(
    files: StoreFiles,
    log: CaptureLog,
    data: bytes,
    *,
    url: str | None,
    at: datetime,
    status: int | None,
    place: Place,
    digest: str | None,
    origin: Origin | None,
    merge: bool,
) -> AddResult:
    """A format 3 capture: parsed and written without the lock, then merged (``merge``)."""
    sha = hashlib.sha256(data).hexdigest()
    # Bytes stored already are often the same content again: the merge tells (without a
    # parse, :func:`unchanged_line`), and parses them only when they are not.
    # A raw body stored is never removed from a format 3 store: it is not written again.
    stored = files.has_raw(sha)
    result, error = (None, None) if stored else _parsed(data, url)
    if isinstance(result, Export):  # its media go to the media store, not into a raw body
        raise UnsupportedPage(
            "an account export: archive it with Archive.export() (`threadkeep archive EXPORT`)",
            source=url,
        )
    pending = PendingCapture(
        time=at,
        url=url,
        sha256=sha,
        status=status,
        parser_version=__version__,
        digest=digest,
        error=error.reason if error is not None else None,
        origin=origin,
    )
    key = merger.key_of(pending)
    if stored and merge:  # the same content again: logged at once when the lock is free
        again = _unchanged_now(files, log, pending, key)
        if again is not None:
            return again
    try:
        merger.submit(files, pending, None if stored else data)
    except ArchiveError as exc:
        if not files.storage.exists(layout.capture_path(key)):
            raise _not_recorded(exc, url) from exc
        if not merge:  # written, a sync after it failed: kept all the same
            raise _not_merged(exc, url, key) from exc
    if not merge:
        if error is not None:
            raise error
        return AddResult(
            outcome="pending",
            document=None,
            kind=None,
            snapshot_written=False,
            captured_at=at,
            sha256=sha,
        )
    try:
        done = merger.merge(
            files,
            log,
            place,
            own={key: result} if result is not None else None,
            parse=lambda data, url: parse(data, url=url, source=url),
            written={key: pending},
        )
    except ArchiveError as exc:
        raise _not_merged(exc, url, key) from exc
    outcome = done.results.get(key)
    if error is not None:
        raise error
    if isinstance(outcome, ParseError):
        raise outcome
    if isinstance(outcome, AddResult):
        return outcome
    # Merged by another process between the write and the lock: what its line says.
    return _as_logged(log.read(), key, at, sha)


def _as_logged(data: bytes, key: str, at: datetime, sha: str) -> AddResult:
    """What capture ``key`` did, as the line of log ``data`` that names it says (outcome
    ``pending`` when none does)."""
    found = naming(data, "capture", key, strict=False)
    line = found[-1][1] if found else None
    return AddResult(
        outcome=line.outcome if line is not None else "pending",
        document=line.document if line is not None else None,
        kind=line.kind if line is not None else None,
        snapshot_written=line is not None and line.snapshot is not None,
        captured_at=at,
        sha256=sha,
    )


def _not_merged(exc: ArchiveError, url: str | None, key: str) -> ArchiveError:
    """A format 3 capture written (durable) whose merge failed: say it is kept."""
    of = f" of {url}" if url else ""
    refused = (
        "; refused: nothing was written outside the store" if isinstance(exc, RefusedPath) else ""
    )
    return type(exc)(
        f"{exc}{refused}; the capture{of} is kept ({layout.capture_path(key)}) but not merged "
        "yet: the next capture or `threadkeep verify --repair` merges it",
        path=exc.path,
    )


def _unchanged_now(
    files: StoreFiles, log: CaptureLog, pending: PendingCapture, key: str
) -> AddResult | None:
    """Log capture ``key`` (format 3, its bytes stored) as an unchanged capture there and
    then, when that is what it is: its line alone, in a pack of its own, is the whole capture
    (it names its key, but no inbox pointer nor capture object is written). Only when the
    lock is free now (taken without waiting), no capture is pending (an empty inbox: those
    are merged first, in capture-time order) and its bytes are the document's latest
    content (:func:`unchanged_line`). The same capture logged already (the same time, url,
    bytes, status and origin) writes nothing and says what its line says. Else None: the
    caller writes it as any capture (pointer, capture object, merge), as it does when
    another process holds the lock: a writer never waits on another to be durable.

    A failure here (a damaged record, a full disk, a lease lost) is left to that way too,
    which says what it says of any capture (kept or not recorded): its pack names the key,
    so were it written after all (a sync that failed after its link), the merge finds the
    capture logged and logs it no second time."""
    assert pending.sha256 is not None
    with contextlib.ExitStack() as held:
        try:
            held.enter_context(files.lock(timeout=0))
        except ArchiveError:  # held by another (LockTimeout), or it cannot be taken here
            return None
        try:
            with files.read_ahead(), log.journal.holding():
                if next(iter(files.storage.list(layout.INBOX)), None) is not None:
                    return None  # captures pending: merged with this one, in time order
                data = log.read()
                if merger.logged_key(data, key):  # the same capture, logged already
                    return _as_logged(data, key, pending.time, pending.sha256)
                entry = CaptureEntry(**pending.model_dump(), outcome="unchanged", capture=key)
                line = unchanged_line(files, log, entry, data=data)
                if line is None:
                    return None
                log.append_pack(line)  # the commit point: durable once it returns
        except ArchiveError:
            return None
    return unchanged_result(line)


def _again(files: StoreFiles, log: CaptureLog, entry: CaptureEntry) -> AddResult | None:
    """Log ``entry`` as an unchanged capture without parsing it, when that is what it is
    (:func:`unchanged_line`); else None: the caller parses."""
    assert entry.sha256 is not None
    try:
        with files.lock():
            line = unchanged_line(files, log, entry)
            if line is None:
                return None
            log.append(line)
    except ArchiveError as exc:
        raise _not_recorded(exc, entry.url) from exc
    return unchanged_result(line)


def _forget_raw(files: StoreFiles, log: CaptureLog, sha: str) -> None:
    """Remove the body a capture that failed had stored, unless a log line names it after all.

    The capture was not recorded and its user is told so; a body left behind would be an
    orphaned raw capture, which ``verify --repair`` records (it cannot tell it from one whose
    log line was lost). A line written whole before the error (a sync that failed) keeps it.
    Format 3 never removes one: a capture written without the lock may have stored the same
    body meanwhile, and its line may not be written yet.
    """
    try:
        if files.format() >= FORMAT:  # format 3: another writer may have stored the same body
            return
        if all(entry.sha256 != sha for entry in log.scan() if isinstance(entry, CaptureEntry)):
            files.drop_raw(sha)
    except (ArchiveError, OSError):  # leave it: repair records it, nothing is lost
        pass


def is_empty(result: Result) -> bool:
    """True when ``result`` holds no tweet of its own: it makes no document (outcome ``empty``)."""
    return not merge.members(result)[0]


def apply(
    files: StoreFiles,
    result: Result,
    *,
    sha: str,
    at: datetime,
    generation: int,
    content: str | None = None,
) -> Applied:
    """Merge one parsed capture into generation ``generation`` of the derived records; an
    empty result (:func:`is_empty`) changes nothing and says ``empty``. ``content``: the
    result's :func:`~threadkeep.archive.merge.content_hash` when the caller knows it (a
    snapshot read back names it).

    An export's threads are merged after it, each into its own document (its ``parts``),
    whatever the export's outcome: a capture cut short may have written the export's document
    and not all of theirs, and its next capture completes them.
    """
    applier = Applier(files, result, sha=sha, at=at, generation=generation, content=content)
    applied = applier.run()
    if isinstance(result, Export) and applied.document is not None:
        # A tweet the export holds (and does not mark deleted) is there, whatever a thread
        # of an earlier export held that this one's threads do not (a chain cut in two).
        there = {m.key for m in merge.members(result)[0] if m.tweet.deleted is not True}
        for thread in result.threads:
            part = thread.model_copy(update={"source": result.source})
            applier = Applier(files, part, sha=sha, at=at, generation=generation, there=there)
            applied.parts.append(applier.run().result)
    return applied


class Applied:
    """What applying one capture did: the :class:`AddResult` and the snapshot it wrote."""

    def __init__(self, result: AddResult, snapshot_path: str | None) -> None:
        self.result = result
        self.snapshot_path = snapshot_path
        self.parts: list[AddResult] = []  # an export's threads, each its own document
        outcome = result.outcome
        if outcome == "pending":  # only a capture written with merge=False says so
            raise ValueError("a pending capture applied nothing")
        self.outcome: Outcome = outcome
        self.document = result.document
        self.kind = result.kind


class Applier:
    """One capture merged into the records, in crash-safe order (see :meth:`Archive.add`)."""

    def __init__(
        self,
        files: StoreFiles,
        result: Result,
        *,
        sha: str,
        at: datetime,
        generation: int,
        there: set[str] | None = None,
        content: str | None = None,
    ) -> None:
        self.files = files
        self.content = content
        self.there = there or set()  # tweets the capture shows elsewhere: never missing here
        self.result = result
        self.sha = sha
        self.at = at
        self.capture = CaptureRef(sha256=sha, time=at)
        self.generation = generation
        self.key, self.kind = merge.document_key(result)
        source = result.source
        assert source is not None
        self.sighting = source.model_copy(update={"captured_at": at, "sha256": sha})

    def run(self) -> Applied:
        """Same content as the document's latest snapshot: nothing is written (the log line
        is the capture). Else the snapshot, the tweet records whose content changed, and the
        document record."""
        if is_empty(self.result):
            return self._empty()
        files = self.files
        document = files.document(self.key, self.generation)
        content = self.content or merge.content_hash(self.result)
        if (
            document is not None
            and document.snapshots
            and document.snapshots[-1].content_sha256 == content
        ):
            return self._done("unchanged", document, snapshot=None, written=False)
        number = layout.next_number(document)
        stored = self.result.model_copy(update={"source": self.sighting})
        snapshot = files.write_snapshot(self.key, number, content, stored, self.generation)
        statuses, shown = self._merge_tweets(document)
        document = self._document(document, snapshot, content, shown)
        files.save_document(document, self.generation)
        outcome = "new" if number == 1 else "changed"
        return self._done(outcome, document, snapshot=snapshot, written=True, statuses=statuses)

    def _empty(self) -> Applied:
        result = AddResult(
            outcome="empty",
            document=None,
            kind=self.kind,
            snapshot_written=False,
            captured_at=self.at,
            sha256=self.sha,
        )
        return Applied(result, None)

    def _merge_tweets(
        self, document: StoredDocument | None
    ) -> tuple[dict[str, list[str]], dict[str, str | None]]:
        """Merge every tweet the capture shows; write the records that changed. The statuses,
        and each tweet shown with the version it shows (the snapshot's index)."""
        statuses: dict[str, list[str]] = {"new": [], "changed": [], "removed": [], "reappeared": []}
        own, referred = merge.members(self.result)
        present = merge.shows_presence(self.result, self.sighting)
        records: dict[str, StoredTweet | None] = {}
        changed: dict[str, StoredTweet] = {}
        shown: dict[str, str | None] = {}
        for member, is_own in [(m, True) for m in own] + [(m, False) for m in referred]:
            if member.key not in records:
                records[member.key] = self._record(member.key)
            merged = merge.merge_tweet(
                records[member.key],
                member,
                document=self.key,
                capture=self.capture,
                present=present and is_own,
            )
            records[member.key] = merged.record
            if merged.changed:
                changed[member.key] = merged.record
            if shown.get(member.key) is None:
                text = member.tweet.text
                shown[member.key] = merge.text_hash(text) if text is not None else None
            if is_own and merged.status in statuses:
                statuses[merged.status].append(member.key)
        current = {m.key for m in own}
        previous = document.tweets if document is not None else []
        for key in merge.missing(previous, current, self.result, self.sighting):
            if key in self.there:
                continue
            missing = records[key] if key in records else self._record(key)
            if missing is not None and not missing.removed:
                merge.mark_removed(missing, self.capture)
                changed[key] = missing
                statuses["removed"].append(key)
        for key, record in changed.items():
            if self._record(key) != record:  # a tweet shown twice may be changed back
                if not record.changes or record.changes[-1] != self.capture:  # an export's
                    record.changes.append(self.capture)  # part changes it again: named once
                self.files.save_tweet(record, self.generation)
        self.own = own
        return statuses, shown

    def _record(self, key: str) -> StoredTweet | None:
        return self.files.tweet(key, self.generation)

    def _document(
        self,
        document: StoredDocument | None,
        snapshot: str,
        content: str,
        shown: dict[str, str | None],
    ) -> StoredDocument:
        result = self.result
        ref = StoredSnapshot(
            path=snapshot,
            content_sha256=content,
            captured_at=self.at,
            raw_sha256=self.sha,
            kind=self.sighting.kind,
            url=self.sighting.url,
            shown=shown,
        )
        previous = document.tweets if document else []
        order = merge.order_tweets(previous, self.own)
        author = getattr(result, "author", None) or getattr(result, "account", None)
        title = getattr(result, "title", None)
        if document is None:
            document = StoredDocument(key=self.key, kind=self.kind)
        document.id = document.id or getattr(result, "id", None)
        document.url = result.url or document.url
        document.title = title or document.title
        document.author = author or document.author
        document.tweets = order
        document.snapshots.append(ref)
        return document

    def _done(
        self,
        outcome: str,
        document: StoredDocument,
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


def parse(data: bytes, *, url: str | None, source: str | None) -> Result:
    """:func:`threadkeep.parse`, its parsers imported on the first capture: opening a store to
    read it (``show``, ``history``, ``export``) loads no parser, no lxml and no bs4."""
    from threadkeep.parsing import parse as parse_input

    return parse_input(data, url=url, source=source)


def _parsed(data: bytes, url: str | None) -> tuple[Result | None, ParseError | None]:
    """The capture parsed, or the reason it cannot be (its raw bytes are kept either way)."""
    try:
        result: Result = parse(data, url=url, source=url)
    except ParseError as exc:
        return None, exc
    if result.source is None:  # threadkeep JSON without one
        reason = "threadkeep JSON with no source (no sighting): nothing says where it is from"
        return None, UnsupportedPage(reason, source=url)
    return result, None


def _not_recorded(exc: ArchiveError, url: str | None) -> ArchiveError:
    """A write failed (disk full, say) part way through a capture: say what that means.

    Every file is replaced atomically and the log line comes last, so the store is as valid
    as before; the capture is not in the log. Derived files it already updated are rebuilt
    from the log by ``threadkeep verify --repair``.
    """
    of = f" of {url}" if url else ""
    if isinstance(exc, RefusedPath):
        # Not a disk trouble, and capturing again would be refused again: say what it is.
        return type(exc)(
            f"{exc}; refused: nothing was written outside the store, the capture{of} was not "
            "recorded and the store is still valid (`threadkeep verify` checks it)",
            path=exc.path,
        )
    full = isinstance(exc.__cause__, OSError) and exc.__cause__.errno == errno.ENOSPC
    return type(exc)(
        f"{exc}; the capture{of} was not recorded and the store is still valid (`threadkeep "
        f"verify` checks it); {'free space' if full else 'fix that'}, then capture again",
        path=exc.path,
    )
