"""Issue 13, class 2: text and Markdown copies of Thread Reader pages, one test per rule.

Each test reads a copy in ``fixtures/text_threadreader/`` (real unless its name says
CONSTRUCTED; provenance in that folder's SOURCES.md) and checks the part of the parse its rule
decides. The goldens check the rest.
"""

from __future__ import annotations

from pathlib import Path

import threadkeep
from threadkeep.models import Listing, Thread

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "text_threadreader"


def thread(name: str) -> Thread:
    result = threadkeep.parse(FIXTURES / name)
    assert isinstance(result, Thread)
    return result


def test_surviving_markup_fragments_give_ids_author_and_boundaries() -> None:
    copy = thread("tldr_en_2026_sakana_text_markup_fragments.md")
    assert len(copy.tweets) == copy.declared_count == 10
    first, second = copy.tweets[:2]
    assert (first.id, first.author and first.author.handle) == (
        "2068861630327443966",
        "SakanaAILabs",
    )
    assert first.created_at is not None and first.created_at.date().isoformat() == "2026-06-22"
    # A long tweet's own single line breaks are not tweet boundaries.
    assert second.text.startswith("Fugu stands shoulder-to-shoulder")
    assert second.text.endswith("required for true AI sovereignty.")
    assert not any("data-tweet" in t.text or "Scrolly" in t.text for t in copy.tweets)


def test_read_n_tweets_after_a_threads_footer_is_not_a_listing() -> None:
    data = (FIXTURES / "tldr_en_2026_sakana_text_markup_fragments.md").read_bytes()
    assert b"Read 4 tweets" in data
    assert threadkeep.detect(data) == "text-thread"


def test_view_counts_and_link_preview_cards_are_not_tweets() -> None:
    copy = thread("obsidian_en_2026_bcherny_views_cards_hardbreaks.md")
    assert len(copy.tweets) == 15
    assert not any(t.text.endswith("views") or not t.text for t in copy.tweets)
    cards = [m for m in copy.tweets[1].media if m.kind == "card"]
    assert [(c.url, c.alt) for c in cards] == [
        (
            "https://code.claude.com/docs/en/terminal-config#iterm-2-system-notifications",
            "Optimize your terminal setup - Claude Code Docs",
        )
    ]
    # Hard breaks keep a tweet's paragraphs in it.
    assert copy.tweets[0].text.endswith("So, here goes.")


def test_numbered_paragraphs_without_hard_breaks_rejoin_their_tweets() -> None:
    copy = thread("scholion_en_2026_bcherny_views_no_hardbreaks.md")
    assert copy.tweets[0].text.startswith("I'm Boris") and copy.tweets[0].text.endswith(
        "here goes."
    )
    assert copy.tweets[4].text.startswith("4/ Our team") and "Other teams" in copy.tweets[4].text
    assert [t.text.split("/")[0] for t in copy.tweets[1:]] == [str(n) for n in range(1, 14)]
    assert copy.tweets[6].text.endswith("really important!")  # the "!" before a linked image


def test_markdownload_heading_and_excerpt_are_header_and_hard_breaks_stay_in_a_tweet() -> None:
    copy = thread("markdownload_en_2025_klarnaseb_hardbreaks.md")
    assert copy.author is not None and copy.author.handle == "klarnaseb"
    assert len(copy.tweets) == 24
    assert copy.tweets[0].text.startswith("Yes, we did shut down Salesforce")
    assert copy.tweets[5].text.count("\n") == 2  # a tweet of three lines
    assert "@cursor_ai" in copy.tweets[15].text


def test_a_list_after_a_colon_stays_in_its_tweet_and_no_footer_is_needed() -> None:
    copy = thread("tldrpipeline_en_2026_portal_no_header_no_footer.md")
    assert len(copy.tweets) == 7
    assert copy.tweets[2].text.startswith("Agents need to share context")
    assert copy.tweets[2].text.endswith("often hurts accuracy")


def test_numbered_line_starts_decide_boundaries_in_a_copy_with_no_header() -> None:
    copy = thread("constructed_lynxdump_en_nm_lines_cut_off.txt")
    assert [t.marker for t in copy.tweets] == ["1/7", "2/7", "3/7", "4/7", "5/7"]
    assert copy.tweets[1].text.endswith("but many")  # the sentence goes on in 3/7
    assert copy.tweets[2].text.startswith("3/7 residents say")
    assert [m.kind for m in copy.tweets[3].media] == ["photo"]
    assert copy.complete is False


def test_one_block_per_declared_tweet_in_a_scrolly_tale_copy() -> None:
    copy = thread("constructed_scrolly_en_tale_paragraph_per_tweet.txt")
    assert copy.declared_count == len(copy.tweets) == 6
    assert copy.author is not None and copy.author.handle == "example_tarot"
    assert copy.tweets[3].text.endswith("I had not told it anything about my year.")


def test_an_author_page_is_a_listing_of_that_authors_previews() -> None:
    page = threadkeep.parse(FIXTURES / "constructed_userpage_en_threads_by_underscore_handle.txt")
    assert isinstance(page, Listing)
    assert [p.declared_count for p in page.threads] == [7, 5, 3, 4]
    assert {p.author.handle for p in page.threads if p.author} == {"_examplelab"}
    assert page.threads[1].tweets[0].text == "Today we are announcing Route 7, a shared toolkit" + (
        " for wallets and exchanges that integrate new chains."
    )
    assert [m.kind for m in page.threads[1].tweets[0].media] == ["photo"]
    assert page.threads[2].tweets[0].text.startswith("Is there any consensus paper")
