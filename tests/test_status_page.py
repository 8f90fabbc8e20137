"""twitter.com status pages (issue 17): the permalink page of 2013-2020, the legacy mobile site,
and the script-only site of 2020 on, refused; web-archive copies read like the originals."""

from __future__ import annotations

import contextlib
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

import threadkeep
from benchmarks import fidelity
from tests.conftest import FIXTURES, fixture_bytes
from threadkeep.cli import cli

DESKTOP = "status/permalink-2016-kingbeyoncestan.html"
MOBILE = "status/mobile-2015-tacovontaco.html"
SCRIPT_ONLY = "status/refused/scriptonly-2020-home.html"
MAIN = "745276948213968896"


def parse(relative: str, url: str | None = None) -> threadkeep.Article:
    result = threadkeep.parse(fixture_bytes(relative), url=url)
    assert isinstance(result, threadkeep.Article)
    return result


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


# -- the desktop permalink page (2016) -------------------------------------------------------


def test_permalink_page_gives_the_conversation_in_page_order() -> None:
    page = parse(DESKTOP)
    assert threadkeep.detect(fixture_bytes(DESKTOP)) == "status"
    assert page.source is not None and page.source.kind == "status"
    assert page.url == f"https://twitter.com/KingBeyonceStan/status/{MAIN}"
    # The tweet above, the permalink tweet, then the replies the page shows.
    assert [t.id for t in page.tweets] == [
        "745085351287455744",
        MAIN,
        "745277679436447745",
        "745278392837115909",
        "745279035786174464",
    ]
    main = page.tweets[1]
    assert main.text == (
        "Now before you write me off as bias I'm going to start out with one of my all time"
        " favorites. Like, I love her."
    )
    assert main.author is not None
    assert (main.author.handle, main.author.name, main.author.id) == (
        "KingBeyonceStan",
        "Lina Morgana",
        "394957116",
    )
    # The time is the page's own (data-time-ms), not the id's (which carries milliseconds).
    assert main.created_at == datetime(2016, 6, 21, 15, 27, 25, tzinfo=UTC)
    assert main.date_text == "8:27 AM - 21 Jun 2016"
    assert main.lang == "en"
    assert main.media == ()


def test_replies_answer_the_tweet_above_them_in_their_chain() -> None:
    page = parse(DESKTOP)
    parents = {t.id: t.in_reply_to.id if t.in_reply_to else None for t in page.tweets}
    assert parents == {
        "745085351287455744": None,  # the page shows nothing above it
        MAIN: "745085351287455744",
        "745277679436447745": MAIN,  # a ThreadedConversation starts under the permalink tweet
        "745278392837115909": "745277679436447745",
        "745279035786174464": "745278392837115909",
    }
    # One author all along: one thread, in page order.
    assert [[t.position for t in thread.tweets] for thread in page.threads] == [[1, 2, 3, 4, 5]]


def test_reply_text_keeps_its_lines_and_its_photo() -> None:
    reply = parse(DESKTOP).tweets[2]
    # The photo's hidden pic.twitter.com link is not text: the photo is a media item.
    assert reply.text == (
        "Amy Lee:\n-The first white woman I ever loved.\n-Hauntingly beautiful timbre\n"
        "-She doesn't have the range."
    )
    assert [(m.kind, m.url) for m in reply.media] == [
        ("photo", "https://pbs.twimg.com/media/ClfCGLuVEAAaG8D.jpg")
    ]
    assert reply.links == ()


def test_mentions_hashtags_and_emoji_read_as_the_page_shows_them() -> None:
    page = parse("status/permalink-2017-k4rliky.html")
    # No canonical link in this excerpt: the page is the permalink tweet's.
    assert page.url == "https://twitter.com/k4rliky/status/934482867480121345"
    (tweet,) = page.tweets
    assert tweet.text == (
        "Lo mejor de @codemotion_es #codemotionMadrid es estar con la gente que quieres"
        " 😍@ladyCircus"
    )
    assert tweet.mentions == ("codemotion_es", "ladyCircus")
    assert tweet.hashtags == ("codemotionMadrid",)
    assert tweet.lang == "es"
    assert [m.url for m in tweet.media] == ["https://pbs.twimg.com/media/DPfzNMGXUAESoL3.jpg"]


def _web_archive_copy(page: bytes, stamp: str) -> bytes:
    """The page as the web archive serves it: its links and media rewritten to
    ``/web/<stamp>…/<original>`` and the archive's banner comment (constructed here from the
    real page: no capture of this page was found as saved bytes)."""

    def rewrite(match: re.Match[bytes]) -> bytes:
        attribute, value = match.group(1), match.group(2)
        if value.startswith(b"/") and not value.startswith(b"//"):
            value = b"https://twitter.com" + value
        if not value.startswith(b"http"):
            return match.group(0)
        kind = b"im_" if attribute == b"data-image-url" or value.endswith(b".jpg") else b""
        return attribute + b'="/web/' + stamp.encode() + kind + b"/" + value + b'"'

    body = re.sub(rb'(href|src|data-image-url)="([^"]*)"', rewrite, page)
    banner = (
        b'<!-- BEGIN WAYBACK TOOLBAR INSERT --><div id="wm-ipp-base"></div>'
        b"<!-- END WAYBACK TOOLBAR INSERT -->"
    )
    return body.replace(b"<body", banner + b"<body", 1)


