"""Thread Reader thread pages, 2018–2026 markup, asserted on facts a reader can check."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import threadkeep
from tests.conftest import fixture_bytes


@pytest.fixture(scope="module")
def quinnypig() -> threadkeep.Thread:
    result = threadkeep.parse(fixture_bytes("threadreader/quinnypig_2020_full.html"))
    assert isinstance(result, threadkeep.Thread)
    return result


def test_full_2020_page_has_every_thread_tweet_and_no_related_cards(
    quinnypig: threadkeep.Thread,
) -> None:
    # The page holds 129 div.content-tweet: 27 belong to "More from" / "Related threads" cards.
    assert len(quinnypig.tweets) == 102
    assert {t.author.handle for t in quinnypig.tweets if t.author} == {"QuinnyPig"}
    assert [t.position for t in quinnypig.tweets] == list(range(1, 103))
    texts = "\n".join(t.text or "" for t in quinnypig.tweets)
    assert "To: corey@lastweekinaws.com" not in texts  # first related card
    assert "Missing some Tweet" not in texts


def test_thread_header(quinnypig: threadkeep.Thread) -> None:
    assert quinnypig.id == "1215710451343904768"
    assert quinnypig.url == "https://threadreaderapp.com/thread/1215710451343904768.html"
    assert quinnypig.author == threadkeep.Author(
        handle="QuinnyPig",
        name="Corey Quinn",
        url="https://twitter.com/QuinnyPig",
        avatar="https://threadreaderapp.com/images/avatars/97114171.jpg",
    )
    assert quinnypig.created_at == datetime(2020, 1, 10, 19, 2, 13, tzinfo=UTC)
    assert quinnypig.declared_count == 102
    assert quinnypig.read_minutes == 21
    assert quinnypig.complete is True
    assert quinnypig.gaps == ()
    assert quinnypig.title is not None
    assert quinnypig.title.startswith("Thread by @QuinnyPig: Okay. For every retweet")
    assert "I'll add" in quinnypig.title  # &#039; decoded once


def test_tweet_texts_ids_and_times(quinnypig: threadkeep.Thread) -> None:
    first, second, last = quinnypig.tweets[0], quinnypig.tweets[1], quinnypig.tweets[-1]
    assert first.id == "1215710451343904768"
    assert first.text == (
        "Okay. For every retweet this gets (TO A POINT!) I'll add a thought / tip / "
        "observation about speaking at conferences."
    )
    assert first.url == "https://twitter.com/QuinnyPig/status/1215710451343904768"
    assert second.id == "1215710523129384960"
    assert (
        second.text == "This thread inspired by @mattstratton. I BET YOU'LL TAKE NOTES THIS TIME!"
    )
    assert second.mentions == ("mattstratton",)
    assert last.id == "1215907771293429760"
    assert last.text == (
        "For a few hundred bucks you can have a bespoke slide deck template made. "
        "I highly recommend it."
    )
    # Snowflake ids carry their creation time to the millisecond.
    assert first.created_at == datetime(2020, 1, 10, 19, 2, 13, 65000, tzinfo=UTC)


def test_paragraph_breaks_and_quoted_tweets(quinnypig: threadkeep.Thread) -> None:
    t66 = quinnypig.tweets[65]
    assert t66.text == (
        "We continue! I've gotten some pushback on this one:\n\n"
        "I stand by it. Build two decks--one to present, and one to distribute! "
        "Alternately, build a talk *and* a blog post."
    )
    assert t66.quoted is not None
    assert t66.quoted.id == "1215720347384705024"
    assert t66.quoted.author is not None and t66.quoted.author.handle == "QuinnyPig"
    assert t66.quoted.text is None  # the page shows only a link to it
    t68 = quinnypig.tweets[67]
    assert t68.quoted is not None
    assert (t68.quoted.id, t68.quoted.author and t68.quoted.author.handle) == (
        "1215732534710980608",
        "sakjur",
    )
    assert "External Tweet loading" not in (t68.text or "")


def test_links_are_expanded_from_href(quinnypig: threadkeep.Thread) -> None:
    links = [link for t in quinnypig.tweets for link in t.links]
    assert (
        threadkeep.Link(
            url="https://doitlive.readthedocs.io/en/stable/",
            display="doitlive.readthedocs.io/en/stable/",
        )
        in links
    )


def test_modern_2026_page() -> None:
    thread = threadkeep.parse(fixture_bytes("threadreader/mxs_nightmare_2026_fragment.html"))
    assert isinstance(thread, threadkeep.Thread)
    assert thread.author is not None
    assert thread.author.handle == "MXS_Nightmare"
    assert thread.author.name == "🇺🇲Miller🦅 🌡Show More Replies! ⭐Independent🌟"
    assert thread.author.avatar == (
        "https://pbs.twimg.com/profile_images/1147907785079701505/BnDVIRVC_bigger.jpg"
    )
    assert thread.created_at == datetime(2026, 8, 18, 23, 33, 37, tzinfo=UTC)
    assert thread.date_text == "Aug 18"
    assert [t.id for t in thread.tweets] == ["2089858284660662307", "2089858616614687166"]
    first = thread.tweets[0].text or ""
    assert first.startswith("Some of you all might have seen my upset last week")
    assert "🧙\u200d♂️" in first  # the zero-width joiner survives
    assert first.endswith("On current portal it is now 500 sols..")
    assert thread.tweets[1].text is not None
    assert thread.tweets[1].text.endswith("Ok, doable right?\nWell, they changed scenario.🤣")
    assert thread.complete is None  # the fragment states no count and no numbering


def test_page_derived_from_an_unroll() -> None:
    thread = threadkeep.parse(fixture_bytes("threadreader/weizmangal_2023_derived_post.html"))
    assert isinstance(thread, threadkeep.Thread)
    assert thread.id == "1610728465363505152"
    assert len(thread.tweets) == 13
    assert thread.author is not None and thread.author.handle == "WeizmanGal"
    first, second = thread.tweets[0], thread.tweets[1]
    assert first.text is not None and first.text.startswith(
        "Excited to introduce the experimental ⚠️ #LavaMoat 🌋 toolbox technology,"
    )
    assert "LavaMoat" in first.hashtags
    cards = [m for m in first.media if m.kind == "card"]
    assert cards and cards[0].url == "https://github.com/lavamoat/snow"
    assert "Use Snow to finally secure" not in (first.text or "")  # card text is not tweet text
    assert second.quoted is not None and second.quoted.id == "1593879906928074753"
    photos = [m.url for t in thread.tweets for m in t.media if m.kind == "photo"]
    assert photos == [
        "https://pbs.twimg.com/media/Flp1A2-aAAAZFWf.jpg",
        "https://pbs.twimg.com/media/Flp1BxwaYAAfuG3.jpg",
        "https://pbs.twimg.com/media/Flp1CzNagAAn-Lk.jpg",
    ]
    last = thread.tweets[-1].text or ""
    assert last.startswith("I will continue to talk about Snow")
    assert "Remember: Snow is still experimental ⚠️" in last


def test_an_empty_block_after_a_permalink_is_no_tweet() -> None:
    # A blog post made from a 2023 unroll: after one tweet's permalink an empty <div>, then
    # the <hr> that ends the tweet (seen in a real post; it gave a tweet with no text).
    page = (
        b"<html><body><article>First tweet.\n"
        b'<sup class="tw-permalink"><i class="fas fa-link"></i></sup>\n<hr>\n'
        b"However,\n"
        b'<sup class="tw-permalink"><i class="fas fa-link"></i></sup>\n<div>\n</div><hr>\n'
        b"Third tweet.\n"
        b'<sup class="tw-permalink"><i class="fas fa-link"></i></sup>\n<hr>\n'
        b"</article></body></html>"
    )
    thread = threadkeep.parse(page)
    assert isinstance(thread, threadkeep.Thread)
    assert [t.text for t in thread.tweets] == ["First tweet.", "However,", "Third tweet."]
