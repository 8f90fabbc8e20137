"""Text copies of articles whose embedded tweets survived as text.

An embed rendered as text is its tweet text, then an attribution ``— Name (@handle) Date``.
Extractors write it in several ways, all read here: the attribution on a line of its own,
at the end of the tweet's own line (``… pic.twitter.com/x — Name (@h) April 23, 2019``), with
no space around the dash or before the date, the next tweet glued after the date (seed
``001``), or blockquoted Markdown (``> — Name (@handle) [date](url)``).

An attribution is found from its ``(@handle)``: the dash is looked for on the same line, a
display name's length before it (names hold commas, emoji, "@" and parentheses). One in the
middle of a line counts only with a date that reads as one, so "— Jane (@jane)" in a
sentence is not an embed. A status url alone on its line, in a copy that has attributions,
is an embed that did not render: a tweet with only its id. Lines of links right after an
attribution line are the tweet's last lines that an extractor moved out.

Where the tweet's text starts is decided in :mod:`threadkeep.parsing.text_tweet_body`.
Prose that quotes a tweet without an attribution is not a tweet (seeds ``000``, ``002``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from threadkeep.limits import check_tweets
from threadkeep.models import Article, Tweet, fill_missing, snowflake_time
from threadkeep.parsing.dates import DATE_PATTERN, parse_date
from threadkeep.parsing.prose import MIN_WORDS, reads_as_prose, sentences, word_count
from threadkeep.parsing.shared import group_threads, make_author, split_front_matter, text_entities
from threadkeep.parsing.shortcodes import Shortcode, shortcodes
from threadkeep.parsing.text_tweet_body import (
    OLD_TWEET_LIMIT,
    TWEET_LIMIT,
    clean_tweet_text,
    ends_with_media_link,
    is_link_only,
    item_number,
    tweet_body,
    tweet_weight,
)
from threadkeep.urls import HANDLE, HANDLE_CHAR, HANDLE_LENGTH, status_parts, status_url

__all__ = ["find_text_embeds", "looks_like_article", "parse_text_article"]

# An attribution is "— Name (@handle)", then a date (plain, or a Markdown link), then
# whatever follows on the line. It is found from its handle: the dash is looked for on the
# same line, at most _NAME_LIMIT characters before it (a lazy name group between runs of
# spaces backtracked in quadratic time on a long line).
_NAME_LIMIT = 90  # a display name is at most 50 characters; pages pad and mangle them
_DASHES = ("—", "–", "â€”")  # em and en dash, and an em dash read as cp1252
_HYPHEN_LEAD_RE = re.compile(r"[ \t>]*-{1,2}[ \t]*")
# Markdown copies escape underscores ("\_"): a handle's characters may each follow a backslash.
_HANDLE_RE = re.compile(rf"\(@(?P<handle>(?:\\?{HANDLE_CHAR}){{1,{HANDLE_LENGTH}}})\)")
_TAIL_RE = re.compile(
    rf"[ \t]*(?:\[(?P<mddate>{DATE_PATTERN})\](?:\((?P<mdurl>[^)\s]+)\)"
    r"|\[(?P<mdref>[^\]\n]{1,100})\])"  # a reference link: "[October 30, 2025][6]"
    rf"|(?P<date>{DATE_PATTERN}))?"
)
# A Markdown reference link's definition: "[6]: https://twitter.com/…/status/…".
_REFERENCE_RE = re.compile(
    r"^[ \t]{0,3}\[(?P<ref>[^\]\n]{1,100})\]:[ \t]*<?(?P<url>[^\s<>]{1,2000})"
)
_LINE_LIMIT = _NAME_LIMIT + 40  # farther back than this, the dash is not at the line start
# A status url alone on its line: an embed that did not render (WordPress writes the url
# and the page script turns it into the widget).
_STATUS_LINE_RE = re.compile(
    rf"^[ \t]*<?https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/(?P<handle>{HANDLE})"
    r"/status(?:es)?/(?P<id>\d{1,20})[^\s>]{0,200}>?[ \t]*$",
    re.M,
)
# A widget frame's url alone on its line, bare, <autolinked> or as a Markdown link: the
# frame an embed was drawn in, which a converter kept as a link (Twitter's own frame, and
# CMS frames naming "twitter-ID", such as Kinja's /embed/inset/iframe?id=twitter-…).
_FRAME_LINE_RE = re.compile(
    r"^[ \t]*[\[<]?https?://[^\s()<>\[\]]{0,300}?"
    r"(?:platform\.twitter\.com/embed/(?:Tweet|index)\.html\?(?:[^\s()<>\[\]]{0,1500}?&)?id="
    r"|/embed/[^\s()<>\[\]?]{0,100}\?(?:[^\s()<>\[\]]{0,300}?&)?id=twitter-)"
    r"(?P<id>\d{15,20})[^\s()<>\[\]]{0,1500}(?:[\]>](?:\([^\s()]{1,2000}\))?)?[ \t]*$",
    re.M,
)
_PARAGRAPH_BREAK_RE = re.compile(r"\n[ \t]*\n")
_END_OF_LINE_RE = re.compile(r"[ \t\r]*\n")
_WORD_RE = re.compile(r"\S+")
_LINE_RE = re.compile(r"[^\n]+")


@dataclass(frozen=True, slots=True)
class _Attribution:
    start: int  # where the dash is (the region of the tweet text ends here)
    end: int  # after the date (or the handle): text after it on the line is the next tweet's
    name: str
    handle: str
    date: str | None
    md_date: str | None
    md_url: str | None
    quoted: bool  # the attribution line is blockquoted (Markdown)
    tweet_id: str | None = None  # an unrendered embed's status url gives only this


def _line_start(text: str, position: int) -> int | None:
    """Where the line holding ``position`` starts, when it is near (None: far before)."""
    window = max(0, position - _LINE_LIMIT)
    newline = text.rfind("\n", window, position)
    return newline + 1 if newline != -1 or window == 0 else None


def _lead(text: str, line_start: int | None, handle_start: int) -> tuple[int, int] | None:
    """Where the attribution's dash starts and ends, on the handle's line."""
    window = max(line_start or 0, handle_start - _NAME_LIMIT)
    found = max((text.rfind(dash, window, handle_start), dash) for dash in _DASHES)
    if found[0] >= 0:
        return found[0], found[0] + len(found[1])
    if line_start is None:
        return None
    hyphen = _HYPHEN_LEAD_RE.match(text, line_start, handle_start)
    return (line_start, hyphen.end()) if hyphen and "-" in hyphen[0] else None


def _attribution_at(text: str, handle: re.Match[str]) -> _Attribution | None:
    line_start = _line_start(text, handle.start())
    lead = _lead(text, line_start, handle.start())
    tail = _TAIL_RE.match(text, handle.end())
    if lead is None or tail is None:
        return None
    # What stands before the dash on its line: nothing, a blockquote's ">", or text.
    before = "text" if line_start is None else text[line_start : lead[0]].strip(" \t")
    date = tail["mddate"] or tail["date"]
    # Mid-line, only a dated attribution is one ("— a (@b)" in prose is not), or one glued
    # to the picture link a tweet ends with ("…pic.twitter.com/x— Name (@h)").
    glued_to_link = ends_with_media_link(text[max(0, lead[0] - 60) : lead[0]].rstrip())
    if before.strip(">") and parse_date(date) is None and not glued_to_link:
        return None
    return _Attribution(
        start=lead[0],
        end=tail.end(),
        name=text[lead[1] : handle.start()].strip(),
        handle=handle["handle"].replace("\\", ""),
        date=tail["date"],
        md_date=tail["mddate"],
        md_url=tail["mdurl"] or (f"[{tail['mdref']}]" if tail["mdref"] else None),
        quoted=before.startswith(">") and not before.strip(">").strip(),
    )


def _attributions(text: str) -> Iterator[_Attribution]:
    """Every attribution in ``text``, every unrendered embed's status url line, every widget
    frame's url line and every site generator's tweet notation, in order."""
    found = [a for h in _HANDLE_RE.finditer(text) if (a := _attribution_at(text, h))]
    # A bare status url line is an embed only beside other embeds (else a link in prose); a
    # widget frame's url line is one anywhere.
    bare = [_bare(m) for m in _STATUS_LINE_RE.finditer(text)] if found else []
    frames = [_frame(m) for m in _FRAME_LINE_RE.finditer(text)] if "id=" in text else []
    named = [_named_shortcode(code) for code in shortcodes(text)]
    yield from sorted([*found, *bare, *frames, *named], key=lambda a: a.start)


def _named_shortcode(code: Shortcode) -> _Attribution:
    return _Attribution(
        start=code.start, end=code.end, name="", handle=code.handle or "", date=None,
        md_date=None, md_url=None, quoted=False, tweet_id=code.tweet_id,
    )  # fmt: skip


def _frame(match: re.Match[str]) -> _Attribution:
    return _Attribution(
        start=match.start(), end=match.end(), name="", handle="", date=None,
        md_date=None, md_url=None, quoted=False, tweet_id=match["id"],
    )  # fmt: skip


def _bare(match: re.Match[str]) -> _Attribution:
    return _Attribution(
        start=match.start(), end=match.end(), name="", handle=match["handle"], date=None,
        md_date=None, md_url=None, quoted=False, tweet_id=match["id"],
    )  # fmt: skip


_TITLE_LIMIT = 150
_MOVED_LINES = 6  # an extractor moves at most a tweet's few lines below its attribution


def _line_after(text: str, end: int) -> tuple[str, int] | None:
    """The line after the one ``end`` is on (stripped), and where it ends."""
    eol = _END_OF_LINE_RE.match(text, end)
    if eol is None:
        return None
    stop = text.find("\n", eol.end())
    stop = len(text) if stop == -1 else stop
    return text[eol.end() : stop].strip(), stop


def _continuation(text: str, end: int, next_start: int, number: int | None) -> tuple[str, int]:
    """Lines right after an attribution line that an extractor moved out of the tweet: it
    kept the tweet's first line above the attribution and put the rest below. They are
    lines of links (its pic link, a list of t.co links); the next items of a numbered list
    the tweet opens ("1) …" above the attribution; "2) …", "3) …" below it); or a few lines
    up to one ending in the tweet's picture or t.co link, the link Twitter puts last. They
    are the tweet's last lines. Not when the next attribution follows them at once (then
    they are that tweet's text)."""
    lines: list[str] = []
    position = end
    while position < next_start and (after := _line_after(text, position)) is not None:
        line, stop = after
        if number is not None and item_number(line) == number + 1:
            number += 1
        elif not line or not is_link_only(line):
            break
        lines.append(line)
        position = stop
    if not lines:
        lines, position = _up_to_media_link(text, end, next_start)
    if not lines or not text[position:next_start].strip():
        return "", end
    return "\n".join(lines), position


