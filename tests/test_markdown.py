"""Markdown copies of Thread Reader unrolls (web clippings) and Markdown posts' front matter."""

from __future__ import annotations

import pytest

import threadkeep
from tests.conftest import fixture_bytes
from threadkeep.parsing.shared import split_front_matter

BRAVE = "text/tra_markdown_brave_2025_obsidian_clipping.md"


@pytest.fixture(scope="module")
def brave() -> threadkeep.Thread:
    result = threadkeep.parse(fixture_bytes(BRAVE), source=BRAVE)
    assert isinstance(result, threadkeep.Thread)
    return result


def test_real_clipping_is_a_thread_with_its_author_and_id(brave: threadkeep.Thread) -> None:
    assert threadkeep.detect(fixture_bytes(BRAVE)) == "markdown-thread"
    assert brave.id == "1958152314914508893"  # from the front matter's source
    assert brave.author is not None
    assert (brave.author.handle, brave.author.name) == ("brave", "Brave")
    assert brave.source is not None and brave.source.kind == "text"
    assert len(brave.tweets) == 7
    assert [t.position for t in brave.tweets] == [1, 2, 3, 4, 5, 6, 7]


def test_clipping_tweets_keep_paragraphs_and_lose_markdown(brave: threadkeep.Thread) -> None:
    first, _, _, fourth, *_, last = brave.tweets
    assert first.text == (
        "AI agents that can browse the Web and perform tasks on your behalf have incredible "
        "potential but also introduce new security risks.\n\nWe recently found, and disclosed, "
        "a concerning flaw in Perplexity's Comet browser that put users' accounts and other "
        "sensitive info in danger."
    )
    assert first.links == ()  # "browser" is one of Thread Reader's keyword links
    # A hard line break is a line break; "1\." is Markdown for "1.".
    assert fourth.text is not None
    assert fourth.text.startswith("One example attack:\n1. A Comet user sees a Reddit thread")
    assert "\n\n2. The user asks Comet to summarize the thread.\n\n3. Comet" in fourth.text
    assert last.text is not None and last.text.endswith("nearly 100 million users. Stay tuned!")


def test_clipping_media(brave: threadkeep.Thread) -> None:
    assert [(m.kind, m.url) for m in brave.tweets[0].media] == [
        ("photo", "https://pbs.twimg.com/media/GyzACvZXUAAC5kO.jpg")
    ]
    (video,) = brave.tweets[3].media
    assert video.kind == "video"
    # The last <source>, as on the page; never the HLS playlist.
    assert video.url == (
        "https://video.twimg.com/amplify_video/1958150857653919744/vid/avc1/3452x2146/"
        "aCbMjAInY26kAoCG.mp4"
    )
    assert "<video" not in (brave.tweets[3].text or "")


def test_clipping_footer_and_more_from_section_are_not_tweets(brave: threadkeep.Thread) -> None:
    texts = "\n".join(t.text or "" for t in brave.tweets)
    for chrome in (
        "Enter URL or ID to Unroll",
        "Missing some Tweet",
        "Keep Current with",
        "Profile picture",
        "Removed Anytime",
        "More from @brave",
        "Leo doesn't",  # the first tweet of another thread in "More from"
        "Send Email",
    ):
        assert chrome not in texts


CLIPPING = """## Thread by @someone

![Some One Profile picture](https://pbs.twimg.com/profile_images/1/a_bigger.jpg)

[@someone](https://twitter.com/someone)

• 3 tweets • 1 min read •

1/ Start with [#archives](https://threadreaderapp.com/hashtag/archives) and \\*stars\\*, \
see [github.com/duckduckgo/And…](https://github.com/duckduckgo/Android/issues/6433)<hard>
<hard>
a second paragraph with [@other](https://twitter.com/other)

2/ [**bitcoin/bips** Bitcoin Improvement Proposals.](https://github.com/bitcoin/bips) \
![Image](https://pbs.twimg.com/media/A.jpg) ![](https://pbs.twimg.com/media/B.jpg)

3/ A gif [](https://twitter.com/someone/status/1300000000000000002) <video controls="" poster="https://pbs.twimg.com/tweet_video_thumb/G.jpg">\
<source src="https://video.twimg.com/tweet_video/G.mp4" type="video/mp4"></video>

• • •

Missing some Tweet in this thread? You can try to [force a refresh](https://threadreaderapp.com/thread/1.html)

**Keep Current with [Some One](https://threadreaderapp.com/user/someone)**

## More from @someone

Not a tweet of this thread.
""".replace("<hard>", "  ")  # a hard line break: two spaces at a line's end


