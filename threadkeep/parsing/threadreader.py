"""Thread Reader App thread ("unroll") pages, and pages derived from them.

Markup across 2018–2026 is documented in ``fixtures/provenance/MARKUP.md`` (section a).
Tweets are selected by their ``tweet_N`` id or ``data-tweet``, never by class alone: the
"More from" and "Related threads" cards reuse ``div.content-tweet`` for other threads.

The thread's header (author, date, declared size) always precedes its first tweet, so it is
looked up on the ``preceding`` axis from that tweet: the nearest match is the header's, never
a card's, and the lookup stops early instead of scanning the whole page.
"""

from __future__ import annotations

import copy
import re

from lxml import etree
from lxml.etree import _Element as Element

from threadkeep.limits import check_tweets
from threadkeep.models import Author, Thread
from threadkeep.parsing.html import Ancestors, clean_text, has_class, node_text
from threadkeep.parsing.numbering import number_thread
from threadkeep.parsing.shared import (
    THREAD_BY_RE,
    canonical_url,
    first_text,
    make_author,
    meta,
    page_title,
)
from threadkeep.parsing.threadreader_page import cards, number, timestamp
from threadkeep.parsing.threadreader_tweet import read_tweet
from threadkeep.urls import absolute_url, checked_id, status_parts, threadreader_id

__all__ = ["parse_thread", "permalinks", "thread_tweet_elements"]

_BY_TWEET_N = etree.XPath("/descendant::div[@id][starts-with(@id, 'tweet_')]")
_HOLD_DIVS = etree.XPath("boolean($elements/descendant::div)")
_BY_DATA_TWEET = etree.XPath("/descendant::div[@data-tweet]")
_PERMALINKS = etree.XPath("/descendant::sup[contains(@class, 'tw-permalink')]")
_OWN_TEXT = etree.XPath("text()")
_PREVIEW_CARD = etree.XPath("(.//*[contains(@class, 'entity-url-preview')])[1]")
_HREFS = etree.XPath("//a/@href")
_FRAMES_AND_HREFS = etree.XPath("//iframe/@src | //a/@href")
_TWEET_N_RE = re.compile(r"^tweet_[0-9]+$")

_NAME_CLASSES = "contains(@class, 'username') or contains(@class, 'twitter_name')"
_AVATAR_CLASSES = "contains(@class, 'avatar') or contains(@class, 'prof-image')"
_SIZE_CLASSES = "contains(@class, 'thread-info') or contains(@class, 'count')"


class _Lookup:
    """One header field: nearest before the first tweet, else anywhere outside cards."""

    def __init__(self, predicate: str, *, tail: str = "") -> None:
        self._near = etree.XPath(f"preceding::*[{predicate}][1]{tail}")
        self._around = etree.XPath(f"ancestor::*[{predicate}][1]")
        self._anywhere = etree.XPath(f"/descendant::*[{predicate}]{tail}")

    def find(self, root: Element, anchor: Element | None) -> list[Element]:
        if anchor is not None:
            found: list[Element] = self._near(anchor)
            if found:
                return found
        outside = cards()
        return [e for e in self._anywhere(root) if outside.nearest(e) is None]

    def enclosing(self, anchor: Element | None) -> Element | None:
        """The nearest ancestor matching (trimmed pages leave the header open around tweets)."""
        if anchor is None:
            return None
        found: list[Element] = self._around(anchor)
        return found[0] if found else None


# The header's spans hold the name and "@handle" in an <a> (2020, 2026) or as bare text (2019).
_NAME = _Lookup(_NAME_CLASSES)
_HANDLE = _Lookup("contains(@class, 'screenName')")
_AVATAR = _Lookup(_AVATAR_CLASSES, tail="//img")
_TIME = _Lookup("@data-time and contains(@class, 'time')")
_SIZE = _Lookup(_SIZE_CLASSES)

# The lookbehinds start a number only at its first digit: without them, a search over a long
# run of digits retried from every digit, in quadratic time.
_COUNT_RE = re.compile(r"(?<![\d,.])(\d[\d,.]*)\s*tweets?\b", re.I)
_READ_RE = re.compile(r"(?<!\d)(\d{1,6})\s*min(?:ute)?s?\s+read", re.I)


