"""Page-level facts shared by Thread Reader thread and listing parsers.

Meta tags, titles, timestamps, whether a page is from Thread Reader at all, and the pages it
shows instead of a thread ("not found", "being unrolled", "removed", rate limits).
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

from lxml import etree
from lxml.etree import _Element as Element

from threadkeep.parse.html import Ancestors, clean_text, node_text

__all__ = [
    "CARD",
    "cards",
    "first_text",
    "in_card",
    "is_card",
    "is_threadreader",
    "meta",
    "number",
    "page_title",
    "timestamp",
    "unavailable_reason",
]

CARD = "contains(concat(' ', normalize-space(@class), ' '), ' thread-card ')"
_METAS = etree.XPath("//meta[@content]")
_TITLE = etree.XPath("/html/head/title | /html/body/title")
# Name tests in the step, not `*[self::h1 or …]`: libxml2 evaluates the latter per node, and
# it is ten times slower on a real page.
_HEADINGS = etree.XPath(
    "/descendant::h1 | /descendant::h2 | /descendant::h3 | /descendant::h4"
    " | /descendant::span[contains(@class, 'subtitle')]"
    " | /descendant::div[contains(@class, 'alert') or contains(@class, 'box-error')"
    " or contains(@class, 'box-message')]"
)
_SECONDS_RE = re.compile(r"[0-9]+")
_TRA_LINK = etree.XPath("(/descendant::a[contains(@href, 'threadreaderapp.com')])[1]")


def number(text: str) -> int | None:
    """An integer written with thousands separators ("12,399"); None past 9 digits.

    No page declares a billion tweets, and Python refuses to convert over 4 300 digits.
    """
    digits = re.sub(r"[,.\s]", "", text)
    return int(digits) if 0 < len(digits) <= 9 and digits.isdecimal() else None


def meta(root: Element, *names: str) -> str | None:
    """The first non-empty ``<meta property|name=…>`` content among ``names``."""
    found: dict[str, str] = {}
    for element in _METAS(root):
        key = element.get("property") or element.get("name")
        if key and key not in found:
            found[key] = element.get("content") or ""
    for name in names:
        value = clean_text(found.get(name, ""))
        if value:
            return value
    return None


def page_title(root: Element) -> str | None:
    """The ``<title>`` text, whitespace-normalised."""
    return first_text(_TITLE(root))


def timestamp(value: str | None) -> datetime | None:
    """A Unix timestamp attribute (``data-time``) as an aware datetime, or None."""
    value = value.strip() if value else None
    if not value or len(value) > 12 or not _SECONDS_RE.fullmatch(value):
        return None
    seconds = int(value)
    if not 0 < seconds < 32_503_680_000:  # before the year 3000
        return None
    return datetime.fromtimestamp(seconds, tz=timezone.utc)


def first_text(elements: list[Element]) -> str | None:
    """Text of the first element that has any."""
    for element in elements:
        text = clean_text(node_text(element))
        if text:
            return text
    return None


def is_card(element: Element) -> bool:
    """True for a ``div.thread-card`` (a related-thread or listing card)."""
    classes = element.get("class")
    return classes is not None and "thread-card" in classes.split()


def in_card(element: Element) -> bool:
    """True inside a ``div.thread-card``. For many elements, use :func:`cards`."""
    return Ancestors(is_card).nearest(element) is not None


def cards() -> Ancestors:
    """Which card (if any) holds an element, remembered across one tree."""
    return Ancestors(is_card)


def headings(root: Element) -> list[str]:
    """Texts of headings, section subtitles and alert boxes, in page order."""
    return [text for e in _HEADINGS(root) if (text := clean_text(node_text(e)))]


def is_threadreader(root: Element) -> bool:
    """True when the page says it is from Thread Reader App."""
    site = (meta(root, "og:site_name") or "").lower()
    title = (page_title(root) or "").lower()
    return "thread reader" in site or "thread reader" in title or bool(_TRA_LINK(root))


# Phrases a Thread Reader page shows instead of a thread (lower-cased), with the reason given.
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
        ("has been removed", "has been deleted", "no longer available", "was removed"),
        "Thread Reader says the thread was removed",
    ),
    (
        ("account is suspended", "has been suspended"),
        "Thread Reader says the author's account is suspended",
    ),
    (
        ("rate limit", "too many requests", "slow down"),
        "Thread Reader refused the request (rate limited); try again later",
    ),
)


def unavailable_reason(root: Element) -> str | None:
    """Why a Thread Reader page shows no thread ("not found", "being unrolled", …), or None."""
    haystack = " | ".join([page_title(root) or "", *headings(root)]).lower()
    for phrases, reason in _UNAVAILABLE:
        if any(phrase in haystack for phrase in phrases):
            return reason
    return None
