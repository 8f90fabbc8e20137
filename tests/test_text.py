"""Plain-text copies of Thread Reader thread pages."""

from __future__ import annotations

import pytest

import threadkeep
from tests.conftest import fixture_bytes

FOOTER = [
    "Missing some Tweet in this thread?",
    "Keep Current with",
    "This Thread may be Removed Anytime!",
    "Try unrolling a thread yourself!",
    "Did Thread Reader help you today?",
    "Donate",
    "• • •",
    "Profile picture",
]


@pytest.fixture(scope="module")
def dial_m() -> threadkeep.Thread:
    result = threadkeep.parse(fixture_bytes("text/seed004_thread_dial_m.txt"))
    assert isinstance(result, threadkeep.Thread)
    return result


def test_one_thread_by_its_author_without_footer(dial_m: threadkeep.Thread) -> None:
    assert dial_m.author is not None and dial_m.author.name == "Dial M for Matt"
    assert dial_m.source is not None and dial_m.source.kind == "text"
    texts = "\n".join(t.text or "" for t in dial_m.tweets)
    for chrome in FOOTER:
        assert chrome not in texts


def test_tweets_keep_paragraphs_and_lists(dial_m: threadkeep.Thread) -> None:
    assert len(dial_m.tweets) == 18
    assert dial_m.tweets[0].text == (
        "A bunch of people have asked me to write about the Armenia-Azerbaijan conflict since "
        "I lived in the region for years and know it well. I stopped following the news "
        "months ago, but here you go.\n\nCAVEAT EMPTOR: take what I write (and everything on "
        "this site) with a grain of salt."
    )
    choice = dial_m.tweets[12].text or ""
    assert choice.startswith("This is the choice Russia faces if war can't be avoided:\n\n- Commit")
    assert "\n- Leave Armenia to twist in the wind" in choice
    assert dial_m.tweets[-1].text == (
        "That's the situation for now. May write more if there's interest and if things get "
        "worse (I assume things will get worse)."
    )
    assert [t.position for t in dial_m.tweets] == list(range(1, 19))


def test_header_lines_of_a_modern_text_copy() -> None:
    copy = (
        "Thread by @example_user\n"
        "Example User Profile picture\n"
        "• 3 tweets • 1 min read •\n"
        "Read on X\n"
        "First tweet of the thread 1/3\n"
        "Second tweet 2/3\n"
        "Third 3/3\n"
        "• • •\n"
        "Missing some Tweet in this thread? You can try to force a refresh\n"
    )
    thread = threadkeep.parse(copy.encode())
    assert isinstance(thread, threadkeep.Thread)
    assert thread.author is not None
    assert (thread.author.handle, thread.author.name) == ("example_user", "Example User")
    assert thread.declared_count == 3 and thread.read_minutes == 1
    assert [t.text for t in thread.tweets] == [
        "First tweet of the thread 1/3",
        "Second tweet 2/3",
        "Third 3/3",
    ]
    assert thread.complete is True


def test_missing_numbered_tweet_is_a_gap() -> None:
    copy = "Intro 1/4\nNext 2/4\nLast 4/4\n• • •\nKeep Current with Someone\n"
    thread = threadkeep.parse(copy.encode())
    assert isinstance(thread, threadkeep.Thread)
    assert [t.position for t in thread.tweets] == [1, 2, 4]
    assert thread.gaps == (3,)
    assert thread.complete is False
    assert thread.author is not None and thread.author.name == "Someone"


def test_picture_placeholder_on_its_own_line_joins_the_tweet_above() -> None:
    copy = "A photo of the river:\nImage\nSecond tweet.\n• • •\nKeep Current with Someone\n"
    thread = threadkeep.parse(copy.encode())
    assert isinstance(thread, threadkeep.Thread)
    assert [t.text for t in thread.tweets] == ["A photo of the river:", "Second tweet."]
    assert [m.kind for m in thread.tweets[0].media] == ["photo"]
