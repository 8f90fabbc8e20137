"""Constructed Thread Reader pages (fixtures/constructed/README.md): one edge case each."""

from __future__ import annotations

import threadkeep
from tests.conftest import fixture_bytes
from tests.test_listing import SEED_003_COUNTS


def thread(name: str) -> threadkeep.Thread:
    result = threadkeep.parse(fixture_bytes(f"constructed/{name}"))
    assert isinstance(result, threadkeep.Thread)
    return result


def test_quotes_media_and_related_cards_2020() -> None:
    page = thread("tra_2020_quoted_media.html")
    assert [t.id for t in page.tweets] == [
        "1300073817700970497",
        "1300073989666447360",
        "1300074216161021953",
        "1300074488787980290",
        "1300074794975428608",
    ]
    first, second, third, fourth, fifth = page.tweets
    assert first.text is not None and first.text.startswith("@someone Good question!")
    assert "Q&A" in first.text
    assert (first.mentions, first.hashtags) == (("someone",), ("THREAD",))
    assert second.quoted is not None
    assert second.quoted.url == "https://twitter.com/other_archivist/status/1299271464122986497"
    assert "?s=20" not in (second.text or "")
    assert [(m.kind, m.url) for m in third.media] == [
        ("photo", "https://pbs.twimg.com/media/AAA.jpg")
    ]
    video = fourth.media[0]
    assert video.kind == "video"
    assert video.url == "https://video.twimg.com/ext_tw_video/1/pu/vid/1280x720/b.mp4"
    assert video.preview == "https://pbs.twimg.com/ext_tw_video_thumb/1/pu/img/x.jpg"
    assert [(m.kind, m.url) for m in fifth.media] == [
        ("gif", "https://video.twimg.com/tweet_video/G.mp4")
    ]
    assert [link.url for link in fifth.links] == ["https://example.org/some/long/path"]
    everything = page.model_dump_json()
    assert "ZZZ.jpg" not in everything  # only in a related card
    assert "1293309984134426626" not in everything


def test_2023_card_and_rendered_quote() -> None:
    page = thread("tra_2023_card_rendered_quote.html")
    assert page.date_text == "Jan 4"
    assert (page.declared_count, page.read_minutes) == (3, 1)
    card = page.tweets[0].media[0]
    assert (card.kind, card.url) == ("card", "https://github.com/example/repo")
    assert card.alt == "GitHub - example/repo: Mirror a repository and its issues to plain files"
    assert "Mirror a repository" not in (page.tweets[0].text or "")
    quoted = page.tweets[1].quoted
    assert quoted is not None and quoted.id == "1604794352794218497"
    assert quoted.author is None  # the iframe does not say who wrote it
    assert page.tweets[2].mentions == ("agoric",)


def test_missing_numbered_tweet_is_a_gap() -> None:
    page = thread("tra_numbering_gap.html")
    assert [t.marker for t in page.tweets] == ["1/6", "2/6", "3/6", "5/6", "6/6"]
    assert [t.position for t in page.tweets] == [1, 2, 3, 5, 6]
    assert page.gaps == (4,)
    assert page.complete is False
    assert page.declared_count == 6


def test_numbering_styles() -> None:
    page = thread("tra_numbering_styles.html")
    assert [t.marker for t in page.tweets] == ["(1 of 6)", "2.", "3️⃣", "(4/6)", "5/", "6/6"]
    assert [t.position for t in page.tweets] == [1, 2, 3, 4, 5, 6]
    assert page.complete is True


def test_2019_page_without_ids() -> None:
    page = thread("tra_2019_no_ids.html")
    assert page.id == "1096516325735018497"
    assert page.author is not None
    assert (page.author.handle, page.author.name) == ("vintage_poster", "Vintage Poster")
    assert [t.id for t in page.tweets] == ["1096516325735018497", None, None]
    assert [m.kind for t in page.tweets for m in t.media] == ["photo", "gif"]


def test_hashtag_listing_with_24_cards() -> None:
    listing = threadkeep.parse(fixture_bytes("constructed/tra_hashtag_listing_24.html"))
    assert isinstance(listing, threadkeep.Listing)
    assert listing.topic == "#archiving"
    assert listing.declared_total == 24
    assert [p.declared_count for p in listing.threads] == SEED_003_COUNTS
    assert sum(len(p.tweets) for p in listing.threads) == 30
    assert listing.threads[0].thread_id == "1792623828929716224"
    assert listing.threads[-1].author is not None
    assert listing.threads[-1].author.handle == "xan_xerox"
