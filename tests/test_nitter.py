"""Nitter pages: status pages with their conversation, timelines, media behind the proxy."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

import threadkeep
from tests.conftest import fixture_bytes
from threadkeep.parsing.nitter_tweet import proxied_media


def parse(relative: str, url: str | None = None) -> threadkeep.Article:
    result = threadkeep.parse(fixture_bytes(relative), url=url)
    assert isinstance(result, threadkeep.Article)
    return result


def by_id(article: threadkeep.Article) -> dict[str | None, threadkeep.Tweet]:
    return {tweet.id: tweet for tweet in article.tweets}


# -- the real 2020 status page ---------------------------------------------------------------


def test_real_status_page_gives_the_tweet_and_its_replies() -> None:
    page = parse("nitter/snopyta_2020_status_AktionUnterholz.html")
    assert threadkeep.detect(fixture_bytes("nitter/snopyta_2020_status_AktionUnterholz.html")) == (
        "nitter"
    )
    assert [t.id for t in page.tweets] == [
        "1258657263948005377",
        "1258669882759053318",
        "1258687276944699393",
        "1258693641633247232",
    ]
    assert page.source is not None and page.source.kind == "nitter"
    main = page.tweets[0]
    assert main.author == threadkeep.Author(
        handle="AktionUnterholz",
        name="Aktion Unterholz",
        url="https://twitter.com/AktionUnterholz",
        avatar="https://pbs.twimg.com/profile_images/1047140930686468098/sJsLgbVG_bigger.jpg",
    )
    assert main.url == "https://twitter.com/AktionUnterholz/status/1258657263948005377"
    assert main.date_text == "8/5/2020, 07:17:31"
    assert main.created_at == datetime(2020, 5, 8, 7, 17, 31, 103000, tzinfo=UTC)
    assert main.text is not None
    assert main.text.startswith("Auch um 9:00 sind die in #Lützerath nach der Besetzung")
    assert "Leute frei!\n#StopRepression #AlleDörferBleiben" in main.text
    assert main.hashtags == (
        "Lützerath",
        "Rwe",
        "Gewahrsam",
        "StopRepression",
        "AlleDörferBleiben",
        "NRWE",
    )
    assert main.mentions == ("Polizei_NRW_AC", "HambiBleibt", "AlleDoerfer")
    assert main.links == ()
    quoted = main.quoted
    assert quoted is not None
    assert (quoted.id, quoted.author and quoted.author.name) == (
        "1258562383129214976",
        "Hambacher Forst",
    )
    assert quoted.text is not None and quoted.text.startswith("Menschen sind noch verschollen")
    assert "Show this thread" not in quoted.text
    assert quoted.hashtags == ("HambacherForst", "hambibleibt", "AlleDoerferBleiben")


def test_real_status_page_replies_answer_the_right_tweet() -> None:
    tweets = by_id(parse("nitter/snopyta_2020_status_AktionUnterholz.html"))
    answers = {
        tweet_id: tweet.in_reply_to.id if tweet.in_reply_to else None
        for tweet_id, tweet in tweets.items()
    }
    assert answers == {
        "1258657263948005377": None,
        "1258669882759053318": "1258657263948005377",  # first of its block: the main tweet
        "1258687276944699393": "1258669882759053318",  # second of the block: the one above
        "1258693641633247232": "1258657263948005377",  # a block of its own
    }
    reply = tweets["1258693641633247232"]
    assert reply.author is not None and reply.author.name == "πck@Xe"
    assert reply.text == "Bin mit Auto im Kreis HS unterwegs.\nKönnte helfen für von A nach B..."
    assert all("more repl" not in (t.text or "") for t in tweets.values())


def test_a_conversation_of_several_authors_is_no_thread() -> None:
    assert parse("nitter/snopyta_2020_status_AktionUnterholz.html").threads == ()


# -- constructed: a 2023 profile timeline ----------------------------------------------------


def test_timeline_tweets_in_page_order_and_one_thread() -> None:
    page = parse("nitter/constructed_2023_profile_timeline.html")
    assert page.url == "https://nitter.net/example_archivist"
    assert page.title == "Example Archivist (@example_archivist)"
    assert [t.id for t in page.tweets] == [
        "1620845069202358272",
        "1635572998599606272",
        "1635574403691446272",
        "1635575292883894272",
        "1635381465707446272",
        None,
        "1634871887131574272",
    ]
    # The pinned tweet, the thread and a later tweet are all one author's: only the tweets
    # Nitter draws as a thread are one.
    assert [[t.id for t in thread.tweets] for thread in page.threads] == [
        ["1635572998599606272", "1635574403691446272", "1635575292883894272"]
    ]
    assert [t.position for t in page.threads[0].tweets] == [1, 2, 3]


def test_timeline_photos_links_and_entities() -> None:
    pinned = parse("nitter/constructed_2023_profile_timeline.html").tweets[0]
    assert pinned.text == (
        "How to keep a thread before it goes: example.org/archive-guide\n\n"
        "Two pictures of the process. #archiving with @librarian_one & friends"
    )
    assert pinned.links == (
        threadkeep.Link(
            url="https://example.org/archive-guide", display="example.org/archive-guide"
        ),
    )
    assert pinned.hashtags == ("archiving",)
    assert pinned.mentions == ("librarian_one",)
    assert [(m.kind, m.url, m.alt) for m in pinned.media] == [
        ("photo", "https://pbs.twimg.com/media/Foo1Aa.jpg", "A folder of printed tweets"),
        ("photo", "https://pbs.twimg.com/media/Foo2Bb.png", None),
    ]
    assert pinned.date_text == "Feb 1, 2023 · 6:02 PM UTC"
    assert pinned.created_at == datetime(2023, 2, 1, 18, 2, 33, tzinfo=UTC)


def test_timeline_video_gif_card_and_quotes() -> None:
    tweets = by_id(parse("nitter/constructed_2023_profile_timeline.html"))
    video = tweets["1635574403691446272"].media
    assert [(m.kind, m.url, m.preview) for m in video] == [
        (
            "video",
            "https://video.twimg.com/ext_tw_video/1635574/pu/pl/playlist.m3u8?tag=12",
            "https://pbs.twimg.com/ext_tw_video_thumb/1635574/pu/img/ThUmB.jpg?name=small",
        )
    ]
    quoting = tweets["1635575292883894272"]
    assert quoting.media == ()  # the picture belongs to the quoted tweet
    assert quoting.quoted is not None
    assert quoting.quoted.id == "1597851919840182272"
    assert quoting.quoted.author is not None and quoting.quoted.author.handle == "other_user"
    assert quoting.quoted.text == "Parsers get better. Pages do not come back."
    assert quoting.quoted.date_text == "Nov 30, 2022 · 7:15 AM UTC"
    assert [m.url for m in quoting.quoted.media] == ["https://pbs.twimg.com/media/QuoteImg.jpg"]

    retweeted = tweets["1635381465707446272"]
    assert retweeted.author is not None and retweeted.author.handle == "someone_else"
    assert [(m.kind, m.url, m.alt, m.preview) for m in retweeted.media] == [
        (
            "gif",
            "https://video.twimg.com/tweet_video/Fx9Gif.mp4",
            None,
            "https://pbs.twimg.com/tweet_video_thumb/Fx9Gif.jpg?name=small",
        ),
        (
            "card",
            "https://blog.example.com/post",
            "How we archive",
            "https://pbs.twimg.com/card_img/1635381/aBc?format=jpg&name=800x419",
        ),
    ]

    later = tweets["1634871887131574272"]
    # A link to a tweet on the instance is given as the tweet's own url.
    assert [link.url for link in later.links] == [
        "https://twitter.com/other_user/status/1597851919840182272"
    ]
    assert later.quoted is not None
    assert later.quoted.unavailable == "This tweet is unavailable"


def test_an_unavailable_item_is_kept_as_unavailable() -> None:
    gone = by_id(parse("nitter/constructed_2023_profile_timeline.html"))[None]
    assert gone.unavailable == "This Tweet is from a suspended account. Learn more"
    assert gone.text is None and gone.author is None


# -- constructed: a 2025 status page saved from a web archive --------------------------------


def test_web_archive_copy_parses_like_the_original() -> None:
    page = parse("nitter/constructed_2025_status_webarchive.html")
    assert page.url == "https://nitter.privacydev.net/example_archivist/status/1930195864253366272"
    assert page.source is not None
    assert page.source.captured_at == datetime(2025, 6, 4, 12, 30, tzinfo=UTC)
    tweets = by_id(page)
    assert list(tweets) == [
        "1930021679002550272",
        "1930195864253366272",
        "1930197843964854272",
        "1930200788366262272",
        "1930203661464502272",
    ]
    main = tweets["1930195864253366272"]
    # The later layout puts the date in a footer after the quote: the quote's date is not it.
    assert main.date_text == "Jun 4, 2025 · 9:32 AM UTC"
    assert main.text == (
        "1/ What a thread page keeps, and what it loses.\nIt keeps the text and the order."
    )
    assert main.author is not None
    assert main.author.avatar == (
        "https://pbs.twimg.com/profile_images/1400000000000000001/aBcDeFgH_bigger.jpg"
    )
    assert main.quoted is not None and main.quoted.id == "1930021679002550272"
    assert main.in_reply_to is not None and main.in_reply_to.id == "1930021679002550272"
    second = tweets["1930197843964854272"]
    assert [m.url for m in second.media] == ["https://pbs.twimg.com/media/Gth2YZ.jpg"]
    assert second.hashtags == ("archiving",)
    assert second.in_reply_to is not None and second.in_reply_to.id == main.id
    assert tweets["1930203661464502272"].in_reply_to is not None
    assert tweets["1930203661464502272"].in_reply_to.id == main.id  # type: ignore[union-attr]
    assert [[t.id for t in thread.tweets] for thread in page.threads] == [
        ["1930195864253366272", "1930197843964854272", "1930200788366262272"]
    ]
    for tweet in page.tweets:
        assert tweet.url is not None and tweet.url.startswith("https://twitter.com/")
        assert "web.archive.org" not in tweet.model_dump_json()


# -- the proxy's media paths -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "url"),
    [
        ("/pic/orig/media%2FX.jpg", "https://pbs.twimg.com/media/X.jpg"),
        ("/pic/media%2FX.jpg%3Fname%3Dsmall", "https://pbs.twimg.com/media/X.jpg?name=small"),
        (
            "/pic/https%3A%2F%2Fpbs.twimg.com%2Fprofile_images%2F1%2Fa.jpg",
            "https://pbs.twimg.com/profile_images/1/a.jpg",
        ),
        ("/pic/video.twimg.com%2Ftweet_video%2FF.mp4", "https://video.twimg.com/tweet_video/F.mp4"),
        ("/pic/tweet_video%2FF.mp4", "https://video.twimg.com/tweet_video/F.mp4"),
        ("/video/SIG/https%3A%2F%2Fvideo.twimg.com%2Fa.m3u8", "https://video.twimg.com/a.m3u8"),
        ("/pic/enc/bWVkaWEvR3RoMllaLmpwZw==", "https://pbs.twimg.com/media/Gth2YZ.jpg"),
        ("/pic/orig/enc/bWVkaWEvR3RoMllaLmpwZw", "https://pbs.twimg.com/media/Gth2YZ.jpg"),
        # Not a media path, or nothing Twitter's: kept as the instance's url.
        ("/logo.png", "https://nitter.example/logo.png"),
        ("/pic/enc/!!!", "https://nitter.example/pic/enc/!!!"),
        ("javascript:alert(1)", None),
    ],
)
def test_proxied_media_paths(path: str, url: str | None) -> None:
    assert proxied_media(path, "https://nitter.example/") == url


# -- the same tweets through the command line and the archive --------------------------------


def test_archive_keeps_nitter_sightings_and_never_marks_removals(tmp_path: Path) -> None:
    timeline = fixture_bytes("nitter/constructed_2023_profile_timeline.html")
    with threadkeep.Archive(tmp_path / "store") as archive:
        archive.add(timeline, url="https://nitter.net/example_archivist")
        # A later copy of the timeline without the pinned tweet: a timeline never claimed to
        # show everything, so the pinned tweet is not marked removed.
        later = timeline.replace(b"1620845069202358272", b"1620845069202358273")
        archive.add(later, url="https://nitter.net/example_archivist")
        document = archive.thread("1620845069202358272")
    assert document is not None and document.kind == "article"
    pinned = next(t for t in document.tweets if t.id == "1620845069202358272")
    assert not pinned.removed
    assert {s.kind for s in pinned.sightings} == {"nitter"}
    assert {s.url for s in pinned.sightings} == {"https://nitter.net/example_archivist"}


def test_markdown_of_a_nitter_page(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from threadkeep.cli import cli

    result = CliRunner().invoke(
        cli,
        ["convert", "fixtures/nitter/constructed_2025_status_webarchive.html", "--format", "md"],
    )
    assert result.exit_code == 0, result.output
    assert "1/ What a thread page keeps, and what it loses." in result.output
    assert "@replier_one" in result.output
