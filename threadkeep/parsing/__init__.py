"""``parse(data, *, url=None)``: any supported copy of tweets → a typed model.

The input's form (HTML, JSON or text) is told from its bytes; then the ordered table of
source kinds (:mod:`threadkeep.parsing.kinds`) is walked, and the first kind that recognises the
input builds the model from what its detector found:

==================  ==========================================================  ===========
detected            what it is                                                  result
==================  ==========================================================  ===========
threadreader        a Thread Reader thread page, or a page derived from one     Thread
listing             a Thread Reader listing page (home, hashtag, topic, user)   Listing
article             a page embedding tweets, or an article with none            Article
oembed              a publish.twitter.com oEmbed answer (JSON)                  Tweet
syndication         a syndication ``tweet-result`` answer (JSON)                Tweet
threadkeep          threadkeep's own JSON output, read back                     any
text-thread         a text copy of a Thread Reader thread                       Thread
text-listing        a text copy of a Thread Reader listing                      Listing
text-article        a text copy of an article (embeds as attribution lines)     Article
markdown-thread     a Markdown copy (web clipping) of a Thread Reader thread    Thread
nitter              a Nitter page: a tweet's conversation, a timeline, a search Article
status              a twitter.com status page (2013-2020, the mobile site)      Article
export              an account export: its zip (bytes or path) or its folder    Export
==================  ==========================================================  ===========

An account export is recognised before the table: zip bytes, or a path (an
:class:`os.PathLike`) to a zip or a folder, holding ``data/manifest.js``, ``data/tweets.js``,
``data/tweet.js`` or a Grailbird export (:mod:`threadkeep.account`).

Parsers are pure functions of the tree (or text) and the url; nothing here touches the
network. Web-archive copies parse like the original: links are restored to their original
urls and the archive's capture time is kept in the result's :class:`Sighting`.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar, overload

from threadkeep.errors import ParseError, UnsupportedPage
from threadkeep.limits import check_tweets
from threadkeep.models import Article, Export, Listing, Origin, Result, Sighting, Thread, Tweet
from threadkeep.parsing.inputs import Input, read_input
from threadkeep.parsing.kinds import KINDS, NOTHING_FOUND, Detected, SourceKind
from threadkeep.parsing.schemes import http_only
from threadkeep.parsing.webarchive import capture_time
from threadkeep.urls import unarchive

__all__ = ["Detected", "detect", "parse"]

R = TypeVar("R", Thread, Listing, Article, Tweet, Export)
_WANTED = {
    Thread: "a thread",
    Listing: "a listing",
    Article: "an article",
    Tweet: "a tweet",
    Export: "an account export",
}


def _is_export(data: bytes | str | os.PathLike[str]) -> bool:
    """True for zip bytes, or the path of a zip or of a folder holding an account export."""
    from threadkeep.account.container import is_zip
    from threadkeep.account.folder_export import folder_export_root

    if isinstance(data, bytes):
        return is_zip(data[:4])
    if not isinstance(data, os.PathLike):
        return False
    path = os.fspath(data)
    if os.path.isdir(path):
        return folder_export_root(Path(path)) is not None
    try:
        with open(path, "rb") as stream:
            return is_zip(stream.read(4))
    except OSError:
        return False  # read_input says why


def _parse_export(
    data: bytes | os.PathLike[str], url: str | None, name: str, expect: type[R] | None
) -> Export:
    from threadkeep.account import parse_export

    try:
        export = parse_export(data, url=url, name=name)
        if export is None:
            raise UnsupportedPage("a zip file or folder that is not an account export")
        if expect is not None and expect is not Export:
            raise UnsupportedPage(f"an account export, not {_WANTED[expect]}")
    except ParseError as exc:
        raise exc.with_source(name) from exc.__cause__
    return export


def _find(page: Input) -> tuple[SourceKind[Any], Callable[[str | None], Result]]:
    """The first row of the table that recognises ``page``, and the builder it found."""
    for kind in KINDS:
        if kind.applies_to(page.form) and (build := kind.find(page)) is not None:
            return kind, build
    raise UnsupportedPage(NOTHING_FOUND[page.form])


def detect(data: bytes | str | os.PathLike[str]) -> Detected:
    """Say which kind of copy ``data`` is (see the table above), without building models.

    Raises the same :class:`ParseError` as :func:`parse` for input it cannot handle.

    Examples:
        >>> import threadkeep
        >>> threadkeep.detect(b"<div id='tweet_1' class='content-tweet' data-tweet='1'>hi</div>")
        'threadreader'
        >>> threadkeep.detect(open("fixtures/text/seed003_listing_nkpeace.txt", "rb").read())
        'text-listing'
    """
    if _is_export(data) and not isinstance(data, str):
        from threadkeep.account.container import open_export

        files = open_export(data)  # a zip may hold anything: only an export is one
        if files is not None:
            files.close()
            return "export"
        raise UnsupportedPage("a zip file or folder that is not an account export")
    return _find(Input(read_input(data)))[0].name


@overload
def parse(
    data: bytes | str | os.PathLike[str],
    *,
    url: str | None = None,
    source: str | None = None,
    expect: None = None,
    captured_at: datetime | None = None,
    origin: Origin | None = None,
) -> Result: ...
@overload
def parse(
    data: bytes | str | os.PathLike[str],
    *,
    url: str | None = None,
    source: str | None = None,
    expect: type[R],
    captured_at: datetime | None = None,
    origin: Origin | None = None,
) -> R: ...
def parse(
    data: bytes | str | os.PathLike[str],
    *,
    url: str | None = None,
    source: str | None = None,
    expect: type[R] | None = None,
    captured_at: datetime | None = None,
    origin: Origin | None = None,
) -> Result:
    """Parse a saved page, HTTP body, JSON answer or text copy into a model.

    ``data`` is the input's bytes or text, or the path of a file to read (an
    :class:`os.PathLike`, such as a :class:`~pathlib.Path`; a ``str`` is always content). An
    account export — its zip's bytes or path, or the folder it unpacks to — gives an
    :class:`~threadkeep.Export` (see :mod:`threadkeep.account`).
    ``url`` is where the copy came from (it resolves relative links and fills ``url`` fields);
    ``source`` names the input in error messages (defaults to ``url``, then the file's path).
    ``expect`` (:class:`Thread`, :class:`Listing`, :class:`Article`, :class:`Tweet` or
    :class:`Export`) is the result wanted: another kind of input raises
    :class:`UnsupportedPage` saying what it is.
    ``captured_at`` is when the copy was captured (a WARC record's ``WARC-Date``): it fills
    :attr:`Sighting.captured_at` unless the page is a web-archive copy whose own stamp says
    when the archive took it (that stamp wins). ``origin`` (an :class:`Origin`) names the
    web-archive record it was read from. A ``captured_at`` without a time zone raises
    ``ValueError``.

    Raises :class:`UnsupportedPage` when nothing parseable is recognised (the message says
    what was seen) and :class:`MalformedPage` for input that cannot be read at all.

    Examples:
        >>> import threadkeep
        >>> page = b'<div id="tweet_1" class="content-tweet" data-tweet="20">hi</div>'
        >>> threadkeep.parse(page).tweets[0].text
        'hi'
        >>> data = open("fixtures/threadreader/quinnypig_2020_full.html", "rb").read()
        >>> thread = threadkeep.parse(data, url="https://threadreaderapp.com/thread/1215710451343904768.html")
        >>> thread.kind, thread.author.handle, len(thread.tweets), thread.complete
        ('thread', 'QuinnyPig', 102, True)
    """
    if captured_at is not None and captured_at.utcoffset() is None:
        raise ValueError("captured_at must say its time zone (a timezone-aware datetime)")
    name = source or url or (os.fspath(data) if isinstance(data, os.PathLike) else "<input>")
    if not isinstance(data, str) and _is_export(data):
        return _parse_export(data, url, name, expect)
    try:
        raw = read_input(data, source=name)
        page = Input(raw, unarchive(url) if url else None)
        kind, build = _find(page)
        result = build(page.url)
        _check_size(result)
        if expect is not None and not isinstance(result, expect):
            what = kind.description
            if kind.sighting is None:  # threadkeep's own JSON: say which result it holds
                what += f" of {_WANTED[type(result)]}"
            raise UnsupportedPage(f"{what}, not {_WANTED[expect]}")
    except ParseError as exc:
        raise exc.with_source(name) from exc.__cause__
    if kind.sighting is None:  # threadkeep's own JSON keeps what it says
        return http_only(result)
    result_url = result.url if result.url is None else unarchive(result.url)
    sighting = Sighting(
        kind=kind.sighting,
        url=page.url or result_url,
        captured_at=(capture_time(raw, url) if kind.form == "html" else None) or captured_at,
        sha256=hashlib.sha256(raw).hexdigest(),
        origin=origin,
    )
    return http_only(result.model_copy(update={"source": sighting, "url": result_url}))


def _check_size(result: Result) -> None:
    """Parsers stop at MAX_TWEETS as they go; threadkeep's own JSON is checked here."""
    if isinstance(result, Listing):
        check_tweets(len(result.threads) + sum(len(p.tweets) for p in result.threads))
    elif isinstance(result, (Thread, Article)):
        check_tweets(len(result.tweets))
