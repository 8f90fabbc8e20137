"""Thread Reader listing pages: the home page, hashtag and topic pages, an author's threads.

Every known variant shows threads as ``div.thread-card`` (MARKUP.md section b): the author,
a few tweets of the thread, its date (``.time[data-time]``) and a "Read N tweets" link to
``/thread/<id>.html``. Section titles ("Technology:") sit in ``span.subtitle`` before their
cards; hashtag and topic pages say "… Threads about #X" and "Most recents (24)".

One pass over the page's elements (:class:`_PageWalk`) finds the cards, what each holds, the
sections, headings and hashtag buttons: a page-wide XPath each cost more than that pass.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree
from lxml.etree import _Element as Element

from threadkeep.limits import check_tweets
from threadkeep.models import Author, Listing
from threadkeep.parsing.html import clean_text, node_text
from threadkeep.parsing.numbering import number_thread
from threadkeep.parsing.shared import MOST_RECENTS, READ_N, make_author, meta, page_title
from threadkeep.parsing.threadreader_page import CARD, number, timestamp
from threadkeep.parsing.threadreader_tweet import read_tweet
from threadkeep.urls import absolute_url, threadreader_id

__all__ = ["is_listing", "parse_listing"]

# One predicate, the cheap substring test first (the token test builds a string per div): with
# a single predicate before "[1]", libxml2 stops at the first card.
_IS_CARD = etree.XPath(CARD)
_READ_N_RE = re.compile(READ_N, re.I)
_TOTAL_RE = re.compile(MOST_RECENTS, re.I)
_TOPIC_RE = re.compile(r"Threads?\s+(?:about|on)\s+(#?\S+)", re.I)
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4"})
_CLASSED_TAGS = frozenset({"span", "div", "a"})  # whose class may make them page-level
_XML_SPACES = str.maketrans("\t\n\r", "   ")


def is_listing(root: Element) -> bool:
    """True for a page of thread cards (home, hashtag, topic, author pages).

    The same test as ``/descendant::div[contains(@class, 'thread-card') and CARD][1]``, read
    over the page's ``div`` elements (filtered in C) to the first card: libxml2 walked every
    node of the tree first (an article of 400 elements: 0.16 M instructions).
    """
    page = root.getroottree().getroot()
    return any(
        "thread-card" in (element.get("class") or "") and _IS_CARD(element)
        for element in page.iter("div")
    )


def hashtag_topic(url: str | None) -> str | None:
    """``#tag`` from a Thread Reader hashtag url (``/hashtag/<tag>``), or None."""
    if not url or "/hashtag/" not in url:
        return None
    tag = url.rsplit("/hashtag/", 1)[1].split("?")[0].split("#")[0].removesuffix(".html")
    return f"#{tag}" if tag else None


def parse_listing(root: Element, *, url: str | None = None) -> Listing:
    """Parse a Thread Reader listing page into a :class:`Listing`."""
    page = _PageWalk(root, url or "https://threadreaderapp.com/")
    texts = page.headings
    title = next((h for h in texts if "threads" in h.lower()), None) or page_title(root)
    total = next((number(m["total"]) for h in texts if (m := _TOTAL_RE.search(h))), None)
    topic_match = _TOPIC_RE.search(title or "")
    page_url = url or meta(root, "og:url")
    # Validated in one call, previews and their tweets inside: the same checks as each a
    # model of its own, for less.
    return Listing.model_validate(
        {
            "title": title,
            "topic": topic_match.group(1) if topic_match else hashtag_topic(page_url),
            "url": page_url,
            "threads": page.previews,
            "declared_total": total,
            "hashtags": page.hashtags,
        }
    )


def _has_card_class(tag: object, value: str) -> bool:
    """Whether an element (not a comment or processing instruction) has the class
    ``thread-card``, as :func:`~threadkeep.parsing.threadreader_page.is_card` reads it."""
    return "thread-card" in value and isinstance(tag, str) and "thread-card" in value.split()


def _card_class(value: str) -> bool:
    """Whether a class attribute names ``thread-card`` as the ``CARD`` XPath test reads it:
    tokens split on XML's four whitespace characters only (not on "\\xa0")."""
    return "thread-card" in value and "thread-card" in value.translate(_XML_SPACES).split(" ")


