"""Substack's tweets, every generation: the component element, the bare ``div.tweet`` /
``div.twitter-embed`` with ``data-attrs`` (2019–2022, sanitized feeds), quoted tweets with no
id, and the static cards of a post's e-mail and web version as Markdown copies keep them.

Each rule is checked on a real copy in ``fixtures/substack`` (see its SOURCES.md).
"""

from __future__ import annotations

from datetime import UTC, datetime

import lxml.html

import threadkeep
from tests.conftest import fixture_bytes
from threadkeep.parsing import substack, substack_cards


def parse(name: str) -> threadkeep.Article:
    result = threadkeep.parse(fixture_bytes(f"substack/{name}"))
    assert isinstance(result, threadkeep.Article)
    return result


def test_a_tweet_div_without_the_component_name_is_a_tweet() -> None:
    """2020: ``div.tweet[data-attrs]`` and its rendered header, text and footer."""
    (tweet,) = parse("substack_en_2020_kroger_div-tweet-attrs_gotest_slice.html").tweets
    assert tweet.id == "1271516803756425218"
    assert tweet.author is not None and tweet.author.handle == "kroger"
    assert tweet.text is not None and tweet.text.endswith("Black Lives Matter.")
    assert [m.url for m in tweet.media] == ["https://pbs.substack.com/media/EaVVy4aXsAglkCk.jpg"]


def test_a_quoted_tweet_without_an_id_is_kept() -> None:
    (tweet,) = parse("substack_en_2020_okdunc_quoted-no-id_jsx_slice.html").tweets
    assert tweet.id == "1314065374480986114"  # its url ends in a stray ")"
    quoted = tweet.quoted
    assert quoted is not None and quoted.id is None and quoted.url is None
    assert quoted.author is not None and quoted.author.handle == "OKDunc"
    assert (
        quoted.text
        == "30K users now touching the @Collab_Land_ system 🤲🤖 https://t.co/FtrqnUZSuR"
    )


def test_full_text_newlines_are_line_breaks() -> None:
    first, second = parse(
        "substack_en_2026_mattarderne_twitter-embed-attrs-only_jekyll_slice.html"
    ).tweets
    assert first.text == (
        "in 2025, what option does an LLM have but to do the data modelling in dbt?\n\n"
        "somewhat serious question"
    )
    assert second.text is not None and second.text.endswith(
        "\n\nblog.codecentric.de/en/2017/07/agi…"
    )
    assert second.links[0].url.startswith("https://blog.codecentric.de/en/2017/07/agile-database")


def test_the_data_div_inside_a_component_is_read_once() -> None:
    (tweet,) = parse("substack_en_2026_philogroves_reader-test_slice.html").tweets
    assert tweet.id == "2042195139477557499"
    assert tweet.author is not None and tweet.author.name == "Philo Groves"


def test_a_tweet_div_needs_its_data() -> None:
    """A ``div.tweet`` without ``data-attrs`` (a site's own widget) is not Substack's."""
    own = lxml.html.fromstring('<div class="tweet"><p>Not a tweet</p></div>')
    assert not substack.is_substack_tweet(own)
    data = lxml.html.fromstring('<div class="tweets-list" data-attrs="{}"></div>')
    assert not substack.is_substack_tweet(data)  # the class is a word, not a prefix


# -- Markdown copies: the static cards of a post's e-mail and web version -------------------


def test_a_card_gives_name_handle_text_date_photo_and_quote() -> None:
    result = parse("thedailygwei_en_2022_parithosh_card-with-quote_md_slice.md")
    assert (
        threadkeep.detect(
            fixture_bytes("substack/thedailygwei_en_2022_parithosh_card-with-quote_md_slice.md")
        )
        == "text-article"
    )
    (tweet,) = result.tweets
    assert tweet.id == "1544968914777645056"
    assert tweet.author is not None
    assert (tweet.author.handle, tweet.author.name) == ("parithosh_j", "parithosh | 🐼👉👈🐼")
    assert tweet.date_text == "8:57 AM ∙ Jul 7, 2022"
    assert tweet.text is not None and tweet.text.endswith("we are generally seeing ~95%.")
    assert [m.kind for m in tweet.media] == ["photo"]
    quoted = tweet.quoted  # the second avatar starts it; it has no id of its own
    assert quoted is not None and quoted.id is None
    assert quoted.author is not None and quoted.author.handle == "EthDreamer"
    assert quoted.text is not None and quoted.text.endswith("concerns from the community: 1/6")


