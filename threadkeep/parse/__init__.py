"""``parse(data, *, url=None)``: any supported copy of tweets → a typed model.

Detection looks at the bytes (HTML, JSON or plain text), then at the markup, and hands the
single lxml tree (or the decoded text or JSON) to the first parser that recognises it:

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
==================  ==========================================================  ===========

Parsers are pure functions of the tree (or text) and the url; nothing here touches the
network. Web-archive copies parse like the original: links are restored to their original
urls and the archive's capture time is kept in the result's :class:`Sighting`.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime, timezone
from typing import Any, Literal

import pydantic

from threadkeep.errors import MalformedPage, ParseError, UnsupportedPage
from threadkeep.models import Article, Listing, Sighting, Thread, Tweet, result_adapter
from threadkeep.parse import answers, article, embeds, embedtext, listing, threadreader, trapage
from threadkeep.parse import text as text_copies
from threadkeep.parse.html import decode, load, unwiden
from threadkeep.urls import archive_timestamp, unarchive

__all__ = ["Detected", "detect", "parse"]

Result = Thread | Listing | Article | Tweet
Detected = Literal[
    "threadreader",
    "listing",
    "article",
    "oembed",
    "syndication",
    "threadkeep",
    "text-thread",
    "text-listing",
    "text-article",
]
_SIGHTING_KIND: dict[
    Detected, Literal["threadreader", "listing", "embed", "oembed", "syndication", "text"]
] = {
    "threadreader": "threadreader",
    "listing": "listing",
    "article": "embed",
    "oembed": "oembed",
    "syndication": "syndication",
    "text-thread": "text",
    "text-listing": "text",
    "text-article": "text",
}

_HTML_RE = re.compile(
    rb"<(?:!doctype|html|head|body|div|p|span|blockquote|a|meta|title|article|section|br|sup"
    rb"|table|iframe|script|style|figure|amp-twitter)[\s>/]",
    re.IGNORECASE,
)
# The capture time, most reliable first: the archive's own script names the page's timestamp;
# otherwise the first rewritten link carries it.
_WAYBACK_STAMPS = (
    re.compile(rb'__wm\.wombat\("[^"]*",\s*"(\d{14})"'),
    re.compile(rb"/web/(\d{14})(?:[a-z]{2}_)?/https?:", re.IGNORECASE),
)
_WAYBACK_MARKERS = (b"wm-ipp", b"__wm.", b"FILE ARCHIVED ON", b"archive.org/_static")
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


def _classify(raw: bytes) -> tuple[Detected, Any]:
    """Say what ``raw`` is; returns the kind and what its parser takes (tree, text or JSON)."""
    form = _form(raw)
    if form == "empty":
        raise MalformedPage("empty input: no bytes other than whitespace")
    if form == "binary":
        raise UnsupportedPage("binary data (NUL bytes), not a page or a text copy")
    if form == "json":
        return _classify_json(raw)
    if form == "text":
        return _classify_text(decode(raw))
    root = load(raw).root
    elements = threadreader.thread_tweet_elements(root)
    if (elements or threadreader.has_permalinks(root)) and (
        # A blog post quoting Thread Reader's markup (say, in a code sample) beside a real
        # embed is an article; Thread Reader's own pages embed only inside their tweets.
        trapage.is_threadreader(root) or not embeds.has_standalone_embeds(root)
    ):
        return "threadreader", (root, elements)
    if listing.is_listing(root):
        return "listing", root
    if embeds.has_embeds(root):
        return "article", root
    if trapage.is_threadreader(root):
        reason = trapage.unavailable_reason(root)
        raise UnsupportedPage(reason or "Thread Reader page with no thread and no thread cards")
    if article.is_article(root) or embeds.find_embeds(root, base=None):
        return "article", root
    raise UnsupportedPage("HTML page with no tweets and no Thread Reader markup")


def _classify_json(raw: bytes) -> tuple[Detected, Any]:
    try:
        document = json.loads(decode(raw))
    except (ValueError, RecursionError) as exc:
        raise MalformedPage(f"invalid JSON ({exc})") from exc
    if answers.is_oembed(document):
        return "oembed", document
    if answers.is_syndication(document):
        return "syndication", document
    if isinstance(document, dict) and document.get("kind") in (
        "thread",
        "listing",
        "article",
        "tweet",
    ):
        return "threadkeep", document
    raise UnsupportedPage("JSON that is neither an oEmbed nor a syndication tweet answer")


def _classify_text(text: str) -> tuple[Detected, Any]:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if text_copies.is_text_listing(lines):
        return "text-listing", text
    if text_copies.is_text_thread(lines):
        return "text-thread", text
    if embedtext.find_text_embeds(text) or embedtext.looks_like_article(text):
        return "text-article", text
    raise UnsupportedPage("plain text with no tweets, no Thread Reader thread or listing in it")


def detect(data: bytes | str) -> Detected:
    """Say which kind of copy ``data`` is (see the table above), without building models.

    Raises the same :class:`ParseError` as :func:`parse` for input it cannot handle.

    >>> detect(b"<div id='tweet_1' class='content-tweet' data-tweet='1'>hi</div>")
    'threadreader'
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return _classify(unwiden(raw))[0]


