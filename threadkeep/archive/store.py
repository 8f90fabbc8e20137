"""The archive: a deduplicating store of captures in which nothing once captured is lost.

:class:`Archive` is the facade. It holds the parts and calls them; none of them calls it back:

* :mod:`~threadkeep.archive.layout` knows where every file lives (``docs/format.md``);
* :class:`~threadkeep.archive.files.StoreFiles` reads and writes the store file, raw bodies,
  snapshots and records, and turns every damaged file into :class:`CorruptStore`;
* :class:`~threadkeep.archive.log.CaptureLog` appends to the capture log and reads it back;
* :func:`~threadkeep.archive.apply.apply` merges one capture into the derived records;
* :mod:`~threadkeep.archive.maintenance` verifies, reparses and repairs;
* :mod:`~threadkeep.archive.views` builds what ``show`` and ``history`` print.

Raw bodies and the log are the source of truth; the snapshots and records are derived from
them, one generation at a time, and :meth:`Archive.reparse` rebuilds them into a new
generation (the old one stays).

Every change happens under the store lock, in an order that keeps the store valid after a
crash at any instant: raw body, snapshot, tweet records, document record, and the log line
last. Each file is written atomically.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from threadkeep._version import __version__
from threadkeep.archive import layout, order, views
from threadkeep.archive.apply import capture
from threadkeep.archive.fetched import CaptureLike
from threadkeep.archive.files import StoreFiles
from threadkeep.archive.layout import refuse_foreign_folder
from threadkeep.archive.log import CaptureLog
from threadkeep.archive.media import MediaEntry, MediaStore, file_key
from threadkeep.archive.records import AddResult, CaptureEntry, DocumentRecord, TweetRecord
from threadkeep.archive.s3 import is_s3, open_storage
from threadkeep.archive.storage import Storage
from threadkeep.archive.view_models import ArchivedThread, History, KeptMedia
from threadkeep.errors import ArchiveError

if TYPE_CHECKING:
    from threadkeep.archive.export import ExportArchived
    from threadkeep.archive.maintenance import RepairReport, ReparseReport, VerifyReport
    from threadkeep.archive.warc_export import WarcExported
    from threadkeep.models import Origin, Tweet

__all__ = ["DEFAULT_STORE", "Archive"]

DEFAULT_STORE = "threadkeep-archive"
"""Where an archive lives when no path is given: ``./threadkeep-archive``."""


def _now() -> datetime:
    return datetime.now(UTC)


class Archive:
    """A store of captures in which nothing once captured is lost (see docs/format.md).

    ``Archive(path)`` opens the store in the folder ``path`` (or in a bucket:
    ``Archive("s3://bucket/prefix")``, see :mod:`threadkeep.archive.s3`), creating it unless
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
        self.storage: Storage = storage if storage is not None else open_storage(path)
        self.location = str(path)  # a folder, or s3://bucket/prefix: never made a Path
        self.files = StoreFiles(self.storage, location=self.location, lock_timeout=lock_timeout)
        self.log = CaptureLog(self.storage)
        self.merging = True
        """Whether :meth:`add` merges (format 3) when not told: ``archive --no-merge`` sets it
        False (the captures are written, and merged by the next merge)."""
        self.media_store = MediaStore(self.storage, location=self.location)
        if not create and not self.files.exists():
            raise ArchiveError(f"no threadkeep archive at {self.location}", path=self.location)
        if storage is None and not is_s3(path) and not self.files.exists():
            refuse_foreign_folder(self.location)
        self.files.create()
        self.files.generation()  # a store of a newer format is refused here, not at first use

    @property
    def generation(self) -> int:
        """The generation of derived files in use, read from the store file at every call:
        another process may have switched it (a reparse) since this archive was opened, and a
        capture it made since is only in the new one. Writes read it under the lock."""
        return self.files.generation()

    @property
    def lock_timeout(self) -> float:
        """How long a write waits for the store lock, in seconds."""
        return self.files.lock_timeout

    @lock_timeout.setter
    def lock_timeout(self, seconds: float) -> None:
        self.files.lock_timeout = seconds

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None

    # -- reading ---------------------------------------------------------------------------

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
        return self._reader().tweet(key)

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
        return self._reader().document(key)

    def raw(self, sha256: str) -> bytes:
        """A captured body, decompressed and checked against its hash.

        :class:`FileNotFoundError` when no body has that hash; :class:`CorruptStore` when
        the stored one is damaged.
        """
        return self.files.raw(sha256)

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
        return self.log.entries()

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
        return self._reader().find(identifier)

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
        reader = self._reader()  # one generation for the whole view
        document = reader.find(identifier)
        if document is None:
            return None
        merged = reader.merged(document)
        kept = self.kept_media(merged.tweets)
        return merged.model_copy(update={"media": kept}) if kept else merged

    def kept_media(
        self, tweets: Iterable[Tweet], *, index: dict[tuple[str, str], MediaEntry] | None = None
    ) -> tuple[KeptMedia, ...]:
        """The media of ``tweets`` (and of the tweets they quote) the media store keeps a file
        of, each once, in order (what ``show`` lists after a thread's tweets).

        Examples:
            >>> import tempfile
            >>> import threadkeep
            >>> archive = threadkeep.Archive(tempfile.mkdtemp())
            >>> archive.kept_media([threadkeep.Tweet(id="20", media=[threadkeep.Media(kind="photo", url="https://pbs.twimg.com/media/a.jpg")])])
            ()
        """
        if index is None:
            if not self.media_store.has_index():
                return ()
            index = self.media_store.index()  # (a caller asking often reads it once: index=)
        kept: dict[str, KeptMedia] = {}
        for tweet in tweets:
            shown = [tweet, *(t for t in (tweet.quoted, tweet.retweet_of) if t is not None)]
            for item in (item for one in shown for item in one.media):
                # the item's file, and its picture (a video's poster, a card's image)
                for url, file in ((item.url, item.file), (item.preview, None)):
                    entry = index.get(("url", url)) if url else None
                    if entry is None and file:
                        entry = index.get(("file", file_key(file)))
                    key = url or file
                    if entry is None or key is None or key in kept:
                        continue
                    if not self.media_store.has(entry.sha256):  # set aside by a repair
                        continue
                    kept[key] = KeptMedia(
                        url=url,
                        export_file=None if url else file,
                        path=layout.media_path(entry.sha256),
                        sha256=entry.sha256,
                        size=entry.size,
                        type=entry.type,
                        origin=entry.origin,
                        time=entry.time,
                    )
        return tuple(kept.values())

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
        reader = self._reader()  # one generation for the whole view
        document = reader.find(identifier)
        if document is None:
            return None
        return views.history(self.files, self.log, document, reader.generation)

    def verify(self) -> VerifyReport:
        """Recompute every hash and check every record against the log (``verify``).

        The log is replayed through the merge rules in memory, and each document and tweet
        record compared with what it must be. The report lists each problem with its path and
        the captures it belongs to; records a capture cut short updated are listed as
        ``ahead`` (not damage).

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
        from threadkeep.archive import maintenance  # loaded by the commands that need it

        # In use now: captures made since another process switched it are only in the new one.
        format, generation = self.files.info()
        return maintenance.verify(
            self.files, self.log, generation, format=format, media=self.media_store
        )

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
        from threadkeep.archive import maintenance

        return maintenance.reparse(self.files, self.log)

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
        from threadkeep.archive import maintenance

        self.upgrade()
        return maintenance.repair(
            self.files, self.log, self.files.generation(), media=self.media_store
        )

    def media(self, *, url: str | None = None, file: str | None = None) -> MediaEntry | None:
        """The stored media file for a media url, else an export file name (``Media.url``,
        ``Media.file``), or None: its ``sha256`` names it, :meth:`media_bytes` reads it.

        Examples:
            >>> import tempfile
            >>> import threadkeep
            >>> archive = threadkeep.Archive(tempfile.mkdtemp())
            >>> archive.media(url="https://pbs.twimg.com/media/GJQrY6MWcAA6xjP.jpg") is None
            True
        """
        return self.media_store.find(url=url, file=file)

    def media_bytes(self, sha256: str) -> bytes:
        """A stored media file's bytes, checked against its hash (:class:`FileNotFoundError`
        when none has it, :class:`CorruptStore` when it is damaged)."""
        return self.media_store.read(sha256)

    def documents(self) -> Iterator[DocumentRecord]:
        """Every document record of the generation in use, by key (what an index lists).

        Examples:
            >>> import tempfile
            >>> import threadkeep
            >>> archive = threadkeep.Archive(tempfile.mkdtemp())
            >>> page = open("fixtures/threadreader/quinnypig_2020_full.html", "rb").read()
            >>> _ = archive.add(page)
            >>> [document.key for document in archive.documents()]
            ['thread-1215710451343904768']
        """
        reader = self._reader()  # one generation for the whole walk
        paths = self.storage.list(layout.documents_folder(reader.generation))
        keys = sorted(p.rsplit("/", 1)[-1].removesuffix(".json") for p in paths
                      if p.endswith(".json"))  # fmt: skip
        for key in keys:
            if (document := reader.document(key)) is not None:
                yield document

    def captured_urls(self) -> set[str]:
        """Urls with at least one successful capture (for resuming a batch), counting those
        whose page held no tweets (outcome ``empty``): the page was captured."""
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
        return self._reader().records()

    # -- writing ---------------------------------------------------------------------------

    def add(
        self,
        data: bytes,
        *,
        url: str | None = None,
        captured_at: datetime | None = None,
        status: int | None = None,
        digest: str | None = None,
        origin: Origin | None = None,
        merge: bool | None = None,
    ) -> AddResult:
        """Capture ``data`` (a page, answer or text copy that came from ``url``).

        The capture is written without the store lock (its raw body and its capture object:
        durable once written, see docs/format.md, format 3), then merged under the lock with
        every other pending capture. Bytes stored already that are the document's latest
        content, the lock free and nothing pending, are logged at once instead: one log line,
        nothing else written. With ``merge=False`` (default: :attr:`merging`) it is
        only written (outcome ``pending``): the next merge (any capture's, :meth:`merge`,
        ``verify --repair``) merges it. A capture another process merged first says what its
        log line says.

        The raw bytes are always kept, even when they cannot be parsed (a later parser may
        read them): then the capture is logged as failed and the :class:`ParseError` raised.
        A capture that parses into a result with no tweet of its own (an article that embeds
        none) is logged with the outcome ``empty`` and makes no document.
        ``captured_at`` defaults to now; ``status`` is the HTTP status, for the log;
        ``digest`` the web archive's digest of a copy fetched from it (kept in the log line);
        ``origin`` the web-archive (WARC) record the bytes were read from (an
        :class:`~threadkeep.models.Origin`: file, offset, record id; kept in the capture's own log
        line, an unchanged one's too).

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
            >>> article = open("fixtures/text/seed000_article_no_embeds.txt", "rb").read()
            >>> empty = archive.add(article)  # an article that embeds no tweet
            >>> empty.outcome, empty.kind, empty.document, empty.snapshot_written
            ('empty', 'article', None, False)
            >>> from threadkeep import Origin  # the same bytes, read from a WARC record
            >>> archive.add(page, origin=Origin(file="crawl.warc.gz", offset=234)).outcome
            'unchanged'
            >>> [entry.origin.offset for entry in archive.captures() if entry.origin]
            [234]
        """
        at = captured_at or _now()
        self.upgrade()  # reads the store file: format 3 now, or CorruptStore (a newer one)
        return capture(
            self.files,
            self.log,
            data,
            url=url,
            at=at,
            status=status,
            digest=digest,
            origin=origin,
            place=order.place,
            merge=self.merging if merge is None else merge,
            current=True,
        )

    def merge(self) -> int:
        """Merge every pending capture (format 3: those written with ``merge=False``, or
        whose writer was killed before it merged), under the lock; how many were merged."""
        from threadkeep.archive import merger

        self.upgrade()
        return merger.merge(self.files, self.log, order.place).count

    def export(
        self,
        source: bytes | os.PathLike[str] | str,
        *,
        name: str | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> ExportArchived:
        """Archive an account export (the zip X/Twitter lets you download, its bytes, or its
        unpacked folder): every tweet, deleted ones kept and marked, each thread unrolled from
        its self-replies a document (``thread-<root id>``), the account's whole export one
        (``export-<account id>``), its media copied into the store once each.

        The same export archived again writes nothing; a later export in which tweets are
        gone marks them removed. ``progress`` is called with a line of news now and then.
        See :mod:`threadkeep.archive.export`.

        Examples:
            >>> import tempfile
            >>> import threadkeep
            >>> archive = threadkeep.Archive(tempfile.mkdtemp())
            >>> done = archive.export("fixtures/export/modern-alrocar-2024")
            >>> done.result.outcome, done.result.document, done.tweets
            ('new', 'export-52338276', 14)
            >>> [thread.document for thread in done.threads]
            ['thread-1848756482629620036', 'thread-1771088435404583031']
            >>> len(archive.thread("1771088435404583031").tweets)
            5
            >>> archive.export("fixtures/export/modern-alrocar-2024").written  # the same again
            False
        """
        from threadkeep.archive.export import archive_export

        self.upgrade()
        path = source if isinstance(source, bytes) else os.fspath(source)
        return archive_export(
            self.files,
            self.log,
            self.media_store,
            path if isinstance(path, bytes) else Path(path),
            name=name,
            progress=progress,
        )

    def export_warc(
        self, path: str | os.PathLike[str], identifiers: Sequence[str] = ()
    ) -> WarcExported:
        """Write the raw captures (of the documents ``identifiers`` name, else all) into the
        WARC file ``path``, which pywb and other replay tools open: a ``response`` record a
        capture with its url, time, status and payload digest, a ``revisit`` for bytes
        written already, a ``resource`` for a capture with no url; failed captures left out
        and counted. The same store exported again gives the same bytes. Needs warcio
        (``pip install 'threadkeep[warc]'``). See :mod:`threadkeep.archive.warc_export`.

        Example::

            done = archive.export_warc("captures.warc.gz")
            print(done.summary())  # captures.warc.gz: 3 captures (2 responses, 1 revisit)
        """
        from threadkeep.archive.warc_export import export_warc

        return export_warc(self, path, identifiers)

    def store_media(self, items: Sequence[tuple[bytes | None, MediaEntry]]) -> tuple[int, int]:
        """Keep media files and their index lines, under the store lock: each ``(data,
        entry)`` is written unless its bytes are stored already, and its line unless the index
        holds its url (and file name) as these bytes. ``data`` None: the file was written
        already (:meth:`MediaStore.write_streamed`). How many files and lines were written.

        The archive never fetches: :func:`threadkeep.batch.media.fetch_media` does, and hands
        each file here as it arrives (never holding the lock across a request).

        Examples:
            >>> import hashlib, tempfile
            >>> from datetime import datetime, timezone
            >>> import threadkeep
            >>> from threadkeep.archive.media import MediaEntry
            >>> archive = threadkeep.Archive(tempfile.mkdtemp())
            >>> data = b"not really a jpeg"
            >>> entry = MediaEntry(sha256=hashlib.sha256(data).hexdigest(), size=len(data),
            ...     type="photo", url="https://pbs.twimg.com/media/A.jpg", tweet="1",
            ...     origin="https://pbs.twimg.com/media/A.jpg?name=orig",
            ...     time=datetime(2026, 1, 1, tzinfo=timezone.utc))
            >>> archive.store_media([(data, entry)])
            (1, 1)
            >>> archive.store_media([(data, entry)])  # the same again: nothing written
            (0, 0)
            >>> archive.media_bytes(archive.media(url=entry.url).sha256) == data
            True
        """
        self.upgrade()
        with self.files.lock():
            return self.media_store.store(items)

    def add_capture(self, capture: CaptureLike) -> AddResult:
        """Capture a fetched page: its body, final url, fetch time and status.

        ``archive.add_capture(client.fetch(url))`` is
        ``archive.add(c.content, url=c.final_url, captured_at=c.fetched_at, status=c.status)``
        for a :class:`threadkeep.Capture` ``c``; any :class:`CaptureLike` will do.

        Examples:
            >>> import tempfile
            >>> from datetime import datetime, timezone
            >>> import threadkeep
            >>> archive = threadkeep.Archive(tempfile.mkdtemp())
            >>> page = threadkeep.Capture(
            ...     url="https://threadreaderapp.com/thread/1215710451343904768",
            ...     final_url="https://threadreaderapp.com/thread/1215710451343904768.html",
            ...     status=200,
            ...     headers={"content-type": "text/html; charset=utf-8"},
            ...     content=open("fixtures/threadreader/quinnypig_2020_full.html", "rb").read(),
            ...     fetched_at=datetime(2026, 1, 1, tzinfo=timezone.utc),
            ...     content_type="text/html",
            ...     encoding="utf-8",
            ... )
            >>> archive.add_capture(page).outcome
            'new'
            >>> entry = next(archive.captures())
            >>> entry.url
            'https://threadreaderapp.com/thread/1215710451343904768.html'
            >>> entry.status, entry.time.isoformat()
            (200, '2026-01-01T00:00:00+00:00')
        """
        return self.add(
            capture.content,
            url=capture.final_url,
            captured_at=capture.fetched_at,
            status=capture.status,
        )

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
        self.upgrade()
        with self.files.lock():
            self.log.append(entry)

    def upgrade(self) -> int | None:
        """Upgrade an older store to format 3: the generation in use then, or None when the
        store is format 3 already.

        Format 2: ``captures.jsonl`` and ``media.jsonl`` are frozen (the journals continue
        them; nothing is copied, every offset stays valid) and the store file says format 3,
        in one atomic write under the lock. Format 1 (threadkeep 0.1.0's): the raw captures
        and the log, which no format changes, are replayed into a new generation of records
        (as :meth:`repair` rebuilds them), and the store file is switched to it; the format 1
        generation stays on disk. Every command that writes does this first; reading
        commands read an older store as it is.
        """
        from threadkeep.archive import maintenance

        return maintenance.upgrade(self.files, self.log)

    def _reader(self) -> views.Reader:
        """The reader of the generation in use, read from the store file now."""
        format, generation = self.files.info()
        return views.Reader(self.files, self.log, generation, format)