def test_the_text_starts_right_after_a_glued_handle() -> None:
    (tweet,) = parse("astralcodexten_en_2022_garymarcus_inline-card-linkcard_md_slice.md").tweets
    assert tweet.author is not None and tweet.author.name == "Gary Marcus 🇺🇦"
    assert (
        tweet.text
        == "excellent analysis from @slatestarcodex, consistent with what i speculated in"
    )
    # The link between the card and its footer is the tweet's link-preview card.
    assert [(m.kind, m.url) for m in tweet.media] == [
        ("card", "https://garymarcus.substack.com/p/horse-rides-astronaut")
    ]
    assert tweet.date_text == "11:20 PM ∙ May 30, 2022"


def test_the_e_mail_version_has_no_id_and_dates_from_the_card() -> None:
    (tweet,) = parse("email-protonmail_en_2022_alunara_static-card-no-id_md_slice.md").tweets
    assert tweet.id is None and tweet.url is None  # its links are e-mail redirects
    assert tweet.author is not None and tweet.author.handle == "0xAlunara"  # from the avatar
    assert tweet.created_at == datetime(2022, 2, 8, tzinfo=UTC)
    assert tweet.text is not None and tweet.text.endswith("Curve v2 fixes this.")


def test_cards_of_2019_2020_keep_date_and_counts_inside_the_link() -> None:
    tweets = parse("bringthedonuts_en_2021_four-cards-2019-2020_md_slice.md").tweets
    assert [t.author.handle for t in tweets if t.author] == [
        "shreyas", "isaach", "isaach", "jeff_weinstein",
    ]  # fmt: skip
    assert [t.date_text for t in tweets] == [
        "September 4th 2020", "September 8th 2020", "September 8th 2020", "June 19th 2019",
    ]  # fmt: skip
    assert tweets[0].text is not None and tweets[0].text.endswith("\n\nRole ≠ Title")
    (glued,) = parse("robotface_en_2020_exgenesis_inline-card_md_slice.md").tweets
    assert glued.text is not None and glued.text.startswith("ThreadHelper works as a pump")
    assert glued.text.endswith("\n\n🧵6/17")
    assert [m.url for m in glued.media] == ["https://pbs.substack.com/media/ElbyIX_XgAABFIQ.jpg"]


def test_a_link_with_a_picture_is_no_card() -> None:
    """Only Substack's avatar (its alt, or its ``twitter_name`` proxy url) makes a card."""
    text = (
        "Post\n\n[![A photo](https://a.example/p.jpg)Jane @jane hello](https://x.com/jane/status/1)"
    )
    assert substack_cards.find_cards(text) == []


# The holdout of issue 13 (fixtures/substack/SOURCES.md, "Holdout"): rules written after its
# first run, each on the real copy that showed it.


def test_cards_of_2026_name_the_avatar_x_and_add_views() -> None:
    """ "X avatar for @handle"; "… · 584K Views" after the date; counts apart by "·"."""
    (tweet,) = parse("aishippingblog_en_2026_karpathy_x-avatar-card-photo_md.md").tweets
    assert tweet.id == "2029701092347630069"
    assert tweet.author is not None and tweet.author.name == "Andrej Karpathy"
    assert tweet.text is not None and tweet.text.endswith("from FineWeb-edu to")
    assert tweet.date_text == "11:30 PM · Mar 5, 2026 · 584K Views"
    assert [m.url for m in tweet.media] == ["https://pbs.substack.com/media/HCrwu6YaUAAoAlh.jpg"]


def test_a_2026_quote_avatar_without_alt_starts_the_quoted_tweet() -> None:
    """Its handle comes from the "Name @handle" line below; the footer after it is the card's."""
    first, second = parse(
        "aibyaakash_en_2026_two-x-avatar-cards-quotes_obsidian_md_slice.md"
    ).tweets
    assert first.text is not None and first.text.endswith("generating proposals,")
    assert first.date_text == "8:04 PM · Apr 8, 2026 · 979K Views"
    assert first.quoted is not None and first.quoted.author is not None
    assert (first.quoted.author.handle, first.quoted.author.name) == ("claudeai", "Claude")
    assert first.quoted.text is not None and first.quoted.text.startswith("Introducing Claude")
    assert first.quoted.text.endswith("on the Claude Platform.")  # no date, no counts
    assert second.quoted is not None and second.quoted.author is not None
    assert second.quoted.author.handle == "karpathy"