def _up_to_media_link(text: str, end: int, next_start: int) -> tuple[list[str], int]:
    """The lines after ``end`` up to the first that ends in a tweet's picture or t.co link,
    when they are few and short enough to be the rest of a tweet; else none."""
    lines: list[str] = []
    position = end
    weight = 0
    while len(lines) < _MOVED_LINES and position < next_start:
        after = _line_after(text, position)
        if after is None or not after[0]:
            break
        line, position = after
        weight += tweet_weight(line)
        if weight > TWEET_LIMIT:
            break
        lines.append(line)
        if ends_with_media_link(line):
            return lines, position
    return [], end


def _opening_item(region: str) -> int | None:
    """The number of the list item the region's last line is ("1) Estocar vento"): a
    tweet that opens a list whose next items an extractor moved below its attribution."""
    last = region.rstrip()
    return item_number(last[last.rfind("\n") + 1 :].lstrip("> \t"))


def find_text_embeds(text: str) -> list[Tweet]:
    """Every tweet a text copy shows with an attribution line, in order."""
    tweets: list[Tweet] = []
    seen: dict[str, int] = {}
    found = list(_attributions(text))
    refs = _references(text) if found else {}
    previous_end = 0
    for index, match in enumerate(found):
        if match.tweet_id is not None:
            _add_once(tweets, seen, _tweet(match, None, refs))
            previous_end = match.end
            continue
        region = text[previous_end : match.start]
        glued = previous_end > 0 and bool(region[: region.find("\n") + 1 or None].strip())
        after = _line_after(text, match.end)
        next_start = found[index + 1].start if index + 1 < len(found) else len(text)
        more, end = _continuation(text, match.end, next_start, _opening_item(region))
        body = tweet_body(
            region,
            quoted=match.quoted,
            glued=glued,
            after_attribution=previous_end > 0,
            below=after[0] if after else None,
            moved=more,
            limit=_limit(match),
        )
        previous_end = end
        if more:
            body = f"{body}\n{more}" if body else more
        _add_once(tweets, seen, _tweet(match, clean_tweet_text(body, refs), refs))
    return tweets


