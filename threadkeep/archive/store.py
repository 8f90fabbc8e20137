"""The archive: a deduplicating store of captures in which nothing once captured is lost.

Layout of a store (format 1, documented in ``docs/format.md``)::

    threadkeep-store.json            {"format": 1, "generation": 1, "written_by": "0.1.0"}
    captures.jsonl                   the append-only capture log, failed captures included
    raw/<ab>/<sha256>.gz             every captured body, once, gzip-compressed
    gen-<n>/snapshots/<doc>/<k>-<hash>.json   immutable parsed snapshots of each document
    gen-<n>/documents/<doc>.json     each thread / listing / article / tweet over time
    gen-<n>/tweets/<xy>/<key>.json   each tweet merged across every copy

Raw bodies and the log are the source of truth; everything under ``gen-<n>/`` is derived from
them, and :meth:`Archive.reparse` rebuilds it into a new generation (the old one stays).

Every change happens under the store lock, in an order that keeps the store valid after a
crash at any instant: raw body, snapshot, tweet records, document record, and the log line
last. Each file is written atomically.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import os
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from threadkeep._version import __version__
from threadkeep.archive import maintenance, views
from threadkeep.archive.apply import Applied, Applier
from threadkeep.archive.maintenance import RepairReport, ReparseReport, VerifyReport
from threadkeep.archive.records import (
    FORMAT,
    AddResult,
    CaptureEntry,
    DocumentRecord,
    TweetRecord,
)
from threadkeep.archive.storage import LocalStorage, Storage, safe_path
from threadkeep.archive.views import ArchivedThread, History
from threadkeep.errors import ArchiveError, CorruptStore, ParseError, UnsupportedPage
from threadkeep.models import Article, Listing, Thread, Tweet
from threadkeep.parse import parse

__all__ = ["DEFAULT_STORE", "Archive"]

DEFAULT_STORE = "threadkeep-archive"
"""Where an archive lives when no path is given: ``./threadkeep-archive``."""
STORE_FILE = "threadkeep-store.json"
LOG = "captures.jsonl"

Result = Thread | Listing | Article | Tweet
M = TypeVar("M", bound=BaseModel)


def _now() -> datetime:
    return datetime.now(timezone.utc)


class Archive:
    """A store of captures in which nothing once captured is lost (see docs/format.md).

    ``Archive(path)`` opens the store in the folder ``path``, creating it unless
    ``create=False``. It holds no open resources: keep it as long as you like, or use it as a
    context manager. Every write takes the store's lock (``lock_timeout`` seconds at most), so
    several processes can share one store. ``storage`` replaces the local folder with another
    :class:`~threadkeep.archive.Storage`.

    Examples:
        >>> import tempfile
        >>> import threadkeep
        >>> archive = threadkeep.Archive(tempfile.mkdtemp())
        >>> first = archive.add(open("fixtures/threadreader/quinnypig_2020_full.html", "rb").read())
        >>> first.outcome, first.document, len(first.new)
        ('new', 'thread-1215710451343904768', 102)
        >>> later = archive.add(open("examples/data/quinnypig_2020_later.html", "rb").read())
        >>> later.outcome, later.removed
        ('changed', ('1215711185045090305',))
        >>> thread = archive.thread("1215710451343904768")
        >>> [tweet.text[:32] for tweet in thread.tweets if tweet.removed]
        ['If you call yourself "a public s']
    """

    def __init__(
        self,
        path: str | os.PathLike[str] = DEFAULT_STORE,
        *,
        storage: Storage | None = None,
        lock_timeout: float = 60.0,
        create: bool = True,
    ) -> None:
        self.storage: Storage = storage if storage is not None else LocalStorage(path)
        self.location = str(path)
        self.lock_timeout = lock_timeout
        if not create and not self.storage.exists(STORE_FILE):
            raise ArchiveError(f"no threadkeep archive at {self.location}", path=self.location)
        self.generation = self._open()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None

    # -- the store file --------------------------------------------------------------------

    def _open(self) -> int:
        if not self.storage.exists(STORE_FILE):
            with self.storage.lock(self.lock_timeout):
                if not self.storage.exists(STORE_FILE):
                    self._write_store_file(1)
        try:
            info = json.loads(self.storage.read(STORE_FILE))
            version, generation = int(info["format"]), int(info.get("generation", 1))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise CorruptStore(
                f"{self.location}: {STORE_FILE} is unreadable ({exc})", path=STORE_FILE
            ) from exc
        if version > FORMAT:
            raise CorruptStore(
                f"{self.location} is a format {version} store; this threadkeep "
                f"({__version__}) reads format {FORMAT} and older: upgrade threadkeep",
                path=STORE_FILE,
            )
        return generation

    def _write_store_file(self, generation: int) -> None:
        info = {"format": FORMAT, "generation": generation, "written_by": __version__}
        self.storage.write_atomic(STORE_FILE, json.dumps(info, indent=1).encode("utf-8"))

    # -- paths -----------------------------------------------------------------------------

    def _gen(self, generation: int | None = None) -> str:
        return f"gen-{generation or self.generation}"

    @staticmethod
    def raw_path(sha256: str) -> str:
        return safe_path("raw", sha256[:2], f"{sha256}.gz")

    def tweet_path(self, key: str, generation: int | None = None) -> str:
        return safe_path(self._gen(generation), "tweets", key[-2:], f"{key}.json")

    def document_path(self, key: str, generation: int | None = None) -> str:
        return safe_path(self._gen(generation), "documents", f"{key}.json")

    def snapshot_path(
        self, key: str, number: int, content: str, generation: int | None = None
    ) -> str:
        return safe_path(
            self._gen(generation), "snapshots", key, f"{number:06d}-{content[:16]}.json"
        )

    # -- reading ---------------------------------------------------------------------------

    def _load(self, path: str, model: type[M]) -> M | None:
        try:
            data = self.storage.read(path)
        except FileNotFoundError:
            return None
        try:
            return model.model_validate_json(data)
        except ValidationError as exc:
            raise CorruptStore(
                f"{path} does not hold a valid {model.__name__} ({exc.errors()[0]['msg']})",
                path=path,
            ) from exc

    def tweet(self, key: str) -> TweetRecord | None:
        """The merged record of a tweet (by id, or content key), or None.

        Examples:
            >>> import tempfile
            >>> import threadkeep
            >>> archive = threadkeep.Archive(tempfile.mkdtemp())
            >>> page = open("fixtures/threadreader/quinnypig_2020_full.html", "rb").read()
            >>> _ = archive.add(page)
            >>> record = archive.tweet("1215710451343904768")
            >>> record.author.handle, record.removed, [v.text[:24] for v in record.versions]
            ('QuinnyPig', False, ['Okay. For every retweet '])
            >>> archive.tweet("1") is None
            True
        """
        return self._load(self.tweet_path(key), TweetRecord) if _key_ok(key) else None

    def document(self, key: str) -> DocumentRecord | None:
        """A document record (``thread-<id>``, ``article-…``, …), or None.

        Examples:
            >>> import tempfile
            >>> import threadkeep
            >>> archive = threadkeep.Archive(tempfile.mkdtemp())
            >>> page = open("fixtures/threadreader/quinnypig_2020_full.html", "rb").read()
            >>> _ = archive.add(page)
            >>> document = archive.document("thread-1215710451343904768")
            >>> document.kind, document.captures, len(document.snapshots), len(document.tweets)
            ('thread', 1, 1, 102)
        """
        return self._load(self.document_path(key), DocumentRecord) if _key_ok(key) else None

    def raw(self, sha256: str) -> bytes:
        """A captured body, decompressed."""
        return gzip.decompress(self.storage.read(self.raw_path(sha256)))

    def captures(self) -> Iterator[CaptureEntry]:
        """Every line of the capture log, oldest first (a torn last line is skipped).

        Examples:
            >>> import tempfile
            >>> import threadkeep
            >>> archive = threadkeep.Archive(tempfile.mkdtemp())
            >>> page = open("fixtures/threadreader/quinnypig_2020_full.html", "rb").read()
            >>> _ = archive.add(page)
            >>> _ = archive.add(page)  # the same bytes again: logged, no new snapshot
            >>> [(entry.outcome, entry.document) for entry in archive.captures()]
            [('new', 'thread-1215710451343904768'), ('unchanged', 'thread-1215710451343904768')]
        """
        try:
            data = self.storage.read(LOG)
        except FileNotFoundError:
            return
        for number, line in enumerate(data.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                yield CaptureEntry.model_validate_json(line)
            except ValidationError as exc:
                if number == data.count(b"\n") + 1:  # no newline after it: torn by a crash
                    return
                raise CorruptStore(
                    f"{LOG} line {number} is damaged ({exc.errors()[0]['msg']})", path=LOG
                ) from exc

    def find(self, identifier: str) -> DocumentRecord | None:
        """The document ``identifier`` names: a thread id, a tweet id, or a document key.

        A tweet id gives the thread it belongs to (or else the first document that showed it).

        Examples:
            >>> import tempfile
            >>> import threadkeep
            >>> archive = threadkeep.Archive(tempfile.mkdtemp())
            >>> page = open("fixtures/threadreader/quinnypig_2020_full.html", "rb").read()
            >>> _ = archive.add(page)
            >>> archive.find("1215711185045090305").key  # the fifth tweet's id
            'thread-1215710451343904768'
        """
        identifier = identifier.strip()
        if identifier.isdigit():
            document = self.document(f"thread-{identifier}")
            if document is not None:
                return document
            record = self.tweet(identifier)
            if record is None:
                return None
            keys = sorted(record.documents, key=lambda k: (not k.startswith("thread-"), k))
            for key in keys:
                if (found := self.document(key)) is not None:
                    return found
            return None
        return self.document(identifier)

    def thread(self, identifier: str) -> ArchivedThread | None:
        """The merged document (``show``): every tweet ever seen, removed ones marked.

        ``identifier`` is a thread id, the id of any tweet in it, or a document key. Each
        tweet carries ``removed``, ``first_seen``, ``last_seen``, ``sightings`` and
        ``versions`` (every distinct text, oldest first). None when nothing matches.

        Examples:
            >>> import tempfile
            >>> import threadkeep
            >>> archive = threadkeep.Archive(tempfile.mkdtemp())
            >>> page = open("fixtures/threadreader/quinnypig_2020_full.html", "rb").read()
            >>> _ = archive.add(page)
            >>> _ = archive.add(open("examples/data/quinnypig_2020_later.html", "rb").read())
            >>> thread = archive.thread("1215710451343904768")
            >>> thread.captures, len(thread.tweets), sum(tweet.removed for tweet in thread.tweets)
            (2, 102, 1)
        """
        document = self.find(identifier)
        return views.merged(self, document) if document is not None else None

    def history(self, identifier: str) -> History | None:
        """A document's captures and the changes between its snapshots (``history``).

        Examples:
            >>> import tempfile
            >>> import threadkeep
            >>> archive = threadkeep.Archive(tempfile.mkdtemp())
            >>> page = open("fixtures/threadreader/quinnypig_2020_full.html", "rb").read()
            >>> _ = archive.add(page)
            >>> _ = archive.add(open("examples/data/quinnypig_2020_later.html", "rb").read())
            >>> history = archive.history("1215710451343904768")
            >>> [(change.tweets, change.removed) for change in history.snapshots]
            [(102, ()), (101, ('1215711185045090305',))]
        """
        document = self.find(identifier)
        return views.history(self, document) if document is not None else None

    def verify(self) -> VerifyReport:
        """Recompute every hash and re-read every record (``verify``).

        The report lists each problem with its path and the captures it belongs to.

        Examples:
            >>> import tempfile
            >>> import threadkeep
            >>> archive = threadkeep.Archive(tempfile.mkdtemp())
            >>> page = open("fixtures/threadreader/quinnypig_2020_full.html", "rb").read()
            >>> _ = archive.add(page)
            >>> report = archive.verify()
            >>> report.ok, report.captures, report.snapshots, report.problems
            (True, 1, 1, ())
        """
        return maintenance.verify(self)

    def reparse(self) -> ReparseReport:
        """Rebuild derived records from every raw capture with today's parsers (``reparse``).

        The rebuilt records go into a new generation; the store switches to it in one atomic
        write, and the previous generation stays on disk.

        Examples:
            >>> import tempfile
            >>> import threadkeep
            >>> archive = threadkeep.Archive(tempfile.mkdtemp())
            >>> page = open("fixtures/threadreader/quinnypig_2020_full.html", "rb").read()
            >>> _ = archive.add(page)
            >>> report = archive.reparse()
            >>> report.generation, report.replayed, report.failed
            (2, 1, ())
        """
        return maintenance.reparse(self)

    def repair(self) -> RepairReport:
        """Rebuild damaged derived files from the raw captures and the log (``verify --repair``).

        Raw captures and the log are never rewritten; a capture whose raw body is damaged is
        rebuilt from its stored snapshot when that is intact. The report says what was
        repaired and what could not be.

        Examples:
            >>> import tempfile
            >>> import threadkeep
            >>> archive = threadkeep.Archive(tempfile.mkdtemp())
            >>> page = open("fixtures/threadreader/quinnypig_2020_full.html", "rb").read()
            >>> _ = archive.add(page)
            >>> report = archive.repair()  # nothing is damaged: nothing to rebuild
            >>> report.ok, report.generation, report.unrepaired
            (True, None, ())
        """
        return maintenance.repair(self)

    def captured_urls(self) -> set[str]:
        """Urls with at least one successful capture (for resuming a batch)."""
        return {c.url for c in self.captures() if c.url and c.outcome != "failed"}

    def records(self) -> Iterator[TweetRecord]:
        """Every tweet record in the store (what ``export`` prints), in no particular order.

        Examples:
            >>> import tempfile
            >>> import threadkeep
            >>> archive = threadkeep.Archive(tempfile.mkdtemp())
            >>> page = open("fixtures/threadreader/quinnypig_2020_full.html", "rb").read()
            >>> _ = archive.add(page)
            >>> records = list(archive.records())
            >>> len(records)  # the thread's 102 tweets and the 2 tweets it quotes
            104
        """
        for path in self.storage.list(safe_path(self._gen(), "tweets")):
            record = self._load(path, TweetRecord)
            if record is not None:
                yield record

    # -- writing ---------------------------------------------------------------------------

    def add(
        self,
        data: bytes,
        *,
        url: str | None = None,
        captured_at: datetime | None = None,
        status: int | None = None,
    ) -> AddResult:
        """Capture ``data`` (a page, answer or text copy that came from ``url``).

        The raw bytes are always kept, even when they cannot be parsed (a later parser may
        read them): then the capture is logged as failed and the :class:`ParseError` raised.
        ``captured_at`` defaults to now; ``status`` is the HTTP status, for the log.

        Examples:
            >>> import tempfile
            >>> import threadkeep
            >>> archive = threadkeep.Archive(tempfile.mkdtemp())
            >>> page = open("fixtures/threadreader/quinnypig_2020_full.html", "rb").read()
            >>> result = archive.add(page, url="https://threadreaderapp.com/thread/1215710451343904768.html")
            >>> result.outcome, result.kind, result.snapshot_written, len(result.new)
            ('new', 'thread', True, 102)
            >>> archive.add(page).outcome  # the same content again
            'unchanged'
        """
        at = captured_at or _now()
        sha = hashlib.sha256(data).hexdigest()
        try:
            result: Result | None = parse(data, url=url, source=url)
            error = None
        except ParseError as exc:
            result, error = None, exc
        if result is not None and result.source is None:  # threadkeep JSON without one
            reason = "threadkeep JSON with no source (no sighting): nothing says where it is from"
            result, error = None, UnsupportedPage(reason, source=url)
        entry = functools.partial(
            CaptureEntry, time=at, url=url, sha256=sha, status=status, parser_version=__version__
        )
        with self.storage.lock(self.lock_timeout):
            try:
                if not self.storage.exists(self.raw_path(sha)):
                    self.storage.write_atomic(self.raw_path(sha), gzip.compress(data, mtime=0))
                if result is None:
                    assert error is not None
                    self._log(entry(outcome="failed", error=error.reason))
                    raise error
                added = self._apply(result, sha=sha, at=at, generation=self.generation)
                self._log(
                    entry(
                        outcome=added.outcome,
                        document=added.document,
                        kind=added.kind,
                        snapshot=added.snapshot_path,
                    )
                )
            except ArchiveError as exc:
                raise _not_recorded(exc, url) from exc
        return added.result

    def record_failure(
        self,
        *,
        url: str,
        error: str,
        status: int | None = None,
        captured_at: datetime | None = None,
    ) -> None:
        """Log a capture that brought no body (a fetch that failed), so the log shows it."""
        entry = CaptureEntry(
            time=captured_at or _now(),
            url=url,
            sha256=None,
            status=status,
            parser_version=__version__,
            outcome="failed",
            error=error,
        )
        with self.storage.lock(self.lock_timeout):
            self._log(entry)

    def _log(self, entry: CaptureEntry) -> None:
        self.storage.append_line(LOG, entry.model_dump_json().encode("utf-8") + b"\n")

    def _apply(self, result: Result, *, sha: str, at: datetime, generation: int) -> Applied:
        """Merge one parsed capture into generation ``generation`` of the derived records."""
        return Applier(self, result, sha=sha, at=at, generation=generation).run()


def _not_recorded(exc: ArchiveError, url: str | None) -> ArchiveError:
    """A write failed (disk full, say) part way through a capture: say what that means.

    Every file is replaced atomically and the log line comes last, so the store is as valid
    as before; the capture is not in the log. Derived files it already updated are rebuilt
    from the log by ``threadkeep verify --repair``.
    """
    return type(exc)(
        f"{exc}; the capture{f' of {url}' if url else ''} was not recorded and the store is "
        "still valid (`threadkeep verify` checks it); free space, then capture again",
        path=exc.path,
    )


def _key_ok(key: str) -> bool:
    try:
        safe_path(key)
    except ArchiveError:
        return False
    return True
