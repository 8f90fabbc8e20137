"""What the site's pages show, as plain data built from the archive (no HTML here).

A :class:`ShownDocument` is one page: its file name under ``t/``, the merged thread and each
tweet as a :class:`ShownTweet` (number, anchor, media with their local paths). Media comes
from the archive's media store, looked up by the media url and else the export file name;
a stored file is shown inline only when its first bytes are a picture or a video a browser
shows; any other stored file is offered as a link. No file is held in memory: the pages name
the files, and :mod:`threadkeep.html.write` copies them from the store in chunks.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from threadkeep.archive.media import file_key
from threadkeep.errors import SiteError
from threadkeep.media_types import HEAD as _HEAD
from threadkeep.media_types import media_type

if TYPE_CHECKING:
    from threadkeep.archive import Archive
    from threadkeep.archive.media import MediaEntry
    from threadkeep.archive.view_models import ArchivedThread, ArchivedTweet
    from threadkeep.models import Media, Tweet

__all__ = ["ShownDocument", "ShownMedia", "ShownTweet", "Site", "gather", "media_type", "text_lang"]

_SAFE_NAME = re.compile(r"[^A-Za-z0-9_-]")
_FIRST_WORDS = 12
_CHUNK = 1 << 20


_NO_ALT = {"photo": "Photo", "video": "Video", "gif": "GIF", "card": "Card image"}
# A language tag as BCP 47 writes one (a primary language, then subtags). X marks text it
# could not tell as "und" and media-only text with private-use codes ("qme", "qam"…): said
# as no language rather than as a language a screen reader would not know.
_LANG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
_NO_LANG = re.compile(r"und|q[a-t][a-z]", re.IGNORECASE)


def text_lang(lang: str | None) -> str | None:
    """The ``lang`` attribute of a tweet's text: its language when a valid BCP 47 tag of a
    language, else None (the page's own language applies).

    Examples:
        >>> text_lang("ja"), text_lang("pt-BR"), text_lang("und"), text_lang("qme")
        ('ja', 'pt-BR', None, None)
        >>> text_lang('en" onmouseover="x'), text_lang(None)
        (None, None)
    """
    if lang is None or not _LANG.fullmatch(lang) or _NO_LANG.fullmatch(lang.split("-")[0]):
        return None
    return lang


@dataclass(frozen=True)
class ShownMedia:
    """A media item as a page shows it: ``src`` is ``media/<sha256>.<ext>`` when stored."""

    kind: str  # "img", "video", "link" (stored, not shown inline), "missing", "damaged"
    # (stored, not matching its hash) or "left-out"
    # (stored, but not copied into the site); a "missing" video may still have its poster
    label: str  # photo, video, gif, card
    alt: str
    src: str | None = None
    poster: str | None = None
    url: str | None = None

    @property
    def image_alt(self) -> str:
        """The picture's alt text: the copy's, else what it is (never empty: an empty alt
        tells a screen reader the picture is decoration)."""
        return self.alt or _NO_ALT.get(self.label, "Picture")

    @property
    def poster_alt(self) -> str:
        return self.alt or f"{_NO_ALT.get(self.label, 'Video')} poster"


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
    """Every page, and the media files they show: ``files`` maps a sha256 to its path in
    the site (``media/<sha256>.<ext>``)."""

    documents: list[ShownDocument] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)
    damaged: list[str] = field(default_factory=list)
    """The sha256 of each stored file the pages would show that does not match its hash."""


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


def gather(archive: Archive, identifiers: Sequence[str] = (), *, media: bool = True) -> Site:
    """The site's pages for these ids (every document when none), and the media files they
    show (none without ``media``: each stored item is then shown as left out, with its url).
    A media file is read here only to check it against its hash (in chunks), never kept.

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
    site.damaged = sorted(files.damaged)
    return site


def copy_media(archive: Archive, files: dict[str, str], out: Path) -> None:
    """Copy each stored file ``files`` names (sha256 → its path in the site) into ``out``, in
    chunks (a large video is never whole in memory), each synced to disk."""
    for sha256, path in files.items():
        with archive.media_store.open(sha256) as source, open(out / path, "xb") as target:
            shutil.copyfileobj(source, target, _CHUNK)
            target.flush()
            os.fsync(target.fileno())


class _MediaFiles:
    """The media store's index read once, and the files the pages show (sha → path, how)."""

    def __init__(self, archive: Archive, *, copy: bool = True) -> None:
        self.archive = archive
        self.copy = copy
        self.index = archive.media_store.index()
        self.files: dict[str, tuple[str, str]] = {}
        self.damaged: set[str] = set()  # stored, but not the bytes their hash names
        self.missing: set[str] = set()  # indexed, no file (set aside by a repair)

    def is_damaged(self, url: str | None, file: str | None = None) -> bool:
        """Whether the file stored for ``url`` (or export ``file``) was found damaged."""
        entry = self._stored(url, file)
        return entry is not None and entry.sha256 in self.damaged

    def _stored(self, url: str | None, file: str | None) -> MediaEntry | None:
        if url and ("url", url) in self.index:
            return self.index[("url", url)]
        if file and ("file", file_key(file)) in self.index:
            return self.index[("file", file_key(file))]
        return None

    def file(self, url: str | None, file: str | None = None) -> tuple[str, str] | None:
        """The stored file's path in the site and how a page shows it (``img``, ``video``,
        ``link``); None when it is not stored, or missing or damaged (``verify`` says why)."""
        entry = self._stored(url, file)
        if entry is None or entry.sha256 in self.damaged or entry.sha256 in self.missing:
            return None
        if entry.sha256 not in self.files:
            head = self._checked_head(entry.sha256)
            if head is None:
                if entry.sha256 not in self.damaged:
                    self.missing.add(entry.sha256)
                return None
            suffix, how = media_type(head)
            self.files[entry.sha256] = (f"media/{entry.sha256}{suffix}", how)
        return self.files[entry.sha256]

    def _checked_head(self, sha256: str) -> bytes | None:
        """The file's first bytes when the whole file hashes to ``sha256``, read in chunks."""
        try:
            with self.archive.media_store.open(sha256) as stream:
                head = stream.read(_HEAD)
                digest = hashlib.sha256(head)
                while chunk := stream.read(_CHUNK):
                    digest.update(chunk)
        except FileNotFoundError:
            return None
        if digest.hexdigest() != sha256:
            self.damaged.add(sha256)
            return None
        return head

    def image(self, url: str | None) -> str | None:
        found = self.file(url)
        return found[0] if found and found[1] == "img" else None

    def shown(self, item: Media) -> ShownMedia:
        alt = item.alt or ""
        if not self.copy:
            url = item.preview if item.kind == "card" else item.url
            stored = self._stored(url, item.file) is not None
            return ShownMedia("left-out" if stored else "missing", item.kind, alt, url=item.url)
        if item.kind == "card":
            image = self.image(item.preview)
            if image:
                return ShownMedia("img", "card", alt, image, url=item.url)
            kind = "damaged" if self.is_damaged(item.preview) else "missing"
            return ShownMedia(kind, "card", alt, url=item.url)
        poster = self.image(item.preview) if item.kind in ("video", "gif") else None
        found = self.file(item.url, item.file)
        if found is None:
            kind = "damaged" if self.is_damaged(item.url, item.file) else "missing"
            return ShownMedia(kind, item.kind, alt, poster=poster, url=item.url)
        path, how = found
        return ShownMedia(how, item.kind, alt, path, poster if how == "video" else None, item.url)


def _shown_tweets(
    thread: ArchivedThread, media: _MediaFiles, homes: dict[str, tuple[str, str | None]]
) -> Iterator[ShownTweet]:
    for place, tweet in enumerate(thread.tweets, start=1):
        quoted = tweet.quoted
        home, text = homes.get(quoted.id, (None, None)) if quoted and quoted.id else (None, None)
        texts = [v for v in tweet.versions if v.text is not None]
        yield ShownTweet(
            number=str(place),  # the place in the merged thread, always: the author's own
            # marks ("3/24", "(1 of 11)") may be missing or irregular, and stay in the text
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
