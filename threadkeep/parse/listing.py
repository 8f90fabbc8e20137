"""Thread Reader listing pages: the home page, hashtag and topic pages, an author's threads.

Every known variant shows threads as ``div.thread-card`` (MARKUP.md section b): the author,
a few tweets of the thread, its date (``.time[data-time]``) and a "Read N tweets" link to
``/thread/<id>.html``. Section titles ("Technology:") sit in ``span.subtitle`` before their
cards; hashtag and topic pages say "… Threads about #X" and "Most recents (24)".
"""

from __future__ import annotations

import re

from lxml import etree
from lxml.html import HtmlElement

from threadkeep.models import Author, Listing, ThreadPreview, Tweet
from threadkeep.parse.html import clean_text, has_class
from threadkeep.parse.numbering import number_thread
from threadkeep.parse.trapage import CARD, first_text, headings, meta, number, page_title, timestamp
from threadkeep.parse.tratweet import read_tweet
from threadkeep.urls import absolute_url, threadreader_id

__all__ = ["is_listing", "parse_listing"]

_CARDS = etree.XPath(f"/descendant::div[{CARD}]")
_CARDS_AND_SECTIONS = etree.XPath(
    f"/descendant::*[self::div[{CARD}] or self::span[contains(@class, 'subtitle')]]"
)
_HASHTAG_BUTTONS = etree.XPath(
    "/descendant::a[contains(@class, 'button-tag')][contains(@href, '/hashtag/')]"
)
_CARD_NAME = etree.XPath(".//*[contains(@class, 'username')]")
_CARD_HANDLE = etree.XPath(".//*[contains(@class, 'screenName')]")
_CARD_USER_LINK = etree.XPath(".//a[contains(@href, '/user/')]/@href")
_CARD_AVATAR = etree.XPath(".//*[contains(@class, 'avatar')]//img/@src")
_CARD_THREAD_LINKS = etree.XPath(".//a[contains(@href, '/thread/')]")
_CARD_TWEETS = etree.XPath(".//div[contains(concat(' ', @class, ' '), ' content-tweet ')]")
_CARD_TIME = etree.XPath(".//*[@data-time]/@data-time")

_READ_N_RE = re.compile(r"Read\s+(\d[\d,]*)\s+tweets?", re.I)
_TOTAL_RE = re.compile(r"Most\s+recents?\s*\((\d[\d,]*)\)", re.I)
_TOPIC_RE = re.compile(r"Threads?\s+(?:about|on)\s+(#?\S+)", re.I)


def is_listing(root: HtmlElement) -> bool:
    """True for a page of thread cards (home, hashtag, topic, author pages)."""
    return bool(_CARDS(root))


def hashtag_topic(url: str | None) -> str | None:
    """``#tag`` from a Thread Reader hashtag url (``/hashtag/<tag>``), or None."""
    if not url or "/hashtag/" not in url:
        return None
    tag = url.rsplit("/hashtag/", 1)[1].split("?")[0].split("#")[0].removesuffix(".html")
    return f"#{tag}" if tag else None


def parse_listing(root: HtmlElement, *, url: str | None = None) -> Listing:
    """Parse a Thread Reader listing page into a :class:`Listing`."""
    base = url or "https://threadreaderapp.com/"
    previews: list[ThreadPreview] = []
    section: str | None = None
    for node in _CARDS_AND_SECTIONS(root):
        if has_class(node, "thread-card"):
            previews.append(_parse_card(node, base=base, section=section))
        else:
            section = clean_text(node.text_content()).rstrip(":") or None
    texts = headings(root)
    title = next((h for h in texts if "threads" in h.lower()), None) or page_title(root)
    total = next((number(m.group(1)) for h in texts if (m := _TOTAL_RE.search(h))), None)
    topic_match = _TOPIC_RE.search(title or "")
    page_url = url or meta(root, "og:url")
    hashtags = (clean_text(a.text_content()) for a in _HASHTAG_BUTTONS(root))
    return Listing(
        title=title,
        topic=topic_match.group(1) if topic_match else hashtag_topic(page_url),
        url=page_url,
        threads=tuple(previews),
        declared_total=total,
        hashtags=tuple(h for h in hashtags if h),
    )


def _card_author(card: HtmlElement, base: str) -> Author:
    shown = first_text(_CARD_HANDLE(card))
    handle = shown[1:] if shown and shown.startswith("@") else None
    if handle is None:
        links = _CARD_USER_LINK(card)
        handle = str(links[0]).rstrip("/").rsplit("/", 1)[-1] or None if links else None
    avatars = _CARD_AVATAR(card)
    return Author(
        handle=handle,
        name=first_text(_CARD_NAME(card)),
        url=f"https://twitter.com/{handle}" if handle else None,
        avatar=absolute_url(str(avatars[0]), base) if avatars else None,
    )


def _parse_card(card: HtmlElement, *, base: str, section: str | None) -> ThreadPreview:
    author = _card_author(card, base)
    thread_url = None
    declared = None
    for anchor in _CARD_THREAD_LINKS(card):
        thread_url = thread_url or absolute_url(anchor.get("href"), base)
        if match := _READ_N_RE.search(clean_text(anchor.text_content())):
            declared = number(match.group(1))
    thread_id = threadreader_id(thread_url)
    parts = [read_tweet(element, base=base) for element in _CARD_TWEETS(card)]
    numbering = number_thread([p.text for p in parts])
    tweets: list[Tweet] = []
    for index, part in enumerate(parts):
        marker = numbering.markers[index]
        position = numbering.positions[index]
        tweets.append(
            part.to_tweet(
                # A card's first tweet is the root (whose id names the thread) unless its
                # numbering says otherwise: cards may show "3.", "4.", "6." of a thread.
                tweet_id=thread_id if position == 1 else None,
                author=author,
                position=position,
                marker=marker.text if marker else None,
            )
        )
    times = _CARD_TIME(card)
    return ThreadPreview(
        url=thread_url,
        thread_id=thread_id,
        author=author,
        tweets=tuple(tweets),
        declared_count=declared,
        created_at=timestamp(str(times[0])) if times else None,
        section=section,
    )
