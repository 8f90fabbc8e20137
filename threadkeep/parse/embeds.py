"""Tweets embedded in articles and blog posts: every variant of the embed markup seen in the wild.

``../shared/samples/MARKUP.md`` (section c) lists the variants. Handled here:

* ``blockquote.twitter-tweet`` / ``blockquote.twitter-video`` as publish.twitter.com writes
  them (2012–2024): the text in one or more ``<p>`` (``lang``/``dir`` in either order, or no
  ``<p>`` at all), then "— Name (@handle)" and a link to the status whose text is the date.
  The dash may be ``&mdash;``, a literal "—", a hyphen, or the mojibake "â€”"; WordPress
  moves the attribution into a ``<p>`` of its own; dates may be broken over lines.
* Rendered embeds (``iframe[data-tweet-id]``, widget iframes whose ``src`` has ``id=``,
  ``twitter-widget``), AMP ``amp-twitter[data-tweetid]``: the id only.
* CMS wrappers (``figure.wp-block-embed-twitter``, ``div.embed-twitter``) holding a blockquote
  or only the bare status url, and paragraphs reduced to a bare status link by a script.

A tweet that appears twice (a rendered iframe beside its blockquote, an AMP placeholder) is
reported once, with what each copy knew merged. A blockquote inside another is the outer
tweet's quoted tweet, not an embed of its own.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml.etree import _Element as Element

from threadkeep.limits import MAX_QUOTE_DEPTH, check_tweets
from threadkeep.models import Author, Link, Media, Tweet, fill_missing, snowflake_time
from threadkeep.parse.dates import parse_date
from threadkeep.parse.html import Ancestors, clean_text, element_text, node_text, text_entities
from threadkeep.parse.substack import COMPONENT, is_substack_tweet, substack_tweet
from threadkeep.urls import absolute_url, status_parts, status_url
from threadkeep.urls import tweet_id as valid_id

__all__ = ["find_embeds", "has_embeds", "has_standalone_embeds", "tweet_from_blockquote"]

_TWEET_CLASSES = "contains(@class, 'twitter-tweet') or contains(@class, 'twitter-video')"
_WRAPPERS = (
    "contains(@class, 'wp-block-embed-twitter') or contains(@class, 'embed-twitter')"
    " or contains(@class, 'is-provider-twitter')"
)
# One pass, page order. Name tests in the steps keep libxml2 fast (see trapage._HEADINGS).
_CANDIDATES = etree.XPath(
    f"/descendant::blockquote[{_TWEET_CLASSES}]"
    " | /descendant::iframe[@data-tweet-id or contains(@src, 'platform.twitter.com/embed')]"
    " | /descendant::amp-twitter | /descendant::twitter-widget | /descendant::twitterwidget"
    " | /descendant::div[@data-tweet-id] | /descendant::blockquote[@data-tweet-id]"
    f" | /descendant::*[@data-component-name = '{COMPONENT}']"
    f" | /descendant::figure[{_WRAPPERS}] | /descendant::div[{_WRAPPERS}]"
    " | /descendant::p[a[contains(@href, '/status')]] | /descendant::p[contains(., '/status')]"
)
_ANY_EMBED = etree.XPath(
    f"(/descendant::blockquote[{_TWEET_CLASSES}] | /descendant::amp-twitter"
    " | /descendant::iframe[@data-tweet-id] | /descendant::twitter-widget"
    " | /descendant::blockquote[@data-tweet-id]"
    f" | /descendant::*[@data-component-name = '{COMPONENT}'])[1]"
)
_ARCHIVE_CHROME = ("wm-ipp-base", "wm-ipp", "donato", "wm-ipp-print")

_DASH = r"(?:—|–|&mdash;|â€”|â€“|-{1,2})"
_DASH_RE = re.compile(_DASH)
_STRONG_DASH_RE = re.compile(r"(?:—|–|&mdash;|â€”|â€“)")
_HANDLE_RE = re.compile(r"\(\s*@(\w+)\s*\)")
_STARTS_WITH_DASH_RE = re.compile(rf"^\s*{_DASH}")
_BARE_STATUS_RE = re.compile(r"^(https?://\S+/status(?:es)?/\d+\S*)$")


class _Attribution:
    """ "— Name (@handle)" in an embed's text: where it starts, the name and the handle."""

    __slots__ = ("handle", "name", "start")

    def __init__(self, start: int, name: str, handle: str) -> None:
        self.start, self.name, self.handle = start, name, handle


