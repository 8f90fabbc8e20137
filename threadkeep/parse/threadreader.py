"""Thread Reader App pages: unrolled threads, listing pages, and pages derived from them.

Markup across 2018–2026 is documented in ``../shared/samples/MARKUP.md`` (sections a and b).
Tweets are selected by their ``tweet_N`` id or ``data-tweet``, never by class alone: the
"More from" and "Related threads" cards reuse ``div.content-tweet`` for other threads.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

from threadkeep.errors import UnsupportedPage
from threadkeep.models import Author, Listing, Thread, ThreadPreview, Tweet
from threadkeep.parse.html import clean_text, has_class
from threadkeep.parse.numbering import number_thread
from threadkeep.parse.tratweet import read_tweet
from threadkeep.urls import absolute_url, status_parts, threadreader_id

__all__ = [
    "is_listing",
    "is_thread",
    "parse_listing",
    "parse_thread",
    "unavailable_reason",
]

_CARD = "contains(concat(' ', normalize-space(@class), ' '), ' thread-card ')"
_NOT_IN_CARD = f"not(ancestor::*[{_CARD}])"

# Selectors, most specific first; the first that finds anything wins.
_TWEET_XPATHS = (
    etree.XPath(
        "//div[starts-with(@id, 'tweet_')]"
        "[contains(concat(' ', normalize-space(@class), ' '), ' content-tweet ')]"
    ),
    etree.XPath(f"//div[@data-tweet][{_NOT_IN_CARD}]"),
)
_PERMALINKS = etree.XPath(f"//sup[contains(@class, 'tw-permalink')][{_NOT_IN_CARD}]")
_CARDS_AND_SECTIONS = etree.XPath(
    f"//div[{_CARD}] | //span[contains(@class, 'subtitle')]"
    " | //div[contains(@class, 'separator')][not(.//span[contains(@class, 'subtitle')])]"
)
_HEADER_NAME = etree.XPath(
    f"//*[contains(@class, 'username') or contains(@class, 'twitter_name')][{_NOT_IN_CARD}]//a"
)
_HEADER_HANDLE = etree.XPath(f"//*[contains(@class, 'screenName')][{_NOT_IN_CARD}]//a")
_HEADER_AVATAR = etree.XPath(
    f"//*[contains(@class, 'avatar') or contains(@class, 'prof-image')][{_NOT_IN_CARD}]//img"
)
_HEADER_TIME = etree.XPath(f"//*[contains(@class, 'time')][@data-time][{_NOT_IN_CARD}]")
_HEADER_INFO = etree.XPath(f"//*[contains(@class, 'thread-info')][{_NOT_IN_CARD}]")
_META = etree.XPath("//meta[@property = $name or @name = $name]/@content")
_CANONICAL = etree.XPath("//link[@rel = 'canonical']/@href")
_HEADINGS = etree.XPath("//h1 | //h2 | //h3 | //h4 | //*[contains(@class, 'subtitle')]")
_HASHTAG_BUTTONS = etree.XPath("//a[contains(@class, 'button-tag')][contains(@href, '/hashtag/')]")

_COUNT_RE = re.compile(r"(\d[\d,.]*)\s*tweets?\b", re.I)
_READ_RE = re.compile(r"(\d+)\s*min(?:ute)?s?\s+read", re.I)
_READ_N_RE = re.compile(r"Read\s+(\d[\d,]*)\s+tweets?", re.I)
_TITLE_HANDLE_RE = re.compile(r"^Thread by @(\w{1,50})\b")
_TOTAL_RE = re.compile(r"Most\s+recents?\s*\((\d[\d,]*)\)", re.I)
_TOPIC_RE = re.compile(r"Threads?\s+(?:about|on)\s+(#?\S+)", re.I)
_TWEET_N_RE = re.compile(r"^tweet_(\d+)$")
_ID_RE = re.compile(r"^\d{1,20}$")


def _number(text: str) -> int:
    return int(re.sub(r"[,.]", "", text))


def _meta(root: lxml.html.HtmlElement, name: str) -> str | None:
    values = _META(root, name=name)
    return clean_text(str(values[0])) or None if values else None


def _time(value: str | None) -> datetime | None:
    if not value or not value.strip().isdigit():
        return None
    seconds = int(value.strip())
    if not 0 < seconds < 32_503_680_000:  # before year 3000
        return None
    return datetime.fromtimestamp(seconds, tz=timezone.utc)


def _first_text(elements: list[HtmlElement]) -> str | None:
    for element in elements:
        text = clean_text(element.text_content())
        if text:
            return text
    return None


def thread_tweet_elements(root: lxml.html.HtmlElement) -> list[HtmlElement]:
    """The tweet elements of a Thread Reader thread page, in thread order."""
    for xpath in _TWEET_XPATHS:
        found: list[HtmlElement] = xpath(root)
        if found:
            return found
    return []


def is_thread(root: lxml.html.HtmlElement) -> bool:
    """True for a thread page, or a page derived from one (permalink-separated tweets)."""
    return bool(thread_tweet_elements(root)) or bool(_PERMALINKS(root))


def is_listing(root: lxml.html.HtmlElement) -> bool:
    """True for a page of thread cards (home, hashtag, topic, author pages)."""
    return bool(root.xpath(f"//div[{_CARD}]"))


def _header_author(root: lxml.html.HtmlElement, handle: str | None) -> Author:
    name = _first_text(_HEADER_NAME(root))
    if handle is None:
        shown = _first_text(_HEADER_HANDLE(root))
        if shown and shown.startswith("@"):
            handle = shown[1:]
    if handle is None:
        title = _meta(root, "og:title") or _first_text(root.xpath("//title"))
        match = _TITLE_HANDLE_RE.match(title or "")
        handle = match.group(1) if match else None
    avatar = None
    for img in _HEADER_AVATAR(root):
        avatar = absolute_url(img.get("data-src") or img.get("src"), None)
        if avatar:
            break
    url = f"https://twitter.com/{handle}" if handle else None
    return Author(handle=handle, name=name, url=url, avatar=avatar)


def _segments(root: lxml.html.HtmlElement) -> list[HtmlElement]:
    """Split a page derived from Thread Reader into one element per tweet.

    Such pages (blog posts made from an unroll) keep each tweet's ``sup.tw-permalink`` and
    separate tweets by ``<hr>``; a link-preview card after a permalink belongs to its tweet.
    """
    permalinks = _PERMALINKS(root)
    container = permalinks[0].getparent()
    segments: list[HtmlElement] = []
    current = lxml.html.Element("div")
    closed = False

    def flush() -> None:
        nonlocal current, closed
        if clean_text(current.text_content()) or len(current):
            segments.append(current)
        current, closed = lxml.html.Element("div"), False

    if container.text and container.text.strip():
        current.text = container.text
    for child in container:
        if child.tag == "hr":
            flush()
        elif closed and not (
            child.tag == "div" and child.xpath(".//*[contains(@class, 'entity-url-preview')]")
        ):
            flush()
            current.append(_copy(child))
        else:
            current.append(_copy(child))
            closed = closed or has_class(child, "tw-permalink")
            continue
        if child.tail and child.tail.strip():
            current.text = (current.text or "") + child.tail
    flush()
    return segments


def _copy(element: HtmlElement) -> HtmlElement:
    clone = lxml.html.fromstring(lxml.html.tostring(element, encoding="unicode"))
    return clone


def parse_thread(root: lxml.html.HtmlElement, *, url: str | None = None) -> Thread:
    """Parse a Thread Reader thread page (or a page derived from one) into a :class:`Thread`."""
    base = url or "https://threadreaderapp.com/"
    elements = thread_tweet_elements(root)
    derived = not elements
    if derived:
        elements = _segments(root)
    ids: list[str | None] = []
    handle: str | None = None
    for element in elements:
        tweet_id = element.get("data-tweet")
        ids.append(tweet_id if tweet_id and _ID_RE.match(tweet_id) else None)
        handle = handle or element.get("data-screenname") or None
    page_url = url or _meta(root, "og:url") or _first_attr(_CANONICAL(root))
    time_link = next(iter(_HEADER_TIME(root)), None)
    root_status = status_parts(time_link.get("href") if time_link is not None else None)
    if derived:
        root_status = root_status or _first_status(root)
    if handle is None and root_status:
        handle = root_status[0]
    author = _header_author(root, handle)
    thread_id = (
        (ids[0] if ids and ids[0] else None)
        or threadreader_id(page_url)
        or (root_status[1] if root_status else None)
    )
    if thread_id is None and derived:
        thread_id = _first_threadreader_id(root)
    if ids and ids[0] is None and thread_id:
        ids[0] = thread_id
    parts = [read_tweet(element, base=base) for element in elements]
    declared, minutes = _declared_size(root)
    numbering = number_thread([p.text for p in parts], declared_count=declared)
    tweets = tuple(
        p.to_tweet(
            tweet_id=tweet_id,
            author=author,
            position=numbering.positions[index],
            marker=m.text if (m := numbering.markers[index]) else None,
        )
        for index, (p, tweet_id) in enumerate(zip(parts, ids, strict=True))
    )
    created = _time(time_link.get("data-time")) if time_link is not None else None
    if created is None and tweets:
        created = tweets[0].created_at
    date_text = clean_text(time_link.text_content()) or None if time_link is not None else None
    return Thread(
        id=thread_id,
        url=page_url,
        author=author,
        title=_meta(root, "og:title") or _first_text(root.xpath("//title")),
        created_at=created,
        date_text=date_text,
        tweets=tweets,
        declared_count=declared,
        read_minutes=minutes,
        complete=numbering.complete,
        gaps=numbering.gaps,
    )


def _first_attr(values: list[object]) -> str | None:
    return str(values[0]) if values else None


def _first_status(root: lxml.html.HtmlElement) -> tuple[str | None, str] | None:
    for href in root.xpath("//a/@href"):
        if parts := status_parts(str(href)):
            return parts
    return None


def _first_threadreader_id(root: lxml.html.HtmlElement) -> str | None:
    for src in root.xpath("//iframe/@src | //a/@href"):
        value = str(src)
        if "threadreaderapp.com" in value or "threadreaderapp.com" in value.replace("%2F", "/"):
            found = threadreader_id(value.replace("%2F", "/").replace("%3A", ":"))
            if found:
                return found
    return None


def _declared_size(root: lxml.html.HtmlElement) -> tuple[int | None, int | None]:
    """The thread's declared tweet count and reading time ("102 tweets, 21 min read")."""
    for info in _HEADER_INFO(root) + root.xpath(f"//*[contains(@class, 'count')][{_NOT_IN_CARD}]"):
        text = clean_text(info.text_content())
        count = _COUNT_RE.search(text)
        if count:
            read = _READ_RE.search(text)
            return _number(count.group(1)), int(read.group(1)) if read else None
    return None, None


