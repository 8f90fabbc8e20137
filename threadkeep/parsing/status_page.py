"""twitter.com status pages: a tweet's permalink page as the server sent it (and the web archive
kept it), with the conversation above it and the replies below.

The web archive holds millions of captures of ``twitter.com/<handle>/status/<id>``, often the
only copy of a deleted tweet. Until 2020 the server rendered the tweets into the page; two
templates are read here (the tweets themselves by :mod:`threadkeep.parsing.status_tweet`):

* **the desktop site, 2013-2020**: inside ``div.permalink[role=main]``, the conversation above
  in ``.permalink-in-reply-tos`` (``#ancestors``; the tweet answered is named by
  ``data-replied-tweet-id``), the permalink tweet ``div.permalink-tweet[data-tweet-id]`` in
  ``.permalink-tweet-container``, and the replies in ``.replies-to`` (``#descendants``): each
  ``li.ThreadedConversation`` a chain of replies, each answering the one above it (the first,
  the permalink tweet), a lone reply (``ThreadedConversation--loneTweet``) answering the
  permalink tweet;
* **the legacy mobile site** (mobile.twitter.com): ``table.main-tweet`` holding
  ``div.tweet-text[data-id]``, the tweets above in ``.timeline.inreplytos`` and the replies in
  ``.timeline.replies``, each reply answering the main tweet.

The 2010-2012 desktop layout (``#permalink``, ``.entry-content``) is not read: no real copy of
it was found to build from. From 2020 the site is a script that builds the page in the
browser: a capture holds a ``<noscript>`` "JavaScript is not available." and no tweet, and is
refused (:class:`~threadkeep.UnsupportedPage`) saying so.

Like a Nitter status page (:mod:`threadkeep.parsing.nitter`), the result is an
:class:`Article`: every tweet in page order (the conversation above, the permalink tweet, the
replies), runs of one author as threads, each tweet's ``in_reply_to`` where the page places
it. A status page shows a chosen part of a conversation ("View other replies", "Show more"),
never claims a whole thread, and so never marks a tweet removed in the archive. Counts
(retweets, likes) are left out, as everywhere in threadkeep. A web-archive copy reads the same
(links rewritten to ``/web/…/https://twitter.com/…`` are restored to the original urls).
The Article's url is the status url the page names (``og:url``, its canonical link), not the
one it was fetched under (``i/web/status``, ``?lang=``): every copy of one page is one document.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree
from lxml.etree import _Element as Element

from threadkeep.errors import UnsupportedPage
from threadkeep.limits import check_tweets
from threadkeep.models import Article, Tweet
from threadkeep.parsing.html import classes, has_class
from threadkeep.parsing.inputs import Input
from threadkeep.parsing.shared import canonical_url, group_threads, known_tweet, meta, page_title
from threadkeep.parsing.status_tweet import page_url_of, read_desktop_tweet, read_mobile_tweet
from threadkeep.urls import checked_id, status_parts

__all__ = ["StatusPage", "find_status_page", "parse_status_page"]

# The bytes looked for before any tree search: every page is checked, few are status pages.
# Twitter's pages name its asset host (abs.twimg.com, ma.twimg.com) in their first kilobytes,
# a web-archive copy too (``/web/…/https://abs.twimg.com/…``): most pages are passed over after
# one look at their start.
_HEAD = 131072
_SITE = b"twimg.com"
_MARKS = (b"permalink-tweet", b"main-tweet", b"JavaScript is not available")

_DESKTOP_MAIN = etree.XPath(
    "/descendant::div[@data-tweet-id]"
    "[contains(concat(' ', normalize-space(@class), ' '), ' permalink-tweet ')][1]"
)
_MOBILE_MAIN = etree.XPath(
    "/descendant::table[contains(concat(' ', normalize-space(@class), ' '), ' main-tweet ')]"
    "[descendant::div[@data-id][contains(concat(' ', normalize-space(@class), ' '),"
    " ' tweet-text ')]][1]"
)
_DESKTOP_TWEETS = etree.XPath(
    ".//div[@data-tweet-id][contains(concat(' ', normalize-space(@class), ' '), ' tweet ')]"
)
_MOBILE_TEXTS = etree.XPath(
    "/descendant::div[@data-id][contains(concat(' ', normalize-space(@class), ' '),"
    " ' tweet-text ')]"
)
_NO_SCRIPT = etree.XPath(
    "/descendant::noscript[descendant::h1[starts-with(normalize-space(),"
    " 'JavaScript is not available')]][descendant::img[contains(@src, 'twimg.com/errors/')]][1]"
)
_DEFAULT_BASE = "https://twitter.com/"


@dataclass(frozen=True, slots=True)
class StatusPage:
    """A status page found by :func:`find_status_page`: its tree, its template, its main tweet."""

    root: Element
    layout: str  # "desktop" or "mobile"
    main: Element


def find_status_page(page: Input) -> StatusPage | None:
    """The status page ``page`` is, or None for any other page.

    Raises :class:`UnsupportedPage` for a capture of the script-only site (2020 on), which
    holds no tweet.
    """
    raw = page.raw
    if raw.find(_SITE, 0, _HEAD) < 0 or not any(mark in raw for mark in _MARKS):
        return None
    root = page.root
    main = _DESKTOP_MAIN(root)
    if main:
        return StatusPage(root, "desktop", main[0])
    main = _MOBILE_MAIN(root)
    if main:
        return StatusPage(root, "mobile", main[0])
    if _NO_SCRIPT(root):
        raise UnsupportedPage(
            "a twitter.com page of the script-only site (2020 on): the copy holds no tweet,"
            " only its <noscript> 'JavaScript is not available'"
        )
    return None


def parse_status_page(found: StatusPage, *, url: str | None = None) -> Article:
    """Every tweet of a status page, in page order, as an :class:`Article` (see the module)."""
    root = found.root
    declared = page_url_of(meta(root, "og:url") or canonical_url(root), _DEFAULT_BASE)
    page_url = url or declared
    base = page_url or _DEFAULT_BASE
    desktop = found.layout == "desktop"
    placed = _desktop(found.main, base) if desktop else _mobile(found.root, base)
    tweets = _link_replies(placed, found)
    main = next((t for t, place, _ in placed if place == "main"), None)
    named = status_parts(declared)
    if named is not None and main is not None and named[1] == main.id:
        # The page's own url for its tweet, whichever url it was fetched under (i/web/status,
        # ?lang=, a web-archive capture's): every copy of one status page is one document.
        page_url = declared
    if page_url is None:  # no canonical link (a copy cut short): the permalink tweet's url
        page_url = main.url if main is not None else None
    title = meta(root, "og:title") or page_title(root)
    return Article(url=page_url, title=title, tweets=tuple(tweets), threads=group_threads(tweets))


# (tweet, place, block): place is "before", "main" or "reply"; block, the reply chain it is in.
_Placed = tuple[Tweet, str, Element | None]


def _desktop(main: Element, base: str) -> list[_Placed]:
    placed: list[_Placed] = []
    for element in _DESKTOP_TWEETS(main.getroottree().getroot()):
        place, block = _desktop_place(element, main)
        if place is None:
            continue
        placed.append((read_desktop_tweet(element, base), place, block))
        check_tweets(len(placed))
    return placed


def _desktop_place(element: Element, main: Element) -> tuple[str | None, Element | None]:
    """Where a tweet sits: above the permalink tweet, the permalink tweet, or in the replies
    (with the reply chain it is in); None for a tweet inside another (a quote, a tweet nested
    in a tweet: read with it) or elsewhere on the page (a profile timeline behind the
    overlay). One walk up the tree."""
    if element is main:
        return "main", None
    block = None
    for ancestor in element.iterancestors():
        names = classes(ancestor)
        if "QuoteTweet" in names or ancestor.get("data-tweet-id") is not None:
            return None, None
        if block is None and ancestor.tag == "li" and "ThreadedConversation" in names:
            block = ancestor
        if "permalink-in-reply-tos" in names or ancestor.get("id") == "ancestors":
            return "before", None
        if "replies-to" in names or ancestor.get("id") == "descendants":
            return "reply", block
    return None, None


def _mobile(root: Element, base: str) -> list[_Placed]:
    placed: list[_Placed] = []
    for text_node in _MOBILE_TEXTS(root):
        box = next((a for a in text_node.iterancestors("table")), None)
        if box is None:
            continue
        place = None
        if has_class(box, "main-tweet"):
            place = "main"
        else:
            for ancestor in box.iterancestors():
                if has_class(ancestor, "inreplytos"):
                    place = "before"
                elif has_class(ancestor, "replies"):
                    place = "reply"
                if place is not None:
                    break
        if place is None:
            continue
        placed.append((read_mobile_tweet(text_node, box, base), place, box))
        check_tweets(len(placed))
    return placed


def _link_replies(placed: list[_Placed], found: StatusPage) -> list[Tweet]:
    """The tweets with ``in_reply_to`` where the page places them: each tweet above answers
    the one before it, the main tweet the last of them (or the tweet the page names), a reply
    the one above it in its chain, the first of a chain the main tweet. Duplicates (a tweet
    shown twice) are kept once."""
    tweets: list[Tweet] = []
    seen: set[str] = set()
    main = next((t for t, place, _ in placed if place == "main"), None)
    previous: Tweet | None = None
    chain: Element | None = None
    for tweet, place, block in placed:
        parent: Tweet | None
        if place == "before":
            parent = previous
        elif place == "main":
            parent = previous or _named_parent(found)
        else:
            parent = previous if block is not None and block is chain else main
            chain = block
        if parent is not None and parent.id is not None and parent.id != tweet.id:
            tweet = tweet.model_copy(update={"in_reply_to": known_tweet(parent.id, parent.author)})
        previous = tweet
        if tweet.id is not None:
            if tweet.id in seen:
                continue
            seen.add(tweet.id)
        tweets.append(tweet)
    return tweets


def _named_parent(found: StatusPage) -> Tweet | None:
    """The tweet the page says its main tweet answers, when it shows none above it."""
    if found.layout != "desktop":
        return None
    for node in found.root.iter("div"):
        ident = checked_id(node.get("data-replied-tweet-id"))
        if ident is not None and has_class(node, "in-reply-to"):
            return known_tweet(ident)
    return None
