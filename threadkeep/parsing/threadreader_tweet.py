"""One Thread Reader tweet element (``div.content-tweet``) → the parts of a :class:`Tweet`.

Shared by thread pages, listing cards and pages derived from Thread Reader. Entity markup is
documented in ``fixtures/provenance/MARKUP.md`` (a.5); every variant there is handled here:
mentions (``entity-mention``, ``entity-mention-first``), hashtags, links (``entity-url``,
hidden in 2023 markup beside a preview card), images (lazy ``data-src``, ``span`` or ``div``,
with or without ``<a>``), videos and gifs (``<source>``, the last one being the best), link
preview cards, and quoted tweets (a blockquote link, the 2018 "External Tweet loading…" shell,
or a rendered iframe with ``data-tweet-id``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from lxml.etree import _Element as Element

from threadkeep.models import Author, Link, Media, Tweet, snowflake_time
from threadkeep.parsing.html import BLOCKS, BREAK, INVISIBLE, clean_text, fold_text, node_text
from threadkeep.parsing.shared import make_author, text_entities
from threadkeep.urls import absolute_url, checked_id, query_id, status_parts, status_url

__all__ = ["TweetParts", "read_tweet"]

# Classes whose content is not tweet text: the permalink icon, embeds and media (read
# separately below), preview cards, and Thread Reader's "reveal" buttons.
_NOT_TEXT = frozenset(
    {
        "tw-permalink",
        "entity-embed",
        "entity-image",
        "entity-video",
        "entity-video-gif",
        "entity-url-preview",
        "entity-reveal-action",
    }
)
_PLACEHOLDER_IMAGES = ("/images/1px.png", "data:", "/images/loading.gif")


@dataclass(slots=True)
class TweetParts:
    """What one tweet element yields before it becomes a :class:`Tweet`."""

    text: str
    links: list[Link] = field(default_factory=list)
    media: list[Media] = field(default_factory=list)
    hashtags: list[str] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)
    quoted: Tweet | None = None

    def fields(
        self,
        *,
        tweet_id: str | None,
        author: Author | None,
        place: tuple[int | None, str | None] = (None, None),
    ) -> dict[str, Any]:
        """The fields of the :class:`Tweet`, its url and time derived from the id when there
        is one; ``place`` is its position and numbering (:meth:`Numbering.place`). Callers
        validate many in one call (a thread's tweets inside its :class:`Thread`, a listing's
        inside its :class:`Listing`)."""
        handle = author.handle if author else None
        tags, mentions = text_entities(self.text)
        return {
            "id": tweet_id,
            "url": status_url(handle, tweet_id),
            "author": author,
            "text": self.text,
            "created_at": snowflake_time(tweet_id),
            "links": tuple(self.links),
            "media": tuple(self.media),
            "hashtags": tuple(dict.fromkeys([*self.hashtags, *tags])),
            "mentions": tuple(dict.fromkeys([*self.mentions, *mentions])),
            "quoted": self.quoted,
            "position": place[0],
            "marker": place[1],
        }


def _image_url(img: Element, base: str | None) -> str | None:
    for attribute in ("data-src", "src"):
        value = img.get(attribute)
        if value and not any(marker in value for marker in _PLACEHOLDER_IMAGES):
            return absolute_url(value, base)
    return None


def _read_image(holder: Element, base: str | None) -> Media | None:
    url = None
    alt = None
    for img in holder.iter("img"):
        url = _image_url(img, base)
        alt = img.get("alt") or None
        if url:
            break
    if url is None:
        anchor = next(holder.iter("a"), None)
        url = absolute_url(anchor.get("href"), base) if anchor is not None else None
    if url is None:
        return None
    return Media(kind="photo", url=url, alt=alt if alt not in (None, "Image") else None)


def _read_video(holder: Element, base: str | None, *, gif: bool) -> Media | None:
    sources = [absolute_url(s.get("src"), base) for s in holder.iter("source")]
    sources = [s for s in sources if s]
    video = next(holder.iter("video"), None)
    if not sources and video is not None:
        sources = [s for s in [absolute_url(video.get("src"), base)] if s]
    poster = absolute_url(video.get("poster"), base) if video is not None else None
    if not sources and not poster:
        return None
    url = sources[-1] if sources else None  # the last <source> is the highest resolution
    is_gif = gif or bool(url and "/tweet_video/" in url)
    return Media(kind="gif" if is_gif else "video", url=url, preview=poster)


def _read_card(holder: Element, base: str | None) -> Media | None:
    target = None
    title = None
    image = None
    for anchor in holder.iter("a"):
        target = target or absolute_url(anchor.get("href"), base)
        strong = next(anchor.iter("strong"), None)
        if strong is not None and title is None:
            title = clean_text("".join(strong.itertext())) or None
    for img in holder.iter("img"):
        image = _image_url(img, base)
        if image:
            break
    if target is None:
        return None
    return Media(kind="card", url=target, alt=title, preview=image)


def _read_quote(holder: Element, base: str | None) -> Tweet | Link | None:
    """A quoted tweet inside ``span.entity-embed``; a YouTube or other embed gives a Link."""
    for frame in holder.iter("iframe"):
        tweet_id = frame.get("data-tweet-id")
        src = frame.get("src") or ""
        if not tweet_id and "platform.twitter.com" in src:
            tweet_id = query_id(src)
        if checked_id(tweet_id):
            return Tweet(
                id=tweet_id, url=status_url(None, tweet_id), created_at=snowflake_time(tweet_id)
            )
        url = absolute_url(src, base)
        if url:
            return Link(url=url)
    for anchor in holder.iter("a"):
        href = absolute_url(anchor.get("href"), base)
        parts = status_parts(href)
        if parts:
            handle, tweet_id = parts
            author = make_author(handle) if handle else None
            return Tweet(
                id=tweet_id,
                url=status_url(handle, tweet_id),
                author=author,
                created_at=snowflake_time(tweet_id),
            )
    return None


def read_tweet(element: Element, *, base: str | None) -> TweetParts:
    """Read text and entities of one Thread Reader tweet element.

    The text keeps paragraph breaks (``<br>``), drops the permalink glyph, media and embeds,
    and keeps link, mention and hashtag text as displayed. Numbering spans (``span.nop``)
    stay in the text: they are what the author wrote. Text and entities are read in one pass
    over the tweet's elements (:class:`_TweetWalk`).
    """
    walk = _TweetWalk(base)
    walk.visit(element, text=True)
    walk.parts.text = fold_text(walk.texts)
    return walk.parts


class _TweetWalk:
    """One pass over a tweet element's descendants, in page order: their text parts as
    :func:`~threadkeep.parsing.html.element_text` collects them (``_NOT_TEXT`` skipped), and
    their entities. An element of a ``_HANDLED`` class is read whole as one entity: nothing
    inside it is another (nor text: ``_HANDLED`` is part of ``_NOT_TEXT``)."""

    __slots__ = ("base", "parts", "texts")

    def __init__(self, base: str | None) -> None:
        self.base = base
        self.parts = TweetParts(text="")
        self.texts: list[str] = []

    def visit(self, element: Element, *, text: bool) -> None:
        """Read ``element``'s descendants; their text too when ``text`` (shown text)."""
        texts = self.texts
        if text and (own := element.text):
            texts.append(own)
        for child in element:
            tag = child.tag
            if isinstance(tag, str):  # not a comment or processing instruction
                value = child.get("class")
                names = value.split() if value else ()
                if (value or tag == "video") and tag in _ENTITY_TAGS:
                    self._entity(child, tag, names)
                if tag == "br":
                    if text:
                        texts.append(BREAK)
                elif text and tag not in INVISIBLE and (not names or _NOT_TEXT.isdisjoint(names)):
                    block = tag in BLOCKS
                    if block and texts and not texts[-1].endswith(BREAK):
                        texts.append(BREAK)
                    if len(child):
                        self.visit(child, text=True)
                    elif own := child.text:
                        texts.append(own)
                    if block:
                        texts.append(BREAK)
                elif len(child) and (not names or _HANDLED.isdisjoint(names)):
                    self.visit(child, text=False)
            if text and (tail := child.tail):
                texts.append(tail)

    def _entity(self, node: Element, tag: str, names: Sequence[str]) -> None:
        """Note what ``node`` (an element of ``_ENTITY_TAGS``, with a class or a video) is."""
        parts, base = self.parts, self.base
        if "entity-mention" in names:
            parts.mentions.append(clean_text(node_text(node)).lstrip("@"))
        elif "entity-hashtag" in names:
            parts.hashtags.append(clean_text(node_text(node)).lstrip("#"))
        elif "entity-url" in names:
            url = absolute_url(node.get("href"), base)
            if url:
                display = clean_text(node_text(node)) or None
                parts.links.append(Link(url=url, display=display))
        elif "entity-image" in names:
            if media := _read_image(node, base):
                parts.media.append(media)
        elif "entity-video" in names or "entity-video-gif" in names or tag == "video":
            if media := _read_video(node, base, gif="entity-video-gif" in names):
                parts.media.append(media)
        elif "entity-url-preview" in names:
            if media := _read_card(node, base):
                parts.media.append(media)
        elif "entity-embed" in names:
            quote = _read_quote(node, base)
            if isinstance(quote, Tweet) and parts.quoted is None:
                parts.quoted = quote
            elif isinstance(quote, Tweet) and quote.url:
                parts.links.append(Link(url=quote.url))
            elif isinstance(quote, Link):
                parts.links.append(quote)


_ENTITY_TAGS = frozenset({"a", "span", "div", "video", "img"})
_HANDLED = frozenset(
    {"entity-image", "entity-video", "entity-video-gif", "entity-url-preview", "entity-embed"}
)
