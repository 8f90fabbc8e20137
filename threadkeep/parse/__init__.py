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
markdown-thread     a Markdown copy (web clipping) of a Thread Reader thread    Thread
nitter              a Nitter page: a tweet's conversation, a timeline, a search Article
==================  ==========================================================  ===========

Parsers are pure functions of the tree (or text) and the url; nothing here touches the
network. Web-archive copies parse like the original: links are restored to their original
urls and the archive's capture time is kept in the result's :class:`Sighting`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any, Literal

import pydantic

from threadkeep.errors import MalformedPage, ParseError, UnsupportedPage
from threadkeep.limits import (
    MAX_INPUT_BYTES,
    MAX_JSON_DEPTH,
    MAX_JSON_OBJECTS,
    MAX_JSON_VALUES,
    MAX_LINES,
    check_tweets,
    too_large,
)
from threadkeep.models import (
    Article,
    Listing,
    Sighting,
    SightingKind,
    Thread,
    Tweet,
    result_adapter,
)
from threadkeep.parse import (
    answers,
    article,
    embeds,
    embedtext,
    listing,
    markdown,
    nitter,
    threadreader,
    trapage,
)
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
    "markdown-thread",
    "nitter",
]
_SIGHTING_KIND: dict[Detected, SightingKind] = {
    "threadreader": "threadreader",
    "listing": "listing",
    "article": "embed",
    "oembed": "oembed",
    "syndication": "syndication",
    "text-thread": "text",
    "text-listing": "text",
    "text-article": "text",
    "markdown-thread": "text",
    "nitter": "nitter",
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
    if nitter.is_nitter(root):
        return "nitter", root
    if embeds.has_embeds(root):
        return "article", root
    # A Markdown clipping holding a little inline HTML (a <video>, a <br>) is sniffed as HTML.
    if markdown.may_be_markdown(raw) and markdown.is_markdown_unroll(text := decode(raw)):
        return "markdown-thread", text
    if trapage.is_threadreader(root):
        reason = trapage.unavailable_reason(root)
        raise UnsupportedPage(reason or "Thread Reader page with no thread and no thread cards")
    if article.is_article(root) or embeds.find_embeds(root, base=None):
        return "article", root
    raise UnsupportedPage("HTML page with no tweets and no Thread Reader markup")


def _classify_json(raw: bytes) -> tuple[Detected, Any]:
    document = load_json(raw)
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


def _json_int(digits: str) -> int | float:
    # Python refuses to convert integers of over 4 300 digits (a ValueError naming
    # sys.set_int_max_str_digits), and takes quadratic time below that; no field threadkeep
    # reads is a number that long (ids are strings), so one is read as a float instead.
    return int(digits) if len(digits) <= 100 else float(digits)


_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def load_json(raw: bytes) -> Any:
    """Read JSON within the limits; lone surrogates (``"\\ud800"``) become U+FFFD.

    A lone surrogate is valid JSON but not valid text: it could not be written out again.
    """
    too_deep = MalformedPage(
        f"JSON nested deeper than {MAX_JSON_DEPTH} levels (threadkeep.limits.MAX_JSON_DEPTH)"
    )
    if raw.count(b",") >= MAX_JSON_VALUES:
        raise MalformedPage(
            f"JSON with more than {MAX_JSON_VALUES:,} values (threadkeep.limits.MAX_JSON_VALUES)"
        )
    if raw.count(b"{") > MAX_JSON_OBJECTS:
        raise MalformedPage(
            f"JSON with more than {MAX_JSON_OBJECTS:,} objects (threadkeep.limits.MAX_JSON_OBJECTS)"
        )
    try:
        document = json.loads(decode(raw), parse_int=_json_int)
    except RecursionError:
        raise too_deep from None
    except ValueError as exc:
        raise MalformedPage(f"invalid JSON ({exc})") from exc
    if not _clean_json(document):
        raise too_deep
    return document


def _clean_json(document: Any) -> bool:
    """Replace lone surrogates in place; False when the document nests too deep."""
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        container, depth = stack.pop()
        if not isinstance(container, (list, dict)):
            continue
        if depth > MAX_JSON_DEPTH:
            return False
        if isinstance(container, dict):
            for key in [k for k in container if _SURROGATE_RE.search(k)]:
                container[_SURROGATE_RE.sub("\ufffd", key)] = container.pop(key)
        keys: Iterable[Any] = (
            range(len(container)) if isinstance(container, list) else list(container)
        )
        for key in keys:
            value = container[key]
            if isinstance(value, str) and _SURROGATE_RE.search(value):
                container[key] = _SURROGATE_RE.sub("\ufffd", value)
            elif isinstance(value, (list, dict)):
                stack.append((value, depth + 1))
    return True


def _classify_text(text: str) -> tuple[Detected, Any]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.count("\n") >= MAX_LINES:
        raise MalformedPage(
            f"text with more than {MAX_LINES:,} lines (threadkeep.limits.MAX_LINES)"
        )
    if markdown.is_markdown_unroll(text):
        return "markdown-thread", text
    lines = text.split("\n")
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

    Examples:
        >>> import threadkeep
        >>> threadkeep.detect(b"<div id='tweet_1' class='content-tweet' data-tweet='1'>hi</div>")
        'threadreader'
        >>> threadkeep.detect(open("fixtures/text/seed003_listing_nkpeace.txt", "rb").read())
        'text-listing'
    """
    return _classify(_bytes(data))[0]


def _bytes(data: bytes | str) -> bytes:
    """The input as bytes within MAX_INPUT_BYTES (UTF-16/32 re-encoded as UTF-8 first)."""
    if len(data) > MAX_INPUT_BYTES:  # a str's UTF-8 is at least as long
        raise too_large(len(data) if isinstance(data, bytes) else None)
    if isinstance(data, str):
        # Lone surrogates cannot be encoded: they become "?", not a UnicodeEncodeError.
        data = data.encode("utf-8", errors="replace")
    raw = unwiden(data)
    if len(raw) > MAX_INPUT_BYTES:
        raise too_large(len(raw))
    return raw


def _build(kind: Detected, payload: Any, url: str | None) -> Result:
    if kind == "threadreader":
        root, elements = payload
        return threadreader.parse_thread(root, url=url, elements=elements)
    if kind == "listing":
        return listing.parse_listing(payload, url=url)
    if kind == "article":
        return article.parse_article(payload, url=url)
    if kind == "nitter":
        return nitter.parse_nitter(payload, url=url)
    if kind == "oembed":
        return answers.parse_oembed(payload)
    if kind == "syndication":
        return answers.parse_syndication(payload, url=url)
    if kind == "threadkeep":
        check_tweets(_listed(payload))  # before a model is built for each
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
    if kind == "markdown-thread":
        return markdown.parse_markdown_unroll(payload, url=url)
    return text_copies.parse_text(payload, url=url)


def _check_size(result: Result) -> None:
    """Parsers stop at MAX_TWEETS as they go; threadkeep's own JSON is checked here."""
    if isinstance(result, Listing):
        check_tweets(len(result.threads) + sum(len(p.tweets) for p in result.threads))
    elif isinstance(result, (Thread, Article)):
        check_tweets(len(result.tweets))


def _listed(document: Any) -> int:
    """How many tweets and threads threadkeep JSON lists, at any depth."""
    count = 0
    stack = [document]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                if key in ("tweets", "threads") and isinstance(item, list):
                    count += len(item)
                stack.append(item)
        elif isinstance(value, list):
            stack.extend(value)
    return count


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
    name = source or url or "<input>"
    try:
        raw = _bytes(data)
        kind, payload = _classify(raw)
        pages = ("threadreader", "listing", "article", "nitter")
        captured = _archive_capture(raw, url) if kind in pages else None
        page_url = unarchive(url) if url else None
        result = _build(kind, payload, page_url)
        _check_size(result)
    except ParseError as exc:
        raise exc.with_source(name) from exc.__cause__
    if kind == "threadkeep":
        return http_only(result)
    result_url = result.url if result.url is None else unarchive(result.url)
    sighting = Sighting(
        kind=_SIGHTING_KIND[kind],
        url=page_url or result_url,
        captured_at=captured,
        sha256=hashlib.sha256(raw).hexdigest(),
    )
    return http_only(result.model_copy(update={"source": sighting, "url": result_url}))


_URL_FIELDS = frozenset({"url", "short_url", "avatar", "preview"})
# A url field whose value is not an http(s) url, in a model's compact JSON.
_NOT_HTTP_RE = re.compile(r'"(?:url|short_url|avatar|preview)":"(?![hH][tT][tT][pP][sS]?://)')


def http_only(result: Result) -> Result:
    """``result`` with every url that is not http(s) removed (a link holding one, dropped).

    A page, an answer or threadkeep JSON read back may carry ``javascript:``, ``data:`` or
    ``file:`` urls in any url field (``og:url``, ``author_url``, ``expanded_url``…); none
    reaches a result. Most results have none, which one scan of their JSON shows.
    """
    if not _NOT_HTTP_RE.search(result.model_dump_json()):
        return result
    return type(result).model_validate(_without_other_schemes(result.model_dump()))


def _without_other_schemes(value: Any) -> Any:
    if isinstance(value, dict):
        cleaned = {}
        for key, item in value.items():
            if key in _URL_FIELDS and isinstance(item, str) and not _is_http(item):
                item = None
            elif key == "links" and isinstance(item, (list, tuple)):
                item = [link for link in item if _is_http(link.get("url") or "")]
            cleaned[key] = _without_other_schemes(item)
        return cleaned
    if isinstance(value, (list, tuple)):
        return [_without_other_schemes(item) for item in value]
    return value


def _is_http(url: str) -> bool:
    return url[:8].lower().startswith(("http://", "https://"))
