"""Copies that embed no tweet (issue 13, class 5): an article is an empty Article, anything else
an error, and what only looks like a tweet (a status link in prose, a quoted tweet, a Twitter
box in a page header, an "(@handle)" byline, a bare status path) is no tweet.

The copies are real (``fixtures/negatives/SOURCES.md``); the one constructed page says so.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import threadkeep
from tests.conftest import FIXTURES, read_log, rewrite_log
from threadkeep.cli import cli
from threadkeep.parsing.prose import is_prose_block, reads_as_prose, word_count

NEGATIVES = FIXTURES / "negatives"
BROKEN = FIXTURES / "broken"
THREAD_PAGE = FIXTURES / "threadreader" / "mxs_nightmare_2026_fragment.html"

ARTICLES = sorted(
    p
    for p in NEGATIVES.iterdir()
    if p.suffix in (".html", ".txt", ".md") and p.name != "SOURCES.md"
)
NOT_ARTICLES = [
    "grishka_mastodon_reply_post.txt",
    "login_clone_php_twitter_login_page.html",
    "nginx_dirlisting_2004_download_slice.html",
    "twitter_api_error34_mock_slice.json",
    "not_a_thread_page.html",
    "prose.txt",
]


def parse(name: str) -> threadkeep.Article:
    result = threadkeep.parse((NEGATIVES / name).read_bytes(), source=name)
    assert isinstance(result, threadkeep.Article)
    return result


@pytest.mark.parametrize("page", ARTICLES, ids=[p.name for p in ARTICLES])
def test_an_article_with_no_embed_is_an_empty_article(page: object) -> None:
    assert len(ARTICLES) >= 11
    result = threadkeep.parse(NEGATIVES.joinpath(str(page)).read_bytes())
    assert isinstance(result, threadkeep.Article)
    assert result.tweets == () and result.threads == ()


@pytest.mark.parametrize("name", NOT_ARTICLES)
def test_what_is_no_article_stays_an_error(name: str) -> None:
    with pytest.raises(threadkeep.UnsupportedPage):
        threadkeep.parse((BROKEN / name).read_bytes(), source=name)


def test_html_with_no_head_is_an_article_by_its_prose() -> None:
    # A Jekyll source and a WordPress post body: no og:type, no <article>, no JSON-LD.
    for name in (
        "inkdroid_en_2012_linkrot_jekyll_post.html",
        "searls_en_2011_wp_post_body_quoted_own_tweet.html",
    ):
        data = (NEGATIVES / name).read_bytes()
        assert b"og:type" not in data and b"<article" not in data
        assert threadkeep.detect(data) == "article"
    assert parse("inkdroid_en_2012_linkrot_jekyll_post.html").title == "linkrot: use your illusion"


def test_status_links_in_prose_and_a_quoted_tweet_are_no_embeds() -> None:
    data = (NEGATIVES / "searls_en_2011_wp_post_body_quoted_own_tweet.html").read_bytes()
    assert data.count(b"/status/") == 3
    assert b"<blockquote>\n<p>Wrote a whole app using verb-noun class names" in data
    assert parse("searls_en_2011_wp_post_body_quoted_own_tweet.html").tweets == ()


def test_a_twitter_box_in_the_header_and_br_lines_of_prose() -> None:
    # 2006 WordPress: div.tweet links the blog's profile; the post is one <p> of <br> lines.
    name = "spreeblick_de_2006_wp_body_slice_tweetbox.html"
    data = (NEGATIVES / name).read_bytes()
    assert b'<div class="tweet"><a href="https://twitter.com/spreeblick">' in data
    # Four short paragraphs in the Twitter box (no prose), one of prose: it is three paragraphs
    # of sentences only when each <br> line counts as one.
    assert data.count(b"<p>") == 5 and data.count(b"<br />") == 9
    assert parse(name).tweets == ()


@pytest.mark.parametrize(
    ("name", "shape"),
    [
        (
            "bydanielvictor_en_2008_ajr_reporters_on_twitter.txt",
            "Daniel Victor (@bydanielvictor), a",
        ),
        (
            "hypercrit_en_2011_chronicle_reporters_status_fragment.txt",
            "this:!/gailnews/status/93802592915828737",
        ),
        ("journalismcouk_en_2009_typical_tweet_list.txt", "typical tweet: Consternation"),
        ("slatefr_fr_2013_matignon_batho.txt", "République:\n\nPour plus"),
    ],
)
def test_text_shapes_that_only_look_like_tweets(name: str, shape: str) -> None:
    assert shape in (NEGATIVES / name).read_text("utf-8")
    assert parse(name).tweets == ()


def test_single_line_paragraphs_and_unspaced_scripts_read_as_articles() -> None:
    spitfire = (NEGATIVES / "spitfirenews_en_2025_stopped_posting_on_x.txt").read_text("utf-8")
    assert "\n\n" not in spitfire
    assert threadkeep.detect(spitfire.encode()) == "text-article"
    r25 = (NEGATIVES / "r25jp_ja_weekly_twitter_roundup.txt").read_text("utf-8")
    assert len(r25.split()) < 100 <= word_count(r25, 1000)
    assert threadkeep.detect(r25.encode()) == "text-article"


PROSE = "<p>" + "This sentence is one of a story with no embedded tweet in it at all. " * 4
STATUS = "https://twitter.com/jane/status/1146359923158089728"


@pytest.mark.parametrize(
    "shape",
    [
        "<style>.twitter-tweet { margin: auto !important; } blockquote.twitter-tweet p {}</style>",
        f'<blockquote class="pullquote"><p>"We ship it this year," she wrote. <a href="{STATUS}">@jane</a></p></blockquote>',
        f'<aside class="pull-quote"><p><a href="{STATUS}">"We ship it this year"</a></p></aside>',
        f'<p>She <a href="{STATUS}">said so on Twitter</a> last week, and then said it again.</p>',
        '<p class="byline">By Jane Doe (@janedoe), staff writer</p>',
    ],
    ids=["css-rule", "pull-quote-link", "pull-quote-aside", "status-link-in-prose", "byline"],
)
def test_shapes_that_only_look_like_embeds(shape: str) -> None:
    # CONSTRUCTED: three paragraphs of prose and one of the shapes issue 13 names as no embed
    # (the real copies above show each in the wild; this holds each alone).
    page = f"<html><head></head><body>{(PROSE + '</p>') * 3}{shape}</body></html>"
    result = threadkeep.parse(page.encode())
    assert isinstance(result, threadkeep.Article) and result.tweets == ()


def test_prose_counts() -> None:
    assert word_count("one two three", 10) == 3
    assert word_count("日本語の文章です", 10) == 4  # eight unspaced characters, two a word
    assert word_count("a " * 50, 10) == 10  # stops at the limit
    assert is_prose_block("This is a sentence of more than eight words, it ends.")
    assert not is_prose_block("Monday to Friday 9:00–18:00. Saturday 10:00–14:00.")  # too short
    assert not is_prose_block("see https://example.com/a.b/c and more words here to pass")
    assert is_prose_block("向井慧がTwitterを更新。丸山桂里奈からいつも贈られているという")
    assert not reads_as_prose(["A long sentence of prose that has ten words in it."] * 2)
    assert reads_as_prose(["A long sentence of prose that has ten words in it."] * 10)


# -- one rule for a result with no tweets: convert prints it, archive keeps it as "empty" ------

ARTICLE = NEGATIVES / "inkdroid_en_2012_linkrot_jekyll_post.html"


def test_archive_keeps_an_empty_capture_and_makes_no_document(tmp_path: Path) -> None:
    archive = threadkeep.Archive(tmp_path / "store")
    added = archive.add(ARTICLE.read_bytes(), url="https://inkdroid.org/2012/11/01/linkrot/")
    assert (added.outcome, added.kind, added.document) == ("empty", "article", None)
    assert not added.snapshot_written and added.new == ()
    assert archive.raw(added.sha256) == ARTICLE.read_bytes()  # the bytes are kept
    [entry] = archive.captures()
    assert (entry.outcome, entry.kind, entry.document, entry.snapshot) == (
        "empty",
        "article",
        None,
        None,
    )
    assert entry.error is None
    assert list(archive.records()) == [] and archive.verify().ok
    # A replay with today's parsers keeps it so, and a repair loses nothing.
    assert archive.reparse().documents == 0
    assert archive.repair().ok
    assert archive.add(ARTICLE.read_bytes()).outcome == "empty"  # again: still no document


def test_a_web_archive_copy_with_no_tweets_is_counted_and_skipped(tmp_path: Path) -> None:
    # CONSTRUCTED around a real article: the Wayback Machine's script and a rewritten link
    # added to the inkdroid post, as in fixtures/articles/constructed_webarchive_verge_2019.html.
    page = ARTICLE.read_bytes().replace(
        b"---\n\n<p>",
        b'---\n\n<script>__wm.wombat("http://inkdroid.org/","20121102080104","https:","/web");'
        b'</script>\n<p><a href="/web/20121102080104/http://inkdroid.org/">inkdroid</a></p>\n<p>',
        1,
    )
    assert b"__wm.wombat" in page
    saved = tmp_path / "wayback.html"
    saved.write_bytes(page)
    store = str(tmp_path / "store")
    code, out, err = run_cli("archive", str(saved), str(THREAD_PAGE), "--store", store)
    assert code == 0, err
    assert f"{saved}: empty article (no tweets: raw capture kept, no document)" in out
    assert "1 of 2 sources held no tweets" in err
    code, out, _ = run_cli("archive", str(saved), "--store", store, "--json")
    assert code == 0
    assert json.loads(out)["outcome"] == "empty" and json.loads(out)["document"] is None


def test_convert_prints_an_article_with_no_tweets_and_exits_0() -> None:
    code, out, err = run_cli("convert", str(ARTICLE))
    assert code == 0, err
    document = json.loads(out)
    assert (document["kind"], document["tweets"], document["threads"]) == ("article", [], [])


def run_cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    "name",
    [
        "mikefrobbins_en_2020_status_link_and_linked_screenshot.html",
        "smashingmag_en_2010_ab_testing_status_link_plain_blockquote.md",
    ],
)
def test_a_source_whose_paragraphs_are_no_p_elements_reads_as_an_article(name: str) -> None:
    # Holdout-2 copies: a WordPress post's raw content and a Hugo Markdown source, their
    # paragraphs text between blank lines; a status link in prose, a screenshot linked to the
    # status and a plain <blockquote> of a tweet's words are no tweets.
    result = parse(name)
    assert result.tweets == ()
    assert threadkeep.detect((NEGATIVES / name).read_bytes()) == "article"


@pytest.mark.parametrize(
    ("start", "form"),
    [
        ("[1] A footnote, then the copy's text.", "text"),
        ("[[Wikilink]] of a notes app, then text.", "text"),
        ("[Link](https://example.com) opening a Markdown copy.", "text"),
        ("{% raw %} a template, then text.", "text"),
        ('{"html": "<blockquote class=', "json"),  # a truncated answer is JSON, refused as such
        ('[{"a": 1}, 2]', "json"),
    ],
)
def test_json_is_told_by_its_first_value_not_its_first_character(start: str, form: str) -> None:
    try:
        threadkeep.parse(start)
    except threadkeep.ParseError as exc:
        said = "json" if "JSON" in exc.reason else "text"
    else:
        said = "parsed"
    assert said == form


def test_reparse_names_a_capture_that_made_a_document_and_now_holds_no_tweets(
    tmp_path: Path,
) -> None:
    # A store written before this rule, where the capture of an article with no tweets made a
    # document: its log line says so (written here as threadkeep 0.1 wrote it).
    store = tmp_path / "store"
    archive = threadkeep.Archive(store)
    archive.add(ARTICLE.read_bytes(), url="https://inkdroid.org/2012/11/01/linkrot/")
    line = json.loads(read_log(store))
    line.update(outcome="new", document="article-inkdroid")
    rewrite_log(store, (json.dumps(line) + "\n").encode())
    report = threadkeep.Archive(store).reparse()
    assert report.documents == 0
    assert len(report.emptied) == 1 and "inkdroid.org/2012/11/01/linkrot/" in report.emptied[0]
    # The command line says it, and the raw capture is still there.
    code, out, err = run_cli("reparse", "--store", str(store))
    assert code == 0, err
    assert "replayed 1 capture" in out and "0 documents" in out
    assert "now holds no tweets (raw capture kept, no document)" in err
    assert threadkeep.Archive(store).raw(line["sha256"]) == ARTICLE.read_bytes()