def test_web_archive_copy_parses_like_the_original() -> None:
    original = parse(DESKTOP)
    stamp = "20160922011500"
    copy = _web_archive_copy(fixture_bytes(DESKTOP), stamp)
    archived_url = (
        f"https://web.archive.org/web/{stamp}/https://twitter.com/KingBeyonceStan/status/{MAIN}"
    )
    page = threadkeep.parse(copy, url=archived_url)
    assert isinstance(page, threadkeep.Article)
    assert page.tweets == original.tweets
    assert page.url == f"https://twitter.com/KingBeyonceStan/status/{MAIN}"
    assert page.source is not None
    assert page.source.kind == "status"
    assert page.source.captured_at == datetime(2016, 9, 22, 1, 15, tzinfo=UTC)
    assert "web.archive.org" not in json.dumps([t.model_dump(mode="json") for t in page.tweets])
    # Without the url, the capture time comes from the rewritten links and the banner.
    assert threadkeep.parse(copy).source.captured_at == datetime(2016, 9, 22, 1, 15, tzinfo=UTC)  # type: ignore[union-attr]


def test_copies_under_other_urls_are_one_page() -> None:
    # The web archive keeps a status page under the url it was fetched at: the handle-free
    # i/web/status, a ?lang= variant, a capture's own url. The page names its own url.
    own = f"https://twitter.com/KingBeyonceStan/status/{MAIN}"
    for fetched in (
        f"https://twitter.com/i/web/status/{MAIN}",
        f"{own}?lang=en",
        f"https://web.archive.org/web/20160914093012/https://twitter.com/i/web/status/{MAIN}",
    ):
        assert parse(DESKTOP, url=fetched).url == own


def test_two_captures_under_other_urls_are_one_document(tmp_path: Path) -> None:
    page = fixture_bytes(DESKTOP)
    changed = page.replace(b"a thread coming soon.", b"a thread coming soon!")
    stamps = ("20160914093012", "20170101000000")
    with threadkeep.Archive(tmp_path / "store") as archive:
        first = archive.add(
            page,
            url=f"https://web.archive.org/web/{stamps[0]}/https://twitter.com/i/web/status/{MAIN}",
        )
        second = archive.add(
            changed,
            url=f"https://web.archive.org/web/{stamps[1]}/https://twitter.com/KingBeyonceStan/status/{MAIN}?lang=en",
        )
        document = archive.thread(MAIN)
    assert first.document == second.document and second.outcome == "changed"
    assert document is not None and document.captures == 2


# -- the legacy mobile site (2015) -----------------------------------------------------------


def test_mobile_status_page_gives_the_tweet_with_its_link_expanded() -> None:
    page = parse(MOBILE)
    assert threadkeep.detect(fixture_bytes(MOBILE)) == "status"
    assert page.url == "https://twitter.com/tacovontaco/status/568154344467656704"
    (tweet,) = page.tweets
    assert tweet.id == "568154344467656704"
    assert tweet.author is not None
    assert (tweet.author.handle, tweet.author.name) == ("TacoVonTaco", "Taco von Taco")
    assert tweet.text == (
        "Verifying myself: I am t_alice on Keybase.io. wGwM2ckyjf9AAxfLPg2oiCWbhD0TSAZtlsRo / "
        "https://keybase.io/t_alice/sigs/wGwM2ckyjf9AAxfLPg2oiCWbhD0TSAZtlsRo"
    )
    (link,) = tweet.links
    assert link.short_url == "https://t.co/3KrOoZzCTN"
    assert link.display == "keybase.io/t_alice/sigs/w…"
    # "1:05 PM - 18 Feb 2015" names no time zone: the id's time is the tweet's.
    assert tweet.date_text == "1:05 PM - 18 Feb 2015"
    assert tweet.created_at == threadkeep.snowflake_time(tweet.id)
    assert tweet.in_reply_to is None
    assert page.threads == ()


def test_web_archive_copy_of_a_mobile_page_parses_like_the_original() -> None:
    original = parse(MOBILE)
    copy = _web_archive_copy(fixture_bytes(MOBILE), "20150301120000")
    page = threadkeep.parse(copy)  # the canonical link too is the archive's, and relative
    assert isinstance(page, threadkeep.Article)
    assert page.url == original.url
    assert page.tweets == original.tweets
    assert page.source is not None
    assert page.source.captured_at == datetime(2015, 3, 1, 12, tzinfo=UTC)