def _attribution(text: str) -> _Attribution | None:
    """The attribution: the *last* "(@handle)" (display names may contain "(") and the first
    dash before it. Two linear scans: one regex for both backtracked in quadratic time."""
    last = None
    for last in _HANDLE_RE.finditer(text):  # noqa: B007 (the last one is wanted)
        pass
    if last is None or len(last[1]) > 20:
        return None
    # The last em or en dash before the handle: the text may hold " - " of its own ("… it's
    # bad" - @housecor), and names may hold hyphens ("Jean-Pierre"). Only with no such dash,
    # the first hyphen run ("-- Name (@handle)").
    dash = None
    for dash in _STRONG_DASH_RE.finditer(text, 0, last.start()):  # noqa: B007 (the last)
        pass
    if dash is None:
        dash = _DASH_RE.search(text, 0, last.start())
    if dash is None:
        return None
    return _Attribution(dash.start(), text[dash.end() : last.start()].strip(), last[1])


def has_embeds(root: Element) -> bool:
    """True when the page holds at least one tweet embed (quick check)."""
    return bool(_ANY_EMBED(root))


def _in_thread_reader_tweet(element: Element) -> bool:
    classes = (element.get("class") or "").split()
    return "entity-embed" in classes or "content-tweet" in classes


def has_standalone_embeds(root: Element) -> bool:
    """True when an embed stands on its own, not inside a Thread Reader tweet."""
    tweets = Ancestors(_in_thread_reader_tweet)
    return any(
        element.tag not in ("p", "figure", "div") and tweets.nearest(element) is None
        for element in _CANDIDATES(root)
    )


def _is_chrome(element: Element) -> bool:
    """A web archive's toolbar, or a script template: not the page's content."""
    return element.get("id") in _ARCHIVE_CHROME or element.tag in ("script", "template")


def _is_tweet_class(element: Element) -> bool:
    classes = (element.get("class") or "").split()
    return "twitter-tweet" in classes or "twitter-video" in classes


def _is_tweet_blockquote(element: Element) -> bool:
    return element.tag == "blockquote" and _is_tweet_class(element)


def _is_block(element: Element) -> bool:
    """A paragraph or CMS wrapper that may hold a bare status link."""
    return element.tag in ("p", "figure") or (
        element.tag == "div" and not element.get("data-tweet-id")
    )


def find_embeds(root: Element, *, base: str | None) -> list[Tweet]:
    """Every tweet embedded in the page, in page order, each once."""
    order: list[str] = []  # keys in first-seen order
    found: dict[str, Tweet] = {}
    candidates = _CANDIDATES(root)
    chrome = Ancestors(_is_chrome)
    quotes = Ancestors(_is_tweet_blockquote)
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
        tweet = _read_candidate(element, base, quotes)
        if tweet is None:
            continue
        read += 1
        check_tweets(read)
        key = tweet.id or f"text:{tweet.text}"
        if key in found:
            found[key] = fill_missing(found[key], tweet)
        else:
            order.append(key)
            found[key] = tweet
    return [found[key] for key in order]


def _read_candidate(element: Element, base: str | None, quotes: Ancestors) -> Tweet | None:
    tag = element.tag
    if is_substack_tweet(element):
        return substack_tweet(element, base)
    if tag == "blockquote" and element.get("data-tweet-id") and not _is_tweet_blockquote(element):
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
    if tag in ("iframe", "amp-twitter", "twitter-widget", "twitterwidget") or (
        tag == "div" and element.get("data-tweet-id")
    ):
        return _from_id_holder(element, base)
    if tag in ("figure", "div"):
        if element.find(".//blockquote") is not None or element.find(".//iframe") is not None:
            return None  # the blockquote or frame inside is read on its own
        return _from_bare_link(element, base)
    return _from_bare_link(element, base) if tag == "p" else None


# Widgets rendered before 2017 kept the tweet in the page's own DOM (not a shadow root):
# microformat classes name its parts.
_RENDERED_TEXT = etree.XPath(
    ".//*[contains(@class, 'e-entry-title') or contains(@class, 'Tweet-text')]"
)
_RENDERED_NAME = etree.XPath(".//*[contains(@class, 'TweetAuthor-name')]")
_RENDERED_HANDLE = etree.XPath(".//*[contains(@class, 'TweetAuthor-screenName')]")
_RENDERED_TIME = etree.XPath(".//time")