# Phrases a Thread Reader page shows instead of a thread, lower-cased, with the reason given.
_UNAVAILABLE = (
    (
        ("thread not found", "could not be found", "couldn't find this thread", "page not found"),
        "Thread Reader says the thread was not found",
    ),
    (
        ("being unrolled", "being processed", "unroll is in progress", "come back in a few"),
        "Thread Reader is still unrolling this thread; try again later",
    ),
    (
        (
            "has been removed",
            "has been deleted",
            "no longer available",
            "was removed",
            "account is suspended",
            "has been suspended",
        ),
        "Thread Reader says the thread was removed",
    ),
    (
        ("rate limit", "too many requests", "slow down"),
        "Thread Reader refused the request (rate limited); try again later",
    ),
)


def unavailable_reason(root: lxml.html.HtmlElement) -> str | None:
    """Why a Thread Reader page shows no thread ("not found", "being unrolled", …), or None."""
    texts = [clean_text(e.text_content()) for e in _HEADINGS(root)]
    texts += [
        clean_text(e.text_content())
        for e in root.xpath(
            "//title | //*[contains(@class, 'alert') or contains(@class, 'box-error')"
            " or contains(@class, 'box-message')]"
        )
    ]
    haystack = " | ".join(texts).lower()
    for phrases, reason in _UNAVAILABLE:
        if any(phrase in haystack for phrase in phrases):
            return reason
    return None


