"""Thread Reader listing pages (HTML and text copies): cards, counts, sections, totals."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import threadkeep
from tests.conftest import fixture_bytes

SEED_003_COUNTS = [
    5,
    11,
    10,
    24,
    9,
    11,
    14,
    7,
    11,
    3,
    42,
    3,
    8,
    3,
    3,
    4,
    4,
    11,
    14,
    10,
    3,
    12,
    20,
    8,
]


@pytest.fixture(scope="module")
def homepage() -> threadkeep.Listing:
    result = threadkeep.parse(fixture_bytes("listing/homepage_2018.html"))
    assert isinstance(result, threadkeep.Listing)
    return result


def test_homepage_cards(homepage: threadkeep.Listing) -> None:
    assert homepage.title == "Discover and read the best of Twitter Threads"
    assert len(homepage.threads) == 24
    first = homepage.threads[0]
    assert first.author == threadkeep.Author(
        handle="sal__ohcin",
        name="Sal ₿ Ohcin M.D. ⚡️",
        url="https://twitter.com/sal__ohcin",
        avatar="https://threadreaderapp.com/images/avatars/885894744097804288.jpg",
    )
    assert first.url == "https://threadreaderapp.com/thread/973394227957784576.html"
    assert first.thread_id == "973394227957784576"
    assert first.declared_count == 12
    assert first.created_at == datetime.fromtimestamp(1520910243, tz=UTC)
    assert first.section == "Technology"
    assert first.tweets[0].text == (
        "Cryptocurrency is effecting a turning of the tide from Gresham's Law to Thiers' Law."
    )
    assert first.tweets[0].id == "973394227957784576"  # the root tweet names the thread
    assert [t.marker for t in first.tweets] == [None, "2/", "3/"]
    assert homepage.threads[1].author is not None
    assert homepage.threads[1].author.handle == "AntonyMarcano"
    assert homepage.threads[1].declared_count == 25
    last = homepage.threads[-1]
    assert (last.author and last.author.handle, last.thread_id, last.declared_count) == (
        "Greg_Palast",
        "893559272469962752",
        29,
    )


def test_homepage_sections_and_hashtags(homepage: threadkeep.Listing) -> None:
    sections = list(dict.fromkeys(p.section for p in homepage.threads))
    assert sections == ["Technology", "Science and Space", "Culture and Books", "Politics"]
    assert homepage.hashtags[:4] == ("#Physics", "#Cassini", "#Democrats", "#BTC")


def test_card_showing_later_tweets_does_not_claim_the_root(homepage: threadkeep.Listing) -> None:
    # This card shows tweets "3.", "4." and "6." of its thread, not the opening ones.
    card = next(p for p in homepage.threads if p.author and p.author.handle == "DropTha_Mic25")
    assert [t.position for t in card.tweets] == [3, 4, 6]
    assert all(t.id is None for t in card.tweets)


def test_quoted_placeholder_is_not_text(homepage: threadkeep.Listing) -> None:
    card = homepage.threads[1]
    opening = card.tweets[0]
    assert "External Tweet loading" not in (opening.text or "")
    assert opening.quoted is not None and opening.quoted.id == "961004669714731010"


def test_text_copy_of_hashtag_listing() -> None:
    listing = threadkeep.parse(fixture_bytes("text/seed003_listing_nkpeace.txt"))
    assert isinstance(listing, threadkeep.Listing)
    assert listing.title == "Discover and read the best of Twitter Threads about #NKpeace"
    assert listing.topic == "#NKpeace"
    assert listing.declared_total == 24
    assert [p.declared_count for p in listing.threads] == SEED_003_COUNTS
    texts = "\n".join(t.text or "" for p in listing.threads for t in p.tweets)
    assert "Read 3 tweets" not in texts
    assert "Did Thread Reader help you today?" not in texts
    assert "Related hashtags" not in texts


def test_text_copy_splits_glued_lines() -> None:
    listing = threadkeep.parse(fixture_bytes("text/seed003_listing_nkpeace.txt"))
    assert isinstance(listing, threadkeep.Listing)
    # "Read 3 tweets… Read here the personal perspectives … 1/3… My blog … 2/3… ICYMI … 3/3"
    glued = listing.threads[14]
    assert [t.marker for t in glued.tweets] == ["1/3", "2/3", "3/3"]
    assert glued.tweets[0].text is not None
    assert glued.tweets[0].text.startswith("Read here the personal perspectives")
    assert glued.tweets[2].text is not None and glued.tweets[2].text.startswith("ICYMI")
    assert listing.threads[13].tweets[-1].text is not None
    assert listing.threads[13].tweets[-1].text.endswith("developments.…")


def test_text_copy_numbering_and_image_placeholders() -> None:
    listing = threadkeep.parse(fixture_bytes("text/seed003_listing_nkpeace.txt"))
    assert isinstance(listing, threadkeep.Listing)
    markers = [t.marker for p in listing.threads for t in p.tweets if t.marker]
    for style in ["(1/24)", "1/8", "1.", "1️⃣", "(1 of 11)", "THREAD 1/4", "⬇️"]:
        assert style in markers
    un = listing.threads[5]
    assert un.tweets[1].text is not None and un.tweets[1].text.endswith("threaded below? 👇")
    assert [m.kind for m in un.tweets[1].media] == ["photo"]
    assert un.tweets[1].media[0].url is None  # "Image" says a picture was there, not where