class _PageWalk:
    """Everything a listing shows, from one pass over its elements in page order.

    * ``previews``: a :class:`ThreadPreview` per ``div.thread-card``, in the section whose
      ``span.subtitle`` came last before it. A card inside another element of class
      ``thread-card`` is not one of its own: the card around it reads it whole.
    * ``headings``: texts of headings, subtitles and alert boxes (as
      :func:`~threadkeep.parsing.threadreader_page.headings` finds them), in page order.
    * ``hashtags``: texts of the "related hashtag" buttons.
    """

    def __init__(self, root: Element, base: str) -> None:
        self.base = base
        self.previews: list[dict[str, Any]] = []  # the fields of a ThreadPreview each
        self.headings: list[str] = []
        self.hashtags: list[str] = []
        self._section: str | None = None
        self._count = 0
        card: _Card | None = None  # the card being read, if any
        outer: Element | None = None  # the outermost element of class thread-card around
        end: Element | None = None  # the first node after ``outer``'s subtree
        for node in root.iter():
            if node is end:
                if card is not None:
                    self._add(card)
                card = outer = end = None
            value = node.get("class")
            tag = node.tag
            if card is not None:
                card.see(node, tag, value)
            if value is None:
                if tag in _HEADING_TAGS:
                    self._heading(node)
                continue
            if outer is None and _has_card_class(tag, value):
                outer, end = node, _after(node)
                if tag == "div" and _card_class(value):
                    card = _Card(self._section, base)
            if tag in _HEADING_TAGS:
                self._heading(node)
            elif tag in _CLASSED_TAGS:
                self._classed(node, tag, value)
        if card is not None:
            self._add(card)

    def _classed(self, element: Element, tag: str, value: str) -> None:
        """Note a section title, an alert box or a hashtag button."""
        if tag == "span":
            if "subtitle" in value:
                self._heading(element)
                self._section = clean_text(node_text(element)).rstrip(":") or None
        elif tag == "div":
            if "alert" in value or "box-error" in value or "box-message" in value:
                self._heading(element)
        elif (
            "button-tag" in value
            and "/hashtag/" in (element.get("href") or "")
            and (text := clean_text(node_text(element)))
        ):
            self.hashtags.append(text)

    def _heading(self, element: Element) -> None:
        if text := clean_text(node_text(element)):
            self.headings.append(text)

    def _add(self, card: _Card) -> None:
        preview = card.preview()
        self.previews.append(preview)
        self._count += 1 + len(preview["tweets"])
        check_tweets(self._count)


def _after(element: Element) -> Element | None:
    """The first node after ``element``'s subtree in page order (None at the page's end)."""
    node: Element | None = element
    while node is not None:
        following = node.getnext()
        if following is not None:
            return following
        node = node.getparent()
    return None


class _Card:
    """What the nodes of one card hold, each seen once, in page order."""

    def __init__(self, section: str | None, base: str) -> None:
        self.section = section
        self.base = base
        self.name: str | None = None
        self.handle: str | None = None
        self.avatar: str | None = None
        self.time: str | None = None
        self.thread_url: str | None = None
        self.declared: int | None = None
        self.tweets: list[Element] = []

    def see(self, node: Element, tag: object, value: str | None) -> None:
        """Read one node inside the card, its ``tag`` and ``class`` already read (any node:
        comments and processing instructions find nothing)."""
        names = value.split() if value else ()
        if "content-tweet" in names:
            if not self.tweets or not _inside(node, self.tweets[-1]):
                self.tweets.append(node)  # a tweet inside a tweet is read with it
        elif self.name is None and "username" in names:
            self.name = clean_text(node_text(node)) or None
        elif self.handle is None and "screenName" in names:
            shown = clean_text(node_text(node))
            self.handle = shown[1:] if shown.startswith("@") else None
        elif tag == "img":
            if self.avatar is None and not self.tweets:
                self.avatar = absolute_url(node.get("data-src") or node.get("src"), self.base)
        elif tag == "a":
            self._link(node)
        if self.time is None and (stamp := node.get("data-time")):
            self.time = stamp

    def _link(self, anchor: Element) -> None:
        href = anchor.get("href") or ""
        if "/thread/" in href:
            self.thread_url = self.thread_url or absolute_url(href, self.base)
            if match := _READ_N_RE.search(clean_text(node_text(anchor))):
                self.declared = number(match["count"])
        elif "/user/" in href and self.handle is None:
            self.handle = href.rstrip("/").rsplit("/", 1)[-1] or None

    def author(self) -> Author:
        return make_author(self.handle, self.name, self.avatar)

    def preview(self) -> dict[str, Any]:
        """The fields of the card's :class:`ThreadPreview`, its tweets read and numbered (the
        fields of a :class:`Tweet` each)."""
        check_tweets(len(self.tweets))
        card_author = self.author()
        thread_id = threadreader_id(self.thread_url)
        parts = [read_tweet(element, base=self.base) for element in self.tweets]
        numbering = number_thread([p.text for p in parts])
        tweets: list[dict[str, Any]] = []
        for index, part in enumerate(parts):
            place = numbering.place(index)
            tweets.append(
                part.fields(
                    # A card's first tweet is the root (whose id names the thread) unless its
                    # numbering says otherwise: cards may show "3.", "4.", "6." of a thread.
                    tweet_id=thread_id if place[0] == 1 else None,
                    author=card_author,
                    place=place,
                )
            )
        return {
            "url": self.thread_url,
            "thread_id": thread_id,
            "author": card_author,
            "tweets": tweets,
            "declared_count": self.declared,
            "created_at": timestamp(self.time),
            "section": self.section,
        }


def _inside(element: Element, outer: Element) -> bool:
    return any(parent is outer for parent in element.iterancestors())
