"""``parse(data, *, url=None)``: any supported copy of tweets → a typed model.

Detection looks at the bytes (HTML, JSON or plain text), then at the markup, and hands the
single lxml tree to the first parser that recognises it. Parsers are pure functions of the
tree (or text) and the url; nothing here touches the network.
"""

from __future__ import annotations

import hashlib
import re
from typing import Literal

from threadkeep.errors import MalformedPage, ParseError, UnsupportedPage
from threadkeep.models import Article, Listing, Sighting, Thread, Tweet
from threadkeep.parse import listing, threadreader, trapage
from threadkeep.parse import text as text_copies
from threadkeep.parse.html import decode, load, unwiden

__all__ = ["Detected", "detect", "parse"]

Detected = Literal["threadreader", "listing", "threadreader-unavailable", "html", "json", "text"]

_HTML_RE = re.compile(
    rb"<(?:!doctype|html|head|body|div|p|span|blockquote|a|meta|title|article|section|br|sup"
    rb"|table|iframe|script|style|figure|amp-twitter)[\s>/]",
    re.IGNORECASE,
)
_SNIFF = 65536


def _form(data: bytes) -> Literal["html", "json", "text", "empty", "binary"]:
    head = data[:_SNIFF]
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not stripped:
        return "empty"
    if stripped[:1] in (b"{", b"["):
        return "json"
    if b"\x00" in head:
        return "binary"
    if _HTML_RE.search(head):
        return "html"
    return "text"


def detect(data: bytes, *, url: str | None = None) -> Detected:
    """Say which kind of copy ``data`` is, without building models.

    >>> detect(b"<div id='tweet_1' class='content-tweet' data-tweet='1'>hi</div>")
    'threadreader'
    """
    data = unwiden(data)
    form = _form(data)
    if form != "html":
        return "json" if form == "json" else "text"
    root = load(data).root
    if threadreader.is_thread(root):
        return "threadreader"
    if listing.is_listing(root):
        return "listing"
    if trapage.is_threadreader(root) and trapage.unavailable_reason(root):
        return "threadreader-unavailable"
    return "html"


def parse(
    data: bytes | str, *, url: str | None = None, source: str | None = None
) -> Thread | Listing | Article | Tweet:
    """Parse a saved page, HTTP body or text copy into a model.

    ``url`` is where the copy came from (it resolves relative links and fills ``url`` fields);
    ``source`` names the input in error messages (defaults to ``url``).

    Raises :class:`UnsupportedPage` when nothing parseable is recognised (the message says
    what was seen) and :class:`MalformedPage` for input that cannot be read at all.

    >>> import threadkeep
    >>> page = b'<div id="tweet_1" class="content-tweet" data-tweet="20">hi</div>'
    >>> threadkeep.parse(page).tweets[0].text
    'hi'
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    name = source or url or "<input>"
    try:
        result, kind = _parse(raw, url=url)
    except ParseError as exc:
        raise exc.with_source(name) from exc.__cause__
    if isinstance(result, Tweet):
        return result
    sighting = Sighting(kind=kind, url=url or result.url, sha256=hashlib.sha256(raw).hexdigest())
    return result.model_copy(update={"source": sighting})


_Kind = Literal["threadreader", "listing", "embed", "oembed", "syndication", "text"]


def _parse(raw: bytes, *, url: str | None) -> tuple[Thread | Listing | Article | Tweet, _Kind]:
    raw = unwiden(raw)
    form = _form(raw)
    if form == "empty":
        raise MalformedPage("empty input: no bytes other than whitespace")
    if form == "binary":
        raise UnsupportedPage("binary data (NUL bytes), not a page or a text copy")
    if form == "json":
        raise UnsupportedPage("JSON input is not a Thread Reader page or text copy")
    if form == "text":
        return text_copies.parse_text(decode(raw), url=url), "text"
    root = load(raw).root
    elements = threadreader.thread_tweet_elements(root)
    if elements or threadreader.has_permalinks(root):
        return threadreader.parse_thread(root, url=url, elements=elements), "threadreader"
    if listing.is_listing(root):
        return listing.parse_listing(root, url=url), "listing"
    if trapage.is_threadreader(root):
        reason = trapage.unavailable_reason(root)
        raise UnsupportedPage(reason or "Thread Reader page with no thread and no thread cards")
    raise UnsupportedPage("HTML page with no tweets and no Thread Reader markup")