def thread_tweet_elements(root: Element) -> list[Element]:
    """The tweet elements of a Thread Reader thread page, in thread order."""
    found = [
        e
        for e in _BY_TWEET_N(root)
        if _TWEET_N_RE.match(e.get("id", ""))
        and (has_class(e, "content-tweet") or e.get("data-tweet"))
    ]
    if not found:
        outside = cards()
        found = [e for e in _BY_DATA_TWEET(root) if outside.nearest(e) is None]
    return outermost(found)


def outermost(elements: list[Element]) -> list[Element]:
    """``elements`` (``div``s) without those inside another of them (each read whole with its
    outer).

    Real pages never nest tweets; a hostile one that nests thousands would make every tweet
    read every tweet inside it, in quadratic time. Where no element holds a ``div`` (one
    XPath, in C), none holds another, and their ancestors are not walked.
    """
    if len(elements) < 2:
        return elements
    if _HOLD_DIVS(elements[0], elements=elements):
        chosen = set(elements)
        around = Ancestors(chosen.__contains__)
        elements = [e for e in elements if around.nearest(e) is None]
    check_tweets(len(elements))
    return elements


def permalinks(root: Element) -> list[Element]:
    """The permalink glyphs (``sup.tw-permalink``) outside cards: a page derived from an
    unroll marks its tweets only by these."""
    outside = cards()
    return [e for e in _PERMALINKS(root) if outside.nearest(e) is None]


def _author(root: Element, anchor: Element | None, handle: str | None, title: str | None) -> Author:
    """The thread's author; ``title`` is the page's, which may say "Thread by @handle"."""
    if handle is None:
        shown = first_text(_HANDLE.find(root, anchor))
        if shown and shown.startswith("@"):
            handle = shown[1:]
    if handle is None:
        match = THREAD_BY_RE.match(title or "")
        handle = match["handle"] if match else None
    avatar = None
    for img in _AVATAR.find(root, anchor):
        avatar = absolute_url(img.get("data-src") or img.get("src"), None)
        if avatar:
            break
    return make_author(handle, first_text(_NAME.find(root, anchor)), avatar)


def _declared_size(root: Element, anchor: Element | None) -> tuple[int | None, int | None]:
    """The thread's declared tweet count and reading time ("102 tweets, 21 min read")."""
    texts = [clean_text(node_text(e)) for e in _SIZE.find(root, anchor)]
    if (around := _SIZE.enclosing(anchor)) is not None:
        texts.append(clean_text(" ".join(_OWN_TEXT(around))))  # not the tweets inside
    for text in texts:
        if (count := _COUNT_RE.search(text)) and (declared := number(count.group(1))) is not None:
            read = _READ_RE.search(text)
            return declared, int(read.group(1)) if read else None
    return None, None


def _segments(marks: list[Element]) -> list[Element]:
    """Split a page derived from Thread Reader into one element per tweet.

    Such pages (blog posts made from an unroll) keep each tweet's ``sup.tw-permalink`` and
    separate tweets by ``<hr>``; a link-preview card after a permalink belongs to its tweet.
    """
    container = marks[0].getparent()
    segments: list[Element] = []
    current = etree.Element("div")
    closed = False

    def flush() -> None:
        nonlocal current, closed
        if clean_text(node_text(current)) or not _blank(current):
            segments.append(current)
            check_tweets(len(segments))
        current, closed = etree.Element("div"), False

    if container is None:
        return segments
    current.text = _xml_safe(container.text or "") or None
    for child in container:
        card = child.tag == "div" and _PREVIEW_CARD(child)
        if child.tag == "hr":
            flush()
        else:
            if closed and not card and not _blank(child):
                flush()  # an empty element after a permalink stays with its tweet
            current.append(_copy(child))
            closed = closed or has_class(child, "tw-permalink")
            continue
        if child.tail and child.tail.strip():
            current.text = (current.text or "") + _xml_safe(child.tail)
    flush()
    return segments


