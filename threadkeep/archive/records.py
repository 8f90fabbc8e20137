"""What the archive keeps, as typed records (stored as JSON; format documented in docs/format.md).

* :class:`CaptureEntry`: one line of the append-only capture log, failed captures included.
* :class:`TweetRecord`: one tweet merged across every copy that showed it: its versions (each
  distinct text, oldest first), every sighting, and whether it has since disappeared.
* :class:`DocumentRecord`: one thread, listing, article or standalone tweet as captured over
  time: its snapshots and the order of its tweets.

Those two are what readers get. On disk (format 2) a store keeps less:
:class:`StoredTweet` and :class:`StoredDocument` hold only what changes with content, so a
capture rewrites only the records whose content it changed. When and how often each tweet was
seen is not stored in its record: every capture is a line of the log, each maps to a snapshot
of its document, and each snapshot's entry in the document record (:class:`StoredSnapshot`)
lists the tweets it shows; :mod:`threadkeep.archive.views` assembles the public records from
those on read. A format 1 store (threadkeep 0.1.0) kept the public records themselves.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict

from threadkeep.models import Author, Origin, Tweet

__all__ = [
    "AddResult",
    "CaptureEntry",
    "DocumentRecord",
    "PendingCapture",
    "ReadOtherwise",
    "RebuildRecord",
    "SightingRecord",
    "SnapshotRef",
    "StoredDocument",
    "StoredSnapshot",
    "StoredTweet",
    "TweetRecord",
    "Version",
]

FORMAT = 3
"""The on-disk format number; a store of a newer format is refused, not misread."""
FORMAT_2 = 2
"""The format of threadkeep before issue 19: one appended ``captures.jsonl``; read as it is,
upgraded to :data:`FORMAT` (the log frozen, continued by the journal) by the first write."""
FORMAT_1 = 1
"""The format threadkeep 0.1.0 wrote: read as it is, upgraded to :data:`FORMAT` by the first
command that writes (see docs/format.md)."""

Outcome = Literal["new", "changed", "unchanged", "empty", "failed"]
DocumentKind = Literal["thread", "listing", "article", "tweet", "export"]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Captured(_Record):
    """A record that may name the web-archive record its bytes came from (``origin``).

    ``origin`` is written only when known: a line or capture object without one serializes
    byte for byte as before it existed (format 3 gained the field before its release). Other
    views of the record (``history --format json``) say ``"origin": null`` as they say
    ``"digest": null``."""

    def model_dump_json(self, **options: Any) -> str:
        """As :meth:`pydantic.BaseModel.model_dump_json`, with a null ``origin`` left out."""
        if getattr(self, "origin", None) is None:
            exclude = options.get("exclude") or set()
            if isinstance(exclude, dict):
                options["exclude"] = {**exclude, "origin": True}
            else:
                options["exclude"] = {*exclude, "origin"}
        return super().model_dump_json(**options)


class CaptureEntry(_Captured):
    """One capture attempt: when, from where, which bytes, what came of it.

    One line of the capture log; ``outcome`` is ``new``, ``changed``, ``unchanged``, ``empty``
    (it parsed, into a result with no tweet of its own, such as an article that embeds none:
    ``kind`` says what it is, and no document or snapshot was made) or ``failed`` (then
    ``error`` says why).

    Examples:
        >>> import tempfile
        >>> import threadkeep
        >>> archive = threadkeep.Archive(tempfile.mkdtemp())
        >>> page = open("fixtures/threadreader/quinnypig_2020_full.html", "rb").read()
        >>> _ = archive.add(page, url="https://threadreaderapp.com/thread/1215710451343904768.html")
        >>> entry = next(archive.captures())
        >>> entry.outcome, entry.kind, entry.url
        ('new', 'thread', 'https://threadreaderapp.com/thread/1215710451343904768.html')
    """

    time: AwareDatetime
    url: str | None
    sha256: str | None
    status: int | None = None
    parser_version: str
    outcome: Outcome
    document: str | None = None
    kind: str | None = None
    snapshot: str | None = None
    error: str | None = None
    digest: str | None = None
    """The web archive's digest of the copy (base32 SHA-1 of its bytes, as its index lists
    it), set on a capture ``recover`` fetched from the web archive: a copy whose digest is in
    the log is never fetched again."""
    recovered: str | None = None
    """Set on a line ``verify --repair`` wrote for an orphaned raw capture whose own line was
    lost: where each field came from, and which are unknown (:mod:`threadkeep.archive.recover`)."""
    capture: str | None = None
    """Format 3: the key of the capture object the line merged (``<time>/<sha256>``); None
    on a line written before (format 2), or not from a capture object (a repair's)."""
    origin: Origin | None = None
    """The web-archive (WARC) record the bytes were read from (``threadkeep archive
    crawl.warc.gz``): its file, offset and record id; left out of the line when unknown."""


class PendingCapture(_Captured):
    """Format 3: a capture object, ``captures/<time>/<sha256>.json``: what its writer knew
    before the merge (the log line's fields but what the merge decides). ``error`` is set
    when its body did not parse (the merge logs it ``failed``)."""

    time: AwareDatetime
    url: str | None
    sha256: str | None
    status: int | None = None
    parser_version: str
    digest: str | None = None
    error: str | None = None
    origin: Origin | None = None
    """As :attr:`CaptureEntry.origin`: carried into the capture's log line by the merge."""


class ReadOtherwise(_Record):
    """A log line a rebuild read otherwise than the line says: what it made of it."""

    offset: int
    """Where the line starts in the log (in bytes)."""
    outcome: Outcome
    document: str | None = None
    kind: str | None = None


class RebuildRecord(_Record):
    """What a rebuild (``reparse``, ``repair``, the upgrade) read of the log (its generation's
    ``rebuild.json``).

    The lines starting before ``log_offset`` are those it read; of them, ``read`` lists those
    whose outcome or document it read otherwise than the line says (a handful, usually: 0.1.0
    made a document of a capture with no tweets, a parser now reads a page as another
    document). Readers of the generation take those lines as it read them.
    """

    log_offset: int
    read: list[ReadOtherwise] = []


class SightingRecord(_Record):
    """Where a tweet was seen: the source kind, url and raw capture, first and last time."""

    kind: str
    url: str | None
    sha256: str | None
    document: str | None
    first_seen: AwareDatetime
    last_seen: AwareDatetime
    times: int = 1


class Version(_Record):
    """One distinct text of a tweet, with when it was first and last seen."""

    text: str | None
    first_seen: AwareDatetime
    last_seen: AwareDatetime


class TweetRecord(_Record):
    """A tweet merged across every copy; ``latest`` is its most recent full content.

    ``versions`` holds every distinct text, oldest first; ``sightings`` every copy that showed
    it; ``removed`` says a later capture of its thread no longer showed it (since
    ``removed_at``); ``documents`` maps each document that showed it to its position there.

    Examples:
        >>> import tempfile
        >>> import threadkeep
        >>> archive = threadkeep.Archive(tempfile.mkdtemp())
        >>> page = open("fixtures/threadreader/quinnypig_2020_full.html", "rb").read()
        >>> _ = archive.add(page)
        >>> _ = archive.add(open("examples/data/quinnypig_2020_later.html", "rb").read())
        >>> record = archive.tweet("1215711185045090305")
        >>> record.removed, record.documents, [sighting.kind for sighting in record.sightings]
        (True, {'thread-1215710451343904768': 5}, ['threadreader'])
        >>> record.latest.text[:36]
        'If you call yourself "a public speak'
    """

    key: str
    id: str | None
    author: Author | None = None
    latest: Tweet
    versions: list[Version]
    sightings: list[SightingRecord]
    first_seen: AwareDatetime
    last_seen: AwareDatetime
    removed: bool = False
    removed_at: AwareDatetime | None = None
    documents: dict[str, int | None] = {}

    @property
    def edited(self) -> bool:
        """True when more than one distinct text was seen."""
        return len({v.text for v in self.versions if v.text is not None}) > 1


class SnapshotRef(_Record):
    """A stored snapshot of a document's parsed content."""

    path: str
    content_sha256: str
    captured_at: AwareDatetime
    raw_sha256: str | None


class _Document(_Record):
    """What a document is, as both the stored and the public record say it."""

    key: str
    kind: DocumentKind
    id: str | None = None
    url: str | None = None
    title: str | None = None
    author: Author | None = None
    tweets: list[str] = []


class DocumentRecord(_Document):
    """A thread, listing, article or tweet, as captured over time.

    ``tweets`` lists the key of every tweet the document ever showed, in order (a tweet no
    longer shown keeps its place); ``snapshots`` the parsed copies, one per change.

    Examples:
        >>> import tempfile
        >>> import threadkeep
        >>> archive = threadkeep.Archive(tempfile.mkdtemp())
        >>> page = open("fixtures/threadreader/quinnypig_2020_full.html", "rb").read()
        >>> _ = archive.add(page)
        >>> document = archive.document("thread-1215710451343904768")
        >>> document.key, document.kind, document.author.handle, len(document.tweets)
        ('thread-1215710451343904768', 'thread', 'QuinnyPig', 102)
    """

    snapshots: list[SnapshotRef] = []
    first_captured: AwareDatetime
    last_captured: AwareDatetime
    captures: int = 0


class CaptureRef(_Record):
    """A capture, as a stored record names it: its raw hash and its time."""

    sha256: str | None
    time: AwareDatetime


class StoredTweet(_Record):
    """A tweet record as format 2 stores it: only what changes with content.

    ``versions`` holds each distinct text, oldest first (when each was seen comes from the
    captures); ``changes`` names every capture that changed this record, oldest first, so
    that ``verify`` can tell a record a capture cut short updated from a damaged one.
    """

    key: str
    id: str | None
    author: Author | None = None
    latest: Tweet
    versions: list[str | None]
    removed: bool = False
    removed_at: AwareDatetime | None = None
    documents: dict[str, int | None] = {}
    changes: list[CaptureRef] = []


class StoredSnapshot(SnapshotRef):
    """A snapshot as a format 2 document record lists it: the :class:`SnapshotRef`, the kind and
    url of its source, and ``shown``: each tweet it shows (its own and those they quote or
    answer), with the :func:`~threadkeep.archive.merge.text_hash` of the text it shows (None:
    no text), which names one of that tweet's ``versions``.

    Every capture of the document maps to one snapshot (the one it wrote, else the latest
    written before it): ``shown`` says which tweets that capture saw, without opening the
    snapshot.
    """

    kind: str
    url: str | None
    shown: dict[str, str | None] = {}


class StoredDocument(_Document):
    """A document record as format 2 stores it: no capture counts or times (the log has them)."""

    snapshots: list[StoredSnapshot] = []


class AddResult(BaseModel):
    """What one :meth:`Archive.add` did: the outcome, and which tweets are new, changed, gone.

    ``new``, ``changed`` (a new text), ``removed`` and ``reappeared`` hold tweet keys (ids).

    Examples:
        >>> import tempfile
        >>> import threadkeep
        >>> archive = threadkeep.Archive(tempfile.mkdtemp())
        >>> page = open("fixtures/threadreader/quinnypig_2020_full.html", "rb").read()
        >>> _ = archive.add(page)
        >>> result = archive.add(open("examples/data/quinnypig_2020_later.html", "rb").read())
        >>> result.outcome, result.snapshot_written, result.removed, result.changed
        ('changed', True, ('1215711185045090305',), ())
    """

    model_config = ConfigDict(frozen=True)

    outcome: Outcome | Literal["pending"]
    """As the capture's log line says; ``pending`` for a capture written with
    ``merge=False`` (format 3): durable, merged by the next merge."""
    document: str | None
    kind: str | None
    snapshot_written: bool
    new: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    reappeared: tuple[str, ...] = ()
    captured_at: datetime
    sha256: str