def test_clipping_without_front_matter() -> None:
    assert threadkeep.detect(CLIPPING) == "markdown-thread"
    thread = threadkeep.parse(
        CLIPPING, url="https://threadreaderapp.com/thread/1300000000000000000.html"
    )
    assert isinstance(thread, threadkeep.Thread)
    assert thread.id == "1300000000000000000"
    assert thread.author is not None
    assert (thread.author.handle, thread.author.name) == ("someone", "Some One")
    assert thread.declared_count == 3 and thread.read_minutes == 1
    assert thread.complete is True
    first, second, third = thread.tweets
    assert first.text == (
        "1/ Start with #archives and *stars*, see github.com/duckduckgo/And…\n\n"
        "a second paragraph with @other"
    )
    assert first.marker == "1/"
    assert first.hashtags == ("archives",) and first.mentions == ("other",)
    assert [(link.url, link.display) for link in first.links] == [
        ("https://github.com/duckduckgo/Android/issues/6433", "github.com/duckduckgo/And…")
    ]
    assert [(m.kind, m.url, m.alt) for m in second.media] == [
        ("card", "https://github.com/bitcoin/bips", "bitcoin/bips"),
        ("photo", "https://pbs.twimg.com/media/A.jpg", None),
        ("photo", "https://pbs.twimg.com/media/B.jpg", None),
    ]
    assert second.text == "2/"
    assert [(m.kind, m.url, m.preview) for m in third.media] == [
        (
            "gif",
            "https://video.twimg.com/tweet_video/G.mp4",
            "https://pbs.twimg.com/tweet_video_thumb/G.jpg",
        )
    ]
    # A permalink whose icon was lost gives the tweet its id, url and time.
    assert (third.id, third.url) == (
        "1300000000000000002",
        "https://twitter.com/someone/status/1300000000000000002",
    )
    assert third.created_at is not None and third.created_at.year == 2020
    assert third.text == "3/ A gif"
    assert first.id is None and third.links == ()
    assert "Not a tweet" not in "".join(t.text or "" for t in thread.tweets)


def test_plain_text_copy_is_still_read_by_its_own_rules() -> None:
    # In a text copy a single line break starts a tweet; in Markdown it does not.
    text = "Thread by @abc\nFirst tweet\nSecond tweet\n\n• • •\nKeep Current with ABC\n"
    assert threadkeep.detect(text) == "text-thread"
    assert len(threadkeep.parse(text).tweets) == 2


def test_front_matter_naming_a_thread_but_holding_none_is_an_error() -> None:
    page = fixture_bytes("broken/tra_markdown_clipping_footer_only.md")
    with pytest.raises(threadkeep.UnsupportedPage, match="no tweets before its footer"):
        threadkeep.parse(page)


def test_markdown_post_without_thread_reader_signs_is_not_a_thread() -> None:
    post = (
        '---\ntitle: "Tweet Storm - About Schnorr Sigs"\nauthor: someone\n---\n\n'
        + "A paragraph of prose about signatures and why they matter to everyone. " * 10
        + "\n\nAnother paragraph.\n\nA third one, [with a link](https://example.org/).\n"
    )
    assert threadkeep.detect(post) == "text-article"
    result = threadkeep.parse(post)
    assert isinstance(result, threadkeep.Article)
    assert result.title == "Tweet Storm - About Schnorr Sigs"  # not the "---" line


@pytest.mark.parametrize(
    "text",
    ["---\ntitle: never closed\n\nbody", "--- not a delimiter\ntitle: x\n---\n", "body only"],
)
def test_no_front_matter_is_read_where_there_is_none(text: str) -> None:
    assert split_front_matter(text) == ({}, text)