def _from_id_holder(element: Element, base: str | None) -> Tweet | None:
    tweet_id = element.get("data-tweet-id") or element.get("data-tweetid") or element.get("data-id")
    if not tweet_id:
        src = element.get("src") or ""
        match = re.search(r"[?&]id=([0-9]{1,20})", src)
        tweet_id = match.group(1) if match else None
    if not valid_id(tweet_id):
        return None
    texts = _RENDERED_TEXT(element)
    handle_text = clean_text(node_text(h[0])) if (h := _RENDERED_HANDLE(element)) else ""
    handle = handle_text.lstrip("@") or None
    name = clean_text(node_text(n[0])) if (n := _RENDERED_NAME(element)) else None
    times = _RENDERED_TIME(element)
    text = element_text(texts[0]) if texts else None
    tags, mentions = text_entities(text)
    return Tweet(
        id=tweet_id,
        url=status_url(handle, tweet_id),
        author=Author(handle=handle, name=name or None, url=f"https://twitter.com/{handle}")
        if handle
        else None,
        text=text or None,
        created_at=snowflake_time(tweet_id),
        date_text=clean_text(node_text(times[0])) or None if times else None,
        hashtags=tuple(tags),
        mentions=tuple(mentions),
    )


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
    # One token or nothing: on text with spaces the pattern backtracked in quadratic time.
    match = _BARE_STATUS_RE.match(text) if " " not in text else None
    url = None
    if match:
        url = absolute_url(match.group(1), base)
    elif len(anchors) == 1 and clean_text(node_text(anchors[0])) == text and text:
        href = absolute_url(anchors[0].get("href"), base)
        if href and _looks_like_url(text):
            url = href
    parts = status_parts(url)
    if parts is None:
        return None
    handle, tweet_id = parts
    return Tweet(
        id=tweet_id,
        url=status_url(handle, tweet_id),
        author=Author(handle=handle, url=f"https://twitter.com/{handle}") if handle else None,
        created_at=snowflake_time(tweet_id),
    )


def _looks_like_url(text: str) -> bool:
    return text.startswith(("http://", "https://", "twitter.com/", "x.com/", "www."))


_Anchor = tuple[Element, "str | None", "tuple[str | None, str] | None"]


def _anchors(blockquote: Element, base: str | None) -> list[_Anchor]:
    """Every link in the embed with its absolute url and status parts, resolved once."""
    found: list[_Anchor] = []
    for anchor in blockquote.iter("a"):
        href = absolute_url(anchor.get("href"), base)
        found.append((anchor, href, status_parts(href)))
    return found


def _status_link(anchors: list[_Anchor]) -> tuple[Element, str | None, str] | None:
    """The last link to a status: its element, handle and id (the date link)."""
    for anchor, _, parts in reversed(anchors):
        if parts is not None:
            return anchor, parts[0], parts[1]
    return None


def tweet_from_blockquote(
    blockquote: Element,
    *,
    base: str | None,
    depth: int = 0,
    quotes: Ancestors | None = None,
) -> Tweet | None:
    """Read one ``blockquote.twitter-tweet`` (or ``twitter-video``) into a :class:`Tweet`.

    ``depth`` counts the embeds around this one: quotes are read MAX_QUOTE_DEPTH deep.
    ``quotes`` remembers which embed holds which element, across calls on one page.
    """
    quotes = quotes or Ancestors(_is_tweet_blockquote)
    anchors = _anchors(blockquote, base)
    status = _status_link(anchors)
    paragraphs = [p for p in blockquote.iter("p") if quotes.nearest(p) is blockquote]
    body = [p for p in paragraphs if not _is_attribution(p)]
    body_set = set(body)
    # Which text paragraph (or the blockquote itself) holds each link.
    holders = Ancestors(lambda e: e is blockquote or e in body_set)
    attribution_text = _attribution_text(blockquote, body_set)
    match = _attribution(attribution_text)
    if status is None and match is None and not body:
        return None
    handle = match.handle if match else None
    name = clean_text(match.name) if match else None
    tweet_id = None
    date_text = None
    label_only = False
    if status is not None:
        anchor, url_handle, tweet_id = status
        handle = handle or url_handle
        date_text = clean_text(node_text(anchor)) or None
        # An embed cut down to its link ("<a href=…/status/…>Watch on X</a>", or the bare
        # url): the link's text is a label, not the tweet, and a date only if it reads as one.
        label_only = (
            not body and match is None and clean_text(node_text(blockquote)) == (date_text or "")
        )
        if label_only and date_text and parse_date(date_text) is None:
            date_text = None
    elif (date_anchor := _last_attribution_link(blockquote, holders)) is not None:
        # The status link was lost (a CMS rewrote it, an archive truncated it): the last
        # link after the text is still the date.
        date_text = clean_text(node_text(date_anchor)) or None
    if body:
        text: str | None = "\n\n".join(t for p in body if (t := element_text(p)))
    elif label_only:
        text = None
    else:
        text = _text_without_paragraphs(blockquote, attribution_text) or None
    links, media, hashtags, mentions = _entities(anchors, bool(body), blockquote, holders)
    tags, written = text_entities(text)
    quoted = None
    if depth < MAX_QUOTE_DEPTH:
        nested = (
            b for b in blockquote.iter("blockquote") if b is not blockquote and _is_tweet_class(b)
        )
        if (inner := next(nested, None)) is not None:
            quoted = tweet_from_blockquote(inner, base=base, depth=depth + 1, quotes=quotes)
    return Tweet(
        id=tweet_id,
        url=status_url(handle, tweet_id),
        author=Author(
            handle=handle,
            name=name or None,
            url=f"https://twitter.com/{handle}" if handle else None,
        )
        if handle or name
        else None,
        text=text or None,
        created_at=snowflake_time(tweet_id) or parse_date(date_text),
        date_text=date_text,
        lang=(body[0].get("lang") if body else None) or None,
        links=tuple(links),
        media=tuple(media),
        hashtags=tuple(dict.fromkeys([*hashtags, *tags])),
        mentions=tuple(dict.fromkeys([*mentions, *written])),
        quoted=quoted,
    )


