"""Fetching the media of archived tweets into the archive's media store.

For each media item of the tweets archived (a photo at its largest size, the video or GIF
variant the copy chose, which parsers pick as the best mp4 a source lists, a video's poster
and a card's image; avatars when asked), :func:`fetch_media` fetches the file through the
fetch :class:`~threadkeep.fetch.Client` (its caps, politeness and address rules: media urls
come from untrusted pages, so they are fetched as taken from a page), streamed into the media
store as its bytes come (:meth:`~threadkeep.fetch.Client.fetch_streamed` into
:meth:`~threadkeep.archive.media.MediaStore.write_hashed`: never whole in memory), once by its
sha256, then indexed with :meth:`~threadkeep.archive.Archive.store_media`. The index line is
keyed by the media url as parsed (``show`` and ``export`` join on it); ``origin`` is the url
the bytes came from. When the origin answers 404, 403 or 410, the web archive's copy
(``BASE/web/2id_/{url}``) is tried (the user named that web archive: it is fetched as the
user's own url), and ``origin`` then names the replay.

Each file is stored as it arrives, so a run stopped half-way keeps what it fetched; the
next run skips every url the index holds. The archive itself never fetches: this module
joins the two.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from threadkeep.archive import Archive
from threadkeep.archive.media import MediaEntry
from threadkeep.errors import FetchError, HTTPStatusError, ThreadkeepError
from threadkeep.fetch import Client
from threadkeep.fetch.body import Head
from threadkeep.media_types import HEAD, is_media, not_media_reason
from threadkeep.models import Tweet
from threadkeep.urls import largest_url

__all__ = [
    "FALLBACK_STATUSES",
    "WAYBACK",
    "MediaItem",
    "MediaReport",
    "NotMedia",
    "fetch_media",
    "largest_url",
    "media_items",
    "wayback_url",
]

WAYBACK = "https://web.archive.org"
"""The web archive asked for a copy of media its origin no longer serves."""

FALLBACK_STATUSES = frozenset({403, 404, 410})
"""The origin's answers after which the web archive's copy is tried."""


class NotMedia(ThreadkeepError):
    """A media url answered with something that is not a picture or a video (an HTML
    error page, say): nothing was stored."""


def wayback_url(base: str, url: str) -> str:
    """Where the web archive replays its copy of ``url`` nearest to any time, as it was.

    Examples:
        >>> wayback_url("https://web.archive.org/", "https://pbs.twimg.com/media/A.jpg")
        'https://web.archive.org/web/2id_/https://pbs.twimg.com/media/A.jpg'
    """
    return f"{base.rstrip('/')}/web/2id_/{url}"


@dataclass(frozen=True)
class MediaItem:
    """One file to keep: ``url`` as the copy gave it (the index's key), its ``type``
    (photo, video, gif, card, avatar) and the ``tweet`` it belongs to."""

    url: str
    type: str
    tweet: str | None

    @property
    def playlist(self) -> bool:
        """A streaming playlist (``.m3u8``), which is no file to keep: skipped and reported."""
        return urlsplit(self.url).path.endswith(".m3u8")


def _of_tweet(tweet: Tweet, *, avatars: bool) -> Iterator[MediaItem]:
    for media in tweet.media:
        if media.kind == "card":  # the url is the card's target page; its image is preview
            if media.preview:
                yield MediaItem(media.preview, "card", tweet.id)
            continue
        if media.url:
            yield MediaItem(media.url, media.kind, tweet.id)
        if media.preview:
            yield MediaItem(media.preview, "photo", tweet.id)
    if avatars and tweet.author is not None and tweet.author.avatar:
        yield MediaItem(tweet.author.avatar, "avatar", tweet.id)
    for inner in (tweet.quoted, tweet.retweet_of):
        if inner is not None:
            yield from _of_tweet(inner, avatars=avatars)


def media_items(
    archive: Archive, ids: Iterable[str] | None = None, *, avatars: bool = False
) -> list[MediaItem]:
    """Every media item of the archive's tweets (of the documents ``ids`` name, when not
    None: none for no ids), each url once, in a stable order. An id that names nothing
    raises :class:`~threadkeep.errors.ArchiveError`."""
    from threadkeep.errors import ArchiveError

    tweets: list[Tweet] = []
    if ids is not None:
        for identifier in dict.fromkeys(ids):
            thread = archive.thread(identifier)
            if thread is None:
                raise ArchiveError(f"{archive.location}: nothing archived is {identifier!r}")
            tweets.extend(thread.tweets)
    else:
        records = sorted(archive.records(), key=lambda r: r.key)
        tweets.extend(record.latest for record in records)
    seen: set[str] = set()
    found = []
    for tweet in tweets:
        for item in _of_tweet(tweet, avatars=avatars):
            if item.url not in seen:
                seen.add(item.url)
                found.append(item)
    return found


@dataclass
class MediaReport:
    """What :func:`fetch_media` did: files stored (and of those, how many came from the web
    archive), urls already held, playlists skipped, and the failures with their reasons."""

    items: int = 0
    stored: list[MediaEntry] = field(default_factory=list)
    from_wayback: int = 0
    held: int = 0
    playlists: list[str] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The summary a person reads, then one line a failure."""
        said = [
            f"{self.items} media items: {len(self.stored)} fetched"
            + (f" ({self.from_wayback} from the web archive)" if self.from_wayback else "")
            + f", {self.held} already stored, {len(self.failures)} failed"
            + (f", {len(self.playlists)} playlists skipped" if self.playlists else "")
        ]
        said += [f"failed: {url}: {reason}" for url, reason in self.failures]
        return said


