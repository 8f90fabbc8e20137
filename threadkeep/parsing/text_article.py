"""Text copies of articles whose embedded tweets survived as text.

An embed rendered as text is its tweet text, then an attribution line
``— Name (@handle) Month D, YYYY``. Copies made by readers' extractors put the next tweet's
text right after the date on the same line (seed ``001``); others keep the attribution on a
line of its own, or mark it up as Markdown (``> — Name (@handle) [date](url)``).

Where the tweet text starts is not marked. The rule: after an attribution line whose date is
followed by more text on the same line, that text (up to the next attribution) is the next
tweet; otherwise the tweet is the last paragraph before its attribution. Prose that quotes a
tweet without an attribution line is not a tweet (seeds ``000`` and ``002``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from threadkeep.limits import check_tweets
from threadkeep.models import Article, Tweet
from threadkeep.parsing.dates import parse_date
from threadkeep.parsing.prose import MIN_WORDS, reads_as_prose, word_count
from threadkeep.parsing.shared import group_threads, make_author, split_front_matter, text_entities
from threadkeep.urls import HANDLE_CHAR, HANDLE_LENGTH, status_parts, status_url

__all__ = ["find_text_embeds", "looks_like_article", "parse_text_article"]

_DATE = (
    r"(?:[^\W\d_]{3,12}\.?\s+\d{1,2},?\s+\d{4}"  # August 7, 2014
    r"|\d{1,2}\.?\s+(?:de\s+)?[^\W\d_]{3,12}\.?,?\s+(?:de\s+)?\d{4}"  # 7 de agosto de 2014
    r"|\d{4}\s*[年년]\s*\d{1,2}\s*[月월]\s*\d{1,2}\s*[日일]?)"
)
# An attribution line is "— Name (@handle)", then a date (plain, or a Markdown link), then
# whatever follows on the line. Matched in three steps: as one pattern, the name's lazy
# group between runs of spaces backtracked in quadratic time on a long line.
_LEAD_RE = re.compile(r"^[ \t>]*(?:—|–|â€”|-{1,2})[ \t]*", re.M)
# Markdown copies escape underscores ("\_"): a handle's characters may each follow a backslash.
_HANDLE_RE = re.compile(rf"\(@(?P<handle>(?:\\?{HANDLE_CHAR}){{1,{HANDLE_LENGTH}}})\)")
_TAIL_RE = re.compile(
    rf"[ \t]*(?:\[(?P<mddate>{_DATE})\]\((?P<mdurl>[^)\s]+)\)|(?P<date>{_DATE}))?"
    r"(?P<rest>[^\n]*)$",
    re.M,
)
_PARAGRAPH_BREAK_RE = re.compile(r"\n[ \t]*\n")
_WORD_RE = re.compile(r"\S+")
_LINE_RE = re.compile(r"[^\n]+")


@dataclass(frozen=True, slots=True)
class _Attribution:
    start: int
    end: int
    name: str
    handle: str
    date: str | None
    md_date: str | None
    md_url: str | None
    rest: str


def _attributions(text: str) -> Iterator[_Attribution]:
    """Every attribution line in ``text``, in order."""
    position = 0
    while lead := _LEAD_RE.search(text, position):
        line_end = text.find("\n", lead.end())
        line_end = len(text) if line_end == -1 else line_end
        handle = _HANDLE_RE.search(text, lead.end(), line_end)
        if handle is None:
            position = max(line_end, lead.end())
            continue
        tail = _TAIL_RE.match(text, handle.end())
        if tail is None:  # cannot happen: every part of it may be empty
            return
        yield _Attribution(
            start=lead.start(),
            end=tail.end(),
            name=text[lead.end() : handle.start()].rstrip(" \t"),
            handle=handle["handle"],
            date=tail["date"],
            md_date=tail["mddate"],
            md_url=tail["mdurl"],
            rest=tail["rest"],
        )
        position = max(tail.end(), lead.end() + 1)


_TWEET_LIMIT = 280
_TITLE_LIMIT = 150


def _last_paragraph(text: str) -> str:
    paragraphs = [p.strip() for p in _PARAGRAPH_BREAK_RE.split(text) if p.strip()]
    return paragraphs[-1] if paragraphs else ""


def _clean(text: str) -> str:
    lines = [line.strip().removeprefix(">").strip() for line in text.strip().split("\n")]
    return "\n".join(lines).strip()


def find_text_embeds(text: str) -> list[Tweet]:
    """Every tweet a text copy shows with an attribution line, in order."""
    tweets: list[Tweet] = []
    previous_end = 0
    carried = ""  # text after the previous attribution's date, on its line
    for match in _attributions(text):
        before = text[previous_end : match.start]
        if carried:
            body = carried + before
            if len(body.strip()) > _TWEET_LIMIT:  # prose follows the carried tweet
                body = carried
        else:
            body = _last_paragraph(before)
        tweet_text = _clean(body) or None
        handle = match.handle.replace("\\", "")
        date_text = match.md_date or match.date
        date_text = " ".join(date_text.split()) if date_text else None
        parts = status_parts(match.md_url) if match.md_url else None
        tweet_id = parts[1] if parts else None
        tags, mentions = text_entities(tweet_text)
        tweets.append(
            Tweet(
                id=tweet_id,
                url=status_url(handle, tweet_id),
                author=make_author(handle, match.name.strip() or None),
                text=tweet_text,
                date_text=date_text,
                created_at=parse_date(date_text),
                hashtags=tuple(tags),
                mentions=tuple(mentions),
            )
        )
        carried = match.rest.strip()
        previous_end = match.end
        check_tweets(len(tweets))
    return tweets


def _title(text: str) -> str | None:
    """The front matter's title (a Markdown post); else the first line, when it is short
    enough to be a headline (not a paragraph)."""
    front, text = split_front_matter(text)
    if titles := front.get("title"):
        return titles[0][:_TITLE_LIMIT]
    line = _WORD_RE.search(text)
    if line is None:
        return None
    end = text.find("\n", line.start())
    first = text[line.start() : end if end != -1 else len(text)].strip()
    return first if len(first) <= _TITLE_LIMIT else None


def looks_like_article(text: str) -> bool:
    """Prose long enough to be an article: three paragraphs and a hundred words or more.

    Words are counted as :func:`~threadkeep.parsing.prose.word_count` counts them (Japanese or
    Chinese prose has no spaces). A copy that separates its paragraphs by single line breaks
    (no three blank-line paragraphs) reads as an article when three of its lines are prose
    (:func:`~threadkeep.parsing.prose.reads_as_prose`). Counted up to what is needed, without
    splitting the whole text into words or lines.
    """
    paragraphs = 0
    start = 0
    for cut in _PARAGRAPH_BREAK_RE.finditer(text):
        paragraphs += bool(text[start : cut.start()].strip())
        start = cut.end()
        if paragraphs >= 3:
            break
    else:
        paragraphs += bool(text[start:].strip())
    if paragraphs >= 3:
        return word_count(text, MIN_WORDS) >= MIN_WORDS
    return reads_as_prose(line.group() for line in _LINE_RE.finditer(text))


def parse_text_article(
    text: str, *, url: str | None = None, tweets: list[Tweet] | None = None
) -> Article:
    """An :class:`Article` from a text copy: its title line, tweets and threads.

    ``tweets`` are its :func:`find_text_embeds` when the caller has read them already.
    """
    if tweets is None:
        tweets = find_text_embeds(text)
    return Article(url=url, title=_title(text), tweets=tuple(tweets), threads=group_threads(tweets))
