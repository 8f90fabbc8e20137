"""Text and Markdown output: a tweet's text cannot forge the view's own marks (issue 14).

``show --format text`` starts a tweet's line with its number (or ``(was N.)``, or ``-``) and
its marks in brackets (``[REMOVED (…)]``, ``[EDITED (…)]``); an earlier version's line with
``  earlier (…)``. Markdown puts the number and marks in bold at a paragraph's start, and an
earlier version in ``*earlier (…):*``. A tweet whose text holds such a line must not print
one: the real CLI on a real store, and hypothesis over any text.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import FIXTURES, ROOT
from threadkeep.archive.records import Version
from threadkeep.archive.view_models import ArchivedThread, ArchivedTweet
from threadkeep.models import Article, Author, Listing, Media, Thread, ThreadPreview, Tweet
from threadkeep.render import archived_to_markdown, archived_to_text, to_markdown

THREAD = FIXTURES / "threadreader" / "quinnypig_2020_full.html"
ROOT_TWEET = "1215710451343904768"
FORGED = "57. [REMOVED (missing from the capture of 2026-01-01 00:00 UTC; last seen 2026-01-01)]"

# What starts a line of the text view: a tweet's label (and its marks), an earlier version.
TEXT_LABEL = re.compile(r"^(?:\d+\.|\(was \d+\.\)|-) ")
TEXT_MARKS = re.compile(r"^(?:\d+\.|\(was \d+\.\)|-) \[")
TEXT_EARLIER = re.compile(r"^ {0,3}earlier \(")
# ... and of the Markdown view (its source: what a renderer turns bold or italic).
MD_LABEL = re.compile(r"^\s*(?:\*\*|__|(?i:<(?:b|strong|i|em)[\s>]))")  # "<b>" is bold too
MD_EARLIER = re.compile(r"^>\s*(?:\*|_)earlier \(")


def threadkeep(*args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "threadkeep", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_tweet_cannot_print_a_removal_mark(tmp_path: Path) -> None:
    # The example: a third tweet whose text holds "<br>57. [REMOVED (missing from …)]",
    # archived from a saved page through the real command line.
    page = THREAD.read_bytes().replace(
        b"for a dark theme to be visible.",
        b"for a dark theme to be visible.<br>" + FORGED.encode() + b"<br>[EDITED (2 versions)] x",
    )
    saved = tmp_path / "forged.html"
    saved.write_bytes(page)
    store = str(tmp_path / "archive")
    threadkeep("archive", str(saved), "--store", store)

    text = threadkeep("show", ROOT_TWEET, "--store", store, "--format", "text").splitlines()
    assert [line for line in text if TEXT_MARKS.match(line)] == []  # nothing was removed
    assert [line for line in text if TEXT_LABEL.match(line)][2].startswith("3. If you're")
    assert f"    {FORGED}" in text and "    [EDITED (2 versions)] x" in text

    markdown = threadkeep("show", ROOT_TWEET, "--store", store, "--format", "md")
    converted = threadkeep("convert", str(saved), "--format", "md")
    for out in (markdown, converted):
        assert "57\\. [REMOVED (missing" in out  # escaped: not a list item, nor bold
        assert len([line for line in out.splitlines() if MD_LABEL.match(line)]) == 102


MOMENT = datetime(2026, 1, 1, tzinfo=UTC)
# Any text, with the shapes of the view's own lines (and every kind of line break) common.
PIECES = st.sampled_from(
    [
        "\n",
        "\r\n",
        "\r",
        "\u2028",
        "\x85",
        "\v",
        "<br>",
        "57. ",
        "(was 3.) ",
        "- ",
        "[REMOVED (missing from x)] ",
        "[EDITED (2 versions)]",
        "[",
        "  earlier (2020-01-01): ",
        "earlier (",
        "**57.** ",
        "**REMOVED (x)**",
        "__",
        "*earlier (2020-01-01):* ",
        "> ",
        "~~",
        "<b>57.</b> ",
        "<strong>REMOVED</strong>",
        " ",
        "x",
    ]
)
TEXTS = st.one_of(st.text(), st.lists(PIECES | st.text(max_size=3)).map("".join))


def archived(texts: list[list[str]], removed: list[bool]) -> ArchivedThread:
    tweets = []
    for n, (versions, gone) in enumerate(zip(texts, removed, strict=True), start=1):
        tweets.append(
            ArchivedTweet(
                id=str(1000 + n),
                position=n if n % 3 else None,
                text=versions[-1],
                removed=gone,
                removed_at=MOMENT if gone else None,
                first_seen=MOMENT,
                last_seen=MOMENT,
                versions=tuple(
                    Version(text=v, first_seen=MOMENT, last_seen=MOMENT) for v in versions
                ),
            )
        )
    return ArchivedThread(
        kind="article",
        document="article-1",
        title="57. [REMOVED (x)]\n58. x",
        author=Author(name="a\n1. [EDITED (2 versions)]", handle="a"),
        first_captured=MOMENT,
        last_captured=MOMENT,
        captures=1,
        snapshots=1,
        tweets=tuple(tweets),
    )


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.lists(TEXTS, min_size=1, max_size=3), st.booleans()), max_size=4))
def test_no_line_of_tweet_text_reads_as_a_mark(tweets: list[tuple[list[str], bool]]) -> None:
    document = archived([t[0] for t in tweets], [t[1] for t in tweets])
    earlier = sum(len(set(t[0])) > 1 and len(t[0]) - 1 for t in tweets)
    marked = sum(gone or len(set(v)) > 1 for v, gone in tweets)

    lines = archived_to_text(document).split("\n")
    assert len([line for line in lines if TEXT_LABEL.match(line)]) == len(tweets)
    assert len([line for line in lines if TEXT_MARKS.match(line)]) == marked
    assert len([line for line in lines if TEXT_EARLIER.match(line)]) == earlier
    assert not any(TEXT_LABEL.match(line) or TEXT_EARLIER.match(line) for line in lines[:2])

    lines = archived_to_markdown(document).split("\n")
    assert len([line for line in lines if MD_LABEL.match(line)]) == len(tweets)
    assert len([line for line in lines if MD_EARLIER.match(line)]) == earlier


@settings(max_examples=200, deadline=None)
@given(st.lists(TEXTS, max_size=4))
def test_no_line_of_a_converted_tweet_reads_as_a_numbered_tweet(texts: list[str]) -> None:
    tweets = tuple(Tweet(id=str(n + 1), position=n + 1, text=t) for n, t in enumerate(texts))
    lines = to_markdown(Thread(id="1", tweets=tweets)).split("\n")
    assert len([line for line in lines if MD_LABEL.match(line)]) == len(texts)


# What a page gives besides a tweet's text, and that the views print: a tombstone's reason,
# a photo's alt text, a card's title, a listing's title and section, an article's title.
NOT_TEXT = "gone\n\n**57.** **REMOVED (x)** ~~y~~\n57. [REMOVED (x)] z\r\n<b>58.</b> w"


def test_a_reason_cannot_print_a_mark() -> None:
    tweet = ArchivedTweet(
        id="1", position=1, text="t", unavailable=NOT_TEXT, first_seen=MOMENT, last_seen=MOMENT
    )
    document = ArchivedThread(
        kind="thread", document="thread-1", first_captured=MOMENT, last_captured=MOMENT,
        captures=1, snapshots=1, tweets=(tweet,),
    )  # fmt: skip
    text = archived_to_text(document).split("\n")
    assert len([line for line in text if TEXT_LABEL.match(line)]) == 1, text
    markdown = archived_to_markdown(document).split("\n")
    assert len([line for line in markdown if MD_LABEL.match(line)]) == 1, markdown


def test_an_alt_text_a_title_or_a_reason_cannot_print_a_numbered_tweet() -> None:
    tweets = (
        Tweet(id="1", position=1, text="t", media=(Media(kind="photo", url="https://a.example/p.jpg", alt=NOT_TEXT),)),
        Tweet(id="2", position=2, text="t", media=(Media(kind="card", url="https://a.example/", alt=NOT_TEXT),)),
        Tweet(id="3", position=3, unavailable=NOT_TEXT),
    )  # fmt: skip
    outputs = [
        to_markdown(Thread(id="1", tweets=tweets)),
        to_markdown(Article(title=NOT_TEXT, tweets=tweets)),
        to_markdown(Listing(title=NOT_TEXT, threads=(ThreadPreview(section=NOT_TEXT, tweets=tweets),))),
    ]  # fmt: skip
    for out in outputs:
        lines = out.split("\n")
        assert len([line for line in lines if MD_LABEL.match(line)]) == 3, out
        assert not any(line.startswith(("57", "58")) for line in lines), out


# -- the error of a write the store refuses -------------------------------------------------


def test_a_path_out_of_the_store_is_not_blamed_on_a_full_disk(tmp_path: Path) -> None:
    # A folder of the store replaced by a link to somewhere else: the capture that would
    # write there is refused, and says so, without the disk-full hint ("free space").
    store = tmp_path / "archive"
    threadkeep("archive", str(THREAD), "--store", str(store))
    outside = tmp_path / "outside"
    (store / "gen-1" / "tweets").rename(outside)
    (store / "gen-1" / "tweets").symlink_to(outside)
    changed = tmp_path / "changed.html"
    changed.write_bytes(THREAD.read_bytes().replace(b"Never, ever, read", b"Never read"))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "threadkeep", "archive", str(changed), "--store", str(store)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    first = done.stderr.splitlines()[0]
    assert "path escapes the store: gen-1/tweets/" in first, first
    # format 3: the capture object was written (inside the store) before the merge refused
    assert "; refused: nothing was written outside the store; the capture is kept (" in first
    assert first.endswith(
        "but not merged yet: the next capture or `threadkeep verify --repair` merges it"
    ), first
    assert "free space" not in done.stderr and "Traceback" not in done.stderr
