"""Thread Reader listing pages: the home page, hashtag and topic pages, an author's threads.

Every known variant shows threads as ``div.thread-card`` (MARKUP.md section b): the author,
a few tweets of the thread, its date (``.time[data-time]``) and a "Read N tweets" link to
``/thread/<id>.html``. Section titles ("Technology:") sit in ``span.subtitle`` before their
cards; hashtag and topic pages say "… Threads about #X" and "Most recents (24)".
"""

from __future__ import annotations

import re

from lxml import etree
from lxml.etree import _Element as Element

from threadkeep.limits import check_tweets
from threadkeep.models import Author, Listing, ThreadPreview, Tweet
from threadkeep.parsing.html import classes, clean_text, has_class, node_text
from threadkeep.parsing.numbering import number_thread
from threadkeep.parsing.shared import MOST_RECENTS, READ_N, make_author, meta, page_title
from threadkeep.parsing.threadreader_page import CARD, cards, headings, number, timestamp
from threadkeep.parsing.threadreader_tweet import read_tweet
from threadkeep.urls import absolute_url, threadreader_id

__all__ = ["is_listing", "parse_listing"]

_CARDS = etree.XPath(f"/descendant::div[{CARD}]")
_CARDS_AND_SECTIONS = etree.XPath(
    f"/descendant::div[{CARD}] | /descendant::span[contains(@class, 'subtitle')]"
)
_HASHTAG_BUTTONS = etree.XPath(
    "/descendant::a[contains(@class, 'button-tag')][contains(@href, '/hashtag/')]"
)
_READ_N_RE = re.compile(READ_N, re.I)
_TOTAL_RE = re.compile(MOST_RECENTS, re.I)
_TOPIC_RE = re.compile(r"Threads?\s+(?:about|on)\s+(#?\S+)", re.I)


def is_listing(root: Element) -> bool:
    """True for a page of thread cards (home, hashtag, topic, author pages)."""
    return bool(_CARDS(root))


def hashtag_topic(url: str | None) -> str | None:
    """``#tag`` from a Thread Reader hashtag url (``/hashtag/<tag>``), or None."""
    if not url or "/hashtag/" not in url:
        return None
    tag = url.rsplit("/hashtag/", 1)[1].split("?")[0].split("#")[0].removesuffix(".html")
    return f"#{tag}" if tag else None


def parse_listing(root: Element, *, url: str | None = None) -> Listing:
    """Parse a Thread Reader listing page into a :class:`Listing`."""
    base = url or "https://threadreaderapp.com/"
    previews: list[ThreadPreview] = []
    section: str | None = None
    count = 0
    around = cards()
    for node in _CARDS_AND_SECTIONS(root):
        if has_class(node, "thread-card"):
            if around.nearest(node) is not None:
                continue  # read whole with the card around it
            previews.append(_parse_card(node, base=base, section=section))
            count += 1 + len(previews[-1].tweets)
            check_tweets(count)
        else:
            section = clean_text(node_text(node)).rstrip(":") or None
    texts = headings(root)
    title = next((h for h in texts if "threads" in h.lower()), None) or page_title(root)
    total = next((number(m["total"]) for h in texts if (m := _TOTAL_RE.search(h))), None)
    topic_match = _TOPIC_RE.search(title or "")
    page_url = url or meta(root, "og:url")
    hashtags = (clean_text(node_text(a)) for a in _HASHTAG_BUTTONS(root))
    return Listing(
        title=title,
        topic=topic_match.group(1) if topic_match else hashtag_topic(page_url),
        url=page_url,
        threads=tuple(previews),
        declared_total=total,
        hashtags=tuple(h for h in hashtags if h),
    )


class _Card:
    """What one pass over a card's elements finds (cheaper than an XPath per field)."""

    def __init__(self, card: Element, base: str) -> None:
        self.name: str | None = None
        self.handle: str | None = None
        self.avatar: str | None = None
        self.time: str | None = None
        self.thread_url: str | None = None
        self.declared: int | None = None
        self.tweets: list[Element] = []
        for element in card.iterdescendants():
            names = classes(element)
            if "content-tweet" in names:
                if not self.tweets or not _inside(element, self.tweets[-1]):
                    self.tweets.append(element)  # a tweet inside a tweet is read with it
            elif self.name is None and "username" in names:
                self.name = clean_text(node_text(element)) or None
            elif self.handle is None and "screenName" in names:
                shown = clean_text(node_text(element))
                self.handle = shown[1:] if shown.startswith("@") else None
            elif element.tag == "img" and self.avatar is None and not self.tweets:
                self.avatar = absolute_url(element.get("data-src") or element.get("src"), base)
            elif element.tag == "a":
                self._link(element, base)
            if self.time is None and (stamp := element.get("data-time")):
                self.time = stamp

    def _link(self, anchor: Element, base: str) -> None:
        href = anchor.get("href") or ""
        if "/thread/" in href:
            self.thread_url = self.thread_url or absolute_url(href, base)
            if match := _READ_N_RE.search(clean_text(node_text(anchor))):
                self.declared = number(match["count"])
        elif "/user/" in href and self.handle is None:
            self.handle = href.rstrip("/").rsplit("/", 1)[-1] or None

    def author(self) -> Author:
        return make_author(self.handle, self.name, self.avatar)


def _inside(element: Element, outer: Element) -> bool:
    return any(parent is outer for parent in element.iterancestors())


def _parse_card(card: Element, *, base: str, section: str | None) -> ThreadPreview:
    found = _Card(card, base)
    check_tweets(len(found.tweets))
    card_author = found.author()
    thread_url, declared = found.thread_url, found.declared
    thread_id = threadreader_id(thread_url)
    parts = [read_tweet(element, base=base) for element in found.tweets]
    numbering = number_thread([p.text for p in parts])
    tweets: list[Tweet] = []
    for index, part in enumerate(parts):
        place = numbering.place(index)
        tweets.append(
            part.to_tweet(
                # A card's first tweet is the root (whose id names the thread) unless its
                # numbering says otherwise: cards may show "3.", "4.", "6." of a thread.
                tweet_id=thread_id if place[0] == 1 else None,
                author=card_author,
                place=place,
            )
        )
    return ThreadPreview(
        url=thread_url,
        thread_id=thread_id,
        author=card_author,
        tweets=tuple(tweets),
        declared_count=declared,
        created_at=timestamp(found.time),
        section=section,
    )