def test_a_listed_footer_and_a_bold_name_line() -> None:
    (tweet,) = parse("a16z_en_2026_steipete_x-avatar-card-list-counts_obsidian_md_slice.md").tweets
    assert tweet.author is not None and tweet.author.name == "Peter Steinberger"
    assert tweet.text is not None and tweet.text.endswith("loops that prompt your agents.")
    assert tweet.date_text == "6:58 PM · Jun 7, 2026"  # "- 8.5M", "- 1,796" are counts


def test_pandoc_fenced_tweet_divs_are_read_from_their_attrs() -> None:
    tweets = parse("interconnects_en_2023_pandoc-fenced-tweet-divs-export_md_slice.md").tweets
    assert [t.id for t in tweets] == ["1613306673447473152", "1636638029480706052"]
    assert tweets[0].text == "biden reporting on the parameter count of GPT-4"
    assert tweets[0].date_text == "Wed Jan 11 22:47:39 +0000 2023"
    assert tweets[1].text is None  # a photo only: its full_text is empty
    assert [m.url for m in tweets[1].media] == [
        "https://pbs.substack.com/media/FraBnDEXgAA-Sv1.jpg"
    ]


def test_cards_of_a_page_reduced_to_text() -> None:
    """ "Name@handle", the text, the footer glued to the last word; leaked JSON is no tweet."""
    tweets = parse("latentspace_en_2026_felixrieseberg_text-cards-leaked-attrs_md_slice.md").tweets
    assert [t.author.handle for t in tweets if t.author] == [
        "felixrieseberg", "felixrieseberg", "claudeai", "felixrieseberg", "felixrieseberg",
    ]  # fmt: skip
    assert all(t.id is None for t in tweets)
    assert tweets[0].text is not None and tweets[0].text.endswith("have been working")
    assert tweets[0].created_at == datetime(2026, 1, 13, 1, 12, tzinfo=UTC)
    assert tweets[1].created_at == datetime(2018, 8, 23, 14, 54, tzinfo=UTC)
    assert tweets[1].text is not None and tweets[1].text.endswith("github.com/felixrieseberg…")


def test_text_cards_need_the_card_footer() -> None:
    """A "Name@handle" line in prose, with no card footer after it, is no card."""
    assert substack_cards.find_cards("Post\n\nJane Doe@jane\nsaid hello at 1:12 AM.\n") == []


# The second holdout (issue 13): cards that lost their data-attrs, their avatar, or all but
# the tail of their JSON.


def test_a_static_card_without_data_attrs_is_read_from_its_rendering() -> None:
    """The e-mail's div.tweet.static: redirect links, the id only where a status url survives."""
    tweets = parse(
        "lennysnewsletter_en_2023_email-static-tweets-redirect-links_html_slice.html"
    ).tweets
    assert [t.author.handle for t in tweets if t.author] == [
        "vybhavram", "rishi_kar", "kranthitech", "olivercitrin", "dagaadit",
    ]  # fmt: skip
    assert [t.id for t in tweets] == ["1640386133208223745", None, None, None, None]  # likes' href
    assert tweets[1].created_at == datetime(2023, 3, 27, 16, 44, tzinfo=UTC)
    assert tweets[1].date_text == "4:44 PM ∙ Mar 27, 2023"
    assert tweets[4].text == (
        "@lennysan Steelmanning the other side of an argument when drafting a proposal"
        " (“why shouldn’t we do this?”)"
    )
    assert len(tweets[2].media) == 4  # the e-mail's photo grid


def test_a_div_tweet_without_the_static_cards_link_is_no_tweet() -> None:
    page = b'<div class="tweet"><span>A</span><span>@a</span><div class="tweet-text">x</div></div>'
    assert not substack.is_substack_tweet(lxml.html.fromstring(page))


def test_a_card_whose_header_was_dropped_starts_at_a_bare_status_url() -> None:
    tweets = parse("fudgesunday_en_2022_stop-2012-twittersre_stripped-cards-no-header_md.md").tweets
    assert [(t.author.handle if t.author else None, t.id) for t in tweets] == [
        ("stop", "266040874549526528"),
        ("TwitterSRE", "1458586120187355140"),
        ("TwitterEng", "1583470012202815488"),
        ("GergelyOrosz", "1596848885405728768"),
    ]
    assert tweets[0].text == "RIP, Fail Whale." and tweets[0].date_text == "4:54 AM ∙ Nov 7, 2012"
    assert tweets[1].date_text is None  # no date line: the day is the id's
    quoted = tweets[3].quoted  # a second "(url)" + "[text](url)": the quoted tweet
    assert quoted is not None and quoted.text is not None
    assert quoted.text.startswith("Two years ago, I ran my first and only Twitter ad")


