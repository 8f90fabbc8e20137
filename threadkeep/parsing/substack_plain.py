"""Substack tweet cards whose avatar did not survive a conversion to Markdown or text.

:mod:`threadkeep.parsing.substack_cards` finds a card by its avatar. Three shapes of a card keep
no avatar, and each is read here by what is left of the card's own markup:

* **A card whose header was dropped.** A converter that drops images leaves the link around
  the avatar as a bare ``(status url)`` line; the card's other links follow, blank lines apart,
  each to the same status url: ``[text](url)``, then ``[4:54 AM ∙ Nov 7, 2012](url)`` and
  ``[149Likes160Retweets](url)`` (the footer may be unlinked or absent). The tweet's id and
  handle are the url's; its text the first link's; a later ``(url)`` line then ``[text](url)``
  is the quoted tweet (it has no link of its own, so it names the same url). A status link in
  prose has no bare ``(url)`` line before it, so it is no card.
* **A card of one link with no avatar** (a later rendering):
  ``[Name@handletext6:20 AM · Jan 17, 2023 * * * 83 Reposts · 756 Likes](status url)``, all
  glued. It is a card when its first line names the url's ``@handle`` (after a short name) and
  a Twitter footer (time, date, then only counts and rules) ends its text: a pull quote that
  links a status shows neither.
* **The tail of a component's JSON.** A Markdown step that ate the start of a
  ``div[data-attrs]`` leaves its end as text:
  ``… ","username":"a","name":"A","date":"2026-04-15T06:40:18.000Z",…}" data-component-name=…>``.
  A tail whose JSON (from ``"username"`` on) decodes and holds a handle and an ISO date is that
  embed: a tweet with its author and day, no id and no text (the text's start is lost). Only in
  a copy where no card is read: where the rendered cards survive, the tails are their data.

All scans are linear: lines are read in order, a candidate card reads at most
:data:`_CARD_LINES` lines, and the scan resumes after what it read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime

from threadkeep.models import Tweet, snowflake_time
from threadkeep.parsing.shared import make_author, text_entities
from threadkeep.parsing.substack_text import card_footer, clean_words
from threadkeep.urls import is_handle, status_parts, status_url

__all__ = ["attrs_tails", "bare_cards", "glued_cards"]

_CARD_LINES = 16
_MAX_FOOTER_LINE = 80
_MAX_NAME = 50
_ESCAPE_RE = re.compile(r"\\([!-/:-@\[-`{-~])")
_COUNTS_RE = re.compile(
    r"^(?:[\d.,]+[KkMm]? ?(?:Likes?|Retweets?|Replies|Reply|Reposts?|Views?) ?(?:[∙·•] )?)+$"
)
_RULE_RE = re.compile(r"^(?:-{3,}|\* \* \*|\*{3,}|_{3,})$")
_TAIL_MARK = '","username":"'
_MAX_TAIL = 20_000


def _offsets(lines: list[str]) -> list[int]:
    starts, at = [], 0
    for line in lines:
        starts.append(at)
        at += len(line) + 1
    return starts


def _is_footer_line(line: str) -> bool:
    line = line.strip()
    return not line or (
        len(line) <= _MAX_FOOTER_LINE and bool(_COUNTS_RE.match(line) or _RULE_RE.match(line))
    )


def _link_to(lines: list[str], first: int, url: str) -> tuple[str, int] | None:
    """The text of the link ``[…](url)`` that opens at ``lines[first]`` and the index of its
    last line (a tweet's paragraphs may stand on lines of their own), or None."""
    if not lines[first].startswith("[") or lines[first].startswith("[!"):
        return None
    close = f"]({url})"
    for index in range(first, min(len(lines), first + _CARD_LINES)):
        line = lines[index].rstrip()
        if line.endswith(close):
            inner = "\n".join([*lines[first:index], line[: -len(close)]])
            return inner[1:], index
        if "](" in line:
            return None  # another link closes first: prose
    return None


def bare_cards(text: str) -> list[tuple[int, Tweet]]:
    """Each card whose header was dropped (a bare ``(status url)`` line), where it starts."""
    return _scan(text, _bare_at)


def _bare_at(lines: list[str], index: int) -> tuple[Tweet | None, int] | None:
    line = lines[index].strip()
    parts = status_parts(line[1:-1]) if line.startswith("(") and line.endswith(")") else None
    if parts is None or not parts[1]:
        return None
    return _read_bare(lines, index, line[1:-1], parts)


def _scan(
    text: str, read: Callable[[list[str], int], tuple[Tweet | None, int] | None]
) -> list[tuple[int, Tweet]]:
    """Each card ``read`` finds starting at a line, where it starts: ``read`` gives None where
    none starts, else the card (or None) and the index of the first line past what it read,
    which holds no other card's start, so the scan stays linear."""
    lines = text.split("\n")
    starts = _offsets(lines)
    found: list[tuple[int, Tweet]] = []
    index = 0
    while index < len(lines):
        card = read(lines, index)
        if card is None:
            index += 1
            continue
        if card[0] is not None:
            found.append((starts[index], card[0]))
        index = max(card[1], index + 1)
    return found


def _read_bare(
    lines: list[str], first: int, url: str, parts: tuple[str | None, str]
) -> tuple[Tweet | None, int]:
    """The card whose bare url line is ``lines[first]`` (None: no text links to its url), and
    the index of the first line past it."""
    texts: list[str] = []
    shown = None
    index = first + 1
    while index < len(lines):
        line = lines[index].strip()
        link = _link_to(lines, index, url)
        if link is not None:
            inner = _ESCAPE_RE.sub(r"\1", link[0])
            footer = card_footer(" ".join(inner.split()))
            if footer is not None and not footer[0]:
                shown = shown or footer[2]
            elif not _is_footer_line(inner):
                texts.append(inner)
            index = link[1] + 1
        elif line == f"({url})" or _is_footer_line(line):
            index += 1
        else:
            break
    if not texts:
        return None, index
    handle, tweet_id = parts
    quoted = Tweet(text=clean_words(texts[1])) if len(texts) > 1 else None
    return _tweet(handle, None, tweet_id, clean_words(texts[0]), None, shown, quoted), index


def glued_cards(text: str) -> list[tuple[int, Tweet]]:
    """Each card of one link with no avatar ("[Name@handletext6:20 AM · …](status url)")."""
    return _scan(text, _glued_at)


def _glued_at(lines: list[str], index: int) -> tuple[Tweet | None, int] | None:
    card = _read_glued(lines, index)
    return None if card is None else (card[0], card[1] + 1)


def _read_glued(lines: list[str], first: int) -> tuple[Tweet, int] | None:
    """The one-link card opening at ``lines[first]``, and the index of its last line."""
    if not lines[first].startswith("[") or lines[first].startswith("[!"):
        return None
    for index in range(first, min(len(lines), first + _CARD_LINES)):
        line = lines[index].rstrip()
        close = line.rfind("](")
        if close == -1:
            continue
        parts = status_parts(line[close + 2 : -1]) if line.endswith(")") else None
        link = _link_to(lines, first, line[close + 2 : -1]) if parts and parts[1] else None
        tweet = _glued_tweet(link[0], parts) if link and parts else None
        return (tweet, link[1]) if tweet and link else None
    return None


def _glued_tweet(inner: str, parts: tuple[str | None, str]) -> Tweet | None:
    linked, tweet_id = parts
    inner = _ESCAPE_RE.sub(r"\1", inner)
    head = inner.split("\n", 1)[0]
    at = head.lower().find("@" + (linked or "").lower()) if linked else -1
    if at == -1 or at > _MAX_NAME:
        return None
    handle = head[at + 1 : at + 1 + len(linked or "")]
    name = head[:at].strip() or None
    body = inner[at + 1 + len(handle) :].split("\n")
    for index, line in enumerate(body):
        footer = card_footer(line)
        if footer is not None:
            if not all(_is_footer_line(rest) for rest in body[index + 1 :]):
                return None
            words = "\n".join([*body[:index], footer[0]])
            return _tweet(handle, name, tweet_id, clean_words(words), footer[1], footer[2], None)
    return None


def attrs_tails(text: str) -> list[Tweet]:
    """The embeds whose component JSON survives only as a tail (``","username":"a",…}"``)."""
    tweets = []
    for line in text.split("\n"):
        mark = line.find(_TAIL_MARK)
        close = line.rfind('}"')
        if mark == -1 or close < mark or close - mark > _MAX_TAIL:
            continue
        try:
            attrs = json.loads("{" + line[mark + 2 : close + 1])
        except (ValueError, RecursionError):
            continue
        if not isinstance(attrs, dict):
            continue
        handle, name, date = (attrs.get(key) for key in ("username", "name", "date"))
        created = _iso_time(date)
        if not isinstance(handle, str) or not is_handle(handle) or created is None:
            continue
        shown = name if isinstance(name, str) and name.strip() else None
        tweets.append(_tweet(handle, shown, None, "", created, date, None))
    return tweets


def _iso_time(value: object) -> datetime | None:
    """The component's ``date`` ("2026-04-15T06:40:18.000Z"), in UTC; None for anything else."""
    if not isinstance(value, str) or not value[:4].isdigit():
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo else None


def _tweet(
    handle: str | None,
    name: str | None,
    tweet_id: str | None,
    text: str,
    created: datetime | None,
    shown: str | None,
    quoted: Tweet | None,
) -> Tweet:
    tags, mentions = text_entities(text)
    return Tweet(
        id=tweet_id,
        url=status_url(handle, tweet_id),
        author=make_author(handle, name) if handle or name else None,
        text=text or None,
        created_at=snowflake_time(tweet_id) or created,
        date_text=shown,
        hashtags=tuple(tags),
        mentions=tuple(mentions),
        quoted=quoted,
    )
