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

from threadkeep.models import Article, Author, Tweet
from threadkeep.parse.article import group_threads
from threadkeep.parse.dates import parse_date
from threadkeep.parse.html import text_entities
from threadkeep.urls import status_parts, status_url

__all__ = ["find_text_embeds", "parse_text_article"]

_DATE = (
    r"(?:[^\W\d_]{3,12}\.?\s+\d{1,2},?\s+\d{4}"  # August 7, 2014
    r"|\d{1,2}\.?\s+(?:de\s+)?[^\W\d_]{3,12}\.?,?\s+(?:de\s+)?\d{4}"  # 7 de agosto de 2014
    r"|\d{4}\s*[年년]\s*\d{1,2}\s*[月월]\s*\d{1,2}\s*[日일]?)"
)
_ATTRIBUTION_RE = re.compile(
    r"^[ \t>]*(?:—|–|â€”|-{1,2})[ \t]*(?P<name>[^\n]*?)[ \t]*\(@(?P<handle>[A-Za-z0-9_\\]{1,20})\)"
    rf"[ \t]*(?:\[(?P<mddate>{_DATE})\]\((?P<mdurl>[^)\s]+)\)|(?P<date>{_DATE}))?"
    r"(?P<rest>[^\n]*)$",
    re.M,
)
_PARAGRAPH_BREAK_RE = re.compile(r"\n[ \t]*\n")
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
    for match in _ATTRIBUTION_RE.finditer(text):
        before = text[previous_end : match.start()]
        if carried:
            body = carried + before
            if len(body.strip()) > _TWEET_LIMIT:  # prose follows the carried tweet
                body = carried
        else:
            body = _last_paragraph(before)
        tweet_text = _clean(body) or None
        handle = match["handle"].replace("\\", "")
        date_text = match["mddate"] or match["date"]
        date_text = " ".join(date_text.split()) if date_text else None
        parts = status_parts(match["mdurl"]) if match["mdurl"] else None
        tweet_id = parts[1] if parts else None
        tags, mentions = text_entities(tweet_text)
        tweets.append(
            Tweet(
                id=tweet_id,
                url=status_url(handle, tweet_id),
                author=Author(
                    handle=handle,
                    name=match["name"].strip() or None,
                    url=f"https://twitter.com/{handle}",
                ),
                text=tweet_text,
                date_text=date_text,
                created_at=parse_date(date_text),
                hashtags=tuple(tags),
                mentions=tuple(mentions),
            )
        )
        carried = match["rest"].strip()
        previous_end = match.end()
    return tweets


def _title(text: str) -> str | None:
    """The first line, when it is short enough to be a headline (not a paragraph)."""
    for line in text.split("\n"):
        if line.strip():
            return line.strip() if len(line.strip()) <= _TITLE_LIMIT else None
    return None


def looks_like_article(text: str) -> bool:
    """Prose long enough to be an article: three paragraphs and a hundred words or more."""
    paragraphs = [p for p in _PARAGRAPH_BREAK_RE.split(text) if p.strip()]
    return len(paragraphs) >= 3 and len(text.split()) >= 100


def parse_text_article(text: str, *, url: str | None = None) -> Article:
    """An :class:`Article` from a text copy: its title line, tweets and threads."""
    tweets = find_text_embeds(text)
    return Article(url=url, title=_title(text), tweets=tuple(tweets), threads=group_threads(tweets))