def _last_attribution_link(blockquote: Element, holders: Ancestors) -> Element | None:
    last = None
    for anchor in blockquote.iter("a"):
        if holders.nearest(anchor) is blockquote:
            last = anchor
    return last


def _is_attribution(paragraph: Element) -> bool:
    text = clean_text(node_text(paragraph))
    return bool(_STARTS_WITH_DASH_RE.match(text)) and "(@" in text.replace("( @", "(@")


def _attribution_text(blockquote: Element, body: set[Element]) -> str:
    """The blockquote's text outside its text paragraphs: "— Name (@handle) Date"."""
    pieces = [blockquote.text or ""]
    for child in blockquote:
        if child in body:
            pieces.append(child.tail or "")
        elif isinstance(child.tag, str) and child.tag != "blockquote":
            pieces.append(node_text(child))
            pieces.append(child.tail or "")
        else:
            pieces.append(child.tail or "")
    return clean_text(" ".join(pieces))


def _text_without_paragraphs(blockquote: Element, attribution: str) -> str:
    """Text of an embed with no ``<p>``: everything before the attribution's dash."""
    text = element_text(blockquote)
    match = _attribution(text)
    if match:
        text = text[: match.start]
    return text.strip()


def _entities(
    anchors: list[_Anchor], body: bool, blockquote: Element, holders: Ancestors
) -> tuple[list[Link], list[Media], list[str], list[str]]:
    """Links, media, hashtags and mentions among the links of the tweet's text paragraphs."""
    links: list[Link] = []
    media: list[Media] = []
    hashtags: list[str] = []
    mentions: list[str] = []
    video = "twitter-video" in (blockquote.get("class") or "")
    for anchor, href, parts in anchors:
        if href is None or (body and holders.nearest(anchor) is blockquote):
            continue
        if not body and parts is not None:
            continue  # the date link of an embed with no <p>
        shown = clean_text(node_text(anchor))
        if "/hashtag/" in href or shown.startswith("#"):
            hashtags.append(shown.lstrip("#＃"))
        elif shown.startswith("@"):
            mentions.append(shown.lstrip("@"))
        elif shown.startswith(("pic.twitter.com/", "pic.x.com/")):
            media.append(Media(kind="video" if video else "photo", url=f"https://{shown}"))
        else:
            short = href if "//t.co/" in href else None
            expanded = href if short is None else _expanded(shown)
            links.append(Link(url=expanded or href, display=shown or None, short_url=short))
    if video and not any(m.kind == "video" for m in media):
        media.append(Media(kind="video"))  # the embed says a video is there, not where
    return links, media, hashtags, mentions


def _expanded(shown: str) -> str | None:
    """The full url a t.co link shows, when its text is a whole url (not "example.com/a…")."""
    if shown.startswith(("http://", "https://")) and not shown.endswith("…"):
        return None if "//t.co/" in shown else shown
    return None
