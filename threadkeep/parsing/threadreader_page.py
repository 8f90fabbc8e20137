"""Thread Reader page-level facts shared by the thread and listing parsers.

Its cards (``div.thread-card``), numbers and timestamps as it writes them, its headings,
whether a page is from Thread Reader at all, and the pages it shows instead of a thread ("not
found", "being unrolled", "removed", rate limits).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from lxml import etree
from lxml.etree import _Element as Element

from threadkeep.parsing.html import Ancestors, clean_text, has_class, node_text
from threadkeep.parsing.shared import meta, page_title

__all__ = [
    "CARD",
    "cards",
    "headings",
    "is_card",
    "is_threadreader",
    "number",
    "timestamp",
    "unavailable_reason",
]

CARD = "contains(concat(' ', normalize-space(@class), ' '), ' thread-card ')"
# Name tests in the step, not `*[self::h1 or …]`: libxml2 evaluates the latter per node, and
# it is ten times slower on a real page.
_HEADINGS = etree.XPath(
    "/descendant::h1 | /descendant::h2 | /descendant::h3 | /descendant::h4"
    " | /descendant::span[contains(@class, 'subtitle')]"
    " | /descendant::div[contains(@class, 'alert') or contains(@class, 'box-error')"
    " or contains(@class, 'box-message')]"
)
_SECONDS_RE = re.compile(r"[0-9]+")
_SEPARATORS_RE = re.compile(r"[,.\s]")
# From the root alone, a step's "[1]" is the page's first match: libxml2 stops there, where
# "(…)[1]" collects every match first.
_TRA_LINK = etree.XPath("/descendant::a[contains(@href, 'threadreaderapp.com')][1]")


def number(text: str) -> int | None:
    """An integer written with thousands separators ("12,399"); None past 9 digits.

    No page declares a billion tweets, and Python refuses to convert over 4 300 digits.
    """
    digits = _SEPARATORS_RE.sub("", text)
    return int(digits) if 0 < len(digits) <= 9 and digits.isdecimal() else None


def timestamp(value: str | None) -> datetime | None:
    """A Unix timestamp attribute (``data-time``) as an aware datetime, or None."""
    value = value.strip() if value else None
    if not value or len(value) > 12 or not _SECONDS_RE.fullmatch(value):
        return None
    seconds = int(value)
    if not 0 < seconds < 32_503_680_000:  # before the year 3000
        return None
    return datetime.fromtimestamp(seconds, tz=UTC)


def is_card(element: Element) -> bool:
    """True for a ``div.thread-card`` (a related-thread or listing card)."""
    return has_class(element, "thread-card")


def cards() -> Ancestors:
    """Which card (if any) holds an element, remembered across one tree."""
    return Ancestors(is_card)


def headings(root: Element) -> list[str]:
    """Texts of headings, section subtitles and alert boxes, in page order."""
    return [text for e in _HEADINGS(root) if (text := clean_text(node_text(e)))]


def is_threadreader(root: Element) -> bool:
    """True when the page says it is from Thread Reader App.

    The title is read first: a few elements, where a ``<meta>`` the head lacks is searched for
    in the whole page.
    """
    if "thread reader" in (page_title(root) or "").lower():
        return True
    site = (meta(root, "og:site_name") or "").lower()
    return "thread reader" in site or bool(_TRA_LINK(root))


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