_CONTENT_TAGS = frozenset({"img", "a", "iframe", "video", "source", "blockquote", "picture"})


def _blank(element: Element) -> bool:
    """True for an element with no text and nothing a tweet could show (``<div>\n</div>``)."""
    if clean_text(node_text(element)):
        return False
    return not any(node.tag in _CONTENT_TAGS for node in element.iter())


# libxml2's HTML parser keeps control characters that lxml refuses in text it is given.
_XML_UNSAFE_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_safe(text: str) -> str:
    """``text`` with what lxml refuses to set as text (NUL, controls) turned into U+FFFD."""
    return _XML_UNSAFE_RE.sub("\ufffd", text)


def _copy(element: Element) -> Element:
    # A detached copy, tail included: appending the original would move it out of the page.
    # copy.copy is whole: lxml's __copy__ copies the subtree (its __deepcopy__ returns that
    # same copy), without deepcopy's memo, which cost more than the copy itself.
    return copy.copy(element)


def _first_status(root: Element) -> tuple[str | None, str] | None:
    for href in _HREFS(root):
        if parts := status_parts(str(href)):
            return parts
    return None


def _embedded_thread_id(root: Element) -> str | None:
    # Rendered quotes carry the unroll's url in their iframe: "origin=https%3A%2F%2F
    # threadreaderapp.com%2Fthread%2F<id>.html".
    for src in _FRAMES_AND_HREFS(root):
        value = str(src).replace("%2F", "/").replace("%3A", ":")
        if "threadreaderapp.com/thread/" in value and (found := threadreader_id(value)):
            return found
    return None


def parse_thread(
    root: Element,
    *,
    url: str | None = None,
    elements: list[Element] | None = None,
    marks: list[Element] | None = None,
) -> Thread:
    """Parse a Thread Reader thread page (or a page derived from one) into a :class:`Thread`.

    ``elements`` (the tweet elements) and ``marks`` (the :func:`permalinks`) are what the
    caller has found already, when it has.
    """
    base = url or "https://threadreaderapp.com/"
    if elements is None:
        elements = thread_tweet_elements(root)
    derived = not elements
    anchor = elements[0] if elements else None
    if derived:
        elements = _segments(marks if marks is not None else permalinks(root))
    ids = [checked_id(e.get("data-tweet")) for e in elements]
    handle = next((h for e in elements if (h := e.get("data-screenname"))), None)
    page_url = url or meta(root, "og:url") or canonical_url(root)
    times = _TIME.find(root, anchor)
    time_link = times[0] if times else None
    root_status = status_parts(time_link.get("href") if time_link is not None else None)
    if root_status is None and derived:
        root_status = _first_status(root)
    if handle is None and root_status:
        handle = root_status[0]
    title = meta(root, "og:title") or page_title(root)
    author = _author(root, anchor, handle, title)
    thread_id = ids[0] if ids else None
    thread_id = thread_id or threadreader_id(page_url) or (root_status and root_status[1])
    if thread_id is None and derived:
        thread_id = _embedded_thread_id(root)
    if ids and ids[0] is None:
        ids[0] = thread_id or None
    parts = [read_tweet(element, base=base) for element in elements]
    declared, minutes = _declared_size(root, anchor)
    numbering = number_thread([p.text for p in parts], declared_count=declared)
    # Validated inside the Thread, in one call: the same checks as a Tweet each, for less.
    tweets = [
        part.fields(tweet_id=tweet_id, author=author, place=numbering.place(index))
        for index, (part, tweet_id) in enumerate(zip(parts, ids, strict=True))
    ]
    created = timestamp(time_link.get("data-time")) if time_link is not None else None
    date_text = clean_text(node_text(time_link)) if time_link is not None else ""
    return Thread.model_validate(
        {
            "id": thread_id or None,
            "url": page_url,
            "author": author,
            "title": title,
            "created_at": created or (tweets[0]["created_at"] if tweets else None),
            "date_text": date_text or None,
            "tweets": tweets,
            "declared_count": declared,
            "read_minutes": minutes,
            "complete": numbering.complete,
            "gaps": numbering.gaps,
        }
    )