def is_threadreader(root: lxml.html.HtmlElement) -> bool:
    """True when the page says it is from Thread Reader App."""
    site = _meta(root, "og:site_name") or ""
    title = _first_text(root.xpath("//title")) or ""
    return (
        "thread reader" in site.lower()
        or "thread reader" in title.lower()
        or bool(root.xpath("//a[contains(@href, 'threadreaderapp.com')][1]"))
    )


def parse_listing(root: lxml.html.HtmlElement, *, url: str | None = None) -> Listing:
    """Parse a Thread Reader listing page (home, hashtag, topic, author) into a :class:`Listing`."""
    base = url or "https://threadreaderapp.com/"
    previews: list[ThreadPreview] = []
    section: str | None = None
    for node in _CARDS_AND_SECTIONS(root):
        if not has_class(node, "thread-card"):
            section = clean_text(node.text_content()).rstrip(":") or None
            continue
        previews.append(_parse_card(node, base=base, section=section))
    headings = [clean_text(h.text_content()) for h in _HEADINGS(root)]
    title = next((h for h in headings if "thread" in h.lower()), None) or _first_text(
        root.xpath("//title")
    )
    total = None
    for heading in headings:
        if match := _TOTAL_RE.search(heading):
            total = _number(match.group(1))
            break
    topic_match = _TOPIC_RE.search(title or "")
    topic = topic_match.group(1) if topic_match else None
    if topic is None and url and "/hashtag/" in url:
        topic = "#" + url.rsplit("/hashtag/", 1)[1].split("?")[0].split(".")[0]
    hashtags = tuple(clean_text(a.text_content()) for a in _HASHTAG_BUTTONS(root))
    return Listing(
        title=title,
        topic=topic,
        url=url or _meta(root, "og:url"),
        threads=tuple(previews),
        declared_total=total,
        hashtags=tuple(h for h in hashtags if h),
    )


