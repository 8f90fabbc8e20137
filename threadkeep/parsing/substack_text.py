"""Substack tweets in copies that kept no Markdown card: Pandoc exports and pages reduced to text.

Two shapes of a Substack post's tweet survive conversions that lose the card link
(:mod:`threadkeep.parsing.substack_cards` reads the link):

* **Pandoc's fenced divs.** A Substack export converted to Pandoc Markdown keeps the component
  as a fenced div whose attributes hold ``data-attrs`` (Pandoc drops the ``data-`` prefix and
  escapes the JSON's quotes)::

      ::::::::: {.tweet attrs="{\\"url\\":\\"https://twitter.com/a/status/1\\",…}" …}
      … the rendered card as nested divs and spans …
      :::::::::

  The JSON is the tweet, read as the HTML component's (:func:`substack.attrs_tweet`); the div
  runs to the fence line of the same length, and nothing inside it is read again.
* **A page reduced to text.** A scraper that keeps only the text of the 2026 card leaves the
  line "Name@handle" (glued, or one space apart), the tweet's lines, and the card's footer
  glued to the last word: ``… been working1:12 AM · Jan 13, 2026 · 321K Views88 Replies · …``.
  A card is that name line followed, within a few lines, by a line holding the card's time and
  date whose rest is only views and counts: that footer shape is the card's own (Twitter's
  "H:MM AM · Mon D, YYYY" and Substack's count words), so prose that mentions a handle is no
  card, nor are fragments of the component's JSON that leak into such text (they hold no
  footer). A second name line before the footer starts the quoted tweet. These cards carry no
  id; the date shown is the tweet's day. This rule is tried only on a copy with no card markup
  at all (a Markdown card's own lines have the same shape).

Both scans are linear: each fenced div and each text card is read once, and a name line looks
at most :data:`_CARD_LINES` lines ahead.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

from threadkeep.models import Tweet
from threadkeep.parsing.dates import parse_date
from threadkeep.parsing.shared import make_author, text_entities
from threadkeep.parsing.substack import attrs_tweet
from threadkeep.urls import is_handle

__all__ = ["card_footer", "card_time", "clean_words", "fenced_tweets", "text_cards"]

_ATTRS_RE = re.compile(r'attrs="((?:[^"\\]|\\.)*)"', re.DOTALL)
_PANDOC_ESCAPE_RE = re.compile(r"\\(.)", re.DOTALL)
_TWEET_CLASSES = (".tweet ", ".tweet}", ".twitter-embed ", ".twitter-embed}")
_MAX_OPENING = 300  # characters from a fence line's start to its "attrs="
_MAX_ATTRS = 200_000  # characters of one div's attributes
_MAX_DIV = 50_000  # characters from a div's opening fence to its closing one
_CARD_LINES = 30
_MAX_NAME_LINE = 80
_FOOTER_RE = re.compile(r"(\d{1,2}):(\d\d) ([AP]M) [·∙] ([A-Z][a-z]{2,8})\.? (\d{1,2}), (\d{4})")
_COUNTS_RE = re.compile(
    r"(?: [·∙] [\d.,]+[KkMm]? Views)?(?: \* \* \*)? ?"  # a card on one line keeps its rule
    r"(?:[\d.,]+[KkMm]? (?:Replies|Reply|Reposts?|Retweets?|Likes?)(?: [·∙] )?)*$"
)


def fenced_tweets(text: str) -> list[tuple[int, int, Tweet]]:
    """Each Pandoc fenced tweet div: where it starts, where it ends, and its tweet."""
    found: list[tuple[int, int, Tweet]] = []
    at = 0
    while (start := text.find('attrs="', at)) != -1:
        at = start + 7
        line_start = text.rfind("\n", max(0, start - _MAX_OPENING), start) + 1
        opening = text[line_start:start]  # a fence line opens within a few hundred characters
        if not opening.startswith(":::") or not any(c in opening + " " for c in _TWEET_CLASSES):
            continue
        match = _ATTRS_RE.match(text, start, min(len(text), start + _MAX_ATTRS))
        if match is None:
            continue
        at = match.end()
        tweet = _attrs_tweet(_PANDOC_ESCAPE_RE.sub(r"\1", match[1]))
        if tweet is None:
            continue
        fence = opening[: len(opening) - len(opening.lstrip(":"))]
        close = text.find(f"\n{fence}\n", at, at + _MAX_DIV)
        end = close + len(fence) + 2 if close != -1 else at
        found.append((line_start, end, tweet))
        at = end
    return found


def _attrs_tweet(value: str) -> Tweet | None:
    try:
        attrs = json.loads(value)
    except (ValueError, RecursionError):
        return None
    return attrs_tweet(attrs) if isinstance(attrs, dict) else None


def text_cards(text: str) -> list[Tweet]:
    """Each 2026 card a page reduced to text shows ("Name@handle", text, glued footer)."""
    lines = text.split("\n")
    tweets: list[Tweet] = []
    index = 0
    while index < len(lines):
        card = _name_line(lines[index]) and _read_text_card(lines, index)
        if card:
            tweet, index = card
            tweets.append(tweet)
        index += 1
    return tweets


def _name_line(line: str) -> tuple[str, str] | None:
    """("Name", "handle") for a line that is only "Name@handle" or "Name @handle"."""
    line = line.strip()
    if len(line) > _MAX_NAME_LINE:
        return None
    name, at, handle = line.rpartition("@")
    name = name.strip()
    if not at or not name or "@" in name or not is_handle(handle):
        return None
    return name, handle


def _read_text_card(lines: list[str], first: int) -> tuple[Tweet, int] | None:
    """The card whose name line is ``lines[first]``, and the index of its footer line."""
    parts: list[tuple[tuple[str, str], list[str]]] = []
    for index in range(first, min(len(lines), first + _CARD_LINES)):
        who = _name_line(lines[index])
        if who is not None and len(parts) < 2:
            parts.append((who, []))
            continue
        footer = card_footer(lines[index])
        if footer is None:
            parts[-1][1].append(lines[index])
            continue
        words, created, shown = footer
        parts[-1][1].append(words)
        own = _tweet(*parts[0], created, shown)
        quoted = _tweet(*parts[1], None, None) if len(parts) > 1 else None
        return own.model_copy(update={"quoted": quoted}), index
    return None


def card_footer(line: str) -> tuple[str, datetime, str] | None:
    """The words before a card footer glued to a line, the time it shows, and its text."""
    match = _FOOTER_RE.search(line)
    if match is None or not _COUNTS_RE.match(line, match.end()):
        return None
    start, hour = match.start(), int(match[1])
    if hour > 12:  # "20231:12 AM": the first digit is the last word's
        start, hour = start + 1, hour % 10
    day, minute = parse_date(f"{match[4]} {match[5]}, {match[6]}"), int(match[2])
    if day is None or hour == 0 or minute > 59:  # "6:60 AM" is no time a card shows
        return None
    created = card_time(day, hour, minute, pm=match[3] == "PM")
    return line[:start], created, line[start : match.end()]


def card_time(day: datetime, hour: int, minute: int, *, pm: bool) -> datetime:
    """The UTC time a card shows ("8:57 AM ∙ Jul 7, 2022"), on ``day``."""
    hour = hour % 12 + (12 if pm else 0)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def clean_words(words: str) -> str:
    """Each line's spaces folded, at most one empty line between paragraphs."""
    text = "\n".join(" ".join(line.split()) for line in words.split("\n")).strip("\n")
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text


def _tweet(
    who: tuple[str, str], lines: list[str], created: datetime | None, shown: str | None
) -> Tweet:
    text = clean_words("\n".join(lines))
    tags, mentions = text_entities(text)
    return Tweet(
        author=make_author(who[1], who[0]),
        text=text or None,
        created_at=created,
        date_text=shown,
        hashtags=tuple(tags),
        mentions=tuple(mentions),
    )
