"""Tweets embedded in articles and blog posts: every variant of the embed markup seen in the wild.

``fixtures/provenance/MARKUP.md`` (section c) lists the variants. Handled here:

* ``blockquote.twitter-tweet`` / ``blockquote.twitter-video`` as publish.twitter.com writes
  them (2012–2024), read by :mod:`threadkeep.parsing.embed_blockquote`.
* Rendered embeds (``iframe[data-tweet-id]``, widget iframes whose ``src`` has ``id=``,
  ``twitter-widget``), AMP ``amp-twitter[data-tweetid]``: the id only.
* CMS wrappers (``figure.wp-block-embed-twitter``, ``div.embed-twitter``) holding a blockquote
  or only the bare status url, and paragraphs reduced to a bare status link by a script.
* Substack's own component, read by :mod:`threadkeep.parsing.substack`.
* Placeholders that carry only an id (``div.tweet-embed[data-tweet-id]``,
  ``div.embed-twitter[data-embed-id]``, …) and inline ``twttr.widgets.createTweet('ID', …)``
  calls, found by :mod:`threadkeep.parsing.embed_ids`. They are looked for apart from the
  candidates above and merged with them in page order: one more branch in the union would
  make libxml2 sort a larger node-set on every page.

A tweet that appears twice (a rendered iframe beside its blockquote, an AMP placeholder) is
reported once, with what each copy knew merged. A blockquote inside another is the outer
tweet's quoted tweet, not an embed of its own.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml.etree import _Element as Element

from threadkeep.limits import check_tweets
from threadkeep.models import Tweet, fill_missing, snowflake_time
from threadkeep.parsing.embed_blockquote import (
    is_tweet_blockquote,
    tweet_from_blockquote,
)
from threadkeep.parsing.embed_ids import (
    ALL_HINTS,
    holder_id,
    holder_status,
    id_holders,
    in_page_order,
    selected_elements,
    widget_call_ids,
    widget_scripts,
)
from threadkeep.parsing.html import Ancestors, classes, clean_text, element_text, node_text
from threadkeep.parsing.shared import known_tweet, make_author, text_entities
from threadkeep.parsing.shortcodes import MARKERS, shortcodes
from threadkeep.parsing.substack import (
    SUBSTACK_PATHS,
    is_substack_tweet,
    substack_tweet,
)
from threadkeep.urls import absolute_url, checked_id, query_id, status_parts, status_url

__all__ = ["find_embeds", "has_embeds", "has_standalone_embeds"]

_TWEET_CLASSES = "contains(@class, 'twitter-tweet') or contains(@class, 'twitter-video')"
_WRAPPERS = (
    "contains(@class, 'wp-block-embed-twitter') or contains(@class, 'embed-twitter')"
    " or contains(@class, 'is-provider-twitter')"
)
# Text holding a site generator's tweet notation ({% twitter … %}, {{< tweet … >}}, …).
_SHORTCODE_TEXTS = etree.XPath(
    "//text()[not(ancestor::script or ancestor::style or ancestor::code or ancestor::pre)]"
    f"[{' or '.join(f'contains(., {marker!r})' for marker in MARKERS)}]"
)
# Every attribute that may hold a status url (links, editors' data-url, frames' sources).
_STATUS_VALUES = etree.XPath("//@*[contains(., '/status')]")
# The kinds of candidate, never one union (`|`): libxml2 merges a union's node-sets comparing
# every node of one with every node of the other, quadratic in the number of embeds when two
# sets grow with it (a blockquote and its attribution `<p>` with the status link, as WordPress
# writes them). Nor one walk each: _candidates reads them in one walk over their tags'
# elements, and only the paragraphs and Substack's name by XPath.
_BLOCKQUOTES = f"/descendant::blockquote[{_TWEET_CLASSES} or @data-tweet-id]"
_WIDGETS = ("/descendant::amp-twitter", "/descendant::twitter-widget")
# The quick check: the first of each kind that surely is an embed (blockquotes aside).
_FIRST_EMBEDS = tuple(
    etree.XPath(f"({path})[1]")
    for path in ("/descendant::iframe[@data-tweet-id]", *_WIDGETS, *SUBSTACK_PATHS)
)
_CANDIDATE_PATHS = (
    _BLOCKQUOTES,
    "/descendant::iframe[@data-tweet-id or contains(@src, 'platform.twitter.com/embed')]",
    *_WIDGETS,
    "/descendant::twitterwidget",
    f"/descendant::div[@data-tweet-id or {_WRAPPERS}]",
    *SUBSTACK_PATHS,
    f"/descendant::figure[{_WRAPPERS}]",
    "/descendant::p[a[contains(@href, '/status')] or contains(., '/status')]",
)
"""Every kind of candidate, as XPath: what :func:`_candidates` finds (one walk each, these
were; the tests' oracle is their union)."""
_ARCHIVE_CHROME = ("wm-ipp-base", "wm-ipp", "donato", "wm-ipp-print")
_WRAPPER_WORDS = ("wp-block-embed-twitter", "embed-twitter", "is-provider-twitter")
_XML_SPACE = re.compile(r"[ \t\r\n]+")  # what XPath's normalize-space() collapses


def has_embeds(root: Element) -> bool:
    """True when the page holds at least one tweet embed (quick check). Blockquotes, the
    usual kind, are read in page order up to the first embed (:data:`_BLOCKQUOTES`, as
    :func:`_is_candidate` reads it): libxml2 walks the whole tree before taking a path's
    first node, which costs more per node as the tree grows past the processor's caches."""
    page = root.getroottree().getroot()
    if any(_is_candidate(element) for element in page.iter("blockquote")):
        return True
    return any(first(root) for first in _FIRST_EMBEDS)


def _candidates(root: Element) -> list[Element]:
    """Every element that may hold or name an embedded tweet, in page order: one walk over
    the elements of the candidates' tags (filtered in C) and two XPaths, where each kind of
    candidate was a walk of its own. Eleven walks cost more than the page's parse, and each
    walk of a tree too large for the processor's caches costs more per node."""
    # Two kinds are left to libxml2: a paragraph's text is read faster there, and Substack's
    # component may be any element.
    status_blocks = set(_STATUS_BLOCKS(root))
    page = root.getroottree().getroot()
    found = [
        element
        for element in page.iter(*_CANDIDATE_TAGS)
        if (element in status_blocks if element.tag == "p" else _is_candidate(element))
    ]
    components = selected_elements(_COMPONENTS, root)
    return in_page_order(root, [found, components]) if components else found


def _class_words(element: Element) -> list[str]:
    """The class attribute's words, as ``contains(concat(' ', normalize-space(@class), ' '),
    ' word ')`` reads them."""
    return _XML_SPACE.split(element.get("class") or "")


def _is_wrapper(element: Element) -> bool:
    names = element.get("class") or ""
    return any(word in names for word in _WRAPPER_WORDS)


def _is_tweet_div(element: Element) -> bool:
    """Substack's component without its name (:data:`SUBSTACK_PATHS`)."""
    names = element.get("class") or ""
    if "tweet" not in names and "twitter-embed" not in names:
        return False  # most divs: neither word can be among the classes
    words = _XML_SPACE.split(names)
    if element.get("data-attrs") is not None and ("tweet" in words or "twitter-embed" in words):
        return True
    return "tweet" in words and any(
        child.tag == "a" and "tweet-link-top" in _class_words(child) for child in element
    )


def _is_candidate(element: Element) -> bool:
    """One of :data:`_CANDIDATE_PATHS` selects the element (but Substack's named component)."""
    tag = element.tag
    if tag == "blockquote":
        names = element.get("class") or ""
        return (
            "twitter-tweet" in names
            or "twitter-video" in names
            or element.get("data-tweet-id") is not None
        )
    if tag == "iframe":
        return element.get("data-tweet-id") is not None or (
            "platform.twitter.com/embed" in (element.get("src") or "")
        )
    if tag == "div":
        return (
            element.get("data-tweet-id") is not None
            or _is_wrapper(element)
            or _is_tweet_div(element)
        )
    if tag == "figure":
        return _is_wrapper(element)
    return tag in _BARE_CANDIDATES


_BARE_CANDIDATES = frozenset({"amp-twitter", "twitter-widget", "twitterwidget"})
_CANDIDATE_TAGS = ("blockquote", "iframe", "div", "figure", "p", *_BARE_CANDIDATES)
_STATUS_BLOCKS = etree.XPath(_CANDIDATE_PATHS[-1])
_COMPONENTS = etree.XPath(SUBSTACK_PATHS[0])


def _in_thread_reader_tweet(element: Element) -> bool:
    names = classes(element)
    return "entity-embed" in names or "content-tweet" in names


def has_standalone_embeds(root: Element) -> bool:
    """True when an embed stands on its own, not inside a Thread Reader tweet."""
    tweets = Ancestors(_in_thread_reader_tweet)
    return any(
        element.tag not in ("p", "figure", "div") and tweets.nearest(element) is None
        for element in _candidates(root)
    )


def _is_chrome(element: Element) -> bool:
    """A web archive's toolbar, or a script template: not the page's content."""
    return element.get("id") in _ARCHIVE_CHROME or element.tag in ("script", "template")


def _names_a_tweet(element: Element) -> bool:
    return element.tag != "script" and holder_id(element) is not None


def _is_block(element: Element) -> bool:
    """A paragraph or CMS wrapper that may hold a bare status link."""
    return element.tag in ("p", "figure") or (
        element.tag == "div" and not element.get("data-tweet-id")
    )


def _with_id_only_embeds(
    root: Element, candidates: list[Element], hints: frozenset[str]
) -> list[Element]:
    """The candidates, and the id-only placeholders and widget scripts not among them, in
    page order (placeholders are rare: most pages pay one walk of the tree at most)."""
    known = set(candidates)
    extra = [e for e in id_holders(root, hints) if e not in known]
    return in_page_order(root, [candidates, extra, widget_scripts(root)])


def find_embeds(
    root: Element, *, base: str | None, hints: frozenset[str] = ALL_HINTS
) -> list[Tweet]:
    """Every tweet embedded in the page, in page order, each once. ``hints``: the rarer embed
    families the page's bytes may hold (:func:`~threadkeep.parsing.embed_ids.page_hints`);
    by default every one is looked for."""
    order: list[str] = []  # keys in first-seen order
    found: dict[str, Tweet] = {}
    candidates = _with_id_only_embeds(root, _candidates(root), hints)
    chrome = Ancestors(_is_chrome)
    quotes = Ancestors(is_tweet_blockquote)
    named = Ancestors(_names_a_tweet)  # a placeholder inside another is the outer one's quote
    # A block holding another is skipped: the innermost is read, once (nested blocks read
    # whole at every level took time quadratic in the nesting).
    blocks = {e for e in candidates if _is_block(e)}
    around = Ancestors(blocks.__contains__)
    holders = {around.nearest(e) for e in blocks}
    read = 0  # copies read, before merging: a page of one embed a million times stops too
    for element in candidates:
        if chrome.nearest(element) is not None or element in holders:
            continue
        if quotes.nearest(element) is not None:
            continue  # links, frames and quotes inside an embed belong to it
        if _names_a_tweet(element) and named.nearest(element) is not None:
            continue  # (a blockquote inside a placeholder is read: it has the text)
        for tweet in _read_element(element, base, quotes):
            read += 1
            check_tweets(read)
            key = tweet.id or f"text:{tweet.text}"
            if key in found:
                found[key] = fill_missing(found[key], tweet)
            else:
                order.append(key)
                found[key] = tweet
    if "notations" in hints:
        _add_shortcodes(root, found, order)
    tweets = [found[key] for key in order]
    if any(tweet.author is None and tweet.id for tweet in tweets):
        tweets = _named_authors(root, tweets)
    return tweets


def _add_shortcodes(root: Element, found: dict[str, Tweet], order: list[str]) -> None:
    """The tweets a source names in its site generator's notation, left as text by its
    markup (``{% twitter … %}`` in a post that is otherwise HTML), after the embeds."""
    for text in _SHORTCODE_TEXTS(root):
        for code in shortcodes(str(text)):
            if code.tweet_id not in found:
                order.append(code.tweet_id)
                found[code.tweet_id] = _id_only(code.tweet_id, code.handle)


def _named_authors(root: Element, tweets: list[Tweet]) -> list[Tweet]:
    """Id-only tweets with the author a status link elsewhere on the page names for the
    same id (a prose link "see the tweet from …", an editor's ``data-url``): an id is one
    tweet, so a link written with its handle names its author. Two handles for one id
    name none."""
    handles: dict[str, dict[str, str]] = {}  # id -> lower-cased handle -> as written
    for value in _STATUS_VALUES(root):
        parts = status_parts(str(value))
        if parts is not None and parts[0] is not None:
            handles.setdefault(parts[1], {})[parts[0].lower()] = parts[0]
    named = []
    for tweet in tweets:
        known = list(handles.get(tweet.id or "", {}).values())
        if tweet.author is None and tweet.id and len(known) == 1:
            author = make_author(known[0], None)
            tweet = tweet.model_copy(
                update={"author": author, "url": status_url(known[0], tweet.id)}
            )
        named.append(tweet)
    return named


def _read_element(element: Element, base: str | None, quotes: Ancestors) -> list[Tweet]:
    if element.tag == "script":  # a widget call: every id it passes, in order
        return [_id_only(tweet_id) for tweet_id in widget_call_ids(element)]
    tweet = _read_candidate(element, base, quotes)
    return [] if tweet is None else [tweet]


def _id_only(tweet_id: str, handle: str | None = None) -> Tweet:
    return known_tweet(tweet_id, make_author(handle) if handle else None)


def _read_candidate(element: Element, base: str | None, quotes: Ancestors) -> Tweet | None:
    tag = element.tag
    if is_substack_tweet(element):
        return substack_tweet(element, base)
    if tag == "blockquote" and element.get("data-tweet-id") and not is_tweet_blockquote(element):
        # A widget rendered before 2017, saved with the page: `blockquote.Tweet` holding the
        # tweet in microformat classes (`Tweet-text`, `TweetAuthor-screenName`, `time`).
        return _from_id_holder(element, base)
    if tag == "blockquote":
        return tweet_from_blockquote(element, base=base, quotes=quotes)
    if tag == "amp-twitter":
        # AMP pages keep the embed's blockquote inside as the placeholder shown until the
        # widget loads: it has the text, author and date the attribute does not.
        holder = _from_id_holder(element, base)
        inner = element.find(".//blockquote")
        shown = None
        if inner is not None:
            shown = tweet_from_blockquote(inner, base=base, quotes=quotes)
        if shown is not None and (holder is None or shown.id in (None, holder.id)):
            return fill_missing(shown, holder) if holder is not None else shown
        return holder
    if tag in ("iframe", "twitter-widget", "twitterwidget") or (
        tag == "div" and element.get("data-tweet-id")
    ):
        return _from_id_holder(element, base)
    if tag in ("figure", "div"):
        if element.find(".//blockquote") is not None or element.find(".//iframe") is not None:
            return None  # the blockquote or frame inside is read on its own
        if holder_id(element):  # a CMS wrapper naming its tweet: div.embed-twitter[data-embed-id]
            return _from_id_holder(element, base)
        return _from_bare_link(element, base)
    if tag == "p" and not holder_id(element):
        return _from_bare_link(element, base)
    return _from_id_holder(element, base) if holder_id(element) else None


# Widgets rendered before 2017 kept the tweet in the page's own DOM (not a shadow root):
# microformat classes name its parts.
_RENDERED_TEXT = etree.XPath(
    ".//*[contains(@class, 'e-entry-title') or contains(@class, 'Tweet-text')]"
)
_RENDERED_NAME = etree.XPath(".//*[contains(@class, 'TweetAuthor-name')]")
_RENDERED_HANDLE = etree.XPath(".//*[contains(@class, 'TweetAuthor-screenName')]")
_RENDERED_TIME = etree.XPath(".//time")


def _from_id_holder(element: Element, base: str | None) -> Tweet | None:
    tweet_id = holder_id(element)
    if not tweet_id and _is_tweet_widget(element.get("src")):
        tweet_id = query_id(element.get("src"))
    if not checked_id(tweet_id):
        return None
    texts = _RENDERED_TEXT(element)
    handle_text = clean_text(node_text(h[0])) if (h := _RENDERED_HANDLE(element)) else ""
    handle = handle_text.lstrip("@") or _linked_handle(element, tweet_id, base)
    name = clean_text(node_text(n[0])) if (n := _RENDERED_NAME(element)) else None
    times = _RENDERED_TIME(element)
    text = element_text(texts[0]) if texts else None
    tags, mentions = text_entities(text)
    return Tweet(
        id=tweet_id,
        url=status_url(handle, tweet_id),
        author=make_author(handle, name or None) if handle else None,
        text=text or None,
        created_at=snowflake_time(tweet_id),
        date_text=clean_text(node_text(times[0])) or None if times else None,
        hashtags=tuple(tags),
        mentions=tuple(mentions),
    )


def _linked_handle(element: Element, tweet_id: str | None, base: str | None) -> str | None:
    """The author a placeholder link names (``a.tweet-embed[data-tweet-id][href=…/status/ID]``)
    or a component's status url, when that status url is the tweet's own."""
    parts = status_parts(absolute_url(element.get("href"), base)) if element.tag == "a" else None
    parts = parts or holder_status(element)
    return parts[0] if parts is not None and parts[1] == tweet_id else None


# Widget pages that hold no tweet: a timeline's or a button's `id=` names an account or list.
_NOT_TWEET_WIDGETS = ("timeline", "button", "follow")


def _is_tweet_widget(src: str | None) -> bool:
    path = (src or "").split("?", 1)[0].lower()
    return bool(path) and not any(word in path for word in _NOT_TWEET_WIDGETS)


def _caption_free_text(element: Element) -> tuple[str, list[Element]]:
    """The text and links of ``element`` outside its ``<figcaption>``s (a WordPress embed
    keeps the url in its wrapper and the editor's caption beside it)."""
    pieces = [element.text or ""]
    anchors: list[Element] = []
    for child in element:
        if child.tag != "figcaption":
            pieces.append(node_text(child) if isinstance(child.tag, str) else "")
            anchors.extend(child.iter("a"))
        pieces.append(child.tail or "")
    return clean_text("".join(pieces)), anchors


def _from_bare_link(element: Element, base: str | None) -> Tweet | None:
    """A block whose whole text is one status url (WordPress auto-embeds, stripped scripts)."""
    text, anchors = _caption_free_text(element)
    url = None
    if " " not in text and text.startswith(("http://", "https://")) and status_parts(text):
        url = absolute_url(text, base)  # the whole text is one status url
    elif len(anchors) == 1 and clean_text(node_text(anchors[0])) == text and text:
        href = absolute_url(anchors[0].get("href"), base)
        if href and _looks_like_url(text):
            url = href
    parts = status_parts(url)
    if parts is None:
        return None
    handle, tweet_id = parts
    return known_tweet(tweet_id, make_author(handle) if handle else None)


def _looks_like_url(text: str) -> bool:
    return text.startswith(("http://", "https://", "twitter.com/", "x.com/", "www."))