# -- the script-only site (2020 on) ----------------------------------------------------------


def test_script_only_page_is_refused_saying_it_holds_no_tweet() -> None:
    with pytest.raises(threadkeep.UnsupportedPage) as caught:
        threadkeep.parse(fixture_bytes(SCRIPT_ONLY), source="home.html")
    message = str(caught.value)
    assert message.startswith("home.html: ")
    assert "script-only" in message and "holds no tweet" in message


def test_script_only_page_from_the_command_line_is_an_error_not_a_traceback() -> None:
    path = str(FIXTURES / SCRIPT_ONLY)
    code, out, err = run("convert", path)
    assert code != 0 and out == ""
    assert "holds no tweet" in err and "Traceback" not in err


def test_a_page_that_only_mentions_the_words_is_not_a_status_page() -> None:
    page = (
        b"<html><body><article><h1>How Twitter's permalink-tweet markup worked</h1>"
        b"<p>The main-tweet table of the mobile site said JavaScript is not available.</p>"
        b"<p>Prose about it, and more prose, long enough to read as an article.</p>"
        b"</article></body></html>"
    )
    # "No tweets" is fine: what matters is that it is not taken for a status page.
    with contextlib.suppress(threadkeep.UnsupportedPage):
        assert threadkeep.detect(page) != "status"


# -- the command line, the JSON, the archive -------------------------------------------------


def test_convert_prints_json_that_validates_with_the_status_kind() -> None:
    code, schema_text, _ = run("schema")
    assert code == 0
    schema = json.loads(schema_text)
    assert schema["version"] >= 3  # the status kind came with version 3
    code, out, _ = run("convert", str(FIXTURES / DESKTOP))
    assert code == 0
    document = json.loads(out)
    jsonschema.validate(document, schema)
    assert document["source"]["kind"] == "status"
    code, out, _ = run("convert", str(FIXTURES / MOBILE), "--format", "md")
    assert code == 0 and "Verifying myself: I am t_alice on Keybase.io." in out


def test_archive_keeps_status_sightings_and_never_marks_removals(tmp_path: Path) -> None:
    page = fixture_bytes(DESKTOP)
    # A later copy showing fewer replies: a status page never claims to show them all.
    cut = page.index(
        b'<div class="ThreadedConversation-tweet ">\n            <li class="js-stream-item stream-item stream-item\n" data-item-id="745279035786174464"'
    )
    later = (
        page[:cut]
        + b"</ol></li></ol></div></div></div></div></div></div></div></div></body></html>"
    )
    url = f"https://twitter.com/KingBeyonceStan/status/{MAIN}"
    with threadkeep.Archive(tmp_path / "store") as archive:
        archive.add(page, url=url)
        archive.add(later, url=url)
        document = archive.thread(MAIN)
    assert document is not None and document.kind == "article"
    last = next(t for t in document.tweets if t.id == "745279035786174464")
    assert not last.removed
    assert {s.kind for s in last.sightings} == {"status"}


# -- the unseen sample -----------------------------------------------------------------------


def test_unseen_status_pages_parse_as_their_expectations_say() -> None:
    # fixtures/unseen/status: three real pages held back while the parser was built, with
    # expectations written by reading them (EXPECTED.md); first run in FIRST_RUN.txt.
    found = fidelity.cases([str(FIXTURES / "unseen" / "status")])
    assert len(found) == 3
    for expected_file in found:
        expected = json.loads(expected_file.read_text("utf-8"))
        assert fidelity.check(FIXTURES.parent / expected["copy"], expected) == []


def test_unseen_desktop_page_has_the_reply_structure_its_reader_wrote_down() -> None:
    # fixtures/unseen/status/EXPECTED.md, permalink-2017-kikobeats.html: beyond the texts.
    page = parse("unseen/status/permalink-2017-kikobeats.html")
    main = "880139124791029763"
    parents = [t.in_reply_to.id if t.in_reply_to else None for t in page.tweets]
    assert parents == [None, main, "880143797375586304", "880144054507499520", main]
    first = page.tweets[0]
    assert [(m.kind, m.preview) for m in first.media] == [
        ("gif", "https://pbs.twimg.com/tweet_video_thumb/DDbh3WCXYAAZfz9.jpg")
    ]
    assert [(link.url, link.short_url) for link in first.links] == [
        ("http://bit.ly/2tVueZ0", "https://t.co/Qsm163k4mJ")
    ]
    assert first.author is not None and first.author.id == "101198215"
    # A link a card shows is hidden from the text but kept, as the page shows it.
    card_link = [(link.url, link.display) for link in page.tweets[1].links]
    assert card_link == [("https://github.com/drewwilson/atvImg", "github.com/drewwilson/atv…")]
    assert page.tweets[-1].lang == "es"
    assert page.threads == ()  # no two consecutive tweets of one author
