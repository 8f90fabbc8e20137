"""What the site's pages show, as plain data built from the archive (no HTML here).

A :class:`ShownDocument` is one page: its file name under ``t/``, the merged thread and each
tweet as a :class:`ShownTweet` (number, anchor, media with their local paths). Media comes
from the archive's media store, looked up by the media url and else the export file name;
a stored file is shown only when its bytes are a picture or a video a browser plays.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from threadkeep.archive.media import file_key
from threadkeep.errors import CorruptStore, SiteError

if TYPE_CHECKING:
    from threadkeep.archive import Archive
    from threadkeep.archive.media import MediaEntry
    from threadkeep.archive.view_models import ArchivedThread, ArchivedTweet
    from threadkeep.models import Media, Tweet

__all__ = ["ShownDocument", "ShownMedia", "ShownTweet", "Site", "gather", "media_suffix"]

_SAFE_NAME = re.compile(r"[^A-Za-z0-9_-]")
_FIRST_WORDS = 12


@dataclass(frozen=True)
class ShownMedia:
    """A media item as a page shows it: ``src`` is ``media/<sha256>.<ext>`` when stored."""

    kind: str  # "img", "video", "missing" or "left-out" (stored, but not copied into the site)
    label: str  # photo, video, gif, card
    alt: str
    src: str | None = None
    poster: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class ShownTweet:
    number: str
    anchor: str
    tweet: ArchivedTweet
    media: tuple[ShownMedia, ...]
    quoted: Tweet | None
    quoted_text: str | None  # the copy's, else the archive's own copy of the quoted tweet
    quoted_media: tuple[ShownMedia, ...]
    quoted_href: str | None
    versions: tuple[tuple[str | None, str, str], ...]  # (text, first seen, last seen)


@dataclass(frozen=True)
class ShownDocument:
    name: str
    thread: ArchivedThread
    tweets: tuple[ShownTweet, ...]

    @property
    def href(self) -> str:
        return f"t/{self.name}.html"

    @property
    def heading(self) -> str:
        thread = self.thread
        if thread.title:
            return thread.title
        who = f" by @{thread.author.handle}" if thread.author and thread.author.handle else ""
        return f"{thread.kind.capitalize()} {thread.id or thread.document}{who}"

    @property
    def first_words(self) -> str:
        for shown in self.tweets:
            if shown.tweet.text:
                words = shown.tweet.text.split()
                more = " …" if len(words) > _FIRST_WORDS else ""
                return " ".join(words[:_FIRST_WORDS]) + more
        return ""

    @property
    def removed(self) -> int:
        return sum(shown.tweet.removed for shown in self.tweets)

    @property
    def edited(self) -> int:
        return sum(len(shown.versions) > 1 for shown in self.tweets)


@dataclass
class Site:
    """Every page, and the media files they show: ``files`` maps a sha256 to its path."""

    documents: list[ShownDocument] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)


def media_suffix(data: bytes) -> str | None:
    """The file suffix of a picture or video a browser shows, from its first bytes; None for
    anything else (an error page stored by mistake is never served as a picture).

    Examples:
        >>> media_suffix(b"\\x89PNG\\r\\n\\x1a\\n....")
        '.png'
        >>> media_suffix(b"\\x00\\x00\\x00\\x18ftypmp42")
        '.mp4'
        >>> media_suffix(b"<!doctype html>") is None
        True
    """
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return ".png"
    if data.startswith(b"\xff\xd8\xff"):
        return ".jpg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return ".gif"
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return ".webp"
    if data[4:8] == b"ftyp":
        return ".mp4"
    return None


def page_name(document: str) -> str:
    """A document key as a file name: kept when it is plain, else made plain and unique.

    Examples:
        >>> page_name("thread-1215710451343904768")
        'thread-1215710451343904768'
        >>> page_name("article-../x")[:10]
        'article---'
    """
    plain = _SAFE_NAME.sub("-", document)
    if plain == document and plain:
        return plain
    return f"{plain[:80]}-{hashlib.sha256(document.encode()).hexdigest()[:12]}"


def document_keys(archive: Archive) -> list[str]:
    """Every document in the archive, by key (an account export's threads included: each
    has its record)."""
    return [document.key for document in archive.documents()]


def gather(
    archive: Archive, identifiers: Sequence[str] = (), *, media: bool = True
) -> tuple[Site, dict[str, bytes]]:
    """The site's pages for these ids (every document when none), and the media bytes to copy
    (none without ``media``: each stored item is then shown as left out, with its url).

    :class:`SiteError` when an id names nothing in the archive.
    """
    threads: list[ArchivedThread] = []
    listed: set[str] = set()
    for key in identifiers or document_keys(archive):
        thread = archive.thread(key)
        if thread is None:
            raise SiteError(f"no thread, tweet or document {key!r} in the archive")
        if thread.document not in listed:
            listed.add(thread.document)
            threads.append(thread)
    names = {thread.document: page_name(thread.document) for thread in threads}
    homes: dict[str, tuple[str, str | None]] = {}  # tweet id → its page and anchor, its text
    for thread in threads:
        for tweet in thread.tweets:
            if tweet.id:
                home = f"{names[thread.document]}.html#t-{tweet.id}"
                homes.setdefault(tweet.id, (home, tweet.text))
    files = _MediaFiles(archive, copy=media)
    site = Site()
    for thread in threads:
        tweets = tuple(_shown_tweets(thread, files, homes))
        site.documents.append(ShownDocument(names[thread.document], thread, tweets))
    site.files = {sha: path for sha, (path, _) in files.files.items()}
    return site, dict(files.files.values())


class _MediaFiles:
    """The media store's index read once, and the files the pages show (sha → path, bytes)."""

    def __init__(self, archive: Archive, *, copy: bool = True) -> None:
        self.archive = archive
        self.copy = copy
        self.index = archive.media_store.index()
        self.files: dict[str, tuple[str, bytes]] = {}

    def _stored(self, url: str | None, file: str | None) -> MediaEntry | None:
        if url and ("url", url) in self.index:
            return self.index[("url", url)]
        if file and ("file", file_key(file)) in self.index:
            return self.index[("file", file_key(file))]
        return None

    def path(self, url: str | None, file: str | None = None) -> str | None:
        entry = self._stored(url, file)
        if entry is None:
            return None
        if entry.sha256 not in self.files:
            try:
                data = self.archive.media_bytes(entry.sha256)
            except (FileNotFoundError, CorruptStore):  # shown as missing; `verify` says why
                return None
            suffix = media_suffix(data)
            if suffix is None:
                return None
            self.files[entry.sha256] = (f"media/{entry.sha256}{suffix}", data)
        return self.files[entry.sha256][0]

    def shown(self, item: Media) -> ShownMedia:
        alt = item.alt or ""
        if not self.copy:
            url = item.preview if item.kind == "card" else item.url
            stored = self._stored(url, item.file) is not None
            return ShownMedia("left-out" if stored else "missing", item.kind, alt, url=item.url)
        if item.kind == "card":
            image = self.path(item.preview)
            if image:
                return ShownMedia("img", "card", alt or "link preview", image, url=item.url)
            return ShownMedia("missing", "card", alt, url=item.url)
        path = self.path(item.url, item.file)
        if path is None:
            return ShownMedia("missing", item.kind, alt, url=item.url)
        if path.endswith(".mp4"):
            return ShownMedia("video", item.kind, alt, path, self.path(item.preview), item.url)
        return ShownMedia("img", item.kind, alt, path, url=item.url)


def _shown_tweets(
    thread: ArchivedThread, media: _MediaFiles, homes: dict[str, tuple[str, str | None]]
) -> Iterator[ShownTweet]:
    for place, tweet in enumerate(thread.tweets, start=1):
        quoted = tweet.quoted
        home, text = homes.get(quoted.id, (None, None)) if quoted and quoted.id else (None, None)
        texts = [v for v in tweet.versions if v.text is not None]
        yield ShownTweet(
            number=tweet.marker or str(place),  # the place in the merged thread: a later copy
            # that lost a tweet renumbers the rest
            anchor=tweet.id or f"n{place}",
            tweet=tweet,
            media=tuple(media.shown(item) for item in tweet.media),
            quoted=quoted,
            quoted_text=quoted.text or text if quoted else None,
            quoted_media=tuple(media.shown(item) for item in quoted.media) if quoted else (),
            quoted_href=home,
            versions=tuple(
                (v.text, v.first_seen.isoformat(), v.last_seen.isoformat()) for v in texts
            ),
        )
