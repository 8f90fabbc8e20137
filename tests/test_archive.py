"""The archive's promise: nothing once captured is lost. Real pages, real files."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import threadkeep
from tests.conftest import fixture_bytes, read_log
from threadkeep.archive import Archive
from threadkeep.archive import apply as apply_module

URL = "https://threadreaderapp.com/thread/1215710451343904768.html"
ROOT_TWEET = "1215710451343904768"
FIFTH = "1215711185045090305"  # "If you call yourself "a public speaker," …"
SIXTH = "1215711194180288512"  # "Never, ever, read the comments on videos of your talks."
T0 = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def page() -> bytes:
    return fixture_bytes("threadreader/quinnypig_2020_full.html")


def without_fifth(page: bytes) -> bytes:
    return re.sub(rb'<div id="tweet_5".*?</div>', b"", page, count=1, flags=re.S)


def edited_sixth(page: bytes) -> bytes:
    return page.replace(
        b"Never, ever, read the comments on videos of your talks.", b"Never read the comments."
    )


def snapshots(store: Path) -> list[Path]:
    return sorted(store.glob("gen-*/snapshots/*/*.json"))


def log_lines(store: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in read_log(store).decode().splitlines()]


def test_unchanged_recapture_writes_no_snapshot(tmp_path: Path, page: bytes) -> None:
    archive = Archive(tmp_path)
    first = archive.add(page, url=URL, captured_at=T0)
    again = archive.add(page, url=URL, captured_at=T0 + timedelta(days=1))
    assert (first.outcome, first.snapshot_written, len(first.new)) == ("new", True, 102)
    assert (again.outcome, again.snapshot_written) == ("unchanged", False)
    assert len(snapshots(tmp_path)) == 1
    assert [line["outcome"] for line in log_lines(tmp_path)] == ["new", "unchanged"]
    merged = archive.thread(ROOT_TWEET)
    assert merged is not None
    assert merged.captures == 2
    assert merged.tweets[0].last_seen == T0 + timedelta(days=1)  # seen again, though unwritten


def test_removed_tweet_is_kept_and_marked(tmp_path: Path, page: bytes) -> None:
    archive = Archive(tmp_path)
    archive.add(page, url=URL, captured_at=T0)
    later = T0 + timedelta(days=3)
    result = archive.add(without_fifth(page), url=URL, captured_at=later)
    assert result.removed == (FIFTH,)
    merged = archive.thread(ROOT_TWEET)
    assert merged is not None
    assert len(merged.tweets) == 102  # every tweet ever seen
    fifth = merged.tweets[4]
    assert fifth.id == FIFTH
    assert fifth.removed is True
    assert fifth.removed_at == later
    assert fifth.last_seen == T0
    assert fifth.text is not None and fifth.text.startswith(
        'If you call yourself "a public speaker,"'
    )
    original = threadkeep.parse(page)
    assert isinstance(original, threadkeep.Thread)
    # It keeps its place between its old neighbours, though the page renumbered the rest.
    assert [t.id for t in merged.tweets] == [t.id for t in original.tweets]
    assert sum(t.removed for t in merged.tweets) == 1


def test_removed_tweet_that_comes_back_is_not_removed(tmp_path: Path, page: bytes) -> None:
    archive = Archive(tmp_path)
    archive.add(page, url=URL, captured_at=T0)
    archive.add(without_fifth(page), url=URL, captured_at=T0 + timedelta(days=1))
    result = archive.add(page, url=URL, captured_at=T0 + timedelta(days=2))
    assert result.reappeared == (FIFTH,)
    record = archive.tweet(FIFTH)
    assert record is not None and record.removed is False


def test_edited_tweet_has_two_versions(tmp_path: Path, page: bytes) -> None:
    archive = Archive(tmp_path)
    archive.add(page, url=URL, captured_at=T0)
    result = archive.add(edited_sixth(page), url=URL, captured_at=T0 + timedelta(hours=5))
    assert result.changed == (SIXTH,)
    record = archive.tweet(SIXTH)
    assert record is not None
    assert [v.text for v in record.versions] == [
        "Never, ever, read the comments on videos of your talks.",
        "Never read the comments.",
    ]
    assert record.versions[0].last_seen == T0
    assert record.latest.text == "Never read the comments."
    assert len(snapshots(tmp_path)) == 2


def test_a_cut_off_download_marks_nothing_removed(tmp_path: Path, page: bytes) -> None:
    archive = Archive(tmp_path)
    archive.add(page, url=URL, captured_at=T0)
    result = archive.add(
        page[: page.index(b'id="tweet_60"')], url=URL, captured_at=T0 + timedelta(1)
    )
    assert result.removed == ()
    merged = archive.thread(ROOT_TWEET)
    assert merged is not None
    assert not any(t.removed for t in merged.tweets)
    assert [t.position for t in merged.tweets] == list(range(1, 103))


def test_thread_page_and_article_embed_make_one_record(tmp_path: Path, page: bytes) -> None:
    archive = Archive(tmp_path)
    archive.add(page, url=URL, captured_at=T0)
    post = fixture_bytes("articles/polettix_2020_scrape_post_md.html")
    archive.add(post, url="https://polettix.github.io/ETOOBUSY/2020/01/14/scrape-tweets-thread/")
    record = archive.tweet(ROOT_TWEET)
    assert record is not None
    assert sorted(s.kind for s in record.sightings) == ["embed", "threadreader"]
    assert record.latest.date_text == "January 10, 2020"  # the embed knew the date text
    assert record.latest.author is not None and record.latest.author.name == "Corey Quinn"
    assert len([v for v in record.versions if v.text]) == 1  # same text from both sources


def test_articles_never_mark_removed_nor_bring_back(tmp_path: Path, page: bytes) -> None:
    archive = Archive(tmp_path)
    archive.add(page, url=URL, captured_at=T0)
    archive.add(without_fifth(page), url=URL, captured_at=T0 + timedelta(1))
    article = (
        '<html><head><title>Quote</title></head><body><article><blockquote class="twitter-tweet">'
        f'<p>text</p>&mdash; Corey Quinn (@QuinnyPig) <a href="https://twitter.com/QuinnyPig/status/{FIFTH}">January 10, 2020</a>'
        "</blockquote></article></body></html>"
    ).encode()
    archive.add(article, url="https://news.example/quote", captured_at=T0 + timedelta(2))
    record = archive.tweet(FIFTH)
    assert record is not None
    assert record.removed is True  # an article keeps embeds of deleted tweets
    assert {s.kind for s in record.sightings} == {"threadreader", "embed"}


def test_syndication_tombstone_marks_removed(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    oembed = fixture_bytes("answers/oembed_452481183213813760.input.json")
    archive.add(oembed, captured_at=T0)
    tombstone = fixture_bytes(
        "answers/constructed_syndication_tombstone_1600000000000000000.input.json"
    )
    archive.add(
        tombstone,
        url="https://cdn.syndication.twimg.com/tweet-result?id=452481183213813760",
        captured_at=T0 + timedelta(1),
    )
    record = archive.tweet("452481183213813760")
    assert record is not None
    assert record.removed is True
    assert record.latest.text == "Just ready to leave work that's all.. #BBN"  # last content kept


def test_unparseable_capture_is_kept_and_logged(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    data = fixture_bytes("broken/not_a_thread_page.html")
    with pytest.raises(threadkeep.UnsupportedPage):
        archive.add(data, url="https://library.example/hours")
    (entry,) = list(archive.captures())
    assert entry.outcome == "failed"
    assert entry.error == "HTML page with no tweets and no Thread Reader markup"
    assert entry.sha256 is not None and archive.raw(entry.sha256) == data


def test_reparse_recovers_what_an_older_parser_could_not_read(
    tmp_path: Path, page: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    def old_parser(data: bytes, **_: object) -> threadkeep.Thread:
        raise threadkeep.UnsupportedPage("this parser does not know Thread Reader yet")

    archive = Archive(tmp_path)
    monkeypatch.setattr(apply_module, "parse", old_parser)
    with pytest.raises(threadkeep.UnsupportedPage):
        archive.add(page, url=URL, captured_at=T0)
    assert archive.thread(ROOT_TWEET) is None
    monkeypatch.undo()
    report = archive.reparse()
    assert (report.replayed, report.failed, report.generation) == (1, (), 2)
    merged = archive.thread(ROOT_TWEET)
    assert merged is not None and len(merged.tweets) == 102
    assert merged.first_captured == T0  # the capture keeps its time
    assert archive.verify().ok
    assert list((tmp_path / "raw").rglob("*.gz"))  # raw captures untouched


def test_reparse_rebuilds_the_same_records(tmp_path: Path, page: bytes) -> None:
    archive = Archive(tmp_path)
    archive.add(page, url=URL, captured_at=T0)
    archive.add(without_fifth(edited_sixth(page)), url=URL, captured_at=T0 + timedelta(1))
    before = archive.thread(ROOT_TWEET)
    archive.reparse()
    assert archive.thread(ROOT_TWEET) == before
    assert (tmp_path / "gen-1").is_dir()  # the previous generation stays


def test_verify_reports_damage_with_its_capture(tmp_path: Path, page: bytes) -> None:
    archive = Archive(tmp_path)
    archive.add(page, url=URL, captured_at=T0)
    raw = next((tmp_path / "raw").rglob("*.gz"))
    raw.write_bytes(b"not gzip at all")
    snapshot = snapshots(tmp_path)[0]
    snapshot.write_text(
        snapshot.read_text().replace("Okay. For every retweet", "Okay. For each retweet")
    )
    report = archive.verify()
    assert not report.ok
    problems = {p.path: p for p in report.problems}
    raw_problem = problems[raw.relative_to(tmp_path).as_posix()]
    assert "unreadable raw capture" in raw_problem.problem
    assert raw_problem.captures == (f"{T0.isoformat()} {URL}",)
    assert "does not match its hash" in problems[snapshot.relative_to(tmp_path).as_posix()].problem


def test_ids_cannot_become_paths(tmp_path: Path) -> None:
    store = tmp_path / "store"
    evil = (
        b'<div id="tweet_1" class="content-tweet" data-screenname="../../x" '
        b'data-tweet="../../x">hello</div><div id="tweet_2" class="content-tweet" '
        b'data-tweet="..%2F..%2Fy">world</div>'
    )
    Archive(store).add(evil, url="https://threadreaderapp.com/thread/..%2F..%2Fz.html")
    outside = {p.name for p in tmp_path.iterdir()}
    assert outside == {"store"}
    names = [p.name for p in store.rglob("*")]
    assert not any(".." in name or "/" in name for name in names)
    assert Archive(store).thread("../../x") is None


def test_newer_format_is_refused(tmp_path: Path) -> None:
    Archive(tmp_path)
    (tmp_path / "threadkeep-store.json").write_text('{"format": 99, "generation": 1}')
    with pytest.raises(threadkeep.CorruptStore, match="format 99 store"):
        Archive(tmp_path)


def test_lock_held_too_long_gives_lock_timeout(tmp_path: Path, page: bytes) -> None:
    archive = Archive(tmp_path, lock_timeout=0.2)
    with archive.storage.lock(5), pytest.raises(threadkeep.LockTimeout, match="store lock"):
        Archive(tmp_path, lock_timeout=0.2).add(page, url=URL)


def test_missing_store_is_not_created_for_reading(tmp_path: Path) -> None:
    with pytest.raises(threadkeep.ArchiveError, match="no threadkeep archive"):
        Archive(tmp_path / "nothing-here", create=False)
    assert not (tmp_path / "nothing-here").exists()
