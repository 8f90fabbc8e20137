"""The archive does only the work that changed (format 2).

An unchanged re-capture of bytes already stored writes one log line and nothing else; a copy
in which one tweet changed rewrites that tweet's record only; an older copy added later moves
first-seen times earlier without rewriting anything; a format 1 store (threadkeep 0.1.0's) is
read as it is, and upgraded by the first command that writes.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import FIXTURES, fixture_bytes, read_log, rewrite_log
from threadkeep.archive import Archive, LocalStorage, layout
from threadkeep.archive import apply as apply_module
from threadkeep.cli import cli

THREAD = "1215710451343904768"
SIXTH = "1215711194180288512"  # "Never, ever, read the comments on videos of your talks."
URL = f"https://threadreaderapp.com/thread/{THREAD}.html"
DOCUMENT = f"thread-{THREAD}"
T0 = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def page() -> bytes:
    return fixture_bytes("threadreader/quinnypig_2020_full.html")


def edited_sixth(page: bytes) -> bytes:
    return page.replace(
        b"Never, ever, read the comments on videos of your talks.", b"Never read the comments."
    )


def files_of(store: Path) -> dict[str, tuple[int, int, bytes]]:
    """Every file of the store with its mtime, size and content."""
    return {
        path.relative_to(store).as_posix(): (
            path.stat().st_mtime_ns,
            path.stat().st_size,
            path.read_bytes(),
        )
        for path in store.rglob("*")
        if path.is_file() and path.name != "lock"
    }


def written(before: dict[str, tuple[int, int, bytes]], after: dict[str, object]) -> list[str]:
    return sorted(path for path, state in after.items() if before.get(path) != state)


def test_an_unchanged_recapture_writes_one_log_line_and_is_not_parsed(
    tmp_path: Path, page: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = Archive(tmp_path)
    archive.add(page, url=URL, captured_at=T0)
    before = files_of(tmp_path)

    def no_parse(*args: object, **kwargs: object) -> None:
        raise AssertionError("an unchanged re-capture of stored bytes is not parsed")

    monkeypatch.setattr(apply_module, "parse", no_parse)
    result = archive.add(page, url=URL, captured_at=T0 + timedelta(days=1))
    after = files_of(tmp_path)
    assert (result.outcome, result.document, result.snapshot_written) == (
        "unchanged",
        DOCUMENT,
        False,
    )
    # format 3, the lock free: one pack of the log, nothing else (no pointer, no object)
    assert [p.split("/")[0] for p in written(before, after)] == ["journal"]
    log = read_log(tmp_path)
    assert log.startswith(before["journal/0000000001.jsonl"][2]) and log.count(b"\n") == 2
    line = json.loads(log.splitlines()[-1])
    assert (line["outcome"], line["document"], line["kind"], line["snapshot"]) == (
        "unchanged",
        DOCUMENT,
        "thread",
        None,
    )
    monkeypatch.undo()
    assert archive.verify().ok
    document = archive.document(DOCUMENT)
    assert document is not None and document.captures == 2
    assert document.last_captured == T0 + timedelta(days=1)


def test_bytes_stored_but_not_the_latest_content_are_parsed(
    tmp_path: Path, page: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = Archive(tmp_path)
    parsed: list[str | None] = []
    parse = apply_module.parse

    def counted(data: bytes, *, url: str | None, source: str | None) -> object:
        parsed.append(url)
        return parse(data, url=url, source=source)

    monkeypatch.setattr(apply_module, "parse", counted)
    archive.add(page, url=URL, captured_at=T0)
    archive.add(edited_sixth(page), url=URL, captured_at=T0 + timedelta(days=1))
    again = archive.add(page, url=URL, captured_at=T0 + timedelta(days=2))  # back to the first
    assert (again.outcome, again.snapshot_written) == ("changed", True)
    archive.add(page, url=URL + "?s=1", captured_at=T0 + timedelta(days=3))  # another url
    assert parsed == [URL, URL, URL, URL + "?s=1"]
    assert archive.add(page, url=URL + "?s=1", captured_at=T0 + timedelta(days=4)).outcome == (
        "unchanged"
    )
    assert len(parsed) == 4
    assert archive.verify().ok


def test_an_edit_of_one_tweet_rewrites_one_tweet_record(tmp_path: Path, page: bytes) -> None:
    archive = Archive(tmp_path)
    archive.add(page, url=URL, captured_at=T0)
    before = files_of(tmp_path)
    result = archive.add(edited_sixth(page), url=URL, captured_at=T0 + timedelta(days=1))
    assert result.changed == (SIXTH,)
    changed = written(before, files_of(tmp_path))
    tweets = [path for path in changed if path.startswith("gen-1/tweets/")]
    assert tweets == [f"gen-1/tweets/12/{SIXTH}.json"]
    others = [path for path in changed if path not in tweets]
    assert [p.split("/")[0] for p in others] == ["captures", "gen-1", "gen-1", "journal", "raw"]
    assert archive.verify().ok
    record = archive.tweet(SIXTH)
    assert record is not None and [v.last_seen for v in record.versions] == [
        T0,
        T0 + timedelta(days=1),
    ]
    untouched = archive.tweet(THREAD)
    assert untouched is not None and untouched.last_seen == T0 + timedelta(days=1)


def test_an_older_copy_added_later_moves_first_seen_earlier(tmp_path: Path, page: bytes) -> None:
    archive = Archive(tmp_path)
    archive.add(page, url=URL, captured_at=T0)
    before = files_of(tmp_path)
    older = T0 - timedelta(days=30)  # a web-archive copy, found later
    result = archive.add(page, url=URL, captured_at=older)
    assert result.outcome == "unchanged"  # nothing the store did not hold
    assert (result.new, result.changed, result.removed) == ((), (), ())
    # Merged in capture-time order, the older copy is the first: its snapshot is the document's.
    assert "journal/0000000002.jsonl" in written(before, files_of(tmp_path))
    document = archive.document(f"thread-{THREAD}")
    assert document is not None
    assert [ref.captured_at for ref in document.snapshots] == [older]
    thread = archive.thread(THREAD)
    assert thread is not None
    assert (thread.first_captured, thread.last_captured, thread.captures) == (older, T0, 2)
    assert all(tweet.first_seen == older for tweet in thread.tweets)
    record = archive.tweet(SIXTH)
    assert record is not None and record.first_seen == older
    assert record.versions[0].first_seen == older
    (sighting,) = record.sightings
    assert (sighting.first_seen, sighting.last_seen, sighting.times) == (older, T0, 2)
    assert archive.verify().ok


def test_a_format_1_store_is_read_then_upgraded_and_verifies(tmp_path: Path) -> None:
    store = tmp_path / "store"
    shutil.copytree(FIXTURES / "stores" / "0.1.0", store)
    old = Archive(store)
    thread = old.thread("thread-h443c4067c6eedd3cb1e3114b")  # read as it is
    assert thread is not None and thread.captures == 2
    shown = thread.model_dump()
    records = len(list(old.records()))
    assert json.loads((store / "threadkeep-store.json").read_text())["format"] == 1
    report = old.verify()
    assert report.ok and report.format == 1

    page = fixture_bytes("text/seed000_article_no_embeds.txt")
    old.add(page, captured_at=T0)  # the first write upgrades it
    info = json.loads((store / "threadkeep-store.json").read_text())
    assert (info["format"], info["generation"]) == (3, 2)  # format 1 goes to 3 at once
    assert (store / "gen-1" / "documents").is_dir()  # the format 1 generation stays
    upgraded = Archive(store)
    report = upgraded.verify()
    assert report.ok and report.format == 3 and not report.ahead, report
    thread = upgraded.thread("thread-h443c4067c6eedd3cb1e3114b")
    assert thread is not None
    # The same thread, but the unchanged capture is a sighting of every tweet it showed
    # (format 1 counted only captures that wrote a snapshot): twice seen, last at 02:00.
    unchanged = datetime(2025, 11, 1, 2, 0, tzinfo=UTC)
    assert [_without_counts(t) for t in thread.model_dump()["tweets"]] == [
        _without_counts(t) for t in shown["tweets"]
    ]
    for tweet in thread.tweets:
        assert [(s.times, s.last_seen) for s in tweet.sightings] == [(2, unchanged)]
        assert tweet.last_seen == unchanged and tweet.versions[-1].last_seen == unchanged
    assert len(list(upgraded.records())) == records
    run = CliRunner().invoke(cli, ["verify", "--store", str(store)])
    assert run.exit_code == 0 and "format 1" not in run.output, run.output


def _without_counts(tweet: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in tweet.items() if k not in ("sightings", "versions")}


def test_a_log_line_a_rebuild_read_otherwise_does_not_skip_the_parse(tmp_path: Path) -> None:
    # threadkeep 0.1.0 made a document of an article with no embeds (outcome `changed` of the
    # article's document); the upgrade's rebuild makes none of it (`empty`). The same bytes
    # captured again must be what a parse makes of them (`empty`), not `unchanged` on the
    # strength of the old line: that counted a page with no tweets as a sighting of the 12
    # embeds of the article's earlier copy.
    url = "https://www.basicthinking.de/blog/2018/x/"
    embeds = fixture_bytes("embeds/basicthinking_de_2018_erfolgreiche-tweets.html")
    bare = fixture_bytes("text/seed000_article_no_embeds.txt")
    archive = Archive(tmp_path)
    first = archive.add(embeds, url=url, captured_at=T0)
    assert archive.add(bare, url=url, captured_at=T0 + timedelta(days=1)).outcome == "empty"
    lines = [json.loads(line) for line in read_log(tmp_path).splitlines()]
    lines[1].update(outcome="changed", document=first.document)  # as 0.1.0 logged it
    text = "".join(json.dumps(line, separators=(",", ":")) + "\n" for line in lines)
    rewrite_log(tmp_path, text.encode())
    (tmp_path / "threadkeep-store.json").write_text('{"format": 1, "generation": 1}')

    again = archive.add(bare, url=url, captured_at=T0 + timedelta(days=2))  # upgrades first
    assert (again.outcome, again.document) == ("empty", None)
    document = archive.document(first.document or "")  # not a capture of the article's
    assert document is not None and document.last_captured == T0
    assert archive.verify().ok


def test_a_log_line_a_rebuild_read_otherwise_is_no_capture_of_its_old_document(
    tmp_path: Path,
) -> None:
    # The same 0.1.0 line (a `changed` capture of the article, which the upgrade reads as
    # `empty`): the Reader must not count it as a capture of the article, nor as a sighting of
    # the embeds the article's earlier copy showed.
    url = "https://www.basicthinking.de/blog/2018/x/"
    embeds = fixture_bytes("embeds/basicthinking_de_2018_erfolgreiche-tweets.html")
    bare = fixture_bytes("text/seed000_article_no_embeds.txt")
    archive = Archive(tmp_path)
    first = archive.add(embeds, url=url, captured_at=T0)
    archive.add(bare, url=url, captured_at=T0 + timedelta(days=1))
    lines = [json.loads(line) for line in read_log(tmp_path).splitlines()]
    lines[1].update(outcome="changed", document=first.document)  # as 0.1.0 logged it
    text = "".join(json.dumps(line, separators=(",", ":")) + "\n" for line in lines)
    rewrite_log(tmp_path, text.encode())
    (tmp_path / "threadkeep-store.json").write_text('{"format": 1, "generation": 1}')

    archive.upgrade()
    document = archive.document(first.document or "")
    assert document is not None
    assert (document.captures, document.last_captured) == (1, T0)
    embed = archive.tweet(document.tweets[0])
    assert embed is not None and embed.last_seen == T0
    assert sum(sighting.times for sighting in embed.sightings) == 1
    history = archive.history(first.document or "")
    assert history is not None and [c.time for c in history.captures] == [T0]
    assert archive.verify().ok
    archive.reparse()  # a rebuild of a rebuilt generation reads the line as the upgrade did
    document = archive.document(first.document or "")
    assert document is not None and document.captures == 1
    assert archive.verify().ok


def upgraded_with_a_line_read_otherwise(tmp_path: Path) -> Archive:
    """A format 1 store whose second line 0.1.0 logged as a capture of the article, upgraded."""
    url = "https://www.basicthinking.de/blog/2018/x/"
    archive = Archive(tmp_path)
    embeds = fixture_bytes("embeds/basicthinking_de_2018_erfolgreiche-tweets.html")
    first = archive.add(embeds, url=url, captured_at=T0)
    bare = fixture_bytes("text/seed000_article_no_embeds.txt")
    archive.add(bare, url=url, captured_at=T0 + timedelta(days=1))
    lines = [json.loads(line) for line in read_log(tmp_path).splitlines()]
    lines[1].update(outcome="changed", document=first.document)
    text = "".join(json.dumps(line, separators=(",", ":")) + "\n" for line in lines)
    rewrite_log(tmp_path, text.encode())
    (tmp_path / "threadkeep-store.json").write_text('{"format": 1, "generation": 1}')
    archive.upgrade()
    return archive


def test_the_rebuild_file_names_the_lines_a_rebuild_read_otherwise(tmp_path: Path) -> None:
    archive = upgraded_with_a_line_read_otherwise(tmp_path)
    record = json.loads((tmp_path / "gen-2" / "rebuild.json").read_text())
    log = read_log(tmp_path)
    assert record["log_offset"] == len(log)
    assert record["read"] == [
        {"offset": log.index(b"\n") + 1, "outcome": "empty", "document": None, "kind": "article"}
    ]
    assert archive.verify().ok


@pytest.mark.parametrize(
    "damage",
    [
        lambda path: path.write_text("{not json"),
        lambda path: path.unlink(),
        lambda path: path.write_text(json.dumps({**json.loads(path.read_text()), "read": []})),
        lambda path: path.write_text(json.dumps({"log_offset": 10**9, "read": []})),
    ],
    ids=["not-json", "missing", "line-forgotten", "offset-beyond-the-log"],
)
def test_a_damaged_rebuild_file_is_reported_and_repaired(
    tmp_path: Path, damage: Callable[[Path], object]
) -> None:
    archive = upgraded_with_a_line_read_otherwise(tmp_path)
    damage(tmp_path / "gen-2" / "rebuild.json")
    report = archive.verify()
    assert not report.ok
    assert any(problem.path.endswith("rebuild.json") for problem in report.problems)
    repaired = archive.repair()
    assert repaired.ok and repaired.generation == 3
    assert archive.verify().ok
    article = next(entry.document for entry in archive.captures() if entry.document)
    document = archive.document(article)
    assert document is not None and document.captures == 1


class CountingStorage(LocalStorage):
    """The local disk, counting how often each file is read (found or not)."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.reads: Counter[str] = Counter()

    def read(self, path: str) -> bytes:
        self.reads[path] += 1
        return super().read(path)


