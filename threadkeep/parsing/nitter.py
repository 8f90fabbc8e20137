"""Nitter pages: the status page of a tweet (its conversation), profiles, searches, embeds.

Nitter, the open-source Twitter front end, served copies of tweets from hundreds of instances
(nitter.net, nitter.snopyta.org, …) from 2019 on, and many of its pages survive in web
archives after the tweets they show were deleted. Every tweet on any of its pages is a
``div.timeline-item`` rendered by one template (``renderTweet``), whose markup changed little
over the years:

* ``.tweet-header``: ``a.fullname`` (the name), ``a.username`` (``@handle``), the avatar, and
  ``span.tweet-date > a[href="/<handle>/status/<id>#m"][title]`` (the time: "8/5/2020,
  07:17:31" until 2021, "May 8, 2020 · 7:17 AM UTC" later);
* ``.retweet-header`` ("X retweeted") and ``.pinned`` above it; ``.replying-to``;
* ``.tweet-content``: the text, with links shown as their expanded url, hashtags linking to
  ``/search?q=%23tag`` and mentions to ``/<handle>``;
* ``.attachments``: photos (``a.still-image`` to ``/pic/orig/<encoded url>``), videos and gifs
  (``video`` with ``poster``, ``src`` or ``data-url``); ``.card`` link previews; ``.quote``
  (``a.quote-link``, ``.quote-text``), or ``.quote.unavailable``;
* ``.timeline-item.unavailable``: a tweet Nitter could not show ("This tweet is unavailable").

A status page holds the conversation in page order (``.before-tweet``, ``.main-tweet``,
``.after-tweet``, then ``.replies``); timelines hold one item per tweet. Either way the
result is an :class:`Article`: every tweet in page order, runs of one author as threads. A
Nitter page never claims to show a whole thread ("more replies" are behind links), so, like
an article, it never marks a tweet removed in the archive.

One tweet is read by :mod:`threadkeep.parsing.nitter_tweet`, which also turns the instance's
proxied media urls back into Twitter's.
"""

from __future__ import annotations

from lxml import etree
from lxml.etree import _Element as Element

from threadkeep.limits import check_tweets
from threadkeep.models import Article, Thread, Tweet
from threadkeep.parsing.html import Ancestors, classes, has_class
from threadkeep.parsing.nitter_tweet import item_body, read_item
from threadkeep.parsing.shared import group_threads, meta, page_title
from threadkeep.urls import absolute_url

__all__ = ["nitter_items", "parse_nitter"]

# Tweets are items with a body; "more replies" and "show more" items have none.
_ITEMS = etree.XPath(
    "/descendant::div[contains(concat(' ', normalize-space(@class), ' '), ' timeline-item ')]"
)
_SITE_NAME = etree.XPath("normalize-space() = 'nitter'")
_DEFAULT_BASE = "https://nitter.net/"


def nitter_items(root: Element) -> list[Element] | None:
    """The items of a Nitter page with at least one tweet item, or None for any other page."""
    if not _has_markers(root):
        return None
    items: list[Element] = _ITEMS(root)
    if any(item_body(item) is not None or has_class(item, "unavailable") for item in items):
        return items
    return None


def _has_markers(root: Element) -> bool:
    """True when the page holds a Nitter tweet body (``div.tweet-body``, a ``div`` whose class
    starts ``tweet-content``) or Nitter's own site name (``a.site-name`` reading "nitter").

    The same test as the XPath ``(/descendant::div[@class = 'tweet-body' or
    starts-with(@class, 'tweet-content')] | /descendant::a[@class = 'site-name']
    [normalize-space() = 'nitter'])[1]``, read over the elements of the two tags (filtered in
    C): libxml2 walked the whole tree twice, testing each node's class there (an article of 400
    elements: 0.48 M instructions, the dearest of the detectors an article goes through).
    """
    for element in root.getroottree().getroot().iter("div", "a"):
        value = element.get("class")
        if value is None:
            continue
        if element.tag == "div":
            if value == "tweet-body" or value.startswith("tweet-content"):
                return True
        elif value == "site-name" and _SITE_NAME(element):
            return True
    return False


