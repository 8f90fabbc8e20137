"""One publish.twitter.com embed: a ``blockquote.twitter-tweet`` (or ``twitter-video``) → a
:class:`Tweet`.

The text sits in one or more ``<p>`` (``lang``/``dir`` in either order, or no ``<p>`` at all),
then "— Name (@handle)" and a link to the status whose text is the date. The dash may be
``&mdash;``, a literal "—", a hyphen, or the mojibake "â€”"; WordPress moves the attribution
into a ``<p>`` of its own; dates may be broken over lines. A blockquote inside another is the
outer tweet's quoted tweet (read MAX_QUOTE_DEPTH deep).
"""

from __future__ import annotations

import re

from lxml.etree import _Element as Element

from threadkeep.limits import MAX_QUOTE_DEPTH
from threadkeep.models import Link, Media, Tweet, snowflake_time
from threadkeep.parsing.dates import parse_date
from threadkeep.parsing.html import Ancestors, classes, clean_text, element_text, node_text
from threadkeep.parsing.shared import make_author, text_entities
from threadkeep.urls import HANDLE, absolute_url, status_parts, status_url

__all__ = ["is_tweet_blockquote", "is_tweet_class", "tweet_from_blockquote"]

_DASH = r"(?:—|–|&mdash;|â€”|â€“|-{1,2})"
_DASH_RE = re.compile(_DASH)
_STRONG_DASH_RE = re.compile(r"(?:—|–|&mdash;|â€”|â€“)")
_HANDLE_RE = re.compile(rf"\(\s*@({HANDLE})\s*\)")
_STARTS_WITH_DASH_RE = re.compile(rf"^\s*{_DASH}")


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
    if last is None:
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


def is_tweet_class(element: Element) -> bool:
    names = classes(element)
    return "twitter-tweet" in names or "twitter-video" in names


def is_tweet_blockquote(element: Element) -> bool:
    return element.tag == "blockquote" and is_tweet_class(element)


_Anchor = tuple[Element, "str | None"]


def _anchors(blockquote: Element, base: str | None) -> list[_Anchor]:
    """Every link in the embed with its absolute url, resolved once."""
    return [(anchor, absolute_url(anchor.get("href"), base)) for anchor in blockquote.iter("a")]


def _shown(anchor: Element) -> str:
    """A link's text (:func:`node_text`), read at once when the link holds no element."""
    return node_text(anchor) if len(anchor) else anchor.text or ""


def _status_link(anchors: list[_Anchor]) -> tuple[Element, str | None, str] | None:
    """The last link to a status: its element, handle and id (the date link). Read from the
    end: the date link is most embeds' last, and the other links' urls need not be parsed."""
    for anchor, href in reversed(anchors):
        if (parts := status_parts(href)) is not None:
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
    inner = next(blockquote.iterdescendants("blockquote"), None)
    anchors = _anchors(blockquote, base)
    status = _status_link(anchors)
    if inner is None and is_tweet_class(blockquote):
        paragraphs = list(blockquote.iter("p"))  # no embed inside: every one is this one's
    else:
        quotes = quotes or Ancestors(is_tweet_blockquote)
        paragraphs = [p for p in blockquote.iter("p") if quotes.nearest(p) is blockquote]
    body = [p for p in paragraphs if not _is_attribution(p)]
    body_set = set(body)
    # The links of the text paragraphs: the others are the blockquote's own (attribution).
    in_body = {anchor for p in body for anchor in p.iter("a")}
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
        date_text = clean_text(_shown(anchor)) or None
        # An embed cut down to its link ("<a href=…/status/…>Watch on X</a>", or the bare
        # url): the link's text is a label, not the tweet, and a date only if it reads as one.
        label_only = (
            not body and match is None and clean_text(node_text(blockquote)) == (date_text or "")
        )
        if label_only and date_text and parse_date(date_text) is None:
            date_text = None
    elif (date_anchor := _last_attribution_link(anchors, in_body)) is not None:
        # The status link was lost (a CMS rewrote it, an archive truncated it): the last
        # link after the text is still the date.
        date_text = clean_text(_shown(date_anchor)) or None
    if body:
        text: str | None = "\n\n".join(t for p in body if (t := element_text(p)))
    elif label_only:
        text = None
    else:
        text = _text_without_paragraphs(blockquote) or None
    links, media, hashtags, mentions = _entities(anchors, bool(body), blockquote, in_body)
    tags, written = text_entities(text)
    quoted = None
    if depth < MAX_QUOTE_DEPTH and inner is not None:
        nested = (b for b in blockquote.iterdescendants("blockquote") if is_tweet_class(b))
        if (quote := next(nested, None)) is not None:
            quoted = tweet_from_blockquote(quote, base=base, depth=depth + 1, quotes=quotes)
    return Tweet(
        id=tweet_id,
        url=status_url(handle, tweet_id),
        author=make_author(handle, name or None) if handle or name else None,
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


def _last_attribution_link(anchors: list[_Anchor], in_body: set[Element]) -> Element | None:
    """The last link outside the text paragraphs."""
    return next((anchor for anchor, _ in reversed(anchors) if anchor not in in_body), None)


_LONGEST_DASH = len("&mdash;")


def _is_attribution(paragraph: Element) -> bool:
    # A text paragraph's own leading text, when it holds a whole dash's length, decides
    # whether the paragraph starts with a dash: its full text (the tweet) is not built.
    head = paragraph.text or ""
    text = head if len(head.lstrip()) >= _LONGEST_DASH else node_text(paragraph)
    if not _STARTS_WITH_DASH_RE.match(text):  # as cleaned: only its spaces would differ
        return False
    if "(@" in clean_text(head).replace("( @", "(@"):
        return True  # in the leading text, so in the whole (which starts with it, cleaned)
    return "(@" in clean_text(node_text(paragraph)).replace("( @", "(@")


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


def _text_without_paragraphs(blockquote: Element) -> str:
    """Text of an embed with no ``<p>``: everything before the attribution's dash."""
    text = element_text(blockquote)
    match = _attribution(text)
    if match:
        text = text[: match.start]
    return text.strip()


def _entities(
    anchors: list[_Anchor], body: bool, blockquote: Element, in_body: set[Element]
) -> tuple[list[Link], list[Media], list[str], list[str]]:
    """Links, media, hashtags and mentions among the links of the tweet's text paragraphs."""
    links: list[Link] = []
    media: list[Media] = []
    hashtags: list[str] = []
    mentions: list[str] = []
    video = "twitter-video" in classes(blockquote)
    for anchor, href in anchors:
        if href is None or (body and anchor not in in_body):
            continue
        if not body and status_parts(href) is not None:
            continue  # the date link of an embed with no <p>
        shown = clean_text(_shown(anchor))
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
