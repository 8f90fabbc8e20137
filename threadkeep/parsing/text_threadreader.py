"""Plain-text copies of Thread Reader pages (what "save as text" and readers' extractors give).

The markup is gone; line breaks survive. Thread Reader renders each tweet as a block and a
paragraph break inside a tweet as a blank line, so in a text copy **a single line break
starts a new tweet and a blank line continues the current one**. Two exceptions seen in real
copies: a list ("- item") continues the tweet that introduced it, and a run of tweets glued on
one line ("… 1/3… next tweet 2/3…") is split at its numbering. Picture placeholders
("Image" at a line's end) become photo media with no url.

Seeds ``003`` (a listing) and ``004`` (a thread), ``fixtures/text/seed00[34]_*.txt``, are
real copies (``fixtures/provenance/SEEDS.md``).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from threadkeep.errors import UnsupportedPage
from threadkeep.limits import MAX_TWEETS, check_tweets
from threadkeep.models import Author, Listing, Media, Thread, ThreadPreview, Tweet, snowflake_time
from threadkeep.parsing.listing import hashtag_topic
from threadkeep.parsing.numbering import number_thread
from threadkeep.parsing.shared import (
    BULLET_RE,
    MOST_RECENTS,
    READ_N,
    THREAD_BY_RE,
    make_author,
    text_entities,
)
from threadkeep.parsing.text_boundaries import (
    Fragment,
    markup_fragments,
    numbered_starts,
    paragraph_blocks,
)
from threadkeep.parsing.threadreader_page import number
from threadkeep.urls import HANDLE, status_url, threadreader_id

__all__ = [
    "Header",
    "footer_name",
    "footer_start",
    "is_header_chrome",
    "is_text_listing",
    "is_text_thread",
    "parse_text_listing",
    "parse_text_thread",
    "read_header",
]

_READ_N_RE = re.compile(rf"^{READ_N}\b\s*(?P<rest>.*)$", re.I)
_TOTAL_RE = re.compile(rf"^{MOST_RECENTS}\s*$", re.I)
_TITLE_RE = re.compile(
    r"^Discover and read the best of Twitter Threads(?:\s+about\s+(?P<topic>\S+))?", re.I
)
_THREAD_END_RE = re.compile(r"^\s*•\s*•\s*•\s*$")
_THREAD_FOOTER = (
    "Missing some Tweet in this thread?",
    "Keep Current with",
    "This Thread may be Removed Anytime!",
    "Try unrolling a thread yourself!",
    "Did Thread Reader help you today?",
)
# An author page's title ("Example Lab's Threads") and its cards' dates ("Dec 9, 2025", "Jun 22").
_AUTHOR_PAGE_RE = re.compile(r"^(?P<name>[^\n]{1,80}?)['’]s Threads$")
_DATE_RE = re.compile(r"^\s*[A-Z][a-z]{2,8}\.? \d{1,2}(?:, \d{4})?\s*•?\s*$")
_LISTING_FOOTER = ("Related hashtags", "Did Thread Reader help you today?", "Support us!")
# Matched against stripped lines, so that no pattern needs a lazy group before "\s*$": that
# backtracked in quadratic time over a long run of spaces.
_KEEP_CURRENT_RE = re.compile(r"^Keep Current with (?P<name>.+)$")
_PROFILE_RE = re.compile(r"^(?P<name>.+) Profile picture$")
_AT_HANDLE_RE = re.compile(rf"^@(?P<handle>{HANDLE})\b")
# The lookbehind starts a number at its first digit only (else: quadratic over digit runs).
_HEADER_COUNT_RE = re.compile(r"(?<![\d,])(\d[\d,]*)\s+tweets?\b(?:\W+(\d{1,6})\s+min read)?", re.I)
_HEADER_CHROME_RE = re.compile(
    r"^(?:•.*tweets?.*|\d[\d,]*\s+tweets?,?(?:\s+\d+\s+min read)?\W*|Read on (?:X|Twitter)"
    rf"|Subscribe|Thread by @{HANDLE}.*|@{HANDLE}|.+ Profile picture"
    # The 2023+ header's date and size on one line ("Mar 18, 2023 • 6 tweets • 2 min read"),
    # its buttons ("Scrolly", "Bookmark", "Gift Link", "Save as PDF"), the "Scrolly Tale"
    # view's title and the view count above a thread ("18,904 views").
    r"|[^•]{0,40}•\s*\d[\d,]*\s+tweets?\b.*|Scrolly(?: Tale)?|Bookmark|Gift Link|Save as PDF"
    r"|\d[\d,.]*[KkMm]?\s+views?)$",
    re.I,
)
_IMAGE_ONLY_RE = re.compile(r"^(?:Image\s*)+$")
_GLUED_RE = re.compile(r"\b\d{1,3}/\d{1,3}…\s+(?=\S)")


def is_text_listing(lines: list[str]) -> bool:
    """True when the text has the "Read N tweets" lines of a listing.

    Only lines before a thread page's end marker or footer count: a thread page's "More from
    @x" cards after its footer end in "Read N tweets" too, and do not make it a listing.
    """
    end = footer_start(lines)
    return any(_READ_N_RE.match(line.strip()) for line in lines[:end])


def is_text_thread(lines: list[str]) -> bool:
    """True when the text has the end marker or footer of a Thread Reader thread, or tweets
    opened by surviving markup or numbered from ``1/`` (see
    :mod:`~threadkeep.parsing.text_boundaries`)."""
    if any(
        _THREAD_END_RE.match(line) or line.strip().startswith(_THREAD_FOOTER[:2]) for line in lines
    ):
        return True
    if markup_fragments(lines) is not None:
        return True
    return numbered_starts(lines[_text_header_end(lines) :]) is not None


def _strip_images(text: str) -> tuple[str, list[Media]]:
    """Cut the "Image" placeholders off a tweet's end: one photo each.

    A scan back from the end, by index: a regex search for the run backtracked from every
    "Image" in quadratic time, and slicing in the loop would copy the text each time.
    """
    end = len(text)
    start = None  # where the run begins (at the text's start or after whitespace)
    count = 0
    while True:
        while end and text[end - 1].isspace():
            end -= 1
        if not text.endswith("Image", 0, end):
            break
        end -= 5
        if end == 0 or text[end - 1].isspace():
            start, count = end, count + 1
    if start is None:
        return text, []
    return text[:start].rstrip(), [Media(kind="photo") for _ in range(count)]


def _split_glued(line: str) -> list[str]:
    # One more cut than a page may have tweets is enough to refuse it (check_tweets).
    cuts = [m.end() for m in itertools.islice(_GLUED_RE.finditer(line), MAX_TWEETS + 1)]
    if not cuts:
        return [line]
    pieces = [line[a:b].strip() for a, b in zip([0, *cuts], [*cuts, len(line)], strict=True)]
    return [p for p in pieces if p]


def _group_tweets(lines: Iterable[str]) -> list[str]:
    """Group lines into tweet texts (see the module docstring for the rules).

    Each tweet is built as a list of pieces joined at the end: adding to a string kept in a
    list copies it every time, in quadratic time for a tweet of many lines.
    """
    tweets: list[list[str]] = []
    last_line = ""  # the current tweet's last line
    paragraph_break = False
    for raw in lines:
        line = raw.strip()
        if not line:
            paragraph_break = bool(tweets)
            continue
        if tweets and _IMAGE_ONLY_RE.match(line):
            tweets[-1] += (" ", line)  # a picture placeholder on its own line belongs above
            last_line += " " + line if len(last_line) < 64 else ""
        elif tweets and paragraph_break:
            tweets[-1] += ("\n\n", line)
            last_line = line
        elif (
            tweets
            and BULLET_RE.match(line)
            and (tweets[-1][-1].endswith(":") or BULLET_RE.match(last_line))
        ):
            tweets[-1] += ("\n", line)
            last_line = line
        else:
            for piece in _split_glued(line):
                tweets.append([piece])
                check_tweets(len(tweets))
            last_line = tweets[-1][-1] if tweets else ""
        paragraph_break = False
    return ["".join(pieces) for pieces in tweets]


def _build_tweets(
    texts: list[str],
    author: Author | None,
    declared: int | None,
    fragments: list[Fragment] | None = None,
) -> tuple[tuple[Tweet, ...], tuple[int, ...], bool | None]:
    check_tweets(len(texts))
    cleaned = [_strip_images(t) for t in texts]
    numbering = number_thread([t for t, _ in cleaned], declared_count=declared)
    ids = [f.tweet_id for f in fragments] if fragments else [None] * len(texts)
    tweets = tuple(
        Tweet(
            id=ids[index],
            url=status_url(author.handle if author else None, ids[index]),
            created_at=snowflake_time(ids[index]),
            author=author,
            text=text,
            hashtags=tuple(text_entities(text)[0]),
            mentions=tuple(text_entities(text)[1]),
            media=tuple(media),
            position=(place := numbering.place(index))[0],
            marker=place[1],
        )
        for index, (text, media) in enumerate(cleaned)
    )
    return tweets, numbering.gaps, numbering.complete


def _author_page(lines: list[str]) -> Author | None:
    """The author of an author page ("Name's Threads" over "@handle"), else None."""
    for index, raw in enumerate(lines[:20]):
        if match := _AUTHOR_PAGE_RE.match(raw.strip()):
            after = next((b.strip() for b in lines[index + 1 : index + 4] if b.strip()), "")
            handle = m["handle"] if (m := _AT_HANDLE_RE.fullmatch(after)) else None
            return make_author(handle, match["name"])
    return None


def _card_text(pending: list[str], author: Author) -> list[str]:
    """A preview's tweets on an author page: the lines after its card's "@handle" line,
    without the card's own chrome (the author's name, the date, "•" separators)."""
    card = f"@{author.handle}" if author.handle else None
    marks = [i for i, line in enumerate(pending) if line.strip() == card]
    lines = pending[marks[-1] + 1 :] if marks else pending
    chrome = {author.name or "", card or "", "•", ""}
    return [line for line in lines if line.strip() not in chrome and not _DATE_RE.match(line)]


def parse_text_listing(lines: list[str], *, url: str | None) -> Listing:
    """A :class:`Listing` from the lines of a text copy of a Thread Reader listing page.

    An author page ("Name's Threads", every card one account's) gives each preview that
    author, and its cards' chrome (name, "@handle", date, "•") is not tweet text.
    """
    title = topic = None
    total = None
    previews: list[ThreadPreview] = []
    pending: list[str] = []
    started = False
    count = 0
    author = _author_page(lines)
    for raw in lines:
        line = raw.strip()
        if not started and (match := _TITLE_RE.match(line) or _AUTHOR_PAGE_RE.match(line)):
            title, topic = line, match.groupdict().get("topic")
            continue
        if not started and (match := _TOTAL_RE.match(line)):
            total = number(match["total"])
            continue
        if (match := _READ_N_RE.match(line)) is not None:
            texts = _group_tweets(_card_text(pending, author) if author else pending)
            count += 1 + len(texts)
            check_tweets(count)
            tweets, _, _ = _build_tweets(texts, author, None)
            previews.append(
                ThreadPreview(tweets=tweets, author=author, declared_count=number(match["count"]))
            )
            rest = match["rest"].lstrip("…. ").strip()
            pending = [rest] if rest else []
            started = True
            continue
        if started and line.startswith(_LISTING_FOOTER):
            pending = []
            break
        if line or pending:
            pending.append(line)
    topic = topic or hashtag_topic(url)
    return Listing(title=title, topic=topic, url=url, threads=tuple(previews), declared_total=total)


@dataclass(frozen=True, slots=True)
class Header:
    """What a thread page's header chrome says: the author and the declared size."""

    handle: str | None = None
    name: str | None = None
    declared: int | None = None
    minutes: int | None = None


def is_header_chrome(line: str) -> bool:
    """True for a stripped line of a thread page's header ("Thread by @x", "11 tweets", …)."""
    return _HEADER_CHROME_RE.match(line) is not None


def read_header(lines: Iterable[str]) -> Header:
    """The author and declared size from a thread page's header lines."""
    handle = name = None
    declared = minutes = None
    for raw in lines:
        line = raw.strip()
        if match := THREAD_BY_RE.match(line) or _AT_HANDLE_RE.match(line):
            handle = handle or match["handle"]
        if match := _PROFILE_RE.match(line):
            name = name or match["name"]
        if (match := _HEADER_COUNT_RE.search(line)) and "tweet" in line.lower():
            declared = number(match.group(1))
            minutes = int(match.group(2)) if match.group(2) else None
    return Header(handle=handle, name=name, declared=declared, minutes=minutes)


def footer_start(lines: Iterable[str]) -> int | None:
    """The index of the line where a thread page's end marker or footer starts, if any."""
    for index, line in enumerate(lines):
        if _THREAD_END_RE.match(line) or line.strip().startswith(_THREAD_FOOTER):
            return index
    return None


def footer_name(lines: Iterable[str]) -> str | None:
    """The author's name from the footer's "Keep Current with Name"."""
    for line in lines:
        if match := _KEEP_CURRENT_RE.match(line.strip()):
            return match["name"]
    return None


def _text_header_end(body: list[str]) -> int:
    """Where the header chrome at the top of a thread page's text ends.

    Besides the chrome lines themselves, a line directly above the "@handle" line is the
    author's display name ("Sakana AI" / "@SakanaAILabs"), as the page header shows it.
    """
    first = 0
    while first < len(body):
        line = body[first].strip()
        if line and not is_header_chrome(line):
            after = next((b.strip() for b in body[first + 1 : first + 3] if b.strip()), "")
            if not (_AT_HANDLE_RE.fullmatch(after) and len(line) <= 60):
                break
        first += 1
    return first


def _thread_texts(body: list[str], header: Header) -> tuple[list[str], list[Fragment] | None]:
    """The tweet texts of a thread body, by the strongest boundary signal the copy has."""
    if (found := markup_fragments(body)) is not None:
        fragments = found[1]
        return ["\n".join(line.strip() for line in f.lines if line.strip()) for f in fragments], (
            fragments
        )
    rest = body[_text_header_end(body) :]
    if (starts := numbered_starts(rest)) is not None:
        ends = [*starts[1:], len(rest)]
        groups = [rest[a:b] for a, b in zip(starts, ends, strict=True)]
        return ["\n".join(line.strip() for line in g if line.strip()) for g in groups], None
    texts = _group_tweets(rest)
    if len(texts) != header.declared and (blocks := paragraph_blocks(rest, header.declared)):
        return blocks, None
    return texts, None


def parse_text_thread(lines: list[str], *, url: str | None) -> Thread:
    """A :class:`Thread` from the lines of a text copy of a Thread Reader thread page."""
    end = footer_start(lines)
    body, footer = (lines, []) if end is None else (lines[:end], lines[end:])
    # Header chrome before the first tweet: "Thread by @x", "@x", "Name Profile picture",
    # "• 11 tweets • 5 min read •", "Read on X"; with surviving markup, all that precedes it.
    found = markup_fragments(body)
    header = read_header(body[: found[0] if found else _text_header_end(body)])
    name = footer_name(footer) or header.name
    handle = found[1][0].handle if found else header.handle
    author = make_author(handle, name)
    texts, fragments = _thread_texts(body, header)
    tweets, gaps, complete = _build_tweets(texts, author, header.declared, fragments)
    if not tweets:
        raise UnsupportedPage("text copy of a Thread Reader page with no tweets before its footer")
    return Thread(
        id=threadreader_id(url),
        url=url,
        author=author,
        tweets=tweets,
        declared_count=header.declared,
        read_minutes=header.minutes,
        complete=complete,
        gaps=gaps,
    )