_LONGER_TWEETS = datetime(2017, 11, 7, tzinfo=UTC)  # 280 characters from then on


def _limit(match: _Attribution) -> int:
    """How long the tweet could be: 140 characters before November 2017, 280 since."""
    posted = parse_date(match.md_date or match.date)
    return OLD_TWEET_LIMIT if posted is not None and posted < _LONGER_TWEETS else TWEET_LIMIT


def _add_once(tweets: list[Tweet], seen: dict[str, int], tweet: Tweet) -> None:
    """Add ``tweet``, or merge it into the one with its id already there (``seen``: id to
    place): a source that names a tweet twice (its notation, then the quote a reader sees)
    holds it once, with what each told."""
    if tweet.id is not None and (index := seen.get(tweet.id)) is not None:
        known = tweets[index]
        tweets[index] = (
            fill_missing(tweet, known) if known.text is None else fill_missing(known, tweet)
        )
        return
    if tweet.id is not None:
        seen[tweet.id] = len(tweets)
    tweets.append(tweet)
    check_tweets(len(tweets))


def _references(text: str) -> dict[str, str]:
    """The copy's Markdown reference-link definitions: label (lower-cased) to url."""
    if "]:" not in text:
        return {}
    found = (_REFERENCE_RE.match(line) for line in text.splitlines())
    return {m["ref"].lower(): m["url"] for m in found if m is not None}