def _media_type(content_type: str | None) -> bool:
    kind = (content_type or "").split(";")[0].strip().lower()
    return kind.startswith(("image/", "video/")) or kind == "application/octet-stream"


@dataclass(frozen=True)
class _Fetched:
    """A file fetched into the media store: its hash and size, the url its bytes came from,
    when, and whether the fetch that gave them was the web archive's (``from_wayback``)."""

    sha256: str
    size: int
    origin: str
    at: datetime
    from_wayback: bool


def _into(archive: Archive) -> Callable[[Head, Iterator[bytes]], tuple[str, int]]:
    """What a streamed media answer is handed to: refused unless a picture or a video,
    else written into the media store as it comes (never whole in memory)."""

    def take(head: Head, chunks: Iterator[bytes]) -> tuple[str, int]:
        if not _media_type(head.content_type):
            raise NotMedia(
                f"{head.final_url}: answered {head.content_type or 'no content type'}, "
                "not a picture or a video: not stored"
            )
        return archive.media_store.write_hashed(_sniffed(head, chunks))

    return take


def _sniffed(head: Head, chunks: Iterator[bytes]) -> Iterator[bytes]:
    """``chunks`` as they come, once their first bytes say a picture or a video: a server
    may send an HTML error page as ``image/jpeg``, so the Content-Type alone is not
    trusted (:class:`NotMedia` otherwise, raised before anything is kept)."""
    first = b""
    for chunk in chunks:
        first += chunk
        if len(first) >= HEAD:
            break
    if not is_media(first[:HEAD]):
        raise NotMedia(f"{head.final_url}: {not_media_reason(first[:HEAD])}: not stored")
    yield first
    yield from chunks


def _fetch_one(client: Client, archive: Archive, item: MediaItem, wayback: str | None) -> _Fetched:
    """Fetch ``item`` into the store: the largest size first, the url as given when that is
    missing, the web archive's copy when the origin says it is gone.

    Media urls come from pages (``from_page=True``: no private addresses); the web archive
    at ``wayback`` is the user's own choice, fetched as a url the user gave (a mirror on the
    local network needs no ``--allow-private``)."""
    take = _into(archive)
    tries = [largest_url(item.url)]
    if tries[0] != item.url:
        tries.append(item.url)
    last: FetchError | None = None
    for url in tries:
        try:
            head, (sha256, size) = client.fetch_streamed(url, take, from_page=True)
            return _Fetched(sha256, size, head.final_url, head.fetched_at, from_wayback=False)
        except HTTPStatusError as exc:
            if exc.status not in FALLBACK_STATUSES:
                raise
            last = exc
    assert last is not None
    if wayback is None:
        raise last
    head, (sha256, size) = client.fetch_streamed(wayback_url(wayback, item.url), take)
    return _Fetched(sha256, size, head.final_url, head.fetched_at, from_wayback=True)


def _reason(item: MediaItem, exc: ThreadkeepError) -> str:
    """Why ``item`` failed, without the url the report names it by: a message that starts
    with the item's url (or its largest size's) drops it; another url (the web archive's) is
    kept, as it says where the failure was.

    Example:
        >>> item = MediaItem("https://pbs.twimg.com/media/A.jpg", "photo", "1")
        >>> _reason(item, FetchError("https://pbs.twimg.com/media/A.jpg?name=orig: HTTP 500"))
        'HTTP 500'
    """
    message = str(exc)
    for url in (largest_url(item.url), item.url):
        if message.startswith(f"{url}: "):
            return message[len(url) + 2 :]
    return message


def fetch_media(
    archive: Archive,
    client: Client,
    ids: Iterable[str] | None = None,
    *,
    wayback: str | None = WAYBACK,
    avatars: bool = False,
    progress: Callable[[str], None] | None = None,
) -> MediaReport:
    """Fetch every media item of the archive's tweets (of the documents ``ids`` name, when
    not None) that the media store does not hold yet, and store each as it arrives, written
    into the store as its bytes come (never whole in memory); ``wayback`` None never
    asks the web archive. A failure is reported, never raised: the other items go on."""
    items = media_items(archive, ids, avatars=avatars)
    report = MediaReport(items=len(items))
    index = archive.media_store.index()
    for item in items:
        held = index.get(("url", item.url))
        if held is not None and archive.media_store.has(held.sha256):
            report.held += 1
            continue
        try:
            if item.playlist:
                report.playlists.append(item.url)
                continue
            got = _fetch_one(client, archive, item, wayback)
        except ValueError as exc:  # a url no parser of urls reads ("https://[host/x.jpg")
            report.failures.append((item.url, f"not a url that can be fetched ({exc})"))
            continue
        except ThreadkeepError as exc:  # listed in the report (said once, not as it happens)
            report.failures.append((item.url, _reason(item, exc)))
            continue
        entry = MediaEntry(
            sha256=got.sha256,
            size=got.size,
            type=item.type,
            url=item.url,
            tweet=item.tweet,
            origin=got.origin,
            time=got.at,
        )
        archive.store_media([(None, entry)])  # the file is written: its index line
        report.stored.append(entry)
        report.from_wayback += got.from_wayback
        if progress is not None:
            progress(f"stored {item.url} ({entry.size} bytes)")
    return report