def _parse_card(card: HtmlElement, *, base: str, section: str | None) -> ThreadPreview:
    name = _first_text(card.xpath(".//*[contains(@class, 'username')]"))
    shown = _first_text(card.xpath(".//*[contains(@class, 'screenName')]"))
    handle = shown[1:] if shown and shown.startswith("@") else None
    if handle is None:
        for href in card.xpath(".//a[contains(@href, '/user/')]/@href"):
            handle = str(href).rstrip("/").rsplit("/", 1)[-1] or None
            break
    avatar = next(
        (
            absolute_url(str(src), base)
            for src in card.xpath(".//*[contains(@class, 'avatar')]//img/@src")
        ),
        None,
    )
    author = Author(
        handle=handle,
        name=name,
        url=f"https://twitter.com/{handle}" if handle else None,
        avatar=avatar,
    )
    thread_url = None
    declared = None
    for anchor in card.xpath(".//a[contains(@href, '/thread/')]"):
        thread_url = thread_url or absolute_url(anchor.get("href"), base)
        if match := _READ_N_RE.search(clean_text(anchor.text_content())):
            declared = _number(match.group(1))
    thread_id = threadreader_id(thread_url)
    elements = card.xpath(
        ".//*[contains(@class, 'card-tweets')]//div[contains(@class, 'content-tweet')]"
    )
    if not elements:
        elements = card.xpath(".//div[contains(@class, 'content-tweet')]")
    parts = [read_tweet(element, base=base) for element in elements]
    numbering = number_thread([p.text for p in parts])
    tweets: list[Tweet] = []
    for index, p in enumerate(parts):
        marker = numbering.markers[index]
        tweets.append(
            p.to_tweet(
                # A card's first tweet is the root (whose id names the thread) unless its
                # numbering says otherwise: cards may show "3.", "4.", "6." of a thread.
                tweet_id=thread_id if numbering.positions[index] == 1 else None,
                author=author,
                position=numbering.positions[index],
                marker=marker.text if marker else None,
            )
        )
    time_nodes = card.xpath(".//*[@data-time]/@data-time")
    return ThreadPreview(
        url=thread_url,
        thread_id=thread_id,
        author=author,
        tweets=tuple(tweets),
        declared_count=declared,
        created_at=_time(str(time_nodes[0])) if time_nodes else None,
        section=section,
    )


def require_thread(root: lxml.html.HtmlElement) -> None:
    """Raise :class:`UnsupportedPage` when a Thread Reader page says it holds no thread."""
    reason = unavailable_reason(root)
    if reason:
        raise UnsupportedPage(reason)