def _tweet(match: _Attribution, tweet_text: str | None, refs: dict[str, str]) -> Tweet:
    handle = match.handle
    date_text = match.md_date or match.date
    date_text = " ".join(date_text.split()) if date_text else None
    md_url = match.md_url
    if md_url and md_url.startswith("["):  # a reference link: its definition has the url
        md_url = refs.get(md_url[1:-1].lower())
    parts = status_parts(md_url) if md_url else None
    tweet_id = match.tweet_id or (parts[1] if parts else None)
    tags, mentions = text_entities(tweet_text)
    created = parse_date(date_text) if date_text else snowflake_time(tweet_id)
    return Tweet(
        id=tweet_id,
        url=status_url(handle, tweet_id),
        author=make_author(handle, match.name or None) if handle else None,
        text=tweet_text,
        date_text=date_text,
        created_at=created,
        hashtags=tuple(tags),
        mentions=tuple(mentions),
    )


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
    (:func:`~threadkeep.parsing.prose.reads_as_prose`), or, hard-wrapped (a wire story's
    lines of ten words, most ending mid-sentence), when three of its sentences are.
    Counted up to what is needed, without
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
    lines = (line.group() for line in _LINE_RE.finditer(text))
    return reads_as_prose(lines) or reads_as_prose(sentences(text))


def parse_text_article(
    text: str, *, url: str | None = None, tweets: list[Tweet] | None = None
) -> Article:
    """An :class:`Article` from a text copy: its title line, tweets and threads.

    ``tweets`` are its :func:`find_text_embeds` when the caller has read them already.
    """
    if tweets is None:
        tweets = find_text_embeds(text)
    return Article(url=url, title=_title(text), tweets=tuple(tweets), threads=group_threads(tweets))