def _build(kind: Detected, payload: Any, url: str | None) -> Result:
    if kind == "threadreader":
        root, elements = payload
        return threadreader.parse_thread(root, url=url, elements=elements)
    if kind == "listing":
        return listing.parse_listing(payload, url=url)
    if kind == "article":
        return article.parse_article(payload, url=url)
    if kind == "oembed":
        return answers.parse_oembed(payload)
    if kind == "syndication":
        return answers.parse_syndication(payload, url=url)
    if kind == "threadkeep":
        try:
            return result_adapter.validate_python(payload)
        except pydantic.ValidationError as exc:
            problem = exc.errors()[0]
            where = ".".join(str(p) for p in problem["loc"])
            raise MalformedPage(
                f"threadkeep JSON that does not fit its schema at {where}: {problem['msg']}"
            ) from None
    if kind == "text-article":
        return embedtext.parse_text_article(payload, url=url)
    return text_copies.parse_text(payload, url=url)


def _archive_capture(raw: bytes, url: str | None) -> datetime | None:
    """The capture time of a web-archive copy (from its url or its rewritten links)."""
    stamp = archive_timestamp(url) if url else None
    if stamp is None:
        head = raw[: _SNIFF * 4]
        if any(marker in head for marker in _WAYBACK_MARKERS):
            for pattern in _WAYBACK_STAMPS:
                if match := pattern.search(head):
                    stamp = match.group(1).decode("ascii")
                    break
    if stamp is None or len(stamp) != 14:
        return None
    try:
        return datetime.strptime(stamp, "%Y%m%d%H%M%S").replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def parse(data: bytes | str, *, url: str | None = None, source: str | None = None) -> Result:
    """Parse a saved page, HTTP body, JSON answer or text copy into a model.

    ``url`` is where the copy came from (it resolves relative links and fills ``url`` fields);
    ``source`` names the input in error messages (defaults to ``url``).

    Raises :class:`UnsupportedPage` when nothing parseable is recognised (the message says
    what was seen) and :class:`MalformedPage` for input that cannot be read at all.

    >>> import threadkeep
    >>> page = b'<div id="tweet_1" class="content-tweet" data-tweet="20">hi</div>'
    >>> threadkeep.parse(page).tweets[0].text
    'hi'
    """
    raw = unwiden(data.encode("utf-8") if isinstance(data, str) else data)
    name = source or url or "<input>"
    try:
        kind, payload = _classify(raw)
        captured = (
            _archive_capture(raw, url) if kind in ("threadreader", "listing", "article") else None
        )
        page_url = unarchive(url) if url else None
        result = _build(kind, payload, page_url)
    except ParseError as exc:
        raise exc.with_source(name) from exc.__cause__
    if kind == "threadkeep":
        return result
    result_url = result.url if result.url is None else unarchive(result.url)
    sighting = Sighting(
        kind=_SIGHTING_KIND[kind],
        url=page_url or result_url,
        captured_at=captured,
        sha256=hashlib.sha256(raw).hexdigest(),
    )
    return result.model_copy(update={"source": sighting, "url": result_url})