def test_a_new_capture_asks_the_disk_for_each_missing_record_once(
    tmp_path: Path, page: bytes
) -> None:
    # A merge asks for each tweet's record three times (is the capture named already, the
    # merge, is it changed); a record found missing is remembered until the merge writes it.
    storage = CountingStorage(tmp_path)
    archive = Archive(tmp_path, storage=storage)
    archive.add(page, url=URL, captured_at=T0)
    folder = layout.tweets_folder(1)
    tweet_reads = {p: n for p, n in storage.reads.items() if p.startswith(f"{folder}/")}
    on_disk = {
        path.relative_to(tmp_path).as_posix()
        for path in (tmp_path / folder).rglob("*")
        if path.is_file()
    }
    assert set(tweet_reads) == on_disk  # the 102 tweets and the two they quote, all new
    assert len(on_disk) == 104
    assert max(tweet_reads.values()) == 1
    thread = archive.thread(THREAD)
    assert thread is not None and len(thread.tweets) == 102
    assert archive.verify().ok
    # The records written are read back from the disk by the next capture: an edited copy
    # changes the sixth tweet, and only it, as a later merge sees the records it wrote.
    storage.reads.clear()
    result = archive.add(edited_sixth(page), url=URL, captured_at=T0 + timedelta(days=1))
    assert result.outcome == "changed"
    assert storage.reads[layout.tweet_path(SIXTH, 1)] >= 1  # not remembered
    sixth = archive.tweet(SIXTH)
    assert sixth is not None
    assert [version.text for version in sixth.versions][-1] == "Never read the comments."
    assert len(sixth.versions) == 2
    assert archive.verify().ok
