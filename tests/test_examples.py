"""Every script in examples/ runs as a user runs it, on bundled pages or a loopback server.

Each test starts the example as a subprocess (the same Python, the repository as it is),
then checks its exit status and what it printed and wrote.
"""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.conftest import FIXTURES, ROOT, read_log
from threadkeep.archive import TweetRecord
from threadkeep.models import Thread, result_adapter

EXAMPLES = ROOT / "examples"
THREAD = FIXTURES / "threadreader" / "quinnypig_2020_full.html"
LATER = EXAMPLES / "data" / "quinnypig_2020_later.html"
ROOT_TWEET = "1215710451343904768"
REMOVED_TWEET = "1215711185045090305"  # tweet 5: "If you call yourself "a public speaker," …"
EDITED_TWEET = "1215711194180288512"  # tweet 6
TWEET_6 = b"Never, ever, read the comments on videos of your talks."


def run(script: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(EXAMPLES / script), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def later_copy(page: bytes) -> bytes:
    """The derivation of examples/data/quinnypig_2020_later.html from the real page.

    Tweet 5 is deleted (its whole row), the remaining tweets are renumbered as a fresh
    unroll numbers them, and the header's count says 101.
    """
    row = re.compile(
        rb'<div class="row t-tweet">\n<div class="col-12">\n<div id="tweet_5" .*?'
        rb"</div>\n</div>\n</div>\n",
        re.S,
    )
    assert len(row.findall(page)) == 1
    page = row.sub(b"", page, count=1)
    numbers = itertools.count(1)
    page = re.sub(rb'<div id="tweet_\d+"', lambda _: b'<div id="tweet_%d"' % next(numbers), page)
    assert page.count(b"\n102 tweets,\n") == 1
    return page.replace(b"\n102 tweets,\n", b"\n101 tweets,\n")


def edited_copy() -> bytes:
    """The later copy with tweet 6's text changed (built here; no file of it is shipped)."""
    page = LATER.read_bytes()
    assert page.count(TWEET_6) == 1
    return page.replace(TWEET_6, b"Never read the comments.")


def test_the_later_copy_is_the_real_page_less_one_tweet() -> None:
    assert LATER.read_bytes() == later_copy(THREAD.read_bytes())


def test_archive_thread_prints_what_changed(tmp_path: Path) -> None:
    done = run("archive_thread.py", str(THREAD), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1:] == [
        f"new: thread-{ROOT_TWEET} (102 tweets ever seen)",
        "  new 102, edited 0, removed 0, back 0",
    ]
    assert (tmp_path / "threadkeep-archive" / "threadkeep-store.json").is_file()

    done = run("archive_thread.py", str(LATER), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1:] == [
        f"changed: thread-{ROOT_TWEET} (102 tweets ever seen)",
        "  new 0, edited 0, removed 1, back 0",
        f'  removed {REMOVED_TWEET}: If you call yourself "a public speaker," consider whether '
        "there's ano…",
    ]

    done = run("archive_thread.py", str(LATER), cwd=tmp_path)
    assert done.stdout.splitlines()[1] == f"unchanged: thread-{ROOT_TWEET} (102 tweets ever seen)"


def test_archive_thread_fails_honestly(tmp_path: Path) -> None:
    done = run("archive_thread.py", "no-such-page.html", cwd=tmp_path)
    assert done.returncode == 1
    assert "no-such-page.html" in done.stderr and "No such file" in done.stderr
    assert done.stdout == ""

    done = run("archive_thread.py", str(FIXTURES / "broken" / "tra_not_found.html"), cwd=tmp_path)
    assert done.returncode == 1
    assert "Thread Reader says the thread was not found" in done.stderr


def test_archive_thread_fetches_a_url(tmp_path: Path, httpserver: HTTPServer) -> None:
    httpserver.expect_request(f"/thread/{ROOT_TWEET}.html").respond_with_data(
        THREAD.read_bytes(), content_type="text/html; charset=utf-8"
    )
    httpserver.expect_request("/thread/2.html").respond_with_data("not found", status=404)
    base = httpserver.url_for("").rstrip("/")
    tweet_url = f"https://x.com/QuinnyPig/status/{ROOT_TWEET}?s=20"
    options = ["--threadreader-base", base, "--min-interval", "0", "--store", "kept"]
    done = run("archive_thread.py", tweet_url, *options, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"new: thread-{ROOT_TWEET} (102 tweets ever seen)" in done.stdout
    log = read_log(tmp_path / "kept").decode().splitlines()
    assert json.loads(log[-1])["url"] == f"{base}/thread/{ROOT_TWEET}.html"

    done = run("archive_thread.py", "2", *options, cwd=tmp_path)  # the server has no thread 2
    assert done.returncode == 1
    assert "HTTP 404" in done.stderr


def test_convert_folder_writes_one_line_per_page(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    (pages / "2020").mkdir(parents=True)
    (pages / "2020" / "thread.html").write_bytes(THREAD.read_bytes())
    (pages / "listing.html").write_bytes((FIXTURES / "listing" / "homepage_2018.html").read_bytes())
    (pages / "copy.txt").write_bytes((FIXTURES / "text" / "seed004_thread_dial_m.txt").read_bytes())
    (pages / "notes.md").write_text("not a page: ignored")

    done = run("convert_folder.py", "pages", "out.jsonl", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "converted 3 of 3 pages to out.jsonl (1 listing, 2 thread)\n"
    lines = (tmp_path / "out.jsonl").read_text("utf-8").splitlines()
    results = [result_adapter.validate_json(line) for line in lines]
    assert [r.kind for r in results] == ["thread", "thread", "listing"]  # sorted by path
    thread = results[0]
    assert isinstance(thread, Thread)
    assert thread.id == ROOT_TWEET and len(thread.tweets) == 102

    (pages / "gone.html").write_bytes((FIXTURES / "broken" / "tra_not_found.html").read_bytes())
    done = run("convert_folder.py", "pages", "out.jsonl", cwd=tmp_path)
    assert done.returncode == 1
    assert "pages/gone.html: Thread Reader says the thread was not found" in done.stderr
    assert "1 of 4 pages failed" in done.stderr
    assert len((tmp_path / "out.jsonl").read_text("utf-8").splitlines()) == 3

    done = run("convert_folder.py", "missing", "out.jsonl", cwd=tmp_path)
    assert done.returncode == 2
    assert "no saved pages in missing" in done.stderr


def test_watch_threads_reports_removed_and_edited_tweets(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    copies = iter([THREAD.read_bytes(), LATER.read_bytes(), edited_copy()])

    def thread_page(request: Request) -> Response:
        return Response(next(copies), content_type="text/html; charset=utf-8")

    httpserver.expect_request(f"/thread/{ROOT_TWEET}.html").respond_with_handler(thread_page)
    base = httpserver.url_for("").rstrip("/")
    (tmp_path / "threads.txt").write_text(
        f"# threads to watch\nhttps://twitter.com/QuinnyPig/status/{ROOT_TWEET}\n"
    )
    options = ["--threadreader-base", base, "--min-interval", "0", "--every", "0"]
    done = run(
        "watch_threads.py", ROOT_TWEET, "--from", "threads.txt", "--rounds", "3", *options,
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "round 1:",
        f"  {ROOT_TWEET}: new, 0 removed, 0 edited, 0 back",
        "round 2:",
        f"  {ROOT_TWEET}: changed, 1 removed, 0 edited, 0 back",
        f'    removed {REMOVED_TWEET}: If you call yourself "a public speaker," consider '
        "whether there's another way of framing what you do that's more engaging.",
        "round 3:",
        f"  {ROOT_TWEET}: changed, 0 removed, 1 edited, 0 back",
        f"    edited {EDITED_TWEET}: 'Never, ever, read the comments on videos of your talks.' "
        "-> 'Never read the comments.'",
        "3 rounds, 3 captures, 0 failed, 1 removed, 1 edited",
    ]


def test_watch_threads_goes_on_after_a_failure(tmp_path: Path, httpserver: HTTPServer) -> None:
    httpserver.expect_request(f"/thread/{ROOT_TWEET}.html").respond_with_data(
        THREAD.read_bytes(), content_type="text/html"
    )
    httpserver.expect_request("/thread/2.html").respond_with_data("not found", status=404)
    base = httpserver.url_for("").rstrip("/")
    options = ["--threadreader-base", base, "--min-interval", "0", "--every", "0"]
    done = run("watch_threads.py", "2", ROOT_TWEET, "--rounds", "2", *options, cwd=tmp_path)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[1].startswith("  2: FAILED ") and "HTTP 404" in lines[1]
    assert lines[2] == f"  {ROOT_TWEET}: new, 0 removed, 0 edited, 0 back"
    assert lines[5] == f"  {ROOT_TWEET}: unchanged, 0 removed, 0 edited, 0 back"
    assert lines[-1] == "2 rounds, 2 captures, 2 failed, 0 removed, 0 edited"

    done = run("watch_threads.py", cwd=tmp_path)
    assert done.returncode == 2
    assert "give at least one THREAD" in done.stderr


def test_article_tweets_merges_embeds_across_articles(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    archived = FIXTURES / "articles" / "constructed_webarchive_verge_2019.html"
    httpserver.expect_request("/2019/ios13-facetime").respond_with_data(
        archived.read_bytes(), content_type="text/html; charset=utf-8"
    )
    articles = [
        str(FIXTURES / "articles" / name)
        for name in ("theverge_2019_facetime_slice.html", "polettix_2020_scrape_post_md.html")
    ]
    url = httpserver.url_for("/2019/ios13-facetime")
    done = run("archive_thread.py", str(THREAD), cwd=tmp_path)  # the thread, archived before
    assert done.returncode == 0, done.stderr

    options = ["--min-interval", "0", "--jsonl", "tweets.jsonl"]
    done = run("article_tweets.py", *articles, url, str(THREAD), *options, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        f"article_tweets: {THREAD} is a thread, not an article: archived, not listed",
        "1146359923158089728 @schukin [article, article] How iOS 13 FaceTime Attention "
        "Correction works: it simply u…",
        f"{ROOT_TWEET} @QuinnyPig [article, thread] Okay. For every retweet this gets (TO A "
        "POINT!) I'll add a …",
        "3 articles of 4 sources, 2 tweets, 2 shown in more than one document",
        "wrote 2 tweets to tweets.jsonl",
    ]
    records = [
        TweetRecord.model_validate_json(line)
        for line in (tmp_path / "tweets.jsonl").read_text("utf-8").splitlines()
    ]
    verge = records[0]
    assert verge.id == "1146359923158089728"
    assert {s.url for s in verge.sightings} >= {url}
    assert len(verge.documents) == 2

    done = run("article_tweets.py", str(FIXTURES / "broken" / "prose.txt"), cwd=tmp_path)
    assert done.returncode == 1
    assert "prose.txt: plain text with no tweets" in done.stderr


@pytest.mark.parametrize("script", sorted(p.name for p in EXAMPLES.glob("*.py")))
def test_every_example_explains_itself(script: str, tmp_path: Path) -> None:
    done = run(script, "--help", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: ")


def test_crawl_embedded_tweets_lists_each_tweet_of_a_crawl_with_its_place(tmp_path: Path) -> None:
    pytest.importorskip("distributed", reason="dask.distributed is not installed")
    crawls = [
        str(FIXTURES / "warc" / "revisits.warc.gz"),
        str(FIXTURES / "warc" / "plain-1.0.warc"),
    ]
    done = run("crawl_embedded_tweets.py", *crawls, "out/tweets.jsonl", "--workers", "1",
               cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        "crawl_embedded_tweets: 3 tweets from 3 pages (3 without tweets, 0 failed) → "
        "out/tweets.jsonl\n"
    )
    lines = [json.loads(line) for line in (tmp_path / "out/tweets.jsonl").read_text().splitlines()]
    assert [(line["tweet"]["id"], line["tweet"]["text"]) for line in lines] == [
        ("20", "just setting up my twttr")
    ] * 3
    assert [(line["page"], line["captured_at"]) for line in lines] == [
        ("https://threadreaderapp.com/thread/20.html", "2024-05-01T10:00:00Z"),
        ("https://threadreaderapp.com/thread/20.html?again", "2024-06-01T10:00:00Z"),
        ("https://threadreaderapp.com/thread/20.html", "2024-05-01T10:00:00Z"),
    ]
    assert [(line["origin"]["file"], line["origin"]["offset"]) for line in lines] == [
        (crawls[0], 234), (crawls[0], 610), (crawls[1], 307),
    ]  # fmt: skip
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["tweets.jsonl"]
