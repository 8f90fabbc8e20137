"""What a WARC record's HTTP head says about its payload, honoured when it is converted."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import threadkeep
from tests.test_warc import tk
from tests.warcs import TWEET_URL, Rec, warc_bytes

CYRILLIC = "Привет мир, это мой твит"


def test_a_charset_the_http_head_declares_decodes_the_page(tmp_path: Path) -> None:
    # A page with no <meta charset>, sent as windows-1251: its HTTP head is the only word on
    # its encoding (as a fetch's is, threadkeep.fetch.capture.read), not a cp1252 guess.
    page = f"<div class='content-tweet' data-tweet='20'>{CYRILLIC}</div>".encode("cp1251")
    crawl = tmp_path / "crawl.warc.gz"
    crawl.write_bytes(warc_bytes([
        Rec(TWEET_URL, page, content_type="text/html; charset=windows-1251"),
    ]))  # fmt: skip
    done = tk("convert", str(crawl), "--format", "jsonl")
    assert done.returncode == 0, done.stderr
    (thread,) = [json.loads(line) for line in done.stdout.splitlines()]
    assert thread["tweets"][0]["text"] == CYRILLIC
    # the sighting's hash is still that of the bytes the record holds
    assert thread["source"]["sha256"] == hashlib.sha256(page).hexdigest()


def test_a_utf8_page_under_a_wrong_charset_is_not_spoiled_by_a_bom(tmp_path: Path) -> None:
    # A byte-order mark decides over the head's charset (the fetch's rule too).
    page = b"\xef\xbb\xbf" + f"<div class='content-tweet' data-tweet='20'>{CYRILLIC}</div>".encode()
    crawl = tmp_path / "crawl.warc.gz"
    crawl.write_bytes(warc_bytes([
        Rec(TWEET_URL, page, content_type="text/html; charset=iso-8859-1"),
    ]))  # fmt: skip
    done = tk("convert", str(crawl), "--format", "jsonl")
    assert done.returncode == 0, done.stderr
    (thread,) = [json.loads(line) for line in done.stdout.splitlines()]
    assert thread["tweets"][0]["text"] == CYRILLIC


def test_a_warc_with_no_page_record_is_counted_empty_not_a_usage_error(tmp_path: Path) -> None:
    # A crawl of images only is a WARC all the same: exit 0, said held nothing (DESIGN.md: 2
    # is bad usage), as archive says it.
    crawl = tmp_path / "images.warc.gz"
    crawl.write_bytes(warc_bytes([Rec("https://example.org/a.png", b"\x89PNG\r\n\x1a\n...",
                                      content_type="image/png")]))  # fmt: skip
    done = tk("convert", str(crawl), "--format", "jsonl")
    assert (done.returncode, done.stdout) == (0, ""), done.stderr
    assert done.stderr == "threadkeep: 1 of 1 input held no tweets (not written)\n"
    kept = tk("archive", str(crawl), "--store", str(tmp_path / "store"))
    assert kept.returncode == 0, kept.stderr
    assert "1 of 1 source held no tweets" in kept.stderr  # it said nothing at all before


def test_a_page_its_crawler_truncated_is_named_not_read_in_part(tmp_path: Path) -> None:
    # A crawler that stops at its size limit writes WARC-Truncated: the thread read from the
    # part kept would lack its last tweets, given as whole (and, archived, mark them removed).
    whole = "".join(
        f"<div id='tweet_{n}' class='content-tweet' data-tweet='2{n}'>tweet {n}</div>"
        for n in range(1, 4)
    ).encode()
    crawl = tmp_path / "crawl.warc.gz"
    crawl.write_bytes(warc_bytes([
        Rec(TWEET_URL, whole[:60], warc_headers=[("WARC-Truncated", "length")]),
        Rec(TWEET_URL, whole[:60], status="206 Partial Content"),
        Rec(TWEET_URL, whole),
    ]))  # fmt: skip
    done = tk("convert", str(crawl), "--format", "jsonl")
    assert done.returncode == 1
    (thread,) = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(thread["tweets"]) == 3
    assert "record truncated by its crawler (WARC-Truncated: length)" in done.stderr
    assert "a partial answer (HTTP 206)" in done.stderr
    kept = tk("archive", str(crawl), "--store", str(tmp_path / "store"))
    assert "record truncated by its crawler" in kept.stderr
    captured = list(threadkeep.Archive(tmp_path / "store").captures())
    assert [c.origin.offset for c in captured if c.origin] == [thread["source"]["origin"]["offset"]]
    assert len(captured) == 1  # only the whole page was captured