def parse_nitter(
    root: Element, *, url: str | None = None, items: list[Element] | None = None
) -> Article:
    """Every tweet of a Nitter page, in page order, as an :class:`Article`.

    On a status page, each tweet of the conversation carries the tweet it answers as
    ``in_reply_to`` (its id, url and author): the tweets above the main one answer each other
    in turn, the main one answers the last of them, and each reply block answers the main
    tweet, then the tweet before it in the block. ``items`` are :func:`nitter_items`, when the
    caller has them.
    """
    declared = meta(root, "og:url")
    page_url = url or (absolute_url(declared, None) if declared else None)
    base = page_url or _DEFAULT_BASE
    tweets: list[Tweet] = []
    blocks: list[Element | None] = []  # the thread block each tweet sits in
    seen: set[str] = set()
    main: Tweet | None = None
    previous: Tweet | None = None  # the tweet above in the same chain
    chain: Element | None = None
    # Ancestor lookups remembered across the tree: a page nested 250 deep with a hundred
    # thousand items costs a step per element, not 250 per item.
    enclosing = Ancestors(_holds_items)
    places = Ancestors(_is_place)
    mains = Ancestors(lambda node: has_class(node, "main-thread"))
    lines = Ancestors(lambda node: has_class(node, "thread-line"))
    for item in _ITEMS(root) if items is None else items:
        # Items inside a quote or inside another item are not Nitter's (it nests neither);
        # the outer item's reading leaves them out too.
        if enclosing.nearest(item) is not None:
            continue
        tweet = read_item(item, base)
        if tweet is None:
            continue
        block = places.nearest(item)
        place = _place_of(block)
        if place == "reply" and block is not chain:
            previous = main  # a reply block starts under the main tweet
        parent = previous if place is not None else None
        chain = block
        if parent is not None and parent.id is not None and tweet.in_reply_to is None:
            tweet = tweet.model_copy(update={"in_reply_to": _stub(parent)})
        if place is not None:
            previous = tweet
        if place == "main":
            main = tweet
        if tweet.id is not None:
            if tweet.id in seen:
                continue
            seen.add(tweet.id)
        tweets.append(tweet)
        block = mains.nearest(item)
        blocks.append(block if block is not None else lines.nearest(item))
        check_tweets(len(tweets))
    title = meta(root, "og:title") or page_title(root)
    return Article(
        url=page_url, title=title, tweets=tuple(tweets), threads=_threads(tweets, blocks)
    )


def _holds_items(node: Element) -> bool:
    return has_class(node, "quote") or has_class(node, "timeline-item")


def _threads(tweets: list[Tweet], blocks: list[Element | None]) -> tuple[Thread, ...]:
    """Runs of one author's tweets within each thread block (a profile's timeline is all one
    author's, but its tweets are not one thread)."""
    threads: list[Thread] = []
    start = 0
    for index in range(1, len(tweets) + 1):
        if index == len(tweets) or blocks[index] is not blocks[start]:
            if blocks[start] is not None:
                threads.extend(group_threads(tweets[start:index]))
            start = index
    return tuple(threads)


_PLACES = {
    "before-tweet": "before",
    "main-tweet": "main",
    "after-tweet": "after",
    "reply": "reply",
}
# A timeline or a conversation ends the search for a place: an item in a timeline has none.
_PLACE_CLASSES = frozenset({*_PLACES, "timeline", "conversation"})


def _is_place(node: Element) -> bool:
    return not _PLACE_CLASSES.isdisjoint(classes(node))


def _place_of(block: Element | None) -> str | None:
    """Where a block sits in a status page's conversation (None: in a timeline)."""
    if block is None:
        return None
    for name in classes(block):
        if name in _PLACES:
            return _PLACES[name]
    return None


def _stub(tweet: Tweet) -> Tweet:
    return Tweet(id=tweet.id, url=tweet.url, author=tweet.author)