def test_a_status_link_in_prose_is_no_header_dropped_card() -> None:
    copy = "Post\n\nHe said [RIP](https://twitter.com/a/status/266040874549526528).\n"
    assert substack_cards.find_cards(copy) == []


def test_a_one_link_card_with_no_avatar_glues_name_handle_text_and_footer() -> None:
    tweets = parse("garymarcus_en_2023_gradybooch_glued-card-no-avatar-reposts_md_slice.md").tweets
    assert len(tweets) == 1
    tweet = tweets[0]
    assert (tweet.id, tweet.author and tweet.author.handle) == (
        "1615232611026341889",
        "Grady_Booch",
    )
    assert tweet.author is not None and tweet.author.name == "Grady Booch"
    assert tweet.text is not None and tweet.text.endswith("of your children’s children")
    assert tweet.date_text == "6:20 AM · Jan 17, 2023"


def test_a_link_naming_the_handle_without_a_footer_is_no_card() -> None:
    copy = "Post\n\n[Grady Booch @grady_booch said so](https://twitter.com/grady_booch/status/1)\n"
    assert substack_cards.find_cards(copy) == []


def test_tails_of_the_components_json_are_its_tweets_when_no_card_is_read() -> None:
    tweets = parse(
        "bensbites_zh_2026_googleresearch-julianweisser_leaked-attrs-tails-only_md.md"
    ).tweets
    assert [(t.author.handle if t.author else None, t.text, t.id) for t in tweets] == [
        ("GoogleResearch", None, None),
        ("julianweisser", None, None),
    ]
    assert tweets[0].created_at == datetime(2026, 4, 15, 6, 40, 18, tzinfo=UTC)


def test_a_card_on_one_line_with_reader_numbered_alts_and_its_footer_glued() -> None:
    # Holdout-3 copies (Jina Reader dumps, 2026): "![Image 2: X avatar for @karpathy](…)", the
    # card's name, handle, text and footer on one line; a picture and "* * *" inside it.
    for name, tweet_id, day in [
        (
            "aimaker_en_2026_karpathy_jina-reader-x-card-truncated_md_slice.md",
            "2039805659525644595",
            "2026-04-02",
        ),
        (
            "productwithattitude_en_2026_karpathy_raindrop-jina-card-inline-image_md_slice.md",
            "2030371219518931079",
            "2026-03-07",
        ),
    ]:
        result = threadkeep.parse(fixture_bytes(f"substack/{name}"))
        (tweet,) = result.tweets
        assert (tweet.id, tweet.author.handle if tweet.author else None) == (tweet_id, "karpathy")
        assert tweet.created_at is not None and tweet.created_at.date().isoformat() == day
        assert tweet.text is not None and "Likes" not in tweet.text and " PM · " not in tweet.text


def test_a_card_with_its_footer_glued_and_raw_video_tags() -> None:
    # Holdout-4 copies (2026): "@getpeidhttps://t.co/…2:30 AM · Jan 14, 2026 · 91K Views" with
    # the counts on the next line; cards holding a clipper's raw <video controls src=…> tags.
    glued = threadkeep.parse(
        fixture_bytes(
            "substack/irrationalanalysis_en_2026_getpeid-researchqf_glued-x-cards-tco-only_md_slice.md"
        )
    ).tweets[0]
    assert glued.text == "https://t.co/ynfCSXu0Yh"
    videos = threadkeep.parse(
        fixture_bytes(
            "substack/kieranflanagan_en_2026_rileybrown-chrissgpt-majiammanath_x-cards-video-tags_md_slice.md"
        )
    ).tweets
    assert len(videos) == 3 and not any("<video" in (t.text or "") for t in videos)


def test_a_card_time_past_the_59th_minute_is_no_time() -> None:
    # The fuzzer's "6:60 AM" crashed the glued-card reader (datetime refuses minute 60); the
    # footer reader takes the same rule.
    from threadkeep.parsing.substack_footer import card_date
    from threadkeep.parsing.substack_text import card_footer

    assert card_date("8:75 AM ∙ Jul 7, 2022") is None
    assert card_date("8:57 AM ∙ Jul 7, 2022") is not None
    assert card_footer("the end6:60 AM · Jan 17, 2023") is None
    assert card_footer("the end6:59 AM · Jan 17, 2023") is not None
