"""Paragraphs of a Markdown copy that are not tweets of their own.

:mod:`threadkeep.parsing.markdown` reads each Markdown paragraph of a thread copy as a tweet.
Three kinds of paragraph seen in real clippings break that rule, and are joined to the tweet
above instead (:func:`merge_blocks`):

* **Link-preview cards.** Thread Reader shows a tweet's link card under the tweet; clippers
  save it as paragraphs of their own: an image wrapped in a link to the page
  (``[![](og-image)](https://example.com/page)``, the image often Thread Reader's
  sticky-note placeholder), a link whose text starts with the page's bold title
  (``[**Title** description](url)``), the bare url as a link (``[https://…](https://…)``).
  A paragraph made only of these is the card of the tweet above. A paragraph that is only a
  tweet's photo (``![Image](https://pbs.twimg.com/media/…)``, or that photo wrapped in a
  link to itself) is still a tweet: photos are on Twitter's media servers, cards are not.
* **A list after a colon.** "… has real tradeoffs:" then a paragraph of "• item" lines: the
  list is the end of the same tweet (as in a plain-text copy).
* **Numbered tweets whose paragraph breaks were lost.** Some clippers drop the hard line
  breaks (two trailing spaces) that mark a paragraph inside a tweet, so every paragraph
  looks like a tweet. When the copy has no hard break at all and its paragraphs number
  themselves ``1/``, ``2/``, ``3/`` … (at least three, in order), a paragraph that does not
  start with the next number continues the tweet above, and the paragraphs before ``1/``
  are one opening tweet. The copy cannot tell a closing tweet after the last number from
  that tweet's last paragraph; it is joined to it (see docs/pages.md, "Still read wrong").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from threadkeep.models import Link, Media
from threadkeep.parsing.shared import BULLET_RE
from threadkeep.urls import host

__all__ = ["Block", "merge_blocks"]

_URL = r"[^()\s]{1,2000}"
_CARD_IMAGE_RE = re.compile(rf"\[!\[[^\[\]\n]{{0,300}}\]\({_URL}\)\]\((?P<url>{_URL})\)")
_CARD_TITLE_RE = re.compile(rf"\[\*\*[^*\n]{{1,300}}\*\*[^\[\]\n]{{0,2000}}\]\({_URL}\)")
_URL_LINK_RE = re.compile(rf"\[https?://[^\[\]\s]{{1,2000}}\]\({_URL}\)")
_NUMBER_RE = re.compile(r"^(?P<n>\d{1,3})/(?:\d{1,3})?(?=\s)")
_MEDIA_HOSTS = ("pbs.twimg.com", "video.twimg.com")
_MIN_NUMBERED = 3


@dataclass(slots=True)
class Block:
    """One tweet being read: its text pieces, links, media and the Markdown lines it came
    from."""

    pieces: list[str] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    media: list[Media] = field(default_factory=list)
    tweet_id: str | None = None
    raw: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.pieces)


def _card_urls(block: Block) -> list[str] | None:
    """The page urls of a paragraph made only of link-preview card parts, else None."""
    raw = " ".join(block.raw)
    urls = [m["url"] for m in _CARD_IMAGE_RE.finditer(raw) if host(m["url"]) not in _MEDIA_HOSTS]
    rest = _CARD_IMAGE_RE.sub(lambda m: "" if host(m["url"]) not in _MEDIA_HOSTS else "x", raw)
    rest = _URL_LINK_RE.sub("", _CARD_TITLE_RE.sub("", rest))
    if rest.strip() or not (urls or any(m.kind == "card" for m in block.media)):
        return None
    return urls


def _add_cards(block: Block, card: Block, urls: list[str]) -> None:
    """Give ``block`` the cards of the card paragraph ``card``, once per page url."""
    new = [m for m in card.media if m.kind == "card"] + [Media(kind="card", url=u) for u in urls]
    for media in new:
        same = [i for i, m in enumerate(block.media) if m.kind == "card" and m.url == media.url]
        if not same:
            block.media.append(media)
        elif media.alt and not block.media[same[0]].alt:
            block.media[same[0]] = media  # the titled card names the page the image showed


def _join(block: Block, next_block: Block) -> None:
    if next_block.pieces:
        block.pieces.append(("\n\n" if block.pieces else "") + next_block.text)
    block.links += next_block.links
    block.media += next_block.media
    block.tweet_id = block.tweet_id or next_block.tweet_id
    block.raw += next_block.raw


def _numbered(blocks: list[Block]) -> list[bool] | None:
    """Which blocks start numbered tweets, when the numbering runs 1, 2, 3 … (else None)."""
    starts = []
    expected = 1
    for block in blocks:
        match = _NUMBER_RE.match(block.text)
        starts.append(bool(match and int(match["n"]) == expected))
        expected += starts[-1]
    return starts if expected - 1 >= _MIN_NUMBERED else None


def merge_blocks(blocks: list[Block], *, hard_breaks: bool) -> list[Block]:
    """Join the paragraphs that are not tweets to the tweet above (see the module docstring)."""
    merged: list[Block] = []
    for block in blocks:
        previous = merged[-1] if merged else None
        urls = _card_urls(block) if previous else None
        if previous is not None and urls is not None:
            _add_cards(previous, block, urls)
        elif (
            previous is not None
            and previous.text.endswith(":")
            and block.raw
            and BULLET_RE.match(block.raw[0])
        ):
            _join(previous, block)
        else:
            merged.append(block)
    starts = None if hard_breaks else _numbered(merged)
    if starts is None:
        return merged
    numbered: list[Block] = []
    for block, start in zip(merged, starts, strict=True):
        if numbered and not start:
            _join(numbered[-1], block)  # a lost paragraph break (or the opening's paragraphs)
        else:
            numbered.append(block)
    return numbered
